"""Adadelta: step sizes from the ratio of running RMS of past updates and of past gradients."""
from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    With ``g`` the gradient (negated if ``maximize``) plus ``weight_decay * p``::

        v <- rho * v + (1 - rho) * g^2
        d <- sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho * u + (1 - rho) * d^2
        p <- p - lr * d

    State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (u).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        self._check_number(group, "lr")
        self._check_number(group, "rho", high=1.0)
        self._check_number(group, "eps")
        self._check_number(group, "weight_decay")

    def _init_state(self, param, group, state):
        if "square_avg" not in state:
            state["square_avg"] = Tensor(xp.zeros_like(param.data))
            state["acc_delta"] = Tensor(xp.zeros_like(param.data))

    def _cost(self, group):
        return 1.7  # 16 passes (two square roots) to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        rho, eps = group["rho"], group["eps"]
        g = self._effective_grad(p, g, group["weight_decay"], group["maximize"], tmp[0])
        v, u, a, d = s["square_avg"], s["acc_delta"], tmp[1], tmp[2]
        v *= rho                                     # v <- rho v + (1 - rho) g^2
        xp.multiply(g, g, out=a)
        a *= 1 - rho
        v += a
        xp.add(v, eps, out=a)                        # d <- sqrt(u + eps) / sqrt(v + eps) * g
        xp.sqrt(a, out=a)
        xp.add(u, eps, out=d)
        xp.sqrt(d, out=d)
        d /= a
        d *= g
        u *= rho                                     # u <- rho u + (1 - rho) d^2
        xp.multiply(d, d, out=a)
        a *= 1 - rho
        u += a
        d *= group["lr"]                             # p <- p - lr d
        p -= d
