"""Padding layers: borders of a constant, or of copies of the input (reflected, replicated or
wrapped around), over the last one or two dims, as PyTorch's ZeroPad, ConstantPad,
ReflectionPad, ReplicationPad and CircularPad.  Each is the ``pad`` function with fixed
arguments; ``padding`` is an int (every side) or a tuple in PyTorch's order, (left, right)
for 1-d and (left, right, top, bottom) for 2-d.
"""
import numbers

from chainrule.functions import as_tensor, pad
from chainrule.nn.module import Module


def _padding_tuple(padding, n, where):
    """``padding`` as 2·n non-negative ints (an int pads every side), or a clear error."""
    if isinstance(padding, numbers.Integral):
        items = (padding,) * (2 * n)
    else:
        items = tuple(padding) if isinstance(padding, (tuple, list)) else ()
    if len(items) != 2 * n or not all(isinstance(p, numbers.Integral) and not isinstance(p, bool)
                                      for p in items):
        raise ValueError(f"{where}: padding must be an int or a tuple of {2 * n} ints, got "
                         f"{padding!r}")
    if any(p < 0 for p in items):
        raise ValueError(f"{where}: padding must be non-negative, got {padding!r}")
    return tuple(int(p) for p in items)


class _PadNd(Module):
    """What the padding layers share: the padding as a tuple, and ``pad`` with the layer's mode."""

    _n = 1
    _mode = "constant"

    def __init__(self, padding, value=None):
        super().__init__()
        self.padding = _padding_tuple(padding, self._n, type(self).__name__)
        if value is not None:
            self.value = value

    def forward(self, input):
        input = as_tensor(input, repr(self))
        try:
            if self._mode == "constant":
                return pad(input, self.padding, value=self.value)
            if input.ndim not in (self._n + 1, self._n + 2):
                layout = "(C, W) or (N, C, W)" if self._n == 1 else "(C, H, W) or (N, C, H, W)"
                raise ValueError(f"pad: expects a {self._n + 1}-d or {self._n + 2}-d input {layout}, "
                                 f"got shape {input.shape}")
            return pad(input, self.padding, mode=self._mode)
        except ValueError as error:  # name the layer, not the function
            raise ValueError(str(error).replace("pad", repr(self), 1)) from None

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding, value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: (*, W) to (*, left + W + right).

    >>> chainrule.nn.ConstantPad1d(2, 3.5)(chainrule.ones(1, 2, 4)).shape
    (1, 2, 8)
    """
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``: (*, H, W) to (*, top + H + bottom, left + W + right)."""
    _n = 2


class ZeroPad1d(_ConstantPadNd):
    """Pad the last dim with zeros; see :class:`ConstantPad1d`."""
    _n = 1

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pad the last two dims with zeros; see :class:`ConstantPad2d`.

    >>> chainrule.nn.ZeroPad2d((1, 1, 2, 0))(chainrule.ones(1, 1, 3, 3)).shape
    (1, 1, 5, 5)
    """
    _n = 2


class ReflectionPad1d(_PadNd):
    """Pad W of (C, W) or (N, C, W) with its mirror image, the edge not repeated (padding < W).

    >>> chainrule.nn.ReflectionPad1d(2)(chainrule.tensor([[1.0, 2.0, 3.0]])).tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]
    """
    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad H and W of (C, H, W) or (N, C, H, W) with their mirror image; see ReflectionPad1d."""
    _n = 2


class ReplicationPad1d(_PadNd):
    """Pad W of (C, W) or (N, C, W) with copies of its edge values."""
    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad H and W of (C, H, W) or (N, C, H, W) with copies of their edge values."""
    _n = 2


class CircularPad1d(_PadNd):
    """Pad W of (C, W) or (N, C, W) by wrapping it around (padding <= W): periodic borders."""
    _mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pad H and W of (C, H, W) or (N, C, H, W) by wrapping them around (a torus)."""
    _n = 2
