/* atomic-file.c - write beside the destination, then rename into place, so
 * that a reader never sees a half-written output and a failed run leaves
 * the previous file (or none) behind.  The temporary is registered
 * (temporaries.c), so that a signal does not leave it behind either. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "condmap-private.h"

struct _CmAtomicFile {
  char *path;        /* the destination */
  char *tmp_path;    /* DIR/.NAME.XXXXXX, same directory so rename is atomic */
  FILE *stream;
  CmGuard *guard;    /* the registration of tmp_path */
};

/* After tmp_path is renamed or removed. */
static void
atomic_file_free (CmAtomicFile *file)
{
  cm_guard_free (file->guard);
  g_free (file->path);
  g_free (file->tmp_path);
  g_free (file);
}

CmAtomicFile *
cm_atomic_file_new (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf (".%s.XXXXXX", base);
  CmAtomicFile *file;
  int fd, saved;

  file = g_new0 (CmAtomicFile, 1);
  file->path = g_strdup (path);
  file->tmp_path = g_build_filename (dir, tmpl, NULL);
  if ((file->guard = cm_guard_new (path, error)) == NULL)
    {
      atomic_file_free (file);
      return NULL;
    }
  /* 0666 and the umask, like any file a program creates (mkstemp's 0600
   * would make outputs private by surprise). */
  fd = g_mkstemp_full (file->tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot write '%s': cannot create a temporary file in "
                   "'%s': %s", path, dir, g_strerror (saved));
      atomic_file_free (file);
      return NULL;
    }
  cm_guard_set (file->guard, file->tmp_path, NULL);
  file->stream = fdopen (fd, "wb");
  if (file->stream == NULL)
    {
      saved = errno;
      close (fd);
      g_unlink (file->tmp_path);
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot write '%s': %s", path, g_strerror (saved));
      atomic_file_free (file);
      return NULL;
    }
  return file;
}

FILE *
cm_atomic_file_get_stream (CmAtomicFile *file)
{
  return file->stream;
}

int
cm_atomic_file_get_fd (CmAtomicFile *file)
{
  return fileno (file->stream);
}

/* Sets @error for a failed step and returns FALSE. */
static gboolean
io_error (GError **error, const char *path, const char *what, int errnum)
{
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO, "cannot %s '%s': %s",
               what, path, g_strerror (errnum ? errnum : EIO));
  return FALSE;
}

/* Flushes and closes the stream, checking every step: stdio reports a
 * full disk only here, long after the fwrite() that hit it.  The stream is
 * closed whatever happens. */
static gboolean
finish_stream (CmAtomicFile *file, GError **error)
{
  FILE *stream = g_steal_pointer (&file->stream);
  int saved;

  errno = 0;
  if (fflush (stream) != 0 || ferror (stream))
    {
      saved = errno;
      fclose (stream);
      return io_error (error, file->path, "write", saved);
    }
  /* Data on disk before the rename makes the new name visible; otherwise
   * a crash can leave an empty file under the final name. */
  if (fsync (fileno (stream)) != 0)
    {
      saved = errno;
      fclose (stream);
      return io_error (error, file->path, "write", saved);
    }
  if (fclose (stream) != 0)
    return io_error (error, file->path, "write", errno);
  return TRUE;
}

gboolean
cm_atomic_file_commit (CmAtomicFile *file, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (file != NULL, FALSE);

  ok = finish_stream (file, error)
       && cm_guard_publish (file->guard, file->path, error);
  if (ok && g_rename (file->tmp_path, file->path) != 0)
    {
      int saved = errno;

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot write '%s': renaming '%s' into place failed: %s",
                   file->path, file->tmp_path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (file->tmp_path);
  atomic_file_free (file);
  return ok;
}

void
cm_atomic_file_abort (CmAtomicFile *file)
{
  if (file == NULL)
    return;
  if (file->stream != NULL)
    fclose (file->stream);
  g_unlink (file->tmp_path);
  atomic_file_free (file);
}
