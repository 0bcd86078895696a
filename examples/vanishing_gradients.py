"""Vanishing gradients, seen and cured: a 10-layer sigmoid MLP against ReLU + He init + BatchNorm.

Both networks train for one epoch on MNIST (found through $CHAINRULE_DATA, or downloaded
once) with a GradientMonitor attached; pass ``digits`` to use the embedded 8x8 digits offline.  In the sigmoid network each layer multiplies the backward
signal by σ'(z) ≤ 0.25 and by small weights, so the first layer's gradient is many orders of
magnitude below the last layer's and the monitor warns; with ReLU, He (kaiming) initialization
and batch normalization the gradient norms stay within an order of magnitude of each other.

    python examples/vanishing_gradients.py [output folder] [mnist|digits]
"""
import os
import sys

import chainrule as cr
from chainrule import nn, optim
from chainrule.train import GradientMonitor, recipes

DEPTH, WIDTH = 10, 64


def sigmoid_mlp(features, classes):
    layers = []
    for i in range(DEPTH):
        layers += [nn.Linear(features if i == 0 else WIDTH, WIDTH), nn.Sigmoid()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, classes), nn.Softmax(dim=-1))


def relu_he_batchnorm_mlp(features, classes):
    layers = []
    for i in range(DEPTH):
        linear = nn.Linear(features if i == 0 else WIDTH, WIDTH)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.BatchNorm1d(WIDTH), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, classes), nn.Softmax(dim=-1))


def train(build, data, epochs=3, seed=0):
    """Train with SGD and a GradientMonitor; returns (monitor, test accuracy)."""
    cr.manual_seed(seed)
    model = build(data.features, data.classes)
    model.compile(optimizer=optim.SGD(model.parameters(), lr=0.1),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    monitor = GradientMonitor(every=10, verbose=False)
    model.fit(data.x_train, data.y_train, batch_size=32, epochs=epochs, callbacks=[monitor], verbose=0)
    _, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    return monitor, accuracy


def main(out="runs/vanishing-gradients", dataset="mnist"):
    data = recipes.load_dataset(dataset)
    epochs = 1 if dataset == "mnist" else 3
    os.makedirs(out, exist_ok=True)
    for name, build in (("sigmoid", sigmoid_mlp), ("relu-he-batchnorm", relu_he_batchnorm_mlp)):
        monitor, accuracy = train(build, data, epochs=epochs)
        print(f"== {DEPTH}-layer {name} MLP on {dataset}: test accuracy {accuracy:.3f}")
        print(monitor.report())
        monitor.plot(os.path.join(out, f"gradient_flow_{name}.png"), title=f"{DEPTH}-layer {name} MLP")
    print(f"Wrote gradient_flow_sigmoid.png and gradient_flow_relu-he-batchnorm.png to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
