/* config.c - the settings accessors that plugins read their config with.
 *
 * Every accessor does three things besides reading: it notes that the
 * plugin asked for the key (the did-you-mean candidates), marks a present
 * key consumed (so a key nobody read is refused afterwards), and records
 * the resolved value, default included, for the params sidecar.
 *
 * Messages start with "ORIGIN:LINE: " (the line of the offending value, so
 * an editor jumps to it) and then say the key, the rule and what was
 * found. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "settings-private.h"



/* ---- helpers --------------------------------------------------------- */

/* The shortest "%.Ng" that reads back as @v, for messages. */
static void
format_short (char *buf, double v)
{
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        return;
    }
}

/* Sets a CONFIG error at the position of @at (NULL: the file as a whole). */
static gboolean G_GNUC_PRINTF (4, 5)
fail (CondmapSettings *s, GError **error, const CmNode *at,
      const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (at != NULL)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG, "%s:%u: %s",
                 s->origin, at->line, text);
  else
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG, "%s: %s",
                 s->origin, text);
  return FALSE;
}

/* "f_lst", "f_lst[1]" or "g_lst[0][1]"; -1 leaves an index out. */
static char *
label (const char *key, gssize row, gssize col)
{
  if (row < 0)
    return g_strdup (key);
  if (col < 0)
    return g_strdup_printf ("%s[%" G_GSSIZE_FORMAT "]", key, row);
  return g_strdup_printf ("%s[%" G_GSSIZE_FORMAT "][%" G_GSSIZE_FORMAT "]",
                          key, row, col);
}

/* ---- lifetime ---------------------------------------------------------- */

static gint
find_key (const CondmapSettings *s, const char *key)
{
  for (guint i = 0; i < s->n_keys; i++)
    {
      const CmNode *k = s->mapping->children->pdata[2 * i];

      if (strcmp (k->value, key) == 0)
        return (gint) i;
    }
  return -1;
}


static void
asked_clear (gpointer data)
{
  g_free (((Asked *) data)->key);
}

CondmapSettings *
cm_settings_new (const CmNode *mapping, const char *origin,
                 const char *skip_key)
{
  CondmapSettings *s;
  gint skip;

  g_return_val_if_fail (mapping == NULL || mapping->kind == CM_NODE_MAPPING,
                        NULL);
  s = g_new0 (CondmapSettings, 1);
  s->mapping = mapping;
  s->origin = g_strdup (origin ? origin : "<string>");
  s->n_keys = mapping ? mapping->children->len / 2 : 0;
  s->consumed = g_new0 (gboolean, MAX (s->n_keys, 1));
  s->asked = g_array_new (FALSE, FALSE, sizeof (Asked));
  g_array_set_clear_func (s->asked, asked_clear);
  s->resolved = g_ptr_array_new_with_free_func ((GDestroyNotify) cm_resolved_free);
  skip = skip_key ? find_key (s, skip_key) : -1;
  if (skip >= 0)
    s->consumed[skip] = TRUE;
  return s;
}

void
cm_settings_free (CondmapSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->origin);
  g_free (settings->consumed);
  g_array_unref (settings->asked);
  g_ptr_array_unref (settings->resolved);
  g_free (settings);
}

GPtrArray *
cm_settings_steal_resolved (CondmapSettings *settings)
{
  GPtrArray *taken = settings->resolved;

  settings->resolved =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cm_resolved_free);
  return taken;
}

/* ---- the bookkeeping of every accessor ------------------------------- */

/* Notes that the plugin asked for @key and consumes it if present.
 * Returns its value, or NULL if it is absent or null (null counts as
 * absent); *at is the node a message about it should point at. */
static const CmNode *
take (CondmapSettings *s, const char *key, const CmNode **at)
{
  gint i = find_key (s, key);
  const CmNode *value = i >= 0 ? s->mapping->children->pdata[2 * i + 1] : NULL;
  gboolean found = !cm_node_is_null (value);
  Asked asked;

  if (i >= 0)
    s->consumed[i] = TRUE;
  *at = i >= 0 ? value : NULL;
  for (guint j = 0; j < s->asked->len; j++)
    {
      Asked *a = &g_array_index (s->asked, Asked, j);

      if (strcmp (a->key, key) == 0)
        {
          a->found = found;
          return found ? value : NULL;
        }
    }
  asked.key = g_strdup (key);
  asked.found = found;
  g_array_append_val (s->asked, asked);
  return found ? value : NULL;
}

/* A new record for @key, replacing an earlier read of the same key in its
 * place, so that the sidecar holds each key once. */
static CmResolved *
record (CondmapSettings *s, const char *key, CmValueKind kind)
{
  CmResolved *r = g_new0 (CmResolved, 1);

  r->key = g_strdup (key);
  r->kind = kind;
  for (guint i = 0; i < s->resolved->len; i++)
    {
      CmResolved *old = s->resolved->pdata[i];

      if (strcmp (old->key, key) == 0)
        {
          cm_resolved_free (old);
          s->resolved->pdata[i] = r;
          return r;
        }
    }
  g_ptr_array_add (s->resolved, r);
  return r;
}

/* A required key is absent (@at NULL) or null. */
static gboolean
fail_missing (CondmapSettings *s, GError **error, const CmNode *at,
              const char *key, const char *what, const char *example)
{
  if (at != NULL)
    return fail (s, error, at, "'%s' is required, got null: give %s, "
                 "e.g. '%s: %s'", key, what, key, example);
  return fail (s, error, NULL, "'%s' is required but missing: add %s, "
               "e.g. '%s: %s'", key, what, key, example);
}

/* Reads @node as a finite number; key, row and col name it in messages. */
static gboolean
read_finite (CondmapSettings *s, const CmNode *node, const char *key,
             gssize row, gssize col, double *value, GError **error)
{
  double v;

  if (!cm_node_to_double (node, &v))
    {
      g_autofree char *name = label (key, row, col);
      g_autofree char *what = cm_node_describe (node);
      CmNode plain;
      gboolean quoted_number = FALSE;

      if (node->kind == CM_NODE_SCALAR && !node->plain)
        {
          plain = *node;
          plain.plain = TRUE;
          quoted_number = cm_node_to_double (&plain, &v);
        }
      return fail (s, error, node, "'%s' must be a number, got %s%s", name,
                   what, quoted_number ? " (write numbers without quotes)"
                                       : "");
    }
  if (!isfinite (v))
    {
      g_autofree char *name = label (key, row, col);
      g_autofree char *text = cm_quote_text (node->value);
      /* Decimals have no i or n: an infinite decimal overflowed. */
      gboolean overflow = strpbrk (node->value, "iInN") == NULL;

      return fail (s, error, node, "'%s' must be finite, got %s%s", name,
                   text, overflow ? " (beyond the range of a double)" : "");
    }
  *value = v;
  return TRUE;
}

/* Reads the items of list @seq into @out: the items of a list (@row < 0,
 * named "key[j]" in messages) or the cells of table row @row. */
static gboolean
read_numbers (CondmapSettings *s, const CmNode *seq, const char *key,
              gssize row, double *out, GError **error)
{
  for (guint j = 0; j < seq->children->len; j++)
    if (!read_finite (s, seq->children->pdata[j], key,
                      row < 0 ? (gssize) j : row, row < 0 ? -1 : (gssize) j,
                      &out[j], error))
      return FALSE;
  return TRUE;
}

/* Records a copy of @v, rows * cols numbers. */
static void
record_values (CondmapSettings *s, const char *key, CmValueKind kind,
               const double *v, size_t rows, size_t cols)
{
  CmResolved *r = record (s, key, kind);

  r->values = g_new (double, MAX (rows * cols, 1));
  memcpy (r->values, v, rows * cols * sizeof (double));
  r->rows = rows;
  r->cols = cols;
}

/* ---- scalar accessors -------------------------------------------------- */

gboolean
condmap_settings_get_double (CondmapSettings *settings, const char *key,
                             const double *default_value, double *value,
                             GError **error)
{
  const CmNode *at;
  const CmNode *node;
  double v;

  g_return_val_if_fail (settings != NULL && key != NULL && value != NULL,
                        FALSE);
  node = take (settings, key, &at);
  if (node == NULL)
    {
      if (default_value == NULL)
        return fail_missing (settings, error, at, key, "a number", "1.0");
      v = *default_value;
    }
  else if (!read_finite (settings, node, key, -1, -1, &v, error))
    return FALSE;
  record (settings, key, CM_VALUE_DOUBLE)->number = v;
  *value = v;
  return TRUE;
}

gboolean
condmap_settings_get_boolean (CondmapSettings *settings, const char *key,
                              const gboolean *default_value, gboolean *value,
                              GError **error)
{
  const CmNode *at;
  const CmNode *node;
  gboolean v;

  g_return_val_if_fail (settings != NULL && key != NULL && value != NULL,
                        FALSE);
  node = take (settings, key, &at);
  if (node == NULL)
    {
      if (default_value == NULL)
        return fail_missing (settings, error, at, key, "true or false",
                             "true");
      v = *default_value ? TRUE : FALSE;
    }
  else if (!cm_node_to_boolean (node, &v))
    {
      g_autofree char *what = cm_node_describe (node);

      return fail (settings, error, node, "'%s' must be true or false, "
                   "got %s", key, what);
    }
  record (settings, key, CM_VALUE_BOOLEAN)->boolean = v;
  *value = v;
  return TRUE;
}

/* ---- list and table accessors -------------------------------------------- */

static gboolean
check_length (CondmapSettings *s, const CmNode *node, const char *key,
              size_t min_len, size_t max_len, GError **error)
{
  size_t n = node->children->len;
  size_t bound = n < min_len ? min_len : max_len;

  if (n >= min_len && (max_len == 0 || n <= max_len))
    return TRUE;
  return fail (s, error, node, "'%s' must hold %s %zu number%s, got %zu",
               key, min_len == max_len ? "exactly"
                    : n < min_len ? "at least" : "at most",
               bound, bound == 1 ? "" : "s", n);
}

gboolean
condmap_settings_get_double_list (CondmapSettings *settings, const char *key,
                                  size_t min_len, size_t max_len,
                                  double **values, size_t *n_values,
                                  GError **error)
{
  const CmNode *at;
  const CmNode *node;
  g_autofree double *v = NULL;
  size_t n;

  g_return_val_if_fail (settings != NULL && key != NULL, FALSE);
  g_return_val_if_fail (values != NULL && n_values != NULL, FALSE);
  node = take (settings, key, &at);
  if (node == NULL)
    return fail_missing (settings, error, at, key, "a list of numbers",
                         "[1.0, 3.0]");
  if (node->kind != CM_NODE_SEQUENCE)
    {
      g_autofree char *what = cm_node_describe (node);

      return fail (settings, error, node, "'%s' must be a list of numbers "
                   "such as [1.0, 3.0], got %s", key, what);
    }
  if (!check_length (settings, node, key, min_len, max_len, error))
    return FALSE;
  n = node->children->len;
  v = g_new (double, MAX (n, 1));
  if (!read_numbers (settings, node, key, -1, v, error))
    return FALSE;
  record_values (settings, key, CM_VALUE_LIST, v, 1, n);
  *n_values = n;
  *values = g_steal_pointer (&v);
  return TRUE;
}

/* Checks that row @r of table @node is a list as long as row 0 (whose
 * length is *n_cols, set here when r == 0). */
static gboolean
check_row (CondmapSettings *s, const CmNode *node, const char *key,
           size_t r, size_t min_cols, size_t *n_cols, GError **error)
{
  const CmNode *row = node->children->pdata[r];
  size_t len;

  if (row->kind != CM_NODE_SEQUENCE)
    {
      g_autofree char *what = cm_node_describe (row);

      return fail (s, error, row, "'%s[%zu]' must be a list of numbers "
                   "(a row of the table), got %s", key, r, what);
    }
  len = row->children->len;
  if (r == 0 && len < min_cols)
    return fail (s, error, row, "'%s' rows must hold at least %zu "
                 "number%s, but '%s[0]' holds %zu", key, min_cols,
                 min_cols == 1 ? "" : "s", key, len);
  if (r == 0)
    *n_cols = len;
  else if (len != *n_cols)
    return fail (s, error, row, "'%s' rows must all have the same length, "
                 "but '%s[%zu]' holds %zu numbers and '%s[0]' holds %zu",
                 key, key, r, len, key, *n_cols);
  return TRUE;
}

gboolean
condmap_settings_get_double_table (CondmapSettings *settings,
                                   const char *key, size_t min_rows,
                                   size_t min_cols, double **values,
                                   size_t *n_rows, size_t *n_cols,
                                   GError **error)
{
  const CmNode *at;
  const CmNode *node;
  g_autofree double *v = NULL;
  size_t rows, cols = 0;

  g_return_val_if_fail (settings != NULL && key != NULL && values != NULL,
                        FALSE);
  g_return_val_if_fail (n_rows != NULL && n_cols != NULL, FALSE);
  node = take (settings, key, &at);
  if (node == NULL)
    return fail_missing (settings, error, at, key,
                         "a table (a list of rows of numbers)",
                         "[[0.0, 25.0], [25.0, 0.0]]");
  if (node->kind != CM_NODE_SEQUENCE)
    {
      g_autofree char *what = cm_node_describe (node);

      return fail (settings, error, node, "'%s' must be a table (a list of "
                   "rows of numbers), got %s", key, what);
    }
  rows = node->children->len;
  if (rows < min_rows)
    return fail (settings, error, node, "'%s' must have at least %zu "
                 "row%s, got %zu", key, min_rows, min_rows == 1 ? "" : "s",
                 rows);
  /* Every row's shape before any cell: a ragged table is one mistake. */
  for (size_t i = 0; i < rows; i++)
    if (!check_row (settings, node, key, i, min_cols, &cols, error))
      return FALSE;
  /* rows * cols cells exist as nodes already, so this cannot overflow. */
  v = g_new (double, MAX (rows * cols, 1));
  for (size_t i = 0; i < rows; i++)
    if (!read_numbers (settings, node->children->pdata[i], key, (gssize) i,
                       v + i * cols, error))
      return FALSE;
  record_values (settings, key, CM_VALUE_TABLE, v, rows, cols);
  *n_rows = rows;
  *n_cols = cols;
  *values = g_steal_pointer (&v);
  return TRUE;
}

/* ---- bounds ------------------------------------------------------------- */

gboolean
condmap_settings_get_bounds (CondmapSettings *settings,
                             double default_g_min_us, double default_g_max_us,
                             double *g_min_us, double *g_max_us,
                             GError **error)
{
  const CmNode *min_at, *max_at;
  gboolean min_given, max_given;
  char min_text[G_ASCII_DTOSTR_BUF_SIZE], max_text[G_ASCII_DTOSTR_BUF_SIZE];
  double lo, hi;

  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (g_min_us != NULL && g_max_us != NULL, FALSE);
  min_at = cm_node_lookup (settings->mapping, "g_min");
  max_at = cm_node_lookup (settings->mapping, "g_max");
  min_given = !cm_node_is_null (min_at);
  max_given = !cm_node_is_null (max_at);
  if (!condmap_settings_get_double (settings, "g_min", &default_g_min_us,
                                    &lo, error))
    return FALSE;
  format_short (min_text, lo);
  if (!(lo >= 0))
    return fail (settings, error, min_given ? min_at : NULL,
                 "'g_min' must not be negative, got %s%s: conductances are "
                 ">= 0 µS", min_text, min_given ? "" : " (the default)");
  if (!condmap_settings_get_double (settings, "g_max", &default_g_max_us,
                                    &hi, error))
    return FALSE;
  format_short (max_text, hi);
  if (!(hi > 0))
    return fail (settings, error, max_given ? max_at : NULL,
                 "'g_max' must be positive, got %s%s", max_text,
                 max_given ? "" : " (the default)");
  if (!(lo < hi))
    return fail (settings, error,
                 max_given ? max_at : min_given ? min_at : NULL,
                 "g_min (%s%s) must be smaller than g_max (%s%s): lower "
                 "g_min or raise g_max", min_text,
                 min_given ? "" : ", the default", max_text,
                 max_given ? "" : ", the default");
  *g_min_us = lo;
  *g_max_us = hi;
  return TRUE;
}

void
condmap_settings_set_error (CondmapSettings *settings, GError **error,
                            CondmapError code, const char *key,
                            const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;
  gint i;

  if (error == NULL)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  i = key ? find_key (settings, key) : -1;
  if (key == NULL)
    g_set_error (error, CONDMAP_ERROR, code, "%s: %s", settings->origin,
                 text);
  else if (i < 0)
    g_set_error (error, CONDMAP_ERROR, code, "%s: '%s': %s",
                 settings->origin, key, text);
  else
    g_set_error (error, CONDMAP_ERROR, code, "%s:%u: '%s': %s",
                 settings->origin, cm_settings_key_node (settings, i)->line, key, text);
}
