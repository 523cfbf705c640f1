#!/bin/sh
# The public headers compile cleanly as C99 and C11 (-pedantic -Werror) and
# from C++, and need nothing but GLib.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/condmap-hdr-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cflags="-I$CONDMAP_SRC_DIR/core $(pkg-config --cflags glib-2.0)"
cat > "$T/use.c" <<'C'
#include <condmap.h>
#include <condmap-plugin.h>
int main (void)
{
  CondmapRuntime *rt = condmap_runtime_new (NULL, CONDMAP_RUNTIME_DEFAULT);
  condmap_runtime_unref (rt);
  return CONDMAP_ABI_MAJOR == 1 ? 0 : 1;
}
C
failed=0
passed=0
try () {
  if "$@" -c -o "$T/use.o" 2>"$T/err"; then
    passed=$((passed + 1))
  else
    echo "FAIL: $*"; cat "$T/err"; failed=$((failed + 1))
  fi
}
CC=${CONDMAP_CC:-cc}
try $CC -std=c99 -pedantic -Wall -Wextra -Werror $cflags "$T/use.c"
try $CC -std=c11 -pedantic -Wall -Wextra -Werror $cflags "$T/use.c"
CXX=
for c in c++ g++ clang++; do
  command -v $c >/dev/null 2>&1 && { CXX=$c; break; }
done
if [ -n "$CXX" ]; then
  cp "$T/use.c" "$T/use.cc"
  try $CXX -std=c++11 -Wall -Wextra -Werror $cflags -x c++ "$T/use.cc"
else
  echo "no C++ compiler: C++ check skipped"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
