"""Linear algebra beyond the op registry: results without gradients (ranks, signs, mode='r'),
shapes of full SVDs, gradients where PyTorch's differ from the true derivative, and errors."""
import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.linalg as LA

torch = pytest.importorskip("torch", reason="PyTorch is the reference for linear algebra results")

RNG = np.random.default_rng(0)


def _t(a):
    return torch.from_numpy(np.asarray(a))


def test_det_gradient_of_a_singular_matrix_is_the_cofactor_matrix():
    """d det / dA is the cofactor matrix, nonzero for a matrix of rank n - 1 (PyTorch gives zeros)."""
    a = cr.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=cr.float64, requires_grad=True)
    cr.det(a).backward()
    np.testing.assert_allclose(a.grad.data, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    b = cr.tensor([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 1.0, 3.0]], dtype=cr.float64, requires_grad=True)
    assert cr.gradcheck(cr.det, b)


def test_slogdet_sign_and_logdet_of_a_negative_determinant():
    a = RNG.standard_normal((4, 3, 3))
    ours, theirs = cr.slogdet(cr.tensor(a)), torch.linalg.slogdet(_t(a))
    np.testing.assert_array_equal(ours.sign.numpy(), theirs.sign.numpy())
    np.testing.assert_allclose(ours.logabsdet.numpy(), theirs.logabsdet.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(np.isnan(cr.logdet(cr.tensor(a)).numpy()), np.isnan(torch.logdet(_t(a)).numpy()))
    assert np.isneginf(cr.logdet(cr.zeros(2, 2)).item())


def test_matrix_rank_matches_torch_and_numpy():
    low_rank = RNG.standard_normal((3, 5, 2)) @ RNG.standard_normal((3, 2, 4))
    for kwargs in ({}, dict(atol=1.0), dict(rtol=0.3), dict(atol=0.5, rtol=0.1)):
        ours = LA.matrix_rank(cr.tensor(low_rank), **kwargs)
        assert ours.dtype == np.int64 and not ours.requires_grad
        np.testing.assert_array_equal(ours.numpy(), torch.linalg.matrix_rank(_t(low_rank), **kwargs).numpy())
    np.testing.assert_array_equal(LA.matrix_rank(cr.tensor(low_rank)).numpy(), np.linalg.matrix_rank(low_rank))
    sym = low_rank[0, :4] + low_rank[0, :4].T
    assert LA.matrix_rank(cr.tensor(sym), hermitian=True).item() == torch.linalg.matrix_rank(
        _t(sym), hermitian=True).item()


def test_lstsq_fields_as_pytorch_cpu_default():
    a, b = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 2))
    ours, theirs = LA.lstsq(cr.tensor(a), cr.tensor(b)), torch.linalg.lstsq(_t(a), _t(b))
    np.testing.assert_allclose(ours.solution.numpy(), theirs.solution.numpy(), rtol=1e-10)
    assert ours.rank.item() == theirs.rank.item() == 3
    assert ours.residuals.shape == tuple(theirs.residuals.shape)
    assert ours.singular_values.shape == tuple(theirs.singular_values.shape)
    vector = LA.lstsq(cr.tensor(a), cr.tensor(b[:, 0])).solution
    np.testing.assert_allclose(vector.numpy(), theirs.solution.numpy()[:, 0], rtol=1e-10)


def test_qr_mode_r_gives_r_only():
    a = RNG.standard_normal((4, 3))
    Q, R = LA.qr(cr.tensor(a), mode="r")
    assert Q.shape == (0,)
    np.testing.assert_allclose(np.abs(R.numpy()), np.abs(torch.linalg.qr(_t(a), mode="r").R.numpy()), rtol=1e-10)


def test_full_svd_and_complete_qr_shapes_and_orthogonality():
    a = RNG.standard_normal((2, 4, 3))
    U, S, Vh = LA.svd(cr.tensor(a))
    tU, tS, tVh = torch.linalg.svd(_t(a))
    assert (U.shape, S.shape, Vh.shape) == (tuple(tU.shape), tuple(tS.shape), tuple(tVh.shape))
    np.testing.assert_allclose(U.numpy().swapaxes(-1, -2) @ U.numpy(), np.broadcast_to(np.eye(4), (2, 4, 4)),
                               atol=1e-12)
    Q, R = LA.qr(cr.tensor(a), mode="complete")
    assert (Q.shape, R.shape) == ((2, 4, 4), (2, 4, 3))
    np.testing.assert_allclose(Q.numpy() @ R.numpy(), a, atol=1e-12)
    x = cr.tensor(a[0], requires_grad=True)
    with pytest.raises(ValueError, match="linalg.qr: .*mode='complete'.*\\(4, 3\\)"):
        LA.qr(x, mode="complete").Q.sum().backward()


@pytest.mark.parametrize("p", ["fro", "nuc", float("inf"), -float("inf"), 1, -1, 2, -2, None])
def test_cond_values_match_torch(p):
    a = RNG.standard_normal((2, 3, 3))
    np.testing.assert_allclose(LA.cond(cr.tensor(a), p).numpy(), torch.linalg.cond(_t(a), p).numpy(), rtol=1e-10)


def test_pinv_with_a_cut_off_matches_torch_values():
    a = RNG.standard_normal((5, 2)) @ RNG.standard_normal((2, 4))   # rank 2
    for kwargs in ({}, dict(rtol=0.5), dict(atol=1e-8)):
        np.testing.assert_allclose(LA.pinv(cr.tensor(a), **kwargs).numpy(),
                                   torch.linalg.pinv(_t(a), **kwargs).numpy(), atol=1e-10)


def test_cross_without_dim_takes_the_first_dim_of_size_3():
    a, b = RNG.standard_normal((3, 3, 4)), RNG.standard_normal((3, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch: a default dim is deprecated
        expected = torch.cross(_t(a), _t(b)).numpy()
    np.testing.assert_allclose(cr.cross(cr.tensor(a), cr.tensor(b)).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(LA.cross(cr.tensor(a[..., :3]), cr.tensor(b[..., :3])).numpy(),
                               torch.linalg.cross(_t(a[..., :3]), _t(b[..., :3])).numpy(), rtol=1e-12)


def test_matrix_power_zero_is_the_identity():
    a = cr.tensor(RNG.standard_normal((2, 3, 3)))
    np.testing.assert_array_equal(cr.matrix_power(a, 0).numpy(), torch.matrix_power(_t(a.numpy()), 0).numpy())


def test_integer_matrix_products_stay_integer():
    a = np.arange(6).reshape(2, 3)
    for ours, theirs in [(cr.mm(cr.tensor(a), cr.tensor(a.T)), torch.mm(_t(a), _t(a.T))),
                         (cr.matrix_power(cr.tensor(a @ a.T), 3), torch.matrix_power(_t(a @ a.T), 3)),
                         (cr.kron(cr.tensor(a), cr.tensor(a)), torch.kron(_t(a), _t(a)))]:
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("call, error, message", [
    (lambda: cr.det(cr.ones(2, 3)), ValueError, r"det: expected a square matrix .*\(2, 3\)"),
    (lambda: cr.inverse(cr.ones(3)), ValueError, r"inverse: expected a square matrix .*\(3,\)"),
    (lambda: cr.inverse(cr.ones(2, 2)), np.linalg.LinAlgError, r"inverse: the matrix is singular .*\(2, 2\)"),
    (lambda: LA.solve(cr.ones(2, 2), cr.ones(2)), np.linalg.LinAlgError, r"linalg.solve: .*\(2, 2\) is singular"),
    (lambda: LA.solve(cr.eye(2), cr.ones(3, 1)), ValueError, r"linalg.solve: .*\(2, 2\).*\(3, 1\)"),
    (lambda: LA.cholesky(-cr.eye(2)), np.linalg.LinAlgError, r"linalg.cholesky: .*positive-definite .*\(2, 2\)"),
    (lambda: LA.eigh(cr.ones(2, 3)), ValueError, r"linalg.eigh: expected a square .*\(2, 3\)"),
    (lambda: cr.det(cr.tensor([[1, 2], [3, 4]])), TypeError, r"det: expected a floating-point tensor, got int64"),
    (lambda: cr.mm(cr.ones(2, 3), cr.ones(3)), ValueError,
     r"mm: expected 2-D, 2-D operands, got shapes \(2, 3\), \(3,\)"),
    (lambda: cr.mm(cr.ones(2, 3), cr.ones(2, 3)), ValueError, r"matmul: \(2, 3\) @ \(2, 3\): inner sizes 3 and 2"),
    (lambda: cr.bmm(cr.ones(2, 2, 3), cr.ones(3, 3, 2)), ValueError, r"bmm: batch sizes 2 and 3 differ"),
    (lambda: cr.dot(cr.ones(2), cr.ones(3)), ValueError, r"dot: vectors of sizes 2 and 3 differ"),
    (lambda: cr.cross(cr.ones(2, 4), cr.ones(2, 4)), ValueError, r"cross: no dim of size 3 .*\(2, 4\)"),
    (lambda: cr.cross(cr.ones(3, 4), cr.ones(3, 4), dim=1), ValueError, r"cross: dim 1 must have size 3"),
    (lambda: cr.tensordot(cr.ones(2, 3), cr.ones(2, 3), dims=1), ValueError,
     r"tensordot: dim 1 of a \(size 3\) and dim 0 of b \(size 2\) differ"),
    (lambda: cr.matrix_power(cr.eye(2), 1.5), TypeError, r"matrix_power: n must be an integer"),
    (lambda: cr.addmm(cr.ones(3, 3), cr.ones(2, 3), cr.ones(3, 4)), ValueError,
     r"addmm: input of shape \(3, 3\) does not broadcast to the product's shape \(2, 4\)"),
    (lambda: cr.cdist(cr.ones(2, 3), cr.ones(2, 4)), ValueError, r"cdist: .*\(2, 3\) and \(2, 4\)"),
    (lambda: LA.matrix_norm(cr.ones(2, 2), ord=3), ValueError, r"linalg.matrix_norm: ord must be"),
    (lambda: LA.vector_norm(cr.tensor([1, 2])), TypeError, r"linalg.vector_norm: expected a floating-point"),
    (lambda: LA.qr(cr.ones(2, 2), mode="full"), ValueError, r"linalg.qr: mode must be"),
    (lambda: LA.multi_dot([cr.ones(2, 2)]), ValueError, r"multi_dot: expected at least 2 tensors"),
    (lambda: cr.block_diag(cr.ones(1, 1, 1)), ValueError, r"block_diag: tensor 0 has shape \(1, 1, 1\)"),
    (lambda: cr.cartesian_prod(cr.ones(2, 2)), ValueError, r"cartesian_prod: tensor 0 has shape \(2, 2\)"),
])
def test_errors_name_the_function_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
