"""Layers, containers and initializers of chainrule.nn, checked without PyTorch.

Every layer's gradients (input and parameters) pass the finite-difference gradcheck in
float64; containers, modes, state dicts, reprs, initializer statistics and error
messages are checked against PyTorch's documented behaviour.
"""
import collections
import math

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.nn import init


# --------------------------------------------------------------------------- helpers
def _set_parameter(module, dotted, tensor):
    *path, leaf = dotted.split(".")
    for part in path:
        module = module._modules[part]
    module._parameters[leaf] = tensor


def gradcheck_module(module, x, seed=None):
    """Gradcheck ``module`` with respect to its input and every parameter (float64).

    gradcheck hands the function float64 copies of the tensors it checks; the copies of the
    parameters are put into the module in place of the originals before each call.
    ``seed`` reseeds chainrule before every call, fixing a dropout mask.
    """
    module.double()
    names = [name for name, _ in module.named_parameters()]
    params = [p.detach().requires_grad_() for p in module.parameters()]

    def fn(x, *ps):
        for name, p in zip(names, ps):
            _set_parameter(module, name, p)
        if seed is not None:
            cr.manual_seed(seed)
        return module(x)

    x = cr.Tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    assert cr.gradcheck(fn, (x, *params)) is True


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --------------------------------------------------------------------------- Linear
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(shape, bias):
    cr.manual_seed(0)
    gradcheck_module(nn.Linear(3, 2, bias=bias), randn(*shape))


def test_linear_computes_x_wt_plus_b_for_any_leading_shape():
    layer = nn.Linear(5, 3)
    x = randn(2, 4, 5).astype(np.float32)
    y = layer(cr.tensor(x))
    assert y.shape == (2, 4, 3) and y.dtype == np.float32
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6, atol=1e-6)


def test_linear_state_dict_layout_and_default_init():
    cr.manual_seed(0)
    layer = nn.Linear(400, 300)
    state = layer.state_dict()
    assert list(state) == ["weight", "bias"]
    assert state["weight"].shape == (300, 400) and state["bias"].shape == (300,)
    assert state["weight"].dtype == np.float32
    bound = 1 / math.sqrt(400)      # kaiming_uniform_(a=√5) gives U(-1/√fan_in, 1/√fan_in)
    w, b = layer.weight.data, layer.bias.data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(w).max() > 0.99 * bound
    assert layer.weight.requires_grad and layer.bias.requires_grad
    assert nn.Linear(3, 2, bias=False).bias is None
    assert list(nn.Linear(3, 2, bias=False).state_dict()) == ["weight"]


def test_linear_errors_name_the_layer_and_the_shapes():
    layer = nn.Linear(784, 512)
    with pytest.raises(ValueError, match=r"Linear\(784 -> 512\) got input of width 700 "
                                         r"\(input shape \(32, 700\)\); expected shape \(\*, 784\)"):
        layer(cr.zeros(32, 700))
    with pytest.raises(ValueError, match=r"Linear\(784 -> 512\) got a 0-d input"):
        layer(cr.tensor(1.0))
    with pytest.raises(TypeError, match=r"Linear\(784 -> 512\) has float32 parameters but got an "
                                        r"input of dtype float64.*\.to\(float64\)"):
        layer(cr.zeros(2, 784, dtype=cr.float64))
    with pytest.raises(TypeError, match="int64"):
        layer(cr.zeros(2, 784, dtype=cr.int64))


def test_linear_accepts_raw_arrays_in_its_own_dtype():
    layer = nn.Linear(3, 2)
    y = layer(np.ones((4, 3)))                 # float64 data adopts the layer's float32
    assert y.dtype == np.float32 and y.shape == (4, 2)
    layer.double()
    assert layer(cr.ones(1, 3, dtype=cr.float64)).dtype == np.float64


def test_functional_linear_checks_its_arguments():
    x, w = cr.ones(2, 3), cr.ones(4, 3)
    assert F.linear(x, w).shape == (2, 4)
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\) does not fit weight"):
        F.linear(cr.ones(2, 5), w)
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        F.linear(x, w, cr.ones(3))
    with pytest.raises(ValueError, match="weight must have shape"):
        F.linear(x, cr.ones(3))


def test_bilinear_init_and_errors():
    layer = nn.Bilinear(4, 3, 2)
    assert layer.weight.shape == (2, 4, 3) and layer.bias.shape == (2,)
    assert layer.weight.dtype == np.float32
    for p in (layer.weight, layer.bias):      # U(-1/√in1, 1/√in1), as PyTorch
        assert np.abs(p.numpy()).max() <= 0.5 and p.numpy().std() > 0.1
    assert list(nn.Bilinear(4, 3, 2, bias=False).state_dict()) == ["weight"]
    with pytest.raises(ValueError, match=r"Bilinear\(in1_features=4, in2_features=3, out_features=2, "
                                         r"bias=True\): inputs of shapes \(5, 4\) and \(6, 3\) do not fit"):
        layer(cr.zeros(5, 4), cr.zeros(6, 3))
    with pytest.raises(ValueError, match=r"bilinear: weight must have shape"):
        F.bilinear(cr.zeros(5, 4), cr.zeros(5, 3), cr.zeros(4, 3))
    with pytest.raises(ValueError, match=r"bilinear: bias must have shape \(2,\)"):
        F.bilinear(cr.zeros(5, 4), cr.zeros(5, 3), cr.zeros(2, 4, 3), cr.zeros(3))
    with pytest.raises(ValueError, match="positive integers"):
        nn.Bilinear(0, 3, 2)


def test_identity_returns_its_input():
    x = cr.ones(2)
    assert nn.Identity(54, unused="arg")(x) is x
    assert repr(nn.Identity()) == "Identity()"


# --------------------------------------------------------------------------- activations
ACTIVATIONS = [
    (nn.ReLU(), F.relu),
    (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (nn.Sigmoid(), F.sigmoid),
    (nn.Tanh(), F.tanh),
    (nn.GELU(), F.gelu),
    (nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh")),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
    (nn.Softplus(2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0)),
    (nn.Softmax(dim=1), lambda x: F.softmax(x, 1)),
    (nn.LogSoftmax(dim=0), lambda x: F.log_softmax(x, 0)),
    (nn.Softmin(dim=1), lambda x: F.softmin(x, 1)),
    (nn.SiLU(), F.silu),
    (nn.Mish(), F.mish),
    (nn.Hardtanh(-0.5, 0.7), lambda x: F.hardtanh(x, -0.5, 0.7)),
    (nn.ReLU6(), F.relu6),
    (nn.Hardsigmoid(), F.hardsigmoid),
    (nn.Hardswish(), F.hardswish),
    (nn.SELU(), F.selu),
    (nn.CELU(0.5), lambda x: F.celu(x, 0.5)),
    (nn.PReLU(dtype=cr.float64), lambda x: F.prelu(x, cr.tensor([0.25]))),
    (nn.PReLU(4, dtype=cr.float64), lambda x: F.prelu(x, cr.full((4,), 0.25))),
    (nn.LogSigmoid(), F.logsigmoid),
    (nn.Softsign(), F.softsign),
    (nn.Tanhshrink(), F.tanhshrink),
    (nn.Softshrink(0.3), lambda x: F.softshrink(x, 0.3)),
    (nn.Hardshrink(0.3), lambda x: F.hardshrink(x, 0.3)),
    (nn.Threshold(0.1, -2.0), lambda x: F.threshold(x, 0.1, -2.0)),
    (nn.GLU(), F.glu),
]


@pytest.mark.parametrize("module, function", ACTIVATIONS, ids=lambda v: repr(v)[:30])
def test_activation_matches_its_function_and_passes_gradcheck(module, function):
    x = randn(3, 4) + 0.05        # keep away from the kinks at 0
    np.testing.assert_array_equal(module(cr.tensor(x)).numpy(), function(cr.tensor(x)).numpy())
    gradcheck_module(module, x)


def test_softmax_without_dim_warns_and_uses_pytorchs_legacy_choice():
    x = cr.tensor(randn(2, 3))
    with pytest.warns(UserWarning, match="implicit dimension"):
        y = nn.Softmax()(x)
    np.testing.assert_allclose(y.numpy().sum(axis=1), 1.0)


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("erf")


def test_activation_functions_are_one_set_at_top_level_and_in_functional():
    for name in ("silu", "mish", "hardtanh", "relu6", "hardsigmoid", "hardswish", "selu", "celu",
                 "prelu", "logsigmoid", "softsign", "tanhshrink", "softshrink", "hardshrink",
                 "threshold", "softmin", "glu"):
        assert getattr(F, name) is getattr(cr, name)


def test_inplace_is_accepted_and_the_input_is_left_alone():
    x = cr.tensor([-4.0, -0.5, 0.5, 4.0])
    before = x.numpy().copy()
    for module in (nn.SiLU(True), nn.Mish(True), nn.Hardtanh(inplace=True), nn.ReLU6(True),
                   nn.Hardsigmoid(True), nn.Hardswish(True), nn.SELU(True), nn.CELU(inplace=True),
                   nn.Threshold(0.0, 1.0, inplace=True)):
        assert module(x) is not x
    for function in (F.relu, F.leaky_relu, F.elu, F.silu, F.mish, F.hardtanh, F.relu6, F.hardsigmoid,
                     F.hardswish, F.selu, F.celu):
        assert function(x, inplace=True) is not x
    np.testing.assert_array_equal(x.numpy(), before)


def test_prelu_starts_at_init_and_learns_one_slope_per_channel():
    layer = nn.PReLU(3, init=0.1)
    np.testing.assert_array_equal(layer.weight.numpy(), np.full(3, 0.1, np.float32))
    assert list(layer.state_dict()) == ["weight"] and layer.weight.dtype == np.float32
    x = randn(2, 3, 5)
    gradcheck_module(layer, x)
    layer.weight.data[...] = [0.1, 0.2, 0.3]
    expected = np.where(x > 0, x, x * np.array([0.1, 0.2, 0.3])[:, None])
    np.testing.assert_allclose(layer(cr.tensor(x)).numpy(), expected)


def test_activation_errors_name_the_layer_and_the_values():
    with pytest.raises(ValueError, match=r"glu: dim -1 of the input \(shape \(2, 3\)\) has odd size 3"):
        nn.GLU()(cr.ones(2, 3))
    with pytest.raises(ValueError, match=r"glu: dim 0 .* has odd size 5"):
        F.glu(cr.ones(5, 2), dim=0)
    with pytest.raises(ValueError, match="glu: a 0-d input"):
        F.glu(cr.tensor(1.0))
    with pytest.raises(ValueError, match=r"PReLU\(num_parameters=3\) got an input of shape \(2, 4\), "
                                         r"which has 4 channels"):
        nn.PReLU(3)(cr.ones(2, 4))
    with pytest.raises(ValueError, match=r"prelu: weight has 3 slopes but the input of shape \(5,\) has 1"):
        F.prelu(cr.ones(5), cr.ones(3))
    with pytest.raises(ValueError, match=r"prelu: weight must be 0-d or 1-D, got shape \(3, 1\)"):
        F.prelu(cr.ones(2, 3), cr.ones(3, 1))
    with pytest.raises(ValueError, match=r"Hardtanh: max_val \(-1\) must be greater than min_val \(1\)"):
        nn.Hardtanh(1, -1)
    with pytest.raises(ValueError, match="hardtanh: max_val"):
        F.hardtanh(cr.ones(2), 0.5, 0.5)
    with pytest.raises(ValueError, match="softshrink: lambd must be non-negative, got -1"):
        nn.Softshrink(-1)(cr.ones(2))
    with pytest.raises(ValueError, match="celu: alpha must not be 0"):
        nn.CELU(0.0)(cr.ones(2))
    with pytest.raises(IndexError, match="softmin: dim 2 is out of range"):
        F.softmin(cr.ones(2, 3), 2)


def test_softmin_without_dim_warns_and_uses_pytorchs_legacy_choice():
    x = cr.tensor(randn(2, 3))
    with pytest.warns(UserWarning, match="Softmin: implicit dimension"):
        y = nn.Softmin()(x)
    np.testing.assert_allclose(y.numpy(), F.softmax(-x, 1).numpy())


@pytest.mark.filterwarnings("error")   # an overflow inside a rule fails this test
def test_large_inputs_give_finite_values_and_gradients_in_float32():
    x = cr.tensor([-1e30, -100.0, 100.0, 1e30], requires_grad=True)
    for function in (F.silu, F.mish, F.logsigmoid, F.softsign, F.selu, F.celu):
        x.grad = None
        y = function(x)
        y.sum().backward()
        assert y.dtype == np.float32 and x.grad.dtype == np.float32
        assert np.isfinite(y.numpy()).all() and np.isfinite(x.grad.numpy()).all(), function.__name__
    np.testing.assert_allclose(F.logsigmoid(x).numpy(), [-1e30, -100.0, 0.0, 0.0], atol=1e-30)


# --------------------------------------------------------------------------- Dropout
def test_dropout_gradcheck_with_a_fixed_mask():
    gradcheck_module(nn.Dropout(0.4), randn(4, 5), seed=3)


def test_dropout_statistics_and_scaling():
    cr.manual_seed(0)
    x = cr.ones(200, 500)
    y = nn.Dropout(0.3)(x).numpy()
    dropped = (y == 0).mean()
    assert abs(dropped - 0.3) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02          # inverted dropout keeps the expected value
    assert y.dtype == np.float32


def test_dropout_mask_comes_from_chainrules_generator():
    x = cr.ones(10, 10)
    cr.manual_seed(7)
    first = F.dropout(x, 0.5).numpy()
    cr.manual_seed(7)
    second = F.dropout(x, 0.5).numpy()
    third = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(second, third)


def test_dropout_gradient_uses_the_same_mask():
    cr.manual_seed(1)
    x = cr.ones(6, 7, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_dropout_eval_p0_p1():
    x = cr.randn(3, 4)
    layer = nn.Dropout(0.5)
    assert layer.eval()(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((3, 4)))


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", True])
def test_dropout_validates_p(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(cr.ones(2), p)


# --------------------------------------------------------------------------- BatchNorm
def _with_running_stats(bn, seed=1):
    rng = np.random.default_rng(seed)
    bn.running_mean.data[...] = rng.standard_normal(bn.num_features)
    bn.running_var.data[...] = rng.uniform(0.5, 2.0, bn.num_features)
    return bn


def _with_random_affine(bn, seed=2):
    rng = np.random.default_rng(seed)
    if bn.weight is not None:
        bn.weight.data[...] = rng.uniform(0.5, 1.5, bn.weight.shape)
    if bn.bias is not None:
        bn.bias.data[...] = rng.standard_normal(bn.bias.shape)
    return bn


BN_CASES = [
    (lambda **kw: nn.BatchNorm1d(3, **kw), (5, 3)),
    (lambda **kw: nn.BatchNorm1d(3, **kw), (2, 3, 4)),
    (lambda **kw: nn.BatchNorm2d(2, **kw), (2, 2, 3, 2)),
]


@pytest.mark.parametrize("make, shape", BN_CASES, ids=["1d-NC", "1d-NCL", "2d"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"bias": False}, {"momentum": None}],
                         ids=["default", "no-affine", "no-bias", "cumulative"])
def test_batch_norm_gradcheck(make, shape, training, options):
    bn = _with_random_affine(_with_running_stats(make(**options)))
    bn.train(training)
    gradcheck_module(bn, randn(*shape) * 2 + 0.5)


def test_batch_norm_train_normalizes_with_batch_statistics():
    bn = _with_random_affine(nn.BatchNorm2d(3))
    x = randn(4, 3, 5, 5) * 3 + 1
    y = bn.double()(cr.tensor(x)).numpy()
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    w, b = bn.weight.data.reshape(1, 3, 1, 1), bn.bias.data.reshape(1, 3, 1, 1)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5) * w + b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_batch_norm_running_statistics(momentum):
    bn = nn.BatchNorm1d(4, momentum=momentum).double()
    mean, var = np.zeros(4), np.ones(4)
    for step in range(1, 5):
        x = randn(6, 4, 3, seed=step) * step + step
        bn(cr.tensor(x))
        factor = 1 / step if momentum is None else momentum
        batch_mean = x.mean(axis=(0, 2))
        batch_var = x.var(axis=(0, 2), ddof=1)      # the running variance is unbiased
        mean = (1 - factor) * mean + factor * batch_mean
        var = (1 - factor) * var + factor * batch_var
        assert bn.num_batches_tracked.item() == step
    assert bn.num_batches_tracked.dtype == np.int64
    np.testing.assert_allclose(bn.running_mean.numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), var, rtol=1e-12)
    # eval mode uses (and does not change) the running statistics
    bn.eval()
    x = randn(3, 4, 2, seed=9)
    y = bn(cr.tensor(x)).numpy()
    np.testing.assert_allclose(y, (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-5), rtol=1e-10)
    assert bn.num_batches_tracked.item() == 4
    np.testing.assert_allclose(bn.running_mean.numpy(), mean, rtol=1e-12)


def test_batch_norm_without_running_statistics_always_uses_the_batch():
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    assert bn.running_mean is None and bn.num_batches_tracked is None
    assert list(bn.state_dict()) == ["weight", "bias"]
    x = cr.tensor(randn(8, 3) * 4 + 2, dtype=cr.float32)
    y = bn.eval()(x).numpy()
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=0), 1, atol=1e-3)


def test_batch_norm_state_dict_and_defaults():
    bn = nn.BatchNorm2d(5)
    state = bn.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [state[k].shape for k in state] == [(5,), (5,), (5,), (5,), ()]
    assert [state[k].dtype for k in state] == [np.float32] * 4 + [np.int64]
    np.testing.assert_array_equal(state["weight"].numpy(), 1)
    np.testing.assert_array_equal(state["bias"].numpy(), 0)
    np.testing.assert_array_equal(state["running_var"].numpy(), 1)
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(nn.BatchNorm1d(2, affine=False).state_dict()) == [
        "running_mean", "running_var", "num_batches_tracked"]
    bn.double()
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64


def test_batch_norm_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(512\) got input with 700 channels \(input "
                                         r"shape \(32, 700\)\); expected shape \(N, 512\) or "
                                         r"\(N, 512, L\)"):
        nn.BatchNorm1d(512)(cr.zeros(32, 700))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\) expects input of shape .* got a 4-d "
                                         r"input of shape \(2, 3, 4, 4\)"):
        nn.BatchNorm1d(3)(cr.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\) expects input of shape \(N, 3, H, W\)"):
        nn.BatchNorm2d(3)(cr.zeros(2, 3))
    with pytest.raises(ValueError, match=r"BatchNorm3d\(3\) expects input of shape \(N, 3, D, H, W\), got a "
                                         r"4-d input of shape \(2, 3, 4, 4\)"):
        nn.BatchNorm3d(3)(cr.zeros(2, 3, 4, 4))
    assert repr(nn.BatchNorm3d(3, momentum=None)) == ("BatchNorm3d(3, eps=1e-05, momentum=None, affine=True, "
                                                      "bias=True, track_running_stats=True)")
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): expected more than 1 value per "
                                         r"channel when training, got input of shape \(1, 3\)"):
        bn(cr.zeros(1, 3))
    assert bn.num_batches_tracked.item() == 0      # a rejected batch is not counted
    assert bn.eval()(cr.zeros(1, 3)).shape == (1, 3)
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum=2)
    with pytest.raises(ValueError, match="running_mean must have shape"):
        F.batch_norm(cr.zeros(2, 3), cr.zeros(4), cr.ones(3))


def test_functional_batch_norm_updates_given_statistics_in_place():
    running_mean, running_var = cr.zeros(2, dtype=cr.float64), cr.ones(2, dtype=cr.float64)
    x = randn(5, 2)
    F.batch_norm(cr.tensor(x), running_mean, running_var, training=True, momentum=0.5)
    np.testing.assert_allclose(running_mean.numpy(), 0.5 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(running_var.numpy(), 0.5 + 0.5 * x.var(axis=0, ddof=1), rtol=1e-12)


# --------------------------------------------------------------------------- LayerNorm
@pytest.mark.parametrize("normalized_shape, shape", [(4, (3, 4)), ((2, 3), (2, 2, 3)), (5, (5,))])
@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False}],
                         ids=["affine", "no-affine", "no-bias"])
def test_layer_norm_gradcheck(normalized_shape, shape, options):
    ln = nn.LayerNorm(normalized_shape, **options)
    for p in ln.parameters():
        p.data[...] = np.random.default_rng(3).uniform(0.5, 1.5, p.shape)
    gradcheck_module(ln, randn(*shape) * 2 + 1)


def test_layer_norm_values_state_and_errors():
    ln = nn.LayerNorm([2, 3], eps=1e-3)
    assert ln.normalized_shape == (2, 3)
    assert list(ln.state_dict()) == ["weight", "bias"] and ln.weight.shape == (2, 3)
    np.testing.assert_array_equal(ln.weight.numpy(), 1)
    x = randn(4, 2, 3)
    y = ln.double()(cr.tensor(x)).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-12, atol=1e-12)
    assert list(nn.LayerNorm(3, elementwise_affine=False).state_dict()) == []
    with pytest.raises(ValueError, match=r"LayerNorm\(\(2, 3\)\) got input of shape \(4, 3, 2\); "
                                         r"its last 2 dims must be \(2, 3\)"):
        ln(cr.zeros(4, 3, 2, dtype=cr.float64))
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.LayerNorm([])


# --------------------------------------------------------------------------- GroupNorm, InstanceNorm, RMSNorm
@pytest.mark.parametrize("module, shape", [
    (nn.GroupNorm(2, 4), (3, 4, 5)), (nn.GroupNorm(3, 3, bias=False), (2, 3)),
    (nn.InstanceNorm1d(3, affine=True), (2, 3, 4)), (nn.InstanceNorm2d(2, affine=True), (2, 3, 3)),
    (nn.RMSNorm((2, 3)), (4, 2, 3))], ids=lambda v: repr(v)[:30])
def test_group_instance_rms_norm_gradcheck(module, shape):
    for p in module.parameters():
        p.data[...] = np.random.default_rng(3).uniform(0.5, 1.5, p.shape)
    gradcheck_module(module, randn(*shape) * 2 + 1)


def test_group_instance_rms_norm_values_and_state():
    x = randn(2, 4, 3)
    groups = x.reshape(2, 2, 6)
    expected = (groups - groups.mean(-1, keepdims=True)) / np.sqrt(groups.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(F.group_norm(cr.tensor(x), 2).numpy(), expected.reshape(x.shape),
                               rtol=1e-12, atol=1e-12)
    instance = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(nn.InstanceNorm1d(4).double()(cr.tensor(x)).numpy(), instance,
                               rtol=1e-12, atol=1e-12)
    rms = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(F.rms_norm(cr.tensor(x), 3, eps=1e-6).numpy(), rms, rtol=1e-12)
    assert list(nn.GroupNorm(2, 4).state_dict()) == ["weight", "bias"]
    assert list(nn.InstanceNorm1d(4).state_dict()) == []
    assert list(nn.InstanceNorm2d(4, track_running_stats=True).state_dict()) == [
        "running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.RMSNorm(3).state_dict()) == ["weight"] and nn.RMSNorm(3).eps is None
    assert nn.GroupNorm(2, 4).weight.dtype == np.float32
    assert nn.RMSNorm(3)(cr.zeros(2, 3)).dtype == np.float32


def test_group_instance_rms_norm_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match=r"GroupNorm: num_channels \(4\) must be divisible by "
                                         r"num_groups \(3\)"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match=r"GroupNorm\(2, 4\) expects input of shape \(N, 4, \*\), "
                                         r"got \(2, 6, 3\)"):
        nn.GroupNorm(2, 4)(cr.zeros(2, 6, 3))
    with pytest.raises(ValueError, match=r"group_norm: the 6 channels of input of shape \(2, 6, 3\) "
                                         r"must be divisible by num_groups=4"):
        F.group_norm(cr.zeros(2, 6, 3), 4)
    with pytest.raises(ValueError, match=r"InstanceNorm1d\(3\) expects input of shape \(N, 3, L\) or "
                                         r"\(3, L\), got a 4-d input of shape \(2, 3, 4, 4\)"):
        nn.InstanceNorm1d(3)(cr.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"InstanceNorm2d\(3\) got input of shape \(2, 4, 4, 4\) "
                                         r"with 4 channels, expected 3"):
        nn.InstanceNorm2d(3, affine=True)(cr.zeros(2, 4, 4, 4))
    with pytest.warns(UserWarning, match="with 4 channels, expected 3"):   # no affine: as PyTorch
        nn.InstanceNorm1d(3)(cr.zeros(2, 4, 5))
    with pytest.raises(ValueError, match=r"expected more than 1 spatial element per channel, got "
                                         r"input of shape \(2, 3, 1\)"):
        nn.InstanceNorm1d(3)(cr.zeros(2, 3, 1))
    with pytest.raises(ValueError, match=r"running_mean and running_var are needed"):
        F.instance_norm(cr.zeros(2, 3, 4), use_input_stats=False)
    with pytest.raises(ValueError, match=r"RMSNorm\(\(4,\)\) got input of shape \(2, 3\); its last "
                                         r"1 dim must be \(4,\)"):
        nn.RMSNorm(4)(cr.zeros(2, 3))
    with pytest.raises(ValueError, match=r"rms_norm: weight must have shape \(3,\), got \(4,\)"):
        F.rms_norm(cr.zeros(2, 3), 3, weight=cr.ones(4))


# --------------------------------------------------------------------------- Flatten / Unflatten
def test_flatten_and_unflatten():
    x = cr.tensor(randn(2, 3, 4, 5))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    assert nn.Unflatten(-1, (2, -1))(cr.zeros(3, 8)).shape == (3, 2, 4)
    round_trip = nn.Unflatten(1, (3, 4, 5))(nn.Flatten()(x))
    np.testing.assert_array_equal(round_trip.numpy(), x.numpy())
    gradcheck_module(nn.Sequential(nn.Flatten(), nn.Unflatten(1, [4, 3])), randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"Unflatten\(dim=1, unflattened_size=\(2, 5\)\): dim 1 of "
                                         r"input shape \(3, 12\) has size 12, but 2 x 5 = 10"):
        nn.Unflatten(1, (2, 5))(cr.zeros(3, 12))
    with pytest.raises(ValueError, match="at most one -1"):
        nn.Unflatten(1, (-1, -1))


# --------------------------------------------------------------------------- containers
def _mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(8, 2))


def test_sequential_runs_its_modules_in_order_and_passes_gradcheck():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = cr.randn(5, 3)
    expected = model[2](model[1](model[0](x)))
    np.testing.assert_array_equal(model(x).numpy(), expected.numpy())
    gradcheck_module(model, randn(5, 3))


def test_sequential_indexing_len_iteration_and_slices():
    model = _mlp()
    assert len(model) == 5
    assert isinstance(model[0], nn.Linear) and model[-1] is model[4]
    assert [type(m).__name__ for m in model] == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    head = model[:2]
    assert type(head) is nn.Sequential and len(head) == 2 and head[1] is model[1]
    tail = model[3:]
    assert list(tail._modules) == ["3", "4"]        # a slice keeps the names, as PyTorch
    assert model[::-1][0] is model[4]
    with pytest.raises(IndexError, match="index 5 is out of range for 5 modules"):
        model[5]
    with pytest.raises(IndexError):
        model[-6]
    with pytest.raises(TypeError, match="indices must be integers"):
        model["0"]


def test_sequential_from_an_ordered_dict_and_its_state_dict_keys():
    model = nn.Sequential(collections.OrderedDict([("fc1", nn.Linear(3, 4)), ("act", nn.ReLU()),
                                                   ("fc2", nn.Linear(4, 1))]))
    assert model.fc1 is model[0] and model.act is model[1]
    assert list(model.state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert list(_mlp().state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
        "1.num_batches_tracked", "4.weight", "4.bias"]


def test_sequential_append_insert_pop_delete_renumber():
    model = nn.Sequential(nn.Linear(2, 3))
    relu = nn.ReLU()
    assert model.append(relu) is model and model[1] is relu and len(model) == 2
    model.append(nn.Linear(3, 1))
    assert len(list(model.parameters())) == 4
    tanh = nn.Tanh()
    model.insert(1, tanh)
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "ReLU", "Linear"]
    assert list(model._modules) == ["0", "1", "2", "3"]
    assert model.pop(1) is tanh and list(model._modules) == ["0", "1", "2"]
    del model[0]
    assert [type(m).__name__ for m in model] == ["ReLU", "Linear"]
    assert list(model.state_dict()) == ["1.weight", "1.bias"]
    model[0] = nn.Sigmoid()
    assert isinstance(model[0], nn.Sigmoid)
    combined = model + nn.Sequential(nn.Tanh())
    assert type(combined) is nn.Sequential and len(combined) == 3 and len(model) == 2
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_module_list():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh()])
    layers += [nn.Sigmoid()]
    assert [type(m).__name__ for m in layers][-3:] == ["ReLU", "Tanh", "Sigmoid"]
    assert type(layers[1:3]) is nn.ModuleList and layers[1:3][0] is layers[1]
    assert layers[-1] is layers[5]
    layers.insert(0, nn.Identity())
    assert isinstance(layers[0], nn.Identity) and len(layers) == 7
    del layers[0]
    assert list(layers.state_dict())[:2] == ["0.weight", "0.bias"]
    with pytest.raises(TypeError, match="expected a Module"):
        layers.append("relu")
    with pytest.raises(NotImplementedError):
        layers(cr.zeros(1, 2))


def test_module_dict():
    heads = nn.ModuleDict({"digit": nn.Linear(3, 10), "parity": nn.Linear(3, 2)})
    assert list(heads) == ["digit", "parity"] and len(heads) == 2 and "digit" in heads
    assert list(heads.keys()) == ["digit", "parity"]
    assert [type(m).__name__ for m in heads.values()] == ["Linear", "Linear"]
    assert list(heads.state_dict()) == ["digit.weight", "digit.bias", "parity.weight", "parity.bias"]
    heads["act"] = nn.ReLU()
    heads.update([("out", nn.Tanh())])
    heads["digit"] = nn.Linear(3, 9)            # replacing keeps the key's place, as PyTorch
    assert list(heads)[0] == "digit" and heads["digit"].out_features == 9
    assert list(heads) == ["digit", "parity", "act", "out"]
    assert isinstance(heads.pop("act"), nn.ReLU) and "act" not in heads
    del heads["out"]
    assert dict(heads.items())["parity"] is heads["parity"]
    with pytest.raises(KeyError, match="no module 'missing'"):
        heads["missing"]
    with pytest.raises(TypeError, match="must be a Module"):
        heads["x"] = 3
    heads.clear()
    assert len(heads) == 0 and list(heads.parameters()) == []


def test_parameter_list():
    first = nn.Parameter(cr.ones(3))
    params = nn.ParameterList([first, cr.zeros(2, 2)])
    assert len(params) == 2 and params[0] is first and params[-1].shape == (2, 2)
    assert isinstance(params[1], nn.Parameter) and params[1].requires_grad is False  # kept as given
    params.append(nn.Parameter(cr.ones(4))).extend([nn.Parameter(cr.ones(1))])
    params += [nn.Parameter(cr.ones(5))]
    assert [p.shape for p in params] == [(3,), (2, 2), (4,), (1,), (5,)]
    assert list(params.state_dict()) == ["0", "1", "2", "3", "4"]
    assert [p.shape for p in params[1:3]] == [(2, 2), (4,)]
    params[0] = nn.Parameter(cr.zeros(6))
    assert params[0].shape == (6,) and list(params.state_dict())[0] == "0"
    model = nn.Module()
    model.weights = params
    assert [name for name, _ in model.named_parameters()][:2] == ["weights.0", "weights.1"]
    with pytest.raises(IndexError, match="ParameterList: index 5 is out of range for 5 parameters"):
        params[5]
    with pytest.raises(TypeError, match="expected a Parameter or a Tensor, got list"):
        params.append([1.0])
    with pytest.raises(RuntimeError, match="should not be called"):
        params(cr.ones(3))


def test_parameter_dict():
    params = nn.ParameterDict({"b": cr.ones(3), "a": nn.Parameter(cr.ones(2))})
    assert list(params) == ["a", "b"]                  # a plain dict is sorted, as PyTorch
    params.update(collections.OrderedDict([("z", cr.ones(1)), ("c", cr.ones(1))]))
    assert list(params.keys()) == ["a", "b", "z", "c"]  # an OrderedDict keeps its order
    params["training"] = nn.Parameter(cr.ones(1))       # a key is no attribute
    assert params.training is True and "training" in params
    assert list(params.state_dict()) == ["a", "b", "z", "c", "training"]
    assert params.pop("z").shape == (1,) and "z" not in params and len(params) == 4
    del params["training"]
    assert params.get("missing") is None and isinstance(params["a"], nn.Parameter)
    with pytest.raises(KeyError, match=r"ParameterDict has no parameter 'x' \(keys: \['a', 'b', 'c'\]\)"):
        params["x"]
    with pytest.raises(TypeError, match="keys must be strings"):
        params[1] = cr.ones(1)
    with pytest.raises(TypeError, match=r"ParameterDict\['q'\]: expected a Parameter or a Tensor"):
        params["q"] = 3.0
    params.clear()
    assert len(params) == 0 and repr(params) == "ParameterDict()"


def test_replacing_a_layer_keeps_its_place_in_the_state_dict():
    """Swapping a classifier head (model.fc = Linear(...)) keeps PyTorch's key order."""
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.out = nn.Linear(3, 2)

    model = Net()
    model.fc = nn.Linear(4, 3, bias=False)
    assert list(model.state_dict()) == ["fc.weight", "out.weight", "out.bias"]
    model.register_parameter("scale", nn.Parameter(cr.ones(1)))
    model.out.weight = nn.Parameter(cr.zeros(2, 3))
    assert list(model.out.state_dict()) == ["weight", "bias"]


def test_train_and_eval_reach_layers_inside_containers():
    model = nn.Sequential(nn.ModuleList([nn.Dropout(0.5)]), nn.ModuleDict({"bn": nn.BatchNorm1d(2)}))
    assert all(m.training for m in model.modules())
    model.eval()
    assert not any(m.training for m in model.modules())
    assert model.train() is model and model[0][0].training and model[1]["bn"].training


def test_mlp_in_eval_mode_is_deterministic_and_differentiable():
    cr.manual_seed(0)
    model = _mlp()
    model(cr.randn(16, 4))                 # one training step sets the running statistics
    model.eval()
    x = cr.randn(3, 4)
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())
    gradcheck_module(model, randn(3, 4))


# --------------------------------------------------------------------------- repr
def test_repr_prints_like_pytorch():
    assert repr(nn.Linear(784, 512)) == "Linear(in_features=784, out_features=512, bias=True)"
    assert repr(_mlp()) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=8, bias=True)\n"
        "  (1): BatchNorm1d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)\n"
        "  (2): ReLU()\n"
        "  (3): Dropout(p=0.5, inplace=False)\n"
        "  (4): Linear(in_features=8, out_features=2, bias=True)\n"
        ")")
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])) == (
        "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)")
    assert repr(nn.LayerNorm(5)) == "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(nn.Hardswish(inplace=True)) == "Hardswish()"                # PyTorch omits it here
    assert repr(nn.Softshrink()) == "Softshrink(0.5)" and repr(nn.GLU()) == "GLU(dim=-1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Sequential()) == "Sequential()" and repr(nn.ModuleList()) == "ModuleList()"


# --------------------------------------------------------------------------- init
def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fan_in_and_fan_out():
    assert init._calculate_fan_in_and_fan_out(cr.zeros(5, 3)) == (3, 5)           # Linear
    assert init._calculate_fan_in_and_fan_out(cr.zeros(16, 8, 3, 3)) == (72, 144)  # Conv2d
    assert init._calculate_fan_in_and_fan_out(cr.zeros(4, 2, 5)) == (10, 20)       # Conv1d
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(cr.zeros(5))
    with pytest.raises(ValueError, match="mode 'fan_avg' is not supported"):
        init.kaiming_uniform_(cr.zeros(3, 3), mode="fan_avg")


def test_uniform_normal_constant():
    cr.manual_seed(0)
    t = cr.zeros(200, 500)
    assert init.uniform_(t, -2, 3) is t
    assert -2 <= t.numpy().min() and t.numpy().max() < 3 and abs(t.numpy().mean() - 0.5) < 0.02
    init.normal_(t, 1.0, 2.0)
    assert abs(t.numpy().mean() - 1.0) < 0.02 and abs(t.numpy().std() - 2.0) < 0.02
    init.trunc_normal_(t, 0.0, 1.0, -1.0, 2.0)
    assert t.numpy().min() >= -1.0 and t.numpy().max() <= 2.0
    for fill, value in ((init.zeros_, 0), (init.ones_, 1), (lambda x: init.constant_(x, 0.25), 0.25)):
        fill(t)
        np.testing.assert_array_equal(t.numpy(), value)
    assert t.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xavier_and_kaiming_bounds_and_spread(dtype):
    cr.manual_seed(1)
    w = cr.zeros(300, 200, 2, dtype=dtype)       # fan_in 400, fan_out 600
    init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6 / 1000)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound
    assert abs(w.numpy().std() - bound / math.sqrt(3)) < 0.01 * bound
    init.xavier_normal_(w)
    assert abs(w.numpy().std() - math.sqrt(2 / 1000)) < 0.01 * math.sqrt(2 / 1000)
    init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 400)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound
    init.kaiming_normal_(w, a=0.1, mode="fan_out")
    std = math.sqrt(2 / 1.01) / math.sqrt(600)
    assert abs(w.numpy().std() - std) < 0.01 * std
    assert w.dtype == dtype


def test_init_is_reproducible_in_place_and_outside_the_graph():
    layer = nn.Linear(3, 4)
    weight = layer.weight
    cr.manual_seed(5)
    init.kaiming_uniform_(layer.weight)
    first = layer.weight.numpy().copy()
    cr.manual_seed(5)
    init.kaiming_uniform_(layer.weight)       # a Parameter that requires grad: no error, no graph
    np.testing.assert_array_equal(layer.weight.numpy(), first)
    assert layer.weight is weight and layer.weight.grad_fn is None and layer.weight.requires_grad
    cr.manual_seed(5)
    a = nn.Linear(6, 6).weight.numpy().copy()
    cr.manual_seed(5)
    np.testing.assert_array_equal(nn.Linear(6, 6).weight.numpy(), a)
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(cr.zeros(0, 3))


def test_one_hot_and_distance_errors():
    F = nn.functional
    with pytest.raises(ValueError, match="one_hot: class values must be non-negative, got -2"):
        F.one_hot(cr.tensor([0, -2, 1]))
    with pytest.raises(ValueError, match=r"one_hot: class value 5 is out of range for num_classes=3 "
                                         r"\(expected values in \[0, 3\)\)"):
        F.one_hot(cr.tensor([0, 5, 1]), 3)
    with pytest.raises(TypeError, match="one_hot: class indices must be an int64 tensor, got dtype float32"):
        F.one_hot(cr.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"cannot infer num_classes from an empty tensor of shape \(0,\)"):
        F.one_hot(cr.zeros(0, dtype=cr.int64))
    with pytest.raises(ValueError, match=r"cosine_similarity: x1 of shape \(3, 4\) and x2 of shape "
                                         r"\(3, 5\) do not broadcast together"):
        F.cosine_similarity(cr.randn(3, 4), cr.randn(3, 5))
    with pytest.raises(IndexError, match="cosine_similarity: dim 1 is out of range for a tensor with 1 dims"):
        F.cosine_similarity(cr.randn(4), cr.randn(4))
    with pytest.raises(ValueError, match=r"pairwise_distance: x1 of shape \(2, 3, 4\) and x2 of shape"):
        F.pairwise_distance(cr.randn(2, 3, 4), cr.randn(3, 5))
    with pytest.raises(TypeError, match="normalize: input must be a floating-point tensor, got int64"):
        F.normalize(cr.tensor([[1, 2]]))
    with pytest.raises(IndexError, match="normalize: dim 1 is out of range"):
        F.normalize(cr.randn(4))


def test_distances_keep_float32_and_promote_integers_like_torch():
    F = nn.functional
    x = cr.randn(3, 4)
    assert F.cosine_similarity(x, x).dtype == np.float32
    assert F.normalize(x).dtype == np.float32
    assert F.pairwise_distance(cr.tensor([[1, 2]]), cr.tensor([[0, 0]])).dtype == np.float32
    assert F.pairwise_distance(x, x.double()).dtype == np.float64
