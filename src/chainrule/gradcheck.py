"""Finite-difference checking of analytic gradients, the engine's independent witness.

For every input that requires grad, each element is nudged by ±eps (in float64) and the
change in a random projection of the outputs is compared with what ``backward`` computed.
A random projection tests the whole vector-Jacobian product at the cost of one backward.
"""
from chainrule.autograd import no_grad
from chainrule.backend import xp
from chainrule.tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def _outputs(result):
    outputs = result if isinstance(result, (tuple, list)) else (result,)
    return [o for o in outputs if isinstance(o, Tensor) and o.data.dtype.kind == "f"]


def _projection(outputs, weights):
    total = 0.0
    for out, w in zip(outputs, weights):
        total += float(xp.sum(out.data.astype(xp.float64) * w))
    return total


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check ``fn``'s gradients against central differences; return True or raise.

    ``inputs`` is a tensor or a tuple of them (and other arguments passed through).  Inputs
    that require grad are converted to float64 copies.  On a mismatch, GradcheckError names
    the input, the element, and the analytic and numeric values of the worst disagreement
    (|analytic - numeric| > atol + rtol * |numeric|).

    >>> chainrule.gradcheck(lambda x: (x * x).sum(), chainrule.randn(3, requires_grad=True))
    True
    """
    single = not isinstance(inputs, (tuple, list))
    inputs = [inputs] if single else list(inputs)
    inputs = [Tensor(x.data.astype(xp.float64), requires_grad=True)
              if isinstance(x, Tensor) and x.requires_grad else x for x in inputs]
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")

    outputs = _outputs(fn(*inputs))
    if not outputs:
        raise ValueError("gradcheck: fn returned no floating-point tensor")
    rng = xp.random.default_rng(seed)
    weights = [rng.standard_normal(o.shape) for o in outputs]
    projected = None
    for out, w in zip(outputs, weights):
        if not out.requires_grad:
            continue
        term = (out * Tensor(w.astype(out.data.dtype))).sum()
        projected = term if projected is None else projected + term
    if projected is not None:
        projected.backward()

    for i in checked:
        x = inputs[i]
        analytic = x.grad.data if x.grad is not None else xp.zeros_like(x.data)
        numeric = xp.zeros_like(x.data)
        flat, numeric_flat = x.data.reshape(-1), numeric.reshape(-1)
        with no_grad():
            for k in range(flat.size):
                original = flat[k]
                flat[k] = original + eps
                plus = _projection(_outputs(fn(*inputs)), weights)
                flat[k] = original - eps
                minus = _projection(_outputs(fn(*inputs)), weights)
                flat[k] = original
                numeric_flat[k] = (plus - minus) / (2 * eps)
        error = xp.abs(analytic - numeric) - (atol + rtol * xp.abs(numeric))
        # a NaN on either side (a step across the edge of the domain) fails, as does any
        # non-finite analytic gradient: NaN compares False, so "<= 0" is the test that holds
        error = xp.where((error <= 0) | xp.isfinite(error), error, xp.inf)
        error[~xp.isfinite(analytic)] = xp.inf
        if error.size and error.max() > 0:
            worst = int(xp.argmax(error))
            where = xp.unravel_index(worst, x.shape) if x.ndim else ()
            raise GradcheckError(
                f"gradcheck: the gradient of input {i} (shape {x.shape}) is wrong at element "
                f"{tuple(int(w) for w in where)}: analytic {analytic.reshape(-1)[worst]:.10g}, "
                f"numeric {numeric_flat[worst]:.10g} (atol={atol}, rtol={rtol})"
            )
    return True
