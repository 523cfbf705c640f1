/* test-conformance.c - the five converters against the reference's numbers.
 *
 * Every folder of tests/data with a config.yaml (but invalid/; crosssim/
 * and neurosim/ hold cases of their own, which tests/peer/ describes) is
 * one case produced by IBM aihwkit: config.yaml, weights.npy and expected/
 * (planes g<K>.npy, restored.npy, params.yaml).  Each case is one CUnit
 * test, named after its folder; the plugins are the freshly built ones, loaded by the real
 * loader.  Tolerances are those of tests/data/README.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include "test-util.h"

/* How many cases tests/data holds: a test fails if fewer are found, so an
 * empty or misplaced data directory cannot pass. */
#define CM_N_CASES 18

static CondmapRuntime *runtime;
static char **case_names;     /* sorted, NULL-terminated */

/* What expected/params.yaml says. */
typedef struct {
  unsigned n_planes;
  double scale_ratio;
  gboolean has_w_min;
  double w_min;
} Expected;

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The case folders of tests/data, sorted.  Free with g_strfreev(). */
static char **
list_cases (void)
{
  g_autofree char *data = cm_test_data (NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GDir *dir = g_dir_open (data, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_printerr ("cannot open %s\n", data);
      exit (99);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *config = g_build_filename (data, name, "config.yaml",
                                                  NULL);

      /* A case has a config; other folders hold other tests' data. */
      if (strcmp (name, "invalid") != 0
          && g_file_test (config, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* Reads the "key: number" lines of expected/params.yaml. */
static gboolean
read_expected (const char *path, Expected *expected)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  gboolean has_planes = FALSE, has_scale = FALSE;

  memset (expected, 0, sizeof *expected);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      const char *colon = strchr (*line, ':');
      char *end;
      double value;

      if (colon == NULL)
        continue;
      value = g_ascii_strtod (colon + 1, &end);
      if (end == colon + 1 || *g_strstrip (end) != '\0')
        return FALSE;
      if (g_str_has_prefix (*line, "planes:"))
        {
          expected->n_planes = (unsigned) value;
          has_planes = TRUE;
        }
      else if (g_str_has_prefix (*line, "scale_ratio:"))
        {
          expected->scale_ratio = value;
          has_scale = TRUE;
        }
      else if (g_str_has_prefix (*line, "w_min:"))
        {
          expected->w_min = value;
          expected->has_w_min = TRUE;
        }
      else
        return FALSE;
    }
  return has_planes && has_scale;
}

/* Relative tolerance: |got - want| <= tol * max(1, |want|). */
static double
tolerance (const char *case_name, CondmapDtype dtype)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    return 1e-5;
  /* the reference builds the custom-pair grid in float32 even then */
  return g_str_has_prefix (case_name, "custom-pair") ? 1e-6 : 1e-9;
}

static gboolean
close_enough (double got, double want, double tol)
{
  return fabs (got - want) <= tol * MAX (1.0, fabs (want));
}

static double
element (const CondmapArray *array, size_t i)
{
  const void *data = condmap_array_peek_data (array);

  return condmap_array_get_dtype (array) == CONDMAP_DTYPE_FLOAT32
         ? ((const float *) data)[i] : ((const double *) data)[i];
}

/* Asserts @got matches the .npy file @want_path element by element, in
 * dtype and shape too; prints the first mismatch and how many there are. */
static void
assert_matches_npy (const char *case_name, const char *what,
                    const CondmapArray *got, const char *want_path,
                    double tol)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) want = condmap_npy_read (want_path, &error);
  size_t n, bad = 0;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_FATAL (condmap_array_same_layout (got, want));
  n = condmap_array_get_n (want);
  for (size_t i = 0; i < n; i++)
    if (!close_enough (element (got, i), element (want, i), tol))
      {
        if (bad == 0)
          g_printerr ("  %s %s[%zu]: got %.9g, want %.9g\n", case_name, what,
                      i, element (got, i), element (want, i));
        bad++;
      }
  if (bad > 0)
    g_printerr ("  %s %s: %zu of %zu elements off\n", case_name, what, bad, n);
  CU_ASSERT_EQUAL (bad, 0);
}

static void
assert_param (const char *case_name, const CondmapParams *params,
              const char *name, double want, double tol)
{
  double got = condmap_params_get (params, name);

  if (!close_enough (got, want, tol))
    g_printerr ("  %s %s: got %.17g, want %.17g\n", case_name, name, got, want);
  CU_ASSERT_TRUE (close_enough (got, want, tol));
}

/* Plane names are the device order of the reference: g_plus_0, g_minus_0,
 * g_plus_1, ... for pairs, g for single-device. */
static void
assert_plane_names (const CondmapConverter *conv)
{
  unsigned n_planes = condmap_converter_get_n_planes (conv);

  if (strcmp (condmap_converter_get_name (conv), "single-device") == 0)
    {
      CU_ASSERT_EQUAL (n_planes, 1);
      CU_ASSERT_STRING_EQUAL (condmap_converter_get_plane_name (conv, 0), "g");
      return;
    }
  for (unsigned k = 0; k < n_planes; k++)
    {
      g_autofree char *want = g_strdup_printf ("g_%s_%u",
                                               k % 2 ? "minus" : "plus",
                                               k / 2);

      CU_ASSERT_STRING_EQUAL (condmap_converter_get_plane_name (conv, k), want);
    }
}

/* One case: the test's own name is the folder. */
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
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapArray) weights = NULL;
  g_autoptr (CondmapArray) restored = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (GPtrArray) planes = g_ptr_array_new_with_free_func (
                                   (GDestroyNotify) condmap_array_free);
  g_autofree void **plane_data = NULL;
  Expected expected;
  CondmapDtype dtype;
  unsigned n_planes;
  size_t n;
  double tol;
  gboolean ok;

  conv = condmap_converter_new_from_file (runtime, config, &error);
  CM_ASSERT_NO_ERROR (error);
  weights = condmap_npy_read (weights_path, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (read_expected (params_path, &expected));

  dtype = condmap_array_get_dtype (weights);
  n = condmap_array_get_n (weights);
  tol = tolerance (name, dtype);
  n_planes = condmap_converter_get_n_planes (conv);
  CU_ASSERT_EQUAL_FATAL (n_planes, expected.n_planes);
  assert_plane_names (conv);

  plane_data = g_new0 (void *, n_planes);
  for (unsigned k = 0; k < n_planes; k++)
    {
      CondmapArray *plane = condmap_array_new (
        dtype, condmap_array_get_rank (weights),
        condmap_array_get_shape (weights), &error);

      CM_ASSERT_NO_ERROR (error);
      g_ptr_array_add (planes, plane);
      plane_data[k] = condmap_array_get_data (plane);
    }
  ok = condmap_converter_to_conductances (conv, dtype,
                                          condmap_array_peek_data (weights),
                                          n, plane_data, &params, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (ok);

  for (unsigned k = 0; k < n_planes; k++)
    {
      g_autofree char *file = g_strdup_printf ("g%u.npy", k);
      g_autofree char *path = g_build_filename (dir, "expected", file, NULL);

      assert_matches_npy (name, condmap_converter_get_plane_name (conv, k),
                          planes->pdata[k], path, tol);
    }

  assert_param (name, params, "scale_ratio", expected.scale_ratio, tol);
  CU_ASSERT_EQUAL (condmap_params_has (params, "w_min"), expected.has_w_min);
  if (expected.has_w_min)
    assert_param (name, params, "w_min", expected.w_min, tol);

  /* back from our own planes, as the reference did from its own */
  restored = condmap_array_new (dtype, condmap_array_get_rank (weights),
                                condmap_array_get_shape (weights), &error);
  CM_ASSERT_NO_ERROR (error);
  ok = condmap_converter_to_weights (conv, dtype,
                                     (const void *const *) plane_data, n,
                                     params,
                                     condmap_array_get_data (restored),
                                     &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (ok);
  assert_matches_npy (name, "restored", restored, restored_path, tol);
}

static void
test_all_cases_found (void)
{
  CU_ASSERT_EQUAL (g_strv_length (case_names), CM_N_CASES);
}

/* The converters come from the freshly built plugins, all loaded: the
 * five of aihwkit, and bit-slice, offset and two-sided-pair, whose cases
 * test-peers.c checks. */
static void
test_plugins_loaded (void)
{
  const char *names[] = { "single-pair", "n-pair", "dual-pair",
                          "custom-pair", "single-device", "bit-slice",
                          "offset", "two-sided-pair" };
  size_t n_all = condmap_runtime_get_n_plugins (runtime), n = 0;

  for (size_t i = 0; i < condmap_runtime_get_n_failures (runtime); i++)
    {
      const char *path;
      const GError *failure = condmap_runtime_get_failure (runtime, i, &path);

      g_printerr ("  %s: %s\n", path, failure->message);
    }
  CU_ASSERT_EQUAL (condmap_runtime_get_n_failures (runtime), 0);
  /* The converters; device models load beside them. */
  for (size_t i = 0; i < n_all; i++)
    {
      CondmapPluginInfo info;

      CU_ASSERT_TRUE_FATAL (condmap_runtime_get_plugin (runtime, i, &info));
      n += info.kind == CONDMAP_PLUGIN_KIND_CONVERTER;
    }
  CU_ASSERT_EQUAL (n, G_N_ELEMENTS (names));
  for (size_t j = 0; j < G_N_ELEMENTS (names); j++)
    {
      gboolean found = FALSE;

      for (size_t i = 0; i < n_all; i++)
        {
          CondmapPluginInfo info;

          CU_ASSERT_TRUE_FATAL (condmap_runtime_get_plugin (runtime, i, &info));
          found = found || strcmp (info.name, names[j]) == 0;
        }
      CU_ASSERT_TRUE (found);
    }
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
  suite = CU_add_suite ("conformance", NULL, NULL);
  CU_add_test (suite, "every plugin loaded", test_plugins_loaded);
  CU_add_test (suite, "all cases found", test_all_cases_found);
  for (char **name = case_names; *name != NULL; name++)
    CU_add_test (suite, *name, test_case);
  status = cm_test_run ();
  condmap_runtime_unref (runtime);
  g_strfreev (case_names);
  return status;
}
