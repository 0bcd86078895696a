"""Losses against PyTorch: values and gradients (input, and target where differentiable) for
every loss x reduction x option, float64 to rtol 1e-10 and float32 to 1e-5."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")
import torch.nn.functional as TF  # noqa: E402

import chainrule as cr  # noqa: E402
import chainrule.nn as nn  # noqa: E402
import chainrule.nn.functional as F  # noqa: E402

REDUCTIONS = ["mean", "sum", "none"]
TOLERANCE = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


def compare(ours, theirs, arrays, differentiable, dtype, seed=0):
    """Run ``ours`` on chainrule tensors and ``theirs`` on torch tensors made from ``arrays``;
    backpropagate the same random output gradient through both and compare everything.

    ``arrays`` are (input, target); ``differentiable`` says which of them require grad.
    """
    ours_in, theirs_in = [], []
    for array, grad in zip(arrays, differentiable):
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(dtype)
        ours_in.append(cr.tensor(array, requires_grad=grad))
        theirs_in.append(torch.tensor(array, requires_grad=grad))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # kl_div's 'mean' warns in both libraries
        got, expected = ours(*ours_in), theirs(*theirs_in)
    tolerance = TOLERANCE[dtype]
    assert got.dtype == dtype and got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **tolerance)
    g = np.random.default_rng(seed).standard_normal(got.shape).astype(dtype)
    got.backward(cr.tensor(g))
    expected.backward(torch.tensor(g))
    for mine, reference, grad in zip(ours_in, theirs_in, differentiable):
        if grad:
            assert mine.grad.dtype == dtype
            np.testing.assert_allclose(mine.grad.data, reference.grad.numpy(), **tolerance)


def both(options, dtype):
    """The options as chainrule arguments and as torch arguments (arrays become tensors)."""
    ours = {k: cr.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v
            for k, v in options.items()}
    theirs = {k: torch.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v
              for k, v in options.items()}
    return ours, theirs


DTYPES = [np.float64, np.float32]


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors: torch's thread pool only adds overhead (much of it on a busy machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

rng = np.random.default_rng


# --------------------------------------------------------------------------- regression
REGRESSION = [
    ("mse_loss", {}), ("l1_loss", {}),
    ("huber_loss", {}), ("huber_loss", {"delta": 0.4}), ("huber_loss", {"delta": 2.5}),
    ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.4}), ("smooth_l1_loss", {"beta": 0.0}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, options", REGRESSION)
def test_regression_losses(name, options, reduction, dtype):
    r = rng(1)
    x, t = r.standard_normal((5, 4)), r.standard_normal((5, 4))
    compare(lambda a, b: getattr(F, name)(a, b, reduction=reduction, **options),
            lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **options),
            (x, t), (True, True), dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"])
def test_regression_losses_broadcast_like_pytorch(name):
    r = rng(2)
    x, t = r.standard_normal((5, 1)), r.standard_normal((5, 4))
    compare(lambda a, b: getattr(F, name)(a, b), lambda a, b: getattr(TF, name)(a, b),
            (x, t), (True, True), np.float64)


# --------------------------------------------------------------------------- binary
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (4,), (5, 4)])
def test_binary_cross_entropy(weight_shape, reduction, dtype):
    r = rng(3)
    p, t = r.uniform(0.02, 0.98, (5, 4)), r.uniform(0, 1, (5, 4))
    options = {} if weight_shape is None else {"weight": r.uniform(0.2, 2.0, weight_shape)}
    ours, theirs = both(options, dtype)
    compare(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction, **ours),
            lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction, **theirs),
            (p, t), (True, True), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["none", "weight", "pos_weight", "both"])
def test_binary_cross_entropy_with_logits(options, reduction, dtype):
    r = rng(4)
    x, t = 4 * r.standard_normal((5, 4)), r.uniform(0, 1, (5, 4))
    extra = {}
    if options in ("weight", "both"):
        extra["weight"] = r.uniform(0.2, 2.0, (5, 1))
    if options in ("pos_weight", "both"):
        extra["pos_weight"] = r.uniform(0.2, 3.0, (4,))
    ours, theirs = both(extra, dtype)
    compare(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction, **ours),
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=reduction, **theirs),
            (x, t), (True, True), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_with_logits_at_extreme_logits(dtype):
    x = np.array([[1e4, -1e4, 30.0], [-30.0, 1e4, -1e4]])
    t = np.array([[0.0, 1.0, 0.3], [1.0, 1.0, 0.0]])
    compare(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=cr.tensor([2.0, 1, 3])),
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, pos_weight=torch.tensor([2.0, 1, 3])),
            (x, t), (True, True), dtype)


# --------------------------------------------------------------------------- cross-entropy and NLL
CLASS_OPTIONS = [
    {}, {"weight": True}, {"ignore_index": 2}, {"label_smoothing": 0.15},
    {"weight": True, "ignore_index": 2}, {"weight": True, "label_smoothing": 0.3},
    {"ignore_index": 2, "label_smoothing": 0.3},
    {"weight": True, "ignore_index": 2, "label_smoothing": 0.3},
]
SHAPES = [(6, 5), (3, 5, 2, 3), (5,)]


def class_options(options, classes, dtype, r):
    options = dict(options)
    if options.pop("weight", False):
        options["weight"] = r.uniform(0.2, 2.0, classes)
    return both(options, dtype)


def class_targets(shape, r):
    classes = shape[0] if len(shape) == 1 else shape[1]
    index_shape = () if len(shape) == 1 else shape[:1] + shape[2:]
    y = r.integers(0, classes, index_shape)
    if y.ndim:
        y.reshape(-1)[:2] = 2          # make sure ignore_index=2 hits something
    else:
        y = np.array(2)
    return classes, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CLASS_OPTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_class_indices(shape, options, reduction, dtype):
    r = rng(5)
    classes, y = class_targets(shape, r)
    ours, theirs = class_options(options, classes, dtype, r)
    compare(lambda a, b: F.cross_entropy(a, b, reduction=reduction, **ours),
            lambda a, b: TF.cross_entropy(a, b, reduction=reduction, **theirs),
            (3 * r.standard_normal(shape), y), (True, False), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [o for o in CLASS_OPTIONS if "ignore_index" not in o])
@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_probabilities(shape, options, reduction, dtype):
    r = rng(6)
    classes = shape[0] if len(shape) == 1 else shape[1]
    axis = 0 if len(shape) == 1 else 1
    t = r.uniform(0.0, 1.0, shape)
    t /= t.sum(axis=axis, keepdims=True)
    ours, theirs = class_options(options, classes, dtype, r)
    compare(lambda a, b: F.cross_entropy(a, b, reduction=reduction, **ours),
            lambda a, b: TF.cross_entropy(a, b, reduction=reduction, **theirs),
            (3 * r.standard_normal(shape), t), (True, True), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [o for o in CLASS_OPTIONS if "label_smoothing" not in o])
@pytest.mark.parametrize("shape", SHAPES)
def test_nll_loss(shape, options, reduction, dtype):
    r = rng(7)
    classes, y = class_targets(shape, r)
    ours, theirs = class_options(options, classes, dtype, r)
    x = torch.log_softmax(torch.tensor(r.standard_normal(shape)), 0 if len(shape) == 1 else 1)
    compare(lambda a, b: F.nll_loss(a, b, reduction=reduction, **ours),
            lambda a, b: TF.nll_loss(a, b, reduction=reduction, **theirs),
            (x.numpy(), y), (True, False), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_at_extreme_logits(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    for smoothing in (0.0, 0.2):
        compare(lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing),
                lambda a, b: TF.cross_entropy(a, b, label_smoothing=smoothing),
                (x, np.array([1, 0, 2])), (True, False), dtype)


def test_all_targets_ignored_like_pytorch():
    x, y = np.random.default_rng(8).standard_normal((3, 4)), np.array([-100, -100, -100])
    for reduction in REDUCTIONS:
        got = F.cross_entropy(cr.tensor(x), cr.tensor(y), reduction=reduction)
        expected = TF.cross_entropy(torch.tensor(x), torch.tensor(y), reduction=reduction)
        np.testing.assert_array_equal(got.data, expected.numpy())   # NaN for 'mean' in both


# --------------------------------------------------------------------------- KL divergence
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(log_target, reduction, dtype):
    r = rng(9)
    x = np.log(r.dirichlet(np.ones(4), 5))
    t = r.dirichlet(np.ones(4), 5)
    t[0, 1] = 0.0 if not log_target else t[0, 1]   # a zero probability contributes 0
    if log_target:
        t = np.log(t)
    compare(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
            lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
            (x, t), (True, log_target), dtype)
    if not log_target:   # the target gradient away from t = 0, where log t is finite
        t = r.dirichlet(np.ones(4), 5)
        compare(lambda a, b: F.kl_div(a, b, reduction=reduction),
                lambda a, b: TF.kl_div(a, b, reduction=reduction),
                (x, t), (True, True), dtype)


# --------------------------------------------------------------------------- modules
MODULES = [
    ("MSELoss", {"reduction": "sum"}, "regression"),
    ("L1Loss", {}, "regression"),
    ("HuberLoss", {"delta": 0.5, "reduction": "none"}, "regression"),
    ("SmoothL1Loss", {"beta": 0.5}, "regression"),
    ("BCELoss", {"weight": True}, "probabilities"),
    ("BCEWithLogitsLoss", {"weight": True, "pos_weight": True}, "regression"),
    ("CrossEntropyLoss", {"weight": True, "ignore_index": 1, "label_smoothing": 0.2}, "classes"),
    ("NLLLoss", {"weight": True, "ignore_index": 1, "reduction": "sum"}, "classes"),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, "regression"),
]


@pytest.mark.parametrize("name, options, kind", MODULES)
def test_loss_modules(name, options, kind):
    r = rng(10)
    options = dict(options)
    for key in ("weight", "pos_weight"):
        if options.get(key):
            options[key] = r.uniform(0.5, 2.0, 4)
    ours, theirs = both(options, np.float64)
    x = r.standard_normal((6, 4))
    if kind == "classes":
        target = r.integers(0, 4, 6)
    elif kind == "probabilities":
        x, target = r.uniform(0.05, 0.95, (6, 4)), r.uniform(0, 1, (6, 4))
    else:
        target = r.uniform(0, 1, (6, 4))
    compare(getattr(nn, name)(**ours), getattr(torch.nn, name)(**theirs), (x, target),
            (True, kind != "classes"), np.float64)
    assert sorted(getattr(nn, name)(**ours).state_dict()) == \
        sorted(getattr(torch.nn, name)(**theirs).state_dict())


@pytest.mark.parametrize("size_average", [None, True, False])
@pytest.mark.parametrize("reduce", [None, True, False])
def test_legacy_flags_like_pytorch(size_average, reduce):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert nn.MSELoss(size_average, reduce).reduction == \
            torch.nn.MSELoss(size_average, reduce).reduction
        assert nn.CrossEntropyLoss(None, size_average, -100, reduce).reduction == \
            torch.nn.CrossEntropyLoss(None, size_average, -100, reduce).reduction
