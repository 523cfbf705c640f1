/* A shared object that exports the wrong entry point name. */
#include "fake-plugin.h"

static const CondmapPluginDesc desc = { FAKE_DESC_INIT ("no-symbol") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_descriptor (void);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_descriptor (void)
{
  return &desc;
}
