/* gaussian.c - the simplest device model: each device misses its target
 * by a normal error whose σ is a constant in µS plus a part proportional
 * to the target, and each read adds a normal error of its own.  No drift.
 * A conductance is never negative. */
#include <math.h>
#include <stdlib.h>
#include "condmap-plugin.h"

typedef struct {
  double sigma_us;        /* constant part of the programming σ */
  double sigma_rel;       /* part proportional to |g_target| */
  double read_sigma_us;   /* σ of each read */
} Gaussian;

static const CondmapSettingDecl settings[] = {
  { "sigma", CONDMAP_SETTING_NUMBER, "µS", 0.5, NULL, 0.0, 1.0e300, 0, 0, 0,
    "constant part of the programming σ", NULL },
  { "sigma_relative", CONDMAP_SETTING_NUMBER, "", 0.0, NULL, 0.0, 1.0e300,
    0, 0, 0,
    "part of the programming σ proportional to the target: σ = sigma + "
    "sigma_relative |g|", NULL },
  { "read_sigma", CONDMAP_SETTING_NUMBER, "µS", 0.0, NULL, 0.0, 1.0e300, 0,
    0, 0, "σ of the noise of each read", NULL },
  CONDMAP_SETTINGS_END
};

static void *
create (const CondmapHost *host, CondmapContext *ctx)
{
  Gaussian *s = calloc (1, sizeof *s);

  if (s == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  s->sigma_us = host->get_number (ctx, "sigma");
  s->sigma_rel = host->get_number (ctx, "sigma_relative");
  s->read_sigma_us = host->get_number (ctx, "read_sigma");
  return s;
}

static void
destroy (void *state)
{
  free (state);
}

static void
program (const void *state, const CondmapDeviceEnv *env,
         const double *g_target, const double *z, size_t n, double *g_prog)
{
  const Gaussian *s = state;

  (void) env;
  for (size_t i = 0; i < n; i++)
    {
      double sigma = s->sigma_us + s->sigma_rel * fabs (g_target[i]);
      double g = g_target[i] + sigma * z[i];

      g_prog[i] = g > 0 ? g : 0.0;
    }
}

static void
drift_coefficient (const void *state, const CondmapDeviceEnv *env,
                   const double *g_target, const double *z, size_t n,
                   double *nu)
{
  (void) state, (void) env, (void) g_target, (void) z;
  for (size_t i = 0; i < n; i++)
    nu[i] = 0.0;
}

static void
read_at (const void *state, const CondmapDeviceEnv *env, const double *g_prog,
      const double *nu, const double *z, size_t n, double *g_t)
{
  const Gaussian *s = state;

  (void) env, (void) nu;
  for (size_t i = 0; i < n; i++)
    {
      double g = g_prog[i] + s->read_sigma_us * z[i];

      g_t[i] = g > 0 ? g : 0.0;
    }
}

static const CondmapDeviceOps ops = CONDMAP_DEVICE_OPS (program,
                                                        drift_coefficient,
                                                        read_at);

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_DEVICE, "gaussian",
                       "normal programming and read noise, σ constant or "
                       "proportional to g; no drift", "1.0", settings,
                       create, destroy, &ops)
