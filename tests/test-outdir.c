/* test-outdir.c - output directories through the public API: what
 * condmap_converter_convert_to_dir() writes and condmap_restore_dir()
 * reads back bit for bit, what each refuses, and that a failure or a
 * signal at any point leaves neither OUTDIR nor a temporary behind. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

static CondmapRuntime *rt;

/* Four planes: g_plus_0, g_minus_0, g_plus_1, g_minus_1. */
static const char dual_pair[] = "converter: dual-pair\nf_lst: [1.0, 3.0]\n";

static int
suite_init (void)
{
  rt = cm_test_runtime ();
  return cm_test_tmpdir_init ();
}

static int
suite_clean (void)
{
  g_clear_pointer (&rt, condmap_runtime_unref);
  return cm_test_tmpdir_clean ();
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (cm_test_tmpdir, name, NULL);
}

static CondmapConverter *
converter (const char *yaml)
{
  GError *error = NULL;
  CondmapConverter *conv = condmap_converter_new_from_yaml (rt, yaml, -1,
                                                            NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  return conv;
}

/* Weights spread over [-1, 1] in a fixed, irregular order. */
static CondmapArray *
weights_new (CondmapDtype dtype, unsigned rank, const size_t *shape)
{
  GError *error = NULL;
  CondmapArray *w = condmap_array_new (dtype, rank, shape, &error);
  size_t n;

  CM_ASSERT_NO_ERROR (error);
  n = condmap_array_get_n (w);
  for (size_t i = 0; i < n; i++)
    {
      double v = (double) ((i * 37) % 101) / 50.0 - 1.0;

      if (dtype == CONDMAP_DTYPE_FLOAT32)
        ((float *) condmap_array_get_data (w))[i] = (float) v;
      else
        ((double *) condmap_array_get_data (w))[i] = v;
    }
  return w;
}

static size_t
n_bytes (const CondmapArray *a)
{
  return condmap_array_get_n (a)
         * condmap_dtype_size (condmap_array_get_dtype (a));
}

static gboolean
same_array (const CondmapArray *a, const CondmapArray *b)
{
  return condmap_array_same_layout (a, b)
         && memcmp (condmap_array_peek_data (a), condmap_array_peek_data (b),
                    n_bytes (a)) == 0;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in @dir, sorted, space-separated ("" if empty or missing).
 * Free with g_free(). */
static char *
list_dir (const char *dir)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d != NULL)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_dir_close (d);
    }
  qsort (names->pdata, names->len, sizeof (char *), compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* Whether the test directory holds a temporary of any write: an
 * OUTDIR.tmp-* or OUTDIR.old-* directory, or a hidden .NAME.XXXXXX file. */
static gboolean
temporaries_left (void)
{
  GDir *d = g_dir_open (cm_test_tmpdir, 0, NULL);
  const char *name;
  gboolean found = FALSE;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (name[0] == '.' || strstr (name, ".tmp-") || strstr (name, ".old-"))
      {
        g_printerr ("\n    left behind: %s", name);
        found = TRUE;
      }
  if (d != NULL)
    g_dir_close (d);
  return found;
}

/* The planes and params of converting @w in memory. */
static GPtrArray *
planes_in_memory (const CondmapConverter *conv, const CondmapArray *w,
                  CondmapParams **params)
{
  GPtrArray *planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);
  unsigned K = condmap_converter_get_n_planes (conv);
  g_autofree void **data = g_new0 (void *, K);
  GError *error = NULL;

  for (unsigned k = 0; k < K; k++)
    {
      g_ptr_array_add (planes,
                       condmap_array_new (condmap_array_get_dtype (w),
                                          condmap_array_get_rank (w),
                                          condmap_array_get_shape (w),
                                          &error));
      data[k] = condmap_array_get_data (planes->pdata[k]);
    }
  CU_ASSERT_TRUE (condmap_converter_to_conductances (
    conv, condmap_array_get_dtype (w), condmap_array_peek_data (w),
    condmap_array_get_n (w), data, params, &error));
  CM_ASSERT_NO_ERROR (error);
  return planes;
}

/* Weights back from @planes in memory. */
static CondmapArray *
weights_in_memory (const CondmapConverter *conv, const GPtrArray *planes,
                   const CondmapParams *params, const CondmapArray *like)
{
  GError *error = NULL;
  CondmapArray *w = condmap_array_new (condmap_array_get_dtype (like),
                                       condmap_array_get_rank (like),
                                       condmap_array_get_shape (like), &error);
  g_autofree const void **data = g_new0 (const void *, planes->len);

  for (guint k = 0; k < planes->len; k++)
    data[k] = condmap_array_peek_data (planes->pdata[k]);
  CU_ASSERT_TRUE (condmap_converter_to_weights (
    conv, condmap_array_get_dtype (like), data, condmap_array_get_n (like),
    params, condmap_array_get_data (w), &error));
  CM_ASSERT_NO_ERROR (error);
  return w;
}

static void
test_convert_and_restore (void)
{
  g_autoptr (CondmapConverter) conv = converter (dual_pair);
  const size_t shape[] = { 10, 35 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT32, 2, shape);
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (GPtrArray) planes = planes_in_memory (conv, w, &params);
  g_autoptr (CondmapArray) expected = weights_in_memory (conv, planes,
                                                         params, w);
  g_autofree char *dir = tmp_path ("conv");
  g_autofree char *files = NULL;
  g_autoptr (CondmapSidecar) written = NULL;
  g_autoptr (CondmapSidecar) read = NULL;
  g_autoptr (CondmapArray) back = NULL;
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_converter_convert_to_dir (conv, w, dir,
                                                    CONDMAP_OUTDIR_DEFAULT,
                                                    &written, &error));
  CM_ASSERT_NO_ERROR (error);
  files = list_dir (dir);
  CU_ASSERT_STRING_EQUAL (files, "g_minus_0.npy g_minus_1.npy g_plus_0.npy "
                          "g_plus_1.npy params.yaml");
  CU_ASSERT_STRING_EQUAL (condmap_sidecar_get_planes (written)[0],
                          "g_plus_0.npy");
  CU_ASSERT_STRING_EQUAL (condmap_sidecar_get_planes (written)[3],
                          "g_minus_1.npy");
  CU_ASSERT_PTR_NULL (condmap_sidecar_get_planes (written)[4]);
  CU_ASSERT_FALSE (temporaries_left ());
  /* Each file holds the plane the conversion makes in memory. */
  for (unsigned k = 0; k < planes->len; k++)
    {
      g_autofree char *name =
        g_strdup_printf ("%s.npy", condmap_converter_get_plane_name (conv, k));
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (CondmapArray) plane = condmap_npy_read (path, &error);

      CM_ASSERT_NO_ERROR (error);
      CU_ASSERT_TRUE (same_array (plane, planes->pdata[k]));
    }
  /* And the sidecar restores exactly what the params restore in memory. */
  back = condmap_restore_dir (rt, dir, &read, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (same_array (back, expected));
  CU_ASSERT_STRING_EQUAL (condmap_sidecar_get_converter (read), "dual-pair");
  CU_ASSERT_EQUAL (condmap_params_get (condmap_sidecar_get_params (read),
                                       "scale_ratio"),
                   condmap_params_get (params, "scale_ratio"));
}

/* Conductances measured on a chip replace the written planes: restore
 * uses them, not what convert wrote. */
static void
test_restore_measured (void)
{
  g_autoptr (CondmapConverter) conv = converter (dual_pair);
  const size_t shape[] = { 6, 7 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT64, 2, shape);
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (GPtrArray) planes = planes_in_memory (conv, w, &params);
  g_autoptr (CondmapArray) expected = NULL;
  g_autoptr (CondmapArray) back = NULL;
  g_autofree char *dir = tmp_path ("measured");
  g_autofree char *plane_path = g_build_filename (dir, "g_plus_1.npy", NULL);
  double *g;
  GError *error = NULL;

  CU_ASSERT_TRUE_FATAL (condmap_converter_convert_to_dir (conv, w, dir, 0,
                                                          NULL, &error));
  /* Devices that drifted by 0.25 µS, still inside [0, 25]. */
  g = condmap_array_get_data (planes->pdata[2]);
  for (size_t i = 0; i < condmap_array_get_n (w); i++)
    g[i] = g[i] > 12.5 ? g[i] - 0.25 : g[i] + 0.25;
  CU_ASSERT_TRUE_FATAL (condmap_npy_write (plane_path, planes->pdata[2],
                                           &error));
  expected = weights_in_memory (conv, planes, params, w);
  back = condmap_restore_dir (rt, dir, NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (same_array (back, expected));
  CU_ASSERT_FALSE (same_array (back, w));
}

static void
test_csv_planes (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair\n");
  const size_t shape[] = { 50 };
  const size_t shape3[] = { 2, 3, 4 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT64, 1, shape);
  g_autoptr (CondmapArray) w3 = weights_new (CONDMAP_DTYPE_FLOAT64, 3,
                                             shape3);
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (GPtrArray) planes = planes_in_memory (conv, w, &params);
  g_autoptr (CondmapArray) expected = weights_in_memory (conv, planes,
                                                         params, w);
  g_autoptr (CondmapArray) back = NULL;
  g_autofree char *dir = tmp_path ("csv");
  g_autofree char *dir3 = tmp_path ("csv3");
  g_autofree char *files = NULL;
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_converter_convert_to_dir (conv, w, dir,
                                                    CONDMAP_OUTDIR_CSV, NULL,
                                                    &error));
  CM_ASSERT_NO_ERROR (error);
  files = list_dir (dir);
  CU_ASSERT_STRING_EQUAL (files, "g_minus_0.csv g_plus_0.csv params.yaml");
  /* %.17g reads back to the bit: a 1-D array as one CSV row. */
  back = condmap_restore_dir (rt, dir, NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (same_array (back, expected));
  /* CSV holds 1-D and 2-D arrays only: refused before anything is made. */
  CU_ASSERT_FALSE (condmap_converter_convert_to_dir (conv, w3, dir3,
                                                     CONDMAP_OUTDIR_CSV,
                                                     NULL, &error));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "3-D") != NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (g_file_test (dir3, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (temporaries_left ());
}

static void
test_exists (void)
{
  g_autoptr (CondmapConverter) conv = converter (dual_pair);
  const size_t shape[] = { 4 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT32, 1, shape);
  g_autofree char *keep = tmp_path ("keep");
  g_autofree char *notes = g_build_filename (keep, "notes.txt", NULL);
  g_autofree char *afile = tmp_path ("afile");
  g_autofree char *files = NULL;
  g_autofree char *text = NULL;
  GError *error = NULL;

  CU_ASSERT_EQUAL_FATAL (g_mkdir (keep, 0755), 0);
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (notes, "precious\n", -1, NULL));
  CU_ASSERT_FALSE (condmap_outdir_check (keep, 0, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_EXISTS);
  CU_ASSERT_FALSE (condmap_converter_convert_to_dir (conv, w, keep, 0, NULL,
                                                     &error));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "--force") != NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_EXISTS);
  files = list_dir (keep);
  CU_ASSERT_STRING_EQUAL (files, "notes.txt");
  CU_ASSERT_TRUE (g_file_get_contents (notes, &text, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (text, "precious\n");
  CU_ASSERT_FALSE (temporaries_left ());

  /* FORCE replaces it with a complete new one, the old one gone. */
  CU_ASSERT_TRUE (condmap_outdir_check (keep, CONDMAP_OUTDIR_FORCE, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_convert_to_dir (conv, w, keep,
                                                    CONDMAP_OUTDIR_FORCE,
                                                    NULL, &error));
  CM_ASSERT_NO_ERROR (error);
  g_free (files);
  files = list_dir (keep);
  CU_ASSERT_STRING_EQUAL (files, "g_minus_0.npy g_minus_1.npy g_plus_0.npy "
                          "g_plus_1.npy params.yaml");
  CU_ASSERT_FALSE (temporaries_left ());

  /* A file in the way is never replaced. */
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (afile, "file\n", -1, NULL));
  CU_ASSERT_FALSE (condmap_converter_convert_to_dir (conv, w, afile,
                                                     CONDMAP_OUTDIR_FORCE,
                                                     NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_EXISTS);
  g_free (text);
  CU_ASSERT_TRUE (g_file_get_contents (afile, &text, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (text, "file\n");

  /* Names that are no directory of their own. */
  CU_ASSERT_FALSE (condmap_outdir_check ("", 0, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_outdir_check ("..", CONDMAP_OUTDIR_FORCE, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

/* Runs a conversion under a file-size limit of 1000 bytes, which the first
 * 1,528-byte plane exceeds in the middle of its write (SIGXFSZ ignored, so
 * the write fails with EFBIG). */
static gboolean
convert_file_limited (const CondmapConverter *conv, const CondmapArray *w,
                      const char *dir, CondmapOutdirFlags flags,
                      GError **error)
{
  struct rlimit old, lim;
  gboolean ok;

  getrlimit (RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 1000;
  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &lim);
  ok = condmap_converter_convert_to_dir (conv, w, dir, flags, NULL, error);
  setrlimit (RLIMIT_FSIZE, &old);
  signal (SIGXFSZ, SIG_DFL);
  return ok;
}

static void
test_failure_midway (void)
{
  g_autoptr (CondmapConverter) conv = converter (dual_pair);
  const size_t shape[] = { 10, 35 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT32, 2, shape);
  g_autofree char *fresh = tmp_path ("fresh");
  g_autofree char *old = tmp_path ("old");
  g_autofree char *marker = g_build_filename (old, "marker", NULL);
  g_autofree char *afile = tmp_path ("plain-file");
  g_autofree char *under = g_build_filename (afile, "out", NULL);
  g_autofree char *files = NULL;
  GError *error = NULL;

  CU_ASSERT_FALSE (convert_file_limited (conv, w, fresh, 0, &error));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, "g_plus_0.npy") != NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  CU_ASSERT_FALSE (g_file_test (fresh, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (temporaries_left ());

  /* Replacing: the old OUTDIR stays as it was. */
  CU_ASSERT_EQUAL_FATAL (g_mkdir (old, 0755), 0);
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (marker, "", -1, NULL));
  CU_ASSERT_FALSE (convert_file_limited (conv, w, old, CONDMAP_OUTDIR_FORCE,
                                         &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  files = list_dir (old);
  CU_ASSERT_STRING_EQUAL (files, "marker");
  CU_ASSERT_FALSE (temporaries_left ());

  /* A parent that cannot hold a directory. */
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (afile, "", -1, NULL));
  CU_ASSERT_FALSE (condmap_converter_convert_to_dir (conv, w, under, 0, NULL,
                                                     &error));
  CU_ASSERT_TRUE (error != NULL && strstr (error->message, under) != NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  CU_ASSERT_FALSE (temporaries_left ());
}

/* Replaces plane g_plus_1.npy of @dir with a .npy of @dtype and @shape. */
static void
put_plane (const char *dir, CondmapDtype dtype, unsigned rank,
           const size_t *shape)
{
  g_autofree char *path = g_build_filename (dir, "g_plus_1.npy", NULL);
  g_autoptr (CondmapArray) plane = weights_new (dtype, rank, shape);
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_npy_write (path, plane, &error));
  CM_ASSERT_NO_ERROR (error);
}

/* Restore fails with @code, its message naming @what. */
static void
assert_restore_fails (const char *dir, int code, const char *what)
{
  GError *error = NULL;
  CondmapArray *back = condmap_restore_dir (rt, dir, NULL, &error);

  CU_ASSERT_PTR_NULL (back);
  condmap_array_free (back);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strstr (error->message, what) == NULL)
    g_printerr ("\n    '%s' lacks '%s'", error->message, what);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, what));
  CM_ASSERT_ERROR (error, code);
}

static void
test_restore_refusals (void)
{
  g_autoptr (CondmapConverter) conv = converter (dual_pair);
  const size_t shape[] = { 10, 35 };
  const size_t wrong[] = { 35, 10 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT32, 2, shape);
  g_autofree char *dir = tmp_path ("refused");
  g_autofree char *plane = g_build_filename (dir, "g_plus_1.npy", NULL);
  g_autofree char *missing = tmp_path ("no-such-dir");
  g_autofree char *missing_sidecar =
    g_build_filename (missing, CONDMAP_OUTDIR_SIDECAR, NULL);
  GError *error = NULL;

  CU_ASSERT_TRUE_FATAL (condmap_converter_convert_to_dir (conv, w, dir, 0,
                                                          NULL, &error));
  put_plane (dir, CONDMAP_DTYPE_FLOAT32, 2, wrong);
  assert_restore_fails (dir, CONDMAP_ERROR_INPUT,
                        "g_plus_1.npy' has shape (35, 10)");
  put_plane (dir, CONDMAP_DTYPE_FLOAT32, 1, shape);
  assert_restore_fails (dir, CONDMAP_ERROR_INPUT,
                        "g_plus_1.npy' has shape (10,)");
  put_plane (dir, CONDMAP_DTYPE_FLOAT64, 2, shape);
  assert_restore_fails (dir, CONDMAP_ERROR_INPUT,
                        "g_plus_1.npy' is float64, but");
  CU_ASSERT_EQUAL (g_unlink (plane), 0);
  assert_restore_fails (dir, CONDMAP_ERROR_IO, plane);
  assert_restore_fails (missing, CONDMAP_ERROR_IO, missing_sidecar);
  /* Back as it was: restore works again. */
  put_plane (dir, CONDMAP_DTYPE_FLOAT32, 2, shape);
  condmap_array_free (condmap_restore_dir (rt, dir, NULL, &error));
  CM_ASSERT_NO_ERROR (error);
}

/* ---- signals: a child process, whose exit status the parent checks ---- */

#define CHILD_CLEANED 42

static void
on_xfsz (int sig)
{
  (void) sig;
  condmap_cleanup_on_signal ();
  _exit (CHILD_CLEANED);
}

/* Runs @body in a child in which exceeding a 1000-byte file size raises
 * SIGXFSZ, caught by a handler that calls condmap_cleanup_on_signal() in
 * the middle of the write and exits.  Returns the child's exit status:
 * CHILD_CLEANED from the handler, else what @body returned (after freeing
 * its memory, which valgrind checks at _exit). */
static int
run_interrupted (int (*body) (gpointer), gpointer data)
{
  int status = -1;
  pid_t pid = fork ();

  if (pid == 0)
    {
      struct rlimit lim;

      getrlimit (RLIMIT_FSIZE, &lim);
      lim.rlim_cur = 1000;
      signal (SIGXFSZ, on_xfsz);
      setrlimit (RLIMIT_FSIZE, &lim);
      _exit (body (data));
    }
  CU_ASSERT_FATAL (pid > 0);
  CU_ASSERT_EQUAL (waitpid (pid, &status, 0), pid);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static int
convert_body (gpointer dir)
{
  g_autoptr (CondmapConverter) conv = converter (dual_pair);
  const size_t shape[] = { 10, 35 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT32, 2, shape);

  condmap_converter_convert_to_dir (conv, w, dir, 0, NULL, NULL);
  return 1;   /* the signal did not come */
}

static int
npy_body (gpointer path)
{
  const size_t shape[] = { 1000 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT64, 1, shape);

  condmap_npy_write (path, w, NULL);
  return 1;   /* the signal did not come */
}

static void
test_signal_cleanup (void)
{
  g_autofree char *dir = tmp_path ("killed");
  g_autofree char *file = cm_test_write_file ("old.npy", "old\n", -1);
  g_autofree char *text = NULL;

  /* Killed while the first plane is half written: OUTDIR.tmp-* and the
   * plane's .g_plus_0.npy.XXXXXX inside it both go. */
  CU_ASSERT_EQUAL (run_interrupted (convert_body, dir), CHILD_CLEANED);
  CU_ASSERT_FALSE (g_file_test (dir, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (temporaries_left ());
  /* A single file: its .old.npy.XXXXXX goes, the old file stays. */
  CU_ASSERT_EQUAL (run_interrupted (npy_body, file), CHILD_CLEANED);
  CU_ASSERT_FALSE (temporaries_left ());
  CU_ASSERT_TRUE (g_file_get_contents (file, &text, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (text, "old\n");
}

/* After the cleanup, the process is dying: nothing new is written.  Exit
 * status 0 if every write was refused with CONDMAP_ERROR_IO. */
static int
after_cleanup_body (gpointer data)
{
  g_autoptr (CondmapConverter) conv = converter (dual_pair);
  const size_t shape[] = { 3 };
  g_autoptr (CondmapArray) w = weights_new (CONDMAP_DTYPE_FLOAT32, 1, shape);
  g_autofree char *dir = tmp_path ("late");
  g_autofree char *file = tmp_path ("late.npy");
  g_autoptr (GError) e1 = NULL;
  g_autoptr (GError) e2 = NULL;
  gboolean ok;

  (void) data;
  condmap_cleanup_on_signal ();
  ok = !condmap_converter_convert_to_dir (conv, w, dir, 0, NULL, &e1)
       && g_error_matches (e1, CONDMAP_ERROR, CONDMAP_ERROR_IO)
       && !condmap_npy_write (file, w, &e2)
       && g_error_matches (e2, CONDMAP_ERROR, CONDMAP_ERROR_IO);
  return ok ? 0 : 2;
}

static void
test_after_cleanup (void)
{
  g_autofree char *dir = tmp_path ("late");
  g_autofree char *file = tmp_path ("late.npy");

  CU_ASSERT_EQUAL (run_interrupted (after_cleanup_body, NULL), 0);
  CU_ASSERT_FALSE (g_file_test (dir, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (g_file_test (file, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (temporaries_left ());
}

int
main (void)
{
  CU_pSuite suite;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  suite = CU_add_suite ("outdir", suite_init, suite_clean);
  CU_add_test (suite, "convert writes the planes and a sidecar that "
               "restores exactly", test_convert_and_restore);
  CU_add_test (suite, "restore uses measured planes", test_restore_measured);
  CU_add_test (suite, "CSV planes, and CSV refused for 3-D",
               test_csv_planes);
  CU_add_test (suite, "an existing OUTDIR: refused, or replaced with FORCE",
               test_exists);
  CU_add_test (suite, "a failure midway leaves nothing", test_failure_midway);
  CU_add_test (suite, "planes of the wrong shape or dtype, or missing",
               test_restore_refusals);
  CU_add_test (suite, "a signal mid-write: the cleanup removes the "
               "temporaries", test_signal_cleanup);
  CU_add_test (suite, "after the cleanup nothing is written",
               test_after_cleanup);
  return cm_test_run ();
}
