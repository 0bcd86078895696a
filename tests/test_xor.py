"""The engine alone learns XOR: tensors, ops, backward and a hand-written gradient step."""
import numpy as np

import chainrule as cr


def train_xor(seed, steps=3000, lr=2.0):
    cr.manual_seed(seed)
    x = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = cr.tensor([[0.0], [1.0], [1.0], [0.0]])
    w1 = cr.randn(2, 4, requires_grad=True)
    b1 = cr.zeros(4, requires_grad=True)
    w2 = cr.randn(4, 1, requires_grad=True)
    b2 = cr.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    losses = []
    for _ in range(steps):
        hidden = (x @ w1 + b1).sigmoid()
        out = (hidden @ w2 + b2).sigmoid()
        loss = ((out - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with cr.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
    with cr.no_grad():
        out = ((x @ w1 + b1).sigmoid() @ w2 + b2).sigmoid()
    return losses, out


def test_xor_converges():
    losses, out = train_xor(seed=0)
    assert losses[0] > 0.1  # it started out wrong
    assert losses[-1] < 0.01
    assert not out.requires_grad
    np.testing.assert_array_equal(out.data.round().ravel(), [0.0, 1.0, 1.0, 0.0])


def test_xor_training_is_reproducible():
    first, _ = train_xor(seed=3, steps=50)
    second, _ = train_xor(seed=3, steps=50)
    assert first == second
