"""A two-input Keras model with the functional API, only the imports changed.

Each sample is a short "review" (a sequence of token ids) and two numbers (say, the
reviewer's history); the label is 1 when the review holds the word "good" (token 1) and the
first number is positive.  The text goes through Embedding + LSTM, the numbers through a
Dense layer; the two branches are concatenated and end in one sigmoid unit.

    python examples/keras_functional.py --epochs 20
"""
import argparse

import numpy as np

import chainrule
from chainrule import layers, models

VOCAB, STEPS = 20, 10


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    text = rng.integers(2, VOCAB, (n, STEPS))
    good = rng.random(n) < 0.5
    text[good, rng.integers(0, STEPS, good.sum())] = 1
    numbers = rng.standard_normal((n, 2)).astype("float32")
    labels = (good & (numbers[:, 0] > 0)).astype("float32")
    return {"review": text, "history": numbers}, labels


def build_model():
    review = layers.Input(shape=(None,), dtype="int64", name="review")
    history = layers.Input(shape=(2,), name="history")
    text_features = layers.LSTM(16)(layers.Embedding(VOCAB, 8)(review))
    number_features = layers.Dense(8, activation="relu")(history)
    x = layers.concatenate([text_features, number_features])
    x = layers.Dense(16, activation="relu")(x)
    output = layers.Dense(1, activation="sigmoid", name="label")(x)
    return models.Model(inputs=[review, history], outputs=output, name="review_model")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--verbose", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    chainrule.manual_seed(args.seed)   # the initial weights and the shuffling

    x_train, y_train = make_data(args.train_size, seed=0)
    x_test, y_test = make_data(500, seed=1)
    model = build_model()
    model.summary()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1,
              verbose=args.verbose)
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {test_accuracy:.4f}")
    return {"model": model, "test_accuracy": test_accuracy}


if __name__ == "__main__":
    main()
