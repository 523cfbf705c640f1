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
      "Plane file format: npy or csv (default: the format of WEIGHTS)",
      "FORMAT" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("convert",
    "[-c CONFIG] WEIGHTS -o OUTDIR",
    "Converts weights into device conductances (µS): writes one file per "
    "conductance plane into OUTDIR, and params.yaml, which 'condmap "
    "restore' needs to turn the planes back into weights.",
    "WEIGHTS is a NumPy .npy file (float32 or float64, any rank) or a CSV\n"
    "matrix named *.csv (read as float64).  The planes are named after the\n"
    "converter's planes (g_plus_0.npy, g_minus_0.npy, ..., or g.npy) and\n"
    "keep the weights' shape and dtype.\n"
    "\n"
    "OUTDIR is built under a temporary name beside it and appears only when\n"
    "complete; on any error nothing is left behind.  An existing OUTDIR is\n"
    "refused unless --force is given.\n"
    "\n"
    "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n"
    "\n"
    "Example:\n"
    "  condmap convert -c configs/dual-pair.yaml layer1.npy -o layer1-g\n",
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
  else
    status = run (&o, argv[1]);
  g_strfreev (o.common.plugin_dirs);
  g_free (o.config_path);
  g_free (o.outdir);
  g_free (o.format_name);
  return status;
}
