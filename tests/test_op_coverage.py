"""No op without tests: every concrete Op subclass in chainrule is exercised by the op registry.

The registry (``op_registry.py``) is run case by case; the graph behind each output is
walked through ``grad_fn`` and ``node.inputs[i].grad_fn``, and the type of every node is
collected.  An Op subclass that no case reaches fails the test with its name.
"""
import importlib
import inspect
import pkgutil
import re

import pytest

import chainrule as cr
import chainrule.functions
from chainrule.ops.base import Op
from op_registry import CASES, all_samples, make_arrays, outputs_of

# kl_div with reduction='mean' warns, in both libraries, that 'batchmean' is the true KL divergence
pytestmark = pytest.mark.filterwarnings("ignore:.*'mean' divides:UserWarning",
                                        "ignore:reduction. 'mean' divides:UserWarning")


def _import_all_chainrule_modules():
    """Import every module of the package, so that every Op subclass is defined."""
    for info in pkgutil.walk_packages(cr.__path__, "chainrule."):
        if info.name.endswith("__main__"):  # running it would start the command line
            continue
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as error:  # an optional dependency (matplotlib, onnx...)
            if error.name and error.name.split(".")[0] == "chainrule":
                raise


def _is_concrete(cls):
    return cls.forward is not Op.forward and cls.backward is not Op.backward


def concrete_op_classes():
    """Every subclass of Op defined in chainrule itself (not in tests), walked recursively."""
    _import_all_chainrule_modules()
    found, stack = set(), [Op]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return {cls for cls in found if cls.__module__.startswith("chainrule.") and _is_concrete(cls)}


def graph_node_types(outputs):
    """The types of all nodes reachable from ``outputs`` (tensors) through the graph."""
    seen, types = set(), set()
    stack = [o.grad_fn for o in outputs if isinstance(o, cr.Tensor) and o.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        types.add(type(node))
        stack.extend(t.grad_fn for t in node.inputs if t.grad_fn is not None)
    return types


def exercised_op_classes():
    types = set()
    for sample_id, op_case, sample in all_samples():
        inputs = [cr.Tensor(a, requires_grad=True) for a in make_arrays(sample, sample_id)]
        types |= graph_node_types(outputs_of(op_case.fn(*inputs, **sample.kwargs)))
    return types


def test_every_op_class_is_exercised_by_the_registry():
    ops = concrete_op_classes()
    assert len(ops) >= 50, f"only {len(ops)} Op subclasses found: the walk over __subclasses__ is broken"
    exercised = exercised_op_classes()
    missing = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in ops - exercised)
    assert not missing, (f"{len(missing)} op(s) appear in no case of tests/op_registry.py; add a case "
                         f"with sample inputs for each: {', '.join(missing)}")


def test_graph_walk_sees_every_node():
    """The walker itself: a small graph yields exactly the ops it was built from."""
    from chainrule.ops import arithmetic, elementwise, reduction
    x = cr.Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x + 1.0).sum()
    assert graph_node_types([y]) == {reduction.Sum, arithmetic.AddScalar, arithmetic.Mul, elementwise.Exp}
    assert graph_node_types([x]) == set()


def test_walk_finds_private_ops():
    """Private ops of functions.py (the cast and the copy) are found and are concrete."""
    ops = concrete_op_classes()
    assert chainrule.functions._Cast in ops and chainrule.functions._Clone in ops
    assert Op not in ops


# Public functions that return no gradient (comparisons, indices, truth tests) or make tensors
NON_DIFFERENTIABLE = {"argmax", "argmin", "any", "all", "eq", "ne", "lt", "le", "gt", "ge", "as_tensor",
                      "argsort", "unique", "unique_consecutive", "count_nonzero", "searchsorted",
                      "bucketize", "bincount", "histc", "nonzero", "argwhere", "tril_indices",
                      "triu_indices"}
TRUTH_TESTS = {  # elementwise tests and bit operations: boolean or integer results (tests/test_math.py)
    "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isclose", "allclose", "equal",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
}
NON_DIFFERENTIABLE |= TRUTH_TESTS
TENSOR_METHODS_WITHOUT_GRADIENT = {
    "argmax", "argmin", "any", "all", "eq", "ne", "lt", "le", "gt", "ge", "numpy", "item", "tolist",
    "detach", "requires_grad_", "backward", "register_hook", "retain_grad", "size", "dim", "numel",
    "long", "int", "bool",
    # new tensors and descriptions (tests/test_creation.py)
    "new_zeros", "new_ones", "new_empty", "new_full", "new_tensor", "cuda", "nelement", "ndimension",
    "is_contiguous", "is_floating_point", "element_size",
    # reductions without a gradient (tests/test_reductions.py)
    "argsort", "unique", "unique_consecutive", "count_nonzero", "bincount", "histc",
    # index lists (tests/test_indexing.py)
    "nonzero", "argwhere",
} | TRUTH_TESTS


def _registry_source():
    import op_registry
    return inspect.getsource(op_registry)


def test_every_public_function_is_in_the_registry():
    """Each differentiable function chainrule exports, aliases included, is called by some case."""
    source = _registry_source()
    names = [name for name, obj in vars(cr).items()
             if inspect.isfunction(obj) and obj.__module__ == "chainrule.functions"
             and not name.startswith("_") and name not in NON_DIFFERENTIABLE]
    assert len(names) > 40
    missing = [n for n in names if not re.search(rf"\bcr\.{n}\(", source)]
    assert not missing, f"chainrule functions no registry case calls: {missing}"


def test_every_tensor_method_is_in_the_registry():
    """Each public Tensor method that can carry a gradient is called by some case."""
    source = _registry_source()
    names = [name for name, obj in vars(cr.Tensor).items()
             if inspect.isfunction(obj) and not name.startswith("_") and not name.endswith("_")
             and name not in TENSOR_METHODS_WITHOUT_GRADIENT]
    assert len(names) > 40
    missing = [n for n in names if not re.search(rf"\.{n}\(", source)]
    assert not missing, f"Tensor methods no registry case calls: {missing}"


@pytest.mark.parametrize("op_case", CASES, ids=[c.name for c in CASES])
def test_case_runs_and_records_a_graph(op_case):
    """Every case's output carries a gradient back to every input, on every sample."""
    for sample_id, case_, sample in all_samples():
        if case_ is not op_case:
            continue
        inputs = [cr.Tensor(a, requires_grad=True) for a in make_arrays(sample, sample_id)]
        outputs = [o for o in outputs_of(op_case.fn(*inputs, **sample.kwargs)) if o.dtype.kind == "f"]
        assert outputs and all(o.requires_grad for o in outputs), (
            f"{sample_id}: an output does not require grad, so no gradient flows back")
