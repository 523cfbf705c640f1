/* pair-math.h - what the pair converters (single-pair, n-pair, dual-pair,
 * custom-pair) share: their state, the F-factor rules, the plane names,
 * the scale ratio, the n-pair forward kernels and the pair inverse
 *
 *   w = sum_k F_k (g+_k - g-_k) / s.
 *
 * Built as a libtool convenience library and linked into each pair plugin;
 * nothing here is exported from the plugins (they export only
 * condmap_plugin_get_desc).  Names start with pair_.
 */
#ifndef CONDMAP_PAIR_MATH_H
#define CONDMAP_PAIR_MATH_H

#include "condmap-plugin.h"

G_BEGIN_DECLS

/* aihwkit's guard against an all-zero weight array: s = ... / max(|W|, Z). */
#define PAIR_Z 1e-7

/* Clamp written as a max, then a min, each a select of the exact form
 * `a > b ? a : b` that x86 MAXPS/MINPS implement, so that loops using it
 * vectorise into two instructions (fminf and fmaxf are library calls
 * unless -ffinite-math-only; a nested select costs three compares and two
 * blends).  For every finite x the result is the same as the nested
 * select; a NaN x gives lo.  Requires lo < hi. */
#define PAIR_MAX(a, b) ((a) > (b) ? (a) : (b))
#define PAIR_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PAIR_CLAMP(x, lo, hi) PAIR_MIN (PAIR_MAX (x, lo), hi)

/* Kernels are plain loops; on x86-64 the loader picks a clone compiled
 * for AVX-512 (x86-64-v4) or AVX2 where the CPU has it (four or two times
 * the vector width), elsewhere the baseline one.  configure adds
 * -ffp-contract=off, so no clone fuses a multiply and an add: every clone
 * rounds alike, and results do not depend on the CPU.  Not under
 * ThreadSanitizer, whose runtime is not ready when the ifunc resolvers
 * run. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) \
    && defined(__ELF__) && !defined(__SANITIZE_THREAD__)
#  define PAIR_CLONES \
  __attribute__ ((target_clones ("arch=x86-64-v4", "avx2", "default")))
#else
#  define PAIR_CLONES
#endif

/* The numbers a pair kernel needs, in the arithmetic of one dtype T:
 * they are rounded to T once, at create(), exactly as the reference does
 * its arithmetic in the tensor's dtype. */
#define PAIR_COEF(T)                                                       \
  struct {                                                                 \
    T g_min;      /* µS */                                                 \
    T g_max;      /* µS */                                                 \
    T fr_sum;     /* sum_k F_k (g_max - g_min): the numerator of s */      \
    T *f;         /* F_k, n_pairs of them */                               \
    T *level;     /* L_k = sum_{i<k} F_i (g_max - g_min): what the pairs   \
                     before pair k hold when full (u units) */             \
    T *inv_f;     /* 1 / F_k: a multiply in the kernels, not a divide */   \
  }

/* The state of a pair converter.  custom-pair embeds it as the first
 * member of its own state, so the shared functions below (which take a
 * const void *state, as the descriptor does) work on it as well. */
typedef struct {
  size_t n_pairs;          /* N: 2N planes */
  double *f;               /* the F factors as configured */
  PAIR_COEF (float) c_f32;
  PAIR_COEF (double) c_f64;
  char **plane_names;      /* g_plus_0, g_minus_0, g_plus_1, ...; NULL at
                              the end */
} PairState;

/* The params every pair converter derives: scale_ratio only. */
extern const char *const pair_param_names[];

/* Checks every F factor is finite and > 0 (aihwkit divides by F), with a
 * CONDMAP_ERROR_CONFIG error naming the element on failure. */
gboolean pair_check_factors (CondmapSettings *settings, const char *key,
                             const double *f, size_t n_pairs,
                             GError **error);

/* Fills @state from the bounds (µS) and @f, which it takes (g_free()d by
 * pair_state_clear()).  Cannot fail: the caller has checked the values. */
void pair_state_init (PairState *state, double g_min_us, double g_max_us,
                      double *f, size_t n_pairs);
/* Frees what pair_state_init() allocated, not @state itself. */
void pair_state_clear (PairState *state);

/* create() of n-pair and dual-pair: reads g_min, g_max (defaults 0 and
 * 25 µS) and f_lst (min_f..max_f factors, max_f 0 for no limit), checks
 * the factors and returns a new PairState, or NULL with @error set. */
void *pair_create_n (CondmapSettings *settings, size_t min_f, size_t max_f,
                     GError **error);

/* Descriptor members shared by every pair converter. */
void pair_destroy (void *state);
unsigned pair_get_n_planes (const void *state);
const char *pair_get_plane_name (const void *state, unsigned k);

/* Sets scale_ratio = numerator / max(spread, Z) (aihwkit's guard against
 * an all-equal array), computed in @dtype's arithmetic: float for float32
 * (numerator_f32 is used; @spread must be a float32 value), double for
 * float64 (numerator_f64).  @spread is max |W| for the pair converters,
 * max(W) - min(W) for single-device.  Fails if the result is not finite
 * and > 0, which only extreme bounds in float32 can cause. */
gboolean pair_set_scale_ratio (double numerator_f32, double numerator_f64,
                               double spread, CondmapDtype dtype,
                               CondmapParams *params, GError **error);

/* Checks that the F factors survive rounding to @dtype (an F of 1e-50 is 0
 * in float32), with a CONDMAP_ERROR_INPUT error if not.  For plan(). */
gboolean pair_check_dtype (const PairState *state, CondmapDtype dtype,
                           GError **error);

/* plan() of single-pair, n-pair and dual-pair: s = sum F_k R / max(|W|, Z). */
gboolean pair_plan (const void *state, const CondmapStats *stats,
                    CondmapParams *params, GError **error);

/* The n-pair forward kernels with an explicit scale ratio @s: pair k takes
 * the part of u = s w between L_k and L_k + F_k R, divided by F_k. */
void pair_forward_f32 (const PairState *state, float s,
                       const float *w, size_t n, float *const *g);
void pair_forward_f64 (const PairState *state, double s,
                       const double *w, size_t n, double *const *g);

/* The pair inverse with an explicit scale ratio @s. */
void pair_inverse_f32 (const PairState *state, float s,
                       const float *const *g, size_t n, float *w);
void pair_inverse_f64 (const PairState *state, double s,
                       const double *const *g, size_t n, double *w);

/* The same as descriptor kernels: scale_ratio read from @params. */
void pair_to_conductances_f32 (const void *state, const CondmapParams *params,
                               const float *w, size_t n, float *const *g);
void pair_to_conductances_f64 (const void *state, const CondmapParams *params,
                               const double *w, size_t n, double *const *g);
void pair_to_weights_f32 (const void *state, const CondmapParams *params,
                          const float *const *g, size_t n, float *w);
void pair_to_weights_f64 (const void *state, const CondmapParams *params,
                          const double *const *g, size_t n, double *w);

/* Defines NAME, a descriptor kernel that reads scale_ratio once and
 * hands it to IMPL (state, s, in, n, out); T is the dtype's C type. */
#define PAIR_DEFINE_SCALED(NAME, IMPL, T, IN_T, OUT_T)                     \
  void                                                                     \
  NAME (const void *state, const CondmapParams *params,                    \
        IN_T in, size_t n, OUT_T out)                                      \
  {                                                                        \
    IMPL (state, (T) condmap_params_get (params, "scale_ratio"), in, n,    \
          out);                                                            \
  }

/* Kernels work on blocks of this many elements: the weights of a block
 * stay in L1 while every plane of it is written. */
#define PAIR_BLOCK 512

/* A pair converter's descriptor: everything but create, plan and the
 * forward kernels is shared. */
#define PAIR_PLUGIN_DESC(NAME, DESCRIPTION, CREATE, DESTROY, PLAN,         \
                         FWD32, FWD64)                                     \
  {                                                                        \
    .abi_major = CONDMAP_ABI_MAJOR,                                        \
    .abi_minor = CONDMAP_ABI_MINOR,                                        \
    .struct_size = sizeof (CondmapPluginDesc),                             \
    .name = (NAME),                                                        \
    .description = (DESCRIPTION),                                          \
    .version = PACKAGE_VERSION,                                            \
    .create = (CREATE),                                                    \
    .destroy = (DESTROY),                                                  \
    .get_n_planes = pair_get_n_planes,                                     \
    .get_plane_name = pair_get_plane_name,                                 \
    .param_names = pair_param_names,                                       \
    .plan = (PLAN),                                                        \
    .to_conductances_f32 = (FWD32),                                        \
    .to_conductances_f64 = (FWD64),                                        \
    .to_weights_f32 = pair_to_weights_f32,                                 \
    .to_weights_f64 = pair_to_weights_f64,                                 \
  }

G_END_DECLS

#endif /* CONDMAP_PAIR_MATH_H */
