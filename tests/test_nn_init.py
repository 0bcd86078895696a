"""nn.init's structured initializers (eye_, dirac_, orthogonal_, sparse_) and calculate_gain:
their defining properties, dtype and generator handling, errors, and PyTorch's values where
they are deterministic."""
import math

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule.nn import init


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison; "
                               "pip install torch==2.13.0")


@pytest.mark.parametrize("shape, groups", [((3, 4, 3), 1), ((6, 2, 3, 3), 2), ((4, 4, 2, 3, 3), 1),
                                           ((2, 5, 4), 1), ((4, 2, 2, 2), 4)])
def test_dirac_matches_torch(shape, groups):
    torch = _torch()
    ours, theirs = cr.ones(*shape), torch.ones(*shape)
    assert init.dirac_(ours, groups) is ours
    torch.nn.init.dirac_(theirs, groups)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)])
def test_eye_matches_torch(shape):
    torch = _torch()
    ours, theirs = cr.ones(*shape, dtype=cr.float64), torch.ones(*shape, dtype=torch.float64)
    init.eye_(ours)
    torch.nn.init.eye_(theirs)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == np.float64


def test_dirac_convolution_starts_as_the_identity():
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = cr.randn(2, 3, 5, 5)
    np.testing.assert_allclose(conv(x).numpy(), x.numpy(), atol=1e-6)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (6, 6)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    weight = cr.zeros(*shape)
    init.orthogonal_(weight, gain=2.0)
    m = weight.numpy().reshape(shape[0], -1).astype(np.float64)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4 * np.eye(min(m.shape)), atol=1e-5)
    assert weight.dtype == np.float32


def test_sparse_zeroes_the_same_count_in_every_column():
    weight = cr.zeros(10, 50)
    init.sparse_(weight, sparsity=0.35, std=0.5)
    zeros = (weight.numpy() == 0).sum(axis=0)
    assert (zeros == math.ceil(0.35 * 10)).all()
    kept = weight.numpy()[weight.numpy() != 0]
    assert abs(kept.std() - 0.5) < 0.1
    rows_zeroed = [tuple(np.flatnonzero(weight.numpy()[:, j] == 0)) for j in range(50)]
    assert len(set(rows_zeroed)) > 1          # each column draws its own rows


def test_random_initializers_follow_the_generator():
    for fill in (lambda t, g: init.orthogonal_(t, generator=g),
                 lambda t, g: init.sparse_(t, 0.5, generator=g),
                 lambda t, g: init.trunc_normal_(t, a=-0.5, b=0.5, generator=g)):
        a, b = cr.zeros(4, 6), cr.zeros(4, 6)
        fill(a, cr.Generator().manual_seed(3))
        fill(b, cr.Generator().manual_seed(3))
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("call, message", [
    (lambda: init.eye_(cr.zeros(2, 2, 2)), "eye_: only 2-d tensors"),
    (lambda: init.dirac_(cr.zeros(2, 2)), "dirac_: only 3-, 4- and 5-d"),
    (lambda: init.dirac_(cr.zeros(3, 2, 3), groups=2), r"dim 0 \(3\) must be divisible by groups \(2\)"),
    (lambda: init.orthogonal_(cr.zeros(3)), "orthogonal_: only tensors with 2 or more"),
    (lambda: init.sparse_(cr.zeros(3, 2, 2), 0.1), "sparse_: only 2-d tensors"),
])
def test_initializer_errors_name_the_function_and_shape(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_calculate_gain_matches_torch_for_every_nonlinearity():
    torch = _torch()
    names = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
    for name in names:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.2))
