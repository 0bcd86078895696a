"""Draw the computation graph that produced a tensor, as Mermaid or Graphviz DOT text.

The graph is walked from ``tensor.grad_fn`` through each node's ``inputs`` (call ``graph``
before ``backward``, which frees the graph unless ``retain_graph=True``).  The drawing keeps
the tensors, so after a backward pass the same ``Graph`` shows the gradients too.

    >>> y = model(x); loss = criterion(y, t)
    >>> g = chainrule.viz.graph(loss, names=model)
    >>> loss.backward()
    >>> g.save("graph.svg", show_grads=True)     # .mmd, .dot, or .svg/.png with Graphviz
"""
import os
import shutil
import subprocess

from chainrule.tensor import Tensor

_MAX_SHOWN = 6  # tensors with more elements are summarized by their range


class _Node:
    def __init__(self, key, kind, tensor, op=None, name=None):
        self.key, self.kind, self.tensor, self.op, self.name = key, kind, tensor, op, name


class Graph:
    """The nodes (ops and leaf tensors) and edges (input -> consumer) behind one tensor.

    ``nodes``: list of _Node with ``kind`` 'op' or 'leaf'; ``edges``: (from key, to key) pairs
    in data-flow direction.  ``mermaid()`` and ``dot()`` give the text; ``save(path)`` writes it.
    """

    def __init__(self, nodes, edges, root, show_values=False, show_grads=False):
        self.nodes, self.edges, self.root = nodes, edges, root
        self.show_values, self.show_grads = show_values, show_grads

    # ------------------------------------------------------------ labels
    def _lines(self, node, show_values, show_grads):
        tensor = node.tensor
        shape = _shape(tensor.shape)
        if node.kind == "op":
            lines = [node.op.name, shape]
        else:
            lines = [node.name or ("parameter" if _is_parameter(tensor) else "tensor"), shape]
        if show_values:
            lines.append("value " + _summary(tensor.data))
        if show_grads and tensor.grad is not None:
            lines.append("grad " + _summary(tensor.grad.data))
        return lines

    def _options(self, show_values, show_grads):
        return (self.show_values if show_values is None else show_values,
                self.show_grads if show_grads is None else show_grads)

    def mermaid(self, show_values=None, show_grads=None):
        """Text for a ```mermaid block: a top-down flowchart, leaves as rounded boxes."""
        values, grads = self._options(show_values, show_grads)
        lines = ["flowchart TD"]
        for node in self.nodes:
            label = "<br/>".join(_mermaid_escape(line) for line in self._lines(node, values, grads))
            left, right = ("([", "])") if node.kind == "leaf" else ("[", "]")
            lines.append(f'    {node.key}{left}"{label}"{right}')
        lines += [f"    {a} --> {b}" for a, b in self.edges]
        lines.append(f"    classDef leaf fill:#eef6ff,stroke:#4a7ab5")
        lines.append(f"    classDef output fill:#fff3d6,stroke:#c48a00")
        leaves = [node.key for node in self.nodes if node.kind == "leaf"]
        if leaves:
            lines.append(f"    class {','.join(leaves)} leaf")
        lines.append(f"    class {self.root} output")
        return "\n".join(lines) + "\n"

    def dot(self, show_values=None, show_grads=None):
        """Graphviz DOT text: ops as boxes, leaves as ellipses (parameters shaded), top to bottom."""
        values, grads = self._options(show_values, show_grads)
        lines = ["digraph chainrule {", "    rankdir=TB;",
                 '    node [fontname="Helvetica", fontsize=11];']
        for node in self.nodes:
            label = "\\n".join(_dot_escape(line) for line in self._lines(node, values, grads))
            if node.kind == "op":
                style = 'shape=box, style="rounded,filled", fillcolor="#fff3d6"' if node.key == self.root \
                    else 'shape=box, style="rounded"'
            elif _is_parameter(node.tensor):
                style = 'shape=ellipse, style=filled, fillcolor="#dbe9f8"'
            else:
                style = "shape=ellipse"
            lines.append(f'    {node.key} [label="{label}", {style}];')
        lines += [f"    {a} -> {b};" for a, b in self.edges]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def save(self, path, show_values=None, show_grads=None):
        """Write ``path``: .mmd (Mermaid), .dot/.gv (DOT), or .svg/.png/.pdf drawn by Graphviz's ``dot``."""
        path = os.fspath(path)
        extension = os.path.splitext(path)[1].lower()
        directory = os.path.dirname(os.path.abspath(path))
        if extension in (".mmd", ".mermaid"):
            text = self.mermaid(show_values, show_grads)
        elif extension in (".dot", ".gv"):
            text = self.dot(show_values, show_grads)
        elif extension in (".svg", ".png", ".pdf"):
            program = shutil.which("dot")
            if program is None:
                raise RuntimeError(f"graph.save: drawing {path} needs the Graphviz 'dot' program, which "
                                   "is not installed; install graphviz (apt-get install graphviz, "
                                   "brew install graphviz or conda install graphviz), or save as "
                                   ".dot or .mmd instead")
            os.makedirs(directory, exist_ok=True)
            result = subprocess.run([program, f"-T{extension[1:]}", "-o", path],
                                    input=self.dot(show_values, show_grads).encode(), capture_output=True)
            if result.returncode != 0:
                raise RuntimeError(f"graph.save: Graphviz failed to draw {path}: "
                                   f"{result.stderr.decode(errors='replace').strip()}")
            return path
        else:
            raise ValueError(f"graph.save: unknown file type {extension or '(none)'} for {path}; "
                             "use .mmd, .dot, .svg, .png or .pdf")
        os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        return path

    def _repr_markdown_(self):
        return "```mermaid\n" + self.mermaid() + "```"


def graph(tensor, show_values=False, show_grads=False, names=None):
    """The computation graph that produced ``tensor``, ready to draw.

    Nodes are ops (name and output shape) and leaf tensors (shape; a name from ``names``:
    a Module, whose ``named_parameters`` label its parameters, or a dict name -> tensor).
    ``show_values``/``show_grads``: add each tensor's values (small tensors) or range, and its
    gradient once ``backward`` has run.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"viz.graph: expected a Tensor, got {type(tensor).__name__}")
    labels = _names(names)
    nodes, edges, keys = [], [], {}

    def key_of(t):
        """One node per op (for a non-leaf) or per leaf tensor."""
        identity = id(t.grad_fn) if t.grad_fn is not None else id(t)
        if identity in keys:
            return keys[identity], False
        key = f"n{len(keys)}"
        keys[identity] = key
        if t.grad_fn is not None:
            if t.grad_fn.released or t.grad_fn.inputs is None:
                raise RuntimeError("viz.graph: the graph behind this tensor was freed by backward(); call "
                                   "viz.graph before backward, or backward(retain_graph=True)")
            nodes.append(_Node(key, "op", t, op=t.grad_fn))
        else:
            nodes.append(_Node(key, "leaf", t, name=labels.get(id(t))))
        return key, True

    root, _ = key_of(tensor)
    stack = [tensor]
    while stack:  # a loop, not a recursion: graphs can be deep
        t = stack.pop()
        if t.grad_fn is None:
            continue
        consumer = keys[id(t.grad_fn)]
        for source in t.grad_fn.inputs:
            key, new = key_of(source)
            edges.append((key, consumer))
            if new:
                stack.append(source)
    return Graph(nodes, edges, root, show_values, show_grads)


def _names(names):
    if names is None:
        return {}
    if hasattr(names, "named_parameters"):
        named = dict(names.named_parameters())
        named.update({name: buffer for name, buffer in names.named_buffers()})
        return {id(t): name for name, t in named.items() if t is not None}
    if isinstance(names, dict):
        return {id(t): name for name, t in names.items()}
    raise TypeError(f"viz.graph: names must be a Module or a dict of name -> tensor, "
                    f"got {type(names).__name__}")


def _is_parameter(tensor):
    from chainrule.nn.parameter import Parameter  # viz sits above nn

    return isinstance(tensor, Parameter)


def _shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _summary(array):
    if array.size <= _MAX_SHOWN:
        values = ", ".join(f"{v:.4g}" for v in array.reshape(-1).tolist())
        return f"[{values}]" if array.ndim else values
    return f"{float(array.min()):.3g} .. {float(array.max()):.3g}"


def _mermaid_escape(text):
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _dot_escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')
