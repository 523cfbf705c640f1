/* floor.c - the machine's memory floor for a conversion: a plain streaming
 * pass over the same bytes on the same threads, with no mathematics.
 * `condmap bench` prints it beside every converter's throughput. */
#include <stdint.h>
#include <string.h>
#include "condmap-private.h"

#define CHUNK 8192

typedef struct {
  CondmapDtype dtype;
  const void *const *in;
  unsigned n_in;
  void *const *out;
  unsigned n_out;
  guint64 sink[256];     /* per worker, so the reads cannot be dropped */
} FloorJob;

/* The read pass folds the bits with XOR: an integer reduction that every
 * compiler vectorises, so it runs at the speed of memory.  (A float max
 * would not vectorise without -ffinite-math-only, and its dependency
 * chain would make the floor slower than the converters it measures.) */
#define DEFINE_FLOOR(T, U, S)                                               \
CM_CLONES static U                                                          \
read_##S (const T *x, size_t n)                                             \
{                                                                           \
  U acc = 0;                                                                \
  for (size_t i = 0; i < n; i++)                                            \
    {                                                                       \
      U bits;                                                               \
      memcpy (&bits, &x[i], sizeof bits);                                   \
      acc ^= bits;                                                          \
    }                                                                       \
  return acc;                                                               \
}                                                                           \
                                                                            \
CM_CLONES static void                                                       \
sum_##S (T *restrict out, const T *restrict in, size_t n, int first)        \
{                                                                           \
  if (first)                                                                \
    memcpy (out, in, n * sizeof (T));                                       \
  else                                                                      \
    for (size_t i = 0; i < n; i++)                                          \
      out[i] += in[i];                                                      \
}

DEFINE_FLOOR (float, uint32_t, f32)
DEFINE_FLOOR (double, uint64_t, f64)

static void
read_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  FloorJob *job = data;
  size_t es = condmap_dtype_size (job->dtype);
  const char *x = (const char *) job->in[0] + begin * es;

  if (end <= begin)
    return;
  job->sink[worker] = job->dtype == CONDMAP_DTYPE_FLOAT32
                      ? read_f32 ((const float *) x, end - begin)
                      : read_f64 ((const double *) x, end - begin);
}

/* Every output gets the sum of the inputs, chunk by chunk, so each input
 * byte is read from memory once and each output byte written once. */
static void
copy_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  FloorJob *job = data;
  size_t es = condmap_dtype_size (job->dtype);

  for (size_t at = begin; at < end; at += CHUNK)
    {
      size_t len = MIN (CHUNK, end - at);
      for (unsigned o = 0; o < job->n_out; o++)
        {
          char *out = (char *) job->out[o] + at * es;
          for (unsigned j = 0; j < (o == 0 ? job->n_in : 1); j++)
            {
              const char *in = o == 0 ? (const char *) job->in[j] + at * es
                                      : (const char *) job->out[0] + at * es;
              if (job->dtype == CONDMAP_DTYPE_FLOAT32)
                sum_f32 ((float *) out, (const float *) in, len, j == 0);
              else
                sum_f64 ((double *) out, (const double *) in, len, j == 0);
            }
        }
    }
}

void
condmap_runtime_stream_floor (const CondmapRuntime *runtime,
                              CondmapDtype dtype, size_t n,
                              const void *const *in, unsigned n_in,
                              void *const *out, unsigned n_out,
                              gboolean stats_pass)
{
  FloorJob job = { dtype, in, n_in, out, n_out, { 0 } };
  unsigned threads = MIN (256, condmap_runtime_get_n_threads (runtime));

  if (n == 0 || n_in == 0 || n_out == 0 || condmap_dtype_size (dtype) == 0)
    return;
  if (stats_pass)
    cm_run_parallel (threads, n, read_work, &job);
  cm_run_parallel (threads, n, copy_work, &job);
}
