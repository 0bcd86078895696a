"""Rprop: per-element step sizes that grow while the gradient keeps its sign and shrink when it flips."""
from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``.

    Only the gradient's sign is used.  With ``g`` the gradient (negated if ``maximize``)
    and ``etas = (eta_minus, eta_plus)``, each element's step size ``d`` (starting at ``lr``)
    changes by the sign of ``g * g_prev``::

        d <- clip(d * eta_plus,  *step_sizes)   where g * g_prev > 0
        d <- clip(d * eta_minus, *step_sizes);  g <- 0   where g * g_prev < 0
        p <- p - sign(g) * d;  g_prev <- g

    (a flipped element takes no step, and its next step counts as a fresh start).
    State per parameter: ``step``, ``prev`` (g_prev), ``step_size`` (d).
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 maximize=False):
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        self._check_number(group, "lr")
        etas, sizes = group["etas"], group["step_sizes"]
        self._check(isinstance(etas, (tuple, list)) and len(etas) == 2
                    and all(isinstance(e, (int, float)) for e in etas)
                    and 0.0 < etas[0] < 1.0 < etas[1], "etas", etas,
                    "give (eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus")
        self._check(isinstance(sizes, (tuple, list)) and len(sizes) == 2
                    and all(isinstance(e, (int, float)) for e in sizes)
                    and 0.0 <= sizes[0] <= sizes[1], "step_sizes", sizes,
                    "give (min, max) with 0 <= min <= max")

    def _init_state(self, param, group, state):
        if "prev" not in state:
            state["prev"] = Tensor(xp.zeros_like(param.data))
            state["step_size"] = Tensor(xp.full_like(param.data, group["lr"]))

    def _cost(self, group):
        return 1.5  # 12 passes (two of them comparisons into masks) to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        eta_minus, eta_plus = group["etas"]
        g = self._effective_grad(p, g, 0, group["maximize"], tmp[0])
        prev, d, f = s["prev"], s["step_size"], tmp[1]
        xp.multiply(g, prev, out=f)
        grow, shrink = f > 0, f < 0
        f.fill(1)                                    # f <- the factor of each step size
        xp.copyto(f, eta_plus, where=grow)
        xp.copyto(f, eta_minus, where=shrink)
        d *= f                                       # d <- clip(d f, min, max)
        xp.clip(d, *group["step_sizes"], out=d)
        xp.copyto(prev, g)                           # g_prev <- g, 0 where the sign flipped
        xp.copyto(prev, 0, where=shrink)
        xp.sign(prev, out=f)                         # p <- p - sign(g) d
        f *= d
        p -= f
