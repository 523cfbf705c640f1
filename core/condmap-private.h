/* condmap-private.h - declarations shared between the files of libcondmap.
 * Not installed.  Internal names start with cm_. */
#ifndef CONDMAP_PRIVATE_H
#define CONDMAP_PRIVATE_H

#include <stdio.h>
#include "condmap.h"

G_BEGIN_DECLS

/* The core's per-element loops (statistics, plane checks, the floor) get
 * AVX-512 (x86-64-v4) and AVX2 clones on x86-64, picked by the loader on
 * CPUs that have them; -ffp-contract=off keeps their rounding alike.  Not
 * under ThreadSanitizer, whose runtime is not ready when ifunc resolvers
 * run. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) \
    && defined(__ELF__) && !defined(__SANITIZE_THREAD__)
#  define CM_CLONES \
  __attribute__ ((target_clones ("arch=x86-64-v4", "avx2", "default")))
#else
#  define CM_CLONES
#endif

/* ---- yaml-doc.c: strict YAML loading into a small tree ----------------- */

/* Deepest nesting a config or sidecar may have; deeper input is refused
 * before it can exhaust anything. */
#define CM_YAML_MAX_DEPTH 32

typedef enum {
  CM_NODE_SCALAR,
  CM_NODE_SEQUENCE,
  CM_NODE_MAPPING
} CmNodeKind;

typedef struct _CmNode CmNode;
struct _CmNode {
  CmNodeKind kind;
  unsigned line;        /* 1-based position of the node's start */
  unsigned column;      /* 1-based */
  char *value;          /* scalar text (NUL-terminated); NULL otherwise */
  gboolean plain;       /* scalar written without quotes */
  GPtrArray *children;  /* sequence: items; mapping: key, value, key, value, ...
                           (CmNode*, owned); NULL for scalars */
};

/* Parses YAML text under condmap's rules: exactly one document, no
 * anchors, aliases or tags, no duplicate keys in a mapping, scalar keys
 * only, depth <= CM_YAML_MAX_DEPTH.  An empty stream is refused
 * (CONDMAP_ERROR_CONFIG); a syntax error is CONDMAP_ERROR_PARSE with
 * "origin:line:column: problem".  Free the result with cm_node_free(). */
CmNode *cm_yaml_load (const char *text, gsize length, const char *origin,
                      GError **error);
/* Reads a whole file (CONDMAP_ERROR_IO if it cannot) and loads it. */
CmNode *cm_yaml_load_file (const char *path, GError **error);
void cm_node_free (CmNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmNode, cm_node_free)

/* Value node for @key in a mapping, or NULL. */
const CmNode *cm_node_lookup (const CmNode *mapping, const char *key);
/* Whether a scalar is YAML null: plain "", "~", "null", "Null", "NULL". */
gboolean cm_node_is_null (const CmNode *node);
/* Parses a plain scalar as a YAML number (integers, decimals, exponents,
 * .inf/.nan forms), locale-proof.  Returns FALSE if it is not a number
 * (quoted scalars are never numbers).  Non-finite values are returned as
 * such; the caller decides. */
gboolean cm_node_to_double (const CmNode *node, double *value);
/* Parses a plain scalar as YAML 1.2 core booleans: true, True, TRUE, false,
 * False, FALSE.  FALSE if not boolean. */
gboolean cm_node_to_boolean (const CmNode *node, gboolean *value);
/* Sets error @code with "ORIGIN:LINE: MESSAGE", the line of @at, and
 * returns FALSE: how every reader of a YAML file reports a bad node. */
gboolean cm_node_error (GError **error, CondmapError code, const char *origin,
                        const CmNode *at, const char *format, ...)
  G_GNUC_PRINTF (5, 6);
/* The start of @text for a message, cut after 40 characters (keys and
 * values may be huge; UTF-8, as libyaml has checked).  Free with g_free(). */
char *cm_quote_text (const char *text);
/* A short description of what the node is, for messages: "a list",
 * "a mapping", "the string 'twenty'".  Free with g_free(). */
char *cm_node_describe (const CmNode *node);

/* ---- suggest.c: did-you-mean ------------------------------------------- */

/* Returns the candidate closest to @word by edit distance if it is close
 * enough to be a likely typo, else NULL.  Borrowed from @candidates. */
const char *cm_suggest (const char *word, const char *const *candidates,
                        gsize n_candidates);

/* ---- config.c: validation against declared settings -------------------- */

/* A resolved setting, recorded for the plugin's accessors and the sidecar. */
typedef enum {
  CM_VALUE_DOUBLE,   /* numbers and integers */
  CM_VALUE_BOOLEAN,
  CM_VALUE_LIST,     /* values[0..cols) */
  CM_VALUE_TABLE,    /* values[0..rows*cols), row-major */
  CM_VALUE_STRING
} CmValueKind;

typedef struct {
  char *key;
  CmValueKind kind;
  double number;
  gboolean boolean;
  double *values;
  size_t rows;
  size_t cols;
  char *string;
} CmResolved;

void cm_resolved_free (CmResolved *resolved);
CmResolved *cm_resolved_copy (const CmResolved *resolved);

/* A plugin's declared settings, copied by the loader into the host's own
 * layout (a plugin built with a shorter CondmapSettingDecl gets zeroes in
 * the members it does not know). */
typedef struct {
  CondmapSettingDecl *decls;
  size_t n;
} CmDeclTable;

/* The settings of one converter: a config mapping checked against a
 * declared table. */
typedef struct _CmSettings CmSettings;

/* Wraps a mapping node (borrowed: it must outlive the settings; may be
 * NULL for "no keys").  @origin names the file in messages.  @skip_key
 * (may be NULL) is a key the core consumes itself, such as "converter". */
CmSettings *cm_settings_new (const CmNode *mapping, const char *origin,
                             const char *skip_key, const CmDeclTable *decls);
void cm_settings_free (CmSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmSettings, cm_settings_free)

/* Marks each of the NULL-terminated @keys that the mapping holds as
 * consumed by the core (cm_core_keys): the plugin never sees them. */
void cm_settings_consume_keys (CmSettings *settings, const char *const *keys);

/* Refuses undeclared keys (CONDMAP_ERROR_UNKNOWN_KEY, with a did-you-mean),
 * then reads every declared key: type, range, length, presence
 * (CONDMAP_ERROR_CONFIG with file:line), defaults filled in, and the
 * declared bounds in order. */
gboolean cm_settings_validate (CmSettings *settings, GError **error);
/* The first step of cm_settings_validate(), in unknown-key.c. */
gboolean cm_settings_check_declared (CmSettings *settings, GError **error);
/* The resolved value of a declared @key, or NULL (undeclared, or an
 * optional list or table that is absent).  Owned by @settings. */
const CmResolved *cm_settings_lookup (const CmSettings *settings,
                                      const char *key);
const char *cm_settings_get_origin (const CmSettings *settings);
/* Index of @key among the keys of the mapping, or -1; its value node's
 * line is where a message about it points. */
unsigned cm_settings_key_line (const CmSettings *settings, const char *key);

/* Takes the resolved values (CmResolved*, in declaration order; the array
 * frees its elements). */
GPtrArray *cm_settings_steal_resolved (CmSettings *settings);

/* The rule of @d's range in words ("> 0", "in [0, 1]"), or NULL if it has
 * none.  Free with g_free(). */
char *cm_decl_describe_range (const CondmapSettingDecl *d);

/* Formats resolved values as one line of flow-style YAML:
 * "{g_min: 0, g_max: 25, f_lst: [1, 3]}", every number with the fewest
 * digits that read back as the same double.  Free with g_free(). */
char *cm_resolved_to_flow_yaml (const GPtrArray *resolved);

/* Formats @v with the fewest significant digits (15 to 17) that read back
 * as the same double, locale-proof, into @buf (G_ASCII_DTOSTR_BUF_SIZE
 * bytes); returns @buf. */
char *cm_format_double (char *buf, size_t len, double v);

/* ---- host.c: the host table and the context of a plugin call ------------ */

typedef struct _CmPlugin CmPlugin;   /* plugin-loader.c, below */

/* The host table every plugin gets.  Static. */
const CondmapHost *cm_host (void);

/* The context of one create() or plan() call: the settings it reads
 * (NULL for plan()), and the first error it reports. */
struct _CondmapContext {
  const CmSettings *settings;
  const char *origin;       /* plan(): the config's file, for messages */
  GHashTable *key_lines;    /* plan(): key -> its line in the config */
  const char *plugin_name;
  const char *plugin_path;
  const CmDeclTable *decls;
  const char *const *param_names;
  GError *error;            /* the first error reported */
  GPtrArray *warnings;      /* char*, may be NULL: warnings dropped */
  gpointer level_table;     /* get_level_table()'s CmLevels, or NULL */
};

/* Initialises @ctx for a call of @plugin; clear with cm_context_clear(). */
void cm_context_init (CondmapContext *ctx, const CmPlugin *plugin,
                      const CmSettings *settings, GPtrArray *warnings);
void cm_context_clear (CondmapContext *ctx);

/* ---- params.c ------------------------------------------------------------ */
/* (public API in condmap.h and condmap-plugin.h) */

/* ---- runtime.c and plugin-loader.c --------------------------------------- */

struct _CmPlugin {
  char *path;                        /* the file, or "(registered)" */
  void *handle;                      /* from dlopen; NULL if registered */
  const CondmapPluginDesc *desc;
  const CondmapConverterOps *ops;    /* converters: the kind's ops */
  const CondmapDeviceOps *device_ops;   /* device models: theirs */
  CmDeclTable decls;                 /* the settings, in the host's layout */
  size_t n_params;                   /* length of ops->param_names */
};

/* Opens a shared object and checks its descriptor: the symbol, the ABI
 * version (CONDMAP_ERROR_ABI, both versions in the message), struct_size,
 * a valid name, and every required function present (CONDMAP_ERROR_PLUGIN).
 * Free with cm_plugin_free(). */
CmPlugin *cm_plugin_load (const char *path, GError **error);
/* Checks a descriptor from anywhere (a file, or registered in-process) and
 * makes the plugin record; @path names it in messages.  Takes no
 * ownership of @handle unless it succeeds. */
CmPlugin *cm_plugin_new (const char *path, void *handle,
                         const CondmapPluginDesc *desc, GError **error);
void cm_plugin_free (CmPlugin *plugin);

/* The loaded converter named @name, or NULL.  Owned by the runtime. */
const CmPlugin *cm_runtime_find_plugin (const CondmapRuntime *runtime,
                                        const char *name);
/* The names of the loaded converters, NULL-terminated.  Free the array
 * with g_free() (the strings are the runtime's). */
const char **cm_runtime_dup_plugin_names (const CondmapRuntime *runtime);
/* The same for plugins of @kind (a CondmapPluginKind; 0: any kind). */
const CmPlugin *cm_runtime_find_plugin_of_kind (const CondmapRuntime *runtime,
                                                unsigned kind,
                                                const char *name);
const char **cm_runtime_dup_names_of_kind (const CondmapRuntime *runtime,
                                           unsigned kind);

/* ---- core-keys.c: the keys the core reads for every converter ---------- */

/* The top-level config keys the core consumes itself ("converter",
 * "scaling", "clip"): no plugin sees them.  NULL-terminated. */
extern const char *const cm_core_keys[];

/* What `scaling:` and `clip:` say.  All zero: per tensor, no clipping. */
typedef struct {
  gboolean per_channel;     /* scaling: {per: channel} */
  gint axis;                /* scaling.axis as written; < 0 counts from the end */
  double clip_max_abs;      /* clip.max_abs; 0: not given */
  double clip_sigma;        /* clip.sigma; 0: not given */
  double clip_percentile;   /* clip.percentile; 0: not given */
} CmCoreKeys;

/* Reads `scaling` and `clip` of a config mapping (NULL: none) into @keys:
 * CONDMAP_ERROR_CONFIG at the line of a bad value,
 * CONDMAP_ERROR_UNKNOWN_KEY with a did-you-mean for an unknown sub-key. */
gboolean cm_core_keys_read (const CmNode *mapping, const char *origin,
                            CmCoreKeys *keys, GError **error);
/* Whether the keys ask for clipping. */
gboolean cm_core_keys_clip (const CmCoreKeys *keys);
/* Whether the keys are the defaults (per tensor, no clipping). */
gboolean cm_core_keys_is_default (const CmCoreKeys *keys);
/* Appends the keys that are not defaults to a flow mapping being built in
 * @out ("{g_max: 40" -> "{g_max: 40, scaling: {per: channel, axis: 0}"),
 * with ", " before each unless @out is just "{". */
void cm_core_keys_append_flow (const CmCoreKeys *keys, GString *out);
/* The whole resolved config as one flow mapping: the plugin's settings
 * (cm_resolved_to_flow_yaml) and the core keys that are not defaults.
 * Free with g_free(). */
char *cm_config_to_flow_yaml (const GPtrArray *resolved,
                              const CmCoreKeys *keys);

/* ---- converter.c --------------------------------------------------------- */

typedef struct _CmConverterLevels CmConverterLevels;   /* levels-key.c */

struct _CondmapConverter {
  CondmapRuntime *runtime;     /* a reference: keeps the plugin loaded */
  const CmPlugin *plugin;      /* owned by the runtime */
  void *state;                 /* from the plugin's create() */
  unsigned n_planes;
  GPtrArray *resolved;         /* CmResolved*, the config with defaults */
  GPtrArray *warnings;         /* char*: what create() warned about */
  char *origin;                /* the config's file, for plan() messages */
  GHashTable *key_lines;       /* key -> line (GUINT_TO_POINTER) */
  gboolean round_trip_check;   /* FALSE: the user turned the check off */
  gboolean has_bounds;         /* g_min/g_max known: planes are checked */
  double g_min_us;
  double g_max_us;
  CmCoreKeys core;             /* scaling and clip */
  CmConverterLevels *levels;   /* `levels:`, or NULL */
};

/* Creates a converter from a config mapping that holds the `converter` key
 * and the settings. */
CondmapConverter *cm_converter_new_from_node (CondmapRuntime *runtime,
                                              const CmNode *root,
                                              const char *origin,
                                              GError **error);
/* Creates a converter for plugin @name with the settings in @mapping (may
 * be NULL), as recorded in a sidecar. */
CondmapConverter *cm_converter_new_named (CondmapRuntime *runtime,
                                          const char *name,
                                          const CmNode *mapping,
                                          const char *origin,
                                          GError **error);

/* ---- levels-key.c: the `levels:` key every converter accepts ----------- */

/* Reads `levels:` from the config mapping (absent: nothing to do), after
 * create(): the bounds are the converter's, a converter that declares
 * CONDMAP_INTERFACE_LEVELS_UNIFORM is handed uniform levels to place
 * itself, and a pair scheme that declares CONDMAP_INTERFACE_LEVEL_PAIRS
 * gets joint assignment.  Errors are CONDMAP_ERROR_CONFIG (or
 * _UNKNOWN_KEY, _FORMAT, _IO) with the file and line. */
gboolean cm_converter_read_levels (CondmapConverter *conv,
                                   const CmNode *mapping, const char *origin,
                                   GError **error);
void cm_converter_levels_free (CmConverterLevels *levels);
/* Puts a chunk of the n_planes planes g[k][0..n) on levels. */
void cm_converter_levels_apply (const CmConverterLevels *levels,
                                CondmapDtype dtype, unsigned n_planes,
                                void *const *g, size_t n);

/* ---- pipeline.c ----------------------------------------------------------- */

/* Work on elements [begin, end) of a job, by worker @worker < n_workers. */
typedef void (*CmWorkFunc) (gpointer job, size_t begin, size_t end,
                            unsigned worker);

/* Splits [0, n) into at most @n_workers contiguous ranges and runs @func
 * on each, in parallel threads, returning when all are done.  Small n runs
 * on the calling thread only.  Returns the number of workers used. */
unsigned cm_run_parallel (unsigned n_workers, size_t n, CmWorkFunc func,
                          gpointer job);

/* ---- scan.c ------------------------------------------------------------------- */

/* Min and max of n >= 1 elements, and whether any is NaN or Inf (then min
 * and max are meaningless).  Vectorised. */
void cm_scan_stats (CondmapDtype dtype, const void *data, size_t n,
                    double *min, double *max, gboolean *bad);

/* ---- array.c --------------------------------------------------------------- */

/* Multiplies the dimensions into *n, refusing overflow of the element
 * count or of the byte size n * elem_size. */
gboolean cm_shape_product (unsigned rank, const size_t *shape, size_t elem_size,
                           size_t *n, GError **error);

/* ---- input-file.c ------------------------------------------------------- */

struct stat;
/* Opens @path for reading if it is a regular file, filling *st; a FIFO or
 * device is refused (CONDMAP_ERROR_IO) without blocking.  Close with
 * fclose(). */
FILE *cm_open_regular (const char *path, struct stat *st, GError **error);
/* Reads a whole regular file (as cm_open_regular() opens it), NUL-terminated,
 * its length in *len; CONDMAP_ERROR_IO if it cannot.  Free with g_free(). */
char *cm_read_regular_file (const char *path, size_t *len, GError **error);

/* ---- atomic-file.c: never a half-written file ---------------------------- */

/* A file being written under a temporary name beside its destination. */
typedef struct _CmAtomicFile CmAtomicFile;

/* Creates "DIR/.NAME.XXXXXX" beside @path and opens it for writing. */
CmAtomicFile *cm_atomic_file_new (const char *path, GError **error);
/* The stream to write to. */
FILE *cm_atomic_file_get_stream (CmAtomicFile *file);
/* Its file descriptor, for positioned writes (pwrite) that bypass the
 * stream; do not mix them with writes to the stream. */
int cm_atomic_file_get_fd (CmAtomicFile *file);
/* Flushes, checks every write succeeded (a full disk is an error), and
 * renames the file into place.  Frees @file whatever the outcome; on
 * failure the temporary file is removed. */
gboolean cm_atomic_file_commit (CmAtomicFile *file, GError **error);
/* Removes the temporary file and frees @file.  NULL is ignored. */
void cm_atomic_file_abort (CmAtomicFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmAtomicFile, cm_atomic_file_abort)

/* ---- temporaries.c: what condmap_cleanup_on_signal() removes ---------- */

/* The registration of one temporary file or directory. */
typedef struct _CmGuard CmGuard;

/* Starts creating a temporary for the output @path: blocks asynchronous
 * signals in this thread until cm_guard_set() and reserves a slot.  Fails
 * (CONDMAP_ERROR_IO, naming @path) once condmap_cleanup_on_signal() has
 * begun.  Create the temporary, then call cm_guard_set(), or
 * cm_guard_free() if it could not be created. */
CmGuard *cm_guard_new (const char *path, GError **error);
/* The temporary now exists at @tmp_path: a file (@children NULL) or a
 * directory that can hold only the files named in @children.  Both are
 * copied.  Unblocks signals. */
void cm_guard_set (CmGuard *guard, const char *tmp_path,
                   const char *const *children);
/* Before the rename that publishes the temporary as @path: blocks signals
 * until cm_guard_free().  FALSE (CONDMAP_ERROR_IO) if the cleanup has
 * taken the temporary: do not rename it. */
gboolean cm_guard_publish (CmGuard *guard, const char *path, GError **error);
/* Forgets the temporary, once renamed or removed (in that order: a signal
 * in between must still find it), and unblocks signals.  NULL is
 * ignored. */
void cm_guard_free (CmGuard *guard);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmGuard, cm_guard_free)

/* ---- outdir.c ---------------------------------------------------------- */

/* Removes a directory tree without following symbolic links.  Returns
 * FALSE (errno set) if something could not be removed. */
gboolean cm_remove_tree (const char *path);

/* An output directory built as "PATH.tmp-XXXXXX" and renamed into place
 * when complete (condmap_converter_convert_to_dir() and the checkpoint's
 * OUTDIR).  Start from { NULL }; clear with cm_outdir_clear(), which
 * removes the temporary unless it was committed. */
typedef struct {
  char *path;          /* the destination, without trailing slashes */
  gboolean force;
  char *tmp;           /* the directory being built; NULL before/after */
  CmGuard *guard;      /* its registration */
} CmOutdir;

/* Checks @path may be written (condmap_outdir_check()) and records it. */
gboolean cm_outdir_prepare (CmOutdir *o, const char *path, gboolean force,
                            GError **error);
/* Creates the temporary directory, registered so that a signal removes
 * it and @children (paths inside it, files before the subdirectories
 * that hold them). */
gboolean cm_outdir_create (CmOutdir *o, const char *const *children,
                           GError **error);
/* Renames the temporary into place (replacing PATH with @force). */
gboolean cm_outdir_commit (CmOutdir *o, GError **error);
void cm_outdir_clear (CmOutdir *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmOutdir, cm_outdir_clear)

/* Writes @outdir as condmap_converter_convert_to_dir() does (complete or
 * not at all; CONDMAP_OUTDIR_FORCE replaces): the planes (CondmapArray*)
 * under @files (NULL-terminated; *.csv as CSV, else .npy) and the
 * sidecar. */
gboolean cm_outdir_write (const char *outdir, CondmapOutdirFlags flags,
                          const char *const *files, const GPtrArray *planes,
                          const CondmapSidecar *sidecar, GError **error);

G_END_DECLS

#endif /* CONDMAP_PRIVATE_H */
