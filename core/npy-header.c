/* npy-header.c - the header of a .npy file: a Python dict literal such
 * as {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.  The
 * grammar is tiny and fixed, so it is parsed here by hand, checking every
 * number for overflow. */
#include <errno.h>
#include <string.h>
#include "npy-private.h"

enum { KEY_DESCR = 1, KEY_FORTRAN = 2, KEY_SHAPE = 4 };

/* A position in the header text, and what messages need to know. */
typedef struct {
  const char *text, *p, *end;
  const char *path;
} Cursor;

static gboolean G_GNUC_PRINTF (3, 4)
header_error (Cursor *c, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL, *cut = NULL, *shown = NULL;
  const char *end = c->end;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  while (end > c->text && g_ascii_isspace (end[-1]))   /* the padding */
    end--;
  /* At most 200 bytes of the (valid UTF-8) header: a cut inside a
   * character would leave the message invalid, so it is made valid. */
  cut = g_strndup (c->text, (gsize) MIN (end - c->text, 200));
  shown = g_utf8_make_valid (cut, -1);
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
               "%s: bad .npy header: %s at character %d of \"%s\"",
               c->path, what, (int) (c->p - c->text) + 1, shown);
  return FALSE;
}

static void
skip_ws (Cursor *c)
{
  while (c->p < c->end && g_ascii_isspace (*c->p))
    c->p++;
}

static gboolean
expect (Cursor *c, char ch, GError **error)
{
  skip_ws (c);
  if (c->p < c->end && *c->p == ch)
    {
      c->p++;
      return TRUE;
    }
  return header_error (c, error, "expected '%c'", ch);
}

/* A Python string literal in ' or " quotes; escapes are kept as written
 * (no valid key or dtype holds one). */
static gboolean
parse_string (Cursor *c, char **out, GError **error)
{
  const char *start;
  char quote;

  skip_ws (c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
    return header_error (c, error, "expected a quoted string");
  quote = *c->p++;
  start = c->p;
  while (c->p < c->end && *c->p != quote)
    c->p += (*c->p == '\\' && c->p + 1 < c->end) ? 2 : 1;
  if (c->p >= c->end)
    return header_error (c, error, "unterminated string");
  *out = g_strndup (start, c->p - start);
  c->p++;
  return TRUE;
}

/* '<f4', '>f8', '=f4', 'f8': the only dtypes condmap computes in. */
static gboolean
descr_to_dtype (const char *d, NpyHeader *h)
{
  char order = '=';

  if (memchr ("<>=|", *d, 4) != NULL)
    order = *d++;
  if (order == '|' || d[0] != 'f')
    return FALSE;
  if (strcmp (d + 1, "4") == 0)
    h->dtype = CONDMAP_DTYPE_FLOAT32;
  else if (strcmp (d + 1, "8") == 0)
    h->dtype = CONDMAP_DTYPE_FLOAT64;
  else
    return FALSE;
  if (order == '=')
    order = G_BYTE_ORDER == G_LITTLE_ENDIAN ? '<' : '>';
  h->swap = (order == '<') != (G_BYTE_ORDER == G_LITTLE_ENDIAN);
  return TRUE;
}

static gboolean
parse_descr (Cursor *c, NpyHeader *h, GError **error)
{
  g_autofree char *descr = NULL;

  skip_ws (c);
  if (c->p < c->end && (*c->p == '\'' || *c->p == '"'))
    {
      g_autofree char *text = NULL;

      if (!parse_string (c, &text, error))
        return FALSE;
      if (descr_to_dtype (text, h))
        return TRUE;
      descr = g_strdup_printf ("'%s'", text);
    }
  else if (c->p < c->end && *c->p == '[')
    descr = g_strdup ("[...] (a structured dtype)");
  else
    return header_error (c, error, "expected a quoted string");
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
               "%s: holds dtype %s, but condmap reads only float32 and "
               "float64 ('<f4', '<f8', or big-endian '>f4', '>f8'); convert "
               "with numpy: np.save(f, a.astype(np.float32))",
               c->path, descr);
  return FALSE;
}

static gboolean
parse_bool (Cursor *c, gboolean *value, GError **error)
{
  skip_ws (c);
  if (c->end - c->p >= 4 && memcmp (c->p, "True", 4) == 0)
    *value = TRUE, c->p += 4;
  else if (c->end - c->p >= 5 && memcmp (c->p, "False", 5) == 0)
    *value = FALSE, c->p += 5;
  else
    return header_error (c, error, "expected True or False");
  return TRUE;
}

/* One dimension: decimal digits, checked for overflow; Python 2 NumPy
 * wrote longs with an 'L' suffix. */
static gboolean
parse_dim (Cursor *c, size_t *dim, GError **error)
{
  size_t v = 0;

  if (c->p >= c->end || !g_ascii_isdigit (*c->p))
    return header_error (c, error, "expected a dimension (an integer >= 0)");
  for (; c->p < c->end && g_ascii_isdigit (*c->p); c->p++)
    if (__builtin_mul_overflow (v, 10, &v)
        || __builtin_add_overflow (v, (size_t) (*c->p - '0'), &v))
      return header_error (c, error, "dimension too large");
  if (c->p < c->end && *c->p == 'L')
    c->p++;
  *dim = v;
  return TRUE;
}

/* A tuple: "()", "(5,)", "(3, 4)", "(3, 4,)". */
static gboolean
parse_shape (Cursor *c, NpyHeader *h, GError **error)
{
  unsigned rank = 0;
  size_t dim = 0;

  if (!expect (c, '(', error))
    return FALSE;
  for (skip_ws (c); c->p < c->end && *c->p != ')'; skip_ws (c))
    {
      if (!parse_dim (c, &dim, error))
        return FALSE;
      /* Keep counting past the limit, so the message gives the rank. */
      if (rank < CONDMAP_MAX_RANK)
        h->shape[rank] = dim;
      rank++;
      skip_ws (c);
      if (c->p < c->end && *c->p == ',')
        c->p++;
      else if (c->p < c->end && *c->p != ')')
        return header_error (c, error, "expected ',' or ')' in the shape");
    }
  if (!expect (c, ')', error))
    return FALSE;
  if (rank > CONDMAP_MAX_RANK)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s: the array has %u dimensions; condmap (like NumPy) "
                   "reads at most %d", c->path, rank, CONDMAP_MAX_RANK);
      return FALSE;
    }
  h->rank = rank;
  return TRUE;
}

static gboolean
parse_entry (Cursor *c, NpyHeader *h, GError **error)
{
  g_autofree char *key = NULL;
  guint bit;

  if (!parse_string (c, &key, error) || !expect (c, ':', error))
    return FALSE;
  if (strcmp (key, "descr") == 0)
    bit = KEY_DESCR;
  else if (strcmp (key, "fortran_order") == 0)
    bit = KEY_FORTRAN;
  else if (strcmp (key, "shape") == 0)
    bit = KEY_SHAPE;
  else
    return header_error (c, error, "unknown key '%s'", key);
  if (h->seen & bit)
    return header_error (c, error, "key '%s' given twice", key);
  h->seen |= bit;
  if (bit == KEY_DESCR)
    return parse_descr (c, h, error);
  if (bit == KEY_FORTRAN)
    return parse_bool (c, &h->fortran, error);
  return parse_shape (c, h, error);
}

gboolean
cm_npy_parse_header (const char *text, size_t len, const char *path,
                     NpyHeader *h, GError **error)
{
  Cursor c = { text, text, text + len, path };

  if (!expect (&c, '{', error))
    return FALSE;
  for (skip_ws (&c); c.p < c.end && *c.p != '}'; skip_ws (&c))
    {
      if (!parse_entry (&c, h, error))
        return FALSE;
      skip_ws (&c);
      if (c.p < c.end && *c.p == ',')
        c.p++;
      else if (c.p < c.end && *c.p != '}')
        return header_error (&c, error, "expected ',' or '}'");
    }
  if (!expect (&c, '}', error))
    return FALSE;
  skip_ws (&c);
  if (c.p != c.end)
    return header_error (&c, error, "unexpected text after the '}'");
  if (h->seen != (KEY_DESCR | KEY_FORTRAN | KEY_SHAPE))
    return header_error (&c, error, "key '%s' is missing",
                         !(h->seen & KEY_DESCR) ? "descr"
                         : !(h->seen & KEY_SHAPE) ? "shape" : "fortran_order");
  return TRUE;
}

