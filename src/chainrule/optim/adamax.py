"""Adamax: Adam with the root mean square replaced by a decaying maximum (the infinity norm)."""
from chainrule.backend import xp
from chainrule.optim.adam import AdamFamily, update_average, zeros


class Adamax(AdamFamily):
    """Adamax (Kingma & Ba, 2015, section 7.1), as ``torch.optim.Adamax``.

    With ``g`` the gradient (negated if ``maximize``) plus ``weight_decay * p``, at step t::

        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        p <- p - lr / (1 - beta1^t) * m / u

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_inf`` (u).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *,
                 maximize=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, group, state):
        zeros(param, state, "exp_avg", "exp_inf")
        return {"step_size": group["lr"] / (1 - group["betas"][0] ** (state["step"] + 1))}

    def _cost(self, group):
        return 1.1  # 10 passes to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        beta1, beta2 = group["betas"]
        g = self._effective_grad(p, g, group["weight_decay"], group["maximize"], tmp[0])
        m, u, a = s["exp_avg"], s["exp_inf"], tmp[1]
        update_average(m, g, beta1, a)               # m <- beta1 m + (1 - beta1) g
        u *= beta2                                   # u <- max(beta2 u, |g| + eps)
        xp.abs(g, out=a)
        a += group["eps"]
        xp.maximum(u, a, out=u)
        xp.divide(m, u, out=a)                       # p <- p - step_size m / u
        a *= s["step_size"]
        p -= a
