/* budget.c - the error budget on the command line: `check --device`
 * reports one scheme, `compare` ranks several, both with
 * condmap_converter_error_budget() and the same seed for every scheme
 * (common random numbers). */
#include <stdio.h>
#include <string.h>
#include "cli.h"

#define DEFAULT_TIMES "0,1h,1d,1y"

typedef struct {
  char *label;                 /* the config's path */
  CondmapConverter *conv;
  CondmapBudgetTime *times;
} Scheme;

static void
scheme_free (gpointer data)
{
  Scheme *s = data;

  g_free (s->label);
  condmap_converter_free (s->conv);
  g_free (s->times);
  g_free (s);
}

gboolean
cli_parse_seed (const char *command, const char *text, guint64 *seed)
{
  /* Below 2^53: a JSON reader reads the seed back exactly. */
  if (text == NULL)
    *seed = 0;
  else if (!g_ascii_string_to_unsigned (text, 10, 0,
                                        (G_GUINT64_CONSTANT (1) << 53) - 1,
                                        seed, NULL))
    {
      cli_usage_error (command, "--seed must be a whole number from 0 to "
                       "2^53 - 1, such as 42, not '%s'", text);
      return FALSE;
    }
  return TRUE;
}

int
cli_budget_prepare (const char *command, const CliBudgetOptions *o,
                    double **times, size_t *n_times, guint64 *seed)
{
  GError *error = NULL;

  if (o->trials < 1)
    return cli_usage_error (command, "--trials must be at least 1, got %d",
                            o->trials);
  if (!condmap_parse_times (o->times ? o->times : DEFAULT_TIMES, times,
                            n_times, &error))
    {
      int status = cli_usage_error (command, "--time: %s", error->message);

      g_error_free (error);
      return status;
    }
  if (!cli_parse_seed (command, o->seed, seed))
    return CLI_EXIT_USAGE;
  return CLI_EXIT_OK;
}

static const char *
time_label (const CliBudgetOptions *o, char **labels, size_t i)
{
  (void) o;
  return labels[i];
}

static void
print_scheme_text (const CliBudgetOptions *o, const Scheme *s,
                   const CondmapDevice *device, char **labels,
                   size_t n_times, unsigned trials, guint64 seed)
{
  printf ("%s (%s) on %s (%s): %u trial%s, seed %" G_GUINT64_FORMAT
          ", errors relative to max |w|, %s\n", s->label,
          condmap_converter_get_name (s->conv), o->device,
          condmap_device_get_name (device), trials, trials == 1 ? "" : "s",
          seed, o->no_compensation ? "no drift compensation"
                                   : "global drift compensation");
  printf ("  %-8s %-21s %-21s %-13s %-12s %-10s %s\n", "time", "rel RMS",
          "rel max", "quantization", "programming", "drift", "alpha");
  for (size_t i = 0; i < n_times; i++)
    {
      const CondmapBudgetTime *t = &s->times[i];
      g_autofree char *rms = g_strdup_printf ("%.4g ± %.2g", t->rel_rms_mean,
                                              t->rel_rms_std);
      g_autofree char *max = g_strdup_printf ("%.4g ± %.2g", t->rel_max_mean,
                                              t->rel_max_std);

      printf ("  %-8s %-22s %-22s %-13.3g %-12.4g %-10.4g %.4f ± %.2g\n",
              time_label (o, labels, i), rms, max, t->quantization,
              t->programming, t->drift, t->alpha_mean, t->alpha_std);
    }
}

static Scheme *const *sort_schemes;
static size_t sort_time;

static int
by_error (const void *a, const void *b)
{
  double x = sort_schemes[*(const guint *) a]->times[sort_time].rel_rms_mean;
  double y = sort_schemes[*(const guint *) b]->times[sort_time].rel_rms_mean;

  return (x > y) - (x < y);
}

/* One table per time, the schemes ranked by their mean RMS error. */
static void
print_ranking (const CliBudgetOptions *o, GPtrArray *schemes,
               const CondmapDevice *device, char **labels, size_t n_times,
               unsigned trials, guint64 seed)
{
  g_autofree guint *order = g_new (guint, schemes->len);
  int width = 6;

  for (guint j = 0; j < schemes->len; j++)
    width = MAX (width, (int) g_utf8_strlen (((Scheme *) schemes->pdata[j])->label, -1));

  printf ("%u schemes on %s (%s): %u trial%s, seed %" G_GUINT64_FORMAT
          " for every scheme, errors relative to max |w|, %s\n",
          schemes->len, o->device, condmap_device_get_name (device), trials,
          trials == 1 ? "" : "s", seed,
          o->no_compensation ? "no drift compensation"
                             : "global drift compensation");
  for (size_t i = 0; i < n_times; i++)
    {
      for (guint j = 0; j < schemes->len; j++)
        order[j] = j;
      sort_schemes = (Scheme *const *) schemes->pdata;
      sort_time = i;
      qsort (order, schemes->len, sizeof *order, by_error);
      printf ("\nt = %s:\n  %-4s %-*s %-21s %-21s %-13s %-12s %s\n",
              time_label (o, labels, i), "rank", width, "config", "rel RMS",
              "rel max", "quantization", "programming", "drift");
      for (guint j = 0; j < schemes->len; j++)
        {
          const Scheme *s = schemes->pdata[order[j]];
          const CondmapBudgetTime *t = &s->times[i];
          g_autofree char *rms = g_strdup_printf ("%.4g ± %.2g",
                                                  t->rel_rms_mean,
                                                  t->rel_rms_std);
          g_autofree char *max = g_strdup_printf ("%.4g ± %.2g",
                                                  t->rel_max_mean,
                                                  t->rel_max_std);

          printf ("  %-4u %-*s %-22s %-22s %-13.3g %-12.4g %.4g\n", j + 1,
                  width, s->label, rms, max, t->quantization, t->programming,
                  t->drift);
        }
    }
}

static void
print_json (GPtrArray *schemes, const CondmapDevice *device, size_t n_times,
            unsigned trials, guint64 seed, gboolean list)
{
  if (list)
    printf ("[");
  for (guint j = 0; j < schemes->len; j++)
    {
      const Scheme *s = schemes->pdata[j];
      g_autofree char *json =
        condmap_budget_to_json (condmap_converter_get_name (s->conv),
                                condmap_device_get_name (device), trials,
                                seed, s->times, n_times);

      printf ("%s%s", j > 0 ? ", " : "", json);
    }
  printf (list ? "]\n" : "\n");
}

int
cli_budget_run (const char *command, const CliCommon *common,
                const CliBudgetOptions *o, char *const *configs,
                size_t n_configs, const char *weights_path)
{
  g_autoptr (CondmapRuntime) rt = cli_runtime_new (common);
  g_autoptr (CondmapDevice) device = NULL;
  g_autoptr (CondmapArray) w = NULL;
  g_autoptr (GPtrArray) schemes = g_ptr_array_new_with_free_func (scheme_free);
  g_autofree double *times = NULL;
  g_auto (GStrv) labels = NULL;
  size_t n_times = 0;
  guint64 seed = 0;
  GError *error = NULL;
  int status;

  status = cli_budget_prepare (command, o, &times, &n_times, &seed);
  if (status != CLI_EXIT_OK)
    return status;
  labels = g_strsplit (o->times ? o->times : DEFAULT_TIMES, ",", -1);
  for (char **l = labels; *l; l++)
    g_strstrip (*l);
  device = condmap_device_new_from_file (rt, o->device, &error);
  if (device == NULL
      || (w = cli_array_read (weights_path, CONDMAP_DTYPE_FLOAT64, NULL,
                              &error)) == NULL)
    return cli_fail (error);
  for (size_t j = 0; j < n_configs; j++)
    {
      Scheme *s = g_new0 (Scheme, 1);

      g_ptr_array_add (schemes, s);
      s->label = g_strdup (configs[j]);
      s->times = g_new0 (CondmapBudgetTime, n_times);
      s->conv = condmap_converter_new_from_file (rt, configs[j], &error);
      if (s->conv == NULL
          || !condmap_converter_error_budget (s->conv, device, w, times,
                                              n_times, (unsigned) o->trials,
                                              seed, o->no_compensation
                                              ? CONDMAP_BUDGET_NO_COMPENSATION
                                              : CONDMAP_BUDGET_DEFAULT,
                                              s->times, &error))
        return cli_fail (error);
    }
  if (o->json)
    print_json (schemes, device, n_times, (unsigned) o->trials, seed,
                n_configs > 1 || strcmp (command, "compare") == 0);
  else if (strcmp (command, "compare") == 0)
    print_ranking (o, schemes, device, labels, n_times,
                   (unsigned) o->trials, seed);
  else
    print_scheme_text (o, schemes->pdata[0], device, labels, n_times,
                       (unsigned) o->trials, seed);
  return CLI_EXIT_OK;
}
