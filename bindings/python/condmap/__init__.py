"""condmap - neural-network weights to device conductances (µS), and back.

NumPy bindings of libcondmap:

    import numpy as np, condmap

    with condmap.Runtime() as rt, \\
         condmap.Converter.from_file(rt, "configs/dual-pair.yaml") as conv:
        planes, params = conv.to_conductances(w)   # K arrays shaped like w
        w_back = conv.to_weights(planes, params)

libcondmap is loaded when first needed (or by load_library()), from the
first of: the path in CONDMAP_LIBRARY; the library `make install` put
beside this package (the libdir recorded in condmap/_build_config.py);
ctypes.util.find_library("condmap").  If none works, OSError says to set
CONDMAP_LIBRARY.  Importing condmap loads nothing.

A condmap failure raises condmap.Error, whose .code is an ErrorCode; bad
Python arguments raise TypeError (dtypes) or ValueError (shapes, counts,
closed objects).
"""
from __future__ import annotations

import ctypes
import math
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _lib, _scaling
from ._arrays import (DTYPE_CODES as _DTYPE_CODES, as_c_array as _as_c_array,
                      c_shape, check_disjoint as _check_disjoint,
                      check_out as _check_out, from_c_array as _from_c_array,
                      params_from_mapping, params_to_dict,
                      pointers as _pointers, read_npy,
                      to_c_array as _to_c_array)
from ._errors import Error, ErrorCode, take_error as _take_error
from ._lib import lib
from ._runtime import PluginFailure, PluginInfo, Runtime, _Handle
from ._device import BudgetTime, Device, parse_time
from ._device import error_budget as _error_budget

try:
    from ._build_config import VERSION as __version__  # type: ignore
except ImportError:     # a source tree or a pip install
    from ._version import VERSION as __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import numpy.typing as npt

__all__ = ["Runtime", "Converter", "Device", "BudgetTime", "parse_time",
           "Error", "ErrorCode", "PluginInfo",
           "PluginFailure", "read_npy", "restore_dir", "version",
           "load_library",
           "ROUND_TRIP_TOLERANCE", "__version__"]

#: The default limit of Converter.check_invertible(), as in condmap.h.
ROUND_TRIP_TOLERANCE = 1e-4


def restore_dir(outdir: str | bytes | os.PathLike,
                runtime: Runtime | None = None) -> np.ndarray:
    """Turns the planes of the directory @outdir back into weights.

    Uses the record in outdir/params.yaml, as `condmap restore` does.  The
    planes are those Converter.convert_to_dir() (or `condmap convert`)
    wrote, or conductances measured on a chip and saved under the same
    names, in the same shape and dtype (.npy, or .csv).  @runtime provides
    the converter the record names (None: a Runtime() with the default
    plugin search).  Returns a new array of the recorded shape and dtype.
    Raises condmap.Error: IO (a missing file), FORMAT (a broken
    params.yaml), UNKNOWN_CONVERTER, INPUT (a plane of another shape or
    dtype, naming its file)."""
    if runtime is None:
        with Runtime() as rt:
            return restore_dir(outdir, rt)
    if not isinstance(runtime, Runtime):
        raise TypeError("condmap: runtime must be a condmap.Runtime, not %s"
                        % type(runtime).__name__)
    err = _lib.GErrorP()
    arr = lib.condmap_restore_dir(runtime._handle(), os.fsencode(outdir),
                                  None, ctypes.byref(err))
    if not arr:
        raise _take_error(err)
    try:
        return _from_c_array(arr)
    finally:
        lib.condmap_array_free(arr)


def load_library() -> str:
    """Loads libcondmap now (it is otherwise loaded on first use).

    Returns what it was loaded from: CONDMAP_LIBRARY, the path recorded
    by `make install`, or the name ctypes.util.find_library("condmap")
    gave.  Raises OSError, saying to set CONDMAP_LIBRARY, if none works."""
    return _lib.load()[2]


def version() -> str:
    """The version of the loaded libcondmap, "MAJOR.MINOR.PATCH".

    condmap.__version__ is this package's, known without loading the
    library; the two are equal when both come from one build."""
    return lib.condmap_version().decode()


# ---- Converter --------------------------------------------------------------


def _flow_value(flow: str, key: str) -> str | None:
    """The text of @key's value in the flow mapping @flow that
    condmap_converter_dup_config_yaml() writes ("{g_max: 25, f_lst: [1,
    3]}" gives "[1, 3]" for f_lst), looking at the top level only; None if
    it is not there."""
    depth, quote, start, i = 0, None, 1, 0
    while i < len(flow):
        c = flow[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = None
            i += 1
            continue
        if c in "'\"":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        if (c == "," and depth == 1) or (c == "}" and depth == 0):
            name, _, value = flow[start:i].partition(":")
            if name.strip() == key:
                return value.strip()
            start = i + 1
        i += 1
    return None


class Converter(_Handle):
    """A converter: a plugin plus its validated settings.

    Make one with Converter.from_file(runtime, path) or
    Converter.from_yaml(runtime, text); then to_conductances() maps
    weights to K conductance planes (µS) and to_weights() maps planes back.

    A converter is immutable, so one may convert from many threads at once
    (the GIL is released during conversions).  It is a context manager;
    close() frees it early.  repr() shows the converter and its bounds:
    <condmap.Converter dual-pair f_lst=[1, 3] g=[0, 25] µS>.
    """

    _runtime: Runtime
    _name: str
    _n_planes: int
    _plane_names: tuple[str, ...]
    _bounds: tuple[float, float] | None
    _f_lst: str | None

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Not for use: make a Converter with from_file() or from_yaml()."""
        raise TypeError("condmap: use Converter.from_file() or "
                        "Converter.from_yaml()")

    @classmethod
    def _new(cls, runtime: Runtime, create: Callable[[Any, Any], Any]
             ) -> Converter:
        if not isinstance(runtime, Runtime):
            raise TypeError("condmap: runtime must be a condmap.Runtime, "
                            "not %s" % type(runtime).__name__)
        err = _lib.GErrorP()
        ptr = create(runtime._handle(), ctypes.byref(err))
        if not ptr:
            raise _take_error(err)
        self = object.__new__(cls)
        self._own(ptr, lib.condmap_converter_free)
        self._runtime = runtime  # the C converter refs it too
        self._name = lib.condmap_converter_get_name(ptr).decode()
        self._n_planes = lib.condmap_converter_get_n_planes(ptr)
        self._plane_names = tuple(
            lib.condmap_converter_get_plane_name(ptr, k).decode()
            for k in range(self._n_planes))
        g_min, g_max = ctypes.c_double(), ctypes.c_double()
        self._bounds = ((g_min.value, g_max.value)
                        if lib.condmap_converter_get_bounds(
                            ptr, ctypes.byref(g_min), ctypes.byref(g_max))
                        else None)
        self._f_lst = _flow_value(self.config, "f_lst")
        return self

    @classmethod
    def from_file(cls, runtime: Runtime,
                  path: str | bytes | os.PathLike) -> Converter:
        """Loads a YAML config file (as `condmap convert -c path`).

        Raises condmap.Error: IO, PARSE, CONFIG, UNKNOWN_KEY,
        UNKNOWN_CONVERTER or NOT_INVERTIBLE, with a message that names the
        file, line and fix."""
        cpath = os.fsencode(path)
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_converter_new_from_file(rt, cpath, err))

    @classmethod
    def from_yaml(cls, runtime: Runtime, text: str | bytes,
                  origin: str | bytes | os.PathLike | None = None
                  ) -> Converter:
        """Loads a YAML config from text (str or bytes).

        origin names the text in error messages (None: "<string>").
        Raises condmap.Error as from_file() does."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        org = os.fsencode(origin) if origin is not None else None
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_converter_new_from_yaml(
                            rt, data, len(data), org, err))

    @property
    def runtime(self) -> Runtime:
        """The Runtime this converter was made from."""
        return self._runtime

    @property
    def name(self) -> str:
        """The converter (plugin) name, e.g. "dual-pair"."""
        return self._name

    @property
    def n_planes(self) -> int:
        """The number K of conductance planes."""
        return self._n_planes

    @property
    def plane_names(self) -> tuple[str, ...]:
        """The planes' names in order, e.g. ("g_plus_0", "g_minus_0")."""
        return self._plane_names

    @property
    def bounds(self) -> tuple[float, float] | None:
        """(g_min, g_max) in µS, the range every plane lies in, as the
        config declares it; None for a converter that declares none."""
        return self._bounds

    def error_budget(self, w: npt.ArrayLike, device: Device,
                     times: Sequence[float | str] = (0, "1h", "1d", "1y"),
                     trials: int = 20, seed: int = 0,
                     compensation: bool = True) -> list[BudgetTime]:
        """The weight error this scheme leaves on a device, per read time.

        Converts w once; each trial programs every plane on the device,
        drifts and reads it at each time, restores the weights and applies
        global drift compensation (aihwkit's GlobalDriftCompensation), as
        `condmap check --device` does.  The same seed gives every scheme
        the same random numbers.

        Args:
            w: the weights, float32 or float64 of any shape.
            device: the device model.
            times: read times, seconds or strings with a unit ("1d").
            trials: independent trials (>= 1).
            seed: the seed of the random numbers (0 to 2^53 - 1).
            compensation: False leaves out drift compensation.

        Returns:
            One BudgetTime per time: rel RMS and max (mean, std), the
            quantization, programming and drift parts, and alpha.

        Raises:
            condmap.Error: code INPUT for trials < 1, a bad time or
                weights all 0.
        """
        return _error_budget(self, w, device, times, trials, seed,
                             compensation)

    @property
    def config(self) -> str:
        """The resolved config, defaults filled in, as flow-style YAML."""
        p = lib.condmap_converter_dup_config_yaml(self._handle())
        try:
            return ctypes.string_at(p).decode()
        finally:
            _lib.glib.g_free(p)

    def to_conductances(self, w: npt.ArrayLike,
                        out: Sequence[np.ndarray] | None = None
                        ) -> tuple[list[np.ndarray], dict[str, float]]:
        """Maps weights to conductance planes (µS).

        Args:
            w: the weights, float32 or float64 of any shape.  A native,
                C-contiguous array is read in place, never copied; other
                layouts are copied once into C order.  float16 is
                converted through float32 (a float32 copy).
            out: None, or K arrays to fill instead of new ones (w's shape,
                dtype float32 or float64 as w's, C-contiguous, writeable).

        Returns:
            (planes, params): K arrays of w's shape and dtype (float32 for
            float16 weights), in plane_names order, and a dict {name:
            float} of what to_weights() needs, e.g. {"scale_ratio": 34.5}.
            With per-channel scaling (`scaling: {per: channel}`) each
            value is a float64 array of one value per channel along the
            axis; a config that clips adds "clip_threshold".

        Raises:
            TypeError: w is not float16, float32 or float64.
            ValueError: out is unsuitable.
            condmap.Error: code INPUT for empty or non-finite weights.
        """
        h = self._handle()
        w = _as_c_array(w)
        if out is None:
            planes = [np.empty(w.shape, w.dtype)
                      for _ in range(self._n_planes)]
        else:
            planes = list(out)
            if len(planes) != self._n_planes:
                raise ValueError("condmap: out must hold %d planes (%s), "
                                 "not %d" % (self._n_planes,
                                             ", ".join(self._plane_names),
                                             len(planes)))
            for k, p in enumerate(planes):
                _check_out(p, w.shape, w.dtype, "out[%d]" % k)
            _check_disjoint(planes, [w])
        params = _lib.ParamsP()
        err = _lib.GErrorP()
        if not lib.condmap_converter_to_conductances_shaped(
                h, _DTYPE_CODES[w.dtype], w.ndim, c_shape(w), w.ctypes.data,
                _pointers(planes), ctypes.byref(params), ctypes.byref(err)):
            raise _take_error(err)
        try:
            return planes, params_to_dict(params)
        finally:
            lib.condmap_params_free(params)

    def to_weights(self, planes: Sequence[npt.ArrayLike],
                   params: Mapping[str, Any],
                   out: np.ndarray | None = None,
                   calibrate: npt.ArrayLike | None = None) -> np.ndarray:
        """Maps K conductance planes (µS) back to weights.

        Args:
            planes: K arrays of one shape and one dtype (float32 or
                float64; float16 is read as float32), e.g. conductances
                measured on the chip.  Native C-contiguous ones are read
                in place.
            params: the params of to_conductances(), or any mapping of
                names to numbers (such as params.yaml read back), or per
                channel to arrays of one number per channel.
            out: None, or an array to fill instead of a new one.
            calibrate: None, or the weights the planes were made from:
                each channel of the result is then multiplied by the gain
                that maps it best onto them (see calibrate()).

        Returns:
            The weights: an array of the planes' shape and dtype.

        Raises:
            ValueError: wrong count or shapes of planes, unsuitable out.
            TypeError: other or mixed dtypes; params not a mapping.
            condmap.Error: code INPUT if params lack a name the converter
                needs or a conductance is not finite.
        """
        h = self._handle()
        planes = list(planes)
        if len(planes) != self._n_planes:
            raise ValueError("condmap: converter '%s' needs %d planes (%s), "
                             "not %d" % (self._name, self._n_planes,
                                         ", ".join(self._plane_names),
                                         len(planes)))
        arrays = [_as_c_array(p, "planes") for p in planes]
        shape, dtype = arrays[0].shape, arrays[0].dtype
        for name, p in zip(self._plane_names, arrays):
            if p.dtype != dtype:
                raise TypeError("condmap: plane %s is %s, but %s is %s: all "
                                "planes must have one dtype"
                                % (name, p.dtype, self._plane_names[0], dtype))
            if p.shape != shape:
                raise ValueError("condmap: plane %s has shape %s, but %s has "
                                 "%s: all planes must have one shape"
                                 % (name, p.shape, self._plane_names[0],
                                    shape))
        if out is None:
            w = np.empty(shape, dtype)
        else:
            _check_out(out, shape, dtype, "out")
            _check_disjoint([out], arrays)
            w = out
        cparams = params_from_mapping(params)
        err = _lib.GErrorP()
        try:
            ok = lib.condmap_converter_to_weights_shaped(
                h, _DTYPE_CODES[dtype], w.ndim, c_shape(w), _pointers(arrays),
                cparams, w.ctypes.data, ctypes.byref(err))
        finally:
            lib.condmap_params_free(cparams)
        if not ok:
            raise _take_error(err)
        if calibrate is not None:
            self.calibrate(w, calibrate)
        return w

    def convert_to_dir(self, w: npt.ArrayLike,
                       outdir: str | bytes | os.PathLike, force: bool = False,
                       format: str = "npy") -> None:
        """Converts weights and writes them as an output directory.

        Writes what `condmap convert` does: one file per plane, named after
        plane_names ("g_plus_0.npy", ...), and params.yaml, the record
        condmap.restore_dir() reads.  The directory is built under a
        temporary name beside it and appears only when complete; on any
        error nothing is left.

        Args:
            w: the weights, float32 or float64 (float16 is widened), any
                shape.
            outdir: the directory to write.
            force: replace an existing directory (never a file) once the
                new one is complete.
            format: "npy", or "csv" for 1-D and 2-D weights.

        Raises:
            TypeError: for another dtype.
            ValueError: for another format.
            condmap.Error: EXISTS (outdir exists and not force), INPUT, IO.
        """
        h = self._handle()
        flags = _lib.OUTDIR_FORCE if force else 0
        if format == "csv":
            flags |= _lib.OUTDIR_CSV
        elif format != "npy":
            raise ValueError("condmap: format must be \"npy\" or \"csv\", "
                             "not %r" % (format,))
        path = os.fsencode(outdir)
        arr = _to_c_array(_as_c_array(w))
        err = _lib.GErrorP()
        try:
            ok = lib.condmap_converter_convert_to_dir(
                h, arr, path, flags, None, ctypes.byref(err))
        finally:
            lib.condmap_array_free(arr)
        if not ok:
            raise _take_error(err)

    def check_invertible(self, tolerance: float = ROUND_TRIP_TOLERANCE
                         ) -> float:
        """Runs the round trip on a probe over [-1, 1].

        Returns the largest error relative to max |w|.  Raises
        condmap.Error(NOT_INVERTIBLE), with the error in .max_error, if it
        exceeds tolerance (1e-4 by default; raise it for a scheme lossy by
        design), and ValueError for a negative or non-finite tolerance."""
        tolerance = float(tolerance)
        if not (math.isfinite(tolerance) and tolerance >= 0):
            raise ValueError("tolerance must be a finite number >= 0, "
                             "got %r" % tolerance)
        max_error = ctypes.c_double(float("nan"))
        err = _lib.GErrorP()
        if not lib.condmap_converter_check_round_trip(
                self._handle(), tolerance, ctypes.byref(max_error),
                ctypes.byref(err)):
            e = _take_error(err)
            e.max_error = max_error.value
            raise e
        return max_error.value

    def __repr__(self) -> str:
        parts = [self._name]
        if self._f_lst is not None:
            parts.append("f_lst=" + self._f_lst)
        if self._bounds is not None:
            parts.append("g=[%g, %g] µS" % self._bounds)
        if self.closed:
            parts.append("closed")
        return "<condmap.Converter %s>" % " ".join(parts)


# ---- Plots (libcondmap's condmap_plot_*, drawn with cairo and pango) ---------

_plot_declared = False


def _declare_plot() -> None:
    """Declares the plot functions on first use (kept apart from _lib's
    list: they are the only ones that need cairo in the library)."""
    global _plot_declared
    if not _plot_declared:
        c = _lib.load()[0]
        _lib._declare(c, "condmap_plot_available", ctypes.c_int)
        _lib._declare(c, "condmap_plot_scheme", ctypes.c_int,
                      _lib.ConverterP, _lib.ArrayP, ctypes.c_char_p,
                      ctypes.c_char_p, ctypes.POINTER(_lib.GErrorP))
        _lib._declare(c, "condmap_array_new", _lib.ArrayP, ctypes.c_int,
                      ctypes.c_uint, ctypes.POINTER(ctypes.c_size_t),
                      ctypes.POINTER(_lib.GErrorP))
        _lib._declare(c, "condmap_array_get_data", ctypes.c_void_p,
                      _lib.ArrayP)
        _plot_declared = True


def plot_available() -> bool:
    """Whether the loaded libcondmap can draw plots (Converter.plot): it was
    built with cairo and pango."""
    _declare_plot()
    return bool(lib.condmap_plot_available())


def _converter_plot(self: Converter, path: str | bytes | os.PathLike,
                    weights: npt.ArrayLike | None = None,
                    title: str | None = None) -> None:
    """Draws what this converter does, as `condmap plot` does.

    One curve per plane, g_k(w), over weights in [-1, 1], with g_min and
    g_max marked; given weights, the curves over their range and panels
    with their histogram, each plane's conductance histogram and the
    round-trip error.  The file is written atomically.

    Args:
        path: the picture to write: PNG, SVG or PDF by its extension.
        weights: a layer's weights (float32 or float64, any shape), or None.
        title: the figure's title (None: the converter's name).

    Raises:
        condmap.Error: FAILED if libcondmap was built without cairo and
            pango, INPUT for another extension or bad weights, IO if the
            path cannot be written.
    """
    _declare_plot()
    h = self._handle()
    arr = _to_c_array(_as_c_array(weights)) if weights is not None else None
    err = _lib.GErrorP()
    try:
        ok = lib.condmap_plot_scheme(
            h, arr, title.encode() if title is not None else None,
            os.fsencode(path), ctypes.byref(err))
    finally:
        if arr:
            lib.condmap_array_free(arr)
    if not ok:
        raise _take_error(err)


Converter.plot = _converter_plot
__all__.append("plot_available")

# ---- Per-channel scaling, clipping, calibration ------------------------------

Converter.calibrate = _scaling.calibrate  # type: ignore[attr-defined]
Converter.scaling = property(_scaling.scaling)  # type: ignore[attr-defined]
Converter.clips = property(_scaling.clips)  # type: ignore[attr-defined]
