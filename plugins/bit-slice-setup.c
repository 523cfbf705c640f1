/* bit-slice-setup.c - the rules between bit-slice's settings, the slice
 * widths, the numbers its kernels use and its reference devices (the
 * settings table and the kernels are in bit-slice.c). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bit-slice.h"

/* The width of every slice for `slices: N`, as CrossSim makes it: B / N
 * when N divides B; otherwise ceil((B - 1) / N) for balanced slices (the
 * sign takes no slice bit) and ceil(B / N) for offset ones.  The last
 * slice keeps the quotient, which then always fits in its width. */
static unsigned
bit_slice_width (unsigned B, unsigned N, int balanced)
{
  if (B % N == 0)
    return B / N;
  return balanced ? (B - 1 + N - 1) / N : (B + N - 1) / N;
}

/* Fills bits[] and n_slices from slices and slice_bits; returns 0 after
 * an error.  slice_bits, when given, lists one width per slice: the
 * sidecar records every key with its default filled in, so `slices` is
 * always there on restore and the two must agree rather than exclude
 * each other. */
static int
bit_slice_read_widths (BitSliceState *st, const CondmapHost *host,
                       CondmapContext *ctx)
{
  const unsigned B = st->weight_bits;
  const int64_t N = host->get_integer (ctx, "slices");
  const double *b;
  unsigned sum = 0;
  size_t n;

  if (N > (int64_t) B)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "slices",
                   "slices = %lld must be <= weight_bits (%u): every slice "
                   "holds at least one bit of the code", (long long) N, B);
      return 0;
    }
  st->n_slices = (unsigned) N;
  if (!host->has (ctx, "slice_bits"))
    {
      if (st->neurosim && B % N != 0)
        {
          host->error (ctx, CONDMAP_ERROR_CONFIG, "slices",
                       "with quantizer: neurosim, slices = %lld must divide "
                       "weight_bits (%u): NeuroSim's cells all hold the "
                       "same number of bits (cellBit = weight_bits / "
                       "slices), and it drops the bits of the code they do "
                       "not cover; use a number of slices that divides %u, "
                       "or slice_bits", (long long) N, B, B);
          return 0;
        }
      for (unsigned i = 0; i < st->n_slices; i++)
        st->bits[i] = bit_slice_width (B, st->n_slices, st->balanced);
      return 1;
    }

  b = host->get_number_list (ctx, "slice_bits", &n);
  for (size_t i = 0; i < n; i++)
    if (b[i] != floor (b[i]))
      {
        host->error (ctx, CONDMAP_ERROR_CONFIG, "slice_bits",
                     "slice_bits[%zu] = %g must be a whole number of bits",
                     i, b[i]);
        return 0;
      }
  if (n != (size_t) N)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "slice_bits",
                   "slice_bits lists %zu widths but slices is %lld: give "
                   "one width per slice (slices: %zu)", n, (long long) N, n);
      return 0;
    }
  for (size_t i = 0; i < n; i++)
    {
      st->bits[i] = (unsigned) b[i];
      sum += st->bits[i];
    }
  if (sum != B)
    {
      host->error (ctx, CONDMAP_ERROR_CONFIG, "slice_bits",
                   "the slices hold %u bits in all but weight_bits is %u: "
                   "slice_bits must add up to weight_bits", sum, B);
      return 0;
    }
  return 1;
}

/* The rules between style, quantizer and reference; returns 0 after an
 * error. */
static int
bit_slice_read_style (BitSliceState *st, const CondmapHost *host,
                      CondmapContext *ctx)
{
  const char *reference = host->get_string (ctx, "reference");

  st->balanced = strcmp (host->get_string (ctx, "style"), "balanced") == 0;
  st->neurosim = strcmp (host->get_string (ctx, "quantizer"), "neurosim") == 0;
  st->reference = strcmp (reference, "mid") == 0 ? BIT_SLICE_REF_MID
                  : strcmp (reference, "column") == 0 ? BIT_SLICE_REF_COLUMN
                  : BIT_SLICE_REF_DIGITAL;
  if (st->neurosim && st->balanced)
    host->error (ctx, CONDMAP_ERROR_CONFIG,
                 host->has (ctx, "style") ? "style" : "quantizer",
                 "quantizer: neurosim needs style: offset: NeuroSim maps "
                 "every slice to one device with an offset, it has no "
                 "balanced slices");
  else if (st->balanced && st->reference != BIT_SLICE_REF_DIGITAL)
    host->error (ctx, CONDMAP_ERROR_CONFIG, "reference",
                 "reference: %s applies to style: offset only: a balanced "
                 "slice subtracts its own negative device; remove "
                 "reference or set style: offset", reference);
  else if (st->neurosim && st->reference == BIT_SLICE_REF_COLUMN)
    host->error (ctx, CONDMAP_ERROR_CONFIG, "reference",
                 "reference: column is CrossSim's unit column, which stands "
                 "for the code 2^(B-1); NeuroSim's codes are centred on "
                 "(2^B - 1) / 2: use reference: mid (its dummy column) or "
                 "digital");
  else if (!st->neurosim && st->reference == BIT_SLICE_REF_MID)
    host->error (ctx, CONDMAP_ERROR_CONFIG, "reference",
                 "reference: mid stands for the code (2^B - 1) / 2, the "
                 "centre of NeuroSim's codes (quantizer: neurosim); "
                 "CrossSim's offset codes are centred on 2^(B-1): use "
                 "reference: column or digital");
  else
    return 1;
  return 0;
}

/* Rounds the numbers of the kernels to T.  Powers of two and 2^b - 1
 * (b <= 32) are exact in double; the peers compute the rest in double
 * (Python floats) and round it to the array's type, as here. */
#define BIT_SLICE_DEFINE_COEF_INIT(T, SFX)                                 \
  static void                                                              \
  bit_slice_coef_init_##SFX (BitSliceState *st, int equal)                 \
  {                                                                        \
    BitSliceCoef_##SFX *c = &st->c_##SFX;                                  \
    const PeerRange *r = &st->range;                                       \
    const int B = (int) st->weight_bits;                                   \
    const double half = ldexp (1.0, B - 1);                                \
                                                                           \
    c->g_min_n = (T) r->g_min_n;                                           \
    c->range_n = (T) r->range_n;                                           \
    c->g_min_us = (T) r->g_min_us;                                         \
    c->g_max_us = (T) r->g_max_us;                                         \
    c->zero_us = c->g_min_n * c->g_max_us;                                 \
    c->inv_g_max = (T) (1.0 / r->g_max_us);                                \
    c->inv_range_n = (T) (1.0 / r->range_n);                               \
    c->pow2b = (T) ldexp (1.0, B);                                         \
    c->inv_pow2b = (T) ldexp (1.0, -B);                                    \
    c->half = (T) half;                                                    \
    c->ratio = st->neurosim ? (T) 1 : (T) ((half - 1.0) / half);           \
    c->post = equal ? (T) (ldexp (1.0, (int) st->bits[0]) - 1.0) : (T) 1;  \
    c->ns_a = (T) (1.0 - r->g_min_n);                                      \
    for (unsigned k = 0; k < st->n_slices; k++)                            \
      {                                                                    \
        const double base = ldexp (1.0, (int) st->bits[k]);                \
        const double below = ldexp (1.0, (int) st->offsets[k]);            \
                                                                           \
        c->base[k] = (T) base;                                             \
        c->inv_base[k] = k + 1 < st->n_slices ? (T) (1.0 / base) : (T) 0;  \
        c->top[k] = (T) (base - 1.0);                                      \
        c->coef[k] = equal ? (T) below : (T) (below * (base - 1.0));       \
        c->ns_b[k] = (T) ((base - 1.0) * r->g_min_n);                      \
      }                                                                    \
  }

BIT_SLICE_DEFINE_COEF_INIT (float, f32)
BIT_SLICE_DEFINE_COEF_INIT (double, f64)

void *
bit_slice_create (const CondmapHost *host, CondmapContext *ctx)
{
  BitSliceState *st = calloc (1, sizeof (BitSliceState));
  int equal = 1;

  if (st == NULL)
    {
      host->error (ctx, CONDMAP_ERROR_FAILED, NULL, "out of memory");
      return NULL;
    }
  st->host = host;
  st->weight_bits = (unsigned) host->get_integer (ctx, "weight_bits");
  peer_range_init (&st->range, host, ctx);
  if (!bit_slice_read_style (st, host, ctx)
      || !bit_slice_read_widths (st, host, ctx))
    {
      free (st);
      return NULL;
    }
  for (unsigned k = 0; k < st->n_slices; k++)
    {
      st->offsets[k] = k == 0 ? 0 : st->offsets[k - 1] + st->bits[k - 1];
      equal = equal && st->bits[k] == st->bits[0];
      if (st->balanced)
        {
          snprintf (st->plane_names[2 * k], BIT_SLICE_PLANE_NAME_SIZE,
                    "g_plus_%u", k);
          snprintf (st->plane_names[2 * k + 1], BIT_SLICE_PLANE_NAME_SIZE,
                    "g_minus_%u", k);
        }
      else
        snprintf (st->plane_names[k], BIT_SLICE_PLANE_NAME_SIZE, "g_%u", k);
    }
  /* Equal widths are read back in CrossSim's order, (2^b - 1) applied
   * once after the sum; unequal ones with it inside (README 4.7). */
  bit_slice_coef_init_f32 (st, equal);
  bit_slice_coef_init_f64 (st, equal);
  if (st->balanced || st->reference == BIT_SLICE_REF_MID)
    st->code_offset = 0.0;
  else if (st->neurosim)
    st->code_offset = (ldexp (1.0, (int) st->weight_bits) - 1.0) / 2.0;
  else
    st->code_offset = ldexp (1.0, (int) st->weight_bits - 1);
  return st;
}

void
bit_slice_destroy (void *state)
{
  free (state);
}

/* The conductance of the reference devices, in T's arithmetic as the
 * kernels would map them. */
#define BIT_SLICE_DEFINE_REFERENCE(T, SFX)                                 \
  static double                                                            \
  bit_slice_reference_##SFX (const BitSliceState *st, unsigned slice,      \
                             double digit)                                 \
  {                                                                        \
    const BitSliceCoef_##SFX *c = &st->c_##SFX;                            \
    const T top = c->top[slice];                                           \
    T v;                                                                   \
                                                                           \
    if (st->reference == BIT_SLICE_REF_MID)                                \
      /* NeuroSim's dummy column: (2^c - 1)(1 + G_min) / 2 in its units,  \
       * where G_max is 2^c - 1. */                                        \
      v = (T) ((double) top * (1.0 + st->range.g_min_n) / 2.0) / top       \
          * c->g_max_us;                                                   \
    else                                                                   \
      v = (c->g_min_n + (T) digit / top * c->range_n) * c->g_max_us;       \
    return PAIR_CLAMP (v, c->g_min_us, c->g_max_us);                       \
  }

BIT_SLICE_DEFINE_REFERENCE (float, f32)
BIT_SLICE_DEFINE_REFERENCE (double, f64)

void
bit_slice_reference (const BitSliceState *st, CondmapDtype dtype,
                     double *params)
{
  const int f32 = dtype == CONDMAP_DTYPE_FLOAT32;
  const unsigned last = st->n_slices - 1;
  unsigned j = 0;
  double digit;

  params[BIT_SLICE_PARAM_REFERENCE_G] = 0.0;
  params[BIT_SLICE_PARAM_REFERENCE_SLICE] = -1.0;
  if (st->balanced || st->reference == BIT_SLICE_REF_DIGITAL)
    return;
  if (st->reference == BIT_SLICE_REF_MID)
    {
      params[BIT_SLICE_PARAM_REFERENCE_G] =
        f32 ? bit_slice_reference_f32 (st, last, 0.0)
            : bit_slice_reference_f64 (st, last, 0.0);
      return;
    }
  /* The column stands for the offset 2^(B-1): one digit in the slice that
   * holds bit B - 1.  With N b = B that is 2^(b-1) in the last slice, as
   * CrossSim's unit column; otherwise CrossSim puts 2^(b-1) in the last
   * slice all the same, which stands for 2^(N b - 1) (README 4.5): here
   * the column stands for the true offset. */
  while (j < last && st->offsets[j + 1] <= st->weight_bits - 1)
    j++;
  digit = ldexp (1.0, (int) (st->weight_bits - 1 - st->offsets[j]));
  params[BIT_SLICE_PARAM_REFERENCE_G] =
    f32 ? bit_slice_reference_f32 (st, j, digit)
        : bit_slice_reference_f64 (st, j, digit);
  params[BIT_SLICE_PARAM_REFERENCE_SLICE] = (double) j;
}
