"""Keras's reshaping layers: Reshape, Permute, RepeatVector, and the image borders
ZeroPadding2D, Cropping2D and UpSampling2D.  None has weights; each is a view or a copy
made of graph ops, so gradients flow through.  Shapes exclude the batch axis, as in Keras.
"""
import math
import numbers

from chainrule import functions as F
from chainrule.layers.base import Layer
from chainrule.layers.convolutional import _data_format_argument, _sizes, _spatial_axes


class Reshape(Layer):
    """(batch, *any) -> (batch, *target_shape); one size may be -1, inferred from the rest.

    >>> chainrule.layers.Reshape((3, 4))(chainrule.randn(2, 12)).shape
    (2, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            shape = tuple(int(size) for size in target_shape)
        except (TypeError, ValueError):
            raise TypeError(f"Reshape: target_shape must be a tuple of ints, got "
                            f"{target_shape!r}") from None
        if shape.count(-1) > 1 or any(size < 1 and size != -1 for size in shape):
            raise ValueError(f"Reshape: target_shape must hold positive sizes and at most one "
                             f"-1, got {target_shape!r}")
        self.target_shape = shape
        self.built = True

    def forward(self, x):
        count = math.prod(x.shape[1:])
        known = math.prod(size for size in self.target_shape if size != -1)
        if (count != known) if -1 not in self.target_shape else (known == 0 or count % known):
            raise ValueError(f"Reshape {self.name!r}: an input of shape {x.shape} ({count} values "
                             f"per sample) cannot be reshaped to {self.target_shape}")
        return F.reshape(x, (x.shape[0],) + self.target_shape)

    def get_config(self):
        return dict(super().get_config(), target_shape=list(self.target_shape))


class Permute(Layer):
    """Reorder the non-batch axes: ``dims`` numbers them from 1, as Keras does;
    Permute((2, 1)) swaps the two axes of (batch, a, b).

    >>> chainrule.layers.Permute((2, 1))(chainrule.randn(4, 10, 64)).shape
    (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1, ..., {len(dims)} (the "
                             f"batch axis is not numbered), got {dims!r}")
        self.dims = tuple(int(d) for d in dims)
        self.built = True

    def forward(self, x):
        if x.ndim != len(self.dims) + 1:
            raise ValueError(f"Permute {self.name!r} with dims {self.dims} expects "
                             f"{len(self.dims) + 1}-d inputs, got input of shape {x.shape}")
        return F.permute(x, 0, *self.dims)

    def get_config(self):
        return dict(super().get_config(), dims=list(self.dims))


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features): the input repeated n times.

    >>> chainrule.layers.RepeatVector(3)(chainrule.randn(2, 5)).shape
    (2, 3, 5)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"RepeatVector: n must be a positive integer, got {n!r}")
        self.n = int(n)
        self.built = True

    def forward(self, x):
        if x.ndim != 2:
            raise ValueError(f"RepeatVector {self.name!r} expects 2-d inputs (batch, features), "
                             f"got input of shape {x.shape}")
        return F.expand(F.unsqueeze(x, 1), x.shape[0], self.n, x.shape[1])

    def get_config(self):
        return dict(super().get_config(), n=self.n)


def _border_pairs(value, name, where):
    """Keras's 2-d border argument: an int (all four sides), 2 ints (symmetric height and
    width), or ((top, bottom), (left, right)); as ((top, bottom), (left, right))."""
    def nonnegative(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0

    if nonnegative(value):
        return ((int(value),) * 2,) * 2
    try:
        items = tuple(value)
        if len(items) == 2 and all(nonnegative(v) for v in items):
            return tuple((int(v), int(v)) for v in items)
        pairs = tuple(tuple(pair) for pair in items)
        if len(pairs) == 2 and all(len(p) == 2 and all(nonnegative(v) for v in p)
                                   for p in pairs):
            return tuple((int(a), int(b)) for a, b in pairs)
    except TypeError:
        pass
    raise ValueError(f"{where}: {name} must be an int, 2 ints or ((top, bottom), (left, right)) "
                     f"of non-negative ints, got {value!r}")


class _Border2D(Layer):
    """What ZeroPadding2D, Cropping2D and UpSampling2D share: a data format and 4-d inputs."""

    def _check(self, x):
        if x.ndim != 4:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects 4-d images "
                             f"(data_format={self.data_format!r}), got input of shape {x.shape}")
        return _spatial_axes(self.data_format)

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class ZeroPadding2D(_Border2D):
    """Add rows and columns of zeros at the image borders.

    >>> chainrule.layers.ZeroPadding2D(((1, 2), (0, 3)))(chainrule.randn(1, 4, 4, 2)).shape
    (1, 7, 7, 2)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _border_pairs(padding, "padding", "ZeroPadding2D")
        self.data_format = _data_format_argument(data_format, "ZeroPadding2D")
        self.built = True

    def forward(self, x):
        rows, columns = self._check(x)
        pads = [(0, 0)] * 4
        pads[rows], pads[columns] = self.padding
        return F.pad(x, tuple(p for pair in reversed(pads) for p in pair))

    def get_config(self):
        return dict(super().get_config(), padding=[list(pair) for pair in self.padding])


class Cropping2D(_Border2D):
    """Remove rows and columns at the image borders.

    >>> chainrule.layers.Cropping2D(((1, 0), (2, 2)))(chainrule.randn(1, 6, 6, 2)).shape
    (1, 5, 2, 2)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _border_pairs(cropping, "cropping", "Cropping2D")
        self.data_format = _data_format_argument(data_format, "Cropping2D")
        self.built = True

    def forward(self, x):
        axes = self._check(x)
        index = [slice(None)] * 4
        for axis, (before, after) in zip(axes, self.cropping):
            if before + after >= x.shape[axis]:
                raise ValueError(f"Cropping2D {self.name!r}: cropping {self.cropping} leaves "
                                 f"nothing of an input of shape {x.shape}")
            index[axis] = slice(before, x.shape[axis] - after)
        return x[tuple(index)]

    def get_config(self):
        return dict(super().get_config(), cropping=[list(pair) for pair in self.cropping])


class UpSampling2D(_Border2D):
    """Repeat each row size[0] times and each column size[1] times (nearest neighbour).

    >>> chainrule.layers.UpSampling2D()(chainrule.randn(1, 3, 3, 2)).shape
    (1, 6, 6, 2)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = _sizes(size, 2, "size", "UpSampling2D")
        self.data_format = _data_format_argument(data_format, "UpSampling2D")
        if interpolation != "nearest":
            raise NotImplementedError(f"UpSampling2D: interpolation={interpolation!r} is not "
                                      f"supported; only 'nearest' is")
        self.interpolation = interpolation
        self.built = True

    def forward(self, x):
        rows, columns = self._check(x)
        # (N, H, W, C) -> (N, H, 1, W, 1, C) broadcast to (N, H, s0, W, s1, C), then merged
        shape = list(x.shape)
        view = shape[:columns + 1] + [1] + shape[columns + 1:]
        view.insert(rows + 1, 1)
        expanded = list(view)
        expanded[rows + 1], expanded[columns + 2] = self.size
        y = F.expand(F.reshape(x, tuple(view)), *expanded)
        shape[rows] *= self.size[0]
        shape[columns] *= self.size[1]
        return F.reshape(y, tuple(shape))

    def get_config(self):
        return dict(super().get_config(), size=list(self.size),
                    interpolation=self.interpolation)
