"""One MNIST epoch of LeNet-5 (conv 6@5x5 pad 2, max pool, conv 16@5x5, max pool, 120, 84, 10;
ReLU; Adam; batch 64; float32), chainrule against a hand-written PyTorch loop, same data,
initial weights and batch order.

Each figure comes from a fresh process (both libraries imported in every one, so they start
alike), alternating the libraries over the rounds; reported are the median epoch times, their
ratio (target <= 1.0) and the peak memory each adds over its first steps (target <= 1.5x).

Run:  CHAINRULE_DATA=../shared/data python benchmarks/bench_lenet.py [--rounds N]
"""
import json
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _compare import (  # noqa: E402
    chainrule_steps, memory_kib, require_torch, reset_peak_memory, run_child, torch_steps,
)

SEED, BATCH, MEMORY_STEPS = 0, 64, 50


def load():
    import chainrule as cr

    (x, y), _ = cr.datasets.mnist.load_data()
    return (x[:, None] / 255.0).astype(np.float32), y.astype(np.int64)


def lenet(nn):
    """LeNet-5 from either library's ``nn`` (the two share every name used here)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def batches(n, steps):
    order = np.random.default_rng(SEED).permutation(n)
    return [order[i:i + BATCH] for i in range(0, n, BATCH)][:steps]


def run_chainrule(x, y, steps=None):
    import chainrule as cr
    from chainrule import nn, optim

    cr.manual_seed(SEED)
    model = lenet(nn)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    return chainrule_steps(model, optimizer, x, y, batches(len(x), steps))


def run_torch(x, y, steps=None):
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(os.cpu_count() or 1)
    model = lenet(torch.nn)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return torch_steps(model, optimizer, x, y, batches(len(x), steps))


RUNNERS = {"chainrule": run_chainrule, "torch": run_torch}


def child(kind, mode):
    """mode 'time': the epoch's seconds after a 20-step warm-up; mode 'memory': the peak
    resident memory (KiB) that the model and its first steps add to the loaded process."""
    import torch  # noqa: F401

    import chainrule  # noqa: F401

    x, y = load()
    if mode == "time":
        RUNNERS[kind](x, y, steps=20)
        print(json.dumps({"seconds": RUNNERS[kind](x, y)}))
        return
    baseline = memory_kib("VmRSS")
    reset_peak_memory()
    RUNNERS[kind](x, y, steps=MEMORY_STEPS)
    print(json.dumps({"peak_kib": memory_kib("VmHWM") - baseline}))


def measure(kind, mode):
    return run_child(__file__, kind, mode)


def main():
    require_torch("bench_lenet")
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    times = {kind: [] for kind in RUNNERS}
    peaks = {kind: [] for kind in RUNNERS}
    for round_ in range(rounds):
        kinds = list(RUNNERS) if round_ % 2 == 0 else list(RUNNERS)[::-1]
        for kind in kinds:
            times[kind].append(measure(kind, "time")["seconds"])
            peaks[kind].append(measure(kind, "memory")["peak_kib"] / 1024)
    for kind in RUNNERS:
        print(f"{kind:<10} epoch {statistics.median(times[kind]):6.2f} s "
              f"({', '.join(f'{t:.2f}' for t in times[kind])})   "
              f"peak memory added {statistics.median(peaks[kind]):6.1f} MiB")
    ratio = statistics.median(times["chainrule"]) / statistics.median(times["torch"])
    memory = statistics.median(peaks["chainrule"]) / max(statistics.median(peaks["torch"]), 1e-9)
    print(f"epoch time chainrule / torch  {ratio:5.2f}  (target <= 1.0)")
    print(f"peak memory chainrule / torch {memory:5.2f}  (target <= 1.5)")
    return 0 if ratio <= 1.0 and memory <= 1.5 else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
