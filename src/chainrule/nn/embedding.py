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
