/* sidecar-channels.c - params with one row per channel in the sidecar.
 *
 * A layer scaled per channel has a params row per output channel: 4096
 * rows would make a 4096-line params.yaml.  So they go to a .npy file
 * beside it, channels x params in float64 (every float32 value is exact
 * in it), and params.yaml names the file and the column of each param:
 *
 *   params: {file: params.npy, columns: [scale_ratio, clip_threshold]}
 *
 * Read back, the file must be a plain name inside OUTDIR (as the planes),
 * of that many columns, every value finite. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "sidecar-private.h"

/* A FORMAT error at @at's line of @path (cm_node_error). */
#define refuse(error, path, at, ...) \
  cm_node_error ((error), CONDMAP_ERROR_FORMAT, (path), (at), __VA_ARGS__)

/* A param's value is a number, so a `file` that is a string (or a
 * `columns` list) can only be the per-channel form. */
gboolean
cm_sidecar_params_is_file (const CmNode *params)
{
  const CmNode *file, *columns;
  double v;

  if (params->kind != CM_NODE_MAPPING)
    return FALSE;
  file = cm_node_lookup (params, "file");
  columns = cm_node_lookup (params, "columns");
  return (file != NULL && !cm_node_to_double (file, &v))
         || (columns != NULL && columns->kind == CM_NODE_SEQUENCE);
}

/* `columns`: names, each once. */
static gboolean
read_columns (const CondmapSidecar *sc, const CmNode *params,
              GPtrArray *names, GError **error)
{
  const CmNode *node = cm_node_lookup (params, "columns");

  if (node == NULL || node->kind != CM_NODE_SEQUENCE
      || node->children->len == 0)
    return refuse (error, sc->path, node ? node : params, "params: "
                   "'columns' must list the param of each column of the "
                   "file, such as [scale_ratio]");
  for (guint i = 0; i < node->children->len; i++)
    {
      const CmNode *item = node->children->pdata[i];

      if (item->kind != CM_NODE_SCALAR || cm_node_is_null (item))
        {
          g_autofree char *what = cm_node_describe (item);

          return refuse (error, sc->path, item, "params: column %u must be "
                         "a param name, not %s", i, what);
        }
      for (guint j = 0; j < names->len; j++)
        if (strcmp (names->pdata[j], item->value) == 0)
          return refuse (error, sc->path, item, "params: column '%s' is "
                         "listed twice", item->value);
      g_ptr_array_add (names, item->value);
    }
  return TRUE;
}

/* The file's values, checked against the column names. */
static gboolean
read_values (CondmapSidecar *sc, const CmNode *file, const GPtrArray *names,
             GError **error)
{
  g_autofree char *dir = g_path_get_dirname (sc->path);
  g_autofree char *path = g_build_filename (dir, file->value, NULL);
  g_autoptr (CondmapArray) a = NULL;
  g_autofree double *column = NULL;
  const size_t *shape;
  const void *data;
  gboolean f32;
  size_t rows;

  if ((a = condmap_npy_read (path, error)) == NULL)
    return FALSE;
  shape = condmap_array_get_shape (a);
  if (condmap_array_get_rank (a) != 2 || shape[0] == 0
      || shape[1] != names->len)
    {
      g_autofree char *got = condmap_shape_to_string (
        condmap_array_get_rank (a), shape);

      return refuse (error, sc->path, file, "params file '%s' has shape %s, "
                     "but a row per channel of the %u columns listed is "
                     "(channels, %u)", file->value, got, names->len,
                     names->len);
    }
  rows = shape[0];
  data = condmap_array_peek_data (a);
  f32 = condmap_array_get_dtype (a) == CONDMAP_DTYPE_FLOAT32;
  column = g_new (double, rows);
  condmap_params_set_n_rows (sc->params, rows);
  for (guint j = 0; j < names->len; j++)
    {
      for (size_t r = 0; r < rows; r++)
        {
          size_t i = r * names->len + j;

          column[r] = f32 ? ((const float *) data)[i]
                          : ((const double *) data)[i];
          if (!isfinite (column[r]))
            return refuse (error, sc->path, file, "params file '%s': row "
                           "%zu, column %u (%s) is not a finite number",
                           file->value, r, j, (const char *) names->pdata[j]);
        }
      condmap_params_set_column (sc->params, names->pdata[j], column, rows);
    }
  return TRUE;
}

gboolean
cm_sidecar_read_params_file (CondmapSidecar *sc, const CmNode *params,
                             GError **error)
{
  const CmNode *file = cm_node_lookup (params, "file");
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < params->children->len; i += 2)
    {
      const CmNode *key = params->children->pdata[i];

      if (strcmp (key->value, "file") != 0
          && strcmp (key->value, "columns") != 0)
        return refuse (error, sc->path, key, "params: unknown key '%s' (the "
                       "per-channel form has file and columns)", key->value);
    }
  if (file == NULL || file->kind != CM_NODE_SCALAR
      || !cm_sidecar_is_plain_file_name (file->value))
    {
      g_autofree char *what = file ? cm_node_describe (file)
                                   : g_strdup ("missing");

      return refuse (error, sc->path, file ? file : params, "params: "
                     "'file' must be a plain file name inside the output "
                     "directory (no '/' or '\\', not '.', '..' or empty), "
                     "such as params.npy, not %s", what);
    }
  return read_columns (sc, params, names, error)
         && read_values (sc, file, names, error);
}

char *
cm_sidecar_params_file_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base
      && (strcmp (dot, ".yaml") == 0 || strcmp (dot, ".yml") == 0))
    *dot = '\0';
  return g_strconcat (base, ".npy", NULL);
}

gboolean
cm_sidecar_write_params_file (const CondmapSidecar *sc, const char *path,
                              const char *file_name, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *npy = g_build_filename (dir, file_name, NULL);
  size_t P = condmap_params_get_n (sc->params);
  size_t shape[2] = { condmap_params_get_n_rows (sc->params), P };
  g_autoptr (CondmapArray) a = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 2,
                                                  shape, error);
  g_autofree double *column = g_new (double, shape[0]);
  double *data;

  if (a == NULL)
    return FALSE;
  data = condmap_array_get_data (a);
  for (size_t j = 0; j < P; j++)
    {
      condmap_params_get_column (sc->params,
                                 condmap_params_get_name (sc->params, j),
                                 column);
      for (size_t r = 0; r < shape[0]; r++)
        data[r * P + j] = column[r];
    }
  return condmap_npy_write (npy, a, error);
}

int
cm_sidecar_format_version (const CondmapSidecar *sc)
{
  if (condmap_params_get_n_rows (sc->params) > 1)
    return 2;
  if (sc->resolved != NULL)
    return cm_core_keys_is_default (&sc->core) ? 1 : 2;
  if (sc->config != NULL)
    for (const char *const *k = cm_core_keys; *k != NULL; k++)
      if (strcmp (*k, "converter") != 0 && cm_node_lookup (sc->config, *k))
        return 2;
  return 1;
}
