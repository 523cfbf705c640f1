#!/bin/sh
# numpy.sh - NumPy interop and end-to-end numbers, run whenever NumPy is
# present (skipped otherwise):
#  - convert + restore round trip of every shipped config, float32 and
#    float64, within 1e-5 of max |w|;
#  - the planes, params and restored weights of every conformance case in
#    tests/data match the reference within its tolerance;
#  - files NumPy writes in each variant (Fortran order, big-endian, 1-D,
#    4-D, float32, float64) convert to the planes the formulas give, and
#    NumPy reads back the planes and the restored weights;
#  - CSV in, CSV planes, CSV weights out;
#  - the lab round trip: perturbed planes restore to exactly
#    sum f_k (g+_k - g-_k) / scale_ratio.
. "$(dirname "$0")/lib.sh"

if ! find_numpy; then
  echo "SKIP: no python3 with NumPy"
  exit 77
fi

cd "$T" || exit 99
"$PY" - "$C" "$DATA" "$CONFIGS" <<'PYTHON'
import glob, os, re, subprocess, sys
import numpy as np

condmap, data, configs = sys.argv[1:4]
checks = failures = 0

def check(ok, what):
    global checks, failures
    checks += 1
    if not ok:
        failures += 1
        print("FAIL:", what)
    return ok

def run(*args, status=0):
    p = subprocess.run([condmap, *args], capture_output=True, text=True)
    check(p.returncode == status, "exit %d (want %d): condmap %s\n%s%s"
          % (p.returncode, status, " ".join(args), p.stderr, p.stdout))
    return p

def sidecar(outdir):
    text = open(os.path.join(outdir, "params.yaml")).read()
    planes = re.search(r"^planes: \[(.*)\]$", text, re.M).group(1).split(", ")
    params = dict((k, float(v)) for k, v in re.findall(
        r"(\w+): ([-+0-9.eE]+)", re.search(r"^params: \{(.*)\}$", text, re.M).group(1)))
    return planes, params, text

def close(got, want, rtol, what):
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    bound = rtol * np.maximum(1.0, np.abs(want.astype(np.float64)))
    return check(got.shape == want.shape and bool(np.all(err <= bound)),
                 "%s: max error %g" % (what, err.max() if err.size else 0))

rng = np.random.default_rng(20240601)

# 1. Round trip of every shipped config; bit slicing quantizes, within the
# bound of docs/peers.md for its 8 bits (of max |w|).
LOSSY = {"bit-slice": 1 / 254 + 1e-6, "neurosim-offset": 1 / 128 + 1e-6}
cfgs = sorted(glob.glob(os.path.join(configs, "*.yaml")))
check(len(cfgs) >= 5, "configs/ holds the five configs")
for cfg in cfgs:
    name = os.path.basename(cfg)[:-5]
    for dt in (np.float32, np.float64):
        w = (rng.standard_normal((64, 48)) * 0.3).astype(dt)
        src = "rt-%s-%s.npy" % (name, dt.__name__)
        np.save(src, w)
        out = src[:-4]
        run("convert", "-q", "-c", cfg, src, "-o", out)
        run("restore", "-q", out)
        r = np.load(os.path.join(out, "restored.npy"))
        check(r.dtype == w.dtype, "%s: restored dtype %s" % (out, r.dtype))
        err = np.abs(r.astype(np.float64) - w).max() / np.abs(w).max()
        check(err <= LOSSY.get(name, 1e-5),
              "%s: round trip error %g of max |w|" % (out, err))

# 2. Conformance cases.
cases = [d for d in sorted(glob.glob(os.path.join(data, "*")))
         if os.path.isfile(os.path.join(d, "config.yaml"))]
check(len(cases) >= 10, "conformance cases found")
for case in cases:
    name = os.path.basename(case)
    f64 = name.endswith("-f64")
    rtol = (1e-6 if name.startswith("custom-pair") else 1e-9) if f64 else 1e-5
    out = "conf-" + name
    w = np.load(os.path.join(case, "weights.npy"))
    run("convert", "-q", "-c", os.path.join(case, "config.yaml"),
        os.path.join(case, "weights.npy"), "-o", out)
    planes, params, _ = sidecar(out)
    expected = open(os.path.join(case, "expected", "params.yaml")).read()
    n = int(re.search(r"planes: (\d+)", expected).group(1))
    check(len(planes) == n, "%s: %d planes, want %d" % (name, len(planes), n))
    for k, plane in enumerate(planes):
        got = np.load(os.path.join(out, plane))
        want = np.load(os.path.join(case, "expected", "g%d.npy" % k))
        check(got.dtype == w.dtype, "%s/%s: dtype %s" % (out, plane, got.dtype))
        close(got, want, rtol, "%s/%s vs expected g%d" % (name, plane, k))
    for key in ("scale_ratio", "w_min"):
        m = re.search(key + r": ([-+0-9.eE]+)", expected)
        if m:
            close(np.array(params.get(key, np.nan)), np.array(float(m.group(1))),
                  rtol, "%s: %s" % (name, key))
    run("restore", "-q", out)
    close(np.load(os.path.join(out, "restored.npy")),
          np.load(os.path.join(case, "expected", "restored.npy")), rtol,
          "%s: restored" % name)

# 3. What NumPy writes, in every variant, against single-pair's formula.
def single_pair(w):
    t = w.dtype.newbyteorder("=").type
    s = t(25.0) / max(t(np.abs(w).max()), t(1e-7))
    sw = (s * w.astype(t)).astype(t)
    return np.clip(sw, 0, t(25.0)) + t(0), np.clip(-sw, 0, t(25.0)) + t(0)

base = (rng.standard_normal((6, 5)) * 0.5).astype(np.float32)
variants = {
    "c-le-f4": base,
    "fortran": np.asfortranarray(base),
    "big-endian": base.astype(">f4"),
    "fortran-big-endian": np.asfortranarray(base.astype(">f4")),
    "f8": base.astype(np.float64),
    "big-endian-f8": np.asfortranarray(base.astype(">f8")),
    "1d": base.ravel(),
    "4d": base.reshape(1, 2, 3, 5),
    "4d-fortran": np.asfortranarray(base.reshape(1, 2, 3, 5)),
}
for name, w in variants.items():
    np.save("v-%s.npy" % name, w)
    run("convert", "-q", "v-%s.npy" % name, "-o", "v-" + name, status=0)
    gp, gm = single_pair(w)
    for plane, want in (("g_plus_0.npy", gp), ("g_minus_0.npy", gm)):
        got = np.load(os.path.join("v-" + name, plane))
        check(got.dtype == np.dtype(want.dtype).newbyteorder("="),
              "v-%s/%s: dtype %s" % (name, plane, got.dtype))
        close(got, want, 1e-5 if w.dtype.itemsize == 4 else 1e-9,
              "v-%s/%s vs the formula" % (name, plane))
    run("restore", "-q", "v-" + name)
    r = np.load(os.path.join("v-" + name, "restored.npy"))
    check(r.shape == w.shape, "v-%s: restored shape %s" % (name, r.shape))
    close(r, w, 1e-6, "v-%s: restored" % name)

# 4. CSV: in, planes, out.
w = rng.standard_normal((7, 9))
np.savetxt("w.csv", w, delimiter=",", fmt="%.17g")
np.save("w64.npy", w)
run("convert", "-q", "-c", os.path.join(configs, "dual-pair.yaml"), "w.csv", "-o", "csv")
run("convert", "-q", "-c", os.path.join(configs, "dual-pair.yaml"), "w64.npy", "-o", "npy")
planes, _, text = sidecar("csv")
check(planes[0] == "g_plus_0.csv", "CSV input gives CSV planes: %s" % planes)
check("dtype: float64" in text, "CSV is read as float64")
for plane in planes:
    a = np.loadtxt(os.path.join("csv", plane), delimiter=",", ndmin=2)
    b = np.load(os.path.join("npy", plane[:-4] + ".npy"))
    check(np.array_equal(a, b), "csv/%s equals npy plane bit for bit" % plane)
run("restore", "-q", "csv", "-o", "r.csv")
close(np.loadtxt("r.csv", delimiter=",", ndmin=2), w, 1e-12, "CSV round trip")
w1 = base.ravel()
np.save("w1.npy", w1)
run("convert", "-q", "--format", "csv", "w1.npy", "-o", "csv1")
run("restore", "-q", "csv1")
close(np.load("csv1/restored.npy"), w1, 1e-6, "1-D through CSV planes")

# 5. The lab round trip: overwrite the planes with "measured" values.
w = (rng.standard_normal((32, 16)) * 0.2).astype(np.float32)
np.save("lab.npy", w)
run("convert", "-q", "-c", os.path.join(configs, "dual-pair.yaml"), "lab.npy", "-o", "lab")
planes, params, text = sidecar("lab")
f = [np.float32(x) for x in re.search(r"f_lst: \[(.*?)\]", text).group(1).split(", ")]
g = []
for plane in planes:
    p = np.load(os.path.join("lab", plane))
    p = (p + rng.normal(0, 0.3, p.shape)).astype(np.float32)
    np.save(os.path.join("lab", plane), p)
    g.append(p)
run("restore", "-q", "lab", "-o", "lab-restored.npy")
want = np.zeros_like(w)
for k in range(len(f)):
    want += f[k] * (g[2 * k] - g[2 * k + 1])
want /= np.float32(params["scale_ratio"])
got = np.load("lab-restored.npy")
check(got.dtype == np.float32 and np.array_equal(got, want),
      "lab round trip: max difference %g" % np.abs(got - want).max())
# A measured NaN is refused, naming the plane and element.
p = g[1].copy(); p[3, 2] = np.nan
np.save(os.path.join("lab", planes[1]), p)
r = run("restore", "-q", "lab", "-o", "lab-nan.npy", status=1)
check("g_minus_0 element 50" in r.stderr, "NaN plane message: " + r.stderr)
check(not os.path.exists("lab-nan.npy"), "no weights written for a NaN plane")

print("%d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
PYTHON
