/* settings-private.h - the inside of CondmapSettings, shared by config.c
 * (the accessors) and unknown-key.c (refusing what no accessor read). */
#ifndef CONDMAP_SETTINGS_PRIVATE_H
#define CONDMAP_SETTINGS_PRIVATE_H

#include "condmap-private.h"

typedef struct {
  char *key;
  gboolean found;        /* present with a non-null value */
} Asked;

struct _CondmapSettings {
  const CmNode *mapping; /* borrowed; NULL: no keys */
  char *origin;
  gboolean *consumed;    /* one flag per key of @mapping */
  guint n_keys;
  GArray *asked;         /* Asked, in the order first asked */
  GPtrArray *resolved;   /* CmResolved*, in the order read */
};

static inline const CmNode *
cm_settings_key_node (const CondmapSettings *s, guint i)
{
  return s->mapping->children->pdata[2 * i];
}

#endif
