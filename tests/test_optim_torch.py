"""Optimizers, schedules and gradient clipping against PyTorch, in float64.

Each optimizer runs 20 steps on the same small problem in both libraries (the same initial
parameters; each library computes its own gradients of the same loss), and the parameter
trajectories must agree to 1e-10 relative.  Schedules must produce PyTorch's sequences.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")

import chainrule as cr  # noqa: E402
from chainrule import optim  # noqa: E402
from chainrule.nn import Parameter  # noqa: E402
from chainrule.nn.utils import clip_grad_norm_, clip_grad_value_  # noqa: E402
from chainrule.optim import _elementwise  # noqa: E402
from chainrule.optim import lr_scheduler as sched  # noqa: E402

STEPS = 20
RTOL, ATOL = 1e-10, 1e-12


def _problem():
    rng = np.random.default_rng(7)
    return {
        "x": rng.standard_normal((6, 4)),
        "y": rng.standard_normal((6, 3)) * 0.5,
        "w": rng.standard_normal((4, 3)) * 0.5,
        "b": rng.standard_normal(3) * 0.1,
    }


def _loss(lib, x, y, w, b):
    # a small non-quadratic loss, so the gradients change from step to step
    out = lib.tanh(x @ w + b)
    return ((out - y) * (out - y)).sum()


def _run_pair(name, kwargs, groups=None, steps=STEPS):
    """Run the optimizer `name` in both libraries; assert the trajectories agree at every step."""
    data = _problem()
    ours = [Parameter(cr.tensor(data["w"].copy())), Parameter(cr.tensor(data["b"].copy()))]
    theirs = [torch.nn.Parameter(torch.tensor(data["w"].copy())),
              torch.nn.Parameter(torch.tensor(data["b"].copy()))]
    x_c, y_c = cr.tensor(data["x"]), cr.tensor(data["y"])
    x_t, y_t = torch.tensor(data["x"]), torch.tensor(data["y"])
    if groups is None:
        opt_c = getattr(optim, name)(ours, **kwargs)
        opt_t = getattr(torch.optim, name)(theirs, **kwargs)
    else:
        opt_c = getattr(optim, name)([dict(g, params=[ours[i]]) for i, g in enumerate(groups)], **kwargs)
        opt_t = getattr(torch.optim, name)([dict(g, params=[theirs[i]]) for i, g in enumerate(groups)],
                                           **kwargs)
    for step in range(steps):
        opt_c.zero_grad()
        opt_t.zero_grad()
        _loss(cr, x_c, y_c, *ours).backward()
        _loss(torch, x_t, y_t, *theirs).backward()
        opt_c.step()
        opt_t.step()
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{name}({kwargs}) step {step + 1}")
    return opt_c, opt_t


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.9, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.005, alpha=0.9, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.1, eps=1e-4)),
    ("RMSprop", dict(lr=0.005, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, eps=1e-3, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_matches_torch(name, kwargs):
    _run_pair(name, kwargs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta"])
def test_param_groups_with_their_own_options_match_torch(name):
    groups = [{"lr": 0.01}, {"lr": 0.1, "weight_decay": 0.05}]
    _run_pair(name, {}, groups=groups)


@pytest.fixture
def torch_float64_scalars():
    """PyTorch keeps per-parameter numbers (NAdam's mu_product, ASGD's eta and mu) as tensors of
    its default dtype, float32 unless changed; ours are Python floats.  So that float64 runs
    agree to 1e-10, torch's default dtype is float64 for these tests."""
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(saved)


NEW_CASES = [
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6)),  # rho_t > 5 from step 6 on
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.8), maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-3)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08))),
    ("Rprop", dict(lr=0.05, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=3, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", NEW_CASES, ids=[f"{n}-{k}" for n, k in NEW_CASES])
def test_new_optimizer_trajectory_and_state_match_torch(name, kwargs, torch_float64_scalars):
    opt_c, opt_t = _run_pair(name, kwargs)
    ours, theirs = opt_c.state_dict()["state"], opt_t.state_dict()["state"]
    for index in (0, 1):
        assert set(ours[index]) == set(theirs[index])
        for key, value in theirs[index].items():
            np.testing.assert_allclose(np.asarray(getattr(ours[index][key], "data", ours[index][key])),
                                       value.numpy(), rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Rprop", "ASGD"])
def test_new_optimizer_param_groups_match_torch(name, torch_float64_scalars):
    groups = [{"lr": 0.01}, {"lr": 0.05, "maximize": True}]
    _run_pair(name, {}, groups=groups)


def test_state_dict_loads_into_fresh_optimizer_and_continues_like_torch():
    """Half the steps, then save and load into a fresh optimizer: still on torch's path."""
    data = _problem()
    ours = [Parameter(cr.tensor(data["w"].copy())), Parameter(cr.tensor(data["b"].copy()))]
    theirs = [torch.nn.Parameter(torch.tensor(data["w"].copy())),
              torch.nn.Parameter(torch.tensor(data["b"].copy()))]
    x_c, y_c = cr.tensor(data["x"]), cr.tensor(data["y"])
    x_t, y_t = torch.tensor(data["x"]), torch.tensor(data["y"])
    opt_c = optim.Adam(ours, lr=0.01, amsgrad=True)
    opt_t = torch.optim.Adam(theirs, lr=0.01, amsgrad=True)
    for step in range(STEPS):
        if step == STEPS // 2:
            saved = opt_c.state_dict()
            opt_c = optim.Adam(ours, lr=0.5)
            opt_c.load_state_dict(saved)
        opt_c.zero_grad()
        opt_t.zero_grad()
        _loss(cr, x_c, y_c, *ours).backward()
        _loss(torch, x_t, y_t, *theirs).backward()
        opt_c.step()
        opt_t.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=RTOL, atol=ATOL)
    ts = opt_t.state_dict()
    cs = opt_c.state_dict()
    assert sorted(cs["state"]) == sorted(ts["state"]) == [0, 1]
    assert cs["param_groups"][0]["params"] == ts["param_groups"][0]["params"] == [0, 1]
    for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        np.testing.assert_allclose(cs["state"][0][key].data, ts["state"][0][key].numpy(), rtol=1e-10)
    assert cs["state"][0]["step"] == int(ts["state"][0]["step"]) == STEPS


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.01, momentum=0.9)),
    ("Adam", dict(lr=0.01, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.001, centered=True, momentum=0.9)),
    ("Adadelta", dict()),
    ("NAdam", dict(lr=0.01, weight_decay=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.9))),  # rho_t > 5 (the adaptive step) from step 6
    ("Adamax", dict(lr=0.01)),
    ("Rprop", dict()),
    ("ASGD", dict(t0=1)),
])
def test_large_parameters_chunked_across_threads_match_torch(name, kwargs, torch_float64_scalars):
    """Parameters above the chunk size and the parallel threshold take the threaded path."""
    rng = np.random.default_rng(3)
    shapes = [(600, 500), (140_001,), (3, 5)]  # above CHUNK and PARALLEL_MIN: chunked, threaded
    assert 600 * 500 > _elementwise.CHUNK and 440_016 > _elementwise.PARALLEL_MIN
    start = [rng.standard_normal(s) for s in shapes]
    ours = [Parameter(cr.tensor(a.copy())) for a in start]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in start]
    opt_c = getattr(optim, name)(ours, **kwargs)
    opt_t = getattr(torch.optim, name)(theirs, **kwargs)
    for step in range(7):
        for a, b in zip(ours, theirs):
            g = rng.standard_normal(a.shape)
            a.grad = cr.tensor(g)
            b.grad = torch.tensor(g)
        opt_c.step()
        opt_t.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=RTOL, atol=ATOL)


# ----------------------------------------------------------------- schedules
def _two_group_optimizers(opt_name="SGD", **kwargs):
    def make(lib):
        a = lib.nn.Parameter(lib.zeros(2, dtype=lib.float64))
        b = lib.nn.Parameter(lib.zeros(3, dtype=lib.float64))
        cls = getattr(lib.optim, opt_name)
        return cls([{"params": [a]}, {"params": [b], "lr": 0.03}], lr=0.1, **kwargs)
    return make(cr), make(torch)


def _lr_sequences(make_ours, make_theirs, steps=30, opt_name="SGD", opt_kwargs=None, extra=None):
    opt_c, opt_t = _two_group_optimizers(opt_name, **(opt_kwargs or {}))
    s_c, s_t = make_ours(opt_c), make_theirs(opt_t)
    seq_c, seq_t = [s_c.get_last_lr()], [s_t.get_last_lr()]
    extra_c, extra_t = [], []
    for _ in range(steps):
        opt_c.step()
        opt_t.step()
        s_c.step()
        s_t.step()
        seq_c.append(s_c.get_last_lr())
        seq_t.append(s_t.get_last_lr())
        assert [g["lr"] for g in opt_c.param_groups] == seq_c[-1]
        if extra:
            extra_c.append([extra(g) for g in opt_c.param_groups])
            extra_t.append([extra(g) for g in opt_t.param_groups])
    return seq_c, seq_t, extra_c, extra_t, opt_c, opt_t


def _assert_same_lrs(a, b):
    np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-13, atol=0)


SCHEDULES = [
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[3, 7, 7, 20], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.8, total_iters=12)),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.5, total_iters=12)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=20, power=2.5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.001)),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[f"{n}-{k}" for n, k in SCHEDULES])
def test_schedule_matches_torch(name, kwargs):
    seq_c, seq_t, *_ , opt_c, opt_t = _lr_sequences(
        lambda o: getattr(sched, name)(o, **kwargs),
        lambda o: getattr(torch.optim.lr_scheduler, name)(o, **kwargs))
    _assert_same_lrs(seq_c, seq_t)
    assert [g["initial_lr"] for g in opt_c.param_groups] == [0.1, 0.03]


def test_lambda_lr_matches_torch():
    fns = [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e)]
    seq_c, seq_t, *_ = _lr_sequences(lambda o: sched.LambdaLR(o, fns),
                                     lambda o: torch.optim.lr_scheduler.LambdaLR(o, fns))
    _assert_same_lrs(seq_c, seq_t)


def test_multiplicative_lr_matches_torch():
    fns = [lambda e: 0.95, lambda e: 1.0 - 0.01 * e]
    seq_c, seq_t, *_ = _lr_sequences(lambda o: sched.MultiplicativeLR(o, fns),
                                     lambda o: torch.optim.lr_scheduler.MultiplicativeLR(o, fns))
    _assert_same_lrs(seq_c, seq_t)


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_match_torch(T_mult):
    """step(epoch) with epoch + batch / batches, as PyTorch documents, over several restarts."""
    opt_c, opt_t = _two_group_optimizers()
    s_c = sched.CosineAnnealingWarmRestarts(opt_c, T_0=2, T_mult=T_mult, eta_min=0.01)
    s_t = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt_t, T_0=2, T_mult=T_mult,
                                                               eta_min=0.01)
    for epoch in range(14):
        for batch in range(4):
            s_c.step(epoch + batch / 4)
            s_t.step(epoch + batch / 4)
            _assert_same_lrs(s_c.get_last_lr(), s_t.get_last_lr())
            assert s_c.T_i == s_t.T_i and s_c.last_epoch == s_t.last_epoch
    s_c.step()  # and on by whole epochs from there
    s_t.step()
    _assert_same_lrs(s_c.get_last_lr(), s_t.get_last_lr())


@pytest.mark.parametrize("name,kwargs", [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=6, eta_min=0.001)),
    ("LinearLR", dict(start_factor=0.2, total_iters=4)),
    ("ConstantLR", dict(factor=0.5, total_iters=3)),
    ("PolynomialLR", dict(total_iters=6, power=2.0)),
])
def test_step_with_an_epoch_uses_the_closed_form_like_torch(name, kwargs):
    opt_c, opt_t = _two_group_optimizers()
    s_c = getattr(sched, name)(opt_c, **kwargs)
    s_t = getattr(torch.optim.lr_scheduler, name)(opt_t, **kwargs)
    for epoch in [3, 1, 7, 0, 5]:
        with pytest.warns(UserWarning, match="deprecated"):
            s_c.step(epoch)
        with pytest.warns(UserWarning):
            s_t.step(epoch)
        _assert_same_lrs(s_c.get_last_lr(), s_t.get_last_lr())


CYCLIC = [
    ("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("SGD", dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.05], step_size_up=4, step_size_down=3,
                 mode="triangular2", base_momentum=0.7, max_momentum=0.95)),
    ("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.97)),
    ("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, step_size_down=2,
                 scale_fn=lambda x: 1.0 / x, scale_mode="cycle")),
    ("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, scale_fn=lambda x: 0.9 ** x,
                 scale_mode="iterations", cycle_momentum=False)),
    ("Adam", dict(base_lr=0.001, max_lr=0.01, step_size_up=4, step_size_down=6)),
    ("NAdam", dict(base_lr=0.001, max_lr=0.01, step_size_up=2, mode="triangular2")),
]


@pytest.mark.parametrize("opt_name,kwargs", CYCLIC)
def test_cyclic_lr_matches_torch_lr_and_momentum(opt_name, kwargs):
    def momentum(group):
        return group["betas"][0] if "betas" in group else group["momentum"]

    seq_c, seq_t, mom_c, mom_t, *_ = _lr_sequences(
        lambda o: sched.CyclicLR(o, **kwargs),
        lambda o: torch.optim.lr_scheduler.CyclicLR(o, **kwargs),
        steps=40, opt_name=opt_name, extra=momentum)
    _assert_same_lrs(seq_c, seq_t)
    _assert_same_lrs(mom_c, mom_t)


def _sequential(lib, recipe):
    def make(o):
        inner = [getattr(lib.optim.lr_scheduler, name)(o, **kwargs) for name, kwargs in recipe[0]]
        return lib.optim.lr_scheduler.SequentialLR(o, inner, milestones=recipe[1])
    return make


SEQUENTIAL = [
    ([("LinearLR", dict(start_factor=0.1, total_iters=5)), ("CosineAnnealingLR", dict(T_max=10))],
     [5]),
    ([("ConstantLR", dict(factor=0.2, total_iters=10)), ("ExponentialLR", dict(gamma=0.8)),
      ("StepLR", dict(step_size=3, gamma=0.5))], [4, 12]),
    ([("LinearLR", dict(start_factor=0.5, end_factor=0.9, total_iters=3)),
      ("PolynomialLR", dict(total_iters=6, power=2.0)),
      ("MultiStepLR", dict(milestones=[2, 4], gamma=0.5))], [6, 6]),
    ([("ExponentialLR", dict(gamma=0.9)),
      ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9))], [7]),
]


@pytest.mark.parametrize("recipe", SEQUENTIAL)
def test_sequential_lr_matches_torch(recipe):
    seq_c, seq_t, *_ = _lr_sequences(_sequential(cr, recipe), _sequential(torch, recipe))
    _assert_same_lrs(seq_c, seq_t)


def test_chained_scheduler_matches_torch():
    def make(lib):
        def chained(o):
            s = lib.optim.lr_scheduler
            return s.ChainedScheduler([s.ConstantLR(o, factor=0.5, total_iters=4),
                                       s.ExponentialLR(o, gamma=0.9),
                                       s.CosineAnnealingWarmRestarts(o, T_0=6)])
        return chained

    seq_c, seq_t, *_ = _lr_sequences(make(cr), make(torch))
    _assert_same_lrs(seq_c, seq_t)


def test_two_chained_schedules_match_torch():
    def ours(o):
        first = sched.ExponentialLR(o, gamma=0.9)
        second = sched.StepLR(o, step_size=5, gamma=0.5)
        return _Both(first, second)

    def theirs(o):
        return _Both(torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
                     torch.optim.lr_scheduler.StepLR(o, step_size=5, gamma=0.5))

    seq_c, seq_t, *_ = _lr_sequences(ours, theirs)
    _assert_same_lrs(seq_c, seq_t)


class _Both:
    def __init__(self, first, second):
        self.first, self.second = first, second

    def step(self):
        self.first.step()
        self.second.step()

    def get_last_lr(self):
        return self.second.get_last_lr()


ONE_CYCLE = [
    ("SGD", dict(momentum=0.9), dict(max_lr=1.0, total_steps=30)),
    ("SGD", dict(momentum=0.9), dict(max_lr=[1.0, 0.5], total_steps=30, anneal_strategy="linear",
                                     pct_start=0.25, div_factor=10.0, final_div_factor=100.0)),
    ("SGD", dict(momentum=0.9), dict(max_lr=0.5, epochs=3, steps_per_epoch=10, three_phase=True)),
    ("Adam", dict(), dict(max_lr=0.01, total_steps=30, base_momentum=0.8, max_momentum=0.9)),
    ("Adam", dict(), dict(max_lr=0.01, total_steps=30, cycle_momentum=False)),
]


@pytest.mark.parametrize("opt_name,opt_kwargs,kwargs", ONE_CYCLE)
def test_one_cycle_matches_torch_lr_and_momentum(opt_name, opt_kwargs, kwargs):
    def momentum(group):
        return group["betas"][0] if "betas" in group else group["momentum"]

    seq_c, seq_t, mom_c, mom_t, *_ = _lr_sequences(
        lambda o: sched.OneCycleLR(o, **kwargs),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, **kwargs),
        steps=29, opt_name=opt_name, opt_kwargs=opt_kwargs, extra=momentum)
    _assert_same_lrs(seq_c, seq_t)
    _assert_same_lrs(mom_c, mom_t)


PLATEAU = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(mode="max", patience=1, threshold=0.05, threshold_mode="abs", cooldown=2),
    dict(patience=0, cooldown=1, min_lr=[0.02, 0.001], factor=0.5),
    dict(patience=1, threshold=0.1, threshold_mode="rel", eps=0.05),
]


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_on_plateau_matches_torch(kwargs):
    rng = np.random.default_rng(11)
    metrics = list(1.0 / np.arange(1, 31) + 0.05 * rng.standard_normal(30))
    opt_c, opt_t = _two_group_optimizers()
    s_c = sched.ReduceLROnPlateau(opt_c, **kwargs)
    s_t = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **kwargs)
    for m in metrics:
        s_c.step(m)
        s_t.step(m)
        _assert_same_lrs(s_c.get_last_lr(), s_t.get_last_lr())
        _assert_same_lrs([g["lr"] for g in opt_c.param_groups], [g["lr"] for g in opt_t.param_groups])
        assert s_c.num_bad_epochs == s_t.num_bad_epochs
        assert s_c.cooldown_counter == s_t.cooldown_counter


# ----------------------------------------------------------------- gradient clipping
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(5)
    grads = [rng.standard_normal(s) for s in [(4, 3), (3,), (2, 2, 2)]]
    ours = [Parameter(cr.zeros(g.shape, dtype=cr.float64)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for a, b, g in zip(ours, theirs, grads):
        a.grad = cr.tensor(g.copy())
        b.grad = torch.tensor(g.copy())
    total_c = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total_c.shape == ()
    np.testing.assert_allclose(total_c.item(), total_t.item(), rtol=1e-12)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12)
    if max_norm < 1:
        assert not np.allclose(ours[0].grad.data, grads[0])  # really clipped


def test_clip_grad_norm_float32_matches_torch():
    rng = np.random.default_rng(6)
    g = rng.standard_normal(1000).astype(np.float32)
    a = Parameter(cr.zeros(1000))
    b = torch.nn.Parameter(torch.zeros(1000))
    a.grad, b.grad = cr.tensor(g.copy()), torch.tensor(g.copy())
    total_c = clip_grad_norm_([a], 1.0)
    total_t = torch.nn.utils.clip_grad_norm_([b], 1.0)
    assert total_c.dtype == np.float32
    np.testing.assert_allclose(total_c.item(), total_t.item(), rtol=1e-5)
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-5, atol=1e-8)


def test_clip_grad_value_matches_torch():
    rng = np.random.default_rng(8)
    g = rng.standard_normal((5, 4))
    a = Parameter(cr.zeros((5, 4), dtype=cr.float64))
    b = torch.nn.Parameter(torch.zeros((5, 4), dtype=torch.float64))
    a.grad, b.grad = cr.tensor(g.copy()), torch.tensor(g.copy())
    clip_grad_value_([a], 0.3)
    torch.nn.utils.clip_grad_value_([b], 0.3)
    np.testing.assert_array_equal(a.grad.data, b.grad.numpy())


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("SGD", dict(lr=0.05, momentum=0.9)),
                                         ("RMSprop", dict(lr=0.005, centered=True)),
                                         ("NAdam", dict(lr=0.01, weight_decay=0.1)),
                                         ("RAdam", dict(lr=0.01)),
                                         ("Adamax", dict(lr=0.01)),
                                         ("Rprop", dict(lr=0.05)),
                                         ("ASGD", dict(lr=0.05, t0=5))])
def test_torch_state_dict_loads_and_continues(name, kwargs, torch_float64_scalars):
    """A PyTorch optimizer's state_dict (tensors, float steps) loads into ours mid-training."""
    data = _problem()
    ours = [Parameter(cr.tensor(data["w"].copy())), Parameter(cr.tensor(data["b"].copy()))]
    theirs = [torch.nn.Parameter(torch.tensor(data["w"].copy())),
              torch.nn.Parameter(torch.tensor(data["b"].copy()))]
    x_c, y_c = cr.tensor(data["x"]), cr.tensor(data["y"])
    x_t, y_t = torch.tensor(data["x"]), torch.tensor(data["y"])
    opt_t = getattr(torch.optim, name)(theirs, **kwargs)
    for step in range(2 * STEPS // 2):
        if step == STEPS // 2:
            for a, b in zip(ours, theirs):
                a.data[...] = b.detach().numpy()
            opt_c = getattr(optim, name)(ours, **kwargs)
            opt_c.load_state_dict(opt_t.state_dict())
        if step >= STEPS // 2:
            opt_c.zero_grad()
            _loss(cr, x_c, y_c, *ours).backward()
            opt_c.step()
        opt_t.zero_grad()
        _loss(torch, x_t, y_t, *theirs).backward()
        opt_t.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=RTOL, atol=ATOL)
