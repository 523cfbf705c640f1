/* A plugin built for a future, incompatible ABI major version. */
#include "fake-plugin.h"

static CondmapPluginDesc desc = { FAKE_DESC_INIT ("abi-major") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *condmap_plugin_get_desc (void);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  desc.abi_major = CONDMAP_ABI_MAJOR + 1;
  return &desc;
}
