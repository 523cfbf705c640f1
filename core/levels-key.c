/* levels-key.c - `levels:`, a key every converter accepts because the
 * core, not the plugin, acts on it:
 *
 *   levels: 16                     uniform levels from g_min to g_max
 *   levels: [0.0, 1.3, 2.9, ...]   an explicit sorted list, µS
 *   levels: {file: levels.csv}     a measured table, relative to the config
 *   levels: {n: 16, assign: per-plane}   the mapping form: one of n, list
 *                                  or file, and how pairs get their levels
 *
 * After the plugin's forward kernel has written a chunk of planes, the
 * core puts every conductance on a level: jointly for a pair scheme that
 * declares its pairs (CONDMAP_INTERFACE_LEVEL_PAIRS: n-pair, dual-pair,
 * custom-pair), else each plane on its own.  The plugin never sees the
 * key, with one exception: a converter that places uniform levels itself
 * (CONDMAP_INTERFACE_LEVELS_UNIFORM: offset, two-sided-pair) is handed
 * the count of `levels: N` or `{n: N}` once, and its planes are then left
 * as its kernels write them; a list or a table is still snapped here.
 * Errors name the file and the line of the offending value. */
#include <math.h>
#include <string.h>
#include "condmap-private.h"
#include "devices-private.h"

/* More pairs than any scheme has. */
#define MAX_PAIRS 512

struct _CmConverterLevels {
  CmLevels *levels;
  gboolean by_converter;   /* the converter places them: nothing to do */
  size_t n_pairs;          /* > 0: joint assignment of these pairs */
  double f[MAX_PAIRS];
};

static const char *const mapping_keys[] = { "n", "list", "file", "assign" };
static const char *const assign_words[] = { "joint", "per-plane" };

/* A CONFIG error at @at's line of @origin (cm_node_error). */
#define fail(error, origin, at, ...) \
  cm_node_error ((error), CONDMAP_ERROR_CONFIG, (origin), (at), __VA_ARGS__)

static CmLevels *
read_uniform (const CmNode *node, const char *origin, double g_min,
              double g_max, GError **error)
{
  double n;
  g_autofree char *where = g_strdup_printf ("%s:%u: 'levels'", origin,
                                            node->line);

  if (!cm_node_to_double (node, &n) || n != floor (n) || n < 2
      || n > CM_LEVELS_MAX)
    {
      g_autofree char *what = cm_node_describe (node);

      fail (error, origin, node, "'levels' must be a whole number of "
            "uniform levels from 2 to %d, a list of levels in µS or "
            "{file: levels.csv}, got %s", CM_LEVELS_MAX, what);
      return NULL;
    }
  return cm_levels_new_uniform ((size_t) n, g_min, g_max, where, error);
}

static CmLevels *
read_list (const CmNode *node, const char *origin, double g_min,
           double g_max, GError **error)
{
  guint n = node->children->len;
  g_autofree double *mean = g_new (double, MAX (n, 1));
  g_autofree unsigned *lines = g_new (unsigned, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const CmNode *item = node->children->pdata[i];

      if (item->kind != CM_NODE_SCALAR || !cm_node_to_double (item, &mean[i]))
        {
          g_autofree char *what = cm_node_describe (item);

          fail (error, origin, item, "'levels'[%u] must be a number (µS), "
                "got %s", i, what);
          return NULL;
        }
      lines[i] = item->line;
    }
  if (n < 2)
    {
      fail (error, origin, node, "'levels' lists %u level%s; a level set "
            "needs at least 2, the lowest and the highest conductance a "
            "device takes", n, n == 1 ? "" : "s");
      return NULL;
    }
  return cm_levels_new_list (mean, NULL, n, g_min, g_max, origin, lines,
                             error);
}

static CmLevels *
read_file (const CmNode *file, const char *origin, double g_min,
           double g_max, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  CmLevels *levels;

  if (file->kind != CM_NODE_SCALAR || *file->value == '\0')
    {
      fail (error, origin, file, "'levels.file' must name a level table, "
            "such as {file: levels.csv}");
      return NULL;
    }
  dir = g_path_get_dirname (origin);
  path = g_path_is_absolute (file->value) || strcmp (dir, ".") == 0
         ? g_strdup (file->value)
         : g_build_filename (dir, file->value, NULL);
  levels = cm_levels_read_file (path, g_min, g_max, error);
  if (levels == NULL)
    g_prefix_error (error, "%s:%u: 'levels.file': ", origin, file->line);
  return levels;
}

static gboolean
check_mapping_keys (const CmNode *node, const char *origin, GError **error)
{
  for (guint i = 0; i < node->children->len; i += 2)
    {
      const CmNode *k = node->children->pdata[i];
      const char *guess;
      gboolean ok = FALSE;

      for (gsize j = 0; j < G_N_ELEMENTS (mapping_keys) && !ok; j++)
        ok = strcmp (k->value, mapping_keys[j]) == 0;
      if (ok)
        continue;
      guess = cm_suggest (k->value, mapping_keys,
                          G_N_ELEMENTS (mapping_keys));
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
                   "unknown key 'levels.%s' in %s:%u%s%s%s", k->value,
                   origin, k->line,
                   guess ? " - did you mean '" : " - 'levels' takes: n, "
                   "list, file, assign", guess ? guess : "",
                   guess ? "'?" : "");
      return FALSE;
    }
  return TRUE;
}

/* The mapping form: exactly one of n, list and file; assign. */
static CmLevels *
read_mapping (const CmNode *node, const char *origin, double g_min,
              double g_max, gboolean *per_plane, GError **error)
{
  const CmNode *n = cm_node_lookup (node, "n");
  const CmNode *list = cm_node_lookup (node, "list");
  const CmNode *file = cm_node_lookup (node, "file");
  const CmNode *assign = cm_node_lookup (node, "assign");

  if (!check_mapping_keys (node, origin, error))
    return NULL;
  if ((n != NULL) + (list != NULL) + (file != NULL) != 1)
    {
      fail (error, origin, node, "'levels' takes exactly one of n (uniform "
            "levels), list (µS) and file (a level table), as in {n: 16}");
      return NULL;
    }
  if (assign != NULL)
    {
      if (assign->kind == CM_NODE_SCALAR
          && strcmp (assign->value, "per-plane") == 0)
        *per_plane = TRUE;
      else if (assign->kind != CM_NODE_SCALAR
               || strcmp (assign->value, "joint") != 0)
        {
          g_autofree char *what = cm_node_describe (assign);
          const char *guess = assign->kind == CM_NODE_SCALAR
            ? cm_suggest (assign->value, assign_words, 2) : NULL;

          fail (error, origin, assign, "'levels.assign' must be joint or "
                "per-plane, got %s%s%s%s", what,
                guess ? " - did you mean '" : "", guess ? guess : "",
                guess ? "'?" : "");
          return NULL;
        }
    }
  if (n != NULL)
    return read_uniform (n, origin, g_min, g_max, error);
  if (list != NULL && list->kind != CM_NODE_SEQUENCE)
    {
      fail (error, origin, list, "'levels.list' must be a list of levels "
            "in µS, such as [0, 5, 12.5, 25]");
      return NULL;
    }
  if (list != NULL)
    return read_list (list, origin, g_min, g_max, error);
  return read_file (file, origin, g_min, g_max, error);
}

/* The pair structure the plugin declares, if any. */
static void
find_pairs (CmConverterLevels *cl, const CondmapConverter *conv)
{
  const CondmapPluginDesc *d = conv->plugin->desc;
  const CondmapLevelPairsInterface *iface;
  size_t n;

  if (d->get_interface == NULL)
    return;
  iface = d->get_interface (CONDMAP_INTERFACE_LEVEL_PAIRS);
  if (iface == NULL || iface->get_pairs == NULL)
    return;
  n = iface->get_pairs (conv->state, cl->f, MAX_PAIRS);
  if (n < 1 || n > MAX_PAIRS || 2 * n != conv->n_planes)
    return;   /* not the pair layout the interface promises: snap planes */
  for (size_t k = 0; k < n; k++)
    if (!(isfinite (cl->f[k]) && cl->f[k] > 0))
      return;
  cl->n_pairs = n;
}

/* Hands uniform levels to a converter that places them itself
 * (CONDMAP_INTERFACE_LEVELS_UNIFORM), which then sets cl->by_converter.
 * FALSE if the converter refuses the count; its error names the line of
 * @node ('levels'). */
static gboolean
offer_uniform (CmConverterLevels *cl, CondmapConverter *conv,
               const CmNode *node, const char *origin, GError **error)
{
  const CondmapPluginDesc *d = conv->plugin->desc;
  const CondmapLevelsUniformInterface *iface;
  CondmapContext ctx;
  int ok;

  if (cl->levels->kind != CM_LEVELS_UNIFORM || d->get_interface == NULL)
    return TRUE;
  iface = d->get_interface (CONDMAP_INTERFACE_LEVELS_UNIFORM);
  if (iface == NULL
      || iface->struct_size < offsetof (CondmapLevelsUniformInterface,
                                        set_levels)
                              + sizeof iface->set_levels
      || iface->set_levels == NULL)
    return TRUE;
  /* As for plan(): errors located through the key lines, which now hold
   * the line of 'levels' too. */
  g_hash_table_insert (conv->key_lines, (gpointer) "levels",
                       GUINT_TO_POINTER (node->line));
  cm_context_init (&ctx, conv->plugin, NULL, conv->warnings);
  ctx.origin = origin;
  ctx.key_lines = conv->key_lines;
  ok = iface->set_levels (conv->state, (uint32_t) cl->levels->n, &ctx);
  if (!ok || ctx.error != NULL)
    {
      if (ctx.error != NULL)
        g_propagate_error (error, g_steal_pointer (&ctx.error));
      else
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "plugin \"%s\" (%s) refused %zu levels without saying "
                     "why: a bug in the plugin", d->name, conv->plugin->path,
                     cl->levels->n);
      cm_context_clear (&ctx);
      return FALSE;
    }
  cm_context_clear (&ctx);
  cl->by_converter = TRUE;
  return TRUE;
}

gboolean
cm_converter_read_levels (CondmapConverter *conv, const CmNode *mapping,
                          const char *origin, GError **error)
{
  const CmNode *node = mapping ? cm_node_lookup (mapping, "levels") : NULL;
  g_autofree CmConverterLevels *cl = NULL;
  gboolean per_plane = FALSE;

  if (node == NULL || cm_node_is_null (node))
    return TRUE;
  if (!conv->has_bounds)
    return fail (error, origin, node, "'levels' needs the converter's "
                 "conductance bounds, and %s declares none",
                 conv->plugin->desc->name);
  cl = g_new0 (CmConverterLevels, 1);
  if (node->kind == CM_NODE_SCALAR)
    cl->levels = read_uniform (node, origin, conv->g_min_us, conv->g_max_us,
                               error);
  else if (node->kind == CM_NODE_SEQUENCE)
    cl->levels = read_list (node, origin, conv->g_min_us, conv->g_max_us,
                            error);
  else
    cl->levels = read_mapping (node, origin, conv->g_min_us, conv->g_max_us,
                               &per_plane, error);
  if (cl->levels == NULL
      || !offer_uniform (cl, conv, node, origin, error))
    {
      cm_converter_levels_free (g_steal_pointer (&cl));
      return FALSE;
    }
  if (!per_plane && !cl->by_converter)
    find_pairs (cl, conv);
  conv->levels = g_steal_pointer (&cl);
  return TRUE;
}

void
cm_converter_levels_free (CmConverterLevels *cl)
{
  if (cl == NULL)
    return;
  cm_levels_free (cl->levels);
  g_free (cl);
}

void
cm_converter_levels_apply (const CmConverterLevels *cl, CondmapDtype dtype,
                           unsigned n_planes, void *const *g, size_t n)
{
  if (cl->by_converter)
    return;
  if (cl->n_pairs > 0 && dtype == CONDMAP_DTYPE_FLOAT32)
    cm_levels_assign_joint_f32 (cl->levels, cl->f, cl->n_pairs,
                                (float *const *) g, n);
  else if (cl->n_pairs > 0)
    cm_levels_assign_joint_f64 (cl->levels, cl->f, cl->n_pairs,
                                (double *const *) g, n);
  else if (dtype == CONDMAP_DTYPE_FLOAT32)
    cm_levels_snap_planes_f32 (cl->levels, n_planes, (float *const *) g, n);
  else
    cm_levels_snap_planes_f64 (cl->levels, n_planes, (double *const *) g, n);
}

gboolean
condmap_converter_get_levels (const CondmapConverter *conv, size_t *n_levels,
                              gboolean *joint)
{
  if (conv->levels == NULL)
    return FALSE;
  if (n_levels != NULL)
    *n_levels = conv->levels->levels->n;
  if (joint != NULL)
    *joint = conv->levels->n_pairs > 0;
  return TRUE;
}

gboolean
condmap_converter_places_levels (const CondmapConverter *conv)
{
  return conv->levels != NULL && conv->levels->by_converter;
}

const double *
condmap_converter_get_level_values (const CondmapConverter *conv,
                                    size_t *n_levels)
{
  if (conv->levels == NULL)
    {
      if (n_levels != NULL)
        *n_levels = 0;
      return NULL;
    }
  if (n_levels != NULL)
    *n_levels = conv->levels->levels->n;
  return conv->levels->levels->mean_us;
}
