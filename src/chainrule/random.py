"""The library's one source of randomness, so that ``manual_seed`` makes every draw repeatable.

Everything random in chainrule (``rand``, ``randn``, initializers, dropout, shuffling) draws
from ``generator()``; ``manual_seed(n)`` replaces it with a fresh generator seeded with n.
"""
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
