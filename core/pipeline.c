/* pipeline.c - the two-phase conversion: a statistics pass, the plugin's
 * plan, then the plugin's kernels over chunks on all cores; and the way
 * back.  The core checks what comes in (finite, non-empty) and what the
 * plugin writes (finite, inside [g_min, g_max]). */
#include <math.h>
#include <string.h>
#include "condmap-private.h"

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
  double min;
  double max;
  gboolean bad;          /* a NaN or Inf was seen */
  size_t bad_index;      /* first non-finite (or out-of-range) element */
  unsigned bad_plane;
} WorkerResult;

typedef struct {
  const CondmapConverter *conv;
  CondmapDtype dtype;
  const void *weights;
  void *weights_out;
  const void *const *planes_in;
  void *const *planes_out;
  size_t n;
  const double *params;           /* in the order of param_names */
  double lo, hi;                 /* accepted plane values */
  gboolean check;                /* check the planes written */
  size_t chunk;                  /* elements per kernel call */
  void **scratch;                /* n_workers * K plane pointers */
  WorkerResult results[MAX_WORKERS];
} Job;

/* ---- plane checks ---------------------------------------------------------- */

/* Index of the first element outside [lo, hi] (NaN included), or n.  The
 * first loop is branch-free so it vectorises; only a failure rescans.
 * '&' rather than '&&' keeps it free of branches. */
#define DEFINE_OUTSIDE(T, U, S)                                             \
CM_CLONES static size_t                                                     \
find_outside_##S (const T *g, size_t n, T lo, T hi)                         \
{                                                                           \
  U bad = 0;                                                                \
  for (size_t i = 0; i < n; i++)                                            \
    bad |= !((g[i] >= lo) & (g[i] <= hi));                                  \
  if (!bad)                                                                 \
    return n;                                                               \
  for (size_t i = 0; i < n; i++)                                            \
    if (!((g[i] >= lo) & (g[i] <= hi)))                                     \
      return i;                                                             \
  return n;                                                                 \
}

/* The flag has the element's width, so the loop vectorises for both. */
DEFINE_OUTSIDE (float, gint32, f32)
DEFINE_OUTSIDE (double, gint64, f64)

static size_t
find_outside (CondmapDtype dtype, const void *g, size_t n, double lo, double hi)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    return find_outside_f32 (g, n, (float) MAX (lo, -G_MAXFLOAT),
                             (float) MIN (hi, G_MAXFLOAT));
  return find_outside_f64 (g, n, lo, hi);
}

/* Index of the first NaN or Inf, or n.  x - x is +0 for every finite x
 * and NaN otherwise, so OR-ing its bits finds a non-finite element in two
 * instructions a vector (the compiler may not fold x - x: NaN and Inf are
 * honoured here). */
#define DEFINE_NON_FINITE(T, U, S)                                          \
CM_CLONES static size_t                                                     \
find_non_finite_##S (const T *g, size_t n)                                  \
{                                                                           \
  U acc = 0;                                                                \
  for (size_t i = 0; i < n; i++)                                            \
    {                                                                       \
      const T z = g[i] - g[i];                                              \
      U bits;                                                               \
      memcpy (&bits, &z, sizeof bits);                                      \
      acc |= bits;                                                          \
    }                                                                       \
  if (acc == 0)                                                             \
    return n;                                                               \
  for (size_t i = 0; i < n; i++)                                            \
    if (!isfinite (g[i]))                                                   \
      return i;                                                             \
  return n;                                                                 \
}

DEFINE_NON_FINITE (float, guint32, f32)
DEFINE_NON_FINITE (double, guint64, f64)

static size_t
find_non_finite (CondmapDtype dtype, const void *g, size_t n)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    return find_non_finite_f32 (g, n);
  return find_non_finite_f64 (g, n);
}

static const char *
describe_value (CondmapDtype dtype, const void *data, size_t i, char *buf,
                size_t len)
{
  double v = dtype == CONDMAP_DTYPE_FLOAT32 ? ((const float *) data)[i]
                                            : ((const double *) data)[i];
  if (isnan (v))
    return "NaN";
  if (isinf (v))
    return v > 0 ? "Inf" : "-Inf";
  return g_ascii_formatd (buf, len, "%.9g", v);
}

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

/* ---- phase 1: statistics ------------------------------------------------- */

static void
stats_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  Job *job = data;
  WorkerResult *r = &job->results[worker];
  size_t es = condmap_dtype_size (job->dtype);
  const char *w = (const char *) job->weights + begin * es;

  r->min = INFINITY;
  r->max = -INFINITY;
  if (end > begin)
    cm_scan_stats (job->dtype, w, end - begin, &r->min, &r->max, &r->bad);
}

static gboolean
compute_stats (Job *job, CondmapStats *stats, GError **error)
{
  unsigned used = cm_run_parallel (n_workers (job->conv), job->n, stats_work, job);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  stats->struct_size = sizeof (CondmapStats);
  stats->dtype = job->dtype;
  stats->n = job->n;
  stats->min = INFINITY;
  stats->max = -INFINITY;
  for (unsigned w = 0; w < used; w++)
    {
      if (job->results[w].bad)
        {
          size_t i = find_non_finite (job->dtype, job->weights, job->n);
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "weight element %zu (flat index, C order) is %s: "
                       "weights must be finite", i,
                       describe_value (job->dtype, job->weights, i, buf,
                                       sizeof buf));
          return FALSE;
        }
      stats->min = MIN (stats->min, job->results[w].min);
      stats->max = MAX (stats->max, job->results[w].max);
    }
  stats->abs_max = MAX (fabs (stats->min), fabs (stats->max));
  stats->range_max = stats->abs_max;
  return TRUE;
}

/* ---- params ----------------------------------------------------------------- */

/* The params as the kernels read them: an array in the order of the
 * plugin's param_names.  Everything must be there and finite: a sidecar
 * edited by hand or a plugin's plan() may have left a hole.  Free the
 * result with g_free(). */
static double *
params_to_array (const CondmapConverter *conv, const CondmapParams *params,
                 GError **error)
{
  const char *const *names = conv->plugin->ops->param_names;
  g_autofree double *values = g_new (double, conv->plugin->n_params + 1);

  for (size_t i = 0; names[i] != NULL; i++)
    {
      if (!condmap_params_has (params, names[i]))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "converter '%s' needs the param '%s', which is "
                       "missing", condmap_converter_get_name (conv), names[i]);
          return NULL;
        }
      values[i] = condmap_params_get (params, names[i]);
      if (!isfinite (values[i]))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "param '%s' of converter '%s' is not finite",
                       names[i], condmap_converter_get_name (conv));
          return NULL;
        }
    }
  return g_steal_pointer (&values);
}

/* Runs the plugin's plan() into a params array (returned, g_free()) and
 * the named params object (*params_out). */
static double *
plan (const CondmapConverter *conv, const CondmapStats *stats,
      CondmapParams **params_out, GError **error)
{
  const CmPlugin *p = conv->plugin;
  g_autofree double *values = g_new (double, p->n_params + 1);
  g_autoptr (CondmapParams) params = condmap_params_new ();
  CondmapContext ctx;
  int ok;

  for (size_t i = 0; i <= p->n_params; i++)
    values[i] = NAN;
  cm_context_init (&ctx, p, NULL, NULL);
  ctx.origin = conv->origin;
  ctx.key_lines = conv->key_lines;
  ok = p->ops->plan (conv->state, stats, values, &ctx);
  if (!ok || ctx.error != NULL)
    {
      if (ctx.error == NULL)
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "plugin \"%s\" could not plan the conversion and did "
                     "not say why", p->desc->name);
      else
        g_propagate_error (error, g_steal_pointer (&ctx.error));
      cm_context_clear (&ctx);
      return NULL;
    }
  cm_context_clear (&ctx);
  for (size_t i = 0; i < p->n_params; i++)
    {
      if (!isfinite (values[i]))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                       "plugin \"%s\" plan(): param '%s' is %s: a bug in "
                       "the plugin", p->desc->name, p->ops->param_names[i],
                       isnan (values[i]) ? "not set or NaN" : "infinite");
          return NULL;
        }
      condmap_params_set (params, p->ops->param_names[i], values[i]);
    }
  *params_out = g_steal_pointer (&params);
  return g_steal_pointer (&values);
}

/* ---- phase 2: the kernels ------------------------------------------------ */

static void **
worker_planes (Job *job, unsigned worker)
{
  return job->scratch + (size_t) worker * job->conv->n_planes;
}

/* One chunk of a direction: run the kernel on elements [at, at + len),
 * whose planes start at g[k], and check what it wrote. */
typedef void (*ChunkFunc) (Job *job, size_t at, size_t len, void **g,
                           WorkerResult *r);

static void
forward_chunk (Job *job, size_t at, size_t len, void **g, WorkerResult *r)
{
  const CondmapConverterOps *d = job->conv->plugin->ops;
  const char *w = (const char *) job->weights
                  + at * condmap_dtype_size (job->dtype);

  if (job->dtype == CONDMAP_DTYPE_FLOAT32)
    d->to_conductances_f32 (job->conv->state, job->params,
                            (const float *) w, len, (float *const *) g);
  else
    d->to_conductances_f64 (job->conv->state, job->params,
                            (const double *) w, len, (double *const *) g);
  if (job->conv->levels != NULL)
    cm_converter_levels_apply (job->conv->levels, job->dtype,
                               job->conv->n_planes, g, len);
  for (unsigned k = 0; job->check && k < job->conv->n_planes && !r->bad; k++)
    {
      size_t i = find_outside (job->dtype, g[k], len, job->lo, job->hi);
      if (i < len)
        r->bad = TRUE, r->bad_index = at + i, r->bad_plane = k;
    }
}

static void
inverse_chunk (Job *job, size_t at, size_t len, void **g, WorkerResult *r)
{
  const CondmapConverterOps *d = job->conv->plugin->ops;
  char *w = (char *) job->weights_out + at * condmap_dtype_size (job->dtype);
  size_t i;

  if (job->dtype == CONDMAP_DTYPE_FLOAT32)
    d->to_weights_f32 (job->conv->state, job->params,
                       (const float *const *) g, len, (float *) w);
  else
    d->to_weights_f64 (job->conv->state, job->params,
                       (const double *const *) g, len, (double *) w);
  /* A non-finite conductance always makes its weight non-finite, so
   * checking the output finds bad input too, at a fraction of the cost. */
  i = find_non_finite (job->dtype, w, len);
  if (i < len)
    r->bad = TRUE, r->bad_index = at + i;
}

/* Walks a worker's range chunk by chunk, with the plane pointers offset to
 * each chunk, until the end or the first bad element. */
static void
each_chunk (Job *job, size_t begin, size_t end, unsigned worker,
            void *const *planes, ChunkFunc func)
{
  size_t es = condmap_dtype_size (job->dtype);
  void **g = worker_planes (job, worker);
  WorkerResult *r = &job->results[worker];

  for (size_t at = begin; at < end && !r->bad; at += job->chunk)
    {
      for (unsigned k = 0; k < job->conv->n_planes; k++)
        g[k] = (char *) planes[k] + at * es;
      func (job, at, MIN (job->chunk, end - at), g, r);
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
job_new (const CondmapConverter *conv, CondmapDtype dtype, size_t n)
{
  Job *job = g_new0 (Job, 1);

  job->conv = conv;
  job->dtype = dtype;
  job->n = n;
  /* A multiple of 64 elements, so chunks start on cache lines. */
  job->chunk = CHUNK_BYTES / ((conv->n_planes + 1) * condmap_dtype_size (dtype));
  job->chunk = CLAMP (job->chunk / 64 * 64, 256, 8192);
  job->scratch = g_new0 (void *, (size_t) MAX_WORKERS * conv->n_planes);
  return job;
}

static void
job_free (Job *job)
{
  g_free (job->scratch);
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
               describe_value (job->dtype, job->planes_out[r->bad_plane],
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

gboolean
condmap_converter_to_conductances (const CondmapConverter *conv,
                                   CondmapDtype dtype, const void *weights,
                                   size_t n, void *const *planes,
                                   CondmapParams **params_out, GError **error)
{
  g_autoptr (Job) job = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autofree double *values = NULL;
  CondmapStats stats;
  unsigned used;

  if (!check_dtype (dtype, error))
    return FALSE;
  if (n == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the weight array is empty: there is nothing to convert");
      return FALSE;
    }
  job = job_new (conv, dtype, n);
  job->weights = weights;
  if (!compute_stats (job, &stats, error))
    return FALSE;
  values = plan (conv, &stats, &params, error);
  if (values == NULL)
    return FALSE;
  memset (job->results, 0, sizeof job->results);
  job->params = values;
  job->planes_out = planes;
  set_plane_bounds (job);
  job->check = condmap_runtime_get_output_check (conv->runtime);
  used = cm_run_parallel (n_workers (conv), n, forward_work, job);
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

static void
report_inverse (const Job *job, size_t i, GError **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (unsigned k = 0; k < job->conv->n_planes; k++)
    if (find_non_finite (job->dtype,
                         (const char *) job->planes_in[k]
                           + i * condmap_dtype_size (job->dtype), 1) == 0)
      {
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                     "conductance plane %s element %zu is %s: conductances "
                     "must be finite",
                     condmap_converter_get_plane_name (job->conv, k), i,
                     describe_value (job->dtype, job->planes_in[k], i, buf,
                                     sizeof buf));
        return;
      }
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "weight element %zu came out as %s: are the params right for "
               "these planes?", i,
               describe_value (job->dtype, job->weights_out, i, buf, sizeof buf));
}

gboolean
condmap_converter_to_weights (const CondmapConverter *conv, CondmapDtype dtype,
                              const void *const *planes, size_t n,
                              const CondmapParams *params, void *weights,
                              GError **error)
{
  g_autoptr (Job) job = NULL;
  g_autofree double *values = NULL;
  unsigned used;

  if (!check_dtype (dtype, error))
    return FALSE;
  values = params_to_array (conv, params, error);
  if (values == NULL)
    return FALSE;
  if (n == 0)
    return TRUE;
  job = job_new (conv, dtype, n);
  job->planes_in = planes;
  job->weights_out = weights;
  job->params = values;
  used = cm_run_parallel (n_workers (conv), n, inverse_work, job);
  for (unsigned w = 0; w < used; w++)
    if (job->results[w].bad)
      {
        report_inverse (job, job->results[w].bad_index, error);
        return FALSE;
      }
  return TRUE;
}

/* ---- invertibility ----------------------------------------------------------- */

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
  size_t worst_i = 0;

  g_return_val_if_fail (conv != NULL, FALSE);
  g_return_val_if_fail (isfinite (tolerance) && tolerance >= 0, FALSE);

  for (size_t i = 0; i < PROBE_N; i++)
    w[i] = -1.0 + 2.0 * (double) i / (PROBE_N - 1);
  for (unsigned k = 0; k < K; k++)
    planes[k] = g + (size_t) k * PROBE_N;
  if (!condmap_converter_to_conductances (conv, CONDMAP_DTYPE_FLOAT64, w,
                                          PROBE_N, planes, &params, error)
      || !condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT64,
                                        (const void *const *) planes, PROBE_N,
                                        params, back, error))
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
