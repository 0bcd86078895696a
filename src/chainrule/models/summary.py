"""``model.summary()``: Keras's table of layers, output shapes and parameter counts.

Output shapes come from one forward pass of zeros shaped (1, *input_shape), in eval mode
and without a graph, with a forward hook on each listed layer; the batch axis is shown as
None.  Without a known input shape the shapes are '?'.
"""
from chainrule.autograd import no_grad
from chainrule.backend import xp
from chainrule.tensor import DEFAULT_FLOAT, Tensor

_WIDTHS = (29, 26, 10)   # Keras's columns: Layer (type), Output Shape, Param #


def _float_buffers(model):
    return [b for b in model.buffers() if b.data.dtype.kind == "f"]


def count_params(model):
    """Values in the parameters and floating buffers (moving statistics count, as in Keras)."""
    return sum(int(t.data.size) for t in list(model.parameters()) + _float_buffers(model))


def _split_counts(model):
    """(trainable count, trainable bytes, frozen count, frozen bytes)."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    frozen = [p for p in model.parameters() if not p.requires_grad] + _float_buffers(model)
    return (sum(int(t.data.size) for t in trainable), sum(int(t.data.nbytes) for t in trainable),
            sum(int(t.data.size) for t in frozen), sum(int(t.data.nbytes) for t in frozen))


def _readable_bytes(count):
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


def _rows(model):
    """(label, module) for each row: a Sequential's layers, another model's children."""
    from chainrule import nn

    items = list(model._modules.items()) if isinstance(model, nn.Sequential) \
        else list(model.named_children())
    if not items:
        items = [(type(model).__name__.lower(), model)]
    rows = []
    for key, module in items:
        if module is None:
            continue
        name = module.__dict__.get("name")
        label = name if isinstance(name, str) else key
        rows.append((f"{label} ({type(module).__name__})", module))
    return rows


def _input_shape(model, given):
    from chainrule import nn

    if given is not None:
        return (given,) if isinstance(given, int) else tuple(given)
    if not isinstance(model, nn.Sequential):
        return None
    shape = model.declared_input_shape
    if shape is None and len(model):
        built = getattr(model[0], "build_input_shape", None)
        if built is not None and all(size is not None for size in built[1:]):
            shape = tuple(built[1:])
    return shape


def _shape_text(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    sizes = ("None",) + tuple(str(s) for s in shape[1:]) if len(shape) else ()
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"


def _output_shapes(model, rows, input_shape):
    """id(module) -> the shape of its output on one dummy sample (None where unknown)."""
    shapes = {}
    if input_shape is None:
        return shapes

    def record(module, inputs, output):
        if isinstance(output, Tensor):
            shapes[id(module)] = output.shape
        elif isinstance(output, (tuple, list)):
            shapes[id(module)] = [o.shape for o in output if isinstance(o, Tensor)]

    dtype = next((p.data.dtype for p in model.parameters() if p.data.dtype.kind == "f"),
                 DEFAULT_FLOAT)
    handles = [module.register_forward_hook(record) for _, module in rows]
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with no_grad():
            model(Tensor(xp.zeros((1,) + tuple(input_shape), dtype=dtype)))
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            object.__setattr__(module, "training", training)
    return shapes


def footer_lines(model, width):
    """The summary's closing lines: total, trainable and non-trainable parameter counts."""
    trainable, trainable_bytes, frozen, frozen_bytes = _split_counts(model)
    return ["=" * width,
            f"Total params: {trainable + frozen:,} "
            f"({_readable_bytes(trainable_bytes + frozen_bytes)})",
            f"Trainable params: {trainable:,} ({_readable_bytes(trainable_bytes)})",
            f"Non-trainable params: {frozen:,} ({_readable_bytes(frozen_bytes)})",
            "_" * width]


def summary_lines(model, line_length=None, input_shape=None):
    """The lines of ``model.summary()``."""
    rows = _rows(model)
    shapes = _output_shapes(model, rows, _input_shape(model, input_shape))
    table = []
    for label, module in rows:
        built = getattr(module, "built", True)
        params = f"{count_params(module):,}" if built else "0 (unbuilt)"
        table.append((label, _shape_text(shapes.get(id(module))), params))
    widths = [max([w] + [len(row[i]) + 2 for row in table]) for i, w in enumerate(_WIDTHS)]
    if line_length is not None and line_length > sum(widths):
        widths[-1] += line_length - sum(widths)
    total_width = sum(widths)

    def line(cells):
        return (" " + "".join(cell.ljust(width) for cell, width in zip(cells, widths))).rstrip()

    name = model.__dict__.get("name")
    name = name if isinstance(name, str) else type(model).__name__.lower()
    lines = [f'Model: "{name}"', "_" * total_width,
             line(("Layer (type)", "Output Shape", "Param #")), "=" * total_width]
    lines += [line(row) for row in table]
    lines += footer_lines(model, total_width)
    if any(getattr(m, "built", True) is False for _, m in rows):
        lines.insert(-1, "Some layers are unbuilt: give input_shape=... (or call the model on "
                         "data) to build them.")
    return lines


def summary(model, line_length=None, print_fn=None, input_shape=None, return_string=False):
    """Print (or, with ``return_string``, return) the summary table of ``model``."""
    lines = summary_lines(model, line_length, input_shape)
    if return_string:
        return "\n".join(lines)
    for text in lines:
        (print_fn or print)(text)
    return None
