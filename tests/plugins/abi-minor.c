/* A plugin built against a newer minor ABI than the host knows. */
#include "fake-plugin.h"

static CondmapPluginDesc desc = { FAKE_DESC_INIT ("abi-minor") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  desc.abi_minor = CONDMAP_ABI_MINOR + 1;
  return &desc;
}
