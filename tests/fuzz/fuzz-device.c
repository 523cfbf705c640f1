/* fuzz-device.c - libFuzzer target for device configs through the
 * device-model plugins: core/device.c, the settings validation and each
 * model's create() with fuzzed settings (the measured model's level table
 * through the host).
 *
 * Each input is a device config text given to
 * condmap_device_new_from_yaml() over the real plugins.  A refusal must
 * come with a CONDMAP_ERROR.  A device that is made simulates 3 planes of
 * 7 targets at t = 0 and 1 d, twice: every output must be >= 0 (a
 * conductance is never negative) or NaN, and the two runs equal. */
#include <math.h>
#include <string.h>
#include "fuzz-common.h"

#define N 7
#define K 3

static const double targets[K][N] = {
  { 0.0, 1.0, 5.0, 12.5, 20.0, 25.0, 40.0 },
  { 25.0, 0.5, 3.0, 7.0, 11.0, 0.0, 18.0 },
  { 1e-9, 24.999, 12.0, 6.0, 2.0, 30.0, 0.25 },
};

static void
simulate (const CondmapDevice *dev, double t_s, double out[K][N])
{
  const void *in[K] = { targets[0], targets[1], targets[2] };
  void *o[K] = { out[0], out[1], out[2] };
  GError *error = NULL;
  gboolean ok;

  ok = condmap_device_simulate (dev, CONDMAP_DTYPE_FLOAT64, 7, 0, 0.0, 25.0,
                                t_s, K, in, N, NULL, o, &error);
  fuzz_check_outcome (ok, &error, "condmap_device_simulate");
  if (!ok)
    fuzz_fail ("condmap_device_simulate refused a valid time");
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_runtime ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    /* The measured model's table.csv, beside the config. */
  const char *origin = fuzz_path ("device.yaml");
  CondmapDevice *dev;
  GError *error = NULL;
  double a[K][N], b[K][N];

  static char *table;

  if (table == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (origin);

      table = g_build_filename (dir, "table.csv", NULL);
      fuzz_write_file (table, (const uint8_t *) "0, 0.1\n10, 0.5\n25, 1.0\n",
                       23);
    }
  dev = condmap_device_new_from_yaml (fuzz_runtime (), (const char *) data,
                                      (gssize) size, origin, &error);
  fuzz_check_outcome (dev != NULL, &error, "condmap_device_new_from_yaml");
  if (dev == NULL)
    return 0;
  for (int r = 0; r < 2; r++)
    {
      double t_s = r == 0 ? 0.0 : 86400.0;

      simulate (dev, t_s, a);
      simulate (dev, t_s, b);
      if (memcmp (a, b, sizeof a) != 0)
        fuzz_fail ("two simulations with one seed differ");
      for (int k = 0; k < K; k++)
        for (int i = 0; i < N; i++)
          if (a[k][i] < 0)
            fuzz_fail ("a negative conductance: %g", a[k][i]);
    }
  condmap_device_free (dev);
  return 0;
}
