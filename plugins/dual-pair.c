/* dual-pair.c - two pairs of devices per weight (aihwkit's
 * DualPairConductanceConverter): n-pair with exactly two F factors.  The
 * mathematics is n-pair's, in pair-math.c. */
#include "config.h"

#include "pair-math.h"

static const CondmapSettingDecl dual_pair_settings[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  PAIR_SETTING_F_LST (2, 2, "significances [F_0, F_1] of the two pairs in "
                      "w = sum F_k (g+_k - g-_k) / s; pair 0 fills first"),
  CONDMAP_SETTINGS_END
};

static const CondmapConverterOps dual_pair_ops = CONDMAP_CONVERTER_OPS (
  pair_get_n_planes, pair_get_plane_name, pair_param_names, pair_plan,
  pair_to_conductances_f32, pair_to_conductances_f64,
  pair_to_weights_f32, pair_to_weights_f64);

CONDMAP_PLUGIN_DEFINE_FULL (CONDMAP_PLUGIN_KIND_CONVERTER, "dual-pair",
                            "two pairs of devices per weight, weighted by F_0 and "
                            "F_1 (aihwkit DualPairConductanceConverter)",
                            PACKAGE_VERSION, dual_pair_settings, pair_create_n,
                            pair_destroy, &dual_pair_ops,
                            pair_get_interface)
