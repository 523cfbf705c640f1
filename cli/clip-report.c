/* clip-report.c - what `condmap check WEIGHTS` says about clipping: how
 * many weights lie beyond their threshold, the error they contribute to
 * the round trip, and the round trip of all the others; and the range of
 * per-channel params that `condmap convert` prints. */
#include <math.h>
#include <stdio.h>
#include "cli.h"

static double
element (const CondmapArray *a, size_t i)
{
  const void *data = condmap_array_peek_data (a);

  if (condmap_array_get_dtype (a) == CONDMAP_DTYPE_FLOAT32)
    return ((const float *) data)[i];
  return ((const double *) data)[i];
}

typedef struct {
  size_t n_clipped;
  double clipped_max;     /* max |w - w_back| over the clipped weights */
  double clipped_sq;      /* sum of their squared errors */
  double kept_max;        /* the same over the others */
  double kept_sq;
  double t_min, t_max;    /* the thresholds */
} ClipCount;

static void
count (const double *thresholds, size_t n_channels, size_t run,
       const CondmapArray *w, const CondmapArray *back, ClipCount *c)
{
  size_t n = condmap_array_get_n (w);

  c->t_min = INFINITY;
  c->t_max = -INFINITY;
  for (size_t k = 0; k < n_channels; k++)
    {
      c->t_min = MIN (c->t_min, thresholds[k]);
      c->t_max = MAX (c->t_max, thresholds[k]);
    }
  for (size_t i = 0; i < n; i++)
    {
      double a = element (w, i), d = fabs (a - element (back, i));

      if (fabs (a) > thresholds[(i / run) % n_channels])
        {
          c->n_clipped++;
          c->clipped_max = MAX (c->clipped_max, d);
          c->clipped_sq += d * d;
        }
      else
        {
          c->kept_max = MAX (c->kept_max, d);
          c->kept_sq += d * d;
        }
    }
}

gboolean
cli_report_clipping (const CondmapConverter *conv, const CondmapArray *w,
                     const CondmapArray *back, const CondmapParams *params,
                     GError **error)
{
  size_t n = condmap_array_get_n (w), n_channels, run;
  g_autofree double *thresholds = NULL;
  ClipCount c = { 0 };
  double kept_rms;

  if (!condmap_converter_clips (conv))
    return TRUE;
  if (!condmap_converter_get_channels (conv, condmap_array_get_rank (w),
                                       condmap_array_get_shape (w),
                                       &n_channels, &run, error))
    return FALSE;
  thresholds = g_new (double, condmap_params_get_n_rows (params));
  if (condmap_params_get_n_rows (params) != n_channels
      || !condmap_params_get_column (params, CONDMAP_PARAM_CLIP_THRESHOLD,
                                     thresholds))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FAILED,
                   "the conversion made no clip thresholds for %zu "
                   "channels: a bug in condmap", n_channels);
      return FALSE;
    }
  count (thresholds, n_channels, run, w, back, &c);
  if (n_channels == 1)
    printf ("  clipping:  threshold %.6g\n", c.t_min);
  else
    printf ("  clipping:  thresholds %.6g .. %.6g over %zu channels\n",
          c.t_min, c.t_max, n_channels);
  printf ("    clipped: %zu of %zu weights (%.3g%%): their error max abs "
          "%.3g, RMS %.3g over all weights\n", c.n_clipped, n,
          100.0 * (double) c.n_clipped / (double) n, c.clipped_max,
          sqrt (c.clipped_sq / (double) n));
  kept_rms = n > c.n_clipped
             ? sqrt (c.kept_sq / (double) (n - c.n_clipped)) : 0;
  printf ("    round trip without them: max abs error %.3g, RMS %.3g\n",
          c.kept_max, kept_rms);
  return TRUE;
}

void
cli_print_param_ranges (const CondmapParams *params)
{
  size_t rows = condmap_params_get_n_rows (params);
  g_autofree double *column = g_new (double, rows);

  printf (", per channel (%zu rows in params.npy):\n", rows);
  for (size_t i = 0; i < condmap_params_get_n (params); i++)
    {
      const char *name = condmap_params_get_name (params, i);
      double lo = INFINITY, hi = -INFINITY;

      condmap_params_get_column (params, name, column);
      for (size_t r = 0; r < rows; r++)
        {
          lo = MIN (lo, column[r]);
          hi = MAX (hi, column[r]);
        }
      printf ("    %s %.9g .. %.9g\n", name, lo, hi);
    }
}
