/* A valid plugin that claims a name a real plugin already has. */
#include "fake-plugin.h"

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "single-pair",
                       "test plugin", "0", fake_settings, fake_create,
                       fake_destroy, &fake_ops)
