"""Flatten and Unflatten: reshape layers for moving between image-like and vector-like data."""
import math
import numbers

from chainrule import functions as F
from chainrule.nn.module import Module


class Flatten(Module):
    """Merge dims ``start_dim``..``end_dim`` (inclusive) into one; by default every dim but
    the batch dim, so (N, C, H, W) becomes (N, C·H·W).
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size`` (one entry may be -1, inferred):
    ``Unflatten(1, (C, H, W))`` turns (N, C·H·W) back into (N, C, H, W).
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(dim, numbers.Integral):
            raise TypeError(f"Unflatten: dim must be an integer, got {dim!r}")
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(s, numbers.Integral) for s in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple or list of ints, got "
                            f"{unflattened_size!r}")
        if list(unflattened_size).count(-1) > 1 or any(s < -1 for s in unflattened_size):
            raise ValueError(f"Unflatten: unflattened_size {unflattened_size!r} may hold at most "
                             "one -1 and no other negative size")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input):
        input = F.as_tensor(input)
        axis = F.normalize_dim(self.dim, input.ndim, repr(self))
        size = input.shape[axis]
        sizes = list(self.unflattened_size)
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or size % known:
                raise ValueError(f"{self!r}: dim {axis} of input shape {input.shape} has size "
                                 f"{size}, which is not a multiple of {known}")
            sizes[sizes.index(-1)] = size // known
        elif known != size:
            raise ValueError(f"{self!r}: dim {axis} of input shape {input.shape} has size {size}, "
                             f"but {' x '.join(map(str, sizes))} = {known}")
        return F.reshape(input, input.shape[:axis] + tuple(sizes) + input.shape[axis + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
