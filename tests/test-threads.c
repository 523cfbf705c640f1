/* test-threads.c - one converter shared by 8 application threads, each
 * converting its own array (and each conversion itself running on several
 * worker threads), gives exactly what a single-threaded run gives.  Run
 * under ThreadSanitizer in CI. */
#include <string.h>
#include "test-util.h"

#define N_APP_THREADS 8

typedef struct {
  const CondmapConverter *conv;
  CondmapDtype dtype;
  size_t n;
  void *weights;
  void **planes;
  void *back;
  gboolean ok;
} Work;

static const char *const configs[] = {
  "dual-pair.yaml", "custom-pair.yaml", "single-device.yaml",
  "bit-slice.yaml", "neurosim-offset.yaml", "two-sided-pair.yaml", NULL
};

static void
fill (Work *w, unsigned seed)
{
  size_t es = condmap_dtype_size (w->dtype);
  unsigned K = condmap_converter_get_n_planes (w->conv);
  GRand *rand = g_rand_new_with_seed (seed);

  w->weights = g_malloc (w->n * es);
  w->back = g_malloc (w->n * es);
  w->planes = g_new (void *, K);
  for (unsigned k = 0; k < K; k++)
    w->planes[k] = g_malloc (w->n * es);
  for (size_t i = 0; i < w->n; i++)
    {
      double v = g_rand_double_range (rand, -2.0, 2.0) * seed;
      if (w->dtype == CONDMAP_DTYPE_FLOAT32)
        ((float *) w->weights)[i] = (float) v;
      else
        ((double *) w->weights)[i] = v;
    }
  g_rand_free (rand);
}

static void
work_clear (Work *w)
{
  unsigned K = condmap_converter_get_n_planes (w->conv);

  for (unsigned k = 0; k < K; k++)
    g_free (w->planes[k]);
  g_free (w->planes);
  g_free (w->weights);
  g_free (w->back);
}

static gpointer
convert (gpointer data)
{
  Work *w = data;
  g_autoptr (CondmapParams) params = NULL;

  w->ok = condmap_converter_to_conductances (w->conv, w->dtype, w->weights,
                                             w->n, w->planes, &params, NULL)
          && condmap_converter_to_weights (w->conv, w->dtype,
                                           (const void *const *) w->planes,
                                           w->n, params, w->back, NULL);
  return NULL;
}

static gboolean
same (const Work *a, const Work *b)
{
  size_t bytes = a->n * condmap_dtype_size (a->dtype);

  for (unsigned k = 0; k < condmap_converter_get_n_planes (a->conv); k++)
    if (memcmp (a->planes[k], b->planes[k], bytes) != 0)
      return FALSE;
  return memcmp (a->back, b->back, bytes) == 0;
}

static void
run_config (const char *name)
{
  g_autofree char *dir = cm_test_path ("CONDMAP_CONFIGS", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  g_autoptr (CondmapRuntime) rt1 = cm_test_runtime ();
  g_autoptr (CondmapConverter) shared = NULL, single = NULL;
  Work work[N_APP_THREADS], ref[N_APP_THREADS];
  GThread *threads[N_APP_THREADS];

  condmap_runtime_set_n_threads (rt, 3);
  condmap_runtime_set_n_threads (rt1, 1);
  shared = condmap_converter_new_from_file (rt, path, NULL);
  single = condmap_converter_new_from_file (rt1, path, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (shared);
  CU_ASSERT_PTR_NOT_NULL_FATAL (single);
  for (unsigned t = 0; t < N_APP_THREADS; t++)
    {
      /* Sizes on both sides of the core's split threshold, both dtypes. */
      Work w = { shared, t % 2 ? CONDMAP_DTYPE_FLOAT64 : CONDMAP_DTYPE_FLOAT32,
                 (t % 3 == 0) ? 70001 + t : 1000 + 37 * t, NULL, NULL, NULL,
                 FALSE };
      work[t] = w;
      fill (&work[t], t + 1);
      ref[t] = work[t];
      ref[t].conv = single;
      fill (&ref[t], t + 1);
      convert (&ref[t]);
      CU_ASSERT_TRUE (ref[t].ok);
    }
  for (unsigned t = 0; t < N_APP_THREADS; t++)
    threads[t] = g_thread_new ("app", convert, &work[t]);
  for (unsigned t = 0; t < N_APP_THREADS; t++)
    {
      g_thread_join (threads[t]);
      CU_ASSERT_TRUE (work[t].ok);
      CU_ASSERT_TRUE (same (&work[t], &ref[t]));
      work_clear (&work[t]);
      work_clear (&ref[t]);
    }
}

static void
test_shared_converter (void)
{
  for (guint i = 0; configs[i] != NULL; i++)
    run_config (configs[i]);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("thread safety", NULL, NULL);
  CU_add_test (s, "8 threads share one converter", test_shared_converter);
  return cm_test_run ();
}
