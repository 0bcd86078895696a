"""Elementwise functions of one input, each forward beside its derivative.

Where the derivative is cheaper from the output than from the input (exp, sqrt, tanh,
sigmoid), the forward keeps its output instead of its input.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op, unbroadcast


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
