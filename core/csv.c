/* csv.c - 2-D matrices as comma-separated text.
 *
 * A pure format reader: cells are numbers as g_ascii_strtod() reads them
 * (locale-proof; "nan" and "inf" included, since refusing non-finite
 * weights is the converter's job, with the element index).  Positions in
 * messages are 1-based file lines and columns, as an editor shows them. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include "condmap-private.h"

#define UTF8_BOM "\xef\xbb\xbf"   /* spreadsheets start their CSV with it */

typedef struct {
  const char *path;
  CondmapDtype dtype;
  GArray *values;        /* double, row by row */
  size_t rows, cols;
  size_t first_line;     /* line of the first row, for ragged-row messages */
} CsvReader;

/* The cell as quoted in a message: short and valid UTF-8, whatever the
 * file holds. */
static char *
show_cell (const char *cell)
{
  size_t len = strlen (cell);
  g_autofree char *cut = g_strndup (cell, MIN (len, 40));
  g_autofree char *valid = g_utf8_make_valid (cut, -1);

  return g_strdup_printf ("'%s'%s", valid, len > 40 ? "..." : "");
}

static gboolean
parse_cell (CsvReader *r, char *cell, size_t line, size_t col, GError **error)
{
  g_autofree char *shown = NULL;
  const char *problem;
  char *end;
  double v;

  g_strstrip (cell);
  if (r->values->len == G_MAXUINT)   /* GArray's limit; use .npy beyond */
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s:%zu: more than %u cells; use .npy for arrays this "
                   "large", r->path, line, G_MAXUINT);
      return FALSE;
    }
  if (*cell == '\0')
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s:%zu: column %zu: empty cell", r->path, line, col);
      return FALSE;
    }
  v = g_ascii_strtod (cell, &end);   /* resets errno first */
  if (end == cell || *end != '\0')
    problem = "is not a number";
  else if (errno == ERANGE && isinf (v))
    problem = "is out of range for float64";
  else if (r->dtype == CONDMAP_DTYPE_FLOAT32 && isfinite (v)
           && !isfinite ((float) v))
    problem = "is out of range for float32";
  else
    {
      g_array_append_val (r->values, v);
      return TRUE;
    }
  shown = show_cell (cell);
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
               "%s:%zu: column %zu: %s %s", r->path, line, col, shown,
               problem);
  return FALSE;
}

/* One line, NUL-terminated, without its '\n'. */
static gboolean
parse_line (CsvReader *r, char *line, size_t lineno, GError **error)
{
  char *hash = strchr (line, '#');
  size_t col = 0;

  if (hash != NULL)
    *hash = '\0';
  g_strstrip (line);   /* also the '\r' of CRLF files */
  if (*line == '\0')
    return TRUE;
  for (char *cell = line, *next; cell != NULL; cell = next)
    {
      next = strchr (cell, ',');
      if (next != NULL)
        *next++ = '\0';
      if (!parse_cell (r, cell, lineno, ++col, error))
        return FALSE;
    }
  if (r->rows == 0)
    {
      r->cols = col;
      r->first_line = lineno;
    }
  else if (col != r->cols)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s:%zu: this row has %zu cells but the first row "
                   "(line %zu) has %zu; every row must be the same length",
                   r->path, lineno, col, r->first_line, r->cols);
      return FALSE;
    }
  r->rows++;
  return TRUE;
}

/* Parses the whole text (modified in place) into r->values. */
static gboolean
parse_text (CsvReader *r, char *text, size_t len, GError **error)
{
  char *p = text, *end = text + len;
  size_t lineno = 1;

  if (strlen (text) != len)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s: holds a NUL byte: not a CSV text file", r->path);
      return FALSE;
    }
  if (g_str_has_prefix (p, UTF8_BOM))
    p += strlen (UTF8_BOM);
  for (; p < end; lineno++)
    {
      char *nl = memchr (p, '\n', end - p);

      if (nl != NULL)
        *nl = '\0';
      if (!parse_line (r, p, lineno, error))
        return FALSE;
      p = nl != NULL ? nl + 1 : end;
    }
  if (r->rows == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s: holds no numbers (%s)", r->path,
                   len == 0 ? "the file is empty"
                            : "only blank lines and comments");
      return FALSE;
    }
  return TRUE;
}

CondmapArray *
condmap_csv_read (const char *path, CondmapDtype dtype, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GArray) values = NULL;
  CsvReader r = { path, dtype, NULL, 0, 0, 0 };
  CondmapArray *array;
  size_t len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (condmap_dtype_size (dtype) == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "unknown dtype %d (condmap holds float32 and float64)",
                   (int) dtype);
      return NULL;
    }
  text = cm_read_regular_file (path, &len, error);
  if (text == NULL)
    return NULL;
  values = r.values = g_array_new (FALSE, FALSE, sizeof (double));
  if (!parse_text (&r, text, len, error))
    return NULL;
  array = condmap_array_new (dtype, 2, (size_t[]) { r.rows, r.cols }, error);
  if (array == NULL)
    return NULL;
  if (dtype == CONDMAP_DTYPE_FLOAT64)
    memcpy (condmap_array_get_data (array), values->data,
            values->len * sizeof (double));
  else
    for (guint i = 0; i < values->len; i++)
      ((float *) condmap_array_get_data (array))[i] =
        (float) g_array_index (values, double, i);
  return array;
}

/* Writes a string, reporting a failure while errno still says why. */
static gboolean
put (const char *s, FILE *stream, const char *path, GError **error)
{
  if (fputs (s, stream) >= 0)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO, "cannot write '%s': %s",
               path, g_strerror (errno));
  return FALSE;
}

static gboolean
write_cells (FILE *stream, const CondmapArray *array, size_t rows,
             size_t cols, const char *path, GError **error)
{
  gboolean f32 = condmap_array_get_dtype (array) == CONDMAP_DTYPE_FLOAT32;
  const void *data = condmap_array_peek_data (array);
  char cell[G_ASCII_DTOSTR_BUF_SIZE];

  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++)
      {
        size_t k = i * cols + j;

        /* 9 and 17 significant digits read back to the same bits. */
        if (f32)
          g_ascii_formatd (cell, sizeof cell, "%.9g", ((const float *) data)[k]);
        else
          g_ascii_formatd (cell, sizeof cell, "%.17g",
                           ((const double *) data)[k]);
        if ((j > 0 && !put (",", stream, path, error))
            || !put (cell, stream, path, error)
            || (j + 1 == cols && !put ("\n", stream, path, error)))
          return FALSE;
      }
  return TRUE;
}

gboolean
condmap_csv_write (const char *path, const CondmapArray *array,
                   GError **error)
{
  unsigned rank = condmap_array_get_rank (array);
  const size_t *shape = condmap_array_get_shape (array);
  size_t rows = rank == 2 ? shape[0] : 1;
  size_t cols = rank == 2 ? shape[1] : rank == 1 ? shape[0] : 1;
  g_autoptr (CmAtomicFile) file = NULL;

  g_return_val_if_fail (path != NULL && array != NULL, FALSE);

  if (rank > 2)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot write '%s': the array has %u dimensions, but CSV "
                   "holds 2-D matrices only; use --format npy", path, rank);
      return FALSE;
    }
  if (condmap_array_get_n (array) == 0)
    {
      /* It would read back as "holds no numbers". */
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot write '%s': the array is empty, and CSV cannot "
                   "hold an empty matrix; use --format npy", path);
      return FALSE;
    }
  file = cm_atomic_file_new (path, error);
  if (file == NULL)
    return FALSE;
  if (!write_cells (cm_atomic_file_get_stream (file), array, rows, cols,
                    path, error))
    return FALSE;   /* the autoptr removes the temporary file */
  return cm_atomic_file_commit (g_steal_pointer (&file), error);
}
