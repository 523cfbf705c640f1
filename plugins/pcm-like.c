/* pcm-like.c - aihwkit's PCMLikeNoiseModel (src/aihwkit/inference/noise/
 * pcm.py), the PCM statistics fitted by Nandakumar et al. (ICECS 2019):
 *  - programming noise of a quadratic σ(g) in g / g_max, scaled by
 *    g_max / prog_coeff_g_max_reference (25 µS for aihwkit's fit);
 *  - a drift coefficient per device, nu = |N(mu(g), sigma(g))|, with mu
 *    and sigma linear in ln(g / g_max) and clamped, g = (g / t_0)^-nu
 *    after t_0;
 *  - 1/f read noise q_s(g_prog) sqrt(ln((t + t_read) / (2 t_read))) of
 *    the drifted conductance.
 * Every default is aihwkit's.  Written from the formulas; the numbers of
 * the fit are aihwkit's.  The core's tests compare these kernels with
 * aihwkit's own numbers (tests/data/aihwkit-pcm). */
#include <math.h>
#include <stdlib.h>
#include "condmap-plugin.h"
#include "device-math.h"

#define MAX_COEFF 8

/* generate_drift_coefficients(): g/g_max is clipped below at 1e-7 before
 * its log. */
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

static const double default_coeff[] = { 0.26348, 1.9650, -1.1731 };

typedef struct {
  double g_max_us;                 /* 0: the converter's */
  double coeff[MAX_COEFF];
  unsigned n_coeff;
  double reference_us;             /* 0: the g_max in use */
  double t_read_s;
  double t_0_s;
  double prog_noise_scale;
  double read_noise_scale;
  double drift_scale;
} PcmLike;

static const CondmapSettingDecl settings[] = {
  { "g_max", CONDMAP_SETTING_NUMBER, "µS", 0.0, NULL, 0.0, 1.0e300, 0, 0, 0,
    "g_max the noise is relative to; 0 (default): the converter's g_max, "
    "as aihwkit takes it from its converter", NULL },
  { "prog_coeff", CONDMAP_SETTING_NUMBER_LIST, "", 0.0, NULL, -1.0e300,
    1.0e300, 1, MAX_COEFF, 0,
    "programming σ polynomial c_0 + c_1 x + c_2 x^2 in x = g / g_max, µS at "
    "the reference g_max (absent: aihwkit's [0.26348, 1.9650, -1.1731])",
    NULL },
  { "prog_coeff_g_max_reference", CONDMAP_SETTING_NUMBER, "µS", 25.0, NULL,
    0.0, 1.0e300, 0, 0, CONDMAP_SETTING_MIN_EXCLUSIVE,
    "g_max the coefficients were fitted at: σ scales by g_max / this "
    "(with prog_coeff given and this absent: g_max itself)", NULL },
  { "t_read", CONDMAP_SETTING_NUMBER, "s", 250.0e-9, NULL, 0.0, 1.0e300, 0,
    0, CONDMAP_SETTING_MIN_EXCLUSIVE,
    "read duration of the 1/f noise fit", NULL },
  { "t_0", CONDMAP_SETTING_NUMBER, "s", 20.0, NULL, 0.0, 1.0e300, 0, 0,
    CONDMAP_SETTING_MIN_EXCLUSIVE,
    "time of the first reading after programming: drift starts here",
    NULL },
  { "prog_noise_scale", CONDMAP_SETTING_NUMBER, "", 1.0, NULL, 0.0, 1.0e300,
    0, 0, 0, "factor on the programming noise", NULL },
  { "read_noise_scale", CONDMAP_SETTING_NUMBER, "", 1.0, NULL, 0.0, 1.0e300,
    0, 0, 0, "factor on the read noise", NULL },
  { "drift_scale", CONDMAP_SETTING_NUMBER, "", 1.0, NULL, 0.0, 1.0e300, 0, 0,
    0, "factor on the drift coefficients", NULL },
  CONDMAP_SETTINGS_END
};

static void *
create (const CondmapHost *host, CondmapContext *ctx)
{
  PcmLike *s = calloc (1, sizeof *s);
  size_t n = 0;
  const double *c;

  if (s == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  s->g_max_us = host->get_number (ctx, "g_max");
  c = host->get_number_list (ctx, "prog_coeff", &n);
  if (c == NULL)
    {
      c = default_coeff;
      n = sizeof default_coeff / sizeof default_coeff[0];
    }
  for (size_t i = 0; i < n; i++)
    s->coeff[i] = c[i];
  s->n_coeff = (unsigned) n;
  /* aihwkit documents g_max as the reference of explicit coefficients. */
  s->reference_us = host->get_number (ctx, "prog_coeff_g_max_reference");
  if (host->has (ctx, "prog_coeff")
      && !host->has (ctx, "prog_coeff_g_max_reference"))
    s->reference_us = 0.0;
  s->t_read_s = host->get_number (ctx, "t_read");
  s->t_0_s = host->get_number (ctx, "t_0");
  s->prog_noise_scale = host->get_number (ctx, "prog_noise_scale");
  s->read_noise_scale = host->get_number (ctx, "read_noise_scale");
  s->drift_scale = host->get_number (ctx, "drift_scale");
  /* The 1/f noise takes the log of (t + t_read) / (2 t_read) at t >= t_0,
   * which must not be negative. */
  if (s->t_read_s > s->t_0_s)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "t_read", "t_read (%g s) must "
                   "not exceed t_0 (%g s): the read noise grows as "
                   "sqrt(ln((t + t_read) / (2 t_read))) from t = t_0 on",
                   s->t_read_s, s->t_0_s);
      free (s);
      return NULL;
    }
  return s;
}

static void
destroy (void *state)
{
  free (state);
}

static double
g_max_of (const PcmLike *s, const CondmapDeviceEnv *env)
{
  return s->g_max_us > 0 ? s->g_max_us : env->g_max_us;
}

/* Elements a kernel works on at a time, in arrays on the stack, so that
 * each loop below runs over whole arrays and vectorises. */
#define STRIP 64

/* The programming σ of g[0..n), n <= STRIP: |prog_noise_scale (c_0 +
 * x c_1 + x^2 c_2 ...) g_max / reference| with x = g / g_max, by Horner's
 * rule a coefficient at a time.  aihwkit multiplies the signed polynomial
 * by a symmetric normal. */
static inline void
prog_sigma (const PcmLike *s, double g_max, const double *g, size_t n,
            double *sigma)
{
  double reference = s->reference_us > 0 ? s->reference_us : g_max;
  double factor = s->prog_noise_scale * g_max / reference;
  double x[STRIP];

  for (size_t i = 0; i < n; i++)
    {
      x[i] = g[i] / g_max;
      sigma[i] = s->coeff[s->n_coeff - 1];
    }
  for (unsigned k = s->n_coeff - 1; k-- > 0;)
    for (size_t i = 0; i < n; i++)
      sigma[i] = sigma[i] * x[i] + s->coeff[k];
  for (size_t i = 0; i < n; i++)
    sigma[i] = fabs (factor * sigma[i]);
}

DEV_CLONES static void
program (const void *state, const CondmapDeviceEnv *env,
         const double *g_target, const double *z, size_t n, double *g_prog)
{
  const PcmLike *s = state;
  double g_max = g_max_of (s, env);
  double sigma[STRIP];

  for (size_t i0 = 0; i0 < n; i0 += STRIP)
    {
      size_t m = n - i0 < STRIP ? n - i0 : STRIP;

      prog_sigma (s, g_max, g_target + i0, m, sigma);
      for (size_t i = 0; i < m; i++)
        {
          double g = g_target[i0 + i] + sigma[i] * z[i0 + i];

          g_prog[i0 + i] = g > 0 ? g : 0.0;   /* no negative conductances */
        }
    }
}

static double
clamp (double x, double lo, double hi)
{
  return x < lo ? lo : x > hi ? hi : x;
}

DEV_CLONES static void
drift_coefficient (const void *state, const CondmapDeviceEnv *env,
                   const double *g_target, const double *z, size_t n,
                   double *nu)
{
  const PcmLike *s = state;
  double g_max = g_max_of (s, env);

  for (size_t i = 0; i < n; i++)
    {
      double rel = fabs (g_target[i] / g_max);
      double log_rel = dev_log (rel > NU_G_REL_MIN ? rel : NU_G_REL_MIN);
      double mu = clamp (NU_MU_SLOPE * log_rel + NU_MU_OFFSET, NU_MU_MIN,
                         NU_MU_MAX);
      double sigma = clamp (NU_SIGMA_SLOPE * log_rel + NU_SIGMA_OFFSET,
                            NU_SIGMA_MIN, NU_SIGMA_MAX);

      nu[i] = s->drift_scale * fabs (mu + sigma * z[i]);
    }
}

DEV_CLONES static void
read_at (const void *state, const CondmapDeviceEnv *env, const double *g_prog,
         const double *nu, const double *z, size_t n, double *g_t)
{
  const PcmLike *s = state;
  double g_max = g_max_of (s, env);
  double t = env->t_s + s->t_0_s;
  /* aihwkit drifts only after t_0; its read noise at t_0 is there.
   * (t / t_0)^-nu = exp(-nu ln(t / t_0)). */
  double log_ratio = t > s->t_0_s ? log (t / s->t_0_s) : 0.0;
  double time_factor = s->read_noise_scale
                       * sqrt (log ((t + s->t_read_s) / (2.0 * s->t_read_s)));

  for (size_t i = 0; i < n; i++)
    {
      double g = g_prog[i] * dev_exp (-nu[i] * log_ratio);
      /* The 1/f amplitude Q = min(c / max((|g_prog| / g_max)^e, d), q),
       * the power as exp(e ln x) (x = 0 gives about 1e-200, below d as
       * pow's 0 is). */
      double denom = dev_exp (READ_Q_EXPONENT
                              * dev_log (fabs (g_prog[i]) / g_max));
      double q = READ_Q_COEFF / (denom > READ_Q_DENOM_MIN ? denom
                                                           : READ_Q_DENOM_MIN);

      q = q < READ_Q_MAX ? q : READ_Q_MAX;
      g += fabs (g) * q * time_factor * z[i];
      g_t[i] = g > 0 ? g : 0.0;
    }
}

static const CondmapDeviceOps ops = CONDMAP_DEVICE_OPS (program,
                                                        drift_coefficient,
                                                        read_at);

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_DEVICE, "pcm-like",
                       "PCM programming noise, drift and 1/f read noise "
                       "(aihwkit's PCMLikeNoiseModel)", "1.0", settings,
                       create, destroy, &ops)
