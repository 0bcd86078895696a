"""Reading the small data sets shipped inside the package, checked against their sha256."""
import hashlib
from importlib import resources

import numpy as np  # file parsing happens in host memory, whatever the array module

from chainrule.datasets.idx import CorruptFileError


def read_shipped(filename, sha256):
    """The bytes of ``chainrule/datasets/data/<filename>``, after checking their sha256."""
    resource = resources.files("chainrule.datasets").joinpath("data", filename)
    try:
        payload = resource.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"chainrule/datasets/data/{filename} is missing from the installed "
                                f"package; reinstall chainrule") from None
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise CorruptFileError(f"{resource}: sha256 {digest} differs from the shipped {sha256}; "
                               f"the installed package is damaged, reinstall chainrule")
    return payload


def split(x, y, test_split, seed, op):
    """Keras's ``(x_train, y_train), (x_test, y_test)``: a seeded shuffle, the last part for testing."""
    if not 0.0 <= test_split < 1.0:
        raise ValueError(f"{op}: test_split must be a fraction in [0, 1), got {test_split}")
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test_split))
    train, test = order[:len(x) - n_test], order[len(x) - n_test:]
    return (x[train], y[train]), (x[test], y[test])
