"""More Keras layers (Conv1D, Conv2DTranspose, 1-d pooling, LayerNormalization, reshaping,
activation and noise layers, Bidirectional, TimeDistributed), Keras's Nadam, Adamax and
Adadelta, and the further loss names of compile: values against NumPy references written
here (Keras's formulas), finite-difference gradients, configs, model files, and small
models that learn.
"""
import json

import numpy as np
import pytest

import chainrule as cr
from chainrule import layers, models, optimizers
from chainrule.train import keras_names
from keras_helpers import _array, _layer_gradcheck, _tf_pads


# --------------------------------------------------------------------------- Conv1D
def _conv1d_reference(x, kernel, bias, stride, padding, dilation):
    """Keras's conv1d, channels last: y[t] = Σ_j x[t·s + j·d] · kernel[j] + bias."""
    span = dilation * (kernel.shape[0] - 1) + 1
    if padding == "same":
        pads = _tf_pads(x.shape[1], span, stride)
    elif padding == "causal":
        pads = (span - 1, 0)
    else:
        pads = (0, 0)
    padded = np.pad(x, ((0, 0), pads, (0, 0)))
    steps = (padded.shape[1] - span) // stride + 1
    out = np.stack([sum(padded[:, t * stride + j * dilation] @ kernel[j]
                        for j in range(kernel.shape[0])) for t in range(steps)], axis=1)
    return out + bias


@pytest.mark.parametrize("k, stride, padding, dilation, length", [
    (3, 1, "valid", 1, 9), (3, 2, "same", 1, 9), (4, 2, "same", 1, 10), (3, 1, "causal", 2, 8),
    (2, 3, "valid", 2, 11), (5, 1, "same", 1, 4)])
def test_conv1d_matches_keras_reference(k, stride, padding, dilation, length):
    x = _array((2, length, 3))
    layer = layers.Conv1D(4, k, strides=stride, padding=padding, dilation_rate=dilation,
                          bias_initializer="random_normal", dtype="float64")
    y = layer(x)
    assert layer.kernel.shape == (k, 3, 4) and layer.bias.shape == (4,)
    expected = _conv1d_reference(x, layer.kernel.numpy(), layer.bias.numpy(), stride, padding,
                                 dilation)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-12)
    _layer_gradcheck(layer, x)


def test_conv1d_channels_first_groups_and_errors():
    x = _array((2, 6, 9))
    layer = layers.Conv1D(4, 3, groups=2, data_format="channels_first", dtype="float64")
    y = layer(x)
    assert y.shape == (2, 4, 7) and layer.kernel.shape == (3, 3, 4)
    # each group of 3 input channels feeds 2 filters
    full = np.zeros((3, 6, 4))
    full[:, :3, :2], full[:, 3:, 2:] = layer.kernel.numpy()[..., :2], layer.kernel.numpy()[..., 2:]
    expected = _conv1d_reference(x.transpose(0, 2, 1), full, 0.0, 1, "valid", 1)
    np.testing.assert_allclose(y.numpy(), expected.transpose(0, 2, 1), rtol=1e-10)
    with pytest.raises(ValueError, match=r"Conv1D .* expects 3-d inputs \(batch, steps, "
                                         r"channels\).*\(2, 6, 9, 1\)"):
        layers.Conv1D(2, 3)(np.zeros((2, 6, 9, 1), np.float32))
    with pytest.raises(ValueError, match="padding must be 'valid', 'same' or 'causal'"):
        layers.Conv1D(2, 3, padding="full")
    with pytest.raises(ValueError, match=r"kernel \(5,\) is larger .* \(3,\)"):
        layers.Conv1D(2, 5)(np.zeros((1, 3, 2), np.float32))
    with pytest.raises(ValueError, match="Conv2D: padding must be 'valid' or 'same'"):
        layers.Conv2D(2, 3, padding="causal")


# --------------------------------------------------------------------------- Conv2DTranspose
@pytest.mark.parametrize("k, stride, padding, output_padding, dilation", [
    (3, 2, "same", None, 1), (3, 2, "valid", None, 1), (2, 3, "valid", None, 1),
    (4, 2, "same", None, 1), (2, 3, "same", None, 1), (3, 2, "same", 1, 1),
    (3, 1, "valid", None, 2), (3, 3, "valid", 2, 1)])
def test_conv2d_transpose_is_the_gradient_of_conv2d(k, stride, padding, output_padding, dilation):
    """A transposed convolution maps like the input gradient of the convolution with the same
    kernel ((kh, kw, filters, in) read as Conv2D's (kh, kw, in', out')), as TensorFlow's."""
    x = _array((2, 4, 3, 3))
    layer = layers.Conv2DTranspose(2, k, strides=stride, padding=padding,
                                   output_padding=output_padding, dilation_rate=dilation,
                                   dtype="float64", bias_initializer="random_normal")
    y = layer(x)
    assert layer.kernel.shape == (k, k, 2, 3)
    conv = layers.Conv2D(3, k, strides=stride, padding=padding, dilation_rate=dilation,
                         use_bias=False, dtype="float64")
    z = cr.zeros(*y.shape, dtype="float64", requires_grad=True)
    conv(z)
    conv.kernel.data[...] = layer.kernel.numpy()
    out = conv(z)
    assert out.shape == x.shape
    out.backward(cr.tensor(x))
    np.testing.assert_allclose(y.numpy(), z.grad.numpy() + layer.bias.numpy(), rtol=1e-10,
                               atol=1e-12)


def test_conv2d_transpose_output_sizes_gradients_and_channels_first():
    x = _array((1, 5, 4, 2))
    for kwargs, size in (({"padding": "same"}, (10, 8)), ({"padding": "valid"}, (11, 9)),
                         ({"padding": "same", "output_padding": 0}, (9, 7))):
        layer = layers.Conv2DTranspose(3, 3, strides=2, **kwargs)
        assert layer(x.astype(np.float32)).shape == (1, *size, 3)
    layer = layers.Conv2DTranspose(3, (2, 3), strides=(2, 1), padding="same", dtype="float64")
    _layer_gradcheck(layer, _array((1, 3, 3, 2)))
    last = layers.Conv2DTranspose(3, 3, strides=2, padding="same", dtype="float64")
    first = layers.Conv2DTranspose(3, 3, strides=2, padding="same", dtype="float64",
                                   data_format="channels_first")
    y = last(x)
    first(x.transpose(0, 3, 1, 2))
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).numpy(),
                               y.numpy().transpose(0, 3, 1, 2), rtol=1e-12)
    with pytest.raises(ValueError, match=r"output_padding .* \[0, stride\)"):
        layers.Conv2DTranspose(3, 3, strides=2, output_padding=2)


# --------------------------------------------------------------------------- 1-d pooling
def _pool1d_reference(x, pool, stride, padding, kind):
    pads = _tf_pads(x.shape[1], pool, stride) if padding == "same" else (0, 0)
    fill = -np.inf if kind == "max" else np.nan
    padded = np.pad(x, ((0, 0), pads, (0, 0)), constant_values=fill)
    steps = (padded.shape[1] - pool) // stride + 1
    windows = np.stack([padded[:, t * stride:t * stride + pool] for t in range(steps)], axis=1)
    return windows.max(axis=2) if kind == "max" else np.nanmean(windows, axis=2)


@pytest.mark.parametrize("pool, stride, padding", [(2, None, "valid"), (3, 2, "same"),
                                                   (3, 1, "same"), (2, 3, "valid")])
@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling1d_matches_keras_reference(pool, stride, padding, kind):
    x = _array((2, 7, 3))
    cls = layers.MaxPooling1D if kind == "max" else layers.AveragePooling1D
    layer = cls(pool, strides=stride, padding=padding, dtype="float64")
    expected = _pool1d_reference(x, pool, stride or pool, padding, kind)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-12)
    _layer_gradcheck(layer, x)
    first = cls(pool, strides=stride, padding=padding, data_format="channels_first",
                dtype="float64")
    np.testing.assert_allclose(first(x.transpose(0, 2, 1)).numpy(), expected.transpose(0, 2, 1),
                               rtol=1e-12)


def test_global_pooling1d():
    x = _array((2, 5, 3), dtype=np.float32)
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(x).numpy(), x.mean(axis=1))
    np.testing.assert_allclose(layers.GlobalMaxPooling1D(keepdims=True)(x).numpy(),
                               x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        layers.GlobalAveragePooling1D(data_format="channels_first")(x).numpy(), x.mean(axis=2))
    with pytest.raises(ValueError, match=r"expects 3-d inputs .*\(2, 5\)"):
        layers.GlobalMaxPooling1D()(np.zeros((2, 5), np.float32))


# --------------------------------------------------------------------------- LayerNormalization
@pytest.mark.parametrize("axis", [-1, [1, 2], 1, [1, 3]])
def test_layer_normalization_matches_reference(axis):
    x = _array((2, 3, 4, 5)) * 3 + 1
    layer = layers.LayerNormalization(axis=axis, dtype="float64",
                                      gamma_initializer="random_normal",
                                      beta_initializer="random_normal")
    y = layer(x)
    axes = tuple(a % 4 for a in ([axis] if isinstance(axis, int) else axis))
    assert layer.gamma.shape == tuple(x.shape[a] for a in axes)
    assert [name for name, _ in layer.named_parameters()] == ["gamma", "beta"]
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    shape = [x.shape[a] if a in axes else 1 for a in range(4)]
    expected = (x - mean) / np.sqrt(var + 1e-3) * layer.gamma.numpy().reshape(shape) + \
        layer.beta.numpy().reshape(shape)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-12)
    _layer_gradcheck(layer, x[:1])


def test_layer_normalization_without_weights_and_errors():
    x = _array((3, 6))
    layer = layers.LayerNormalization(center=False, scale=False, epsilon=1e-5)
    y = layer(x.astype(np.float32))
    assert y.dtype == np.float32 and list(layer.parameters()) == []
    np.testing.assert_allclose(y.numpy(), (x - x.mean(1, keepdims=True)) /
                               np.sqrt(x.var(1, keepdims=True) + 1e-5), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        layers.LayerNormalization(axis=3)(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"expects 2-d inputs with sizes \(6,\).*\(3, 5\)"):
        layer(np.zeros((3, 5), np.float32))


# --------------------------------------------------------------------------- reshaping
def test_reshape_permute_repeat_vector():
    x = _array((2, 3, 4), dtype=np.float32)
    np.testing.assert_array_equal(layers.Reshape((4, -1))(x).numpy(), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(layers.Reshape((12,))(x).numpy(), x.reshape(2, 12))
    np.testing.assert_array_equal(layers.Permute((2, 1))(x).numpy(), x.transpose(0, 2, 1))
    v = _array((2, 5), dtype=np.float32)
    np.testing.assert_array_equal(layers.RepeatVector(3)(v).numpy(),
                                  np.repeat(v[:, None], 3, axis=1))
    with pytest.raises(ValueError, match=r"Reshape .*\(2, 3, 4\) \(12 values per sample\) "
                                         r"cannot be reshaped to \(5, -1\)"):
        layers.Reshape((5, -1))(x)
    with pytest.raises(ValueError, match="permutation of 1, ..., 2"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match=r"RepeatVector .* 2-d inputs .*\(2, 3, 4\)"):
        layers.RepeatVector(2)(x)
    g = cr.tensor(v, requires_grad=True)
    weights = np.arange(15.0, dtype=np.float32).reshape(1, 3, 5)
    (layers.RepeatVector(3)(g) * cr.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(g.grad.numpy(), np.tile(weights[0].sum(0), (2, 1)))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_image_borders_and_upsampling(data_format):
    x = _array((2, 4, 5, 3), dtype=np.float32)
    last = data_format == "channels_last"
    image = x if last else x.transpose(0, 3, 1, 2)
    to_last = (lambda a: a) if last else (lambda a: a.transpose(0, 2, 3, 1))
    padded = layers.ZeroPadding2D(((1, 2), (0, 3)), data_format=data_format)(image).numpy()
    np.testing.assert_array_equal(to_last(padded), np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    np.testing.assert_array_equal(
        to_last(layers.ZeroPadding2D(1, data_format=data_format)(image).numpy()),
        np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))))
    cropped = layers.Cropping2D(((1, 0), (2, 1)), data_format=data_format)(image).numpy()
    np.testing.assert_array_equal(to_last(cropped), x[:, 1:, 2:4])
    up = layers.UpSampling2D((2, 3), data_format=data_format)(image).numpy()
    np.testing.assert_array_equal(to_last(up), x.repeat(2, axis=1).repeat(3, axis=2))


def test_border_layer_errors():
    with pytest.raises(ValueError, match=r"ZeroPadding2D: padding must be .*got \(1, 2, 3\)"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="leaves nothing"):
        layers.Cropping2D(2)(np.zeros((1, 4, 4, 1), np.float32))
    with pytest.raises(NotImplementedError, match="bilinear"):
        layers.UpSampling2D(interpolation="bilinear")
    with pytest.raises(ValueError, match=r"UpSampling2D .* 4-d images .*\(2, 3\)"):
        layers.UpSampling2D()(np.zeros((2, 3), np.float32))


# --------------------------------------------------------------------------- activations
def test_activation_layers_match_keras_formulas():
    x = np.linspace(-3, 8, 23, dtype=np.float32)
    relu = layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5)(x).numpy()
    expected = np.where(x >= 6.0, 6.0, np.where(x >= 0.5, x, 0.1 * (x - 0.5)))
    np.testing.assert_allclose(relu, expected)
    np.testing.assert_array_equal(layers.ReLU()(x).numpy(), np.maximum(x, 0))
    np.testing.assert_allclose(layers.LeakyReLU()(x).numpy(), np.where(x >= 0, x, 0.3 * x))
    np.testing.assert_allclose(layers.LeakyReLU(alpha=0.2)(x).numpy(), np.where(x >= 0, x, 0.2 * x))
    np.testing.assert_allclose(layers.ELU(0.5)(x).numpy(), np.where(x > 0, x, 0.5 * np.expm1(x)),
                               rtol=1e-6)
    m = _array((3, 4), dtype=np.float32)
    e = np.exp(m - m.max(axis=0))
    np.testing.assert_allclose(layers.Softmax(axis=0)(m).numpy(), e / e.sum(axis=0), rtol=1e-6)
    with pytest.raises(ValueError, match="max_value must be a number >= 0"):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError, match=r"Softmax .* axis 2 is out of range .*\(3, 4\)"):
        layers.Softmax(axis=2)(m)


# --------------------------------------------------------------------------- noise
def test_spatial_dropout_drops_whole_channels_and_only_while_training():
    x = np.ones((50, 6, 8), np.float32)
    layer = layers.SpatialDropout1D(0.5, seed=1)
    y = layer(x).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert (y == y[:, :1]).all()                 # one draw per (sample, channel)
    assert 0.3 < (y[:, 0] == 0).mean() < 0.7
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    images = np.ones((40, 3, 3, 5), np.float32)
    y = layers.SpatialDropout2D(0.5, seed=2)(images).numpy()
    assert (y == y[:, :1, :1]).all() and 0.3 < (y[:, 0, 0] == 0).mean() < 0.7
    y = layers.SpatialDropout2D(0.5, data_format="channels_first", seed=2)(images).numpy()
    assert (y == y[:, :, :1, :1]).all()


def test_gaussian_noise():
    x = np.zeros((200, 100))
    layer = layers.GaussianNoise(0.5, seed=0)
    y = layer(x).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 0.5) < 0.01
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), x)
    with pytest.raises(ValueError, match="stddev must be a non-negative number"):
        layers.GaussianNoise(-1)


# --------------------------------------------------------------------------- wrappers
@pytest.mark.parametrize("rnn", [layers.SimpleRNN, layers.LSTM, layers.GRU])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_is_a_forward_and_a_reversed_run(rnn, merge_mode):
    x = _array((2, 5, 3))
    bi = layers.Bidirectional(rnn(4, return_sequences=True, dtype="float64"),
                              merge_mode=merge_mode)
    out = bi(x)
    forward, backward = rnn(4, return_sequences=True, dtype="float64"), \
        rnn(4, return_sequences=True, dtype="float64")
    forward(x), backward(x)
    weights = bi.get_weights()
    half = len(weights) // 2
    assert len(weights) == 2 * len(forward.get_weights())
    forward.set_weights(weights[:half])
    backward.set_weights(weights[half:])
    y, y_back = forward(x).numpy(), backward(x[:, ::-1]).numpy()[:, ::-1]
    expected = {"concat": np.concatenate([y, y_back], -1), "sum": y + y_back, "mul": y * y_back,
                "ave": (y + y_back) / 2, None: None}[merge_mode]
    if merge_mode is None:
        np.testing.assert_allclose(out[0].numpy(), y, rtol=1e-10)
        np.testing.assert_allclose(out[1].numpy(), y_back, rtol=1e-10)
    else:
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_bidirectional_states_names_gradients_and_errors():
    x = _array((2, 4, 3))
    bi = layers.Bidirectional(layers.LSTM(3, return_state=True, dtype="float64", name="enc"))
    output, h, c, h_back, c_back = bi(x)
    assert output.shape == (2, 6) and h.shape == c.shape == h_back.shape == (2, 3)
    np.testing.assert_allclose(output.numpy(), np.concatenate([h.numpy(), h_back.numpy()], -1))
    assert (bi.forward_layer.name, bi.backward_layer.name) == ("forward_enc", "backward_enc")
    assert list(bi.state_dict())[:3] == ["forward_layer.kernel", "forward_layer.recurrent_kernel",
                                         "forward_layer.bias"]
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    _layer_gradcheck(layers.Bidirectional(layers.GRU(2, dtype="float64")), _array((2, 3, 2)))
    with pytest.raises(TypeError, match="SimpleRNN, LSTM or GRU, got Dense"):
        layers.Bidirectional(layers.Dense(3))
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        layers.Bidirectional(layers.LSTM(3), merge_mode="max")


def test_time_distributed_applies_the_layer_to_every_step():
    x = _array((2, 5, 3))
    td = layers.TimeDistributed(layers.Dense(4, dtype="float64"))
    y = td(x)
    kernel, bias = td.layer.kernel.numpy(), td.layer.bias.numpy()
    np.testing.assert_allclose(y.numpy(), x @ kernel + bias, rtol=1e-12)
    assert list(td.state_dict()) == ["layer.kernel", "layer.bias"]
    images = _array((2, 3, 6, 6, 1), dtype=np.float32)
    conv = layers.TimeDistributed(layers.Conv2D(2, 3))
    assert conv(images).shape == (2, 3, 4, 4, 2)
    _layer_gradcheck(layers.TimeDistributed(layers.Conv1D(2, 2, dtype="float64")),
                     _array((2, 3, 4, 2)))
    with pytest.raises(ValueError, match=r"TimeDistributed .* at least 3 axes .*\(2, 5\)"):
        td(np.zeros((2, 5)))


# --------------------------------------------------------------------------- configs, files
CONFIG_LAYERS = [
    lambda: layers.Conv1D(4, 3, strides=2, padding="causal", dilation_rate=1, groups=2,
                          activation="relu", input_shape=(10, 4)),
    lambda: layers.Conv2DTranspose(3, (3, 2), strides=2, padding="same", output_padding=1),
    lambda: layers.MaxPooling1D(3, strides=1, padding="same"),
    lambda: layers.AveragePooling1D(data_format="channels_first"),
    lambda: layers.GlobalMaxPooling1D(keepdims=True),
    lambda: layers.GlobalAveragePooling1D(),
    lambda: layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False),
    lambda: layers.Reshape((2, -1)),
    lambda: layers.Permute((2, 1)),
    lambda: layers.RepeatVector(3),
    lambda: layers.ZeroPadding2D(((1, 2), (3, 4))),
    lambda: layers.Cropping2D(1, data_format="channels_first"),
    lambda: layers.UpSampling2D(3),
    lambda: layers.SpatialDropout1D(0.2, seed=4),
    lambda: layers.SpatialDropout2D(0.2, data_format="channels_first"),
    lambda: layers.GaussianNoise(0.3),
    lambda: layers.ReLU(max_value=6.0),
    lambda: layers.LeakyReLU(0.1),
    lambda: layers.ELU(0.7),
    lambda: layers.Softmax(axis=1),
    lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="ave"),
    lambda: layers.Bidirectional(layers.GRU(3), backward_layer=layers.GRU(3, go_backwards=True)),
    lambda: layers.TimeDistributed(layers.Dense(2, activation="tanh")),
]


@pytest.mark.parametrize("make", CONFIG_LAYERS)
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    again = type(layer).from_config(json.loads(json.dumps(config)))
    assert again.get_config() == config


def _round_trip(model, x, tmp_path):
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = models.load_model(path)
    assert [type(m) for m in loaded] == [type(m) for m in model]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert "Total params" in loaded.summary(return_string=True)
    return loaded


def test_every_new_layer_round_trips_through_a_model_file(tmp_path):
    cr.manual_seed(0)
    x = _array((3, 8, 4), dtype=np.float32)
    sequences = models.Sequential([
        layers.Conv1D(6, 3, padding="causal", activation="relu", input_shape=(8, 4)),
        layers.SpatialDropout1D(0.2), layers.GaussianNoise(0.1),
        layers.MaxPooling1D(2), layers.AveragePooling1D(2, strides=1, padding="same"),
        layers.LayerNormalization(), layers.TimeDistributed(layers.Dense(5)),
        layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
        layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode="sum"),
        layers.Permute((2, 1)), layers.GlobalMaxPooling1D(), layers.RepeatVector(2),
        layers.GlobalAveragePooling1D(), layers.ReLU(max_value=1.0), layers.LeakyReLU(),
        layers.ELU(), layers.Reshape((2, 2)), layers.Softmax(axis=1)])
    _round_trip(sequences, x, tmp_path)
    images = models.Sequential([
        layers.Input((5, 5, 2)), layers.ZeroPadding2D(1), layers.Conv2D(3, 3),
        layers.Conv2DTranspose(4, 3, strides=2, padding="same"), layers.SpatialDropout2D(0.1),
        layers.UpSampling2D(), layers.Cropping2D(((1, 2), (0, 1))), layers.Flatten(),
        layers.Dense(2)])
    _round_trip(images, _array((2, 5, 5, 2), dtype=np.float32), tmp_path)


def test_bidirectional_lstm_learns_and_resumes_from_a_file(tmp_path):
    """Which of two markers comes first in a sequence: a task that needs both directions."""
    cr.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 8, 2)).astype(np.float32) * 0.1
    y = rng.integers(0, 2, 128)
    first, second = rng.integers(0, 4, 128), rng.integers(4, 8, 128)
    x[np.arange(128), np.where(y == 1, first, second), 0] = 1.0
    x[np.arange(128), np.where(y == 1, second, first), 1] = 1.0
    model = models.Sequential([layers.Bidirectional(layers.LSTM(8), input_shape=(8, 2)),
                               layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.Nadam(learning_rate=0.02),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    loaded = _round_trip(model, x, tmp_path)
    assert type(loaded.optimizer).__name__ == "NAdam"


def test_conv1d_model_learns_with_keras_optimizers_and_losses():
    cr.manual_seed(0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((96, 12, 1)).astype(np.float32) * 0.3
    y = rng.integers(0, 2, 96).astype(np.float32)
    where = rng.integers(0, 11, 96)
    x[y == 1, where[y == 1], 0] += 2.0             # positives hold a step up then down
    x[y == 1, where[y == 1] + 1, 0] -= 2.0
    for optimizer in (optimizers.Adamax(learning_rate=0.05), optimizers.Nadam(learning_rate=0.02),
                      optimizers.Adadelta(learning_rate=1.0)):
        model = models.Sequential([
            layers.Conv1D(8, 2, activation="relu", input_shape=(12, 1)),
            layers.GlobalMaxPooling1D(), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizer, loss="binary_crossentropy",
                      metrics=["accuracy", "mse", "kld"])
        history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
        assert history.history["loss"][-1] < 0.75 * history.history["loss"][0], optimizer
        if not isinstance(optimizer, optimizers.Adadelta):   # Adadelta starts slowly
            assert history.history["accuracy"][-1] > 0.9, optimizer
        assert set(history.history) >= {"mse", "kld"}
    model.compile("adamax", "hinge", metrics=["mae"])
    model.fit(x, y, epochs=1, batch_size=96, verbose=0)
    prediction = model.predict(x, verbose=0)
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose(scores["mae"], np.abs(prediction[:, 0] - y).mean(), rtol=1e-5)
    np.testing.assert_allclose(scores["loss"], np.maximum(1 - (2 * y - 1) * prediction[:, 0],
                                                          0).mean(), rtol=1e-5)


# --------------------------------------------------------------------------- optimizers
def _keras_steps(name, grads, w, lr, **h):
    """NumPy reference of Keras 3's update rules, one step per gradient in ``grads``."""
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    u_product = 1.0
    for t, g in enumerate(grads, start=1):
        if name == "nadam":
            b1, b2, eps = h["beta_1"], h["beta_2"], h["epsilon"]
            u_t = b1 * (1 - 0.5 * 0.96 ** t)
            u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
            u_product *= u_t
            m = m + (g - m) * (1 - b1)
            v = v + (g * g - v) * (1 - b2)
            m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
            w = w - lr * m_hat / (np.sqrt(v / (1 - b2 ** t)) + eps)
        elif name == "adamax":
            b1, b2, eps = h["beta_1"], h["beta_2"], h["epsilon"]
            m = m + (g - m) * (1 - b1)
            v = np.maximum(b2 * v, np.abs(g))
            w = w - lr * m / ((1 - b1 ** t) * (v + eps))
        else:   # adadelta: m accumulates squared gradients, v squared updates
            rho, eps = h["rho"], h["epsilon"]
            m = rho * m + (1 - rho) * g * g
            delta = np.sqrt(v + eps) / np.sqrt(m + eps) * g
            v = rho * v + (1 - rho) * delta * delta
            w = w - lr * delta
    return w


@pytest.mark.parametrize("cls, name, hyper", [
    (optimizers.Nadam, "nadam", {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    (optimizers.Adamax, "adamax", {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    (optimizers.Adadelta, "adadelta", {"rho": 0.95, "epsilon": 1e-7}),
    (optimizers.Nadam, "nadam", {"beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3}),
    (optimizers.Adamax, "adamax", {"beta_1": 0.5, "beta_2": 0.7, "epsilon": 0.1}),
    (optimizers.Adadelta, "adadelta", {"rho": 0.5, "epsilon": 1e-2}),
])
def test_keras_optimizers_follow_keras_update_rules(cls, name, hyper):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(7)
    grads = [rng.standard_normal(7) * 10 ** -i for i in range(5)]   # some near zero
    default = cls()
    assert default.learning_rate == 0.001
    assert {k: v for k, v in default.get_config().items()} == cls().get_config()
    param = cr.nn.Parameter(cr.tensor(w0.copy()))
    optimizer = cls(learning_rate=0.05, **hyper).build([param])
    for g in grads:
        param.grad = cr.tensor(g)
        optimizer.step()
    np.testing.assert_allclose(param.numpy(), _keras_steps(name, grads, w0, 0.05, **hyper),
                               rtol=1e-10, atol=1e-14)


def test_optimizer_names_in_compile_use_keras_defaults():
    model = models.Sequential([layers.Dense(1, input_shape=(2,))])
    for name, cls in (("nadam", "NAdam"), ("adamax", "KerasAdamax"), ("adadelta", "Adadelta")):
        model.compile(name, "mse")
        model.fit(np.ones((4, 2), np.float32), np.ones(4, np.float32), verbose=0)
        assert type(model.optimizer).__name__ == cls
        group = model.optimizer.param_groups[0]
        assert group["lr"] == 0.001 and group["eps"] == 1e-7
    assert group["rho"] == 0.95
    with pytest.raises(ValueError, match="unknown optimizer 'nadm'.*nadam"):
        model.compile("nadm", "mse")
        model.fit(np.ones((4, 2), np.float32), np.ones(4, np.float32), verbose=0)


# --------------------------------------------------------------------------- losses
def _softplus(x):
    return np.logaddexp(0, x)


def _l2(a):
    return a / np.maximum(np.sqrt((a * a).sum(-1, keepdims=True)), 1e-7)


LOSS_REFERENCES = {
    "hinge": lambda t, p: np.maximum(1 - t * p, 0).mean(-1),
    "squared_hinge": lambda t, p: (np.maximum(1 - t * p, 0) ** 2).mean(-1),
    "categorical_hinge": lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0),
    "kl_divergence": lambda t, p: (np.clip(t, 1e-7, 1) * np.log(np.clip(t, 1e-7, 1) /
                                                                np.clip(p, 1e-7, 1))).sum(-1),
    "poisson": lambda t, p: (p - t * np.log(p + 1e-7)).mean(-1),
    "log_cosh": lambda t, p: np.log(np.cosh(p - t)).mean(-1),
    "mean_absolute_percentage_error": lambda t, p: 100 * np.abs(
        (t - p) / np.maximum(np.abs(t), 1e-7)).mean(-1),
    "mean_squared_logarithmic_error": lambda t, p: (
        (np.log(np.maximum(p, 1e-7) + 1) - np.log(np.maximum(t, 1e-7) + 1)) ** 2).mean(-1),
    "cosine_similarity": lambda t, p: -(_l2(t) * _l2(p)).sum(-1),
}
ALIASES = {"kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
           "logcosh": "log_cosh", "mape": "mean_absolute_percentage_error",
           "msle": "mean_squared_logarithmic_error"}


def _loss_samples(name):
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 1.5, (4, 5))
    if name in ("hinge", "squared_hinge"):
        return rng.choice([-1.0, 1.0], (4, 5)), p - 0.7
    if name == "categorical_hinge":
        return np.eye(5)[rng.integers(0, 5, 4)], p
    if name == "kl_divergence":
        t = rng.uniform(0, 1, (4, 5))
        t[0, 0] = 0.0                                     # clipped to 1e-7
        return t / t.sum(-1, keepdims=True), p / p.sum(-1, keepdims=True)
    t = rng.uniform(0.1, 2.0, (4, 5))
    t[1, 2] = 0.0                                         # guarded divisions and logs
    return t, p - (0.5 if name in ("log_cosh", "cosine_similarity") else 0.0)


@pytest.mark.parametrize("name", sorted(LOSS_REFERENCES) + sorted(ALIASES))
def test_keras_losses_match_keras_formulas(name):
    reference = LOSS_REFERENCES[ALIASES.get(name, name)]
    t, p = _loss_samples(ALIASES.get(name, name))
    loss = keras_names.resolve_loss(name)
    output = cr.tensor(p, requires_grad=True)
    values = loss(output, cr.tensor(t), False)
    np.testing.assert_allclose(values.numpy(), reference(t, p), rtol=1e-10, atol=1e-12)
    assert cr.gradcheck(lambda o: loss(o, cr.tensor(t), False), (output,))


def test_hinge_reads_zero_one_labels_as_signs_and_cosine_of_zero_is_zero():
    p = _array((3, 4))
    labels = np.random.default_rng(0).integers(0, 2, (3, 4)).astype(np.float64)
    hinge = keras_names.resolve_loss("hinge")
    np.testing.assert_allclose(hinge(cr.tensor(p), cr.tensor(labels), False).numpy(),
                               np.maximum(1 - (2 * labels - 1) * p, 0).mean(-1))
    cosine = keras_names.resolve_loss("cosine_similarity")
    assert cosine(cr.tensor(np.zeros((1, 3))), cr.tensor(np.ones((1, 3))), False).item() == 0.0
    np.testing.assert_allclose(keras_names.resolve_loss("log_cosh")(
        cr.tensor([[800.0]]), cr.tensor([[0.0]]), False).numpy(), [800 - np.log(2)])
