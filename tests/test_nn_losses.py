"""Losses: gradients by finite differences, values against formulas written out in NumPy,
stability at extreme logits, reductions, the modules, and the errors.  No PyTorch needed."""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule import gradcheck

REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(array):
    return cr.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def const(array):
    return cr.tensor(np.asarray(array))


def away_from_kinks(shape, kinks, seed):
    """(input, target) whose differences |d| keep 0.05 away from every kink (0, delta, beta)."""
    r = rng(seed)
    d = r.uniform(0.05, 2.0, shape) * r.choice([-1.0, 1.0], shape)
    for k in kinks:
        close = np.abs(np.abs(d) - k) < 0.05
        d[close] += 0.1 * np.sign(d[close])
    x = r.standard_normal(shape)
    return x, x - d


def log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


# --------------------------------------------------------------------------- gradients
REGRESSION = {
    "mse_loss": (lambda x, t, r: F.mse_loss(x, t, reduction=r), ()),
    "l1_loss": (lambda x, t, r: F.l1_loss(x, t, reduction=r), ()),
    "huber_loss": (lambda x, t, r: F.huber_loss(x, t, reduction=r, delta=0.7), (0.7,)),
    "smooth_l1_loss": (lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.6), (0.6,)),
    "smooth_l1_loss beta=0": (lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.0), ()),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(REGRESSION))
def test_regression_losses_gradcheck_input_and_target(name, reduction):
    fn, kinks = REGRESSION[name]
    x, t = away_from_kinks((3, 4), kinks, seed=1)
    assert gradcheck(lambda a, b: fn(a, b, reduction), (leaf(x), leaf(t)))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"])
def test_regression_losses_gradcheck_with_broadcast_target(name):
    fn, kinks = REGRESSION[name]
    x, _ = away_from_kinks((3, 4), kinks, seed=2)
    t = x[0] - 0.3  # (4,) against (3, 4): summed back over the broadcast rows
    with pytest.warns(UserWarning, match="differs from input shape"):
        assert gradcheck(lambda a, b: fn(a, b, "mean"), (leaf(x), leaf(t)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_gradcheck_input_and_target(reduction, weighted):
    r = rng(3)
    p, t = r.uniform(0.05, 0.95, (3, 4)), r.uniform(0, 1, (3, 4))
    weight = const(r.uniform(0.5, 2.0, (4,))) if weighted else None
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, weight, reduction=reduction),
                     (leaf(p), leaf(t)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"pos_weight": True},
                                     {"weight": True, "pos_weight": True}])
def test_binary_cross_entropy_with_logits_gradcheck(reduction, options):
    r = rng(4)
    x, t = 3 * r.standard_normal((3, 4)), r.uniform(0, 1, (3, 4))
    weight = const(r.uniform(0.5, 2.0, (3, 1))) if options.get("weight") else None
    pos_weight = const(r.uniform(0.5, 3.0, (4,))) if options.get("pos_weight") else None
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, weight, reduction=reduction, pos_weight=pos_weight), (leaf(x), leaf(t)))


CLASS_OPTIONS = [
    {},
    {"weight": True},
    {"ignore_index": 1},
    {"label_smoothing": 0.2},
    {"weight": True, "ignore_index": 1, "label_smoothing": 0.3},
]


def class_problem(input_shape, seed, options):
    """Logits, class indices (some equal to class 1, the ignore_index used), and a weight."""
    r = rng(seed)
    x = 2 * r.standard_normal(input_shape)
    classes = input_shape[0] if len(input_shape) == 1 else input_shape[1]
    index_shape = () if len(input_shape) == 1 else input_shape[:1] + input_shape[2:]
    y = r.integers(0, classes, index_shape)
    if y.ndim:
        y.reshape(-1)[0] = 1
    weight = r.uniform(0.5, 2.0, classes) if options.get("weight") else None
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    return x, y, weight, kwargs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CLASS_OPTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2, 2), (4,)])
def test_cross_entropy_class_indices_gradcheck(shape, options, reduction):
    x, y, weight, kwargs = class_problem(shape, 5, options)
    w = None if weight is None else const(weight)
    assert gradcheck(lambda a: F.cross_entropy(a, const(y), w, reduction=reduction, **kwargs),
                     leaf(x))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"label_smoothing": 0.25},
                                     {"weight": True, "label_smoothing": 0.1}])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (4,)])
def test_cross_entropy_probabilities_gradcheck_input_and_target(shape, options, reduction):
    r = rng(6)
    x = 2 * r.standard_normal(shape)
    t = r.uniform(0.1, 1.0, shape)
    t /= t.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
    w = const(r.uniform(0.5, 2.0, shape[min(1, len(shape) - 1)])) if options.get("weight") else None
    smoothing = options.get("label_smoothing", 0.0)
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, w, reduction=reduction,
                                                  label_smoothing=smoothing), (leaf(x), leaf(t)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 1},
                                     {"weight": True, "ignore_index": 1}])
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2), (4,)])
def test_nll_loss_gradcheck(shape, options, reduction):
    x, y, weight, kwargs = class_problem(shape, 7, options)
    w = None if weight is None else const(weight)
    assert gradcheck(lambda a: F.nll_loss(a, const(y), w, reduction=reduction, **kwargs),
                     leaf(log_softmax(x, min(1, x.ndim - 1))))


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_gradcheck_input_and_target(reduction, log_target):
    r = rng(8)
    x = log_softmax(r.standard_normal((3, 4)), 1)
    t = r.uniform(0.05, 1.0, (3, 4))
    t /= t.sum(axis=1, keepdims=True)
    if log_target:
        t = np.log(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # reduction='mean' warns, as in PyTorch
        assert gradcheck(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                         (leaf(x), leaf(t)))


# --------------------------------------------------------------------------- values by formula
def test_cross_entropy_matches_the_formula_with_weights_ignore_index_and_smoothing():
    r = rng(9)
    x, y = r.standard_normal((6, 5)), np.array([0, 3, 2, 3, 4, 1])
    w, eps, ignore = r.uniform(0.5, 2.0, 5), 0.2, 3
    logp = log_softmax(x, 1)
    keep = y != ignore
    safe = np.where(keep, y, 0)
    nll = -w[safe] * logp[np.arange(6), safe] * keep
    smooth = -(logp * w).sum(1) * keep
    per_sample = (1 - eps) * nll + eps / 5 * smooth
    got = F.cross_entropy(const(x), const(y), const(w), ignore_index=ignore, reduction="none",
                          label_smoothing=eps)
    np.testing.assert_allclose(got.data, per_sample, rtol=1e-12)
    mean = F.cross_entropy(const(x), const(y), const(w), ignore_index=ignore,
                           label_smoothing=eps)
    np.testing.assert_allclose(mean.item(), per_sample.sum() / w[y[keep]].sum(), rtol=1e-12)
    total = F.cross_entropy(const(x), const(y), const(w), ignore_index=ignore, reduction="sum",
                            label_smoothing=eps)
    np.testing.assert_allclose(total.item(), per_sample.sum(), rtol=1e-12)


def test_cross_entropy_with_probabilities_matches_the_formula():
    r = rng(10)
    x, t = r.standard_normal((2, 5, 3)), r.dirichlet(np.ones(5), (2, 3)).transpose(0, 2, 1)
    w, eps = r.uniform(0.5, 2.0, 5), 0.1
    smoothed = (1 - eps) * t + eps / 5
    per_sample = -(log_softmax(x, 1) * smoothed * w[:, None]).sum(1)
    got = F.cross_entropy(const(x), const(t), const(w), label_smoothing=eps)
    np.testing.assert_allclose(got.item(), per_sample.mean(), rtol=1e-12)  # over N·d, not weights


def test_cross_entropy_is_nll_of_log_softmax():
    r = rng(11)
    x, y = r.standard_normal((7, 4, 3)), r.integers(0, 4, (7, 3))
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(
            F.cross_entropy(const(x), const(y), reduction=reduction).data,
            F.nll_loss(cr.log_softmax(const(x), 1), const(y), reduction=reduction).data,
            rtol=1e-12)


def test_binary_losses_match_the_formulas():
    r = rng(12)
    x, t, w, q = r.standard_normal((4, 3)), r.uniform(0, 1, (4, 3)), r.uniform(0.5, 2, 3), r.uniform(1, 3, 3)
    p = 1 / (1 + np.exp(-x))
    bce = -w * (t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(F.binary_cross_entropy(const(p), const(t), const(w),
                                                      reduction="none").data, bce, rtol=1e-10)
    logits = -w * (q * t * np.log(p) + (1 - t) * np.log(1 - p))
    got = F.binary_cross_entropy_with_logits(const(x), const(t), const(w), pos_weight=const(q))
    np.testing.assert_allclose(got.item(), logits.mean(), rtol=1e-10)


def test_regression_losses_match_the_formulas():
    x, t = np.array([0.0, 0.5, -2.0, 3.0]), np.array([0.0, 0.0, 0.0, 1.0])
    d = x - t
    np.testing.assert_allclose(F.mse_loss(const(x), const(t)).item(), np.mean(d * d))
    np.testing.assert_allclose(F.l1_loss(const(x), const(t), reduction="sum").item(), 4.5)
    np.testing.assert_allclose(F.huber_loss(const(x), const(t), reduction="none", delta=1.0).data,
                               [0.0, 0.125, 1.5, 1.5])
    np.testing.assert_allclose(F.smooth_l1_loss(const(x), const(t), reduction="none", beta=2.0).data,
                               [0.0, 0.0625, 1.0, 1.0])


def test_kl_div_reductions_and_zero_targets():
    x = np.log(np.array([[0.5, 0.25, 0.25], [0.2, 0.3, 0.5]]))
    t = np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])
    pointwise = np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0) - t * x
    none = F.kl_div(const(x), const(t), reduction="none")
    np.testing.assert_allclose(none.data, pointwise, atol=1e-15)
    assert none.data[0, 0] == 0.0          # 0 log 0 counts as 0
    np.testing.assert_allclose(F.kl_div(const(x), const(t), reduction="batchmean").item(),
                               pointwise.sum() / 2)
    with pytest.warns(UserWarning, match="batchmean"):
        mean = F.kl_div(const(x), const(t))
    np.testing.assert_allclose(mean.item(), pointwise.mean())
    # log-probability targets of shape (1, 3) broadcast against both rows of the input
    np.testing.assert_allclose(
        F.kl_div(const(x), const(np.log(t[1:])), reduction="sum", log_target=True).item(),
        (t[1] * (np.log(t[1]) - x)).sum())


def test_none_sum_mean_agree_for_every_unweighted_loss():
    r = rng(13)
    x, t = r.uniform(0.1, 0.9, (4, 3)), r.uniform(0, 1, (4, 3))
    for fn in (F.mse_loss, F.l1_loss, F.huber_loss, F.smooth_l1_loss, F.binary_cross_entropy,
               F.binary_cross_entropy_with_logits):
        none = fn(const(x), const(t), reduction="none").data
        assert none.shape == (4, 3)
        np.testing.assert_allclose(fn(const(x), const(t), reduction="sum").item(), none.sum())
        np.testing.assert_allclose(fn(const(x), const(t), reduction="mean").item(), none.mean())


def test_all_targets_ignored():
    x, y = const(rng(14).standard_normal((3, 4))), const([-100, -100, -100])
    assert math.isnan(F.cross_entropy(x, y).item())              # 0 / 0, as PyTorch
    assert F.cross_entropy(x, y, reduction="sum").item() == 0.0
    assert F.nll_loss(x, y, reduction="none").tolist() == [0.0, 0.0, 0.0]
    logits = leaf(rng(14).standard_normal((3, 4)))
    F.cross_entropy(logits, y, reduction="sum", label_smoothing=0.1).backward()
    assert not logits.grad.data.any()


def test_unbatched_input_gives_a_scalar_per_sample():
    x = const(rng(15).standard_normal(5))
    assert F.cross_entropy(x, const(2), reduction="none").shape == ()
    np.testing.assert_allclose(F.cross_entropy(x, const(2)).item(),
                               -log_softmax(x.data, 0)[2], rtol=1e-12)
    np.testing.assert_allclose(F.nll_loss(x, const(4)).item(), -x.data[4])


def test_backward_twice_with_retain_graph_doubles_the_gradient():
    x = leaf(rng(16).standard_normal((4, 3)))
    loss = F.cross_entropy(x, const([0, 2, 1, 1]), label_smoothing=0.1)
    loss.backward(retain_graph=True)
    first = x.grad.data.copy()
    loss.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first, rtol=1e-12)


# --------------------------------------------------------------------------- stability and dtype
def extreme_logits(dtype):
    return np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["indices", "smoothing", "probabilities", "logits", "pos_weight"])
def test_extreme_logits_give_finite_losses_and_gradients(dtype, case):
    x = cr.tensor(extreme_logits(dtype), requires_grad=True)
    if case == "indices":
        loss = F.cross_entropy(x, const([1, 0, 2]))
    elif case == "smoothing":
        loss = F.cross_entropy(x, const([1, 0, 2]), cr.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1)
    elif case == "probabilities":
        loss = F.cross_entropy(x, cr.tensor(np.full((3, 3), 1 / 3, dtype=dtype)))
    else:
        t = cr.tensor(np.array([[0, 1, 0.5], [1, 0, 1], [0, 1, 0]], dtype=dtype))
        pos_weight = cr.tensor([2.0, 3.0, 0.5]) if case == "pos_weight" else None
        loss = F.binary_cross_entropy_with_logits(x, t, pos_weight=pos_weight)
    loss.backward()
    assert loss.dtype == dtype and x.grad.dtype == dtype
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.data).all()
    if case == "indices":   # the loss is the margin by which the wrong logit wins, and exact
        np.testing.assert_allclose(loss.item(), (2e4 + 2e4 + math.log(3)) / 3, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_on_saturated_probabilities_clamps_the_log_at_minus_100(dtype):
    p = cr.tensor(np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    t = cr.tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    loss = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    assert np.isfinite(p.grad.data).all() and np.isfinite(t.grad.data).all()
    assert p.grad.data[0] < -1e10 and p.grad.data[1] > 1e10   # (p - t) / max(p (1 - p), 1e-12)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
                                  "binary_cross_entropy", "binary_cross_entropy_with_logits",
                                  "kl_div", "cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_float32_in_float32_out(name, reduction):
    r = rng(17)
    x = cr.tensor(r.uniform(0.1, 0.9, (4, 3)).astype(np.float32), requires_grad=True)
    if name in ("cross_entropy", "nll_loss"):
        target = const([0, 2, 1, -100])
        kwargs = {"weight": cr.tensor([1.0, 2.0, 3.0])}
    else:
        target = cr.tensor(r.uniform(0.1, 0.9, (4, 3)))   # float64 target adopts the input's dtype
        kwargs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        loss = getattr(F, name)(x, target, reduction=reduction, **kwargs)
    loss.sum().backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


# --------------------------------------------------------------------------- modules
def test_modules_call_their_functions_with_their_options():
    r = rng(18)
    x, t = const(r.standard_normal((4, 3))), const(r.uniform(0, 1, (4, 3)))
    y, w = const([0, 2, 1, 1]), const([1.0, 2.0, 0.5])
    pairs = [
        (nn.MSELoss(reduction="sum"), F.mse_loss(x, t, reduction="sum")),
        (nn.L1Loss(reduction="none"), F.l1_loss(x, t, reduction="none")),
        (nn.HuberLoss(delta=0.3), F.huber_loss(x, t, delta=0.3)),
        (nn.SmoothL1Loss(beta=0.3), F.smooth_l1_loss(x, t, beta=0.3)),
        (nn.BCEWithLogitsLoss(weight=w, pos_weight=w), F.binary_cross_entropy_with_logits(
            x, t, w, pos_weight=w)),
    ]
    for module, expected in pairs:
        np.testing.assert_allclose(module(x, t).data, expected.data, rtol=1e-12)
    p = const(r.uniform(0.1, 0.9, (4, 3)))
    np.testing.assert_allclose(nn.BCELoss(w)(p, t).item(), F.binary_cross_entropy(p, t, w).item())
    np.testing.assert_allclose(
        nn.CrossEntropyLoss(w, ignore_index=1, label_smoothing=0.1)(x, y).item(),
        F.cross_entropy(x, y, w, ignore_index=1, label_smoothing=0.1).item())
    np.testing.assert_allclose(nn.NLLLoss(w, ignore_index=2, reduction="sum")(x, y).item(),
                               F.nll_loss(x, y, w, ignore_index=2, reduction="sum").item())
    logp = cr.log_softmax(x, 1)
    np.testing.assert_allclose(nn.KLDivLoss(reduction="batchmean", log_target=True)(logp, logp).item(),
                               0.0, atol=1e-15)


def test_loss_modules_keep_weights_as_buffers():
    w = cr.tensor([1.0, 2.0])
    assert list(nn.CrossEntropyLoss(weight=w).state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert nn.NLLLoss().state_dict() == {} and list(nn.MSELoss().parameters()) == []
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)
    assert (loss.ignore_index, loss.label_smoothing, loss.reduction) == (-100, 0.1, "mean")


@pytest.mark.parametrize("size_average, reduce, expected", [
    (None, None, "mean"), (True, None, "mean"), (False, None, "sum"), (None, False, "none"),
    (False, True, "sum"), (True, False, "none")])
def test_legacy_size_average_and_reduce(size_average, reduce, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert nn.MSELoss(size_average, reduce).reduction == expected
        assert nn.NLLLoss(None, size_average, -100, reduce).reduction == expected


# --------------------------------------------------------------------------- errors
def test_cross_entropy_names_the_shapes_of_a_wrong_target():
    x = cr.randn(8, 10)
    with pytest.raises(ValueError) as error:
        F.cross_entropy(x, cr.zeros(8, 3))
    assert str(error.value) == ("cross_entropy: input of shape (8, 10) needs class-index targets "
                                "of shape (8,) or probabilities of shape (8, 10); got (8, 3)")
    with pytest.raises(ValueError, match=r"class-index targets of shape \(8, 4\) or "
                                         r"probabilities of shape \(8, 5, 4\); got \(8,\)"):
        F.cross_entropy(cr.randn(8, 5, 4), cr.zeros(8, dtype=cr.int64))
    with pytest.raises(ValueError, match=r"nll_loss: input of shape \(8, 10\) needs class-index "
                                         r"targets of shape \(8,\); got \(8, 10\)"):
        F.nll_loss(x, cr.zeros(8, 10))
    with pytest.raises(ValueError, match="0-d"):
        F.cross_entropy(cr.tensor(1.0), cr.tensor(0))


def test_class_targets_of_the_wrong_dtype():
    x = cr.randn(4, 3)
    with pytest.raises(TypeError, match="class-index targets must be integers, got float32"):
        F.cross_entropy(x, cr.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(TypeError, match="probabilities and must be floating point, got int64"):
        F.cross_entropy(x, cr.zeros(4, 3, dtype=cr.int64))
    with pytest.raises(TypeError, match="floating-point"):
        F.mse_loss(cr.tensor([1, 2]), cr.tensor([1, 2]))


@pytest.mark.parametrize("bad", [12, 10, -1, -101])
def test_class_index_out_of_range_is_named(bad):
    x = cr.randn(4, 10)
    for fn in (F.cross_entropy, F.nll_loss):
        with pytest.raises(IndexError, match=rf"target class index {bad} is out of range for 10 "
                                             r"classes \(expected values in \[0, 10\) or "
                                             r"ignore_index=-100\)"):
            fn(x, cr.tensor([0, bad, 3, -100]))
    F.cross_entropy(x, cr.tensor([0, bad, 3, 1]), ignore_index=bad)  # ignored, so allowed


def test_unknown_reductions():
    x = cr.randn(3)
    for call in (lambda: F.mse_loss(x, x, reduction="avg"),
                 lambda: F.cross_entropy(cr.randn(2, 3), cr.tensor([0, 1]), reduction="avg"),
                 lambda: nn.BCELoss(reduction="avg"),
                 lambda: nn.L1Loss(reduction="batchmean")):
        with pytest.raises(ValueError, match=r"reduction must be 'mean', 'sum' or 'none'; got "):
            call()
    with pytest.raises(ValueError, match="'mean', 'batchmean', 'sum' or 'none'; got 'avg'"):
        nn.KLDivLoss(reduction="avg")


def test_option_errors():
    x, y = cr.randn(4, 3), cr.tensor([0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"weight must hold one value per class, shape \(3,\); got \(4,\)"):
        F.cross_entropy(x, y, weight=cr.ones(4))
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        F.cross_entropy(x, y, label_smoothing=1.5)
    with pytest.raises(ValueError, match="ignore_index=1 applies to class-index targets only"):
        F.cross_entropy(x, cr.softmax(x, 1), ignore_index=1)
    with pytest.raises(ValueError, match="delta must be a positive number"):
        F.huber_loss(x, x, delta=0)
    with pytest.raises(ValueError, match="beta must be a non-negative number"):
        nn.SmoothL1Loss(beta=-1.0)(x, x)
    with pytest.raises(ValueError, match=r"pos_weight of shape \(4,\) does not broadcast to the "
                                         r"input's shape \(4, 3\)"):
        F.binary_cross_entropy_with_logits(x, x, pos_weight=cr.ones(4))


def test_binary_target_and_input_errors():
    x = cr.rand(4, 3)
    with pytest.raises(ValueError, match=r"binary_cross_entropy: target of shape \(4, 1\) must "
                                         r"have the input's shape \(4, 3\)"):
        F.binary_cross_entropy(x, cr.rand(4, 1))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: target of shape \(12,\)"):
        F.binary_cross_entropy_with_logits(x, cr.rand(12))
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\], got values from -0.5 to"):
        F.binary_cross_entropy(cr.tensor([-0.5, 0.5]), cr.tensor([0.0, 1.0]))


def test_regression_shape_errors_and_warnings():
    with pytest.raises(ValueError, match=r"mse_loss: target of shape \(4,\) does not match \(or "
                                         r"broadcast with\) the input's shape \(4, 3\)"):
        F.mse_loss(cr.randn(4, 3), cr.randn(4))
    with pytest.warns(UserWarning, match=r"target shape \(4, 1\) differs from input shape \(4,\)"):
        F.l1_loss(cr.randn(4), cr.randn(4, 1))


# --------------------------------------------------------------------------- margin, ranking, likelihood losses
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_soft_margin_loss_is_finite_at_extreme_inputs(dtype):
    x = cr.tensor(np.array([-800.0, -3.0, 3.0, 800.0], dtype=dtype), requires_grad=True)
    loss = F.soft_margin_loss(x, cr.tensor(np.array([1.0, -1.0, -1.0, 1.0], dtype=dtype)), reduction="none")
    loss.sum().backward()
    expected = np.array([800.0, np.log1p(np.exp(-3.0)), 3.0 + np.log1p(np.exp(-3.0)), 0.0])
    np.testing.assert_allclose(loss.data, expected, rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, [-1.0, 1 / (1 + np.exp(3.0)), 1 / (1 + np.exp(-3.0)), 0.0],
                               rtol=1e-6)
    assert loss.dtype == dtype and x.grad.dtype == dtype


NEW_LOSSES = {
    "soft_margin_loss": lambda x, r: F.soft_margin_loss(x, const([1.0, -1.0, 1.0]).float(), reduction=r),
    "multilabel_soft_margin_loss": lambda x, r: F.multilabel_soft_margin_loss(
        x, const([0.0, 1.0, 1.0]).float(), reduction=r),
    "multi_margin_loss": lambda x, r: F.multi_margin_loss(x, const([0, 2, 1, 1]), p=2, reduction=r),
    "margin_ranking_loss": lambda x, r: F.margin_ranking_loss(x, x.flip(0), x * 0 + 1, reduction=r),
    "hinge_embedding_loss": lambda x, r: F.hinge_embedding_loss(x, const([1.0, -1.0, -1.0]), reduction=r),
    "cosine_embedding_loss": lambda x, r: F.cosine_embedding_loss(x, x.flip(0), const([1, -1, 1, -1]),
                                                                  reduction=r),
    "triplet_margin_loss": lambda x, r: F.triplet_margin_loss(x, x.flip(0), x.flip(1), reduction=r),
    "poisson_nll_loss": lambda x, r: F.poisson_nll_loss(x, const([0.0, 2.0, 5.0]), full=True, reduction=r),
    "gaussian_nll_loss": lambda x, r: F.gaussian_nll_loss(x, x.flip(0), const([1.0, 0.5, 2.0, 1e-9]),
                                                          reduction=r),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(NEW_LOSSES))
def test_new_losses_float32_in_float32_out(name, reduction):
    x = cr.tensor(rng(21).standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    loss = NEW_LOSSES[name](x, reduction)
    loss.sum().backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32
    assert np.isfinite(loss.data).all() and np.isfinite(x.grad.data).all()


def test_new_loss_modules_check_their_options():
    assert repr(nn.TripletMarginLoss(margin=0.3)) == "TripletMarginLoss()"
    assert nn.HingeEmbeddingLoss().margin == 1.0 and nn.MarginRankingLoss().margin == 0.0
    assert list(nn.MultiLabelSoftMarginLoss(weight=cr.ones(3)).state_dict()) == ["weight"]
    with pytest.raises(ValueError, match="MultiMarginLoss: p must be 1 or 2, got 3"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match=r"reduction must be 'mean', 'sum' or 'none'; got 'avg'"):
        nn.GaussianNLLLoss(reduction="avg")
    with pytest.raises(TypeError):
        nn.GaussianNLLLoss(True)          # full and eps are keyword-only, as in PyTorch


def test_margin_loss_shape_errors_name_the_loss_and_shapes():
    x = cr.randn(4, 3)
    with pytest.raises(ValueError, match=r"cosine_embedding_loss: needs inputs \(N, D\) with target "
                                         r"\(N,\), or inputs \(D,\) with target \(\); got input1 "
                                         r"\(4, 3\), input2 \(4, 3\), target \(4, 1\)"):
        F.cosine_embedding_loss(x, x, cr.ones(4, 1))
    with pytest.raises(ValueError, match=r"target of shape \(3,\) needs one label per pair"):
        F.cosine_embedding_loss(x, x, cr.ones(3))
    with pytest.raises(ValueError, match=r"margin_ranking_loss: input1, input2 and target must have "
                                         r"the same number of dims; got shapes \(4, 3\), \(3,\), "
                                         r"\(4, 3\)"):
        F.margin_ranking_loss(x, cr.randn(3), x)
    with pytest.raises(ValueError, match=r"margin_ranking_loss: input1 of shape \(4, 3\), input2 of "
                                         r"shape \(2, 3\), target of shape \(4, 3\) do not broadcast"):
        F.margin_ranking_loss(x, cr.randn(2, 3), x)
    with pytest.raises(ValueError, match=r"triplet_margin_loss: anchor, positive and negative must "
                                         r"have the same number of dims"):
        F.triplet_margin_loss(x, x, cr.randn(3))
    with pytest.raises(ValueError, match="triplet_margin_loss: margin must be a number greater than 0"):
        F.triplet_margin_loss(x, x, x, margin=0.0)
    with pytest.raises(ValueError, match=r"soft_margin_loss: input of shape \(4, 3\), target of "
                                         r"shape \(2,\) do not broadcast"):
        F.soft_margin_loss(x, cr.ones(2))
    with pytest.raises(ValueError, match="multilabel_soft_margin_loss: input must have a class dim"):
        F.multilabel_soft_margin_loss(cr.tensor(1.0), cr.tensor(1.0))
    with pytest.raises(ValueError, match=r"poisson_nll_loss: target of shape \(2,\) does not "
                                         r"broadcast with the input's shape \(4, 3\)"):
        F.poisson_nll_loss(x, cr.ones(2))


def test_multi_margin_loss_errors():
    x = cr.randn(4, 3)
    with pytest.raises(IndexError, match=r"multi_margin_loss: target class index 3 is out of range "
                                         r"for 3 classes \(expected values in \[0, 3\)\)"):
        F.multi_margin_loss(x, cr.tensor([0, 3, 1, 1]))
    with pytest.raises(IndexError, match="target class index -1 is out of range"):
        F.multi_margin_loss(x, cr.tensor([0, -1, 1, 1]))
    with pytest.raises(ValueError, match=r"input of shape \(4, 3\) needs class-index targets of "
                                         r"shape \(4,\); got \(2,\)"):
        F.multi_margin_loss(x, cr.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"input must have shape \(N, C\) or \(C,\), got \(2, 3, 4\)"):
        F.multi_margin_loss(cr.randn(2, 3, 4), cr.tensor([0, 1]))
    with pytest.raises(TypeError, match="class-index targets must be integers, got float32"):
        F.multi_margin_loss(x, cr.tensor([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match="p must be 1 or 2, got 3"):
        F.multi_margin_loss(x, cr.tensor([0, 1, 2, 0]), p=3)
    with pytest.raises(ValueError, match=r"weight must hold one value per class, shape \(3,\); got \(4,\)"):
        F.multi_margin_loss(x, cr.tensor([0, 1, 2, 0]), weight=cr.ones(4))


def test_gaussian_nll_loss_errors_and_the_variance_clamp():
    x = cr.randn(4, 3)
    with pytest.raises(ValueError, match="gaussian_nll_loss: var must be non-negative"):
        F.gaussian_nll_loss(x, x, -cr.ones(4, 3))
    with pytest.raises(ValueError, match=r"var of shape \(2, 3\) does not fit the input's shape \(4, 3\)"):
        F.gaussian_nll_loss(x, x, cr.ones(2, 3))
    with pytest.raises(ValueError, match=r"var of shape \(1, 1\) does not fit"):
        F.gaussian_nll_loss(x, x, cr.ones(1, 1))          # two dims differ
    # var 0 counts as eps: the loss is ½ (log eps + d² / eps)
    value = F.gaussian_nll_loss(cr.tensor([1.0]), cr.tensor([0.0]), cr.tensor([0.0]), eps=0.25)
    np.testing.assert_allclose(value.item(), 0.5 * (np.log(0.25) + 4.0), rtol=1e-6)
