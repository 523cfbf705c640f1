/* describe.c - a plugin's declared settings as a table, for `condmap
 * describe`, --help texts and docs/config-reference.md (which holds the
 * Markdown form of every built-in plugin's table; a test compares them). */
#include <string.h>
#include "condmap-private.h"

/* The rule of a declared range in words: "> 0", ">= 0", "in [0, 1]". */
char *
cm_decl_describe_range (const CondmapSettingDecl *d)
{
  char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean has_lo = d->min > -1e300, has_hi = d->max < 1e300;

  gboolean lo_x = (d->flags & CONDMAP_SETTING_MIN_EXCLUSIVE) != 0;
  gboolean hi_x = (d->flags & CONDMAP_SETTING_MAX_EXCLUSIVE) != 0;

  cm_format_double (lo, sizeof lo, d->min);
  cm_format_double (hi, sizeof hi, d->max);
  if (has_lo && has_hi)
    return g_strdup_printf ("in %c%s, %s%c", lo_x ? '(' : '[', lo, hi,
                            hi_x ? ')' : ']');
  if (has_lo)
    return g_strdup_printf ("%s %s", lo_x ? ">" : ">=", lo);
  if (has_hi)
    return g_strdup_printf ("%s %s", hi_x ? "<" : "<=", hi);
  return NULL;
}

static const char *
type_name (CondmapSettingType type)
{
  switch (type)
    {
    case CONDMAP_SETTING_NUMBER: return "number";
    case CONDMAP_SETTING_INTEGER: return "integer";
    case CONDMAP_SETTING_BOOLEAN: return "boolean";
    case CONDMAP_SETTING_NUMBER_LIST: return "list of numbers";
    case CONDMAP_SETTING_TABLE: return "table of numbers";
    case CONDMAP_SETTING_STRING: return "string";
    }
  return "?";
}

static char *
default_text (const CondmapSettingDecl *d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (d->flags & CONDMAP_SETTING_REQUIRED)
    return g_strdup ("required");
  switch (d->type)
    {
    case CONDMAP_SETTING_NUMBER:
    case CONDMAP_SETTING_INTEGER:
      return g_strdup (cm_format_double (buf, sizeof buf, d->default_number));
    case CONDMAP_SETTING_BOOLEAN:
      return g_strdup (d->default_number != 0 ? "true" : "false");
    case CONDMAP_SETTING_STRING:
      return g_strdup (d->default_string ? d->default_string : "(none)");
    default:
      return g_strdup ("(none)");
    }
}

/* The rule a value must satisfy, in words. */
static char *
rule_text (const CondmapSettingDecl *d, const char *g_max_key)
{
  g_autofree char *range = cm_decl_describe_range (d);
  GString *out = g_string_new (NULL);

  if (d->type == CONDMAP_SETTING_NUMBER_LIST)
    {
      if (d->max_len != 0 && d->max_len == d->min_len)
        g_string_append_printf (out, "%u items", d->max_len);
      else if (d->max_len != 0)
        g_string_append_printf (out, "%u to %u items", d->min_len, d->max_len);
      else
        g_string_append_printf (out, "%u or more items", d->min_len);
      if (range != NULL)
        g_string_append_printf (out, ", each %s", range);
    }
  else if (d->type == CONDMAP_SETTING_TABLE)
    {
      g_string_append_printf (out, ">= %u rows of >= %u", d->min_len,
                              d->max_len);
      if (range != NULL)
        g_string_append_printf (out, ", each %s", range);
    }
  else if (d->type == CONDMAP_SETTING_STRING)
    g_string_append (out, d->choices ? d->choices : "any word");
  else if (d->type == CONDMAP_SETTING_BOOLEAN)
    g_string_append (out, "true or false");
  else if (range != NULL)
    g_string_append (out, range);
  if ((d->flags & CONDMAP_SETTING_IS_G_MIN) && g_max_key != NULL)
    g_string_append_printf (out, ", < %s", g_max_key);
  if (out->len == 0)
    g_string_append (out, "-");
  return g_string_free (out, FALSE);
}

/* Rows of cells: the header, then one row per setting. */
static GPtrArray *
table_rows (const CmPlugin *p)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  char **header = g_new0 (char *, 7);
  const char *g_max_key = NULL;

  for (size_t i = 0; i < p->decls.n; i++)
    if (p->decls.decls[i].flags & CONDMAP_SETTING_IS_G_MAX)
      g_max_key = p->decls.decls[i].key;

  header[0] = g_strdup ("key");
  header[1] = g_strdup ("type");
  header[2] = g_strdup ("unit");
  header[3] = g_strdup ("default");
  header[4] = g_strdup ("rule");
  header[5] = g_strdup ("meaning");
  g_ptr_array_add (rows, header);
  for (size_t i = 0; i < p->decls.n; i++)
    {
      const CondmapSettingDecl *d = &p->decls.decls[i];
      char **row = g_new0 (char *, 7);

      row[0] = g_strdup (d->key);
      row[1] = g_strdup (type_name (d->type));
      row[2] = g_strdup (*d->unit ? d->unit : "-");
      row[3] = default_text (d);
      row[4] = rule_text (d, g_max_key);
      row[5] = g_strdup (d->doc);
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static void
append_text (GString *out, const CmPlugin *p, GPtrArray *rows)
{
  size_t width[6] = { 0 };

  g_string_append_printf (out, "%s %s: %s\n", p->desc->name, p->desc->version,
                          p->desc->description);
  if (p->decls.n == 0)
    {
      g_string_append (out, "\nNo settings.\n");
      return;
    }
  for (guint r = 0; r < rows->len; r++)
    for (int c = 0; c < 5; c++)
      width[c] = MAX (width[c],
                      (size_t) g_utf8_strlen (((char **) rows->pdata[r])[c], -1));
  g_string_append_c (out, '\n');
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];

      for (int c = 0; c < 6; c++)
        {
          g_string_append (out, row[c]);
          if (c < 5)
            for (size_t k = (size_t) g_utf8_strlen (row[c], -1);
                 k < width[c] + 2; k++)
              g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
}

/* A Markdown cell: '|' would end it. */
static void
append_cell (GString *out, const char *text, gboolean code)
{
  g_string_append (out, code ? " `" : " ");
  for (const char *c = text; *c; c++)
    {
      if (*c == '|')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *c);
    }
  g_string_append (out, code ? "` |" : " |");
}

static void
append_markdown (GString *out, const CmPlugin *p, GPtrArray *rows)
{
  g_string_append_printf (out, "Settings of `%s` (%s):\n\n", p->desc->name,
                          p->desc->description);
  if (p->decls.n == 0)
    {
      g_string_append (out, "No settings.\n");
      return;
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];

      g_string_append_c (out, '|');
      for (int c = 0; c < 6; c++)
        append_cell (out, row[c], r > 0 && c == 0);
      g_string_append_c (out, '\n');
      if (r == 0)
        g_string_append (out, "|---|---|---|---|---|---|\n");
    }
}

char *
condmap_runtime_describe_plugin (const CondmapRuntime *runtime,
                                 const char *name,
                                 CondmapDescribeFormat format,
                                 GError **error)
{
  /* A converter first, then a device model of that name. */
  const CmPlugin *p = cm_runtime_find_plugin (runtime, name);
  g_autoptr (GPtrArray) rows = NULL;
  GString *out;

  if (p == NULL)
    p = cm_runtime_find_plugin_of_kind (runtime, 0, name);
  if (p == NULL)
    {
      g_autofree const char **names = cm_runtime_dup_names_of_kind (runtime, 0);
      const char *guess = cm_suggest (name, names,
                                      g_strv_length ((char **) names));

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_CONVERTER,
                   "no plugin is named '%s'%s%s%s (see 'condmap list')", name,
                   guess ? " - did you mean '" : "", guess ? guess : "",
                   guess ? "'?" : "");
      return NULL;
    }
  rows = table_rows (p);
  out = g_string_new (NULL);
  if (format == CONDMAP_DESCRIBE_MARKDOWN)
    append_markdown (out, p, rows);
  else
    append_text (out, p, rows);
  return g_string_free (out, FALSE);
}
