"""Training: Keras's compile/fit/evaluate/predict on any Module, callbacks, and progress."""
from chainrule.train.callbacks import (
    Callback, CallbackList, CSVLogger, EarlyStopping, History, LambdaCallback, LearningRateScheduler,
    ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN,
)
from chainrule.train.loop import compile, evaluate, fit, predict
from chainrule.train.monitor import GradientMonitor
