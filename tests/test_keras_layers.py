"""Keras-style layers: lazy building, Keras's initializers, regularizers and activations by
name, BatchNormalization's rules, clear errors, and the logits path that keeps a final
softmax + cross-entropy finite."""
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import activations, initializers, layers, models, regularizers


def _array(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# --------------------------------------------------------------------------- Dense
def test_dense_builds_on_first_call_with_keras_layout():
    cr.manual_seed(0)
    layer = layers.Dense(5, activation="relu")
    assert not layer.built and list(layer.parameters()) == []
    x = _array((4, 3))
    y = layer(cr.tensor(x))
    assert layer.built and layer.build_input_shape == (None, 3)
    assert layer.kernel.shape == (3, 5) and layer.bias.shape == (5,)
    assert [name for name, _ in layer.named_parameters()] == ["kernel", "bias"]
    assert np.all(layer.bias.numpy() == 0)                      # bias_initializer='zeros'
    expected = np.maximum(x @ layer.kernel.numpy() + layer.bias.numpy(), 0)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert y.dtype == np.float32


def test_dense_on_three_axes_and_without_bias():
    layer = layers.Dense(4, use_bias=False)
    x = _array((2, 3, 6))
    y = layer(x)
    assert y.shape == (2, 3, 4) and layer.bias is None
    np.testing.assert_allclose(y.numpy(), x @ layer.kernel.numpy(), rtol=1e-5, atol=1e-6)
    assert [name for name, _ in layer.named_parameters()] == ["kernel"]


def test_dense_gradients_match_finite_differences():
    layer = layers.Dense(3, activation="tanh", dtype="float64")
    layer(np.zeros((1, 4)))
    x = cr.tensor(_array((5, 4), dtype=np.float64), requires_grad=True)
    kernel = cr.tensor(layer.kernel.numpy(), requires_grad=True)
    bias = cr.tensor(_array(3, seed=1, dtype=np.float64), requires_grad=True)

    def forward(x, kernel, bias):
        layer._parameters["kernel"], layer._parameters["bias"] = kernel, bias
        return layer(x)

    assert cr.gradcheck(forward, (x, kernel, bias))


def test_dense_rejects_a_wrong_width_after_building():
    layer = layers.Dense(512)
    layer(np.zeros((2, 784), np.float32))
    with pytest.raises(ValueError, match=r"Dense\(512\) expects inputs of width 784, got 700"):
        layer(np.zeros((2, 700), np.float32))


def test_dense_rejects_bad_units():
    for units in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="units must be a positive integer"):
            layers.Dense(units)


def test_integer_inputs_are_cast_to_the_layer_dtype():
    layer = layers.Dense(2)
    y = layer(cr.tensor(np.arange(6).reshape(2, 3)))
    assert y.dtype == np.float32


def test_layer_names_are_keras_style_and_unique():
    a, b = layers.Dense(2), layers.Dense(2)
    assert a.name.startswith("dense") and b.name.startswith("dense") and a.name != b.name
    assert layers.BatchNormalization().name.startswith("batch_normalization")
    assert layers.Dense(2, name="head").name == "head"


# --------------------------------------------------------------------------- activations
def _gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "linear": lambda x: x,
    "gelu": _gelu,
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),     # Keras's slope 0.2
    "softplus": lambda x: np.log1p(np.exp(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),             # Keras 3's, not Keras 2's 0.2x
    "hard_silu": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "hard_swish": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "log_sigmoid": lambda x: -np.log1p(np.exp(-x)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_names_compute_keras_functions(name):
    x = _array((3, 4), dtype=np.float64)
    expected = ACTIVATIONS[name](x)
    for layer in (layers.Activation(name), layers.Dense(4, activation=name, dtype="float64")):
        if isinstance(layer, layers.Dense):
            layer(x)
            layer.kernel.data[...] = np.eye(4)
            layer.bias.data[...] = 0
        np.testing.assert_allclose(layer(cr.tensor(x)).numpy(), expected, rtol=1e-6, atol=1e-7)


def test_activation_none_is_the_identity_and_callables_are_accepted():
    x = _array((2, 3))
    np.testing.assert_array_equal(layers.Activation(None)(x).numpy(), x)
    np.testing.assert_array_equal(layers.Activation(cr.relu)(x).numpy(), np.maximum(x, 0))
    assert activations.get(None) is activations.linear


@pytest.mark.parametrize("name, stored", [("relu6", "relu6"), ("hard_sigmoid", "hard_sigmoid"),
                                          ("hard_silu", "hard_silu"), ("hard_swish", "hard_silu"),
                                          ("mish", "mish"), ("log_sigmoid", "log_sigmoid"),
                                          ("selu", "selu"), ("swish", "silu"), ("softsign", "softsign")])
def test_activation_names_serialize_and_load_back(name, stored):
    assert activations.serialize(activations.get(name)) == stored
    layer = layers.Dense(3, activation=name)
    config = layer.get_config()
    assert config["activation"] == stored
    assert layers.Dense.from_config(config).activation is activations.get(name)


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="Unknown activation 'rleu'.*relu.*sigmoid.*softmax"):
        layers.Dense(3, activation="rleu")
    with pytest.raises(ValueError, match="Unknown activation"):
        layers.Activation("sofmax")


# --------------------------------------------------------------------------- initializers
VARIANCE_SCALING = {  # name -> (variance as a function of fan_in, fan_out; uniform?)
    "glorot_uniform": (lambda i, o: 2 / (i + o), True),
    "glorot_normal": (lambda i, o: 2 / (i + o), False),
    "he_uniform": (lambda i, o: 2 / i, True),
    "he_normal": (lambda i, o: 2 / i, False),
    "lecun_uniform": (lambda i, o: 1 / i, True),
    "lecun_normal": (lambda i, o: 1 / i, False),
}


@pytest.mark.parametrize("name", sorted(VARIANCE_SCALING))
def test_variance_scaling_initializers_have_keras_statistics(name):
    cr.manual_seed(1)
    fan_in, fan_out = 300, 200
    values = initializers.get(name)((fan_in, fan_out))
    assert values.shape == (fan_in, fan_out) and values.dtype == np.float32
    variance, uniform = VARIANCE_SCALING[name]
    std = math.sqrt(variance(fan_in, fan_out))
    assert abs(values.mean()) < 5 * std / math.sqrt(values.size)
    assert values.std() == pytest.approx(std, rel=0.02)
    if uniform:   # U(±√3 std): the bound is reached but never passed
        limit = math.sqrt(3) * std
        assert values.max() <= limit and values.min() >= -limit
        assert values.max() > 0.99 * limit
    else:         # truncated at two standard deviations of the untruncated normal
        bound = 2 * std / 0.87962566103423978
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.95 * bound


def test_simple_initializers_match_keras_defaults():
    cr.manual_seed(2)
    shape = (400, 250)
    assert np.all(initializers.get("zeros")(shape) == 0)
    assert np.all(initializers.get("ones")(shape) == 1)
    normal = initializers.get("random_normal")(shape)
    assert normal.std() == pytest.approx(0.05, rel=0.02) and abs(normal.mean()) < 0.001
    uniform = initializers.get("random_uniform")(shape)
    assert uniform.min() >= -0.05 and uniform.max() <= 0.05 and uniform.max() > 0.0499
    truncated = initializers.get("truncated_normal")(shape)
    assert np.abs(truncated).max() <= 0.1 and np.abs(truncated).max() > 0.099
    assert truncated.std() == pytest.approx(0.05 * 0.87962566, rel=0.02)


def test_initializers_follow_manual_seed_and_their_own_seed():
    cr.manual_seed(5)
    first = initializers.get("he_normal")((20, 30))
    cr.manual_seed(5)
    np.testing.assert_array_equal(first, initializers.get("he_normal")((20, 30)))
    seeded = initializers.GlorotUniform(seed=3)
    np.testing.assert_array_equal(seeded((4, 4)), seeded((4, 4)))


def test_fans_use_keras_kernel_layout():
    assert initializers.compute_fans((784, 512)) == (784, 512)
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((7,)) == (7, 7)


def test_dense_accepts_initializer_objects_and_functions():
    layer = layers.Dense(3, kernel_initializer=initializers.Constant(0.5),
                         bias_initializer=lambda shape, dtype=None: np.full(shape, 2.0))
    layer(np.zeros((1, 2)))
    assert np.all(layer.kernel.numpy() == 0.5) and np.all(layer.bias.numpy() == 2)
    assert layer.bias.dtype == np.float32


def test_unknown_initializer_lists_the_valid_names():
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'.*glorot_uniform.*he_normal"):
        layers.Dense(3, kernel_initializer="glorot")


# --------------------------------------------------------------------------- regularizers
def test_regularizer_penalties_and_keras_defaults():
    w = _array((4, 3), dtype=np.float64)
    assert regularizers.l1()(cr.tensor(w)).item() == pytest.approx(0.01 * np.abs(w).sum())
    assert regularizers.l2()(cr.tensor(w)).item() == pytest.approx(0.01 * (w ** 2).sum())
    both = regularizers.l1_l2()
    assert both.get_config() == {"l1": 0.01, "l2": 0.01}
    expected = 0.01 * np.abs(w).sum() + 0.01 * (w ** 2).sum()
    assert both(cr.tensor(w)).item() == pytest.approx(expected)
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.L2(0.5).get_config() == {"l2": 0.5}
    again = regularizers.get({"class_name": "L1", "config": {"l1": 0.3}})
    assert isinstance(again, regularizers.L1) and again.l1 == 0.3
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.l2(-1)


@pytest.mark.parametrize("regularizer", [regularizers.l1(0.3), regularizers.l2(0.7),
                                         regularizers.l1_l2(0.2, 0.4)], ids=["l1", "l2", "l1_l2"])
def test_regularizer_gradients(regularizer):
    w = cr.tensor(_array((3, 4), seed=3, dtype=np.float64) + 0.1, requires_grad=True)
    assert cr.gradcheck(regularizer, w)


def test_layer_regularization_loss_sums_its_penalties():
    layer = layers.Dense(3, kernel_regularizer=regularizers.l2(0.1), bias_regularizer="l1")
    assert layers.Dense(3).regularization_loss() is None
    layer(np.zeros((1, 4), np.float32))
    layer.bias.data[...] = [1, -2, 3]
    expected = 0.1 * (layer.kernel.numpy() ** 2).sum() + 0.01 * 6
    assert layer.regularization_loss().item() == pytest.approx(expected, rel=1e-6)


def test_fit_adds_the_penalty_to_the_loss():
    cr.manual_seed(0)
    x, y = cr.datasets.xor(n=64, seed=0)
    plain = models.Sequential([layers.Dense(4, activation="tanh", input_shape=(2,)),
                               layers.Dense(1, activation="sigmoid")])
    penalized = models.Sequential([layers.Dense(4, activation="tanh", input_shape=(2,),
                                                kernel_regularizer=regularizers.l2(0.5)),
                                   layers.Dense(1, activation="sigmoid")])
    penalized.set_weights(plain.get_weights())
    for model in (plain, penalized):
        model.compile("sgd", "binary_crossentropy")
    penalty = 0.5 * (penalized[0].kernel.numpy() ** 2).sum()
    assert penalized.evaluate(x, y, verbose=0) == pytest.approx(
        plain.evaluate(x, y, verbose=0) + penalty, rel=1e-5)


# --------------------------------------------------------------------------- BatchNormalization
def test_batch_normalization_training_step_follows_keras():
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = _array((16, 5), seed=4) * 3 + 1
    y = layer(x).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    # moving = moving · momentum + batch · (1 - momentum), with the biased batch variance
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    assert [n for n, _ in layer.named_parameters()] == ["gamma", "beta"]
    assert [n for n, _ in layer.named_buffers()] == ["moving_mean", "moving_variance"]


def test_batch_normalization_eval_uses_moving_statistics():
    layer = layers.BatchNormalization()
    x = _array((8, 3), seed=5)
    layer(x)
    layer.eval()
    moving_mean, moving_var = layer.moving_mean.numpy().copy(), layer.moving_variance.numpy().copy()
    layer.gamma.data[...] = 2.0
    layer.beta.data[...] = -1.0
    y = layer(x).numpy()
    np.testing.assert_allclose(y, 2 * (x - moving_mean) / np.sqrt(moving_var + 1e-3) - 1,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), moving_mean)   # not updated


@pytest.mark.parametrize("axis, shape", [(-1, (4, 3, 2, 5)), (1, (4, 5, 3, 2)), (2, (4, 3, 5, 2))])
def test_batch_normalization_axis(axis, shape):
    layer = layers.BatchNormalization(axis=axis, center=False, scale=False)
    x = _array(shape, seed=6)
    y = layer(x).numpy()
    reduce = tuple(i for i in range(len(shape)) if i != axis % len(shape))
    expected = (x - x.mean(reduce, keepdims=True)) / np.sqrt(x.var(reduce, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)
    assert layer.moving_mean.shape == (5,) and list(layer.parameters()) == []


def test_batch_normalization_gradients_channels_last():
    layer = layers.BatchNormalization(dtype="float64")
    x = cr.tensor(_array((3, 2, 4), seed=7, dtype=np.float64), requires_grad=True)
    assert cr.gradcheck(lambda x: layer(x) * cr.tensor(np.arange(24.0).reshape(3, 2, 4)), x)


def test_batch_normalization_rejects_a_different_feature_count():
    layer = layers.BatchNormalization()
    layer(np.zeros((4, 6), np.float32))
    with pytest.raises(ValueError, match="6 features on axis -1, got input of shape"):
        layer(np.zeros((4, 7), np.float32))


# --------------------------------------------------------------------------- Dropout, Flatten
def test_dropout_scales_in_training_and_passes_through_in_eval():
    cr.manual_seed(0)
    layer = layers.Dropout(0.25)
    y = layer(np.ones((200, 100), np.float32)).numpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert (y == 0).mean() == pytest.approx(0.25, abs=0.01)
    layer.eval()
    np.testing.assert_array_equal(layer(np.ones((3, 3), np.float32)).numpy(), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"rate must be a number in \[0, 1\)"):
        layers.Dropout(1.0)


def test_flatten_keeps_the_batch_axis():
    assert layers.Flatten()(np.zeros((2, 3, 4), np.float32)).shape == (2, 12)
    assert layers.Flatten()(np.zeros((5,), np.float32)).shape == (5, 1)


def test_input_marker():
    marker = cr.Input(shape=(784,))
    assert marker.shape == (None, 784) and layers.Input is cr.Input
    assert layers.InputLayer(input_shape=(3, 4)).shape == (None, 3, 4)
    with pytest.raises(ValueError, match="shape"):
        layers.Input()


# --------------------------------------------------------------------------- logits path
def test_split_activation_gives_the_pre_activation():
    layer = layers.Dense(3, activation="softmax")
    x = _array((2, 4))
    layer(x)
    head, name = layer.split_activation()
    assert name == "softmax"
    np.testing.assert_allclose(head(cr.tensor(x)).numpy(),
                               x @ layer.kernel.numpy() + layer.bias.numpy(), rtol=1e-6)
    assert layers.Dense(2, activation="relu").split_activation()[1] == "relu"
    head, name = layers.Activation("sigmoid").split_activation()
    assert name == "sigmoid" and head(cr.tensor(x)) is not None


@pytest.mark.parametrize("final", ["dense", "activation"])
def test_softmax_cross_entropy_is_computed_from_logits(final):
    """Logits of size 1e4: softmax alone gives probabilities of exactly 0 and 1, so only the
    fused path (as Keras) finds the true loss, and the step it takes stays finite."""
    cr.manual_seed(0)
    if final == "dense":
        model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(2,))])
    else:
        model = models.Sequential([layers.Dense(3, input_shape=(2,)), layers.Activation("softmax")])
    dense = model[0]
    dense.kernel.data[...] = [[1e4, 0, -1e4], [0, 1e4, 0]]
    x = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    y = np.array([2, 0])
    logits = x @ dense.kernel.numpy()
    expected = np.mean([np.log(np.exp(row - row.max()).sum()) + row.max() - row[label]
                        for row, label in zip(logits.astype(np.float64), y)])
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)   # ≈ 1.5e4
    one_hot = cr.utils.to_categorical(y, 3)
    model.compile("sgd", "categorical_crossentropy")
    assert model.evaluate(x, one_hot, verbose=0) == pytest.approx(expected, rel=1e-5)
    history = model.fit(x, one_hot, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert np.all(np.isfinite(dense.kernel.numpy()))


def test_sigmoid_binary_cross_entropy_is_computed_from_logits():
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(1,))])
    model[0].kernel.data[...] = 1e4
    model.compile("sgd", "binary_crossentropy")
    loss = model.evaluate(np.array([[1.0]], np.float32), np.array([[0.0]], np.float32), verbose=0)
    assert loss == pytest.approx(1e4, rel=1e-5)     # clipped probabilities would give ≈ 16.1


# --------------------------------------------------------------------------- Rescaling
def test_rescaling_scales_shifts_and_passes_gradients():
    layer = layers.Rescaling(1 / 0.3081, offset=-0.1307 / 0.3081)
    x = np.array([[0.0, 0.1307, 1.0]], dtype=np.float32)
    out = layer(cr.tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), (x - 0.1307) / 0.3081, rtol=1e-6, atol=1e-6)
    assert cr.gradcheck(lambda t: layers.Rescaling(2.5, offset=-1.0)(t),
                        (cr.randn(3, 4, dtype="float64", requires_grad=True),))


def test_rescaling_round_trips_through_its_config_and_rejects_non_numbers():
    layer = layers.Rescaling(1 / 255, name="pixels")
    again = layers.Rescaling.from_config(layer.get_config())
    assert (again.scale, again.offset, again.name) == (1 / 255, 0.0, "pixels")
    with pytest.raises(TypeError, match="Rescaling: scale must be a number"):
        layers.Rescaling("1/255")
