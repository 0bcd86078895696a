"""Fisher's Iris data (UCI): 150 flowers, 4 measurements in cm, 3 species; shipped in the package."""
import io

import numpy as np  # file parsing happens in host memory, whatever the array module

from chainrule.datasets._embedded import read_shipped, split
from chainrule.datasets.idx import CorruptFileError

FILENAME = "iris.csv"
SHA256 = "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449"
FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
CLASS_NAMES = ("setosa", "versicolor", "virginica")


def load_data(test_split=None, seed=113):
    """Iris as ``(x, y)``: features (150, 4) float32, labels (150,) int64 in 0..2.

    Label k names ``CLASS_NAMES[k]``; the columns are ``FEATURE_NAMES``.  With
    ``test_split`` (a fraction such as 0.2), returns ``(x_train, y_train), (x_test, y_test)``
    from a shuffle seeded by ``seed``.
    """
    text = read_shipped(FILENAME, SHA256).decode("ascii")
    header, _, body = text.partition("\n")
    rows, features, *names = header.strip().split(",")
    table = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.float32, ndmin=2)
    if table.shape != (int(rows), int(features) + 1) or tuple(names) != CLASS_NAMES:
        raise CorruptFileError(f"{FILENAME}: its header '{header}' does not match its "
                               f"{table.shape} table")
    x = np.ascontiguousarray(table[:, :-1])
    y = table[:, -1].astype(np.int64)
    if test_split is None:
        return x, y
    return split(x, y, test_split, seed, "iris.load_data")
