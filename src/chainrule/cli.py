"""The ``chainrule`` command."""
import argparse
import sys

import chainrule


def _demo(args):
    from chainrule import demo
    demo.run(steps=args.steps, seed=args.seed)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="chainrule", description="Backpropagation you can read: train and inspect networks.")
    parser.add_argument("--version", action="version", version=f"chainrule {chainrule.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="train a small network on two spirals with the bare engine")
    demo.add_argument("--steps", type=int, default=2000, help="gradient-descent steps (default 2000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(run=_demo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
