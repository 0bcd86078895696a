"""Argument checks that several layers share: the dtype of new parameters, and of inputs."""
from chainrule.tensor import Tensor, as_array, get_default_dtype, to_dtype


def factory_dtype(dtype, device, where):
    """The dtype for a new layer's parameters: ``dtype``, or the default dtype; ``device`` must be the CPU."""
    if device not in (None, "cpu"):
        raise ValueError(f"{where}: device {device!r} is not available (only 'cpu')")
    return get_default_dtype() if dtype is None else to_dtype(dtype, where)


def layer_input(x, dtype, where):
    """``x`` as a tensor of the layer's floating ``dtype``, or a clear TypeError.

    Raw data (lists, ndarrays) adopts the layer's dtype, as it does in arithmetic with a
    tensor; a Tensor of another dtype is an error, as in PyTorch, because converting it
    silently would either lose precision or upcast the whole model's computation.
    ``dtype`` None means the layer has no parameters to agree with: any float is fine.
    """
    if not isinstance(x, Tensor):
        array = as_array(x, copy=False, op=where)
        if dtype is not None:
            array = array.astype(dtype, copy=False)
        return Tensor(array)
    if dtype is None:
        if x.data.dtype.kind != "f":
            raise TypeError(f"{where} expects a floating-point input, got dtype {x.dtype} "
                            "(convert it with .float())")
        return x
    if x.data.dtype != dtype:
        fix = ".float()" if dtype.name == "float32" else f".to({dtype.name})"
        message = (f"{where} has {dtype} parameters but got an input of dtype {x.dtype}; "
                   f"convert the input with x{fix}")
        if x.data.dtype.kind == "f":
            message += f", or the layer with .to({x.dtype.name})"
        raise TypeError(message)
    return x
