/* plot.c - the plot object: what a converter does, sampled through the
 * conversions (on a sweep of weights, and the round trip), so that any
 * converter can be drawn and none has to expose anything for it.  The
 * sweep is mapped per tensor and unclipped (cm_converter_map_per_tensor):
 * the curves are the scheme's, whatever `scaling` and `clip` say.
 *
 * The sweep holds SWEEP_POINTS weights from its low to its high end, both
 * included, and w = 0 when it lies inside: the pipeline derives a
 * conversion's params from the min, max and max |w| of its input, so a
 * sweep over a layer's [min w, max w] is converted exactly as the layer
 * is. */
#include "plot-private.h"
#include "scaling-private.h"

#define SWEEP_POINTS 401        /* 400 steps: hits a 9- or 17-point grid */
#define WEIGHT_BINS 60
#define PLANE_BINS 60
#define ERROR_BINS 120

/* The sampled curves before they replace a plot's. */
typedef struct {
  size_t n;
  double *w;
  double **g_us;        /* n_planes arrays of n */
  unsigned n_planes;
} Sweep;

static void
sweep_clear (Sweep *s)
{
  for (unsigned k = 0; s->g_us != NULL && k < s->n_planes; k++)
    g_free (s->g_us[k]);
  g_clear_pointer (&s->g_us, g_free);
  g_clear_pointer (&s->w, g_free);
}

static gboolean
sweep_sample (Sweep *s, const CondmapConverter *conv, double lo, double hi,
              GError **error)
{
  gboolean add_zero = lo < 0 && hi > 0;
  size_t j = 0;

  s->n_planes = condmap_converter_get_n_planes (conv);
  s->n = SWEEP_POINTS;
  s->w = g_new (double, SWEEP_POINTS + 1);
  for (size_t i = 0; i < SWEEP_POINTS; i++)
    {
      double w = i == SWEEP_POINTS - 1 ? hi
                 : lo + (hi - lo) * ((double) i / (SWEEP_POINTS - 1));

      /* w = 0 exactly, where the pair schemes turn from g_minus to g_plus */
      if (add_zero && w >= 0)
        {
          add_zero = FALSE;
          if (w != 0)
            s->w[j++] = 0, s->n++;
        }
      s->w[j++] = w;
    }
  s->g_us = g_new0 (double *, s->n_planes);
  for (unsigned k = 0; k < s->n_planes; k++)
    s->g_us[k] = g_new (double, s->n);
  /* The scheme's curves: per tensor and unclipped, whatever the config's
   * scaling and clip do to an array. */
  if (!cm_converter_map_per_tensor (conv, CONDMAP_DTYPE_FLOAT64, s->w, s->n,
                                    (void *const *) s->g_us, NULL, error))
    {
      g_prefix_error (error, "cannot sample the curves of %s: ",
                      condmap_converter_get_name (conv));
      sweep_clear (s);
      return FALSE;
    }
  return TRUE;
}

/* Replaces the plot's curves by @s's, which it takes. */
static void
install_sweep (CondmapPlot *plot, Sweep *s, gboolean data_range)
{
  g_free (plot->w);
  plot->w = g_steal_pointer (&s->w);
  plot->n_sweep = s->n;
  for (unsigned k = 0; k < plot->n_planes; k++)
    {
      g_free (plot->planes[k].g_us);
      plot->planes[k].g_us = g_steal_pointer (&s->g_us[k]);
    }
  plot->data_range = data_range;
  sweep_clear (s);
}

/* A budget figure has no scheme to add weights or planes to. */
static gboolean
budget_plot_refuses (GError **error)
{
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "an error-budget plot takes budgets "
               "(condmap_plot_add_budget()), not weights or planes");
  return FALSE;
}

CondmapPlot *
condmap_plot_new (const CondmapConverter *conv, const char *title,
                  GError **error)
{
  g_autofree char *config = NULL;
  CondmapPlot *plot;
  Sweep s = { 0 };

  g_return_val_if_fail (conv != NULL, NULL);

  if (!sweep_sample (&s, conv, -1, 1, error))
    return NULL;
  plot = g_new0 (CondmapPlot, 1);
  plot->conv = conv;
  config = condmap_converter_dup_config_yaml (conv);
  /* Pango takes UTF-8 only; a file name may be anything. */
  plot->title = g_utf8_make_valid (title ? title
                                   : condmap_converter_get_name (conv), -1);
  plot->subtitle = g_strdup_printf ("converter %s: %s",
                                    condmap_converter_get_name (conv),
                                    config);
  plot->has_bounds = condmap_converter_get_bounds (conv, &plot->g_min_us,
                                                   &plot->g_max_us);
  if (plot->has_bounds)
    {
      plot->marks[plot->n_marks++] = (CmMark) { plot->g_min_us,
                                                "g<sub>min</sub>" };
      plot->marks[plot->n_marks++] = (CmMark) { plot->g_max_us,
                                                "g<sub>max</sub>" };
    }
  plot->levels_us = condmap_converter_get_level_values (conv,
                                                        &plot->n_levels);
  plot->n_planes = s.n_planes;
  plot->planes = g_new0 (CmPlotPlane, plot->n_planes);
  for (unsigned k = 0; k < plot->n_planes; k++)
    plot->planes[k].name =
      g_strdup (condmap_converter_get_plane_name (conv, k));
  install_sweep (plot, &s, FALSE);
  return plot;
}

void
condmap_plot_free (CondmapPlot *plot)
{
  if (plot == NULL)
    return;
  for (unsigned k = 0; k < plot->n_planes; k++)
    {
      g_free (plot->planes[k].name);
      g_free (plot->planes[k].g_us);
      cm_histogram_clear (&plot->planes[k].hist);
    }
  g_free (plot->planes);
  g_free (plot->w);
  g_free (plot->title);
  g_free (plot->subtitle);
  g_free (plot->planes_what);
  cm_histogram_clear (&plot->weights);
  cm_error_band_clear (&plot->round_trip);
  if (plot->budgets != NULL)
    g_ptr_array_unref (plot->budgets);
  g_free (plot);
}

/* [lo, hi] made wide enough to bin: all-equal data gets a unit span. */
static void
binnable (double *lo, double *hi)
{
  if (*hi > *lo)
    return;
  *lo -= 0.5;
  *hi += 0.5;
}

/* Fills each plane's histogram from @data (n elements each), over
 * [g_min, g_max] and whatever lies outside it (measured planes may). */
static void
fill_plane_histograms (CondmapPlot *plot, CondmapDtype dtype,
                       const void *const *data, size_t n)
{
  double lo = plot->has_bounds ? plot->g_min_us : G_MAXDOUBLE;
  double hi = plot->has_bounds ? plot->g_max_us : -G_MAXDOUBLE;

  for (unsigned k = 0; k < plot->n_planes; k++)
    {
      double a, b;

      cm_data_range (dtype, data[k], n, &a, &b);
      lo = MIN (lo, a);
      hi = MAX (hi, b);
    }
  binnable (&lo, &hi);
  for (unsigned k = 0; k < plot->n_planes; k++)
    cm_histogram_fill (&plot->planes[k].hist, dtype, data[k], n, lo, hi,
                       PLANE_BINS);
  g_free (plot->planes_what);
  plot->planes_what = g_strdup_printf ("%" G_GSIZE_FORMAT " devices", n);
}

/* K new arrays of n elements of @dtype; their data in *data_out. */
static GPtrArray *
new_planes (unsigned K, CondmapDtype dtype, size_t n, void ***data_out,
            GError **error)
{
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);

  *data_out = g_new0 (void *, K);
  for (unsigned k = 0; k < K; k++)
    {
      CondmapArray *a = condmap_array_new (dtype, 1, &n, error);

      if (a == NULL)
        return NULL;
      g_ptr_array_add (planes, a);
      (*data_out)[k] = condmap_array_get_data (a);
    }
  return g_steal_pointer (&planes);
}

gboolean
condmap_plot_add_weights (CondmapPlot *plot, const CondmapArray *weights,
                          GError **error)
{
  CondmapDtype dtype = condmap_array_get_dtype (weights);
  size_t n = condmap_array_get_n (weights);
  const void *w = condmap_array_peek_data (weights);
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapArray) back = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autofree void **data = NULL;
  double lo, hi;
  Sweep s = { 0 };

  g_return_val_if_fail (plot != NULL && weights != NULL, FALSE);
  if (plot->conv == NULL)
    return budget_plot_refuses (error);

  /* The conversion refuses empty and non-finite weights first. */
  if ((planes = new_planes (plot->n_planes, dtype, n, &data, error)) == NULL
      || !condmap_converter_to_conductances_shaped (
           plot->conv, dtype, condmap_array_get_rank (weights),
           condmap_array_get_shape (weights), w, data, &params, error)
      || (back = condmap_array_new (dtype, 1, &n, error)) == NULL
      || !condmap_converter_to_weights_shaped (
           plot->conv, dtype, condmap_array_get_rank (weights),
           condmap_array_get_shape (weights), (const void *const *) data,
           params, condmap_array_get_data (back), error))
    return FALSE;
  cm_data_range (dtype, w, n, &lo, &hi);
  if (!sweep_sample (&s, plot->conv, lo, hi, error))
    return FALSE;
  install_sweep (plot, &s, TRUE);
  binnable (&lo, &hi);
  cm_histogram_fill (&plot->weights, dtype, w, n, lo, hi, WEIGHT_BINS);
  cm_error_band_fill (&plot->round_trip, dtype, w,
                      condmap_array_peek_data (back), n, lo, hi, ERROR_BINS);
  fill_plane_histograms (plot, dtype, (const void *const *) data, n);
  return TRUE;
}

/* The planes must be alike: one dtype, one length. */
static gboolean
check_planes (const CondmapPlot *plot, const CondmapArray *const *planes,
              GError **error)
{
  for (unsigned k = 0; k < plot->n_planes; k++)
    {
      if (planes[k] == NULL)
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "plane %u (%s) is missing: converter %s has %u "
                       "planes", k, plot->planes[k].name,
                       condmap_converter_get_name (plot->conv),
                       plot->n_planes);
          return FALSE;
        }
      if (condmap_array_get_dtype (planes[k])
          != condmap_array_get_dtype (planes[0])
          || condmap_array_get_n (planes[k])
             != condmap_array_get_n (planes[0]))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "plane %s differs from plane %s in dtype or size: "
                       "the planes of one conversion have one dtype and "
                       "one length",
                       plot->planes[k].name, plot->planes[0].name);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
condmap_plot_add_planes (CondmapPlot *plot, const CondmapArray *const *planes,
                         const CondmapParams *params, GError **error)
{
  g_autofree const void **data = NULL;
  g_autoptr (CondmapArray) back = NULL;
  CondmapDtype dtype;
  size_t n;
  double lo, hi;
  Sweep s = { 0 };

  g_return_val_if_fail (plot != NULL && planes != NULL && params != NULL,
                        FALSE);
  if (plot->conv == NULL)
    return budget_plot_refuses (error);

  if (!check_planes (plot, planes, error))
    return FALSE;
  dtype = condmap_array_get_dtype (planes[0]);
  n = condmap_array_get_n (planes[0]);
  data = g_new0 (const void *, plot->n_planes);
  for (unsigned k = 0; k < plot->n_planes; k++)
    data[k] = condmap_array_peek_data (planes[k]);
  if ((back = condmap_array_new (dtype, 1, &n, error)) == NULL
      || !condmap_converter_to_weights_shaped (
           plot->conv, dtype, condmap_array_get_rank (planes[0]),
           condmap_array_get_shape (planes[0]), data, params,
           condmap_array_get_data (back), error))
    return FALSE;
  cm_data_range (dtype, condmap_array_peek_data (back), n, &lo, &hi);
  if (!sweep_sample (&s, plot->conv, lo, hi, error))
    return FALSE;
  install_sweep (plot, &s, TRUE);
  fill_plane_histograms (plot, dtype, data, n);
  return TRUE;
}

gboolean
condmap_plot_scheme (const CondmapConverter *conv,
                     const CondmapArray *weights, const char *title,
                     const char *path, GError **error)
{
  g_autoptr (CondmapPlot) plot = condmap_plot_new (conv, title, error);

  return plot != NULL
         && (weights == NULL
             || condmap_plot_add_weights (plot, weights, error))
         && condmap_plot_write (plot, path, error);
}
