/* budget-json.c - an error budget as one JSON object (json-glib), the
 * shape `condmap check --json` prints and `compare --json` lists. */
#include <json-glib/json-glib.h>
#include "condmap-private.h"

static void
add_moments (JsonBuilder *b, const char *name, double mean, double std)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mean");
  json_builder_add_double_value (b, mean);
  json_builder_set_member_name (b, "std");
  json_builder_add_double_value (b, std);
  json_builder_end_object (b);
}

static void
add_time (JsonBuilder *b, const CondmapBudgetTime *t)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time_s");
  json_builder_add_double_value (b, t->time_s);
  add_moments (b, "rel_rms", t->rel_rms_mean, t->rel_rms_std);
  add_moments (b, "rel_max", t->rel_max_mean, t->rel_max_std);
  json_builder_set_member_name (b, "quantization");
  json_builder_add_double_value (b, t->quantization);
  json_builder_set_member_name (b, "programming");
  json_builder_add_double_value (b, t->programming);
  json_builder_set_member_name (b, "drift");
  json_builder_add_double_value (b, t->drift);
  add_moments (b, "alpha", t->alpha_mean, t->alpha_std);
  json_builder_end_object (b);
}

char *
condmap_budget_to_json (const char *converter, const char *device,
                        unsigned trials, guint64 seed,
                        const CondmapBudgetTime *times, size_t n_times)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "converter");
  json_builder_add_string_value (b, converter);
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, device);
  json_builder_set_member_name (b, "trials");
  json_builder_add_int_value (b, trials);
  json_builder_set_member_name (b, "seed");
  /* JSON numbers are doubles to most readers: seeds above 2^53 would
   * not read back, and the CLI takes them below that. */
  json_builder_add_int_value (b, (gint64) seed);
  json_builder_set_member_name (b, "times");
  json_builder_begin_array (b);
  for (size_t i = 0; i < n_times; i++)
    add_time (b, &times[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}
