/* core-keys.c - the config keys every converter accepts because the core,
 * not the plugin, acts on them:
 *
 *   scaling: {per: channel, axis: 0}      per tensor (default) or channel
 *   clip: {percentile: 99.9}              or {max_abs: x}, {sigma: s}
 *
 * They are read here, before the plugin's own settings, and consumed, so
 * that the plugin never sees them and no plugin may declare them.  Errors
 * name the file and the line of the offending value, as config.c does;
 * an unknown sub-key gets a did-you-mean among the sub-keys. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "condmap-private.h"

/* A key added here is consumed by the core for every converter (`levels:`
 * is read by levels-key.c).  "converter" names the plugin. */
const char *const cm_core_keys[] = { "converter", "scaling", "clip", "levels",
                                     NULL };

static const char *const scaling_keys[] = { "per", "axis" };
static const char *const per_words[] = { "tensor", "channel" };
static const char *const clip_keys[] = { "max_abs", "sigma", "percentile" };

/* A CONFIG error at @at's line of @origin (cm_node_error). */
#define fail(error, origin, at, ...) \
  cm_node_error ((error), CONDMAP_ERROR_CONFIG, (origin), (at), __VA_ARGS__)

/* " - did you mean 'x'?" or "". */
static char *
did_you_mean (const char *word, const char *const *words, gsize n)
{
  const char *guess = cm_suggest (word, words, n);

  return guess ? g_strdup_printf (" - did you mean '%s'?", guess)
               : g_strdup ("");
}

/* Refuses a key of @map (the value of @name) that is not in @known. */
static gboolean
check_sub_keys (const CmNode *map, const char *name, const char *const *known,
                gsize n_known, const char *origin, GError **error)
{
  for (guint i = 0; i < map->children->len; i += 2)
    {
      const CmNode *k = map->children->pdata[i];
      g_autofree char *word = NULL;
      g_autofree char *hint = NULL;
      gboolean ok = FALSE;

      for (gsize j = 0; j < n_known && !ok; j++)
        ok = strcmp (k->value, known[j]) == 0;
      if (ok)
        continue;
      word = cm_quote_text (k->value);
      hint = did_you_mean (k->value, known, n_known);
      if (*hint)
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
                     "unknown key '%s.%s' in %s:%u%s", name, word, origin,
                     k->line, hint);
      else
        {
          g_autoptr (GString) list = g_string_new (NULL);

          for (gsize j = 0; j < n_known; j++)
            g_string_append_printf (list, "%s%s", j ? ", " : "", known[j]);
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
                       "unknown key '%s.%s' in %s:%u - '%s' takes: %s", name,
                       word, origin, k->line, name, list->str);
        }
      return FALSE;
    }
  return TRUE;
}

/* The value of @key in @map, or NULL if absent or null. */
static const CmNode *
sub_value (const CmNode *map, const char *key)
{
  const CmNode *v = cm_node_lookup (map, key);

  return v == NULL || cm_node_is_null (v) ? NULL : v;
}

/* Reads a finite number "NAME.KEY" at @node. */
static gboolean
read_number (const CmNode *node, const char *name, const char *key,
             const char *origin, double *value, GError **error)
{
  if (!cm_node_to_double (node, value) || !isfinite (*value))
    {
      g_autofree char *what = cm_node_describe (node);

      return fail (error, origin, node, "'%s.%s' must be a finite number, "
                   "got %s", name, key, what);
    }
  return TRUE;
}

static gboolean
read_scaling (const CmNode *node, const char *origin, CmCoreKeys *keys,
              GError **error)
{
  const CmNode *per, *axis;
  double v;

  if (node->kind != CM_NODE_MAPPING)
    {
      g_autofree char *what = cm_node_describe (node);

      return fail (error, origin, node, "'scaling' must be a mapping such as "
                   "{per: channel, axis: 0} or {per: tensor}, got %s", what);
    }
  if (!check_sub_keys (node, "scaling", scaling_keys,
                       G_N_ELEMENTS (scaling_keys), origin, error))
    return FALSE;
  per = sub_value (node, "per");
  axis = sub_value (node, "axis");
  if (per != NULL)
    {
      g_autofree char *what = cm_node_describe (per);
      g_autofree char *hint = NULL;

      if (per->kind == CM_NODE_SCALAR && strcmp (per->value, "channel") == 0)
        keys->per_channel = TRUE;
      else if (per->kind != CM_NODE_SCALAR
               || strcmp (per->value, "tensor") != 0)
        {
          hint = per->kind == CM_NODE_SCALAR
                 ? did_you_mean (per->value, per_words,
                                 G_N_ELEMENTS (per_words))
                 : g_strdup ("");
          return fail (error, origin, per, "'scaling.per' must be tensor or "
                       "channel, got %s%s", what, hint);
        }
    }
  if (axis == NULL)
    return TRUE;
  if (!keys->per_channel)
    return fail (error, origin, axis, "'scaling.axis' applies only to "
                 "per-channel scaling: add 'per: channel' or remove 'axis'");
  if (!read_number (axis, "scaling", "axis", origin, &v, error))
    return FALSE;
  if (v != floor (v) || v < -CONDMAP_MAX_RANK || v >= CONDMAP_MAX_RANK)
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];

      return fail (error, origin, axis, "'scaling.axis' must be a whole "
                   "number in [-%d, %d] (negative counts from the last "
                   "axis), got %s", CONDMAP_MAX_RANK, CONDMAP_MAX_RANK - 1,
                   cm_format_double (text, sizeof text, v));
    }
  keys->axis = (gint) v;
  return TRUE;
}

/* One clip option: a finite number inside its rule. */
static gboolean
read_clip_option (const CmNode *map, const char *key, const char *origin,
                  double *value, GError **error)
{
  const CmNode *node = sub_value (map, key);
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  double v;

  if (node == NULL)
    return TRUE;
  if (!read_number (node, "clip", key, origin, &v, error))
    return FALSE;
  cm_format_double (text, sizeof text, v);
  if (strcmp (key, "percentile") == 0 && !(v > 0 && v <= 100))
    return fail (error, origin, node, "clip.percentile = %s must be in "
                 "(0, 100]: the percentile of |w| to clip at (100 is the "
                 "largest |w|, no clipping)", text);
  if (!(v > 0))
    return fail (error, origin, node, "clip.%s = %s must be > 0", key, text);
  *value = v;
  return TRUE;
}

static gboolean
read_clip (const CmNode *node, const char *origin, CmCoreKeys *keys,
           GError **error)
{
  if (node->kind != CM_NODE_MAPPING)
    {
      g_autofree char *what = cm_node_describe (node);

      return fail (error, origin, node, "'clip' must be a mapping such as "
                   "{percentile: 99.9}, {sigma: 3} or {max_abs: 0.5}, got %s",
                   what);
    }
  if (!check_sub_keys (node, "clip", clip_keys, G_N_ELEMENTS (clip_keys),
                       origin, error)
      || !read_clip_option (node, "max_abs", origin, &keys->clip_max_abs,
                            error)
      || !read_clip_option (node, "sigma", origin, &keys->clip_sigma, error)
      || !read_clip_option (node, "percentile", origin,
                            &keys->clip_percentile, error))
    return FALSE;
  if (!cm_core_keys_clip (keys))
    return fail (error, origin, node, "'clip' needs max_abs, sigma or "
                 "percentile, such as {percentile: 99.9}; remove it to "
                 "clip nothing");
  return TRUE;
}

gboolean
cm_core_keys_read (const CmNode *mapping, const char *origin,
                   CmCoreKeys *keys, GError **error)
{
  const CmNode *node;

  memset (keys, 0, sizeof *keys);
  if (mapping == NULL)
    return TRUE;
  if ((node = sub_value (mapping, "scaling")) != NULL
      && !read_scaling (node, origin, keys, error))
    return FALSE;
  if ((node = sub_value (mapping, "clip")) != NULL
      && !read_clip (node, origin, keys, error))
    return FALSE;
  return TRUE;
}

gboolean
cm_core_keys_clip (const CmCoreKeys *keys)
{
  return keys->clip_max_abs > 0 || keys->clip_sigma > 0
         || keys->clip_percentile > 0;
}

gboolean
cm_core_keys_is_default (const CmCoreKeys *keys)
{
  return !keys->per_channel && !cm_core_keys_clip (keys);
}

static void
append_option (GString *out, const char *key, double v, gboolean *first)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!(v > 0))
    return;
  g_string_append_printf (out, "%s%s: %s", *first ? "" : ", ", key,
                          cm_format_double (buf, sizeof buf, v));
  *first = FALSE;
}

void
cm_core_keys_append_flow (const CmCoreKeys *keys, GString *out)
{
  gboolean first = TRUE;

  if (keys->per_channel)
    g_string_append_printf (out, "%sscaling: {per: channel, axis: %d}",
                            out->len > 1 ? ", " : "", keys->axis);
  if (!cm_core_keys_clip (keys))
    return;
  g_string_append_printf (out, "%sclip: {", out->len > 1 ? ", " : "");
  append_option (out, "max_abs", keys->clip_max_abs, &first);
  append_option (out, "sigma", keys->clip_sigma, &first);
  append_option (out, "percentile", keys->clip_percentile, &first);
  g_string_append_c (out, '}');
}

char *
cm_config_to_flow_yaml (const GPtrArray *resolved, const CmCoreKeys *keys)
{
  g_autofree char *settings = cm_resolved_to_flow_yaml (resolved);
  GString *out = g_string_new (settings);

  g_string_truncate (out, out->len - 1);   /* the closing '}' */
  cm_core_keys_append_flow (keys, out);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
