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

static const CondmapSettingDecl single_pair_settings[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  CONDMAP_SETTINGS_END
};

static void *
single_pair_create (const CondmapHost *host, CondmapContext *ctx)
{
  static const double f[] = { 1.0 };

  return pair_create (host, ctx, f, 1);
}

/* The clamp to g_max after adding g_min only catches the last ulp of
 * rounding in s |W|: the ABI promises outputs inside [g_min, g_max]. */
#define SINGLE_PAIR_DEFINE_FORWARD(T, SFX)                                 \
  PAIR_CLONES static void                                                  \
  single_pair_to_conductances_##SFX (const void *state,                    \
                                     const double *params,                 \
                                     const T *w, size_t n, T *const *g)    \
  {                                                                        \
    const PairState *st = state;                                           \
    const T s = (T) params[PAIR_PARAM_SCALE_RATIO];                        \
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

static const CondmapConverterOps single_pair_ops = CONDMAP_CONVERTER_OPS (
  pair_get_n_planes, pair_get_plane_name, pair_param_names, pair_plan,
  single_pair_to_conductances_f32, single_pair_to_conductances_f64,
  pair_to_weights_f32, pair_to_weights_f64);

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "single-pair",
                       "one pair of devices per weight, g+ for w > 0 and g- "
                       "for w < 0 (aihwkit SinglePairConductanceConverter)",
                       PACKAGE_VERSION, single_pair_settings,
                       single_pair_create, pair_destroy, &single_pair_ops)
