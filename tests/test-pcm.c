/* test-pcm.c - aihwkit's PCMLikeNoiseModel in condmap (core/pcm-noise.c)
 * against aihwkit's own numbers, tests/data/aihwkit-pcm/g-max-*.json,
 * written by tests/peer/gen-aihwkit-pcm.py: the defaults, each σ exactly,
 * and the sample moments of 10^6 draws per target within 2 %. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"

#define N_SAMPLES 1000000
#define REL_TOL 0.02        /* the acceptance criterion: 2 % */

/* ---- the reference files ---------------------------------------------------- */

static CmNode *ref25, *ref40;

static CmNode *
load (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cm_test_data (name);
  CmNode *root = cm_yaml_load_file (path, &error);   /* JSON is YAML */

  if (root == NULL)
    g_printerr ("cannot load %s: %s\n", path, error->message);
  return root;
}

static int
suite_init (void)
{
  ref25 = load ("aihwkit-pcm/g-max-25.json");
  ref40 = load ("aihwkit-pcm/g-max-40.json");
  return ref25 != NULL && ref40 != NULL ? 0 : 1;
}

static int
suite_clean (void)
{
  g_clear_pointer (&ref25, cm_node_free);
  g_clear_pointer (&ref40, cm_node_free);
  return 0;
}

/* The number at a path of keys ("read", "1h", "sigma_rel"); aborts the
 * test if it is missing, since the reference would be broken. */
static double
num (const CmNode *node, ...)
{
  va_list args;
  const char *key;
  double v = NAN;

  va_start (args, node);
  while (node != NULL && (key = va_arg (args, const char *)) != NULL)
    node = cm_node_lookup (node, key);
  va_end (args);
  if (!cm_node_to_double (node, &v))
    {
      g_printerr ("\n    the reference lacks a number");
      CU_FAIL_FATAL ("broken reference file");
    }
  return v;
}

static size_t
n_targets (const CmNode *ref)
{
  return cm_node_lookup (ref, "targets")->children->len;
}

static const CmNode *
target (const CmNode *ref, size_t i)
{
  return g_ptr_array_index (cm_node_lookup (ref, "targets")->children, i);
}

#define ASSERT_REL(got, want, tol)                                           \
  do {                                                                       \
    double g_ = (got), w_ = (want);                                          \
    if (!(fabs (g_ - w_) <= (tol) * fabs (w_)))                              \
      g_printerr ("\n    %s = %.17g, want %.17g", #got, g_, w_);             \
    CU_ASSERT_TRUE (fabs (g_ - w_) <= (tol) * fabs (w_));                    \
  } while (0)

/* ---- exact values -------------------------------------------------------- */

static void
test_defaults (void)
{
  CmPcmModel m;
  const CmNode *c = cm_node_lookup (cm_node_lookup (ref25, "defaults"),
                                    "prog_coeff");

  cm_pcm_model_init (&m, 25.0);
  CU_ASSERT_EQUAL_FATAL (m.n_prog_coeff, c->children->len);
  for (unsigned i = 0; i < m.n_prog_coeff; i++)
    {
      double v;

      CU_ASSERT_TRUE (cm_node_to_double (g_ptr_array_index (c->children, i),
                                         &v));
      CU_ASSERT_EQUAL (m.prog_coeff[i], v);
    }
  CU_ASSERT_EQUAL (m.prog_coeff_g_max_reference_us,
                   num (ref25, "defaults", "prog_coeff_g_max_reference_us",
                        NULL));
  CU_ASSERT_EQUAL (m.t_read_s, num (ref25, "defaults", "t_read_s", NULL));
  CU_ASSERT_EQUAL (m.t_0_s, num (ref25, "defaults", "t_0_s", NULL));
  CU_ASSERT_EQUAL (m.prog_noise_scale,
                   num (ref25, "defaults", "prog_noise_scale", NULL));
  CU_ASSERT_EQUAL (m.read_noise_scale,
                   num (ref25, "defaults", "read_noise_scale", NULL));
  CU_ASSERT_EQUAL (m.drift_scale, num (ref25, "defaults", "drift_scale",
                                       NULL));
  CU_ASSERT_EQUAL (m.g_max_us, 25.0);
}

/* σ_prog, the nu normal, the read σ at 0, 1 h, 1 d and the drift factor,
 * as aihwkit computes them (its normals set to 0 and 1). */
static void
check_exact (const CmNode *ref)
{
  CmPcmModel m;
  double nu_fixed = num (ref, "nu_fixed", NULL);
  const char *times[] = { "0", "1h", "1d" };

  cm_pcm_model_init (&m, num (ref, "g_max_us", NULL));
  for (size_t i = 0; i < n_targets (ref); i++)
    {
      const CmNode *t = target (ref, i);
      double g = num (t, "g_us", NULL), mu, sigma;

      ASSERT_REL (cm_pcm_prog_sigma (&m, g), num (t, "prog_sigma_us", NULL),
                  1e-12);
      cm_pcm_drift_normal (&m, g, &mu, &sigma);
      ASSERT_REL (mu, num (t, "nu_mu", NULL), 1e-12);
      ASSERT_REL (sigma, num (t, "nu_sigma", NULL), 1e-12);
      for (size_t k = 0; k < G_N_ELEMENTS (times); k++)
        {
          double ts = num (t, "read", times[k], "t_s", NULL);
          double zero = 0, got;

          if (g > 0)
            ASSERT_REL (cm_pcm_read_sigma (&m, g, ts),
                        num (t, "read", times[k], "sigma_rel", NULL), 1e-12);
          cm_pcm_drift_read (&m, ts, &g, &nu_fixed, &zero, 1, &got);
          ASSERT_REL (got, g * num (t, "read", times[k], "drift_factor",
                                    NULL), 1e-12);
        }
    }
}

static void
test_exact_25 (void)
{
  check_exact (ref25);
}

/* g_max 40: the programming fit rescaled by 40 / 25. */
static void
test_exact_40 (void)
{
  check_exact (ref40);
}

/* ---- sample moments -------------------------------------------------------- */

typedef struct {
  double mean, std;
  double se_mean, se_std;   /* standard errors from the sample itself */
} Moments;

static Moments
moments (const double *x, size_t n)
{
  double sum = 0, m2 = 0, m4 = 0;
  Moments m;

  for (size_t i = 0; i < n; i++)
    sum += x[i];
  m.mean = sum / n;
  for (size_t i = 0; i < n; i++)
    {
      double d = (x[i] - m.mean) * (x[i] - m.mean);

      m2 += d;
      m4 += d * d;
    }
  m2 /= n;
  m4 /= n;
  m.std = sqrt (m2);
  m.se_mean = m.std / sqrt ((double) n);
  /* Var(sample variance) ~ (m4 - m2^2) / n; the std's SE is half the
   * variance's relative SE. */
  m.se_std = m.std > 0 ? sqrt ((m4 - m2 * m2) / n) / (2 * m.std) : 0;
  return m;
}

/* The sample statistic is within 2 % of aihwkit's value, and 2 % is more
 * than 5 standard errors, so that the fixed seed is not what makes the
 * test pass. */
static void
check_stat (const char *what, double g, double got, double se, double want)
{
  gboolean meaningful = 5 * se < REL_TOL * fabs (want);
  gboolean close = fabs (got - want) <= REL_TOL * fabs (want);

  if (!meaningful || !close)
    g_printerr ("\n    %s at g = %g: %.6g, want %.6g (5 SE = %.3g, 2 %% = "
                "%.3g)", what, g, got, want, 5 * se, REL_TOL * fabs (want));
  CU_ASSERT_TRUE (meaningful);
  CU_ASSERT_TRUE (close);
  /* And within 5 SE: the reference values are exact. */
  CU_ASSERT_TRUE (fabs (got - want) <= 5 * se);
}

static void
fill_normals (guint64 seed, guint32 draw, double *z)
{
  cm_philox_normals (&(CmPhiloxKey) { seed, 0, 0, draw }, 0, N_SAMPLES, z);
}

static void
test_samples_program (void)
{
  g_autofree double *z = g_new (double, N_SAMPLES);
  g_autofree double *g = g_new (double, N_SAMPLES);
  g_autofree double *out = g_new (double, N_SAMPLES);
  CmPcmModel m;

  cm_pcm_model_init (&m, 25.0);
  for (size_t i = 0; i < n_targets (ref25); i++)
    {
      const CmNode *t = target (ref25, i);
      double g0 = num (t, "g_us", NULL);
      Moments s;

      for (size_t j = 0; j < N_SAMPLES; j++)
        g[j] = g0;
      fill_normals (100 + i, CM_PCM_DRAW_PROG, z);
      cm_pcm_program (&m, g, z, N_SAMPLES, out);
      s = moments (out, N_SAMPLES);
      check_stat ("programmed std", g0, s.std, s.se_std,
                  num (t, "prog_std_us", NULL));
      check_stat ("programmed mean", g0, s.mean, s.se_mean,
                  num (t, "prog_mean_us", NULL));
    }
}

static void
test_samples_nu (void)
{
  g_autofree double *z = g_new (double, N_SAMPLES);
  g_autofree double *g = g_new (double, N_SAMPLES);
  g_autofree double *nu = g_new (double, N_SAMPLES);
  CmPcmModel m;

  cm_pcm_model_init (&m, 25.0);
  for (size_t i = 0; i < n_targets (ref25); i++)
    {
      const CmNode *t = target (ref25, i);
      double g0 = num (t, "g_us", NULL);
      Moments s;

      for (size_t j = 0; j < N_SAMPLES; j++)
        g[j] = g0;
      fill_normals (200 + i, CM_PCM_DRAW_NU, z);
      cm_pcm_drift_nu (&m, g, z, N_SAMPLES, nu);
      s = moments (nu, N_SAMPLES);
      check_stat ("nu mean", g0, s.mean, s.se_mean, num (t, "nu_mean", NULL));
      check_stat ("nu std", g0, s.std, s.se_std, num (t, "nu_std", NULL));
    }
}

/* Read noise alone: nu = 0, so g_t = max(0, g + g σ_read z). */
static void
test_samples_read (void)
{
  const char *times[] = { "1h", "1d" };
  g_autofree double *z = g_new (double, N_SAMPLES);
  g_autofree double *g = g_new (double, N_SAMPLES);
  g_autofree double *nu = g_new0 (double, N_SAMPLES);
  g_autofree double *out = g_new (double, N_SAMPLES);
  CmPcmModel m;

  cm_pcm_model_init (&m, 25.0);
  for (size_t i = 0; i < n_targets (ref25); i++)
    for (size_t k = 0; k < G_N_ELEMENTS (times); k++)
      {
        const CmNode *t = target (ref25, i);
        double g0 = num (t, "g_us", NULL);
        double ts = num (t, "read", times[k], "t_s", NULL);
        Moments s;

        for (size_t j = 0; j < N_SAMPLES; j++)
          g[j] = g0;
        fill_normals (300 + 2 * i + k, CM_PCM_DRAW_READ, z);
        cm_pcm_drift_read (&m, ts, g, nu, z, N_SAMPLES, out);
        s = moments (out, N_SAMPLES);
        if (g0 == 0)
          {
            /* |g_drift| = 0: no read noise at all. */
            CU_ASSERT_EQUAL (s.mean, 0);
            CU_ASSERT_EQUAL (s.std, 0);
            continue;
          }
        check_stat (times[k], g0, s.std, s.se_std,
                    num (t, "read", times[k], "std_us", NULL));
      }
}

/* The whole sequence (program, nu from the target, drift and read at
 * 1 d) against aihwkit's own Monte Carlo of it: means within 5 standard
 * errors of the difference of two samples, std within 2 %. */
static void
test_samples_sequence (void)
{
  g_autofree double *g = g_new (double, N_SAMPLES);
  g_autofree double *out = g_new (double, N_SAMPLES);
  double n_ref = num (ref25, "samples", NULL);
  CmPcmModel m;

  cm_pcm_model_init (&m, 25.0);
  for (size_t i = 0; i < n_targets (ref25); i++)
    {
      const CmNode *t = target (ref25, i);
      double g0 = num (t, "g_us", NULL);
      double ref_mean = num (t, "aihwkit_sampled", "sequence_1d", "mean",
                             NULL);
      double ref_std = num (t, "aihwkit_sampled", "sequence_1d", "std",
                            NULL);
      Moments s;
      double se;

      for (size_t j = 0; j < N_SAMPLES; j++)
        g[j] = g0;
      cm_pcm_apply_noise_f64 (&m, 400 + i, 0, 86400.0, 1,
                              (const double *const *) &g, 0, N_SAMPLES, NULL,
                              &out);
      s = moments (out, N_SAMPLES);
      se = sqrt (s.se_mean * s.se_mean + ref_std * ref_std / n_ref);
      if (!(fabs (s.mean - ref_mean) <= 5 * se))
        g_printerr ("\n    sequence mean at g = %g: %.6g, aihwkit %.6g", g0,
                    s.mean, ref_mean);
      CU_ASSERT_TRUE (fabs (s.mean - ref_mean) <= 5 * se);
      /* Two samples of one size: the SE of the difference is sqrt 2
       * times either's. */
      check_stat ("sequence std", g0, s.std, s.se_std * sqrt (2.0), ref_std);
    }
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("pcm-like against aihwkit", suite_init, suite_clean);
  CU_add_test (s, "aihwkit's defaults", test_defaults);
  CU_add_test (s, "exact σ, nu normal, read σ, drift (g_max 25)",
               test_exact_25);
  CU_add_test (s, "exact values at g_max 40 (fit rescaled)", test_exact_40);
  CU_add_test (s, "programming: 10^6 samples per target",
               test_samples_program);
  CU_add_test (s, "drift nu: 10^6 samples per target", test_samples_nu);
  CU_add_test (s, "read noise at 1 h and 1 d: 10^6 samples",
               test_samples_read);
  CU_add_test (s, "program, drift, read at 1 d vs aihwkit's sampling",
               test_samples_sequence);
  return cm_test_run ();
}
