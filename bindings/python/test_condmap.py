"""test_condmap.py - the Python bindings against the conformance data.

Run inside bindings/python:

    CONDMAP_LIBRARY=<builddir>/core/.libs/libcondmap.so \\
    CONDMAP_PLUGIN_PATH=<builddir>/plugins/.libs \\
    /usr/bin/python3 -m unittest discover

This tests the condmap package beside this file.  A copy of the test files
in a directory without one tests the condmap on PYTHONPATH instead, e.g. an
installed one (.ci/run does that); then CONDMAP_SRC_DIR names the source
tree, for tests/data and core/.

condmap locates libcondmap (CONDMAP_LIBRARY, the libdir make install
recorded, find_library); if it cannot, the import of this module fails and
so does the run - a missing library never passes as skipped.
CONDMAP_PLUGIN_PATH, if set, is the only plugin directory used; otherwise
the installed one is.  CONDMAP_TEST_DATA overrides the conformance data
(default: tests/data of the source tree).  Under a sanitizer build
(CONDMAP_SANITIZERS=1) the module is skipped: an ASan libcondmap cannot be
loaded into an uninstrumented interpreter.
"""
import gc
import os
import pathlib
import re
import sys
import tempfile
import threading
import unittest

if os.environ.get("CONDMAP_SANITIZERS") == "1":
    raise unittest.SkipTest("CONDMAP_SANITIZERS=1: an AddressSanitizer "
                            "libcondmap cannot be loaded by python3")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("CONDMAP_SRC_DIR") or os.path.join(HERE, os.pardir,
                                                        os.pardir)
if os.path.isfile(os.path.join(HERE, "condmap", "__init__.py")):
    sys.path.insert(0, HERE)        # the source tree: test this package
import condmap  # noqa: E402
from condmap import Converter, Error, ErrorCode, Runtime  # noqa: E402

# Load the library now: if it cannot be found, importing this module fails
# with the OSError that says to set CONDMAP_LIBRARY, and the run fails.
LIBRARY = condmap.load_library()

DATA = os.environ.get("CONDMAP_TEST_DATA") or os.path.join(SRC, "tests",
                                                           "data")
HEADER = os.path.join(SRC, "core", "condmap-plugin.h")
N_CASES = 18
CONVERTERS = {"single-pair", "n-pair", "dual-pair", "custom-pair",
              "single-device", "bit-slice", "offset", "two-sided-pair"}


def new_runtime(**kwargs):
    """The plugins under test: CONDMAP_PLUGIN_PATH alone if set (so an
    installed copy cannot shadow them), else the installed directory."""
    if os.environ.get("CONDMAP_PLUGIN_PATH"):
        kwargs.setdefault("use_system", False)
    rt = Runtime(**kwargs)
    if not rt.plugins:
        rt.close()
        raise AssertionError(
            "no converter plugins found in %s: set CONDMAP_PLUGIN_PATH="
            "<builddir>/plugins/.libs, or install condmap"
            % (rt.search_path or "(no directory)"))
    return rt


def list_cases():
    if not os.path.isdir(DATA):
        return []
    return sorted(d for d in os.listdir(DATA)
                  if d != "invalid"
                  and os.path.isfile(os.path.join(DATA, d, "config.yaml")))


def read_expected(path):
    """The "key: number" lines of expected/params.yaml."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                key, value = line.split(":", 1)
                out[key.strip()] = float(value)
    return out


def tolerance(case, dtype):
    if dtype == np.float32:
        return 1e-5
    return 1e-6 if case.startswith("custom-pair") else 1e-9


def assert_close(test, what, got, want, tol):
    """|got - want| <= tol * max(1, |want|) everywhere; same dtype, shape."""
    test.assertEqual(got.dtype, want.dtype, what)
    test.assertEqual(got.shape, want.shape, what)
    g, w = got.astype(np.float64), want.astype(np.float64)
    bad = np.flatnonzero(np.abs(g - w) > tol * np.maximum(1.0, np.abs(w)))
    if bad.size:
        i = bad[0]
        test.fail("%s: %d of %d elements off; first [%d]: got %.17g, "
                  "want %.17g" % (what, bad.size, w.size, i, g.flat[i],
                                  w.flat[i]))


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rt = new_runtime()

    @classmethod
    def tearDownClass(cls):
        cls.rt.close()

    def converter(self, yaml):
        return Converter.from_yaml(self.rt, yaml)


# ---- conformance ------------------------------------------------------------


class Conformance(Base):
    """Every case of tests/data, one test each (test_case_<folder>)."""

    def test_all_cases_found(self):
        self.assertEqual(len(list_cases()), N_CASES,
                         "conformance data not found in %s: set "
                         "CONDMAP_TEST_DATA" % os.path.abspath(DATA))

    def run_case(self, case):
        d = os.path.join(DATA, case)
        exp = os.path.join(d, "expected")
        expected = read_expected(os.path.join(exp, "params.yaml"))
        w = np.load(os.path.join(d, "weights.npy"))
        tol = tolerance(case, w.dtype)
        with Converter.from_file(self.rt, os.path.join(d, "config.yaml")) as c:
            self.assertEqual(c.n_planes, int(expected["planes"]))
            if c.name == "single-device":
                self.assertEqual(c.plane_names, ("g",))
            else:
                self.assertEqual(c.plane_names, tuple(
                    "g_%s_%d" % ("minus" if k % 2 else "plus", k // 2)
                    for k in range(c.n_planes)))

            planes, params = c.to_conductances(w)
            self.assertEqual(len(planes), c.n_planes)
            for k, plane in enumerate(planes):
                want = np.load(os.path.join(exp, "g%d.npy" % k))
                assert_close(self, "%s %s" % (case, c.plane_names[k]), plane,
                             want, tol)

            for name in ("scale_ratio", "w_min"):
                self.assertEqual(name in params, name in expected, name)
                if name in expected:
                    self.assertLessEqual(
                        abs(params[name] - expected[name]),
                        tol * max(1.0, abs(expected[name])),
                        "%s %s: got %.17g, want %.17g"
                        % (case, name, params[name], expected[name]))

            restored = c.to_weights(planes, params)
            want = np.load(os.path.join(exp, "restored.npy"))
            assert_close(self, case + " restored", restored, want, tol)


def _add_case(case):
    def test(self):
        self.run_case(case)
    test.__doc__ = "conformance case %s" % case
    setattr(Conformance, "test_case_" + re.sub(r"\W", "_", case), test)


for _case in list_cases():
    _add_case(_case)


# ---- runtime and plugins ----------------------------------------------------


class Plugins(Base):
    def test_five_converters_loaded(self):
        self.assertEqual(self.rt.failures, [])
        plugins = [p for p in self.rt.plugins if p.kind == "converter"]
        self.assertEqual({p.name for p in plugins}, CONVERTERS)
        self.assertEqual(len(plugins), len(CONVERTERS))
        for p in plugins:
            self.assertTrue(os.path.isfile(p.path), p.path)
            self.assertEqual(p.abi_major, 2)
            self.assertGreaterEqual(p.n_settings, 2)
            self.assertTrue(p.description and p.version, p)

    def test_search_path_starts_with_explicit_dirs(self):
        with tempfile.TemporaryDirectory() as d:
            with Runtime([d], use_env=False, use_system=False) as rt:
                self.assertEqual(rt.search_path, [os.path.realpath(d)])
                self.assertEqual(rt.plugins, [])
                self.assertEqual(rt.failures, [])

    def test_no_plugins_means_unknown_converter(self):
        with Runtime(use_env=False, use_system=False) as rt:
            with self.assertRaises(Error) as cm:
                Converter.from_yaml(rt, "converter: single-pair\n")
        self.assertEqual(cm.exception.code, ErrorCode.UNKNOWN_CONVERTER)

    def test_broken_plugin_is_a_failure(self):
        with tempfile.TemporaryDirectory() as d:
            junk = os.path.join(d, "junk.so")
            with open(junk, "wb") as f:
                f.write(b"not an ELF file\n")
            with Runtime([d], use_env=False, use_system=False) as rt:
                self.assertEqual(rt.plugins, [])
                (failure,) = rt.failures
        self.assertEqual(os.path.basename(failure.path), "junk.so")
        self.assertIsInstance(failure.error, Error)
        self.assertEqual(failure.error.code, ErrorCode.PLUGIN)

    def test_missing_plugin_dir_is_a_failure(self):
        with Runtime(["/nonexistent/condmap-plugins"], use_env=False,
                     use_system=False) as rt:
            (failure,) = rt.failures
        self.assertEqual(failure.error.code, ErrorCode.IO)
        self.assertIn("/nonexistent/condmap-plugins", failure.error.message)

    def test_threads(self):
        with new_runtime(threads=3) as rt:
            self.assertEqual(rt.n_threads, 3)
        with self.assertRaises(ValueError):
            Runtime(threads=-1)

    def test_version(self):
        self.assertRegex(condmap.version(), r"^\d+\.\d+\.\d+$")


# ---- converter --------------------------------------------------------------


class ConverterProps(Base):
    def test_properties(self):
        with self.converter("converter: dual-pair\nf_lst: [1, 3]\n") as c:
            self.assertEqual(c.name, "dual-pair")
            self.assertEqual(c.n_planes, 4)
            self.assertEqual(c.plane_names, ("g_plus_0", "g_minus_0",
                                             "g_plus_1", "g_minus_1"))
            self.assertIs(c.runtime, self.rt)
            self.assertIn("g_max: 25", c.config)
            self.assertIn("f_lst: [1, 3]", c.config)

    def test_check_invertible(self):
        for yaml in ("converter: single-pair", "converter: single-device",
                     "converter: n-pair\nf_lst: [1, 2, 4]",
                     "converter: dual-pair\nf_lst: [1, 3]"):
            with self.converter(yaml) as c:
                err = c.check_invertible()
                self.assertIsInstance(err, float)
                self.assertTrue(0 <= err <= 1e-4, (yaml, err))

    def test_check_invertible_tolerance(self):
        with self.converter("converter: dual-pair\nf_lst: [1, 3]") as c:
            err = c.check_invertible()
            # dual-pair [1, 3] is exact up to float64 rounding (2.2e-16).
            self.assertTrue(0 < err < 1e-12, err)
            # A limit below the actual error is refused, naming it.
            with self.assertRaises(Error) as cm:
                c.check_invertible(tolerance=err / 2)
            self.assertEqual(cm.exception.code, ErrorCode.NOT_INVERTIBLE)
            self.assertEqual(cm.exception.max_error, err)
            self.assertIn("does not round-trip", str(cm.exception))
            self.assertEqual(c.check_invertible(tolerance=1.0), err)
            for bad in (-1.0, float("nan"), float("inf")):
                with self.assertRaises(ValueError):
                    c.check_invertible(tolerance=bad)

    def test_from_yaml_equals_from_file(self):
        path = os.path.join(DATA, "n-pair-1-2-3", "config.yaml")
        with open(path) as f:
            text = f.read()
        w = np.load(os.path.join(DATA, "n-pair-1-2-3", "weights.npy"))
        with Converter.from_file(self.rt, path) as a, \
                Converter.from_yaml(self.rt, text.encode()) as b:
            pa, qa = a.to_conductances(w)
            pb, qb = b.to_conductances(w)
        self.assertEqual(qa, qb)
        for x, y in zip(pa, pb):
            np.testing.assert_array_equal(x, y)

    def test_read_npy_matches_numpy(self):
        for case in list_cases():
            for path in [os.path.join(DATA, case, "weights.npy")]:
                want = np.load(path)
                got = condmap.read_npy(path)
                self.assertEqual(got.dtype, want.dtype)
                np.testing.assert_array_equal(got, want)
        with tempfile.TemporaryDirectory() as d:
            f = np.arange(6, dtype=">f8").reshape(2, 3, order="F")
            np.save(os.path.join(d, "f.npy"), np.asfortranarray(f))
            np.testing.assert_array_equal(
                condmap.read_npy(os.path.join(d, "f.npy")), f)


# ---- arrays: dtypes, layouts, copies ----------------------------------------


class Arrays(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.conv = Converter.from_yaml(cls.rt, "converter: n-pair\n"
                                       "f_lst: [1, 2]\ng_min: 1\ng_max: 20\n")

    @classmethod
    def tearDownClass(cls):
        cls.conv.close()
        super().tearDownClass()

    def weights(self, shape=(6, 5), dtype=np.float32):
        rng = np.random.default_rng(7)
        return rng.uniform(-2, 2, size=shape).astype(dtype)

    def assert_same_result(self, a, b):
        pa, qa = self.conv.to_conductances(a)
        pb, qb = self.conv.to_conductances(b)
        self.assertEqual(qa, qb)
        for x, y in zip(pa, pb):
            self.assertEqual(x.dtype, y.dtype)
            self.assertEqual(x.shape, y.shape)
            np.testing.assert_array_equal(x, y)

    def test_dtype_kept(self):
        for dtype in (np.float32, np.float64):
            w = self.weights(dtype=dtype)
            planes, params = self.conv.to_conductances(w)
            self.assertTrue(all(p.dtype == dtype for p in planes))
            self.assertTrue(all(isinstance(v, float) for v in params.values()))
            back = self.conv.to_weights(planes, params)
            self.assertEqual(back.dtype, dtype)
            tol = 1e-5 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(back, w, rtol=0, atol=tol * 2)

    def test_contiguous_input_not_copied(self):
        for dtype in (np.float32, np.float64):
            w = self.weights(dtype=dtype)
            self.assertIs(condmap._as_c_array(w), w)
        ro = self.weights()
        ro.flags.writeable = False
        self.assertIs(condmap._as_c_array(ro), ro)
        self.conv.to_conductances(ro)

    def test_other_layouts_copied_to_c_order(self):
        w = self.weights()
        for other in (np.asfortranarray(w), w[:, ::2], w.astype(">f4")):
            c = condmap._as_c_array(other)
            self.assertIsNot(c, other)
            self.assertTrue(c.flags.c_contiguous and c.dtype.isnative)
            self.assertEqual(c.dtype, np.float32)
            np.testing.assert_array_equal(c, other)

    def test_fortran_input_same_as_c(self):
        w = self.weights((7, 9))
        f = np.asfortranarray(w)
        self.assertFalse(f.flags.c_contiguous)
        self.assert_same_result(f, w)
        planes, params = self.conv.to_conductances(f)
        np.testing.assert_array_equal(
            self.conv.to_weights([np.asfortranarray(p) for p in planes],
                                 params),
            self.conv.to_weights(planes, params))

    def test_strided_and_swapped_input(self):
        w = self.weights((8, 10), np.float64)
        self.assert_same_result(w[::2, 1::3], w[::2, 1::3].copy())
        self.assert_same_result(w.astype(">f8"), w)

    def test_4d_keeps_shape(self):
        w = self.weights((2, 3, 4, 5))
        planes, params = self.conv.to_conductances(w)
        for p in planes:
            self.assertEqual(p.shape, (2, 3, 4, 5))
        flat, _ = self.conv.to_conductances(w.ravel())
        for p, q in zip(planes, flat):
            np.testing.assert_array_equal(p, q.reshape(w.shape))
        self.assertEqual(self.conv.to_weights(planes, params).shape, w.shape)

    def test_scalar_keeps_shape(self):
        planes, params = self.conv.to_conductances(np.float64(0.5))
        self.assertEqual(planes[0].shape, ())
        self.assertEqual(self.conv.to_weights(planes, params).shape, ())

    def test_outputs_are_fresh_arrays(self):
        w = self.weights()
        planes, params = self.conv.to_conductances(w)
        for i, p in enumerate(planes):
            self.assertTrue(p.flags.owndata and p.flags.c_contiguous)
            self.assertFalse(np.shares_memory(p, w))
            for q in planes[i + 1:]:
                self.assertFalse(np.shares_memory(p, q))
        back = self.conv.to_weights(planes, params)
        self.assertTrue(back.flags.owndata)
        self.assertFalse(any(np.shares_memory(back, p) for p in planes))

    def test_out_arrays_filled_in_place(self):
        w = self.weights()
        out = [np.full(w.shape, np.nan, np.float32) for _ in range(4)]
        planes, params = self.conv.to_conductances(w, out=out)
        self.assertTrue(all(p is o for p, o in zip(planes, out)))
        self.assertTrue(all(np.isfinite(p).all() for p in planes))
        ref, _ = self.conv.to_conductances(w)
        for p, q in zip(planes, ref):
            np.testing.assert_array_equal(p, q)
        wout = np.full(w.shape, np.nan, np.float32)
        self.assertIs(self.conv.to_weights(planes, params, out=wout), wout)
        np.testing.assert_allclose(wout, w, rtol=0, atol=1e-5)

    def test_bad_out_refused(self):
        w = self.weights()
        with self.assertRaises(ValueError):
            self.conv.to_conductances(w, out=[np.empty(w.shape, np.float32)])
        with self.assertRaises(ValueError):
            self.conv.to_conductances(
                w, out=[np.empty(w.shape, np.float64) for _ in range(4)])
        with self.assertRaises(ValueError):       # aliases the input
            self.conv.to_conductances(w, out=[w] + [np.empty_like(w)] * 3)
        planes, params = self.conv.to_conductances(w)
        with self.assertRaises(ValueError):
            self.conv.to_weights(planes, params, out=planes[0])

    def test_non_float_refused(self):
        for bad in (np.arange(6, dtype=np.int32), np.ones(3, bool),
                    np.ones(3, np.complex128),
                    np.ones(3, np.longdouble), [1, 2, 3],
                    np.array(["a"], object)):
            if getattr(bad, "dtype", None) == np.float64:
                continue        # longdouble is float64 on some platforms
            with self.assertRaises(TypeError, msg=repr(bad)):
                self.conv.to_conductances(bad)
        planes, params = self.conv.to_conductances(self.weights())
        with self.assertRaises(TypeError):
            self.conv.to_weights([p.astype(np.int64) for p in planes], params)

    def test_mixed_planes_refused(self):
        planes, params = self.conv.to_conductances(self.weights())
        with self.assertRaises(ValueError):
            self.conv.to_weights(planes[:3], params)
        with self.assertRaises(TypeError):
            self.conv.to_weights(planes[:3] + [planes[3].astype(np.float64)],
                                 params)
        with self.assertRaises(ValueError):
            self.conv.to_weights(planes[:3] + [planes[3][:2]], params)
        with self.assertRaises(TypeError):
            self.conv.to_weights(planes, list(params.items()))

    def test_threads_share_a_converter(self):
        w = self.weights((300, 200), np.float64)
        want, _ = self.conv.to_conductances(w)
        results = [None] * 4

        def work(i):
            results[i] = self.conv.to_conductances(w)[0]
        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            for p, q in zip(r, want):
                np.testing.assert_array_equal(p, q)


# ---- errors -----------------------------------------------------------------


class Errors(Base):
    def invalid(self, name):
        return os.path.join(DATA, "invalid", name)

    def test_error_codes_mirror_header(self):
        if not os.path.isfile(HEADER):
            self.skipTest("no source tree: %s" % HEADER)
        with open(HEADER) as f:
            found = dict(re.findall(r"CONDMAP_ERROR_(\w+)\s*=\s*(\d+)",
                                    f.read()))
        self.assertEqual({k: int(v) for k, v in found.items()},
                         {c.name: c.value for c in ErrorCode})

    def test_unknown_key(self):
        with self.assertRaises(Error) as cm:
            Converter.from_file(self.rt, self.invalid("unknown-key.yaml"))
        e = cm.exception
        self.assertIsInstance(e, Exception)
        self.assertIs(e.code, ErrorCode.UNKNOWN_KEY)
        self.assertIn("did you mean 'g_max'", e.message)
        self.assertIn("unknown-key.yaml", e.message)
        self.assertEqual(str(e), e.message)
        self.assertEqual(e.args, (e.message, ErrorCode.UNKNOWN_KEY))

    def test_unknown_key_from_yaml_names_origin(self):
        with self.assertRaises(Error) as cm:
            Converter.from_yaml(self.rt, "converter: single-pair\ngmin: 1\n",
                                origin="layer1.yaml")
        self.assertEqual(cm.exception.code, ErrorCode.UNKNOWN_KEY)
        self.assertIn("layer1.yaml", cm.exception.message)
        self.assertIn("did you mean", cm.exception.message)

    def test_malformed_yaml(self):
        with self.assertRaises(Error) as cm:
            Converter.from_file(self.rt, self.invalid("malformed.yaml"))
        self.assertEqual(cm.exception.code, ErrorCode.PARSE)
        self.assertIn("malformed.yaml:3:", cm.exception.message)
        with self.assertRaises(Error) as cm:
            self.converter("converter: [single-pair\n")
        self.assertEqual(cm.exception.code, ErrorCode.PARSE)

    def test_every_invalid_config_refused(self):
        names = sorted(os.listdir(os.path.join(DATA, "invalid")))
        self.assertGreater(len(names), 0)
        for name in names:
            with self.subTest(name):
                with self.assertRaises(Error) as cm:
                    Converter.from_file(self.rt, self.invalid(name))
                self.assertNotEqual(cm.exception.code, ErrorCode.FAILED)
                self.assertIn(cm.exception.code, (
                    ErrorCode.PARSE, ErrorCode.CONFIG, ErrorCode.UNKNOWN_KEY,
                    ErrorCode.UNKNOWN_CONVERTER, ErrorCode.NOT_INVERTIBLE,
                    ErrorCode.FORMAT))

    def test_unknown_converter_and_missing_file(self):
        with self.assertRaises(Error) as cm:
            self.converter("converter: quad-pair\n")
        self.assertEqual(cm.exception.code, ErrorCode.UNKNOWN_CONVERTER)
        self.assertIn("quad-pair", cm.exception.message)
        with self.assertRaises(Error) as cm:
            Converter.from_file(self.rt, "/nonexistent/config.yaml")
        self.assertEqual(cm.exception.code, ErrorCode.IO)
        with self.assertRaises(Error) as cm:
            condmap.read_npy(os.path.join(DATA, "README.md"))
        self.assertEqual(cm.exception.code, ErrorCode.FORMAT)

    def test_nan_weight(self):
        w = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
        w[1, 2] = np.nan
        with self.converter("converter: single-pair") as c:
            with self.assertRaises(Error) as cm:
                c.to_conductances(w)
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            self.assertIn("element 6", cm.exception.message)
            self.assertIn("NaN", cm.exception.message)
            w[1, 2] = np.inf
            with self.assertRaises(Error) as cm:
                c.to_conductances(w.astype(np.float64))
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            with self.assertRaises(Error) as cm:
                c.to_conductances(np.empty((0, 3), np.float32))
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)

    def test_missing_or_bad_params(self):
        with self.converter("converter: single-device") as c:
            planes, params = c.to_conductances(np.linspace(-1, 1, 5))
            self.assertEqual(set(params), {"scale_ratio", "w_min"})
            with self.assertRaises(Error) as cm:
                c.to_weights(planes, {})
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            self.assertIn("scale_ratio", cm.exception.message)
            with self.assertRaises(Error) as cm:
                c.to_weights(planes, {"scale_ratio": params["scale_ratio"]})
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            self.assertIn("w_min", cm.exception.message)
            with self.assertRaises(Error) as cm:
                c.to_weights(planes, dict(params, w_min=float("nan")))
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            planes[0][3] = np.inf
            with self.assertRaises(Error) as cm:
                c.to_weights(planes, params)
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            self.assertIn("element 3", cm.exception.message)


# ---- output directories -----------------------------------------------------


class OutputDirs(Base):
    """Converter.convert_to_dir() and restore_dir(): the directory that
    `condmap convert` writes and `condmap restore` reads."""

    DUAL_PAIR = "converter: dual-pair\nf_lst: [1, 3]\n"

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="condmap-py-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    def weights(self, shape=(10, 35), dtype=np.float32):
        return np.random.default_rng(11).uniform(-1, 1, shape).astype(dtype)

    def test_files_and_exact_restore(self):
        w = self.weights()
        out = self.path("out")
        with self.converter(self.DUAL_PAIR) as conv:
            planes, params = conv.to_conductances(w)
            self.assertIsNone(conv.convert_to_dir(w, out))
            want = conv.to_weights(planes, params)
            names = conv.plane_names
        self.assertEqual(sorted(os.listdir(out)),
                         sorted([n + ".npy" for n in names] + ["params.yaml"]))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["out"])
        for name, plane in zip(names, planes):
            np.testing.assert_array_equal(np.load(self.path("out", name +
                                                            ".npy")), plane)
        back = condmap.restore_dir(out, self.rt)
        self.assertEqual(back.dtype, np.float32)
        self.assertEqual(back.shape, w.shape)
        np.testing.assert_array_equal(back, want)

    def test_default_runtime_and_path_like(self):
        w = self.weights((7,), np.float64)
        with self.converter("converter: single-device") as conv:
            conv.convert_to_dir(w, pathlib.Path(self.path("sd")))
        back = condmap.restore_dir(self.path("sd"))
        np.testing.assert_allclose(back, w, rtol=0, atol=1e-12)

    def test_measured_planes(self):
        w = self.weights(dtype=np.float64)
        out = self.path("lab")
        with self.converter(self.DUAL_PAIR) as conv:
            planes, params = conv.to_conductances(w)
            conv.convert_to_dir(w, out)
            planes[1] = np.clip(planes[1] + 0.25, 0, 25)
            np.save(self.path("lab", conv.plane_names[1] + ".npy"), planes[1])
            want = conv.to_weights(planes, params)
        np.testing.assert_array_equal(condmap.restore_dir(out, self.rt), want)

    def test_csv_planes(self):
        w = self.weights((4, 6), np.float64)
        with self.converter("converter: single-pair") as conv:
            conv.convert_to_dir(w, self.path("csv"), format="csv")
            with self.assertRaises(ValueError):
                conv.convert_to_dir(w, self.path("x"), format="txt")
            with self.assertRaises(Error) as cm:
                conv.convert_to_dir(w.reshape(2, 2, 6), self.path("csv3"),
                                    format="csv")
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
        self.assertEqual(sorted(os.listdir(self.path("csv"))),
                         ["g_minus_0.csv", "g_plus_0.csv", "params.yaml"])
        np.testing.assert_allclose(condmap.restore_dir(self.path("csv"),
                                                       self.rt),
                                   w, rtol=0, atol=1e-12)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["csv"])

    def test_exists_and_force(self):
        out = self.path("keep")
        os.mkdir(out)
        with open(os.path.join(out, "notes.txt"), "w") as f:
            f.write("precious\n")
        w = self.weights((5,))
        with self.converter(self.DUAL_PAIR) as conv:
            with self.assertRaises(Error) as cm:
                conv.convert_to_dir(w, out)
            self.assertEqual(cm.exception.code, ErrorCode.EXISTS)
            self.assertIn("keep", cm.exception.message)
            self.assertEqual(os.listdir(out), ["notes.txt"])
            conv.convert_to_dir(w, out, force=True)
        self.assertNotIn("notes.txt", os.listdir(out))
        self.assertIn("params.yaml", os.listdir(out))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["keep"])

    def test_failures_leave_nothing(self):
        with self.converter(self.DUAL_PAIR) as conv:
            with self.assertRaises(Error) as cm:
                conv.convert_to_dir(np.array([1.0, np.nan]), self.path("nan"))
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            with self.assertRaises(TypeError):
                conv.convert_to_dir(np.arange(3), self.path("int"))
        self.assertEqual(os.listdir(self.tmp), [])

    def test_restore_refusals(self):
        w = self.weights()
        out = self.path("bad")
        with self.converter(self.DUAL_PAIR) as conv:
            conv.convert_to_dir(w, out)
        np.save(self.path("bad", "g_plus_1.npy"), w.T.copy())
        with self.assertRaises(Error) as cm:
            condmap.restore_dir(out, self.rt)
        self.assertEqual(cm.exception.code, ErrorCode.INPUT)
        self.assertIn("g_plus_1.npy' has shape (35, 10)", cm.exception.message)
        np.save(self.path("bad", "g_plus_1.npy"), w.astype(np.float64))
        with self.assertRaises(Error) as cm:
            condmap.restore_dir(out, self.rt)
        self.assertIn("g_plus_1.npy' is float64", cm.exception.message)
        with self.assertRaises(Error) as cm:
            condmap.restore_dir(self.path("nowhere"), self.rt)
        self.assertEqual(cm.exception.code, ErrorCode.IO)
        self.assertIn("params.yaml", cm.exception.message)
        with self.assertRaises(TypeError):
            condmap.restore_dir(out, "not a runtime")


# ---- lifetimes --------------------------------------------------------------


class Lifetimes(unittest.TestCase):
    YAML = "converter: single-pair\n"

    def test_converter_outlives_runtime(self):
        rt = new_runtime()
        conv = Converter.from_yaml(rt, self.YAML)
        rt.close()          # the converter's C reference keeps it loaded
        del rt
        gc.collect()
        planes, params = conv.to_conductances(np.ones(4))
        self.assertEqual(len(planes), 2)
        conv.close()

    def test_closed_objects_refuse_use(self):
        with new_runtime() as rt:
            conv = Converter.from_yaml(rt, self.YAML)
            with conv:
                pass
            self.assertTrue(conv.closed)
            conv.close()    # idempotent
            with self.assertRaises(ValueError):
                conv.to_conductances(np.ones(3))
            with self.assertRaises(ValueError):
                conv.config
        self.assertTrue(rt.closed)
        with self.assertRaises(ValueError):
            Converter.from_yaml(rt, self.YAML)
        with self.assertRaises(ValueError):
            rt.plugins

    def test_collected_objects_are_freed(self):
        rt = new_runtime()
        conv = Converter.from_yaml(rt, self.YAML)
        fr, fc = rt._finalizer, conv._finalizer
        del rt              # the converter still holds the runtime
        gc.collect()
        self.assertTrue(fr.alive)
        del conv
        gc.collect()
        self.assertFalse(fc.alive)
        self.assertFalse(fr.alive)

    def test_no_direct_construction(self):
        with self.assertRaises(TypeError):
            Converter()
        with self.assertRaises(TypeError):
            Converter.from_yaml("not a runtime", self.YAML)


# ---- plots --------------------------------------------------------------------


def png_size(path):
    """(width, height) from a PNG's IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return (int.from_bytes(head[16:20], "big"),
            int.from_bytes(head[20:24], "big"))


@unittest.skipUnless(condmap.plot_available(),
                     "libcondmap was built without cairo and pango")
class Plots(Base):
    YAML = "converter: dual-pair\nf_lst: [1, 3]\n"

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_curves_svg_same_bytes(self):
        with self.converter(self.YAML) as conv:
            conv.plot(self.path("a.svg"))
            conv.plot(self.path("b.svg"))
            conv.plot(self.path("c.svg"), title="another title")
        with open(self.path("a.svg"), "rb") as a, \
                open(self.path("b.svg"), "rb") as b, \
                open(self.path("c.svg"), "rb") as c:
            a, b, c = a.read(), b.read(), c.read()
        self.assertTrue(a.startswith(b"<?xml"))
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)

    def test_weights_add_panels(self):
        w = np.linspace(-1, 1, 500, dtype=np.float32).reshape(20, 25)
        with self.converter(self.YAML) as conv:
            conv.plot(self.path("curves.png"))
            conv.plot(self.path("layer.png"), weights=w[:, ::2])
        self.assertEqual(png_size(self.path("curves.png")), (840, 512))
        # 64 title + 440 curves + 300 weights + 2 rows of 250 + 8
        self.assertEqual(png_size(self.path("layer.png")), (840, 1312))

    def test_refused(self):
        with self.converter(self.YAML) as conv:
            with self.assertRaises(Error) as cm:
                conv.plot(self.path("x.jpg"))
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            with self.assertRaises(Error) as cm:
                conv.plot(self.path("x.png"), weights=[1.0, float("nan")])
            self.assertEqual(cm.exception.code, ErrorCode.INPUT)
            with self.assertRaises(Error) as cm:
                conv.plot(self.path("no/x.png"))
            self.assertEqual(cm.exception.code, ErrorCode.IO)
            with self.assertRaises(TypeError):
                conv.plot(self.path("x.png"), weights=np.arange(3))
        self.assertEqual(os.listdir(self.dir.name), [])


if __name__ == "__main__":
    unittest.main()
