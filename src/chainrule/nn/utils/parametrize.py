"""Parametrizations, as ``torch.nn.utils.parametrize``: a module's tensor computed from other
tensors on every access.

``register_parametrization(module, "weight", p)`` moves the weight into
``module.parametrizations.weight.original`` (or ``original0``, ``original1``, ... when ``p``
has a ``right_inverse`` returning several tensors) and makes ``module.weight`` a property
that returns ``p(original)``: the optimizer trains the originals, the layer sees the
parametrized tensor, and gradients flow through ``p``.  The module's class becomes a
subclass named ``Parametrized<Class>``, as in PyTorch.
"""
from chainrule.nn.container import ModuleDict, ModuleList
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.autograd import no_grad
from chainrule.tensor import Tensor

__all__ = ["ParametrizationList", "is_parametrized", "register_parametrization",
           "remove_parametrizations"]


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and its original tensor(s)."""

    def __init__(self, modules, original):
        super().__init__(modules)
        first = modules[0]
        with no_grad():
            new = first.right_inverse(original) if hasattr(first, "right_inverse") else original
        self.is_tensor = isinstance(new, Tensor)
        if self.is_tensor:
            if new is not original:   # keep the Parameter object, take the new values
                original.data = new.data.astype(original.data.dtype, copy=False)
            self.original = original if isinstance(original, Parameter) else Parameter(
                original.data, requires_grad=original.requires_grad)
        else:
            self.ntensors = len(new)
            for i, value in enumerate(new):
                setattr(self, f"original{i}", Parameter(value.detach().data.copy(),
                                                        requires_grad=original.requires_grad))

    def right_inverse(self, value):
        """Set the originals so that the parametrized tensor becomes ``value``."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} has no "
                                       "right_inverse, so the tensor cannot be assigned")
                value = module.right_inverse(value)
            values = [value] if self.is_tensor else list(value)
            names = ["original"] if self.is_tensor else [f"original{i}" for i in range(self.ntensors)]
            for name, new in zip(names, values):
                target = getattr(self, name)
                target.data[...] = new.data if isinstance(new, Tensor) else new
                target._mark_modified()

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _parametrized_class(module):
    """The subclass ``Parametrized<Class>`` whose tensor attributes become properties."""
    cls = type(module)
    if getattr(cls, "_is_parametrized_class", False):
        return cls

    def __setattr__(self, name, value):
        if name in type(self).__dict__.get("_parametrized_names", ()):
            self.parametrizations[name].right_inverse(value)
        else:
            cls.__setattr__(self, name, value)

    return type(f"Parametrized{cls.__name__}", (cls,),
                {"_is_parametrized_class": True, "_parametrized_names": set(),
                 "__setattr__": __setattr__, "__module__": cls.__module__})


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make ``module.<tensor_name>`` be ``parametrization(original)`` from now on (see the
    module docstring).  Registering a second one on the same tensor chains it after the first.
    Returns ``module``."""
    where = f"register_parametrization({type(module).__name__}, {tensor_name!r})"
    if not isinstance(parametrization, Module):
        raise TypeError(f"{where}: the parametrization must be an nn.Module, got "
                        f"{type(parametrization).__name__}")
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = module._parameters.get(tensor_name, module._buffers.get(tensor_name))
    if original is None:
        raise ValueError(f"{where}: the module has no parameter or buffer {tensor_name!r}")
    if not unsafe:
        with no_grad():
            check = parametrization(original)
        if not isinstance(check, Tensor) or check.shape != original.shape or check.dtype != original.dtype:
            raise ValueError(f"{where}: the parametrization must keep the tensor's shape "
                             f"{original.shape} and dtype {original.dtype}, got "
                             f"{getattr(check, 'shape', type(check).__name__)}")
    parametrizations = ParametrizationList([parametrization], original)
    module._forget(tensor_name)
    if not is_parametrized(module):
        module.__class__ = _parametrized_class(module)
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = parametrizations
    cls = type(module)
    cls._parametrized_names.add(tensor_name)
    setattr(cls, tensor_name, property(lambda self: self.parametrizations[tensor_name]()))
    return module


def is_parametrized(module, tensor_name=None):
    """Whether ``module`` has a parametrization (on ``tensor_name``, when given)."""
    parametrizations = module._modules.get("parametrizations")
    if not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo ``register_parametrization`` on ``tensor_name``: the tensor becomes a plain
    Parameter again, holding the parametrized value (or the original, when
    ``leave_parametrized`` is False and there is a single original).  Returns ``module``."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"remove_parametrizations: {type(module).__name__} has no "
                         f"parametrization on {tensor_name!r}")
    parametrizations = module.parametrizations[tensor_name]
    if leave_parametrized:
        with no_grad():
            value = getattr(module, tensor_name)
        first = parametrizations.original if parametrizations.is_tensor else parametrizations.original0
        new = Parameter(value.data.copy(), requires_grad=first.requires_grad)
    elif parametrizations.is_tensor:
        new = parametrizations.original
    else:
        raise ValueError("remove_parametrizations: leave_parametrized=False needs a "
                         "parametrization with a single original tensor")
    cls = type(module)
    delattr(cls, tensor_name)
    cls._parametrized_names.discard(tensor_name)
    del module.parametrizations[tensor_name]
    if not cls._parametrized_names:
        del module.parametrizations
        module.__class__ = cls.__bases__[0]
    module.register_parameter(tensor_name, new)
    return module
