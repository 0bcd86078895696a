"""Attention: softmax(q kᵀ · scale + mask) v, as one function and as PyTorch's MultiheadAttention.

Both are written with the engine's differentiable functions (batched matmul, where, softmax),
so every head and every position is computed in a few array operations and the gradient
rules are those of the pieces.
"""
import math

from chainrule.backend import xp
from chainrule.functions import cat, matmul, pad, repeat_interleave, softmax, where
from chainrule.nn import init
from chainrule.nn._inputs import factory_dtype, layer_input
from chainrule.nn.dropout import _check_p, dropout
from chainrule.nn.linear import Linear, linear
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.tensor import Tensor, as_array


def _mask_tensor(mask, dtype, where_):
    """A mask as a tensor: boolean as it is, floating in ``dtype`` (raw data adopts it; a tensor
    of another float dtype is an error, as in PyTorch)."""
    if isinstance(mask, Tensor):
        kind = mask.data.dtype.kind
        if kind == "f" and mask.data.dtype != dtype:
            raise TypeError(f"{where_}: a float mask must have the query's dtype {dtype}, got {mask.dtype}")
    else:
        mask = Tensor(as_array(mask, copy=False, op=where_))
        kind = mask.data.dtype.kind
        if kind == "f":
            mask = Tensor(mask.data.astype(dtype, copy=False))
    if kind not in "bf":
        raise TypeError(f"{where_}: a mask must be boolean or floating, got dtype {mask.dtype}")
    return mask


def _additive(mask, masked_when, dtype):
    """A boolean mask as an additive float mask of ``dtype``: -inf where it equals ``masked_when``, else 0."""
    if mask.data.dtype.kind == "f":
        return mask
    return Tensor(xp.where(mask.data == masked_when, -xp.inf, 0.0).astype(dtype))


def _attend(query, key, value, mask, dropout_p, scale, safe):
    """softmax(q kᵀ · scale + mask) v and the weights; ``mask`` is additive (float) or None.

    ``safe``: a row whose scores are all -inf (every key masked) gets weights 0 and output 0,
    as PyTorch's scaled_dot_product_attention; otherwise such a row is NaN, as the
    need_weights path of PyTorch's MultiheadAttention.
    """
    scores = matmul(query, key.transpose(-2, -1)) * scale
    if mask is not None:
        scores = scores + mask
    dead = xp.all(xp.isneginf(scores.data), axis=-1, keepdims=True)
    if dead.any():
        weights = where(dead, 0.0 if safe else xp.nan, softmax(where(dead, 0.0, scores), -1))
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return matmul(weights, value), weights


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """softmax(Q Kᵀ · scale + mask) V over the last two dims, any leading batch dims.

    Shapes: query (*, L, E), key (*, S, E), value (*, S, Ev) -> (*, L, Ev); ``scale``
    defaults to 1/√E.  ``attn_mask`` broadcasts to (*, L, S): boolean (True = the key takes
    part) or floating (added to the scores).  ``is_causal`` lets query i see keys 0..i.
    A query that may see no key at all gets output 0.  ``enable_gqa``: key and value may
    have fewer heads (dim -3) than query, each shared by a group of query heads.

    >>> q = chainrule.randn(2, 4, 5, 8)
    >>> scaled_dot_product_attention(q, q, q, is_causal=True).shape
    (2, 4, 5, 8)
    """
    name = "scaled_dot_product_attention"
    query = layer_input(query, None, name)
    key, value = layer_input(key, query.dtype, name), layer_input(value, query.dtype, name)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError(f"{name}: query, key and value need at least 2 dims (…, length, features), "
                         f"got shapes {query.shape}, {key.shape}, {value.shape}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{name}: query {query.shape}, key {key.shape} and value {value.shape} do not fit: "
                         "query and key need the same last dim, key and value the same length (dim -2)")
    p = float(_check_p(dropout_p, name))
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        heads, kv_heads = query.shape[-3], key.shape[-3]
        if kv_heads == 0 or heads % kv_heads or value.shape[-3] != kv_heads:
            raise ValueError(f"{name}: with enable_gqa, query's {heads} heads (dim -3) must be a multiple "
                             f"of key's and value's, got key {key.shape} and value {value.shape}")
        key = repeat_interleave(key, heads // kv_heads, dim=-3)
        value = repeat_interleave(value, heads // kv_heads, dim=-3)
    L, S = query.shape[-2], key.shape[-2]
    mask = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{name}: give attn_mask or is_causal, not both")
        mask = Tensor(xp.where(xp.tri(L, S, dtype=bool), 0.0, -xp.inf).astype(query.dtype))
    elif attn_mask is not None:
        mask = _additive(_mask_tensor(attn_mask, query.dtype, name), masked_when=False, dtype=query.dtype)
        try:
            xp.broadcast_shapes(mask.shape, query.shape[:-2] + (L, S))
        except ValueError:
            raise ValueError(f"{name}: attn_mask of shape {mask.shape} does not broadcast to the scores' "
                             f"shape {query.shape[:-2] + (L, S)}") from None
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    return _attend(query, key, value, mask, p, scale, safe=True)[0]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under PyTorch's name for MultiheadAttention's output projection (so that reprs match)."""


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads of size embed_dim / num_heads, as PyTorch's.

    Inputs (L, N, E) (or (N, L, E) with ``batch_first``, or unbatched (L, E)); key and value
    have length S and features ``kdim``, ``vdim``.  Query, key and value are projected by
    ``in_proj_weight`` (3E, E) (or q/k/v_proj_weight when kdim or vdim differ from E), each
    head attends with softmax(q kᵀ/√d + masks), and ``out_proj`` mixes the heads.  Masks:
    ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or (N·num_heads, L, S), boolean
    (True = *not* allowed to attend) or floating (added).  Returns the output and, with
    ``need_weights``, the attention weights (N, L, S), averaged over heads unless
    ``average_attn_weights`` is False (then (N, num_heads, L, S)).

    >>> mha = chainrule.nn.MultiheadAttention(16, 4, batch_first=True)
    >>> x = chainrule.randn(2, 5, 16)
    >>> [t.shape for t in mha(x, x, x)]
    [(2, 5, 16), (2, 5, 5)]
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        dtype = factory_dtype(dtype, device, "MultiheadAttention")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be positive, got "
                             f"embed_dim={embed_dim}, num_heads={num_heads}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim must be divisible by num_heads, got "
                             f"embed_dim={embed_dim}, num_heads={num_heads}")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.kdim = self.embed_dim if kdim is None else int(kdim)
        self.vdim = self.embed_dim if vdim is None else int(vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout = _check_p(dropout, "MultiheadAttention")
        self.batch_first = batch_first
        self.head_dim = self.embed_dim // self.num_heads
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(xp.zeros((3 * E, E), dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(xp.zeros((E, E), dtype))
            self.k_proj_weight = Parameter(xp.zeros((E, self.kdim), dtype))
            self.v_proj_weight = Parameter(xp.zeros((E, self.vdim), dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(xp.zeros(3 * E, dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(E, E, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(xp.zeros((1, 1, E), dtype))
            self.bias_v = Parameter(xp.zeros((1, 1, E), dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """PyTorch's initialization: Xavier-uniform projections, zero biases, Xavier-normal bias_k/v."""
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for extra in (self.bias_k, self.bias_v):
            if extra is not None:
                init.xavier_normal_(extra)

    def _name(self):
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def _projection_weights(self):
        """The query, key and value projection weights and biases (None where there is no bias)."""
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            weights = (w[:E], w[E:2 * E], w[2 * E:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        biases = (None,) * 3 if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        return weights, biases

    def _inputs(self, query, key, value):
        """query, key and value as batch-first tensors (N, L, E), and whether the input was batched."""
        where_ = self._name()
        dtype = self.out_proj.weight.dtype
        query, key, value = (layer_input(t, dtype, where_) for t in (query, key, value))
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"{where_}: query, key and value must all be 3-D (batched) or 2-D (unbatched), "
                             f"got shapes {query.shape}, {key.shape}, {value.shape}")
        for t, name, size in ((query, "query", self.embed_dim), (key, "key", self.kdim), (value, "value", self.vdim)):
            if t.shape[-1] != size:
                raise ValueError(f"{where_}: {name}'s last dim must be {size}, got {name} of shape {t.shape}")
        shapes = f"{query.shape}, {key.shape}, {value.shape}"
        if not batched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        if key.shape[:2] != value.shape[:2] or key.shape[0] != query.shape[0]:
            layout = "(L, E)" if not batched else "(N, L, E)" if self.batch_first else "(L, N, E)"
            raise ValueError(f"{where_}: query, key and value must share the batch size, and key and value "
                             f"the length, got shapes {shapes} (layout {layout})")
        return query, key, value, batched

    def _mask(self, attn_mask, key_padding_mask, batched, N, L, S):
        """The additive mask (broadcasting to (N, num_heads, L, S)) of ``attn_mask`` and
        ``key_padding_mask``, or None; boolean masks are True where attention is forbidden."""
        where_, H, dtype = self._name(), self.num_heads, self.out_proj.weight.dtype
        mask = None
        if attn_mask is not None:
            attn_mask = _mask_tensor(attn_mask, dtype, where_)
            if attn_mask.shape == (L, S):
                mask = _additive(attn_mask, masked_when=True, dtype=dtype)
            elif attn_mask.shape == (N * H, L, S):
                mask = _additive(attn_mask, masked_when=True, dtype=dtype).reshape(N, H, L, S)
            else:
                raise ValueError(f"{where_}: attn_mask must have shape {(L, S)} or {(N * H, L, S)} "
                                 f"(batch·num_heads, L, S), got {attn_mask.shape}")
        if key_padding_mask is not None:
            padding = _mask_tensor(key_padding_mask, dtype, where_)
            expected = (N, S) if batched else (S,)
            if padding.shape != expected:
                raise ValueError(f"{where_}: key_padding_mask must have shape {expected}, got {padding.shape}")
            padding = _additive(padding, masked_when=True, dtype=dtype).reshape(N, 1, 1, S)
            mask = padding if mask is None else mask + padding
        return mask

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        if is_causal and attn_mask is None:
            raise ValueError(f"{self._name()}: is_causal is a hint that attn_mask is causal; give the "
                             "attn_mask as well")
        query, key, value, batched = self._inputs(query, key, value)
        N, L, E = query.shape
        H, d = self.num_heads, self.head_dim
        mask = self._mask(attn_mask, key_padding_mask, batched, N, L, key.shape[1])
        (wq, wk, wv), (bq, bk, bv) = self._projection_weights()
        q, k, v = linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)
        if self.bias_k is not None:
            k = cat([k, self.bias_k.expand(N, 1, E)], dim=1)
            v = cat([v, self.bias_v.expand(N, 1, E)], dim=1)
            mask = None if mask is None else pad(mask, (0, 1))
        q, k, v = (t.reshape(N, t.shape[1], H, d).transpose(1, 2) for t in (q, k, v))
        if self.add_zero_attn:
            zeros = Tensor(xp.zeros((N, H, 1, d), k.dtype))
            k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
            mask = None if mask is None else pad(mask, (0, 1))
        p = self.dropout if self.training else 0.0
        out, weights = _attend(q, k, v, mask, p, 1.0 / math.sqrt(d), safe=not need_weights)
        out = self.out_proj(out.transpose(1, 2).reshape(N, L, E))
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return out, weights if batched else weights.squeeze(0)
