/* unknown-key.c - a config key that the plugin does not declare is
 * refused before anything else, with a did-you-mean among the keys it
 * declares: "gmax" is reported as a typo of g_max, not as a missing
 * g_max. */
#include <string.h>
#include "settings-private.h"

gboolean
cm_settings_check_declared (CmSettings *s, GError **error)
{
  for (guint i = 0; i < s->n_keys; i++)
    {
      const CmNode *k = cm_settings_key_node (s, i);
      g_autoptr (GPtrArray) cands = NULL;
      g_autofree char *word = NULL;
      g_autofree char *list = NULL;
      const char *best;
      gboolean declared = FALSE;

      if (s->consumed[i])
        continue;   /* a key of the core's, such as `converter` */
      for (size_t j = 0; j < s->decls->n && !declared; j++)
        declared = strcmp (s->decls->decls[j].key, k->value) == 0;
      if (declared)
        continue;
      cands = g_ptr_array_new ();
      for (size_t j = 0; j < s->decls->n; j++)
        g_ptr_array_add (cands, (gpointer) s->decls->decls[j].key);
      word = cm_quote_text (k->value);
      best = cm_suggest (k->value, (const char *const *) cands->pdata,
                         cands->len);
      if (best != NULL)
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
                       "unknown key '%s' in %s:%u - did you mean '%s'?", word,
                       s->origin, k->line, best);
          return FALSE;
        }
      g_ptr_array_add (cands, NULL);
      list = g_strjoinv (", ", (char **) cands->pdata);
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_KEY,
                   "unknown key '%s' in %s:%u - this converter %s%s", word,
                   s->origin, k->line,
                   *list ? "accepts: " : "takes no settings", list);
      return FALSE;
    }
  return TRUE;
}
