"""Adam and AdamW: per-element step sizes from running averages of the gradient and its square."""
import math
import numbers

from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``.

    With ``g`` the gradient (negated if ``maximize``), at step t::

        g <- g + weight_decay * p            (L2 penalty; or, if decoupled_weight_decay,
                                              p <- p - lr * weight_decay * p, as AdamW)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v); v <- v_max   (amsgrad only)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v), and
    ``max_exp_avg_sq`` with amsgrad.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group):
        self._check_number(group, "lr")
        self._check_number(group, "eps")
        self._check_number(group, "weight_decay")
        betas = group["betas"]
        self._check(isinstance(betas, (tuple, list)) and len(betas) == 2, "betas", betas,
                    "give two coefficients (beta1, beta2)")
        for i, beta in enumerate(betas):
            ok = isinstance(beta, numbers.Real) and 0.0 <= beta < 1.0
            self._check(ok, f"beta parameter at index {i}", beta, "it must be in [0, 1)")

    def _init_state(self, param, group, state):
        if "exp_avg" not in state:
            state["exp_avg"] = Tensor(xp.zeros_like(param.data))
            state["exp_avg_sq"] = Tensor(xp.zeros_like(param.data))
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = Tensor(xp.zeros_like(param.data))

    def _cost(self, group):
        return 1.25  # 12 passes (one a square root) to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        t = s["step"]
        if group["decoupled_weight_decay"]:
            if weight_decay != 0:
                p *= 1 - lr * weight_decay           # p <- p - lr weight_decay p
            g = self._effective_grad(p, g, 0, group["maximize"], tmp[0])
        else:
            g = self._effective_grad(p, g, weight_decay, group["maximize"], tmp[0])
        m, v, a = s["exp_avg"], s["exp_avg_sq"], tmp[1]
        m *= beta1                                   # m <- beta1 m + (1 - beta1) g
        xp.multiply(g, 1 - beta1, out=a)
        m += a
        v *= beta2                                   # v <- beta2 v + (1 - beta2) g^2
        xp.multiply(g, g, out=a)
        a *= 1 - beta2
        v += a
        if group["amsgrad"]:
            v = xp.maximum(s["max_exp_avg_sq"], v, out=s["max_exp_avg_sq"])
        if lr == 0:
            return
        # p <- p - step_size * m / (sqrt(v) / sqrt(bc2) + eps), with the bias corrections
        # bc = 1 - beta^t.  Multiplying the denominator through by sqrt(bc2) / step_size
        # gives the same quotient with one pass fewer: m / ((sqrt(v) + eps sqrt(bc2)) * scale).
        step_size = lr / (1 - beta1 ** t)
        bc2_sqrt = math.sqrt(1 - beta2 ** t)
        xp.sqrt(v, out=a)
        a += eps * bc2_sqrt
        a *= 1 / (step_size * bc2_sqrt)
        xp.divide(m, a, out=a)
        p -= a


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    The decay shrinks the weights directly, ``p <- p - lr * weight_decay * p``, instead of
    entering the gradient (and so the moving averages) as Adam's L2 penalty does.
    Default ``weight_decay=0.01``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
