"""_runtime.py - condmap.Runtime, the plugin registry, and _Handle, the
lifetime of every C object the bindings hold.
"""
from __future__ import annotations

import ctypes
import os
import weakref
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from . import _lib
from ._errors import Error, decode as _decode, error_from_gerror
from ._lib import lib

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["Runtime", "PluginInfo", "PluginFailure"]


class PluginInfo(NamedTuple):
    """A loaded plugin, as `condmap list` shows it."""
    name: str
    description: str
    version: str
    path: str
    abi_major: int
    n_settings: int
    kind: str = "converter"
    """"converter" or "device" (a device model)."""


class PluginFailure(NamedTuple):
    """A plugin file that failed to load, and why: an Error with code
    PLUGIN or ABI (IO for a plugin directory that cannot be opened)."""
    path: str
    error: Error


_H = TypeVar("_H", bound="_Handle")


class _Handle:
    """A C object freed by a weakref.finalize: when the Python object is
    collected, on close(), or at interpreter exit, whichever is first."""

    def _own(self, ptr: Any, free: Callable[[Any], None]) -> None:
        self._ptr = ptr
        self._finalizer = weakref.finalize(self, free, ptr)

    def close(self) -> None:
        """Frees the C object now.  Idempotent.  Do not close an object
        while another thread converts with it."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        """True once close() has run (or the with block has ended)."""
        return not self._finalizer.alive

    def _handle(self) -> Any:
        if not self._finalizer.alive:
            raise ValueError("condmap: %s is closed" % type(self).__name__)
        return self._ptr

    def __enter__(self: _H) -> _H:
        """with obj: ... closes obj at the end of the block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Closes the object; exceptions propagate."""
        self.close()


class Runtime(_Handle):
    """The plugin registry: the converter plugins found and loaded.

    Plugins are loaded from each directory of plugin_dirs (one path or a
    list), then, if use_env, from each of CONDMAP_PLUGIN_PATH, then, if
    use_system, from the installed plugin directory.  Loading never fails
    as a whole: .plugins lists what loaded, .failures what did not.
    threads sets the threads each conversion uses (0 or None: the
    CONDMAP_THREADS variable, else every core).

    A Runtime is a context manager; close() frees it early.  Converters
    keep their runtime alive (in Python and in C), so closing a runtime
    only drops this reference.
    """

    def __init__(self, plugin_dirs: str | bytes | os.PathLike
                 | Iterable[str | bytes | os.PathLike] | None = None,
                 use_env: bool = True, use_system: bool = True,
                 threads: int | None = None) -> None:
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
    def n_threads(self) -> int:
        """The threads a conversion uses (>= 1)."""
        return lib.condmap_runtime_get_n_threads(self._handle())

    @property
    def search_path(self) -> list[str]:
        """The plugin directories searched, in order."""
        p = lib.condmap_runtime_get_search_path(self._handle())
        out: list[str] = []
        while p[len(out)] is not None:
            out.append(os.fsdecode(p[len(out)]))
        return out

    @property
    def plugins(self) -> list[PluginInfo]:
        """The loaded plugins, in load order."""
        h = self._handle()
        out = []
        for i in range(lib.condmap_runtime_get_n_plugins(h)):
            info = _lib.PluginInfo()
            if not lib.condmap_runtime_get_plugin(h, i, ctypes.byref(info)):
                break
            out.append(PluginInfo(
                _decode(info.name) or "", _decode(info.description) or "",
                _decode(info.version) or "", os.fsdecode(info.path),
                info.abi_major, info.n_settings,
                "device" if info.kind == _lib.PLUGIN_KIND_DEVICE
                else "converter"))
        return out

    @property
    def failures(self) -> list[PluginFailure]:
        """The plugins that failed to load, and why."""
        h = self._handle()
        out = []
        for i in range(lib.condmap_runtime_get_n_failures(h)):
            path = ctypes.c_char_p()
            gerror = lib.condmap_runtime_get_failure(h, i, ctypes.byref(path))
            if gerror:          # owned by the runtime: not freed
                out.append(PluginFailure(os.fsdecode(path.value or b""),
                                         error_from_gerror(gerror)))
        return out

    def __repr__(self) -> str:
        if self.closed:
            return "<condmap.Runtime closed>"
        return "<condmap.Runtime plugins=%s>" % [p.name for p in self.plugins]
