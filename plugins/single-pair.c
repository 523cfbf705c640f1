/* single-pair.c - one pair of devices per weight (aihwkit's
 * SinglePairConductanceConverter).
 *
 *   s  = (g_max - g_min) / max(|W|, Z)
 *   g+ = clamp( s w, 0, g_max) + g_min
 *   g- = clamp(-s w, 0, g_max) + g_min
 *
 * The inverse is the pair inverse with F = [1]: w = (g+ - g-) / s, which
 * is aihwkit's ((g+ - g_min) - (g- - g_min)) / s.  The plan is the pair
 * plan with F = [1] too: s = 1 * (g_max - g_min) / max(|W|, Z). */
#include "config.h"

#include "pair-math.h"

static void *
single_pair_create (CondmapSettings *settings, GError **error)
{
  double g_min, g_max;
  double *f;
  PairState *state;

  if (!condmap_settings_get_bounds (settings, 0.0, 25.0, &g_min, &g_max,
                                    error))
    return NULL;

  f = g_new (double, 1);
  f[0] = 1.0;
  state = g_new0 (PairState, 1);
  pair_state_init (state, g_min, g_max, f, 1);
  return state;
}

/* The clamp to g_max after adding g_min only catches the last ulp of
 * rounding in s |W|: the ABI promises outputs inside [g_min, g_max]. */
#define SINGLE_PAIR_DEFINE_FORWARD(T, SFX)                                 \
  PAIR_CLONES static void                                                  \
  single_pair_to_conductances_##SFX (const void *state,                    \
                                     const CondmapParams *params,          \
                                     const T *w, size_t n, T *const *g)    \
  {                                                                        \
    const PairState *st = state;                                           \
    const T s = (T) condmap_params_get (params, "scale_ratio");            \
    const T lo = st->c_##SFX.g_min;                                        \
    const T hi = st->c_##SFX.g_max;                                        \
    const T *restrict wi = w;                                              \
    T *restrict gp = g[0];                                                 \
    T *restrict gm = g[1];                                                 \
                                                                           \
    for (size_t i = 0; i < n; i++)                                         \
      {                                                                    \
        const T u = s * wi[i];                                             \
        const T a = PAIR_CLAMP (u, 0, hi) + lo;                            \
        const T b = PAIR_CLAMP (-u, 0, hi) + lo;                           \
                                                                           \
        gp[i] = a < hi ? a : hi;                                           \
        gm[i] = b < hi ? b : hi;                                           \
      }                                                                    \
  }

SINGLE_PAIR_DEFINE_FORWARD (float, f32)
SINGLE_PAIR_DEFINE_FORWARD (double, f64)

static const CondmapPluginDesc single_pair_desc =
  PAIR_PLUGIN_DESC ("single-pair",
                    "one pair of devices per weight, g+ for w > 0 and g- "
                    "for w < 0 (aihwkit SinglePairConductanceConverter)",
                    single_pair_create, pair_destroy, pair_plan,
                    single_pair_to_conductances_f32,
                    single_pair_to_conductances_f64);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return &single_pair_desc;
}
