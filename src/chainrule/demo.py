"""A first look at the engine: a small network learns two interleaved spirals by backpropagation.

Nothing but tensors, ``backward()`` and a hand-written gradient-descent update, so every
step of learning is visible in these few lines.  Run it with ``chainrule demo``.
"""
import math

import chainrule as cr
from chainrule.backend import xp


def spirals(points_per_class=100, noise=0.1, seed=0):
    """Two spirals in the plane, one per class: not separable by a straight line."""
    rng = xp.random.default_rng(seed)
    t = xp.sqrt(rng.random(points_per_class)) * 3 * math.pi
    arm = xp.stack([t * xp.cos(t), t * xp.sin(t)], axis=1) / (3 * math.pi)
    x = xp.concatenate([arm, -arm]) + noise * rng.standard_normal((2 * points_per_class, 2)) / 3
    y = xp.concatenate([xp.zeros(points_per_class), xp.ones(points_per_class)])
    return x.astype(xp.float32), y.astype(xp.float32)[:, None]


def init_layer(fan_in, fan_out):
    """Weights scaled by 1/sqrt(fan_in) so that signals neither vanish nor explode at the start."""
    w = cr.randn(fan_in, fan_out) * (1 / math.sqrt(fan_in))
    return w.requires_grad_(), cr.zeros(fan_out, requires_grad=True)


def run(steps=2000, hidden=32, lr=0.5, seed=0, report_every=200, log=print):
    """Train a 2-hidden-32-1 tanh network with full-batch gradient descent; return the final loss."""
    cr.manual_seed(seed)
    x, y = spirals(seed=seed)
    x, y = cr.tensor(x), cr.tensor(y)
    params = [*init_layer(2, hidden), *init_layer(hidden, hidden), *init_layer(hidden, 1)]
    w1, b1, w2, b2, w3, b3 = params
    log(f"Training a 2-{hidden}-{hidden}-1 network on two spirals ({len(x)} points) "
        "with plain gradient descent")
    for step in range(1, steps + 1):
        hidden1 = (x @ w1 + b1).tanh()
        hidden2 = (hidden1 @ w2 + b2).tanh()
        logits = hidden2 @ w3 + b3
        # binary cross-entropy from logits: softplus(z) - y z, written with stable primitives
        loss = (cr.softplus(logits) - y * logits).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with cr.no_grad():
            for p in params:
                p -= lr * p.grad
        if step == 1 or step % report_every == 0:
            accuracy = ((logits.data > 0) == (y.data > 0.5)).mean()
            log(f"step {step:5d}   loss {loss.item():.4f}   accuracy {accuracy:.3f}")
    return loss.item()
