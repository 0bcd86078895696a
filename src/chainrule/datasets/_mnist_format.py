"""The loading shared by MNIST and Fashion-MNIST: four IDX files, found or downloaded, parsed, checked."""
import os

import numpy as np  # file parsing happens in host memory, whatever the array module

from chainrule.datasets import _fetch
from chainrule.datasets.idx import CorruptFileError, read_image_set

STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _load_npz(path):
    """Keras's single-file form (``mnist.npz`` with x_train, y_train, x_test, y_test)."""
    with np.load(path, allow_pickle=False) as archive:
        keys = ("x_train", "y_train", "x_test", "y_test")
        absent = [k for k in keys if k not in archive.files]
        if absent:
            raise CorruptFileError(f"{path}: an .npz data file needs the arrays {', '.join(keys)}; "
                                   f"missing {', '.join(absent)}")
        x_train, y_train, x_test, y_test = (archive[k] for k in keys)
    return (x_train, y_train), (x_test, y_test)


def load(title, folder_names, files, mirrors, path=None, download=True, verify=False):
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, Keras's layout.

    ``files`` maps each IDX stem to ``(md5 of the published .gz, sha256 of the decompressed
    file or None)``; with ``verify=True`` the sha256 of each file found is checked.
    """
    if path is not None and str(path).endswith(".npz") and os.path.isfile(path):
        return _load_npz(path)
    md5s = {stem: files[stem][0] for stem in STEMS}
    found = _fetch.fetch(title, folder_names, md5s, mirrors, path=path, download=download)
    sha = {stem: files[stem][1] if verify else None for stem in STEMS}
    if verify and any(files[stem][1] is None for stem in STEMS):
        raise ValueError(f"{title}: verify=True needs sha256 sums of the decompressed files, "
                         f"which chainrule does not know for this data set")
    train = read_image_set(found[STEMS[0]], found[STEMS[1]],
                           images_sha256=sha[STEMS[0]], labels_sha256=sha[STEMS[1]])
    test = read_image_set(found[STEMS[2]], found[STEMS[3]],
                          images_sha256=sha[STEMS[2]], labels_sha256=sha[STEMS[3]])
    return train, test
