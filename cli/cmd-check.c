/* cmd-check.c - condmap check: validate a config and test its round trip,
 * on probe weights and, if given, on the user's own. */
#include <math.h>
#include <stdio.h>
#include "cli.h"

static void
print_converter (const char *path, const CondmapConverter *conv)
{
  g_autofree char *config = condmap_converter_dup_config_yaml (conv);
  unsigned K = condmap_converter_get_n_planes (conv);
  size_t n_levels;
  gboolean joint;

  printf ("%s: valid\n", path);
  printf ("  converter: %s\n", condmap_converter_get_name (conv));
  printf ("  config:    %s\n", config);
  if (condmap_converter_get_levels (conv, &n_levels, &joint))
    printf ("  levels:    %zu, %s\n", n_levels,
            condmap_converter_places_levels (conv)
            ? "placed by the converter"
            : joint ? "assigned jointly over the pairs"
                    : "assigned plane by plane");
  printf ("  planes:    %u (", K);
  for (unsigned k = 0; k < K; k++)
    printf ("%s%s", k ? ", " : "", condmap_converter_get_plane_name (conv, k));
  printf (")\n");
}

typedef struct {
  double max_abs_w;   /* max |w| */
  double max_abs;     /* max |w - w_back| */
  double rms;         /* sqrt (mean (w - w_back)^2) */
} RoundTrip;

static double
element (const CondmapArray *a, size_t i)
{
  const void *data = condmap_array_peek_data (a);

  if (condmap_array_get_dtype (a) == CONDMAP_DTYPE_FLOAT32)
    return ((const float *) data)[i];
  return ((const double *) data)[i];
}

/* Errors in double, whatever the dtype: the float32 rounding is what is
 * being measured. */
static RoundTrip
measure (const CondmapArray *w, const CondmapArray *back)
{
  RoundTrip rt = { 0, 0, 0 };
  size_t n = condmap_array_get_n (w);
  double sum_sq = 0;

  for (size_t i = 0; i < n; i++)
    {
      double a = element (w, i), d = fabs (a - element (back, i));

      rt.max_abs_w = MAX (rt.max_abs_w, fabs (a));
      rt.max_abs = MAX (rt.max_abs, d);
      sum_sq += d * d;
    }
  rt.rms = sqrt (sum_sq / (double) n);
  return rt;
}

static void
print_round_trip (const char *path, const CondmapArray *w,
                  const RoundTrip *rt)
{
  g_autofree char *shape =
    condmap_shape_to_string (condmap_array_get_rank (w),
                         condmap_array_get_shape (w));

  printf ("  weights:   %s: shape %s, %s, max |w| %.6g\n", path, shape,
          condmap_dtype_name (condmap_array_get_dtype (w)), rt->max_abs_w);
  printf ("  round trip: max abs error %.3g, RMS %.3g", rt->max_abs, rt->rms);
  if (rt->max_abs_w > 0)
    printf (", max relative %.3g (of max |w|)\n", rt->max_abs / rt->max_abs_w);
  else
    printf (" (all weights are 0: no relative error)\n");
}

static void
print_ranges (const CondmapConverter *conv, const GPtrArray *planes)
{
  printf ("  conductance range used (µS):\n");
  for (guint k = 0; k < planes->len; k++)
    {
      double lo, hi;

      cli_array_range (planes->pdata[k], &lo, &hi);
      printf ("    %-12s %.6g .. %.6g, mean %.6g\n",
              condmap_converter_get_plane_name (conv, k), lo, hi,
              cli_array_mean (planes->pdata[k]));
    }
}

/* Converts and restores @path in memory and reports how far the weights
 * moved and which conductances the planes use. */
static gboolean
check_weights (const CondmapConverter *conv, const char *path, GError **error)
{
  g_autoptr (CondmapArray) w = NULL;
  g_autoptr (CondmapArray) back = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapParams) params = NULL;
  RoundTrip rt;

  w = cli_array_read (path, CONDMAP_DTYPE_FLOAT64, NULL, error);
  if (w == NULL
      || (planes = cli_planes_from_weights (conv, w, &params, error)) == NULL
      || (back = cli_planes_to_weights (conv, planes, params,
                                        condmap_array_get_dtype (w),
                                        condmap_array_get_rank (w),
                                        condmap_array_get_shape (w),
                                        error)) == NULL)
    return FALSE;
  rt = measure (w, back);
  print_round_trip (path, w, &rt);
  if (!cli_report_clipping (conv, w, back, params, error)
      || !cli_report_sensitivity (conv, w, planes, params, back, error))
    return FALSE;
  print_ranges (conv, planes);
  return TRUE;
}

/* The probe round trip, within @tolerance.  A failure other than the
 * limit (a plugin's kernel bug) is returned at once; a round trip over the
 * limit is reported on the invertibility line and left in *over_limit, so
 * that the WEIGHTS report still shows how far the weights move. */
static gboolean
check_probe (const CondmapConverter *conv, double tolerance,
             GError **over_limit, GError **error)
{
  double max_error = 0;
  GError *local = NULL;
  gboolean ok;

  ok = condmap_converter_check_round_trip (conv, tolerance, &max_error,
                                           &local);
  if (!ok && !g_error_matches (local, CONDMAP_ERROR,
                               CONDMAP_ERROR_NOT_INVERTIBLE))
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  /* The user turned the round-trip test off (custom-pair's
   * invertibility_test: false): report the round trip, do not fail. */
  if (!ok && !condmap_converter_wants_round_trip (conv))
    {
      printf ("  invertibility: round trip of probe weights in [-1, 1]: "
              "max error %.3g of max |w| (limit %g): over the limit, not "
              "checked (the config turns the round-trip test off)\n",
              max_error, tolerance);
      g_clear_error (&local);
      return TRUE;
    }
  printf ("  invertibility: round trip of probe weights in [-1, 1]: "
          "max error %.3g of max |w| (limit %g): %s\n", max_error, tolerance,
          ok ? "ok" : "FAILED");
  if (!ok)
    g_propagate_error (over_limit, local);
  return TRUE;
}

/* check --device: the error budget instead of the round trip. */
static int
check_budget (CliCommon *common, CliBudgetOptions *budget,
              char *config_path, int argc, char **argv)
{
  int status;

  if (argc < 2)
    status = cli_usage_error ("check", "--device needs the WEIGHTS to "
                              "measure the budget on");
  else
    status = cli_budget_run ("check", common, budget, &config_path, 1,
                             argv[1]);
  g_strfreev (common->plugin_dirs);
  g_free (budget->device);
  g_free (budget->times);
  g_free (budget->seed);
  return status;
}

int
cli_cmd_check (int argc, char **argv)
{
  CliCommon common = { 0 };
  g_autofree char *config_path = NULL;
  g_autofree char *recipe_path = NULL;
  gboolean progress = FALSE;
  double tolerance = CONDMAP_ROUND_TRIP_TOLERANCE;
  CliBudgetOptions budget = { .trials = CLI_BUDGET_DEFAULT_TRIALS };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "The converter config (YAML) to check", "CONFIG" },
    { "device", 'd', 0, G_OPTION_ARG_FILENAME, &budget.device,
      "Report the error budget of the scheme on this device model (YAML) "
      "instead of the round trip; needs WEIGHTS", "DEVICE" },
    { "time", 't', 0, G_OPTION_ARG_STRING, &budget.times,
      "With --device: the read times, comma-separated (default "
      "0,1h,1d,1y)", "T,..." },
    { "trials", 0, 0, G_OPTION_ARG_INT, &budget.trials,
      "With --device: independent trials (default 20)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &budget.seed,
      "With --device: seed of the random numbers (default 0)", "S" },
    { "no-compensation", 0, 0, G_OPTION_ARG_NONE, &budget.no_compensation,
      "With --device: no global drift compensation", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &budget.json,
      "With --device: print the budget as one JSON object", NULL },
    { "recipe", 'r', 0, G_OPTION_ARG_FILENAME, &recipe_path,
      "For a safetensors checkpoint: the recipe (YAML) to check it with",
      "RECIPE" },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
      "Show the progress line even when stderr is not a terminal", NULL },
    { "tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &tolerance,
      "The largest round-trip error allowed on the probe, relative to "
      "max |w| (default 1e-4); raise it for a scheme lossy by design", "T" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("check",
    "-c CONFIG [WEIGHTS] | -r RECIPE MODEL.safetensors",
    "Validates a converter config: YAML rules, every key known, every value "
    "within its rule.  Then converts probe weights spread over [-1, 1] and "
    "back, and reports the largest round-trip error, which must stay within "
    "--tolerance.  Given WEIGHTS (.npy, or *.csv read as float64), converts "
    "and restores them in memory and reports the round-trip error (max abs, "
    "RMS, max relative to max |w|) and the conductance range each plane "
    "uses, and how far 1 µS of error on a device moves its weight.  A "
    "config that clips also gets the number of weights clipped, the error "
    "they contribute and the round trip of the others.  "
    "Given a safetensors checkpoint (with -r RECIPE, or -c CONFIG for "
    "every floating tensor of rank >= 2), prints a table: one row per "
    "tensor (dtype, shape, scheme, and the round trip's max abs, RMS and "
    "max relative error) and a total, and warns about recipe rules that "
    "match no tensor.",
    "With --device DEVICE.yaml, reports instead the error budget of the\n"
    "scheme on that device for WEIGHTS: at each --time, the weight error\n"
    "(RMS and max relative to max |w|, mean ± std over --trials) after\n"
    "programming, drift and read noise with global drift compensation,\n"
    "split into quantization, programming and drift.\n"
    "\n"
    "Exit status: 0 if the config is valid and invertible (and WEIGHTS, if\n"
    "given, convert), 1 if not, 2 on a usage error.\n"
    "\n"
    "Examples:\n"
    "  condmap check -c configs/dual-pair.yaml \\\n"
    "      --device configs/devices/pcm-like.yaml --time 0,1d layer1.npy\n"
    "  condmap check -c configs/dual-pair.yaml\n"
    "  condmap check -c configs/dual-pair.yaml layer1.npy\n"
    "  condmap check -c quantized.yaml --tolerance 0.05 layer1.npy\n"
    "  condmap check -r examples/recipe.yaml model.safetensors\n",
    entries, &common);
  g_autoptr (CondmapRuntime) rt = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  GError *error = NULL;
  GError *over_limit = NULL;

  if (!cli_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (recipe_path != NULL && config_path != NULL)
    return cli_usage_error ("check", "give -r RECIPE or -c CONFIG, not both");
  if (argc == 2 && condmap_path_is_safetensors (argv[1]))
    {
      CliCheckpointOptions c = { .recipe_path = recipe_path,
                                 .config_path = config_path,
                                 .progress = progress,
                                 .tolerance = tolerance };
      int status;

      if (!isfinite (tolerance) || tolerance < 0)
        return cli_usage_error ("check", "--tolerance must be a number >= 0, "
                                "relative to max |w|, such as 0.01");
      status = cli_checkpoint_check (&common, &c, argv[1]);
      g_strfreev (common.plugin_dirs);
      return status;
    }
  if (recipe_path != NULL)
    return cli_usage_error ("check", "-r RECIPE checks a safetensors "
                            "checkpoint: condmap check -r RECIPE "
                            "MODEL.safetensors");
  if (config_path == NULL)
    return cli_usage_error ("check", "a config is required: -c CONFIG");
  if (argc > 2)
    return cli_usage_error ("check", "unexpected argument '%s'", argv[2]);
  if (!isfinite (tolerance) || tolerance < 0)
    return cli_usage_error ("check", "--tolerance must be a number >= 0, "
                            "relative to max |w|, such as 0.01");
  if (budget.device != NULL)
    return check_budget (&common, &budget, config_path, argc, argv);
  if (budget.times != NULL || budget.seed != NULL || budget.json
      || budget.no_compensation
      || budget.trials != CLI_BUDGET_DEFAULT_TRIALS)
    {
      g_strfreev (common.plugin_dirs);
      g_free (budget.times);
      g_free (budget.seed);
      return cli_usage_error ("check", "--time, --trials, --seed, "
                            "--no-compensation and --json go with --device "
                            "DEVICE.yaml");
    }
  rt = cli_runtime_new (&common);
  g_strfreev (common.plugin_dirs);
  conv = condmap_converter_new_from_file (rt, config_path, &error);
  if (conv == NULL)
    return cli_fail (error);
  for (size_t i = 0; i < condmap_converter_get_n_warnings (conv); i++)
    fprintf (stderr, "condmap: warning: %s\n",
             condmap_converter_get_warning (conv, i));
  print_converter (config_path, conv);
  if (!check_probe (conv, tolerance, &over_limit, &error)
      || (argc == 2 && !check_weights (conv, argv[1], &error)))
    {
      g_clear_error (&over_limit);
      return cli_fail (error);
    }
  if (over_limit != NULL)
    {
      g_prefix_error (&over_limit, "%s: ", config_path);
      cli_fail (over_limit);
      fprintf (stderr, "condmap check: if the scheme is lossy by design, "
               "allow its error with --tolerance\n");
      return CLI_EXIT_FAILURE;
    }
  return CLI_EXIT_OK;
}
