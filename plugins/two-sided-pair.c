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
 * max |w|) in both dtypes. */
#include "config.h"

#include <stdlib.h>
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

/* Forward in T, then float32 as CrossSim stores it, then µS in float32 as
 * its planes times g_max; back entirely in float32. */
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
    const T *restrict wi = w;                                              \
    T *restrict gp = g[0];                                                 \
    T *restrict gm = g[1];                                                 \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      {                                                                    \
        const T u = PAIR_CLAMP (wi[i], -m, m) / m;                         \
        const float p = (float) (g_min_n + range_n * (1 + u) / 2);         \
        const float q = (float) (g_min_n + range_n * (1 - u) / 2);         \
        const T a = (T) (p * g_max);                                       \
        const T b = (T) (q * g_max);                                       \
                                                                           \
        gp[i] = PAIR_CLAMP (a, lo, hi);                                    \
        gm[i] = PAIR_CLAMP (b, lo, hi);                                    \
      }                                                                    \
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

static const CondmapConverterOps two_sided_ops = CONDMAP_CONVERTER_OPS (
  two_sided_get_n_planes, two_sided_get_plane_name, two_sided_param_names,
  two_sided_plan, two_sided_to_conductances_f32,
  two_sided_to_conductances_f64, two_sided_to_weights_f32,
  two_sided_to_weights_f64);

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "two-sided-pair",
                       "one pair of devices per weight around mid-"
                       "conductance, G+ + G- constant (CrossSim balanced "
                       "TWO_SIDED)",
                       PACKAGE_VERSION, two_sided_settings, two_sided_create,
                       two_sided_destroy, &two_sided_ops)
