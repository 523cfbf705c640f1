/* resolved.c - the resolved settings of a converter (what the plugin read,
 * defaults filled in) and their one-line flow YAML, as `condmap check`
 * prints them and the sidecar records them. */
#include <math.h>
#include <stdlib.h>
#include "condmap-private.h"

void
cm_resolved_free (CmResolved *resolved)
{
  if (resolved == NULL)
    return;
  g_free (resolved->key);
  g_free (resolved->values);
  g_free (resolved->string);
  g_free (resolved);
}

CmResolved *
cm_resolved_copy (const CmResolved *r)
{
  CmResolved *copy = g_new0 (CmResolved, 1);
  size_t n = r->kind == CM_VALUE_TABLE ? r->rows * r->cols
             : r->kind == CM_VALUE_LIST ? r->cols : 0;

  *copy = *r;
  copy->key = g_strdup (r->key);
  copy->string = g_strdup (r->string);
  copy->values = n > 0 && r->values != NULL
                 ? g_memdup2 (r->values, n * sizeof (double)) : NULL;
  return copy;
}

char *
cm_format_double (char *buf, size_t len, double v)
{
  /* The shortest of %.15g..%.17g that reads back as the same double:
   * 0.789 stays "0.789" instead of "0.78900000000000003". */
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, len, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return buf;
}

static void
append_number (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Never written by the accessors (they refuse non-finite numbers), but
   * the output must stay valid YAML whatever it is given. */
  if (isnan (v))
    g_string_append (out, ".nan");
  else if (isinf (v))
    g_string_append (out, v > 0 ? ".inf" : "-.inf");
  else
    g_string_append (out, cm_format_double (buf, sizeof buf, v));
}

static void
append_list (GString *out, const double *values, size_t n)
{
  g_string_append_c (out, '[');
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_number (out, values[i]);
    }
  g_string_append_c (out, ']');
}

/* Plugin keys and words are identifiers; anything else is single-quoted. */
static void
append_key (GString *out, const char *key)
{
  gboolean plain = g_ascii_isalpha (key[0]) || key[0] == '_';

  for (const char *p = key; plain && *p != '\0'; p++)
    plain = g_ascii_isalnum (*p) || *p == '_' || *p == '-';
  if (plain)
    {
      g_string_append (out, key);
      return;
    }
  g_string_append_c (out, '\'');
  for (const char *p = key; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

char *
cm_resolved_to_flow_yaml (const GPtrArray *resolved)
{
  GString *out = g_string_new ("{");

  for (guint i = 0; resolved != NULL && i < resolved->len; i++)
    {
      const CmResolved *r = resolved->pdata[i];

      if (i > 0)
        g_string_append (out, ", ");
      append_key (out, r->key);
      g_string_append (out, ": ");
      switch (r->kind)
        {
        case CM_VALUE_DOUBLE:
          append_number (out, r->number);
          break;
        case CM_VALUE_BOOLEAN:
          g_string_append (out, r->boolean ? "true" : "false");
          break;
        case CM_VALUE_LIST:
          append_list (out, r->values, r->cols);
          break;
        case CM_VALUE_TABLE:
          g_string_append_c (out, '[');
          for (size_t row = 0; row < r->rows; row++)
            {
              if (row > 0)
                g_string_append (out, ", ");
              append_list (out, r->values + row * r->cols, r->cols);
            }
          g_string_append_c (out, ']');
          break;
        case CM_VALUE_STRING:
          append_key (out, r->string);
          break;
        }
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
