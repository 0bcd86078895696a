"""Metrics: how good predictions are, on whole arrays or streamed batch by batch.

Pure array code (no autograd, no ``nn``): inputs may be Tensors, ndarrays or lists, results
are Python floats or ndarrays.

- Keras's accuracies on network outputs: ``binary_accuracy``, ``categorical_accuracy``,
  ``sparse_categorical_accuracy``.
- scikit-learn's metrics on labels and scores, equal to ``sklearn.metrics``':
  ``accuracy_score``, ``precision_score``, ``recall_score``, ``f1_score``, ``fbeta_score``,
  ``precision_recall_fscore_support``, ``confusion_matrix``, ``roc_curve``,
  ``roc_auc_score``, ``log_loss``.
- Streaming metrics for training loops (Keras's interface ``update_state`` / ``result`` /
  ``reset_state``): ``Accuracy``, ``BinaryAccuracy``, ``CategoricalAccuracy``,
  ``SparseCategoricalAccuracy``, ``Precision``, ``Recall``, ``F1``, ``AUC``,
  ``MeanMetricWrapper``; ``get(name)`` resolves the names ``compile`` accepts.

    >>> from chainrule import metrics
    >>> metrics.f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
"""
from chainrule.metrics.classification import (
    accuracy_score, binary_accuracy, categorical_accuracy, confusion_matrix, f1_score, fbeta_score,
    log_loss, precision_recall_fscore_support, precision_score, recall_score,
    sparse_categorical_accuracy,
)
from chainrule.metrics.ranking import roc_auc_score, roc_curve
from chainrule.metrics.streaming import (
    AUC, F1, Accuracy, BinaryAccuracy, CategoricalAccuracy, MeanMetricWrapper, Metric, Precision,
    Recall, SparseCategoricalAccuracy, get,
)

__all__ = [
    "accuracy_score", "binary_accuracy", "categorical_accuracy", "confusion_matrix", "f1_score",
    "fbeta_score", "log_loss", "precision_recall_fscore_support", "precision_score",
    "recall_score", "sparse_categorical_accuracy", "roc_auc_score", "roc_curve",
    "AUC", "F1", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "MeanMetricWrapper",
    "Metric", "Precision", "Recall", "SparseCategoricalAccuracy", "get",
]
