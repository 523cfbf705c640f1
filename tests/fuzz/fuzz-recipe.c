/* fuzz-recipe.c - libFuzzer target for the recipe loader (core/recipe.c)
 * over the real plugins: every input is a recipe text; a refusal must be a
 * CONDMAP_ERROR with a message, and a recipe that loads must answer for a
 * fixed set of tensors (names, ranks, float or not) with either no
 * converter or one that has a name and planes, and list its rules. */
#include <string.h>
#include "fuzz-common.h"

static const struct {
  const char *name;
  unsigned rank;
  gboolean floating;
} tensors[] = {
  { "layer1.weight", 2, TRUE }, { "layer1.bias", 1, TRUE },
  { "classifier.weight", 2, TRUE }, { "tok.embed.weight", 2, TRUE },
  { "conv.weight", 4, TRUE }, { "steps", 0, FALSE }, { "", 2, TRUE },
  { "[a]*?.\\", 3, TRUE },
};

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const char dual[] = "converter: dual-pair\nf_lst: [1, 3]\n";
  g_autofree char *dir = g_path_get_dirname (fuzz_path ("recipe"));
  g_autofree char *path = g_build_filename (dir, "dual.yaml", NULL);

  fuzz_runtime ();
  /* A config beside the recipe's origin, for relative `default:` paths. */
  fuzz_write_file (path, (const uint8_t *) dual, strlen (dual));
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  CondmapRecipe *recipe;

  recipe = condmap_recipe_new_from_yaml (fuzz_runtime (), (const char *) data,
                                         (gssize) size, fuzz_path ("recipe"),
                                         &error);
  fuzz_check_outcome (recipe != NULL, &error, "condmap_recipe_new_from_yaml");
  if (recipe == NULL)
    return 0;
  for (size_t i = 0; i < G_N_ELEMENTS (tensors); i++)
    {
      int rule = -2;
      const CondmapConverter *c =
        condmap_recipe_choose (recipe, tensors[i].name, tensors[i].rank,
                               tensors[i].floating, &rule);

      if (rule < -1 || rule >= (int) condmap_recipe_get_n_rules (recipe))
        fuzz_fail ("rule index %d of %zu rules", rule,
                   condmap_recipe_get_n_rules (recipe));
      if (c != NULL && (condmap_converter_get_name (c) == NULL
                        || condmap_converter_get_n_planes (c) < 1))
        fuzz_fail ("a recipe chose a converter without a name or planes");
    }
  for (size_t i = 0; i < condmap_recipe_get_n_rules (recipe); i++)
    if (condmap_recipe_get_rule (recipe, i, NULL, NULL) == NULL)
      fuzz_fail ("rule %zu has no pattern", i);
  condmap_recipe_free (recipe);
  return 0;
}
