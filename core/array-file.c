/* array-file.c - an array file whose format is told by its name and, for
 * .npy, its magic: the one rule by which the CLI reads weights and
 * condmap_restore_dir() reads planes. */
#include <string.h>
#include <sys/stat.h>
#include "condmap-private.h"

/* The first bytes of every .npy file. */
static const char npy_magic[6] = { '\x93', 'N', 'U', 'M', 'P', 'Y' };

/* Whether the file starts with the .npy magic.  A file that cannot be
 * read is left to the reader, whose message says why. */
static gboolean
has_npy_magic (const char *path)
{
  char head[sizeof npy_magic];
  struct stat st;
  FILE *f;
  gboolean yes;
  g_autoptr (GError) ignored = NULL;

  /* Never a FIFO: cm_open_regular refuses it without blocking. */
  if ((f = cm_open_regular (path, &st, &ignored)) == NULL)
    return FALSE;
  yes = fread (head, 1, sizeof head, f) == sizeof head
        && memcmp (head, npy_magic, sizeof head) == 0;
  fclose (f);
  return yes;
}

static gboolean
named_csv (const char *path)
{
  const char *dot = strrchr (path, '.');

  return dot != NULL && strchr (dot, '/') == NULL
         && g_ascii_strcasecmp (dot + 1, "csv") == 0;
}

CondmapArray *
condmap_array_read (const char *path, CondmapDtype csv_dtype,
                    gboolean *is_csv, GError **error)
{
  gboolean csv;

  g_return_val_if_fail (path != NULL, NULL);
  /* Anything not named *.csv goes to the .npy reader, which says clearly
   * when a file is not .npy. */
  csv = named_csv (path) && !has_npy_magic (path);
  if (is_csv != NULL)
    *is_csv = csv;
  if (csv)
    return condmap_csv_read (path, csv_dtype, error);
  return condmap_npy_read (path, error);
}
