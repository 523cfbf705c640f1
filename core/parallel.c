/* parallel.c - splits an element range across threads.  Conversions are
 * elementwise, so contiguous ranges give every thread its own cache lines
 * and the result does not depend on the number of threads. */
#include "condmap-private.h"

/* Below this many elements a thread costs more than it saves. */
#define MIN_PER_WORKER 32768
/* Ranges start on multiples of this many elements: whole cache lines and
 * vectors for both dtypes, so no two threads write one line. */
#define ALIGN_ELEMENTS 64

typedef struct {
  CmWorkFunc func;
  gpointer job;
  size_t begin;
  size_t end;
  unsigned worker;
} Range;

static gpointer
run_range (gpointer data)
{
  Range *r = data;

  r->func (r->job, r->begin, r->end, r->worker);
  return NULL;
}

unsigned
cm_run_parallel (unsigned n_workers, size_t n, CmWorkFunc func, gpointer job)
{
  g_autofree Range *ranges = NULL;
  g_autofree GThread **threads = NULL;
  size_t per;

  if (n_workers > n / MIN_PER_WORKER)
    n_workers = (unsigned) (n / MIN_PER_WORKER);
  if (n_workers <= 1)
    {
      func (job, 0, n, 0);
      return 1;
    }
  per = (n / n_workers + ALIGN_ELEMENTS - 1) / ALIGN_ELEMENTS * ALIGN_ELEMENTS;
  ranges = g_new (Range, n_workers);
  threads = g_new0 (GThread *, n_workers);
  for (unsigned w = 0; w < n_workers; w++)
    {
      ranges[w].func = func;
      ranges[w].job = job;
      ranges[w].begin = MIN (n, w * per);
      ranges[w].end = w + 1 == n_workers ? n : MIN (n, (w + 1) * per);
      ranges[w].worker = w;
    }
  /* Worker 0 runs on the calling thread; a thread that cannot be created
   * runs its range here too, so the outcome never depends on it. */
  for (unsigned w = 1; w < n_workers; w++)
    threads[w] = g_thread_try_new ("condmap-worker", run_range, &ranges[w], NULL);
  run_range (&ranges[0]);
  for (unsigned w = 1; w < n_workers; w++)
    {
      if (threads[w] != NULL)
        g_thread_join (threads[w]);
      else
        run_range (&ranges[w]);
    }
  return n_workers;
}
