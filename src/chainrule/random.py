"""The library's sources of randomness, so that ``manual_seed`` makes every draw repeatable.

Everything random in chainrule (``rand``, ``randn``, initializers, dropout, shuffling) draws
from ``generator()``; ``manual_seed(n)`` replaces it with a fresh generator seeded with n.
A function that takes ``generator=`` draws from that ``Generator`` instead, leaving the
global stream untouched, as in PyTorch.
"""
import copy

from chainrule.backend import xp

_state = {"generator": xp.random.default_rng(), "seed": None}


def manual_seed(seed):
    """Seed every random draw in chainrule, as ``torch.manual_seed``."""
    seed = int(seed)
    _state["generator"] = xp.random.default_rng(seed)
    _state["seed"] = seed
    return _state["generator"]


def initial_seed():
    """The seed last given to ``manual_seed``, or None."""
    return _state["seed"]


def generator():
    """The generator that all of chainrule's random draws come from."""
    return _state["generator"]


def get_rng_state():
    """The generator's state, to restore later with ``set_rng_state`` (for exact resumption)."""
    return _state["generator"].bit_generator.state


def set_rng_state(state):
    _state["generator"].bit_generator.state = state


class Generator:
    """A private stream of random numbers, as ``torch.Generator``: seed it, save and restore it.

    Pass it as ``generator=`` to rand, randn, randint, randperm, normal, bernoulli,
    multinomial, poisson, the ``nn.init`` functions, ``DataLoader`` and ``random_split``;
    draws from it neither use nor advance the global generator.  A new one starts from
    PyTorch's fixed default seed, so it is repeatable even unseeded.

    >>> g = chainrule.Generator().manual_seed(0)
    >>> chainrule.rand(3, generator=g)
    """

    default_seed = 67280421310721   # torch.Generator().initial_seed()

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise ValueError(f"Generator: device {device!r} is not available (chainrule runs on the CPU)")
        self.device = "cpu"
        self.manual_seed(self.default_seed)

    def manual_seed(self, seed):
        """Restart the stream from ``seed`` (an integer); returns the generator."""
        self._seed = int(seed)
        self._rng = xp.random.default_rng(self._seed)
        return self

    def seed(self):
        """Restart the stream from a fresh, unpredictable seed, and return that seed."""
        return self.manual_seed(int(xp.random.SeedSequence().generate_state(1, xp.uint64)[0]))._seed

    def initial_seed(self):
        """The seed the stream was last started from."""
        return self._seed

    def get_state(self):
        """A snapshot of the stream (a dict), for ``set_state``."""
        return copy.deepcopy(self._rng.bit_generator.state)

    def set_state(self, new_state):
        """Continue the stream from a snapshot taken by ``get_state``; returns the generator."""
        try:
            self._rng.bit_generator.state = copy.deepcopy(new_state)
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(f"Generator.set_state: not a state from Generator.get_state ({error})") from None
        return self

    def __repr__(self):
        return f"<chainrule.Generator seed={self._seed}>"


def numpy_generator(generator=None, op="random"):
    """The NumPy generator to draw from: the global one for None, else that of ``generator``
    (a ``chainrule.Generator``, or a NumPy ``Generator``, which older code passes)."""
    if generator is None:
        return _state["generator"]
    if isinstance(generator, Generator):
        return generator._rng
    if isinstance(generator, xp.random.Generator):
        return generator
    raise TypeError(f"{op}: generator must be a chainrule.Generator, got {type(generator).__name__}")
