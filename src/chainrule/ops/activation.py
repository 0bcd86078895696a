"""Activation functions with their derivatives, following PyTorch's definitions."""
import math

from chainrule.backend import xp
from chainrule.ops.base import Op, unbroadcast
from chainrule.ops.elementwise import stable_sigmoid
from chainrule.ops.special import erfc


class ReLU(Op):
    """y = max(x, 0);  dx = g where x > 0"""

    def forward(self, x):
        self.positive = x > 0
        # against an array of zeros rather than the scalar 0: NumPy's vectorized loop, 2-3x faster
        y = xp.zeros_like(x)
        return xp.maximum(x, y, out=y)

    def backward(self, g):
        return g * self.positive


class LeakyReLU(Op):
    """y = x if x > 0 else slope * x;  dx = g, or g * slope"""

    def __init__(self, negative_slope):
        self.negative_slope = negative_slope

    def forward(self, x):
        self.positive = x > 0
        return xp.where(self.positive, x, x * self.negative_slope)

    def backward(self, g):
        return xp.where(self.positive, g, g * self.negative_slope)


class ELU(Op):
    """y = s x if x > 0 else s α (e^(c x) - 1);  dx = g s, or g c (y + s α).

    s (``scale``) and c (``input_scale``) are 1 for ELU; SELU fixes α and s to its
    constants, CELU takes c = 1/α.  At x = 0 the rule takes the second branch, as PyTorch.
    """

    def __init__(self, alpha, scale=1.0, input_scale=1.0):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale

    def forward(self, x):
        self.positive = x > 0
        z = xp.minimum(x, 0)
        if self.input_scale != 1:  # (skipped, like the scale below, to keep plain ELU's passes)
            z *= self.input_scale
        negative = xp.expm1(z)
        negative *= self.scale * self.alpha
        self.y = xp.where(self.positive, self.scale * x if self.scale != 1 else x, negative)
        return self.y

    def backward(self, g):
        negative = g * (self.y + self.scale * self.alpha)
        if self.input_scale != 1:
            negative *= self.input_scale
        return xp.where(self.positive, g * self.scale if self.scale != 1 else g, negative)


_SQRT_HALF = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class GELU(Op):
    """y = x Φ(x) with Φ the standard normal CDF;  dx = g * (Φ(x) + x φ(x)).

    ``approximate='tanh'`` uses 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), as PyTorch.
    """

    def __init__(self, approximate="none"):
        self.approximate = approximate

    def forward(self, x):
        self.x = x
        if self.approximate == "tanh":
            self.t = xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
            return 0.5 * x * (1 + self.t)
        self.cdf = 0.5 * erfc(-x * _SQRT_HALF)
        return x * self.cdf

    def backward(self, g):
        x = self.x
        if self.approximate == "tanh":
            t = self.t
            dinner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner)
        pdf = _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
        return g * (self.cdf + x * pdf)


class Softplus(Op):
    """y = log(1 + e^(βx)) / β, and x itself where βx > threshold;  dx = g * sigmoid(βx)"""

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        self.bx = bx = x * self.beta
        self.linear = bx > self.threshold
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|) never overflows
        soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / self.beta
        return xp.where(self.linear, x, soft)

    def backward(self, g):
        return xp.where(self.linear, g, g * stable_sigmoid(self.bx))


class SiLU(Op):
    """y = x sigmoid(x);  dx = g s (1 + x (1 - s)) with s = sigmoid(x)"""

    def forward(self, x):
        self.x, self.s = x, stable_sigmoid(x)
        return x * self.s

    def backward(self, g):
        s = self.s
        return g * s * (1 + self.x * (1 - s))


class Mish(Op):
    """y = x tanh(softplus(x));  dx = g (t + x (1 - t²) sigmoid(x)) with t = tanh(softplus(x))"""

    def forward(self, x):
        self.x = x
        # softplus as max(x, 0) + log1p(e^-|x|): no overflow for large |x|
        self.t = xp.tanh(xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x))))
        return x * self.t

    def backward(self, g):
        t = self.t
        return g * (t + self.x * (1 - t * t) * stable_sigmoid(self.x))


class Hardtanh(Op):
    """y = min(max(x, low), high);  dx = g strictly between low and high, else 0 (as PyTorch,
    whose gradient is 0 at the bounds themselves, unlike clamp's)"""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def forward(self, x):
        self.inside = (x > self.low) & (x < self.high)
        return xp.clip(x, self.low, self.high).astype(x.dtype, copy=False)  # integers stay integers

    def backward(self, g):
        return g * self.inside


class Hardsigmoid(Op):
    """y = min(max(x / 6 + 1/2, 0), 1);  dx = g / 6 for -3 < x < 3, else 0"""

    def forward(self, x):
        self.inside = (x > -3) & (x < 3)
        return xp.clip(x / 6 + 0.5, 0, 1)

    def backward(self, g):
        return g * self.inside / 6


class Hardswish(Op):
    """y = x hardsigmoid(x);  dx = 0 for x <= -3, g (x/3 + 1/2) for -3 < x < 3, g for x >= 3"""

    def forward(self, x):
        self.x = x
        return x * xp.clip(x / 6 + 0.5, 0, 1)

    def backward(self, g):
        x = self.x
        slope = xp.where(x >= 3, 1, x / 3 + 0.5)
        return xp.where(x <= -3, 0, g * slope)


class LogSigmoid(Op):
    """y = log sigmoid(x) = min(x, 0) - log(1 + e^-|x|);  dx = g sigmoid(-x)"""

    def forward(self, x):
        self.x = x
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, g):
        return g * stable_sigmoid(-self.x)


class Softsign(Op):
    """y = x / (1 + |x|);  dx = g / (1 + |x|)²"""

    def forward(self, x):
        self.denominator = 1 + xp.abs(x)
        return x / self.denominator

    def backward(self, g):
        d = self.denominator
        return g / d / d  # not g / d², which overflows for |x| > 1e19 in float32


class Tanhshrink(Op):
    """y = x - tanh x;  dx = g tanh² x"""

    def forward(self, x):
        self.t = xp.tanh(x)
        return x - self.t

    def backward(self, g):
        return g * (self.t * self.t)


class Hardshrink(Op):
    """y = x where |x| > λ, else 0;  dx = g where |x| > λ, else 0"""

    def __init__(self, lambd):
        self.lambd = lambd

    def forward(self, x):
        self.keep = xp.abs(x) > self.lambd
        return xp.where(self.keep, x, 0)

    def backward(self, g):
        return g * self.keep


class Softshrink(Hardshrink):
    """y = x - λ sign(x) where |x| > λ, else 0;  dx = g where |x| > λ, else 0"""

    def forward(self, x):
        self.keep = xp.abs(x) > self.lambd
        return xp.where(self.keep, x - self.lambd * xp.sign(x), 0)


class Threshold(Op):
    """y = x where x > threshold, else value;  dx = g where x > threshold, else 0"""

    def __init__(self, threshold, value):
        self.threshold, self.value = threshold, value

    def forward(self, x):
        self.keep = x > self.threshold
        return xp.where(self.keep, x, self.value).astype(x.dtype, copy=False)  # as for Hardtanh

    def backward(self, g):
        return g * self.keep


class PReLU(Op):
    """y = x if x > 0 else w x, w broadcast over x (one slope per channel);
    dx = g, or g w;  dw = Σ g x over the elements where x <= 0, summed to w's shape"""

    def forward(self, x, weight):
        self.x, self.weight = x, weight
        self.positive = x > 0
        return xp.where(self.positive, x, weight * x)

    def backward(self, g):
        gx = gw = None
        if self.needs_input_grad[0]:
            gx = unbroadcast(xp.where(self.positive, g, g * self.weight), self.x.shape)
        if self.needs_input_grad[1]:
            gw = unbroadcast(xp.where(self.positive, 0, g * self.x), self.weight.shape)
        return gx, gw
