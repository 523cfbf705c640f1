/* checkpoint-check.c - condmap_checkpoint_check(): how each tensor of a
 * model survives convert and restore, measured in memory, one tensor at a
 * time (the same steps and the same memory bound as convert). */
#include <math.h>
#include "checkpoint-private.h"

/* The weights restore would write: F16 and BF16 rounded to their dtype
 * and widened again. */
static void
as_restored (CondmapTensorDtype dtype, CondmapArray *back)
{
  float *data = condmap_array_get_data (back);
  size_t n = condmap_array_get_n (back);
  guint16 buf[4096];

  if (dtype != CONDMAP_TENSOR_DTYPE_F16 && dtype != CONDMAP_TENSOR_DTYPE_BF16)
    return;
  for (size_t i = 0; i < n; i += G_N_ELEMENTS (buf))
    {
      size_t m = MIN (G_N_ELEMENTS (buf), n - i);

      condmap_tensor_from_f32 (dtype, data + i, buf, m);
      condmap_tensor_to_f32 (dtype, buf, data + i, m);
    }
}

static double
element (const CondmapArray *a, size_t i)
{
  const void *data = condmap_array_peek_data (a);

  if (condmap_array_get_dtype (a) == CONDMAP_DTYPE_FLOAT32)
    return ((const float *) data)[i];
  return ((const double *) data)[i];
}

/* Errors in double, whatever the dtype. */
static void
measure (const CondmapArray *w, const CondmapArray *back,
         CondmapTensorCheck *row)
{
  size_t n = condmap_array_get_n (w);
  double sum_sq = 0;

  for (size_t i = 0; i < n; i++)
    {
      double a = element (w, i), d = fabs (a - element (back, i));

      row->max_abs_w = MAX (row->max_abs_w, fabs (a));
      row->max_abs_error = MAX (row->max_abs_error, d);
      sum_sq += d * d;
    }
  row->rms_error = sqrt (sum_sq / (double) n);
  row->max_rel_error = row->max_abs_w > 0
                       ? row->max_abs_error / row->max_abs_w : 0;
}

static gboolean
round_trip (const CondmapConverter *conv, const CondmapTensorInfo *info,
            CmProgress *progress, CondmapTensorCheck *row, GError **error)
{
  g_autoptr (CondmapArray) w = NULL;
  g_autoptr (CondmapArray) back = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autofree const void **data = NULL;

  w = cm_ckpt_load_weights (info, cm_ckpt_compute_dtype (info->dtype),
                            progress, error);
  if (w == NULL
      || (planes = cm_ckpt_convert_tensor (conv, w, &params, error)) == NULL
      || (back = condmap_array_new (condmap_array_get_dtype (w),
                                    info->rank, info->shape, error)) == NULL)
    return FALSE;
  data = g_new0 (const void *, planes->len);
  for (guint k = 0; k < planes->len; k++)
    data[k] = condmap_array_peek_data (planes->pdata[k]);
  if (!condmap_converter_to_weights (conv, condmap_array_get_dtype (w), data,
                                     condmap_array_get_n (w), params,
                                     condmap_array_get_data (back), error))
    return FALSE;
  as_restored (info->dtype, back);
  measure (w, back, row);
  return TRUE;
}

gboolean
condmap_checkpoint_check (CondmapRecipe *recipe, const char *model_path,
                          CondmapCheckFunc row_func, gpointer row_data,
                          CondmapProgressFunc progress,
                          gpointer progress_data, GError **error)
{
  g_autoptr (CondmapSafetensors) st = NULL;
  g_auto (CmProgress) p = { .func = NULL };
  guint64 total = 0;
  size_t n;

  g_return_val_if_fail (recipe != NULL && model_path != NULL, FALSE);
  if ((st = condmap_safetensors_open (model_path, error)) == NULL)
    return FALSE;
  n = condmap_safetensors_get_n_tensors (st);
  for (size_t i = 0; i < n; i++)
    {
      CondmapTensorInfo info;

      condmap_safetensors_get_tensor (st, i, &info);
      total += info.n_bytes;
    }
  cm_progress_init (&p, progress, progress_data, n, total);
  for (size_t i = 0; i < n; i++)
    {
      CondmapTensorInfo info;
      CondmapTensorCheck row = { .name = NULL };
      const CondmapConverter *conv = NULL;

      condmap_safetensors_get_tensor (st, i, &info);
      cm_progress_start (&p, i, info.name);
      if (!cm_ckpt_choose (recipe, model_path, &info, &conv, &row.rule,
                           error))
        return FALSE;
      row.name = info.name;
      row.dtype_name = info.dtype_name;
      row.rank = info.rank;
      row.shape = info.shape;
      row.n_elements = info.n_elements;
      if (conv != NULL)
        {
          row.converter = condmap_converter_get_name (conv);
          if (!round_trip (conv, &info, &p, &row, error))
            {
              g_prefix_error (error, "%s: tensor '%s': ", model_path,
                              info.name);
              return FALSE;
            }
        }
      else
        cm_progress_add (&p, info.n_bytes);
      condmap_safetensors_release (st, i);
      if (row_func != NULL)
        row_func (&row, row_data);
    }
  cm_progress_finish (&p);
  return TRUE;
}
