/* peer-math.c - the device range and the clip max of the converters that
 * reproduce CrossSim and NeuroSim (see peer-math.h). */
#include "config.h"

#include <math.h>
#include "peer-math.h"

void
peer_range_init (PeerRange *range, const CondmapHost *host,
                 CondmapContext *ctx)
{
  range->g_min_us = host->get_number (ctx, "g_min");
  range->g_max_us = host->get_number (ctx, "g_max");
  /* In double, as CrossSim's Gmin_norm = Rmin / Rmax and Grange_norm =
   * Gmax_norm - Gmin_norm are Python floats. */
  range->g_min_n = range->g_min_us / range->g_max_us;
  range->range_n = 1.0 - range->g_min_n;
}

int
peer_clip_max (const CondmapHost *host, CondmapContext *ctx,
               const CondmapStats *stats, double *m)
{
  /* range_max is there in every ABI 2 host; an older stats struct would
   * stop before it. */
  double max = stats->struct_size >= offsetof (CondmapStats, range_max)
                                     + sizeof stats->range_max
               ? stats->range_max : stats->abs_max;
  double two_m;

  if (max == 0.0)
    max = 1.0;
  if (stats->dtype == CONDMAP_DTYPE_FLOAT32)
    two_m = 2.0f * (float) max;
  else
    two_m = 2.0 * max;
  if (!isfinite (two_m))
    {
      host->error (ctx, CONDMAP_ERROR_INPUT, NULL,
                   "the clip max m = %g is too large for %s arithmetic: "
                   "the weights are divided by 2 m, which overflows; scale "
                   "the weights down%s", max,
                   stats->dtype == CONDMAP_DTYPE_FLOAT32 ? "float32"
                   : "float64",
                   stats->dtype == CONDMAP_DTYPE_FLOAT32
                   ? " or convert float64 weights" : "");
      return 0;
    }
  *m = max;
  return 1;
}
