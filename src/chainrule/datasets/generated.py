"""Small data sets generated on the spot: XOR, spirals, moons, and a noisy line.

Features are float32; class labels int64 (use ``y.astype('float32').reshape(-1, 1)`` as the
target of a single sigmoid output).  Draws come from chainrule's global generator, so
``chainrule.manual_seed`` makes them repeatable, unless ``seed`` is given.  Samples are laid
out class after class in turn (sample i belongs to class ``i % classes``), so every prefix
of the data is balanced.
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
