"""The contract every differentiable operation follows, and the helpers its rules share."""
from chainrule.backend import xp


class Op:
    """One differentiable operation: ``forward`` on arrays, ``backward`` its vector-Jacobian product.

    An instance is created per call and, when gradients are being recorded, is also the
    node of the graph: the engine stores the input tensors in ``inputs`` and which of them
    need a gradient in ``needs_input_grad``.  ``forward`` keeps what ``backward`` will need
    as attributes; ``backward(grad)`` receives the gradient of the loss with respect to the
    output and returns the gradient for each input (a single array for one-input ops, a
    tuple otherwise, ``None`` where ``needs_input_grad`` is False).  Both work on raw arrays,
    so no graph is built while backpropagating.
    """

    inputs = None            # tuple of input tensors while the node is part of a live graph
    needs_input_grad = ()    # one bool per input
    hooks = None             # functions run on the gradient of this node's output
    created_at = None        # "file:line in function", recorded under detect_anomaly
    epoch = 0                # the in-place epoch when the op ran (see Tensor._mark_modified)
    released = False         # True once the backward pass has freed this node

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    @property
    def name(self):
        return type(self).__name__

    def release(self):
        """Drop the inputs and everything saved for backward, so their memory can be reused."""
        self.__dict__.clear()
        self.released = True


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: the gradient rule of NumPy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of size 1; the
    gradient of a copy is the sum of the gradients of all its copies.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def one_or_tuple(grads):
    """The gradients of an op that takes any number of inputs, as ``backward`` must return them:
    a bare array when there is one input (the engine wraps it), a tuple otherwise."""
    return grads[0] if len(grads) == 1 else tuple(grads)


def expand_reduced(grad, shape, axes, keepdim):
    """Broadcast the gradient of a reduction over ``axes`` back to the input's ``shape``."""
    if not keepdim and axes is not None:
        grad = xp.expand_dims(grad, axes)
    return xp.broadcast_to(grad, shape)
