/* offset-ref.c - one device per weight plus a reference device at
 * mid-conductance (the offset scheme of NeuroSim and MemTorch), an
 * out-of-tree condmap converter plugin.
 *
 * A signed weight is stored as the offset of its device from a reference
 * device whose current the periphery subtracts:
 *
 *   g_ref = g_min + ref_fraction (g_max - g_min)          (0.5: the middle)
 *   s     = min(g_ref - g_min, g_max - g_ref) / max(|W|, Z)
 *   g     = g_ref + s w                   plane "g"
 *           g_ref                         plane "g_ref", every element
 *   back: w = (g - g_ref) / s             with the g_ref plane as read back
 *
 * The g_ref plane lets a measured reference be read back per element: a
 * drift that moves the weight device and its reference alike cancels. */
#include <math.h>
#include <condmap-plugin.h>

/* aihwkit's guard against an all-zero weight array: max(|W|, Z). */
#define OFFSET_REF_Z 1e-7

/* The numbers a kernel needs, rounded to its dtype once, at create():
 * float32 weights are converted in float32 arithmetic. */
#define OFFSET_REF_COEF(T)                                                 \
  struct {                                                                 \
    T g_min;     /* µS */                                                  \
    T g_max;     /* µS */                                                  \
    T g_ref;     /* µS, the reference device */                            \
    T reach;     /* µS a weight of max |W| moves away from g_ref */        \
  }

typedef struct {
  OFFSET_REF_COEF (float) c_f32;
  OFFSET_REF_COEF (double) c_f64;
} OffsetRefState;

static const char *const offset_ref_plane_names[] = { "g", "g_ref" };

static const char *const offset_ref_param_names[] = { "scale_ratio", NULL };

/* ---- instantiation class: create, destroy, plan ----------------------- */

static void *
offset_ref_create (CondmapSettings *settings, GError **error)
{
  const double ref_fraction_default = 0.5;
  double g_min, g_max, ref_fraction, g_ref, reach;
  OffsetRefState *st;

  /* Each accessor marks its key as read and records the value it
   * resolved, default included, for params.yaml.  A key that no accessor
   * read is refused by condmap after create() returns. */
  if (!condmap_settings_get_bounds (settings, 0.0, 25.0, &g_min, &g_max,
                                    error)
      || !condmap_settings_get_double (settings, "ref_fraction",
                                       &ref_fraction_default, &ref_fraction,
                                       error))
    return NULL;

  /* A rule only this plugin knows: the accessor checked "finite". */
  if (!(ref_fraction > 0.0 && ref_fraction < 1.0))
    {
      condmap_settings_set_error (settings, error, CONDMAP_ERROR_CONFIG,
                                  "ref_fraction", "ref_fraction = %g must "
                                  "be inside (0, 1): the reference sits "
                                  "strictly between g_min and g_max (0.5 "
                                  "is the middle)", ref_fraction);
      return NULL;
    }

  g_ref = g_min + ref_fraction * (g_max - g_min);
  reach = MIN (g_ref - g_min, g_max - g_ref);

  st = g_new0 (OffsetRefState, 1);
  st->c_f32.g_min = (float) g_min;
  st->c_f32.g_max = (float) g_max;
  st->c_f32.g_ref = (float) g_ref;
  st->c_f32.reach = (float) reach;
  st->c_f64.g_min = g_min;
  st->c_f64.g_max = g_max;
  st->c_f64.g_ref = g_ref;
  st->c_f64.reach = reach;
  return st;
}

static void
offset_ref_destroy (void *state)
{
  g_free (state);
}

static gboolean
offset_ref_plan (const void *state, const CondmapStats *stats,
                 CondmapParams *params, GError **error)
{
  const OffsetRefState *st = state;
  double s;

  /* In the dtype's arithmetic, as the kernels will use it. */
  if (stats->dtype == CONDMAP_DTYPE_FLOAT32)
    s = st->c_f32.reach / MAX ((float) stats->abs_max, (float) OFFSET_REF_Z);
  else
    s = st->c_f64.reach / MAX (stats->abs_max, OFFSET_REF_Z);

  if (!(isfinite (s) && s > 0.0))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "offset-ref: the scale ratio is %g: g_max - g_min is out "
                   "of range for %s weights", s,
                   stats->dtype == CONDMAP_DTYPE_FLOAT32 ? "float32"
                                                         : "float64");
      return FALSE;
    }
  condmap_params_set (params, "scale_ratio", s);
  return TRUE;
}

/* ---- kernel class: planes, and the kernels ---------------------------- */

static unsigned
offset_ref_get_n_planes (const void *state)
{
  (void) state;
  return 2;
}

static const char *
offset_ref_get_plane_name (const void *state, unsigned k)
{
  (void) state;
  return offset_ref_plane_names[k];
}

/* One body for both dtypes.  The kernels only read the state and params
 * and write their own chunk: many threads run them at once.  The clamp
 * only catches the last ulp of rounding at w = +-max |W|. */
#define OFFSET_REF_DEFINE_KERNELS(T, SFX)                                  \
  static void                                                              \
  offset_ref_to_conductances_##SFX (const void *state,                     \
                                    const CondmapParams *params,           \
                                    const T *w, size_t n, T *const *g)     \
  {                                                                        \
    const OffsetRefState *st = state;                                      \
    const T s = (T) condmap_params_get (params, "scale_ratio");            \
    const T lo = st->c_##SFX.g_min;                                        \
    const T hi = st->c_##SFX.g_max;                                        \
    const T ref = st->c_##SFX.g_ref;                                       \
    T *restrict dev = g[0];                                                \
    T *restrict rdev = g[1];                                               \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      {                                                                    \
        const T x = ref + s * w[i];                                        \
                                                                           \
        dev[i] = x < lo ? lo : (x > hi ? hi : x);                          \
        rdev[i] = ref;                                                     \
      }                                                                    \
  }                                                                        \
                                                                           \
  static void                                                              \
  offset_ref_to_weights_##SFX (const void *state,                          \
                               const CondmapParams *params,                \
                               const T *const *g, size_t n, T *w)          \
  {                                                                        \
    const T s = (T) condmap_params_get (params, "scale_ratio");            \
    const T *restrict dev = g[0];                                          \
    const T *restrict rdev = g[1];                                         \
                                                                           \
    (void) state;                                                          \
    for (size_t i = 0; i < n; i++)                                         \
      w[i] = (dev[i] - rdev[i]) / s;                                       \
  }

OFFSET_REF_DEFINE_KERNELS (float, f32)
OFFSET_REF_DEFINE_KERNELS (double, f64)

/* ---- the descriptor ------------------------------------------------------ */

static const CondmapPluginDesc offset_ref_desc = {
  .abi_major = CONDMAP_ABI_MAJOR,
  .abi_minor = CONDMAP_ABI_MINOR,
  .struct_size = sizeof (CondmapPluginDesc),
  .name = "offset-ref",
  .description = "one device per weight offset from a shared reference "
                 "device at mid-conductance (NeuroSim/MemTorch style)",
  .version = "1.0.0",
  .create = offset_ref_create,
  .destroy = offset_ref_destroy,
  .get_n_planes = offset_ref_get_n_planes,
  .get_plane_name = offset_ref_get_plane_name,
  .param_names = offset_ref_param_names,
  .plan = offset_ref_plan,
  .to_conductances_f32 = offset_ref_to_conductances_f32,
  .to_conductances_f64 = offset_ref_to_conductances_f64,
  .to_weights_f32 = offset_ref_to_weights_f32,
  .to_weights_f64 = offset_ref_to_weights_f64,
};

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return &offset_ref_desc;
}
