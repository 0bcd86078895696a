"""Bad inputs give clear errors that name the operation and the values at fault, raised by
chainrule itself (not a bare NumPy error from deep inside an op)."""
import os
import traceback

import numpy as np
import pytest

import chainrule as cr

NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__))


def clean_error(kind, fn):
    """Call ``fn``, expect ``kind``, check it is chainrule's own error, return its message."""
    with pytest.raises(kind) as info:
        fn()
    error = info.value
    frames = traceback.extract_tb(error.__traceback__)
    assert not os.path.abspath(frames[-1].filename).startswith(NUMPY_DIR), frames[-1]
    # no NumPy error chained in front of ours ("During handling of the above exception...")
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    return str(error)


# --------------------------------------------------------------------------- matmul
def test_matmul_inner_size_mismatch_exact_message():
    a, b = cr.ones(2, 3), cr.ones(4, 5)
    for fn in (lambda: a @ b, lambda: cr.matmul(a, b), lambda: a.matmul(b)):
        message = clean_error(ValueError, fn)
        assert "matmul: (2, 3) @ (4, 5): inner sizes 3 and 4 differ" in message


def test_matmul_vector_mismatch():
    message = clean_error(ValueError, lambda: cr.ones(3) @ cr.ones(4))
    assert "matmul" in message and "(3,)" in message and "(4,)" in message


def test_matmul_batch_mismatch():
    message = clean_error(ValueError, lambda: cr.ones(2, 3, 4) @ cr.ones(5, 4, 2))
    assert "matmul" in message and "(2, 3, 4)" in message and "(5, 4, 2)" in message


def test_matmul_with_scalar_operand():
    message = clean_error(ValueError, lambda: cr.matmul(cr.tensor(2.0), cr.ones(3)))
    assert "matmul" in message


# --------------------------------------------------------------------------- broadcasting
@pytest.mark.parametrize("name, fn", [
    ("add", lambda a, b: a + b),
    ("mul", lambda a, b: a * b),
    ("sub", lambda a, b: a - b),
    ("div", lambda a, b: a / b),
    ("maximum", cr.maximum),
    ("minimum", cr.minimum),
])
def test_broadcast_mismatch_names_op_and_shapes(name, fn):
    a = cr.ones(2, 3, requires_grad=True)
    b = cr.ones(4)
    message = clean_error(ValueError, lambda: fn(a, b))
    assert name in message.lower()
    assert "(2, 3)" in message and "(4,)" in message


def test_broadcast_mismatch_with_numpy_operand():
    message = clean_error(ValueError, lambda: cr.ones(2, 3) + np.ones(4))
    assert "add" in message.lower() and "(2, 3)" in message and "(4,)" in message
    message = clean_error(ValueError, lambda: np.ones(4) * cr.ones(2, 3))
    assert "mul" in message.lower() and "(2, 3)" in message and "(4,)" in message


def test_where_broadcast_mismatch():
    cond = cr.ones(2, 3) > 0
    message = clean_error(ValueError, lambda: cr.where(cond, cr.ones(2, 3), cr.ones(4)))
    assert "where" in message and "(2, 3)" in message and "(4,)" in message
    message = clean_error(ValueError, lambda: cr.where(cr.ones(5) > 0, cr.ones(2, 3), 0.0))
    assert "where" in message and "(5,)" in message and "(2, 3)" in message


def test_comparison_broadcast_mismatch():
    message = clean_error(ValueError, lambda: cr.ones(2, 3) < cr.ones(4))
    assert "lt" in message and "(2, 3)" in message and "(4,)" in message


# --------------------------------------------------------------------------- making tensors
@pytest.mark.parametrize("data", [
    [[1, 2], [3]],
    [[1.0, 2.0], [3.0, 4.0, 5.0]],
    [[[1], [2]], [[3]]],
    [1, [2, 3]],
])
def test_ragged_nested_lists(data):
    message = clean_error(ValueError, lambda: cr.tensor(data))
    assert "tensor" in message and "rectangular" in message


@pytest.mark.parametrize("data, what", [
    (["a", "b"], "list"),
    ("abc", "str"),
    ([object(), object()], "list"),
    (None, "NoneType"),
    ({"a": 1}, "dict"),
    ([[1, 2], [3, "x"]], "list"),
])
def test_non_numeric_data(data, what):
    message = clean_error(TypeError, lambda: cr.tensor(data))
    assert "tensor" in message and what in message
    assert "number" in message


def test_non_numeric_operand():
    message = clean_error(TypeError, lambda: cr.ones(2) + ["a", "b"])
    assert "number" in message


def test_bad_dtype_name():
    message = clean_error(TypeError, lambda: cr.tensor([1.0], dtype="banana"))
    assert "banana" in message


def test_bad_sizes():
    message = clean_error(TypeError, lambda: cr.zeros(2, "three"))
    assert "zeros" in message


# --------------------------------------------------------------------------- indexing
@pytest.mark.parametrize("index, bad, dim, size", [
    (5, 5, 0, 3),
    (-4, -4, 0, 3),
    ((0, 7), 7, 1, 4),
    ((slice(None), -9), -9, 1, 4),
    ([0, 3], 3, 0, 3),
    ((Ellipsis, 4), 4, 1, 4),
])
def test_index_out_of_range_names_index_dim_and_size(index, bad, dim, size):
    x = cr.ones(3, 4, requires_grad=True)
    message = clean_error(IndexError, lambda: x[index])
    assert f"index {bad}" in message
    assert f"dim {dim}" in message
    assert f"size {size}" in message


def test_tensor_index_out_of_range():
    x = cr.ones(3, 4)
    message = clean_error(IndexError, lambda: x[cr.tensor([1, 9])])
    assert "index 9" in message and "dim 0" in message and "size 3" in message


def test_too_many_indices():
    message = clean_error(IndexError, lambda: cr.ones(3, 4)[0, 0, 0])
    assert "(3, 4)" in message


def test_setitem_out_of_range():
    x = cr.ones(3)
    message = clean_error(IndexError, lambda: x.__setitem__(3, 1.0))
    assert "index 3" in message and "dim 0" in message and "size 3" in message


def test_float_index_array():
    message = clean_error(IndexError, lambda: cr.ones(3)[cr.tensor([0.0, 1.0])])
    assert "float" in message


# --------------------------------------------------------------------------- dims
@pytest.mark.parametrize("name, fn, dim", [
    ("sum", lambda x: x.sum(dim=5), 5),
    ("sum", lambda x: cr.sum(x, dim=-3), -3),
    ("mean", lambda x: x.mean(dim=2), 2),
    ("softmax", lambda x: cr.softmax(x, dim=2), 2),
    ("log_softmax", lambda x: x.log_softmax(-3), -3),
    ("unsqueeze", lambda x: x.unsqueeze(4), 4),
    ("unsqueeze", lambda x: x.unsqueeze(-4), -4),
    ("cat", lambda x: cr.cat([x, x], dim=2), 2),
    ("stack", lambda x: cr.stack([x, x], dim=4), 4),
    ("transpose", lambda x: x.transpose(0, 2), 2),
    ("max", lambda x: x.max(dim=3), 3),
])
def test_dim_out_of_range_names_dim(name, fn, dim):
    x = cr.ones(2, 3)
    message = clean_error(IndexError, lambda: fn(x))
    assert message.startswith(name + ":")
    assert f"dim {dim}" in message


# --------------------------------------------------------------------------- reshape
@pytest.mark.parametrize("shape", [(5, 2), (-1, 5), (-1, -1), (13,)])
def test_reshape_incompatible_names_both_shapes(shape):
    x = cr.ones(3, 4)
    message = clean_error(ValueError, lambda: x.reshape(*shape))
    assert "reshape" in message
    assert "(3, 4)" in message
    assert str(tuple(shape)) in message


def test_view_incompatible():
    message = clean_error(ValueError, lambda: cr.ones(6).view(4, 2))
    assert "(6,)" in message and "(4, 2)" in message


# --------------------------------------------------------------------------- cat / stack
def test_cat_mismatched_shapes():
    a, b = cr.ones(2, 3), cr.ones(2, 4)
    message = clean_error(ValueError, lambda: cr.cat([a, b], dim=0))
    assert "cat" in message and "(2, 3)" in message and "(2, 4)" in message
    assert cr.cat([a, b], dim=1).shape == (2, 7)  # the same tensors join fine along dim 1


def test_cat_mismatched_ndim():
    message = clean_error(ValueError, lambda: cr.cat([cr.ones(2, 3), cr.ones(3)]))
    assert "cat" in message and "(2, 3)" in message and "(3,)" in message


def test_stack_mismatched_shapes():
    message = clean_error(ValueError, lambda: cr.stack([cr.ones(2, 3), cr.ones(3, 2)]))
    assert "stack" in message and "(2, 3)" in message and "(3, 2)" in message


def test_cat_empty_list():
    message = clean_error(TypeError, lambda: cr.cat([]))
    assert "cat" in message


# --------------------------------------------------------------------------- other shape ops
def test_expand_incompatible():
    message = clean_error(ValueError, lambda: cr.ones(2, 3).expand(4, 3))
    assert "expand" in message and "(2, 3)" in message and "(4, 3)" in message


def test_permute_not_a_permutation():
    message = clean_error(ValueError, lambda: cr.ones(2, 3).permute(0, 0))
    assert "permute" in message and "(0, 0)" in message


def test_item_of_many_elements():
    message = clean_error(ValueError, lambda: cr.ones(2, 2).item())
    assert "item" in message and "(2, 2)" in message


def test_bool_of_many_elements():
    message = clean_error(RuntimeError, lambda: bool(cr.ones(3)))
    assert "ambiguous" in message


def test_inplace_shape_mismatch():
    x = cr.ones(3)
    message = clean_error(ValueError, lambda: x.__iadd__(cr.ones(2, 3)))
    assert "+=" in message and "(3,)" in message and "(2, 3)" in message


# --------------------------------------------------------------------------- factories
@pytest.mark.parametrize("name, fn, shown", [
    ("zeros", lambda: cr.zeros(-1), "(-1,)"),
    ("ones", lambda: cr.ones(2, -3), "(2, -3)"),
    ("randn", lambda: cr.randn((2, -3)), "(2, -3)"),
    ("rand", lambda: cr.rand(-2), "(-2,)"),
    ("full", lambda: cr.full((2, -1), 1.0), "(2, -1)"),
    ("eye", lambda: cr.eye(-1), "-1"),
    ("linspace", lambda: cr.linspace(0, 1, -2), "-2"),
    ("randperm", lambda: cr.randperm(-1), "-1"),
])
def test_negative_sizes(name, fn, shown):
    message = clean_error(ValueError, fn)
    assert message.startswith(name + ":") and "negative" in message and shown in message


@pytest.mark.parametrize("fn", [lambda: cr.zeros(2.5), lambda: cr.ones(2, 1.5),
                                lambda: cr.ones(4).reshape(2.0, 2)])
def test_non_integer_sizes_are_not_truncated(fn):
    message = clean_error(TypeError, fn)
    assert "integers" in message


def test_arange_zero_step():
    message = clean_error(ValueError, lambda: cr.arange(0, 5, 0))
    assert "arange" in message and "step" in message


def test_randint_empty_range():
    message = clean_error(ValueError, lambda: cr.randint(5, 2, (3,)))
    assert "randint" in message and "5" in message and "2" in message
