/* plot-stats.c - the numbers behind the histogram and round-trip panels:
 * counts per bin, and the spread of the round-trip error per bin of w.
 * Everything in double, whatever the dtype of the data. */
#include <math.h>
#include "plot-private.h"

static inline double
element (CondmapDtype dtype, const void *data, size_t i)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    return ((const float *) data)[i];
  return ((const double *) data)[i];
}

/* The bin of @v in n_bins bins over [lo, hi], or -1 outside; hi itself
 * goes into the last bin. */
static long
bin_of (double v, double lo, double hi, unsigned n_bins)
{
  double t;
  long b;

  if (!(v >= lo && v <= hi))
    return -1;
  t = (v - lo) / (hi - lo) * n_bins;
  b = (long) t;
  return b >= (long) n_bins ? (long) n_bins - 1 : b;
}

void
cm_data_range (CondmapDtype dtype, const void *data, size_t n, double *lo,
               double *hi)
{
  *lo = G_MAXDOUBLE;
  *hi = -G_MAXDOUBLE;
  for (size_t i = 0; i < n; i++)
    {
      double v = element (dtype, data, i);

      *lo = MIN (*lo, v);
      *hi = MAX (*hi, v);
    }
}

void
cm_histogram_clear (CmHistogram *hist)
{
  g_clear_pointer (&hist->counts, g_free);
  hist->n_bins = 0;
  hist->max_count = 0;
}

void
cm_histogram_fill (CmHistogram *hist, CondmapDtype dtype, const void *data,
                   size_t n, double lo, double hi, unsigned n_bins)
{
  g_return_if_fail (n_bins > 0 && lo < hi);

  cm_histogram_clear (hist);
  hist->lo = lo;
  hist->hi = hi;
  hist->n_bins = n_bins;
  hist->counts = g_new0 (guint64, n_bins);
  for (size_t i = 0; i < n; i++)
    {
      long b = bin_of (element (dtype, data, i), lo, hi, n_bins);

      if (b >= 0)
        hist->counts[b]++;
    }
  for (unsigned b = 0; b < n_bins; b++)
    hist->max_count = MAX (hist->max_count, hist->counts[b]);
}

void
cm_error_band_clear (CmErrorBand *band)
{
  g_clear_pointer (&band->min, g_free);
  g_clear_pointer (&band->max, g_free);
  band->n_bins = 0;
  band->max_abs = 0;
}

void
cm_error_band_fill (CmErrorBand *band, CondmapDtype dtype, const void *w,
                    const void *back, size_t n, double lo, double hi,
                    unsigned n_bins)
{
  g_return_if_fail (n_bins > 0 && lo < hi);

  cm_error_band_clear (band);
  band->lo = lo;
  band->hi = hi;
  band->n_bins = n_bins;
  band->min = g_new (double, n_bins);
  band->max = g_new (double, n_bins);
  for (unsigned b = 0; b < n_bins; b++)
    {
      band->min[b] = G_MAXDOUBLE;
      band->max[b] = -G_MAXDOUBLE;
    }
  for (size_t i = 0; i < n; i++)
    {
      double a = element (dtype, w, i);
      double e = element (dtype, back, i) - a;
      long b = bin_of (a, lo, hi, n_bins);

      if (b < 0)
        continue;
      band->min[b] = MIN (band->min[b], e);
      band->max[b] = MAX (band->max[b], e);
      band->max_abs = MAX (band->max_abs, fabs (e));
    }
}
