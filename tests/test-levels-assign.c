/* test-levels-assign.c - level-aware mapping of pair schemes
 * (core/levels-assign.c) on the real n-pair mapping (plugins/pair-math.c):
 * joint assignment never loses more weight (RMS) than per-plane snapping,
 * loses clearly less for F = [1, 3] with 8 levels, leaves planes already
 * on levels alone, and bounds the error by half a step of the least
 * significant pair. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "condmap-private.h"
#include "devices-private.h"
#include "pair-math.h"

#define N_WEIGHTS 20000

/* One pair scheme on a set of weights: the ideal planes and their
 * restored weights after each kind of assignment. */
typedef struct {
  PairState state;
  size_t n_pairs;
  double s;
  double g_min, g_max;
  double *w;
  double *g[16];
} Scheme;

static void
scheme_init (Scheme *sc, const double *f, size_t n_pairs, double g_min,
             double g_max, const double *w)
{
  double abs_max = 0, fr = 0;

  g_assert (2 * n_pairs <= G_N_ELEMENTS (sc->g));
  memset (sc, 0, sizeof *sc);
  sc->n_pairs = n_pairs;
  sc->g_min = g_min;
  sc->g_max = g_max;
  CU_ASSERT_FATAL (pair_state_init (&sc->state, cm_host (), NULL, g_min,
                                    g_max, f, n_pairs));
  sc->w = g_memdup2 (w, N_WEIGHTS * sizeof (double));
  for (size_t i = 0; i < N_WEIGHTS; i++)
    abs_max = MAX (abs_max, fabs (w[i]));
  for (size_t k = 0; k < n_pairs; k++)
    fr += f[k] * (g_max - g_min);
  sc->s = fr / abs_max;   /* the pair converters' scale ratio */
  for (size_t k = 0; k < 2 * n_pairs; k++)
    sc->g[k] = g_new (double, N_WEIGHTS);
}

static void
scheme_clear (Scheme *sc)
{
  pair_state_clear (&sc->state);
  g_free (sc->w);
  for (size_t k = 0; k < 2 * sc->n_pairs; k++)
    g_free (sc->g[k]);
}

/* The converter's ideal planes. */
static void
forward (Scheme *sc)
{
  pair_forward_f64 (&sc->state, sc->s, sc->w, N_WEIGHTS, sc->g);
}

/* RMS and max of the restored weights' error, relative to max |w|. */
static double
weight_error (Scheme *sc, double *max_error)
{
  g_autofree double *back = g_new (double, N_WEIGHTS);
  double sum = 0, abs_max = 0, worst = 0;

  pair_inverse_f64 (&sc->state, sc->s, (const double *const *) sc->g,
                    N_WEIGHTS, back);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    {
      double e = back[i] - sc->w[i];

      sum += e * e;
      worst = MAX (worst, fabs (e));
      abs_max = MAX (abs_max, fabs (sc->w[i]));
    }
  if (max_error != NULL)
    *max_error = worst / abs_max;
  return sqrt (sum / N_WEIGHTS) / abs_max;
}

/* RMS weight error of per-plane snapping and of joint assignment. */
static void
compare (const CmLevels *levels, const double *f, size_t n_pairs,
         double g_min, double g_max, const double *w, double *per_plane,
         double *joint)
{
  Scheme sc;

  scheme_init (&sc, f, n_pairs, g_min, g_max, w);
  forward (&sc);
  cm_levels_snap_planes_f64 (levels, 2 * n_pairs, sc.g, N_WEIGHTS);
  *per_plane = weight_error (&sc, NULL);
  forward (&sc);
  cm_levels_assign_joint_f64 (levels, f, n_pairs, sc.g, N_WEIGHTS);
  *joint = weight_error (&sc, NULL);
  scheme_clear (&sc);
}

/* Gaussian weights, as trained layers mostly are, with a few outliers
 * that set max |w|. */
static double *
weights (guint64 seed)
{
  double *w = g_new (double, N_WEIGHTS);

  cm_philox_normals (&(CmPhiloxKey) { seed, 0, 0, 0 }, 0, N_WEIGHTS, w);
  return w;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* n distinct sorted levels in [g_min, g_max], the ends included if
 * @ends. */
static CmLevels *
random_table (guint64 seed, size_t n, double g_min, double g_max,
              gboolean ends)
{
  g_autofree double *u = g_new (double, n);
  g_autoptr (GError) error = NULL;
  CmLevels *levels;

  cm_philox_uniforms (&(CmPhiloxKey) { seed, 1, 0, 0 }, 0, n, u);
  for (size_t i = 0; i < n; i++)
    u[i] = g_min + u[i] * (g_max - g_min);
  if (ends)
    {
      u[0] = g_min;
      u[n - 1] = g_max;
    }
  qsort (u, n, sizeof (double), compare_doubles);
  levels = cm_levels_new_list (u, NULL, n, g_min, g_max, "random", NULL,
                               &error);
  CM_ASSERT_NO_ERROR (error);
  return levels;
}

static const struct {
  size_t n_pairs;
  double f[3];
} schemes[] = {
  { 2, { 1, 3 } },        /* dual-pair's default */
  { 2, { 3, 1 } },
  { 2, { 1, 1 } },
  { 2, { 2.5, 1 } },
  { 3, { 1, 2, 4 } },
  { 3, { 1, 3, 9 } },
  { 1, { 1 } },           /* one pair: joint = snapping the difference */
};

static void
check_never_above (const CmLevels *levels, const char *what, double g_min,
                   double g_max, const double *w)
{
  for (size_t s = 0; s < G_N_ELEMENTS (schemes); s++)
    {
      double per_plane, joint;

      compare (levels, schemes[s].f, schemes[s].n_pairs, g_min, g_max, w,
               &per_plane, &joint);
      if (!(joint <= per_plane))
        g_printerr ("\n    %s, F[0] = %g, %zu pairs: joint RMS %.4g > "
                    "per-plane %.4g", what, schemes[s].f[0],
                    schemes[s].n_pairs, joint, per_plane);
      CU_ASSERT_TRUE (joint <= per_plane);
    }
}

static void
test_uniform_tables (void)
{
  const size_t counts[] = { 4, 5, 8, 16, 32, 64 };
  const double bounds[][2] = { { 0, 25 }, { 2, 25 }, { 0.1, 1 } };
  g_autofree double *w = weights (11);

  for (size_t b = 0; b < G_N_ELEMENTS (bounds); b++)
    for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (CmLevels) levels =
          cm_levels_new_uniform (counts[c], bounds[b][0], bounds[b][1], "u",
                                 &error);
        g_autofree char *what = g_strdup_printf ("%zu uniform levels on "
                                                 "[%g, %g]", counts[c],
                                                 bounds[b][0], bounds[b][1]);

        CM_ASSERT_NO_ERROR (error);
        check_never_above (levels, what, bounds[b][0], bounds[b][1], w);
      }
}

static void
test_random_tables (void)
{
  const size_t counts[] = { 4, 6, 8, 13, 16, 33, 64 };
  g_autofree double *w = weights (12);

  for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
    for (int ends = 0; ends < 2; ends++)
      for (guint64 seed = 1; seed <= 3; seed++)
        {
          g_autoptr (CmLevels) levels =
            random_table (100 * seed + counts[c], counts[c], 0, 25, ends);
          g_autofree char *what =
            g_strdup_printf ("%zu random levels (seed %" G_GUINT64_FORMAT
                             ", ends %d)", counts[c], seed, ends);

          check_never_above (levels, what, 0, 25, w);
        }
}

/* The acceptance case: dual-pair [1, 3] with 8 levels, and the table of
 * docs/levels.md (4, 8 and 16 levels), printed to the log. */
static void
test_dual_pair_gain (void)
{
  const double f[] = { 1, 3 };
  const size_t counts[] = { 4, 8, 16 };
  g_autofree double *w = weights (13);

  g_printerr ("\n    dual-pair [1, 3], %d Gaussian weights, RMS error / "
              "max |w|:", N_WEIGHTS);
  for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      g_autoptr (CmLevels) levels = cm_levels_new_uniform (counts[c], 0, 25,
                                                           "u", NULL);
      double per_plane, joint;

      compare (levels, f, 2, 0, 25, w, &per_plane, &joint);
      g_printerr ("\n      %2zu levels: per-plane %.5f, joint %.5f (%.0f %%)",
                  counts[c], per_plane, joint, 100 * joint / per_plane);
      CU_ASSERT_TRUE (joint <= per_plane);
      if (counts[c] == 8)
        CU_ASSERT_TRUE (joint < 0.9 * per_plane);
    }
}

/* Planes already on levels come back unchanged: F = [1, 3], levels every
 * 1 µS, weights whose pairs' differences are whole numbers of µS: u = s w
 * in 0..25 (pair 0 alone) or 25 + 3 m (pair 0 full, pair 1 at m). */
static void
test_on_levels_unchanged (void)
{
  const double f[] = { 1, 3 };
  g_autoptr (CmLevels) levels = cm_levels_new_uniform (26, 0, 25, "u", NULL);
  g_autofree double *w = g_new (double, N_WEIGHTS);
  double *before[4];
  Scheme sc;

  /* s = 4 x 25 / max|w| = 1 with max |w| = 100 */
  for (size_t i = 0; i < N_WEIGHTS; i++)
    {
      long j = (long) (i % 51);   /* 0..25, then 25 + 3 (1..25) */
      double u = j <= 25 ? (double) j : 25.0 + 3.0 * (double) (j - 25);

      w[i] = i % 2 ? -u : u;
    }
  scheme_init (&sc, f, 2, 0, 25, w);
  CU_ASSERT_EQUAL_FATAL (sc.s, 1.0);
  forward (&sc);
  for (int k = 0; k < 4; k++)
    before[k] = g_memdup2 (sc.g[k], N_WEIGHTS * sizeof (double));
  cm_levels_assign_joint_f64 (levels, f, 2, sc.g, N_WEIGHTS);
  for (int k = 0; k < 4; k++)
    {
      CU_ASSERT_EQUAL (memcmp (before[k], sc.g[k],
                               N_WEIGHTS * sizeof (double)), 0);
      g_free (before[k]);
    }
  scheme_clear (&sc);
}

/* Every output is a level, each pair has a device at the lowest level,
 * and with uniform levels of step d the weight error stays within
 * F_min d / 2 / s (the least significant pair's half step), while
 * per-plane snapping reaches beyond it. */
static void
test_bound_and_form (void)
{
  const double f[] = { 1, 3 };
  g_autoptr (CmLevels) levels = cm_levels_new_uniform (8, 0, 25, "u", NULL);
  g_autofree double *w = weights (14);
  double step = 25.0 / 7, worst, per_plane_worst;
  Scheme sc;

  scheme_init (&sc, f, 2, 0, 25, w);
  forward (&sc);
  cm_levels_snap_planes_f64 (levels, 4, sc.g, N_WEIGHTS);
  weight_error (&sc, &per_plane_worst);
  forward (&sc);
  cm_levels_assign_joint_f64 (levels, f, 2, sc.g, N_WEIGHTS);
  weight_error (&sc, &worst);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    for (int k = 0; k < 2; k++)
      {
        double gp = sc.g[2 * k][i], gm = sc.g[2 * k + 1][i];

        CU_ASSERT_TRUE (gp == 0 || gm == 0);
        CU_ASSERT_EQUAL (levels->mean_us[cm_levels_nearest (levels, gp)], gp);
        CU_ASSERT_EQUAL (levels->mean_us[cm_levels_nearest (levels, gm)], gm);
      }
  /* relative to max |w|: s max|w| = 4 x 25 */
  CU_ASSERT_TRUE (worst <= 0.5 * step / 100 * (1 + 1e-12));
  CU_ASSERT_TRUE (per_plane_worst > 0.5 * step / 100 * 1.5);
  scheme_clear (&sc);
}

/* float32 planes: outputs are the float32 levels, and the error is that
 * of float64 but for float rounding. */
static void
test_float32 (void)
{
  const double f[] = { 1, 3 };
  g_autoptr (CmLevels) levels = random_table (5, 8, 0, 25, TRUE);
  g_autofree double *w = weights (15);
  float *g32[4];
  Scheme sc;

  scheme_init (&sc, f, 2, 0, 25, w);
  forward (&sc);
  for (int k = 0; k < 4; k++)
    {
      g32[k] = g_new (float, N_WEIGHTS);
      for (size_t i = 0; i < N_WEIGHTS; i++)
        g32[k][i] = (float) sc.g[k][i];
    }
  cm_levels_assign_joint_f64 (levels, f, 2, sc.g, N_WEIGHTS);
  cm_levels_assign_joint_f32 (levels, f, 2, g32, N_WEIGHTS);
  for (int k = 0; k < 4; k++)
    {
      size_t differ = 0;

      for (size_t i = 0; i < N_WEIGHTS; i++)
        {
          size_t at = cm_levels_nearest (levels, g32[k][i]);

          CU_ASSERT_EQUAL (g32[k][i], levels->mean_f32[at]);
          differ += g32[k][i] != (float) sc.g[k][i];
        }
      /* Only inputs within float rounding of a decision may differ. */
      CU_ASSERT_TRUE (differ < N_WEIGHTS / 1000);
      g_free (g32[k]);
    }
  scheme_clear (&sc);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("joint assignment", NULL, NULL);
  CU_add_test (s, "never above per-plane: uniform 4 to 64 levels",
               test_uniform_tables);
  CU_add_test (s, "never above per-plane: random tables 4 to 64",
               test_random_tables);
  CU_add_test (s, "dual-pair [1, 3], 8 levels: strictly lower",
               test_dual_pair_gain);
  CU_add_test (s, "planes on levels unchanged", test_on_levels_unchanged);
  CU_add_test (s, "levels only, half a step of the last pair",
               test_bound_and_form);
  CU_add_test (s, "float32 planes", test_float32);
  return cm_test_run ();
}
