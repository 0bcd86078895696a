"""Small helpers with Keras's names: ``to_categorical`` (one-hot encoding of class labels)."""
from chainrule.backend import xp
from chainrule.tensor import Tensor, to_dtype


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels, as ``keras.utils.to_categorical``.

    ``y`` of shape (n,) (or any shape) becomes (n, num_classes) (``y.shape + (num_classes,)``,
    a trailing axis of size 1 being dropped first, as Keras does), with a 1 in column
    ``y[i]``.  ``num_classes`` defaults to ``max(y) + 1``.  Labels must be whole numbers in
    [0, num_classes).  A Tensor gives a Tensor, anything else a NumPy array.

    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], dtype=float32)
    """
    is_tensor = isinstance(y, Tensor)
    labels = xp.asarray(y.data if is_tensor else y)
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"to_categorical: labels must be integers, got dtype {labels.dtype}")
    if labels.dtype.kind == "f":
        if not xp.all(xp.isfinite(labels)) or not xp.all(labels == xp.floor(labels)):
            raise ValueError("to_categorical: labels must be whole numbers (class indices); found "
                             "values with a fractional part or NaN/inf")
    labels = labels.astype(xp.int64)
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)
    if num_classes is None:
        if flat.size == 0:
            raise ValueError("to_categorical: cannot infer num_classes from no labels; pass num_classes")
        num_classes = int(flat.max()) + 1
    num_classes = int(num_classes)
    if num_classes < 1:
        raise ValueError(f"to_categorical: num_classes must be >= 1, got {num_classes}")
    outside = (flat < 0) | (flat >= num_classes)
    if flat.size and outside.any():
        where = int(xp.argmax(outside))
        raise ValueError(f"to_categorical: labels must lie in [0, {num_classes}); found "
                         f"{int(flat[where])} at flat index {where}")
    one_hot = xp.eye(num_classes, dtype=to_dtype(dtype, "to_categorical"))[flat]
    one_hot = one_hot.reshape(shape + (num_classes,))
    return Tensor(one_hot) if is_tensor else one_hot
