"""One MNIST epoch of the 784-512-10 MLP (RMSprop, batch 128, float32) three ways, same data
and batch order: chainrule's ``fit``, a bare chainrule loop, and a hand-written PyTorch loop.

Reports fit / PyTorch (target <= 0.8), fit / bare loop (fit's own overhead, target <= 1.05),
and the peak memory that building the model and training it add to a process that has
already imported both libraries and loaded the data; every figure comes from a fresh process.

Run:  CHAINRULE_DATA=../shared/data python benchmarks/bench_fit.py
"""
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _compare import chainrule_steps, memory_kib, reset_peak_memory, run_child, torch_steps  # noqa: E402

SEED = 0
BATCH = 128


def load():
    import chainrule as cr

    (x, y), _ = cr.datasets.mnist.load_data()
    return (x.reshape(len(x), -1) / 255.0).astype(np.float32), y.astype(np.int64)


def order(n):
    import chainrule as cr

    cr.manual_seed(SEED)
    return cr.random.generator().permutation(n)


def run_fit(x, y):
    import chainrule as cr
    from chainrule import nn

    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10), nn.Softmax(dim=-1))
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cr.manual_seed(SEED)  # fit's shuffle is then the same permutation as order(n)
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    return time.perf_counter() - start


def run_bare(x, y):
    from chainrule import nn, optim

    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    optimizer = optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    perm = order(len(x))
    return chainrule_steps(model, optimizer, x, y,
                           (perm[i:i + BATCH] for i in range(0, len(x), BATCH)))


def run_torch(x, y):
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    perm = order(len(x))
    return torch_steps(model, optimizer, x, y, (perm[i:i + BATCH] for i in range(0, len(x), BATCH)))


RUNNERS = {"fit": run_fit, "bare": run_bare, "torch": run_torch}


def child(kind, mode):
    """One epoch in this fresh process.

    mode 'time': after a short warm-up (BLAS threads, first-touch pages), the epoch's seconds.
    mode 'memory': no warm-up; the peak resident memory the model and the epoch add (KiB)
    over the process after imports and data loading.
    """
    import torch  # noqa: F401  (both libraries loaded in every child: the same starting point)

    import chainrule  # noqa: F401

    x, y = load()
    if mode == "time":
        RUNNERS[kind](x[:1024], y[:1024])
        print(json.dumps({"seconds": RUNNERS[kind](x, y)}))
        return
    baseline = memory_kib("VmRSS")
    reset_peak_memory()
    RUNNERS[kind](x, y)
    print(json.dumps({"peak_kib": memory_kib("VmHWM") - baseline}))


def measure(kind, mode):
    return run_child(__file__, kind, mode)


def main(rounds=3):
    times = {kind: [] for kind in RUNNERS}
    peaks = {kind: [] for kind in RUNNERS}
    for _ in range(rounds):  # interleaved, so drift on the machine hits all three alike
        for kind in RUNNERS:
            times[kind].append(measure(kind, "time")["seconds"])
            peaks[kind].append(measure(kind, "memory")["peak_kib"])
    seconds = {k: statistics.median(v) for k, v in times.items()}
    peak = {k: statistics.median(v) / 1024 for k, v in peaks.items()}
    for kind in RUNNERS:
        print(f"{kind:<6} epoch {seconds[kind]:6.2f} s   peak memory added {peak[kind]:7.1f} MiB")
    fit_vs_torch = seconds["fit"] / seconds["torch"]
    overhead = seconds["fit"] / seconds["bare"]
    memory = peak["fit"] / max(peak["torch"], 1e-9)
    print(f"fit / torch loop   {fit_vs_torch:5.2f}  (target <= 0.80)")
    print(f"fit / bare loop    {overhead:5.2f}  (target <= 1.05)")
    print(f"peak memory fit / torch {memory:5.2f}  (target <= 1.00)")
    return 0 if fit_vs_torch <= 0.8 and overhead <= 1.05 and memory <= 1.0 else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
