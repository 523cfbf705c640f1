#!/usr/bin/python3
"""make-safetensors.py - writes the checkpoints of tests/safetensors/ and
the seeds of tests/fuzz/corpus/safetensors/.  (Not under tests/data/,
where every folder is a conformance case.)

The format is written by hand (8 bytes of header length, little-endian,
the JSON header, the data), not with the safetensors package: the files
are an independent check of condmap's reader.  Needs /usr/bin/python3 with
NumPy (Debian: python3-numpy).  Run from the top of the source tree:

    /usr/bin/python3 tests/make-safetensors.py

The output is deterministic; the files are committed, so the tests do not
need Python.  tests/test-safetensors.c states the values written here.
"""
import json
import math
import os
import struct
import sys

import numpy as np

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(TOP, "tests", "safetensors")
CORPUS = os.path.join(TOP, "tests", "fuzz", "corpus", "safetensors")


def checkpoint(tensors, metadata=None, header_order=None, pad=True):
    """Bytes of a safetensors file.  tensors: list of (name, dtype, shape,
    bytes) in data order; header_order: the names in the order the header
    lists them (default: data order); pad: spaces to a multiple of 8, as
    the reference writer does."""
    header, data, at = {}, b"", 0
    entries = {}
    for name, dtype, shape, raw in tensors:
        entries[name] = {"dtype": dtype, "shape": list(shape),
                         "data_offsets": [at, at + len(raw)]}
        data += raw
        at += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in header_order or [t[0] for t in tensors]:
        header[name] = entries[name]
    text = json.dumps(header, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def le(array, dtype):
    return np.asarray(array, dtype=dtype).astype(np.dtype(dtype).newbyteorder("<")).tobytes()


def bf16_bits(values):
    """BF16 of float32 values, rounded to nearest even, by a method other
    than condmap's: exact float64 distances to the two neighbours."""
    out = []
    for v in np.asarray(values, dtype=np.float32):
        bits = int(np.float32(v).view(np.uint32))
        if math.isnan(v):
            top = bits >> 16
            out.append(top | (1 if top & 0x7F == 0 else 0))
            continue
        lo = bits >> 16
        if math.isinf(v):
            out.append(lo)
            continue
        hi = lo + 1
        f = float(v)
        flo = float(np.uint32(lo << 16).view(np.float32))
        # The neighbour above lo in magnitude; past the largest finite
        # value it is the infinity, and rounding there is by IEEE's rule:
        # the tie value 2^128 - 2^(127-8) goes to the infinity.
        if (hi & 0x7FFF) == 0x7F80:
            fhi = math.copysign(2.0 ** 128, f)
        else:
            fhi = float(np.uint32((hi & 0xFFFF) << 16).view(np.float32))
        dlo, dhi = abs(f - flo), abs(fhi - f)
        if dlo < dhi or (dlo == dhi and lo % 2 == 0):
            out.append(lo)
        else:
            out.append(hi & 0xFFFF)
    return np.array(out, dtype=np.uint16)


def f32_from_bits(bits):
    return np.array(bits, dtype=np.uint32).view(np.float32)


def mixed():
    """Every kind of tensor: F32, F16 (rank 4, at an odd offset), BF16,
    F64, I64 (rank 0 and 1), U8, BOOL, an empty tensor; metadata; the
    header lists them in another order than their data."""
    tensors = [
        ("embed.weight", "F32", (3, 4), le((np.arange(12) - 5) * 0.25, "f4")),
        ("flags", "BOOL", (3,), bytes([1, 0, 1])),
        ("layer1.weight", "F16", (2, 3, 2, 2), le((np.arange(24) - 12) / 8, "f2")),
        ("layer1.bias", "BF16", (5,),
         le(bf16_bits([1.0, -2.5, 0.15625, 65536.0, -0.0078125]), "u2")),
        ("step", "I64", (), le([1234567890123], "i8")),
        ("table", "F64", (2, 2), le([math.pi, math.e, -1e300, 5e-324], "f8")),
        ("ids", "U8", (4,), bytes([0, 1, 127, 255])),
        ("empty", "F32", (0, 3), b""),
        ("counts", "I64", (3,), le([-1, 2 ** 40, 0], "i8")),
    ]
    order = sorted(t[0] for t in tensors)
    return checkpoint(tensors, {"format": "pt", "note": "\u00fcn\u00efcode \u2713"},
                      order)


def rounding_inputs():
    """float32 values where rounding to F16 and BF16 is hard: ties either
    way, the overflow edges, subnormals, signed zeros, NaN payloads, and
    a seeded sample over the whole range."""
    special = [
        0x00000000, 0x80000000, 0x3F800000, 0xBF800000,
        0x477FE000,                          # 65504, the largest half
        0x477FEFFF,                          # just below the overflow tie
        0x477FF000, 0xC77FF000,              # 65520: the tie, to infinity
        0x47800000,                          # 65536
        0x3F801000, 0x3F803000,              # 1 + 2^-11, 1 + 3 x 2^-11: ties
        0x3F801001, 0x3F800FFF,              # either side of a tie
        0x33000000, 0x33400000, 0x33C00000,  # 2^-25 (tie to 0), 1.5, 3 x 2^-25
        0x33800000,                          # 2^-24, the smallest half
        0x387FE000,                          # 2^-14 - 2^-25: tie, up to normal
        0x387FC000,                          # 2^-14 - 2^-24, the largest subnormal
        0x38800000, 0x387FFFFF,              # smallest normal half, just below
        0x3F808000, 0x3F818000,              # 1 + 2^-8, 1 + 3 x 2^-8: BF16 ties
        0x7F7FFFFF, 0xFF7FFFFF,              # largest float: BF16 infinity
        0x7F7F7FFF, 0x7F7F8000,              # below and at the BF16 top tie
        0x00000001, 0x807FFFFF,              # float subnormals
        0x7F800000, 0xFF800000,              # infinities
        0x7FC00000, 0xFFC00000, 0x7F800001,  # NaNs: quiet, and a payload
        0xFFA00000, 0x7F802000, 0x7FBFFFFF,  # ... that F16 or BF16 cannot keep
        0x7F810000, 0x7FFFFFFF,
    ]
    rng = np.random.default_rng(20240611)
    sample = rng.integers(0, 2 ** 32, size=3000, dtype=np.uint64).astype(np.uint32)
    # Half of them in the range of halves, where F16 rounding is exercised.
    near = rng.integers(0x33000000, 0x47800000, size=3000,
                        dtype=np.uint64).astype(np.uint32)
    near |= (rng.integers(0, 2, size=3000).astype(np.uint32) << 31)
    return np.concatenate([f32_from_bits(special), sample.view(np.float32),
                           near.view(np.float32)])


def rounding():
    """f32 inputs, NumPy's F16 of them (round to nearest even) and the
    BF16 of bf16_bits()."""
    x = rounding_inputs()
    with np.errstate(over="ignore", invalid="ignore"):
        f16 = x.astype("<f2")
    return checkpoint([
        ("f32", "F32", x.shape, le(x, "f4")),
        ("f16", "F16", x.shape, f16.tobytes()),
        ("bf16", "BF16", x.shape, le(bf16_bits(x), "u2")),
    ])


def seeds():
    """Small files for the fuzzer to start from, valid and not."""
    f32 = le([1.0, 2.0], "f4")
    good = [("w", "F32", (2,), f32)]
    raw = lambda text, data=b"": struct.pack("<Q", len(text)) + text + data
    return {
        "empty-header.st": checkpoint([]),
        "one.st": checkpoint(good),
        "metadata.st": checkpoint(good, {"a": "b"}),
        "scalar.st": checkpoint([("s", "F64", (), le([0.5], "f8"))]),
        "all-dtypes.st": checkpoint([
            (d, d, (8,), bytes(8 * b // 8)) for d, b in [
                ("BOOL", 8), ("U8", 8), ("I8", 8), ("I16", 16), ("U16", 16),
                ("I32", 32), ("U32", 32), ("I64", 64), ("U64", 64),
                ("F16", 16), ("BF16", 16), ("F32", 32), ("F64", 64),
                ("C64", 64), ("F8_E5M2", 8), ("F8_E4M3", 8), ("F4", 4),
                ("F6_E2M3", 6)]]),
        "bad-duplicate.st": raw(b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                                b'"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
                                f32),
        "bad-overlap.st": raw(b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                              b'"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
                              f32),
        "bad-dtype.st": raw(b'{"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}', f32),
        "bad-nul.st": raw(b'{"w\\u0000x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
                          f32),
        "bad-overflow.st": raw(b'{"w":{"dtype":"F32","shape":[4294967296,4294967296],'
                               b'"data_offsets":[0,8]}}', f32),
        "bad-octal.st": raw(b'{"w":{"dtype":"F32","shape":[02],"data_offsets":[0,8]}}', f32),
        "bad-length.st": struct.pack("<Q", 1 << 40) + b"{}",
        "json-only.txt": b'{"w":{"dtype":"BF16","shape":[2,1],"data_offsets":[0,4]},'
                         b'"__metadata__":{"k":"v"}}\x00\x01\x02\x03\x04',
    }


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    os.makedirs(DATA, exist_ok=True)
    os.makedirs(CORPUS, exist_ok=True)
    write(os.path.join(DATA, "mixed.safetensors"), mixed())
    write(os.path.join(DATA, "rounding.safetensors"), rounding())
    for name, data in seeds().items():
        write(os.path.join(CORPUS, name), data)
    write(os.path.join(CORPUS, "mixed.st"), mixed())
    return 0


if __name__ == "__main__":
    sys.exit(main())
