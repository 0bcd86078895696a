"""Classification metrics on whole arrays: accuracy, precision/recall/F, confusion matrix, log loss.

Two families of names, each with its own library's semantics:

- Keras's accuracies, which take what a network outputs: ``binary_accuracy`` (probabilities
  or logits, thresholded), ``categorical_accuracy`` (one-hot targets against score rows) and
  ``sparse_categorical_accuracy`` (integer targets against score rows).
- scikit-learn's metrics, which take class labels: ``accuracy_score``, ``precision_score``,
  ``recall_score``, ``f1_score``, ``fbeta_score``, ``precision_recall_fscore_support``,
  ``confusion_matrix``, and ``log_loss`` (labels against probabilities).  Their results equal
  scikit-learn's, labels inferred the same way (the sorted union of the labels seen).

Inputs may be Tensors, ndarrays or lists; results are Python floats or ndarrays.  Nothing
here loops over samples: each metric is a few whole-array operations (``bincount`` counts).
"""
import math
import numbers
import warnings

from chainrule.backend import xp
from chainrule.metrics._checks import (
    check_lengths, column, encode, given_labels, labels_of, sample_weights, to_array, to_scores,
    unique_labels, weighted_mean, zero_division_value,
)

_AVERAGES = ("binary", "micro", "macro", "weighted", None)


# ------------------------------------------------------------------------ Keras's accuracies
def binary_accuracy(y_true, y_pred, threshold=0.5, *, from_logits=False, sample_weight=None):
    """The fraction of 0/1 targets that ``y_pred > threshold`` gets right (Keras's rule).

    ``y_true``: 0/1 (or boolean) targets, shape (n,) or (n, k).  ``y_pred``: probabilities of
    the same shape (a trailing size-1 axis on either side is dropped), or logits with
    ``from_logits=True`` (then ``sigmoid(y_pred) > threshold``), or 0/1 labels.  With k > 1
    targets per sample, each sample scores the fraction of its k that are right.

    >>> binary_accuracy([0, 1, 1], [0.2, 0.7, 0.4])     # 2 of 3 right
    0.6666666666666666
    """
    op = "binary_accuracy"
    matches = binary_matches(y_true, y_pred, threshold, from_logits, op)
    return weighted_mean(matches, sample_weights(sample_weight, len(matches), op), op)


def categorical_accuracy(y_true, y_pred, *, sample_weight=None):
    """The fraction of rows where ``argmax(y_pred) == argmax(y_true)`` (one-hot targets).

    ``y_true`` and ``y_pred``: shape (n, C) (or (n, ..., C)); ``y_pred`` may be probabilities or
    logits, since argmax is the same.  Ties go to the first maximal class, as in NumPy.

    >>> categorical_accuracy([[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]])
    0.5
    """
    op = "categorical_accuracy"
    matches = categorical_matches(y_true, y_pred, op)
    return weighted_mean(matches, sample_weights(sample_weight, len(matches), op), op)


def sparse_categorical_accuracy(y_true, y_pred, *, sample_weight=None):
    """The fraction of samples where ``argmax(y_pred) == y_true`` (integer targets).

    ``y_true``: integer class indices in [0, C), shape (n,) or (n, 1).  ``y_pred``: scores
    (probabilities or logits) of shape (n, C).

    >>> sparse_categorical_accuracy([2, 0], [[0.1, 0.2, 0.7], [0.3, 0.6, 0.1]])
    0.5
    """
    op = "sparse_categorical_accuracy"
    matches = sparse_categorical_matches(y_true, y_pred, op)
    return weighted_mean(matches, sample_weights(sample_weight, len(matches), op), op)


def binary_matches(y_true, y_pred, threshold=0.5, from_logits=False, op="binary_accuracy"):
    """Per-sample fraction of right 0/1 decisions, shape (n,): the values ``binary_accuracy`` averages."""
    check_threshold(threshold, op)
    target = binary_targets(y_true, op)
    scores = to_scores(y_pred, "y_pred", op)
    target, scores = same_rank(target, scores, op)
    if from_logits:  # sigmoid(z) > t  <=>  z > log(t / (1 - t)), with no overflow for large |z|
        threshold = math.log(threshold / (1.0 - threshold))
    return per_sample(target == (scores > threshold))


def categorical_matches(y_true, y_pred, op="categorical_accuracy"):
    """Per-sample ``argmax(y_pred) == argmax(y_true)`` as floats, shape (n,)."""
    target = to_scores(y_true, "y_true", op)
    scores = to_scores(y_pred, "y_pred", op)
    if target.shape != scores.shape or scores.ndim < 2:
        raise ValueError(f"{op}: y_true (one-hot) and y_pred (scores) must both have shape "
                         f"(n_samples, n_classes), got {target.shape} and {scores.shape}"
                         + (" (for integer targets use sparse_categorical_accuracy)"
                            if target.ndim == scores.ndim - 1 else ""))
    check_lengths(op, y_true=target, y_pred=scores)
    return per_sample(target.argmax(axis=-1) == scores.argmax(axis=-1))


def sparse_categorical_matches(y_true, y_pred, op="sparse_categorical_accuracy"):
    """Per-sample ``argmax(y_pred) == y_true`` as floats, shape (n,)."""
    scores = to_scores(y_pred, "y_pred", op)
    if scores.ndim < 2:
        raise ValueError(f"{op}: y_pred must hold a row of class scores per sample, shape "
                         f"(n_samples, n_classes), got shape {scores.shape}")
    target = to_array(y_true, "y_true", op)
    if target.shape == scores.shape[:-1] + (1,):
        target = target[..., 0]
    if target.shape != scores.shape[:-1]:
        raise ValueError(f"{op}: y_true must hold one class index per row of y_pred: expected shape "
                         f"{scores.shape[:-1]} for y_pred of shape {scores.shape}, got {target.shape}"
                         + (" (for one-hot targets use categorical_accuracy)"
                            if target.shape == scores.shape else ""))
    check_lengths(op, y_true=target, y_pred=scores)
    target = class_indices(target, scores.shape[-1], "y_true", op)
    return per_sample(target == scores.argmax(axis=-1))


def check_threshold(threshold, op):
    """A decision threshold must be a probability strictly between 0 and 1 (as in Keras)."""
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not 0 < threshold < 1:
        raise ValueError(f"{op}: threshold must be a probability in (0, 1), got {threshold!r}")


def binary_targets(y_true, op):
    """``y_true`` (0/1 numbers or booleans) as a boolean array; other values raise."""
    target = to_array(y_true, "y_true", op)
    if target.dtype.kind in "US":
        raise TypeError(f"{op}: y_true must hold 0/1 targets, got strings")
    if target.ndim == 0:
        raise ValueError(f"{op}: y_true must have a sample axis, got a scalar")
    if target.dtype.kind != "b":
        outside = (target != 0) & (target != 1)
        if outside.any():
            raise ValueError(f"{op}: y_true must hold binary targets 0 or 1, found "
                             f"{target[outside].ravel()[0].item()!r}")
        target = target == 1
    return target


def class_indices(target, n_classes, name, op):
    """Integer class indices in [0, n_classes) as int64 (no upper bound if ``n_classes`` is None)."""
    if target.dtype.kind in "US":
        raise TypeError(f"{op}: {name} must hold integer class indices, got strings")
    if target.dtype.kind == "f":
        if not xp.isfinite(target).all() or (target != xp.floor(target)).any():
            raise ValueError(f"{op}: {name} must hold integer class indices, got non-integer values")
    target = target.astype(xp.int64, copy=False)
    if n_classes is None:
        if target.size and target.min() < 0:
            raise ValueError(f"{op}: {name} holds class index {target.min()}; class indices "
                             f"must be >= 0")
    elif target.size and (target.min() < 0 or target.max() >= n_classes):
        bad = target[(target < 0) | (target >= n_classes)].ravel()[0]
        raise ValueError(f"{op}: {name} holds class index {bad}, outside [0, {n_classes}) for "
                         f"{n_classes} classes")
    return target


def drop_trailing_unit_axis(y_true, y_pred):
    """Keras's rule: when one array has an extra trailing axis of size 1, drop it."""
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        return y_true, y_pred[..., 0]
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        return y_true[..., 0], y_pred
    return y_true, y_pred


def same_rank(y_true, y_pred, op):
    """Drop a trailing size-1 axis so that target and prediction have one shape (Keras's rule)."""
    if y_true.ndim and y_pred.ndim:
        check_lengths(op, y_true=y_true, y_pred=y_pred)
    y_true, y_pred = drop_trailing_unit_axis(y_true, y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim == 0:
        raise ValueError(f"{op}: y_true of shape {y_true.shape} and y_pred of shape {y_pred.shape} do "
                         f"not match; each prediction needs its own 0/1 target (for rows of class "
                         f"scores use sparse_categorical_accuracy or categorical_accuracy)")
    return y_true, y_pred


def per_sample(matches):
    """A boolean array (n, ...) as float64 per-sample means over everything after axis 0."""
    if matches.ndim == 1:
        return matches.astype(xp.float64)
    return matches.reshape(len(matches), -1).mean(axis=1)


# --------------------------------------------------------------- scikit-learn's label metrics
def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """The fraction (or with ``normalize=False`` the number) of labels predicted exactly.

    ``y_true``, ``y_pred``: class labels, shape (n,).  As ``sklearn.metrics.accuracy_score``.

    >>> accuracy_score([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    """
    op = "accuracy_score"
    y_true, y_pred = labels_of(y_true, y_pred, op)
    w = sample_weights(sample_weight, len(y_true), op)
    right = (y_true == y_pred).astype(xp.float64)
    if normalize:
        return weighted_mean(right, w, op)
    return float(right.sum() if w is None else (right * w).sum())


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """C[i, j]: the number of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` (default: the sorted union of the labels seen) fixes the rows' order; samples
    whose true or predicted label is not among them are left out.  ``normalize``: 'true'
    divides each row by its sum, 'pred' each column, 'all' the whole matrix (an empty row or
    column stays 0).  Shape (L, L); int64 counts, or float64 when weighted or normalized.

    >>> confusion_matrix([0, 1, 1], [0, 0, 1])
    array([[1, 0],
           [1, 1]])
    """
    op = "confusion_matrix"
    if normalize not in ("true", "pred", "all", None):
        raise ValueError(f"{op}: normalize must be 'true', 'pred', 'all' or None, got {normalize!r}")
    y_true, y_pred = labels_of(y_true, y_pred, op)
    w = sample_weights(sample_weight, len(y_true), op)
    if labels is None:
        labels = unique_labels(y_true, y_pred)
    else:
        labels = given_labels(labels, y_true, op)
        if not xp.isin(y_true, labels).any():
            raise ValueError(f"{op}: none of the given labels {labels.tolist()} occurs in y_true")
    n = len(labels)
    row, col = encode(y_true, labels), encode(y_pred, labels)
    keep = (row >= 0) & (col >= 0)
    cell = row[keep] * n + col[keep]
    if w is None:
        matrix = xp.bincount(cell, minlength=n * n).reshape(n, n)
    else:
        matrix = xp.bincount(cell, weights=w[keep], minlength=n * n).reshape(n, n)
        matrix = matrix.astype(xp.int64 if w.dtype.kind in "biu" else xp.float64)
    if normalize is None:
        return matrix
    matrix = matrix.astype(xp.float64)
    if normalize == "true":
        total = matrix.sum(axis=1, keepdims=True)
    elif normalize == "pred":
        total = matrix.sum(axis=0, keepdims=True)
    else:
        total = matrix.sum()
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.nan_to_num(matrix / total)


def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None, pos_label=1,
                                    average=None, sample_weight=None, zero_division=0.0):
    """Precision, recall, F-beta and support per class, or averaged over the classes.

    For class c: precision = tp / (tp + fp), recall = tp / (tp + fn),
    F-beta = (1 + beta²) tp / ((1 + beta²) tp + beta² fn + fp), support = tp + fn.
    ``average``: 'binary' (class ``pos_label`` only; needs at most two labels), 'micro'
    (pool the counts of all classes), 'macro' (plain mean over classes), 'weighted' (mean
    weighted by support), None (per-class arrays, in the order of ``labels``).  A 0/0 ratio
    becomes ``zero_division`` (0.0, 1.0 or NaN; NaN entries are left out of averages).
    Returns (precision, recall, fbeta, support); support is None when averaged.
    Equal to ``sklearn.metrics.precision_recall_fscore_support`` (without its warnings).
    """
    return _prfs(y_true, y_pred, beta, labels, pos_label, average, sample_weight, zero_division,
                 "precision_recall_fscore_support")


def _prfs(y_true, y_pred, beta, labels, pos_label, average, sample_weight, zero_division, op):
    if average not in _AVERAGES:
        raise ValueError(f"{op}: average must be one of {_AVERAGES}, got {average!r}")
    if not isinstance(beta, numbers.Real) or not beta >= 0:
        raise ValueError(f"{op}: beta must be a number >= 0, got {beta!r}")
    zero = zero_division_value(zero_division, op)
    y_true, y_pred = labels_of(y_true, y_pred, op)
    w = sample_weights(sample_weight, len(y_true), op)
    present = unique_labels(y_true, y_pred)
    if average == "binary":
        if len(present) > 2:
            raise ValueError(f"{op}: average='binary' needs at most two classes, but y_true and y_pred "
                             f"hold {len(present)} ({_show(present)}); choose average='macro', "
                             f"'micro', 'weighted' or None")
        if not xp.isin(xp.asarray([pos_label]), present).all():
            if len(present) == 2:
                raise ValueError(f"{op}: pos_label={pos_label!r} is not a valid label; it should be "
                                 f"one of {present.tolist()}")
            # neither array holds the positive class: every count is zero
            tp = pred_sum = true_sum = xp.zeros(1, dtype=xp.int64)
            return prf_from_counts(tp, pred_sum, true_sum, beta, average, zero)
        labels = xp.asarray([pos_label])
    elif labels is None:
        labels = present
    else:
        labels = given_labels(labels, y_true, op)
    tp, pred_sum, true_sum = _class_counts(y_true, y_pred, labels, w)
    return prf_from_counts(tp, pred_sum, true_sum, beta, average, zero)


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division=0.0):
    """tp / (tp + fp): of the samples predicted as a class, the fraction that are.

    See ``precision_recall_fscore_support`` for ``average`` and ``zero_division``.

    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])     # 2 of the 3 predicted 1s are 1s
    0.6666666666666666
    """
    return _prfs(y_true, y_pred, 1.0, labels, pos_label, average, sample_weight, zero_division,
                 "precision_score")[0]


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                 sample_weight=None, zero_division=0.0):
    """tp / (tp + fn): of the samples of a class, the fraction predicted as it.

    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])        # 1 of the 2 true 1s is found
    0.5
    """
    return _prfs(y_true, y_pred, 1.0, labels, pos_label, average, sample_weight, zero_division,
                 "recall_score")[1]


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
             sample_weight=None, zero_division=0.0):
    """The harmonic mean of precision and recall: 2 tp / (2 tp + fp + fn).

    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _prfs(y_true, y_pred, 1.0, labels, pos_label, average, sample_weight, zero_division,
                 "f1_score")[2]


def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary",
                sample_weight=None, zero_division=0.0):
    """F-beta: (1 + beta²) tp / ((1 + beta²) tp + beta² fn + fp); beta > 1 favours recall."""
    return _prfs(y_true, y_pred, beta, labels, pos_label, average, sample_weight, zero_division,
                 "fbeta_score")[2]


def _class_counts(y_true, y_pred, labels, w):
    """Per label: true positives, predictions of it, and true samples of it (three bincounts)."""
    n = len(labels)
    t, p = encode(y_true, labels), encode(y_pred, labels)
    hit = (t >= 0) & (t == p)
    in_t, in_p = t >= 0, p >= 0
    if w is None:
        return (xp.bincount(t[hit], minlength=n), xp.bincount(p[in_p], minlength=n),
                xp.bincount(t[in_t], minlength=n))
    return (xp.bincount(t[hit], weights=w[hit], minlength=n),
            xp.bincount(p[in_p], weights=w[in_p], minlength=n),
            xp.bincount(t[in_t], weights=w[in_t], minlength=n))


def prf_from_counts(tp, pred_sum, true_sum, beta=1.0, average=None, zero_division=0.0):
    """Precision, recall, F-beta and support from per-class counts (arrays of shape (L,)).

    Shared by the one-shot functions and the streaming metrics, so that both give one answer.
    ``average`` as in ``precision_recall_fscore_support``; ``zero_division`` is a number.
    """
    if average == "micro":  # pool the counts of all classes into one
        tp, pred_sum, true_sum = (tp.sum(keepdims=True), pred_sum.sum(keepdims=True),
                                  true_sum.sum(keepdims=True))
    precision = _divide(tp, pred_sum, zero_division)
    recall = _divide(tp, true_sum, zero_division)
    if math.isinf(beta):
        fscore = recall
    elif beta == 0:
        fscore = precision
    else:
        b2 = beta * beta
        fscore = _divide((1 + b2) * tp.astype(xp.float64),
                         b2 * true_sum.astype(xp.float64) + pred_sum, zero_division)
    if average is None:
        return precision, recall, fscore, true_sum
    weights = true_sum if average == "weighted" else None
    return (_nan_average(precision, weights), _nan_average(recall, weights),
            _nan_average(fscore, weights), None)


def _divide(numerator, denominator, zero):
    """numerator / denominator in float64, with ``zero`` where the denominator is 0."""
    numerator = xp.asarray(numerator, dtype=xp.float64)
    denominator = xp.asarray(denominator, dtype=xp.float64)
    empty = denominator == 0
    result = numerator / xp.where(empty, 1.0, denominator)
    result[empty] = zero
    return result


def _nan_average(values, weights):
    """The (weighted) mean leaving out NaN entries; equal weights if the weights sum to 0."""
    keep = ~xp.isnan(values)
    if not keep.any():
        return math.nan
    values = values[keep]
    if weights is not None:
        weights = xp.asarray(weights, dtype=xp.float64)[keep]
        if weights.sum() != 0:
            return float((values * weights).sum() / weights.sum())
    return float(values.mean())


def _show(labels, limit=10):
    shown = ", ".join(repr(v) for v in labels[:limit].tolist())
    return shown + (", ..." if len(labels) > limit else "")


# ------------------------------------------------------------------------------- log loss
def log_loss(y_true, y_prob, *, normalize=True, sample_weight=None, labels=None):
    """Cross-entropy of class labels under predicted probabilities: mean of -log p[true class].

    ``y_true``: class labels, shape (n,).  ``y_prob``: rows of class probabilities, shape
    (n, C) with columns in the sorted order of the labels; or for two classes, shape (n,),
    the probability of the larger label.  Probabilities are clipped to [eps, 1 - eps] with
    eps the machine epsilon of their dtype; rows that do not sum to 1 are warned about.
    ``labels`` names all classes when ``y_true`` lacks some.  ``normalize=False`` sums.
    Equal to ``sklearn.metrics.log_loss``.

    >>> round(log_loss([0, 1, 1], [0.1, 0.8, 0.6]), 6)
    0.279777
    """
    op = "log_loss"
    y_true = column(to_array(y_true, "y_true", op), "y_true", op)
    prob = to_array(y_prob, "y_prob", op)
    if prob.dtype.kind in "US":
        raise TypeError(f"{op}: y_prob must hold probabilities, got strings")
    if prob.dtype.kind != "f":
        prob = prob.astype(xp.float64)
    if prob.ndim not in (1, 2):
        raise ValueError(f"{op}: y_prob must have shape (n_samples,) or (n_samples, n_classes), "
                         f"got {prob.shape}")
    check_lengths(op, y_true=y_true, y_prob=prob)
    if xp.isnan(prob).any():
        raise ValueError(f"{op}: y_prob contains NaN")
    if prob.max() > 1:
        raise ValueError(f"{op}: y_prob contains values greater than 1: {prob.max()}")
    if prob.min() < 0:
        raise ValueError(f"{op}: y_prob contains values lower than 0: {prob.min()}")
    w = sample_weights(sample_weight, len(y_true), op)

    if labels is None:
        classes = xp.unique(y_true)
        if len(classes) == 1:
            raise ValueError(f"{op}: y_true holds only one label ({classes[0].item()!r}); pass all the "
                             f"class labels through the labels argument")
    else:
        given = given_labels(labels, y_true, op)
        classes = xp.sort(given)
        if not (classes == given).all():
            warnings.warn(f"{op}: labels {given.tolist()} are used in sorted order "
                          f"{classes.tolist()}; the columns of y_prob must follow that order",
                          UserWarning, stacklevel=2)
        if len(classes) == 1:
            raise ValueError(f"{op}: labels must name at least two classes, got {given.tolist()}")
        missing = ~xp.isin(y_true, classes)
        if missing.any():
            raise ValueError(f"{op}: y_true holds label {y_true[missing][0].item()!r}, which is not among "
                             f"the labels {given.tolist()}")
    index = encode(y_true, classes)

    if prob.ndim == 1:
        prob = prob[:, None]
    if prob.shape[1] == 1:  # the probability of the positive (larger) class only
        prob = xp.concatenate([1 - prob, prob], axis=1)
    eps = xp.finfo(prob.dtype).eps
    if not xp.allclose(prob.sum(axis=1), 1, rtol=math.sqrt(eps), atol=0):
        warnings.warn(f"{op}: the rows of y_prob do not sum to one; pass probabilities",
                      UserWarning, stacklevel=2)
    if prob.shape[1] != len(classes):
        where = "y_true" if labels is None else "labels"
        raise ValueError(f"{op}: y_prob has {prob.shape[1]} columns but {where} names "
                         f"{len(classes)} classes ({_show(classes)})"
                         + ("; pass all the class labels through the labels argument"
                            if labels is None else ""))
    prob = xp.clip(prob, eps, 1 - eps)
    # -log of each sample's probability of its true class: one gather, no one-hot matrix
    losses = -xp.log(prob[xp.arange(len(prob)), index])
    if normalize:
        return weighted_mean(losses, w, op)
    return float(losses.sum() if w is None else (losses * w).sum())
