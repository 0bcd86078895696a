"""Argument checking shared by the metrics: arrays from anything, labels, lengths, weights.

Every check raises where the mistake is made, naming the metric and the values at fault,
so that a user never meets a bare NumPy traceback from deep inside a metric.
"""
import math
import numbers

from chainrule.backend import xp
from chainrule.tensor import Tensor


def to_array(x, name, op):
    """``x`` (a Tensor, an ndarray, a list or a scalar) as an ndarray, without copying.

    Lists keep NumPy's dtypes (Python floats become float64, as in scikit-learn), so that
    a metric of a list equals scikit-learn's metric of the same list.
    """
    if isinstance(x, Tensor):
        array = x.data
    elif isinstance(x, xp.ndarray):
        array = x
    else:
        try:
            array = xp.asarray(x)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{op}: {name} is not a rectangular array ({error})") from None
    if array.dtype.kind not in "biufUS":
        raise TypeError(f"{op}: {name} must hold numbers, booleans or strings, got dtype {array.dtype}")
    return array


def to_scores(x, name, op):
    """``x`` as a floating array of finite scores; integers and booleans become float64."""
    array = to_array(x, name, op)
    if array.dtype.kind in "US":
        raise TypeError(f"{op}: {name} must hold numbers (scores or probabilities), got strings")
    if array.dtype.kind != "f":
        array = array.astype(xp.float64)
    if array.size and not xp.isfinite(array).all():
        raise ValueError(f"{op}: {name} contains NaN or infinity")
    return array


def column(y, name, op):
    """``y`` as a 1-D array of labels: shape (n,) or (n, 1); anything else raises."""
    if y.ndim == 2 and y.shape[1] == 1:
        return y[:, 0]
    if y.ndim != 1:
        hint = ""
        if y.ndim == 2:
            hint = (" (for one-hot targets or rows of scores, use categorical_accuracy or "
                    "take argmax(axis=1) first)")
        raise ValueError(f"{op}: {name} must be a 1-D array of class labels of shape (n_samples,), "
                         f"got shape {y.shape}{hint}")
    return y


def check_labels(y, name, op):
    """Refuse continuous values where class labels are expected (probabilities, scores)."""
    if y.dtype.kind == "f" and y.size:
        if not xp.isfinite(y).all():
            raise ValueError(f"{op}: {name} contains NaN or infinity")
        bad = y != xp.floor(y)
        if bad.any():
            raise ValueError(f"{op}: {name} must hold class labels, but it contains non-integer values "
                             f"such as {y[bad][0].item()!r}; threshold probabilities (binary) or take "
                             f"argmax of score rows (multiclass) first")
    return y


def check_lengths(op, **arrays):
    """All arrays (None is skipped) have the same number of samples (first dimension)."""
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"{op}: inputs have different numbers of samples: {described}")
    if lengths and next(iter(lengths.values())) == 0:
        raise ValueError(f"{op}: got no samples (empty inputs)")


def labels_of(y_true, y_pred, op):
    """``y_true`` and ``y_pred`` as 1-D label arrays of one length (continuous values refused)."""
    y_true = check_labels(column(to_array(y_true, "y_true", op), "y_true", op), "y_true", op)
    y_pred = check_labels(column(to_array(y_pred, "y_pred", op), "y_pred", op), "y_pred", op)
    check_lengths(op, y_true=y_true, y_pred=y_pred)
    check_same_kind(y_true, y_pred, op)
    return y_true, y_pred


def check_same_kind(a, b, op):
    """Labels are all strings or all numbers, never a mix (as scikit-learn requires)."""
    if (a.dtype.kind in "US") != (b.dtype.kind in "US"):
        raise ValueError(f"{op}: cannot mix string and number labels "
                         f"(got dtypes {a.dtype} and {b.dtype})")


def unique_labels(*ys):
    """The sorted union of the labels in ``ys`` (scikit-learn's inferred labels)."""
    return xp.unique(xp.concatenate([xp.unique(y) for y in ys]))


def given_labels(labels, y, op, name="labels"):
    """The ``labels`` argument as a 1-D array of unique labels of the kind of ``y``."""
    labels = to_array(labels, name, op)
    if labels.ndim != 1:
        raise ValueError(f"{op}: {name} must be a 1-D list of class labels, got shape {labels.shape}")
    if labels.size == 0:
        raise ValueError(f"{op}: {name} must contain at least one label")
    check_same_kind(labels, y, op)
    if len(xp.unique(labels)) != len(labels):
        raise ValueError(f"{op}: {name} must be unique, got {labels.tolist()}")
    return labels


def encode(y, labels):
    """The index of each element of ``y`` in ``labels`` (any order), or -1 if not there."""
    sorter = xp.argsort(labels, kind="stable")
    ordered = labels[sorter]
    position = xp.minimum(xp.searchsorted(ordered, y), len(labels) - 1)
    found = ordered[position] == y
    return xp.where(found, sorter[position], -1)


def sample_weights(sample_weight, n, op):
    """``sample_weight`` as a 1-D array of length ``n``, or None."""
    if sample_weight is None:
        return None
    w = to_array(sample_weight, "sample_weight", op)
    if w.dtype.kind in "US":
        raise TypeError(f"{op}: sample_weight must hold numbers, got strings")
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.ndim != 1 or len(w) != n:
        raise ValueError(f"{op}: sample_weight must have shape ({n},), one weight per sample, "
                         f"got shape {w.shape}")
    if not xp.isfinite(w).all():
        raise ValueError(f"{op}: sample_weight contains NaN or infinity")
    return w


def zero_division_value(zero_division, op):
    """The value a 0/0 ratio takes: 0.0 ('warn' too, without a warning), 1.0 or NaN."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
        if zero_division == "nan":
            return math.nan
    elif isinstance(zero_division, numbers.Real) and (
            math.isnan(zero_division) or zero_division in (0, 1)):
        return float(zero_division)
    raise ValueError(f"{op}: zero_division must be 0.0, 1.0, NaN or 'warn', got {zero_division!r}")


def weighted_mean(values, weights, op):
    """The mean of ``values`` (1-D), weighted by ``weights`` when given, as a Python float."""
    if weights is None:
        return float(values.mean())
    total = weights.sum()
    if total == 0:
        raise ValueError(f"{op}: the sample weights sum to zero, so the weighted mean is undefined")
    return float((values * weights).sum() / total)
