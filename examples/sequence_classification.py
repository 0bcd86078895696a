"""An LSTM that tells balanced bracket strings from unbalanced ones: a task that needs memory.

Every string has as many '(' as ')', so counting them tells nothing; a string is balanced
when no prefix closes more brackets than it has opened, which the network can only judge by
carrying a running depth, and whether it ever fell below zero, from the first character to
the last (a model that only sees which characters occur scores 0.5, chance).  Embedding ->
LSTM -> Linear on the final hidden state, a Module subclass trained with Keras's compile /
fit on ``chainrule.datasets.brackets``.  The test strings are new ones of the training
length, then strings twice as long: the LSTM handles any length, but only partly carries
over what it learned to depths and distances it has never seen.

    python examples/sequence_classification.py [--length 24] [--epochs 4] [--seed 0]
"""
import argparse
import time

import chainrule as cr
from chainrule import nn, optim
from chainrule.datasets import brackets


class BracketClassifier(nn.Module):
    """Logits (N, 2) for token sequences (N, L): 0 for '(', 1 for ')'."""

    def __init__(self, embedding_dim=8, hidden_size=32):
        super().__init__()
        self.embed = nn.Embedding(2, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 2)

    def forward(self, tokens):
        _, (h_n, _) = self.lstm(self.embed(tokens))
        return self.head(h_n[-1])   # the last layer's state after the whole string


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=24, help="characters per string (even)")
    parser.add_argument("--train-size", type=int, default=8000)
    parser.add_argument("--test-size", type=int, default=2000)
    parser.add_argument("--hidden-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2, help="fit's verbosity: 0, 1 or 2")
    return parser.parse_args(argv)


def main(argv=None):
    """Train on generated strings and score fresh ones; returns the test accuracy and history."""
    args = parse_args(argv)
    cr.manual_seed(args.seed)
    x_train, y_train = brackets(args.train_size, args.length, seed=args.seed)
    x_test, y_test = brackets(args.test_size, args.length, seed=args.seed + 1)
    print("e.g.", ", ".join(f"{''.join('()'[t] for t in row)} -> {'balanced' if label else 'not'}"
                            for row, label in zip(x_test[:2].tolist(), y_test[:2].tolist())))

    model = BracketClassifier(hidden_size=args.hidden_size)
    model.compile(optimizer=optim.Adam(model.parameters(), lr=args.lr),
                  loss=nn.CrossEntropyLoss(), metrics=["sparse_categorical_accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        verbose=args.verbose)
    seconds = time.perf_counter() - start
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    print(f"test accuracy {test_accuracy:.4f} (chance 0.5), loss {test_loss:.4f}; "
          f"trained in {seconds:.1f} s")
    x_long, y_long = brackets(args.test_size, 2 * args.length, seed=args.seed + 2)
    _, long_accuracy = model.evaluate(x_long, y_long, batch_size=256, verbose=0)
    print(f"accuracy on strings of length {2 * args.length}, never seen in training: "
          f"{long_accuracy:.4f}")
    return {"test_accuracy": float(test_accuracy), "test_loss": float(test_loss),
            "long_accuracy": float(long_accuracy), "history": history.history, "seconds": seconds}


if __name__ == "__main__":
    main()
