/* cmd-restore.c - condmap restore: the planes of an OUTDIR (as convert
 * wrote them, or conductances measured back from a chip into files of the
 * same names) back into weights, with the record in params.yaml. */
#include <stdio.h>
#include "cli.h"

typedef struct {
  CliCommon common;
  char *output;
  char *calibrate;    /* --calibrate REFERENCE */
} Options;

/* CSV holds a 1-D array as one row, so a (1, n) CSV plane matches a
 * sidecar shape of (n,). */
static gboolean
shape_matches (const CondmapArray *plane, CliFormat format,
               const CondmapSidecar *sc)
{
  unsigned rank = condmap_array_get_rank (plane);
  const size_t *shape = condmap_array_get_shape (plane);
  unsigned want_rank = condmap_sidecar_get_rank (sc);
  const size_t *want = condmap_sidecar_get_shape (sc);

  if (format == CLI_FORMAT_CSV && want_rank == 1 && rank == 2
      && shape[0] == 1 && shape[1] == want[0])
    return TRUE;
  if (rank != want_rank)
    return FALSE;
  for (unsigned i = 0; i < rank; i++)
    if (shape[i] != want[i])
      return FALSE;
  return TRUE;
}

/* Reads plane file @name of @dir (CSV in the sidecar's dtype) and refuses
 * one that does not fit the record: measured planes must stand in for the
 * written ones element for element. */
static CondmapArray *
read_plane (const char *dir, const char *name, const CondmapSidecar *sc,
            GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  CondmapDtype dtype = condmap_sidecar_get_dtype (sc);
  g_autoptr (CondmapArray) plane = NULL;
  CliFormat format;

  if ((plane = cli_array_read (path, dtype, &format, error)) == NULL)
    return NULL;
  if (condmap_array_get_dtype (plane) != dtype)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "plane '%s' is %s, but %s/params.yaml records %s: save "
                   "the planes in the dtype convert wrote them in", path,
                   condmap_dtype_name (condmap_array_get_dtype (plane)), dir,
                   condmap_dtype_name (dtype));
      return NULL;
    }
  if (!shape_matches (plane, format, sc))
    {
      g_autofree char *got =
        condmap_shape_to_string (condmap_array_get_rank (plane),
                             condmap_array_get_shape (plane));
      g_autofree char *want =
        condmap_shape_to_string (condmap_sidecar_get_rank (sc),
                             condmap_sidecar_get_shape (sc));

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "plane '%s' has shape %s, but %s/params.yaml records %s: "
                   "every plane must have the shape of the weights", path,
                   got, dir, want);
      return NULL;
    }
  return g_steal_pointer (&plane);
}

/* The planes the sidecar lists, in its order: the converter's order. */
static GPtrArray *
read_planes (const char *dir, const CondmapSidecar *sc, GError **error)
{
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);

  for (const char *const *name = condmap_sidecar_get_planes (sc); *name;
       name++)
    {
      CondmapArray *plane = read_plane (dir, *name, sc, error);

      if (plane == NULL)
        return NULL;
      g_ptr_array_add (planes, plane);
    }
  return g_steal_pointer (&planes);
}

static int
run (const Options *o, const char *dir)
{
  g_autofree char *sidecar_path = g_build_filename (dir, "params.yaml", NULL);
  g_autofree char *out_path = o->output ? g_strdup (o->output)
                              : g_build_filename (dir, "restored.npy", NULL);
  CliFormat out_format = cli_format_from_path (out_path);
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autoptr (CondmapRuntime) rt = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  GError *error = NULL;
  gboolean ok;

  if ((sc = condmap_sidecar_read (sidecar_path, &error)) == NULL)
    return cli_fail (error);
  rt = cli_runtime_new (&o->common);
  if ((conv = condmap_sidecar_new_converter (sc, rt, &error)) == NULL
      || !cli_format_check_rank (out_format, condmap_sidecar_get_rank (sc),
                                 out_path, &error)
      || (planes = read_planes (dir, sc, &error)) == NULL)
    return cli_fail (error);
  weights = cli_planes_to_weights (conv, planes,
                                   condmap_sidecar_get_params (sc),
                                   condmap_sidecar_get_dtype (sc),
                                   condmap_sidecar_get_rank (sc),
                                   condmap_sidecar_get_shape (sc), &error);
  if (weights == NULL
      || (o->calibrate != NULL
          && !cli_calibrate (conv, weights, o->calibrate, o->common.quiet,
                             &error)))
    return cli_fail (error);
  /* Written beside out_path and renamed: an interrupted restore leaves
   * the old weights file, if any, and no temporary. */
  cli_interrupt_guard_file (out_path);
  ok = cli_array_write (out_path, out_format, weights, &error);
  cli_interrupt_unguard ();
  if (!ok)
    return cli_fail (error);
  if (!o->common.quiet)
    {
      g_autofree char *shape =
        condmap_shape_to_string (condmap_array_get_rank (weights),
                             condmap_array_get_shape (weights));

      printf ("%s: weights of shape %s, %s, from %u planes (%s)\n", out_path,
              shape, condmap_dtype_name (condmap_array_get_dtype (weights)),
              planes->len, condmap_converter_get_name (conv));
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
