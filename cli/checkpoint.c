/* checkpoint.c - convert, restore and check of whole safetensors
 * checkpoints: the condmap command's side of condmap_checkpoint_convert(),
 * _restore() and _check() (the recipe, the progress line, the summary and
 * the table). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include "cli.h"

CondmapTensorDtype
cli_plane_dtype_from_name (const char *name)
{
  static const struct {
    const char *name;
    CondmapTensorDtype dtype;
  } names[] = {
    { "f16", CONDMAP_TENSOR_DTYPE_F16 }, { "float16", CONDMAP_TENSOR_DTYPE_F16 },
    { "f32", CONDMAP_TENSOR_DTYPE_F32 }, { "float32", CONDMAP_TENSOR_DTYPE_F32 },
    { "f64", CONDMAP_TENSOR_DTYPE_F64 }, { "float64", CONDMAP_TENSOR_DTYPE_F64 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i].name) == 0)
      return names[i].dtype;
  return CONDMAP_TENSOR_DTYPE_OTHER;
}

gboolean
cli_is_checkpoint_dir (const char *dir)
{
  g_autofree char *pass = g_build_filename (dir,
                                            CONDMAP_CHECKPOINT_PASSTHROUGH,
                                            NULL);

  return g_file_test (pass, G_FILE_TEST_EXISTS);
}

/* -r RECIPE, -c CONFIG (the default of every tensor), or neither: single-
 * pair with aihwkit's defaults, said even with -q. */
static CondmapRecipe *
load_recipe (CondmapRuntime *rt, const CliCheckpointOptions *o,
             const char *command, GError **error)
{
  if (o->recipe_path != NULL)
    return condmap_recipe_new_from_file (rt, o->recipe_path, error);
  if (o->config_path == NULL)
    fprintf (stderr, "condmap %s: no -r RECIPE or -c CONFIG given: using "
             "single-pair with aihwkit's defaults (g_min 0, g_max 25 µS) for "
             "floating tensors of rank >= 2\n", command);
  return condmap_recipe_new_for_config (rt, o->config_path, error);
}

/* A rule that matched no tensor is most often a typo in its glob. */
static void
warn_unused_rules (const CondmapRecipe *recipe, const char *model)
{
  for (size_t i = 0; i < condmap_recipe_get_n_rules (recipe); i++)
    {
      unsigned line = 0;
      gboolean used = FALSE;
      const char *pattern = condmap_recipe_get_rule (recipe, i, &line, &used);

      if (!used)
        fprintf (stderr, "condmap: warning: %s:%u: rule '%s' matches no "
                 "tensor of %s\n", condmap_recipe_get_origin (recipe), line,
                 pattern, model);
    }
}

static size_t
count_tensors (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr (CondmapSafetensors) st = condmap_safetensors_open (path, NULL);

  return st ? condmap_safetensors_get_n_tensors (st) : 0;
}

int
cli_checkpoint_convert (const CliCommon *common,
                        const CliCheckpointOptions *o, const char *model,
                        const char *outdir)
{
  g_autoptr (CondmapRuntime) rt = NULL;
  g_autoptr (CondmapRecipe) recipe = NULL;
  CondmapCheckpointFlags flags = 0;
  CondmapTensorDtype plane_dtype = CONDMAP_TENSOR_DTYPE_OTHER;
  CliProgress progress;
  GError *error = NULL;
  gboolean ok;

  if (o->plane_dtype != NULL)
    plane_dtype = cli_plane_dtype_from_name (o->plane_dtype);
  flags |= o->force ? CONDMAP_CHECKPOINT_FORCE : 0;
  flags |= o->npy ? CONDMAP_CHECKPOINT_NPY : 0;
  if (!condmap_outdir_check (outdir, o->force ? CONDMAP_OUTDIR_FORCE : 0,
                             &error))
    return cli_fail (error);
  rt = cli_runtime_new (common);
  if ((recipe = load_recipe (rt, o, "convert", &error)) == NULL)
    return cli_fail (error);
  cli_progress_init (&progress, common->quiet, o->progress);
  ok = condmap_checkpoint_convert (recipe, model, outdir, flags, plane_dtype,
                                   cli_progress_report, &progress, &error);
  cli_progress_end (&progress);
  if (!ok)
    return cli_fail (error);
  warn_unused_rules (recipe, model);
  if (!common->quiet)
    {
      size_t pass = count_tensors (outdir, CONDMAP_CHECKPOINT_PASSTHROUGH);

      if (o->npy)
        printf ("%s: npy planes in a directory per converted tensor, %zu "
                "tensor%s passed through (" CONDMAP_CHECKPOINT_PASSTHROUGH
                ") and " CONDMAP_CHECKPOINT_RECORD "\n", outdir, pass,
                pass == 1 ? "" : "s");
      else
        printf ("%s: %zu planes (" CONDMAP_CHECKPOINT_PLANES "), %zu tensor%s "
                "passed through (" CONDMAP_CHECKPOINT_PASSTHROUGH ") and "
                CONDMAP_CHECKPOINT_RECORD "\n", outdir,
                count_tensors (outdir, CONDMAP_CHECKPOINT_PLANES), pass,
                pass == 1 ? "" : "s");
    }
  return CLI_EXIT_OK;
}

int
cli_checkpoint_restore (const CliCommon *common,
                        const CliCheckpointOptions *o, const char *outdir,
                        const char *output)
{
  g_autoptr (CondmapRuntime) rt = cli_runtime_new (common);
  CliProgress progress;
  GError *error = NULL;
  gboolean ok;

  cli_progress_init (&progress, common->quiet, o->progress);
  ok = condmap_checkpoint_restore (rt, outdir, output, cli_progress_report,
                                   &progress, &error);
  cli_progress_end (&progress);
  if (!ok)
    return cli_fail (error);
  if (!common->quiet)
    {
      g_autoptr (CondmapSafetensors) st = condmap_safetensors_open (output,
                                                                    NULL);

      printf ("%s: %zu tensors restored from %s\n", output,
              st ? condmap_safetensors_get_n_tensors (st) : 0, outdir);
    }
  return CLI_EXIT_OK;
}

/* ---- check: the table --------------------------------------------------- */

typedef struct {
  size_t n_tensors, n_converted;
  guint64 n_elements;       /* of the converted tensors */
  double max_abs, sum_sq, max_rel;
  char *worst_name;
  double tolerance;
} Totals;

static void
print_row (const CondmapTensorCheck *row, gpointer data)
{
  Totals *t = data;
  g_autofree char *shape = condmap_shape_to_string (row->rank, row->shape);

  t->n_tensors++;
  if (row->converter == NULL)
    {
      printf ("%-40s %-5s %-16s %-12s %10s %10s %10s\n", row->name,
              row->dtype_name, shape, "passthrough", "-", "-", "-");
      return;
    }
  t->n_converted++;
  t->n_elements += row->n_elements;
  t->max_abs = MAX (t->max_abs, row->max_abs_error);
  t->sum_sq += row->rms_error * row->rms_error * (double) row->n_elements;
  if (row->max_rel_error > t->max_rel || t->worst_name == NULL)
    {
      t->max_rel = MAX (t->max_rel, row->max_rel_error);
      g_free (t->worst_name);
      t->worst_name = g_strdup (row->name);
    }
  printf ("%-40s %-5s %-16s %-12s %10.3g %10.3g %10.3g%s\n", row->name,
          row->dtype_name, shape, row->converter, row->max_abs_error,
          row->rms_error, row->max_rel_error,
          row->max_rel_error > t->tolerance ? "  over the limit" : "");
}

int
cli_checkpoint_check (const CliCommon *common, const CliCheckpointOptions *o,
                      const char *model)
{
  g_autoptr (CondmapRuntime) rt = cli_runtime_new (common);
  g_autoptr (CondmapRecipe) recipe = NULL;
  Totals t = { .tolerance = o->tolerance };
  CliProgress progress;
  GError *error = NULL;
  gboolean ok;

  if ((recipe = load_recipe (rt, o, "check", &error)) == NULL)
    return cli_fail (error);
  printf ("%-40s %-5s %-16s %-12s %10s %10s %10s\n", "tensor", "dtype",
          "shape", "scheme", "max abs", "RMS", "max rel");
  cli_progress_init (&progress, common->quiet, o->progress);
  ok = condmap_checkpoint_check (recipe, model, print_row, &t,
                                 cli_progress_report, &progress, &error);
  cli_progress_end (&progress);
  if (!ok)
    {
      g_free (t.worst_name);
      return cli_fail (error);
    }
  warn_unused_rules (recipe, model);
  printf ("total: %zu of %zu tensors converted (%" G_GUINT64_FORMAT
          " weights): max abs %.3g, RMS %.3g, max rel %.3g%s%s%s\n",
          t.n_converted, t.n_tensors, t.n_elements, t.max_abs,
          t.n_elements ? sqrt (t.sum_sq / (double) t.n_elements) : 0.0,
          t.max_rel, t.worst_name ? " (" : "",
          t.worst_name ? t.worst_name : "", t.worst_name ? ")" : "");
  if (t.max_rel > o->tolerance)
    {
      fprintf (stderr, "condmap: error: %s: tensor '%s' moves by %.3g of its "
               "max |w| on the round trip, over the limit %g: raise "
               "--tolerance if the scheme is lossy by design\n", model,
               t.worst_name, t.max_rel, o->tolerance);
      g_free (t.worst_name);
      return CLI_EXIT_FAILURE;
    }
  g_free (t.worst_name);
  return CLI_EXIT_OK;
}
