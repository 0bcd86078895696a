"""Arithmetic with broadcasting: each forward beside its vector-Jacobian product.

Binary rules send their gradients through ``unbroadcast``, which sums a gradient back to
its input's shape.  Ops with a Python-scalar operand keep the scalar as an attribute, so
the scalar never becomes an array and never changes the tensor's dtype.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op, unbroadcast


class Add(Op):
    """out = a + b;  da = g,  db = g"""

    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return a + b

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, self.a_shape) if need_a else None,
                unbroadcast(g, self.b_shape) if need_b else None)


class Sub(Op):
    """out = a - b;  da = g,  db = -g"""

    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return a - b

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, self.a_shape) if need_a else None,
                unbroadcast(-g, self.b_shape) if need_b else None)


class Mul(Op):
    """out = a * b;  da = g * b,  db = g * a"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g * self.b, self.a.shape) if need_a else None,
                unbroadcast(g * self.a, self.b.shape) if need_b else None)


class Div(Op):
    """out = a / b;  da = g / b,  db = -g * a / b²"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        a, b = self.a, self.b
        return (unbroadcast(g / b, a.shape) if need_a else None,
                unbroadcast(-g * a / (b * b), b.shape) if need_b else None)


class Pow(Op):
    """out = a ** b;  da = g * b * a^(b-1),  db = g * out * log(a)  (0 where a = 0 and b >= 0)"""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a ** b
        return self.out

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        a, b = self.a, self.b
        ga = gb = None
        if need_a:
            ga = unbroadcast(g * xp.where(b == 0, 0, b * a ** (b - 1)), a.shape)
        if need_b:
            with xp.errstate(divide="ignore", invalid="ignore"):
                log_a = xp.log(a)
            gb = unbroadcast(g * xp.where((a == 0) & (b >= 0), 0, self.out * log_a), b.shape)
        return ga, gb


class Neg(Op):
    """out = -x;  dx = -g"""

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class AddScalar(Op):
    """out = x + c;  dx = g"""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x + self.c

    def backward(self, g):
        return g


class MulScalar(Op):
    """out = x * c;  dx = g * c"""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x * self.c

    def backward(self, g):
        return g * self.c


class DivScalar(Op):
    """out = x / c;  dx = g / c"""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x / self.c

    def backward(self, g):
        return g / self.c


class RSubScalar(Op):
    """out = c - x;  dx = -g"""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return self.c - x

    def backward(self, g):
        return -g


class RDivScalar(Op):
    """out = c / x;  dx = -g * c / x² = -g * out / x"""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        self.x = x
        self.out = self.c / x
        return self.out

    def backward(self, g):
        return -g * self.out / self.x


class PowScalar(Op):
    """out = x ** p;  dx = g * p * x^(p-1)  (0 when p = 0)"""

    def __init__(self, p):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def backward(self, g):
        p = self.p
        if p == 0:
            return xp.zeros_like(g)
        if p == 2:
            return g * 2 * self.x
        return g * p * self.x ** (p - 1)


class RPowScalar(Op):
    """out = c ** x;  dx = g * out * log(c)  (0 where c = 0 and x >= 0)"""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        self.x = x
        self.out = self.c ** x
        return self.out

    def backward(self, g):
        if self.c == 0:  # log(0) = -inf: the rule is 0 where 0 ** x is flat, undefined elsewhere
            return xp.where(self.x >= 0, 0 * g, xp.nan * g)
        return g * self.out * xp.log(self.c)



class Remainder(Op):
    """out = a - b ⌊a/b⌋, with the sign of b (Python's %);  da = g,  db = -g ⌊a/b⌋"""

    divide = staticmethod(xp.remainder)
    round_quotient = staticmethod(xp.floor)

    def forward(self, a, b):
        self.a, self.b = a, b
        return self.divide(a, b)

    def backward(self, g):
        need_a, need_b = self.needs_input_grad
        return (unbroadcast(g, self.a.shape) if need_a else None,
                unbroadcast(-g * self.round_quotient(self.a / self.b), self.b.shape) if need_b else None)


class Fmod(Remainder):
    """out = a - b trunc(a/b), with the sign of a (C's fmod);  da = g,  db = -g trunc(a/b)"""

    divide = staticmethod(xp.fmod)
    round_quotient = staticmethod(xp.trunc)
