"""The ``chainrule`` command: train a model on real data, evaluate it, predict with it.

    chainrule train                      # an MLP on the embedded digits, offline, in seconds
    chainrule train --dataset mnist --epochs 5
    chainrule train --dataset mnist --model lenet   # a convolutional network, >= 0.99
    chainrule evaluate runs/digits-mlp/model.safetensors --dataset digits
    chainrule predict runs/digits-mlp/model.safetensors image.png

A mistake in the arguments or the files ends with one clear line and a non-zero exit,
never a traceback.
"""
import argparse
import os
import sys

import chainrule


class CommandError(Exception):
    """A problem the user can fix, reported as one line."""


# ---------------------------------------------------------------------------- train
def _train(args):
    from chainrule import optim
    from chainrule.train import recipes, report

    defaults = recipes.training_defaults(args.model)
    args.epochs = args.epochs or defaults["epochs"]
    args.batch_size = args.batch_size or defaults["batch_size"]
    args.lr_decay = args.lr_decay or defaults["lr_decay"]
    chainrule.manual_seed(args.seed)
    data = recipes.load_dataset(args.dataset, seed=args.seed)
    model = recipes.build_model(args.model, data.features, data.classes)
    optimizer_class = {"sgd": optim.SGD, "rmsprop": optim.RMSprop, "adam": optim.Adam,
                       "adamw": optim.AdamW, "adagrad": optim.Adagrad}[args.optimizer]
    optimizer = optimizer_class(model.parameters(), lr=args.lr)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    print(f"Training {args.model} on {data.name}: {len(data.x_train)} training and "
          f"{len(data.x_test)} test samples, {data.features} features, {data.classes} classes")
    callbacks = []
    if args.lr_decay != 1:
        from chainrule.train import LearningRateScheduler
        callbacks.append(LearningRateScheduler(lambda epoch, lr: args.lr * args.lr_decay ** epoch))
    monitor = None
    if args.monitor:
        from chainrule.train import GradientMonitor
        monitor = GradientMonitor(every=10, verbose=not args.quiet)
        callbacks.append(monitor)
    history = model.fit(data.x_train, data.y_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_split=0.1, verbose=0 if args.quiet else 1, callbacks=callbacks)
    test_loss, test_accuracy = model.evaluate(data.x_test, data.y_test, batch_size=256, verbose=0)
    print(f"Test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")

    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, "model.safetensors")
    model.save(model_path)
    metrics = {"dataset": data.name, "model": args.model, "epochs": len(history.history["loss"]),
               "batch_size": args.batch_size, "optimizer": args.optimizer, "lr": args.lr,
               "lr_decay": args.lr_decay,
               "seed": args.seed, "test_loss": test_loss, "test_accuracy": test_accuracy,
               "final": {name: values[-1] for name, values in history.history.items()}}
    report.write_metrics_json(metrics, os.path.join(args.out, "metrics.json"))
    report.write_history_csv(history.history, os.path.join(args.out, "history.csv"))
    report.plot_learning_curves(history.history, os.path.join(args.out, "learning_curves.png"),
                                title=f"{args.model} on {data.name}")
    print(f"Wrote {model_path}, metrics.json, history.csv and learning_curves.png to {args.out}")
    if monitor is not None:
        monitor.plot(os.path.join(args.out, "gradient_flow.png"), title=f"{args.model} on {data.name}")
        with open(os.path.join(args.out, "gradient_report.txt"), "w") as file:
            file.write(monitor.report())
        print(f"Wrote gradient_flow.png and gradient_report.txt to {args.out}")
    return 0


# ---------------------------------------------------------------------------- evaluate and predict
def _load(path):
    from chainrule import models

    if not os.path.exists(path):
        raise CommandError(f"no model file at {path}")
    return models.load_model(path)


def _evaluate(args):
    from chainrule.train import recipes

    model = _load(args.model)
    data = recipes.load_dataset(args.dataset)
    loss, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=256, verbose=0)
    print(f"{data.name} test set ({len(data.x_test)} samples): loss {loss:.4f}, accuracy {accuracy:.4f}")
    return 0


def _read_input(path, width):
    """Rows of model input from a .npy array or an image file (grayscale, scaled to [0, 1])."""
    from chainrule.backend import xp

    if not os.path.exists(path):
        raise CommandError(f"no input file at {path}")
    if path.endswith(".npy"):
        try:
            array = xp.load(path, allow_pickle=False)
        except ValueError as error:
            raise CommandError(f"{path} is not a readable .npy array: {error}") from None
        array = array.reshape(1, -1) if array.size == width else array.reshape(len(array), -1)
        if array.shape[1] != width:
            raise CommandError(f"{path} holds rows of {array.shape[1]} values; the model takes {width}")
        return array.astype(xp.float32)
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib
        raise CommandError("reading images needs Pillow: pip install pillow") from None
    side = int(round(width ** 0.5))
    if side * side != width:
        raise CommandError(f"the model takes {width} values, which is not a square image")
    try:
        image = Image.open(path).convert("L").resize((side, side))
    except OSError as error:
        raise CommandError(f"{path} is not a readable image: {error}") from None
    return (xp.asarray(image, dtype=xp.float32) / 255.0).reshape(1, width)


def _predict(args):
    model = _load(args.model)
    width = next(iter(model.parameters())).shape[-1] if args.width is None else args.width
    rows = _read_input(args.input, width)
    probabilities = model.predict(rows, verbose=0)
    for i, row in enumerate(probabilities):
        best = int(row.argmax())
        top = ", ".join(f"{k}: {p:.3f}" for k, p in enumerate(row))
        print(f"sample {i}: class {best} (probability {row[best]:.3f}); all: {top}")
    return 0


# ---------------------------------------------------------------------------- the parser
def _positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _demo(args):
    from chainrule import demo
    demo.run(steps=args.steps, seed=args.seed)
    return 0


def _explain(args):
    from chainrule import explain

    if args.spec is not None and args.example is not None:
        raise CommandError("give either a JSON description or --example, not both")
    try:
        if args.spec is not None:
            network = explain.from_json(args.spec)
        else:
            network = explain.EXAMPLES[args.example or "textbook"]()
    except ValueError as error:  # the library names itself; the command line already does
        raise CommandError(str(error).removeprefix("explain: ")) from None
    text = explain.derive(network).render(args.format, args.digits)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text)
        print(f"Wrote the derivation ({args.format}) to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def build_parser():
    from chainrule.train.recipes import DATASETS, MODELS

    parser = argparse.ArgumentParser(
        prog="chainrule", description="Backpropagation you can read: train and inspect networks.")
    parser.add_argument("--version", action="version", version=f"chainrule {chainrule.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = commands.add_parser("train", help="train a model and save it with its metrics and curves")
    train.add_argument("--dataset", default="digits", choices=list(DATASETS),
                       help="data set (default: digits, embedded, offline)")
    train.add_argument("--model", default="mlp", choices=list(MODELS), help="architecture (default: mlp)")
    train.add_argument("--epochs", type=_positive_int, default=None,
                       help="passes over the data (default 20; 10 for lenet)")
    train.add_argument("--batch-size", type=_positive_int, default=None,
                       help="samples per step (default 32)")
    train.add_argument("--optimizer", default="adam", choices=["sgd", "rmsprop", "adam", "adamw", "adagrad"])
    train.add_argument("--lr", type=_positive_float, default=1e-3, help="learning rate (default 0.001)")
    train.add_argument("--lr-decay", type=_positive_float, default=None,
                       help="factor applied to the learning rate after each epoch "
                            "(default 1; 0.75 for lenet)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--out", default=None, help="output folder (default runs/<dataset>-<model>)")
    train.add_argument("--quiet", action="store_true", help="no progress display")
    train.add_argument("--monitor", action="store_true",
                       help="watch gradient health; writes gradient_flow.png and gradient_report.txt")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="a saved model's loss and accuracy on a test set")
    evaluate.add_argument("model", help="model file written by chainrule train")
    evaluate.add_argument("--dataset", default="digits", choices=list(DATASETS))
    evaluate.set_defaults(run=_evaluate)

    predict = commands.add_parser("predict", help="classes and probabilities for new inputs")
    predict.add_argument("model", help="model file written by chainrule train")
    predict.add_argument("input", help="a .npy array (one row per sample) or an image file")
    predict.add_argument("--width", type=_positive_int, default=None, help=argparse.SUPPRESS)
    predict.set_defaults(run=_predict)

    demo = commands.add_parser("demo", help="train a small network on two spirals with the bare engine")
    demo.add_argument("--steps", type=_positive_int, default=2000, help="gradient-descent steps (default 2000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(run=_demo)

    explain = commands.add_parser("explain", help="one backpropagation step of a small network, "
                                  "every number derived (default: the textbook example)")
    explain.add_argument("spec", nargs="?", default=None,
                         help="JSON file describing the network, input, target, loss and learning rate")
    explain.add_argument("--example", default=None, choices=["textbook", "batch", "softmax"],
                         help="a built-in example instead of a JSON file (default: textbook)")
    explain.add_argument("--format", default="text", choices=["text", "markdown", "latex"])
    explain.add_argument("--digits", type=_positive_int, default=6, help="significant digits (default 6)")
    explain.add_argument("--out", dest="output", default=None,
                         help="write to this file instead of the terminal")
    explain.set_defaults(run=_explain)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    if getattr(args, "out", "unset") is None:
        args.out = os.path.join("runs", f"{args.dataset}-{args.model}")
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ValueError, TypeError, KeyError, OSError, RuntimeError) as error:
        if os.environ.get("CHAINRULE_DEBUG"):  # the full traceback, for finding a bug in chainrule
            raise
        message = str(error).strip("'\"") or type(error).__name__
        print(f"chainrule {args.command}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
