"""The examples a user would copy must run and do what they say."""
import pathlib
import runpy

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def test_xor_from_scratch_learns_xor(capsys):
    namespace = runpy.run_path(str(EXAMPLES / "xor_from_scratch.py"))
    assert namespace["loss"].item() < 0.01
    predictions = namespace["prediction"].numpy().ravel()
    assert list(predictions.round()) == [0.0, 1.0, 1.0, 0.0]


def test_custom_op_example_passes_gradcheck(capsys):
    runpy.run_path(str(EXAMPLES / "custom_op.py"))
    assert "gradcheck: True" in capsys.readouterr().out


def run_main(name, argv):
    """The ``main(argv)`` of examples/<name>.py, called as the command line would."""
    return runpy.run_path(str(EXAMPLES / name))["main"](argv)


def test_char_lstm_loss_falls_and_the_sample_uses_the_vocabulary(capsys):
    result = run_main("char_lstm.py", ["--steps", "40", "--hidden-size", "64", "--batch-size", "16",
                                       "--seq-len", "32", "--sample-length", "80", "--print-every", "10"])
    losses = result["losses"]
    assert len(losses) == 40 and 3.2 < result["unigram_entropy"] < 3.4
    assert sum(losses[-5:]) / 5 < min(sum(losses[:5]) / 5 - 0.5, result["unigram_entropy"])
    assert len(result["sample"]) == 80 and set(result["sample"]) <= set(result["vocab"])
    assert "unigram entropy" in capsys.readouterr().out


def test_sequence_classification_learns_balanced_brackets(capsys):
    result = run_main("sequence_classification.py", ["--train-size", "1000", "--test-size", "500",
                                                     "--epochs", "3", "--verbose", "0"])
    assert result["test_accuracy"] > 0.9
    assert "test accuracy" in capsys.readouterr().out


def test_keras_functional_two_input_model_learns(capsys):
    result = run_main("keras_functional.py", ["--epochs", "12", "--train-size", "800",
                                              "--verbose", "0"])
    assert result["test_accuracy"] > 0.85
    out = capsys.readouterr().out
    assert 'Model: "review_model"' in out and "test accuracy" in out


def test_transformer_learns_to_reverse_digit_sequences(capsys):
    result = run_main("transformer_copy_task.py", ["--steps", "200", "--print-every", "100"])
    losses = result["losses"]
    assert len(losses) == 200 and sum(losses[-10:]) / 10 < sum(losses[:10]) / 100
    assert result["digit_accuracy"] > 0.95
    assert "per sequence" in capsys.readouterr().out
