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
    AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, Conv1D, Conv2D, Conv2DTranspose,
    Convolution1D, Convolution2D, Convolution2DTranspose, GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D,
)
from chainrule.layers.activation import ELU, LeakyReLU, ReLU, Softmax
from chainrule.layers.normalization import BatchNormalization, LayerNormalization
from chainrule.layers.embedding import Embedding
from chainrule.layers.recurrent import GRU, LSTM, SimpleRNN
from chainrule.layers.regularization import GaussianNoise, SpatialDropout1D, SpatialDropout2D
from chainrule.layers.reshaping import (Cropping2D, Permute, RepeatVector, Reshape, UpSampling2D,
                                        ZeroPadding2D)
from chainrule.layers.wrappers import Bidirectional, TimeDistributed
# functional API: merge layers and their lowercase forms, symbolic tensors
from chainrule.layers.merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,
                                      Subtract, add, average, concatenate, dot, maximum,
                                      minimum, multiply, subtract)
from chainrule.layers.symbolic import KerasTensor

__all__ = ["Activation", "AveragePooling1D", "AveragePooling2D", "AvgPool1D", "AvgPool2D",
           "BatchNormalization", "Bidirectional", "Conv1D", "Conv2D", "Conv2DTranspose",
           "Convolution1D", "Convolution2D", "Convolution2DTranspose", "Cropping2D", "Dense",
           "Dropout", "ELU", "Embedding", "Flatten", "GRU", "GaussianNoise",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAvgPool1D",
           "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "Input", "InputLayer", "LSTM", "Layer", "LayerNormalization",
           "LeakyReLU", "MaxPool1D", "MaxPool2D", "MaxPooling1D", "MaxPooling2D", "Permute",
           "ReLU", "RepeatVector", "Rescaling", "Reshape", "SimpleRNN", "Softmax",
           "SpatialDropout1D", "SpatialDropout2D", "TimeDistributed", "UpSampling2D",
           "ZeroPadding2D"]
__all__ += ["Add", "Average", "Concatenate", "Dot", "KerasTensor", "Maximum", "Minimum",
            "Multiply", "Subtract", "add", "average", "concatenate", "dot", "maximum", "minimum",
            "multiply", "subtract"]
