"""Attention and Transformer modules against PyTorch's, with the twin's state_dict loaded into ours.

Outputs and the gradients of inputs and every parameter agree to 1e-10 in float64 and 1e-5 in
float32, for batch_first and norm_first both ways and masks of every kind (boolean and float,
2-D and 3-D, key padding); state-dict keys and shapes, reprs, initialization and error
messages are checked too.  The functional pieces are also in the op registry (gradcheck).
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")

import chainrule as cr  # noqa: E402
import chainrule.nn as nn  # noqa: E402
import chainrule.nn.functional as F  # noqa: E402

# torch deprecates mixing boolean and float masks (tested here on purpose) and tells how its
# nested-tensor fast path (which chainrule does not have) could be enabled
pytestmark = pytest.mark.filterwarnings("ignore:Support for mismatched:UserWarning",
                                        "ignore:enable_nested_tensor is True:UserWarning")

TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
E, H, S, T, N = 8, 2, 5, 4, 3          # model width, heads, source and target lengths, batch


def _pair(make, dtype, seed=0):
    """make(torch.nn) with its parameters moved off their initial 0s and 1s, and make(chainrule.nn)
    with that state loaded, both in ``dtype``."""
    torch.manual_seed(seed)
    theirs = make(torch.nn).to(TORCH_DTYPE[dtype])
    with torch.no_grad():
        for p in theirs.parameters():
            p.add_(0.2 * torch.randn(p.shape, dtype=p.dtype))
    ours = make(nn).to(dtype)
    result = ours.load_state_dict({k: v.numpy().copy() for k, v in theirs.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    return ours, theirs


def _run(module, lib, inputs, masks, dtype):
    """Forward on ``inputs`` (arrays, differentiated) with ``masks`` (arrays, keywords), then backward
    of a fixed random projection of the (first) output; the output and all gradients."""
    if lib is torch:
        xs = [torch.tensor(x, requires_grad=True) for x in inputs]
        kw = {k: torch.tensor(v.astype(dtype) if v.dtype.kind == "f" else v) if isinstance(v, np.ndarray) else v
              for k, v in masks.items()}
    else:
        xs = [cr.tensor(x, requires_grad=True) for x in inputs]
        kw = dict(masks)
    out = module(*xs, **kw)
    out = out[0] if isinstance(out, tuple) else out
    g = np.random.default_rng(7).standard_normal(tuple(out.shape)).astype(dtype)
    (out * (torch.tensor(g) if lib is torch else cr.tensor(g))).sum().backward()
    value = out.detach().numpy() if lib is torch else out.numpy()
    grads = {f"input {i}": x.grad.numpy() for i, x in enumerate(xs)}
    grads.update({name: p.grad.numpy() for name, p in module.named_parameters()})
    return value, grads


def compare(make, inputs, masks=None, dtype=np.float64, train=True):
    ours, theirs = _pair(make, dtype)
    ours.train(train), theirs.train(train)
    inputs = [x.astype(dtype) for x in inputs]
    value, grads = _run(ours, cr, inputs, masks or {}, dtype)
    expected, expected_grads = _run(theirs, torch, inputs, masks or {}, dtype)
    assert value.dtype == expected.dtype == dtype and value.shape == expected.shape
    np.testing.assert_allclose(value, expected, rtol=TOL[dtype], atol=TOL[dtype])
    assert list(grads) == list(expected_grads)
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, expected_grads[name], rtol=TOL[dtype], atol=TOL[dtype],
                                   err_msg=f"gradient of {name}")


RNG = np.random.default_rng(0)
SEQ_FIRST = {"src": RNG.standard_normal((S, N, E)), "tgt": RNG.standard_normal((T, N, E))}
CAUSAL_T = np.triu(np.full((T, T), -np.inf), 1)
PADDING_S = np.array([[False] * S, [False, False, False, True, True], [False, True, False, False, True]])
PADDING_T = np.array([[False, False, False, True], [False] * T, [False, True, False, False]])
SRC_MASKS = {
    "none": {},
    "float_2d": dict(src_mask=np.triu(np.full((S, S), -np.inf), 1)),
    "bool_2d": dict(src_mask=np.triu(np.ones((S, S), bool), 1)),
    "float_3d": dict(src_mask=RNG.standard_normal((N * H, S, S))),
    "key_padding": dict(src_key_padding_mask=PADDING_S),
    "bool_3d_and_padding": dict(src_mask=RNG.random((N * H, S, S)) < 0.3, src_key_padding_mask=PADDING_S),
}


def _batch(x, batch_first):
    return x.transpose(1, 0, 2) if batch_first else x


def _encoder_layer(lib, **options):
    return lib.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, **options)


def _decoder_layer(lib, **options):
    return lib.TransformerDecoderLayer(E, H, dim_feedforward=16, dropout=0.0, **options)


@pytest.mark.parametrize("activation", ["gelu", "relu_module", "gelu_module", "callable"])
def test_encoder_layer_activations_and_no_bias_match_torch(activation):
    def make(lib):
        act = {"gelu": "gelu", "relu_module": lib.ReLU(),
               "gelu_module": lib.GELU(), "callable": lambda x: x.tanh()}[activation]
        return _encoder_layer(lib, activation=act, bias=activation == "gelu", layer_norm_eps=1e-3)
    compare(make, [SEQ_FIRST["src"]], SRC_MASKS["key_padding"])


def test_unbatched_encoder_layer_matches_torch():
    compare(lambda lib: _encoder_layer(lib), [SEQ_FIRST["src"][:, 0]],
            dict(src_mask=np.triu(np.ones((S, S), bool), 1), src_key_padding_mask=PADDING_S[1]))


def test_encoder_layer_in_eval_mode_with_dropout_matches_torch():
    compare(lambda lib: lib.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.3),
            [SEQ_FIRST["src"]], SRC_MASKS["key_padding"], train=False)


TGT_MASKS = {
    "none": {},
    "causal_float": dict(tgt_mask=CAUSAL_T),
    "causal_hint": dict(tgt_mask=CAUSAL_T, tgt_is_causal=True),
    "all_kinds": dict(tgt_mask=np.triu(np.ones((T, T), bool), 1), memory_mask=RNG.standard_normal((T, S)),
                      tgt_key_padding_mask=PADDING_T, memory_key_padding_mask=PADDING_S),
    "memory_3d_bool": dict(memory_mask=RNG.random((N * H, T, S)) < 0.3, memory_key_padding_mask=PADDING_S),
}

LAYER_CASES = [("encoder", name) for name in SRC_MASKS] + [("decoder", name) for name in TGT_MASKS]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("kind, masks", LAYER_CASES, ids=[f"{kind}-{name}" for kind, name in LAYER_CASES])
def test_layers_match_torch(dtype, batch_first, norm_first, kind, masks):
    """Encoder and decoder layers, with every kind of mask, both layouts and both norm placements."""
    make, inputs, all_masks = ((_encoder_layer, ["src"], SRC_MASKS) if kind == "encoder"
                               else (_decoder_layer, ["tgt", "src"], TGT_MASKS))
    compare(lambda lib: make(lib, batch_first=batch_first, norm_first=norm_first),
            [_batch(SEQ_FIRST[name], batch_first) for name in inputs], all_masks[masks], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm", [False, True])
def test_stacks_match_torch(dtype, norm):
    def encoder(lib):
        return lib.TransformerEncoder(_encoder_layer(lib, norm_first=True), 2, lib.LayerNorm(E) if norm else None,
                                      enable_nested_tensor=False)

    def decoder(lib):
        return lib.TransformerDecoder(_decoder_layer(lib), 2, lib.LayerNorm(E) if norm else None)
    compare(encoder, [SEQ_FIRST["src"]], dict(mask=SRC_MASKS["float_2d"]["src_mask"], is_causal=True,
                                              src_key_padding_mask=PADDING_S), dtype)
    compare(decoder, [SEQ_FIRST["tgt"], SEQ_FIRST["src"]], TGT_MASKS["all_kinds"], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch(dtype, batch_first, norm_first):
    def make(lib):
        return lib.Transformer(E, H, 2, 1, dim_feedforward=16, dropout=0.0, batch_first=batch_first,
                               norm_first=norm_first)
    masks = dict(src_mask=RNG.standard_normal((S, S)), tgt_mask=nn.Transformer.generate_square_subsequent_mask(T)
                 .numpy(), memory_mask=np.eye(T, S, dtype=bool), src_key_padding_mask=PADDING_S,
                 tgt_key_padding_mask=PADDING_T, memory_key_padding_mask=PADDING_S)
    compare(make, [_batch(SEQ_FIRST["src"], batch_first), _batch(SEQ_FIRST["tgt"], batch_first)], masks, dtype)


MHA_OPTIONS = [dict(), dict(bias=False), dict(add_bias_kv=True), dict(add_zero_attn=True, batch_first=True),
               dict(kdim=3, vdim=5), dict(kdim=3, add_bias_kv=True, add_zero_attn=True, bias=False)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", MHA_OPTIONS, ids=str)
def test_multihead_attention_module_matches_torch(dtype, options):
    kdim, vdim = options.get("kdim", E), options.get("vdim", E)
    first = options.get("batch_first", False)
    inputs = [_batch(RNG.standard_normal(shape), first) for shape in ((T, N, E), (S, N, kdim), (S, N, vdim))]
    masks = dict(attn_mask=RNG.random((T, S)) < 0.3, key_padding_mask=PADDING_S, average_attn_weights=False)
    compare(lambda lib: lib.MultiheadAttention(E, H, **options), inputs, masks, dtype)


@pytest.mark.parametrize("options", MHA_OPTIONS, ids=str)
def test_multihead_attention_state_dict_and_repr_are_torchs(options):
    ours, theirs = nn.MultiheadAttention(E, H, **options), torch.nn.MultiheadAttention(E, H, **options)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert repr(ours) == repr(theirs)
    assert (ours.head_dim, ours._qkv_same_embed_dim) == (theirs.head_dim, theirs._qkv_same_embed_dim)


@pytest.mark.parametrize("make", [
    lambda lib: lib.TransformerEncoderLayer(E, H, 16),
    lambda lib: lib.TransformerDecoderLayer(E, H, 16, norm_first=True, bias=False),
    lambda lib: lib.TransformerEncoderLayer(E, H, 16, activation=lib.GELU()),
    lambda lib: lib.Transformer(E, H, 2, 1, 16),
], ids=["encoder_layer", "decoder_layer", "activation_module", "transformer"])
def test_transformer_state_dicts_and_reprs_are_torchs(make):
    ours, theirs = make(nn), make(torch.nn)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    if isinstance(ours, nn.Transformer):
        # torch folds identical ModuleList entries into "(0-1): 2 x ...": compare the layers' reprs
        ours, theirs = ours.decoder.layers[0], theirs.decoder.layers[0]
    assert repr(ours) == repr(theirs)


def test_initialization_is_torchs():
    mha = nn.MultiheadAttention(E, H, add_bias_kv=True)
    bound = np.sqrt(6.0 / (E + 3 * E))           # Xavier-uniform over the stacked (3E, E) matrix
    w = mha.in_proj_weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert not mha.in_proj_bias.numpy().any() and not mha.out_proj.bias.numpy().any()
    assert mha.bias_k.numpy().std() > 0 and mha.in_proj_weight.dtype == np.float32
    separate = nn.MultiheadAttention(E, H, kdim=3)
    assert separate.in_proj_weight is None
    assert np.abs(separate.k_proj_weight.numpy()).max() <= np.sqrt(6.0 / (E + 3))
    model = nn.Transformer(E, H, 1, 1, 16)
    w1 = model.encoder.layers[0].linear1.weight.numpy()      # Xavier, not Linear's default
    assert np.abs(w1).max() <= np.sqrt(6.0 / (E + 16)) and np.abs(w1).max() > np.sqrt(1.0 / E)


def test_encoder_layers_are_independent_deep_copies():
    layer = nn.TransformerEncoderLayer(E, H, 16)
    encoder = nn.TransformerEncoder(layer, 3)
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second and first is not layer.linear1.weight
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    assert len(list(encoder.parameters())) == 3 * len(list(layer.parameters()))


def test_generate_square_subsequent_mask_is_torchs():
    ours = nn.Transformer.generate_square_subsequent_mask(4)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=cr.float64).dtype == np.float64


def test_fully_masked_rows_give_what_torch_gives():
    """A query that may see no key: 0 from scaled_dot_product_attention and from the layers
    (need_weights=False), NaN from MultiheadAttention's need_weights path, as in PyTorch."""
    ours, theirs = _pair(lambda lib: lib.MultiheadAttention(E, H), np.float64)
    x = SEQ_FIRST["src"][:, :1]
    blind = np.zeros((1, S), bool)
    blind[0, :] = True
    for need_weights in (True, False):
        out, _ = ours(x, x, x, key_padding_mask=blind, need_weights=need_weights)
        expected, _ = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(blind), need_weights=need_weights)
        np.testing.assert_array_equal(np.isnan(out.numpy()), np.isnan(expected.detach().numpy()))
        assert np.isnan(out.numpy()).all() == need_weights
    q = cr.tensor(RNG.standard_normal((2, 3, 4)), requires_grad=True)
    out = F.scaled_dot_product_attention(q, q, q, attn_mask=np.zeros(3, bool))
    out.sum().backward()
    assert not out.numpy().any() and not q.grad.numpy().any() and np.isfinite(q.grad.numpy()).all()


def test_attention_is_stable_for_huge_scores_and_keeps_float32():
    q = cr.tensor(RNG.standard_normal((2, 3, 4)).astype(np.float32) * 1e4, requires_grad=True)
    out = F.scaled_dot_product_attention(q, q, q)
    out.sum().backward()
    assert out.dtype == q.grad.dtype == np.float32
    assert np.isfinite(out.numpy()).all() and np.isfinite(q.grad.numpy()).all()
    mha = nn.MultiheadAttention(E, H)
    out, weights = mha(*[cr.randn(S, N, E)] * 3)
    assert out.dtype == weights.dtype == np.float32


def test_dropout_acts_in_training_only():
    cr.manual_seed(0)
    mha = nn.MultiheadAttention(E, H, dropout=0.5)
    x = cr.randn(S, N, E)
    w1 = mha(x, x, x, average_attn_weights=False)[1].numpy()
    mha.eval()
    w2 = mha(x, x, x, average_attn_weights=False)[1].numpy()
    kept = w1 != 0
    assert 0.3 < 1 - kept.mean() < 0.7
    np.testing.assert_allclose(w1[kept], 2 * w2[kept], rtol=1e-6)     # survivors scaled by 1/(1-p)
    np.testing.assert_allclose(w2.sum(-1), 1, rtol=1e-6)


@pytest.mark.parametrize("call, kind, words", [
    (lambda: nn.MultiheadAttention(10, 3), ValueError, ["divisible", "embed_dim=10", "num_heads=3"]),
    (lambda: nn.MultiheadAttention(E, H)(cr.randn(T, N, 6), cr.randn(S, N, E), cr.randn(S, N, E)),
     ValueError, ["query's last dim must be 8", "(4, 3, 6)"]),
    (lambda: nn.MultiheadAttention(E, H)(cr.randn(T, N, E), cr.randn(S, N, E), cr.randn(S + 1, N, E)),
     ValueError, ["batch size", "(5, 3, 8)", "(6, 3, 8)", "(L, N, E)"]),
    (lambda: nn.MultiheadAttention(E, H)(cr.randn(T, N, E), cr.randn(S, N, E), cr.randn(S, N, E),
                                         attn_mask=np.zeros((S, T), bool)), ValueError, ["attn_mask", "(4, 5)", "(5, 4)"]),
    (lambda: nn.MultiheadAttention(E, H)(cr.randn(T, N, E), cr.randn(S, N, E), cr.randn(S, N, E),
                                         key_padding_mask=np.zeros((N, T), bool)),
     ValueError, ["key_padding_mask", "(3, 5)", "(3, 4)"]),
    (lambda: nn.MultiheadAttention(E, H)(cr.randn(T, N, E), cr.randn(S, N, E), cr.randn(S, N, E), is_causal=True),
     ValueError, ["is_causal", "attn_mask"]),
    (lambda: nn.MultiheadAttention(E, H)(cr.randn(T, N, E), cr.randn(S, N, E), cr.randn(S, N, E),
                                         attn_mask=np.zeros((T, S), np.int64)), TypeError, ["boolean or floating"]),
    (lambda: F.scaled_dot_product_attention(cr.randn(2, 4, 5), cr.randn(2, 6, 3), cr.randn(2, 6, 5)),
     ValueError, ["scaled_dot_product_attention", "(2, 4, 5)", "(2, 6, 3)"]),
    (lambda: F.scaled_dot_product_attention(cr.randn(2, 4, 5), cr.randn(2, 6, 5), cr.randn(2, 6, 5),
                                            attn_mask=np.ones((4, 5), bool)), ValueError, ["(4, 5)", "(2, 4, 6)"]),
    (lambda: F.scaled_dot_product_attention(cr.randn(4, 5), cr.randn(6, 5), cr.randn(6, 5), is_causal=True,
                                            attn_mask=np.ones((4, 6), bool)), ValueError, ["not both"]),
    (lambda: F.scaled_dot_product_attention(cr.randn(1, 3, 4, 5), cr.randn(1, 2, 6, 5), cr.randn(1, 2, 6, 5),
                                            enable_gqa=True), ValueError, ["3 heads", "multiple"]),
    (lambda: F.scaled_dot_product_attention(cr.randn(4, 5), cr.randn(6, 5), cr.randn(6, 5), dropout_p=1.5),
     ValueError, ["between 0 and 1"]),
    (lambda: F.scaled_dot_product_attention(cr.randn(4, 5), cr.randn(6, 5, dtype=cr.float64), cr.randn(6, 5)),
     TypeError, ["float64"]),
    (lambda: nn.TransformerEncoderLayer(E, H, activation="tanh"), ValueError, ["'relu' or 'gelu'", "'tanh'"]),
    (lambda: nn.Transformer(E, H, 1, 1, 16)(cr.randn(S, N, E), cr.randn(T, N + 1, E)),
     ValueError, ["batch sizes", "(5, 3, 8)", "(4, 4, 8)"]),
    (lambda: nn.Transformer(E, H, 1, 1, 16)(cr.randn(S, N, E), cr.randn(T, N, 6)), ValueError, ["d_model=8"]),
])
def test_errors_name_the_layer_and_the_shapes(call, kind, words):
    with pytest.raises(kind) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"


def test_attention_dropout_is_drawn_from_the_seeded_generator():
    q = cr.randn(2, 4, 5)
    plain = F.scaled_dot_product_attention(q, q, q).numpy()
    cr.manual_seed(3)
    first = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5).numpy()
    cr.manual_seed(3)
    again = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5).numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, plain)
