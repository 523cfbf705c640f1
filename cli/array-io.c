/* array-io.c - weights and planes in files: the format is chosen by the
 * file's name (and, for .npy, its magic), so that every subcommand treats
 * a file the same way. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include "cli.h"

/* The first bytes of every .npy file. */
static const char npy_magic[6] = { '\x93', 'N', 'U', 'M', 'P', 'Y' };

CliFormat
cli_format_from_name (const char *name)
{
  if (name == NULL)
    return CLI_FORMAT_NONE;
  if (g_ascii_strcasecmp (name, "npy") == 0)
    return CLI_FORMAT_NPY;
  if (g_ascii_strcasecmp (name, "csv") == 0)
    return CLI_FORMAT_CSV;
  return CLI_FORMAT_NONE;
}

CliFormat
cli_format_from_path (const char *path)
{
  const char *dot = strrchr (path, '.');

  if (dot == NULL || strchr (dot, '/') != NULL)
    return CLI_FORMAT_NONE;
  return cli_format_from_name (dot + 1);
}

const char *
cli_format_name (CliFormat format)
{
  return format == CLI_FORMAT_CSV ? "csv" : "npy";
}

gboolean
cli_format_check_rank (CliFormat format, unsigned rank, const char *what,
                       GError **error)
{
  if (format != CLI_FORMAT_CSV || rank == 1 || rank == 2)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "%s is %u-D, and CSV holds 1-D and 2-D arrays only: "
               "use .npy", what, rank);
  return FALSE;
}

/* Whether the file starts with the .npy magic.  A file that cannot be
 * read is left to the reader, whose message says why. */
static gboolean
has_npy_magic (const char *path)
{
  char head[sizeof npy_magic];
  struct stat st;
  FILE *f;
  gboolean yes;

  /* Never open a FIFO here: the reader refuses it without blocking. */
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode)
      || (f = fopen (path, "rb")) == NULL)
    return FALSE;
  yes = fread (head, 1, sizeof head, f) == sizeof head
        && memcmp (head, npy_magic, sizeof head) == 0;
  fclose (f);
  return yes;
}

CondmapArray *
cli_array_read (const char *path, CondmapDtype csv_dtype,
                CliFormat *format_out, GError **error)
{
  CliFormat format = CLI_FORMAT_NPY;

  /* Anything not named *.csv goes to the .npy reader, which says clearly
   * when a file is not .npy. */
  if (!has_npy_magic (path) && cli_format_from_path (path) == CLI_FORMAT_CSV)
    format = CLI_FORMAT_CSV;
  if (format_out != NULL)
    *format_out = format;
  if (format == CLI_FORMAT_CSV)
    return condmap_csv_read (path, csv_dtype, error);
  return condmap_npy_read (path, error);
}

gboolean
cli_array_write (const char *path, CliFormat format,
                 const CondmapArray *array, GError **error)
{
  if (format == CLI_FORMAT_CSV)
    return condmap_csv_write (path, array, error);
  return condmap_npy_write (path, array, error);
}
