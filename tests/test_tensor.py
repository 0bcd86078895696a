"""The Tensor API: creation, attributes, conversions, dtypes and promotion, comparisons."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import Tensor


# --------------------------------------------------------------------------- chainrule.tensor
def test_tensor_from_python_floats_is_float32():
    t = cr.tensor([1.0, 2.0, 3.0])
    assert isinstance(t, Tensor)
    assert t.dtype == np.float32
    assert t.shape == (3,)
    np.testing.assert_array_equal(t.data, [1.0, 2.0, 3.0])
    assert cr.tensor(1.5).dtype == np.float32
    assert cr.tensor([1, 2.5]).dtype == np.float32


def test_tensor_from_ints_and_bools():
    assert cr.tensor([1, 2]).dtype == np.int64
    assert cr.tensor(3).dtype == np.int64
    assert cr.tensor([True, False]).dtype == np.bool_


def test_tensor_float64_on_request():
    t = cr.tensor([0.1, 0.2], dtype=cr.float64)
    assert t.dtype == np.float64
    assert t.data[0] == 0.1  # made in float64 directly, not via float32
    assert cr.tensor([1, 2], dtype="float64").dtype == np.float64
    assert cr.tensor([1, 2], dtype=cr.float32).dtype == np.float32


def test_tensor_from_ndarray_keeps_dtype_and_copies():
    a = np.array([1.0, 2.0])
    t = cr.tensor(a)
    assert t.dtype == np.float64
    a[0] = 9.0
    assert t.data[0] == 1.0
    assert cr.tensor(np.arange(3, dtype=np.int32)).dtype == np.int32


def test_tensor_from_tensor_is_a_fresh_leaf():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = cr.tensor(x)
    assert y.is_leaf and not y.requires_grad
    y.data[0] = 5.0
    assert x.data[0] == 1.0


def test_tensor_requires_grad():
    t = cr.tensor([[1.0, 2.0]], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None


def test_tensor_nested_lists_shape():
    t = cr.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.ndim == 2
    assert cr.tensor(2.0).shape == () and cr.tensor(2.0).ndim == 0


# --------------------------------------------------------------------------- factories
@pytest.mark.parametrize("fn, value", [(cr.zeros, 0.0), (cr.ones, 1.0)])
def test_zeros_ones_shapes_and_values(fn, value):
    for t in (fn(2, 3), fn((2, 3)), fn([2, 3])):
        assert t.shape == (2, 3)
        assert t.dtype == np.float32
        assert np.all(t.data == value)
        assert t.is_leaf and not t.requires_grad
    assert fn(4).shape == (4,)
    assert fn(()).shape == ()
    assert fn(2, dtype=cr.float64).dtype == np.float64
    assert fn(2, dtype=cr.int64).dtype == np.int64
    assert fn(2, requires_grad=True).requires_grad


def test_full():
    t = cr.full((2, 3), 7.5)
    assert t.shape == (2, 3) and t.dtype == np.float32
    assert np.all(t.data == 7.5)
    assert cr.full((2,), 7).dtype == np.int64  # inferred from the fill value, as PyTorch
    assert cr.full((2,), True).dtype == np.bool_
    assert cr.full((2,), 1, dtype=cr.float64).dtype == np.float64
    assert cr.full(3, 2.0).shape == (3,)


def test_zeros_like_ones_like():
    x = cr.tensor([[1.0, 2.0, 3.0]], dtype=cr.float64, requires_grad=True)
    z, o = cr.zeros_like(x), cr.ones_like(x)
    assert z.shape == o.shape == (1, 3)
    assert z.dtype == o.dtype == np.float64
    assert np.all(z.data == 0) and np.all(o.data == 1)
    assert not z.requires_grad and not o.requires_grad  # not inherited, as PyTorch
    assert cr.zeros_like(cr.tensor([1, 2])).dtype == np.int64
    assert cr.ones_like(x, dtype=cr.float32).dtype == np.float32
    assert cr.zeros_like(x, requires_grad=True).requires_grad


def test_rand_randn():
    for fn in (cr.rand, cr.randn):
        assert fn(2, 3).shape == (2, 3)
        assert fn((4,)).shape == (4,)
        assert fn(3).dtype == np.float32
        assert fn(3, dtype=cr.float64).dtype == np.float64
        assert fn(3, requires_grad=True).requires_grad
    cr.manual_seed(0)
    u = cr.rand(10000).data
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.02
    n = cr.randn(10000).data
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1.0) < 0.05


def test_arange():
    t = cr.arange(5)
    assert t.tolist() == [0, 1, 2, 3, 4] and t.dtype == np.int64
    assert cr.arange(1, 10, 3).tolist() == [1, 4, 7]
    f = cr.arange(0.0, 1.0, 0.25)
    assert f.dtype == np.float32
    np.testing.assert_allclose(f.data, [0.0, 0.25, 0.5, 0.75])
    assert cr.arange(3, dtype=cr.float64).dtype == np.float64


def test_eye():
    e = cr.eye(3)
    assert e.shape == (3, 3) and e.dtype == np.float32
    np.testing.assert_array_equal(e.data, np.eye(3))
    np.testing.assert_array_equal(cr.eye(2, 3).data, np.eye(2, 3))
    assert cr.eye(2, dtype=cr.float64).dtype == np.float64


def test_linspace():
    t = cr.linspace(0, 1, 5)
    assert t.shape == (5,) and t.dtype == np.float32
    np.testing.assert_allclose(t.data, [0.0, 0.25, 0.5, 0.75, 1.0])
    assert cr.linspace(-1, 1, 3, dtype=cr.float64).tolist() == [-1.0, 0.0, 1.0]


# --------------------------------------------------------------------------- manual_seed
def _draws():
    return (cr.rand(5).tolist(), cr.randn(2, 3).tolist(),
            cr.randint(0, 100, (8,)).tolist(), cr.randperm(10).tolist())


def test_manual_seed_reproducible():
    cr.manual_seed(1234)
    first = _draws()
    cr.manual_seed(1234)
    second = _draws()
    assert first == second
    assert cr.initial_seed() == 1234


def test_different_seeds_differ():
    cr.manual_seed(1)
    a = _draws()
    cr.manual_seed(2)
    b = _draws()
    for x, y in zip(a, b):
        assert x != y


def test_randint_randperm():
    cr.manual_seed(0)
    r = cr.randint(3, 7, (1000,))
    assert r.dtype == np.int64 and r.shape == (1000,)
    assert r.data.min() == 3 and r.data.max() == 6
    assert cr.randint(5, size=(2, 2)).shape == (2, 2)
    p = cr.randperm(20)
    assert sorted(p.tolist()) == list(range(20)) and p.dtype == np.int64


# --------------------------------------------------------------------------- attributes
def test_basic_attributes():
    t = cr.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert isinstance(t.data, np.ndarray)
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float32
    assert t.numel() == 6 and isinstance(t.numel(), int)
    assert len(t) == 2
    assert t.grad is None and t.requires_grad and t.is_leaf
    y = t * 2
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
    # a tensor that does not require grad counts as a leaf, as in PyTorch
    assert cr.tensor([1.0]).is_leaf


def test_len_of_0d_raises():
    with pytest.raises(TypeError):
        len(cr.tensor(1.0))


def test_transpose_property():
    t = cr.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.data, t.data.T)
    x = cr.rand(2, 3, 4)
    assert x.T.shape == (4, 3, 2)
    v = cr.tensor([1.0, 2.0])
    assert v.T.tolist() == [1.0, 2.0]


def test_numpy_and_array_protocol():
    t = cr.tensor([1.0, 2.0])
    a = t.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    np.testing.assert_array_equal(a, [1.0, 2.0])
    b = np.asarray(t)
    assert isinstance(b, np.ndarray)
    np.testing.assert_array_equal(b, [1.0, 2.0])
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.array(t).shape == (2,)


def test_np_array_copies_np_asarray_shares():
    t = cr.tensor([1.0, 2.0])
    a = np.array(t)
    a[0] = 99.0
    assert t.data[0] == 1.0  # np.array copies, as for any array-like
    b = np.asarray(t)
    assert np.shares_memory(b, t.data)
    c = np.array(t, dtype=np.float64)
    c[1] = 7.0
    assert t.tolist() == [1.0, 2.0]


def test_item_and_tolist():
    assert cr.tensor(3.5).item() == 3.5
    assert isinstance(cr.tensor(3.5).item(), float)
    assert isinstance(cr.tensor(3).item(), int)
    assert cr.tensor([[2.0]]).item() == 2.0
    with pytest.raises(ValueError, match="2 elements"):
        cr.tensor([1.0, 2.0]).item()
    assert cr.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert cr.tensor(2.0).tolist() == 2.0
    assert float(cr.tensor([1.5])) == 1.5


def test_detach():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    np.testing.assert_array_equal(d.data, [3.0, 6.0])
    assert np.shares_memory(d.data, y.data)  # shared, as PyTorch
    assert not (d * 2).requires_grad


def test_requires_grad_():
    t = cr.tensor([1.0, 2.0])
    assert t.requires_grad_() is t
    assert t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    y = cr.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


def test_float_double_astype():
    i = cr.tensor([1, 2])
    assert i.float().dtype == np.float32
    assert i.double().dtype == np.float64
    f = cr.tensor([1.7, -2.2])
    assert f.float() is f  # already float32: no copy
    assert f.astype(cr.int64).dtype == np.int64
    assert f.astype(cr.int64).tolist() == [1, -2]
    assert f.astype("float64").dtype == np.float64


def test_double_is_differentiable():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32  # the gradient has the leaf's dtype
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


def test_astype_to_int_has_no_grad():
    x = cr.tensor([1.5, 2.5], requires_grad=True)
    assert not x.astype(cr.int64).requires_grad


# --------------------------------------------------------------------------- repr
def test_repr_leaf_requires_grad():
    r = repr(cr.tensor([1.0, 2.0], requires_grad=True))
    assert r.startswith("tensor(")
    assert "1." in r and "2." in r
    assert "requires_grad=True" in r


def test_repr_plain_and_dtype():
    r = repr(cr.tensor([1.0, 2.0]))
    assert r.startswith("tensor(") and "1." in r and "2." in r
    assert "requires_grad" not in r and "grad_fn" not in r
    assert "float64" in repr(cr.tensor([1.0], dtype=cr.float64))
    assert "int32" in repr(cr.tensor([1, 2], dtype=cr.int32))
    assert repr(cr.tensor([3, 4])) == "tensor([3, 4])"


def test_repr_non_leaf_shows_grad_fn():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    r = repr(x * 2)
    assert "grad_fn=" in r and "2." in r and "4." in r


def test_repr_large_tensor_is_summarized():
    r = repr(cr.zeros(10000))
    assert "..." in r and len(r) < 1000


# --------------------------------------------------------------------------- dtype rules
def test_float32_with_python_scalars_stays_float32():
    x = cr.ones(3)
    for y in (x + 1.5, 1.5 + x, x - 2, 2 - x, x * 0.1, 0.1 * x, x / 3.0, 3.0 / x, x ** 2.0,
              2.0 ** x, -x, x + True):
        assert y.dtype == np.float32


def test_float32_with_float64_numpy_array_stays_float32():
    x = cr.ones(3)
    a = np.array([1.0, 2.0, 3.0])
    for y in (x + a, x * a, x - a, x / a, cr.maximum(x, a), cr.where(x > 0, x, a)):
        assert isinstance(y, Tensor) and y.dtype == np.float32


def test_numpy_scalars_do_not_widen():
    # as in PyTorch, a NumPy scalar acts like a Python number (x / np.sqrt(d) stays float32)
    x = cr.ones(3)
    for y in (x * np.float64(2.0), np.float64(2.0) * x, x / np.sqrt(4.0), np.float64(1) - x,
              x + np.int64(1), x ** np.float64(2.0), cr.maximum(x, np.float64(0.5))):
        assert y.dtype == np.float32
    np.testing.assert_allclose((x / np.sqrt(4.0)).data, 0.5)
    assert (cr.tensor([1, 2]) + np.float64(0.5)).dtype == np.float32
    assert (cr.tensor([1, 2], dtype=cr.int32) + np.int64(3)).dtype == np.int32


def test_float64_keeps_python_scalars_exact():
    x = cr.zeros(2, dtype=cr.float64)
    assert (x + 0.1).data[0] == 0.1
    assert (x + [0.1, 0.1]).data[0] == 0.1
    assert cr.maximum(x, 0.1).data[0] == 0.1
    assert cr.where(x > -1, 0.1, x).data[0] == 0.1
    assert (x + np.float64(0.1)).data[0] == 0.1


def test_float_with_int_tensor_pytorch_promotion():
    f, i = cr.ones(3), cr.tensor([1, 2, 3])
    assert (f + i).dtype == np.float32
    assert (i + f).dtype == np.float32
    assert (f * i).dtype == np.float32
    assert (cr.ones(3, dtype=cr.float64) + i).dtype == np.float64
    assert (i + 2).dtype == np.int64
    assert (i * 1.5).dtype == np.float32
    assert (i / 2).dtype == np.float32  # true division of integers gives floats
    np.testing.assert_allclose((i / 2).data, [0.5, 1.0, 1.5])
    assert (cr.tensor([1, 2, 3], dtype=cr.int32) + i).dtype == np.int64


def test_float32_plus_float64_tensor_is_float64():
    a, b = cr.ones(3), cr.ones(3, dtype=cr.float64)
    assert (a + b).dtype == np.float64
    assert (b * a).dtype == np.float64
    # a 0-d tensor of the same kind does not widen an n-d one, as PyTorch
    assert (a + cr.tensor(2.0, dtype=cr.float64)).dtype == np.float32


def test_mixed_dtype_gradients_have_leaf_dtypes():
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 4.0], dtype=cr.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_allclose(a.grad.data, [3.0, 4.0])
    np.testing.assert_allclose(b.grad.data, [1.0, 2.0])


# --------------------------------------------------------------------------- integer and bool tensors
@pytest.mark.parametrize("make", [
    lambda: cr.tensor([1, 2], requires_grad=True),
    lambda: cr.tensor([True, False], requires_grad=True),
    lambda: cr.zeros(2, dtype=cr.int64, requires_grad=True),
    lambda: cr.arange(3, requires_grad=True),
    lambda: cr.tensor([1, 2]).requires_grad_(),
    lambda: cr.tensor([1, 2], dtype=cr.int32).requires_grad_(True),
])
def test_requires_grad_on_integer_or_bool_raises(make):
    with pytest.raises(RuntimeError, match="floating"):
        make()


def test_integer_and_bool_tensors_work():
    i = cr.tensor([1, 2, 3])
    assert (i * 2).tolist() == [2, 4, 6]
    assert i.sum().item() == 6
    b = cr.tensor([True, False, True])
    assert b.dtype == np.bool_ and b.sum().item() == 2


# --------------------------------------------------------------------------- comparisons
@pytest.mark.parametrize("op, expected", [
    (lambda a, b: a == b, [False, True, False]),
    (lambda a, b: a != b, [True, False, True]),
    (lambda a, b: a < b, [True, False, False]),
    (lambda a, b: a <= b, [True, True, False]),
    (lambda a, b: a > b, [False, False, True]),
    (lambda a, b: a >= b, [False, True, True]),
])
def test_comparisons_give_bool_tensors(op, expected):
    a = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = cr.tensor([2.0, 2.0, 2.0], requires_grad=True)
    for other in (b, 2.0, 2, np.array([2.0, 2.0, 2.0])):
        r = op(a, other)
        assert isinstance(r, Tensor)
        assert r.dtype == np.bool_
        assert not r.requires_grad and r.grad_fn is None
        assert r.tolist() == expected


def test_comparison_broadcasts():
    r = cr.tensor([[1.0], [3.0]]) > cr.tensor([0.0, 2.0, 4.0])
    assert r.shape == (2, 3)
    assert r.tolist() == [[True, False, False], [True, True, False]]


def test_tensor_is_hashable():
    a, b = cr.tensor([1.0]), cr.tensor([1.0])
    assert len({a, b}) == 2


# --------------------------------------------------------------------------- NumPy on the left
@pytest.mark.parametrize("op", [
    lambda a, t: a + t, lambda a, t: a * t, lambda a, t: a - t, lambda a, t: a / t,
])
def test_numpy_array_on_the_left_gives_tensor(op):
    a = np.array([1.0, 2.0, 3.0])
    t = cr.tensor([2.0, 4.0, 8.0], requires_grad=True)
    r = op(a, t)
    assert isinstance(r, Tensor)
    assert r.dtype == np.float32
    assert r.requires_grad
    np.testing.assert_allclose(r.data, op(a, t.data.astype(np.float64)), rtol=1e-6)
    r.sum().backward()
    assert t.grad is not None and t.grad.shape == (3,)


def test_numpy_matmul_and_pow_on_the_left_give_tensors():
    a = np.eye(2)
    t = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    r = a @ t
    assert isinstance(r, Tensor) and r.dtype == np.float32 and r.requires_grad
    np.testing.assert_array_equal(r.data, t.data)
    p = np.full((2, 2), 2.0) ** t
    assert isinstance(p, Tensor) and p.dtype == np.float32
    np.testing.assert_allclose(p.data, 2.0 ** t.data)
