/* test-invalid.c - configs that must be refused, and the holes of aihwkit
 * that condmap closes.
 *
 * Every file of tests/data/invalid/ is in the table below with the error
 * code it must get and a fragment of the message that names the key or
 * rule; a file in the folder that the table does not know fails the
 * suite, so a new case cannot be forgotten. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include "test-util.h"

typedef struct {
  const char *file;
  CondmapError code;
  const char *fragment;     /* must occur in the message */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "alias-bomb.yaml", CONDMAP_ERROR_CONFIG, "anchors and aliases" },
  { "custom-count.yaml", CONDMAP_ERROR_CONFIG, "but f_lst has 2 factors" },
  { "custom-noninvertible.yaml", CONDMAP_ERROR_NOT_INVERTIBLE,
    "at grid point 1 " },
  { "custom-odd.yaml", CONDMAP_ERROR_CONFIG, "'g_lst' must have at least 2" },
  { "custom-outofbounds.yaml", CONDMAP_ERROR_CONFIG,
    "g_lst[0][3] = 12.5 (row g_plus_0, point 3) is outside [g_min, g_max]" },
  { "custom-ragged.yaml", CONDMAP_ERROR_CONFIG, "same length" },
  { "custom-string.yaml", CONDMAP_ERROR_CONFIG, "g_lst[0][1]" },
  { "dual-three.yaml", CONDMAP_ERROR_CONFIG, "'f_lst' must hold exactly 2" },
  { "empty.yaml", CONDMAP_ERROR_CONFIG, "no YAML document" },
  { "f-empty.yaml", CONDMAP_ERROR_CONFIG, "'f_lst' must hold at least 1" },
  { "f-missing.yaml", CONDMAP_ERROR_CONFIG, "'f_lst' is required" },
  { "f-nan.yaml", CONDMAP_ERROR_CONFIG, "f_lst[1]" },
  { "f-negative.yaml", CONDMAP_ERROR_CONFIG, "f_lst[1] = -2 must be > 0" },
  { "f-zero.yaml", CONDMAP_ERROR_CONFIG, "f_lst[1] = 0 must be > 0" },
  { "gmax-inf.yaml", CONDMAP_ERROR_CONFIG, "'g_max' must be finite" },
  { "gmax-string.yaml", CONDMAP_ERROR_CONFIG, "'g_max' must be a number" },
  { "gmin-ge-gmax.yaml", CONDMAP_ERROR_CONFIG, "must be smaller than g_max" },
  { "malformed.yaml", CONDMAP_ERROR_PARSE, "malformed.yaml:3:" },
  { "negative-gmax.yaml", CONDMAP_ERROR_CONFIG, "g_max = -1 must be > 0" },
  { "negative-gmin.yaml", CONDMAP_ERROR_CONFIG,
    "g_min = -0.5 must be >= 0" },
  { "no-converter.yaml", CONDMAP_ERROR_CONFIG, "'converter' is missing" },
  { "two-docs.yaml", CONDMAP_ERROR_CONFIG, "document" },
  { "unknown-converter.yaml", CONDMAP_ERROR_UNKNOWN_CONVERTER, "quad-pair" },
  { "unknown-key.yaml", CONDMAP_ERROR_UNKNOWN_KEY, "did you mean 'g_max'" },
  /* bit-slice and offset (CrossSim, NeuroSim) */
  { "bit-slice-bits-1.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-bits-1.yaml:3: weight_bits = 1 must be in [2, 32]" },
  { "bit-slice-bits-33.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-bits-33.yaml:3: weight_bits = 33 must be in [2, 32]" },
  { "bit-slice-slices-0.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-slices-0.yaml:4: slices = 0 must be in [1, 32]" },
  { "bit-slice-slices-over.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-slices-over.yaml:4: 'slices': slices = 5 must be <= "
    "weight_bits (4)" },
  { "bit-slice-bits-sum.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-bits-sum.yaml:5: 'slice_bits': the slices hold 7 bits in all "
    "but weight_bits is 8" },
  { "bit-slice-bits-count.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-bits-count.yaml:5: 'slice_bits': slice_bits lists 2 widths "
    "but slices is 3" },
  { "bit-slice-style.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-style.yaml:4: 'style' must be one of balanced, offset, got "
    "'twos-complement'" },
  { "bit-slice-reference.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-reference.yaml:4: 'reference' must be one of digital, "
    "column, mid, got 'dummy'" },
  { "bit-slice-mid-crosssim.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-mid-crosssim.yaml:4: 'reference': reference: mid stands for "
    "the code (2^B - 1) / 2" },
  { "bit-slice-neurosim-slices.yaml", CONDMAP_ERROR_CONFIG,
    "bit-slice-neurosim-slices.yaml:6: 'slices': with quantizer: neurosim, "
    "slices = 2 must divide weight_bits (5)" },
  { "offset-reference.yaml", CONDMAP_ERROR_CONFIG,
    "offset-reference.yaml:3: 'reference' must be one of digital, mid, got "
    "'column'" },
  { "offset-levels-2.yaml", CONDMAP_ERROR_CONFIG,
    "offset-levels-2.yaml:4: 'levels': offset needs at least 3 levels, got "
    "2" },
  /* the core keys scaling and clip */
  { "scaling-per-unknown.yaml", CONDMAP_ERROR_CONFIG,
    "scaling-per-unknown.yaml:3: 'scaling.per' must be tensor or channel, "
    "got the string 'chanel' - did you mean 'channel'?" },
  { "scaling-axis-fraction.yaml", CONDMAP_ERROR_CONFIG,
    "scaling-axis-fraction.yaml:6: 'scaling.axis' must be a whole number" },
  { "scaling-axis-per-tensor.yaml", CONDMAP_ERROR_CONFIG,
    "scaling-axis-per-tensor.yaml:3: 'scaling.axis' applies only to "
    "per-channel scaling" },
  { "scaling-not-mapping.yaml", CONDMAP_ERROR_CONFIG,
    "scaling-not-mapping.yaml:3: 'scaling' must be a mapping" },
  { "scaling-unknown-key.yaml", CONDMAP_ERROR_UNKNOWN_KEY,
    "unknown key 'scaling.axes' in " },
  { "clip-percentile-0.yaml", CONDMAP_ERROR_CONFIG,
    "clip-percentile-0.yaml:3: clip.percentile = 0 must be in (0, 100]" },
  { "clip-percentile-101.yaml", CONDMAP_ERROR_CONFIG,
    "clip-percentile-101.yaml:5: clip.percentile = 101 must be in (0, 100]" },
  { "clip-sigma-0.yaml", CONDMAP_ERROR_CONFIG,
    "clip-sigma-0.yaml:3: clip.sigma = 0 must be > 0" },
  { "clip-sigma-negative.yaml", CONDMAP_ERROR_CONFIG,
    "clip-sigma-negative.yaml:4: clip.sigma = -3 must be > 0" },
  { "clip-max-abs-negative.yaml", CONDMAP_ERROR_CONFIG,
    "clip-max-abs-negative.yaml:3: clip.max_abs = -0.5 must be > 0" },
  { "clip-empty.yaml", CONDMAP_ERROR_CONFIG,
    "clip-empty.yaml:3: 'clip' needs max_abs, sigma or percentile" },
  { "clip-unknown-key.yaml", CONDMAP_ERROR_UNKNOWN_KEY,
    "clip-unknown-key.yaml:3 - did you mean 'percentile'?" },
  { "clip-sigma-string.yaml", CONDMAP_ERROR_CONFIG,
    "clip-sigma-string.yaml:3: 'clip.sigma' must be a finite number, got "
    "the string 'three'" },
  /* levels: (the core's key, every converter) */
  { "levels-assign.yaml", CONDMAP_ERROR_CONFIG,
    "levels-assign.yaml:4: 'levels.assign' must be joint or per-plane, got "
    "the string 'jont' - did you mean 'joint'?" },
  { "levels-duplicate.yaml", CONDMAP_ERROR_CONFIG,
    "levels-duplicate.yaml:3: the level 10 µS repeats line 3" },
  { "levels-file-bad-cell.yaml", CONDMAP_ERROR_FORMAT,
    "levels-file-bad-cell.yaml:4: 'levels.file': " },
  { "levels-one.yaml", CONDMAP_ERROR_CONFIG,
    "levels-one.yaml:4: 'levels' must be a whole number of uniform levels "
    "from 2 to 65536" },
  { "levels-outside.yaml", CONDMAP_ERROR_CONFIG,
    "levels-outside.yaml:4: the level 30 µS lies outside [g_min, g_max] = "
    "[0, 25] µS" },
  { "levels-unknown-key.yaml", CONDMAP_ERROR_UNKNOWN_KEY,
    "unknown key 'levels.fil' in " },
  { "levels-unsorted.yaml", CONDMAP_ERROR_CONFIG,
    "levels-unsorted.yaml:6: the level 5 µS is below the one before it "
    "(10 µS, line 5)" },
};

#define N_INVALID G_N_ELEMENTS (invalid_cases)

static CondmapRuntime *runtime;

static const InvalidCase *
find_case (const char *file)
{
  for (size_t i = 0; i < N_INVALID; i++)
    if (strcmp (invalid_cases[i].file, file) == 0)
      return &invalid_cases[i];
  return NULL;
}

/* Asserts that @error has @code and mentions @fragment; prints the message
 * (what users would see) and clears it. */
static void
assert_refused (const char *what, GError **error, CondmapError code,
                const char *fragment)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL (*error);
  g_printerr ("  %s: %s\n", what, (*error)->message);
  if (strstr ((*error)->message, fragment) == NULL)
    g_printerr ("  %s: the message lacks \"%s\"\n", what, fragment);
  CU_ASSERT_PTR_NOT_NULL (strstr ((*error)->message, fragment));
  CM_ASSERT_ERROR (*error, code);
}

/* Each file of invalid/ is refused: the test is named after the file. */
static void
test_invalid_file (void)
{
  const char *file = CU_get_current_test ()->pName;
  const InvalidCase *c = find_case (file);
  g_autofree char *rel = g_build_filename ("invalid", file, NULL);
  g_autofree char *path = cm_test_data (rel);
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapConverter) conv = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  conv = condmap_converter_new_from_file (runtime, path, &error);
  CU_ASSERT_PTR_NULL (conv);
  assert_refused (file, &error, c->code, c->fragment);
}

/* The table and the folder agree, both ways. */
static void
test_every_file_covered (void)
{
  g_autofree char *dir_path = cm_test_data ("invalid");
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  size_t n_files = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      n_files++;
      if (find_case (name) == NULL)
        g_printerr ("  invalid/%s is not in the table of test-invalid.c\n",
                    name);
      CU_ASSERT_PTR_NOT_NULL (find_case (name));
    }
  g_dir_close (dir);
  CU_ASSERT_EQUAL (n_files, 56);
  CU_ASSERT_EQUAL (N_INVALID, 56);
  for (size_t i = 0; i < N_INVALID; i++)
    {
      g_autofree char *path = g_build_filename (dir_path,
                                                invalid_cases[i].file, NULL);

      CU_ASSERT_TRUE (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

/* ---- helpers for the converters built from YAML text --------------------- */

static CondmapConverter *
converter_from_yaml (const char *yaml)
{
  g_autoptr (GError) error = NULL;
  CondmapConverter *conv =
    condmap_converter_new_from_yaml (runtime, yaml, -1, "test.yaml", &error);

  CM_ASSERT_NO_ERROR (error);
  return conv;
}

static void
assert_yaml_refused (const char *yaml, CondmapError code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapConverter) conv =
    condmap_converter_new_from_yaml (runtime, yaml, -1, "test.yaml", &error);

  CU_ASSERT_PTR_NULL (conv);
  assert_refused ("test.yaml", &error, code, fragment);
}

/* Converts @n float64 weights into freshly allocated planes (free them
 * with free_planes()) and returns the params. */
static CondmapParams *
convert_f64 (const CondmapConverter *conv, const double *w, size_t n,
             double **planes)
{
  g_autoptr (GError) error = NULL;
  CondmapParams *params = NULL;

  for (unsigned k = 0; k < condmap_converter_get_n_planes (conv); k++)
    planes[k] = g_new0 (double, n);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT64, w, n, (void *const *) planes, &params,
    &error));
  CM_ASSERT_NO_ERROR (error);
  return params;
}

static void
free_planes (double **planes, unsigned n_planes)
{
  for (unsigned k = 0; k < n_planes; k++)
    g_free (planes[k]);
}

/* ---- holes of aihwkit closed --------------------------------------------- */

/* aihwkit documents f_lst lowest first but accepts any order; so do we,
 * and the first pair in the list still fills first. */
static void
test_reverse_factors (void)
{
  g_autoptr (CondmapConverter) conv =
    converter_from_yaml ("converter: n-pair\nf_lst: [4, 2, 1]\n");
  const double w[] = { 1.0, 0.1, -0.1, 0.0, -0.7 };
  double *planes[6] = { NULL };
  double back[G_N_ELEMENTS (w)];
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (GError) error = NULL;

  CU_ASSERT_EQUAL_FATAL (condmap_converter_get_n_planes (conv), 6);
  params = convert_f64 (conv, w, G_N_ELEMENTS (w), planes);
  /* s = 7 * 25 / 1; w = 0.1 is u = 17.5 < 4 * 25: pair 0 alone, at 17.5/4 */
  CU_ASSERT_DOUBLE_EQUAL (condmap_params_get (params, "scale_ratio"), 175.0,
                          1e-12);
  CU_ASSERT_DOUBLE_EQUAL (planes[0][1], 17.5 / 4.0, 1e-12);
  CU_ASSERT_EQUAL (planes[2][1], 0.0);
  CU_ASSERT_EQUAL (planes[4][1], 0.0);
  CU_ASSERT_DOUBLE_EQUAL (planes[1][2], 17.5 / 4.0, 1e-12);
  /* w = 1 fills every pair */
  for (unsigned k = 0; k < 6; k += 2)
    CU_ASSERT_DOUBLE_EQUAL (planes[k][0], 25.0, 1e-12);
  CU_ASSERT_TRUE (condmap_converter_to_weights (
    conv, CONDMAP_DTYPE_FLOAT64, (const void *const *) planes,
    G_N_ELEMENTS (w), params, back, &error));
  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < G_N_ELEMENTS (w); i++)
    CU_ASSERT_DOUBLE_EQUAL (back[i], w[i], 1e-12);
  free_planes (planes, 6);
}

/* invertibility_test: false takes a table that the test refuses. */
static void
test_invertibility_off (void)
{
  g_autofree char *path = cm_test_data ("invalid/custom-noninvertible.yaml");
  g_autofree char *text = NULL;
  g_autofree char *yaml = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapParams) params = NULL;
  const double w[] = { -1.0, -0.5, 0.0, 0.5, 1.0 };
  double *planes[2] = { NULL };

  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &text, NULL, NULL));
  yaml = g_strconcat (text, "invertibility_test: false\n", NULL);
  conv = converter_from_yaml (yaml);
  CU_ASSERT_PTR_NOT_NULL_FATAL (conv);
  params = convert_f64 (conv, w, G_N_ELEMENTS (w), planes);
  /* the table as written: g_plus_0 at w = 0.5 is its point 3 */
  CU_ASSERT_DOUBLE_EQUAL (planes[0][3], 25.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL (planes[1][1], 25.0, 1e-12);
  free_planes (planes, 2);

  /* and "true", said out loud, is the default: refused */
  g_free (yaml);
  yaml = g_strconcat (text, "invertibility_test: true\n", NULL);
  assert_yaml_refused (yaml, CONDMAP_ERROR_NOT_INVERTIBLE, "not invertible");
}

/* aihwkit divides by zero on constant weights; single-device maps them to
 * g_min and restores them exactly, in both dtypes. */
static void
test_constant_weights (void)
{
  g_autoptr (CondmapConverter) conv =
    converter_from_yaml ("converter: single-device\n");
  g_autoptr (GError) error = NULL;
  enum { N = 6 };
  float w32[N], g32[N], back32[N];
  double w64[N], g64[N], back64[N];
  float *planes32[] = { g32 };
  double *planes64[] = { g64 };
  CondmapParams *params = NULL;

  for (size_t i = 0; i < N; i++)
    {
      w32[i] = 0.7f;
      w64[i] = 0.7;
    }
  CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT32, w32, N, (void *const *) planes32, &params,
    &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_to_weights (
    conv, CONDMAP_DTYPE_FLOAT32, (const void *const *) planes32, N, params,
    back32, &error));
  CM_ASSERT_NO_ERROR (error);
  condmap_params_free (params);
  params = NULL;
  for (size_t i = 0; i < N; i++)
    {
      CU_ASSERT_EQUAL (g32[i], 9.0f);
      CU_ASSERT_EQUAL (back32[i], 0.7f);
    }

  CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT64, w64, N, (void *const *) planes64, &params,
    &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_to_weights (
    conv, CONDMAP_DTYPE_FLOAT64, (const void *const *) planes64, N, params,
    back64, &error));
  CM_ASSERT_NO_ERROR (error);
  condmap_params_free (params);
  for (size_t i = 0; i < N; i++)
    {
      CU_ASSERT_EQUAL (g64[i], 9.0);
      CU_ASSERT_EQUAL (back64[i], 0.7);
    }
}

/* A table whose rows cancel everywhere represents no weight at all. */
static void
test_zero_net_weight (void)
{
  assert_yaml_refused ("converter: custom-pair\nf_lst: [1.0]\n"
                       "g_lst:\n  - [5.0, 5.0, 5.0]\n  - [5.0, 5.0, 5.0]\n",
                       CONDMAP_ERROR_CONFIG, "is 0 at every point");
  assert_yaml_refused ("converter: custom-pair\nf_lst: [1.0, 2.0]\n"
                       "g_lst:\n  - [0, 0, 0]\n  - [0, 0, 0]\n"
                       "  - [7, 7, 7]\n  - [7, 7, 7]\n",
                       CONDMAP_ERROR_CONFIG, "is 0 at every point");
}

/* A missing key is reported as missing, not as a typo of a present key
 * one letter away (g_lst vs f_lst); a real typo still is one. */
static void
test_missing_not_typo (void)
{
  assert_yaml_refused ("converter: custom-pair\n"
                       "g_lst:\n  - [0, 25]\n  - [25, 0]\n",
                       CONDMAP_ERROR_CONFIG, "'f_lst' is required");
  assert_yaml_refused ("converter: n-pair\nflst: [1.0, 2.0]\n",
                       CONDMAP_ERROR_UNKNOWN_KEY, "did you mean 'f_lst'");
}

/* The F rule holds for every converter that takes f_lst. */
static void
test_factor_rules_everywhere (void)
{
  assert_yaml_refused ("converter: dual-pair\nf_lst: [1.0, 0]\n",
                       CONDMAP_ERROR_CONFIG, "f_lst[1] = 0 must be > 0");
  assert_yaml_refused ("converter: custom-pair\nf_lst: [-1.0]\n"
                       "g_lst:\n  - [0, 25]\n  - [25, 0]\n",
                       CONDMAP_ERROR_CONFIG, "f_lst[0] = -1 must be > 0");
}

/* An F that is 0 once rounded to float32 would be divided by in the
 * float32 kernels: such weights are refused, float64 ones converted. */
static void
test_factor_float32_zero (void)
{
  g_autoptr (CondmapConverter) conv =
    converter_from_yaml ("converter: n-pair\nf_lst: [1.0, 1e-50]\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapParams) params = NULL;
  const float w32[] = { -1.0f, 0.5f, 1.0f };
  const double w64[] = { -1.0, 0.5, 1.0 };
  float g32[4][3];
  double *planes64[4] = { NULL };
  void *planes32[] = { g32[0], g32[1], g32[2], g32[3] };

  CU_ASSERT_FALSE (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT32, w32, 3, planes32, NULL, &error));
  assert_refused ("float32", &error, CONDMAP_ERROR_INPUT, "f_lst[1] = 1e-50");
  params = convert_f64 (conv, w64, 3, planes64);
  CU_ASSERT_DOUBLE_EQUAL (planes64[0][2], 25.0, 1e-12);
  free_planes (planes64, 4);
}

/* dual-pair is n-pair with two factors, to the bit. */
/* custom-pair looks a small table (<= 8 cells) up with a vector permute
 * and a larger one with plain loads: the same piecewise-linear curve
 * sampled at 9 and at 17 points must give the same planes. */
static void
test_custom_table_paths_agree (void)
{
  g_autoptr (CondmapConverter) small = converter_from_yaml (
    "converter: custom-pair\nf_lst: [1]\ng_lst:\n"
    "  - [0, 0, 0, 0, 0, 6.25, 12.5, 18.75, 25]\n"
    "  - [25, 18.75, 12.5, 6.25, 0, 0, 0, 0, 0]\n");
  g_autoptr (CondmapConverter) large = converter_from_yaml (
    "converter: custom-pair\nf_lst: [1]\ng_lst:\n"
    "  - [0, 0, 0, 0, 0, 0, 0, 0, 0, 3.125, 6.25, 9.375, 12.5, 15.625,"
    " 18.75, 21.875, 25]\n"
    "  - [25, 21.875, 18.75, 15.625, 12.5, 9.375, 6.25, 3.125, 0, 0, 0, 0,"
    " 0, 0, 0, 0, 0]\n");
  const size_t n = 1001;
  g_autofree float *w = g_new (float, n);
  g_autofree float *gs = g_new (float, 2 * n);
  g_autofree float *gl = g_new (float, 2 * n);
  void *ps[2] = { gs, gs + n }, *pl[2] = { gl, gl + n };
  g_autoptr (CondmapParams) params_s = NULL;
  g_autoptr (CondmapParams) params_l = NULL;
  g_autoptr (GError) error = NULL;
  double worst = 0;

  for (size_t i = 0; i < n; i++)
    w[i] = (float) (-2.0 + 4.0 * (double) i / (n - 1));
  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    small, CONDMAP_DTYPE_FLOAT32, w, n, ps, &params_s, &error));
  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    large, CONDMAP_DTYPE_FLOAT32, w, n, pl, &params_l, &error));
  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < 2 * n; i++)
    worst = MAX (worst, fabs ((double) gs[i] - gl[i]));
  CU_ASSERT_TRUE (worst <= 1e-5 * 25);
  /* And both are the curve itself: g+ = 12.5 * max(w, 0) for |W| = 2. */
  CU_ASSERT_DOUBLE_EQUAL (gs[n - 1], 25.0, 1e-5);
  CU_ASSERT_DOUBLE_EQUAL (gs[750], 12.5 * w[750], 1e-4);
  CU_ASSERT_DOUBLE_EQUAL (gs[n + 250], -12.5 * w[250], 1e-4);
}

static void
test_npair_equals_dual (void)
{
  g_autoptr (CondmapConverter) n_pair =
    converter_from_yaml ("converter: n-pair\nf_lst: [1, 3]\n");
  g_autoptr (CondmapConverter) dual =
    converter_from_yaml ("converter: dual-pair\nf_lst: [1.0, 3.0]\n");
  g_autofree char *path = cm_test_data ("dual-pair-1-3/weights.npy");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) w = condmap_npy_read (path, &error);
  g_autoptr (CondmapParams) params_n = NULL;
  g_autoptr (CondmapParams) params_d = NULL;
  size_t n, bytes;
  void *planes_n[4], *planes_d[4];
  g_autofree void *back_n = NULL;
  g_autofree void *back_d = NULL;

  CM_ASSERT_NO_ERROR (error);
  n = condmap_array_get_n (w);
  bytes = n * condmap_dtype_size (condmap_array_get_dtype (w));
  for (unsigned k = 0; k < 4; k++)
    {
      planes_n[k] = g_malloc0 (bytes);
      planes_d[k] = g_malloc0 (bytes);
    }
  back_n = g_malloc0 (bytes);
  back_d = g_malloc0 (bytes);

  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    n_pair, condmap_array_get_dtype (w), condmap_array_peek_data (w), n,
    planes_n, &params_n, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    dual, condmap_array_get_dtype (w), condmap_array_peek_data (w), n,
    planes_d, &params_d, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_params_get (params_n, "scale_ratio"),
                   condmap_params_get (params_d, "scale_ratio"));
  for (unsigned k = 0; k < 4; k++)
    CU_ASSERT_EQUAL (memcmp (planes_n[k], planes_d[k], bytes), 0);

  CU_ASSERT_TRUE (condmap_converter_to_weights (
    n_pair, condmap_array_get_dtype (w), (const void *const *) planes_n, n,
    params_n, back_n, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_to_weights (
    dual, condmap_array_get_dtype (w), (const void *const *) planes_d, n,
    params_d, back_d, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (memcmp (back_n, back_d, bytes), 0);
  for (unsigned k = 0; k < 4; k++)
    {
      g_free (planes_n[k]);
      g_free (planes_d[k]);
    }
}

int
main (void)
{
  CU_pSuite files, holes;
  int status;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  runtime = cm_test_runtime ();
  files = CU_add_suite ("invalid configs", NULL, NULL);
  CU_add_test (files, "every file covered", test_every_file_covered);
  for (size_t i = 0; i < N_INVALID; i++)
    CU_add_test (files, invalid_cases[i].file, test_invalid_file);

  holes = CU_add_suite ("aihwkit holes closed", NULL, NULL);
  CU_add_test (holes, "f_lst in reverse order", test_reverse_factors);
  CU_add_test (holes, "invertibility_test: false", test_invertibility_off);
  CU_add_test (holes, "constant weights, single-device",
               test_constant_weights);
  CU_add_test (holes, "custom-pair zero net weight", test_zero_net_weight);
  CU_add_test (holes, "missing key is not a typo", test_missing_not_typo);
  CU_add_test (holes, "F > 0 in every converter", test_factor_rules_everywhere);
  CU_add_test (holes, "F that is 0 in float32", test_factor_float32_zero);
  CU_add_test (holes, "n-pair [1,3] == dual-pair [1,3]",
               test_npair_equals_dual);
  CU_add_test (holes, "custom-pair small and large tables agree",
               test_custom_table_paths_agree);
  status = cm_test_run ();
  condmap_runtime_unref (runtime);
  return status;
}
