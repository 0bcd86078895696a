"""DataLoader: batches of a data set, in order or shuffled, as in ``torch.utils.data.DataLoader``."""
import numbers

from chainrule.backend import xp
from chainrule.data.collate import default_collate
from chainrule.data.dataset import batch_fetcher, pick_generator


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    Each pass (epoch) visits every sample once, in order or, with ``shuffle=True``, in a
    new random order.  The order is drawn from chainrule's global generator (so
    ``chainrule.manual_seed`` makes it repeatable), or from a private generator when
    ``seed`` (or a ``chainrule.Generator``) is given: that one advances every epoch, so the
    epochs differ from each other while two runs with the same seed see the same orders.
    ``drop_last=True`` skips a final batch smaller than ``batch_size``.

    Batches of an array-backed data set (``TensorDataset``, an array or tensor, a ``Subset``
    of them, or any data set with ``get_batch``) are gathered with one fancy-index per
    array; other data sets are read sample by sample and merged by ``collate_fn``
    (``default_collate`` when None).  A ``collate_fn`` always receives the list of samples.

    >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=0)
    >>> len(loader)            # batches per epoch: ceil(len(dataset) / 32)
    >>> for xb, yb in loader: ...
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None,
                 collate_fn=None, generator=None):
        if (not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool)
                or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if not callable(getattr(dataset, "__len__", None)) or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: the data set must define __getitem__ and __len__ "
                            f"(a map-style Dataset); got {type(dataset).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn
        self.generator = None
        if seed is not None or generator is not None:
            self.generator = pick_generator(seed, generator, op="DataLoader")
        self._fetch = batch_fetcher(dataset) if collate_fn is None else None

    def __len__(self):
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return xp.arange(n)
        return pick_generator(generator=self.generator).permutation(n)

    def __iter__(self):
        order = self._order()  # drawn when the epoch starts, as PyTorch does
        n, size = order.shape[0], self.batch_size
        stop = n - n % size if self.drop_last else n
        fetch = self._fetch
        collate = self.collate_fn or default_collate
        for start in range(0, stop, size):
            indices = order[start:start + size]
            if fetch is not None:
                yield fetch(indices)
            else:
                yield collate([self.dataset[int(i)] for i in indices])

    def __repr__(self):
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})")
