/* embed.c - condmap embedded in a program, as lab software uses it: load a
 * converter config, turn a weight matrix held in memory into conductance
 * planes, turn the planes back into weights and report the round-trip
 * error.
 *
 *   ./embed [CONFIG]
 *
 * CONFIG is a YAML file; a bare name such as "n-pair.yaml" is looked up in
 * CONFIG_DIR, the installed configs (pkg-config --variable=configdir
 * condmap, compiled in by the Makefile).  Default: dual-pair.yaml.
 * Plugins are found as condmap finds them: CONDMAP_PLUGIN_PATH, then the
 * installed plugin directory.
 *
 * Exit status: 0 if the round trip ran, 1 on any error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <condmap.h>

#ifndef CONFIG_DIR
#error "build with -DCONFIG_DIR='\"...\"' (pkg-config --variable=configdir condmap)"
#endif

#define ROWS 256   /* a 784 -> 256 dense layer */
#define COLS 784

/* Deterministic weights with the spread of a trained layer (roughly
 * normal, sigma 0.05), so that every run prints the same numbers. */
static void
fill_weights (float *w, size_t n)
{
  guint32 x = 12345;

  for (size_t i = 0; i < n; i++)
    {
      float sum = 0.0f;

      for (int k = 0; k < 4; k++)   /* sum of 4 uniforms in [-0.5, 0.5) */
        {
          x = x * 1664525u + 1013904223u;
          sum += (float) (x >> 8) / 16777216.0f - 0.5f;
        }
      w[i] = 0.05f * sum * 1.7320508f;
    }
}

/* Tells about plugins that did not load, as condmap list would: the
 * config may need one of them. */
static void
report_failures (const CondmapRuntime *rt)
{
  for (size_t i = 0; i < condmap_runtime_get_n_failures (rt); i++)
    {
      const char *path;
      const GError *e = condmap_runtime_get_failure (rt, i, &path);

      fprintf (stderr, "embed: warning: plugin %s not loaded: %s\n", path,
               e->message);
    }
}

int
main (int argc, char **argv)
{
  const char *name = argc > 1 ? argv[1] : "dual-pair.yaml";
  const size_t n = (size_t) ROWS * COLS;
  const size_t shape[2] = { ROWS, COLS };
  CondmapRuntime *rt = NULL;
  CondmapConverter *conv = NULL;
  CondmapParams *params = NULL;
  GError *error = NULL;
  char *path = NULL;
  float *w = NULL, *back = NULL, *g = NULL;
  void **planes = NULL;
  unsigned n_planes;
  double max_abs_w = 0.0, max_err = 0.0, sum_sq = 0.0;
  int status = 1;

  if (argc > 2)
    {
      fprintf (stderr, "usage: %s [CONFIG]\n", argv[0]);
      return 1;
    }
  /* A bare file name is one of the installed configs. */
  path = strchr (name, '/') ? g_strdup (name)
                            : g_build_filename (CONFIG_DIR, name, NULL);

  rt = condmap_runtime_new (NULL, CONDMAP_RUNTIME_DEFAULT);
  report_failures (rt);
  conv = condmap_converter_new_from_file (rt, path, &error);
  if (conv == NULL)
    goto out;

  /* The caller owns every buffer: the weights, K planes of n elements and
   * the weights read back. */
  n_planes = condmap_converter_get_n_planes (conv);
  w = g_new (float, n);
  back = g_new (float, n);
  g = g_new (float, (size_t) n_planes * n);
  planes = g_new (void *, n_planes);
  for (unsigned k = 0; k < n_planes; k++)
    planes[k] = g + (size_t) k * n;
  fill_weights (w, n);

  /* The shaped calls: a config that scales per output channel
   * (`scaling: {per: channel}`) needs to know which rows are channels. */
  if (!condmap_converter_to_conductances_shaped (conv, CONDMAP_DTYPE_FLOAT32,
                                                 2, shape, w, planes,
                                                 &params, &error)
      || !condmap_converter_to_weights_shaped (conv, CONDMAP_DTYPE_FLOAT32, 2,
                                               shape,
                                               (const void *const *) planes,
                                               params, back, &error))
    goto out;

  for (size_t i = 0; i < n; i++)
    {
      double e = fabs ((double) back[i] - (double) w[i]);

      max_abs_w = MAX (max_abs_w, fabs ((double) w[i]));
      max_err = MAX (max_err, e);
      sum_sq += e * e;
    }

  printf ("config:     %s\n", path);
  printf ("converter:  %s, %u plane%s:", condmap_converter_get_name (conv),
          n_planes, n_planes == 1 ? "" : "s");
  for (unsigned k = 0; k < n_planes; k++)
    printf (" %s", condmap_converter_get_plane_name (conv, k));
  printf ("\nweights:    %d x %d float32, max |w| %.6g\n", ROWS, COLS,
          max_abs_w);
  printf ("params:    ");
  for (size_t i = 0; i < condmap_params_get_n (params); i++)
    {
      const char *p = condmap_params_get_name (params, i);

      printf (" %s = %.9g", p, condmap_params_get (params, p));
    }
  printf ("\nround trip: max abs error %.3g, RMS %.3g, "
          "max relative %.3g (of max |w|)\n",
          max_err, sqrt (sum_sq / (double) n), max_err / max_abs_w);
  status = 0;

out:
  if (error != NULL)
    {
      fprintf (stderr, "embed: error: %s\n", error->message);
      g_error_free (error);
    }
  condmap_params_free (params);
  g_free (planes);
  g_free (g);
  g_free (back);
  g_free (w);
  condmap_converter_free (conv);   /* it holds its own runtime reference */
  condmap_runtime_unref (rt);
  g_free (path);
  return status;
}
