/* progress.c - the reports a long checkpoint run gives its caller: which
 * tensor, how many bytes, how long.  The core only counts and times; the
 * caller (the condmap command) decides whether and how to draw. */
#include "checkpoint-private.h"

void
cm_progress_init (CmProgress *p, CondmapProgressFunc func, gpointer user_data,
                  size_t n_tensors, guint64 bytes_total)
{
  p->func = func;
  p->user_data = user_data;
  p->timer = g_timer_new ();
  p->state = (CondmapProgress) { 0 };
  p->state.n_tensors = n_tensors;
  p->state.bytes_total = bytes_total;
}

static void
report (CmProgress *p)
{
  if (p->func == NULL)
    return;
  p->state.elapsed_s = g_timer_elapsed (p->timer, NULL);
  p->func (&p->state, p->user_data);
}

void
cm_progress_start (CmProgress *p, size_t index, const char *name)
{
  p->state.index = index;
  p->state.name = name;
  report (p);
}

void
cm_progress_add (CmProgress *p, guint64 bytes)
{
  p->state.bytes_done = MIN (p->state.bytes_done + bytes,
                             p->state.bytes_total);
  report (p);
}

void
cm_progress_finish (CmProgress *p)
{
  p->state.bytes_done = p->state.bytes_total;
  p->state.index = p->state.n_tensors > 0 ? p->state.n_tensors - 1 : 0;
  p->state.finished = TRUE;
  report (p);
  p->state.name = NULL;
}

void
cm_progress_clear (CmProgress *p)
{
  g_clear_pointer (&p->timer, g_timer_destroy);
  p->state.name = NULL;
}
