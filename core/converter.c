/* converter.c - a plugin plus its validated settings: made from a YAML
 * config (or a sidecar's record of one), immutable afterwards. */
#include <string.h>
#include "condmap-private.h"

/* More planes than any device cell has; guards against a plugin bug. */
#define MAX_PLANES 1024

static gboolean
plane_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!(g_ascii_isalnum (*c) || *c == '_' || *c == '-'))
      return FALSE;
  return TRUE;
}

/* The plugin's planes must be countable and nameable as files. */
static gboolean
check_planes (const CondmapConverter *conv, GError **error)
{
  const CondmapPluginDesc *d = conv->plugin->desc;
  const CondmapConverterOps *ops = conv->plugin->ops;

  if (conv->n_planes < 1 || conv->n_planes > MAX_PLANES)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "plugin \"%s\" (%s) reports %u planes; a converter needs "
                   "1 to %d", d->name, conv->plugin->path, conv->n_planes,
                   MAX_PLANES);
      return FALSE;
    }
  for (unsigned k = 0; k < conv->n_planes; k++)
    {
      const char *name = ops->get_plane_name (conv->state, k);

      if (!plane_name_is_valid (name))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                       "plugin \"%s\" (%s) names plane %u '%s', which is not "
                       "a valid file name (letters, digits, '_' and '-')",
                       d->name, conv->plugin->path, k, name ? name : "(null)");
          return FALSE;
        }
      for (unsigned j = 0; j < k; j++)
        if (strcmp (name, ops->get_plane_name (conv->state, j)) == 0)
          {
            g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                         "plugin \"%s\" (%s) names planes %u and %u both "
                         "'%s'", d->name, conv->plugin->path, j, k, name);
            return FALSE;
          }
    }
  return TRUE;
}

/* The declared bounds are the range the core checks every plane against
 * (a plugin that declares none is checked for NaN only); a declared
 * round-trip switch set to false turns the failure of check off. */
static void
find_declared (CondmapConverter *conv, const CmSettings *settings)
{
  gboolean have_min = FALSE, have_max = FALSE;
  const CmDeclTable *t = &conv->plugin->decls;

  conv->round_trip_check = TRUE;
  for (size_t i = 0; i < t->n; i++)
    {
      const CondmapSettingDecl *d = &t->decls[i];
      const CmResolved *r = cm_settings_lookup (settings, d->key);

      if (r == NULL)
        continue;
      if (d->flags & CONDMAP_SETTING_IS_G_MIN)
        conv->g_min_us = r->number, have_min = TRUE;
      if (d->flags & CONDMAP_SETTING_IS_G_MAX)
        conv->g_max_us = r->number, have_max = TRUE;
      if (d->flags & CONDMAP_SETTING_IS_ROUND_TRIP_CHECK)
        conv->round_trip_check = r->boolean;
    }
  conv->has_bounds = have_min && have_max;
}

/* Where each declared key stands in the config, so that plan() errors
 * about a key point at its line as create() errors do. */
static void
remember_lines (CondmapConverter *conv, const CmSettings *settings)
{
  const CmDeclTable *t = &conv->plugin->decls;

  conv->origin = g_strdup (cm_settings_get_origin (settings));
  conv->key_lines = g_hash_table_new (g_str_hash, g_str_equal);
  for (size_t i = 0; i < t->n; i++)
    {
      unsigned line = cm_settings_key_line (settings, t->decls[i].key);

      if (line > 0)
        g_hash_table_insert (conv->key_lines, (gpointer) t->decls[i].key,
                             GUINT_TO_POINTER (line));
    }
}

/* Validates the settings against the plugin's declaration, runs its
 * create() and the core's checks after it.  On failure the state (if
 * any) is destroyed by the caller. */
static gboolean
instantiate (CondmapConverter *conv, CmSettings *settings, GError **error)
{
  const CondmapPluginDesc *d = conv->plugin->desc;
  CondmapContext ctx;

  if (!cm_settings_validate (settings, error))
    return FALSE;
  conv->warnings = g_ptr_array_new_with_free_func (g_free);
  cm_context_init (&ctx, conv->plugin, settings, conv->warnings);
  conv->state = d->create (cm_host (), &ctx);
  if (conv->state == NULL || ctx.error != NULL)
    {
      if (ctx.error != NULL)
        g_propagate_error (error, g_steal_pointer (&ctx.error));
      else
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "plugin \"%s\" (%s) refused the config without saying "
                     "why: a bug in the plugin", d->name, conv->plugin->path);
      cm_context_clear (&ctx);
      return FALSE;
    }
  cm_context_clear (&ctx);
  conv->n_planes = conv->plugin->ops->get_n_planes (conv->state);
  if (!check_planes (conv, error))
    return FALSE;
  find_declared (conv, settings);
  remember_lines (conv, settings);
  conv->resolved = cm_settings_steal_resolved (settings);
  return TRUE;
}

CondmapConverter *
cm_converter_new_named (CondmapRuntime *runtime, const char *name,
                        const CmNode *mapping, const char *origin,
                        GError **error)
{
  g_autoptr (CmSettings) settings = NULL;
  const CmPlugin *plugin = cm_runtime_find_plugin (runtime, name);
  CondmapConverter *conv;

  if (plugin == NULL)
    {
      g_autofree const char **names = cm_runtime_dup_plugin_names (runtime);
      g_autofree char *list = g_strjoinv (", ", (char **) names);
      const char *guess = cm_suggest (name, names, g_strv_length ((char **) names));

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_CONVERTER,
                   "%s: no plugin provides converter '%s'%s%s%s (available: "
                   "%s; see 'condmap list')", origin, name,
                   guess ? " - did you mean '" : "", guess ? guess : "",
                   guess ? "'?" : "", *list ? list : "none found");
      return NULL;
    }
  conv = g_new0 (CondmapConverter, 1);
  conv->runtime = condmap_runtime_ref (runtime);
  conv->plugin = plugin;
  settings = cm_settings_new (mapping, origin, NULL, &plugin->decls);
  cm_settings_consume_keys (settings, cm_core_keys);
  if (!cm_core_keys_read (mapping, origin, &conv->core, error)
      || !instantiate (conv, settings, error)
      || !cm_converter_read_levels (conv, mapping, origin, error))
    {
      condmap_converter_free (conv);
      return NULL;
    }
  return conv;
}

CondmapConverter *
cm_converter_new_from_node (CondmapRuntime *runtime, const CmNode *root,
                            const char *origin, GError **error)
{
  const CmNode *name;

  if (root->kind != CM_NODE_MAPPING)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s:%u: a config is a mapping of keys such as "
                   "'converter: single-pair', not %s", origin, root->line,
                   root->kind == CM_NODE_SEQUENCE ? "a list" : "a scalar");
      return NULL;
    }
  name = cm_node_lookup (root, "converter");
  if (name == NULL || cm_node_is_null (name))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s: the key 'converter' is missing: name the mapping "
                   "scheme, for example 'converter: single-pair' (see "
                   "'condmap list')", origin);
      return NULL;
    }
  if (name->kind != CM_NODE_SCALAR)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s:%u: 'converter' must be a plugin name such as "
                   "single-pair", origin, name->line);
      return NULL;
    }
  return cm_converter_new_named (runtime, name->value, root, origin, error);
}

CondmapConverter *
condmap_converter_new_from_yaml (CondmapRuntime *runtime, const char *yaml,
                                 gssize length, const char *origin,
                                 GError **error)
{
  g_autoptr (CmNode) root = NULL;

  if (origin == NULL)
    origin = "<string>";
  root = cm_yaml_load (yaml, length < 0 ? strlen (yaml) : (gsize) length,
                       origin, error);
  if (root == NULL)
    return NULL;
  return cm_converter_new_from_node (runtime, root, origin, error);
}

CondmapConverter *
condmap_converter_new_from_file (CondmapRuntime *runtime, const char *path,
                                 GError **error)
{
  g_autoptr (CmNode) root = cm_yaml_load_file (path, error);

  if (root == NULL)
    return NULL;
  return cm_converter_new_from_node (runtime, root, path, error);
}

void
condmap_converter_free (CondmapConverter *conv)
{
  if (conv == NULL)
    return;
  if (conv->state != NULL)
    conv->plugin->desc->destroy (conv->state);
  if (conv->resolved != NULL)
    g_ptr_array_unref (conv->resolved);
  if (conv->warnings != NULL)
    g_ptr_array_unref (conv->warnings);
  if (conv->key_lines != NULL)
    g_hash_table_unref (conv->key_lines);
  g_free (conv->origin);
  cm_converter_levels_free (conv->levels);
  /* Last: the runtime may unload the plugin's code. */
  condmap_runtime_unref (conv->runtime);
  g_free (conv);
}

const char *
condmap_converter_get_name (const CondmapConverter *conv)
{
  return conv->plugin->desc->name;
}

unsigned
condmap_converter_get_n_planes (const CondmapConverter *conv)
{
  return conv->n_planes;
}

const char *
condmap_converter_get_plane_name (const CondmapConverter *conv, unsigned k)
{
  if (k >= conv->n_planes)
    return NULL;
  return conv->plugin->ops->get_plane_name (conv->state, k);
}

char *
condmap_converter_dup_config_yaml (const CondmapConverter *conv)
{
  return cm_config_to_flow_yaml (conv->resolved, &conv->core);
}

gboolean
condmap_converter_get_bounds (const CondmapConverter *conv, double *g_min_us,
                              double *g_max_us)
{
  if (!conv->has_bounds)
    return FALSE;
  *g_min_us = conv->g_min_us;
  *g_max_us = conv->g_max_us;
  return TRUE;
}

gboolean
condmap_converter_wants_round_trip (const CondmapConverter *conv)
{
  return conv->round_trip_check;
}

size_t
condmap_converter_get_n_warnings (const CondmapConverter *conv)
{
  return conv->warnings != NULL ? conv->warnings->len : 0;
}

const char *
condmap_converter_get_warning (const CondmapConverter *conv, size_t i)
{
  if (conv->warnings == NULL || i >= conv->warnings->len)
    return NULL;
  return conv->warnings->pdata[i];
}

CondmapScaling
condmap_converter_get_scaling (const CondmapConverter *conv, int *axis)
{
  if (!conv->core.per_channel)
    return CONDMAP_SCALING_PER_TENSOR;
  if (axis != NULL)
    *axis = conv->core.axis;
  return CONDMAP_SCALING_PER_CHANNEL;
}

gboolean
condmap_converter_clips (const CondmapConverter *conv)
{
  return cm_core_keys_clip (&conv->core);
}
