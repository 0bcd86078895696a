"""Recurrent layers against PyTorch, in the same run: forward + backward, float32.

LSTM (sequence 50, batch 64, input 128, hidden 256) is the headline case; GRU, a tanh RNN
and a 2-layer bidirectional LSTM follow.  The gradient fed back into the output is a fixed
dense array and h_n (and c_n) also receive one, so both libraries do the same work.
With ``--memory`` each case also reports the peak memory of one forward + backward,
measured in a fresh subprocess per library (growth of the peak resident set over the set-up).

Run:  python benchmarks/bench_rnn.py [--memory]
"""
import os
import subprocess
import sys

import numpy as np

import chainrule as cr
import chainrule.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from _compare import compare, memory_kib, report, require_torch  # noqa: E402

torch = require_torch("bench_rnn")

SEQ, BATCH, INPUT, HIDDEN = 50, 64, 128, 256
CASES = {
    "LSTM": dict(cls="LSTM", kw={}),
    "GRU": dict(cls="GRU", kw={}),
    "RNN tanh": dict(cls="RNN", kw={}),
    "LSTM 2 layers bidirectional": dict(cls="LSTM", kw=dict(num_layers=2, bidirectional=True)),
}


def setup(name, libraries=("chainrule", "torch")):
    """forward + backward of one case for each of ``libraries``, with the same weights, input
    and output gradients (nothing is run here, so a memory probe starts clean)."""
    case = CASES[name]
    theirs = getattr(torch.nn, case["cls"])(INPUT, HIDDEN, **case["kw"])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32)
    layers = case["kw"].get("num_layers", 1) * (2 if case["kw"].get("bidirectional") else 1)
    width = HIDDEN * (2 if case["kw"].get("bidirectional") else 1)
    shapes = [(SEQ, BATCH, width)] + [(layers, BATCH, HIDDEN)] * (2 if case["cls"] == "LSTM" else 1)
    grads = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]
    runs = []
    if "chainrule" in libraries:
        ours = getattr(nn, case["cls"])(INPUT, HIDDEN, **case["kw"])
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        x_cr, grads_cr = cr.tensor(x, requires_grad=True), [cr.tensor(g) for g in grads]

        def run_ours():
            out, state = ours(x_cr)
            total = (out * grads_cr[0]).sum()
            for s, g in zip(state if isinstance(state, tuple) else (state,), grads_cr[1:]):
                total = total + (s * g).sum()
            total.backward()
        runs.append(run_ours)
    if "torch" in libraries:
        x_t, grads_t = torch.tensor(x, requires_grad=True), [torch.tensor(g) for g in grads]

        def run_theirs():
            out, state = theirs(x_t)
            total = (out * grads_t[0]).sum()
            for s, g in zip(state if isinstance(state, tuple) else (state,), grads_t[1:]):
                total = total + (s * g).sum()
            total.backward()
        runs.append(run_theirs)
    return runs


def peak_memory(name, library):
    """Peak resident-memory growth (MiB) of one forward + backward, in a fresh process."""
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); "
            f"import bench_rnn as b; b._child({name!r}, {library!r})")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return float(result.stdout.split()[-1])


def _child(name, library):
    run, = setup(name, (library,))
    before = memory_kib("VmHWM")
    run()
    print((memory_kib("VmHWM") - before) / 1024)


def main():
    threads = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    print(f"numpy {np.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"seq {SEQ}, batch {BATCH}, input {INPUT}, hidden {HIDDEN}")
    ok = True
    for name in CASES:
        result = compare(*setup(name), rounds=5, repeats=3)
        limit = 1.2 if name == "LSTM" else 1.5
        ok &= report(f"{name}, fwd+bwd", *result, limit=limit)
        if "--memory" in sys.argv:
            ours, theirs = peak_memory(name, "chainrule"), peak_memory(name, "torch")
            print(f"{'':<44} peak memory: chainrule {ours:7.1f} MiB   torch {theirs:7.1f} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
