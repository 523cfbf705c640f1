/* test-levels-key.c - `levels:` through the real converters and pipeline:
 * uniform levels are CrossSim's rint formula on every plane of a
 * converter without pairs, a list and a table (relative to the config)
 * put every plane value on a level, n-pair, dual-pair and custom-pair
 * assign jointly through CONDMAP_INTERFACE_LEVEL_PAIRS, and joint
 * assignment never loses more weight than per-plane snapping (strictly
 * less for dual-pair [1, 3] with 8 levels).  offset and two-sided-pair
 * place uniform levels themselves (CONDMAP_INTERFACE_LEVELS_UNIFORM):
 * offset's compressed range puts w = 0 on a level, leaves the lowest one
 * unused and is recorded in the params, so that a converter without
 * `levels:` (a restore from the sidecar) reads back the same; an explicit
 * list still goes through the core's snapping. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"

#define N_WEIGHTS 20000

static double *
gaussian_weights (guint64 seed)
{
  double *w = g_new (double, N_WEIGHTS);
  CmPhiloxKey key = { seed, 0, 0, 0 };

  cm_philox_normals (&key, 0, N_WEIGHTS, w);
  return w;
}

static CondmapConverter *
converter (CondmapRuntime *rt, const char *yaml)
{
  g_autofree char *path = cm_test_write_file ("levels.yaml", yaml, -1);
  GError *error = NULL;
  CondmapConverter *conv = condmap_converter_new_from_file (rt, path, &error);

  CM_ASSERT_NO_ERROR (error);
  return conv;
}

/* Converts @w and restores it; returns the RMS error relative to max |w|
 * and leaves the planes in @g (K of them, allocated here). */
static double
round_trip (const CondmapConverter *conv, const double *w, double **g)
{
  unsigned K = condmap_converter_get_n_planes (conv);
  g_autofree double *back = g_new (double, N_WEIGHTS);
  g_autoptr (CondmapParams) params = NULL;
  GError *error = NULL;
  double sum = 0, abs_max = 0;

  for (unsigned k = 0; k < K; k++)
    g[k] = g_new (double, N_WEIGHTS);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (conv,
                                                     CONDMAP_DTYPE_FLOAT64,
                                                     w, N_WEIGHTS,
                                                     (void *const *) g,
                                                     &params, &error));
  CU_ASSERT_TRUE (condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT64,
                                                (const void *const *) g,
                                                N_WEIGHTS, params, back,
                                                &error));
  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    {
      sum += (back[i] - w[i]) * (back[i] - w[i]);
      abs_max = MAX (abs_max, fabs (w[i]));
    }
  return sqrt (sum / N_WEIGHTS) / abs_max;
}

static void
free_planes (double **g, unsigned K)
{
  for (unsigned k = 0; k < K; k++)
    g_free (g[k]);
}

/* single-device has no pairs: each plane snapped with CrossSim's rint. */
static void
test_uniform_formula (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapConverter) plain = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autofree double *w = gaussian_weights (1);
  double *ideal[1], *g[1];
  const double g_min = 2.0, g_max = 40.0, step = (g_max - g_min) / 15;
  size_t n_levels = 0;
  gboolean joint = TRUE;
  size_t off = 0;

  plain = converter (rt, "converter: single-device\ng_min: 2\ng_max: 40\n");
  conv = converter (rt, "converter: single-device\ng_min: 2\ng_max: 40\n"
                    "levels: 16\n");
  CU_ASSERT_FALSE (condmap_converter_get_levels (plain, NULL, NULL));
  CU_ASSERT_TRUE (condmap_converter_get_levels (conv, &n_levels, &joint));
  CU_ASSERT_EQUAL (n_levels, 16);
  CU_ASSERT_FALSE (joint);
  round_trip (plain, w, ideal);
  round_trip (conv, w, g);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    off += g[0][i] != g_min + rint ((ideal[0][i] - g_min) / step) * step;
  CU_ASSERT_EQUAL (off, 0);
  free_planes (ideal, 1);
  free_planes (g, 1);
}

static gboolean
on_levels (const double *g, size_t n, const double *levels, size_t n_levels)
{
  for (size_t i = 0; i < n; i++)
    {
      gboolean found = FALSE;

      for (size_t j = 0; j < n_levels && !found; j++)
        found = g[i] == levels[j];
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* A list and a table (relative to the config): every value on a level. */
static void
test_list_and_table (void)
{
  static const double list[] = { 0.0, 1.3, 2.9, 7.0, 12.5, 25.0 };
  static const double table[] = { 0.0, 3.5, 7.1, 10.7, 14.3, 17.9, 21.4,
                                   25.0 };
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapConverter) a = NULL;
  g_autoptr (CondmapConverter) b = NULL;
  g_autofree double *w = gaussian_weights (2);
  g_autofree char *csv = NULL;
  double *g[4];

  a = converter (rt, "converter: single-pair\n"
                 "levels: [0.0, 1.3, 2.9, 7.0, 12.5, 25.0]\n");
  round_trip (a, w, g);
  CU_ASSERT_TRUE (on_levels (g[0], N_WEIGHTS, list, G_N_ELEMENTS (list)));
  CU_ASSERT_TRUE (on_levels (g[1], N_WEIGHTS, list, G_N_ELEMENTS (list)));
  free_planes (g, 2);
  csv = cm_test_write_file ("table.csv", "0.0, 0.2\n3.5, 0.4\n7.1, 0.6\n"
                            "10.7, 0.8\n14.3, 0.9\n17.9, 1.0\n21.4, 1.1\n"
                            "25.0, 1.2\n", -1);
  b = converter (rt, "converter: dual-pair\nf_lst: [1.0, 3.0]\n"
                 "levels: {file: table.csv}\n");
  round_trip (b, w, g);
  for (unsigned k = 0; k < 4; k++)
    CU_ASSERT_TRUE (on_levels (g[k], N_WEIGHTS, table, G_N_ELEMENTS (table)));
  free_planes (g, 4);
}

/* The RMS of joint and of per-plane assignment for one pair config. */
static void
joint_and_per_plane (CondmapRuntime *rt, const char *head, unsigned n_levels,
                     const double *w, double *joint, double *per_plane)
{
  g_autofree char *yj = g_strdup_printf ("%slevels: {n: %u}\n", head,
                                         n_levels);
  g_autofree char *yp = g_strdup_printf ("%slevels: {n: %u, assign: "
                                         "per-plane}\n", head, n_levels);
  g_autoptr (CondmapConverter) cj = converter (rt, yj);
  g_autoptr (CondmapConverter) cp = converter (rt, yp);
  unsigned K = condmap_converter_get_n_planes (cj);
  gboolean is_joint = FALSE;
  double *g[16];

  CU_ASSERT_TRUE (condmap_converter_get_levels (cj, NULL, &is_joint));
  CU_ASSERT_TRUE (is_joint);
  CU_ASSERT_TRUE (condmap_converter_get_levels (cp, NULL, &is_joint));
  CU_ASSERT_FALSE (is_joint);
  *joint = round_trip (cj, w, g);
  free_planes (g, K);
  *per_plane = round_trip (cp, w, g);
  free_planes (g, K);
}

static void
test_joint_never_worse (void)
{
  static const char *const heads[] = {
    "converter: dual-pair\nf_lst: [1.0, 3.0]\n",
    "converter: n-pair\nf_lst: [1.0, 2.0, 4.0]\n",
    "converter: n-pair\nf_lst: [1.0, 1.0]\n",
    /* configs/custom-pair.yaml */
    "converter: custom-pair\nf_lst: [1.0, 3.0]\n"
    "g_lst:\n"
    "  - [0.0, 0.0, 0.0, 0.0, 0.0, 25.0, 25.0, 25.0, 25.0]\n"
    "  - [25.0, 25.0, 25.0, 25.0, 0.0, 0.0, 0.0, 0.0, 0.0]\n"
    "  - [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.333333333333334, "
    "16.666666666666668, 25.0]\n"
    "  - [25.0, 16.666666666666668, 8.333333333333334, 0.0, 0.0, 0.0, 0.0, "
    "0.0, 0.0]\n",
  };
  static const unsigned counts[] = { 4, 8, 16, 64 };
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autofree double *w = gaussian_weights (3);

  for (size_t h = 0; h < G_N_ELEMENTS (heads); h++)
    for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
      {
        double joint, per_plane;

        joint_and_per_plane (rt, heads[h], counts[c], w, &joint, &per_plane);
        if (joint > per_plane)
          g_printerr ("\n    config %zu, %u levels: joint %.4g > per-plane "
                      "%.4g", h, counts[c], joint, per_plane);
        CU_ASSERT_TRUE (joint <= per_plane);
      }
}

/* The table of docs/levels.md: dual-pair [1, 3], 4, 8 and 16 levels. */
static void
test_dual_pair_gain (void)
{
  static const unsigned counts[] = { 4, 8, 16 };
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autofree double *w = gaussian_weights (4);

  for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      double joint, per_plane;

      joint_and_per_plane (rt, "converter: dual-pair\nf_lst: [1.0, 3.0]\n",
                           counts[c], w, &joint, &per_plane);
      g_printerr ("\n    %u levels: per-plane %.4f, joint %.4f", counts[c],
                  per_plane, joint);
      /* Joint assignment recovers nearly half the error. */
      CU_ASSERT_TRUE (joint < 0.7 * per_plane);
    }
}

/* ---- levels placed by the converter ---------------------------------- */

/* Converts n float64 weights into K planes g[k] (allocated here); returns
 * the params. */
static CondmapParams *
convert (const CondmapConverter *conv, const double *w, size_t n, double **g)
{
  CondmapParams *params = NULL;
  GError *error = NULL;

  for (unsigned k = 0; k < condmap_converter_get_n_planes (conv); k++)
    g[k] = g_new (double, n);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (conv,
                                                     CONDMAP_DTYPE_FLOAT64,
                                                     w, n, (void *const *) g,
                                                     &params, &error));
  CM_ASSERT_NO_ERROR (error);
  return params;
}

/* The weights restored from @g with @params, n of them (g_free()). */
static double *
restore (const CondmapConverter *conv, double *const *g, size_t n,
         const CondmapParams *params)
{
  double *back = g_new (double, n);
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT64,
                                                (const void *const *) g, n,
                                                params, back, &error));
  CM_ASSERT_NO_ERROR (error);
  return back;
}

/* The index of the level within @tol of @g, or -1. */
static int
level_of (double g, const double *levels, size_t n_levels, double tol)
{
  for (size_t j = 0; j < n_levels; j++)
    if (fabs (g - levels[j]) <= tol)
      return (int) j;
  return -1;
}

/* offset with levels: 4 (2.5, 10, 17.5 and 25 µS): the range compressed
 * to the top three levels, w = 0 on the middle one, 10 µS for -m and 25
 * µS for +m, read back as -m, 0 and +m exactly; a converter made without
 * levels restores the same weights from the same params. */
static void
test_offset_places_levels (void)
{
  const char *head = "converter: offset\ng_min: 2.5\ng_max: 25\n";
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autofree char *yaml = g_strconcat (head, "levels: 4\n", NULL);
  g_autoptr (CondmapConverter) conv = converter (rt, yaml);
  g_autoptr (CondmapConverter) plain = converter (rt, head);
  g_autoptr (CondmapParams) params = NULL;
  g_autofree double *w = gaussian_weights (5);
  g_autofree double *back = NULL;
  g_autofree double *back_plain = NULL;
  const double *levels;
  const double m = 8.0, tol = 1e-12 * 25.0;
  size_t n_levels = 0, count[4] = { 0 }, off = 0, wrong = 0, differ = 0;
  gboolean joint = TRUE;
  double *g[1];

  w[0] = 0.0, w[1] = -m, w[2] = m;   /* |z| < 6.8: m is the clip max */
  CU_ASSERT_TRUE (condmap_converter_places_levels (conv));
  CU_ASSERT_FALSE (condmap_converter_places_levels (plain));
  CU_ASSERT_TRUE (condmap_converter_get_levels (conv, &n_levels, &joint));
  CU_ASSERT_EQUAL (n_levels, 4);
  CU_ASSERT_FALSE (joint);
  levels = condmap_converter_get_level_values (conv, NULL);
  params = convert (conv, w, N_WEIGHTS, g);
  CU_ASSERT_EQUAL (condmap_params_get (params, "range_levels"), 4.0);
  CU_ASSERT_EQUAL (condmap_params_get (params, "clip_max"), m);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    {
      int j = level_of (g[0][i], levels, 4, tol);

      if (j < 0)
        off++;
      else
        count[j]++;
    }
  CU_ASSERT_EQUAL (off, 0);
  CU_ASSERT_EQUAL (count[0], 0);            /* the lowest level unused */
  CU_ASSERT_TRUE (count[1] > 0 && count[2] > 0 && count[3] > 0);
  CU_ASSERT_EQUAL (level_of (g[0][0], levels, 4, tol), 2);   /* w = 0 */
  CU_ASSERT_EQUAL (level_of (g[0][1], levels, 4, tol), 1);   /* -m */
  CU_ASSERT_EQUAL (level_of (g[0][2], levels, 4, tol), 3);   /* +m */
  CU_ASSERT_DOUBLE_EQUAL (condmap_params_get (params, "reference_g"), 17.5,
                          tol);
  back = restore (conv, g, N_WEIGHTS, params);
  back_plain = restore (plain, g, N_WEIGHTS, params);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    {
      double want = rint (w[i] / m) * m;   /* the used levels: -m, 0, +m */

      wrong += fabs (back[i] - want) > 1e-12 * m;
      differ += back_plain[i] != back[i];
    }
  CU_ASSERT_EQUAL (wrong, 0);
  CU_ASSERT_EQUAL (differ, 0);
  free_planes (g, 1);
  g_clear_pointer (&params, condmap_params_free);
  params = convert (plain, w, N_WEIGHTS, g);
  CU_ASSERT_EQUAL (condmap_params_get (params, "range_levels"), 0.0);
  free_planes (g, 1);
}

/* An odd count needs no compression: with levels: 5, -m, 0 and +m take
 * the levels 0, 2 and 4 (2.5, 13.75 and 25 µS). */
static void
test_offset_odd_levels (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapConverter) conv =
    converter (rt, "converter: offset\ng_min: 2.5\ng_max: 25\nlevels: 5\n");
  g_autoptr (CondmapParams) params = NULL;
  const double w[] = { -8.0, 0.0, 8.0, 1.0 };
  const double *levels = condmap_converter_get_level_values (conv, NULL);
  const double tol = 1e-12 * 25.0;
  double *g[1];

  params = convert (conv, w, G_N_ELEMENTS (w), g);
  CU_ASSERT_EQUAL (condmap_params_get (params, "range_levels"), 5.0);
  CU_ASSERT_EQUAL (level_of (g[0][0], levels, 5, tol), 0);
  CU_ASSERT_EQUAL (level_of (g[0][1], levels, 5, tol), 2);
  CU_ASSERT_EQUAL (level_of (g[0][2], levels, 5, tol), 4);
  CU_ASSERT_EQUAL (level_of (g[0][3], levels, 5, tol), 2);
  free_planes (g, 1);
}

/* The same four levels as a list are the core's: offset maps to its full
 * range (-m to the lowest level) and every plane value is the nearest
 * level of the unsnapped one, the lower on a tie. */
static void
test_offset_list_core_snaps (void)
{
  static const double list[] = { 2.5, 10.0, 17.5, 25.0 };
  const char *head = "converter: offset\ng_min: 2.5\ng_max: 25\n";
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autofree char *yaml = g_strconcat (head, "levels: [2.5, 10, 17.5, 25]\n",
                                       NULL);
  g_autofree char *yaml_n = g_strconcat (head, "levels: {n: 4}\n", NULL);
  g_autoptr (CondmapConverter) conv = converter (rt, yaml);
  g_autoptr (CondmapConverter) conv_n = converter (rt, yaml_n);
  g_autoptr (CondmapConverter) plain = converter (rt, head);
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapParams) params_plain = NULL;
  g_autofree double *w = gaussian_weights (6);
  size_t wrong = 0;
  double *g[1], *ideal[1];

  w[1] = -8.0, w[2] = 8.0;
  CU_ASSERT_FALSE (condmap_converter_places_levels (conv));
  CU_ASSERT_TRUE (condmap_converter_places_levels (conv_n));
  params = convert (conv, w, N_WEIGHTS, g);
  params_plain = convert (plain, w, N_WEIGHTS, ideal);
  CU_ASSERT_EQUAL (condmap_params_get (params, "range_levels"), 0.0);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    {
      size_t j = 0;

      while (j + 1 < G_N_ELEMENTS (list)
             && list[j + 1] - ideal[0][i] < ideal[0][i] - list[j])
        j++;
      wrong += g[0][i] != list[j];
    }
  CU_ASSERT_EQUAL (wrong, 0);
  CU_ASSERT_EQUAL (g[0][1], 2.5);    /* -m: the lowest level is used */
  free_planes (g, 1);
  free_planes (ideal, 1);
}

/* two-sided-pair with levels: 16 in float32: every device on a level, and
 * w = 0, the tie 7.5 in the middle, takes both devices to the even level
 * 8 (14.5 µS). */
static void
test_two_sided_places_levels (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapConverter) conv =
    converter (rt, "converter: two-sided-pair\nlevels: 16\n");
  g_autoptr (CondmapParams) params = NULL;
  g_autofree double *w64 = gaussian_weights (7);
  g_autofree float *w = g_new (float, N_WEIGHTS);
  g_autofree float *gp = g_new (float, N_WEIGHTS);
  g_autofree float *gm = g_new (float, N_WEIGHTS);
  float *g[2] = { gp, gm };
  const double *levels;
  GError *error = NULL;
  size_t off = 0;

  for (size_t i = 0; i < N_WEIGHTS; i++)
    w[i] = (float) w64[i];
  w[0] = 0.0f;
  CU_ASSERT_TRUE (condmap_converter_places_levels (conv));
  levels = condmap_converter_get_level_values (conv, NULL);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (conv,
                                                     CONDMAP_DTYPE_FLOAT32,
                                                     w, N_WEIGHTS,
                                                     (void *const *) g,
                                                     &params, &error));
  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    off += level_of (gp[i], levels, 16, 2e-6) < 0
           || level_of (gm[i], levels, 16, 2e-6) < 0;
  CU_ASSERT_EQUAL (off, 0);
  CU_ASSERT_EQUAL (gp[0], gm[0]);
  CU_ASSERT_EQUAL (level_of (gp[0], levels, 16, 2e-6), 8);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("levels: key", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "levels: N is rint on each plane (no pairs)",
               test_uniform_formula);
  CU_add_test (s, "a list and a table", test_list_and_table);
  CU_add_test (s, "joint never worse than per-plane, 4 to 64 levels",
               test_joint_never_worse);
  CU_add_test (s, "dual-pair [1, 3]: joint clearly better",
               test_dual_pair_gain);
  CU_add_test (s, "offset places levels: 4, w = 0 on a level",
               test_offset_places_levels);
  CU_add_test (s, "offset with levels: 5, no compression",
               test_offset_odd_levels);
  CU_add_test (s, "offset with a list: the core snaps",
               test_offset_list_core_snaps);
  CU_add_test (s, "two-sided-pair places levels: 16 in float32",
               test_two_sided_places_levels);
  return cm_test_run ();
}
