/* fuzz-sidecar.c - libFuzzer target for the params sidecar reader
 * (core/sidecar.c, with core/yaml-doc.c underneath) and what restore does
 * with what it read.
 *
 * Each input is written to a scratch file and read with
 * condmap_sidecar_read().  A refusal must come with a CONDMAP_ERROR.  A
 * sidecar that is read must keep its promises (known dtype, rank <= 32,
 * plain plane names, finite params); then the converter it names is
 * recreated over the real plugins (CONDMAP_PLUGIN_PATH) and, if that
 * works, restores 7 elements of constant planes with the sidecar's
 * params; and the sidecar is written back and read again, which must give
 * the same converter name, dtype, shape, params and planes. */
#include <math.h>
#include <string.h>
#include "fuzz-common.h"

#define N_ELEMENTS 7

static gboolean
plain_file_name (const char *name)
{
  return *name != '\0' && strcmp (name, ".") != 0 && strcmp (name, "..") != 0
         && strchr (name, '/') == NULL && strchr (name, '\\') == NULL;
}

static void
check_promises (const CondmapSidecar *sc)
{
  const CondmapParams *params = condmap_sidecar_get_params (sc);
  const char *const *planes = condmap_sidecar_get_planes (sc);

  if (condmap_dtype_size (condmap_sidecar_get_dtype (sc)) == 0)
    fuzz_fail ("sidecar read with unknown dtype %d",
               (int) condmap_sidecar_get_dtype (sc));
  if (condmap_sidecar_get_rank (sc) > CONDMAP_MAX_RANK)
    fuzz_fail ("sidecar read with rank %u", condmap_sidecar_get_rank (sc));
  if (condmap_sidecar_get_converter (sc) == NULL || params == NULL
      || planes == NULL || planes[0] == NULL)
    fuzz_fail ("sidecar read without converter, params or planes");
  for (size_t i = 0; planes[i] != NULL; i++)
    if (!plain_file_name (planes[i]))
      fuzz_fail ("sidecar read with plane '%s', not a plain file name",
                 planes[i]);
  for (size_t i = 0; i < condmap_params_get_n (params); i++)
    {
      const char *name = condmap_params_get_name (params, i);

      if (!isfinite (condmap_params_get (params, name)))
        fuzz_fail ("sidecar read with param '%s' not finite", name);
    }
}

/* restore: recreate the converter, then planes -> weights. */
static void
restore (const CondmapSidecar *sc)
{
  CondmapDtype dtype = condmap_sidecar_get_dtype (sc);
  size_t esize = condmap_dtype_size (dtype);
  GError *error = NULL;
  CondmapConverter *conv;
  unsigned K;
  void **planes;
  guint8 w[N_ELEMENTS * sizeof (double)];
  gboolean ok;

  conv = condmap_sidecar_new_converter (sc, fuzz_runtime (), &error);
  fuzz_check_outcome (conv != NULL, &error, "condmap_sidecar_new_converter");
  if (conv == NULL)
    return;
  K = condmap_converter_get_n_planes (conv);
  if (g_strv_length ((char **) condmap_sidecar_get_planes (sc)) != K)
    fuzz_fail ("new_converter accepted %u plane files for %u planes",
               g_strv_length ((char **) condmap_sidecar_get_planes (sc)), K);
  /* Planes at 1 µS, as a chip might read back. */
  planes = g_new (void *, K);
  for (unsigned k = 0; k < K; k++)
    {
      planes[k] = g_malloc (N_ELEMENTS * esize);
      for (size_t i = 0; i < N_ELEMENTS; i++)
        if (dtype == CONDMAP_DTYPE_FLOAT32)
          ((float *) planes[k])[i] = 1.0f + (float) (i * k % 3);
        else
          ((double *) planes[k])[i] = 1.0 + (double) (i * k % 3);
    }
  ok = condmap_converter_to_weights (conv, dtype, (const void *const *) planes,
                                     N_ELEMENTS,
                                     condmap_sidecar_get_params (sc), w,
                                     &error);
  fuzz_check_outcome (ok, &error, "condmap_converter_to_weights");
  for (unsigned k = 0; k < K; k++)
    g_free (planes[k]);
  g_free (planes);
  condmap_converter_free (conv);
}

static void
check_same (const CondmapSidecar *a, const CondmapSidecar *b)
{
  const CondmapParams *pa = condmap_sidecar_get_params (a);
  const CondmapParams *pb = condmap_sidecar_get_params (b);
  const char *const *la = condmap_sidecar_get_planes (a);
  const char *const *lb = condmap_sidecar_get_planes (b);
  unsigned rank = condmap_sidecar_get_rank (a);

  if (strcmp (condmap_sidecar_get_converter (a),
              condmap_sidecar_get_converter (b)) != 0)
    fuzz_fail ("sidecar rewrite changed converter '%s' into '%s'",
               condmap_sidecar_get_converter (a),
               condmap_sidecar_get_converter (b));
  if (condmap_sidecar_get_dtype (a) != condmap_sidecar_get_dtype (b)
      || rank != condmap_sidecar_get_rank (b)
      || (rank > 0 && memcmp (condmap_sidecar_get_shape (a),
                              condmap_sidecar_get_shape (b),
                              rank * sizeof (size_t)) != 0))
    fuzz_fail ("sidecar rewrite changed dtype or shape");
  if (condmap_params_get_n (pa) != condmap_params_get_n (pb))
    fuzz_fail ("sidecar rewrite changed the number of params");
  for (size_t i = 0; i < condmap_params_get_n (pa); i++)
    {
      const char *name = condmap_params_get_name (pa, i);
      double va = condmap_params_get (pa, name);
      double vb = condmap_params_get (pb, name);

      if (!condmap_params_has (pb, name) || memcmp (&va, &vb, sizeof va) != 0)
        fuzz_fail ("sidecar rewrite changed param '%s' (%.17g -> %.17g)",
                   name, va, vb);
    }
  if (!g_strv_equal ((const char *const *) la, (const char *const *) lb))
    fuzz_fail ("sidecar rewrite changed the plane list");
}

static void
check_rewrite (const CondmapSidecar *sc)
{
  const char *out = fuzz_path ("rewritten.yaml");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSidecar) again = NULL;

  if (!condmap_sidecar_write (sc, out, &error))
    fuzz_fail ("condmap_sidecar_write of a sidecar just read: %s",
               error->message);
  again = condmap_sidecar_read (out, &error);
  if (again == NULL)
    fuzz_fail ("a sidecar read, written back, cannot be read: %s",
               error->message);
  check_same (sc, again);
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
  const char *in = fuzz_path ("params.yaml");
  GError *error = NULL;
  CondmapSidecar *sc;

  fuzz_write_file (in, data, size);
  sc = condmap_sidecar_read (in, &error);
  fuzz_check_outcome (sc != NULL, &error, "condmap_sidecar_read");
  if (sc == NULL)
    return 0;
  check_promises (sc);
  restore (sc);
  check_rewrite (sc);
  condmap_sidecar_free (sc);
  return 0;
}
