"""test_package.py - condmap as a Python package: how it finds libcondmap,
its version, repr()s, help texts and type hints, float16 input, and the
absence of input copies on large arrays.

Run with test_condmap.py (python3 -m unittest discover), whose docstring
says which condmap is tested and which variables are read.
"""
import ctypes.util
import inspect
import os
import pydoc
import re
import tempfile
import tracemalloc
import unittest
from unittest import mock

import numpy as np

from test_condmap import SRC, new_runtime  # first: it sets sys.path

import condmap  # noqa: E402
from condmap import Converter, _lib  # noqa: E402

try:
    from condmap import _build_config
except ImportError:         # a source tree or a pip install
    _build_config = None

LIBRARY = condmap.load_library()
PACKAGE_DIR = os.path.dirname(os.path.abspath(condmap.__file__))


class Installation(unittest.TestCase):
    def test_library_loaded_from_the_first_source(self):
        env = os.environ.get("CONDMAP_LIBRARY")
        if env:
            self.assertEqual(LIBRARY, env)
        elif _build_config is not None:
            self.assertEqual(LIBRARY, os.path.join(_build_config.LIBDIR,
                                                   _build_config.LIBRARY))
        else:
            self.assertEqual(LIBRARY, ctypes.util.find_library("condmap"))

    def test_build_config_records_an_installed_library(self):
        if _build_config is None:
            self.skipTest("no _build_config.py: not installed by make")
        self.assertTrue(os.path.isabs(_build_config.LIBDIR))
        self.assertTrue(os.path.isfile(os.path.join(
            _build_config.LIBDIR, _build_config.LIBRARY)),
            "%s/%s" % (_build_config.LIBDIR, _build_config.LIBRARY))
        self.assertEqual(_build_config.VERSION, condmap.__version__)

    def test_py_typed_shipped(self):
        self.assertTrue(os.path.isfile(os.path.join(PACKAGE_DIR, "py.typed")))

    def test_version(self):
        self.assertRegex(condmap.__version__, r"^\d+\.\d+\.\d+$")
        self.assertEqual(condmap.__version__, condmap.version())

    def test_fallback_version_is_configures(self):
        from condmap import _version
        configure = os.path.join(SRC, "configure.ac")
        if not os.path.isfile(configure):
            self.skipTest("no source tree: %s" % configure)
        with open(configure) as f:
            m = re.search(r"AC_INIT\(\[condmap\], \[([^]]+)\]", f.read())
        self.assertEqual(_version.VERSION, m.group(1),
                         "update bindings/python/condmap/_version.py")


class LoadOrder(unittest.TestCase):
    """_lib._open_condmap() with each source present or absent."""

    def open_with(self, env=None, recorded=None, found=None):
        environ = {k: v for k, v in os.environ.items()
                   if k != "CONDMAP_LIBRARY"}
        if env is not None:
            environ["CONDMAP_LIBRARY"] = env
        with mock.patch.dict(os.environ, environ, clear=True), \
                mock.patch.object(_lib, "_recorded_library",
                                  lambda: recorded), \
                mock.patch.object(ctypes.util, "find_library",
                                  lambda name: found):
            return _lib._open_condmap()[1]

    def real_path(self):
        if not os.path.isabs(LIBRARY):
            self.skipTest("library loaded by soname: %s" % LIBRARY)
        return LIBRARY

    def test_environment_first(self):
        lib = self.real_path()
        self.assertEqual(self.open_with(env=lib, recorded="/no/such.so",
                                        found="/no/other.so"), lib)
        with self.assertRaisesRegex(OSError, "CONDMAP_LIBRARY='/no/lib.so'"):
            self.open_with(env="/no/lib.so", recorded=lib, found=lib)

    def test_recorded_before_find_library(self):
        lib = self.real_path()
        self.assertEqual(self.open_with(recorded=lib, found="/no/x.so"), lib)

    def test_recorded_but_gone_falls_through(self):
        lib = self.real_path()
        self.assertEqual(self.open_with(recorded="/gone/libcondmap.so.0",
                                        found=lib), lib)
        with self.assertRaisesRegex(
                OSError, "'/gone/libcondmap.so.0', recorded by make install, "
                "is gone.*set CONDMAP_LIBRARY"):
            self.open_with(recorded="/gone/libcondmap.so.0")
        with self.assertRaisesRegex(OSError, "records no install"):
            self.open_with()

    def test_recorded_but_broken_is_an_error(self):
        lib = self.real_path()
        with tempfile.NamedTemporaryFile(suffix=".so") as bad:
            bad.write(b"not a shared object\n")
            bad.flush()
            with self.assertRaisesRegex(OSError, "where make install put"):
                self.open_with(recorded=bad.name, found=lib)


class Presentation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rt = new_runtime()

    @classmethod
    def tearDownClass(cls):
        cls.rt.close()

    def test_converter_repr(self):
        want = {"dual-pair": "<condmap.Converter dual-pair f_lst=[1, 3] "
                             "g=[0, 25] µS>",
                "n-pair": "<condmap.Converter n-pair f_lst=[1, 2, 4] "
                          "g=[0, 25] µS>",
                "custom-pair": "<condmap.Converter custom-pair f_lst=[1, 3] "
                               "g=[0, 25] µS>",
                "single-pair": "<condmap.Converter single-pair g=[0, 25] µS>",
                "single-device": "<condmap.Converter single-device "
                                 "g=[9, 88.2] µS>"}
        for name, text in want.items():
            path = os.path.join(SRC, "configs", name + ".yaml")
            with Converter.from_file(self.rt, path) as conv:
                self.assertEqual(repr(conv), text)
            self.assertEqual(repr(conv), text[:-1] + " closed>")

    def test_bounds(self):
        conv = Converter.from_yaml(self.rt, "converter: single-pair\n"
                                   "g_min: 2.5\ng_max: 40\n")
        self.assertEqual(conv.bounds, (2.5, 40.0))
        self.assertEqual(repr(conv),
                         "<condmap.Converter single-pair g=[2.5, 40] µS>")

    def test_flow_value_reads_the_top_level_only(self):
        flow = ("{a: {f_lst: [9]}, s: 'x, f_lst: [8]', q: \"\\\"]\", "
                "f_lst: [1, [2, 3]], g: 1}")
        self.assertEqual(condmap._flow_value(flow, "f_lst"), "[1, [2, 3]]")
        self.assertEqual(condmap._flow_value(flow, "g"), "1")
        self.assertIsNone(condmap._flow_value("{g_min: 0}", "f_lst"))
        self.assertIsNone(condmap._flow_value("{}", "f_lst"))

    def test_runtime_repr(self):
        self.assertRegex(repr(self.rt), r"^<condmap\.Runtime plugins=\[.*"
                         r"'dual-pair'.*\]>$")

    def test_help_documents_the_public_api(self):
        for cls in (condmap.Runtime, condmap.Converter, condmap.Error):
            for name, member in inspect.getmembers(cls):
                if name.startswith("_") and name != "__init__":
                    continue
                if name in vars(BaseException) or name == "__init__":
                    continue
                self.assertTrue(inspect.getdoc(member),
                                "%s.%s has no docstring" % (cls.__name__,
                                                            name))
        text = pydoc.render_doc(condmap.Converter, renderer=pydoc.plaintext)
        for words in ("to_conductances(self, w: 'npt.ArrayLike'",
                      "Maps weights to conductance planes (µS).",
                      "float16 is\n", "Raises:", "-> 'np.ndarray'",
                      "bounds\n", "__enter__"):
            self.assertIn(words, text)
        self.assertNotIn("@", text)     # no gtk-doc markup for Python users

    def test_every_public_function_is_annotated(self):
        for cls in (condmap.Runtime, condmap.Converter):
            for name, func in inspect.getmembers(cls, inspect.isfunction):
                if name.startswith("_") and name not in ("__init__",
                                                         "__enter__"):
                    continue
                sig = inspect.signature(func)
                self.assertIsNot(sig.return_annotation, sig.empty,
                                 "%s.%s" % (cls.__name__, name))
                for p in list(sig.parameters.values())[1:]:
                    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                        continue
                    self.assertIsNot(p.annotation, p.empty,
                                     "%s.%s(%s)" % (cls.__name__, name,
                                                    p.name))


class Float16(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rt = new_runtime()
        cls.conv = Converter.from_file(
            cls.rt, os.path.join(SRC, "configs", "dual-pair.yaml"))

    @classmethod
    def tearDownClass(cls):
        cls.conv.close()
        cls.rt.close()

    def test_float16_goes_through_float32(self):
        w16 = np.random.default_rng(3).uniform(-1, 1, (64, 33)) \
            .astype(np.float16)
        planes, params = self.conv.to_conductances(w16)
        want, want_params = self.conv.to_conductances(w16.astype(np.float32))
        self.assertEqual(params, want_params)
        for p, q in zip(planes, want):
            self.assertEqual(p.dtype, np.float32)
            np.testing.assert_array_equal(p, q)
        back = self.conv.to_weights([p.astype(np.float16) for p in planes],
                                    params)
        self.assertEqual(back.dtype, np.float32)
        np.testing.assert_array_equal(back, self.conv.to_weights(
            [p.astype(np.float16).astype(np.float32) for p in planes],
            params))
        # the planes in float16 lose ~2^-11 of 25 µS; the weights as much
        np.testing.assert_allclose(back, w16, rtol=0, atol=25 * 2 ** -11)


class ZeroCopy(unittest.TestCase):
    """A contiguous float32/float64 input reaches the library by its own
    data pointer, and converting a 4096x4096 one allocates the planes and
    nothing the size of the input.  NumPy reports its allocations to
    tracemalloc, so the traced peak counts every array made."""

    N = 4096

    @classmethod
    def setUpClass(cls):
        cls.rt = new_runtime()
        cls.conv = Converter.from_yaml(cls.rt, "converter: single-pair\n")

    @classmethod
    def tearDownClass(cls):
        cls.conv.close()
        cls.rt.close()

    def convert_traced(self, w):
        """(peak bytes allocated by to_conductances(w), the data pointer the
        library was given)."""
        seen = []
        real = _lib.lib.condmap_converter_to_conductances_shaped

        def spy(conv, dtype, rank, shape, data, *rest):
            seen.append(data)
            return real(conv, dtype, rank, shape, data, *rest)
        _lib.lib.condmap_converter_to_conductances_shaped = spy
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            planes, _ = self.conv.to_conductances(w)
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
            _lib.lib.condmap_converter_to_conductances_shaped = real
        self.assertEqual(len(seen), 1)
        self.assertEqual(sum(p.nbytes for p in planes), 2 * w.nbytes)
        return peak, seen[0]

    def test_contiguous_input_not_copied(self):
        for dtype in (np.float32, np.float64):
            w = np.linspace(-1, 1, self.N * self.N, dtype=dtype) \
                .reshape(self.N, self.N)
            peak, data = self.convert_traced(w)
            self.assertEqual(data, w.ctypes.data, dtype)
            planes = 2 * w.nbytes
            # tracemalloc sees the planes (or this test could not fail) ...
            self.assertGreaterEqual(peak, planes, dtype)
            # ... and nothing near another w.nbytes
            self.assertLess(peak, planes + w.nbytes // 8, dtype)

    def test_a_copy_would_be_seen(self):
        w = np.asfortranarray(np.linspace(
            -1, 1, self.N * self.N, dtype=np.float32).reshape(self.N, self.N))
        peak, data = self.convert_traced(w)
        self.assertNotEqual(data, w.ctypes.data)
        self.assertGreaterEqual(peak, 3 * w.nbytes)

    def test_planes_not_copied_on_the_way_back(self):
        w = np.linspace(-1, 1, self.N * self.N, dtype=np.float32) \
            .reshape(self.N, self.N)
        planes, params = self.conv.to_conductances(w)
        real = _lib.lib.condmap_converter_to_weights_shaped
        seen = []

        def spy(conv, dtype, rank, shape, ptrs, *rest):
            seen.append([ptrs[k] for k in range(2)])
            return real(conv, dtype, rank, shape, ptrs, *rest)
        _lib.lib.condmap_converter_to_weights_shaped = spy
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            back = self.conv.to_weights(planes, params)
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
            _lib.lib.condmap_converter_to_weights_shaped = real
        self.assertEqual(seen, [[p.ctypes.data for p in planes]])
        self.assertGreaterEqual(peak, back.nbytes)
        self.assertLess(peak, back.nbytes + w.nbytes // 8)


if __name__ == "__main__":
    unittest.main()
