"""Optimizer: the base of every update rule, with PyTorch's parameter groups and state dicts.

An optimizer holds ``param_groups`` (each a dict: ``'params'``, a list of parameters, plus
that group's options such as ``lr``) and ``state`` (per parameter, a dict of arrays such
as Adam's moving averages, made on the parameter's first step, with a ``step`` counter).
``step()`` reads each parameter's ``.grad`` and changes the parameter in place; it never
changes the gradient, and it skips parameters whose gradient is None.

A subclass gives two methods:

- ``_init_state(param, group, state)``: add to ``state`` the entries this step needs and
  it lacks (called before every update, so an option switched on later still finds its
  state; on the first step ``state`` is ``{'step': 0}``); it may return a dict of values
  that this step's update reads from ``s`` but that are not kept in the state;
- ``_update(p, g, s, group, tmp)``: the update rule, element-wise, on arrays (see
  ``_elementwise``: the base class runs it over chunks of every parameter, on every core);

and may give ``_cost(group)``, the rule's time per element relative to RMSprop's, which
tells the base class when a step is large enough for threads.
"""
import collections
import itertools
import math

from chainrule.autograd import enable_grad, no_grad
from chainrule.backend import xp
from chainrule.optim._elementwise import Runner
from chainrule.tensor import Tensor


class Optimizer:
    """Base class of optimizers: parameter groups, lazily made per-parameter state, step().

    ``params``: an iterable of tensors (one group), or of dicts, each with ``'params'`` and
    any options that differ from ``defaults`` for that group::

        SGD([{'params': model.body.parameters()},
             {'params': model.head.parameters(), 'lr': 1e-3}], lr=1e-2, momentum=0.9)
    """

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of tensors or of dicts, "
                            f"not a single tensor of shape {params.shape} (wrap it in a list)")
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: params must be an ordered collection (a list, a generator "
                            "such as model.parameters()), not a set: the order fixes the "
                            "state_dict's parameter indices")
        self.defaults = dict(defaults)
        self.state = collections.defaultdict(dict)  # param -> its state, as in PyTorch
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list (did the model register its "
                             "layers as attributes, or was model.parameters() already consumed?)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- groups
    def add_param_group(self, param_group):
        """Add a group of parameters, with options that default to the optimizer's."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict with 'params', "
                            f"not {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry; got keys "
                             f"{sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: a group's 'params' must be an ordered collection, not a set")
        else:
            params = list(params)
        index = len(self.param_groups)
        if not params:
            raise ValueError(f"{name}: parameter group {index} has an empty parameter list")
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} of group {index} is a "
                                f"{type(p).__name__}, not a tensor")
            if not p.is_leaf:
                raise ValueError(f"{name}: parameter {i} of group {index} (shape {p.shape}) is "
                                 "not a leaf tensor; optimize the leaves it was computed from")
            if p.dtype.kind != "f":
                raise ValueError(f"{name}: parameter {i} of group {index} has dtype {p.dtype}; "
                                 "only floating-point tensors can be optimized")
        seen = set()
        for i, p in enumerate(params):
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} of group {index} (shape {p.shape}) "
                                 "appears twice in the group")
            seen.add(id(p))
        for j, group in enumerate(self.param_groups):
            for p in group["params"]:
                if id(p) in seen:
                    raise ValueError(f"{name}: a parameter of shape {p.shape} appears in both "
                                     f"group {j} and group {index}; each parameter may be in "
                                     "one group only")
        dtypes = {p.dtype for group in self.param_groups for p in group["params"]}
        dtypes.update(p.dtype for p in params)
        if len(dtypes) > 1:
            raise ValueError(f"{name}: parameters of mixed dtypes "
                             f"({', '.join(sorted(str(d) for d in dtypes))}) in one optimizer; "
                             "convert the model to one dtype first")
        group = dict(param_group)
        group["params"] = params
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group):
        """Raise ValueError naming the optimizer and the value if an option is out of range."""

    def _check(self, condition, what, value, rule):
        if not condition:
            raise ValueError(f"{type(self).__name__}: invalid {what} {value!r}: {rule}")

    def _check_number(self, group, key, low=0.0, high=None, high_open=False):
        """``group[key]`` must be a finite number in [low, high] (or [low, high))."""
        value = group[key]
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        self._check(number is not None, key, value, "it must be a number")
        bound = "" if high is None else (f" and < {high}" if high_open else f" and <= {high}")
        ok = math.isfinite(number) and number >= low
        if high is not None:
            ok = ok and (number < high if high_open else number <= high)
        self._check(ok, key, value, f"it must be finite, >= {low}{bound}")

    # ----------------------------------------------------------------- gradients and steps
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: set them to None (the default, cheapest), or fill them with 0."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data[...] = 0

    def _init_state(self, param, group, state):
        """Add to ``state`` what ``_update`` needs and it lacks; optionally return a dict of
        values for this step's update only (subclasses)."""

    def _cost(self, group):
        """Rough time of the rule per element, relative to RMSprop's (9 passes over the
        arrays, one a square root): a step whose elements times this are fewer than
        ``_elementwise.PARALLEL_MIN`` runs in the calling thread, as waking threads would
        cost more than they save (subclasses)."""
        return 1.0

    def _update(self, p, g, s, group, tmp):
        raise NotImplementedError(f"{type(self).__name__} does not define an update rule")

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        ``closure`` (optional) recomputes the loss and its gradients; it runs with grad
        mode on, before the update.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        name = type(self).__name__
        updated = []
        for index, group in enumerate(self.param_groups):
            for i, param in enumerate(group["params"]):
                if param.grad is None:
                    continue
                grad = param.grad.data
                if grad.shape != param.shape or grad.dtype != param.dtype:
                    raise RuntimeError(f"{name}: parameter {i} of group {index} has shape "
                                       f"{param.shape} and dtype {param.dtype}, but its grad "
                                       f"has shape {grad.shape} and dtype {grad.dtype}")
                updated.append((param, grad, group))
        jobs = []
        for param, grad, group in updated:  # checked all first, so a bad grad changes nothing
            state = self.state[param]
            if "step" not in state:  # the first step: state begins here
                state["step"] = 0
            extras = self._init_state(param, group, state)
            state["step"] += 1
            jobs.append((param, grad, state, group, extras))
        runner = getattr(self, "_runner", None)
        if runner is None:  # made on first use: it keeps the parameters' chunk views
            runner = self._runner = Runner()
        with no_grad():
            runner.run(self._update, jobs, self._cost)
        for param, _, _ in updated:
            param._mark_modified()  # graphs that used the old values can tell
        return loss

    # ----------------------------------------------------------------- the L2 penalty and maximize
    @staticmethod
    def _effective_grad(p, g, weight_decay, maximize, out):
        """The gradient the rule follows: ``-g`` if maximizing, plus ``weight_decay * p``
        (the gradient of the L2 penalty weight_decay/2 * |p|^2).  Written into ``out`` when it
        differs from ``g``, so that ``.grad`` itself never changes."""
        if weight_decay == 0:
            return xp.negative(g, out=out) if maximize else g
        xp.multiply(p, weight_decay, out=out)
        if maximize:
            out -= g
        else:
            out += g
        return out

    # ----------------------------------------------------------------- saving and loading
    def state_dict(self):
        """The optimizer's state in PyTorch's layout, parameters named by their index::

            {'state': {0: {'step': 3, 'exp_avg': tensor, ...}, ...},
             'param_groups': [{'lr': 0.01, ..., 'params': [0, 1]}, ...]}

        Indices count the parameters of all groups in order.  As in PyTorch, the state's
        tensors are the optimizer's own (not copies): deep-copy the dict to snapshot it.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = []
            for p in group["params"]:
                index[id(p)] = len(index)
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {index[id(p)]: dict(entries) for p, entries in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take over the state and group options saved by ``state_dict()`` (copied, cast to the
        parameters' dtype), keeping this optimizer's own parameters."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or "state" not in state_dict or \
                "param_groups" not in state_dict:
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and "
                             "'param_groups' (as made by state_dict())")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the saved state has {len(saved_groups)} "
                             f"parameter groups, this optimizer has {len(self.param_groups)}")
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: saved group {i} has "
                                 f"{len(saved['params'])} parameters, this optimizer's group {i} "
                                 f"has {len(group['params'])}")
        by_index = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                            itertools.chain.from_iterable(g["params"] for g in self.param_groups)))
        state = {}
        for key, entries in state_dict["state"].items():
            if key not in by_index:
                raise ValueError(f"{name}.load_state_dict: the saved state refers to parameter "
                                 f"{key!r}, which no saved group lists")
            param = by_index[key]
            state[param] = {k: _load_value(name, key, k, v, param) for k, v in entries.items()}
        groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            new = {key: value for key, value in saved.items() if key != "params"}
            new["params"] = group["params"]
            self._check_group(new)
            groups.append(new)
        self.state = collections.defaultdict(dict, state)
        self.param_groups = groups

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _load_value(name, index, key, value, param):
    """One saved state entry, as this optimizer keeps it: the step an int, arrays copied."""
    if key == "step":
        return int(float(value.item() if hasattr(value, "item") else value))
    if isinstance(value, Tensor):
        value = value.data
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        array = xp.array(xp.asarray(value), copy=True, order="C")
        if array.ndim and array.shape != param.shape:
            raise ValueError(f"{name}.load_state_dict: state {key!r} of parameter {index} has "
                             f"shape {array.shape}, but the parameter has shape {param.shape}")
        if array.dtype.kind == "f" and array.dtype != param.dtype:
            array = array.astype(param.dtype)
        return Tensor(array)
    return value
