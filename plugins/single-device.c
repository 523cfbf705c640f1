/* single-device.c - one bidirectional device per weight (aihwkit's
 * SingleDeviceConductanceConverter).
 *
 *   s = (g_max - g_min) / max(max(W) - min(W), Z)
 *   g = (w - min(W)) s + g_min
 *   back: w = min(W) + (g - g_min) / s
 *
 * Params: scale_ratio and w_min.  aihwkit divides by zero when all weights
 * are equal; with the Z guard they map to g_min, and since g_min - g_min
 * is exactly 0 they come back exactly as w_min.
 *
 * Not a pair converter, but the scale ratio and its guard are the pairs'
 * (pair-math.h), with max(W) - min(W) where the pairs take max |W|. */
#include "config.h"

#include <stdlib.h>
#include "pair-math.h"

/* Bounds (µS) rounded once per dtype, as the reference computes in the
 * tensor's dtype. */
typedef struct {
  const CondmapHost *host;  /* for errors in plan() */
  float g_min_f32, g_max_f32;
  double g_min_f64, g_max_f64;
} SingleDeviceState;

/* The params, in the order of their index. */
static const char *const single_device_param_names[] = {
  "scale_ratio", "w_min", NULL
};
enum { SINGLE_DEVICE_PARAM_W_MIN = 1 };

/* The bounds' defaults are aihwkit's for this converter, not the pairs'
 * 0 and 25 µS. */
static const CondmapSettingDecl single_device_settings[] = {
  CONDMAP_SETTING_G_MIN (9.0),
  CONDMAP_SETTING_G_MAX (88.199997),
  CONDMAP_SETTINGS_END
};

static void *
single_device_create (const CondmapHost *host, CondmapContext *ctx)
{
  const double g_min = host->get_number (ctx, "g_min");
  const double g_max = host->get_number (ctx, "g_max");
  SingleDeviceState *st = calloc (1, sizeof (SingleDeviceState));

  if (st == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  st->host = host;
  st->g_min_f32 = (float) g_min;
  st->g_max_f32 = (float) g_max;
  st->g_min_f64 = g_min;
  st->g_max_f64 = g_max;
  return st;
}

static void
single_device_destroy (void *state)
{
  free (state);
}

static unsigned
single_device_get_n_planes (const void *state)
{
  return 1;
}

static const char *
single_device_get_plane_name (const void *state, unsigned k)
{
  return "g";
}

/* The forward and the inverse kernel, one body per dtype.  The clamp to
 * [g_min, g_max] only catches the last ulp of rounding at max(W): the ABI
 * promises outputs inside the bounds. */
#define SINGLE_DEVICE_DEFINE(T, SFX)                                       \
  PAIR_CLONES static void                                                  \
  single_device_to_conductances_##SFX (const void *state,                  \
                                       const double *params,               \
                                       const T *w, size_t n,               \
                                       T *const *g)                        \
  {                                                                        \
    const SingleDeviceState *st = state;                                   \
    const T s = (T) params[PAIR_PARAM_SCALE_RATIO];                        \
    const T w_min = (T) params[SINGLE_DEVICE_PARAM_W_MIN];                 \
    const T lo = st->g_min_##SFX;                                          \
    const T hi = st->g_max_##SFX;                                          \
    const T *restrict wi = w;                                              \
    T *restrict out = g[0];                                                \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      {                                                                    \
        const T x = (wi[i] - w_min) * s + lo;                              \
                                                                           \
        out[i] = PAIR_CLAMP (x, lo, hi);                                   \
      }                                                                    \
  }                                                                        \
                                                                           \
  PAIR_CLONES static void                                                  \
  single_device_to_weights_##SFX (const void *state,                       \
                                  const double *params,                    \
                                  const T *const *g, size_t n, T *w)       \
  {                                                                        \
    const SingleDeviceState *st = state;                                   \
    /* A multiply by 1/s, not a divide: the back pass must keep up with   \
     * a plain copy of the plane. */                                       \
    const T inv_s = 1 / (T) params[PAIR_PARAM_SCALE_RATIO];                \
    const T w_min = (T) params[SINGLE_DEVICE_PARAM_W_MIN];                 \
    const T lo = st->g_min_##SFX;                                          \
    const T *restrict gi = g[0];                                           \
    T *restrict out = w;                                                   \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      out[i] = w_min + (gi[i] - lo) * inv_s;                               \
  }

SINGLE_DEVICE_DEFINE (float, f32)
SINGLE_DEVICE_DEFINE (double, f64)

static int
single_device_plan (const void *state, const CondmapStats *stats,
                    double *params, CondmapContext *ctx)
{
  const SingleDeviceState *st = state;
  /* max(W) - min(W) in the dtype's arithmetic */
  double spread = stats->dtype == CONDMAP_DTYPE_FLOAT32
                  ? (double) ((float) stats->max - (float) stats->min)
                  : stats->max - stats->min;

  if (!pair_set_scale_ratio (st->host, ctx, st->g_max_f32 - st->g_min_f32,
                             st->g_max_f64 - st->g_min_f64, spread,
                             stats->dtype, params))
    return 0;
  params[SINGLE_DEVICE_PARAM_W_MIN] = stats->min;
  return 1;
}

static const CondmapConverterOps single_device_ops = CONDMAP_CONVERTER_OPS (
  single_device_get_n_planes, single_device_get_plane_name,
  single_device_param_names, single_device_plan,
  single_device_to_conductances_f32, single_device_to_conductances_f64,
  single_device_to_weights_f32, single_device_to_weights_f64);

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "single-device",
                       "one bidirectional device per weight, min(W) at g_min "
                       "and max(W) at g_max (aihwkit "
                       "SingleDeviceConductanceConverter)",
                       PACKAGE_VERSION, single_device_settings,
                       single_device_create, single_device_destroy,
                       &single_device_ops)
