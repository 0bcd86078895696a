"""``model.save(path)`` and ``load_model(path)``: a whole model in one safetensors file.

The file (written by ``chainrule.save``: atomic, no pickle, nothing executed on load) holds

    kind          "chainrule.model", and a format version
    config        the architecture (``config.model_to_config``)
    weights       the state dict
    compile       the loss, metrics and optimizer name given to ``compile``, if it was called
    optimizer     the optimizer's class, hyperparameters, parameter groups (by parameter
                  name) and state (moving averages, step counts), if it exists
    training      from ModelCheckpoint: the next epoch and the random generator's state

so that ``load_model`` gives back a model that predicts the same outputs and continues
``fit`` exactly where it stopped.
"""
import inspect

from chainrule import io, metrics as _metrics, nn, optim, optimizers
from chainrule import random as _random
from chainrule.models.config import model_from_config, model_to_config
from chainrule.tensor import Tensor

KIND = "chainrule.model"
VERSION = 1


def _require_built(model, what):
    unbuilt = [name or type(module).__name__ for name, module in model.named_modules()
               if getattr(module, "built", True) is False]
    if unbuilt:
        raise RuntimeError(
            f"{what}: layer(s) {', '.join(repr(n) for n in unbuilt)} are not built yet (their "
            f"weights are made on first use); give the first layer input_shape=..., put an "
            f"Input(shape=...) first, call fit, or call the model on one batch first")


# --------------------------------------------------------------------------- save
def save_model(model, filepath, include_optimizer=True, training_state=None):
    """Save ``model`` (architecture, weights, compile settings and optimizer) to ``filepath``,
    with ``training_state`` ({'epoch': next epoch, 'rng_state': ...}) when resuming matters."""
    config = model_to_config(model)
    _require_built(model, "save")
    payload = {"kind": KIND, "version": VERSION, "config": config,
               "weights": model.state_dict(), "compile": None, "optimizer": None}
    state = getattr(model, "_compiled", None)
    if state is not None:
        payload["compile"] = _compile_config(state)
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        payload["optimizer"] = _optimizer_config(model, optimizer)
    if training_state is not None:
        payload["training"] = training_state
    io.save(payload, filepath)


def save_weights(model, filepath):
    """Save ``model.state_dict()`` to ``filepath``."""
    _require_built(model, "save_weights")
    io.save(model.state_dict(), filepath)


def load_weights(model, filepath):
    """Load a state dict (or the weights of a whole-model file) into ``model``."""
    _require_built(model, "load_weights")
    state = io.load(filepath)
    if isinstance(state, dict) and state.get("kind") == KIND:
        state = state["weights"]
    return model.load_state_dict(state)


def _optimizer_config(model, optimizer):
    names = {id(param): name for name, param in model.named_parameters()}
    groups = []
    for group in optimizer.param_groups:
        missing = [p for p in group["params"] if id(p) not in names]
        if missing:
            raise ValueError(f"save: the optimizer holds {len(missing)} tensor(s) that are not "
                             f"parameters of the model; save with include_optimizer=False")
        groups.append([names[id(p)] for p in group["params"]])
    defaults = {key: value for key, value in optimizer.defaults.items()}
    return {"class_name": type(optimizer).__name__, "config": defaults,
            "param_names": groups, "state": optimizer.state_dict()}


def _compile_config(state):
    optimizer = state.optimizer_spec if isinstance(state.optimizer_spec, str) else None
    return {"optimizer": optimizer, "loss": _describe_loss(state.loss_spec),
            "metrics": [_describe_metric(m) for m in state.metric_specs]}


def _constructor_values(obj):
    """The constructor arguments of ``obj`` that it keeps as attributes of the same name."""
    values = {}
    for name, parameter in inspect.signature(type(obj).__init__).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in obj.__dict__ or name in getattr(obj, "_buffers", {}):
            value = getattr(obj, name)
            if value is None or isinstance(value, (bool, int, float, str, Tensor)):
                values[name] = value
    return values


def _describe_loss(loss):
    if isinstance(loss, str):
        return {"name": loss}
    if isinstance(loss, nn.Module) and getattr(nn, type(loss).__name__, None) is type(loss):
        return {"nn": type(loss).__name__, "config": _constructor_values(loss)}
    return {"custom": getattr(loss, "__name__", type(loss).__name__)}


def _describe_metric(metric):
    if isinstance(metric, str):
        return {"name": metric}
    cls = type(metric)
    if isinstance(metric, _metrics.Metric) and getattr(_metrics, cls.__name__, None) is cls:
        return {"metric": cls.__name__, "config": _constructor_values(metric)}
    return {"custom": getattr(metric, "__name__", cls.__name__)}


# --------------------------------------------------------------------------- load
def load_model(filepath, custom_objects=None, compile=True, restore_random_state=True):
    """The model saved by ``model.save(filepath)``: same architecture, weights, and (with
    ``compile=True``) compiled with the same loss, metrics and optimizer state.

    ``custom_objects`` maps names to the custom layer classes, activation functions, losses,
    metrics or optimizer classes the model used.  Loading draws no random numbers (the
    layers' initial values are overwritten), so a seeded run continues identically.

    A checkpoint written by ModelCheckpoint also carries the training state: loading it
    restores chainrule's random generator to where the run was (unless
    ``restore_random_state=False``) and sets ``model.initial_epoch``, so
    ``model.fit(..., initial_epoch=model.initial_epoch)`` finishes as the uninterrupted run would.

    >>> model.save("mnist.safetensors")
    >>> model = chainrule.models.load_model("mnist.safetensors")
    """
    custom = dict(custom_objects or {})
    payload = io.load(filepath)
    if not isinstance(payload, dict) or payload.get("kind") != KIND:
        raise ValueError(f"load_model: {filepath} holds no saved model (it was not written by "
                         f"model.save); for a state dict use model.load_weights(path)")
    if payload.get("version", 0) > VERSION:
        raise ValueError(f"load_model: {filepath} was written by a newer chainrule (model file "
                         f"version {payload['version']}); upgrade chainrule")
    rng_state = _random.get_rng_state()
    try:
        model = model_from_config(payload["config"], custom)
    finally:
        _random.set_rng_state(rng_state)   # building drew initial values we overwrite now
    model.load_state_dict(payload["weights"])
    if compile and payload.get("compile") is not None:
        _restore_compile(model, payload["compile"], payload.get("optimizer"), custom)
    training = payload.get("training")
    model.initial_epoch = 0 if training is None else int(training["epoch"])
    if training is not None and restore_random_state:
        _random.set_rng_state(training["rng_state"])
    return model


def _custom(custom, name, what):
    if name not in custom:
        raise ValueError(f"load_model: the model was compiled with the custom {what} {name!r}; "
                         f"pass custom_objects={{{name!r}: ...}}, or load with compile=False")
    return custom[name]


def _restore_loss(entry, custom):
    if "name" in entry:
        return entry["name"]
    if "nn" in entry:
        return getattr(nn, entry["nn"])(**entry.get("config", {}))
    return _custom(custom, entry["custom"], "loss")


def _restore_metric(entry, custom):
    if "name" in entry:
        return entry["name"]
    if "metric" in entry:
        return getattr(_metrics, entry["metric"])(**entry.get("config", {}))
    return _custom(custom, entry["custom"], "metric")


def _restore_compile(model, compiled, saved_optimizer, custom):
    optimizer = compiled.get("optimizer") or "rmsprop"
    if saved_optimizer is not None:
        optimizer = _restore_optimizer(model, saved_optimizer, custom)
    model.compile(optimizer=optimizer, loss=_restore_loss(compiled["loss"], custom),
                  metrics=[_restore_metric(m, custom) for m in compiled.get("metrics", [])])


def _restore_optimizer(model, saved, custom):
    name = saved["class_name"]
    cls = custom.get(name) or getattr(optim, name, None) or getattr(optimizers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise ValueError(f"load_model: unknown optimizer class {name!r}; pass "
                         f"custom_objects={{{name!r}: {name}}}")
    params = dict(model.named_parameters())
    groups = [{"params": [params[n] for n in names]} for names in saved["param_names"]]
    optimizer = cls(groups, **saved["config"])
    optimizer.load_state_dict(saved["state"])
    return optimizer
