"""chainrule.ops.special.erf and erfc against Python's math.erf and math.erfc."""
import math

import numpy as np
import pytest

from chainrule.ops.special import erf, erfc

# the switch between the series and the continued fraction is at |x| = 2: probe both sides
EDGES = [0.0, 1e-300, 1e-8, 0.5, 1.0, 1.5, 1.99, 1.999999, 2.0, 2.000001, 2.01, 2.5, 3.0, 4.0, 5.0,
         6.0, 8.0, 10.0, 20.0, 26.0, 27.0, 30.0, 1e10]
GRID = sorted(set(EDGES + [-x for x in EDGES] + list(np.round(np.linspace(-7, 7, 281), 10))))


def _relative_errors(ours, reference):
    """|ours - reference| / |reference| where the reference is not tiny, else the absolute error."""
    ours, reference = np.asarray(ours, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    scale = np.where(np.abs(reference) > 1e-300, np.abs(reference), 1.0)
    return np.abs(ours - reference) / scale


@pytest.mark.parametrize("name, ours, reference", [("erf", erf, math.erf), ("erfc", erfc, math.erfc)])
def test_matches_math_on_a_grid(name, ours, reference):
    x = np.array(GRID)
    got = ours(x)
    expected = np.array([reference(v) for v in GRID])
    assert got.shape == x.shape and got.dtype == np.float64, f"{name}: shape {got.shape}, dtype {got.dtype}"
    errors = _relative_errors(got, expected)
    worst = int(np.argmax(errors))
    assert errors[worst] < 1e-12, (f"{name}({GRID[worst]!r}) = {got[worst]!r}, math.{name} gives "
                                   f"{expected[worst]!r} (relative error {errors[worst]:.2e})")


@pytest.mark.parametrize("name, ours, reference", [("erf", erf, math.erf), ("erfc", erfc, math.erfc)])
@pytest.mark.parametrize("value", [0.0, -0.0, 1.99, -1.99, 2.0, -2.0, 2.01, -2.01, 6.0, -6.0, 30.0, -30.0])
def test_named_points(name, ours, reference, value):
    got = float(ours(np.array([value]))[0])
    expected = reference(value)
    error = _relative_errors(got, expected)
    assert error < 1e-12, (f"{name}({value}) = {got!r}, math.{name} gives {expected!r} "
                           f"(relative error {error:.2e})")


def test_signed_zero_and_symmetry():
    assert math.copysign(1.0, float(erf(np.array([-0.0]))[0])) == -1.0, "erf(-0.0) must be -0.0"
    assert float(erfc(np.array([0.0]))[0]) == 1.0
    x = np.linspace(0.01, 8.0, 97)
    np.testing.assert_array_equal(erf(-x), -erf(x), err_msg="erf must be odd")
    np.testing.assert_allclose(erfc(-x), 2.0 - erfc(x), rtol=1e-15, atol=0,
                               err_msg="erfc(-x) must be 2 - erfc(x)")


def test_nan_and_infinities():
    x = np.array([np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(erf(x), [np.nan, 1.0, -1.0], err_msg="erf of nan, inf, -inf")
    np.testing.assert_array_equal(erfc(x), [np.nan, 0.0, 2.0], err_msg="erfc of nan, inf, -inf")


def test_shapes_and_dtypes():
    """Any shape, 0-d included; float32 in gives float32 out."""
    for shape in [(), (0,), (3,), (2, 3)]:
        x = np.full(shape, 0.75)
        assert erf(x).shape == shape and erfc(x).shape == shape, f"shape {shape}"
    x32 = np.array([-3.0, -0.5, 0.25, 2.5], dtype=np.float32)
    assert erf(x32).dtype == np.float32 and erfc(x32).dtype == np.float32
    np.testing.assert_allclose(erf(x32), [math.erf(v) for v in x32.tolist()], rtol=1e-6)
    np.testing.assert_allclose(erfc(x32), [math.erfc(v) for v in x32.tolist()], rtol=1e-6)
    assert float(erf(np.float64(1.0))) == pytest.approx(math.erf(1.0), rel=1e-14)
