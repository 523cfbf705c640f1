/* levels.c - conductance level sets: the values a device can take, and
 * snapping a plane to them.
 *
 * Two rules, one per kind of set.  Uniform levels (`levels: 16`) round as
 * CrossSim's cell_bits and MemTorch's finite states do,
 * g_min + rint((g - g_min) / step) step, so that a value halfway between
 * two levels goes to the one of even index.  An explicit list or a
 * measured table takes the nearest level and, halfway, the lower one. */
#include <math.h>
#include "devices-private.h"

static CmLevels *
levels_alloc (CmLevelsKind kind, size_t n, double g_min_us, double g_max_us)
{
  CmLevels *levels = g_new0 (CmLevels, 1);

  levels->kind = kind;
  levels->n = n;
  levels->g_min_us = g_min_us;
  levels->g_max_us = g_max_us;
  levels->mean_us = g_new (double, n);
  levels->mean_f32 = g_new (float, n);
  return levels;
}

void
cm_levels_free (CmLevels *levels)
{
  if (levels == NULL)
    return;
  g_free (levels->mean_us);
  g_free (levels->mean_f32);
  g_free (levels->sigma_us);
  g_free (levels);
}

static gboolean
check_count (size_t n, const char *origin, GError **error)
{
  if (n >= 2 && n <= CM_LEVELS_MAX)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
               "%s: %zu level%s: a level set needs %s", origin, n,
               n == 1 ? "" : "s",
               n < 2 ? "at least 2 levels, the lowest and the highest "
                       "conductance a device takes"
                     : "at most " G_STRINGIFY (CM_LEVELS_MAX) " levels");
  return FALSE;
}

CmLevels *
cm_levels_new_uniform (size_t n, double g_min_us, double g_max_us,
                       const char *origin, GError **error)
{
  CmLevels *levels;

  if (!check_count (n, origin, error))
    return NULL;
  if (!(isfinite (g_min_us) && isfinite (g_max_us) && g_min_us < g_max_us))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s: levels need finite bounds with g_min < g_max, got "
                   "[%g, %g] µS", origin, g_min_us, g_max_us);
      return NULL;
    }
  levels = levels_alloc (CM_LEVELS_UNIFORM, n, g_min_us, g_max_us);
  levels->step_us = (g_max_us - g_min_us) / (double) (n - 1);
  levels->g_min_f32 = (float) g_min_us;
  levels->step_f32 = ((float) g_max_us - (float) g_min_us) / (float) (n - 1);
  /* The levels are exactly what snapping gives for index k. */
  for (size_t k = 0; k < n; k++)
    {
      levels->mean_us[k] = g_min_us + (double) k * levels->step_us;
      levels->mean_f32[k] = levels->g_min_f32 + (float) k * levels->step_f32;
    }
  return levels;
}

/* "ORIGIN:LINE: " or "ORIGIN: level I: " for level i.  Free with
 * g_free(). */
static char *
where (const char *origin, const unsigned *lines, size_t i)
{
  if (lines != NULL)
    return g_strdup_printf ("%s:%u: ", origin, lines[i]);
  return g_strdup_printf ("%s: level %zu: ", origin, i + 1);
}

/* "line 4" or "level 3", naming the level before in a message. */
static char *
name_of (const unsigned *lines, size_t i)
{
  if (lines != NULL)
    return g_strdup_printf ("line %u", lines[i]);
  return g_strdup_printf ("level %zu", i + 1);
}

/* @v with the fewest digits (15 to 17) that read back as @v, so that two
 * close levels in a message look different.  Returns @buf. */
static char *
format_level (char buf[G_ASCII_DTOSTR_BUF_SIZE], double v)
{
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return buf;
}

static gboolean
check_level (const double *mean_us, const double *sigma_us, size_t i,
             double g_min_us, double g_max_us, const char *origin,
             const unsigned *lines, GError **error)
{
  g_autofree char *at = where (origin, lines, i);
  g_autofree char *before = i > 0 ? name_of (lines, i - 1) : NULL;
  char m_text[G_ASCII_DTOSTR_BUF_SIZE], prev_text[G_ASCII_DTOSTR_BUF_SIZE];
  double m = mean_us[i];

  if (!isfinite (m))
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                 "%sthe level %g µS is not a finite number", at, m);
  else if (m < g_min_us || m > g_max_us)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                 "%sthe level %s µS lies outside [g_min, g_max] = "
                 "[%g, %g] µS; remove it or widen the bounds", at,
                 format_level (m_text, m), g_min_us, g_max_us);
  else if (i > 0 && m == mean_us[i - 1])
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                 "%sthe level %s µS repeats %s; list each level once",
                 at, format_level (m_text, m), before);
  else if (i > 0 && m < mean_us[i - 1])
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                 "%sthe level %s µS is below the one before it (%s µS, "
                 "%s); list the levels in ascending order", at,
                 format_level (m_text, m),
                 format_level (prev_text, mean_us[i - 1]), before);
  else if (sigma_us != NULL && !isfinite (sigma_us[i]))
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                 "%sthe programming σ %g µS is not a finite number", at,
                 sigma_us[i]);
  else if (sigma_us != NULL && sigma_us[i] < 0)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                 "%sthe programming σ %g µS is negative; a σ is >= 0", at,
                 sigma_us[i]);
  else
    return TRUE;
  return FALSE;
}

CmLevels *
cm_levels_new_list (const double *mean_us, const double *sigma_us, size_t n,
                    double g_min_us, double g_max_us, const char *origin,
                    const unsigned *lines, GError **error)
{
  CmLevels *levels;

  if (!check_count (n, origin, error))
    return NULL;
  if (!(isfinite (g_min_us) && isfinite (g_max_us) && g_min_us < g_max_us))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s: levels need finite bounds with g_min < g_max, got "
                   "[%g, %g] µS", origin, g_min_us, g_max_us);
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    if (!check_level (mean_us, sigma_us, i, g_min_us, g_max_us, origin,
                      lines, error))
      return NULL;
  levels = levels_alloc (CM_LEVELS_LIST, n, g_min_us, g_max_us);
  for (size_t i = 0; i < n; i++)
    {
      levels->mean_us[i] = mean_us[i];
      levels->mean_f32[i] = (float) mean_us[i];
    }
  if (sigma_us != NULL)
    levels->sigma_us = g_memdup2 (sigma_us, n * sizeof (double));
  return levels;
}

/* ---- snapping -------------------------------------------------------------- */

/* The index of the first level above @g (n if none), by bisection. */
static size_t
upper_bound (const double *mean, size_t n, double g)
{
  size_t lo = 0, hi = n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;

      if (mean[mid] > g)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* Nearest of sorted levels, the lower on a tie. */
static size_t
nearest_in_list (const double *mean, size_t n, double g)
{
  size_t hi = upper_bound (mean, n, g);

  if (hi == 0)
    return 0;
  if (hi == n)
    return n - 1;
  return g - mean[hi - 1] <= mean[hi] - g ? hi - 1 : hi;
}

/* rint((g - g_min) / step) kept within [0, n - 1]; NaN stays NaN. */
static inline double
uniform_index (double g, double g_min, double step, size_t n)
{
  double k = rint ((g - g_min) / step);

  return k < 0 ? 0.0 : k > (double) (n - 1) ? (double) (n - 1) : k;
}

size_t
cm_levels_nearest (const CmLevels *levels, double g_us)
{
  g_return_val_if_fail (!isnan (g_us), 0);
  if (levels->kind == CM_LEVELS_UNIFORM)
    return (size_t) uniform_index (g_us, levels->g_min_us, levels->step_us,
                                   levels->n);
  return nearest_in_list (levels->mean_us, levels->n, g_us);
}

void
cm_levels_snap_f32 (const CmLevels *levels, const float *in, size_t n,
                    float *out)
{
  if (levels->kind == CM_LEVELS_UNIFORM)
    {
      const float g_min = levels->g_min_f32, step = levels->step_f32;

      for (size_t i = 0; i < n; i++)
        {
          /* rintf: float arithmetic throughout, as a float32 plane's
           * reference computes it. */
          float k = rintf ((in[i] - g_min) / step);

          k = k < 0 ? 0.0f : k > (float) (levels->n - 1)
              ? (float) (levels->n - 1) : k;
          out[i] = g_min + k * step;
        }
      return;
    }
  for (size_t i = 0; i < n; i++)
    out[i] = isnan (in[i]) ? in[i]
             : levels->mean_f32[nearest_in_list (levels->mean_us, levels->n,
                                                 in[i])];
}

void
cm_levels_snap_f64 (const CmLevels *levels, const double *in, size_t n,
                    double *out)
{
  if (levels->kind == CM_LEVELS_UNIFORM)
    {
      const double g_min = levels->g_min_us, step = levels->step_us;

      for (size_t i = 0; i < n; i++)
        out[i] = g_min + uniform_index (in[i], g_min, step, levels->n) * step;
      return;
    }
  for (size_t i = 0; i < n; i++)
    out[i] = isnan (in[i]) ? in[i]
             : levels->mean_us[nearest_in_list (levels->mean_us, levels->n,
                                                in[i])];
}
