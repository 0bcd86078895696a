"""Saving and loading state dicts as one ``.safetensors`` file: safe to open, written atomically.

The file is an ordinary safetensors file.  Every array in the saved object is a safetensors
tensor; everything else (dicts, lists, tuples, numbers, strings) is described as JSON in the
file's text metadata, which also says where each tensor goes.  Nothing is pickled, so opening
a stranger's file cannot run code.

A module's ``state_dict()`` is stored under exactly its own keys (``fc1.weight``...), so
PyTorch reads the file with ``safetensors.torch.load_file`` and ``chainrule.load`` reads a
file that PyTorch wrote with ``safetensors.torch.save_file``.  Arrays in nested objects get
path-like names (``optimizer/state/0/exp_avg``).

Metadata of a file written here::

    "format": "pt"                       (tensors in PyTorch's layout; Hugging Face checks it)
    "chainrule.version": "1"             (the marker: absent in files written elsewhere)
    "chainrule.object": "<JSON>"         (the saved object, arrays replaced by references)

The JSON keeps what JSON alone would lose: ``{"dict": [[key, value], ...]}`` keeps int keys
and order, ``{"tuple": [...]}`` keeps tuples, ``{"float": "nan"}`` keeps non-finite floats,
and ``{"tensor": name}``, ``{"ndarray": name}``, ``{"scalar": name}`` stand for a Tensor, an
ndarray and a NumPy scalar stored as the safetensors tensor ``name``.
"""
import collections
import collections.abc
import json
import math
import numbers
import os
import uuid

from chainrule._files import fsync_directory
from chainrule.backend import xp
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.tensor import Tensor

FORMAT_VERSION = 1
_VERSION_KEY = "chainrule.version"
_OBJECT_KEY = "chainrule.object"

# The dtypes that both NumPy and the safetensors format hold.
_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float16", "float32", "float64", "complex64")
_SUPPORTED = "Tensors, ndarrays, numbers, strings, bools, None, and dicts, lists and tuples of them"


class ModelFileError(ValueError):
    """A file that ``chainrule.load`` cannot read as a model file; the message names the file
    and what is wrong with it (empty, truncated, not a safetensors file, corrupted metadata)."""

    def __init__(self, path, reason, message=None):
        super().__init__(message or f"chainrule.load: {path} is not a valid model file: {reason}")
        self.path, self.reason = path, reason


class _MissingModelFile(ModelFileError, FileNotFoundError):
    """No file at all: caught by ``except ModelFileError`` and ``except FileNotFoundError``."""


def _safetensors(what):
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError(f"chainrule.{what} needs the safetensors package for model files: "
                          f"pip install safetensors") from None
    return safetensors


# --------------------------------------------------------------------------- save
def save(obj, path):
    """Save ``obj`` (a state dict, or any nesting of dicts, lists and tuples of Tensors,
    ndarrays, numbers, strings, bools and None) to ``path`` as one safetensors file.

    The write is atomic: the file is written next to ``path`` under a temporary name, synced
    to disk, then renamed onto ``path``, so a crash midway leaves the previous file intact.

    >>> chainrule.save(model.state_dict(), "model.safetensors")
    >>> chainrule.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
    ...                 "epoch": 3}, "checkpoint.safetensors")
    """
    safetensors = _safetensors("save")
    arrays = {}
    tree = _Encoder(arrays).encode(obj, ())
    metadata = {"format": "pt", _VERSION_KEY: str(FORMAT_VERSION),
                _OBJECT_KEY: json.dumps(tree, allow_nan=False, separators=(",", ":"))}
    _atomic_write(os.fspath(path),
                  lambda temp: safetensors.numpy.save_file(arrays, temp, metadata=metadata))


def _display(path):
    """A key path as Python subscripts, e.g. ['optimizer']['state'][0]['exp_avg']."""
    return "".join(f"[{part!r}]" for part in path) or "the top level"


class _Encoder:
    """Turns an object into JSON-ready data, moving its arrays into ``arrays`` by name."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.open_containers = set()  # ids of the containers on the current path (cycle check)

    def encode(self, value, path):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, Tensor):
            node = {"tensor": self.store(value.data, path)}
            if isinstance(value, Parameter):
                node["parameter"] = True
            if value.requires_grad:
                node["requires_grad"] = True
            return node
        if isinstance(value, xp.ndarray):
            return {"ndarray": self.store(value, path)}
        if isinstance(value, xp.generic):  # np.float32(0.9) stays a NumPy scalar of its dtype
            return {"scalar": self.store(xp.asarray(value), path)}
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, float):
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, (collections.abc.Mapping, list, tuple)):
            return self.encode_container(value, path)
        raise TypeError(f"chainrule.save: cannot save the value at {_display(path)}: "
                        f"{_describe(value)}; a model file holds {_SUPPORTED}")

    def encode_container(self, value, path):
        if id(value) in self.open_containers:
            raise ValueError(f"chainrule.save: the object contains itself at {_display(path)}")
        self.open_containers.add(id(value))
        if isinstance(value, collections.abc.Mapping):
            items = []
            for key, item in value.items():
                if isinstance(key, xp.integer):
                    key = int(key)
                if not isinstance(key, (str, int)):
                    raise TypeError(f"chainrule.save: the dict at {_display(path)} has a key "
                                    f"{key!r} of type {type(key).__name__}; keys must be str or int")
                items.append([key, self.encode(item, path + (key,))])
            node = {"dict": items}
            if isinstance(value, collections.OrderedDict):
                node["ordered"] = True
        else:
            encoded = [self.encode(item, path + (i,)) for i, item in enumerate(value)]
            node = {"tuple": encoded} if isinstance(value, tuple) else encoded
        self.open_containers.discard(id(value))
        return node

    def store(self, array, path):
        """Put ``array`` among the file's tensors under its path-like name; return the name."""
        if array.dtype.name not in _DTYPES or array.dtype.byteorder == ">":
            raise TypeError(f"chainrule.save: the array at {_display(path)} has dtype "
                            f"{array.dtype}, which a model file cannot hold (supported: "
                            f"{', '.join(_DTYPES)}, native byte order)")
        name = "/".join(str(part) for part in path) or "tensor"
        if name in self.arrays or name == "__metadata__":  # e.g. keys 0 and "0" side by side
            n = 1
            while f"{name}#{n}" in self.arrays:
                n += 1
            name = f"{name}#{n}"
        # the writer reads raw memory; (not ascontiguousarray, which makes a 0-d array 1-d)
        self.arrays[name] = array if array.flags.c_contiguous else array.copy(order="C")
        return name


def _describe(value):
    if isinstance(value, Module):
        return (f"a {type(value).__name__} module is not a state dict (save "
                f"module.state_dict() and load it back with module.load_state_dict)")
    if callable(getattr(value, "state_dict", None)):
        return f"a {type(value).__name__} is not a state dict (save its .state_dict())"
    if callable(value):
        return f"{value!r} is code, not data"
    return f"{type(value).__module__}.{type(value).__qualname__} is not supported"


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path, write):
    """Call ``write(temporary_path)``, sync the file, and rename it onto ``path``."""
    target = os.path.realpath(path)  # through a symlink, replace the file it points to
    directory, base = os.path.split(target)
    temp = os.path.join(directory, f".{base}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # ours alone
        write(temp)
        os.chmod(temp, 0o666 & ~_umask())  # the writer may have made it private: honour the umask
        with open(temp, "r+b") as file:
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    fsync_directory(directory)  # make the rename itself durable


# --------------------------------------------------------------------------- load
def load(path):
    """Load what ``chainrule.save`` wrote to ``path``, exactly: arrays bit for bit with their
    dtypes and shapes, Tensors as Tensors, ndarrays as ndarrays, tuples as tuples, int keys as ints.

    A safetensors file written elsewhere (``safetensors.torch.save_file``) loads as a dict of
    Tensors by its tensor names, ready for ``module.load_state_dict``.  An unreadable file
    raises ModelFileError naming the file and what is wrong; nothing in it is ever executed.

    >>> model.load_state_dict(chainrule.load("model.safetensors"))
    """
    safetensors = _safetensors("load")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"chainrule.load: {path} is a directory, not a model file")
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise _MissingModelFile(path, "it does not exist",
                                f"chainrule.load: {path} does not exist") from None
    if size == 0:
        raise ModelFileError(path, "the file is empty (0 bytes)")
    try:
        with safetensors.safe_open(path, framework="numpy") as file:
            metadata = file.metadata() or {}
            names = list(file.keys())
            arrays = {name: _read_tensor(file, name, path) for name in names}
    except safetensors.SafetensorError as error:
        raise ModelFileError(path, _explain(str(error), path, size)) from None
    except PermissionError:
        raise PermissionError(f"chainrule.load: no permission to read {path}") from None
    if _VERSION_KEY not in metadata:  # written elsewhere: a flat dict of tensors
        return {name: Tensor(arrays[name]) for name in names}
    return _decode_file(metadata, arrays, path)


def _read_tensor(file, name, path):
    try:
        return file.get_tensor(name)
    except TypeError:  # a dtype NumPy lacks, such as bfloat16
        dtype = file.get_slice(name).get_dtype()
        raise ModelFileError(path, f"tensor {name!r} has dtype {dtype}, which NumPy (and so "
                                   f"chainrule) cannot hold; convert it to float32 before "
                                   f"saving it") from None


def _explain(message, path, size):
    """A safetensors error message as a sentence about this file."""
    detail = message.split(": ", 1)[-1] if message.startswith("Error while") else message
    with open(path, "rb") as file:
        start = file.read(64)
    looks_like_text = bool(start) and all(32 <= byte < 127 or byte in b"\t\r\n" for byte in start)
    if "header too small" in detail:
        return f"header is truncated (file is {size} bytes)"
    if "invalid header length" in detail:
        return (f"header is truncated: the header it announces is longer than the file "
                f"(file is {size} bytes)")
    if "header too large" in detail or "header start" in detail:
        kind = "a text file" if looks_like_text else "not a safetensors file"
        return f"it is {kind}: its first 8 bytes do not announce a safetensors header " \
               f"(file is {size} bytes)"
    if "not fully covered" in detail:
        return (f"tensor data is truncated or has extra bytes: the tensors listed in the header "
                f"do not cover the file (file is {size} bytes)")
    return f"header is corrupted ({detail}; file is {size} bytes)"


def _decode_file(metadata, arrays, path):
    version = metadata[_VERSION_KEY]
    if not version.isdigit():
        raise ModelFileError(path, f"its format version {version!r} is not a number")
    if int(version) > FORMAT_VERSION:
        raise ModelFileError(path, f"it was written by a newer chainrule (format version "
                                   f"{version}; this one reads up to {FORMAT_VERSION}); "
                                   f"upgrade chainrule")
    try:
        tree = json.loads(metadata.get(_OBJECT_KEY, ""))
    except (ValueError, RecursionError) as error:
        raise ModelFileError(path, f"its chainrule metadata is not valid JSON ({error})") from None
    try:
        return _decode(tree, arrays)
    except _Corrupt as error:
        raise ModelFileError(path, f"its chainrule metadata is corrupted: {error}") from None
    except RecursionError:
        raise ModelFileError(path, "its chainrule metadata is nested too deeply") from None


class _Corrupt(Exception):
    pass


def _decode(node, arrays):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(item, arrays) for item in node]
    if not isinstance(node, dict) or len(node) == 0:
        raise _Corrupt(f"unexpected entry {node!r}")
    if "dict" in node:
        items = node["dict"]
        if not isinstance(items, list) or not all(
                isinstance(item, list) and len(item) == 2 and isinstance(item[0], (str, int))
                for item in items):
            raise _Corrupt("a dict entry is not a list of [key, value] pairs")
        kind = collections.OrderedDict if node.get("ordered") else dict
        return kind((key, _decode(value, arrays)) for key, value in items)
    if "tuple" in node:
        if not isinstance(node["tuple"], list):
            raise _Corrupt("a tuple entry is not a list")
        return tuple(_decode(item, arrays) for item in node["tuple"])
    if "float" in node:
        if node["float"] not in ("nan", "inf", "-inf"):
            raise _Corrupt(f"unexpected float {node['float']!r}")
        return float(node["float"])
    for tag in ("tensor", "ndarray", "scalar"):
        if tag in node:
            name = node[tag]
            if not isinstance(name, str) or name not in arrays:
                raise _Corrupt(f"it refers to tensor {name!r}, which is not in the file")
            array = arrays[name]
            if tag == "ndarray":
                return array
            if tag == "scalar":
                return array[()]
            kind = Parameter if node.get("parameter") else Tensor
            try:
                return kind(array, requires_grad=bool(node.get("requires_grad")))
            except (RuntimeError, TypeError) as error:  # e.g. an int tensor marked trainable
                raise _Corrupt(f"tensor {name!r}: {error}") from None
    raise _Corrupt(f"unexpected entry {node!r}")
