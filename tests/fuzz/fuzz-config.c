/* fuzz-config.c - libFuzzer target for the YAML config loader through
 * plugin validation: core/yaml-doc.c, core/config.c (the settings
 * accessors), core/converter.c and each plugin's create() with fuzzed
 * settings.
 *
 * Each input is a config text given to condmap_converter_new_from_yaml()
 * over the real plugins (CONDMAP_PLUGIN_PATH).  A refusal must come with a
 * CONDMAP_ERROR.  A converter that is made is then exercised: 7 fixed
 * weights forward and back (float32 or float64, chosen by the input's
 * length), check_invertible, and the restore path: a sidecar recording it
 * is written, read back and must recreate a converter that turns the same
 * planes into the same weights. */
#include <math.h>
#include <string.h>
#include "fuzz-common.h"

#define N_WEIGHTS 7

static const double weights64[N_WEIGHTS] = {
  -1.0, -0.5, -0.125, 0.0, 0.25, 0.75, 1.0
};

typedef struct {
  CondmapDtype dtype;
  unsigned K;
  void **planes;        /* K planes of N_WEIGHTS elements */
  CondmapParams *params;
  guint8 back[N_WEIGHTS * sizeof (double)];
} Conversion;

static void
conversion_clear (Conversion *c)
{
  for (unsigned k = 0; c->planes != NULL && k < c->K; k++)
    g_free (c->planes[k]);
  g_free (c->planes);
  condmap_params_free (c->params);
}

/* Forward and back; FALSE (with the error checked) if the converter
 * refuses, which it may do with a clear error for extreme settings. */
static gboolean
convert (const CondmapConverter *conv, Conversion *c)
{
  size_t esize = condmap_dtype_size (c->dtype);
  guint8 w[N_WEIGHTS * sizeof (double)];
  GError *error = NULL;
  gboolean ok;

  for (size_t i = 0; i < N_WEIGHTS; i++)
    if (c->dtype == CONDMAP_DTYPE_FLOAT32)
      ((float *) w)[i] = (float) weights64[i];
    else
      ((double *) w)[i] = weights64[i];
  c->K = condmap_converter_get_n_planes (conv);
  c->planes = g_new0 (void *, c->K);
  for (unsigned k = 0; k < c->K; k++)
    {
      c->planes[k] = g_malloc0 (N_WEIGHTS * esize);
      if (condmap_converter_get_plane_name (conv, k) == NULL)
        fuzz_fail ("plane %u of %u has no name", k, c->K);
    }
  ok = condmap_converter_to_conductances (conv, c->dtype, w, N_WEIGHTS,
                                          c->planes, &c->params, &error);
  fuzz_check_outcome (ok, &error, "condmap_converter_to_conductances");
  if (!ok)
    return FALSE;
  if (c->params == NULL)
    fuzz_fail ("to_conductances succeeded without params");
  ok = condmap_converter_to_weights (conv, c->dtype,
                                     (const void *const *) c->planes,
                                     N_WEIGHTS, c->params, c->back, &error);
  fuzz_check_outcome (ok, &error, "condmap_converter_to_weights");
  return ok;
}

/* What `condmap convert` then `condmap restore` do: record the converter
 * in a sidecar, read it back, recreate the converter, restore the planes.
 * None of it may fail for a converter that just converted, and the
 * weights must come back the same. */
static void
check_restore (CondmapRuntime *rt, const CondmapConverter *conv,
               const Conversion *c)
{
  const char *path = fuzz_path ("params.yaml");
  size_t shape[1] = { N_WEIGHTS };
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (CondmapSidecar) written = NULL;
  g_autoptr (CondmapSidecar) read = NULL;
  g_autoptr (CondmapConverter) again = NULL;
  g_autoptr (GError) error = NULL;
  guint8 back[N_WEIGHTS * sizeof (double)];

  for (unsigned k = 0; k < c->K; k++)
    g_ptr_array_add (names, g_strdup_printf ("%s.npy",
                     condmap_converter_get_plane_name (conv, k)));
  g_ptr_array_add (names, NULL);
  written = condmap_sidecar_new (conv, c->dtype, 1, shape, c->params,
                                 (const char *const *) names->pdata);
  if (!condmap_sidecar_write (written, path, &error))
    fuzz_fail ("condmap_sidecar_write: %s", error->message);
  read = condmap_sidecar_read (path, &error);
  if (read == NULL)
    fuzz_fail ("condmap_sidecar_read of a sidecar just written: %s",
               error->message);
  again = condmap_sidecar_new_converter (read, rt, &error);
  if (again == NULL)
    fuzz_fail ("the converter recorded in a sidecar cannot be recreated: %s",
               error->message);
  if (strcmp (condmap_converter_get_name (again),
              condmap_converter_get_name (conv)) != 0
      || condmap_converter_get_n_planes (again) != c->K)
    fuzz_fail ("the recreated converter differs in name or planes");
  if (!condmap_converter_to_weights (again, c->dtype,
                                     (const void *const *) c->planes,
                                     N_WEIGHTS,
                                     condmap_sidecar_get_params (read), back,
                                     &error))
    fuzz_fail ("restore with the recreated converter failed: %s",
               error->message);
  if (!fuzz_same_values (c->dtype, c->back, back, N_WEIGHTS))
    fuzz_fail ("restore through the sidecar gives other weights than the "
               "converter that wrote it");
}

static void
exercise (CondmapRuntime *rt, const CondmapConverter *conv, CondmapDtype dtype)
{
  Conversion c = { dtype, 0, NULL, NULL, { 0 } };
  g_autofree char *yaml = condmap_converter_dup_config_yaml (conv);
  GError *error = NULL;
  double max_error = NAN;
  gboolean ok;

  if (yaml == NULL || condmap_converter_get_name (conv) == NULL)
    fuzz_fail ("a converter without a name or resolved config");
  ok = condmap_converter_check_invertible (conv, &max_error, &error);
  fuzz_check_outcome (ok, &error, "condmap_converter_check_invertible");
  if (ok && !(max_error >= 0 && max_error <= 1e-4))
    fuzz_fail ("check_invertible passed with max_error %g", max_error);
  if (convert (conv, &c))
    check_restore (rt, conv, &c);
  conversion_clear (&c);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_runtime ();   /* dlopen the plugins before the first input */
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  CondmapRuntime *rt = fuzz_runtime ();
  GError *error = NULL;
  CondmapConverter *conv;

  conv = condmap_converter_new_from_yaml (rt, (const char *) data,
                                          (gssize) size, "fuzz.yaml",
                                          &error);
  fuzz_check_outcome (conv != NULL, &error, "condmap_converter_new_from_yaml");
  if (conv != NULL)
    {
      exercise (rt, conv, size % 2 ? CONDMAP_DTYPE_FLOAT64
                                   : CONDMAP_DTYPE_FLOAT32);
      condmap_converter_free (conv);
    }
  return 0;
}
