/* cmd-convert.c - condmap convert: weights into a directory of
 * conductance planes plus params.yaml, the record restore needs. */
#include <stdio.h>
#include "cli.h"

/* aihwkit's SinglePairConductanceConverter() with no arguments. */
static const char default_config[] = "converter: single-pair\n";

typedef struct {
  CliCommon common;
  char *config_path;
  char *outdir;
  char *format_name;
  gboolean force;
  char *recipe_path;
  char *plane_dtype;
  gboolean progress;
} Options;

static CondmapConverter *
load_converter (CondmapRuntime *rt, const Options *o, GError **error)
{
  if (o->config_path != NULL)
    return condmap_converter_new_from_file (rt, o->config_path, error);
  /* Said even with -q: planes made with settings nobody chose must not
   * pass unnoticed. */
  fprintf (stderr, "condmap convert: no -c CONFIG given: using single-pair "
           "with aihwkit's defaults (g_min 0, g_max 25 µS)\n");
  return condmap_converter_new_from_yaml (rt, default_config, -1,
                                          "the default config", error);
}

static void
print_summary (const char *outdir, const CondmapSidecar *sc)
{
  const char *const *files = condmap_sidecar_get_planes (sc);
  const CondmapParams *params = condmap_sidecar_get_params (sc);
  g_autofree char *list = g_strjoinv (", ", (char **) files);
  g_autofree char *shape =
    condmap_shape_to_string (condmap_sidecar_get_rank (sc),
                             condmap_sidecar_get_shape (sc));

  printf ("%s: %u plane%s (%s) and " CONDMAP_OUTDIR_SIDECAR "\n", outdir,
          g_strv_length ((char **) files), files[1] ? "s" : "", list);
  printf ("  converter %s, shape %s, %s", condmap_sidecar_get_converter (sc),
          shape, condmap_dtype_name (condmap_sidecar_get_dtype (sc)));
  if (condmap_params_get_n_rows (params) > 1)
    {
      cli_print_param_ranges (params);
      return;
    }
  for (size_t i = 0; i < condmap_params_get_n (params); i++)
    {
      const char *name = condmap_params_get_name (params, i);

      printf (", %s %.9g", name, condmap_params_get (params, name));
    }
  printf ("\n");
}

/* The work, in an order that fails early: the output directory is checked
 * before anything is read; the library creates it only after the
 * conversion succeeded. */
static int
run (const Options *o, const char *weights_path)
{
  g_autoptr (CondmapRuntime) rt = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  g_autoptr (CondmapSidecar) sidecar = NULL;
  CondmapOutdirFlags flags = o->force ? CONDMAP_OUTDIR_FORCE : 0;
  CliFormat format;
  GError *error = NULL;

  if (!condmap_outdir_check (o->outdir, flags, &error))
    return cli_fail (error);
  rt = cli_runtime_new (&o->common);
  if ((conv = load_converter (rt, o, &error)) == NULL)
    return cli_fail (error);
  weights = cli_array_read (weights_path, CONDMAP_DTYPE_FLOAT64, &format,
                            &error);
  if (weights == NULL)
    return cli_fail (error);
  if (o->format_name != NULL)
    format = cli_format_from_name (o->format_name);
  if (format == CLI_FORMAT_CSV)
    flags |= CONDMAP_OUTDIR_CSV;
  if (!condmap_converter_convert_to_dir (conv, weights, o->outdir, flags,
                                         &sidecar, &error))
    return cli_fail (error);
  if (!o->common.quiet)
    print_summary (o->outdir, sidecar);
  return CLI_EXIT_OK;
}

/* A safetensors checkpoint: every tensor, with a recipe. */
static int
run_checkpoint (const Options *o, const char *model)
{
  CliCheckpointOptions c = {
    .recipe_path = o->recipe_path, .config_path = o->config_path,
    .plane_dtype = o->plane_dtype, .force = o->force,
    .progress = o->progress,
    .npy = o->format_name != NULL
           && cli_format_from_name (o->format_name) == CLI_FORMAT_NPY
  };

  if (o->format_name != NULL && !c.npy)
    return cli_usage_error ("convert", "a checkpoint's planes are written "
                            "as planes.safetensors, or with --format npy "
                            "as .npy files: not as %s", o->format_name);
  return cli_checkpoint_convert (&o->common, &c, model, o->outdir);
}

/* Options that only a checkpoint takes. */
static int
check_array_options (const Options *o)
{
  if (o->recipe_path != NULL)
    return cli_usage_error ("convert", "-r RECIPE maps the tensors of a "
                            "safetensors checkpoint: for one array give -c "
                            "CONFIG");
  if (o->plane_dtype != NULL)
    return cli_usage_error ("convert", "--plane-dtype is for safetensors "
                            "checkpoints: one array's planes keep its "
                            "dtype");
  return CLI_EXIT_OK;
}

int
cli_cmd_convert (int argc, char **argv)
{
  Options o = { .config_path = NULL };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_path,
      "The converter config (YAML); default: single-pair, aihwkit's "
      "defaults", "CONFIG" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.outdir,
      "The directory to create (required)", "OUTDIR" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &o.force,
      "Replace OUTDIR if it exists (only once the new one is complete)",
      NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &o.format_name,
      "Plane file format: npy or csv (default: the format of WEIGHTS; "
      "planes.safetensors for a checkpoint)", "FORMAT" },
    { "recipe", 'r', 0, G_OPTION_ARG_FILENAME, &o.recipe_path,
      "Which tensors of a checkpoint get which config (YAML)", "RECIPE" },
    { "plane-dtype", 0, 0, G_OPTION_ARG_STRING, &o.plane_dtype,
      "A checkpoint's plane dtype: f16, f32 or f64 (default: f64 for F64 "
      "tensors, else f32)", "DTYPE" },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &o.progress,
      "Show the progress line even when stderr is not a terminal", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("convert",
    "[-c CONFIG | -r RECIPE] WEIGHTS -o OUTDIR",
    "Converts weights into device conductances (µS): writes one file per "
    "conductance plane into OUTDIR, and params.yaml, which 'condmap "
    "restore' needs to turn the planes back into weights.",
    "WEIGHTS is a NumPy .npy file (float32 or float64, any rank) or a CSV\n"
    "matrix named *.csv (read as float64).  The planes are named after the\n"
    "converter's planes (g_plus_0.npy, g_minus_0.npy, ..., or g.npy) and\n"
    "keep the weights' shape and dtype.\n"
    "\n"
    "WEIGHTS may also be a whole safetensors checkpoint (named *.safetensors,\n"
    "or recognised by its header): then -r RECIPE says which tensors get\n"
    "which config (-c CONFIG: that config for every floating tensor of rank\n"
    ">= 2; neither: single-pair with aihwkit's defaults), and OUTDIR holds\n"
    "planes.safetensors (tensor NAME:PLANE), passthrough.safetensors and\n"
    "params.yaml; --format npy writes OUTDIR/NAME/PLANE.npy instead of\n"
    "planes.safetensors.  One tensor is in memory at a time.  On a terminal\n"
    "a progress line shows how far a long run is (not with -q).\n"
    "\n"
    "OUTDIR is built under a temporary name beside it and appears only when\n"
    "complete; on any error nothing is left behind.  An existing OUTDIR is\n"
    "refused unless --force is given.\n"
    "\n"
    "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n"
    "\n"
    "Example:\n"
    "  condmap convert -c configs/dual-pair.yaml layer1.npy -o layer1-g\n"
    "  condmap convert -r examples/recipe.yaml model.safetensors -o model-g\n",
    entries, &o.common);
  int status;

  if (!cli_parse (context, &argc, &argv))
    status = CLI_EXIT_USAGE;
  else if (o.format_name != NULL
           && cli_format_from_name (o.format_name) == CLI_FORMAT_NONE)
    status = cli_usage_error ("convert", "--format must be npy or csv, not "
                              "'%s'", o.format_name);
  else if (argc < 2)
    status = cli_usage_error ("convert", "the weights file is missing: "
                              "condmap convert WEIGHTS -o OUTDIR");
  else if (argc > 2)
    status = cli_usage_error ("convert", "unexpected argument '%s'", argv[2]);
  else if (o.outdir == NULL)
    status = cli_usage_error ("convert", "an output directory is required: "
                              "-o OUTDIR");
  else if (o.recipe_path != NULL && o.config_path != NULL)
    status = cli_usage_error ("convert", "give -r RECIPE or -c CONFIG, not "
                              "both (a recipe names its default config)");
  else if (o.plane_dtype != NULL
           && cli_plane_dtype_from_name (o.plane_dtype)
              == CONDMAP_TENSOR_DTYPE_OTHER)
    status = cli_usage_error ("convert", "--plane-dtype must be f16, f32 or "
                              "f64, not '%s'", o.plane_dtype);
  else if (condmap_path_is_safetensors (argv[1]))
    status = run_checkpoint (&o, argv[1]);
  else if ((status = check_array_options (&o)) == CLI_EXIT_OK)
    status = run (&o, argv[1]);
  g_strfreev (o.common.plugin_dirs);
  g_free (o.config_path);
  g_free (o.outdir);
  g_free (o.format_name);
  g_free (o.recipe_path);
  g_free (o.plane_dtype);
  return status;
}
