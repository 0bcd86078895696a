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
from chainrule.layers.core import (Activation, Dense, Dropout, Flatten, Input, InputLayer,
                                   Rescaling)
from chainrule.layers.convolutional import (
    AveragePooling2D, AvgPool2D, Conv2D, Convolution2D, GlobalAveragePooling2D, GlobalAvgPool2D,
    GlobalMaxPool2D, GlobalMaxPooling2D, MaxPool2D, MaxPooling2D,
)
from chainrule.layers.normalization import BatchNormalization
from chainrule.layers.embedding import Embedding
from chainrule.layers.recurrent import GRU, LSTM, SimpleRNN

__all__ = ["Activation", "AveragePooling2D", "AvgPool2D", "BatchNormalization", "Conv2D",
           "Convolution2D", "Dense", "Dropout", "Embedding", "Flatten", "GRU",
           "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPool2D", "GlobalMaxPooling2D",
           "Input", "InputLayer", "LSTM", "Layer", "MaxPool2D", "MaxPooling2D", "Rescaling",
           "SimpleRNN"]
