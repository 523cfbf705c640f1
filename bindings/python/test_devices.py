"""test_devices.py - condmap.Device and Converter.error_budget against the
plugins of the build tree (run as test_condmap.py is: see its header)."""
import os
import sys
import unittest

if os.environ.get("CONDMAP_SANITIZERS") == "1":
    raise unittest.SkipTest("CONDMAP_SANITIZERS=1: an AddressSanitizer "
                            "libcondmap cannot be loaded by python3")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("CONDMAP_SRC_DIR") or os.path.join(HERE, os.pardir,
                                                        os.pardir)
if os.path.isfile(os.path.join(HERE, "condmap", "__init__.py")):
    sys.path.insert(0, HERE)
import condmap  # noqa: E402
from condmap import Converter, Device, Error, ErrorCode, Runtime  # noqa: E402

CONFIGS = os.path.join(SRC, "configs")
PCM = os.path.join(CONFIGS, "devices", "pcm-like.yaml")


def new_runtime(**kwargs):
    if os.environ.get("CONDMAP_PLUGIN_PATH"):
        kwargs.setdefault("use_system", False)
    return Runtime(**kwargs)


class Devices(unittest.TestCase):
    def setUp(self):
        self.rt = new_runtime()
        self.w = np.random.default_rng(3).standard_normal(20000)

    def tearDown(self):
        self.rt.close()

    def test_plugins_have_a_kind(self):
        kinds = {p.name: p.kind for p in self.rt.plugins}
        for name in ("pcm-like", "gaussian", "measured"):
            self.assertEqual(kinds.get(name), "device", name)
        self.assertEqual(kinds.get("dual-pair"), "converter")

    def test_simulate_reproducible_any_threads(self):
        with Converter.from_file(self.rt, os.path.join(
                CONFIGS, "dual-pair.yaml")) as conv, \
                Device.from_file(self.rt, PCM) as dev:
            self.assertEqual(dev.name, "pcm-like")
            planes, params = conv.to_conductances(self.w.astype(np.float32))
            a = dev.simulate(planes, "1d", seed=4, g_max=conv.bounds[1])
            rt7 = new_runtime(threads=7)
            with Device.from_file(rt7, PCM) as dev7:
                b = dev7.simulate(planes, 86400.0, seed=4)
            rt7.close()
            for pa, pb, p in zip(a, b, planes):
                self.assertEqual(pa.dtype, np.float32)
                self.assertTrue(np.array_equal(pa, pb))
                self.assertFalse(np.array_equal(pa, p))
            c = dev.simulate(planes, "1d", seed=5)
            self.assertFalse(np.array_equal(a[0], c[0]))
            back = conv.to_weights(a, params)
            self.assertEqual(back.shape, self.w.shape)

    def test_budget_dual_pair_below_single_pair(self):
        with Device.from_file(self.rt, PCM) as dev:
            out = {}
            for name in ("single-pair", "dual-pair"):
                with Converter.from_file(self.rt, os.path.join(
                        CONFIGS, name + ".yaml")) as conv:
                    out[name] = conv.error_budget(self.w, dev,
                                                  times=[0, "1d"], trials=4,
                                                  seed=1)
            single, dual = out["single-pair"][0], out["dual-pair"][0]
            self.assertEqual(dual.time_s, 0.0)
            self.assertEqual(out["dual-pair"][1].time_s, 86400.0)
            self.assertLess(dual.rel_rms_mean + 5 * dual.rel_rms_std,
                            single.rel_rms_mean - 5 * single.rel_rms_std)
            self.assertGreater(out["dual-pair"][1].alpha_mean, 1.1)

    def test_errors(self):
        with self.assertRaises(Error) as cm:
            Device.from_yaml(self.rt, "device: pcm-lik\n")
        self.assertEqual(cm.exception.code, ErrorCode.UNKNOWN_CONVERTER)
        self.assertIn("did you mean 'pcm-like'?", str(cm.exception))
        with self.assertRaises(Error) as cm:
            condmap.parse_time("5")
        self.assertEqual(cm.exception.code, ErrorCode.INPUT)
        self.assertEqual(condmap.parse_time("1h"), 3600.0)
        with Device.from_file(self.rt, PCM) as dev, \
                Converter.from_file(self.rt, os.path.join(
                    CONFIGS, "single-pair.yaml")) as conv:
            with self.assertRaises(Error) as cm:
                conv.error_budget(self.w, dev, trials=0)
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            with self.assertRaises(Error) as cm:
                dev.simulate([np.ones(3)], -1.0)
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)


if __name__ == "__main__":
    unittest.main()
