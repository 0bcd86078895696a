"""chainrule.metrics without scikit-learn: hand-computed values, brute-force oracles, errors,
and streaming metrics that accumulate over batches to the one-shot functions' values."""
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import metrics as M


def approx(x, rel=1e-12):
    return pytest.approx(x, rel=rel, abs=1e-15)


# ------------------------------------------------------------------ Keras-style accuracies
def test_binary_accuracy_thresholds_probabilities_strictly():
    y = [0, 1, 1, 0]
    p = [0.2, 0.7, 0.4, 0.6]
    assert M.binary_accuracy(y, p) == 0.5
    assert M.binary_accuracy(y, p, threshold=0.3) == 0.75          # [0, 1, 1, 1]
    assert M.binary_accuracy([1, 0], [0.5, 0.5]) == 0.5             # 0.5 is not > 0.5
    assert M.binary_accuracy([True, False], [1, 0]) == 1.0          # labels as predictions


def test_binary_accuracy_from_logits_and_shapes():
    y = np.array([0, 1, 1, 0])
    z = np.array([-1.0, 2.0, -0.5, 0.1])                            # sigmoid > 0.5 <=> z > 0
    assert M.binary_accuracy(y, z, from_logits=True) == 0.5
    # threshold 0.9 on probabilities <=> z > log(9) ~ 2.197
    assert M.binary_accuracy([0, 1], [2.1, 2.3], threshold=0.9, from_logits=True) == 1.0
    assert M.binary_accuracy([0, 1], [1000.0, -1000.0], from_logits=True) == 0.0   # no overflow
    # (n,) targets against (n, 1) outputs, and the other way round
    assert M.binary_accuracy(y, z[:, None], from_logits=True) == 0.5
    assert M.binary_accuracy(y[:, None], z, from_logits=True) == 0.5
    # k targets per sample: each sample scores the fraction of its k that are right
    yk = np.array([[1, 0], [1, 1]])
    pk = np.array([[0.9, 0.9], [0.9, 0.9]])
    assert M.binary_accuracy(yk, pk) == 0.75
    assert M.binary_accuracy(yk, pk, sample_weight=[3, 1]) == approx((3 * 0.5 + 1.0) / 4)


def test_binary_accuracy_errors():
    with pytest.raises(ValueError, match=r"binary_accuracy: y_true must hold binary targets 0 or 1, found 2"):
        M.binary_accuracy([0, 2], [0.1, 0.9])
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(3, 2\)"):
        M.binary_accuracy([0, 1, 1], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="different numbers of samples: y_true has 2, y_pred has 3"):
        M.binary_accuracy([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"threshold must be a probability in \(0, 1\)"):
        M.binary_accuracy([0, 1], [0.1, 0.2], threshold=1.0)
    with pytest.raises(ValueError, match="NaN"):
        M.binary_accuracy([0, 1], [0.1, float("nan")])


def test_categorical_and_sparse_categorical_accuracy():
    scores = np.array([[0.1, 0.2, 0.7], [0.3, 0.6, 0.1], [0.5, 0.5, 0.0], [0.2, 0.2, 0.6]])
    labels = np.array([2, 0, 0, 1])
    one_hot = np.eye(3)[labels]
    # rows: right, wrong, right (a tie goes to the first class), wrong
    assert M.sparse_categorical_accuracy(labels, scores) == 0.5
    assert M.sparse_categorical_accuracy(labels[:, None], scores) == 0.5
    assert M.categorical_accuracy(one_hot, scores) == 0.5
    assert M.sparse_categorical_accuracy(labels, scores, sample_weight=[1, 0, 1, 0]) == 1.0
    logits = np.log(scores + 1e-3)
    assert M.categorical_accuracy(one_hot, logits) == 0.5


def test_categorical_accuracy_errors():
    scores = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"class index 4, outside \[0, 4\) for 4 classes"):
        M.sparse_categorical_accuracy([0, 4, 1], scores)
    with pytest.raises(ValueError, match=r"class index -1"):
        M.sparse_categorical_accuracy([0, -1, 1], scores)
    with pytest.raises(ValueError, match="integer class indices"):
        M.sparse_categorical_accuracy([0, 1.5, 1], scores)
    with pytest.raises(ValueError, match="use categorical_accuracy"):
        M.sparse_categorical_accuracy(np.eye(4)[:3], scores)
    with pytest.raises(ValueError, match="use sparse_categorical_accuracy"):
        M.categorical_accuracy([0, 1, 2], scores)
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(3,\)"):
        M.sparse_categorical_accuracy([0, 1, 2], scores, sample_weight=[1, 2])
    with pytest.raises(ValueError, match="sum to zero"):
        M.sparse_categorical_accuracy([0, 1, 2], scores, sample_weight=[0, 0, 0])


# --------------------------------------------------------------------- label metrics by hand
Y_TRUE = [0, 1, 2, 0, 1, 2]
Y_PRED = [0, 2, 1, 0, 0, 1]       # class 0: tp 2, fp 1; classes 1 and 2: no true positives


def test_accuracy_score():
    assert M.accuracy_score(Y_TRUE, Y_PRED) == approx(2 / 6)
    assert M.accuracy_score(Y_TRUE, Y_PRED, normalize=False) == 2.0
    assert M.accuracy_score(["a", "b", "b"], ["a", "b", "a"]) == approx(2 / 3)
    assert M.accuracy_score([1, 2], [1, 2], sample_weight=[0.25, 0.75]) == 1.0
    assert M.accuracy_score(cr.tensor([1, 0, 1]), cr.tensor([1, 1, 1])) == approx(2 / 3)


def test_precision_recall_f1_by_hand():
    p, r, f, support = M.precision_recall_fscore_support(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(p, [2 / 3, 0, 0])
    np.testing.assert_allclose(r, [1, 0, 0])
    np.testing.assert_allclose(f, [0.8, 0, 0])
    np.testing.assert_array_equal(support, [2, 2, 2])
    assert M.precision_score(Y_TRUE, Y_PRED, average="macro") == approx(2 / 9)
    assert M.recall_score(Y_TRUE, Y_PRED, average="macro") == approx(1 / 3)
    assert M.f1_score(Y_TRUE, Y_PRED, average="macro") == approx(0.8 / 3)
    assert M.f1_score(Y_TRUE, Y_PRED, average="weighted") == approx(0.8 / 3)
    assert M.f1_score(Y_TRUE, Y_PRED, average="micro") == approx(1 / 3)   # = accuracy
    # binary, positive class 1: tp 1, fp 1, fn 1
    assert M.precision_score([0, 1, 1, 0], [1, 1, 0, 0]) == 0.5
    assert M.recall_score([0, 1, 1, 0], [1, 1, 0, 0]) == 0.5
    assert M.f1_score([0, 1, 1, 0], [1, 1, 0, 0]) == 0.5
    assert M.fbeta_score([0, 1, 1, 1], [1, 1, 0, 0], beta=2) == approx(5 * 1 / (5 * 1 + 4 * 2 + 1))
    assert M.f1_score(["no", "yes", "yes"], ["yes", "yes", "yes"], pos_label="yes") == approx(0.8)


def test_zero_division_and_absent_classes():
    # nothing predicted positive: precision 0/0
    assert M.precision_score([0, 1, 1], [0, 0, 0]) == 0.0
    assert M.precision_score([0, 1, 1], [0, 0, 0], zero_division=1.0) == 1.0
    assert math.isnan(M.precision_score([0, 1, 1], [0, 0, 0], zero_division=float("nan")))
    # the positive class appears nowhere: every count is zero
    assert M.f1_score([0, 0], [0, 0]) == 0.0
    # a label that appears nowhere, named through labels, scores zero_division
    p = M.precision_score([0, 1], [0, 1], labels=[0, 1, 5], average=None)
    np.testing.assert_array_equal(p, [1, 1, 0])
    # NaN entries are left out of the average
    assert M.precision_score([0, 1, 1], [0, 0, 0], average="macro", zero_division="nan") == approx(1 / 3)


def test_precision_recall_errors():
    with pytest.raises(ValueError, match="average='binary' needs at most two classes"):
        M.f1_score([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError, match=r"pos_label=1 is not a valid label; it should be one of \[0, 2\]"):
        M.f1_score([0, 2, 2], [0, 2, 0])
    with pytest.raises(ValueError, match="average must be one of"):
        M.f1_score([0, 1], [0, 1], average="samplewise")
    with pytest.raises(ValueError, match="zero_division must be"):
        M.f1_score([0, 1], [0, 1], zero_division=0.5)
    with pytest.raises(ValueError, match="f1_score: y_pred must hold class labels, but it contains "
                                         "non-integer values such as 0.2"):
        M.f1_score([0, 1], [0.2, 0.7])
    with pytest.raises(ValueError, match="1-D array of class labels"):
        M.f1_score(np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match="cannot mix string and number labels"):
        M.accuracy_score(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="inputs have different numbers of samples"):
        M.recall_score([0, 1, 1], [0, 1])


def test_confusion_matrix_by_hand():
    y_true = [2, 0, 2, 2, 0, 1]
    y_pred = [0, 0, 2, 2, 0, 2]
    cm = M.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(cm, [[2, 0, 0], [0, 0, 1], [1, 0, 2]])
    assert cm.dtype == np.int64
    np.testing.assert_allclose(M.confusion_matrix(y_true, y_pred, normalize="true"),
                               [[1, 0, 0], [0, 0, 1], [1 / 3, 0, 2 / 3]])
    np.testing.assert_allclose(M.confusion_matrix(y_true, y_pred, normalize="pred"),
                               [[2 / 3, 0, 0], [0, 0, 1 / 3], [1 / 3, 0, 2 / 3]])   # empty column -> 0
    np.testing.assert_allclose(M.confusion_matrix(y_true, y_pred, normalize="all"),
                               np.array([[2, 0, 0], [0, 0, 1], [1, 0, 2]]) / 6)
    # labels fix the order and leave the other samples out
    np.testing.assert_array_equal(M.confusion_matrix(y_true, y_pred, labels=[2, 0]), [[2, 1], [0, 2]])
    weighted = M.confusion_matrix([0, 1], [0, 0], sample_weight=[0.5, 2.0])
    np.testing.assert_allclose(weighted, [[0.5, 0], [2.0, 0]])
    assert weighted.dtype == np.float64
    with pytest.raises(ValueError, match="none of the given labels"):
        M.confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="normalize must be"):
        M.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="labels must be unique"):
        M.confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1])


# -------------------------------------------------------------------------------- ROC AUC
def pairwise_auc(positive, score):
    """Brute force: P(score of a positive > score of a negative), ties counting 1/2."""
    pos, neg = score[positive], score[~positive]
    diff = pos[:, None] - neg[None, :]
    return ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size


def test_roc_auc_by_hand():
    assert M.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert M.roc_auc_score([0, 1], [0.5, 0.5]) == 0.5            # a tie is worth half
    assert M.roc_auc_score([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert M.roc_auc_score([0, 0, 1, 1], [0.4, 0.3, 0.2, 0.1]) == 0.0
    assert M.roc_auc_score(["neg", "pos"], [0.1, 0.9]) == 1.0     # the larger label is positive
    assert M.roc_auc_score([-1, 1, 1], np.array([[0.3], [0.2], [0.9]])) == 0.5


@pytest.mark.parametrize("seed", range(4))
def test_roc_auc_equals_pairwise_probability_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(300) < 0.2                                     # imbalanced
    score = np.round(rng.random(300) + 0.3 * y, 1)                # many ties
    assert M.roc_auc_score(y, score) == approx(pairwise_auc(y, score))
    score32 = score.astype(np.float32)
    assert M.roc_auc_score(y.astype(int), cr.tensor(score32)) == approx(pairwise_auc(y, score32))


def test_multiclass_one_vs_rest_auc():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 4, 200)
    y[:4] = [0, 1, 2, 3]
    scores = np.round(rng.random((200, 4)) + np.eye(4)[y] * 0.5, 1)
    scores /= scores.sum(axis=1, keepdims=True)
    per_class = np.array([pairwise_auc(y == k, scores[:, k]) for k in range(4)])
    np.testing.assert_allclose(M.roc_auc_score(y, scores, average=None), per_class, rtol=1e-12)
    assert M.roc_auc_score(y, scores) == approx(per_class.mean())
    support = np.bincount(y)
    assert M.roc_auc_score(y, scores, average="weighted") == approx((per_class * support).sum() / 200)
    micro = pairwise_auc(np.eye(4, dtype=bool)[y].ravel(), scores.ravel())
    assert M.roc_auc_score(y, scores, average="micro") == approx(micro)


def test_roc_auc_errors():
    with pytest.raises(ValueError, match="only one class"):
        M.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=r"y_score\[:, 1\]"):
        M.roc_auc_score([0, 1, 1], np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="sum to 1"):
        M.roc_auc_score([0, 1, 2], np.ones((3, 3)))
    with pytest.raises(ValueError, match="class 3 is absent from y_true"):
        M.roc_auc_score([0, 1, 2, 2], np.full((4, 4), 0.25), labels=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="4 columns but there are 3 classes"):
        M.roc_auc_score([0, 1, 2], np.full((3, 4), 0.25))
    with pytest.raises(ValueError, match="multi_class='ovr'"):
        M.roc_auc_score([0, 1, 2], np.full((3, 3), 1 / 3), multi_class="raise")
    with pytest.raises(ValueError, match="one-vs-one is not implemented"):
        M.roc_auc_score([0, 1, 2], np.full((3, 3), 1 / 3), multi_class="ovo")
    with pytest.raises(ValueError, match="non-integer values"):
        M.roc_auc_score([0.5, 1.0], [0.1, 0.2])


def test_roc_curve_by_hand():
    fpr, tpr, thresholds = M.roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(thresholds, [np.inf, 0.8, 0.4, 0.35, 0.1])
    # collinear points are dropped unless asked for
    fpr, tpr, _ = M.roc_curve([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.9])
    np.testing.assert_allclose(fpr, [0, 0, 1])
    fpr, tpr, _ = M.roc_curve([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.9], drop_intermediate=False)
    np.testing.assert_allclose(fpr, [0, 0, 1 / 3, 2 / 3, 1])
    with pytest.raises(ValueError, match="pass pos_label"):
        M.roc_curve([1, 2], [0.1, 0.2])


# ------------------------------------------------------------------------------- log loss
def test_log_loss_by_hand():
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3
    assert M.log_loss([0, 1, 1], [0.1, 0.8, 0.6]) == approx(expected)
    assert M.log_loss([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]) == approx(expected)
    assert M.log_loss(["a", "b", "b"], [[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]) == approx(expected)
    assert M.log_loss([0, 1, 1], [0.1, 0.8, 0.6], normalize=False) == approx(3 * expected)
    rows = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]
    assert M.log_loss([0, 2], rows, labels=[0, 1, 2]) == approx(-(math.log(0.7) + math.log(0.8)) / 2)
    # a certain mistake is clipped at the dtype's epsilon, not infinite
    eps64 = np.finfo(np.float64).eps
    assert M.log_loss([0, 1], [0.0, 0.0]) == approx(-(math.log(1 - eps64) + math.log(eps64)) / 2)
    eps32 = float(np.finfo(np.float32).eps)
    got = M.log_loss([1, 1, 0], np.array([0.0, 1.0, 0.0], dtype=np.float32), labels=[0, 1])
    assert got == pytest.approx(-math.log(eps32) / 3, rel=1e-5)


def test_log_loss_errors_and_warnings():
    with pytest.raises(ValueError, match="only one label"):
        M.log_loss([1, 1], [0.2, 0.7])
    with pytest.raises(ValueError, match="greater than 1"):
        M.log_loss([0, 1], [0.2, 1.7])
    with pytest.raises(ValueError, match="lower than 0"):
        M.log_loss([0, 1], [-0.2, 0.7])
    with pytest.raises(ValueError, match="y_prob has 3 columns but y_true names 2 classes"):
        M.log_loss([0, 1], np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="label 7, which is not among the labels"):
        M.log_loss([0, 7], [0.2, 0.7], labels=[0, 1])
    with pytest.warns(UserWarning, match="do not sum to one"):
        M.log_loss([0, 1], [[0.5, 0.2], [0.1, 0.3]])


# ------------------------------------------------------------------------- streaming metrics
def batches(n, size):
    return [slice(i, i + size) for i in range(0, n, size)]


def test_streaming_accuracies_equal_one_shot():
    rng = np.random.default_rng(0)
    n, c = 103, 4
    labels = rng.integers(0, c, n)
    scores = rng.random((n, c)).astype(np.float32)
    y01 = rng.integers(0, 2, n)
    p = rng.random((n, 1)).astype(np.float32)
    w = rng.random(n)
    cases = [
        (M.SparseCategoricalAccuracy(), labels, scores, M.sparse_categorical_accuracy),
        (M.CategoricalAccuracy(), np.eye(c)[labels], scores, M.categorical_accuracy),
        (M.BinaryAccuracy(threshold=0.3), y01, p, lambda a, b, **k: M.binary_accuracy(a, b, 0.3, **k)),
        (M.Accuracy(), labels, scores.argmax(1), M.accuracy_score),
    ]
    for metric, y, out, one_shot in cases:
        for weights in (None, w):
            metric.reset_state()
            assert metric.result() == 0.0
            for s in batches(n, 16):
                metric.update_state(cr.tensor(y[s]), cr.tensor(out[s]),
                                    None if weights is None else weights[s])
            expected = one_shot(y, out, sample_weight=weights)
            assert metric.result() == approx(expected), metric


@pytest.mark.parametrize("average", ["binary", "macro", "micro", "weighted"])
def test_streaming_precision_recall_f1_equal_one_shot(average):
    rng = np.random.default_rng(1)
    n = 97
    if average == "binary":
        y = (rng.random(n) < 0.3).astype(int)
        out = rng.random(n)                                       # probabilities
        pred = (out > 0.5).astype(int)
    else:
        y = rng.integers(0, 5, n)
        y[y == 4] = 3                                             # class 4 appears nowhere
        out = rng.random((n, 5))
        out[:, 2] = 0                                             # class 2 is never predicted
        pred = out.argmax(1)
    w = rng.random(n)
    for cls, fn in ((M.Precision, M.precision_score), (M.Recall, M.recall_score), (M.F1, M.f1_score)):
        for weights in (None, w):
            metric = cls(average=average)
            for s in batches(n, 10):
                metric.update_state(y[s], out[s], None if weights is None else weights[s])
            assert metric.result() == approx(fn(y, pred, average=average, sample_weight=weights))


def test_streaming_precision_from_logits_and_one_hot_targets():
    rng = np.random.default_rng(2)
    z = rng.normal(size=50)
    y = rng.integers(0, 2, 50)
    metric = M.Precision(from_logits=True)
    metric.update_state(y[:25], z[:25])
    metric.update_state(y[25:], z[25:])
    assert metric.result() == approx(M.precision_score(y, (z > 0).astype(int)))
    labels = rng.integers(0, 3, 50)
    scores = rng.random((50, 3))
    f1 = M.F1(average="macro")
    assert f1(np.eye(3)[labels], scores) == approx(M.f1_score(labels, scores.argmax(1), average="macro"))


@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
def test_streaming_auc_equals_one_shot(average):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 120)
    score = np.round(rng.random(120), 1)
    auc = M.AUC(average=average)
    for s in batches(120, 25):
        auc.update_state(y[s], score[s][:, None])
    assert auc.result() == approx(M.roc_auc_score(y, score))
    labels = rng.integers(0, 3, 120)
    logits = rng.normal(size=(120, 3))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    for from_logits, out in ((False, probs), (True, logits)):
        auc = M.AUC(average=average, from_logits=from_logits)
        for s in batches(120, 25):
            auc.update_state(cr.tensor(labels[s]), out[s])
        assert auc.result() == approx(M.roc_auc_score(labels, probs, average=average), rel=1e-9)
    # two softmax columns: the second is the positive class's score
    auc = M.AUC()
    auc.update_state(y, np.stack([1 - score, score], 1))
    assert auc.result() == approx(M.roc_auc_score(y, score))


def test_metric_reset_call_and_errors():
    m = M.BinaryAccuracy()
    assert m([1, 0], [0.9, 0.9]) == 0.5
    assert m([1, 1], [0.9, 0.9]) == 0.75           # __call__ accumulates, then returns the result
    m.reset_state()
    assert m.result() == 0.0
    assert M.AUC().result() == 0.0
    assert M.F1(average="macro").result() == 0.0
    with pytest.raises(ValueError, match="threshold"):
        M.BinaryAccuracy(threshold=0)
    with pytest.raises(ValueError, match="only a single threshold"):
        M.Precision(thresholds=[0.3, 0.5])
    assert M.Precision(thresholds=0.3).threshold == 0.3
    with pytest.raises(ValueError, match="class index 3, outside"):
        M.Recall(average="macro").update_state([0, 3], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="binary targets 0 or 1"):
        M.Recall().update_state([0, 2], [0.1, 0.2])
    auc = M.AUC()
    auc.update_state([0, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="does not match the earlier batches"):
        auc.update_state([0, 1], np.full((2, 3), 1 / 3))


def test_mean_metric_wrapper_with_user_functions():
    def abs_error(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred))

    m = M.get(abs_error)
    assert m.name == "abs_error"
    m.update_state([1.0, 2.0], [1.5, 2.0])
    m.update_state([0.0], [3.0])
    assert m.result() == approx(3.5 / 3)

    def batch_mean(y_true, y_pred):                 # a scalar counts as the mean of its batch
        return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

    m = M.MeanMetricWrapper(batch_mean)
    m.update_state([1, 1, 1, 1], [1, 1, 1, 1])
    m.update_state([1], [0])
    assert m.result() == approx(4 / 5)


def test_get_resolves_names_and_keras_accuracy_rule():
    for name, cls in [("precision", M.Precision), ("recall", M.Recall), ("f1", M.F1),
                      ("f1_score", M.F1), ("auc", M.AUC), ("AUC", M.AUC), ("acc", M.Accuracy),
                      ("binary_accuracy", M.BinaryAccuracy),
                      ("categorical_accuracy", M.CategoricalAccuracy),
                      ("sparse_categorical_accuracy", M.SparseCategoricalAccuracy)]:
        metric = M.get(name)
        assert type(metric) is cls and metric.name == name
    mine = M.F1(average="macro")
    assert M.get(mine) is mine
    assert isinstance(M.get(M.Recall), M.Recall)
    # 'accuracy' chosen from the targets' and predictions' shapes, as Keras does
    assert type(M.get("accuracy", np.zeros(8), np.zeros((8, 1)))) is M.BinaryAccuracy
    assert type(M.get("acc", (8,), (8,))) is M.BinaryAccuracy
    assert type(M.get("accuracy", np.zeros(8), np.zeros((8, 10)))) is M.SparseCategoricalAccuracy
    assert type(M.get("accuracy", (8, 1), (8, 10))) is M.SparseCategoricalAccuracy
    resolved = M.get("accuracy", cr.zeros(8, 10), cr.zeros(8, 10))
    assert type(resolved) is M.CategoricalAccuracy and resolved.name == "accuracy"
    with pytest.raises(ValueError, match="unknown metric 'top5'"):
        M.get("top5")
    with pytest.raises(TypeError, match="expected a metric name"):
        M.get(3)


def test_large_inputs_are_handled_whole():
    # a million samples through every metric: vectorized code finishes in well under a second
    rng = np.random.default_rng(4)
    n = 1_000_000
    y = rng.integers(0, 2, n)
    p = rng.random(n)
    assert 0.49 < M.roc_auc_score(y, p) < 0.51
    assert 0.0 < M.f1_score(y, (p > 0.5).astype(int)) < 1.0
    assert M.log_loss(y, p) > 0.9
    assert M.binary_accuracy(y, p) == approx(M.accuracy_score(y, (p > 0.5).astype(int)))
