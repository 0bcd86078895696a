"""Run an optimizer's element-wise update rule over all its parameters, in chunks, on every core.

Every update rule here is element-wise: element i of a parameter changes using element i
of its gradient and of its state, and nothing else.  So a large parameter can be cut into
contiguous chunks that are updated independently.  NumPy releases the GIL inside its
ufuncs, so worker threads updating different chunks run at the same time; and a chunk's
handful of arrays (parameter, gradient, state, scratch) stays in cache, so of the several
passes a rule makes over them only the first touch of each array goes to main memory.

An update rule is a function ``rule(p, g, s, group, tmp)``:

- ``p``: a chunk of the parameter's array, to change in place;
- ``g``: the same chunk of its gradient (read only: ``step()`` never changes ``.grad``);
- ``s``: the parameter's state with every array in it cut to the same chunk (also updated
  in place), its other entries (the ``step`` counter) as they are, and the step's extras;
- ``group``: the parameter's group (lr and the other options);
- ``tmp``: ``N_SCRATCH`` scratch arrays of the chunk's shape and dtype, so that the rule
  can write every intermediate with ``out=`` instead of allocating.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from chainrule.backend import xp
from chainrule.tensor import Tensor

# Elements per chunk (1 MiB of float32 per array).  Measured on 10M float32 parameters:
# smaller chunks fit better in cache but pay more Python and GIL hand-overs per ufunc call
# (2x slower at 32K); larger ones spill from cache between a rule's passes.
CHUNK = 1 << 18
PARALLEL_MIN = 1 << 18   # a step over fewer elements runs in the calling thread (threads cost more)
N_SCRATCH = 3            # scratch arrays handed to each rule call
MAX_WORKERS = 8          # memory-bound work gains nothing from more threads than this

_pool = None
_pool_pid = None
_pool_lock = threading.Lock()


def _workers():
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _get_pool():
    """The worker threads, made on first use (and made again in a forked child, which
    inherits the pool object but not its threads)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=_workers() - 1, thread_name_prefix="chainrule-optim")
            _pool_pid = os.getpid()
        return _pool


def _chunks(param, grad, state, extras=None):
    """(p, g, s) pieces of one parameter: contiguous chunks of at most CHUNK elements.

    A parameter (or a state array) that is not C-contiguous cannot be cut into flat views
    that write through to it, so it goes whole, as one piece.
    """
    arrays = {key: value.data for key, value in state.items()
              if isinstance(value, Tensor) and value.data.shape == param.shape}
    others = {key: value for key, value in state.items() if key not in arrays}
    if extras:
        others.update(extras)
    n = param.size
    contiguous = param.flags.c_contiguous and all(a.flags.c_contiguous for a in arrays.values())
    if n <= CHUNK or not contiguous:
        whole = dict(others)
        whole.update(arrays)
        return [(param, grad, whole)]
    flat_p = param.reshape(-1)
    flat_g = grad.reshape(-1)  # a copy only if the gradient itself is not contiguous
    flat_s = {key: a.reshape(-1) for key, a in arrays.items()}
    pieces = []
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        s = dict(others)
        for key, a in flat_s.items():
            s[key] = a[start:stop]
        pieces.append((flat_p[start:stop], flat_g[start:stop], s))
    return pieces


class _Scratch:
    """Scratch arrays for one thread, reused for every piece it updates, step after step.

    Kept per thread (threading.local), so a step does not pay again for fresh pages; up to
    N_SCRATCH * CHUNK elements are kept, and a larger (whole, non-contiguous) piece gets
    arrays of its own.
    """

    def __init__(self):
        self.buffers = {}
        self.views = {}  # (dtype, shape) -> the scratch arrays, cut once: most chunks share a shape

    def get(self, like):
        key = (like.dtype, like.shape)
        views = self.views.get(key)
        if views is not None:
            return views
        if like.size > CHUNK:
            return [xp.empty_like(like) for _ in range(N_SCRATCH)]
        buffer = self.buffers.get(like.dtype)
        if buffer is None or buffer.shape[1] < like.size:
            buffer = self.buffers[like.dtype] = xp.empty((N_SCRATCH, like.size), like.dtype)
            self.views = {}
        if len(self.views) > 64:  # many odd shapes: start again rather than grow without bound
            self.views = {}
        views = self.views[key] = [buffer[i, :like.size].reshape(like.shape)
                                   for i in range(N_SCRATCH)]
        return views


_local = threading.local()


def _scratch():
    scratch = getattr(_local, "scratch", None)
    if scratch is None:
        scratch = _local.scratch = _Scratch()
    return scratch


def _pieces(jobs):
    for param, grad, state, group, extras in jobs:
        for p, g, s in _chunks(param, grad, state, extras):
            yield p, g, s, group


def _drain(rule, pieces, lock):
    """Take pieces off the shared iterator and update them until none are left."""
    scratch = _scratch()
    while True:
        with lock:
            piece = next(pieces, None)
        if piece is None:
            return
        p, g, s, group = piece
        rule(p, g, s, group, scratch.get(p))


def run_update(rule, jobs):
    """Apply ``rule`` to every (param array, grad array, state dict, group, extras) in ``jobs``.

    Small steps run in the calling thread; large ones are cut into chunks that the calling
    thread and the pool's workers take in turn (the chunks are cut as they are taken, so
    the workers start at once).
    """
    total = sum(job[0].size for job in jobs)
    workers = min(_workers(), -(-total // CHUNK))
    lock = threading.Lock()
    if total < PARALLEL_MIN or workers < 2:
        _drain(rule, _pieces(jobs), lock)
        return
    pool = _get_pool()
    shared = _pieces(jobs)
    futures = [pool.submit(_drain, rule, shared, lock) for _ in range(workers - 1)]
    try:
        _drain(rule, shared, lock)
    finally:
        for future in futures:
            if not future.cancel():  # a worker that never started has nothing left to do
                future.result()
