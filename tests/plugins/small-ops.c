/* A plugin whose converter ops are smaller than ABI 2.0's: they claim to
 * lack to_weights_f64, the last member of 2.0. */
#include "fake-plugin.h"

static CondmapConverterOps ops = FAKE_OPS_INIT;
static CondmapPluginDesc desc = { FAKE_DESC_INIT ("small-ops") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *condmap_plugin_get_desc (void);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  ops.struct_size = offsetof (CondmapConverterOps, to_weights_f64);
  desc.ops = &ops;
  return &desc;
}
