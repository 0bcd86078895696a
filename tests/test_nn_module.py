"""The Module API beyond layers: hooks (forward pre, forward, full backward), walks with
prefixes and duplicates, dotted look-ups, dtype casts, state_dict / load_state_dict options.
Where PyTorch is installed, names, keys and hook gradients are compared with its own."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison; "
                               "pip install torch==2.13.0")


def _shared(lib):
    """A model that holds one Linear twice (a shared submodule) and a non-persistent buffer."""
    shared = lib.Linear(2, 2)
    model = lib.Sequential(shared, lib.ReLU(), shared, lib.BatchNorm1d(2))
    model.register_buffer("scale", lib.Linear(1, 1).weight.detach() * 0 + 1, persistent=False)
    return model


# ----------------------------------------------------------------- forward hooks
def test_forward_hooks_run_in_order_and_handles_remove_them():
    layer, calls = nn.Linear(2, 2), []
    first = layer.register_forward_pre_hook(lambda m, args: calls.append("pre1"))
    layer.register_forward_pre_hook(lambda m, args: calls.append("pre0"), prepend=True)
    layer.register_forward_hook(lambda m, args, out: calls.append("post1"))
    with layer.register_forward_hook(lambda m, args, out: calls.append("post0"), prepend=True):
        layer(cr.ones(2))
    assert calls == ["pre0", "pre1", "post0", "post1"]
    calls.clear()
    first.remove()
    layer(cr.ones(2))
    assert calls == ["pre0", "post1"]


def test_forward_hooks_may_replace_inputs_and_outputs():
    layer = nn.Identity()
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    layer.register_forward_hook(lambda m, args, out: out + 1)
    assert layer(cr.tensor([1.0, 2.0])).tolist() == [3.0, 5.0]


def test_forward_hooks_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    layer, seen = Scale(), []
    layer.register_forward_pre_hook(lambda m, args, kwargs: (args, {"factor": kwargs["factor"] * 10}),
                                    with_kwargs=True)
    layer.register_forward_hook(lambda m, args, kwargs, out: seen.append((kwargs, out.item())),
                                with_kwargs=True)
    assert layer(cr.tensor(1.0), factor=2.0).item() == 20.0
    assert seen == [({"factor": 20.0}, 20.0)]


def test_always_call_forward_hook_runs_when_forward_raises():
    layer, seen = nn.Linear(2, 2), []
    layer.register_forward_hook(lambda m, args, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError):
        layer(cr.ones(3))
    assert seen == [None]


# ----------------------------------------------------------------- backward hooks
def _backward_hook_run(lib, tensor, scale_input=None, scale_output=None):
    """Linear(3, 2) on x (requires grad): the hooks' arguments and the gradients they leave."""
    seen = {}
    (lib.manual_seed if hasattr(lib, "manual_seed") else cr.manual_seed)(0)
    layer = lib.nn.Linear(3, 2).double()
    weights = np.arange(6.0).reshape(2, 3) / 10
    with (lib.no_grad() if hasattr(lib, "no_grad") else cr.no_grad()):
        layer.weight.data[...] = tensor(weights).data if lib is cr else tensor(weights)

    def pre_hook(module, grad_output):
        seen["pre"] = grad_output[0].numpy().copy()
        return None if scale_output is None else (grad_output[0] * scale_output,)

    def hook(module, grad_input, grad_output):
        seen["grad_input"] = grad_input[0].numpy().copy()
        seen["grad_output"] = grad_output[0].numpy().copy()
        return None if scale_input is None else (grad_input[0] * scale_input,)

    layer.register_full_backward_pre_hook(pre_hook)
    layer.register_full_backward_hook(hook)
    x = tensor(np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 2.0]]))
    x.requires_grad_(True)
    (layer(x) * tensor(np.array([[1.0, 2.0], [3.0, -1.0]]))).sum().backward()
    seen["x.grad"], seen["w.grad"] = x.grad.numpy().copy(), layer.weight.grad.numpy().copy()
    return seen


@pytest.mark.parametrize("scale_input, scale_output", [(None, None), (2.0, None), (None, 3.0)])
def test_full_backward_hooks_match_torch(scale_input, scale_output):
    torch = _torch()
    ours = _backward_hook_run(cr, lambda a: cr.tensor(a, dtype=cr.float64), scale_input, scale_output)
    theirs = _backward_hook_run(torch, lambda a: torch.tensor(a, dtype=torch.float64),
                                scale_input, scale_output)
    assert set(ours) == set(theirs)
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-12, err_msg=key)


def test_full_backward_hook_without_input_gradient_gets_none():
    layer, seen = nn.Linear(2, 1), []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    layer(cr.ones(4, 2)).sum().backward()
    assert seen == [((None,), (4, 1))]
    assert layer.weight.grad is not None


def test_full_backward_hook_handle_removes_it():
    layer, seen = nn.Tanh(), []
    handle = layer.register_full_backward_hook(lambda m, gi, go: seen.append(1))
    handle.remove()
    layer(cr.ones(2, requires_grad=True)).sum().backward()
    assert seen == []


def test_full_backward_hook_needs_one_output_tensor():
    lstm = nn.LSTM(2, 3)
    lstm.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(NotImplementedError, match="LSTM returned a tuple"):
        lstm(cr.ones(4, 1, 2, requires_grad=True))


# ----------------------------------------------------------------- walks and look-ups
def test_walks_with_duplicates_and_prefixes_match_torch():
    torch = _torch()
    ours, theirs = _shared(nn), _shared(torch.nn)
    for remove_duplicate in (True, False):
        assert ([n for n, _ in ours.named_modules(prefix="m", remove_duplicate=remove_duplicate)]
                == [n for n, _ in theirs.named_modules(prefix="m", remove_duplicate=remove_duplicate)])
        assert ([n for n, _ in ours.named_parameters(prefix="p", remove_duplicate=remove_duplicate)]
                == [n for n, _ in theirs.named_parameters(prefix="p",
                                                          remove_duplicate=remove_duplicate)])
        assert ([n for n, _ in ours.named_buffers(remove_duplicate=remove_duplicate)]
                == [n for n, _ in theirs.named_buffers(remove_duplicate=remove_duplicate)])
    assert list(ours.state_dict(prefix="top.")) == list(theirs.state_dict(prefix="top."))
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []


def test_get_submodule_parameter_and_buffer():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.BatchNorm1d(3)))
    assert model.get_submodule("") is model
    assert model.get_submodule("1.0") is model[1][0]
    assert model.get_parameter("0.bias") is model[0].bias
    assert model.get_buffer("1.0.running_var") is model[1][0].running_var
    with pytest.raises(AttributeError, match=r"get_submodule\('1.x'\): Sequential at 1: `x` does not exist"):
        model.get_submodule("1.x")
    with pytest.raises(AttributeError, match="`running_mean` is not an nn.Parameter"):
        model.get_parameter("1.0.running_mean")
    with pytest.raises(AttributeError, match="`weight` is not a buffer"):
        model.get_buffer("0.weight")


def test_delattr_and_non_persistent_buffers():
    model = _shared(nn)
    assert "scale" not in model.state_dict() and "scale" in dict(model.named_buffers())
    del model.scale
    assert "scale" not in dict(model.named_buffers())
    layer = nn.Linear(2, 2)
    del layer.bias
    assert list(layer.state_dict()) == ["weight"] and "bias" not in dir(layer)


# ----------------------------------------------------------------- dtypes
def test_casts_keep_identity_and_follow_torchs_rules():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    assert model.half() is model and weight.dtype == np.float16 and model[0].weight is weight
    model.to(cr.float64)
    assert weight.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64      # to() leaves integer buffers
    model.to("cpu", dtype="float32").to(cr.zeros(1, dtype=cr.float64))
    assert weight.dtype == np.float64
    model.type(cr.float32)
    assert model[1].num_batches_tracked.dtype == np.float32     # type() casts them all
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        model.to(cr.int64)
    with pytest.raises(ValueError, match="device 'cuda' is not available"):
        model.to("cuda")


# ----------------------------------------------------------------- state
def test_load_state_dict_result_and_assign():
    layer = nn.Linear(2, 2)
    result = layer.load_state_dict(layer.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    result = layer.load_state_dict({"weight": np.ones((2, 2)), "extra": np.zeros(1)}, strict=False)
    assert result == (["bias"], ["extra"])
    assert "missing_keys=['bias']" in repr(result)
    new_weight = np.full((2, 2), 3.0, dtype=np.float32)
    old = layer.weight
    layer.load_state_dict({"weight": new_weight, "bias": np.zeros(2, np.float32)}, assign=True)
    assert layer.weight is not old and isinstance(layer.weight, nn.Parameter)
    assert layer.weight.requires_grad and np.shares_memory(layer.weight.data, new_weight)


def test_state_dict_destination_and_keep_vars():
    layer = nn.Linear(2, 2)
    destination = {"already": 1}
    assert layer.state_dict(destination=destination, prefix="fc.") is destination
    assert list(destination) == ["already", "fc.weight", "fc.bias"]
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight
    assert layer.state_dict()["weight"] is not layer.weight
