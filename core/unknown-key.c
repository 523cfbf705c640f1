/* unknown-key.c - after a plugin's create(), every key it did not read is
 * refused, with a did-you-mean among the keys it asked for. */
#include "settings-private.h"

/* Sets the UNKNOWN_KEY error for key @i with a did-you-mean among the
 * keys asked for.  With @only_missing it considers only those not found,
 * and sets nothing (returning FALSE) if none is close; otherwise it lists
 * the keys the converter accepts. */
static gboolean
unknown_key (CondmapSettings *s, guint i, gboolean only_missing,
             GError **error)
{
  const CmNode *k = cm_settings_key_node (s, i);
  g_autofree char *word = cm_quote_text (k->value);
  g_autoptr (GPtrArray) cands = g_ptr_array_new ();
  g_autofree char *list = NULL;
  const char *best;

  for (guint j = 0; j < s->asked->len; j++)
    {
      const Asked *a = &g_array_index (s->asked, Asked, j);

      if (!only_missing || !a->found)
        g_ptr_array_add (cands, a->key);
    }
  best = cm_suggest (k->value, (const char *const *) cands->pdata, cands->len);
  if (best != NULL)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
                 "unknown key '%s' in %s:%u - did you mean '%s'?", word,
                 s->origin, k->line, best);
  if (best != NULL || only_missing)
    return best != NULL;
  g_ptr_array_add (cands, NULL);
  list = g_strjoinv (", ", (char **) cands->pdata);
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
               "unknown key '%s' in %s:%u - this converter %s%s", word,
               s->origin, k->line,
               *list ? "accepts: " : "takes no settings", list);
  return TRUE;
}

gboolean
cm_settings_check_consumed (CondmapSettings *settings, GError **error)
{
  for (guint i = 0; i < settings->n_keys; i++)
    if (!settings->consumed[i])
      {
        unknown_key (settings, i, FALSE, error);
        return FALSE;
      }
  return TRUE;
}

gboolean
cm_settings_explain_typo (CondmapSettings *settings, GError **error)
{
  for (guint i = 0; i < settings->n_keys; i++)
    if (!settings->consumed[i]
        && unknown_key (settings, i, TRUE, error))
      return TRUE;
  return FALSE;
}
