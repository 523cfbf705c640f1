/* test-peers.c - bit-slice, offset and two-sided-pair against the numbers
 * of Sandia CrossSim and NeuroSim themselves.
 *
 * Every folder of tests/data/crosssim and tests/data/neurosim is one case
 * made by tests/peer/gen-crosssim.py or gen-neurosim.py (their layout,
 * tolerances and formulas are in tests/peer/README.md): config.yaml,
 * weights.npy and expected/ (one .npy per plane, restored.npy and
 * params.yaml).  Each case is one CUnit test named after its folder; the
 * plugins are the freshly built ones, loaded by the real loader.  Every
 * plane, the params and the weights restored from our own planes must
 * match within the case's tolerance.
 *
 * Cases whose config sets `levels:` (CrossSim's cell_bits) run like the
 * others, and none is ever skipped: bit slicing gets the core's level
 * sets, offset and two-sided-pair place the levels themselves
 * (CONDMAP_INTERFACE_LEVELS_UNIFORM), as CrossSim does: offset compresses
 * its range so that w = 0 falls on a level, two-sided-pair snaps
 * normalized float32 conductances.
 *
 * The rest checks what has no peer numbers: unequal slice_bits against
 * the formulas of the README (the integer codes come back exactly), the
 * round-trip bound of bit slicing that docs/peers.md states, and zero
 * weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include "test-util.h"
#include "test-peers.h"

/* How many cases each folder holds: fewer fails, so that an empty or
 * misplaced data directory cannot pass. */
#define CM_N_CROSSSIM 29
#define CM_N_NEUROSIM 8

static CondmapRuntime *runtime;
static char **case_names;       /* "crosssim/NAME", sorted, NULL-terminated */

/* ---- the cases ------------------------------------------------------------- */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Adds "FOLDER/NAME" for every case folder of tests/data/FOLDER. */
static void
list_folder (GPtrArray *names, const char *folder)
{
  g_autofree char *dir_path = cm_test_data (folder);
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_printerr ("cannot open %s\n", dir_path);
      exit (99);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (folder, name, NULL));
  g_dir_close (dir);
}

static char **
list_cases (void)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  list_folder (names, "crosssim");
  list_folder (names, "neurosim");
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* expected/params.yaml: "key: value" lines, values as written. */
static GHashTable *
read_params (const char *path)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, g_free);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      const char *colon = strchr (*line, ':');

      if (colon != NULL)
        g_hash_table_insert (table, g_strndup (*line, colon - *line),
                             g_strstrip (g_strdup (colon + 1)));
    }
  return table;
}

/* The number @key of @params; aborts the test if it is missing. */
static double
param_number (GHashTable *params, const char *key)
{
  const char *text = g_hash_table_lookup (params, key);
  char *end;
  double v;

  CU_ASSERT_PTR_NOT_NULL_FATAL (text);
  v = g_ascii_strtod (text, &end);
  CU_ASSERT_FATAL (end != text && *end == '\0');
  return v;
}

/* ---- comparisons ------------------------------------------------------------- */

static gboolean
close_enough (double got, double want, double tol)
{
  return fabs (got - want) <= tol * MAX (1.0, fabs (want));
}

static double
element (CondmapDtype dtype, const void *data, size_t i)
{
  return dtype == CONDMAP_DTYPE_FLOAT32 ? ((const float *) data)[i]
                                        : ((const double *) data)[i];
}

/* Asserts that the n elements of @got (of @dtype) match the .npy file
 * @want_path, whose dtype may differ (CrossSim's two-sided planes are
 * float32 for float64 weights); prints the first mismatch and the count. */
static void
assert_matches_npy (const char *case_name, const char *what,
                    CondmapDtype dtype, const void *got, size_t n,
                    const char *want_path, double tol)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) want = condmap_npy_read (want_path, &error);
  size_t bad = 0;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL_FATAL (condmap_array_get_n (want), n);
  for (size_t i = 0; i < n; i++)
    {
      double a = element (dtype, got, i);
      double b = element (condmap_array_get_dtype (want),
                          condmap_array_peek_data (want), i);

      if (!close_enough (a, b, tol))
        {
          if (bad == 0)
            g_printerr ("\n  %s %s[%zu]: got %.17g, want %.17g", case_name,
                        what, i, a, b);
          bad++;
        }
    }
  if (bad > 0)
    g_printerr ("\n  %s %s: %zu of %zu elements off", case_name, what, bad,
                n);
  CU_ASSERT_EQUAL (bad, 0);
}

static void
assert_param (const char *case_name, const CondmapParams *params,
              const char *name, double want, double tol)
{
  double got = condmap_params_get (params, name);

  if (!close_enough (got, want, tol))
    g_printerr ("\n  %s %s: got %.17g, want %.17g", case_name, name, got,
                want);
  CU_ASSERT_TRUE (close_enough (got, want, tol));
}

/* The reference devices: the offset converter and NeuroSim's mid column
 * have one conductance (reference_g); CrossSim's unit column one per slice
 * (reference_g_<i>), all at g_min but the last.  Ours stands for the true
 * offset 2^(B-1), which is CrossSim's exactly when N b = B (README 4.5):
 * there it must be CrossSim's; otherwise it is the digit 2^(B-1-j b) in
 * the slice j that holds bit B - 1, in the units of 4.4. */
static void
assert_reference (const char *case_name, GHashTable *expected,
                  unsigned weight_bits, const CondmapParams *params,
                  double tol)
{
  unsigned planes = (unsigned) param_number (expected, "planes");
  g_autofree char *last = g_strdup_printf ("reference_g_%u", planes - 1);
  double g_min_n, b, slice;

  if (g_hash_table_contains (expected, "reference_g"))
    {
      assert_param (case_name, params, "reference_g",
                    param_number (expected, "reference_g"), tol);
      return;
    }
  if (!g_hash_table_contains (expected, last))
    {
      if (condmap_params_has (params, "reference_slice"))
        CU_ASSERT_EQUAL (condmap_params_get (params, "reference_slice"),
                         -1.0);
      return;
    }
  g_min_n = param_number (expected, "g_min_norm");
  b = param_number (expected, "slice_bits");
  slice = condmap_params_get (params, "reference_slice");
  for (unsigned i = 0; i + 1 < planes; i++)
    {
      g_autofree char *key = g_strdup_printf ("reference_g_%u", i);

      CU_ASSERT_EQUAL (param_number (expected, key), g_min_n * 25.0);
    }
  if (planes * b == weight_bits)
    {
      CU_ASSERT_EQUAL (slice, planes - 1.0);
      assert_param (case_name, params, "reference_g",
                    param_number (expected, last), tol);
    }
  else
    {
      double j = floor ((weight_bits - 1) / b);
      double digit = ldexp (1.0, (int) (weight_bits - 1 - j * b));

      g_printerr ("\n  %s: N b != B: the column stands for 2^(B-1) in slice "
                  "%g, where CrossSim's stands for 2^(N b - 1)", case_name, j);
      CU_ASSERT_EQUAL (slice, j);
      assert_param (case_name, params, "reference_g",
                    (g_min_n + digit / (ldexp (1.0, (int) b) - 1.0)
                               * (1.0 - g_min_n)) * 25.0, tol);
    }
}

/* The weight_bits of a config, 0 if it has none. */
static unsigned
config_weight_bits (const char *config_path)
{
  g_autofree char *text = NULL;
  const char *at;

  CU_ASSERT_TRUE_FATAL (g_file_get_contents (config_path, &text, NULL,
                                             NULL));
  at = strstr (text, "\nweight_bits:");
  return at ? (unsigned) g_ascii_strtoull (at + 13, NULL, 10) : 0;
}

/* ---- one case ---------------------------------------------------------------- */

static void
test_case (void)
{
  const char *name = CU_get_current_test ()->pName;
  g_autofree char *dir = cm_test_data (name);
  g_autofree char *config = g_build_filename (dir, "config.yaml", NULL);
  g_autofree char *weights_path = g_build_filename (dir, "weights.npy", NULL);
  g_autofree char *params_path = g_build_filename (dir, "expected",
                                                   "params.yaml", NULL);
  g_autofree char *restored_path = g_build_filename (dir, "expected",
                                                     "restored.npy", NULL);
  g_autoptr (GHashTable) expected = read_params (params_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (GPtrArray) planes = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) plane_names = NULL;
  g_autofree void *restored = NULL;
  const char *names_text;
  CondmapDtype dtype;
  unsigned n_planes;
  size_t n, size;
  double tol;

  conv = condmap_converter_new_from_file (runtime, config, &error);
  CM_ASSERT_NO_ERROR (error);
  weights = condmap_npy_read (weights_path, &error);
  CM_ASSERT_NO_ERROR (error);
  dtype = condmap_array_get_dtype (weights);
  n = condmap_array_get_n (weights);
  size = condmap_dtype_size (dtype);
  tol = param_number (expected, "tolerance");

  /* the planes: their number and names, in the peer's device order */
  n_planes = condmap_converter_get_n_planes (conv);
  CU_ASSERT_EQUAL_FATAL (n_planes, (unsigned) param_number (expected,
                                                            "planes"));
  names_text = g_hash_table_lookup (expected, "plane_names");
  CU_ASSERT_PTR_NOT_NULL_FATAL (names_text);
  plane_names = g_strsplit_set (names_text, "[], ", -1);
  for (unsigned k = 0, j = 0; k < n_planes; j++)
    {
      CU_ASSERT_PTR_NOT_NULL_FATAL (plane_names[j]);
      if (*plane_names[j] == '\0')
        continue;
      CU_ASSERT_STRING_EQUAL (condmap_converter_get_plane_name (conv, k),
                              plane_names[j]);
      g_ptr_array_add (planes, g_malloc0 (n * size));
      k++;
    }

  CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances (
    conv, dtype, condmap_array_peek_data (weights), n, planes->pdata,
    &params, &error));
  CM_ASSERT_NO_ERROR (error);
  for (unsigned k = 0; k < n_planes; k++)
    {
      const char *plane = condmap_converter_get_plane_name (conv, k);
      g_autofree char *file = g_strconcat (plane, ".npy", NULL);
      g_autofree char *path = g_build_filename (dir, "expected", file, NULL);

      assert_matches_npy (name, plane, dtype, planes->pdata[k], n, path, tol);
    }
  assert_param (name, params, "clip_max", param_number (expected, "clip_max"),
                tol);
  assert_reference (name, expected, config_weight_bits (config), params,
                    tol);

  /* back from our own planes, as the peer read back its own */
  restored = g_malloc0 (n * size);
  CU_ASSERT_TRUE_FATAL (condmap_converter_to_weights (
    conv, dtype, (const void *const *) planes->pdata, n, params, restored,
    &error));
  CM_ASSERT_NO_ERROR (error);
  assert_matches_npy (name, "restored", dtype, restored, n, restored_path,
                      tol);
}

static void
test_all_cases_found (void)
{
  unsigned crosssim = 0, neurosim = 0;

  for (char **name = case_names; *name != NULL; name++)
    {
      crosssim += g_str_has_prefix (*name, "crosssim/");
      neurosim += g_str_has_prefix (*name, "neurosim/");
    }
  CU_ASSERT_EQUAL (crosssim, CM_N_CROSSSIM);
  CU_ASSERT_EQUAL (neurosim, CM_N_NEUROSIM);
}

int
main (void)
{
  CU_pSuite suite;
  int status;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  case_names = list_cases ();
  runtime = cm_test_runtime ();
  suite = CU_add_suite ("peers", NULL, NULL);
  CU_add_test (suite, "all cases found", test_all_cases_found);
  for (char **name = case_names; *name != NULL; name++)
    CU_add_test (suite, *name, test_case);
  cm_test_peers_add_formulas (runtime);
  status = cm_test_run ();
  condmap_runtime_unref (runtime);
  g_strfreev (case_names);
  return status;
}
