"""Keras's merge layers: combine a list of tensors into one (functional API branches meet here).

Elementwise merges (Add, Subtract, Multiply, Average, Maximum, Minimum) take inputs whose
shapes broadcast against each other; Concatenate joins along ``axis``; Dot takes the batched
dot product of two inputs along ``axes``.  Each has a lowercase functional form:
``layers.add([a, b])`` is ``layers.Add()([a, b])``.

    merged = layers.concatenate([text_features, numeric_features])
"""
from chainrule import functions as F
from chainrule.layers import symbolic
from chainrule.layers.base import Layer
from chainrule.tensor import Tensor, as_array


class _Merge(Layer):
    """Base of the merge layers: called on a list of tensors; ``_combine`` merges them."""

    arity = None   # the exact number of inputs, where the layer needs one

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def _where(self):
        return f"{type(self).__name__} {self.name!r}"

    def _check_count(self, inputs):
        where = self._where()
        if not isinstance(inputs, (list, tuple)):
            raise TypeError(f"{where}: a merge layer is called on a list of tensors, got a "
                            f"{type(inputs).__name__}")
        count = len(inputs)
        if (self.arity is not None and count != self.arity) or count < 2:
            needed = f"exactly {self.arity}" if self.arity is not None else "at least 2"
            raise ValueError(f"{where}: needs {needed} inputs, got {count}")

    def __call__(self, inputs, *args, **kwargs):
        if symbolic.is_symbolic(inputs):   # check the symbolic shapes (None: any size)
            self._check_count(inputs)
            self._check_shapes([t.shape for t in symbolic.flatten(inputs, self._where())])
        return super().__call__(inputs, *args, **kwargs)

    def _prepare(self, inputs):
        where = self._where()
        self._check_count(inputs)
        tensors = [x if isinstance(x, Tensor) else
                   Tensor(as_array(x, op=where).astype(self.dtype, copy=False)) for x in inputs]
        self._check_shapes([t.shape for t in tensors])
        if self.build_input_shape is None:
            self.build_input_shape = [(None,) + t.shape[1:] for t in tensors]
        return tensors

    def _check_shapes(self, shapes):
        """Elementwise merges: the shapes broadcast against each other (batch axes included)."""
        rank = max(len(s) for s in shapes)
        padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
        for sizes in zip(*padded):
            known = {size for size in sizes if size not in (None, 1)}
            if len(known) > 1:
                raise ValueError(f"{self._where()}: inputs of shapes "
                             f"{', '.join(str(s) for s in shapes)} cannot be merged elementwise "
                             f"(their shapes must be equal or broadcast)")

    def forward(self, inputs):
        return self._combine(list(inputs))


def _same(sizes):
    """True when the sizes agree, None (unknown) agreeing with any."""
    return len({size for size in sizes if size is not None}) <= 1


def _sum(xs):
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


class Add(_Merge):
    """The sum of the inputs: ``Add()([a, b, c])`` is a + b + c (a residual connection)."""

    def _combine(self, xs):
        return _sum(xs)


class Subtract(_Merge):
    """The difference of exactly two inputs: ``Subtract()([a, b])`` is a - b."""

    arity = 2

    def _combine(self, xs):
        return xs[0] - xs[1]


class Multiply(_Merge):
    """The elementwise product of the inputs."""

    def _combine(self, xs):
        product = xs[0]
        for x in xs[1:]:
            product = product * x
        return product


class Average(_Merge):
    """The elementwise mean of the inputs."""

    def _combine(self, xs):
        return _sum(xs) * (1.0 / len(xs))


class Maximum(_Merge):
    """The elementwise maximum of the inputs."""

    def _combine(self, xs):
        result = xs[0]
        for x in xs[1:]:
            result = F.maximum(result, x)
        return result


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    def _combine(self, xs):
        result = xs[0]
        for x in xs[1:]:
            result = F.minimum(result, x)
        return result


class Concatenate(_Merge):
    """The inputs joined along ``axis`` (default the last); every other axis must agree."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _check_shapes(self, shapes):
        ranks = {len(s) for s in shapes}
        ok = len(ranks) == 1
        if ok:
            rank = ranks.pop()
            ok = -rank <= self.axis < rank
            if ok:
                axis = self.axis % rank
                ok = all(_same(sizes) for sizes in zip(*(s[:axis] + s[axis + 1:]
                                                         for s in shapes)))
        if not ok:
            raise ValueError(f"{self._where()}: inputs of shapes "
                             f"{', '.join(str(s) for s in shapes)} cannot be concatenated on "
                             f"axis {self.axis} (all other axes must be equal)")

    def _combine(self, xs):
        return F.cat(xs, self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config

    def extra_repr(self):
        return f"axis={self.axis}, " + super().extra_repr()


class Dot(_Merge):
    """The dot product of two inputs along ``axes``, sample by sample.

    For a of shape (N, *A) and b of shape (N, *B), ``axes=(i, j)`` (or one int for both)
    contracts axis i of a with axis j of b (axes count the batch axis, which is never
    contracted) and gives (N, *A without i, *B without j), or (N, 1) when nothing is left.
    ``normalize=True`` scales both along the contracted axes to unit L2 norm first, so the
    result is the cosine similarity.
    """

    arity = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        axes = (axes, axes) if isinstance(axes, int) else tuple(axes)
        if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
            raise ValueError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
        self.axes = axes
        self.normalize = bool(normalize)

    def _positive_axes(self, shapes):
        return [axis % len(shape) for axis, shape in zip(self.axes, shapes)]

    def _check_shapes(self, shapes):
        a, b = shapes
        axes = self._positive_axes(shapes) if min(len(a), len(b)) >= 2 else None
        if axes is None or 0 in axes or not _same((a[axes[0]], b[axes[1]])) or \
                not _same((a[0], b[0])):
            raise ValueError(f"{self._where()}: cannot take the dot product of inputs of shapes "
                             f"{a} and {b} along axes {self.axes} (the axes must have equal "
                             f"sizes and not be the batch axis)")

    def _combine(self, xs):
        a, b = xs
        i, j = self._positive_axes([a.shape, b.shape])
        if self.normalize:
            a = a / F.sqrt(F.clamp((a * a).sum(i, keepdim=True), min=1e-12))
            b = b / F.sqrt(F.clamp((b * b).sum(j, keepdim=True), min=1e-12))
        a = F.movedim(a, i, -1)   # (N, *A', k)
        b = F.movedim(b, j, 1)    # (N, k, *B')
        left, right = a.shape[1:-1], b.shape[2:]
        size, batch = a.shape[-1], a.shape[0]
        product = F.bmm(a.reshape(batch, -1, size), b.reshape(batch, size, -1))
        shape = tuple(left) + tuple(right)
        return product.reshape(batch, *(shape or (1,)))

    def get_config(self):
        config = super().get_config()
        config.update(axes=list(self.axes), normalize=self.normalize)
        return config

    def extra_repr(self):
        return f"axes={self.axes}, normalize={self.normalize}, " + super().extra_repr()


# the functional forms: layers.add([a, b]) is layers.Add()([a, b])
def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """``Dot(axes, normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
