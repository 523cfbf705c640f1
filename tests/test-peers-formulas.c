/* test-peers-formulas.c - what bit-slice does that no peer has numbers
 * for, against the formulas of tests/peer/README.md: unequal slices, the
 * round-trip bound docs/peers.md states, and weights that are all 0.
 * Part of the test-peers program (test-peers.c adds this suite). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include "test-util.h"
#include "test-peers.h"

static CondmapRuntime *formulas_runtime;

static CondmapConverter *
converter_from_yaml (const char *yaml)
{
  g_autoptr (GError) error = NULL;
  CondmapConverter *conv = condmap_converter_new_from_yaml (
    formulas_runtime, yaml, -1, "test.yaml", &error);

  CM_ASSERT_NO_ERROR (error);
  return conv;
}

/* Converts @n float64 weights into planes[k] (allocated here, freed with
 * g_free) and back into @back; returns the params. */
static CondmapParams *
round_trip (const CondmapConverter *conv, const double *w, size_t n,
            double **planes, double *back)
{
  g_autoptr (GError) error = NULL;
  CondmapParams *params = NULL;

  for (unsigned k = 0; k < condmap_converter_get_n_planes (conv); k++)
    planes[k] = g_new0 (double, n);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT64, w, n, (void *const *) planes, &params,
    &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_to_weights (
    conv, CONDMAP_DTYPE_FLOAT64, (const void *const *) planes, n, params,
    back, &error));
  CM_ASSERT_NO_ERROR (error);
  return params;
}

static void
free_planes (double **planes, unsigned n_planes)
{
  for (unsigned k = 0; k < n_planes; k++)
    g_free (planes[k]);
}

/* ---- unequal slices ----------------------------------------------------------- */

typedef struct {
  const char *yaml;
  unsigned n_slices;
  unsigned bits[4];
  gboolean balanced;
  gboolean neurosim;
} Unequal;

/* B = 8, m = 1, g_min = 2.5, g_max = 25 µS. */
static const Unequal unequal_cases[] = {
  { "converter: bit-slice\nweight_bits: 8\nslices: 2\nslice_bits: [3, 5]\n"
    "g_min: 2.5\ng_max: 25\n", 2, { 3, 5 }, TRUE, FALSE },
  { "converter: bit-slice\nweight_bits: 8\nslices: 3\nslice_bits: [2, 3, 3]\n"
    "style: offset\ng_min: 2.5\ng_max: 25\n", 3, { 2, 3, 3 }, FALSE, FALSE },
  { "converter: bit-slice\nweight_bits: 8\nslices: 3\nslice_bits: [3, 3, 2]\n"
    "style: offset\nreference: column\ng_min: 2.5\ng_max: 25\n", 3,
    { 3, 3, 2 }, FALSE, FALSE },
  { "converter: bit-slice\nweight_bits: 8\nslices: 4\n"
    "slice_bits: [1, 2, 4, 1]\nstyle: offset\nquantizer: neurosim\n"
    "reference: mid\ng_min: 2.5\ng_max: 25\n", 4, { 1, 2, 4, 1 }, FALSE,
    TRUE },
};

/* Every code of B = 8, as the weight that has it: k / 127 for CrossSim's
 * (k = -127..127: w / m (2^(B-1) - 1) is k up to an ulp, far from a tie),
 * n / 128 for NeuroSim's (n = -128..128, exact).  The expected integer
 * code: q (+ 128 for offset), or X = n + 128 - [n > 0]. */
static size_t
all_codes (const Unequal *u, double *w, long *code)
{
  size_t n = 0;

  if (u->neurosim)
    for (long k = -128; k <= 128; k++, n++)
      {
        w[n] = k / 128.0;
        code[n] = k + 128 - (k > 0);
      }
  else
    for (long k = -127; k <= 127; k++, n++)
      {
        w[n] = k / 127.0;
        code[n] = u->balanced ? k : k + 128;
      }
  return n;
}

/* The planes are README 4.3 and 4.4 with slice widths b_i (4.7): digits
 * of the code least significant first, the last keeping the quotient,
 * each at g_min + d / (2^b_i - 1) (g_max - g_min); and the read-back
 * gives every integer code back. */
static void
test_unequal_slices (void)
{
  double w[257], back[257];
  long code[257];

  for (size_t c = 0; c < G_N_ELEMENTS (unequal_cases); c++)
    {
      const Unequal *u = &unequal_cases[c];
      g_autoptr (CondmapConverter) conv = converter_from_yaml (u->yaml);
      g_autoptr (CondmapParams) params = NULL;
      unsigned K = u->balanced ? 2 * u->n_slices : u->n_slices;
      size_t n = all_codes (u, w, code);
      double *planes[8] = { NULL };
      size_t bad = 0;

      CU_ASSERT_EQUAL_FATAL (condmap_converter_get_n_planes (conv), K);
      params = round_trip (conv, w, n, planes, back);
      for (size_t i = 0; i < n; i++)
        {
          long a = labs (code[i]);
          unsigned below = 0;
          double got_code = u->neurosim ? (back[i] * 256.0 + 255.0) / 2.0
                            : u->balanced ? back[i] * 127.0
                            : back[i] * 127.0 + 128.0;

          for (unsigned s = 0; s < u->n_slices; s++)
            {
              long d = a >> below;
              double g, want_plus, want_minus;

              if (s + 1 < u->n_slices)
                d &= (1L << u->bits[s]) - 1;
              g = 2.5 + (double) d / ((1L << u->bits[s]) - 1) * 22.5;
              want_plus = !u->balanced || code[i] > 0 ? g : 2.5;
              want_minus = code[i] < 0 ? g : 2.5;
              if (u->balanced)
                bad += fabs (planes[2 * s][i] - want_plus) > 1e-12 * 25
                       || fabs (planes[2 * s + 1][i] - want_minus) > 1e-12 * 25;
              else
                bad += fabs (planes[s][i] - want_plus) > 1e-12 * 25;
              below += u->bits[s];
            }
          if (fabs (got_code - (double) code[i]) > 1e-9)
            {
              g_printerr ("\n  case %zu: code %ld comes back as %.17g", c,
                          code[i], got_code);
              bad++;
            }
        }
      CU_ASSERT_EQUAL (bad, 0);
      free_planes (planes, K);
    }
}

/* Equal slice_bits are slices: N, read back in CrossSim's order: the same
 * bits. */
static void
test_equal_slice_bits (void)
{
  g_autoptr (CondmapConverter) a = converter_from_yaml (
    "converter: bit-slice\nweight_bits: 8\nslices: 2\n");
  g_autoptr (CondmapConverter) b = converter_from_yaml (
    "converter: bit-slice\nweight_bits: 8\nslice_bits: [4, 4]\n");
  g_autoptr (CondmapParams) pa = NULL;
  g_autoptr (CondmapParams) pb = NULL;
  double w[1001], back_a[1001], back_b[1001];
  double *planes_a[4] = { NULL }, *planes_b[4] = { NULL };

  for (size_t i = 0; i < G_N_ELEMENTS (w); i++)
    w[i] = sin (0.37 * (double) i);
  pa = round_trip (a, w, G_N_ELEMENTS (w), planes_a, back_a);
  pb = round_trip (b, w, G_N_ELEMENTS (w), planes_b, back_b);
  for (unsigned k = 0; k < 4; k++)
    CU_ASSERT_EQUAL (memcmp (planes_a[k], planes_b[k], sizeof w), 0);
  CU_ASSERT_EQUAL (memcmp (back_a, back_b, sizeof w), 0);
  free_planes (planes_a, 4);
  free_planes (planes_b, 4);
}

/* ---- the round-trip bound ------------------------------------------------------- */

/* docs/peers.md: a weight inside the clip range comes back within half a
 * code step, m / (2 (2^(B-1) - 1)) = m / (2^B - 2), with CrossSim's
 * quantizer; within 2^(1-B) m with NeuroSim's (half its step 2^(1-B) m
 * plus its shift of 2^-B m).  The probe of condmap check (2001 weights
 * over [-1, 1], m = 1) must stay inside the bound, and come within 80 %
 * of it: the error is that of B bits, not of more. */
static void
assert_bound (const char *yaml, double bound)
{
  g_autoptr (CondmapConverter) conv = converter_from_yaml (yaml);
  g_autoptr (GError) error = NULL;
  double max_error = -1;

  CU_ASSERT_TRUE (condmap_converter_check_round_trip (
    conv, bound * (1 + 1e-9), &max_error, &error));
  CM_ASSERT_NO_ERROR (error);
  if (!(max_error <= bound * (1 + 1e-9) && max_error >= 0.8 * bound))
    g_printerr ("\n  %s: max error %.6g, bound %.6g", yaml, max_error, bound);
  CU_ASSERT_TRUE (max_error >= 0.8 * bound);
  CU_ASSERT_FALSE (condmap_converter_check_round_trip (conv, 0.75 * bound,
                                                       NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_NOT_INVERTIBLE);
}

static void
test_round_trip_bound (void)
{
  static const unsigned bits[] = { 4, 6, 8, 12 };

  for (size_t i = 0; i < G_N_ELEMENTS (bits); i++)
    {
      unsigned B = bits[i];
      g_autofree char *bal = g_strdup_printf (
        "converter: bit-slice\nweight_bits: %u\nslices: 2\n", B);
      g_autofree char *off = g_strdup_printf (
        "converter: bit-slice\nweight_bits: %u\nslices: 3\nstyle: offset\n",
        B);
      g_autofree char *ns = g_strdup_printf (
        "converter: bit-slice\nweight_bits: %u\nslices: 2\nstyle: offset\n"
        "quantizer: neurosim\nreference: mid\n", B);

      assert_bound (bal, 1.0 / (ldexp (1.0, (int) B) - 2.0));
      assert_bound (off, 1.0 / (ldexp (1.0, (int) B) - 2.0));
      assert_bound (ns, ldexp (1.0, 1 - (int) B));
    }
}

/* offset and two-sided-pair are exact schemes: the default limit of
 * condmap check holds, two-sided-pair to float32's precision (it reads
 * back in float32, as CrossSim does). */
static void
test_exact_schemes (void)
{
  static const struct { const char *yaml; double limit; } cases[] = {
    { "converter: offset\n", 1e-15 },
    { "converter: offset\nreference: mid\n", 1e-15 },
    { "converter: two-sided-pair\n", 3e-7 },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (CondmapConverter) conv = converter_from_yaml (cases[i].yaml);
      g_autoptr (GError) error = NULL;
      double max_error = -1;

      CU_ASSERT_TRUE (condmap_converter_check_invertible (conv, &max_error,
                                                          &error));
      CM_ASSERT_NO_ERROR (error);
      if (!(max_error <= cases[i].limit))
        g_printerr ("\n  %s: max error %.3g", cases[i].yaml, max_error);
      CU_ASSERT_TRUE (max_error <= cases[i].limit);
    }
}

/* ---- all weights 0 --------------------------------------------------------------- */

/* m is then 1 (any m maps 0 to the code of 0): every scheme gives the
 * zeros back, except NeuroSim's, which has no zero and reads 2^-B. */
static void
test_zero_weights (void)
{
  static const struct { const char *yaml; double want; } cases[] = {
    { "converter: bit-slice\n", 0 },
    { "converter: bit-slice\nstyle: offset\nreference: column\n", 0 },
    { "converter: bit-slice\nstyle: offset\nquantizer: neurosim\n"
      "reference: mid\nweight_bits: 6\nslices: 3\n", 1.0 / 64 },
    { "converter: offset\nreference: mid\n", 0 },
    { "converter: two-sided-pair\n", 0 },
  };
  double w[5] = { 0 }, back[5];

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (CondmapConverter) conv = converter_from_yaml (cases[i].yaml);
      unsigned K = condmap_converter_get_n_planes (conv);
      double *planes[8] = { NULL };
      g_autoptr (CondmapParams) params = round_trip (conv, w, 5, planes, back);

      CU_ASSERT_EQUAL (condmap_params_get (params, "clip_max"), 1.0);
      for (size_t j = 0; j < 5; j++)
        CU_ASSERT_DOUBLE_EQUAL (back[j], cases[i].want, 1e-15);
      free_planes (planes, K);
    }
}

/* ---- rules between settings (the files of tests/data/invalid/ hold the
 * rest) ----------------------------------------------------------------------- */

static void
assert_refused (const char *yaml, CondmapError code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapConverter) conv = condmap_converter_new_from_yaml (
    formulas_runtime, yaml, -1, "test.yaml", &error);

  CU_ASSERT_PTR_NULL (conv);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strstr (error->message, fragment) == NULL)
    g_printerr ("\n  the message lacks \"%s\"", fragment);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, fragment));
  CM_ASSERT_ERROR (error, code);
}

static void
test_rules (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;

  assert_refused ("converter: bit-slice\nquantizer: neurosim\n", C,
                  "test.yaml:2: 'quantizer': quantizer: neurosim needs "
                  "style: offset");
  assert_refused ("converter: bit-slice\nquantizer: neurosim\n"
                  "style: balanced\n", C, "test.yaml:3: 'style': ");
  assert_refused ("converter: bit-slice\nreference: column\n", C,
                  "test.yaml:2: 'reference': reference: column applies to "
                  "style: offset only");
  assert_refused ("converter: bit-slice\nstyle: offset\nquantizer: neurosim"
                  "\nreference: column\n", C,
                  "test.yaml:4: 'reference': reference: column is "
                  "CrossSim's unit column");
  assert_refused ("converter: bit-slice\nweight_bits: 8\n"
                  "slice_bits: [4.5, 3.5]\n", C,
                  "test.yaml:3: 'slice_bits': slice_bits[0] = 4.5 must be a "
                  "whole number of bits");
  assert_refused ("converter: bit-slice\nweight_bits: 8\n"
                  "slice_bits: [0, 8]\n", C, "slice_bits[0] = 0 must be");
  /* reference: digital with balanced slices is what the sidecar records
   * for every balanced config: accepted */
  g_autoptr (CondmapConverter) conv =
    converter_from_yaml ("converter: bit-slice\nreference: digital\n");
  CU_ASSERT_PTR_NOT_NULL (conv);
}

/* 2 m overflows float32 for weights near FLT_MAX: refused at plan time,
 * while float64 converts them. */
static void
test_clip_overflow (void)
{
  g_autoptr (CondmapConverter) conv =
    converter_from_yaml ("converter: offset\n");
  g_autoptr (GError) error = NULL;
  const float w32[] = { 3e38f, -1.0f };
  const double w64[] = { 3e38, -1.0 };
  float g32[2];
  double g64[2];
  void *p32[] = { g32 }, *p64[] = { g64 };
  g_autoptr (CondmapParams) params = NULL;

  CU_ASSERT_FALSE (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT32, w32, 2, p32, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "float32"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT64, w64, 2, p64, &params, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_DOUBLE_EQUAL (g64[0], 25.0, 1e-12);
}

void
cm_test_peers_add_formulas (CondmapRuntime *runtime)
{
  CU_pSuite suite = CU_add_suite ("formulas", NULL, NULL);

  formulas_runtime = runtime;
  CU_add_test (suite, "unequal slice_bits", test_unequal_slices);
  CU_add_test (suite, "equal slice_bits are slices", test_equal_slice_bits);
  CU_add_test (suite, "round-trip bound of B bits", test_round_trip_bound);
  CU_add_test (suite, "offset and two-sided are exact", test_exact_schemes);
  CU_add_test (suite, "all weights 0", test_zero_weights);
  CU_add_test (suite, "rules between settings", test_rules);
  CU_add_test (suite, "2 m overflows float32", test_clip_overflow);
}
