/* settings-private.h - the inside of CmSettings, shared by config.c (the
 * validation against a plugin's declared settings), unknown-key.c
 * (refusing keys the plugin does not declare) and host.c (the accessors a
 * plugin reads them with). */
#ifndef CONDMAP_SETTINGS_PRIVATE_H
#define CONDMAP_SETTINGS_PRIVATE_H

#include "condmap-private.h"

struct _CmSettings {
  const CmNode *mapping; /* borrowed; NULL: no keys */
  char *origin;
  gboolean *consumed;    /* one flag per key of @mapping */
  guint n_keys;
  const CmDeclTable *decls;
  GPtrArray *resolved;   /* CmResolved*, in the order declared */
};

static inline const CmNode *
cm_settings_key_node (const CmSettings *s, guint i)
{
  return s->mapping->children->pdata[2 * i];
}

/* Index of @key among the keys of the mapping, or -1. */
gint cm_settings_find_key (const CmSettings *s, const char *key);

#endif
