/* fake-plugin.h - a minimal, valid ABI 2 converter that the deliberately
 * broken test plugins start from; each one then breaks one thing.  Like
 * any plugin it includes only condmap-plugin.h (no GLib) and links
 * nothing.
 *
 * The converter "fake": one plane "g" = g_min + offset (settings: `offset`,
 * default 0; NaN if `nan: true`), and back w = 0.  Its settings are
 * FAKE_SETTINGS; a plugin that reads more declares its own table starting
 * with them. */
#ifndef FAKE_PLUGIN_H
#define FAKE_PLUGIN_H

#include <math.h>
#include <stdlib.h>
#include "condmap-plugin.h"

/* Not every test plugin uses every piece. */
#define FAKE_UNUSED __attribute__ ((unused))

typedef struct {
  double g_min;
  double offset;
} Fake;

#define FAKE_SETTINGS                                                       \
  CONDMAP_SETTING_G_MIN (0.0),                                              \
  CONDMAP_SETTING_G_MAX (25.0),                                             \
  { "offset", CONDMAP_SETTING_NUMBER, "µS", 0.0, NULL, -HUGE_VAL, HUGE_VAL, \
    0, 0, 0, "plane g is g_min + offset, bounds or not", NULL },            \
  { "nan", CONDMAP_SETTING_BOOLEAN, "", 0.0, NULL, 0.0, 1.0, 0, 0, 0,       \
    "write NaN to plane g", NULL }

static const CondmapSettingDecl fake_settings[] FAKE_UNUSED = {
  FAKE_SETTINGS,
  CONDMAP_SETTINGS_END
};

static FAKE_UNUSED void *
fake_create (const CondmapHost *host, CondmapContext *ctx)
{
  Fake *fake = malloc (sizeof *fake);

  if (fake == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  fake->g_min = host->get_number (ctx, "g_min");
  fake->offset = host->get_boolean (ctx, "nan") ? NAN
                                                : host->get_number (ctx, "offset");
  return fake;
}

static void fake_destroy (void *state) { free (state); }

static unsigned
fake_n_planes (const void *state)
{
  (void) state;
  return 1;
}

static const char *
fake_plane_name (const void *state, unsigned k)
{
  (void) state;
  (void) k;
  return "g";
}

static const char *const fake_param_names[] = { "scale_ratio", NULL };

static int
fake_plan (const void *state, const CondmapStats *stats, double *params,
           CondmapContext *ctx)
{
  (void) state;
  (void) stats;
  (void) ctx;
  params[0] = 1.0;
  return 1;
}

#define FAKE_KERNELS(T, S)                                                  \
static void                                                                 \
fake_to_g_##S (const void *state, const double *params,                     \
               const T *w, size_t n, T *const *g)                           \
{                                                                           \
  const Fake *fake = (const Fake *) state;                                  \
  (void) params;                                                            \
  (void) w;                                                                 \
  for (size_t i = 0; i < n; i++)                                            \
    g[0][i] = (T) (fake->g_min + fake->offset);                             \
}                                                                           \
static void                                                                 \
fake_to_w_##S (const void *state, const double *params,                     \
               const T *const *g, size_t n, T *w)                           \
{                                                                           \
  (void) state;                                                             \
  (void) params;                                                            \
  (void) g;                                                                 \
  for (size_t i = 0; i < n; i++)                                            \
    w[i] = 0;                                                               \
}
FAKE_KERNELS (float, f32)
FAKE_KERNELS (double, f64)

#define FAKE_OPS_INIT                                                       \
  CONDMAP_CONVERTER_OPS (fake_n_planes, fake_plane_name, fake_param_names,  \
                         fake_plan, fake_to_g_f32, fake_to_g_f64,           \
                         fake_to_w_f32, fake_to_w_f64)

static const CondmapConverterOps fake_ops FAKE_UNUSED = FAKE_OPS_INIT;

/* The members of a valid descriptor, for a plugin that breaks one of them
 * in its entry point (CONDMAP_PLUGIN_DEFINE makes a const one). */
#define FAKE_DESC_INIT(NAME)                                                \
  CONDMAP_ABI_MAJOR, (uint32_t) sizeof (CondmapPluginDesc),                 \
  CONDMAP_PLUGIN_KIND_CONVERTER, (uint32_t) sizeof (CondmapSettingDecl),    \
  NAME, "test plugin", "0", fake_settings, fake_create, fake_destroy,       \
  &fake_ops, NULL

#endif
