/* offset.c - one device per weight, w = 0 at a reference conductance in
 * the middle of the range (Sandia CrossSim's OffsetCore; the reference
 * column of NeuroSim and MemTorch).
 *
 * In CrossSim's normalized units (tests/peer/README.md, section 6), m the
 * clip max:
 *   G = fl(fl(R fl(fl(w / 2m) + 1/2)) + G_min)      (plane: G g_max)
 *   reference: digital   w = ((G - G_min) / R - 1/2) 2m
 *   reference: mid       w = ((G - G_min) / R - (G_ref - G_min) / R) 2m,
 *                        G_ref = fl(fl(R / 2) + G_min)
 * -m maps to g_min, +m to g_max, 0 to the middle of the range.  The params
 * are clip_max and reference_g, the conductance of w = 0 in µS: with
 * reference: mid, the reference device, which the read-back subtracts
 * (put a measured value there to restore against the real device); with
 * reference: digital the same number, informative: the offset is taken
 * off digitally as the exact 1/2.
 *
 * CrossSim compresses the range when its devices have levels (cell_bits),
 * so that w = 0 falls on a level; condmap has no level set yet, and this
 * converter maps to the full range (README section 6 gives the formulas
 * for when it does). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "peer-math.h"

enum { OFFSET_PARAM_CLIP_MAX = 0, OFFSET_PARAM_REFERENCE_G = 1 };
static const char *const offset_param_names[] = {
  "clip_max", "reference_g", NULL
};

/* The numbers of the kernels, rounded once to T. */
#define OFFSET_COEF(T)                                                     \
  struct {                                                                 \
    T g_min_n, range_n;     /* G_min, R */                                 \
    T g_min_us, g_max_us;   /* bounds, µS */                               \
  }

typedef struct {
  const CondmapHost *host;  /* for errors in plan() */
  int mid;                  /* reference: mid */
  OFFSET_COEF (float) c_f32;
  OFFSET_COEF (double) c_f64;
} OffsetState;

static const CondmapSettingDecl offset_settings[] = {
  CONDMAP_SETTING_G_MIN (PEER_G_MIN_DEFAULT),
  CONDMAP_SETTING_G_MAX (PEER_G_MAX_DEFAULT),
  { "reference", CONDMAP_SETTING_STRING, "", 0.0, "digital", 0.0, 0.0, 0, 0,
    0, "how w = 0 comes off at read-out: digital (CrossSim DIGITAL_OFFSET) "
    "or mid (a reference device at mid-conductance per column, CrossSim "
    "UNIT_COLUMN_SUBTRACTION, NeuroSim, MemTorch)", "digital|mid" },
  CONDMAP_SETTINGS_END
};

static void *
offset_create (const CondmapHost *host, CondmapContext *ctx)
{
  OffsetState *st = calloc (1, sizeof (OffsetState));
  PeerRange r;

  if (st == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  peer_range_init (&r, host, ctx);
  st->host = host;
  st->mid = strcmp (host->get_string (ctx, "reference"), "mid") == 0;
  st->c_f32.g_min_n = (float) r.g_min_n;
  st->c_f32.range_n = (float) r.range_n;
  st->c_f32.g_min_us = (float) r.g_min_us;
  st->c_f32.g_max_us = (float) r.g_max_us;
  st->c_f64.g_min_n = r.g_min_n;
  st->c_f64.range_n = r.range_n;
  st->c_f64.g_min_us = r.g_min_us;
  st->c_f64.g_max_us = r.g_max_us;
  return st;
}

static void
offset_destroy (void *state)
{
  free (state);
}

static unsigned
offset_get_n_planes (const void *state)
{
  return 1;
}

static const char *
offset_get_plane_name (const void *state, unsigned k)
{
  return "g";
}

/* Forward and back, one body per dtype.  The clamp only catches the last
 * ulp of the µS rounding. */
#define OFFSET_DEFINE(T, SFX)                                              \
  PAIR_CLONES static void                                                  \
  offset_to_conductances_##SFX (const void *state, const double *params,   \
                                const T *w, size_t n, T *const *g)         \
  {                                                                        \
    const OffsetState *st = state;                                         \
    const T m = (T) params[OFFSET_PARAM_CLIP_MAX], two_m = m + m;          \
    const T g_min_n = st->c_##SFX.g_min_n, range_n = st->c_##SFX.range_n;  \
    const T lo = st->c_##SFX.g_min_us, hi = st->c_##SFX.g_max_us;          \
    const T *restrict wi = w;                                              \
    T *restrict out = g[0];                                                \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      {                                                                    \
        const T t = PAIR_CLAMP (wi[i], -m, m) / two_m + (T) 0.5;           \
        const T x = (range_n * t + g_min_n) * hi;                          \
                                                                           \
        out[i] = PAIR_CLAMP (x, lo, hi);                                   \
      }                                                                    \
  }                                                                        \
                                                                           \
  PAIR_CLONES static void                                                  \
  offset_to_weights_##SFX (const void *state, const double *params,        \
                           const T *const *g, size_t n, T *w)              \
  {                                                                        \
    const OffsetState *st = state;                                         \
    const T two_m = (T) params[OFFSET_PARAM_CLIP_MAX]                      \
                    + (T) params[OFFSET_PARAM_CLIP_MAX];                   \
    const T g_min_n = st->c_##SFX.g_min_n, range_n = st->c_##SFX.range_n;  \
    const T g_max = st->c_##SFX.g_max_us;                                  \
    const T zero = st->mid                                                 \
      ? ((T) params[OFFSET_PARAM_REFERENCE_G] / g_max - g_min_n) / range_n \
      : (T) 0.5;                                                           \
    const T *restrict gi = g[0];                                           \
    T *restrict out = w;                                                   \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      out[i] = ((gi[i] / g_max - g_min_n) / range_n - zero) * two_m;       \
  }

OFFSET_DEFINE (float, f32)
OFFSET_DEFINE (double, f64)

static int
offset_plan (const void *state, const CondmapStats *stats, double *params,
             CondmapContext *ctx)
{
  const OffsetState *st = state;
  double m;

  if (!peer_clip_max (st->host, ctx, stats, &m))
    return 0;
  params[OFFSET_PARAM_CLIP_MAX] = m;
  /* G_ref as CrossSim programs its reference row (a weight of 0), in the
   * dtype's arithmetic, in µS. */
  if (stats->dtype == CONDMAP_DTYPE_FLOAT32)
    params[OFFSET_PARAM_REFERENCE_G] =
      (st->c_f32.range_n * 0.5f + st->c_f32.g_min_n) * st->c_f32.g_max_us;
  else
    params[OFFSET_PARAM_REFERENCE_G] =
      (st->c_f64.range_n * 0.5 + st->c_f64.g_min_n) * st->c_f64.g_max_us;
  return 1;
}

static const CondmapConverterOps offset_ops = CONDMAP_CONVERTER_OPS (
  offset_get_n_planes, offset_get_plane_name, offset_param_names,
  offset_plan, offset_to_conductances_f32, offset_to_conductances_f64,
  offset_to_weights_f32, offset_to_weights_f64);

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "offset",
                       "one device per weight, w = 0 at mid-conductance, "
                       "the offset taken off digitally or by a reference "
                       "device (CrossSim OffsetCore)",
                       PACKAGE_VERSION, offset_settings, offset_create,
                       offset_destroy, &offset_ops)
