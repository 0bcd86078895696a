"""Pooling, upsampling and Embedding against PyTorch, in the same run: forward + backward, float32.

MaxPool2d(2) on the feature maps of a LeNet-5 (64, 6, 28, 28) and (64, 16, 10, 10), an
overlapping MaxPool2d(3, 2, 1), AvgPool2d(2), global AdaptiveAvgPool2d(1), Upsample(2), and
Embedding(10000, 128) on a batch of (64, 50) token indices (uniform, and Zipf-distributed:
frequent tokens repeat hundreds of times, the hard case for the weight gradient).
The gradient fed back is a fixed dense array, so both libraries do the same work.

Run:  python benchmarks/bench_pooling.py
"""
import os
import sys

import numpy as np

import chainrule as cr
import chainrule.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from _compare import compare, report, require_torch  # noqa: E402

torch = require_torch("bench_pooling")


def bench_layer(ours, theirs, shape):
    """forward + backward of a parameter-free layer on a float32 input of ``shape``."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    x_cr, x_t = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g = rng.standard_normal(tuple(theirs(x_t).shape)).astype(np.float32)
    g_t = torch.tensor(g)
    return compare(lambda: ours(x_cr).backward(g), lambda: theirs(x_t).backward(g_t), rounds=7, repeats=10)


def bench_embedding(indices):
    """forward + backward of Embedding(10000, 128) (the same weights) on integer ``indices``."""
    theirs = torch.nn.Embedding(10000, 128)
    ours = nn.Embedding(10000, 128)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    g = np.random.default_rng(1).standard_normal(indices.shape + (128,)).astype(np.float32)
    idx_cr, idx_t, g_t = cr.tensor(indices), torch.tensor(indices), torch.tensor(g)

    def run_ours():
        ours.weight.grad = None
        ours(idx_cr).backward(g)

    def run_theirs():
        theirs.weight.grad = None
        theirs(idx_t).backward(g_t)

    return compare(run_ours, run_theirs, rounds=7, repeats=10)


CASES = [
    ("MaxPool2d(2) on (64, 6, 28, 28)", lambda m: m.MaxPool2d(2), (64, 6, 28, 28)),
    ("MaxPool2d(2) on (64, 16, 10, 10)", lambda m: m.MaxPool2d(2), (64, 16, 10, 10)),
    ("MaxPool2d(3, 2, 1) on (32, 16, 28, 28)", lambda m: m.MaxPool2d(3, 2, 1), (32, 16, 28, 28)),
    ("AvgPool2d(2) on (64, 6, 28, 28)", lambda m: m.AvgPool2d(2), (64, 6, 28, 28)),
    ("AdaptiveAvgPool2d(1) on (64, 64, 8, 8)", lambda m: m.AdaptiveAvgPool2d(1), (64, 64, 8, 8)),
    ("Upsample(scale_factor=2) on (16, 16, 14, 14)", lambda m: m.Upsample(scale_factor=2), (16, 16, 14, 14)),
]


def main():
    threads = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    ok = True
    for name, make, shape in CASES:
        ok &= report(f"{name}, fwd+bwd", *bench_layer(make(nn), make(torch.nn), shape), limit=2.0)
    rng = np.random.default_rng(2)
    uniform = rng.integers(0, 10000, (64, 50))
    zipf = np.minimum(rng.zipf(1.3, (64, 50)), 9999)
    ok &= report("Embedding(10000, 128) on (64, 50), fwd+bwd", *bench_embedding(uniform), limit=2.0)
    ok &= report("  same, Zipf-distributed indices", *bench_embedding(zipf), limit=2.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
