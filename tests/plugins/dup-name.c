/* A valid plugin that claims a name a real plugin already has. */
#include "fake-plugin.h"

static const CondmapPluginDesc desc = { FAKE_DESC_INIT ("single-pair") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return &desc;
}
