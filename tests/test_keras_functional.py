"""Keras's functional API and model subclassing: Input as a symbolic tensor, layer calls that
record a graph, models.Model over it (branches, merges, shared layers), the merge layers,
subclassed models, summary, saving, and the errors."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import layers, models


def _rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------- symbolic tensors
def test_input_is_a_symbolic_tensor_and_layer_calls_compute_shapes():
    inputs = layers.Input(shape=(None,), dtype="int32", name="tokens")
    assert inputs.shape == (None, None) and inputs.dtype == np.int32
    x = layers.Embedding(50, 6)(inputs)
    assert isinstance(x, layers.KerasTensor) and x.shape == (None, None, 6)
    seq, h, c = layers.LSTM(5, return_sequences=True, return_state=True)(x)
    assert seq.shape == (None, None, 5) and h.shape == (None, 5) and c.shape == (None, 5)
    assert x.dtype == np.float32 and x.node.inputs is inputs


def test_keras_names_reach_the_model_class():
    assert cr.Model is models.Model and issubclass(models.Model, layers.Layer)
    assert cr.Input is layers.Input and cr.layers.concatenate is layers.concatenate


def test_input_still_works_first_in_a_sequential():
    model = models.Sequential([layers.Input((3,)), layers.Dense(2)])
    assert model[0].kernel.shape == (3, 2)


# --------------------------------------------------------------------------- merge layers
MERGES = [
    (layers.Add, lambda a, b: a + b),
    (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b: a * b),
    (layers.Average, lambda a, b: (a + b) / 2),
    (layers.Maximum, np.maximum),
    (layers.Minimum, np.minimum),
    (layers.Concatenate, lambda a, b: np.concatenate([a, b], axis=-1)),
]


@pytest.mark.parametrize("cls, expected", MERGES, ids=lambda v: getattr(v, "__name__", ""))
def test_merge_layer_matches_numpy(cls, expected):
    a, b = _rng(0).standard_normal((4, 3)), _rng(1).standard_normal((4, 3))
    result = cls()([cr.tensor(a), cr.tensor(b)])
    np.testing.assert_allclose(result.numpy(), expected(a, b), rtol=1e-12)
    functional = getattr(layers, cls.__name__.lower())([cr.tensor(a), cr.tensor(b)])
    np.testing.assert_allclose(functional.numpy(), expected(a, b), rtol=1e-12)


def test_elementwise_merges_take_three_inputs_and_broadcast():
    a, b, c = (_rng(i).standard_normal((2, 3)) for i in range(3))
    np.testing.assert_allclose(layers.add([a, b, c]).numpy(), (a + b + c).astype(np.float32),
                               rtol=1e-6)
    np.testing.assert_allclose(layers.maximum([a, b, c]).numpy(),
                               np.maximum(np.maximum(a, b), c).astype(np.float32))
    np.testing.assert_allclose(layers.average([a, b, c]).numpy(), ((a + b + c) / 3), rtol=1e-6)
    row = _rng(3).standard_normal((2, 1))
    np.testing.assert_allclose(layers.multiply([a, row]).numpy(), a * row, rtol=1e-6)


def test_concatenate_on_an_inner_axis():
    a, b = _rng(0).standard_normal((2, 3, 4)), _rng(1).standard_normal((2, 5, 4))
    out = layers.Concatenate(axis=1)([cr.tensor(a), cr.tensor(b)])
    np.testing.assert_array_equal(out.numpy(), np.concatenate([a, b], axis=1))


def test_dot_of_vectors_and_batched_matrices_and_cosine():
    a, b = _rng(0).standard_normal((4, 3)), _rng(1).standard_normal((4, 3))
    out = layers.Dot(axes=1)([cr.tensor(a), cr.tensor(b)])
    np.testing.assert_allclose(out.numpy(), (a * b).sum(1, keepdims=True), rtol=1e-12)
    cosine = layers.dot([cr.tensor(a), cr.tensor(b)], axes=1, normalize=True).numpy()
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(cosine[:, 0], (a * b).sum(1) / norms, rtol=1e-12)
    x, y = _rng(2).standard_normal((2, 3, 4)), _rng(3).standard_normal((2, 5, 4))
    out = layers.Dot(axes=(2, 2))([cr.tensor(x), cr.tensor(y)])
    np.testing.assert_allclose(out.numpy(), np.einsum("nik,njk->nij", x, y), rtol=1e-12)
    out = layers.Dot(axes=(1, 1))([cr.tensor(x), cr.tensor(_rng(4).standard_normal((2, 3)))])
    np.testing.assert_allclose(
        out.numpy(), np.einsum("nkj,nk->nj", x, _rng(4).standard_normal((2, 3))), rtol=1e-12)


@pytest.mark.parametrize("merge", [layers.Maximum(), layers.Average(), layers.Concatenate(1),
                                   layers.Dot(axes=(2, 1), normalize=True)],
                         ids=["maximum", "average", "concatenate", "dot"])
def test_merge_layer_gradients_pass_gradcheck(merge):
    a = cr.tensor(_rng(0).standard_normal((2, 3, 3)), requires_grad=True)
    b = cr.tensor(_rng(1).standard_normal((2, 3, 3)), requires_grad=True)
    assert cr.gradcheck(lambda a, b: merge([a, b]), (a, b))


def test_merge_layers_name_the_layer_and_shapes_on_a_mismatch():
    a, b = layers.Input((3,)), layers.Input((4,))
    with pytest.raises(ValueError, match=r"Add 'bad_add'.*\(None, 3\).*\(None, 4\)"):
        layers.Add(name="bad_add")([a, b])
    with pytest.raises(ValueError, match=r"Concatenate .*\(2, 3, 4\).*\(2, 5, 3\).*axis -1"):
        layers.concatenate([np.zeros((2, 3, 4)), np.zeros((2, 5, 3))])
    with pytest.raises(ValueError, match=r"Dot .*\(2, 3\) and \(2, 4\)"):
        layers.Dot(axes=1)([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match="Subtract .*exactly 2 inputs, got 3"):
        layers.subtract([a, a, a])
    with pytest.raises(TypeError, match="called on a list of tensors"):
        layers.Add()(np.zeros((2, 3)))


# --------------------------------------------------------------------------- functional models
def _two_input_data(n=384, steps=8, vocab=12, seed=0):
    """Label 1 when token 1 appears in the text and the first number is positive."""
    rng = _rng(seed)
    text = rng.integers(2, vocab, (n, steps))
    has_token = rng.random(n) < 0.5
    text[has_token, rng.integers(0, steps, has_token.sum())] = 1
    numbers = rng.standard_normal((n, 3)).astype(np.float32)
    labels = (has_token & (numbers[:, 0] > 0)).astype(np.float32)
    return text, numbers, labels


def _two_input_model(vocab=12):
    """Inputs given as a dict: an Embedding + LSTM branch and a Dense branch, concatenated."""
    inputs = {"text": layers.Input(shape=(None,), dtype="int64", name="text"),
              "numbers": layers.Input(shape=(3,), name="numbers")}
    branches = [layers.LSTM(16)(layers.Embedding(vocab, 8)(inputs["text"])),
                layers.Dense(8, activation="relu")(inputs["numbers"])]
    hidden = layers.Dense(16, activation="relu")(layers.concatenate(branches))
    return models.Model(inputs=inputs, name="two_inputs",
                        outputs=layers.Dense(1, activation="sigmoid", name="label")(hidden))


def test_two_input_model_learns_and_reloads_with_equal_predictions(tmp_path):
    cr.manual_seed(0)
    text, numbers, labels = _two_input_data()
    model = _two_input_model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit([text, numbers], labels, epochs=25, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate({"text": text, "numbers": numbers}, labels, verbose=0)
    assert accuracy > 0.9, (loss, accuracy)
    path = tmp_path / "two_inputs.safetensors"
    model.save(path)
    again = models.load_model(path)
    assert isinstance(again, models.Model) and again.name == "two_inputs"
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(again.predict([text, numbers], verbose=0),
                                  model.predict([text, numbers], verbose=0))
    assert again.evaluate([text, numbers], labels, verbose=0)[1] == accuracy


def test_residual_block_with_add_computes_dense_plus_input():
    inputs = layers.Input(shape=(4,))
    dense = layers.Dense(4)
    outputs = layers.Add()([dense(inputs), inputs])
    model = models.Model(inputs, outputs)
    x = _rng(0).standard_normal((5, 4)).astype(np.float32)
    expected = x @ dense.kernel.numpy() + dense.bias.numpy() + x
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5)
    residual = (layers.Input((4,)) + layers.Input((4,)))   # x + y on symbolic tensors adds
    assert isinstance(residual.node.layer, layers.Add)


def test_shared_layer_called_twice_shares_weights_and_sums_gradients():
    a, b = layers.Input((3,), name="left"), layers.Input((3,), name="right")
    shared = layers.Dense(2, name="shared")
    model = models.Model([a, b], layers.add([shared(a), shared(b)]))
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["shared.kernel", "shared.bias"]
    xa, xb = _rng(0).standard_normal((4, 3)), _rng(1).standard_normal((4, 3))
    model([xa, xb]).sum().backward()
    # d/dW sum(xa W + b + xb W + b) = (xa + xb) summed over rows; the bias gets 2 per row
    np.testing.assert_allclose(shared.kernel.grad.numpy(),
                               np.tile((xa + xb).sum(0)[:, None], (1, 2)), rtol=1e-5)
    np.testing.assert_allclose(shared.bias.grad.numpy(), [8.0, 8.0])


def test_branches_merge_and_a_model_nests_as_a_layer():
    inputs = layers.Input((6,))
    left = layers.Dense(4, activation="relu")(inputs)
    right = layers.Dense(4, activation="tanh")(inputs)
    inner = models.Model(inputs, layers.multiply([left, right]), name="inner")
    outer_input = layers.Input((6,))
    outer = models.Model(outer_input, layers.Dense(1)(inner(outer_input)))
    x = _rng(0).standard_normal((3, 6)).astype(np.float32)
    np.testing.assert_allclose(outer(x).numpy(),
                               outer.layers[-1](inner(x)).numpy(), rtol=1e-6)
    assert outer.get_layer("inner") is inner
    assert len(list(outer.parameters())) == 6


def test_get_layer_get_weights_and_set_weights():
    model = _two_input_model()
    assert model.get_layer("label").units == 1 and model.get_layer(index=0).name == "text"
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        model.get_layer("nope")
    weights = model.get_weights()
    copy = _two_input_model()
    copy.set_weights(weights)
    text, numbers, _ = _two_input_data(n=8)
    np.testing.assert_array_equal(copy.predict([text, numbers], verbose=0),
                                  model.predict([text, numbers], verbose=0))


def test_summary_lists_inputs_shapes_params_and_connections():
    text = _two_input_model().summary(return_string=True)
    lines = text.splitlines()
    assert lines[0] == 'Model: "two_inputs"'
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Connected",
                                "to"]
    rows = {line.split()[0]: line.split() for line in lines[4:12]}
    assert rows["text"][1:] == ["(InputLayer)", "(None,", "None)", "0", "-"]
    lstm = next(row for name, row in rows.items() if name.startswith("lstm"))
    # LSTM(16) on 8 features: 4 * 16 * (8 + 16 + 1) weights
    assert lstm[2:5] == ["(None,", "16)", "1,600"] and lstm[5].startswith("embedding")
    concat = next(row for name, row in rows.items() if name.startswith("concatenate"))
    assert concat[2:4] == ["(None,", "24)"] and concat[-2].startswith("lstm")
    assert rows["label"][1:] == ["(Dense)", "(None,", "1)", "17", rows["label"][-1]]
    assert rows["label"][-1].startswith("dense") and rows["label"][-1].endswith("[0][0]")
    assert "Total params: 2," in text


def test_model_errors_say_what_is_wrong():
    model = _two_input_model()
    with pytest.raises(ValueError, match=r"expects 2 input\(s\) \(text, numbers\), got 1"):
        model([np.zeros((2, 8), dtype=np.int64)])
    with pytest.raises(ValueError, match=r"missing input\(s\) \['numbers'\]"):
        model({"text": np.zeros((2, 8), dtype=np.int64)})
    with pytest.raises(ValueError, match=r"input 'numbers' expects shape \(None, 3\), got "
                                         r"\(2, 4\)"):
        model([np.zeros((2, 8), dtype=np.int64), np.zeros((2, 4))])
    a, b = layers.Input((3,), name="a_in"), layers.Input((3,), name="b_in")
    with pytest.raises(ValueError, match="not connected to the inputs.*'b_in'"):
        models.Model(a, layers.add([a, b]))
    with pytest.raises(ValueError, match="inputs must be Input tensors"):
        models.Model(layers.Dense(2)(a), a)


def test_symbolic_calls_leave_training_mode_and_draw_no_data():
    inputs = layers.Input((4,))
    dropout = layers.Dropout(0.5)
    out = dropout(layers.BatchNormalization()(inputs))
    model = models.Model(inputs, out)
    assert model.training and dropout.training
    bn = model.layers[1]
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(4))


# --------------------------------------------------------------------------- subclassing
class XorModel(models.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(16, activation="tanh")
        self.dropout = layers.Dropout(0.5)
        self.out = layers.Dense(1, activation="sigmoid")
        self.seen_training = []

    def call(self, inputs, training=None):
        self.seen_training.append(training)
        return self.out(self.dropout(self.hidden(inputs), training=training and False))


def test_subclassed_model_tracks_layers_learns_xor_and_passes_training():
    cr.manual_seed(0)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 16, dtype=np.float32)
    y = np.array([0, 1, 1, 0] * 16, dtype=np.float32)
    model = XorModel()
    assert model.name.startswith("xor_model") and not model.built
    model.compile(optimizer=cr.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=60, batch_size=16, verbose=0)
    assert list(model.state_dict()) == ["hidden.kernel", "hidden.bias", "out.kernel", "out.bias"]
    assert True in model.seen_training
    model.seen_training.clear()
    predictions = model.predict(x[:4], verbose=0)
    assert model.seen_training == [False]
    np.testing.assert_array_equal(predictions.round().ravel(), [0, 1, 1, 0])
    model(x[:4], training=True)
    assert model.seen_training[-1] is True and model.training   # the mode came back


def test_subclassed_model_builds_from_build_and_takes_a_list_of_inputs():
    class Pair(models.Model):
        def __init__(self):
            super().__init__(name="pair")
            self.a, self.b = layers.Dense(3), layers.Dense(3)

        def call(self, inputs):
            return layers.concatenate([self.a(inputs[0]), self.b(inputs[1])])

    model = Pair()
    out = model([np.ones((2, 4)), np.ones((2, 5))])
    assert out.shape == (2, 6) and model.built and model.a.kernel.shape == (4, 3)
    model.compile("sgd", "mse")
    history = model.fit([np.ones((8, 4)), np.ones((8, 5))], np.zeros((8, 6)), epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]

    class Single(models.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    single = Single()
    single.build((None, 7))
    assert single.dense.kernel.shape == (7, 2) and single.count_params() == 16


def test_subclassed_model_without_call_or_a_file_format_says_so(tmp_path):
    class NoCall(models.Model):
        pass

    with pytest.raises(NotImplementedError, match="defines call"):
        NoCall()(np.zeros((1, 2)))
    model = XorModel()
    model(np.zeros((1, 2)))
    with pytest.raises(models.UndescribableModelError, match="XorModel"):
        model.save(tmp_path / "x.safetensors")


def test_several_outputs_predict_as_a_list_and_training_them_says_it_is_unsupported():
    inputs = layers.Input((3,))
    hidden = layers.Dense(4)(inputs)
    model = models.Model(inputs, [layers.Dense(1)(hidden), layers.Dense(2)(hidden)])
    x = _rng(0).standard_normal((70, 3)).astype(np.float32)
    first, second = model.predict(x, batch_size=32, verbose=0)
    assert first.shape == (70, 1) and second.shape == (70, 2)
    np.testing.assert_allclose(second, model(x)[1].numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="several outputs.*2 output"):
        model.compile("adam", ["mse", "mse"])
