/* cmd-compare.c - condmap compare: several schemes on one device, ranked
 * by their weight error at each read time, every scheme drawing the same
 * random numbers (common random numbers), so that the differences are
 * the schemes' and not noise. */
#include <stdio.h>
#include "cli.h"

int
cli_cmd_compare (int argc, char **argv)
{
  CliCommon common = { 0 };
  char **configs = NULL;
  CliBudgetOptions budget = { .trials = CLI_BUDGET_DEFAULT_TRIALS };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &configs,
      "A converter config (YAML); repeat for each scheme", "CONFIG" },
    { "device", 'd', 0, G_OPTION_ARG_FILENAME, &budget.device,
      "The device model config (YAML)", "DEVICE" },
    { "time", 't', 0, G_OPTION_ARG_STRING, &budget.times,
      "The read times, comma-separated (default 0,1h,1d,1y)", "T,..." },
    { "trials", 0, 0, G_OPTION_ARG_INT, &budget.trials,
      "Independent trials (default 20)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &budget.seed,
      "Seed of the random numbers, the same for every scheme (default 0)",
      "S" },
    { "no-compensation", 0, 0, G_OPTION_ARG_NONE, &budget.no_compensation,
      "No global drift compensation", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &budget.json,
      "Print a JSON list of budgets, one object per config", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("compare",
    "-c A.yaml -c B.yaml ... --device DEVICE.yaml WEIGHTS",
    "Ranks mapping schemes by the weight error they leave on a device, at "
    "each read time: the error budget of 'condmap check --device' for each "
    "config, with the same seed for every scheme (common random numbers).",
    "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n"
    "\n"
    "Example:\n"
    "  condmap compare -c configs/single-pair.yaml -c configs/dual-pair.yaml \\\n"
    "      --device configs/devices/pcm-like.yaml layer1.npy\n",
    entries, &common);
  int status;

  if (!cli_parse (context, &argc, &argv))
    status = CLI_EXIT_USAGE;
  else if (configs == NULL)
    status = cli_usage_error ("compare", "give the schemes to compare: "
                              "-c A.yaml -c B.yaml ...");
  else if (budget.device == NULL)
    status = cli_usage_error ("compare", "a device model is required: "
                              "--device DEVICE.yaml (see configs/devices)");
  else if (argc != 2)
    status = cli_usage_error ("compare", argc < 2 ? "the WEIGHTS to compare "
                              "on are missing" : "unexpected argument '%s'",
                              argv[argc - 1]);
  else
    status = cli_budget_run ("compare", &common, &budget, configs,
                             g_strv_length (configs), argv[1]);
  g_strfreev (common.plugin_dirs);
  g_strfreev (configs);
  g_free (budget.device);
  g_free (budget.times);
  g_free (budget.seed);
  return status;
}
