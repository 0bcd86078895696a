"""Shared timing helpers: the same work timed in chainrule and PyTorch, interleaved, in one run.

Absolute times on shared machines drift; what we report is the ratio of medians taken
in alternating rounds, so both libraries see the same machine conditions.
"""
import statistics
import sys
import time


def require_torch(benchmark):
    """PyTorch, the other side of every comparison; without it the benchmark has no point."""
    try:
        import torch
    except ImportError:
        sys.exit(f"{benchmark}: PyTorch is needed for the comparison (pip install torch==2.13.0)")
    return torch


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(ours, theirs, rounds=7, repeats=5, warmup=2):
    """Median time per call of ``ours`` and ``theirs`` over interleaved rounds, and their ratio."""
    for _ in range(warmup):
        ours()
        theirs()
    our_times, their_times = [], []
    for _ in range(rounds):
        our_times.append(median_seconds(ours, repeats))
        their_times.append(median_seconds(theirs, repeats))
    a, b = statistics.median(our_times), statistics.median(their_times)
    return a, b, a / b


def report(name, ours, theirs, ratio, limit):
    verdict = "ok" if ratio <= limit else "OVER"
    print(f"{name:<44} chainrule {ours * 1e3:9.3f} ms   torch {theirs * 1e3:9.3f} ms   "
          f"ratio {ratio:5.2f} (limit {limit:.2f}) {verdict}")
    return ratio <= limit


def memory_kib(field):
    """A field of /proc/self/status in KiB (VmRSS: resident now, VmHWM: peak), 0 if absent."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak_memory():
    """Make VmHWM start again from the current resident size (Linux only)."""
    with open("/proc/self/clear_refs", "w") as file:
        file.write("5")


def run_child(script, kind, mode):
    """Run ``script --child kind mode`` in a fresh process and return the JSON it prints last.

    A PyTorch child gets CHAINRULE_KEEP_FREED_MEMORY=0: it imports chainrule too (to load the
    same data), and each library should run with its own default malloc settings.
    """
    import json
    import os
    import subprocess

    env = dict(os.environ)
    if kind == "torch":
        env["CHAINRULE_KEEP_FREED_MEMORY"] = "0"
    out = subprocess.run([sys.executable, script, "--child", kind, mode], capture_output=True,
                         text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def chainrule_steps(model, optimizer, x, y, row_batches):
    """Train ``model`` on the rows of (x, y) that each entry of ``row_batches`` names (one step
    per entry, cross-entropy on logits, the loss read back as a training loop would); the
    seconds it took."""
    import time

    import chainrule as cr
    from chainrule.nn import functional as F

    start = time.perf_counter()
    for rows in row_batches:
        loss = F.cross_entropy(model(cr.Tensor(x[rows])), cr.Tensor(y[rows]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    return time.perf_counter() - start


def torch_steps(model, optimizer, x, y, row_batches):
    """``chainrule_steps`` written for PyTorch: the same steps on the same rows; the seconds."""
    import time

    import torch

    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    start = time.perf_counter()
    for rows in row_batches:
        rows = torch.from_numpy(rows)
        loss = loss_fn(model(xt[rows]), yt[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    return time.perf_counter() - start
