"""Indexing, gathering and shape functions: the results without a gradient (nonzero, argwhere,
tril_indices, triu_indices, repeat_interleave of counts), gradients the registry cannot compare
with PyTorch, and the errors for bad input.  Differentiable values and gradients are checked
against PyTorch in op_registry.py."""
import numpy as np
import pytest

import chainrule as cr

NONZERO_INPUTS = [
    np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]),
    np.array([0, 3, 0, 0, 7]),
    np.array([[True, False], [True, True]]),
    np.zeros((2, 3)),
    np.zeros((0, 3)),
    np.array(4.0),
    np.array(0.0),
]


# --------------------------------------------------------------------------- results without a gradient
@pytest.mark.parametrize("array", NONZERO_INPUTS, ids=[str(a.shape) + a.dtype.name for a in NONZERO_INPUTS])
def test_nonzero_and_argwhere_match_numpy(array):
    x = cr.tensor(array)
    for result in (cr.nonzero(x), x.nonzero(), cr.argwhere(x), x.argwhere()):
        assert result.dtype == np.int64 and not result.requires_grad
        np.testing.assert_array_equal(result.data, np.argwhere(array))
    as_tuple = cr.nonzero(x, as_tuple=True)
    expected = np.nonzero(array.reshape(array.shape or (1,)))
    assert len(as_tuple) == len(expected)
    for got, want in zip(as_tuple, expected):
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got.data, want)


@pytest.mark.parametrize("array", NONZERO_INPUTS, ids=[str(a.shape) + a.dtype.name for a in NONZERO_INPUTS])
def test_nonzero_matches_torch(array):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for nonzero's shapes")
    x, t = cr.tensor(array), torch.from_numpy(array)
    np.testing.assert_array_equal(cr.nonzero(x).data, torch.nonzero(t).numpy())
    assert cr.nonzero(x).shape == tuple(torch.nonzero(t).shape)
    ours, theirs = cr.nonzero(x, as_tuple=True), torch.nonzero(t, as_tuple=True)
    assert [o.tolist() for o in ours] == [o.tolist() for o in theirs]
    np.testing.assert_array_equal(cr.argwhere(x).data, torch.argwhere(t).numpy())


def test_nonzero_of_a_tensor_that_requires_grad_has_no_graph():
    x = cr.tensor([0.0, 2.0, 3.0], requires_grad=True)
    assert cr.nonzero(x).tolist() == [[1], [2]]
    assert cr.nonzero(x).grad_fn is None


TRIANGLES = [(3, 3, 0), (3, 4, 1), (4, 3, -1), (3, 2, -5), (2, 5, 7), (0, 0, 0), (1, 4, 0), (5, 1, 2)]


@pytest.mark.parametrize("row, col, offset", TRIANGLES)
def test_tril_and_triu_indices_match_torch(row, col, offset):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for the order of the indices")
    for ours, theirs in ((cr.tril_indices, torch.tril_indices), (cr.triu_indices, torch.triu_indices)):
        got, want = ours(row, col, offset), theirs(row, col, offset)
        assert got.dtype == np.int64 and got.shape == tuple(want.shape)
        np.testing.assert_array_equal(got.data, want.numpy())


def test_tril_indices_pick_the_lower_triangle_and_take_a_dtype():
    rows, cols = cr.tril_indices(3, 4, dtype=cr.int32).data
    assert rows.dtype == np.int32
    picked = np.zeros((3, 4), bool)
    picked[rows, cols] = True
    np.testing.assert_array_equal(picked, np.tril(np.ones((3, 4), bool)))
    with pytest.raises(ValueError, match="tril_indices: row and col must be non-negative"):
        cr.tril_indices(-1, 3)


def test_repeat_interleave_of_counts_gives_indices():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for repeat_interleave")
    counts = np.array([2, 0, 3, 1])
    got = cr.repeat_interleave(cr.tensor(counts))
    np.testing.assert_array_equal(got.data, torch.repeat_interleave(torch.from_numpy(counts)).numpy())
    assert got.dtype == np.int64 and got.tolist() == [0, 0, 2, 2, 2, 3]


# --------------------------------------------------------------------------- gradients
def test_gather_gradient_adds_up_over_repeated_indices():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    cr.gather(x, 0, cr.tensor([0, 0, 2, 0])).sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_scatter_add_adds_repeated_indices_and_index_add_scales_by_alpha():
    x = cr.zeros(3)
    src = cr.tensor([1.0, 2.0, 4.0, 8.0], requires_grad=True)
    out = cr.scatter_add(x, 0, cr.tensor([2, 0, 2, 2]), src)
    assert out.tolist() == [2.0, 0.0, 13.0]
    (out * cr.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert src.grad.tolist() == [100.0, 1.0, 100.0, 100.0]
    assert cr.index_add(x, 0, cr.tensor([1, 1]), cr.tensor([1.0, 2.0]), alpha=2).tolist() == [0.0, 6.0, 0.0]


@pytest.mark.parametrize("name", ["scatter", "scatter_add"])
def test_scatter_from_a_source_larger_than_index(name):
    """Only src's leading block (index's shape) is used; the rest gets a zero gradient.
    (PyTorch computes the values but its backward refuses such a src, so no registry case.)"""
    index = cr.tensor([[0, 2], [1, 0]])
    fn = getattr(cr, name)
    x = cr.tensor(np.arange(12.0).reshape(3, 4), dtype=cr.float64, requires_grad=True)
    src = cr.tensor(np.arange(100.0, 115.0).reshape(3, 5), dtype=cr.float64, requires_grad=True)
    assert cr.gradcheck(lambda a, b: fn(a, 0, index, b), (x, src))
    out = fn(x, 0, index, src)
    expected = np.arange(12.0).reshape(3, 4)
    cols = np.array([[0, 1], [0, 1]])
    if name == "scatter":
        expected[index.data, cols] = src.data[:2, :2]
    else:
        np.add.at(expected, (index.data, cols), src.data[:2, :2])
    np.testing.assert_array_equal(out.data, expected)
    out.sum().backward()
    grad = np.zeros((3, 5))
    grad[:2, :2] = 1.0
    np.testing.assert_array_equal(src.grad.data, grad)


def test_masked_fill_passes_no_gradient_where_filled_and_sums_it_into_a_tensor_value():
    x = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    value = cr.tensor(9.0, requires_grad=True)
    out = cr.masked_fill(x, cr.tensor([True, False]), value)
    assert out.tolist() == [[9.0, 2.0], [9.0, 4.0]]
    out.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert value.grad.item() == 2.0


def test_integer_results_keep_the_input_dtype():
    x = cr.tensor([[1, 2, 3], [4, 5, 6]], dtype=cr.int32)
    assert cr.masked_fill(x, x > 3, 1.7).tolist() == [[1, 2, 3], [1, 1, 1]]  # the value is cast, as in torch
    assert cr.masked_fill(x, x > 3, 1.7).dtype == np.int32
    assert cr.gather(x, 1, cr.tensor([[2], [0]])).dtype == np.int32
    assert cr.tril(x).tolist() == [[1, 0, 0], [4, 5, 0]]
    assert cr.tril(cr.tensor([[True, True], [True, True]])).tolist() == [[True, False], [True, True]]


def test_contiguous_and_t_of_a_vector_return_the_tensor_itself():
    x = cr.tensor([1.0, 2.0])
    assert x.contiguous() is x and x.t() is x and cr.t(x) is x


# --------------------------------------------------------------------------- errors
X = cr.arange(6.0).reshape(2, 3)
OUT_OF_RANGE = [
    (lambda: cr.gather(X, 1, cr.tensor([[0, 3]])), "gather: index 3 is out of range for dim 1 of size 3"),
    (lambda: cr.gather(X, 0, cr.tensor([[-1]])), "gather: index -1 is out of range for dim 0 of size 2"),
    (lambda: cr.scatter(X, 1, cr.tensor([[5]]), 1.0), "scatter: index 5 is out of range for dim 1 of size 3"),
    (lambda: cr.scatter_add(X, 0, cr.tensor([[2]]), X), "scatter_add: index 2 is out of range for dim 0"),
    (lambda: cr.index_select(X, 1, cr.tensor([0, 3])), "index_select: index 3 is out of range for dim 1"),
    (lambda: cr.index_select(X, 1, cr.tensor([-1])), "index_select: index -1 is out of range for dim 1"),
    (lambda: cr.index_add(X, 0, cr.tensor([2]), cr.ones(1, 3)), "index_add: index 2 is out of range for dim 0"),
    (lambda: cr.index_fill(X, 1, cr.tensor([-4]), 0.0), "index_fill: index -4 is out of range for dim 1"),
    (lambda: cr.take(X, cr.tensor([6])), "take: index 6 is out of range for dim 0 of size 6"),
    (lambda: cr.take_along_dim(X, cr.tensor([[3]]), 1), "take_along_dim: index 3 is out of range for dim 1"),
    (lambda: cr.take_along_dim(X, cr.tensor([-1])), "take_along_dim: index -1 is out of range for dim 0"),
    (lambda: cr.select(X, 0, 2), "select: index 2 is out of range for dim 0 of size 2"),
    (lambda: X.select(-1, -4), "select: index -4 is out of range for dim 1 of size 3"),
    (lambda: cr.narrow(X, 1, 4, 0), "narrow: start 4 is out of range for dim 1 of size 3"),
]


@pytest.mark.parametrize("call, message", OUT_OF_RANGE, ids=[m.split(":")[0] + str(i) for i, (_, m) in
                                                                enumerate(OUT_OF_RANGE)])
def test_an_index_out_of_range_names_the_function_the_dim_and_the_index(call, message):
    with pytest.raises(IndexError, match=message):
        call()


BAD_INPUT = [
    (lambda: cr.gather(X, 1, cr.tensor([0, 1])), ValueError, r"gather: index has shape \(2,\) but input"),
    (lambda: cr.gather(X, 1, cr.tensor([[0], [1], [1]])), ValueError, "larger than input of shape .* in dim 0"),
    (lambda: cr.gather(X, 1, cr.tensor([[0.0]])), TypeError, "gather: index must hold integers"),
    (lambda: cr.scatter(X, 1, cr.tensor([[0, 1]]), cr.ones(1, 1)), ValueError, "larger than src"),
    (lambda: cr.scatter(X, 1, cr.tensor([[0]]), cr.ones(1, 1, dtype=cr.float64)), TypeError,
     "scatter: src has dtype float64 but input has dtype float32"),
    (lambda: cr.scatter(X, 1, cr.tensor([[0]])), TypeError, "scatter: give either src"),
    (lambda: cr.index_select(X, 0, cr.tensor([[0]])), IndexError, "index_select: index must be 0-d or 1-d"),
    (lambda: cr.index_add(X, 0, cr.tensor([0]), cr.ones(2, 3)), ValueError,
     r"index_add: source has shape \(2, 3\); .* it must be \(1, 3\)"),
    (lambda: cr.masked_fill(X, cr.tensor([1, 0, 1]), 0.0), TypeError, "masked_fill: mask must be a boolean"),
    (lambda: cr.masked_fill(X, cr.tensor([True, False]), 0.0), ValueError,
     r"masked_fill: shapes \(2, 3\), \(2,\) cannot be broadcast"),
    (lambda: cr.masked_fill(X, X > 1, cr.tensor([1.0])), ValueError, "masked_fill: value must be a number or a 0-d"),
    (lambda: cr.masked_select(X, cr.ones(2, 3)), TypeError, "masked_select: mask must be a boolean"),
    (lambda: cr.take_along_dim(X, cr.tensor([0]), 1), ValueError, "take_along_dim: indices of shape"),
    (lambda: cr.narrow(X, 1, 2, 2), ValueError, "narrow: start 2 and length 2 run past the end of dim 1"),
    (lambda: cr.unbind(cr.tensor(1.0)), ValueError, "unbind: a 0-d tensor"),
    (lambda: cr.movedim(X, (0, 1), 0), ValueError, "movedim: source .* name different numbers of dims"),
    (lambda: cr.movedim(X, (0, 0), (1, 0)), ValueError, "movedim: .* names the same dim twice"),
    (lambda: cr.roll(X, (1, 2), 0), ValueError, r"roll: 2 shifts \(1, 2\) for 1 dims"),
    (lambda: cr.roll(X, (1, 2)), ValueError, "roll: 2 shifts"),
    (lambda: cr.rot90(X, 1, (1, 1)), ValueError, "rot90: .* names the same dim twice"),
    (lambda: cr.rot90(cr.ones(3), 1), ValueError, r"rot90: needs a tensor with at least 2 dims, got shape \(3,\)"),
    (lambda: cr.tril(cr.ones(3)), ValueError, r"tril: needs matrices \(at least 2 dims\), got shape \(3,\)"),
    (lambda: cr.diag(cr.ones(2, 2, 2)), ValueError, "diag: expected a 1-D or 2-D tensor"),
    (lambda: cr.diagonal(X, 0, 1, -1), ValueError, "diagonal: dim1 and dim2 both name dim 1"),
    (lambda: cr.diag_embed(cr.tensor(1.0)), ValueError, "diag_embed: needs at least 1 dim"),
    (lambda: cr.trace(cr.ones(3)), ValueError, r"trace: expected a matrix \(2 dims\), got shape \(3,\)"),
    (lambda: cr.repeat_interleave(X, cr.tensor([1, 2]), 1), ValueError,
     "repeat_interleave: 2 repeat counts for a dim of size 3"),
    (lambda: cr.repeat_interleave(X, -1), ValueError, "repeat_interleave: repeat counts must be non-negative"),
    (lambda: cr.repeat_interleave(X, 2, output_size=5), ValueError, "repeat_interleave: output_size 5"),
    (lambda: cr.repeat_interleave(X, 1.5), TypeError, "repeat_interleave: repeats must be an int"),
    (lambda: cr.meshgrid(X, X), ValueError, r"meshgrid: tensor 0 has shape \(2, 3\)"),
    (lambda: cr.meshgrid(cr.ones(2), cr.ones(2), indexing="yx"), ValueError, "meshgrid: indexing must be"),
    (lambda: cr.unflatten(X, 1, (2, 2)), ValueError, r"unflatten: sizes \(2, 2\) do not multiply to 3"),
    (lambda: cr.t(cr.ones(2, 2, 2)), ValueError, "t: expects a tensor with at most 2 dims"),
]


@pytest.mark.parametrize("call, error, message", BAD_INPUT,
                         ids=[m.split(":")[0] + str(i) for i, (_, _e, m) in enumerate(BAD_INPUT)])
def test_bad_input_names_the_function_and_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_0d_inputs_as_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for 0-d inputs")
    x, t = cr.tensor(3.0), torch.tensor(3.0)
    assert cr.movedim(x, 0, 0).tolist() == torch.movedim(t, 0, 0).tolist()
    assert cr.index_select(x, 0, cr.tensor([0])).shape == tuple(torch.index_select(t, 0, torch.tensor([0])).shape)
    with pytest.raises(IndexError, match="index_select: a 0-d input takes one index, got 2"):
        cr.index_select(x, 0, cr.tensor([0, 0]))
