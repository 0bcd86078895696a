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


# --------------------------------------------------------------------------- margin, ranking, likelihood losses
NEW_MODULES = [
    ("CosineEmbeddingLoss", {"margin": 0.2}, ((4, 3), (4, 3), "signs")),
    ("MarginRankingLoss", {"margin": 0.5, "reduction": "sum"}, ((4,), (4,), "signs")),
    ("HingeEmbeddingLoss", {"margin": 2.0}, ((4, 3), "signs")),
    ("SoftMarginLoss", {"reduction": "none"}, ((4, 3), "signs")),
    ("MultiLabelSoftMarginLoss", {"weight": True}, ((4, 3), "binary")),
    ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": True}, ((4, 3), "classes")),
    ("TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True}, ((4, 3), (4, 3), (4, 3))),
    ("PoissonNLLLoss", {"log_input": False, "full": True, "eps": 1e-4}, ((4, 3), "counts")),
    ("GaussianNLLLoss", {"full": True, "eps": 1e-3}, ((4, 3), (4, 3), "variances")),
]


def _new_module_inputs(shapes, r):
    """Arrays for a loss module's arguments: floats, labels ±1 (per sample when the
    previous input is a batch of vectors), 0/1 targets, class indices, counts or variances."""
    arrays = []
    for shape in shapes:
        if shape == "signs":
            n = arrays[0].shape[:1] if len(arrays) == 2 and arrays[0].ndim == 2 else arrays[-1].shape
            arrays.append(r.choice([-1.0, 1.0], n))
        elif shape == "binary":
            arrays.append((r.uniform(size=arrays[0].shape) > 0.5).astype(np.float64))
        elif shape == "classes":
            arrays.append(r.integers(0, arrays[0].shape[1], arrays[0].shape[0]))
        elif shape in ("counts", "variances"):
            arrays.append(r.uniform(0.1, 3.0, arrays[0].shape))
            arrays[0] = np.abs(arrays[0]) + 0.1
        else:
            arrays.append(r.standard_normal(shape))
    return arrays


@pytest.mark.parametrize("name, options, shapes", NEW_MODULES, ids=[m[0] for m in NEW_MODULES])
def test_margin_and_likelihood_loss_modules(name, options, shapes):
    """Each new loss module against torch's: value, gradients, repr, attributes, state_dict keys."""
    r = rng(11)
    options = dict(options)
    if options.get("weight"):
        options["weight"] = r.uniform(0.5, 2.0, 3)
    ours, theirs = both(options, np.float64)
    ours_module, theirs_module = getattr(nn, name)(**ours), getattr(torch.nn, name)(**theirs)
    arrays = _new_module_inputs(shapes, r)
    labels = [shape in ("signs", "binary", "classes", "counts") for shape in shapes]
    ours_in = [cr.tensor(a, requires_grad=not label) for a, label in zip(arrays, labels)]
    theirs_in = [torch.tensor(a, requires_grad=not label) for a, label in zip(arrays, labels)]
    got, expected = ours_module(*ours_in), theirs_module(*theirs_in)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TOLERANCE[np.float64])
    got.sum().backward()
    expected.sum().backward()
    for mine, reference in zip(ours_in, theirs_in):
        if reference.grad is not None:
            np.testing.assert_allclose(mine.grad.data, reference.grad.numpy(), **TOLERANCE[np.float64])
    assert repr(ours_module) == repr(theirs_module)
    assert sorted(ours_module.state_dict()) == sorted(theirs_module.state_dict())
    public = {k: v for k, v in vars(theirs_module).items() if not k.startswith("_") and k != "training"}
    assert {k: getattr(ours_module, k) for k in public} == public


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
def test_gaussian_nll_loss_variance_shapes_like_pytorch(var_shape):
    r = rng(12)
    x, t, v = r.standard_normal((4, 3)), r.standard_normal((4, 3)), r.uniform(0.5, 2, var_shape)
    for reduction in REDUCTIONS:
        compare(lambda a, b, c: F.gaussian_nll_loss(a, b, c, reduction=reduction),
                lambda a, b, c: TF.gaussian_nll_loss(a, b, c, reduction=reduction),
                (x, t, v), (True, True, True), np.float64)
    np.testing.assert_allclose(F.gaussian_nll_loss(cr.tensor(x), cr.tensor(t), 0.7).item(),
                               TF.gaussian_nll_loss(torch.tensor(x), torch.tensor(t), 0.7).item())
    with pytest.raises(ValueError, match="var is of incorrect size"):
        TF.gaussian_nll_loss(torch.tensor(x), torch.tensor(t), torch.ones(4, 2))
    with pytest.raises(ValueError, match=r"gaussian_nll_loss: var of shape \(4, 2\) does not fit"):
        F.gaussian_nll_loss(cr.tensor(x), cr.tensor(t), cr.ones(4, 2))


def test_multi_margin_loss_divides_by_the_class_count_and_mean_by_n():
    x = np.array([[0.1, 0.2, 0.4, 0.8], [0.3, -0.2, 0.0, 0.5]])
    y = np.array([3, 1])
    # sample 0: (1 - 0.8 + 0.1) + (1 - 0.8 + 0.2) + (1 - 0.8 + 0.4) = 1.3, over 4 classes
    # sample 1: (1 + 0.2 + 0.3) + (1 + 0.2 + 0.0) + (1 + 0.2 + 0.5) = 4.4, over 4 classes
    expected = (1.3 / 4 + 4.4 / 4) / 2
    for lib, functional in ((cr, F), (torch, TF)):
        value = functional.multi_margin_loss(lib.tensor(x), lib.tensor(y)).item()
        np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_poisson_nll_loss_full_adds_stirling_only_above_one():
    x, t = np.array([0.3, 0.3, 0.3]), np.array([0.5, 1.0, 3.0])
    ours = F.poisson_nll_loss(cr.tensor(x), cr.tensor(t), full=True, reduction="none").data
    theirs = TF.poisson_nll_loss(torch.tensor(x), torch.tensor(t), full=True, reduction="none").numpy()
    stirling = 3 * np.log(3) - 3 + 0.5 * np.log(2 * np.pi * 3)
    np.testing.assert_allclose(ours, np.exp(x) - t * x + [0, 0, stirling], rtol=1e-12)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_margin_ranking_and_embedding_labels_like_pytorch():
    """Labels other than ±1: hinge_embedding_loss adds both terms, cosine_embedding_loss neither."""
    r = rng(13)
    x, t = r.standard_normal(5), np.array([1.0, -1.0, 0.0, 2.0, -3.0])
    np.testing.assert_allclose(
        F.hinge_embedding_loss(cr.tensor(x), cr.tensor(t), reduction="none").data,
        TF.hinge_embedding_loss(torch.tensor(x), torch.tensor(t), reduction="none").numpy(), rtol=1e-12)
    a, b = r.standard_normal((5, 3)), r.standard_normal((5, 3))
    np.testing.assert_allclose(
        F.cosine_embedding_loss(cr.tensor(a), cr.tensor(b), cr.tensor(t), reduction="none").data,
        TF.cosine_embedding_loss(torch.tensor(a), torch.tensor(b), torch.tensor(t), reduction="none").numpy(),
        rtol=1e-12)
