/* fuzz-levels.c - libFuzzer target for the level-table reader
 * (core/levels-file.c) and what consumes a table: snapping and joint
 * assignment (core/levels.c, levels-assign.c).
 *
 * Each input is written to a scratch file and read with the bounds
 * [0, 25] µS.  A refusal must come with a CONDMAP_ERROR; a table that is
 * read must hold 2 to CM_LEVELS_MAX strictly increasing levels inside the
 * bounds with finite σ >= 0, every level must snap to itself in both
 * dtypes, snapping must give the nearest level, and joint assignment of
 * a dual-pair [1, 3] scheme must give levels only. */
#include <math.h>
#include "fuzz-common.h"
#include "devices-private.h"

#define G_MIN 0.0
#define G_MAX 25.0

static void
check_table (const CmLevels *levels)
{
  if (levels->kind != CM_LEVELS_LIST || levels->n < 2
      || levels->n > CM_LEVELS_MAX)
    fuzz_fail ("a table of %zu levels was accepted", levels->n);
  for (size_t i = 0; i < levels->n; i++)
    {
      double m = levels->mean_us[i];

      if (!(m >= G_MIN && m <= G_MAX)
          || (i > 0 && !(m > levels->mean_us[i - 1])))
        fuzz_fail ("level %zu = %.17g breaks the order or the bounds", i, m);
      if (levels->sigma_us != NULL
          && !(isfinite (levels->sigma_us[i]) && levels->sigma_us[i] >= 0))
        fuzz_fail ("level %zu has σ %g", i, levels->sigma_us[i]);
      if (levels->mean_f32[i] != (float) m)
        fuzz_fail ("level %zu: float32 form %.9g of %.17g", i,
                   (double) levels->mean_f32[i], m);
    }
}

static void
check_snapping (const CmLevels *levels)
{
  for (size_t i = 0; i < levels->n; i++)
    {
      double m = levels->mean_us[i], got, probe;
      float got32;

      cm_levels_snap_f64 (levels, &m, 1, &got);
      if (got != m || cm_levels_nearest (levels, m) != i)
        fuzz_fail ("level %zu = %.17g snaps to %.17g", i, m, got);
      cm_levels_snap_f32 (levels, &levels->mean_f32[i], 1, &got32);
      if (got32 != levels->mean_f32[i])
        fuzz_fail ("float32 level %zu = %.9g snaps to %.9g", i,
                   (double) levels->mean_f32[i], (double) got32);
      /* A point between this level and the next snaps to the nearer. */
      if (i + 1 < levels->n)
        {
          double next = levels->mean_us[i + 1];

          probe = m + (next - m) * 0.3;
          cm_levels_snap_f64 (levels, &probe, 1, &got);
          if (fabs (probe - got) > fabs (probe - m)
              || fabs (probe - got) > fabs (probe - next))
            fuzz_fail ("%.17g snaps to %.17g, not the nearest of %.17g and "
                       "%.17g", probe, got, m, next);
        }
    }
}

/* Ideal dual-pair [1, 3] planes for u spread over the whole range, as
 * the n-pair forward mapping makes them, then joint assignment. */
static void
check_joint (const CmLevels *levels)
{
  enum { N = 64 };
  const double f[] = { 1, 3 };
  const double range = G_MAX - G_MIN;
  double planes[4][N];
  double *g[4] = { planes[0], planes[1], planes[2], planes[3] };

  for (size_t i = 0; i < N; i++)
    {
      double u = (double) ((long) i - N / 2) / (N / 2) * 4 * range;
      double a = fabs (u);

      for (int k = 0; k < 2; k++)
        {
          double level = k == 0 ? 0 : f[0] * range;
          double v = CLAMP ((a - level) / f[k] + G_MIN, G_MIN, G_MAX);

          g[2 * k][i] = u > 0 ? v : G_MIN;
          g[2 * k + 1][i] = u < 0 ? v : G_MIN;
        }
    }
  cm_levels_assign_joint_f64 (levels, f, 2, g, N);
  for (int k = 0; k < 4; k++)
    for (size_t i = 0; i < N; i++)
      if (levels->mean_us[cm_levels_nearest (levels, g[k][i])] != g[k][i])
        fuzz_fail ("joint assignment wrote %.17g, not a level", g[k][i]);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *in = fuzz_path ("levels.csv");
  GError *error = NULL;
  CmLevels *levels;

  fuzz_write_file (in, data, size);
  levels = cm_levels_read_file (in, G_MIN, G_MAX, &error);
  fuzz_check_outcome (levels != NULL, &error, "cm_levels_read_file");
  if (levels == NULL)
    return 0;
  check_table (levels);
  check_snapping (levels);
  check_joint (levels);
  cm_levels_free (levels);
  return 0;
}
