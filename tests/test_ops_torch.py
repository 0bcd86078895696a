"""Every registered op agrees with PyTorch: forward values, dtypes, shapes, and gradients.

The gradients are those of a random projection of the outputs, sum(out * w), so each
compares the whole vector-Jacobian product.  Values are float64 and must agree to a
relative 1e-10; a float32 run checks that dtypes follow PyTorch's rules.
"""
import zlib

import numpy as np
import pytest

import chainrule as cr
from op_registry import all_samples, make_arrays, outputs_of

# kl_div with reduction='mean' warns, in both libraries, that 'batchmean' is the true KL divergence
pytestmark = pytest.mark.filterwarnings("ignore:.*'mean' divides:UserWarning",
                                        "ignore:reduction. 'mean' divides:UserWarning")

torch = pytest.importorskip("torch", reason="PyTorch is the independent reference for values and gradients")

SAMPLES = all_samples()
IDS = [entry[0] for entry in SAMPLES]


def _numpy_dtype(torch_dtype):
    return torch.empty(0, dtype=torch_dtype).numpy().dtype


def _weights(sample_id, shapes):
    rng = np.random.default_rng(zlib.crc32(("weights" + sample_id).encode()))
    return [rng.standard_normal(shape) for shape in shapes]


def _run_chainrule(op_case, sample, arrays, sample_id):
    inputs = [cr.Tensor(a.copy(), requires_grad=True) for a in arrays]
    outputs = outputs_of(op_case.fn(*inputs, **sample.kwargs))
    weights = _weights(sample_id, [o.shape for o in outputs])
    loss = None
    for out, w in zip(outputs, weights):
        if out.dtype.kind == "f" and out.requires_grad:
            term = (out * cr.Tensor(w.astype(out.dtype))).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    values = [(o.data.copy(), o.dtype) for o in outputs]
    grads = [None if x.grad is None else x.grad.data for x in inputs]
    return values, grads


def _run_torch(op_case, sample, arrays, sample_id):
    inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    outputs = outputs_of(op_case.torch_fn(*inputs, **sample.kwargs))
    weights = _weights(sample_id, [tuple(o.shape) for o in outputs])
    loss = None
    for out, w in zip(outputs, weights):
        if out.dtype.is_floating_point and out.requires_grad:
            term = (out * torch.from_numpy(w).to(out.dtype)).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    values = [(o.detach().numpy().copy(), _numpy_dtype(o.dtype)) for o in outputs]
    grads = [None if x.grad is None else x.grad.numpy() for x in inputs]
    return values, grads


def _tolerance(dtype, float32_run):
    if float32_run or dtype == np.float32:
        return dict(rtol=1e-5, atol=1e-6)
    return dict(rtol=1e-10, atol=1e-12)


def _compare(sample_id, op_case, sample, arrays, float32_run=False):
    ours, our_grads = _run_chainrule(op_case, sample, arrays, sample_id)
    theirs, their_grads = _run_torch(op_case, sample, arrays, sample_id)
    assert len(ours) == len(theirs), (
        f"{sample_id}: chainrule returned {len(ours)} outputs, torch {len(theirs)}")
    for k, ((value, dtype), (expected, expected_dtype)) in enumerate(zip(ours, theirs)):
        where = f"{sample_id}: output {k}"
        assert value.shape == expected.shape, f"{where}: shape {value.shape}, torch gives {expected.shape}"
        assert dtype == expected_dtype, f"{where}: dtype {dtype}, torch gives {expected_dtype}"
        if dtype.kind == "f":
            np.testing.assert_allclose(value, expected, **_tolerance(dtype, float32_run),
                                       err_msg=f"{where}: values differ from torch")
        else:
            np.testing.assert_array_equal(value, expected, err_msg=f"{where}: values differ from torch")
    for i, (grad, expected) in enumerate(zip(our_grads, their_grads)):
        where = f"{sample_id}: gradient of input {i} (shape {arrays[i].shape}, {arrays[i].dtype})"
        if expected is None and grad is None:
            continue
        if expected is None:
            expected = np.zeros_like(arrays[i])
        assert grad is not None, f"{where}: chainrule computed no gradient, torch did"
        assert grad.shape == expected.shape, f"{where}: shape {grad.shape}, torch gives {expected.shape}"
        assert grad.dtype == expected.dtype, f"{where}: dtype {grad.dtype}, torch gives {expected.dtype}"
        np.testing.assert_allclose(grad, expected, **_tolerance(grad.dtype, float32_run),
                                   err_msg=f"{where}: differs from torch")


@pytest.mark.parametrize("sample_id, op_case, sample", SAMPLES, ids=IDS)
def test_matches_torch_float64(sample_id, op_case, sample):
    _compare(sample_id, op_case, sample, make_arrays(sample, sample_id))


@pytest.mark.parametrize("sample_id, op_case, sample", SAMPLES, ids=IDS)
def test_matches_torch_float32(sample_id, op_case, sample):
    """Every input float32: dtypes of outputs and gradients follow torch, values to float32 accuracy."""
    _compare(sample_id, op_case, sample, make_arrays(sample, sample_id, dtype=np.float32), float32_run=True)


# Where chainrule knowingly parts from PyTorch on integer inputs (none of them differentiable)
INTEGER_DIVERGENCES = {
    # NumPy's rule: an integer raised to a negative integer power raises (PyTorch truncates to 0)
    "pow#0": "raises", "pow#4": "raises", "pow#5": "raises", "pow#7": "raises", "pow_fn#0": "raises",
    "pow_method#0": "raises",
    # 3 ** int_tensor is float32 in chainrule, int64 in PyTorch
    "rpow_scalar_int#0": "dtype",
}


def _integer_arrays(sample_id, sample):
    # integers have no NaN or infinity: the float samples' NaN/inf entries become 0
    return [np.round(2 * np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)).astype(np.int64)
            for a in make_arrays(sample, sample_id)]


def _torch_integer_outputs(sample_id, op_case, sample):
    """PyTorch's outputs on int64 inputs, or None where PyTorch refuses integers."""
    try:
        tensors = [torch.from_numpy(a) for a in _integer_arrays(sample_id, sample)]
        return outputs_of(op_case.torch_fn(*tensors, **sample.kwargs))
    except (RuntimeError, TypeError, ValueError, IndexError):
        return None


# only the samples where both libraries take integers (decided once, at collection)
INTEGER_SAMPLES = [entry for entry in SAMPLES
                   if entry[1].integer_inputs and _torch_integer_outputs(*entry) is not None]


@pytest.mark.parametrize("sample_id, op_case, sample", INTEGER_SAMPLES,
                         ids=[entry[0] for entry in INTEGER_SAMPLES])
def test_integer_inputs_match_torch(sample_id, op_case, sample):
    """Forward on int64 inputs, wherever PyTorch accepts them: the same dtype, shape and values."""
    arrays = _integer_arrays(sample_id, sample)
    expected = _torch_integer_outputs(sample_id, op_case, sample)
    known = INTEGER_DIVERGENCES.get(sample_id.split(":")[0])
    if known == "raises":
        with pytest.raises(ValueError, match="negative integer powers"):
            op_case.fn(*[cr.Tensor(a) for a in arrays], **sample.kwargs)
        return
    with np.errstate(all="ignore"):  # log1p(-1) and the like: -inf, as in PyTorch
        outputs = outputs_of(op_case.fn(*[cr.Tensor(a) for a in arrays], **sample.kwargs))
    assert len(outputs) == len(expected), f"{sample_id}: {len(outputs)} outputs, torch gives {len(expected)}"
    for k, (out, theirs) in enumerate(zip(outputs, expected)):
        theirs = theirs.numpy()
        where = f"{sample_id} (int64 inputs): output {k}"
        assert out.shape == theirs.shape, f"{where}: shape {out.shape}, torch gives {theirs.shape}"
        if known == "dtype":  # (and so values: 3 ** -1 is 1/3 here, 0 in PyTorch)
            assert out.dtype.kind == "f" and theirs.dtype.kind == "i", (
                f"{where}: the known divergence changed (dtype {out.dtype}, torch {theirs.dtype})")
            continue
        assert out.dtype == theirs.dtype, f"{where}: dtype {out.dtype}, torch gives {theirs.dtype}"
        np.testing.assert_allclose(out.data, theirs, rtol=1e-6, err_msg=f"{where}: values differ from torch")


def test_comparison_can_fail():
    """The harness is not vacuous: a function that differs from its twin is caught."""
    from op_registry import OpCase, Sample
    wrong = OpCase("wrong", lambda x: x * 2.0000001, lambda x: x * 2, [Sample(((3,),))])
    sample = wrong.samples[0]
    with pytest.raises(AssertionError):
        _compare("wrong", wrong, sample, make_arrays(sample, "wrong"))
