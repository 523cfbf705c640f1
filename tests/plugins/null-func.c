/* A plugin that leaves a required converter operation NULL. */
#include "fake-plugin.h"

static CondmapConverterOps ops = FAKE_OPS_INIT;
static CondmapPluginDesc desc = { FAKE_DESC_INIT ("null-func") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *condmap_plugin_get_desc (void);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  ops.plan = NULL;
  desc.ops = &ops;
  return &desc;
}
