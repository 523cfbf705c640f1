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

#include "pair-math.h"

/* Bounds (µS) rounded once per dtype, as the reference computes in the
 * tensor's dtype. */
typedef struct {
  float g_min_f32, g_max_f32;
  double g_min_f64, g_max_f64;
} SingleDeviceState;

static const char *const single_device_param_names[] = {
  "scale_ratio", "w_min", NULL
};

static void *
single_device_create (CondmapSettings *settings, GError **error)
{
  double g_min, g_max;
  SingleDeviceState *st;

  if (!condmap_settings_get_bounds (settings, 9.0, 88.199997, &g_min,
                                    &g_max, error))
    return NULL;

  st = g_new0 (SingleDeviceState, 1);
  st->g_min_f32 = (float) g_min;
  st->g_max_f32 = (float) g_max;
  st->g_min_f64 = g_min;
  st->g_max_f64 = g_max;
  return st;
}

static void
single_device_destroy (void *state)
{
  g_free (state);
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
                                       const CondmapParams *params,        \
                                       const T *w, size_t n,               \
                                       T *const *g)                        \
  {                                                                        \
    const SingleDeviceState *st = state;                                   \
    const T s = (T) condmap_params_get (params, "scale_ratio");            \
    const T w_min = (T) condmap_params_get (params, "w_min");              \
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
                                  const CondmapParams *params,             \
                                  const T *const *g, size_t n, T *w)       \
  {                                                                        \
    const SingleDeviceState *st = state;                                   \
    /* A multiply by 1/s, not a divide: the back pass must keep up with   \
     * a plain copy of the plane. */                                       \
    const T inv_s = 1 / (T) condmap_params_get (params, "scale_ratio");    \
    const T w_min = (T) condmap_params_get (params, "w_min");              \
    const T lo = st->g_min_##SFX;                                          \
    const T *restrict gi = g[0];                                           \
    T *restrict out = w;                                                   \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      out[i] = w_min + (gi[i] - lo) * inv_s;                               \
  }

SINGLE_DEVICE_DEFINE (float, f32)
SINGLE_DEVICE_DEFINE (double, f64)

static gboolean
single_device_plan (const void *state, const CondmapStats *stats,
                    CondmapParams *params, GError **error)
{
  const SingleDeviceState *st = state;
  /* max(W) - min(W) in the dtype's arithmetic */
  double spread = stats->dtype == CONDMAP_DTYPE_FLOAT32
                  ? (double) ((float) stats->max - (float) stats->min)
                  : stats->max - stats->min;

  if (!pair_set_scale_ratio (st->g_max_f32 - st->g_min_f32,
                             st->g_max_f64 - st->g_min_f64, spread,
                             stats->dtype, params, error))
    return FALSE;
  condmap_params_set (params, "w_min", stats->min);
  return TRUE;
}

static const CondmapPluginDesc single_device_desc = {
  .abi_major = CONDMAP_ABI_MAJOR,
  .abi_minor = CONDMAP_ABI_MINOR,
  .struct_size = sizeof (CondmapPluginDesc),
  .name = "single-device",
  .description = "one bidirectional device per weight, min(W) at g_min and "
                 "max(W) at g_max (aihwkit SingleDeviceConductanceConverter)",
  .version = PACKAGE_VERSION,
  .create = single_device_create,
  .destroy = single_device_destroy,
  .get_n_planes = single_device_get_n_planes,
  .get_plane_name = single_device_get_plane_name,
  .param_names = single_device_param_names,
  .plan = single_device_plan,
  .to_conductances_f32 = single_device_to_conductances_f32,
  .to_conductances_f64 = single_device_to_conductances_f64,
  .to_weights_f32 = single_device_to_weights_f32,
  .to_weights_f64 = single_device_to_weights_f64,
};

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return &single_device_desc;
}
