/* element-check.c - the core's checks of the elements it is given and of
 * those a plugin writes: finite, and inside [g_min, g_max].  The first
 * loop of each is branch-free so it vectorises; only a failure rescans to
 * name the element. */
#include <math.h>
#include <string.h>
#include "scaling-private.h"

/* Index of the first element outside [lo, hi] (NaN included), or n.  The
 * first loop is branch-free so it vectorises; only a failure rescans.
 * '&' rather than '&&' keeps it free of branches. */
#define DEFINE_OUTSIDE(T, U, S)                                             \
CM_CLONES static size_t                                                     \
find_outside_##S (const T *g, size_t n, T lo, T hi)                         \
{                                                                           \
  U bad = 0;                                                                \
  for (size_t i = 0; i < n; i++)                                            \
    bad |= !((g[i] >= lo) & (g[i] <= hi));                                  \
  if (!bad)                                                                 \
    return n;                                                               \
  for (size_t i = 0; i < n; i++)                                            \
    if (!((g[i] >= lo) & (g[i] <= hi)))                                     \
      return i;                                                             \
  return n;                                                                 \
}

/* The flag has the element's width, so the loop vectorises for both. */
DEFINE_OUTSIDE (float, gint32, f32)
DEFINE_OUTSIDE (double, gint64, f64)

size_t
cm_find_outside (CondmapDtype dtype, const void *g, size_t n, double lo,
                 double hi)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    return find_outside_f32 (g, n, (float) MAX (lo, -G_MAXFLOAT),
                             (float) MIN (hi, G_MAXFLOAT));
  return find_outside_f64 (g, n, lo, hi);
}

/* Index of the first NaN or Inf, or n.  x - x is +0 for every finite x
 * and NaN otherwise, so OR-ing its bits finds a non-finite element in two
 * instructions a vector (the compiler may not fold x - x: NaN and Inf are
 * honoured here). */
#define DEFINE_NON_FINITE(T, U, S)                                          \
CM_CLONES static size_t                                                     \
find_non_finite_##S (const T *g, size_t n)                                  \
{                                                                           \
  U acc = 0;                                                                \
  for (size_t i = 0; i < n; i++)                                            \
    {                                                                       \
      const T z = g[i] - g[i];                                              \
      U bits;                                                               \
      memcpy (&bits, &z, sizeof bits);                                      \
      acc |= bits;                                                          \
    }                                                                       \
  if (acc == 0)                                                             \
    return n;                                                               \
  for (size_t i = 0; i < n; i++)                                            \
    if (!isfinite (g[i]))                                                   \
      return i;                                                             \
  return n;                                                                 \
}

DEFINE_NON_FINITE (float, guint32, f32)
DEFINE_NON_FINITE (double, guint64, f64)

size_t
cm_find_non_finite (CondmapDtype dtype, const void *g, size_t n)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    return find_non_finite_f32 (g, n);
  return find_non_finite_f64 (g, n);
}

const char *
cm_describe_value (CondmapDtype dtype, const void *data, size_t i,
                   char *buf, size_t len)
{
  double v = dtype == CONDMAP_DTYPE_FLOAT32 ? ((const float *) data)[i]
                                            : ((const double *) data)[i];
  if (isnan (v))
    return "NaN";
  if (isinf (v))
    return v > 0 ? "Inf" : "-Inf";
  return g_ascii_formatd (buf, len, "%.9g", v);
}

