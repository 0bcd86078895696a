"""The UCI optical handwritten digits (Alpaydin, Kaynak, 1998): 1,797 images of 8x8 pixels, values 0..16.

Shipped inside the package (57 KB), so it loads without a network: the data set for a
first classifier, small enough to train on in seconds on a CPU.
"""
import gzip
import io

import numpy as np  # file parsing happens in host memory, whatever the array module

from chainrule.datasets._embedded import read_shipped, split

FILENAME = "digits.csv.gz"
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def load_data(test_split=None, seed=113):
    """The digits as ``(x, y)``: images (1797, 8, 8) uint8 in 0..16, labels (1797,) uint8 in 0..9.

    With ``test_split`` (a fraction such as 0.2), returns Keras's layout instead,
    ``(x_train, y_train), (x_test, y_test)``, from a shuffle seeded by ``seed`` (the same
    split every time).

    >>> x, y = chainrule.datasets.digits.load_data()
    >>> (x_train, y_train), (x_test, y_test) = chainrule.datasets.digits.load_data(test_split=0.2)
    """
    text = gzip.decompress(read_shipped(FILENAME, SHA256))
    table = np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.uint8)
    x = np.ascontiguousarray(table[:, :64]).reshape(-1, 8, 8)
    y = np.ascontiguousarray(table[:, 64])
    if test_split is None:
        return x, y
    return split(x, y, test_split, seed, "digits.load_data")
