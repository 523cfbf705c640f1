"""_safetensors.py - safetensors checkpoints as dicts of NumPy arrays, in
pure NumPy (no library, no torch).

The format: 8 bytes of header length n (little-endian), n bytes of JSON
mapping each tensor name to {"dtype", "shape", "data_offsets": [begin,
end]} (offsets from the end of the header) and optionally "__metadata__"
(strings to strings), then the tensors' bytes, little-endian, C order.
"""
from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["load_safetensors", "save_safetensors", "load_metadata"]

# The reference implementation's limit on the header's length.
_MAX_HEADER = 100_000_000

_DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2",
    "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
    "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1",
    "BOOL": "?", "C64": "<c8",
}
_NAMES = {np.dtype(v).newbyteorder("<") if np.dtype(v).itemsize > 1
          else np.dtype(v): k for k, v in _DTYPES.items()}


def _bf16_to_f32(raw: np.ndarray) -> np.ndarray:
    """bfloat16 bits (uint16) widened to float32: exact."""
    return (raw.astype("<u4") << 16).view("<f4").astype(np.float32)


def _read_header(path: str | bytes | os.PathLike
                 ) -> tuple[dict, int, int]:
    """(header, data start, data length) of the file, checked."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError("condmap: %s: not a safetensors file: shorter "
                             "than the 8 bytes of header length"
                             % os.fsdecode(path))
        (n,) = struct.unpack("<Q", head)
        if n > _MAX_HEADER or n > size - 8:
            raise ValueError("condmap: %s: the header length %d runs past "
                             "the end of the file or is implausibly large"
                             % (os.fsdecode(path), n))
        try:
            header = json.loads(f.read(n).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError("condmap: %s: malformed JSON in the safetensors "
                             "header: %s" % (os.fsdecode(path), e)) from e
    if not isinstance(header, dict):
        raise ValueError("condmap: %s: the safetensors header is not a JSON "
                         "object" % os.fsdecode(path))
    return header, 8 + n, size - 8 - n


def load_metadata(path: str | bytes | os.PathLike) -> dict[str, str]:
    """The "__metadata__" of a safetensors file ({} if it has none).

    Raises:
        ValueError: the file is not a valid safetensors checkpoint.
        OSError: it cannot be read.
    """
    header, _, _ = _read_header(path)
    return dict(header.get("__metadata__") or {})


def load_safetensors(path: str | bytes | os.PathLike
                     ) -> dict[str, np.ndarray]:
    """Reads a safetensors checkpoint into a dict of NumPy arrays.

    Tensors keep their names, shapes and dtypes, in the order of their
    data in the file.  BF16 tensors, which NumPy cannot hold, are widened
    to float32 (exactly).  The arrays are copies: the file is not kept
    open.  The metadata is read by load_metadata().

    Args:
        path: the .safetensors file.

    Returns:
        {name: array}.

    Raises:
        ValueError: a damaged header (its length, JSON, offsets outside
            the file or not matching shape x dtype) or a dtype NumPy
            cannot hold (the F8 types, F4, F6).
        OSError: the file cannot be read.
    """
    header, start, length = _read_header(path)
    where = os.fsdecode(path)
    entries = []
    for name, e in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, end) = (e["dtype"], tuple(e["shape"]),
                                          e["data_offsets"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("condmap: %s: tensor %r: an entry needs dtype, "
                             "shape and data_offsets" % (where, name)) from exc
        if dtype != "BF16" and dtype not in _DTYPES:
            raise ValueError("condmap: %s: tensor %r: dtype %s cannot be "
                             "held by NumPy" % (where, name, dtype))
        size = 2 if dtype == "BF16" else np.dtype(_DTYPES[dtype]).itemsize
        n = int(np.prod(shape, dtype=object))
        if not (0 <= begin <= end <= length) or end - begin != n * size:
            raise ValueError("condmap: %s: tensor %r: data offsets [%d, %d] "
                             "do not hold shape %s of %s inside the file"
                             % (where, name, begin, end, shape, dtype))
        entries.append((begin, name, dtype, shape))
    out = {}
    with open(path, "rb") as f:
        if length == 0:
            return {name: np.empty(shape, _DTYPES.get(dtype, "<f4"))
                    for _, name, dtype, shape in sorted(entries)}
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            for begin, name, dtype, shape in sorted(entries):
                raw = np.frombuffer(m, dtype="<u2" if dtype == "BF16"
                                    else _DTYPES[dtype],
                                    count=int(np.prod(shape, dtype=np.int64)),
                                    offset=start + begin)
                arr = (_bf16_to_f32(raw) if dtype == "BF16"
                       else raw.astype(raw.dtype.newbyteorder("="),
                                       copy=True))
                out[name] = arr.reshape(shape)
                del raw
    return out


def save_safetensors(path: str | bytes | os.PathLike,
                     tensors: Mapping[str, npt.ArrayLike],
                     metadata: Mapping[str, str] | None = None) -> None:
    """Writes a dict of arrays as a safetensors checkpoint, atomically.

    The tensors' data follow in the dict's order, little-endian, C order;
    the header is padded to 8 bytes as the reference writer does.  The
    file is written beside path and renamed into place.

    Args:
        path: the file to write.
        tensors: {name: array} of float64, float32, float16, the integer
            dtypes, bool or complex64, e.g. {k: v.numpy() for k, v in
            model.state_dict().items()}.
        metadata: strings to strings for "__metadata__", or None.

    Raises:
        TypeError: a name or metadata entry that is not a string, or an
            array of another dtype.
        ValueError: the name "__metadata__".
        OSError: the file cannot be written.
    """
    header: dict = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("condmap: metadata maps strings to strings")
        header["__metadata__"] = dict(metadata)
    arrays, offset = [], 0
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise TypeError("condmap: tensor names are strings, not %r"
                            % (name,))
        if name == "__metadata__":
            raise ValueError("condmap: '__metadata__' cannot name a tensor")
        a = np.asarray(value)
        key = a.dtype.newbyteorder("<") if a.dtype.itemsize > 1 else a.dtype
        if key not in _NAMES:
            raise TypeError("condmap: tensor %r is %s, which safetensors "
                            "cannot hold" % (name, a.dtype))
        a = np.ascontiguousarray(a, dtype=key)
        header[name] = {"dtype": _NAMES[key], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        arrays.append(a)
    text = json.dumps(header, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    target = os.fsdecode(path)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".",
                               dir=os.path.dirname(target) or ".")
    # mkstemp makes the file private; give it the mode open() would.
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text)
            for a in arrays:
                f.write(a.tobytes())
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
