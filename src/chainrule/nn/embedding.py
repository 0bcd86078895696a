"""Embedding: a lookup table of vectors, one row per index (a word, a token, a category).

y = W[indices] is a Linear layer applied to one-hot vectors, without building them; its
weight gradient adds up, per row, the gradients of every position where that index occurs.
"""
from chainrule.backend import xp
from chainrule.nn import init
from chainrule.nn._inputs import factory_dtype
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.ops import embedding as _embedding
from chainrule.tensor import Tensor, apply, as_array


def _indices(input, num_embeddings, where):
    """The index array of ``input``: integers in [0, num_embeddings), or a clear error."""
    indices = input.data if isinstance(input, Tensor) else as_array(input, copy=False, op=where)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{where}: indices must be integers (int64 or int32), got dtype "
                        f"{indices.dtype}; convert them with .long()")
    if indices.size:
        low, high = int(indices.min()), int(indices.max())
        if low < 0 or high >= num_embeddings:
            bad = low if low < 0 else high
            raise IndexError(f"{where}: index {bad} is out of range for {num_embeddings} embeddings "
                             f"(indices of shape {indices.shape} must lie in [0, {num_embeddings - 1}])")
    return indices


def _padding_index(padding_idx, num_embeddings, where):
    """``padding_idx`` as a row number (negative counts from the end), or None."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{where}: padding_idx must be within num_embeddings ({num_embeddings}), "
                         f"got {padding_idx}")
    return int(padding_idx) % num_embeddings


def _unsupported(max_norm, scale_grad_by_freq, sparse, where):
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(f"{where}: max_norm, scale_grad_by_freq and sparse gradients are "
                                  "not implemented")


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ``input``.

    Output shape input.shape + (embedding_dim,).  dW[r] = sum of the output's gradient over
    the positions where input == r; the ``padding_idx`` row gets no gradient.

    >>> embedding(chainrule.tensor([[0, 2]]), chainrule.eye(3)).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    where = "embedding"
    _unsupported(max_norm, scale_grad_by_freq, sparse, where)
    if not isinstance(weight, Tensor) or weight.ndim != 2 or weight.dtype.kind != "f":
        shape = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"{where}: weight must be a 2-d floating tensor (num_embeddings, "
                         f"embedding_dim), got {shape}")
    num = weight.shape[0]
    indices = _indices(input, num, where)
    return apply(_embedding.Embedding(indices, _padding_index(padding_idx, num, where)), weight)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; indices in, vectors out.

    Input: integers of any shape (*); output (*, embedding_dim).  ``weight`` is initialized
    from N(0, 1), as PyTorch's; the ``padding_idx`` row starts at zero and never receives a
    gradient, so it stays what it is (a "no token" vector).

    >>> layer = chainrule.nn.Embedding(10000, 128, padding_idx=0)
    >>> layer(chainrule.tensor([[1, 5, 0]])).shape
    (1, 3, 128)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None,
                 dtype=None):
        super().__init__()
        dtype = factory_dtype(dtype, device, "Embedding")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        if self.num_embeddings < 0 or self.embedding_dim < 0:
            raise ValueError(f"Embedding: sizes must be non-negative, got num_embeddings="
                             f"{num_embeddings}, embedding_dim={embedding_dim}")
        _unsupported(max_norm, scale_grad_by_freq, sparse, "Embedding")
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(xp.zeros((self.num_embeddings, self.embedding_dim), dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            weight = as_array(_weight, copy=True, op="Embedding")
            if weight.shape != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight must have shape ({self.num_embeddings}, "
                                 f"{self.embedding_dim}), got {weight.shape}")
            self.weight = Parameter(weight, requires_grad=not _freeze)

    def reset_parameters(self):
        """W ~ N(0, 1), with the padding row set to zero (PyTorch's initialization)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding holding a copy of ``embeddings`` (2-d); frozen (no gradient) by default."""
        weight = as_array(embeddings, copy=False, op="Embedding.from_pretrained")
        if weight.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-d, got shape {weight.shape}")
        return cls(weight.shape[0], weight.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   sparse, _weight=weight, _freeze=freeze)

    def forward(self, input):
        where = f"Embedding({self.num_embeddings}, {self.embedding_dim})"
        indices = _indices(input, self.num_embeddings, where)
        return apply(_embedding.Embedding(indices, self.padding_idx), self.weight)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text


def one_hot(tensor, num_classes=-1):
    """int64 one-hot vectors of the class indices ``tensor``: shape tensor.shape + (num_classes,).

    num_classes=-1 takes the largest index + 1.  Not differentiable (its output is integer).

    >>> one_hot(chainrule.tensor([0, 2])).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    op = "one_hot"
    indices = tensor.data if isinstance(tensor, Tensor) else as_array(tensor, copy=False, op=op)
    if indices.dtype != xp.int64:
        raise TypeError(f"{op}: class indices must be an int64 tensor, got dtype {indices.dtype}; "
                        "convert them with .long()")
    if num_classes == -1:
        if indices.size == 0:
            raise ValueError(f"{op}: cannot infer num_classes from an empty tensor of shape "
                             f"{indices.shape}; pass num_classes")
        num_classes = int(indices.max()) + 1
    if indices.size:
        low, high = int(indices.min()), int(indices.max())
        if low < 0:
            raise ValueError(f"{op}: class values must be non-negative, got {low}")
        if high >= num_classes:
            raise ValueError(f"{op}: class value {high} is out of range for num_classes={num_classes} "
                             f"(expected values in [0, {num_classes}))")
    elif num_classes < 0:
        raise ValueError(f"{op}: num_classes must be -1 or non-negative, got {num_classes}")
    return Tensor((indices[..., None] == xp.arange(num_classes)).astype(xp.int64))


_BAG_MODES = ("sum", "mean", "max")


def _bags(input, offsets, include_last_offset, where):
    """(flat indices, bag of each entry, number of bags) from a 2-d input (one bag per row)
    or a 1-d input cut at ``offsets``."""
    indices = input.data if isinstance(input, Tensor) else as_array(input, copy=False, op=where)
    if indices.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{where}: offsets has to be None if input is 2-d (one bag per row), "
                             f"got input of shape {indices.shape} and offsets")
        num_bags, length = indices.shape
        return indices.reshape(-1), xp.repeat(xp.arange(num_bags), length), num_bags
    if indices.ndim != 1:
        raise ValueError(f"{where}: input has to be 1-d or 2-d, got shape {indices.shape}")
    if offsets is None:
        raise ValueError(f"{where}: offsets has to be a 1-d tensor of bag starts when input is "
                         f"1-d (shape {indices.shape})")
    starts = offsets.data if isinstance(offsets, Tensor) else as_array(offsets, copy=False, op=where)
    if starts.ndim != 1 or starts.dtype.kind not in "iu":
        raise ValueError(f"{where}: offsets has to be a 1-d integer tensor, got shape "
                         f"{starts.shape} and dtype {starts.dtype}")
    if starts.size and (starts[0] != 0 or (xp.diff(starts) < 0).any()
                        or starts[-1] > indices.size):
        raise ValueError(f"{where}: offsets must start at 0 and be non-decreasing and at most "
                         f"{indices.size} (the input's length), got {starts.tolist()}")
    if include_last_offset:
        if starts.size == 0:
            raise ValueError(f"{where}: include_last_offset needs at least one offset")
        starts, end = starts[:-1], int(starts[-1])
        indices = indices[:end]
    bags = xp.searchsorted(starts, xp.arange(indices.size), side="right") - 1
    return indices, bags, starts.size


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """The sum, mean or max of the embeddings of each bag of indices, without building the
    (bag, length, dim) tensor of all their rows.

    input (B, L) (B bags of L indices) or (n,) with ``offsets`` (B,) (bag b is
    input[offsets[b]:offsets[b+1]]); output (B, embedding_dim).  ``per_sample_weights``
    (input's shape, mode 'sum' only) scale each row; entries equal to ``padding_idx`` are left
    out of their bag; an empty bag gives zeros.

    >>> embedding_bag(chainrule.tensor([0, 1, 2]), chainrule.eye(3), chainrule.tensor([0, 2]),
    ...               mode="sum").tolist()
    [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    where = "embedding_bag"
    _unsupported(max_norm, scale_grad_by_freq, sparse, where)
    if mode not in _BAG_MODES:
        raise ValueError(f"{where}: mode has to be one of 'sum', 'mean', 'max', got {mode!r}")
    if not isinstance(weight, Tensor) or weight.ndim != 2 or weight.dtype.kind != "f":
        shape = weight.shape if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"{where}: weight must be a 2-d floating tensor (num_embeddings, "
                         f"embedding_dim), got {shape}")
    num = weight.shape[0]
    indices, bags, num_bags = _bags(input, offsets, include_last_offset, where)
    indices = _indices(indices, num, where)
    op = _embedding.EmbeddingBag(indices, bags, num_bags, mode,
                                 _padding_index(padding_idx, num, where))
    if per_sample_weights is None:
        return apply(op, weight)
    if mode != "sum":
        raise NotImplementedError(f"{where}: per_sample_weights are only supported with "
                                  f"mode='sum', got mode={mode!r}")
    input_shape = input.shape if hasattr(input, "shape") else xp.shape(input)
    if not isinstance(per_sample_weights, Tensor):
        per_sample_weights = Tensor(as_array(per_sample_weights, copy=False, op=where))
    if per_sample_weights.shape != tuple(input_shape):
        raise ValueError(f"{where}: per_sample_weights must have the input's shape "
                         f"{tuple(input_shape)}, got {per_sample_weights.shape}")
    if per_sample_weights.dtype != weight.dtype:
        raise TypeError(f"{where}: per_sample_weights of dtype {per_sample_weights.dtype} must "
                        f"have the weight's dtype {weight.dtype}")
    flat = per_sample_weights.reshape(-1)[:indices.size]
    return apply(op, weight, flat)


class EmbeddingBag(Module):
    """A table of ``num_embeddings`` vectors; each bag of indices in, the ``mode`` ('sum',
    'mean', 'max') of its vectors out.  See ``embedding_bag``.

    >>> bag = chainrule.nn.EmbeddingBag(10, 3, mode="sum")
    >>> bag(chainrule.tensor([1, 2, 4, 5, 4]), chainrule.tensor([0, 2])).shape
    (2, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None):
        super().__init__()
        table = Embedding(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type,
                          scale_grad_by_freq, sparse, _weight, device=device, dtype=dtype)
        if mode not in _BAG_MODES:
            raise ValueError(f"EmbeddingBag: mode has to be one of 'sum', 'mean', 'max', got "
                             f"{mode!r}")
        self.num_embeddings, self.embedding_dim = table.num_embeddings, table.embedding_dim
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        self.mode, self.include_last_offset = mode, include_last_offset
        self.padding_idx = table.padding_idx
        self.weight = table.weight

    reset_parameters = Embedding.reset_parameters

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, mode="mean", sparse=False,
                        include_last_offset=False, padding_idx=None):
        """An EmbeddingBag holding a copy of ``embeddings`` (2-d); frozen by default."""
        weight = as_array(embeddings, copy=False, op="EmbeddingBag.from_pretrained")
        if weight.ndim != 2:
            raise ValueError(f"EmbeddingBag.from_pretrained: embeddings must be 2-d, got shape "
                             f"{weight.shape}")
        bag = cls(weight.shape[0], weight.shape[1], max_norm, norm_type, scale_grad_by_freq, mode,
                  sparse, weight, include_last_offset, padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                             self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        for name, default in (("max_norm", None), ("norm_type", 2), ("scale_grad_by_freq", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        text += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text
