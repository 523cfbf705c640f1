/* cli.h - what the subcommands of the condmap command share. */
#ifndef CONDMAP_CLI_H
#define CONDMAP_CLI_H

#include <glib.h>
#include "condmap.h"

/* Exit statuses: documented in condmap(1). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

/* Options every subcommand takes. */
typedef struct {
  char **plugin_dirs;   /* --plugin-dir, repeatable */
  int threads;          /* --threads, 0 = default */
  gboolean quiet;       /* -q */
  gboolean no_check;    /* --no-output-check */
} CliCommon;

/* Builds an option context for a subcommand with the common options
 * (writing into @common) and the subcommand's own @entries.  @usage is the
 * text after "condmap CMD", @description the text after the options
 * (examples).  Free with g_option_context_free(). */
GOptionContext *cli_context_new (const char *command, const char *usage,
                                 const char *summary, const char *description,
                                 const GOptionEntry *entries,
                                 CliCommon *common);

/* Parses argv; on a usage error prints it with a hint and returns FALSE. */
gboolean cli_parse (GOptionContext *context, int *argc, char ***argv);

/* Prints "condmap CMD: MESSAGE" and a usage hint to stderr; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error (const char *command, const char *format, ...)
  G_GNUC_PRINTF (2, 3);

/* Prints "condmap: error: MESSAGE" to stderr and frees @error; returns
 * CLI_EXIT_FAILURE.  While a signal is being handled it never returns
 * (cli_interrupt_wait_if_dying()). */
int cli_fail (GError *error);

/* The runtime for the command: --plugin-dir directories first, then
 * CONDMAP_PLUGIN_PATH, then the installed plugin directory -- or, when this
 * is the uninstalled binary of a build tree, that tree's plugins instead.
 * Applies --threads. */
CondmapRuntime *cli_runtime_new (const CliCommon *common);

/* The directory of the example configs: the source tree's configs/ for
 * the uninstalled binary, else the installed one.  Free with g_free(). */
char *cli_config_dir (void);

/* ---- array-io.c: arrays in files, the format chosen by name ---------- */

typedef enum {
  CLI_FORMAT_NONE = 0,
  CLI_FORMAT_NPY,
  CLI_FORMAT_CSV
} CliFormat;

/* "npy" or "csv" (a --format value); CLI_FORMAT_NONE otherwise. */
CliFormat cli_format_from_name (const char *name);
/* By the extension, ".npy" or ".csv" in any case; CLI_FORMAT_NONE
 * otherwise. */
CliFormat cli_format_from_path (const char *path);
/* Refuses (CONDMAP_ERROR_INPUT, naming @what) an array of @rank that
 * @format cannot hold: CSV holds 1-D and 2-D arrays only. */
gboolean cli_format_check_rank (CliFormat format, unsigned rank,
                                const char *what, GError **error);

/* Reads an array as condmap_array_read() does: a file that starts with the
 * .npy magic, or is not named *.csv, as .npy; a *.csv file as CSV of
 * @csv_dtype.  *format_out (may be NULL) says which.  Free with
 * condmap_array_free(). */
CondmapArray *cli_array_read (const char *path, CondmapDtype csv_dtype,
                              CliFormat *format_out, GError **error);
/* Writes @array in @format, atomically. */
gboolean cli_array_write (const char *path, CliFormat format,
                          const CondmapArray *array, GError **error);

/* ---- planes.c: whole-array conversions ---------------------------------- */

/* Converts @weights into K new planes of its dtype and shape
 * (CondmapArray*, freed by the array) and *params_out.  Free with
 * g_ptr_array_unref(). */
GPtrArray *cli_planes_from_weights (const CondmapConverter *conv,
                                    const CondmapArray *weights,
                                    CondmapParams **params_out,
                                    GError **error);
/* Converts K planes of n elements each (the element count of @shape, in
 * @dtype; the caller has checked them) back into new weights of @shape.
 * Free with condmap_array_free(). */
CondmapArray *cli_planes_to_weights (const CondmapConverter *conv,
                                     const GPtrArray *planes,
                                     const CondmapParams *params,
                                     CondmapDtype dtype, unsigned rank,
                                     const size_t *shape, GError **error);
/* The smallest and largest element of a non-empty array. */
void cli_array_range (const CondmapArray *array, double *min, double *max);

/* ---- planes-read.c: the planes an OUTDIR's sidecar lists ------------- */

/* Reads every plane @sc lists from @dir, in its order (the converter's),
 * refusing one whose dtype or shape differs from the record (a (1, n) CSV
 * stands for shape (n,)).  CondmapArray* elements; free with
 * g_ptr_array_unref(). */
GPtrArray *cli_planes_read (const char *dir, const CondmapSidecar *sc,
                            GError **error);

/* ---- interrupt.c: a signal leaves no temporary output behind ---------- */

/* Blocks SIGINT, SIGTERM and SIGHUP (unless ignored by whoever started
 * us) and starts the thread that handles them: condmap_cleanup_on_signal(),
 * then the signal's default action.  Call first in main(), before any
 * other thread exists. */
void cli_interrupt_init (void);
/* Never returns if a signal is being handled: the process is about to die
 * of it.  cli_fail() calls it. */
void cli_interrupt_wait_if_dying (void);

/* ---- progress.c: the progress line of checkpoint runs ----------------- */

typedef struct {
  gboolean enabled;      /* stderr is a terminal and no -q, or forced */
  gboolean forced;       /* --progress: also for short runs, and pipes */
  gboolean drawn;        /* a line is on screen */
  double last_draw_s;
} CliProgress;

void cli_progress_init (CliProgress *p, gboolean quiet, gboolean force);
/* A CondmapProgressFunc; @data is the CliProgress. */
void cli_progress_report (const CondmapProgress *progress, gpointer data);
/* Ends a line left by a run that stopped before its last report. */
void cli_progress_end (CliProgress *p);

/* ---- checkpoint.c: convert, restore and check of whole checkpoints ---- */

typedef struct {
  const char *recipe_path;   /* -r, or NULL */
  const char *config_path;   /* -c, or NULL */
  const char *plane_dtype;   /* --plane-dtype, or NULL */
  gboolean npy;              /* --format npy */
  gboolean force;            /* --force */
  gboolean progress;         /* --progress */
  double tolerance;          /* check: the largest max relative error */
} CliCheckpointOptions;

/* "f16", "f32", "f64" (any case, or F16/float16 ...): the dtype, or
 * CONDMAP_TENSOR_DTYPE_OTHER. */
CondmapTensorDtype cli_plane_dtype_from_name (const char *name);
int cli_checkpoint_convert (const CliCommon *common,
                            const CliCheckpointOptions *o,
                            const char *model, const char *outdir);
int cli_checkpoint_restore (const CliCommon *common,
                            const CliCheckpointOptions *o,
                            const char *outdir, const char *output);
int cli_checkpoint_check (const CliCommon *common,
                          const CliCheckpointOptions *o, const char *model);
/* Whether @dir holds a converted checkpoint (its passthrough.safetensors)
 * rather than one array's planes. */
gboolean cli_is_checkpoint_dir (const char *dir);

/* ---- the subcommands: each gets argv with argv[0] = its name ----------- */

int cli_cmd_list (int argc, char **argv);
int cli_cmd_describe (int argc, char **argv);
int cli_cmd_check (int argc, char **argv);
int cli_cmd_convert (int argc, char **argv);
int cli_cmd_restore (int argc, char **argv);
int cli_cmd_bench (int argc, char **argv);
int cli_cmd_plot (int argc, char **argv);

#endif
