"""Keras's ``optimizers``: ``compile(optimizer=optimizers.Adam(learning_rate=1e-3))``.

A Keras optimizer is made before the model's weights exist, so these objects hold Keras's
arguments (and defaults: epsilon 1e-7, RMSprop's rho 0.9) and become the matching
``chainrule.optim`` optimizer when ``compile`` or ``fit`` knows the parameters; from then
on ``model.optimizer`` is that optimizer (PyTorch's parameter groups and state dict).

The update rules are ``chainrule.optim``'s, which follow PyTorch's: RMSprop adds epsilon
to √v where Keras adds it to v under the root, and Adam's epsilon is not bias-corrected;
with epsilon 1e-7 the two agree except for weights whose gradients stay near zero.
"""
from chainrule import optim


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
