"""NAdam: Adam with Nesterov momentum, looking one step ahead along the running average."""
from chainrule.backend import xp
from chainrule.optim.adam import AdamFamily, update_moments


class NAdam(AdamFamily):
    """NAdam (Dozat, 2016), as ``torch.optim.NAdam``.

    With ``g`` the gradient (negated if ``maximize``, plus ``weight_decay * p``, or with
    ``decoupled_weight_decay`` the weights shrinking by ``lr * weight_decay * p`` instead),
    at step t, the momentum coefficient warms up as ``mu_t = beta1 (1 - 0.96^(t psi) / 2)``
    (``psi`` = momentum_decay) and ``prod_t = mu_1 ... mu_t``::

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        d <- sqrt(v / (1 - beta2^t)) + eps
        p <- p - lr * ((1 - mu_t) / (1 - prod_t) * g + mu_{t+1} / (1 - prod_{t+1}) * m) / d

    State per parameter: ``step``, ``mu_product`` (prod_t, a number), ``exp_avg`` (m),
    ``exp_avg_sq`` (v).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        self._check_number(group, "momentum_decay")

    def _init_state(self, param, group, state):
        super()._init_state(param, group, state)
        # The per-parameter numbers of this step, once for all its chunks: mu_product
        # advances here (a saved one may come back as a 0-d array: it is kept a float).
        beta1, beta2 = group["betas"]
        t = state["step"] + 1
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * group["momentum_decay"]))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * group["momentum_decay"]))
        product = state["mu_product"] = float(state.get("mu_product", 1.0)) * mu
        lr = group["lr"]
        return {"grad_coef": lr * (1 - mu) / (1 - product),
                "avg_coef": lr * mu_next / (1 - product * mu_next),
                "bias_correction2": 1 - beta2 ** t}

    def _cost(self, group):
        return 1.5  # 14 passes (one a square root) to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        beta1, beta2 = group["betas"]
        g = self._decayed_grad(p, g, group, tmp[0])
        m, v, d, a = s["exp_avg"], s["exp_avg_sq"], tmp[1], tmp[2]
        update_moments(g, m, v, beta1, beta2, a)
        xp.divide(v, s["bias_correction2"], out=d)   # d <- sqrt(v / bc2) + eps
        xp.sqrt(d, out=d)
        d += group["eps"]
        xp.multiply(g, s["grad_coef"], out=a)        # p <- p - (c_g g + c_m m) / d
        b = xp.multiply(m, s["avg_coef"], out=tmp[0])  # g is used up (it may live in tmp[0])
        a += b
        a /= d
        p -= a
