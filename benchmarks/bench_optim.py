"""Optimizer step benchmarks against PyTorch, in the same run.

One ``optimizer.step()`` over 10 million float32 parameters (10 tensors of 1M elements,
gradients already in place), for SGD with momentum, Adam and RMSprop.  PyTorch runs with
all cores and picks its own implementation (foreach / fused / per-tensor) by default.

Run:  python benchmarks/bench_optim.py
"""
import os
import sys

import numpy as np

import chainrule as cr

sys.path.insert(0, os.path.dirname(__file__))
from _compare import compare, report  # noqa: E402

try:
    import torch
except ImportError:  # the comparison is the point of this file
    sys.exit("bench_optim: PyTorch is needed for the comparison (pip install torch==2.13.0)")

N_TENSORS, SIZE = 10, 1_000_000
LIMIT = 1.0

CASES = [
    ("SGD(momentum=0.9)", "SGD", dict(lr=1e-3, momentum=0.9)),
    ("Adam", "Adam", dict(lr=1e-3)),
    ("RMSprop", "RMSprop", dict(lr=1e-3)),
]


def make_pair(name, kwargs):
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(SIZE, dtype=np.float32) for _ in range(N_TENSORS)]
    grads = [rng.standard_normal(SIZE, dtype=np.float32) for _ in range(N_TENSORS)]
    ours = [cr.nn.Parameter(cr.tensor(v.copy())) for v in values]
    theirs = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values]
    for p, q, g in zip(ours, theirs, grads):
        p.grad = cr.tensor(g.copy())
        q.grad = torch.from_numpy(g.copy())
    opt_ours = getattr(cr.optim, name)(ours, **kwargs)
    opt_theirs = getattr(torch.optim, name)(theirs, **kwargs)
    return opt_ours, opt_theirs


def main():
    torch.set_num_threads(os.cpu_count())
    print(f"one step over {N_TENSORS} x {SIZE:,} float32 parameters; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} cores")
    ok = True
    for label, name, kwargs in CASES:
        opt_ours, opt_theirs = make_pair(name, kwargs)
        ours, theirs, ratio = compare(opt_ours.step, opt_theirs.step, rounds=7, repeats=5, warmup=3)
        ok &= report(f"{label} step", ours, theirs, ratio, LIMIT)
        del opt_ours, opt_theirs
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
