/* params.c - the named numbers a plan hands to the kernels and to the
 * sidecar.  A handful of entries at most, so a flat array beats a hash. */
#include <math.h>
#include <string.h>
#include "condmap.h"

typedef struct {
  char *name;
  double value;
} Entry;

struct _CondmapParams {
  GArray *entries;   /* Entry, in the order first set */
};

static void
entry_clear (gpointer data)
{
  g_free (((Entry *) data)->name);
}

CondmapParams *
condmap_params_new (void)
{
  CondmapParams *params = g_new0 (CondmapParams, 1);

  params->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (params->entries, entry_clear);
  return params;
}

CondmapParams *
condmap_params_copy (const CondmapParams *params)
{
  CondmapParams *copy = condmap_params_new ();

  for (guint i = 0; i < params->entries->len; i++)
    {
      const Entry *e = &g_array_index (params->entries, Entry, i);
      condmap_params_set (copy, e->name, e->value);
    }
  return copy;
}

void
condmap_params_free (CondmapParams *params)
{
  if (params == NULL)
    return;
  g_array_unref (params->entries);
  g_free (params);
}

static Entry *
find (const CondmapParams *params, const char *name)
{
  for (guint i = 0; i < params->entries->len; i++)
    {
      Entry *e = &g_array_index (params->entries, Entry, i);
      if (strcmp (e->name, name) == 0)
        return e;
    }
  return NULL;
}

void
condmap_params_set (CondmapParams *params, const char *name, double value)
{
  Entry *e = find (params, name);
  Entry fresh;

  if (e != NULL)
    {
      e->value = value;
      return;
    }
  fresh.name = g_strdup (name);
  fresh.value = value;
  g_array_append_val (params->entries, fresh);
}

double
condmap_params_get (const CondmapParams *params, const char *name)
{
  const Entry *e = find (params, name);

  return e != NULL ? e->value : NAN;
}

gboolean
condmap_params_has (const CondmapParams *params, const char *name)
{
  return find (params, name) != NULL;
}

size_t
condmap_params_get_n (const CondmapParams *params)
{
  return params->entries->len;
}

const char *
condmap_params_get_name (const CondmapParams *params, size_t i)
{
  if (i >= params->entries->len)
    return NULL;
  return g_array_index (params->entries, Entry, i).name;
}
