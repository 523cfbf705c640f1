/* outdir.c - an output directory that appears complete or not at all.
 *
 * Everything is built in "OUTDIR.tmp-XXXXXX" beside OUTDIR (the same file
 * system, so rename(2) is atomic) and renamed into place once every file
 * is written.  A failure at any point removes the temporary directory, so
 * a reader -- or the lab script that runs restore next -- never sees half
 * an OUTDIR. */
#define _GNU_SOURCE   /* renameat2, RENAME_NOREPLACE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "cli.h"

struct _CliOutdir {
  char *path;          /* the destination, without trailing slashes */
  char *tmp;           /* the directory being built; NULL before/after */
  gboolean force;
};

static gboolean G_GNUC_PRINTF (4, 5)
fail (GError **error, CondmapError code, int errnum, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (errnum != 0)
    g_set_error (error, CONDMAP_ERROR, code, "%s: %s", text,
                 g_strerror (errnum));
  else
    g_set_error_literal (error, CONDMAP_ERROR, code, text);
  return FALSE;
}

/* "out/" and "out" are the same directory, but "out/.tmp-X" is not a
 * sibling of it. */
static char *
strip_slashes (const char *path)
{
  char *p = g_strdup (path);
  size_t len = strlen (p);

  while (len > 1 && p[len - 1] == '/')
    p[--len] = '\0';
  return p;
}

CliOutdir *
cli_outdir_new (const char *path, gboolean force, GError **error)
{
  g_autofree char *clean = strip_slashes (path);
  g_autofree char *base = g_path_get_basename (clean);
  CliOutdir *outdir;
  struct stat st;

  if (*clean == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0
      || strcmp (base, "/") == 0)
    {
      fail (error, CONDMAP_ERROR_INPUT, 0, "cannot use '%s' as the output "
            "directory: name a directory of its own, such as out/", path);
      return NULL;
    }
  if (lstat (clean, &st) == 0)
    {
      if (!force)
        fail (error, CONDMAP_ERROR_EXISTS, 0, "'%s' exists: use --force to "
              "replace it (everything in it is deleted)", clean);
      else if (!S_ISDIR (st.st_mode))
        fail (error, CONDMAP_ERROR_EXISTS, 0, "'%s' exists and is not a "
              "directory: --force replaces only an output directory", clean);
      if (!force || !S_ISDIR (st.st_mode))
        return NULL;
    }
  else if (errno != ENOENT)
    {
      fail (error, CONDMAP_ERROR_IO, errno, "cannot use '%s' as the output "
            "directory", clean);
      return NULL;
    }
  outdir = g_new0 (CliOutdir, 1);
  outdir->path = g_steal_pointer (&clean);
  outdir->force = force;
  return outdir;
}

const char *
cli_outdir_create (CliOutdir *outdir, GError **error)
{
  char *tmpl = g_strdup_printf ("%s.tmp-XXXXXX", outdir->path);

  g_return_val_if_fail (outdir->tmp == NULL, NULL);
  /* 0777 and the umask, like mkdir(1): the results are meant to be
   * shared with the lab, not private. */
  if (g_mkdtemp_full (tmpl, 0777) == NULL)
    {
      int saved = errno;
      g_autofree char *parent = g_path_get_dirname (outdir->path);

      g_free (tmpl);
      fail (error, CONDMAP_ERROR_IO, saved, "cannot write '%s': cannot "
            "create a directory in '%s'", outdir->path, parent);
      return NULL;
    }
  outdir->tmp = tmpl;
  cli_interrupt_guard_dir (outdir->tmp);
  return outdir->tmp;
}

/* rename(2) would silently replace an empty directory made meanwhile by
 * someone else; renameat2 refuses to.  File systems without it fall back
 * to a check just before the rename. */
static int
rename_noreplace (const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
#endif
  struct stat st;

  if (lstat (to, &st) == 0)
    {
      errno = EEXIST;
      return -1;
    }
  return rename (from, to);
}

/* Moves the old directory aside, the new one into place, and only then
 * deletes the old one: at no point is there a half-written OUTDIR, and if
 * the second rename fails the old one is put back. */
static gboolean
replace (CliOutdir *outdir, GError **error)
{
  g_autofree char *old = g_strdup_printf ("%s.old-XXXXXX", outdir->path);

  /* An empty placeholder reserves a unique name; rename(2) may replace an
   * empty directory. */
  if (g_mkdtemp_full (old, 0700) == NULL)
    return fail (error, CONDMAP_ERROR_IO, errno, "cannot replace '%s': "
                 "cannot create a directory beside it", outdir->path);
  if (g_rename (outdir->path, old) != 0)
    {
      int saved = errno;

      g_rmdir (old);
      return fail (error, CONDMAP_ERROR_IO, saved, "cannot replace '%s': "
                   "cannot move it aside", outdir->path);
    }
  if (g_rename (outdir->tmp, outdir->path) != 0)
    {
      int saved = errno;

      g_rename (old, outdir->path);
      return fail (error, CONDMAP_ERROR_IO, saved, "cannot replace '%s' "
                   "(left as it was)", outdir->path);
    }
  g_clear_pointer (&outdir->tmp, g_free);
  if (!cli_remove_tree (old))
    g_printerr ("condmap: warning: '%s' was replaced, but its old contents "
                "could not all be removed from '%s': %s\n", outdir->path,
                old, g_strerror (errno));
  return TRUE;
}

static gboolean
commit (CliOutdir *outdir, GError **error)
{
  struct stat st;

  if (outdir->force && lstat (outdir->path, &st) == 0)
    return replace (outdir, error);
  if (rename_noreplace (outdir->tmp, outdir->path) != 0)
    {
      if (errno == EEXIST || errno == ENOTEMPTY)
        return fail (error, CONDMAP_ERROR_EXISTS, 0, "'%s' was created by "
                     "someone else while converting: use --force to "
                     "replace it", outdir->path);
      return fail (error, CONDMAP_ERROR_IO, errno, "cannot rename '%s' to "
                   "'%s'", outdir->tmp, outdir->path);
    }
  g_clear_pointer (&outdir->tmp, g_free);
  return TRUE;
}

/* Under cli_interrupt_hold(): Ctrl-C during the renames waits for them,
 * and finds the directory published and nothing left to remove. */
gboolean
cli_outdir_commit (CliOutdir *outdir, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (outdir->tmp != NULL, FALSE);
  cli_interrupt_hold ();
  ok = commit (outdir, error);
  if (ok)
    cli_interrupt_unguard ();
  cli_interrupt_release ();
  return ok;
}

void
cli_outdir_free (CliOutdir *outdir)
{
  if (outdir == NULL)
    return;
  if (outdir->tmp != NULL)
    {
      cli_remove_tree (outdir->tmp);
      cli_interrupt_unguard ();
    }
  g_free (outdir->tmp);
  g_free (outdir->path);
  g_free (outdir);
}

gboolean
cli_remove_tree (const char *path)
{
  struct stat st;
  GDir *dir;
  const char *name;
  gboolean ok = TRUE;

  if (lstat (path, &st) != 0)
    return errno == ENOENT;
  if (!S_ISDIR (st.st_mode))
    return g_unlink (path) == 0;
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      ok = cli_remove_tree (child) && ok;
    }
  g_dir_close (dir);
  return g_rmdir (path) == 0 && ok;
}
