"""Adagrad: per-element step sizes that shrink with the sum of all past squared gradients."""
from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    With ``g`` the gradient (negated if ``maximize``) plus ``weight_decay * p``, at step t::

        lr_t <- lr / (1 + (t - 1) * lr_decay)
        s <- s + g^2                     (s starts at initial_accumulator_value)
        p <- p - lr_t * g / (sqrt(s) + eps)

    State per parameter: ``step``, ``sum`` (s).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, *, maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        for key in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            self._check_number(group, key)

    def _init_state(self, param, group, state):
        if "sum" not in state:
            state["sum"] = Tensor(xp.full_like(param.data, group["initial_accumulator_value"]))

    def _cost(self, group):
        return 0.85  # 7 passes (one a square root) to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        lr_t = group["lr"] / (1 + (s["step"] - 1) * group["lr_decay"])
        g = self._effective_grad(p, g, group["weight_decay"], group["maximize"], tmp[0])
        total, d = s["sum"], tmp[1]
        xp.multiply(g, g, out=d)                     # s <- s + g^2
        total += d
        xp.sqrt(total, out=d)                        # p <- p - lr_t g / (sqrt(s) + eps)
        d += group["eps"]
        xp.divide(g, d, out=d)
        d *= lr_t
        p -= d
