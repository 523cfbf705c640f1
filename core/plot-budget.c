/* plot-budget.c - the error budget of schemes over time: one line per
 * scheme through the mean relative RMS weight error at each read time,
 * with its spread over the trials (± one standard deviation) as bars, on
 * a log time axis.  The numbers are condmap_converter_error_budget()'s;
 * this file only draws them. */
#include <math.h>
#include "plot-private.h"

/* Time t lands at log10 (t + TIME_OFFSET_S): t = 0 has a place on the log
 * axis, a minute from it, and hours, days and years spread out. */
#define TIME_OFFSET_S 60.0
#define LEGEND_ROW 21.0
#define BAR_CAP 5.0

void
cm_budget_line_free (CmBudgetLine *line)
{
  if (line == NULL)
    return;
  g_free (line->name);
  g_free (line->times);
  g_free (line);
}

double
cm_budget_time_x (double t_s)
{
  return log10 (MAX (t_s, 0) + TIME_OFFSET_S);
}

/* "0", "30 s", "5 min", "1 h", "1 d", "1 y", "2.5 d": the largest unit
 * that the time is at least one of. */
static void
format_time (char *buf, size_t len, double t_s)
{
  static const struct { double s; const char *unit; } units[] = {
    { 365.0 * 86400, "y" }, { 86400, "d" }, { 3600, "h" }, { 60, "min" },
    { 1, "s" }
  };

  if (t_s <= 0)
    {
      g_strlcpy (buf, "0", len);
      return;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (units); i++)
    if (t_s >= units[i].s || i + 1 == G_N_ELEMENTS (units))
      {
        double v = t_s / units[i].s;
        char num[G_ASCII_DTOSTR_BUF_SIZE];

        g_ascii_formatd (num, sizeof num, v == floor (v) ? "%.0f" : "%.3g",
                         v);
        g_snprintf (buf, len, "%s %s", num, units[i].unit);
        return;
      }
}

void
cm_budget_axes (const CondmapPlot *plot, CmFrame *frame)
{
  double x_lo = G_MAXDOUBLE, x_hi = -G_MAXDOUBLE, y_hi = 0;
  const CmBudgetLine *first = plot->budgets->len > 0
                              ? plot->budgets->pdata[0] : NULL;
  CmAxis *x = &frame->x_axis;

  for (guint k = 0; k < plot->budgets->len; k++)
    {
      const CmBudgetLine *line = plot->budgets->pdata[k];

      for (size_t i = 0; i < line->n_times; i++)
        {
          const CondmapBudgetTime *t = &line->times[i];

          x_lo = MIN (x_lo, cm_budget_time_x (t->time_s));
          x_hi = MAX (x_hi, cm_budget_time_x (t->time_s));
          y_hi = MAX (y_hi, t->rel_rms_mean + t->rel_rms_std);
        }
    }
  if (!(x_hi > x_lo))
    x_lo = cm_budget_time_x (0), x_hi = x_lo + 1;
  cm_axis_init_linear (x, x_lo - 0.04 * (x_hi - x_lo),
                       x_hi + 0.04 * (x_hi - x_lo), 6);
  /* Ticks at the times of the budget, labelled in their units. */
  x->custom = TRUE;
  x->n_ticks = 0;
  for (size_t i = 0; first != NULL && i < first->n_times
                     && x->n_ticks < CM_AXIS_MAX_TICKS; i++)
    {
      x->ticks[x->n_ticks] = cm_budget_time_x (first->times[i].time_s);
      format_time (x->labels[x->n_ticks], sizeof x->labels[0],
                   first->times[i].time_s);
      x->n_ticks++;
    }
  cm_axis_init_linear (&frame->y_axis, 0, y_hi > 0 ? 1.08 * y_hi : 1, 6);
}

static void
draw_line (cairo_t *cr, const CmFrame *f, const CmBudgetLine *line,
           unsigned k)
{
  CmRgb c = cm_plane_colour (k);

  cairo_set_source_rgb (cr, c.r, c.g, c.b);
  cairo_set_line_width (cr, CM_LINE_WIDTH);
  cm_set_plane_dash (cr, k);
  for (size_t i = 0; i < line->n_times; i++)
    {
      double x = cm_frame_x (f, cm_budget_time_x (line->times[i].time_s));
      double y = cm_frame_y (f, line->times[i].rel_rms_mean);

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  /* The spread over the trials: a bar of ± one standard deviation. */
  cairo_set_dash (cr, NULL, 0, 0);
  cairo_set_line_width (cr, 1.5);
  for (size_t i = 0; i < line->n_times; i++)
    {
      const CondmapBudgetTime *t = &line->times[i];
      double x = cm_frame_x (f, cm_budget_time_x (t->time_s));
      double y0 = cm_frame_y (f, t->rel_rms_mean - t->rel_rms_std);
      double y1 = cm_frame_y (f, t->rel_rms_mean + t->rel_rms_std);

      cairo_move_to (cr, x, y0);
      cairo_line_to (cr, x, y1);
      cairo_move_to (cr, x - BAR_CAP, y0);
      cairo_line_to (cr, x + BAR_CAP, y0);
      cairo_move_to (cr, x - BAR_CAP, y1);
      cairo_line_to (cr, x + BAR_CAP, y1);
      cairo_stroke (cr);
      cm_draw_marker (cr, k, x, cm_frame_y (f, t->rel_rms_mean));
    }
}

void
cm_budget_panel_draw (CmPaint *paint, const CondmapPlot *plot,
                      const CmPanel *panel)
{
  cairo_t *cr = paint->cr;
  const CmFrame *f = &panel->frame;

  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cm_draw_text (paint, CM_TEXT_PANEL, "Weight error after programming, "
                "drift and read (mean ± std over the trials)", f->x,
                f->y - 8, 0, 1, FALSE, panel->width - f->x - 4);
  cm_draw_axes (paint, f, "read time (log scale)",
                "RMS weight error / max |w|");
  cm_clip_to_frame (cr, f);
  for (guint k = 0; k < plot->budgets->len; k++)
    draw_line (cr, f, plot->budgets->pdata[k], k);
  cairo_restore (cr);
  for (guint k = 0; k < plot->budgets->len; k++)
    {
      const CmBudgetLine *line = plot->budgets->pdata[k];
      g_autofree char *name = g_markup_escape_text (line->name, -1);
      double x = f->x + f->width + 14, y = f->y + 12 + k * LEGEND_ROW;
      CmRgb c = cm_plane_colour (k);

      cairo_save (cr);
      cairo_set_source_rgb (cr, c.r, c.g, c.b);
      cairo_set_line_width (cr, CM_LINE_WIDTH);
      cm_set_plane_dash (cr, k);
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + CM_LEGEND_SAMPLE, y);
      cairo_stroke (cr);
      cm_draw_marker (cr, k, x + CM_LEGEND_SAMPLE / 2, y);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cm_draw_text (paint, CM_TEXT_LABEL, name, x + CM_LEGEND_SAMPLE + 6, y,
                    0, 0.5, FALSE, panel->x + panel->width - x
                                   - CM_LEGEND_SAMPLE - 8);
      cairo_restore (cr);
    }
}

CondmapPlot *
condmap_plot_new_budget (const char *title, const char *subtitle,
                         GError **error)
{
  CondmapPlot *plot = g_new0 (CondmapPlot, 1);

  plot->title = g_utf8_make_valid (title ? title : "Error budget", -1);
  plot->subtitle = g_utf8_make_valid (subtitle ? subtitle : "", -1);
  plot->budgets = g_ptr_array_new_with_free_func (
    (GDestroyNotify) cm_budget_line_free);
  return plot;
}

gboolean
condmap_plot_add_budget (CondmapPlot *plot, const char *name,
                         const CondmapBudgetTime *times, size_t n_times,
                         GError **error)
{
  CmBudgetLine *line;

  g_return_val_if_fail (plot != NULL && name != NULL, FALSE);
  if (plot->budgets == NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "a budget goes on a plot made by "
                   "condmap_plot_new_budget(), not on a scheme's plot");
      return FALSE;
    }
  if (n_times < 1 || n_times > CM_AXIS_MAX_TICKS)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "a budget plot takes 1 to %d read times, not %zu",
                   CM_AXIS_MAX_TICKS, n_times);
      return FALSE;
    }
  line = g_new0 (CmBudgetLine, 1);
  line->name = g_utf8_make_valid (name, -1);
  line->n_times = n_times;
  line->times = g_memdup2 (times, n_times * sizeof *times);
  g_ptr_array_add (plot->budgets, line);
  return TRUE;
}
