"""Ready-made data sets, loaded Keras's way.

- ``mnist.load_data()``, ``fashion_mnist.load_data()``: ``(x_train, y_train), (x_test, y_test)``
  as uint8 arrays, read from local IDX files (``path=``, ``$CHAINRULE_DATA/<name>/``, the
  cache) or downloaded once into the cache, with checksums.
- ``digits.load_data()``, ``iris.load_data()``: small data sets shipped inside the package.
- ``shakespeare.load_data()``: a 300 KB slice of tiny Shakespeare as one string, shipped too.
- ``xor``, ``spirals``, ``moons``, ``regression_line``, ``brackets``: generated on the spot.

>>> (x_train, y_train), (x_test, y_test) = chainrule.datasets.mnist.load_data()
"""
from chainrule.datasets import digits, fashion_mnist, iris, mnist, shakespeare
from chainrule.datasets._fetch import DatasetNotFoundError
from chainrule.datasets.generated import brackets, moons, regression_line, spirals, xor
from chainrule.datasets.idx import CorruptFileError, read_idx

__all__ = ["CorruptFileError", "DatasetNotFoundError", "brackets", "digits", "fashion_mnist", "iris",
           "mnist", "moons", "read_idx", "regression_line", "shakespeare", "spirals", "xor"]
