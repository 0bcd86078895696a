"""Keras's simple MNIST convnet, unchanged but for its imports: about 99% test accuracy.

Two Conv2D + MaxPooling2D blocks on channels-last images (28, 28, 1), dropout, and a softmax
layer, trained with Adam on one-hot labels.  The Keras original imports ``keras`` and
``keras.layers``; here the same names come from chainrule.  MNIST is read from
``$CHAINRULE_DATA/mnist/`` (or the cache, or downloaded once).  ``EPOCHS`` and ``TRAIN_SIZE``
in the environment shorten the run (the full one is 15 epochs over 54,000 images).

    CHAINRULE_DATA=/path/to/data python examples/keras_mnist_convnet.py
"""
import os
import time

import numpy as np

from chainrule import layers, models
from chainrule.datasets import mnist
from chainrule.utils import to_categorical

num_classes = 10
input_shape = (28, 28, 1)
epochs = int(os.environ.get("EPOCHS", 15))
train_size = int(os.environ.get("TRAIN_SIZE", 60000))

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, y_train = x_train[:train_size], y_train[:train_size]
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)   # (N, 28, 28, 1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
y_train = to_categorical(y_train, num_classes)
y_test = to_categorical(y_test, num_classes)

model = models.Sequential([
    layers.Input(shape=input_shape),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(num_classes, activation="softmax"),
])
model.summary()
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

start = time.perf_counter()
history = model.fit(x_train, y_train, batch_size=128, epochs=epochs, validation_split=0.1,
                    verbose=2)
seconds = time.perf_counter() - start

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Training time: {seconds:.1f} s")
print(f"Test loss: {test_loss:.4f}")
print(f"Test accuracy: {test_accuracy:.4f}")
