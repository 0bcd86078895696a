"""Feeding data to a model: data sets that know their samples, and a loader that batches them.

``Dataset`` and ``DataLoader`` follow PyTorch's ``torch.utils.data``: a map-style data set
has ``__getitem__`` and ``__len__``; the loader draws indices (shuffled or in order), groups
them into batches and collates each batch into tensors::

    from chainrule.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    for xb, yb in loader:
        ...

Data sets backed by whole arrays (``TensorDataset``, and ``Subset``s of them) hand over a
batch with one fancy-index per array, not one Python call per sample.
"""
from chainrule.data.collate import default_collate
from chainrule.data.dataset import Dataset, Subset, TensorDataset, random_split
from chainrule.data.dataloader import DataLoader

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]
