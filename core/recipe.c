/* recipe.c - which tensors of a checkpoint get which scheme:
 *
 *   format: condmap-recipe/1
 *   default: configs/dual-pair.yaml   # a path (relative to the recipe) or
 *                                     # an inline config mapping
 *   rules:                            # the first match wins
 *     - {match: "*.bias", skip: true}
 *     - {match: "classifier.*", config: {converter: single-pair, g_max: 25}}
 *
 * `default` applies to floating tensors of rank >= 2 that no rule matched;
 * tensors of rank < 2 and non-floating tensors pass through unless a rule
 * names them.  Loading is as strict as a config's: line and column,
 * unknown keys with a did-you-mean, and every converter made (and so every
 * config checked) when the recipe loads, not halfway through a model. */
#include <fnmatch.h>
#include <string.h>
#include "condmap-private.h"

#define RECIPE_FORMAT "condmap-recipe/1"

typedef struct {
  char *pattern;                /* a glob, fnmatch(3) without flags */
  unsigned line;
  CondmapConverter *conv;     /* NULL: skip */
  gboolean used;
} Rule;

struct _CondmapRecipe {
  char *origin;
  CondmapConverter *fallback;  /* the default; NULL: none */
  GArray *rules;               /* Rule */
};

static void
rule_clear (gpointer data)
{
  Rule *r = data;

  g_free (r->pattern);
  condmap_converter_free (r->conv);
}

void
condmap_recipe_free (CondmapRecipe *recipe)
{
  if (recipe == NULL)
    return;
  g_free (recipe->origin);
  condmap_converter_free (recipe->fallback);
  g_array_unref (recipe->rules);
  g_free (recipe);
}

static CondmapRecipe *
recipe_new (const char *origin)
{
  CondmapRecipe *r = g_new0 (CondmapRecipe, 1);

  r->origin = g_strdup (origin);
  r->rules = g_array_new (FALSE, TRUE, sizeof (Rule));
  g_array_set_clear_func (r->rules, rule_clear);
  return r;
}

static gboolean G_GNUC_PRINTF (4, 5)
fail (GError **error, const char *origin, const CmNode *at,
      const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (at != NULL)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG, "%s:%u:%u: %s",
                 origin, at->line, at->column, text);
  else
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG, "%s: %s",
                 origin, text);
  return FALSE;
}

/* Refuses a key of @mapping that is not in @known, with a did-you-mean. */
static gboolean
check_keys (const CmNode *mapping, const char *const *known, const char *what,
            const char *origin, GError **error)
{
  for (guint i = 0; i + 1 < mapping->children->len; i += 2)
    {
      const CmNode *k = mapping->children->pdata[i];
      g_autofree char *word = NULL;
      g_autofree char *list = NULL;
      const char *guess;

      if (g_strv_contains (known, k->value))
        continue;
      word = cm_quote_text (k->value);
      guess = cm_suggest (k->value, known, g_strv_length ((char **) known));
      list = g_strjoinv (", ", (char **) known);
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
                   "unknown key '%s' in %s:%u:%u - %s%s%s(%s takes: %s)",
                   word, origin, k->line, k->column,
                   guess ? "did you mean '" : "", guess ? guess : "",
                   guess ? "'? " : "", what, list);
      return FALSE;
    }
  return TRUE;
}

/* A scalar string value, or NULL after an error naming @key. */
static const char *
get_string (const CmNode *node, const char *key, const char *origin,
            GError **error)
{
  if (node->kind != CM_NODE_SCALAR || cm_node_is_null (node))
    {
      g_autofree char *what = cm_node_describe (node);

      fail (error, origin, node, "'%s' must be a string, got %s", key, what);
      return NULL;
    }
  return node->value;
}

/* A converter from a `default:` or `config:` value: a path relative to the
 * recipe, or an inline config mapping. */
static CondmapConverter *
make_converter (CondmapRuntime *rt, const CmNode *node, const char *key,
                const char *origin, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char *text;

  if (node->kind == CM_NODE_MAPPING)
    return cm_converter_new_from_node (rt, node, origin, error);
  text = get_string (node, key, origin, error);
  if (text == NULL)
    return NULL;
  dir = g_path_get_dirname (origin);
  path = g_path_is_absolute (text) ? g_strdup (text)
                                   : g_build_filename (dir, text, NULL);
  return condmap_converter_new_from_file (rt, path, error);
}

static gboolean
load_rule (CondmapRecipe *recipe, CondmapRuntime *rt, const CmNode *node,
           GError **error)
{
  static const char *const keys[] = { "match", "skip", "config", NULL };
  const CmNode *match, *skip, *config;
  gboolean skip_value = FALSE;
  Rule rule = { 0 };

  if (node->kind != CM_NODE_MAPPING)
    return fail (error, recipe->origin, node, "a rule is a mapping such as "
                 "{match: \"*.bias\", skip: true}");
  if (!check_keys (node, keys, "a rule", recipe->origin, error))
    return FALSE;
  match = cm_node_lookup (node, "match");
  skip = cm_node_lookup (node, "skip");
  config = cm_node_lookup (node, "config");
  if (match == NULL)
    return fail (error, recipe->origin, node, "the rule has no 'match': "
                 "give a glob on tensor names such as \"*.weight\"");
  if (skip != NULL && !cm_node_to_boolean (skip, &skip_value))
    return fail (error, recipe->origin, skip, "'skip' must be true or false");
  if (skip_value == (config != NULL && !cm_node_is_null (config)))
    return fail (error, recipe->origin, node, "a rule has either 'skip: true' "
                 "or a 'config', not %s", skip_value ? "both" : "neither");
  if (get_string (match, "match", recipe->origin, error) == NULL)
    return FALSE;
  rule.pattern = g_strdup (match->value);
  rule.line = match->line;
  g_array_append_val (recipe->rules, rule);
  if (!skip_value)
    {
      Rule *r = &g_array_index (recipe->rules, Rule, recipe->rules->len - 1);

      r->conv = make_converter (rt, config, "config", recipe->origin, error);
      if (r->conv == NULL)
        return FALSE;
    }
  return TRUE;
}

static CondmapRecipe *
recipe_from_node (CondmapRuntime *rt, const CmNode *root, const char *origin,
                  GError **error)
{
  static const char *const keys[] = { "format", "default", "rules", NULL };
  g_autoptr (CondmapRecipe) recipe = recipe_new (origin);
  const CmNode *format, *fallback, *rules;

  if (root->kind != CM_NODE_MAPPING)
    {
      fail (error, origin, root, "a recipe is a mapping with 'format: %s', "
            "'default' and 'rules'", RECIPE_FORMAT);
      return NULL;
    }
  if (!check_keys (root, keys, "a recipe", origin, error))
    return NULL;
  format = cm_node_lookup (root, "format");
  if (format == NULL || format->kind != CM_NODE_SCALAR
      || strcmp (format->value, RECIPE_FORMAT) != 0)
    {
      fail (error, origin, format, "a recipe starts with 'format: %s'%s",
            RECIPE_FORMAT, format ? " (is this a recipe of another condmap "
            "version?)" : "");
      return NULL;
    }
  fallback = cm_node_lookup (root, "default");
  if (fallback != NULL && !cm_node_is_null (fallback))
    {
      recipe->fallback = make_converter (rt, fallback, "default", origin,
                                         error);
      if (recipe->fallback == NULL)
        return NULL;
    }
  rules = cm_node_lookup (root, "rules");
  if (rules != NULL && !cm_node_is_null (rules))
    {
      if (rules->kind != CM_NODE_SEQUENCE)
        {
          fail (error, origin, rules, "'rules' must be a list of rules such "
                "as - {match: \"*.bias\", skip: true}");
          return NULL;
        }
      for (guint i = 0; i < rules->children->len; i++)
        if (!load_rule (recipe, rt, rules->children->pdata[i], error))
          return NULL;
    }
  return g_steal_pointer (&recipe);
}

CondmapRecipe *
condmap_recipe_new_from_yaml (CondmapRuntime *runtime, const char *yaml,
                              gssize length, const char *origin,
                              GError **error)
{
  g_autoptr (CmNode) root = NULL;

  if (origin == NULL)
    origin = "<recipe>";
  root = cm_yaml_load (yaml, length < 0 ? strlen (yaml) : (gsize) length,
                       origin, error);
  return root ? recipe_from_node (runtime, root, origin, error) : NULL;
}

CondmapRecipe *
condmap_recipe_new_from_file (CondmapRuntime *runtime, const char *path,
                              GError **error)
{
  g_autoptr (CmNode) root = cm_yaml_load_file (path, error);

  return root ? recipe_from_node (runtime, root, path, error) : NULL;
}

CondmapRecipe *
condmap_recipe_new_for_config (CondmapRuntime *runtime,
                               const char *config_path, GError **error)
{
  g_autoptr (CondmapRecipe) recipe =
    recipe_new (config_path ? config_path : "(single-pair, aihwkit's defaults)");

  recipe->fallback = config_path != NULL
    ? condmap_converter_new_from_file (runtime, config_path, error)
    : condmap_converter_new_from_yaml (runtime, "converter: single-pair", -1,
                                       "(default)", error);
  return recipe->fallback ? g_steal_pointer (&recipe) : NULL;
}

const CondmapConverter *
condmap_recipe_choose (CondmapRecipe *recipe, const char *name, unsigned rank,
                       gboolean floating, int *rule_index)
{
  if (rule_index != NULL)
    *rule_index = -1;
  for (guint i = 0; i < recipe->rules->len; i++)
    {
      Rule *r = &g_array_index (recipe->rules, Rule, i);

      if (fnmatch (r->pattern, name, 0) != 0)
        continue;
      r->used = TRUE;
      if (rule_index != NULL)
        *rule_index = (int) i;
      return r->conv;
    }
  return floating && rank >= 2 ? recipe->fallback : NULL;
}

size_t
condmap_recipe_get_n_rules (const CondmapRecipe *recipe)
{
  return recipe->rules->len;
}

const char *
condmap_recipe_get_rule (const CondmapRecipe *recipe, size_t i,
                         unsigned *line, gboolean *used)
{
  const Rule *r;

  if (i >= recipe->rules->len)
    return NULL;
  r = &g_array_index (recipe->rules, Rule, i);
  if (line != NULL)
    *line = r->line;
  if (used != NULL)
    *used = r->used;
  return r->pattern;
}

const char *
condmap_recipe_get_origin (const CondmapRecipe *recipe)
{
  return recipe->origin;
}
