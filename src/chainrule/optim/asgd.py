"""ASGD: SGD with a decaying step, and a running average of the iterates kept beside it."""
from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (Polyak & Juditsky, 1992), as ``torch.optim.ASGD``.

    With ``g`` the gradient (negated if ``maximize``) plus ``weight_decay * p``, and the step
    ``eta`` and averaging weight ``mu`` (1 at first) of step t::

        p <- p * (1 - lambd * eta) - eta * g
        ax <- ax + mu * (p - ax)                     (ax <- p while mu is 1)
        eta <- lr / (1 + lambd * lr * t)^alpha;  mu <- 1 / max(1, t - t0)

    The parameters follow plain (decaying) SGD; ``ax``, the average of the iterates from
    step ``t0`` on, is what averaged SGD returns: copy it into the parameters to use it.
    State per parameter: ``step``, ``eta``, ``mu`` (numbers), ``ax``.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, *,
                 maximize=False):
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        self._check_number(group, "lr")
        self._check_number(group, "weight_decay")
        for key in ("lambd", "alpha", "t0"):
            self._check_number(group, key, low=-float("inf"))

    def _init_state(self, param, group, state):
        if "ax" not in state:
            state["ax"] = Tensor(xp.zeros_like(param.data))
        # This step uses the eta and mu that the last one left; the next ones are set here,
        # once for all the parameter's chunks (saved ones may come back as 0-d arrays).
        lr, t = group["lr"], state["step"] + 1
        now = {"eta_now": float(state.get("eta", lr)), "mu_now": float(state.get("mu", 1.0))}
        state["eta"] = lr / (1 + group["lambd"] * lr * t) ** group["alpha"]
        state["mu"] = 1 / max(1, t - group["t0"])
        return now

    def _cost(self, group):
        return 0.8  # 7 passes to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        eta, mu = s["eta_now"], s["mu_now"]
        g = self._effective_grad(p, g, group["weight_decay"], group["maximize"], tmp[0])
        a, ax = tmp[1], s["ax"]
        p *= 1 - group["lambd"] * eta                # p <- p (1 - lambd eta) - eta g
        xp.multiply(g, eta, out=a)
        p -= a
        if mu == 1:                                  # ax <- ax + mu (p - ax)
            xp.copyto(ax, p)
        else:
            xp.subtract(p, ax, out=a)
            a *= mu
            ax += a
