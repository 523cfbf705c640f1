/* condmap-plugin.h - the plugin ABI of condmap, version 2.
 *
 * This is the only header a plugin includes, and it includes only standard
 * C headers: a plugin needs neither GLib nor libcondmap, and links against
 * neither.  Everything a plugin needs from the host comes through the host
 * table (CondmapHost) handed to create().
 *
 * A plugin is a shared object that exports one symbol,
 * condmap_plugin_get_desc(), returning a static CondmapPluginDesc.  Write
 * it with CONDMAP_PLUGIN_DEFINE() at the end of the file:
 *
 *   static const CondmapSettingDecl settings[] = {
 *     CONDMAP_SETTING_G_MIN (0.0),
 *     CONDMAP_SETTING_G_MAX (25.0),
 *     { "ref_fraction", CONDMAP_SETTING_NUMBER, "", 0.5, NULL, 0.0, 1.0,
 *       0, 0, 0, "where w = 0 sits between g_min and g_max" },
 *     CONDMAP_SETTINGS_END
 *   };
 *   static const CondmapConverterOps ops = CONDMAP_CONVERTER_OPS (
 *     get_n_planes, get_plane_name, param_names, plan,
 *     to_g_f32, to_g_f64, to_w_f32, to_w_f64);
 *   CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "offset-ref",
 *                          "one device per weight around a reference",
 *                          "1.0", settings, create, destroy, &ops)
 *
 * Division of work: the core reads the YAML config, validates every key
 * against the plugin's declared settings (type, range, presence; unknown
 * keys refused with a did-you-mean), finds the plugin, computes the
 * statistics of the weights, splits the arrays into chunks and runs them
 * on threads, handles dtypes and files.  A plugin holds only its own
 * mathematics: the rules only it knows (create), params from the
 * statistics (plan), a chunk forward and back (the kernels).
 *
 * Threading classes (after LV2):
 *  - Instantiation class: create, destroy, plan.  Never called
 *    concurrently with another function of this class on the same state.
 *  - Kernel class: everything else.  Called from many threads at once on
 *    the same state, each call on a disjoint chunk.  Kernels must not
 *    write to the state, use globals, allocate, or call anything that is
 *    not reentrant.
 *
 * Versioning.  The host loads a plugin when abi_major equals its own
 * CONDMAP_ABI_MAJOR and struct_size is at least the size of the ABI 2.0
 * descriptor.  Within a major version, members are only ever appended to
 * CondmapPluginDesc, CondmapConverterOps, CondmapSettingDecl and
 * CondmapHost, never reordered or removed, and each of them carries its
 * size: the host reads a plugin's member only if the plugin's size covers
 * it, and a plugin reads a host member only if host->struct_size covers it
 * (CONDMAP_HOST_HAS()).  So a plugin built against a newer header still
 * loads in an older host as long as it leaves the newer members unused.
 */
#ifndef CONDMAP_PLUGIN_H
#define CONDMAP_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------ */

/** Bumped only when a member changes incompatibly.  ABI 1 plugins (condmap
 *  0.1) are refused with a message that says to rebuild them. */
#define CONDMAP_ABI_MAJOR 2
/** Informational: bumped when members are appended.  The loader decides
 *  by struct_size, not by this number. */
#define CONDMAP_ABI_MINOR 1

/* ---- Errors ------------------------------------------------------------- */

/** Error codes.  Values are stable.  The host reports them as GErrors in
 *  its CONDMAP_ERROR domain (condmap.h) with these codes. */
typedef enum {
  CONDMAP_ERROR_FAILED = 0,           /* none of the below */
  CONDMAP_ERROR_PARSE = 1,            /* YAML syntax error (line, column) */
  CONDMAP_ERROR_CONFIG = 2,           /* config structure or a value breaks a rule */
  CONDMAP_ERROR_UNKNOWN_KEY = 3,      /* a key the plugin does not declare */
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

/** Element types of the arrays kernels see.  Arithmetic runs in the
 *  array's type: float32 in, float32 out.  (Checkpoints in float16 or
 *  bfloat16 reach kernels as float32: the core converts them.) */
typedef enum {
  CONDMAP_DTYPE_FLOAT32 = 1,
  CONDMAP_DTYPE_FLOAT64 = 2
} CondmapDtype;

/** Statistics of the weights a plan is made for, computed by the core.
 *  The weights are finite and n > 0 (the core refuses anything else).
 *  Values are exact: for float32 input they are float32 values.  Filled
 *  by the host; members are only appended, and struct_size says how many
 *  the host filled. */
typedef struct {
  uint32_t struct_size;  /* sizeof (CondmapStats) as the host knows it */
  CondmapDtype dtype;    /* the dtype the kernels will run in */
  size_t n;              /* number of weights */
  double abs_max;        /* max |w| */
  double min;            /* min w */
  double max;            /* max w */
  /** The range the weights are mapped from: the clip threshold when the
   *  config clips (`clip:`), else abs_max.  Schemes that quantize against
   *  a clip max (bit slicing) scale by it; aihwkit's converters scale by
   *  abs_max of the (clipped) weights. */
  double range_max;
} CondmapStats;

/** The largest round-trip error, relative to max |w|, of a scheme that is
 *  exact: `condmap check` fails above it, and a plugin's own invertibility
 *  test should use the same limit. */
#define CONDMAP_ROUND_TRIP_TOLERANCE 1e-4

/* ---- Declared settings -------------------------------------------------- */

/** The type of a setting's value in YAML. */
typedef enum {
  CONDMAP_SETTING_NUMBER = 1,      /* a finite number */
  CONDMAP_SETTING_INTEGER = 2,     /* a whole number (e.g. 8, not 8.5) */
  CONDMAP_SETTING_BOOLEAN = 3,     /* true or false */
  CONDMAP_SETTING_NUMBER_LIST = 4, /* [1.0, 3.0] */
  CONDMAP_SETTING_TABLE = 5,       /* [[0, 25], [25, 0]]: rows of one length */
  CONDMAP_SETTING_STRING = 6       /* a word, one of `choices` if given */
} CondmapSettingType;

/** Flags of a declared setting. */
enum {
  /** Required: no default; a config without the key is refused. */
  CONDMAP_SETTING_REQUIRED = 1u << 0,
  /** The range excludes `min` (x > min rather than x >= min). */
  CONDMAP_SETTING_MIN_EXCLUSIVE = 1u << 1,
  /** The range excludes `max`. */
  CONDMAP_SETTING_MAX_EXCLUSIVE = 1u << 2,
  /** This number is the lower conductance bound of every plane, µS: the
   *  core checks the planes a kernel writes against it, and refuses a
   *  config whose G_MIN is not below its G_MAX. */
  CONDMAP_SETTING_IS_G_MIN = 1u << 3,
  /** The upper conductance bound, µS; see CONDMAP_SETTING_IS_G_MIN. */
  CONDMAP_SETTING_IS_G_MAX = 1u << 4,
  /** A boolean that, when false, says the user accepts a converter that
   *  does not round-trip: `condmap check` reports the round trip but
   *  does not fail on it. */
  CONDMAP_SETTING_IS_ROUND_TRIP_CHECK = 1u << 5
};

/** One setting a plugin understands.  A plugin declares them in a static
 *  array ended by CONDMAP_SETTINGS_END; the core validates the config
 *  against it before create(), records every resolved value (default
 *  included) for the sidecar, and shows it in `condmap describe`.  The
 *  strings are static; the host never frees them. */
typedef struct {
  /** The YAML key: lower-case letters, digits and '_'.  NULL ends the
   *  table. */
  const char *key;
  CondmapSettingType type;
  /** The unit, for docs ("µS", "s"); "" for none.  Not NULL. */
  const char *unit;
  /** The default of a NUMBER, INTEGER or BOOLEAN (0 or 1) setting that is
   *  not REQUIRED. */
  double default_number;
  /** The default of a STRING setting that is not REQUIRED.  A list or
   *  table that is not REQUIRED has no default: absent means absent
   *  (CondmapHost.has() tells). */
  const char *default_string;
  /** The allowed range of a NUMBER or INTEGER, or of every element of a
   *  NUMBER_LIST or TABLE, inclusive unless flagged otherwise.  Use
   *  -INFINITY / INFINITY (<math.h>) or -HUGE_VAL / HUGE_VAL for none. */
  double min;
  double max;
  /** NUMBER_LIST: the least and (0: no limit) greatest length.  TABLE:
   *  the least number of rows and the least number of columns. */
  uint32_t min_len;
  uint32_t max_len;
  /** CONDMAP_SETTING_* flags. */
  uint32_t flags;
  /** One line of documentation: what it is, in the user's words. */
  const char *doc;
  /** STRING: the accepted words separated by '|' ("balanced|offset"), or
   *  NULL for any word.  Ignored for other types. */
  const char *choices;
} CondmapSettingDecl;

/** Ends a settings table. */
#define CONDMAP_SETTINGS_END \
  { NULL, (CondmapSettingType) 0, NULL, 0, NULL, 0, 0, 0, 0, 0, NULL, NULL }

/** The conductance bounds every built-in converter shares, with their
 *  default in µS.  g_min >= 0, g_max > 0, and the core checks
 *  g_min < g_max. */
#define CONDMAP_SETTING_G_MIN(default_us)                                   \
  { "g_min", CONDMAP_SETTING_NUMBER, "µS", (default_us), NULL, 0.0,         \
    1.0e300, 0, 0, CONDMAP_SETTING_IS_G_MIN,                                \
    "lowest conductance a device is programmed to", NULL }
#define CONDMAP_SETTING_G_MAX(default_us)                                   \
  { "g_max", CONDMAP_SETTING_NUMBER, "µS", (default_us), NULL, 0.0,         \
    1.0e300, 0, 0, CONDMAP_SETTING_IS_G_MAX | CONDMAP_SETTING_MIN_EXCLUSIVE, \
    "highest conductance a device is programmed to", NULL }

/* ---- The host table ------------------------------------------------------- */

/** The host's side of one call into the plugin (create() or plan()):
 *  where its settings come from and where its errors go.  Opaque. */
typedef struct _CondmapContext CondmapContext;

/** Functions the host offers a plugin.  The table is static in the host
 *  and outlives every plugin state; a plugin may keep the pointer.
 *  Members are only ever appended: check CONDMAP_HOST_HAS (host, member)
 *  before using one newer than ABI 2.0. */
typedef struct CondmapHost CondmapHost;
struct CondmapHost {
  /** sizeof (CondmapHost) as the host was built. */
  uint32_t struct_size;
  /** The host's CONDMAP_ABI_MAJOR and CONDMAP_ABI_MINOR. */
  uint32_t abi_major;
  uint32_t abi_minor;

  /* -- Settings, during create() only.  Every value has been validated
   *    against the declaration (type, range, length) before create(); a
   *    key the plugin did not declare is a bug in the plugin, reported as
   *    CONDMAP_ERROR_PLUGIN, and the accessor returns 0 / NULL. */

  /** Whether @key was given in the config (not absent, not null). */
  int (*has) (CondmapContext *ctx, const char *key);
  /** The value of a NUMBER (or INTEGER) setting, its default if absent. */
  double (*get_number) (CondmapContext *ctx, const char *key);
  /** The value of an INTEGER setting, its default if absent. */
  int64_t (*get_integer) (CondmapContext *ctx, const char *key);
  /** The value of a BOOLEAN setting (0 or 1), its default if absent. */
  int (*get_boolean) (CondmapContext *ctx, const char *key);
  /** The elements of a NUMBER_LIST setting and their number in *n, or
   *  NULL with *n = 0 if it is absent.  Owned by the host, valid until
   *  create() returns: copy what you keep. */
  const double *(*get_number_list) (CondmapContext *ctx, const char *key,
                                    size_t *n);
  /** A TABLE setting, row-major, with its shape; NULL if absent.  Owned
   *  by the host, valid until create() returns. */
  const double *(*get_table) (CondmapContext *ctx, const char *key,
                              size_t *n_rows, size_t *n_cols);
  /** A STRING setting, its default if absent.  Owned by the host, valid
   *  until create() returns. */
  const char *(*get_string) (CondmapContext *ctx, const char *key);

  /* -- Errors, during create() and plan(). */

  /** Reports why the call fails: a CondmapError @code, the settings @key
   *  it concerns (NULL: none) and a printf-style message saying the rule
   *  and what was found ("f_lst[1] = 0 must be > 0").  The host prefixes
   *  the file and line of @key.  The plugin then returns NULL from
   *  create() or 0 from plan().  Only the first report of a call counts. */
  void (*error) (CondmapContext *ctx, int code, const char *key,
                 const char *format, ...)
#if defined(__GNUC__)
    __attribute__ ((format (printf, 4, 5)))
#endif
    ;
  /** The same with a va_list, for bindings that forward their own. */
  void (*error_valist) (CondmapContext *ctx, int code, const char *key,
                        const char *format, va_list args);
  /** A warning the user should see that does not stop the call ("f_lst
   *  has one factor: use single-pair").  Same arguments as error(). */
  void (*warn) (CondmapContext *ctx, const char *key, const char *format, ...)
#if defined(__GNUC__)
    __attribute__ ((format (printf, 3, 4)))
#endif
    ;

  /* -- Params, during plan(). */

  /** The index of @name in the plugin's param_names, or -1.  For a plan()
   *  that prefers names to its own enum; kernels index the array. */
  int (*param_index) (CondmapContext *ctx, const char *name);

  /* ABI 2.0 ends here.  Append new members below this line only. */

  /* -- Added in ABI 2.1 (device models). */

  /** Reads the level table named by the STRING setting @key (a path,
   *  relative to the config's directory): one level per line, column 1
   *  its mean conductance in µS, an optional column 2 its programming σ
   *  in µS, '#' comments.  Sets *n (>= 2) and *mean_us (ascending) and
   *  *sigma_us (NULL if the table has one column) and returns 1; the
   *  arrays are owned by the host, valid until create() returns.  On a
   *  bad table returns 0 after reporting the error (file, line, column),
   *  as error() does: the plugin then returns NULL.  During create()
   *  only. */
  int (*get_level_table) (CondmapContext *ctx, const char *key,
                          const double **mean_us, const double **sigma_us,
                          size_t *n);
};

/** Whether the host table has @member (a plugin built against a newer
 *  header may run in an older host). */
#define CONDMAP_HOST_HAS(host, member) \
  ((host)->struct_size >= offsetof (CondmapHost, member) + sizeof ((host)->member))

/* ---- Converters (CONDMAP_PLUGIN_KIND_CONVERTER) ----------------------------- */

/** What a converter does besides create() and destroy().  Every member up
 *  to to_weights_f64 is required (not NULL).  Static. */
typedef struct {
  /** sizeof (CondmapConverterOps) as the plugin was built; set by
   *  CONDMAP_CONVERTER_OPS(). */
  uint32_t struct_size;

  /** Number K of conductance planes (1 to 1024).  Kernel class. */
  unsigned (*get_n_planes) (const void *state);

  /** Name of plane k < K, used for its file name ("g_plus_0" ->
   *  g_plus_0.npy): letters, digits, '_' and '-', at most 64 bytes,
   *  unique.  Owned by the state; valid until destroy().  Kernel class. */
  const char *(*get_plane_name) (const void *state, unsigned k);

  /** NULL-terminated list of the params plan() sets, in the order of the
   *  params array (may be empty: { NULL }).  Names: letters, digits and
   *  '_'; "clip_threshold" is the core's (the threshold of `clip:`).
   *  Static. */
  const char *const *param_names;

  /** Derives the params from the statistics: writes params[i] for every
   *  i < the number of param_names (the host allocates and owns the
   *  array, initialised to NAN; it checks afterwards that every entry is
   *  finite).  Returns 1, or 0 after host->error(ctx, ...): keep the host
   *  table create() got in the state for that.  An error about a key is
   *  located at that key's line of the config, as in create().
   *  Instantiation class.
   *  With per-channel scaling the host calls it once per channel, each
   *  with that channel's statistics and its own params row. */
  int (*plan) (const void *state, const CondmapStats *stats, double *params,
               CondmapContext *ctx);

  /** Forward kernels: map the chunk w[0..n) into planes g[k][0..n), k < K,
   *  with the params plan() made.  The host passes pointers already
   *  offset to the chunk.  Every output element must be written, inside
   *  the declared [g_min, g_max].  Kernel class. */
  void (*to_conductances_f32) (const void *state, const double *params,
                               const float *w, size_t n, float *const *g);
  void (*to_conductances_f64) (const void *state, const double *params,
                               const double *w, size_t n, double *const *g);

  /** Inverse kernels: map planes g[k][0..n) back into w[0..n).  The planes
   *  may be measured conductances, so any value is possible, NaN and Inf
   *  included: just compute (NaN in, NaN out); the core checks the
   *  weights written and names a non-finite plane element.  Kernel
   *  class. */
  void (*to_weights_f32) (const void *state, const double *params,
                          const float *const *g, size_t n, float *w);
  void (*to_weights_f64) (const void *state, const double *params,
                          const double *const *g, size_t n, double *w);

  /* ABI 2.0 ends here.  Append new members below this line only; they
   * are optional (NULL: not provided). */
} CondmapConverterOps;

/** Initialiser of a static CondmapConverterOps. */
#define CONDMAP_CONVERTER_OPS(get_n_planes, get_plane_name, param_names,    \
                              plan, to_g_f32, to_g_f64, to_w_f32, to_w_f64)  \
  { (uint32_t) sizeof (CondmapConverterOps), (get_n_planes),                \
    (get_plane_name), (param_names), (plan), (to_g_f32), (to_g_f64),        \
    (to_w_f32), (to_w_f64) }

/* ---- Optional interface: level-aware mapping of pair schemes (ABI 2.1) ---- */

/* A config may give any converter `levels:` (16 uniform levels, a list, or
 * a measured table): the core then snaps every plane to its nearest
 * level.  A pair scheme can do better by assigning the levels of its
 * pairs jointly: the most significant pair first, the weight error it
 * leaves carried into the next pair's target, the least significant pair
 * absorbing the rest.  A converter that maps w s = sum_k F_k (g+_k - g-_k)
 * with planes 2k and 2k + 1 holding g+_k and g-_k says so by returning this
 * interface from get_interface(CONDMAP_INTERFACE_LEVEL_PAIRS); the core
 * then assigns its levels jointly instead of plane by plane. */
#define CONDMAP_INTERFACE_LEVEL_PAIRS "urn:condmap:levels:pairs"

typedef struct {
  /** sizeof (CondmapLevelPairsInterface) as the plugin was built. */
  uint32_t struct_size;
  /** Writes the factors F_k (> 0) of the pairs, at most @max_pairs of
   *  them, into @f and returns the number of pairs N (2N = the number of
   *  planes).  Kernel class. */
  size_t (*get_pairs) (const void *state, double *f, size_t max_pairs);
} CondmapLevelPairsInterface;

/* ---- Optional interface: uniform levels placed by the converter ---------- */

/* Snapping after the mapping is not what every scheme wants.  Some map
 * differently when the device has levels (CrossSim's offset core
 * compresses its range so that w = 0 falls on a level), and some must
 * round to the levels in an order of their own to give a reference
 * simulator's numbers (CrossSim snaps normalized float32 conductances).
 * A converter that maps *and snaps* uniform levels itself says so by
 * returning this interface from get_interface
 * (CONDMAP_INTERFACE_LEVELS_UNIFORM).
 *
 * When the config sets n uniform levels (`levels: n` or `levels: {n: n}`),
 * the core calls set_levels() once, after create() and before plan() or
 * any kernel, and then leaves the planes as the forward kernels write
 * them: no snapping, no joint assignment.  The kernels must put every
 * conductance on one of the levels g_min + k (g_max - g_min) / (n - 1),
 * k = 0 .. n - 1, of the converter's declared bounds (within the rounding
 * of their own arithmetic, inside [g_min, g_max]).  An explicit list or a
 * measured table (`levels: [...]`, `levels: {file: ...}`) does not reach
 * the converter: the core snaps the planes as for any converter.  A
 * restore is made from the sidecar, which does not record `levels:`, so
 * the inverse kernels must not depend on what set_levels() said: a
 * mapping that changes with n records it in its params (plan()).
 *
 * A host that does not know the interface (ABI 2.1) never calls it and
 * snaps the planes itself; the converter then maps as without levels. */
#define CONDMAP_INTERFACE_LEVELS_UNIFORM "urn:condmap:levels:uniform"

typedef struct {
  /** sizeof (CondmapLevelsUniformInterface) as the plugin was built. */
  uint32_t struct_size;
  /** Tells the state that its kernels map onto @n_levels (2 to 65536)
   *  uniform levels from g_min to g_max.  The only call besides create()
   *  that writes to the state.  Returns 1, or 0 after host->error(ctx,
   *  ...) when the scheme cannot use that many levels (an error about the
   *  key "levels" is located at its line of the config): keep the host
   *  table create() got in the state for that.  Instantiation class. */
  int (*set_levels) (void *state, uint32_t n_levels, CondmapContext *ctx);
} CondmapLevelsUniformInterface;

/* ---- Device models (CONDMAP_PLUGIN_KIND_DEVICE, ABI 2.1) ------------------ */

/* A device model says what becomes of a conductance a device is
 * programmed to: programming misses the target, the conductance drifts,
 * and each read adds noise.  The host runs aihwkit's sequence
 * (BaseNoiseModel.apply_noise) on every plane of a conversion: program
 * each device from its target, draw its drift coefficient from the
 * target, then drift and read at time t.  The plugin holds only these
 * formulas; the host draws every random number.  It hands each kernel
 * standard normals z[i] keyed by (seed, tensor, plane, element, draw)
 * with a counter-based generator, so a result depends on the seed and
 * the element alone, never on the chunking or the number of threads.
 * Kernels work in double on chunks the host has converted. */

/** Where device kernels run: what the device needs to know of the
 *  conversion whose planes it programs.  Filled by the host. */
typedef struct {
  /** sizeof (CondmapDeviceEnv) as the host knows it. */
  uint32_t struct_size;
  /** The converter's conductance bounds, µS (g_min 0 and g_max 25 when
   *  the converter declares none).  aihwkit's noise models take their
   *  g_max from the converter: a device setting may override it. */
  double g_min_us;
  double g_max_us;
  /** The inference time, seconds after programming ended (>= 0). */
  double t_s;
} CondmapDeviceEnv;

/** What a device model does besides create() and destroy().  Every
 *  member up to read is required.  Static.  All three are kernel class:
 *  pure functions of their arguments and the immutable state. */
typedef struct {
  /** sizeof (CondmapDeviceOps) as the plugin was built; set by
   *  CONDMAP_DEVICE_OPS(). */
  uint32_t struct_size;

  /** Programming: g_prog[i] for a device programmed to g_target[i] µS,
   *  given a standard normal z[i].  Write every element; a conductance
   *  is never negative. */
  void (*program) (const void *state, const CondmapDeviceEnv *env,
                   const double *g_target, const double *z, size_t n,
                   double *g_prog);

  /** The drift coefficient nu[i] of the device programmed to
   *  g_target[i], given a standard normal z[i] (0 for a device that does
   *  not drift). */
  void (*drift_coefficient) (const void *state, const CondmapDeviceEnv *env,
                             const double *g_target, const double *z,
                             size_t n, double *nu);

  /** The conductance g_t[i] read at env->t_s from a device programmed to
   *  g_prog[i] with drift coefficient nu[i], given a standard normal z[i]
   *  for the read noise.  At t = 0 it is the reading right after
   *  programming (with its read noise, as aihwkit applies it). */
  void (*read) (const void *state, const CondmapDeviceEnv *env,
                const double *g_prog, const double *nu, const double *z,
                size_t n, double *g_t);

  /* ABI 2.1 ends here.  Append new members below this line only. */
} CondmapDeviceOps;

/** Initialiser of a static CondmapDeviceOps. */
#define CONDMAP_DEVICE_OPS(program, drift_coefficient, read)                \
  { (uint32_t) sizeof (CondmapDeviceOps), (program), (drift_coefficient),  \
    (read) }

/* ---- The plugin descriptor ------------------------------------------------ */

/** What a plugin provides: a converter (CondmapConverterOps) or a device
 *  model (CondmapDeviceOps, ABI 2.1). */
typedef enum {
  CONDMAP_PLUGIN_KIND_CONVERTER = 1,
  CONDMAP_PLUGIN_KIND_DEVICE = 2
} CondmapPluginKind;

typedef struct CondmapPluginDesc CondmapPluginDesc;

struct CondmapPluginDesc {
  /** CONDMAP_ABI_MAJOR of the header the plugin was built with. */
  uint32_t abi_major;
  /** sizeof (CondmapPluginDesc) as the plugin was built. */
  uint32_t struct_size;
  /** A CondmapPluginKind. */
  uint32_t kind;
  /** sizeof (CondmapSettingDecl) as the plugin was built: the stride of
   *  the settings table. */
  uint32_t setting_size;

  /** The name YAML selects the plugin by (`converter: dual-pair`,
   *  `device: pcm-like`): lower
   *  case letters, digits and '-', at most 64 bytes.  Not NULL.  Static.
   *  Two plugins of one kind and name: the first found wins. */
  const char *name;
  /** One line for `condmap list`.  Not NULL.  Static. */
  const char *description;
  /** The plugin's own version, free form.  Not NULL.  Static. */
  const char *version;

  /** The settings the plugin understands, ended by CONDMAP_SETTINGS_END.
   *  Not NULL (a plugin without settings declares just the end).
   *  Static. */
  const CondmapSettingDecl *settings;

  /** Checks the rules only the plugin knows ("g_lst has 2N rows") and
   *  returns the plugin's immutable state, or NULL after host->error().
   *  The settings it reads through @host have been validated against the
   *  declared table.  The state is owned by the host and released with
   *  destroy().  Not NULL.  Instantiation class. */
  void *(*create) (const CondmapHost *host, CondmapContext *ctx);

  /** Frees a state returned by create().  Not NULL.  Instantiation class;
   *  called once, after every other call on the state has returned. */
  void (*destroy) (void *state);

  /** The kind's operations: a const CondmapConverterOps * for a
   *  converter, a const CondmapDeviceOps * for a device model.  Not NULL.
   *  Static. */
  const void *ops;

  /** Optional capabilities, after LV2's extension_data: returns a static
   *  struct for the interface named by @uri, or NULL if the plugin does
   *  not implement it.  May be NULL (no optional interface).  Any thread. */
  const void *(*get_interface) (const char *uri);

  /* ABI 2.0 ends here.  Append new members below this line only. */
};

/** The one symbol a plugin exports.  Returns a pointer to a static
 *  descriptor; the host never frees or modifies it.  May be called from
 *  any thread, any number of times. */
typedef const CondmapPluginDesc *(*CondmapPluginGetDescFunc) (void);
#define CONDMAP_PLUGIN_SYMBOL "condmap_plugin_get_desc"

#if defined(_WIN32)
#  define CONDMAP_PLUGIN_EXPORT __declspec (dllexport)
#else
#  define CONDMAP_PLUGIN_EXPORT __attribute__ ((visibility ("default")))
#endif

#ifdef __cplusplus
#  define CONDMAP_PLUGIN_EXTERN_C extern "C"
#else
#  define CONDMAP_PLUGIN_EXTERN_C
#endif

/** Defines the descriptor and the entry point (after GST_PLUGIN_DEFINE):
 *  the version fields are filled from this header.  Use it once, at file
 *  scope.  @settings is the declared table, @ops the kind's operations
 *  (a pointer); get_interface is NULL: use
 *  CONDMAP_PLUGIN_DEFINE_FULL() to give one. */
#define CONDMAP_PLUGIN_DEFINE(kind, name, description, version, settings,  \
                              create, destroy, ops)                         \
  CONDMAP_PLUGIN_DEFINE_FULL (kind, name, description, version, settings,  \
                              create, destroy, ops, NULL)

#define CONDMAP_PLUGIN_DEFINE_FULL(kind, name, description, version,       \
                                   settings, create, destroy, ops,          \
                                   get_interface)                           \
  static const CondmapPluginDesc condmap_plugin_desc_ = {                   \
    CONDMAP_ABI_MAJOR, (uint32_t) sizeof (CondmapPluginDesc), (kind),       \
    (uint32_t) sizeof (CondmapSettingDecl), (name), (description),          \
    (version), (settings), (create), (destroy), (ops), (get_interface)      \
  };                                                                        \
  CONDMAP_PLUGIN_EXTERN_C CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *   \
  condmap_plugin_get_desc (void);                                           \
  CONDMAP_PLUGIN_EXTERN_C CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *   \
  condmap_plugin_get_desc (void)                                            \
  {                                                                         \
    return &condmap_plugin_desc_;                                           \
  }

#ifdef __cplusplus
}
#endif

#endif /* CONDMAP_PLUGIN_H */
