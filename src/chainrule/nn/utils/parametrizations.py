"""Ready-made parametrizations, as ``torch.nn.utils.parametrizations``: ``weight_norm``."""
from chainrule.nn.module import Module
from chainrule.nn.utils.parametrize import register_parametrization

__all__ = ["weight_norm"]


def _norm_except_dim(v, dim):
    """||v|| over every dim but ``dim`` (kept as size-1 dims); dim -1: the norm of all of v,
    as PyTorch's weight norm reads -1."""
    axes = tuple(range(v.ndim)) if dim == -1 else tuple(d for d in range(v.ndim) if d != dim)
    return (v * v).sum(dim=axes, keepdim=dim != -1).sqrt()


class _WeightNorm(Module):
    """w = g · v / ||v||, the norm taken over every dim but ``dim``: the direction v and the
    length g are learned apart (Salimans & Kingma, 2016)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        """(g, v) = (||w||, w): the pair that gives back ``weight``."""
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as g · v / ||v|| (the norm over every dim but ``dim``;
    ``dim=None``: over the whole tensor).  g and v are ``parametrizations.<name>.original0``
    and ``original1``, as in PyTorch's state_dict.

    >>> layer = weight_norm(chainrule.nn.Linear(3, 2))
    >>> sorted(layer.state_dict())
    ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    """
    if dim is not None and not -1 <= dim < getattr(module, name).ndim:
        raise ValueError(f"weight_norm: dim {dim} is out of range for {name} of shape "
                         f"{getattr(module, name).shape}")
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
