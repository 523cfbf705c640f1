/* A plugin that leaves a required function pointer NULL. */
#include "fake-plugin.h"

static CondmapPluginDesc desc = { FAKE_DESC_INIT ("null-func") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  desc.plan = NULL;
  return &desc;
}
