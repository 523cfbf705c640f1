/* cmd-list.c - condmap list: the plugins found, and why others were not. */
#include <stdio.h>
#include "cli.h"

/* The plugins of one kind, in search order. */
static void
print_kind (const CondmapRuntime *rt, unsigned kind, const char *one,
            const char *many)
{
  size_t n_all = condmap_runtime_get_n_plugins (rt), n = 0;

  for (size_t i = 0; i < n_all; i++)
    {
      CondmapPluginInfo info;

      condmap_runtime_get_plugin (rt, i, &info);
      n += info.kind == kind;
    }
  printf ("%zu %s:\n", n, n == 1 ? one : many);
  for (size_t i = 0; i < n_all; i++)
    {
      CondmapPluginInfo info;

      condmap_runtime_get_plugin (rt, i, &info);
      if (info.kind != kind)
        continue;
      printf ("  %-14s %s\n", info.name, info.description);
      printf ("  %-14s %s, version %s, ABI %u, %zu setting%s, %s\n", "",
              kind == CONDMAP_PLUGIN_KIND_DEVICE ? "device" : "converter",
              info.version, info.abi_major, info.n_settings,
              info.n_settings == 1 ? "" : "s", info.path);
    }
}

static void
print_plugins (const CondmapRuntime *rt)
{
  print_kind (rt, CONDMAP_PLUGIN_KIND_CONVERTER, "converter", "converters");
  printf ("\n");
  print_kind (rt, CONDMAP_PLUGIN_KIND_DEVICE, "device model",
              "device models");
}

static void
print_failures (const CondmapRuntime *rt)
{
  size_t n = condmap_runtime_get_n_failures (rt);

  if (n == 0)
    return;
  printf ("\n%zu plugin%s not loaded:\n", n, n == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++)
    {
      const char *path;
      const GError *error = condmap_runtime_get_failure (rt, i, &path);

      printf ("  %s\n    %s\n", path, error->message);
    }
}

int
cli_cmd_list (int argc, char **argv)
{
  CliCommon common = { 0 };
  g_autoptr (GOptionContext) context = cli_context_new ("list", "",
    "Lists the plugins found, converters and device models, in search "
    "order, with their kind, path, ABI version and description, and every "
    "plugin that failed to load with the reason.",
    "Search order: --plugin-dir, then CONDMAP_PLUGIN_PATH (colon-separated),\n"
    "then the installed plugin directory; never the current directory.\n"
    "\n"
    "Example:\n"
    "  condmap list --plugin-dir ~/my-plugins\n", NULL, &common);
  g_autoptr (CondmapRuntime) rt = NULL;
  const char *const *path;

  if (!cli_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc > 1)
    return cli_usage_error ("list", "unexpected argument '%s'", argv[1]);
  rt = cli_runtime_new (&common);
  g_strfreev (common.plugin_dirs);
  printf ("Search path:\n");
  for (path = condmap_runtime_get_search_path (rt); *path; path++)
    printf ("  %s\n", *path);
  printf ("\n");
  print_plugins (rt);
  print_failures (rt);
  return CLI_EXIT_OK;
}
