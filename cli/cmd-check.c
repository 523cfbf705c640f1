/* cmd-check.c - condmap check: validate a config and test its round trip. */
#include <stdio.h>
#include "cli.h"

static void
print_converter (const char *path, const CondmapConverter *conv)
{
  g_autofree char *config = condmap_converter_dup_config_yaml (conv);
  unsigned K = condmap_converter_get_n_planes (conv);

  printf ("%s: ok\n", path);
  printf ("  converter: %s\n", condmap_converter_get_name (conv));
  printf ("  config:    %s\n", config);
  printf ("  planes:    %u (", K);
  for (unsigned k = 0; k < K; k++)
    printf ("%s%s", k ? ", " : "", condmap_converter_get_plane_name (conv, k));
  printf (")\n");
}

int
cli_cmd_check (int argc, char **argv)
{
  CliCommon common = { 0 };
  g_autofree char *config_path = NULL;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "The converter config (YAML) to check", "CONFIG" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("check", "-c CONFIG",
    "Validates a converter config: YAML rules, every key known, every value "
    "within its rule.  Then converts probe weights spread over [-1, 1] and "
    "back, and reports the largest round-trip error.",
    "Exit status: 0 if the config is valid and invertible, 1 if not, 2 on a\n"
    "usage error.\n"
    "\n"
    "Example:\n"
    "  condmap check -c configs/dual-pair.yaml\n", entries, &common);
  g_autoptr (CondmapRuntime) rt = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  GError *error = NULL;
  double max_error = 0;

  if (!cli_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (config_path == NULL)
    return cli_usage_error ("check", "a config is required: -c CONFIG");
  if (argc > 1)
    return cli_usage_error ("check", "unexpected argument '%s'", argv[1]);
  rt = cli_runtime_new (&common);
  g_strfreev (common.plugin_dirs);
  conv = condmap_converter_new_from_file (rt, config_path, &error);
  if (conv == NULL)
    return cli_fail (error);
  print_converter (config_path, conv);
  if (!condmap_converter_check_invertible (conv, &max_error, &error))
    return cli_fail (error);
  printf ("  invertibility: round trip of probe weights in [-1, 1]: "
          "max error %.3g of max |w| (limit 1e-4): ok\n", max_error);
  return CLI_EXIT_OK;
}
