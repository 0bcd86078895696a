"""Every registered op, on every sample, passes chainrule's finite-difference gradcheck (float64)."""
import numpy as np
import pytest

import chainrule as cr
from op_registry import all_samples, make_arrays

# kl_div with reduction='mean' warns, in both libraries, that 'batchmean' is the true KL divergence
pytestmark = pytest.mark.filterwarnings("ignore:.*'mean' divides:UserWarning",
                                        "ignore:reduction. 'mean' divides:UserWarning")

SAMPLES = [entry for entry in all_samples() if entry[2].gradcheck]


@pytest.mark.parametrize("sample_id, op_case, sample", SAMPLES, ids=[entry[0] for entry in SAMPLES])
def test_gradcheck(sample_id, op_case, sample):
    inputs = tuple(cr.Tensor(a, requires_grad=True) for a in make_arrays(sample, sample_id))

    def fn(*xs):
        return op_case.fn(*xs, **sample.kwargs)

    try:
        assert cr.gradcheck(fn, inputs, eps=sample.eps) is True, f"{sample_id}: gradcheck did not return True"
    except cr.GradcheckError as error:
        pytest.fail(f"{sample_id}: {error}")


def test_gradcheck_detects_a_wrong_rule():
    """The harness can fail: a gradient rule that is 1% off is caught."""
    from chainrule.ops.elementwise import Sin
    from chainrule.tensor import apply

    class WrongSin(Sin):
        def backward(self, g):
            return 1.01 * super().backward(g)

    x = cr.Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    with pytest.raises(cr.GradcheckError):
        cr.gradcheck(lambda t: apply(WrongSin(), t), x)
