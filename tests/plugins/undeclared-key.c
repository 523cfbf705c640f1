/* A plugin whose create() reads a key its settings table does not
 * declare, and then carries on as if nothing happened: the host must
 * refuse the converter all the same (CONDMAP_ERROR_PLUGIN) and destroy the
 * state. */
#include "fake-plugin.h"

static void *
undeclared_create (const CondmapHost *host, CondmapContext *ctx)
{
  double ignored = host->get_number (ctx, "not_declared");

  (void) ignored;
  return fake_create (host, ctx);
}

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "undeclared-key",
                       "test plugin", "0", fake_settings, undeclared_create,
                       fake_destroy, &fake_ops)
