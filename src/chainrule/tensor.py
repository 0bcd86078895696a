"""Tensor: an array, its gradient, and the node that made it.

Operators and methods delegate to the functions in ``chainrule.functions``, which validate
their arguments and call ``apply`` with an op from ``chainrule.ops``.  ``apply`` is the one
place where an op's forward runs and, when gradients are wanted, is recorded in the graph.
"""
import numbers

from chainrule import random as _random
from chainrule.autograd import _GradMode, backward as _backward, check_finite, user_call_site
from chainrule.backend import xp
from chainrule.ops import arithmetic as _arith
from chainrule.ops.base import Op

_ndarray = xp.ndarray
DEFAULT_FLOAT = xp.dtype(xp.float32)   # the library's initial default (Keras's floatx follows it)
_default_float = {"dtype": DEFAULT_FLOAT}


def get_default_dtype():
    """The floating dtype that creation functions and Python floats get: float32 unless changed."""
    return _default_float["dtype"]


def set_default_dtype(d):
    """Make ``d`` (float32 or float64) the dtype of new floating tensors, as ``torch.set_default_dtype``.

    It applies to creation functions (zeros, rand, arange with a float...), to ``tensor()`` of
    Python floats, and to integer tensors meeting a Python float.

    >>> chainrule.set_default_dtype(chainrule.float64)
    """
    try:
        dtype = xp.dtype(d)
    except TypeError:
        dtype = None
    if dtype not in (xp.float32, xp.float64):
        raise TypeError(f"set_default_dtype: only float32 and float64 can be the default dtype, "
                        f"got {d!r}")
    _default_float["dtype"] = dtype


def apply(op, *inputs):
    """Run ``op`` on the arrays of ``inputs`` (tensors) and return its output as a tensor.

    When grad mode is on and some input requires grad, the op becomes the output's node:
    it keeps the inputs, and the in-place epoch it ran in, for ``backward``.
    """
    try:
        if len(inputs) == 1:
            out = op.forward(inputs[0].data)
        else:
            out = op.forward(*[t.data for t in inputs])
    except (ValueError, IndexError) as error:  # a bare NumPy message gets the op and the shapes
        shapes = ", ".join(str(t.shape) for t in inputs)
        raise type(error)(f"{op.name}: inputs of shapes {shapes}: {error}") from None
    if type(out) is not _ndarray:
        out = xp.asarray(out)
    result = object.__new__(Tensor)
    result.data = out
    result.grad = None
    result._version = 0
    result._hooks = None
    result.requires_grad = False
    result._node = None
    if _GradMode.anomaly:  # every op, recorded or not: the first NaN is wanted wherever it is
        op.created_at = user_call_site()
        check_finite(out, f"{op.name} (at {op.created_at})")
    if _GradMode.enabled:
        for t in inputs:
            if t.requires_grad:
                break
        else:
            return result
        op.inputs = inputs
        op.needs_input_grad = tuple([t.requires_grad for t in inputs])
        op.epoch = _GradMode.inplace_epoch
        result.requires_grad = True
        result._node = op
    return result


def as_array(data, dtype=None, copy=True, op="tensor", float_dtype=None):
    """Turn Python data, an ndarray or a Tensor into an ndarray, as ``chainrule.tensor`` does.

    Python floats become ``float_dtype`` (by default the default dtype), integers int64, booleans
    bool; an ndarray keeps its dtype unless ``dtype`` is given.  Ragged or non-numeric data raises.
    """
    if isinstance(data, Tensor):
        array = data.data
    elif isinstance(data, _ndarray):
        array = data
    else:
        try:
            array = xp.array(data)
        except ValueError as error:
            raise ValueError(f"{op}: the nested sequences have different lengths, so they do not "
                             f"form a rectangular array ({error})") from None
        except TypeError as error:
            raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__}: {error}") from None
        if dtype is None and array.dtype == xp.float64:
            array = array.astype(float_dtype or _default_float["dtype"], copy=False)
            copy = False
    if array.dtype.kind not in "biufc":
        raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__} data of dtype "
                        f"{array.dtype}: elements must be numbers or booleans")
    if dtype is not None:
        target = to_dtype(dtype, op)
        if array.dtype != target:
            return array.astype(target)
    return array.copy() if copy else array


def to_dtype(dtype, op="tensor"):
    """A NumPy dtype from anything that names one (np.float32, 'float64', chainrule.int64, float)."""
    if isinstance(dtype, str):
        dtype = dtype.replace("torch.", "")
    try:
        return xp.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype (try chainrule.float32)") from None


def _result_dtype(a, b):
    """The dtype of a binary op's result, by PyTorch's promotion rules.

    A float beats an integer without widening (float32 + int64 -> float32, unlike NumPy),
    and a 0-d operand does not widen an n-d one of the same kind.
    """
    rank = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
    ra, rb = rank[a.dtype.kind], rank[b.dtype.kind]
    if ra != rb:
        return a.dtype if ra > rb else b.dtype
    if a.ndim == 0 and b.ndim:
        return b.dtype
    if b.ndim == 0 and a.ndim:
        return a.dtype
    return xp.result_type(a, b)


def _pair(a, b):
    """``a`` (a Tensor) and ``b`` (anything array-like) as two tensors of one dtype."""
    if not isinstance(b, Tensor):
        if isinstance(b, xp.generic):
            b = b.item()  # a NumPy scalar acts as a Python number: it does not widen a's dtype
        # Python floats are made in a's float dtype directly: 0.1 must not pass through float32
        b = as_array(b, copy=False, op="operand",
                     float_dtype=a.data.dtype if a.data.dtype.kind == "f" else None)
        if a.data.dtype.kind in "fc" and b.dtype.kind in "biuf":
            b = b.astype(a.data.dtype, copy=False)  # a raw array adopts the tensor's dtype
        b = Tensor(b)
    da, db = a.data.dtype, b.data.dtype
    if da != db:
        target = _result_dtype(a.data, b.data)
        if da != target:
            a = a.astype(target)
        if db != target:
            b = b.astype(target)
    return a, b


def _is_scalar(x):
    kind = type(x)
    if kind is float or kind is int:
        return True
    # NumPy scalars take the _pair route, which keeps them from widening the tensor's dtype
    return isinstance(x, numbers.Number) and not isinstance(x, (complex, xp.generic))


def _scalar_operand(a, c):
    """``a`` ready for an op with the Python scalar ``c``: integer tensors meet floats as float32."""
    if isinstance(c, float) and a.data.dtype.kind in "biu":
        return a.astype(_default_float["dtype"])
    return a


class Tensor:
    """A multidimensional array that can record the operations applied to it.

    ``data`` is the ndarray; ``grad`` is a Tensor (without history) once ``backward`` has
    reached this tensor, else None.  A tensor made by the user is a leaf; a tensor made by
    an op on tensors that require grad has a node (``grad_fn``) and requires grad itself.
    """

    __slots__ = ("data", "grad", "requires_grad", "_node", "_version", "_hooks", "__weakref__")
    __array_ufunc__ = None  # make NumPy defer to our reflected operators: array + tensor -> tensor

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = as_array(data, dtype=dtype, copy=False)
        self.grad = None
        self._node = None
        self._version = 0
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ----------------------------------------------------------------- description
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        return "cpu"

    @property
    def is_leaf(self):
        """True for tensors the user made (and tensors that need no grad), as in PyTorch."""
        return self._node is None

    @property
    def grad_fn(self):
        """The op that produced this tensor, or None for a leaf."""
        return self._node

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return int(self.data.size)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __repr__(self):
        prefix = "tensor("
        body = xp.array2string(self.data, separator=", ", prefix=prefix, threshold=1000)
        extras = []
        if self.data.dtype not in (_default_float["dtype"], xp.int64, xp.bool_):
            extras.append(f"dtype={self.data.dtype.name}")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return prefix + body + "".join(", " + e for e in extras) + ")"

    # ----------------------------------------------------------------- conversion
    def numpy(self):
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        if dtype is None or self.data.dtype == dtype:
            return self.data.copy() if copy else self.data  # np.array(t) copies, np.asarray(t) shares
        return self.data.astype(dtype)

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item: a tensor with {self.data.size} elements (shape "
                             f"{self.shape}) cannot be converted to a Python number")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.data.size} elements is "
                               "ambiguous; use .any() or .all()")
        return bool(self.data.item())

    def detach(self):
        """A new leaf sharing this tensor's data, with no history and no grad."""
        return Tensor(self.data)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(f"only floating-point tensors can require gradients; this one is "
                               f"{self.data.dtype} (convert it with .float() first)")
        if not requires_grad and self._node is not None:
            raise RuntimeError("requires_grad_(False) applies to leaves only; use .detach() "
                               "to cut a non-leaf tensor from its graph")
        self.requires_grad = bool(requires_grad)
        return self

    def astype(self, dtype):
        """This tensor converted to ``dtype``; differentiable between floating dtypes."""
        return _F.astype(self, dtype)

    def to(self, dtype):
        return _F.astype(self, dtype)

    def float(self):
        return _F.astype(self, xp.float32)

    def double(self):
        return _F.astype(self, xp.float64)

    def long(self):
        return _F.astype(self, xp.int64)

    def int(self):
        return _F.astype(self, xp.int32)

    def bool(self):
        return _F.astype(self, xp.bool_)

    def clone(self):
        return _F.clone(self)

    # ----------------------------------------------------------------- new tensors like this one
    def _new(self, array, requires_grad):
        return Tensor(array, requires_grad=requires_grad)

    def _new_dtype(self, dtype, op):
        return self.data.dtype if dtype is None else to_dtype(dtype, op)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        """Zeros of ``size``, with this tensor's dtype unless ``dtype`` is given."""
        return self._new(xp.zeros(checked_shape(size, "new_zeros"), self._new_dtype(dtype, "new_zeros")),
                         requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        return self._new(xp.ones(checked_shape(size, "new_ones"), self._new_dtype(dtype, "new_ones")),
                         requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False):
        return self._new(xp.empty(checked_shape(size, "new_empty"), self._new_dtype(dtype, "new_empty")),
                         requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False):
        """``fill_value`` in ``size``, with this tensor's dtype (not the fill's) unless ``dtype``."""
        return self._new(xp.full(checked_shape((size,), "new_full"), fill_value,
                                 self._new_dtype(dtype, "new_full")), requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad=False):
        """A copy of ``data`` as a new leaf, with this tensor's dtype unless ``dtype`` is given."""
        return self._new(as_array(data, dtype=self._new_dtype(dtype, "new_tensor"), op="new_tensor"),
                         requires_grad)

    def type_as(self, other):
        """This tensor converted to ``other``'s dtype (differentiable between floats)."""
        return _F.astype(self, other.dtype)

    def type(self, dtype=None):
        """Without ``dtype``, the type's name ('chainrule.FloatTensor'); with a dtype, or a name
        such as 'chainrule.DoubleTensor', this tensor converted to it."""
        if dtype is None:
            return "chainrule." + _TYPE_NAMES[self.data.dtype.name]
        if isinstance(dtype, str) and dtype.split(".")[-1] in _TYPE_DTYPES:
            dtype = _TYPE_DTYPES[dtype.split(".")[-1]]
        return _F.astype(self, to_dtype(dtype, "type"))

    def cpu(self):
        """This tensor itself: chainrule keeps every tensor on the CPU."""
        return self

    def cuda(self, device=None):
        raise RuntimeError("cuda: chainrule runs on the CPU only (NumPy arrays); use the tensor "
                           "as it is, or .cpu()")

    def nelement(self):
        return int(self.data.size)

    def ndimension(self):
        return self.data.ndim

    def is_contiguous(self):
        """True when the elements lie in memory in row-major (C) order without gaps."""
        return bool(self.data.flags.c_contiguous)

    def is_floating_point(self):
        return self.data.dtype.kind == "f"

    def element_size(self):
        """Bytes per element."""
        return self.data.dtype.itemsize

    # ----------------------------------------------------------------- in-place random fills
    def _fill_random(self, what, draw, generator, floating=True):
        self._check_inplace(what)
        if floating and self.data.dtype.kind != "f":
            raise TypeError(f"{what}: fills floating tensors only; this one is {self.data.dtype}")
        self.data[...] = draw(_random.numpy_generator(generator, what), self.data.shape)
        self._mark_modified()
        return self

    def uniform_(self, from_=0.0, to=1.0, *, generator=None):
        """Fill in place with samples of U(from_, to)."""
        if not from_ <= to:
            raise ValueError(f"uniform_: expects from <= to, got from={from_}, to={to}")
        return self._fill_random("uniform_", lambda rng, shape: rng.uniform(from_, to, shape), generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill in place with samples of N(mean, std²)."""
        if not std >= 0:
            raise ValueError(f"normal_: std must be >= 0, got {std}")
        return self._fill_random("normal_", lambda rng, shape: rng.normal(mean, std, shape), generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill in place with 1 (probability ``p``, a number or a tensor that broadcasts) or 0."""
        p = p.data if isinstance(p, Tensor) else p
        if not xp.all((p >= 0) & (p <= 1)):
            raise ValueError("bernoulli_: probabilities must lie in [0, 1]")
        return self._fill_random("bernoulli_", lambda rng, shape: rng.random(shape) < p, generator,
                                 floating=False)

    def exponential_(self, lambd=1.0, *, generator=None):
        """Fill in place with samples of the exponential distribution of rate ``lambd``."""
        if not lambd > 0:
            raise ValueError(f"exponential_: lambd must be positive, got {lambd}")
        return self._fill_random("exponential_",
                                 lambda rng, shape: rng.exponential(1.0 / lambd, shape), generator)

    # ----------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=False):
        """Accumulate the gradient of this tensor into every leaf that requires grad.

        ``gradient`` (same shape) is required unless this tensor has one element.
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no graph; "
                               "did you forget requires_grad=True on an input, or run under no_grad?")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: the gradient can only be implied for a tensor with "
                                   f"one element; this one has shape {self.shape}, so pass "
                                   "gradient= of that shape (or reduce it to a scalar first)")
            grad = xp.ones_like(self.data)
        else:
            # a copy: the engine may hand this very array to a leaf as its .grad
            grad = as_array(gradient, dtype=self.data.dtype, copy=True, op="backward")
            if grad.shape != self.shape:
                raise RuntimeError(f"backward: gradient has shape {grad.shape} but the tensor "
                                   f"has shape {self.shape}")
        _backward(self, grad, retain_graph)

    def _accumulate_grad(self, grad, fresh=False):
        """Add a finished gradient into ``.grad`` (leaves only), after this tensor's hooks.

        ``fresh``: the engine vouches that no one else holds ``grad``, so it needs no copy.
        """
        if self._hooks:
            grad = _run_hooks(self._hooks, grad)
            fresh = False  # a hook may have returned an array it keeps
        if self.grad is None:
            self.grad = Tensor(grad if fresh else xp.array(grad, copy=True))  # never aliased
        else:
            self.grad.data += grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not "
                               "require grad")
        if self._node is None:
            if self._hooks is None:
                self._hooks = []
            hooks, entry = self._hooks, hook
        else:
            if self._node.hooks is None:
                self._node.hooks = []
            hooks, entry = self._node.hooks, lambda grad: _run_hooks((hook,), grad)
        hooks.append(entry)
        return _HookHandle(hooks, entry)

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` when backward passes through it."""
        if self._node is None:
            return
        def keep(grad):  # a copy: the array itself flows on and may become a leaf's .grad
            self.grad = Tensor(grad.data.copy()) if self.grad is None else Tensor(self.grad.data + grad.data)
        self.register_hook(keep)

    # ----------------------------------------------------------------- in-place updates
    def _check_inplace(self, what):
        if self.requires_grad and _GradMode.enabled:
            kind = "a leaf that requires grad" if self._node is None else "part of a graph"
            raise RuntimeError(
                f"{what}: in-place change of a tensor that is {kind} (shape {self.shape}) would "
                "corrupt its gradients; update it under chainrule.no_grad(), or write "
                "x = x + y instead of x += y"
            )

    def _check_source(self, source, what):
        """Refuse to copy a tensor that requires grad in place: its gradient would be lost."""
        if isinstance(source, Tensor) and source.requires_grad and _GradMode.enabled:
            raise RuntimeError(
                f"{what}: writing a tensor that requires grad into another tensor in place would "
                "silently cut it from the graph; build the result with chainrule.where, cat or "
                "stack instead, or write value.detach() if no gradient should flow"
            )

    def _mark_modified(self):
        """Stamp this tensor with a new in-place epoch, so nodes that used it can tell."""
        _GradMode.inplace_epoch += 1
        self._version = _GradMode.inplace_epoch

    def _inplace(self, ufunc, other, what):
        self._check_inplace(what)
        value = other.data if isinstance(other, Tensor) else other
        try:
            ufunc(self.data, value, out=self.data, casting="same_kind")
        except (TypeError, ValueError) as error:
            other_shape = getattr(value, "shape", ())
            # the base class: NumPy's subclasses (a casting error) take more arguments than a message
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(f"{what}: cannot update a tensor of shape {self.shape} and dtype "
                       f"{self.dtype} in place with shape {other_shape}: {error}") from None
        self._mark_modified()
        return self

    def __iadd__(self, other):
        return self._inplace(xp.add, other, "+=")

    def __isub__(self, other):
        return self._inplace(xp.subtract, other, "-=")

    def __imul__(self, other):
        return self._inplace(xp.multiply, other, "*=")

    def __itruediv__(self, other):
        return self._inplace(xp.true_divide, other, "/=")

    def add_(self, other, alpha=1):
        return self._inplace(xp.add, other if alpha == 1 else other * alpha, "add_")

    def sub_(self, other, alpha=1):
        return self._inplace(xp.subtract, other if alpha == 1 else other * alpha, "sub_")

    def mul_(self, other):
        return self._inplace(xp.multiply, other, "mul_")

    def div_(self, other):
        return self._inplace(xp.true_divide, other, "div_")

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        self._check_inplace("fill_")
        self.data[...] = value
        self._mark_modified()
        return self

    def copy_(self, source):
        self._check_inplace("copy_")
        self._check_source(source, "copy_")
        source = source.data if isinstance(source, Tensor) else xp.asarray(source)
        try:
            self.data[...] = source
        except ValueError:
            raise ValueError(f"copy_: cannot copy shape {source.shape} into shape {self.shape}") from None
        self._mark_modified()
        return self

    def __setitem__(self, index, value):
        self._check_inplace("setitem")
        self._check_source(value, "setitem")
        value = value.data if isinstance(value, Tensor) else value
        index = _F.array_index(index, self.shape, "setitem")
        try:
            self.data[index] = value
        except ValueError as error:
            raise ValueError(f"setitem: cannot assign to tensor of shape {self.shape}: {error}") from None
        self._mark_modified()

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, other):
        if isinstance(other, Tensor) and other.data.dtype == self.data.dtype:
            return apply(_arith.Add(), self, other)
        if _is_scalar(other):
            return apply(_arith.AddScalar(other), _scalar_operand(self, other))
        return apply(_arith.Add(), *_pair(self, other))

    def __radd__(self, other):
        if _is_scalar(other):
            return apply(_arith.AddScalar(other), _scalar_operand(self, other))
        return apply(_arith.Add(), *reversed(_pair(self, other)))

    def __sub__(self, other):
        if isinstance(other, Tensor) and other.data.dtype == self.data.dtype:
            return apply(_arith.Sub(), self, other)
        if _is_scalar(other):
            return apply(_arith.AddScalar(-other), _scalar_operand(self, other))
        return apply(_arith.Sub(), *_pair(self, other))

    def __rsub__(self, other):
        if _is_scalar(other):
            return apply(_arith.RSubScalar(other), _scalar_operand(self, other))
        return apply(_arith.Sub(), *reversed(_pair(self, other)))

    def __mul__(self, other):
        if isinstance(other, Tensor) and other.data.dtype == self.data.dtype:
            return apply(_arith.Mul(), self, other)
        if _is_scalar(other):
            return apply(_arith.MulScalar(other), _scalar_operand(self, other))
        return apply(_arith.Mul(), *_pair(self, other))

    def __rmul__(self, other):
        if _is_scalar(other):
            return apply(_arith.MulScalar(other), _scalar_operand(self, other))
        return apply(_arith.Mul(), *reversed(_pair(self, other)))

    def __truediv__(self, other):
        if isinstance(other, Tensor) and other.data.dtype == self.data.dtype and self.data.dtype.kind == "f":
            return apply(_arith.Div(), self, other)
        if _is_scalar(other):
            return apply(_arith.DivScalar(other), _F.to_floating(self))
        return _F.div(self, other)

    def __rtruediv__(self, other):
        if _is_scalar(other):
            return apply(_arith.RDivScalar(other), _F.to_floating(self))
        return _F.div(*reversed(_pair(self, other)))  # a raw array adopts our dtype, as in a + b

    def __pow__(self, exponent):
        return _F.pow(self, exponent)

    def __rpow__(self, base):
        if isinstance(base, numbers.Number):
            return _F.pow(base, self)
        return _F.pow(*reversed(_pair(self, base)))

    def __neg__(self):
        return apply(_arith.Neg(), self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _F.abs(self)

    def __matmul__(self, other):
        return _F.matmul(self, other)

    def __rmatmul__(self, other):
        return _F.matmul(*reversed(_pair(self, other)))

    def __getitem__(self, index):
        return _F.index(self, index)

    # ----------------------------------------------------------------- comparisons (no gradient)
    def __eq__(self, other):
        return _F.eq(self, other)

    def __ne__(self, other):
        return _F.ne(self, other)

    def __lt__(self, other):
        return _F.lt(self, other)

    def __le__(self, other):
        return _F.le(self, other)

    def __gt__(self, other):
        return _F.gt(self, other)

    def __ge__(self, other):
        return _F.ge(self, other)

    __hash__ = object.__hash__

    # ----------------------------------------------------------------- methods that mirror chainrule.<name>
    def add(self, other):
        return self + other

    def sub(self, other):
        return self - other

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def pow(self, exponent):
        return _F.pow(self, exponent)

    def neg(self):
        return -self

    def matmul(self, other):
        return _F.matmul(self, other)

    def mm(self, mat2):
        return _F.mm(self, mat2)

    def bmm(self, mat2):
        return _F.bmm(self, mat2)

    def mv(self, vec):
        return _F.mv(self, vec)

    def dot(self, other):
        return _F.dot(self, other)

    def vdot(self, other):
        return _F.vdot(self, other)

    def outer(self, vec2):
        return _F.outer(self, vec2)

    ger = outer

    def inner(self, other):
        return _F.inner(self, other)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _F.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _F.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _F.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _F.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def kron(self, other):
        return _F.kron(self, other)

    def cross(self, other, dim=None):
        return _F.cross(self, other, dim)

    def det(self):
        return _F.det(self)

    def logdet(self):
        return _F.logdet(self)

    def slogdet(self):
        return _F.slogdet(self)

    def inverse(self):
        return _F.inverse(self)

    def pinverse(self, rcond=1e-15):
        return _F.pinverse(self, rcond)

    def matrix_power(self, n):
        return _F.matrix_power(self, n)

    def exp(self):
        return _F.exp(self)

    def log(self):
        return _F.log(self)

    def log1p(self):
        return _F.log1p(self)

    def sqrt(self):
        return _F.sqrt(self)

    def abs(self):
        return _F.abs(self)

    def sin(self):
        return _F.sin(self)

    def cos(self):
        return _F.cos(self)

    def tan(self):
        return _F.tan(self)

    def sinh(self):
        return _F.sinh(self)

    def cosh(self):
        return _F.cosh(self)

    def asin(self):
        return _F.asin(self)

    def acos(self):
        return _F.acos(self)

    def atan(self):
        return _F.atan(self)

    def asinh(self):
        return _F.asinh(self)

    def acosh(self):
        return _F.acosh(self)

    def atanh(self):
        return _F.atanh(self)

    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

    def atan2(self, other):
        return _F.atan2(self, other)

    arctan2 = atan2

    def erf(self):
        return _F.erf(self)

    def erfc(self):
        return _F.erfc(self)

    def erfinv(self):
        return _F.erfinv(self)

    def exp2(self):
        return _F.exp2(self)

    def expm1(self):
        return _F.expm1(self)

    def log2(self):
        return _F.log2(self)

    def log10(self):
        return _F.log10(self)

    def reciprocal(self):
        return _F.reciprocal(self)

    def rsqrt(self):
        return _F.rsqrt(self)

    def square(self):
        return _F.square(self)

    def sign(self):
        return _F.sign(self)

    def sgn(self):
        return _F.sgn(self)

    def floor(self):
        return _F.floor(self)

    def ceil(self):
        return _F.ceil(self)

    def round(self, decimals=0):
        return _F.round(self, decimals)

    def trunc(self):
        return _F.trunc(self)

    fix = trunc

    def frac(self):
        return _F.frac(self)

    def sinc(self):
        return _F.sinc(self)

    def hypot(self, other):
        return _F.hypot(self, other)

    def logaddexp(self, other):
        return _F.logaddexp(self, other)

    def logaddexp2(self, other):
        return _F.logaddexp2(self, other)

    def xlogy(self, other):
        return _F.xlogy(self, other)

    def lerp(self, end, weight):
        return _F.lerp(self, end, weight)

    def remainder(self, other):
        return _F.remainder(self, other)

    def fmod(self, other):
        return _F.fmod(self, other)

    def float_power(self, exponent):
        return _F.float_power(self, exponent)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _F.nan_to_num(self, nan, posinf, neginf)

    def isnan(self):
        return _F.isnan(self)

    def isinf(self):
        return _F.isinf(self)

    def isposinf(self):
        return _F.isposinf(self)

    def isneginf(self):
        return _F.isneginf(self)

    def isfinite(self):
        return _F.isfinite(self)

    def logical_and(self, other):
        return _F.logical_and(self, other)

    def logical_or(self, other):
        return _F.logical_or(self, other)

    def logical_xor(self, other):
        return _F.logical_xor(self, other)

    def logical_not(self):
        return _F.logical_not(self)

    def bitwise_and(self, other):
        return _F.bitwise_and(self, other)

    def bitwise_or(self, other):
        return _F.bitwise_or(self, other)

    def bitwise_xor(self, other):
        return _F.bitwise_xor(self, other)

    def bitwise_not(self):
        return _F.bitwise_not(self)

    __and__, __or__, __xor__, __invert__ = bitwise_and, bitwise_or, bitwise_xor, bitwise_not

    def __rand__(self, other):
        return _F.bitwise_and(other, self)

    def __ror__(self, other):
        return _F.bitwise_or(other, self)

    def __rxor__(self, other):
        return _F.bitwise_xor(other, self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _F.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _F.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other):
        return _F.equal(self, other)

    def clamp_(self, min=None, max=None):
        """Limit each element to [min, max] in place, as ``clamp``; for tensors outside a graph."""
        if min is None and max is None:
            raise ValueError("clamp_: at least one of min and max must be given")
        if min is not None:
            self._inplace(xp.maximum, min, "clamp_")
        if max is not None:
            self._inplace(xp.minimum, max, "clamp_")
        return self

    clip_ = clamp_

    def remainder_(self, other):
        return self._inplace(xp.remainder, other, "remainder_")

    def fmod_(self, other):
        return self._inplace(xp.fmod, other, "fmod_")

    def tanh(self):
        return _F.tanh(self)

    def sigmoid(self):
        return _F.sigmoid(self)

    def relu(self):
        return _F.relu(self)

    def clamp(self, min=None, max=None):
        return _F.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return _F.maximum(self, other)

    def minimum(self, other):
        return _F.minimum(self, other)

    def sum(self, dim=None, keepdim=False, **aliases):
        return _F.sum(self, dim, keepdim, **aliases)

    def mean(self, dim=None, keepdim=False, **aliases):
        return _F.mean(self, dim, keepdim, **aliases)

    def var(self, dim=None, unbiased=None, keepdim=False, **options):
        return _F.var(self, dim, unbiased, keepdim, **options)

    def std(self, dim=None, unbiased=None, keepdim=False, **options):
        return _F.std(self, dim, unbiased, keepdim, **options)

    def max(self, dim=None, keepdim=False, **aliases):
        return _F.max(self, dim, keepdim, **aliases)

    def min(self, dim=None, keepdim=False, **aliases):
        return _F.min(self, dim, keepdim, **aliases)

    def amax(self, dim=None, keepdim=False, **aliases):
        return _F.amax(self, dim, keepdim, **aliases)

    def amin(self, dim=None, keepdim=False, **aliases):
        return _F.amin(self, dim, keepdim, **aliases)

    def logsumexp(self, dim=None, keepdim=False, **aliases):
        return _F.logsumexp(self, dim, keepdim, **aliases)

    def prod(self, dim=None, keepdim=False, **aliases):
        return _F.prod(self, dim, keepdim, **aliases)

    def cumsum(self, dim, *, dtype=None):
        return _F.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None):
        return _F.cumprod(self, dim, dtype=dtype)

    def logcumsumexp(self, dim):
        return _F.logcumsumexp(self, dim)

    def cummax(self, dim):
        return _F.cummax(self, dim)

    def cummin(self, dim):
        return _F.cummin(self, dim)

    def sort(self, dim=-1, descending=False, stable=False):
        return _F.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _F.argsort(self, dim, descending, stable)

    def msort(self):
        return _F.msort(self)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _F.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k, dim=-1, keepdim=False):
        return _F.kthvalue(self, k, dim, keepdim)

    def median(self, dim=None, keepdim=False):
        return _F.median(self, dim, keepdim)

    def nanmedian(self, dim=None, keepdim=False):
        return _F.nanmedian(self, dim, keepdim)

    def mode(self, dim=-1, keepdim=False):
        return _F.mode(self, dim, keepdim)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _F.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return _F.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _F.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return _F.unique_consecutive(self, return_inverse, return_counts, dim)

    def count_nonzero(self, dim=None):
        return _F.count_nonzero(self, dim)

    def aminmax(self, *, dim=None, keepdim=False):
        return _F.aminmax(self, dim=dim, keepdim=keepdim)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _F.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return _F.nanmean(self, dim, keepdim, dtype=dtype)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _F.norm(self, p, dim, keepdim, dtype)

    def dist(self, other, p=2):
        return _F.dist(self, other, p)

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return _F.diff(self, n, dim, prepend, append)

    def bincount(self, weights=None, minlength=0):
        return _F.bincount(self, weights, minlength)

    def histc(self, bins=100, min=0, max=0):
        return _F.histc(self, bins, min, max)

    def argmax(self, dim=None, keepdim=False, **aliases):
        return _F.argmax(self, dim, keepdim, **aliases)

    def argmin(self, dim=None, keepdim=False, **aliases):
        return _F.argmin(self, dim, keepdim, **aliases)

    def any(self, dim=None, keepdim=False):
        return _F.any(self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return _F.all(self, dim, keepdim)

    def reshape(self, *shape):
        return _F.reshape(self, *shape)

    def view(self, *shape):
        return _F.reshape(self, *shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _F.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return _F.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _F.unsqueeze(self, dim)

    def transpose(self, dim0, dim1):
        return _F.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _F.permute(self, *dims)

    @property
    def T(self):
        return _F.permute(self, *range(self.data.ndim - 1, -1, -1))

    @property
    def mT(self):
        return _F.transpose(self, -2, -1)

    def expand(self, *sizes):
        return _F.expand(self, *sizes)

    def broadcast_to(self, shape):
        return _F.broadcast_to(self, shape)

    def split(self, split_size_or_sections, dim=0):
        return _F.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _F.chunk(self, chunks, dim)

    def repeat(self, *sizes):
        return _F.repeat(self, *sizes)

    def tile(self, *dims):
        return _F.tile(self, *dims)

    def flip(self, *dims):
        return _F.flip(self, *dims)

    def gather(self, dim, index, *, sparse_grad=False):
        return _F.gather(self, dim, index)

    def scatter(self, dim, index, src=None, value=None):
        return _F.scatter(self, dim, index, src, value)

    def scatter_add(self, dim, index, src):
        return _F.scatter_add(self, dim, index, src)

    def index_select(self, dim, index):
        return _F.index_select(self, dim, index)

    def index_add(self, dim, index, source, *, alpha=1):
        return _F.index_add(self, dim, index, source, alpha=alpha)

    def index_fill(self, dim, index, value):
        return _F.index_fill(self, dim, index, value)

    def masked_fill(self, mask, value):
        return _F.masked_fill(self, mask, value)

    def masked_select(self, mask):
        return _F.masked_select(self, mask)

    def take(self, index):
        return _F.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return _F.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple=False):
        return _F.nonzero(self, as_tuple=as_tuple)

    def argwhere(self):
        return _F.nonzero(self)

    def narrow(self, dim, start, length):
        return _F.narrow(self, dim, start, length)

    def select(self, dim, index):
        return _F.select(self, dim, index)

    def unbind(self, dim=0):
        return _F.unbind(self, dim)

    def movedim(self, source, destination):
        return _F.movedim(self, source, destination)

    moveaxis = movedim

    def roll(self, shifts, dims=None):
        return _F.roll(self, shifts, dims)

    def rot90(self, k=1, dims=(0, 1)):
        return _F.rot90(self, k, dims)

    def tril(self, diagonal=0):
        return _F.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _F.triu(self, diagonal)

    def diag(self, diagonal=0):
        return _F.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _F.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _F.diag_embed(self, offset, dim1, dim2)

    def trace(self):
        return _F.trace(self)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return _F.repeat_interleave(self, repeats, dim, output_size=output_size)

    def unflatten(self, dim, sizes):
        return _F.unflatten(self, dim, sizes)

    def view_as(self, other):
        return _F.reshape(self, other.shape)

    reshape_as = view_as

    def expand_as(self, other):
        return _F.expand(self, other.shape)

    def t(self):
        return _F.t(self)

    def contiguous(self, memory_format=None):
        """This tensor itself: a NumPy array's layout never needs fixing before an op."""
        return self

    def softmax(self, dim, dtype=None):
        return _F.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _F.log_softmax(self, dim, dtype=dtype)

    def eq(self, other):
        return _F.eq(self, other)

    def ne(self, other):
        return _F.ne(self, other)

    def lt(self, other):
        return _F.lt(self, other)

    def le(self, other):
        return _F.le(self, other)

    def gt(self, other):
        return _F.gt(self, other)

    def ge(self, other):
        return _F.ge(self, other)


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
_TYPE_DTYPES = {name: xp.dtype(dtype) for dtype, name in _TYPE_NAMES.items()}


def checked_shape(size, op):
    """The shape of a new tensor, from f(2, 3) or f((2, 3)); no size may be negative."""
    shape = _F._sizes(size, op)
    if any(s < 0 for s in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def is_tensor(obj):
    """True if ``obj`` is a chainrule Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """True if ``input``'s dtype is a floating-point one."""
    return input.is_floating_point()


def numel(input):
    """The number of elements of ``input``."""
    return input.numel()


def _run_hooks(hooks, grad):
    """Pass ``grad`` (an array) through tensor hooks, which see and may return tensors."""
    for hook in hooks:
        replaced = hook(Tensor(grad))
        if replaced is not None:
            replaced = replaced.data if isinstance(replaced, Tensor) else xp.asarray(replaced)
            if replaced.shape != grad.shape:
                raise RuntimeError(f"register_hook: a hook returned a gradient of shape "
                                   f"{replaced.shape} for a tensor of shape {grad.shape}")
            grad = replaced.astype(grad.dtype, copy=False)
    return grad


class _HookHandle:
    def __init__(self, hooks, entry):
        self._hooks, self._entry = hooks, entry

    def remove(self):
        if self._entry in self._hooks:
            self._hooks.remove(self._entry)


# imported last: the functions need Tensor and apply, and Tensor's methods call them
from chainrule import functions as _F  # noqa: E402
