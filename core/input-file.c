/* input-file.c - opening a file condmap reads data from.  Only regular
 * files: a FIFO would block the open (and a second open, to sniff and then
 * read, would wait forever for a writer), a device never ends, and neither
 * has a length to check sizes against. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "condmap-private.h"

FILE *
cm_open_regular (const char *path, struct stat *st, GError **error)
{
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  int saved;
  FILE *f;

  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot open '%s': %s", path, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, st) != 0 || !S_ISREG (st->st_mode))
    {
      saved = S_ISDIR (st->st_mode) ? EISDIR : errno;
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot read '%s': %s", path,
                   saved == EISDIR ? g_strerror (saved)
                   : "not a regular file (a pipe or a device); copy it to a "
                     "file first");
      close (fd);
      return NULL;
    }
  /* Regular files ignore O_NONBLOCK; clear it anyway for stdio. */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  f = fdopen (fd, "rb");
  if (f == NULL)
    {
      saved = errno;
      close (fd);
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot read '%s': %s", path, g_strerror (saved));
    }
  return f;
}

char *
cm_read_regular_file (const char *path, size_t *len, GError **error)
{
  struct stat st;
  FILE *f = cm_open_regular (path, &st, error);
  char *text = NULL;
  int saved = 0;

  if (f == NULL)
    return NULL;
  errno = 0;
  if ((text = g_try_malloc ((size_t) st.st_size + 1)) == NULL)
    saved = ENOMEM;
  else if ((*len = fread (text, 1, st.st_size, f)) != (size_t) st.st_size)
    saved = errno ? errno : EIO;   /* an error, or the file shrank */
  fclose (f);
  if (saved != 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot read '%s': %s", path, g_strerror (saved));
      g_free (text);
      return NULL;
    }
  text[*len] = '\0';
  return text;
}
