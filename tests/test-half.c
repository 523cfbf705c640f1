/* test-half.c - the element conversions of core/half.c: every half and
 * bfloat16 value, rounding to nearest even against a slow reference and
 * against NumPy (tests/safetensors/rounding.safetensors), ties,
 * overflow, NaN payloads, and inputs at odd addresses. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

/* A checkpoint make-safetensors.py wrote in tests/safetensors/.  Free
 * with g_free(). */
static char *
st_data (const char *name)
{
  g_autofree char *rel = g_build_filename ("tests", "safetensors", name, NULL);

  return cm_test_path ("CONDMAP_SRC_DIR", rel);
}

static uint32_t
f2u (float f)
{
  uint32_t u;

  memcpy (&u, &f, 4);
  return u;
}

static float
u2f (uint32_t u)
{
  float f;

  memcpy (&f, &u, 4);
  return f;
}

/* Little-endian 16-bit values as a file holds them. */
static void
put16 (guchar *p, uint16_t v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static uint16_t
get16 (const guchar *p)
{
  return (uint16_t) (p[0] | p[1] << 8);
}

/* The value of half @h by its definition, in double. */
static double
half_value (uint16_t h)
{
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v = e == 0 ? ldexp (m, -24) : ldexp (1024 + m, e - 25);

  return h & 0x8000 ? -v : v;
}

static uint16_t
to_f16 (float f)
{
  guchar out[2];

  condmap_convert_f32_to_f16 (&f, out, 1);
  return get16 (out);
}

static uint16_t
to_bf16 (float f)
{
  guchar out[2];

  condmap_convert_f32_to_bf16 (&f, out, 1);
  return get16 (out);
}

/* ---- widening ----------------------------------------------------------- */

/* All 65536 halves: the float is the half's value (NaNs keep sign and
 * payload), and narrowing it again gives the same 16 bits. */
static void
test_f16_all (void)
{
  g_autofree guchar *in = g_malloc (2 * 65536);
  g_autofree guchar *back = g_malloc (2 * 65536);
  g_autofree float *f = g_new (float, 65536);
  unsigned bad_value = 0, bad_trip = 0, first_bad = 0;

  for (unsigned h = 0; h < 65536; h++)
    put16 (in + 2 * h, (uint16_t) h);
  condmap_convert_f16_to_f32 (in, f, 65536);
  condmap_convert_f32_to_f16 (f, back, 65536);
  for (unsigned h = 0; h < 65536; h++)
    {
      gboolean special = ((h >> 10) & 0x1f) == 0x1f;

      if (special && (h & 0x3ff) != 0)
        bad_value += f2u (f[h]) != ((h & 0x8000u) << 16 | 0x7f800000
                                    | (h & 0x3ffu) << 13);
      else if (special)
        bad_value += f[h] != ((h & 0x8000) ? -INFINITY : INFINITY);
      else
        bad_value += (double) f[h] != half_value ((uint16_t) h)
                     || !!signbit (f[h]) != !!(h & 0x8000);
      bad_trip += get16 (back + 2 * h) != h;
      if (bad_value == 1 && first_bad == 0)
        first_bad = h;
    }
  if (bad_value > 0)
    g_printerr ("\n    %u wrong values, the first 0x%04x -> 0x%08x", bad_value,
                first_bad, f2u (f[first_bad]));
  CU_ASSERT_EQUAL (bad_value, 0);
  CU_ASSERT_EQUAL (bad_trip, 0);
  CU_ASSERT_EQUAL (f[0x3c00], 1.0f);
  CU_ASSERT_EQUAL (f[0x7bff], 65504.0f);
  CU_ASSERT_EQUAL (f[0x0001], 0x1p-24f);
  CU_ASSERT_EQUAL (f2u (f[0x8000]), 0x80000000);
}

/* All 65536 bfloat16 values: the top half of the float, and back. */
static void
test_bf16_all (void)
{
  g_autofree guchar *in = g_malloc (2 * 65536);
  g_autofree guchar *back = g_malloc (2 * 65536);
  g_autofree float *f = g_new (float, 65536);
  unsigned bad_value = 0, bad_trip = 0;

  for (unsigned h = 0; h < 65536; h++)
    put16 (in + 2 * h, (uint16_t) h);
  condmap_convert_bf16_to_f32 (in, f, 65536);
  condmap_convert_f32_to_bf16 (f, back, 65536);
  for (unsigned h = 0; h < 65536; h++)
    {
      bad_value += f2u (f[h]) != (uint32_t) h << 16;
      bad_trip += get16 (back + 2 * h) != h;
    }
  CU_ASSERT_EQUAL (bad_value, 0);
  CU_ASSERT_EQUAL (bad_trip, 0);
  CU_ASSERT_EQUAL (f[0x3f80], 1.0f);
  CU_ASSERT_EQUAL (f[0xc020], -2.5f);
}

/* ---- narrowing ---------------------------------------------------------- */

/* Ties go to the even neighbour; overflow and NaNs as IEEE 754 and NumPy. */
static void
test_f16_ties (void)
{
  static const struct { uint32_t in; uint16_t out; } cases[] = {
    { 0x3f801000, 0x3c00 },   /* 1 + 2^-11: tie, down to even 1 */
    { 0x3f803000, 0x3c02 },   /* 1 + 3 x 2^-11: tie, up to even */
    { 0x3f801001, 0x3c01 },   /* just above the tie */
    { 0xbf801000, 0xbc00 },
    { 0x477fe000, 0x7bff },   /* 65504 */
    { 0x477fefff, 0x7bff },   /* just below the overflow tie */
    { 0x477ff000, 0x7c00 },   /* 65520: the tie, to infinity */
    { 0xc77ff000, 0xfc00 },
    { 0x47800000, 0x7c00 },   /* 2^16 */
    { 0x7f7fffff, 0x7c00 },   /* the largest float */
    { 0x33000000, 0x0000 },   /* 2^-25: tie between 0 and 2^-24, to 0 */
    { 0xb3000000, 0x8000 },   /* ... keeping the sign */
    { 0x33400000, 0x0001 },   /* 1.5 x 2^-25 */
    { 0x33c00000, 0x0002 },   /* 3 x 2^-25: tie, up to even */
    { 0x387fe000, 0x0400 },   /* 2^-14 - 2^-25: tie, up to the normal */
    { 0x387fc000, 0x03ff },   /* 2^-14 - 2^-24: the largest subnormal */
    { 0x00000001, 0x0000 },   /* float subnormal */
    { 0x7f800000, 0x7c00 },
    { 0xff800000, 0xfc00 },
    { 0x7fc00000, 0x7e00 },   /* quiet NaN */
    { 0xffc00000, 0xfe00 },
    { 0x7f800001, 0x7c01 },   /* payload lost: lowest bit set (NumPy) */
    { 0x7fbfffff, 0x7dff },   /* signalling NaN: payload kept */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      uint16_t got = to_f16 (u2f (cases[i].in));

      if (got != cases[i].out)
        g_printerr ("\n    0x%08x -> 0x%04x, want 0x%04x", cases[i].in, got,
                    cases[i].out);
      CU_ASSERT_EQUAL (got, cases[i].out);
    }
}

static void
test_bf16_ties (void)
{
  static const struct { uint32_t in; uint16_t out; } cases[] = {
    { 0x3f808000, 0x3f80 },   /* 1 + 2^-8: tie, down to even */
    { 0x3f818000, 0x3f82 },   /* 1 + 3 x 2^-8: tie, up to even */
    { 0x3f808001, 0x3f81 },
    { 0xbf818000, 0xbf82 },
    { 0x7f7f7fff, 0x7f7f },   /* below the top tie */
    { 0x7f7f8000, 0x7f80 },   /* the tie: odd 0x7f7f, up to infinity */
    { 0x7f7fffff, 0x7f80 },
    { 0xff7fffff, 0xff80 },
    { 0x00008000, 0x0000 },   /* subnormal tie, to even 0 */
    { 0x00018000, 0x0002 },
    { 0x7f800000, 0x7f80 },
    { 0x7fc00000, 0x7fc0 },
    { 0x7f800001, 0x7f81 },   /* payload lost: lowest bit set */
    { 0xffa00000, 0xffa0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      uint16_t got = to_bf16 (u2f (cases[i].in));

      if (got != cases[i].out)
        g_printerr ("\n    0x%08x -> 0x%04x, want 0x%04x", cases[i].in, got,
                    cases[i].out);
      CU_ASSERT_EQUAL (got, cases[i].out);
    }
}

/* The slow reference for a finite float: the nearest of the 63488 finite
 * halves, ties to the even one, and infinity from 65520 on (IEEE 754:
 * round as if the exponent were unbounded; 65520 lies halfway between
 * 65504 and 2^16, and 0x7bff is odd). */
static uint16_t
f16_reference (float f, const double *halves)
{
  double x = fabs ((double) f);
  unsigned lo = 0, hi = 0x7bff;
  uint16_t sign = signbit (f) ? 0x8000 : 0;

  if (x >= 65520.0)
    return sign | 0x7c00;
  while (lo < hi)   /* the largest half <= x */
    {
      unsigned mid = (lo + hi + 1) / 2;

      if (halves[mid] <= x)
        lo = mid;
      else
        hi = mid - 1;
    }
  if (lo < 0x7bff && (x - halves[lo] > halves[lo + 1] - x
                      || (x - halves[lo] == halves[lo + 1] - x && (lo & 1))))
    lo++;
  return sign | (uint16_t) lo;
}

/* The same for bfloat16: the two neighbours are the truncation and the
 * next value up in magnitude. */
static uint16_t
bf16_reference (float f)
{
  uint32_t lo = f2u (f) >> 16;
  double x = fabs ((double) f), below = fabs ((double) u2f (lo << 16)), above;

  if ((lo & 0x7fff) == 0x7f7f)
    above = ldexp (1.0, 128);   /* past the largest: the infinity */
  else
    above = fabs ((double) u2f ((lo + 1) << 16));
  if (x - below > above - x || (x - below == above - x && (lo & 1)))
    return (uint16_t) (lo + 1);
  return (uint16_t) lo;
}

/* About a million floats spread over every exponent and sign, and every
 * float whose dropped bits are a tie or next to one, against the slow
 * references. */
static void
test_narrowing_reference (void)
{
  g_autofree double *halves = g_new (double, 0x7c00);
  g_autofree float *in = g_new (float, 1 << 16);
  g_autofree guchar *h = g_malloc (2 << 16), *b = g_malloc (2 << 16);
  unsigned bad_h = 0, bad_b = 0, checked = 0;
  uint64_t u = 0;

  for (unsigned i = 0; i < 0x7c00; i++)
    halves[i] = half_value ((uint16_t) i);
  while (u < (1ull << 32))
    {
      unsigned n = 0;

      for (; n < (1 << 16) && u < (1ull << 32); n++)
        {
          /* Odd steps, so that every low-bit pattern occurs; every 8th
           * value is moved onto a tie of the half grid. */
          uint32_t x = (uint32_t) u;

          if (n % 8 == 0)
            x = (x & ~0x1fffu) | 0x1000;
          else if (n % 8 == 1)
            x = (x & ~0xffffu) | 0x8000;
          in[n] = u2f (x);
          u += 4099;
        }
      condmap_convert_f32_to_f16 (in, h, n);
      condmap_convert_f32_to_bf16 (in, b, n);
      for (unsigned i = 0; i < n; i++)
        {
          if (isnan (in[i]))
            continue;
          bad_h += get16 (h + 2 * i) != f16_reference (in[i], halves);
          bad_b += get16 (b + 2 * i) != bf16_reference (in[i]);
          checked++;
        }
    }
  CU_ASSERT_EQUAL (bad_h, 0);
  CU_ASSERT_EQUAL (bad_b, 0);
  CU_ASSERT_TRUE (checked > 1000000);
}

/* NumPy's astype(float16), and bfloat16 rounded by the generator's own
 * method, for 6039 floats (tests/make-safetensors.py). */
static void
test_numpy_rounding (void)
{
  g_autofree char *path = st_data ("rounding.safetensors");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSafetensors) st = condmap_safetensors_open (path, &error);
  CondmapTensorInfo x, h, b;
  g_autofree float *f = NULL;
  g_autofree guchar *out = NULL;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_get_tensor (st, 0, &x));
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_get_tensor (st, 1, &h));
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_get_tensor (st, 2, &b));
  CU_ASSERT_STRING_EQUAL (x.name, "f32");
  CU_ASSERT_STRING_EQUAL (h.name, "f16");
  CU_ASSERT_STRING_EQUAL (b.name, "bf16");
  CU_ASSERT_EQUAL_FATAL (x.n_elements, 6039);
  f = g_new (float, x.n_elements);
  out = g_malloc (2 * x.n_elements);
  CU_ASSERT_TRUE (condmap_tensor_to_f32 (x.dtype, x.data, f, x.n_elements));
  CU_ASSERT_TRUE (condmap_tensor_from_f32 (h.dtype, f, out, x.n_elements));
  CU_ASSERT_EQUAL (memcmp (out, h.data, h.n_bytes), 0);
  CU_ASSERT_TRUE (condmap_tensor_from_f32 (b.dtype, f, out, x.n_elements));
  CU_ASSERT_EQUAL (memcmp (out, b.data, b.n_bytes), 0);
}

/* ---- F64, dispatch, alignment ------------------------------------------- */

static void
test_f64 (void)
{
  const double in[] = { M_PI, 1e300, -1e300, 5e-324, -0.0, 1.0 + 0x1p-24 };
  float f[6];
  double back[6];

  condmap_convert_f64_to_f32 (in, f, 6);
  CU_ASSERT_EQUAL (f[0], (float) M_PI);
  CU_ASSERT_EQUAL (f[1], INFINITY);
  CU_ASSERT_EQUAL (f[2], -INFINITY);
  CU_ASSERT_EQUAL (f2u (f[3]), 0);
  CU_ASSERT_EQUAL (f2u (f[4]), 0x80000000);
  CU_ASSERT_EQUAL (f[5], 1.0f);   /* a tie, to even */
  condmap_convert_f32_to_f64 (f, back, 6);
  for (int i = 0; i < 6; i++)
    CU_ASSERT_EQUAL (memcmp (&back[i], &(double) { f[i] }, 8), 0);
}

/* The dispatchers pick the right loop, and refuse other dtypes. */
static void
test_dispatch (void)
{
  const float in[2] = { 1.5f, -2.0f };
  guchar raw[16];
  float out[2];

  for (CondmapTensorDtype d = CONDMAP_TENSOR_DTYPE_F64;
       d <= CONDMAP_TENSOR_DTYPE_BF16; d++)
    {
      memset (out, 0, sizeof out);
      CU_ASSERT_TRUE (condmap_tensor_from_f32 (d, in, raw, 2));
      CU_ASSERT_TRUE (condmap_tensor_to_f32 (d, raw, out, 2));
      CU_ASSERT_EQUAL (out[0], 1.5f);
      CU_ASSERT_EQUAL (out[1], -2.0f);
    }
  condmap_tensor_from_f32 (CONDMAP_TENSOR_DTYPE_F16, in, raw, 2);
  CU_ASSERT_EQUAL (get16 (raw), 0x3e00);   /* little-endian in memory */
  CU_ASSERT_FALSE (condmap_tensor_to_f32 (CONDMAP_TENSOR_DTYPE_OTHER, raw,
                                          out, 2));
  CU_ASSERT_FALSE (condmap_tensor_from_f32 (CONDMAP_TENSOR_DTYPE_OTHER, in,
                                            raw, 2));
}

/* Tensors lie at any byte offset of a file: every conversion reads and
 * writes the file side at odd addresses (UBSan's alignment check runs
 * with --enable-sanitizers). */
static void
test_unaligned (void)
{
  enum { N = 37 };
  float f[N], g[N];
  guchar buf[8 * N + 1], *odd = buf + 1;

  for (int i = 0; i < N; i++)
    f[i] = (float) (i - 18) * 0.375f;
  for (CondmapTensorDtype d = CONDMAP_TENSOR_DTYPE_F64;
       d <= CONDMAP_TENSOR_DTYPE_BF16; d++)
    {
      memset (g, 0, sizeof g);
      condmap_tensor_from_f32 (d, f, odd, N);
      condmap_tensor_to_f32 (d, odd, g, N);
      CU_ASSERT_EQUAL (memcmp (f, g, sizeof f), 0);
    }
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("widening", NULL, NULL);
  CU_add_test (s, "every half, and back bit-exact", test_f16_all);
  CU_add_test (s, "every bfloat16, and back bit-exact", test_bf16_all);
  s = CU_add_suite ("narrowing", NULL, NULL);
  CU_add_test (s, "F16: ties, overflow, NaN", test_f16_ties);
  CU_add_test (s, "BF16: ties, overflow, NaN", test_bf16_ties);
  CU_add_test (s, "a million floats against the reference",
               test_narrowing_reference);
  CU_add_test (s, "NumPy's float16 and the generator's bfloat16",
               test_numpy_rounding);
  s = CU_add_suite ("other", NULL, NULL);
  CU_add_test (s, "F64 to and from float", test_f64);
  CU_add_test (s, "dispatch by dtype", test_dispatch);
  CU_add_test (s, "unaligned file side", test_unaligned);
  return cm_test_run ();
}
