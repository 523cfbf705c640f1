/* plot-render.c - the whole figure on a cairo surface, and into a file:
 * PNG, SVG or PDF by the file's extension, written beside the target and
 * renamed into place (atomic-file.c).
 *
 * SVG output is byte-for-byte reproducible: cairo numbers the glyphs and
 * clips of a document from one, the document unit is fixed and nothing
 * depends on the time or on pointers.  Only the page group's id comes from
 * a counter shared by every cairo surface of the process; it is
 * renumbered, so the tenth plot of a process is the same as the first.
 * (PDF is not reproducible: cairo stamps it with the creation date.) */
#include <string.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>
#include "plot-private.h"

typedef enum {
  FORMAT_NONE,
  FORMAT_PNG,
  FORMAT_SVG,
  FORMAT_PDF
} Format;

gboolean
condmap_plot_available (void)
{
  return TRUE;
}

const char *
condmap_plot_get_renderer (void)
{
  static char *renderer;

  if (g_once_init_enter (&renderer))
    g_once_init_leave (&renderer,
                       g_strdup_printf ("cairo %s, pango %s",
                                        cairo_version_string (),
                                        pango_version_string ()));
  return renderer;
}

void
cm_plot_render (const CondmapPlot *plot, const CmLayout *layout,
                cairo_t *cr, int only_plane)
{
  g_autofree char *title = g_markup_escape_text (plot->title, -1);
  g_autofree char *subtitle = g_markup_escape_text (plot->subtitle, -1);
  CmPaint paint;

  cm_paint_init (&paint, cr);
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.05, 0.05, 0.05);
  cm_draw_text (&paint, CM_TEXT_TITLE, title, 16, 12, 0, 0, FALSE,
                layout->width - 32);
  cairo_set_source_rgb (cr, 0.35, 0.35, 0.35);
  cm_draw_text (&paint, CM_TEXT_SUBTITLE, subtitle, 16, 38, 0, 0, FALSE,
                layout->width - 32);
  for (unsigned i = 0; i < layout->n_panels; i++)
    cm_panel_draw (&paint, plot, &layout->panels[i], only_plane);
  cairo_restore (cr);
  cm_paint_finish (&paint);
}

static Format
format_of (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  const char *dot = strrchr (base, '.');

  if (dot == NULL)
    return FORMAT_NONE;
  if (g_ascii_strcasecmp (dot, ".png") == 0)
    return FORMAT_PNG;
  if (g_ascii_strcasecmp (dot, ".svg") == 0)
    return FORMAT_SVG;
  if (g_ascii_strcasecmp (dot, ".pdf") == 0)
    return FORMAT_PDF;
  return FORMAT_NONE;
}

static cairo_status_t
write_stream (void *closure, const unsigned char *data, unsigned int length)
{
  FILE *stream = closure;

  if (fwrite (data, 1, length, stream) != length)
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
append_string (void *closure, const unsigned char *data, unsigned int length)
{
  g_string_append_len (closure, (const char *) data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
renumber_one (const GMatchInfo *match, GString *out, gpointer data)
{
  GHashTable *ids = data;
  g_autofree char *prefix = g_match_info_fetch (match, 1);
  char *n = g_match_info_fetch (match, 2);
  gpointer id = g_hash_table_lookup (ids, n);

  if (id == NULL)
    {
      id = GUINT_TO_POINTER (g_hash_table_size (ids) + 1);
      g_hash_table_insert (ids, n, id);
    }
  else
    g_free (n);
  g_string_append_printf (out, "%ssurface%u", prefix,
                          GPOINTER_TO_UINT (id));
  return FALSE;
}

/* "surfaceN" ids (id="surface6", href="#surface6") renumbered from 1 in
 * order of appearance.  Free with g_free(). */
static char *
renumber_surfaces (const GString *svg)
{
  g_autoptr (GRegex) re = g_regex_new ("([\"#])surface([0-9]+)", 0, 0,
                                       NULL);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash,
                                                      g_str_equal, g_free,
                                                      NULL);

  return g_regex_replace_eval (re, svg->str, (gssize) svg->len, 0, 0,
                               renumber_one, ids, NULL);
}

/* The SVG of the figure, in memory. */
static cairo_status_t
render_svg (FILE *stream, const CondmapPlot *plot, const CmLayout *layout)
{
  g_autoptr (GString) svg = g_string_new (NULL);
  g_autofree char *renumbered = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  surface = cairo_svg_surface_create_for_stream (append_string, svg,
                                                 layout->width,
                                                 layout->height);
  cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
  cr = cairo_create (surface);
  cm_plot_render (plot, layout, cr, -1);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    return status;
  renumbered = renumber_surfaces (svg);
  return write_stream (stream, (const unsigned char *) renumbered,
                       strlen (renumbered));
}

static cairo_surface_t *
pdf_surface (FILE *stream, const CmLayout *layout, const CondmapPlot *plot)
{
  g_autofree char *creator = g_strconcat ("condmap ", condmap_version (),
                                          NULL);
  cairo_surface_t *surface;

  surface = cairo_pdf_surface_create_for_stream (write_stream, stream,
                                                 layout->width,
                                                 layout->height);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  plot->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR,
                                  creator);
  return surface;
}

/* Renders into @stream; returns cairo's verdict. */
static cairo_status_t
render_to (Format format, FILE *stream, const CondmapPlot *plot,
           const CmLayout *layout)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  if (format == FORMAT_SVG)
    return render_svg (stream, plot, layout);
  if (format == FORMAT_PNG)
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                          (int) layout->width,
                                          (int) layout->height);
  else
    surface = pdf_surface (stream, layout, plot);
  cr = cairo_create (surface);
  cm_plot_render (plot, layout, cr, -1);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, write_stream,
                                                stream);
  /* A PDF surface writes its last bytes when finished. */
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return status;
}

gboolean
condmap_plot_write (const CondmapPlot *plot, const char *path,
                    GError **error)
{
  Format format = format_of (path);
  g_autoptr (CmLayout) layout = NULL;
  g_autoptr (CmAtomicFile) file = NULL;
  cairo_status_t status;

  g_return_val_if_fail (plot != NULL && path != NULL, FALSE);

  if (format == FORMAT_NONE)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot tell which format to write '%s' in: name the "
                   "file *.png, *.svg or *.pdf", path);
      return FALSE;
    }
  layout = cm_layout_new (plot);
  if ((file = cm_atomic_file_new (path, error)) == NULL)
    return FALSE;
  status = render_to (format, cm_atomic_file_get_stream (file), plot,
                      layout);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot write '%s': cairo: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return cm_atomic_file_commit (g_steal_pointer (&file), error);
}
