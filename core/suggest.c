/* suggest.c - did-you-mean for mistyped keys and converter names.
 *
 * The distance is Damerau-Levenshtein in its "optimal string alignment"
 * form: insertions, deletions, substitutions and swaps of two neighbours
 * each cost 1, because those are the typos people make ("gmax", "g-max",
 * "g_mxa").  Letters are compared without case ("G_max"). */
#include <string.h>
#include "condmap-private.h"

/* Distance between a[0..la) and b[0..lb), with three rows of lb + 1 cells:
 * the row before the previous one is what a swap looks back to. */
static gsize
edit_distance (const char *a, gsize la, const char *b, gsize lb)
{
  g_autofree gsize *rows = g_new (gsize, 3 * (lb + 1));
  gsize *before = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);

  for (gsize j = 0; j <= lb; j++)
    prev[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      char ai = g_ascii_tolower (a[i - 1]);

      cur[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          char bj = g_ascii_tolower (b[j - 1]);
          gsize best = prev[j - 1] + (ai == bj ? 0 : 1);

          best = MIN (best, prev[j] + 1);
          best = MIN (best, cur[j - 1] + 1);
          if (i > 1 && j > 1
              && ai == g_ascii_tolower (b[j - 2])
              && g_ascii_tolower (a[i - 2]) == bj)
            best = MIN (best, before[j - 2] + 1);
          cur[j] = best;
        }
      gsize *oldest = before;
      before = prev;
      prev = cur;
      cur = oldest;
    }
  return prev[lb];
}

const char *
cm_suggest (const char *word, const char *const *candidates,
            gsize n_candidates)
{
  const char *best = NULL;
  gsize best_distance = G_MAXSIZE;
  gsize word_len;

  g_return_val_if_fail (word != NULL, NULL);
  word_len = strlen (word);

  for (gsize i = 0; i < n_candidates; i++)
    {
      const char *cand = candidates[i];
      gsize cand_len = strlen (cand);
      /* A third of the candidate may be wrong ("flst" for "f_lst"), but
       * always one edit, so short names get a suggestion too. */
      gsize limit = MAX (1, cand_len / 3);
      gsize gap = word_len > cand_len ? word_len - cand_len
                                      : cand_len - word_len;
      gsize distance;

      /* The length difference alone is a lower bound: this also keeps a
       * hostile 100 MB key from costing 100 MB times the candidate. */
      if (gap > limit)
        continue;
      distance = edit_distance (word, word_len, cand, cand_len);
      if (distance <= limit && distance < best_distance)
        {
          best = cand;
          best_distance = distance;
        }
    }
  return best;
}
