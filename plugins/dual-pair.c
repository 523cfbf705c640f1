/* dual-pair.c - two pairs of devices per weight (aihwkit's
 * DualPairConductanceConverter): n-pair with exactly two F factors.  The
 * mathematics is n-pair's, in pair-math.c. */
#include "config.h"

#include "pair-math.h"

static void *
dual_pair_create (CondmapSettings *settings, GError **error)
{
  return pair_create_n (settings, 2, 2, error);
}

static const CondmapPluginDesc dual_pair_desc =
  PAIR_PLUGIN_DESC ("dual-pair",
                    "two pairs of devices per weight, weighted by F_0 and "
                    "F_1 (aihwkit DualPairConductanceConverter)",
                    dual_pair_create, pair_destroy, pair_plan,
                    pair_to_conductances_f32, pair_to_conductances_f64);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return &dual_pair_desc;
}
