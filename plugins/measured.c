/* measured.c - a device model from the bench: the programming σ of each
 * level, from a measured level table (column 1 the level's mean
 * conductance, column 2 its programming σ, both µS).  A target between
 * levels takes the σ of the nearest level (the lower one on a tie, as
 * level lists snap).  Normal read noise of a constant σ; no drift. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "condmap-plugin.h"

typedef struct {
  size_t n;
  double *mean_us;         /* ascending */
  double *sigma_us;
  double read_sigma_us;
} Measured;

static const CondmapSettingDecl settings[] = {
  { "table", CONDMAP_SETTING_STRING, "", 0.0, NULL, 0.0, 0.0, 0, 0,
    CONDMAP_SETTING_REQUIRED,
    "level table (CSV, relative to this file): mean µS, programming σ µS "
    "per line", NULL },
  { "read_sigma", CONDMAP_SETTING_NUMBER, "µS", 0.0, NULL, 0.0, 1.0e300, 0,
    0, 0, "σ of the noise of each read", NULL },
  CONDMAP_SETTINGS_END
};

static void
destroy (void *state)
{
  Measured *s = state;

  if (s == NULL)
    return;
  free (s->mean_us);
  free (s->sigma_us);
  free (s);
}

static void *
create (const CondmapHost *host, CondmapContext *ctx)
{
  const double *mean, *sigma;
  size_t n;
  Measured *s;

  if (!CONDMAP_HOST_HAS (host, get_level_table))
    {
      host->error (ctx, CONDMAP_ERROR_PLUGIN, NULL, "this condmap cannot "
                   "read level tables (plugin ABI 2.0): upgrade condmap");
      return NULL;
    }
  if (!host->get_level_table (ctx, "table", &mean, &sigma, &n))
    return NULL;
  if (sigma == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "table", "the level table has "
                   "one column; the measured model needs the programming σ "
                   "of each level in column 2 (mean µS, σ µS)");
      return NULL;
    }
  s = calloc (1, sizeof *s);
  if (s == NULL || (s->mean_us = malloc (n * sizeof (double))) == NULL
      || (s->sigma_us = malloc (n * sizeof (double))) == NULL)
    {
      destroy (s);
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  memcpy (s->mean_us, mean, n * sizeof (double));
  memcpy (s->sigma_us, sigma, n * sizeof (double));
  s->n = n;
  s->read_sigma_us = host->get_number (ctx, "read_sigma");
  return s;
}

/* The σ of the level nearest to @g, the lower one on a tie. */
static double
level_sigma (const Measured *s, double g)
{
  size_t lo = 0, hi = s->n - 1;

  if (!(g > s->mean_us[0]))
    return s->sigma_us[0];
  if (g >= s->mean_us[hi])
    return s->sigma_us[hi];
  while (hi - lo > 1)   /* mean[lo] < g < mean[hi] */
    {
      size_t mid = lo + (hi - lo) / 2;

      if (s->mean_us[mid] <= g)
        lo = mid;
      else
        hi = mid;
    }
  return g - s->mean_us[lo] <= s->mean_us[hi] - g ? s->sigma_us[lo]
                                                  : s->sigma_us[hi];
}

static void
program (const void *state, const CondmapDeviceEnv *env,
         const double *g_target, const double *z, size_t n, double *g_prog)
{
  const Measured *s = state;

  (void) env;
  for (size_t i = 0; i < n; i++)
    {
      double g = g_target[i] + level_sigma (s, g_target[i]) * z[i];

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
  const Measured *s = state;

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

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_DEVICE, "measured",
                       "programming σ per level from a measured level "
                       "table; no drift", "1.0", settings, create, destroy,
                       &ops)
