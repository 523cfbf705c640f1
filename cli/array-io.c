/* array-io.c - weights and planes in files: the format is chosen by the
 * file's name (and, for .npy, its magic), so that every subcommand treats
 * a file the same way. */
#include <string.h>
#include "cli.h"

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

CondmapArray *
cli_array_read (const char *path, CondmapDtype csv_dtype,
                CliFormat *format_out, GError **error)
{
  gboolean csv = FALSE;
  CondmapArray *array = condmap_array_read (path, csv_dtype, &csv, error);

  if (format_out != NULL)
    *format_out = csv ? CLI_FORMAT_CSV : CLI_FORMAT_NPY;
  return array;
}

gboolean
cli_array_write (const char *path, CliFormat format,
                 const CondmapArray *array, GError **error)
{
  if (format == CLI_FORMAT_CSV)
    return condmap_csv_write (path, array, error);
  return condmap_npy_write (path, array, error);
}
