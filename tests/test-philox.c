/* test-philox.c - counter-based random numbers (core/philox.c): Random123's
 * known answers, the documented stream layout, bit-identical results for
 * any chunking and thread count, and the moments of the distributions
 * with tolerances derived from the sample size. */
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"
#include "unit-math.h"

#define N_STAT 1000000

/* How far a normal may be from libm's Box-Muller: the generator evaluates
 * the logarithm and the sine and cosine itself (unit-math.h), to about
 * one unit in the last place, and |z| < 6.8. */
#define NORMAL_TOL 1e-14

/* ---- the generator ----------------------------------------------------------- */

/* Random123's kat_vectors for philox4x32 with 10 rounds. */
static void
test_known_answers (void)
{
  static const struct {
    guint32 ctr[4], key[2], want[4];
  } kat[] = {
    { { 0, 0, 0, 0 }, { 0, 0 },
      { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 } },
    { { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff },
      { 0xffffffff, 0xffffffff },
      { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd } },
    { { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 },
      { 0xa4093822, 0x299f31d0 },
      { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 } },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (kat); i++)
    {
      guint32 out[4];

      cm_philox4x32 (kat[i].ctr, kat[i].key, out);
      CU_ASSERT_EQUAL (memcmp (out, kat[i].want, sizeof out), 0);
    }
}

/* The layout in devices-private.h, derived again here from the raw
 * generator: counter (block, block >> 32 | draw << 16, plane, tensor),
 * key (seed, seed >> 32), Box-Muller on (w + 1/2) 2^-32. */
static void
expected_normals (const CmPhiloxKey *key, guint64 block, double z[4])
{
  guint32 ctr[4] = { (guint32) block,
                     (guint32) (block >> 32) | (key->draw << 16),
                     key->plane, key->tensor };
  guint32 k[2] = { (guint32) key->seed, (guint32) (key->seed >> 32) };
  guint32 w[4];

  cm_philox4x32 (ctr, k, w);
  for (int p = 0; p < 2; p++)
    {
      double u = ((double) w[2 * p] + 0.5) / 4294967296.0;
      double v = ((double) w[2 * p + 1] + 0.5) / 4294967296.0;
      double r = sqrt (-2.0 * log (u));

      z[2 * p] = r * cos (2.0 * G_PI * v);
      z[2 * p + 1] = r * sin (2.0 * G_PI * v);
    }
}

/* The element that word pair k / 2 of @block gives, its cosine for even
 * k and its sine for odd k: the planar layout of a group. */
static guint64
normal_element (guint64 block, unsigned k)
{
  return block / CM_PHILOX_GROUP * 4 * CM_PHILOX_GROUP
         + k * CM_PHILOX_GROUP + block % CM_PHILOX_GROUP;
}

static void
test_layout (void)
{
  const CmPhiloxKey keys[] = {
    { 0, 0, 0, 0 },
    { G_GUINT64_CONSTANT (0x0123456789abcdef), 7, 3, 2 },
    { G_MAXUINT64, G_MAXUINT32, G_MAXUINT32, CM_PHILOX_MAX_DRAWS - 1 },
  };
  const guint64 blocks[] = { 0, 1, 63, 64, 12345, G_GUINT64_CONSTANT (1) << 40,
                             CM_PHILOX_MAX_ELEMENTS / 4 - 1 };

  for (size_t k = 0; k < G_N_ELEMENTS (keys); k++)
    for (size_t b = 0; b < G_N_ELEMENTS (blocks); b++)
      {
        double want[4], group[4 * CM_PHILOX_GROUP];
        guint64 first = normal_element (blocks[b], 0)
                        - blocks[b] % CM_PHILOX_GROUP;

        expected_normals (&keys[k], blocks[b], want);
        cm_philox_normals (&keys[k], first, 4 * CM_PHILOX_GROUP, group);
        for (unsigned lane = 0; lane < 4; lane++)
          {
            guint64 e = normal_element (blocks[b], lane);
            double got;

            CU_ASSERT_DOUBLE_EQUAL (group[e - first], want[lane], NORMAL_TOL);
            /* One element alone is the same bits as in its group. */
            cm_philox_normals (&keys[k], e, 1, &got);
            CU_ASSERT_EQUAL (memcmp (&got, &group[e - first], sizeof got), 0);
          }
      }
}

/* The uniforms' planar layout, bit for bit: two per block, 52 bits each
 * from words (w0, w1) and (w2, w3). */
static void
test_layout_uniforms (void)
{
  const CmPhiloxKey key = { G_GUINT64_CONSTANT (0xfeedface12345678), 9, 4, 1 };
  const guint64 groups[] = { 0, 5, CM_PHILOX_MAX_ELEMENTS / 2 / CM_PHILOX_GROUP - 1 };

  for (size_t g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      double u[2 * CM_PHILOX_GROUP];

      cm_philox_uniforms (&key, groups[g] * 2 * CM_PHILOX_GROUP,
                          2 * CM_PHILOX_GROUP, u);
      for (unsigned j = 0; j < CM_PHILOX_GROUP; j++)
        {
          guint64 block = groups[g] * CM_PHILOX_GROUP + j;
          guint32 ctr[4] = { (guint32) block,
                             (guint32) (block >> 32) | (key.draw << 16),
                             key.plane, key.tensor };
          guint32 kk[2] = { (guint32) key.seed, (guint32) (key.seed >> 32) };
          guint32 w[4];

          cm_philox4x32 (ctr, kk, w);
          for (unsigned p = 0; p < 2; p++)
            {
              guint64 bits = ((guint64) (w[2 * p] & 0xfffffu) << 32)
                             | w[2 * p + 1];

              CU_ASSERT_EQUAL (u[p * CM_PHILOX_GROUP + j],
                               ((double) bits + 0.5) / 4503599627370496.0);
            }
        }
    }
}

/* The branch-free logarithm and sine/cosine that the generator's
 * vectorised Box-Muller uses (unit-math.h) against libm's on a million
 * pairs of words, the extremes included: within NORMAL_TOL. */
static void
test_box_muller_accuracy (void)
{
  const CmPhiloxKey key = { 31337, 1, 2, 3 };
  const size_t n_blocks = N_STAT / 4 / CM_PHILOX_GROUP * CM_PHILOX_GROUP;
  g_autofree double *z = g_new (double, 4 * n_blocks);
  double worst = 0;

  cm_philox_normals (&key, 0, 4 * n_blocks, z);
  for (size_t b = 0; b < n_blocks; b++)
    {
      double want[4];

      expected_normals (&key, b, want);
      for (unsigned i = 0; i < 4; i++)
        worst = MAX (worst, fabs (z[normal_element (b, i)] - want[i]));
    }
  CU_ASSERT_TRUE (worst <= NORMAL_TOL);
  /* The extremes of u = (w + 1/2) 2^-32 and the quarter turns. */
  for (guint32 i = 0; i < 4; i++)
    {
      const guint32 words[] = { 0, 1, 0x7fffffffu, 0xffffffffu };
      double u = ((double) words[i] + 0.5) / 4294967296.0;

      CU_ASSERT_DOUBLE_EQUAL (cm_log_unit (u), log (u),
                              1e-15 * fabs (log (u)));
    }
  CU_ASSERT_EQUAL (cm_log_unit (1.0), 0.0);
  CU_ASSERT_EQUAL (cm_log_unit (0.5), -G_LN2);
  for (int quarter = 0; quarter <= 4; quarter++)
    {
      const double want_cos[] = { 1, 0, -1, 0, 1 };
      const double want_sin[] = { 0, 1, 0, -1, 0 };
      double c, s;

      cm_cos_sin_turn (quarter / 4.0, &c, &s);
      CU_ASSERT_EQUAL (c, want_cos[quarter]);
      CU_ASSERT_EQUAL (s, want_sin[quarter]);
    }
}

/* Streams that differ in any part of the key differ. */
static void
test_streams_differ (void)
{
  const CmPhiloxKey keys[] = {
    { 42, 0, 0, 0 }, { 43, 0, 0, 0 }, { 42, 1, 0, 0 }, { 42, 0, 1, 0 },
    { 42, 0, 0, 1 }, { G_GUINT64_CONSTANT (42) | (G_GUINT64_CONSTANT (1) << 32),
                       0, 0, 0 },
  };
  double z[G_N_ELEMENTS (keys)][8];

  for (size_t k = 0; k < G_N_ELEMENTS (keys); k++)
    cm_philox_normals (&keys[k], 0, 8, z[k]);
  for (size_t a = 0; a < G_N_ELEMENTS (keys); a++)
    for (size_t b = a + 1; b < G_N_ELEMENTS (keys); b++)
      for (size_t i = 0; i < 8; i++)
        CU_ASSERT_NOT_EQUAL (z[a][i], z[b][i]);
}

/* ---- chunking and threads --------------------------------------------------- */

typedef void (*FillFunc) (const CmPhiloxKey *, guint64, size_t, double *);

static void
check_chunking (FillFunc fill_func)
{
  const CmPhiloxKey key = { 2024, 5, 1, 0 };
  const size_t n = 100003;
  const guint64 base = 5;   /* not a block boundary */
  g_autofree double *whole = g_new (double, n);
  g_autofree double *parts = g_new (double, n);
  size_t at = 0, len = 1;

  fill_func (&key, base, n, whole);
  while (at < n)
    {
      size_t take = MIN (len, n - at);

      fill_func (&key, base + at, take, parts + at);
      at += take;
      len = len % 97 + 2;   /* 1, 3, 5, ... odd and even sizes */
    }
  CU_ASSERT_EQUAL (memcmp (whole, parts, n * sizeof (double)), 0);
}

static void
test_chunking_normals (void)
{
  check_chunking (cm_philox_normals);
}

static void
test_chunking_uniforms (void)
{
  check_chunking (cm_philox_uniforms);
}

typedef struct {
  CmPhiloxKey key;
  guint64 base;
  double *out;
  FillFunc fill;
} ThreadJob;

static void
fill_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  ThreadJob *job = data;

  job->fill (&job->key, job->base + begin, end - begin, job->out + begin);
}

static void
check_threads (FillFunc fill_func)
{
  /* Enough elements that cm_run_parallel gives 7 threads their ranges. */
  const size_t n = 7 * 32768 + 4099;
  const unsigned counts[] = { 1, 2, 7 };
  g_autofree double *one = g_new (double, n);
  g_autofree double *many = g_new (double, n);
  ThreadJob job = { { 99, 3, 2, 1 }, 1001, NULL, fill_func };

  fill_func (&job.key, job.base, n, one);
  for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      memset (many, 0, n * sizeof (double));
      job.out = many;
      CU_ASSERT_EQUAL (cm_run_parallel (counts[c], n, fill_work, &job),
                       counts[c]);
      CU_ASSERT_EQUAL (memcmp (one, many, n * sizeof (double)), 0);
    }
}

static void
test_threads_normals (void)
{
  check_threads (cm_philox_normals);
}

static void
test_threads_uniforms (void)
{
  check_threads (cm_philox_uniforms);
}

/* ---- distributions -------------------------------------------------------- */

/* |got - want| <= 5 standard errors: a fixed seed, so this cannot flake,
 * and a real defect (a bias of a few SE) shows. */
#define ASSERT_WITHIN(got, want, se)                                         \
  do {                                                                       \
    if (!(fabs ((got) - (want)) <= 5 * (se)))                                \
      g_printerr ("\n    %s = %.6g, want %.6g +- 5 x %.3g", #got,            \
                  (double) (got), (double) (want), (double) (se));           \
    CU_ASSERT_TRUE (fabs ((got) - (want)) <= 5 * (se));                      \
  } while (0)

static void
test_normal_moments (void)
{
  const CmPhiloxKey key = { 7, 0, 0, 0 };
  const double n = N_STAT;
  g_autofree double *z = g_new (double, N_STAT);
  double sum = 0, sum2 = 0, sum3 = 0, sum4 = 0, inside = 0, pair = 0;

  cm_philox_normals (&key, 0, N_STAT, z);
  for (size_t i = 0; i < N_STAT; i++)
    {
      sum += z[i];
      sum2 += z[i] * z[i];
      sum3 += z[i] * z[i] * z[i];
      sum4 += z[i] * z[i] * z[i] * z[i];
      inside += fabs (z[i]) < 1.0;
      /* The two of one Box-Muller pair: the cosine at lane k G + j of a
       * group (k = 0, 2), the sine G lanes on. */
      if (i % (2 * CM_PHILOX_GROUP) < CM_PHILOX_GROUP
          && i + CM_PHILOX_GROUP < N_STAT)
        pair += z[i] * z[i + CM_PHILOX_GROUP];
    }
  ASSERT_WITHIN (sum / n, 0.0, 1.0 / sqrt (n));
  ASSERT_WITHIN (sum2 / n, 1.0, sqrt (2.0 / n));
  ASSERT_WITHIN (sum3 / n, 0.0, sqrt (15.0 / n));
  ASSERT_WITHIN (sum4 / n, 3.0, sqrt (96.0 / n));
  /* P(|Z| < 1) = erf(1/sqrt 2) */
  ASSERT_WITHIN (inside / n, 0.682689492137086,
                 sqrt (0.682689492137086 * (1 - 0.682689492137086) / n));
  ASSERT_WITHIN (pair / (n / 2), 0.0, 1.0 / sqrt (n / 2));
}

/* The draws of one element are independent: correlation ~ N(0, 1/n). */
static void
test_draws_independent (void)
{
  const double n = N_STAT;
  g_autofree double *a = g_new (double, N_STAT);
  g_autofree double *b = g_new (double, N_STAT);
  double cross = 0;

  cm_philox_normals (&(CmPhiloxKey) { 7, 4, 1, 0 }, 0, N_STAT, a);
  cm_philox_normals (&(CmPhiloxKey) { 7, 4, 1, 1 }, 0, N_STAT, b);
  for (size_t i = 0; i < N_STAT; i++)
    cross += a[i] * b[i];
  ASSERT_WITHIN (cross / n, 0.0, 1.0 / sqrt (n));
  /* Neighbouring planes too. */
  cm_philox_normals (&(CmPhiloxKey) { 7, 4, 2, 0 }, 0, N_STAT, b);
  cross = 0;
  for (size_t i = 0; i < N_STAT; i++)
    cross += a[i] * b[i];
  ASSERT_WITHIN (cross / n, 0.0, 1.0 / sqrt (n));
}

static void
test_uniform_moments (void)
{
  const CmPhiloxKey key = { 11, 2, 0, 3 };
  const double n = N_STAT;
  g_autofree double *u = g_new (double, N_STAT);
  double sum = 0, sum2 = 0, lo = 1, hi = 0, below = 0;

  cm_philox_uniforms (&key, 0, N_STAT, u);
  for (size_t i = 0; i < N_STAT; i++)
    {
      sum += u[i];
      sum2 += (u[i] - 0.5) * (u[i] - 0.5);
      lo = MIN (lo, u[i]);
      hi = MAX (hi, u[i]);
      below += u[i] < 0.1;
    }
  CU_ASSERT_TRUE (lo > 0 && hi < 1);
  ASSERT_WITHIN (sum / n, 0.5, sqrt (1.0 / 12.0 / n));
  /* Var of (u - 1/2)^2 is 1/80 - 1/144. */
  ASSERT_WITHIN (sum2 / n, 1.0 / 12.0, sqrt ((1.0 / 80 - 1.0 / 144) / n));
  ASSERT_WITHIN (below / n, 0.1, sqrt (0.09 / n));
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("philox", NULL, NULL);
  CU_add_test (s, "Random123 known answers", test_known_answers);
  CU_add_test (s, "stream layout: key, counter, Box-Muller", test_layout);
  CU_add_test (s, "uniforms' layout", test_layout_uniforms);
  CU_add_test (s, "every part of the key matters", test_streams_differ);
  CU_add_test (s, "vectorised Box-Muller against libm's",
               test_box_muller_accuracy);

  s = CU_add_suite ("philox chunks and threads", NULL, NULL);
  CU_add_test (s, "normals: one chunk = odd-sized chunks",
               test_chunking_normals);
  CU_add_test (s, "uniforms: one chunk = odd-sized chunks",
               test_chunking_uniforms);
  CU_add_test (s, "normals: 1, 2 and 7 threads alike", test_threads_normals);
  CU_add_test (s, "uniforms: 1, 2 and 7 threads alike",
               test_threads_uniforms);

  s = CU_add_suite ("philox distributions", NULL, NULL);
  CU_add_test (s, "normal moments, P(|z| < 1), Box-Muller pairs",
               test_normal_moments);
  CU_add_test (s, "draws and planes independent", test_draws_independent);
  CU_add_test (s, "uniform moments, open interval", test_uniform_moments);
  return cm_test_run ();
}
