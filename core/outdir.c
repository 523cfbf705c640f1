/* outdir.c - condmap_converter_convert_to_dir(): an output directory that
 * appears complete or not at all.
 *
 * OUTDIR holds one file per plane, named after the plane and the format
 * ("g_plus_0.npy"), and the sidecar params.yaml.  Everything is built in
 * "OUTDIR.tmp-XXXXXX" beside OUTDIR (the same file system, so rename(2) is
 * atomic) and renamed into place once every file is written.  A failure
 * at any point removes the temporary directory, and so does a signal whose
 * handler calls condmap_cleanup_on_signal() (temporaries.c): a reader --
 * or the lab script that runs restore next -- never sees half an OUTDIR. */
#define _GNU_SOURCE   /* renameat2, RENAME_NOREPLACE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "condmap-private.h"

/* The directory being built (CmOutdir, condmap-private.h). */
typedef CmOutdir Outdir;

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

/* The destination without trailing slashes, if it may be written. */
static char *
check_path (const char *path, gboolean force, GError **error)
{
  g_autofree char *clean = strip_slashes (path);
  g_autofree char *base = g_path_get_basename (clean);
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
  return g_steal_pointer (&clean);
}

gboolean
condmap_outdir_check (const char *outdir, CondmapOutdirFlags flags,
                      GError **error)
{
  g_autofree char *clean = NULL;

  g_return_val_if_fail (outdir != NULL, FALSE);
  clean = check_path (outdir, (flags & CONDMAP_OUTDIR_FORCE) != 0, error);
  return clean != NULL;
}

/* Creates "PATH.tmp-XXXXXX", registered so that a signal removes it and
 * the files named in @children. */
static gboolean
create_tmp (Outdir *o, const char *const *children, GError **error)
{
  g_autofree char *tmpl = g_strdup_printf ("%s.tmp-XXXXXX", o->path);

  if ((o->guard = cm_guard_new (o->path, error)) == NULL)
    return FALSE;
  /* 0777 and the umask, like mkdir(1): the results are meant to be
   * shared with the lab, not private. */
  if (g_mkdtemp_full (tmpl, 0777) == NULL)
    {
      int saved = errno;
      g_autofree char *parent = g_path_get_dirname (o->path);

      return fail (error, CONDMAP_ERROR_IO, saved, "cannot write '%s': "
                   "cannot create a directory in '%s'", o->path, parent);
    }
  cm_guard_set (o->guard, tmpl, children);
  o->tmp = g_steal_pointer (&tmpl);
  return TRUE;
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
replace (Outdir *o, GError **error)
{
  g_autofree char *old = g_strdup_printf ("%s.old-XXXXXX", o->path);

  /* An empty placeholder reserves a unique name; rename(2) may replace an
   * empty directory. */
  if (g_mkdtemp_full (old, 0700) == NULL)
    return fail (error, CONDMAP_ERROR_IO, errno, "cannot replace '%s': "
                 "cannot create a directory beside it", o->path);
  if (g_rename (o->path, old) != 0)
    {
      int saved = errno;

      g_rmdir (old);
      return fail (error, CONDMAP_ERROR_IO, saved, "cannot replace '%s': "
                   "cannot move it aside", o->path);
    }
  if (g_rename (o->tmp, o->path) != 0)
    {
      int saved = errno;

      g_rename (old, o->path);
      return fail (error, CONDMAP_ERROR_IO, saved, "cannot replace '%s' "
                   "(left as it was)", o->path);
    }
  g_clear_pointer (&o->tmp, g_free);
  /* The new OUTDIR is in place: this is no reason to fail. */
  if (!cm_remove_tree (old))
    g_warning ("'%s' was replaced, but its old contents could not all be "
               "removed from '%s': %s", o->path, old, g_strerror (errno));
  return TRUE;
}

static gboolean
rename_into_place (Outdir *o, GError **error)
{
  struct stat st;

  if (o->force && lstat (o->path, &st) == 0)
    return replace (o, error);
  if (rename_noreplace (o->tmp, o->path) != 0)
    {
      if (errno == EEXIST || errno == ENOTEMPTY)
        return fail (error, CONDMAP_ERROR_EXISTS, 0, "'%s' was created by "
                     "someone else while converting: use --force to "
                     "replace it", o->path);
      return fail (error, CONDMAP_ERROR_IO, errno, "cannot rename '%s' to "
                   "'%s'", o->tmp, o->path);
    }
  g_clear_pointer (&o->tmp, g_free);
  return TRUE;
}

/* With signals held off (cm_guard_publish): a signal during the renames
 * waits for them, and finds the directory published and nothing left to
 * remove. */
static gboolean
commit (Outdir *o, GError **error)
{
  return cm_guard_publish (o->guard, o->path, error)
         && rename_into_place (o, error);
}

/* Removes the built directory unless it was published. */
static void
outdir_clear (Outdir *o)
{
  if (o->tmp != NULL)
    cm_remove_tree (o->tmp);
  g_clear_pointer (&o->guard, cm_guard_free);
  g_clear_pointer (&o->tmp, g_free);
  g_clear_pointer (&o->path, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outdir, outdir_clear)

gboolean
cm_remove_tree (const char *path)
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

      ok = cm_remove_tree (child) && ok;
    }
  g_dir_close (dir);
  return g_rmdir (path) == 0 && ok;
}

/* ---- the conversion ---------------------------------------------------- */

/* The K planes of @weights, new arrays of its dtype and shape, in the
 * converter's order. */
static GPtrArray *
convert (const CondmapConverter *conv, const CondmapArray *weights,
         CondmapParams **params_out, GError **error)
{
  unsigned K = condmap_converter_get_n_planes (conv);
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);
  g_autofree void **data = g_new0 (void *, K);

  for (unsigned k = 0; k < K; k++)
    {
      CondmapArray *plane =
        condmap_array_new (condmap_array_get_dtype (weights),
                           condmap_array_get_rank (weights),
                           condmap_array_get_shape (weights), error);

      if (plane == NULL)
        return NULL;
      g_ptr_array_add (planes, plane);
      data[k] = condmap_array_get_data (plane);
    }
  if (!condmap_converter_to_conductances_shaped (
         conv, condmap_array_get_dtype (weights),
         condmap_array_get_rank (weights), condmap_array_get_shape (weights),
         condmap_array_peek_data (weights), data, params_out, error))
    return NULL;
  return g_steal_pointer (&planes);
}

/* The plane files, "g_plus_0.npy", ..., NULL-terminated.  Free with
 * g_strfreev(). */
static char **
plane_files (const CondmapConverter *conv, gboolean csv)
{
  unsigned K = condmap_converter_get_n_planes (conv);
  char **names = g_new0 (char *, K + 1);

  for (unsigned k = 0; k < K; k++)
    names[k] = g_strdup_printf ("%s.%s",
                                condmap_converter_get_plane_name (conv, k),
                                csv ? "csv" : "npy");
  return names;
}

/* Everything the directory may hold: the plane files, the sidecar and
 * the per-channel params file the sidecar writes beside itself
 * (sidecar-channels.c).  Free with g_free() (the names are borrowed). */
static const char **
dir_children (char **files)
{
  guint n = g_strv_length (files);
  const char **children = g_new0 (const char *, n + 3);

  memcpy (children, files, n * sizeof *children);
  children[n] = CONDMAP_OUTDIR_SIDECAR;
  children[n + 1] = "params.npy";
  return children;
}

/* Each plane in the format its name says (plane_files() names them). */
static gboolean
write_files (const char *dir, char *const *files, const GPtrArray *planes,
             const CondmapSidecar *sidecar, GError **error)
{
  g_autofree char *sidecar_path =
    g_build_filename (dir, CONDMAP_OUTDIR_SIDECAR, NULL);

  for (guint k = 0; k < planes->len; k++)
    {
      g_autofree char *path = g_build_filename (dir, files[k], NULL);
      gboolean csv = g_str_has_suffix (files[k], ".csv");

      if (!(csv ? condmap_csv_write (path, planes->pdata[k], error)
                : condmap_npy_write (path, planes->pdata[k], error)))
        return FALSE;
    }
  return condmap_sidecar_write (sidecar, sidecar_path, error);
}

/* The order fails early: the destination is checked before the
 * conversion, and the directory created only after it succeeded. */
gboolean
condmap_converter_convert_to_dir (const CondmapConverter *conv,
                                  const CondmapArray *weights,
                                  const char *outdir,
                                  CondmapOutdirFlags flags,
                                  CondmapSidecar **sidecar_out,
                                  GError **error)
{
  gboolean csv = (flags & CONDMAP_OUTDIR_CSV) != 0;
  unsigned rank;
  g_auto (Outdir) o = { 0 };
  g_auto (GStrv) files = NULL;
  g_autofree const char **children = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapSidecar) sidecar = NULL;

  g_return_val_if_fail (conv != NULL && weights != NULL && outdir != NULL,
                        FALSE);
  rank = condmap_array_get_rank (weights);
  o.force = (flags & CONDMAP_OUTDIR_FORCE) != 0;
  if ((o.path = check_path (outdir, o.force, error)) == NULL)
    return FALSE;
  if (csv && rank != 1 && rank != 2)
    return fail (error, CONDMAP_ERROR_INPUT, 0, "cannot write CSV planes "
                 "into '%s': the weights are %u-D, and CSV holds 1-D and 2-D "
                 "arrays only: use .npy", o.path, rank);
  files = plane_files (conv, csv);
  children = dir_children (files);
  if ((planes = convert (conv, weights, &params, error)) == NULL)
    return FALSE;
  sidecar = condmap_sidecar_new (conv, condmap_array_get_dtype (weights),
                                 rank, condmap_array_get_shape (weights),
                                 params, (const char *const *) files);
  if (!create_tmp (&o, children, error)
      || !write_files (o.tmp, files, planes, sidecar, error)
      || !commit (&o, error))
    return FALSE;
  if (sidecar_out != NULL)
    *sidecar_out = g_steal_pointer (&sidecar);
  return TRUE;
}

gboolean
cm_outdir_write (const char *outdir, CondmapOutdirFlags flags,
                 const char *const *files, const GPtrArray *planes,
                 const CondmapSidecar *sidecar, GError **error)
{
  g_auto (Outdir) o = { 0 };
  g_autofree const char **children = NULL;

  o.force = (flags & CONDMAP_OUTDIR_FORCE) != 0;
  if ((o.path = check_path (outdir, o.force, error)) == NULL)
    return FALSE;
  children = dir_children ((char **) files);
  return create_tmp (&o, children, error)
         && write_files (o.tmp, (char *const *) files, planes, sidecar, error)
         && commit (&o, error);
}

/* ---- for other outputs that are directories (checkpoint.c) ------------ */

gboolean
cm_outdir_prepare (CmOutdir *o, const char *path, gboolean force,
                   GError **error)
{
  o->force = force;
  o->path = check_path (path, force, error);
  return o->path != NULL;
}

gboolean
cm_outdir_create (CmOutdir *o, const char *const *children, GError **error)
{
  return create_tmp (o, children, error);
}

gboolean
cm_outdir_commit (CmOutdir *o, GError **error)
{
  return commit (o, error);
}

void
cm_outdir_clear (CmOutdir *o)
{
  outdir_clear (o);
}
