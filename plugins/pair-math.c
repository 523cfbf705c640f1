/* pair-math.c - the mathematics the pair converters share (see
 * pair-math.h): state, plane names, scale ratio, the n-pair forward
 * kernels and the pair inverse. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pair-math.h"

const char *const pair_param_names[] = { "scale_ratio", NULL };

/* Rounds the bounds and factors to T and accumulates the levels in T, as
 * the reference does in the tensor's dtype.  Returns 0 if memory runs
 * out. */
#define PAIR_DEFINE_COEF_INIT(T, SFX)                                      \
  static int                                                               \
  pair_coef_init_##SFX (PairState *state, double g_min_us,                 \
                        double g_max_us)                                   \
  {                                                                        \
    size_t n_pairs = state->n_pairs;                                       \
    T range = (T) g_max_us - (T) g_min_us;                                 \
    T level = 0;                                                           \
                                                                           \
    state->c_##SFX.g_min = (T) g_min_us;                                   \
    state->c_##SFX.g_max = (T) g_max_us;                                   \
    state->c_##SFX.f = calloc (n_pairs, sizeof (T));                       \
    state->c_##SFX.level = calloc (n_pairs, sizeof (T));                   \
    state->c_##SFX.inv_f = calloc (n_pairs, sizeof (T));                   \
    if (state->c_##SFX.f == NULL || state->c_##SFX.level == NULL           \
        || state->c_##SFX.inv_f == NULL)                                   \
      return 0;                                                            \
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
    return 1;                                                              \
  }

PAIR_DEFINE_COEF_INIT (float, f32)
PAIR_DEFINE_COEF_INIT (double, f64)

int
pair_state_init (PairState *state, const CondmapHost *host,
                 CondmapContext *ctx, double g_min_us, double g_max_us,
                 const double *f, size_t n_pairs)
{
  state->host = host;
  state->n_pairs = n_pairs;
  state->f = calloc (n_pairs, sizeof (double));
  /* The one place plane names are made: device order, pair by pair. */
  state->plane_names = calloc (2 * n_pairs, sizeof *state->plane_names);
  if (state->f == NULL || state->plane_names == NULL)
    goto out_of_memory;
  memcpy (state->f, f, n_pairs * sizeof (double));
  if (!pair_coef_init_f32 (state, g_min_us, g_max_us)
      || !pair_coef_init_f64 (state, g_min_us, g_max_us))
    goto out_of_memory;
  for (size_t k = 0; k < n_pairs; k++)
    {
      snprintf (state->plane_names[2 * k], PAIR_PLANE_NAME_SIZE,
                "g_plus_%zu", k);
      snprintf (state->plane_names[2 * k + 1], PAIR_PLANE_NAME_SIZE,
                "g_minus_%zu", k);
    }
  return 1;

out_of_memory:
  host->error (ctx, CONDMAP_ERROR_FAILED, NULL,
               "out of memory for %zu device pairs", n_pairs);
  return 0;
}

void
pair_state_clear (PairState *state)
{
  free (state->f);
  free (state->c_f32.f);
  free (state->c_f32.level);
  free (state->c_f32.inv_f);
  free (state->c_f64.f);
  free (state->c_f64.level);
  free (state->c_f64.inv_f);
  free (state->plane_names);
}

void *
pair_create (const CondmapHost *host, CondmapContext *ctx, const double *f,
             size_t n_pairs)
{
  PairState *state = calloc (1, sizeof (PairState));

  if (state == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  if (!pair_state_init (state, host, ctx, host->get_number (ctx, "g_min"),
                        host->get_number (ctx, "g_max"), f, n_pairs))
    {
      pair_destroy (state);
      return NULL;
    }
  return state;
}

void *
pair_create_n (const CondmapHost *host, CondmapContext *ctx)
{
  size_t n_pairs;
  const double *f = host->get_number_list (ctx, "f_lst", &n_pairs);

  return pair_create (host, ctx, f, n_pairs);
}

void
pair_destroy (void *state)
{
  pair_state_clear (state);
  free (state);
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

int
pair_set_scale_ratio (const CondmapHost *host, CondmapContext *ctx,
                      double numerator_f32, double numerator_f64,
                      double spread, CondmapDtype dtype, double *params)
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
      host->error (ctx, CONDMAP_ERROR_INPUT, NULL,
                   "the scale ratio is %s in %s arithmetic: g_max - g_min "
                   "or the F factors are out of its range; use other "
                   "values or float64 weights",
                   isnan (s) ? "not a number" : isinf (s) ? "infinite"
                   : "not positive",
                   dtype == CONDMAP_DTYPE_FLOAT32 ? "float32" : "float64");
      return 0;
    }
  params[PAIR_PARAM_SCALE_RATIO] = s;
  return 1;
}

int
pair_check_dtype (const PairState *state, CondmapDtype dtype,
                  CondmapContext *ctx)
{
  if (dtype != CONDMAP_DTYPE_FLOAT32)
    return 1;
  for (size_t k = 0; k < state->n_pairs; k++)
    if (!(state->c_f32.f[k] > 0.0f && isfinite (state->c_f32.f[k])))
      {
        state->host->error (ctx, CONDMAP_ERROR_INPUT, "f_lst",
                            "f_lst[%zu] = %g is %g in float32 arithmetic, "
                            "which the kernels would divide by; use a "
                            "factor within float32's range or float64 "
                            "weights", k, state->f[k],
                            (double) state->c_f32.f[k]);
        return 0;
      }
  return 1;
}

int
pair_plan (const void *state, const CondmapStats *stats, double *params,
           CondmapContext *ctx)
{
  const PairState *st = state;

  if (!pair_check_dtype (st, stats->dtype, ctx))
    return 0;
  return pair_set_scale_ratio (st->host, ctx, st->c_f32.fr_sum,
                               st->c_f64.fr_sum, stats->abs_max,
                               stats->dtype, params);
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
        const size_t nb = PAIR_MIN (PAIR_BLOCK, n - i0);                   \
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
        const size_t nb = PAIR_MIN (PAIR_BLOCK, n - i0);                   \
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

/* ---- level-aware mapping ------------------------------------------------- */

/* The factors of the pairs, for the core's joint level assignment. */
static size_t
pair_get_pairs (const void *state, double *f, size_t max_pairs)
{
  const PairState *st = state;

  for (size_t k = 0; k < st->n_pairs && k < max_pairs; k++)
    f[k] = st->c_f64.f[k];
  return st->n_pairs;
}

static const CondmapLevelPairsInterface level_pairs = {
  (uint32_t) sizeof (CondmapLevelPairsInterface), pair_get_pairs
};

const void *
pair_get_interface (const char *uri)
{
  if (uri != NULL && strcmp (uri, CONDMAP_INTERFACE_LEVEL_PAIRS) == 0)
    return &level_pairs;
  return NULL;
}
