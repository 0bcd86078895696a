"""chainrule.nn layers against their PyTorch twins, with the twin's state_dict loaded into ours.

Forward outputs and the gradients of inputs and parameters agree to 1e-5 in float32 and
1e-10 in float64; BatchNorm's running statistics agree after several training steps;
reprs, state-dict keys and shapes, and the initializers' fan rules are the same.
"""
import collections

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")

import chainrule as cr  # noqa: E402
import chainrule.nn as nn  # noqa: E402
import chainrule.nn.functional as F  # noqa: E402
from chainrule.nn import init  # noqa: E402

DTYPES = {"float32": (np.float32, torch.float32, 1e-5), "float64": (np.float64, torch.float64, 1e-10)}


def load_from_torch(ours, theirs):
    """Our module with the torch module's state (and dtype) loaded into it."""
    if next(iter(theirs.state_dict().values()), torch.zeros(0)).dtype == torch.float64:
        ours.double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours


def randomize(module, seed=0):
    """Give every floating parameter of a torch module random values (not the 1s and 0s of a fresh
    normalization layer), so that its gradients are exercised."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand(p.shape, generator=generator, dtype=p.dtype) + 0.5)
    return module


def compare(ours, theirs, x, tol, check_params=True):
    """Forward, then backward of a random projection of the output, in both libraries."""
    xt = torch.tensor(x, requires_grad=True)
    xc = cr.tensor(x, requires_grad=True)
    yt, yc = theirs(xt), ours(xc)
    assert yc.shape == tuple(yt.shape) and yc.dtype == yt.detach().numpy().dtype
    np.testing.assert_allclose(yc.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(1).standard_normal(yc.shape).astype(x.dtype)
    yt.backward(torch.tensor(g))
    yc.backward(g)
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol,
                               err_msg="input gradient")
    if check_params:
        theirs_params = dict(theirs.named_parameters())
        ours_params = dict(ours.named_parameters())
        assert list(ours_params) == list(theirs_params)
        for name, p in ours_params.items():
            np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), rtol=tol,
                                       atol=tol, err_msg=f"gradient of {name}")


def data(shape, dtype, seed=0, scale=1.0, shift=0.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype(dtype)


# --------------------------------------------------------------------------- Linear
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(8, 20), (2, 3, 20), (20,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(dtype, shape, bias):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = torch.nn.Linear(20, 7, bias=bias, dtype=torch_dtype)
    ours = load_from_torch(nn.Linear(20, 7, bias=bias), theirs)
    compare(ours, theirs, data(shape, np_dtype), tol)


# --------------------------------------------------------------------------- Bilinear
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lead", [(8,), (2, 3), ()], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(dtype, lead, bias):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = torch.nn.Bilinear(5, 4, 3, bias=bias, dtype=torch_dtype)
    ours = load_from_torch(nn.Bilinear(5, 4, 3, bias=bias), theirs)
    assert repr(ours) == repr(theirs)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    x1, x2 = data(lead + (5,), np_dtype, seed=1), data(lead + (4,), np_dtype, seed=2)
    t1, t2 = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    c1, c2 = cr.tensor(x1, requires_grad=True), cr.tensor(x2, requires_grad=True)
    yt, yc = theirs(t1, t2), ours(c1, c2)
    assert yc.shape == tuple(yt.shape) and yc.dtype == np_dtype
    np.testing.assert_allclose(yc.numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    g = data(yc.shape, np_dtype, seed=3)
    yt.backward(torch.tensor(g))
    yc.backward(g)
    for ours_t, theirs_t, name in ((c1, t1, "input1"), (c2, t2, "input2"),
                                   *[(p, q, n) for (n, p), q in zip(ours.named_parameters(),
                                                                    theirs.parameters())]):
        np.testing.assert_allclose(ours_t.grad.numpy(), theirs_t.grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=f"gradient of {name}")


# --------------------------------------------------------------------------- activations
ACTIVATIONS = [
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU()),
    (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    (lambda: nn.Tanh(), lambda: torch.nn.Tanh()),
    (lambda: nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    (lambda: nn.ELU(0.7), lambda: torch.nn.ELU(0.7)),
    (lambda: nn.Softplus(2.0, 3.0), lambda: torch.nn.Softplus(2.0, 3.0)),
    (lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1)),
    (lambda: nn.LogSoftmax(dim=-1), lambda: torch.nn.LogSoftmax(dim=-1)),
    (lambda: nn.Softmin(dim=0), lambda: torch.nn.Softmin(dim=0)),
    (lambda: nn.Softmin(), lambda: torch.nn.Softmin()),
    (lambda: nn.SiLU(), lambda: torch.nn.SiLU()),
    (lambda: nn.Mish(), lambda: torch.nn.Mish()),
    (lambda: nn.Hardtanh(), lambda: torch.nn.Hardtanh()),
    (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6()),
    (lambda: nn.Hardsigmoid(), lambda: torch.nn.Hardsigmoid()),
    (lambda: nn.Hardswish(), lambda: torch.nn.Hardswish()),
    (lambda: nn.SELU(), lambda: torch.nn.SELU()),
    (lambda: nn.CELU(), lambda: torch.nn.CELU()),
    (lambda: nn.LogSigmoid(), lambda: torch.nn.LogSigmoid()),
    (lambda: nn.Softsign(), lambda: torch.nn.Softsign()),
    (lambda: nn.Tanhshrink(), lambda: torch.nn.Tanhshrink()),
    (lambda: nn.Softshrink(), lambda: torch.nn.Softshrink()),
    (lambda: nn.Softshrink(1.5), lambda: torch.nn.Softshrink(1.5)),
    (lambda: nn.Hardshrink(), lambda: torch.nn.Hardshrink()),
    (lambda: nn.Hardshrink(2), lambda: torch.nn.Hardshrink(2)),
    (lambda: nn.Threshold(0.1, 20), lambda: torch.nn.Threshold(0.1, 20)),
    (lambda: nn.GLU(), lambda: torch.nn.GLU()),
    (lambda: nn.GLU(0), lambda: torch.nn.GLU(0)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make_ours, make_theirs", ACTIVATIONS,
                         ids=[repr(t()) for _, t in ACTIVATIONS])
@pytest.mark.filterwarnings("ignore:.*mplicit dim:UserWarning")   # Softmin() picks dim 1, both warn
def test_activation(dtype, make_ours, make_theirs):
    np_dtype, _, tol = DTYPES[dtype]
    ours, theirs = make_ours(), make_theirs()
    if isinstance(ours, nn.Hardsigmoid) and dtype == "float64":
        tol = 1e-7  # PyTorch's hardsigmoid backward uses 1/6 rounded to float32, even in float64
    assert repr(ours) == repr(theirs)
    compare(ours, theirs, data((4, 6), np_dtype, scale=3), tol)


# PyTorch's in-place variants overwrite their input, so torch's runs on a copy (not a leaf)
INPLACE_ACTIVATIONS = [
    (lambda: nn.SiLU(inplace=True), lambda: torch.nn.SiLU(inplace=True)),
    (lambda: nn.Mish(True), lambda: torch.nn.Mish(True)),
    (lambda: nn.Hardtanh(-2, 3, True), lambda: torch.nn.Hardtanh(-2, 3, True)),
    (lambda: nn.ReLU6(True), lambda: torch.nn.ReLU6(True)),
    (lambda: nn.Hardsigmoid(True), lambda: torch.nn.Hardsigmoid(True)),
    (lambda: nn.Hardswish(True), lambda: torch.nn.Hardswish(True)),
    (lambda: nn.SELU(True), lambda: torch.nn.SELU(True)),
    (lambda: nn.CELU(2.0, True), lambda: torch.nn.CELU(2.0, True)),
    (lambda: nn.Threshold(-1.0, 0.5, True), lambda: torch.nn.Threshold(-1.0, 0.5, True)),
]


@pytest.mark.parametrize("make_ours, make_theirs", INPLACE_ACTIVATIONS,
                         ids=[repr(t()) for _, t in INPLACE_ACTIVATIONS])
def test_inplace_activation(make_ours, make_theirs):
    ours, theirs = make_ours(), make_theirs()
    assert repr(ours) == repr(theirs)
    x = data((4, 6), np.float64, scale=3)
    xt, xc = torch.tensor(x, requires_grad=True), cr.tensor(x, requires_grad=True)
    yt, yc = theirs(xt * 1), ours(xc)
    np.testing.assert_allclose(yc.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    yt.sum().backward()
    yc.sum().backward()
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-7, atol=1e-10)  # Hardsigmoid's 1/6
    np.testing.assert_array_equal(xc.numpy(), x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("num_parameters, shape", [(1, (4, 6)), (1, (7,)), (1, ()), (3, (4, 3)),
                                                   (3, (2, 3, 5)), (3, (2, 3, 4, 2))])
def test_prelu_loads_torchs_weight_and_matches(dtype, num_parameters, shape):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = torch.nn.PReLU(num_parameters, init=0.1, dtype=torch_dtype)
    with torch.no_grad():
        theirs.weight.copy_(torch.linspace(-0.5, 0.7, num_parameters, dtype=torch_dtype))
    ours = load_from_torch(nn.PReLU(num_parameters, init=0.1), theirs)
    assert repr(ours) == repr(theirs)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    np.testing.assert_array_equal(ours.weight.numpy(), theirs.weight.detach().numpy())
    # (np.asarray: a 0-d array keeps its dtype, where a NumPy scalar would become float32)
    compare(ours, theirs, np.asarray(data(shape, np_dtype, scale=2)), tol)
    # and back: our state_dict loads into a fresh torch PReLU
    fresh = torch.nn.PReLU(num_parameters, dtype=torch_dtype)
    fresh.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_array_equal(fresh.weight.detach().numpy(), theirs.weight.detach().numpy())


# --------------------------------------------------------------------------- BatchNorm
BATCH_NORMS = [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (16, 5)),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 5, 7)),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 5, 3, 6)),
    (nn.BatchNorm3d, torch.nn.BatchNorm3d, (3, 5, 2, 3, 4)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ours_class, theirs_class, shape", BATCH_NORMS, ids=["1d", "1d-NCL", "2d", "3d"])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_training_steps_then_eval(dtype, ours_class, theirs_class, shape, momentum):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = randomize(theirs_class(5, momentum=momentum, dtype=torch_dtype))
    ours = load_from_torch(ours_class(5, momentum=momentum), theirs)
    for step in range(4):
        for module in (ours, theirs):
            module.zero_grad()
        compare(ours, theirs, data(shape, np_dtype, seed=step, scale=step + 1, shift=step), tol)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=tol,
                                   atol=tol, err_msg=key)
    assert ours.num_batches_tracked.item() == 4
    ours.eval(), theirs.eval()
    ours.zero_grad(), theirs.zero_grad()
    compare(ours, theirs, data(shape, np_dtype, seed=10, scale=2), tol)


@pytest.mark.parametrize("options", [dict(affine=False), dict(bias=False),
                                     dict(track_running_stats=False), dict(eps=0.1, momentum=0.5)],
                         ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batch_norm_options(options, training):
    theirs = randomize(torch.nn.BatchNorm2d(3, dtype=torch.float64, **options)).train(training)
    ours = load_from_torch(nn.BatchNorm2d(3, **options), theirs).double().train(training)
    if ours.running_mean is not None:     # non-trivial running statistics for eval mode
        warmup = data((6, 3, 2, 2), np.float64, seed=4, scale=3, shift=1)
        ours.train()(cr.tensor(warmup)), theirs.train()(torch.tensor(warmup))
        ours.train(training), theirs.train(training)
    compare(ours, theirs, data((4, 3, 2, 3), np.float64, seed=5, scale=2, shift=-1), 1e-10)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


# --------------------------------------------------------------------------- LayerNorm
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("normalized_shape, shape", [(6, (4, 6)), ((3, 6), (2, 5, 3, 6))])
@pytest.mark.parametrize("options", [dict(), dict(elementwise_affine=False), dict(bias=False),
                                     dict(eps=0.01)],
                         ids=["affine", "no-affine", "no-bias", "eps"])
def test_layer_norm(dtype, normalized_shape, shape, options):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = randomize(torch.nn.LayerNorm(normalized_shape, dtype=torch_dtype, **options))
    ours = load_from_torch(nn.LayerNorm(normalized_shape, **options), theirs)
    if np_dtype == np.float64:
        ours.double()
    assert repr(ours) == repr(theirs)
    compare(ours, theirs, data(shape, np_dtype, scale=3, shift=2), tol)


# --------------------------------------------------------------------------- GroupNorm, InstanceNorm, RMSNorm
NORMS = [  # (constructor arguments, input shape)
    ("GroupNorm", (3, 6), {}, (4, 6, 2, 3)),
    ("GroupNorm", (2, 4), dict(affine=False), (3, 4, 5)),
    ("GroupNorm", (1, 4), dict(bias=False, eps=0.01), (3, 4)),
    ("InstanceNorm1d", (3,), dict(affine=True), (4, 3, 7)),
    ("InstanceNorm1d", (3,), {}, (3, 7)),
    ("InstanceNorm2d", (3,), dict(affine=True, bias=False), (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), dict(affine=True), (3, 4, 5)),
    ("RMSNorm", (6,), {}, (4, 6)),
    ("RMSNorm", ((3, 6),), dict(eps=1e-3), (2, 5, 3, 6)),
    ("RMSNorm", (6,), dict(elementwise_affine=False), (2, 6)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args, options, shape", NORMS,
                         ids=[f"{n}{a}{o}{s}".replace(" ", "") for n, a, o, s in NORMS])
def test_norm_layers_load_torch_state_and_agree(dtype, name, args, options, shape):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = randomize(getattr(torch.nn, name)(*args, dtype=torch_dtype, **options))
    ours = load_from_torch(getattr(nn, name)(*args, **options), theirs)
    assert repr(ours) == repr(theirs)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    compare(ours, theirs, data(shape, np_dtype, scale=3, shift=2), tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ours_class, theirs_class, shape", [
    (nn.InstanceNorm1d, torch.nn.InstanceNorm1d, (4, 5, 7)),
    (nn.InstanceNorm2d, torch.nn.InstanceNorm2d, (2, 5, 3, 4)),
    (nn.InstanceNorm2d, torch.nn.InstanceNorm2d, (5, 3, 4))], ids=["1d", "2d", "2d-unbatched"])
def test_instance_norm_running_statistics_then_eval(dtype, ours_class, theirs_class, shape):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = randomize(theirs_class(5, momentum=0.3, affine=True, track_running_stats=True,
                                    dtype=torch_dtype))
    ours = load_from_torch(ours_class(5, momentum=0.3, affine=True, track_running_stats=True), theirs)
    for step in range(3):
        for module in (ours, theirs):
            module.zero_grad()
        compare(ours, theirs, data(shape, np_dtype, seed=step, scale=step + 1, shift=step), tol)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=tol,
                                   atol=tol, err_msg=key)
    ours.eval(), theirs.eval()
    ours.zero_grad(), theirs.zero_grad()
    compare(ours, theirs, data(shape, np_dtype, seed=10, scale=2), tol)


def test_rms_norm_default_eps_is_the_dtypes_machine_epsilon():
    """Tiny inputs, where eps dominates: float32 and float64 each use their own epsilon."""
    for np_dtype, torch_dtype in ((np.float32, torch.float32), (np.float64, torch.float64)):
        x = data((3, 4), np_dtype, scale=1e-4)
        expected = torch.nn.functional.rms_norm(torch.tensor(x), (4,)).numpy()
        ours = F.rms_norm(cr.tensor(x), (4,))
        assert ours.dtype == np_dtype
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-5 if np_dtype == np.float32 else 1e-12)


# --------------------------------------------------------------------------- Dropout, Flatten
def test_dropout_in_eval_mode_and_its_training_statistics():
    theirs, ours = torch.nn.Dropout(0.3).eval(), nn.Dropout(0.3).eval()
    compare(ours, theirs, data((3, 4), np.float32), 0)
    ours.train()
    cr.manual_seed(0)
    y = ours(cr.ones(100, 100)).numpy()
    expected = torch.nn.Dropout(0.3)(torch.ones(100, 100)).numpy()  # masks differ; the values do not
    assert set(np.unique(y)) == set(np.unique(expected))
    assert abs((y == 0).mean() - 0.3) < 0.02


@pytest.mark.parametrize("ours, theirs, shape", [
    (nn.Flatten(), torch.nn.Flatten(), (2, 3, 4, 5)),
    (nn.Flatten(0, -2), torch.nn.Flatten(0, -2), (2, 3, 4)),
    (nn.Unflatten(1, (3, 4)), torch.nn.Unflatten(1, (3, 4)), (2, 12, 5)),
    (nn.Unflatten(-1, [2, -1]), torch.nn.Unflatten(-1, [2, -1]), (3, 8)),
], ids=["flatten", "flatten-0-2", "unflatten", "unflatten-infer"])
def test_flatten_unflatten(ours, theirs, shape):
    assert repr(ours) == repr(theirs)
    compare(ours, theirs, data(shape, np.float64), 0)


# --------------------------------------------------------------------------- a model
def _torch_mlp(dtype):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(),
                               torch.nn.Dropout(0.5), torch.nn.Linear(16, 3)).to(dtype)


def _our_mlp():
    return nn.Sequential(nn.Linear(10, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(16, 3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_loaded_from_torch_gives_the_same_outputs(dtype):
    np_dtype, torch_dtype, tol = DTYPES[dtype]
    theirs = _torch_mlp(torch_dtype)
    randomize(theirs[1], seed=2)
    with torch.no_grad():                 # give BatchNorm running statistics worth checking
        theirs.train()[1](torch.tensor(data((32, 16), np_dtype, scale=2, shift=1)))
    theirs.eval()
    ours = load_from_torch(_our_mlp(), theirs).eval()
    assert [k for k in ours.state_dict()] == [k for k in theirs.state_dict()]
    for key, value in theirs.state_dict().items():
        assert ours.state_dict()[key].shape == tuple(value.shape)
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy())
    compare(ours, theirs, data((8, 10), np_dtype), tol)
    assert repr(ours) == repr(theirs)


def test_sequential_repr_matches_torch_for_every_layer():
    def build(lib):
        return lib.Sequential(collections.OrderedDict([
            ("fc", lib.Linear(784, 512)), ("bn", lib.BatchNorm1d(512, momentum=None)),
            ("act", lib.LeakyReLU(0.2, inplace=True)), ("drop", lib.Dropout(0.25)),
            ("block", lib.Sequential(lib.Linear(512, 10, bias=False), lib.GELU(), lib.ELU(),
                                     lib.Softplus(), lib.Sigmoid(), lib.Tanh(), lib.ReLU(True))),
            ("norm", lib.LayerNorm([10], eps=1e-6)), ("bn2", lib.BatchNorm2d(3, affine=False)),
            ("flat", lib.Flatten()), ("unflat", lib.Unflatten(1, (2, 5))),
            ("heads", lib.ModuleDict({"a": lib.Softmax(dim=1), "b": lib.LogSoftmax(1)})),
            ("stack", lib.ModuleList([lib.Linear(2, 2), lib.Linear(2, 2), lib.Identity()])),
        ]))
    assert repr(build(nn)) == repr(build(torch.nn))


def test_state_dict_keys_and_shapes_match_torch():
    def build(lib):
        return lib.Sequential(lib.Linear(6, 4), lib.BatchNorm1d(4), lib.LayerNorm((4,)),
                              lib.ModuleList([lib.Linear(4, 2, bias=False)]),
                              lib.BatchNorm2d(2, affine=False),
                              lib.ModuleDict({"x": lib.BatchNorm1d(3, track_running_stats=False)}))
    ours, theirs = build(nn).state_dict(), build(torch.nn).state_dict()
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        assert ours[key].shape == tuple(value.shape), key
        assert ours[key].dtype == value.numpy().dtype, key


def _torch_repr_with_our_dtype_names(text):
    """PyTorch's repr with its dtype names as chainrule prints them (float32, not torch.float32 or
    torch.FloatTensor): everything else must be the same."""
    for theirs, ours in (("torch.FloatTensor", "float32"), ("torch.DoubleTensor", "float64"),
                         ("torch.float32", "float32"), ("torch.float64", "float64")):
        text = text.replace(theirs, ours)
    return text


@pytest.mark.parametrize("make", [
    lambda lib, m: lib.ParameterList([m(2, 3), m(4)]), lambda lib, m: lib.ParameterList([m(3)]),
    lambda lib, m: lib.ParameterList(), lambda lib, m: lib.ParameterDict({"w": m(2, 2), "b": m(2)}),
    lambda lib, m: lib.ParameterDict({"only": m(5)}),
    lambda lib, m: lib.Sequential(lib.Linear(2, 3), lib.ParameterList([m(1), m(3, 1)])),
])
def test_parameter_containers_match_torch(make):
    ours = make(nn, lambda *shape: nn.Parameter(cr.randn(*shape)))
    theirs = make(torch.nn, lambda *shape: torch.nn.Parameter(torch.randn(*shape)))
    assert repr(ours) == _torch_repr_with_our_dtype_names(repr(theirs))
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy())


# --------------------------------------------------------------------------- init
@pytest.mark.parametrize("shape", [(5, 3), (16, 8, 3, 3), (4, 2, 5), (7, 1, 2, 3, 4)])
def test_fan_rules_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(cr.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv1d", None), ("conv_transpose3d", None), ("sigmoid", None),
    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3),
    ("selu", None)])
def test_gains_match_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


def test_default_initializations_have_torchs_spread():
    """Same distributions as torch's defaults: compare bounds and spreads on large layers."""
    cr.manual_seed(0), torch.manual_seed(0)
    ours, theirs = nn.Linear(500, 400), torch.nn.Linear(500, 400)
    for name in ("weight", "bias"):
        a, b = getattr(ours, name).numpy(), getattr(theirs, name).detach().numpy()
        assert abs(np.abs(a).max() - np.abs(b).max()) < 0.01 * np.abs(b).max()
        assert abs(a.std() - b.std()) < 0.05 * b.std()
    w, wt = cr.zeros(300, 200, 3, 3), torch.zeros(300, 200, 3, 3)
    for ours_fn, theirs_fn, kwargs in [
            (init.xavier_uniform_, torch.nn.init.xavier_uniform_, dict(gain=1.5)),
            (init.xavier_normal_, torch.nn.init.xavier_normal_, {}),
            (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, dict(a=0.1, mode="fan_out")),
            (init.kaiming_normal_, torch.nn.init.kaiming_normal_, dict(nonlinearity="relu"))]:
        ours_fn(w, **kwargs), theirs_fn(wt, **kwargs)
        assert abs(w.numpy().std() - wt.numpy().std()) < 0.01 * wt.numpy().std(), ours_fn.__name__


# --------------------------------------------------------------------------- distances and one_hot
def test_distance_modules_match_torch():
    r = np.random.default_rng(7)
    a, b = r.standard_normal((5, 4)), r.standard_normal((5, 4))
    pairs = [(cr.nn.CosineSimilarity(dim=0, eps=1e-3), torch.nn.CosineSimilarity(dim=0, eps=1e-3)),
             (cr.nn.PairwiseDistance(p=1.0, eps=1e-4, keepdim=True),
              torch.nn.PairwiseDistance(p=1.0, eps=1e-4, keepdim=True))]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(cr.tensor(a), cr.tensor(b)).data,
                                   theirs(torch.tensor(a), torch.tensor(b)).numpy(), rtol=1e-12)
        assert repr(ours) == repr(theirs)
        public = {k: v for k, v in vars(theirs).items() if not k.startswith("_") and k != "training"}
        assert {k: getattr(ours, k) for k in public} == public
        assert ours.state_dict() == {} and len(theirs.state_dict()) == 0


def test_cosine_similarity_and_pairwise_distance_of_zero_vectors_match_torch():
    zeros = np.zeros((2, 3))
    for ours, theirs in ((cr.nn.functional.cosine_similarity, torch.nn.functional.cosine_similarity),
                         (cr.nn.functional.normalize, torch.nn.functional.normalize)):
        x = cr.tensor(zeros, requires_grad=True)
        t = torch.tensor(zeros, requires_grad=True)
        out, expected = (ours(x, x), theirs(t, t)) if ours is not cr.nn.functional.normalize else (ours(x), theirs(t))
        np.testing.assert_array_equal(out.data, expected.detach().numpy())
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


@pytest.mark.parametrize("indices, num_classes", [([0, 2, 1], -1), ([[0], [3]], 5), ([], 3), (2, 4)])
def test_one_hot_matches_torch(indices, num_classes):
    ours = cr.nn.functional.one_hot(cr.tensor(np.array(indices, dtype=np.int64)), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(indices, dtype=torch.int64), num_classes)
    assert ours.dtype == np.int64 and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())
