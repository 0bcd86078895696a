"""Optimizers, schedules, gradient clipping and the L1 penalty, without PyTorch."""
import copy
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.nn import Parameter
from chainrule.nn.utils import clip_grad_norm_, clip_grad_value_, l1_penalty
from chainrule.optim import _elementwise
from chainrule.optim import lr_scheduler as sched

TARGET = np.array([1.0, -2.0, 0.5, 3.0])
SCALES = np.array([1.0, 0.5, 2.0, 1.5])

CONVERGING = [
    (optim.SGD, dict(lr=0.1)),
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.1)),
    (optim.AdamW, dict(lr=0.1, weight_decay=0.001)),
    (optim.RMSprop, dict(lr=0.05)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
    (optim.Adagrad, dict(lr=0.5)),
    (optim.Adadelta, dict(lr=50.0)),
    (optim.NAdam, dict(lr=0.1)),
    (optim.RAdam, dict(lr=0.1)),
    (optim.Adamax, dict(lr=0.1)),
    (optim.Rprop, dict(lr=0.1)),
    (optim.ASGD, dict(lr=0.1, t0=50)),
]


def _quadratic(w):
    diff = w - cr.tensor(TARGET)
    return (diff * diff * cr.tensor(SCALES)).sum()


def _new_param(values=(0.0, 0.0, 0.0, 0.0), dtype=cr.float64):
    return Parameter(cr.tensor(np.array(values), dtype=dtype))


@pytest.mark.parametrize("cls,kwargs", CONVERGING, ids=[f"{c.__name__}-{k}" for c, k in CONVERGING])
def test_each_optimizer_decreases_a_quadratic(cls, kwargs):
    w = _new_param()
    opt = cls([w], **kwargs)
    start = _quadratic(w).item()
    for _ in range(100):
        opt.zero_grad()
        loss = _quadratic(w)
        loss.backward()
        opt.step()
    end = _quadratic(w).item()
    assert end < 0.05 * start, f"{cls.__name__}: loss {start} -> {end}"


def test_state_is_made_on_the_first_step_with_a_step_counter():
    w, unused = _new_param(), _new_param()
    opt = optim.Adam([w, unused], lr=0.1)
    assert opt.state == {}
    _quadratic(w).backward()
    opt.step()
    assert set(opt.state) == {w}  # a parameter without a gradient gets no state
    assert opt.state[w]["step"] == 1
    assert set(opt.state[w]) == {"step", "exp_avg", "exp_avg_sq"}
    assert opt.state[w]["exp_avg"].shape == w.shape
    opt.step()
    opt.step()
    assert opt.state[w]["step"] == 3
    assert unused.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_amsgrad_and_momentum_options_add_their_state():
    w = _new_param()
    w.grad = cr.tensor(np.ones(4))
    adam = optim.Adam([w], amsgrad=True)
    adam.step()
    assert "max_exp_avg_sq" in adam.state[w]
    rms = optim.RMSprop([w], momentum=0.9, centered=True)
    rms.step()
    assert {"square_avg", "momentum_buffer", "grad_avg"} <= set(rms.state[w])
    sgd = optim.SGD([w], lr=0.1)
    sgd.step()
    assert "momentum_buffer" not in sgd.state[w]


def test_step_never_changes_the_gradient_and_skips_missing_ones():
    w, frozen = _new_param([1.0, 2.0, 3.0, 4.0]), _new_param([5.0, 5.0, 5.0, 5.0])
    grad = np.array([0.5, -1.0, 2.0, 0.0])
    w.grad = cr.tensor(grad.copy())
    for cls, kwargs in [(optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True)),
                        (optim.Adam, dict(weight_decay=0.1, maximize=True)),
                        (optim.RMSprop, dict(weight_decay=0.1, centered=True)),
                        (optim.Adagrad, dict(weight_decay=0.1)),
                        (optim.Adadelta, dict(weight_decay=0.1, maximize=True)),
                        (optim.NAdam, dict(weight_decay=0.1, decoupled_weight_decay=True)),
                        (optim.RAdam, dict(weight_decay=0.1, maximize=True)),
                        (optim.Adamax, dict(weight_decay=0.1, maximize=True)),
                        (optim.Rprop, dict(maximize=True)),
                        (optim.ASGD, dict(weight_decay=0.1, maximize=True))]:
        before = w.data.copy()
        opt = cls([w, frozen], **kwargs)
        opt.step()
        np.testing.assert_array_equal(w.grad.data, grad)
        assert not np.array_equal(w.data, before)
        np.testing.assert_array_equal(frozen.data, [5.0, 5.0, 5.0, 5.0])


def test_sgd_step_is_minus_lr_times_grad_per_group():
    a, b = _new_param([1.0, 1.0, 1.0, 1.0]), _new_param([2.0, 2.0, 2.0, 2.0])
    a.grad = cr.tensor(np.array([1.0, 2.0, 3.0, 4.0]))
    b.grad = cr.tensor(np.array([1.0, 1.0, 1.0, 1.0]))
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.0  # missing options come from the defaults
    opt.step()
    np.testing.assert_allclose(a.data, [0.9, 0.8, 0.7, 0.6])
    np.testing.assert_allclose(b.data, [1.5, 1.5, 1.5, 1.5])
    opt.param_groups[1]["lr"] = 1.0  # a changed option takes effect on the next step
    opt.step()
    np.testing.assert_allclose(b.data, [0.5, 0.5, 0.5, 0.5])


def test_add_param_group_and_changing_lr():
    a, b = _new_param(), _new_param()
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="appears in both group 0 and group 2"):
        opt.add_param_group({"params": [a]})


def test_zero_grad_sets_none_or_fills_zeros():
    w = _new_param([1.0, 2.0, 3.0, 4.0])
    opt = optim.SGD([w], lr=0.1)
    _quadratic(w).backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad
    np.testing.assert_array_equal(w.grad.data, np.zeros(4))
    opt.zero_grad()
    assert w.grad is None


def test_closure_is_called_and_its_loss_returned():
    w = _new_param()
    opt = optim.SGD([w], lr=0.1)
    calls = []

    def closure():
        opt.zero_grad()
        loss = _quadratic(w)
        loss.backward()
        calls.append(loss.item())
        return loss

    with cr.no_grad():  # the closure still records its graph
        loss = opt.step(closure)
    assert calls and loss.item() == calls[0]
    assert not np.array_equal(w.data, np.zeros(4))


@pytest.mark.parametrize("cls", [optim.Adam, optim.NAdam, optim.RAdam, optim.Adamax, optim.Rprop,
                                 optim.ASGD])
def test_float32_parameters_and_state_stay_float32(cls):
    w = Parameter(cr.randn(3, 4))
    opt = cls([w], lr=0.1)
    for _ in range(2):
        (w * w).sum().backward()
        opt.step()
    assert w.dtype == np.float32
    arrays = [v for v in opt.state[w].values() if isinstance(v, cr.Tensor)]
    assert arrays and all(a.dtype == np.float32 for a in arrays)


@pytest.mark.parametrize("cls,kwargs,keys", [
    (optim.NAdam, {}, {"step", "mu_product", "exp_avg", "exp_avg_sq"}),
    (optim.RAdam, {}, {"step", "exp_avg", "exp_avg_sq"}),
    (optim.Adamax, {}, {"step", "exp_avg", "exp_inf"}),
    (optim.Rprop, {}, {"step", "prev", "step_size"}),
    (optim.ASGD, {}, {"step", "eta", "mu", "ax"}),
])
def test_new_optimizers_keep_torchs_state_names(cls, kwargs, keys):
    w = _new_param()
    opt = cls([w], **kwargs)
    _run(opt, w, 2)
    assert set(opt.state[w]) == keys
    assert opt.state[w]["step"] == 2


def test_rprop_steps_by_sign_grows_and_shrinks_per_element():
    w = _new_param([0.0, 0.0, 0.0, 0.0])
    opt = optim.Rprop([w], lr=0.1, etas=(0.5, 2.0), step_sizes=(0.01, 0.3))
    for grad in ([1.0, -1.0, 1.0, 0.0], [3.0, -0.5, -1.0, 2.0], [1.0, -1.0, 5.0, 1.0]):
        w.grad = cr.tensor(np.array(grad))
        opt.step()
    # element 0: same sign thrice -> steps 0.1, 0.2, 0.3 (capped); element 2: a flip at step 2
    # shrinks its size to 0.05 and skips that step, and step 3 counts as a fresh start;
    # element 3: a zero gradient takes no step and keeps its size
    np.testing.assert_allclose(w.data, [-0.6, 0.6, -0.15, -0.3])
    np.testing.assert_allclose(opt.state[w]["step_size"].data, [0.3, 0.3, 0.05, 0.2])


def test_a_graph_that_used_the_old_values_refuses_backward():
    w = _new_param([1.0, 2.0, 3.0, 4.0])
    opt = optim.SGD([w], lr=0.1)
    w.grad = cr.tensor(np.ones(4))
    loss = (w * w).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


# ----------------------------------------------------------------- state dicts
def _run(opt, w, steps):
    for _ in range(steps):
        opt.zero_grad()
        _quadratic(w).backward()
        opt.step()


@pytest.mark.parametrize("cls,kwargs", [
    (optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.1)),
    (optim.Adam, dict(lr=0.05, amsgrad=True)),
    (optim.AdamW, dict(lr=0.05)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    (optim.Adadelta, dict(lr=2.0)),
    (optim.NAdam, dict(lr=0.05, weight_decay=0.01)),
    (optim.RAdam, dict(lr=0.05, betas=(0.9, 0.9))),
    (optim.Adamax, dict(lr=0.05)),
    (optim.Rprop, dict(lr=0.05)),
    (optim.ASGD, dict(lr=0.05, t0=3)),
])
def test_state_dict_round_trip_continues_identically(cls, kwargs):
    w1 = _new_param()
    first = cls([w1], **kwargs)
    _run(first, w1, 5)
    w2 = _new_param(w1.data.copy())
    second = cls([w2], lr=123.0)  # everything, lr included, comes from the state dict
    second.load_state_dict(first.state_dict())
    assert second.param_groups[0]["lr"] == first.param_groups[0]["lr"]
    _run(first, w1, 5)
    _run(second, w2, 5)
    np.testing.assert_array_equal(w1.data, w2.data)
    assert second.state[w2]["step"] == first.state[w1]["step"] == 10


def test_state_dict_layout_and_loaded_state_is_a_copy():
    a, b, c = _new_param(), _new_param(), _new_param()
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}])
    a.grad = cr.tensor(np.ones(4))
    c.grad = cr.tensor(np.ones(4))
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sorted(sd["state"]) == [0, 2]
    assert sd["state"][0]["step"] == 1
    other = optim.Adam([{"params": [a, b]}, {"params": [c]}])
    other.load_state_dict(copy.deepcopy(sd))
    other.state[a]["exp_avg"].data[...] = 99.0
    assert not np.any(opt.state[a]["exp_avg"].data == 99.0)


def test_load_state_dict_rejects_a_different_layout():
    a, b = _new_param(), _new_param()
    sd = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="saved group 0 has 2 parameters"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="1 parameter groups, this optimizer has 2"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)


# ----------------------------------------------------------------- validation
BAD = [
    (optim.SGD, dict(lr=-0.1), "SGD: invalid lr -0.1"),
    (optim.SGD, dict(lr=float("nan")), "SGD: invalid lr nan"),
    (optim.SGD, dict(lr=float("inf")), "SGD: invalid lr inf"),
    (optim.SGD, dict(lr=0.1, momentum=-0.5), "SGD: invalid momentum -0.5"),
    (optim.SGD, dict(lr=0.1, weight_decay=-1e-4), "SGD: invalid weight_decay -0.0001"),
    (optim.SGD, dict(lr=0.1, nesterov=True), "SGD: invalid nesterov True.*momentum=0.0"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening=0.1"),
    (optim.Adam, dict(lr=-1.0), "Adam: invalid lr -1.0"),
    (optim.Adam, dict(betas=(1.0, 0.999)), r"Adam: invalid beta parameter at index 0 1.0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), r"Adam: invalid beta parameter at index 1 -0.1"),
    (optim.Adam, dict(eps=-1e-8), "Adam: invalid eps -1e-08"),
    (optim.AdamW, dict(weight_decay=-0.01), "AdamW: invalid weight_decay -0.01"),
    (optim.RMSprop, dict(momentum=-0.9), "RMSprop: invalid momentum -0.9"),
    (optim.RMSprop, dict(alpha=-0.9), "RMSprop: invalid alpha -0.9"),
    (optim.Adagrad, dict(lr_decay=-1.0), "Adagrad: invalid lr_decay -1.0"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0), "invalid initial_accumulator_value"),
    (optim.Adadelta, dict(rho=1.5), "Adadelta: invalid rho 1.5"),
    (optim.Adadelta, dict(eps=-1.0), "Adadelta: invalid eps -1.0"),
    (optim.NAdam, dict(momentum_decay=-0.1), "NAdam: invalid momentum_decay -0.1"),
    (optim.NAdam, dict(betas=(0.9, 1.0)), "NAdam: invalid beta parameter at index 1 1.0"),
    (optim.RAdam, dict(lr=-1e-3), "RAdam: invalid lr -0.001"),
    (optim.RAdam, dict(betas=(0.9,)), r"RAdam: invalid betas \(0.9,\): give two"),
    (optim.Adamax, dict(eps=-1.0), "Adamax: invalid eps -1.0"),
    (optim.Adamax, dict(weight_decay=-0.1), "Adamax: invalid weight_decay -0.1"),
    (optim.Rprop, dict(etas=(1.2, 0.5)), r"Rprop: invalid etas \(1.2, 0.5\): give"),
    (optim.Rprop, dict(etas=(0.5, 1.0)), "0 < eta_minus < 1 < eta_plus"),
    (optim.Rprop, dict(step_sizes=(1.0, 0.1)), r"Rprop: invalid step_sizes \(1.0, 0.1\)"),
    (optim.ASGD, dict(lr=-0.1), "ASGD: invalid lr -0.1"),
    (optim.ASGD, dict(weight_decay=-0.1), "ASGD: invalid weight_decay -0.1"),
    (optim.ASGD, dict(t0="soon"), "ASGD: invalid t0 'soon': it must be a number"),
]


@pytest.mark.parametrize("cls,kwargs,message", BAD, ids=[m for _, _, m in BAD])
def test_bad_options_raise_naming_optimizer_and_value(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([_new_param()], **kwargs)


def test_bad_option_in_one_group_is_caught():
    with pytest.raises(ValueError, match="SGD: invalid lr -1"):
        optim.SGD([{"params": [_new_param()]}, {"params": [_new_param()], "lr": -1}], lr=0.1)


def test_bad_parameter_lists_raise():
    w = _new_param()
    with pytest.raises(ValueError, match="Adam: got an empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="SGD: parameter 1 of group 0 .* appears twice"):
        optim.SGD([w, w], lr=0.1)
    with pytest.raises(ValueError, match=r"Adam: parameters of mixed dtypes \(float32, float64\)"):
        optim.Adam([w, Parameter(cr.zeros(3))])
    with pytest.raises(ValueError, match=r"mixed dtypes"):
        optim.Adam([{"params": [w]}, {"params": [Parameter(cr.zeros(3))]}])
    with pytest.raises(TypeError, match="not a single tensor"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD({w}, lr=0.1)
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([w * 2], lr=0.1)


def test_gradient_of_the_wrong_shape_raises_at_step_and_changes_nothing():
    good, bad = _new_param([1.0, 2.0, 3.0, 4.0]), _new_param()
    good.grad = cr.tensor(np.ones(4))
    bad.grad = cr.tensor(np.ones(3))
    opt = optim.Adam([good, bad])
    with pytest.raises(RuntimeError, match=r"Adam: parameter 1 of group 0 has shape \(4,\)"):
        opt.step()
    assert len(opt.state) == 0
    np.testing.assert_array_equal(good.data, [1.0, 2.0, 3.0, 4.0])


def test_repr_lists_the_groups():
    text = repr(optim.SGD([_new_param()], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# ----------------------------------------------------------------- chunked and threaded updates
@pytest.mark.parametrize("cls,kwargs", [
    (optim.SGD, dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)),
    (optim.Adagrad, dict(lr=0.1)),
    (optim.Adadelta, dict()),
    (optim.NAdam, dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    (optim.RAdam, dict(lr=0.01, betas=(0.9, 0.5))),
    (optim.Adamax, dict(lr=0.01)),
    (optim.Rprop, dict()),
    (optim.ASGD, dict(t0=1)),
])
def test_chunked_threaded_update_equals_whole_array_update(cls, kwargs, monkeypatch):
    rng = np.random.default_rng(0)
    start = [rng.standard_normal(s).astype(np.float32) for s in [(300, 301), (1000,)]]
    grads = [[rng.standard_normal(a.shape).astype(np.float32) for a in start] for _ in range(3)]
    results = []
    for chunk, parallel_min in [(1 << 30, 1 << 30), (10_000, 1000)]:
        monkeypatch.setattr(_elementwise, "CHUNK", chunk)
        monkeypatch.setattr(_elementwise, "PARALLEL_MIN", parallel_min)
        params = [Parameter(cr.tensor(a.copy())) for a in start]
        opt = cls(params, **kwargs)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = cr.tensor(g)
            opt.step()
        results.append([p.data.copy() for p in params])
    for whole, chunked in zip(*results):
        np.testing.assert_array_equal(whole, chunked)


def test_non_contiguous_parameter_is_updated_in_place():
    base = np.arange(12.0).reshape(3, 4)
    w = Parameter(cr.tensor(base))
    w.data = base.T  # a transposed view: not C-contiguous
    w.grad = cr.tensor(np.ones((4, 3)))
    optim.Adam([w], lr=0.1).step()
    np.testing.assert_allclose(base.T, np.arange(12.0).reshape(3, 4).T - 0.1, rtol=1e-6)


# ----------------------------------------------------------------- schedules
def _sgd(lr=0.1, **kwargs):
    return optim.SGD([_new_param()], lr=lr, **kwargs)


def test_scheduler_records_initial_lr_and_sets_epoch_zero():
    opt = _sgd(0.1)
    s = sched.StepLR(opt, step_size=2, gamma=0.5)
    assert opt.param_groups[0]["initial_lr"] == 0.1
    assert s.base_lrs == [0.1] and s.last_epoch == 0 and s.get_last_lr() == [0.1]
    lrs = []
    for _ in range(6):
        s.step()
        lrs.append(s.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [0.1, 0.05, 0.05, 0.025, 0.025, 0.0125])


def test_cosine_reaches_eta_min_at_t_max_and_matches_the_closed_form():
    opt = _sgd(1.0)
    s = sched.CosineAnnealingLR(opt, T_max=8, eta_min=0.1)
    for t in range(1, 9):
        s.step()
        expected = 0.1 + 0.9 * (1 + math.cos(math.pi * t / 8)) / 2
        assert abs(s.get_last_lr()[0] - expected) < 1e-12


def test_scheduler_state_dict_round_trip():
    opt = _sgd(0.1)
    s = sched.ExponentialLR(opt, gamma=0.5)
    s.step()
    s.step()
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 2
    opt2 = _sgd(0.1)
    s2 = sched.ExponentialLR(opt2, gamma=0.9)
    s2.load_state_dict(sd)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    s.step()
    s2.step()
    assert s2.get_last_lr() == s.get_last_lr() == [0.1 * 0.5 ** 3]


def test_lambda_lr_saves_callable_objects_but_not_functions():
    class Warmup:
        def __init__(self):
            self.factor = 2.0

        def __call__(self, epoch):
            return self.factor * epoch

    warm = Warmup()
    opt = optim.SGD([{"params": [_new_param()]}, {"params": [_new_param()]}], lr=0.1)
    s = sched.LambdaLR(opt, [warm, lambda e: 1.0])
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"factor": 2.0}, None]
    warm.factor = 5.0
    s.load_state_dict(sd)
    assert warm.factor == 2.0
    with pytest.raises(ValueError, match="got 1 lr_lambdas for 2 parameter groups"):
        sched.LambdaLR(opt, [warm])


def test_one_cycle_peaks_at_max_lr_and_refuses_extra_steps():
    opt = _sgd(0.1, momentum=0.9)
    s = sched.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert s.get_last_lr() == [pytest.approx(1.0 / 25)]
    assert opt.param_groups[0]["momentum"] == 0.95
    lrs = [s.get_last_lr()[0]]
    for _ in range(9):
        s.step()
        lrs.append(s.get_last_lr()[0])
    assert max(lrs) == pytest.approx(1.0) and lrs[-1] == pytest.approx(1.0 / 25 / 1e4)
    s.step()  # step 10 is still allowed, as in PyTorch
    with pytest.raises(ValueError, match="total_steps is 10"):
        s.step()
    with pytest.raises(ValueError, match="neither momentum nor betas"):
        sched.OneCycleLR(optim.Adagrad([_new_param()]), max_lr=1.0, total_steps=10)


def test_reduce_on_plateau_cuts_after_patience():
    opt = _sgd(1.0)
    s = sched.ReduceLROnPlateau(opt, patience=2, factor=0.5)
    for metric in [1.0, 0.9, 0.95, 0.95, 0.95]:
        s.step(metric)
    assert s.get_last_lr() == [0.5]
    with pytest.raises(ValueError, match="factor must be < 1.0"):
        sched.ReduceLROnPlateau(opt, factor=1.5)


def test_schedule_argument_errors():
    with pytest.raises(ValueError, match="step_size must be a positive integer"):
        sched.StepLR(_sgd(), step_size=0)
    with pytest.raises(ValueError, match="start_factor must be in"):
        sched.LinearLR(_sgd(), start_factor=0)
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(_sgd(), step_size=2, last_epoch=5)
    with pytest.raises(TypeError, match="expected a chainrule optimizer"):
        sched.StepLR(object(), step_size=2)


def _lrs_after(scheduler, steps):
    lrs = []
    for _ in range(steps):
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    return lrs


class _Halving:
    """A callable object: its attributes go into state dicts, unlike a function's."""

    def __init__(self):
        self.base = 2.0

    def __call__(self, x):
        return 1 / self.base ** (x - 1)


SAVED_SCHEDULES = [
    lambda o: sched.ConstantLR(o, factor=0.5, total_iters=3),
    lambda o: sched.PolynomialLR(o, total_iters=8, power=2.0),
    lambda o: sched.MultiplicativeLR(o, lambda e: 0.9),
    lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.01),
    lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=_Halving()),
    lambda o: sched.SequentialLR(o, [sched.LinearLR(o, 0.1, total_iters=3),
                                     sched.ExponentialLR(o, 0.8)], milestones=[3]),
    lambda o: sched.ChainedScheduler([sched.ConstantLR(o, 0.5, total_iters=2),
                                      sched.ExponentialLR(o, 0.8)]),
]


@pytest.mark.parametrize("make", SAVED_SCHEDULES)
def test_new_schedule_state_dict_round_trip_continues_identically(make):
    first_opt = _sgd(0.1, momentum=0.9)
    first = make(first_opt)
    _lrs_after(first, 4)
    saved = copy.deepcopy(first.state_dict())
    assert "optimizer" not in saved
    second_opt = _sgd(0.1, momentum=0.9)
    second = make(second_opt)
    second.load_state_dict(saved)
    second_opt.param_groups[0].update(lr=first_opt.param_groups[0]["lr"],
                                      momentum=first_opt.param_groups[0]["momentum"])
    assert _lrs_after(second, 6) == _lrs_after(first, 6)


def test_sequential_and_chained_state_dicts_nest_their_schedules():
    opt = _sgd(0.1)
    inner = [sched.ConstantLR(opt, total_iters=2), sched.StepLR(opt, step_size=2)]
    sd = sched.SequentialLR(opt, inner, milestones=[2]).state_dict()
    assert [s["total_iters"] for s in sd["_schedulers"][:1]] == [2]
    assert sd["_schedulers"][1]["step_size"] == 2 and sd["_milestones"] == [2]
    sd = sched.ChainedScheduler(inner).state_dict()
    assert len(sd["_schedulers"]) == 2 and "optimizer" not in sd


def test_cyclic_lr_saves_a_callable_scale_fn_but_not_a_function():
    fn = _Halving()
    s = sched.CyclicLR(_sgd(0.1, momentum=0.9), 0.01, 0.1, scale_fn=fn)
    sd = s.state_dict()
    assert sd["_scale_fn_custom"] == {"base": 2.0}
    fn.base = 3.0
    s.load_state_dict(sd)
    assert fn.base == 2.0
    sd = sched.CyclicLR(_sgd(0.1, momentum=0.9), 0.01, 0.1, scale_fn=lambda x: 1.0).state_dict()
    assert sd["_scale_fn_custom"] is None


def test_cyclic_lr_peaks_at_max_lr_and_moves_momentum_the_other_way():
    opt = _sgd(0.1, momentum=0.9)
    s = sched.CyclicLR(opt, base_lr=0.1, max_lr=1.0, step_size_up=2, step_size_down=3)
    assert s.get_last_lr() == [0.1] and opt.param_groups[0]["momentum"] == 0.9
    lrs = [lr for (lr,) in _lrs_after(s, 5)]
    np.testing.assert_allclose(lrs, [0.55, 1.0, 0.7, 0.4, 0.1])
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.9)
    s.step()
    s.step()
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.8)  # at the peak of the rate


def test_warm_restarts_restart_at_lr0_with_growing_periods():
    opt = _sgd(1.0)
    s = sched.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    lrs = [lr for (lr,) in _lrs_after(s, 7)]
    np.testing.assert_allclose(lrs, [0.5, 1.0, 0.5 + 0.5 * math.cos(math.pi / 4), 0.5,
                                     0.5 - 0.5 * math.cos(math.pi / 4), 1.0, 0.5 + 0.5 *
                                     math.cos(math.pi / 8)], atol=1e-15)
    with pytest.raises(ValueError, match="epoch must be >= 0, got -1"):
        s.step(-1)


NEW_SCHEDULE_ERRORS = [
    (lambda o: sched.ConstantLR(o, factor=1.5), ValueError, r"ConstantLR: factor must be in \(0, 1\]"),
    (lambda o: sched.ConstantLR(o, total_iters=-1), ValueError, "ConstantLR: total_iters"),
    (lambda o: sched.PolynomialLR(o, total_iters=0), ValueError,
     "PolynomialLR: total_iters must be a positive integer, got 0"),
    (lambda o: sched.MultiplicativeLR(o, 0.9), TypeError,
     "MultiplicativeLR: lr_lambda must be callable, got float"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "CosineAnnealingWarmRestarts: T_0 must be a positive integer, got 0"),
    (lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError,
     "T_mult must be an integer >= 1, got 1.5"),
    (lambda o: sched.CyclicLR(o, 0.01, 0.1, mode="sawtooth"), ValueError,
     "CyclicLR: mode must be .* got 'sawtooth'"),
    (lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError,
     "CyclicLR: step_size_up must be a positive number, got 0"),
    (lambda o: sched.CyclicLR(o, [0.01, 0.02], 0.1), ValueError,
     "CyclicLR: expected 1 values of base_lr"),
    (lambda o: sched.CyclicLR(o, 0.01, 0.1, scale_fn=abs, scale_mode="epoch"), ValueError,
     "scale_mode must be 'cycle' or 'iterations'"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2)], milestones=[3]), ValueError,
     "SequentialLR: expected 0 milestones .* got 1"),
    (lambda o: sched.SequentialLR(o, [], milestones=[]), ValueError,
     "SequentialLR: expected at least one scheduler"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(_sgd(), 2)], []), ValueError,
     r"SequentialLR: schedulers\[0\] \(StepLR\) wraps another optimizer"),
    (lambda o: sched.ChainedScheduler([sched.StepLR(o, 2), sched.ReduceLROnPlateau(o)]), ValueError,
     r"ChainedScheduler: schedulers\[1\] is a ReduceLROnPlateau"),
    (lambda o: sched.ChainedScheduler([sched.StepLR(o, 2), "StepLR"], o), TypeError,
     r"ChainedScheduler: schedulers\[1\] is a str"),
]


@pytest.mark.parametrize("make,error,message", NEW_SCHEDULE_ERRORS, ids=[m for *_, m in NEW_SCHEDULE_ERRORS])
def test_new_schedule_argument_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(_sgd())


def test_cyclic_lr_needs_a_momentum_to_cycle():
    with pytest.raises(ValueError, match="CyclicLR: cycle_momentum is on, but Adagrad has neither"):
        sched.CyclicLR(optim.Adagrad([_new_param()]), 0.01, 0.1)
    s = sched.CyclicLR(optim.Adagrad([_new_param()]), 0.01, 0.1, cycle_momentum=False)
    assert s.get_last_lr() == [0.01]


# ----------------------------------------------------------------- clipping and the L1 penalty
def _with_grads(*grads):
    params = []
    for g in grads:
        p = Parameter(cr.zeros(len(g), dtype=cr.float64))
        p.grad = cr.tensor(np.array(g, dtype=np.float64))
        params.append(p)
    return params


def test_clip_grad_norm_scales_to_max_norm():
    a, b = _with_grads([3.0, 4.0], [12.0])
    total = clip_grad_norm_([a, b], max_norm=6.5)
    assert total.shape == () and total.item() == pytest.approx(13.0)
    coef = 6.5 / (13.0 + 1e-6)
    np.testing.assert_allclose(a.grad.data, [3 * coef, 4 * coef], rtol=1e-14)
    np.testing.assert_allclose(b.grad.data, [12 * coef], rtol=1e-14)


def test_clip_grad_norm_leaves_small_gradients_and_handles_inf_norm():
    a, b = _with_grads([3.0, -4.0], [2.0])
    total = clip_grad_norm_([a, b], max_norm=100.0)
    assert total.item() == pytest.approx(math.sqrt(29.0))
    np.testing.assert_array_equal(a.grad.data, [3.0, -4.0])
    total = clip_grad_norm_([a, b], max_norm=2.0, norm_type=float("inf"))
    assert total.item() == 4.0
    np.testing.assert_allclose(a.grad.data, [1.5, -2.0], rtol=1e-6)
    assert clip_grad_norm_([Parameter(cr.zeros(2))], 1.0).item() == 0.0  # no gradients at all


def test_clip_grad_norm_nonfinite():
    (a,) = _with_grads([1.0, float("inf")])
    with pytest.raises(RuntimeError, match="non-finite|is inf"):
        clip_grad_norm_([a], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_in_place():
    (a,) = _with_grads([-3.0, 0.2, 5.0])
    grad = a.grad.data
    clip_grad_value_(a, 1.0)
    assert a.grad.data is grad
    np.testing.assert_array_equal(a.grad.data, [-1.0, 0.2, 1.0])
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_(a, -1.0)


def test_l1_penalty_value_and_gradient():
    w = Parameter(cr.tensor(np.array([[1.5, -2.0], [0.0, 0.25]])))
    b = Parameter(cr.tensor(np.array([-0.5])))
    penalty = l1_penalty([w, b])
    assert penalty.item() == pytest.approx(4.25)
    (0.1 * penalty).backward()
    np.testing.assert_allclose(w.grad.data, [[0.1, -0.1], [0.0, 0.1]])
    np.testing.assert_allclose(b.grad.data, [-0.1])
