"""Module hooks: the handle that removes one, and the graph nodes behind full backward hooks.

A full backward hook sees the gradients of a module call's outputs (grad_output) and of its
tensor inputs (grad_input).  Both are caught by identity nodes put around the call: one on
the output, whose backward receives grad_output, and one on each input that requires grad,
whose backward receives that input's part of grad_input.  When the last of those arrives,
the hooks run.
"""
import itertools

from chainrule.backend import xp
from chainrule.ops.base import Op
from chainrule.tensor import Tensor, apply

_next_id = itertools.count()


class RemovableHandle:
    """Returned by every ``register_*_hook``: ``remove()`` unregisters the hook (also on leaving
    a ``with`` block)."""

    def __init__(self, *tables):
        self.id = next(_next_id)
        self._tables = tables

    def remove(self):
        for table in self._tables:
            if isinstance(table, dict):
                table.pop(self.id, None)
            else:
                table.discard(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


def add_hook(table, hook, prepend=False, flags=()):
    """Put ``hook`` in ``table`` (first if ``prepend``), its id in each set of ``flags``."""
    handle = RemovableHandle(table, *flags)
    table[handle.id] = hook
    if prepend:
        entries = list(table.items())
        table.clear()
        table.update([entries[-1], *entries[:-1]])
    for flag in flags:
        flag.add(handle.id)
    return handle


def _replacement(value, like, where):
    array = value.data if isinstance(value, Tensor) else xp.asarray(value)
    if array.shape != like.shape:
        raise RuntimeError(f"{where}: a hook returned a gradient of shape {array.shape} for one "
                           f"of shape {like.shape}")
    return array.astype(like.dtype, copy=False)


class _Catch(Op):
    """y = x; its backward hands the gradient to ``receive``, which may replace it."""

    def __init__(self, receive):
        self.receive = receive

    def forward(self, x):
        return x.view()

    def backward(self, grad):
        return self.receive(grad)


class BackwardHooks:
    """The full backward (pre-)hooks of one module call: wraps its inputs and output."""

    def __init__(self, module):
        self.module = module
        self.where = f"{type(module).__name__} backward hook"
        self.grad_inputs, self.grad_output, self.pending = [], None, 0

    def wrap_inputs(self, args):
        """Positional tensor inputs that require grad go through a catching node."""
        wrapped = []
        for arg in args:
            if isinstance(arg, Tensor):
                position = len(self.grad_inputs)
                self.grad_inputs.append(None)
                if arg.requires_grad:
                    self.pending += 1
                    arg = apply(_Catch(lambda g, i=position: self._input_grad(i, g)), arg)
            wrapped.append(arg)
        self.wrapped = self.pending
        return tuple(wrapped)

    def wrap_output(self, result):
        if isinstance(result, Tensor):
            return apply(_Catch(self._output_grad), result) if result.requires_grad else result
        raise NotImplementedError(f"{self.where}s need a module whose forward returns one tensor; "
                                  f"{type(self.module).__name__} returned a "
                                  f"{type(result).__name__}")

    def _output_grad(self, grad):
        for hook in list(self.module._backward_pre_hooks.values()):
            replaced = hook(self.module, (Tensor(grad),))
            if replaced is not None:
                grad = _replacement(replaced[0], grad, self.where)
        self.grad_output = grad
        if self.pending == 0:   # no input needs a gradient: the hooks run now, as PyTorch's
            self._run()
        return grad

    def _input_grad(self, position, grad):
        self.grad_inputs[position] = grad
        self.pending -= 1
        if self.pending:
            return grad
        replaced = self._run()
        if replaced is None:
            return grad
        if self.wrapped != 1:
            raise RuntimeError(f"{self.where}: replacing grad_input is supported for a module "
                               f"with one input that requires grad, not {self.wrapped}")
        return _replacement(replaced[position], grad, self.where)

    def _run(self):
        grad_input = tuple(None if g is None else Tensor(g) for g in self.grad_inputs)
        grad_output = (Tensor(self.grad_output),)
        result = None
        for hook in list(self.module._backward_hooks.values()):
            replaced = hook(self.module, grad_input, grad_output)
            if replaced is not None:
                if len(replaced) != len(grad_input):
                    raise RuntimeError(f"{self.where} returned {len(replaced)} gradients for "
                                       f"{len(grad_input)} inputs")
                grad_input = result = tuple(replaced)
        return result
