"""Helpers shared by the tests of the Keras-style layers: random arrays, TensorFlow's 'same'
padding, and a finite-difference check of a layer with respect to its input and weights."""
import numpy as np

import chainrule as cr


def _array(shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _layer_gradcheck(layer, x, **call):
    """gradcheck of ``layer(x)`` with respect to x and every parameter of the (built) layer,
    those of its sublayers included."""
    layer(x, **call)
    names = [name for name, _ in layer.named_parameters()]
    params = [cr.tensor(p.numpy(), requires_grad=True) for p in layer.parameters()]
    modules = dict(layer.named_modules())

    def forward(x, *params):
        for name, param in zip(names, params):
            owner, _, leaf = name.rpartition(".")
            modules[owner]._parameters[leaf] = param
        return layer(x, **call)

    assert cr.gradcheck(forward, (cr.tensor(x, requires_grad=True), *params))


def _tf_pads(size, span, stride):
    """(before, after) padding of TensorFlow's padding='same' along one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2
