"""chainrule.save / chainrule.load: exact round trips, atomic writes, clear errors, no pickle."""
import ast
import collections
import json
import math
import os
import pathlib
import pickle
import stat
import struct

import numpy as np
import pytest

safetensors = pytest.importorskip("safetensors", reason="model files need safetensors")
import safetensors.numpy  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule import nn  # noqa: E402
from chainrule.io import ModelFileError  # noqa: E402
from chainrule.io import serialization  # noqa: E402

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8,
          np.uint16, np.uint32, np.uint64, np.bool_, np.complex64]
SHAPES = [(), (0,), (2, 0, 3), (5,), (3, 4), (2, 1, 3)]


# --------------------------------------------------------------------------- helpers
class Block(nn.Module):
    """A small hand-built module: parameters, a persistent and a non-persistent buffer."""

    def __init__(self, n_in, n_out):
        super().__init__()
        rng = np.random.default_rng(n_in * 100 + n_out)
        self.weight = nn.Parameter(rng.standard_normal((n_out, n_in)).astype(np.float32))
        self.bias = nn.Parameter(rng.standard_normal(n_out).astype(np.float32))
        self.register_buffer("running_mean", cr.tensor(rng.standard_normal(n_out).astype(np.float32)))
        self.register_buffer("num_batches_tracked", cr.tensor(np.array(7, dtype=np.int64)))
        self.register_buffer("scratch", cr.zeros(n_out), persistent=False)


class Net(nn.Module):
    def __init__(self, widths=(4, 8, 3)):
        super().__init__()
        self.fc1 = Block(widths[0], widths[1])
        self.fc2 = Block(widths[1], widths[2])
        self.scale = nn.Parameter(np.array(0.5, dtype=np.float32))


def random_array(dtype, shape, seed=0):
    """An array of ``dtype`` whose bits are random (floats include NaN payloads, -0.0, inf)."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    raw = rng.integers(0, 256, size=int(np.prod(shape)) * dtype.itemsize, dtype=np.uint8)
    return raw.view(dtype).reshape(shape)


def assert_same_array(a, b):
    """Same class of container, dtype, shape and bytes."""
    assert type(a) is type(b)
    data_a = a.data if isinstance(a, cr.Tensor) else a
    data_b = b.data if isinstance(b, cr.Tensor) else b
    assert data_a.dtype == data_b.dtype
    assert data_a.shape == data_b.shape
    assert data_a.tobytes() == data_b.tobytes()


def assert_same(a, b):
    """Deep, exact equality: types (tuple vs list, int vs float vs bool), keys, order, bits."""
    if isinstance(a, (cr.Tensor, np.ndarray)):
        assert_same_array(a, b)
        return
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for key in a:
            assert type(key) is type(next(k for k in b if k == key and type(k) is type(key)))
            assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    elif isinstance(a, float):
        assert struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    else:
        assert a == b


def roundtrip(obj, tmp_path, name="obj.safetensors"):
    path = tmp_path / name
    cr.save(obj, path)
    return cr.load(path)


def read_header(path):
    """The safetensors header of ``path``, parsed by hand (test-side check of the format)."""
    data = pathlib.Path(path).read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    return data, length, json.loads(data[8:8 + length])


# --------------------------------------------------------------------------- module state dicts
def test_module_state_dict_roundtrip_is_exact(tmp_path):
    model = Net()
    state = model.state_dict()
    loaded = roundtrip(state, tmp_path)
    assert isinstance(loaded, collections.OrderedDict)
    assert list(loaded) == ["scale", "fc1.weight", "fc1.bias", "fc1.running_mean",
                            "fc1.num_batches_tracked", "fc2.weight", "fc2.bias", "fc2.running_mean",
                            "fc2.num_batches_tracked"]  # PyTorch's order: own members, then children
    assert_same(state, loaded)
    assert all(type(v) is cr.Tensor for v in loaded.values())
    assert loaded["fc1.num_batches_tracked"].dtype == np.int64
    assert loaded["scale"].shape == ()
    assert loaded["fc1.weight"].data.flags.writeable


def test_module_state_dict_tensor_keys_are_the_state_dict_keys(tmp_path):
    model = Net()
    path = tmp_path / "model.safetensors"
    cr.save(model.state_dict(), path)
    raw = safetensors.numpy.load_file(str(path))
    assert set(raw) == set(model.state_dict())
    for key, value in model.state_dict().items():
        assert raw[key].dtype == value.dtype
        assert raw[key].tobytes() == value.data.tobytes()
    _, _, header = read_header(path)
    assert header["__metadata__"]["chainrule.version"] == "1"
    assert header["__metadata__"]["format"] == "pt"


def test_loaded_file_restores_a_fresh_model(tmp_path):
    source, target = Net(), Net((4, 8, 3))
    for p in target.parameters():
        p.data[...] = 0
    path = tmp_path / "model.safetensors"
    cr.save(source.state_dict(), path)
    result = target.load_state_dict(cr.load(path))
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_same(source.state_dict(), target.state_dict())


def test_keep_vars_parameters_come_back_as_parameters(tmp_path):
    model = Net()
    loaded = roundtrip(model.state_dict(keep_vars=True), tmp_path)
    assert type(loaded["fc1.weight"]) is nn.Parameter
    assert loaded["fc1.weight"].requires_grad
    assert type(loaded["fc1.running_mean"]) is cr.Tensor
    assert not loaded["fc1.running_mean"].requires_grad
    loose = roundtrip({"t": cr.ones(2, requires_grad=True)}, tmp_path, "t.safetensors")
    assert type(loose["t"]) is cr.Tensor and loose["t"].requires_grad


# --------------------------------------------------------------------------- nested objects
def optimizer_like_state(model):
    params = list(model.parameters())
    return {
        "state": {i: {"step": cr.tensor(np.array(3.0, dtype=np.float32)),
                      "exp_avg": cr.tensor(random_array(np.float32, p.shape, seed=i)),
                      "exp_avg_sq": cr.tensor(np.abs(random_array(np.float32, p.shape, seed=i + 50)))}
                  for i, p in enumerate(params[:2])},
        "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0,
                          "amsgrad": False, "maximize": False, "foreach": None,
                          "params": list(range(len(params)))}],
    }


def test_checkpoint_with_model_optimizer_and_epoch_roundtrips(tmp_path):
    model = Net()
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer_like_state(model), "epoch": 3,
                  "history": [0.5, 0.25], "name": "run-1"}
    path = tmp_path / "ckpt.safetensors"
    cr.save(checkpoint, path)
    loaded = cr.load(path)
    assert_same(checkpoint, loaded)
    assert list(loaded["optimizer"]["state"]) == [0, 1]  # int keys stay ints
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert type(loaded["optimizer"]["param_groups"][0]["betas"]) is tuple
    assert type(loaded["epoch"]) is int
    names = set(safetensors.numpy.load_file(str(path)))
    assert "optimizer/state/0/exp_avg" in names
    assert "model/fc1.weight" in names


def test_python_values_roundtrip_exactly(tmp_path):
    obj = {
        "floats": [0.1, -0.0, 1e-310, 1.7976931348623157e308, float("inf"), float("-inf"),
                   float("nan"), 1.0],
        "ints": [0, -1, 2 ** 70, -(2 ** 63)],
        "bools": (True, False),
        "none": None,
        "text": ["", "héllo ∂L/∂w", "line\nbreak", '{"dict": []}'],
        "empty": ({}, [], (), ((),)),
        "numpy scalars": [np.float32(0.9), np.float64(0.1), np.int64(5), np.uint8(255),
                          np.bool_(True), np.float16(-0.0)],
        7: "int key",
        True: "bool key",
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
    }
    loaded = roundtrip(obj, tmp_path)
    assert_same(obj, loaded)
    assert type(loaded["ints"][0]) is int and type(loaded["floats"][-1]) is float
    assert type(loaded["numpy scalars"][0]) is np.float32
    assert type(loaded["ordered"]) is collections.OrderedDict
    assert type(loaded["empty"][3]) is tuple and loaded["empty"][3] == ((),)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_every_dtype_and_shape_roundtrips_bit_for_bit(tmp_path, dtype):
    obj = {f"t{shape}": cr.tensor(random_array(dtype, shape, seed=len(shape))) for shape in SHAPES}
    obj["arrays"] = [random_array(dtype, shape, seed=9) for shape in SHAPES]
    loaded = roundtrip(obj, tmp_path)
    assert_same(obj, loaded)
    assert type(loaded["arrays"][0]) is np.ndarray
    assert loaded["arrays"][0].shape == ()


def test_non_contiguous_arrays_are_saved_by_value(tmp_path):
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    obj = {"transposed": base.T, "strided": base[:, ::2], "tensor": cr.tensor(base).transpose(0, 1)}
    loaded = roundtrip(obj, tmp_path)
    np.testing.assert_array_equal(loaded["transposed"], base.T)
    np.testing.assert_array_equal(loaded["strided"], base[:, ::2])
    np.testing.assert_array_equal(loaded["tensor"].data, base.T)


def test_numpy_integer_keys_become_int_keys(tmp_path):
    loaded = roundtrip({np.int64(3): "a", np.uint8(4): "b"}, tmp_path)
    assert list(loaded) == [3, 4]
    assert all(type(key) is int for key in loaded)


def test_colliding_tensor_names_are_kept_apart(tmp_path):
    a, b, c, d = (cr.tensor(np.full(2, v, dtype=np.float32)) for v in (1, 2, 3, 4))
    obj = {0: a, "0": b, "x/y": c, "x": {"y": d}}
    loaded = roundtrip(obj, tmp_path)
    assert_same(obj, loaded)


def test_top_level_tensor_and_list(tmp_path):
    t = cr.randn(3)
    assert_same(roundtrip(t, tmp_path, "a.safetensors"), t)
    items = [cr.randn(2), np.arange(3)]
    assert_same(roundtrip(items, tmp_path, "b.safetensors"), items)


def test_saving_over_a_file_and_to_a_str_path(tmp_path):
    path = str(tmp_path / "m.safetensors")
    cr.save({"a": cr.zeros(2)}, path)
    cr.save({"b": cr.ones(3)}, path)
    assert list(cr.load(path)) == ["b"]
    assert os.listdir(tmp_path) == ["m.safetensors"]


# --------------------------------------------------------------------------- atomic writes
@pytest.fixture
def old_file(tmp_path):
    path = tmp_path / "model.safetensors"
    cr.save({"w": cr.tensor(np.arange(6, dtype=np.float32))}, path)
    return path, path.read_bytes()


def assert_untouched(path, old_bytes):
    assert path.read_bytes() == old_bytes
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind
    np.testing.assert_array_equal(cr.load(path)["w"].data, np.arange(6, dtype=np.float32))


def test_a_crash_while_writing_leaves_the_old_file(old_file, monkeypatch):
    path, old_bytes = old_file

    def half_write(tensors, filename, metadata=None):
        with open(filename, "wb") as file:
            file.write(b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":")  # a partial file...
        raise RuntimeError("disk on fire")  # ...then the process dies

    monkeypatch.setattr(safetensors.numpy, "save_file", half_write)
    with pytest.raises(RuntimeError, match="disk on fire"):
        cr.save({"w": cr.zeros(1000)}, path)
    assert_untouched(path, old_bytes)


def test_a_failed_fsync_or_rename_leaves_the_old_file(old_file, monkeypatch):
    path, old_bytes = old_file
    for name in ("fsync", "replace"):
        with monkeypatch.context() as patch:
            def fail(*args, name=name):
                raise OSError(f"{name} failed")
            patch.setattr(serialization.os, name, fail)
            with pytest.raises(OSError, match=f"{name} failed"):
                cr.save({"w": cr.zeros(1000)}, path)
        assert_untouched(path, old_bytes)


def test_an_interrupt_while_writing_leaves_the_old_file(old_file, monkeypatch):
    path, old_bytes = old_file

    def interrupted(tensors, filename, metadata=None):
        pathlib.Path(filename).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(safetensors.numpy, "save_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cr.save({"w": cr.zeros(3)}, path)
    assert_untouched(path, old_bytes)


def test_the_file_is_synced_before_it_is_renamed(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", "directory" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", os.path.dirname(src) == os.path.dirname(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(serialization.os, "fsync", fsync)
    monkeypatch.setattr(serialization.os, "replace", replace)
    cr.save({"w": cr.zeros(3)}, tmp_path / "m.safetensors")
    assert events.index(("fsync", "file")) < [kind for kind, _ in events].index("replace")
    assert ("replace", True) in events  # the temporary file sits in the target's directory


def test_an_unsupported_object_writes_nothing(old_file):
    path, old_bytes = old_file
    with pytest.raises(TypeError):
        cr.save({"w": cr.zeros(2), "f": print}, path)
    assert_untouched(path, old_bytes)
    with pytest.raises(TypeError):
        cr.save({"f": print}, path.parent / "new.safetensors")
    assert not (path.parent / "new.safetensors").exists()


# --------------------------------------------------------------------------- unsupported objects
@pytest.mark.parametrize("value, words", [
    (lambda x: x, "is code, not data"),
    (np.array([1, "a"], dtype=object), "dtype object"),
    (np.array([1j], dtype=np.complex128), "dtype complex128"),
    (np.array(["ab"]), "dtype <U2"),
    (np.array([1.0], dtype=">f4"), "native byte order"),
    ({1, 2}, "builtins.set is not supported"),
    (b"bytes", "builtins.bytes is not supported"),
    (1 + 2j, "builtins.complex is not supported"),
])
def test_unsupported_values_name_their_key_path(tmp_path, value, words):
    obj = {"optimizer": {"state": {0: {"exp_avg": cr.zeros(2), "bad": value}}}}
    with pytest.raises(TypeError) as info:
        cr.save(obj, tmp_path / "x.safetensors")
    message = str(info.value)
    assert "chainrule.save" in message
    assert "['optimizer']['state'][0]['bad']" in message
    assert words in message


def test_saving_a_module_or_a_bad_key_or_a_cycle_is_explained(tmp_path):
    with pytest.raises(TypeError, match=r"Net module is not a state dict.*state_dict\(\)"):
        cr.save(Net(), tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match=r"\['a'\] has a key \(1, 2\) of type tuple"):
        cr.save({"a": {(1, 2): 3}}, tmp_path / "x.safetensors")
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match=r"contains itself at \[1\]"):
        cr.save(loop, tmp_path / "x.safetensors")


# --------------------------------------------------------------------------- bad files
def assert_model_file_error(path, *words):
    with pytest.raises(ModelFileError) as info:
        cr.load(path)
    message = str(info.value)
    assert str(path) in message, message
    assert "is not a valid model file" in message
    for word in words:
        assert word in message, message
    assert isinstance(info.value, ValueError)
    return message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.safetensors"
    path.write_bytes(b"")
    assert_model_file_error(path, "empty (0 bytes)")


def test_truncated_header(tmp_path):
    path = tmp_path / "model.safetensors"
    cr.save(Net().state_dict(), path)
    data = path.read_bytes()
    path.write_bytes(data[:5])
    assert_model_file_error(path, "header is truncated (file is 5 bytes)")
    path.write_bytes(data[:12])
    assert_model_file_error(path, "header is truncated", "file is 12 bytes")


def test_every_truncation_of_a_model_file_is_reported(tmp_path):
    path = tmp_path / "small.safetensors"
    cr.save({"w": cr.tensor(np.arange(3, dtype=np.float32)), "step": 2}, path)
    data = path.read_bytes()
    cut_path = tmp_path / "cut.safetensors"
    for cut in range(1, len(data)):
        cut_path.write_bytes(data[:cut])
        message = assert_model_file_error(cut_path)
        assert f"file is {cut} bytes" in message
    cut_path.write_bytes(data + b"\x00\x00\x00\x00")  # extra bytes at the end
    assert_model_file_error(cut_path, "do not cover the file")


def test_corrupted_bytes_never_escape_as_a_library_error(tmp_path):
    path = tmp_path / "small.safetensors"
    cr.save({"w": cr.tensor(np.arange(3, dtype=np.float32)), "meta": {1: (2.5, "x")}}, path)
    data = path.read_bytes()
    bad_path = tmp_path / "bad.safetensors"
    outcomes = collections.Counter()
    for position in range(len(data)):
        for value in (0, 0x22, 0x7B, 0xFF):
            corrupted = bytearray(data)
            corrupted[position] = value
            bad_path.write_bytes(bytes(corrupted))
            try:
                cr.load(bad_path)
                outcomes["loaded"] += 1
            except ModelFileError as error:
                assert str(bad_path) in str(error)
                outcomes["error"] += 1
    assert outcomes["error"] > len(data)  # most corruptions are caught, the rest load


def test_text_file(tmp_path):
    path = tmp_path / "notes.safetensors"
    path.write_text("these are not the weights you are looking for\n" * 3)
    assert_model_file_error(path, "a text file")


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.safetensors"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    assert_model_file_error(path, "file is 4096 bytes")


def test_pickle_file_is_refused_without_being_run(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"w": [1.0, 2.0]}))
    assert_model_file_error(path)


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nowhere" / "model.safetensors"
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        cr.load(missing)
    assert str(missing) in str(info.value)
    assert isinstance(info.value, ModelFileError)
    with pytest.raises(IsADirectoryError, match="is a directory"):
        cr.load(tmp_path)


def write_with_metadata(path, metadata, tensors=None):
    tensors = {"w": np.zeros(2, np.float32)} if tensors is None else tensors
    safetensors.numpy.save_file(tensors, str(path), metadata=metadata)


@pytest.mark.parametrize("metadata, words", [
    ({"chainrule.version": "1", "chainrule.object": "{not json"}, "not valid JSON"),
    ({"chainrule.version": "1"}, "not valid JSON"),
    ({"chainrule.version": "1", "chainrule.object": '{"tensor": "ghost"}'}, "'ghost', which is not in the file"),
    ({"chainrule.version": "1", "chainrule.object": '{"spell": 1}'}, "unexpected entry"),
    ({"chainrule.version": "1", "chainrule.object": '{"dict": [1, 2]}'}, "[key, value] pairs"),
    ({"chainrule.version": "1", "chainrule.object": '{"float": "1e999"}'}, "unexpected float"),
    ({"chainrule.version": "99", "chainrule.object": "null"}, "newer chainrule (format version 99"),
    ({"chainrule.version": "one", "chainrule.object": "null"}, "not a number"),
    ({"chainrule.version": "1", "chainrule.object": "[" * 100000 + "]" * 100000}, "chainrule metadata"),
])
def test_corrupted_chainrule_metadata(tmp_path, metadata, words):
    path = tmp_path / "x.safetensors"
    write_with_metadata(path, metadata)
    assert_model_file_error(path, words)


def test_an_int_tensor_marked_trainable_is_a_corrupt_file(tmp_path):
    path = tmp_path / "x.safetensors"
    write_with_metadata(path, {"chainrule.version": "1",
                               "chainrule.object": '{"tensor": "w", "requires_grad": true}'},
                        {"w": np.zeros(2, np.int64)})
    assert_model_file_error(path, "tensor 'w'")


def test_foreign_safetensors_file_loads_as_a_flat_dict_of_tensors(tmp_path):
    path = tmp_path / "foreign.safetensors"
    tensors = {"fc1.weight": random_array(np.float32, (8, 4)), "fc1.bias": random_array(np.float32, (8,)),
               "count": np.array(3, dtype=np.int64)}
    safetensors.numpy.save_file(tensors, str(path), metadata={"format": "pt"})
    loaded = cr.load(path)
    assert type(loaded) is dict
    assert set(loaded) == set(tensors)
    for key, array in tensors.items():
        assert type(loaded[key]) is cr.Tensor
        assert_same_array(loaded[key].data, array)


# --------------------------------------------------------------------------- load_state_dict
def test_load_state_dict_reports_every_problem_in_one_message(tmp_path):
    path = tmp_path / "model.safetensors"
    cr.save(Net((4, 8, 3)).state_dict(), path)

    class Wider(nn.Module):  # fc1 wider, fc2 renamed to head, an extra layer
        def __init__(self):
            super().__init__()
            self.fc1 = Block(4, 16)
            self.head = Block(16, 3)
            self.scale = nn.Parameter(np.array(0.5, dtype=np.float32))

    model = Wider()
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(cr.load(path))
    message = str(info.value)
    assert "Wider" in message
    assert "missing keys: head.weight, head.bias, head.running_mean, head.num_batches_tracked" in message
    assert "unexpected keys: fc2.weight, fc2.bias, fc2.running_mean, fc2.num_batches_tracked" in message
    assert "fc1.weight: expected shape (16, 4), got (8, 4)" in message
    assert "fc1.bias: expected shape (16,), got (8,)" in message
    assert "fc1.running_mean: expected shape (16,), got (8,)" in message
    # nothing was half-loaded
    for key, value in model.state_dict().items():
        assert value.data.tobytes() == before[key].tobytes()


def test_load_state_dict_non_strict_returns_keys_but_shapes_still_raise(tmp_path):
    path = tmp_path / "model.safetensors"
    net = Net()
    cr.save({k: v for k, v in net.state_dict().items() if k != "scale"} | {"extra": cr.zeros(1)}, path)
    target = Net()
    result = target.load_state_dict(cr.load(path), strict=False)
    assert result.missing_keys == ["scale"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(target.fc1.weight.data, net.fc1.weight.data)
    cr.save(Net((4, 5, 3)).state_dict(), path)
    with pytest.raises(RuntimeError, match=r"fc1.weight: expected shape \(8, 4\), got \(5, 4\)"):
        Net().load_state_dict(cr.load(path), strict=False)


# --------------------------------------------------------------------------- no pickle
def test_io_source_uses_no_pickle_or_code_execution():
    directory = pathlib.Path(serialization.__file__).parent
    banned = {"pickle", "cPickle", "_pickle", "dill", "marshal", "shelve", "joblib"}
    for source in directory.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & banned, source
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] not in banned, source
            elif isinstance(node, ast.Name):
                assert node.id not in {"eval", "exec", "__import__"}, source
            elif isinstance(node, ast.keyword):
                assert node.arg != "allow_pickle", source
            elif isinstance(node, ast.Attribute):
                assert node.attr not in {"load", "loads"} or not (
                    isinstance(node.value, ast.Name) and node.value.id in {"np", "xp", "numpy", "pickle"}), source


def test_loading_never_unpickles(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    model = Net()
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer_like_state(model), "epoch": 3}
    cr.save(checkpoint, path)

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was used")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    assert_same(cr.load(path), checkpoint)


def test_the_file_is_only_a_json_header_and_raw_tensor_bytes(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    model = Net()
    cr.save({"model": model.state_dict(), "optimizer": optimizer_like_state(model)}, path)
    data, length, header = read_header(path)
    raw_header = data[8:8 + length]
    assert b"\x80" not in raw_header  # pickle streams start with the PROTO opcode 0x80
    metadata = header.pop("__metadata__")
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    json.loads(metadata["chainrule.object"])
    arrays = safetensors.numpy.load_file(str(path))
    body = data[8 + length:]
    spans = sorted(info["data_offsets"] for info in header.values())
    assert spans[0][0] == 0 and spans[-1][1] == len(body)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))  # nothing between the tensors
    for name, info in header.items():
        start, end = info["data_offsets"]
        assert body[start:end] == arrays[name].tobytes()
