/* scan.c - the statistics pass over the weights: min, max and whether any
 * element is NaN or Inf, in one vectorised read.
 *
 * Vectorising a min/max reduction needs the compiler's permission to treat
 * `v < lo ? v : lo` as a MIN instruction, which it only has when NaN and
 * signed zeros may be ignored.  Both may be here: NaN and Inf are detected
 * on the integer bits (which no float flag can optimise away) and refused
 * before min and max are used, and -0 vs +0 changes no scale. */
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC optimize ("finite-math-only", "no-signed-zeros")
#endif

#include <stdint.h>
#include <string.h>
#include "condmap-private.h"

/* An all-ones exponent plus one carries into the sign bit: the sign bit of
 * the sum is set exactly for NaN and Inf. */
#define DEFINE_STATS(T, U, EXP, ONE, SHIFT, S)                              \
CM_CLONES static void                                                       \
stats_##S (const T *w, size_t n, double *min, double *max, gboolean *bad)   \
{                                                                           \
  T lo = w[0], hi = w[0];                                                   \
  U acc = 0;                                                                \
  for (size_t i = 0; i < n; i++)                                            \
    {                                                                       \
      T v = w[i];                                                           \
      U bits;                                                               \
      memcpy (&bits, &v, sizeof bits);                                      \
      lo = v < lo ? v : lo;                                                 \
      hi = v > hi ? v : hi;                                                 \
      acc |= ((bits & EXP) + ONE) >> SHIFT;                                 \
    }                                                                       \
  *min = lo;                                                                \
  *max = hi;                                                                \
  *bad = acc != 0;                                                          \
}

DEFINE_STATS (float, uint32_t, 0x7f800000u, 0x00800000u, 31, f32)
DEFINE_STATS (double, uint64_t, 0x7ff0000000000000ull, 0x0010000000000000ull,
              63, f64)

void
cm_scan_stats (CondmapDtype dtype, const void *data, size_t n, double *min,
               double *max, gboolean *bad)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    stats_f32 (data, n, min, max, bad);
  else
    stats_f64 (data, n, min, max, bad);
}
