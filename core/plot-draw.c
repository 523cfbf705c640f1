/* plot-draw.c - the look of every plot: the palette, dash patterns and
 * markers that tell planes apart, text through pango, and the axes.
 *
 * The palette is Okabe and Ito's ("Color Universal Design", 2002), which
 * readers with any common colour-vision deficiency can tell apart.  In
 * greyscale several of its colours look alike, so each plane also has its
 * own dash pattern and marker. */
#include <math.h>
#include <pango/pangocairo.h>
#include "plot-private.h"

#define FONT_FAMILY "DejaVu Sans"

/* Okabe-Ito, in the order planes take them: blue, vermillion, bluish
 * green, reddish purple, sky blue, orange, black, yellow (last: faint on
 * white). */
static const CmRgb palette[CM_PALETTE_SIZE] = {
  { 0.000, 0.447, 0.698 },
  { 0.835, 0.369, 0.000 },
  { 0.000, 0.620, 0.451 },
  { 0.800, 0.475, 0.655 },
  { 0.337, 0.706, 0.914 },
  { 0.902, 0.624, 0.000 },
  { 0.000, 0.000, 0.000 },
  { 0.941, 0.894, 0.259 },
};

/* Dash patterns in units of the line width; gaps stay short so a curve
 * is never lost in one. */
static const double dashes[CM_PALETTE_SIZE][6] = {
  { 0 },                        /* solid */
  { 4, 1.5 },
  { 1, 1.5 },
  { 4, 1.5, 1, 1.5 },
  { 6, 2 },
  { 2, 2 },
  { 4, 1.5, 1, 1.5, 1, 1.5 },
  { 1, 1 },
};

CmRgb
cm_plane_colour (unsigned k)
{
  return palette[k % CM_PALETTE_SIZE];
}

/* Past the eighth plane colours repeat, with another dash and marker. */
static unsigned
style_index (unsigned k, unsigned shift)
{
  return (k + shift * (k / CM_PALETTE_SIZE)) % CM_PALETTE_SIZE;
}

void
cm_set_plane_dash (cairo_t *cr, unsigned k)
{
  const double *d = dashes[style_index (k, 1)];
  double scaled[6];
  int n = 0;

  while (n < 6 && d[n] > 0)
    {
      scaled[n] = d[n] * CM_LINE_WIDTH;
      n++;
    }
  cairo_set_dash (cr, scaled, n, 0);
}

/* A regular polygon of @sides around (x, y), first corner at @angle. */
static void
polygon (cairo_t *cr, double x, double y, double r, int sides, double angle)
{
  for (int i = 0; i < sides; i++)
    {
      double a = angle + 2 * G_PI * i / sides;

      if (i == 0)
        cairo_move_to (cr, x + r * cos (a), y + r * sin (a));
      else
        cairo_line_to (cr, x + r * cos (a), y + r * sin (a));
    }
  cairo_close_path (cr);
}

void
cm_draw_marker (cairo_t *cr, unsigned k, double x, double y)
{
  CmRgb c = cm_plane_colour (k);
  const double r = 4.0;

  cairo_save (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  switch (style_index (k, 2))
    {
    case 0: cairo_arc (cr, x, y, r * 0.9, 0, 2 * G_PI); break;
    case 1: cairo_rectangle (cr, x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6);
      break;
    case 2: polygon (cr, x, y, r * 1.15, 3, -G_PI / 2); break;
    case 3: polygon (cr, x, y, r * 1.1, 4, 0); break;
    case 4: polygon (cr, x, y, r * 1.15, 3, G_PI / 2); break;
    case 5: polygon (cr, x, y, r, 5, -G_PI / 2); break;
    case 6: polygon (cr, x, y, r, 6, 0); break;
    default: polygon (cr, x, y, r * 1.15, 3, 0); break;
    }
  cairo_set_source_rgb (cr, c.r, c.g, c.b);
  cairo_fill_preserve (cr);
  /* A white rim keeps a marker visible on a curve of similar grey. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
cm_paint_init (CmPaint *paint, cairo_t *cr)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  paint->cr = cr;
  paint->pango = pango_cairo_create_context (cr);
  /* No hinting and unrounded glyph positions: text takes the same room
   * on a PNG as in an SVG or PDF, whatever the device. */
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (paint->pango, options);
  pango_context_set_round_glyph_positions (paint->pango, FALSE);
  cairo_font_options_destroy (options);
}

void
cm_paint_finish (CmPaint *paint)
{
  g_clear_object (&paint->pango);
}

static PangoFontDescription *
font_for (CmTextStyle style)
{
  static const struct {
    double size;
    PangoWeight weight;
  } styles[] = {
    [CM_TEXT_TITLE] = { 17, PANGO_WEIGHT_BOLD },
    [CM_TEXT_SUBTITLE] = { 12, PANGO_WEIGHT_NORMAL },
    [CM_TEXT_PANEL] = { 13, PANGO_WEIGHT_BOLD },
    [CM_TEXT_LABEL] = { 12.5, PANGO_WEIGHT_NORMAL },
    [CM_TEXT_TICK] = { 11, PANGO_WEIGHT_NORMAL },
  };
  PangoFontDescription *font = pango_font_description_new ();

  pango_font_description_set_family (font, FONT_FAMILY);
  pango_font_description_set_weight (font, styles[style].weight);
  /* Sizes in device units (pixels of a PNG), not points. */
  pango_font_description_set_absolute_size (font,
                                            styles[style].size * PANGO_SCALE);
  return font;
}

void
cm_draw_text (CmPaint *paint, CmTextStyle style, const char *markup,
              double x, double y, double ax, double ay, gboolean rotate_up,
              double max_width)
{
  cairo_t *cr = paint->cr;
  PangoLayout *layout = pango_layout_new (paint->pango);
  PangoFontDescription *font = font_for (style);
  PangoRectangle ink, logical;

  pango_layout_set_font_description (layout, font);
  pango_layout_set_markup (layout, markup, -1);
  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_pixel_extents (layout, &ink, &logical);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  if (rotate_up)
    cairo_rotate (cr, -G_PI / 2);
  pango_cairo_update_context (cr, paint->pango);
  pango_layout_context_changed (layout);
  cairo_move_to (cr, -ax * logical.width - logical.x,
                 -ay * logical.height - logical.y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  pango_font_description_free (font);
  g_object_unref (layout);
}

void
cm_clip_to_frame (cairo_t *cr, const CmFrame *frame)
{
  cairo_save (cr);
  cairo_rectangle (cr, frame->x, frame->y, frame->width, frame->height);
  cairo_clip (cr);
}

/* Grid lines at the ticks, under everything else. */
static void
draw_grid (cairo_t *cr, const CmFrame *f)
{
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.90, 0.90, 0.90);
  cairo_set_line_width (cr, 1);
  for (unsigned i = 0; i < f->x_axis.n_ticks; i++)
    {
      double x = cm_frame_x (f, f->x_axis.ticks[i]);

      cairo_move_to (cr, x, f->y);
      cairo_line_to (cr, x, f->y + f->height);
    }
  for (unsigned i = 0; i < f->y_axis.n_ticks; i++)
    {
      double y = cm_frame_y (f, f->y_axis.ticks[i]);

      cairo_move_to (cr, f->x, y);
      cairo_line_to (cr, f->x + f->width, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_ticks (CmPaint *paint, const CmFrame *f)
{
  cairo_t *cr = paint->cr;
  const double len = 5;

  cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
  cairo_set_line_width (cr, 1);
  for (unsigned i = 0; i < f->x_axis.n_ticks; i++)
    {
      double x = cm_frame_x (f, f->x_axis.ticks[i]);
      g_autofree char *label = cm_axis_tick_label (&f->x_axis, i);

      cairo_move_to (cr, x, f->y + f->height);
      cairo_line_to (cr, x, f->y + f->height + len);
      cairo_stroke (cr);
      cm_draw_text (paint, CM_TEXT_TICK, label, x, f->y + f->height + len + 2,
                    0.5, 0, FALSE, 0);
    }
  for (unsigned i = 0; i < f->y_axis.n_ticks; i++)
    {
      double y = cm_frame_y (f, f->y_axis.ticks[i]);
      g_autofree char *label = cm_axis_tick_label (&f->y_axis, i);

      cairo_move_to (cr, f->x, y);
      cairo_line_to (cr, f->x - len, y);
      cairo_stroke (cr);
      cm_draw_text (paint, CM_TEXT_TICK, label, f->x - len - 3, y, 1, 0.5,
                    FALSE, 0);
    }
}

void
cm_draw_axes (CmPaint *paint, const CmFrame *frame, const char *x_label,
              const char *y_label)
{
  cairo_t *cr = paint->cr;
  g_autofree char *x_suffix = cm_axis_label_suffix (&frame->x_axis);
  g_autofree char *y_suffix = cm_axis_label_suffix (&frame->y_axis);
  g_autofree char *x_text = g_strconcat (x_label, x_suffix, NULL);
  g_autofree char *y_text = g_strconcat (y_label, y_suffix, NULL);

  cairo_save (cr);
  draw_grid (cr, frame);
  draw_ticks (paint, frame);
  cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
  cairo_rectangle (cr, frame->x, frame->y, frame->width, frame->height);
  cairo_stroke (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cm_draw_text (paint, CM_TEXT_LABEL, x_text, frame->x + frame->width / 2,
                frame->y + frame->height + 24, 0.5, 0, FALSE,
                frame->width);
  cm_draw_text (paint, CM_TEXT_LABEL, y_text, frame->x - 62,
                frame->y + frame->height / 2, 0.5, 0, TRUE, frame->height);
  cairo_restore (cr);
}
