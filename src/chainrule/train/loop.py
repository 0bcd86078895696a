"""``compile``, ``fit``, ``evaluate`` and ``predict``: Keras's training experience on any Module.

One training step is the loop every tutorial writes by hand — forward, loss, zero the
gradients, backward, optimizer step — plus what Keras adds around it: batching and
shuffling, running metrics, validation, callbacks and a progress display.
"""
import math

from chainrule import random as _random
from chainrule.autograd import no_grad
from chainrule.backend import xp
from chainrule.tensor import Tensor
from chainrule.train import keras_names, progress
from chainrule.train.callbacks import Callback, CallbackList, History


class CompiledState:
    """What ``compile`` fixed: the optimizer (built once the model has parameters), the loss and the metrics."""

    def __init__(self, optimizer, loss, metrics):
        self.optimizer_spec = optimizer
        self.loss_spec = loss
        self.loss_fn = keras_names.resolve_loss(loss) if loss is not None else None
        self.metric_specs = list(metrics or [])
        self.fused_activation = keras_names.FUSABLE.get(self.loss_fn)


def compile(model, optimizer="rmsprop", loss=None, metrics=None, **ignored):
    """Configure ``model`` for training: an optimizer and a loss (names or objects), and metrics."""
    if loss is None:
        raise ValueError("compile: a loss is required (e.g. loss='sparse_categorical_crossentropy')")
    if isinstance(metrics, (str, dict)) or callable(metrics):
        metrics = [metrics]
    if len(getattr(model, "outputs", None) or ()) > 1 or isinstance(loss, (list, dict)):
        raise NotImplementedError(
            f"compile: training a model with several outputs (or a list/dict of losses) is not "
            f"supported yet; {type(model).__name__} {getattr(model, 'name', '')!r} has "
            f"{len(getattr(model, 'outputs', None) or ()) or 1} output(s): train a model per "
            f"output, or concatenate the outputs into one")
    state = CompiledState(optimizer, loss, metrics)
    model._compiled = state
    model.optimizer = None
    if _is_built(model) or not _needs_parameters(optimizer):
        model.optimizer = keras_names.make_optimizer(optimizer, list(model.parameters()))
    model.stop_training = False
    return model


def _needs_parameters(optimizer):
    """Names and Keras optimizers become optimizers once the parameters exist."""
    from chainrule.optimizers import KerasOptimizer

    return isinstance(optimizer, (str, KerasOptimizer))


def _is_built(model):
    """True once every parameter exists: some layers (Keras's Dense(512)) make theirs on first use."""
    if any(getattr(module, "built", True) is False for module in model.modules()):
        return False
    return next(iter(model.parameters()), None) is not None


def _build(model, x):
    """Make the parameters of layers that size themselves on first use: one forward pass of
    one sample, in eval mode (no dropout draw, no BatchNorm statistics update) and no graph."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with no_grad():
            model(_model_input(x[:1]))
    finally:
        for module, training in modes:
            object.__setattr__(module, "training", training)


def _require_compiled(model, what):
    state = getattr(model, "_compiled", None)
    if state is None:
        raise RuntimeError(f"{what}: call model.compile(optimizer=..., loss=...) first")
    return state


# ---------------------------------------------------------------------------- data
def _is_array_like(x):
    """Arrays, tensors and lists (of numbers) are data; Datasets and loaders yield batches."""
    return isinstance(x, (xp.ndarray, Tensor, list, tuple, dict, _InputList)) or \
        not hasattr(x, "__iter__")


class _InputList:
    """The arrays of a model with several inputs (a list, or a dict keyed by input names),
    sliced together by rows as one array would be."""

    def __init__(self, arrays, keys=None):
        self.arrays, self.keys = arrays, keys
        lengths = {len(a) for a in arrays}
        if len(lengths) > 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"the model's inputs must have equal numbers of samples, got "
                             f"arrays of shapes {shapes}")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, rows):
        return _InputList([a[rows] for a in self.arrays], self.keys)

    def tensors(self):
        tensors = [Tensor(a) for a in self.arrays]
        return tensors if self.keys is None else dict(zip(self.keys, tensors))


def _as_inputs(model, x, what):
    """One input array, or an _InputList for a model given several inputs (Keras: a list or
    a dict of arrays)."""
    if isinstance(x, _InputList):
        return x
    if isinstance(x, dict):
        return _InputList([_as_input_array(a, what) for a in x.values()], list(x))
    if isinstance(x, (list, tuple)) and getattr(model, "_takes_several_inputs", False) and \
            (all(isinstance(a, (xp.ndarray, Tensor)) for a in x) or len(model.inputs) > 1):
        return _InputList([_as_input_array(a, what) for a in x])
    return _as_input_array(x, what)


def _model_input(x):
    """A batch as the model takes it: one Tensor, or a list/dict of them."""
    return x.tensors() if isinstance(x, _InputList) else Tensor(x)


def _as_input_array(x, what):
    if isinstance(x, Tensor):
        x = x.data
    x = xp.asarray(x)
    if x.dtype.kind == "f" and x.dtype != xp.float32:
        x = x.astype(xp.float32)
    elif x.dtype.kind not in "biuf":
        raise TypeError(f"{what}: inputs must be numeric arrays, got dtype {x.dtype}")
    return x


def _as_target_array(y, what):
    if isinstance(y, Tensor):
        y = y.data
    y = xp.asarray(y)
    if y.dtype.kind == "f" and y.dtype != xp.float32:
        y = y.astype(xp.float32)
    return y


class _ArrayBatches:
    """Batches of (x, y, weights) from arrays: one fancy-index per array per batch."""

    def __init__(self, x, y, weights, batch_size, shuffle):
        self.x, self.y, self.weights = x, y, weights
        self.batch_size, self.shuffle = batch_size, shuffle
        self.count = len(x)

    def __len__(self):
        return math.ceil(self.count / self.batch_size)

    def __iter__(self):
        order = _random.generator().permutation(self.count) if self.shuffle else None
        for start in range(0, self.count, self.batch_size):
            if order is None:
                rows = slice(start, start + self.batch_size)
            else:
                rows = order[start:start + self.batch_size]
            yield (self.x[rows], None if self.y is None else self.y[rows],
                   None if self.weights is None else self.weights[rows])


class _LoaderBatches:
    """Batches from a DataLoader (or any iterable of (x, y) pairs)."""

    def __init__(self, loader):
        self.loader = loader

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            if isinstance(batch, (tuple, list)):
                x, y = batch[0], batch[1] if len(batch) > 1 else None
            else:
                x, y = batch, None
            yield (_as_input_array(x, "fit"), None if y is None else _as_target_array(y, "fit"), None)


def _batches(x, y, batch_size, shuffle, weights=None, what="fit"):
    from chainrule.data import DataLoader, Dataset

    if isinstance(x, Dataset):
        return _LoaderBatches(DataLoader(x, batch_size=batch_size, shuffle=shuffle))
    if isinstance(x, DataLoader) or (hasattr(x, "__iter__") and hasattr(x, "__len__")
                                     and not isinstance(x, (xp.ndarray, Tensor, list, tuple,
                                                            _InputList))):
        return _LoaderBatches(x)
    if y is not None and len(x) != len(y):
        raise ValueError(f"{what}: x has {len(x)} samples but y has {len(y)}; they must match")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
        raise ValueError(f"{what}: batch_size must be a positive integer, got {batch_size!r}")
    return _ArrayBatches(x, y, weights, batch_size or 32, shuffle)


# ---------------------------------------------------------------------------- forward and loss
def _final_activation(model, state):
    """(body, head) when the loss can take logits: the model minus its final softmax/sigmoid.

    ``body(x)`` runs every layer but the last, ``head(h)`` gives the last layer's logits.
    """
    from chainrule import nn

    if state.fused_activation is None or not isinstance(model, nn.Sequential) or not len(model):
        return None
    last = model[-1]
    split = getattr(last, "split_activation", None)
    if split is not None:
        head, activation = split()
    elif isinstance(last, nn.Softmax) and last.dim in (-1, None, 1):
        head, activation = (lambda h: h), "softmax"
    elif isinstance(last, nn.Sigmoid):
        head, activation = (lambda h: h), "sigmoid"
    else:
        return None
    if activation != state.fused_activation:
        return None
    layers = list(model)[:-1]

    def body(x):
        for layer in layers:
            x = layer(x)
        return x
    return body, head


def _probabilities(logits, activation):
    if activation == "softmax":
        shifted = xp.exp(logits - logits.max(axis=-1, keepdims=True))
        return shifted / shifted.sum(axis=-1, keepdims=True)
    return 1 / (1 + xp.exp(-logits))


def _check_targets(state, output_shape, y, what):
    """Targets that do not fit the model's output are an error before any step is taken:
    labels outside the class range, integer labels given to categorical_crossentropy."""
    if y is None:
        return
    classes = output_shape[-1] if len(output_shape) > 1 else 1
    if state.loss_fn is keras_names.LOSSES["sparse_categorical_crossentropy"]:
        if y.size and (y.min() < 0 or y.max() >= classes):
            bad = y.min() if y.min() < 0 else y.max()
            raise ValueError(f"{what}: label {bad} is outside the model's {classes} classes "
                             f"[0, {classes - 1}] (sparse_categorical_crossentropy)")
    elif state.loss_fn is keras_names.LOSSES["categorical_crossentropy"]:
        if y.shape[1:] != tuple(output_shape[1:]):
            raise ValueError(f"{what}: categorical_crossentropy needs one-hot targets shaped like "
                             f"the model's output (n, {classes}), got targets of shape {y.shape}; "
                             "one-hot encode them with chainrule.utils.to_categorical(y), or use "
                             "loss='sparse_categorical_crossentropy' for integer labels")


def _penalties(model):
    """The regularization_loss methods of the model's layers (Keras's kernel_regularizer)."""
    return [module.regularization_loss for module in model.modules()
            if getattr(module, "regularization_loss", None) is not None]


def _forward_and_loss(model, state, x, y, weights, split, penalties, check=None):
    """The model's output (as probabilities when fused) and the mean weighted loss tensor,
    with the layers' regularization ``penalties`` added.

    ``check``: (targets, what) to validate against the output's shape before the loss is taken.
    """
    inputs = _model_input(x)
    output = head_output = None
    if split is not None:
        body, head = split
        head_output = head(body(inputs))
    else:
        output = model(inputs)
    if check is not None:
        _check_targets(state, (output if output is not None else head_output).shape, *check)
    if split is not None:
        output_array = _probabilities(head_output.data, state.fused_activation)
        losses = state.loss_fn(head_output, _loss_target(y, head_output, state), True)
    else:
        output_array = output.data
        losses = state.loss_fn(output, _loss_target(y, output, state), False)
    if losses.ndim:
        losses = (losses * Tensor(weights.astype(losses.dtype))).sum() / losses.shape[0] \
            if weights is not None else losses.mean()
    for penalty in penalties:
        extra = penalty()
        if extra is not None:
            losses = losses + extra
    return output_array, losses


def _loss_target(y, output, state):
    """The targets as the loss takes them: for Keras's losses other than the sparse one,
    integer labels become the output's float dtype and (n,) fits an output of shape (n, 1)."""
    if state.loss_fn in _DENSE_TARGET_LOSSES and y.dtype.kind in "biu":
        y = y.astype(output.dtype)
    target = Tensor(y)
    if target.ndim == output.ndim - 1 and output.shape[-1] == 1 and y.dtype.kind == "f":
        target = target.reshape(*target.shape, 1)
    return target


_DENSE_TARGET_LOSSES = [fn for name, fn in keras_names.LOSSES.items()
                        if name != "sparse_categorical_crossentropy"]


# ---------------------------------------------------------------------------- metrics
def _accuracy_for(loss, y_true, output):
    """Keras's choice for metrics=['accuracy']: from the loss's name when it says, else from
    the shapes (one output column: binary; integer labels: sparse; else one-hot)."""
    from chainrule import metrics as M

    output_dim = output.shape[-1] if output.ndim > 1 else 1
    if loss == "binary_crossentropy" or output_dim == 1:
        return M.BinaryAccuracy()
    if loss == "sparse_categorical_crossentropy":
        return M.SparseCategoricalAccuracy()
    if loss == "categorical_crossentropy":
        return M.CategoricalAccuracy()
    y_shape = tuple(y_true.shape) if hasattr(y_true, "shape") else xp.shape(y_true)
    if len(y_shape) < output.ndim or (len(y_shape) == output.ndim and y_shape[-1] == 1):
        return M.SparseCategoricalAccuracy()
    return M.CategoricalAccuracy()


def _build_metrics(state, y_true, output):
    from chainrule import metrics as M

    built = []
    for spec in state.metric_specs:
        if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
            loss = state.loss_spec if isinstance(state.loss_spec, str) else ""
            metric = _accuracy_for(loss, y_true, output)
            metric.name = spec
        elif isinstance(spec, str) and spec.lower() in keras_names.LOSSES:
            metric = keras_names.loss_metric(spec)
        elif isinstance(spec, str):
            metric = M.get(spec)
        else:
            metric = spec
        built.append(metric)
    return built


class _Running:
    """The epoch's running loss (weighted by batch size) and its metrics."""

    def __init__(self, metrics):
        self.metrics = metrics
        self.total = 0.0
        self.count = 0
        for metric in metrics:
            metric.reset_state()

    def update(self, loss, batch_size, y, output):
        self.total += loss * batch_size
        self.count += batch_size
        if y is not None:
            for metric in self.metrics:
                metric.update_state(y, output)

    def logs(self, prefix=""):
        values = {prefix + "loss": self.total / max(self.count, 1)}
        for metric in self.metrics:
            values[prefix + metric.name] = float(metric.result())
        return values


# ---------------------------------------------------------------------------- fit
def fit(model, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
        validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
        sample_weight=None, initial_epoch=0, **ignored):
    """Train ``model`` for ``epochs`` passes over the data; returns a History.

    ``x`` and ``y`` are arrays (or tensors), or ``x`` is a Dataset or DataLoader yielding
    (inputs, targets).  ``validation_split`` holds out the last fraction of the samples
    (before shuffling, as Keras); ``class_weight`` maps class index to a loss weight.
    """
    state = _require_compiled(model, "fit")
    verbose = progress.resolve_verbose(verbose)
    if not 0 <= validation_split < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split}")
    is_arrays = _is_array_like(x)
    weights = None
    if is_arrays:
        x, y = _as_inputs(model, x, "fit"), _as_target_array(y, "fit") if y is not None else None
        if y is None:
            raise ValueError("fit: targets y are required with array inputs")
        if len(x) != len(y):
            raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}; they must match")
        weights = _sample_weights(y, class_weight, sample_weight)
        if validation_split and validation_data is None:
            split_at = int(len(x) * (1 - validation_split))
            validation_data = (x[split_at:], y[split_at:])
            x, y = x[:split_at], y[:split_at]
            weights = None if weights is None else weights[:split_at]
    train_batches = _batches(x, y, batch_size, shuffle, weights)

    history = History()
    callback_list = CallbackList(list(callbacks or []) + [history], model=model,
                                 params={"epochs": epochs, "steps": len(train_batches),
                                         "verbose": verbose})
    model.stop_training = False
    metrics = None
    split = _final_activation(model, state)
    penalties = _penalties(model)
    # only callbacks that override it see the gradients between backward and the step
    after_backward = [c for c in callback_list.callbacks
                      if type(c).on_after_backward is not Callback.on_after_backward]
    callback_list.call("on_train_begin", {})
    for epoch in range(initial_epoch, epochs):
        model.train()
        callback_list.call("on_epoch_begin", epoch, {})
        display = progress.EpochProgress(epoch, epochs, len(train_batches), verbose)
        running = None
        for step, (xb, yb, wb) in enumerate(train_batches):
            callback_list.call("on_train_batch_begin", step, {})
            if model.optimizer is None:  # parameters are made on first use: build them now
                _build(model, xb)
                model.optimizer = keras_names.make_optimizer(state.optimizer_spec,
                                                             list(model.parameters()))
            check = (y if is_arrays else yb, "fit") if metrics is None else None
            output, loss = _forward_and_loss(model, state, xb, yb, wb, split, penalties, check)
            if metrics is None:
                metrics = _build_metrics(state, yb, output)
            if running is None:
                running = _Running(metrics)
            model.optimizer.zero_grad()
            loss.backward()
            for callback in after_backward:
                callback.on_after_backward(step, {})
            model.optimizer.step()
            loss_value = loss.item()
            running.update(loss_value, len(xb), yb, output)
            batch_logs = {"loss": loss_value}
            callback_list.call("on_train_batch_end", step, batch_logs)
            display.update(running)
            if model.stop_training:
                break
        logs = running.logs() if running is not None else {}
        if validation_data is not None:
            logs.update(_evaluate_logs(model, state, validation_data, batch_size, split, prefix="val_"))
        callback_list.call("on_epoch_end", epoch, logs)
        display.close(logs)
        if model.stop_training:
            break
    callback_list.call("on_train_end", {})
    model.history = history
    return history


def _sample_weights(y, class_weight, sample_weight):
    weights = None
    if class_weight is not None:
        labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
        labels = labels.astype(xp.int64)
        table = xp.ones(int(max(max(class_weight), labels.max())) + 1, dtype=xp.float32)
        for label, weight in class_weight.items():
            table[int(label)] = weight
        weights = table[labels]
    if sample_weight is not None:
        sample_weight = xp.asarray(sample_weight, dtype=xp.float32).reshape(-1)
        if len(sample_weight) != len(y):
            raise ValueError(f"fit: sample_weight has {len(sample_weight)} entries for {len(y)} samples")
        weights = sample_weight if weights is None else weights * sample_weight
    return weights


# ---------------------------------------------------------------------------- evaluate and predict
def _evaluate_logs(model, state, data, batch_size, split, prefix=""):
    if isinstance(data, (tuple, list)):
        vx, vy = _as_inputs(model, data[0], "evaluate"), _as_target_array(data[1], "evaluate")
        batches = _batches(vx, vy, batch_size, False, what="evaluate")
    else:
        vy = None
        batches = _batches(data, None, batch_size, False, what="evaluate")
    was_training = model.training
    model.eval()
    running = None
    penalties = _penalties(model)
    try:
        with no_grad():
            for xb, yb, _ in batches:
                check = (yb if vy is None else vy, "evaluate") if running is None else None
                output, loss = _forward_and_loss(model, state, xb, yb, None, split, penalties, check)
                if running is None:
                    running = _Running(_build_metrics(state, yb, output))
                running.update(loss.item(), len(xb), yb, output)
    finally:
        model.train(was_training)
    return running.logs(prefix) if running is not None else {}


def evaluate(model, x=None, y=None, batch_size=None, verbose="auto", return_dict=False, **ignored):
    """The loss (and metrics) on the given data: ``loss``, or ``[loss, *metrics]`` when metrics were compiled."""
    state = _require_compiled(model, "evaluate")
    if y is not None:
        x = _as_inputs(model, x, "evaluate")
    if y is not None and len(x) != len(y):
        raise ValueError(f"evaluate: x has {len(x)} samples but y has {len(y)}; they must match")
    data = (x, y) if y is not None else x
    logs = _evaluate_logs(model, state, data, batch_size, _final_activation(model, state))
    if progress.resolve_verbose(verbose):
        print(" - ".join(f"{name}: {value:.4f}" for name, value in logs.items()))
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size=None, verbose="auto", **ignored):
    """The model's outputs for ``x``, batch by batch, in evaluation mode, as one array (a list
    of arrays for a model with several outputs)."""
    batches = _batches(_as_inputs(model, x, "predict") if _is_array_like(x) else x,
                       None, batch_size, False, what="predict")
    was_training = model.training
    model.eval()
    outputs = []
    try:
        with no_grad():
            for xb, _, _ in batches:
                result = model(_model_input(xb))
                outputs.append([r.data for r in result] if isinstance(result, (list, tuple))
                               else result.data)
    finally:
        model.train(was_training)
    if not outputs:
        return xp.zeros((0,), xp.float32)
    if isinstance(outputs[0], list):
        return [xp.concatenate(parts) for parts in zip(*outputs)]
    return xp.concatenate(outputs)
