/* condmap.h - the embedding API of libcondmap.
 *
 * condmap turns weight arrays into the conductances (µS) that resistive
 * devices must be programmed to, and conductances back into weights.  Each
 * mapping scheme is a converter plugin; a YAML config picks one and sets it
 * up.  A program that embeds condmap:
 *
 *   CondmapRuntime *rt = condmap_runtime_new (NULL, CONDMAP_RUNTIME_DEFAULT);
 *   CondmapConverter *conv =
 *     condmap_converter_new_from_file (rt, "dual-pair.yaml", &error);
 *   K = condmap_converter_get_n_planes (conv);   // allocate K planes of n
 *   condmap_converter_to_conductances (conv, CONDMAP_DTYPE_FLOAT32,
 *                                      w, n, planes, &params, &error);
 *   condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT32,
 *                                 planes, n, params, w_back, &error);
 *   condmap_params_free (params);
 *   condmap_converter_free (conv);
 *   condmap_runtime_unref (rt);
 *
 * Errors are GErrors in the CONDMAP_ERROR domain (see condmap-plugin.h for
 * the codes); their messages name the file, line, key or element and the
 * fix.
 *
 * Thread safety: a runtime may be shared by any number of threads.  A
 * converter is immutable after creation; conversions on one converter may
 * run from many threads at once.  Params objects are read-only during a
 * conversion.
 */
#ifndef CONDMAP_H
#define CONDMAP_H

#include <stddef.h>
#include <glib.h>
#include "condmap-plugin.h"

G_BEGIN_DECLS

/* ---- Version ------------------------------------------------------------ */

/** The library's version, "MAJOR.MINOR.PATCH".  Static. */
const char *condmap_version (void);

/* ---- Data types --------------------------------------------------------- */

/** Size of one element in bytes (4 or 8); 0 for an unknown dtype. */
size_t condmap_dtype_size (CondmapDtype dtype);
/** "float32" or "float64"; NULL for an unknown dtype.  Static. */
const char *condmap_dtype_name (CondmapDtype dtype);
/** Parses "float32"/"f32"/"float64"/"f64"; returns 0 if unknown. */
CondmapDtype condmap_dtype_from_name (const char *name);

/* ---- Errors ------------------------------------------------------------- */

/** The GError domain of every condmap error; the codes are the
 *  CondmapError values of condmap-plugin.h. */
#define CONDMAP_ERROR (condmap_error_quark ())
GQuark condmap_error_quark (void);

/* ---- Params ------------------------------------------------------------- */

/** What a plan derived from the statistics of one array (scale_ratio,
 *  w_min, ...) and what the way back needs: a small ordered map from the
 *  plugin's param names to finite doubles.  Written to and read from the
 *  params sidecar.  (Kernels see the same numbers as an array in the
 *  order of the plugin's param_names.) */
typedef struct _CondmapParams CondmapParams;

/** Sets @name to @value, replacing an earlier value.  @name is copied. */
void condmap_params_set (CondmapParams *params, const char *name, double value);
/** Returns the value of @name, or NAN if it is not set. */
double condmap_params_get (const CondmapParams *params, const char *name);

/** Returns a new empty params object.  Free it with condmap_params_free(). */
CondmapParams *condmap_params_new (void);
/** Returns a new copy.  Free it with condmap_params_free(). */
CondmapParams *condmap_params_copy (const CondmapParams *params);
/** Frees @params.  NULL is ignored. */
void condmap_params_free (CondmapParams *params);
/** Number of names set. */
size_t condmap_params_get_n (const CondmapParams *params);
/** The i-th name, in the order they were first set.  Owned by @params. */
const char *condmap_params_get_name (const CondmapParams *params, size_t i);
/** Whether @name is set. */
gboolean condmap_params_has (const CondmapParams *params, const char *name);

/** Rows.  A conversion with per-channel scaling (`scaling: {per:
 *  channel}`) makes one row of params per channel, row c for index c
 *  along the axis; any other makes one row.  The functions above read and
 *  write row 0.  Params read back from a sidecar have the rows written. */
size_t condmap_params_get_n_rows (const CondmapParams *params);
/** Resizes to @n_rows (>= 1) rows; cells of new rows are NAN (not set). */
void condmap_params_set_n_rows (CondmapParams *params, size_t n_rows);
/** The value of @name in @row, or NAN if it is not set or @row is out of
 *  range. */
double condmap_params_get_row_value (const CondmapParams *params, size_t row,
                                     const char *name);
/** Sets @name in @row to @value; a row past the last adds rows (their
 *  other cells NAN). */
void condmap_params_set_row_value (CondmapParams *params, size_t row,
                                   const char *name, double value);
/** Copies @name of every row into @values (get_n_rows() of them).
 *  Returns FALSE, leaving @values untouched, if @name is not set. */
gboolean condmap_params_get_column (const CondmapParams *params,
                                    const char *name, double *values);
/** Sets @name in rows 0 .. @n_rows - 1 from @values, adding rows if the
 *  params have fewer. */
void condmap_params_set_column (CondmapParams *params, const char *name,
                                const double *values, size_t n_rows);

/** The param the core adds to every row when the config clips (`clip:`):
 *  the threshold |w| was clamped to, in the weights' dtype.  The way back
 *  does not need it; `condmap check` reports with it.  No plugin may use
 *  the name. */
#define CONDMAP_PARAM_CLIP_THRESHOLD "clip_threshold"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapParams, condmap_params_free)

/* ---- Runtime ------------------------------------------------------------ */

/** The plugin registry.  Reference counted; converters keep their runtime
 *  (and so their plugin's code) alive. */
typedef struct _CondmapRuntime CondmapRuntime;

/** Flags for condmap_runtime_new(). */
typedef enum {
  CONDMAP_RUNTIME_DEFAULT = 0,
  /** Ignore CONDMAP_PLUGIN_PATH. */
  CONDMAP_RUNTIME_NO_ENV_PATH = 1 << 0,
  /** Do not search the compiled-in plugin directory. */
  CONDMAP_RUNTIME_NO_SYSTEM_DIR = 1 << 1
} CondmapRuntimeFlags;

/** Creates a runtime and loads every plugin found, in this order: each
 *  directory of @plugin_dirs (NULL-terminated, may be NULL), then each of
 *  the colon-separated CONDMAP_PLUGIN_PATH, then the compiled-in plugin
 *  directory (@flags can leave out either).  Never the current directory.  A plugin that fails to load is
 *  recorded (condmap_runtime_get_failure) and skipped; loading never fails
 *  as a whole.  Release with condmap_runtime_unref(). */
CondmapRuntime *condmap_runtime_new (const char *const *plugin_dirs,
                                     CondmapRuntimeFlags flags);
/** Adds a reference; returns @runtime. */
CondmapRuntime *condmap_runtime_ref (CondmapRuntime *runtime);
/** Drops a reference; the last one unloads the plugins.  NULL is ignored.
 *  The rule that keeps a plugin's code loaded: everything made from a
 *  plugin (a converter, its params) holds a reference to the runtime, so
 *  the plugin is dlclose()d only after the last of them is freed. */
void condmap_runtime_unref (CondmapRuntime *runtime);

/** Sets how many threads each conversion uses: 0 (the default) means
 *  CONDMAP_THREADS if set, else every core.  Call before sharing. */
void condmap_runtime_set_n_threads (CondmapRuntime *runtime, unsigned n_threads);
/** The number of threads a conversion will use (>= 1). */
unsigned condmap_runtime_get_n_threads (const CondmapRuntime *runtime);

/** Turns the core's check of every plane a plugin writes (finite, inside
 *  [g_min, g_max]) on or off.  On by default: a buggy plugin is caught
 *  with CONDMAP_ERROR_PLUGIN instead of programming a device out of
 *  range.  Turning it off saves one read of each plane from cache.  Call
 *  before sharing. */
void condmap_runtime_set_output_check (CondmapRuntime *runtime, gboolean enabled);
/** Whether the output check is on. */
gboolean condmap_runtime_get_output_check (const CondmapRuntime *runtime);

/** The memory floor of a conversion, for benchmarks: streams over the
 * same bytes as a conversion of n elements on the runtime's threads, with
 * no mathematics.  With @stats_pass it first reads in[0] once (as the
 * statistics pass does), then reads every in[j] once and writes every
 * out[k] once.  Forward: 1 input, K outputs, stats_pass TRUE; back: K
 * inputs, 1 output, FALSE. */
void condmap_runtime_stream_floor (const CondmapRuntime *runtime,
                                   CondmapDtype dtype, size_t n,
                                   const void *const *in, unsigned n_in,
                                   void *const *out, unsigned n_out,
                                   gboolean stats_pass);

/** The directories searched, in order, NULL-terminated.  Owned by the
 *  runtime. */
const char *const *condmap_runtime_get_search_path (const CondmapRuntime *runtime);

/** What `condmap list` shows of a loaded plugin.  Strings are owned by the
 *  runtime and live as long as it. */
typedef struct {
  const char *name;
  const char *description;
  const char *version;
  const char *path;        /* the file, or "(registered in-process: NAME)" */
  unsigned abi_major;
  unsigned kind;           /* a CondmapPluginKind */
  size_t n_settings;       /* declared settings */
} CondmapPluginInfo;

/** Number of plugins loaded. */
size_t condmap_runtime_get_n_plugins (const CondmapRuntime *runtime);
/** Fills @info for plugin i < n, in load order.  Returns FALSE if out of
 *  range. */
gboolean condmap_runtime_get_plugin (const CondmapRuntime *runtime, size_t i,
                                     CondmapPluginInfo *info);
/** Number of plugins that failed to load. */
size_t condmap_runtime_get_n_failures (const CondmapRuntime *runtime);
/** The i-th failure: the file's (or directory's) path and why:
 *  CONDMAP_ERROR_PLUGIN (not a plugin, a bad descriptor, a name taken),
 *  CONDMAP_ERROR_ABI (built for another ABI) or CONDMAP_ERROR_IO (a
 *  directory given that cannot be read).  Both are owned by the runtime.  Returns NULL if out
 *  of range. */
const GError *condmap_runtime_get_failure (const CondmapRuntime *runtime,
                                           size_t i, const char **path);

/** Registers a plugin that lives in the calling program instead of a
 *  shared object (as GStreamer's gst_plugin_register_static): lab software
 *  that defines one scheme inline needs no .so.  @desc is checked as the
 *  loader checks a file's and must stay valid as long as the runtime.
 *  Fails with CONDMAP_ERROR_ABI or CONDMAP_ERROR_PLUGIN (a bad descriptor,
 *  or a name already taken).  Call before sharing the runtime. */
gboolean condmap_runtime_add_plugin (CondmapRuntime *runtime,
                                     const CondmapPluginDesc *desc,
                                     GError **error);

/** Formats of condmap_runtime_describe_plugin(). */
typedef enum {
  CONDMAP_DESCRIBE_TEXT = 0,     /* aligned columns, for a terminal */
  CONDMAP_DESCRIBE_MARKDOWN = 1  /* a Markdown table, for docs */
} CondmapDescribeFormat;

/** The declared settings of plugin @name as a table: key, type, unit,
 *  default, rule and meaning of each.  Fails with
 *  CONDMAP_ERROR_UNKNOWN_CONVERTER if no plugin has that name.  Free the
 *  result with g_free(). */
char *condmap_runtime_describe_plugin (const CondmapRuntime *runtime,
                                       const char *name,
                                       CondmapDescribeFormat format,
                                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapRuntime, condmap_runtime_unref)

/* ---- Converter ---------------------------------------------------------- */

/** A converter: a plugin plus validated settings.  Immutable. */
typedef struct _CondmapConverter CondmapConverter;

/** Loads a YAML config file.  Returns NULL with @error set if the file
 *  cannot be read, the YAML breaks a rule, no plugin provides the
 *  converter, or the plugin refuses the settings.  Free the result with
 *  condmap_converter_free(). */
CondmapConverter *condmap_converter_new_from_file (CondmapRuntime *runtime,
                                                   const char *path,
                                                   GError **error);
/** The same from YAML text of @length bytes (-1: NUL-terminated).
 *  @origin names it in messages (NULL: "<string>"). */
CondmapConverter *condmap_converter_new_from_yaml (CondmapRuntime *runtime,
                                                   const char *yaml,
                                                   gssize length,
                                                   const char *origin,
                                                   GError **error);
/** Frees @conv.  NULL is ignored. */
void condmap_converter_free (CondmapConverter *conv);

/** The converter (plugin) name, e.g. "dual-pair".  Owned by @conv. */
const char *condmap_converter_get_name (const CondmapConverter *conv);
/** Number K of conductance planes. */
unsigned condmap_converter_get_n_planes (const CondmapConverter *conv);
/** Name of plane k < K ("g_plus_0").  Owned by @conv. */
const char *condmap_converter_get_plane_name (const CondmapConverter *conv,
                                              unsigned k);
/** The conductance bounds every plane lies in, µS, as the converter's
 *  config declares them (g_min and g_max of the five built-in converters).
 *  Returns FALSE, leaving both untouched, for a converter that declares
 *  none. */
gboolean condmap_converter_get_bounds (const CondmapConverter *conv,
                                       double *g_min_us, double *g_max_us);
/** Whether the config sets `levels:` (the core puts every plane on a
 *  level set): then *n_levels (may be NULL) is the number of levels and
 *  *joint (may be NULL) whether the converter's pairs get their levels
 *  jointly (CONDMAP_INTERFACE_LEVEL_PAIRS) rather than plane by plane. */
gboolean condmap_converter_get_levels (const CondmapConverter *conv,
                                       size_t *n_levels, gboolean *joint);
/** Whether the converter places the uniform levels of `levels:` itself
 *  (CONDMAP_INTERFACE_LEVELS_UNIFORM, such as offset's range compression)
 *  rather than the core snapping its planes.  FALSE without levels. */
gboolean condmap_converter_places_levels (const CondmapConverter *conv);
/** The level set's conductances, µS, increasing, *n_levels (may be NULL)
 *  of them; NULL (and 0) without `levels:`.  Owned by @conv. */
const double *condmap_converter_get_level_values (const CondmapConverter *conv,
                                                  size_t *n_levels);
/** Whether `condmap check` should fail when the round trip does: FALSE
 *  when the user set the converter's declared round-trip switch (such as
 *  custom-pair's invertibility_test) to false. */
gboolean condmap_converter_wants_round_trip (const CondmapConverter *conv);
/** Warnings the plugin gave about the config (not errors): their number,
 *  and the i-th, "file:line: 'key': text", owned by @conv (NULL if out of
 *  range). */
size_t condmap_converter_get_n_warnings (const CondmapConverter *conv);
const char *condmap_converter_get_warning (const CondmapConverter *conv,
                                           size_t i);
/** The resolved config, defaults filled in, as flow-style YAML
 *  ("{g_min: 0, g_max: 25, f_lst: [1, 3]}").  Free with g_free(). */
char *condmap_converter_dup_config_yaml (const CondmapConverter *conv);

/** How a converter scales the weights: `scaling:` of its config. */
typedef enum {
  /** One set of params for the whole array (the default). */
  CONDMAP_SCALING_PER_TENSOR = 0,
  /** One set per index along an axis ("channel"), from the statistics of
   *  that index's elements: one params row per channel. */
  CONDMAP_SCALING_PER_CHANNEL = 1
} CondmapScaling;

/** The scaling of @conv.  For CONDMAP_SCALING_PER_CHANNEL, *axis (may be
 *  NULL) gets the axis as configured: negative counts from the last axis,
 *  as in NumPy. */
CondmapScaling condmap_converter_get_scaling (const CondmapConverter *conv,
                                             int *axis);
/** Whether the config clips the weights (`clip:`) before converting them:
 *  |w| beyond the threshold (per tensor, or per channel with per-channel
 *  scaling) is clamped to it, and the params hold the threshold used in
 *  CONDMAP_PARAM_CLIP_THRESHOLD. */
gboolean condmap_converter_clips (const CondmapConverter *conv);
/** How a C-ordered array of @rank and @shape divides into channels: the
 *  number of params rows its conversion makes (*n_channels: 1 per tensor,
 *  shape[axis] per channel) and the length of the runs (*run) such that
 *  element i belongs to channel (i / run) % n_channels.  Either pointer
 *  may be NULL.  Fails with CONDMAP_ERROR_INPUT if the scaling axis does
 *  not exist in this shape. */
gboolean condmap_converter_get_channels (const CondmapConverter *conv,
                                         unsigned rank, const size_t *shape,
                                         size_t *n_channels, size_t *run,
                                         GError **error);

/** Converts a C-ordered array of @rank and @shape (rank 0: one element)
 *  of @dtype into K planes of the same shape, which the caller allocates
 *  (planes[k] for k < K).  The shape is what per-channel scaling needs;
 *  per tensor it only counts the elements.  With `clip:` the weights are
 *  clamped on the way (the array itself is not changed).  On success
 *  *params_out (if not NULL) is a new params object with one row per
 *  channel, freed with condmap_params_free().  Refuses an empty array and
 *  non-finite weights (CONDMAP_ERROR_INPUT, naming the first bad index),
 *  and a scaling axis the shape does not have (CONDMAP_ERROR_INPUT naming
 *  the axis and the rank).  On failure the planes' contents are
 *  undefined. */
gboolean condmap_converter_to_conductances_shaped (const CondmapConverter *conv,
                                                   CondmapDtype dtype,
                                                   unsigned rank,
                                                   const size_t *shape,
                                                   const void *weights,
                                                   void *const *planes,
                                                   CondmapParams **params_out,
                                                   GError **error);

/** Converts K planes of @rank and @shape back into weights of that shape
 *  (caller-allocated), with the params of the forward conversion: per
 *  channel, their rows must match the channels of the shape.  Refuses
 *  params that lack a name the plugin needs, have the wrong number of
 *  rows, and non-finite conductances (CONDMAP_ERROR_INPUT). */
gboolean condmap_converter_to_weights_shaped (const CondmapConverter *conv,
                                              CondmapDtype dtype,
                                              unsigned rank,
                                              const size_t *shape,
                                              const void *const *planes,
                                              const CondmapParams *params,
                                              void *weights,
                                              GError **error);

/** Converts n weights of @dtype into K planes of n elements each, which the
 *  caller allocates (planes[k] for k < K): the conversion of a 1-D array,
 *  for converters that scale per tensor.  One that scales per channel
 *  needs the shape and is refused here (CONDMAP_ERROR_INPUT): use
 *  condmap_converter_to_conductances_shaped().  On success *params_out (if
 *  not NULL) is a new params object, freed with condmap_params_free().
 *  Refuses n == 0 and non-finite weights (CONDMAP_ERROR_INPUT, naming the
 *  first bad index).  On failure the planes' contents are undefined. */
gboolean condmap_converter_to_conductances (const CondmapConverter *conv,
                                            CondmapDtype dtype,
                                            const void *weights,
                                            size_t n,
                                            void *const *planes,
                                            CondmapParams **params_out,
                                            GError **error);

/** Converts K planes of n elements back into n weights (caller-allocated),
 *  with the params of the forward conversion.  Refuses params that lack a
 *  name the plugin needs and non-finite conductances; per-channel
 *  converters are refused as by condmap_converter_to_conductances(). */
gboolean condmap_converter_to_weights (const CondmapConverter *conv,
                                       CondmapDtype dtype,
                                       const void *const *planes,
                                       size_t n,
                                       const CondmapParams *params,
                                       void *weights,
                                       GError **error);

/* CONDMAP_ROUND_TRIP_TOLERANCE (condmap-plugin.h) is the limit of
 * condmap_converter_check_invertible(). */

/** Runs the round trip on a probe of 2001 weights evenly spaced over
 *  [-1, 1] (zero and both ends included) and reports the
 *  largest error relative to max |w| in *max_error (may be NULL), also
 *  when it fails.  Returns FALSE with CONDMAP_ERROR_NOT_INVERTIBLE if it
 *  exceeds CONDMAP_ROUND_TRIP_TOLERANCE.  The probe tests the plugin's
 *  mapping, so it is scaled per tensor and not clipped whatever the
 *  config says: clipping is lossy by design, and `condmap check WEIGHTS`
 *  reports what it does to real weights. */
gboolean condmap_converter_check_invertible (const CondmapConverter *conv,
                                             double *max_error,
                                             GError **error);

/** The same with a limit of your own: @tolerance (finite, >= 0) for a
 *  scheme that is lossy by design, such as one that snaps conductances to
 *  a few device levels. */
gboolean condmap_converter_check_round_trip (const CondmapConverter *conv,
                                             double tolerance,
                                             double *max_error,
                                             GError **error);

/** Calibration, as a lab does with conductances read back from a chip:
 *  fits, for each channel of @conv's scaling (the whole array per tensor),
 *  the gain g that maps the weights onto @reference in the least-squares
 *  sense, g = sum (w_ref w) / sum (w w) over the channel's elements,
 *  multiplies the channel's weights by it in place, and returns the gains
 *  in *gains (one per channel; free with g_free()) and their number in
 *  *n_gains.  A channel whose weights are all 0 keeps them, with gain 1.
 *  @weights and @reference are C-ordered arrays of @dtype, @rank and
 *  @shape.  Fails with CONDMAP_ERROR_INPUT for an empty array, non-finite
 *  values or a scaling axis the shape does not have. */
gboolean condmap_converter_calibrate (const CondmapConverter *conv,
                                      CondmapDtype dtype, unsigned rank,
                                      const size_t *shape, void *weights,
                                      const void *reference, double **gains,
                                      size_t *n_gains, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapConverter, condmap_converter_free)

/* ---- Arrays ------------------------------------------------------------- */

/** The largest rank an array may have: NumPy 1.x's NPY_MAXDIMS (NumPy 2
 *  allows 64; no weight tensor comes near either). */
#define CONDMAP_MAX_RANK 32

/** An n-dimensional array in C order, owning its data. */
typedef struct _CondmapArray CondmapArray;

/** Allocates a zeroed array, its data aligned to 64 bytes (a cache line;
 *  kernels run fastest on aligned data).  Checks the shape product and
 *  byte size for overflow (CONDMAP_ERROR_INPUT).  Rank 0 is a scalar of
 *  one element.  Free with condmap_array_free(). */
CondmapArray *condmap_array_new (CondmapDtype dtype, unsigned rank,
                                 const size_t *shape, GError **error);
/** Frees @array and its data.  NULL is ignored. */
void condmap_array_free (CondmapArray *array);
CondmapDtype condmap_array_get_dtype (const CondmapArray *array);
unsigned condmap_array_get_rank (const CondmapArray *array);
/** The shape, rank elements.  Owned by @array. */
const size_t *condmap_array_get_shape (const CondmapArray *array);
/** Number of elements (product of the shape). */
size_t condmap_array_get_n (const CondmapArray *array);
/** The elements, C order.  Owned by @array. */
void *condmap_array_get_data (CondmapArray *array);
const void *condmap_array_peek_data (const CondmapArray *array);
/** A shape as NumPy writes it: "(4096, 4096)", "(5,)", "()".  Free with
 *  g_free(). */
char *condmap_shape_to_string (unsigned rank, const size_t *shape);
/** Whether both arrays have the same dtype and shape. */
gboolean condmap_array_same_layout (const CondmapArray *a, const CondmapArray *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapArray, condmap_array_free)

/* ---- .npy files ---------------------------------------------------------- */

/** Reads a NumPy .npy file (format 1.0, 2.0 or 3.0) holding <f4, <f8, >f4
 *  or >f8 in C or Fortran order, any rank.  The result is native-endian C
 *  order.  Every size in the header is checked against the file length
 *  before anything is allocated.  Errors: CONDMAP_ERROR_IO (cannot open or
 *  read), CONDMAP_ERROR_FORMAT (not .npy, truncated, unsupported dtype).
 *  Free the result with condmap_array_free(). */
CondmapArray *condmap_npy_read (const char *path, GError **error);

/** Writes @array as .npy (format 1.0, or 2.0 if the header needs it),
 *  little-endian C order.  Writes to a temporary file beside @path and
 *  renames it into place, so @path is never half-written. */
gboolean condmap_npy_write (const char *path, const CondmapArray *array,
                            GError **error);

/* ---- CSV files ---------------------------------------------------------- */

/** Reads a 2-D matrix from CSV: comma separated cells, optional spaces,
 *  blank lines and '#' comments ignored, every row the same length.  Bad
 *  cells are reported by row and column (1-based, as an editor shows them).
 *  Free the result with condmap_array_free(). */
CondmapArray *condmap_csv_read (const char *path, CondmapDtype dtype,
                                GError **error);

/** Writes a rank-2 (or rank-1, as one row) array as CSV with enough digits
 *  to round-trip exactly (%.9g for float32, %.17g for float64).  Atomic,
 *  as condmap_npy_write(). */
gboolean condmap_csv_write (const char *path, const CondmapArray *array,
                            GError **error);

/* ---- Recipes: which tensors of a checkpoint get which scheme ---------- */

/** A recipe: a default config and rules (globs on tensor names, the first
 *  match wins) that say which tensors of a model are converted with which
 *  config and which stay digital.  See docs/checkpoints.md for the
 *  format.  Every config is loaded and checked when the recipe is. */
typedef struct _CondmapRecipe CondmapRecipe;

/** Loads a recipe file: format condmap-recipe/1, `default` and `rules`.
 *  Config paths in it are relative to the recipe.  Errors name the file,
 *  line and column (CONDMAP_ERROR_CONFIG, _UNKNOWN_KEY with a did-you-mean,
 *  _PARSE), or come from a config it names.  Free with
 *  condmap_recipe_free(). */
CondmapRecipe *condmap_recipe_new_from_file (CondmapRuntime *runtime,
                                             const char *path,
                                             GError **error);
/** The same from YAML text (-1: NUL-terminated); @origin names it in
 *  messages and is the base of relative paths (NULL: "<recipe>"). */
CondmapRecipe *condmap_recipe_new_from_yaml (CondmapRuntime *runtime,
                                             const char *yaml, gssize length,
                                             const char *origin,
                                             GError **error);
/** A recipe without rules whose default is the config file @config_path,
 *  or single-pair with aihwkit's defaults if it is NULL. */
CondmapRecipe *condmap_recipe_new_for_config (CondmapRuntime *runtime,
                                              const char *config_path,
                                              GError **error);
void condmap_recipe_free (CondmapRecipe *recipe);

/** The converter for tensor @name of rank @rank (@floating: a float dtype),
 *  owned by the recipe, or NULL if the tensor passes through untouched.
 *  *rule_index (may be NULL) is the index of the rule that matched, or -1
 *  (the default, or nothing).  Marks the rule used. */
const CondmapConverter *condmap_recipe_choose (CondmapRecipe *recipe,
                                               const char *name,
                                               unsigned rank,
                                               gboolean floating,
                                               int *rule_index);
/** The rules: their number, and rule i's pattern (owned by the recipe;
 *  NULL if out of range), line in the recipe and whether a tensor has
 *  matched it yet, for the warning about rules that match nothing. */
size_t condmap_recipe_get_n_rules (const CondmapRecipe *recipe);
const char *condmap_recipe_get_rule (const CondmapRecipe *recipe, size_t i,
                                     unsigned *line, gboolean *used);
/** The recipe's file (or origin).  Owned by the recipe. */
const char *condmap_recipe_get_origin (const CondmapRecipe *recipe);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapRecipe, condmap_recipe_free)

/* ---- Params sidecar (OUTDIR/params.yaml) ------------------------------ */

/** The newest sidecar format this library reads and writes, written as
 *  "format: condmap-params/N".  A sidecar of a newer version is refused.
 *  Version 2 adds per-channel params ({file: params.npy, columns: [...]},
 *  a .npy file of channels x params beside the YAML) and the core keys
 *  `scaling` and `clip` in `config`; a sidecar that needs neither is
 *  written as version 1, which condmap 0.1 reads too. */
#define CONDMAP_SIDECAR_FORMAT_VERSION 2

/** What restore needs to turn planes back into weights: converter and
 *  resolved config, shape, dtype, params and the plane file names. */
typedef struct _CondmapSidecar CondmapSidecar;

/** Describes the outcome of a conversion by @conv of an array of @dtype
 *  and shape, with @params and one file name per plane (plain names, as
 *  written in OUTDIR).  Copies everything.  Free with
 *  condmap_sidecar_free(). */
CondmapSidecar *condmap_sidecar_new (const CondmapConverter *conv,
                                     CondmapDtype dtype,
                                     unsigned rank, const size_t *shape,
                                     const CondmapParams *params,
                                     const char *const *plane_files);
void condmap_sidecar_free (CondmapSidecar *sidecar);

/** Writes the sidecar with libyaml's emitter, numbers with enough digits
 *  to round-trip (%.17g for float64, %.9g for float32).  Atomic.  Params
 *  of more than one row (per-channel scaling) go to a float64 .npy file
 *  beside @path, named after it (params.yaml: params.npy), written first
 *  and named in the YAML; condmap_sidecar_read() reads it back. */
gboolean condmap_sidecar_write (const CondmapSidecar *sidecar,
                                const char *path, GError **error);

/** Reads and checks a sidecar: format version, known dtype, shape, params
 *  all finite, plane names plain file names (no '/', not "." or "..").
 *  Errors are CONDMAP_ERROR_FORMAT (or _IO, _PARSE) naming file and line.
 *  Free the result with condmap_sidecar_free(). */
CondmapSidecar *condmap_sidecar_read (const char *path, GError **error);

const char *condmap_sidecar_get_converter (const CondmapSidecar *sidecar);
CondmapDtype condmap_sidecar_get_dtype (const CondmapSidecar *sidecar);
unsigned condmap_sidecar_get_rank (const CondmapSidecar *sidecar);
const size_t *condmap_sidecar_get_shape (const CondmapSidecar *sidecar);
const CondmapParams *condmap_sidecar_get_params (const CondmapSidecar *sidecar);
/** The plane file names, NULL-terminated.  Owned by @sidecar. */
const char *const *condmap_sidecar_get_planes (const CondmapSidecar *sidecar);

/** Recreates the converter recorded in the sidecar (its resolved config).
 *  Free with condmap_converter_free(). */
CondmapConverter *condmap_sidecar_new_converter (const CondmapSidecar *sidecar,
                                                 CondmapRuntime *runtime,
                                                 GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapSidecar, condmap_sidecar_free)

/* ---- Plots (drawn with cairo and pango) -------------------------------- */

/* A picture of what a converter does: one curve per plane, g_k(w), over a
 * sweep of weights, with g_min and g_max marked; given weights, also their
 * histogram, each plane's conductance histogram and the round-trip error.
 * The curves are sampled through condmap_converter_to_conductances(), so
 * every converter can be drawn.  Written as PNG, SVG or PDF, chosen by the
 * file's extension; the same input gives the same SVG bytes.
 *
 * Plots need cairo and pango when libcondmap is built.  Without them these
 * functions exist but fail (CONDMAP_ERROR_FAILED, saying so), and
 * condmap_plot_available() is FALSE.  A plot may be made and written on
 * any thread; one plot object is not for several threads at once. */

/** Whether this libcondmap can draw plots. */
gboolean condmap_plot_available (void);
/** The libraries plots are drawn with, as loaded: "cairo 1.16.0, pango
 *  1.50.12"; NULL when plots are not available.  Static. */
const char *condmap_plot_get_renderer (void);

/** A figure being assembled.  Opaque. */
typedef struct _CondmapPlot CondmapPlot;

/** A plot of the transfer curves of @conv (borrowed: it must outlive the
 *  plot) over weights in [-1, 1]; @title (may be NULL: the converter's
 *  name) heads the figure, which should name the config.  Returns NULL
 *  with @error set if the converter fails on the sweep or plots are not
 *  available.  Free with condmap_plot_free(). */
CondmapPlot *condmap_plot_new (const CondmapConverter *conv,
                               const char *title, GError **error);
/** Frees @plot.  NULL is ignored. */
void condmap_plot_free (CondmapPlot *plot);

/** Adds a real layer: converts @weights (not kept) and restores them, then
 *  draws the curves over their range [min w, max w], and panels with their
 *  histogram, the conductance histogram of each plane and the round-trip
 *  error against w.  Fails as condmap_converter_to_conductances() does. */
gboolean condmap_plot_add_weights (CondmapPlot *plot,
                                   const CondmapArray *weights,
                                   GError **error);

/** Adds a conversion as written (or as measured back): K planes of the
 *  same dtype and length (not kept) and the params of the conversion.
 *  Draws each plane's conductance histogram, and the curves over the
 *  range of the weights the planes restore to. */
gboolean condmap_plot_add_planes (CondmapPlot *plot,
                                  const CondmapArray *const *planes,
                                  const CondmapParams *params,
                                  GError **error);

/** Draws the figure into @path: *.png, *.svg or *.pdf (any case).  An
 *  unknown extension is CONDMAP_ERROR_INPUT.  Written beside @path and
 *  renamed into place, so @path is never half-written (CONDMAP_ERROR_IO
 *  if it cannot be). */
gboolean condmap_plot_write (const CondmapPlot *plot, const char *path,
                             GError **error);

/** All in one: the curves of @conv and, if @weights is not NULL, its
 *  panels, written to @path. */
gboolean condmap_plot_scheme (const CondmapConverter *conv,
                              const CondmapArray *weights,
                              const char *title, const char *path,
                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapPlot, condmap_plot_free)

/* ---- Output directories (OUTDIR) --------------------------------------- */

/* An output directory holds one file per conductance plane, named after the
 * plane ("g_plus_0.npy", ..., in .npy or CSV), and the sidecar params.yaml
 * that records what restore needs.  condmap_converter_convert_to_dir()
 * writes it so that it appears complete or not at all; condmap_restore_dir()
 * reads it back, planes replaced by measured conductances included.  The
 * condmap command's convert and restore are these two calls. */

/** The sidecar's file name inside an output directory. */
#define CONDMAP_OUTDIR_SIDECAR "params.yaml"

/** Flags for condmap_converter_convert_to_dir(). */
typedef enum {
  /** .npy planes; an existing OUTDIR is refused. */
  CONDMAP_OUTDIR_DEFAULT = 0,
  /** Replace an existing OUTDIR (a directory, never a file) once the new
   *  one is complete; everything in it is deleted. */
  CONDMAP_OUTDIR_FORCE = 1 << 0,
  /** CSV planes (1-D and 2-D weights only) instead of .npy. */
  CONDMAP_OUTDIR_CSV = 1 << 1
} CondmapOutdirFlags;

/** Checks that condmap_converter_convert_to_dir() may write @outdir with
 *  @flags, changing nothing on disk, so that a program can refuse before
 *  any work: CONDMAP_ERROR_INPUT for a path that names no directory of its
 *  own ("", ".", ".."), CONDMAP_ERROR_EXISTS for an existing @outdir
 *  without CONDMAP_OUTDIR_FORCE (or a file in the way, even with it),
 *  CONDMAP_ERROR_IO if it cannot be examined. */
gboolean condmap_outdir_check (const char *outdir, CondmapOutdirFlags flags,
                               GError **error);

/** Converts @weights (any rank, as condmap_converter_to_conductances()
 *  would) and writes @outdir: one file per plane and the sidecar, nothing
 *  else.  The directory is built as "OUTDIR.tmp-XXXXXX" beside @outdir and
 *  renamed into place when complete; on any failure nothing is left, and an
 *  OUTDIR replaced with CONDMAP_OUTDIR_FORCE stays as it was.  Errors are
 *  those of condmap_outdir_check() and of the conversion, CONDMAP_ERROR_INPUT
 *  for CSV planes of weights that are not 1-D or 2-D, CONDMAP_ERROR_IO
 *  naming the file that could not be written, and CONDMAP_ERROR_EXISTS if
 *  someone else created @outdir meanwhile.  On success *sidecar_out (may be
 *  NULL) is the record written: free it with condmap_sidecar_free(). */
gboolean condmap_converter_convert_to_dir (const CondmapConverter *conv,
                                           const CondmapArray *weights,
                                           const char *outdir,
                                           CondmapOutdirFlags flags,
                                           CondmapSidecar **sidecar_out,
                                           GError **error);

/** Reads @outdir's sidecar, recreates its converter on @runtime, reads the
 *  planes it lists (each read by condmap_array_read(), CSV in the recorded
 *  dtype) and converts them back into new weights of the recorded shape and
 *  dtype.  A plane of another dtype or shape is refused with
 *  CONDMAP_ERROR_INPUT naming its file; the sidecar's errors are those of
 *  condmap_sidecar_read() and condmap_sidecar_new_converter().  On success
 *  *sidecar_out (may be NULL) is the record read: free it with
 *  condmap_sidecar_free().  Free the result with condmap_array_free(). */
CondmapArray *condmap_restore_dir (CondmapRuntime *runtime,
                                   const char *outdir,
                                   CondmapSidecar **sidecar_out,
                                   GError **error);

/** Reads the planes @sc lists from @outdir, in its order (the converter's),
 *  as condmap_restore_dir() does, refusing one whose dtype or shape differs
 *  from the record (CONDMAP_ERROR_INPUT, naming its file).  For tools that
 *  look at the conductances themselves (plots, statistics).  Returns a
 *  GPtrArray of CondmapArray*; free it with g_ptr_array_unref(). */
GPtrArray *condmap_outdir_read_planes (const char *outdir,
                                       const CondmapSidecar *sc,
                                       GError **error);

/** Reads an array file by its name: CSV of @csv_dtype if it is named *.csv
 *  (any case) and does not start with the .npy magic, else .npy (whose
 *  reader says clearly when a file is not .npy).  *is_csv (may be NULL)
 *  says which.  Free the result with condmap_array_free(). */
CondmapArray *condmap_array_read (const char *path, CondmapDtype csv_dtype,
                                  gboolean *is_csv, GError **error);

/** For a process about to die of SIGINT, SIGTERM or the like: removes
 *  every temporary the library is writing, the "OUTDIR.tmp-XXXXXX" of
 *  condmap_converter_convert_to_dir() and the ".NAME.XXXXXX" of each .npy,
 *  CSV or sidecar write.  Call it from the signal handler (or the thread
 *  that sigwait()s), then re-raise the signal with its default action.
 *  Async-signal-safe: it takes no lock, allocates nothing, and calls only
 *  async-signal-safe functions on paths set beforehand.  It waits (at
 *  most 5 s) for other threads that are creating or renaming a temporary,
 *  so an output is either complete under its name or gone; the library
 *  blocks signals in a thread for those few system calls, so a handler
 *  never waits for its own thread.  Afterwards every write the library
 *  starts fails with CONDMAP_ERROR_IO, and a temporary it removed is never
 *  renamed into place.  Without it, a signal's default action leaves the
 *  temporaries behind (SIGKILL always does); a write that fails never
 *  does. */
void condmap_cleanup_on_signal (void);

/* ---- Device models and the error budget ------------------------------- */

/* A device model (a CONDMAP_PLUGIN_KIND_DEVICE plugin, such as pcm-like)
 * says what becomes of programmed conductances: programming noise, drift
 * and read noise at a time t.  A YAML config picks one with
 * `device: NAME` and sets its declared keys, as a converter config does.
 * Random numbers are counter-based (Philox4x32-10 keyed by seed, tensor,
 * plane, draw and element): a result depends on the seed alone, never on
 * the chunking or the number of threads. */

/** A device model: a plugin plus validated settings.  Immutable: it may
 *  be used from many threads at once. */
typedef struct _CondmapDevice CondmapDevice;

/** Loads a device config file (`device: pcm-like` and its settings).
 *  Errors as condmap_converter_new_from_file(); an unknown device is
 *  CONDMAP_ERROR_UNKNOWN_CONVERTER with a did-you-mean.  Free the result
 *  with condmap_device_free(). */
CondmapDevice *condmap_device_new_from_file (CondmapRuntime *runtime,
                                             const char *path,
                                             GError **error);
/** The same from YAML text of @length bytes (-1: NUL-terminated);
 *  @origin names it in messages (NULL: "<string>"), and relative paths in
 *  it (a level table) are relative to its directory. */
CondmapDevice *condmap_device_new_from_yaml (CondmapRuntime *runtime,
                                             const char *yaml, gssize length,
                                             const char *origin,
                                             GError **error);
/** Frees @device.  NULL is ignored. */
void condmap_device_free (CondmapDevice *device);
/** The device model's name, e.g. "pcm-like".  Owned by @device. */
const char *condmap_device_get_name (const CondmapDevice *device);
/** The resolved config, defaults filled in, as flow-style YAML.  Free
 *  with g_free(). */
char *condmap_device_dup_config_yaml (const CondmapDevice *device);

/** Programs @n_planes planes of n target conductances (µS, @dtype) onto
 *  simulated devices and reads them back at @time_s seconds after
 *  programming: for each plane, programming noise, the drift coefficient
 *  drawn from the target, then drift and read noise at t (read noise at
 *  t = 0 too), as aihwkit's apply_noise.  [@g_min_us, @g_max_us] are the
 *  converter's bounds (models such as pcm-like take their g_max from
 *  it).  @tensor tells apart the streams of several arrays under one
 *  seed.  @g_prog (may be NULL) receives the programmed planes before
 *  drift and read noise, @g_t the planes read at t; either may alias
 *  @g_target.  Runs on the runtime's threads.  Fails with
 *  CONDMAP_ERROR_INPUT for a negative or non-finite time or bad bounds. */
gboolean condmap_device_simulate (const CondmapDevice *device,
                                  CondmapDtype dtype, guint64 seed,
                                  guint32 tensor, double g_min_us,
                                  double g_max_us, double time_s,
                                  unsigned n_planes,
                                  const void *const *g_target, size_t n,
                                  void *const *g_prog, void *const *g_t,
                                  GError **error);

/** Reads the output directory @indir (as condmap_restore_dir() would),
 *  simulates its planes on @device read at @time_s with @seed, and writes
 *  @outdir with the same plane files and a copy of the sidecar, so that
 *  condmap_restore_dir() takes it as measured planes.  @outdir is written
 *  as condmap_converter_convert_to_dir() writes: complete or not at all
 *  (@flags: CONDMAP_OUTDIR_FORCE replaces an existing one; the plane
 *  format is @indir's).  The converter's bounds are those of the
 *  sidecar's converter, recreated on @runtime. */
gboolean condmap_simulate_dir (CondmapRuntime *runtime,
                               const CondmapDevice *device,
                               const char *indir, double time_s,
                               guint64 seed, const char *outdir,
                               CondmapOutdirFlags flags, GError **error);

/** Parses a time with a unit: "0", or a number >= 0 followed by s, m, h,
 *  d or y (365 days): "30s", "1.5h", "1d", "1y".  A number other than 0
 *  without a unit, a negative time and anything else are
 *  CONDMAP_ERROR_INPUT. */
gboolean condmap_parse_time (const char *text, double *seconds,
                             GError **error);
/** Parses a comma-separated list of such times into a new array of *n
 *  seconds, freed with g_free(). */
gboolean condmap_parse_times (const char *text, double **seconds, size_t *n,
                              GError **error);

/** Flags of condmap_converter_error_budget(). */
typedef enum {
  CONDMAP_BUDGET_DEFAULT = 0,
  /** Leave out global drift compensation (alpha = 1). */
  CONDMAP_BUDGET_NO_COMPENSATION = 1 << 0
} CondmapBudgetFlags;

/** The error budget at one read time.  Every error is relative to
 *  max |w|; "mean" and "std" are over the trials (std with n - 1, 0 for
 *  one trial). */
typedef struct {
  double time_s;
  /** RMS and max of |alpha W_t - W|: the weights read at t, compensated,
   *  against the original weights. */
  double rel_rms_mean, rel_rms_std;
  double rel_max_mean, rel_max_std;
  /** The stages, each the RMS of the change it makes: quantization
   *  W_q - W (the conversion's round trip, levels included), programming
   *  W_prog - W_q (mean over trials), drift alpha W_t - W_prog (drift and
   *  read noise after compensation, mean over trials). */
  double quantization;
  double programming;
  double drift;
  /** The global drift compensation factor mean |W_prog| / mean |W_t|
   *  (1 with CONDMAP_BUDGET_NO_COMPENSATION). */
  double alpha_mean, alpha_std;
} CondmapBudgetTime;

/** The error budget of @conv on @device for @weights: converts once,
 *  then in each of @trials trials programs every plane, drifts and reads
 *  it at each of the @n_times times (seconds), restores with the params
 *  of the conversion and applies global drift compensation as aihwkit's
 *  GlobalDriftCompensation.  Trial j draws the streams of tensor j under
 *  @seed, so budgets of several converters with one seed use common
 *  random numbers.  Fills out[0..n_times).  Fails with
 *  CONDMAP_ERROR_INPUT for trials < 1, a bad time or weights all 0, and
 *  as the conversion does. */
gboolean condmap_converter_error_budget (const CondmapConverter *conv,
                                         const CondmapDevice *device,
                                         const CondmapArray *weights,
                                         const double *times_s,
                                         size_t n_times, unsigned trials,
                                         guint64 seed,
                                         CondmapBudgetFlags flags,
                                         CondmapBudgetTime *out,
                                         GError **error);

/** The budget as one JSON object: {"converter": ..., "device": ...,
 *  "trials": N, "seed": S, "times": [{"time_s": ..., "rel_rms": {"mean":
 *  m, "std": s}, "rel_max": {...}, "quantization": q, "programming": p,
 *  "drift": d, "alpha": {"mean": m, "std": s}}, ...]}, on one line.  Free
 *  with g_free(). */
char *condmap_budget_to_json (const char *converter, const char *device,
                              unsigned trials, guint64 seed,
                              const CondmapBudgetTime *times, size_t n_times);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapDevice, condmap_device_free)

/* ---- Plots of error budgets (with cairo; see Plots above) ------------ */

/** A plot of error budgets over time (`condmap plot -c A -c B --device
 *  D WEIGHTS`): one line per scheme through the mean relative RMS weight
 *  error at each read time, with bars of ± one standard deviation over
 *  the trials, on a log time axis.  @title and @subtitle (may be NULL)
 *  head it.  Add the schemes with condmap_plot_add_budget(), then
 *  condmap_plot_write().  Free with condmap_plot_free(). */
CondmapPlot *condmap_plot_new_budget (const char *title,
                                      const char *subtitle, GError **error);
/** Adds scheme @name's budget, as condmap_converter_error_budget() filled
 *  @times (1 to 24 of them; every scheme should have the same times).
 *  CONDMAP_ERROR_INPUT on a plot of a scheme, or a bad count. */
gboolean condmap_plot_add_budget (CondmapPlot *plot, const char *name,
                                  const CondmapBudgetTime *times,
                                  size_t n_times, GError **error);


/* ---- Safetensors checkpoints ------------------------------------------- */

/* A safetensors file is 8 bytes of header length n (little-endian), n bytes
 * of JSON header, then the tensors' bytes.  The header maps each tensor
 * name to {"dtype": "F32", "shape": [4096, 4096], "data_offsets": [begin,
 * end]} (offsets from the end of the header) and may hold "__metadata__",
 * a mapping of strings to strings.  Tensor data is little-endian and C
 * order, and lies back to back: the format promises no alignment. */

/** The element types condmap converts.  Every other dtype of the format
 *  (I64, U8, BOOL, ...) is CONDMAP_TENSOR_DTYPE_OTHER and is carried
 *  through untouched; its name stays in CondmapTensorInfo.dtype_name. */
typedef enum {
  CONDMAP_TENSOR_DTYPE_OTHER = 0,
  CONDMAP_TENSOR_DTYPE_F64 = 1,
  CONDMAP_TENSOR_DTYPE_F32 = 2,
  CONDMAP_TENSOR_DTYPE_F16 = 3,
  CONDMAP_TENSOR_DTYPE_BF16 = 4
} CondmapTensorDtype;

/** The size in bits of one element of a safetensors dtype ("F32": 32,
 *  "BOOL": 8, "F4": 4); 0 if @name is not a dtype of the format. */
unsigned condmap_tensor_dtype_bits (const char *name);
/** "F64", "F32", "F16" or "BF16"; NULL for CONDMAP_TENSOR_DTYPE_OTHER.
 *  Static. */
const char *condmap_tensor_dtype_name (CondmapTensorDtype dtype);
/** The enum for a dtype name: F64, F32, F16 or BF16, and
 *  CONDMAP_TENSOR_DTYPE_OTHER for anything else (known or not). */
CondmapTensorDtype condmap_tensor_dtype_from_name (const char *name);

/** A checkpoint opened for reading: its file mapped read-only, its header
 *  parsed and checked.  Immutable once open: any number of threads may
 *  read it at once. */
typedef struct _CondmapSafetensors CondmapSafetensors;

/** One tensor of a checkpoint.  Pointers are owned by the checkpoint and
 *  live as long as it. */
typedef struct {
  const char *name;           /* UTF-8, no NUL inside */
  const char *dtype_name;     /* as in the header: "F32", "I64", ... */
  CondmapTensorDtype dtype;
  unsigned rank;              /* <= CONDMAP_MAX_RANK; 0 is a scalar */
  const size_t *shape;        /* rank elements */
  size_t n_elements;          /* the shape's product */
  size_t n_bytes;             /* n_elements x the dtype's size */
  guint64 offset;             /* of the first byte, from the file's start */
  const void *data;           /* n_bytes bytes of the mapping, read-only,
                                 little-endian, of any alignment */
} CondmapTensorInfo;

/** Maps @path and checks its header before anything else: the header
 *  length against the file's (and at most 100 MB, the reference
 *  implementation's limit), strict JSON, one object, no duplicate name or
 *  key, every entry with a known dtype, a shape of integers whose byte
 *  size does not overflow, and data offsets that match it and lie in the
 *  file, tensors back to back up to the file's end.  Errors:
 *  CONDMAP_ERROR_IO (cannot open or map), CONDMAP_ERROR_FORMAT naming the
 *  file and the tensor.  Tensors are numbered in the order of their data
 *  in the file.  The file must not shrink while it is open (reading a
 *  mapping past a file's end raises SIGBUS).  Free the result with
 *  condmap_safetensors_free(). */
CondmapSafetensors *condmap_safetensors_open (const char *path,
                                              GError **error);
/** Unmaps the file and frees @st.  NULL is ignored. */
void condmap_safetensors_free (CondmapSafetensors *st);
/** The path it was opened with.  Owned by @st. */
const char *condmap_safetensors_get_path (const CondmapSafetensors *st);
/** Number of tensors (the "__metadata__" entry is not one). */
size_t condmap_safetensors_get_n_tensors (const CondmapSafetensors *st);
/** Fills @info for tensor i < n.  Returns FALSE if out of range. */
gboolean condmap_safetensors_get_tensor (const CondmapSafetensors *st,
                                         size_t i, CondmapTensorInfo *info);
/** The index of the tensor named @name, or -1. */
gssize condmap_safetensors_find (const CondmapSafetensors *st,
                                 const char *name);
/** Tells the kernel the pages of tensor i are no longer needed, so that
 *  reading a checkpoint tensor by tensor keeps the resident memory of one
 *  tensor, not of the file.  Reading them again rereads the file. */
void condmap_safetensors_release (const CondmapSafetensors *st, size_t i);

/** Number of "__metadata__" entries (0 if there is none). */
size_t condmap_safetensors_get_n_metadata (const CondmapSafetensors *st);
/** The i-th metadata key and value, in the header's order.  Owned by @st;
 *  NULL if out of range. */
const char *condmap_safetensors_get_metadata_key (const CondmapSafetensors *st,
                                                  size_t i);
const char *condmap_safetensors_get_metadata_value (const CondmapSafetensors *st,
                                                    size_t i);
/** The value of metadata key @key, or NULL.  Owned by @st. */
const char *condmap_safetensors_lookup_metadata (const CondmapSafetensors *st,
                                                 const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapSafetensors, condmap_safetensors_free)

/** A checkpoint being written: first every tensor is declared (_add), so
 *  that the header is known, then _begin() writes it, then the data is
 *  written at its place, in any order and any chunks, then _commit(). */
typedef struct _CondmapSafetensorsWriter CondmapSafetensorsWriter;

/** Starts writing @path: creates a temporary file beside it, which
 *  _commit() renames into place and _abort() removes, so @path is never
 *  half-written.  Free with condmap_safetensors_writer_commit() or
 *  condmap_safetensors_writer_abort(). */
CondmapSafetensorsWriter *condmap_safetensors_writer_new (const char *path,
                                                          GError **error);
/** Declares the next tensor; tensors are numbered from 0 in this order
 *  and their data follows in this order.  @dtype is a dtype name of the
 *  format ("F32", "BF16", "I64", ...).  Refuses (CONDMAP_ERROR_INPUT) a
 *  name that is not UTF-8, is "__metadata__" or is taken, an unknown
 *  dtype, rank > CONDMAP_MAX_RANK, and a size that overflows.  Only
 *  before _begin(). */
gboolean condmap_safetensors_writer_add (CondmapSafetensorsWriter *writer,
                                         const char *name, const char *dtype,
                                         unsigned rank, const size_t *shape,
                                         GError **error);
/** Sets "__metadata__" key @key to @value (both UTF-8, else
 *  CONDMAP_ERROR_INPUT); setting a key again replaces its value.  Only
 *  before _begin(). */
gboolean condmap_safetensors_writer_set_metadata (CondmapSafetensorsWriter *writer,
                                                  const char *key,
                                                  const char *value,
                                                  GError **error);
/** Writes the header (tensors in the order added, "__metadata__" first)
 *  and sizes the file.  Fails with CONDMAP_ERROR_IO. */
gboolean condmap_safetensors_writer_begin (CondmapSafetensorsWriter *writer,
                                           GError **error);
/** Writes @n_bytes of tensor @index's data, starting @offset_bytes into
 *  it, with pwrite(): chunks may come in any order, and from several
 *  threads at once.  Data is little-endian.  Refuses (CONDMAP_ERROR_INPUT)
 *  an index or range outside the tensor; CONDMAP_ERROR_IO if the write
 *  fails.  Only after _begin(). */
gboolean condmap_safetensors_writer_write (CondmapSafetensorsWriter *writer,
                                           size_t index, guint64 offset_bytes,
                                           const void *data, size_t n_bytes,
                                           GError **error);
/** Checks every byte of every tensor was written (CONDMAP_ERROR_INPUT
 *  naming the first tensor that is not), flushes the file to disk and
 *  renames it into place.  Frees @writer whatever the outcome; on failure
 *  no file is left behind (and a previous @path stays as it was). */
gboolean condmap_safetensors_writer_commit (CondmapSafetensorsWriter *writer,
                                            GError **error);
/** Removes the temporary file and frees @writer.  NULL is ignored. */
void condmap_safetensors_writer_abort (CondmapSafetensorsWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CondmapSafetensorsWriter,
                               condmap_safetensors_writer_abort)

/* Element conversions for the kernels, over n elements; plain loops that
 * the compiler vectorises.  The file side (void *) is little-endian, of
 * any alignment, as tensors lie in a safetensors file; the other side is
 * native.  Widening is exact.  Narrowing rounds to nearest, ties to even;
 * a value too large becomes an infinity, as IEEE 754 says; a NaN stays a
 * NaN of the same sign and keeps the payload bits that fit (if none is
 * left, the lowest bit is set, as NumPy does). */
void condmap_convert_f16_to_f32 (const void *in, float *out, size_t n);
void condmap_convert_bf16_to_f32 (const void *in, float *out, size_t n);
void condmap_convert_f64_to_f32 (const void *in, float *out, size_t n);
void condmap_convert_f32_to_f16 (const float *in, void *out, size_t n);
void condmap_convert_f32_to_bf16 (const float *in, void *out, size_t n);
void condmap_convert_f32_to_f64 (const float *in, void *out, size_t n);

/** Converts n elements of a tensor of @dtype (F64, F32, F16 or BF16, as
 *  in the file: little-endian, any alignment) into floats, with the
 *  functions above (F32 is copied).  Returns FALSE for
 *  CONDMAP_TENSOR_DTYPE_OTHER. */
gboolean condmap_tensor_to_f32 (CondmapTensorDtype dtype, const void *in,
                                float *out, size_t n);
/** The same, back: floats into n elements of @dtype. */
gboolean condmap_tensor_from_f32 (CondmapTensorDtype dtype, const float *in,
                                  void *out, size_t n);

/* ---- Whole checkpoints: convert, restore, check ----------------------- */

/* A model's safetensors checkpoint converted tensor by tensor with a
 * recipe, into an output directory (OUTDIR) that appears complete or not
 * at all:
 *
 *   OUTDIR/planes.safetensors       each plane as tensor "NAME:PLANE"
 *   OUTDIR/passthrough.safetensors  the tensors not converted, and the
 *                                   checkpoint's __metadata__
 *   OUTDIR/params.yaml              per tensor: converter, resolved config,
 *                                   params, shape, dtypes, plane tensors
 *
 * (or, with CONDMAP_CHECKPOINT_NPY, OUTDIR/NAME/PLANE.npy instead of
 * planes.safetensors).  One tensor is in memory at a time: its input
 * (read through the mapping, or as float32 if it is F16 or BF16) and its
 * planes.  See docs/checkpoints.md. */

#define CONDMAP_CHECKPOINT_RECORD "params.yaml"
#define CONDMAP_CHECKPOINT_PLANES "planes.safetensors"
#define CONDMAP_CHECKPOINT_PASSTHROUGH "passthrough.safetensors"

/** Where a long run is, for a progress line.  Strings are borrowed for
 *  the call only. */
typedef struct {
  size_t index;          /* the tensor being worked on, from 0 */
  size_t n_tensors;
  const char *name;      /* its name */
  guint64 bytes_done;    /* bytes of the input done (tensors and planes
                            read or written, as the run counts them) */
  guint64 bytes_total;
  double elapsed_s;      /* since the run began */
  gboolean finished;     /* the last report of the run */
} CondmapProgress;

/** Called on the calling thread when a tensor starts, after each chunk of
 *  work and at the end.  It draws; it must not call back into the run. */
typedef void (*CondmapProgressFunc) (const CondmapProgress *progress,
                                     gpointer user_data);

/** Flags for condmap_checkpoint_convert(). */
typedef enum {
  CONDMAP_CHECKPOINT_DEFAULT = 0,
  /** Replace an existing OUTDIR once the new one is complete. */
  CONDMAP_CHECKPOINT_FORCE = 1 << 0,
  /** Planes as OUTDIR/NAME/PLANE.npy (float32 or float64 planes only);
   *  tensor names that would leave OUTDIR are refused. */
  CONDMAP_CHECKPOINT_NPY = 1 << 1
} CondmapCheckpointFlags;

/** Converts the checkpoint @model_path with @recipe
 *  (condmap_recipe_choose() for each tensor) into @outdir.  @plane_dtype
 *  is F16, F32 or F64, or CONDMAP_TENSOR_DTYPE_OTHER for the default:
 *  F64 tensors get F64 planes, the others F32.  Each tensor's planes are
 *  those condmap_converter_to_conductances() gives for the whole tensor
 *  (F16 and BF16 widened to float32 exactly first), bit for bit.
 *  Errors name the file and the tensor: those of
 *  condmap_safetensors_open() and condmap_outdir_check(), of the
 *  conversion, CONDMAP_ERROR_INPUT for a rule that converts a tensor that
 *  is not F64, F32, F16 or BF16, or a tensor name that would leave OUTDIR
 *  in npy mode, CONDMAP_ERROR_IO for a file that cannot be written.  On
 *  any error nothing is left.  @progress (may be NULL) is told how far the
 *  run is. */
gboolean condmap_checkpoint_convert (CondmapRecipe *recipe,
                                     const char *model_path,
                                     const char *outdir,
                                     CondmapCheckpointFlags flags,
                                     CondmapTensorDtype plane_dtype,
                                     CondmapProgressFunc progress,
                                     gpointer user_data, GError **error);

/** Rebuilds the whole checkpoint from @outdir into @output_path: every
 *  tensor in the original order, name, shape and dtype (F16 and BF16
 *  rounded to nearest even), the pass-through tensors and __metadata__.
 *  The planes may be measured ones that replaced the written files; a
 *  plane of another shape or dtype than recorded is refused
 *  (CONDMAP_ERROR_INPUT naming the file and the tensor).  Errors of the
 *  record are CONDMAP_ERROR_FORMAT naming params.yaml and the line.
 *  Written atomically. */
gboolean condmap_checkpoint_restore (CondmapRuntime *runtime,
                                     const char *outdir,
                                     const char *output_path,
                                     CondmapProgressFunc progress,
                                     gpointer user_data, GError **error);

/** One row of condmap_checkpoint_check(): how a tensor survives the
 *  round trip.  Strings and shape are borrowed for the call only. */
typedef struct {
  const char *name;
  const char *dtype_name;     /* "F32", "BF16", "I64", ... */
  const char *converter;      /* NULL: passes through */
  int rule;                   /* the recipe rule that matched, or -1 */
  unsigned rank;
  const size_t *shape;
  size_t n_elements;
  double max_abs_w;           /* max |w| */
  double max_abs_error;       /* max |w - w_back| */
  double rms_error;           /* sqrt (mean (w - w_back)^2) */
  double max_rel_error;       /* max_abs_error / max_abs_w (0 if all 0) */
} CondmapTensorCheck;

/** Called for each tensor, in the checkpoint's order. */
typedef void (*CondmapCheckFunc) (const CondmapTensorCheck *row,
                                  gpointer user_data);

/** Converts each tensor of @model_path that @recipe converts and back, in
 *  memory, one at a time, and reports each tensor (converted or not) to
 *  @row.  Weights come back as restore would write them (F16 and BF16
 *  rounded).  Errors as condmap_checkpoint_convert(). */
gboolean condmap_checkpoint_check (CondmapRecipe *recipe,
                                   const char *model_path,
                                   CondmapCheckFunc row, gpointer row_data,
                                   CondmapProgressFunc progress,
                                   gpointer progress_data, GError **error);

/** Whether @path looks like a safetensors file: named *.safetensors (any
 *  case), or, if it does not start with the .npy magic, its ninth byte
 *  opens a JSON object. */
gboolean condmap_path_is_safetensors (const char *path);

G_END_DECLS

#endif /* CONDMAP_H */
