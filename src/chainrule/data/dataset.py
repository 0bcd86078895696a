"""Map-style data sets: anything with ``__getitem__`` and ``__len__``, as in ``torch.utils.data``."""
import math
import numbers

from chainrule import random as _random
from chainrule.backend import xp
from chainrule.tensor import Tensor, as_array


class Dataset:
    """A data set addressed by index: ``dataset[i]`` is one sample, ``len(dataset)`` counts them.

    Subclass it and define both methods; a sample may be an array, a tensor, a number, or a
    tuple, list or dict of them (``DataLoader`` collates them into batches).  A data set that
    holds whole arrays may also define ``get_batch(indices)`` returning the collated batch for
    an integer array of indices, so that the loader fetches a batch in one step.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")


class TensorDataset(Dataset):
    """Samples are rows of tensors (or arrays) that share their first dimension.

    ``TensorDataset(x, y)[i]`` is ``(x[i], y[i])``; a batch of indices is fetched with one
    fancy-index per tensor.  Tensors are used as they are (no copy, no gradient history).

    >>> ds = TensorDataset(chainrule.randn(100, 3), chainrule.zeros(100))
    >>> x0, y0 = ds[0]          # shapes (3,) and ()
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor (e.g. TensorDataset(x, y))")
        arrays = []
        for i, t in enumerate(tensors):
            array = t.data if isinstance(t, Tensor) else as_array(t, copy=False, op="TensorDataset")
            if array.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d (a single number); every "
                                 f"tensor needs a first dimension that counts the samples")
            arrays.append(array)
        sizes = [a.shape[0] for a in arrays]
        if len(set(sizes)) > 1:
            found = ", ".join(f"{a.shape[0]} (tensor {i}, shape {tuple(a.shape)})"
                              for i, a in enumerate(arrays))
            raise ValueError(f"TensorDataset: all tensors must have the same number of samples "
                             f"(first dimension); got {found}")
        self.arrays = tuple(arrays)
        self.tensors = tuple(Tensor(a) for a in arrays)

    def __len__(self):
        return self.arrays[0].shape[0]

    def __getitem__(self, index):
        if isinstance(index, numbers.Integral):
            n = len(self)
            if not -n <= index < n:
                raise IndexError(f"TensorDataset: index {index} is out of range for {n} samples")
        return tuple(Tensor(a[index]) for a in self.arrays)

    def get_batch(self, indices):
        """The batch for an integer array of indices: one tensor per array, gathered at once.

        ``take`` along axis 0 is ``a[indices]`` (a copy), measured ~15% faster for row gathers.
        """
        return [Tensor(xp.take(a, indices, axis=0)) for a in self.arrays]

    def __repr__(self):
        shapes = ", ".join(str(tuple(a.shape)) for a in self.arrays)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``Subset(ds, idx)[i] == ds[idx[i]]``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        indices = xp.asarray(indices)
        if indices.size == 0:
            indices = indices.astype(xp.int64)
        if indices.ndim != 1 or indices.dtype.kind not in "iu":
            raise TypeError(f"Subset: indices must be a 1-d sequence of integers, got "
                            f"{indices.dtype} of shape {tuple(indices.shape)}")
        n = len(dataset)
        if indices.size and (indices.min() < -n or indices.max() >= n):
            bad = indices[(indices < -n) | (indices >= n)][0]
            raise IndexError(f"Subset: index {int(bad)} is out of range for a data set of {n} samples")
        self.indices = indices.astype(xp.int64, copy=False)

    def __len__(self):
        return self.indices.shape[0]

    def __getitem__(self, index):
        if isinstance(index, numbers.Integral):
            return self.dataset[int(self.indices[index])]
        return [self.dataset[int(i)] for i in self.indices[index]]

    def __repr__(self):
        return f"Subset({len(self)} of {type(self.dataset).__name__})"


def batch_fetcher(dataset):
    """A function from an index array to a collated batch, when ``dataset`` is array-backed.

    Arrays and tensors are indexed directly, data sets with ``get_batch`` use it, and a
    ``Subset`` maps its indices onto such a data set; anything else returns None, and the
    loader collates sample by sample instead.
    """
    if isinstance(dataset, Tensor):
        return lambda indices: Tensor(xp.take(dataset.data, indices, axis=0))
    if isinstance(dataset, xp.ndarray):
        return lambda indices: Tensor(xp.take(dataset, indices, axis=0))
    get_batch = getattr(dataset, "get_batch", None)
    if get_batch is not None:
        return get_batch
    if isinstance(dataset, Subset):
        inner = batch_fetcher(dataset.dataset)
        if inner is not None:
            return lambda indices: inner(dataset.indices[indices])
    return None


def pick_generator(seed=None, generator=None, op="random_split"):
    """The random generator to draw from: ``generator``, else a new one seeded with ``seed``,
    else chainrule's global generator (so ``chainrule.manual_seed`` makes it repeatable)."""
    if seed is not None and generator is not None:
        raise ValueError(f"{op}: pass either seed or generator, not both")
    if seed is not None:
        return xp.random.default_rng(seed)
    return _random.numpy_generator(generator, op)


def random_split(dataset, lengths, seed=None, generator=None):
    """Split ``dataset`` at random into non-overlapping ``Subset``s of the given lengths.

    ``lengths`` are sample counts summing to ``len(dataset)``, or fractions summing to 1
    (counts are rounded down, and the samples left over go one each to the first splits,
    as in PyTorch).  The permutation comes from ``generator``, or a generator seeded with
    ``seed``, or chainrule's global generator.

    >>> train, val = random_split(dataset, [0.8, 0.2], seed=0)
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty; give counts or fractions, e.g. [0.8, 0.2]")
    for length in lengths:
        if not isinstance(length, numbers.Real) or isinstance(length, bool) or length < 0:
            raise ValueError(f"random_split: lengths must be non-negative counts or fractions; "
                             f"got {lengths}")
    total = sum(lengths)
    if all(isinstance(length, numbers.Integral) for length in lengths):
        counts = [int(length) for length in lengths]
        if total != n:
            raise ValueError(f"random_split: the lengths {lengths} sum to {total}, but the data "
                             f"set has {n} samples")
    elif all(length <= 1 for length in lengths) and math.isclose(total, 1.0) and total <= 1 + 1e-9:
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        raise ValueError(f"random_split: the fractions {lengths} sum to {total}, not 1 "
                         f"(or give whole sample counts summing to {n})")
    order = pick_generator(seed, generator).permutation(n)
    subsets, start = [], 0
    for count in counts:
        subsets.append(Subset(dataset, order[start:start + count]))
        start += count
    return subsets
