/* sensitivity.c - how far a conductance error moves a weight, as
 * `condmap check WEIGHTS` reports it.
 *
 * A device programmed 1 µS off moves the weight it holds by 1 / s for a
 * pair scheme of scale s, F_k / s for pair k of n-pair: the smaller the
 * range a channel's weights are mapped from, the less.  This is the
 * factor by which programming noise and drift reach the weights, and what
 * per-channel scaling and clipping improve.  Measured, not derived, so it
 * holds for any converter: each plane in turn is raised by 1 µS and
 * restored, and each weight keeps the largest move over the planes. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static double
element (const CondmapArray *a, size_t i)
{
  const void *data = condmap_array_peek_data (a);

  if (condmap_array_get_dtype (a) == CONDMAP_DTYPE_FLOAT32)
    return ((const float *) data)[i];
  return ((const double *) data)[i];
}

static void
add_one (CondmapArray *plane)
{
  size_t n = condmap_array_get_n (plane);
  void *data = condmap_array_get_data (plane);

  for (size_t i = 0; i < n; i++)
    if (condmap_array_get_dtype (plane) == CONDMAP_DTYPE_FLOAT32)
      ((float *) data)[i] += 1.0f;
    else
      ((double *) data)[i] += 1.0;
}

gboolean
cli_report_sensitivity (const CondmapConverter *conv, const CondmapArray *w,
                        GPtrArray *planes, const CondmapParams *params,
                        const CondmapArray *back, GError **error)
{
  size_t n = condmap_array_get_n (w);
  g_autofree double *moved = g_new0 (double, n);
  double sum = 0, sum_sq = 0;

  for (guint k = 0; k < planes->len; k++)
    {
      CondmapArray *plane = planes->pdata[k];
      size_t bytes = n * condmap_dtype_size (condmap_array_get_dtype (plane));
      g_autofree void *saved = g_memdup2 (condmap_array_peek_data (plane),
                                          bytes);
      g_autoptr (CondmapArray) off = NULL;

      add_one (plane);
      off = cli_planes_to_weights (conv, planes, params,
                                   condmap_array_get_dtype (w),
                                   condmap_array_get_rank (w),
                                   condmap_array_get_shape (w), error);
      memcpy (condmap_array_get_data (plane), saved, bytes);
      if (off == NULL)
        return FALSE;
      for (size_t i = 0; i < n; i++)
        moved[i] = MAX (moved[i], fabs (element (off, i) - element (back, i)));
    }
  for (size_t i = 0; i < n; i++)
    {
      sum += moved[i];
      sum_sq += element (w, i) * element (w, i);
    }
  printf ("  sensitivity: 1 µS more on a device moves its weight by %.3g on "
          "average", sum / (double) n);
  if (sum_sq > 0)
    printf (", %.3g%% of the RMS weight",
            100.0 * sum / (double) n / sqrt (sum_sq / (double) n));
  printf ("\n");
  return TRUE;
}
