"""Making tensors: from data, filled with a constant, in a range, or at random.

Floating tensors get the default dtype (float32 unless ``set_default_dtype`` changed it).
Random functions draw from the global generator that ``manual_seed`` controls, or from the
``Generator`` given as ``generator=``.
"""
import builtins
import numbers

from chainrule import random as _random
from chainrule.backend import xp
from chainrule.ops.sampling import Sample
from chainrule.tensor import Tensor, apply, as_array, checked_shape as _shape, get_default_dtype, to_dtype


def tensor(data, dtype=None, requires_grad=False):
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists, an ndarray, a tensor).

    Python floats become the default dtype (float32) and ints int64; an ndarray keeps its
    dtype unless ``dtype``
    is given.  Only floating-point tensors may require grad.

    >>> chainrule.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    """
    return Tensor(as_array(data, dtype=dtype, copy=True), requires_grad=requires_grad)


def _make(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def _dtype(dtype, default=None):
    """``dtype``, else ``default``, else the default floating dtype."""
    if dtype is not None:
        return to_dtype(dtype)
    return get_default_dtype() if default is None else default


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros; ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _make(xp.zeros(_shape(size, "zeros"), _dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones."""
    return _make(xp.ones(_shape(size, "ones"), _dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    """An uninitialized tensor (its values are whatever memory held)."""
    return _make(xp.empty(_shape(size, "empty"), _dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; without ``dtype``, a bool fill gives bool,
    an integer int64 and a float the default dtype, as in PyTorch."""
    if dtype is None:
        dtype = as_array(fill_value, op="full").dtype
    return _make(xp.full(_shape((size,), "full"), fill_value, _dtype(dtype)), requires_grad)


def _like(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x.data


def zeros_like(x, dtype=None, requires_grad=False):
    return _make(xp.zeros(x.shape, _dtype(dtype, x.dtype)), requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    return _make(xp.ones(x.shape, _dtype(dtype, x.dtype)), requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad=False):
    return _make(xp.full(x.shape, fill_value, _dtype(dtype, x.dtype)), requires_grad)


def empty_like(input, dtype=None, requires_grad=False):
    """An uninitialized tensor of ``input``'s shape and (unless ``dtype``) dtype."""
    array = _like(input, "empty_like")
    return _make(xp.empty(array.shape, _dtype(dtype, array.dtype)), requires_grad)


def _floating(dtype, op):
    if dtype.kind != "f":
        raise TypeError(f"{op}: random floats need a floating dtype, got {dtype} "
                        "(convert with .float() or pass dtype=chainrule.float32)")
    return dtype


# --------------------------------------------------------------------------- random sampling
def rand(*size, generator=None, dtype=None, requires_grad=False):
    """Uniform samples from [0, 1), drawn from the generator ``manual_seed`` controls."""
    dtype = _floating(_dtype(dtype), "rand")
    rng = _random.numpy_generator(generator, "rand")
    samples = rng.random(_shape(size, "rand"), dtype=xp.float64)
    return _make(samples.astype(dtype, copy=False), requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad=False):
    """Standard normal samples, drawn from the generator ``manual_seed`` controls."""
    dtype = _floating(_dtype(dtype), "randn")
    rng = _random.numpy_generator(generator, "randn")
    samples = rng.standard_normal(_shape(size, "randn"), dtype=xp.float64)
    return _make(samples.astype(dtype, copy=False), requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    """Uniform samples from [0, 1) in the shape and (unless ``dtype``) dtype of ``input``."""
    array = _like(input, "rand_like")
    return rand(array.shape, dtype=_floating(_dtype(dtype, array.dtype), "rand_like"),
                requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    """Standard normal samples in the shape and (unless ``dtype``) dtype of ``input``."""
    array = _like(input, "randn_like")
    return randn(array.shape, dtype=_floating(_dtype(dtype, array.dtype), "randn_like"),
                 requires_grad=requires_grad)


def _integers(low, high, shape, dtype, rng, op):
    if high is None:
        low, high = 0, low
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, numbers.Integral):
            raise TypeError(f"{op}: {name} must be an integer, got {value!r}")
    if low >= high:
        raise ValueError(f"{op}: low ({low}) must be less than high ({high})")
    return rng.integers(low, high, size=shape).astype(dtype, copy=False)


def randint(low=0, high=None, size=(), *, generator=None, dtype=None, requires_grad=False):
    """Integers from [low, high), int64 by default: ``randint(high, size)`` or
    ``randint(low, high, size)``."""
    if isinstance(high, (tuple, list)):  # randint(high, size), as PyTorch's shorter form
        low, high, size = 0, low, high
    values = _integers(low, high, _shape((size,), "randint"), _dtype(dtype, xp.dtype(xp.int64)),
                       _random.numpy_generator(generator, "randint"), "randint")
    return _make(values, requires_grad)


def randint_like(input, low=0, high=None, dtype=None, requires_grad=False):
    """Integers from [low, high) in the shape and (unless ``dtype``) dtype of ``input``:
    ``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    array = _like(input, "randint_like")
    values = _integers(low, high, array.shape, _dtype(dtype, array.dtype),
                       _random.generator(), "randint_like")
    return _make(values, requires_grad)


def randperm(n, *, generator=None, dtype=None, requires_grad=False):
    """A random permutation of 0..n-1 (int64 unless ``dtype``)."""
    _shape((n,), "randperm")
    rng = _random.numpy_generator(generator, "randperm")
    return _make(rng.permutation(n).astype(_dtype(dtype, xp.dtype(xp.int64))), requires_grad)


def _parameters(op, *values):
    """The tensors among ``values`` (a distribution's parameters), which must be floating."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    for t in tensors:
        if t.dtype.kind != "f":
            raise TypeError(f"{op}: expected a floating tensor, got {t.dtype} (shape {t.shape})")
    return tensors


def _sampled(draw, params, dtype):
    """``draw(*arrays)`` cast to ``dtype``, recorded so that every parameter gets a zero
    gradient, as PyTorch defines the gradient of a sample with respect to its parameters."""
    return apply(Sample(lambda *arrays: draw(*arrays).astype(dtype, copy=False)), *params)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    """Samples of N(mean, std²): ``mean`` and ``std`` are tensors (broadcast together) or
    numbers; with two numbers, ``size`` gives the shape and ``dtype`` the dtype.

    The gradient with respect to mean and std is zero, as in PyTorch (for a
    reparameterized sample write ``mean + std * randn_like(std)``).

    >>> chainrule.normal(chainrule.zeros(3), chainrule.tensor([1.0, 2.0, 3.0]))
    """
    params = _parameters("normal", mean, std)
    rng = _random.numpy_generator(generator, "normal")
    if not params:
        if size is None:
            raise TypeError("normal: with a number for both mean and std, give size= as well")
        if std < 0:
            raise ValueError(f"normal: std must be >= 0, got {std}")
        shape, dtype = _shape((size,), "normal"), _floating(_dtype(dtype), "normal")
        samples = rng.normal(mean, std, size=shape)
        return _make(samples.astype(dtype, copy=False), requires_grad)
    if size is not None:
        raise TypeError("normal: size= applies only when mean and std are both numbers; "
                        "a tensor mean or std gives the shape")
    std_values = std.data if isinstance(std, Tensor) else std
    if xp.any(xp.asarray(std_values) < 0):
        raise ValueError("normal: every element of std must be >= 0")
    dtype = xp.result_type(*[p.dtype for p in params])
    mean_values = mean.data if isinstance(mean, Tensor) else mean
    try:
        shape = xp.broadcast_shapes(xp.shape(mean_values), xp.shape(std_values))
    except ValueError:
        raise ValueError(f"normal: mean of shape {xp.shape(mean_values)} and std of shape "
                         f"{xp.shape(std_values)} do not broadcast") from None

    def draw(*arrays):
        return mean_values + std_values * rng.standard_normal(shape)
    return _sampled(draw, params, dtype)


def bernoulli(input, p=None, *, generator=None):
    """0 or 1 in ``input``'s shape and dtype: 1 with probability ``input`` (or with ``p``, a
    number, when given).  The gradient with respect to the probabilities is zero, as in PyTorch;
    with ``p`` the result does not depend on ``input``'s values and records no graph (PyTorch
    records one whose backward raises).

    >>> chainrule.bernoulli(chainrule.full((2, 3), 0.5))
    """
    _parameters("bernoulli", input)
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli: expected a Tensor of probabilities, got {type(input).__name__}")
    probability = input.data if p is None else p
    if not xp.all((probability >= 0) & (probability <= 1)):  # also refuses NaN
        raise ValueError("bernoulli: probabilities must lie in [0, 1]"
                         + ("" if p is None else f", got p={p}"))
    rng = _random.numpy_generator(generator, "bernoulli")
    if p is not None:
        return Tensor((rng.random(input.shape) < p).astype(input.dtype))
    return _sampled(lambda x: rng.random(x.shape) < probability, [input], input.dtype)


def poisson(input, generator=None):
    """Samples of Poisson(rate) for each rate in ``input``, in its dtype; the gradient with
    respect to the rates is zero, as in PyTorch."""
    _parameters("poisson", input)
    if not isinstance(input, Tensor):
        raise TypeError(f"poisson: expected a Tensor of rates, got {type(input).__name__}")
    if not xp.all(input.data >= 0):
        raise ValueError("poisson: rates must be non-negative")
    rng = _random.numpy_generator(generator, "poisson")
    return _sampled(rng.poisson, [input], input.dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices of categories drawn in proportion to the weights of ``input`` (k,) or (n, k):
    int64 of shape (num_samples,) or (n, num_samples).

    Without replacement a category is drawn at most once (order of drawing kept).

    >>> chainrule.multinomial(chainrule.tensor([0.1, 0.0, 0.9]), 4, replacement=True)
    """
    _parameters("multinomial", input)
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial: expected a Tensor of weights, got {type(input).__name__}")
    if input.ndim not in (1, 2):
        raise ValueError(f"multinomial: weights must be 1-d or 2-d, got shape {input.shape}")
    if not isinstance(num_samples, numbers.Integral) or num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be a positive integer, got {num_samples!r}")
    weights = input.data.reshape(-1, input.shape[-1]).astype(xp.float64)
    if not xp.all(xp.isfinite(weights) & (weights >= 0)):
        raise ValueError("multinomial: weights must be finite and non-negative")
    totals = weights.sum(axis=1, keepdims=True)
    if not xp.all(totals > 0):
        raise ValueError("multinomial: the weights of every row must have a positive sum")
    k = weights.shape[1]
    if not replacement and num_samples > k:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from {k} categories")
    rng = _random.numpy_generator(generator, "multinomial")
    rows = weights.shape[0]
    if replacement:
        # inverse CDF: each row's cumulative weights, shifted by the row number so that one
        # sorted search serves every row; zero-weight categories span no interval
        cdf = xp.cumsum(weights, axis=1) / totals + xp.arange(rows)[:, None]
        draws = rng.random((rows, num_samples)) + xp.arange(rows)[:, None]
        picks = xp.searchsorted(cdf.ravel(), draws.ravel(), side="right").reshape(rows, num_samples)
        picks = xp.minimum(picks - k * xp.arange(rows)[:, None], k - 1)
    else:
        # exponential race: category i finishes at E_i / w_i; the first num_samples to finish
        # are a draw without replacement, in the order drawn
        with xp.errstate(divide="ignore"):
            finish = rng.standard_exponential((rows, k)) / weights
        picks = xp.argsort(finish, axis=1, kind="stable")[:, :num_samples]
    return Tensor(picks.reshape(input.shape[:-1] + (num_samples,)).astype(xp.int64))


# --------------------------------------------------------------------------- ranges
def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from start up to (not including) end; int64 for integer arguments, else the
    default float dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    integral = builtins.all(isinstance(v, numbers.Integral) for v in (start, end, step))
    default = xp.dtype(xp.int64) if integral else None
    return _make(xp.arange(start, end, step).astype(_dtype(dtype, default)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end, both included."""
    _shape((steps,), "linspace")
    return _make(xp.linspace(start, end, int(steps)).astype(_dtype(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, requires_grad=False):
    """``steps`` values from base**start to base**end, evenly spaced in the exponent.

    >>> chainrule.logspace(0, 2, 3)       # tensor([1., 10., 100.])
    """
    _shape((steps,), "logspace")
    exponents = xp.linspace(start, end, int(steps))
    return _make(xp.power(float(base), exponents).astype(_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """An n x m identity matrix (m defaults to n)."""
    _shape((n, n if m is None else m), "eye")
    return _make(xp.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def from_numpy(array):
    """A tensor sharing memory with ``array`` (no copy), keeping its dtype."""
    return Tensor(array)
