"""_errors.py - condmap.Error and ErrorCode, made from libcondmap's GErrors.

ErrorCode and Error are pure Python: using them loads no library.
"""
from __future__ import annotations

import enum
from typing import Any
from . import _lib
from ._lib import lib

__all__ = ["ErrorCode", "Error"]


class ErrorCode(enum.IntEnum):
    """The codes of libcondmap's CONDMAP_ERROR domain (CondmapError)."""
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
    """An error reported by libcondmap (a GError).

    Attributes:
        message: the library's text, which names the file, line, key or
            element, and the fix.  Also str(error).
        code: an ErrorCode (a plain int for a code newer than this module).
        domain: the GError domain, "condmap-error-quark"; an error of
            another domain (none is expected) has code FAILED.
        max_error: only on the NOT_INVERTIBLE error of
            Converter.check_invertible(): the round-trip error found.
    """

    message: str
    code: ErrorCode | int
    domain: str
    max_error: float

    def __init__(self, message: str, code: int = ErrorCode.FAILED,
                 domain: str | None = None) -> None:
        try:
            code = ErrorCode(code)
        except ValueError:
            pass        # a code newer than these bindings: keep the int
        super().__init__(message, code)
        self.message = message
        self.code = code
        self.domain = domain or "condmap-error-quark"

    def __str__(self) -> str:
        return self.message


def decode(b: bytes | None) -> str | None:
    """UTF-8 text of a C string (None for NULL), never raising."""
    return b.decode("utf-8", "replace") if b is not None else None


def error_from_gerror(gerror: Any) -> Error:
    """An Error for a GError* (not freed here)."""
    e = gerror.contents
    message = decode(e.message) or "unknown error"
    if e.domain == lib.condmap_error_quark():
        return Error(message, e.code)
    return Error(message, ErrorCode.FAILED,
                 decode(_lib.glib.g_quark_to_string(e.domain)))


def take_error(gerror: Any) -> Error:
    """An Error for a GError* that we own; frees it."""
    try:
        return error_from_gerror(gerror)
    finally:
        _lib.glib.g_error_free(gerror)
