#!/usr/bin/python3
"""generate.py - NumPy's numbers for condmap's clip tests (tests/test-clip.c).

Writes, beside this script, two weight matrices with outliers and the clip
thresholds NumPy gives for them, per tensor and per channel along axis 0
(rows) and axis 1 (columns), with the weights clamped to some of them:

    /usr/bin/python3 tests/data/clip/generate.py

(NumPy 1.24.2 of Debian 12 made the committed files; the seed is fixed, so
running it again rewrites the same files.)

What the thresholds are (condmap's definitions, which these numbers pin):
- percentile p: np.percentile(np.abs(w), p), NumPy's default "linear"
  method, computed from the weights in their own dtype;
- sigma s: s * np.std(w.astype(np.float64), ddof=1);
- max_abs x: x;
- several options: the smallest;
and then rounded to the weights' dtype (np.float32(t) for float32), the
value the weights are clamped to: np.clip(w, -t, t).

Files: weights-f32.npy and weights-f64.npy (12 x 250); cases.txt, one case
a line: its name and the `clip:` mapping of the config; for each dtype D
and scope S (tensor, axis0, axis1), thresholds-D-S.npy, float64, a row per
case (in the order of cases.txt) of 1, 12 or 250 thresholds; and
clamped-D-C-S.npy, the clamped weights in D, for the cases C of CLAMPED
and the scopes tensor and axis0.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS, COLS = 12, 250
CASES = [
    ("p99", {"percentile": 99}),
    ("p99.9", {"percentile": 99.9}),
    ("p50", {"percentile": 50}),
    ("p33.3", {"percentile": 33.3}),
    ("p0.1", {"percentile": 0.1}),
    ("p100", {"percentile": 100}),
    ("s0.5", {"sigma": 0.5}),
    ("s3", {"sigma": 3}),
    ("m0.3", {"max_abs": 0.3}),
    ("s3-m0.5", {"sigma": 3, "max_abs": 0.5}),
    ("p99-m0.2", {"percentile": 99, "max_abs": 0.2}),
]
CLAMPED = ("p99", "s3", "p99-m0.2")
SCOPES = ("tensor", "axis0", "axis1")


def weights(dtype):
    rng = np.random.default_rng(20241202)
    w = rng.standard_normal((ROWS, COLS))
    w *= np.logspace(-2, 1, ROWS)[:, None]     # rows of very different range
    for r in range(ROWS):                      # one outlier a row, and ties
        w[r, rng.integers(COLS)] = rng.choice([-1, 1]) * 15 * w[r].std()
        w[r, :5] = w[r, 5]
        w[r, 7:9] = 0.0
    return w.astype(dtype)


def threshold(x, clip):
    t = np.inf
    if "max_abs" in clip:
        t = clip["max_abs"]
    if "sigma" in clip:
        t = min(t, clip["sigma"] * np.std(x.astype(np.float64), ddof=1))
    if "percentile" in clip:
        t = min(t, float(np.percentile(np.abs(x), clip["percentile"])))
    return x.dtype.type(t)


def main():
    with open(os.path.join(HERE, "cases.txt"), "w") as f:
        for name, clip in CASES:
            f.write("%s {%s}\n" % (name, ", ".join(
                "%s: %r" % kv for kv in clip.items())))
    for dtype, tag in ((np.float32, "f32"), (np.float64, "f64")):
        w = weights(dtype)
        np.save(os.path.join(HERE, "weights-%s.npy" % tag), w)
        for scope in SCOPES:
            table = []
            for name, clip in CASES:
                if scope == "tensor":
                    t = np.array([threshold(w, clip)])
                    bound = t[0]
                elif scope == "axis0":
                    t = np.array([threshold(row, clip) for row in w])
                    bound = t[:, None]
                else:
                    t = np.array([threshold(col, clip) for col in w.T])
                    bound = t[None, :]
                table.append(t.astype(np.float64))
                if name in CLAMPED and scope != "axis1":
                    np.save(os.path.join(HERE, "clamped-%s-%s-%s.npy"
                                         % (tag, name, scope)),
                            np.clip(w, -bound, bound).astype(dtype))
            np.save(os.path.join(HERE, "thresholds-%s-%s.npy" % (tag, scope)),
                    np.array(table))


if __name__ == "__main__":
    main()
