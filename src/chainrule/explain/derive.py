"""Run one training step of a small network through the engine and keep every number it makes.

Nothing here is computed by hand: the forward pass runs ``nn.Linear`` layers and activation
functions on chainrule tensors, the error signals δ = ∂L/∂z are the gradients the backward
pass leaves in the pre-activations (kept with ``retain_grad``), the weight gradients are the
parameters' ``.grad``, the update is an ``optim.SGD`` step, and each gradient is checked
against a central finite difference of the engine's own loss.
"""
from chainrule import functions as F
from chainrule import nn, optim
from chainrule.autograd import no_grad
from chainrule.backend import xp
from chainrule.tensor import Tensor


class LayerRecord:
    """The numbers of one layer l (1-based).  Per-sample arrays have shape (N, units).

    ``delta`` is the per-sample error signal δ⁽ⁿ⁾ = ∂Lₙ/∂z⁽ⁿ⁾ of that sample's own loss Lₙ
    (L is the mean of the Lₙ, so ∂L/∂z⁽ⁿ⁾ = δ⁽ⁿ⁾ / N); ``dL_da`` likewise ∂Lₙ/∂a⁽ⁿ⁾ (None for
    the softmax of a cross-entropy loss, whose δ is taken straight from ŷ - y);
    ``slope`` is f'(z) for elementwise activations (None for softmax).
    """

    def __init__(self, number, activation, weight, bias):
        self.number, self.activation = number, activation
        self.weight, self.bias = weight, bias        # old values, (out, in) and (out,)
        self.z = self.a = self.dL_da = self.slope = self.delta = None
        self.grad_weight = self.grad_bias = None     # ∂L/∂W (out, in), ∂L/∂b (out,)
        self.fd_weight = self.fd_bias = None         # central finite differences of the same
        self.new_weight = self.new_bias = None       # after one SGD step

    @property
    def units(self):
        return self.weight.shape[0]


class Derivation:
    """Every number of one forward pass, backward pass and gradient-descent step.

    ``layers``: LayerRecord per layer; ``x`` (N, in); ``target`` (N, out); ``loss`` (the mean
    over samples), ``sample_losses`` (N,), ``loss_after`` (after the update); ``grad_x`` ∂L/∂x
    and ``fd_x`` its finite difference.  Render with ``text()``, ``markdown()`` or ``latex()``.
    """

    def __init__(self, network):
        self.network = network
        self.loss_name, self.lr = network.loss, network.lr
        self.x, self.target = network.x, network.target
        self.layers = []
        self.loss = self.loss_after = None
        self.sample_losses = self.grad_x = self.fd_x = None

    @property
    def samples(self):
        return len(self.x)

    def render(self, format="text", digits=6):
        from chainrule.explain.render import render

        return render(self, format, digits)

    def text(self, digits=6):
        return self.render("text", digits)

    def markdown(self, digits=6):
        return self.render("markdown", digits)

    def latex(self, digits=6):
        return self.render("latex", digits)

    def __str__(self):
        return self.text()

    def max_fd_error(self):
        """The largest |engine gradient - finite difference| over all weights, biases and inputs."""
        errors = [abs(self.grad_x - self.fd_x).max()]
        for layer in self.layers:
            errors.append(abs(layer.grad_weight - layer.fd_weight).max())
            errors.append(abs(layer.grad_bias - layer.fd_bias).max())
        return float(max(errors))


_FUNCTIONS = {"sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu, "identity": lambda z: z,
              "softmax": lambda z: F.softmax(z, -1)}


def _build(network):
    """The network as float64 ``nn.Linear`` modules holding its weights."""
    modules = []
    for layer in network.layers:
        linear = nn.Linear(layer.weight.shape[1], layer.weight.shape[0], dtype=xp.float64)
        linear.weight.data[...] = layer.weight
        linear.bias.data[...] = layer.bias
        modules.append(linear)
    return modules


def _run(network, modules, x, keep=False):
    """Forward pass and loss; with ``keep`` the pre-activations and activations, retaining their grads."""
    a, zs, activations = x, [], []
    for layer, linear in zip(network.layers, modules):
        z = linear(a)
        a = _FUNCTIONS[layer.activation](z)
        if keep:
            z.retain_grad()
            if a is not z:
                a.retain_grad()
        zs.append(z)
        activations.append(a)
    target = Tensor(network.target)
    if network.loss == "mse":
        sample_losses = ((target - a) ** 2).sum(dim=-1)
    else:  # from the logits, stable: -Σ y log softmax(z)
        sample_losses = -(target * F.log_softmax(zs[-1], -1)).sum(dim=-1)
    return sample_losses.mean(), sample_losses, zs, activations


def _slope(activation, z):
    """f'(z) for an elementwise activation, from the engine: the gradient of Σ f(z) at z."""
    leaf = Tensor(z.copy(), requires_grad=True)
    _FUNCTIONS[activation](leaf).sum().backward()
    return leaf.grad.data


def _finite_differences(network, modules, x_array, eps):
    """Central differences (L(θ + ε) - L(θ - ε)) / 2ε of the engine's loss, for every θ."""
    def loss():
        with no_grad():
            return _run(network, modules, Tensor(x_array))[0].item()

    def central(array):
        result = xp.zeros_like(array)
        for index in xp.ndindex(*array.shape):
            old = array[index]
            array[index] = old + eps
            up = loss()
            array[index] = old - eps
            down = loss()
            array[index] = old
            result[index] = (up - down) / (2 * eps)
        return result

    per_layer = [(central(m.weight.data), central(m.bias.data)) for m in modules]
    return per_layer, central(x_array)


def derive(network, eps=1e-6):
    """Run forward, backward and one SGD step of ``network`` (a ``Network``) through the engine.

    Returns a ``Derivation`` holding every z, a, δ, gradient, finite-difference check and
    updated weight.
    """
    modules = _build(network)
    record = Derivation(network)
    count = len(network.x)
    x = Tensor(network.x.copy(), requires_grad=True)
    loss, sample_losses, zs, activations = _run(network, modules, x, keep=True)
    loss.backward()
    record.loss, record.sample_losses = loss.item(), sample_losses.data.copy()
    record.grad_x = x.grad.data.copy()
    for number, (layer, linear, z, a) in enumerate(zip(network.layers, modules, zs, activations), 1):
        item = LayerRecord(number, layer.activation, layer.weight.copy(), layer.bias.copy())
        item.z, item.a = z.data.copy(), a.data.copy()
        # the mean over samples puts 1/N into every gradient; δ⁽ⁿ⁾ is the sample's own
        item.delta = z.grad.data * count
        if a.grad is not None:
            item.dL_da = a.grad.data * count
        if layer.activation != "softmax":
            item.slope = _slope(layer.activation, item.z)
        item.grad_weight = linear.weight.grad.data.copy()
        item.grad_bias = linear.bias.grad.data.copy()
        record.layers.append(item)

    fd_layers, record.fd_x = _finite_differences(network, modules, network.x.copy(), eps)
    for item, (fd_weight, fd_bias) in zip(record.layers, fd_layers):
        item.fd_weight, item.fd_bias = fd_weight, fd_bias

    parameters = [p for linear in modules for p in (linear.weight, linear.bias)]
    optim.SGD(parameters, lr=network.lr).step()
    for item, linear in zip(record.layers, modules):
        item.new_weight, item.new_bias = linear.weight.data.copy(), linear.bias.data.copy()
    with no_grad():
        record.loss_after = _run(network, modules, Tensor(network.x))[0].item()
    return record
