"""chainrule.metrics against scikit-learn's sklearn.metrics, the oracle, on random and edge-case
inputs: imbalanced classes, a class never predicted, ties in scores, perfect and worst
predictions, binary and multiclass, and list / ndarray / Tensor inputs."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import metrics as M

pytest.importorskip("sklearn", reason="scikit-learn is the oracle for these comparisons; "
                                      "pip install scikit-learn")
from sklearn import metrics as sk  # noqa: E402

KINDS = ["list", "ndarray", "tensor"]


def as_kind(array, kind):
    """The same values as a Python list, an ndarray or a chainrule Tensor."""
    array = np.asarray(array)
    if kind == "list":
        return array.tolist()
    if kind == "tensor" and array.dtype.kind not in "US":
        return cr.tensor(array)
    return array


def oracle(fn, *args, **kwargs):
    """scikit-learn's answer, or the exception type it raises; its warnings are silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except ValueError as error:
            return error


def check_same(ours_fn, expected, rel=1e-12):
    """``ours_fn()`` equals scikit-learn's ``expected`` (or raises ValueError where it did)."""
    if isinstance(expected, ValueError):
        with pytest.raises(ValueError):
            ours_fn()
        return
    ours = ours_fn()
    if isinstance(expected, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(expected)
        for a, b in zip(ours, expected):
            check_value(a, b, rel)
    else:
        check_value(ours, expected, rel)


def check_value(ours, expected, rel):
    if expected is None:
        assert ours is None
    elif np.ndim(expected) == 0:
        assert isinstance(ours, float), type(ours)
        if np.isnan(expected):
            assert np.isnan(ours)
        else:
            assert ours == pytest.approx(float(expected), rel=rel, abs=1e-14)
    else:
        ours, expected = np.asarray(ours), np.asarray(expected)
        assert ours.shape == expected.shape
        np.testing.assert_allclose(ours, expected, rtol=rel, atol=1e-14, equal_nan=True)


# ------------------------------------------------------------------------- label cases
def label_cases():
    rng = np.random.default_rng(0)
    n = 60
    cases = {}
    cases["binary"] = rng.integers(0, 2, n), rng.integers(0, 2, n)
    t = (rng.random(n) < 0.07).astype(int)                  # about 4 positives in 60
    cases["imbalanced"] = t, np.where(rng.random(n) < 0.1, 1 - t, t)
    cases["multiclass3"] = rng.integers(0, 3, n), rng.integers(0, 3, n)
    t, p = rng.integers(0, 5, n), rng.integers(0, 5, n)
    cases["never_predicted"] = t, np.where(p == 3, 0, p)    # class 3 is never predicted
    cases["only_predicted"] = np.where(t == 4, 1, t), p     # class 4 only in y_pred
    t = rng.integers(0, 4, n)
    cases["perfect"] = t, t.copy()
    t = rng.integers(0, 2, n)
    cases["worst"] = t, 1 - t
    cases["one_class"] = np.zeros(n, int), np.zeros(n, int)
    cases["minus_one_one"] = 2 * rng.integers(0, 2, n) - 1, 2 * rng.integers(0, 2, n) - 1
    cases["floats"] = rng.integers(0, 3, n).astype(float), rng.integers(0, 3, n).astype(float)
    cases["strings"] = (np.array(["cat", "dog", "eel"])[rng.integers(0, 3, n)],
                        np.array(["cat", "dog", "eel"])[rng.integers(0, 3, n)])
    cases["bool"] = rng.random(n) < 0.5, rng.random(n) < 0.5
    return cases


LABEL_CASES = label_cases()
WEIGHTS = np.random.default_rng(1).random(60)


@pytest.mark.parametrize("case", sorted(LABEL_CASES))
@pytest.mark.parametrize("kind", KINDS)
def test_accuracy_score(case, kind):
    y_true, y_pred = LABEL_CASES[case]
    for normalize in (True, False):
        for w in (None, WEIGHTS):
            expected = oracle(sk.accuracy_score, y_true, y_pred, normalize=normalize, sample_weight=w)
            check_same(lambda: M.accuracy_score(as_kind(y_true, kind), as_kind(y_pred, kind),
                                                normalize=normalize, sample_weight=w), expected)


@pytest.mark.parametrize("case", sorted(LABEL_CASES))
@pytest.mark.parametrize("average", ["binary", "micro", "macro", "weighted", None])
def test_precision_recall_fscore(case, average):
    y_true, y_pred = LABEL_CASES[case]
    pos_label = "dog" if case == "strings" else True if case == "bool" else 1
    for zero_division in (0.0, 1.0, np.nan):
        for w in (None, WEIGHTS):
            kw = dict(average=average, pos_label=pos_label, sample_weight=w, zero_division=zero_division)
            expected = oracle(sk.precision_recall_fscore_support, y_true, y_pred, **kw)
            for kind in KINDS:
                yt, yp = as_kind(y_true, kind), as_kind(y_pred, kind)
                check_same(lambda: M.precision_recall_fscore_support(yt, yp, **kw), expected)
                for i, ours in enumerate((M.precision_score, M.recall_score, M.f1_score)):
                    check_same(lambda: ours(yt, yp, **kw),
                               expected if isinstance(expected, ValueError) else expected[i])
    kw = dict(average=average, pos_label=pos_label)
    check_same(lambda: M.fbeta_score(y_true, y_pred, beta=0.5, **kw),
               oracle(sk.fbeta_score, y_true, y_pred, beta=0.5, **kw))
    # scikit-learn's own functions agree with its precision_recall_fscore_support
    check_same(lambda: M.f1_score(y_true, y_pred, **kw), oracle(sk.f1_score, y_true, y_pred, **kw))


@pytest.mark.parametrize("labels", [[0, 1, 2], [2, 0], [4, 1, 7, 0], [3], [9]])
@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
def test_precision_recall_fscore_with_labels(labels, average):
    y_true, y_pred = LABEL_CASES["never_predicted"]
    for w in (None, WEIGHTS):
        for zero_division in (0.0, 1.0, np.nan):
            kw = dict(labels=labels, average=average, sample_weight=w, zero_division=zero_division)
            check_same(lambda: M.precision_recall_fscore_support(y_true, y_pred, **kw),
                       oracle(sk.precision_recall_fscore_support, y_true, y_pred, **kw))


@pytest.mark.parametrize("case", sorted(LABEL_CASES))
def test_confusion_matrix(case):
    y_true, y_pred = LABEL_CASES[case]
    present = np.unique(np.concatenate([np.unique(y_true), np.unique(y_pred)]))
    label_sets = [None, present[::-1], present[:1], np.concatenate([present, present[:0]])]
    weight_sets = [None, WEIGHTS, (WEIGHTS * 10).astype(int)]
    for labels in label_sets:
        for normalize in (None, "true", "pred", "all"):
            for w in weight_sets if normalize is None else weight_sets[:2]:
                kw = dict(labels=labels, normalize=normalize, sample_weight=w)
                expected = oracle(sk.confusion_matrix, y_true, y_pred, **kw)
                for kind in KINDS:
                    yt, yp = as_kind(y_true, kind), as_kind(y_pred, kind)
                    check_same(lambda: M.confusion_matrix(yt, yp, **kw), expected)
                if not isinstance(expected, ValueError):
                    assert M.confusion_matrix(y_true, y_pred, **kw).dtype == expected.dtype


def test_confusion_matrix_labels_outside_the_data():
    y_true, y_pred = LABEL_CASES["multiclass3"]
    for labels in ([0, 1, 2, 7], [7, 2], [1]):
        np.testing.assert_array_equal(M.confusion_matrix(y_true, y_pred, labels=labels),
                                      oracle(sk.confusion_matrix, y_true, y_pred, labels=labels))
    with pytest.raises(ValueError):
        sk.confusion_matrix(y_true, y_pred, labels=[7])
    with pytest.raises(ValueError, match="none of the given labels"):
        M.confusion_matrix(y_true, y_pred, labels=[7])


# ------------------------------------------------------------------------ score cases
def score_cases():
    rng = np.random.default_rng(2)
    n = 80
    y = rng.integers(0, 2, n)
    cases = {
        "continuous": (y, rng.normal(size=n) + y),
        "ties": (y, np.round(rng.random(n) + 0.3 * y, 1)),
        "perfect": (y, y + rng.random(n) * 0.5),
        "worst": (y, -y - rng.random(n) * 0.5),
        "constant": (y, np.full(n, 0.3)),
        "imbalanced": ((rng.random(n) < 0.05).astype(int), rng.random(n)),
        "two_values": (y, y * 1.0),
        "minus_one_one": (2 * y - 1, rng.random(n)),
        "bool": (y == 1, rng.random(n)),
        "strings": (np.array(["no", "yes"])[y], rng.random(n) + 0.2 * y),
    }
    cases["imbalanced"][0][:2] = [1, 0]
    return cases


SCORE_CASES = score_cases()


@pytest.mark.parametrize("case", sorted(SCORE_CASES))
@pytest.mark.parametrize("kind", KINDS)
def test_binary_roc_auc(case, kind):
    y, score = SCORE_CASES[case]
    for w in (None, np.random.default_rng(3).random(len(y))):
        scores = score if kind == "tensor" else as_kind(score, kind)   # a tensor would be float32
        check_same(lambda: M.roc_auc_score(as_kind(y, kind), scores, sample_weight=w),
                   oracle(sk.roc_auc_score, y, score, sample_weight=w))
    if kind == "tensor":  # a float32 tensor of scores: compare on the float32 values
        score32 = score.astype(np.float32)
        check_same(lambda: M.roc_auc_score(as_kind(y, kind), cr.tensor(score32)),
                   oracle(sk.roc_auc_score, y, score32))


@pytest.mark.parametrize("case", sorted(SCORE_CASES))
def test_roc_curve(case):
    y, score = SCORE_CASES[case]
    pos_label = "yes" if case == "strings" else True if case == "bool" else None
    for w in (None, np.random.default_rng(3).random(len(y)), np.r_[np.zeros(10), np.ones(len(y) - 10)]):
        for drop in (True, False):
            kw = dict(pos_label=pos_label, sample_weight=w, drop_intermediate=drop)
            check_same(lambda: M.roc_curve(y, score, **kw), oracle(sk.roc_curve, y, score, **kw))


def test_roc_auc_single_class_is_an_error():
    # scikit-learn >= 1.8 warns and returns NaN here; chainrule refuses, as specified
    with pytest.raises(ValueError, match="only one class"):
        M.roc_auc_score([1, 1, 1], [0.1, 0.5, 0.9])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sk.roc_auc_score([1, 1, 1], [0.1, 0.5, 0.9])
        except ValueError:
            return
    assert np.isnan(result)


def multiclass_scores(seed, n, c, ties=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, n)
    y[:c] = np.arange(c)
    raw = rng.random((n, c)) + 0.4 * np.eye(c)[y]
    if ties:
        raw = np.round(raw, 1) + 0.1
    return y, raw / raw.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("c", [3, 5])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
@pytest.mark.parametrize("kind", KINDS)
def test_multiclass_roc_auc(c, ties, average, kind):
    y, scores = multiclass_scores(c + 10 * ties, 90, c, ties)
    for w in (None, np.random.default_rng(4).random(90)):
        kw = dict(average=average, sample_weight=w)
        check_same(lambda: M.roc_auc_score(as_kind(y, kind), as_kind(scores, kind), **kw),
                   oracle(sk.roc_auc_score, y, scores, multi_class="ovr", **kw))


def test_multiclass_roc_auc_labels_and_errors():
    y, scores = multiclass_scores(7, 50, 4)
    labels = np.array([10, 20, 30, 40])
    check_same(lambda: M.roc_auc_score(labels[y], scores, labels=labels),
               oracle(sk.roc_auc_score, labels[y], scores, multi_class="ovr", labels=labels))
    # perfect and worst one-vs-rest rankings
    perfect = np.eye(4)[y] * 0.7 + 0.075
    check_same(lambda: M.roc_auc_score(y, perfect), oracle(sk.roc_auc_score, y, perfect, multi_class="ovr"))
    worst = (1 - np.eye(4)[y]) / 3
    check_same(lambda: M.roc_auc_score(y, worst), oracle(sk.roc_auc_score, y, worst, multi_class="ovr"))
    for bad_kw in (dict(labels=[0, 1, 2]), dict(labels=[3, 2, 1, 0]), dict(labels=[0, 1, 2, 2])):
        assert isinstance(oracle(sk.roc_auc_score, y, scores, multi_class="ovr", **bad_kw), ValueError)
        with pytest.raises(ValueError):
            M.roc_auc_score(y, scores, **bad_kw)
    unnormalized = scores * 2
    assert isinstance(oracle(sk.roc_auc_score, y, unnormalized, multi_class="ovr"), ValueError)
    with pytest.raises(ValueError, match="sum to 1"):
        M.roc_auc_score(y, unnormalized)


# ------------------------------------------------------------------------------ log loss
@pytest.mark.parametrize("case", sorted(SCORE_CASES))
@pytest.mark.parametrize("kind", KINDS)
def test_binary_log_loss(case, kind):
    y, score = SCORE_CASES[case]
    p = 1 / (1 + np.exp(-3 * (score - score.mean())))
    w = np.random.default_rng(5).random(len(y))
    layouts = [p, p[:, None], np.stack([1 - p, p], axis=1), np.round(p), p.astype(np.float32)]
    for prob in layouts:
        rel = 1e-6 if prob.dtype == np.float32 else 1e-12
        for kw in (dict(), dict(normalize=False), dict(sample_weight=w)):
            check_same(lambda: M.log_loss(as_kind(y, kind), as_kind(prob, kind), **kw),
                       oracle(sk.log_loss, y, prob, **kw), rel=rel)


@pytest.mark.filterwarnings("ignore:log_loss. the rows of y_prob do not sum to one")
@pytest.mark.parametrize("c", [3, 5])
@pytest.mark.parametrize("kind", KINDS)
def test_multiclass_log_loss(c, kind):
    y, prob = multiclass_scores(c, 70, c)
    w = np.random.default_rng(6).random(70)
    for p in (prob, prob.astype(np.float32), np.eye(c)[y], np.eye(c)[(y + 1) % c]):
        rel = 1e-6 if p.dtype == np.float32 else 1e-12
        for kw in (dict(), dict(normalize=False), dict(sample_weight=w)):
            check_same(lambda: M.log_loss(as_kind(y, kind), as_kind(p, kind), **kw),
                       oracle(sk.log_loss, y, p, **kw), rel=rel)
    # a class absent from y_true, named through labels
    y_missing = np.where(y == c - 1, 0, y)
    labels = list(range(c))
    check_same(lambda: M.log_loss(y_missing, prob, labels=labels),
               oracle(sk.log_loss, y_missing, prob, labels=labels))
    assert isinstance(oracle(sk.log_loss, y_missing, prob), ValueError)
    with pytest.raises(ValueError, match="pass all the class labels"):
        M.log_loss(y_missing, prob)


# -------------------------------------------------- Keras accuracies and streaming metrics
def test_keras_accuracies_equal_accuracy_score_on_decided_labels():
    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 100)
    p = rng.random(100)
    assert M.binary_accuracy(y, p) == pytest.approx(sk.accuracy_score(y, p > 0.5))
    assert M.binary_accuracy(y, p, threshold=0.7) == pytest.approx(sk.accuracy_score(y, p > 0.7))
    labels, scores = multiclass_scores(9, 100, 4)
    assert M.sparse_categorical_accuracy(labels, scores) == pytest.approx(
        sk.accuracy_score(labels, scores.argmax(1)))
    w = rng.random(100)
    assert M.categorical_accuracy(np.eye(4)[labels], scores, sample_weight=w) == pytest.approx(
        sk.accuracy_score(labels, scores.argmax(1), sample_weight=w))


@pytest.mark.parametrize("average", ["binary", "macro", "micro", "weighted"])
def test_streaming_metrics_equal_sklearn(average):
    rng = np.random.default_rng(9)
    n = 150
    if average == "binary":
        y = (rng.random(n) < 0.2).astype(int)
        out = rng.random(n)
        decided = (out > 0.5).astype(int)
    else:
        y, out = multiclass_scores(10, n, 5, ties=True)
        decided = out.argmax(1)
    for cls, fn in ((M.Precision, sk.precision_score), (M.Recall, sk.recall_score), (M.F1, sk.f1_score)):
        metric = cls(average=average)
        for start in range(0, n, 32):
            metric.update_state(cr.tensor(y[start:start + 32]), cr.tensor(out[start:start + 32]))
        assert metric.result() == pytest.approx(
            oracle(fn, y, decided, average=average, zero_division=0.0), rel=1e-12)
    auc = M.AUC(average="macro" if average == "binary" else average)
    for start in range(0, n, 32):
        auc.update_state(y[start:start + 32], out[start:start + 32])
    expected = oracle(sk.roc_auc_score, y, out, multi_class="ovr",
                      average="macro" if average == "binary" else average)
    assert auc.result() == pytest.approx(expected, rel=1e-12)
