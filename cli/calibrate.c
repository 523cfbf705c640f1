/* calibrate.c - `condmap restore --calibrate REFERENCE`: the gain per
 * channel that best maps the restored weights onto the reference ones
 * (least squares), applied and reported.  What a lab does with
 * conductances read back from a chip. */
#include <math.h>
#include <stdio.h>
#include "cli.h"

static double
rms_difference (const CondmapArray *a, const CondmapArray *b)
{
  size_t n = condmap_array_get_n (a);
  gboolean f32 = condmap_array_get_dtype (a) == CONDMAP_DTYPE_FLOAT32;
  const void *x = condmap_array_peek_data (a);
  const void *y = condmap_array_peek_data (b);
  double sum = 0;

  for (size_t i = 0; i < n; i++)
    {
      double d = f32 ? (double) ((const float *) x)[i] - ((const float *) y)[i]
                     : ((const double *) x)[i] - ((const double *) y)[i];

      sum += d * d;
    }
  return sqrt (sum / (double) n);
}

/* The reference must be the weights these planes were made from: same
 * dtype and shape. */
static CondmapArray *
read_reference (const char *path, const CondmapArray *weights, GError **error)
{
  CondmapDtype dtype = condmap_array_get_dtype (weights);
  g_autoptr (CondmapArray) ref = cli_array_read (path, dtype, NULL, error);
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  if (ref == NULL)
    return NULL;
  if (condmap_array_same_layout (ref, weights))
    return g_steal_pointer (&ref);
  got = condmap_shape_to_string (condmap_array_get_rank (ref),
                                 condmap_array_get_shape (ref));
  want = condmap_shape_to_string (condmap_array_get_rank (weights),
                                  condmap_array_get_shape (weights));
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "reference '%s' is %s of shape %s, but the restored weights "
               "are %s of shape %s: calibrate against the weights the planes "
               "were converted from", path,
               condmap_dtype_name (condmap_array_get_dtype (ref)), got,
               condmap_dtype_name (dtype), want);
  return NULL;
}

gboolean
cli_calibrate (const CondmapConverter *conv, CondmapArray *weights,
               const char *reference_path, gboolean quiet, GError **error)
{
  g_autoptr (CondmapArray) ref = read_reference (reference_path, weights,
                                                 error);
  g_autofree double *gains = NULL;
  size_t n_gains;
  double before, lo = INFINITY, hi = -INFINITY, sum = 0;

  if (ref == NULL)
    return FALSE;
  before = rms_difference (weights, ref);
  if (!condmap_converter_calibrate (conv, condmap_array_get_dtype (weights),
                                    condmap_array_get_rank (weights),
                                    condmap_array_get_shape (weights),
                                    condmap_array_get_data (weights),
                                    condmap_array_peek_data (ref), &gains,
                                    &n_gains, error))
    return FALSE;
  if (quiet)
    return TRUE;
  for (size_t c = 0; c < n_gains; c++)
    {
      lo = MIN (lo, gains[c]);
      hi = MAX (hi, gains[c]);
      sum += gains[c];
    }
  if (n_gains == 1)
    printf ("calibrated against %s: gain %.9g\n", reference_path, gains[0]);
  else
    {
      printf ("calibrated against %s: %zu channel gains in [%.9g, %.9g], "
              "mean %.9g", reference_path, n_gains, lo, hi,
              sum / (double) n_gains);
      for (size_t c = 0; n_gains <= 16 && c < n_gains; c++)
        printf ("%s%.9g", c ? ", " : ": ", gains[c]);
      printf ("\n");
    }
  printf ("  RMS difference to the reference: %.3g before, %.3g after\n",
          before, rms_difference (weights, ref));
  return TRUE;
}
