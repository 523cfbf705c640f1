/* test-channels.c - per-channel scaling (`scaling: {per: channel}`).
 *
 * The fact that defines it: converting an array per channel gives, bit
 * for bit, the planes, params and restored weights of converting each
 * channel alone per tensor.  Checked for every shipped config, float32
 * and float64, along axis 0 (rows: one block each), axis 1 (columns:
 * single elements) and the middle axis of a 3-D array, on threads whose
 * ranges cut channels anywhere; and the errors of a shape the scaling
 * does not fit. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

static CondmapRuntime *runtime;

static const char *const config_files[] = {
  "single-pair.yaml", "n-pair.yaml", "dual-pair.yaml", "custom-pair.yaml",
  "single-device.yaml", "bit-slice.yaml", "offset.yaml",
  "two-sided-pair.yaml", "neurosim-offset.yaml"
};

/* The shipped config @file, with @extra appended (may be ""). */
static CondmapConverter *
converter (const char *file, const char *extra)
{
  g_autofree char *path = cm_test_path ("CONDMAP_CONFIGS", file);
  g_autofree char *text = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr (GError) error = NULL;
  CondmapConverter *conv;

  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &text, NULL, NULL));
  yaml = g_strconcat (text, "\n", extra, NULL);
  conv = condmap_converter_new_from_yaml (runtime, yaml, -1, file, &error);
  CM_ASSERT_NO_ERROR (error);
  return conv;
}

static CondmapConverter *
converter_yaml (const char *yaml)
{
  g_autoptr (GError) error = NULL;
  CondmapConverter *conv =
    condmap_converter_new_from_yaml (runtime, yaml, -1, "test.yaml", &error);

  CM_ASSERT_NO_ERROR (error);
  return conv;
}

/* n weights of @es bytes: channel c of @n_channels (element i is in
 * channel (i / run) % n_channels) spans a range 10^(c % 7 - 3) wide;
 * channel 1 is all zeros, channel 2 constant. */
static char *
weights (size_t es, size_t n, size_t n_channels, size_t run)
{
  GRand *rand = g_rand_new_with_seed (7 + n);
  char *w = g_malloc (n * es);

  for (size_t i = 0; i < n; i++)
    {
      size_t c = (i / run) % n_channels;
      double v = g_rand_double_range (rand, -1, 1) * pow (10, c % 7 - 3.0);

      if (c == 1)
        v = 0;
      else if (c == 2)
        v = -0.375;
      if (es == 4)
        ((float *) w)[i] = (float) v;
      else
        ((double *) w)[i] = v;
    }
  g_rand_free (rand);
  return w;
}

/* K planes of n elements.  Free with free_planes(). */
static void **
new_planes (unsigned K, size_t n, size_t es)
{
  void **planes = g_new0 (void *, K + 1);

  for (unsigned k = 0; k < K; k++)
    planes[k] = g_malloc0 (n * es);
  return planes;
}

static void
free_planes (void **planes)
{
  for (unsigned k = 0; planes[k] != NULL; k++)
    g_free (planes[k]);
  g_free (planes);
}

/* Channel @c of @data (n_channels channels of runs of @run, @n elements)
 * gathered into a contiguous array of n / n_channels. */
static char *
gather (const char *data, size_t es, size_t n, size_t n_channels, size_t run,
        size_t c)
{
  char *out = g_malloc (n / n_channels * es);
  size_t j = 0;

  for (size_t at = c * run; at < n; at += n_channels * run, j += run)
    memcpy (out + j * es, data + at * es, run * es);
  return out;
}

/* Per channel along @axis of @shape, against each channel alone. */
static void
check_channels (const char *file, CondmapDtype dtype, unsigned rank,
                const size_t *shape, int axis)
{
  g_autofree char *extra = g_strdup_printf ("scaling: {per: channel, "
                                            "axis: %d}\n", axis);
  g_autoptr (CondmapConverter) per_channel = converter (file, extra);
  g_autoptr (CondmapConverter) per_tensor = converter (file, "");
  unsigned K = condmap_converter_get_n_planes (per_tensor);
  size_t es = condmap_dtype_size (dtype), n = 1, C, run, m;
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autofree char *w = NULL;
  g_autofree char *back = NULL;
  void **planes;
  size_t bad = 0;

  for (unsigned i = 0; i < rank; i++)
    n *= shape[i];
  CU_ASSERT_TRUE_FATAL (condmap_converter_get_channels (per_channel, rank,
                                                        shape, &C, &run,
                                                        &error));
  m = n / C;
  w = weights (es, n, C, run);
  back = g_malloc (n * es);
  planes = new_planes (K, n, es);
  CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances_shaped (
    per_channel, dtype, rank, shape, w, planes, &params, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_params_get_n_rows (params), C);
  CU_ASSERT_TRUE_FATAL (condmap_converter_to_weights_shaped (
    per_channel, dtype, rank, shape, (const void *const *) planes, params,
    back, &error));
  CM_ASSERT_NO_ERROR (error);
  for (size_t c = 0; c < C; c++)
    {
      g_autofree char *wc = gather (w, es, n, C, run, c);
      g_autofree char *bc = gather (back, es, n, C, run, c);
      g_autofree char *alone_back = g_malloc (m * es);
      g_autoptr (CondmapParams) alone = NULL;
      void **pc = new_planes (K, m, es);
      gboolean same = TRUE;

      CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances (
        per_tensor, dtype, wc, m, pc, &alone, &error));
      CU_ASSERT_TRUE_FATAL (condmap_converter_to_weights (
        per_tensor, dtype, (const void *const *) pc, m, alone, alone_back,
        &error));
      for (unsigned k = 0; k < K; k++)
        {
          g_autofree char *gk = gather (planes[k], es, n, C, run, c);

          same = same && memcmp (gk, pc[k], m * es) == 0;
        }
      for (size_t i = 0; i < condmap_params_get_n (alone); i++)
        {
          const char *name = condmap_params_get_name (alone, i);

          same = same && condmap_params_get (alone, name)
                         == condmap_params_get_row_value (params, c, name);
        }
      same = same && memcmp (bc, alone_back, m * es) == 0;
      if (!same && bad++ < 3)
        g_printerr ("\n    %s %s axis %d: channel %zu differs", file,
                    condmap_dtype_name (dtype), axis, c);
      CU_ASSERT_TRUE (same);
      free_planes (pc);
    }
  free_planes (planes);
}

static void
test_rows (void)
{
  const size_t shape[] = { 37, 3001 };

  for (gsize f = 0; f < G_N_ELEMENTS (config_files); f++)
    {
      check_channels (config_files[f], CONDMAP_DTYPE_FLOAT32, 2, shape, 0);
      check_channels (config_files[f], CONDMAP_DTYPE_FLOAT64, 2, shape, 0);
    }
}

static void
test_columns (void)
{
  const size_t shape[] = { 2049, 13 };

  for (gsize f = 0; f < G_N_ELEMENTS (config_files); f++)
    {
      check_channels (config_files[f], CONDMAP_DTYPE_FLOAT32, 2, shape, 1);
      check_channels (config_files[f], CONDMAP_DTYPE_FLOAT64, 2, shape, -1);
    }
}

/* [out, in, kw] along `in`: runs of kw, outer of out. */
static void
test_middle_axis (void)
{
  const size_t shape[] = { 5, 6, 9 };

  for (gsize f = 0; f < G_N_ELEMENTS (config_files); f++)
    {
      check_channels (config_files[f], CONDMAP_DTYPE_FLOAT32, 3, shape, 1);
      check_channels (config_files[f], CONDMAP_DTYPE_FLOAT64, 3, shape, -2);
    }
}

/* The planes do not depend on how many threads cut the array, with a
 * percentile per channel or a sigma over the whole tensor. */
static void
check_threads (const char *extra)
{
  const size_t shape[] = { 129, 4099 };
  size_t n = shape[0] * shape[1];
  const unsigned threads[] = { 1, 2, 7 };
  g_autofree char *w = weights (4, n, shape[0], shape[1]);
  g_autofree char *first = NULL;

  for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      CondmapRuntime *saved = runtime;
      g_autoptr (CondmapConverter) conv = NULL;
      g_autoptr (CondmapParams) params = NULL;
      g_autoptr (GError) error = NULL;
      void **planes = new_planes (4, n, 4);

      runtime = cm_test_runtime ();
      condmap_runtime_set_n_threads (runtime, threads[t]);
      conv = converter ("dual-pair.yaml", extra);
      CU_ASSERT_TRUE (condmap_converter_to_conductances_shaped (
        conv, CONDMAP_DTYPE_FLOAT32, 2, shape, w, planes, &params, &error));
      CM_ASSERT_NO_ERROR (error);
      if (first == NULL)
        first = g_memdup2 (planes[3], n * 4);
      else
        CU_ASSERT_EQUAL (memcmp (first, planes[3], n * 4), 0);
      free_planes (planes);
      g_clear_pointer (&conv, condmap_converter_free);
      condmap_runtime_unref (runtime);
      runtime = saved;
    }
}

static void
test_threads (void)
{
  check_threads ("scaling: {per: channel}\nclip: {percentile: 99.5}\n");
  check_threads ("clip: {sigma: 2}\n");
}

/* ---- errors ------------------------------------------------------------------ */

static void
assert_error (GError **error, CondmapError code, const char *fragment)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL (*error);
  if (strstr ((*error)->message, fragment) == NULL)
    g_printerr ("\n    '%s' lacks '%s'", (*error)->message, fragment);
  CU_ASSERT_PTR_NOT_NULL (strstr ((*error)->message, fragment));
  CM_ASSERT_ERROR (*error, code);
}

/* The flat functions have no shape: refused, saying which to call. */
static void
test_flat_refused (void)
{
  g_autoptr (CondmapConverter) conv =
    converter_yaml ("converter: single-pair\nscaling: {per: channel}\n");
  g_autoptr (CondmapParams) params = condmap_params_new ();
  float w[4] = { 1, 2, 3, 4 }, g0[4], g1[4];
  void *planes[] = { g0, g1 };
  GError *error = NULL;

  CU_ASSERT_FALSE (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT32, w, 4, planes, NULL, &error));
  assert_error (&error, CONDMAP_ERROR_INPUT,
                "converter 'single-pair' scales per channel ('scaling: {per: "
                "channel}'), which needs the weights' shape: call "
                "condmap_converter_to_conductances_shaped() with it");
  condmap_params_set (params, "scale_ratio", 1);
  CU_ASSERT_FALSE (condmap_converter_to_weights (
    conv, CONDMAP_DTYPE_FLOAT32, (const void *const *) planes, 4, params, w,
    &error));
  assert_error (&error, CONDMAP_ERROR_INPUT,
                "condmap_converter_to_weights_shaped()");
}

/* An axis the weights do not have is known only at conversion. */
static void
test_axis_out_of_range (void)
{
  g_autoptr (CondmapConverter) two =
    converter_yaml ("converter: single-pair\n"
                    "scaling: {per: channel, axis: 2}\n");
  g_autoptr (CondmapConverter) minus3 =
    converter_yaml ("converter: single-pair\n"
                    "scaling: {per: channel, axis: -3}\n");
  const size_t shape[] = { 3, 4 };
  double w[12] = { 0 }, g[2][12];
  void *planes[] = { g[0], g[1] };
  GError *error = NULL;
  size_t C;

  CU_ASSERT_FALSE (condmap_converter_to_conductances_shaped (
    two, CONDMAP_DTYPE_FLOAT64, 2, shape, w, planes, NULL, &error));
  assert_error (&error, CONDMAP_ERROR_INPUT,
                "scaling axis 2 does not exist in weights of rank 2 (shape "
                "(3, 4)): use an axis in [-2, 1] in 'scaling'");
  CU_ASSERT_FALSE (condmap_converter_to_conductances_shaped (
    minus3, CONDMAP_DTYPE_FLOAT64, 2, shape, w, planes, NULL, &error));
  assert_error (&error, CONDMAP_ERROR_INPUT, "scaling axis -3 does not exist");
  CU_ASSERT_FALSE (condmap_converter_to_conductances_shaped (
    two, CONDMAP_DTYPE_FLOAT64, 0, NULL, w, planes, NULL, &error));
  assert_error (&error, CONDMAP_ERROR_INPUT, "rank 0 (a scalar");
  CU_ASSERT_FALSE (condmap_converter_get_channels (two, 2, shape, &C, NULL,
                                                   &error));
  assert_error (&error, CONDMAP_ERROR_INPUT, "scaling axis 2");
  CU_ASSERT_TRUE (condmap_converter_get_channels (minus3, 3, (size_t[]) {
    5, 6, 7 }, &C, NULL, &error));
  CU_ASSERT_EQUAL (C, 5);
}

/* Params of another conversion: rows that do not match the channels. */
static void
test_rows_mismatch (void)
{
  g_autoptr (CondmapConverter) channel =
    converter_yaml ("converter: single-pair\nscaling: {per: channel}\n");
  g_autoptr (CondmapConverter) tensor =
    converter_yaml ("converter: single-pair\n");
  g_autoptr (CondmapParams) params = condmap_params_new ();
  const size_t shape[] = { 4, 2 };
  double w[8], g[2][8] = { { 0 } };
  const void *planes[] = { g[0], g[1] };
  GError *error = NULL;

  for (size_t r = 0; r < 3; r++)
    condmap_params_set_row_value (params, r, "scale_ratio", 1.0);
  CU_ASSERT_FALSE (condmap_converter_to_weights_shaped (
    channel, CONDMAP_DTYPE_FLOAT64, 2, shape, planes, params, w, &error));
  assert_error (&error, CONDMAP_ERROR_INPUT,
                "the params have 3 rows, but the planes have 4 channels "
                "along scaling axis 0");
  CU_ASSERT_FALSE (condmap_converter_to_weights_shaped (
    tensor, CONDMAP_DTYPE_FLOAT64, 2, shape, planes, params, w, &error));
  assert_error (&error, CONDMAP_ERROR_INPUT, "scales per tensor");
  condmap_params_set_row_value (params, 3, "scale_ratio", NAN);
  CU_ASSERT_FALSE (condmap_converter_to_weights_shaped (
    channel, CONDMAP_DTYPE_FLOAT64, 2, shape, planes, params, w, &error));
  assert_error (&error, CONDMAP_ERROR_INPUT, "not finite in row 3");
}

/* What the API says about a converter's scaling. */
static void
test_accessors (void)
{
  g_autoptr (CondmapConverter) tensor = converter ("n-pair.yaml", "");
  g_autoptr (CondmapConverter) channel = converter_yaml (
    "converter: single-device\nscaling: {per: channel, axis: -1}\n"
    "clip: {sigma: 2.5, max_abs: 3}\n");
  g_autofree char *yaml = condmap_converter_dup_config_yaml (channel);
  const size_t shape[] = { 2, 3, 4 };
  size_t C = 0, run = 0;
  int axis = 99;

  CU_ASSERT_EQUAL (condmap_converter_get_scaling (tensor, &axis),
                   CONDMAP_SCALING_PER_TENSOR);
  CU_ASSERT_EQUAL (axis, 99);
  CU_ASSERT_FALSE (condmap_converter_clips (tensor));
  CU_ASSERT_TRUE (condmap_converter_get_channels (tensor, 3, shape, &C, &run,
                                                  NULL));
  CU_ASSERT_EQUAL (C, 1);
  CU_ASSERT_EQUAL (run, 24);
  CU_ASSERT_EQUAL (condmap_converter_get_scaling (channel, &axis),
                   CONDMAP_SCALING_PER_CHANNEL);
  CU_ASSERT_EQUAL (axis, -1);
  CU_ASSERT_TRUE (condmap_converter_clips (channel));
  CU_ASSERT_TRUE (condmap_converter_get_channels (channel, 3, shape, &C,
                                                  &run, NULL));
  CU_ASSERT_EQUAL (C, 4);
  CU_ASSERT_EQUAL (run, 1);
  CU_ASSERT_STRING_EQUAL (yaml, "{g_min: 9, g_max: 88.199997, scaling: "
                          "{per: channel, axis: -1}, clip: {max_abs: 3, "
                          "sigma: 2.5}}");
}

/* The probe of check_invertible tests the mapping alone: per tensor and
 * unclipped, so a clipping config is as invertible as its scheme. */
static void
test_probe_unclipped (void)
{
  g_autoptr (CondmapConverter) conv = converter (
    "dual-pair.yaml", "scaling: {per: channel, axis: 1}\n"
    "clip: {percentile: 50}\n");
  g_autoptr (GError) error = NULL;
  double max_error = 1;

  CU_ASSERT_TRUE (condmap_converter_check_invertible (conv, &max_error,
                                                      &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (max_error < 1e-12);
}

/* Rows of params: set, grown, copied, read by column. */
static void
test_params_rows (void)
{
  g_autoptr (CondmapParams) p = condmap_params_new ();
  g_autoptr (CondmapParams) copy = NULL;
  const double column[] = { 1.5, 2.5, 3.5 };
  double got[5];

  CU_ASSERT_EQUAL (condmap_params_get_n_rows (p), 1);
  condmap_params_set (p, "a", 7);
  condmap_params_set_column (p, "b", column, 3);
  CU_ASSERT_EQUAL (condmap_params_get_n_rows (p), 3);
  CU_ASSERT_EQUAL (condmap_params_get (p, "a"), 7);
  CU_ASSERT_TRUE (isnan (condmap_params_get_row_value (p, 2, "a")));
  CU_ASSERT_EQUAL (condmap_params_get_row_value (p, 1, "b"), 2.5);
  CU_ASSERT_TRUE (isnan (condmap_params_get_row_value (p, 3, "b")));
  condmap_params_set_row_value (p, 4, "a", -1);
  CU_ASSERT_EQUAL (condmap_params_get_n_rows (p), 5);
  copy = condmap_params_copy (p);
  /* A column has a value per row: 5 now, the last two never set. */
  CU_ASSERT_EQUAL_FATAL (condmap_params_get_n_rows (copy), G_N_ELEMENTS (got));
  CU_ASSERT_TRUE (condmap_params_get_column (copy, "b", got));
  CU_ASSERT_EQUAL (memcmp (got, column, sizeof column), 0);
  CU_ASSERT_TRUE (isnan (got[3]) && isnan (got[4]));
  CU_ASSERT_EQUAL (condmap_params_get_row_value (copy, 4, "a"), -1);
  CU_ASSERT_FALSE (condmap_params_get_column (copy, "c", got));
  condmap_params_set_n_rows (copy, 1);
  CU_ASSERT_EQUAL (condmap_params_get_n_rows (copy), 1);
  CU_ASSERT_EQUAL (condmap_params_get (copy, "b"), 1.5);
}

int
main (void)
{
  CU_pSuite s;
  int status;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  runtime = cm_test_runtime ();
  /* More ranges than cores, so that ranges cut channels anywhere. */
  condmap_runtime_set_n_threads (runtime, 5);
  s = CU_add_suite ("per channel", NULL, NULL);
  CU_add_test (s, "rows equal each row alone, every converter", test_rows);
  CU_add_test (s, "columns equal each column alone", test_columns);
  CU_add_test (s, "the middle axis of a 3-D array", test_middle_axis);
  CU_add_test (s, "bit-identical for 1, 2, 7 threads", test_threads);
  CU_add_test (s, "flat functions refused", test_flat_refused);
  CU_add_test (s, "axis out of range", test_axis_out_of_range);
  CU_add_test (s, "params rows that do not match", test_rows_mismatch);
  CU_add_test (s, "scaling, clips, channels, config", test_accessors);
  CU_add_test (s, "probe per tensor and unclipped", test_probe_unclipped);
  CU_add_test (s, "params rows", test_params_rows);
  status = cm_test_run ();
  condmap_runtime_unref (runtime);
  return status;
}
