/* A plugin whose name no YAML `converter:` value may take. */
#include "fake-plugin.h"

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "Bad Name!",
                       "test plugin", "0", fake_settings, fake_create,
                       fake_destroy, &fake_ops)
