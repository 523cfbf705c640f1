/* test-pipeline.c - the core's conversion pipeline: input checks, params
 * checks, threads, invertibility, through the real plugins. */
#include <math.h>
#include <string.h>
#include "test-util.h"

static CondmapRuntime *rt;

static CondmapConverter *
converter (const char *yaml)
{
  GError *error = NULL;
  CondmapConverter *conv =
    condmap_converter_new_from_yaml (rt, yaml, -1, "test.yaml", &error);

  CM_ASSERT_NO_ERROR (error);
  return conv;
}

static void
test_nan_and_inf_refused (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair");
  float w[5] = { 0.5f, -1.0f, 2.0f, NAN, INFINITY }, gp[5], gm[5];
  void *planes[2] = { gp, gm };
  GError *error = NULL;

  CU_ASSERT_FALSE (condmap_converter_to_conductances (conv, CONDMAP_DTYPE_FLOAT32,
                                                      w, 5, planes, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "element 3") : NULL);
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "NaN") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);

  w[3] = 0;
  CU_ASSERT_FALSE (condmap_converter_to_conductances (conv, CONDMAP_DTYPE_FLOAT32,
                                                      w, 5, planes, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "element 4 (") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

static void
test_empty_refused (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair");
  double w[1], gp[1], gm[1];
  void *planes[2] = { gp, gm };
  GError *error = NULL;

  CU_ASSERT_FALSE (condmap_converter_to_conductances (conv, CONDMAP_DTYPE_FLOAT64,
                                                      w, 0, planes, NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

static void
test_bad_dtype_refused (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair");
  double w[1] = { 1 }, gp[1], gm[1];
  void *planes[2] = { gp, gm };
  GError *error = NULL;

  CU_ASSERT_FALSE (condmap_converter_to_conductances (conv, (CondmapDtype) 7,
                                                      w, 1, planes, NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

static void
test_params_checked_on_restore (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair");
  g_autoptr (CondmapParams) params = condmap_params_new ();
  double w[2], gp[2] = { 25, 0 }, gm[2] = { 0, 25 };
  const void *planes[2] = { gp, gm };
  GError *error = NULL;

  CU_ASSERT_FALSE (condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT64,
                                                 planes, 2, params, w, &error));
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "scale_ratio") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);

  condmap_params_set (params, "scale_ratio", INFINITY);
  CU_ASSERT_FALSE (condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT64,
                                                 planes, 2, params, w, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);

  condmap_params_set (params, "scale_ratio", 12.5);
  CU_ASSERT_TRUE (condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT64,
                                                planes, 2, params, w, &error));
  CU_ASSERT_DOUBLE_EQUAL (w[0], 2.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL (w[1], -2.0, 1e-15);
}

/* A measured plane with a dead device (NaN) is named with its element. */
static void
test_nan_conductance_named (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair");
  g_autoptr (CondmapParams) params = condmap_params_new ();
  float w[3], gp[3] = { 1, 2, 3 }, gm[3] = { 0, NAN, 0 };
  const void *planes[2] = { gp, gm };
  GError *error = NULL;

  condmap_params_set (params, "scale_ratio", 1.0);
  CU_ASSERT_FALSE (condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT32,
                                                 planes, 3, params, w, &error));
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "plane g_minus_0 element 1") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

/* Results are bit-identical whatever the thread count, on an odd size
 * that leaves ragged ranges. */
static void
run_threads (const char *yaml, CondmapDtype dtype)
{
  g_autoptr (CondmapConverter) conv = converter (yaml);
  const size_t n = 1000003;
  size_t es = condmap_dtype_size (dtype);
  unsigned K = condmap_converter_get_n_planes (conv);
  const unsigned threads[] = { 1, 2, 7 };
  g_autofree char *w = g_malloc (n * es);
  g_autofree char *ref = g_malloc (n * es * K);
  g_autofree char *got = g_malloc (n * es * K);
  g_autofree char *back_ref = g_malloc (n * es);
  g_autofree char *back = g_malloc (n * es);
  GRand *rand = g_rand_new_with_seed (42);

  for (size_t i = 0; i < n; i++)
    {
      double v = g_rand_double_range (rand, -3, 3);
      if (dtype == CONDMAP_DTYPE_FLOAT32)
        ((float *) w)[i] = (float) v;
      else
        ((double *) w)[i] = v;
    }
  g_rand_free (rand);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      g_autofree void **planes = g_new (void *, K);
      g_autoptr (CondmapParams) params = NULL;
      GError *error = NULL;
      char *out = t == 0 ? ref : got;
      char *wb = t == 0 ? back_ref : back;

      for (unsigned k = 0; k < K; k++)
        planes[k] = out + k * n * es;
      condmap_runtime_set_n_threads (rt, threads[t]);
      CU_ASSERT_TRUE (condmap_converter_to_conductances (conv, dtype, w, n,
                                                         planes, &params, &error));
      CU_ASSERT_TRUE (condmap_converter_to_weights (conv, dtype,
                                                    (const void *const *) planes,
                                                    n, params, wb, &error));
      CM_ASSERT_NO_ERROR (error);
      if (t > 0)
        {
          CU_ASSERT_EQUAL (memcmp (ref, got, n * es * K), 0);
          CU_ASSERT_EQUAL (memcmp (back_ref, back, n * es), 0);
        }
    }
  condmap_runtime_set_n_threads (rt, 0);
}

static void
test_threads_bit_identical (void)
{
  static const char *const configs[] = {
    "converter: single-pair",
    "converter: dual-pair\nf_lst: [1, 3]",
    "converter: n-pair\nf_lst: [1, 2, 4]",
    "converter: custom-pair\nf_lst: [1]\ng_lst:\n"
    "  - [0, 0, 0, 12.5, 25]\n  - [25, 12.5, 0, 0, 0]",
    "converter: single-device",
    "converter: bit-slice\nstyle: offset\nslices: 3\nreference: column",
    "converter: offset\nreference: mid",
    "converter: two-sided-pair",
  };

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      run_threads (configs[i], CONDMAP_DTYPE_FLOAT32);
      run_threads (configs[i], CONDMAP_DTYPE_FLOAT64);
    }
}

static void
test_invertible (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair\n"
                                                 "g_min: 1\ng_max: 10\n");
  GError *error = NULL;
  double max_error = -1;

  CU_ASSERT_TRUE (condmap_converter_check_invertible (conv, &max_error, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (max_error >= 0 && max_error < 1e-12);
}

static void
test_resolved_config (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair\n"
                                                 "g_max: 30\n");
  g_autofree char *yaml = condmap_converter_dup_config_yaml (conv);

  CU_ASSERT_PTR_NOT_NULL (strstr (yaml, "g_min: 0"));
  CU_ASSERT_PTR_NOT_NULL (strstr (yaml, "g_max: 30"));
  CU_ASSERT_EQUAL (condmap_converter_get_n_planes (conv), 2);
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_plane_name (conv, 0), "g_plus_0");
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_plane_name (conv, 1), "g_minus_0");
  CU_ASSERT_PTR_NULL (condmap_converter_get_plane_name (conv, 2));
}

int
main (void)
{
  CU_pSuite s;
  int status;

  rt = cm_test_runtime ();
  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("pipeline", NULL, NULL);
  CU_add_test (s, "NaN and Inf weights refused with index", test_nan_and_inf_refused);
  CU_add_test (s, "empty input refused", test_empty_refused);
  CU_add_test (s, "unknown dtype refused", test_bad_dtype_refused);
  CU_add_test (s, "params checked on restore", test_params_checked_on_restore);
  CU_add_test (s, "NaN conductance named", test_nan_conductance_named);
  CU_add_test (s, "bit-identical for 1, 2, 7 threads, every converter",
               test_threads_bit_identical);
  CU_add_test (s, "invertibility check", test_invertible);
  CU_add_test (s, "resolved config and plane names", test_resolved_config);
  status = cm_test_run ();
  condmap_runtime_unref (rt);
  return status;
}
