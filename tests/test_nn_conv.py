"""Convolution layers without PyTorch: gradient checks, shapes, errors, parameters, state dicts."""
import math

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.nn.conv import _convolve


def _random_conv_config(rng, spatial):
    """Random hyperparameters of a small convolution: groups, strides, paddings, dilations."""
    groups = int(rng.choice([1, 2, 3]))
    cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4, spatial))
    dilation = tuple(int(d) for d in rng.integers(1, 3, spatial))
    padding = rng.choice(["int", "tuple", "same", "valid"])
    stride = (1,) * spatial if padding == "same" else tuple(int(s) for s in rng.integers(1, 3, spatial))
    padding = {"int": int(rng.integers(0, 3)), "tuple": tuple(int(p) for p in rng.integers(0, 3, spatial)),
               "same": "same", "valid": "valid"}[padding]
    size = tuple(int(s) for s in rng.integers(5, 8, spatial))         # odd and even sizes
    return dict(groups=groups, cin=cin, cout=cout, kernel=kernel, stride=stride, padding=padding,
                dilation=dilation, size=size, bias=bool(rng.integers(0, 2)))


def _tensors(rng, *shapes):
    return [cr.tensor(rng.standard_normal(s), dtype="float64", requires_grad=True) for s in shapes]


@pytest.mark.parametrize("seed", range(12))
def test_conv2d_gradcheck_random_hyperparameters(seed):
    rng = np.random.default_rng(seed)
    c = _random_conv_config(rng, 2)
    shapes = [(2, c["cin"]) + c["size"], (c["cout"], c["cin"] // c["groups"]) + c["kernel"]]
    if c["bias"]:
        shapes.append((c["cout"],))
    inputs = _tensors(rng, *shapes)

    def fn(x, w, b=None):
        return F.conv2d(x, w, b, stride=c["stride"], padding=c["padding"], dilation=c["dilation"],
                        groups=c["groups"])
    assert cr.gradcheck(fn, tuple(inputs))


@pytest.mark.parametrize("seed", range(6))
def test_conv1d_gradcheck_random_hyperparameters(seed):
    rng = np.random.default_rng(100 + seed)
    c = _random_conv_config(rng, 1)
    shapes = [(2, c["cin"]) + c["size"], (c["cout"], c["cin"] // c["groups"]) + c["kernel"]]
    if c["bias"]:
        shapes.append((c["cout"],))

    def fn(x, w, b=None):
        return F.conv1d(x, w, b, stride=c["stride"], padding=c["padding"], dilation=c["dilation"],
                        groups=c["groups"])
    assert cr.gradcheck(fn, tuple(_tensors(rng, *shapes)))


@pytest.mark.parametrize("seed", range(8))
def test_conv_transpose2d_gradcheck_random_hyperparameters(seed):
    rng = np.random.default_rng(200 + seed)
    groups = int(rng.choice([1, 2]))
    cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4, 2))
    stride = tuple(int(s) for s in rng.integers(1, 3, 2))
    dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
    padding = tuple(int(p) for p in rng.integers(0, 2, 2))
    output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
    size = tuple(int(s) for s in rng.integers(3, 6, 2))
    shapes = [(2, cin) + size, (cin, cout // groups) + kernel]
    if seed % 2:
        shapes.append((cout,))

    def fn(x, w, b=None):
        return F.conv_transpose2d(x, w, b, stride=stride, padding=padding,
                                  output_padding=output_padding, groups=groups, dilation=dilation)
    assert cr.gradcheck(fn, tuple(_tensors(rng, *shapes)))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_gradcheck(mode):
    rng = np.random.default_rng(7)
    x, w, b = _tensors(rng, (2, 2, 4, 5), (3, 2, 3, 2), (3,))

    def fn(x, w, b):  # the body of Conv2d.forward, with plain tensors in place of the parameters
        return _convolve(x, w, b, (1, 1), (2, 1), (1, 1), 1, mode, 2, "Conv2d")
    assert cr.gradcheck(fn, (x, w, b))


def test_padding_modes_match_a_loop_reference():
    """reflect/replicate/circular padding equals np.pad's reflect/edge/wrap, then a valid convolution."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 1, 4, 5))
    for mode, np_mode in (("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")):
        layer = nn.Conv2d(1, 1, 3, padding=2, padding_mode=mode, bias=False, dtype="float64")
        padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)), mode=np_mode)
        expected = F.conv2d(cr.tensor(padded), layer.weight).numpy()
        np.testing.assert_allclose(layer(cr.tensor(x)).numpy(), expected, atol=1e-12)


def test_conv2d_matches_a_direct_loop():
    """The im2col product equals the defining sum, written as loops over every index."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 4, 6, 7)), rng.standard_normal((6, 2, 3, 2)), rng.standard_normal(6)
    stride, dilation, pad, groups = (2, 1), (1, 2), (1, 2), 2
    y = F.conv2d(cr.tensor(x), cr.tensor(w), cr.tensor(b), stride, pad, dilation, groups).numpy()
    xp_ = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    ho = (xp_.shape[2] - dilation[0] * 2 - 1) // stride[0] + 1
    wo = (xp_.shape[3] - dilation[1] * 1 - 1) // stride[1] + 1
    expected = np.zeros((2, 6, ho, wo))
    for n in range(2):
        for o in range(6):
            group = o // 3
            for r in range(ho):
                for c in range(wo):
                    window = xp_[n, 2 * group:2 * group + 2,
                                 r * stride[0]:r * stride[0] + 2 * dilation[0] + 1:dilation[0],
                                 c * stride[1]:c * stride[1] + 1 * dilation[1] + 1:dilation[1]]
                    expected[n, o, r, c] = (window * w[o]).sum() + b[o]
    np.testing.assert_allclose(y, expected, atol=1e-12)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    """<conv2d(x, W), y> = <x, conv_transpose2d(y, W)> for the same weight, stride, padding, dilation."""
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((6, 2, 3, 3))
    kw = dict(stride=2, padding=1, dilation=(1, 2), groups=2)
    y = F.conv2d(cr.tensor(x), cr.tensor(w), **kw).numpy()
    v = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(cr.tensor(v), cr.tensor(w), output_padding=(0, 1), **kw).numpy()
    assert back.shape == x.shape
    assert np.isclose((y * v).sum(), (x * back).sum(), rtol=1e-12)


# --------------------------------------------------------------------------- shapes and layers
def test_output_shapes_and_unbatched_inputs():
    assert nn.Conv2d(1, 6, 5, padding=2)(cr.randn(4, 1, 28, 28)).shape == (4, 6, 28, 28)
    assert nn.Conv2d(6, 16, 5)(cr.randn(4, 6, 14, 14)).shape == (4, 16, 10, 10)
    assert nn.Conv2d(3, 4, 3, stride=2, padding=1)(cr.randn(3, 9, 8)).shape == (4, 5, 4)
    assert nn.Conv2d(2, 4, (2, 4), padding="same", dilation=(3, 1))(cr.randn(1, 2, 6, 7)).shape == (1, 4, 6, 7)
    assert nn.Conv1d(3, 8, 4, padding="same")(cr.randn(2, 3, 11)).shape == (2, 8, 11)
    assert nn.Conv1d(3, 8, 3, stride=2)(cr.randn(3, 11)).shape == (8, 5)
    assert nn.ConvTranspose2d(16, 8, 2, stride=2)(cr.randn(4, 16, 7, 7)).shape == (4, 8, 14, 14)
    up = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    assert up(cr.randn(1, 4, 5, 5)).shape == (1, 2, 9, 9)
    assert up(cr.randn(1, 4, 5, 5), output_size=(10, 10)).shape == (1, 2, 10, 10)
    assert up(cr.randn(4, 5, 5), output_size=[1, 2, 10, 9]).shape == (2, 10, 9)


def test_float32_stays_float32():
    layer = nn.Conv2d(3, 4, 3)
    x = cr.randn(2, 3, 6, 6, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    assert layer.weight.grad.dtype == np.float32 and layer.bias.grad.dtype == np.float32


def test_state_dict_keys_and_shapes():
    assert {k: v.shape for k, v in nn.Conv2d(6, 16, 5).state_dict().items()} == {
        "weight": (16, 6, 5, 5), "bias": (16,)}
    assert {k: v.shape for k, v in nn.Conv2d(4, 8, (3, 2), groups=2, bias=False).state_dict().items()} == {
        "weight": (8, 2, 3, 2)}
    assert {k: v.shape for k, v in nn.Conv1d(4, 6, 3, groups=2).state_dict().items()} == {
        "weight": (6, 2, 3), "bias": (6,)}
    assert {k: v.shape for k, v in nn.ConvTranspose2d(4, 6, 3, groups=2).state_dict().items()} == {
        "weight": (4, 3, 3, 3), "bias": (6,)}
    model = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.Conv2d(6, 16, 5))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    other = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.Conv2d(6, 16, 5))
    other.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(other[2].weight.numpy(), model[2].weight.numpy())


def test_default_initialization_bounds_and_seed():
    cr.manual_seed(0)
    layer = nn.Conv2d(6, 16, 5)
    bound = 1 / math.sqrt(6 * 25)   # kaiming_uniform_(a=√5) gives U(-1/√fan_in, 1/√fan_in)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.5 * bound
    t_bound = 1 / math.sqrt(3 * 4)  # ConvTranspose2d(4, 6, 2, groups=2): fan_in = (6/2)·2·2
    t = nn.ConvTranspose2d(4, 6, 2, groups=2)
    assert np.abs(t.weight.numpy()).max() <= t_bound and np.abs(t.bias.numpy()).max() <= t_bound
    cr.manual_seed(0)
    np.testing.assert_array_equal(nn.Conv2d(6, 16, 5).weight.numpy(), w)


def test_extra_repr():
    assert repr(nn.Conv2d(1, 6, 5, padding=2)) == \
        "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
    assert repr(nn.Conv1d(4, 4, 3, padding="same", groups=2, bias=False, padding_mode="reflect")) == \
        "Conv1d(4, 4, kernel_size=(3,), stride=(1,), padding=same, groups=2, bias=False, padding_mode=reflect)"
    assert repr(nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1, dilation=2)) == \
        "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), dilation=(2, 2), output_padding=(1, 1))"


# --------------------------------------------------------------------------- errors
def test_errors_name_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8, kernel_size=\(5, 5\)\).*\(1, 3, 4, 4\).*\(4, 4\).*\(5, 5\)"):
        nn.Conv2d(3, 8, 5)(cr.randn(1, 3, 4, 4))
    with pytest.raises(ValueError, match=r"smaller than the \(dilated\) kernel \(5, 3\)"):
        nn.Conv2d(3, 8, 3, dilation=(2, 1))(cr.randn(1, 3, 4, 4))
    with pytest.raises(ValueError, match=r"in_channels \(3\) must be divisible by groups \(2\)"):
        nn.Conv2d(3, 8, 3, groups=2)
    with pytest.raises(ValueError, match=r"out_channels \(5\) must be divisible by groups \(2\)"):
        nn.Conv2d(4, 5, 3, groups=2)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8.*\(N, C, H, W\) or \(C, H, W\).*\(3, 8\)"):
        nn.Conv2d(3, 8, 3)(cr.randn(3, 8))
    with pytest.raises(ValueError, match=r"Conv1d\(3, 8.*\(N, C, L\) or \(C, L\).*\(1, 3, 8, 8\)"):
        nn.Conv1d(3, 8, 3)(cr.randn(1, 3, 8, 8))
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8, .*expects 3 input channels.*\(2, 4, 9, 9\)"):
        nn.Conv2d(3, 8, 3)(cr.randn(2, 4, 9, 9))
    with pytest.raises(ValueError, match=r"expects 3 input channels.*\(4, 9, 9\) with 4"):
        nn.Conv2d(3, 8, 3)(cr.randn(4, 9, 9))
    with pytest.raises(ValueError, match=r"conv2d expects 6 input channels"):
        F.conv2d(cr.randn(1, 4, 8, 8), cr.randn(6, 3, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv2d: out_channels \(5\) must be divisible by groups \(2\)"):
        F.conv2d(cr.randn(1, 4, 8, 8), cr.randn(5, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"conv2d: weight must be 4-d"):
        F.conv2d(cr.randn(1, 4, 8, 8), cr.randn(5, 4, 3))
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\)"):
        F.conv2d(cr.randn(1, 4, 8, 8), cr.randn(5, 4, 3, 3), cr.randn(4))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(3, 8, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="invalid padding string 'full'"):
        F.conv1d(cr.randn(1, 3, 8), cr.randn(2, 3, 3), padding="full")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(3, 8, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="kernel_size must be an int or a tuple of 2 ints"):
        nn.Conv2d(3, 8, (3, 3, 3))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        nn.Conv2d(3, 8, 3, stride=0)
    with pytest.raises(ValueError, match=r"padding 3 is too large for padding_mode='reflect'"):
        nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect")(cr.randn(1, 1, 3, 6))
    with pytest.raises(ValueError, match="output_padding .* must be smaller than either stride"):
        nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(4, 2.*requested output size \(12, 12\)"):
        nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)(cr.randn(1, 4, 5, 5), output_size=(12, 12))
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(4, 2.*expects 4 input channels"):
        nn.ConvTranspose2d(4, 2, 3)(cr.randn(1, 3, 5, 5))
    with pytest.raises(TypeError, match=r"Conv2d\(3, 8.*float32 parameters.*float64"):
        nn.Conv2d(3, 8, 3)(cr.randn(1, 3, 8, 8, dtype="float64"))


def test_conv_transpose1d_repr_and_errors():
    assert repr(nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False)) == \
        "ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,), padding=(1,), output_padding=(1,), groups=2, bias=False)"
    with pytest.raises(ValueError, match=r"ConvTranspose1d: output_padding \(2,\) must be smaller than either"):
        nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"ConvTranspose1d: padding must be an int or a tuple of 1 ints"):
        nn.ConvTranspose1d(4, 2, 3, padding="same")
    with pytest.raises(ValueError, match=r"ConvTranspose1d\(4, 2.*\(N, C, L\) or \(C, L\).*\(1, 4, 5, 5\)"):
        nn.ConvTranspose1d(4, 2, 3)(cr.randn(1, 4, 5, 5))
    with pytest.raises(ValueError, match=r"ConvTranspose1d\(4, 2.*requested output size \(20,\).*\(11,\) and \(12,\)"):
        nn.ConvTranspose1d(4, 2, 3, stride=2, padding=1)(cr.randn(1, 4, 6), output_size=(20,))
    with pytest.raises(ValueError, match=r"conv_transpose1d: bias must have shape \(4,\)"):
        F.conv_transpose1d(cr.randn(1, 4, 6), cr.randn(4, 2, 3), cr.randn(2), groups=2)


def test_conv3d_repr_state_dict_and_errors():
    conv = nn.Conv3d(4, 6, (3, 2, 1), stride=2, padding=(1, 0, 0), groups=2)
    assert repr(conv) == "Conv3d(4, 6, kernel_size=(3, 2, 1), stride=(2, 2, 2), padding=(1, 0, 0), groups=2)"
    assert {k: v.shape for k, v in conv.state_dict().items()} == {"weight": (6, 2, 3, 2, 1), "bias": (6,)}
    with pytest.raises(ValueError, match=r"Conv3d\(4, 6.*\(N, C, D, H, W\) or \(C, D, H, W\).*\(4, 5, 5\)"):
        conv(cr.randn(4, 5, 5))
    with pytest.raises(ValueError, match=r"Conv3d\(4, 6.*\(1, 4, 2, 5, 5\) is \(4, 5, 5\) after padding, smaller "
                                         r"than the \(dilated\) kernel \(5, 2, 1\)"):
        nn.Conv3d(4, 6, (3, 2, 1), padding=(1, 0, 0), dilation=(2, 1, 1))(cr.randn(1, 4, 2, 5, 5))
    with pytest.raises(ValueError, match=r"conv3d: weight must be 5-d"):
        F.conv3d(cr.randn(1, 4, 5, 5, 5), cr.randn(6, 4, 3, 3))
    with pytest.raises(ValueError, match="kernel_size must be an int or a tuple of 3 ints"):
        nn.Conv3d(4, 6, (3, 3))
