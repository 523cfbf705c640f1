/* select.c - the exact p-th percentile of |w|, as NumPy computes it, with
 * neither a sort nor a copy of the weights.
 *
 * np.percentile (a, p) (method "linear") takes the order statistics at
 * floor (v) and floor (v) + 1 of the virtual index v = (n - 1) p / 100 and
 * interpolates between them.  The order statistics are found by radix
 * selection: for finite x >= 0 the IEEE bit pattern orders as the value,
 * so the pattern of |w| (the sign bit cleared) is a key, and a histogram
 * of its top digit says which bucket holds the rank sought; the next pass
 * counts the next digit among the elements of that bucket only, and so
 * on.  With 16-bit digits that is 2 passes over the data for float32 and
 * 4 for float64, with a 65536-bucket histogram; a small set (a channel)
 * uses 8-bit digits, a 256-bucket histogram and twice the passes, which
 * is cheaper than clearing the large one.  Both order statistics are
 * selected in the same passes: while they share the bucket one histogram
 * serves both, after that each has its own. */
#include <math.h>
#include <string.h>
#include "scaling-private.h"

/* Sets at or below this many elements use 8-bit digits. */
#define SMALL_SET (1u << 18)
#define MAX_WORKERS 256

typedef struct {
  CondmapDtype dtype;
  const char *w;
  CmView view;                /* one run, for the parallel split */
  int key_bits;               /* 32 or 64 */
  int digit;                  /* bits per pass: 8 or 16 */
  int pass;
  guint64 prefix[2];          /* the key bits chosen so far, per target */
  guint64 rank[2];            /* the rank still sought inside the prefix */
  guint64 *hist[2];           /* merged histograms (1 << digit buckets) */
  GMutex lock;
} Select;

static inline guint64
key_f32 (const char *w, size_t i)
{
  guint32 bits;

  memcpy (&bits, w + i * sizeof (float), sizeof bits);
  return bits & 0x7fffffffu;
}

static inline guint64
key_f64 (const char *w, size_t i)
{
  guint64 bits;

  memcpy (&bits, w + i * sizeof (double), sizeof bits);
  return bits & G_GUINT64_CONSTANT (0x7fffffffffffffff);
}

/* Counts the digit of this pass of every element of @v whose higher
 * digits are a target's prefix into that target's histogram (h1 NULL:
 * both targets share the prefix). */
#define DEFINE_HISTOGRAM(S)                                                 \
static void                                                                 \
histogram_##S (const Select *s, const CmView *v, guint64 *h0, guint64 *h1)  \
{                                                                           \
  const int shift = s->key_bits - (s->pass + 1) * s->digit;                 \
  const int high = shift + s->digit;                                        \
  const guint64 mask = (G_GUINT64_CONSTANT (1) << s->digit) - 1;            \
                                                                            \
  for (size_t r = 0; r < v->n_runs; r++)                                    \
    {                                                                       \
      size_t at = v->first + r * v->step;                                   \
                                                                            \
      for (size_t i = at; i < at + v->run; i++)                             \
        {                                                                   \
          guint64 key = key_##S (s->w, i);                                  \
          guint64 top = high >= 64 ? 0 : key >> high;                       \
          size_t d = (size_t) ((key >> shift) & mask);                      \
                                                                            \
          if (top == s->prefix[0])                                          \
            h0[d]++;                                                        \
          if (h1 != NULL && top == s->prefix[1])                            \
            h1[d]++;                                                        \
        }                                                                   \
    }                                                                       \
}

DEFINE_HISTOGRAM (f32)
DEFINE_HISTOGRAM (f64)

static void
histogram (const Select *s, const CmView *v, guint64 *h0, guint64 *h1)
{
  if (s->dtype == CONDMAP_DTYPE_FLOAT32)
    histogram_f32 (s, v, h0, h1);
  else
    histogram_f64 (s, v, h0, h1);
}

/* A worker's part of the one run: its own histograms, added to the
 * merged ones under the lock. */
static void
histogram_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  Select *s = data;
  size_t buckets = (size_t) 1 << s->digit;
  gboolean two = s->prefix[0] != s->prefix[1];
  g_autofree guint64 *h = g_new0 (guint64, 2 * buckets);
  CmView v = cm_view_range (s->view.first + begin, s->view.first + end);

  (void) worker;
  histogram (s, &v, h, two ? h + buckets : NULL);
  g_mutex_lock (&s->lock);
  for (int t = 0; t < (two ? 2 : 1); t++)
    for (size_t b = 0; b < buckets; b++)
      s->hist[t][b] += h[t * buckets + b];
  g_mutex_unlock (&s->lock);
}

/* Moves target @t into the bucket of @h that holds its rank. */
static void
narrow (Select *s, int t, const guint64 *h)
{
  size_t buckets = (size_t) 1 << s->digit, b;
  guint64 below = 0;

  for (b = 0; b + 1 < buckets && below + h[b] <= s->rank[t]; b++)
    below += h[b];
  s->rank[t] -= below;
  s->prefix[t] = (s->prefix[t] << s->digit) | b;
}

static double
key_value (const Select *s, guint64 key)
{
  if (s->dtype == CONDMAP_DTYPE_FLOAT32)
    {
      guint32 bits = (guint32) key;
      float f;

      memcpy (&f, &bits, sizeof f);
      return f;
    }
  else
    {
      double d;

      memcpy (&d, &key, sizeof d);
      return d;
    }
}

/* The order statistics of ranks @k0 <= @k1 of |w| over @view. */
static void
select_pair (Select *s, const CmView *view, unsigned n_workers, guint64 k0,
             guint64 k1, double *v0, double *v1)
{
  size_t buckets;

  s->key_bits = s->dtype == CONDMAP_DTYPE_FLOAT32 ? 32 : 64;
  s->digit = view->run * view->n_runs <= SMALL_SET ? 8 : 16;
  buckets = (size_t) 1 << s->digit;
  s->rank[0] = k0;
  s->rank[1] = k1;
  s->hist[0] = g_new (guint64, buckets);
  s->hist[1] = g_new (guint64, buckets);
  for (s->pass = 0; s->pass * s->digit < s->key_bits; s->pass++)
    {
      gboolean two = s->prefix[0] != s->prefix[1];

      memset (s->hist[0], 0, buckets * sizeof (guint64));
      memset (s->hist[1], 0, buckets * sizeof (guint64));
      if (n_workers > 1 && view->n_runs == 1)
        cm_run_parallel (n_workers, view->run, histogram_work, s);
      else
        histogram (s, view, s->hist[0], two ? s->hist[1] : NULL);
      narrow (s, 0, s->hist[0]);
      narrow (s, 1, s->hist[two ? 1 : 0]);
    }
  g_free (s->hist[0]);
  g_free (s->hist[1]);
  *v0 = key_value (s, s->prefix[0]);
  *v1 = key_value (s, s->prefix[1]);
}

double
cm_select_percentile_abs (CondmapDtype dtype, const void *data,
                          const CmView *view, double percentile,
                          unsigned n_workers)
{
  g_autofree Select *s = g_new0 (Select, 1);
  size_t n = view->run * view->n_runs;
  double q = percentile / 100, v, gamma, a, b, diff;
  guint64 prev, next;

  /* NumPy's virtual index of the "linear" method: (n - 1) q. */
  v = (double) (n - 1) * q;
  if (v >= (double) (n - 1))
    prev = next = n - 1;
  else if (v < 0)
    prev = next = 0;
  else
    {
      prev = (guint64) floor (v);
      next = prev + 1;
    }
  gamma = v - floor (v);
  s->dtype = dtype;
  s->w = data;
  s->view = *view;
  g_mutex_init (&s->lock);
  select_pair (s, view, MIN (n_workers, MAX_WORKERS), prev, next, &a, &b);
  g_mutex_clear (&s->lock);
  /* NumPy's _lerp: the difference in the weights' dtype, the rest in
   * double, and from the upper end when gamma >= 0.5. */
  diff = dtype == CONDMAP_DTYPE_FLOAT32 ? (double) ((float) b - (float) a)
                                        : b - a;
  if (prev == next)
    return a;
  if (gamma >= 0.5)
    return b - diff * (1 - gamma);
  return a + diff * gamma;
}
