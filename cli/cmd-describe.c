/* cmd-describe.c - condmap describe: the settings a plugin declares, as
 * the core validates them. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

int
cli_cmd_describe (int argc, char **argv)
{
  CliCommon common = { 0 };
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "Output format: text (default) or markdown", "FORMAT" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("describe", "NAME",
    "Prints the settings that plugin NAME declares: each key with its type, "
    "unit, default, the rule its value must satisfy and what it means.  "
    "These are the keys a config for NAME may hold; the core checks them "
    "before the plugin sees them.",
    "Examples:\n"
    "  condmap describe dual-pair\n"
    "  condmap describe --format markdown custom-pair > custom-pair.md\n"
    "\n"
    "See 'condmap list' for the plugins found.\n", entries, &common);
  g_autoptr (CondmapRuntime) rt = NULL;
  CondmapDescribeFormat fmt = CONDMAP_DESCRIBE_TEXT;
  GError *error = NULL;
  char *text;

  if (!cli_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 2)
    return cli_usage_error ("describe", argc < 2 ? "name a plugin, e.g. "
                            "'condmap describe dual-pair'"
                            : "unexpected argument '%s'", argv[argc - 1]);
  if (format != NULL && strcmp (format, "markdown") == 0)
    fmt = CONDMAP_DESCRIBE_MARKDOWN;
  else if (format != NULL && strcmp (format, "text") != 0)
    return cli_usage_error ("describe", "unknown --format '%s': use text or "
                            "markdown", format);
  rt = cli_runtime_new (&common);
  g_strfreev (common.plugin_dirs);
  text = condmap_runtime_describe_plugin (rt, argv[1], fmt, &error);
  if (text == NULL)
    return cli_fail (error);
  fputs (text, stdout);
  g_free (text);
  return CLI_EXIT_OK;
}
