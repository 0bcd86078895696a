"""Collation: turning a list of samples into one batch, with PyTorch's ``default_collate`` rules."""
import collections.abc
import numbers

from chainrule.backend import xp
from chainrule.tensor import DEFAULT_FLOAT, Tensor


def default_collate(batch):
    """Merge a list of samples into a batch, recursing into their structure.

    - tensors and arrays of one shape are stacked into a tensor with a new first axis
      (``n`` samples of shape ``(3, 4)`` give a batch of shape ``(n, 3, 4)``);
    - NumPy scalars keep their dtype; Python ints become int64, bools bool, and Python
      floats float32 (chainrule's default float; PyTorch gives float64 here);
    - a dict of samples gives a dict of batches, key by key;
    - a namedtuple gives the same namedtuple of batches; any other tuple or list gives a
      list of batches, one per position (as PyTorch does, so ``x, y = batch`` works);
    - strings and bytes are left as a list.

    >>> default_collate([(chainrule.zeros(3), 1), (chainrule.ones(3), 0)])
    [tensor of shape (2, 3), tensor([1, 0])]
    """
    if not batch:
        raise ValueError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, (Tensor, xp.ndarray)):
        arrays = [e.data if isinstance(e, Tensor) else xp.asarray(e) for e in batch]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            found = " and ".join(str(s) for s in sorted(shapes)[:2])
            raise ValueError(f"default_collate: cannot stack samples of shapes {found} into one "
                             f"batch; make them the same size or pass a collate_fn")
        return Tensor(xp.stack(arrays))
    if isinstance(elem, xp.generic):  # a NumPy scalar such as np.float32(1.5)
        return Tensor(xp.asarray(batch))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, bool):
        return Tensor(xp.asarray(batch, dtype=xp.bool_))
    if isinstance(elem, numbers.Integral):
        return Tensor(xp.asarray(batch, dtype=xp.int64))
    if isinstance(elem, numbers.Real):
        return Tensor(xp.asarray(batch, dtype=DEFAULT_FLOAT))
    if isinstance(elem, collections.abc.Mapping):
        try:
            return type(elem)({key: default_collate([d[key] for d in batch]) for key in elem})
        except TypeError:  # a mapping type that cannot be built from a dict
            return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        sizes = {len(e) for e in batch}
        if len(sizes) > 1:
            raise ValueError(f"default_collate: the samples are sequences of different lengths "
                             f"{sorted(sizes)}; every sample must have the same structure")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(f"default_collate: cannot batch samples of type {type(elem).__name__}; "
                    f"samples must be tensors, arrays, numbers, strings, or dicts, tuples or "
                    f"lists of them (or pass a collate_fn)")
