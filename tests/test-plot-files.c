/* test-plot-files.c - the files a plot writes: each plane's curve is a
 * path of the SVG where the layout puts it, the same input gives the same
 * SVG bytes, a PNG decodes at the documented size, and a failed write
 * leaves nothing behind. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include "test-plot.h"

static char *
tmp (const char *name)
{
  return g_build_filename (cm_test_tmpdir, name, NULL);
}

/* The colour of "stroke:rgb(R%,G%,B%)" at @p, or FALSE. */
static gboolean
stroke_colour (const char *p, CmRgb *c)
{
  return sscanf (p, "stroke:rgb(%lf%%,%lf%%,%lf%%)", &c->r, &c->g, &c->b)
         == 3;
}

/* The first and last point of an SVG path's d="M x y L ... L x y". */
static gboolean
path_ends (const char *d, const char *end, double first[2], double last[2])
{
  const char *l = NULL;

  if (sscanf (d, " d=\"M %lf %lf", &first[0], &first[1]) != 2)
    return FALSE;
  for (const char *q = d; q < end; q++)
    if (*q == 'L')
      l = q;
  return l != NULL && sscanf (l, "L %lf %lf", &last[0], &last[1]) == 2;
}

/* In the SVG, each plane's curve is one path of its colour from its first
 * sweep point to its last, where the layout puts them.  (cairo merges
 * collinear segments, so the points between are not counted.) */
static void
test_svg_has_a_path_per_plane (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: n-pair\nf_lst: [1, 2, 4]\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autoptr (CmLayout) layout = cm_layout_new (plot);
  const CmFrame *f = &layout->panels[0].frame;
  g_autofree char *path = tmp ("n-pair.svg");
  g_autofree char *svg = NULL;
  size_t n = plot->n_sweep;
  unsigned found[6] = { 0 };
  GError *error = NULL;

  CU_ASSERT_TRUE_FATAL (condmap_plot_write (plot, path, &error));
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &svg, NULL, NULL));
  for (char *p = strstr (svg, "<path"); p; p = strstr (p + 1, "<path"))
    {
      char *end = strstr (p, "/>");
      char *stroke = strstr (p, "stroke:rgb(");
      char *d = strstr (p, " d=\"");
      double first[2], last[2];
      CmRgb c;

      if (end == NULL || stroke == NULL || stroke > end || d == NULL
          || d > end || !stroke_colour (stroke, &c)
          || !path_ends (d, end, first, last))
        continue;
      for (unsigned k = 0; k < 6; k++)
        {
          CmRgb want = cm_plane_colour (k);
          const double *g = plot->planes[k].g_us;

          if (fabs (c.r / 100 - want.r) < 0.002
              && fabs (c.g / 100 - want.g) < 0.002
              && fabs (c.b / 100 - want.b) < 0.002
              && fabs (first[0] - cm_frame_x (f, -1)) < 0.01
              && fabs (first[1] - cm_frame_y (f, g[0])) < 0.01
              && fabs (last[0] - cm_frame_x (f, 1)) < 0.01
              && fabs (last[1] - cm_frame_y (f, g[n - 1])) < 0.01)
            found[k]++;
        }
    }
  for (unsigned k = 0; k < 6; k++)
    {
      if (found[k] != 1)
        g_printerr ("  plane %u: %u curve paths\n", k, found[k]);
      CU_ASSERT_EQUAL (found[k], 1);
    }
}

static char *
write_svg (const char *yaml, const CondmapArray *w, const char *name)
{
  g_autoptr (CondmapConverter) conv = cm_plot_test_converter (yaml);
  g_autofree char *path = tmp (name);
  char *bytes = NULL;
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_plot_scheme (conv, w, "same", path, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (g_file_get_contents (path, &bytes, NULL, NULL));
  return bytes;
}

/* Two plots of the same input are the same bytes. */
static void
test_svg_deterministic (void)
{
  const char *yaml = "converter: dual-pair\nf_lst: [1, 3]\n";
  g_autoptr (CondmapArray) w = cm_plot_test_linspace (-1, 0.7, 5000);
  g_autofree char *a = write_svg (yaml, NULL, "a.svg");
  g_autofree char *b = write_svg (yaml, NULL, "b.svg");
  g_autofree char *c = write_svg (yaml, w, "c.svg");
  g_autofree char *d = write_svg (yaml, w, "d.svg");

  CU_ASSERT_PTR_NOT_NULL_FATAL (a);
  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_STRING_EQUAL (a, b);
  CU_ASSERT_STRING_EQUAL (c, d);
  CU_ASSERT_STRING_NOT_EQUAL (a, c);
}

static void
assert_png_size (const char *path, int width, int height)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);

  CU_ASSERT_EQUAL (cairo_surface_status (s), CAIRO_STATUS_SUCCESS);
  CU_ASSERT_EQUAL (cairo_image_surface_get_width (s), width);
  CU_ASSERT_EQUAL (cairo_image_surface_get_height (s), height);
  cairo_surface_destroy (s);
}

/* A PNG decodes, at the documented size: 840 wide; 512 high for the
 * curves, 64 + 440 + 300 + 2 x 250 + 8 with a layer's panels for two
 * pairs.  PDF starts as PDF; extensions are read in any case. */
static void
test_png_and_pdf (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: dual-pair\nf_lst: [1, 3]\n");
  g_autoptr (CondmapArray) w = cm_plot_test_linspace (-1, 1, 300);
  g_autofree char *png = tmp ("curves.png");
  g_autofree char *png_w = tmp ("layer.PNG");
  g_autofree char *pdf = tmp ("curves.pdf");
  g_autofree char *bytes = NULL;
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_plot_scheme (conv, NULL, NULL, png, &error));
  CU_ASSERT_TRUE (condmap_plot_scheme (conv, w, NULL, png_w, &error));
  CU_ASSERT_TRUE (condmap_plot_scheme (conv, NULL, NULL, pdf, &error));
  CM_ASSERT_NO_ERROR (error);
  assert_png_size (png, 840, 512);
  assert_png_size (png_w, 840, 1312);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (pdf, &bytes, NULL, NULL));
  CU_ASSERT_TRUE (g_str_has_prefix (bytes, "%PDF-"));
}

/* No file, not even a temporary one, after a failure. */
static void
assert_dir_holds (const char *dir, unsigned n)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  unsigned count = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (d);
  while (g_dir_read_name (d) != NULL)
    count++;
  g_dir_close (d);
  CU_ASSERT_EQUAL (count, n);
}

static void
test_refused (void)
{
  g_autoptr (CondmapConverter) conv =
    cm_plot_test_converter ("converter: single-pair\n");
  g_autoptr (CondmapPlot) plot = cm_plot_test_new (conv);
  g_autofree char *dir = tmp ("refused");
  g_autofree char *jpg = g_build_filename (dir, "x.jpg", NULL);
  g_autofree char *none = g_build_filename (dir, "x", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "x.png", NULL);
  g_autofree char *is_dir = g_build_filename (dir, "sub.svg", NULL);
  g_autoptr (CondmapArray) w = cm_plot_test_linspace (-1, 1, 10);
  GError *error = NULL;

  CU_ASSERT_EQUAL_FATAL (g_mkdir (dir, 0700), 0);
  CU_ASSERT_EQUAL_FATAL (g_mkdir (is_dir, 0700), 0);
  CU_ASSERT_FALSE (condmap_plot_write (plot, jpg, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_plot_write (plot, none, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_plot_write (plot, missing, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  CU_ASSERT_FALSE (condmap_plot_write (plot, is_dir, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  assert_dir_holds (dir, 1);

  /* A NaN weight is refused, naming it, and leaves the plot as it was. */
  ((double *) condmap_array_get_data (w))[3] = NAN;
  CU_ASSERT_FALSE (condmap_plot_add_weights (plot, w, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (plot->data_range);
  CU_ASSERT_EQUAL (plot->weights.n_bins, 0);
}

static void
test_available (void)
{
  CU_ASSERT_TRUE (condmap_plot_available ());
  CU_ASSERT_TRUE (g_str_has_prefix (condmap_plot_get_renderer (), "cairo "));
  CU_ASSERT_PTR_NOT_NULL (strstr (condmap_plot_get_renderer (), ", pango "));
}

void
cm_plot_test_add_file_tests (CU_pSuite suite)
{
  CU_add_test (suite, "an SVG path per plane's curve",
               test_svg_has_a_path_per_plane);
  CU_add_test (suite, "the same input gives the same SVG bytes",
               test_svg_deterministic);
  CU_add_test (suite, "PNG size, PDF", test_png_and_pdf);
  CU_add_test (suite, "refused: extension, path, weights", test_refused);
  CU_add_test (suite, "built with cairo and pango", test_available);
}
