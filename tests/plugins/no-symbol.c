/* A shared object that exports the wrong entry point name. */
#include "fake-plugin.h"

static const CondmapPluginDesc desc = { FAKE_DESC_INIT ("no-symbol") };

const CondmapPluginDesc *condmap_plugin_get_descriptor (void);

__attribute__ ((visibility ("default"))) const CondmapPluginDesc *
condmap_plugin_get_descriptor (void)
{
  return &desc;
}
