/* test-devices.c - the device-model plugins through the real loader
 * (plugins/pcm-like, gaussian, measured) and condmap_device_simulate():
 * pcm-like computes what the core's reference of aihwkit's model computes
 * (core/pcm-noise.c, itself checked against aihwkit's numbers by
 * test-pcm), the same planes for 1, 2 and 7 threads, the σ of gaussian
 * and measured within tolerances derived from the sample size, and the
 * errors a user meets, with their lines. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"

#define N_PLANES 3
/* Enough elements that 7 threads each get a range. */
#define N_ELEMENTS (7 * 32768 + 1237)
#define SEED G_GUINT64_CONSTANT (0xc0ffee)
#define TENSOR 4
#define T_1D 86400.0

static CondmapDevice *
device_from (CondmapRuntime *rt, const char *yaml, GError **error)
{
  g_autofree char *path = cm_test_write_file ("device.yaml", yaml, -1);

  return condmap_device_new_from_file (rt, path, error);
}

static double *
targets (unsigned k)
{
  double *g = g_new (double, N_ELEMENTS);

  for (size_t i = 0; i < N_ELEMENTS; i++)
    g[i] = fmod (0.37 * i + 5.1 * k, 25.0);
  return g;
}

/* pcm-like with aihwkit's defaults against the core's reference, element
 * by element, programmed and at 1 d. */
static void
test_pcm_like_matches_reference (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapDevice) dev = NULL;
  CmPcmModel model;
  GError *error = NULL;
  double *target[N_PLANES], *prog[N_PLANES], *out[N_PLANES];
  double *ref_prog[N_PLANES], *ref_out[N_PLANES];
  double worst = 0;

  dev = device_from (rt, "device: pcm-like\n", &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_STRING_EQUAL (condmap_device_get_name (dev), "pcm-like");
  cm_pcm_model_init (&model, 25.0);
  for (unsigned k = 0; k < N_PLANES; k++)
    {
      target[k] = targets (k);
      prog[k] = g_new (double, N_ELEMENTS);
      out[k] = g_new (double, N_ELEMENTS);
      ref_prog[k] = g_new (double, N_ELEMENTS);
      ref_out[k] = g_new (double, N_ELEMENTS);
    }
  CU_ASSERT_TRUE (condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT64, SEED,
                                           TENSOR, 0.0, 25.0, T_1D,
                                           N_PLANES,
                                           (const void *const *) target,
                                           N_ELEMENTS, (void *const *) prog,
                                           (void *const *) out, &error));
  CM_ASSERT_NO_ERROR (error);
  cm_pcm_apply_noise_f64 (&model, SEED, TENSOR, T_1D, N_PLANES,
                          (const double *const *) target, 0, N_ELEMENTS,
                          ref_prog, ref_out);
  for (unsigned k = 0; k < N_PLANES; k++)
    for (size_t i = 0; i < N_ELEMENTS; i++)
      {
        worst = MAX (worst, fabs (prog[k][i] - ref_prog[k][i]));
        worst = MAX (worst, fabs (out[k][i] - ref_out[k][i]));
      }
  /* The same formulas in the same order, both built with
   * -ffp-contract=off: a last-bit difference of libm is all there may
   * be. */
  CU_ASSERT_TRUE (worst <= 1e-12);
  if (worst > 1e-12)
    g_printerr ("\n    largest difference %g µS", worst);
  for (unsigned k = 0; k < N_PLANES; k++)
    {
      g_free (target[k]);
      g_free (prog[k]);
      g_free (out[k]);
      g_free (ref_prog[k]);
      g_free (ref_out[k]);
    }
}

/* The planes at 1 d, float32 and float64, on 1, 2 and 7 threads. */
static void
test_threads (void)
{
  double *target[N_PLANES], *out64[3][N_PLANES];
  float *target32[N_PLANES], *out32[3][N_PLANES];
  const unsigned threads[3] = { 1, 2, 7 };
  GError *error = NULL;

  for (unsigned k = 0; k < N_PLANES; k++)
    {
      target[k] = targets (k);
      target32[k] = g_new (float, N_ELEMENTS);
      for (size_t i = 0; i < N_ELEMENTS; i++)
        target32[k][i] = (float) target[k][i];
    }
  for (unsigned r = 0; r < 3; r++)
    {
      g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
      g_autoptr (CondmapDevice) dev = NULL;

      condmap_runtime_set_n_threads (rt, threads[r]);
      dev = device_from (rt, "device: pcm-like\n", &error);
      CM_ASSERT_NO_ERROR (error);
      for (unsigned k = 0; k < N_PLANES; k++)
        {
          out64[r][k] = g_new (double, N_ELEMENTS);
          out32[r][k] = g_new (float, N_ELEMENTS);
        }
      CU_ASSERT_TRUE (condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT64,
                                               SEED, 0, 0, 25, T_1D,
                                               N_PLANES,
                                               (const void *const *) target,
                                               N_ELEMENTS, NULL,
                                               (void *const *) out64[r],
                                               &error));
      CU_ASSERT_TRUE (condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT32,
                                               SEED, 0, 0, 25, T_1D,
                                               N_PLANES,
                                               (const void *const *) target32,
                                               N_ELEMENTS, NULL,
                                               (void *const *) out32[r],
                                               &error));
      CM_ASSERT_NO_ERROR (error);
    }
  for (unsigned r = 1; r < 3; r++)
    for (unsigned k = 0; k < N_PLANES; k++)
      {
        CU_ASSERT_EQUAL (memcmp (out64[0][k], out64[r][k],
                                 N_ELEMENTS * sizeof (double)), 0);
        CU_ASSERT_EQUAL (memcmp (out32[0][k], out32[r][k],
                                 N_ELEMENTS * sizeof (float)), 0);
      }
  /* Not a constant: the planes moved, and another seed moves them
   * elsewhere. */
  CU_ASSERT_TRUE (out64[0][0][1] != target[0][1]);
  for (unsigned k = 0; k < N_PLANES; k++)
    {
      g_free (target[k]);
      g_free (target32[k]);
      for (unsigned r = 0; r < 3; r++)
        {
          g_free (out64[r][k]);
          g_free (out32[r][k]);
        }
    }
}

/* The sample σ of g_prog - g over n draws at one target.  Its relative
 * standard error is 1 / sqrt(2 n). */
static double
sample_sigma (CondmapDevice *dev, double g, size_t n, guint64 seed)
{
  g_autofree double *target = g_new (double, n);
  g_autofree double *prog = g_new (double, n);
  g_autofree double *out = g_new (double, n);
  const void *in[1] = { target };
  void *p[1] = { prog }, *o[1] = { out };
  double sum = 0, sum_sq = 0;
  GError *error = NULL;

  for (size_t i = 0; i < n; i++)
    target[i] = g;
  CU_ASSERT_TRUE (condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT64, seed,
                                           0, 0, 25, 0, 1, in, n, p, o,
                                           &error));
  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < n; i++)
    {
      sum += prog[i] - g;
      sum_sq += (prog[i] - g) * (prog[i] - g);
    }
  return sqrt (sum_sq / n - (sum / n) * (sum / n));
}

#define N_SIGMA 200000
/* Five standard errors of a sample σ from N_SIGMA draws. */
#define SIGMA_TOL (5.0 / sqrt (2.0 * N_SIGMA))

static void
test_gaussian (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapDevice) constant = NULL;
  g_autoptr (CondmapDevice) relative = NULL;
  GError *error = NULL;
  double s;

  constant = device_from (rt, "device: gaussian\nsigma: 0.5\n", &error);
  CM_ASSERT_NO_ERROR (error);
  relative = device_from (rt, "device: gaussian\nsigma: 0\n"
                          "sigma_relative: 0.04\n", &error);
  CM_ASSERT_NO_ERROR (error);
  /* Away from 0, where the clamp would cut the normal. */
  s = sample_sigma (constant, 10.0, N_SIGMA, 1);
  CU_ASSERT_DOUBLE_EQUAL (s / 0.5, 1.0, SIGMA_TOL);
  s = sample_sigma (constant, 20.0, N_SIGMA, 2);
  CU_ASSERT_DOUBLE_EQUAL (s / 0.5, 1.0, SIGMA_TOL);
  s = sample_sigma (relative, 20.0, N_SIGMA, 3);
  CU_ASSERT_DOUBLE_EQUAL (s / 0.8, 1.0, SIGMA_TOL);
  s = sample_sigma (relative, 5.0, N_SIGMA, 4);
  CU_ASSERT_DOUBLE_EQUAL (s / 0.2, 1.0, SIGMA_TOL);
}

/* measured: each level's σ, and the nearest level's between levels (the
 * lower one on a tie). */
static void
test_measured (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapDevice) dev = NULL;
  g_autofree char *table = NULL;
  GError *error = NULL;

  table = cm_test_write_file ("table.csv", "# mean, sigma\n"
                              "0, 0.1\n10, 0.4\n20, 1.0\n25, 2.0\n", -1);
  dev = device_from (rt, "device: measured\ntable: table.csv\n", &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_DOUBLE_EQUAL (sample_sigma (dev, 10.0, N_SIGMA, 5) / 0.4, 1.0,
                          SIGMA_TOL);
  CU_ASSERT_DOUBLE_EQUAL (sample_sigma (dev, 20.0, N_SIGMA, 6) / 1.0, 1.0,
                          SIGMA_TOL);
  /* 13 is nearest 10; 16 nearest 20; 15 a tie: the lower level, 10. */
  CU_ASSERT_DOUBLE_EQUAL (sample_sigma (dev, 13.0, N_SIGMA, 7) / 0.4, 1.0,
                          SIGMA_TOL);
  CU_ASSERT_DOUBLE_EQUAL (sample_sigma (dev, 16.0, N_SIGMA, 8) / 1.0, 1.0,
                          SIGMA_TOL);
  CU_ASSERT_DOUBLE_EQUAL (sample_sigma (dev, 15.0, N_SIGMA, 9) / 0.4, 1.0,
                          SIGMA_TOL);
}

static void
expect_error (CondmapRuntime *rt, const char *yaml, int code,
              const char *text)
{
  GError *error = NULL;
  CondmapDevice *dev = device_from (rt, yaml, &error);

  CU_ASSERT_PTR_NULL (dev);
  condmap_device_free (dev);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strstr (error->message, text) == NULL)
    g_printerr ("\n    '%s' lacks '%s'", error->message, text);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, text));
  CM_ASSERT_ERROR (error, code);
}

static void
test_errors (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autofree char *bad = NULL;
  g_autofree char *one = NULL;

  expect_error (rt, "device: pcm-lik\n", CONDMAP_ERROR_UNKNOWN_CONVERTER,
                "device.yaml:1: no plugin provides device model 'pcm-lik' - "
                "did you mean 'pcm-like'?");
  /* A converter is not a device model. */
  expect_error (rt, "device: dual-pair\n", CONDMAP_ERROR_UNKNOWN_CONVERTER,
                "device model 'dual-pair'");
  expect_error (rt, "# noise\ndevice: gaussian\nsigma: -0.5\n",
                CONDMAP_ERROR_CONFIG, "device.yaml:3");
  expect_error (rt, "device: gaussian\nsigmaa: 0.5\n",
                CONDMAP_ERROR_UNKNOWN_KEY, "sigma");
  expect_error (rt, "device: pcm-like\nt_read: 30\n", CONDMAP_ERROR_CONFIG,
                "device.yaml:2: 't_read'");
  expect_error (rt, "g_max: 25\n", CONDMAP_ERROR_CONFIG, "'device'");
  bad = cm_test_write_file ("bad.csv", "0, 0.1\n10, x\n", -1);
  expect_error (rt, "device: measured\ntable: bad.csv\n",
                CONDMAP_ERROR_FORMAT, "bad.csv:2");
  one = cm_test_write_file ("one.csv", "0\n10\n25\n", -1);
  expect_error (rt, "device: measured\ntable: one.csv\n",
                CONDMAP_ERROR_CONFIG, "column 2");
  expect_error (rt, "device: measured\ntable: none.csv\n", CONDMAP_ERROR_IO,
                "none.csv");
}

/* ---- pcm-like against aihwkit's own numbers ------------------------------ */

#define N_AIHWKIT 1000000
#define REL_TOL 0.02     /* the acceptance criterion: 2 % */

/* The number at @path (keys, NULL-terminated) under @node. */
static double
json_number (const CmNode *node, ...)
{
  va_list args;
  const char *key;
  double v = NAN;

  va_start (args, node);
  while (node != NULL && (key = va_arg (args, const char *)) != NULL)
    node = cm_node_lookup (node, key);
  va_end (args);
  if (node == NULL || !cm_node_to_double (node, &v))
    CU_FAIL ("a number of the aihwkit reference is missing");
  return v;
}

/* Mean and std of n simulated devices all programmed to @g at @t_s. */
static void
device_moments (CondmapDevice *dev, double g, double t_s, guint64 seed,
                double *out_g, double *mean, double *std)
{
  g_autofree double *target = g_new (double, N_AIHWKIT);
  const void *in[1] = { target };
  void *out[1] = { out_g };
  double sum = 0, sum_sq = 0;
  GError *error = NULL;

  for (size_t i = 0; i < N_AIHWKIT; i++)
    target[i] = g;
  CU_ASSERT_TRUE (condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT64, seed,
                                           0, 0, 25, t_s, 1, in, N_AIHWKIT,
                                           NULL, out, &error));
  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < N_AIHWKIT; i++)
    sum += out_g[i];
  *mean = sum / N_AIHWKIT;
  for (size_t i = 0; i < N_AIHWKIT; i++)
    sum_sq += (out_g[i] - *mean) * (out_g[i] - *mean);
  *std = sqrt (sum_sq / (N_AIHWKIT - 1));
}

static void
check_rel (const char *what, double g, double got, double want)
{
  gboolean ok = fabs (got - want) <= REL_TOL * fabs (want);

  if (!ok)
    g_printerr ("\n    %s at g = %g µS: %.6g, aihwkit %.6g", what, g, got,
                want);
  CU_ASSERT_TRUE (ok);
}

/* The programming σ at g = 0, 5, 12.5 and 25 µS, the drift coefficient's
 * mean and std, and the read-noise σ at 1 h and 1 d, each phenomenon alone
 * (the others' scales 0), on 10^6 devices per target. */
static void
test_pcm_like_aihwkit (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapDevice) prog = NULL;
  g_autoptr (CondmapDevice) drift = NULL;
  g_autoptr (CondmapDevice) read = NULL;
  g_autofree char *path = cm_test_data ("aihwkit-pcm/g-max-25.json");
  g_autoptr (CmNode) ref = NULL;
  g_autofree double *g = g_new (double, N_AIHWKIT);
  const CmNode *targets;
  GError *error = NULL;

  ref = cm_yaml_load_file (path, &error);   /* JSON is YAML */
  CM_ASSERT_NO_ERROR (error);
  targets = cm_node_lookup (ref, "targets");
  CU_ASSERT_PTR_NOT_NULL_FATAL (targets);
  CU_ASSERT_EQUAL (targets->children->len, 4);
  prog = device_from (rt, "device: pcm-like\ndrift_scale: 0\n"
                      "read_noise_scale: 0\n", &error);
  drift = device_from (rt, "device: pcm-like\nprog_noise_scale: 0\n"
                       "read_noise_scale: 0\n", &error);
  read = device_from (rt, "device: pcm-like\nprog_noise_scale: 0\n"
                      "drift_scale: 0\n", &error);
  CM_ASSERT_NO_ERROR (error);
  for (guint i = 0; i < targets->children->len; i++)
    {
      const CmNode *t = targets->children->pdata[i];
      double g0 = json_number (t, "g_us", NULL), mean, std;

      device_moments (prog, g0, 0, 10 + i, g, &mean, &std);
      check_rel ("programmed std", g0, std,
                 json_number (t, "prog_std_us", NULL));
      check_rel ("programmed mean", g0, mean,
                 json_number (t, "prog_mean_us", NULL));
      if (g0 > 0)
        {
          /* nu = -ln(g_t / g) / ln((t + t_0) / t_0) at 1 d. */
          double log_ratio = log ((86400.0 + 20.0) / 20.0);

          device_moments (drift, g0, 86400.0, 20 + i, g, &mean, &std);
          for (size_t j = 0; j < N_AIHWKIT; j++)
            g[j] = -log (g[j] / g0) / log_ratio;
          mean = std = 0;
          for (size_t j = 0; j < N_AIHWKIT; j++)
            mean += g[j];
          mean /= N_AIHWKIT;
          for (size_t j = 0; j < N_AIHWKIT; j++)
            std += (g[j] - mean) * (g[j] - mean);
          std = sqrt (std / (N_AIHWKIT - 1));
          check_rel ("nu mean", g0, mean, json_number (t, "nu_mean", NULL));
          check_rel ("nu std", g0, std, json_number (t, "nu_std", NULL));
          device_moments (read, g0, 3600.0, 30 + i, g, &mean, &std);
          check_rel ("read std at 1 h", g0, std,
                     json_number (t, "read", "1h", "std_us", NULL));
          device_moments (read, g0, 86400.0, 40 + i, g, &mean, &std);
          check_rel ("read std at 1 d", g0, std,
                     json_number (t, "read", "1d", "std_us", NULL));
        }
    }
}

static void
test_bad_time (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapDevice) dev = NULL;
  double g = 10, out;
  const void *in[1] = { &g };
  void *o[1] = { &out };
  GError *error = NULL;

  dev = device_from (rt, "device: pcm-like\n", &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_FALSE (condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT64, 0, 0,
                                            0, 25, -1.0, 1, in, 1, NULL, o,
                                            &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT64, 0, 0,
                                            0, 25, NAN, 1, in, 1, NULL, o,
                                            &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("device models", cm_test_tmpdir_init,
                    cm_test_tmpdir_clean);
  CU_add_test (s, "pcm-like computes the reference model",
               test_pcm_like_matches_reference);
  CU_add_test (s, "pcm-like against aihwkit's numbers, 10^6 devices",
               test_pcm_like_aihwkit);
  CU_add_test (s, "1, 2 and 7 threads alike", test_threads);
  CU_add_test (s, "gaussian: constant and proportional σ", test_gaussian);
  CU_add_test (s, "measured: σ of the nearest level", test_measured);
  CU_add_test (s, "bad configs, with their lines", test_errors);
  CU_add_test (s, "bad read times", test_bad_time);
  return cm_test_run ();
}
