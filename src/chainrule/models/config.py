"""A model's architecture as plain data (JSON-ready), and a model rebuilt from it.

A model file holds no code: it describes a Sequential as a list of layers, each a class
name from a fixed registry and the arguments that rebuild it::

    {"class_name": "Sequential", "config": {"name": "sequential", "input_shape": [784],
     "layers": [{"key": "0", "module": "layers", "class_name": "Dense",
                 "config": {"units": 512, "activation": "relu", ...},
                 "build_config": {"input_shape": [null, 784]}}, ...]}}

Keras-style layers describe themselves (``get_config``); the common ``nn`` layers are
described here from their attributes.  Anything else (a custom Module) cannot be described,
and saving it raises an error that says what to do instead.
"""
import collections

from chainrule import layers as L, nn
from chainrule.models.functional import Model, tensor_refs

_SIMPLE = (type(None), bool, int, float, str)


class UndescribableModelError(TypeError):
    """A model (or one of its layers) that a model file cannot describe without code."""


def _dtype_name(module):
    for tensor in list(module.parameters()) + list(module.buffers()):
        if tensor.data.dtype.kind == "f":
            return tensor.data.dtype.name
    return "float32"


def _batch_norm(m):
    config = {"num_features": m.num_features, "eps": m.eps, "momentum": m.momentum,
              "affine": m.affine, "track_running_stats": m.track_running_stats,
              "dtype": _dtype_name(m)}
    if m.affine:
        config["bias"] = m.bias is not None
    return config


def _conv(m):
    return {"in_channels": m.in_channels, "out_channels": m.out_channels,
            "kernel_size": list(m.kernel_size), "stride": list(m.stride),
            "padding": m.padding if isinstance(m.padding, str) else list(m.padding),
            "dilation": list(m.dilation), "groups": m.groups, "bias": m.bias is not None,
            "padding_mode": m.padding_mode, "dtype": m.weight.dtype.name}


def _max_pool(m):
    return {"kernel_size": m.kernel_size, "stride": m.stride, "padding": m.padding,
            "dilation": m.dilation, "ceil_mode": m.ceil_mode}


def _attributes(*names):
    """A describer for layers whose constructor arguments are attributes of the same names."""
    def describe(m):
        return {name: list(value) if isinstance(value, tuple) else value
                for name in names for value in [getattr(m, name)]}
    return describe


def _norm(*names):
    def describe(m):
        config = dict(_attributes(*names)(m), dtype=_dtype_name(m))
        if getattr(m, "affine", False):
            config["bias"] = m.bias is not None
        return config
    return describe


_PARAMETERLESS = (nn.SiLU, nn.Mish, nn.ReLU6, nn.Hardsigmoid, nn.Hardswish, nn.SELU, nn.LogSigmoid,
                  nn.Softsign, nn.Tanhshrink)
_PADS = (nn.ZeroPad1d, nn.ZeroPad2d, nn.ReflectionPad1d, nn.ReflectionPad2d, nn.ReplicationPad1d,
         nn.ReplicationPad2d, nn.CircularPad1d, nn.CircularPad2d)

# nn layer class -> its constructor arguments, read back from an instance
_NN_LAYERS = {
    **{cls: _attributes() for cls in _PARAMETERLESS},
    **{cls: _attributes("padding") for cls in _PADS},
    nn.ConstantPad1d: _attributes("padding", "value"),
    nn.ConstantPad2d: _attributes("padding", "value"),
    nn.CELU: _attributes("alpha"),
    nn.Hardtanh: _attributes("min_val", "max_val"),
    nn.Softshrink: _attributes("lambd"),
    nn.Hardshrink: _attributes("lambd"),
    nn.Threshold: _attributes("threshold", "value"),
    nn.Softmin: _attributes("dim"),
    nn.GLU: _attributes("dim"),
    nn.PReLU: lambda m: {"num_parameters": m.num_parameters, "dtype": m.weight.dtype.name},
    nn.PixelShuffle: _attributes("upscale_factor"),
    nn.PixelUnshuffle: _attributes("downscale_factor"),
    nn.AvgPool1d: _attributes("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    nn.AdaptiveAvgPool1d: _attributes("output_size"),
    nn.GroupNorm: _norm("num_groups", "num_channels", "eps", "affine"),
    nn.InstanceNorm1d: _norm("num_features", "eps", "momentum", "affine", "track_running_stats"),
    nn.InstanceNorm2d: _norm("num_features", "eps", "momentum", "affine", "track_running_stats"),
    nn.RMSNorm: lambda m: {"normalized_shape": list(m.normalized_shape), "eps": m.eps,
                           "elementwise_affine": m.elementwise_affine, "dtype": _dtype_name(m)},
    nn.Linear: lambda m: {"in_features": m.in_features, "out_features": m.out_features,
                          "bias": m.bias is not None, "dtype": m.weight.dtype.name},
    nn.ReLU: _attributes(),
    nn.Sigmoid: _attributes(),
    nn.Tanh: _attributes(),
    nn.Identity: _attributes(),
    nn.Softmax: _attributes("dim"),
    nn.LogSoftmax: _attributes("dim"),
    nn.GELU: _attributes("approximate"),
    nn.ELU: _attributes("alpha"),
    nn.LeakyReLU: _attributes("negative_slope"),
    nn.Softplus: _attributes("beta", "threshold"),
    nn.Dropout: _attributes("p"),
    nn.Flatten: _attributes("start_dim", "end_dim"),
    nn.Unflatten: lambda m: {"dim": m.dim, "unflattened_size": list(m.unflattened_size)},
    nn.Dropout2d: _attributes("p"),
    nn.Conv1d: _conv,
    nn.Conv2d: _conv,
    nn.MaxPool1d: _max_pool,
    nn.MaxPool2d: _max_pool,
    nn.AvgPool2d: lambda m: {"kernel_size": m.kernel_size, "stride": m.stride,
                             "padding": m.padding, "ceil_mode": m.ceil_mode,
                             "count_include_pad": m.count_include_pad,
                             "divisor_override": m.divisor_override},
    nn.AdaptiveAvgPool2d: _attributes("output_size"),
    nn.Embedding: lambda m: {"num_embeddings": m.num_embeddings,
                             "embedding_dim": m.embedding_dim, "padding_idx": m.padding_idx,
                             "dtype": m.weight.dtype.name},
    nn.BatchNorm1d: _batch_norm,
    nn.BatchNorm2d: _batch_norm,
    nn.LayerNorm: lambda m: {"normalized_shape": list(m.normalized_shape), "eps": m.eps,
                             "elementwise_affine": m.elementwise_affine,
                             "bias": m.bias is not None or not m.elementwise_affine,
                             "dtype": _dtype_name(m)},
}
_NN_BY_NAME = {cls.__name__: cls for cls in _NN_LAYERS}
_LAYERS_BY_NAME = {name: getattr(L, name) for name in L.__all__
                   if isinstance(getattr(L, name), type) and issubclass(getattr(L, name), L.Layer)}

_SAVE_INSTEAD = ("save its weights instead, chainrule.save(model.state_dict(), path) (or "
                 "model.save_weights(path)), and rebuild the model in code before "
                 "model.load_state_dict(chainrule.load(path))")


def model_to_config(model):
    """The architecture of ``model`` (an ``nn.Sequential`` of describable layers) as plain data."""
    if isinstance(model, Model) and model.is_graph:
        return _functional_config(model)
    if type(model) is not nn.Sequential:
        raise UndescribableModelError(
            f"cannot describe a {type(model).__name__} in a model file: model files describe "
            f"Sequential models of known layers and store no code; {_SAVE_INSTEAD}")
    return _sequential_config(model, "")


def _sequential_config(model, where):
    entries = []
    for key, layer in model._modules.items():
        path = f"{where}.{key}" if where else key
        entry = _layer_config(layer, path)
        entry["key"] = key
        entries.append(entry)
    input_shape = model._input_shape
    return {"class_name": "Sequential",
            "config": {"name": model.__dict__.get("name", "sequential"),
                       "input_shape": None if input_shape is None else list(input_shape),
                       "layers": entries}}


def _functional_config(model):
    """A functional model: its Inputs, its layers, and each layer call with the tensors it was
    called on, as [layer or input name, call index, output index] (Keras's inbound nodes)."""
    refs = tensor_refs(model)

    def ref(t):
        return list(refs[id(t)])

    def refs_of(structure):
        if isinstance(structure, dict):
            return {key: ref(t) for key, t in structure.items()}
        return ref(structure) if not isinstance(structure, (list, tuple)) else \
            [ref(t) for t in structure]

    inputs = [{"name": t.name, "shape": list(t.shape[1:]), "batch_size": t.shape[0],
               "dtype": t.dtype.name} for t in model.inputs]
    layers = []
    for name, layer in model._modules.items():
        entry = _layer_config(layer, name)
        entry["name"] = name
        layers.append(entry)
    nodes = [{"layer": node.layer.name, "inbound": refs_of(node.inputs), "kwargs": node.kwargs}
             for node in model._nodes]
    outputs = [ref(t) for t in model.outputs]
    return {"class_name": "Functional",
            "config": {"name": model.name, "inputs": inputs, "input_kind": model._input_kind,
                       "input_keys": model._input_keys, "layers": layers, "nodes": nodes,
                       "outputs": outputs if model._output_kind == "list" else outputs[0]}}


def _functional_from_config(config, custom, path):
    """Replay the layer calls of ``_functional_config`` on new Inputs: the layers are built
    as they are called, and the Model is made from the replayed tensors."""
    tensors = {}
    inputs = []
    for spec in config["inputs"]:
        tensor = L.Input(shape=tuple(spec["shape"]), batch_size=spec.get("batch_size"),
                         dtype=spec["dtype"], name=spec["name"])
        tensors[(spec["name"], 0)] = [tensor]
        inputs.append(tensor)
    layers = {entry["name"]: _from_entry(entry, custom, f"{path}.{entry['name']}")
              for entry in config["layers"]}
    calls = collections.Counter()

    def tensor(ref):
        name, call, index = ref
        return tensors[(name, call)][index]

    def resolve(structure):
        if isinstance(structure, dict):
            return {key: tensor(ref) for key, ref in structure.items()}
        if structure and isinstance(structure[0], str):
            return tensor(structure)
        return [tensor(ref) for ref in structure]

    for node in config["nodes"]:
        name = node["layer"]
        if name not in layers:
            raise ValueError(f"model config: {path!r} calls layer {name!r}, which it does not "
                             f"describe")
        result = layers[name](resolve(node["inbound"]), **node.get("kwargs", {}))
        tensors[(name, calls[name])] = result if isinstance(result, list) else [result]
        calls[name] += 1
    kind = config.get("input_kind", "list")
    given = inputs[0] if kind == "single" else \
        dict(zip(config["input_keys"], inputs)) if kind == "dict" else inputs
    return Model(given, resolve(config["outputs"]), name=config.get("name"))


def _layer_config(layer, path):
    if type(layer) is nn.Sequential:
        return _sequential_config(layer, path)
    if isinstance(layer, Model):
        return model_to_config(layer)
    if isinstance(layer, L.Layer):
        entry = {"module": "layers", "class_name": type(layer).__name__,
                 "config": layer.get_config()}
        if layer.build_input_shape is not None:
            entry["build_config"] = {"input_shape": list(layer.build_input_shape)}
        return entry
    describe = _NN_LAYERS.get(type(layer))
    if describe is None:
        kind = "a custom Module" if type(layer) not in vars(nn).values() else "not describable"
        raise UndescribableModelError(
            f"cannot describe layer {path!r} of the model, a {type(layer).__name__} ({kind}), "
            f"in a model file (model files store no code; known layers: the chainrule.layers "
            f"and {', '.join(sorted(_NN_BY_NAME))}); {_SAVE_INSTEAD}")
    return {"module": "nn", "class_name": type(layer).__name__, "config": describe(layer)}


def model_from_config(config, custom_objects=None):
    """A new model from ``model_to_config``'s data; ``custom_objects`` maps the names of
    custom Layer classes and activation functions to them."""
    return _from_entry(config, dict(custom_objects or {}), "model")


def _from_entry(entry, custom, path):
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError(f"model config: entry {path!r} is not a layer description: {entry!r}")
    name, config = entry["class_name"], dict(entry.get("config") or {})
    if name == "Functional" and entry.get("module") is None:
        return _functional_from_config(config, custom, path)
    if name == "Sequential" and entry.get("module") is None:
        layers = collections.OrderedDict(
            (item.get("key", str(i)), _from_entry(item, custom, f"{path}.{i}"))
            for i, item in enumerate(config.get("layers", [])))
        model = nn.Sequential(layers, name=config.get("name"))
        if config.get("input_shape") is not None:
            model._input_shape = tuple(config["input_shape"])
        model._build_if_shape_known()
        return model
    if entry.get("module") == "nn":
        cls = _NN_BY_NAME.get(name)
        if cls is None:
            raise ValueError(f"model config: unknown nn layer {name!r} at {path!r}")
        # JSON has no tuples: sizes such as kernel_size come back as lists
        return cls(**{key: tuple(value) if isinstance(value, list) else value
                      for key, value in config.items()})
    cls = custom.get(name) or _LAYERS_BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"model config: unknown layer class {name!r} at {path!r}; pass it in "
                         f"custom_objects={{{name!r}: {name}}}")
    for key, value in config.items():  # custom activations/initializers stored by name
        if key not in ("name", "dtype") and isinstance(value, str) and value in custom:
            config[key] = custom[value]
    layer = cls.from_config(config)
    build = entry.get("build_config")
    if build and build.get("input_shape") is not None:
        layer.ensure_built(tuple(build["input_shape"]))
    return layer
