"""chainrule.viz.graph: the computation graph behind a tensor as Mermaid, DOT and pictures."""
import shutil

import pytest

import chainrule as cr
from chainrule import nn, viz


def small_model_loss():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
    x = cr.tensor([[0.1, 0.2]])
    loss = ((model(x) - 1.0) ** 2).mean()
    return model, x, loss


def test_nodes_edges_shapes_and_names():
    model, x, loss = small_model_loss()
    g = viz.graph(loss, names=model)
    ops = [node.op.name for node in g.nodes if node.kind == "op"]
    leaves = {node.name: node.tensor.shape for node in g.nodes if node.kind == "leaf"}
    assert ops.count("Linear") == 2 and "Sigmoid" in ops and "Mean" in ops
    assert leaves == {"0.weight": (3, 2), "0.bias": (3,), "2.weight": (1, 3), "2.bias": (1,), None: (1, 2)}
    # every parameter feeds exactly one op; the output is the root and feeds nothing
    keys = {node.name: node.key for node in g.nodes if node.kind == "leaf"}
    assert sum(1 for a, _ in g.edges if a == keys["0.weight"]) == 1
    assert all(a != g.root for a, _ in g.edges)
    assert len(g.edges) == len(g.nodes) - 1  # this graph is a tree


def test_mermaid_and_dot_text():
    model, x, loss = small_model_loss()
    g = viz.graph(loss, names=model)
    mermaid, dot = g.mermaid(), g.dot()
    assert mermaid.startswith("flowchart TD")
    assert '(["0.weight<br/>(3, 2)"])' in mermaid and '["Sigmoid<br/>(1, 3)"]' in mermaid
    assert dot.startswith("digraph chainrule {") and dot.rstrip().endswith("}")
    assert 'label="0.bias\\n(3,)"' in dot
    assert dot.count(" -> ") == len(g.edges) and mermaid.count(" --> ") == len(g.edges)


def test_values_and_grads_after_backward():
    model, x, loss = small_model_loss()
    g = viz.graph(loss, names=model, show_values=True)
    assert "value [0.1, 0.2]" in g.mermaid() and "grad" not in g.mermaid()
    loss.backward()  # the Graph keeps the tensors: gradients appear once they exist
    bias_grad = model[2].bias.grad.data[0]
    assert f"grad [{bias_grad:.4g}]" in g.dot(show_grads=True)
    with pytest.raises(RuntimeError, match="freed by backward"):
        viz.graph(loss)


def test_names_from_dict_and_errors():
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 4.0], requires_grad=True)
    g = viz.graph((a * b).sum(), names={"a": a, "b": b})
    assert {node.name for node in g.nodes if node.kind == "leaf"} == {"a", "b"}
    with pytest.raises(TypeError, match="expected a Tensor"):
        viz.graph([1, 2])
    with pytest.raises(TypeError, match="names must be"):
        viz.graph(a.sum(), names=["a"])


def test_deep_graph_is_walked_without_recursion():
    x = cr.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    assert len(viz.graph(y).nodes) == 3001


def test_save_text_files(tmp_path):
    _, _, loss = small_model_loss()
    g = viz.graph(loss)
    assert g.save(tmp_path / "g.mmd") == str(tmp_path / "g.mmd")
    g.save(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == g.dot()
    assert (tmp_path / "g.mmd").read_text() == g.mermaid()
    with pytest.raises(ValueError, match="unknown file type"):
        g.save(tmp_path / "g.txt")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_render_svg_and_png(tmp_path):
    _, _, loss = small_model_loss()
    g = viz.graph(loss, show_values=True)
    g.save(tmp_path / "g.svg")
    g.save(tmp_path / "g.png")
    assert "<svg" in (tmp_path / "g.svg").read_text() and "Sigmoid" in (tmp_path / "g.svg").read_text()
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")


def test_missing_graphviz_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _, _, loss = small_model_loss()
    with pytest.raises(RuntimeError, match="install graphviz"):
        viz.graph(loss).save(tmp_path / "g.svg")
