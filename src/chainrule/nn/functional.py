"""Every layer and loss as a function, as ``torch.nn.functional``.

The engine's functions (relu, softmax, ...) are re-exported here so that
``import chainrule.nn.functional as F`` covers what PyTorch code expects.
"""
from chainrule.functions import (  # noqa: F401
    elu, gelu, leaky_relu, log_softmax, pad, relu, sigmoid, softmax, softplus, tanh,
)
