"""Keras's ``optimizers``: ``compile(optimizer=optimizers.Adam(learning_rate=1e-3))``.

A Keras optimizer is made before the model's weights exist, so these objects hold Keras's
arguments (and defaults: epsilon 1e-7, RMSprop's rho 0.9) and become the matching
``chainrule.optim`` optimizer when ``compile`` or ``fit`` knows the parameters; from then
on ``model.optimizer`` is that optimizer (PyTorch's parameter groups and state dict).

The update rules are ``chainrule.optim``'s, which follow PyTorch's: RMSprop adds epsilon
to √v where Keras adds it to v under the root, and Adam's epsilon is not bias-corrected;
with epsilon 1e-7 the two agree except for weights whose gradients stay near zero.
Adamax is the exception: Keras's rule puts epsilon outside the maximum, and ``KerasAdamax``
implements it.  ``get(name)`` gives the optimizer that ``compile`` makes from a name.
"""
from chainrule import optim
from chainrule.backend import xp
from chainrule.optim.adam import update_average


class KerasOptimizer:
    """An optimizer described by Keras's arguments, built for a model's parameters by ``build``."""

    optim_class = None

    def __init__(self, learning_rate, **options):
        if not isinstance(learning_rate, (int, float)) or learning_rate < 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be a non-negative number "
                             f"(schedules are callbacks here: LearningRateScheduler), got "
                             f"{learning_rate!r}")
        self.learning_rate = float(learning_rate)
        self.options = options

    def build(self, parameters):
        """The ``chainrule.optim`` optimizer for ``parameters``."""
        return self.optim_class(parameters, lr=self.learning_rate, **self.options)

    def get_config(self):
        return {"learning_rate": self.learning_rate, **self.options}

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class SGD(KerasOptimizer):
    """Gradient descent, with optional (Nesterov) momentum."""

    optim_class = optim.SGD

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate, momentum=momentum, nesterov=nesterov)


class RMSprop(KerasOptimizer):
    """RMSprop: v = rho·v + (1 - rho)·g², step = lr·g / (√v + epsilon)."""

    optim_class = optim.RMSprop

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
        super().__init__(learning_rate, alpha=rho, momentum=momentum, eps=epsilon,
                         centered=centered)


class Adam(KerasOptimizer):
    """Adam with Keras's defaults (epsilon 1e-7)."""

    optim_class = optim.Adam

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False):
        super().__init__(learning_rate, betas=(beta_1, beta_2), eps=epsilon, amsgrad=amsgrad)


class AdamW(KerasOptimizer):
    """Adam with decoupled weight decay (Keras's default decay 0.004)."""

    optim_class = optim.AdamW

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False):
        super().__init__(learning_rate, weight_decay=weight_decay, betas=(beta_1, beta_2),
                         eps=epsilon, amsgrad=amsgrad)


class Adagrad(KerasOptimizer):
    """Adagrad with Keras's defaults (initial accumulator 0.1, epsilon 1e-7)."""

    optim_class = optim.Adagrad

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
        super().__init__(learning_rate, initial_accumulator_value=initial_accumulator_value,
                         eps=epsilon)


class Nadam(KerasOptimizer):
    """Adam with Nesterov momentum, Keras's rule: ``optim.NAdam`` with ``momentum_decay=1``,
    since Keras 3 warms the momentum up as beta_1·(1 - 0.5·0.96^t) where PyTorch has
    0.96^(0.004·t); the rest (bias corrections, epsilon added to √v̂) is the same."""

    optim_class = optim.NAdam

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate, betas=(beta_1, beta_2), eps=epsilon, momentum_decay=1.0)


class KerasAdamax(optim.Adamax):
    """Adamax with Keras's placement of epsilon, the rule behind ``optimizers.Adamax``::

        m <- beta1·m + (1 - beta1)·g,   u <- max(beta2·u, |g|)
        p <- p - lr / (1 - beta1^t) · m / (u + eps)

    where ``torch.optim.Adamax`` takes u <- max(beta2·u, |g| + eps) and divides by u.
    Arguments, state and checks are ``optim.Adamax``'s.
    """

    def _update(self, p, g, s, group, tmp):
        beta1, beta2 = group["betas"]
        g = self._effective_grad(p, g, group["weight_decay"], group["maximize"], tmp[0])
        m, u, a = s["exp_avg"], s["exp_inf"], tmp[1]
        update_average(m, g, beta1, a)
        u *= beta2                                   # u <- max(beta2 u, |g|)
        xp.abs(g, out=a)
        xp.maximum(u, a, out=u)
        xp.add(u, group["eps"], out=a)               # p <- p - step_size m / (u + eps)
        xp.divide(m, a, out=a)
        a *= s["step_size"]
        p -= a


class Adamax(KerasOptimizer):
    """Adamax (Adam with the infinity norm), Keras's rule and defaults: see ``KerasAdamax``."""

    optim_class = KerasAdamax

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate, betas=(beta_1, beta_2), eps=epsilon)


class Adadelta(KerasOptimizer):
    """Adadelta with Keras's defaults (learning_rate 0.001, rho 0.95, epsilon 1e-7); Keras's
    update rule is PyTorch's: v = rho·v + (1 - rho)·g², d = √(u + eps) / √(v + eps)·g,
    u = rho·u + (1 - rho)·d², p -= lr·d."""

    optim_class = optim.Adadelta

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7):
        super().__init__(learning_rate, rho=rho, eps=epsilon)


_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad,
            "nadam": Nadam, "adamax": Adamax, "adadelta": Adadelta}


def get(name, learning_rate=None):
    """The Keras optimizer called ``name`` ('adam', 'nadam', ...), with Keras's defaults and,
    if given, ``learning_rate``."""
    key = name.lower()
    if key not in _BY_NAME:
        raise ValueError(f"compile: unknown optimizer {name!r}; use one of "
                         f"{', '.join(sorted(_BY_NAME))} or an optimizer object")
    cls = _BY_NAME[key]
    return cls() if learning_rate is None else cls(learning_rate=learning_rate)
