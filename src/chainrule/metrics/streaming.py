"""Streaming metrics with Keras's interface: ``update_state`` per batch, ``result`` at the end.

A training loop calls ``update_state(y_true, y_pred)`` after each batch, reads ``result()``
for the progress display and the epoch's logs, and calls ``reset_state()`` between epochs.
Each metric keeps just enough to give, over any split into batches, the same value as its
one-shot function over all the samples at once: running sums for the accuracies, per-class
counts for precision, recall and F1, and every score for the AUC (an exact AUC needs them).

``get(name)`` turns the names that ``compile(metrics=[...])`` accepts into metric objects.
"""
import math
import numbers

from chainrule.backend import xp
from chainrule.metrics._checks import (
    check_lengths, sample_weights, to_array, to_scores,
)
from chainrule.metrics.classification import (
    binary_matches, binary_targets, categorical_matches, check_threshold, class_indices,
    drop_trailing_unit_axis, per_sample,
    prf_from_counts, same_rank, sparse_categorical_matches,
)
from chainrule.metrics.ranking import roc_auc_score


class Metric:
    """A value computed over many batches: ``update_state``, ``result``, ``reset_state``.

    Subclasses define the three methods; ``name`` is the key the metric's value gets in the
    training logs.  Calling a metric updates it with one batch and returns the result so far.
    """

    default_name = "metric"

    def __init__(self, name=None):
        self.name = self.default_name if name is None else name
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch of targets and predictions."""
        raise NotImplementedError(f"{type(self).__name__} must define update_state")

    def result(self):
        """The metric over every sample added since the last reset."""
        raise NotImplementedError(f"{type(self).__name__} must define result")

    def reset_state(self):
        """Forget every batch (called at the start of each epoch)."""
        raise NotImplementedError(f"{type(self).__name__} must define reset_state")

    def __call__(self, y_true, y_pred, sample_weight=None):
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class MeanMetricWrapper(Metric):
    """The (sample-weighted) mean over all samples of ``fn(y_true, y_pred)``.

    ``fn`` returns one value per sample, shape (n,) (values over further axes are averaged
    per sample), or a scalar, taken as the mean over the batch and weighted by its size.
    Extra keyword arguments are passed on to ``fn``.
    """

    def __init__(self, fn, name=None, **kwargs):
        self.fn = fn
        self.kwargs = kwargs
        super().__init__(getattr(fn, "__name__", "mean") if name is None else name)

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = to_array(self.fn(y_true, y_pred, **self.kwargs), f"{self.name} values", self.name)
        values = values.astype(xp.float64, copy=False)
        if values.ndim == 0:  # a batch mean: weigh it by the batch size
            n = len(to_array(y_pred, "y_pred", self.name))
            w = sample_weights(sample_weight, n, self.name)
            weight = float(n if w is None else w.sum())
            self.total += float(values) * weight
            self.count += weight
            return
        values = values if values.ndim == 1 else values.reshape(len(values), -1).mean(axis=1)
        w = sample_weights(sample_weight, len(values), self.name)
        if w is None:
            self.total += float(values.sum())
            self.count += len(values)
        else:
            self.total += float((values * w).sum())
            self.count += float(w.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


def _label_matches(y_true, y_pred):
    """Per-sample equality of labels (Keras's ``accuracy``): a trailing size-1 axis is dropped."""
    op = "accuracy"
    target, pred = to_array(y_true, "y_true", op), to_array(y_pred, "y_pred", op)
    target, pred = drop_trailing_unit_axis(target, pred)
    if target.shape != pred.shape or target.ndim == 0:
        raise ValueError(f"{op}: y_true of shape {target.shape} and y_pred of shape {pred.shape} do not "
                         f"match; Accuracy compares labels one to one (for class scores use "
                         f"SparseCategoricalAccuracy or CategoricalAccuracy)")
    return per_sample(target == pred)


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly (labels against labels)."""

    def __init__(self, name="accuracy"):
        super().__init__(_label_matches, name=name)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches 0/1 targets; see ``binary_accuracy``."""

    def __init__(self, name="binary_accuracy", threshold=0.5, from_logits=False):
        check_threshold(threshold, type(self).__name__)  # refuse it now, not at the first batch
        self.threshold = threshold
        self.from_logits = from_logits
        super().__init__(binary_matches, name=name, threshold=threshold, from_logits=from_logits)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred) == argmax(y_true)`` for one-hot targets; see ``categorical_accuracy``."""

    def __init__(self, name="categorical_accuracy"):
        super().__init__(categorical_matches, name=name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred) == y_true`` for integer targets; see ``sparse_categorical_accuracy``."""

    def __init__(self, name="sparse_categorical_accuracy"):
        super().__init__(sparse_categorical_matches, name=name)


class _ConfusionMetric(Metric):
    """Precision, recall and F1 from running true-positive / predicted / true counts.

    ``average='binary'``: ``y_true`` holds 0/1 targets and ``y_pred`` probabilities (or logits
    with ``from_logits=True``, or 0/1 labels) of the same shape; a prediction is positive when
    above ``threshold``.  ``average`` 'macro', 'micro', 'weighted' or None: ``y_true`` holds
    class indices (or one-hot rows) and ``y_pred`` rows of class scores (argmax is taken) or
    class indices; the classes are those seen so far in either, as scikit-learn infers them.
    """

    _index = None          # 0: precision, 1: recall, 2: F1

    def __init__(self, average="binary", threshold=0.5, from_logits=False, name=None,
                 thresholds=None):
        if average not in ("binary", "macro", "micro", "weighted", None):
            raise ValueError(f"{type(self).__name__}: average must be 'binary', 'macro', 'micro', "
                             f"'weighted' or None, got {average!r}")
        if thresholds is not None:  # Keras's name for it; only one threshold is supported
            if not isinstance(thresholds, numbers.Real):
                raise ValueError(f"{type(self).__name__}: only a single threshold is supported, "
                                 f"got thresholds={thresholds!r}")
            threshold = thresholds
        check_threshold(threshold, type(self).__name__)
        self.average = average
        self.threshold = threshold
        self.from_logits = from_logits
        super().__init__(name)

    def reset_state(self):
        size = 1 if self.average == "binary" else 0
        self.true_positives = xp.zeros(size)
        self.predicted = xp.zeros(size)
        self.actual = xp.zeros(size)
        self.seen = xp.zeros(size, dtype=bool)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.average == "binary":
            self._update_binary(y_true, y_pred, sample_weight)
        else:
            self._update_classes(y_true, y_pred, sample_weight)

    def _update_binary(self, y_true, y_pred, sample_weight):
        op = self.name
        target, scores = same_rank(binary_targets(y_true, op), to_scores(y_pred, "y_pred", op), op)
        threshold = self.threshold
        if self.from_logits:
            threshold = math.log(threshold / (1.0 - threshold))
        decided = scores > threshold
        w = sample_weights(sample_weight, len(target), op)
        w = 1.0 if w is None else w.reshape((-1,) + (1,) * (target.ndim - 1)).astype(xp.float64)
        ones = xp.broadcast_to(w, target.shape)
        self.true_positives += (ones * (target & decided)).sum()
        self.predicted += (ones * decided).sum()
        self.actual += (ones * target).sum()

    def _update_classes(self, y_true, y_pred, sample_weight):
        op = self.name
        pred = to_array(y_pred, "y_pred", op)
        target = to_array(y_true, "y_true", op)
        n_classes = None
        if pred.ndim == 2 and pred.shape[1] > 1:  # rows of class scores
            n_classes = pred.shape[1]
            if target.shape == pred.shape:         # one-hot targets
                target = target.argmax(axis=1)
            pred = to_scores(pred, "y_pred", op).argmax(axis=1)
        if pred.ndim == 2 and pred.shape[1] == 1:
            pred = pred[:, 0]
        if target.ndim == 2 and target.shape[1] == 1:
            target = target[:, 0]
        if target.ndim != 1 or pred.ndim != 1:
            shapes = to_array(y_true, "y_true", op).shape, to_array(y_pred, "y_pred", op).shape
            raise ValueError(f"{op}: expected class indices (n,) or one-hot rows for y_true and class "
                             f"indices (n,) or score rows (n, C) for y_pred, got shapes "
                             f"{shapes[0]} and {shapes[1]}")
        check_lengths(op, y_true=target, y_pred=pred)
        target = class_indices(target, n_classes, "y_true", op)
        pred = class_indices(pred, None, "y_pred", op)
        w = sample_weights(sample_weight, len(target), op)
        size = int(max(target.max(), pred.max())) + 1
        if size > len(self.seen):
            self._grow(size)
        size = len(self.seen)
        hit = target == pred
        self.true_positives += xp.bincount(target[hit], None if w is None else w[hit], minlength=size)
        self.predicted += xp.bincount(pred, w, minlength=size)
        self.actual += xp.bincount(target, w, minlength=size)
        self.seen[target] = True
        self.seen[pred] = True

    def _grow(self, size):
        extra = size - len(self.seen)
        self.true_positives = xp.concatenate([self.true_positives, xp.zeros(extra)])
        self.predicted = xp.concatenate([self.predicted, xp.zeros(extra)])
        self.actual = xp.concatenate([self.actual, xp.zeros(extra)])
        self.seen = xp.concatenate([self.seen, xp.zeros(extra, dtype=bool)])

    def result(self):
        if not self.seen.any() and self.average != "binary":
            return 0.0
        keep = slice(None) if self.average == "binary" else self.seen
        scores = prf_from_counts(self.true_positives[keep], self.predicted[keep], self.actual[keep],
                                 average=self.average)
        return scores[self._index]

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, average={self.average!r})"


class Precision(_ConfusionMetric):
    """tp / (tp + fp) over all batches; 0 when nothing was predicted positive."""

    default_name = "precision"
    _index = 0


class Recall(_ConfusionMetric):
    """tp / (tp + fn) over all batches; 0 when there was nothing to find."""

    default_name = "recall"
    _index = 1


class F1(_ConfusionMetric):
    """2 tp / (2 tp + fp + fn) over all batches (per class and averaged unless binary)."""

    default_name = "f1"
    _index = 2


class AUC(Metric):
    """Exact ROC AUC over every sample seen: keeps all targets and scores until ``result()``.

    Binary: 0/1 (or two-valued) ``y_true``, and ``y_pred`` of shape (n,) or (n, 1) (scores of the
    positive class), or (n, 2) (column 1 is used).  Multiclass: class labels (or one-hot rows)
    and rows of probabilities (n, C), averaged one-vs-rest with ``average``.  With
    ``from_logits=True`` rows are turned into probabilities by softmax (a binary score needs no
    change: the AUC depends on the order of the scores only).
    """

    default_name = "auc"

    def __init__(self, average="macro", from_logits=False, name=None):
        if average not in ("macro", "weighted", "micro", None):
            raise ValueError(f"AUC: average must be 'macro', 'weighted', 'micro' or None, got {average!r}")
        self.average = average
        self.from_logits = from_logits
        super().__init__(name)

    def reset_state(self):
        self._targets, self._scores, self._weights = [], [], []

    def update_state(self, y_true, y_pred, sample_weight=None):
        op = self.name
        scores = to_scores(y_pred, "y_pred", op)
        target = to_array(y_true, "y_true", op)
        if scores.ndim == 2 and scores.shape[1] > 1 and target.shape == scores.shape:
            target = target.argmax(axis=1)         # one-hot targets
        if scores.ndim == 2 and scores.shape[1] == 1:
            scores = scores[:, 0]
        if target.ndim == 2 and target.shape[1] == 1:
            target = target[:, 0]
        if target.ndim != 1 or scores.ndim not in (1, 2):
            raise ValueError(f"{op}: expected labels (n,) and scores (n,) or (n, C), got shapes "
                             f"{target.shape} and {scores.shape}")
        if self._scores and scores.shape[1:] != self._scores[0].shape[1:]:
            raise ValueError(f"{op}: y_pred of shape {scores.shape} does not match the earlier "
                             f"batches' shape (n,) + {self._scores[0].shape[1:]}")
        check_lengths(op, y_true=target, y_pred=scores)
        w = sample_weights(sample_weight, len(target), op)
        if self._weights and (w is None) != (self._weights[0] is None):
            raise ValueError(f"{op}: give sample_weight for every batch or for none")
        self._targets.append(xp.array(target))  # copies: the caller may reuse its buffers
        self._scores.append(xp.array(scores))
        self._weights.append(None if w is None else xp.array(w))

    def result(self):
        if not self._targets:
            return 0.0
        target = xp.concatenate(self._targets)
        scores = xp.concatenate(self._scores)
        weights = None if self._weights[0] is None else xp.concatenate(self._weights)
        if scores.ndim == 2:
            if self.from_logits:
                shifted = xp.exp(scores.astype(xp.float64) - scores.max(axis=1, keepdims=True))
                scores = shifted / shifted.sum(axis=1, keepdims=True)
            if scores.shape[1] == 2:
                scores = scores[:, 1]
        return roc_auc_score(target, scores, average=self.average, multi_class="ovr",
                             sample_weight=weights)


_BY_NAME = {
    "accuracy": Accuracy, "acc": Accuracy,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "precision": Precision, "recall": Recall,
    "f1": F1, "f1_score": F1,
    "auc": AUC,
}


def get(identifier, y_true=None, y_pred=None):
    """A new metric object from a name, a Metric class or instance, or a function.

    Names: 'accuracy'/'acc', 'binary_accuracy', 'categorical_accuracy',
    'sparse_categorical_accuracy', 'precision', 'recall', 'f1'/'f1_score', 'auc'; the metric is
    named as given.  'accuracy' follows Keras: given the targets and predictions (arrays or
    their shapes), it is binary if ``y_pred`` has one value per sample, sparse categorical if
    ``y_true`` holds one label per row of scores, else categorical; without them, plain
    label equality (``Accuracy``).  A function ``fn(y_true, y_pred)`` returning per-sample
    values is averaged over samples (``MeanMetricWrapper``).
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc") and y_true is not None and y_pred is not None:
            return _accuracy_for(_shape(y_true), _shape(y_pred), identifier)
        if key not in _BY_NAME:
            raise ValueError(f"metrics.get: unknown metric {identifier!r}; known names: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return _BY_NAME[key](name=identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"metrics.get: expected a metric name, a Metric or a function, got "
                    f"{type(identifier).__name__}")


def _shape(x):
    if isinstance(x, tuple):
        return x
    return tuple(to_array(x, "y", "metrics.get").shape) if not hasattr(x, "shape") else tuple(x.shape)


def _accuracy_for(true_shape, pred_shape, name):
    """Keras's choice for 'accuracy' from the shapes of the targets and the predictions."""
    # Keras reads a 1-D y_pred as one row of scores; here it is one probability per sample.
    if len(pred_shape) <= 1 or pred_shape[-1] == 1:
        return BinaryAccuracy(name=name)
    if len(true_shape) < len(pred_shape) or true_shape[-1] == 1:
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)
