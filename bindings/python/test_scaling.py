"""test_scaling.py - `scaling:` and `clip:` through the Python bindings:
the keys from YAML, per-channel params as arrays that round-trip, each
channel equal to converting it alone, the clip threshold as NumPy's, and
calibration against aihwkit's fusion numbers (tests/data/fusion/).

Run with test_condmap.py (see its header for the environment).
"""
import os
import unittest

from test_condmap import DATA, Base, np  # noqa: F401 (skips as it does)

from condmap import Converter, Error, ErrorCode


class Scaling(Base):

    def test_keys_from_yaml(self):
        with self.converter("converter: single-pair\n"
                            "scaling: {per: channel, axis: -1}\n"
                            "clip: {sigma: 3}\n") as c:
            self.assertEqual(c.scaling, ("channel", -1))
            self.assertTrue(c.clips)
            self.assertIn("scaling: {per: channel, axis: -1}", c.config)
        with self.converter("converter: single-pair\n") as c:
            self.assertEqual(c.scaling, ("tensor", None))
            self.assertFalse(c.clips)
        with self.assertRaises(Error) as cm:
            self.converter("converter: single-pair\nclip: {percentil: 9}\n")
        self.assertEqual(cm.exception.code, ErrorCode.UNKNOWN_KEY)
        self.assertIn("did you mean 'percentile'", cm.exception.message)
        with self.assertRaises(Error) as cm:
            self.converter("converter: single-pair\nclip: {sigma: 0}\n")
        self.assertEqual(cm.exception.code, ErrorCode.CONFIG)

    def test_rows_equal_each_row_alone(self):
        rng = np.random.default_rng(3)
        w = (rng.standard_normal((9, 301))
             * np.logspace(-3, 2, 9)[:, None]).astype(np.float32)
        with self.converter("converter: dual-pair\nf_lst: [1, 3]\n"
                            "scaling: {per: channel}\n"
                            "clip: {percentile: 99}\n") as c, \
                self.converter("converter: dual-pair\nf_lst: [1, 3]\n"
                               "clip: {percentile: 99}\n") as alone:
            planes, params = c.to_conductances(w)
            self.assertEqual(set(params), {"scale_ratio", "clip_threshold"})
            self.assertEqual(params["scale_ratio"].shape, (9,))
            for r in range(9):
                p, q = alone.to_conductances(w[r])
                for k in range(4):
                    np.testing.assert_array_equal(planes[k][r], p[k])
                self.assertEqual(params["scale_ratio"][r], q["scale_ratio"])
                self.assertEqual(params["clip_threshold"][r],
                                 np.float32(np.percentile(np.abs(w[r]), 99)))
            back = c.to_weights(planes, params)
            t = params["clip_threshold"][:, None]
            np.testing.assert_allclose(back, np.clip(w, -t, t),
                                       rtol=0, atol=1e-6 * np.abs(w).max())
            # the rows go back in as the arrays they came out as
            with self.assertRaises(Error) as cm:
                c.to_weights(planes, {"scale_ratio":
                                      params["scale_ratio"][:8]})
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            self.assertIn("8 rows", cm.exception.message)
            with self.assertRaises(Error) as cm:
                c.to_weights([p.ravel() for p in planes], params)
            self.assertIn("scaling axis", cm.exception.message)

    def test_calibrate_undoes_a_gain(self):
        d = os.path.join(DATA, "fusion", "linear-16x40")
        w = np.load(os.path.join(d, "weights.npy"))
        k = np.load(os.path.join(d, "gain.npy")).astype(np.float64)
        with Converter.from_file(self.rt, os.path.join(
                DATA, os.pardir, os.pardir, "configs", "fusion.yaml")) as c:
            planes, params = c.to_conductances(w)
            drifted = [(p * k[:, None].astype(np.float32)).astype(np.float32)
                       for p in planes]
            raw = c.to_weights(drifted, params)
            np.testing.assert_allclose(raw, w * k[:, None].astype(np.float32),
                                       rtol=1e-6, atol=1e-12)
            back = c.to_weights(drifted, params, calibrate=w)
            np.testing.assert_allclose(back, w, rtol=0,
                                       atol=1e-6 * np.abs(w).max())
            np.testing.assert_allclose(
                back, np.load(os.path.join(d, "drifted-restored.npy")),
                rtol=0, atol=1e-6 * np.abs(w).max())
            gains = c.calibrate(raw, w)
            live = np.abs(w).max(axis=1) > 0
            self.assertLess(np.abs(gains[live] * k[live] - 1).max(), 1e-6)
            self.assertTrue(np.all(gains[~live] == 1))
            with self.assertRaises(ValueError):
                c.calibrate(raw, w[:3])


if __name__ == "__main__":
    unittest.main()
