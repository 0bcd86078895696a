"""Creation functions, random sampling, generators, the default dtype and Tensor utilities.

Deterministic results are compared with PyTorch (dtypes, shapes, values); random ones with
their distributions' moments, and with themselves under the same seed.
"""
import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

torch = pytest.importorskip("torch", reason="PyTorch is the reference for dtypes, shapes and names")


def _same(ours, theirs):
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == theirs.numpy().dtype, f"dtype {ours.dtype}, torch gives {theirs.dtype}"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.fixture
def float64_default():
    cr.set_default_dtype(cr.float64)
    yield
    cr.set_default_dtype(cr.float32)


# --------------------------------------------------------------------------- creation
@pytest.mark.parametrize("fill", [1, True, 1.5, -2])
def test_full_infers_dtype_from_fill_as_torch(fill):
    _same(cr.full((2, 3), fill), torch.full((2, 3), fill))


@pytest.mark.parametrize("args", [(5,), (1, 7, 2), (0.0, 3), (1, 2.5, 0.5), (np.int64(4),), (-3, 3)])
def test_arange_dtype_as_torch(args):
    _same(cr.arange(*args), torch.arange(*[a.item() if isinstance(a, np.generic) else a for a in args]))


@pytest.mark.parametrize("make", ["zeros", "ones", "empty"])
def test_zeros_ones_empty_take_dtype_and_requires_grad(make):
    t = getattr(cr, make)(2, 3, dtype=cr.float64, requires_grad=True)
    assert t.shape == (2, 3) and t.dtype == np.float64 and t.requires_grad and t.is_leaf
    assert getattr(cr, make)((4,), dtype="int32").dtype == np.int32
    with pytest.raises(RuntimeError, match="floating-point"):
        getattr(cr, make)(2, dtype=cr.int64, requires_grad=True)


@pytest.mark.parametrize("kw", [dict(), dict(base=2.0), dict(dtype=torch.float64)])
def test_logspace_matches_torch(kw):
    ours = dict(kw, dtype=cr.float64) if "dtype" in kw else kw
    _same(cr.logspace(-1, 2, 7, **ours), torch.logspace(-1, 2, 7, **kw))
    assert cr.logspace(0, 1, 0).shape == (0,)


def test_eye_rectangular_matches_torch():
    _same(cr.eye(2, 4), torch.eye(2, 4))
    _same(cr.eye(3), torch.eye(3))


def test_like_functions_keep_shape_and_dtype():
    x = cr.zeros(2, 3, dtype=cr.float64)
    for made in (cr.empty_like(x), cr.rand_like(x), cr.randn_like(x), cr.randint_like(x, 5)):
        assert made.shape == (2, 3) and made.dtype == np.float64 and not made.requires_grad
    assert cr.empty_like(x, dtype=cr.int32).dtype == np.int32
    assert cr.rand_like(x, requires_grad=True).requires_grad
    u = cr.rand_like(cr.zeros(1000)).numpy()
    assert u.dtype == np.float32 and u.min() >= 0 and u.max() < 1
    k = cr.randint_like(cr.zeros(1000, dtype=cr.int32), 2, 5).numpy()
    assert k.dtype == np.int32 and set(np.unique(k)) == {2, 3, 4}
    assert torch.randint_like(torch.zeros(2, dtype=torch.int32), 2, 5).dtype == torch.int32


def test_like_functions_refuse_bad_input():
    with pytest.raises(TypeError, match="rand_like: random floats need a floating dtype"):
        cr.rand_like(cr.zeros(2, dtype=cr.int64))
    with pytest.raises(TypeError, match="empty_like: expected a Tensor"):
        cr.empty_like([1, 2])
    with pytest.raises(ValueError, match=r"randint_like: low \(5\) must be less than high \(5\)"):
        cr.randint_like(cr.zeros(2), 5, 5)


def test_randint_short_and_long_forms():
    cr.manual_seed(0)
    short = cr.randint(5, (1000,))
    assert short.dtype == np.int64 and short.shape == (1000,)
    assert set(np.unique(short.numpy())) == set(range(5))
    long = cr.randint(-2, 2, size=(3, 4), dtype=cr.int32)
    assert long.dtype == np.int32 and long.numpy().min() >= -2 and long.numpy().max() < 2


# --------------------------------------------------------------------------- the default dtype
def test_default_dtype_is_float32_and_can_be_float64(float64_default):
    assert cr.get_default_dtype() == np.float64
    assert cr.tensor([1.5]).dtype == np.float64
    for made in (cr.zeros(2), cr.ones(2), cr.rand(2), cr.randn(2), cr.full((2,), 1.5),
                 cr.arange(0.0, 1.0, 0.5), cr.linspace(0, 1, 3), cr.logspace(0, 1, 3), cr.eye(2),
                 cr.tensor([1, 2]) * 1.5, cr.tensor([1, 2]) / 2, nn.Linear(2, 3).weight):
        assert made.dtype == np.float64
    assert cr.tensor([1, 2]).dtype == np.int64 and cr.full((2,), 3).dtype == np.int64
    assert repr(cr.tensor([1.0])) == "tensor([1.])"
    assert repr(cr.tensor([1.0], dtype=cr.float32)) == "tensor([1.], dtype=float32)"


def test_default_dtype_restored_and_checked():
    assert cr.get_default_dtype() == np.float32 and torch.get_default_dtype() == torch.float32
    assert cr.tensor(0.5).dtype == np.float32
    for bad in (cr.int64, "float16", "nonsense"):
        with pytest.raises(TypeError, match="set_default_dtype: only float32 and float64"):
            cr.set_default_dtype(bad)
    assert cr.get_default_dtype() == np.float32


# --------------------------------------------------------------------------- generators
def _draws(generator):
    return [cr.rand(3, generator=generator), cr.randn(2, 2, generator=generator),
            cr.randint(0, 10, (4,), generator=generator), cr.randperm(6, generator=generator),
            cr.normal(0.0, 2.0, (3,), generator=generator),
            cr.normal(cr.zeros(3), cr.ones(3), generator=generator),
            cr.bernoulli(cr.full((5,), 0.5), generator=generator),
            cr.poisson(cr.full((4,), 3.0), generator=generator),
            cr.multinomial(cr.ones(2, 5), 3, generator=generator),
            cr.multinomial(cr.ones(5), 4, replacement=True, generator=generator)]


def test_same_seed_same_numbers():
    first = _draws(cr.Generator().manual_seed(7))
    again = _draws(cr.Generator().manual_seed(7))
    other = _draws(cr.Generator().manual_seed(8))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(first[0].numpy(), other[0].numpy())


def test_generators_are_independent_of_each_other_and_of_the_global_stream():
    cr.manual_seed(3)
    expected_global = cr.rand(4).numpy()
    alone = cr.rand(4, generator=cr.Generator().manual_seed(1)).numpy()
    cr.manual_seed(3)
    g1, g2 = cr.Generator().manual_seed(1), cr.Generator().manual_seed(2)
    cr.rand(10, generator=g2)                  # advancing g2 leaves g1 where it was
    np.testing.assert_array_equal(cr.rand(4, generator=g1).numpy(), alone)
    np.testing.assert_array_equal(cr.rand(4).numpy(), expected_global)   # nor did they move the global one


def test_global_seed_behaviour_unchanged():
    cr.manual_seed(0)
    np.testing.assert_array_equal(cr.rand(3).numpy(),
                                  np.random.default_rng(0).random(3).astype(np.float32))
    assert cr.initial_seed() == 0


def test_generator_seed_state_and_defaults():
    g = cr.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == cr.Generator.default_seed
    unseeded = cr.rand(3, generator=cr.Generator()).numpy()
    np.testing.assert_array_equal(cr.rand(3, generator=g).numpy(), unseeded)
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    state = g.get_state()
    before = cr.randn(5, generator=g).numpy()
    assert g.set_state(state) is g
    np.testing.assert_array_equal(cr.randn(5, generator=g).numpy(), before)
    state_after = g.get_state()
    cr.rand(2, generator=g)
    assert g.get_state() != state_after        # a snapshot, not a live view
    seed = g.seed()
    assert isinstance(seed, int) and g.initial_seed() == seed
    with pytest.raises(ValueError, match="Generator.set_state"):
        g.set_state({"nonsense": 1})
    with pytest.raises(ValueError, match="Generator: device 'cuda'"):
        cr.Generator("cuda")
    with pytest.raises(TypeError, match="rand: generator must be a chainrule.Generator"):
        cr.rand(2, generator=42)


def test_nn_init_dataloader_and_random_split_take_a_generator():
    w1, w2 = cr.empty(3, 4), cr.empty(3, 4)
    nn.init.kaiming_uniform_(w1, generator=cr.Generator().manual_seed(1))
    nn.init.kaiming_uniform_(w2, generator=cr.Generator().manual_seed(1))
    np.testing.assert_array_equal(w1.numpy(), w2.numpy())
    data = cr.data.TensorDataset(cr.arange(10))

    def order(seed):
        loader = cr.data.DataLoader(data, batch_size=10, shuffle=True,
                                    generator=cr.Generator().manual_seed(seed))
        return [next(iter(loader))[0].tolist() for _ in range(2)]
    assert order(0) == order(0) and order(0)[0] != order(0)[1]   # each epoch its own order
    splits = [cr.data.random_split(data, [6, 4], generator=cr.Generator().manual_seed(2)) for _ in range(2)]
    assert list(splits[0][0].indices) == list(splits[1][0].indices)


# --------------------------------------------------------------------------- distributions
def test_normal_forms_shapes_and_moments():
    g = cr.Generator().manual_seed(0)
    x = cr.normal(2.0, 3.0, size=(200000,), generator=g).numpy()
    assert x.dtype == np.float32
    assert abs(x.mean() - 2.0) < 0.05 and abs(x.std() - 3.0) < 0.05
    mean = cr.tensor([[-5.0], [5.0]], dtype=cr.float64)
    y = cr.normal(mean, cr.tensor([0.1, 0.2, 0.3]), generator=g)
    assert y.shape == tuple(torch.normal(torch.zeros(2, 1), torch.ones(3)).shape) and y.dtype == np.float64
    assert np.all(np.abs(y.numpy() - mean.numpy()) < 2)
    assert cr.normal(cr.zeros(4), generator=g).shape == (4,)      # std defaults to 1
    assert cr.normal(1.0, cr.ones(2, 3)).shape == (2, 3)


def test_normal_errors():
    with pytest.raises(ValueError, match="normal: std must be >= 0, got -1"):
        cr.normal(0.0, -1.0, (2,))
    with pytest.raises(ValueError, match="every element of std"):
        cr.normal(cr.zeros(2), cr.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="give size="):
        cr.normal(0.0, 1.0)
    with pytest.raises(ValueError, match=r"mean of shape \(2,\) and std of shape \(3,\)"):
        cr.normal(cr.zeros(2), cr.ones(3))
    with pytest.raises(TypeError, match="normal: expected a floating tensor, got int64"):
        cr.normal(cr.tensor([1, 2]), 1.0)


def test_sample_gradients_are_zero_as_torch():
    """normal, bernoulli and poisson record a node; their parameters' gradient is zero."""
    mean, std = cr.tensor([0.0, 1.0], requires_grad=True), cr.tensor([1.0, 2.0], requires_grad=True)
    y = cr.normal(mean, std)
    assert y.requires_grad and not y.is_leaf
    (y * 3).sum().backward()
    np.testing.assert_array_equal(mean.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(std.grad.numpy(), [0.0, 0.0])


@pytest.mark.parametrize("sample", [cr.bernoulli, cr.poisson])
def test_seeded_samples_pass_gradcheck(sample):
    """A seeded sample is piecewise constant in its parameters, so its true derivative is zero."""
    p = cr.tensor(np.array([0.2, 0.45, 0.7, 0.9]), requires_grad=True)
    assert cr.gradcheck(lambda t: sample(t, generator=cr.Generator().manual_seed(0)), (p,))


def test_bernoulli_frequency_dtype_and_errors():
    p = cr.tensor([0.0, 0.25, 1.0], dtype=cr.float64).expand(100000, 3)
    b = cr.bernoulli(p, generator=cr.Generator().manual_seed(0))
    assert b.dtype == np.float64 and b.shape == (100000, 3)
    np.testing.assert_allclose(b.numpy().mean(axis=0), [0.0, 0.25, 1.0], atol=0.01)
    fixed = cr.bernoulli(cr.zeros(50000), 0.75)
    assert not fixed.requires_grad and abs(fixed.numpy().mean() - 0.75) < 0.01
    with pytest.raises(ValueError, match=r"bernoulli: probabilities must lie in \[0, 1\]"):
        cr.bernoulli(cr.tensor([0.5, 1.5]))
    with pytest.raises(ValueError, match="got p=2"):
        cr.bernoulli(cr.zeros(2), 2)
    with pytest.raises(TypeError, match="bernoulli: expected a floating tensor, got int64"):
        cr.bernoulli(cr.tensor([0, 1]))


def test_poisson_moments_and_errors():
    rates = cr.tensor([0.5, 4.0, 30.0]).expand(100000, 3)
    k = cr.poisson(rates, generator=cr.Generator().manual_seed(0)).numpy()
    assert k.dtype == np.float32 and np.all(k == np.round(k))
    np.testing.assert_allclose(k.mean(axis=0), [0.5, 4.0, 30.0], rtol=0.02)
    np.testing.assert_allclose(k.var(axis=0), [0.5, 4.0, 30.0], rtol=0.05)
    with pytest.raises(ValueError, match="poisson: rates must be non-negative"):
        cr.poisson(cr.tensor([-1.0]))


def test_multinomial_with_replacement_frequencies():
    weights = cr.tensor([[1.0, 0.0, 3.0, 6.0], [0.0, 0.0, 0.0, 2.0]])
    picks = cr.multinomial(weights, 50000, replacement=True, generator=cr.Generator().manual_seed(0))
    assert picks.dtype == np.int64 and picks.shape == (2, 50000)
    counts = np.stack([np.bincount(row, minlength=4) for row in picks.numpy()]) / 50000
    np.testing.assert_allclose(counts[0], [0.1, 0.0, 0.3, 0.6], atol=0.01)
    assert counts[0, 1] == 0 and counts[1, 3] == 1            # zero weights are never drawn
    assert tuple(torch.multinomial(torch.ones(2, 4), 3, True).shape) == picks[:, :3].shape


def test_multinomial_without_replacement():
    weights = cr.tensor(np.tile([1.0, 2.0, 0.0, 7.0, 5.0], (20000, 1)))
    picks = cr.multinomial(weights, 3, generator=cr.Generator().manual_seed(0)).numpy()
    assert picks.shape == (20000, 3)
    assert np.all(np.sort(picks, axis=1)[:, 1:] != np.sort(picks, axis=1)[:, :-1])   # no repeats
    assert not np.any(picks == 2)
    # the first draw follows the weights; later ones renormalize over what is left
    first = np.bincount(picks[:, 0], minlength=5) / 20000
    np.testing.assert_allclose(first, [1 / 15, 2 / 15, 0, 7 / 15, 5 / 15], atol=0.015)
    assert cr.multinomial(cr.tensor([0.0, 1.0]), 2)[0].item() == 1
    full = cr.multinomial(cr.ones(6), 6).numpy()
    assert sorted(full.tolist()) == list(range(6))


@pytest.mark.parametrize("args, error, message", [
    ((cr.tensor([1.0, 2.0, 3.0]), 4), ValueError, "cannot draw 4 samples without replacement from 3"),
    ((cr.tensor([-1.0, 2.0]), 1), ValueError, "finite and non-negative"),
    ((cr.tensor([0.0, 0.0]), 1), ValueError, "positive sum"),
    ((cr.ones(2, 2, 2), 1), ValueError, r"1-d or 2-d, got shape \(2, 2, 2\)"),
    ((cr.tensor([1, 2]), 1), TypeError, "expected a floating tensor"),
    ((cr.ones(3), 0), ValueError, "num_samples must be a positive integer"),
])
def test_multinomial_errors(args, error, message):
    with pytest.raises(error, match="multinomial: .*" + message):
        cr.multinomial(*args)


# --------------------------------------------------------------------------- stacking helpers
def test_stacking_helpers_refuse_bad_input():
    with pytest.raises(ValueError, match=r"vstack: .*shape \(1, 2\).*\(1, 3\)"):
        cr.vstack([cr.ones(3), cr.ones(2)])
    with pytest.raises(TypeError, match="hstack: expected a non-empty list"):
        cr.hstack([])
    with pytest.raises(TypeError, match="dstack: expected a non-empty list"):
        cr.dstack(cr.ones(2))
    with pytest.raises(TypeError, match="atleast_2d: expected one or more tensors"):
        cr.atleast_2d()


# --------------------------------------------------------------------------- Tensor utilities
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int32])
def test_new_tensor_methods_keep_dtype_as_torch(dtype):
    theirs = torch.zeros(2, dtype=dtype)
    ours = cr.tensor(theirs.numpy())
    _same(ours.new_zeros(2, 3), theirs.new_zeros(2, 3))
    _same(ours.new_ones((3,)), theirs.new_ones((3,)))
    _same(ours.new_full((2, 2), 1.5), theirs.new_full((2, 2), 1.5))
    _same(ours.new_tensor([[1, 2], [3, 4]]), theirs.new_tensor([[1, 2], [3, 4]]))
    _same(ours.new_tensor([1.7], dtype=cr.float64), theirs.new_tensor([1.7], dtype=torch.float64))
    empty = ours.new_empty(4)
    assert empty.shape == (4,) and empty.dtype == ours.dtype
    assert ours.new_zeros(2, dtype=cr.float64, requires_grad=True).requires_grad


def test_new_tensor_copies():
    source = np.array([1.0, 2.0], dtype=np.float32)
    made = cr.zeros(1).new_tensor(source)
    source[0] = 9
    assert made.tolist() == [1.0, 2.0] and made.is_leaf
    with pytest.raises(ValueError, match=r"new_zeros: sizes must be non-negative, got \(-1,\)"):
        cr.zeros(1).new_zeros(-1)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.int64,
                                   torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool])
def test_type_names_as_torch(dtype):
    theirs = torch.zeros(2, dtype=dtype)
    ours = cr.tensor(theirs.numpy())
    assert ours.type() == theirs.type().replace("torch.", "chainrule.")
    assert ours.element_size() == theirs.element_size()
    assert ours.is_floating_point() == theirs.is_floating_point() == cr.is_floating_point(ours)
    assert ours.type(theirs.type()).dtype == ours.dtype


def test_type_converts_and_type_as():
    x = cr.tensor([1.5, 2.5], requires_grad=True)
    assert x.type(cr.float64).dtype == np.float64
    assert x.type("chainrule.LongTensor").tolist() == [1, 2]
    assert x.type("int32").dtype == np.int32
    assert x.type_as(cr.zeros(1, dtype=cr.float64)).dtype == np.float64
    with pytest.raises(TypeError, match="type: 'Nonsense' is not a dtype"):
        x.type("torch.Nonsense")


def test_device_and_description_methods():
    x = cr.ones(2, 3)
    assert x.cpu() is x
    with pytest.raises(RuntimeError, match="cuda: chainrule runs on the CPU"):
        x.cuda()
    assert x.nelement() == cr.numel(x) == 6 and x.ndimension() == 2
    t = torch.ones(2, 3)
    for ours, theirs in ((x, t), (x.T, t.T), (x[:, ::2], t[:, ::2]), (x[:1], t[:1])):
        assert ours.is_contiguous() == theirs.is_contiguous()
    assert cr.is_tensor(x) and not cr.is_tensor(x.numpy()) and not cr.is_tensor([1.0])


# --------------------------------------------------------------------------- in-place random fills
def test_inplace_random_fills():
    g = cr.Generator().manual_seed(0)
    u = cr.empty(100000).uniform_(-2, 3, generator=g).numpy()
    assert u.dtype == np.float32 and u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.02
    n = cr.empty(100000, dtype=cr.float64).normal_(1.0, 2.0, generator=g).numpy()
    assert n.dtype == np.float64 and abs(n.mean() - 1.0) < 0.03 and abs(n.std() - 2.0) < 0.03
    e = cr.empty(100000).exponential_(4.0, generator=g).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.01
    b = cr.zeros(100000, dtype=cr.int64).bernoulli_(0.3, generator=g).numpy()
    assert b.dtype == np.int64 and set(np.unique(b)) == {0, 1} and abs(b.mean() - 0.3) < 0.01
    rows = cr.zeros(1000, 2).bernoulli_(cr.tensor([0.0, 1.0])).numpy()
    assert np.all(rows[:, 0] == 0) and np.all(rows[:, 1] == 1)
    first, again = (cr.empty(3).uniform_(generator=cr.Generator().manual_seed(4)) for _ in range(2))
    np.testing.assert_array_equal(first.numpy(), again.numpy())


def test_inplace_random_fills_follow_the_inplace_rules():
    w = cr.zeros(3, requires_grad=True)
    for fill in (w.uniform_, w.normal_, w.bernoulli_, w.exponential_):
        with pytest.raises(RuntimeError, match="in-place change of a tensor that is a leaf"):
            fill()
    version = w._version
    with cr.no_grad():
        w.normal_()
    assert w._version != version and w.requires_grad and w.grad is None
    with pytest.raises(TypeError, match="uniform_: fills floating tensors only"):
        cr.zeros(2, dtype=cr.int64).uniform_()
    with pytest.raises(ValueError, match="uniform_: expects from <= to"):
        cr.zeros(2).uniform_(1, 0)
    with pytest.raises(ValueError, match="normal_: std must be >= 0"):
        cr.zeros(2).normal_(0, -1)
    with pytest.raises(ValueError, match="exponential_: lambd must be positive"):
        cr.zeros(2).exponential_(0)
    with pytest.raises(ValueError, match="bernoulli_: probabilities"):
        cr.zeros(2).bernoulli_(1.5)
