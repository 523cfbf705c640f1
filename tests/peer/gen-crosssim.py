#!/usr/bin/python3
"""Reference cases for bit-slice, offset and two-sided-pair, from CrossSim.

Writes tests/data/crosssim/<case>/ (config.yaml, weights.npy,
expected/<plane>.npy, expected/restored.npy, expected/params.yaml) with the
numbers that Sandia CrossSim itself produces.  CrossSim is not part of this
repository and nothing of it is copied here; get a copy outside the tree:

    git clone https://github.com/sandialabs/cross-sim /tmp/cross-sim
    git -C /tmp/cross-sim checkout 0a2eb1eda183326ef4d98d792995c721105d3726

(release 3.2.0; only simulator/ is needed, the large model files of
applications/ may be skipped).  CrossSim's cores need only NumPy and SciPy;
on Debian: apt-get install python3-numpy python3-scipy.  Then, from the top
of the source tree:

    CROSSSIM_DIR=/tmp/cross-sim tests/peer/gen-crosssim.py [OUTDIR]

OUTDIR defaults to tests/data/crosssim.  Nothing is stubbed: CrossSim's
package imports cleanly with NumPy and SciPy alone.

How the numbers are made: each case builds a CrossSimParameters, asks
AnalogCore._make_core() for the wrapper core (BitslicedCore, OffsetCore or
BalancedCore, with their NumericCore slices) and calls its set_matrix() with
the clip limits that AnalogCore._set_limits_percentile() computes (percentile
1.0: the tensor's abs max).  The planes are the NumericCores' matrices
(normalized conductance, Gmax_norm = 1) times g_max, in µS; the read-back is
the wrapper core's _read_matrix().  Noise, drift, parasitics, ADC and DAC are
at CrossSim's defaults: off.

Every case is also recomputed from the formulas of tests/peer/README.md
(spec_* below, written from that text, not from CrossSim) and the script
stops unless both agree bit for bit; --no-check skips that.
"""

import os
import sys
import warnings

import numpy as np

CROSSSIM_COMMIT = "0a2eb1eda183326ef4d98d792995c721105d3726"
G_MAX_US = 25.0
SHAPE = (16, 20)


def load_crosssim():
    root = os.environ.get("CROSSSIM_DIR")
    if not root or not os.path.isdir(os.path.join(root, "simulator")):
        sys.exit("gen-crosssim.py: set CROSSSIM_DIR to a CrossSim checkout "
                 "(see the header of this script)")
    sys.path.insert(0, root)
    from simulator import CrossSimParameters
    from simulator.backend import ComputeBackend
    from simulator.cores.analog_core import AnalogCore
    ComputeBackend(use_gpu=False)
    return CrossSimParameters, AnalogCore


# ---------------------------------------------------------------------------
# The cases.  Keys are condmap's; the CrossSim settings follow from them.

def bs(name, style, B, N, gmin, levels=None, ref="digital", dtype="float64",
       m=0.8):
    return dict(name=name, converter="bit-slice", style=style, weight_bits=B,
                slices=N, g_min_norm=gmin, levels=levels, reference=ref,
                dtype=dtype, m=m)


def off(name, ref, gmin, levels=None, m=0.8):
    return dict(name=name, converter="offset", reference=ref, g_min_norm=gmin,
                levels=levels, dtype="float64", m=m)


def ts(name, gmin, levels=None, dtype="float64", m=0.8):
    return dict(name=name, converter="two-sided-pair", g_min_norm=gmin,
                levels=levels, dtype=dtype, m=m)


CASES = [
    bs("bs-bal-b4-n2-g0", "balanced", 4, 2, 0.0),
    bs("bs-bal-b5-n2-g01", "balanced", 5, 2, 0.1),
    bs("bs-bal-b6-n3-g01", "balanced", 6, 3, 0.1, m=0.5),
    bs("bs-bal-b7-n3-g0", "balanced", 7, 3, 0.0),
    bs("bs-bal-b8-n2-g01", "balanced", 8, 2, 0.1),
    bs("bs-bal-b8-n4-g01", "balanced", 8, 4, 0.1, m=1.0),
    bs("bs-bal-b8-n3-l8-g01", "balanced", 8, 3, 0.1, levels=8),
    bs("bs-bal-b6-n2-l16-g0", "balanced", 6, 2, 0.0, levels=16),
    bs("bs-bal-b8-n2-g01-f32", "balanced", 8, 2, 0.1, dtype="float32"),
    bs("bs-off-b4-n2-g0", "offset", 4, 2, 0.0),
    bs("bs-off-b5-n4-g01", "offset", 5, 4, 0.1),
    bs("bs-off-b7-n3-g01", "offset", 7, 3, 0.1),
    bs("bs-off-b8-n2-g01", "offset", 8, 2, 0.1, m=0.5),
    bs("bs-off-b8-n4-g0", "offset", 8, 4, 0.0),
    bs("bs-off-b6-n3-l4-g01", "offset", 6, 3, 0.1, levels=4),
    bs("bs-off-b8-n2-l16-g0", "offset", 8, 2, 0.0, levels=16),
    bs("bs-off-b8-n2-col-g01", "offset", 8, 2, 0.1, ref="column"),
    bs("bs-off-b7-n2-col-g0", "offset", 7, 2, 0.0, ref="column"),
    off("offset-digital-g0", "digital", 0.0),
    off("offset-digital-g01", "digital", 0.1),
    off("offset-digital-l16-g01", "digital", 0.1, levels=16),
    off("offset-digital-l4-g0", "digital", 0.0, levels=4, m=0.5),
    off("offset-mid-g01", "mid", 0.1),
    off("offset-mid-l8-g01", "mid", 0.1, levels=8),
    ts("two-sided-g0", 0.0),
    ts("two-sided-g01", 0.1),
    ts("two-sided-l16-g01", 0.1, levels=16),
    ts("two-sided-g01-f32", 0.1, dtype="float32"),
    ts("two-sided-l16-g01-f32", 0.1, levels=16, dtype="float32"),
]


def slice_bits(style, B, N):
    """CrossSim's width of every slice."""
    if B % N == 0:
        return B // N
    if style == "balanced":
        return -(-(B - 1) // N)
    return -(-B // N)


def cell_bits(levels):
    if levels is None:
        return 0
    c = int(levels).bit_length() - 1
    assert 1 << c == levels, "CrossSim's levels are powers of two"
    return c


# ---------------------------------------------------------------------------
# Weights: zeros, +-m, rounding ties of the B-bit quantizer and of the level
# grid (with their neighbours one ulp away), and uniform values in between.

def tie_weights(case, m, dtype):
    """Weights whose value before a rounding is exactly k + 1/2, with their
    neighbours one ulp away: for the B-bit quantizer and for the levels."""
    f = dtype
    found = []
    B = case.get("weight_bits")
    if B is not None:
        def pre(w):
            return (w / f(2 * m)) * f(2.0 ** B - 2.0)
        for k in (0, 1, 2, 5, (1 << (B - 1)) // 3, (1 << (B - 1)) - 3):
            found += find_tie(pre, k + 0.5, m, f)
            found += find_tie(pre, -k - 0.5, m, f)
    L = case.get("levels")
    g = case["g_min_norm"]
    if L is not None and case["converter"] == "offset":
        rx = (1.0 - g) * (L - 2) / (L - 1)
        gl = 1.0 - rx

        def pre(w):
            G = rx * (w / (2 * m) + 0.5) + gl
            return (G - g) * ((L - 1) / (1.0 - g))
        for k in range(1, L - 2):
            found += find_tie(pre, k + 0.5, m, f)
    if L is not None and case["converter"] == "two-sided-pair" \
            and f == np.float32:
        # CrossSim rounds these conductances to float32 even for float64
        # weights; the float32 ties of that cast are left out of float64
        # cases (see README.md, what cannot be exact).
        q = np.float32((L - 1) / (1.0 - g))

        def pre(w):
            G = g + (1.0 - g) * (1 + np.array([w]) / m) / 2
            return float(((G - g) * q)[0])
        for k in range(0, L - 1):
            found += find_tie(pre, k + 0.5, m, f)
    return found


def find_tie(pre, target, m, f):
    """The w in (-m, m) with pre(w) == target, if any, and its neighbours
    (pre is nondecreasing in w)."""
    lo, hi = f(-m), f(m)
    if not pre(lo) < target <= pre(hi):
        return []
    for _ in range(200):
        mid = f(lo / 2 + hi / 2)
        if mid in (lo, hi):
            break
        if pre(mid) < target:
            lo = mid
        else:
            hi = mid
    if pre(hi) != target:
        return []
    return [np.nextafter(hi, f(-np.inf)), hi, np.nextafter(hi, f(np.inf))]


def make_weights(case, index):
    dtype = np.float32 if case["dtype"] == "float32" else np.float64
    m = dtype(case["m"])
    rng = np.random.default_rng(1400 + index)
    special = [dtype(0), dtype(0), m, -m, dtype(m / 2), dtype(-m / 2)]
    special += [t for t in tie_weights(case, m, dtype) if abs(t) < m]
    n = SHAPE[0] * SHAPE[1]
    rest = rng.uniform(-1.0, 1.0, n - len(special)) * float(m)
    w = np.concatenate([np.array(special, dtype), rest.astype(dtype)])
    rng.shuffle(w)
    return w.reshape(SHAPE)


# ---------------------------------------------------------------------------
# Running CrossSim.

def crosssim_params(CrossSimParameters, case):
    p = CrossSimParameters()
    g = case["g_min_norm"]
    if g == 0.0:
        p.xbar.device.infinite_on_off_ratio = True
    else:
        p.xbar.device.Rmin = 1000
        p.xbar.device.Rmax = 1000 / g
    assert p.xbar.device.Gmin_norm == g
    p.xbar.device.cell_bits = cell_bits(case["levels"])
    if case["converter"] == "bit-slice":
        p.core.style = "BITSLICED"
        p.core.bit_sliced.style = case["style"].upper()
        p.core.bit_sliced.num_slices = case["slices"]
        p.core.weight_bits = case["weight_bits"]
        p.core.offset.style = ("DIGITAL_OFFSET" if case["reference"] ==
                               "digital" else "UNIT_COLUMN_SUBTRACTION")
    elif case["converter"] == "offset":
        p.core.style = "OFFSET"
        p.core.offset.style = ("DIGITAL_OFFSET" if case["reference"] ==
                               "digital" else "UNIT_COLUMN_SUBTRACTION")
    else:
        p.core.style = "BALANCED"
        p.core.balanced.style = "TWO_SIDED"
    return p


def run_crosssim(lib, case, w):
    """Planes (normalized), reference rows, read-back, clip max."""
    CrossSimParameters, AnalogCore = lib
    params = crosssim_params(CrossSimParameters, case)
    lo, hi = AnalogCore._set_limits_percentile(
        params.core.mapping.weights, w, reset=True)
    core = AnalogCore._make_core(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        core.set_matrix(w.copy(), weight_limits=(lo, hi))
    planes, refs = {}, {}
    conv = case["converter"]
    if conv == "bit-slice":
        for i, cores in enumerate(core.core_slices):
            if case["style"] == "balanced":
                planes["g_plus_%d" % i] = cores[0]._read_matrix()
                planes["g_minus_%d" % i] = cores[1]._read_matrix()
            else:
                g = cores[0]._read_matrix()
                if case["reference"] == "column":
                    refs["reference_g_%d" % i] = g[0].copy()
                    g = g[1:]
                planes["g_%d" % i] = g
    elif conv == "offset":
        g = core.core._read_matrix()
        if case["reference"] == "mid":
            refs["reference_g"] = g[0].copy()
            g = g[1:]
        planes["g"] = g
    else:
        planes["g_plus_0"] = core.core_pos._read_matrix()
        planes["g_minus_0"] = core.core_neg._read_matrix()
    return planes, refs, core._read_matrix(), hi


# ---------------------------------------------------------------------------
# The formulas of tests/peer/README.md, for the check.  Normalized units:
# conductance / g_max, so Gmax = 1 and Gmin = g_min / g_max.

def spec_levels(G, L, gmin):
    """Snap to L uniform levels from gmin to 1, ties to even (section 5)."""
    if L is None:
        return G
    f = G.dtype.type
    q = f((L - 1) / (1.0 - gmin))
    return np.rint((G - f(gmin)) * q) / q + f(gmin)


def spec_bit_slice(case, w, m):
    B, N, style = case["weight_bits"], case["slices"], case["style"]
    b = slice_bits(style, B, N)
    g = case["g_min_norm"]
    R = 1.0 - g
    f = w.dtype.type
    t = (w / f(2 * m)) * f(2.0 ** B - 2.0)
    if style == "offset":
        t = t + f(2.0 ** (B - 1))
    q = np.rint(t).astype(np.int64)
    mag = np.abs(q)
    digits = []
    for i in range(N):
        d = mag >> (i * b)
        if i < N - 1:
            d = d & ((1 << b) - 1)
        digits.append(d)
    planes, refs = {}, {}
    top = f(2.0 ** b - 1.0)
    for i, d in enumerate(digits):
        def cond(d):
            return spec_levels(f(g) + (d.astype(w.dtype) / top) * f(R),
                               case["levels"], g)
        if style == "balanced":
            planes["g_plus_%d" % i] = cond(np.where(q > 0, d, 0))
            planes["g_minus_%d" % i] = cond(np.where(q < 0, d, 0))
        else:
            planes["g_%d" % i] = cond(d)
            if case["reference"] == "column":
                u = (1 << b) // 2 if i == N - 1 else 0
                refs["reference_g_%d" % i] = cond(np.full(w.shape[1], u))
    # read-back
    acc = None
    for i in range(N):
        if style == "balanced":
            x = planes["g_plus_%d" % i] - planes["g_minus_%d" % i]
        else:
            x = planes["g_%d" % i] - f(g)
        x = (f(2.0 ** (i * b)) * x) / f(R)
        acc = x if acc is None else acc + x
    acc = acc * top
    if style == "offset":
        acc = acc - f(2.0 ** (B - 1))
    acc = acc / f(2.0 ** B) / f((2.0 ** (B - 1) - 1) / 2.0 ** (B - 1))
    return planes, refs, acc * f(2 * m)


def spec_offset(case, w, m):
    g, L = case["g_min_norm"], case["levels"]
    R = 1.0 - g
    if L is not None:
        Rx = R * (L - 2) / (L - 1)
        Gl = 1.0 - Rx
    else:
        Rx, Gl = R, g
    G = spec_levels(Rx * (w / (2 * m) + 0.5) + Gl, L, g)
    planes, refs = {"g": G}, {}
    if case["reference"] == "mid":
        ref = spec_levels(np.full(w.shape[1], Rx * 0.5 + Gl), L, g)
        refs["reference_g"] = ref
        back = (G - Gl) / Rx - (ref - Gl) / Rx
    else:
        back = (G - Gl) / Rx - 0.5
    return planes, refs, back * (2 * m)


def spec_two_sided(case, w, m):
    g, L = case["g_min_norm"], case["levels"]
    R = 1.0 - g
    u = w / m
    gp = spec_levels((g + R * (1 + u) / 2).astype(np.float32), L, g)
    gn = spec_levels((g + R * (1 - u) / 2).astype(np.float32), L, g)
    back = (gp - gn) / np.float32(R)
    back *= m
    return {"g_plus_0": gp, "g_minus_0": gn}, {}, back


def spec(case, w, m):
    conv = case["converter"]
    if conv == "bit-slice":
        return spec_bit_slice(case, w, m)
    if conv == "offset":
        return spec_offset(case, w, m)
    return spec_two_sided(case, w, m)


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and \
        np.array_equal(a, b)


# ---------------------------------------------------------------------------
# Output.

def fmt(x):
    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return repr(float(x))


def config_yaml(case):
    lines = ["# CrossSim %s: see tests/peer/README.md" % case["name"],
             "converter: " + case["converter"]]
    if case["converter"] == "bit-slice":
        lines += ["weight_bits: %d" % case["weight_bits"],
                  "slices: %d" % case["slices"],
                  "style: " + case["style"]]
        if case["style"] == "offset":
            lines.append("reference: " + case["reference"])
    elif case["converter"] == "offset":
        lines.append("reference: " + case["reference"])
    lines += ["g_min: " + fmt(case["g_min_norm"] * G_MAX_US),
              "g_max: " + fmt(G_MAX_US)]
    if case["levels"] is not None:
        lines.append("levels: %d" % case["levels"])
    return "\n".join(lines) + "\n"


def params_yaml(case, names, refs, m, dtype):
    lines = ["peer: CrossSim 3.2.0 (%s)" % CROSSSIM_COMMIT,
             "planes: %d" % len(names),
             "plane_names: [%s]" % ", ".join(names),
             "dtype: " + dtype,
             # float32 planes (two-sided-pair, or float32 weights) are
             # compared as float32; the rest to 1e-12 relative.
             "tolerance: " + ("1e-6" if dtype == "float32" else "1e-12"),
             "clip_max: " + fmt(m),
             "g_min_norm: " + fmt(case["g_min_norm"])]
    if case["converter"] == "bit-slice":
        lines.append("slice_bits: %d" % slice_bits(
            case["style"], case["weight_bits"], case["slices"]))
    for key in sorted(refs):
        vals = np.unique(refs[key])
        assert len(vals) == 1
        lines.append("%s: %s" % (key, fmt(vals[0] * G_MAX_US)))
    return "\n".join(lines) + "\n"


def write_case(outdir, case, w, planes, refs, back, m):
    d = os.path.join(outdir, case["name"])
    os.makedirs(os.path.join(d, "expected"), exist_ok=True)
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(config_yaml(case))
    np.save(os.path.join(d, "weights.npy"), w)
    names = list(planes)
    plane_dtype = None
    for name in names:
        p = planes[name] * planes[name].dtype.type(G_MAX_US)
        plane_dtype = str(p.dtype)
        np.save(os.path.join(d, "expected", name + ".npy"), p)
    np.save(os.path.join(d, "expected", "restored.npy"), back)
    with open(os.path.join(d, "expected", "params.yaml"), "w") as f:
        f.write(params_yaml(case, names, refs, m, plane_dtype))


def main(argv):
    check = "--no-check" not in argv
    args = [a for a in argv[1:] if a != "--no-check"]
    outdir = args[0] if args else os.path.join("tests", "data", "crosssim")
    lib = load_crosssim()
    failures = 0
    for index, case in enumerate(CASES):
        w = make_weights(case, index)
        planes, refs, back, m = run_crosssim(lib, case, w)
        if check:
            s_planes, s_refs, s_back = spec(case, w, m)
            for name in planes:
                if not same(planes[name], s_planes[name]):
                    failures += 1
                    bad = np.flatnonzero(planes[name] != s_planes[name])
                    print("%s: %s differs from the spec at %d elements"
                          % (case["name"], name, bad.size))
            for name in refs:
                if not same(refs[name], s_refs[name]):
                    failures += 1
                    print("%s: %s differs" % (case["name"], name))
            if not same(back, s_back):
                failures += 1
                diff = np.max(np.abs(back - s_back))
                print("%s: read-back differs from the spec (max %.3g)"
                      % (case["name"], diff))
        write_case(outdir, case, w, planes, refs, back, m)
    print("%d cases written to %s%s" % (
        len(CASES), outdir, "" if not check else
        ", %d disagreements with the spec" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
