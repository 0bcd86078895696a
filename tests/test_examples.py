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
