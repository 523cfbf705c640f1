/* simulate-dir.c - condmap_simulate_dir(): an output directory as it
 * would read back from a chip.  The planes of INDIR are programmed onto
 * simulated devices and read at time t; OUTDIR gets the same plane files
 * and a copy of the sidecar, so that restore takes it as it takes
 * measured planes.  Written as convert writes: complete or not at all. */
#include "condmap-private.h"

gboolean
condmap_simulate_dir (CondmapRuntime *runtime, const CondmapDevice *device,
                      const char *indir, double time_s, guint64 seed,
                      const char *outdir, CondmapOutdirFlags flags,
                      GError **error)
{
  g_autofree char *sidecar_path = NULL;
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autofree void **data = NULL;
  double g_min = 0.0, g_max = 25.0;

  g_return_val_if_fail (runtime != NULL && device != NULL && indir != NULL
                        && outdir != NULL, FALSE);
  /* Refuse a bad destination before any work. */
  if (!condmap_outdir_check (outdir, flags, error))
    return FALSE;
  sidecar_path = g_build_filename (indir, CONDMAP_OUTDIR_SIDECAR, NULL);
  if ((sc = condmap_sidecar_read (sidecar_path, error)) == NULL
      || (conv = condmap_sidecar_new_converter (sc, runtime, error)) == NULL
      || (planes = condmap_outdir_read_planes (indir, sc, error)) == NULL)
    return FALSE;
  if (planes->len == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "%s lists no planes: nothing to simulate", sidecar_path);
      return FALSE;
    }
  condmap_converter_get_bounds (conv, &g_min, &g_max);
  data = g_new0 (void *, planes->len);
  for (guint k = 0; k < planes->len; k++)
    data[k] = condmap_array_get_data (planes->pdata[k]);
  if (!condmap_device_simulate (device, condmap_sidecar_get_dtype (sc),
                                   seed, 0, g_min, g_max, time_s,
                                   planes->len, (const void *const *) data,
                                   condmap_array_get_n (planes->pdata[0]),
                                   NULL, data, error))
    return FALSE;
  return cm_outdir_write (outdir, flags, condmap_sidecar_get_planes (sc),
                          planes, sc, error);
}
