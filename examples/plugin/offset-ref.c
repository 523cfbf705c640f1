/* offset-ref.c - a condmap converter plugin: one device per weight, held as
 * an offset g = g_ref + s w from a reference device (plane g_ref). */
#include <stdlib.h>
#include <condmap-plugin.h>
typedef struct { double g_min, g_max, g_ref; } OffsetRef;

static const CondmapSettingDecl settings[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  { "ref_fraction", CONDMAP_SETTING_NUMBER, "", 0.5, NULL, 0.0, 1.0, 0, 0,
    CONDMAP_SETTING_MIN_EXCLUSIVE | CONDMAP_SETTING_MAX_EXCLUSIVE,
    "where the reference sits from g_min (0) to g_max (1)", NULL },
  CONDMAP_SETTINGS_END
};

enum { SCALE_RATIO };  /* the index of each param, as in param_names */
static const char *const param_names[] = { "scale_ratio", NULL };

static void *
create (const CondmapHost *host, CondmapContext *ctx)
{
  OffsetRef *st = malloc (sizeof *st);
  if (st == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  st->g_min = host->get_number (ctx, "g_min");
  st->g_max = host->get_number (ctx, "g_max");
  st->g_ref = st->g_min + host->get_number (ctx, "ref_fraction")
                          * (st->g_max - st->g_min);
  return st;
}

static void destroy (void *state) { free (state); }
static unsigned n_planes (const void *state) { return 2; }
static const char *plane_name (const void *state, unsigned k)
{ return k == 0 ? "g" : "g_ref"; }

static int
plan (const void *state, const CondmapStats *stats, double *params,
      CondmapContext *ctx)
{
  const OffsetRef *st = state;
  double up = st->g_max - st->g_ref, down = st->g_ref - st->g_min;
  params[SCALE_RATIO] = (up < down ? up : down)
                        / (stats->abs_max > 1e-7 ? stats->abs_max : 1e-7);
  return 1;
}

/* Rounding may step an ulp past g_max at w = max|W|: clamp. */
#define CLAMP(x, lo, hi) ((x) < (lo) ? (lo) : (x) > (hi) ? (hi) : (x))
#define KERNELS(T, SFX)                                                     \
  static void to_g_##SFX (const void *state, const double *params,          \
                          const T *w, size_t n, T *const *g)                \
  {                                                                         \
    const OffsetRef *st = state;                                            \
    const T s = (T) params[SCALE_RATIO], ref = (T) st->g_ref;               \
    for (size_t i = 0; i < n; i++)                                          \
      {                                                                     \
        g[0][i] = CLAMP (ref + s * w[i], (T) st->g_min, (T) st->g_max);     \
        g[1][i] = ref;                                                      \
      }                                                                     \
  }                                                                         \
  static void to_w_##SFX (const void *state, const double *params,          \
                          const T *const *g, size_t n, T *w)                \
  {                                                                         \
    for (size_t i = 0; i < n; i++)                                          \
      w[i] = (g[0][i] - g[1][i]) / (T) params[SCALE_RATIO];                 \
  }
KERNELS (float, f32)
KERNELS (double, f64)

static const CondmapConverterOps ops = CONDMAP_CONVERTER_OPS (n_planes,
  plane_name, param_names, plan, to_g_f32, to_g_f64, to_w_f32, to_w_f64);
CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "offset-ref",
                       "one device per weight, offset from a reference device",
                       "2.0", settings, create, destroy, &ops)
