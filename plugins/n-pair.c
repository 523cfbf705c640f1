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
 * this file only sets the rule for f_lst: at least one factor. */
#include "config.h"

#include "pair-math.h"

static void *
n_pair_create (CondmapSettings *settings, GError **error)
{
  return pair_create_n (settings, 1, 0, error);
}

static const CondmapPluginDesc n_pair_desc =
  PAIR_PLUGIN_DESC ("n-pair",
                    "N pairs of devices per weight, pair k weighted by F_k; "
                    "the first pair fills first (aihwkit "
                    "NPairConductanceConverter)",
                    n_pair_create, pair_destroy, pair_plan,
                    pair_to_conductances_f32, pair_to_conductances_f64);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return &n_pair_desc;
}
