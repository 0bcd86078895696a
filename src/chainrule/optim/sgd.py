"""SGD: stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""
from chainrule.backend import xp
from chainrule.optim.optimizer import Optimizer
from chainrule.tensor import Tensor


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    With ``g`` the gradient (negated if ``maximize``) plus ``weight_decay * p``::

        b <- g                                   on the first step
        b <- momentum * b + (1 - dampening) * g  after it
        g <- g + momentum * b   if nesterov,  else  g <- b     (when momentum != 0)
        p <- p - lr * g

    >>> opt = chainrule.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, *, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group):
        self._check_number(group, "lr")
        self._check_number(group, "momentum")
        self._check_number(group, "dampening", low=-float("inf"))
        self._check_number(group, "weight_decay")
        if group["nesterov"]:
            self._check(group["momentum"] > 0 and group["dampening"] == 0, "nesterov", True,
                        f"Nesterov momentum needs momentum > 0 and dampening = 0 (got momentum="
                        f"{group['momentum']}, dampening={group['dampening']})")

    def _init_state(self, param, group, state):
        fresh = group["momentum"] != 0 and "momentum_buffer" not in state
        if fresh:
            state["momentum_buffer"] = Tensor(xp.empty_like(param.data))
        return {"fresh_buffer": fresh}  # a new buffer starts as the gradient itself

    def _cost(self, group):
        return 0.45 if group["momentum"] != 0 else 0.25  # 4 or 2 cheap passes to RMSprop's 9

    def _update(self, p, g, s, group, tmp):
        lr, momentum = group["lr"], group["momentum"]
        g = self._effective_grad(p, g, group["weight_decay"], group["maximize"], tmp[0])
        if momentum != 0:
            b = s["momentum_buffer"]
            if s["fresh_buffer"]:
                xp.copyto(b, g)                      # b <- g
            else:
                b *= momentum                        # b <- momentum b + (1 - dampening) g
                if group["dampening"] == 0:
                    b += g
                else:
                    xp.multiply(g, 1 - group["dampening"], out=tmp[1])
                    b += tmp[1]
            if group["nesterov"]:
                xp.multiply(b, momentum, out=tmp[1])  # g <- g + momentum b
                tmp[1] += g
                g = tmp[1]
            else:
                g = b
        xp.multiply(g, lr, out=tmp[1])              # p <- p - lr g
        p -= tmp[1]
