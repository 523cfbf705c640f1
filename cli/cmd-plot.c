/* cmd-plot.c - condmap plot: a picture of what a scheme does, drawn by
 * libcondmap's plot module (condmap_plot_*, cairo and pango): a config's
 * transfer curves, with a layer's histograms and round-trip error, or an
 * existing conversion from its OUTDIR. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define DEFAULT_OUTPUT "scheme.png"

typedef struct {
  CliCommon common;
  char **configs;       /* -c, repeatable with --device */
  char *config;         /* configs[0] */
  char *output;
  char *title;
  CliBudgetOptions budget;
} Options;

/* The check condmap_plot_write() makes, made before any work. */
static gboolean
check_image_name (const char *path, GError **error)
{
  g_autofree char *base = g_path_get_basename (path);
  const char *dot = strrchr (base, '.');

  if (dot != NULL && (g_ascii_strcasecmp (dot, ".png") == 0
                      || g_ascii_strcasecmp (dot, ".svg") == 0
                      || g_ascii_strcasecmp (dot, ".pdf") == 0))
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "cannot tell which format to write '%s' in: name the file "
               "*.png, *.svg or *.pdf", path);
  return FALSE;
}

/* Written beside the target and renamed (the core registers the
 * temporary, which the signal hook removes): an interrupted or failed plot
 * leaves the old picture, if any, and no temporary. */
static int
write_plot (const Options *o, const CondmapPlot *plot, const char *what)
{
  GError *error = NULL;
  gboolean ok;

  ok = condmap_plot_write (plot, o->output, &error);
  if (!ok)
    return cli_fail (error);
  if (!o->common.quiet)
    printf ("%s: %s\n", o->output, what);
  return CLI_EXIT_OK;
}

static int
run_config (const Options *o, const char *weights_path)
{
  g_autoptr (CondmapRuntime) rt = cli_runtime_new (&o->common);
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  g_autoptr (CondmapPlot) plot = NULL;
  g_autofree char *config_name = g_path_get_basename (o->config);
  g_autofree char *weights_name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *what = NULL;
  GError *error = NULL;

  if ((conv = condmap_converter_new_from_file (rt, o->config, &error))
      == NULL)
    return cli_fail (error);
  if (weights_path != NULL)
    {
      weights_name = g_path_get_basename (weights_path);
      title = g_strdup_printf ("%s on %s", config_name, weights_name);
      weights = cli_array_read (weights_path, CONDMAP_DTYPE_FLOAT64, NULL,
                                &error);
      if (weights == NULL)
        return cli_fail (error);
    }
  plot = condmap_plot_new (conv, o->title ? o->title
                           : title ? title : config_name, &error);
  if (plot == NULL
      || (weights != NULL && !condmap_plot_add_weights (plot, weights,
                                                         &error)))
    return cli_fail (error);
  what = g_strdup_printf ("the %u plane%s of %s%s%s",
                          condmap_converter_get_n_planes (conv),
                          condmap_converter_get_n_planes (conv) == 1
                          ? "" : "s",
                          condmap_converter_get_name (conv),
                          weights ? ", with histograms of " : "",
                          weights ? weights_path : "");
  return write_plot (o, plot, what);
}

static int
run_outdir (const Options *o, const char *dir)
{
  g_autofree char *sidecar_path = g_build_filename (dir, "params.yaml", NULL);
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autoptr (CondmapRuntime) rt = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapPlot) plot = NULL;
  g_autofree char *what = NULL;
  GError *error = NULL;

  if ((sc = condmap_sidecar_read (sidecar_path, &error)) == NULL)
    return cli_fail (error);
  rt = cli_runtime_new (&o->common);
  if ((conv = condmap_sidecar_new_converter (sc, rt, &error)) == NULL
      || (planes = condmap_outdir_read_planes (dir, sc, &error)) == NULL)
    return cli_fail (error);
  plot = condmap_plot_new (conv, o->title ? o->title : sidecar_path, &error);
  if (plot == NULL
      || !condmap_plot_add_planes (plot,
                                   (const CondmapArray *const *) planes->pdata,
                                   condmap_sidecar_get_params (sc), &error))
    return cli_fail (error);
  what = g_strdup_printf ("the %u planes of %s in %s, with their histograms",
                          planes->len, condmap_converter_get_name (conv), dir);
  return write_plot (o, plot, what);
}

/* -c A -c B --device D WEIGHTS: each scheme's error budget over time. */
static int
run_budget (const Options *o, const char *weights_path)
{
  g_autoptr (CondmapRuntime) rt = NULL;
  g_autoptr (CondmapDevice) device = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  g_autoptr (CondmapPlot) plot = NULL;
  g_autofree double *times = NULL;
  g_autofree CondmapBudgetTime *out = NULL;
  g_autofree char *device_name = g_path_get_basename (o->budget.device);
  g_autofree char *weights_name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *what = NULL;
  GError *error = NULL;
  size_t n_times = 0;
  guint64 seed = 0;
  int status;

  status = cli_budget_prepare ("plot", &o->budget, &times, &n_times, &seed);
  if (status != CLI_EXIT_OK)
    return status;
  rt = cli_runtime_new (&o->common);
  if ((device = condmap_device_new_from_file (rt, o->budget.device,
                                              &error)) == NULL
      || (weights = cli_array_read (weights_path, CONDMAP_DTYPE_FLOAT64,
                                    NULL, &error)) == NULL)
    return cli_fail (error);
  title = o->title ? g_strdup (o->title)
                   : g_strdup_printf ("Error budget on %s", device_name);
  weights_name = g_path_get_basename (weights_path);
  subtitle = g_strdup_printf ("%s: %d trials, seed %" G_GUINT64_FORMAT
                              ", %s", weights_name, o->budget.trials, seed,
                              o->budget.no_compensation
                              ? "no drift compensation"
                              : "global drift compensation");
  if ((plot = condmap_plot_new_budget (title, subtitle, &error)) == NULL)
    return cli_fail (error);
  out = g_new0 (CondmapBudgetTime, n_times);
  for (char **c = o->configs; *c != NULL; c++)
    {
      g_autoptr (CondmapConverter) conv =
        condmap_converter_new_from_file (rt, *c, &error);
      g_autofree char *name = g_path_get_basename (*c);

      if (conv == NULL
          || !condmap_converter_error_budget (
               conv, device, weights, times, n_times,
               (unsigned) o->budget.trials, seed,
               o->budget.no_compensation ? CONDMAP_BUDGET_NO_COMPENSATION
                                         : CONDMAP_BUDGET_DEFAULT,
               out, &error)
          || !condmap_plot_add_budget (plot, name, out, n_times, &error))
        return cli_fail (error);
    }
  what = g_strdup_printf ("the error budget of %u scheme%s on %s over %zu "
                          "read time%s", g_strv_length (o->configs),
                          g_strv_length (o->configs) == 1 ? "" : "s",
                          o->budget.device, n_times, n_times == 1 ? "" : "s");
  return write_plot (o, plot, what);
}

static int
run (const Options *o, int argc, char **argv)
{
  GError *error = NULL;

  if (!condmap_plot_available ())
    {
      fprintf (stderr, "condmap: error: plot was not built: this condmap "
               "was built without cairo and pango; on Debian, apt-get "
               "install libcairo2-dev libpango1.0-dev fonts-dejavu-core, "
               "then run configure and make again\n");
      return CLI_EXIT_FAILURE;
    }
  if (!check_image_name (o->output, &error))
    return cli_fail (error);
  if (o->budget.device != NULL)
    return run_budget (o, argv[1]);
  if (o->config != NULL)
    return run_config (o, argc == 2 ? argv[1] : NULL);
  return run_outdir (o, argv[1]);
}

int
cli_cmd_plot (int argc, char **argv)
{
  Options o = { .config = NULL,
                .budget = { .trials = CLI_BUDGET_DEFAULT_TRIALS } };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.configs,
      "The converter config (YAML) to draw; with --device, repeat it to "
      "draw several schemes' budgets", "CONFIG" },
    { "device", 'd', 0, G_OPTION_ARG_FILENAME, &o.budget.device,
      "Draw the error budget over time of each -c scheme on this device "
      "model (YAML) for WEIGHTS", "DEVICE" },
    { "time", 't', 0, G_OPTION_ARG_STRING, &o.budget.times,
      "With --device: the read times, comma-separated (default "
      "0,1h,1d,1y)", "T,..." },
    { "trials", 0, 0, G_OPTION_ARG_INT, &o.budget.trials,
      "With --device: independent trials (default 20)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &o.budget.seed,
      "With --device: seed of the random numbers (default 0)", "S" },
    { "no-compensation", 0, 0, G_OPTION_ARG_NONE,
      &o.budget.no_compensation,
      "With --device: no global drift compensation", NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
      "The picture to write, *.png, *.svg or *.pdf (default: "
      DEFAULT_OUTPUT ")", "FILE" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &o.title,
      "The figure's title (default: the config's file name)", "TEXT" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("plot",
    "-c CONFIG [WEIGHTS] [-o FILE] | OUTDIR [-o FILE] | "
    "-c A -c B ... --device DEVICE WEIGHTS [-o FILE]",
    "Draws what a mapping scheme does.  With -c CONFIG: the transfer "
    "curves, one per plane, of the conductance g (µS) each device is "
    "programmed to against the weight w, swept over [-1, 1], with g_min "
    "and g_max marked.  Given WEIGHTS (.npy, or *.csv read as float64), "
    "the curves span the layer's weights, and panels add the weight "
    "histogram, the round-trip error (restored minus original) against w "
    "and each plane's conductance histogram.  Given the OUTDIR of "
    "'condmap convert' instead of -c, draws that conversion: the curves "
    "of the converter its params.yaml records, over the range of the "
    "weights its planes hold, and each plane's histogram (the planes may "
    "be conductances measured on a chip).  With --device DEVICE and "
    "WEIGHTS, draws instead the error budget of each -c scheme on that "
    "device model over time: one line per scheme through the mean "
    "relative RMS weight error at each --time (log scale), with bars of "
    "± one standard deviation over the trials, the numbers of "
    "'condmap check --device'.",
    "The format follows FILE's extension: .png (840 pixels wide), .svg or\n"
    ".pdf.  Each plane has its own colour (Okabe and Ito's palette, safe\n"
    "for colour-blind readers), dash pattern and marker, so the figure\n"
    "reads in greyscale too.  The same input gives the same SVG bytes.\n"
    "FILE is written beside its final name and renamed into place, so it\n"
    "is never half-written, and it is replaced if it exists.\n"
    "\n"
    "Exit status: 0 on success, 1 on failure (a config that does not load,\n"
    "an extension other than .png, .svg and .pdf, a FILE that cannot be\n"
    "written, a condmap built without cairo and pango), 2 on a usage error.\n"
    "\n"
    "Examples:\n"
    "  condmap plot -c configs/dual-pair.yaml\n"
    "  condmap plot -c configs/dual-pair.yaml layer1.npy -o layer1.svg\n"
    "  condmap plot layer1-g -o layer1-g.pdf\n"
    "  condmap plot -c configs/single-pair.yaml -c configs/dual-pair.yaml \\\n"
    "      --device configs/devices/pcm-like.yaml layer1.npy -o budget.svg\n",
    entries, &o.common);
  gboolean parsed;
  int status;

  parsed = cli_parse (context, &argc, &argv);
  if (parsed && o.configs != NULL)
    o.config = o.configs[0];
  if (!parsed)
    status = CLI_EXIT_USAGE;
  else if (o.budget.device != NULL && (o.config == NULL || argc != 2))
    status = cli_usage_error ("plot", "--device draws the budgets of -c "
                              "schemes for WEIGHTS: give at least one -c "
                              "CONFIG and WEIGHTS");
  else if (o.budget.device == NULL && o.configs != NULL
           && g_strv_length (o.configs) > 1)
    status = cli_usage_error ("plot", "several -c configs are drawn as "
                              "their error budgets: add --device DEVICE");
  else if (o.config == NULL && argc < 2)
    status = cli_usage_error ("plot", "nothing to draw: name a config "
                              "(-c CONFIG) or the OUTDIR of a conversion");
  else if (argc > 2)
    status = cli_usage_error ("plot", "unexpected argument '%s'", argv[2]);
  else
    {
      if (o.output == NULL)
        o.output = g_strdup (DEFAULT_OUTPUT);
      status = run (&o, argc, argv);
    }
  g_strfreev (o.common.plugin_dirs);
  g_strfreev (o.configs);
  g_free (o.budget.device);
  g_free (o.budget.times);
  g_free (o.budget.seed);
  g_free (o.output);
  g_free (o.title);
  return status;
}
