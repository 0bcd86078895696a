"""chainrule explain: the textbook derivation, checked against hand computation in plain floats."""
import json
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import explain, nn
from chainrule.cli import main


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def hand_textbook():
    """The textbook example computed by hand, in plain Python floats, independently of the engine."""
    x = [0.1, 0.2]
    w1 = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]  # w1[i][j]: from x_i to hidden j
    b1 = [0.1, 0.2, 0.3]
    w2, b2, y, lr = [0.1, 0.2, 0.3], 0.2, 1.0, 0.1
    z1 = [w1[0][j] * x[0] + w1[1][j] * x[1] + b1[j] for j in range(3)]
    h = [sigmoid(v) for v in z1]
    z2 = sum(w2[j] * h[j] for j in range(3)) + b2
    out = sigmoid(z2)
    loss = (y - out) ** 2
    d2 = -2 * (y - out) * out * (1 - out)
    d1 = [h[j] * (1 - h[j]) * w2[j] * d2 for j in range(3)]
    gw2 = [d2 * h[j] for j in range(3)]
    gw1 = [[d1[j] * x[i] for j in range(3)] for i in range(2)]
    gx = [sum(w1[i][j] * d1[j] for j in range(3)) for i in range(2)]
    return dict(z1=z1, h=h, z2=z2, out=out, loss=loss, d2=d2, d1=d1, gw2=gw2, gb2=d2, gw1=gw1, gb1=d1,
                gx=gx, new_w2=[w2[j] - lr * gw2[j] for j in range(3)],
                new_w1=[[w1[i][j] - lr * gw1[i][j] for j in range(3)] for i in range(2)])


@pytest.fixture(scope="module")
def textbook():
    return explain.derive(explain.textbook_example())


def test_textbook_numbers_match_hand_computation(textbook):
    hand = hand_textbook()
    hidden, output = textbook.layers
    assert np.allclose(hidden.z[0], hand["z1"]) and np.allclose(hidden.a[0], hand["h"])
    assert hidden.z[0].tolist() == pytest.approx([0.19, 0.32, 0.45])
    assert output.z[0, 0] == pytest.approx(hand["z2"]) and output.a[0, 0] == pytest.approx(hand["out"])
    assert textbook.loss == pytest.approx(hand["loss"], rel=1e-12)
    assert output.delta[0, 0] == pytest.approx(hand["d2"], rel=1e-12)
    assert np.allclose(hidden.delta[0], hand["d1"], rtol=1e-12)
    assert np.allclose(output.grad_weight[0], hand["gw2"], rtol=1e-12)
    assert output.grad_bias[0] == pytest.approx(hand["gb2"])
    assert np.allclose(hidden.grad_weight.T, hand["gw1"], rtol=1e-12)  # engine layout is (out, in)
    assert np.allclose(hidden.grad_bias, hand["gb1"], rtol=1e-12)
    assert np.allclose(textbook.grad_x[0], hand["gx"], rtol=1e-12)
    assert np.allclose(output.new_weight[0], hand["new_w2"], rtol=1e-12)
    assert np.allclose(hidden.new_weight.T, hand["new_w1"], rtol=1e-12)
    assert textbook.loss_after < textbook.loss


def test_textbook_text_shows_formulas_values_and_checks(textbook):
    hand = hand_textbook()
    text = textbook.text()
    for heading in ("1. Forward pass", "2. Loss", "3. Backward pass", "4. Gradient-descent update"):
        assert heading in text
    assert "z¹₁       w¹₁₁ · x₁ + w¹₂₁ · x₂ + b¹₁ = 0.1 · 0.1 + 0.4 · 0.2 + 0.1" in text
    assert f"{hand['loss']:.6g}" in text
    # ∂L/∂w11 = δ1 · x1 with the numbers it is made of, beside engine value and finite difference
    line = next(row for row in text.splitlines() if row.strip().startswith("∂L/∂w¹₁₁"))
    assert f"δ¹₁ · x₁ = ({hand['d1'][0]:.6g}) · 0.1" in line
    assert line.count(f"{hand['gw1'][0][0]:.6g}") == 2  # the engine column and the finite difference
    # the δ of the output is made of ∂L/∂ŷ and σ'(z)
    delta = next(row for row in text.splitlines() if row.strip().startswith("δ²₁"))
    assert f"{-2 * (1 - hand['out']):.6g}" in delta and f"{hand['out'] * (1 - hand['out']):.6g}" in delta
    # the update: old, gradient, new
    update = next(row for row in text.splitlines() if row.strip().startswith("w²₁₁ ") and "0.1 - 0.1" in row)
    assert f"{hand['new_w2'][0]:.6g}" in update


def test_finite_difference_columns_agree(textbook):
    assert textbook.max_fd_error() < 1e-8
    for layer in textbook.layers:
        assert np.allclose(layer.fd_weight, layer.grad_weight, atol=1e-8)
        assert np.allclose(layer.fd_bias, layer.grad_bias, atol=1e-8)
    # the column really is a finite difference, not a copy of the engine's value
    assert not np.array_equal(textbook.layers[0].fd_weight, textbook.layers[0].grad_weight)


def test_three_formats(textbook):
    markdown, latex = textbook.markdown(), textbook.latex()
    assert markdown.startswith("# Backpropagation") and "| quantity | formula | value |" in markdown
    assert r"\|difference\|" in markdown
    assert r"\begin{tabular}" in latex and r"\frac{\partial L}{\partial w^{(1)}_{11}}" in latex
    assert r"\delta^{(2)}_{1}" in latex
    assert all(ord(c) < 128 for c in latex), "LaTeX output must be plain ASCII"
    with pytest.raises(ValueError, match="unknown format"):
        textbook.render("html")


def test_batch_averages_loss_and_shows_per_sample_deltas():
    record = explain.derive(explain.batch_example())
    assert record.samples == 2
    assert record.loss == pytest.approx(record.sample_losses.mean())
    hidden, output = record.layers
    # per-sample δ, and the gradient is their mean times the activations
    assert np.allclose(output.grad_weight[0], (output.delta[:, 0:1] * hidden.a).mean(axis=0))
    assert record.max_fd_error() < 1e-8
    text = record.text()
    assert "sample" in text and "½Σₙ δ²₁ · a¹₁" in text and "L₂" in text


def test_softmax_cross_entropy_simplifies_delta():
    record = explain.derive(explain.softmax_example())
    output = record.layers[-1]
    assert np.allclose(output.delta, output.a - record.target, atol=1e-12)
    assert record.max_fd_error() < 1e-8
    text = record.text()
    assert "ŷⱼ - yⱼ" in text and "δ²₁       ŷ₁ - y₁ = " in text


def test_model_input_matches_json_input():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2), nn.ReLU())
    x, y = [[0.5, -1.0]], [[1.0, 0.0]]
    from_model = explain.derive(explain.network_from(model, x, y, loss="mse", lr=0.5))
    spec = {"sizes": [2, 3, 2], "activations": ["tanh", "relu"],
            "weights": [model[0].weight.data.T.tolist(), model[2].weight.data.T.tolist()],
            "biases": [model[0].bias.data.tolist(), model[2].bias.data.tolist()],
            "input": x, "target": y, "loss": "mse", "learning_rate": 0.5}
    from_json = explain.derive(explain.from_json(json.dumps(spec)))
    assert from_model.loss == pytest.approx(from_json.loss, rel=1e-6)
    assert np.allclose(from_model.layers[0].grad_weight, from_json.layers[0].grad_weight, rtol=1e-5)
    assert from_model.max_fd_error() < 1e-7
    with pytest.raises(ValueError, match="cannot derive layer 1"):
        explain.network_from(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)), x, y)


@pytest.mark.parametrize("spec, message", [
    ({"weights": [[[1.0, 2.0]]], "target": [1]}, "needs the key input"),
    ({"weights": [[[1.0], [2.0]]], "input": [1, 2, 3], "target": [1]}, "takes 2 values"),
    ({"weights": [[[1.0]]], "input": [1], "target": [1], "loss": "cross_entropy"}, "softmax"),
    ({"weights": [[[1.0]]], "input": [1], "target": [1], "sizes": [1, 2]}, "sizes"),
    ({"weights": [[[1.0]]], "input": [1], "target": [1], "activations": ["swish"]}, "activation"),
])
def test_bad_descriptions_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        explain.from_dict(spec)


def test_cli_default_is_the_textbook(capsys):
    assert main(["explain"]) == 0
    out = capsys.readouterr().out
    assert "2 -> 3 (sigmoid) -> 1 (sigmoid)" in out and f"{hand_textbook()['loss']:.6g}" in out


def test_cli_json_formats_and_errors(tmp_path, capsys):
    spec = tmp_path / "net.json"
    spec.write_text(json.dumps({"activations": ["sigmoid", "softmax"],
                                "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6], [0.7, 0.8]]],
                                "biases": [[0, 0], [0, 0]], "input": [1, 2], "target": 1,
                                "loss": "cross_entropy", "learning_rate": 0.5}))
    out_file = tmp_path / "d.tex"
    assert main(["explain", str(spec), "--format", "latex", "--out", str(out_file)]) == 0
    assert r"\hat{y}_{2} - y_{2}" in out_file.read_text()
    assert main(["explain", "--example", "batch", "--format", "markdown"]) == 0
    assert "| sample |" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["explain", str(bad)]) == 1
    assert main(["explain", str(tmp_path / "missing.json")]) == 1
    assert main(["explain", str(spec), "--example", "batch"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(errors) == 3 and all(line.startswith("chainrule explain: ") for line in errors)
    assert "not valid JSON" in errors[0] and "no JSON file" in errors[1]
