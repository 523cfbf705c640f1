#!/bin/sh
# scaling.sh - `scaling:` and `clip:` end to end, with NumPy (skipped
# without it):
#  - configs/fusion.yaml against aihwkit's FusionConductanceConverter
#    (tests/data/fusion/, made by tests/peer/gen-aihwkit-fusion.py): the
#    pair sums to fusion's conductance, the weights come back, and
#    restore --calibrate undoes a per-channel gain applied to the planes
#    as aihwkit's regression does, finding 1 / gain within 1e-6;
#  - the percentile threshold of arrays large enough for the 16-bit radix
#    passes, per tensor and per channel, equals np.percentile;
#  - check reports the clipped weights (count, error) and, on a matrix with
#    one outlier per row, a smaller round-trip error, a larger mean
#    conductance and a weight that moves less per µS of conductance error
#    per channel with clipping than per tensor;
#  - an axis the weights do not have, and a reference of another shape;
#  - the example of docs/scaling.md prints the numbers the page shows.
. "$(dirname "$0")/lib.sh"

if ! find_numpy; then
  echo "SKIP: no python3 with NumPy"
  exit 77
fi

cd "$T" || exit 99
"$PY" - "$C" "$DATA" "$CONFIGS" <<'PYTHON'
import os, re, subprocess, sys
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

def config(name, text):
    with open(name, "w") as f:
        f.write(text)
    return name

# 1. Fusion against aihwkit.
fusion = open(os.path.join(configs, "fusion.yaml")).read()
for case in ("linear-16x40", "linear-64x9-gmax25"):
    d = os.path.join(data, "fusion", case)
    g_max = float(open(os.path.join(d, "g_max")).read())
    cfg = config("fusion-%s.yaml" % case,
                 fusion.replace("g_max: 40.0", "g_max: %g" % g_max))
    w = np.load(os.path.join(d, "weights.npy"))
    wmax = np.abs(w).max()
    out = "fusion-" + case
    run("convert", "-q", "-c", cfg, os.path.join(d, "weights.npy"), "-o", out)
    gp = np.load(os.path.join(out, "g_plus_0.npy"))
    gm = np.load(os.path.join(out, "g_minus_0.npy"))
    g = np.load(os.path.join(d, "g.npy"))
    # aihwkit's scale is 1/max|W_c| * g_max (PyTorch's scalar / tensor),
    # condmap's g_max / max|W_c|: an ulp apart at most.
    check(np.abs(gp + gm - g).max() <= 1e-6 * g_max,
          "%s: g_plus_0 + g_minus_0 is fusion's g (error %g)"
          % (case, np.abs(gp + gm - g).max()))
    check(bool(np.all((gp == 0) | (gm == 0))), "%s: one device of each pair "
          "is 0" % case)
    rows = np.abs(w).max(axis=1)
    check(bool(np.all(np.isclose((gp + gm).max(axis=1),
                                 np.where(rows > 0, g_max, 0), rtol=1e-6))),
          "%s: every row but the zero one reaches g_max" % case)
    params = np.load(os.path.join(out, "params.npy"))
    check(params.shape == (w.shape[0], 1), "%s: params.npy %s"
          % (case, params.shape))
    run("restore", "-q", out)
    r = np.load(os.path.join(out, "restored.npy"))
    ra = np.load(os.path.join(d, "restored.npy"))
    check(np.abs(r - w).max() <= 1e-6 * wmax, "%s: restored" % case)
    check(np.abs(r - ra).max() <= 1e-6 * wmax,
          "%s: restored as aihwkit's (error %g of max |w|)"
          % (case, np.abs(r - ra).max() / wmax))
    # A gain per channel on the planes, undone by calibration.
    k = np.load(os.path.join(d, "gain.npy"))
    for name in ("g_plus_0.npy", "g_minus_0.npy"):
        p = np.load(os.path.join(out, name))
        np.save(os.path.join(out, name), (p * k[:, None]).astype(np.float32))
    p = run("restore", out, "--calibrate", os.path.join(d, "weights.npy"),
            "-o", "cal-%s.npy" % case)
    rc = np.load("cal-%s.npy" % case)
    rd = np.load(os.path.join(d, "drifted-restored.npy"))
    check(np.abs(rc - w).max() <= 1e-6 * wmax, "%s: calibrated weights" % case)
    check(np.abs(rc - rd).max() <= 1e-6 * wmax,
          "%s: calibrated as aihwkit's regression (error %g of max |w|)"
          % (case, np.abs(rc - rd).max() / wmax))
    check("RMS difference to the reference" in p.stdout, "%s: report" % case)
    m = re.search(r"channel gains in \[.*\], mean [-0-9.e+]+: (.*)", p.stdout)
    if w.shape[0] <= 16 and check(m is not None, "%s: gains listed" % case):
        gains = np.array([float(x) for x in m.group(1).split(", ")])
        live = rows > 0
        err = np.abs(gains[live] * k[live] - 1).max()
        check(err <= 1e-6, "%s: gain x k = 1 within %g" % (case, err))
        check(bool(np.all(gains[~live] == 1)), "%s: a zero row keeps gain 1"
              % case)

# 2. The percentile on large arrays: 16-bit radix passes.
rng = np.random.default_rng(5)
for dt in (np.float32, np.float64):
    w = rng.standard_normal((2, 150001)).astype(dt)
    w[0, :40] *= 30
    w[1, 7:9] = 0
    np.save("big.npy", w)
    for scope, p in (("", 99.9), ("scaling: {per: channel}\n", 97.5)):
        cfg = config("big.yaml", "converter: single-pair\n%sclip: "
                     "{percentile: %g}\n" % (scope, p))
        run("convert", "-q", "-f", "-c", cfg, "big.npy", "-o", "big")
        text = open("big/params.yaml").read()
        if scope:
            got = np.load("big/params.npy")[:, 1]
            want = [dt(np.percentile(np.abs(row), p)) for row in w]
        else:
            got = [float(re.search(r"clip_threshold: ([-+0-9.e]+)",
                                   text).group(1))]
            want = [dt(np.percentile(np.abs(w), p))]
        check(list(map(dt, got)) == want, "%s %s percentile %g: %r, NumPy %r"
              % (dt.__name__, scope or "per tensor", p, got, want))

# 3. check on one outlier per row: per tensor against per channel and
#    clipped at the 99th percentile.
w = rng.standard_normal((64, 512)).astype(np.float32) * 0.05
w[np.arange(64), rng.integers(0, 512, 64)] = 1.0
np.save("outliers.npy", w)
tensor = config("tensor.yaml", "converter: single-pair\n")
channel = config("channel.yaml", "converter: single-pair\n"
                 "scaling: {per: channel}\nclip: {percentile: 99}\n")
a = run("check", "-c", tensor, "outliers.npy").stdout
b = run("check", "-c", channel, "outliers.npy").stdout
t = np.array([np.float32(np.percentile(np.abs(r), 99)) for r in w])
n_clipped = int((np.abs(w) > t[:, None]).sum())
check("clipped: %d of 32768 weights (%.3g%%)" % (n_clipped,
      100.0 * n_clipped / 32768) in b, "check counts %d clipped:\n%s"
      % (n_clipped, b))
check("clipping" not in a, "no clipping report without clip")
def number(text, pattern):
    return float(re.search(pattern, text).group(1))
err_a = number(a, r"round trip: max abs error ([-+0-9.e]+)")
err_b = number(b, r"round trip without them: max abs error ([-+0-9.e]+)")
mean_a = number(a, r"g_plus_0 .*, mean ([-+0-9.e]+)")
mean_b = number(b, r"g_plus_0 .*, mean ([-+0-9.e]+)")
check(err_b < err_a, "round-trip error %g per channel, %g per tensor"
      % (err_b, err_a))
check(mean_b > 5 * mean_a, "mean g_plus_0 %g per channel, %g per tensor"
      % (mean_b, mean_a))
# single-pair: 1 uS on g_plus_0 moves a weight by 1 / s = max|W_c| / 25 uS,
# so the average move is the mean over rows of that row's range mapped.
sens_a = number(a, r"moves its weight by ([-+0-9.e]+) on average")
sens_b = number(b, r"moves its weight by ([-+0-9.e]+) on average")
check(abs(sens_a - np.abs(w).max() / 25) <= 1e-3 * sens_a,
      "per tensor sensitivity %g, want %g" % (sens_a, np.abs(w).max() / 25))
check(abs(sens_b - t.mean() / 25) <= 1e-3 * sens_b,
      "per channel sensitivity %g, want %g" % (sens_b, t.mean() / 25))

# 4. Refusals known only with the weights.
axis2 = config("axis2.yaml", "converter: single-pair\n"
               "scaling: {per: channel, axis: 2}\n")
p = run("convert", "-c", axis2, "outliers.npy", "-o", "never", status=1)
check("scaling axis 2 does not exist in weights of rank 2 (shape (64, 512))"
      in p.stderr, "axis out of range: %s" % p.stderr)
check(not os.path.exists("never"), "nothing written")
run("convert", "-q", "-c", channel, "outliers.npy", "-o", "ch")
np.save("short.npy", w[:3])
p = run("restore", "ch", "--calibrate", "short.npy", status=1)
check("reference 'short.npy' is float32 of shape (3, 512), but the restored "
      "weights are float32 of shape (64, 512)" in p.stderr, p.stderr)
check(not os.path.exists("ch/restored.npy"), "no weights written")

# 5. bench runs a per-channel config.
p = run("bench", "-c", os.path.join(configs, "fusion.yaml"), "--shape",
        "64x512", "--runs", "1")
check("ratio" in p.stdout, "bench: %s" % p.stdout)

# 6. The example of docs/scaling.md prints what the page says.
doc = open(os.path.join(os.environ["CONDMAP_SRC_DIR"], "docs",
                        "scaling.md")).read()
snippet = re.search(r"```python\n(import numpy as np\nrng = .*?)```", doc,
                    re.S).group(1)
exec(snippet, {})
block = re.search(r"```\n(per-tensor\.yaml\n.*?)```", doc, re.S).group(1)
cfgs = {"per-tensor.yaml": "converter: single-pair\n",
        "per-channel.yaml": "converter: single-pair\n"
                            "scaling: {per: channel}\n",
        "per-channel-clip.yaml": "converter: single-pair\n"
                                 "scaling: {per: channel}\n"
                                 "clip: {percentile: 99}\n"}
for part in block.strip().split("\n\n"):
    name, *lines = part.split("\n")
    out = run("check", "-c", config(name, cfgs[name]), "outliers.npy").stdout
    for line in lines:
        check(line in out.split("\n"), "docs/scaling.md, %s: '%s' not in\n%s"
              % (name, line, out))

print("%d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
PYTHON
