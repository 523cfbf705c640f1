"""test_checkpoint.py - whole models from Python: load_safetensors() and
save_safetensors() against the C reader and writer, Recipe over a state
dict bit-identical to the command's checkpoint conversion, and the way
back.

Run with test_condmap.py (python3 -m unittest discover), whose docstring
says which condmap is tested and which variables are read.
"""
import inspect
import os
import pydoc
import tempfile
import unittest

import numpy as np

from test_condmap import SRC, new_runtime  # first: it sets sys.path

import condmap  # noqa: E402

MODEL = os.path.join(SRC, "examples", "model.safetensors")
RECIPE = os.path.join(SRC, "examples", "recipe.yaml")


class Safetensors(unittest.TestCase):
    def test_example_model(self):
        state = condmap.load_safetensors(MODEL)
        self.assertEqual(list(state), [
            "features.conv1.weight", "features.conv1.bias",
            "features.norm.weight", "features.norm.bias",
            "classifier.fc1.weight", "classifier.fc1.bias",
            "classifier.fc2.weight", "classifier.fc2.bias",
            "num_batches_tracked"])
        self.assertEqual(state["features.conv1.weight"].shape, (8, 1, 3, 3))
        self.assertEqual(state["features.norm.weight"].dtype, np.float16)
        # BF16, widened to float32: the low 16 bits are zero.
        fc1 = state["classifier.fc1.weight"]
        self.assertEqual(fc1.dtype, np.float32)
        self.assertFalse((fc1.view(np.uint32) & 0xFFFF).any())
        self.assertEqual(state["num_batches_tracked"].dtype, np.int64)
        self.assertEqual(int(state["num_batches_tracked"]), 1200)
        self.assertEqual(condmap.load_metadata(MODEL)["format"], "pt")

    def test_round_trip_and_the_c_reader(self):
        rng = np.random.default_rng(5)
        state = {
            "a.weight": rng.standard_normal((3, 4, 2, 2)).astype(np.float32),
            "a.bias": rng.standard_normal(3).astype(">f4"),   # big-endian in
            "b.weight": rng.standard_normal((5, 6)).astype(np.float16),
            "c.weight": rng.standard_normal((2, 3)),
            "mask": np.array([True, False, True]),
            "step": np.array(7, dtype=np.int64),
        }
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.safetensors")
            condmap.save_safetensors(path, state, {"note": "x"})
            back = condmap.load_safetensors(path)
            self.assertEqual(list(back), list(state))
            for k, v in state.items():
                self.assertEqual(back[k].dtype, v.dtype.newbyteorder("="))
                np.testing.assert_array_equal(back[k], v)
            self.assertEqual(condmap.load_metadata(path), {"note": "x"})
            # The C reader accepts it: a whole conversion and restore.
            with new_runtime() as rt, \
                    condmap.Recipe.for_config(
                        rt, os.path.join(SRC, "configs",
                                         "dual-pair.yaml")) as r:
                r.convert_checkpoint(path, os.path.join(d, "out"))
                condmap.restore_checkpoint(os.path.join(d, "out"),
                                           os.path.join(d, "r.safetensors"),
                                           rt)
            restored = condmap.load_safetensors(os.path.join(d,
                                                             "r.safetensors"))
            np.testing.assert_array_equal(restored["b.weight"],
                                          state["b.weight"])
            np.testing.assert_array_equal(restored["mask"], state["mask"])
            np.testing.assert_allclose(restored["a.weight"],
                                       state["a.weight"], rtol=0,
                                       atol=1e-4 * 3)

    def test_refusals(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.safetensors")
            with open(path, "wb") as f:
                f.write((1000).to_bytes(8, "little") + b"{}")
            with self.assertRaisesRegex(ValueError, "runs past the end"):
                condmap.load_safetensors(path)
            with self.assertRaises(TypeError):
                condmap.save_safetensors(path, {"x": np.array(["s"])})
            with self.assertRaises(ValueError):
                condmap.save_safetensors(path, {"__metadata__": np.zeros(1)})


class RecipeOverStateDict(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rt = new_runtime()
        cls.recipe = condmap.Recipe.from_file(cls.rt, RECIPE)
        cls.state = condmap.load_safetensors(MODEL)

    @classmethod
    def tearDownClass(cls):
        cls.recipe.close()
        cls.rt.close()

    def test_choose(self):
        self.assertEqual(self.recipe.choose(
            "features.conv1.weight",
            self.state["features.conv1.weight"]).name, "dual-pair")
        self.assertEqual(self.recipe.choose(
            "classifier.fc2.weight",
            self.state["classifier.fc2.weight"]).name, "single-pair")
        self.assertIsNone(self.recipe.choose("features.conv1.bias",
                                             np.zeros(8, np.float32)))
        self.assertIsNone(self.recipe.choose("x.weight",
                                             np.zeros((0, 3), np.float32)))

    def test_planes_are_the_commands(self):
        planes, params = self.recipe.to_conductances(self.state)
        self.assertEqual(sorted(planes), ["classifier.fc1.weight",
                                          "classifier.fc2.weight",
                                          "features.conv1.weight"])
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out")
            self.recipe.convert_checkpoint(MODEL, out)
            written = condmap.load_safetensors(os.path.join(
                out, "planes.safetensors"))
        self.assertEqual(len(written), 4 + 4 + 2)
        for name, by_plane in planes.items():
            for plane, a in by_plane.items():
                b = written["%s:%s" % (name, plane)]
                self.assertEqual(a.dtype, np.float32)
                self.assertEqual(a.tobytes(), b.tobytes(), name + plane)
        self.assertIn("scale_ratio", params["features.conv1.weight"])

    def test_to_weights(self):
        planes, params = self.recipe.to_conductances(self.state)
        back = self.recipe.to_weights(planes, params, self.state)
        self.assertEqual(list(back), list(self.state))
        for name, w in self.state.items():
            self.assertEqual(back[name].dtype, w.dtype)
            if name not in planes or w.dtype == np.float16:
                # passed through, or float16 rounded back: bit for bit
                self.assertEqual(back[name].tobytes(), w.tobytes(), name)
            else:
                np.testing.assert_allclose(
                    back[name], w, rtol=0,
                    atol=condmap.ROUND_TRIP_TOLERANCE * abs(w).max())
        only = self.recipe.to_weights(planes, params)
        self.assertEqual(sorted(only), sorted(planes))

    def test_rule_on_an_integer_tensor(self):
        with condmap.Recipe.from_yaml(
                self.rt, "format: condmap-recipe/1\nrules:\n"
                "  - {match: step, config: {converter: single-pair}}\n") as r:
            with self.assertRaisesRegex(TypeError, "only floating"):
                r.to_conductances({"step": np.array([1, 2], np.int64)})
            self.assertEqual(r.rules[0][0], "step")
            self.assertTrue(r.rules[0][2])

    def test_documented(self):
        for name, member in inspect.getmembers(condmap.Recipe):
            if name.startswith("_") and name != "__init__":
                continue
            self.assertTrue(inspect.getdoc(member), name)
        for func in (condmap.load_safetensors, condmap.save_safetensors,
                     condmap.restore_checkpoint,
                     condmap.Recipe.to_conductances):
            sig = inspect.signature(func)
            self.assertIsNot(sig.return_annotation, sig.empty)
        text = pydoc.render_doc(condmap.Recipe, renderer=pydoc.plaintext)
        self.assertNotIn("@", text)


if __name__ == "__main__":
    unittest.main()
