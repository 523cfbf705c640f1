/* two-sided-pair.c - one pair of devices per weight, both programmed
 * around the middle of the range (Sandia CrossSim's BalancedCore with
 * balanced.style TWO_SIDED):
 *
 *   u = w / m,  G+ = G_min + R (1 + u) / 2,  G- = G_min + R (1 - u) / 2
 *   back: w = (G+ - G-) / R m
 *
 * in CrossSim's normalized units (tests/peer/README.md, section 5), m the
 * clip max.  w = 0 puts both devices at (g_min + g_max) / 2, +m puts G+
 * at g_max and G- at g_min.  Unlike single-pair, both devices of a pair
 * always carry current, and G+ + G- is constant.
 *
 * CrossSim computes G+ and G- in the weights' precision and then stores
 * them as float32, even for float64 weights, and reads them back in
 * float32; so does this converter, to give CrossSim's numbers: a float64
 * plane holds float32 values (clamped into the bounds, which need not be
 * float32 values), and the round trip is float32-accurate (about 1e-7 of
 * max |w|) in both dtypes.
 *
 * With `levels: L` (uniform) it places the levels itself, through
 * CONDMAP_INTERFACE_LEVELS_UNIFORM, as CrossSim's cell_bits do: each
 * device is snapped on its own in normalized float32 units (peer_snap_f32,
 * README section 7) before the scaling to µS; snapping the µS values, as
 * the core does, rounds a few float32 ties the other way.  The read-back
 * does not depend on L.  An explicit list or a table of levels is snapped
 * by the core. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "peer-math.h"

enum { TWO_SIDED_PARAM_CLIP_MAX = 0 };
static const char *const two_sided_param_names[] = { "clip_max", NULL };

typedef struct {
  const CondmapHost *host;   /* for errors in plan() */
  float g_min_n_f32, range_n_f32;   /* G_min, R, in each dtype */
  double g_min_n_f64, range_n_f64;
  float g_max_f32;           /* g_max, µS, as CrossSim's float32 planes */
  float g_min_us_f32, g_max_us_f32; /* bounds, µS, clamps of each dtype */
  double g_min_us_f64, g_max_us_f64;
  float k_f32;               /* set_levels(): CrossSim's level factor, 0:
                                no levels */
} TwoSidedState;

static const CondmapSettingDecl two_sided_settings[] = {
  CONDMAP_SETTING_G_MIN (PEER_G_MIN_DEFAULT),
  CONDMAP_SETTING_G_MAX (PEER_G_MAX_DEFAULT),
  CONDMAP_SETTINGS_END
};

static void *
two_sided_create (const CondmapHost *host, CondmapContext *ctx)
{
  TwoSidedState *st = calloc (1, sizeof (TwoSidedState));
  PeerRange r;

  if (st == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  peer_range_init (&r, host, ctx);
  st->host = host;
  st->g_min_n_f32 = (float) r.g_min_n;
  st->range_n_f32 = (float) r.range_n;
  st->g_min_n_f64 = r.g_min_n;
  st->range_n_f64 = r.range_n;
  st->g_max_f32 = (float) r.g_max_us;
  st->g_min_us_f32 = (float) r.g_min_us;
  st->g_max_us_f32 = (float) r.g_max_us;
  st->g_min_us_f64 = r.g_min_us;
  st->g_max_us_f64 = r.g_max_us;
  return st;
}

static void
two_sided_destroy (void *state)
{
  free (state);
}

static unsigned
two_sided_get_n_planes (const void *state)
{
  return 2;
}

static const char *
two_sided_get_plane_name (const void *state, unsigned k)
{
  return k == 0 ? "g_plus_0" : "g_minus_0";
}

/* Forward in T, then float32 as CrossSim stores it, snapped in float32
 * when there are levels, then µS in float32 as its planes times g_max;
 * back entirely in float32. */
#define TWO_SIDED_LOOP(T, SNAP)                                            \
  for (size_t i = 0; i < n; i++)                                           \
    {                                                                      \
      const T u = PAIR_CLAMP (wi[i], -m, m) / m;                           \
      const float p = SNAP ((float) (g_min_n + range_n * (1 + u) / 2));    \
      const float q = SNAP ((float) (g_min_n + range_n * (1 - u) / 2));    \
      const T a = (T) (p * g_max);                                         \
      const T b = (T) (q * g_max);                                         \
                                                                           \
      gp[i] = PAIR_CLAMP (a, lo, hi);                                      \
      gm[i] = PAIR_CLAMP (b, lo, hi);                                      \
    }
#define TWO_SIDED_NO_SNAP(g) (g)
#define TWO_SIDED_SNAP(g) peer_snap_f32 ((g), g_min_n_f32, k)

#define TWO_SIDED_DEFINE(T, SFX)                                           \
  PAIR_CLONES static void                                                  \
  two_sided_to_conductances_##SFX (const void *state, const double *params,\
                                   const T *w, size_t n, T *const *g)      \
  {                                                                        \
    const TwoSidedState *st = state;                                       \
    const T m = (T) params[TWO_SIDED_PARAM_CLIP_MAX];                      \
    const T g_min_n = st->g_min_n_##SFX, range_n = st->range_n_##SFX;      \
    const T lo = st->g_min_us_##SFX, hi = st->g_max_us_##SFX;              \
    const float g_max = st->g_max_f32;                                     \
    const float g_min_n_f32 = st->g_min_n_f32, k = st->k_f32;              \
    const T *restrict wi = w;                                              \
    T *restrict gp = g[0];                                                 \
    T *restrict gm = g[1];                                                 \
                                                                           \
    if (k > 0)                                                             \
      TWO_SIDED_LOOP (T, TWO_SIDED_SNAP)                                   \
    else                                                                   \
      TWO_SIDED_LOOP (T, TWO_SIDED_NO_SNAP)                                \
  }                                                                        \
                                                                           \
  PAIR_CLONES static void                                                  \
  two_sided_to_weights_##SFX (const void *state, const double *params,     \
                              const T *const *g, size_t n, T *w)           \
  {                                                                        \
    const TwoSidedState *st = state;                                       \
    const float m = (float) params[TWO_SIDED_PARAM_CLIP_MAX];              \
    const float range_n = st->range_n_f32, g_max = st->g_max_f32;          \
    const T *restrict gp = g[0];                                           \
    const T *restrict gm = g[1];                                           \
    T *restrict out = w;                                                   \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      {                                                                    \
        const float d = (float) gp[i] / g_max - (float) gm[i] / g_max;     \
                                                                           \
        out[i] = (T) (d / range_n * m);                                    \
      }                                                                    \
  }

TWO_SIDED_DEFINE (float, f32)
TWO_SIDED_DEFINE (double, f64)

static int
two_sided_plan (const void *state, const CondmapStats *stats, double *params,
                CondmapContext *ctx)
{
  const TwoSidedState *st = state;

  return peer_clip_max (st->host, ctx, stats,
                        &params[TWO_SIDED_PARAM_CLIP_MAX]);
}

/* CONDMAP_INTERFACE_LEVELS_UNIFORM: the level count, once, before
 * plan().  Any count works: w = 0 is the middle of the range, on a level
 * when L is odd, and a tie that takes both devices to one level when L is
 * even. */
static int
two_sided_set_levels (void *state, uint32_t n_levels, CondmapContext *ctx)
{
  TwoSidedState *st = state;

  (void) ctx;
  st->k_f32 = (float) peer_level_factor (n_levels, st->range_n_f64);
  return 1;
}

static const CondmapLevelsUniformInterface two_sided_levels_uniform = {
  (uint32_t) sizeof (CondmapLevelsUniformInterface), two_sided_set_levels
};

static const void *
two_sided_get_interface (const char *uri)
{
  if (uri != NULL && strcmp (uri, CONDMAP_INTERFACE_LEVELS_UNIFORM) == 0)
    return &two_sided_levels_uniform;
  return NULL;
}

static const CondmapConverterOps two_sided_ops = CONDMAP_CONVERTER_OPS (
  two_sided_get_n_planes, two_sided_get_plane_name, two_sided_param_names,
  two_sided_plan, two_sided_to_conductances_f32,
  two_sided_to_conductances_f64, two_sided_to_weights_f32,
  two_sided_to_weights_f64);

CONDMAP_PLUGIN_DEFINE_FULL (CONDMAP_PLUGIN_KIND_CONVERTER, "two-sided-pair",
                            "one pair of devices per weight around mid-"
                            "conductance, G+ + G- constant (CrossSim "
                            "balanced TWO_SIDED)",
                            PACKAGE_VERSION, two_sided_settings,
                            two_sided_create, two_sided_destroy,
                            &two_sided_ops, two_sided_get_interface)
