"""A Keras MNIST program, unchanged but for its imports: a 512-unit MLP, about 98% in 5 epochs.

The Keras original begins ``from keras import layers, models`` and uses
``keras.utils.to_categorical`` and ``keras.datasets.mnist``; here those come from chainrule.
MNIST is read from ``$CHAINRULE_DATA/mnist/`` (or the cache, or downloaded once).

    CHAINRULE_DATA=/path/to/data python examples/keras_mnist_mlp.py
"""
import time

from chainrule import layers, models
from chainrule.datasets import mnist
from chainrule.utils import to_categorical

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(60000, 784).astype("float32") / 255
x_test = x_test.reshape(10000, 784).astype("float32") / 255
y_train = to_categorical(y_train, 10)
y_test = to_categorical(y_test, 10)

model = models.Sequential([
    layers.Dense(512, activation="relu", input_shape=(784,)),
    layers.Dense(10, activation="softmax"),
])
model.summary()
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

start = time.perf_counter()
history = model.fit(x_train, y_train, epochs=5, batch_size=128, verbose=2)
seconds = time.perf_counter() - start

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Training time: {seconds:.1f} s")
print(f"Test loss: {test_loss:.4f}")
print(f"Test accuracy: {test_accuracy:.4f}")
