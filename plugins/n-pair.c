/* n-pair.c - N pairs of devices per weight, pair k weighted by F_k
 * (aihwkit's NPairConductanceConverter).
 *
 *   R = g_max - g_min;  s = sum_k F_k R / max(|W|, Z);  u = s w
 *   L_0 = 0,  L_{k+1} = L_k + F_k R
 *   g+_k = clamp((max(u, 0) - L_k) / F_k + g_min, g_min, g_max)
 *   g-_k = clamp((max(-u, 0) - L_k) / F_k + g_min, g_min, g_max)
 *   back: w = sum_k F_k (g+_k - g-_k) / s
 *
 * All of it lives in pair-math.c, shared with dual-pair and custom-pair;
 * this file only declares the settings: at least one factor in f_lst. */
#include "config.h"

#include "pair-math.h"

static const CondmapSettingDecl n_pair_settings[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  PAIR_SETTING_F_LST (1, 0, "significance F_k of pair k in w = sum F_k "
                      "(g+_k - g-_k) / s; pair 0 fills first"),
  CONDMAP_SETTINGS_END
};

static const CondmapConverterOps n_pair_ops = CONDMAP_CONVERTER_OPS (
  pair_get_n_planes, pair_get_plane_name, pair_param_names, pair_plan,
  pair_to_conductances_f32, pair_to_conductances_f64,
  pair_to_weights_f32, pair_to_weights_f64);

CONDMAP_PLUGIN_DEFINE_FULL (CONDMAP_PLUGIN_KIND_CONVERTER, "n-pair",
                            "N pairs of devices per weight, pair k weighted by "
                            "F_k; the first pair fills first (aihwkit "
                            "NPairConductanceConverter)",
                            PACKAGE_VERSION, n_pair_settings, pair_create_n,
                            pair_destroy, &n_pair_ops,
                            pair_get_interface)
