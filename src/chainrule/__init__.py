"""chainrule: backpropagation you can read.

Reverse-mode automatic differentiation over NumPy arrays, define-by-run, with PyTorch's
names and semantics::

    import chainrule as cr
    x = cr.randn(3, requires_grad=True)
    y = (x.tanh() ** 2).sum()
    y.backward()
    x.grad          # dy/dx
"""
from chainrule import _memory
from chainrule.backend import xp as _xp
from chainrule.tensor import (
    Tensor, get_default_dtype, is_floating_point, is_tensor, numel, set_default_dtype,
)
from chainrule.autograd import (
    detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad, set_grad_enabled,
)
from chainrule.random import Generator, manual_seed, initial_seed, get_rng_state, set_rng_state
from chainrule.creation import (
    arange, bernoulli, empty, empty_like, eye, from_numpy, full, full_like, linspace, logspace,
    multinomial, normal, ones, ones_like, poisson, rand, rand_like, randint, randint_like, randn,
    randn_like, randperm, tensor, zeros, zeros_like,
)
from chainrule.functions import (
    abs, add, all, amax, amin, any, argmax, argmin, as_tensor, broadcast_to, cat, chunk, clamp,
    clip, clone, concat, concatenate, cos, div, divide, einsum, elu, eq, exp, expand, flatten, flip,
    ge, gelu, gt, le, leaky_relu, log, log1p, log_softmax, logsumexp, lt, matmul, max, maximum,
    mean, min, minimum, mul, multiply, ne, neg, negative, pad, permute, pow, prod, relu, repeat,
    reshape, sigmoid, sin, softmax, softplus, split, sqrt, squeeze, stack, std, sub, subtract, sum,
    swapaxes, tanh, tile, transpose, true_divide, unsqueeze, var, view, where,
)
from chainrule.functions import (  # the activations beyond relu, as torch.nn.functional
    celu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, prelu, relu6,
    selu, silu, softmin, softshrink, softsign, tanhshrink, threshold,
)
from chainrule.functions import (  # stacking helpers, as torch's
    atleast_1d, atleast_2d, atleast_3d, column_stack, dstack, hstack, row_stack, vstack,
)
from chainrule.functions import (  # reductions, scans and sorting
    aminmax, argsort, bincount, bucketize, count_nonzero, cummax, cummin, cumprod, cumsum, diff,
    dist, histc, kthvalue, logcumsumexp, median, mode, msort, nanmean, nanmedian, nanquantile,
    nansum, norm, quantile, searchsorted, sort, std_mean, topk, unique, unique_consecutive,
    var_mean,
)
from chainrule.functions import (  # linear algebra
    addbmm, addmm, addmv, baddbmm, block_diag, bmm, cartesian_prod, cdist, chain_matmul, cross, det,
    dot, ger, inner, inverse, kron, logdet, matrix_power, mm, mv, outer, pinverse, slogdet,
    tensordot, vdot,
)
from chainrule.functions import (  # elementwise math and comparisons
    acos, acosh, allclose, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, asin, asinh,
    atan, atan2, atanh, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, ceil, cosh, equal, erf,
    erfc, erfinv, exp2, expm1, fix, float_power, floor, fmod, frac, hypot, isclose, isfinite, isinf,
    isnan, isneginf, isposinf, lerp, log10, log2, logaddexp, logaddexp2, logical_and, logical_not,
    logical_or, logical_xor, nan_to_num, reciprocal, remainder, round, rsqrt, sgn, sign, sinc, sinh,
    square, tan, trunc, xlogy,
)
from chainrule.functions import (  # indexing, gathering and shape
    argwhere, diag, diag_embed, diagonal, gather, index_add, index_fill, index_select, masked_fill,
    masked_select, meshgrid, movedim, moveaxis, narrow, nonzero, repeat_interleave, roll, rot90,
    scatter, scatter_add, select, t, take, take_along_dim, trace, tril, tril_indices, triu,
    triu_indices, unbind, unflatten,
)
from chainrule.gradcheck import GradcheckError, gradcheck
from chainrule import optim  # noqa: F401  (optim knows tensors only; no cycle)
from chainrule import linalg  # noqa: F401  (torch.linalg's names)
from chainrule import data, datasets, metrics, utils
from chainrule.io import load, save
from chainrule import activations, initializers, layers, models, regularizers  # Keras's names
from chainrule import callbacks, optimizers  # noqa: F401  (Keras's import paths)
from chainrule.layers import Input
from chainrule.models import Model  # Keras's functional API and subclassing

__version__ = "0.1.0"

_memory.keep_freed_memory()   # large temporaries reused, not page-faulted anew each step

float16 = half = _xp.float16
float32 = float = _xp.float32
float64 = double = _xp.float64
int8 = _xp.int8
int16 = _xp.int16
int32 = int = _xp.int32
int64 = long = _xp.int64
uint8 = _xp.uint8
bool = _xp.bool_
