/* A plugin whose struct_size is smaller than the ABI 2.0 descriptor: it
 * claims to lack get_interface, the last member of 2.0. */
#include "fake-plugin.h"

static CondmapPluginDesc desc = { FAKE_DESC_INIT ("small-desc") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *condmap_plugin_get_desc (void);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  desc.struct_size = offsetof (CondmapPluginDesc, get_interface);
  return &desc;
}
