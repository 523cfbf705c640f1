/* philox.c - random numbers that do not depend on threads or chunking.
 *
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1,
 * 2, 3", SC 2011; Random123's header-only implementation) maps a 128-bit
 * counter under a 64-bit key to 128 random bits.  The key is the seed;
 * the counter is (element block, draw, plane, tensor), so every element's
 * numbers come from its own block and any split of an element range
 * gives the same bits.
 *
 * Speed: simulate draws three normals per device, so this is the hot loop
 * of every device model.  Numbers are made a group of GROUP blocks at a
 * time, by loops over arrays that the compiler vectorises (Philox's
 * 32 x 32 -> 64 bit products, then Box-Muller with the branch-free
 * logarithm and sine/cosine of unit-math.h).  A group is always computed
 * whole, by the same code, and a chunk that starts or ends inside a group
 * copies its part from a whole one: no chunk boundary can change how a
 * number is computed. */
#include <math.h>
#include <string.h>
#include <Random123/philox.h>
#include "devices-private.h"
#include "unit-math.h"

#define TWO_POW_M32 (1.0 / 4294967296.0)          /* 2^-32 */
#define TWO_POW_M52 (1.0 / 4503599627370496.0)    /* 2^-52 */

/* Philox blocks per group: 256 normals, 2 KiB of doubles. */
#define GROUP CM_PHILOX_GROUP

void
cm_philox4x32 (const guint32 ctr[4], const guint32 key[2], guint32 out[4])
{
  philox4x32_ctr_t c = { { ctr[0], ctr[1], ctr[2], ctr[3] } };
  philox4x32_key_t k = { { key[0], key[1] } };
  philox4x32_ctr_t r = philox4x32 (c, k);

  for (int i = 0; i < 4; i++)
    out[i] = r.v[i];
}

/* The words of blocks [GROUP g, GROUP (g + 1)), planar: word k of block
 * GROUP g + j at w[k][j].  Counter word 1 holds the block's bits 32..47
 * and the draw; CM_PHILOX_MAX_ELEMENTS keeps blocks below 2^48. */
CM_CLONES static void
words_group (const CmPhiloxKey *key, guint64 g, guint32 w[4][GROUP])
{
  const philox4x32_key_t k = { { (guint32) key->seed,
                                 (guint32) (key->seed >> 32) } };
  const guint64 first = g * GROUP;

  for (unsigned j = 0; j < GROUP; j++)
    {
      const guint64 block = first + j;
      philox4x32_ctr_t c = { { (guint32) block,
                               (guint32) (block >> 32) | (key->draw << 16),
                               key->plane, key->tensor } };
      philox4x32_ctr_t r = philox4x32 (c, k);

      w[0][j] = r.v[0];
      w[1][j] = r.v[1];
      w[2][j] = r.v[2];
      w[3][j] = r.v[3];
    }
}

/* Box-Muller on the words (a[j], b[j]): u = (w + 1/2) 2^-32, exact in
 * double and inside [2^-33, 1 - 2^-33], so the logarithm never sees 0;
 * r = sqrt(-2 ln u_a), theta = 2 pi u_b; c[j] = r cos theta and
 * s[j] = r sin theta. */
CM_CLONES static void
box_muller (const guint32 *restrict a, const guint32 *restrict b,
            double *restrict c, double *restrict s)
{
  for (unsigned j = 0; j < GROUP; j++)
    {
      double u = ((double) a[j] + 0.5) * TWO_POW_M32;
      double v = ((double) b[j] + 0.5) * TWO_POW_M32;
      double r = sqrt (-2.0 * cm_log_unit (u));
      double cos_v, sin_v;

      cm_cos_sin_turn (v, &cos_v, &sin_v);
      c[j] = r * cos_v;
      s[j] = r * sin_v;
    }
}

/* The 4 GROUP normals of group @g: z[k GROUP + j] for word pair k / 2 of
 * block GROUP g + j, the cosine for even k, the sine for odd k. */
static void
normal_group (const CmPhiloxKey *key, guint64 g, double *z)
{
  guint32 w[4][GROUP];

  words_group (key, g, w);
  box_muller (w[0], w[1], z, z + GROUP);
  box_muller (w[2], w[3], z + 2 * GROUP, z + 3 * GROUP);
}

/* The 2 GROUP uniforms of group @g: u[p GROUP + j] from words 2p and
 * 2p + 1 of block GROUP g + j, 52 bits of them: (k + 1/2) 2^-52 is exact
 * and inside [2^-53, 1 - 2^-53]. */
static void
uniform_group (const CmPhiloxKey *key, guint64 g, double *u)
{
  guint32 w[4][GROUP];

  words_group (key, g, w);
  for (unsigned p = 0; p < 2; p++)
    for (unsigned j = 0; j < GROUP; j++)
      {
        guint64 k = ((guint64) (w[2 * p][j] & 0xfffffu) << 32)
                    | w[2 * p + 1][j];

        u[p * GROUP + j] = ((double) k + 0.5) * TWO_POW_M52;
      }
}

/* Fills out[0..n) with elements [begin, begin + n) of a stream whose
 * groups hold PER elements each, computed by @group_func. */
static void
fill (const CmPhiloxKey *key, guint64 begin, size_t n, double *out,
      unsigned per, void (*group_func) (const CmPhiloxKey *, guint64,
                                        double *))
{
  double tmp[4 * GROUP];
  guint64 i = begin, end = begin + n;

  g_return_if_fail (key != NULL && key->draw < CM_PHILOX_MAX_DRAWS);
  g_return_if_fail (begin <= CM_PHILOX_MAX_ELEMENTS
                    && n <= CM_PHILOX_MAX_ELEMENTS - begin);
  g_assert (per <= G_N_ELEMENTS (tmp));
  while (i < end)
    {
      guint64 g = i / per;
      unsigned lane = (unsigned) (i % per);
      size_t take = (size_t) MIN ((guint64) (per - lane), end - i);

      if (lane == 0 && take == per)
        group_func (key, g, out);
      else
        {
          group_func (key, g, tmp);
          memcpy (out, tmp + lane, take * sizeof (double));
        }
      out += take;
      i += take;
    }
}

void
cm_philox_normals (const CmPhiloxKey *key, guint64 begin, size_t n,
                   double *out)
{
  fill (key, begin, n, out, 4 * GROUP, normal_group);
}

void
cm_philox_uniforms (const CmPhiloxKey *key, guint64 begin, size_t n,
                    double *out)
{
  fill (key, begin, n, out, 2 * GROUP, uniform_group);
}
