"""GradientMonitor: per-layer gradient health, warnings for vanishing and exploding gradients."""
import importlib.util
import os
import pathlib
import warnings

import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.cli import main
from chainrule.train import Callback, GradientMonitor, recipes

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "vanishing_gradients.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("vanishing_gradients", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def digits():
    return recipes.load_dataset("digits")


MNIST_DIR = pathlib.Path(os.environ.get("CHAINRULE_DATA")
                         or pathlib.Path(__file__).resolve().parents[2] / "shared" / "data") / "mnist"


@pytest.fixture(scope="module")
def mnist_subset():
    """3,000 MNIST training images (94 steps at batch 32) and 1,000 test images."""
    if not MNIST_DIR.is_dir():
        pytest.skip(f"the MNIST files are not at {MNIST_DIR} (set CHAINRULE_DATA)")
    (x_train, y_train), (x_test, y_test) = cr.datasets.mnist.load_data(path=str(MNIST_DIR), download=False)
    return recipes.Prepared(
        "mnist", (x_train[:3000].reshape(3000, -1) / 255).astype("float32"), y_train[:3000].astype("int64"),
        (x_test[:1000].reshape(1000, -1) / 255).astype("float32"), y_test[:1000].astype("int64"), 10)


def test_deep_sigmoid_mlp_vanishes_and_relu_he_batchnorm_does_not(example, mnist_subset):
    sigmoid, sigmoid_accuracy = example.train(example.sigmoid_mlp, mnist_subset, epochs=1)  # 94 steps
    healthy, healthy_accuracy = example.train(example.relu_he_batchnorm_mlp, mnist_subset, epochs=1)
    assert len(sigmoid.messages) == 1 and sigmoid.messages[0].startswith("Vanishing gradients at step 0")
    assert "layer '0'" in sigmoid.messages[0] and "batch normalization" in sigmoid.messages[0]
    first, last = sigmoid.layers[0][0], sigmoid.layers[-1][0]
    assert sigmoid.grad_norms[first][-1] < 1e-6 * sigmoid.grad_norms[last][-1]
    assert healthy.messages == []
    ratios = [healthy.grad_norms[name][-1] for name, _ in healthy.layers]
    assert min(ratios) > 0.05 * max(ratios)
    assert healthy_accuracy > 0.5 > 0.2 > sigmoid_accuracy  # one learns in 94 steps, one cannot
    assert "Vanishing" in sigmoid.report() and "No vanishing" in healthy.report()
    assert len(sigmoid.recorded_steps) == 10 and sigmoid.recorded_steps[:2] == [0, 10]


def test_hand_written_loop_records_norms_ratios_and_activations(tmp_path):
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3),
                          nn.Sigmoid())
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    monitor = GradientMonitor(every=2, verbose=False).attach(model)
    x, y = cr.randn(16, 4), cr.rand(16, 3)
    for _ in range(5):
        loss = ((model(x) - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        expected = float((model[2].weight.grad.data.astype("float64") ** 2).sum() ** 0.5)
        monitor.step()
        optimizer.step()
    assert monitor.recorded_steps == [0, 2, 4]
    assert monitor.grad_norms["2"][-1] == pytest.approx(expected)
    assert len(monitor.update_ratios["0"]) == 2  # the last step's update is not seen yet
    assert all(0 < r < 1 for r in monitor.update_ratios["0"])
    kinds = {stats["kind"] for stats in monitor.activation_stats.values()}
    assert kinds == {"relu", "tanh", "sigmoid"}
    assert len(monitor.activation_stats["1"]["values"]) == 3
    png = monitor.plot(tmp_path / "flow.png")
    assert open(png, "rb").read(4) == b"\x89PNG"


def test_dead_relus_and_saturated_sigmoids_are_counted():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2), nn.Sigmoid())
    model[0].bias.data[:4] = -100.0   # half of the ReLUs can never fire
    model[2].bias.data[:] = 50.0      # the sigmoid outputs are pinned at 1
    monitor = GradientMonitor(every=1, verbose=False).attach(model)
    loss = model(cr.randn(10, 4)).sum()
    loss.backward()
    monitor.step()
    assert monitor.activation_stats["1"]["values"] == [(0, 0.5)]
    assert monitor.activation_stats["3"]["values"] == [(0, 1.0)]


def test_exploding_gradients_warn_once_with_remedies():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))
    monitor = GradientMonitor(every=1, explode_norm=10.0).attach(model)
    with pytest.warns(RuntimeWarning, match="Exploding gradients at step 0"):
        (model(cr.ones(2, 3) * 1e4) ** 2).sum().backward()
        monitor.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second time: stored, not repeated
        model.zero_grad()
        (model(cr.ones(2, 3) * 1e4) ** 2).sum().backward()
        monitor.step()
    assert len(monitor.messages) == 1 and "clip" in monitor.messages[0]
    assert "learning rate" in monitor.messages[0]


def test_after_backward_hook_runs_between_backward_and_step(digits):
    seen = []

    class Probe(Callback):
        def on_after_backward(self, batch, logs=None):
            seen.append((batch, self.model[0].weight.grad is not None))

    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 10), nn.Softmax(dim=-1))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(digits.x_train[:64], digits.y_train[:64], batch_size=32, epochs=1,
              callbacks=[Probe()], verbose=0)
    assert seen == [(0, True), (1, True)]


def test_errors():
    with pytest.raises(ValueError, match="every"):
        GradientMonitor(every=0)
    with pytest.raises(ValueError, match="no layer with a weight matrix"):
        GradientMonitor().attach(nn.Sequential(nn.ReLU()))
    with pytest.raises(RuntimeError, match="attach"):
        GradientMonitor().step()


def test_cli_train_monitor(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--epochs", "1", "--quiet", "--monitor", "--out", str(out)]) == 0
    assert (out / "gradient_flow.png").read_bytes().startswith(b"\x89PNG")
    assert "Gradient health" in (out / "gradient_report.txt").read_text()
