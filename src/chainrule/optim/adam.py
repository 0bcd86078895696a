"""Adam and AdamW: per-element step sizes from running averages of the gradient and its square;
and what Adam's variants (NAdam, RAdam, Adamax) share with them."""
import math
import numbers

from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class AdamFamily(Optimizer):
    """What Adam and its variants (NAdam, RAdam, Adamax) share: the checks of lr, eps,
    weight_decay and betas, and the L2 or decoupled weight decay."""

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
        zeros(param, state, "exp_avg", "exp_avg_sq")

    def _decayed_grad(self, p, g, group, out):
        """The gradient the moments follow: with ``decoupled_weight_decay`` the weights
        shrink here, ``p <- p - lr * weight_decay * p``, and the gradient is left alone;
        otherwise the L2 penalty's gradient ``weight_decay * p`` is added to it."""
        weight_decay = group["weight_decay"]
        if group.get("decoupled_weight_decay", False):
            if weight_decay != 0:
                p *= 1 - group["lr"] * weight_decay
            weight_decay = 0
        return self._effective_grad(p, g, weight_decay, group["maximize"], out)


def zeros(param, state, *names):
    """Add to ``state`` a zero array of the parameter's shape under each name it lacks."""
    for name in names:
        if name not in state:
            state[name] = Tensor(xp.zeros_like(param.data))


def update_average(m, g, beta1, tmp):
    """m <- beta1 m + (1 - beta1) g, in place (``tmp``: a scratch array)."""
    m *= beta1
    xp.multiply(g, 1 - beta1, out=tmp)
    m += tmp


def update_moments(g, m, v, beta1, beta2, tmp):
    """m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2  (in place; ``tmp`` scratch)."""
    update_average(m, g, beta1, tmp)
    v *= beta2
    xp.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    v += tmp


class Adam(AdamFamily):
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

    def _init_state(self, param, group, state):
        super()._init_state(param, group, state)
        if group["amsgrad"]:
            zeros(param, state, "max_exp_avg_sq")

    def _cost(self, group):
        return 1.25  # 12 passes (one a square root) to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        t = s["step"]
        g = self._decayed_grad(p, g, group, tmp[0])
        m, v, a = s["exp_avg"], s["exp_avg_sq"], tmp[1]
        update_moments(g, m, v, beta1, beta2, a)
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
