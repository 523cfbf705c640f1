/* plan.c - the plugin's plan() per channel, and the params as the kernels
 * read them: rows of the plugin's param_names, one row per channel.
 *
 * The named form (CondmapParams) is what the embedding API and the
 * sidecar see; the kernels get a pointer to their channel's row, so no
 * kernel looks a name up. */
#include <math.h>
#include <string.h>
#include "scaling-private.h"

/* Runs plan() for one channel into @row (n_params + 1 doubles). */
static gboolean
plan_one (const CondmapConverter *conv, const CondmapStats *stats,
          double *row, size_t c, size_t n_channels, GError **error)
{
  const CmPlugin *p = conv->plugin;
  CondmapContext ctx;
  int ok;

  for (size_t i = 0; i <= p->n_params; i++)
    row[i] = NAN;
  cm_context_init (&ctx, p, NULL, NULL);
  ctx.origin = conv->origin;
  ctx.key_lines = conv->key_lines;
  ok = p->ops->plan (conv->state, stats, row, &ctx);
  if (!ok || ctx.error != NULL)
    {
      if (ctx.error == NULL)
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "plugin \"%s\" could not plan the conversion and did "
                     "not say why", p->desc->name);
      else
        g_propagate_error (error, g_steal_pointer (&ctx.error));
      cm_context_clear (&ctx);
      if (n_channels > 1)
        g_prefix_error (error, "channel %zu of %zu: ", c, n_channels);
      return FALSE;
    }
  cm_context_clear (&ctx);
  for (size_t i = 0; i < p->n_params; i++)
    if (!isfinite (row[i]))
      {
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "plugin \"%s\" plan(): param '%s' is %s: a bug in "
                     "the plugin", p->desc->name, p->ops->param_names[i],
                     isnan (row[i]) ? "not set or NaN" : "infinite");
        if (n_channels > 1)
          g_prefix_error (error, "channel %zu of %zu: ", c, n_channels);
        return FALSE;
      }
  return TRUE;
}

double *
cm_plan_channels (const CondmapConverter *conv, const CondmapStats *stats,
                  size_t n_channels, const double *thresholds,
                  CondmapParams **params_out, GError **error)
{
  size_t P = conv->plugin->n_params;
  g_autofree double *values = g_new (double, n_channels * P + 1);
  g_autofree double *row = g_new (double, P + 1);
  g_autofree double *column = g_new (double, n_channels);
  g_autoptr (CondmapParams) params = condmap_params_new ();

  for (size_t c = 0; c < n_channels; c++)
    {
      if (!plan_one (conv, &stats[c], row, c, n_channels, error))
        return NULL;
      memcpy (values + c * P, row, P * sizeof (double));
    }
  condmap_params_set_n_rows (params, n_channels);
  for (size_t i = 0; i < P; i++)
    {
      for (size_t c = 0; c < n_channels; c++)
        column[c] = values[c * P + i];
      condmap_params_set_column (params, conv->plugin->ops->param_names[i],
                                 column, n_channels);
    }
  if (thresholds != NULL)
    condmap_params_set_column (params, CONDMAP_PARAM_CLIP_THRESHOLD,
                               thresholds, n_channels);
  *params_out = g_steal_pointer (&params);
  return g_steal_pointer (&values);
}

/* A sidecar edited by hand, or params made for other planes, may have a
 * hole or the wrong rows: refused before any kernel runs. */
double *
cm_params_to_rows (const CondmapConverter *conv, const CondmapParams *params,
                   size_t n_channels, GError **error)
{
  const char *const *names = conv->plugin->ops->param_names;
  size_t P = conv->plugin->n_params;
  size_t rows = condmap_params_get_n_rows (params);
  g_autofree double *values = g_new (double, n_channels * P + 1);
  g_autofree double *column = g_new (double, rows);

  if (rows != n_channels)
    {
      if (n_channels == 1)
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                     "the params have %zu rows, one per channel, but "
                     "converter '%s' scales per tensor: use the params and "
                     "config of the conversion that made the planes", rows,
                     condmap_converter_get_name (conv));
      else
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                     "the params have %zu row%s, but the planes have %zu "
                     "channels along scaling axis %d (one row per channel): "
                     "use the params of the conversion that made the planes",
                     rows, rows == 1 ? "" : "s", n_channels,
                     conv->core.axis);
      return NULL;
    }
  for (size_t i = 0; names[i] != NULL; i++)
    {
      if (!condmap_params_get_column (params, names[i], column))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "converter '%s' needs the param '%s', which is "
                       "missing", condmap_converter_get_name (conv), names[i]);
          return NULL;
        }
      for (size_t c = 0; c < rows; c++)
        {
          if (!isfinite (column[c]))
            {
              if (rows > 1)
                g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                             "param '%s' of converter '%s' is not finite in "
                             "row %zu (channel %zu)", names[i],
                             condmap_converter_get_name (conv), c, c);
              else
                g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                             "param '%s' of converter '%s' is not finite",
                             names[i], condmap_converter_get_name (conv));
              return NULL;
            }
          values[c * P + i] = column[c];
        }
    }
  return g_steal_pointer (&values);
}
