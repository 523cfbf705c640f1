/* channels.c - per-channel scaling: where each channel's elements lie in
 * a C-ordered array, and the statistics of each channel that its plan is
 * made from.
 *
 * Channel c along axis a is every element whose index along a is c.  In
 * C order that is outer = prod (shape[:a]) runs of run = prod (shape[a+1:])
 * contiguous elements, n_channels * run apart: for axis 0 one block per
 * channel, for the last axis single elements.  Per tensor is the same
 * with one channel of one run, so one code path serves both. */
#include <math.h>
#include <string.h>
#include "scaling-private.h"

/* More threads than this are not used (as the pipeline). */
#define MAX_WORKERS 256
/* Elements below which a thread costs more than it saves. */
#define MIN_ELEMENTS_PER_WORKER 32768

/* ---- layout ------------------------------------------------------------- */

static gboolean
refuse_axis (const CondmapConverter *conv, unsigned rank, const size_t *shape,
             GError **error)
{
  g_autofree char *text = condmap_shape_to_string (rank, shape);

  if (rank == 0)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                 "scaling axis %d does not exist in weights of rank 0 (a "
                 "scalar, shape ()): scale a scalar per tensor",
                 conv->core.axis);
  else
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                 "scaling axis %d does not exist in weights of rank %u "
                 "(shape %s): use an axis in [-%u, %u] in 'scaling'",
                 conv->core.axis, rank, text, rank, rank - 1);
  return FALSE;
}

gboolean
cm_channel_layout_init (CmChannelLayout *layout,
                        const CondmapConverter *conv, gboolean per_tensor,
                        unsigned rank, const size_t *shape, size_t elem_size,
                        GError **error)
{
  gint axis = conv->core.axis;
  size_t n;

  if (!cm_shape_product (rank, shape, elem_size, &n, error))
    return FALSE;
  layout->n = n;
  layout->n_channels = 1;
  layout->run = n;
  layout->outer = 1;
  if (per_tensor || !conv->core.per_channel)
    return TRUE;
  if (axis < 0)
    axis += (gint) rank;
  if (axis < 0 || axis >= (gint) rank)
    return refuse_axis (conv, rank, shape, error);
  layout->n_channels = shape[axis];
  layout->run = 1;
  for (unsigned i = axis + 1; i < rank; i++)
    layout->run *= shape[i];
  for (gint i = 0; i < axis; i++)
    layout->outer *= shape[i];
  return TRUE;
}

CmView
cm_channel_view (const CmChannelLayout *layout, size_t c)
{
  CmView v = { c * layout->run, layout->run,
               layout->n_channels * layout->run, layout->outer };

  return v;
}

CmView
cm_view_range (size_t begin, size_t end)
{
  CmView v = { begin, end - begin, end - begin, 1 };

  return v;
}

/* ---- statistics --------------------------------------------------------- */

typedef struct {
  CondmapDtype dtype;
  const char *w;
  size_t es;
  const CmChannelLayout *layout;
  CondmapStats *stats;            /* per channel (channel-parallel) */
  double min[MAX_WORKERS];        /* per worker (one channel) */
  double max[MAX_WORKERS];
  gboolean bad[MAX_WORKERS];
} StatsJob;

/* Min and max of the elements of @v, merged into *min and *max; *bad if
 * any is NaN or Inf. */
static void
scan_view (const StatsJob *job, const CmView *v, double *min, double *max,
           gboolean *bad)
{
  for (size_t r = 0; r < v->n_runs && v->run > 0; r++)
    {
      double lo, hi;
      gboolean b;

      cm_scan_stats (job->dtype, job->w + (v->first + r * v->step) * job->es,
                     v->run, &lo, &hi, &b);
      *min = MIN (*min, lo);
      *max = MAX (*max, hi);
      *bad = *bad || b;
    }
}

/* One channel: its elements split over the workers. */
static void
tensor_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  StatsJob *job = data;
  CmView v = cm_view_range (begin, end);

  job->min[worker] = INFINITY;
  job->max[worker] = -INFINITY;
  job->bad[worker] = FALSE;
  scan_view (job, &v, &job->min[worker], &job->max[worker],
             &job->bad[worker]);
}

/* Many channels: whole channels to each worker. */
static void
channels_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  StatsJob *job = data;
  gboolean bad = FALSE;

  for (size_t c = begin; c < end; c++)
    {
      CmView v = cm_channel_view (job->layout, c);

      job->stats[c].min = INFINITY;
      job->stats[c].max = -INFINITY;
      scan_view (job, &v, &job->stats[c].min, &job->stats[c].max, &bad);
    }
  job->bad[worker] = bad;
}

static unsigned
n_workers (const CondmapConverter *conv)
{
  return MIN (MAX_WORKERS, condmap_runtime_get_n_threads (conv->runtime));
}

/* Scans the weights into stats[].min and .max; FALSE if any is not
 * finite. */
static gboolean
scan_channels (const CondmapConverter *conv, StatsJob *job)
{
  const CmChannelLayout *l = job->layout;
  unsigned used;

  if (l->n_channels == 1)
    {
      used = cm_run_parallel (n_workers (conv), l->n, tensor_work, job);
      job->stats[0].min = INFINITY;
      job->stats[0].max = -INFINITY;
      for (unsigned w = 0; w < used; w++)
        {
          job->stats[0].min = MIN (job->stats[0].min, job->min[w]);
          job->stats[0].max = MAX (job->stats[0].max, job->max[w]);
        }
    }
  else
    used = cm_run_parallel_items (n_workers (conv), l->n_channels,
                                  MIN_ELEMENTS_PER_WORKER
                                  / MAX (l->run * l->outer, 1) + 1,
                                  channels_work, job);
  for (unsigned w = 0; w < used; w++)
    if (job->bad[w])
      return FALSE;
  return TRUE;
}

/* Clipping is monotonic: the clipped weights' min and max are the
 * unclipped ones clamped to the threshold, with no second pass. */
static void
apply_clip (CondmapStats *s, double t)
{
  s->min = CLAMP (s->min, -t, t);
  s->max = CLAMP (s->max, -t, t);
  s->abs_max = MAX (fabs (s->min), fabs (s->max));
  s->range_max = t;
}

gboolean
cm_channel_stats (const CondmapConverter *conv, const CmCoreKeys *keys,
                  const CmChannelLayout *layout, CondmapDtype dtype,
                  const void *weights, CondmapStats *stats,
                  double *thresholds, GError **error)
{
  g_autofree StatsJob *job = g_new0 (StatsJob, 1);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  job->dtype = dtype;
  job->w = weights;
  job->es = condmap_dtype_size (dtype);
  job->layout = layout;
  job->stats = stats;
  if (!scan_channels (conv, job))
    {
      size_t i = cm_find_non_finite (dtype, weights, layout->n);

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "weight element %zu (flat index, C order) is %s: "
                   "weights must be finite", i,
                   cm_describe_value (dtype, weights, i, buf, sizeof buf));
      return FALSE;
    }
  for (size_t c = 0; c < layout->n_channels; c++)
    {
      stats[c].struct_size = sizeof (CondmapStats);
      stats[c].dtype = dtype;
      stats[c].n = layout->outer * layout->run;
      stats[c].abs_max = MAX (fabs (stats[c].min), fabs (stats[c].max));
      stats[c].range_max = stats[c].abs_max;
    }
  if (!cm_core_keys_clip (keys))
    return TRUE;
  cm_clip_thresholds (conv, keys, layout, dtype, weights, stats, thresholds);
  for (size_t c = 0; c < layout->n_channels; c++)
    apply_clip (&stats[c], thresholds[c]);
  return TRUE;
}

gboolean
condmap_converter_get_channels (const CondmapConverter *conv, unsigned rank,
                                const size_t *shape, size_t *n_channels,
                                size_t *run, GError **error)
{
  CmChannelLayout layout;

  g_return_val_if_fail (conv != NULL && (rank == 0 || shape != NULL), FALSE);
  if (!cm_channel_layout_init (&layout, conv, FALSE, rank, shape, 1, error))
    return FALSE;
  if (n_channels != NULL)
    *n_channels = layout.n_channels;
  if (run != NULL)
    *run = layout.run;
  return TRUE;
}
