/* half.c - element conversions between the dtypes of a checkpoint (F16,
 * BF16, F64, little-endian, of any alignment) and the floats the kernels
 * compute in.
 *
 * Every loop is branch-free integer work on the bit patterns (plus one
 * float addition for F16 subnormals), so that the compiler vectorises it
 * with blends.  Loads and stores of the file side go through memcpy(),
 * which compiles to plain (unaligned) loads: tensors in a safetensors
 * file are not aligned to their element size. */
#include <string.h>
#include "condmap-private.h"

static inline uint32_t
float_bits (float f)
{
  uint32_t u;

  memcpy (&u, &f, 4);
  return u;
}

static inline float
bits_float (uint32_t u)
{
  float f;

  memcpy (&f, &u, 4);
  return f;
}

static inline uint16_t
load16 (const guchar *p)
{
  uint16_t v;

  memcpy (&v, p, 2);
  return GUINT16_FROM_LE (v);
}

static inline void
store16 (guchar *p, uint16_t v)
{
  v = GUINT16_TO_LE (v);
  memcpy (p, &v, 2);
}

/* ---- F16 ---------------------------------------------------------------- */

/* All ones if @cond, else 0: selections by mask keep the loops free of
 * branches, which GCC will not vectorise otherwise. */
static inline uint32_t
mask_if (gboolean cond)
{
  return -(uint32_t) (cond != 0);
}

static inline uint32_t
select_bits (uint32_t mask, uint32_t a, uint32_t b)
{
  return (a & mask) | (b & ~mask);
}

/* Exact.  A normal half moves its exponent from bias 15 to bias 127
 * (infinities and NaNs move once more, to the top exponent, keeping their
 * payload bits); a subnormal one, m x 2^-24, is an integer times a power
 * of two, exact in float. */
static inline float
f16_to_f32 (uint16_t h)
{
  uint32_t sign = (uint32_t) (h & 0x8000) << 16;
  uint32_t em = h & 0x7fff;
  uint32_t normal = (em << 13) + ((127 - 15) << 23)
                    + (mask_if (em >= 0x7c00) & ((128 - 16) << 23));
  uint32_t sub = float_bits ((float) em * 0x1p-24f);

  return bits_float (sign | select_bits (mask_if (em >= 0x0400), normal, sub));
}

/* Rounds to nearest even (after F. Giesen's float_to_half_fast3_rtne).
 * At or above 2^16 the result is an infinity (or a NaN); values in
 * [65520, 2^16) round up into the infinity by the normal path, as IEEE
 * 754 says.  Below 2^-14 (subnormal halves) adding 0.5 makes the FPU
 * round at the subnormal's last place, 2^-24, to nearest even. */
static inline uint16_t
f32_to_f16 (float f)
{
  uint32_t x = float_bits (f);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t a = x & 0x7fffffff;
  uint32_t payload = (a & 0x7fffff) >> 13;
  uint32_t nan = 0x7c00 | payload | (payload == 0);
  uint32_t big = select_bits (mask_if (a > 0x7f800000), nan, 0x7c00);
  uint32_t sub = float_bits (bits_float (a) + 0.5f) - float_bits (0.5f);
  uint32_t normal = (a + ((uint32_t) (15 - 127) << 23) + 0xfff
                     + ((a >> 13) & 1)) >> 13;
  uint32_t h = select_bits (mask_if (a >= 0x47800000), big,
                            select_bits (mask_if (a < 0x38800000), sub,
                                         normal));

  return (uint16_t) (sign | h);
}

/* ---- BF16 --------------------------------------------------------------- */

/* BF16 is the top half of a float: exact. */
static inline float
bf16_to_f32 (uint16_t h)
{
  return bits_float ((uint32_t) h << 16);
}

/* Adding 0x7fff plus the lowest kept bit rounds the dropped half to
 * nearest even; a carry out of the largest finite value gives the
 * infinity.  NaNs are only truncated. */
static inline uint16_t
f32_to_bf16 (float f)
{
  uint32_t x = float_bits (f);
  uint32_t top = x >> 16;
  uint32_t nan = top | ((top & 0x7f) == 0);
  uint32_t rounded = (x + 0x7fff + (top & 1)) >> 16;

  return (uint16_t) select_bits (mask_if ((x & 0x7fffffff) > 0x7f800000),
                                 nan, rounded);
}

/* ---- the loops ---------------------------------------------------------- */

/* The clones are static: an ifunc symbol would not survive libtool's
 * export list, so the public functions below call them. */
CM_CLONES static void
f16_to_f32_loop (const guchar *in, float *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = f16_to_f32 (load16 (in + 2 * i));
}

CM_CLONES static void
bf16_to_f32_loop (const guchar *in, float *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = bf16_to_f32 (load16 (in + 2 * i));
}

CM_CLONES static void
f32_to_f16_loop (const float *in, guchar *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    store16 (out + 2 * i, f32_to_f16 (in[i]));
}

CM_CLONES static void
f32_to_bf16_loop (const float *in, guchar *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    store16 (out + 2 * i, f32_to_bf16 (in[i]));
}

/* A C cast rounds to nearest even and overflows to infinity; NaNs keep
 * their sign and leading payload bits (quietened, as the FPU does). */
CM_CLONES static void
f64_to_f32_loop (const guchar *in, float *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      guint64 u;
      double d;

      memcpy (&u, in + 8 * i, 8);
      u = GUINT64_FROM_LE (u);
      memcpy (&d, &u, 8);
      out[i] = (float) d;
    }
}

CM_CLONES static void
f32_to_f64_loop (const float *in, guchar *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      double d = in[i];
      guint64 u;

      memcpy (&u, &d, 8);
      u = GUINT64_TO_LE (u);
      memcpy (out + 8 * i, &u, 8);
    }
}

void
condmap_convert_f16_to_f32 (const void *in, float *out, size_t n)
{
  f16_to_f32_loop (in, out, n);
}

void
condmap_convert_bf16_to_f32 (const void *in, float *out, size_t n)
{
  bf16_to_f32_loop (in, out, n);
}

void
condmap_convert_f64_to_f32 (const void *in, float *out, size_t n)
{
  f64_to_f32_loop (in, out, n);
}

void
condmap_convert_f32_to_f16 (const float *in, void *out, size_t n)
{
  f32_to_f16_loop (in, out, n);
}

void
condmap_convert_f32_to_bf16 (const float *in, void *out, size_t n)
{
  f32_to_bf16_loop (in, out, n);
}

void
condmap_convert_f32_to_f64 (const float *in, void *out, size_t n)
{
  f32_to_f64_loop (in, out, n);
}

/* F32 as stored in a file: a copy, byte-swapped on big-endian hosts. */
static void
f32le_copy (const void *in, void *out, size_t n)
{
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    {
      memmove (out, in, 4 * n);
      return;
    }
  for (size_t i = 0; i < n; i++)
    {
      uint32_t u;

      memcpy (&u, (const guchar *) in + 4 * i, 4);
      u = GUINT32_SWAP_LE_BE (u);
      memcpy ((guchar *) out + 4 * i, &u, 4);
    }
}

gboolean
condmap_tensor_to_f32 (CondmapTensorDtype dtype, const void *in, float *out,
                       size_t n)
{
  switch (dtype)
    {
    case CONDMAP_TENSOR_DTYPE_F64:
      f64_to_f32_loop (in, out, n);
      return TRUE;
    case CONDMAP_TENSOR_DTYPE_F32:
      f32le_copy (in, out, n);
      return TRUE;
    case CONDMAP_TENSOR_DTYPE_F16:
      f16_to_f32_loop (in, out, n);
      return TRUE;
    case CONDMAP_TENSOR_DTYPE_BF16:
      bf16_to_f32_loop (in, out, n);
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
condmap_tensor_from_f32 (CondmapTensorDtype dtype, const float *in, void *out,
                         size_t n)
{
  switch (dtype)
    {
    case CONDMAP_TENSOR_DTYPE_F64:
      f32_to_f64_loop (in, out, n);
      return TRUE;
    case CONDMAP_TENSOR_DTYPE_F32:
      f32le_copy (in, out, n);
      return TRUE;
    case CONDMAP_TENSOR_DTYPE_F16:
      f32_to_f16_loop (in, out, n);
      return TRUE;
    case CONDMAP_TENSOR_DTYPE_BF16:
      f32_to_bf16_loop (in, out, n);
      return TRUE;
    default:
      return FALSE;
    }
}
