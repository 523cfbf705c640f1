/* test-recipe.c - recipes: which tensor gets which scheme, and the errors
 * of a recipe file, through the real loader and plugins. */
#include <string.h>
#include "test-util.h"

static CondmapRuntime *rt;

#define GOOD_RECIPE                                                         \
  "format: condmap-recipe/1\n"                                             \
  "default: dual.yaml\n"                                                   \
  "rules:\n"                                                               \
  "  - {match: \"*.bias\", skip: true}\n"                                  \
  "  - {match: \"classifier.*\", config: {converter: single-pair, "        \
  "g_max: 40}}\n"                                                          \
  "  - {match: \"*.embed*\", skip: true}\n"                                \
  "  - {match: \"never.*\", skip: true}\n"

static CondmapRecipe *
good_recipe (void)
{
  GError *error = NULL;
  g_autofree char *cfg = cm_test_write_file ("dual.yaml",
    "converter: dual-pair\nf_lst: [1, 3]\n", -1);
  g_autofree char *path = cm_test_write_file ("recipe.yaml", GOOD_RECIPE, -1);
  CondmapRecipe *r = condmap_recipe_new_from_file (rt, path, &error);

  CM_ASSERT_NO_ERROR (error);
  return r;
}

static void
test_choose (void)
{
  g_autoptr (CondmapRecipe) r = good_recipe ();
  const CondmapConverter *c;
  gboolean used;
  unsigned line;
  int rule;
  double lo, hi;

  /* Floating, rank >= 2, no rule: the default (a path beside the recipe). */
  c = condmap_recipe_choose (r, "layer1.weight", 2, TRUE, &rule);
  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_name (c), "dual-pair");
  CU_ASSERT_EQUAL (rule, -1);
  c = condmap_recipe_choose (r, "conv.weight", 4, TRUE, &rule);
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_name (c), "dual-pair");
  /* A rule skips: the first match wins, before the classifier rule. */
  CU_ASSERT_PTR_NULL (condmap_recipe_choose (r, "classifier.bias", 1, TRUE,
                                             &rule));
  CU_ASSERT_EQUAL (rule, 0);
  /* An inline config. */
  c = condmap_recipe_choose (r, "classifier.weight", 2, TRUE, &rule);
  CU_ASSERT_PTR_NOT_NULL_FATAL (c);
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_name (c), "single-pair");
  CU_ASSERT_TRUE (condmap_converter_get_bounds (c, &lo, &hi) && hi == 40);
  CU_ASSERT_EQUAL (rule, 1);
  CU_ASSERT_PTR_NULL (condmap_recipe_choose (r, "tok.embed.weight", 2, TRUE,
                                             &rule));
  CU_ASSERT_EQUAL (rule, 2);
  /* Rank < 2 and non-floating tensors pass through unless a rule names
   * them. */
  CU_ASSERT_PTR_NULL (condmap_recipe_choose (r, "norm.weight", 1, TRUE, NULL));
  CU_ASSERT_PTR_NULL (condmap_recipe_choose (r, "steps", 2, FALSE, NULL));
  CU_ASSERT_PTR_NOT_NULL (condmap_recipe_choose (r, "classifier.scale", 1,
                                                 TRUE, NULL));
  /* The rule that matched nothing is known, with its line. */
  CU_ASSERT_EQUAL (condmap_recipe_get_n_rules (r), 4);
  CU_ASSERT_STRING_EQUAL (condmap_recipe_get_rule (r, 3, &line, &used),
                          "never.*");
  CU_ASSERT_EQUAL (line, 7);
  CU_ASSERT_FALSE (used);
  condmap_recipe_get_rule (r, 0, NULL, &used);
  CU_ASSERT_TRUE (used);
  CU_ASSERT_PTR_NULL (condmap_recipe_get_rule (r, 4, NULL, NULL));
}

static void
test_for_config (void)
{
  GError *error = NULL;
  g_autoptr (CondmapRecipe) r = condmap_recipe_new_for_config (rt, NULL,
                                                               &error);
  const CondmapConverter *c;

  CM_ASSERT_NO_ERROR (error);
  c = condmap_recipe_choose (r, "any.weight", 2, TRUE, NULL);
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_name (c), "single-pair");
  CU_ASSERT_PTR_NULL (condmap_recipe_choose (r, "any.bias", 1, TRUE, NULL));
  CU_ASSERT_EQUAL (condmap_recipe_get_n_rules (r), 0);
  CU_ASSERT_PTR_NULL (condmap_recipe_new_for_config (rt, "/nonexistent.yaml",
                                                     &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
}

/* @yaml is refused with @code and a message holding @fragment. */
static void
refused (const char *yaml, CondmapError code, const char *fragment)
{
  GError *error = NULL;
  g_autofree char *path = cm_test_write_file ("bad.yaml", yaml, -1);
  CondmapRecipe *r = condmap_recipe_new_from_file (rt, path, &error);

  CU_ASSERT_PTR_NULL (r);
  condmap_recipe_free (r);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strstr (error->message, fragment) == NULL)
    g_printerr ("\n  want '%s' in: %s", fragment, error->message);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, fragment));
  CM_ASSERT_ERROR (error, code);
}

static void
test_errors (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;

  refused ("format: condmap-recipe/2\n", C,
           "bad.yaml:1:9: a recipe starts with 'format: condmap-recipe/1'");
  refused ("default: x.yaml\n", C, "a recipe starts with 'format: ");
  refused ("- a\n", C, "bad.yaml:1:1: a recipe is a mapping");
  refused ("format: condmap-recipe/1\nrule: []\n", CONDMAP_ERROR_UNKNOWN_KEY,
           "bad.yaml:2:1 - did you mean 'rules'?");
  refused ("format: condmap-recipe/1\nrules: {a: 1}\n", C,
           "bad.yaml:2:8: 'rules' must be a list of rules");
  refused ("format: condmap-recipe/1\nrules:\n  - {skip: true}\n", C,
           "bad.yaml:3:5: the rule has no 'match'");
  refused ("format: condmap-recipe/1\nrules:\n  - {match: a, mach: b}\n",
           CONDMAP_ERROR_UNKNOWN_KEY,
           "bad.yaml:3:16 - did you mean 'match'?");
  refused ("format: condmap-recipe/1\nrules:\n  - {match: a}\n", C,
           "bad.yaml:3:5: a rule has either 'skip: true' or a 'config', not "
           "neither");
  refused ("format: condmap-recipe/1\nrules:\n  - {match: a, skip: true, "
           "config: x.yaml}\n", C, "not both");
  refused ("format: condmap-recipe/1\nrules:\n  - {match: a, skip: maybe}\n",
           C, "bad.yaml:3:22: 'skip' must be true or false");
  refused ("format: condmap-recipe/1\nrules:\n  - {match: [a], skip: true}\n",
           C, "bad.yaml:3:13: 'match' must be a string, got a list");
  /* An inline config's errors point into the recipe. */
  refused ("format: condmap-recipe/1\nrules:\n  - match: a\n    config:\n"
           "      converter: dual-pair\n      f_lst: [1, 0]\n", C,
           "bad.yaml:6: f_lst[1] = 0 must be > 0");
  refused ("format: condmap-recipe/1\ndefault: {converter: quad-pair}\n",
           CONDMAP_ERROR_UNKNOWN_CONVERTER, "did you mean 'dual-pair'?");
  refused ("format: condmap-recipe/1\ndefault: missing.yaml\n",
           CONDMAP_ERROR_IO, "missing.yaml");
  refused ("format: condmap-recipe/1\ndefault: [\n", CONDMAP_ERROR_PARSE,
           "bad.yaml:");
}

int
main (void)
{
  CU_pSuite s;
  int status;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  rt = cm_test_runtime ();
  s = CU_add_suite ("recipes", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "choose", test_choose);
  CU_add_test (s, "a config for every default tensor", test_for_config);
  CU_add_test (s, "errors", test_errors);
  status = cm_test_run ();
  condmap_runtime_unref (rt);
  return status;
}
