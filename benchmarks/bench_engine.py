"""Engine benchmarks against PyTorch, in the same run.

1. Overhead: forward + backward of a chain of 10,000 small ops on tensors of 64 elements.
2. One training step (forward, backward) of a 784-512-10 ReLU network, batch 128, float32.

Run:  python benchmarks/bench_engine.py
"""
import os
import sys

import numpy as np

import chainrule as cr

sys.path.insert(0, os.path.dirname(__file__))
from _compare import compare, report, require_torch  # noqa: E402

torch = require_torch("bench_engine")


def chain(lib_tanh, x, n):
    y = x
    for i in range(n):
        step = i % 4
        if step == 0:
            y = y * 1.0001
        elif step == 1:
            y = y + 0.001
        elif step == 2:
            y = lib_tanh(y)
        else:
            y = y - 0.001
    return y.sum()


def bench_overhead(n=10_000):
    x_cr = cr.randn(64, requires_grad=True)
    x_t = torch.randn(64, requires_grad=True)

    def ours():
        chain(cr.tanh, x_cr, n).backward()

    def theirs():
        chain(torch.tanh, x_t, n).backward()

    return compare(ours, theirs, rounds=5, repeats=3)


def bench_mlp_step(batch=128):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    w1 = (rng.standard_normal((512, 784)) * 0.05).astype(np.float32)
    b1 = np.zeros(512, np.float32)
    w2 = (rng.standard_normal((10, 512)) * 0.05).astype(np.float32)
    b2 = np.zeros(10, np.float32)

    cr_params = [cr.tensor(p, requires_grad=True) for p in (w1, b1, w2, b2)]
    cr_x, cr_rows = cr.tensor(x), np.arange(batch)
    t_params = [torch.tensor(p, requires_grad=True) for p in (w1, b1, w2, b2)]
    t_x, t_labels, t_rows = torch.tensor(x), torch.tensor(labels), torch.arange(batch)

    def step(lib, params, inputs, rows, targets):
        w1, b1, w2, b2 = params
        hidden = lib.relu(inputs @ w1.T + b1)
        logits = hidden @ w2.T + b2
        loss = -lib.log_softmax(logits, 1)[rows, targets].mean()
        for p in params:
            p.grad = None
        loss.backward()

    def ours():
        step(cr, cr_params, cr_x, cr_rows, labels)

    def theirs():
        step(torch, t_params, t_x, t_rows, t_labels)

    return compare(ours, theirs, rounds=7, repeats=20)


def main():
    torch.set_num_threads(os.cpu_count() or 1)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    ok = report("10,000 small ops, forward+backward", *bench_overhead(), limit=1.0)
    ok &= report("784-512-10 MLP step, batch 128, float32", *bench_mlp_step(), limit=1.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
