/* outdir-restore.c - condmap_restore_dir(): the planes of an OUTDIR (as
 * condmap_converter_convert_to_dir() wrote them, or conductances measured
 * back from a chip into files of the same names) back into weights, with
 * the record in OUTDIR/params.yaml. */
#include "condmap-private.h"

/* CSV holds a 1-D array as one row, so a (1, n) CSV plane matches a
 * sidecar shape of (n,). */
static gboolean
shape_matches (const CondmapArray *plane, gboolean csv,
               const CondmapSidecar *sc)
{
  unsigned rank = condmap_array_get_rank (plane);
  const size_t *shape = condmap_array_get_shape (plane);
  unsigned want_rank = condmap_sidecar_get_rank (sc);
  const size_t *want = condmap_sidecar_get_shape (sc);

  if (csv && want_rank == 1 && rank == 2 && shape[0] == 1
      && shape[1] == want[0])
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
  gboolean csv;

  if ((plane = condmap_array_read (path, dtype, &csv, error)) == NULL)
    return NULL;
  if (condmap_array_get_dtype (plane) != dtype)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "plane '%s' is %s, but %s/" CONDMAP_OUTDIR_SIDECAR
                   " records %s: save the planes in the dtype convert wrote "
                   "them in", path,
                   condmap_dtype_name (condmap_array_get_dtype (plane)), dir,
                   condmap_dtype_name (dtype));
      return NULL;
    }
  if (!shape_matches (plane, csv, sc))
    {
      g_autofree char *got =
        condmap_shape_to_string (condmap_array_get_rank (plane),
                                 condmap_array_get_shape (plane));
      g_autofree char *want =
        condmap_shape_to_string (condmap_sidecar_get_rank (sc),
                                 condmap_sidecar_get_shape (sc));

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "plane '%s' has shape %s, but %s/" CONDMAP_OUTDIR_SIDECAR
                   " records %s: every plane must have the shape of the "
                   "weights", path, got, dir, want);
      return NULL;
    }
  return g_steal_pointer (&plane);
}

GPtrArray *
condmap_outdir_read_planes (const char *dir, const CondmapSidecar *sc,
                            GError **error)
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

CondmapArray *
condmap_restore_dir (CondmapRuntime *runtime, const char *outdir,
                     CondmapSidecar **sidecar_out, GError **error)
{
  g_autofree char *sidecar_path = NULL;
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  g_autofree const void **data = NULL;

  g_return_val_if_fail (runtime != NULL && outdir != NULL, NULL);
  sidecar_path = g_build_filename (outdir, CONDMAP_OUTDIR_SIDECAR, NULL);
  if ((sc = condmap_sidecar_read (sidecar_path, error)) == NULL
      || (conv = condmap_sidecar_new_converter (sc, runtime, error)) == NULL
      || (planes = condmap_outdir_read_planes (outdir, sc, error)) == NULL
      || (weights = condmap_array_new (condmap_sidecar_get_dtype (sc),
                                       condmap_sidecar_get_rank (sc),
                                       condmap_sidecar_get_shape (sc),
                                       error)) == NULL)
    return NULL;
  data = g_new0 (const void *, planes->len);
  for (guint k = 0; k < planes->len; k++)
    data[k] = condmap_array_peek_data (planes->pdata[k]);
  if (!condmap_converter_to_weights_shaped (conv,
                                            condmap_sidecar_get_dtype (sc),
                                            condmap_sidecar_get_rank (sc),
                                            condmap_sidecar_get_shape (sc),
                                            data,
                                            condmap_sidecar_get_params (sc),
                                            condmap_array_get_data (weights),
                                            error))
    return NULL;
  if (sidecar_out != NULL)
    *sidecar_out = g_steal_pointer (&sc);
  return g_steal_pointer (&weights);
}
