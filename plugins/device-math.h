/* device-math.h - the natural logarithm and the exponential as
 * branch-free inline functions, for the loops of the device models: libm's
 * are calls, one element at a time, and a loop that calls them does not
 * vectorise; a loop of these does.  Header only; like the plugins it
 * includes only standard C headers.  Names start with dev_.
 *
 * Both reduce the argument by powers of two and evaluate fdlibm's
 * polynomials (Sun Microsystems' freely distributable libm, e_log.c and
 * e_exp.c), good to about an ulp: the device models' numbers stay within
 * 1e-15 of libm's, far below any noise they model. */
#ifndef CONDMAP_DEVICE_MATH_H
#define CONDMAP_DEVICE_MATH_H

#include <stdint.h>
#include <string.h>

/* The kernels get AVX-512 (x86-64-v4) and AVX2 clones on x86-64, picked
 * when the plugin is loaded; -ffp-contract=off (configure) keeps their
 * rounding alike.  Not under ThreadSanitizer, whose runtime is not ready
 * when ifunc resolvers run. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) \
    && defined(__ELF__) && !defined(__SANITIZE_THREAD__)
#  define DEV_CLONES \
  __attribute__ ((target_clones ("arch=x86-64-v4", "avx2", "default")))
#else
#  define DEV_CLONES
#endif

/* The smallest argument dev_log takes: anything below (zero, a
 * subnormal) is read as this, whose logarithm is about -708. */
#define DEV_LOG_MIN 2.2250738585072014e-308

/* ln x for finite x > 0; x below DEV_LOG_MIN is taken as DEV_LOG_MIN.
 * x = 2^k m with m in [sqrt(1/2), sqrt 2), ln m = ln(1 + f) from
 * s = f / (2 + f). */
static inline double
dev_log (double x)
{
  const double ln2_hi = 6.93147180369123816490e-01;
  const double ln2_lo = 1.90821492927058770002e-10;
  const double lg1 = 6.666666666666735130e-01;
  const double lg2 = 3.999999999940941908e-01;
  const double lg3 = 2.857142874366239149e-01;
  const double lg4 = 2.222219843214978396e-01;
  const double lg5 = 1.818357216161805012e-01;
  const double lg6 = 1.531383769920937332e-01;
  const double lg7 = 1.479819860511658591e-01;
  const uint64_t off = UINT64_C (0x3fe6a09e667f3bcd);    /* sqrt(1/2) */
  double y = x > DEV_LOG_MIN ? x : DEV_LOG_MIN;
  uint64_t bits, tmp;
  int32_t k;
  double m, f, s, z, w, r, hfsq, dk;

  memcpy (&bits, &y, sizeof bits);
  tmp = bits - off;
  k = (int32_t) (tmp >> 32) >> 20;                /* arithmetic shift */
  bits -= tmp & (UINT64_C (0xfff) << 52);
  memcpy (&m, &bits, sizeof m);
  f = m - 1.0;
  dk = (double) k;
  s = f / (2.0 + f);
  z = s * s;
  w = z * z;
  r = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
      + w * (lg2 + w * (lg4 + w * lg6));
  hfsq = 0.5 * f * f;
  return dk * ln2_hi - ((hfsq - (s * (hfsq + r) + dk * ln2_lo)) - f);
}

/* e^x for x in [-708, 709], clamped there (so e^-inf is about 3e-308
 * rather than 0, and no result overflows).  x = k ln 2 + r with
 * |r| <= ln 2 / 2, e^r from fdlibm's rational form, times 2^k. */
static inline double
dev_exp (double x)
{
  const double ln2_hi = 6.93147180369123816490e-01;
  const double ln2_lo = 1.90821492927058770002e-10;
  const double inv_ln2 = 1.44269504088896338700e+00;
  const double shift = 6755399441055744.0;                /* 1.5 2^52 */
  const double p1 = 1.66666666666666019037e-01;
  const double p2 = -2.77777777770155933842e-03;
  const double p3 = 6.61375632143793436117e-05;
  const double p4 = -1.65339022054652515390e-06;
  const double p5 = 4.13813679705723846039e-08;
  double lower = x > -708.0 ? x : -708.0;
  double y = lower < 709.0 ? lower : 709.0;
  /* k = round(y / ln 2): adding 1.5 2^52 rounds to an integer. */
  double kd = (y * inv_ln2 + shift) - shift;
  int32_t k = (int32_t) kd;
  uint64_t scale_bits;
  double hi, lo, r, t, c, scale;

  hi = y - kd * ln2_hi;
  lo = kd * ln2_lo;
  r = hi - lo;
  t = r * r;
  c = r - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))));
  /* 2^k in two halves, so that k down to -1022 - 1 stays normal. */
  scale_bits = (uint64_t) (int64_t) (k + 1023 - 1) << 52;
  memcpy (&scale, &scale_bits, sizeof scale);
  return 2.0 * scale * (1.0 - ((lo - (r * c) / (2.0 - c)) - hi));
}

#endif /* CONDMAP_DEVICE_MATH_H */
