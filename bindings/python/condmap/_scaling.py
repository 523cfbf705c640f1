"""_scaling.py - per-channel scaling, clipping and calibration on
condmap.Converter: Converter.calibrate(), .scaling and .clips (attached in
__init__.py)."""
from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _lib
from ._arrays import DTYPE_CODES, as_c_array, c_shape, check_out
from ._errors import take_error
from ._lib import lib

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["calibrate", "scaling", "clips"]


def calibrate(self: Any, w: np.ndarray, reference: npt.ArrayLike
              ) -> np.ndarray:
    """Fits and applies the least-squares gain of each channel.

    For each channel of the config's scaling (the whole array when it
    scales per tensor), the gain g minimising sum (reference - g w)^2 is
    fitted and that channel of w multiplied by it, in place: what a lab
    does with conductances read back from a chip.

    Args:
        w: the weights, a writeable C-contiguous float32 or float64 array.
        reference: the weights the planes were made from, of w's shape
            (converted to w's dtype).

    Returns:
        The gains, a float64 array of one per channel (1 for a channel of
        zeros).

    Raises:
        TypeError: w is not a float32 or float64 array.
        ValueError: w is not writeable and C-contiguous, or the reference
            has another shape.
        condmap.Error: code INPUT for non-finite values.
    """
    h = self._handle()
    if not isinstance(w, np.ndarray) or w.dtype not in DTYPE_CODES:
        raise TypeError("condmap: calibrate() needs the weights as a "
                        "float32 or float64 NumPy array")
    check_out(w, w.shape, w.dtype, "w")
    ref = as_c_array(np.asarray(reference, dtype=w.dtype), "reference")
    if ref.shape != w.shape:
        raise ValueError("condmap: the reference has shape %s, the weights "
                         "%s" % (ref.shape, w.shape))
    gains = ctypes.c_void_p()
    n = ctypes.c_size_t()
    err = _lib.GErrorP()
    if not lib.condmap_converter_calibrate(
            h, DTYPE_CODES[w.dtype], w.ndim, c_shape(w), w.ctypes.data,
            ref.ctypes.data, ctypes.byref(gains), ctypes.byref(n),
            ctypes.byref(err)):
        raise take_error(err)
    try:
        out = np.empty(n.value, np.float64)
        ctypes.memmove(out.ctypes.data, gains, out.nbytes)
        return out
    finally:
        _lib.glib.g_free(gains)


def scaling(self: Any) -> tuple[str, int | None]:
    """("tensor", None), or ("channel", axis) for per-channel scaling (the
    axis as configured; negative counts from the last)."""
    axis = ctypes.c_int(0)
    if lib.condmap_converter_get_scaling(self._handle(),
                                         ctypes.byref(axis)) == 0:
        return ("tensor", None)
    return ("channel", axis.value)


def clips(self: Any) -> bool:
    """Whether the config clips the weights (`clip:`)."""
    return bool(lib.condmap_converter_clips(self._handle()))
