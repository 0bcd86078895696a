"""GradientMonitor: watch the health of the gradients while a network trains.

Every ``every`` steps it records, per layer with a weight matrix (Linear, Conv): the gradient
norm ‖∂L/∂W‖, the update-to-weight ratio ‖ΔW‖/‖W‖ of the optimizer step, and, from forward
hooks on the activation layers, the fraction of dead ReLU units (output exactly 0 for every
sample of the batch), of saturated sigmoid outputs (below 0.01 or above 0.99, where
σ' < 0.0099) and of saturated tanh outputs (|a| > 0.99, where tanh' < 0.02).

It warns once, in words, when gradients vanish (an earlier layer's gradient norm is below
``vanish_ratio`` times the last layer's) or explode (a norm above ``explode_norm``, or not
finite).  Use it as a ``fit`` callback, or in a hand-written loop::

    monitor = GradientMonitor(every=10).attach(model)
    for x, y in batches:
        loss = criterion(model(x), y)
        optimizer.zero_grad(); loss.backward()
        monitor.step()                 # after backward, before optimizer.step()
        optimizer.step()
    print(monitor.report()); monitor.plot("gradient_flow.png")
"""
import math
import warnings

from chainrule.backend import xp
from chainrule.train.callbacks import Callback

SIGMOID_LOW, SIGMOID_HIGH = 0.01, 0.99   # σ'(z) = a(1 - a) < 0.0099 outside [0.01, 0.99]
TANH_LIMIT = 0.99                        # tanh'(z) = 1 - a² < 0.02 beyond |a| = 0.99


class GradientMonitor(Callback):
    """Per-layer gradient norms, update ratios and activation statistics, with warnings.

    ``every``: record every N optimizer steps; ``vanish_ratio``: warn when an earlier layer's
    gradient norm is below this fraction of the last layer's; ``explode_norm``: warn when a
    layer's gradient norm exceeds it; ``verbose``: also print the warnings as they happen.
    """

    def __init__(self, every=10, vanish_ratio=1e-3, explode_norm=1e3, verbose=True):
        super().__init__()
        if not (isinstance(every, int) and every > 0):
            raise ValueError(f"GradientMonitor: every must be a positive integer, got {every!r}")
        self.every, self.vanish_ratio, self.explode_norm = every, vanish_ratio, explode_norm
        self.verbose = verbose
        self.layers = []            # (name, module) with a weight matrix, in forward order
        self.steps = 0              # optimizer steps seen
        self.recorded_steps = []    # the steps at which the norms below were taken
        self.grad_norms, self.update_ratios, self.activation_stats = {}, {}, {}
        self.messages = []
        self._warned = set()
        self._handles = []
        self._snapshot = None       # (step, {name: weight copy}) awaiting the optimizer's update
        self._due = True            # True while the current batch is one to record

    # ------------------------------------------------------------ setting up
    def attach(self, model):
        """Watch ``model``: its layers with a weight matrix, and forward hooks on its activations."""
        from chainrule import nn  # train sits above nn

        self.detach()
        self.model = model
        self.layers = [(name or type(module).__name__, module) for name, module in model.named_modules()
                       if isinstance(getattr(module, "weight", None), nn.Parameter)
                       and module.weight.ndim >= 2]
        if not self.layers:
            raise ValueError("GradientMonitor: the model has no layer with a weight matrix to watch")
        for name, _ in self.layers:
            self.grad_norms.setdefault(name, [])
            self.update_ratios.setdefault(name, [])
        kinds = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh"}
        for name, module in model.named_modules():
            kind = kinds.get(type(module))
            if kind is not None:
                self.activation_stats.setdefault(name, {"kind": kind, "values": []})
                self._handles.append(module.register_forward_hook(self._activation_hook(name, kind)))
        return self

    def detach(self):
        """Remove the forward hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _activation_hook(self, name, kind):
        def hook(module, inputs, output):
            if not (self._due and module.training):
                return None
            a = output.data.reshape(output.shape[0], -1) if output.ndim > 1 else output.data.reshape(1, -1)
            if kind == "relu":
                value = float((a == 0).all(axis=0).mean())   # dead for the whole batch
            elif kind == "sigmoid":
                value = float(((a < SIGMOID_LOW) | (a > SIGMOID_HIGH)).mean())
            else:
                value = float((abs(a) > TANH_LIMIT).mean())
            self.activation_stats[name]["values"].append((self.steps, value))
            return None
        return hook

    # ------------------------------------------------------------ fit's hooks
    def set_model(self, model):
        if model is not getattr(self, "model", None) or not self._handles:
            self.attach(model)

    def on_after_backward(self, batch, logs=None):
        self.step()

    def on_train_batch_end(self, batch, logs=None):
        self._finish_update()

    def on_train_end(self, logs=None):
        self._finish_update()

    # ------------------------------------------------------------ one step
    def step(self):
        """Record the gradients now held by the layers (call after backward, before the optimizer step)."""
        if not self.layers:
            raise RuntimeError("GradientMonitor.step: call monitor.attach(model) first")
        self._finish_update()
        if self._due:
            norms = {}
            for name, module in self.layers:
                grad = module.weight.grad
                norm = float(xp.sqrt((grad.data.astype(xp.float64) ** 2).sum())) if grad is not None else 0.0
                norms[name] = norm
                self.grad_norms[name].append(norm)
            self.recorded_steps.append(self.steps)
            self._snapshot = (self.steps, {name: module.weight.data.copy() for name, module in self.layers})
            self._check(norms)
        self.steps += 1
        self._due = self.steps % self.every == 0

    def _finish_update(self):
        """The update-to-weight ratio of the step whose weights were saved, now that it was taken."""
        if self._snapshot is None:
            return
        _, before = self._snapshot
        self._snapshot = None
        for name, module in self.layers:
            old = before[name]
            size = float(xp.sqrt((old.astype(xp.float64) ** 2).sum()))
            change = float(xp.sqrt(((module.weight.data - old).astype(xp.float64) ** 2).sum()))
            self.update_ratios[name].append(change / size if size > 0 else math.inf)

    def _describe(self, name):
        module = dict(self.layers)[name]
        return f"layer {name!r} ({type(module).__name__}, weight {tuple(module.weight.shape)})"

    def _warn(self, kind, text):
        if kind in self._warned:
            return
        self._warned.add(kind)
        self.messages.append(text)
        if self.verbose:
            warnings.warn(text, RuntimeWarning, stacklevel=3)

    def _check(self, norms):
        step = self.steps
        for name, norm in norms.items():
            if not math.isfinite(norm) or norm > self.explode_norm:
                what = "is not finite" if not math.isfinite(norm) else \
                    f"is {norm:.3g}, above {self.explode_norm:g}"
                self._warn("explode", f"Exploding gradients at step {step}: the gradient norm of "
                           f"{self._describe(name)} {what}. Remedies: clip the gradients "
                           "(chainrule.nn.utils.clip_grad_norm_), lower the learning rate, use "
                           "batch normalization, and He or Xavier initialization.")
                return
        names = [name for name, _ in self.layers]
        last = norms[names[-1]]
        if len(names) < 2 or last == 0:
            return
        earlier = min(names[:-1], key=lambda name: norms[name])
        ratio = norms[earlier] / last
        if ratio < self.vanish_ratio:
            self._warn("vanish", f"Vanishing gradients at step {step}: {self._describe(earlier)} has "
                       f"gradient norm {norms[earlier]:.3g}, {ratio:.2g} times the last layer's "
                       f"({last:.3g}), so the early layers barely learn. Remedies: ReLU-family "
                       "activations instead of sigmoid/tanh, He (kaiming) or Xavier initialization, "
                       "batch normalization, residual connections, or a shallower network.")

    # ------------------------------------------------------------ results
    def report(self):
        """A short text report: per layer the latest gradient norm and mean update ratio, the
        activation statistics, and the warnings."""
        lines = [f"Gradient health over {self.steps} steps (recorded every {self.every}):"]
        width = max(len(name) for name, _ in self.layers) if self.layers else 5
        lines.append(f"  {'layer'.ljust(width)}  {'grad norm (last)':>16}  {'grad norm (mean)':>16}  "
                     f"{'update/weight':>13}")
        for name, _ in self.layers:
            norms, ratios = self.grad_norms[name], self.update_ratios[name]
            last = f"{norms[-1]:.3g}" if norms else "-"
            mean = f"{sum(norms) / len(norms):.3g}" if norms else "-"
            ratio = f"{sum(ratios) / len(ratios):.3g}" if ratios else "-"
            lines.append(f"  {name.ljust(width)}  {last:>16}  {mean:>16}  {ratio:>13}")
        for name, stats in self.activation_stats.items():
            values = [value for _, value in stats["values"]]
            if not values:
                continue
            what = {"relu": "dead ReLU units (0 for the whole batch)",
                    "sigmoid": f"saturated sigmoid outputs (<{SIGMOID_LOW} or >{SIGMOID_HIGH})",
                    "tanh": f"saturated tanh outputs (|a| > {TANH_LIMIT})"}[stats["kind"]]
            lines.append(f"  activation {name}: {values[-1]:.1%} {what} at the last record")
        if self.messages:
            lines.append("Warnings:")
            lines += [f"  - {message}" for message in self.messages]
        else:
            lines.append("No vanishing or exploding gradients detected.")
        return "\n".join(lines) + "\n"

    def plot(self, path, title="Gradient flow"):
        """A PNG of each layer's gradient norm over the recorded steps (log scale)."""
        import os

        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        figure, axis = plt.subplots(figsize=(7, 4))
        colors = plt.cm.viridis([i / max(len(self.layers) - 1, 1) for i in range(len(self.layers))])
        for (name, _), color in zip(self.layers, colors):
            values = [max(v, 1e-30) if math.isfinite(v) else float("nan") for v in self.grad_norms[name]]
            axis.plot(self.recorded_steps[:len(values)], values, label=name, color=color)
        axis.set_yscale("log")
        axis.set_xlabel("step")
        axis.set_ylabel("gradient norm ‖∂L/∂W‖")
        axis.set_title(title)
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=7, ncol=2, title="layer (first to last)", title_fontsize=7)
        figure.tight_layout()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        figure.savefig(path, dpi=110)
        plt.close(figure)
        return path
