/* bit-slice.c - each weight as a B-bit integer code split into slices of
 * a few bits, one device (or pair) per slice, recombined with weights
 * 2^(bits below) at read-out (Sandia CrossSim's BitslicedCore; with
 * `quantizer: neurosim`, NeuroSim's cellBit digits).
 *
 * CrossSim (tests/peer/README.md, section 4), m the clip max,
 * r = (2^(B-1) - 1) / 2^(B-1), o_i the bits below slice i:
 *   q = rint(fl(fl(w / 2m) 2^B) r)        (+ 2^(B-1) inside the rint for
 *                                           style: offset)
 *   a = |q| (balanced) or q (offset); d_i = floor(a / 2^o_i) mod 2^b_i,
 *   the last slice keeping the whole quotient
 *   G_i = G_min + d_i / (2^b_i - 1) R     (normalized; the plane is G g_max)
 *   back: S = (2^b - 1) sum_i 2^o_i D_i / R,  D_i = G+_i - G-_i or
 *         G_i - G_min;  S -= 2^(B-1) (offset);  w = S / 2^B / r 2m
 * NeuroSim (section 8): n = rint(w / m 2^(B-1)), X = n + 2^(B-1) - [n > 0],
 *   its digits as above, G_i = ((1 - G_min) d_i + (2^c - 1) G_min) /
 *   (2^c - 1); back with D_i = G_i - G_mid and w = S / 2^B 2m.
 *
 * The forward is computed in the weights' dtype, in the peer's order, so
 * that float32 weights give CrossSim's float32 numbers, ties included.
 * Digits are taken in floating point: scaling by 2^-b, floor and the
 * remainder are exact for the integer codes, and vectorise.  This file
 * holds the settings table, plan() and the kernels, one body per dtype;
 * bit-slice-setup.c the rules between settings and the state. */
#include "config.h"

#include <math.h>
#include "bit-slice.h"

static const CondmapSettingDecl bit_slice_settings[] = {
  CONDMAP_SETTING_G_MIN (PEER_G_MIN_DEFAULT),
  CONDMAP_SETTING_G_MAX (PEER_G_MAX_DEFAULT),
  { "weight_bits", CONDMAP_SETTING_INTEGER, "bit", 8.0, NULL, 2.0,
    BIT_SLICE_MAX_BITS, 0, 0, 0,
    "bits B of the integer code of a weight, sign included (CrossSim "
    "core.weight_bits, NeuroSim wl_weight)", NULL },
  { "slices", CONDMAP_SETTING_INTEGER, "", 2.0, NULL, 1.0,
    BIT_SLICE_MAX_BITS, 0, 0, 0,
    "number N of slices, at most weight_bits (CrossSim "
    "bit_sliced.num_slices, NeuroSim wl_weight / cellBit); of equal width "
    "unless slice_bits is given", NULL },
  { "slice_bits", CONDMAP_SETTING_NUMBER_LIST, "bit", 0.0, NULL, 1.0,
    BIT_SLICE_MAX_BITS, 1, BIT_SLICE_MAX_BITS, 0,
    "widths of the N slices in bits, least significant first, adding up "
    "to weight_bits (unequal slices)", NULL },
  { "style", CONDMAP_SETTING_STRING, "", 0.0, "balanced", 0.0, 0.0, 0, 0, 0,
    "balanced: a pair per slice (g_plus_i, g_minus_i), the sign apart; "
    "offset: one device per slice (g_i), the code shifted by 2^(B-1) "
    "(CrossSim bit_sliced.style)", "balanced|offset" },
  { "reference", CONDMAP_SETTING_STRING, "", 0.0, "digital", 0.0, 0.0, 0, 0,
    0, "style: offset only: how the offset comes off at read-out: digital "
    "(CrossSim DIGITAL_OFFSET), column (a reference device per slice, "
    "CrossSim UNIT_COLUMN_SUBTRACTION) or mid (a mid-conductance device per "
    "slice, NeuroSim's dummy column)", "digital|column|mid" },
  { "quantizer", CONDMAP_SETTING_STRING, "", 0.0, "crosssim", 0.0, 0.0, 0, 0,
    0, "crosssim: q = rint(w / m (2^(B-1) - 1)), 2^B - 1 codes, zero "
    "exact; neurosim: NeuroSim's 2^B codes, with its (1 - 2^-B) gain",
    "crosssim|neurosim" },
  CONDMAP_SETTINGS_END
};

/* The params, in the order of their index (BIT_SLICE_PARAM_*):
 *  - clip_max: m;
 *  - code_offset: what the read-back subtracts from the recombined code:
 *    2^(B-1) for CrossSim's offset slices, (2^B - 1) / 2 for NeuroSim's
 *    with reference: digital, 0 where each slice subtracts its own
 *    reference (balanced; mid);
 *  - reference_g, reference_slice: the reference devices in µS.  With
 *    reference: column, slice reference_slice (the one that holds bit
 *    B - 1 of the code) has its reference device at reference_g, the
 *    others at g_min; with reference: mid every slice's is at
 *    reference_g (reference_slice -1); without a reference device,
 *    reference_g is 0 and reference_slice -1. */
static const char *const bit_slice_param_names[] = {
  "clip_max", "code_offset", "reference_g", "reference_slice", NULL
};

/* ---- kernels -------------------------------------------------------------- */

/* The integer codes of one block: code[i], signed (balanced only), and
 * a[i], what the digits are taken from: |q|, the shifted q, or X. */
#define BIT_SLICE_DEFINE_CODES(T, SFX)                                     \
  static inline void                                                       \
  bit_slice_codes_##SFX (const BitSliceState *st, T m,                     \
                         const T *restrict w, size_t nb,                   \
                         T *restrict code, T *restrict a)                  \
  {                                                                        \
    const BitSliceCoef_##SFX *c = &st->c_##SFX;                            \
    const T two_m = m + m, half = c->half;                                 \
    const T pow2b = c->pow2b, ratio = c->ratio;                            \
                                                                           \
    if (st->neurosim)                                                      \
      for (size_t i = 0; i < nb; i++)                                      \
        {                                                                  \
          const T n = rint##SFX (PAIR_CLAMP (w[i], -m, m) / m * half);     \
                                                                           \
          a[i] = n + half - (n > 0 ? (T) 1 : (T) 0);                       \
        }                                                                  \
    else if (st->balanced)                                                 \
      for (size_t i = 0; i < nb; i++)                                      \
        {                                                                  \
          const T t = PAIR_CLAMP (w[i], -m, m) / two_m;                    \
          const T q = rint##SFX (t * pow2b * ratio);                       \
                                                                           \
          code[i] = q;                                                     \
          a[i] = q < 0 ? -q : q;                                           \
        }                                                                  \
    else                                                                   \
      for (size_t i = 0; i < nb; i++)                                      \
        {                                                                  \
          const T t = PAIR_CLAMP (w[i], -m, m) / two_m;                    \
                                                                           \
          a[i] = rint##SFX (t * pow2b * ratio + half);                     \
        }                                                                  \
  }

/* Forward: per block, the codes, then slice by slice the digit (a[i] keeps
 * the quotient; the last slice's 1/2^b is 0, so its digit is all that is
 * left) and its conductance, clamped into the bounds against the last
 * ulp of the µS rounding. */
#define BIT_SLICE_DEFINE_FORWARD(T, SFX)                                   \
  PAIR_CLONES static void                                                  \
  bit_slice_to_conductances_##SFX (const void *state, const double *params,\
                                   const T *w, size_t n, T *const *g)      \
  {                                                                        \
    const BitSliceState *st = state;                                       \
    const BitSliceCoef_##SFX *c = &st->c_##SFX;                            \
    const T m = (T) params[BIT_SLICE_PARAM_CLIP_MAX];                      \
    const T lo = c->g_min_us, hi = c->g_max_us, g_max = c->g_max_us;       \
    const T g_min_n = c->g_min_n, range_n = c->range_n;                    \
    T code[PAIR_BLOCK], a[PAIR_BLOCK];                                     \
                                                                           \
    for (size_t i0 = 0; i0 < n; i0 += PAIR_BLOCK)                          \
      {                                                                    \
        const size_t nb = PAIR_MIN (PAIR_BLOCK, n - i0);                   \
                                                                           \
        bit_slice_codes_##SFX (st, m, w + i0, nb, code, a);                \
        for (unsigned k = 0; k < st->n_slices; k++)                        \
          {                                                                \
            const T base = c->base[k], inv_base = c->inv_base[k];          \
            const T top = c->top[k];                                       \
                                                                           \
            if (st->neurosim)                                              \
              {                                                            \
                const T ns_a = c->ns_a, ns_b = c->ns_b[k];                 \
                T *restrict gk = g[k] + i0;                                \
                                                                           \
                for (size_t i = 0; i < nb; i++)                            \
                  {                                                        \
                    const T q = bit_slice_floor_##SFX (a[i] * inv_base);   \
                    const T d = a[i] - q * base;                           \
                    const T v = (ns_a * d + ns_b) / top * g_max;           \
                                                                           \
                    a[i] = q;                                              \
                    gk[i] = PAIR_CLAMP (v, lo, hi);                        \
                  }                                                        \
              }                                                            \
            else if (st->balanced)                                         \
              {                                                            \
                const T zero = c->zero_us;                                 \
                T *restrict gp = g[2 * k] + i0;                            \
                T *restrict gm = g[2 * k + 1] + i0;                        \
                                                                           \
                for (size_t i = 0; i < nb; i++)                            \
                  {                                                        \
                    const T q = bit_slice_floor_##SFX (a[i] * inv_base);   \
                    const T d = a[i] - q * base;                           \
                    const T x = (g_min_n + d / top * range_n) * g_max;     \
                    const T v = PAIR_CLAMP (x, lo, hi);                    \
                                                                           \
                    a[i] = q;                                              \
                    gp[i] = code[i] > 0 ? v : zero;                        \
                    gm[i] = code[i] < 0 ? v : zero;                        \
                  }                                                        \
              }                                                            \
            else                                                           \
              {                                                            \
                T *restrict gk = g[k] + i0;                                \
                                                                           \
                for (size_t i = 0; i < nb; i++)                            \
                  {                                                        \
                    const T q = bit_slice_floor_##SFX (a[i] * inv_base);   \
                    const T d = a[i] - q * base;                           \
                    const T x = (g_min_n + d / top * range_n) * g_max;     \
                                                                           \
                    a[i] = q;                                              \
                    gk[i] = PAIR_CLAMP (x, lo, hi);                        \
                  }                                                        \
              }                                                            \
          }                                                                \
      }                                                                    \
  }

/* Inverse: per block, the sum over slices of coef_k D_k / R, started by
 * the first slice, then the peer's scaling back, in CrossSim's order.
 * Planes in µS are brought to normalized units by 1 / g_max, and 1 / R is
 * a multiply too: where CrossSim divides, the result differs in the last
 * ulp at most, which no rounding to an integer amplifies on the way back
 * (the forward, where the codes are rounded, divides as CrossSim does),
 * and a division per plane element would keep the inverse from the
 * memory floor. */
#define BIT_SLICE_DEFINE_INVERSE(T, SFX)                                   \
  PAIR_CLONES static void                                                  \
  bit_slice_to_weights_##SFX (const void *state, const double *params,     \
                              const T *const *g, size_t n, T *w)           \
  {                                                                        \
    const BitSliceState *st = state;                                       \
    const BitSliceCoef_##SFX *c = &st->c_##SFX;                            \
    const T inv_g_max = c->inv_g_max, inv_range = c->inv_range_n;          \
    const T two_m = (T) params[BIT_SLICE_PARAM_CLIP_MAX]                   \
                    + (T) params[BIT_SLICE_PARAM_CLIP_MAX];                \
    const T code_offset = (T) params[BIT_SLICE_PARAM_CODE_OFFSET];         \
    const T base = st->reference == BIT_SLICE_REF_MID                      \
      ? (T) params[BIT_SLICE_PARAM_REFERENCE_G] * inv_g_max : c->g_min_n;  \
    const T post = c->post, inv_pow2b = c->inv_pow2b, ratio = c->ratio;    \
                                                                           \
    for (size_t i0 = 0; i0 < n; i0 += PAIR_BLOCK)                          \
      {                                                                    \
        const size_t nb = PAIR_MIN (PAIR_BLOCK, n - i0);                   \
        T *restrict wb = w + i0;                                           \
                                                                           \
        for (unsigned k = 0; k < st->n_slices; k++)                        \
          {                                                                \
            const T coef = c->coef[k];                                     \
                                                                           \
            if (st->balanced)                                              \
              {                                                            \
                const T *restrict gp = g[2 * k] + i0;                      \
                const T *restrict gm = g[2 * k + 1] + i0;                  \
                                                                           \
                if (k == 0)                                                \
                  for (size_t i = 0; i < nb; i++)                          \
                    wb[i] = coef * (gp[i] * inv_g_max - gm[i] * inv_g_max) \
                            * inv_range;                                   \
                else                                                       \
                  for (size_t i = 0; i < nb; i++)                          \
                    wb[i] += coef * (gp[i] * inv_g_max - gm[i] * inv_g_max)\
                             * inv_range;                                  \
              }                                                            \
            else                                                           \
              {                                                            \
                const T *restrict gk = g[k] + i0;                          \
                                                                           \
                if (k == 0)                                                \
                  for (size_t i = 0; i < nb; i++)                          \
                    wb[i] = coef * (gk[i] * inv_g_max - base) * inv_range; \
                else                                                       \
                  for (size_t i = 0; i < nb; i++)                          \
                    wb[i] += coef * (gk[i] * inv_g_max - base) * inv_range;\
              }                                                            \
          }                                                                \
        for (size_t i = 0; i < nb; i++)                                    \
          wb[i] = (wb[i] * post - code_offset) * inv_pow2b / ratio * two_m;\
      }                                                                    \
  }

#define rintf32 rintf
#define rintf64 rint

/* floor(x) of an x >= 0, exact: rint, then one less where it rounded up.
 * GCC vectorises rint but not floor (its vector floor must not raise the
 * inexact flag, which it honours unless -fno-trapping-math). */
#define BIT_SLICE_DEFINE_FLOOR(T, SFX)                                     \
  static inline T                                                          \
  bit_slice_floor_##SFX (T x)                                              \
  {                                                                        \
    const T r = rint##SFX (x);                                             \
                                                                           \
    return r > x ? r - 1 : r;                                              \
  }

BIT_SLICE_DEFINE_FLOOR (float, f32)
BIT_SLICE_DEFINE_FLOOR (double, f64)

BIT_SLICE_DEFINE_CODES (float, f32)
BIT_SLICE_DEFINE_CODES (double, f64)
BIT_SLICE_DEFINE_FORWARD (float, f32)
BIT_SLICE_DEFINE_FORWARD (double, f64)
BIT_SLICE_DEFINE_INVERSE (float, f32)
BIT_SLICE_DEFINE_INVERSE (double, f64)

/* ---- plan and the rest of the ops ----------------------------------------- */

static int
bit_slice_plan (const void *state, const CondmapStats *stats, double *params,
                CondmapContext *ctx)
{
  const BitSliceState *st = state;
  double m;

  if (!peer_clip_max (st->host, ctx, stats, &m))
    return 0;
  params[BIT_SLICE_PARAM_CLIP_MAX] = m;
  params[BIT_SLICE_PARAM_CODE_OFFSET] = st->code_offset;
  bit_slice_reference (st, stats->dtype, params);
  return 1;
}

static unsigned
bit_slice_get_n_planes (const void *state)
{
  const BitSliceState *st = state;

  return st->balanced ? 2 * st->n_slices : st->n_slices;
}

static const char *
bit_slice_get_plane_name (const void *state, unsigned k)
{
  return ((const BitSliceState *) state)->plane_names[k];
}

static const CondmapConverterOps bit_slice_ops = CONDMAP_CONVERTER_OPS (
  bit_slice_get_n_planes, bit_slice_get_plane_name, bit_slice_param_names,
  bit_slice_plan, bit_slice_to_conductances_f32,
  bit_slice_to_conductances_f64, bit_slice_to_weights_f32,
  bit_slice_to_weights_f64);

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, "bit-slice",
                       "a B-bit code per weight split into slices, one "
                       "device or pair per slice (CrossSim BitslicedCore, "
                       "NeuroSim cellBit digits)",
                       PACKAGE_VERSION, bit_slice_settings, bit_slice_create,
                       bit_slice_destroy, &bit_slice_ops)
