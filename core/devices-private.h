/* devices-private.h - the core's device mathematics: counter-based random
 * numbers, aihwkit's PCM noise model, conductance level sets and
 * level-aware assignment, and times with units.  Generic and independent
 * of the plugin ABI; not installed.  Internal names start with cm_. */
#ifndef CONDMAP_DEVICES_PRIVATE_H
#define CONDMAP_DEVICES_PRIVATE_H

#include <stdint.h>
#include "condmap-private.h"

G_BEGIN_DECLS

/* ---- philox.c: random numbers that do not depend on threads ------------ */

/* Which stream of random numbers: Philox4x32-10 (Random123) is keyed by
 * the 64-bit seed and counts over (element block, draw, plane, tensor),
 * so element i of a stream is a pure function of the key and i, whatever
 * the chunking or the number of threads.  @draw tells apart the
 * quantities drawn for one element (programming noise, drift coefficient,
 * read noise, ...): two draws of one (seed, tensor, plane) are
 * independent. */
typedef struct {
  guint64 seed;
  guint32 tensor;
  guint32 plane;
  guint32 draw;      /* < CM_PHILOX_MAX_DRAWS */
} CmPhiloxKey;

#define CM_PHILOX_MAX_DRAWS 65536u
/* Element indices of a stream are below this (2^50). */
#define CM_PHILOX_MAX_ELEMENTS ((guint64) 1 << 50)

/* Philox blocks per group: the generator computes a group whole, with
 * vectorised loops, and lays its numbers out planar (below). */
#define CM_PHILOX_GROUP 64

/* Fills out[0..n) with standard normals for elements [begin, begin + n)
 * of the stream.  Box-Muller on 32-bit words: element e is lane
 * i = e mod 4G of group e / 4G (G = CM_PHILOX_GROUP), and lane
 * i = k G + j comes from block G (e / 4G) + j: its words (w0, w1) for
 * k = 0, 1 and (w2, w3) for k = 2, 3 become uniforms u = (w + 1/2) 2^-32,
 * inside (0, 1) so log never sees 0, and r = sqrt(-2 ln u_a),
 * theta = 2 pi u_b give r cos theta (even k) and r sin theta (odd k).
 * The logarithm, sine and cosine are the core's own (unit-math.h), within
 * about an ulp of libm's.  |z| < 6.8.  Bit-identical for any chunking.
 * begin + n <= CM_PHILOX_MAX_ELEMENTS. */
void cm_philox_normals (const CmPhiloxKey *key, guint64 begin, size_t n,
                        double *out);

/* Fills out[0..n) with uniforms in (0, 1) for elements [begin, begin + n):
 * lane i = p G + j of group e / 2G (p = 0, 1) comes from words 2p and
 * 2p + 1 of block G (e / 2G) + j, 52 bits of them, u = (k + 1/2) 2^-52,
 * exact in double.  A stream gives either normals or uniforms: use
 * another @draw for the other. */
void cm_philox_uniforms (const CmPhiloxKey *key, guint64 begin, size_t n,
                         double *out);

/* The raw generator, for known-answer tests: Philox4x32-10 of @ctr under
 * @key (Random123's philox4x32()). */
void cm_philox4x32 (const guint32 ctr[4], const guint32 key[2],
                    guint32 out[4]);

/* ---- pcm-noise.c: aihwkit's PCMLikeNoiseModel --------------------------- */

/* aihwkit's defaults (inference/noise/pcm.py, PCMLikeNoiseModel), written
 * once here.  g_max has none: aihwkit takes it from the converter. */
#define CM_PCM_MAX_PROG_COEFF 8
#define CM_PCM_DEFAULT_PROG_COEFF { 0.26348, 1.9650, -1.1731 }
#define CM_PCM_DEFAULT_N_PROG_COEFF 3
#define CM_PCM_DEFAULT_PROG_COEFF_G_MAX_REFERENCE_US 25.0
#define CM_PCM_DEFAULT_T_READ_S 250.0e-9
#define CM_PCM_DEFAULT_T_0_S 20.0
#define CM_PCM_DEFAULT_PROG_NOISE_SCALE 1.0
#define CM_PCM_DEFAULT_READ_NOISE_SCALE 1.0
#define CM_PCM_DEFAULT_DRIFT_SCALE 1.0

/* The draws of one plane element (CmPhiloxKey.draw). */
enum {
  CM_PCM_DRAW_PROG = 0,
  CM_PCM_DRAW_NU = 1,
  CM_PCM_DRAW_READ = 2
};

typedef struct {
  double g_max_us;                    /* the converter's g_max */
  double prog_coeff[CM_PCM_MAX_PROG_COEFF];   /* c_0 + c_1 x + c_2 x^2 ... */
  unsigned n_prog_coeff;
  double prog_coeff_g_max_reference_us;  /* the g_max the fit was made at */
  double t_read_s;                    /* 1/f noise fit */
  double t_0_s;                       /* drift fit: first reading time */
  double prog_noise_scale;
  double read_noise_scale;
  double drift_scale;
} CmPcmModel;

/* Fills @model with aihwkit's defaults for a converter whose g_max is
 * @g_max_us. */
void cm_pcm_model_init (CmPcmModel *model, double g_max_us);

/* Sets explicit programming coefficients (1 <= n <= CM_PCM_MAX_PROG_COEFF)
 * and the g_max they were fitted at; @reference_us NULL means the model's
 * g_max, as aihwkit documents for explicit coefficients. */
void cm_pcm_model_set_prog_coeff (CmPcmModel *model, const double *coeff,
                                  unsigned n, const double *reference_us);

/* Checks every value is finite, g_max, t_0, t_read and the reference > 0
 * and the scales >= 0; CONDMAP_ERROR_CONFIG naming the key otherwise. */
gboolean cm_pcm_model_check (const CmPcmModel *model, GError **error);

/* The programming σ (µS) at @g_target_us: |prog_noise_scale
 * sum_i c_i (g/g_max)^i g_max / reference|.  (aihwkit multiplies the
 * signed polynomial by a symmetric normal, so only its size matters.) */
double cm_pcm_prog_sigma (const CmPcmModel *model, double g_target_us);

/* The normal the drift coefficient is drawn from at @g_target_us, before
 * aihwkit folds it (nu = |mu + sigma z|) and scales it by drift_scale. */
void cm_pcm_drift_normal (const CmPcmModel *model, double g_target_us,
                          double *mu, double *sigma);

/* The 1/f read noise σ at inference time @t_s (seconds after programming
 * ended), relative to |g_drift|, for a device programmed to @g_prog_us:
 * read_noise_scale q_s sqrt(ln((t + t_0 + t_read) / (2 t_read))). */
double cm_pcm_read_sigma (const CmPcmModel *model, double g_prog_us,
                          double t_s);

/* The stages on n elements, given standard normals z[0..n): */
/* g_prog = max(0, g_target + σ_prog(g_target) z). */
void cm_pcm_program (const CmPcmModel *model, const double *g_target,
                     const double *z, size_t n, double *g_prog);
/* nu = drift_scale |mu + sigma z|, from the target. */
void cm_pcm_drift_nu (const CmPcmModel *model, const double *g_target,
                      const double *z, size_t n, double *nu);
/* g_t = max(0, g_drift + |g_drift| σ_read z) with
 * g_drift = g_prog ((t + t_0) / t_0)^-nu (no drift at t = 0). */
void cm_pcm_drift_read (const CmPcmModel *model, double t_s,
                        const double *g_prog, const double *nu,
                        const double *z, size_t n, double *g_t);

/* aihwkit's BaseNoiseModel.apply_noise on one conductance list: for each
 * of the @n_planes planes, program, draw nu from the target, then drift
 * and read at @t_s >= 0 (read noise also at t = 0, i.e. at t_0).  Planes
 * are chunks: pointers offset to element @begin of tensor @tensor, n
 * elements each; the normals are those of (seed, tensor, plane, draw,
 * begin + i), so the outcome does not depend on the chunking.
 * @g_prog (may be NULL) receives the programmed planes, @g_t the planes
 * at t; either may alias @g_target. */
void cm_pcm_apply_noise_f32 (const CmPcmModel *model, guint64 seed,
                             guint32 tensor, double t_s, unsigned n_planes,
                             const float *const *g_target, guint64 begin,
                             size_t n, float *const *g_prog,
                             float *const *g_t);
void cm_pcm_apply_noise_f64 (const CmPcmModel *model, guint64 seed,
                             guint32 tensor, double t_s, unsigned n_planes,
                             const double *const *g_target, guint64 begin,
                             size_t n, double *const *g_prog,
                             double *const *g_t);

/* ---- drift-compensation.c: aihwkit's GlobalDriftCompensation ----------- */

/* Sum of |w| over a chunk, accumulated in double. */
double cm_abs_sum_f32 (const float *w, size_t n);
double cm_abs_sum_f64 (const double *w, size_t n);

/* alpha = max(mean|W_prog|, 1e-4) / max(mean|W_t|, 1e-4): the factor
 * the weights at t are scaled by, W_prog being the weights restored from
 * the programmed conductances (before drift and read noise). */
double cm_drift_compensation_alpha (double mean_abs_prog, double mean_abs_t);

/* ---- levels.c: conductance level sets ----------------------------------- */

/* At most this many levels: more than any device offers. */
#define CM_LEVELS_MAX 65536

typedef enum {
  CM_LEVELS_UNIFORM,  /* N levels from g_min to g_max inclusive */
  CM_LEVELS_LIST      /* an explicit list or a measured table */
} CmLevelsKind;

typedef struct {
  CmLevelsKind kind;
  size_t n;               /* >= 2 */
  double g_min_us;        /* the bounds the levels lie in */
  double g_max_us;
  double step_us;         /* uniform: (g_max - g_min) / (n - 1) */
  float g_min_f32;        /* uniform, float32 arithmetic: (float) g_min */
  float step_f32;         /*   ((float) g_max - (float) g_min) / (n - 1) */
  double *mean_us;        /* n levels, strictly increasing */
  float *mean_f32;        /* the same as float32 planes hold them */
  double *sigma_us;       /* n programming σ, or NULL if not given */
} CmLevels;

/* Uniform levels: g_min + k step, k = 0..n-1.  Refuses n < 2 or
 * > CM_LEVELS_MAX and bounds that are not finite with g_min < g_max
 * (CONDMAP_ERROR_CONFIG, starting with @origin).  Free with
 * cm_levels_free(). */
CmLevels *cm_levels_new_uniform (size_t n, double g_min_us, double g_max_us,
                                 const char *origin, GError **error);

/* An explicit list of n levels (µS) and optionally their programming σ
 * (µS; NULL if not given), copied.  Checks: at least 2 and at most
 * CM_LEVELS_MAX levels, every value finite, ascending without repeats,
 * inside [g_min, g_max], σ >= 0.  Errors are CONDMAP_ERROR_CONFIG,
 * starting "ORIGIN:LINE: " if @lines (one 1-based line per level) is not
 * NULL, else "ORIGIN: level I: " (I from 1). */
CmLevels *cm_levels_new_list (const double *mean_us, const double *sigma_us,
                              size_t n, double g_min_us, double g_max_us,
                              const char *origin, const unsigned *lines,
                              GError **error);
void cm_levels_free (CmLevels *levels);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmLevels, cm_levels_free)

/* The index of the level nearest to @g_us: uniform levels round with
 * rint (a tie goes to the even index), a list takes the lower level on a
 * tie; outside the levels, the end level.  @g_us not NaN. */
size_t cm_levels_nearest (const CmLevels *levels, double g_us);

/* Snaps n values to their nearest level (in may be out).  Uniform:
 * g_min + rint((g - g_min) / step) step in the dtype's arithmetic, the
 * index kept within [0, n-1], exactly as CrossSim's cell_bits; list: the
 * level nearest in double arithmetic (two distances that round alike
 * count as a tie, which goes to the lower level), as the dtype holds it
 * (mean_f32 for float32).  NaN stays NaN. */
void cm_levels_snap_f32 (const CmLevels *levels, const float *in, size_t n,
                         float *out);
void cm_levels_snap_f64 (const CmLevels *levels, const double *in, size_t n,
                         double *out);

/* ---- levels-file.c: measured level tables ------------------------------- */

/* Reads a level table: one level per line, column 1 its mean in µS and
 * an optional column 2 its programming σ in µS (every row alike),
 * separated by a comma; '#' starts a comment, blank lines are skipped, a
 * UTF-8 BOM and CRLF are accepted.  Errors (CONDMAP_ERROR_FORMAT for the
 * text, CONDMAP_ERROR_CONFIG for the levels, CONDMAP_ERROR_IO) name the
 * file, the line and, for a cell, its column.  Free with
 * cm_levels_free(). */
CmLevels *cm_levels_read_file (const char *path, double g_min_us,
                               double g_max_us, GError **error);

/* ---- levels-assign.c: level-aware mapping of multi-pair schemes ------- */

/* Per-plane snapping: each of the 2 n_pairs planes on its own. */
void cm_levels_snap_planes_f32 (const CmLevels *levels, unsigned n_planes,
                                float *const *g, size_t n);
void cm_levels_snap_planes_f64 (const CmLevels *levels, unsigned n_planes,
                                double *const *g, size_t n);

/* Joint assignment for a pair scheme w s = sum_k F_k (g+_k - g-_k): the
 * planes g[2k] (g+_k) and g[2k+1] (g-_k) hold the converter's ideal
 * conductances on entry and levels on return.  Pairs are quantized from
 * the largest F to the smallest (index order among equal F): each pair
 * realises its ideal difference plus the error the pairs before it left
 * (in units of s w), its idle device at the lowest level, rounding toward
 * the nearer level unless only the other one leaves an error the later
 * pairs can still absorb; the last pair takes the nearest level (toward
 * the smaller difference on a tie).  @f holds n_pairs factors > 0. */
void cm_levels_assign_joint_f32 (const CmLevels *levels, const double *f,
                                 size_t n_pairs, float *const *g, size_t n);
void cm_levels_assign_joint_f64 (const CmLevels *levels, const double *f,
                                 size_t n_pairs, double *const *g, size_t n);

/* ---- time-parse.c: times with units ------------------------------------ */

/* Parses a time as the commands take it: "0", or a non-negative decimal
 * number followed by a unit, s (seconds), m (minutes), h (hours), d
 * (days) or y (years of 365 days, as aihwkit's examples count them):
 * "30s", "1.5h", "1d", "1y".  Surrounding spaces are ignored.  A number
 * other than 0 without a unit, a negative or non-finite time and
 * anything else are CONDMAP_ERROR_INPUT. */
gboolean cm_parse_time (const char *text, double *seconds, GError **error);

/* Parses a comma-separated list of times ("0,1h,1d,1y") into a new array
 * of *n (>= 1) seconds, freed with g_free(). */
gboolean cm_parse_times (const char *text, double **seconds, size_t *n,
                         GError **error);

G_END_DECLS

#endif /* CONDMAP_DEVICES_PRIVATE_H */
