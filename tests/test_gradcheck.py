"""gradcheck: passes correct gradients, catches a wrong one and says where."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.ops.base import Op
from chainrule.tensor import apply


class Square(Op):
    """y = x²;  dx = 2 g x"""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return 2 * g * self.x


class WrongSquare(Square):
    """y = x², with the deliberately wrong rule dx = 3 g x"""

    def backward(self, g):
        return 3 * g * self.x


class WrongSecondInput(Op):
    """y = a * b, with the gradient for b off by one"""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        return g * self.b, g * self.a + 1.0


def test_gradcheck_correct_builtin_ops():
    cr.manual_seed(0)
    a = cr.randn(2, 3, requires_grad=True)
    b = cr.randn(3, 2, requires_grad=True)
    assert cr.gradcheck(lambda a, b: (a @ b).tanh(), (a, b)) is True
    assert cr.gradcheck(lambda x: (x * x).sum(), cr.randn(4, requires_grad=True)) is True
    assert cr.gradcheck(lambda x: x.exp() / x.exp().sum(), cr.randn(5, requires_grad=True))


def test_gradcheck_correct_custom_op():
    x = cr.tensor([1.0, -2.0, 3.0], requires_grad=True)
    assert cr.gradcheck(lambda x: apply(Square(), x), x) is True


def test_gradcheck_passes_through_non_tensor_and_frozen_inputs():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, -1.0])  # does not require grad: not checked, but used
    assert cr.gradcheck(lambda x, w, k: (x * w) ** k, (x, w, 2)) is True


def test_gradcheck_wrong_gradient_raises_with_details():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(cr.GradcheckError) as info:
        cr.gradcheck(lambda x: apply(WrongSquare(), x), x, seed=0)
    message = str(info.value)
    # the projection weights gradcheck uses with seed=0: analytic 3wx, numeric 2wx
    w = np.random.default_rng(0).standard_normal(3)
    analytic, numeric = 3 * w * x.data, 2 * w * x.data
    worst = int(np.argmax(np.abs(analytic - numeric) - 1e-3 * np.abs(numeric)))
    assert "input 0" in message
    assert f"element ({worst},)" in message
    assert "analytic" in message and "numeric" in message
    assert f"analytic {analytic[worst]:.4f}" in message
    assert f"numeric {numeric[worst]:.4f}" in message


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_gradcheck_fails_where_the_numeric_gradient_is_nan():
    # sqrt near 0: the step x - eps leaves the domain, so the central difference is NaN;
    # a NaN compares False with every tolerance, and must not slip through as a pass
    x = cr.tensor(np.array([1e-7, 1.0]), requires_grad=True)
    with pytest.raises(cr.GradcheckError, match=r"element \(0,\).*numeric nan"):
        cr.gradcheck(cr.sqrt, x)


def test_gradcheck_names_the_wrong_input():
    a = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = cr.tensor([[0.5, -1.0], [2.0, 1.5]], requires_grad=True)
    with pytest.raises(cr.GradcheckError) as info:
        cr.gradcheck(lambda a, b: apply(WrongSecondInput(), a, b), (a, b))
    message = str(info.value)
    assert "input 1" in message and "(2, 2)" in message
    assert "element (" in message


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(cr.GradcheckError, AssertionError)


def test_gradcheck_does_not_touch_the_callers_inputs():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    cr.gradcheck(lambda x: (x * x).sum(), x)
    assert x.grad is None
    assert x.dtype == np.float32 and x.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("inputs", [
    cr.tensor([1.0, 2.0]),
    (cr.tensor([1.0]), cr.tensor([2.0])),
    (cr.tensor([1.0]), 3.0),
])
def test_gradcheck_without_inputs_requiring_grad_raises(inputs):
    with pytest.raises(ValueError, match="requires grad"):
        cr.gradcheck(lambda *args: args[0] * 2, inputs)
