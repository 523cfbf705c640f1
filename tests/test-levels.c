/* test-levels.c - conductance level sets (core/levels.c, levels-file.c):
 * snapping exact at levels and at ties under both rules, the uniform
 * formula bit for bit, and every refusal of a list or a table with its
 * line. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"

/* ---- uniform levels ------------------------------------------------------- */

static CmLevels *
uniform (size_t n, double g_min, double g_max)
{
  g_autoptr (GError) error = NULL;
  CmLevels *levels = cm_levels_new_uniform (n, g_min, g_max, "test", &error);

  CM_ASSERT_NO_ERROR (error);
  return levels;
}

/* levels: N is g_min + rint((g - g_min) / step) step, index within
 * [0, N-1], in each dtype's arithmetic. */
static void
test_uniform_formula (void)
{
  const struct { size_t n; double lo, hi; } sets[] = {
    { 16, 0, 25 }, { 8, 0.1, 25 }, { 13, 0.7, 23.3 }, { 2, 3, 4 },
    { 64, 0, 1 },
  };
  GRand *rand = g_rand_new_with_seed (31);

  for (size_t s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_autoptr (CmLevels) levels = uniform (sets[s].n, sets[s].lo,
                                             sets[s].hi);
      double step = (sets[s].hi - sets[s].lo) / (double) (sets[s].n - 1);
      float lo32 = (float) sets[s].lo;
      float step32 = ((float) sets[s].hi - lo32) / (float) (sets[s].n - 1);

      CU_ASSERT_EQUAL (levels->step_us, step);
      for (int i = 0; i < 20000; i++)
        {
          double g = g_rand_double_range (rand, sets[s].lo - 2,
                                          sets[s].hi + 2);
          double k = CLAMP (rint ((g - sets[s].lo) / step), 0,
                            (double) (sets[s].n - 1));
          float g32 = (float) g;
          float k32 = CLAMP (rintf ((g32 - lo32) / step32), 0.0f,
                             (float) (sets[s].n - 1));
          double out;
          float out32;

          cm_levels_snap_f64 (levels, &g, 1, &out);
          cm_levels_snap_f32 (levels, &g32, 1, &out32);
          CU_ASSERT_EQUAL (out, sets[s].lo + k * step);
          CU_ASSERT_EQUAL (out32, lo32 + k32 * step32);
          CU_ASSERT_EQUAL (out, levels->mean_us[cm_levels_nearest (levels,
                                                                   g)]);
        }
      /* Exact at every level. */
      for (size_t k = 0; k < sets[s].n; k++)
        {
          double out;
          float out32;

          cm_levels_snap_f64 (levels, &levels->mean_us[k], 1, &out);
          cm_levels_snap_f32 (levels, &levels->mean_f32[k], 1, &out32);
          CU_ASSERT_EQUAL (out, levels->mean_us[k]);
          CU_ASSERT_EQUAL (out32, levels->mean_f32[k]);
          CU_ASSERT_EQUAL (cm_levels_nearest (levels, levels->mean_us[k]), k);
        }
    }
  g_rand_free (rand);
}

/* Step 1 µS: the ties k + 1/2 are exact and go to the even index. */
static void
test_uniform_ties (void)
{
  g_autoptr (CmLevels) levels = uniform (16, 0, 15);
  const double in[] = { 0.5, 1.5, 2.5, 3.5, 14.5, -0.5, 15.5,
                        nextafter (0.5, 1), nextafter (2.5, 0) };
  const double want[] = { 0, 2, 2, 4, 14, 0, 15, 1, 2 };
  double out[G_N_ELEMENTS (in)];
  float in32[G_N_ELEMENTS (in)], out32[G_N_ELEMENTS (in)];

  cm_levels_snap_f64 (levels, in, G_N_ELEMENTS (in), out);
  for (size_t i = 0; i < G_N_ELEMENTS (in); i++)
    {
      CU_ASSERT_EQUAL (out[i], want[i]);
      in32[i] = (float) in[i];
    }
  in32[7] = nextafterf (0.5f, 1);
  in32[8] = nextafterf (2.5f, 0);
  cm_levels_snap_f32 (levels, in32, G_N_ELEMENTS (in), out32);
  for (size_t i = 0; i < G_N_ELEMENTS (in); i++)
    CU_ASSERT_EQUAL (out32[i], (float) want[i]);
}

/* ---- explicit lists ---------------------------------------------------------- */

static CmLevels *
list (const double *mean, size_t n)
{
  g_autoptr (GError) error = NULL;
  CmLevels *levels = cm_levels_new_list (mean, NULL, n, 0, 25, "test", NULL,
                                         &error);

  CM_ASSERT_NO_ERROR (error);
  return levels;
}

static void
test_list_ties (void)
{
  const double mean[] = { 0, 1.25, 2.5, 4, 10 };
  g_autoptr (CmLevels) levels = list (mean, G_N_ELEMENTS (mean));
  const double in[] = { 0.625, 1.875, 3.25, 7, nextafter (0.625, 1),
                        nextafter (7, 10), nextafter (7, 0), -3, 0, 10, 25,
                        1.25, 4 };
  const double want[] = { 0, 1.25, 2.5, 4, 1.25, 10, 4, 0, 0, 10, 10, 1.25,
                          4 };
  double out[G_N_ELEMENTS (in)];
  float in32[G_N_ELEMENTS (in)], out32[G_N_ELEMENTS (in)];

  CU_ASSERT_EQUAL (levels->kind, CM_LEVELS_LIST);
  CU_ASSERT_PTR_NULL (levels->sigma_us);
  cm_levels_snap_f64 (levels, in, G_N_ELEMENTS (in), out);
  for (size_t i = 0; i < G_N_ELEMENTS (in); i++)
    {
      if (out[i] != want[i])
        g_printerr ("\n    %.17g -> %.17g, want %.17g", in[i], out[i],
                    want[i]);
      CU_ASSERT_EQUAL (out[i], want[i]);
      CU_ASSERT_EQUAL (levels->mean_us[cm_levels_nearest (levels, in[i])],
                       want[i]);
      in32[i] = (float) in[i];
    }
  /* float32: the ties are exact floats too (just off them: float steps). */
  in32[4] = nextafterf (0.625f, 1);
  in32[5] = nextafterf (7.0f, 10);
  in32[6] = nextafterf (7.0f, 0);
  cm_levels_snap_f32 (levels, in32, G_N_ELEMENTS (in), out32);
  for (size_t i = 0; i < G_N_ELEMENTS (in); i++)
    CU_ASSERT_EQUAL (out32[i], (float) want[i]);
}

/* Levels that are not exact in binary: each snaps to itself, and so does
 * its float32 form. */
static void
test_list_exact_at_levels (void)
{
  const double mean[] = { 0.1, 0.3, 1.3, 2.9, 7.7, 7.700000000000001, 24.9 };
  g_autoptr (CmLevels) levels = list (mean, G_N_ELEMENTS (mean));
  double out[G_N_ELEMENTS (mean)];

  cm_levels_snap_f64 (levels, mean, G_N_ELEMENTS (mean), out);
  CU_ASSERT_EQUAL (memcmp (out, mean, sizeof out), 0);
  for (size_t i = 0; i < G_N_ELEMENTS (mean); i++)
    {
      float got;

      CU_ASSERT_EQUAL (cm_levels_nearest (levels, mean[i]), i);
      cm_levels_snap_f32 (levels, &levels->mean_f32[i], 1, &got);
      CU_ASSERT_EQUAL (got, (float) mean[i]);
    }
}

static void
test_nan_passes (void)
{
  const double mean[] = { 0, 5 };
  g_autoptr (CmLevels) levels = list (mean, 2);
  g_autoptr (CmLevels) uni = uniform (4, 0, 5);
  double x = NAN, out = 0;
  float x32 = NAN, out32 = 0;

  cm_levels_snap_f64 (levels, &x, 1, &out);
  CU_ASSERT_TRUE (isnan (out));
  cm_levels_snap_f32 (levels, &x32, 1, &out32);
  CU_ASSERT_TRUE (isnan (out32));
  cm_levels_snap_f64 (uni, &x, 1, &out);
  CU_ASSERT_TRUE (isnan (out));
  cm_levels_snap_f32 (uni, &x32, 1, &out32);
  CU_ASSERT_TRUE (isnan (out32));
}

/* ---- refusals ------------------------------------------------------------- */

static void
check_message (GError *error, const char *want)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strcmp (error->message, want) != 0)
    {
      g_printerr ("\n    want: %s\n    got:  %s", want, error->message);
      CU_FAIL ("wrong message");
    }
}

static void
list_fails (const double *mean, const double *sigma, size_t n,
            const unsigned *lines, const char *message)
{
  g_autoptr (GError) error = NULL;

  CU_ASSERT_PTR_NULL (cm_levels_new_list (mean, sigma, n, 0, 25, "cfg.yaml",
                                          lines, &error));
  check_message (error, message);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
}

static void
test_list_refused (void)
{
  const unsigned lines[] = { 3, 4, 6, 7 };

  list_fails ((double[]) { 0, 2.9, 1.3 }, NULL, 3, lines,
              "cfg.yaml:6: the level 1.3 µS is below the one before it (2.9 "
              "µS, line 4); list the levels in ascending order");
  list_fails ((double[]) { 0, 2.9, 1.3 }, NULL, 3, NULL,
              "cfg.yaml: level 3: the level 1.3 µS is below the one before "
              "it (2.9 µS, level 2); list the levels in ascending order");
  list_fails ((double[]) { 0, 1, 1 }, NULL, 3, lines,
              "cfg.yaml:6: the level 1 µS repeats line 4; list each level "
              "once");
  list_fails ((double[]) { 0, 1, 30 }, NULL, 3, lines,
              "cfg.yaml:6: the level 30 µS lies outside [g_min, g_max] = [0, "
              "25] µS; remove it or widen the bounds");
  list_fails ((double[]) { -0.5, 1 }, NULL, 2, lines,
              "cfg.yaml:3: the level -0.5 µS lies outside [g_min, g_max] = "
              "[0, 25] µS; remove it or widen the bounds");
  list_fails ((double[]) { 0, NAN }, NULL, 2, lines,
              "cfg.yaml:4: the level nan µS is not a finite number");
  list_fails ((double[]) { 0, 1 }, (double[]) { 0.1, -0.2 }, 2, lines,
              "cfg.yaml:4: the programming σ -0.2 µS is negative; a σ is "
              ">= 0");
  list_fails ((double[]) { 0, 1 }, (double[]) { INFINITY, 0.2 }, 2, lines,
              "cfg.yaml:3: the programming σ inf µS is not a finite number");
  list_fails ((double[]) { 1 }, NULL, 1, lines,
              "cfg.yaml: 1 level: a level set needs at least 2 levels, the "
              "lowest and the highest conductance a device takes");
}

static void
test_uniform_refused (void)
{
  g_autoptr (GError) error = NULL;

  CU_ASSERT_PTR_NULL (cm_levels_new_uniform (1, 0, 25, "c.yaml:2", &error));
  check_message (error, "c.yaml:2: 1 level: a level set needs at least 2 "
                 "levels, the lowest and the highest conductance a device "
                 "takes");
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
  CU_ASSERT_PTR_NULL (cm_levels_new_uniform (0, 0, 25, "c.yaml:2", &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
  CU_ASSERT_PTR_NULL (cm_levels_new_uniform (CM_LEVELS_MAX + 1, 0, 25,
                                             "c.yaml:2", &error));
  check_message (error, "c.yaml:2: 65537 levels: a level set needs at most "
                 "65536 levels");
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
  CU_ASSERT_PTR_NULL (cm_levels_new_uniform (4, 25, 25, "c.yaml:2", &error));
  check_message (error, "c.yaml:2: levels need finite bounds with g_min < "
                 "g_max, got [25, 25] µS");
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
  CU_ASSERT_PTR_NULL (cm_levels_new_uniform (4, 0, INFINITY, "c", &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
  CU_ASSERT_PTR_NULL (cm_levels_new_list ((double[]) { 1, 2 }, NULL, 2, 3, 2,
                                          "c", NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
}

/* ---- level tables ---------------------------------------------------------- */

static CmLevels *
read_table (const char *text, gssize len, GError **error)
{
  g_autofree char *path = cm_test_write_file ("levels.csv", text, len);

  return cm_levels_read_file (path, 0, 25, error);
}

static void
test_table_read (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CmLevels) a = read_table ("# lot 7\n\n0.0\n 1.3 # set\n2.9\n",
                                       -1, &error);
  g_autoptr (CmLevels) b = NULL;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL_FATAL (a->n, 3);
  CU_ASSERT_EQUAL (a->kind, CM_LEVELS_LIST);
  CU_ASSERT_EQUAL (a->mean_us[1], 1.3);
  CU_ASSERT_EQUAL (a->mean_f32[2], 2.9f);
  CU_ASSERT_PTR_NULL (a->sigma_us);

  b = read_table ("\xef\xbb\xbf" "0, 0.2\r\n\r\n12.5 ,0.5\r\n25,\t0\r\n", -1,
                  &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL_FATAL (b->n, 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL (b->sigma_us);
  CU_ASSERT_EQUAL (b->mean_us[1], 12.5);
  CU_ASSERT_EQUAL (b->sigma_us[0], 0.2);
  CU_ASSERT_EQUAL (b->sigma_us[1], 0.5);
  CU_ASSERT_EQUAL (b->sigma_us[2], 0);
}

/* Reading @text fails with @code and the message "PATH@message". */
static void
table_fails (const char *text, gssize len, CondmapError code,
             const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cm_test_write_file ("levels.csv", text, len);
  g_autofree char *want = g_strconcat (path, message, NULL);

  CU_ASSERT_PTR_NULL (cm_levels_read_file (path, 0, 25, &error));
  check_message (error, want);
  CM_ASSERT_ERROR (error, code);
}

static void
test_table_refused (void)
{
  table_fails ("0\n1.3\n# c\nabc\n", -1, CONDMAP_ERROR_FORMAT,
               ":4: column 1: 'abc' is not a number");
  table_fails ("mean_us, sigma_us\n0, 1\n", -1, CONDMAP_ERROR_FORMAT,
               ":1: column 1: 'mean_us' is not a number (a heading? comment "
               "it out with '#')");
  table_fails ("0, 0.1\n1, x\n", -1, CONDMAP_ERROR_FORMAT,
               ":2: column 2: 'x' is not a number");
  table_fails ("0,\n", -1, CONDMAP_ERROR_FORMAT, ":1: column 2: empty cell");
  table_fails ("0\ninf\n", -1, CONDMAP_ERROR_FORMAT,
               ":2: column 1: 'inf' is not finite");
  table_fails ("0\n1e999\n", -1, CONDMAP_ERROR_FORMAT,
               ":2: column 1: '1e999' is out of range");
  table_fails ("0, 0.1\n\n2, -0.3\n", -1, CONDMAP_ERROR_CONFIG,
               ":3: column 2: '-0.3' is negative; a programming σ is >= 0 "
               "µS");
  table_fails ("0, 0.1, 3\n", -1, CONDMAP_ERROR_FORMAT,
               ":1: more than 2 cells: a level table holds the mean (µS) "
               "and, optionally, the programming σ (µS) of one level per "
               "line");
  table_fails ("0, 0.1\n1\n", -1, CONDMAP_ERROR_FORMAT,
               ":2: this row has 1 cell but the first row (line 1) has 2; "
               "give a σ for every level or for none");
  table_fails ("# t\n0\n2.9\n\n1.3\n", -1, CONDMAP_ERROR_CONFIG,
               ":5: the level 1.3 µS is below the one before it (2.9 µS, "
               "line 3); list the levels in ascending order");
  table_fails ("0\n2.9\n2.9\n", -1, CONDMAP_ERROR_CONFIG,
               ":3: the level 2.9 µS repeats line 2; list each level once");
  table_fails ("0\n25.5\n", -1, CONDMAP_ERROR_CONFIG,
               ":2: the level 25.5 µS lies outside [g_min, g_max] = [0, 25] "
               "µS; remove it or widen the bounds");
  table_fails ("# only one\n3\n", -1, CONDMAP_ERROR_CONFIG,
               ": holds 1 level; a level set needs at least 2, the lowest "
               "and the highest conductance a device takes");
  table_fails ("", 0, CONDMAP_ERROR_CONFIG,
               ": holds 0 levels (the file is empty); a level set needs at "
               "least 2, the lowest and the highest conductance a device "
               "takes");
  table_fails ("0\n1\0\n2\n", 6, CONDMAP_ERROR_FORMAT,
               ": holds a NUL byte: not a level table (text)");
}

static void
test_table_missing (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "absent.csv",
                                            NULL);

  CU_ASSERT_PTR_NULL (cm_levels_read_file (path, 0, 25, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  CU_ASSERT_PTR_NULL (cm_levels_read_file (cm_test_tmpdir, 0, 25, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("uniform levels", NULL, NULL);
  CU_add_test (s, "g_min + rint((g - g_min)/step) step, f32 and f64",
               test_uniform_formula);
  CU_add_test (s, "ties go to the even index", test_uniform_ties);
  CU_add_test (s, "refused: count and bounds", test_uniform_refused);

  s = CU_add_suite ("level lists", NULL, NULL);
  CU_add_test (s, "ties go to the lower level", test_list_ties);
  CU_add_test (s, "exact at levels", test_list_exact_at_levels);
  CU_add_test (s, "NaN stays NaN", test_nan_passes);
  CU_add_test (s, "refused with the line", test_list_refused);

  s = CU_add_suite ("level tables", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "comments, blanks, BOM, CRLF, σ column", test_table_read);
  CU_add_test (s, "refused with line and column", test_table_refused);
  CU_add_test (s, "missing file, directory", test_table_missing);
  return cm_test_run ();
}
