"""Convolution layers against PyTorch: same weights, same forward, same gradients, same repr."""
import itertools

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _compare(ours, theirs, x, dtype, **kwargs):
    """Load theirs' weights into ours, then compare output and all gradients at one input."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = x.astype(dtype)
    x_cr, x_t = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y_cr, y_t = ours(x_cr, **kwargs), theirs(x_t, **kwargs)
    assert y_cr.shape == tuple(y_t.shape) and y_cr.dtype == dtype
    g = np.random.default_rng(1).standard_normal(y_cr.shape).astype(dtype)
    y_cr.backward(g)
    y_t.backward(torch.tensor(g))
    tol = TOL[dtype]
    scale = max(1.0, float(np.abs(y_t.detach().numpy()).max()))
    np.testing.assert_allclose(y_cr.numpy(), y_t.detach().numpy(), atol=tol * scale, rtol=tol)
    np.testing.assert_allclose(x_cr.grad.numpy(), x_t.grad.numpy(), atol=tol * 10, rtol=tol)
    ours_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(ours_params[name].grad.numpy(), p.grad.numpy(), atol=tol * 10 * scale,
                                   rtol=tol, err_msg=name)
    assert repr(ours) == repr(theirs)


def _spread(grid, count):
    """``count`` configurations spread over the full product ``grid`` (a fixed, seeded sample):
    every value of every hyperparameter still appears, at a fraction of the runtime."""
    grid = list(grid)
    return [grid[i] for i in sorted(np.random.default_rng(0).choice(len(grid), count, replace=False))]


def _torch_dtype(dtype):
    return torch.float64 if dtype == np.float64 else torch.float32


CONV2D_GRID = _spread([  # (kernel, stride, padding, dilation, groups, bias, padding_mode)
    (k, s, p, d, g, b, m)
    for k, s, p, d, g, b, m in itertools.product(
        [3, (2, 3)], [1, (2, 1)], [0, (1, 2), "same", "valid"], [1, (2, 1)], [1, 2], [True, False],
        ["zeros", "circular"])
    if not (p == "same" and s != 1)
], 48)


@pytest.mark.parametrize("config", CONV2D_GRID, ids=str)
def test_conv2d_matches_torch_float64(config):
    k, s, p, d, g, b, m = config
    ours = nn.Conv2d(4, 6, k, s, p, d, g, b, m, dtype="float64")
    theirs = torch.nn.Conv2d(4, 6, k, s, p, d, g, b, m, dtype=torch.float64)
    _compare(ours, theirs, np.random.default_rng(0).standard_normal((2, 4, 7, 8)), np.float64)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv2d_padding_modes_and_unbatched(mode, dtype):
    ours = nn.Conv2d(3, 4, (3, 2), padding=(1, 2), padding_mode=mode, dtype=dtype)
    theirs = torch.nn.Conv2d(3, 4, (3, 2), padding=(1, 2), padding_mode=mode, dtype=_torch_dtype(dtype))
    x = np.random.default_rng(2).standard_normal((3, 6, 5))
    _compare(ours, theirs, x, dtype)
    _compare(ours, theirs, x[None], dtype)


CONV1D_GRID = _spread([(k, s, p, d, g, m) for k, s, p, d, g, m in itertools.product(
    [1, 4], [1, 3], [0, 2, "same", "valid"], [1, 2], [1, 2], ["zeros", "reflect", "replicate", "circular"])
    if not (p == "same" and s != 1)], 32)


@pytest.mark.parametrize("config", CONV1D_GRID, ids=str)
def test_conv1d_matches_torch(config):
    k, s, p, d, g, m = config
    ours = nn.Conv1d(4, 2, k, s, p, d, g, padding_mode=m, dtype="float64")
    theirs = torch.nn.Conv1d(4, 2, k, s, p, d, g, padding_mode=m, dtype=torch.float64)
    x = np.random.default_rng(3).standard_normal((2, 4, 11))
    _compare(ours, theirs, x, np.float64)
    _compare(ours, theirs, x[0], np.float64)


TRANSPOSE_GRID = _spread([(k, s, p, op, g, b, d) for k, s, p, op, g, b, d in itertools.product(
    [3, (2, 3)], [1, 2, (2, 3)], [0, (1, 2)], [0, 1], [1, 2], [True, False], [1, 2])
    if op < max(s if isinstance(s, int) else min(s), d)], 40)


@pytest.mark.parametrize("config", TRANSPOSE_GRID, ids=str)
def test_conv_transpose2d_matches_torch_float64(config):
    k, s, p, op, g, b, d = config
    ours = nn.ConvTranspose2d(4, 6, k, s, p, op, g, b, d, dtype="float64")
    theirs = torch.nn.ConvTranspose2d(4, 6, k, s, p, op, g, b, d, dtype=torch.float64)
    _compare(ours, theirs, np.random.default_rng(4).standard_normal((2, 4, 5, 4)), np.float64)


def test_conv_transpose2d_output_size_and_unbatched():
    ours = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, dtype="float64")
    theirs = torch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, dtype=torch.float64)
    x = np.random.default_rng(5).standard_normal((2, 4, 5, 6))
    _compare(ours, theirs, x, np.float64, output_size=(10, 11))
    _compare(ours, theirs, x[0], np.float64, output_size=[2, 9, 12])


LENET_LIKE = [  # (layer arguments, input shape): the shapes of the benchmarks, batch cut down
    (dict(in_channels=1, out_channels=6, kernel_size=5, padding=2), (4, 1, 28, 28)),
    (dict(in_channels=6, out_channels=16, kernel_size=5), (4, 6, 14, 14)),
    (dict(in_channels=16, out_channels=16, kernel_size=3, padding=1, groups=4, stride=2), (4, 16, 16, 16)),
]


@pytest.mark.parametrize("arguments, shape", LENET_LIKE)
def test_float32_matches_torch(arguments, shape):
    ours, theirs = nn.Conv2d(**arguments), torch.nn.Conv2d(**arguments)
    _compare(ours, theirs, np.random.default_rng(6).standard_normal(shape), np.float32)
    ours, theirs = nn.ConvTranspose2d(**arguments), torch.nn.ConvTranspose2d(**arguments)
    _compare(ours, theirs, np.random.default_rng(6).standard_normal(shape), np.float32)


def test_functional_forms_match_torch():
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((2, 4, 9, 7)), rng.standard_normal((6, 2, 3, 2)), rng.standard_normal(6)
    ours = cr.nn.functional.conv2d(cr.tensor(x), cr.tensor(w), cr.tensor(b), 2, "valid", (1, 2), 2)
    theirs = torch.nn.functional.conv2d(*map(torch.tensor, (x, w, b)), 2, "valid", (1, 2), 2)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)
    ours = cr.nn.functional.conv1d(cr.tensor(x[:, :, 0]), cr.tensor(w[..., 0]), None, 1, "same", 2, 2)
    theirs = torch.nn.functional.conv1d(torch.tensor(x[:, :, 0]), torch.tensor(w[..., 0]), None, 1, "same", 2, 2)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)
    wt = rng.standard_normal((4, 3, 3, 2))
    ours = cr.nn.functional.conv_transpose2d(cr.tensor(x), cr.tensor(wt), None, 2, 1, (1, 0), 1, (2, 1))
    theirs = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(wt), None, 2, 1, (1, 0), 1, (2, 1))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)


def test_default_initialization_matches_torch_distribution():
    """Same bounds as PyTorch: the largest |w| and |b| of a big layer sit just under 1/√fan_in."""
    for ours, theirs in ((nn.Conv2d(8, 64, 3, groups=2), torch.nn.Conv2d(8, 64, 3, groups=2)),
                         (nn.ConvTranspose2d(8, 64, 3, groups=2), torch.nn.ConvTranspose2d(8, 64, 3, groups=2))):
        for name, p in theirs.named_parameters():
            mine = dict(ours.named_parameters())[name].numpy()
            assert mine.shape == tuple(p.shape) and mine.dtype == np.float32
            theirs_max, mine_max = float(p.detach().abs().max()), float(np.abs(mine).max())
            assert abs(mine_max - theirs_max) < 0.1 * theirs_max, name
            assert abs(mine.std() - float(p.detach().std())) < 0.25 * float(p.detach().std()), name


TRANSPOSE1D_GRID = _spread([(k, s, p, op, g, b, d) for k, s, p, op, g, b, d in itertools.product(
    [1, 3, 4], [1, 2, 3], [0, 1, 2], [0, 1, 2], [1, 2], [True, False], [1, 2])
    if op < max(s, d)], 24)


def _layers(name, args, dtype):
    """nn.<name>(*args) of chainrule and of torch, both in ``dtype``."""
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    return (ours.double(), theirs.double()) if dtype == np.float64 else (ours, theirs)


@pytest.mark.parametrize("config", TRANSPOSE1D_GRID, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_transpose1d_matches_torch(config, dtype):
    ours, theirs = _layers("ConvTranspose1d", (4, 6) + config, dtype)
    _compare(ours, theirs, np.random.default_rng(8).standard_normal((2, 4, 7)), dtype)


def test_conv_transpose1d_output_size_unbatched_and_state_dict():
    ours = nn.ConvTranspose1d(4, 2, 3, stride=3, padding=1, bias=False).double()
    theirs = torch.nn.ConvTranspose1d(4, 2, 3, stride=3, padding=1, bias=False).double()
    x = np.random.default_rng(9).standard_normal((2, 4, 5))
    _compare(ours, theirs, x, np.float64, output_size=(14,))
    _compare(ours, theirs, x[0], np.float64, output_size=[2, 15])
    assert {k: tuple(v.shape) for k, v in nn.ConvTranspose1d(4, 6, 3, groups=2).state_dict().items()} == \
        {k: tuple(v.shape) for k, v in torch.nn.ConvTranspose1d(4, 6, 3, groups=2).state_dict().items()}


CONV3D_GRID = _spread([  # (kernel, stride, padding, dilation, groups, bias, padding_mode)
    (k, s, p, d, g, b, m)
    for k, s, p, d, g, b, m in itertools.product(
        [3, (2, 3, 1)], [1, (2, 1, 2)], [0, (1, 0, 2), "same"], [1, (2, 1, 1)], [1, 2], [True, False],
        ["zeros", "reflect", "replicate", "circular"])
    if not (p == "same" and s != 1)
], 24)


@pytest.mark.parametrize("config", CONV3D_GRID, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv3d_matches_torch(config, dtype):
    """Conv3d (2-d convolutions summed over the kernel's depth) against PyTorch's, unbatched too."""
    ours, theirs = _layers("Conv3d", (4, 6) + config, dtype)
    x = np.random.default_rng(10).standard_normal((2, 4, 5, 6, 5))
    _compare(ours, theirs, x, dtype)
    _compare(ours, theirs, x[0], dtype)
