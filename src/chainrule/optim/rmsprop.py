"""RMSprop: divide the gradient by a running root-mean-square of its recent values."""
from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), as ``torch.optim.RMSprop``.

    With ``g`` the gradient (negated if ``maximize``) plus ``weight_decay * p``::

        v <- alpha * v + (1 - alpha) * g^2
        d <- sqrt(v) + eps,   or if centered:  a <- alpha * a + (1 - alpha) * g
                                              d <- sqrt(v - a^2) + eps
        b <- momentum * b + g / d;  p <- p - lr * b      (momentum > 0)
        p <- p - lr * g / d                              (otherwise)

    State per parameter: ``step``, ``square_avg`` (v), ``grad_avg`` (a, centered only),
    ``momentum_buffer`` (b, momentum only).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, *, maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        for key in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            self._check_number(group, key)

    def _init_state(self, param, group, state):
        if "square_avg" not in state:
            state["square_avg"] = Tensor(xp.zeros_like(param.data))
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = Tensor(xp.zeros_like(param.data))
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = Tensor(xp.zeros_like(param.data))

    def _update(self, p, g, s, group, tmp):
        lr, alpha, momentum = group["lr"], group["alpha"], group["momentum"]
        g = self._effective_grad(p, g, group["weight_decay"], group["maximize"], tmp[0])
        v, d = s["square_avg"], tmp[1]
        v *= alpha                                   # v <- alpha v + (1 - alpha) g^2
        xp.multiply(g, g, out=d)
        d *= 1 - alpha
        v += d
        if group["centered"]:
            a = s["grad_avg"]                        # a <- alpha a + (1 - alpha) g
            a *= alpha
            xp.multiply(g, 1 - alpha, out=d)
            a += d
            xp.multiply(a, a, out=d)                 # d <- sqrt(v - a^2) + eps
            xp.subtract(v, d, out=d)
            xp.sqrt(d, out=d)
        else:
            xp.sqrt(v, out=d)                        # d <- sqrt(v) + eps
        d += group["eps"]
        xp.divide(g, d, out=d)                       # d <- g / d
        if momentum > 0:
            b = s["momentum_buffer"]                 # b <- momentum b + g / d
            b *= momentum
            b += d
            xp.multiply(b, lr, out=d)                # p <- p - lr b
        else:
            d *= lr                                  # p <- p - lr g / d
        p -= d
