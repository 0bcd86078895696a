"""Sampling an image at arbitrary points (spatial transformers): ``grid_sample`` as one op.

Each output pixel reads the input at a point of a grid given in normalized coordinates,
(-1, -1) the top-left and (1, 1) the bottom-right of the image.  Bilinear mode blends the
four pixels around the point: they are gathered for every point at once by flat indexing,
and their gradients scattered back with one ``bincount``; no Python loop runs over pixels.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op


def _reflect(x, twice_low, twice_high):
    """x reflected back and forth into [low, high] (given doubled), and d(result)/dx (±1)."""
    if twice_low == twice_high:
        return xp.zeros_like(x), xp.zeros_like(x)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    x = x - low
    sign = xp.where(x < 0, -1, 1).astype(x.dtype)
    x = xp.abs(x)
    extra, even = xp.fmod(x, span), xp.floor(x / span) % 2 == 0
    return xp.where(even, extra + low, span - extra + low), xp.where(even, sign, -sign)


def source_pixels(coord, size, padding_mode, align_corners):
    """(pixel coordinates, their derivative by coord) of normalized coordinates along an axis
    of ``size`` pixels: -1 and 1 are the centres of the end pixels with ``align_corners``,
    their outer edges without; 'border' clamps into the image, 'reflection' mirrors into it.
    """
    if align_corners:
        scale = (size - 1) / 2
        pixels = (coord + 1) / 2 * (size - 1)
    else:
        scale = size / 2
        pixels = ((coord + 1) * size - 1) / 2
    slope = xp.full_like(pixels, scale)
    if padding_mode == "reflection":
        twice = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        pixels, turn = _reflect(pixels, *twice)
        slope *= turn
    if padding_mode in ("border", "reflection"):
        # the borders themselves count as outside for the gradient, as in PyTorch
        slope = xp.where((pixels > 0) & (pixels < size - 1), slope, 0)
        pixels = xp.clip(pixels, 0, size - 1)
    return pixels, slope


class GridSample(Op):
    """y[n, c, i, j] = Σ_corners w · x[n, c, corner] at the point grid[n, i, j] (bilinear; one
    pixel, w = 1, for nearest), corners outside the image reading 0;
    dx[corner] += w g,  dgrid = Σ_c Σ_corners x[corner] (dw / dgrid) g  (0 for nearest)."""

    def __init__(self, mode, padding_mode, align_corners):
        self.mode, self.padding_mode, self.align_corners = mode, padding_mode, align_corners

    def forward(self, x, grid):
        n, c, h, w = x.shape
        self.x_shape = x.shape
        self.ix, self.dix = source_pixels(grid[..., 0], w, self.padding_mode, self.align_corners)
        self.iy, self.diy = source_pixels(grid[..., 1], h, self.padding_mode, self.align_corners)
        self.flat = x.reshape(n, c, h * w)
        self.corners = self._corners()
        out = 0
        for index, weight, _, _ in self.corners:
            out = out + self._read(index) * weight[:, None]
        return out.reshape((n, c) + grid.shape[1:3]).astype(x.dtype, copy=False)

    def _corners(self):
        """(flat index, weight, dweight/dix, dweight/diy) of each pixel read, per grid point;
        pixels outside the image get weight 0 (and index 0)."""
        n, _, h, w = self.x_shape
        ix, iy = self.ix.reshape(n, -1), self.iy.reshape(n, -1)
        if self.mode == "nearest":
            xs, ys = xp.rint(ix), xp.rint(iy)
            pixels = [(xs, ys, xp.ones_like(ix), 0, 0)]
        else:
            x0, y0 = xp.floor(ix), xp.floor(iy)
            dx, dy = ix - x0, iy - y0            # the point's offsets from its top-left pixel
            pixels = [(x0, y0, (1 - dx) * (1 - dy), -(1 - dy), -(1 - dx)),
                      (x0 + 1, y0, dx * (1 - dy), 1 - dy, -dx),
                      (x0, y0 + 1, (1 - dx) * dy, -dy, 1 - dx),
                      (x0 + 1, y0 + 1, dx * dy, dy, dx)]
        corners = []
        for xs, ys, weight, dw_dx, dw_dy in pixels:
            inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
            index = xp.where(inside, ys * w + xs, 0).astype(xp.int64)
            corners.append((index, xp.where(inside, weight, 0), xp.where(inside, dw_dx, 0),
                            xp.where(inside, dw_dy, 0)))
        return corners

    def _read(self, index):
        """x[n, c, index[n, p]] for every channel: (N, C, P)."""
        return xp.take_along_axis(self.flat, index[:, None, :], axis=2)

    def backward(self, g):
        n, c, h, w = self.x_shape
        g = g.reshape(n, c, -1)
        gx = ggrid = None
        if self.needs_input_grad[0]:
            planes = (xp.arange(n * c) * (h * w)).reshape(n, c, 1)   # where each (n, c) plane starts
            index = xp.concatenate([planes + i[:, None, :] for i, _, _, _ in self.corners], axis=2)
            weights = xp.concatenate([g * wt[:, None, :] for _, wt, _, _ in self.corners], axis=2)
            gx = xp.bincount(index.ravel(), weights=weights.ravel(), minlength=n * c * h * w)
            gx = gx.reshape(self.x_shape).astype(g.dtype, copy=False)
        if self.needs_input_grad[1]:
            shape = self.ix.shape
            gix, giy = xp.zeros(shape, g.dtype), xp.zeros(shape, g.dtype)
            if self.mode == "bilinear":   # nearest is piecewise constant in the grid: gradient 0
                for index, _, dw_dx, dw_dy in self.corners:
                    read = (self._read(index) * g).sum(axis=1)       # Σ_c x[corner] g
                    gix += (read * dw_dx).reshape(shape)
                    giy += (read * dw_dy).reshape(shape)
            ggrid = xp.stack([gix * self.dix, giy * self.diy], axis=-1)
        return gx, ggrid
