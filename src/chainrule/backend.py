"""The one place that chooses the array module.

Every file that does array math imports ``xp`` from here instead of naming NumPy, so
that a GPU array module with NumPy's interface (CuPy) can later be swapped in here alone.
"""
import numpy as xp

__all__ = ["xp"]
