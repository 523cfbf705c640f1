#!/bin/sh
# The public headers compile cleanly (-Wall -Wextra -pedantic -Werror):
#  - condmap.h, for programs that embed condmap, as C99, C11 and C++,
#    with GLib;
#  - condmap-plugin.h alone, with nothing but the compiler's own headers
#    on the include path, as C99, C11 and C++11: a plugin written against
#    it (every macro used) needs no GLib, and the header pulls in no
#    <glib.h>.
set -u
: "${CONDMAP_SRC_DIR:?run through make check}"
T=$(mktemp -d "${TMPDIR:-/tmp}/condmap-hdr-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
core="-I$CONDMAP_SRC_DIR/core"
glib=$(pkg-config --cflags glib-2.0) || exit 99
strict="-pedantic -Wall -Wextra -Werror"

cat > "$T/use.c" <<'C'
#include <condmap.h>
#include <condmap-plugin.h>
int main (void)
{
  CondmapRuntime *rt = condmap_runtime_new (NULL, CONDMAP_RUNTIME_DEFAULT);
  condmap_runtime_unref (rt);
  return CONDMAP_ABI_MAJOR > 0 ? 0 : 1;
}
C

# A plugin that uses every macro of condmap-plugin.h.
cat > "$T/plugin.c" <<'C'
#include <condmap-plugin.h>
#ifdef __cplusplus
#  define UNUSED(x)
#else
#  define UNUSED(x) x __attribute__ ((unused))
#endif
static const CondmapSettingDecl settings[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  { "levels", CONDMAP_SETTING_INTEGER, "", 16, NULL, 2, 256, 0, 0, 0,
    "device levels", NULL },
  CONDMAP_SETTINGS_END
};
static const char *const param_names[] = { "scale_ratio", NULL };
static void *create (const CondmapHost *host, CondmapContext *ctx)
{
  static double g_min;
  if (!CONDMAP_HOST_HAS (host, param_index))
    return NULL;
  g_min = host->get_number (ctx, "g_min");
  return &g_min;
}
static void destroy (void *UNUSED (state)) { }
static unsigned n_planes (const void *UNUSED (state)) { return 1; }
static const char *plane_name (const void *UNUSED (state), unsigned UNUSED (k))
{
  return "g";
}
static int plan (const void *UNUSED (state), const CondmapStats *stats,
                 double *params, CondmapContext *UNUSED (ctx))
{
  params[0] = 1.0 / (stats->abs_max > 0 ? stats->abs_max : 1.0);
  return 1;
}
static void to_g_f32 (const void *state, const double *params,
                      const float *w, size_t n, float *const *g)
{
  for (size_t i = 0; i < n; i++)
    g[0][i] = (float) (*(const double *) state + params[0] * w[i]);
}
static void to_g_f64 (const void *state, const double *params,
                      const double *w, size_t n, double *const *g)
{
  for (size_t i = 0; i < n; i++)
    g[0][i] = *(const double *) state + params[0] * w[i];
}
static void to_w_f32 (const void *state, const double *params,
                      const float *const *g, size_t n, float *w)
{
  for (size_t i = 0; i < n; i++)
    w[i] = (float) ((g[0][i] - *(const double *) state) / params[0]);
}
static void to_w_f64 (const void *state, const double *params,
                      const double *const *g, size_t n, double *w)
{
  for (size_t i = 0; i < n; i++)
    w[i] = (g[0][i] - *(const double *) state) / params[0];
}
static const CondmapConverterOps ops = CONDMAP_CONVERTER_OPS (
  n_planes, plane_name, param_names, plan, to_g_f32, to_g_f64, to_w_f32,
  to_w_f64);
CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "all-macros",
                       "every macro of the header", "0", settings, create,
                       destroy, &ops)
C

failed=0
passed=0
try () {
  if "$@" -c -o "$T/out.o" 2>"$T/err"; then
    passed=$((passed + 1))
  else
    echo "FAIL: $*"; cat "$T/err"; failed=$((failed + 1))
  fi
}
CC=${CONDMAP_CC:-cc}
CXX=
for c in c++ g++ clang++; do
  command -v $c >/dev/null 2>&1 && { CXX=$c; break; }
done

# condmap.h, with GLib.
try $CC -std=c99 $strict $core $glib "$T/use.c"
try $CC -std=c11 $strict $core $glib "$T/use.c"
[ -n "$CXX" ] && try $CXX -std=c++11 $strict $core $glib -x c++ "$T/use.c"

# condmap-plugin.h alone: no GLib on the include path.
try $CC -std=c99 $strict $core "$T/plugin.c"
try $CC -std=c11 $strict $core "$T/plugin.c"
if [ -n "$CXX" ]; then
  try $CXX -std=c++11 $strict $core -x c++ "$T/plugin.c"
else
  echo "no C++ compiler: the C++ checks are skipped"
fi

# ...and it includes no <glib.h>, even where GLib's headers can be found.
if $CC -std=c99 $core $glib -M "$T/plugin.c" >"$T/deps" 2>"$T/err"; then
  if grep -q 'glib' "$T/deps"; then
    echo "FAIL: condmap-plugin.h pulls in GLib:"; tr ' ' '\n' <"$T/deps" | grep glib
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
else
  echo "FAIL: $CC -M"; cat "$T/err"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
