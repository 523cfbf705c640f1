/* pair-math.h - what the pair converters (single-pair, n-pair, dual-pair,
 * custom-pair) share: their state, the f_lst declaration, the plane
 * names, the scale ratio, the n-pair forward kernels and the pair inverse
 *
 *   w = sum_k F_k (g+_k - g-_k) / s.
 *
 * Built as a libtool convenience library and linked into each plugin;
 * nothing here is exported from the plugins (they export only
 * condmap_plugin_get_desc).  Like the plugins, it includes only
 * condmap-plugin.h and standard C headers.  Names start with pair_.
 */
#ifndef CONDMAP_PAIR_MATH_H
#define CONDMAP_PAIR_MATH_H

#include <math.h>
#include <stddef.h>
#include "condmap-plugin.h"

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
 * run.  The one definition for plugins: the core's CM_CLONES is the same
 * attribute, in a private header a plugin cannot include. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) \
    && defined(__ELF__) && !defined(__SANITIZE_THREAD__)
#  define PAIR_CLONES \
  __attribute__ ((target_clones ("arch=x86-64-v4", "avx2", "default")))
#else
#  define PAIR_CLONES
#endif

/* Kernels work on blocks of this many elements: the weights of a block
 * stay in L1 while every plane of it is written. */
#define PAIR_BLOCK 512

/* The F factors of n-pair, dual-pair and custom-pair: between MIN_LEN and
 * MAX_LEN (0: no limit) of them, each > 0 (aihwkit divides by F, and a
 * pair's current cannot be weighted negatively).  The core checks all
 * of it before create(). */
#define PAIR_SETTING_F_LST(min_len, max_len, doc)                          \
  { "f_lst", CONDMAP_SETTING_NUMBER_LIST, "", 0.0, NULL, 0.0, HUGE_VAL,    \
    (min_len), (max_len),                                                  \
    CONDMAP_SETTING_REQUIRED | CONDMAP_SETTING_MIN_EXCLUSIVE, (doc), NULL }

/* The params every pair converter derives, and their index in the params
 * array (single-device appends w_min). */
extern const char *const pair_param_names[];
enum { PAIR_PARAM_SCALE_RATIO = 0 };

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

/* Room for "g_minus_" and any size_t in decimal. */
#define PAIR_PLANE_NAME_SIZE 32

/* The state of a pair converter.  custom-pair embeds it as the first
 * member of its own state, so the shared functions below (which take a
 * const void *state, as the ops do) work on it as well. */
typedef struct {
  const CondmapHost *host; /* for errors in plan(), which gets no host */
  size_t n_pairs;          /* N: 2N planes */
  double *f;               /* the F factors as configured */
  PAIR_COEF (float) c_f32;
  PAIR_COEF (double) c_f64;
  /* g_plus_0, g_minus_0, g_plus_1, ...: 2N of them */
  char (*plane_names)[PAIR_PLANE_NAME_SIZE];
} PairState;

/* Fills @state, zeroed by the caller, from the bounds (µS) and a copy of
 * @f.  Returns 1, or 0 after an error through @host if memory runs out;
 * either way pair_state_clear() frees what it allocated.  The values have
 * been checked: the core by the declared settings, the caller the rest. */
int pair_state_init (PairState *state, const CondmapHost *host,
                     CondmapContext *ctx, double g_min_us, double g_max_us,
                     const double *f, size_t n_pairs);
/* Frees what pair_state_init() allocated, not @state itself. */
void pair_state_clear (PairState *state);

/* A new PairState from g_min, g_max and the @n_pairs factors @f, or NULL
 * after an error through @host: create() of single-pair (F = [1]). */
void *pair_create (const CondmapHost *host, CondmapContext *ctx,
                   const double *f, size_t n_pairs);
/* create() of n-pair and dual-pair: pair_create() with f_lst. */
void *pair_create_n (const CondmapHost *host, CondmapContext *ctx);

/* Ops shared by every pair converter. */
void pair_destroy (void *state);
unsigned pair_get_n_planes (const void *state);
const char *pair_get_plane_name (const void *state, unsigned k);

/* Sets params[PAIR_PARAM_SCALE_RATIO] = numerator / max(spread, Z)
 * (aihwkit's guard against an all-equal array), computed in @dtype's
 * arithmetic: float for float32 (numerator_f32 is used; @spread must be a
 * float32 value), double for float64 (numerator_f64).  @spread is max |W|
 * for the pair converters, max(W) - min(W) for single-device.  Returns 1,
 * or 0 after an error through @host if the result is not finite and > 0,
 * which only extreme bounds in float32 can cause. */
int pair_set_scale_ratio (const CondmapHost *host, CondmapContext *ctx,
                          double numerator_f32, double numerator_f64,
                          double spread, CondmapDtype dtype, double *params);

/* Checks that the F factors survive rounding to @dtype (an F of 1e-50 is 0
 * in float32); returns 1, or 0 after a CONDMAP_ERROR_INPUT error.  For
 * plan(). */
int pair_check_dtype (const PairState *state, CondmapDtype dtype,
                      CondmapContext *ctx);

/* plan() of single-pair, n-pair and dual-pair: s = sum F_k R / max(|W|, Z). */
int pair_plan (const void *state, const CondmapStats *stats, double *params,
               CondmapContext *ctx);

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

/* The same as ops kernels: the scale ratio is params[0]. */
void pair_to_conductances_f32 (const void *state, const double *params,
                               const float *w, size_t n, float *const *g);
void pair_to_conductances_f64 (const void *state, const double *params,
                               const double *w, size_t n, double *const *g);
void pair_to_weights_f32 (const void *state, const double *params,
                          const float *const *g, size_t n, float *w);
void pair_to_weights_f64 (const void *state, const double *params,
                          const double *const *g, size_t n, double *w);

/* Defines NAME, an ops kernel that hands the scale ratio to
 * IMPL (state, s, in, n, out); T is the dtype's C type. */
#define PAIR_DEFINE_SCALED(NAME, IMPL, T, IN_T, OUT_T)                     \
  void                                                                     \
  NAME (const void *state, const double *params,                           \
        IN_T in, size_t n, OUT_T out)                                      \
  {                                                                        \
    IMPL (state, (T) params[PAIR_PARAM_SCALE_RATIO], in, n, out);          \
  }

/* The plugins' get_interface(): the joint level assignment interface
 * (CONDMAP_INTERFACE_LEVEL_PAIRS) for a state that starts with a
 * PairState, NULL for any other URI. */
const void *pair_get_interface (const char *uri);

#endif /* CONDMAP_PAIR_MATH_H */
