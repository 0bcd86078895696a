"""Ranking metrics: the ROC curve and the area under it (ROC AUC), binary and one-vs-rest.

The ROC curve walks the scores from the highest down; at each distinct score it records
how many positives (tp) and negatives (fp) score at least that much.  Samples with tied
scores enter together, so a tie between a positive and a negative adds a diagonal step,
worth half a pair.  The area under the curve (trapezoidal rule) is the probability that a
random positive outscores a random negative, ties counting one half.  Equal to
``sklearn.metrics.roc_curve`` and ``roc_auc_score`` (except that a class missing from
``y_true`` is an error here, where scikit-learn warns and returns NaN).
"""
from chainrule.backend import xp
from chainrule.metrics._checks import (
    check_labels, check_lengths, column, given_labels, sample_weights, to_array, to_scores,
)


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """False and true positive rates at each distinct score threshold, from the highest down.

    ``y_true``: binary labels, shape (n,); without ``pos_label`` they must be {0, 1} or
    {-1, 1} (1 is positive).  ``y_score``: scores of the positive class, shape (n,); higher
    means more positive.  Returns (fpr, tpr, thresholds), each of shape (m,); the first point
    is (0, 0) at threshold +inf.  ``drop_intermediate`` leaves out the points that lie on a
    straight segment between their neighbours (they change neither the curve nor its area).
    """
    op = "roc_curve"
    y_true, score, w = _binary_inputs(y_true, y_score, sample_weight, op)
    classes = xp.unique(y_true)
    if pos_label is None:
        if y_true.dtype.kind in "US" or not (
                xp.isin(classes, [0, 1]).all() or xp.isin(classes, [-1, 1]).all()):
            raise ValueError(f"{op}: y_true holds the labels {classes.tolist()}; without pos_label "
                             f"they must be {{0, 1}} or {{-1, 1}}, so pass pos_label")
        pos_label = 1
    if len(classes) > 2:
        raise ValueError(f"{op}: y_true must hold two classes, got {len(classes)} ({classes.tolist()[:10]})")
    return _curve(y_true == pos_label, score, w, drop_intermediate)


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, multi_class="ovr",
                  labels=None):
    """Area under the ROC curve: binary, or multiclass one-vs-rest averaged over the classes.

    Binary: ``y_true`` holds two labels (the larger one is positive) and ``y_score``, shape
    (n,) or (n, 1), the scores of the positive class (probabilities, logits, any ranking).
    Multiclass: ``y_true`` holds labels, ``y_score`` rows of class probabilities that sum to
    1, shape (n, C), columns in the sorted order of the labels (or of ``labels``); each class
    is scored against the rest, then ``average``: 'macro' (plain mean), 'weighted' (by
    support), 'micro' (all classes' decisions pooled) or None (per class).
    ``multi_class`` is 'ovr' (one-vs-rest, the default here) or 'raise' (refuse multiclass
    input, scikit-learn's default).  Raises ValueError if y_true (or a class's one-vs-rest
    split) holds only one class, since the area is undefined then.

    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    op = "roc_auc_score"
    if multi_class not in ("ovr", "raise"):
        raise ValueError(f"{op}: multi_class must be 'ovr' (one-vs-rest) or 'raise', got {multi_class!r}"
                         + ("; one-vs-one is not implemented" if multi_class == "ovo" else ""))
    y_true = check_labels(column(to_array(y_true, "y_true", op), "y_true", op), "y_true", op)
    score = to_scores(y_score, "y_score", op)
    check_lengths(op, y_true=y_true, y_score=score)
    w = sample_weights(sample_weight, len(y_true), op)
    classes = xp.unique(y_true)
    if score.ndim == 2 and score.shape[1] == 1:
        score = score[:, 0]
    multiclass = len(classes) > 2 or (score.ndim == 2 and score.shape[1] > 2)
    if not multiclass:
        if score.ndim != 1:
            raise ValueError(f"{op}: for two classes y_score must hold one score per sample, shape "
                             f"(n_samples,), got {score.shape}; pass the positive class's column "
                             f"y_score[:, 1]")
        if len(classes) < 2:
            raise ValueError(f"{op}: y_true holds only one class ({classes[0].item()!r}); ROC AUC is "
                             f"undefined without both positives and negatives")
        return _binary_auc(y_true == classes[1], score, w)
    if multi_class == "raise":
        raise ValueError(f"{op}: y_true holds {len(classes)} classes; pass multi_class='ovr' "
                         f"for one-vs-rest ROC AUC")
    return _one_vs_rest_auc(y_true, score, w, average, labels, classes, op)


def _binary_inputs(y_true, y_score, sample_weight, op):
    y_true = check_labels(column(to_array(y_true, "y_true", op), "y_true", op), "y_true", op)
    score = to_scores(y_score, "y_score", op)
    if score.ndim == 2 and score.shape[1] == 1:
        score = score[:, 0]
    if score.ndim != 1:
        raise ValueError(f"{op}: y_score must hold one score per sample, shape (n_samples,), "
                         f"got {score.shape}")
    check_lengths(op, y_true=y_true, y_score=score)
    return y_true, score, sample_weights(sample_weight, len(y_true), op)


def _curve(positive, score, w, drop_intermediate):
    """(fpr, tpr, thresholds) for a boolean ``positive`` array: cumulative counts at each distinct score."""
    if w is not None:  # a weightless sample moves no point, but could add a threshold
        keep = w != 0
        positive, score, w = positive[keep], score[keep], w[keep]
    # descending; the order within a run of tied scores does not matter, since a run enters
    # the curve as one point, so the faster unstable sort will do
    order = xp.argsort(-score)
    score, positive = score[order], positive[order]
    # the last index of each run of equal scores: ties enter the curve together
    last = xp.concatenate([xp.flatnonzero(xp.diff(score)), [len(score) - 1]])
    if w is None:
        tps = xp.cumsum(positive, dtype=xp.float64)[last]
        fps = (last + 1) - tps
    else:
        w = w[order].astype(xp.float64)
        tps = xp.cumsum(positive * w)[last]
        fps = xp.cumsum(~positive * w)[last]
    thresholds = score[last]
    if drop_intermediate and len(fps) > 2:
        # a point is kept where the curve bends (second differences nonzero), and at the ends
        bends = xp.logical_or(xp.diff(fps, 2), xp.diff(tps, 2))
        keep = xp.flatnonzero(xp.concatenate([[True], bends, [True]]))
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps = xp.concatenate([[0.0], fps])
    tps = xp.concatenate([[0.0], tps])
    thresholds = xp.concatenate([[xp.inf], thresholds])
    with xp.errstate(divide="ignore", invalid="ignore"):
        fpr = fps / fps[-1]
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def _binary_auc(positive, score, w):
    """Trapezoidal area under the ROC curve of one positive-vs-rest split, as a Python float."""
    fpr, tpr, _ = _curve(positive, score, w, drop_intermediate=True)
    return float((xp.diff(fpr) * (tpr[1:] + tpr[:-1])).sum() / 2)


def _one_vs_rest_auc(y_true, score, w, average, labels, classes, op):
    if average not in ("macro", "weighted", "micro", None):
        raise ValueError(f"{op}: average must be 'macro', 'weighted', 'micro' or None for "
                         f"multiclass ROC AUC, got {average!r}")
    if score.ndim != 2:
        raise ValueError(f"{op}: y_true holds {len(classes)} classes, so y_score must hold a row of "
                         f"class probabilities per sample, shape (n_samples, n_classes); got "
                         f"{score.shape}")
    if not xp.allclose(score.sum(axis=1), 1):
        raise ValueError(f"{op}: for multiclass one-vs-rest, the rows of y_score must be "
                         f"probabilities that sum to 1 (apply softmax to logits)")
    if labels is not None:
        given = given_labels(labels, y_true, op)
        if not (xp.sort(given) == given).all():
            raise ValueError(f"{op}: labels must be in sorted order, got {given.tolist()}")
        missing = ~xp.isin(y_true, given)
        if missing.any():
            raise ValueError(f"{op}: y_true holds label {y_true[missing][0].item()!r}, which is not among "
                             f"the labels {given.tolist()}")
        classes = given
    if len(classes) != score.shape[1]:
        raise ValueError(f"{op}: y_score has {score.shape[1]} columns but there are {len(classes)} "
                         f"classes ({classes.tolist()[:10]}); pass all classes through labels")
    one_hot = y_true[:, None] == classes[None, :]           # (n, C)
    if average == "micro":
        repeated = None if w is None else xp.repeat(w, len(classes))
        return _binary_auc(one_hot.ravel(), score.ravel(), repeated)
    support = one_hot.sum(axis=0) if w is None else (one_hot * w[:, None]).sum(axis=0)
    aucs = xp.empty(len(classes))
    for k in range(len(classes)):                            # a loop over classes, not samples
        if not one_hot[:, k].any():
            raise ValueError(f"{op}: class {classes[k].item()!r} is absent from y_true, so its "
                             f"one-vs-rest ROC AUC is undefined")
        aucs[k] = _binary_auc(one_hot[:, k], score[:, k], w)
    if average is None:
        return aucs
    if average == "weighted":
        return float((aucs * support).sum() / support.sum())
    return float(aucs.mean())
