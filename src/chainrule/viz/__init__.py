"""Pictures of backpropagation: the computation graph behind a tensor (Mermaid, Graphviz)."""
from chainrule.viz.graph import Graph, graph
