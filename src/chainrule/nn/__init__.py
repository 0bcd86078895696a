"""Neural-network building blocks with PyTorch's names, arguments and state-dict layouts."""
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
