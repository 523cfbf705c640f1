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
 * CLI_EXIT_FAILURE. */
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
/* "npy" or "csv".  Static. */
const char *cli_format_name (CliFormat format);
/* Refuses (CONDMAP_ERROR_INPUT, naming @what) an array of @rank that
 * @format cannot hold: CSV holds 1-D and 2-D arrays only. */
gboolean cli_format_check_rank (CliFormat format, unsigned rank,
                                const char *what, GError **error);

/* Reads an array: a file that starts with the .npy magic, or is not named
 * *.csv, as .npy; a *.csv file as CSV of @csv_dtype.  *format_out (may be
 * NULL) says which.  Free with condmap_array_free(). */
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

/* ---- clip-report.c and planes.c: scaling and clipping in check -------- */

/* For a converter that clips: prints how many of @w's weights were beyond
 * their threshold (from @params), the error they contribute to the round
 * trip w -> @back, and the round-trip error of the others.  Nothing for a
 * converter that does not clip. */
gboolean cli_report_clipping (const CondmapConverter *conv,
                              const CondmapArray *w, const CondmapArray *back,
                              const CondmapParams *params, GError **error);
/* Prints the smallest and largest value of each param over the rows
 * (after "converter ..., shape ..." of convert's summary). */
void cli_print_param_ranges (const CondmapParams *params);
/* The mean of a non-empty array. */
double cli_array_mean (const CondmapArray *array);

/* ---- calibrate.c: restore --calibrate ------------------------------------ */

/* Reads the reference weights (of @weights' dtype and shape), fits and
 * applies the least-squares gain of each channel of @conv's scaling to
 * @weights, and prints the gains unless @quiet. */
gboolean cli_calibrate (const CondmapConverter *conv, CondmapArray *weights,
                        const char *reference_path, gboolean quiet,
                        GError **error);

/* ---- outdir.c: an output directory that appears complete or not at all - */

typedef struct _CliOutdir CliOutdir;

/* Checks that @path may be written, before any work: an existing @path is
 * refused with CONDMAP_ERROR_EXISTS unless @force.  Changes nothing on
 * disk.  Free with cli_outdir_free(). */
CliOutdir *cli_outdir_new (const char *path, gboolean force, GError **error);
/* Creates the directory to build in, "PATH.tmp-XXXXXX" beside @path (same
 * file system, so the final rename is atomic), and returns its name.
 * Owned by @outdir. */
const char *cli_outdir_create (CliOutdir *outdir, GError **error);
/* Renames the finished directory to @path.  With force, an existing @path
 * is moved aside first and deleted after; if the rename fails it is put
 * back.  On failure the built directory is removed. */
gboolean cli_outdir_commit (CliOutdir *outdir, GError **error);
/* Removes the built directory unless committed, and frees @outdir.  NULL
 * is ignored. */
void cli_outdir_free (CliOutdir *outdir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliOutdir, cli_outdir_free)

/* Removes a directory tree without following symbolic links.  Returns
 * FALSE (errno set) if something could not be removed. */
gboolean cli_remove_tree (const char *path);

/* ---- interrupt.c: a signal leaves no temporary output behind ---------- */

/* Blocks SIGINT, SIGTERM and SIGHUP and starts the thread that handles
 * them: it removes what is guarded, then lets the signal kill the process.
 * Call first in main(), before any other thread exists. */
void cli_interrupt_init (void);
/* A directory tree, or the temporaries of an atomic write to a file (the
 * file itself is kept), that a signal removes.  Copied. */
void cli_interrupt_guard_dir (const char *path);
void cli_interrupt_guard_file (const char *path);
/* Forgets what is guarded. */
void cli_interrupt_unguard (void);
/* A critical section, such as the rename that publishes an output: a
 * signal arriving meanwhile is handled after cli_interrupt_release(). */
void cli_interrupt_hold (void);
void cli_interrupt_release (void);

/* ---- the subcommands: each gets argv with argv[0] = its name ----------- */

int cli_cmd_list (int argc, char **argv);
int cli_cmd_describe (int argc, char **argv);
int cli_cmd_check (int argc, char **argv);
int cli_cmd_convert (int argc, char **argv);
int cli_cmd_restore (int argc, char **argv);
int cli_cmd_bench (int argc, char **argv);

#endif
