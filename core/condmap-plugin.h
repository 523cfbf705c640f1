/* condmap-plugin.h - the converter plugin ABI of condmap.
 *
 * This is the only condmap header a converter plugin includes.  A plugin is
 * a shared object that exports exactly one symbol, condmap_plugin_get_desc(),
 * returning a static CondmapPluginDesc.  The host (libcondmap) dlopen()s it,
 * checks the ABI version, and from then on calls the function pointers in
 * the descriptor.
 *
 * Division of work: the core reads the YAML config, finds the plugin,
 * computes the statistics of the weights, splits the arrays into chunks and
 * runs them on threads, handles dtypes and files.  A plugin holds only its
 * own mathematics: validate its settings (create), derive params from the
 * statistics (plan), map a chunk forward and back (the kernels).
 *
 * Threading classes (after LV2):
 *  - Instantiation class: create, destroy, plan.  Never called concurrently
 *    with another function of this class on the same state.
 *  - Kernel class: to_conductances_*, to_weights_*, get_n_planes,
 *    get_plane_name.  Called from many threads at once on the same state,
 *    each call on a disjoint chunk.  They must not write to the state, use
 *    globals, allocate, or call anything that is not reentrant.
 *
 * Versioning (GStreamer's rule): the host loads a plugin only if
 * abi_major == CONDMAP_ABI_MAJOR and abi_minor <= CONDMAP_ABI_MINOR of the
 * host.  New members are appended to the end of CondmapPluginDesc only;
 * members are never reordered or removed within a major version.  The host
 * reads a member only if struct_size covers it.
 */
#ifndef CONDMAP_PLUGIN_H
#define CONDMAP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

/* ---- Version ------------------------------------------------------------ */

/** Bumped when the descriptor or an accessor changes incompatibly. */
#define CONDMAP_ABI_MAJOR 1
/** Bumped when members are appended to the descriptor. */
#define CONDMAP_ABI_MINOR 0

/* ---- Errors ------------------------------------------------------------- */

/** The GError domain of every condmap error. */
#define CONDMAP_ERROR (condmap_error_quark ())
GQuark condmap_error_quark (void);

/** Error codes in the CONDMAP_ERROR domain.  Values are stable. */
typedef enum {
  CONDMAP_ERROR_FAILED = 0,           /* none of the below */
  CONDMAP_ERROR_PARSE = 1,            /* YAML syntax error (line, column) */
  CONDMAP_ERROR_CONFIG = 2,           /* config structure or a value breaks a rule */
  CONDMAP_ERROR_UNKNOWN_KEY = 3,      /* a key no accessor consumed */
  CONDMAP_ERROR_UNKNOWN_CONVERTER = 4,/* no plugin provides the converter */
  CONDMAP_ERROR_PLUGIN = 5,           /* a plugin could not be loaded or misbehaved */
  CONDMAP_ERROR_ABI = 6,              /* a plugin was built for another ABI */
  CONDMAP_ERROR_NOT_INVERTIBLE = 7,   /* the mapping does not round-trip */
  CONDMAP_ERROR_IO = 8,               /* a file could not be read or written */
  CONDMAP_ERROR_FORMAT = 9,           /* a file is not valid .npy, CSV or sidecar */
  CONDMAP_ERROR_INPUT = 10,           /* array data is invalid: NaN, empty, shape */
  CONDMAP_ERROR_EXISTS = 11           /* an output exists and --force was not given */
} CondmapError;

/* ---- Data types --------------------------------------------------------- */

/** Element types.  Arithmetic runs in the input's type: float32 in,
 *  float32 out. */
typedef enum {
  CONDMAP_DTYPE_FLOAT32 = 1,
  CONDMAP_DTYPE_FLOAT64 = 2
} CondmapDtype;

/** Statistics of the weights, computed by the core in one pass before
 *  plan().  Weights are finite and n > 0 (the core refuses anything else).
 *  Values are exact: for float32 input they are float32 values. */
typedef struct {
  CondmapDtype dtype;   /* the dtype the kernels will run in */
  size_t n;             /* number of weights */
  double abs_max;       /* max |w| */
  double min;           /* min w */
  double max;           /* max w */
} CondmapStats;

/* ---- Params ------------------------------------------------------------- */

/** A small ordered map from names to finite doubles: what plan() derives
 *  from the statistics (scale_ratio, w_min, ...) and what the inverse
 *  conversion needs.  It is written to and read from the params sidecar. */
typedef struct _CondmapParams CondmapParams;

/** Sets @name to @value, replacing an earlier value.  @name is copied. */
void condmap_params_set (CondmapParams *params, const char *name, double value);

/** Returns the value of @name, or NAN if it is not set.  The core checks,
 *  before any kernel runs, that every name in the descriptor's param_names
 *  is set and finite, so kernels may call this without checking.
 *  Thread-safe on a params object that nobody modifies. */
double condmap_params_get (const CondmapParams *params, const char *name);

/* ---- Settings (config accessors) ---------------------------------------- */

/** The converter's settings: the YAML mapping of the config, with the
 *  `converter` key removed.  Valid only during create().  Every accessor
 *  marks its key as consumed; after create() returns, the core refuses the
 *  config if a key was not consumed ("unknown key 'gmax' ... did you mean
 *  'g_max'?").  Every accessor records the resolved value (the default if
 *  the key was absent) for the params sidecar.  Accessors set a
 *  CONDMAP_ERROR_CONFIG error naming file, line, key and rule, and return
 *  FALSE, when the value breaks a rule.  A key given as YAML null (`~`)
 *  counts as absent. */
typedef struct _CondmapSettings CondmapSettings;

/** Reads a finite number.  @default_value NULL makes the key required. */
gboolean condmap_settings_get_double (CondmapSettings *settings,
                                      const char *key,
                                      const double *default_value,
                                      double *value,
                                      GError **error);

/** Reads a boolean (true/false).  @default_value NULL makes it required. */
gboolean condmap_settings_get_boolean (CondmapSettings *settings,
                                       const char *key,
                                       const gboolean *default_value,
                                       gboolean *value,
                                       GError **error);

/** Reads a required list of finite numbers with min_len <= length and,
 *  if max_len > 0, length <= max_len.  On success *values is a new array
 *  of *n_values doubles; the caller frees it with g_free(). */
gboolean condmap_settings_get_double_list (CondmapSettings *settings,
                                           const char *key,
                                           size_t min_len,
                                           size_t max_len,
                                           double **values,
                                           size_t *n_values,
                                           GError **error);

/** Reads a required table (a list of lists) of finite numbers, with at
 *  least min_rows rows and all rows of one length >= min_cols.  On success
 *  *values is a new row-major array of n_rows * n_cols doubles; the caller
 *  frees it with g_free(). */
gboolean condmap_settings_get_double_table (CondmapSettings *settings,
                                            const char *key,
                                            size_t min_rows,
                                            size_t min_cols,
                                            double **values,
                                            size_t *n_rows,
                                            size_t *n_cols,
                                            GError **error);

/** Reads g_min and g_max (µS) with the given defaults and enforces the
 *  rules every converter shares: both finite, g_min >= 0, g_max > 0,
 *  g_min < g_max. */
gboolean condmap_settings_get_bounds (CondmapSettings *settings,
                                      double default_g_min_us,
                                      double default_g_max_us,
                                      double *g_min_us,
                                      double *g_max_us,
                                      GError **error);

/** Sets @error (if not NULL) to @code with a message that starts with the
 *  location of @key ("dual-pair.yaml:3: 'f_lst': ") followed by the
 *  printf-formatted text.  For rules only the plugin knows, such as
 *  "f_lst[1] = 0 must be > 0". */
void condmap_settings_set_error (CondmapSettings *settings,
                                 GError **error,
                                 CondmapError code,
                                 const char *key,
                                 const char *format,
                                 ...) G_GNUC_PRINTF (5, 6);

/* ---- The plugin descriptor --------------------------------------------- */

typedef struct _CondmapPluginDesc CondmapPluginDesc;

struct _CondmapPluginDesc {
  /** Must be CONDMAP_ABI_MAJOR of the header the plugin was built with. */
  uint32_t abi_major;
  /** Must be CONDMAP_ABI_MINOR of the header the plugin was built with. */
  uint32_t abi_minor;
  /** Must be sizeof (CondmapPluginDesc) as the plugin was built. */
  uint32_t struct_size;

  /** The `converter:` value in YAML that selects this plugin: lower case
   *  letters, digits and '-'.  Not NULL.  Static; the host never frees it.
   *  Two plugins with one name: the first found wins. */
  const char *name;
  /** One line for `condmap list`.  Not NULL.  Static. */
  const char *description;
  /** The plugin's own version, free form.  Not NULL.  Static. */
  const char *version;

  /** Validates the settings and returns the plugin's immutable state, or
   *  NULL with @error set.  Required (not NULL).  Instantiation class.
   *  The state is owned by the host and released with destroy(). */
  void *(*create) (CondmapSettings *settings, GError **error);

  /** Frees a state returned by create().  Required.  Instantiation
   *  class; called once, after every kernel call on the state returned. */
  void (*destroy) (void *state);

  /** Number K of conductance planes (>= 1).  Required.  Kernel class. */
  unsigned (*get_n_planes) (const void *state);

  /** Name of plane k < K, used for its file name ("g_plus_0" ->
   *  g_plus_0.npy): letters, digits, '_' and '-'.  Required.  Kernel class.
   *  Owned by the state; valid until destroy(). */
  const char *(*get_plane_name) (const void *state, unsigned k);

  /** NULL-terminated list of the names plan() sets and the kernels read.
   *  Required (may be an empty list).  Static. */
  const char *const *param_names;

  /** Derives params from the statistics: sets every name of param_names
   *  in @params (allocated and owned by the host).  Returns FALSE with
   *  @error set if it cannot.  Required.  Instantiation class. */
  gboolean (*plan) (const void *state,
                    const CondmapStats *stats,
                    CondmapParams *params,
                    GError **error);

  /** Forward kernels: map the chunk w[0..n) into planes g[k][0..n), k < K.
   *  The host passes pointers already offset to the chunk.  Every output
   *  element must be written, inside [g_min, g_max].  Required.  Kernel
   *  class. */
  void (*to_conductances_f32) (const void *state, const CondmapParams *params,
                               const float *w, size_t n, float *const *g);
  void (*to_conductances_f64) (const void *state, const CondmapParams *params,
                               const double *w, size_t n, double *const *g);

  /** Inverse kernels: map planes g[k][0..n) back into w[0..n).  The planes
   *  may be measured conductances, so any value is possible, NaN and Inf
   *  included: the kernel must just compute (NaN in, NaN out); the core
   *  checks the weights written and names a non-finite plane element.
   *  Required.  Kernel class. */
  void (*to_weights_f32) (const void *state, const CondmapParams *params,
                          const float *const *g, size_t n, float *w);
  void (*to_weights_f64) (const void *state, const CondmapParams *params,
                          const double *const *g, size_t n, double *w);

  /* ABI 1.0 ends here.  Append new members below this line only. */
};

/** The one symbol a plugin exports.  Returns a pointer to a static
 *  descriptor; the host never frees or modifies it.  May be called from
 *  any thread, any number of times. */
typedef const CondmapPluginDesc *(*CondmapPluginGetDescFunc) (void);
#define CONDMAP_PLUGIN_SYMBOL "condmap_plugin_get_desc"

/** Declare the entry point with this macro so its name and signature are
 *  right:  CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
 *          condmap_plugin_get_desc (void) { return &desc; } */
#define CONDMAP_PLUGIN_EXPORT __attribute__ ((visibility ("default")))
const CondmapPluginDesc *condmap_plugin_get_desc (void);

G_END_DECLS

#endif /* CONDMAP_PLUGIN_H */
