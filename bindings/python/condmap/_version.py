"""The package version when no _build_config.py records the one of the
installed build (a source tree, or a pip install); pyproject.toml reads it
too.  Keep it equal to AC_INIT's version in configure.ac: the test suite
checks that it matches the library's."""
VERSION = "0.2.0"
