/* levels-file.c - measured level tables: one level per line, its mean
 * conductance in µS and, optionally, its programming σ in µS.
 *
 *   # level table of device lot 7, read at 25 °C
 *   0.0, 0.21
 *   1.3, 0.35
 *   2.9, 0.41
 *
 * The text rules are those of condmap's CSV reader (core/csv.c): cells
 * separated by commas, '#' comments, blank lines, a BOM and CRLF; every
 * message names the file, the line and, for a cell, its column.  The
 * levels then pass the checks of cm_levels_new_list(), with their lines. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include "devices-private.h"

#define UTF8_BOM "\xef\xbb\xbf"

typedef struct {
  const char *path;
  GArray *mean;       /* double */
  GArray *sigma;      /* double */
  GArray *lines;      /* unsigned */
  size_t cols;        /* of the first row: 1 or 2 */
  unsigned first_line;
} TableReader;

/* The cell as quoted in a message: short and valid UTF-8. */
static char *
show_cell (const char *cell)
{
  size_t len = strlen (cell);
  g_autofree char *cut = g_strndup (cell, MIN (len, 40));
  g_autofree char *valid = g_utf8_make_valid (cut, -1);

  return g_strdup_printf ("'%s'%s", valid, len > 40 ? "..." : "");
}

static gboolean
parse_cell (TableReader *r, char *cell, unsigned line, size_t col,
            double *value, GError **error)
{
  g_autofree char *shown = NULL;
  CondmapError code = CONDMAP_ERROR_FORMAT;
  const char *problem;
  char *end;

  g_strstrip (cell);
  if (*cell == '\0')
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s:%u: column %zu: empty cell", r->path, line, col);
      return FALSE;
    }
  *value = g_ascii_strtod (cell, &end);   /* resets errno first */
  if (end == cell || *end != '\0')
    problem = r->mean->len == 0
              ? "is not a number (a heading? comment it out with '#')"
              : "is not a number";
  else if (!isfinite (*value))
    problem = errno == ERANGE ? "is out of range" : "is not finite";
  else if (col == 2 && *value < 0)
    {
      problem = "is negative; a programming σ is >= 0 µS";
      code = CONDMAP_ERROR_CONFIG;
    }
  else
    return TRUE;
  shown = show_cell (cell);
  g_set_error (error, CONDMAP_ERROR, code, "%s:%u: column %zu: %s %s",
               r->path, line, col, shown, problem);
  return FALSE;
}

/* One line, NUL-terminated, without its '\n'. */
static gboolean
parse_line (TableReader *r, char *text, unsigned line, GError **error)
{
  char *hash = strchr (text, '#');
  char *cells[3] = { NULL, NULL, NULL };
  size_t cols = 0;
  double v[2] = { 0, 0 };

  if (hash != NULL)
    *hash = '\0';
  g_strstrip (text);   /* also the '\r' of CRLF files */
  if (*text == '\0')
    return TRUE;
  for (char *cell = text, *next; cell != NULL; cell = next)
    {
      next = strchr (cell, ',');
      if (next != NULL)
        *next++ = '\0';
      if (cols == 2)
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                       "%s:%u: more than 2 cells: a level table holds the "
                       "mean (µS) and, optionally, the programming σ (µS) "
                       "of one level per line", r->path, line);
          return FALSE;
        }
      cells[cols++] = cell;
    }
  for (size_t c = 0; c < cols; c++)
    if (!parse_cell (r, cells[c], line, c + 1, &v[c], error))
      return FALSE;
  if (r->mean->len == 0)
    {
      r->cols = cols;
      r->first_line = line;
    }
  else if (cols != r->cols)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s:%u: this row has %zu cell%s but the first row (line "
                   "%u) has %zu; give a σ for every level or for none",
                   r->path, line, cols, cols == 1 ? "" : "s", r->first_line,
                   r->cols);
      return FALSE;
    }
  if (r->mean->len == CM_LEVELS_MAX)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s:%u: more than %d levels", r->path, line,
                   CM_LEVELS_MAX);
      return FALSE;
    }
  g_array_append_val (r->mean, v[0]);
  g_array_append_val (r->sigma, v[1]);
  g_array_append_val (r->lines, line);
  return TRUE;
}

static gboolean
parse_text (TableReader *r, char *text, size_t len, GError **error)
{
  char *p = text, *end = text + len;
  unsigned line = 1;

  if (strlen (text) != len)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s: holds a NUL byte: not a level table (text)", r->path);
      return FALSE;
    }
  if (g_str_has_prefix (p, UTF8_BOM))
    p += strlen (UTF8_BOM);
  for (; p < end; line++)
    {
      char *nl = memchr (p, '\n', end - p);

      if (nl != NULL)
        *nl = '\0';
      if (line == G_MAXUINT)
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                       "%s: more than %u lines", r->path, G_MAXUINT - 1);
          return FALSE;
        }
      if (!parse_line (r, p, line, error))
        return FALSE;
      p = nl != NULL ? nl + 1 : end;
    }
  return TRUE;
}

CmLevels *
cm_levels_read_file (const char *path, double g_min_us, double g_max_us,
                     GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GArray) mean = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) sigma = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (unsigned));
  TableReader r = { path, mean, sigma, lines, 0, 0 };
  size_t len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  text = cm_read_regular_file (path, &len, error);
  if (text == NULL || !parse_text (&r, text, len, error))
    return NULL;
  if (mean->len < 2)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s: holds %u level%s%s; a level set needs at least 2, "
                   "the lowest and the highest conductance a device takes",
                   path, mean->len, mean->len == 1 ? "" : "s",
                   len == 0 ? " (the file is empty)" : "");
      return NULL;
    }
  return cm_levels_new_list ((const double *) mean->data,
                             r.cols == 2 ? (const double *) sigma->data
                                         : NULL,
                             mean->len, g_min_us, g_max_us, path,
                             (const unsigned *) lines->data, error);
}
