/* planes-read.c - the planes of an OUTDIR, as its sidecar lists them:
 * the files convert wrote, or conductances measured back from a chip into
 * files of the same names.  Read by restore and plot. */
#include "cli.h"

/* CSV holds a 1-D array as one row, so a (1, n) CSV plane matches a
 * sidecar shape of (n,). */
static gboolean
shape_matches (const CondmapArray *plane, CliFormat format,
               const CondmapSidecar *sc)
{
  unsigned rank = condmap_array_get_rank (plane);
  const size_t *shape = condmap_array_get_shape (plane);
  unsigned want_rank = condmap_sidecar_get_rank (sc);
  const size_t *want = condmap_sidecar_get_shape (sc);

  if (format == CLI_FORMAT_CSV && want_rank == 1 && rank == 2
      && shape[0] == 1 && shape[1] == want[0])
    return TRUE;
  if (rank != want_rank)
    return FALSE;
  for (unsigned i = 0; i < rank; i++)
    if (shape[i] != want[i])
      return FALSE;
  return TRUE;
}

/* Reads plane file @name of @dir (CSV in the sidecar's dtype) and refuses
 * one that does not fit the record: measured planes must stand in for the
 * written ones element for element. */
static CondmapArray *
read_plane (const char *dir, const char *name, const CondmapSidecar *sc,
            GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  CondmapDtype dtype = condmap_sidecar_get_dtype (sc);
  g_autoptr (CondmapArray) plane = NULL;
  CliFormat format;

  if ((plane = cli_array_read (path, dtype, &format, error)) == NULL)
    return NULL;
  if (condmap_array_get_dtype (plane) != dtype)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "plane '%s' is %s, but %s/params.yaml records %s: save "
                   "the planes in the dtype convert wrote them in", path,
                   condmap_dtype_name (condmap_array_get_dtype (plane)), dir,
                   condmap_dtype_name (dtype));
      return NULL;
    }
  if (!shape_matches (plane, format, sc))
    {
      g_autofree char *got =
        condmap_shape_to_string (condmap_array_get_rank (plane),
                             condmap_array_get_shape (plane));
      g_autofree char *want =
        condmap_shape_to_string (condmap_sidecar_get_rank (sc),
                             condmap_sidecar_get_shape (sc));

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "plane '%s' has shape %s, but %s/params.yaml records %s: "
                   "every plane must have the shape of the weights", path,
                   got, dir, want);
      return NULL;
    }
  return g_steal_pointer (&plane);
}

GPtrArray *
cli_planes_read (const char *dir, const CondmapSidecar *sc, GError **error)
{
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);

  for (const char *const *name = condmap_sidecar_get_planes (sc); *name;
       name++)
    {
      CondmapArray *plane = read_plane (dir, *name, sc, error);

      if (plane == NULL)
        return NULL;
      g_ptr_array_add (planes, plane);
    }
  return g_steal_pointer (&planes);
}
