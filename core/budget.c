/* budget.c - the error budget of a scheme on a device: how much of the
 * weights a conversion, then programming, drift and read noise lose, at
 * each inference time, over independent trials.
 *
 * One trial is aihwkit's BaseNoiseModel.apply_noise on one conductance
 * list: the weights are converted once; each trial programs every plane,
 * draws the drift coefficients from the targets, then drifts and reads
 * at each t, and restores with the params of the conversion.  Global
 * drift compensation (aihwkit's GlobalDriftCompensation) scales the
 * weights at t by mean |W_prog| / mean |W_t|.  Trial j draws the streams
 * of tensor j under the seed, so two schemes run with one seed see the
 * same random numbers (common random numbers) plane by plane. */
#include <math.h>
#include <string.h>
#include "devices-private.h"

/* The bounds a device assumes for a converter that declares none, µS:
 * aihwkit's g_max. */
#define DEFAULT_G_MIN_US 0.0
#define DEFAULT_G_MAX_US 25.0

typedef struct {
  CondmapDtype dtype;
  size_t n;
  unsigned rank;        /* the weights' shape: per-channel scaling needs it */
  const size_t *shape;
  unsigned K;
  GPtrArray *target;   /* CondmapArray*: the converted planes */
  GPtrArray *prog;
  GPtrArray *at_t;
  void **target_data;
  void **prog_data;
  void **at_t_data;
} Planes;

static void
planes_clear (Planes *p)
{
  g_clear_pointer (&p->target, g_ptr_array_unref);
  g_clear_pointer (&p->prog, g_ptr_array_unref);
  g_clear_pointer (&p->at_t, g_ptr_array_unref);
  g_clear_pointer (&p->target_data, g_free);
  g_clear_pointer (&p->prog_data, g_free);
  g_clear_pointer (&p->at_t_data, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Planes, planes_clear)

static GPtrArray *
alloc_planes (const CondmapArray *like, unsigned K, void ***data,
              GError **error)
{
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);

  *data = g_new0 (void *, K);
  for (unsigned k = 0; k < K; k++)
    {
      CondmapArray *a = condmap_array_new (condmap_array_get_dtype (like), 1,
                                           (size_t[]) { condmap_array_get_n (like) },
                                           error);
      if (a == NULL)
        return NULL;
      g_ptr_array_add (planes, a);
      (*data)[k] = condmap_array_get_data (a);
    }
  return g_steal_pointer (&planes);
}

static double
elem (CondmapDtype dtype, const void *data, size_t i)
{
  return dtype == CONDMAP_DTYPE_FLOAT32 ? ((const float *) data)[i]
                                        : ((const double *) data)[i];
}

static double
abs_mean (CondmapDtype dtype, const void *w, size_t n)
{
  return (dtype == CONDMAP_DTYPE_FLOAT32 ? cm_abs_sum_f32 (w, n)
                                         : cm_abs_sum_f64 (w, n)) / (double) n;
}

/* RMS and max of |scale_a a - scale_b b|, in double. */
static void
diff_stats (CondmapDtype dtype, const void *a, double scale_a, const void *b,
            size_t n, double *rms, double *max)
{
  double sum = 0, m = 0;

  for (size_t i = 0; i < n; i++)
    {
      double d = fabs (scale_a * elem (dtype, a, i) - elem (dtype, b, i));

      sum += d * d;
      m = MAX (m, d);
    }
  *rms = sqrt (sum / (double) n);
  if (max != NULL)
    *max = m;
}

/* Welford-free: trials are few, sums of squares in double suffice. */
typedef struct {
  double sum;
  double sum_sq;
} Moments;

static void
moments_add (Moments *m, double x)
{
  m->sum += x;
  m->sum_sq += x * x;
}

static void
moments_get (const Moments *m, unsigned n, double *mean, double *std)
{
  double mu = m->sum / n;
  double var = n > 1 ? (m->sum_sq - n * mu * mu) / (n - 1) : 0.0;

  *mean = mu;
  *std = var > 0 ? sqrt (var) : 0.0;
}

typedef struct {
  Moments rms, max, alpha, prog, drift;
} TimeAcc;

static gboolean
check_args (const CondmapArray *weights, const double *times_s,
            size_t n_times, unsigned trials, GError **error)
{
  if (trials < 1)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the number of trials must be at least 1, got %u", trials);
      return FALSE;
    }
  if (n_times < 1)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "give at least one read time");
      return FALSE;
    }
  for (size_t i = 0; i < n_times; i++)
    if (!isfinite (times_s[i]) || times_s[i] < 0)
      {
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                     "read time %zu is %g s: a time is finite and >= 0",
                     i + 1, times_s[i]);
        return FALSE;
      }
  if (condmap_array_get_n (weights) == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the weights are empty");
      return FALSE;
    }
  return TRUE;
}

/* One trial at every time: adds its numbers to @acc. */
static gboolean
run_trial (const CondmapConverter *conv, const CondmapDevice *device,
           const CondmapParams *params, Planes *p, double g_min,
           double g_max, const CondmapArray *weights, const void *w_q,
           void *w_prog, void *w_t, const double *times_s, size_t n_times,
           guint64 seed, unsigned trial, gboolean compensate, double abs_max,
           TimeAcc *acc, GError **error)
{
  const void *w = condmap_array_peek_data (weights);
  double prog_rms = 0, mean_prog = 0;

  for (size_t ti = 0; ti < n_times; ti++)
    {
      double rms, max, drift, alpha = 1.0;

      if (!condmap_device_simulate (device, p->dtype, seed, trial, g_min,
                                    g_max, times_s[ti], p->K,
                                    (const void *const *) p->target_data, p->n,
                                    ti == 0 ? p->prog_data : NULL,
                                    p->at_t_data, error))
        return FALSE;
      if (ti == 0)
        {
          if (!condmap_converter_to_weights_shaped (conv, p->dtype, p->rank,
                                                    p->shape,
                                                    (const void *const *) p->prog_data,
                                                    params, w_prog, error))
            return FALSE;
          diff_stats (p->dtype, w_prog, 1.0, w_q, p->n, &prog_rms, NULL);
          mean_prog = abs_mean (p->dtype, w_prog, p->n);
        }
      if (!condmap_converter_to_weights_shaped (conv, p->dtype, p->rank,
                                                p->shape,
                                                (const void *const *) p->at_t_data,
                                                params, w_t, error))
        return FALSE;
      if (compensate)
        alpha = cm_drift_compensation_alpha (mean_prog,
                                             abs_mean (p->dtype, w_t, p->n));
      diff_stats (p->dtype, w_t, alpha, w, p->n, &rms, &max);
      diff_stats (p->dtype, w_t, alpha, w_prog, p->n, &drift, NULL);
      moments_add (&acc[ti].rms, rms / abs_max);
      moments_add (&acc[ti].max, max / abs_max);
      moments_add (&acc[ti].alpha, alpha);
      moments_add (&acc[ti].prog, prog_rms / abs_max);
      moments_add (&acc[ti].drift, drift / abs_max);
    }
  return TRUE;
}

gboolean
condmap_converter_error_budget (const CondmapConverter *conv,
                                const CondmapDevice *device,
                                const CondmapArray *weights,
                                const double *times_s, size_t n_times,
                                unsigned trials, guint64 seed,
                                CondmapBudgetFlags flags,
                                CondmapBudgetTime *out, GError **error)
{
  g_auto (Planes) p = { 0 };
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (CondmapArray) w_q = NULL;
  g_autoptr (CondmapArray) w_prog = NULL;
  g_autoptr (CondmapArray) w_t = NULL;
  g_autofree TimeAcc *acc = NULL;
  double g_min = DEFAULT_G_MIN_US, g_max = DEFAULT_G_MAX_US;
  double abs_max = 0, quant;
  size_t shape[1];

  g_return_val_if_fail (conv != NULL && device != NULL && weights != NULL
                        && out != NULL, FALSE);
  if (!check_args (weights, times_s, n_times, trials, error))
    return FALSE;
  p.dtype = condmap_array_get_dtype (weights);
  p.n = shape[0] = condmap_array_get_n (weights);
  p.rank = condmap_array_get_rank (weights);
  p.shape = condmap_array_get_shape (weights);
  p.K = condmap_converter_get_n_planes (conv);
  condmap_converter_get_bounds (conv, &g_min, &g_max);
  if ((p.target = alloc_planes (weights, p.K, &p.target_data, error)) == NULL
      || (p.prog = alloc_planes (weights, p.K, &p.prog_data, error)) == NULL
      || (p.at_t = alloc_planes (weights, p.K, &p.at_t_data, error)) == NULL
      || (w_q = condmap_array_new (p.dtype, 1, shape, error)) == NULL
      || (w_prog = condmap_array_new (p.dtype, 1, shape, error)) == NULL
      || (w_t = condmap_array_new (p.dtype, 1, shape, error)) == NULL)
    return FALSE;
  if (!condmap_converter_to_conductances_shaped (conv, p.dtype, p.rank,
                                                 p.shape,
                                                 condmap_array_peek_data (weights),
                                                 p.target_data, &params, error)
      || !condmap_converter_to_weights_shaped (conv, p.dtype, p.rank, p.shape,
                                               (const void *const *) p.target_data,
                                               params,
                                               condmap_array_get_data (w_q),
                                               error))
    return FALSE;
  for (size_t i = 0; i < p.n; i++)
    abs_max = MAX (abs_max, fabs (elem (p.dtype,
                                        condmap_array_peek_data (weights), i)));
  if (abs_max == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "every weight is 0: errors relative to max |w| are not "
                   "defined");
      return FALSE;
    }
  diff_stats (p.dtype, condmap_array_peek_data (w_q), 1.0,
              condmap_array_peek_data (weights), p.n, &quant, NULL);
  acc = g_new0 (TimeAcc, n_times);
  for (unsigned j = 0; j < trials; j++)
    if (!run_trial (conv, device, params, &p, g_min, g_max, weights,
                    condmap_array_peek_data (w_q),
                    condmap_array_get_data (w_prog),
                    condmap_array_get_data (w_t), times_s, n_times, seed, j,
                    !(flags & CONDMAP_BUDGET_NO_COMPENSATION), abs_max, acc,
                    error))
      return FALSE;
  for (size_t ti = 0; ti < n_times; ti++)
    {
      CondmapBudgetTime *o = &out[ti];
      double unused;

      o->time_s = times_s[ti];
      moments_get (&acc[ti].rms, trials, &o->rel_rms_mean, &o->rel_rms_std);
      moments_get (&acc[ti].max, trials, &o->rel_max_mean, &o->rel_max_std);
      moments_get (&acc[ti].alpha, trials, &o->alpha_mean, &o->alpha_std);
      moments_get (&acc[ti].prog, trials, &o->programming, &unused);
      moments_get (&acc[ti].drift, trials, &o->drift, &unused);
      o->quantization = quant / abs_max;
    }
  return TRUE;
}
