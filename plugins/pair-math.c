/* pair-math.c - the mathematics the pair converters share (see
 * pair-math.h): F-factor rules, plane names, scale ratio, the n-pair
 * forward kernels and the pair inverse. */
#include "config.h"

#include <math.h>
#include "pair-math.h"

const char *const pair_param_names[] = { "scale_ratio", NULL };

gboolean
pair_check_factors (CondmapSettings *settings, const char *key,
                    const double *f, size_t n_pairs, GError **error)
{
  for (size_t k = 0; k < n_pairs; k++)
    {
      if (!isfinite (f[k]))
        {
          condmap_settings_set_error (settings, error, CONDMAP_ERROR_CONFIG,
                                      key, "%s[%zu] = %g must be a finite "
                                      "number", key, k, f[k]);
          return FALSE;
        }
      if (f[k] <= 0.0)
        {
          condmap_settings_set_error (settings, error, CONDMAP_ERROR_CONFIG,
                                      key, "%s[%zu] = %g must be > 0: %s",
                                      key, k, f[k], f[k] == 0.0
                                      ? "aihwkit would divide by it"
                                      : "a pair's current cannot be "
                                        "weighted negatively");
          return FALSE;
        }
    }
  return TRUE;
}

/* Rounds the bounds and factors to T and accumulates the levels in T, as
 * the reference does in the tensor's dtype. */
#define PAIR_DEFINE_COEF_INIT(T, SFX)                                      \
  static void                                                              \
  pair_coef_init_##SFX (PairState *state, double g_min_us,                 \
                        double g_max_us)                                   \
  {                                                                        \
    size_t n_pairs = state->n_pairs;                                       \
    T range = (T) g_max_us - (T) g_min_us;                                 \
    T level = 0;                                                           \
                                                                           \
    state->c_##SFX.g_min = (T) g_min_us;                                   \
    state->c_##SFX.g_max = (T) g_max_us;                                   \
    state->c_##SFX.f = g_new (T, n_pairs);                                 \
    state->c_##SFX.level = g_new (T, n_pairs);                             \
    state->c_##SFX.inv_f = g_new (T, n_pairs);                             \
    for (size_t k = 0; k < n_pairs; k++)                                   \
      {                                                                    \
        T f = (T) state->f[k];                                             \
                                                                           \
        state->c_##SFX.f[k] = f;                                           \
        state->c_##SFX.level[k] = level;                                   \
        state->c_##SFX.inv_f[k] = 1 / f;                                   \
        level = level + f * range;                                         \
      }                                                                    \
    state->c_##SFX.fr_sum = level;                                         \
  }

PAIR_DEFINE_COEF_INIT (float, f32)
PAIR_DEFINE_COEF_INIT (double, f64)

void
pair_state_init (PairState *state, double g_min_us, double g_max_us,
                 double *f, size_t n_pairs)
{
  state->n_pairs = n_pairs;
  state->f = f;
  pair_coef_init_f32 (state, g_min_us, g_max_us);
  pair_coef_init_f64 (state, g_min_us, g_max_us);

  /* The one place plane names are made: device order, pair by pair. */
  state->plane_names = g_new0 (char *, 2 * n_pairs + 1);
  for (size_t k = 0; k < n_pairs; k++)
    {
      state->plane_names[2 * k] = g_strdup_printf ("g_plus_%zu", k);
      state->plane_names[2 * k + 1] = g_strdup_printf ("g_minus_%zu", k);
    }
}

void
pair_state_clear (PairState *state)
{
  g_free (state->f);
  g_free (state->c_f32.f);
  g_free (state->c_f32.level);
  g_free (state->c_f32.inv_f);
  g_free (state->c_f64.f);
  g_free (state->c_f64.level);
  g_free (state->c_f64.inv_f);
  g_strfreev (state->plane_names);
}

void *
pair_create_n (CondmapSettings *settings, size_t min_f, size_t max_f,
               GError **error)
{
  double g_min, g_max;
  g_autofree double *f = NULL;
  size_t n_pairs;
  PairState *state;

  if (!condmap_settings_get_bounds (settings, 0.0, 25.0, &g_min, &g_max,
                                    error)
      || !condmap_settings_get_double_list (settings, "f_lst", min_f, max_f,
                                            &f, &n_pairs, error)
      || !pair_check_factors (settings, "f_lst", f, n_pairs, error))
    return NULL;

  state = g_new0 (PairState, 1);
  pair_state_init (state, g_min, g_max, g_steal_pointer (&f), n_pairs);
  return state;
}

void
pair_destroy (void *state)
{
  pair_state_clear (state);
  g_free (state);
}

unsigned
pair_get_n_planes (const void *state)
{
  return 2 * ((const PairState *) state)->n_pairs;
}

const char *
pair_get_plane_name (const void *state, unsigned k)
{
  return ((const PairState *) state)->plane_names[k];
}

gboolean
pair_set_scale_ratio (double numerator_f32, double numerator_f64,
                      double spread, CondmapDtype dtype,
                      CondmapParams *params, GError **error)
{
  double s;

  if (dtype == CONDMAP_DTYPE_FLOAT32)
    {
      float a = (float) spread;
      float z = (float) PAIR_Z;

      s = (float) numerator_f32 / (a > z ? a : z);
    }
  else
    s = numerator_f64 / (spread > PAIR_Z ? spread : PAIR_Z);

  if (!(isfinite (s) && s > 0.0))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the scale ratio is %s in %s arithmetic: g_max - g_min "
                   "or the F factors are out of its range; use other "
                   "values or float64 weights",
                   isnan (s) ? "not a number" : isinf (s) ? "infinite"
                   : "not positive",
                   dtype == CONDMAP_DTYPE_FLOAT32 ? "float32" : "float64");
      return FALSE;
    }
  condmap_params_set (params, "scale_ratio", s);
  return TRUE;
}

gboolean
pair_check_dtype (const PairState *state, CondmapDtype dtype, GError **error)
{
  if (dtype != CONDMAP_DTYPE_FLOAT32)
    return TRUE;
  for (size_t k = 0; k < state->n_pairs; k++)
    if (!(state->c_f32.f[k] > 0.0f && isfinite (state->c_f32.f[k])))
      {
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                     "f_lst[%zu] = %g is %g in float32 arithmetic, which "
                     "the kernels would divide by; use a factor within "
                     "float32's range or float64 weights", k, state->f[k],
                     (double) state->c_f32.f[k]);
        return FALSE;
      }
  return TRUE;
}

gboolean
pair_plan (const void *state, const CondmapStats *stats,
           CondmapParams *params, GError **error)
{
  const PairState *st = state;

  if (!pair_check_dtype (st, stats->dtype, error))
    return FALSE;
  return pair_set_scale_ratio (st->c_f32.fr_sum, st->c_f64.fr_sum,
                               stats->abs_max, stats->dtype, params, error);
}

/* The kernels, one body for both dtypes.  Per block of weights, pair k
 * gets the part of |u| above L_k, divided by F_k and clamped: the first
 * pair fills first, the next only once the previous one is at g_max. */
#define PAIR_DEFINE_KERNELS(T, SFX)                                        \
  PAIR_CLONES void                                                         \
  pair_forward_##SFX (const PairState *state, T s,                         \
                      const T *w, size_t n, T *const *g)                   \
  {                                                                        \
    const T lo = state->c_##SFX.g_min;                                     \
    const T hi = state->c_##SFX.g_max;                                     \
                                                                           \
    for (size_t i0 = 0; i0 < n; i0 += PAIR_BLOCK)                          \
      {                                                                    \
        const size_t nb = MIN (PAIR_BLOCK, n - i0);                        \
        const T *restrict wb = w + i0;                                     \
                                                                           \
        for (size_t k = 0; k < state->n_pairs; k++)                        \
          {                                                                \
            const T inv_f = state->c_##SFX.inv_f[k];                       \
            const T level = state->c_##SFX.level[k];                       \
            T *restrict gp = g[2 * k] + i0;                                \
            T *restrict gm = g[2 * k + 1] + i0;                            \
                                                                           \
            for (size_t i = 0; i < nb; i++)                                \
              {                                                            \
                const T u = s * wb[i];                                     \
                const T up = u > 0 ? u : 0;                                \
                const T un = -u > 0 ? -u : 0;                              \
                const T a = (up - level) * inv_f + lo;                     \
                const T b = (un - level) * inv_f + lo;                     \
                                                                           \
                gp[i] = PAIR_CLAMP (a, lo, hi);                            \
                gm[i] = PAIR_CLAMP (b, lo, hi);                            \
              }                                                            \
          }                                                                \
      }                                                                    \
  }                                                                        \
                                                                           \
  PAIR_CLONES void                                                         \
  pair_inverse_##SFX (const PairState *state, T s,                         \
                      const T *const *g, size_t n, T *w)                   \
  {                                                                        \
    const size_t last = state->n_pairs - 1;                                \
                                                                           \
    for (size_t i0 = 0; i0 < n; i0 += PAIR_BLOCK)                          \
      {                                                                    \
        const size_t nb = MIN (PAIR_BLOCK, n - i0);                        \
        T *restrict wb = w + i0;                                           \
                                                                           \
        /* The sum in the reference's order, ((F_0 d_0 + F_1 d_1) + ...),  \
         * then the divide by s; the first pair starts the sum and the     \
         * last one divides, so each block is stored once per pair and     \
         * never zeroed. */                                                \
        for (size_t k = 0; k <= last; k++)                                 \
          {                                                                \
            const T f = state->c_##SFX.f[k];                               \
            const T *restrict gp = g[2 * k] + i0;                          \
            const T *restrict gm = g[2 * k + 1] + i0;                      \
                                                                           \
            if (k == 0 && k == last)                                       \
              for (size_t i = 0; i < nb; i++)                              \
                wb[i] = f * (gp[i] - gm[i]) / s;                           \
            else if (k == 0)                                               \
              for (size_t i = 0; i < nb; i++)                              \
                wb[i] = f * (gp[i] - gm[i]);                               \
            else if (k < last)                                             \
              for (size_t i = 0; i < nb; i++)                              \
                wb[i] += f * (gp[i] - gm[i]);                              \
            else                                                           \
              for (size_t i = 0; i < nb; i++)                              \
                wb[i] = (wb[i] + f * (gp[i] - gm[i])) / s;                 \
          }                                                                \
      }                                                                    \
  }

PAIR_DEFINE_KERNELS (float, f32)
PAIR_DEFINE_KERNELS (double, f64)

PAIR_DEFINE_SCALED (pair_to_conductances_f32, pair_forward_f32, float,
                    const float *, float *const *)
PAIR_DEFINE_SCALED (pair_to_conductances_f64, pair_forward_f64, double,
                    const double *, double *const *)
PAIR_DEFINE_SCALED (pair_to_weights_f32, pair_inverse_f32, float,
                    const float *const *, float *)
PAIR_DEFINE_SCALED (pair_to_weights_f64, pair_inverse_f64, double,
                    const double *const *, double *)
