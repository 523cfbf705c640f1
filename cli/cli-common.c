/* cli-common.c - options, messages and runtime set-up shared by the
 * subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#ifndef CONDMAP_BUILD_DIR
#  error "CONDMAP_BUILD_DIR must be defined by the build"
#endif

GOptionContext *
cli_context_new (const char *command, const char *usage, const char *summary,
                 const char *description, const GOptionEntry *entries,
                 CliCommon *common)
{
  const GOptionEntry common_entries[] = {
    { "plugin-dir", 'P', 0, G_OPTION_ARG_FILENAME_ARRAY, &common->plugin_dirs,
      "Load plugins from DIR first (repeatable)", "DIR" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &common->threads,
      "Threads per conversion (default: CONDMAP_THREADS, else all cores)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &common->quiet,
      "Print only errors", NULL },
    { "no-output-check", 0, 0, G_OPTION_ARG_NONE, &common->no_check,
      "Do not check that plugins write finite planes inside [g_min, g_max] "
      "(faster; the check is on by default)", NULL },
    { NULL }
  };
  GOptionContext *context = g_option_context_new (usage);

  g_option_context_set_summary (context, summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, common_entries, NULL);
  return context;
}

gboolean
cli_parse (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  fprintf (stderr, "condmap %s: %s\nTry 'condmap %s --help'.\n",
           (*argv)[0], error->message, (*argv)[0]);
  return FALSE;
}

int
cli_usage_error (const char *command, const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  fprintf (stderr, "condmap %s: %s\nTry 'condmap %s --help'.\n",
           command, msg, command);
  return CLI_EXIT_USAGE;
}

int
cli_fail (GError *error)
{
  cli_interrupt_wait_if_dying ();
  fprintf (stderr, "condmap: error: %s\n", error->message);
  g_error_free (error);
  return CLI_EXIT_FAILURE;
}

/* Whether this process is the uninstalled binary in the build tree (run
 * directly or through libtool's wrapper). */
static gboolean
running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;

  if (exe == NULL)
    return FALSE;
  dir = g_path_get_dirname (exe);
  return strcmp (dir, CONDMAP_BUILD_DIR "/cli/.libs") == 0
         || strcmp (dir, CONDMAP_BUILD_DIR "/cli") == 0;
}

char *
cli_config_dir (void)
{
  if (running_uninstalled ())
    return g_strdup (CONDMAP_SRC_DIR "/configs");
  return g_strdup (CONDMAP_CONFIG_DIR);
}

CondmapRuntime *
cli_runtime_new (const CliCommon *common)
{
  g_autoptr (GPtrArray) dirs = g_ptr_array_new ();
  CondmapRuntimeFlags flags = CONDMAP_RUNTIME_DEFAULT;
  CondmapRuntime *rt;

  for (guint i = 0; common->plugin_dirs && common->plugin_dirs[i]; i++)
    g_ptr_array_add (dirs, common->plugin_dirs[i]);
  /* A build tree's binary uses that tree's plugins, never installed ones,
   * so that it works before 'make install' and tests what was built. */
  if (running_uninstalled ())
    {
      g_ptr_array_add (dirs, (gpointer) CONDMAP_BUILD_DIR "/plugins/.libs");
      flags |= CONDMAP_RUNTIME_NO_SYSTEM_DIR;
    }
  g_ptr_array_add (dirs, NULL);
  rt = condmap_runtime_new ((const char *const *) dirs->pdata, flags);
  if (common->threads > 0)
    condmap_runtime_set_n_threads (rt, (unsigned) common->threads);
  condmap_runtime_set_output_check (rt, !common->no_check);
  return rt;
}
