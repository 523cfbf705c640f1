/* A plugin whose create() refuses every config: through host->error(),
 * or (with `silent: true`) without a word, which the host must report
 * for it.  With `fail: false` it is the fake, so a test can make its
 * kernel write outside [g_min, g_max] (`offset`) or NaN (`nan`). */
#include "fake-plugin.h"

static const CondmapSettingDecl settings[] = {
  FAKE_SETTINGS,
  { "silent", CONDMAP_SETTING_BOOLEAN, "", 0.0, NULL, 0.0, 1.0, 0, 0, 0,
    "fail without reporting why", NULL },
  { "fail", CONDMAP_SETTING_BOOLEAN, "", 1.0, NULL, 0.0, 1.0, 0, 0, 0,
    "refuse the config", NULL },
  CONDMAP_SETTINGS_END
};

static void *
failing_create (const CondmapHost *host, CondmapContext *ctx)
{
  if (host->get_boolean (ctx, "silent"))
    return NULL;
  if (host->get_boolean (ctx, "fail"))
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "fail",
                   "create-fails refuses every config (fail = %d)", 1);
      return NULL;
    }
  return fake_create (host, ctx);
}

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "create-fails",
                       "test plugin", "0", settings, failing_create,
                       fake_destroy, &fake_ops)
