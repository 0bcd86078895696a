"""Optimizer step benchmarks against PyTorch, in the same run.

One ``optimizer.step()`` (gradients already in place) over two parameter sets:

- ``10 x 1M``: 10 million float32 parameters in 10 tensors, where the step is bound by
  memory bandwidth; SGD with momentum, Adam and RMSprop must be at most as slow as PyTorch;
- ``MLP``: the 784-512-10 MLP's parameters, shapes (512, 784), (512,), (10, 512), (10,)
  (407,050 elements), the step of a small model's training loop.  Reported, not judged:
  NumPy makes one pass over the arrays per operation (SGD with momentum: 4 passes, RMSprop:
  9) where PyTorch fuses a multiply-add into one, and at this size the passes are most of
  the time.

Plain SGD (``p -= lr * g``: 2 passes to PyTorch's 1) is reported for both.  PyTorch runs
with all cores and picks its own implementation (foreach / fused / per-tensor) by default.
Each ratio is the median over interleaved rounds (see ``_compare``), with one difference:
each library's block of timed steps starts after a pause and one untimed step.  PyTorch's
OpenMP threads keep spinning for ~10 ms after its last parallel operation, and on a
machine whose cores share execution units the steps that follow (of either library) run
up to 50% slower; timed straight after PyTorch, chainrule's first steps would pay for it.

Run:  python benchmarks/bench_optim.py [rounds]
"""
import os
import statistics
import sys
import time

import numpy as np

import chainrule as cr

sys.path.insert(0, os.path.dirname(__file__))
from _compare import median_seconds, report, require_torch  # noqa: E402

torch = require_torch("bench_optim")

SETS = {
    "10 x 1M": ([(1_000_000,)] * 10, 7),  # shapes, step calls per timing
    "MLP": ([(512, 784), (512,), (10, 512), (10,)], 50),
}
INFO = float("inf")  # a limit that only reports
CASES = [  # label, optimizer, options, limit per parameter set
    ("SGD(momentum=0.9)", "SGD", dict(lr=1e-3, momentum=0.9), {"10 x 1M": 1.0, "MLP": INFO}),
    ("Adam", "Adam", dict(lr=1e-3), {"10 x 1M": 1.0, "MLP": INFO}),
    ("RMSprop", "RMSprop", dict(lr=1e-3), {"10 x 1M": 1.0, "MLP": INFO}),
    ("SGD", "SGD", dict(lr=1e-3), {"10 x 1M": INFO, "MLP": INFO}),
]


SETTLE_SECONDS = 0.05  # longer than PyTorch's OpenMP threads spin after their last task


def settle(fn):
    """A pause (the other library's threads go to sleep), then one untimed call of ``fn``."""
    time.sleep(SETTLE_SECONDS)
    fn()


def compare(ours, theirs, rounds, repeats, warmup):
    """Median seconds per call of ``ours`` and ``theirs`` over interleaved, settled rounds."""
    for fn in (ours, theirs):
        settle(fn)
        for _ in range(warmup):
            fn()
    our_times, their_times = [], []
    for _ in range(rounds):
        settle(ours)
        our_times.append(median_seconds(ours, repeats))
        settle(theirs)
        their_times.append(median_seconds(theirs, repeats))
    a, b = statistics.median(our_times), statistics.median(their_times)
    return a, b, a / b


def make_pair(shapes, name, kwargs):
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]
    grads = [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]
    ours = [cr.nn.Parameter(cr.tensor(v.copy())) for v in values]
    theirs = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values]
    for p, q, g in zip(ours, theirs, grads):
        p.grad = cr.tensor(g.copy())
        q.grad = torch.from_numpy(g.copy())
    opt_ours = getattr(cr.optim, name)(ours, **kwargs)
    opt_theirs = getattr(torch.optim, name)(theirs, **kwargs)
    return opt_ours, opt_theirs


def main(rounds=9):
    torch.set_num_threads(os.cpu_count())
    print(f"one optimizer step; torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} cores; median of {rounds} interleaved rounds")
    ok = True
    for set_name, (shapes, repeats) in SETS.items():
        for label, name, kwargs, limits in CASES:
            opt_ours, opt_theirs = make_pair(shapes, name, kwargs)
            ours, theirs, ratio = compare(opt_ours.step, opt_theirs.step, rounds=rounds,
                                          repeats=repeats, warmup=5)
            limit = limits[set_name]
            if limit == INFO:
                print(f"{label + ' step, ' + set_name:<44} chainrule {ours * 1e3:9.3f} ms   "
                      f"torch {theirs * 1e3:9.3f} ms   ratio {ratio:5.2f} (reported)")
            else:
                ok &= report(f"{label} step, {set_name}", ours, theirs, ratio, limit)
            del opt_ours, opt_theirs
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(*(int(a) for a in sys.argv[1:2])) else 1)
