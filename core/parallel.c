/* parallel.c - splits an element range across threads.  Conversions are
 * elementwise, so contiguous ranges give every thread its own cache lines
 * and the result does not depend on the number of threads. */
#include "scaling-private.h"

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

/* Ranges of at least @min_per_worker items, starting on multiples of
 * @align. */
static unsigned
run_ranges (unsigned n_workers, size_t n, size_t min_per_worker, size_t align,
            CmWorkFunc func, gpointer job)
{
  g_autofree Range *ranges = NULL;
  g_autofree GThread **threads = NULL;
  size_t per;

  if (n_workers > n / min_per_worker)
    n_workers = (unsigned) (n / min_per_worker);
  if (n_workers <= 1)
    {
      func (job, 0, n, 0);
      return 1;
    }
  per = (n / n_workers + align - 1) / align * align;
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

unsigned
cm_run_parallel (unsigned n_workers, size_t n, CmWorkFunc func, gpointer job)
{
  return run_ranges (n_workers, n, MIN_PER_WORKER, ALIGN_ELEMENTS, func, job);
}

/* Channels: a few of them may be a lot of work, so the caller says how
 * many make a worker's share; no alignment is needed. */
unsigned
cm_run_parallel_items (unsigned n_workers, size_t n, size_t min_per_worker,
                       CmWorkFunc func, gpointer job)
{
  return run_ranges (n_workers, n, MAX (min_per_worker, 1), 1, func, job);
}
