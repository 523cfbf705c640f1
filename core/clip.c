/* clip.c - `clip:`: the threshold each channel (or the tensor) is clipped
 * at, and the clamp the pipeline runs on each chunk before the kernel.
 *
 *   max_abs: x       the threshold is x
 *   sigma: s         s times the sample standard deviation of the weights
 *                    (n - 1 in the denominator; aihwkit's LAYER_GAUSSIAN)
 *   percentile: p    the p-th percentile of |w|, as np.percentile
 *                    (100: the largest |w|, from the statistics)
 *
 * With several, the smallest.  The threshold is computed in double from
 * the weights and rounded once to their dtype, so that clamping is exact
 * in it.  The weights themselves are never copied: the pipeline clamps a
 * chunk at a time into a scratch block (cm_clip_clamp). */
#include <math.h>
#include "scaling-private.h"

#define MAX_WORKERS 256
#define MIN_ELEMENTS_PER_WORKER 32768
/* Elements of a block of the whole tensor's sums. */
#define SUM_BLOCK 65536

typedef struct {
  CondmapDtype dtype;
  const char *w;
  size_t es;
  const CmChannelLayout *layout;
  const CmCoreKeys *keys;
  const CondmapStats *stats;
  double *thresholds;
  double shift;                   /* one channel: what block sums subtract */
  int power;                      /* and the power they raise it to */
  double *blocks;                 /* the sum of each block */
} ClipJob;

/* Sums of x - shift (power 1) or (x - shift)^2 (power 2) over n
 * elements, in double. */
#define DEFINE_SUM(T, S)                                                    \
static double                                                               \
sum_##S (const T *x, size_t n, double shift, int power)                     \
{                                                                           \
  double sum = 0;                                                           \
                                                                            \
  if (power == 1)                                                           \
    for (size_t i = 0; i < n; i++)                                          \
      sum += (double) x[i] - shift;                                         \
  else                                                                      \
    for (size_t i = 0; i < n; i++)                                          \
      {                                                                     \
        double d = (double) x[i] - shift;                                   \
                                                                            \
        sum += d * d;                                                       \
      }                                                                     \
  return sum;                                                               \
}

DEFINE_SUM (float, f32)
DEFINE_SUM (double, f64)

/* Sum of (x - shift)^power over @v, power 1 or 2, in double. */
static double
view_sum (const ClipJob *job, const CmView *v, double shift, int power)
{
  double sum = 0;

  for (size_t r = 0; r < v->n_runs; r++)
    {
      const char *x = job->w + (v->first + r * v->step) * job->es;

      sum += job->dtype == CONDMAP_DTYPE_FLOAT32
             ? sum_f32 ((const float *) x, v->run, shift, power)
             : sum_f64 ((const double *) x, v->run, shift, power);
    }
  return sum;
}

/* s * sample std of @v given its mean, or +inf for a single element
 * (n - 1 = 0: no spread to clip by). */
static double
sigma_threshold (const ClipJob *job, double m2, size_t n)
{
  if (n < 2)
    return INFINITY;
  return job->keys->clip_sigma * sqrt (m2 / (double) (n - 1));
}

/* The smallest of the options, rounded to the dtype.  @sigma_t and
 * @percentile_t are +inf where not asked for (or, for sigma, where a
 * single element has no deviation): if nothing is left, the channel's
 * max |w|, which clips nothing. */
static double
combine (const ClipJob *job, double sigma_t, double percentile_t,
         double abs_max)
{
  double t = INFINITY;

  if (job->keys->clip_max_abs > 0)
    t = job->keys->clip_max_abs;
  t = MIN (t, MIN (sigma_t, percentile_t));
  if (isinf (t))
    t = abs_max;
  if (job->dtype == CONDMAP_DTYPE_FLOAT32)
    t = (float) MIN (t, G_MAXFLOAT);
  return t;
}

/* ---- many channels: whole channels to each worker ----------------------- */

static void
channels_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  ClipJob *job = data;

  (void) worker;
  for (size_t c = begin; c < end; c++)
    {
      CmView v = cm_channel_view (job->layout, c);
      size_t n = v.run * v.n_runs;
      double sigma_t = INFINITY, percentile_t = INFINITY;

      if (job->keys->clip_sigma > 0)
        {
          double mean = view_sum (job, &v, 0, 1) / (double) n;

          sigma_t = sigma_threshold (job, view_sum (job, &v, mean, 2), n);
        }
      if (job->keys->clip_percentile >= 100)
        percentile_t = job->stats[c].abs_max;
      else if (job->keys->clip_percentile > 0)
        percentile_t = cm_select_percentile_abs (job->dtype, job->w, &v,
                                                 job->keys->clip_percentile,
                                                 1);
      job->thresholds[c] = combine (job, sigma_t, percentile_t,
                                    job->stats[c].abs_max);
    }
}

/* ---- one channel: its elements split over the workers ------------------- */

/* A block's sum: blocks of a fixed size, added in their order, so that
 * the threshold does not depend on the number of threads. */
static void
block_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  ClipJob *job = data;

  (void) worker;
  for (size_t b = begin; b < end; b++)
    {
      CmView v = cm_view_range (b * SUM_BLOCK,
                                MIN (job->layout->n, (b + 1) * SUM_BLOCK));

      job->blocks[b] = view_sum (job, &v, job->shift, job->power);
    }
}

static double
ordered_sum (ClipJob *job, unsigned workers, double shift, int power)
{
  size_t n_blocks = (job->layout->n + SUM_BLOCK - 1) / SUM_BLOCK;
  g_autofree double *blocks = g_new (double, n_blocks);
  double sum = 0;

  job->blocks = blocks;
  job->shift = shift;
  job->power = power;
  cm_run_parallel_items (workers, n_blocks, 1, block_work, job);
  for (size_t b = 0; b < n_blocks; b++)
    sum += blocks[b];
  job->blocks = NULL;
  return sum;
}

static void
tensor_threshold (ClipJob *job, unsigned workers)
{
  size_t n = job->layout->n;
  CmView all = cm_view_range (0, n);
  double sigma_t = INFINITY, percentile_t = INFINITY;

  if (job->keys->clip_sigma > 0)
    {
      double mean = ordered_sum (job, workers, 0, 1) / (double) n;

      sigma_t = sigma_threshold (job, ordered_sum (job, workers, mean, 2),
                                 n);
    }
  if (job->keys->clip_percentile >= 100)
    percentile_t = job->stats[0].abs_max;
  else if (job->keys->clip_percentile > 0)
    percentile_t = cm_select_percentile_abs (job->dtype, job->w, &all,
                                             job->keys->clip_percentile,
                                             workers);
  job->thresholds[0] = combine (job, sigma_t, percentile_t,
                                job->stats[0].abs_max);
}

void
cm_clip_thresholds (const CondmapConverter *conv, const CmCoreKeys *keys,
                    const CmChannelLayout *layout, CondmapDtype dtype,
                    const void *weights, const CondmapStats *stats,
                    double *thresholds)
{
  g_autofree ClipJob *job = g_new0 (ClipJob, 1);
  unsigned workers = MIN (MAX_WORKERS,
                          condmap_runtime_get_n_threads (conv->runtime));

  job->dtype = dtype;
  job->w = weights;
  job->es = condmap_dtype_size (dtype);
  job->layout = layout;
  job->keys = keys;
  job->stats = stats;
  job->thresholds = thresholds;
  if (layout->n_channels == 1)
    tensor_threshold (job, workers);
  else
    cm_run_parallel_items (workers, layout->n_channels,
                           MIN_ELEMENTS_PER_WORKER
                           / MAX (layout->run * layout->outer, 1) + 1,
                           channels_work, job);
}

/* ---- the clamp ---------------------------------------------------------- */

#define DEFINE_CLAMP(T, S)                                                  \
CM_CLONES static void                                                       \
clamp_##S (const T *restrict w, size_t n, T t, T *restrict out)             \
{                                                                           \
  const T lo = -t;                                                          \
                                                                            \
  for (size_t i = 0; i < n; i++)                                            \
    {                                                                       \
      T v = w[i];                                                           \
                                                                            \
      v = v < lo ? lo : v;                                                  \
      out[i] = v > t ? t : v;                                               \
    }                                                                       \
}

DEFINE_CLAMP (float, f32)
DEFINE_CLAMP (double, f64)

void
cm_clip_clamp (CondmapDtype dtype, const void *w, size_t n, double t,
               void *out)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    clamp_f32 (w, n, (float) t, out);
  else
    clamp_f64 (w, n, t, out);
}
