"""Elementwise math without a gradient: truth tests, logical and bit operations, closeness,
the in-place variants, and the errors of the math functions (the differentiable ones are in
the op registry)."""
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops.special import erfinv

torch = pytest.importorskip("torch", reason="PyTorch is the reference for the elementwise tests")

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.0, 1e30])
INTS = np.array([-3, 0, 2, 5, -8])


def _same(ours, theirs):
    """Same dtype, shape and values (NaN equal to NaN) as the torch tensor ``theirs``."""
    theirs = theirs.numpy()
    assert ours.dtype == theirs.dtype, f"dtype {ours.dtype}, torch gives {theirs.dtype}"
    assert ours.shape == theirs.shape, f"shape {ours.shape}, torch gives {theirs.shape}"
    np.testing.assert_array_equal(ours.data, theirs)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "logical_not"])
@pytest.mark.parametrize("values", [SPECIAL, SPECIAL.astype(np.float32), INTS, INTS > 0],
                         ids=["float64", "float32", "int64", "bool"])
def test_truth_tests_match_torch(name, values):
    ours = getattr(cr, name)(cr.tensor(values))
    _same(ours, getattr(torch, name)(torch.from_numpy(values)))
    _same(getattr(cr.tensor(values), name)(), getattr(torch, name)(torch.from_numpy(values)))
    assert not ours.requires_grad


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_broadcast_and_match_torch(name):
    a, b = np.array([[0.0, 1.5, np.nan]]), np.array([[0], [3]])
    expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    _same(getattr(cr, name)(cr.tensor(a), cr.tensor(b)), expected)
    _same(getattr(cr.tensor(a), name)(cr.tensor(b)), expected)


@pytest.mark.parametrize("name, operator", [("bitwise_and", "__and__"), ("bitwise_or", "__or__"),
                                            ("bitwise_xor", "__xor__")])
@pytest.mark.parametrize("a, b", [(INTS, INTS[::-1].copy()), (INTS > 0, INTS < 3),
                                  (INTS.astype(np.int32), np.array(6)), (INTS.astype(np.int32), INTS)],
                         ids=["int64", "bool", "int32-and-0d-int64", "int32-and-int64"])
def test_bitwise_ops_match_torch(name, operator, a, b):
    expected = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
    _same(getattr(cr, name)(cr.tensor(a), cr.tensor(b)), expected)
    _same(getattr(cr.tensor(a), operator)(cr.tensor(b)), expected)
    _same(getattr(cr.tensor(a), name)(cr.tensor(b)), expected)


def test_bitwise_operators_with_python_operands():
    masks = cr.tensor([True, False, True])
    _same(masks & (cr.tensor([1, 2, 3]) > 1), torch.tensor([False, False, True]))
    _same(True | masks, torch.tensor([True, True, True]))
    _same(~masks, torch.tensor([False, True, False]))
    _same(6 ^ cr.tensor([1, 2, 3]), 6 ^ torch.tensor([1, 2, 3]))
    _same(cr.bitwise_not(cr.tensor(INTS)), torch.bitwise_not(torch.from_numpy(INTS)))
    _same(cr.tensor(INTS).bitwise_not(), torch.bitwise_not(torch.from_numpy(INTS)))


@pytest.mark.parametrize("call", [lambda x: cr.bitwise_and(x, x), lambda x: x | 1, lambda x: ~x])
def test_bitwise_ops_refuse_floats(call):
    with pytest.raises(TypeError, match=r"bitwise_(and|or|not): only integer and boolean .* float32"):
        call(cr.tensor([1.0, 2.0]))


CLOSE_A = np.array([1.0, 1.0, np.inf, np.inf, np.nan, 0.0, 100.0])
CLOSE_B = np.array([1.0 + 1e-6, 1.1, np.inf, -np.inf, np.nan, 1e-9, 100.001])


@pytest.mark.parametrize("kwargs", [{}, dict(equal_nan=True), dict(rtol=0.0, atol=1e-5),
                                    dict(rtol=0.2, atol=0.0)])
def test_isclose_and_allclose_match_torch(kwargs):
    a, b = cr.tensor(CLOSE_A), cr.tensor(CLOSE_B)
    ta, tb = torch.from_numpy(CLOSE_A), torch.from_numpy(CLOSE_B)
    _same(cr.isclose(a, b, **kwargs), torch.isclose(ta, tb, **kwargs))
    _same(a.isclose(b, **kwargs), torch.isclose(ta, tb, **kwargs))
    for i in range(len(CLOSE_A)):
        expected = torch.allclose(ta[i:i + 1], tb[i:i + 1], **kwargs)
        assert cr.allclose(a[i:i + 1], b[i:i + 1], **kwargs) is expected
        assert a[i:i + 1].allclose(b[i:i + 1], **kwargs) is expected


def test_isclose_broadcasts_and_checks_its_arguments():
    _same(cr.isclose(cr.tensor([[1.0, 2.0]]), cr.tensor([[1.0], [2.0]])),
          torch.isclose(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0], [2.0]])))
    assert cr.allclose(cr.tensor([2.0, 2.0 + 1e-9]), cr.tensor(2.0)) is True
    with pytest.raises(ValueError, match=r"isclose: shapes \(2,\), \(3,\) cannot be broadcast"):
        cr.isclose(cr.zeros(2), cr.zeros(3))
    with pytest.raises(ValueError, match="isclose: rtol and atol must be non-negative"):
        cr.isclose(cr.zeros(2), cr.zeros(2), atol=-1.0)


@pytest.mark.parametrize("a, b", [([1, 2], [1.0, 2.0]), ([1, 2], [[1, 2]]), ([1.0, np.nan], [1.0, np.nan]),
                                  ([1, 2], [1, 3]), ([], [])])
def test_equal_matches_torch(a, b):
    expected = torch.equal(torch.tensor(a), torch.tensor(b))
    assert cr.equal(cr.tensor(a), cr.tensor(b)) is expected
    assert cr.tensor(a).equal(cr.tensor(b)) is expected


def test_integer_remainder_by_zero_is_an_error():
    with pytest.raises(ZeroDivisionError, match=r"remainder: integer division by zero .* shape \(3,\)"):
        cr.remainder(cr.tensor([1, 2, 3]), cr.tensor([1, 0, 2]))
    with pytest.raises(ZeroDivisionError, match="fmod: integer division by zero"):
        cr.tensor([1, 2]).fmod(0)


def test_remainder_of_a_number_by_a_tensor_matches_torch():
    for x in (np.array([-1.5, 0.7, 2.5, -4.0]), np.array([-1.5, 0.7, 2.5, -4.0], dtype=np.float32)):
        _same(cr.remainder(5, cr.tensor(x)), torch.remainder(5, torch.from_numpy(x)))


def test_math_functions_name_themselves_and_the_shapes():
    with pytest.raises(ValueError, match=r"Atan2: inputs of shapes \(2,\), \(3,\)"):
        cr.atan2(cr.zeros(2), cr.zeros(3))
    with pytest.raises(ValueError, match=r"lerp: shapes \(2,\), \(3,\), \(\) cannot be broadcast"):
        cr.lerp(cr.zeros(2), cr.zeros(3), 0.5)
    with pytest.raises(TypeError, match="round: decimals must be an integer, got 0.5"):
        cr.round(cr.zeros(2), decimals=0.5)
    with pytest.raises(TypeError, match="float_power: input or exponent must be a tensor"):
        cr.float_power(2, 3)


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "sign", "square", "nan_to_num", "fix"])
def test_integer_tensors_keep_their_dtype(name):
    x = np.array([-3, 0, 7], dtype=np.int32)
    _same(getattr(cr, name)(cr.tensor(x)), getattr(torch, name)(torch.from_numpy(x)))


def test_round_integers_to_tens_and_booleans_stay():
    assert cr.round(cr.tensor([15, -25, 1234]), decimals=-1).tolist() == [20, -20, 1230]
    _same(cr.sign(cr.tensor([True, False])), torch.sign(torch.tensor([True, False])))


def test_sinc_of_integers_is_float32_and_zero_up_to_rounding():
    ours = cr.sinc(cr.tensor(INTS))
    theirs = torch.sinc(torch.from_numpy(INTS)).numpy()
    assert ours.dtype == theirs.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs, atol=1e-6)


def test_erfinv_inverts_math_erf_to_float64_accuracy():
    x = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), [1e-300, 0.5, 0.5 + 1e-12, 1 - 1e-15]])
    y = erfinv(x)
    back = np.array([math.erf(v) for v in y])
    np.testing.assert_allclose(back, x, rtol=1e-14, atol=1e-16)
    edges = erfinv(np.array([1.0, -1.0, 1.5, np.nan, -0.0]))
    np.testing.assert_array_equal(edges, [np.inf, -np.inf, np.nan, np.nan, -0.0])
    assert np.signbit(edges[-1])
    assert erfinv(np.float32([0.25])).dtype == np.float32


@pytest.mark.parametrize("method, args", [("clamp_", (-0.5, 0.5)), ("clamp_", (None, 0.5)),
                                          ("clamp_", (0.0,)), ("clip_", (2.0, 1.0)),
                                          ("remainder_", (-0.7,)), ("fmod_", (0.7,))])
def test_in_place_variants_match_torch(method, args):
    values = np.array([-1.3, -0.2, 0.4, 2.5])
    ours, theirs = cr.tensor(values), torch.from_numpy(values.copy())
    version = ours._version
    assert getattr(ours, method)(*args) is ours
    getattr(theirs, method)(*args)
    _same(ours, theirs)
    assert ours._version != version


def test_in_place_variants_refuse_a_tensor_that_requires_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="clamp_: in-place change"):
        x.clamp_(0.0, 1.0)
    with pytest.raises(ValueError, match="clamp_: at least one of min and max"):
        cr.tensor([1.0]).clamp_()
