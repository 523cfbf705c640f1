/* fake-plugin.h - a minimal, valid converter that the deliberately broken
 * test plugins start from; each one then breaks one thing.
 *
 * The converter "fake": one plane "g" = g_min + offset (settings key
 * `offset`, default 0; NaN if `nan: true`), and back w = 0.  A plugin may define FAKE_CREATE to
 * replace create(). */
#ifndef FAKE_PLUGIN_H
#define FAKE_PLUGIN_H

#include <math.h>
#include "condmap-plugin.h"

typedef struct {
  double g_min;
  double offset;
} Fake;

static void *
fake_create (CondmapSettings *settings, GError **error)
{
  double g_min, g_max, zero = 0.0;
  gboolean nan, no = FALSE;
  Fake *fake;

  if (!condmap_settings_get_bounds (settings, 0.0, 25.0, &g_min, &g_max, error))
    return NULL;
  fake = g_new0 (Fake, 1);
  fake->g_min = g_min;
  if (!condmap_settings_get_double (settings, "offset", &zero, &fake->offset,
                                    error)
      || !condmap_settings_get_boolean (settings, "nan", &no, &nan, error))
    {
      g_free (fake);
      return NULL;
    }
  if (nan)
    fake->offset = NAN;
  return fake;
}

static void fake_destroy (void *state) { g_free (state); }
static unsigned fake_n_planes (const void *state) { return 1; }
static const char *fake_plane_name (const void *state, unsigned k) { return "g"; }
static const char *const fake_param_names[] = { "scale_ratio", NULL };

static gboolean
fake_plan (const void *state, const CondmapStats *stats, CondmapParams *params,
           GError **error)
{
  condmap_params_set (params, "scale_ratio", 1.0);
  return TRUE;
}

#define FAKE_KERNELS(T, S)                                                  \
static void                                                                 \
fake_to_g_##S (const void *state, const CondmapParams *params,              \
               const T *w, size_t n, T *const *g)                           \
{                                                                           \
  const Fake *fake = state;                                                 \
  for (size_t i = 0; i < n; i++)                                            \
    g[0][i] = (T) (fake->g_min + fake->offset);                             \
}                                                                           \
static void                                                                 \
fake_to_w_##S (const void *state, const CondmapParams *params,              \
               const T *const *g, size_t n, T *w)                           \
{                                                                           \
  for (size_t i = 0; i < n; i++)                                            \
    w[i] = 0;                                                               \
}
FAKE_KERNELS (float, f32)
FAKE_KERNELS (double, f64)

#define FAKE_DESC_INIT(NAME)                                                \
  CONDMAP_ABI_MAJOR, CONDMAP_ABI_MINOR, sizeof (CondmapPluginDesc),          \
  NAME, "test plugin", "0", fake_create, fake_destroy, fake_n_planes,       \
  fake_plane_name, fake_param_names, fake_plan, fake_to_g_f32,              \
  fake_to_g_f64, fake_to_w_f32, fake_to_w_f64

#endif
