"""The chainrule command: trains offline, leaves its files behind, and fails in one clear line."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from chainrule.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(["train", "--epochs", "8", "--quiet", "--out", str(out)])
    assert code == 0
    return out


def test_train_defaults_to_digits_and_reaches_high_accuracy(trained):
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["dataset"] == "digits" and metrics["model"] == "mlp"
    assert metrics["test_accuracy"] >= 0.95, metrics
    assert metrics["epochs"] == 8


def test_train_leaves_model_history_and_curves(trained):
    history = (trained / "history.csv").read_text().splitlines()
    assert history[0].split(",")[:2] == ["epoch", "loss"]
    assert "val_accuracy" in history[0] and len(history) == 9
    png = (trained / "learning_curves.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    assert (trained / "model.safetensors").stat().st_size > 1000


def test_evaluate_reports_the_saved_model(trained, capsys):
    assert main(["evaluate", str(trained / "model.safetensors"), "--dataset", "digits"]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.rsplit("accuracy", 1)[1])
    assert accuracy >= 0.95, out


def test_predict_from_npy(trained, tmp_path, capsys):
    import chainrule as cr

    x, y = cr.datasets.digits.load_data()
    rows = (x[:5].reshape(5, -1) / 16.0).astype(np.float32)
    np.save(tmp_path / "rows.npy", rows)
    assert main(["predict", str(trained / "model.safetensors"), str(tmp_path / "rows.npy")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    predicted = [int(line.split("class ")[1].split()[0]) for line in lines]
    assert sum(p == t for p, t in zip(predicted, y[:5])) >= 4, (predicted, y[:5])


def test_predict_from_image(trained, tmp_path, capsys):
    image = pytest.importorskip("PIL.Image", reason="Pillow reads image files")
    import chainrule as cr

    x, y = cr.datasets.digits.load_data()
    picture = image.fromarray((x[0] * 15).astype(np.uint8)).resize((32, 32))
    picture.save(tmp_path / "digit.png")
    assert main(["predict", str(trained / "model.safetensors"), str(tmp_path / "digit.png")]) == 0
    assert "class" in capsys.readouterr().out


def _run(*args):
    env = dict(os.environ)
    env.pop("CHAINRULE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True,
                          text=True, env=env)


@pytest.mark.parametrize("args, expected", [
    (["train", "--dataset", "nope"], "invalid choice"),
    (["train", "--epochs", "0"], "positive integer"),
    (["evaluate", "/no/such/model.safetensors"], "no model file"),
    (["predict", "/no/such/model.safetensors", "x.npy"], "no model file"),
])
def test_mistakes_end_in_one_clear_line(args, expected):
    result = _run(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


def test_corrupt_model_file_is_one_clear_line(tmp_path):
    bad = tmp_path / "model.safetensors"
    bad.write_bytes(b"not a model")
    result = _run("evaluate", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr


def test_version():
    result = _run("--version")
    assert result.returncode == 0 and result.stdout.startswith("chainrule ")
