"""The error function, which NumPy lacks, to float64 accuracy (the exact GELU needs it).

Below |x| = 2 the Maclaurin series erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)) is summed
to 40 terms by Horner's rule in x²; above it, erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x +
(3/2)/(x + ...)))) is evaluated from 50 levels deep upward.  Both stay within about 1e-13
relative of the true value (tests compare against ``math.erf`` and ``math.erfc``).
"""
import math

from chainrule.backend import xp

_SERIES = tuple((-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(40))
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_PI = math.sqrt(math.pi)
_SWITCH = 2.0
_FRACTION_DEPTH = 50


def _erf_series(x):
    z = x * x
    total = xp.zeros_like(x)
    for coefficient in reversed(_SERIES):
        total = total * z + coefficient
    return _TWO_OVER_SQRT_PI * x * total


def _erfc_fraction(x):
    """erfc(x) for x >= 2 by its continued fraction."""
    t = x
    for k in range(_FRACTION_DEPTH, 0, -1):
        t = x + (k / 2) / t
    return xp.exp(-x * x) / (_SQRT_PI * t)


def erf(x):
    """The error function, elementwise, in the dtype of ``x``."""
    x = xp.asarray(x)
    out = xp.empty_like(x)
    small = xp.abs(x) < _SWITCH
    out[small] = _erf_series(x[small])
    large = ~small
    if large.any():
        xl = x[large]
        out[large] = xp.sign(xl) * (1 - _erfc_fraction(xp.abs(xl)))
    return out


def erfc(x):
    """1 - erf(x), elementwise, accurate where erf(x) is close to 1."""
    x = xp.asarray(x)
    out = xp.full_like(x, xp.nan)  # NaN inputs fall in none of the ranges below
    small = xp.abs(x) < _SWITCH
    out[small] = 1 - _erf_series(x[small])
    positive, negative = x >= _SWITCH, x <= -_SWITCH
    if positive.any():
        out[positive] = _erfc_fraction(x[positive])
    if negative.any():
        out[negative] = 2 - _erfc_fraction(-x[negative])
    return out
