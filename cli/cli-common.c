/* cli-common.c - options, messages and runtime set-up shared by the
 * subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#ifndef CONDMAP_CONFIG_DIR
#  error "CONDMAP_CONFIG_DIR must be defined by the build"
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

/* The top of the build tree this binary runs from (BUILD/cli/condmap, or
 * BUILD/cli/.libs/condmap behind libtool's wrapper), or NULL if it is
 * installed.  Found at run time, so no build path is compiled in. */
static char *
build_tree_top (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *top = NULL;
  g_autofree char *marker = NULL;

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  base = g_path_get_basename (dir);
  if (strcmp (base, ".libs") == 0)
    {
      char *up = g_path_get_dirname (dir);
      g_free (dir);
      dir = up;
      g_free (base);
      base = g_path_get_basename (dir);
    }
  if (strcmp (base, "cli") != 0)
    return NULL;
  top = g_path_get_dirname (dir);
  marker = g_build_filename (top, "config.status", NULL);
  return g_file_test (marker, G_FILE_TEST_EXISTS) ? g_steal_pointer (&top)
                                                  : NULL;
}

/* The source tree of build tree @top: the same directory, or the one its
 * Makefile names as abs_top_srcdir (a VPATH build). */
static char *
source_tree_of (const char *top)
{
  g_autofree char *makefile = g_build_filename (top, "Makefile", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (makefile, &text, NULL, NULL))
    return g_strdup (top);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "abs_top_srcdir = "))
      return g_strstrip (g_strdup (lines[i] + strlen ("abs_top_srcdir = ")));
  return g_strdup (top);
}

char *
cli_config_dir (void)
{
  g_autofree char *top = build_tree_top ();
  g_autofree char *src = NULL;

  if (top == NULL)
    return g_strdup (CONDMAP_CONFIG_DIR);
  src = source_tree_of (top);
  return g_build_filename (src, "configs", NULL);
}

CondmapRuntime *
cli_runtime_new (const CliCommon *common)
{
  g_autoptr (GPtrArray) dirs = g_ptr_array_new ();
  CondmapRuntimeFlags flags = CONDMAP_RUNTIME_DEFAULT;
  CondmapRuntime *rt;

  for (guint i = 0; common->plugin_dirs && common->plugin_dirs[i]; i++)
    g_ptr_array_add (dirs, common->plugin_dirs[i]);
  /* A build tree's libcondmap uses that tree's plugins instead of the
   * installed ones (condmap_runtime_new() finds them beside it), so the
   * command works before 'make install' and tests what was built. */
  g_ptr_array_add (dirs, NULL);
  rt = condmap_runtime_new ((const char *const *) dirs->pdata, flags);
  if (common->threads > 0)
    condmap_runtime_set_n_threads (rt, (unsigned) common->threads);
  condmap_runtime_set_output_check (rt, !common->no_check);
  return rt;
}
