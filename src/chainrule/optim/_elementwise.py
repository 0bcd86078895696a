"""Run an optimizer's element-wise update rule over all its parameters, in chunks, on every core.

Every update rule here is element-wise: element i of a parameter changes using element i
of its gradient and of its state, and nothing else.  So a parameter can be cut into
contiguous chunks that are updated independently.  NumPy releases the GIL inside its
ufuncs, so threads updating different chunks run at the same time; and a chunk's handful
of arrays (parameter, gradient, state, scratch) stays in cache, so of the several passes
a rule makes over them only the first touch of each array goes to main memory.

An update rule is a function ``rule(p, g, s, group, tmp)``:

- ``p``: a chunk of the parameter's array, to change in place;
- ``g``: the same chunk of its gradient (read only: ``step()`` never changes ``.grad``);
- ``s``: the parameter's state with every array in it cut to the same chunk (also updated
  in place), its other entries (the ``step`` counter) as they are, and the step's extras;
- ``group``: the parameter's group (lr and the other options);
- ``tmp``: ``N_SCRATCH`` scratch arrays of the chunk's shape and dtype, so that the rule
  can write every intermediate with ``out=`` instead of allocating.

What the sizes below are set by (measured on a 2-core virtual machine, 10 x 1M elements
and a 407K-element MLP, against PyTorch in the same run):

- each ufunc call costs ~0.3-1 us of Python, so pieces should not be small;
- waking a helper thread and hearing back costs ~15-50 us, and while two threads run, each
  ufunc call of both is ~3-5 us slower (the GIL changes hands at every call, and work on
  one vCPU, even another process's, slows in-cache work on the other by up to 2x, as if
  they shared a core).  So threads pay only for steps of more than ~150 us of work (``PARALLEL_MIN``,
  in elements times each optimizer's ``_cost``), and then in few, large pieces
  (``THREAD_CHUNK``); between that and 8 times that, the ``Runner`` times both ways;
- alone, the calling thread goes a little faster in chunks that stay in its L2 cache than
  over whole arrays (``CHUNK``);
- the calling thread starts at once while a helper wakes, so with threads it takes a
  larger first piece (``LEAD``).

The chunk views of the arrays that live from step to step (the parameter's data and its
state arrays) are cut once and kept in the optimizer's ``Runner``, checked by identity at
every step; only the gradient, a new array at each step of a training loop, is cut again.
"""
import itertools
import os
import threading
import time

from chainrule.backend import xp
from chainrule.tensor import Tensor

CHUNK = 1 << 17          # elements per chunk in the calling thread alone (512 KiB of float32)
THREAD_CHUNK = 1 << 18   # the most elements per piece when threads share the step
PARALLEL_MIN = 150_000   # least work (elements x the rule's cost) worth trying a second thread
LEAD = 0.25              # with threads, the caller's first piece is this much larger
ALIGN = 1024             # pieces start at multiples of this many elements (whole cache lines)
PROBE_EVERY = 50         # with threads worth trying, the slower way is timed again this often
TIMINGS = 3              # steps timed in a row each way; their least time counts
N_SCRATCH = 3            # scratch arrays handed to each rule call
MAX_WORKERS = 8          # memory-bound work gains nothing from more threads than this

_CPUS = os.cpu_count() or 1  # asked once: os.cpu_count() costs ~10 us a call


def _workers():
    return max(1, min(_CPUS, MAX_WORKERS))


# ----------------------------------------------------------------- helper threads
class _Helpers:
    """Threads that wait for a task and run it beside the calling thread.

    Woken through plain locks: a ``ThreadPoolExecutor`` (futures, a queue, condition
    variables) costs ~40 us more per step.  One step at a time uses them; a step that
    finds them busy (another thread's optimizer) runs in its own thread alone.
    """

    def __init__(self, count):
        self.pid = os.getpid()
        self.broken = False  # a wait was interrupted: a helper may still be at work
        self.busy = threading.Lock()
        self.task = None
        self.errors = []
        self.go = [threading.Lock() for _ in range(count)]
        self.done = [threading.Lock() for _ in range(count)]
        for i in range(count):
            self.go[i].acquire()
            self.done[i].acquire()
            threading.Thread(target=self._serve, args=(self.go[i], self.done[i]), daemon=True,
                             name=f"chainrule-optim-{i}").start()

    def _serve(self, go, done):
        while True:
            go.acquire()  # released by run()
            try:
                self.task()
            except BaseException as error:  # raised again in the calling thread
                self.errors.append(error)
            finally:
                done.release()

    def run(self, task, count):
        """Run ``task`` in the calling thread and in ``count`` helpers; return when all are done."""
        if not self.busy.acquire(blocking=False):
            task()
            return
        try:
            self.errors.clear()
            self.task = task
            for go in self.go[:count]:
                go.release()
            try:
                task()
            finally:
                try:
                    for done in self.done[:count]:
                        done.acquire()
                except BaseException:  # e.g. KeyboardInterrupt: these helpers are not to be trusted
                    self.broken = True
                    raise
                self.task = None
            if self.errors:
                raise self.errors[0]
        finally:
            self.errors.clear()
            self.busy.release()


_helpers = None
_helpers_lock = threading.Lock()


def _get_helpers():
    """The helper threads, made on first use (and made again in a forked child, which
    inherits the object but not its threads, or after an interrupted wait)."""
    global _helpers
    with _helpers_lock:
        if _helpers is None or _helpers.pid != os.getpid() or _helpers.broken:
            _helpers = _Helpers(_workers() - 1)
        return _helpers


# ----------------------------------------------------------------- chunks
def _bounds(n, chunk, lead):
    """(start, stop) of the pieces of ``n`` elements: ceil(n / chunk) of about equal size,
    the first ``1 + lead`` times the others, all but the last multiples of ALIGN."""
    count = -(-n // chunk)
    if count == 1:
        return [(0, n)]
    first = -(-int(n / count * (1 + lead)) // ALIGN) * ALIGN
    if first >= n:
        return [(0, n)]
    size = -(-(n - first) // (count - 1) // ALIGN) * ALIGN
    return [(0, first)] + [(start, min(start + size, n)) for start in range(first, n, size)]


class _Plan:
    """One parameter's pieces: views of its data and of its state arrays, cut once.

    ``pieces`` holds, per piece, ``(p, s, start, stop)``: the piece of the parameter and
    the dict that the rule gets as ``s`` (the pieces of the state arrays; the step's
    scalars are written into it at every step).  A parameter (or a state array) that is
    not C-contiguous cannot be cut into flat views that write through to it, so it goes
    whole, as one piece.
    """

    __slots__ = ("data", "arrays", "n_state", "key", "whole", "pieces")

    def __init__(self, data, state, key):
        chunk, lead = key
        self.data = data
        self.arrays = {name: value.data for name, value in state.items()
                       if isinstance(value, Tensor) and value.data.shape == data.shape}
        self.n_state = len(state)
        self.key = key
        contiguous = data.flags.c_contiguous and all(a.flags.c_contiguous
                                                     for a in self.arrays.values())
        self.whole = data.size <= chunk or not contiguous
        if self.whole:
            self.pieces = [(data, dict(self.arrays), 0, data.size)]
            return
        flat_p = data.reshape(-1)
        flat_s = {name: a.reshape(-1) for name, a in self.arrays.items()}
        self.pieces = [(flat_p[start:stop], {name: a[start:stop] for name, a in flat_s.items()},
                        start, stop) for start, stop in _bounds(data.size, chunk, lead)]

    def matches(self, data, state, key):
        """Whether the views still show this parameter's arrays (none was replaced)."""
        if data is not self.data or len(state) != self.n_state or key != self.key:
            return False
        for name, array in self.arrays.items():
            value = state.get(name)
            if not isinstance(value, Tensor) or value.data is not array:
                return False
        return True

    def add_work(self, out, grad, group, scalars):
        """Append this step's ``(p, g, s, group)`` pieces to ``out``."""
        if self.whole:
            p, s, _, _ = self.pieces[0]
            s.update(scalars)
            out.append((p, grad, s, group))
            return
        flat_g = grad.reshape(-1)  # a copy only if the gradient itself is not contiguous
        for p, s, start, stop in self.pieces:
            s.update(scalars)
            out.append((p, flat_g[start:stop], s, group))


# ----------------------------------------------------------------- scratch arrays
class _Scratch:
    """Scratch arrays for one thread, reused for every piece it updates, step after step.

    Kept per thread (threading.local), so a step does not pay again for fresh pages.  The
    buffer grows to the largest piece up to twice THREAD_CHUNK elements; a larger (whole,
    non-contiguous) piece gets arrays of its own.
    """

    def __init__(self):
        self.buffers = {}
        self.views = {}  # (dtype, shape) -> the scratch arrays, cut once: most pieces share a shape

    def get(self, like):
        key = (like.dtype, like.shape)
        views = self.views.get(key)
        if views is not None:
            return views
        if like.size > 2 * max(CHUNK, THREAD_CHUNK):
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


def _drain(rule, work, counter):
    """Take pieces in turn (``next`` on a shared ``itertools.count`` is atomic) and update them."""
    scratch = getattr(_local, "scratch", None)
    if scratch is None:
        scratch = _local.scratch = _Scratch()
    get = scratch.get
    n = len(work)
    for i in counter:
        if i >= n:
            return
        p, g, s, group = work[i]
        rule(p, g, s, group, get(p))


# ----------------------------------------------------------------- the runner
class Runner:
    """Applies an update rule to an optimizer's parameters; keeps their pieces across steps.

    Whether helper threads pay for a step of middling size depends on the machine's state:
    where the two cores share one (a virtual machine's vCPUs, hyperthreads), or a neighbour
    keeps the other busy, every ufunc of both threads slows down and the step takes longer
    with threads than without.  So for a step with work enough to try them but not eight
    times that (larger steps are bound by memory, and threads win), the runner times it
    both ways (the least of each way's last ``TIMINGS`` times, per step size: the
    least is what the way can do, the others were slowed by something else), takes the
    faster, and times the slower way again (for TIMINGS steps) every PROBE_EVERY steps.
    Either way gives the same result, to the bit.
    """

    def __init__(self):
        self.plans = [{}, {}]   # per way (alone, with threads): id(param) -> _Plan
        self.times = {}         # (elements, with threads) -> that way's last TIMINGS step times
        self.steps = 0          # steps taken the faster way, to time the other every PROBE_EVERY
        self.way, self.burst = False, 0  # a run of steps one way being timed, and steps left

    def __deepcopy__(self, memo):
        return Runner()  # views must not be copied apart from the arrays they show

    def __reduce__(self):
        return Runner, ()

    def _use_threads(self, total, work):
        if work < PARALLEL_MIN or _workers() < 2:
            return False
        if work >= 8 * PARALLEL_MIN:  # memory-bound: threads win even on shared cores
            return True
        if self.burst:  # the rest of a run of TIMINGS steps one way
            self.burst -= 1
            return self.way
        alone, shared = self.times.get((total, False), ()), self.times.get((total, True), ())
        if len(shared) < TIMINGS or len(alone) < TIMINGS:  # time each way first
            way = len(shared) < TIMINGS
        else:
            self.steps += 1
            faster = min(shared) <= min(alone)
            if self.steps % PROBE_EVERY:
                return faster
            way = not faster
        # A way's first step after the other's runs on cold caches (and, with threads, wakes
        # an idle core): time it over a run of steps, whose least time counts.
        self.way, self.burst = way, TIMINGS - 1
        return way

    def _record(self, total, threads, seconds):
        if len(self.times) > 32:  # many step sizes: start again
            self.times.clear()
        times = self.times.setdefault((total, threads), [])
        times.append(seconds)
        del times[:-TIMINGS]

    def run(self, rule, jobs, cost=None):
        """Apply ``rule`` to every ``(param, grad array, state, group, extras)`` in ``jobs``.

        ``cost(group)``: the rule's time per element relative to RMSprop's (default 1).  A
        step whose work (elements x cost) is under PARALLEL_MIN runs in the calling thread
        in cache-sized chunks; a larger one may also run in pieces that the calling thread
        and helper threads take in turn.
        """
        start = time.perf_counter()
        total = sum(job[0].data.size for job in jobs)
        work = total if cost is None else sum(job[0].data.size * cost(job[3]) for job in jobs)
        threads = self._use_threads(total, work)
        workers = _workers() if threads else 1
        chunk = min(THREAD_CHUNK, max(CHUNK, -(-total // workers))) if threads else CHUNK
        known, other = self.plans[threads], self.plans[not threads]
        plans, pieces, timed = {}, [], True
        for index, (param, grad, state, group, extras) in enumerate(jobs):
            data, key = param.data, (chunk, LEAD if threads and index == 0 else 0.0)
            plan = known.get(id(param))
            if plan is None or not plan.matches(data, state, key):
                if plan is not None:  # its data or state was replaced: so were the other way's
                    other.pop(id(param), None)
                plan = _Plan(data, state, key)
                timed = False  # cutting is a one-off cost: leave this step out of the timing
            plans[id(param)] = plan
            scalars = {name: value for name, value in state.items() if name not in plan.arrays}
            if extras:
                scalars.update(extras)
            plan.add_work(pieces, grad, group, scalars)
        self.plans[threads] = plans  # plans of parameters without a gradient this step are dropped
        counter = itertools.count()
        if not threads or len(pieces) < 2:
            _drain(rule, pieces, counter)
        else:
            _get_helpers().run(lambda: _drain(rule, pieces, counter), min(workers, len(pieces)) - 1)
        if timed and PARALLEL_MIN <= work < 8 * PARALLEL_MIN:
            self._record(total, threads, time.perf_counter() - start)
