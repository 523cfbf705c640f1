/* pcm-noise.c - the mathematics of aihwkit's PCMLikeNoiseModel
 * (src/aihwkit/inference/noise/pcm.py), fitted on PCM devices by
 * Nandakumar et al. (ICECS 2019), and the sequence of its
 * BaseNoiseModel.apply_noise (noise/base.py) on one conductance list.
 * Written from the formulas; the numbers of the fit are aihwkit's. */
#include <math.h>
#include "devices-private.h"

/* generate_drift_coefficients(): g/g_max is clipped below at 1e-7 before
 * its log; mu and sigma of nu are linear in ln(g/g_max), clamped. */
#define NU_G_REL_MIN 1e-7
#define NU_MU_SLOPE -0.0155
#define NU_MU_OFFSET 0.0244
#define NU_MU_MIN 0.049
#define NU_MU_MAX 0.1
#define NU_SIGMA_SLOPE -0.0125
#define NU_SIGMA_OFFSET -0.0059
#define NU_SIGMA_MIN 0.008
#define NU_SIGMA_MAX 0.045

/* apply_drift_noise_to_conductance(): the 1/f noise amplitude
 * q_s = min(0.2, 0.0088 / max(1e-3, (|g_prog| / g_max)^0.65)). */
#define READ_Q_COEFF 0.0088
#define READ_Q_EXPONENT 0.65
#define READ_Q_DENOM_MIN 1e-3
#define READ_Q_MAX 0.2

/* Elements per step of cm_pcm_apply_noise: three draws of normals and
 * two planes of doubles stay in L1. */
#define BLOCK 256

void
cm_pcm_model_init (CmPcmModel *model, double g_max_us)
{
  static const double coeff[] = CM_PCM_DEFAULT_PROG_COEFF;

  *model = (CmPcmModel) {
    .g_max_us = g_max_us,
    .n_prog_coeff = CM_PCM_DEFAULT_N_PROG_COEFF,
    .prog_coeff_g_max_reference_us = CM_PCM_DEFAULT_PROG_COEFF_G_MAX_REFERENCE_US,
    .t_read_s = CM_PCM_DEFAULT_T_READ_S,
    .t_0_s = CM_PCM_DEFAULT_T_0_S,
    .prog_noise_scale = CM_PCM_DEFAULT_PROG_NOISE_SCALE,
    .read_noise_scale = CM_PCM_DEFAULT_READ_NOISE_SCALE,
    .drift_scale = CM_PCM_DEFAULT_DRIFT_SCALE,
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (coeff) == CM_PCM_DEFAULT_N_PROG_COEFF);
  for (unsigned i = 0; i < CM_PCM_DEFAULT_N_PROG_COEFF; i++)
    model->prog_coeff[i] = coeff[i];
}

void
cm_pcm_model_set_prog_coeff (CmPcmModel *model, const double *coeff,
                             unsigned n, const double *reference_us)
{
  g_return_if_fail (n >= 1 && n <= CM_PCM_MAX_PROG_COEFF);
  /* aihwkit documents the converter's g_max as the reference of explicit
   * coefficients (its code leaves the attribute unset when a reference is
   * given with them; the intent is clear). */
  model->n_prog_coeff = n;
  for (unsigned i = 0; i < n; i++)
    model->prog_coeff[i] = coeff[i];
  model->prog_coeff_g_max_reference_us =
    reference_us != NULL ? *reference_us : model->g_max_us;
}

static gboolean
check_value (const char *key, double v, gboolean zero_ok, GError **error)
{
  if (isfinite (v) && (v > 0 || (zero_ok && v == 0)))
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
               "'%s' must be a finite number %s, got %g", key,
               zero_ok ? ">= 0" : "> 0", v);
  return FALSE;
}

gboolean
cm_pcm_model_check (const CmPcmModel *model, GError **error)
{
  if (model->n_prog_coeff < 1 || model->n_prog_coeff > CM_PCM_MAX_PROG_COEFF)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "'prog_coeff' must hold 1 to %d coefficients, got %u",
                   CM_PCM_MAX_PROG_COEFF, model->n_prog_coeff);
      return FALSE;
    }
  for (unsigned i = 0; i < model->n_prog_coeff; i++)
    if (!isfinite (model->prog_coeff[i]))
      {
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                     "'prog_coeff'[%u] must be a finite number, got %g", i,
                     model->prog_coeff[i]);
        return FALSE;
      }
  if (!check_value ("g_max", model->g_max_us, FALSE, error)
      || !check_value ("prog_coeff_g_max_reference",
                       model->prog_coeff_g_max_reference_us, FALSE, error)
      || !check_value ("t_read", model->t_read_s, FALSE, error)
      || !check_value ("t_0", model->t_0_s, FALSE, error)
      || !check_value ("prog_noise_scale", model->prog_noise_scale, TRUE,
                       error)
      || !check_value ("read_noise_scale", model->read_noise_scale, TRUE,
                       error)
      || !check_value ("drift_scale", model->drift_scale, TRUE, error))
    return FALSE;
  /* The 1/f noise takes the log of (t + t_read) / (2 t_read) at t >= t_0,
   * which must not be negative. */
  if (model->t_read_s > model->t_0_s)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "'t_read' (%g s) must not exceed 't_0' (%g s): the read "
                   "noise grows as sqrt(ln((t + t_read) / (2 t_read))) from "
                   "t = t_0 on", model->t_read_s, model->t_0_s);
      return FALSE;
    }
  return TRUE;
}

/* ---- the three phenomena ------------------------------------------------ */

double
cm_pcm_prog_sigma (const CmPcmModel *model, double g_target_us)
{
  double x = g_target_us / model->g_max_us;
  double power = 1.0, sigma = model->prog_coeff[0];

  /* aihwkit's order: c_0 + (x c_1) + (x^2 c_2) + ... */
  for (unsigned i = 1; i < model->n_prog_coeff; i++)
    {
      power *= x;
      sigma += power * model->prog_coeff[i];
    }
  sigma *= model->g_max_us / model->prog_coeff_g_max_reference_us;
  return fabs (model->prog_noise_scale * sigma);
}

void
cm_pcm_drift_normal (const CmPcmModel *model, double g_target_us,
                     double *mu, double *sigma)
{
  double rel = fabs (g_target_us / model->g_max_us);
  double log_rel = log (MAX (rel, NU_G_REL_MIN));

  *mu = CLAMP (NU_MU_SLOPE * log_rel + NU_MU_OFFSET, NU_MU_MIN, NU_MU_MAX);
  *sigma = CLAMP (NU_SIGMA_SLOPE * log_rel + NU_SIGMA_OFFSET, NU_SIGMA_MIN,
                  NU_SIGMA_MAX);
}

/* The time factor sqrt(ln((t + t_read) / (2 t_read))) at absolute time
 * t = t_s + t_0, with the read noise scale. */
static double
read_time_factor (const CmPcmModel *model, double t_s)
{
  double t = t_s + model->t_0_s;

  return model->read_noise_scale
         * sqrt (log ((t + model->t_read_s) / (2.0 * model->t_read_s)));
}

static double
read_q (const CmPcmModel *model, double g_prog_us)
{
  double denom = pow (fabs (g_prog_us) / model->g_max_us, READ_Q_EXPONENT);

  return MIN (READ_Q_COEFF / MAX (denom, READ_Q_DENOM_MIN), READ_Q_MAX);
}

double
cm_pcm_read_sigma (const CmPcmModel *model, double g_prog_us, double t_s)
{
  return read_q (model, g_prog_us) * read_time_factor (model, t_s);
}

void
cm_pcm_program (const CmPcmModel *model, const double *g_target,
                const double *z, size_t n, double *g_prog)
{
  for (size_t i = 0; i < n; i++)
    {
      double g = g_target[i] + cm_pcm_prog_sigma (model, g_target[i]) * z[i];

      g_prog[i] = g > 0 ? g : 0.0;   /* no negative conductances */
    }
}

void
cm_pcm_drift_nu (const CmPcmModel *model, const double *g_target,
                 const double *z, size_t n, double *nu)
{
  for (size_t i = 0; i < n; i++)
    {
      double mu, sigma;

      cm_pcm_drift_normal (model, g_target[i], &mu, &sigma);
      nu[i] = model->drift_scale * fabs (mu + sigma * z[i]);
    }
}

void
cm_pcm_drift_read (const CmPcmModel *model, double t_s,
                   const double *g_prog, const double *nu, const double *z,
                   size_t n, double *g_t)
{
  double t = t_s + model->t_0_s;
  double ratio = t / model->t_0_s;
  double time_factor = read_time_factor (model, t_s);

  for (size_t i = 0; i < n; i++)
    {
      /* aihwkit drifts only after t_0; its read noise at t_0 is there. */
      double g = t > model->t_0_s ? g_prog[i] * pow (ratio, -nu[i])
                                  : g_prog[i];

      g += fabs (g) * read_q (model, g_prog[i]) * time_factor * z[i];
      g_t[i] = g > 0 ? g : 0.0;
    }
}

/* ---- apply_noise ----------------------------------------------------------- */

typedef struct {
  double target[BLOCK];
  double prog[BLOCK];
  double nu[BLOCK];
  double z[BLOCK];
} Scratch;

/* One plane, one block of nb <= BLOCK elements starting at element
 * @first of the stream: leaves the programmed values in s->prog and the
 * values at t in s->target. */
static void
noise_block (const CmPcmModel *model, const CmPhiloxKey *plane_key,
             double t_s, guint64 first, size_t nb, Scratch *s)
{
  CmPhiloxKey key = *plane_key;

  key.draw = CM_PCM_DRAW_PROG;
  cm_philox_normals (&key, first, nb, s->z);
  cm_pcm_program (model, s->target, s->z, nb, s->prog);
  key.draw = CM_PCM_DRAW_NU;
  cm_philox_normals (&key, first, nb, s->z);
  cm_pcm_drift_nu (model, s->target, s->z, nb, s->nu);
  key.draw = CM_PCM_DRAW_READ;
  cm_philox_normals (&key, first, nb, s->z);
  cm_pcm_drift_read (model, t_s, s->prog, s->nu, s->z, nb, s->target);
}

#define DEFINE_APPLY_NOISE(T, SFX)                                           \
  void                                                                       \
  cm_pcm_apply_noise_##SFX (const CmPcmModel *model, guint64 seed,           \
                            guint32 tensor, double t_s, unsigned n_planes,   \
                            const T *const *g_target, guint64 begin,         \
                            size_t n, T *const *g_prog, T *const *g_t)       \
  {                                                                          \
    g_autofree Scratch *s = g_new (Scratch, 1);                              \
                                                                             \
    g_return_if_fail (t_s >= 0);                                             \
    for (unsigned k = 0; k < n_planes; k++)                                  \
      {                                                                      \
        CmPhiloxKey key = { seed, tensor, k, 0 };                            \
                                                                             \
        for (size_t i0 = 0; i0 < n; i0 += BLOCK)                             \
          {                                                                  \
            size_t nb = MIN (BLOCK, n - i0);                                 \
                                                                             \
            for (size_t i = 0; i < nb; i++)                                  \
              s->target[i] = g_target[k][i0 + i];                            \
            noise_block (model, &key, t_s, begin + i0, nb, s);               \
            for (size_t i = 0; i < nb; i++)                                  \
              {                                                              \
                if (g_prog != NULL)                                          \
                  g_prog[k][i0 + i] = (T) s->prog[i];                        \
                g_t[k][i0 + i] = (T) s->target[i];                           \
              }                                                              \
          }                                                                  \
      }                                                                      \
  }

DEFINE_APPLY_NOISE (float, f32)
DEFINE_APPLY_NOISE (double, f64)
