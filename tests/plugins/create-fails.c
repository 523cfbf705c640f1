/* A plugin whose create() refuses every config: with a GError, or (with
 * `silent: true`) without one, which the host must report for it.  With
 * `offset` it loads and writes g_min + offset, so a test can make its
 * kernel write outside [g_min, g_max]. */
#include "fake-plugin.h"

static void *
failing_create (CondmapSettings *settings, GError **error)
{
  gboolean silent, no = FALSE, fail, yes = TRUE;

  if (!condmap_settings_get_boolean (settings, "silent", &no, &silent, error)
      || !condmap_settings_get_boolean (settings, "fail", &yes, &fail, error))
    return NULL;
  if (silent)
    return NULL;
  if (fail)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "create-fails refuses every config");
      return NULL;
    }
  return fake_create (settings, error);
}

static CondmapPluginDesc desc = { FAKE_DESC_INIT ("create-fails") };

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  desc.create = failing_create;
  return &desc;
}
