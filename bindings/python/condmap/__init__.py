"""condmap - NumPy bindings of libcondmap.

Weights in, device conductances (µS) out, and back:

    import numpy as np, condmap

    with condmap.Runtime() as rt, \\
         condmap.Converter.from_file(rt, "configs/dual-pair.yaml") as conv:
        planes, params = conv.to_conductances(w)   # K arrays shaped like w
        w_back = conv.to_weights(planes, params)

The library is found through CONDMAP_LIBRARY (a path to libcondmap.so),
then ctypes.util.find_library("condmap"), when first needed (or by
load_library()); if neither works, OSError says to set CONDMAP_LIBRARY.
A condmap failure raises condmap.Error, whose .code is an ErrorCode; bad
Python arguments raise TypeError (dtypes) or ValueError (shapes, counts,
closed objects).
"""
import collections
import ctypes
import enum
import math
import os
import weakref
from collections.abc import Mapping

import numpy as np

from . import _lib
from ._lib import lib

__all__ = ["Runtime", "Converter", "Error", "ErrorCode", "PluginInfo",
           "PluginFailure", "read_npy", "restore_dir", "version",
           "load_library", "ROUND_TRIP_TOLERANCE"]

#: The default limit of Converter.check_invertible(), as in condmap.h.
ROUND_TRIP_TOLERANCE = 1e-4


def load_library():
    """Loads libcondmap now (it is otherwise loaded on first use) and
    returns what it was loaded from: CONDMAP_LIBRARY, or the name
    ctypes.util.find_library("condmap") gave.  Raises OSError, saying to
    set CONDMAP_LIBRARY, if neither works."""
    return _lib.load()[2]


def version():
    """The version of the loaded libcondmap, "MAJOR.MINOR.PATCH"."""
    return lib.condmap_version().decode()


# ---- Errors -----------------------------------------------------------------


class ErrorCode(enum.IntEnum):
    """The codes of the CONDMAP_ERROR domain (CondmapError)."""
    FAILED = 0             # none of the below
    PARSE = 1              # YAML syntax error (line, column)
    CONFIG = 2             # config structure or a value breaks a rule
    UNKNOWN_KEY = 3        # a key no accessor consumed
    UNKNOWN_CONVERTER = 4  # no plugin provides the converter
    PLUGIN = 5             # a plugin could not be loaded or misbehaved
    ABI = 6                # a plugin was built for another ABI
    NOT_INVERTIBLE = 7     # the mapping does not round-trip
    IO = 8                 # a file could not be read or written
    FORMAT = 9             # a file is not valid .npy, CSV or sidecar
    INPUT = 10             # array data is invalid: NaN, empty, shape
    EXISTS = 11            # an output exists and --force was not given


class Error(Exception):
    """A GError of libcondmap.  .message is its text (which names the file,
    line, key or element, and the fix), .code its ErrorCode.  An error of
    another GError domain (none is expected) has code FAILED and that
    domain's name in .domain."""

    def __init__(self, message, code=ErrorCode.FAILED, domain=None):
        try:
            code = ErrorCode(code)
        except ValueError:
            pass        # a code newer than these bindings: keep the int
        super().__init__(message, code)
        self.message = message
        self.code = code
        self.domain = domain or "condmap-error-quark"

    def __str__(self):
        return self.message


def _decode(b):
    return b.decode("utf-8", "replace") if b is not None else None


def _error_from_gerror(gerror):
    """An Error for a GError* (not freed here)."""
    e = gerror.contents
    message = _decode(e.message) or "unknown error"
    if e.domain == lib.condmap_error_quark():
        return Error(message, e.code)
    return Error(message, ErrorCode.FAILED,
                 _decode(_lib.glib.g_quark_to_string(e.domain)))


def _take_error(gerror):
    """An Error for a GError* that we own; frees it."""
    try:
        return _error_from_gerror(gerror)
    finally:
        _lib.glib.g_error_free(gerror)


# ---- Arrays -----------------------------------------------------------------

_DTYPE_CODES = {np.dtype(np.float32): _lib.DTYPE_FLOAT32,
                np.dtype(np.float64): _lib.DTYPE_FLOAT64}


def _as_c_array(a, what="weights"):
    """@a as an ndarray condmap can read in place: native-endian float32 or
    float64, C-contiguous and aligned.  Returns @a itself when it is one
    already (no copy), else such a copy; raises TypeError for other dtypes."""
    arr = a if isinstance(a, np.ndarray) else np.asarray(a)
    dt = arr.dtype
    if dt.kind != "f" or dt.itemsize not in (4, 8):
        raise TypeError("condmap: %s must be float32 or float64, not %s; "
                        "convert them first, e.g. with .astype(np.float32)"
                        % (what, dt))
    if dt.isnative and arr.flags.c_contiguous and arr.flags.aligned:
        return arr
    return np.array(arr, dtype=dt.newbyteorder("="), order="C")


def _check_out(out, shape, dtype, what):
    if not isinstance(out, np.ndarray):
        raise TypeError("condmap: %s must be a NumPy array" % what)
    if out.dtype != dtype or out.shape != shape:
        raise ValueError("condmap: %s must be %s of shape %s, not %s of shape "
                         "%s" % (what, dtype, shape, out.dtype, out.shape))
    if not (out.flags.c_contiguous and out.flags.aligned
            and out.flags.writeable):
        raise ValueError("condmap: %s must be writeable, aligned and "
                         "C-contiguous" % what)


def _check_disjoint(outs, ins):
    """Outputs must not overlap inputs or each other."""
    for i, o in enumerate(outs):
        for other in list(ins) + outs[i + 1:]:
            if np.may_share_memory(o, other):
                raise ValueError("condmap: output arrays must not overlap the "
                                 "inputs or each other")


def _pointers(arrays):
    return (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])


def _from_c_array(arr):
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


def _to_c_array(w):
    """A new CondmapArray* holding a copy of float32/float64 array @w; the
    caller frees it with condmap_array_free."""
    shape = (ctypes.c_size_t * w.ndim)(*w.shape)
    err = _lib.GErrorP()
    arr = lib.condmap_array_new(_DTYPE_CODES[w.dtype], w.ndim, shape,
                                ctypes.byref(err))
    if not arr:
        raise _take_error(err)
    ctypes.memmove(lib.condmap_array_get_data(arr), w.ctypes.data, w.nbytes)
    return arr


def read_npy(path):
    """Reads a .npy file with libcondmap's reader (float32/float64, either
    byte order, C or Fortran order) into a new native C-order array.
    Raises Error (IO, FORMAT) as `condmap convert` would."""
    err = _lib.GErrorP()
    arr = lib.condmap_npy_read(os.fsencode(path), ctypes.byref(err))
    if not arr:
        raise _take_error(err)
    try:
        return _from_c_array(arr)
    finally:
        lib.condmap_array_free(arr)


def restore_dir(outdir, runtime=None):
    """Turns the planes of the directory @outdir back into weights with the
    record in outdir/params.yaml, as `condmap restore` does.  The planes are
    those Converter.convert_to_dir() (or `condmap convert`) wrote, or
    conductances measured on a chip and saved under the same names, in the
    same shape and dtype (.npy, or .csv).  @runtime provides the converter
    the record names (None: a Runtime() with the default plugin search).
    Returns a new array of the recorded shape and dtype.  Raises Error: IO
    (a missing file), FORMAT (a broken params.yaml), UNKNOWN_CONVERTER,
    INPUT (a plane of another shape or dtype, naming its file)."""
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


# ---- Params -----------------------------------------------------------------


def _params_to_dict(params):
    """{name: float}, or {name: 1-D float64 array, one value per channel}
    for params of more than one row (per-channel scaling)."""
    out = {}
    rows = lib.condmap_params_get_n_rows(params)
    for i in range(lib.condmap_params_get_n(params)):
        name = lib.condmap_params_get_name(params, i)
        if rows == 1:
            out[name.decode()] = lib.condmap_params_get(params, name)
            continue
        column = np.empty(rows, np.float64)
        lib.condmap_params_get_column(
            params, name, column.ctypes.data_as(ctypes.POINTER(
                ctypes.c_double)))
        out[name.decode()] = column
    return out


def _params_from_mapping(params):
    """A new CondmapParams from {name: number or 1-D array of one value per
    channel}; a number goes to every row.  The caller frees it."""
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
    for name, column in items:
        if column.size != rows:
            column = np.full(rows, column[0])
        column = np.ascontiguousarray(column)
        lib.condmap_params_set_column(
            p, name, column.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            rows)
    return p


def _shape(a):
    return (ctypes.c_size_t * max(a.ndim, 1))(*a.shape)


# ---- Runtime ----------------------------------------------------------------

#: A loaded plugin, as `condmap list` shows it.
PluginInfo = collections.namedtuple(
    "PluginInfo", "name description version path abi_major n_settings")
#: A plugin file that failed to load, and why (an Error, code PLUGIN or ABI;
#: IO for a plugin directory that cannot be opened).
PluginFailure = collections.namedtuple("PluginFailure", "path error")


class _Handle:
    """A C object freed by a weakref.finalize: when the Python object is
    collected, on close(), or at interpreter exit, whichever is first."""

    def _own(self, ptr, free):
        self._ptr = ptr
        self._finalizer = weakref.finalize(self, free, ptr)

    def close(self):
        """Frees the C object now.  Idempotent.  Do not close an object
        while another thread converts with it."""
        self._finalizer()

    @property
    def closed(self):
        return not self._finalizer.alive

    def _handle(self):
        if not self._finalizer.alive:
            raise ValueError("condmap: %s is closed" % type(self).__name__)
        return self._ptr

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Runtime(_Handle):
    """The plugin registry (condmap_runtime_new).

    Plugins are loaded from each directory of @plugin_dirs, then (if
    @use_env) each of CONDMAP_PLUGIN_PATH, then (if @use_system) the
    installed plugin directory.  Loading never fails as a whole: see
    .failures.  @threads sets the threads per conversion (0 or None: the
    CONDMAP_THREADS variable, else every core).

    Converters keep their runtime alive (in Python and in C), so closing
    a runtime only drops this reference."""

    def __init__(self, plugin_dirs=None, use_env=True, use_system=True,
                 threads=None):
        if isinstance(plugin_dirs, (str, bytes, os.PathLike)):
            plugin_dirs = [plugin_dirs]
        dirs = [os.fsencode(d) for d in (plugin_dirs or ())]
        if threads is not None:
            threads = int(threads)
            if not 0 <= threads <= _lib.UINT_MAX:
                raise ValueError("condmap: threads must be >= 0 (0: all "
                                 "cores), not %d" % threads)
        flags = ((0 if use_env else _lib.RUNTIME_NO_ENV_PATH)
                 | (0 if use_system else _lib.RUNTIME_NO_SYSTEM_DIR))
        ptr = lib.condmap_runtime_new((ctypes.c_char_p * (len(dirs) + 1))(
            *dirs, None), flags)
        self._own(ptr, lib.condmap_runtime_unref)
        if threads:
            lib.condmap_runtime_set_n_threads(ptr, threads)

    @property
    def n_threads(self):
        """The threads a conversion uses (>= 1)."""
        return lib.condmap_runtime_get_n_threads(self._handle())

    @property
    def search_path(self):
        """The plugin directories searched, in order."""
        p = lib.condmap_runtime_get_search_path(self._handle())
        out = []
        while p[len(out)] is not None:
            out.append(os.fsdecode(p[len(out)]))
        return out

    @property
    def plugins(self):
        """The loaded plugins, in load order: a list of PluginInfo."""
        h = self._handle()
        out = []
        for i in range(lib.condmap_runtime_get_n_plugins(h)):
            info = _lib.PluginInfo()
            if not lib.condmap_runtime_get_plugin(h, i, ctypes.byref(info)):
                break
            out.append(PluginInfo(
                _decode(info.name), _decode(info.description),
                _decode(info.version), os.fsdecode(info.path),
                info.abi_major, info.n_settings))
        return out

    @property
    def failures(self):
        """The plugins that failed to load: a list of PluginFailure."""
        h = self._handle()
        out = []
        for i in range(lib.condmap_runtime_get_n_failures(h)):
            path = ctypes.c_char_p()
            gerror = lib.condmap_runtime_get_failure(h, i, ctypes.byref(path))
            if gerror:          # owned by the runtime: not freed
                out.append(PluginFailure(os.fsdecode(path.value or b""),
                                         _error_from_gerror(gerror)))
        return out

    def __repr__(self):
        if self.closed:
            return "<condmap.Runtime closed>"
        return "<condmap.Runtime plugins=%s>" % [p.name for p in self.plugins]


# ---- Converter --------------------------------------------------------------


class Converter(_Handle):
    """A converter: a plugin plus validated settings (immutable, so one
    converter may convert from many threads at once; the GIL is released
    during conversions).  Make one with from_file() or from_yaml()."""

    def __init__(self, *args, **kwargs):
        raise TypeError("condmap: use Converter.from_file() or "
                        "Converter.from_yaml()")

    @classmethod
    def _new(cls, runtime, create):
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
        return self

    @classmethod
    def from_file(cls, runtime, path):
        """Loads a YAML config file.  Raises Error (IO, PARSE, CONFIG,
        UNKNOWN_KEY, UNKNOWN_CONVERTER, NOT_INVERTIBLE)."""
        path = os.fsencode(path)
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_converter_new_from_file(rt, path, err))

    @classmethod
    def from_yaml(cls, runtime, text, origin=None):
        """The same from YAML text (str or bytes); @origin names it in
        messages (None: "<string>")."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        org = os.fsencode(origin) if origin is not None else None
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_converter_new_from_yaml(
                            rt, data, len(data), org, err))

    @property
    def runtime(self):
        return self._runtime

    @property
    def name(self):
        """The converter (plugin) name, e.g. "dual-pair"."""
        return self._name

    @property
    def n_planes(self):
        """The number K of conductance planes."""
        return self._n_planes

    @property
    def plane_names(self):
        """The planes' names in order, e.g. ("g_plus_0", "g_minus_0")."""
        return self._plane_names

    @property
    def config(self):
        """The resolved config, defaults filled in, as flow-style YAML."""
        p = lib.condmap_converter_dup_config_yaml(self._handle())
        try:
            return ctypes.string_at(p).decode()
        finally:
            _lib.glib.g_free(p)

    def to_conductances(self, w, out=None):
        """Maps weights @w (float32 or float64, any shape) to conductances.

        Returns (planes, params): K new arrays of w's shape and dtype, in
        plane_names order, and a dict {name: float} of what to_weights()
        needs; with per-channel scaling (`scaling: {per: channel}` in the
        config) each value is a float64 array of one value per channel
        along the axis, and with `clip:` the dict holds the threshold used
        ("clip_threshold").  @w is read in place when it is native-endian and
        C-contiguous; otherwise from a C-ordered copy.  @out, a list of K
        such arrays, is filled and returned instead of new ones.  Raises
        TypeError for other dtypes, Error(INPUT) for empty or non-finite
        weights."""
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
                h, _DTYPE_CODES[w.dtype], w.ndim, _shape(w), w.ctypes.data,
                _pointers(planes), ctypes.byref(params), ctypes.byref(err)):
            raise _take_error(err)
        try:
            return planes, _params_to_dict(params)
        finally:
            lib.condmap_params_free(params)

    def to_weights(self, planes, params, out=None, calibrate=None):
        """Maps K conductance planes (of one shape and dtype, float32 or
        float64) back to weights with the @params of to_conductances().

        Returns a new array of the planes' shape and dtype, or @out filled.
        With @calibrate, the reference weights (those the planes were made
        from), each channel of the result is multiplied by the gain that
        maps it best onto them (see calibrate()).  Raises ValueError if the
        count or shapes are wrong, TypeError for other or mixed dtypes,
        Error(INPUT) if params lack a name the converter needs, have the
        wrong number of rows, or a conductance is not finite."""
        h = self._handle()
        planes = list(planes)
        if len(planes) != self._n_planes:
            raise ValueError("condmap: converter '%s' needs %d planes (%s), "
                             "not %d" % (self._name, self._n_planes,
                                         ", ".join(self._plane_names),
                                         len(planes)))
        planes = [_as_c_array(p, "planes") for p in planes]
        shape, dtype = planes[0].shape, planes[0].dtype
        for name, p in zip(self._plane_names, planes):
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
            _check_disjoint([out], planes)
            w = out
        cparams = _params_from_mapping(params)
        err = _lib.GErrorP()
        try:
            ok = lib.condmap_converter_to_weights_shaped(
                h, _DTYPE_CODES[dtype], w.ndim, _shape(w), _pointers(planes),
                cparams, w.ctypes.data, ctypes.byref(err))
        finally:
            lib.condmap_params_free(cparams)
        if not ok:
            raise _take_error(err)
        if calibrate is not None:
            self.calibrate(w, calibrate)
        return w

    def calibrate(self, w, reference):
        """Fits, for each channel of the config's scaling (the whole array
        per tensor), the gain g minimising sum (reference - g w)^2, and
        multiplies that channel of @w by it, in place: what a lab does with
        conductances read back from a chip.  @w is a writeable C-contiguous
        float32 or float64 array; @reference is converted to its dtype and
        must have its shape.  Returns the gains, a float64 array of one per
        channel (1 for a channel of zeros).  Raises Error(INPUT) for
        non-finite values."""
        h = self._handle()
        if not isinstance(w, np.ndarray) or w.dtype not in _DTYPE_CODES:
            raise TypeError("condmap: calibrate() needs the weights as a "
                            "float32 or float64 NumPy array")
        _check_out(w, w.shape, w.dtype, "w")
        ref = _as_c_array(np.asarray(reference, dtype=w.dtype), "reference")
        if ref.shape != w.shape:
            raise ValueError("condmap: the reference has shape %s, the "
                             "weights %s" % (ref.shape, w.shape))
        gains = ctypes.c_void_p()
        n = ctypes.c_size_t()
        err = _lib.GErrorP()
        if not lib.condmap_converter_calibrate(
                h, _DTYPE_CODES[w.dtype], w.ndim, _shape(w), w.ctypes.data,
                ref.ctypes.data, ctypes.byref(gains), ctypes.byref(n),
                ctypes.byref(err)):
            raise _take_error(err)
        try:
            out = np.empty(n.value, np.float64)
            ctypes.memmove(out.ctypes.data, gains, out.nbytes)
            return out
        finally:
            _lib.glib.g_free(gains)

    @property
    def scaling(self):
        """("tensor", None), or ("channel", axis) for per-channel scaling
        (axis as configured; negative counts from the last)."""
        axis = ctypes.c_int(0)
        if lib.condmap_converter_get_scaling(self._handle(),
                                             ctypes.byref(axis)) == 0:
            return ("tensor", None)
        return ("channel", axis.value)

    @property
    def clips(self):
        """Whether the config clips the weights (`clip:`)."""
        return bool(lib.condmap_converter_clips(self._handle()))

    def convert_to_dir(self, w, outdir, force=False, format="npy"):
        """Converts weights @w (float32 or float64, any shape) and writes the
        directory @outdir, as `condmap convert` does: one file per plane,
        named after plane_names ("g_plus_0.npy", ...), and params.yaml, the
        record restore_dir() reads.  @outdir is built under a temporary name
        beside it and appears only when complete; on any error nothing is
        left.  An existing @outdir raises Error(EXISTS) unless @force, which
        replaces it (a directory, never a file) once the new one is
        complete.  @format is "npy" or "csv" (1-D and 2-D weights only).
        Raises TypeError for other dtypes, ValueError for another format,
        Error (EXISTS, INPUT, IO)."""
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

    def check_invertible(self, tolerance=ROUND_TRIP_TOLERANCE):
        """Runs the round trip on a probe over [-1, 1] and returns the
        largest error relative to max |w|.  Raises Error(NOT_INVERTIBLE),
        with the error in .max_error, if it exceeds tolerance (1e-4 by
        default; raise it for a scheme lossy by design)."""
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

    def __repr__(self):
        return "<condmap.Converter %s planes=%s%s>" % (
            self._name, list(self._plane_names),
            " closed" if self.closed else "")


# ---- Plots (libcondmap's condmap_plot_*, drawn with cairo and pango) ---------

_plot_declared = False


def _declare_plot():
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


def plot_available():
    """Whether the loaded libcondmap was built with cairo and pango and can
    draw plots (Converter.plot)."""
    _declare_plot()
    return bool(lib.condmap_plot_available())


def _array_from_numpy(w):
    """A new CondmapArray holding a copy of @w; free it with
    condmap_array_free."""
    w = _as_c_array(w)
    shape = (ctypes.c_size_t * max(w.ndim, 1))(*w.shape)
    err = _lib.GErrorP()
    arr = lib.condmap_array_new(_DTYPE_CODES[w.dtype], w.ndim, shape,
                                ctypes.byref(err))
    if not arr:
        raise _take_error(err)
    ctypes.memmove(lib.condmap_array_get_data(arr), w.ctypes.data, w.nbytes)
    return arr


def _converter_plot(self, path, weights=None, title=None):
    """Draws what this converter does into @path, as `condmap plot` does:
    PNG, SVG or PDF by its extension.  One curve per plane, g_k(w), over
    weights in [-1, 1], g_min and g_max marked; given @weights (float32 or
    float64, any shape), the curves over their range and panels with their
    histogram, each plane's conductance histogram and the round-trip error.
    @title heads the figure (None: the converter's name).  The file is
    written atomically.  Raises Error: FAILED if libcondmap was built
    without cairo and pango, INPUT for another extension or bad weights,
    IO if @path cannot be written."""
    _declare_plot()
    h = self._handle()
    arr = _array_from_numpy(weights) if weights is not None else None
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
