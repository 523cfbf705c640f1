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

/* ---- clip-report.c, sensitivity.c, planes.c: scaling and clipping in
 * check ------------------------------------------------------------------ */

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
/* Prints how far 1 µS more on a device moves its weight, on average over
 * the weights @w (each weight taking its most sensitive device): each of
 * @planes in turn is raised by 1 µS, restored against @back, and put back
 * as it was. */
gboolean cli_report_sensitivity (const CondmapConverter *conv,
                                 const CondmapArray *w, GPtrArray *planes,
                                 const CondmapParams *params,
                                 const CondmapArray *back, GError **error);
/* The mean of a non-empty array. */
double cli_array_mean (const CondmapArray *array);

/* ---- calibrate.c: restore --calibrate ------------------------------------ */

/* Reads the reference weights (of @weights' dtype and shape), fits and
 * applies the least-squares gain of each channel of @conv's scaling to
 * @weights, and prints the gains unless @quiet. */
gboolean cli_calibrate (const CondmapConverter *conv, CondmapArray *weights,
                        const char *reference_path, gboolean quiet,
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

/* ---- budget.c: the error budget of schemes on a device --------------- */

/* The options of `check --device` and `compare`. */
typedef struct {
  char *device;               /* --device DEVICE.yaml */
  char *times;                /* --time 0,1h,1d,1y; NULL: those four */
  int trials;                 /* --trials, set to the default (20) first */
  char *seed;                 /* --seed; NULL: 0 */
  gboolean no_compensation;   /* --no-compensation */
  gboolean json;              /* --json */
} CliBudgetOptions;

#define CLI_BUDGET_DEFAULT_TRIALS 20

/* Parses a --seed value (NULL: 0); on a bad one prints a usage error for
 * @command and returns FALSE. */
gboolean cli_parse_seed (const char *command, const char *text,
                         guint64 *seed);
/* Checks the budget options: CLI_EXIT_OK with the times and seed, or the
 * usage error's status (printed). */
int cli_budget_prepare (const char *command, const CliBudgetOptions *o,
                        double **times, size_t *n_times, guint64 *seed);
/* Computes the budget of each config on the device for the weights and
 * prints it: one table (check), one ranking per time (compare), or JSON
 * (one object; compare: a list).  Returns the exit status. */
int cli_budget_run (const char *command, const CliCommon *common,
                    const CliBudgetOptions *o, char *const *configs,
                    size_t n_configs, const char *weights_path);

/* ---- the subcommands: each gets argv with argv[0] = its name ----------- */

int cli_cmd_list (int argc, char **argv);
int cli_cmd_describe (int argc, char **argv);
int cli_cmd_check (int argc, char **argv);
int cli_cmd_convert (int argc, char **argv);
int cli_cmd_restore (int argc, char **argv);
int cli_cmd_bench (int argc, char **argv);
int cli_cmd_plot (int argc, char **argv);
int cli_cmd_simulate (int argc, char **argv);
int cli_cmd_compare (int argc, char **argv);

#endif
