/* test-safetensors-write.c - the safetensors writer, part of the
 * test-safetensors program: round trips through the reader, the same
 * bytes as the hand-written files, chunks in any order and from threads,
 * and no file left behind by a write that fails or is aborted. */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

void cm_test_add_write_suite (void);

/* A checkpoint make-safetensors.py wrote in tests/safetensors/.  Free
 * with g_free(). */
static char *
st_data (const char *name)
{
  g_autofree char *rel = g_build_filename ("tests", "safetensors", name, NULL);

  return cm_test_path ("CONDMAP_SRC_DIR", rel);
}

/* Files in @dir whose name starts with '.': the temporary files a failed
 * write must not leave. */
static unsigned
count_hidden (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  unsigned n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    n += name[0] == '.';
  g_dir_close (d);
  return n;
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (cm_test_tmpdir, name, NULL);
}

/* Copies every tensor and the metadata of @in into a new @out, declaring
 * them in @in's order and writing each tensor's bytes in chunks of
 * @chunk, last chunk first. */
static gboolean
copy_checkpoint (const CondmapSafetensors *in, const char *out, size_t chunk,
                 GError **error)
{
  g_autoptr (CondmapSafetensorsWriter) w =
    condmap_safetensors_writer_new (out, error);
  size_t n = condmap_safetensors_get_n_tensors (in);
  CondmapTensorInfo t;

  if (w == NULL)
    return FALSE;
  for (size_t i = 0; i < condmap_safetensors_get_n_metadata (in); i++)
    if (!condmap_safetensors_writer_set_metadata (w,
           condmap_safetensors_get_metadata_key (in, i),
           condmap_safetensors_get_metadata_value (in, i), error))
      return FALSE;
  for (size_t i = 0; i < n; i++)
    if (!condmap_safetensors_get_tensor (in, i, &t)
        || !condmap_safetensors_writer_add (w, t.name, t.dtype_name, t.rank,
                                            t.shape, error))
      return FALSE;
  if (!condmap_safetensors_writer_begin (w, error))
    return FALSE;
  for (size_t i = 0; i < n; i++)
    {
      condmap_safetensors_get_tensor (in, i, &t);
      for (size_t k = (t.n_bytes + chunk - 1) / chunk; k-- > 0;)
        if (!condmap_safetensors_writer_write (w, i, k * chunk,
               (const guchar *) t.data + k * chunk,
               MIN (chunk, t.n_bytes - k * chunk), error))
          return FALSE;
    }
  return condmap_safetensors_writer_commit (g_steal_pointer (&w), error);
}

/* Both checkpoints hold the same tensors (order, names, dtypes, shapes,
 * bytes) and metadata. */
static void
assert_same (const CondmapSafetensors *a, const CondmapSafetensors *b)
{
  size_t n = condmap_safetensors_get_n_tensors (a);
  CondmapTensorInfo x, y;

  CU_ASSERT_EQUAL_FATAL (condmap_safetensors_get_n_tensors (b), n);
  for (size_t i = 0; i < n; i++)
    {
      condmap_safetensors_get_tensor (a, i, &x);
      condmap_safetensors_get_tensor (b, i, &y);
      CU_ASSERT_STRING_EQUAL (x.name, y.name);
      CU_ASSERT_STRING_EQUAL (x.dtype_name, y.dtype_name);
      CU_ASSERT_EQUAL_FATAL (x.rank, y.rank);
      CU_ASSERT_EQUAL (memcmp (x.shape, y.shape, x.rank * sizeof (size_t)), 0);
      CU_ASSERT_EQUAL_FATAL (x.n_bytes, y.n_bytes);
      CU_ASSERT_EQUAL (memcmp (x.data, y.data, x.n_bytes), 0);
    }
  CU_ASSERT_EQUAL_FATAL (condmap_safetensors_get_n_metadata (b),
                         condmap_safetensors_get_n_metadata (a));
  for (size_t i = 0; i < condmap_safetensors_get_n_metadata (a); i++)
    {
      CU_ASSERT_STRING_EQUAL (condmap_safetensors_get_metadata_key (a, i),
                              condmap_safetensors_get_metadata_key (b, i));
      CU_ASSERT_STRING_EQUAL (condmap_safetensors_get_metadata_value (a, i),
                              condmap_safetensors_get_metadata_value (b, i));
    }
}

/* mixed.safetensors through the writer, in chunks of 7 bytes, last
 * first: everything comes back, and the header is laid out as the format
 * says (metadata first, padded with spaces to a multiple of 8). */
static void
test_write_round_trip (void)
{
  g_autofree char *src = st_data ("mixed.safetensors");
  g_autofree char *out = tmp_path ("out.safetensors");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSafetensors) a = condmap_safetensors_open (src, &error);
  g_autoptr (CondmapSafetensors) b = NULL;
  g_autofree char *bytes = NULL;
  gsize len = 0;
  guint64 n;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (copy_checkpoint (a, out, 7, &error));
  CM_ASSERT_NO_ERROR (error);
  b = condmap_safetensors_open (out, &error);
  CM_ASSERT_NO_ERROR (error);
  assert_same (a, b);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (out, &bytes, &len, NULL));
  memcpy (&n, bytes, 8);
  n = GUINT64_FROM_LE (n);
  CU_ASSERT_EQUAL ((8 + n) % 8, 0);
  CU_ASSERT_EQUAL (len, 8 + n + 177);
  CU_ASSERT_TRUE (g_str_has_prefix (bytes + 8, "{\"__metadata__\":{\"format\":"
                                    "\"pt\",\"note\":"));
  CU_ASSERT_TRUE (bytes[8 + n - 1] == '}' || bytes[8 + n - 1] == ' ');
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);
}

/* The writer's output is byte for byte what make-safetensors.py wrote by
 * hand for the same tensors: the same compact JSON, padding and data. */
static void
test_write_same_bytes (void)
{
  g_autofree char *src = st_data ("rounding.safetensors");
  g_autofree char *out = tmp_path ("rounding.safetensors");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSafetensors) a = condmap_safetensors_open (src, &error);
  g_autofree char *want = NULL, *got = NULL;
  gsize want_len = 0, got_len = 1;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (copy_checkpoint (a, out, 4096, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (src, &want, &want_len, NULL));
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (out, &got, &got_len, NULL));
  CU_ASSERT_EQUAL_FATAL (got_len, want_len);
  CU_ASSERT_EQUAL (memcmp (got, want, want_len), 0);
}

/* Names JSON must escape, and an empty checkpoint. */
static void
test_write_names (void)
{
  static const char *names[] = { "quote\"back\\slash", "new\nline", "",
                                 "\xc3\xbc\xe2\x9c\x93 \x01", "/etc/../x" };
  g_autofree char *out = tmp_path ("names.st");
  g_autofree char *empty = tmp_path ("empty.st");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSafetensorsWriter) w = condmap_safetensors_writer_new (out, &error);
  g_autoptr (CondmapSafetensors) st = NULL;
  g_autofree char *bytes = NULL;
  gsize len = 0;

  CM_ASSERT_NO_ERROR (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    CU_ASSERT_TRUE (condmap_safetensors_writer_add (w, names[i], "U8", 1,
                                                    (size_t[]) { 1 }, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_set_metadata (w, "k\"", "1", &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_set_metadata (w, "k\"", "2", &error));
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_writer_begin (w, &error));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    CU_ASSERT_TRUE (condmap_safetensors_writer_write (w, i, 0, "x", 1, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_commit (g_steal_pointer (&w), &error));
  CM_ASSERT_NO_ERROR (error);
  st = condmap_safetensors_open (out, &error);
  CM_ASSERT_NO_ERROR (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    CU_ASSERT_EQUAL (condmap_safetensors_find (st, names[i]), (gssize) i);
  CU_ASSERT_EQUAL (condmap_safetensors_get_n_metadata (st), 1);
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_lookup_metadata (st, "k\""), "2");

  w = condmap_safetensors_writer_new (empty, &error);
  CU_ASSERT_TRUE (condmap_safetensors_writer_begin (w, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_commit (g_steal_pointer (&w), &error));
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (empty, &bytes, &len, NULL));
  CU_ASSERT_EQUAL (len, 16);
  CU_ASSERT_EQUAL (memcmp (bytes, "\x08\0\0\0\0\0\0\0{}      ", 16), 0);
}

/* ---- chunks from threads ------------------------------------------------ */

enum { BIG = 1 << 20, CHUNK = 4096, N_THREADS = 4 };

typedef struct {
  CondmapSafetensorsWriter *w;
  const guchar *data;
  unsigned first;
  gboolean ok;
} Job;

/* Every N_THREADS-th chunk from the end, and each chunk twice over a
 * neighbour's first half (overlapping writes are fine). */
static gpointer
write_chunks (gpointer data)
{
  Job *job = data;

  job->ok = TRUE;
  for (unsigned k = BIG / CHUNK - 1 - job->first;; k -= N_THREADS)
    {
      size_t len = MIN (CHUNK + CHUNK / 2, BIG - (size_t) k * CHUNK);

      job->ok &= condmap_safetensors_writer_write (job->w, 1, (guint64) k * CHUNK,
                                                   job->data + k * CHUNK, len,
                                                   NULL);
      if (k < N_THREADS)
        break;
    }
  return NULL;
}

static void
test_write_threads (void)
{
  g_autofree char *out = tmp_path ("threads.st");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSafetensorsWriter) w = condmap_safetensors_writer_new (out, &error);
  g_autoptr (CondmapSafetensors) st = NULL;
  g_autofree guchar *data = g_malloc (BIG);
  GThread *threads[N_THREADS];
  Job jobs[N_THREADS];
  CondmapTensorInfo t;

  for (size_t i = 0; i < BIG; i++)
    data[i] = (guchar) (i * 7 + i / 251);
  CU_ASSERT_TRUE (condmap_safetensors_writer_add (w, "a", "F32", 0, NULL, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_add (w, "big", "BF16", 2,
                                                  (size_t[]) { 512, 1024 }, &error));
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_writer_begin (w, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_write (w, 0, 0, "\0\0\x80?", 4, &error));
  for (unsigned i = 0; i < N_THREADS; i++)
    {
      jobs[i] = (Job) { w, data, i, FALSE };
      threads[i] = g_thread_new ("writer", write_chunks, &jobs[i]);
    }
  for (unsigned i = 0; i < N_THREADS; i++)
    {
      g_thread_join (threads[i]);
      CU_ASSERT_TRUE (jobs[i].ok);
    }
  CU_ASSERT_TRUE (condmap_safetensors_writer_commit (g_steal_pointer (&w), &error));
  CM_ASSERT_NO_ERROR (error);
  st = condmap_safetensors_open (out, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_get_tensor (st, 1, &t));
  CU_ASSERT_EQUAL_FATAL (t.n_bytes, BIG);
  CU_ASSERT_EQUAL (memcmp (t.data, data, BIG), 0);
  CU_ASSERT_TRUE (condmap_safetensors_get_tensor (st, 0, &t));
  CU_ASSERT_EQUAL (memcmp (t.data, "\0\0\x80?", 4), 0);
}

/* ---- refusals and failures ---------------------------------------------- */

/* A tensor with a chunk never written is refused at commit, and nothing
 * is left behind, while an earlier file of the same name stays. */
static void
test_write_incomplete (void)
{
  g_autofree char *out = tmp_path ("keep.st");
  g_autoptr (GError) error = NULL;
  CondmapSafetensorsWriter *w;
  guchar data[16384] = { 0 };
  g_autofree char *after = NULL;

  CU_ASSERT_TRUE (g_file_set_contents (out, "old", 3, NULL));
  w = condmap_safetensors_writer_new (out, &error);
  CU_ASSERT_TRUE (condmap_safetensors_writer_add (w, "w", "F32", 1,
                                                  (size_t[]) { 4096 }, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_begin (w, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_write (w, 0, 0, data, 4096, &error));
  CU_ASSERT_TRUE (condmap_safetensors_writer_write (w, 0, 8192, data, 8192, &error));
  CU_ASSERT_FALSE (condmap_safetensors_writer_commit (w, &error));
  CU_ASSERT_PTR_NOT_NULL (error && strstr (error->message, "tensor 'w': bytes "
                                           "[4096, 8192) of its 16384 were "
                                           "never written"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_TRUE (g_file_get_contents (out, &after, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (after, "old");
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);

  /* Nothing written at all; the header never written. */
  w = condmap_safetensors_writer_new (out, &error);
  condmap_safetensors_writer_add (w, "v", "U8", 0, NULL, &error);
  condmap_safetensors_writer_begin (w, &error);
  CU_ASSERT_FALSE (condmap_safetensors_writer_commit (w, &error));
  CU_ASSERT_PTR_NOT_NULL (error && strstr (error->message, "bytes [0, 1) of its 1"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  w = condmap_safetensors_writer_new (out, &error);
  CU_ASSERT_FALSE (condmap_safetensors_writer_commit (w, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);
}

/* Abort leaves nothing, whatever was written. */
static void
test_write_abort (void)
{
  g_autofree char *out = tmp_path ("aborted.st");
  g_autoptr (GError) error = NULL;
  CondmapSafetensorsWriter *w = condmap_safetensors_writer_new (out, &error);

  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 1);   /* it exists */
  condmap_safetensors_writer_add (w, "w", "F64", 1, (size_t[]) { 2 }, &error);
  condmap_safetensors_writer_begin (w, &error);
  condmap_safetensors_writer_write (w, 0, 0, "12345678", 8, &error);
  CM_ASSERT_NO_ERROR (error);
  condmap_safetensors_writer_abort (w);
  condmap_safetensors_writer_abort (NULL);
  CU_ASSERT_FALSE (g_file_test (out, G_FILE_TEST_EXISTS));
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);
}

static void
test_write_refused (void)
{
  g_autofree char *out = tmp_path ("refused.st");
  g_autofree char *nodir = g_build_filename (cm_test_tmpdir, "no", "x.st", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSafetensorsWriter) w = condmap_safetensors_writer_new (out, &error);
  size_t rank33[33] = { 0 }, huge[2] = { G_MAXSIZE / 2, 3 };

  CU_ASSERT_PTR_NULL (condmap_safetensors_writer_new (nodir, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  CU_ASSERT_TRUE (condmap_safetensors_writer_add (w, "w", "F32", 1,
                                                  (size_t[]) { 2 }, &error));
  CU_ASSERT_FALSE (condmap_safetensors_writer_add (w, "w", "F32", 0, NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_add (w, "__metadata__", "F32", 0,
                                                   NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_add (w, "x", "float32", 0, NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_add (w, "\xff", "F32", 0, NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_add (w, "x", "F32", 33, rank33, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_add (w, "x", "F32", 2, huge, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_add (w, "x", "F4", 1,
                                                   (size_t[]) { 3 }, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_set_metadata (w, "k", "\xc3", &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_writer_begin (w, &error));
  CU_ASSERT_FALSE (condmap_safetensors_writer_write (w, 1, 0, "x", 1, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_write (w, 0, 4, "123456789", 5, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_safetensors_writer_write (w, 0, G_MAXUINT64, "1", 1, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_TRUE (condmap_safetensors_writer_write (w, 0, 8, "", 0, &error));
}

/* A full disk (here: the file size limit) is an I/O error, and abort
 * then leaves nothing. */
static void
test_write_disk_full (void)
{
  g_autofree char *out = tmp_path ("full.st");
  g_autoptr (GError) error = NULL;
  CondmapSafetensorsWriter *w = condmap_safetensors_writer_new (out, &error);
  struct rlimit old, lim;
  gboolean ok;

  condmap_safetensors_writer_add (w, "w", "F32", 1, (size_t[]) { 1 << 16 },
                                  &error);
  CM_ASSERT_NO_ERROR (error);
  getrlimit (RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 4096;
  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &lim);
  ok = condmap_safetensors_writer_begin (w, &error);
  setrlimit (RLIMIT_FSIZE, &old);
  signal (SIGXFSZ, SIG_DFL);
  CU_ASSERT_FALSE (ok);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  condmap_safetensors_writer_abort (w);
  CU_ASSERT_FALSE (g_file_test (out, G_FILE_TEST_EXISTS));
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);
}

void
cm_test_add_write_suite (void)
{
  CU_pSuite s = CU_add_suite ("write", cm_test_tmpdir_init, cm_test_tmpdir_clean);

  CU_add_test (s, "round trip, chunks last first", test_write_round_trip);
  CU_add_test (s, "the hand-written file's bytes", test_write_same_bytes);
  CU_add_test (s, "names to escape, empty checkpoint", test_write_names);
  CU_add_test (s, "chunks from threads, overlapping", test_write_threads);
  CU_add_test (s, "incomplete tensors refused, old file kept", test_write_incomplete);
  CU_add_test (s, "abort leaves nothing", test_write_abort);
  CU_add_test (s, "bad declarations and writes", test_write_refused);
  CU_add_test (s, "disk full", test_write_disk_full);
}
