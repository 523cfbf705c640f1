#!/usr/bin/python3
"""Reference cases for NeuroSim's weight digits, from NeuroSim itself.

Writes tests/data/neurosim/<case>/ (config.yaml, weights.npy,
expected/g_<k>.npy, expected/restored.npy, expected/params.yaml) with the
numbers that DNN_NeuroSim V1.4's hardware-inference layer produces.  NeuroSim
is not part of this repository and nothing of it is copied here; get a copy
outside the tree:

    git clone https://github.com/neurosim/DNN_NeuroSim_V1.4 /tmp/neurosim
    git -C /tmp/neurosim checkout ac828e6723bf077c9b1423c5c72ff6e4981e90f4

(only Inference_pytorch/modules and Inference_pytorch/utee are needed).  It
needs PyTorch and NumPy; on Debian: apt-get install python3-torch
python3-numpy.  Then, from the top of the source tree:

    NEUROSIM_DIR=/tmp/neurosim tests/peer/gen-neurosim.py [OUTDIR]

OUTDIR defaults to tests/data/neurosim.

How the numbers are made: QLinear of modules/quantization_cpu_np_infer.py
(inference = 1, model = 'VGG8', one input bit) runs its forward pass on the
identity matrix, so that its output is the weight matrix as the hardware
reads it back.  Three things of NeuroSim are replaced while it runs, none of
them part of the weight mapping:
  - torch.full() inside that module ignores its device='cuda' argument, so
    that the (zero) conductance variation can be drawn on a machine without
    CUDA;
  - utee.wage_quantizer.LinearQuantizeOut, NeuroSim's ADC, returns its input
    unchanged (ADC off; NeuroSim has no switch for it);
  - F.linear inside that module records the weight matrix it is given (the
    conductance planes and the dummy column), then calls the real F.linear.
The layer's WAGE scale (a power of two applied before and undone after the
crossbar) is set to 1, so the input weights are those the crossbar holds, in
NeuroSim's range [-1, 1].  Variation, retention drift (t = 0, v = 0) and
activation quantization (wl_activate = -1) are off.

Every case is also recomputed from the formulas of tests/peer/README.md
(section 8; spec_* below, written from that text, not from NeuroSim): the
planes must agree bit for bit, the read-back within 4 ulps of the reference
value (NeuroSim reads it back through floating-point currents); --no-check
skips that.
"""

import os
import sys

import numpy as np

NEUROSIM_COMMIT = "ac828e6723bf077c9b1423c5c72ff6e4981e90f4"
G_MAX_US = 25.0
SHAPE = (16, 20)       # out x in; in < NeuroSim's subArray (128)


def load_neurosim():
    root = os.environ.get("NEUROSIM_DIR")
    here = os.path.join(root or "", "Inference_pytorch")
    if not root or not os.path.isdir(os.path.join(here, "modules")):
        sys.exit("gen-neurosim.py: set NEUROSIM_DIR to a DNN_NeuroSim_V1.4 "
                 "checkout (see the header of this script)")
    sys.path.insert(0, here)
    import torch
    import torch.nn.functional as real_F
    from modules import quantization_cpu_np_infer as qmod
    from utee import wage_quantizer

    class TorchOnCpu:
        def __getattr__(self, name):
            return getattr(torch, name)

        @staticmethod
        def full(*args, **kwargs):
            kwargs.pop("device", None)
            return torch.full(*args, **kwargs)

    class Recorder:
        def __init__(self):
            self.weights = []

        def __getattr__(self, name):
            return getattr(real_F, name)

        def linear(self, x, weight, bias=None):
            self.weights.append(weight.detach().clone())
            return real_F.linear(x, weight, bias)

    recorder = Recorder()
    qmod.torch = TorchOnCpu()
    qmod.F = recorder
    wage_quantizer.LinearQuantizeOut = lambda x, bits: x
    return torch, qmod, recorder


# ---------------------------------------------------------------------------
# The cases: weight bits B, cell bits, on/off ratio, dtype.

def case(B, cell, r, dtype="float64"):
    rname = "inf" if r == float("inf") else "%g" % r
    name = "ns-b%d-c%d-r%s%s" % (B, cell, rname,
                                 "-f32" if dtype == "float32" else "")
    return dict(name=name, B=B, cell=cell, r=r, dtype=dtype)


CASES = [
    case(8, 1, 10.0),          # NeuroSim's defaults
    case(8, 2, 10.0),
    case(8, 4, 10.0),
    case(8, 4, 10.0, "float32"),   # NeuroSim as it runs, in float32
    case(6, 3, 100.0),
    case(4, 2, 3.0),
    case(5, 1, 10.0),
    case(6, 2, float("inf")),
]


def make_weights(c, index):
    """Zeros, +-1, the B-bit grid's ties and their neighbours, uniform."""
    f = np.float32 if c["dtype"] == "float32" else np.float64
    rng = np.random.default_rng(1400 + index)
    half = 2.0 ** (c["B"] - 1)
    special = [0.0, 0.0, 1.0, -1.0, 0.5, -0.5]
    for n in (0, 1, 2, 3, int(half) // 3, int(half) - 2):
        for s in (1.0, -1.0):
            t = f(s * (n + 0.5) / half)
            special += [np.nextafter(t, f(-2)), t, np.nextafter(t, f(2))]
    n = SHAPE[0] * SHAPE[1]
    rest = rng.uniform(-1.0, 1.0, n - len(special))
    w = np.concatenate([np.array(special, f), rest.astype(f)])
    rng.shuffle(w)
    return w.reshape(SHAPE)


def run_neurosim(lib, c, w):
    torch, qmod, recorder = lib
    layer = qmod.QLinear(SHAPE[1], SHAPE[0], wl_input=1, wl_activate=-1,
                         wl_error=-1, wl_weight=c["B"], inference=1,
                         onoffratio=c["r"], cellBit=c["cell"], subArray=128,
                         vari=0.0, t=0.0, v=0.0, detect=0, target=0.0,
                         model="VGG8")
    if c["dtype"] == "float64":
        layer = layer.double()
    layer.weight.data = torch.from_numpy(w.copy())
    layer.scale = 1.0
    eye = torch.eye(SHAPE[1], dtype=layer.weight.dtype)
    recorder.weights.clear()
    with torch.no_grad():
        out = layer(eye)
    rec = [t.numpy() for t in recorder.weights]
    K = c["B"] // c["cell"]
    assert len(rec) == 1 + 2 * K
    top = 2 ** c["cell"] - 1
    f = w.dtype.type
    planes = {"g_%d" % k: rec[1 + 2 * k] / f(top) * f(G_MAX_US)
              for k in range(K)}
    dummy = np.unique(rec[2])
    assert len(dummy) == 1
    # One input bit reads the input 1 as 1/2 (NeuroSim's (2^b - 1) / 2^b
    # input gain); the factor 2 undoes it exactly.
    back = out.numpy().T * f(2)
    return planes, dummy[0] / f(top) * f(G_MAX_US), back, rec[0]


# ---------------------------------------------------------------------------
# The formulas of tests/peer/README.md, section 6, for the check.

def spec(c, w):
    B, cell, r = c["B"], c["cell"], c["r"]
    f = w.dtype.type
    half = f(2.0 ** (B - 1))
    q = np.rint(w * half) / half
    X = np.rint(f((2.0 ** B - 1) / 2) * (q + f(1))).astype(np.int64)
    base = 1 << cell
    top = base - 1
    lower = 1.0 / r
    K = B // cell
    planes = {}
    for k in range(K):
        d = ((X >> (k * cell)) & top).astype(w.dtype)
        rq = f(1.0 - lower) * d + f(top * lower)
        planes["g_%d" % k] = rq / f(top) * f(G_MAX_US)
    ref = f(top * (1.0 + lower) / 2) / f(top) * f(G_MAX_US)
    code = X & ((1 << (K * cell)) - 1)
    back = (2.0 * code - (2.0 ** (K * cell) - 1)) / 2.0 ** B
    return planes, ref, back, q


def fmt(x):
    return repr(float(x))


def write_case(outdir, c, w, planes, ref, back):
    d = os.path.join(outdir, c["name"])
    os.makedirs(os.path.join(d, "expected"), exist_ok=True)
    K = c["B"] // c["cell"]
    g_min = 0.0 if c["r"] == float("inf") else G_MAX_US / c["r"]
    with open(os.path.join(d, "config.yaml"), "w") as fh:
        fh.write("# NeuroSim %s: see tests/peer/README.md\n"
                 "converter: bit-slice\n"
                 "quantizer: neurosim\n"
                 "weight_bits: %d\n"
                 "slices: %d\n"
                 "style: offset\n"
                 "reference: mid\n"
                 "g_min: %s\n"
                 "g_max: %s\n" % (c["name"], c["B"], K, fmt(g_min),
                                  fmt(G_MAX_US)))
    np.save(os.path.join(d, "weights.npy"), w)
    for name, p in planes.items():
        np.save(os.path.join(d, "expected", name + ".npy"), p)
    np.save(os.path.join(d, "expected", "restored.npy"), back)
    with open(os.path.join(d, "expected", "params.yaml"), "w") as fh:
        fh.write("peer: DNN_NeuroSim V1.4 (%s)\n" % NEUROSIM_COMMIT)
        fh.write("planes: %d\n" % K)
        fh.write("plane_names: [%s]\n" % ", ".join(planes))
        fh.write("dtype: %s\n" % c["dtype"])
        fh.write("tolerance: %s\n" % ("1e-6" if c["dtype"] == "float32"
                                      else "1e-12"))
        fh.write("clip_max: 1.0\n")
        fh.write("cell_bits: %d\n" % c["cell"])
        fh.write("onoffratio: %s\n" % fmt(c["r"]).replace("inf", ".inf"))
        fh.write("reference_g: %s\n" % fmt(ref))


def main(argv):
    check = "--no-check" not in argv
    args = [a for a in argv[1:] if a != "--no-check"]
    outdir = args[0] if args else os.path.join("tests", "data", "neurosim")
    lib = load_neurosim()
    failures = 0
    for index, c in enumerate(CASES):
        w = make_weights(c, index)
        planes, ref, back, q = run_neurosim(lib, c, w)
        if check:
            s_planes, s_ref, s_back, s_q = spec(c, w)
            problems = []
            if not np.array_equal(q, s_q):
                problems.append("weight quantization")
            for name in planes:
                if planes[name].dtype != s_planes[name].dtype or \
                        not np.array_equal(planes[name], s_planes[name]):
                    problems.append(name)
            if ref != s_ref:
                problems.append("reference")
            ulp = np.spacing(back.dtype.type(1.0))
            if np.max(np.abs(back - s_back)) > 4 * ulp:
                problems.append("read-back (%.3g)"
                                % np.max(np.abs(back - s_back)))
            for p in problems:
                print("%s: %s differs from the spec" % (c["name"], p))
            failures += len(problems)
        write_case(outdir, c, w, planes, ref, back)
    print("%d cases written to %s%s" % (
        len(CASES), outdir, "" if not check else
        ", %d disagreements with the spec" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
