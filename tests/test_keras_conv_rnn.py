"""Keras-style Conv2D, pooling, SimpleRNN, LSTM, GRU and Embedding: Keras's shapes, weight
layouts and 'same' padding (checked against NumPy references written here), finite-difference
gradients, clear errors, configs and model files, and a small convolutional network that learns.
"""
import json

import numpy as np
import pytest

import chainrule as cr
from chainrule import initializers, layers, models, regularizers
from keras_helpers import _array, _layer_gradcheck, _tf_pads


# --------------------------------------------------------------------------- NumPy references
def _windows(x, window, strides, dilation, padding, fill):
    """x (N, H, W, C) -> (N, Ho, Wo, kh, kw, C): every window, padded as Keras pads."""
    spans = [d * (k - 1) + 1 for k, d in zip(window, dilation)]
    if padding == "same":
        pads = [_tf_pads(x.shape[1 + a], spans[a], strides[a]) for a in range(2)]
    else:
        pads = [(0, 0), (0, 0)]
    padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=fill)
    out = [(padded.shape[1 + a] - spans[a]) // strides[a] + 1 for a in range(2)]
    windows = np.empty((x.shape[0], out[0], out[1], window[0], window[1], x.shape[3]))
    for i in range(out[0]):
        for j in range(out[1]):
            top, left = i * strides[0], j * strides[1]
            windows[:, i, j] = padded[:, top:top + spans[0]:dilation[0],
                                      left:left + spans[1]:dilation[1]]
    return windows


def _conv_reference(x, kernel, bias, strides, padding, dilation=(1, 1), groups=1):
    """Keras's conv2d, channels last: y = Σ window · kernel (per group) + bias."""
    w = _windows(x, kernel.shape[:2], strides, dilation, padding, 0.0)
    per_group_in, per_group_out = kernel.shape[2], kernel.shape[3] // groups
    outs = []
    for g in range(groups):
        part = w[..., g * per_group_in:(g + 1) * per_group_in]
        k = kernel[..., g * per_group_out:(g + 1) * per_group_out]
        outs.append(np.einsum("nhwijc,ijco->nhwo", part, k))
    return np.concatenate(outs, axis=-1) + bias


def _pool_reference(x, pool, strides, padding, kind):
    if kind == "max":
        return _windows(x, pool, strides, (1, 1), padding, -np.inf).max(axis=(3, 4))
    sums = _windows(x, pool, strides, (1, 1), padding, 0.0).sum(axis=(3, 4))
    counts = _windows(np.ones_like(x), pool, strides, (1, 1), padding, 0.0).sum(axis=(3, 4))
    return sums / counts


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _rnn_reference(kind, x, kernel, recurrent, bias, units, h=None, c=None):
    """Keras's recurrences step by step, in Keras's own layout and gate order."""
    n = x.shape[0]
    h = np.zeros((n, units)) if h is None else h
    c = np.zeros((n, units)) if c is None else c
    outputs = []
    for t in range(x.shape[1]):
        xt = x[:, t]
        if kind == "SimpleRNN":
            h = np.tanh(xt @ kernel + h @ recurrent + bias)
        elif kind == "LSTM":
            a = xt @ kernel + h @ recurrent + bias
            i, f, g, o = np.split(a, 4, axis=1)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
        else:   # GRU, reset_after: bias (2, 3u), gates z, r, h
            ax = xt @ kernel + bias[0]
            ah = h @ recurrent + bias[1]
            xz, xr, xh = np.split(ax, 3, axis=1)
            hz, hr, hh = np.split(ah, 3, axis=1)
            z, r = _sigmoid(xz + hz), _sigmoid(xr + hr)
            h = z * h + (1 - z) * np.tanh(xh + r * hh)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


# --------------------------------------------------------------------------- initializer
def test_orthogonal_initializer():
    for shape in [(6, 6), (4, 9), (9, 4), (2, 3, 5)]:
        values = initializers.get("orthogonal")(shape, "float64")
        matrix = values.reshape(-1, shape[-1])
        gram = matrix @ matrix.T if matrix.shape[0] < matrix.shape[1] else matrix.T @ matrix
        np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-12)
        assert values.shape == shape
    scaled = initializers.Orthogonal(gain=2.0, seed=3)((5, 5), "float64")
    np.testing.assert_allclose(scaled.T @ scaled, 4 * np.eye(5), atol=1e-12)
    np.testing.assert_array_equal(scaled, initializers.Orthogonal(gain=2.0, seed=3)((5, 5),
                                                                                    "float64"))
    assert initializers.get(initializers.serialize(initializers.Orthogonal(0.5))).gain == 0.5
    assert isinstance(initializers.get("uniform"), initializers.RandomUniform)
    assert isinstance(initializers.get("normal"), initializers.RandomNormal)
    with pytest.raises(ValueError, match="at least 2 axes"):
        initializers.Orthogonal()((5,))


# --------------------------------------------------------------------------- Conv2D
CONV_CASES = [  # kernel, strides, padding, dilation, groups, input (H, W)
    ((3, 3), (1, 1), "valid", (1, 1), 1, (7, 6)),
    ((3, 3), (1, 1), "same", (1, 1), 1, (5, 6)),
    ((3, 2), (2, 2), "same", (1, 1), 1, (7, 5)),
    ((4, 4), (2, 3), "same", (1, 1), 1, (9, 8)),
    ((2, 2), (2, 2), "same", (1, 1), 1, (6, 6)),
    ((3, 3), (1, 1), "same", (2, 1), 1, (7, 7)),
    ((3, 3), (2, 1), "valid", (1, 2), 2, (8, 7)),
    ((1, 1), (3, 3), "same", (1, 1), 1, (7, 5)),
]


@pytest.mark.parametrize("kernel, strides, padding, dilation, groups, hw", CONV_CASES)
def test_conv2d_matches_keras_reference(kernel, strides, padding, dilation, groups, hw):
    layer = layers.Conv2D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation,
                          groups=groups, bias_initializer="random_normal", dtype="float64")
    x = _array((2,) + hw + (2,))
    y = layer(x)
    assert layer.kernel.shape == kernel + (2 // groups, 4) and layer.bias.shape == (4,)
    expected = _conv_reference(x, layer.kernel.numpy(), layer.bias.numpy(), strides, padding,
                               dilation, groups)
    if padding == "same":
        assert y.shape[1:3] == tuple(-(-n // s) for n, s in zip(hw, strides))
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    first = layers.Conv2D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation,
                          groups=groups, data_format="channels_first", dtype="float64")
    first(x.transpose(0, 3, 1, 2))
    first.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).numpy(),
                               y.numpy().transpose(0, 3, 1, 2), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel, strides, padding, dilation, groups, hw", CONV_CASES)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_gradients(kernel, strides, padding, dilation, groups, hw, data_format):
    layer = layers.Conv2D(2, kernel, strides=strides, padding=padding, dilation_rate=dilation,
                          groups=groups, activation="tanh", bias_initializer="random_normal",
                          data_format=data_format, dtype="float64")
    shape = (2,) + hw + (2,) if data_format == "channels_last" else (2, 2) + hw
    _layer_gradcheck(layer, _array(shape, seed=1))


def test_conv2d_random_geometries_gradcheck():
    rng = np.random.default_rng(7)
    for trial in range(6):
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        s = tuple(int(v) for v in rng.integers(1, 4, 2))
        hw = tuple(int(v) for v in rng.integers(3, 8, 2))
        layer = layers.Conv2D(2, k, strides=s, padding=["valid", "same"][trial % 2],
                              dtype="float64", use_bias=trial % 3 != 0)
        _layer_gradcheck(layer, _array((1,) + hw + (1,), seed=trial))


def test_conv2d_keras_tutorial_line_builds_a_model():
    model = models.Sequential([layers.Conv2D(32, (3, 3), activation="relu",
                                             input_shape=(28, 28, 1)),
                               layers.MaxPooling2D((2, 2)), layers.Flatten(),
                               layers.Dense(10, activation="softmax")])
    assert model[0].built and model[0].kernel.shape == (3, 3, 1, 32)
    text = model.summary(return_string=True)
    assert "conv2d" in text and "(None, 26, 26, 32)" in text and "320" in text
    assert "(None, 13, 13, 32)" in text and "(None, 5408)" in text
    assert model(np.zeros((2, 28, 28, 1), np.float32)).shape == (2, 10)


def test_conv2d_errors_name_the_layer_and_shapes():
    layer = layers.Conv2D(3, 5, name="c")
    with pytest.raises(ValueError, match=r"Conv2D 'c' expects 4-d inputs .*\(5, 5, 3\)"):
        layer(np.zeros((5, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"Conv2D 'c'.*kernel \(5, 5\) is larger than the "
                                         r"input's spatial size \(4, 9\).*\(2, 4, 9, 3\)"):
        layer(np.zeros((2, 4, 9, 3), np.float32))
    layer(np.zeros((1, 6, 6, 3), np.float32))
    with pytest.raises(ValueError, match=r"Conv2D 'c' expects inputs with 3 channels.*"
                                         r"\(1, 6, 6, 2\)"):
        layer(np.zeros((1, 6, 6, 2), np.float32))
    with pytest.raises(ValueError, match="divisible by groups"):
        layers.Conv2D(4, 3, groups=2)(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match="filters .* divisible by groups"):
        layers.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        layers.Conv2D(3, 3, padding="full")
    with pytest.raises(ValueError, match="data_format must be"):
        layers.Conv2D(3, 3, data_format="NHWC")
    with pytest.raises(ValueError, match="kernel_size must be"):
        layers.Conv2D(3, (3, 3, 3))
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        layers.Conv2D(0, 3)
    # 'same' fits any input: a 1x1 image with a 5x5 kernel
    assert layers.Conv2D(2, 5, padding="same")(np.ones((1, 1, 1, 3), np.float32)).shape == \
        (1, 1, 1, 2)


def test_conv2d_casts_inputs_and_adds_its_penalty():
    layer = layers.Conv2D(2, 3, kernel_regularizer=regularizers.l2(0.1))
    assert layer(cr.tensor(_array((1, 4, 4, 1)))).dtype == np.float32   # Keras casts inputs
    penalty = layer.regularization_loss().item()
    assert penalty == pytest.approx(0.1 * float((layer.kernel.numpy() ** 2).sum()), rel=1e-6)


# --------------------------------------------------------------------------- pooling
POOL_CASES = [  # pool, strides, padding, input (H, W)
    ((2, 2), None, "valid", (6, 7)),
    ((3, 3), (2, 2), "valid", (7, 8)),
    ((2, 2), None, "same", (5, 7)),
    ((3, 3), (2, 2), "same", (7, 6)),
    ((3, 2), (1, 1), "same", (4, 5)),
    ((3, 3), (3, 1), "same", (8, 5)),
]


@pytest.mark.parametrize("pool, strides, padding, hw", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling_matches_keras_reference_and_gradients(pool, strides, padding, hw, kind):
    cls = layers.MaxPooling2D if kind == "max" else layers.AveragePooling2D
    x = _array((2,) + hw + (3,))
    y = cls(pool, strides, padding, dtype="float64")(x)
    expected = _pool_reference(x, pool, strides or pool, padding, kind[:3])
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert y.dtype == np.float64
    assert cls(pool, strides, padding)(x).dtype == np.float32   # raw data: the layer's dtype
    first = cls(pool, strides, padding, data_format="channels_first", dtype="float64")
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).numpy(),
                               expected.transpose(0, 3, 1, 2), rtol=1e-12, atol=1e-12)
    assert cr.gradcheck(cls(pool, strides, padding), cr.tensor(x, requires_grad=True))


def test_global_pooling():
    x = cr.tensor(_array((2, 4, 5, 3)))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x).numpy(),
                               x.numpy().mean(axis=(1, 2)))
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x).numpy(), x.numpy().max(axis=(1, 2)))
    kept = layers.GlobalAveragePooling2D(keepdims=True)(x)
    assert kept.shape == (2, 1, 1, 3)
    first = layers.GlobalMaxPooling2D(data_format="channels_first", keepdims=True)
    assert first(x).shape == (2, 4, 1, 1)
    for cls in (layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D):
        assert cr.gradcheck(cls(), cr.tensor(x.numpy(), requires_grad=True))
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool2D is layers.AveragePooling2D


def test_pooling_errors_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"MaxPooling2D 'p'.*pool_size \(3, 3\) is larger than "
                                         r"the input's spatial size \(2, 5\)"):
        layers.MaxPooling2D(3, name="p")(np.zeros((1, 2, 5, 1), np.float32))
    with pytest.raises(ValueError, match=r"AveragePooling2D 'a' expects 4-d inputs.*\(4, 4\)"):
        layers.AveragePooling2D(name="a")(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling2D 'g' expects 4-d inputs"):
        layers.GlobalAveragePooling2D(name="g")(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="pool_size must be"):
        layers.MaxPooling2D(0)
    # 'same' pools a 1x1 image with a 3x3 window to itself
    assert layers.MaxPooling2D(3, padding="same")(np.full((1, 1, 1, 2), -5.0)).tolist() == \
        [[[[-5.0, -5.0]]]]


# --------------------------------------------------------------------------- recurrent
RNN_KINDS = ["SimpleRNN", "LSTM", "GRU"]


def _random_weights(layer, seed=3):
    """Random values (not the zero bias) for every weight, so that references test them all."""
    rng = np.random.default_rng(seed)
    layer.load_state_dict({name: rng.standard_normal(p.shape) * 0.5
                           for name, p in layer.named_parameters()})


@pytest.mark.parametrize("kind", RNN_KINDS)
def test_recurrent_layers_match_keras_equations(kind):
    layer = getattr(layers, kind)(4, return_sequences=True, return_state=True, dtype="float64")
    x = _array((3, 5, 2))
    layer(x)
    _random_weights(layer)
    outputs = layer(x)
    weights = [p.numpy() for p in layer.parameters()]
    sequence, h, c = _rnn_reference(kind, x, *weights, units=4)
    assert isinstance(outputs, list) and len(outputs) == (3 if kind == "LSTM" else 2)
    np.testing.assert_allclose(outputs[0].numpy(), sequence, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(outputs[1].numpy(), h, rtol=1e-12, atol=1e-12)
    if kind == "LSTM":
        np.testing.assert_allclose(outputs[2].numpy(), c, rtol=1e-12, atol=1e-12)
    last = getattr(layers, kind)(4, dtype="float64")
    last(x)
    last.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(last(x).numpy(), h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", RNN_KINDS)
def test_recurrent_weights_have_keras_shapes_and_initializers(kind):
    cr.manual_seed(0)
    layer = getattr(layers, kind)(6)
    assert layer(np.zeros((2, 3, 5), np.float32)).shape == (2, 6)
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    shapes = {name: p.shape for name, p in layer.named_parameters()}
    bias_shape = (2, 18) if kind == "GRU" else (gates * 6,)
    assert shapes == {"kernel": (5, gates * 6), "recurrent_kernel": (6, gates * 6),
                      "bias": bias_shape}
    recurrent = layer.recurrent_kernel.numpy().astype(np.float64)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(6), atol=1e-5)   # orthogonal
    bias = layer.bias.numpy()
    if kind == "LSTM":   # unit_forget_bias: the f block starts at 1
        np.testing.assert_array_equal(bias, np.r_[np.zeros(6), np.ones(6), np.zeros(12)])
    else:
        assert not bias.any()


def test_lstm_without_unit_forget_bias_and_without_bias():
    plain = layers.LSTM(3, unit_forget_bias=False, bias_initializer="ones")
    plain(np.zeros((1, 2, 4), np.float32))
    np.testing.assert_array_equal(plain.bias.numpy(), np.ones(12))
    for kind in RNN_KINDS:
        layer = getattr(layers, kind)(3, use_bias=False, dtype="float64")
        x = _array((2, 4, 2))
        y = layer(x)
        assert layer.bias is None and [n for n, _ in layer.named_parameters()] == \
            ["kernel", "recurrent_kernel"]
        weights = [p.numpy() for p in layer.parameters()]
        bias = np.zeros((2, 9)) if kind == "GRU" else 0.0
        np.testing.assert_allclose(y.numpy(), _rnn_reference(kind, x, *weights, bias, units=3)[1],
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", RNN_KINDS)
@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "return_state": True},
                                     {"return_sequences": True, "go_backwards": True}])
def test_recurrent_gradients(kind, options):
    layer = getattr(layers, kind)(3, dtype="float64", **options)
    layer(_array((2, 4, 2)))
    _random_weights(layer, seed=5)
    _layer_gradcheck(layer, _array((2, 4, 2), seed=1))


@pytest.mark.parametrize("kind", RNN_KINDS)
def test_recurrent_initial_state_and_its_gradient(kind):
    layer = getattr(layers, kind)(3, return_state=True, dtype="float64")
    x = _array((2, 4, 2))
    layer(x)
    _random_weights(layer)
    states = [_array((2, 3), seed=s) for s in range(2 if kind == "LSTM" else 1)]
    outputs = layer(x, initial_state=states)
    weights = [p.numpy() for p in layer.parameters()]
    _, h, c = _rnn_reference(kind, x, *weights, units=3, h=states[0],
                             c=states[1] if kind == "LSTM" else None)
    np.testing.assert_allclose(outputs[1].numpy(), h, rtol=1e-12, atol=1e-12)
    if kind == "LSTM":
        np.testing.assert_allclose(outputs[2].numpy(), c, rtol=1e-12, atol=1e-12)
    tensors = [cr.tensor(s, requires_grad=True) for s in states]
    assert cr.gradcheck(lambda *s: layer(x, initial_state=list(s)), tuple(tensors))
    with pytest.raises(ValueError, match="each initial state must have shape \\(2, 3\\)"):
        layer(x, initial_state=[np.zeros((2, 4))] * len(states))
    with pytest.raises(ValueError, match="initial_state must be"):
        layer(x, initial_state=[np.zeros((2, 3))] * 3)


@pytest.mark.parametrize("kind", RNN_KINDS)
def test_go_backwards_runs_the_reversed_sequence(kind):
    backwards = getattr(layers, kind)(3, go_backwards=True, return_sequences=True,
                                      dtype="float64")
    forwards = getattr(layers, kind)(3, return_sequences=True, dtype="float64")
    x = _array((2, 5, 2))
    backwards(x)
    forwards(x)
    forwards.load_state_dict(backwards.state_dict())
    # Keras: the outputs come in the order the steps ran, the last input's first
    np.testing.assert_allclose(backwards(x).numpy(), forwards(x[:, ::-1]).numpy(), rtol=1e-12)


def test_recurrent_input_dropout_is_one_mask_for_all_steps():
    layer = layers.LSTM(3, dropout=0.4, seed=11, return_sequences=True, dtype="float64")
    reference = layers.LSTM(3, return_sequences=True, dtype="float64")
    x = _array((4, 6, 5))
    layer.eval()
    evaluated = layer(x).numpy()
    reference(x)
    reference.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(evaluated, reference(x).numpy(), rtol=1e-12)   # eval: no dropout
    layer.train()
    trained = layer(x).numpy()
    keep = np.random.default_rng(11).random((4, 1, 5)) >= 0.4
    np.testing.assert_allclose(trained, reference(x * keep / 0.6).numpy(), rtol=1e-12)
    assert np.allclose(layer(x, training=False).numpy(), evaluated)


def test_recurrent_errors():
    with pytest.raises(ValueError, match=r"LSTM 'seq' expects 3-d inputs \(batch, timesteps, "
                                         r"features\).*\(4, 5\)"):
        layers.LSTM(2, name="seq")(np.zeros((4, 5), np.float32))
    gru = layers.GRU(2, name="g")
    gru(np.zeros((1, 3, 4), np.float32))
    with pytest.raises(ValueError, match=r"GRU 'g' expects 4 features.*\(1, 3, 5\)"):
        gru(np.zeros((1, 3, 5), np.float32))
    with pytest.raises(NotImplementedError, match="recurrent_dropout"):
        layers.LSTM(2, recurrent_dropout=0.2)
    layers.LSTM(2, recurrent_dropout=0.0)
    with pytest.raises(NotImplementedError, match="activation='tanh' with "
                                                  "recurrent_activation='sigmoid'"):
        layers.LSTM(2, activation="relu")
    with pytest.raises(NotImplementedError, match="activation='tanh' with"):
        layers.GRU(2, recurrent_activation="hard_sigmoid")
    with pytest.raises(NotImplementedError, match="reset_after=False"):
        layers.GRU(2, reset_after=False)
    with pytest.raises(NotImplementedError, match="SimpleRNN: only activation='tanh' or 'relu'"):
        layers.SimpleRNN(2, activation="sigmoid")
    with pytest.raises(NotImplementedError, match="stateful"):
        layers.SimpleRNN(2, stateful=True)
    with pytest.raises(ValueError, match="dropout must be a number in \\[0, 1\\)"):
        layers.GRU(2, dropout=1.5)
    with pytest.raises(ValueError, match="units must be a positive integer"):
        layers.SimpleRNN(0)


def test_simple_rnn_relu():
    layer = layers.SimpleRNN(3, activation="relu", return_sequences=True, dtype="float64")
    x = _array((2, 4, 2))
    y = layer(x).numpy()
    kernel, recurrent, bias = (p.numpy() for p in layer.parameters())
    h = np.zeros((2, 3))
    for t in range(4):
        h = np.maximum(x[:, t] @ kernel + h @ recurrent + bias, 0)
        np.testing.assert_allclose(y[:, t], h, rtol=1e-12, atol=1e-12)
    assert layer.get_config()["activation"] == "relu"


# --------------------------------------------------------------------------- Embedding
def test_embedding_looks_up_rows_and_keeps_integers():
    cr.manual_seed(0)
    layer = layers.Embedding(10, 4)
    indices = np.array([[1, 2, 9], [0, 0, 5]])
    y = layer(cr.tensor(indices))
    assert layer.embeddings.shape == (10, 4) and y.shape == (2, 3, 4)
    table = layer.embeddings.numpy()
    np.testing.assert_array_equal(y.numpy(), table[indices])
    assert np.abs(table).max() <= 0.05            # Keras's RandomUniform(-0.05, 0.05)
    np.testing.assert_array_equal(layer(indices.astype(np.float32)).numpy(), table[indices])
    y.sum().backward()
    counts = np.bincount(indices.ravel(), minlength=10)
    np.testing.assert_array_equal(layer.embeddings.grad.numpy(), np.repeat(counts[:, None], 4, 1))


def test_embedding_gradcheck_and_errors():
    layer = layers.Embedding(6, 3, dtype="float64", name="emb")
    indices = np.array([[1, 5, 1], [0, 2, 2]])
    layer(indices)
    weights = cr.tensor(layer.embeddings.numpy(), requires_grad=True)

    def lookup(weights):
        layer._parameters["embeddings"] = weights
        return layer(indices)

    assert cr.gradcheck(lookup, weights)
    with pytest.raises(IndexError, match=r"Embedding 'emb': index 6 is out of range for "
                                         r"input_dim=6"):
        layer(np.array([[6]]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        layer(np.array([-1]))
    with pytest.raises(TypeError, match="Embedding 'emb': indices must be integers"):
        layer(np.array([0.5]))
    with pytest.raises(NotImplementedError, match="mask_zero"):
        layers.Embedding(5, 2, mask_zero=True)
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        layers.Embedding(0, 2)


# --------------------------------------------------------------------------- names, configs, files
def test_keras_layer_names():
    assert layers.Conv2D(1, 1).name.startswith("conv2d")
    assert layers.MaxPooling2D().name.startswith("max_pooling2d")
    assert layers.GlobalAveragePooling2D().name.startswith("global_average_pooling2d")
    assert layers.SimpleRNN(1).name.startswith("simple_rnn")
    assert layers.LSTM(1).name.startswith("lstm") and layers.GRU(1).name.startswith("gru")
    assert layers.BatchNormalization().name.startswith("batch_normalization")


CONFIG_LAYERS = [
    lambda: layers.Conv2D(4, (3, 2), strides=2, padding="same", data_format="channels_first",
                          dilation_rate=1, groups=1, activation="relu", use_bias=False,
                          kernel_initializer="he_normal", kernel_regularizer=regularizers.l2(0.1),
                          input_shape=(3, 8, 8)),
    lambda: layers.MaxPooling2D(3, strides=(1, 2), padding="same"),
    lambda: layers.AveragePooling2D((2, 3), data_format="channels_first"),
    lambda: layers.GlobalAveragePooling2D(keepdims=True),
    lambda: layers.GlobalMaxPooling2D(data_format="channels_first"),
    lambda: layers.SimpleRNN(5, activation="relu", return_sequences=True, go_backwards=True),
    lambda: layers.LSTM(5, unit_forget_bias=False, dropout=0.25, seed=3, return_state=True,
                        recurrent_regularizer="l2"),
    lambda: layers.GRU(5, use_bias=False, recurrent_initializer="glorot_normal"),
    lambda: layers.Embedding(20, 4, embeddings_initializer="normal", input_length=7),
]


@pytest.mark.parametrize("make", CONFIG_LAYERS)
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    json.dumps(config)
    again = type(layer).from_config(json.loads(json.dumps(config)))
    assert again.get_config() == config


def test_save_and_load_model_with_conv_and_recurrent_layers(tmp_path):
    cr.manual_seed(0)
    images = models.Sequential([
        layers.Conv2D(4, 3, strides=2, padding="same", activation="relu", input_shape=(9, 7, 2)),
        layers.MaxPooling2D(padding="same"), layers.AveragePooling2D(1),
        layers.Conv2D(3, 1, data_format="channels_last"), layers.GlobalMaxPooling2D(),
        layers.Dense(2)])
    tokens = models.Sequential([
        layers.Embedding(30, 6, input_length=5), layers.SimpleRNN(4, return_sequences=True),
        layers.LSTM(4, return_sequences=True), layers.GRU(3), layers.Dense(1)])
    for model, x in ((images, _array((3, 9, 7, 2), dtype=np.float32)),
                     (tokens, np.random.default_rng(0).integers(0, 30, (3, 5)))):
        path = tmp_path / f"{model[0].name}.safetensors"
        model.save(path)
        loaded = models.load_model(path)
        assert [type(m) for m in loaded] == [type(m) for m in model]
        assert [m.get_config() for m in loaded] == [m.get_config() for m in model]
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        assert "Total params" in loaded.summary(return_string=True)
    text = tokens.summary(return_string=True)
    assert "(None, 5, 6)" in text and "(None, 5, 4)" in text and "(None, 3)" in text
    assert "LSTM" in text and "144" in text   # 4·4·(4 + 4 + 1)


def test_small_convnet_learns():
    cr.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8, 8, 1)).astype(np.float32)
    y = (x[:, :4].sum(axis=(1, 2, 3)) > x[:, 4:].sum(axis=(1, 2, 3))).astype(np.int64)
    model = models.Sequential([layers.Conv2D(4, (3, 3), activation="relu", input_shape=(8, 8, 1)),
                               layers.MaxPooling2D((2, 2)), layers.Flatten(),
                               layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 2 and losses[1] < losses[0]
