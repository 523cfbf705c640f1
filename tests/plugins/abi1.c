/* An ABI 1 plugin, as condmap 0.1.0 built them: its CondmapPluginDesc
 * (ABI 1.0, abi_major = 1 and abi_minor = 0 first, then struct_size,
 * name, ...), declared here member for member so that the plugin needs
 * neither the old header nor GLib.  The host must refuse it with a
 * message naming ABI 1.0, its own ABI and "rebuild".
 *
 * Built with -DABI1_LINKED it also calls the settings and params
 * accessors that 0.1.0 plugins called in libcondmap, left undefined as in
 * every 0.1.0 plugin: the host must still get as far as the descriptor.
 * abi1-needed is that one linked against a libcondmap.so.0 (old/) that
 * the test does not let the dynamic linker find. */
#include <stddef.h>
#include <stdint.h>

/* The ABI 1.0 descriptor of condmap 0.1.0's condmap-plugin.h, with its
 * opaque types (CondmapSettings, CondmapParams, GError) as void and
 * gboolean as int: the same layout. */
typedef struct {
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t struct_size;
  const char *name;
  const char *description;
  const char *version;
  void *(*create) (void *settings, void **error);
  void (*destroy) (void *state);
  unsigned (*get_n_planes) (const void *state);
  const char *(*get_plane_name) (const void *state, unsigned k);
  const char *const *param_names;
  int (*plan) (const void *state, const void *stats, void *params,
               void **error);
  void (*to_conductances_f32) (const void *state, const void *params,
                               const float *w, size_t n, float *const *g);
  void (*to_conductances_f64) (const void *state, const void *params,
                               const double *w, size_t n, double *const *g);
  void (*to_weights_f32) (const void *state, const void *params,
                          const float *const *g, size_t n, float *w);
  void (*to_weights_f64) (const void *state, const void *params,
                          const double *const *g, size_t n, double *w);
} Abi1PluginDesc;

#ifdef ABI1_LINKED
# ifndef ABI1_NAME
#  define ABI1_NAME "abi1-linked"
# endif
int condmap_settings_get_bounds (void *settings, double default_g_min,
                                 double default_g_max, double *g_min,
                                 double *g_max, void **error);
void condmap_params_set (void *params, const char *name, double value);
double condmap_params_get (const void *params, const char *name);
#else
# define ABI1_NAME "abi1"
#endif

static double abi1_g_min;

static void *
abi1_create (void *settings, void **error)
{
#ifdef ABI1_LINKED
  double g_max;

  if (!condmap_settings_get_bounds (settings, 0.0, 25.0, &abi1_g_min, &g_max,
                                    error))
    return NULL;
#else
  (void) settings;
  (void) error;
#endif
  return &abi1_g_min;
}

static void abi1_destroy (void *state) { (void) state; }
static unsigned abi1_n_planes (const void *state) { (void) state; return 1; }

static const char *
abi1_plane_name (const void *state, unsigned k)
{
  (void) state;
  (void) k;
  return "g";
}

static const char *const abi1_param_names[] = { "scale_ratio", NULL };

static int
abi1_plan (const void *state, const void *stats, void *params, void **error)
{
  (void) state;
  (void) stats;
  (void) error;
#ifdef ABI1_LINKED
  condmap_params_set (params, "scale_ratio", 1.0);
#else
  (void) params;
#endif
  return 1;
}

static double
abi1_scale (const void *params)
{
#ifdef ABI1_LINKED
  return condmap_params_get (params, "scale_ratio");
#else
  (void) params;
  return 1.0;
#endif
}

#define ABI1_KERNELS(T, S)                                                  \
static void                                                                 \
abi1_to_g_##S (const void *state, const void *params, const T *w,          \
               size_t n, T *const *g)                                       \
{                                                                           \
  const double s = abi1_scale (params);                                     \
  (void) state;                                                             \
  for (size_t i = 0; i < n; i++)                                            \
    g[0][i] = (T) (abi1_g_min + s * w[i]);                                  \
}                                                                           \
static void                                                                 \
abi1_to_w_##S (const void *state, const void *params, const T *const *g,   \
               size_t n, T *w)                                              \
{                                                                           \
  const double s = abi1_scale (params);                                     \
  (void) state;                                                             \
  for (size_t i = 0; i < n; i++)                                            \
    w[i] = (T) ((g[0][i] - abi1_g_min) / s);                                \
}
ABI1_KERNELS (float, f32)
ABI1_KERNELS (double, f64)

static const Abi1PluginDesc abi1_desc = {
  1, 0, sizeof (Abi1PluginDesc), ABI1_NAME, "an ABI 1.0 plugin (condmap 0.1.0)",
  "0.1.0", abi1_create, abi1_destroy, abi1_n_planes, abi1_plane_name,
  abi1_param_names, abi1_plan, abi1_to_g_f32, abi1_to_g_f64, abi1_to_w_f32,
  abi1_to_w_f64
};

/* 0.1.0's CONDMAP_PLUGIN_EXPORT and entry point. */
const Abi1PluginDesc *condmap_plugin_get_desc (void);

__attribute__ ((visibility ("default"))) const Abi1PluginDesc *
condmap_plugin_get_desc (void)
{
  return &abi1_desc;
}
