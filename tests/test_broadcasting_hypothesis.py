"""Broadcasting of the binary ops, over shapes drawn by hypothesis.

For every pair (or triple, for where) of mutually broadcastable shapes: the forward equals
NumPy's, every gradient has its input's shape, and every gradient equals a reference
computed here independently of chainrule's ``unbroadcast``: the local derivative on the
broadcast shape, summed back onto each input element with ``np.bincount`` over the
broadcast index map.  Where torch is installed, its gradients are checked too.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import chainrule as cr

try:
    import torch
except ImportError:
    torch = None

SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
TWO_SHAPES = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=3)
THREE_SHAPES = mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=0, max_side=3)
SEEDS = st.integers(0, 2**32 - 1)


def sum_to_shape(full, shape):
    """Sum ``full`` (of a broadcast shape) onto an array of ``shape``: each element of the result
    gathers every position of ``full`` that broadcasting copied it to."""
    size = int(np.prod(shape))
    owner = np.broadcast_to(np.arange(size).reshape(shape), full.shape)
    return np.bincount(owner.ravel(), weights=full.ravel(), minlength=size).reshape(shape)


# name: (chainrule op, numpy forward, local derivatives (a, b, out) -> (d out/d a, d out/d b))
BINARY = {
    "add": (lambda a, b: a + b, np.add, lambda a, b, y: (np.ones_like(y), np.ones_like(y))),
    "sub": (lambda a, b: a - b, np.subtract, lambda a, b, y: (np.ones_like(y), -np.ones_like(y))),
    "mul": (lambda a, b: a * b, np.multiply, lambda a, b, y: (b + 0 * a, a + 0 * b)),
    "div": (lambda a, b: a / b, np.divide, lambda a, b, y: (1 / b + 0 * a, -y / b)),
    "pow": (lambda a, b: a ** b, np.power, lambda a, b, y: (b * a ** (b - 1), y * np.log(a))),
    "maximum": (cr.maximum, np.maximum, lambda a, b, y: ((a > b) + 0.0 * y, (b > a) + 0.0 * y)),
    "minimum": (cr.minimum, np.minimum, lambda a, b, y: ((a < b) + 0.0 * y, (b < a) + 0.0 * y)),
}


def _draw(rng, shapes, op):
    """Inputs for ``op``: a positive base for pow, divisors away from 0, no ties for max/min."""
    a = rng.uniform(0.5, 2.0, shapes[0]) if op == "pow" else rng.standard_normal(shapes[0])
    if op == "div":
        b = rng.choice([-1.0, 1.0], shapes[1]) * rng.uniform(0.5, 2.0, shapes[1])
    elif op in ("maximum", "minimum"):   # a in (-3, 3) by steps of 0.5 plus 0.25: never equal to b
        b = rng.integers(-6, 6, shapes[1]) * 0.5
        a = rng.integers(-6, 6, shapes[0]) * 0.5 + 0.25
    else:
        b = rng.standard_normal(shapes[1])
    return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)  # 0-d arrays, not scalars


def _check(name, result, arrays, inputs, grads_expected, torch_fn=None):
    for i, (x, expected) in enumerate(zip(inputs, grads_expected)):
        where = f"{name}: gradient of input {i} (shape {arrays[i].shape}, shapes {[a.shape for a in arrays]})"
        assert x.grad is not None, f"{where}: missing"
        assert x.grad.shape == arrays[i].shape, f"{where}: has shape {x.grad.shape}"
        np.testing.assert_allclose(x.grad.data, expected, rtol=1e-10, atol=1e-12, err_msg=where)
    if torch is not None and torch_fn is not None:
        tx = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = torch_fn(*tx)
        out.backward(torch.from_numpy(np.ones(out.shape)))
        for i, t in enumerate(tx):
            got = np.zeros_like(arrays[i]) if t.grad is None else t.grad.numpy()
            np.testing.assert_allclose(inputs[i].grad.data, got, rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name}: gradient of input {i} differs from torch's")


TORCH_BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
    "maximum": lambda a, b: torch.maximum(a, b), "minimum": lambda a, b: torch.minimum(a, b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shapes=TWO_SHAPES, seed=SEEDS)
def test_binary_op_broadcasts(name, shapes, seed):
    op, numpy_op, local = BINARY[name]
    input_shapes, out_shape = shapes
    arrays = _draw(np.random.default_rng(seed), input_shapes, name)
    inputs = [cr.Tensor(a, requires_grad=True) for a in arrays]
    out = op(*inputs)
    expected = numpy_op(*arrays)
    label = f"{name} of shapes {input_shapes}"
    assert out.shape == expected.shape == out_shape, (
        f"{label}: output shape {out.shape}, NumPy {expected.shape}")
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=0, err_msg=f"{label}: forward")
    g = np.random.default_rng(seed + 1).standard_normal(out_shape)
    out.backward(g)
    a, b = np.broadcast_arrays(*arrays)
    da, db = local(a, b, expected)
    grads = [sum_to_shape(g * da, arrays[0].shape), sum_to_shape(g * db, arrays[1].shape)]
    torch_fn = TORCH_BINARY[name]
    _check(label, out, arrays, inputs, grads,
           torch_fn=lambda *t: (torch_fn(*t) * torch.from_numpy(g)).sum() if torch is not None else None)


@SETTINGS
@given(shapes=THREE_SHAPES, seed=SEEDS)
def test_where_broadcasts(shapes, seed):
    (cond_shape, a_shape, b_shape), out_shape = shapes
    rng = np.random.default_rng(seed)
    cond = np.asarray(rng.random(cond_shape) < 0.5)
    arrays = [rng.standard_normal(a_shape), rng.standard_normal(b_shape)]
    inputs = [cr.Tensor(x, requires_grad=True) for x in arrays]
    out = cr.where(cond, *inputs)
    label = f"where of shapes {cond_shape}, {a_shape}, {b_shape}"
    expected = np.where(cond, *arrays)
    assert out.shape == expected.shape == out_shape, f"{label}: output shape {out.shape}"
    np.testing.assert_array_equal(out.data, expected, err_msg=f"{label}: forward")
    g = rng.standard_normal(out_shape)
    out.backward(g)
    full_cond = np.broadcast_to(cond, out_shape)
    grads = [sum_to_shape(np.where(full_cond, g, 0.0), a_shape),
             sum_to_shape(np.where(full_cond, 0.0, g), b_shape)]
    _check(label, out, arrays, inputs, grads,
           torch_fn=lambda a, b: (torch.where(torch.from_numpy(cond), a, b) * torch.from_numpy(g)).sum())


MATMUL_SHAPES = mutually_broadcastable_shapes(signature="(m?,n),(n,p?)->(m?,p?)", min_dims=0, max_dims=3,
                                              min_side=1, max_side=3)


@SETTINGS
@given(shapes=MATMUL_SHAPES, seed=SEEDS)
def test_matmul_broadcasts_batch_dims(shapes, seed):
    (a_shape, b_shape), out_shape = shapes
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(a_shape), rng.standard_normal(b_shape)]
    inputs = [cr.Tensor(x, requires_grad=True) for x in arrays]
    out = inputs[0] @ inputs[1]
    label = f"matmul of shapes {a_shape} @ {b_shape}"
    expected = np.matmul(*arrays)
    assert out.shape == expected.shape == out_shape, (
        f"{label}: output shape {out.shape}, NumPy {expected.shape}")
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14, err_msg=f"{label}: forward")
    g = rng.standard_normal(out_shape)
    out.backward(g)
    # reference: promote 1-D operands to matrices, form both products on the full batch shape,
    # then sum each back onto its operand with the broadcast index map
    a2 = arrays[0][None, :] if len(a_shape) == 1 else arrays[0]
    b2 = arrays[1][:, None] if len(b_shape) == 1 else arrays[1]
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    g2 = g.reshape(batch + (a2.shape[-2], b2.shape[-1]))   # with the dims 1-D operands dropped
    full_a = np.broadcast_to(g2 @ np.swapaxes(b2, -1, -2), batch + a2.shape[-2:])
    full_b = np.broadcast_to(np.swapaxes(a2, -1, -2) @ g2, batch + b2.shape[-2:])
    grads = [sum_to_shape(full_a, a2.shape).reshape(a_shape), sum_to_shape(full_b, b2.shape).reshape(b_shape)]
    _check(label, out, arrays, inputs, grads,
           torch_fn=lambda a, b: ((a @ b) * torch.from_numpy(g)).sum())


def test_sum_to_shape_reference():
    """The reference itself: copies are summed, kept dims are not."""
    full = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sum_to_shape(full, (1, 3)), [[3.0, 5.0, 7.0]])
    np.testing.assert_array_equal(sum_to_shape(full, (2, 1)), [[3.0], [12.0]])
    np.testing.assert_array_equal(sum_to_shape(full, ()), 15.0)
    np.testing.assert_array_equal(sum_to_shape(full, (3,)), [3.0, 5.0, 7.0])
