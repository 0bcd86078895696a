"""Layer benchmarks against PyTorch, in the same run: forward + backward, float32.

Linear (a small and a large batch), BatchNorm1d, BatchNorm2d and LayerNorm in training
mode, and a Linear-BatchNorm1d-ReLU-Dropout-Linear model in eval mode (inference).
The gradient fed back is a fixed dense array, so both libraries do the same work.

Run:  python benchmarks/bench_layers.py
"""
import os
import sys

import numpy as np

import chainrule as cr
import chainrule.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from _compare import compare, report, require_torch  # noqa: E402

torch = require_torch("bench_layers")


def bench_layer(ours, theirs, shape, train=True):
    """forward + backward of one layer on an input of ``shape``; eval mode: forward only."""
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.train(train), theirs.train(train)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    x_cr, x_t = cr.tensor(x, requires_grad=train), torch.tensor(x, requires_grad=train)
    out_shape = tuple(theirs(x_t).shape)
    g = rng.standard_normal(out_shape).astype(np.float32)
    g_t = torch.tensor(g)

    def run_ours():
        if train:
            ours(x_cr).backward(g)
        else:
            with cr.no_grad():
                ours(x_cr)

    def run_theirs():
        if train:
            theirs(x_t).backward(g_t)
        else:
            with torch.no_grad():
                theirs(x_t)

    return compare(run_ours, run_theirs, rounds=7, repeats=10)


def mlp(lib):
    return lib.Sequential(lib.Linear(784, 512), lib.BatchNorm1d(512), lib.ReLU(), lib.Dropout(0.2),
                          lib.Linear(512, 10))


CASES = [
    ("Linear 784->512, batch 32", lambda: (nn.Linear(784, 512), torch.nn.Linear(784, 512)),
     (32, 784)),
    ("Linear 784->512, batch 512", lambda: (nn.Linear(784, 512), torch.nn.Linear(784, 512)),
     (512, 784)),
    ("Linear 64->64 on (16, 32, 64)", lambda: (nn.Linear(64, 64), torch.nn.Linear(64, 64)),
     (16, 32, 64)),
    ("BatchNorm1d(512), batch 256", lambda: (nn.BatchNorm1d(512), torch.nn.BatchNorm1d(512)),
     (256, 512)),
    ("BatchNorm2d(64) on (32, 64, 16, 16)", lambda: (nn.BatchNorm2d(64), torch.nn.BatchNorm2d(64)),
     (32, 64, 16, 16)),
    ("LayerNorm(512) on (32, 64, 512)", lambda: (nn.LayerNorm(512), torch.nn.LayerNorm(512)),
     (32, 64, 512)),
]


def main():
    threads = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    ok = True
    for name, make, shape in CASES:
        ours, theirs = make()
        ok &= report(f"{name}, fwd+bwd", *bench_layer(ours, theirs, shape), limit=2.0)
    ok &= report("MLP 784-512-10 with BatchNorm, eval, batch 256",
                 *bench_layer(mlp(nn), mlp(torch.nn), (256, 784), train=False), limit=2.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
