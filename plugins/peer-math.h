/* peer-math.h - what the converters reproducing Sandia CrossSim and
 * NeuroSim (bit-slice, offset, two-sided-pair) share: the device range in
 * the peers' normalized units and the clip max m they all scale by.
 *
 * Both peers work in conductances normalized by g_max: G = g / g_max, so
 * G_max = 1, G_min = g_min / g_max (CrossSim's Gmin_norm) and R = 1 -
 * G_min (its Grange_norm).  The kernels compute in those units, in the
 * order the peer does, and a plane in µS is G * g_max: one more rounding,
 * the one the reference data of tests/data/crosssim makes too.  Their
 * formulas are those of tests/peer/README.md.
 *
 * Built as a libtool convenience library and linked into each of the
 * three plugins; like them it includes only condmap-plugin.h and standard
 * C headers (and pair-math.h for the clamp, block and clone macros).
 * Names start with peer_.
 */
#ifndef CONDMAP_PEER_MATH_H
#define CONDMAP_PEER_MATH_H

#include "pair-math.h"

/* The device range: the bounds in µS and the same normalized by g_max, in
 * double; each plugin rounds them to float once for its float32
 * kernels, as the peers round Python floats to a float32 array's type. */
typedef struct {
  double g_min_us;
  double g_max_us;
  double g_min_n;   /* G_min = g_min / g_max */
  double range_n;   /* R = 1 - G_min */
} PeerRange;

/* The defaults of g_min and g_max: CrossSim's Rmin = 1 kOhm and Rmax =
 * 10 kOhm, an on/off ratio of 10 (Gmin_norm = 0.1), with g_max at the
 * pairs' 25 µS. */
#define PEER_G_MIN_DEFAULT 2.5
#define PEER_G_MAX_DEFAULT 25.0

/* Reads g_min and g_max (validated by the core: 0 <= g_min < g_max). */
void peer_range_init (PeerRange *range, const CondmapHost *host,
                      CondmapContext *ctx);

/* The clip max m the weights are scaled by: stats->range_max (the core's
 * clip threshold, or max |w|), 1 when every weight is 0 (any m > 0 maps
 * them all to the code of 0, and it comes back exactly).  Sets *m to it,
 * a float32 value for float32 weights; returns 1, or 0 after a
 * CONDMAP_ERROR_INPUT error through @host when 2 m overflows the dtype
 * (the peers divide by 2 m). */
int peer_clip_max (const CondmapHost *host, CondmapContext *ctx,
                   const CondmapStats *stats, double *m);

/* CrossSim's uniform levels (cell_bits; tests/peer/README.md, section
 * 7), in normalized units: L levels from G_min to 1, and a conductance G
 * snapped to
 *   G' = fl(fl(rint(fl(fl(G - G_min) k)) / k) + G_min),  k = (L - 1) / R,
 * in that order (a tie goes to the even level), k rounded once from
 * double to the kernel's type, as CrossSim's Python float is.  Kernel
 * class: pure, inline, so loops using it vectorise. */
static inline double
peer_level_factor (uint32_t n_levels, double range_n)
{
  return (double) (n_levels - 1) / range_n;
}

static inline float
peer_snap_f32 (float g, float g_min_n, float k)
{
  return rintf ((g - g_min_n) * k) / k + g_min_n;
}

static inline double
peer_snap_f64 (double g, double g_min_n, double k)
{
  return rint ((g - g_min_n) * k) / k + g_min_n;
}

/* Kernels that convert a plane in µS to the peers' units divide by g_max
 * (fl(G g_max) / g_max gives G back in most cases, where a multiply by
 * 1 / g_max would round differently more often). */

#endif /* CONDMAP_PEER_MATH_H */
