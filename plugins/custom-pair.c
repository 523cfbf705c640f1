/* custom-pair.c - N pairs of devices per weight whose conductances follow
 * tables (aihwkit's CustomPairConductanceConverter).
 *
 * Row r of g_lst is the conductance of device r (g_plus_0, g_minus_0,
 * g_plus_1, ...) at M weights evenly spaced over [-max|W|, max|W|].
 *
 *   net_j = sum_k F_k (g_lst[2k][j] - g_lst[2k+1][j]);  m = max_j |net_j|
 *   s = m / max(|W|, Z);  grid x_j = linspace(-m, m, M)_j / s
 *   plane r at w = np.interp(w, x, g_lst[r])   (held at the ends outside)
 *   back: the pair inverse w = sum_k F_k (g+_k - g-_k) / s
 *
 * The grid is uniform, so a weight's cell is found by arithmetic, never by
 * search.  aihwkit probes invertibility at 5 points; create() here probes
 * every grid point and every midpoint. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#  include <immintrin.h>
#endif
#include "pair-math.h"

/* Beyond this many points a float32 cell index would lose precision. */
#define CUSTOM_MAX_POINTS (1u << 20)

/* Padding after a table: the widest vector lookup's lanes. */
#define CUSTOM_PAD 16

/* The table in one dtype's arithmetic. */
#define CUSTOM_TABLE(T)                                                    \
  struct {                                                                 \
    T *value;    /* 2N rows of M conductances (µS), row-major */           \
    T *slope;    /* value[r][j+1] - value[r][j]; 0 at j = M-1 */           \
    T net_max;   /* m = max_j |net_j| */                                   \
  }

typedef struct {
  PairState pair;          /* first: the shared pair code casts to it */
  size_t n_points;         /* M >= 2 */
  CUSTOM_TABLE (float) t_f32;
  CUSTOM_TABLE (double) t_f64;
} CustomState;

#define CUSTOM_DEFINE_TABLE_INIT(T, SFX)                                   \
  static int                                                               \
  custom_table_init_##SFX (CustomState *st, const double *table)           \
  {                                                                        \
    const size_t m = st->n_points;                                         \
    const size_t n_rows = 2 * st->pair.n_pairs;                            \
    const T *f = st->pair.c_##SFX.f;                                       \
    /* CUSTOM_PAD zeros after the last row: a vector lookup loads 16      \
     * entries from any row's start (lanes past the row are never used). */\
    T *v = calloc (n_rows * m + CUSTOM_PAD, sizeof (T));                   \
    T *d = calloc (n_rows * m + CUSTOM_PAD, sizeof (T));                   \
                                                                           \
    st->t_##SFX.value = v;                                                 \
    st->t_##SFX.slope = d;                                                 \
    if (v == NULL || d == NULL)                                            \
      return 0;                                                            \
    for (size_t x = 0; x < n_rows * m; x++)                                \
      v[x] = (T) table[x];                                                 \
    for (size_t x = 0; x < n_rows * m; x++)                                \
      d[x] = x % m == m - 1 ? 0 : v[x + 1] - v[x];                         \
    st->t_##SFX.net_max = 0;                                               \
    for (size_t j = 0; j < m; j++)                                         \
      {                                                                    \
        T net = 0;                                                         \
                                                                           \
        for (size_t k = 0; k < st->pair.n_pairs; k++)                      \
          net = net + f[k] * (v[2 * k * m + j] - v[(2 * k + 1) * m + j]);  \
        net = net < 0 ? -net : net;                                        \
        if (net > st->t_##SFX.net_max)                                     \
          st->t_##SFX.net_max = net;                                       \
      }                                                                    \
    return 1;                                                              \
  }

CUSTOM_DEFINE_TABLE_INIT (float, f32)
CUSTOM_DEFINE_TABLE_INIT (double, f64)

/* Plane r at each weight of a block: value[r][cell] + frac * slope[r][cell],
 * the lookup every custom-pair plane makes.  Plain loads, one per weight:
 * the portable path. */
#define CUSTOM_DEFINE_LOOKUP(T, SFX)                                       \
  static void                                                              \
  custom_lookup_##SFX (const T *restrict v, const T *restrict d,           \
                       const int *restrict cell, const T *restrict frac,   \
                       size_t n, T *restrict out)                          \
  {                                                                        \
    for (size_t i = 0; i < n; i++)                                         \
      out[i] = v[cell[i]] + frac[i] * d[cell[i]];                          \
  }

CUSTOM_DEFINE_LOOKUP (float, f32)
CUSTOM_DEFINE_LOOKUP (double, f64)

/* Tables of at most 8 cells (M <= 9 points, as aihwkit's examples use) fit
 * one 8-lane vector: with AVX2 the lookup becomes a register permute
 * (vpermps) for 8 weights at a time instead of 16 loads.  GCC's generic
 * vector extension keeps it plain C; the CPU is asked once per call. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#  define CUSTOM_SMALL_CELLS 8
typedef float CustomV8f __attribute__ ((vector_size (32)));
typedef int32_t CustomV8i __attribute__ ((vector_size (32)));

__attribute__ ((target ("avx2"))) static void
custom_lookup_small_f32 (const float *v, const float *d, const int *cell,
                         const float *frac, size_t n, float *out)
{
  CustomV8f tv, td;
  size_t i = 0;

  /* Straight from the table (padded, see CUSTOM_PAD): a vector built
   * lane by lane on the stack would stall the load that reads it. */
  memcpy (&tv, v, sizeof tv);
  memcpy (&td, d, sizeof td);
  for (; i + 8 <= n; i += 8)
    {
      CustomV8i c;
      CustomV8f f, x;

      memcpy (&c, cell + i, sizeof c);
      memcpy (&f, frac + i, sizeof f);
      x = __builtin_shuffle (tv, c) + f * __builtin_shuffle (td, c);
      memcpy (out + i, &x, sizeof x);
    }
  custom_lookup_f32 (v, d, cell + i, frac + i, n - i, out + i);
}

static void
custom_lookup_plane_f32 (const float *v, const float *d, size_t m,
                         const int *cell, const float *frac, size_t n,
                         float *out)
{
  if (m - 1 <= CUSTOM_SMALL_CELLS && __builtin_cpu_supports ("avx2"))
    custom_lookup_small_f32 (v, d, cell, frac, n, out);
  else
    custom_lookup_f32 (v, d, cell, frac, n, out);
}
#else
#  define custom_lookup_plane_f32(v, d, m, cell, frac, n, out) \
  custom_lookup_f32 (v, d, cell, frac, n, out)
#endif
#define custom_lookup_plane_f64(v, d, m, cell, frac, n, out) \
  custom_lookup_f64 (v, d, cell, frac, n, out)

/* The forward kernels with an explicit scale ratio.  The grid spans
 * [-m/s, m/s] = [-max(|W|, Z), max(|W|, Z)] in steps of h; t = (w + m/s)/h
 * is clamped to [0, M-1] first (which is np.interp's holding at the ends,
 * and keeps the integer conversion defined), so truncation is floor and
 * frac = t - j lies in [0, 1]. */
#define CUSTOM_DEFINE_FORWARD(T, SFX)                                      \
  PAIR_CLONES static void                                                  \
  custom_forward_##SFX (const CustomState *st, T s,                        \
                        const T *w, size_t n, T *const *g)                 \
  {                                                                        \
    const size_t m = st->n_points;                                         \
    const size_t n_rows = 2 * st->pair.n_pairs;                            \
    const T half = st->t_##SFX.net_max / s;                                \
    const T last = (T) (m - 1);                                            \
    const T inv_h = last / (half + half);                                  \
    const int last_cell = (int) m - 2;                                     \
    int cell[PAIR_BLOCK];                                                  \
    T frac[PAIR_BLOCK];                                                    \
                                                                           \
    for (size_t i0 = 0; i0 < n; i0 += PAIR_BLOCK)                          \
      {                                                                    \
        const size_t nb = PAIR_MIN (PAIR_BLOCK, n - i0);                   \
        const T *restrict wb = w + i0;                                     \
                                                                           \
        for (size_t i = 0; i < nb; i++)                                    \
          {                                                                \
            T t = (wb[i] + half) * inv_h;                                  \
            int j;                                                         \
                                                                           \
            t = PAIR_CLAMP (t, 0, last);                                   \
            j = (int) t;                                                   \
            j = j < last_cell ? j : last_cell;                             \
            cell[i] = j;                                                   \
            frac[i] = t - (T) j;                                           \
          }                                                                \
        for (size_t r = 0; r < n_rows; r++)                                \
          custom_lookup_plane_##SFX (st->t_##SFX.value + r * m,            \
                                     st->t_##SFX.slope + r * m, m, cell,   \
                                     frac, nb, g[r] + i0);                 \
      }                                                                    \
  }

CUSTOM_DEFINE_FORWARD (float, f32)
CUSTOM_DEFINE_FORWARD (double, f64)

#ifdef CUSTOM_SMALL_CELLS
/* custom_forward_f32 for tables of at most 16 cells with AVX-512: the cell
 * and fraction of 16 weights stay in registers while every plane is
 * looked up with a 16-lane permute (vpermps zmm), instead of a round trip
 * through memory per plane.  Operation for operation the portable path,
 * without FMA: the same rounding. */
#  define CUSTOM_SMALL_CELLS_512 16

/* One vector of 16 weights into every plane; @k masks a partial last
 * vector (masked stores are slow on some CPUs: full vectors go without). */
__attribute__ ((target ("avx512f"), always_inline)) static inline void
custom_small16_vector (const CustomState *st, size_t m, size_t n_rows,
                       __m512 v_half, __m512 v_inv_h, __m512 v_last,
                       __m512i v_last_cell, const float *w, float *const *g,
                       size_t i, __mmask16 k, int full)
{
  __m512 t = full ? _mm512_loadu_ps (w + i) : _mm512_maskz_loadu_ps (k, w + i);
  __m512i c;
  __m512 frac;

  t = _mm512_mul_ps (_mm512_add_ps (t, v_half), v_inv_h);
  t = _mm512_min_ps (_mm512_max_ps (t, _mm512_setzero_ps ()), v_last);
  c = _mm512_min_epi32 (_mm512_cvttps_epi32 (t), v_last_cell);
  frac = _mm512_sub_ps (t, _mm512_cvtepi32_ps (c));
  for (size_t r = 0; r < n_rows; r++)
    {
      const __m512 tv = _mm512_loadu_ps (st->t_f32.value + r * m);
      const __m512 td = _mm512_loadu_ps (st->t_f32.slope + r * m);
      const __m512 x = _mm512_add_ps (_mm512_permutexvar_ps (c, tv),
                                      _mm512_mul_ps (frac,
                                        _mm512_permutexvar_ps (c, td)));

      if (full)
        _mm512_storeu_ps (g[r] + i, x);
      else
        _mm512_mask_storeu_ps (g[r] + i, k, x);
    }
}

__attribute__ ((target ("avx512f"))) static void
custom_forward_small16_f32 (const CustomState *st, float s, const float *w,
                            size_t n, float *const *g)
{
  const size_t m = st->n_points;
  const size_t n_rows = 2 * st->pair.n_pairs;
  const float half = st->t_f32.net_max / s;
  const float last = (float) (m - 1);
  const float inv_h = last / (half + half);
  const __m512 v_half = _mm512_set1_ps (half);
  const __m512 v_inv_h = _mm512_set1_ps (inv_h);
  const __m512 v_last = _mm512_set1_ps (last);
  const __m512i v_last_cell = _mm512_set1_epi32 ((int) m - 2);
  size_t i = 0;

  for (; i + 16 <= n; i += 16)
    custom_small16_vector (st, m, n_rows, v_half, v_inv_h, v_last,
                           v_last_cell, w, g, i, 0xffff, 1);
  if (i < n)
    custom_small16_vector (st, m, n_rows, v_half, v_inv_h, v_last,
                           v_last_cell, w, g, i,
                           (__mmask16) ((1u << (n - i)) - 1), 0);
}

static void
custom_forward_any_f32 (const CustomState *st, float s, const float *w,
                        size_t n, float *const *g)
{
  if (st->n_points - 1 <= CUSTOM_SMALL_CELLS_512
      && __builtin_cpu_supports ("avx512f"))
    custom_forward_small16_f32 (st, s, w, n, g);
  else
    custom_forward_f32 (st, s, w, n, g);
}
#else
#  define custom_forward_any_f32 custom_forward_f32
#endif

static PAIR_DEFINE_SCALED (custom_to_conductances_f32, custom_forward_any_f32,
                           float, const float *, float *const *)
static PAIR_DEFINE_SCALED (custom_to_conductances_f64, custom_forward_f64,
                           double, const double *, double *const *)

static void
custom_destroy (void *state)
{
  CustomState *st = state;

  free (st->t_f32.value);
  free (st->t_f32.slope);
  free (st->t_f64.value);
  free (st->t_f64.slope);
  pair_destroy (state);
}

/* The rules on g_lst that only custom-pair knows: its shape follows f_lst,
 * its values lie within the bounds. */
static int
custom_check_table (const CondmapHost *host, CondmapContext *ctx,
                    size_t n_pairs, const double *table, size_t n_rows,
                    size_t n_points, double g_min, double g_max)
{
  if (n_rows != 2 * n_pairs)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "g_lst", "g_lst has %zu rows "
                   "but f_lst has %zu factors: custom-pair needs two rows "
                   "(g_plus_k, g_minus_k) per factor, %zu rows", n_rows,
                   n_pairs, 2 * n_pairs);
      return 0;
    }
  if (n_points > CUSTOM_MAX_POINTS)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "g_lst", "g_lst rows have %zu "
                   "points; at most %u are supported", n_points,
                   CUSTOM_MAX_POINTS);
      return 0;
    }
  for (size_t r = 0; r < n_rows; r++)
    for (size_t j = 0; j < n_points; j++)
      {
        double g = table[r * n_points + j];

        if (g < g_min || g > g_max)
          {
            host->error (ctx, CONDMAP_ERROR_CONFIG, "g_lst",
                         "g_lst[%zu][%zu] = %g (row g_%s_%zu, point %zu) is "
                         "outside [g_min, g_max] = [%g, %g] µS", r, j, g,
                         r % 2 == 0 ? "plus" : "minus", r / 2, j, g_min,
                         g_max);
            return 0;
          }
      }
  return 1;
}

/* Runs the round trip, in double through the kernels themselves, at every
 * grid point and every midpoint of the probe |W| = 1 (s = m). */
static int
custom_check_invertible (const CondmapHost *host, CondmapContext *ctx,
                         const CustomState *st)
{
  const size_t m = st->n_points;
  const size_t n = 2 * m - 1;        /* even i: grid point i/2; odd: midpoint */
  const size_t n_rows = 2 * st->pair.n_pairs;
  const double s = st->t_f64.net_max;
  double *w = calloc (n, sizeof (double));
  double *back = calloc (n, sizeof (double));
  double *g = calloc (n_rows * n, sizeof (double));
  double **planes = calloc (n_rows, sizeof (double *));
  double worst = 0.0;
  size_t worst_i = 0;
  int ok = 0;

  if (w == NULL || back == NULL || g == NULL || planes == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, "g_lst", "out of memory for "
                   "the invertibility test of %zu points", m);
      goto out;
    }
  for (size_t i = 0; i < n; i++)
    w[i] = -1.0 + (double) i / (double) (m - 1);
  for (size_t r = 0; r < n_rows; r++)
    planes[r] = g + r * n;
  custom_forward_f64 (st, s, w, n, planes);
  pair_inverse_f64 (&st->pair, s, (const double *const *) planes, n, back);
  for (size_t i = 0; i < n; i++)
    if (!(fabs (back[i] - w[i]) <= worst))     /* NaN counts as worst */
      {
        worst = fabs (back[i] - w[i]);
        worst_i = i;
      }
  ok = worst <= CONDMAP_ROUND_TRIP_TOLERANCE;
  if (!ok)
    host->error (ctx, CONDMAP_ERROR_NOT_INVERTIBLE, "g_lst", "the table is "
                 "not invertible: weight %g comes back as %g (error %.3g of "
                 "max |w|, limit %g) at %s %zu%s (of grid points 0..%zu); "
                 "the net weight sum_k f_k (g_lst[2k] - g_lst[2k+1]) must "
                 "rise linearly across the grid.  Fix the table, or set "
                 "invertibility_test: false to use it anyway", w[worst_i],
                 back[worst_i], worst, CONDMAP_ROUND_TRIP_TOLERANCE,
                 worst_i % 2 == 0 ? "grid point" : "midpoint", worst_i / 2,
                 worst_i % 2 == 0 ? "" : "+1/2", m - 1);
out:
  free (w);
  free (back);
  free (g);
  free (planes);
  return ok;
}

static const CondmapSettingDecl custom_pair_settings[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  PAIR_SETTING_F_LST (1, 0, "significance F_k of pair k (g_lst rows 2k and "
                      "2k+1) in w = sum F_k (g+_k - g-_k) / s"),
  { "g_lst", CONDMAP_SETTING_TABLE, "µS", 0.0, NULL, 0.0, HUGE_VAL, 2, 2,
    CONDMAP_SETTING_REQUIRED,
    "measured conductance of each device (rows g_plus_0, g_minus_0, "
    "g_plus_1, ...) at weights evenly spaced from -max|W| to max|W|", NULL },
  { "invertibility_test", CONDMAP_SETTING_BOOLEAN, "", 1.0, NULL, 0.0, 1.0,
    0, 0, CONDMAP_SETTING_IS_ROUND_TRIP_CHECK,
    "refuse a table whose round trip w -> g -> w is off by more than 1e-4 "
    "of max |w|; false accepts a lossy table", NULL },
  CONDMAP_SETTINGS_END
};

static void *
custom_create (const CondmapHost *host, CondmapContext *ctx)
{
  const double g_min = host->get_number (ctx, "g_min");
  const double g_max = host->get_number (ctx, "g_max");
  size_t n_pairs, n_rows, n_points;
  const double *f = host->get_number_list (ctx, "f_lst", &n_pairs);
  const double *table = host->get_table (ctx, "g_lst", &n_rows, &n_points);
  CustomState *st;

  if (!custom_check_table (host, ctx, n_pairs, table, n_rows, n_points,
                           g_min, g_max))
    return NULL;

  st = calloc (1, sizeof (CustomState));
  if (st == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  if (!pair_state_init (&st->pair, host, ctx, g_min, g_max, f, n_pairs))
    goto fail;
  st->n_points = n_points;
  if (!custom_table_init_f32 (st, table) || !custom_table_init_f64 (st, table))
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, "g_lst", "out of memory for a "
                   "table of %zu rows of %zu points", n_rows, n_points);
      goto fail;
    }

  if (st->t_f64.net_max == 0.0 || st->t_f32.net_max == 0.0f)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "g_lst", "the net weight "
                   "sum_k f_k (g_lst[2k][j] - g_lst[2k+1][j]) is 0 at every "
                   "point: the table cannot represent any weight");
      goto fail;
    }
  if (host->get_boolean (ctx, "invertibility_test")
      && !custom_check_invertible (host, ctx, st))
    goto fail;
  return st;

fail:
  custom_destroy (st);
  return NULL;
}

static int
custom_plan (const void *state, const CondmapStats *stats, double *params,
             CondmapContext *ctx)
{
  const CustomState *st = state;

  if (!pair_check_dtype (&st->pair, stats->dtype, ctx))
    return 0;
  return pair_set_scale_ratio (st->pair.host, ctx, st->t_f32.net_max,
                               st->t_f64.net_max, stats->abs_max,
                               stats->dtype, params);
}

static const CondmapConverterOps custom_pair_ops = CONDMAP_CONVERTER_OPS (
  pair_get_n_planes, pair_get_plane_name, pair_param_names, custom_plan,
  custom_to_conductances_f32, custom_to_conductances_f64,
  pair_to_weights_f32, pair_to_weights_f64);

CONDMAP_PLUGIN_DEFINE_FULL (CONDMAP_PLUGIN_KIND_CONVERTER, "custom-pair",
                            "N pairs of devices per weight following tabulated "
                            "conductance curves g(w) (aihwkit "
                            "CustomPairConductanceConverter)",
                            PACKAGE_VERSION, custom_pair_settings, custom_create,
                            custom_destroy, &custom_pair_ops,
                            pair_get_interface)
