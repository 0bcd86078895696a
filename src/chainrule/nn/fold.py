"""Sliding blocks: ``unfold`` cuts an image into its windows, ``fold`` adds windows back into an image.

unfold (N, C, H, W) -> (N, C·kh·kw, L): column l holds the window at the l-th position
(row-major), its entries ordered (channel, kernel row, kernel column), as PyTorch's.  fold is
its adjoint: (N, C·kh·kw, L) -> (N, C, H, W), overlapping entries summed.  So a convolution
is ``W.view(O, -1) @ unfold(x)``, and fold(unfold(x)) is x times how many windows cover each
pixel.  Both run the im2col/col2im helpers of ``chainrule.ops.convolution``.
"""
from chainrule.nn._inputs import layer_input
from chainrule.nn.conv import _tuple
from chainrule.nn.module import Module
from chainrule.ops import convolution as _conv
from chainrule.tensor import apply


def _geometry(kernel_size, dilation, padding, stride, where):
    return (_tuple(kernel_size, 2, "kernel_size", where, 1), _tuple(dilation, 2, "dilation", where, 1),
            _tuple(padding, 2, "padding", where, 0), _tuple(stride, 2, "stride", where, 1))


def _describe(kernel, dilation, padding, stride):
    return f"kernel_size={kernel}, dilation={dilation}, padding={padding} and stride={stride}"


def _window_counts(spatial, geometry, where, input_shape):
    kernel, dilation, padding, stride = geometry
    padded = tuple(size + 2 * p for size, p in zip(spatial, padding))
    counts = _conv.window_counts(padded, kernel, stride, dilation)
    if min(counts) < 1:
        raise ValueError(f"{where}: input of shape {tuple(input_shape)} with spatial size "
                         f"{tuple(spatial)} fits no window: {_describe(*geometry)} give "
                         f"{counts} windows")
    return counts


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding windows of (N, C, H, W) or (C, H, W) as columns: (N, C·kh·kw, L).

    L = Ho·Wo, Ho = ⌊(H + 2·padding - dilation·(kh - 1) - 1) / stride⌋ + 1, likewise Wo;
    out[n, c·kh·kw + i·kw + j, p·Wo + q] = x_pad[n, c, p·sh + i·dh, q·sw + j·dw].

    >>> unfold(chainrule.ones(2, 3, 5, 5), kernel_size=2).shape
    (2, 12, 16)
    """
    where = "unfold"
    input = layer_input(input, None, where)
    if input.ndim not in (3, 4):
        raise ValueError(f"{where} expects a 4-d input (N, C, H, W) or a 3-d one (C, H, W), got "
                         f"shape {input.shape}")
    geometry = _geometry(kernel_size, dilation, padding, stride, where)
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    _window_counts(x.shape[2:], geometry, where, input.shape)
    out = apply(_conv.Unfold(*geometry), x)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum the columns of (N, C·kh·kw, L) or (C·kh·kw, L) back into an image (N, C, *output_size).

    The adjoint of ``unfold``: each column is a window at its position in the padded image,
    and entries that land on the same pixel add up; the padding is then cut off.  L must be
    the number of windows that fit in ``output_size``.

    >>> fold(chainrule.ones(1, 4, 9), output_size=(4, 4), kernel_size=2).shape
    (1, 1, 4, 4)
    """
    where = "fold"
    input = layer_input(input, None, where)
    if input.ndim not in (2, 3):
        raise ValueError(f"{where} expects a 3-d input (N, C·kh·kw, L) or a 2-d one (C·kh·kw, L), "
                         f"got shape {input.shape}")
    size = _tuple(output_size, 2, "output_size", where, 1)
    geometry = _geometry(kernel_size, dilation, padding, stride, where)
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    area = geometry[0][0] * geometry[0][1]
    if x.shape[1] == 0 or x.shape[1] % area:
        raise ValueError(f"{where}: dimension 1 of input of shape {input.shape} ({x.shape[1]}) "
                         f"must be a positive multiple of the kernel's area "
                         f"{geometry[0][0]}·{geometry[0][1]} = {area}")
    counts = _window_counts(size, geometry, where, input.shape)
    if x.shape[2] != counts[0] * counts[1]:
        raise ValueError(f"{where}: input of shape {input.shape} has {x.shape[2]} blocks, but "
                         f"output_size={size} with {_describe(*geometry)} holds {counts[0]}·"
                         f"{counts[1]} = {counts[0] * counts[1]}")
    out = apply(_conv.Fold(size, *geometry), x)
    return out if batched else out.squeeze(0)


class _BlocksLayer(Module):
    """What Unfold and Fold share: the geometry, stored as given (PyTorch prints it so)."""

    def __init__(self, kernel_size, dilation, padding, stride):
        super().__init__()
        _geometry(kernel_size, dilation, padding, stride, type(self).__name__)   # fail early
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def _call(self, function, *args):
        try:
            return function(*args, self.kernel_size, self.dilation, self.padding, self.stride)
        except ValueError as error:   # name the layer, not the function
            raise ValueError(str(error).replace(function.__name__, repr(self), 1)) from None

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Unfold(_BlocksLayer):
    """Extract sliding windows: (N, C, H, W) -> (N, C·kh·kw, L); see ``unfold``.

    >>> chainrule.nn.Unfold(kernel_size=(2, 3))(chainrule.ones(2, 5, 3, 4)).shape
    (2, 30, 4)
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__(kernel_size, dilation, padding, stride)

    def forward(self, input):
        return self._call(unfold, input)


class Fold(_BlocksLayer):
    """Sum sliding windows back into an image: (N, C·kh·kw, L) -> (N, C, *output_size); see ``fold``.

    >>> chainrule.nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(chainrule.ones(1, 12, 12)).shape
    (1, 3, 4, 5)
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__(kernel_size, dilation, padding, stride)
        _tuple(output_size, 2, "output_size", "Fold", 1)
        self.output_size = output_size

    def forward(self, input):
        return self._call(fold, input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}, " + super().extra_repr()
