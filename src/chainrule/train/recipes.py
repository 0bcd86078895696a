"""Ready-to-train data sets and models for the ``chainrule`` command.

Every image data set is flattened and scaled to [0, 1], so a trained model's input width
alone says how to prepare a new image for it (8x8 for digits, 28x28 for MNIST).
"""
import math

from chainrule import datasets, layers, nn
from chainrule.backend import xp


class Prepared:
    """A data set ready for ``fit``: float32 inputs, integer labels, and what they mean."""

    def __init__(self, name, x_train, y_train, x_test, y_test, classes, image_side=None):
        self.name = name
        self.x_train, self.y_train = x_train, y_train
        self.x_test, self.y_test = x_test, y_test
        self.classes = classes
        self.image_side = image_side

    @property
    def features(self):
        return self.x_train.shape[1]


def _images(name, train, test, max_value, classes):
    (x_train, y_train), (x_test, y_test) = train, test
    side = x_train.shape[1]

    def flat(x):
        return (x.reshape(len(x), -1) / max_value).astype(xp.float32)
    return Prepared(name, flat(x_train), y_train.astype(xp.int64), flat(x_test),
                    y_test.astype(xp.int64), classes, image_side=side)


def _digits(seed):
    train, test = datasets.digits.load_data(test_split=0.2, seed=seed)
    return _images("digits", train, test, 16.0, 10)


def _mnist(seed):
    train, test = datasets.mnist.load_data()
    return _images("mnist", train, test, 255.0, 10)


def _fashion_mnist(seed):
    train, test = datasets.fashion_mnist.load_data()
    return _images("fashion-mnist", train, test, 255.0, 10)


def _iris(seed):
    (x_train, y_train), (x_test, y_test) = datasets.iris.load_data(test_split=0.2, seed=seed)
    return Prepared("iris", x_train.astype(xp.float32), y_train.astype(xp.int64),
                    x_test.astype(xp.float32), y_test.astype(xp.int64), 3)


def _xor(seed):
    x, y = datasets.xor(n=1000, noise=0.1, seed=seed)
    cut = 800
    return Prepared("xor", x[:cut], y[:cut].astype(xp.int64), x[cut:], y[cut:].astype(xp.int64), 2)


DATASETS = {
    "digits": _digits,
    "iris": _iris,
    "mnist": _mnist,
    "fashion-mnist": _fashion_mnist,
    "xor": _xor,
}


def load_dataset(name, seed=0):
    """The prepared data set called ``name`` (one of DATASETS)."""
    key = name.lower().replace("_", "-")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[key](seed)


def _mlp(features, classes):
    """Two hidden ReLU layers, as wide as twice the input rounded up to a power of two (32-256)."""
    hidden = max(32, min(256, 2 ** math.ceil(math.log2(features * 2))))
    return nn.Sequential(
        nn.Linear(features, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, classes), nn.Softmax(dim=-1),
    )


def _linear(features, classes):
    """Multinomial logistic regression: one affine map and a softmax."""
    return nn.Sequential(nn.Linear(features, classes), nn.Softmax(dim=-1))


def _image_side(features, model):
    side = math.isqrt(features)
    if side * side != features:
        raise ValueError(f"model {model!r} needs square images, but the data set's samples have "
                         f"{features} values")
    return side


# mean and standard deviation of MNIST's training pixels scaled to [0, 1]
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def _lenet(features, classes):
    """LeNet-5 (LeCun et al., 1998) with ReLU and max pooling: conv 6@5x5 (padding 2), pool,
    conv 16@5x5, pool, then 120, 84 and ``classes`` units.

    It takes the flattened [0, 1] images the recipes give, standardizes them (MNIST's mean and
    deviation) and unflattens them into one channel; dropout (0.25) on the 400 features before
    the classifier curbs the overfitting that otherwise leaves it just short of 99% on MNIST.
    """
    side = _image_side(features, "lenet")
    after = (side // 2 - 4) // 2   # the side after the second convolution and pooling
    if after < 1:
        raise ValueError(f"model 'lenet' needs images of at least 12x12; these are {side}x{side} "
                         "(use --model mlp)")
    return nn.Sequential(
        layers.Rescaling(1 / MNIST_STD, offset=-MNIST_MEAN / MNIST_STD),
        nn.Unflatten(1, (1, side, side)),
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25),
        nn.Linear(16 * after * after, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, classes), nn.Softmax(dim=-1),
    )


MODELS = {
    "mlp": _mlp,
    "linear": _linear,
    "lenet": _lenet,
}

# what ``chainrule train`` uses when --epochs or --batch-size is not given, and the factor
# the learning rate is multiplied by after each epoch (1: constant)
TRAINING_DEFAULTS = {"epochs": 20, "batch_size": 32, "lr_decay": 1.0}
MODEL_TRAINING_DEFAULTS = {"lenet": {"epochs": 10, "lr_decay": 0.75}}


def training_defaults(model):
    """The epochs, batch size and per-epoch learning-rate decay ``chainrule train`` uses for
    ``model`` unless told otherwise."""
    return {**TRAINING_DEFAULTS, **MODEL_TRAINING_DEFAULTS.get(model, {})}


def build_model(name, features, classes):
    """A fresh model called ``name`` (one of MODELS) for inputs of ``features`` values.

    Models end in a softmax, so ``predict`` gives probabilities; during training the loss
    takes the logits before it, fused and stable.
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name](features, classes)
