/* params.c - the named numbers a plan hands to the kernels and to the
 * sidecar.  A handful of names at most, so a flat array beats a hash; each
 * name holds one value per row (one row per channel when the config
 * scales per channel, else one). */
#include <math.h>
#include <string.h>
#include "condmap.h"

typedef struct {
  char *name;
  double *values;    /* n_rows of them; NAN where not set */
} Entry;

struct _CondmapParams {
  GArray *entries;   /* Entry, in the order first set */
  size_t n_rows;     /* >= 1 */
};

static void
entry_clear (gpointer data)
{
  g_free (((Entry *) data)->name);
  g_free (((Entry *) data)->values);
}

static double *
new_column (size_t n_rows)
{
  double *values = g_new (double, n_rows);

  for (size_t r = 0; r < n_rows; r++)
    values[r] = NAN;
  return values;
}

CondmapParams *
condmap_params_new (void)
{
  CondmapParams *params = g_new0 (CondmapParams, 1);

  params->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (params->entries, entry_clear);
  params->n_rows = 1;
  return params;
}

CondmapParams *
condmap_params_copy (const CondmapParams *params)
{
  CondmapParams *copy = condmap_params_new ();

  copy->n_rows = params->n_rows;
  for (guint i = 0; i < params->entries->len; i++)
    {
      const Entry *e = &g_array_index (params->entries, Entry, i);
      Entry fresh = { g_strdup (e->name),
                      g_memdup2 (e->values,
                                 params->n_rows * sizeof (double)) };

      g_array_append_val (copy->entries, fresh);
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

/* The entry of @name, added (every row NAN) if it is new. */
static Entry *
find_or_add (CondmapParams *params, const char *name)
{
  Entry *e = find (params, name);
  Entry fresh;

  if (e != NULL)
    return e;
  fresh.name = g_strdup (name);
  fresh.values = new_column (params->n_rows);
  g_array_append_val (params->entries, fresh);
  return &g_array_index (params->entries, Entry, params->entries->len - 1);
}

void
condmap_params_set (CondmapParams *params, const char *name, double value)
{
  find_or_add (params, name)->values[0] = value;
}

double
condmap_params_get (const CondmapParams *params, const char *name)
{
  return condmap_params_get_row_value (params, 0, name);
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

/* ---- rows --------------------------------------------------------------- */

size_t
condmap_params_get_n_rows (const CondmapParams *params)
{
  return params->n_rows;
}

void
condmap_params_set_n_rows (CondmapParams *params, size_t n_rows)
{
  g_return_if_fail (n_rows >= 1);
  for (guint i = 0; i < params->entries->len; i++)
    {
      Entry *e = &g_array_index (params->entries, Entry, i);

      e->values = g_renew (double, e->values, n_rows);
      for (size_t r = params->n_rows; r < n_rows; r++)
        e->values[r] = NAN;
    }
  params->n_rows = n_rows;
}

double
condmap_params_get_row_value (const CondmapParams *params, size_t row,
                              const char *name)
{
  const Entry *e = find (params, name);

  return e != NULL && row < params->n_rows ? e->values[row] : NAN;
}

void
condmap_params_set_row_value (CondmapParams *params, size_t row,
                              const char *name, double value)
{
  g_return_if_fail (row < G_MAXSIZE);
  if (row >= params->n_rows)
    condmap_params_set_n_rows (params, row + 1);
  find_or_add (params, name)->values[row] = value;
}

gboolean
condmap_params_get_column (const CondmapParams *params, const char *name,
                           double *values)
{
  const Entry *e = find (params, name);

  if (e == NULL)
    return FALSE;
  memcpy (values, e->values, params->n_rows * sizeof (double));
  return TRUE;
}

void
condmap_params_set_column (CondmapParams *params, const char *name,
                           const double *values, size_t n_rows)
{
  g_return_if_fail (n_rows >= 1);
  if (n_rows > params->n_rows)
    condmap_params_set_n_rows (params, n_rows);
  memcpy (find_or_add (params, name)->values, values,
          n_rows * sizeof (double));
}
