/* test-sidecar-channels.c - the sidecar of a per-channel conversion:
 * format 2, the scaling and clip in its config, one params row per channel
 * in params.npy beside it, read back to the bit; and every params file
 * restore must refuse. */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

static CondmapRuntime *rt;

static int
suite_init (void)
{
  rt = cm_test_runtime ();
  return cm_test_tmpdir_init ();
}

static int
suite_clean (void)
{
  g_clear_pointer (&rt, condmap_runtime_unref);
  return cm_test_tmpdir_clean ();
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (cm_test_tmpdir, name, NULL);
}

static CondmapConverter *
converter (const char *yaml)
{
  GError *error = NULL;
  CondmapConverter *conv = condmap_converter_new_from_yaml (rt, yaml, -1,
                                                            NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  return conv;
}

/* A 5 x 7 float32 conversion per row, clipped at the 90th percentile,
 * written, read back and restored: the same params, bit for bit, and the
 * same weights as restoring with the params in memory. */
static void
test_round_trip (void)
{
  g_autoptr (CondmapConverter) conv = converter (
    "converter: single-pair\ng_max: 40\nscaling: {per: channel}\n"
    "clip: {percentile: 90}\n");
  g_autoptr (CondmapConverter) again = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapSidecar) out = NULL;
  g_autoptr (CondmapSidecar) in = NULL;
  g_autofree char *path = tmp_path ("params.yaml");
  g_autofree char *npy = tmp_path ("params.npy");
  g_autofree char *text = NULL;
  g_autoptr (CondmapArray) table = NULL;
  const size_t shape[] = { 5, 7 };
  const char *names[] = { "g_plus_0.npy", "g_minus_0.npy", NULL };
  float w[35], gp[35], gm[35], back1[35], back2[35];
  void *planes[] = { gp, gm };
  GError *error = NULL;
  int axis = -1;

  for (int i = 0; i < 35; i++)
    w[i] = (float) ((i * 37 % 11) - 5) / (float) (1 + i / 7);
  CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances_shaped (
    conv, CONDMAP_DTYPE_FLOAT32, 2, shape, w, planes, &params, &error));
  out = condmap_sidecar_new (conv, CONDMAP_DTYPE_FLOAT32, 2, shape, params,
                             names);
  CU_ASSERT_TRUE (condmap_sidecar_write (out, path, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &text, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (text,
    "format: condmap-params/2\n"
    "converter: single-pair\n"
    "config: {g_min: 0, g_max: 40, scaling: {per: channel, axis: 0}, "
    "clip: {percentile: 90}}\n"
    "shape: [5, 7]\n"
    "dtype: float32\n"
    "params: {file: params.npy, columns: [scale_ratio, clip_threshold]}\n"
    "planes: [g_plus_0.npy, g_minus_0.npy]\n");
  table = condmap_npy_read (npy, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_array_get_dtype (table), CONDMAP_DTYPE_FLOAT64);
  CU_ASSERT_EQUAL (condmap_array_get_shape (table)[0], 5);
  CU_ASSERT_EQUAL (condmap_array_get_shape (table)[1], 2);
  CU_ASSERT_EQUAL (((const double *) condmap_array_peek_data (table))[2 * 3 + 1],
                   condmap_params_get_row_value (params, 3, "clip_threshold"));

  in = condmap_sidecar_read (path, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL_FATAL (condmap_params_get_n_rows (
    condmap_sidecar_get_params (in)), 5);
  for (size_t r = 0; r < 5; r++)
    for (size_t i = 0; i < 2; i++)
      {
        const char *name = i ? "clip_threshold" : "scale_ratio";
        double a = condmap_params_get_row_value (params, r, name);
        double b = condmap_params_get_row_value (
          condmap_sidecar_get_params (in), r, name);

        CU_ASSERT_EQUAL (memcmp (&a, &b, sizeof a), 0);
      }
  again = condmap_sidecar_new_converter (in, rt, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_converter_get_scaling (again, &axis),
                   CONDMAP_SCALING_PER_CHANNEL);
  CU_ASSERT_EQUAL (axis, 0);
  CU_ASSERT_TRUE (condmap_converter_clips (again));
  CU_ASSERT_TRUE (condmap_converter_to_weights_shaped (
    conv, CONDMAP_DTYPE_FLOAT32, 2, shape, (const void *const *) planes,
    params, back1, &error));
  CU_ASSERT_TRUE (condmap_converter_to_weights_shaped (
    again, CONDMAP_DTYPE_FLOAT32, 2, shape, (const void *const *) planes,
    condmap_sidecar_get_params (in), back2, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (memcmp (back1, back2, sizeof back1), 0);
}

/* Clipping per tensor keeps one row: inline in the YAML, format 2 for the
 * clip in the config. */
static void
test_clip_per_tensor (void)
{
  g_autoptr (CondmapConverter) conv = converter (
    "converter: single-pair\nclip: {sigma: 2, max_abs: 0.5}\n");
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autofree char *path = tmp_path ("tensor.yaml");
  g_autofree char *npy = tmp_path ("tensor.npy");
  g_autofree char *text = NULL;
  const size_t shape[] = { 4 };
  const char *names[] = { "a.npy", "b.npy", NULL };
  double w[4] = { -1, 0.25, 0.125, 0.75 }, g[2][4];
  void *planes[] = { g[0], g[1] };
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_converter_to_conductances_shaped (
    conv, CONDMAP_DTYPE_FLOAT64, 1, shape, w, planes, &params, &error));
  sc = condmap_sidecar_new (conv, CONDMAP_DTYPE_FLOAT64, 1, shape, params,
                            names);
  CU_ASSERT_TRUE (condmap_sidecar_write (sc, path, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &text, NULL, NULL));
  CU_ASSERT_PTR_NOT_NULL (strstr (text, "format: condmap-params/2\n"));
  CU_ASSERT_PTR_NOT_NULL (strstr (text, "clip: {max_abs: 0.5, sigma: 2}}"));
  CU_ASSERT_PTR_NOT_NULL (strstr (text, "params: {scale_ratio: 50, "
                                  "clip_threshold: 0.5}\n"));
  CU_ASSERT_FALSE (g_file_test (npy, G_FILE_TEST_EXISTS));
}

/* Writes a per-channel sidecar naming @params_line's file, and @table
 * (rows x cols float64; NULL: no file) as params.npy beside it; reads it
 * and asserts @code and @needle. */
static void
assert_refused (const char *params_line, const double *table, size_t rows,
                size_t cols, CondmapError code, const char *needle)
{
  g_autofree char *dir = tmp_path ("bad");
  g_autofree char *path = g_build_filename (dir, "params.yaml", NULL);
  g_autofree char *npy = g_build_filename (dir, "params.npy", NULL);
  g_autofree char *text = g_strconcat (
    "format: condmap-params/2\nconverter: single-pair\n"
    "config: {scaling: {per: channel}}\nshape: [2, 3]\ndtype: float64\n",
    params_line, "planes: [g_plus_0.npy, g_minus_0.npy]\n", NULL);
  g_autoptr (CondmapSidecar) sc = NULL;
  GError *error = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_unlink (npy);
  if (table != NULL)
    {
      size_t shape[] = { rows, cols };
      g_autoptr (CondmapArray) a = condmap_array_new (CONDMAP_DTYPE_FLOAT64,
                                                      2, shape, NULL);

      memcpy (condmap_array_get_data (a), table, rows * cols * sizeof *table);
      CU_ASSERT_TRUE (condmap_npy_write (npy, a, NULL));
    }
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (path, text, -1, NULL));
  sc = condmap_sidecar_read (path, &error);
  CU_ASSERT_PTR_NULL (sc);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strstr (error->message, needle) == NULL)
    g_printerr ("\n    '%s' lacks '%s'", error->message, needle);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, needle));
  CM_ASSERT_ERROR (error, code);
}

static void
test_refused (void)
{
  const double good[] = { 1, 2 }, nan_row[] = { 1, NAN }, wide[] = {
    1, 2, 3, 4 };
  const char *line = "params: {file: params.npy, columns: [scale_ratio]}\n";

  assert_refused ("params: {file: ../params.npy, columns: [scale_ratio]}\n",
                  good, 2, 1, CONDMAP_ERROR_FORMAT,
                  "params.yaml:6: params: 'file' must be a plain file name");
  assert_refused ("params: {file: /etc/passwd, columns: [scale_ratio]}\n",
                  good, 2, 1, CONDMAP_ERROR_FORMAT, "plain file name");
  assert_refused (line, NULL, 0, 0, CONDMAP_ERROR_IO, "params.npy");
  assert_refused (line, nan_row, 2, 1, CONDMAP_ERROR_FORMAT,
                  "params file 'params.npy': row 1, column 0 (scale_ratio) "
                  "is not a finite number");
  assert_refused (line, wide, 2, 2, CONDMAP_ERROR_FORMAT,
                  "params file 'params.npy' has shape (2, 2), but a row per "
                  "channel of the 1 columns listed is (channels, 1)");
  assert_refused ("params: {file: params.npy, columns: [a, a]}\n", wide, 2,
                  2, CONDMAP_ERROR_FORMAT, "column 'a' is listed twice");
  assert_refused ("params: {file: params.npy, columns: []}\n", good, 2, 1,
                  CONDMAP_ERROR_FORMAT, "'columns' must list the param");
  assert_refused ("params: {file: params.npy}\n", good, 2, 1,
                  CONDMAP_ERROR_FORMAT, "'columns' must list the param");
  assert_refused ("params: {file: params.npy, columns: [scale_ratio], "
                  "rows: 2}\n", good, 2, 1, CONDMAP_ERROR_FORMAT,
                  "params: unknown key 'rows'");
}

/* Rows that do not fit the shape are found when restoring. */
static void
test_rows_checked_on_restore (void)
{
  g_autofree char *dir = tmp_path ("rows");
  g_autofree char *path = g_build_filename (dir, "params.yaml", NULL);
  g_autofree char *npy = g_build_filename (dir, "params.npy", NULL);
  const size_t shape[] = { 3, 1 }, want[] = { 2, 3 };
  const double rows[] = { 10, 20, 30 };
  g_autoptr (CondmapArray) a = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 2,
                                                  shape, NULL);
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  double g[2][6] = { { 0 } }, w[6];
  const void *planes[] = { g[0], g[1] };
  GError *error = NULL;

  g_mkdir_with_parents (dir, 0700);
  memcpy (condmap_array_get_data (a), rows, sizeof rows);
  CU_ASSERT_TRUE (condmap_npy_write (npy, a, NULL));
  CU_ASSERT_TRUE (g_file_set_contents (path,
    "format: condmap-params/2\nconverter: single-pair\n"
    "config: {scaling: {per: channel}}\nshape: [2, 3]\ndtype: float64\n"
    "params: {file: params.npy, columns: [scale_ratio]}\n"
    "planes: [g_plus_0.npy, g_minus_0.npy]\n", -1, NULL));
  sc = condmap_sidecar_read (path, &error);
  CM_ASSERT_NO_ERROR (error);
  conv = condmap_sidecar_new_converter (sc, rt, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_FALSE (condmap_converter_to_weights_shaped (
    conv, CONDMAP_DTYPE_FLOAT64, 2, want, planes,
    condmap_sidecar_get_params (sc), w, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

int
main (void)
{
  CU_pSuite suite;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  suite = CU_add_suite ("sidecar per channel", suite_init, suite_clean);
  CU_add_test (suite, "per channel, clipped: written and read to the bit",
               test_round_trip);
  CU_add_test (suite, "clip per tensor: one row inline", test_clip_per_tensor);
  CU_add_test (suite, "params files refused", test_refused);
  CU_add_test (suite, "rows checked against the shape on restore",
               test_rows_checked_on_restore);
  return cm_test_run ();
}
