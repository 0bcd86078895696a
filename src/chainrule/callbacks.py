"""Keras's ``callbacks`` by their Keras import path: ``from chainrule import callbacks``.

The callbacks themselves live in ``chainrule.train.callbacks``.
"""
from chainrule.train.callbacks import (  # noqa: F401
    Callback, CallbackList, CSVLogger, EarlyStopping, History, LambdaCallback, LearningRateScheduler,
    ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN,
)
