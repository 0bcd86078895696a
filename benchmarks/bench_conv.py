"""Convolution benchmarks against PyTorch, in the same run: forward + backward, float32.

The two convolutions of LeNet-5 at batch 64 ((64, 1, 28, 28) 6@5x5 pad 2, and
(64, 6, 14, 14) 16@5x5), a wider 3x3 layer ((32, 64, 32, 32) 64@3x3 pad 1), and a
transposed convolution that upsamples; each timed with the input requiring grad (so dx,
dW and db are all computed) and in inference (forward only, no graph).  The gradient fed
back is a fixed dense array, so both libraries do the same work.

Run:  python benchmarks/bench_conv.py          (BENCH_THREADS=1 for one thread)
"""
import os
import sys

import numpy as np

import chainrule as cr
import chainrule.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from _compare import compare, report, require_torch  # noqa: E402

torch = require_torch("bench_conv")

# name, function name, input shape, weight shape, keyword arguments, limits on the ratio
# (fwd+bwd, forward).  The goal is 1.0; the limits are today's ratios (2 threads, 2-core AMD
# EPYC, NumPy's OpenBLAS against PyTorch's oneDNN/MKL) with headroom, a guard against regressions.
CASES = [
    ("conv2d LeNet-1 (64,1,28,28) 6@5x5 pad 2", "conv2d", (64, 1, 28, 28), (6, 1, 5, 5), dict(padding=2),
     (1.3, 4.0)),
    ("conv2d LeNet-2 (64,6,14,14) 16@5x5", "conv2d", (64, 6, 14, 14), (16, 6, 5, 5), {}, (2.5, 7.0)),
    ("conv2d (32,64,32,32) 64@3x3 pad 1", "conv2d", (32, 64, 32, 32), (64, 64, 3, 3), dict(padding=1),
     (3.5, 3.5)),
    ("conv_transpose2d (32,32,16,16) 16@4x4 s2 p1", "conv_transpose2d", (32, 32, 16, 16), (32, 16, 4, 4),
     dict(stride=2, padding=1), (3.5, 4.5)),
]


def bench(fn_name, x_shape, w_shape, kwargs, train):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = (0.1 * rng.standard_normal(w_shape)).astype(np.float32)
    b_size = w_shape[0] if fn_name == "conv2d" else w_shape[1]
    b = rng.standard_normal(b_size).astype(np.float32)
    ours_fn, theirs_fn = getattr(F, fn_name), getattr(torch.nn.functional, fn_name)
    xc, wc, bc = (cr.tensor(a, requires_grad=train) for a in (x, w, b))
    xt, wt, bt = (torch.tensor(a, requires_grad=train) for a in (x, w, b))
    g = rng.standard_normal(tuple(theirs_fn(xt, wt, bt, **kwargs).shape)).astype(np.float32)
    gt = torch.tensor(g)
    np.testing.assert_allclose(ours_fn(xc, wc, bc, **kwargs).numpy(),
                               theirs_fn(xt, wt, bt, **kwargs).detach().numpy(), atol=1e-3)

    def run_ours():
        if train:
            ours_fn(xc, wc, bc, **kwargs).backward(g)
        else:
            with cr.no_grad():
                ours_fn(xc, wc, bc, **kwargs)

    def run_theirs():
        if train:
            theirs_fn(xt, wt, bt, **kwargs).backward(gt)
        else:
            with torch.no_grad():
                theirs_fn(xt, wt, bt, **kwargs)

    return compare(run_ours, run_theirs, rounds=7, repeats=5)


def main():
    threads = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    ok = True
    for name, fn_name, x_shape, w_shape, kwargs, (train_limit, infer_limit) in CASES:
        ok &= report(name + ", fwd+bwd", *bench(fn_name, x_shape, w_shape, kwargs, True), train_limit)
        ok &= report(name + ", forward", *bench(fn_name, x_shape, w_shape, kwargs, False), infer_limit)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
