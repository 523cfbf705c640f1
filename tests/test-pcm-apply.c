/* test-pcm-apply.c - the apply_noise sequence of the PCM model
 * (core/pcm-noise.c) as the commands will run it: the same bits for any
 * chunking and 1, 2 or 7 threads, the stages it is made of, read noise at
 * t = 0, the checks of a model, and global drift compensation. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"

#define N_PLANES 3
/* Enough elements that cm_run_parallel gives 7 threads their ranges. */
#define N_ELEMENTS (7 * 32768 + 1237)
#define SEED G_GUINT64_CONSTANT (0xc0ffee)
#define TENSOR 4
#define T_1D 86400.0

static CmPcmModel model;

/* Planes of targets spread over [0, 25] µS, plane k shifted. */
static double *
targets (unsigned k)
{
  double *g = g_new (double, N_ELEMENTS);

  for (size_t i = 0; i < N_ELEMENTS; i++)
    g[i] = fmod (0.37 * i + 5.1 * k, 25.0);
  return g;
}

typedef struct {
  double t_s;
  const double *target[N_PLANES];
  double *prog[N_PLANES];
  double *out[N_PLANES];
} Job;

static void
apply_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  Job *job = data;
  const double *in[N_PLANES];
  double *prog[N_PLANES], *out[N_PLANES];

  for (unsigned k = 0; k < N_PLANES; k++)
    {
      in[k] = job->target[k] + begin;
      prog[k] = job->prog[k] + begin;
      out[k] = job->out[k] + begin;
    }
  cm_pcm_apply_noise_f64 (&model, SEED, TENSOR, job->t_s, N_PLANES, in,
                          begin, end - begin, prog, out);
}

static void
job_init (Job *job, double t_s)
{
  job->t_s = t_s;
  for (unsigned k = 0; k < N_PLANES; k++)
    {
      job->target[k] = targets (k);
      job->prog[k] = g_new0 (double, N_ELEMENTS);
      job->out[k] = g_new0 (double, N_ELEMENTS);
    }
}

static void
job_clear (Job *job)
{
  for (unsigned k = 0; k < N_PLANES; k++)
    {
      g_free ((double *) job->target[k]);
      g_free (job->prog[k]);
      g_free (job->out[k]);
    }
}

static gboolean
same_planes (double *const *a, double *const *b)
{
  for (unsigned k = 0; k < N_PLANES; k++)
    if (memcmp (a[k], b[k], N_ELEMENTS * sizeof (double)) != 0)
      return FALSE;
  return TRUE;
}

static void
test_threads (void)
{
  const unsigned counts[] = { 1, 2, 7 };
  Job one, many;

  job_init (&one, T_1D);
  job_init (&many, T_1D);
  apply_work (&one, 0, N_ELEMENTS, 0);
  for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      for (unsigned k = 0; k < N_PLANES; k++)
        memset (many.out[k], 0, N_ELEMENTS * sizeof (double));
      CU_ASSERT_EQUAL (cm_run_parallel (counts[c], N_ELEMENTS, apply_work,
                                        &many), counts[c]);
      CU_ASSERT_TRUE (same_planes (one.out, many.out));
      CU_ASSERT_TRUE (same_planes (one.prog, many.prog));
    }
  job_clear (&one);
  job_clear (&many);
}

static void
test_chunks (void)
{
  Job one, parts;
  size_t at = 0, len = 1;

  job_init (&one, 3600.0);
  job_init (&parts, 3600.0);
  apply_work (&one, 0, N_ELEMENTS, 0);
  while (at < N_ELEMENTS)
    {
      size_t take = MIN (len, N_ELEMENTS - at);

      apply_work (&parts, at, at + take, 0);
      at += take;
      len = len * 3 % 1021 + 1;   /* sizes across block boundaries */
    }
  CU_ASSERT_TRUE (same_planes (one.out, parts.out));
  CU_ASSERT_TRUE (same_planes (one.prog, parts.prog));
  job_clear (&one);
  job_clear (&parts);
}

/* The sequence is the three stages on the normals of (seed, tensor,
 * plane, draw): program, nu from the target, drift and read; in place
 * and in float32 alike. */
static void
test_stages (void)
{
  const size_t n = 1000;
  const guint64 begin = 777;
  g_autofree double *target = targets (1);
  g_autofree double *z = g_new (double, n);
  g_autofree double *prog = g_new (double, n);
  g_autofree double *nu = g_new (double, n);
  g_autofree double *want = g_new (double, n);
  g_autofree double *got = g_new (double, n);
  g_autofree float *target32 = g_new (float, n);
  g_autofree float *got32 = g_new (float, n);
  CmPhiloxKey key = { SEED, TENSOR, 1, 0 };
  const double *in = target;
  double *out = got;

  key.draw = CM_PCM_DRAW_PROG;
  cm_philox_normals (&key, begin, n, z);
  cm_pcm_program (&model, target, z, n, prog);
  key.draw = CM_PCM_DRAW_NU;
  cm_philox_normals (&key, begin, n, z);
  cm_pcm_drift_nu (&model, target, z, n, nu);
  key.draw = CM_PCM_DRAW_READ;
  cm_philox_normals (&key, begin, n, z);
  cm_pcm_drift_read (&model, T_1D, prog, nu, z, n, want);

  /* Plane 1 of a two-plane call: plane 0 gets other numbers. */
  {
    g_autofree double *other = targets (0);
    g_autofree double *other_out = g_new (double, n);
    const double *ins[2] = { other, in };
    double *outs[2] = { other_out, out };

    cm_pcm_apply_noise_f64 (&model, SEED, TENSOR, T_1D, 2, ins, begin, n,
                            NULL, outs);
    CU_ASSERT_EQUAL (memcmp (got, want, n * sizeof (double)), 0);
    CU_ASSERT_NOT_EQUAL (memcmp (other_out, got, n * sizeof (double)), 0);
  }
  /* In place, the programmed values kept. */
  {
    g_autofree double *inplace = g_memdup2 (target, n * sizeof (double));
    g_autofree double *prog2 = g_new (double, n);
    const double *ins[2] = { target, inplace };
    double *outs[2] = { got, inplace }, *progs[2] = { NULL, prog2 };

    progs[0] = g_new (double, n);
    cm_pcm_apply_noise_f64 (&model, SEED, TENSOR, T_1D, 2, ins, begin, n,
                            progs, outs);
    CU_ASSERT_EQUAL (memcmp (inplace, want, n * sizeof (double)), 0);
    CU_ASSERT_EQUAL (memcmp (prog2, prog, n * sizeof (double)), 0);
    g_free (progs[0]);
  }
  /* float32 planes: the same arithmetic, rounded once at the end. */
  for (size_t i = 0; i < n; i++)
    target32[i] = (float) target[i];
  {
    g_autofree float *other = g_new0 (float, n);
    const float *ins[2] = { other, target32 };
    float *outs[2] = { other, got32 };
    g_autofree double *t64 = g_new (double, n);

    for (size_t i = 0; i < n; i++)
      t64[i] = target32[i];
    cm_pcm_apply_noise_f32 (&model, SEED, TENSOR, T_1D, 2, ins, begin, n,
                            NULL, outs);
    {
      const double *ins64[2] = { t64, t64 };
      double *outs64[2] = { want, want };

      cm_pcm_apply_noise_f64 (&model, SEED, TENSOR, T_1D, 2, ins64, begin,
                              n, NULL, outs64);
    }
    for (size_t i = 0; i < n; i++)
      CU_ASSERT_EQUAL (got32[i], (float) want[i]);
  }
}

/* aihwkit reads at t_0 when t = 0: no drift, but 1/f noise. */
static void
test_read_at_zero (void)
{
  const size_t n = 200000;
  g_autofree double *g = g_new (double, n);
  g_autofree double *prog = g_new (double, n);
  g_autofree double *out = g_new (double, n);
  CmPcmModel quiet = model;
  double sum = 0, sum2 = 0, sigma, se;

  for (size_t i = 0; i < n; i++)
    g[i] = 12.5;
  /* Without read noise, t = 0 gives the programmed values exactly. */
  quiet.read_noise_scale = 0;
  cm_pcm_apply_noise_f64 (&quiet, 9, 0, 0.0, 1, (const double *const *) &g,
                          0, n, &prog, &out);
  CU_ASSERT_EQUAL (memcmp (prog, out, n * sizeof (double)), 0);
  /* Without programming noise: g_t = 12.5 (1 + σ_read(t_0) z). */
  quiet = model;
  quiet.prog_noise_scale = 0;
  cm_pcm_apply_noise_f64 (&quiet, 9, 0, 0.0, 1, (const double *const *) &g,
                          0, n, &prog, &out);
  for (size_t i = 0; i < n; i++)
    {
      CU_ASSERT_EQUAL (prog[i], 12.5);
      sum += out[i];
      sum2 += (out[i] - 12.5) * (out[i] - 12.5);
    }
  sigma = 12.5 * cm_pcm_read_sigma (&model, 12.5, 0.0);
  se = sigma / sqrt ((double) n);
  CU_ASSERT_TRUE (sigma > 0.5);   /* not a vanishing effect */
  CU_ASSERT_TRUE (fabs (sum / n - 12.5) <= 5 * se);
  CU_ASSERT_TRUE (fabs (sqrt (sum2 / n) - sigma) <= 5 * se / sqrt (2.0));
}

/* ---- the model's settings ---------------------------------------------- */

static void
test_prog_coeff (void)
{
  CmPcmModel m;
  const double one = 1.0, quad[] = { 0.5, 1.0, 2.0 }, ref = 25.0;

  cm_pcm_model_init (&m, 40.0);
  /* Explicit coefficients: fitted at the model's g_max unless told. */
  cm_pcm_model_set_prog_coeff (&m, &one, 1, NULL);
  CU_ASSERT_EQUAL (m.prog_coeff_g_max_reference_us, 40.0);
  CU_ASSERT_EQUAL (cm_pcm_prog_sigma (&m, 13.0), 1.0);
  cm_pcm_model_set_prog_coeff (&m, &one, 1, &ref);
  CU_ASSERT_EQUAL (cm_pcm_prog_sigma (&m, 13.0), 1.6);
  cm_pcm_model_set_prog_coeff (&m, quad, 3, &ref);
  /* x = 20/40: 0.5 + 0.5 + 2 x 0.25 = 1.5, times 40/25 */
  CU_ASSERT_DOUBLE_EQUAL (cm_pcm_prog_sigma (&m, 20.0), 2.4, 1e-15);
  /* A polynomial gone negative: its size is the σ. */
  m.prog_coeff[0] = -3;
  CU_ASSERT_DOUBLE_EQUAL (cm_pcm_prog_sigma (&m, 0.0), 3 * 1.6, 1e-15);
}

static void
check_fails (const CmPcmModel *m, const char *message)
{
  g_autoptr (GError) error = NULL;

  CU_ASSERT_FALSE (cm_pcm_model_check (m, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strcmp (error->message, message) != 0)
    g_printerr ("\n    want: %s\n    got:  %s", message, error->message);
  CU_ASSERT_STRING_EQUAL (error->message, message);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
}

static void
test_model_check (void)
{
  CmPcmModel m;

  cm_pcm_model_init (&m, 25.0);
  CU_ASSERT_TRUE (cm_pcm_model_check (&m, NULL));
  m.t_0_s = 0;
  check_fails (&m, "'t_0' must be a finite number > 0, got 0");
  cm_pcm_model_init (&m, 25.0);
  m.t_read_s = 30;
  check_fails (&m, "'t_read' (30 s) must not exceed 't_0' (20 s): the read "
               "noise grows as sqrt(ln((t + t_read) / (2 t_read))) from t = "
               "t_0 on");
  cm_pcm_model_init (&m, 25.0);
  m.drift_scale = -1;
  check_fails (&m, "'drift_scale' must be a finite number >= 0, got -1");
  cm_pcm_model_init (&m, 25.0);
  m.prog_noise_scale = 0;   /* allowed: no programming noise */
  CU_ASSERT_TRUE (cm_pcm_model_check (&m, NULL));
  m.g_max_us = NAN;
  check_fails (&m, "'g_max' must be a finite number > 0, got nan");
  cm_pcm_model_init (&m, 25.0);
  m.prog_coeff[1] = INFINITY;
  check_fails (&m, "'prog_coeff'[1] must be a finite number, got inf");
  m.n_prog_coeff = 0;
  check_fails (&m, "'prog_coeff' must hold 1 to 8 coefficients, got 0");
}

/* ---- GlobalDriftCompensation --------------------------------------------- */

static void
test_drift_compensation (void)
{
  const float w32[] = { -1.5f, 0.5f, 0, 2 };
  const double w64[] = { -1.5, 0.5, 0, 2, -1e-300 };

  CU_ASSERT_EQUAL (cm_abs_sum_f32 (w32, 4), 4.0);
  CU_ASSERT_EQUAL (cm_abs_sum_f64 (w64, 5), 4.0);
  CU_ASSERT_EQUAL (cm_abs_sum_f64 (w64, 0), 0.0);
  CU_ASSERT_EQUAL (cm_drift_compensation_alpha (0.5, 0.25), 2.0);
  /* Each readout is clamped below at 1e-4, as aihwkit's readout(). */
  CU_ASSERT_EQUAL (cm_drift_compensation_alpha (0, 0), 1.0);
  CU_ASSERT_DOUBLE_EQUAL (cm_drift_compensation_alpha (1e-9, 0.5), 2e-4,
                          1e-18);
  CU_ASSERT_DOUBLE_EQUAL (cm_drift_compensation_alpha (0.5, 1e-9), 5e3,
                          1e-9);
}

int
main (void)
{
  CU_pSuite s;

  cm_pcm_model_init (&model, 25.0);
  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("pcm apply_noise", NULL, NULL);
  CU_add_test (s, "1, 2 and 7 threads alike", test_threads);
  CU_add_test (s, "any chunking alike", test_chunks);
  CU_add_test (s, "the stages, in place, float32", test_stages);
  CU_add_test (s, "read noise at t = 0 (t_0)", test_read_at_zero);

  s = CU_add_suite ("pcm model", NULL, NULL);
  CU_add_test (s, "explicit prog_coeff and its reference", test_prog_coeff);
  CU_add_test (s, "refused settings", test_model_check);
  CU_add_test (s, "global drift compensation", test_drift_compensation);
  return cm_test_run ();
}
