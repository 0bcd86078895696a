"""Small data sets generated on the spot: XOR, spirals, moons, a noisy line, and bracket strings.

Features are float32 (bracket tokens int64); class labels int64 (use
``y.astype('float32').reshape(-1, 1)`` as the target of a single sigmoid output).  Draws
come from chainrule's global generator, so ``chainrule.manual_seed`` makes them repeatable,
unless ``seed`` is given.  Samples are laid out class after class in turn (sample i belongs
to class ``i % classes``), so every prefix of the data is balanced.
"""
import math

from chainrule import random as _random
from chainrule.backend import xp

_FLOAT = xp.float32


def _rng(seed):
    return _random.generator() if seed is None else xp.random.default_rng(seed)


def _check(op, n, noise, minimum=1):
    if int(n) != n or n < minimum:
        raise ValueError(f"{op}: n must be an integer >= {minimum}, got {n}")
    if noise < 0:
        raise ValueError(f"{op}: noise must be >= 0, got {noise}")


def xor(n=200, noise=0.1, seed=None):
    """Points around the 4 corners of the unit square, labelled by XOR of their coordinates.

    Returns x (n, 2) float32 and y (n,) int64; sample i sits at corner i % 4 (in the order
    (0,0), (0,1), (1,0), (1,1)) plus Gaussian noise of standard deviation ``noise``, so
    ``xor(4, noise=0)`` is the truth table itself.
    """
    _check("xor", n, noise)
    corners = xp.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=_FLOAT)
    which = xp.arange(n) % 4
    x = corners[which] + _FLOAT(noise) * _rng(seed).standard_normal((n, 2), dtype=_FLOAT)
    y = xp.array([0, 1, 1, 0], dtype=xp.int64)[which]
    return x, y


def spirals(n=300, classes=3, noise=0.2, seed=None):
    """``classes`` interleaved spiral arms in the plane, a classic non-linear problem.

    Returns x (n, 2) float32 and y (n,) int64 in 0..classes-1.  Point j of arm k lies at
    radius r = j / m (m points on the arm) and angle 4 r + 2 pi k / classes, with Gaussian
    noise of standard deviation ``noise`` added to the angle.
    """
    _check("spirals", n, noise)
    if int(classes) != classes or classes < 1:
        raise ValueError(f"spirals: classes must be a positive integer, got {classes}")
    i = xp.arange(n)
    y = (i % classes).astype(xp.int64)
    position = i // classes                                    # index of the point on its arm
    per_arm = (n - y + classes - 1) // classes                 # points on each sample's arm
    radius = (position / xp.maximum(per_arm - 1, 1)).astype(_FLOAT)
    angle = (4.0 * radius + y * (2.0 * math.pi / classes)).astype(_FLOAT)
    angle += _FLOAT(noise) * _rng(seed).standard_normal(n, dtype=_FLOAT)
    x = xp.stack([radius * xp.sin(angle), radius * xp.cos(angle)], axis=1)
    return x, y


def moons(n=200, noise=0.1, seed=None):
    """Two interleaving half circles (as scikit-learn's ``make_moons``).

    Returns x (n, 2) float32 and y (n,) int64: class 0 on the upper arc (cos t, sin t),
    class 1 on the lower arc (1 - cos t, 0.5 - sin t), t in [0, pi], plus Gaussian noise.
    """
    _check("moons", n, noise)
    i = xp.arange(n)
    y = (i % 2).astype(xp.int64)
    per_moon = xp.where(y == 0, (n + 1) // 2, n // 2)
    t = (math.pi * (i // 2) / xp.maximum(per_moon - 1, 1)).astype(_FLOAT)
    upper = xp.stack([xp.cos(t), xp.sin(t)], axis=1)
    lower = xp.stack([1 - xp.cos(t), 0.5 - xp.sin(t)], axis=1)
    x = xp.where((y == 0)[:, None], upper, lower)
    x += _FLOAT(noise) * _rng(seed).standard_normal((n, 2), dtype=_FLOAT)
    return x, y


def regression_line(n=100, slope=2.0, intercept=1.0, noise=0.1, seed=None):
    """Points on a noisy line, for a first linear regression.

    Returns x (n, 1) float32 uniform in [-1, 1) and y (n, 1) float32 =
    slope * x + intercept + noise * N(0, 1).
    """
    _check("regression_line", n, noise)
    rng = _rng(seed)
    x = rng.random((n, 1), dtype=_FLOAT) * 2 - 1
    y = _FLOAT(slope) * x + _FLOAT(intercept) + _FLOAT(noise) * rng.standard_normal((n, 1), dtype=_FLOAT)
    return x.astype(_FLOAT), y.astype(_FLOAT)


def _shuffled_steps(rng, rows, ups, length):
    """(rows, length) int arrays of +1 (``ups`` of them per row, at random places) and -1."""
    rank = rng.random((rows, length)).argsort(axis=1).argsort(axis=1)
    return xp.where(rank < ups, 1, -1)


def brackets(n=1000, length=24, seed=None):
    """Strings of '(' and ')' labelled by whether they are balanced: a task that needs memory.

    Returns x (n, length) int64 tokens (0 for '(', 1 for ')') and y (n,) int64: 1 for a
    balanced string (every prefix opens at least as many brackets as it closes), 0 otherwise.
    Sample i has label i % 2.  Strings of both classes hold ``length / 2`` of each bracket,
    start with '(' and end with ')', so neither counting nor the ends tell the classes apart:
    balanced strings are uniform among all balanced ones (drawn by the cycle lemma),
    unbalanced ones uniform among the other strings of that form.

    >>> x, y = brackets(4, length=6, seed=0)
    >>> ["".join("()"[t] for t in row) for row in x.tolist()], y.tolist()
    (['())(()', '((()))', '())(()', '()()()'], [0, 1, 0, 1])
    """
    _check("brackets", n, 0.0)
    if int(length) != length or length < 6 or length % 2:  # all shorter '(…)' strings are balanced
        raise ValueError(f"brackets: length must be an even integer >= 6, got {length}")
    rng, pairs = _rng(seed), length // 2
    balanced = xp.arange(n) % 2 == 1
    n_balanced = int(balanced.sum())
    # Cycle lemma: of the rotations of a sequence with `pairs` +1s and pairs + 1 -1s, exactly one
    # keeps every prefix sum >= 0 until its final -1; it starts just after the first lowest point.
    steps = _shuffled_steps(rng, n_balanced, pairs, length + 1)
    start = steps.cumsum(axis=1).argmin(axis=1) + 1
    rotation = (start[:, None] + xp.arange(length)) % (length + 1)
    words = xp.take_along_axis(steps, rotation, axis=1)
    # Unbalanced strings: '(' + a shuffle of the other brackets + ')', redrawn while balanced.
    others = xp.ones((n - n_balanced, length), dtype=words.dtype)
    others[:, -1] = -1
    redraw = xp.ones(len(others), dtype=bool)
    while redraw.any():
        others[redraw, 1:-1] = _shuffled_steps(rng, int(redraw.sum()), pairs - 1, length - 2)
        redraw = others.cumsum(axis=1).min(axis=1) >= 0
    steps = xp.empty((n, length), dtype=words.dtype)
    steps[balanced], steps[~balanced] = words, others
    x = (steps < 0).astype(xp.int64)
    return x, balanced.astype(xp.int64)
