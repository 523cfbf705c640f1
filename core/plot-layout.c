/* plot-layout.c - where the panels go and what their axes span.
 *
 * The figure is FIGURE_WIDTH wide: a title band, the curves panel across
 * the whole width (its legend on the right), then, with weights, their
 * histogram beside the round-trip error, then the planes' histograms two
 * to a row (a pair's g_plus beside its g_minus).  Margins are fixed, so
 * the layout needs no text measurement and a test can compute it. */
#include <math.h>
#include "plot-private.h"

#define FIGURE_WIDTH 840.0
#define TITLE_HEIGHT 64.0
#define BOTTOM_MARGIN 8.0
#define CURVES_HEIGHT 440.0
#define WEIGHTS_HEIGHT 300.0
#define PLANE_HEIGHT 250.0

/* Inside a panel's box, around its plot area: room for the panel title,
 * tick labels and axis labels. */
#define PAD_LEFT 82.0
#define PAD_RIGHT 18.0
#define PAD_TOP 32.0
#define PAD_BOTTOM 52.0

/* Right of the curves' plot area: the labels of the marks (g_min, g_max),
 * then the legend's columns. */
#define MARKS_WIDTH 58.0
#define LEGEND_COLUMN 140.0
#define LEGEND_ROW 21.0
/* More planes than these columns hold end the legend with "and N more". */
#define LEGEND_MAX_COLUMNS 3

static unsigned
legend_rows (const CmPanel *curves)
{
  return MAX (1u, (unsigned) floor ((curves->frame.height - 6) / LEGEND_ROW));
}

unsigned
cm_layout_legend_capacity (const CmPanel *curves)
{
  return LEGEND_MAX_COLUMNS * legend_rows (curves);
}

void
cm_layout_legend_entry (const CmPanel *curves, unsigned n_planes, unsigned k,
                        double *x, double *y)
{
  unsigned rows = legend_rows (curves);

  *x = curves->frame.x + curves->frame.width + MARKS_WIDTH
       + (k / rows) * LEGEND_COLUMN;
  *y = curves->frame.y + 12 + (k % rows) * LEGEND_ROW;
}

/* A panel in box (x, y, w, h) with the plot area inset by the pads, and
 * @right_extra more room on the right. */
static CmPanel *
add_panel (CmLayout *layout, CmPanelKind kind, double x, double y, double w,
           double h, double right_extra)
{
  CmPanel *p = &layout->panels[layout->n_panels++];

  p->kind = kind;
  p->x = x;
  p->y = y;
  p->width = w;
  p->height = h;
  p->frame.x = x + PAD_LEFT;
  p->frame.y = y + PAD_TOP;
  p->frame.width = w - PAD_LEFT - PAD_RIGHT - right_extra;
  p->frame.height = h - PAD_TOP - PAD_BOTTOM;
  return p;
}

/* [lo, hi] widened by @frac of its span on each side. */
static void
pad_range (double *lo, double *hi, double frac)
{
  double span = *hi - *lo;

  if (!(span > 0))
    span = *lo != 0 ? fabs (*lo) : 1;
  *lo -= frac * span;
  *hi += frac * span;
}

static void
curves_axes (const CondmapPlot *plot, CmFrame *f)
{
  double x_lo = plot->w[0], x_hi = plot->w[plot->n_sweep - 1];
  double y_lo = G_MAXDOUBLE, y_hi = -G_MAXDOUBLE;

  if (plot->has_bounds)
    {
      y_lo = plot->g_min_us;
      y_hi = plot->g_max_us;
    }
  for (unsigned k = 0; k < plot->n_planes; k++)
    for (size_t i = 0; i < plot->n_sweep; i++)
      {
        y_lo = MIN (y_lo, plot->planes[k].g_us[i]);
        y_hi = MAX (y_hi, plot->planes[k].g_us[i]);
      }
  pad_range (&x_lo, &x_hi, 0.02);
  pad_range (&y_lo, &y_hi, 0.06);
  cm_axis_init_linear (&f->x_axis, x_lo, x_hi, 8);
  cm_axis_init_linear (&f->y_axis, y_lo, y_hi, 6);
}

/* Counts on a log axis from below 1, so a bin of one value shows. */
static void
count_axis_log (CmAxis *axis, guint64 max_count)
{
  cm_axis_init_log (axis, 0.7, MAX (10.0, 2.0 * (double) max_count));
}

static void
histogram_x_axis (const CmHistogram *h, CmAxis *axis, unsigned target)
{
  double lo = h->lo, hi = h->hi;

  pad_range (&lo, &hi, 0.03);
  cm_axis_init_linear (axis, lo, hi, target);
}

static void
add_data_panels (const CondmapPlot *plot, CmLayout *layout, double *y)
{
  double half = FIGURE_WIDTH / 2;
  unsigned cols = plot->n_planes == 1 ? 1 : 2;
  double w = FIGURE_WIDTH / cols;
  CmPanel *p;

  if (plot->weights.n_bins > 0)
    {
      double a = plot->round_trip.max_abs * 1.15;

      p = add_panel (layout, CM_PANEL_WEIGHTS, 0, *y, half, WEIGHTS_HEIGHT, 0);
      histogram_x_axis (&plot->weights, &p->frame.x_axis, 5);
      cm_axis_init_linear (&p->frame.y_axis, 0,
                           1.08 * (double) MAX (plot->weights.max_count, 1),
                           5);
      p = add_panel (layout, CM_PANEL_ROUND_TRIP, half, *y, half,
                     WEIGHTS_HEIGHT, 0);
      histogram_x_axis (&plot->weights, &p->frame.x_axis, 5);
      cm_axis_init_linear (&p->frame.y_axis, a > 0 ? -a : -1, a > 0 ? a : 1,
                           6);
      *y += WEIGHTS_HEIGHT;
    }
  for (unsigned k = 0; k < plot->n_planes; k++)
    {
      const CmHistogram *h = &plot->planes[k].hist;

      if (h->n_bins == 0)
        continue;
      p = add_panel (layout, CM_PANEL_PLANE, (k % cols) * w,
                     *y + (k / cols) * PLANE_HEIGHT, w, PLANE_HEIGHT, 0);
      p->plane = k;
      histogram_x_axis (h, &p->frame.x_axis, cols == 1 ? 8 : 5);
      count_axis_log (&p->frame.y_axis, h->max_count);
    }
  if (plot->n_planes > 0 && plot->planes[0].hist.n_bins > 0)
    *y += ((plot->n_planes + cols - 1) / cols) * PLANE_HEIGHT;
}

CmLayout *
cm_layout_new (const CondmapPlot *plot)
{
  CmLayout *layout = g_new0 (CmLayout, 1);
  unsigned legend_cols;
  double y = TITLE_HEIGHT;
  CmPanel *curves;

  layout->width = FIGURE_WIDTH;
  layout->panels = g_new0 (CmPanel, 3 + plot->n_planes);
  if (plot->budgets != NULL)
    {
      /* An error-budget figure: one panel, the legend on its right. */
      curves = add_panel (layout, CM_PANEL_BUDGET, 0, y, FIGURE_WIDTH,
                          CURVES_HEIGHT, LEGEND_COLUMN + 20 - PAD_RIGHT);
      cm_budget_axes (plot, &curves->frame);
      layout->height = y + CURVES_HEIGHT + BOTTOM_MARGIN;
      return layout;
    }
  /* Room for as many legend columns as the planes need. */
  curves = add_panel (layout, CM_PANEL_CURVES, 0, y, FIGURE_WIDTH,
                      CURVES_HEIGHT, 0);
  legend_cols = (plot->n_planes + legend_rows (curves) - 1)
                / legend_rows (curves);
  legend_cols = CLAMP (legend_cols, 1u, (unsigned) LEGEND_MAX_COLUMNS);
  curves->frame.width -= MARKS_WIDTH + legend_cols * LEGEND_COLUMN
                         - PAD_RIGHT;
  curves_axes (plot, &curves->frame);
  y += CURVES_HEIGHT;
  add_data_panels (plot, layout, &y);
  layout->height = y + BOTTOM_MARGIN;
  return layout;
}

void
cm_layout_free (CmLayout *layout)
{
  if (layout == NULL)
    return;
  g_free (layout->panels);
  g_free (layout);
}
