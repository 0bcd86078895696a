"""Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando Research): 70,000 28x28 images of clothing, 10 classes.

A drop-in replacement for MNIST with the same files, shapes and layout; ``load_data()``
returns ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays.  The files are looked for
in ``path``, then ``$CHAINRULE_DATA/fashion_mnist/`` (or ``fashion-mnist/``), then the cache
(``~/.cache/chainrule/fashion_mnist/``), and only then downloaded from ``MIRRORS``.
"""
from chainrule.datasets import _mnist_format

NAME = "fashion_mnist"
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
# stem -> (md5 of the published .gz, sha256 of the decompressed file: not recorded here)
FILES = {
    "train-images-idx3-ubyte": ("8d4fb7e6c68d591d4c3dfef9ec88bf0d", None),
    "train-labels-idx1-ubyte": ("25c81989df183df01b3e8a0aad5dffbe", None),
    "t10k-images-idx3-ubyte": ("bef4ecab320f06d8554ea6380940ec79", None),
    "t10k-labels-idx1-ubyte": ("bb300cfdad3c16e7a12a480ee83cd310", None),
}
# Base URLs tried in order for each missing file (Zalando Research's bucket first).
MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
]


def load_data(path=None, download=True):
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, uint8 arrays as in Keras.

    ``path``: a folder holding the four files (gzipped or raw IDX; checked first), or a
    Keras-style ``.npz``.  ``download=False`` never touches the network.  Label k names
    ``CLASS_NAMES[k]``.
    """
    return _mnist_format.load("Fashion-MNIST", (NAME, "fashion-mnist"), FILES, MIRRORS,
                              path=path, download=download)
