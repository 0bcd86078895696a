"""chainrule keeps freed memory for reuse (glibc's malloc thresholds), unless told not to."""
import os
import subprocess
import sys

import pytest

from chainrule import _memory

CHECK = "import chainrule._memory as m; print(m.keep_freed_memory())"


def _run(env_value):
    env = {"CHAINRULE_KEEP_FREED_MEMORY": env_value} if env_value is not None else {}
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            env={**os.environ, **env}, check=True)
    return result.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_thresholds_are_raised_on_glibc():
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        pytest.skip("this Linux has no glibc (mallopt not found)")
    assert _run(None) == "True"


def test_the_environment_variable_turns_it_off():
    assert _run("0") == "False"

