/* cmd-bench.c - condmap bench: throughput of each converter in both
 * directions, beside the memory floor measured in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* The converters benchmarked without -c, in the order printed. */
static const char *const default_configs[] = {
  "single-pair.yaml", "dual-pair.yaml", "n-pair.yaml", "custom-pair.yaml",
  "single-device.yaml", "bit-slice.yaml", "offset.yaml",
  "two-sided-pair.yaml", "neurosim-offset.yaml", NULL
};

#define MAX_BENCH_PLANES 16

typedef struct {
  CondmapRuntime *rt;
  CondmapDtype dtype;
  size_t n;
  unsigned rank;     /* the --shape, which per-channel scaling needs */
  size_t shape[4];
  int runs;
  void *weights;
  void *back;
  void **planes;     /* max_planes preallocated planes of n elements */
  CondmapDevice *device;   /* --device: simulate is timed too */
} Bench;

typedef enum { FORWARD, INVERSE, FLOOR_FORWARD, FLOOR_INVERSE, SIMULATE,
               FLOOR_SIMULATE } What;

/* The read time simulate is timed at: drift and read noise both run. */
#define BENCH_SIMULATE_TIME_S 86400.0

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Runs one direction once; returns FALSE with @error on failure. */
static gboolean
run_once (Bench *b, const CondmapConverter *conv, What what, unsigned K,
          CondmapParams **params, GError **error)
{
  switch (what)
    {
    case FORWARD:
      condmap_params_free (*params);
      *params = NULL;
      return condmap_converter_to_conductances_shaped (conv, b->dtype,
                                                       b->rank, b->shape,
                                                       b->weights, b->planes,
                                                       params, error);
    case INVERSE:
      return condmap_converter_to_weights_shaped (conv, b->dtype, b->rank,
                                                  b->shape,
                                                  (const void *const *) b->planes,
                                                  *params, b->back, error);
    case FLOOR_FORWARD:
      condmap_runtime_stream_floor (b->rt, b->dtype, b->n,
                                    (const void *const *) &b->weights, 1,
                                    b->planes, K, TRUE);
      return TRUE;
    case FLOOR_INVERSE:
      condmap_runtime_stream_floor (b->rt, b->dtype, b->n,
                                    (const void *const *) b->planes, K,
                                    &b->back, 1, FALSE);
      return TRUE;
    case SIMULATE:
      /* The K planes the forward conversion wrote, into K others. */
      {
        double g_min = 0, g_max = 25;

        condmap_converter_get_bounds (conv, &g_min, &g_max);
        return condmap_device_simulate (b->device, b->dtype, 1, 0, g_min,
                                        g_max, BENCH_SIMULATE_TIME_S, K,
                                        (const void *const *) b->planes,
                                        b->n, NULL, b->planes + K, error);
      }
    case FLOOR_SIMULATE:
      condmap_runtime_stream_floor (b->rt, b->dtype, b->n,
                                    (const void *const *) b->planes, K,
                                    b->planes + K, K, FALSE);
      return TRUE;
    }
  return FALSE;
}

static double
median (double *t, int n)
{
  qsort (t, n, sizeof *t, compare_doubles);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* A direction and its floor: one warm-up of each, then b->runs timed runs
 * of each, taken in turns, so that both see the same machine (these are
 * shared and their speed drifts); the median of each, in seconds. */
static gboolean
time_pair (Bench *b, const CondmapConverter *conv, What what, What floor,
           unsigned K, CondmapParams **params, double *seconds,
           double *floor_seconds, GError **error)
{
  g_autofree double *t = g_new (double, b->runs);
  g_autofree double *f = g_new (double, b->runs);

  if (!run_once (b, conv, what, K, params, error)
      || !run_once (b, conv, floor, K, params, error))
    return FALSE;
  for (int r = 0; r < b->runs; r++)
    {
      gint64 start = g_get_monotonic_time ();

      if (!run_once (b, conv, what, K, params, error))
        return FALSE;
      t[r] = (g_get_monotonic_time () - start) / 1e6;
      start = g_get_monotonic_time ();
      if (!run_once (b, conv, floor, K, params, error))
        return FALSE;
      f[r] = (g_get_monotonic_time () - start) / 1e6;
    }
  *seconds = median (t, b->runs);
  *floor_seconds = median (f, b->runs);
  return TRUE;
}

static void
print_line (const char *name, const char *direction, unsigned K, size_t n,
            double seconds)
{
  printf ("%s %s planes=%u %zu elements %.1f ms %.1f Melem/s\n", name,
          direction, K, n, seconds * 1e3, n / seconds / 1e6);
}

static gboolean
bench_converter (Bench *b, const char *path, GError **error)
{
  g_autoptr (CondmapConverter) conv =
    condmap_converter_new_from_file (b->rt, path, error);
  g_autoptr (CondmapParams) params = NULL;
  const char *name;
  double s[4];
  unsigned K;

  if (conv == NULL)
    return FALSE;
  name = condmap_converter_get_name (conv);
  K = condmap_converter_get_n_planes (conv);
  /* Forward first: it makes the params the inverse needs. */
  if (!time_pair (b, conv, FORWARD, FLOOR_FORWARD, K, &params, &s[FORWARD],
                  &s[FLOOR_FORWARD], error)
      || !time_pair (b, conv, INVERSE, FLOOR_INVERSE, K, &params,
                     &s[INVERSE], &s[FLOOR_INVERSE], error))
    return FALSE;
  if (b->device != NULL && 2 * K <= MAX_BENCH_PLANES)
    {
      double sim, sim_floor;

      if (!time_pair (b, conv, SIMULATE, FLOOR_SIMULATE, K, &params, &sim,
                      &sim_floor, error))
        return FALSE;
      print_line (name, "simulate", K, b->n, sim);
      printf ("  floor simulate planes=%u %.1f ms %.1f Melem/s, ratio %.2f "
              "(%s, t = 1d)\n", K, sim_floor * 1e3, b->n / sim_floor / 1e6,
              sim_floor / sim, condmap_device_get_name (b->device));
    }
  print_line (name, "to-conductances", K, b->n, s[FORWARD]);
  print_line (name, "to-weights", K, b->n, s[INVERSE]);
  printf ("  floor to-conductances planes=%u %.1f ms %.1f Melem/s, "
          "ratio %.2f\n", K, s[FLOOR_FORWARD] * 1e3,
          b->n / s[FLOOR_FORWARD] / 1e6, s[FLOOR_FORWARD] / s[FORWARD]);
  printf ("  floor to-weights planes=%u %.1f ms %.1f Melem/s, ratio %.2f\n",
          K, s[FLOOR_INVERSE] * 1e3, b->n / s[FLOOR_INVERSE] / 1e6,
          s[FLOOR_INVERSE] / s[INVERSE]);
  fflush (stdout);
  return TRUE;
}

static gboolean
parse_shape (const char *text, Bench *b)
{
  g_auto (GStrv) dims = g_strsplit (text, "x", -1);
  guint64 d;

  b->n = 1;
  b->rank = g_strv_length (dims);
  if (b->rank < 1 || b->rank > 4)
    return FALSE;
  for (guint i = 0; dims[i]; i++)
    {
      if (!g_ascii_string_to_unsigned (dims[i], 10, 1, 1u << 30, &d, NULL)
          || __builtin_mul_overflow (b->n, (size_t) d, &b->n))
        return FALSE;
      b->shape[i] = (size_t) d;
    }
  return TRUE;
}

/* Fills the weights with a fixed pseudo-random spread in [-3, 3]. */
static void
fill_weights (Bench *b)
{
  GRand *rand = g_rand_new_with_seed (1);

  for (size_t i = 0; i < b->n; i++)
    {
      double v = g_rand_double_range (rand, -3, 3);
      if (b->dtype == CONDMAP_DTYPE_FLOAT32)
        ((float *) b->weights)[i] = (float) v;
      else
        ((double *) b->weights)[i] = v;
    }
  g_rand_free (rand);
}

static int
run (Bench *b, char **configs)
{
  GPtrArray *arrays;
  gboolean ok = TRUE;
  GError *error = NULL;
  int status = CLI_EXIT_OK;

  /* Arrays of the library, aligned as convert's are. */
  arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);
  for (int k = 0; k < MAX_BENCH_PLANES + 2 && ok; k++)
    {
      CondmapArray *a = condmap_array_new (b->dtype, 1, &b->n, NULL);

      if (a == NULL)
        ok = FALSE;
      else
        g_ptr_array_add (arrays, a);
    }
  if (!ok)
    {
      fprintf (stderr, "condmap: error: cannot allocate %u planes of %zu "
               "elements: try a smaller --shape\n", MAX_BENCH_PLANES, b->n);
      status = CLI_EXIT_FAILURE;
    }
  else
    {
      b->weights = condmap_array_get_data (arrays->pdata[0]);
      b->back = condmap_array_get_data (arrays->pdata[1]);
      b->planes = g_new0 (void *, MAX_BENCH_PLANES);
      for (int k = 0; k < MAX_BENCH_PLANES; k++)
        b->planes[k] = condmap_array_get_data (arrays->pdata[k + 2]);
      fill_weights (b);
      printf ("# %s, %u threads, median of %d runs after a warm-up\n",
              condmap_dtype_name (b->dtype),
              condmap_runtime_get_n_threads (b->rt), b->runs);
      for (guint i = 0; configs[i] && status == CLI_EXIT_OK; i++)
        if (!bench_converter (b, configs[i], &error))
          status = cli_fail (error);
    }
  g_clear_pointer (&b->planes, g_free);
  g_ptr_array_unref (arrays);
  return status;
}

int
cli_cmd_bench (int argc, char **argv)
{
  CliCommon common = { 0 };
  g_autofree char *config = NULL, *shape = NULL, *dtype = NULL;
  g_autofree char *device = NULL;
  int runs = 11;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
      "Benchmark only this config (default: every config in configs/)", "CONFIG" },
    { "shape", 0, 0, G_OPTION_ARG_STRING, &shape,
      "Array shape, RxC (default 4096x4096)", "RxC" },
    { "dtype", 0, 0, G_OPTION_ARG_STRING, &dtype,
      "Element type, f32 or f64 (default f32)", "f32|f64" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs,
      "Timed runs per measurement (default 11)", "N" },
    { "device", 'd', 0, G_OPTION_ARG_FILENAME, &device,
      "Also time simulate on this device model, a name (pcm-like) or a "
      "config file, beside the floor of the same planes", "DEVICE" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = cli_context_new ("bench", "",
    "Measures each converter's throughput in both directions, as the median "
    "of several runs after a warm-up into preallocated planes, and beside "
    "it the memory floor: a plain streaming pass over the same bytes with "
    "the same threads, measured in the same run.  A ratio near 1 means the "
    "converter runs at the machine's memory bandwidth.",
    "Examples:\n"
    "  condmap bench\n"
    "  condmap bench -c configs/dual-pair.yaml --shape 1024x1024 --dtype f64\n"
    "  condmap bench -c configs/dual-pair.yaml --device pcm-like\n",
    entries, &common);
  g_autoptr (CondmapRuntime) rt = NULL;
  g_auto (GStrv) configs = NULL;
  Bench b = { 0 };

  if (!cli_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc > 1)
    return cli_usage_error ("bench", "unexpected argument '%s'", argv[1]);
  b.dtype = condmap_dtype_from_name (dtype ? dtype : "f32");
  if (b.dtype == 0)
    return cli_usage_error ("bench", "--dtype must be f32 or f64, not '%s'", dtype);
  if (!parse_shape (shape ? shape : "4096x4096", &b))
    return cli_usage_error ("bench", "--shape must look like 4096x4096, not '%s'", shape);
  if (runs < 1 || runs > 1000)
    return cli_usage_error ("bench", "--runs must be 1 to 1000");
  b.runs = runs;
  if (config != NULL)
    {
      configs = g_new0 (char *, 2);
      configs[0] = g_strdup (config);
    }
  else
    {
      g_autofree char *dir = cli_config_dir ();
      configs = g_new0 (char *, G_N_ELEMENTS (default_configs));
      for (guint i = 0; default_configs[i]; i++)
        configs[i] = g_build_filename (dir, default_configs[i], NULL);
    }
  rt = cli_runtime_new (&common);
  g_strfreev (common.plugin_dirs);
  b.rt = rt;
  if (device != NULL)
    {
      g_autoptr (CondmapDevice) dev = NULL;
      GError *error = NULL;

      /* A name, or a config file. */
      if (g_file_test (device, G_FILE_TEST_EXISTS))
        dev = condmap_device_new_from_file (rt, device, &error);
      else
        {
          g_autofree char *yaml = g_strdup_printf ("device: %s\n", device);

          dev = condmap_device_new_from_yaml (rt, yaml, -1, "--device",
                                              &error);
        }
      if (dev == NULL)
        return cli_fail (error);
      b.device = dev;
      return run (&b, configs);
    }
  return run (&b, configs);
}
