/* test-clip.c - `clip:` against NumPy.
 *
 * tests/data/clip/ holds two matrices with outliers (float32, float64) and
 * the thresholds NumPy computes for every clip option, per tensor and per
 * channel along each axis, with the clamped weights for some (its
 * generate.py says how).  A converter registered in this program, "echo",
 * writes the weights it is given to its one plane and the statistics its
 * plan() sees to its params, so the test sees exactly what a plugin sees:
 * the clamped weights, and the statistics of the clipped weights. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

/* ---- echo: a plugin that shows what the core hands a plugin ------------ */

enum { P_N, P_MIN, P_MAX, P_ABS_MAX, P_RANGE_MAX };
static const char *const echo_params[] = {
  "n", "min", "max", "abs_max", "range_max", NULL
};
static const CondmapSettingDecl echo_settings[] = { CONDMAP_SETTINGS_END };
static int echo_state;

static void *
echo_create (const CondmapHost *host, CondmapContext *ctx)
{
  (void) host, (void) ctx;
  return &echo_state;
}

static void
echo_destroy (void *state)
{
  (void) state;
}

static unsigned
echo_n_planes (const void *state)
{
  (void) state;
  return 1;
}

static const char *
echo_plane_name (const void *state, unsigned k)
{
  (void) state, (void) k;
  return "g";
}

static int
echo_plan (const void *state, const CondmapStats *s, double *p,
           CondmapContext *ctx)
{
  (void) state, (void) ctx;
  p[P_N] = (double) s->n;
  p[P_MIN] = s->min;
  p[P_MAX] = s->max;
  p[P_ABS_MAX] = s->abs_max;
  p[P_RANGE_MAX] = s->range_max;
  return 1;
}

#define ECHO_COPY(NAME, T, IN, OUT)                                         \
static void                                                                 \
NAME (const void *state, const double *params, IN w, size_t n, OUT g)       \
{                                                                           \
  (void) state, (void) params;                                              \
  memcpy (g[0], w, n * sizeof (T));                                         \
}
ECHO_COPY (echo_fwd_f32, float, const float *, float *const *)
ECHO_COPY (echo_fwd_f64, double, const double *, double *const *)

#define ECHO_BACK(NAME, T)                                                  \
static void                                                                 \
NAME (const void *state, const double *params, const T *const *g, size_t n, \
      T *w)                                                                 \
{                                                                           \
  (void) state, (void) params;                                              \
  memcpy (w, g[0], n * sizeof (T));                                         \
}
ECHO_BACK (echo_back_f32, float)
ECHO_BACK (echo_back_f64, double)

static const CondmapConverterOps echo_ops = CONDMAP_CONVERTER_OPS (
  echo_n_planes, echo_plane_name, echo_params, echo_plan, echo_fwd_f32,
  echo_fwd_f64, echo_back_f32, echo_back_f64);

static const CondmapPluginDesc echo_desc = {
  CONDMAP_ABI_MAJOR, sizeof (CondmapPluginDesc), CONDMAP_PLUGIN_KIND_CONVERTER,
  sizeof (CondmapSettingDecl), "echo", "the weights as they reach a plugin",
  "1", echo_settings, echo_create, echo_destroy, &echo_ops, NULL
};

/* ---- the data ------------------------------------------------------------- */

static CondmapRuntime *runtime;
static char **case_names;      /* from cases.txt */
static char **case_clips;      /* their `clip:` mappings */

static const char *const scopes[] = { "tensor", "axis0", "axis1" };
static const char *const scaling_of[] = {
  "", "scaling: {per: channel, axis: 0}\n", "scaling: {per: channel, axis: 1}\n"
};

static CondmapArray *
read_data (const char *name)
{
  g_autofree char *rel = g_build_filename ("clip", name, NULL);
  g_autofree char *path = cm_test_data (rel);
  g_autoptr (GError) error = NULL;
  CondmapArray *a = condmap_npy_read (path, &error);

  CM_ASSERT_NO_ERROR (error);
  return a;
}

static int
suite_init (void)
{
  g_autofree char *path = cm_test_data ("clip/cases.txt");
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *names = g_ptr_array_new (), *clips = g_ptr_array_new ();

  runtime = cm_test_runtime ();
  condmap_runtime_set_n_threads (runtime, 3);
  if (!condmap_runtime_add_plugin (runtime, &echo_desc, NULL)
      || !g_file_get_contents (path, &text, NULL, NULL))
    return 1;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      char *space = strchr (lines[i], ' ');

      g_ptr_array_add (names, g_strndup (lines[i], space - lines[i]));
      g_ptr_array_add (clips, g_strdup (space + 1));
    }
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (clips, NULL);
  case_names = (char **) g_ptr_array_free (names, FALSE);
  case_clips = (char **) g_ptr_array_free (clips, FALSE);
  return g_strv_length (case_names) == 11 ? 0 : 1;
}

static int
suite_clean (void)
{
  g_strfreev (case_names);
  g_strfreev (case_clips);
  condmap_runtime_unref (runtime);
  return 0;
}

static double
at (const CondmapArray *a, size_t i)
{
  const void *d = condmap_array_peek_data (a);

  return condmap_array_get_dtype (a) == CONDMAP_DTYPE_FLOAT32
         ? ((const float *) d)[i] : ((const double *) d)[i];
}

/* Converts @w with "converter: echo" and @clip in @scope; returns the
 * plane (the weights the plugin saw) and *params. */
static CondmapArray *
echo (const CondmapArray *w, const char *clip, guint scope,
      CondmapParams **params)
{
  g_autofree char *yaml = g_strdup_printf ("converter: echo\nclip: %s\n%s",
                                           clip, scaling_of[scope]);
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapConverter) conv =
    condmap_converter_new_from_yaml (runtime, yaml, -1, "echo.yaml", &error);
  CondmapArray *g;
  void *planes[1];

  CM_ASSERT_NO_ERROR (error);
  g = condmap_array_new (condmap_array_get_dtype (w),
                         condmap_array_get_rank (w),
                         condmap_array_get_shape (w), &error);
  planes[0] = condmap_array_get_data (g);
  CU_ASSERT_TRUE (condmap_converter_to_conductances_shaped (
    conv, condmap_array_get_dtype (w), condmap_array_get_rank (w),
    condmap_array_get_shape (w), condmap_array_peek_data (w), planes, params,
    &error));
  CM_ASSERT_NO_ERROR (error);
  return g;
}

/* Element j of channel c in @scope of a rows x cols matrix. */
static size_t
index_of (guint scope, size_t c, size_t j, size_t rows, size_t cols)
{
  (void) rows;
  if (scope == 0)
    return j;
  if (scope == 1)
    return c * cols + j;
  return j * cols + c;
}

/* The statistics the plugin saw for each channel are the clipped
 * weights': n, min and max clamped to the threshold, abs_max from them,
 * range_max the threshold. */
static void
check_stats (const CondmapArray *w, guint scope, const CondmapParams *params,
             const double *t)
{
  size_t rows = condmap_array_get_shape (w)[0];
  size_t cols = condmap_array_get_shape (w)[1];
  size_t C = scope == 0 ? 1 : scope == 1 ? rows : cols;
  size_t per = rows * cols / C;

  for (size_t c = 0; c < C; c++)
    {
      double lo = INFINITY, hi = -INFINITY;

      for (size_t j = 0; j < per; j++)
        {
          double v = at (w, index_of (scope, c, j, rows, cols));

          lo = MIN (lo, v);
          hi = MAX (hi, v);
        }
      lo = CLAMP (lo, -t[c], t[c]);
      hi = CLAMP (hi, -t[c], t[c]);
      CU_ASSERT_EQUAL (condmap_params_get_row_value (params, c, "n"), per);
      CU_ASSERT_EQUAL (condmap_params_get_row_value (params, c, "min"), lo);
      CU_ASSERT_EQUAL (condmap_params_get_row_value (params, c, "max"), hi);
      CU_ASSERT_EQUAL (condmap_params_get_row_value (params, c, "abs_max"),
                       MAX (fabs (lo), fabs (hi)));
      CU_ASSERT_EQUAL (condmap_params_get_row_value (params, c, "range_max"),
                       t[c]);
    }
}

/* Our thresholds are NumPy's: exactly, but for sigma in float64, where
 * NumPy's pairwise summation and our running sum may differ in the last
 * bits (a float32 threshold is rounded from either to the same float). */
static void
check_thresholds (const char *dtype, guint scope, guint k,
                  const CondmapParams *params, const double *t)
{
  g_autofree char *file = g_strdup_printf ("thresholds-%s-%s.npy", dtype,
                                           scopes[scope]);
  g_autoptr (CondmapArray) want = read_data (file);
  size_t C = condmap_array_get_shape (want)[1];
  gboolean loose = strcmp (dtype, "f64") == 0
                   && strstr (case_clips[k], "sigma") != NULL;
  size_t bad = 0;

  CU_ASSERT_EQUAL_FATAL (condmap_params_get_n_rows (params), C);
  for (size_t c = 0; c < C; c++)
    {
      double w = at (want, k * C + c);
      gboolean ok = loose ? fabs (t[c] - w) <= 1e-13 * fabs (w) : t[c] == w;

      if (!ok && bad++ < 3)
        g_printerr ("\n    %s %s %s channel %zu: %.17g, NumPy %.17g", dtype,
                    case_names[k], scopes[scope], c, t[c], w);
      CU_ASSERT_TRUE (ok);
    }
}

/* The weights the plugin saw are np.clip's, element for element. */
static void
check_clamped (const char *dtype, guint scope, guint k, const CondmapArray *g,
               const double *t)
{
  g_autofree char *file = g_strdup_printf ("clamped-%s-%s-%s.npy", dtype,
                                           case_names[k], scopes[scope]);
  g_autofree char *rel = g_build_filename ("clip", file, NULL);
  g_autofree char *path = cm_test_data (rel);
  g_autoptr (CondmapArray) want = NULL;
  size_t n = condmap_array_get_n (g), bad = 0, clipped = 0;
  gboolean loose = strcmp (dtype, "f64") == 0
                   && strstr (case_clips[k], "sigma") != NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  want = read_data (file);
  CU_ASSERT_TRUE_FATAL (condmap_array_same_layout (want, g));
  for (size_t i = 0; i < n; i++)
    {
      double a = at (g, i), b = at (want, i);
      gboolean ok = a == b || (loose && fabs (a - b) <= 1e-13 * fabs (b));

      clipped += fabs (a) == t[scope == 0 ? 0 : i / 250];
      if (!ok && bad++ < 3)
        g_printerr ("\n    %s: element %zu is %.17g, np.clip %.17g", file, i,
                    a, b);
      CU_ASSERT_TRUE (ok);
    }
  CU_ASSERT_TRUE (clipped > 0);
}

static void
run_dtype (const char *dtype)
{
  g_autofree char *file = g_strdup_printf ("weights-%s.npy", dtype);
  g_autoptr (CondmapArray) w = read_data (file);

  CU_ASSERT_PTR_NOT_NULL_FATAL (w);
  for (guint k = 0; case_names[k] != NULL; k++)
    for (guint scope = 0; scope < G_N_ELEMENTS (scopes); scope++)
      {
        g_autoptr (CondmapParams) params = NULL;
        g_autoptr (CondmapArray) g = echo (w, case_clips[k], scope, &params);
        size_t C = condmap_params_get_n_rows (params);
        g_autofree double *t = g_new (double, C);

        CU_ASSERT_TRUE_FATAL (condmap_params_get_column (
          params, CONDMAP_PARAM_CLIP_THRESHOLD, t));
        check_thresholds (dtype, scope, k, params, t);
        check_stats (w, scope, params, t);
        check_clamped (dtype, scope, k, g, t);
      }
}

static void
test_float32 (void)
{
  run_dtype ("f32");
}

static void
test_float64 (void)
{
  run_dtype ("f64");
}

/* The weights given are never changed, and the way back returns the
 * clamped ones: clipping happens on the way, chunk by chunk. */
static void
test_input_untouched (void)
{
  g_autoptr (CondmapArray) w = read_data ("weights-f32.npy");
  g_autoptr (CondmapArray) copy = read_data ("weights-f32.npy");
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapArray) g = echo (w, "{percentile: 90}", 1, &params);
  size_t bytes = condmap_array_get_n (w) * sizeof (float);

  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (w),
                           condmap_array_peek_data (copy), bytes), 0);
  CU_ASSERT_NOT_EQUAL (memcmp (condmap_array_peek_data (w),
                               condmap_array_peek_data (g), bytes), 0);
}

/* A threshold above every |w| clips nothing, but it is still the range
 * the weights are mapped from. */
static void
test_threshold_above_data (void)
{
  g_autoptr (CondmapArray) w = read_data ("weights-f64.npy");
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapArray) g = echo (w, "{max_abs: 1000}", 0, &params);

  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (w),
                           condmap_array_peek_data (g),
                           condmap_array_get_n (w) * sizeof (double)), 0);
  CU_ASSERT_EQUAL (condmap_params_get (params, "range_max"), 1000.0);
  CU_ASSERT_TRUE (condmap_params_get (params, "abs_max") < 1000.0);
}

/* A channel of one element has no deviation: sigma clips nothing, and
 * the range it is mapped from is its |w|. */
static void
test_sigma_single_element (void)
{
  const size_t shape[] = { 3, 1 };
  g_autoptr (CondmapArray) w = condmap_array_new (CONDMAP_DTYPE_FLOAT32, 2,
                                                  shape, NULL);
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapArray) g = NULL;
  float *x = condmap_array_get_data (w);

  x[0] = -2.5f, x[1] = 0.0f, x[2] = 7.0f;
  g = echo (w, "{sigma: 2}", 1, &params);
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (g), x, 3 * sizeof *x), 0);
  for (size_t c = 0; c < 3; c++)
    {
      CU_ASSERT_EQUAL (condmap_params_get_row_value (params, c, "range_max"),
                       fabs (x[c]));
      CU_ASSERT_EQUAL (condmap_params_get_row_value (params, c,
                                                     "clip_threshold"),
                       fabs (x[c]));
    }
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("clip against NumPy", suite_init, suite_clean);
  CU_add_test (s, "float32: thresholds, statistics, clamped weights",
               test_float32);
  CU_add_test (s, "float64: thresholds, statistics, clamped weights",
               test_float64);
  CU_add_test (s, "the input is not changed", test_input_untouched);
  CU_add_test (s, "threshold above every weight", test_threshold_above_data);
  CU_add_test (s, "sigma of a single element", test_sigma_single_element);
  return cm_test_run ();
}
