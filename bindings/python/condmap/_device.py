"""_device.py - condmap.Device, a device model (pcm-like, gaussian,
measured), and the error budget of a converter on it.
"""
from __future__ import annotations

import ctypes
import os
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import _lib
from ._arrays import (DTYPE_CODES as _DTYPE_CODES, as_c_array as _as_c_array,
                      pointers as _pointers, to_c_array as _to_c_array)
from ._errors import take_error as _take_error
from ._lib import lib
from ._runtime import Runtime, _Handle

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy.typing as npt

__all__ = ["Device", "BudgetTime", "parse_time"]

#: The seeds the library takes: below 2^53, so JSON reads them back.
_SEED_LIMIT = 2 ** 53


def parse_time(text: str) -> float:
    """Parses a time with a unit as the commands take it.

    Args:
        text: "0", or a number >= 0 with a unit s, m, h, d or y (365
            days): "30s", "1.5h", "1d", "1y".

    Returns:
        The time in seconds.

    Raises:
        condmap.Error: code INPUT for a number other than 0 without a unit,
            a negative time, or anything else.
    """
    seconds = ctypes.c_double()
    err = _lib.GErrorP()
    if not lib.condmap_parse_time(text.encode(), ctypes.byref(seconds),
                                  ctypes.byref(err)):
        raise _take_error(err)
    return seconds.value


def _seconds(time: float | str) -> float:
    return parse_time(time) if isinstance(time, str) else float(time)


def _check_seed(seed: int) -> int:
    if not isinstance(seed, int) or not 0 <= seed < _SEED_LIMIT:
        raise ValueError("condmap: seed must be an int from 0 to 2^53 - 1, "
                         "not %r" % (seed,))
    return seed


class BudgetTime(NamedTuple):
    """The error budget at one read time; errors relative to max |w|, mean
    and std over the trials."""
    time_s: float
    rel_rms_mean: float
    rel_rms_std: float
    rel_max_mean: float
    rel_max_std: float
    quantization: float
    programming: float
    drift: float
    alpha_mean: float
    alpha_std: float


class Device(_Handle):
    """A device model: a plugin plus its validated settings.

    Make one with Device.from_file(runtime, path) or
    Device.from_yaml(runtime, text); simulate() then gives the planes a
    chip would read back, and Converter.error_budget() the weight error a
    scheme leaves on it.  Immutable, a context manager.
    """

    _runtime: Runtime
    _name: str

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Not for use: make a Device with from_file() or from_yaml()."""
        raise TypeError("condmap: use Device.from_file() or "
                        "Device.from_yaml()")

    @classmethod
    def _new(cls, runtime: Runtime, create: Callable[[Any, Any], Any]
             ) -> Device:
        if not isinstance(runtime, Runtime):
            raise TypeError("condmap: runtime must be a condmap.Runtime, "
                            "not %s" % type(runtime).__name__)
        err = _lib.GErrorP()
        ptr = create(runtime._handle(), ctypes.byref(err))
        if not ptr:
            raise _take_error(err)
        self = object.__new__(cls)
        self._own(ptr, lib.condmap_device_free)
        self._runtime = runtime
        self._name = lib.condmap_device_get_name(ptr).decode()
        return self

    @classmethod
    def from_file(cls, runtime: Runtime,
                  path: str | bytes | os.PathLike) -> Device:
        """Loads a device config file (`device: pcm-like` and its keys).

        Raises:
            condmap.Error: IO, PARSE, CONFIG, UNKNOWN_KEY or
                UNKNOWN_CONVERTER (an unknown device, with a
                did-you-mean), naming the file and line.
        """
        cpath = os.fsencode(path)
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_device_new_from_file(rt, cpath, err))

    @classmethod
    def from_yaml(cls, runtime: Runtime, text: str | bytes,
                  origin: str | bytes | os.PathLike | None = None
                  ) -> Device:
        """Loads a device config from text; origin names it in messages
        and is the base of a level table's path (None: "<string>")."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        org = os.fsencode(origin) if origin is not None else None
        return cls._new(runtime, lambda rt, err:
                        lib.condmap_device_new_from_yaml(
                            rt, data, len(data), org, err))

    @property
    def name(self) -> str:
        """The device model's name, e.g. "pcm-like"."""
        return self._name

    @property
    def config(self) -> str:
        """The resolved config, defaults filled in, as flow-style YAML."""
        p = lib.condmap_device_dup_config_yaml(self._handle())
        try:
            return ctypes.string_at(p).decode()
        finally:
            _lib.glib.g_free(p)

    def simulate(self, planes: Sequence[npt.ArrayLike], time: float | str,
                 seed: int = 0, g_max: float = 25.0, g_min: float = 0.0,
                 tensor: int = 0) -> list[np.ndarray]:
        """The planes as a chip reads them back.

        Each device is programmed to its plane's conductance, then drifts
        and is read at the given time, as aihwkit's apply_noise does.  The result
        depends on the seed alone, not on the number of threads.

        Args:
            planes: K arrays of target conductances (µS), float32 or
                float64, all of one shape and dtype.
            time: seconds after programming, or a string with a unit
                ("1h", "1d", "1y").
            seed: the seed of the random numbers (0 to 2^53 - 1).
            g_max: the converter's g_max in µS (models such as pcm-like
                scale their noise by it unless their config sets one).
            g_min: the converter's g_min in µS.
            tensor: tells apart the streams of several arrays under one
                seed.

        Returns:
            K new arrays of the planes' shape and dtype.

        Raises:
            condmap.Error: code INPUT for a negative time or bad bounds.
            ValueError: planes of different shapes or dtypes.
        """
        ins = [_as_c_array(p, "planes") for p in planes]
        if not ins:
            raise ValueError("condmap: give at least one plane")
        if any(p.shape != ins[0].shape or p.dtype != ins[0].dtype
               for p in ins):
            raise ValueError("condmap: every plane must have one shape and "
                             "dtype")
        outs = [np.empty_like(p) for p in ins]
        err = _lib.GErrorP()
        if not lib.condmap_device_simulate(
                self._handle(), _DTYPE_CODES[ins[0].dtype],
                _check_seed(seed), tensor, g_min, g_max, _seconds(time),
                len(ins), _pointers(ins), ins[0].size, None,
                _pointers(outs), ctypes.byref(err)):
            raise _take_error(err)
        return outs

    def __repr__(self) -> str:
        return ("<condmap.Device %s>" % self._name if not self.closed
                else "<condmap.Device (closed)>")


def error_budget(conv: Any, w: npt.ArrayLike, device: Device,
                 times: Sequence[float | str] = (0, "1h", "1d", "1y"),
                 trials: int = 20, seed: int = 0,
                 compensation: bool = True) -> list[BudgetTime]:
    """The error budget of converter conv on the device for weights w (the
    body of Converter.error_budget)."""
    if not isinstance(device, Device):
        raise TypeError("condmap: device must be a condmap.Device, not %s"
                        % type(device).__name__)
    secs = [_seconds(t) for t in times]
    c_times = (ctypes.c_double * len(secs))(*secs)
    out = (_lib.BudgetTime * max(1, len(secs)))()
    arr = _to_c_array(_as_c_array(w))
    err = _lib.GErrorP()
    try:
        ok = lib.condmap_converter_error_budget(
            conv._handle(), device._handle(), arr, c_times, len(secs),
            max(0, int(trials)), _check_seed(seed),
            0 if compensation else _lib.BUDGET_NO_COMPENSATION, out,
            ctypes.byref(err))
    finally:
        lib.condmap_array_free(arr)
    if not ok:
        raise _take_error(err)
    return [BudgetTime(*(getattr(out[i], f) for f in BudgetTime._fields))
            for i in range(len(secs))]
