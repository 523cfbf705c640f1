#!/usr/bin/python3
"""make-checkpoint.py - writes a synthetic model checkpoint for
tests/bench/checkpoint-bench.sh: about 1.55 GiB in 461 tensors, shaped like
a transformer's state dict.

    /usr/bin/python3 tests/bench/make-checkpoint.py OUT.safetensors

  200 x layers.N.mlp.weight    F32  (1024, 1536)   6 MiB each
   20 x layers.N.attn.weight   BF16 (2048, 2048)   8 MiB each
   20 x layers.N.proj.weight   F16  (2048, 1024)   4 MiB each
    1 x embed.weight           F32  (16384, 2048)  128 MiB, passes through
  220 x layers.N.*.bias        F32  (1024,)

Values are standard normals (one block, scaled per tensor), so the run is
deterministic.  Prints "largest NAME INPUT_BYTES N_ELEMENTS CONVERTED" for
the tensor with the most input bytes and for the converted tensor with
the most elements, which the memory bound needs.  Needs NumPy (Debian:
python3-numpy); writes the format by hand (8 bytes of header length, the
JSON header, the data).
"""
import json
import struct
import sys

import numpy as np


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(1511)
    base = rng.standard_normal(1 << 22, dtype=np.float32)
    plan = []
    for i in range(200):
        plan.append((f"layers.{i}.mlp.weight", "F32", (1024, 1536), True))
        plan.append((f"layers.{i}.mlp.bias", "F32", (1024,), False))
    for i in range(20):
        plan.append((f"layers.{i}.attn.weight", "BF16", (2048, 2048), True))
        plan.append((f"layers.{i}.proj.weight", "F16", (2048, 1024), True))
        plan.append((f"layers.{i}.attn.bias", "F32", (1024,), False))
    plan.append(("embed.weight", "F32", (16384, 2048), False))

    size = {"F32": 4, "BF16": 2, "F16": 2}
    header, offset = {"__metadata__": {"format": "pt", "bench": "condmap"}}, 0
    for name, dtype, shape, _ in plan:
        n = int(np.prod(shape)) * size[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for k, (name, dtype, shape, _) in enumerate(plan):
            n = int(np.prod(shape))
            v = np.resize(np.roll(base, k), n) * np.float32(0.02 + k % 7 * 0.01)
            if dtype == "F32":
                f.write(v.astype("<f4").tobytes())
            elif dtype == "F16":
                f.write(v.astype("<f2").tobytes())
            else:
                f.write((v.astype("<f4").view("<u4") >> 16).astype("<u2").tobytes())
    big = max(plan, key=lambda t: int(np.prod(t[2])) * size[t[1]])
    conv = max((t for t in plan if t[3]), key=lambda t: int(np.prod(t[2])))
    for name, dtype, shape, converted in (big, conv):
        n = int(np.prod(shape))
        print("largest", name, n * size[dtype], n, int(converted))


if __name__ == "__main__":
    main()
