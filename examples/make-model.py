#!/usr/bin/python3
"""make-model.py - writes examples/model.safetensors, the small model the
README converts with examples/recipe.yaml: a convolution, two dense layers
and a norm in float32, bfloat16 and float16, their biases, an int64 step
counter and metadata, as `{k: v.numpy() for k, v in
model.state_dict().items()}` saved with safetensors would hold them.

The format is written by hand (8 bytes of header length, little-endian,
the JSON header, then the data), so only NumPy is needed (Debian:
python3-numpy).  Deterministic: the committed file is what this writes.

    /usr/bin/python3 examples/make-model.py [OUTPUT]
"""
import json
import os
import struct
import sys

import numpy as np


def bf16_bytes(a):
    """Round float32 to bfloat16, nearest even (finite values only)."""
    bits = np.asarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2").tobytes()


def save(path, tensors, metadata):
    """tensors: list of (name, dtype name, shape, raw bytes)."""
    header, offset, data = {"__metadata__": metadata}, 0, []
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(data))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "model.safetensors")
    rng = np.random.default_rng(11)

    def normal(shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    conv = normal((8, 1, 3, 3), 0.3)
    fc1 = normal((64, 72), 0.1)
    fc2 = normal((10, 64), 0.2)
    tensors = [
        ("features.conv1.weight", "F32", conv.shape, conv.astype("<f4").tobytes()),
        ("features.conv1.bias", "F32", (8,), normal(8, 0.05).astype("<f4").tobytes()),
        ("features.norm.weight", "F16", (8,), (1 + normal(8, 0.1)).astype("<f2").tobytes()),
        ("features.norm.bias", "F16", (8,), normal(8, 0.1).astype("<f2").tobytes()),
        ("classifier.fc1.weight", "BF16", fc1.shape, bf16_bytes(fc1)),
        ("classifier.fc1.bias", "F32", (64,), normal(64, 0.05).astype("<f4").tobytes()),
        ("classifier.fc2.weight", "F16", fc2.shape, fc2.astype("<f2").tobytes()),
        ("classifier.fc2.bias", "F32", (10,), normal(10, 0.05).astype("<f4").tobytes()),
        ("num_batches_tracked", "I64", (), np.array(1200, dtype="<i8").tobytes()),
    ]
    save(out, tensors, {"format": "pt", "model": "condmap example CNN"})


if __name__ == "__main__":
    main()
