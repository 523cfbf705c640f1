/* unit-math.h - the logarithm of a number in (0, 1) and the cosine and
 * sine of a fraction of a turn, as branch-free inline functions that the
 * compiler vectorises in a loop (libm's are calls, one element at a time).
 * Generic; not installed.
 *
 * Both reduce the argument exactly and evaluate fdlibm's polynomials
 * (Sun Microsystems' freely distributable libm, e_log.c, k_sin.c and
 * k_cos.c), which are good to about one unit in the last place.  No
 * fused multiply-add is used (-ffp-contract=off), so every CPU and every
 * vector width rounds alike. */
#ifndef CONDMAP_UNIT_MATH_H
#define CONDMAP_UNIT_MATH_H

#include <stdint.h>
#include <string.h>

/* ln u for a normal double u in (0, 1] (the callers pass at least 2^-53).
 * u = 2^k m with m in [sqrt(1/2), sqrt(2)), then ln m = ln(1 + f) from
 * s = f / (2 + f) as fdlibm does. */
static inline double
cm_log_unit (double u)
{
  static const double ln2_hi = 6.93147180369123816490e-01;
  static const double ln2_lo = 1.90821492927058770002e-10;
  static const double lg1 = 6.666666666666735130e-01;
  static const double lg2 = 3.999999999940941908e-01;
  static const double lg3 = 2.857142874366239149e-01;
  static const double lg4 = 2.222219843214978396e-01;
  static const double lg5 = 1.818357216161805012e-01;
  static const double lg6 = 1.531383769920937332e-01;
  static const double lg7 = 1.479819860511658591e-01;
  /* The bits of sqrt(1/2): subtracting them puts the exponent of u's
   * reduced range in the top bits. */
  const uint64_t off = UINT64_C (0x3fe6a09e667f3bcd);
  uint64_t bits, tmp;
  int32_t k;
  double m, f, s, z, w, t1, t2, r, hfsq, dk;

  memcpy (&bits, &u, sizeof bits);
  tmp = bits - off;
  k = (int32_t) (tmp >> 32) >> 20;               /* arithmetic: k <= 0 */
  bits -= tmp & (UINT64_C (0xfff) << 52);
  memcpy (&m, &bits, sizeof m);                  /* in [sqrt(1/2), sqrt 2) */
  f = m - 1.0;
  dk = (double) k;
  s = f / (2.0 + f);
  z = s * s;
  w = z * z;
  t1 = w * (lg2 + w * (lg4 + w * lg6));
  t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
  r = t2 + t1;
  hfsq = 0.5 * f * f;
  return dk * ln2_hi - ((hfsq - (s * (hfsq + r) + dk * ln2_lo)) - f);
}

/* cos(2 pi v) and sin(2 pi v) for v in [0, 1].  t = 4 v is split exactly
 * into its nearest quarter turn q and x = (t - q) pi / 2 in
 * [-pi/4, pi/4], where the polynomials hold. */
static inline void
cm_cos_sin_turn (double v, double *cos_out, double *sin_out)
{
  static const double half_pi = 1.57079632679489661923;
  static const double s1 = -1.66666666666666324348e-01;
  static const double s2 = 8.33333333332248946124e-03;
  static const double s3 = -1.98412698298579493134e-04;
  static const double s4 = 2.75573137070700676789e-06;
  static const double s5 = -2.50507602534068634195e-08;
  static const double s6 = 1.58969099521155010221e-10;
  static const double c1 = 4.16666666666666019037e-02;
  static const double c2 = -1.38888888888741095749e-03;
  static const double c3 = 2.48015872894767294178e-05;
  static const double c4 = -2.75573143513906633035e-07;
  static const double c5 = 2.08757232129817482790e-09;
  static const double c6 = -1.13596475577881948265e-11;
  double t = 4.0 * v;
  int32_t q = (int32_t) (t + 0.5);               /* t >= 0: round half up */
  double x = (t - (double) q) * half_pi;
  double z = x * x, hz = 0.5 * z, w = 1.0 - hz;
  double sr = s2 + z * (s3 + z * (s4 + z * (s5 + z * s6)));
  double sx = x + z * x * (s1 + z * sr);
  double cr = z * (c1 + z * (c2 + z * (c3 + z * (c4 + z * (c5 + z * c6)))));
  double cx = w + (((1.0 - w) - hz) + z * cr);
  /* Quarter turn q: cos = cx, -sx, -cx, sx; sin = sx, cx, -sx, -cx. */
  double a = (q & 1) ? sx : cx;
  double b = (q & 1) ? cx : sx;

  *cos_out = ((q + 1) & 2) ? -a : a;
  *sin_out = (q & 2) ? -b : b;
}

#endif /* CONDMAP_UNIT_MATH_H */
