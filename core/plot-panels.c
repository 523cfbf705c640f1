/* plot-panels.c - what each panel draws: the transfer curves with their
 * legend and marks, the weight histogram, the round-trip error and each
 * plane's conductance histogram. */
#include <math.h>
#include "plot-private.h"

/* Markers along each curve; each plane's are shifted so that curves lying
 * on one another still show every plane's marker. */
#define MARKERS_PER_CURVE 8

static void
set_rgb (cairo_t *cr, CmRgb c, double alpha)
{
  cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
}

static void
panel_title (CmPaint *paint, const CmPanel *panel, const char *markup)
{
  cairo_set_source_rgb (paint->cr, 0.1, 0.1, 0.1);
  cm_draw_text (paint, CM_TEXT_PANEL, markup, panel->frame.x,
                panel->frame.y - 8, 0, 1, FALSE,
                panel->x + panel->width - panel->frame.x - 4);
}

/* The conductance of plane k at weight @w, interpolated between sweep
 * points as the curve is drawn. */
static double
curve_at (const CondmapPlot *plot, unsigned k, double w)
{
  const double *g = plot->planes[k].g_us;
  size_t i = 1;

  while (i < plot->n_sweep - 1 && plot->w[i] < w)
    i++;
  if (plot->w[i] == plot->w[i - 1])
    return g[i];
  return g[i - 1] + (g[i] - g[i - 1]) * (w - plot->w[i - 1])
                    / (plot->w[i] - plot->w[i - 1]);
}

static void
draw_curve (cairo_t *cr, const CondmapPlot *plot, const CmFrame *f,
            unsigned k)
{
  const double *g = plot->planes[k].g_us;
  double lo = plot->w[0], hi = plot->w[plot->n_sweep - 1];

  set_rgb (cr, cm_plane_colour (k), 1);
  cairo_set_line_width (cr, CM_LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cm_set_plane_dash (cr, k);
  cairo_move_to (cr, cm_frame_x (f, plot->w[0]), cm_frame_y (f, g[0]));
  for (size_t i = 1; i < plot->n_sweep; i++)
    cairo_line_to (cr, cm_frame_x (f, plot->w[i]), cm_frame_y (f, g[i]));
  cairo_stroke (cr);
  for (unsigned j = 0; j < MARKERS_PER_CURVE; j++)
    {
      double t = (j + (k + 0.5) / plot->n_planes) / MARKERS_PER_CURVE;
      double w = lo + t * (hi - lo);

      cm_draw_marker (cr, k, cm_frame_x (f, w),
                      cm_frame_y (f, curve_at (plot, k, w)));
    }
}

/* Dashed grey lines across the plot area at g_min and g_max, labelled to
 * its right. */
static void
draw_marks (CmPaint *paint, const CondmapPlot *plot, const CmFrame *f)
{
  cairo_t *cr = paint->cr;
  const double dash[] = { 5, 4 };

  for (unsigned i = 0; i < plot->n_marks; i++)
    {
      double y = cm_frame_y (f, plot->marks[i].value_us);

      cairo_save (cr);
      cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
      cairo_set_line_width (cr, 1.2);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, f->x, y);
      cairo_line_to (cr, f->x + f->width + 6, y);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      cm_draw_text (paint, CM_TEXT_LABEL, plot->marks[i].label,
                    f->x + f->width + 9, y, 0, 0.5, FALSE, 0);
      cairo_restore (cr);
    }
}

/* The level set: a tick at each level on both edges of the plot area, and
 * a faint line across, so that each step of a snapped curve meets one. */
static void
draw_levels (cairo_t *cr, const CondmapPlot *plot, const CmFrame *f)
{
  for (size_t i = 0; i < plot->n_levels; i++)
    {
      double y = cm_frame_y (f, plot->levels_us[i]);

      cairo_save (cr);
      cairo_set_source_rgba (cr, 0.3, 0.3, 0.3, 0.18);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, f->x, y);
      cairo_line_to (cr, f->x + f->width, y);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0.15, 0.15, 0.15);
      cairo_set_line_width (cr, CM_LEVEL_TICK_WIDTH);
      cairo_move_to (cr, f->x, y);
      cairo_line_to (cr, f->x + CM_LEVEL_TICK, y);
      cairo_move_to (cr, f->x + f->width - CM_LEVEL_TICK, y);
      cairo_line_to (cr, f->x + f->width, y);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
}

static void
draw_legend (CmPaint *paint, const CondmapPlot *plot, const CmPanel *panel)
{
  cairo_t *cr = paint->cr;
  unsigned capacity = cm_layout_legend_capacity (panel);

  for (unsigned k = 0; k < plot->n_planes; k++)
    {
      g_autofree char *name = g_markup_escape_text (plot->planes[k].name, -1);
      double x, y;

      cm_layout_legend_entry (panel, plot->n_planes, k, &x, &y);
      if (k == capacity - 1 && plot->n_planes > capacity)
        {
          g_autofree char *more =
            g_strdup_printf ("and %u more", plot->n_planes - k);

          cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
          cm_draw_text (paint, CM_TEXT_LABEL, more, x, y, 0, 0.5, FALSE, 0);
          break;
        }
      cairo_save (cr);
      set_rgb (cr, cm_plane_colour (k), 1);
      cairo_set_line_width (cr, CM_LINE_WIDTH);
      cm_set_plane_dash (cr, k);
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + CM_LEGEND_SAMPLE, y);
      cairo_stroke (cr);
      cm_draw_marker (cr, k, x + CM_LEGEND_SAMPLE / 2, y);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cm_draw_text (paint, CM_TEXT_LABEL, name, x + CM_LEGEND_SAMPLE + 6, y,
                    0, 0.5, FALSE, 0);
      cairo_restore (cr);
    }
}

static void
draw_curves_panel (CmPaint *paint, const CondmapPlot *plot,
                   const CmPanel *panel, int only_plane)
{
  const CmFrame *f = &panel->frame;

  panel_title (paint, panel, plot->data_range
               ? "Transfer curves over the weights\xe2\x80\x99 range"
               : "Transfer curves, weights swept over [\xe2\x88\x92" "1, 1]");
  cm_draw_axes (paint, f, "weight <i>w</i>", "conductance (\xc2\xb5S)");
  draw_levels (paint->cr, plot, f);
  draw_marks (paint, plot, f);
  cm_clip_to_frame (paint->cr, f);
  for (unsigned k = 0; k < plot->n_planes; k++)
    if (only_plane < 0 || (unsigned) only_plane == k)
      draw_curve (paint->cr, plot, f, k);
  cairo_restore (paint->cr);
  draw_legend (paint, plot, panel);
}

/* Bars from the bottom of the count axis, filled, with the outline of
 * the whole histogram on top. */
static void
draw_bars (cairo_t *cr, const CmFrame *f, const CmHistogram *h, CmRgb c)
{
  double base = f->y + f->height;
  double step = (h->hi - h->lo) / h->n_bins;

  for (unsigned b = 0; b < h->n_bins; b++)
    {
      double x0, x1;

      if (h->counts[b] == 0)
        continue;
      x0 = cm_frame_x (f, h->lo + b * step);
      x1 = cm_frame_x (f, h->lo + (b + 1) * step);
      cairo_rectangle (cr, x0, cm_frame_y (f, (double) h->counts[b]),
                       MAX (x1 - x0, 1.0),
                       base - cm_frame_y (f, (double) h->counts[b]));
    }
  set_rgb (cr, c, 0.45);
  cairo_fill_preserve (cr);
  set_rgb (cr, c, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
draw_weights_panel (CmPaint *paint, const CondmapPlot *plot,
                    const CmPanel *panel)
{
  guint64 n = 0;
  g_autofree char *title = NULL;
  const CmRgb grey = { 0.3, 0.3, 0.3 };

  for (unsigned b = 0; b < plot->weights.n_bins; b++)
    n += plot->weights.counts[b];
  title = g_strdup_printf ("Weights: %" G_GUINT64_FORMAT " values", n);
  panel_title (paint, panel, title);
  cm_draw_axes (paint, &panel->frame, "weight <i>w</i>", "count");
  cm_clip_to_frame (paint->cr, &panel->frame);
  draw_bars (paint->cr, &panel->frame, &plot->weights, grey);
  cairo_restore (paint->cr);
}

/* For each bin of w, a bar from the smallest to the largest error. */
static void
draw_round_trip_panel (CmPaint *paint, const CondmapPlot *plot,
                       const CmPanel *panel)
{
  cairo_t *cr = paint->cr;
  const CmFrame *f = &panel->frame;
  const CmErrorBand *band = &plot->round_trip;
  double step = (band->hi - band->lo) / band->n_bins;
  CmRgb c = cm_plane_colour (0);

  panel_title (paint, panel, "Round trip: restored \xe2\x88\x92 original");
  cm_draw_axes (paint, f, "weight <i>w</i>",
                "error <i>w</i>\xe2\x80\xb2 \xe2\x88\x92 <i>w</i>");
  cm_clip_to_frame (cr, f);
  cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, f->x, cm_frame_y (f, 0));
  cairo_line_to (cr, f->x + f->width, cm_frame_y (f, 0));
  cairo_stroke (cr);
  for (unsigned b = 0; b < band->n_bins; b++)
    {
      double x0, x1, y0, y1;

      if (band->min[b] > band->max[b])
        continue;
      x0 = cm_frame_x (f, band->lo + b * step);
      x1 = cm_frame_x (f, band->lo + (b + 1) * step);
      y0 = cm_frame_y (f, band->max[b]);
      y1 = cm_frame_y (f, band->min[b]);
      /* A bin whose errors are all equal still shows. */
      if (y1 - y0 < 2)
        y0 = (y0 + y1) / 2 - 1, y1 = y0 + 2;
      cairo_rectangle (cr, x0, y0, MAX (x1 - x0, 1.0), y1 - y0);
    }
  set_rgb (cr, c, 0.75);
  cairo_fill (cr);
  cairo_restore (cr);
  if (band->max_abs == 0)
    {
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cm_draw_text (paint, CM_TEXT_LABEL, "every weight comes back exactly",
                    f->x + f->width / 2, f->y + f->height / 4, 0.5, 0.5,
                    FALSE, f->width);
    }
}

static void
draw_plane_panel (CmPaint *paint, const CondmapPlot *plot,
                  const CmPanel *panel)
{
  cairo_t *cr = paint->cr;
  const CmFrame *f = &panel->frame;
  const CmPlotPlane *plane = &plot->planes[panel->plane];
  g_autofree char *name = g_markup_escape_text (plane->name, -1);
  g_autofree char *title = g_strdup_printf ("%s: %s", name,
                                            plot->planes_what);
  const double dash[] = { 5, 4 };

  panel_title (paint, panel, title);
  cm_draw_axes (paint, f, "conductance (\xc2\xb5S)", "count");
  cm_clip_to_frame (cr, f);
  draw_bars (cr, f, &plane->hist, cm_plane_colour (panel->plane));
  cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
  cairo_set_line_width (cr, 1.2);
  cairo_set_dash (cr, dash, 2, 0);
  for (unsigned i = 0; i < plot->n_marks; i++)
    {
      double x = cm_frame_x (f, plot->marks[i].value_us);

      cairo_move_to (cr, x, f->y);
      cairo_line_to (cr, x, f->y + f->height);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
cm_panel_draw (CmPaint *paint, const CondmapPlot *plot, const CmPanel *panel,
               int only_plane)
{
  cairo_save (paint->cr);
  switch (panel->kind)
    {
    case CM_PANEL_CURVES:
      draw_curves_panel (paint, plot, panel, only_plane);
      break;
    case CM_PANEL_WEIGHTS:
      draw_weights_panel (paint, plot, panel);
      break;
    case CM_PANEL_ROUND_TRIP:
      draw_round_trip_panel (paint, plot, panel);
      break;
    case CM_PANEL_PLANE:
      draw_plane_panel (paint, plot, panel);
      break;
    case CM_PANEL_BUDGET:
      cm_budget_panel_draw (paint, plot, panel);
      break;
    }
  cairo_restore (paint->cr);
}
