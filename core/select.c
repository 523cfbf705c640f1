/* select.c - the exact p-th percentile of |w|, as NumPy computes it,
 * without sorting anything or copying the tensor.
 *
 * np.percentile (a, p) (method "linear") takes the order statistics at
 * floor (v) and floor (v) + 1 of the virtual index v = (n - 1) p / 100 and
 * interpolates between them.  The order statistics are found by radix
 * selection: for finite x >= 0 the IEEE bit pattern orders as the value,
 * so the pattern of |w| (the sign bit cleared) is a key, and a histogram
 * of its top digit says which bucket holds the rank sought; the next pass
 * counts the next digit among the elements of that bucket only, and so
 * on.  With 16-bit digits that is 2 passes over the data for float32 and
 * 4 for float64 (the sign bit is always 0: 31 and 63 key bits), with a
 * 65536-bucket histogram.  A small set (a channel of at most 2^18
 * elements) gathers its keys once, counting their top 8 bits (the
 * exponent), and after each pass keeps only the keys still in a target's
 * bucket, so that its later passes read a few of them.  Both order
 * statistics are selected in the same passes: while they share the
 * bucket one histogram serves both, after that each has its own.  Nothing
 * is sorted. */
#include <math.h>
#include <string.h>
#include "scaling-private.h"

/* Sets of at most this many elements (a channel) are selected among
 * their keys gathered once (select_small); larger ones by histograms of
 * 16-bit digits over the data itself. */
#define SMALL_SET (1u << 18)
/* A histogram counts at most this many elements in 32-bit counters before
 * they are added to the 64-bit totals. */
#define PIECE ((size_t) 1 << 30)
#define MAX_WORKERS 256

typedef struct {
  CondmapDtype dtype;
  const char *w;
  CmView view;                /* one run, for the parallel split */
  int key_bits;               /* 31 or 63: the sign bit is always 0 */
  int digit;                  /* bits per pass: 8, 11 or 16 */
  int ways;                   /* counters per bucket, used in turn: 1 or 4 */
  int pass;
  guint64 prefix[2];          /* the key bits chosen so far, per target */
  guint64 rank[2];            /* the rank still sought inside the prefix */
  guint64 *hist[2];           /* the totals of this pass, per target */
  GMutex lock;
} Select;

/* The key bits below this pass's digit, and the digit's width (the last
 * pass may have fewer bits). */
static int
pass_shift (const Select *s)
{
  return MAX (s->key_bits - (s->pass + 1) * s->digit, 0);
}

static int
pass_width (const Select *s)
{
  return s->key_bits - s->pass * s->digit - pass_shift (s);
}

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

/* Counts the digit of this pass of elements [at, end) whose higher digits
 * are a target's prefix into that target's counters (c1 NULL: the targets
 * share the prefix).  Element i counts in way i % ways, so that a run of
 * equal digits (weights of one binade share their top bits) does not wait
 * on one counter. */
#define DEFINE_COUNT(S)                                                     \
CM_CLONES static void                                                       \
count_##S (const Select *s, size_t at, size_t end, guint32 *c0,             \
           guint32 *c1)                                                     \
{                                                                           \
  const int width = pass_width (s);                                         \
  const int shift = pass_shift (s), high = shift + width;                   \
  const guint64 mask = (G_GUINT64_CONSTANT (1) << width) - 1;               \
  const size_t way_mask = (size_t) s->ways - 1;                            \
  const guint64 p0 = s->prefix[0], p1 = s->prefix[1];                       \
  const char *w = s->w;                                                     \
                                                                            \
  for (size_t i = at; i < end; i++)                                         \
    {                                                                       \
      guint64 key = key_##S (w, i);                                         \
      guint64 top = key >> high;                                            \
      size_t d = (size_t) ((key >> shift) & mask)                           \
                 + ((i & way_mask) << width);                               \
                                                                            \
      if (top == p0)                                                        \
        c0[d]++;                                                            \
      if (c1 != NULL && top == p1)                                          \
        c1[d]++;                                                            \
    }                                                                       \
}

DEFINE_COUNT (f32)
DEFINE_COUNT (f64)

/* Histograms of the elements of @v, added to h0 (and h1, if not NULL),
 * through 32-bit counters in @scratch (2 * ways * buckets of them). */
static void
histogram (const Select *s, const CmView *v, guint64 *h0, guint64 *h1,
           guint32 *scratch)
{
  size_t buckets = (size_t) 1 << pass_width (s);
  size_t cells = (size_t) s->ways * buckets;
  guint32 *c0 = scratch, *c1 = h1 != NULL ? scratch + cells : NULL;

  for (size_t r = 0; r < v->n_runs; r++)
    for (size_t at = v->first + r * v->step, end = at + v->run; at < end;
         at += MIN (PIECE, end - at))
      {
        memset (scratch, 0, (h1 != NULL ? 2 : 1) * cells * sizeof *scratch);
        if (s->dtype == CONDMAP_DTYPE_FLOAT32)
          count_f32 (s, at, MIN (end, at + PIECE), c0, c1);
        else
          count_f64 (s, at, MIN (end, at + PIECE), c0, c1);
        for (size_t i = 0; i < cells; i += buckets)
          for (size_t b = 0; b < buckets; b++)
            {
              h0[b] += c0[i + b];
              if (h1 != NULL)
                h1[b] += c1[i + b];
            }
      }
}

static guint32 *
new_scratch (const Select *s)
{
  return g_new (guint32, 2 * (size_t) s->ways << s->digit);
}

/* A worker's part of the one run: its own histograms, added to the
 * totals under the lock. */
static void
histogram_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  Select *s = data;
  size_t buckets = (size_t) 1 << pass_width (s);
  gboolean two = s->prefix[0] != s->prefix[1];
  g_autofree guint64 *h = g_new0 (guint64, 2 * buckets);
  g_autofree guint32 *scratch = new_scratch (s);
  CmView v = cm_view_range (s->view.first + begin, s->view.first + end);

  (void) worker;
  histogram (s, &v, h, two ? h + buckets : NULL, scratch);
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
  size_t buckets = (size_t) 1 << pass_width (s), b;
  guint64 below = 0;

  for (b = 0; b + 1 < buckets && below + h[b] <= s->rank[t]; b++)
    below += h[b];
  s->rank[t] -= below;
  s->prefix[t] = (s->prefix[t] << pass_width (s)) | b;
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

/* A small set (a channel): its keys are gathered once into @keys, and
 * after each pass only those still in a target's bucket are kept, so
 * that the later passes read a few of them instead of the whole set. */
static void
select_small (Select *s, const CmView *view, guint64 *keys)
{
  size_t n = 0, buckets = (size_t) 1 << s->digit;
  guint64 *h0 = s->hist[0], *h1 = s->hist[1];
  guint32 c[4][256];

  memset (c, 0, sizeof c);
  for (size_t r = 0; r < view->n_runs; r++)
    for (size_t i = view->first + r * view->step, end = i + view->run;
         i < end; i++, n++)
      {
        keys[n] = s->dtype == CONDMAP_DTYPE_FLOAT32 ? key_f32 (s->w, i)
                                                    : key_f64 (s->w, i);
        c[n & 3][keys[n] >> pass_shift (s)]++;
      }
  for (size_t b = 0; b < buckets; b++)
    h0[b] = (guint64) c[0][b] + c[1][b] + c[2][b] + c[3][b];
  narrow (s, 0, h0);
  narrow (s, 1, h0);
  for (s->pass = 1; s->pass * s->digit < s->key_bits; s->pass++)
    {
      const int shift = pass_shift (s), high = shift + pass_width (s);
      const guint64 mask = (G_GUINT64_CONSTANT (1) << pass_width (s)) - 1;
      const guint64 p0 = s->prefix[0], p1 = s->prefix[1];
      size_t kept = 0;

      memset (h0, 0, buckets * sizeof *h0);
      memset (h1, 0, buckets * sizeof *h1);
      for (size_t i = 0; i < n; i++)
        {
          guint64 key = keys[i], top = key >> high;
          guint64 d = (key >> shift) & mask;

          if (top != p0 && top != p1)
            continue;
          keys[kept++] = key;
          h0[d] += top == p0;
          h1[d] += top == p1;
        }
      n = kept;
      narrow (s, 0, h0);
      narrow (s, 1, h1);
    }
}

/* The order statistics of ranks @k0 <= @k1 of |w| over @view. */
static void
select_pair (Select *s, const CmView *view, unsigned n_workers, guint64 k0,
             guint64 k1, double *v0, double *v1)
{
  size_t n = view->run * view->n_runs;
  g_autofree guint32 *scratch = NULL;
  size_t buckets;

  s->key_bits = s->dtype == CONDMAP_DTYPE_FLOAT32 ? 31 : 63;
  s->digit = n <= SMALL_SET ? 8 : 16;
  s->ways = 1;
  buckets = (size_t) 1 << s->digit;
  s->rank[0] = k0;
  s->rank[1] = k1;
  if (n <= SMALL_SET)
    {
      g_autofree guint64 *keys = g_new (guint64, n);

      s->hist[0] = g_new (guint64, buckets);
      s->hist[1] = g_new (guint64, buckets);
      select_small (s, view, keys);
      g_free (s->hist[0]);
      g_free (s->hist[1]);
      *v0 = key_value (s, s->prefix[0]);
      *v1 = key_value (s, s->prefix[1]);
      return;
    }
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
        {
          if (scratch == NULL)
            scratch = new_scratch (s);
          histogram (s, view, s->hist[0], two ? s->hist[1] : NULL, scratch);
        }
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
