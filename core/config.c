/* config.c - validates a config's keys against the settings a plugin
 * declares, before the plugin sees them.
 *
 * Every declared key is read here: its type, range and length checked,
 * its default filled in, and the resolved value recorded for the sidecar
 * and for the plugin's accessors (host.c).  A key the plugin does not
 * declare is refused first (unknown-key.c), so a typo is reported as a
 * typo rather than as a missing key.
 *
 * Messages start with "ORIGIN:LINE: " (the line of the offending value, so
 * an editor jumps to it) and then say the key, the rule and what was
 * found. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "settings-private.h"

/* Integers beyond this are not exact in a double. */
#define MAX_EXACT_INTEGER 9007199254740992.0

/* ---- helpers --------------------------------------------------------- */

/* Sets a CONFIG error at the position of @at (NULL: the file as a whole). */
static gboolean G_GNUC_PRINTF (4, 5)
fail (CmSettings *s, GError **error, const CmNode *at, const char *format, ...)
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

/* A bound beyond ±1e300 (or infinite) means none. */
static gboolean
in_range (const CondmapSettingDecl *d, double v)
{
  gboolean lo_ok = d->min <= -1e300
                   || ((d->flags & CONDMAP_SETTING_MIN_EXCLUSIVE) ? v > d->min
                                                                  : v >= d->min);
  gboolean hi_ok = d->max >= 1e300
                   || ((d->flags & CONDMAP_SETTING_MAX_EXCLUSIVE) ? v < d->max
                                                                  : v <= d->max);
  return lo_ok && hi_ok;
}

/* Checks @v against the range (and integrality) of @d; @at NULL means the
 * value is the default. */
static gboolean
check_value (CmSettings *s, const CondmapSettingDecl *d, const CmNode *at,
             gssize row, gssize col, double v, GError **error)
{
  g_autofree char *name = label (d->key, row, col);
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  cm_format_double (text, sizeof text, v);
  if (d->type == CONDMAP_SETTING_INTEGER
      && (v != floor (v) || fabs (v) > MAX_EXACT_INTEGER))
    return fail (s, error, at, "'%s' must be a whole number, got %s", name,
                 text);
  if (!in_range (d, v))
    {
      g_autofree char *rule = cm_decl_describe_range (d);

      return fail (s, error, at, "%s = %s must be %s%s", name, text, rule,
                   at == NULL ? " (the default)" : "");
    }
  return TRUE;
}

/* ---- lifetime ---------------------------------------------------------- */

gint
cm_settings_find_key (const CmSettings *s, const char *key)
{
  for (guint i = 0; i < s->n_keys; i++)
    if (strcmp (cm_settings_key_node (s, i)->value, key) == 0)
      return (gint) i;
  return -1;
}

CmSettings *
cm_settings_new (const CmNode *mapping, const char *origin,
                 const char *skip_key, const CmDeclTable *decls)
{
  CmSettings *s;
  gint skip;

  g_return_val_if_fail (mapping == NULL || mapping->kind == CM_NODE_MAPPING,
                        NULL);
  s = g_new0 (CmSettings, 1);
  s->mapping = mapping;
  s->origin = g_strdup (origin ? origin : "<string>");
  s->n_keys = mapping ? mapping->children->len / 2 : 0;
  s->consumed = g_new0 (gboolean, MAX (s->n_keys, 1));
  s->decls = decls;
  s->resolved = g_ptr_array_new_with_free_func ((GDestroyNotify) cm_resolved_free);
  skip = skip_key ? cm_settings_find_key (s, skip_key) : -1;
  if (skip >= 0)
    s->consumed[skip] = TRUE;
  return s;
}

void
cm_settings_consume_keys (CmSettings *settings, const char *const *keys)
{
  for (gsize k = 0; keys[k] != NULL; k++)
    {
      gint i = cm_settings_find_key (settings, keys[k]);

      if (i >= 0)
        settings->consumed[i] = TRUE;
    }
}

void
cm_settings_free (CmSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->origin);
  g_free (settings->consumed);
  g_ptr_array_unref (settings->resolved);
  g_free (settings);
}

GPtrArray *
cm_settings_steal_resolved (CmSettings *settings)
{
  GPtrArray *taken = settings->resolved;

  settings->resolved =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cm_resolved_free);
  return taken;
}

const char *
cm_settings_get_origin (const CmSettings *settings)
{
  return settings->origin;
}

const CmResolved *
cm_settings_lookup (const CmSettings *settings, const char *key)
{
  for (guint i = 0; i < settings->resolved->len; i++)
    {
      const CmResolved *r = settings->resolved->pdata[i];

      if (strcmp (r->key, key) == 0)
        return r;
    }
  return NULL;
}

/* ---- readers ------------------------------------------------------------ */

/* Reads @node as a finite number; key, row and col name it in messages. */
static gboolean
read_finite (CmSettings *s, const CmNode *node, const char *key,
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

/* Reads and checks the items of list @seq into @out: the items of a list
 * (@row < 0, named "key[j]") or the cells of table row @row. */
static gboolean
read_numbers (CmSettings *s, const CondmapSettingDecl *d, const CmNode *seq,
              gssize row, double *out, GError **error)
{
  for (guint j = 0; j < seq->children->len; j++)
    {
      gssize r = row < 0 ? (gssize) j : row, c = row < 0 ? -1 : (gssize) j;
      const CmNode *item = seq->children->pdata[j];

      if (!read_finite (s, item, d->key, r, c, &out[j], error)
          || !check_value (s, d, item, r, c, out[j], error))
        return FALSE;
    }
  return TRUE;
}

static CmResolved *
record (CmSettings *s, const char *key, CmValueKind kind)
{
  CmResolved *r = g_new0 (CmResolved, 1);

  r->key = g_strdup (key);
  r->kind = kind;
  g_ptr_array_add (s->resolved, r);
  return r;
}

static gboolean
read_list (CmSettings *s, const CondmapSettingDecl *d, const CmNode *node,
           GError **error)
{
  size_t n = node->children->len;
  size_t min_len = d->min_len, max_len = d->max_len;
  size_t bound = n < min_len ? min_len : max_len;
  CmResolved *r;

  if (n < min_len || (max_len != 0 && n > max_len))
    return fail (s, error, node, "'%s' must hold %s %zu number%s, got %zu",
                 d->key, min_len == max_len ? "exactly"
                         : n < min_len ? "at least" : "at most",
                 bound, bound == 1 ? "" : "s", n);
  r = record (s, d->key, CM_VALUE_LIST);
  r->values = g_new (double, MAX (n, 1));
  r->rows = 1;
  r->cols = n;
  return read_numbers (s, d, node, -1, r->values, error);
}

/* Checks that row @r of table @node is a list as long as row 0. */
static gboolean
check_row (CmSettings *s, const CondmapSettingDecl *d, const CmNode *node,
           size_t r, size_t *n_cols, GError **error)
{
  const CmNode *row = node->children->pdata[r];
  size_t len;

  if (row->kind != CM_NODE_SEQUENCE)
    {
      g_autofree char *what = cm_node_describe (row);

      return fail (s, error, row, "'%s[%zu]' must be a list of numbers "
                   "(a row of the table), got %s", d->key, r, what);
    }
  len = row->children->len;
  if (r == 0 && len < d->max_len)
    return fail (s, error, row, "'%s' rows must hold at least %u "
                 "number%s, but '%s[0]' holds %zu", d->key, d->max_len,
                 d->max_len == 1 ? "" : "s", d->key, len);
  if (r == 0)
    *n_cols = len;
  else if (len != *n_cols)
    return fail (s, error, row, "'%s' rows must all have the same length, "
                 "but '%s[%zu]' holds %zu numbers and '%s[0]' holds %zu",
                 d->key, d->key, r, len, d->key, *n_cols);
  return TRUE;
}

static gboolean
read_table (CmSettings *s, const CondmapSettingDecl *d, const CmNode *node,
            GError **error)
{
  size_t rows = node->children->len, cols = 0;
  CmResolved *r;

  if (rows < d->min_len)
    return fail (s, error, node, "'%s' must have at least %u row%s, got %zu",
                 d->key, d->min_len, d->min_len == 1 ? "" : "s", rows);
  /* Every row's shape before any cell: a ragged table is one mistake. */
  for (size_t i = 0; i < rows; i++)
    if (!check_row (s, d, node, i, &cols, error))
      return FALSE;
  r = record (s, d->key, CM_VALUE_TABLE);
  /* rows * cols cells exist as nodes already, so this cannot overflow. */
  r->values = g_new (double, MAX (rows * cols, 1));
  r->rows = rows;
  r->cols = cols;
  for (size_t i = 0; i < rows; i++)
    if (!read_numbers (s, d, node->children->pdata[i], (gssize) i,
                       r->values + i * cols, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_string (CmSettings *s, const CondmapSettingDecl *d, const CmNode *node,
             GError **error)
{
  g_auto (GStrv) choices = NULL;

  if (node->kind != CM_NODE_SCALAR)
    {
      g_autofree char *what = cm_node_describe (node);

      return fail (s, error, node, "'%s' must be a word%s%s, got %s", d->key,
                   d->choices ? " such as " : "",
                   d->choices ? d->choices : "", what);
    }
  if (d->choices != NULL)
    {
      choices = g_strsplit (d->choices, "|", -1);
      if (!g_strv_contains ((const char *const *) choices, node->value))
        {
          g_autofree char *text = cm_quote_text (node->value);
          g_autofree char *list = g_strjoinv (", ", choices);
          const char *guess = cm_suggest (node->value,
                                          (const char *const *) choices,
                                          g_strv_length (choices));

          return fail (s, error, node, "'%s' must be one of %s, got '%s'%s%s%s",
                       d->key, list, text, guess ? " - did you mean '" : "",
                       guess ? guess : "", guess ? "'?" : "");
        }
    }
  record (s, d->key, CM_VALUE_STRING)->string = g_strdup (node->value);
  return TRUE;
}

/* What a missing key of type @type should look like, for the message. */
static void
example_of (CondmapSettingType type, const char **what, const char **example)
{
  switch (type)
    {
    case CONDMAP_SETTING_BOOLEAN:
      *what = "true or false", *example = "true";
      break;
    case CONDMAP_SETTING_NUMBER_LIST:
      *what = "a list of numbers", *example = "[1.0, 3.0]";
      break;
    case CONDMAP_SETTING_TABLE:
      *what = "a table (a list of rows of numbers)";
      *example = "[[0.0, 25.0], [25.0, 0.0]]";
      break;
    case CONDMAP_SETTING_STRING:
      *what = "a word", *example = "...";
      break;
    case CONDMAP_SETTING_INTEGER:
      *what = "a whole number", *example = "8";
      break;
    default:
      *what = "a number", *example = "1.0";
    }
}

/* Reads the declared key @d: present, its value checked; absent, its
 * default (or the error of a required key). */
static gboolean
read_declared (CmSettings *s, const CondmapSettingDecl *d, GError **error)
{
  gint i = cm_settings_find_key (s, d->key);
  const CmNode *node = i >= 0 ? s->mapping->children->pdata[2 * i + 1] : NULL;
  double v;
  gboolean b;

  if (i >= 0)
    s->consumed[i] = TRUE;
  if (cm_node_is_null (node))
    {
      const char *what, *example;

      example_of (d->type, &what, &example);
      if (d->flags & CONDMAP_SETTING_REQUIRED)
        return node != NULL
          ? fail (s, error, node, "'%s' is required, got null: give %s, "
                  "e.g. '%s: %s'", d->key, what, d->key, example)
          : fail (s, error, NULL, "'%s' is required but missing: add %s, "
                  "e.g. '%s: %s'", d->key, what, d->key, example);
      switch (d->type)
        {
        case CONDMAP_SETTING_NUMBER:
        case CONDMAP_SETTING_INTEGER:
          if (!check_value (s, d, NULL, -1, -1, d->default_number, error))
            return FALSE;
          record (s, d->key, CM_VALUE_DOUBLE)->number = d->default_number;
          break;
        case CONDMAP_SETTING_BOOLEAN:
          record (s, d->key, CM_VALUE_BOOLEAN)->boolean = d->default_number != 0;
          break;
        case CONDMAP_SETTING_STRING:
          if (d->default_string != NULL)
            record (s, d->key, CM_VALUE_STRING)->string =
              g_strdup (d->default_string);
          break;
        default:
          break;   /* an optional list or table is absent */
        }
      return TRUE;
    }
  switch (d->type)
    {
    case CONDMAP_SETTING_NUMBER:
    case CONDMAP_SETTING_INTEGER:
      if (!read_finite (s, node, d->key, -1, -1, &v, error)
          || !check_value (s, d, node, -1, -1, v, error))
        return FALSE;
      record (s, d->key, CM_VALUE_DOUBLE)->number = v;
      return TRUE;
    case CONDMAP_SETTING_BOOLEAN:
      if (!cm_node_to_boolean (node, &b))
        {
          g_autofree char *what = cm_node_describe (node);

          return fail (s, error, node, "'%s' must be true or false, got %s",
                       d->key, what);
        }
      record (s, d->key, CM_VALUE_BOOLEAN)->boolean = b;
      return TRUE;
    case CONDMAP_SETTING_STRING:
      return read_string (s, d, node, error);
    default:
      break;
    }
  if (node->kind != CM_NODE_SEQUENCE)
    {
      g_autofree char *what = cm_node_describe (node);

      return d->type == CONDMAP_SETTING_TABLE
        ? fail (s, error, node, "'%s' must be a table (a list of rows of "
                "numbers), got %s", d->key, what)
        : fail (s, error, node, "'%s' must be a list of numbers such as "
                "[1.0, 3.0], got %s", d->key, what);
    }
  return d->type == CONDMAP_SETTING_TABLE ? read_table (s, d, node, error)
                                          : read_list (s, d, node, error);
}

/* The rule every pair of declared bounds shares: g_min < g_max. */
static gboolean
check_bounds (CmSettings *s, GError **error)
{
  const CondmapSettingDecl *dl = NULL, *dh = NULL;
  const CmResolved *lo, *hi;
  char lo_text[G_ASCII_DTOSTR_BUF_SIZE], hi_text[G_ASCII_DTOSTR_BUF_SIZE];
  gint lo_i, hi_i;

  for (size_t i = 0; i < s->decls->n; i++)
    {
      const CondmapSettingDecl *d = &s->decls->decls[i];

      if (d->flags & CONDMAP_SETTING_IS_G_MIN)
        dl = d;
      if (d->flags & CONDMAP_SETTING_IS_G_MAX)
        dh = d;
    }
  if (dl == NULL || dh == NULL)
    return TRUE;
  lo = cm_settings_lookup (s, dl->key);
  hi = cm_settings_lookup (s, dh->key);
  if (lo == NULL || hi == NULL || lo->number < hi->number)
    return TRUE;
  lo_i = cm_settings_find_key (s, dl->key);
  hi_i = cm_settings_find_key (s, dh->key);
  cm_format_double (lo_text, sizeof lo_text, lo->number);
  cm_format_double (hi_text, sizeof hi_text, hi->number);
  return fail (s, error,
               hi_i >= 0 ? s->mapping->children->pdata[2 * hi_i + 1]
               : lo_i >= 0 ? s->mapping->children->pdata[2 * lo_i + 1] : NULL,
               "%s (%s%s) must be smaller than %s (%s%s): lower %s or raise %s",
               dl->key, lo_text, lo_i >= 0 ? "" : ", the default", dh->key,
               hi_text, hi_i >= 0 ? "" : ", the default", dl->key, dh->key);
}

gboolean
cm_settings_validate (CmSettings *settings, GError **error)
{
  if (!cm_settings_check_declared (settings, error))
    return FALSE;
  for (size_t i = 0; i < settings->decls->n; i++)
    if (!read_declared (settings, &settings->decls->decls[i], error))
      return FALSE;
  return check_bounds (settings, error);
}

unsigned
cm_settings_key_line (const CmSettings *settings, const char *key)
{
  gint i = key ? cm_settings_find_key (settings, key) : -1;

  return i >= 0 ? cm_settings_key_node (settings, i)->line : 0;
}
