"""Linear algebra with PyTorch's ``torch.linalg`` names: norms, decompositions, solvers.

>>> import chainrule.linalg as LA
>>> A = chainrule.tensor([[4.0, 1.0], [1.0, 3.0]])
>>> x = LA.solve(A, chainrule.tensor([1.0, 2.0]))
>>> (A @ x).tolist()
[1.0, 2.0]
"""

from chainrule.functions import (  # noqa: F401  (re-exported under torch.linalg's names)
    cholesky, cond, det, eigh, eigvalsh, lstsq, matrix_norm, matrix_power, matrix_rank, multi_dot,
    pinv, qr, slogdet, solve, svd, svdvals, vecdot, vector_norm,
)
from chainrule import functions as _F
from chainrule.backend import xp
from chainrule.ops import indexing as _index
from chainrule.tensor import apply

inv = _F.inverse


def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (default the last), batch dims broadcasting."""
    return _F.cross(input, other, dim=dim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm when ``dim`` is an int (or A is 1-D), a matrix norm when ``dim`` is a pair
    (or A is 2-D); with neither ord nor dim, the 2-norm of all elements."""
    A = _F.as_tensor(A)
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return _F.vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord={ord!r} and no dim, A must be 1-D or 2-D, "
                             f"got shape {A.shape}")
        dim = tuple(range(A.ndim))
    if len(dim) == 1:
        if isinstance(ord, str):
            raise ValueError(f"linalg.norm: ord={ord!r} is a matrix norm, but dim {dim} names one dim")
        return _F.vector_norm(A, ord, dim, keepdim, dtype=dtype)
    if len(dim) == 2:
        return _F.matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    raise ValueError(f"linalg.norm: dim must name one or two dims, got {dim!r}")


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of the matrices formed by dims ``dim1`` and ``dim2`` (above it for offset > 0,
    below for offset < 0), as the last dim of the result."""
    A = _F.as_tensor(A)
    d1, d2 = (_F.normalize_dim(d, A.ndim, "linalg.diagonal") for d in (dim1, dim2))
    if d1 == d2 or A.ndim < 2:
        raise ValueError(f"linalg.diagonal: dim1 {dim1} and dim2 {dim2} must be two different dims "
                         f"of A (shape {A.shape})")
    start1, start2 = max(-offset, 0), max(offset, 0)
    length = max(min(A.shape[d1] - start1, A.shape[d2] - start2), 0)
    moved = _F.permute(A, [i for i in range(A.ndim) if i not in (d1, d2)] + [d1, d2])
    steps = xp.arange(length)
    return apply(_index.GetItem((Ellipsis, steps + start1, steps + start2)), moved)


__all__ = ["cholesky", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
           "slogdet", "solve", "svd", "svdvals", "vecdot", "vector_norm"]
