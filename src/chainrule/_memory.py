"""Keep freed memory for reuse: glibc's malloc settings for a program of large temporaries.

Every training step makes and frees the same large arrays (a convolution's column matrix,
an LSTM's gates: megabytes each).  By default glibc serves blocks over its mmap threshold
(128 KiB, rising as blocks are freed but reset by any setting) with fresh pages from the
kernel, and hands the top of its heap back once more than twice that is free; so each step
pays again for page faults and for the kernel zeroing the pages.  Measured on a 2-core
machine: 38 of the 88 ms of an LSTM forward and backward (sequence 50, batch 64, hidden 256),
and about half of a LeNet-5 epoch on MNIST.  With the thresholds raised, freed blocks are
reused from the heap.  The cost: memory the process frees stays with it (up to
``TRIM_THRESHOLD`` above what it uses) instead of returning to the system at once; the
peak it reaches does not grow.

Applied once, when chainrule is imported, on Linux with glibc; set the environment variable
``CHAINRULE_KEEP_FREED_MEMORY=0`` to leave malloc as it is.
"""
import ctypes
import os
import sys

MMAP_THRESHOLD = 32 * 1024 * 1024    # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 512 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3   # mallopt parameters, from <malloc.h>


def keep_freed_memory():
    """Raise glibc's mmap and trim thresholds; True if they were set, False where they do not
    apply (not Linux or not glibc) or ``CHAINRULE_KEEP_FREED_MEMORY=0`` says not to."""
    if (os.environ.get("CHAINRULE_KEEP_FREED_MEMORY", "1") == "0"
            or not sys.platform.startswith("linux")):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):   # another C library (musl) has no such knobs
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
