"""The backward pass: deep graphs, accumulation, graph freeing, grad mode, hooks, anomaly
detection, in-place safety, memory, and the gradients the leaves end up with."""
import gc
import inspect
import math
import os
import tracemalloc
import weakref

import numpy as np
import pytest

import chainrule as cr
from chainrule import Tensor


def _line_after():
    """The line number right after the caller's current line."""
    return inspect.currentframe().f_back.f_lineno + 1


# --------------------------------------------------------------------------- deep graphs
def test_chain_of_100k_ops_backpropagates_without_recursion():
    x = cr.tensor(1.0, dtype=cr.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    assert x.grad is not None
    assert x.grad.item() == pytest.approx(1.00001 ** 100_000, rel=1e-9)


def test_deep_graph_can_be_dropped_without_backward():
    x = cr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    del y  # deallocating a deep chain must not overflow the C stack
    gc.collect()
    assert x.grad is None


# --------------------------------------------------------------------------- accumulation
def test_gradients_accumulate_across_backward_calls():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 7.0])
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_grad_zero_under_no_grad_then_accumulate():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    x.grad.zero_()
    (x * 4).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 4.0])


def test_backward_on_a_leaf():
    x = cr.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


# --------------------------------------------------------------------------- graph freeing
def test_second_backward_without_retain_graph_raises():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_second_backward_through_shared_subgraph_raises():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    h.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (h * 2).sum().backward()


def test_retain_graph_allows_second_backward_and_doubles_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(first, [2.0, 4.0])
    np.testing.assert_allclose(x.grad.data, 2 * first)


def test_nodes_are_freed_after_backward():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    inner = weakref.ref(h.grad_fn)
    middle = weakref.ref((h_exp := h.exp()).grad_fn)
    y = h_exp.sum()
    del h, h_exp
    assert inner() is not None and middle() is not None
    y.backward()
    gc.collect()
    assert inner() is None and middle() is None  # y itself is still alive
    assert y.grad_fn.released and y.grad_fn.inputs is None  # the root let go of its inputs


def test_retain_graph_keeps_nodes():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    inner = weakref.ref(h.grad_fn)
    y = h.exp().sum()
    del h
    y.backward(retain_graph=True)
    gc.collect()
    assert inner() is not None


# --------------------------------------------------------------------------- gradient argument
def test_backward_non_scalar_requires_gradient():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"gradient.*\(3,\)|\(3,\).*gradient"):
        y.backward()
    assert x.grad is None
    y.backward(gradient=cr.tensor([1.0, 0.5, -1.0]))
    np.testing.assert_allclose(x.grad.data, [2.0, 1.0, -2.0])


def test_backward_gradient_wrong_shape_raises():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        (x * 2).backward(gradient=cr.ones(3))


def test_backward_accepts_array_gradient():
    x = cr.tensor([[1.0, 2.0]], requires_grad=True)
    (x * x).backward(np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(x.grad.data, [[2.0, 4.0]])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.tensor([1.0]).sum().backward()


# --------------------------------------------------------------------------- grad mode
def test_no_grad_context_builds_no_graph():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with cr.no_grad():
        assert not cr.is_grad_enabled()
        y = (x * 2).exp().sum()
        assert not y.requires_grad and y.grad_fn is None
    assert cr.is_grad_enabled()
    assert (x * 2).requires_grad


def test_no_grad_decorator():
    x = cr.tensor([1.0, 2.0], requires_grad=True)

    @cr.no_grad()
    def f(t):
        assert not cr.is_grad_enabled()
        return t * 2

    y = f(x)
    assert not y.requires_grad and y.grad_fn is None
    assert cr.is_grad_enabled()
    assert f.__name__ == "f"


def test_enable_grad_inside_no_grad_and_nesting_restores():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with cr.no_grad():
        with cr.enable_grad():
            assert cr.is_grad_enabled()
            y = x * 2
            assert y.requires_grad
            with cr.no_grad():
                assert not (x * 2).requires_grad
            assert cr.is_grad_enabled()
        assert not cr.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert cr.is_grad_enabled()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_enable_grad_decorator_inside_no_grad():
    x = cr.tensor([1.0], requires_grad=True)

    @cr.enable_grad()
    def f(t):
        return t * 2

    with cr.no_grad():
        assert f(x).requires_grad
        assert not cr.is_grad_enabled()


def test_no_grad_restores_after_exception():
    with pytest.raises(ValueError):
        with cr.no_grad():
            raise ValueError("boom")
    assert cr.is_grad_enabled()


def test_set_grad_enabled():
    x = cr.tensor([1.0], requires_grad=True)
    with cr.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with cr.set_grad_enabled(True):
        assert (x * 2).requires_grad
    assert cr.is_grad_enabled()


# --------------------------------------------------------------------------- hooks
def test_hook_on_leaf_sees_gradient_and_can_replace_it():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    def hook(g):
        seen.append(g)
        return g * 10

    handle = x.register_hook(hook)
    (x * 3).sum().backward()
    assert len(seen) == 1 and isinstance(seen[0], Tensor)
    np.testing.assert_allclose(seen[0].data, [3.0, 3.0])
    np.testing.assert_allclose(x.grad.data, [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


def test_hook_returning_none_keeps_gradient():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: None)
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


def test_leaf_hook_runs_once_on_the_summed_gradient():
    # x is used three times; as in PyTorch the hook sees the total gradient, once
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.data.copy()))
    (x * x + x.exp()).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * x.data + np.exp(x.data), rtol=1e-6)


def test_leaf_hook_nonlinear_replacement_applies_to_total():
    x = cr.tensor([1.0], requires_grad=True)
    x.register_hook(lambda g: g.clamp(-1.0, 1.0))  # clip the whole gradient (6) to 1
    (x * 3 + x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0])


def test_hook_on_non_leaf_sees_gradient_and_can_replace_it():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    seen = []

    def hook(g):
        seen.append(g)
        return cr.full((2,), 5.0)

    handle = y.register_hook(hook)
    (y * y).sum().backward()
    assert len(seen) == 1 and isinstance(seen[0], Tensor)
    np.testing.assert_allclose(seen[0].data, [4.0, 8.0])  # d(y²)/dy = 2y
    np.testing.assert_allclose(x.grad.data, [10.0, 10.0])  # replaced 5 times dy/dx = 2
    assert y.grad is None  # non-leaf gradients are not kept unless retain_grad
    handle.remove()
    x.grad = None
    y = x * 2
    (y * y).sum().backward()
    assert len(seen) == 1


def test_non_leaf_hook_removed():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    calls = []
    handle = y.register_hook(lambda g: calls.append(1))
    handle.remove()
    handle.remove()  # removing twice is harmless
    (y * y).sum().backward(retain_graph=True)
    assert calls == []


def test_hook_returning_wrong_shape_raises():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: cr.ones(3))
    with pytest.raises(RuntimeError, match=r"hook.*\(3,\).*\(2,\)"):
        (x * 2).sum().backward()
    y = cr.tensor([1.0, 2.0], requires_grad=True)
    h = y * 2
    h.register_hook(lambda g: cr.ones(2, 2))
    with pytest.raises(RuntimeError, match="hook"):
        h.sum().backward()


def test_hook_returning_other_dtype_keeps_leaf_dtype():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g.double() * 2)
    (x * 3).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0])


def test_register_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="require"):
        cr.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    assert isinstance(y.grad, Tensor) and not y.grad.requires_grad
    np.testing.assert_allclose(y.grad.data, [4.0, 8.0])
    np.testing.assert_allclose(x.grad.data, [8.0, 16.0])


def test_retain_grad_on_a_value_used_twice():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * 3 + y.exp()).sum().backward()
    np.testing.assert_allclose(y.grad.data, 3 + np.exp(y.data), rtol=1e-6)


# --------------------------------------------------------------------------- detect_anomaly
@pytest.fixture
def quiet_numpy():
    with np.errstate(all="ignore"):
        yield


def test_anomaly_forward_names_op_and_user_line(quiet_numpy):
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    with cr.detect_anomaly():
        assert cr.is_anomaly_enabled()
        y = x * 2  # finite: fine
        with pytest.raises(FloatingPointError) as info:
            line = _line_after()
            y.log()
    message = str(info.value)
    assert "Log" in message
    assert f"{os.path.basename(__file__)}:{line}" in message
    assert "inf" in message
    assert not cr.is_anomaly_enabled()


def test_anomaly_forward_nan(quiet_numpy):
    x = cr.tensor([-1.0, 1.0], requires_grad=True)
    with cr.detect_anomaly():
        with pytest.raises(FloatingPointError, match="Sqrt.*nan"):
            x.sqrt()


def test_anomaly_forward_on_tensors_without_grad(quiet_numpy):
    with cr.detect_anomaly():
        with pytest.raises(FloatingPointError, match="Log"):
            cr.tensor([0.0]).log()


def test_anomaly_backward_names_op_and_line(quiet_numpy):
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    with cr.detect_anomaly():
        line = _line_after()
        r = x.sqrt()
        y = (r * 0.0).sum()  # forward finite; backward of sqrt at 0 gives 0 / 0
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    message = str(info.value)
    assert "backward" in message and "Sqrt" in message and "nan" in message
    assert f"{os.path.basename(__file__)}:{line}" in message


def test_anomaly_backward_inf(quiet_numpy):
    x = cr.tensor([0.0, 4.0], requires_grad=True)
    with cr.detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(FloatingPointError, match="Sqrt.*inf"):
            y.backward()


def test_anomaly_backward_of_graph_built_outside(quiet_numpy):
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    y = (x.sqrt() * 0.0).sum()
    with cr.detect_anomaly():
        with pytest.raises(FloatingPointError, match="Sqrt") as info:
            y.backward()
    assert "None" not in str(info.value)


def test_anomaly_decorator(quiet_numpy):
    @cr.detect_anomaly()
    def f(t):
        return t.log()

    with pytest.raises(FloatingPointError, match="Log"):
        f(cr.tensor([0.0], requires_grad=True))
    assert not cr.is_anomaly_enabled()


def test_no_anomaly_check_outside(quiet_numpy):
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    y = x.log()
    assert np.isinf(y.data[0])
    z = cr.tensor([0.0, 1.0], requires_grad=True)
    (z.sqrt() * 0.0).sum().backward()
    assert np.isnan(z.grad.data[0])


# --------------------------------------------------------------------------- in-place safety
INPLACE = {
    "+=": lambda t: t.__iadd__(1.0),
    "-=": lambda t: t.__isub__(1.0),
    "*=": lambda t: t.__imul__(2.0),
    "/=": lambda t: t.__itruediv__(2.0),
    "add_": lambda t: t.add_(1.0),
    "zero_": lambda t: t.zero_(),
    "sub_": lambda t: t.sub_(cr.tensor([1.0, 1.0]), alpha=0.5),
    "mul_": lambda t: t.mul_(3.0),
    "div_": lambda t: t.div_(cr.tensor([1.0, 4.0])),
    "fill_": lambda t: t.fill_(7.0),
    "copy_": lambda t: t.copy_(cr.tensor([5.0, 6.0])),
    "setitem": lambda t: t.__setitem__(0, 9.0) or t,
}
EXPECTED = {"+=": [2.0, 3.0], "-=": [0.0, 1.0], "*=": [2.0, 4.0], "/=": [0.5, 1.0],
            "add_": [2.0, 3.0], "zero_": [0.0, 0.0], "sub_": [0.5, 1.5], "mul_": [3.0, 6.0],
            "div_": [1.0, 0.5], "fill_": [7.0, 7.0], "copy_": [5.0, 6.0], "setitem": [9.0, 2.0]}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_on_leaf_requiring_grad_raises(name):
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place") as info:
        INPLACE[name](w)
    assert "no_grad" in str(info.value)
    assert w.tolist() == [1.0, 2.0]


def test_inplace_operator_syntax_raises():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\+="):
        w += 1
    with pytest.raises(RuntimeError, match=r"\*="):
        w *= 2


def test_inplace_on_non_leaf_raises():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="in-place"):
        y += 1


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_allowed_under_no_grad(name):
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    with cr.no_grad():
        out = INPLACE[name](w)
    assert out is w
    assert w.tolist() == EXPECTED[name]
    assert w.requires_grad and w.is_leaf


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_allowed_without_requires_grad(name):
    w = cr.tensor([1.0, 2.0])
    assert INPLACE[name](w) is w
    assert w.tolist() == EXPECTED[name]


def test_inplace_on_integer_tensor_with_float_raises():
    i = cr.tensor([1, 2, 3])
    with pytest.raises(TypeError, match=r"\+=.*int64"):
        i += 1.5
    assert i.tolist() == [1, 2, 3]
    i += 2
    assert i.tolist() == [3, 4, 5]


def test_writing_a_tensor_that_requires_grad_in_place_raises():
    # the value's gradient would be silently lost, so refuse (PyTorch would track it)
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    buf = cr.zeros(2)
    with pytest.raises(RuntimeError, match="setitem.*requires grad"):
        buf[0] = (w * 2).sum()
    with pytest.raises(RuntimeError, match="copy_.*requires grad"):
        buf.copy_(w * 2)
    assert buf.tolist() == [0.0, 0.0]
    buf[0] = (w * 2).sum().detach()
    with cr.no_grad():
        buf[1] = w[1]
    assert buf.tolist() == [6.0, 2.0]


def test_inplace_with_tensor_operand():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    with cr.no_grad():
        w -= 0.5 * cr.tensor([2.0, 2.0])
    assert w.tolist() == [0.0, 1.0]


def test_inplace_change_of_saved_tensor_is_detected():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, 4.0])
    y = x * w
    with cr.no_grad():
        w += 1
    with pytest.raises(RuntimeError, match="in place"):
        y.sum().backward()


def test_inplace_change_of_saved_parameter_is_detected():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    with cr.no_grad():
        w.mul_(2.0)
    with pytest.raises(RuntimeError, match="in place"):
        y.backward()


def test_inplace_change_after_backward_is_fine():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, 4.0])
    (x * w).sum().backward()
    w += 1
    x.grad = None
    (x * w).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 5.0])


def test_inplace_on_unrelated_tensor_does_not_break_backward():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    other = cr.tensor([5.0])
    other += 1
    y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


# --------------------------------------------------------------------------- memory
def test_memory_stays_flat_over_training_steps():
    cr.manual_seed(0)
    x, target = cr.randn(16, 4), cr.randn(16, 1)
    w1 = (cr.randn(4, 8) * 0.5).requires_grad_()
    b1 = cr.zeros(8, requires_grad=True)
    w2 = (cr.randn(8, 1) * 0.5).requires_grad_()
    b2 = cr.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    losses = []

    def step():
        h = (x @ w1 + b1).tanh()
        loss = ((h @ w2 + b2 - target) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with cr.no_grad():
            for p in params:
                p -= 0.05 * p.grad
        return loss.item()

    gc.collect()
    tracemalloc.start()
    try:
        for i in range(2000):
            losses.append(step())
            if i == 199:
                gc.collect()
                at_200 = tracemalloc.get_traced_memory()[0]
        gc.collect()
        at_2000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # 1,800 more steps; a leak of even one small array per step would exceed this
    assert abs(at_2000 - at_200) < 64 * 1024 + 1800 * 8 * 3
    assert losses[-1] < losses[0]  # and it really trained


# --------------------------------------------------------------------------- gradients
def test_diamond_graph():
    x = cr.tensor([0.5, -1.0, 2.0], dtype=cr.float64, requires_grad=True)
    y = x * x + x.exp()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data + np.exp(x.data))


def test_shared_intermediate():
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    h = x.tanh()
    y = (h * h + h * 3.0 + h.exp()).sum()
    y.backward()
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad.data, (2 * t + 3 + np.exp(t)) * (1 - t ** 2))


def test_same_tensor_twice_in_one_op():
    x = cr.tensor([3.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.tolist() == [6.0]
    y = cr.tensor([3.0], requires_grad=True)
    (y + y + y).sum().backward()
    assert y.grad.tolist() == [3.0]


def test_leaves_not_requiring_grad_keep_none():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, 4.0])
    b = cr.tensor(1.0)
    (x * w + b).sum().backward()
    assert w.grad is None and b.grad is None
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])


def test_unreached_leaf_keeps_none():
    x = cr.tensor([1.0], requires_grad=True)
    unused = cr.tensor([2.0], requires_grad=True)
    _ = unused * 2  # a graph that is never backpropagated
    (x * 2).sum().backward()
    assert unused.grad is None


def test_grad_is_a_tensor_without_history():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    assert isinstance(g, Tensor)
    assert not g.requires_grad and g.grad_fn is None and g.is_leaf
    assert g.dtype == x.dtype and g.shape == x.shape


def test_grad_is_writable_and_not_aliased_between_leaves():
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data[0] = 100.0
    a.grad += 1
    assert b.grad.tolist() == [1.0, 1.0]
    assert a.grad.tolist() == [101.0, 2.0]
    assert not np.shares_memory(a.grad.data, b.grad.data)


def test_grad_not_aliased_with_broadcast_or_upstream_arrays():
    a = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = cr.tensor([1.0, 1.0], requires_grad=True)
    y = a + b
    g = np.ones((2, 2), dtype=np.float32)
    y.backward(g)
    a.grad.data[...] = 7.0  # the gradient of a must be its own, writable array
    assert np.all(g == 1.0)
    assert b.grad.tolist() == [2.0, 2.0]
    s = cr.tensor([[1.0, 2.0]], requires_grad=True)
    s.sum().backward()  # the gradient of sum is a broadcast; .grad must still be writable
    s.grad.data[0, 0] = 5.0
    assert s.grad.tolist() == [[5.0, 1.0]]


def test_grad_of_broadcast_operand():
    a = cr.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = cr.tensor([10.0, 20.0, 30.0], requires_grad=True)
    c = cr.tensor(2.0, requires_grad=True)
    ((a * b) * c).sum().backward()
    np.testing.assert_allclose(b.grad.data, [10.0, 14.0, 18.0])
    np.testing.assert_allclose(a.grad.data, [[20.0, 40.0, 60.0]] * 2)
    assert c.grad.shape == ()
    assert c.grad.item() == pytest.approx(float((a.data * b.data).sum()))


def test_branch_without_grad_contributes_nothing():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with cr.no_grad():
        frozen = x * 100
    y = (x * 2 + frozen).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_detach_stops_gradient():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x.detach()).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 2.0])


def test_backward_under_no_grad_still_works():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with cr.no_grad():
        y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])
    assert cr.is_grad_enabled()


def test_grad_mode_restored_after_failing_backward():
    x = cr.tensor([1.0], requires_grad=True)
    w = cr.tensor([1.0])
    y = x * w
    w += 1
    with pytest.raises(RuntimeError):
        y.sum().backward()
    assert cr.is_grad_enabled()


def test_long_chain_math_matches_closed_form():
    x = cr.tensor(0.3, dtype=cr.float64, requires_grad=True)
    y = x
    for _ in range(50):
        y = y.sin()
    y.backward()
    value, grad = 0.3, 1.0
    for _ in range(50):
        grad *= math.cos(value)
        value = math.sin(value)
    assert y.item() == pytest.approx(value)
    assert x.grad.item() == pytest.approx(grad)


def test_set_grad_enabled_as_decorator_keeps_its_mode():
    x = cr.ones(2, requires_grad=True)

    @cr.set_grad_enabled(False)
    def off(t):
        return t * 2

    @cr.set_grad_enabled(True)
    def on(t):
        return t * 2

    assert off(x).requires_grad is False
    with cr.no_grad():
        assert on(x).requires_grad is True
    assert cr.is_grad_enabled()
