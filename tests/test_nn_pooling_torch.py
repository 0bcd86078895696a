"""Pooling, upsampling and Embedding against PyTorch: forward values and gradients agree (1e-10 in
float64, 1e-5 in float32) over random kernels, strides, paddings and odd sizes; reprs are equal.
"""
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")

import chainrule as cr  # noqa: E402
import chainrule.nn as nn  # noqa: E402
import chainrule.nn.functional as F  # noqa: E402

TF = torch.nn.functional
DTYPES = [(np.float64, 1e-10), (np.float32, 1e-5)]


def compare(ours, theirs, x, tol, integer_like=False):
    """ours(x) and theirs(x) agree, and so do the input gradients of a random projection."""
    xt = torch.tensor(x, requires_grad=True)
    xc = cr.tensor(x, requires_grad=True)
    yt, yc = theirs(xt), ours(xc)
    assert yc.shape == tuple(yt.shape) and yc.dtype == x.dtype
    np.testing.assert_allclose(yc.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(1).standard_normal(yc.shape).astype(x.dtype)
    yt.backward(torch.tensor(g))
    yc.backward(g)
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol, err_msg="input gradient")


def random_configs(seed, count, dilation=True):
    """Random (shape, kernel, stride, padding, dilation, ceil_mode) that PyTorch accepts."""
    rng = np.random.default_rng(seed)
    configs = []
    while len(configs) < count:
        kernel = tuple(int(k) for k in rng.integers(1, 5, 2))
        stride = tuple(int(s) for s in rng.integers(1, 5, 2))
        padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
        dil = tuple(int(d) for d in rng.integers(1, 3, 2)) if dilation else (1, 1)
        ceil = bool(rng.integers(2))
        shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4))) + tuple(int(s) for s in rng.integers(3, 12, 2))
        try:  # keep the ones PyTorch accepts (the output must not be empty)
            TF.max_pool2d(torch.zeros(shape), kernel, stride, padding, dil, ceil)
        except RuntimeError:
            continue
        configs.append((shape, kernel, stride, padding, dil, ceil))
    return configs


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("config", random_configs(0, 30), ids=str)
def test_max_pool2d_matches_torch(config, dtype, tol):
    shape, kernel, stride, padding, dilation, ceil_mode = config
    x = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    args = (kernel, stride, padding, dilation, ceil_mode)
    compare(lambda t: F.max_pool2d(t, *args), lambda t: TF.max_pool2d(t, *args), x, tol)
    ours, ours_idx = F.max_pool2d(cr.tensor(x), *args, return_indices=True)
    theirs, their_idx = TF.max_pool2d(torch.tensor(x), *args, return_indices=True)
    np.testing.assert_array_equal(ours_idx.numpy(), their_idx.numpy())
    assert ours_idx.dtype == np.int64


@pytest.mark.parametrize("config", random_configs(1, 15), ids=str)
def test_max_pool2d_ties_go_to_the_first_maximum_as_in_torch(config):
    """Small integers make many ties: the gradient goes where PyTorch sends it."""
    shape, kernel, stride, padding, dilation, ceil_mode = config
    x = np.random.default_rng(3).integers(0, 3, shape).astype(np.float64)
    args = (kernel, stride, padding, dilation, ceil_mode)
    compare(lambda t: F.max_pool2d(t, *args), lambda t: TF.max_pool2d(t, *args), x, 1e-12)


def test_max_pool2d_nan_propagates_as_in_torch():
    x = np.random.default_rng(4).standard_normal((1, 2, 6, 6))
    x[0, 0, 1, 1] = x[0, 1, 4, 3] = np.nan
    ours = F.max_pool2d(cr.tensor(x), 3, 2, 1).numpy()
    theirs = TF.max_pool2d(torch.tensor(x), 3, 2, 1).numpy()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)], rtol=0)
    _, ours_idx = F.max_pool2d(cr.tensor(x), 3, 2, 1, return_indices=True)
    _, their_idx = TF.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(ours_idx.numpy(), their_idx.numpy())


TILING = [((2, 3, 8, 8), 2), ((1, 2, 9, 7), 2), ((2, 1, 10, 11), (3, 2)), ((3, 6, 6), 3), ((1, 1, 4, 4), 1)]


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("shape, kernel", TILING, ids=str)
def test_max_pool2d_over_windows_that_tile_the_input_matches_torch(shape, kernel, dtype, tol):
    """stride = kernel, no padding: values, gradients with many ties, indices, and NaN."""
    rng = np.random.default_rng(5)
    for x in (rng.standard_normal(shape), rng.integers(0, 2, shape).astype(np.float64)):
        x = x.astype(dtype)
        compare(lambda t: F.max_pool2d(t, kernel), lambda t: TF.max_pool2d(t, kernel), x, tol)
        _, ours_idx = F.max_pool2d(cr.tensor(x), kernel, return_indices=True)
        _, their_idx = TF.max_pool2d(torch.tensor(x), kernel, return_indices=True)
        np.testing.assert_array_equal(ours_idx.numpy(), their_idx.numpy())
    x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[[0, 1, x.size // 2]] = np.nan  # two NaNs in one window: PyTorch keeps the last
    ours, ours_idx = F.max_pool2d(cr.tensor(x), kernel, return_indices=True)
    theirs, their_idx = TF.max_pool2d(torch.tensor(x), kernel, return_indices=True)
    np.testing.assert_array_equal(np.isnan(ours.numpy()), np.isnan(theirs.numpy()))
    np.testing.assert_array_equal(ours_idx.numpy(), their_idx.numpy())


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("seed", range(8))
def test_max_pool1d_matches_torch(seed, dtype, tol):
    rng = np.random.default_rng(seed)
    k, s, d = (int(v) for v in rng.integers(1, 5, 3))
    args = (k, s, int(rng.integers(0, k // 2 + 1)), d, bool(seed % 2))
    length = int(rng.integers((k - 1) * d + 1, 16))
    shape = (2, 3, length) if seed % 3 else (3, length)  # batched and unbatched
    x = rng.standard_normal(shape).astype(dtype)
    compare(lambda t: F.max_pool1d(t, *args), lambda t: TF.max_pool1d(t, *args), x, tol)
    _, ours_idx = F.max_pool1d(cr.tensor(x), *args, return_indices=True)
    _, their_idx = TF.max_pool1d(torch.tensor(x), *args, return_indices=True)
    np.testing.assert_array_equal(ours_idx.numpy(), their_idx.numpy())


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("config", random_configs(5, 20, dilation=False), ids=str)
def test_avg_pool2d_matches_torch(config, dtype, tol):
    shape, kernel, stride, padding, _, ceil_mode = config
    x = np.random.default_rng(6).standard_normal(shape).astype(dtype)
    for count_include_pad, divisor in ((True, None), (False, None), (True, 3)):
        args = (kernel, stride, padding, ceil_mode, count_include_pad, divisor)
        compare(lambda t: F.avg_pool2d(t, *args), lambda t: TF.avg_pool2d(t, *args), x, tol)


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("in_size, out_size", [((7, 5), 1), ((8, 6), (4, 3)), ((7, 5), (3, 2)),
                                               ((5, 9), (5, 4)), ((6, 6), (None, 4)), ((3, 4), (5, 7))])
def test_adaptive_avg_pool2d_matches_torch(in_size, out_size, dtype, tol):
    x = np.random.default_rng(7).standard_normal((2, 3) + in_size).astype(dtype)
    compare(lambda t: F.adaptive_avg_pool2d(t, out_size), lambda t: TF.adaptive_avg_pool2d(t, out_size), x, tol)
    compare(nn.AdaptiveAvgPool2d(out_size), torch.nn.AdaptiveAvgPool2d(out_size), x[0], tol)  # unbatched


UPSAMPLE_CASES = [
    ((1, 2, 5), dict(scale_factor=2)), ((1, 2, 5), dict(scale_factor=1.7)), ((2, 1, 7), dict(size=3)),
    ((2, 3, 4, 5), dict(scale_factor=2)), ((1, 2, 4, 5), dict(scale_factor=(3, 0.5))),
    ((1, 2, 5, 7), dict(scale_factor=2.5)), ((1, 2, 5, 7), dict(size=(8, 3))),
    ((1, 2, 9, 6), dict(size=(4, 13))), ((1, 1, 5, 7), dict(scale_factor=1.3, recompute_scale_factor=True)),
    ((1, 2, 3, 4, 5), dict(scale_factor=2)), ((1, 1, 3, 4, 5), dict(size=(5, 2, 7))),
    ((1, 1, 6, 6), dict(scale_factor=0.34)),
]


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("shape, kwargs", UPSAMPLE_CASES, ids=str)
def test_interpolate_nearest_matches_torch(shape, kwargs, dtype, tol):
    x = np.random.default_rng(8).standard_normal(shape).astype(dtype)
    compare(lambda t: F.interpolate(t, **kwargs), lambda t: TF.interpolate(t, **kwargs), x, tol)


def test_nearest_index_formula_matches_torch_over_many_sizes():
    """PyTorch's float32 index arithmetic, reproduced for every size pair up to 40 and many scales."""
    for n, out in itertools.product(range(1, 41), range(1, 41)):
        x = torch.arange(float(n)).reshape(1, 1, n)
        assert F.interpolate(cr.tensor(x.numpy()), size=out).numpy().tolist() == \
            TF.interpolate(x, size=out).numpy().tolist(), (n, out)
    for n, scale in itertools.product(range(1, 30), (0.3, 0.5, 0.7, 1.1, 1.5, 1.7, 2.0, 2.3, 3.0, 3.7)):
        x = torch.arange(float(n)).reshape(1, 1, n)
        if int(n * scale) < 1:
            continue
        assert F.interpolate(cr.tensor(x.numpy()), scale_factor=scale).numpy().tolist() == \
            TF.interpolate(x, scale_factor=scale).numpy().tolist(), (n, scale)


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("vocab, padding_idx", [(10, None), (10, 0), (10, -1), (3, 1)])
def test_embedding_matches_torch(vocab, padding_idx, dtype, tol):
    """Forward and weight gradient after loading PyTorch's weights; repeated indices add up
    (a vocabulary of 3 makes
    runs of 14 equal indices: four rounds of the tree sum)."""
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(vocab, 4, padding_idx=padding_idx).to(torch.float64 if dtype == np.float64
                                                                       else torch.float32)
    ours = nn.Embedding(vocab, 4, padding_idx=padding_idx)
    if dtype == np.float64:
        ours.double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    idx = np.random.default_rng(9).integers(0, vocab, (6, 7))
    yt, yc = theirs(torch.tensor(idx)), ours(cr.tensor(idx))
    np.testing.assert_allclose(yc.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(10).standard_normal(yc.shape).astype(dtype)
    yt.backward(torch.tensor(g))
    yc.backward(g)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=tol, atol=tol)
    # the functional form, padding row included
    wt = theirs.weight.detach().clone().requires_grad_(True)
    wc = cr.tensor(wt.detach().numpy(), requires_grad=True)
    TF.embedding(torch.tensor(idx), wt, padding_idx=padding_idx).backward(torch.tensor(g))
    F.embedding(cr.tensor(idx), wc, padding_idx=padding_idx).backward(g)
    np.testing.assert_allclose(wc.grad.numpy(), wt.grad.numpy(), rtol=tol, atol=tol)


def test_embedding_padding_row_is_zero_at_init_as_in_torch():
    assert not nn.Embedding(5, 3, padding_idx=2).weight.numpy()[2].any()
    assert not torch.nn.Embedding(5, 3, padding_idx=2).weight.detach().numpy()[2].any()


@pytest.mark.parametrize("make", [
    lambda m: m.MaxPool2d(2), lambda m: m.MaxPool2d((2, 3), padding=1),
    lambda m: m.MaxPool2d(3, 1, 1, 2, ceil_mode=True),
    lambda m: m.MaxPool1d(3), lambda m: m.MaxPool1d(4, 2, 1, return_indices=True),
    lambda m: m.AvgPool2d(2), lambda m: m.AvgPool2d(3, 1, 1, ceil_mode=True, count_include_pad=False),
    lambda m: m.AdaptiveAvgPool2d(1), lambda m: m.AdaptiveAvgPool2d((5, None)),
    lambda m: m.Upsample(scale_factor=2), lambda m: m.Upsample(size=(4, 5)),
    lambda m: m.Upsample(scale_factor=(2, 3)), lambda m: m.Upsample(size=7),
    lambda m: m.Dropout2d(), lambda m: m.Dropout2d(0.2),
    lambda m: m.Embedding(10, 3), lambda m: m.Embedding(10, 3, padding_idx=-1),
    lambda m: m.AvgPool1d(3), lambda m: m.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda m: m.AdaptiveAvgPool1d(4), lambda m: m.PixelShuffle(2), lambda m: m.PixelUnshuffle(3),
    lambda m: m.ZeroPad1d(2), lambda m: m.ZeroPad2d((1, 2, 3, 4)), lambda m: m.ConstantPad1d(2, 3.5),
    lambda m: m.ConstantPad2d((1, 2, 3, 4), 1), lambda m: m.ReflectionPad1d((1, 2)),
    lambda m: m.ReflectionPad2d(1), lambda m: m.ReplicationPad1d(3), lambda m: m.ReplicationPad2d((1, 0, 2, 1)),
    lambda m: m.CircularPad1d(1), lambda m: m.CircularPad2d((1, 1, 2, 0)),
    lambda m: m.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True),
    lambda m: m.Upsample(size=(3, 4, 5), mode="trilinear"), lambda m: m.Upsample(size=4, mode="nearest-exact"),
    lambda m: m.UpsamplingNearest2d(scale_factor=2), lambda m: m.UpsamplingBilinear2d(size=(5, 6)),
    lambda m: m.Unfold(2), lambda m: m.Unfold((2, 3), dilation=2, padding=(1, 0), stride=(1, 2)),
    lambda m: m.Fold((4, 5), 2), lambda m: m.Fold(7, (3, 2), 1, 1, 2),
    lambda m: m.AdaptiveMaxPool2d((3, None)), lambda m: m.AdaptiveMaxPool1d(4, return_indices=True),
    lambda m: m.MaxUnpool2d(3, 2, 1), lambda m: m.MaxUnpool1d(2), lambda m: m.MaxUnpool2d((2, 3), padding=(0, 2)),
    lambda m: m.LPPool2d(2, 3), lambda m: m.LPPool1d(1.5, 3, stride=2, ceil_mode=True),
    lambda m: m.LocalResponseNorm(3), lambda m: m.LocalResponseNorm(2, 0.5, 0.6, 2),
    lambda m: m.ChannelShuffle(4),
    lambda m: m.MaxPool3d(2), lambda m: m.MaxPool3d((2, 3, 1), 1, (1, 1, 0), 2, ceil_mode=True),
    lambda m: m.AvgPool3d(3, 2, 1), lambda m: m.AvgPool3d((2, 3, 1), 1, (1, 1, 0), True, False, 3),
    lambda m: m.AdaptiveAvgPool3d((2, None, 3)), lambda m: m.Dropout1d(0.2), lambda m: m.Dropout3d(),
])
def test_repr_equals_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))


SHAPE_LAYERS = [  # (layer, its arguments, input shape)
    ("ZeroPad1d", (2,), (2, 3, 5)), ("ZeroPad2d", ((1, 2, 0, 3),), (3, 4, 5)),
    ("ConstantPad1d", ((0, 3), -1.5), (3, 5)), ("ConstantPad2d", (1, 2.0), (2, 3, 4, 5)),
    ("ReflectionPad1d", ((3, 1),), (2, 3, 5)), ("ReflectionPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("ReflectionPad2d", (2,), (3, 4, 5)), ("ReplicationPad1d", (4,), (3, 2)),
    ("ReplicationPad2d", ((3, 0, 1, 2),), (2, 3, 4, 5)), ("CircularPad1d", ((5, 2),), (2, 3, 5)),
    ("CircularPad2d", ((1, 2, 4, 0),), (2, 3, 4, 5)), ("CircularPad2d", (1,), (3, 4, 5)),
    ("PixelShuffle", (2,), (2, 12, 3, 4)), ("PixelShuffle", (3,), (9, 2, 2)),
    ("PixelUnshuffle", (2,), (2, 3, 4, 6)), ("AvgPool1d", (3,), (2, 3, 10)),
    ("AvgPool1d", (4, 3, 2, True, False), (2, 3, 11)), ("AvgPool1d", (2, 1), (3, 7)),
    ("AdaptiveAvgPool1d", (3,), (2, 3, 10)), ("AdaptiveAvgPool1d", (5,), (3, 4)),
]


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("name, args, shape", SHAPE_LAYERS,
                         ids=[f"{n}{a}{s}".replace(" ", "") for n, a, s in SHAPE_LAYERS])
def test_padding_shuffle_and_1d_pooling_layers_match_torch(name, args, shape, dtype, tol):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    compare(ours, theirs, np.random.default_rng(3).standard_normal(shape).astype(dtype), tol)


def test_layers_match_torch_in_a_small_model():
    """Embedding -> view as (N, C, H, W) -> MaxPool2d -> Upsample -> AvgPool2d -> AdaptiveAvgPool2d."""
    torch.manual_seed(0)
    emb_t = torch.nn.Embedding(20, 16).double()
    emb_c = nn.Embedding(20, 16).double()
    emb_c.load_state_dict({k: v.numpy() for k, v in emb_t.state_dict().items()})
    idx = np.random.default_rng(11).integers(0, 20, (4, 12))

    def run(lib, emb, idx_tensor):
        y = emb(idx_tensor).reshape(4, 3, 8, 8)
        y = lib.MaxPool2d(3, 2, 1)(y)
        y = lib.Upsample(scale_factor=2)(y)
        y = lib.AvgPool2d(3, 2, 1, ceil_mode=True)(y)
        return lib.AdaptiveAvgPool2d((3, 2))(y)

    yt, yc = run(torch.nn, emb_t, torch.tensor(idx)), run(nn, emb_c, cr.tensor(idx))
    np.testing.assert_allclose(yc.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    yt.sum().backward()
    yc.sum().backward()
    np.testing.assert_allclose(emb_c.weight.grad.numpy(), emb_t.weight.grad.numpy(), rtol=1e-10, atol=1e-12)


RESAMPLING_LAYERS = [  # (layer, its arguments, its keyword arguments, input shape)
    ("Upsample", (), dict(scale_factor=2.5, mode="linear"), (2, 3, 5)),
    ("Upsample", (), dict(size=(4, 7), mode="bicubic", align_corners=True), (2, 3, 5, 3)),
    ("Upsample", (), dict(scale_factor=(0.6, 1.7), mode="area"), (1, 2, 7, 4)),
    ("UpsamplingNearest2d", (), dict(size=(5, 3)), (2, 3, 3, 4)),
    ("UpsamplingBilinear2d", (), dict(scale_factor=1.5), (2, 3, 3, 4)),
    ("Unfold", ((2, 3),), dict(dilation=(2, 1), padding=1, stride=(1, 2)), (2, 3, 6, 5)),
    ("Unfold", (3,), {}, (3, 4, 4)),
    ("Fold", ((5, 4), 2), dict(stride=(1, 2)), (2, 12, 8)),
    ("Fold", (6, (3, 2)), dict(dilation=(1, 2), padding=1, stride=2), (18, 9)),
    ("AdaptiveMaxPool2d", ((3, 4),), {}, (2, 3, 7, 9)), ("AdaptiveMaxPool2d", (2,), {}, (3, 5, 4)),
    ("AdaptiveMaxPool1d", (5,), {}, (2, 3, 7)),
    ("LPPool2d", (2, (3, 2)), dict(stride=(2, 1)), (2, 3, 7, 6)), ("LPPool1d", (4, 2), {}, (3, 9)),
    ("LocalResponseNorm", (3,), dict(alpha=0.2, beta=0.7, k=2.0), (2, 6, 4, 3)),
    ("LocalResponseNorm", (4,), {}, (2, 5, 7)), ("ChannelShuffle", (3,), {}, (2, 6, 2, 3)),
    ("MaxPool3d", (3, 2, 1), dict(dilation=(1, 2, 1), ceil_mode=True), (2, 3, 5, 7, 6)),
    ("MaxPool3d", ((2, 1, 3),), {}, (2, 4, 5, 7)),
    ("AvgPool3d", (3, 2, 1), dict(ceil_mode=True, count_include_pad=False), (2, 3, 5, 7, 6)),
    ("AvgPool3d", ((2, 1, 3), 1), dict(divisor_override=4), (2, 4, 5, 7)),
    ("AdaptiveAvgPool3d", ((3, 2, 5),), {}, (2, 3, 5, 7, 4)), ("AdaptiveAvgPool3d", (1,), {}, (2, 4, 3, 5)),
]


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("name, args, kwargs, shape", RESAMPLING_LAYERS,
                         ids=[f"{n}{a}{k}{s}".replace(" ", "") for n, a, k, s in RESAMPLING_LAYERS])
def test_resampling_and_block_layers_match_torch(name, args, kwargs, shape, dtype, tol):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs) and ours.state_dict() == {} and not theirs.state_dict()
    compare(ours, theirs, np.random.default_rng(4).standard_normal(shape).astype(dtype), tol)


def random_interpolations(seed, count):
    """Random (mode, input shape, keyword arguments) over every mode but 'nearest' (tested above),
    with odd sizes, scale factors that are not integers, and align_corners both ways."""
    rng = np.random.default_rng(seed)
    ranks = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
    configs = []
    while len(configs) < count:
        mode = str(rng.choice(["linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"]))
        d = ranks.get(mode, int(rng.integers(1, 4)))
        spatial = tuple(int(n) for n in rng.integers(1, 8, d))
        if rng.random() < 0.5:
            kwargs = dict(size=tuple(int(n) for n in rng.integers(1, 12, d)))
        else:
            scales = tuple(float(np.round(rng.uniform(0.4, 3.2), 2)) for _ in range(d))
            if any(np.floor(n * f) < 1 for n, f in zip(spatial, scales)):
                continue
            kwargs = dict(scale_factor=scales, recompute_scale_factor=bool(rng.random() < 0.3))
        if mode in ranks:
            kwargs["align_corners"] = bool(rng.random() < 0.5)
        configs.append((mode, (2, 2) + spatial, kwargs))
    return configs


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("mode, shape, kwargs", random_interpolations(11, 40), ids=str)
def test_interpolate_modes_match_torch(mode, shape, kwargs, dtype, tol):
    x = np.random.default_rng(5).standard_normal(shape).astype(dtype)
    compare(lambda t: F.interpolate(t, mode=mode, **kwargs),
            lambda t: TF.interpolate(t, mode=mode, **kwargs), x, tol)


def test_unfold_then_weights_is_conv2d_and_fold_counts_cover():
    """conv2d(x, W) = W.view(O, -1) @ unfold(x); fold(unfold(ones)) counts the windows over each pixel."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    cols = F.unfold(cr.tensor(x), (3, 2), dilation=(1, 2), padding=1, stride=(2, 1))
    expected = TF.conv2d(torch.tensor(x), torch.tensor(w), None, (2, 1), 1, (1, 2)).numpy()
    y = (cr.tensor(w.reshape(4, -1)) @ cols).numpy().reshape(expected.shape)
    np.testing.assert_allclose(y, expected, atol=1e-12)
    covered = F.fold(F.unfold(cr.ones(1, 1, 4, 5), 3, padding=1), (4, 5), 3, padding=1).numpy()[0, 0]
    assert covered[0, 0] == 4 and covered[1, 1] == 9 and covered[0, 2] == 6


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n, shape, output_size", [
    (2, (2, 3, 7, 9), (3, 4)), (2, (3, 5, 4), (5, 7)), (2, (2, 2, 6, 6), (3, None)), (1, (2, 3, 10), 4),
    (1, (3, 4), 6)])
def test_adaptive_max_pool_indices_ties_and_nan_match_torch(n, shape, output_size, dtype):
    """Values and int64 indices as PyTorch's, with many ties (the first maximum in row-major
    order wins) and a few NaNs (a NaN wins)."""
    rng = np.random.default_rng(7)
    x = rng.integers(0, 3, shape).astype(dtype)
    x[rng.random(shape) < 0.05] = np.nan
    pool = f"adaptive_max_pool{n}d"
    y, index = getattr(F, pool)(cr.tensor(x), output_size, return_indices=True)
    y_t, index_t = getattr(TF, pool)(torch.tensor(x), output_size, return_indices=True)
    assert index.dtype == np.int64 and y.dtype == dtype
    np.testing.assert_array_equal(index.numpy(), index_t.numpy())
    np.testing.assert_array_equal(y.numpy(), y_t.numpy())


@pytest.mark.parametrize("dtype, tol", DTYPES)
@pytest.mark.parametrize("n, shape, kernel, stride, padding", [
    (2, (2, 3, 7, 6), 2, None, 0), (2, (2, 3, 7, 6), 3, 2, 1), (2, (3, 5, 5), (2, 3), (1, 2), (1, 0)),
    (1, (2, 3, 9), 3, 2, 1), (1, (3, 8), 2, None, 0)])
def test_max_pool_then_unpool_layers_match_torch(n, shape, kernel, stride, padding, dtype, tol):
    x = np.random.default_rng(8).standard_normal(shape).astype(dtype)
    pool = getattr(nn, f"MaxPool{n}d")(kernel, stride, padding, return_indices=True)
    pool_t = getattr(torch.nn, f"MaxPool{n}d")(kernel, stride, padding, return_indices=True)
    unpool = getattr(nn, f"MaxUnpool{n}d")(kernel, stride, padding)
    unpool_t = getattr(torch.nn, f"MaxUnpool{n}d")(kernel, stride, padding)
    assert repr(unpool) == repr(unpool_t)
    size = shape[-n:]
    compare(lambda t: unpool(*pool(t), output_size=size), lambda t: unpool_t(*pool_t(t), output_size=size),
            x, tol)


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", [
    ((2, 3, 5, 6, 7), 2, None, 0, 1), ((1, 2, 7, 5, 6), 3, 2, 1, (2, 1, 1)),
    ((2, 4, 5, 6), (2, 3, 2), (1, 2, 1), 1, 1)])
def test_max_pool3d_indices_ties_and_nan_match_torch(shape, kernel, stride, padding, dilation):
    """3-d max pooling is two 2-d passes; its indices, with ties and NaNs, are still PyTorch's."""
    rng = np.random.default_rng(9)
    x = rng.integers(0, 3, shape).astype(np.float64)
    x[rng.random(shape) < 0.03] = np.nan
    y, index = nn.MaxPool3d(kernel, stride, padding, dilation, return_indices=True)(cr.tensor(x))
    y_t, index_t = torch.nn.MaxPool3d(kernel, stride, padding, dilation, return_indices=True)(torch.tensor(x))
    assert index.dtype == np.int64
    np.testing.assert_array_equal(index.numpy(), index_t.numpy())
    np.testing.assert_array_equal(y.numpy(), y_t.numpy())
