"""The Transformer of "Attention Is All You Need", with PyTorch's classes, arguments and state-dict keys.

An encoder layer is self-attention then a two-layer feed-forward network, each wrapped in a
residual connection and a LayerNorm (after the sum by default, before the block with
``norm_first``); a decoder layer adds attention over the encoder's output ("memory") between
the two.  TransformerEncoder and TransformerDecoder stack deep copies of one layer.
"""
import copy

from chainrule.backend import xp
from chainrule.functions import gelu, relu
from chainrule.nn import init
from chainrule.nn._inputs import factory_dtype
from chainrule.nn.attention import MultiheadAttention
from chainrule.nn.container import ModuleList
from chainrule.nn.dropout import Dropout
from chainrule.nn.linear import Linear
from chainrule.nn.module import Module
from chainrule.nn.normalization import LayerNorm
from chainrule.tensor import Tensor

_ACTIVATIONS = {"relu": relu, "gelu": gelu}


def _activation(activation, where):
    """'relu', 'gelu' or a callable (a Module is registered as the layer's child, as in PyTorch)."""
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ValueError(f"{where}: activation should be 'relu' or 'gelu' (or a callable), not {activation!r}")
        return _ACTIVATIONS[activation]
    if not callable(activation):
        raise TypeError(f"{where}: activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


class _FeedForwardLayer(Module):
    """What encoder and decoder layers share: their arguments, the feed-forward block, and one
    LayerNorm and Dropout per residual block (``_norms`` of them: 2 in an encoder layer, 3 in a
    decoder layer, whose extra block attends to the memory)."""

    _norms = 2

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        kw = {"bias": bias, "dtype": factory_dtype(dtype, device, type(self).__name__)}
        norms = self._norms
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, **kw)
        if norms == 3:
            self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, **kw)
        self.norm_first = norm_first
        for i in range(1, norms + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, **kw))
        for i in range(1, norms + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = _activation(activation, type(self).__name__)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x, last_dropout):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return last_dropout(x)


class TransformerEncoderLayer(_FeedForwardLayer):
    """Self-attention and a feed-forward network (d_model -> dim_feedforward -> d_model), each
    with a residual connection and LayerNorm.  Input (S, N, E), (N, S, E) with ``batch_first``,
    or unbatched (S, E).

    >>> layer = chainrule.nn.TransformerEncoderLayer(d_model=16, nhead=4, batch_first=True)
    >>> layer(chainrule.randn(2, 5, 16)).shape
    (2, 5, 16)
    """

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x, self.dropout2))


class TransformerDecoderLayer(_FeedForwardLayer):
    """Self-attention over the target, attention over the encoder's output ``memory``, and a
    feed-forward network, each with a residual connection and LayerNorm.

    >>> layer = chainrule.nn.TransformerDecoderLayer(d_model=16, nhead=4, batch_first=True)
    >>> layer(chainrule.randn(2, 3, 16), chainrule.randn(2, 5, 16)).shape
    (2, 3, 16)
    """

    _norms = 3

    def _mha_block(self, x, memory, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                need_weights=False, is_causal=is_causal)[0]
        return self.dropout2(x)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x, self.dropout3))


class _Stack(Module):
    """``num_layers`` deep copies of one layer, then an optional final norm."""

    def __init__(self, layer, num_layers, norm):
        super().__init__()
        if not isinstance(layer, Module):
            raise TypeError(f"{type(self).__name__}: the layer must be a Module, got {type(layer).__name__}")
        if num_layers < 0:
            raise ValueError(f"{type(self).__name__}: num_layers must be non-negative, got {num_layers}")
        self.layers = ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def _finish(self, x):
        return x if self.norm is None else self.norm(x)


class TransformerEncoder(_Stack):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (each with its own parameters),
    then ``norm`` if given.  ``enable_nested_tensor`` and ``mask_check`` are accepted for
    PyTorch compatibility; they change only PyTorch's inference speed.

    >>> layer = chainrule.nn.TransformerEncoderLayer(d_model=16, nhead=4)
    >>> chainrule.nn.TransformerEncoder(layer, num_layers=2)(chainrule.randn(5, 2, 16)).shape
    (5, 2, 16)
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__(encoder_layer, num_layers, norm)
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return self._finish(x)


class TransformerDecoder(_Stack):
    """A stack of ``num_layers`` copies of ``decoder_layer``, each attending to ``memory``,
    then ``norm`` if given.

    >>> layer = chainrule.nn.TransformerDecoderLayer(d_model=16, nhead=4)
    >>> chainrule.nn.TransformerDecoder(layer, 2)(chainrule.randn(3, 2, 16), chainrule.randn(5, 2, 16)).shape
    (3, 2, 16)
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__(decoder_layer, num_layers, norm)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return self._finish(x)


class Transformer(Module):
    """Encoder-decoder Transformer: ``memory = encoder(src)``, ``output = decoder(tgt, memory)``,
    with a final LayerNorm after each stack and every weight matrix Xavier-uniform initialized,
    as PyTorch's.  Shapes: src (S, N, E), tgt (T, N, E) -> (T, N, E) ((N, ·, E) with
    ``batch_first``; unbatched inputs drop N).

    >>> model = chainrule.nn.Transformer(d_model=16, nhead=4, num_encoder_layers=1,
    ...                                  num_decoder_layers=1, dim_feedforward=32)
    >>> mask = model.generate_square_subsequent_mask(3)
    >>> model(chainrule.randn(5, 2, 16), chainrule.randn(3, 2, 16), tgt_mask=mask).shape
    (3, 2, 16)
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = factory_dtype(dtype, device, "Transformer")
        layer_kw = {"dim_feedforward": dim_feedforward, "dropout": dropout, "activation": activation,
                    "layer_norm_eps": layer_norm_eps, "batch_first": batch_first, "norm_first": norm_first,
                    "bias": bias, "dtype": dtype}
        norm_kw = {"eps": layer_norm_eps, "bias": bias, "dtype": dtype}
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, **layer_kw)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, LayerNorm(d_model, **norm_kw))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, **layer_kw)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, LayerNorm(d_model, **norm_kw))
        self._reset_parameters()
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        batch_dim = 0 if self.batch_first else 1
        if src.ndim == 3 and (tgt.ndim != 3 or src.shape[batch_dim] != tgt.shape[batch_dim]):
            raise ValueError(f"Transformer: the batch sizes of src and tgt must be equal, got shapes "
                             f"{src.shape} and {tgt.shape} (batch_first={self.batch_first})")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: the feature sizes of src and tgt must equal d_model={self.d_model}, "
                             f"got shapes {src.shape} and {tgt.shape}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """A (sz, sz) float mask, -inf above the diagonal and 0 elsewhere: position i may attend
        to positions 0..i only."""
        dtype = factory_dtype(dtype, device, "generate_square_subsequent_mask")
        return Tensor(xp.triu(xp.full((sz, sz), -xp.inf, dtype=dtype), 1))
