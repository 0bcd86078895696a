"""Ready-made parametrizations, as ``torch.nn.utils.parametrizations``: ``weight_norm`` and
``spectral_norm``."""
from chainrule import random as _random
from chainrule.backend import xp
from chainrule.nn.module import Module
from chainrule.nn.utils.parametrize import register_parametrization
from chainrule.tensor import Tensor

__all__ = ["spectral_norm", "weight_norm"]


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


def _normalize(vector, eps):
    return vector / max(float(xp.linalg.norm(vector)), eps)


class _SpectralNorm(Module):
    """w / σ(w), σ the largest singular value of w viewed as a (size of ``dim``, rest) matrix,
    estimated by power iteration: u and v (buffers) are refined by ``n_power_iterations``
    steps on every forward in training mode and reused in evaluation.  Bounds the layer's
    Lipschitz constant by 1 (Miyato et al., 2018)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got "
                             f"{n_power_iterations}")
        self.dim = dim % weight.ndim if weight.ndim else 0
        self.eps, self.n_power_iterations = eps, n_power_iterations
        if weight.ndim > 1:
            matrix = self._matrix(weight.data)
            rng = _random.generator()
            dtype = weight.data.dtype
            self.register_buffer("_u", Tensor(_normalize(rng.standard_normal(matrix.shape[0]), eps)
                                              .astype(dtype)))
            self.register_buffer("_v", Tensor(_normalize(rng.standard_normal(matrix.shape[1]), eps)
                                              .astype(dtype)))
            self._power_method(matrix, 15)

    def _matrix(self, weight):
        """``weight`` as (size of dim, everything else), dim moved to the front."""
        return xp.moveaxis(weight, self.dim, 0).reshape(weight.shape[self.dim], -1)

    def _power_method(self, matrix, iterations):
        u, v = self._u.data, self._v.data
        for _ in range(iterations):
            u[...] = _normalize(matrix @ v, self.eps)
            v[...] = _normalize(matrix.T @ u, self.eps)
        self._u._mark_modified()
        self._v._mark_modified()

    def forward(self, weight):
        if weight.ndim == 1:
            return weight / max(float(xp.linalg.norm(weight.data)), self.eps)
        if self.training:
            self._power_method(self._matrix(weight.data), self.n_power_iterations)
        matrix = weight.movedim(self.dim, 0).reshape(weight.shape[self.dim], -1)
        sigma = (Tensor(self._u.data.copy()) * (matrix @ Tensor(self._v.data.copy()))).sum()
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Reparametrize ``module.<name>`` as w / σ(w) (its spectral norm, by power iteration; see
    ``_SpectralNorm``).  ``dim`` defaults to 1 for transposed convolutions, else 0.  The
    state_dict holds ``parametrizations.<name>.original`` and the vectors
    ``parametrizations.<name>.0._u`` and ``._v``, as PyTorch's."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"spectral_norm: {type(module).__name__} has no parameter or buffer "
                         f"{name!r}")
    if dim is None:
        dim = 1 if "ConvTranspose" in type(module).__name__ else 0
    return register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
