"""The command's ready-made models: LeNet-5 builds, trains, saves and refuses images too small."""
import os
import pathlib

import numpy as np
import pytest

import chainrule as cr
from chainrule import models
from chainrule.cli import main
from chainrule.train import recipes

_DEFAULT_DATA = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DATA_ROOT = pathlib.Path(os.environ.get("CHAINRULE_DATA") or _DEFAULT_DATA)


def test_lenet_has_lecun_s_layers_and_gives_class_probabilities():
    model = recipes.build_model("lenet", 784, 10)
    sizes = [tuple(p.shape) for p in model.parameters()]
    assert sizes == [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120),
                     (84,), (10, 84), (10,)]
    probabilities = model(cr.rand(3, 784)).numpy()
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("features, message", [(64, "at least 12x12; these are 8x8"),
                                               (700, "needs square images")])
def test_lenet_refuses_images_it_cannot_take(features, message):
    with pytest.raises(ValueError, match=message):
        recipes.build_model("lenet", features, 10)


def test_lenet_on_the_digits_is_one_clear_line(capsys):
    assert main(["train", "--model", "lenet", "--quiet", "--out", "/nonexistent"]) != 0
    assert "at least 12x12" in capsys.readouterr().err


def test_training_defaults_depend_on_the_model():
    assert recipes.training_defaults("mlp") == {"epochs": 20, "batch_size": 32, "lr_decay": 1.0}
    assert recipes.training_defaults("lenet") == {"epochs": 10, "batch_size": 32, "lr_decay": 0.75}


def test_a_saved_lenet_loads_with_the_same_predictions(tmp_path):
    model = recipes.build_model("lenet", 784, 10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    model.save(tmp_path / "lenet.safetensors")
    again = models.load_model(tmp_path / "lenet.safetensors")
    assert repr(again) == repr(model)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


@pytest.mark.skipif(not (DATA_ROOT / "mnist").is_dir(),
                    reason=f"the MNIST files are not at {DATA_ROOT}/mnist (set CHAINRULE_DATA)")
def test_lenet_learns_mnist_from_a_few_thousand_images(monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(DATA_ROOT))
    data = recipes.load_dataset("mnist")
    cr.manual_seed(0)
    model = recipes.build_model("lenet", data.features, data.classes)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.x_train[:4000], data.y_train[:4000], batch_size=64, epochs=2, verbose=0)
    _, accuracy = model.evaluate(data.x_test[:2000], data.y_test[:2000], verbose=0)
    assert accuracy > 0.8   # 126 steps; chance is 0.1 (10 epochs on all of MNIST: >= 0.99)
