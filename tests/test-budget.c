/* test-budget.c - the error budget (condmap_converter_error_budget) and
 * condmap_simulate_dir(), with the shipped configs and the real plugins:
 * dual-pair [1, 3] loses less than single-pair at t = 0 on pcm-like (the
 * effect aihwkit's multi-pair schemes exist for), the same numbers for
 * any thread count and on a second run, compensation as aihwkit's, the
 * JSON shape, and a simulated OUTDIR that restore takes as it is. */
#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"

#define N_WEIGHTS 20000
#define TRIALS 5
#define SEED 7

static const double times[] = { 0.0, 3600.0, 86400.0 };
#define N_TIMES G_N_ELEMENTS (times)

/* N(0, 1) weights from a fixed stream. */
static CondmapArray *
weights (void)
{
  size_t shape[1] = { N_WEIGHTS };
  CondmapArray *w = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 1, shape, NULL);
  CmPhiloxKey key = { 12345, 0, 0, 0 };

  cm_philox_normals (&key, 0, N_WEIGHTS, condmap_array_get_data (w));
  return w;
}

static CondmapConverter *
config (CondmapRuntime *rt, const char *name)
{
  g_autofree char *path = cm_test_path ("CONDMAP_CONFIGS", name);
  GError *error = NULL;
  CondmapConverter *conv = condmap_converter_new_from_file (rt, path, &error);

  CM_ASSERT_NO_ERROR (error);
  return conv;
}

static CondmapDevice *
device (CondmapRuntime *rt, const char *name)
{
  g_autofree char *path = cm_test_path ("CONDMAP_CONFIGS", name);
  GError *error = NULL;
  CondmapDevice *dev = condmap_device_new_from_file (rt, path, &error);

  CM_ASSERT_NO_ERROR (error);
  return dev;
}

static void
budget (CondmapRuntime *rt, const char *conv_name, CondmapBudgetFlags flags,
        CondmapBudgetTime *out)
{
  g_autoptr (CondmapConverter) conv = config (rt, conv_name);
  g_autoptr (CondmapDevice) dev = device (rt, "devices/pcm-like.yaml");
  g_autoptr (CondmapArray) w = weights ();
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_converter_error_budget (conv, dev, w, times,
                                                  N_TIMES, TRIALS, SEED,
                                                  flags, out, &error));
  CM_ASSERT_NO_ERROR (error);
}

/* The fact docs/devices.md shows: at t = 0 (programming and read noise),
 * dual-pair [1, 3] leaves a smaller error than single-pair.  The gap is
 * many times the trials' spread. */
static void
test_dual_pair_beats_single_pair (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  CondmapBudgetTime single[N_TIMES], dual[N_TIMES];

  budget (rt, "single-pair.yaml", CONDMAP_BUDGET_DEFAULT, single);
  budget (rt, "dual-pair.yaml", CONDMAP_BUDGET_DEFAULT, dual);
  g_printerr ("\n    t = 0: single-pair %.4g ± %.2g, dual-pair %.4g ± %.2g",
              single[0].rel_rms_mean, single[0].rel_rms_std,
              dual[0].rel_rms_mean, dual[0].rel_rms_std);
  CU_ASSERT_TRUE (dual[0].rel_rms_mean + 5 * dual[0].rel_rms_std
                  < single[0].rel_rms_mean - 5 * single[0].rel_rms_std);
  CU_ASSERT_TRUE (dual[0].programming < single[0].programming);
  /* Lossless conversions: no quantization error. */
  CU_ASSERT_TRUE (single[0].quantization < 1e-12);
  CU_ASSERT_TRUE (dual[0].quantization < 1e-12);
  /* The error grows with time, and compensation scales up the drifted
   * (smaller) conductances. */
  for (size_t i = 1; i < N_TIMES; i++)
    {
      CU_ASSERT_TRUE (dual[i].rel_rms_mean > dual[i - 1].rel_rms_mean);
      CU_ASSERT_TRUE (dual[i].alpha_mean > 1.1);
    }
  /* Read noise at t = 0 leaves mean |W| nearly as programmed. */
  CU_ASSERT_DOUBLE_EQUAL (dual[0].alpha_mean, 1.0, 0.01);
}

static void
test_no_compensation (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  CondmapBudgetTime with[N_TIMES], without[N_TIMES];

  budget (rt, "dual-pair.yaml", CONDMAP_BUDGET_DEFAULT, with);
  budget (rt, "dual-pair.yaml", CONDMAP_BUDGET_NO_COMPENSATION, without);
  for (size_t i = 0; i < N_TIMES; i++)
    {
      CU_ASSERT_EQUAL (without[i].alpha_mean, 1.0);
      CU_ASSERT_EQUAL (without[i].alpha_std, 0.0);
      /* Same random numbers: programming alike to the bit. */
      CU_ASSERT_EQUAL (without[i].programming, with[i].programming);
    }
  /* After a day of drift, compensation is what keeps the error small. */
  CU_ASSERT_TRUE (without[2].rel_rms_mean > 2 * with[2].rel_rms_mean);
}

/* The same numbers on 1 and 7 threads, and on a second run. */
static void
test_reproducible (void)
{
  CondmapBudgetTime a[N_TIMES], b[N_TIMES], c[N_TIMES];
  g_autoptr (CondmapRuntime) rt1 = cm_test_runtime ();
  g_autoptr (CondmapRuntime) rt7 = cm_test_runtime ();

  condmap_runtime_set_n_threads (rt1, 1);
  condmap_runtime_set_n_threads (rt7, 7);
  budget (rt1, "n-pair.yaml", CONDMAP_BUDGET_DEFAULT, a);
  budget (rt7, "n-pair.yaml", CONDMAP_BUDGET_DEFAULT, b);
  budget (rt7, "n-pair.yaml", CONDMAP_BUDGET_DEFAULT, c);
  CU_ASSERT_EQUAL (memcmp (a, b, sizeof a), 0);
  CU_ASSERT_EQUAL (memcmp (b, c, sizeof b), 0);
}

static void
test_bad_arguments (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapConverter) conv = config (rt, "single-pair.yaml");
  g_autoptr (CondmapDevice) dev = device (rt, "devices/pcm-like.yaml");
  g_autoptr (CondmapArray) w = weights ();
  g_autoptr (CondmapArray) zeros = NULL;
  const double bad_time[] = { -1.0 };
  CondmapBudgetTime out[N_TIMES];
  size_t shape[1] = { 10 };
  GError *error = NULL;

  CU_ASSERT_FALSE (condmap_converter_error_budget (conv, dev, w, times,
                                                   N_TIMES, 0, SEED, 0, out,
                                                   &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_converter_error_budget (conv, dev, w, bad_time, 1,
                                                   1, SEED, 0, out, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  zeros = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 1, shape, NULL);
  CU_ASSERT_FALSE (condmap_converter_error_budget (conv, dev, zeros, times,
                                                   1, 1, SEED, 0, out,
                                                   &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

/* Per-channel scaling (a core key that needs the weights' shape): the
 * budget converts and restores with the shape, losslessly. */
static void
test_per_channel (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapDevice) dev = device (rt, "devices/pcm-like.yaml");
  g_autoptr (CondmapArray) w = NULL;
  size_t shape[2] = { 100, N_WEIGHTS / 100 };
  CmPhiloxKey key = { 99, 0, 0, 0 };
  CondmapBudgetTime out[1];
  GError *error = NULL;

  conv = condmap_converter_new_from_yaml (rt, "converter: dual-pair\n"
                                          "f_lst: [1.0, 3.0]\n"
                                          "scaling: {per: channel, axis: 0}\n",
                                          -1, "per-channel.yaml", &error);
  CM_ASSERT_NO_ERROR (error);
  w = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 2, shape, &error);
  CM_ASSERT_NO_ERROR (error);
  cm_philox_normals (&key, 0, N_WEIGHTS, condmap_array_get_data (w));
  CU_ASSERT_TRUE (condmap_converter_error_budget (conv, dev, w, times, 1,
                                                  2, SEED, 0, out, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (out[0].quantization < 1e-12);
  CU_ASSERT_TRUE (out[0].rel_rms_mean > 0.005 && out[0].rel_rms_mean < 0.05);
}

/* The JSON object, parsed back: the keys the issue gives, in order. */
static void
test_json (void)
{
  CondmapBudgetTime t[1] = { { 3600, 0.02, 0.001, 0.2, 0.01, 0.0, 0.015,
                               0.016, 1.29, 0.0002 } };
  g_autofree char *text = condmap_budget_to_json ("dual-pair", "pcm-like", 20,
                                                  42, t, 1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root, *time;
  GError *error = NULL;

  CU_ASSERT_TRUE_FATAL (json_parser_load_from_data (parser, text, -1,
                                                    &error));
  root = json_node_get_object (json_parser_get_root (parser));
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (root, "converter"),
                          "dual-pair");
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (root, "device"),
                          "pcm-like");
  CU_ASSERT_EQUAL (json_object_get_int_member (root, "trials"), 20);
  CU_ASSERT_EQUAL (json_object_get_int_member (root, "seed"), 42);
  time = json_array_get_object_element (
    json_object_get_array_member (root, "times"), 0);
  CU_ASSERT_EQUAL (json_object_get_double_member (time, "time_s"), 3600);
  CU_ASSERT_EQUAL (json_object_get_double_member (
    json_object_get_object_member (time, "rel_rms"), "mean"), 0.02);
  CU_ASSERT_EQUAL (json_object_get_double_member (
    json_object_get_object_member (time, "rel_max"), "std"), 0.01);
  CU_ASSERT_EQUAL (json_object_get_double_member (time, "quantization"), 0);
  CU_ASSERT_EQUAL (json_object_get_double_member (time, "programming"),
                   0.015);
  CU_ASSERT_EQUAL (json_object_get_double_member (time, "drift"), 0.016);
  CU_ASSERT_EQUAL (json_object_get_double_member (
    json_object_get_object_member (time, "alpha"), "mean"), 1.29);
  CU_ASSERT_EQUAL (json_object_get_size (time), 7);
  CU_ASSERT_EQUAL (json_object_get_size (root), 5);
}

/* convert, simulate, restore: restore takes the simulated directory, and
 * its weights are those of the planes simulated in memory. */
static void
test_simulate_dir (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapConverter) conv = config (rt, "dual-pair.yaml");
  g_autoptr (CondmapDevice) dev = device (rt, "devices/pcm-like.yaml");
  g_autoptr (CondmapArray) w = weights ();
  g_autoptr (CondmapArray) back = NULL;
  g_autoptr (CondmapArray) clean = NULL;
  g_autofree char *in = g_build_filename (cm_test_tmpdir, "g", NULL);
  g_autofree char *out = g_build_filename (cm_test_tmpdir, "m", NULL);
  GError *error = NULL;
  double worst = 0, moved = 0;

  CU_ASSERT_TRUE_FATAL (condmap_converter_convert_to_dir (conv, w, in, 0,
                                                          NULL, &error));
  CU_ASSERT_TRUE (condmap_simulate_dir (rt, dev, in, 86400, SEED, out, 0,
                                        &error));
  CM_ASSERT_NO_ERROR (error);
  back = condmap_restore_dir (rt, out, NULL, &error);
  clean = condmap_restore_dir (rt, in, NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (back);
  for (size_t i = 0; i < N_WEIGHTS; i++)
    {
      double a = ((double *) condmap_array_get_data (back))[i];
      double b = ((double *) condmap_array_get_data (clean))[i];

      worst = MAX (worst, fabs (a - b));
      moved += fabs (a) < fabs (b);
    }
  /* Drift shrinks conductances: most weights come back smaller, none
   * wildly off. */
  CU_ASSERT_TRUE (worst > 0 && worst < 3.0);
  CU_ASSERT_TRUE (moved > 0.6 * N_WEIGHTS);
  /* An existing MEASURED is refused, and left as it was. */
  CU_ASSERT_FALSE (condmap_simulate_dir (rt, dev, in, 0, SEED, out, 0,
                                         &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_EXISTS);
  CU_ASSERT_TRUE (condmap_simulate_dir (rt, dev, in, 0, SEED, out,
                                        CONDMAP_OUTDIR_FORCE, &error));
  CM_ASSERT_NO_ERROR (error);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("error budget", cm_test_tmpdir_init,
                    cm_test_tmpdir_clean);
  CU_add_test (s, "dual-pair [1, 3] beats single-pair at t = 0",
               test_dual_pair_beats_single_pair);
  CU_add_test (s, "--no-compensation", test_no_compensation);
  CU_add_test (s, "1 and 7 threads, twice: the same numbers",
               test_reproducible);
  CU_add_test (s, "bad arguments", test_bad_arguments);
  CU_add_test (s, "per-channel scaling", test_per_channel);
  CU_add_test (s, "the JSON object", test_json);
  CU_add_test (s, "simulate OUTDIR, then restore it", test_simulate_dir);
  return cm_test_run ();
}
