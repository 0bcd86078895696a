"""chainrule.data: Dataset, TensorDataset, Subset, random_split, default_collate, DataLoader."""
import collections
import pathlib
import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import (DataLoader, Dataset, Subset, TensorDataset, default_collate,
                            random_split)


def _xy(n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64)
    return x, y


class Samples(Dataset):
    """A generic data set: every sample built by Python, so the loader must collate."""

    def __init__(self, n, make):
        self.n, self.make = n, make

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.make(i)


def _labels(loader):
    return [batch[1].numpy().tolist() for batch in loader]


# --------------------------------------------------------------------------- TensorDataset
def test_tensor_dataset_items_and_length():
    x, y = _xy()
    ds = TensorDataset(cr.tensor(x), y)
    assert len(ds) == 10
    xi, yi = ds[3]
    assert isinstance(xi, cr.Tensor) and isinstance(yi, cr.Tensor)
    np.testing.assert_array_equal(xi.numpy(), x[3])
    assert yi.item() == 3 and yi.dtype == np.int64
    np.testing.assert_array_equal(ds[-1][1].numpy(), 9)
    assert ds.tensors[0].shape == (10, 3)
    assert "TensorDataset((10, 3), (10,))" == repr(ds)


def test_tensor_dataset_from_lists_keeps_default_dtypes():
    ds = TensorDataset([[1.0, 2.0], [3.0, 4.0]], [0, 1])
    assert ds.arrays[0].dtype == np.float32 and ds.arrays[1].dtype == np.int64


def test_tensor_dataset_length_mismatch_names_the_sizes():
    with pytest.raises(ValueError, match=re.escape("got 100 (tensor 0, shape (100, 3)), "
                                                   "99 (tensor 1, shape (99,))")):
        TensorDataset(np.zeros((100, 3)), np.zeros(99))


def test_tensor_dataset_rejects_no_tensors_and_scalars():
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="tensor 1 is 0-d"):
        TensorDataset(np.zeros(3), cr.tensor(1.0))


def test_tensor_dataset_index_out_of_range():
    with pytest.raises(IndexError, match="index 10 is out of range for 10 samples"):
        TensorDataset(*_xy())[10]


# --------------------------------------------------------------------------- DataLoader basics
def test_loader_in_order_covers_everything_with_a_short_last_batch():
    x, y = _xy(10)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert isinstance(batches[0], list) and len(batches[0]) == 2
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert all(isinstance(t, cr.Tensor) and not t.requires_grad for b in batches for t in b)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64


def test_batches_are_copies_not_views_of_the_data():
    x, y = _xy(6)
    xb, _ = next(iter(DataLoader(TensorDataset(x, y), batch_size=3)))
    xb.data[...] = -1
    assert x.min() == 0  # a training step that edits a batch in place must not corrupt the data


@pytest.mark.parametrize("n, batch_size, drop_last, expected", [
    (10, 4, False, 3), (10, 4, True, 2), (8, 4, False, 2), (8, 4, True, 2),
    (3, 5, False, 1), (3, 5, True, 0), (0, 2, False, 0), (1, 1, False, 1)])
def test_len_and_drop_last(n, batch_size, drop_last, expected):
    x, y = _xy(n)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, drop_last=drop_last,
                        shuffle=True, seed=0)
    batches = list(loader)
    assert len(loader) == expected == len(batches)
    assert all(b[0].shape[0] == batch_size for b in batches) or not drop_last
    seen = sum(b[0].shape[0] for b in batches)
    assert seen == (n // batch_size * batch_size if drop_last else n)


def test_loader_default_batch_size_is_one():
    batches = list(DataLoader(TensorDataset(*_xy(3))))
    assert len(batches) == 3 and batches[2][0].shape == (1, 3)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, None])
def test_loader_rejects_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(TensorDataset(*_xy()), batch_size=bad)


def test_loader_rejects_non_datasets_and_bad_collate_fn():
    with pytest.raises(TypeError, match="map-style Dataset"):
        DataLoader(iter(range(5)))
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(TensorDataset(*_xy()), collate_fn=3)


def test_loader_over_plain_array_and_tensor():
    x, _ = _xy(5)
    for data in (x, cr.tensor(x)):
        batches = list(DataLoader(data, batch_size=2))
        assert [b.shape for b in batches] == [(2, 3), (2, 3), (1, 3)]
        np.testing.assert_array_equal(np.concatenate([b.numpy() for b in batches]), x)


# --------------------------------------------------------------------------- shuffling
def test_shuffle_with_seed_is_reproducible_and_differs_per_epoch():
    ds = TensorDataset(*_xy(20))
    a = DataLoader(ds, batch_size=6, shuffle=True, seed=7)
    b = DataLoader(ds, batch_size=6, shuffle=True, seed=7)
    epochs_a = [_labels(a) for _ in range(3)]
    epochs_b = [_labels(b) for _ in range(3)]
    assert epochs_a == epochs_b                       # same seed, same orders, epoch by epoch
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]  # yet every epoch is a new order
    for epoch in epochs_a:
        assert sorted(sum(epoch, [])) == list(range(20))  # each sample exactly once
    assert sum(epochs_a[0], []) != list(range(20))
    c = DataLoader(ds, batch_size=6, shuffle=True, seed=8)
    assert _labels(c) != epochs_a[0]


def test_seeded_loader_ignores_the_global_generator():
    ds = TensorDataset(*_xy(20))
    cr.manual_seed(1)
    first = _labels(DataLoader(ds, batch_size=5, shuffle=True, seed=3))
    cr.manual_seed(2)
    assert _labels(DataLoader(ds, batch_size=5, shuffle=True, seed=3)) == first


def test_shuffle_follows_manual_seed():
    ds = TensorDataset(*_xy(30))
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    cr.manual_seed(123)
    run1 = [_labels(loader), _labels(loader)]
    cr.manual_seed(123)
    run2 = [_labels(loader), _labels(loader)]
    assert run1 == run2 and run1[0] != run1[1]
    cr.manual_seed(124)
    assert _labels(loader) != run1[0]


def test_shuffle_with_a_numpy_generator_and_not_both():
    ds = TensorDataset(*_xy(12))
    a = _labels(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(5)))
    b = _labels(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(5)))
    assert a == b
    with pytest.raises(ValueError, match="either seed or generator"):
        DataLoader(ds, shuffle=True, seed=1, generator=np.random.default_rng(1))


def test_no_shuffle_is_in_order_every_epoch():
    loader = DataLoader(TensorDataset(*_xy(7)), batch_size=3)
    assert _labels(loader) == _labels(loader) == [[0, 1, 2], [3, 4, 5], [6]]


# --------------------------------------------------------------------------- fast path
class NoItems(TensorDataset):
    def __getitem__(self, index):
        raise AssertionError("the loader must not fetch an array-backed data set sample by sample")


def test_array_backed_batches_are_gathered_in_one_step():
    x, y = _xy(9)
    batches = list(DataLoader(NoItems(x, y), batch_size=4, shuffle=True, seed=0))
    got = np.concatenate([b[1].numpy() for b in batches])
    assert sorted(got.tolist()) == list(range(9))
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x[got])


def test_get_batch_protocol_is_called_once_per_batch():
    class Counting(Dataset):
        calls = []

        def __len__(self):
            return 10

        def get_batch(self, indices):
            self.calls.append(np.asarray(indices).copy())
            return cr.tensor(np.asarray(indices) * 2)

    batches = list(DataLoader(Counting(), batch_size=4))
    assert len(Counting.calls) == 3
    assert [b.numpy().tolist() for b in batches] == [[0, 2, 4, 6], [8, 10, 12, 14], [16, 18]]


def test_subset_of_tensor_dataset_uses_the_fast_path():
    x, y = _xy(10)
    sub = Subset(NoItems(x, y), [9, 2, 4, 7, 0])
    batches = list(DataLoader(sub, batch_size=2))
    assert [b[1].numpy().tolist() for b in batches] == [[9, 2], [4, 7], [0]]


def test_custom_collate_fn_receives_the_list_of_samples():
    received = []

    def collate(samples):
        received.append(samples)
        return len(samples)

    out = list(DataLoader(TensorDataset(*_xy(5)), batch_size=2, collate_fn=collate))
    assert out == [2, 2, 1]
    assert isinstance(received[0], list) and isinstance(received[0][0], tuple)
    assert received[0][1][1].item() == 1


# --------------------------------------------------------------------------- collation
def test_generic_dataset_tuples_become_lists_of_stacked_tensors():
    ds = Samples(5, lambda i: (np.full((2, 2), i, dtype=np.float32), i, float(i) / 2, bool(i % 2)))
    batches = list(DataLoader(ds, batch_size=2))
    xb, ib, fb, bb = batches[0]
    assert isinstance(batches[0], list)
    assert xb.shape == (2, 2, 2) and xb.dtype == np.float32
    assert ib.dtype == np.int64 and ib.numpy().tolist() == [0, 1]
    assert fb.dtype == np.float32 and fb.numpy().tolist() == [0.0, 0.5]
    assert bb.dtype == np.bool_ and bb.numpy().tolist() == [False, True]
    assert batches[2][0].shape == (1, 2, 2)


def test_collate_dicts_namedtuples_strings_and_numpy_scalars():
    Pair = collections.namedtuple("Pair", "image label")
    samples = [{"pair": Pair(cr.ones(3) * i, np.int32(i)), "name": f"s{i}", "w": np.float64(i)}
               for i in range(3)]
    batch = default_collate(samples)
    assert set(batch) == {"pair", "name", "w"}
    assert isinstance(batch["pair"], Pair)
    assert batch["pair"].image.shape == (3, 3)
    assert batch["pair"].label.dtype == np.int32 and batch["pair"].label.numpy().tolist() == [0, 1, 2]
    assert batch["name"] == ["s0", "s1", "s2"]
    assert batch["w"].dtype == np.float64  # NumPy scalars keep their dtype


def test_collate_nested_lists():
    batch = default_collate([[1, [2.0, 3]], [4, [5.0, 6]]])
    assert batch[0].numpy().tolist() == [1, 4]
    assert batch[1][0].numpy().tolist() == [2.0, 5.0] and batch[1][1].numpy().tolist() == [3, 6]


def test_collate_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match=re.escape("cannot stack samples of shapes (2,) and (3,)")):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="sequences of different lengths"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="cannot batch samples of type NoneType"):
        default_collate([None, None])
    with pytest.raises(ValueError, match="empty"):
        default_collate([])


# --------------------------------------------------------------------------- Subset and random_split
def test_subset_indexing_and_errors():
    ds = TensorDataset(*_xy(10))
    sub = Subset(ds, [3, 1, -1])
    assert len(sub) == 3
    assert [sub[i][1].item() for i in range(3)] == [3, 1, 9]
    with pytest.raises(IndexError, match="index 10 is out of range for a data set of 10 samples"):
        Subset(ds, [0, 10])
    with pytest.raises(TypeError, match="1-d sequence of integers"):
        Subset(ds, [0.5])


def test_random_split_counts_are_disjoint_and_cover():
    ds = TensorDataset(*_xy(10))
    parts = random_split(ds, [6, 3, 1], seed=0)
    assert [len(p) for p in parts] == [6, 3, 1]
    assert all(isinstance(p, Subset) and p.dataset is ds for p in parts)
    taken = np.concatenate([p.indices for p in parts])
    assert sorted(taken.tolist()) == list(range(10)) and taken.tolist() != list(range(10))


def test_random_split_fractions_distribute_the_remainder_like_pytorch():
    parts = random_split(TensorDataset(*_xy(10)), [0.33, 0.33, 0.34], seed=0)
    assert [len(p) for p in parts] == [4, 3, 3]
    parts = random_split(TensorDataset(*_xy(11)), [0.5, 0.5], seed=0)
    assert [len(p) for p in parts] == [6, 5]


def test_random_split_reproducibility():
    ds = TensorDataset(*_xy(50))
    first = [p.indices.tolist() for p in random_split(ds, [0.8, 0.2], seed=4)]
    assert first == [p.indices.tolist() for p in random_split(ds, [0.8, 0.2], seed=4)]
    assert first != [p.indices.tolist() for p in random_split(ds, [0.8, 0.2], seed=5)]
    assert first == [p.indices.tolist() for p in
                     random_split(ds, [0.8, 0.2], generator=np.random.default_rng(4))]
    cr.manual_seed(9)
    a = [p.indices.tolist() for p in random_split(ds, [25, 25])]
    cr.manual_seed(9)
    assert a == [p.indices.tolist() for p in random_split(ds, [25, 25])]


def test_random_split_errors():
    ds = TensorDataset(*_xy(10))
    with pytest.raises(ValueError, match=re.escape("the lengths [6, 3] sum to 9, but the data set has 10")):
        random_split(ds, [6, 3])
    with pytest.raises(ValueError, match="sum to 0.9, not 1"):
        random_split(ds, [0.5, 0.4])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ds, [12, -2])
    with pytest.raises(ValueError, match="either seed or generator"):
        random_split(ds, [5, 5], seed=1, generator=np.random.default_rng(1))


def test_split_then_load():
    x, y = _xy(20)
    train, val = random_split(TensorDataset(x, y), [0.75, 0.25], seed=1)
    seen = [b[1].numpy() for b in DataLoader(train, batch_size=4, shuffle=True, seed=0)]
    seen += [b[1].numpy() for b in DataLoader(val, batch_size=4)]
    assert sorted(np.concatenate(seen).tolist()) == list(range(20))


# --------------------------------------------------------------------------- layering
def test_data_and_datasets_do_not_import_nn_or_optim():
    root = pathlib.Path(cr.__file__).parent
    for folder in ("data", "datasets"):
        for source in (root / folder).glob("*.py"):
            text = source.read_text()
            assert not re.search(r"chainrule(\.| import )(nn|optim|train)\b", text), source
