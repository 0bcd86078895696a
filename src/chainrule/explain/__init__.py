"""Backpropagation made visible: a step-by-step derivation of one training step of a small network.

    >>> from chainrule import explain
    >>> print(explain.explain())                      # the classic textbook example
    >>> print(explain.explain(model, x, y, loss="mse", lr=0.1, format="markdown"))

Every number comes from the engine (forward and backward on chainrule tensors, δ from
``retain_grad``, the update from ``optim.SGD``), and every gradient is shown beside its
central finite difference.
"""
from chainrule.explain.derive import Derivation, derive
from chainrule.explain.network import (
    EXAMPLES, Layer, Network, batch_example, from_dict, from_json, from_model, softmax_example,
    textbook_example,
)
from chainrule.explain.render import FORMATS, render


def explain(source=None, x=None, target=None, loss="mse", lr=0.1, format="text", digits=6):
    """The derivation of one gradient-descent step, as text in ``format`` ('text', 'markdown', 'latex').

    ``source``: None (the textbook example), a ``Network``, an ``nn.Sequential`` of Linear and
    Sigmoid/Tanh/ReLU/Softmax layers (then ``x``, ``target``, ``loss`` and ``lr`` are needed),
    a dict in the JSON layout of ``from_dict``, or a JSON file path or string.
    """
    return derive(network_from(source, x, target, loss, lr)).render(format, digits)


def network_from(source=None, x=None, target=None, loss="mse", lr=0.1):
    """A ``Network`` from any of the sources ``explain`` takes."""
    from chainrule.nn import Module

    if source is None:
        return textbook_example()
    if isinstance(source, Network):
        return source
    if isinstance(source, Module):
        if x is None or target is None:
            raise ValueError("explain: a model needs an input x and a target")
        return from_model(source, x, target, loss, lr)
    if isinstance(source, dict):
        return from_dict(source)
    if isinstance(source, str):
        return from_json(source)
    raise TypeError(f"explain: cannot explain a {type(source).__name__}; give an nn.Sequential, a "
                    "Network, a dict or a JSON file")
