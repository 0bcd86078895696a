"""MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 training and 10,000 test images, 28x28.

``load_data()`` returns Keras's layout, ``(x_train, y_train), (x_test, y_test)``: uint8
images of shape (60000, 28, 28) and (10000, 28, 28), uint8 labels 0..9.  The four IDX
files are looked for in ``path``, then ``$CHAINRULE_DATA/mnist/``, then the cache
(``~/.cache/chainrule/mnist/``), and only then downloaded from ``MIRRORS`` into the cache.
"""
from chainrule.datasets import _mnist_format

NAME = "mnist"
# stem -> (md5 of the published .gz, sha256 of the decompressed file)
FILES = {
    "train-images-idx3-ubyte": ("f68b3c2dcbeaaa9fbdd348bbdeb94873",
                                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels-idx1-ubyte": ("d53e105ee54ea40749a09fcbcd1e9432",
                                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "t10k-images-idx3-ubyte": ("9fb629c4189551a2d022fa330f9573f3",
                               "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "t10k-labels-idx1-ubyte": ("ec29112dd5afa0611ce80d1b7f02629c",
                               "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
# Base URLs tried in order for each missing file; replace or extend to use a mirror of your own.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]


def load_data(path=None, download=True, verify=False):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, uint8 arrays as in Keras.

    ``path``: a folder holding the four files (gzipped or raw IDX; checked first), or a
    Keras-style ``mnist.npz``.  ``download=False`` never touches the network.
    ``verify=True`` checks the sha256 of every file's decompressed bytes (slower).

    >>> (x_train, y_train), (x_test, y_test) = chainrule.datasets.mnist.load_data()
    >>> x_train.shape, y_train[:5]
    ((60000, 28, 28), array([5, 0, 4, 1, 9], dtype=uint8))
    """
    return _mnist_format.load("MNIST", (NAME,), FILES, MIRRORS, path=path, download=download,
                              verify=verify)
