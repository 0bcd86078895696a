"""Keras's Embedding: integer tokens in, learned vectors out.

The weight is ``embeddings`` (input_dim, output_dim), initialized U(-0.05, 0.05) as in
Keras; the lookup is ``nn.Embedding``'s op, whose gradient adds up, per row, the gradients
of every position where that token occurs.
"""
import numbers

from chainrule import initializers, regularizers
from chainrule.backend import xp
from chainrule.layers.base import Layer
from chainrule.ops import embedding as _embedding
from chainrule.tensor import Tensor, apply, as_array


class Embedding(Layer):
    """A table of ``input_dim`` vectors of size ``output_dim``: (*) integers -> (*, output_dim).

    Unlike the other layers, it keeps integer inputs as integers (whole-valued floats, such
    as the zeros a model is built with, are taken as the integers they hold); an index
    outside [0, input_dim) is an error.  ``input_length`` (Keras 2) gives the input shape
    when ``input_shape`` is not given.

    >>> layer = chainrule.layers.Embedding(1000, 64)
    >>> layer(chainrule.tensor([[4, 20, 7]])).shape, layer.embeddings.shape
    ((1, 3, 64), (1000, 64))
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and kwargs.get("input_shape") is None:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        if mask_zero:
            raise NotImplementedError("Embedding: mask_zero=True is not supported (no layer "
                                      "here consumes masks); pad with a token of its own instead")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self._set_weight_options(
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer)

    def build(self, input_shape):
        self.add_weight("embeddings", (self.input_dim, self.output_dim),
                        self.embeddings_initializer, self.embeddings_regularizer)

    def _prepare(self, x):
        """The indices as an integer tensor (never cast to floats, as other layers' inputs
        are), and the layer built."""
        where = f"Embedding {self.name!r}"
        indices = x.data if isinstance(x, Tensor) else as_array(x, copy=False, op=where)
        if indices.dtype.kind == "f":
            whole = indices.astype(xp.int64)
            if not (whole == indices).all():
                raise TypeError(f"{where}: indices must be integers, got floats that are not "
                                f"whole numbers (shape {indices.shape})")
            indices = whole
        elif indices.dtype.kind not in "iu":
            raise TypeError(f"{where}: indices must be integers, got dtype {indices.dtype}")
        if self.build_input_shape is None:
            self.ensure_built(indices.shape)
        return x if isinstance(x, Tensor) and x.data is indices else Tensor(indices)

    def forward(self, x):
        indices = x.data
        if indices.size:
            low, high = int(indices.min()), int(indices.max())
            if low < 0 or high >= self.input_dim:
                raise IndexError(f"Embedding {self.name!r}: index {low if low < 0 else high} is "
                                 f"out of range for input_dim={self.input_dim} (indices of shape "
                                 f"{indices.shape} must lie in [0, {self.input_dim - 1}])")
        return apply(_embedding.Embedding(indices), self.embeddings)

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim, output_dim=self.output_dim,
            embeddings_initializer=initializers.serialize(self.embeddings_initializer),
            embeddings_regularizer=regularizers.serialize(self.embeddings_regularizer),
            mask_zero=False)
        return config

    def extra_repr(self):
        return f"{self.input_dim}, {self.output_dim}, " + super().extra_repr()
