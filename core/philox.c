/* philox.c - random numbers that do not depend on threads or chunking.
 *
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1,
 * 2, 3", SC 2011; Random123's header-only implementation) maps a 128-bit
 * counter under a 64-bit key to 128 random bits.  The key is the seed;
 * the counter is (element block, draw, plane, tensor), so every element's
 * numbers come from its own block and any split of an element range
 * gives the same bits.  Each block is computed whole, by one function, so
 * that no chunk boundary can change how a number is computed. */
#include <math.h>
#include <Random123/philox.h>
#include "devices-private.h"

#define TWO_PI 6.283185307179586476925286766559
#define TWO_POW_M32 (1.0 / 4294967296.0)          /* 2^-32 */
#define TWO_POW_M52 (1.0 / 4503599627370496.0)    /* 2^-52 */

void
cm_philox4x32 (const guint32 ctr[4], const guint32 key[2], guint32 out[4])
{
  philox4x32_ctr_t c = { { ctr[0], ctr[1], ctr[2], ctr[3] } };
  philox4x32_key_t k = { { key[0], key[1] } };
  philox4x32_ctr_t r = philox4x32 (c, k);

  for (int i = 0; i < 4; i++)
    out[i] = r.v[i];
}

/* The 128 bits of block @block of the stream.  Counter word 1 holds the
 * block's bits 32..47 and the draw; CM_PHILOX_MAX_ELEMENTS keeps blocks
 * below 2^48. */
static inline philox4x32_ctr_t
stream_block (const CmPhiloxKey *key, guint64 block)
{
  philox4x32_ctr_t c = { { (guint32) block,
                           (guint32) (block >> 32) | (key->draw << 16),
                           key->plane, key->tensor } };
  philox4x32_key_t k = { { (guint32) key->seed,
                           (guint32) (key->seed >> 32) } };

  return philox4x32 (c, k);
}

/* u = (w + 1/2) 2^-32: exact in double, inside [2^-33, 1 - 2^-33]. */
static inline double
open_uniform_32 (guint32 w)
{
  return ((double) w + 0.5) * TWO_POW_M32;
}

/* The four normals of a block.  Not inlined: every element is computed by
 * this one piece of machine code, whichever loop asks for it. */
static G_GNUC_NO_INLINE void
normal_block (const CmPhiloxKey *key, guint64 block, double z[4])
{
  philox4x32_ctr_t r = stream_block (key, block);

  for (int p = 0; p < 2; p++)
    {
      double radius = sqrt (-2.0 * log (open_uniform_32 (r.v[2 * p])));
      double theta = TWO_PI * open_uniform_32 (r.v[2 * p + 1]);

      z[2 * p] = radius * cos (theta);
      z[2 * p + 1] = radius * sin (theta);
    }
}

/* The two uniforms of a block, 52 bits each: (k + 1/2) 2^-52 is exact and
 * inside [2^-53, 1 - 2^-53]. */
static G_GNUC_NO_INLINE void
uniform_block (const CmPhiloxKey *key, guint64 block, double u[2])
{
  philox4x32_ctr_t r = stream_block (key, block);

  for (int p = 0; p < 2; p++)
    {
      guint64 k = ((guint64) (r.v[2 * p] & 0xfffffu) << 32) | r.v[2 * p + 1];

      u[p] = ((double) k + 0.5) * TWO_POW_M52;
    }
}

/* Fills out[0..n) with elements [begin, begin + n) of a stream whose
 * blocks hold PER elements each, computed by @block_func. */
static void
fill (const CmPhiloxKey *key, guint64 begin, size_t n, double *out,
      unsigned per, void (*block_func) (const CmPhiloxKey *, guint64,
                                        double *))
{
  double tmp[4];
  guint64 i = begin, end = begin + n;

  g_return_if_fail (key != NULL && key->draw < CM_PHILOX_MAX_DRAWS);
  g_return_if_fail (begin <= CM_PHILOX_MAX_ELEMENTS
                    && n <= CM_PHILOX_MAX_ELEMENTS - begin);
  while (i < end)
    {
      guint64 block = i / per;
      unsigned lane = (unsigned) (i % per);
      size_t take = (size_t) MIN ((guint64) (per - lane), end - i);

      if (lane == 0 && take == per)
        block_func (key, block, out);
      else
        {
          block_func (key, block, tmp);
          for (size_t j = 0; j < take; j++)
            out[j] = tmp[lane + j];
        }
      out += take;
      i += take;
    }
}

void
cm_philox_normals (const CmPhiloxKey *key, guint64 begin, size_t n,
                   double *out)
{
  fill (key, begin, n, out, 4, normal_block);
}

void
cm_philox_uniforms (const CmPhiloxKey *key, guint64 begin, size_t n,
                    double *out)
{
  fill (key, begin, n, out, 2, uniform_block);
}
