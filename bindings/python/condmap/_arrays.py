"""_arrays.py - NumPy arrays and parameter dicts in and out of libcondmap.

The rule for input arrays: one that is native-endian float32 or float64,
C-contiguous and aligned is handed to the library by its data pointer,
never copied; anything else is copied once into such an array.  float16
(the dtype of many checkpoints) is widened to float32, so the core's
float32 path converts it.
"""
from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import _lib
from ._errors import take_error
from ._lib import lib

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["DTYPE_CODES", "as_c_array", "check_out", "check_disjoint",
           "pointers", "from_c_array", "to_c_array", "read_npy",
           "params_to_dict", "params_from_mapping", "c_shape"]

DTYPE_CODES = {np.dtype(np.float32): _lib.DTYPE_FLOAT32,
               np.dtype(np.float64): _lib.DTYPE_FLOAT64}


def as_c_array(a: npt.ArrayLike, what: str = "weights") -> np.ndarray:
    """@a as an ndarray condmap can read in place: native-endian float32 or
    float64, C-contiguous and aligned.  Returns @a itself when it is one
    already (no copy); float16 becomes a float32 copy; other layouts a
    C-ordered copy.  Raises TypeError for any other dtype."""
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    dt = arr.dtype
    if dt.kind == "f" and dt.itemsize == 2:
        return np.array(arr, dtype=np.float32, order="C")
    if dt.kind != "f" or dt.itemsize not in (4, 8):
        raise TypeError("condmap: %s must be float32 or float64 (or float16, "
                        "read as float32), not %s; convert them first, e.g. "
                        "with .astype(np.float32)" % (what, dt))
    if dt.isnative and arr.flags.c_contiguous and arr.flags.aligned:
        return arr
    return np.array(arr, dtype=dt.newbyteorder("="), order="C")


def check_out(out: Any, shape: tuple, dtype: np.dtype, what: str) -> None:
    """Raises unless @out is a writeable C-contiguous @dtype array of
    @shape, which the library may fill in place."""
    if not isinstance(out, np.ndarray):
        raise TypeError("condmap: %s must be a NumPy array" % what)
    if out.dtype != dtype or out.shape != shape:
        raise ValueError("condmap: %s must be %s of shape %s, not %s of shape "
                         "%s" % (what, dtype, shape, out.dtype, out.shape))
    if not (out.flags.c_contiguous and out.flags.aligned
            and out.flags.writeable):
        raise ValueError("condmap: %s must be writeable, aligned and "
                         "C-contiguous" % what)


def check_disjoint(outs: Sequence[np.ndarray],
                   ins: Sequence[np.ndarray]) -> None:
    """Outputs must not overlap inputs or each other."""
    outs = list(outs)
    for i, o in enumerate(outs):
        for other in list(ins) + outs[i + 1:]:
            if np.may_share_memory(o, other):
                raise ValueError("condmap: output arrays must not overlap the "
                                 "inputs or each other")


def pointers(arrays: Sequence[np.ndarray]) -> Any:
    """A C array of the arrays' data pointers (void **)."""
    return (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])


def from_c_array(arr: Any) -> np.ndarray:
    """A new native C-order ndarray with the contents of a CondmapArray*
    (not freed here)."""
    dtype = (np.float32 if lib.condmap_array_get_dtype(arr)
             == _lib.DTYPE_FLOAT32 else np.float64)
    shape_p = lib.condmap_array_get_shape(arr)
    rank = lib.condmap_array_get_rank(arr)
    out = np.empty(tuple(shape_p[i] for i in range(rank)), dtype)
    ctypes.memmove(out.ctypes.data, lib.condmap_array_peek_data(arr),
                   out.nbytes)
    return out


def to_c_array(w: np.ndarray) -> Any:
    """A new CondmapArray* holding a copy of float32/float64 array @w; the
    caller frees it with condmap_array_free."""
    shape = (ctypes.c_size_t * w.ndim)(*w.shape)
    err = _lib.GErrorP()
    arr = lib.condmap_array_new(DTYPE_CODES[w.dtype], w.ndim, shape,
                                ctypes.byref(err))
    if not arr:
        raise take_error(err)
    ctypes.memmove(lib.condmap_array_get_data(arr), w.ctypes.data, w.nbytes)
    return arr


def read_npy(path: str | bytes | os.PathLike) -> np.ndarray:
    """Reads a .npy file with libcondmap's own reader.

    Accepts what `condmap convert` accepts: float32 or float64, either
    byte order, C or Fortran order.  Returns a new native C-order array.
    Raises condmap.Error (IO, FORMAT) as `condmap convert` would."""
    err = _lib.GErrorP()
    arr = lib.condmap_npy_read(os.fsencode(path), ctypes.byref(err))
    if not arr:
        raise take_error(err)
    try:
        return from_c_array(arr)
    finally:
        lib.condmap_array_free(arr)


def params_to_dict(params: Any) -> dict[str, Any]:
    """{name: value} of a CondmapParams* (not freed here); for params of
    more than one row (per-channel scaling) each value is a float64 array
    of one value per channel."""
    out: dict[str, Any] = {}
    rows = lib.condmap_params_get_n_rows(params)
    for i in range(lib.condmap_params_get_n(params)):
        name = lib.condmap_params_get_name(params, i)
        if rows == 1:
            out[name.decode()] = lib.condmap_params_get(params, name)
            continue
        column = np.empty(rows, np.float64)
        lib.condmap_params_get_column(
            params, name,
            column.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        out[name.decode()] = column
    return out


def params_from_mapping(params: Mapping[str, Any]) -> Any:
    """A new CondmapParams* from {name: number, or a 1-D array of one value
    per channel}; a number goes to every row.  The caller frees it."""
    if not isinstance(params, Mapping):
        raise TypeError("condmap: params must be a mapping {name: float}, "
                        "as to_conductances() returns, not %s"
                        % type(params).__name__)
    items = []
    rows = 1
    for name, value in params.items():
        if not isinstance(name, str):
            raise TypeError("condmap: param names must be strings, not %r"
                            % (name,))
        column = np.array(value, dtype=np.float64, ndmin=1)
        if column.ndim != 1 or column.size == 0:
            raise ValueError("condmap: param %r must be a number or a 1-D "
                             "array of one value per channel" % name)
        if column.size > 1:
            if rows > 1 and column.size != rows:
                raise ValueError("condmap: param %r has %d values, but "
                                 "others have %d: one per channel"
                                 % (name, column.size, rows))
            rows = column.size
        items.append((name.encode(), column))
    p = lib.condmap_params_new()
    for cname, column in items:
        if column.size != rows:
            column = np.full(rows, column[0])
        column = np.ascontiguousarray(column)
        lib.condmap_params_set_column(
            p, cname, column.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            rows)
    return p


def c_shape(a: np.ndarray) -> Any:
    """The shape of @a as a size_t array, for the shaped conversions."""
    return (ctypes.c_size_t * max(a.ndim, 1))(*a.shape)
