"""The remaining losses and functional ops (CTC, ...): formulas worked by hand, dtypes,
module options and reprs, and errors that name the function and the values at fault."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F

rng = np.random.default_rng


# --------------------------------------------------------------------------- ctc_loss
def test_ctc_loss_sums_every_alignment():
    """Label 1 in two frames of classes {blank, 1}: the alignments 11, b1 and 1b."""
    p = np.array([[0.3, 0.7], [0.6, 0.4]])             # p[t, c], class 0 the blank
    lp = cr.tensor(np.log(p)[:, None, :], requires_grad=True)
    loss = F.ctc_loss(lp, cr.tensor([[1]]), [2], [1], reduction="none")
    total = p[0, 1] * p[1, 1] + p[0, 0] * p[1, 1] + p[0, 1] * p[1, 0]
    np.testing.assert_allclose(loss.data, [-np.log(total)], rtol=1e-12)
    loss.sum().backward()
    # d loss / d log p[t, c] = -(the probability of the alignments through c at t) / total
    posterior = np.array([[p[0, 0] * p[1, 1], p[0, 1] * p[1, 1] + p[0, 1] * p[1, 0]],
                          [p[0, 1] * p[1, 0], p[0, 1] * p[1, 1] + p[0, 0] * p[1, 1]]]) / total
    np.testing.assert_allclose(lp.grad.data[:, 0], -posterior, rtol=1e-12)


def test_ctc_loss_repeats_need_a_blank_between_them():
    lp = F.log_softmax(cr.randn(3, 2, 4), -1)
    losses = F.ctc_loss(lp, cr.tensor([[2, 2], [2, 3]]), [2, 2], [2, 2], reduction="none")
    assert losses.data[0] == np.inf and np.isfinite(losses.data[1])
    zeroed = F.ctc_loss(lp, cr.tensor([[2, 2], [2, 3]]), [2, 2], [2, 2], reduction="none",
                        zero_infinity=True)
    np.testing.assert_array_equal(zeroed.data, [0.0, losses.data[1]])


def test_ctc_loss_mean_divides_by_target_lengths():
    lp = F.log_softmax(cr.randn(6, 3, 5, dtype=cr.float64), -1)
    targets, lengths = cr.tensor([[1, 2, 3], [4, 0, 0], [0, 0, 0]]), [3, 1, 0]
    losses = F.ctc_loss(lp, targets, [6, 6, 6], lengths, blank=4, reduction="none").data
    mean = F.ctc_loss(lp, targets, [6, 6, 6], lengths, blank=4).item()
    np.testing.assert_allclose(mean, np.mean(losses / [3, 1, 1]), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ctc_loss_float32_in_float32_out_and_stable(reduction):
    logits = cr.tensor((1e4 * rng(3).standard_normal((8, 2, 5))).astype(np.float32), requires_grad=True)
    loss = F.ctc_loss(F.log_softmax(logits, 2), cr.tensor([1, 2, 3]), [8, 8], [2, 1],
                      reduction=reduction, zero_infinity=True)
    loss.sum().backward()
    assert loss.dtype == np.float32 and logits.grad.dtype == np.float32
    assert np.isfinite(loss.data).all() and np.isfinite(logits.grad.data).all()


def test_ctc_loss_module_options_and_repr():
    criterion = nn.CTCLoss(blank=3, reduction="sum", zero_infinity=True)
    assert repr(criterion) == "CTCLoss()" and list(criterion.state_dict()) == []
    assert (criterion.blank, criterion.reduction, criterion.zero_infinity) == (3, "sum", True)
    lp = F.log_softmax(cr.randn(5, 2, 4), -1)
    targets = cr.tensor([[1, 2], [0, 0]])
    np.testing.assert_allclose(
        criterion(lp, targets, [5, 4], [2, 1]).item(),
        F.ctc_loss(lp, targets, [5, 4], [2, 1], blank=3, reduction="sum", zero_infinity=True).item())
    with pytest.raises(ValueError, match="CTCLoss: reduction must be"):
        nn.CTCLoss(reduction="avg")


def test_ctc_loss_errors_name_the_loss_and_values():
    lp = F.log_softmax(cr.randn(5, 2, 4), -1)
    y = cr.tensor([[1, 2], [3, 3]])
    with pytest.raises(ValueError, match=r"ctc_loss: log_probs must have shape \(T, N, C\) or "
                                         r"\(T, C\); got \(5, 2, 4, 1\)"):
        F.ctc_loss(lp.reshape(5, 2, 4, 1), y, [5, 5], [2, 2])
    with pytest.raises(ValueError, match=r"ctc_loss: blank must be a class index in \[0, 4\), got 4"):
        F.ctc_loss(lp, y, [5, 5], [2, 2], blank=4)
    with pytest.raises(ValueError, match="input_lengths must be at most the number of frames 5, got 6"):
        F.ctc_loss(lp, y, [6, 5], [2, 2])
    with pytest.raises(ValueError, match=r"input_lengths must hold one length per sample \(2\); "
                                         r"got shape \(3,\)"):
        F.ctc_loss(lp, y, [5, 5, 5], [2, 2])
    with pytest.raises(ValueError, match="target_lengths must be non-negative, got -1"):
        F.ctc_loss(lp, y, [5, 5], [-1, 2])
    with pytest.raises(TypeError, match="target_lengths must hold integers, got float64"):
        F.ctc_loss(lp, y, [5, 5], [2.0, 2.0])
    with pytest.raises(ValueError, match=r"padded targets of shape \(2, 2\) are shorter than the "
                                         r"longest target length 3"):
        F.ctc_loss(lp, y, [5, 5], [3, 2])
    with pytest.raises(ValueError, match=r"concatenated targets must hold sum\(target_lengths\) = 4 "
                                         r"labels; got 3"):
        F.ctc_loss(lp, cr.tensor([1, 2, 3]), [5, 5], [2, 2])
    with pytest.raises(IndexError, match="ctc_loss: target class index 7 is out of range for 4 classes"):
        F.ctc_loss(lp, cr.tensor([[1, 7], [3, 3]]), [5, 5], [2, 2])
    with pytest.raises(TypeError, match="ctc_loss: targets must be class indices"):
        F.ctc_loss(lp, y.float(), [5, 5], [2, 2])
    with pytest.raises(TypeError, match="ctc_loss: input must be a floating-point tensor"):
        F.ctc_loss(cr.tensor(np.zeros((5, 2, 4), dtype=np.int64)), y, [5, 5], [2, 2])


# --------------------------------------------------------------------------- multilabel_margin_loss
def test_multilabel_margin_loss_by_hand():
    x = cr.tensor([[0.1, 0.2, 0.4, 0.8], [0.5, 0.0, 1.2, 0.3]], requires_grad=True)
    y = cr.tensor([[3, 0, -1, 1], [2, -1, 0, 0]])             # after -1: padding, ignored
    loss = F.multilabel_margin_loss(x, y, reduction="none")
    # sample 0: targets 3 and 0 against classes 1 and 2; sample 1: target 2 against 0, 1, 3
    first = (1 - 0.8 + 0.2) + (1 - 0.8 + 0.4) + (1 - 0.1 + 0.2) + (1 - 0.1 + 0.4)
    second = (1 - 1.2 + 0.5) + 0 + (1 - 1.2 + 0.3)                # 1 - 1.2 + 0.0 < 0
    np.testing.assert_allclose(loss.data, [first / 4, second / 4], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[-0.5, 0.5, 0.5, -0.5], [0.25, 0.0, -0.5, 0.25]], rtol=1e-6)
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


def test_multilabel_margin_loss_errors_and_module():
    x = cr.randn(2, 4)
    with pytest.raises(IndexError, match=r"multilabel_margin_loss: target class index 5 is out of "
                                         r"range for 4 classes"):
        F.multilabel_margin_loss(x, cr.tensor([[3, 5, -1, 1], [1, 1, -1, 2]]))
    F.multilabel_margin_loss(x, cr.tensor([[3, -1, 5, 1], [1, 1, -1, 2]]))   # 5 is padding: no error
    with pytest.raises(ValueError, match=r"multilabel_margin_loss: target of shape \(2, 3\) must have "
                                         r"the input's shape \(2, 4\)"):
        F.multilabel_margin_loss(x, cr.tensor([[3, 0, -1], [1, 1, -1]]))
    with pytest.raises(ValueError, match=r"input must have shape \(N, C\) or \(C,\), got \(2, 1, 4\)"):
        F.multilabel_margin_loss(x.reshape(2, 1, 4), cr.tensor([[[0, 1, 2, 3]], [[0, 1, 2, 3]]]))
    with pytest.raises(TypeError, match="class-index targets must be integers, got float32"):
        F.multilabel_margin_loss(x, cr.zeros(2, 4))
    assert repr(nn.MultiLabelMarginLoss()) == "MultiLabelMarginLoss()"
    y = cr.tensor([[3, 0, -1, 1], [1, 1, -1, 2]])
    assert nn.MultiLabelMarginLoss(reduction="sum")(x, y).item() == pytest.approx(
        F.multilabel_margin_loss(x, y, reduction="sum").item())


# --------------------------------------------------------------------------- triplet_margin_with_distance_loss
def test_triplet_margin_with_distance_loss_default_is_triplet_margin_loss():
    a, p, n = (cr.randn(5, 3, dtype=cr.float64) for _ in range(3))
    for swap in (False, True):
        np.testing.assert_allclose(
            F.triplet_margin_with_distance_loss(a, p, n, swap=swap, margin=1.5).item(),
            F.triplet_margin_loss(a, p, n, swap=swap, margin=1.5).item(), rtol=1e-12)


def test_triplet_margin_with_distance_loss_module_and_errors():
    criterion = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1.0), margin=0.5)
    assert list(criterion.state_dict()) == [] and criterion.margin == 0.5 and criterion.swap is False
    assert repr(nn.TripletMarginWithDistanceLoss()) == (
        "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)")
    a, p, n = (cr.randn(4, 3, dtype=cr.float64) for _ in range(3))
    np.testing.assert_allclose(criterion(a, p, n).item(),
                               F.triplet_margin_loss(a, p, n, p=1, margin=0.5).item(), rtol=1e-12)
    with pytest.raises(ValueError, match="TripletMarginWithDistanceLoss: margin must be greater than 0"):
        nn.TripletMarginWithDistanceLoss(margin=0.0)
    with pytest.raises(TypeError):
        nn.TripletMarginWithDistanceLoss(None)          # keyword-only, as in PyTorch
    with pytest.raises(ValueError, match="triplet_margin_with_distance_loss: margin must be a number "
                                         "greater than 0"):
        F.triplet_margin_with_distance_loss(a, p, n, margin=-1.0)
    with pytest.raises(TypeError, match="distance_function must be callable, got 3"):
        F.triplet_margin_with_distance_loss(a, p, n, distance_function=3)
    with pytest.raises(ValueError, match="triplet_margin_with_distance_loss: anchor, positive and "
                                         "negative must have the same number of dims"):
        F.triplet_margin_with_distance_loss(a, p, cr.randn(3))


# --------------------------------------------------------------------------- gumbel_softmax
def test_gumbel_softmax_soft_and_hard_samples():
    logits = cr.tensor(rng(5).standard_normal((6, 4)).astype(np.float32), requires_grad=True)
    cr.manual_seed(1)
    soft = F.gumbel_softmax(logits, tau=0.5)
    cr.manual_seed(1)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert soft.dtype == hard.dtype == np.float32
    np.testing.assert_allclose(soft.data.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(hard.data, np.eye(4, dtype=np.float32)[soft.data.argmax(1)])
    # straight through: the hard sample's gradient is the soft sample's
    weights = cr.tensor(rng(6).standard_normal((6, 4)).astype(np.float32))
    (hard * weights).sum().backward()
    straight = logits.grad.data.copy()
    logits.grad = None
    (soft * weights).sum().backward()
    np.testing.assert_allclose(straight, logits.grad.data, rtol=1e-6)


def test_gumbel_softmax_samples_the_softmax_distribution():
    probabilities = np.array([0.1, 0.2, 0.3, 0.4])
    logits = cr.tensor(np.log(np.tile(probabilities, (20000, 1))))
    counts = F.gumbel_softmax(logits, hard=True, generator=cr.Generator().manual_seed(2)).data.sum(0)
    np.testing.assert_allclose(counts / 20000, probabilities, atol=0.015)


def test_gumbel_softmax_generator_and_seed():
    logits = cr.randn(3, 5)
    cr.manual_seed(4)
    first = F.gumbel_softmax(logits).data
    after = cr.random.get_rng_state()
    with_generator = F.gumbel_softmax(logits, generator=cr.Generator().manual_seed(4)).data
    assert cr.random.get_rng_state() == after           # a Generator leaves the global stream alone
    cr.manual_seed(4)
    np.testing.assert_array_equal(F.gumbel_softmax(logits).data, first)
    np.testing.assert_array_equal(
        F.gumbel_softmax(logits, generator=cr.Generator().manual_seed(4)).data, with_generator)


def test_gumbel_softmax_errors():
    with pytest.raises(ValueError, match="gumbel_softmax: tau must be a positive number, got 0"):
        F.gumbel_softmax(cr.randn(2, 3), tau=0)
    with pytest.raises(TypeError, match="gumbel_softmax: logits must be a floating-point tensor"):
        F.gumbel_softmax(cr.tensor([1, 2, 3]))
    with pytest.warns(UserWarning, match="eps is deprecated"):
        F.gumbel_softmax(cr.randn(2, 3), eps=1e-3)
    with pytest.raises(IndexError):
        F.gumbel_softmax(cr.randn(2, 3), dim=2)


# --------------------------------------------------------------------------- affine_grid, grid_sample
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_identity_transform_reads_the_image_back(mode, align_corners):
    images = cr.tensor(rng(10).standard_normal((2, 3, 5, 6)).astype(np.float32))
    theta = cr.tensor(np.tile(np.eye(2, 3, dtype=np.float32), (2, 1, 1)))
    grid = F.affine_grid(theta, images.shape, align_corners=align_corners)
    assert grid.shape == (2, 5, 6, 2) and grid.dtype == np.float32
    out = F.grid_sample(images, grid, mode=mode, align_corners=align_corners)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, images.data, rtol=1e-5, atol=1e-6)


def test_grid_sample_padding_modes_outside_the_image():
    image = cr.tensor(np.arange(4.0).reshape(1, 1, 1, 4))           # one row: 0 1 2 3
    # x = 5/3 is pixel (5/3 + 1) / 2 * 3 = 4 with align_corners: one past the last, 3
    grid = cr.tensor(np.array([[[[5 / 3, 0.0]]]]))
    read = {p: F.grid_sample(image, grid, padding_mode=p, align_corners=True).item()
            for p in ("zeros", "border", "reflection")}
    assert read == {"zeros": 0.0, "border": 3.0, "reflection": pytest.approx(2.0)}


def test_grid_sample_errors_name_the_function_and_shapes():
    x, grid = cr.randn(2, 3, 4, 5), cr.zeros(2, 4, 5, 2)
    with pytest.raises(ValueError, match="grid_sample: mode must be 'bilinear' or 'nearest', got 'bicubic'"):
        F.grid_sample(x, grid, mode="bicubic", align_corners=False)
    with pytest.raises(ValueError, match="padding_mode must be 'zeros', 'border' or 'reflection', got 'wrap'"):
        F.grid_sample(x, grid, padding_mode="wrap", align_corners=False)
    with pytest.raises(ValueError, match=r"grid_sample: grid must have shape \(N, H_out, W_out, 2\) with "
                                         r"N = 2 for the input of shape \(2, 3, 4, 5\); got \(2, 4, 5, 1\)"):
        F.grid_sample(x, cr.zeros(2, 4, 5, 1), align_corners=False)
    with pytest.raises(ValueError, match=r"input must have shape \(N, C, H, W\), got \(3, 4, 5\)"):
        F.grid_sample(cr.randn(3, 4, 5), grid, align_corners=False)
    with pytest.raises(TypeError, match="input and grid must have the same dtype, got float32 and float64"):
        F.grid_sample(x, grid.double(), align_corners=False)
    with pytest.warns(UserWarning, match="align_corners=False"):
        F.grid_sample(x, grid)
    with pytest.raises(ValueError, match=r"affine_grid: expected a batch of 2-D affine matrices of shape "
                                         r"\(2, 2, 3\) for size \(2, 3, 4, 5\); got \(2, 1, 3\)"):
        F.affine_grid(cr.zeros(2, 1, 3), (2, 3, 4, 5), align_corners=False)
    with pytest.raises(ValueError, match=r"affine_grid: size must be \(N, C, H, W\)"):
        F.affine_grid(cr.zeros(2, 2, 3), (2, 3, 4, 5, 6), align_corners=False)
    with pytest.warns(UserWarning, match="align_corners=False"):
        F.affine_grid(cr.zeros(2, 2, 3), (2, 3, 4, 5))


# --------------------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss
def test_adaptive_softmax_log_prob_is_a_distribution_and_output_picks_it():
    cr.manual_seed(0)
    module = nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 7], div_value=2.0, head_bias=True)
    x, y = cr.randn(5, 8), cr.tensor([0, 2, 3, 8, 11])
    log_prob = module.log_prob(x)
    assert log_prob.shape == (5, 12) and log_prob.dtype == np.float32
    np.testing.assert_allclose(np.exp(log_prob.data).sum(1), 1.0, rtol=1e-5)
    output, loss = module(x, y)
    np.testing.assert_allclose(output.data, log_prob.data[np.arange(5), y.data], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loss.item(), -output.data.mean(), rtol=1e-6)
    np.testing.assert_array_equal(module.predict(x).data, log_prob.data.argmax(1))
    one_output, _ = module(x[1], y[1])
    assert one_output.shape == () and module.log_prob(x[1]).shape == (12,) and module.predict(x[1]).shape == ()
    loss.backward()
    assert all(p.grad is not None and p.grad.dtype == np.float32 for p in module.parameters())


def test_adaptive_softmax_layout_and_errors():
    module = nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], div_value=4.0)
    assert [(k, v.shape) for k, v in module.state_dict().items()] == [
        ("head.weight", (6, 16)), ("tail.0.0.weight", (4, 16)), ("tail.0.1.weight", (6, 4)),
        ("tail.1.0.weight", (1, 16)), ("tail.1.1.weight", (10, 1))]
    assert (module.shortlist_size, module.n_clusters, module.head_size, module.cutoffs) == (4, 2, 6, [4, 10, 20])
    for cutoffs in ([4, 4], [10, 4], [0, 5], [4, 20], []):
        with pytest.raises(ValueError, match="AdaptiveLogSoftmaxWithLoss: cutoffs must be a sequence of "
                                             "unique, positive integers"):
            nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs)
    with pytest.raises(IndexError, match=r"target values must be in \[0, 19\], found values from 0 to 20"):
        module(cr.randn(2, 16), cr.tensor([0, 20]))
    with pytest.raises(ValueError, match=r"input of shape \(2, 16\) needs targets of shape \(2,\); got \(3,\)"):
        module(cr.randn(2, 16), cr.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"AdaptiveLogSoftmaxWithLoss.log_prob: input must have shape "
                                         r"\(N, 16\) or \(16,\); got \(2, 15\)"):
        module.log_prob(cr.randn(2, 15))
