/* plot-private.h - the plot module's internals, shared by core/plot*.c and
 * the tests that check what is drawn.  Not installed.  Built only with
 * cairo and pango (configure's HAVE_PLOT); core/plot-missing.c stands in
 * for the public functions otherwise.
 *
 * A plot holds numbers only: the curves sampled through the public API
 * (condmap_converter_to_conductances on a sweep of weights), histograms
 * and the round-trip error.  A layout places panels on the figure and
 * fixes each panel's axes; rendering draws the numbers through the
 * layout.  Layout and rendering are separate so that a test can compute
 * where a value lands (cm_frame_x, cm_frame_y) and look at that pixel.
 *
 * Room for later panels: a level set is a list of horizontal marks on
 * the curves panel (CondmapPlot.marks has g_min and g_max today) and curves
 * drawn as steps; an error budget over time is a panel kind whose x axis
 * is CM_SCALE_LOG, which the count axes of the histograms already use. */
#ifndef CONDMAP_PLOT_PRIVATE_H
#define CONDMAP_PLOT_PRIVATE_H

#include <cairo.h>
#include <pango/pango.h>
#include "condmap-private.h"

G_BEGIN_DECLS

/* ---- plot-stats.c: histograms and the round-trip error band ---------- */

/* Counts of values in n_bins equal bins over [lo, hi]; the last bin
 * includes hi.  n_bins == 0: none. */
typedef struct {
  double lo, hi;
  unsigned n_bins;
  guint64 *counts;
  guint64 max_count;
} CmHistogram;

/* Fills @hist with the n elements of @data (of @dtype) in @n_bins bins
 * over [lo, hi]; values outside are left out. */
void cm_histogram_fill (CmHistogram *hist, CondmapDtype dtype,
                        const void *data, size_t n, double lo, double hi,
                        unsigned n_bins);
void cm_histogram_clear (CmHistogram *hist);

/* The smallest and largest of n >= 1 elements of @dtype. */
void cm_data_range (CondmapDtype dtype, const void *data, size_t n,
                    double *lo, double *hi);

/* The round-trip error back - w against w: its smallest and largest value
 * in each of n_bins equal bins of w over [lo, hi].  A bin no weight fell
 * in has min > max. */
typedef struct {
  double lo, hi;
  unsigned n_bins;
  double *min, *max;
  double max_abs;       /* the largest |back - w| */
} CmErrorBand;

void cm_error_band_fill (CmErrorBand *band, CondmapDtype dtype,
                         const void *w, const void *back, size_t n,
                         double lo, double hi, unsigned n_bins);
void cm_error_band_clear (CmErrorBand *band);

/* ---- plot.c: the plot object ---------------------------------------- */

/* A horizontal mark on the curves panel, labelled beside the plot area:
 * g_min and g_max (later: a device's levels). */
typedef struct {
  double value_us;
  const char *label;    /* static */
} CmMark;

#define CM_PLOT_MAX_MARKS 2

/* A level's tick on the curves panel: its length inside each edge of the
 * plot area and its width, device units. */
#define CM_LEVEL_TICK 10.0
#define CM_LEVEL_TICK_WIDTH 2.0

typedef struct {
  char *name;           /* the plane's name, "g_plus_0" */
  double *g_us;         /* one conductance per sweep point */
  CmHistogram hist;     /* its conductances; n_bins 0 without data */
} CmPlotPlane;

struct _CondmapPlot {
  const CondmapConverter *conv;  /* borrowed */
  char *title;
  char *subtitle;       /* converter name and resolved config */
  gboolean has_bounds;
  double g_min_us, g_max_us;
  unsigned n_marks;
  CmMark marks[CM_PLOT_MAX_MARKS];
  /* The config's level set (`levels:`): ticks on the curves panel; the
   * curves step between them, since they are sampled through the
   * conversion, which snaps. */
  size_t n_levels;
  const double *levels_us;   /* borrowed from conv; NULL: none */
  /* The sweep: n_sweep weights from w[0] to w[n_sweep - 1]; over [-1, 1]
   * until weights or planes give a range. */
  size_t n_sweep;
  double *w;
  gboolean data_range;  /* the sweep covers the data's weights */
  unsigned n_planes;
  CmPlotPlane *planes;
  char *planes_what;    /* what the plane histograms count, for titles */
  CmHistogram weights;  /* n_bins 0: no weights given */
  CmErrorBand round_trip;
  /* An error-budget figure (conv NULL, no curves): CmBudgetLine*. */
  GPtrArray *budgets;
};


/* ---- plot-axes.c: data to device coordinates, nice ticks ------------- */

typedef enum {
  CM_SCALE_LINEAR,
  CM_SCALE_LOG          /* base 10; lo > 0 */
} CmScale;

#define CM_AXIS_MAX_TICKS 24

typedef struct {
  CmScale scale;
  double lo, hi;        /* the data range the axis spans */
  unsigned n_ticks;
  double ticks[CM_AXIS_MAX_TICKS];
  int exponent;         /* linear: tick labels show value / 10^exponent */
  int decimals;         /* linear: digits after the point in tick labels */
  gboolean custom;      /* tick labels are labels[], not numbers */
  char labels[CM_AXIS_MAX_TICKS][16];
} CmAxis;

/* A linear axis spanning [lo, hi] (widened if empty) with ticks at
 * multiples of 1, 2 or 5 times a power of ten, about @target of them. */
void cm_axis_init_linear (CmAxis *axis, double lo, double hi,
                          unsigned target);
/* A log axis spanning [lo, hi] (0 < lo < hi) with ticks at powers of
 * ten. */
void cm_axis_init_log (CmAxis *axis, double lo, double hi);
/* The tick step of a linear axis over @span: m * 10^*exp with m 1, 2 or
 * 5; returns m. */
int cm_nice_step (double span, unsigned target, int *exp);
/* Tick label i as pango markup ("0.25", "−5", "10<sup>4</sup>").  Free
 * with g_free(). */
char *cm_axis_tick_label (const CmAxis *axis, unsigned i);
/* What an axis label needs appended when tick labels are scaled:
 * " (×10<sup>−8</sup>)", or "".  Free with g_free(). */
char *cm_axis_label_suffix (const CmAxis *axis);

/* A plot area (device units, y grows downwards) and its two axes. */
typedef struct {
  double x, y, width, height;
  CmAxis x_axis, y_axis;
} CmFrame;

/* Where a data value lands, in device units (pixels of a PNG). */
double cm_frame_x (const CmFrame *frame, double value);
double cm_frame_y (const CmFrame *frame, double value);

/* ---- plot-layout.c: panels on the figure ----------------------------- */

typedef enum {
  CM_PANEL_CURVES,      /* g_k(w), every plane */
  CM_PANEL_WEIGHTS,     /* the weight histogram */
  CM_PANEL_ROUND_TRIP,  /* back - w against w */
  CM_PANEL_PLANE,       /* one plane's conductance histogram */
  CM_PANEL_BUDGET       /* error against read time, one line per scheme */
} CmPanelKind;

typedef struct {
  CmPanelKind kind;
  unsigned plane;       /* CM_PANEL_PLANE: which */
  double x, y, width, height;   /* the panel's box */
  CmFrame frame;        /* its plot area and axes */
} CmPanel;

typedef struct {
  double width, height; /* the figure, device units */
  unsigned n_panels;
  CmPanel *panels;      /* panels[0] is the curves panel */
} CmLayout;

/* Places the panels @plot has data for.  Free with cm_layout_free(). */
CmLayout *cm_layout_new (const CondmapPlot *plot);
void cm_layout_free (CmLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmLayout, cm_layout_free)

/* The legend beside the curves panel: entry k's line sample runs from *x
 * to *x + CM_LEGEND_SAMPLE at height *y.  It holds at most
 * cm_layout_legend_capacity() entries (columns of as many as fit). */
#define CM_LEGEND_SAMPLE 30.0
void cm_layout_legend_entry (const CmPanel *curves, unsigned n_planes,
                             unsigned k, double *x, double *y);
unsigned cm_layout_legend_capacity (const CmPanel *curves);

/* ---- plot-draw.c: the palette, text and axes ------------------------- */

/* A drawing in progress: cairo for shapes, pango for text. */
typedef struct {
  cairo_t *cr;
  PangoContext *pango;
} CmPaint;

/* Sets up @paint on @cr: text in DejaVu Sans, sizes in device units,
 * no hinting (the same layout on every surface).  Finish with
 * cm_paint_finish(). */
void cm_paint_init (CmPaint *paint, cairo_t *cr);
void cm_paint_finish (CmPaint *paint);

/* Plane k's colour (Okabe and Ito's palette for colour-blind readers),
 * dash pattern and marker: together they tell the planes apart in
 * greyscale too. */
typedef struct {
  double r, g, b;
} CmRgb;

#define CM_PALETTE_SIZE 8
CmRgb cm_plane_colour (unsigned k);
void cm_set_plane_dash (cairo_t *cr, unsigned k);
void cm_draw_marker (cairo_t *cr, unsigned k, double x, double y);
#define CM_LINE_WIDTH 2.0

/* Text styles: sizes in device units. */
typedef enum {
  CM_TEXT_TITLE,
  CM_TEXT_SUBTITLE,
  CM_TEXT_PANEL,        /* a panel's title */
  CM_TEXT_LABEL,        /* axis labels, legend */
  CM_TEXT_TICK
} CmTextStyle;

/* Draws pango @markup with its box placed so that the point (ax, ay) of
 * the box (0: left/top, 0.5: centre, 1: right/bottom) is at (x, y);
 * @rotate_up turns it 90° counter-clockwise.  A @max_width > 0 ellipsizes
 * longer text. */
void cm_draw_text (CmPaint *paint, CmTextStyle style, const char *markup,
                   double x, double y, double ax, double ay,
                   gboolean rotate_up, double max_width);

/* The frame of a panel: background grid, box, ticks, tick labels and
 * axis labels (pango markup; the scale suffix is appended). */
void cm_draw_axes (CmPaint *paint, const CmFrame *frame,
                   const char *x_label, const char *y_label);
/* Clips to the plot area (cairo_save'd: cairo_restore() to end). */
void cm_clip_to_frame (cairo_t *cr, const CmFrame *frame);

/* ---- plot-panels.c: what each panel draws ---------------------------- */

/* Draws panel @panel of @plot.  @only_plane >= 0 draws that plane's curve
 * only (tests look at one curve at a time); -1 draws all. */
void cm_panel_draw (CmPaint *paint, const CondmapPlot *plot,
                    const CmPanel *panel, int only_plane);

/* ---- plot-render.c: the figure, and files ---------------------------- */

/* Draws the whole figure on @cr, whose user space is the layout's
 * device units: white background, title, every panel. */
void cm_plot_render (const CondmapPlot *plot, const CmLayout *layout,
                     cairo_t *cr, int only_plane);

/* ---- plot-budget.c: the error budget over time --------------------- */

/* One scheme's budget: its name and its times, as
 * condmap_converter_error_budget() made them. */
typedef struct {
  char *name;
  size_t n_times;
  CondmapBudgetTime *times;
} CmBudgetLine;

void cm_budget_line_free (CmBudgetLine *line);
/* The axes of the budget panel: x the read time on a log scale
 * (log10 (t + 60 s), so that t = 0 has a place), ticked at the budget's
 * times and labelled with their units; y the relative RMS error from 0. */
void cm_budget_axes (const CondmapPlot *plot, CmFrame *frame);
void cm_budget_panel_draw (CmPaint *paint, const CondmapPlot *plot,
                           const CmPanel *panel);
/* Where time @t_s lands on the budget's x axis (before the frame). */
double cm_budget_time_x (double t_s);

G_END_DECLS

#endif /* CONDMAP_PLOT_PRIVATE_H */
