"""All parameters as one flat vector and back, as ``torch.nn.utils.convert_parameters``:
what second-order methods and weight-space tools (line searches, averaging) work on."""
from chainrule.backend import xp
from chainrule.functions import cat
from chainrule.nn.utils.clip_grad import _tensors


def parameters_to_vector(parameters):
    """One 1-d tensor: every parameter flattened, concatenated in the given order.

    Differentiable: the vector's gradient flows back to each parameter.

    >>> parameters_to_vector(chainrule.nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    params = _tensors(parameters, "parameters_to_vector")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-d ``vec`` into ``parameters``, in place (no graph)."""
    if not hasattr(vec, "data") or vec.ndim != 1:
        raise TypeError(f"vector_to_parameters: expected a 1-d Tensor as vec, got "
                        f"{getattr(vec, 'shape', type(vec).__name__)}")
    params = _tensors(parameters, "vector_to_parameters")
    needed = sum(p.numel() for p in params)
    if vec.shape[0] != needed:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements, but the "
                         f"parameters hold {needed}")
    offsets = xp.cumsum([0] + [p.numel() for p in params])
    for p, start, stop in zip(params, offsets[:-1], offsets[1:]):
        p.data[...] = vec.data[start:stop].reshape(p.shape)
        p._mark_modified()
