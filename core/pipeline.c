/* pipeline.c - the two-phase conversion: a statistics pass, the plugin's
 * plan, then the plugin's kernels over chunks on all cores; and the way
 * back.  The core checks what comes in (finite, non-empty) and what the
 * plugin writes (finite, inside [g_min, g_max]).
 *
 * With per-channel scaling (channels.c) the statistics and the plan are
 * per channel, and a chunk never crosses a run of one channel, so each
 * kernel call gets its channel's params row; with `clip:` each chunk is
 * clamped into a scratch block of its worker before the kernel reads it
 * (clip.c).  Per tensor is one channel of one run. */
#include <math.h>
#include <string.h>
#include "scaling-private.h"

/* Bytes of weights and planes one kernel call touches: small enough that
 * the core's check of the planes reads them from L2 (256 KiB and more on
 * current x86-64 and ARM cores), large enough that the streams stay long.
 * condmap bench chose it: on a Zen 5 VM, 128 KiB against the 24 KiB that
 * fits L1 raised the to-conductances ratios by 0.1 to 0.2 of the floor
 * and changed none for the worse. */
#define CHUNK_BYTES 131072
/* Probe size of the generic invertibility check. */
#define PROBE_N 2001
/* More threads than this are not used. */
#define MAX_WORKERS 256

typedef struct {
  gboolean bad;          /* a NaN or Inf was seen */
  size_t bad_index;      /* first non-finite (or out-of-range) element */
  unsigned bad_plane;
} WorkerResult;

typedef struct {
  const CondmapConverter *conv;
  CondmapDtype dtype;
  size_t es;                     /* bytes per element */
  const void *weights;
  void *weights_out;
  const void *const *planes_in;
  void *const *planes_out;
  CmChannelLayout layout;
  const double *params;          /* n_channels rows, param_names order */
  size_t n_params;               /* the row length */
  const double *clip;            /* threshold per channel, or NULL */
  char *clip_scratch;            /* n_workers chunks, when clipping */
  double lo, hi;                 /* accepted plane values */
  gboolean check;                /* check the planes written */
  size_t chunk;                  /* elements per kernel call, at most */
  void **scratch;                /* n_workers * K plane pointers */
  WorkerResult results[MAX_WORKERS];
} Job;

static gboolean
check_dtype (CondmapDtype dtype, GError **error)
{
  if (condmap_dtype_size (dtype) != 0)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "unknown dtype %d: use CONDMAP_DTYPE_FLOAT32 or _FLOAT64",
               (int) dtype);
  return FALSE;
}

static unsigned
n_workers (const CondmapConverter *conv)
{
  return MIN (MAX_WORKERS, condmap_runtime_get_n_threads (conv->runtime));
}

/* ---- the kernels -------------------------------------------------------- */

static void **
worker_planes (Job *job, unsigned worker)
{
  return job->scratch + (size_t) worker * job->conv->n_planes;
}

/* One chunk of a direction: run the kernel on elements [at, at + len) of
 * channel @c, whose planes start at g[k], and check what it wrote. */
typedef void (*ChunkFunc) (Job *job, size_t at, size_t len, size_t c,
                           unsigned worker, void **g, WorkerResult *r);

static void
forward_chunk (Job *job, size_t at, size_t len, size_t c, unsigned worker,
               void **g, WorkerResult *r)
{
  const CondmapConverterOps *d = job->conv->plugin->ops;
  const double *row = job->params + c * job->n_params;
  const void *w = (const char *) job->weights + at * job->es;

  if (job->clip != NULL)
    {
      void *clamped = job->clip_scratch
                      + (size_t) worker * job->chunk * job->es;

      cm_clip_clamp (job->dtype, w, len, job->clip[c], clamped);
      w = clamped;
    }
  if (job->dtype == CONDMAP_DTYPE_FLOAT32)
    d->to_conductances_f32 (job->conv->state, row, w, len,
                            (float *const *) g);
  else
    d->to_conductances_f64 (job->conv->state, row, w, len,
                            (double *const *) g);
  if (job->conv->levels != NULL)
    cm_converter_levels_apply (job->conv->levels, job->dtype,
                               job->conv->n_planes, g, len);
  for (unsigned k = 0; job->check && k < job->conv->n_planes && !r->bad; k++)
    {
      size_t i = cm_find_outside (job->dtype, g[k], len, job->lo, job->hi);
      if (i < len)
        r->bad = TRUE, r->bad_index = at + i, r->bad_plane = k;
    }
}

static void
inverse_chunk (Job *job, size_t at, size_t len, size_t c, unsigned worker,
               void **g, WorkerResult *r)
{
  const CondmapConverterOps *d = job->conv->plugin->ops;
  const double *row = job->params + c * job->n_params;
  char *w = (char *) job->weights_out + at * job->es;
  size_t i;

  (void) worker;
  if (job->dtype == CONDMAP_DTYPE_FLOAT32)
    d->to_weights_f32 (job->conv->state, row, (const float *const *) g, len,
                       (float *) w);
  else
    d->to_weights_f64 (job->conv->state, row, (const double *const *) g,
                       len, (double *) w);
  /* A non-finite conductance always makes its weight non-finite, so
   * checking the output finds bad input too, at a fraction of the cost. */
  i = cm_find_non_finite (job->dtype, w, len);
  if (i < len)
    r->bad = TRUE, r->bad_index = at + i;
}

/* Walks a worker's range chunk by chunk, with the plane pointers offset to
 * each chunk, until the end or the first bad element.  A chunk ends at the
 * end of its channel's run, so that one params row serves it: per tensor
 * the run is the whole array, and for axis 0 a channel is one run. */
static void
each_chunk (Job *job, size_t begin, size_t end, unsigned worker,
            void *const *planes, ChunkFunc func)
{
  size_t run = job->layout.run, C = job->layout.n_channels, len;
  void **g = worker_planes (job, worker);
  WorkerResult *r = &job->results[worker];

  for (size_t at = begin; at < end && !r->bad; at += len)
    {
      size_t run_end = (at / run + 1) * run;

      len = MIN (job->chunk, MIN (end, run_end) - at);
      for (unsigned k = 0; k < job->conv->n_planes; k++)
        g[k] = (char *) planes[k] + at * job->es;
      func (job, at, len, (at / run) % C, worker, g, r);
    }
}

static void
forward_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  Job *job = data;

  each_chunk (job, begin, end, worker, job->planes_out, forward_chunk);
}

static void
inverse_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  Job *job = data;

  /* The kernel only reads the planes; the cast is to share the walk. */
  each_chunk (job, begin, end, worker, (void *const *) job->planes_in,
              inverse_chunk);
}

static Job *
job_new (const CondmapConverter *conv, CondmapDtype dtype)
{
  Job *job = g_new0 (Job, 1);

  job->conv = conv;
  job->dtype = dtype;
  job->es = condmap_dtype_size (dtype);
  job->n_params = conv->plugin->n_params;
  /* A multiple of 64 elements, so chunks start on cache lines. */
  job->chunk = CHUNK_BYTES / ((conv->n_planes + 1) * job->es);
  job->chunk = CLAMP (job->chunk / 64 * 64, 256, 8192);
  job->scratch = g_new0 (void *, (size_t) MAX_WORKERS * conv->n_planes);
  return job;
}

static void
job_free (Job *job)
{
  g_free (job->scratch);
  g_aligned_free (job->clip_scratch);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static void
report_plane_value (const Job *job, const WorkerResult *r, GError **error)
{
  const CondmapConverter *conv = job->conv;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
               "plugin \"%s\" (%s) wrote %s µS to plane %s element %zu, "
               "outside [%g, %g]: a bug in the plugin",
               conv->plugin->desc->name, conv->plugin->path,
               cm_describe_value (job->dtype, job->planes_out[r->bad_plane],
                                  r->bad_index, buf, sizeof buf),
               condmap_converter_get_plane_name (conv, r->bad_plane),
               r->bad_index, job->lo, job->hi);
}

/* Plane values may exceed the bounds by rounding: aihwkit's own outputs do
 * by an ulp, so the check allows a few ulps of g_max. */
static void
set_plane_bounds (Job *job)
{
  double eps = job->dtype == CONDMAP_DTYPE_FLOAT32 ? 1e-5 : 1e-12;

  job->lo = -G_MAXDOUBLE;
  job->hi = G_MAXDOUBLE;
  if (job->conv->has_bounds)
    {
      double slack = eps * MAX (1.0, fabs (job->conv->g_max_us));
      job->lo = job->conv->g_min_us - slack;
      job->hi = job->conv->g_max_us + slack;
    }
}

/* The statistics and plan of every channel (with clip thresholds), then
 * the kernels.  @per_tensor ignores the config's scaling and clip (the
 * invertibility probe). */
static gboolean
convert_forward (const CondmapConverter *conv, CondmapDtype dtype,
                 unsigned rank, const size_t *shape, const void *weights,
                 void *const *planes, gboolean per_tensor,
                 CondmapParams **params_out, GError **error)
{
  static const CmCoreKeys no_keys;
  const CmCoreKeys *keys = per_tensor ? &no_keys : &conv->core;
  g_autoptr (Job) job = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autofree CondmapStats *stats = NULL;
  g_autofree double *thresholds = NULL;
  g_autofree double *values = NULL;
  size_t C;
  unsigned used;

  if (!check_dtype (dtype, error))
    return FALSE;
  job = job_new (conv, dtype);
  if (!cm_channel_layout_init (&job->layout, conv, per_tensor, rank, shape,
                       job->es, error))
    return FALSE;
  if (job->layout.n == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the weight array is empty: there is nothing to convert");
      return FALSE;
    }
  C = job->layout.n_channels;
  stats = g_new0 (CondmapStats, C);
  if (cm_core_keys_clip (keys))
    thresholds = g_new (double, C);
  if (!cm_channel_stats (conv, keys, &job->layout, dtype, weights, stats,
                         thresholds, error)
      || (values = cm_plan_channels (conv, stats, C, thresholds, &params,
                                     error)) == NULL)
    return FALSE;
  job->weights = weights;
  job->params = values;
  job->clip = thresholds;
  if (thresholds != NULL)
    job->clip_scratch = g_aligned_alloc (n_workers (conv),
                                         job->chunk * job->es, 64);
  job->planes_out = planes;
  set_plane_bounds (job);
  job->check = condmap_runtime_get_output_check (conv->runtime);
  used = cm_run_parallel (n_workers (conv), job->layout.n, forward_work, job);
  for (unsigned w = 0; w < used; w++)
    if (job->results[w].bad)
      {
        report_plane_value (job, &job->results[w], error);
        return FALSE;
      }
  if (params_out != NULL)
    *params_out = g_steal_pointer (&params);
  return TRUE;
}

gboolean
cm_converter_map_per_tensor (const CondmapConverter *conv, CondmapDtype dtype,
                             const void *weights, size_t n,
                             void *const *planes, CondmapParams **params_out,
                             GError **error)
{
  return convert_forward (conv, dtype, 1, &n, weights, planes, TRUE,
                          params_out, error);
}

/* The flat API has no shape, which per-channel scaling needs. */
static gboolean
refuse_per_channel (const CondmapConverter *conv, const char *shaped,
                    GError **error)
{
  if (!conv->core.per_channel)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "converter '%s' scales per channel ('scaling: {per: "
               "channel}'), which needs the weights' shape: call %s() with "
               "it", condmap_converter_get_name (conv), shaped);
  return FALSE;
}

gboolean
condmap_converter_to_conductances_shaped (const CondmapConverter *conv,
                                          CondmapDtype dtype, unsigned rank,
                                          const size_t *shape,
                                          const void *weights,
                                          void *const *planes,
                                          CondmapParams **params_out,
                                          GError **error)
{
  g_return_val_if_fail (rank == 0 || shape != NULL, FALSE);
  return convert_forward (conv, dtype, rank, shape, weights, planes, FALSE,
                          params_out, error);
}

gboolean
condmap_converter_to_conductances (const CondmapConverter *conv,
                                   CondmapDtype dtype, const void *weights,
                                   size_t n, void *const *planes,
                                   CondmapParams **params_out, GError **error)
{
  if (!refuse_per_channel (conv, "condmap_converter_to_conductances_shaped",
                           error))
    return FALSE;
  return convert_forward (conv, dtype, 1, &n, weights, planes, FALSE,
                          params_out, error);
}

static void
report_inverse (const Job *job, size_t i, GError **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (unsigned k = 0; k < job->conv->n_planes; k++)
    if (cm_find_non_finite (job->dtype,
                            (const char *) job->planes_in[k] + i * job->es,
                            1) == 0)
      {
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                     "conductance plane %s element %zu is %s: conductances "
                     "must be finite",
                     condmap_converter_get_plane_name (job->conv, k), i,
                     cm_describe_value (job->dtype, job->planes_in[k], i, buf,
                                        sizeof buf));
        return;
      }
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "weight element %zu came out as %s: are the params right for "
               "these planes?", i,
               cm_describe_value (job->dtype, job->weights_out, i, buf,
                                  sizeof buf));
}

static gboolean
convert_back (const CondmapConverter *conv, CondmapDtype dtype, unsigned rank,
              const size_t *shape, const void *const *planes,
              gboolean per_tensor, const CondmapParams *params,
              void *weights, GError **error)
{
  g_autoptr (Job) job = NULL;
  g_autofree double *values = NULL;
  unsigned used;

  if (!check_dtype (dtype, error))
    return FALSE;
  job = job_new (conv, dtype);
  if (!cm_channel_layout_init (&job->layout, conv, per_tensor, rank, shape,
                               job->es, error))
    return FALSE;
  /* Params are checked even when there is nothing to convert. */
  values = cm_params_to_rows (conv, params, job->layout.n == 0
                              ? condmap_params_get_n_rows (params)
                              : job->layout.n_channels, error);
  if (values == NULL)
    return FALSE;
  if (job->layout.n == 0)
    return TRUE;
  job->planes_in = planes;
  job->weights_out = weights;
  job->params = values;
  used = cm_run_parallel (n_workers (conv), job->layout.n, inverse_work, job);
  for (unsigned w = 0; w < used; w++)
    if (job->results[w].bad)
      {
        report_inverse (job, job->results[w].bad_index, error);
        return FALSE;
      }
  return TRUE;
}

gboolean
condmap_converter_to_weights_shaped (const CondmapConverter *conv,
                                     CondmapDtype dtype, unsigned rank,
                                     const size_t *shape,
                                     const void *const *planes,
                                     const CondmapParams *params,
                                     void *weights, GError **error)
{
  g_return_val_if_fail (rank == 0 || shape != NULL, FALSE);
  return convert_back (conv, dtype, rank, shape, planes, FALSE, params,
                       weights, error);
}

gboolean
condmap_converter_to_weights (const CondmapConverter *conv, CondmapDtype dtype,
                              const void *const *planes, size_t n,
                              const CondmapParams *params, void *weights,
                              GError **error)
{
  if (!refuse_per_channel (conv, "condmap_converter_to_weights_shaped",
                           error))
    return FALSE;
  return convert_back (conv, dtype, 1, &n, planes, FALSE, params, weights,
                       error);
}

/* ---- invertibility ------------------------------------------------------ */

gboolean
condmap_converter_check_invertible (const CondmapConverter *conv,
                                    double *max_error, GError **error)
{
  return condmap_converter_check_round_trip (conv,
                                             CONDMAP_ROUND_TRIP_TOLERANCE,
                                             max_error, error);
}

gboolean
condmap_converter_check_round_trip (const CondmapConverter *conv,
                                    double tolerance, double *max_error,
                                    GError **error)
{
  unsigned K = conv->n_planes;
  g_autofree double *w = g_new (double, PROBE_N);
  g_autofree double *back = g_new (double, PROBE_N);
  g_autofree double *g = g_new (double, (size_t) K * PROBE_N);
  g_autofree void **planes = g_new (void *, K);
  g_autoptr (CondmapParams) params = NULL;
  double worst = 0;
  size_t worst_i = 0, probe_n = PROBE_N;

  g_return_val_if_fail (conv != NULL, FALSE);
  g_return_val_if_fail (isfinite (tolerance) && tolerance >= 0, FALSE);

  for (size_t i = 0; i < PROBE_N; i++)
    w[i] = -1.0 + 2.0 * (double) i / (PROBE_N - 1);
  for (unsigned k = 0; k < K; k++)
    planes[k] = g + (size_t) k * PROBE_N;
  if (!convert_forward (conv, CONDMAP_DTYPE_FLOAT64, 1, &probe_n, w, planes,
                        TRUE, &params, error)
      || !convert_back (conv, CONDMAP_DTYPE_FLOAT64, 1, &probe_n,
                        (const void *const *) planes, TRUE, params, back,
                        error))
    return FALSE;
  for (size_t i = 0; i < PROBE_N; i++)
    if (fabs (back[i] - w[i]) > worst)
      worst = fabs (back[i] - w[i]), worst_i = i;
  if (max_error != NULL)
    *max_error = worst;
  if (worst > tolerance)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_NOT_INVERTIBLE,
                   "converter '%s' does not round-trip: weight %g comes back "
                   "as %g (error %.3g of max |w|, limit %g)",
                   condmap_converter_get_name (conv), w[worst_i],
                   back[worst_i], worst, tolerance);
      return FALSE;
    }
  return TRUE;
}
