"""Model files against PyTorch: chainrule's files open in PyTorch and PyTorch's in chainrule."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")
pytest.importorskip("safetensors", reason="model files need safetensors")
import safetensors.torch  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule import nn  # noqa: E402
from chainrule.io import ModelFileError  # noqa: E402

TORCH_DTYPES = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64,
                np.int8: torch.int8, np.int16: torch.int16, np.int32: torch.int32,
                np.int64: torch.int64, np.uint8: torch.uint8, np.bool_: torch.bool}


# chainrule modules built by hand with the parameter names and shapes of torch.nn's layers
class Linear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(np.zeros((n_out, n_in), dtype=np.float32))
        self.bias = nn.Parameter(np.zeros(n_out, dtype=np.float32))

    def forward(self, x):
        return x @ self.weight.transpose(0, 1) + self.bias


class BatchNormEval(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(np.ones(n, dtype=np.float32))
        self.bias = nn.Parameter(np.zeros(n, dtype=np.float32))
        self.register_buffer("running_mean", cr.zeros(n))
        self.register_buffer("running_var", cr.ones(n))
        self.register_buffer("num_batches_tracked", cr.tensor(np.array(0, dtype=np.int64)))

    def forward(self, x):  # evaluation mode only: normalise with the running statistics
        return (x - self.running_mean) / (self.running_var + 1e-5).sqrt() * self.weight + self.bias


class Net(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.fc1 = Linear(4, width)
        self.bn = BatchNormEval(width)
        self.fc2 = Linear(width, 3)

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)).relu())


def torch_net(width=8):
    torch.manual_seed(0)
    model = torch.nn.Module()
    model.fc1 = torch.nn.Linear(4, width)
    model.bn = torch.nn.BatchNorm1d(width)
    model.fc2 = torch.nn.Linear(width, 3)
    model.train()
    for _ in range(3):  # give the running statistics real values
        model.bn(model.fc1(torch.randn(16, 4)))
    return model.eval()


def torch_forward(model, x):
    return model.fc2(torch.relu(model.bn(model.fc1(x))))


def filled_chainrule_net():
    net = Net()
    rng = np.random.default_rng(1)
    for tensor in net.state_dict().values():
        if tensor.data.dtype.kind == "f":
            tensor.data[...] = rng.standard_normal(tensor.shape).astype(np.float32)
    net.bn.running_var.data[...] = np.abs(net.bn.running_var.data) + 0.5
    net.bn.num_batches_tracked.data[...] = 12
    return net


def test_chainrule_file_opens_in_pytorch_under_the_same_keys(tmp_path):
    net = filled_chainrule_net()
    path = tmp_path / "model.safetensors"
    cr.save(net.state_dict(), path)
    loaded = safetensors.torch.load_file(str(path))
    state = net.state_dict()
    assert set(loaded) == set(state)
    for key, value in state.items():
        assert loaded[key].dtype == TORCH_DTYPES[value.dtype.type]
        assert tuple(loaded[key].shape) == value.shape
        assert loaded[key].numpy().tobytes() == value.data.tobytes()


def test_chainrule_file_loads_into_the_pytorch_model(tmp_path):
    net = filled_chainrule_net()
    path = tmp_path / "model.safetensors"
    cr.save(net.state_dict(), path)
    model = torch_net()
    model.load_state_dict(safetensors.torch.load_file(str(path)))  # strict: same keys, same shapes
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    expected = torch_forward(model, torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(net(cr.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_pytorch_file_loads_into_a_matching_chainrule_model(tmp_path):
    model = torch_net()
    path = tmp_path / "torch.safetensors"
    safetensors.torch.save_file(model.state_dict(), str(path), metadata={"format": "pt"})
    state = cr.load(path)
    assert set(state) == set(model.state_dict())
    assert all(type(v) is cr.Tensor for v in state.values())
    net = Net()
    result = net.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for key, value in model.state_dict().items():
        assert net.state_dict()[key].data.tobytes() == value.numpy().tobytes()
    assert net.bn.num_batches_tracked.dtype == np.int64 and net.bn.num_batches_tracked.item() == 3
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    expected = torch_forward(model, torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(net(cr.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_pytorch_file_for_another_architecture_is_explained(tmp_path):
    path = tmp_path / "torch.safetensors"
    safetensors.torch.save_file(torch_net(width=16).state_dict(), str(path))
    with pytest.raises(RuntimeError) as info:
        Net(width=8).load_state_dict(cr.load(path))
    message = str(info.value)
    assert "fc1.weight: expected shape (8, 4), got (16, 4)" in message
    assert "fc2.weight: expected shape (3, 8), got (3, 16)" in message
    assert "bn.running_var: expected shape (8,), got (16,)" in message


@pytest.mark.parametrize("np_dtype", list(TORCH_DTYPES), ids=lambda d: np.dtype(d).name)
def test_every_dtype_agrees_with_pytorch_both_ways(tmp_path, np_dtype):
    torch.manual_seed(0)
    shapes = [(), (0,), (2, 3), (1, 0, 2)]
    tensors = {f"t{i}": (torch.randn(shape) * 50).to(TORCH_DTYPES[np_dtype]) for i, shape in enumerate(shapes)}
    path = tmp_path / "torch.safetensors"
    safetensors.torch.save_file(tensors, str(path))
    loaded = cr.load(path)
    for key, value in tensors.items():
        assert loaded[key].dtype == np_dtype and loaded[key].shape == tuple(value.shape)
        assert loaded[key].data.tobytes() == value.numpy().tobytes()
    back = tmp_path / "back.safetensors"
    cr.save(loaded, back)
    for key, value in safetensors.torch.load_file(str(back)).items():
        assert value.dtype == tensors[key].dtype and torch.equal(value, tensors[key])


def test_nested_checkpoint_has_path_like_names_in_pytorch(tmp_path):
    net = filled_chainrule_net()
    exp_avg = cr.tensor(np.full((8, 4), 0.25, dtype=np.float32))
    checkpoint = {"model": net.state_dict(),
                  "optimizer": {"state": {0: {"step": 4, "exp_avg": exp_avg}},
                                "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "params": [0]}]},
                  "epoch": 3}
    path = tmp_path / "ckpt.safetensors"
    cr.save(checkpoint, path)
    loaded = safetensors.torch.load_file(str(path))
    assert "model/fc1.weight" in loaded and "optimizer/state/0/exp_avg" in loaded
    assert torch.equal(loaded["optimizer/state/0/exp_avg"], torch.full((8, 4), 0.25))


def test_bfloat16_file_is_explained(tmp_path):
    path = tmp_path / "bf16.safetensors"
    safetensors.torch.save_file({"w": torch.ones(3, dtype=torch.bfloat16)}, str(path))
    with pytest.raises(ModelFileError, match=r"tensor 'w' has dtype (BF16|bfloat16), which NumPy"):
        cr.load(path)
