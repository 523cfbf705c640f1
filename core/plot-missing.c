/* plot-missing.c - the plot functions of a libcondmap built without cairo
 * and pango: they exist, so that programs and bindings link against any
 * build, and say how to get plots. */
#include "condmap-private.h"

static void
not_built (GError **error)
{
  g_set_error_literal (error, CONDMAP_ERROR, CONDMAP_ERROR_FAILED,
                       "this libcondmap was built without plots: install "
                       "cairo and pango (on Debian, apt-get install "
                       "libcairo2-dev libpango1.0-dev fonts-dejavu-core), "
                       "then run configure and make again");
}

gboolean
condmap_plot_available (void)
{
  return FALSE;
}

const char *
condmap_plot_get_renderer (void)
{
  return NULL;
}

CondmapPlot *
condmap_plot_new (const CondmapConverter *conv, const char *title,
                  GError **error)
{
  not_built (error);
  return NULL;
}

void
condmap_plot_free (CondmapPlot *plot)
{
}

gboolean
condmap_plot_add_weights (CondmapPlot *plot, const CondmapArray *weights,
                          GError **error)
{
  not_built (error);
  return FALSE;
}

gboolean
condmap_plot_add_planes (CondmapPlot *plot, const CondmapArray *const *planes,
                         const CondmapParams *params, GError **error)
{
  not_built (error);
  return FALSE;
}

gboolean
condmap_plot_write (const CondmapPlot *plot, const char *path,
                    GError **error)
{
  not_built (error);
  return FALSE;
}

gboolean
condmap_plot_scheme (const CondmapConverter *conv,
                     const CondmapArray *weights, const char *title,
                     const char *path, GError **error)
{
  not_built (error);
  return FALSE;
}

CondmapPlot *
condmap_plot_new_budget (const char *title, const char *subtitle,
                         GError **error)
{
  not_built (error);
  return NULL;
}

gboolean
condmap_plot_add_budget (CondmapPlot *plot, const char *name,
                         const CondmapBudgetTime *times, size_t n_times,
                         GError **error)
{
  not_built (error);
  return FALSE;
}
