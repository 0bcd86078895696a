"""Elementwise functions of one input, each forward beside its derivative.

Where the derivative is cheaper from the output than from the input (exp, sqrt, tanh,
sigmoid), the forward keeps its output instead of its input.
"""
import math

from chainrule.backend import xp
from chainrule.ops import special
from chainrule.ops.base import Op, unbroadcast

_LN2 = math.log(2)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Exp(Op):
    """y = e^x;  dx = g * y"""

    def forward(self, x):
        self.y = xp.exp(x)
        return self.y

    def backward(self, g):
        return g * self.y


class Log(Op):
    """y = ln x;  dx = g / x"""

    def forward(self, x):
        self.x = x
        return xp.log(x)

    def backward(self, g):
        return g / self.x


class Log1p(Op):
    """y = ln(1 + x);  dx = g / (1 + x)"""

    def forward(self, x):
        self.x = x
        return xp.log1p(x)

    def backward(self, g):
        return g / (1 + self.x)


class Sqrt(Op):
    """y = √x;  dx = g / (2y)"""

    def forward(self, x):
        self.y = xp.sqrt(x)
        return self.y

    def backward(self, g):
        return g / (2 * self.y)


class Abs(Op):
    """y = |x|;  dx = g * sign(x)  (0 at x = 0)"""

    def forward(self, x):
        self.x = x
        return xp.abs(x)

    def backward(self, g):
        return g * xp.sign(self.x)


class Sin(Op):
    """y = sin x;  dx = g * cos x"""

    def forward(self, x):
        self.x = x
        return xp.sin(x)

    def backward(self, g):
        return g * xp.cos(self.x)


class Cos(Op):
    """y = cos x;  dx = -g * sin x"""

    def forward(self, x):
        self.x = x
        return xp.cos(x)

    def backward(self, g):
        return -g * xp.sin(self.x)


class Tan(Op):
    """y = tan x;  dx = g * (1 + y²)"""

    def forward(self, x):
        self.y = xp.tan(x)
        return self.y

    def backward(self, g):
        return g * (1 + self.y * self.y)


class Sinh(Op):
    """y = sinh x;  dx = g * cosh x"""

    def forward(self, x):
        self.x = x
        return xp.sinh(x)

    def backward(self, g):
        return g * xp.cosh(self.x)


class Cosh(Op):
    """y = cosh x;  dx = g * sinh x"""

    def forward(self, x):
        self.x = x
        return xp.cosh(x)

    def backward(self, g):
        return g * xp.sinh(self.x)


class Asin(Op):
    """y = arcsin x;  dx = g / √(1 - x²)"""

    def forward(self, x):
        self.x = x
        return xp.arcsin(x)

    def backward(self, g):
        return g / xp.sqrt(1 - self.x * self.x)


class Acos(Op):
    """y = arccos x;  dx = -g / √(1 - x²)"""

    def forward(self, x):
        self.x = x
        return xp.arccos(x)

    def backward(self, g):
        return -g / xp.sqrt(1 - self.x * self.x)


class Atan(Op):
    """y = arctan x;  dx = g / (1 + x²)"""

    def forward(self, x):
        self.x = x
        return xp.arctan(x)

    def backward(self, g):
        return g / (1 + self.x * self.x)


class Asinh(Op):
    """y = arsinh x;  dx = g / √(x² + 1)"""

    def forward(self, x):
        self.x = x
        return xp.arcsinh(x)

    def backward(self, g):
        return g / xp.sqrt(self.x * self.x + 1)


class Acosh(Op):
    """y = arcosh x;  dx = g / √(x² - 1)"""

    def forward(self, x):
        self.x = x
        return xp.arccosh(x)

    def backward(self, g):
        return g / xp.sqrt(self.x * self.x - 1)


class Atanh(Op):
    """y = artanh x;  dx = g / (1 - x²)"""

    def forward(self, x):
        self.x = x
        return xp.arctanh(x)

    def backward(self, g):
        return g / (1 - self.x * self.x)


class Erf(Op):
    """y = erf x;  dx = g * 2/√π * e^(-x²)"""

    def forward(self, x):
        self.x = x
        return special.erf(x)

    def backward(self, g):
        return g * _TWO_OVER_SQRT_PI * xp.exp(-self.x * self.x)


class Erfc(Op):
    """y = erfc x = 1 - erf x;  dx = -g * 2/√π * e^(-x²)"""

    def forward(self, x):
        self.x = x
        return special.erfc(x)

    def backward(self, g):
        return -g * _TWO_OVER_SQRT_PI * xp.exp(-self.x * self.x)


class Erfinv(Op):
    """y = erf⁻¹ x;  dx = g * √π/2 * e^(y²)"""

    def forward(self, x):
        self.y = special.erfinv(x)
        return self.y

    def backward(self, g):
        return g / _TWO_OVER_SQRT_PI * xp.exp(self.y * self.y)


class Exp2(Op):
    """y = 2^x;  dx = g * y * ln 2"""

    def forward(self, x):
        self.y = xp.exp2(x)
        return self.y

    def backward(self, g):
        return g * self.y * _LN2


class Expm1(Op):
    """y = e^x - 1;  dx = g * (y + 1)"""

    def forward(self, x):
        self.y = xp.expm1(x)
        return self.y

    def backward(self, g):
        return g * (self.y + 1)


class Log2(Op):
    """y = log₂ x;  dx = g / (x ln 2)"""

    def forward(self, x):
        self.x = x
        return xp.log2(x)

    def backward(self, g):
        return g / (self.x * _LN2)


class Log10(Op):
    """y = log₁₀ x;  dx = g / (x ln 10)"""

    def forward(self, x):
        self.x = x
        return xp.log10(x)

    def backward(self, g):
        return g / (self.x * math.log(10))


class Reciprocal(Op):
    """y = 1 / x;  dx = -g * y²"""

    def forward(self, x):
        self.y = 1 / x
        return self.y

    def backward(self, g):
        return -g * self.y * self.y


class Rsqrt(Op):
    """y = 1 / √x;  dx = -g * y³ / 2"""

    def forward(self, x):
        self.y = 1 / xp.sqrt(x)
        return self.y

    def backward(self, g):
        y = self.y
        return -0.5 * g * y * y * y


class Sinc(Op):
    """y = sin(πx) / (πx), 1 at 0;  dx = g * (πx cos(πx) - sin(πx)) / (πx²), 0 at 0"""

    def forward(self, x):
        self.x = x
        return xp.sinc(x)

    def backward(self, g):
        x = self.x
        zero = x == 0
        angle = math.pi * x
        slope = (angle * xp.cos(angle) - xp.sin(angle)) / xp.where(zero, 1, angle * x)
        return g * xp.where(zero, 0, slope)


class Frac(Op):
    """y = x - trunc(x);  dx = g"""

    def forward(self, x):
        return x - xp.trunc(x)

    def backward(self, g):
        return g


class NanToNum(Op):
    """y = x with NaN and ±inf replaced by finite numbers;  dx = g where x is finite, else 0"""

    def __init__(self, nan, posinf, neginf):
        self.nan, self.posinf, self.neginf = nan, posinf, neginf

    def forward(self, x):
        self.finite = xp.isfinite(x)
        return xp.nan_to_num(x, nan=self.nan, posinf=self.posinf, neginf=self.neginf)

    def backward(self, g):
        return g * self.finite


class Flat(Op):
    """A piecewise-constant function: its gradient is 0 everywhere, as PyTorch defines it."""

    def backward(self, g):
        return xp.zeros_like(g)


class Floor(Flat):
    """y = ⌊x⌋;  dx = 0"""

    def forward(self, x):
        return xp.floor(x)


class Ceil(Flat):
    """y = ⌈x⌉;  dx = 0"""

    def forward(self, x):
        return xp.ceil(x)


class Trunc(Flat):
    """y = x rounded toward 0;  dx = 0"""

    def forward(self, x):
        return xp.trunc(x)


class Round(Flat):
    """y = x rounded to ``decimals`` places, halves to even;  dx = 0"""

    def __init__(self, decimals):
        self.decimals = decimals

    def forward(self, x):
        return xp.round(x, self.decimals)


class Sign(Flat):
    """y = -1, 0 or 1 by the sign of x (0 for NaN, as PyTorch);  dx = 0"""

    def forward(self, x):
        return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


class Tanh(Op):
    """y = tanh x;  dx = g * (1 - y²)"""

    def forward(self, x):
        self.y = xp.tanh(x)
        return self.y

    def backward(self, g):
        y = self.y
        return g * (1 - y * y)


def stable_sigmoid(x):
    """1 / (1 + e^-x) without overflow: e^-|x| is at most 1 for every x."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Op):
    """y = 1 / (1 + e^-x);  dx = g * y * (1 - y)"""

    def forward(self, x):
        self.y = stable_sigmoid(x)
        return self.y

    def backward(self, g):
        y = self.y
        return g * y * (1 - y)


class Clamp(Op):
    """y = min(max(x, low), high);  dx = g where low <= x <= high, else 0"""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.x = x
        return xp.clip(x, self.low, self.high)

    def backward(self, g):
        x, inside = self.x, True
        if self.low is not None:
            inside = x >= self.low
        if self.high is not None:
            inside = inside & (x <= self.high)
        return g * inside


class Maximum(Op):
    """y = max(a, b) elementwise;  the gradient goes to the larger input, split evenly on ties"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.maximum(a, b)

    def backward(self, g):
        return _split_to_winner(g, self.a, self.b, self.a > self.b, self.needs_input_grad)


class Minimum(Op):
    """y = min(a, b) elementwise;  the gradient goes to the smaller input, split evenly on ties"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.minimum(a, b)

    def backward(self, g):
        return _split_to_winner(g, self.a, self.b, self.a < self.b, self.needs_input_grad)


def _split_to_winner(g, a, b, a_wins, needs):
    tie = a == b
    share_a = xp.where(tie, 0.5, a_wins.astype(g.dtype))
    need_a, need_b = needs
    return (unbroadcast(g * share_a, a.shape) if need_a else None,
            unbroadcast(g * (1 - share_a), b.shape) if need_b else None)


class Where(Op):
    """y = a where cond else b;  da = g where cond,  db = g elsewhere (cond is a constant)"""

    def __init__(self, condition):
        self.condition = condition

    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return xp.where(self.condition, a, b)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        zero = xp.zeros((), dtype=g.dtype)
        return (unbroadcast(xp.where(self.condition, g, zero), self.a_shape) if need_a else None,
                unbroadcast(xp.where(self.condition, zero, g), self.b_shape) if need_b else None)


class Atan2(Op):
    """y = atan2(a, b), the angle of the point (b, a);  da = g b / (a² + b²),  db = -g a / (a² + b²)
    (both 0 at the origin, as PyTorch)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.arctan2(a, b)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        a, b = self.a, self.b
        squared = a * a + b * b
        scale = g / xp.where(squared == 0, xp.inf, squared)
        return (unbroadcast(scale * b, a.shape) if need_a else None,
                unbroadcast(-scale * a, b.shape) if need_b else None)


class Hypot(Op):
    """y = √(a² + b²);  da = g a / y,  db = g b / y"""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = xp.hypot(a, b)
        return self.y

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        scale = g / self.y
        return (unbroadcast(scale * self.a, self.a.shape) if need_a else None,
                unbroadcast(scale * self.b, self.b.shape) if need_b else None)


class LogAddExp(Op):
    """y = ln(e^a + e^b), without overflow;  da = g e^a / (e^a + e^b) = g σ(a - b),  db = g σ(b - a)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.logaddexp(a, b)

    def backward(self, g):
        return _softmax_pair(g, self.a - self.b, self)


class LogAddExp2(Op):
    """y = log₂(2^a + 2^b), without overflow;  da = g σ((a - b) ln 2),  db = g σ((b - a) ln 2)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp.logaddexp2(a, b)

    def backward(self, g):
        return _softmax_pair(g, (self.a - self.b) * _LN2, self)


def _softmax_pair(g, difference, op):
    """The shares of g that go to a and b: the softmax of (a, b), from their (scaled) difference.

    σ of the difference is exact where a and b are large and close, unlike e^(a - y)."""
    need_a, need_b = op.needs_input_grad
    return (unbroadcast(g * stable_sigmoid(difference), op.a.shape) if need_a else None,
            unbroadcast(g * stable_sigmoid(-difference), op.b.shape) if need_b else None)


def xlogy(x, y):
    """x · ln y, and 0 where x = 0 unless y is NaN (the convention of PyTorch and SciPy)."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        product = x * xp.log(y)
    return xp.where((x == 0) & ~xp.isnan(y), 0, product).astype(product.dtype, copy=False)


class Xlogy(Op):
    """out = x ln y (0 where x = 0);  dx = g ln y (0 where x = 0 and y <= 0, as PyTorch),  dy = g x / y"""

    def forward(self, x, y):
        self.x, self.y = x, y
        return xlogy(x, y)

    def backward(self, g):
        need_x, need_y = self.needs_input_grad
        x, y = self.x, self.y
        gx = gy = None
        if need_x:
            gx = unbroadcast(xp.where((x == 0) & (y <= 0), 0, xlogy(g, y)), x.shape)
        if need_y:
            with xp.errstate(divide="ignore", invalid="ignore"):  # x / 0: inf or NaN, as PyTorch
                gy = unbroadcast(g * x / y, y.shape)
        return gx, gy
