"""Keras-style layers: ``from chainrule import layers`` where a Keras program has ``from keras import layers``.

Each layer is an ``nn.Module`` (parameters, state dict, train/eval), named and configured
as in Keras, and sized on first use: ``Dense(512)`` learns its input width from the first
batch, or at once when the first layer of a model gives ``input_shape=``.

    model = chainrule.models.Sequential([
        layers.Dense(512, activation="relu", input_shape=(784,)),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
"""
from chainrule.layers.base import Layer
from chainrule.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from chainrule.layers.normalization import BatchNormalization

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "Input",
           "InputLayer", "Layer"]
