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
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#  include <immintrin.h>
#endif
#include "pair-math.h"

/* Beyond this many points a float32 cell index would lose precision. */
#define CUSTOM_MAX_POINTS (1u << 20)
/* The round trip error create() tolerates, relative to max |w| = 1. */
#define CUSTOM_MAX_ERROR 1e-4

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
  static void                                                              \
  custom_table_init_##SFX (CustomState *st, const double *table)           \
  {                                                                        \
    const size_t m = st->n_points;                                         \
    const size_t n_rows = 2 * st->pair.n_pairs;                            \
    const T *f = st->pair.c_##SFX.f;                                       \
    /* CUSTOM_PAD zeros after the last row: a vector lookup loads 16      \
     * entries from any row's start (lanes past the row are never used). */\
    T *v = g_new0 (T, n_rows * m + CUSTOM_PAD);                            \
    T *d = g_new0 (T, n_rows * m + CUSTOM_PAD);                            \
                                                                           \
    for (size_t x = 0; x < n_rows * m; x++)                                \
      v[x] = (T) table[x];                                                 \
    for (size_t x = 0; x < n_rows * m; x++)                                \
      d[x] = x % m == m - 1 ? 0 : v[x + 1] - v[x];                         \
    st->t_##SFX.value = v;                                                 \
    st->t_##SFX.slope = d;                                                 \
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
typedef gint32 CustomV8i __attribute__ ((vector_size (32)));

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
        const size_t nb = MIN (PAIR_BLOCK, n - i0);                        \
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
                       size_t i, __mmask16 k, gboolean full)
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
                           v_last_cell, w, g, i, 0xffff, TRUE);
  if (i < n)
    custom_small16_vector (st, m, n_rows, v_half, v_inv_h, v_last,
                           v_last_cell, w, g, i,
                           (__mmask16) ((1u << (n - i)) - 1), FALSE);
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

  g_free (st->t_f32.value);
  g_free (st->t_f32.slope);
  g_free (st->t_f64.value);
  g_free (st->t_f64.slope);
  pair_destroy (state);
}

/* The rules on g_lst that the table accessor cannot know. */
static gboolean
custom_check_table (CondmapSettings *settings, size_t n_pairs,
                    const double *table, size_t n_rows, size_t n_points,
                    double g_min, double g_max, GError **error)
{
  if (n_rows != 2 * n_pairs)
    {
      condmap_settings_set_error (settings, error, CONDMAP_ERROR_CONFIG,
                                  "g_lst", "g_lst has %zu rows but f_lst "
                                  "has %zu factors: custom-pair needs two "
                                  "rows (g_plus_k, g_minus_k) per factor, "
                                  "%zu rows", n_rows, n_pairs, 2 * n_pairs);
      return FALSE;
    }
  if (n_points > CUSTOM_MAX_POINTS)
    {
      condmap_settings_set_error (settings, error, CONDMAP_ERROR_CONFIG,
                                  "g_lst", "g_lst rows have %zu points; at "
                                  "most %u are supported", n_points,
                                  CUSTOM_MAX_POINTS);
      return FALSE;
    }
  for (size_t r = 0; r < n_rows; r++)
    for (size_t j = 0; j < n_points; j++)
      {
        double g = table[r * n_points + j];

        if (g < g_min || g > g_max)
          {
            condmap_settings_set_error (settings, error,
                                        CONDMAP_ERROR_CONFIG, "g_lst",
                                        "g_lst[%zu][%zu] = %g (row g_%s_%zu,"
                                        " point %zu) is outside [g_min, "
                                        "g_max] = [%g, %g] µS", r, j, g,
                                        r % 2 == 0 ? "plus" : "minus", r / 2,
                                        j, g_min, g_max);
            return FALSE;
          }
      }
  return TRUE;
}

/* Runs the round trip, in double through the kernels themselves, at every
 * grid point and every midpoint of the probe |W| = 1 (s = m). */
static gboolean
custom_check_invertible (CondmapSettings *settings, const CustomState *st,
                         GError **error)
{
  const size_t m = st->n_points;
  const size_t n = 2 * m - 1;        /* even i: grid point i/2; odd: midpoint */
  const size_t n_rows = 2 * st->pair.n_pairs;
  const double s = st->t_f64.net_max;
  g_autofree double *w = g_new (double, n);
  g_autofree double *back = g_new (double, n);
  g_autofree double *g = g_new (double, n_rows * n);
  g_autofree double **planes = g_new (double *, n_rows);
  double worst = 0.0;
  size_t worst_i = 0;

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
  if (worst <= CUSTOM_MAX_ERROR)
    return TRUE;

  condmap_settings_set_error (settings, error, CONDMAP_ERROR_NOT_INVERTIBLE,
                              "g_lst", "the table is not invertible: weight "
                              "%g comes back as %g (error %.3g of max |w|, "
                              "limit %g) at %s %zu%s (of grid points 0..%zu); "
                              "the net weight "
                              "sum_k f_k (g_lst[2k] - g_lst[2k+1]) must rise "
                              "linearly across the grid.  Fix the table, or "
                              "set invertibility_test: false to use it "
                              "anyway", w[worst_i], back[worst_i], worst,
                              CUSTOM_MAX_ERROR,
                              worst_i % 2 == 0 ? "grid point" : "midpoint",
                              worst_i / 2, worst_i % 2 == 0 ? "" : "+1/2",
                              m - 1);
  return FALSE;
}

static void *
custom_create (CondmapSettings *settings, GError **error)
{
  double g_min, g_max;
  g_autofree double *f = NULL;
  g_autofree double *table = NULL;
  size_t n_pairs, n_rows, n_points;
  gboolean test = TRUE;
  const gboolean test_default = TRUE;
  CustomState *st;

  gboolean ok;

  /* Every key is read even after one fails (only the first error is
   * kept), so that no present key stays unread and is taken for a typo
   * of a missing one: g_lst is one letter from f_lst. */
  ok = condmap_settings_get_bounds (settings, 0.0, 25.0, &g_min, &g_max,
                                    error);
  ok = condmap_settings_get_double_list (settings, "f_lst", 1, 0, &f,
                                         &n_pairs, ok ? error : NULL) && ok;
  ok = condmap_settings_get_double_table (settings, "g_lst", 2, 2, &table,
                                          &n_rows, &n_points,
                                          ok ? error : NULL) && ok;
  ok = condmap_settings_get_boolean (settings, "invertibility_test",
                                     &test_default, &test,
                                     ok ? error : NULL) && ok;
  if (!ok
      || !pair_check_factors (settings, "f_lst", f, n_pairs, error)
      || !custom_check_table (settings, n_pairs, table, n_rows, n_points,
                              g_min, g_max, error))
    return NULL;

  st = g_new0 (CustomState, 1);
  pair_state_init (&st->pair, g_min, g_max, g_steal_pointer (&f), n_pairs);
  st->n_points = n_points;
  custom_table_init_f32 (st, table);
  custom_table_init_f64 (st, table);

  if (st->t_f64.net_max == 0.0 || st->t_f32.net_max == 0.0f)
    {
      condmap_settings_set_error (settings, error, CONDMAP_ERROR_CONFIG,
                                  "g_lst", "the net weight sum_k f_k "
                                  "(g_lst[2k][j] - g_lst[2k+1][j]) is 0 at "
                                  "every point: the table cannot represent "
                                  "any weight");
      custom_destroy (st);
      return NULL;
    }
  if (test && !custom_check_invertible (settings, st, error))
    {
      custom_destroy (st);
      return NULL;
    }
  return st;
}

static gboolean
custom_plan (const void *state, const CondmapStats *stats,
             CondmapParams *params, GError **error)
{
  const CustomState *st = state;

  if (!pair_check_dtype (&st->pair, stats->dtype, error))
    return FALSE;
  return pair_set_scale_ratio (st->t_f32.net_max, st->t_f64.net_max,
                               stats->abs_max, stats->dtype, params, error);
}

static const CondmapPluginDesc custom_pair_desc =
  PAIR_PLUGIN_DESC ("custom-pair",
                    "N pairs of devices per weight following tabulated "
                    "conductance curves g(w) (aihwkit "
                    "CustomPairConductanceConverter)",
                    custom_create, custom_destroy, custom_plan,
                    custom_to_conductances_f32, custom_to_conductances_f64);

CONDMAP_PLUGIN_EXPORT const CondmapPluginDesc *
condmap_plugin_get_desc (void)
{
  return &custom_pair_desc;
}
