/* cmd-simulate.c - condmap simulate: the planes of an OUTDIR as they would
 * read back from a chip (programmed, drifted, read at a time t) written
 * as a directory that restore takes as it is: one call of
 * condmap_simulate_dir(). */
#include <stdio.h>
#include "cli.h"

typedef struct {
  CliCommon common;
  char *device;
  char *time;
  char *seed;
  char *output;
  gboolean force;
} Options;

static int
run (const Options *o, const char *dir, double time_s, guint64 seed)
{
  g_autoptr (CondmapRuntime) rt = cli_runtime_new (&o->common);
  g_autoptr (CondmapDevice) device = NULL;
  GError *error = NULL;

  device = condmap_device_new_from_file (rt, o->device, &error);
  if (device == NULL
      || !condmap_simulate_dir (rt, device, dir, time_s, seed, o->output,
                                o->force ? CONDMAP_OUTDIR_FORCE
                                         : CONDMAP_OUTDIR_DEFAULT, &error))
    return cli_fail (error);
  if (!o->common.quiet)
    printf ("%s: the planes of %s on %s, read %g s after programming "
            "(seed %" G_GUINT64_FORMAT ")\n", o->output, dir,
            condmap_device_get_name (device), time_s, seed);
  return CLI_EXIT_OK;
}

static int
parse_and_run (Options *o, int argc, char **argv)
{
  GError *error = NULL;
  double time_s = 0;
  guint64 seed = 0;

  if (argc < 2)
    return cli_usage_error ("simulate", "the directory to simulate is "
                            "missing: condmap simulate OUTDIR --device "
                            "DEVICE.yaml -o MEASURED");
  if (argc > 2)
    return cli_usage_error ("simulate", "unexpected argument '%s'", argv[2]);
  if (o->device == NULL)
    return cli_usage_error ("simulate", "a device model is required: "
                            "--device DEVICE.yaml (see configs/devices)");
  if (o->output == NULL)
    return cli_usage_error ("simulate", "the directory to write is "
                            "required: -o MEASURED");
  if (o->time != NULL && !condmap_parse_time (o->time, &time_s, &error))
    {
      int status = cli_usage_error ("simulate", "--time: %s", error->message);

      g_error_free (error);
      return status;
    }
  if (!cli_parse_seed ("simulate", o->seed, &seed))
    return CLI_EXIT_USAGE;
  return run (o, argv[1], time_s, seed);
}

int
cli_cmd_simulate (int argc, char **argv)
{
  Options o = { .device = NULL };
  const GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_FILENAME, &o.device,
      "The device model config (YAML), such as "
      "configs/devices/pcm-like.yaml", "DEVICE" },
    { "time", 't', 0, G_OPTION_ARG_STRING, &o.time,
      "When the planes are read, after programming: 0 (default), or a "
      "number with a unit s, m, h, d or y (1h, 1d, 1y)", "T" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &o.seed,
      "Seed of the random numbers (default 0); the same seed gives the "
      "same planes on any number of threads", "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
      "The directory to write", "MEASURED" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &o.force,
      "Replace MEASURED if it exists", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("simulate",
    "OUTDIR --device DEVICE.yaml [--time T] [--seed S] -o MEASURED",
    "Writes the planes of OUTDIR (as 'condmap convert' wrote them) as they "
    "would read back from a chip: each device programmed to its plane's "
    "conductance with the device model's programming noise, then drifted "
    "and read at time T with its read noise, as aihwkit's apply_noise does.  "
    "MEASURED holds the same plane files and a copy of params.yaml, so that "
    "'condmap restore MEASURED' takes it as it is.",
    "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n"
    "\n"
    "Example:\n"
    "  condmap convert -c configs/dual-pair.yaml layer1.npy -o layer1-g\n"
    "  condmap simulate layer1-g --device configs/devices/pcm-like.yaml \\\n"
    "      --time 1d -o layer1-1d\n"
    "  condmap restore layer1-1d -o layer1-after-a-day.npy\n",
    entries, &o.common);
  int status;

  if (!cli_parse (context, &argc, &argv))
    status = CLI_EXIT_USAGE;
  else
    status = parse_and_run (&o, argc, argv);
  g_strfreev (o.common.plugin_dirs);
  g_free (o.device);
  g_free (o.time);
  g_free (o.seed);
  g_free (o.output);
  return status;
}
