/* test-plot.c - what a plot draws, not only that a file appears: figures
 * rendered on image surfaces and looked at pixel by pixel where the
 * layout says a value lands; the ticks; the numbers behind the panels.
 * test-plot-files.c checks the files: SVG paths and bytes, PNG sizes,
 * failures. */
#include <math.h>
#include <string.h>
#include "test-plot.h"

CondmapRuntime *cm_plot_test_rt;

int
cm_plot_test_init (void)
{
  cm_plot_test_rt = cm_test_runtime ();
  return cm_test_tmpdir_init ();
}

int
cm_plot_test_clean (void)
{
  g_clear_pointer (&cm_plot_test_rt, condmap_runtime_unref);
  return cm_test_tmpdir_clean ();
}

CondmapConverter *
cm_plot_test_converter (const char *yaml)
{
  GError *error = NULL;
  CondmapConverter *conv =
    condmap_converter_new_from_yaml (cm_plot_test_rt, yaml, -1, NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  return conv;
}

CondmapPlot *
cm_plot_test_new (const CondmapConverter *conv)
{
  GError *error = NULL;
  CondmapPlot *plot = condmap_plot_new (conv, "test", &error);

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (plot);
  return plot;
}

/* n float64 weights evenly from @lo to @hi. */
CondmapArray *
cm_plot_test_linspace (double lo, double hi, size_t n)
{
  CondmapArray *a = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 1, &n, NULL);
  double *d = condmap_array_get_data (a);

  for (size_t i = 0; i < n; i++)
    d[i] = lo + (hi - lo) * i / (n - 1);
  return a;
}

/* ---- the figure, pixel by pixel ---------------------------------------- */

/* Renders @plot (only plane @only, or all with -1) without antialiasing,
 * so that a curve's pixels have exactly its colour. */
static cairo_surface_t *
render (const CondmapPlot *plot, const CmLayout *layout, int only)
{
  cairo_surface_t *s =
    cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) layout->width,
                                (int) layout->height);
  cairo_t *cr = cairo_create (s);

  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cm_plot_render (plot, layout, cr, only);
  CU_ASSERT_EQUAL (cairo_status (cr), CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

static gboolean
pixel_is (cairo_surface_t *s, int x, int y, CmRgb c)
{
  const unsigned char *data = cairo_image_surface_get_data (s);
  guint32 p;
  int r, g, b;

  if (x < 0 || y < 0 || x >= cairo_image_surface_get_width (s)
      || y >= cairo_image_surface_get_height (s))
    return FALSE;
  p = *(const guint32 *) (data + y * cairo_image_surface_get_stride (s)
                          + 4 * x);
  r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
  return abs (r - (int) lround (c.r * 255)) <= 2
         && abs (g - (int) lround (c.g * 255)) <= 2
         && abs (b - (int) lround (c.b * 255)) <= 2;
}

/* Whether colour @c is within 4 pixels across and 3 down of (x, y): a
 * curve passes there.  The window is longer than any gap of a dash. */
static gboolean
near (cairo_surface_t *s, double x, double y, CmRgb c)
{
  for (int dy = -3; dy <= 3; dy++)
    for (int dx = -4; dx <= 4; dx++)
      if (pixel_is (s, (int) floor (x) + dx, (int) floor (y) + dy, c))
        return TRUE;
  return FALSE;
}

/* Single-pair with g_min 2, g_max 20: at w = 0 both curves are at the
 * g_min row; at w = max g_plus is at the g_max row and g_minus at g_min;
 * at w = -max the other way round; half way, half way. */
static void
test_single_pair_pixels (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: single-pair\ng_min: 2\ng_max: 20\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autoptr (CmLayout) layout = cm_layout_new (plot);
  const CmFrame *f = &layout->panels[0].frame;
  CmRgb plus = cm_plane_colour (0), minus = cm_plane_colour (1);
  cairo_surface_t *s;

  CU_ASSERT_EQUAL_FATAL (layout->panels[0].kind, CM_PANEL_CURVES);
  s = render (plot, layout, 0);
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0), cm_frame_y (f, 2), plus));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 1), cm_frame_y (f, 20), plus));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0.5), cm_frame_y (f, 11), plus));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, -1), cm_frame_y (f, 2), plus));
  CU_ASSERT_FALSE (near (s, cm_frame_x (f, -1), cm_frame_y (f, 20), plus));
  CU_ASSERT_FALSE (near (s, cm_frame_x (f, 1), cm_frame_y (f, 2), plus));
  CU_ASSERT_FALSE (near (s, cm_frame_x (f, 0), cm_frame_y (f, 2), minus));
  cairo_surface_destroy (s);

  s = render (plot, layout, 1);
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0), cm_frame_y (f, 2), minus));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, -1), cm_frame_y (f, 20), minus));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, -0.5), cm_frame_y (f, 11), minus));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 1), cm_frame_y (f, 2), minus));
  CU_ASSERT_FALSE (near (s, cm_frame_x (f, 1), cm_frame_y (f, 20), minus));
  CU_ASSERT_FALSE (near (s, cm_frame_x (f, 0), cm_frame_y (f, 2), plus));
  cairo_surface_destroy (s);

  /* Everything: both rising curves where they should be. */
  s = render (plot, layout, -1);
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0.5), cm_frame_y (f, 11), plus));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, -0.5), cm_frame_y (f, 11), minus));
  cairo_surface_destroy (s);
}

/* g_min and g_max are marked beside the plot area, each plane has a
 * legend entry in its colour, and nothing is drawn at a row no curve or
 * mark reaches. */
static void
test_marks_and_legend (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: dual-pair\ng_min: 5\ng_max: 25\n"
               "f_lst: [1, 3]\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autoptr (CmLayout) layout = cm_layout_new (plot);
  const CmPanel *curves = &layout->panels[0];
  const CmFrame *f = &curves->frame;
  const CmRgb mark = { 0.45, 0.45, 0.45 };
  cairo_surface_t *s = render (plot, layout, -1);
  double right = f->x + f->width;

  CU_ASSERT_EQUAL (plot->n_marks, 2);
  CU_ASSERT_TRUE (near (s, right + 3, cm_frame_y (f, 5), mark));
  CU_ASSERT_TRUE (near (s, right + 3, cm_frame_y (f, 25), mark));
  CU_ASSERT_FALSE (near (s, right + 3, cm_frame_y (f, 15), mark));
  for (unsigned k = 0; k < 4; k++)
    {
      double x, y;

      cm_layout_legend_entry (curves, 4, k, &x, &y);
      CU_ASSERT_TRUE (x > right);
      CU_ASSERT_TRUE (near (s, x + 5, y, cm_plane_colour (k)));
    }
  /* Dual-pair [1, 3]: pair 0 is full (g_max) from w = 0.25 on; pair 1
   * rises from g_min there to g_max at w = 1. */
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0.5), cm_frame_y (f, 25),
                        cm_plane_colour (0)));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0.625), cm_frame_y (f, 15),
                        cm_plane_colour (2)));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, -0.625), cm_frame_y (f, 15),
                        cm_plane_colour (3)));
  cairo_surface_destroy (s);
}

/* With `levels: 5` over [0, 20] µS the levels (0, 5, 10, 15, 20) are
 * ticked inside both edges of the curves' plot area, no tick stands
 * between two levels, and single-pair's g_plus is a staircase: flat on
 * the 10 µS level at w = 0.45 (unsnapped it would be at 9) and on the
 * 5 µS level at w = 0.2 (4). */
static void
test_levels (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: single-pair\ng_min: 0\ng_max: 20\n"
                            "levels: 5\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autoptr (CmLayout) layout = cm_layout_new (plot);
  const CmFrame *f = &layout->panels[0].frame;
  const CmRgb tick = { 0.15, 0.15, 0.15 };
  cairo_surface_t *s = render (plot, layout, 0);
  double left = f->x + CM_LEVEL_TICK / 2;
  double right = f->x + f->width - CM_LEVEL_TICK / 2;

  CU_ASSERT_EQUAL_FATAL (plot->n_levels, 5);
  for (unsigned i = 0; i < 5; i++)
    {
      CU_ASSERT_DOUBLE_EQUAL (plot->levels_us[i], 5.0 * i, 1e-12);
      CU_ASSERT_TRUE (pixel_is (s, (int) left,
                                (int) floor (cm_frame_y (f, 5.0 * i)),
                                tick));
      CU_ASSERT_TRUE (pixel_is (s, (int) right,
                                (int) floor (cm_frame_y (f, 5.0 * i)),
                                tick));
    }
  CU_ASSERT_FALSE (near (s, left, cm_frame_y (f, 7.5), tick));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0.45), cm_frame_y (f, 10),
                        cm_plane_colour (0)));
  CU_ASSERT_FALSE (near (s, cm_frame_x (f, 0.45), cm_frame_y (f, 9),
                         cm_plane_colour (0)));
  CU_ASSERT_TRUE (near (s, cm_frame_x (f, 0.2), cm_frame_y (f, 5),
                        cm_plane_colour (0)));
  cairo_surface_destroy (s);
}

/* An error-budget figure: each scheme's line passes through its mean at
 * each read time, in its colour; the x axis is ticked at the times with
 * their units; weights and planes are refused, and so is a budget on a
 * scheme's plot. */
static void
test_budget (void)
{
  CondmapBudgetTime a[3] = { { 0 } }, b[3] = { { 0 } };
  const double t[3] = { 0, 3600, 86400 };
  const double mean_a[3] = { 0.03, 0.04, 0.05 }, mean_b[3] = { 0.01, 0.015,
                                                                0.02 };
  GError *error = NULL;
  g_autoptr (CondmapPlot) plot = NULL;
  g_autoptr (CmLayout) layout = NULL;
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapPlot) scheme = NULL;
  g_autoptr (CondmapArray) w = cm_plot_test_linspace (-1, 1, 11);
  g_autofree char *label = NULL;
  const CmFrame *f;
  cairo_surface_t *s;

  for (unsigned i = 0; i < 3; i++)
    {
      a[i].time_s = b[i].time_s = t[i];
      a[i].rel_rms_mean = mean_a[i], a[i].rel_rms_std = 0.002;
      b[i].rel_rms_mean = mean_b[i], b[i].rel_rms_std = 0.001;
    }
  plot = condmap_plot_new_budget ("budget", "two schemes", &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_plot_add_budget (plot, "single-pair", a, 3,
                                           &error));
  CU_ASSERT_TRUE (condmap_plot_add_budget (plot, "dual-pair", b, 3, &error));
  CM_ASSERT_NO_ERROR (error);
  layout = cm_layout_new (plot);
  CU_ASSERT_EQUAL_FATAL (layout->n_panels, 1);
  CU_ASSERT_EQUAL (layout->panels[0].kind, CM_PANEL_BUDGET);
  f = &layout->panels[0].frame;
  CU_ASSERT_EQUAL_FATAL (f->x_axis.n_ticks, 3);
  label = cm_axis_tick_label (&f->x_axis, 1);
  CU_ASSERT_STRING_EQUAL (label, "1 h");
  g_free (g_steal_pointer (&label));
  label = cm_axis_tick_label (&f->x_axis, 2);
  CU_ASSERT_STRING_EQUAL (label, "1 d");
  s = render (plot, layout, -1);
  for (unsigned i = 0; i < 3; i++)
    {
      double x = cm_frame_x (f, cm_budget_time_x (t[i]));

      CU_ASSERT_TRUE (near (s, x, cm_frame_y (f, mean_a[i]),
                            cm_plane_colour (0)));
      CU_ASSERT_TRUE (near (s, x, cm_frame_y (f, mean_b[i]),
                            cm_plane_colour (1)));
      CU_ASSERT_FALSE (near (s, x, cm_frame_y (f, mean_a[i]),
                             cm_plane_colour (1)));
    }
  /* Later times lie further right, on a log scale: 1 h to 1 d is closer
   * than 0 to 1 h. */
  CU_ASSERT_TRUE (cm_budget_time_x (86400) - cm_budget_time_x (3600)
                  < cm_budget_time_x (3600) - cm_budget_time_x (0));
  cairo_surface_destroy (s);

  CU_ASSERT_FALSE (condmap_plot_add_weights (plot, w, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_plot_add_budget (plot, "none", a, 0, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  conv = cm_plot_test_converter ("converter: single-pair\n");
  scheme = cm_plot_test_new (conv);
  CU_ASSERT_FALSE (condmap_plot_add_budget (scheme, "x", a, 3, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

/* The layout mapping: the ends of each axis are the edges of the plot
 * area, y grows downwards. */
static void
test_frame_mapping (void)
{
  CmFrame f = { .x = 100, .y = 50, .width = 400, .height = 200 };

  cm_axis_init_linear (&f.x_axis, -2, 2, 5);
  cm_axis_init_log (&f.y_axis, 1, 1000);
  CU_ASSERT_DOUBLE_EQUAL (cm_frame_x (&f, -2), 100, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL (cm_frame_x (&f, 2), 500, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL (cm_frame_x (&f, 0), 300, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL (cm_frame_y (&f, 1), 250, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL (cm_frame_y (&f, 1000), 50, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL (cm_frame_y (&f, 10), 250 - 200.0 / 3, 1e-9);
}

/* ---- ticks ------------------------------------------------------------- */

static void
assert_labels (const CmAxis *axis, const char *const *want, unsigned n)
{
  CU_ASSERT_EQUAL_FATAL (axis->n_ticks, n);
  for (unsigned i = 0; i < n; i++)
    {
      g_autofree char *label = cm_axis_tick_label (axis, i);

      if (strcmp (label, want[i]) != 0)
        g_printerr ("  tick %u: '%s', want '%s'\n", i, label, want[i]);
      CU_ASSERT_STRING_EQUAL (label, want[i]);
    }
}

#define MINUS "\xe2\x88\x92"

static void
test_nice_ticks (void)
{
  static const char *const unit[] = { MINUS "1.0", MINUS "0.5", "0.0", "0.5",
                                       "1.0" };
  static const char *const us[] = { "0", "5", "10", "15", "20", "25" };
  static const char *const tiny[] = { MINUS "1.0", MINUS "0.5", "0.0", "0.5",
                                      "1.0" };
  static const char *const counts[] = { "1", "10", "100", "1000",
                                        "10<sup>4</sup>" };
  g_autofree char *suffix = NULL;
  CmAxis axis;
  int e;

  CU_ASSERT_EQUAL (cm_nice_step (1.0, 5, &e), 2);
  CU_ASSERT_EQUAL (e, -1);
  CU_ASSERT_EQUAL (cm_nice_step (25.0, 6, &e), 5);
  CU_ASSERT_EQUAL (e, 0);
  CU_ASSERT_EQUAL (cm_nice_step (0.9, 1, &e), 1);
  CU_ASSERT_EQUAL (e, 0);
  CU_ASSERT_EQUAL (cm_nice_step (3e-7, 10, &e), 2);
  CU_ASSERT_EQUAL (e, -8);

  cm_axis_init_linear (&axis, -1.04, 1.04, 4);
  assert_labels (&axis, unit, 5);
  CU_ASSERT_EQUAL (axis.ticks[2], 0.0);
  CU_ASSERT_EQUAL (axis.ticks[3], 0.5);
  cm_axis_init_linear (&axis, -1.5, 26.5, 6);
  assert_labels (&axis, us, 6);
  /* Tiny values share a factor written in the axis label. */
  cm_axis_init_linear (&axis, -1.2e-7, 1.2e-7, 4);
  assert_labels (&axis, tiny, 5);
  suffix = cm_axis_label_suffix (&axis);
  CU_ASSERT_STRING_EQUAL (suffix, " (\xc3\x97" "10<sup>" MINUS "7</sup>)");
  cm_axis_init_log (&axis, 0.7, 20000);
  assert_labels (&axis, counts, 5);
  /* An empty range is widened, not divided by. */
  cm_axis_init_linear (&axis, 3, 3, 5);
  CU_ASSERT_TRUE (axis.lo < 3 && axis.hi > 3 && axis.n_ticks >= 2);
}

/* ---- the numbers behind the panels ----------------------------------- */

/* The sweep covers the weights' [min, max] exactly, holds w = 0, and
 * converts as the layer does: single-device puts min w at g_min and
 * max w at g_max. */
static void
test_sweep_covers_the_weights (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: single-device\n"
                            "g_min: 10\ng_max: 50\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autoptr (CondmapArray) w = cm_plot_test_linspace (-0.3, 0.8, 1000);
  const double *data = condmap_array_peek_data (w);
  GError *error = NULL;
  gboolean has_zero = FALSE;

  CU_ASSERT_EQUAL (plot->w[0], -1);
  CU_ASSERT_EQUAL (plot->w[plot->n_sweep - 1], 1);
  CU_ASSERT_FALSE (plot->data_range);
  CU_ASSERT_TRUE_FATAL (condmap_plot_add_weights (plot, w, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (plot->data_range);
  CU_ASSERT_EQUAL (plot->w[0], data[0]);
  CU_ASSERT_EQUAL (plot->w[plot->n_sweep - 1], data[999]);
  for (size_t i = 0; i < plot->n_sweep; i++)
    {
      has_zero |= plot->w[i] == 0;
      if (i > 0)
        CU_ASSERT_TRUE (plot->w[i] > plot->w[i - 1]);
    }
  CU_ASSERT_TRUE (has_zero);
  CU_ASSERT_DOUBLE_EQUAL (plot->planes[0].g_us[0], 10, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL (plot->planes[0].g_us[plot->n_sweep - 1], 50, 1e-9);
}

/* Single-pair on 101 weights evenly in [-1, 1]: the 51 weights <= 0 put
 * g_plus at g_min, the first bin; every weight is counted once; the round
 * trip of float64 weights is exact to rounding. */
static void
test_histograms (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: single-pair\ng_min: 0\ng_max: 25\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autoptr (CondmapArray) w = cm_plot_test_linspace (-1, 1, 101);
  g_autoptr (CmLayout) layout = NULL;
  GError *error = NULL;
  guint64 total = 0;

  CU_ASSERT_TRUE_FATAL (condmap_plot_add_weights (plot, w, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (plot->planes[0].hist.counts[0], 51);
  CU_ASSERT_EQUAL (plot->planes[1].hist.counts[0], 51);
  /* the top bin: w = 1 only (0.98 gives 24.5 µS, bin 58) */
  CU_ASSERT_EQUAL (plot->planes[0].hist.counts[59], 1);
  CU_ASSERT_EQUAL (plot->planes[0].hist.lo, 0);
  CU_ASSERT_EQUAL (plot->planes[0].hist.hi, 25);
  for (unsigned b = 0; b < plot->weights.n_bins; b++)
    total += plot->weights.counts[b];
  CU_ASSERT_EQUAL (total, 101);
  CU_ASSERT_TRUE (plot->round_trip.max_abs < 1e-14);
  for (unsigned b = 0; b < plot->round_trip.n_bins; b++)
    CU_ASSERT_TRUE (plot->round_trip.min[b] > plot->round_trip.max[b]
                    || fabs (plot->round_trip.max[b]) < 1e-14);

  /* The panels: curves, weights, round trip, and one per plane. */
  layout = cm_layout_new (plot);
  CU_ASSERT_EQUAL_FATAL (layout->n_panels, 5);
  CU_ASSERT_EQUAL (layout->panels[1].kind, CM_PANEL_WEIGHTS);
  CU_ASSERT_EQUAL (layout->panels[2].kind, CM_PANEL_ROUND_TRIP);
  CU_ASSERT_EQUAL (layout->panels[3].kind, CM_PANEL_PLANE);
  CU_ASSERT_EQUAL (layout->panels[4].plane, 1);
  CU_ASSERT_EQUAL (layout->panels[3].frame.y_axis.scale, CM_SCALE_LOG);
}

/* The planes of a conversion, as OUTDIR holds them: histograms of those
 * planes, curves over the weights they restore to. */
static void
test_add_planes (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: dual-pair\nf_lst: [1, 3]\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autoptr (CondmapArray) w = cm_plot_test_linspace (-0.5, 2, 200);
  g_autoptr (CondmapParams) params = NULL;
  CondmapArray *planes[4];
  const CondmapArray *const *cplanes = (const CondmapArray *const *) planes;
  void *data[4];
  size_t n = 200;
  GError *error = NULL;

  for (unsigned k = 0; k < 4; k++)
    {
      planes[k] = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 1, &n, NULL);
      data[k] = condmap_array_get_data (planes[k]);
    }
  CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances
                        (conv, CONDMAP_DTYPE_FLOAT64,
                         condmap_array_peek_data (w), n, data, &params,
                         &error));
  CU_ASSERT_TRUE (condmap_plot_add_planes (plot, cplanes, params, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_DOUBLE_EQUAL (plot->w[0], -0.5, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL (plot->w[plot->n_sweep - 1], 2, 1e-12);
  CU_ASSERT_EQUAL (plot->weights.n_bins, 0);
  CU_ASSERT_EQUAL (plot->planes[3].hist.n_bins, 60);

  /* Planes that are not alike are refused. */
  condmap_array_free (planes[2]);
  n = 199;
  planes[2] = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 1, &n, NULL);
  CU_ASSERT_FALSE (condmap_plot_add_planes (plot, cplanes, params, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  for (unsigned k = 0; k < 4; k++)
    condmap_array_free (planes[k]);
}

int
main (void)
{
  CU_pSuite suite;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  suite = CU_add_suite ("plot", cm_plot_test_init, cm_plot_test_clean);
  CU_add_test (suite, "single-pair curves land on their pixels",
               test_single_pair_pixels);
  CU_add_test (suite, "levels are ticked, the curves step between them",
               test_levels);
  CU_add_test (suite, "error budgets over time", test_budget);
  CU_add_test (suite, "g_min and g_max marked, a legend entry per plane",
               test_marks_and_legend);
  CU_add_test (suite, "data to device coordinates", test_frame_mapping);
  CU_add_test (suite, "ticks at 1, 2, 5 times a power of ten",
               test_nice_ticks);
  CU_add_test (suite, "the sweep covers the weights",
               test_sweep_covers_the_weights);
  CU_add_test (suite, "histograms and round trip", test_histograms);
  CU_add_test (suite, "the planes of a conversion", test_add_planes);
  cm_plot_test_add_file_tests (suite);
  return cm_test_run ();
}
