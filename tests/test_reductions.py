"""Reductions, scans and sorting without a gradient (indices, counts, histograms), tie and NaN
conventions, and the errors they raise; the differentiable ones are in tests/op_registry.py."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is the reference for indices, counts and ties")

RNG = np.random.default_rng(0)
TIES = np.array([[3.0, 1.0, 3.0, 2.0, 3.0, 1.0, 3.0], [0.0, 0.0, 5.0, -1.0, 5.0, 2.0, 0.0]])


def same(ours, theirs):
    """The same dtype, shape and values as the torch tensor ``theirs``, and no gradient."""
    theirs = theirs.numpy()
    assert ours.dtype == theirs.dtype, f"dtype {ours.dtype}, torch gives {theirs.dtype}"
    assert ours.shape == theirs.shape, f"shape {ours.shape}, torch gives {theirs.shape}"
    if theirs.dtype.kind == "f":   # (weights summed in float64 here, in float32 there)
        np.testing.assert_allclose(ours.data, theirs, rtol=1e-6)
    else:
        np.testing.assert_array_equal(ours.data, theirs)
    assert not ours.requires_grad


@pytest.mark.parametrize("kw", [dict(), dict(dim=0), dict(descending=True), dict(dim=1, descending=True)])
def test_argsort_matches_stable_torch_sort_with_ties(kw):
    x = np.round(RNG.standard_normal((4, 30)))             # many ties
    same(cr.argsort(cr.tensor(x), **kw), torch.argsort(torch.tensor(x), stable=True, **kw))
    same(cr.tensor(x).argsort(**kw), torch.sort(torch.tensor(x), stable=True, **kw).indices)


def test_argsort_puts_nan_last_ascending_and_first_descending():
    x = np.array([2.0, np.nan, -1.0, np.nan, 0.5])
    for descending in (False, True):
        same(cr.argsort(cr.tensor(x), descending=descending),
             torch.argsort(torch.tensor(x), descending=descending, stable=True))


@pytest.mark.parametrize("kw", [dict(), dict(return_inverse=True), dict(return_counts=True),
                                dict(return_inverse=True, return_counts=True),
                                dict(dim=0, return_inverse=True, return_counts=True),
                                dict(dim=1, return_counts=True)])
def test_unique_matches_torch(kw):
    x = np.array([[1, 2, 1], [1, 2, 1], [0, 5, 0], [1, 2, 1]])
    ours, theirs = cr.unique(cr.tensor(x), **kw), torch.unique(torch.tensor(x), **kw)
    for a, b in zip(ours if isinstance(ours, tuple) else (ours,), theirs if isinstance(theirs, tuple) else (theirs,)):
        same(a, b)
    floats = cr.tensor([3.0, 1.0, 3.0], requires_grad=True)
    same(floats.unique(), torch.unique(torch.tensor([3.0, 1.0, 3.0])))


@pytest.mark.parametrize("kw", [dict(), dict(return_inverse=True, return_counts=True),
                                dict(dim=0, return_inverse=True, return_counts=True), dict(dim=1)])
def test_unique_consecutive_matches_torch(kw):
    x = np.array([[1, 2, 2], [1, 2, 2], [0, 5, 5], [1, 2, 2]])
    ours = cr.unique_consecutive(cr.tensor(x), **kw)
    theirs = torch.unique_consecutive(torch.tensor(x), **kw)
    for a, b in zip(ours if isinstance(ours, tuple) else (ours,), theirs if isinstance(theirs, tuple) else (theirs,)):
        same(a, b)
    same(cr.tensor(x[0]).unique_consecutive(), torch.tensor(x[0]).unique_consecutive())


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
def test_count_nonzero_matches_torch(dim):
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0]])
    same(cr.count_nonzero(cr.tensor(x), dim), torch.count_nonzero(torch.tensor(x), dim))
    same(cr.tensor(x).count_nonzero(dim), torch.tensor(x).count_nonzero(dim))


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_and_bucketize_match_torch(right):
    edges = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
    values = np.array([[0.0, 1.0, 3.0], [4.0, 7.0, 9.0]])
    same(cr.searchsorted(cr.tensor(edges), cr.tensor(values), right=right),
         torch.searchsorted(torch.tensor(edges), torch.tensor(values), right=right))
    same(cr.bucketize(cr.tensor(values), cr.tensor(edges), right=right),
         torch.bucketize(torch.tensor(values), torch.tensor(edges), right=right))
    rows = np.sort(RNG.standard_normal((2, 3, 6)), axis=-1)      # one sorted row per row of input
    queries = RNG.standard_normal((2, 3, 4))
    same(cr.searchsorted(cr.tensor(rows), cr.tensor(queries), side="right" if right else "left"),
         torch.searchsorted(torch.tensor(rows), torch.tensor(queries), right=right))
    same(cr.searchsorted(cr.tensor(edges), 3.0, right=right, out_int32=True),
         torch.searchsorted(torch.tensor(edges), 3.0, right=right, out_int32=True))


def test_searchsorted_with_a_sorter():
    seq = np.array([5.0, 1.0, 3.0, 7.0])
    sorter = np.argsort(seq)
    same(cr.searchsorted(cr.tensor(seq), cr.tensor([2.0, 6.0]), sorter=cr.tensor(sorter)),
         torch.searchsorted(torch.tensor(seq), torch.tensor([2.0, 6.0]), sorter=torch.tensor(sorter)))


@pytest.mark.parametrize("weights", [None, np.float32, np.float64])
def test_bincount_matches_torch(weights):
    x = np.array([0, 4, 2, 2, 4, 4])
    w = None if weights is None else RNG.standard_normal(6).astype(weights)
    for minlength in (0, 8):
        same(cr.bincount(cr.tensor(x), None if w is None else cr.tensor(w), minlength),
             torch.bincount(torch.tensor(x), None if w is None else torch.tensor(w), minlength))
    same(cr.tensor(x).bincount(), torch.tensor(x).bincount())


@pytest.mark.parametrize("kw", [dict(), dict(bins=7), dict(bins=5, min=-1, max=1), dict(bins=4, min=0, max=0.5)])
def test_histc_matches_torch(kw):
    x = RNG.standard_normal(200).astype(np.float32)
    same(cr.histc(cr.tensor(x), **kw), torch.histc(torch.tensor(x), **kw))
    same(cr.tensor(x).histc(**kw), torch.tensor(x).histc(**kw))
    same(cr.histc(cr.tensor([2.0, 2.0]), bins=4), torch.histc(torch.tensor([2.0, 2.0]), bins=4))


def test_ties_pick_an_equal_element_and_send_the_gradient_there():
    """Where PyTorch leaves the index among ties open, ours holds a value equal to the result,
    and the gradient reaches that element only."""
    for fn in (lambda t: cr.kthvalue(t, 4), lambda t: cr.median(t, 1), lambda t: cr.topk(t, 2),
               lambda t: cr.nanmedian(t, 1)):
        x = cr.tensor(TIES, requires_grad=True)
        values, indices = fn(x)
        np.testing.assert_array_equal(np.take_along_axis(TIES, indices.data.reshape(2, -1), 1),
                                      values.data.reshape(2, -1))
        values.sum().backward()
        expected = np.zeros_like(TIES)
        np.put_along_axis(expected, indices.data.reshape(2, -1), 1.0, 1)
        np.testing.assert_array_equal(x.grad.data, expected)
    theirs = torch.kthvalue(torch.tensor(TIES), 4)
    np.testing.assert_array_equal(cr.kthvalue(cr.tensor(TIES), 4).values.data, theirs.values.numpy())


def test_nanmedian_of_an_all_nan_row_is_nan():
    values, _ = cr.nanmedian(cr.tensor([[np.nan, np.nan], [1.0, np.nan]]), 1)
    np.testing.assert_array_equal(values.data, [np.nan, 1.0])


def test_logcumsumexp_is_stable_for_large_values():
    x = np.array([[1000.0, 999.0, -5.0], [-1e3, -1e3, 2.0]])
    w = RNG.standard_normal(x.shape)
    ours = cr.tensor(x, requires_grad=True)
    (cr.logcumsumexp(ours, 1) * cr.tensor(w)).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    (torch.logcumsumexp(theirs, 1) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(cr.logcumsumexp(cr.tensor(x), 1).data, torch.logcumsumexp(torch.tensor(x), 1).numpy())
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10)
    single = cr.tensor(x.astype(np.float32), requires_grad=True)       # float32: as exact as float32 holds
    (cr.logcumsumexp(single, 1) * cr.tensor(w.astype(np.float32))).sum().backward()
    np.testing.assert_allclose(single.grad.data, theirs.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("call, message", [
    (lambda: cr.topk(cr.ones(2, 3), 4), r"topk: k=4 is out of range for dim -1 of size 3 \(tensor shape \(2, 3\)\)"),
    (lambda: cr.kthvalue(cr.ones(2, 3), 0, dim=0), r"kthvalue: k=0 is out of range for dim 0 of size 2"),
    (lambda: cr.quantile(cr.ones(3), 1.5), r"quantile: q values must lie in \[0, 1\], got 1.5"),
    (lambda: cr.quantile(cr.ones(3), 0.5, interpolation="cubic"), r"quantile: interpolation must be one of"),
    (lambda: cr.quantile(cr.ones(3, 0), 0.5, dim=1), r"quantile: cannot take quantiles over an empty dim"),
    (lambda: cr.quantile(cr.ones(3), cr.ones(2, 2) / 2), r"quantile: q must be a number or a 1-D tensor"),
    (lambda: cr.median(cr.ones(0, 3), 0), r"median: cannot reduce over an empty dim \(tensor shape \(0, 3\)\)"),
    (lambda: cr.diff(cr.ones(2, 3), prepend=cr.ones(3, 1)), r"diff: prepend/append of shape \(3, 1\) must match"),
    (lambda: cr.diff(cr.tensor(1.0)), r"diff: expects a tensor with at least one dim"),
    (lambda: cr.norm(cr.ones(3), "nuc"), r"norm: p must be 'fro' or a number, got 'nuc'"),
    (lambda: cr.searchsorted(cr.ones(2, 3), cr.ones(3, 2)),
     r"searchsorted: a sorted_sequence of shape \(2, 3\) needs input with the same leading dims"),
    (lambda: cr.bucketize(cr.ones(3), cr.ones(2, 2)), r"bucketize: boundaries must be 1-D, got shape \(2, 2\)"),
    (lambda: cr.bincount(cr.tensor([1, -2])), r"bincount: input must be non-negative, got -2"),
    (lambda: cr.bincount(cr.ones(3)), r"bincount: input must be a 1-D tensor of integers"),
    (lambda: cr.bincount(cr.tensor([1, 2]), cr.ones(3)), r"bincount: weights of shape \(3,\) must have"),
    (lambda: cr.histc(cr.ones(3), min=2, max=1), r"histc: max \(1\) must not be less than min \(2\)"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, error, message", [
    (lambda: cr.cumsum(cr.ones(2, 3), 2), IndexError, r"cumsum: dim 2 is out of range"),
    (lambda: cr.sort(cr.ones(2, 3), dim=-3), IndexError, r"sort: dim -3 is out of range"),
    (lambda: cr.quantile(cr.tensor([1, 2]), 0.5), TypeError, r"quantile: input must be a floating-point"),
    (lambda: cr.histc(cr.tensor([1, 2])), TypeError, r"histc: input must be a floating-point"),
    (lambda: cr.aminmax(cr.ones(2, 3), dim=(0, 1)), TypeError, r"aminmax: dim must be one int or None"),
])
def test_bad_dims_and_dtypes_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_mode_with_nans_points_at_its_value():
    # an all-NaN row's mode is NaN; every index must name an element equal to the value
    x = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, 1.0], [np.nan, 2.0, np.nan]], np.float32)
    values, indices = cr.mode(cr.tensor(x), 1)
    picked = np.take_along_axis(x, indices.numpy()[:, None], axis=1)[:, 0]
    np.testing.assert_array_equal(picked, values.numpy())   # NaN == NaN for assert_array_equal
    assert np.isnan(values.numpy()[0]) and values.numpy()[1] == 1.0
