/* cmd-restore.c - condmap restore: the planes of an OUTDIR (as convert
 * wrote them, or conductances measured back from a chip into files of the
 * same names) back into weights, with the record in params.yaml: one call
 * of condmap_restore_dir(), and the weights written where -o says. */
#include <stdio.h>
#include "cli.h"

typedef struct {
  CliCommon common;
  char *output;
  char *calibrate;    /* --calibrate REFERENCE */
} Options;

/* --calibrate: with the converter the sidecar records, whose scaling
 * says what a channel is. */
static gboolean
calibrate (const Options *o, CondmapRuntime *rt, const CondmapSidecar *sc,
           CondmapArray *weights, GError **error)
{
  g_autoptr (CondmapConverter) conv = condmap_sidecar_new_converter (sc, rt,
                                                                     error);

  return conv != NULL
         && cli_calibrate (conv, weights, o->calibrate, o->common.quiet,
                           error);
}

static int
run (const Options *o, const char *dir)
{
  g_autofree char *out_path = o->output ? g_strdup (o->output)
                              : g_build_filename (dir, "restored.npy", NULL);
  CliFormat out_format = cli_format_from_path (out_path);
  g_autoptr (CondmapRuntime) rt = cli_runtime_new (&o->common);
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  GError *error = NULL;

  weights = condmap_restore_dir (rt, dir, &sc, &error);
  if (weights != NULL && o->calibrate != NULL
      && !calibrate (o, rt, sc, weights, &error))
    g_clear_pointer (&weights, condmap_array_free);
  /* Written beside out_path and renamed: an interrupted restore leaves
   * the old weights file, if any, and no temporary. */
  if (weights == NULL
      || !cli_format_check_rank (out_format, condmap_array_get_rank (weights),
                                 out_path, &error)
      || !cli_array_write (out_path, out_format, weights, &error))
    return cli_fail (error);
  if (!o->common.quiet)
    {
      g_autofree char *shape =
        condmap_shape_to_string (condmap_array_get_rank (weights),
                                 condmap_array_get_shape (weights));

      printf ("%s: weights of shape %s, %s, from %u planes (%s)\n", out_path,
              shape, condmap_dtype_name (condmap_array_get_dtype (weights)),
              g_strv_length ((char **) condmap_sidecar_get_planes (sc)),
              condmap_sidecar_get_converter (sc));
    }
  return CLI_EXIT_OK;
}

int
cli_cmd_restore (int argc, char **argv)
{
  Options o = { .output = NULL };
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
      "The weights file to write, *.npy or *.csv (default: "
      "OUTDIR/restored.npy)", "WEIGHTS" },
    { "calibrate", 0, 0, G_OPTION_ARG_FILENAME, &o.calibrate,
      "Fit and apply the least-squares gain of each channel (of the whole "
      "array, per tensor) that maps the restored weights onto REFERENCE, "
      "the weights the planes were converted from", "REFERENCE" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("restore",
    "OUTDIR [-o WEIGHTS] [--calibrate REFERENCE]",
    "Turns the conductance planes of OUTDIR back into weights, with the "
    "converter, config, shape, dtype and params recorded in "
    "OUTDIR/params.yaml by 'condmap convert', and per-channel params "
    "from the file it names (params.npy).",
    "The planes may since have been replaced by conductances measured on a\n"
    "chip: files of the same names, shape and dtype (.npy, or .csv read in\n"
    "the recorded dtype).  Plane names in params.yaml must be plain file\n"
    "names inside OUTDIR.  The weights are written atomically, as .npy or\n"
    "CSV by the extension of WEIGHTS.\n"
    "\n"
    "--calibrate REFERENCE fits, for each channel of the config's scaling\n"
    "(the whole array when it scales per tensor), the gain g that minimises\n"
    "sum (w_ref - g w)^2, multiplies the channel by it and prints the gains:\n"
    "measured conductances often come back scaled by a read gain or drift.\n"
    "\n"
    "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n"
    "\n"
    "Examples:\n"
    "  condmap restore layer1-g -o layer1-measured.npy\n"
    "  condmap restore layer1-g --calibrate layer1.npy -o layer1-cal.npy\n",
    entries, &o.common);
  int status;

  if (!cli_parse (context, &argc, &argv))
    status = CLI_EXIT_USAGE;
  else if (argc < 2)
    status = cli_usage_error ("restore", "the directory to restore from is "
                              "missing: condmap restore OUTDIR");
  else if (argc > 2)
    status = cli_usage_error ("restore", "unexpected argument '%s'", argv[2]);
  else if (o.output != NULL
           && cli_format_from_path (o.output) == CLI_FORMAT_NONE)
    status = cli_usage_error ("restore", "-o names the weights file to "
                              "write, *.npy or *.csv, not '%s'", o.output);
  else
    status = run (&o, argv[1]);
  g_strfreev (o.common.plugin_dirs);
  g_free (o.output);
  g_free (o.calibrate);
  return status;
}
