"""_lib.py - finds libcondmap and declares its C API for ctypes.

Everything here mirrors core/condmap.h and core/condmap-plugin.h; the
public, Pythonic layer is in __init__.py.  Every function gets argtypes
and restype, so a wrong argument is a Python TypeError rather than a
crash, and pointers are never truncated to a C int.

The library is loaded on first use, not at import: importing condmap
(as `unittest discover` does with every package it walks) must not
dlopen a library that cannot run in this process, such as a sanitizer
build, and the pure-Python parts (ErrorCode, Error) need no library.
"""
import ctypes
import ctypes.util
import os
import threading

__all__ = ["lib", "glib", "load", "GError", "PluginInfo",
           "RuntimeP", "ConverterP", "ParamsP", "ArrayP", "GErrorP"]

# ---- Finding the libraries --------------------------------------------------

_HINT = ("set CONDMAP_LIBRARY to the path of libcondmap.so, e.g. "
         "CONDMAP_LIBRARY=<builddir>/core/.libs/libcondmap.so or "
         "<prefix>/lib/libcondmap.so")


def _recorded_library():
    """The library `make install` put beside this package: the path that
    _build_config.py (written by make) records, or None in a source tree
    or a pip install, which have no _build_config.py."""
    try:
        from . import _build_config
    except ImportError:
        return None
    return os.path.join(_build_config.LIBDIR, _build_config.LIBRARY)


def _open_condmap():
    """Returns (CDLL, name): CONDMAP_LIBRARY if set; else the recorded
    library if it exists; else find_library.  A library that is there but
    cannot be loaded is an error, never skipped for the next one."""
    path = os.environ.get("CONDMAP_LIBRARY")
    if path:
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            raise OSError("condmap: cannot load CONDMAP_LIBRARY=%r: %s; %s"
                          % (path, e, _HINT)) from e
    recorded = _recorded_library()
    if recorded is not None and os.path.exists(recorded):
        try:
            return ctypes.CDLL(recorded), recorded
        except OSError as e:
            raise OSError("condmap: cannot load %r, where make install put "
                          "libcondmap: %s; %s" % (recorded, e, _HINT)) from e
    name = ctypes.util.find_library("condmap")
    if name is None:
        where = ("%r, recorded by make install, is gone" % recorded
                 if recorded else "this package records no install")
        raise OSError("condmap: libcondmap was not found (CONDMAP_LIBRARY is "
                      "not set, %s, and ctypes.util.find_library('condmap') "
                      "found nothing); %s" % (where, _HINT))
    try:
        return ctypes.CDLL(name), name
    except OSError as e:
        raise OSError("condmap: found %r but cannot load it: %s; %s"
                      % (name, e, _HINT)) from e


def _open_glib():
    """GLib, for g_free() and g_error_free().  The soname libcondmap links
    against comes first: dlopen() of a library that is already loaded
    returns that very instance, so memory goes back to the allocator that
    gave it."""
    errors = []
    for name in ("libglib-2.0.so.0", ctypes.util.find_library("glib-2.0")):
        if name is None:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            errors.append(str(e))
    raise OSError("condmap: cannot load GLib (libglib-2.0.so.0), which "
                  "libcondmap needs: %s" % "; ".join(errors or ["not found"]))


_loaded = None
_lock = threading.Lock()


def load():
    """Loads libcondmap and GLib once and declares their functions.
    Returns (lib, glib, name of the library).  Raises OSError, naming
    CONDMAP_LIBRARY, if libcondmap cannot be found or loaded."""
    global _loaded
    with _lock:
        if _loaded is None:
            lib, name = _open_condmap()
            if not hasattr(lib, "condmap_version"):
                raise OSError("condmap: %r is not libcondmap (it lacks "
                              "condmap_version); %s" % (name, _HINT))
            glib = _open_glib()
            _declare_all(lib, glib)
            _loaded = (lib, glib, name)
        return _loaded


class _Lazy:
    """Stands for a library until first use; then each function looked up
    is cached on the instance, so later calls cost a plain attribute."""

    def __init__(self, index):
        self._index = index

    def __getattr__(self, name):
        func = getattr(load()[self._index], name)
        setattr(self, name, func)
        return func


lib = _Lazy(0)
glib = _Lazy(1)


# ---- Types ------------------------------------------------------------------


class GError(ctypes.Structure):
    """GLib's public struct GError."""
    _fields_ = [("domain", ctypes.c_uint32),     # GQuark
                ("code", ctypes.c_int),
                ("message", ctypes.c_char_p)]


class PluginInfo(ctypes.Structure):
    """CondmapPluginInfo."""
    _fields_ = [("name", ctypes.c_char_p),
                ("description", ctypes.c_char_p),
                ("version", ctypes.c_char_p),
                ("path", ctypes.c_char_p),
                ("abi_major", ctypes.c_uint),
                ("kind", ctypes.c_uint),
                ("n_settings", ctypes.c_size_t)]


# Opaque types get distinct pointer types, so passing a converter where a
# runtime is expected is a TypeError.
class _Runtime(ctypes.Structure):
    pass


class _Converter(ctypes.Structure):
    pass


class _Params(ctypes.Structure):
    pass


class _Array(ctypes.Structure):
    pass


class _Device(ctypes.Structure):
    pass


class BudgetTime(ctypes.Structure):
    """CondmapBudgetTime."""
    _fields_ = [(name, ctypes.c_double) for name in (
        "time_s", "rel_rms_mean", "rel_rms_std", "rel_max_mean",
        "rel_max_std", "quantization", "programming", "drift",
        "alpha_mean", "alpha_std")]


RuntimeP = ctypes.POINTER(_Runtime)
ConverterP = ctypes.POINTER(_Converter)
ParamsP = ctypes.POINTER(_Params)
ArrayP = ctypes.POINTER(_Array)
DeviceP = ctypes.POINTER(_Device)
GErrorP = ctypes.POINTER(GError)
_GErrorPP = ctypes.POINTER(GErrorP)

_gboolean = ctypes.c_int
_dtype = ctypes.c_int          # CondmapDtype
_char_p = ctypes.c_char_p
_size = ctypes.c_size_t
_uint = ctypes.c_uint

# ---- Declarations -----------------------------------------------------------


def _declare(library, name, restype, *argtypes):
    func = getattr(library, name)
    func.restype = restype
    func.argtypes = list(argtypes)


def _declare_all(lib, glib):
    """Sets argtypes and restype of every function the bindings call."""
    _declare(glib, "g_free", None, ctypes.c_void_p)
    _declare(glib, "g_error_free", None, GErrorP)
    _declare(glib, "g_quark_to_string", _char_p, ctypes.c_uint32)

    _declare(lib, "condmap_version", _char_p)
    _declare(lib, "condmap_error_quark", ctypes.c_uint32)

    # params
    _declare(lib, "condmap_params_new", ParamsP)
    _declare(lib, "condmap_params_free", None, ParamsP)
    _declare(lib, "condmap_params_get_n", _size, ParamsP)
    _declare(lib, "condmap_params_get_name", _char_p, ParamsP, _size)
    _declare(lib, "condmap_params_get", ctypes.c_double, ParamsP, _char_p)
    _declare(lib, "condmap_params_set", None,
             ParamsP, _char_p, ctypes.c_double)

    # runtime
    _declare(lib, "condmap_runtime_new", RuntimeP,
             ctypes.POINTER(_char_p), ctypes.c_int)
    _declare(lib, "condmap_runtime_unref", None, RuntimeP)
    _declare(lib, "condmap_runtime_set_n_threads", None, RuntimeP, _uint)
    _declare(lib, "condmap_runtime_get_n_threads", _uint, RuntimeP)
    _declare(lib, "condmap_runtime_get_search_path", ctypes.POINTER(_char_p),
             RuntimeP)
    _declare(lib, "condmap_runtime_get_n_plugins", _size, RuntimeP)
    _declare(lib, "condmap_runtime_get_plugin", _gboolean, RuntimeP, _size,
             ctypes.POINTER(PluginInfo))
    _declare(lib, "condmap_runtime_get_n_failures", _size, RuntimeP)
    _declare(lib, "condmap_runtime_get_failure", GErrorP, RuntimeP, _size,
             ctypes.POINTER(_char_p))

    # converter
    _declare(lib, "condmap_converter_new_from_file", ConverterP,
             RuntimeP, _char_p, _GErrorPP)
    _declare(lib, "condmap_converter_new_from_yaml", ConverterP,
             RuntimeP, _char_p, ctypes.c_ssize_t, _char_p, _GErrorPP)
    _declare(lib, "condmap_converter_free", None, ConverterP)
    _declare(lib, "condmap_converter_get_name", _char_p, ConverterP)
    _declare(lib, "condmap_converter_get_n_planes", _uint, ConverterP)
    _declare(lib, "condmap_converter_get_plane_name", _char_p,
             ConverterP, _uint)
    _declare(lib, "condmap_converter_get_bounds", _gboolean, ConverterP,
             ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double))
    # returns memory to g_free(): a void pointer, not c_char_p, which would
    # copy the string and drop the pointer
    _declare(lib, "condmap_converter_dup_config_yaml", ctypes.c_void_p,
             ConverterP)
    _declare(lib, "condmap_converter_to_conductances", _gboolean,
             ConverterP, _dtype, ctypes.c_void_p, _size,
             ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ParamsP),
             _GErrorPP)
    _declare(lib, "condmap_converter_to_weights", _gboolean,
             ConverterP, _dtype, ctypes.POINTER(ctypes.c_void_p), _size,
             ParamsP, ctypes.c_void_p, _GErrorPP)
    _declare(lib, "condmap_converter_check_invertible", _gboolean,
             ConverterP, ctypes.POINTER(ctypes.c_double), _GErrorPP)
    _declare(lib, "condmap_converter_check_round_trip", _gboolean,
             ConverterP, ctypes.c_double, ctypes.POINTER(ctypes.c_double),
             _GErrorPP)

    # arrays and .npy (for read_npy)
    _declare(lib, "condmap_npy_read", ArrayP, _char_p, _GErrorPP)
    _declare(lib, "condmap_array_free", None, ArrayP)
    _declare(lib, "condmap_array_get_dtype", _dtype, ArrayP)
    _declare(lib, "condmap_array_get_rank", _uint, ArrayP)
    _declare(lib, "condmap_array_get_shape", ctypes.POINTER(_size), ArrayP)
    _declare(lib, "condmap_array_get_n", _size, ArrayP)
    _declare(lib, "condmap_array_peek_data", ctypes.c_void_p, ArrayP)

    # output directories (convert_to_dir, restore_dir); the CondmapSidecar
    # out-parameters are always NULL, so they are plain void pointers
    _declare(lib, "condmap_array_new", ArrayP,
             _dtype, _uint, ctypes.POINTER(_size), _GErrorPP)
    _declare(lib, "condmap_array_get_data", ctypes.c_void_p, ArrayP)
    _declare(lib, "condmap_converter_convert_to_dir", _gboolean,
             ConverterP, ArrayP, _char_p, ctypes.c_int, ctypes.c_void_p,
             _GErrorPP)
    _declare(lib, "condmap_restore_dir", ArrayP,
             RuntimeP, _char_p, ctypes.c_void_p, _GErrorPP)
    _declare_scaling(lib)


def _declare_scaling(lib):
    """Per-channel scaling and clipping: params rows, the shaped
    conversions, calibration."""
    _double_p = ctypes.POINTER(ctypes.c_double)
    _shape_p = ctypes.POINTER(_size)
    _declare(lib, "condmap_params_get_n_rows", _size, ParamsP)
    _declare(lib, "condmap_params_get_column", _gboolean,
             ParamsP, _char_p, _double_p)
    _declare(lib, "condmap_params_set_column", None,
             ParamsP, _char_p, _double_p, _size)
    _declare(lib, "condmap_converter_get_scaling", ctypes.c_int,
             ConverterP, ctypes.POINTER(ctypes.c_int))
    _declare(lib, "condmap_converter_clips", _gboolean, ConverterP)
    _declare(lib, "condmap_converter_to_conductances_shaped", _gboolean,
             ConverterP, _dtype, _uint, _shape_p, ctypes.c_void_p,
             ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ParamsP),
             _GErrorPP)
    _declare(lib, "condmap_converter_to_weights_shaped", _gboolean,
             ConverterP, _dtype, _uint, _shape_p,
             ctypes.POINTER(ctypes.c_void_p), ParamsP, ctypes.c_void_p,
             _GErrorPP)
    # gains are returned in memory to g_free(): a void pointer
    _declare(lib, "condmap_converter_calibrate", _gboolean,
             ConverterP, _dtype, _uint, _shape_p, ctypes.c_void_p,
             ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
             ctypes.POINTER(_size), _GErrorPP)

    # device models and the error budget
    _declare(lib, "condmap_device_new_from_file", DeviceP,
             RuntimeP, _char_p, _GErrorPP)
    _declare(lib, "condmap_device_new_from_yaml", DeviceP,
             RuntimeP, _char_p, ctypes.c_ssize_t, _char_p, _GErrorPP)
    _declare(lib, "condmap_device_free", None, DeviceP)
    _declare(lib, "condmap_device_get_name", _char_p, DeviceP)
    _declare(lib, "condmap_device_dup_config_yaml", ctypes.c_void_p, DeviceP)
    _declare(lib, "condmap_device_simulate", _gboolean, DeviceP, _dtype,
             ctypes.c_uint64, ctypes.c_uint32, ctypes.c_double,
             ctypes.c_double, ctypes.c_double, _uint,
             ctypes.POINTER(ctypes.c_void_p), _size,
             ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
             _GErrorPP)
    _declare(lib, "condmap_parse_time", _gboolean, _char_p,
             ctypes.POINTER(ctypes.c_double), _GErrorPP)
    _declare(lib, "condmap_converter_error_budget", _gboolean, ConverterP,
             DeviceP, ArrayP, ctypes.POINTER(ctypes.c_double), _size, _uint,
             ctypes.c_uint64, ctypes.c_int, ctypes.POINTER(BudgetTime),
             _GErrorPP)


# ---- Constants --------------------------------------------------------------

DTYPE_FLOAT32 = 1               # CONDMAP_DTYPE_FLOAT32
DTYPE_FLOAT64 = 2               # CONDMAP_DTYPE_FLOAT64
RUNTIME_NO_ENV_PATH = 1 << 0    # CONDMAP_RUNTIME_NO_ENV_PATH
RUNTIME_NO_SYSTEM_DIR = 1 << 1  # CONDMAP_RUNTIME_NO_SYSTEM_DIR
OUTDIR_FORCE = 1 << 0           # CONDMAP_OUTDIR_FORCE
OUTDIR_CSV = 1 << 1             # CONDMAP_OUTDIR_CSV
PLUGIN_KIND_DEVICE = 2          # CONDMAP_PLUGIN_KIND_DEVICE
BUDGET_NO_COMPENSATION = 1 << 0  # CONDMAP_BUDGET_NO_COMPENSATION
UINT_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_uint)) - 1
