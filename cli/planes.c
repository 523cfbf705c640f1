/* planes.c - whole-array conversions in memory: allocating the K planes
 * of an array and running the converter over them, as check does (convert
 * and restore call condmap_converter_convert_to_dir() and
 * condmap_restore_dir(), which do it themselves).  The shaped conversions,
 * so that per-channel scaling knows the channels. */
#include "cli.h"

GPtrArray *
cli_planes_from_weights (const CondmapConverter *conv,
                         const CondmapArray *weights,
                         CondmapParams **params_out, GError **error)
{
  unsigned K = condmap_converter_get_n_planes (conv);
  CondmapDtype dtype = condmap_array_get_dtype (weights);
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);
  g_autofree void **data = g_new0 (void *, K);

  for (unsigned k = 0; k < K; k++)
    {
      CondmapArray *plane =
        condmap_array_new (dtype, condmap_array_get_rank (weights),
                           condmap_array_get_shape (weights), error);

      if (plane == NULL)
        return NULL;
      g_ptr_array_add (planes, plane);
      data[k] = condmap_array_get_data (plane);
    }
  if (!condmap_converter_to_conductances_shaped (
         conv, dtype, condmap_array_get_rank (weights),
         condmap_array_get_shape (weights), condmap_array_peek_data (weights),
         data, params_out, error))
    return NULL;
  return g_steal_pointer (&planes);
}

CondmapArray *
cli_planes_to_weights (const CondmapConverter *conv, const GPtrArray *planes,
                       const CondmapParams *params, CondmapDtype dtype,
                       unsigned rank, const size_t *shape, GError **error)
{
  g_autoptr (CondmapArray) weights = condmap_array_new (dtype, rank, shape,
                                                        error);
  g_autofree const void **data = g_new0 (const void *, planes->len);

  if (weights == NULL)
    return NULL;
  for (guint k = 0; k < planes->len; k++)
    data[k] = condmap_array_peek_data (planes->pdata[k]);
  if (!condmap_converter_to_weights_shaped (conv, dtype, rank, shape, data,
                                            params,
                                            condmap_array_get_data (weights),
                                            error))
    return NULL;
  return g_steal_pointer (&weights);
}

void
cli_array_range (const CondmapArray *array, double *min, double *max)
{
  size_t n = condmap_array_get_n (array);
  const void *data = condmap_array_peek_data (array);
  gboolean f32 = condmap_array_get_dtype (array) == CONDMAP_DTYPE_FLOAT32;

  *min = G_MAXDOUBLE;
  *max = -G_MAXDOUBLE;
  for (size_t i = 0; i < n; i++)
    {
      double v = f32 ? ((const float *) data)[i] : ((const double *) data)[i];

      *min = MIN (*min, v);
      *max = MAX (*max, v);
    }
}

double
cli_array_mean (const CondmapArray *array)
{
  size_t n = condmap_array_get_n (array);
  const void *data = condmap_array_peek_data (array);
  gboolean f32 = condmap_array_get_dtype (array) == CONDMAP_DTYPE_FLOAT32;
  double sum = 0;

  for (size_t i = 0; i < n; i++)
    sum += f32 ? ((const float *) data)[i] : ((const double *) data)[i];
  return sum / (double) n;
}
