/* scaling-private.h - what the files of per-channel scaling and clipping
 * share: the channel layout of an array (channels.c), the statistics and
 * plans per channel (channels.c, plan.c), the clip thresholds and the
 * clamp (clip.c), the exact percentile (select.c), and the element checks
 * the pipeline also uses (element-check.c).  Not installed. */
#ifndef CONDMAP_SCALING_PRIVATE_H
#define CONDMAP_SCALING_PRIVATE_H

#include "condmap-private.h"

G_BEGIN_DECLS

/* ---- channels.c: where each channel's elements are ---------------------- */

/* How a C-ordered array of n elements divides into channels: element i
 * belongs to channel (i / run) % n_channels.  Channel c is the runs
 * [(o n_channels + c) run, + run) for o < outer.  Per tensor: one channel,
 * one run of n.  For axis 0 each channel is one run of n / n_channels. */
typedef struct {
  size_t n;
  size_t n_channels;
  size_t run;
  size_t outer;
} CmChannelLayout;

/* The layout of @conv's scaling for an array of @rank and @shape, whose
 * element count and byte size (@elem_size bytes an element) must not
 * overflow (CONDMAP_ERROR_INPUT otherwise, and for an axis the shape does
 * not have).  @per_tensor ignores the config's scaling. */
gboolean cm_channel_layout_init (CmChannelLayout *layout,
                                 const CondmapConverter *conv,
                                 gboolean per_tensor, unsigned rank,
                                 const size_t *shape, size_t elem_size,
                                 GError **error);

/* A set of elements visited run by run: n_runs runs of @run elements, the
 * first at element @first, each @step after the one before. */
typedef struct {
  size_t first;
  size_t run;
  size_t step;
  size_t n_runs;
} CmView;

/* The elements of channel @c. */
CmView cm_channel_view (const CmChannelLayout *layout, size_t c);
/* The elements [begin, end), as one run. */
CmView cm_view_range (size_t begin, size_t end);

/* Runs @func (job, begin, end, worker) over [0, n) split into at most
 * @n_workers ranges of at least @min_per_worker items, on threads; as
 * cm_run_parallel() but for items that are not elements (channels). */
unsigned cm_run_parallel_items (unsigned n_workers, size_t n,
                                size_t min_per_worker, CmWorkFunc func,
                                gpointer job);

/* The statistics of each channel of @weights (stats[c], c < n_channels):
 * n, min, max, abs_max and range_max (abs_max).  Refuses a non-finite
 * weight (CONDMAP_ERROR_INPUT, naming its flat index).  Then, if @keys
 * clip, the thresholds (thresholds[c], in @dtype's values) and the
 * statistics of the clipped weights: min and max clamped to the
 * threshold, abs_max from them, range_max the threshold. */
gboolean cm_channel_stats (const CondmapConverter *conv,
                           const CmCoreKeys *keys,
                           const CmChannelLayout *layout,
                           CondmapDtype dtype, const void *weights,
                           CondmapStats *stats, double *thresholds,
                           GError **error);

/* ---- pipeline.c --------------------------------------------------------- */

/* condmap_converter_to_conductances() of a 1-D array, per tensor and
 * without clipping whatever the config says: the scheme's mapping itself,
 * as the invertibility probe and the plot's curves need it. */
gboolean cm_converter_map_per_tensor (const CondmapConverter *conv,
                                      CondmapDtype dtype, const void *weights,
                                      size_t n, void *const *planes,
                                      CondmapParams **params_out,
                                      GError **error);

/* ---- plan.c: params per channel ----------------------------------------- */

/* Runs the plugin's plan() once per channel (stats[c]) and returns the
 * params as the kernels read them, n_channels rows of the plugin's
 * n_params in param_names order (g_free()); *params_out gets the named
 * params, one row per channel, with CONDMAP_PARAM_CLIP_THRESHOLD from
 * @thresholds if not NULL. */
double *cm_plan_channels (const CondmapConverter *conv,
                          const CondmapStats *stats, size_t n_channels,
                          const double *thresholds,
                          CondmapParams **params_out, GError **error);
/* The params of a conversion back as rows for the kernels (g_free()):
 * every name the plugin needs, finite, in exactly n_channels rows
 * (CONDMAP_ERROR_INPUT otherwise). */
double *cm_params_to_rows (const CondmapConverter *conv,
                           const CondmapParams *params, size_t n_channels,
                           GError **error);

/* ---- clip.c: thresholds and the clamp ----------------------------------- */

/* The clip threshold of each channel in thresholds[c], a value of @dtype:
 * the smallest of max_abs, sigma times the channel's sample standard
 * deviation (n - 1) and the percentile of its |w|.  @stats are the
 * channel's statistics before clipping. */
void cm_clip_thresholds (const CondmapConverter *conv, const CmCoreKeys *keys,
                         const CmChannelLayout *layout, CondmapDtype dtype,
                         const void *weights, const CondmapStats *stats,
                         double *thresholds);

/* Writes w[0..n) clamped to [-t, t] to out[0..n) (t >= 0, a value of
 * @dtype).  Vectorised. */
void cm_clip_clamp (CondmapDtype dtype, const void *w, size_t n, double t,
                    void *out);

/* ---- select.c: the exact percentile ------------------------------------- */

/* The @percentile-th percentile (in (0, 100]) of |w| over the elements of
 * @view, as np.percentile (np.abs (w), percentile) computes it with its
 * default linear interpolation: exact order statistics found by radix
 * selection over the bit patterns (no sort, no copy), interpolated in
 * double.  A single view is split over @n_workers threads; pass 1 when
 * called from a worker already. */
double cm_select_percentile_abs (CondmapDtype dtype, const void *data,
                                 const CmView *view, double percentile,
                                 unsigned n_workers);

/* ---- element-check.c: finite and in range ------------------------------ */

/* Index of the first element of g[0..n) outside [lo, hi] (NaN included),
 * or n. */
size_t cm_find_outside (CondmapDtype dtype, const void *g, size_t n,
                        double lo, double hi);
/* Index of the first NaN or Inf of g[0..n), or n. */
size_t cm_find_non_finite (CondmapDtype dtype, const void *g, size_t n);
/* data[i] for a message: "NaN", "-Inf" or the number, in @buf. */
const char *cm_describe_value (CondmapDtype dtype, const void *data, size_t i,
                               char *buf, size_t len);

G_END_DECLS

#endif
