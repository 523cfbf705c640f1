/* offset.c - one device per weight, w = 0 at a reference conductance in
 * the middle of the range (Sandia CrossSim's OffsetCore; the reference
 * column of NeuroSim and MemTorch).
 *
 * In CrossSim's normalized units (tests/peer/README.md, section 6), m the
 * clip max, R_x the range the weights use and G_l its bottom:
 *   G = fl(fl(R_x fl(fl(w / 2m) + 1/2)) + G_l)      (plane: G g_max)
 *   reference: digital   w = ((G - G_l) / R_x - 1/2) 2m
 *   reference: mid       w = ((G - G_l) / R_x - (G_ref - G_l) / R_x) 2m,
 *                        G_ref = fl(fl(R_x / 2) + G_l)
 * Without levels R_x = R and G_l = G_min: -m maps to g_min, +m to g_max, 0
 * to the middle of the range.
 *
 * With `levels: L` (uniform), the core hands L over through
 * CONDMAP_INTERFACE_LEVELS_UNIFORM and this converter places the levels
 * itself, as CrossSim's cell_bits do: for an even L the range is
 * compressed so that w = 0 falls on a level,
 *   R_x = fl(fl(R (L - 2)) / (L - 1)),  G_l = fl(1 - R_x),
 * leaving the lowest level unused, and G (and G_ref) are then snapped to
 * the L levels of the device's own range (peer_snap_*).  An odd L, which
 * CrossSim does not have, needs no compression: its middle level is the
 * middle of the range.  L = 2 leaves no range and is refused.  An explicit
 * list or a table of levels is snapped by the core, plane by plane.
 *
 * The params are clip_max; reference_g, the conductance of w = 0 in µS
 * (with reference: mid, the reference device, which the read-back
 * subtracts: put a measured value there to restore against the real
 * device; with reference: digital the same number, informative: the
 * offset is taken off digitally as the exact 1/2); and range_levels, the
 * L the range was made for (0 without levels), so that a restore from the
 * sidecar, which does not record `levels:`, reads back with the same R_x
 * and G_l. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "peer-math.h"

enum {
  OFFSET_PARAM_CLIP_MAX = 0,
  OFFSET_PARAM_REFERENCE_G = 1,
  OFFSET_PARAM_RANGE_LEVELS = 2
};
static const char *const offset_param_names[] = {
  "clip_max", "reference_g", "range_levels", NULL
};

typedef struct {
  const CondmapHost *host;  /* for errors in plan() and set_levels() */
  int mid;                  /* reference: mid */
  uint32_t n_levels;        /* set_levels(): uniform levels, 0: none */
  PeerRange r;
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

  if (st == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  peer_range_init (&st->r, host, ctx);
  st->host = host;
  st->mid = strcmp (host->get_string (ctx, "reference"), "mid") == 0;
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

/* The numbers of the kernels for @levels (the range_levels param), in
 * double, as CrossSim's Python floats: R_x, G_l, and the level factor k
 * (0 without levels). */
typedef struct {
  double range_x, g_low, k;
} OffsetRange;

static OffsetRange
offset_range (const OffsetState *st, double levels)
{
  OffsetRange x = { st->r.range_n, st->r.g_min_n, 0.0 };

  /* set_levels() takes 3 to 65536; a param edited in a sidecar to
   * anything else reads back as without levels. */
  if (levels >= 3 && levels <= 65536)
    {
      uint32_t n = (uint32_t) levels;

      if (n % 2 == 0)
        {
          x.range_x = st->r.range_n * (double) (n - 2) / (double) (n - 1);
          x.g_low = 1.0 - x.range_x;
        }
      x.k = peer_level_factor (n, st->r.range_n);
    }
  return x;
}

/* Forward and back, one body per dtype, every constant rounded once to T.
 * The clamp only catches the last ulp of the µS rounding. */
#define OFFSET_DEFINE(T, SFX)                                              \
  PAIR_CLONES static void                                                  \
  offset_to_conductances_##SFX (const void *state, const double *params,   \
                                const T *w, size_t n, T *const *g)         \
  {                                                                        \
    const OffsetState *st = state;                                         \
    const OffsetRange rg = offset_range (st,                               \
                                         params[OFFSET_PARAM_RANGE_LEVELS]);\
    const T m = (T) params[OFFSET_PARAM_CLIP_MAX], two_m = m + m;          \
    const T range_x = (T) rg.range_x, g_low = (T) rg.g_low, k = (T) rg.k;  \
    const T g_min_n = (T) st->r.g_min_n;                                   \
    const T lo = (T) st->r.g_min_us, hi = (T) st->r.g_max_us;              \
    const T *restrict wi = w;                                              \
    T *restrict out = g[0];                                                \
                                                                           \
    if (k > 0)                                                             \
      for (size_t i = 0; i < n; i++)                                       \
        {                                                                  \
          const T t = PAIR_CLAMP (wi[i], -m, m) / two_m + (T) 0.5;         \
          const T x = peer_snap_##SFX (range_x * t + g_low, g_min_n, k)    \
                      * hi;                                                \
                                                                           \
          out[i] = PAIR_CLAMP (x, lo, hi);                                 \
        }                                                                  \
    else                                                                   \
      for (size_t i = 0; i < n; i++)                                       \
        {                                                                  \
          const T t = PAIR_CLAMP (wi[i], -m, m) / two_m + (T) 0.5;         \
          const T x = (range_x * t + g_low) * hi;                          \
                                                                           \
          out[i] = PAIR_CLAMP (x, lo, hi);                                 \
        }                                                                  \
  }                                                                        \
                                                                           \
  PAIR_CLONES static void                                                  \
  offset_to_weights_##SFX (const void *state, const double *params,        \
                           const T *const *g, size_t n, T *w)              \
  {                                                                        \
    const OffsetState *st = state;                                         \
    const OffsetRange rg = offset_range (st,                               \
                                         params[OFFSET_PARAM_RANGE_LEVELS]);\
    const T two_m = (T) params[OFFSET_PARAM_CLIP_MAX]                      \
                    + (T) params[OFFSET_PARAM_CLIP_MAX];                   \
    const T range_x = (T) rg.range_x, g_low = (T) rg.g_low;                \
    const T g_max = (T) st->r.g_max_us;                                    \
    const T zero = st->mid                                                 \
      ? ((T) params[OFFSET_PARAM_REFERENCE_G] / g_max - g_low) / range_x   \
      : (T) 0.5;                                                           \
    const T *restrict gi = g[0];                                           \
    T *restrict out = w;                                                   \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      out[i] = ((gi[i] / g_max - g_low) / range_x - zero) * two_m;         \
  }

OFFSET_DEFINE (float, f32)
OFFSET_DEFINE (double, f64)

/* G_ref as CrossSim programs its reference row (a weight of 0), snapped
 * like the weights, in the dtype's arithmetic, in µS. */
#define OFFSET_DEFINE_REFERENCE(T, SFX)                                    \
  static double                                                            \
  offset_reference_##SFX (const OffsetState *st, const OffsetRange *x)     \
  {                                                                        \
    T g = (T) x->range_x * (T) 0.5 + (T) x->g_low;                         \
                                                                           \
    if (x->k > 0)                                                          \
      g = peer_snap_##SFX (g, (T) st->r.g_min_n, (T) x->k);                \
    return g * (T) st->r.g_max_us;                                         \
  }

OFFSET_DEFINE_REFERENCE (float, f32)
OFFSET_DEFINE_REFERENCE (double, f64)

static int
offset_plan (const void *state, const CondmapStats *stats, double *params,
             CondmapContext *ctx)
{
  const OffsetState *st = state;
  OffsetRange x = offset_range (st, st->n_levels);
  double m;

  if (!peer_clip_max (st->host, ctx, stats, &m))
    return 0;
  params[OFFSET_PARAM_CLIP_MAX] = m;
  params[OFFSET_PARAM_RANGE_LEVELS] = st->n_levels;
  params[OFFSET_PARAM_REFERENCE_G] = stats->dtype == CONDMAP_DTYPE_FLOAT32
                                     ? offset_reference_f32 (st, &x)
                                     : offset_reference_f64 (st, &x);
  return 1;
}

/* CONDMAP_INTERFACE_LEVELS_UNIFORM: the level count, once, before
 * plan(). */
static int
offset_set_levels (void *state, uint32_t n_levels, CondmapContext *ctx)
{
  OffsetState *st = state;

  if (n_levels < 3)
    {
      st->host->error (ctx, CONDMAP_ERROR_CONFIG, "levels",
                       "offset needs at least 3 levels, got %u: one for "
                       "w = 0 and one on each side of it (with 2, the "
                       "range compressed to put w = 0 on a level is "
                       "empty)", n_levels);
      return 0;
    }
  st->n_levels = n_levels;
  return 1;
}

static const CondmapLevelsUniformInterface offset_levels_uniform = {
  (uint32_t) sizeof (CondmapLevelsUniformInterface), offset_set_levels
};

static const void *
offset_get_interface (const char *uri)
{
  if (uri != NULL && strcmp (uri, CONDMAP_INTERFACE_LEVELS_UNIFORM) == 0)
    return &offset_levels_uniform;
  return NULL;
}

static const CondmapConverterOps offset_ops = CONDMAP_CONVERTER_OPS (
  offset_get_n_planes, offset_get_plane_name, offset_param_names,
  offset_plan, offset_to_conductances_f32, offset_to_conductances_f64,
  offset_to_weights_f32, offset_to_weights_f64);

CONDMAP_PLUGIN_DEFINE_FULL (CONDMAP_PLUGIN_KIND_CONVERTER, "offset",
                            "one device per weight, w = 0 at mid-"
                            "conductance, the offset taken off digitally or "
                            "by a reference device (CrossSim OffsetCore)",
                            PACKAGE_VERSION, offset_settings, offset_create,
                            offset_destroy, &offset_ops,
                            offset_get_interface)
