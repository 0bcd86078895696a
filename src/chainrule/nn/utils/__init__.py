"""Helpers around modules and their parameters, as ``torch.nn.utils``: gradient clipping,
parameters as one flat vector, sequence packing for recurrent layers (``nn.utils.rnn``) and
reparametrizations (``nn.utils.parametrize``, ``nn.utils.parametrizations``)."""
from chainrule.nn.utils.clip_grad import (  # noqa: F401
    _tensors, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm, l1_penalty,
)
from chainrule.nn.utils.convert_parameters import (  # noqa: F401
    parameters_to_vector, vector_to_parameters,
)
from chainrule.nn.utils import parametrizations, parametrize, rnn  # noqa: F401

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "l1_penalty", "parameters_to_vector", "vector_to_parameters", "parametrizations",
           "parametrize", "rnn"]
