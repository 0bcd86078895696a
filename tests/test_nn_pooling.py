"""Pooling, upsampling, Dropout2d and Embedding without PyTorch: finite-difference gradient checks
(float64) over random kernels, strides, paddings and odd sizes, naive-loop references for the
forward values, Dropout2d's statistics, Embedding's gradient over repeated and padding indices,
and the errors users see.
"""
import itertools

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.ops.embedding import segment_sum
from chainrule.ops.pooling import pool_output_size


def random_configs(seed, count, dilation=True):
    """Random small (shape, kernel, stride, padding, dilation, ceil_mode) whose output is not empty."""
    rng = np.random.default_rng(seed)
    configs = []
    while len(configs) < count:
        kernel = tuple(int(k) for k in rng.integers(1, 4, 2))
        stride = tuple(int(s) for s in rng.integers(1, 4, 2))
        padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
        dil = tuple(int(d) for d in rng.integers(1, 3, 2)) if dilation else (1, 1)
        ceil = bool(rng.integers(2))
        shape = (1, 2) + tuple(int(s) for s in rng.integers(3, 8, 2))
        out = [pool_output_size(shape[2 + a], kernel[a], stride[a], padding[a], dil[a], ceil) for a in range(2)]
        if min(out) >= 1:
            configs.append((shape, kernel, stride, padding, dil, ceil))
    return configs


def naive_pool(x, kernel, stride, padding, dilation, ceil_mode, reduce, fill):
    """A loop over every output element: the obvious definition, to check the vectorized ops against."""
    n, c, h, w = x.shape
    oh, ow = (pool_output_size(x.shape[2 + a], kernel[a], stride[a], padding[a], dilation[a], ceil_mode)
              for a in range(2))
    out = np.empty((n, c, oh, ow))
    for i, j in itertools.product(range(oh), range(ow)):
        values = []
        for a, b in itertools.product(range(kernel[0]), range(kernel[1])):
            r, q = i * stride[0] - padding[0] + a * dilation[0], j * stride[1] - padding[1] + b * dilation[1]
            values.append(x[:, :, r, q] if 0 <= r < h and 0 <= q < w else np.full((n, c), fill))
        out[:, :, i, j] = reduce(np.stack(values), axis=0)
    return out


@pytest.mark.parametrize("config", random_configs(0, 12), ids=str)
def test_max_pool2d_gradcheck_and_values(config):
    shape, kernel, stride, padding, dilation, ceil_mode = config
    x = cr.tensor(np.random.default_rng(1).permutation(np.prod(shape)).reshape(shape) / 7.0, requires_grad=True)
    args = (kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(F.max_pool2d(x, *args).numpy(), naive_pool(x.numpy(), *args, np.max, -np.inf))
    assert cr.gradcheck(lambda t: F.max_pool2d(t, *args), x)


@pytest.mark.parametrize("config", random_configs(2, 12, dilation=False), ids=str)
def test_avg_pool2d_gradcheck_and_values(config):
    shape, kernel, stride, padding, _, ceil_mode = config
    x = cr.tensor(np.random.default_rng(3).standard_normal(shape), requires_grad=True)
    args = (kernel, stride, padding, ceil_mode)
    if not ceil_mode:  # without overhang, count_include_pad=True divides by the kernel's area
        expected = naive_pool(x.numpy(), kernel, stride, padding, (1, 1), False, np.sum, 0.0) / np.prod(kernel)
        np.testing.assert_allclose(F.avg_pool2d(x, *args).numpy(), expected, rtol=1e-12)
    for count_include_pad, divisor in ((True, None), (False, None), (True, 5)):
        assert cr.gradcheck(lambda t: F.avg_pool2d(t, *args, count_include_pad, divisor), x)


def test_avg_pool2d_count_include_pad_false_divides_by_the_real_elements():
    x = cr.ones(1, 1, 3, 3)
    np.testing.assert_allclose(F.avg_pool2d(x, 3, 1, 1, count_include_pad=False).numpy(), 1.0)
    corner = F.avg_pool2d(x, 3, 1, 1).numpy()[0, 0, 0, 0]
    assert corner == pytest.approx(4 / 9)


@pytest.mark.parametrize("in_size, out_size", [((7, 5), 1), ((6, 4), (3, 2)), ((7, 5), (3, 2)), ((3, 4), (5, 7))])
def test_adaptive_avg_pool2d_gradcheck_and_windows(in_size, out_size):
    x = cr.tensor(np.random.default_rng(4).standard_normal((2, 1) + in_size), requires_grad=True)
    y = F.adaptive_avg_pool2d(x, out_size)
    oh, ow = (out_size, out_size) if isinstance(out_size, int) else out_size
    h, w = in_size
    for i, j in itertools.product(range(oh), range(ow)):  # PyTorch's window formula, element by element
        rows = slice(i * h // oh, -(-(i + 1) * h // oh))
        cols = slice(j * w // ow, -(-(j + 1) * w // ow))
        np.testing.assert_allclose(y.numpy()[:, :, i, j], x.numpy()[:, :, rows, cols].mean(axis=(-2, -1)))
    assert cr.gradcheck(lambda t: F.adaptive_avg_pool2d(t, out_size), x)


@pytest.mark.parametrize("seed", range(4))
def test_max_pool1d_gradcheck(seed):
    rng = np.random.default_rng(seed)
    k, s = (int(v) for v in rng.integers(1, 4, 2))
    x = cr.tensor(rng.permutation(18).reshape(2, 9) / 5.0, requires_grad=True)  # unbatched (C, L)
    assert cr.gradcheck(lambda t: F.max_pool1d(t, k, s, k // 2, ceil_mode=bool(seed % 2)), x)


@pytest.mark.parametrize("shape, kwargs", [
    ((1, 2, 5), dict(scale_factor=2)), ((1, 1, 4, 5), dict(scale_factor=(1.5, 0.5))),
    ((1, 1, 5, 4), dict(size=(3, 7))), ((1, 1, 2, 3, 2), dict(scale_factor=2))])
def test_interpolate_nearest_gradcheck(shape, kwargs):
    x = cr.tensor(np.random.default_rng(5).standard_normal(shape), requires_grad=True)
    assert cr.gradcheck(lambda t: F.interpolate(t, **kwargs), x)


def test_upsample_by_two_repeats_each_pixel():
    x = cr.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]], dtype=np.float32)
    np.testing.assert_array_equal(nn.Upsample(scale_factor=2)(x).numpy()[0, 0], expected)


def test_pooling_keeps_float32_and_works_unbatched():
    x = cr.randn(3, 8, 8)
    for layer in (nn.MaxPool2d(2), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(3)):
        y = layer(x)
        assert y.dtype == np.float32 and y.ndim == 3
    assert nn.MaxPool2d(2)(cr.randn(4, 3, 8, 8)).shape == (4, 3, 4, 4)


def test_max_pool_gradient_goes_to_the_first_of_tied_maxima():
    x = cr.tensor(np.ones((1, 1, 2, 4)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("kernel, shape", [((2, 2), (2, 3, 8, 8)), ((3, 2), (1, 2, 10, 7)),
                                           ((1, 1), (2, 1, 3, 3)), ((2, 3), (3, 4, 5)),
                                           ((4, 4), (1, 1, 9, 11))])
def test_max_pool_over_windows_that_tile_the_input_matches_a_numpy_reference(kernel, shape):
    """stride = kernel without padding (MaxPool2d(2)) has its own path: values, and gradients at
    the first of tied maxima (small integers tie often), against NumPy's max and argmax."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, shape).astype(np.float64)
    (kh, kw), lead = kernel, shape[:-2]
    oh, ow = shape[-2] // kh, shape[-1] // kw
    tiles = x[..., :oh * kh, :ow * kw].reshape(lead + (oh, kh, ow, kw)).swapaxes(-3, -2)
    windows = tiles.reshape(lead + (oh, ow, kh * kw))
    xc = cr.tensor(x, requires_grad=True)
    y = F.max_pool2d(xc, kernel)
    np.testing.assert_array_equal(y.numpy(), windows.max(-1))
    g = rng.standard_normal(y.shape)
    y.backward(g)
    to_window = np.zeros(windows.shape)
    np.put_along_axis(to_window, windows.argmax(-1)[..., None], g[..., None], axis=-1)
    expected = np.zeros(shape)
    expected[..., :oh * kh, :ow * kw] = (to_window.reshape(lead + (oh, ow, kh, kw)).swapaxes(-3, -2)
                                         .reshape(lead + (oh * kh, ow * kw)))
    np.testing.assert_array_equal(xc.grad.numpy(), expected)


# --------------------------------------------------------------------------- Embedding
def test_segment_sum_equals_add_at_for_every_group_size():
    rng = np.random.default_rng(6)
    for vocab, n in ((1000, 300), (3, 300), (20, 50), (5, 1), (7, 0)):
        index = rng.integers(0, vocab, n)
        index[: n // 3] = 0  # one very frequent index, as a padding token is
        values = rng.standard_normal((n, 4))
        expected = np.zeros((vocab, 4))
        np.add.at(expected, index, values)
        np.testing.assert_allclose(segment_sum(index, values, vocab), expected, rtol=1e-12, atol=1e-12)


def test_embedding_gradcheck_with_repeated_and_padding_indices():
    idx = cr.tensor([[0, 2, 2, 1], [2, 0, 3, 2]])
    weight = cr.tensor(np.random.default_rng(7).standard_normal((5, 3)), requires_grad=True)
    assert cr.gradcheck(lambda w: F.embedding(idx, w), weight)
    y = F.embedding(idx, weight, padding_idx=2)
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(weight.grad.numpy()[:, 0], [2, 1, 0, 1, 0])  # row 2 (padding) gets nothing
    np.testing.assert_array_equal(y.numpy(), weight.numpy()[idx.numpy()])


def test_embedding_layer_init_padding_and_frozen_pretrained():
    cr.manual_seed(0)
    layer = nn.Embedding(2000, 16, padding_idx=-1)
    w = layer.weight.numpy()
    assert layer.padding_idx == 1999 and not w[1999].any() and w.dtype == np.float32
    assert abs(w[:-1].mean()) < 0.02 and abs(w[:-1].std() - 1) < 0.02  # N(0, 1)
    out = layer(cr.tensor([[1999, 3, 1999]]))
    out.sum().backward()
    assert not layer.weight.grad.numpy()[1999].any() and layer.weight.grad.numpy()[3].tolist() == [1.0] * 16
    frozen = nn.Embedding.from_pretrained(cr.eye(3))
    assert not frozen.weight.requires_grad and frozen(cr.tensor([2])).tolist() == [[0.0, 0.0, 1.0]]


# --------------------------------------------------------------------------- Dropout2d
def test_dropout2d_zeroes_whole_channels_with_probability_p():
    cr.manual_seed(1)
    layer = nn.Dropout2d(0.3)
    x = cr.ones(200, 50, 3, 4, requires_grad=True)
    y = layer(x)
    per_channel = y.numpy().reshape(200, 50, 12)
    assert (per_channel == per_channel[..., :1]).all()  # a channel is kept or dropped whole
    kept = per_channel[..., 0] != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 10,000 channels: 5 standard deviations is 0.023
    np.testing.assert_allclose(per_channel[..., 0][kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.numpy())  # dy/dx is the scaled mask
    layer.eval()
    assert layer(x) is x or np.array_equal(layer(x).numpy(), x.numpy())


def test_dropout2d_is_reproducible_and_handles_3d_as_n_c_l():
    cr.manual_seed(5)
    a = F.dropout2d(cr.ones(4, 6, 5))
    cr.manual_seed(5)
    b = F.dropout2d(cr.ones(4, 6, 5))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert (a.numpy() == a.numpy()[..., :1]).all()
    assert F.dropout2d(cr.ones(2, 3, 4, 4), p=1.0).numpy().sum() == 0


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("call, error, words", [
    (lambda: nn.MaxPool2d(3)(cr.ones(1, 1, 2, 2)), ValueError,
     ["MaxPool2d(kernel_size=3", "(1, 1, 2, 2)", "smaller than the kernel"]),
    (lambda: F.max_pool2d(cr.ones(1, 1, 4, 4), 2, padding=2), ValueError, ["max_pool2d", "at most half"]),
    (lambda: nn.MaxPool2d(2, padding=2), ValueError, ["MaxPool2d", "at most half"]),
    (lambda: nn.AvgPool2d(3, padding=2)(cr.ones(1, 1, 5, 5)), ValueError, ["AvgPool2d", "at most half"]),
    (lambda: nn.MaxPool2d(2)(cr.ones(5, 5)), ValueError, ["MaxPool2d", "3-d or 4-d", "(5, 5)"]),
    (lambda: nn.MaxPool1d(2)(cr.ones(1, 2, 3, 4)), ValueError, ["MaxPool1d", "2-d or 3-d", "(1, 2, 3, 4)"]),
    (lambda: nn.AvgPool2d(4)(cr.ones(1, 1, 3, 3)), ValueError, ["AvgPool2d", "(1, 1, 3, 3)"]),
    (lambda: nn.AdaptiveAvgPool2d(2)(cr.ones(4, 4)), ValueError, ["AdaptiveAvgPool2d", "(4, 4)"]),
    (lambda: nn.MaxPool2d(0), ValueError, ["kernel_size", "positive"]),
    (lambda: F.max_pool2d(cr.ones(1, 1, 4, 4), 2, stride=0), ValueError, ["stride", "positive"]),
    (lambda: nn.Upsample(scale_factor=2)(cr.ones(3, 4)), ValueError, ["Upsample", "(3, 4)"]),
    (lambda: F.interpolate(cr.ones(1, 1, 4), size=3, scale_factor=2), ValueError, ["exactly one"]),
    (lambda: F.interpolate(cr.ones(1, 1, 4, 4), scale_factor=2, mode="linear"), NotImplementedError,
     ["'linear'", "3-d", "(1, 1, 4, 4)"]),
    (lambda: nn.Upsample(scale_factor=2, mode="bicubic")(cr.ones(1, 1, 4)), NotImplementedError,
     ["Upsample(scale_factor=2.0, mode='bicubic')", "4-d", "(1, 1, 4)"]),
    (lambda: F.interpolate(cr.ones(1, 1, 4), size=3, mode="cubic"), NotImplementedError, ["'cubic'", "bilinear"]),
    (lambda: nn.Upsample(size=3, mode="area", align_corners=True), ValueError, ["Upsample", "align_corners",
                                                                                 "'area'"]),
    (lambda: F.interpolate(cr.ones(1, 1, 4, 4), size=3, mode="bilinear", antialias=True), NotImplementedError,
     ["antialias"]),
    (lambda: F.interpolate(cr.ones(1, 1, 4), size=3, mode="linear", recompute_scale_factor=True), ValueError,
     ["recompute_scale_factor", "size"]),
    (lambda: F.interpolate(cr.ones(1, 1, 4), scale_factor=0.2, mode="linear"), ValueError, ["(1, 1, 4)", "(0,)"]),
    # sliding blocks: windows that do not fit, column counts that do not match
    (lambda: nn.Unfold(5)(cr.ones(1, 2, 3, 4)), ValueError,
     ["Unfold(kernel_size=5, dilation=1, padding=0, stride=1)", "(1, 2, 3, 4)", "fits no window"]),
    (lambda: F.unfold(cr.ones(2, 3), 2), ValueError, ["unfold", "4-d", "(2, 3)"]),
    (lambda: nn.Fold((4, 5), 2)(cr.ones(1, 6, 12)), ValueError, ["Fold(output_size=(4, 5)", "(1, 6, 12)",
                                                                 "multiple of the kernel's area", "4"]),
    (lambda: F.fold(cr.ones(1, 8, 11), (4, 5), 2), ValueError, ["fold", "(1, 8, 11)", "11 blocks", "3·4 = 12"]),
    (lambda: nn.Unfold(0), ValueError, ["Unfold", "kernel_size", ">= 1"]),
    # adaptive max pooling, unpooling, LP pooling, local response norm, channel shuffle
    (lambda: nn.AdaptiveMaxPool2d(2)(cr.ones(4, 4)), ValueError, ["AdaptiveMaxPool2d(output_size=2)", "(4, 4)"]),
    (lambda: F.adaptive_max_pool1d(cr.ones(1, 2, 4), (2, 3)), ValueError, ["adaptive_max_pool1d", "(2, 3)"]),
    (lambda: F.max_unpool2d(cr.ones(1, 1, 2, 2), cr.tensor(np.zeros((1, 1, 2, 3), np.int64)), 2), ValueError,
     ["max_unpool2d", "indices", "(1, 1, 2, 2)", "(1, 1, 2, 3)"]),
    (lambda: F.max_unpool2d(cr.ones(1, 1, 2, 2), cr.tensor(np.full((1, 1, 2, 2), 16)), 2), IndexError,
     ["max_unpool2d", "index 16", "16 positions", "(4, 4)"]),
    (lambda: nn.MaxUnpool1d(2)(cr.ones(1, 1, 3), cr.tensor(np.zeros((1, 1, 3), np.int64)), output_size=(9,)),
     ValueError, ["MaxUnpool1d(kernel_size=(2,)", "output_size (9,)", "(5,) and (7,)"]),
    (lambda: nn.LPPool2d(0, 2)(cr.ones(1, 1, 4, 4)), ValueError, ["LPPool2d(norm_type=0", "norm_type"]),
    (lambda: nn.LPPool1d(2, 5)(cr.ones(1, 2, 4)), ValueError, ["LPPool1d", "(1, 2, 4)", "smaller than the kernel"]),
    (lambda: nn.LocalResponseNorm(3)(cr.ones(2, 3)), ValueError, ["LocalResponseNorm(3,", "(2, 3)"]),
    (lambda: F.local_response_norm(cr.ones(2, 3, 4), 0), ValueError, ["local_response_norm", "size", "0"]),
    (lambda: nn.ChannelShuffle(2)(cr.ones(1, 5, 3)), ValueError, ["ChannelShuffle(groups=2)", "5 channels",
                                                                  "(1, 5, 3)"]),
    (lambda: F.channel_shuffle(cr.ones(4, 6), 2), ValueError, ["channel_shuffle", "(4, 6)"]),
    # 3-d pooling and channel dropout
    (lambda: nn.MaxPool3d(2)(cr.ones(1, 1, 1, 4, 4)), ValueError,
     ["MaxPool3d(kernel_size=2", "(1, 1, 1, 4, 4)", "smaller than the kernel", "(0, 2, 2)"]),
    (lambda: nn.AvgPool3d(2)(cr.ones(4, 4, 4)), ValueError, ["AvgPool3d", "4-d or 5-d", "(4, 4, 4)"]),
    (lambda: nn.AvgPool3d(2, padding=2), ValueError, ["AvgPool3d", "at most half"]),
    (lambda: F.max_pool3d(cr.ones(1, 1, 4, 4, 4), (2, 2)), ValueError, ["max_pool3d", "tuple of 3 ints"]),
    (lambda: nn.AdaptiveAvgPool3d((2, 3))(cr.ones(1, 2, 4, 4, 4)), ValueError,
     ["AdaptiveAvgPool3d", "a triple", "(2, 3)"]),
    (lambda: nn.Dropout1d()(cr.ones(2, 3, 4, 5)), ValueError, ["Dropout1d(p=0.5", "(N, C, L)", "(2, 3, 4, 5)"]),
    (lambda: F.dropout3d(cr.ones(2, 3, 4)), ValueError, ["dropout3d", "(C, D, H, W)", "(2, 3, 4)"]),
    (lambda: nn.Embedding(10, 3)(cr.tensor([[1, 10]])), IndexError, ["Embedding(10, 3)", "index 10", "(1, 2)"]),
    (lambda: nn.Embedding(10, 3)(cr.tensor([-1])), IndexError, ["Embedding(10, 3)", "index -1"]),
    (lambda: nn.Embedding(10, 3)(cr.tensor([1.0, 2.0])), TypeError, ["Embedding(10, 3)", "integers", "float32"]),
    (lambda: nn.Embedding(10, 3, padding_idx=10), ValueError, ["padding_idx", "10"]),
    (lambda: F.dropout2d(cr.ones(2, 3)), ValueError, ["dropout2d", "(2, 3)"]),
    (lambda: nn.Dropout2d(1.5), ValueError, ["Dropout2d", "1.5"]),
    (lambda: nn.AvgPool1d(3, padding=2), ValueError, ["AvgPool1d", "at most half"]),
    (lambda: nn.AvgPool1d(2)(cr.ones(1, 2, 3, 4)), ValueError, ["AvgPool1d(kernel_size=(2,)", "2-d or 3-d",
                                                                "(1, 2, 3, 4)"]),
    (lambda: nn.AvgPool1d(5)(cr.ones(1, 2, 4)), ValueError, ["AvgPool1d", "(1, 2, 4)", "smaller than the kernel"]),
    (lambda: nn.AdaptiveAvgPool1d((2, 3))(cr.ones(1, 2, 4)), ValueError, ["AdaptiveAvgPool1d", "(2, 3)"]),
    (lambda: nn.AdaptiveAvgPool1d(2)(cr.ones(4)), ValueError, ["AdaptiveAvgPool1d", "(4,)"]),
    # padding layers: bad padding, wrong rank, padding too large for the mode
    (lambda: nn.ZeroPad2d((1, 2, 3)), ValueError, ["ZeroPad2d", "tuple of 4 ints", "(1, 2, 3)"]),
    (lambda: nn.ReflectionPad1d(-1), ValueError, ["ReflectionPad1d", "non-negative", "-1"]),
    (lambda: nn.ConstantPad1d(1.5, 0.0), ValueError, ["ConstantPad1d", "1.5"]),
    (lambda: nn.ReflectionPad1d(4)(cr.ones(2, 3, 4)), ValueError,
     ["ReflectionPad1d((4, 4))", "at most 3", "(2, 3, 4)"]),
    (lambda: nn.CircularPad2d(1)(cr.ones(2, 2, 2, 3, 3)), ValueError,
     ["CircularPad2d((1, 1, 1, 1))", "3-d or 4-d", "(2, 2, 2, 3, 3)"]),
    (lambda: nn.ReplicationPad1d(1)(cr.ones(4)), ValueError, ["ReplicationPad1d((1, 1))", "(4,)"]),
    (lambda: nn.ZeroPad2d(1)(cr.ones(4)), ValueError, ["ZeroPad2d((1, 1, 1, 1))", "1 dims"]),
    (lambda: F.pad(cr.ones(2, 3), (1, 1), mode="wrap"), ValueError, ["pad", "'wrap'"]),
    (lambda: F.pad(cr.ones(2, 3), (1, 1), mode="reflect", value=2.0), ValueError, ["'reflect'", "value"]),
    (lambda: F.pad(cr.ones(2, 0), (1, 1), mode="replicate"), ValueError, ["'replicate'", "(2, 0)"]),
    # pixel shuffle: channels or sizes not divisible by the factor, too few dims
    (lambda: nn.PixelShuffle(2)(cr.ones(1, 6, 3, 3)), ValueError,
     ["PixelShuffle(upscale_factor=2)", "6 channels", "(1, 6, 3, 3)", "4"]),
    (lambda: nn.PixelUnshuffle(2)(cr.ones(1, 1, 3, 4)), ValueError,
     ["PixelUnshuffle(downscale_factor=2)", "(1, 1, 3, 4)"]),
    (lambda: F.pixel_shuffle(cr.ones(4, 4), 2), ValueError, ["pixel_shuffle", "(4, 4)"]),
    (lambda: nn.PixelShuffle(0), ValueError, ["PixelShuffle", "positive", "0"]),
])
def test_errors_name_the_layer_and_the_shapes(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} not in: {info.value}"


# --------------------------------------------------------------------------- padding, pixel shuffle
def test_padding_modes_values():
    x = cr.tensor([[[1.0, 2.0, 3.0]]])
    assert nn.ReflectionPad1d((2, 1))(x).tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    assert nn.ReplicationPad1d((2, 1))(x).tolist() == [[[1.0, 1.0, 1.0, 2.0, 3.0, 3.0]]]
    assert nn.CircularPad1d((2, 1))(x).tolist() == [[[2.0, 3.0, 1.0, 2.0, 3.0, 1.0]]]
    assert nn.ConstantPad1d((2, 1), 7.0)(x).tolist() == [[[7.0, 7.0, 1.0, 2.0, 3.0, 7.0]]]
    assert nn.ZeroPad2d((0, 1, 1, 0))(x).tolist() == [[[0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 3.0, 0.0]]]
    assert nn.ReflectionPad2d(1)(cr.ones(2, 3, 3, dtype=cr.float32)).dtype == np.float32


@pytest.mark.parametrize("module, shape", [
    (nn.ReflectionPad2d((2, 1, 1, 2)), (2, 2, 3, 4)), (nn.ReplicationPad2d(3), (1, 2, 2, 3)),
    (nn.CircularPad2d((1, 3, 2, 0)), (2, 3, 4)), (nn.ReflectionPad1d(2), (2, 4)),
    (nn.PixelShuffle(2), (2, 8, 2, 3)), (nn.PixelUnshuffle(2), (1, 2, 4, 2)),
    (nn.AvgPool1d(3, 2, 1), (2, 3, 8)), (nn.AdaptiveAvgPool1d(3), (2, 7))], ids=repr)
def test_padding_shuffle_and_1d_pooling_gradcheck(module, shape):
    x = cr.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    assert cr.gradcheck(module, (x,)) is True


def test_pixel_unshuffle_undoes_pixel_shuffle():
    x = cr.arange(2 * 18 * 2 * 3.0).reshape(2, 18, 2, 3)
    y = F.pixel_shuffle(x, 3)
    assert y.shape == (2, 2, 6, 9)
    assert y[0, 0, 1, 2].item() == x[0, 1 * 3 + 2, 0, 0].item()    # channel c·r² + i·r + j -> (i, j)
    np.testing.assert_array_equal(F.pixel_unshuffle(y, 3).numpy(), x.numpy())


@pytest.mark.parametrize("function, shape, channels", [
    (F.dropout1d, (4, 6, 5), 2), (F.dropout1d, (6, 5), 1), (F.dropout3d, (3, 4, 2, 3, 2), 2),
    (F.dropout3d, (6, 2, 3, 2), 1)])
def test_channel_dropout_drops_whole_channels(function, shape, channels):
    """One draw per (sample, channel), or per channel of an unbatched input; kept ones scaled by 1/(1-p)."""
    cr.manual_seed(3)
    y = function(cr.ones(*shape), p=0.4).numpy()
    per_channel = y.reshape(shape[:channels] + (-1,))
    assert (per_channel == per_channel[..., :1]).all()
    assert set(np.unique(per_channel)) == {0.0, np.float32(1 / 0.6)}
    assert function(cr.ones(*shape), p=0.4, training=False).numpy().min() == 1
