"""A tiny Keras MNIST model (10 hidden units), only the imports changed: about 93% in 10 epochs.

Integer labels with ``sparse_categorical_crossentropy``, Adam, batches of 32.

    CHAINRULE_DATA=/path/to/data python examples/keras_mnist_small.py
"""
import time

from chainrule import layers, models
from chainrule.datasets import mnist

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

model = models.Sequential()
model.add(layers.Dense(10, activation="relu", input_shape=(784,)))
model.add(layers.Dense(10, activation="softmax"))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

start = time.perf_counter()
model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=2)
seconds = time.perf_counter() - start

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Training time: {seconds:.1f} s")
print(f"Test loss: {test_loss:.4f}")
print(f"Test accuracy: {test_accuracy:.4f}")
