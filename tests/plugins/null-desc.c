/* A plugin whose entry point returns no descriptor. */
#include "condmap-plugin.h"

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *condmap_plugin_get_desc (void);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return NULL;
}
