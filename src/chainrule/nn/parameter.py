"""Parameter: the marker that makes a tensor a module's trainable weight."""
from chainrule.tensor import Tensor, as_array


class Parameter(Tensor):
    """A tensor that ``Module.parameters()`` finds; it requires grad unless told otherwise.

    Assigning a Parameter to a module attribute registers it under that name, which becomes
    its key in ``state_dict()`` (``fc1.weight``).
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = as_array([], copy=False)
        super().__init__(data.data if isinstance(data, Tensor) else as_array(data, copy=False))
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
