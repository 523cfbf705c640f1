#!/bin/sh
# The Python bindings' unittest suite, against the library and plugins of
# this build tree.  Skips (77) where it cannot run: no NumPy, or a
# sanitizer build (an ASan library cannot be loaded into plain python3).
set -u
if [ "${CONDMAP_SANITIZERS:-0}" = 1 ]; then
  echo "SKIP: sanitizer build: libcondmap cannot be loaded into python3"
  exit 77
fi
PY=
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' 2>/dev/null; then
    PY=$p
    break
  fi
done
if [ -z "$PY" ]; then
  echo "SKIP: no python3 with NumPy (Debian: apt-get install python3-numpy)"
  exit 77
fi
lib=$(ls "$CONDMAP_BUILD_DIR"/core/.libs/libcondmap.so.* 2>/dev/null | head -n 1)
if [ -z "$lib" ]; then
  echo "FAIL: no libcondmap.so under $CONDMAP_BUILD_DIR/core/.libs"
  exit 1
fi
cd "$CONDMAP_SRC_DIR/bindings/python" || exit 99
CONDMAP_LIBRARY=$lib PYTHONDONTWRITEBYTECODE=1 \
  exec "$PY" -m unittest discover -v 2>&1
