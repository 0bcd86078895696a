"""Module: the base of every layer and model, with PyTorch's names and semantics.

A module owns parameters (trainable tensors), buffers (state that is saved but not
trained, such as BatchNorm's running mean) and child modules, each registered simply by
assigning it to an attribute.  Walks over them follow registration order, so state-dict
keys and shapes line up with the PyTorch model of the same architecture.
"""
import collections

from chainrule.backend import xp
from chainrule.nn._hooks import BackwardHooks, add_hook
from chainrule.nn.parameter import Parameter
from chainrule.tensor import Tensor, as_array, to_dtype


class _IncompatibleKeys(collections.namedtuple("IncompatibleKeys",
                                               ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the keys it did not know."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


IncompatibleKeys = _IncompatibleKeys


class Module:
    """Base class of layers and models: subclass it, assign layers and Parameters in
    ``__init__``, and write ``forward``.

    >>> class TwoLayer(chainrule.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = chainrule.nn.Linear(4, 8)
    ...         self.fc2 = chainrule.nn.Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.fc2(self.fc1(x).relu())
    """

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", {})
        for table in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks",
                      "_backward_pre_hooks"):
            object.__setattr__(self, table, {})
        for flags in ("_forward_hooks_with_kwargs", "_forward_pre_hooks_with_kwargs",
                      "_forward_hooks_always_called"):
            object.__setattr__(self, flags, set())

    # ----------------------------------------------------------------- registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() is called "
                                 f"(call super().__init__() first in {type(self).__name__})")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self._forget(name, keep=params)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name, keep=modules)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} of "
                                f"{type(self).__name__} (a Parameter or None is required)")
            params[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} of "
                                f"{type(self).__name__} (a Tensor or None is required)")
            buffers[name] = value
        elif name in modules and value is None:
            modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep=None):
        # ``keep``: the registry about to receive ``name``; its entry stays where it is, so
        # replacing a layer keeps its place in state_dict() and repr, as in PyTorch
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._buffers, self._modules):
            if table is not keep:
                table.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name):
        # only called when normal lookup fails: look in the registries
        table = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in table and name in table[registry]:
                return table[registry][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter, or None for an absent one such as a disabled bias)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, "
                            f"not {type(param).__name__}")
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register state that is saved in ``state_dict`` (unless not persistent) but not trained."""
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(as_array(tensor))
        self._forget(name, keep=self._buffers)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, not {type(module).__name__}")
        self._forget(name, keep=self._modules)
        self._modules[name] = module

    register_module = add_module

    # ----------------------------------------------------------------- calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward() method")

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        for key, hook in list(self._forward_pre_hooks.items()):
            if key in self._forward_pre_hooks_with_kwargs:
                replaced = hook(self, args, kwargs)
                if replaced is not None:
                    if not (isinstance(replaced, tuple) and len(replaced) == 2):
                        raise RuntimeError(f"{type(self).__name__}: a forward pre-hook with "
                                           "kwargs must return None or a tuple (args, kwargs), "
                                           f"got {type(replaced).__name__}")
                    args, kwargs = replaced
            else:
                replaced = hook(self, args)
                if replaced is not None:
                    args = replaced if isinstance(replaced, tuple) else (replaced,)
        backward = None
        if self._backward_hooks or self._backward_pre_hooks:
            backward = BackwardHooks(self)
            args = backward.wrap_inputs(args)
        called = set()
        try:
            result = self.forward(*args, **kwargs)
            for key, hook in list(self._forward_hooks.items()):
                called.add(key)
                if key in self._forward_hooks_with_kwargs:
                    replaced = hook(self, args, kwargs, result)
                else:
                    replaced = hook(self, args, result)
                if replaced is not None:
                    result = replaced
        except Exception:
            for key, hook in list(self._forward_hooks.items()):  # always_call hooks see errors too
                if key in self._forward_hooks_always_called and key not in called:
                    with_kwargs = key in self._forward_hooks_with_kwargs
                    hook(self, args, kwargs, None) if with_kwargs else hook(self, args, None)
            raise
        return result if backward is None else backward.wrap_output(result)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` (with_kwargs: ``hook(module, args, kwargs)``) before every
        forward; it may return new args (with_kwargs: a new (args, kwargs)).  ``prepend`` runs
        it before the hooks already registered.  Returns a handle whose ``remove()`` undoes it."""
        flags = (self._forward_pre_hooks_with_kwargs,) if with_kwargs else ()
        return add_hook(self._forward_pre_hooks, hook, prepend, flags)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` (with_kwargs: ``hook(module, args, kwargs,
        output)``) after every forward; it may return a new output.  ``always_call``: run it
        (with output None) even when forward raises."""
        flags = (((self._forward_hooks_with_kwargs,) if with_kwargs else ())
                 + ((self._forward_hooks_always_called,) if always_call else ()))
        return add_hook(self._forward_hooks, hook, prepend, flags)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradient of this module's output is known,
        before the gradients of its inputs are; it may return a new grad_output (a tuple)."""
        return add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` once the gradients of this module's
        positional tensor inputs (None for those that need none) are computed.

        It may return a new grad_input (a tuple) when one input requires grad.  The module's
        forward must return one tensor."""
        return add_hook(self._backward_hooks, hook, prepend)

    # ----------------------------------------------------------------- walks
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """This module and every descendant as (dotted name, module); a module reached twice
        is given once unless ``remove_duplicate`` is False."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                               remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self):
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) for every parameter in registration order; a shared one
        once, unless ``remove_duplicate`` is False."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def get_submodule(self, target):
        """The descendant at the dotted path ``target`` ('' is this module)."""
        module = self
        if target == "":
            return module
        walked = []
        for item in target.split("."):
            if item not in module._modules or module._modules[item] is None:
                place = f"{type(module).__name__} at {'.'.join(walked) or 'the top'}"
                what = "is not an nn.Module" if hasattr(module, item) else "does not exist"
                raise AttributeError(f"get_submodule({target!r}): {place}: `{item}` {what}")
            module = module._modules[item]
            walked.append(item)
        return module

    def _get_member(self, target, registry, kind):
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        table = getattr(module, registry)
        if name not in table:
            what = f"is not {kind}" if hasattr(module, name) else "does not exist"
            raise AttributeError(f"{type(module).__name__} at {module_path or 'the top'}: "
                                 f"`{name}` {what} (looking for {target!r})")
        return table[name]

    def get_parameter(self, target):
        """The Parameter at the dotted path ``target`` ('fc1.weight')."""
        return self._get_member(target, "_parameters", "an nn.Parameter")

    def get_buffer(self, target):
        """The buffer at the dotted path ``target`` ('bn.running_mean')."""
        return self._get_member(target, "_buffers", "a buffer")

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ----------------------------------------------------------------- modes and gradients
    def train(self, mode=True):
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters (set them to None, or to zeros)."""
        for param in self.parameters():
            if param.grad is not None:
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.data[...] = 0

    def apply(self, fn):
        """Call ``fn`` on every child (depth first), then on this module; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs):
        """Convert floating parameters and buffers to a dtype in place (keeping their identity).

        As PyTorch's: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)`` (its
        dtype), or the keywords ``device``, ``dtype``; the only device is the CPU."""
        dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to: unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, str) and arg.split(":")[0] in ("cpu", "cuda", "mps", "meta"):
                device = arg
            else:
                dtype = arg
        if device is not None and str(device).split(":")[0] != "cpu":
            raise ValueError(f"to: device {device!r} is not available (only 'cpu')")
        if dtype is None:
            return self
        target = to_dtype(dtype, "to")
        if target.kind != "f":
            raise TypeError(f"to: nn.Module.to only accepts floating point dtypes, got {target}")
        return self._cast(target, lambda tensor: tensor.data.dtype.kind == "f")

    def _cast(self, target, which):
        for tensor in list(self.parameters()) + list(self.buffers()):
            if which(tensor) and tensor.data.dtype != target:
                tensor.data = tensor.data.astype(target)
                if tensor.grad is not None:
                    tensor.grad = Tensor(tensor.grad.data.astype(target))
        return self

    def type(self, dst_type):
        """Cast every parameter and buffer (integer ones too) to ``dst_type``."""
        return self._cast(to_dtype(dst_type, "type"), lambda tensor: True)

    def float(self):
        return self.to(xp.float32)

    def double(self):
        return self.to(xp.float64)

    def half(self):
        return self.to(xp.float16)

    def cpu(self):
        """Does nothing: every tensor already lives on the CPU."""
        return self

    # ----------------------------------------------------------------- state
    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """Parameters and persistent buffers by dotted name, in registration order.

        Values are tensors sharing memory with the module (detached unless ``keep_vars``);
        ``destination`` is a mapping to fill (a new OrderedDict by default).  The positional
        form state_dict(destination, prefix, keep_vars) is PyTorch's older spelling.
        """
        if args:
            given = dict(zip(("destination", "prefix", "keep_vars"), args))
            destination = given.get("destination", destination)
            prefix, keep_vars = given.get("prefix", prefix), given.get("keep_vars", keep_vars)
        state = collections.OrderedDict() if destination is None else destination
        # a module held under two names is saved under both, as PyTorch's
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip("."),
                                                        remove_duplicate=False):
            for registry in ("_parameters", "_buffers"):
                for name, value in getattr(module, registry).items():
                    if value is None or (registry == "_buffers" and name in module._non_persistent):
                        continue
                    key = f"{module_prefix}.{name}" if module_prefix else name
                    state[key] = value if keep_vars else value.detach()
        return state

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values (Tensors, ndarrays, or anything with ``__array__``, such as a PyTorch
        tensor) into this module's parameters and buffers, in place.

        Every problem is reported in one message: missing keys, unexpected keys, and each
        shape mismatch with the expected and the given shape.  With ``strict=False``,
        missing and unexpected keys are returned instead; shape mismatches always raise.
        With ``assign=True`` the given arrays become the parameters and buffers (as new
        Parameters keeping each old one's requires_grad) instead of being copied into them.
        """
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        arrays, mismatched = {}, []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value.data if isinstance(value, Tensor) else xp.asarray(value)
            if array.shape != target.shape:
                mismatched.append(f"{key}: expected shape {target.shape}, got {tuple(array.shape)}")
            arrays[key] = array
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if mismatched:
            problems.append("shape mismatches: " + "; ".join(mismatched))
        if problems:
            raise RuntimeError(f"load_state_dict: cannot load into {type(self).__name__}: "
                               + " | ".join(problems))
        if assign:
            self._assign(arrays, own)
        for key, array in ({} if assign else arrays).items():
            target = own[key]
            target.data[...] = array.astype(target.data.dtype, copy=False)
            target._mark_modified()
        return _IncompatibleKeys(missing, unexpected)

    def _assign(self, arrays, own):
        for key, array in arrays.items():
            module_path, _, name = key.rpartition(".")
            module = self.get_submodule(module_path)
            if name in module._parameters:
                module._parameters[name] = Parameter(array, requires_grad=own[key].requires_grad)
            else:
                module._buffers[name] = Tensor(array)

    # ----------------------------------------------------------------- Keras's training methods
    # These delegate to chainrule.train, imported when called: nn stays importable without the
    # training layer, and the layering (nn below train) holds at import time.
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **kwargs):
        """Choose the optimizer, loss and metrics for ``fit`` (names as in Keras, or objects)."""
        from chainrule.train import loop
        return loop.compile(self, optimizer, loss, metrics, **kwargs)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, **kwargs):
        """Train for ``epochs`` passes over (x, y), as Keras's ``Model.fit``; returns a History."""
        from chainrule.train import loop
        return loop.fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split,
                        validation_data, shuffle, class_weight, sample_weight, initial_epoch, **kwargs)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=False, **kwargs):
        """The loss, or ``[loss, *metrics]`` when metrics were compiled."""
        from chainrule.train import loop
        return loop.evaluate(self, x, y, batch_size, verbose, return_dict, **kwargs)

    def predict(self, x, batch_size=None, verbose="auto", **kwargs):
        """The model's outputs for ``x`` as an array, computed in evaluation mode."""
        from chainrule.train import loop
        return loop.predict(self, x, batch_size, verbose, **kwargs)

    def get_weights(self):
        """Copies of every parameter and buffer array, in ``state_dict`` order (as Keras)."""
        return [value.data.copy() for value in self.state_dict().values()]

    def set_weights(self, weights):
        """Load arrays in ``get_weights`` order back into the parameters and buffers."""
        keys = list(self.state_dict())
        if len(weights) != len(keys):
            raise ValueError(f"set_weights: {type(self).__name__} has {len(keys)} weight arrays, "
                             f"got {len(weights)}")
        self.load_state_dict(dict(zip(keys, weights)))

    def save(self, filepath, include_optimizer=True, training_state=None):
        """Save architecture, weights, optimizer state and compile settings in one file, for
        ``chainrule.models.load_model`` (Sequential models of known layers).

        ``training_state`` (ModelCheckpoint passes it): the next epoch and the random state,
        so that a run resumed from the file continues exactly."""
        from chainrule.models import saving
        return saving.save_model(self, filepath, include_optimizer=include_optimizer,
                                 training_state=training_state)

    def save_weights(self, filepath):
        """Save the state dict (weights and buffers) to ``filepath`` (safetensors, atomic)."""
        from chainrule.models import saving
        return saving.save_weights(self, filepath)

    def load_weights(self, filepath):
        """Load weights saved by ``save_weights`` (or any state-dict file) into this model."""
        from chainrule.models import saving
        return saving.load_weights(self, filepath)

    def summary(self, line_length=None, print_fn=None, input_shape=None, return_string=False):
        """Print Keras's table of layers, output shapes and parameter counts.

        ``input_shape`` (one sample, no batch axis) gives output shapes to a model that
        does not declare one; ``print_fn`` receives each line; ``return_string=True``
        returns the text instead of printing it.
        """
        from chainrule.models import summary
        return summary.summary(self, line_length, print_fn, input_shape, return_string)

    def count_params(self):
        """The number of values in all parameters and floating buffers (Keras's count_params)."""
        from chainrule.models import summary
        return summary.count_params(self)

    # ----------------------------------------------------------------- description
    def extra_repr(self):
        """The text between the parentheses of this module's line in ``repr`` (override it)."""
        return ""

    def __repr__(self):
        lines = []
        for name, child in self._modules.items():
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        if len(extra) == 1 and not lines:
            return f"{type(self).__name__}({extra[0]})"
        if not extra and not lines:
            return f"{type(self).__name__}()"
        # with children (or several lines of extra_repr), each goes on its own line, as PyTorch
        body = ["  " + line for line in extra] + lines
        return f"{type(self).__name__}(\n" + "\n".join(body) + "\n)"

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

