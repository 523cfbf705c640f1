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

/* The subcommands: each gets argv with argv[0] = its name. */
int cli_cmd_list (int argc, char **argv);
int cli_cmd_check (int argc, char **argv);

#endif
