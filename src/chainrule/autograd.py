"""The graph and the backward pass: grad mode, anomaly detection, and reverse accumulation.

The graph is recorded while ordinary Python runs: each operation whose inputs need a
gradient leaves behind a node (an ``Op`` instance) that holds those inputs.  ``backward``
walks the nodes in reverse, never recursively, handing each node the gradient of its
output once every consumer of that output has contributed to it.

This module knows nodes and duck-typed tensors (``_node``, ``requires_grad``,
``_accumulate_grad``, ``_version``), never the Tensor class itself.
"""
import functools
import os
import traceback

from chainrule.backend import xp


class _GradMode:
    """Process-wide switches read on every operation (a class attribute is the cheapest read)."""

    enabled = True
    anomaly = False
    inplace_epoch = 0   # counts in-place changes; a node records the count when it is made


def is_grad_enabled():
    """True when operations record the graph needed by ``backward``."""
    return _GradMode.enabled


class _ModeSwitch:
    """Sets one of the switches on ``_GradMode`` for a block; a context manager and a decorator.

    The previous values are kept on a stack, so the same switch can be nested and reused.
    """

    switch = None  # the _GradMode attribute this class sets

    def __init__(self, value):
        self.value = value
        self._previous = []

    def __enter__(self):
        self._previous.append(getattr(_GradMode, self.switch))
        setattr(_GradMode, self.switch, self.value)
        return self

    def __exit__(self, *exc):
        setattr(_GradMode, self.switch, self._previous.pop())
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_ModeSwitch):
    """Run without recording the graph: for evaluation and for parameter updates.

    >>> with chainrule.no_grad():
    ...     w -= lr * w.grad
    """

    switch = "enabled"

    def __init__(self):
        super().__init__(False)


class enable_grad(_ModeSwitch):
    """Record the graph again, even inside ``no_grad``."""

    switch = "enabled"

    def __init__(self):
        super().__init__(True)


class set_grad_enabled(_ModeSwitch):
    """Set grad mode to ``mode`` for a block, as ``torch.set_grad_enabled``."""

    switch = "enabled"

    def __init__(self, mode=True):
        super().__init__(bool(mode))


class detect_anomaly(_ModeSwitch):
    """Inside this block, the first operation that produces NaN or Inf raises.

    Forward outputs and backward gradients are both checked, and the error names the
    operation and the line of user code that created it.  It slows every operation
    (a stack walk and a finiteness check each), so use it to hunt a bug, not to train.
    """

    switch = "anomaly"

    def __init__(self):
        super().__init__(True)


def is_anomaly_enabled():
    return _GradMode.anomaly


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_call_site():
    """Where the user's code called into chainrule, as 'file:line in function'."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return "<unknown>"


def check_finite(array, what):
    """Raise if ``array`` (floating) holds NaN or Inf; ``what`` says which operation made it."""
    if array is None or array.dtype.kind not in "fc":
        return
    if not xp.isfinite(array).all():
        kind = "nan" if xp.isnan(array).any() else "inf"
        raise FloatingPointError(f"detect_anomaly: {what} produced {kind} values")


def _count_consumers(root):
    """For every node reachable from ``root``: how many edges point into it from above."""
    pending = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.released:
            raise RuntimeError(
                f"backward: the graph through {node.name} has already been freed by an earlier "
                "backward(); pass retain_graph=True to the first backward() to backpropagate "
                "through the same graph twice"
            )
        for tensor in node.inputs:
            parent = tensor._node
            if parent is None:
                continue
            if parent in pending:
                pending[parent] += 1
            else:
                pending[parent] = 1
                stack.append(parent)
    return pending


def _check_unmodified(node):
    """Raise if an input of ``node`` was changed in place after the node used it."""
    for position, tensor in enumerate(node.inputs):
        if tensor._version > node.epoch:
            raise RuntimeError(
                f"backward: input {position} of {node.name} (shape {tensor.shape}) was modified "
                "in place after the operation used it, so its gradient would be wrong; "
                "modify a copy instead (x = x + 1 rather than x += 1)"
            )


def backward(root, grad, retain_graph=False):
    """Accumulate d(root)/d(leaf), weighted by ``grad``, into every leaf that requires grad.

    Nodes are processed when all their consumers have been (counts of pending consumers
    replace a recursive topological sort), so a graph of any depth runs in linear time.
    Unless ``retain_graph`` is set, each node is released as soon as it has been used.
    """
    root_node = root._node
    if root_node is None:
        root._accumulate_grad(grad)
        return
    pending = _count_consumers(root_node)
    grads = {root_node: grad}
    leaf_grads = {}  # summed over all uses, so a leaf's hooks see its whole gradient once
    ready = [root_node]
    anomaly = _GradMode.anomaly
    previous_mode = _GradMode.enabled
    _GradMode.enabled = False  # gradient rules work on arrays; nothing here is recorded
    try:
        while ready:
            node = ready.pop()
            grad = grads.pop(node, None)
            inputs = node.inputs
            if grad is not None:
                if node.hooks:
                    for hook in node.hooks:
                        replaced = hook(grad)
                        if replaced is not None:
                            grad = replaced
                if node.epoch != _GradMode.inplace_epoch:  # something changed in place since
                    _check_unmodified(node)
                input_grads = node.backward(grad)
                if len(inputs) == 1:
                    input_grads = (input_grads,)
            else:  # nothing flowed into this node; still let its inputs know it is done
                input_grads = (None,) * len(inputs)
            for position, (tensor, input_grad) in enumerate(zip(inputs, input_grads)):
                if input_grad is not None and tensor.requires_grad:
                    data = tensor.data
                    if input_grad.shape != data.shape or input_grad.dtype != data.dtype:
                        input_grad = _conform(input_grad, tensor, node, position)
                    if anomaly:
                        site = node.created_at or "a line not recorded outside detect_anomaly"
                        check_finite(input_grad, f"the backward of {node.name} (created at "
                                                 f"{site}), for input {position},")
                parent = tensor._node
                if parent is None:
                    if input_grad is not None and tensor.requires_grad:
                        if tensor in leaf_grads:
                            leaf_grads[tensor] = leaf_grads[tensor] + input_grad
                        else:
                            leaf_grads[tensor] = input_grad
                    continue
                if input_grad is not None:
                    if parent in grads:
                        grads[parent] = grads[parent] + input_grad
                    else:
                        grads[parent] = input_grad
                pending[parent] -= 1
                if pending[parent] == 0:
                    ready.append(parent)
            if not retain_graph:
                node.release()
        handed_out = set()
        for tensor, grad in leaf_grads.items():
            # an array that no one else holds can become .grad as it is; anything else is copied
            fresh = _owns_memory(grad) and id(grad) not in handed_out
            handed_out.add(id(grad))
            tensor._accumulate_grad(grad, fresh)
    finally:
        _GradMode.enabled = previous_mode


def _owns_memory(array):
    """True for an array that is not a view of another (a gradient rule's fresh result)."""
    return array.base is None and array.flags.owndata and array.flags.writeable


def _conform(grad, tensor, node, position):
    """Check a gradient's shape against its input's, and give it the input's dtype."""
    data = tensor.data
    if grad.shape != data.shape:
        raise RuntimeError(
            f"backward of {node.name}: the gradient for input {position} has shape "
            f"{tuple(grad.shape)} but the input has shape {tuple(data.shape)}"
        )
    if grad.dtype != data.dtype:
        grad = grad.astype(data.dtype)
    return grad
