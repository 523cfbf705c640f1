#!/usr/bin/env python3
"""gen-aihwkit-pcm.py - reference values of aihwkit's PCMLikeNoiseModel for
condmap's tests (tests/test-pcm.c), written to tests/data/aihwkit-pcm/.

Run by hand, not in CI.  It imports aihwkit from a copy outside the
repository; only the numbers it prints are committed.  aihwkit's inference
noise models are pure Python, so no compiled extension is needed:

    apt-get install python3-torch python3-numpy        # Debian 12
    git clone https://github.com/IBM/aihwkit /tmp/aihwkit
    git -C /tmp/aihwkit checkout 4545f11b5214c5e3c6b9d293053bbf8baf74e110
    PYTHONPATH=/tmp/aihwkit/src /usr/bin/python3 \\
        tests/peer/gen-aihwkit-pcm.py tests/data/aihwkit-pcm \\
        --commit "$(git -C /tmp/aihwkit rev-parse HEAD)"

For each g_max (25 uS, aihwkit's default, and 40 uS, where its programming
noise fit is rescaled by g_max / 25 uS) and each target conductance, it
records:

- exact parameters, taken from aihwkit's own methods with their normal
  draws replaced by 0 and by 1 (randn_like patched in the pcm module), so
  that each difference is the sigma aihwkit multiplies its normal by:
  the programming sigma, the drift nu normal (mu, sigma), the 1/f read
  noise sigma relative to g at t = 0 (read at t_0), 1 h and 1 d, and the
  drift factor for nu = 0.05;
- the moments those imply for the clamped and folded outputs (normal
  clamped at 0: programming and read; folded normal: nu), from the closed
  forms, since condmap's tests compare sample moments with them;
- aihwkit's own Monte Carlo (torch.manual_seed, float64, 10^6 draws per
  target) of the same outputs and of the whole sequence program -> nu ->
  drift and read at 1 d, with its sample size, as a cross-check.
"""

import argparse
import json
import math
import os
import sys

import torch

try:
    import aihwkit
    import aihwkit.inference.noise.pcm as pcm
    from aihwkit.inference.noise.pcm import PCMLikeNoiseModel
except ImportError as err:  # pragma: no cover - a usage error
    sys.exit("gen-aihwkit-pcm.py: cannot import aihwkit (%s); set PYTHONPATH "
             "to a copy's src/ directory, see the header" % err)

TIMES = {"0": 0.0, "1h": 3600.0, "1d": 86400.0}
NU_FIXED = 0.05
SAMPLES = 10 ** 6
SEED = 2024
TARGETS = {25.0: [0.0, 5.0, 12.5, 25.0], 40.0: [0.0, 8.0, 20.0, 40.0]}


def tensor(values):
    return torch.tensor(values, dtype=torch.float64)


def with_normals(value, func):
    """Runs func with every randn_like of the pcm module returning value."""
    saved = pcm.randn_like
    pcm.randn_like = lambda x: torch.full_like(x, value)
    try:
        return func()
    finally:
        pcm.randn_like = saved


def difference(func):
    """func() with normals 1 minus func() with normals 0, and the latter."""
    one = with_normals(1.0, func)
    zero = with_normals(0.0, func)
    return (one - zero).item(), zero.item()


def phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def clamped_normal(mu, sigma):
    """Mean and std of max(0, Y), Y ~ N(mu, sigma^2)."""
    if sigma == 0:
        return max(mu, 0.0), 0.0
    a = mu / sigma
    m1 = mu * cdf(a) + sigma * phi(a)
    m2 = (mu * mu + sigma * sigma) * cdf(a) + mu * sigma * phi(a)
    return m1, math.sqrt(max(m2 - m1 * m1, 0.0))


def folded_normal(mu, sigma):
    """Mean and std of |Y|, Y ~ N(mu, sigma^2)."""
    m1 = (sigma * math.sqrt(2.0 / math.pi) * math.exp(-mu * mu / (2 * sigma * sigma))
          + mu * (1.0 - 2.0 * cdf(-mu / sigma)))
    return m1, math.sqrt(mu * mu + sigma * sigma - m1 * m1)


def moments(x):
    return {"mean": x.mean().item(), "std": x.std(unbiased=False).item()}


def reference(g_max):
    model = PCMLikeNoiseModel(g_max=g_max)
    out = {
        "g_max_us": g_max,
        "defaults": {
            "prog_coeff": list(model.prog_coeff),
            "prog_coeff_g_max_reference_us": model.prog_coeff_g_max_reference,
            "t_read_s": model.t_read,
            "t_0_s": model.t_0,
            "prog_noise_scale": model.prog_noise_scale,
            "read_noise_scale": model.read_noise_scale,
            "drift_scale": model.drift_scale,
        },
        "nu_fixed": NU_FIXED,
        "samples": SAMPLES,
        "targets": [],
    }
    for g in TARGETS[g_max]:
        g1 = tensor([g])
        row = {"g_us": g}

        sigma, _ = difference(lambda: model.apply_programming_noise_to_conductance(g1))
        row["prog_sigma_us"] = sigma
        row["prog_mean_us"], row["prog_std_us"] = clamped_normal(g, sigma)

        nu_sigma, nu_mu = difference(lambda: model.generate_drift_coefficients(g1))
        row["nu_mu"], row["nu_sigma"] = nu_mu, nu_sigma
        row["nu_mean"], row["nu_std"] = folded_normal(nu_mu, nu_sigma)

        row["read"] = {}
        for name, t in TIMES.items():
            zero_nu = tensor([0.0])
            rel = 0.0
            if g > 0:
                delta, _ = difference(
                    lambda: model.apply_drift_noise_to_conductance(g1, zero_nu, t))
                rel = delta / g
            drifted = with_normals(0.0, lambda: model.apply_drift_noise_to_conductance(
                g1, tensor([NU_FIXED]), t)).item()
            mean, std = clamped_normal(g, g * rel)
            row["read"][name] = {"t_s": t, "sigma_rel": rel, "mean_us": mean,
                                 "std_us": std,
                                 "drift_factor": drifted / g if g > 0 else 1.0}

        # aihwkit's own sampling, for the record and the sequence test.
        torch.manual_seed(SEED)
        many = torch.full((SAMPLES,), g, dtype=torch.float64)
        sampled = {
            "prog": moments(model.apply_programming_noise_to_conductance(many)),
            "nu": moments(model.generate_drift_coefficients(many)),
        }
        for name in ("1h", "1d"):
            sampled["read_" + name] = moments(model.apply_drift_noise_to_conductance(
                many, torch.zeros_like(many), TIMES[name]))
        g_prog = model.apply_programming_noise_to_conductance(many)
        nu = model.generate_drift_coefficients(many)
        sampled["sequence_1d"] = moments(
            model.apply_drift_noise_to_conductance(g_prog, nu, TIMES["1d"]))
        row["aihwkit_sampled"] = sampled
        out["targets"].append(row)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--commit", default="unknown",
                        help="the aihwkit commit the copy is at")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    for g_max in TARGETS:
        data = {
            "generator": "tests/peer/gen-aihwkit-pcm.py",
            "source": "aihwkit %s (commit %s), PCMLikeNoiseModel(g_max=%g), "
                      "torch %s, float64" % (aihwkit.__version__, args.commit,
                                             g_max, torch.__version__),
        }
        data.update(reference(g_max))
        path = os.path.join(args.outdir, "g-max-%g.json" % g_max)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
