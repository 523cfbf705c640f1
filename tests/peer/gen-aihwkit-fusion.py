#!/usr/bin/python3
"""gen-aihwkit-fusion.py - aihwkit's FusionConductanceConverter on random
matrices, for condmap's configs/fusion.yaml (tests/cli/scaling.sh).

Run by hand, not in CI.  It imports aihwkit from a copy outside the
repository; only the numbers it writes are committed.  aihwkit's converters
are pure Python; fusion.py needs PyTorch and scikit-learn:

    apt-get install python3-torch python3-numpy python3-sklearn  # Debian 12
    git clone https://github.com/IBM/aihwkit /tmp/aihwkit
    git -C /tmp/aihwkit checkout 4545f11b5214c5e3c6b9d293053bbf8baf74e110
    PYTHONPATH=/tmp/aihwkit/src /usr/bin/python3 \\
        tests/peer/gen-aihwkit-fusion.py tests/data/fusion

For each case (a weight matrix [out, in] with an outlier in some rows, a
zero row and rows of very different range) it writes into OUTDIR/CASE/:

- weights.npy: the weights (float32: aihwkit converts in the tensor's
  dtype);
- g.npy: the one conductance plane of convert_to_conductances(), in uS;
- restored.npy: convert_back_to_weights() of that plane, which fits a
  linear regression per row against the original weights;
- gain.npy: a gain k per row, and drifted-restored.npy: what aihwkit
  converts back from the plane multiplied by k row by row (conductances
  read back with a per-channel gain).  Its regression undoes k:
  condmap restore --calibrate must find 1 / k.

NumPy 1.24.2, PyTorch 1.13 and scikit-learn 1.2.1 of Debian 12 made the
committed files; the seeds are fixed.
"""

import os
import sys

import numpy as np
import torch

try:
    from aihwkit.inference.converter.fusion import FusionConductanceConverter
except ImportError as err:  # pragma: no cover - a usage error
    sys.exit("gen-aihwkit-fusion.py: cannot import aihwkit (%s); set "
             "PYTHONPATH to a copy's src/ directory, see the header" % err)

CASES = {
    "linear-16x40": ((16, 40), 40.0, 1),
    "linear-64x9-gmax25": ((64, 9), 25.0, 2),
}


def matrix(shape, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape) * np.logspace(-2, 1, shape[0])[:, None]
    for r in range(0, shape[0], 3):            # an outlier in every third row
        w[r, rng.integers(shape[1])] *= 12
    w[1] = 0.0                                 # a row of zeros
    return w.astype(np.float32)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-aihwkit-fusion.py OUTDIR")
    for name, (shape, g_max, seed) in CASES.items():
        out = os.path.join(sys.argv[1], name)
        os.makedirs(out, exist_ok=True)
        w = matrix(shape, seed)
        conv = FusionConductanceConverter(g_max=g_max)
        (g,), params = conv.convert_to_conductances(torch.from_numpy(w))
        restored = conv.convert_back_to_weights([g.clone()], params)
        gain = np.linspace(0.8, 1.25, shape[0]).astype(np.float32)
        drifted = g * torch.from_numpy(gain)[:, None]
        drifted_restored = conv.convert_back_to_weights([drifted], params)
        np.save(os.path.join(out, "weights.npy"), w)
        np.save(os.path.join(out, "g.npy"), g.numpy())
        np.save(os.path.join(out, "restored.npy"), restored.numpy())
        np.save(os.path.join(out, "gain.npy"), gain)
        np.save(os.path.join(out, "drifted-restored.npy"),
                drifted_restored.numpy())
        with open(os.path.join(out, "g_max"), "w") as f:
            f.write("%g\n" % g_max)


if __name__ == "__main__":
    main()
