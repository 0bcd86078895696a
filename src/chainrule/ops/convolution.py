"""Convolution and transposed convolution as one matrix product over a strided view (im2col).

The windows of the padded input are read through ``as_strided`` (no Python loop over the
batch or the pixels) and copied once into a column matrix laid out (C, kh, kw, N, Ho, Wo),
so that each group's convolution is ONE product  W (O, C·kh·kw) @ cols (C·kh·kw, N·Ho·Wo),
and the groups are a batch of such products.  The backward pass reuses the saved columns:
dW is one product with the gradient, and dx is  Wᵀ @ g  scattered back to the pixels by
adding shifted slices, one per kernel offset (col2im: a loop over kh·kw, never over pixels).

A transposed convolution is the adjoint of a convolution: its forward is the dx rule
above, its input gradient is a convolution, and its weight gradient the same dW product.

All arrays are (N, C, H, W); 1-d convolutions are run as 2-d ones of height 1 (free views).
Padding is (top, bottom, left, right); ``mode`` is 'zeros', 'reflect', 'replicate' or 'circular'.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op

_as_strided = xp.lib.stride_tricks.as_strided
_NUMPY_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def group_matmul(a, b):
    """a (G, M, K) @ b (G, K, N) -> (G, M, N), one product per group.

    With one group the product is a plain 2-d one: NumPy's stacked matmul can miss BLAS
    for a transposed operand (measured: 200x slower for LeNet's weight gradient).
    """
    if a.shape[0] == 1:
        return (a[0] @ b[0])[None]
    return a @ b


def im2col(padded, kernel, stride, dilation, out_hw):
    """The windows of ``padded`` (N, C, Hp, Wp) as a contiguous array (C, kh, kw, N, Ho, Wo).

    cols[c, i, j, n, y, x] = padded[n, c, y·sh + i·dh, x·sw + j·dw].

    With sh = 1 the copy goes in two steps of long runs instead of Ho·kh·kw·N·C runs of Wo
    (measured 1.6-1.8x faster on LeNet): first the kw column shifts of the input,
    shifted[j, n, c, r, x] = padded[n, c, r, x·sw + j·dw]; then, for each (c, i, j, n),
    rows i·dh .. i·dh + Ho - 1 of a shifted plane are one contiguous run of Ho·Wo.
    """
    n, c, hp = padded.shape[:3]
    (kh, kw), (ho, wo) = kernel, out_hw
    sn, sc, sy, sx = padded.strides
    if stride[0] != 1:
        view = _as_strided(padded, shape=(c, kh, kw, n, ho, wo),
                           strides=(sc, sy * dilation[0], sx * dilation[1], sn, sy * stride[0], sx * stride[1]),
                           writeable=False)
        return xp.ascontiguousarray(view)
    shifted = xp.ascontiguousarray(_as_strided(padded, shape=(kw, n, c, hp, wo),
                                               strides=(sx * dilation[1], sn, sc, sy, sx * stride[1]),
                                               writeable=False))
    item, plane = shifted.itemsize, hp * wo * shifted.itemsize
    view = _as_strided(shifted, shape=(c, kh, kw, n, ho * wo),
                       strides=(plane, dilation[0] * wo * item, n * c * plane, c * plane, item), writeable=False)
    return xp.ascontiguousarray(view).reshape(c, kh, kw, n, ho, wo)


def col2im(cols, padded_hw, stride, dilation):
    """The adjoint of ``im2col``: every column entry added back to the pixel it was read from.

    ``cols`` (C, kh, kw, N, Ho, Wo) -> (C, N, Hp, Wp); one strided add per kernel offset.
    """
    c, kh, kw, n, ho, wo = cols.shape
    out = xp.zeros((c, n) + tuple(padded_hw), cols.dtype)
    for i in range(kh):
        top = i * dilation[0]
        rows = slice(top, top + stride[0] * (ho - 1) + 1, stride[0])
        for j in range(kw):
            left = j * dilation[1]
            out[:, :, rows, left:left + stride[1] * (wo - 1) + 1:stride[1]] += cols[:, i, j]
    return out


def scatter_to_pixels(w, rows, kernel, stride, dilation, padded_hw):
    """col2im(Wᵀ @ rows): what each output pixel sends back to the input pixels it read.

    ``w`` (groups, O/groups, C/groups·kh·kw), ``rows`` (O, N, Ho, Wo) -> (C, N, Hp, Wp).
    With stride 1, the rows are first laid on the padded grid (zeros elsewhere): the kernel
    offset (i, j) is then a shift by i·dh·Wp + j·dw in the flattened grid, so each offset
    is ONE contiguous add over all channels and pixels instead of a strided one.
    """
    groups, per_group = w.shape[:2]
    o, n, ho, wo = rows.shape
    kh, kw = kernel
    hp, wp = padded_hw
    w_t = w.transpose(0, 2, 1)
    if tuple(stride) != (1, 1):
        dcols = group_matmul(w_t, rows.reshape(groups, per_group, -1)).reshape(-1, kh, kw, n, ho, wo)
        return col2im(dcols, padded_hw, stride, dilation)
    size = n * hp * wp
    grid = xp.zeros((o, n, hp, wp), rows.dtype)
    grid[:, :, :ho, :wo] = rows
    dcols = group_matmul(w_t, grid.reshape(groups, per_group, size)).reshape(-1, kh, kw, size)
    out = dcols[:, 0, 0].copy()                                   # offset (0, 0): no shift
    for i in range(kh):
        for j in range(kw):
            shift = i * dilation[0] * wp + j * dilation[1]
            if shift:
                out[:, shift:] += dcols[:, i, j, :size - shift]
    return out.reshape(-1, n, hp, wp)


def _pad(x, padding, mode):
    """x (N, C, H, W) padded by (top, bottom, left, right) with zeros or by ``mode``."""
    top, bottom, left, right = padding
    if not any(padding):
        return x
    if mode == "zeros":  # a zeroed array and one assignment: 3x faster than xp.pad
        out = xp.zeros(x.shape[:2] + (x.shape[2] + top + bottom, x.shape[3] + left + right), x.dtype)
        out[:, :, top:top + x.shape[2], left:left + x.shape[3]] = x
        return out
    widths = ((0, 0), (0, 0), (top, bottom), (left, right))
    return xp.pad(x, widths, mode=_NUMPY_PAD_MODE[mode])


def _unpad(g, shape, padding, mode):
    """The gradient of ``_pad``: g (N, C, Hp, Wp) back to ``shape`` (N, C, H, W).

    Zero padding: crop.  Other modes copy pixels into the border, so their gradients are
    summed back: gx = Pᵧᵀ g Pₓ with one-hot matrices P (padded index -> source index).
    """
    top, bottom, left, right = padding
    h, w = shape[2:]
    if not any(padding):
        return g
    if mode == "zeros":
        return g[:, :, top:top + h, left:left + w]
    mode = _NUMPY_PAD_MODE[mode]
    rows = xp.pad(xp.arange(h), (top, bottom), mode=mode)
    cols = xp.pad(xp.arange(w), (left, right), mode=mode)
    p_rows = (rows[:, None] == xp.arange(h)).astype(g.dtype)      # (Hp, H)
    p_cols = (cols[:, None] == xp.arange(w)).astype(g.dtype)      # (Wp, W)
    return p_rows.T @ g @ p_cols


def _as_2d(x, spatial):
    """A 1-d array (N, C, L) viewed as 2-d (N, C, 1, L); 2-d arrays pass unchanged."""
    return x if spatial == 2 else x.reshape(x.shape[:2] + (1,) + x.shape[2:])


def _params_2d(stride, padding, dilation, spatial):
    """Hyperparameters of a 1-d convolution as those of a 2-d one of height 1."""
    if spatial == 2:
        return stride, padding, dilation
    return (1,) + tuple(stride), (0, 0) + tuple(padding), (1,) + tuple(dilation)


class Convolution(Op):
    """y[n, o] = Σ_{c in o's group, i, j} W[o, c, i, j] · x_pad[n, c, y·s + i·d, x·s + j·d] + b[o];
    dW = g @ colsᵀ,  dx = col2im(Wᵀ @ g),  db = Σ g over N, H, W  (one product per group).

    x (N, C, *spatial), W (O, C/groups, *kernel), b (O,); spatial is 1 or 2 dims.  ``stride``
    and ``dilation`` have one entry per spatial dim, ``padding`` a (before, after) pair per dim.
    """

    def __init__(self, stride, padding, dilation, groups, mode="zeros"):
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.groups, self.mode = groups, mode

    def forward(self, x, weight, bias=None):
        spatial = x.ndim - 2
        stride, padding, dilation = _params_2d(self.stride, self.padding, self.dilation, spatial)
        x, weight4 = _as_2d(x, spatial), _as_2d(weight, spatial)
        n, c = x.shape[:2]
        out_channels, _, kh, kw = weight4.shape
        padded = _pad(x, padding, self.mode)
        hp, wp = padded.shape[2:]
        ho = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        g = self.groups
        cols = im2col(padded, (kh, kw), stride, dilation, (ho, wo)).reshape(g, -1, n * ho * wo)
        w = weight4.reshape(g, out_channels // g, -1)
        y = group_matmul(w, cols).reshape(out_channels, n, ho, wo)           # one product per group
        if bias is not None:
            y += bias.reshape(-1, 1, 1, 1)
        self.cols, self.weight, self.spatial = cols, weight, spatial
        self.x_shape, self.padded_hw = x.shape, (hp, wp)
        self.params = stride, padding, dilation
        y = xp.ascontiguousarray(y.transpose(1, 0, 2, 3))         # (N, O, Ho, Wo)
        return y if spatial == 2 else y.reshape(n, out_channels, wo)

    def backward(self, grad):
        needs, g, spatial = self.needs_input_grad, self.groups, self.spatial
        stride, padding, dilation = self.params
        weight = self.weight
        grad = _as_2d(grad, spatial)
        n, out_channels, ho, wo = grad.shape
        # (N, O, Ho, Wo) -> (groups, O/groups, N·Ho·Wo): the layout of the forward product
        g_rows = grad.transpose(1, 0, 2, 3).reshape(g, out_channels // g, n * ho * wo)
        gx = gw = gb = None
        if needs[0]:
            w = weight.reshape(g, out_channels // g, -1)
            kernel = _as_2d(weight, spatial).shape[2:]
            gx = scatter_to_pixels(w, g_rows.reshape(out_channels, n, ho, wo), kernel, stride,
                                   dilation, self.padded_hw).transpose(1, 0, 2, 3)
            gx = xp.ascontiguousarray(_unpad(gx, self.x_shape, padding, self.mode))
            if spatial == 1:
                gx = gx.reshape(gx.shape[0], gx.shape[1], -1)
        if needs[1]:
            gw = group_matmul(g_rows, self.cols.transpose(0, 2, 1)).reshape(weight.shape)
        if len(needs) == 3 and needs[2]:
            gb = grad.sum(axis=(0, 2, 3))
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)


class ConvolutionTranspose(Op):
    """The adjoint of Convolution in x:  y = crop(col2im(Wᵀ @ x)) + b;
    dx = W @ im2col(pad(g)),  dW = x @ im2col(pad(g))ᵀ,  db = Σ g over N, H, W.

    x (N, C_in, *spatial), W (C_in, C_out/groups, *kernel), b (C_out,).  ``padding`` is one
    entry per dim (cropped from both sides), ``output_padding`` extra rows/cols at the end.
    """

    def __init__(self, stride, padding, output_padding, dilation, groups):
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.output_padding, self.groups = output_padding, groups

    def _params(self, spatial):
        if spatial == 2:
            return self.stride, self.padding, self.output_padding, self.dilation
        return ((1,) + tuple(self.stride), (0,) + tuple(self.padding),
                (0,) + tuple(self.output_padding), (1,) + tuple(self.dilation))

    def forward(self, x, weight, bias=None):
        spatial = x.ndim - 2
        stride, padding, output_padding, dilation = self._params(spatial)
        x, weight4 = _as_2d(x, spatial), _as_2d(weight, spatial)
        n, in_channels, h, w_ = x.shape
        _, out_per_group, kh, kw = weight4.shape
        g = self.groups
        hp = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
        wp = (w_ - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
        x_rows = x.transpose(1, 0, 2, 3).reshape(g, in_channels // g, n * h * w_)
        w = weight4.reshape(g, in_channels // g, -1)
        y = scatter_to_pixels(w, x_rows.reshape(in_channels, n, h, w_), (kh, kw), stride, dilation,
                              (hp, wp))                           # (C_out, N, Hp, Wp)
        y = y[:, :, padding[0]:hp - padding[0], padding[1]:wp - padding[1]]
        if bias is not None:
            y += bias.reshape(-1, 1, 1, 1)
        self.x_rows, self.weight, self.spatial = x_rows, weight, spatial
        self.x_hw, self.params = (h, w_), (stride, padding, dilation)
        y = xp.ascontiguousarray(y.transpose(1, 0, 2, 3))
        return y if spatial == 2 else y.reshape(y.shape[0], y.shape[1], -1)

    def backward(self, grad):
        needs, g, spatial = self.needs_input_grad, self.groups, self.spatial
        stride, padding, dilation = self.params
        weight = self.weight
        weight4 = _as_2d(weight, spatial)
        grad = _as_2d(grad, spatial)
        in_channels, _, kh, kw = weight4.shape
        n, (h, w_) = grad.shape[0], self.x_hw
        padded = _pad(grad, (padding[0], padding[0], padding[1], padding[1]), "zeros")
        cols = im2col(padded, (kh, kw), stride, dilation, (h, w_)).reshape(g, -1, n * h * w_)
        gx = gw = gb = None
        if needs[0]:
            w = weight4.reshape(g, in_channels // g, -1)
            gx = group_matmul(w, cols).reshape(in_channels, n, h, w_).transpose(1, 0, 2, 3)
            gx = xp.ascontiguousarray(gx)
            if spatial == 1:
                gx = gx.reshape(n, in_channels, w_)
        if needs[1]:
            gw = group_matmul(self.x_rows, cols.transpose(0, 2, 1)).reshape(weight.shape)
        if len(needs) == 3 and needs[2]:
            gb = grad.sum(axis=(0, 2, 3))
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)



def window_counts(padded_hw, kernel, stride, dilation):
    """How many windows fit along each axis of a padded (H, W): ⌊(size - d(k-1) - 1)/s⌋ + 1."""
    return tuple((size - d * (k - 1) - 1) // s + 1
                 for size, k, s, d in zip(padded_hw, kernel, stride, dilation))


def _blocks(cols):
    """im2col's (C, kh, kw, N, Ho, Wo) as PyTorch's unfold layout (N, C·kh·kw, Ho·Wo)."""
    c, kh, kw, n, ho, wo = cols.shape
    return xp.ascontiguousarray(cols.transpose(3, 0, 1, 2, 4, 5)).reshape(n, c * kh * kw, ho * wo)


def _unblocks(blocks, kernel, out_hw):
    """The inverse of ``_blocks``: (N, C·kh·kw, Ho·Wo) -> (C, kh, kw, N, Ho, Wo), a view."""
    n = blocks.shape[0]
    return blocks.reshape((n, -1) + tuple(kernel) + tuple(out_hw)).transpose(1, 2, 3, 0, 4, 5)


class _Blocks(Op):
    """What Unfold and Fold share: the window geometry; ``padding`` (ph, pw) is on both sides."""

    def __init__(self, kernel, dilation, padding, stride):
        self.kernel, self.dilation, self.stride = kernel, dilation, stride
        self.pads = (padding[0], padding[0], padding[1], padding[1])

    def _im2col(self, image):
        """(N, C, H, W) -> its padded windows (N, C·kh·kw, L)."""
        padded = _pad(image, self.pads, "zeros")
        self.padded_hw = padded.shape[2:]
        self.out_hw = window_counts(self.padded_hw, self.kernel, self.stride, self.dilation)
        return _blocks(im2col(padded, self.kernel, self.stride, self.dilation, self.out_hw))

    def _col2im(self, blocks, image_shape):
        """(N, C·kh·kw, L) -> each entry added to its pixel of an (N, C, H, W) image."""
        summed = col2im(_unblocks(blocks, self.kernel, self.out_hw), self.padded_hw, self.stride,
                        self.dilation).transpose(1, 0, 2, 3)
        return xp.ascontiguousarray(_unpad(summed, image_shape, self.pads, "zeros"))


class Unfold(_Blocks):
    """y[n, (c, i, j), (p, q)] = x_pad[n, c, p·sh + i·dh, q·sw + j·dw]  (im2col);
    dx = unpad(col2im(g)).   x (N, C, H, W) -> (N, C·kh·kw, Ho·Wo)."""

    def forward(self, x):
        self.x_shape = x.shape
        return self._im2col(x)

    def backward(self, grad):
        return self._col2im(grad, self.x_shape)


class Fold(_Blocks):
    """The adjoint of Unfold, y = unpad(col2im(x)): each column entry added to the output pixel
    it stands for (overlapping windows sum);  dx = im2col(pad(g)).
    x (N, C·kh·kw, L) -> (N, C, H, W), L the number of windows in the padded (H, W)."""

    def __init__(self, output_size, kernel, dilation, padding, stride):
        super().__init__(kernel, dilation, padding, stride)
        self.output_size = tuple(output_size)
        top, bottom, left, right = self.pads
        self.padded_hw = (self.output_size[0] + top + bottom, self.output_size[1] + left + right)
        self.out_hw = window_counts(self.padded_hw, kernel, stride, dilation)

    def forward(self, x):
        channels = x.shape[1] // (self.kernel[0] * self.kernel[1])
        return self._col2im(x, (x.shape[0], channels) + self.output_size)

    def backward(self, grad):
        return self._im2col(grad)
