"""RAdam: Adam whose adaptive step is switched on only once the variance estimate is reliable."""
import math

from chainrule.backend import xp
from chainrule.optim.adam import AdamFamily, update_moments


class RAdam(AdamFamily):
    """Rectified Adam (Liu et al., 2020), as ``torch.optim.RAdam``.

    With ``g`` the gradient (negated if ``maximize``, plus ``weight_decay * p``, or with
    ``decoupled_weight_decay`` the weights shrinking by ``lr * weight_decay * p`` instead),
    at step t, with ``rho_inf = 2 / (1 - beta2) - 1`` and
    ``rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)`` (the length of the average's window)::

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        p <- p - lr * m / (1 - beta1^t) * r_t * sqrt(1 - beta2^t) / (sqrt(v) + eps)  if rho_t > 5
        p <- p - lr * m / (1 - beta1^t)                                              otherwise

    where ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``.
    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, *, maximize=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, group, state):
        super()._init_state(param, group, state)
        beta1, beta2 = group["betas"]
        t = state["step"] + 1
        bias_correction2 = 1 - beta2 ** t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / bias_correction2
        scale = group["lr"] / (1 - beta1 ** t)
        if rho_t <= 5:  # too few steps for a usable variance: plain momentum SGD
            return {"scale": scale, "adaptive": False}
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return {"scale": scale * rect * math.sqrt(bias_correction2), "adaptive": True}

    def _cost(self, group):
        return 1.25  # 12 passes (one a square root) to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        beta1, beta2 = group["betas"]
        g = self._decayed_grad(p, g, group, tmp[0])
        m, v, a = s["exp_avg"], s["exp_avg_sq"], tmp[1]
        update_moments(g, m, v, beta1, beta2, a)
        if s["adaptive"]:
            xp.sqrt(v, out=a)                        # a <- scale m / (sqrt(v) + eps)
            a += group["eps"]
            xp.divide(m, a, out=a)
            a *= s["scale"]
        else:
            xp.multiply(m, s["scale"], out=a)        # a <- scale m
        p -= a
