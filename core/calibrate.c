/* calibrate.c - the least-squares gain per channel that maps weights read
 * back from a chip onto the weights they should be.
 *
 * Conductances measured on a chip come back scaled: a read amplifier's
 * gain, drift that lowers a whole column.  Given the reference weights,
 * the gain of each channel that minimises sum (w_ref - g w)^2 is
 *   g = sum (w_ref w) / sum (w w),
 * the regression through the origin.  aihwkit's fusion converter fits
 * the same per output channel when it converts back (with an intercept,
 * which it then drops; without noise both give the same slope). */
#include <math.h>
#include "scaling-private.h"

static gboolean
check_finite (CondmapDtype dtype, const void *data, size_t n,
              const char *what, GError **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  size_t i = cm_find_non_finite (dtype, data, n);

  if (i == n)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "%s element %zu (flat index, C order) is %s: calibration "
               "needs finite values", what, i,
               cm_describe_value (dtype, data, i, buf, sizeof buf));
  return FALSE;
}

#define DEFINE_FIT(T, S)                                                    \
static void                                                                 \
fit_##S (const CmChannelLayout *l, const T *w, const T *ref,               \
         double *num, double *den)                                          \
{                                                                           \
  for (size_t r = 0; r * l->run < l->n; r++)                                \
    {                                                                       \
      size_t c = r % l->n_channels, at = r * l->run;                        \
                                                                            \
      for (size_t i = at; i < at + l->run; i++)                             \
        {                                                                   \
          num[c] += (double) ref[i] * (double) w[i];                        \
          den[c] += (double) w[i] * (double) w[i];                          \
        }                                                                   \
    }                                                                       \
}                                                                           \
                                                                            \
static void                                                                 \
apply_##S (const CmChannelLayout *l, T *w, const double *gains)            \
{                                                                           \
  for (size_t r = 0; r * l->run < l->n; r++)                                \
    {                                                                       \
      double g = gains[r % l->n_channels];                                  \
      size_t at = r * l->run;                                               \
                                                                            \
      for (size_t i = at; i < at + l->run; i++)                             \
        w[i] = (T) (g * (double) w[i]);                                     \
    }                                                                       \
}

DEFINE_FIT (float, f32)
DEFINE_FIT (double, f64)

gboolean
condmap_converter_calibrate (const CondmapConverter *conv, CondmapDtype dtype,
                             unsigned rank, const size_t *shape, void *weights,
                             const void *reference, double **gains,
                             size_t *n_gains, GError **error)
{
  g_autofree double *num = NULL;
  g_autofree double *den = NULL;
  CmChannelLayout l;

  g_return_val_if_fail (conv != NULL && gains != NULL && n_gains != NULL,
                        FALSE);
  if (condmap_dtype_size (dtype) == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "unknown dtype %d: use CONDMAP_DTYPE_FLOAT32 or _FLOAT64",
                   (int) dtype);
      return FALSE;
    }
  if (!cm_channel_layout_init (&l, conv, FALSE, rank, shape,
                               condmap_dtype_size (dtype), error))
    return FALSE;
  if (l.n == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the weight array is empty: there is nothing to calibrate");
      return FALSE;
    }
  if (!check_finite (dtype, weights, l.n, "weight", error)
      || !check_finite (dtype, reference, l.n, "reference weight", error))
    return FALSE;
  num = g_new0 (double, l.n_channels);
  den = g_new0 (double, l.n_channels);
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    fit_f32 (&l, weights, reference, num, den);
  else
    fit_f64 (&l, weights, reference, num, den);
  /* A channel read back as all zeros has no gain to fit. */
  for (size_t c = 0; c < l.n_channels; c++)
    {
      num[c] = den[c] > 0 ? num[c] / den[c] : 1.0;
      if (!isfinite (num[c]))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "channel %zu: the gain that fits the reference is "
                       "beyond the range of a double: are the weights read "
                       "back almost all zero?", c);
          return FALSE;
        }
    }
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    apply_f32 (&l, weights, num);
  else
    apply_f64 (&l, weights, num);
  *n_gains = l.n_channels;
  *gains = g_steal_pointer (&num);
  return TRUE;
}
