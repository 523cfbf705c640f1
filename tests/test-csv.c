/* test-csv.c - CSV matrices: the forms people's files take, each error
 * with its line and column, and bit-exact write/read round trips. */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

/* Reads @text as float64, which must give @rows x @cols equal to @want. */
static void
read_ok (const char *text, size_t rows, size_t cols, const double *want)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cm_test_write_file ("ok.csv", text, -1);
  g_autoptr (CondmapArray) a =
    condmap_csv_read (path, CONDMAP_DTYPE_FLOAT64, &error);
  const double *got;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_array_get_dtype (a), CONDMAP_DTYPE_FLOAT64);
  CU_ASSERT_EQUAL_FATAL (condmap_array_get_rank (a), 2);
  CU_ASSERT_EQUAL (condmap_array_get_shape (a)[0], rows);
  CU_ASSERT_EQUAL_FATAL (condmap_array_get_shape (a)[1], cols);
  got = condmap_array_peek_data (a);
  for (size_t i = 0; i < rows * cols; i++)
    CU_ASSERT_EQUAL (got[i], want[i]);
}

/* Reading @text must fail with @code and, if @message is not NULL, the
 * message "PATH@message" exactly. */
static void
read_fails (const char *text, gssize len, CondmapError code,
            const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cm_test_write_file ("bad.csv", text, len);
  g_autofree char *want = g_strconcat (path, message, NULL);

  CU_ASSERT_PTR_NULL (condmap_csv_read (path, CONDMAP_DTYPE_FLOAT32, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (message != NULL && strcmp (error->message, want) != 0)
    {
      g_printerr ("\n    want: %s\n    got:  %s", want, error->message);
      CU_FAIL ("wrong message");
    }
  CM_ASSERT_ERROR (error, code);
}

/* ---- reading --------------------------------------------------------------- */

static void
test_read_plain (void)
{
  read_ok ("1,2,3\n4,5,6\n", 2, 3, (double[]) { 1, 2, 3, 4, 5, 6 });
  read_ok ("1,2,3\n4,5,6", 2, 3, (double[]) { 1, 2, 3, 4, 5, 6 });
  read_ok ("0.5\n-1e-3\n2E2\n", 3, 1, (double[]) { 0.5, -1e-3, 200 });
  read_ok ("-0.25,+7,.5,1.", 1, 4, (double[]) { -0.25, 7, 0.5, 1 });
}

static void
test_read_spaces_comments (void)
{
  const double want[] = { 1, 2, 3, 4 };

  read_ok ("  1 ,\t2\t\n 3,   4   \n", 2, 2, want);
  read_ok ("# weights of layer 1\n\n1,2  # first row\n   \n#\n3,4\n\n", 2, 2,
           want);
  read_ok ("1,2\r\n3,4\r\n", 2, 2, want);
  read_ok ("1,2\r\n\r\n# c\r\n3,4", 2, 2, want);
  read_ok ("\xef\xbb\xbf" "1,2\n3,4\n", 2, 2, want);   /* spreadsheet BOM */
}

/* The format reader passes non-finite values on: the converter refuses
 * them with the element's index. */
static void
test_read_non_finite (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cm_test_write_file ("nan.csv", "nan,inf,-inf\n", -1);
  g_autoptr (CondmapArray) a =
    condmap_csv_read (path, CONDMAP_DTYPE_FLOAT32, &error);
  const float *f;

  CM_ASSERT_NO_ERROR (error);
  f = condmap_array_peek_data (a);
  CU_ASSERT_TRUE (isnan (f[0]));
  CU_ASSERT_TRUE (isinf (f[1]) && f[1] > 0);
  CU_ASSERT_TRUE (isinf (f[2]) && f[2] < 0);
}

static void
test_read_float32 (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cm_test_write_file ("f32.csv", "0.1,-2.5\n1e-40,3\n", -1);
  g_autoptr (CondmapArray) a =
    condmap_csv_read (path, CONDMAP_DTYPE_FLOAT32, &error);
  const float *f;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_array_get_dtype (a), CONDMAP_DTYPE_FLOAT32);
  f = condmap_array_peek_data (a);
  CU_ASSERT_EQUAL (f[0], 0.1f);
  CU_ASSERT_EQUAL (f[1], -2.5f);
  CU_ASSERT_EQUAL (f[2], 1e-40f);
  CU_ASSERT_EQUAL (f[3], 3.0f);
}

/* ---- reading: errors ------------------------------------------------------- */

static void
test_fail_ragged (void)
{
  read_fails ("# c\n1,2\n\n3,4,5\n", -1, CONDMAP_ERROR_FORMAT,
              ":4: this row has 3 cells but the first row (line 2) has 2; "
              "every row must be the same length");
  read_fails ("1,2,3\n4,5\n", -1, CONDMAP_ERROR_FORMAT,
              ":2: this row has 2 cells but the first row (line 1) has 3; "
              "every row must be the same length");
}

static void
test_fail_bad_cell (void)
{
  read_fails ("1,2\n3,abc\n", -1, CONDMAP_ERROR_FORMAT,
              ":2: column 2: 'abc' is not a number");
  read_fails ("\n\n 1.5x ,2\n", -1, CONDMAP_ERROR_FORMAT,
              ":3: column 1: '1.5x' is not a number");
  read_fails ("1;2\n", -1, CONDMAP_ERROR_FORMAT,
              ":1: column 1: '1;2' is not a number");
  read_fails ("1,,2\n", -1, CONDMAP_ERROR_FORMAT, ":1: column 2: empty cell");
  read_fails ("1,2,\n", -1, CONDMAP_ERROR_FORMAT, ":1: column 3: empty cell");
  read_fails ("\"1\",2\n", -1, CONDMAP_ERROR_FORMAT,
              ":1: column 1: '\"1\"' is not a number");
  read_fails ("1e999\n", -1, CONDMAP_ERROR_FORMAT,
              ":1: column 1: '1e999' is out of range for float64");
  read_fails ("1,1e39\n", -1, CONDMAP_ERROR_FORMAT,
              ":1: column 2: '1e39' is out of range for float32");
}

static void
test_fail_no_numbers (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (cm_test_tmpdir, "missing.csv", NULL);

  read_fails ("", 0, CONDMAP_ERROR_FORMAT,
              ": holds no numbers (the file is empty)");
  read_fails ("# only\n\n  # comments\n", -1, CONDMAP_ERROR_FORMAT,
              ": holds no numbers (only blank lines and comments)");
  read_fails ("1,2\n\0\n", 6, CONDMAP_ERROR_FORMAT,
              ": holds a NUL byte: not a CSV text file");
  CU_ASSERT_PTR_NULL (condmap_csv_read (missing, CONDMAP_DTYPE_FLOAT64,
                                        &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  CU_ASSERT_PTR_NULL (condmap_csv_read (cm_test_tmpdir, CONDMAP_DTYPE_FLOAT64,
                                        &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
}

/* ---- writing --------------------------------------------------------------- */

static CondmapArray *
new_array (CondmapDtype dtype, unsigned rank, const size_t *shape)
{
  g_autoptr (GError) error = NULL;
  CondmapArray *a = condmap_array_new (dtype, rank, shape, &error);

  CM_ASSERT_NO_ERROR (error);
  return a;
}

/* Writes @a and reads it back: same bits (no NaN here: CSV keeps no NaN
 * payload or sign). */
static void
round_trip (const CondmapArray *a, size_t rows, size_t cols)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "rt.csv", NULL);
  CondmapDtype dtype = condmap_array_get_dtype (a);
  g_autoptr (CondmapArray) b = NULL;

  CU_ASSERT_TRUE (condmap_csv_write (path, a, &error));
  CM_ASSERT_NO_ERROR (error);
  b = condmap_csv_read (path, dtype, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL_FATAL (condmap_array_get_rank (b), 2);
  CU_ASSERT_EQUAL (condmap_array_get_shape (b)[0], rows);
  CU_ASSERT_EQUAL (condmap_array_get_shape (b)[1], cols);
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a),
                           condmap_array_peek_data (b),
                           rows * cols * condmap_dtype_size (dtype)), 0);
}

/* Random bit patterns (finite ones) and the extremes of each type. */
static void
test_write_round_trip (void)
{
  g_autoptr (CondmapArray) f = new_array (CONDMAP_DTYPE_FLOAT32, 2,
                                          (size_t[]) { 50, 40 });
  g_autoptr (CondmapArray) d = new_array (CONDMAP_DTYPE_FLOAT64, 2,
                                          (size_t[]) { 40, 50 });
  float *fp = condmap_array_get_data (f);
  double *dp = condmap_array_get_data (d);
  GRand *rand = g_rand_new_with_seed (7);

  for (size_t i = 0; i < 2000; i++)
    {
      guint32 u;
      guint64 v;

      do
        {
          u = g_rand_int (rand);
          memcpy (&fp[i], &u, 4);
        }
      while (!isfinite (fp[i]));
      do
        {
          v = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
          memcpy (&dp[i], &v, 8);
        }
      while (!isfinite (dp[i]));
    }
  g_rand_free (rand);
  memcpy (fp, (float[]) { -0.0f, FLT_MIN, FLT_MAX, 1e-45f, 0.1f, -FLT_MAX }, 24);
  memcpy (dp, (double[]) { -0.0, DBL_MIN, DBL_MAX, 5e-324, 0.1, -DBL_MAX }, 48);
  round_trip (f, 50, 40);
  round_trip (d, 40, 50);
}

/* Rank 1 is one row, rank 0 one cell. */
static void
test_write_low_rank (void)
{
  g_autoptr (CondmapArray) v = new_array (CONDMAP_DTYPE_FLOAT32, 1,
                                          (size_t[]) { 3 });
  g_autoptr (CondmapArray) s = new_array (CONDMAP_DTYPE_FLOAT64, 0, NULL);

  memcpy (condmap_array_get_data (v), (float[]) { 1, -2, 0.5f }, 12);
  *(double *) condmap_array_get_data (s) = -0.75;
  round_trip (v, 1, 3);
  round_trip (s, 1, 1);
}

static void
test_write_text (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) d = new_array (CONDMAP_DTYPE_FLOAT64, 2,
                                          (size_t[]) { 2, 2 });
  g_autoptr (CondmapArray) f = new_array (CONDMAP_DTYPE_FLOAT32, 2,
                                          (size_t[]) { 1, 2 });
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "t.csv", NULL);
  g_autofree char *text = NULL;

  memcpy (condmap_array_get_data (d), (double[]) { 1, 0.5, -2, 0.1 }, 32);
  memcpy (condmap_array_get_data (f), (float[]) { 0.1f, 1e10f }, 8);
  CU_ASSERT_TRUE (condmap_csv_write (path, d, &error));
  g_file_get_contents (path, &text, NULL, NULL);
  CU_ASSERT_STRING_EQUAL (text, "1,0.5\n-2,0.10000000000000001\n");
  g_clear_pointer (&text, g_free);
  CU_ASSERT_TRUE (condmap_csv_write (path, f, &error));
  g_file_get_contents (path, &text, NULL, NULL);
  CU_ASSERT_STRING_EQUAL (text, "0.100000001,1e+10\n");
  CM_ASSERT_NO_ERROR (error);
}

/* Numbers are written and read the same in a locale with a decimal
 * comma (skipped where no such locale is installed). */
static void
test_write_locale (void)
{
  g_autoptr (CondmapArray) d = new_array (CONDMAP_DTYPE_FLOAT64, 2,
                                          (size_t[]) { 1, 2 });
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));

  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL
      && setlocale (LC_ALL, "fr_FR.UTF-8") == NULL)
    {
      g_print ("(skipped: no locale with a decimal comma) ");
      return;
    }
  memcpy (condmap_array_get_data (d), (double[]) { 1.25, -0.5 }, 16);
  round_trip (d, 1, 2);
  setlocale (LC_ALL, old);
}

static void
test_write_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) cube = new_array (CONDMAP_DTYPE_FLOAT32, 3,
                                             (size_t[]) { 2, 2, 2 });
  g_autoptr (CondmapArray) empty = new_array (CONDMAP_DTYPE_FLOAT32, 2,
                                              (size_t[]) { 0, 3 });
  g_autoptr (CondmapArray) ok = new_array (CONDMAP_DTYPE_FLOAT32, 0, NULL);
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "no.csv", NULL);
  g_autofree char *nodir = g_build_filename (cm_test_tmpdir, "nodir", "x.csv", NULL);

  CU_ASSERT_FALSE (condmap_csv_write (path, cube, &error));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "use --format npy"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_csv_write (path, empty, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (g_file_test (path, G_FILE_TEST_EXISTS));
  CU_ASSERT_FALSE (condmap_csv_write (nodir, ok, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  /* Nothing left behind, not even a temporary file. */
  {
    GDir *dir = g_dir_open (cm_test_tmpdir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      CU_ASSERT_FALSE (name[0] == '.' || strcmp (name, "no.csv") == 0);
    g_dir_close (dir);
  }
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("csv read", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "plain matrices", test_read_plain);
  CU_add_test (s, "spaces, comments, CRLF, BOM", test_read_spaces_comments);
  CU_add_test (s, "nan and inf pass through", test_read_non_finite);
  CU_add_test (s, "float32", test_read_float32);

  s = CU_add_suite ("csv read errors", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "ragged rows name the line", test_fail_ragged);
  CU_add_test (s, "bad cells name line and column", test_fail_bad_cell);
  CU_add_test (s, "empty, comments only, NUL, missing", test_fail_no_numbers);

  s = CU_add_suite ("csv write", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "round trip bit-exact", test_write_round_trip);
  CU_add_test (s, "rank 1 and 0", test_write_low_rank);
  CU_add_test (s, "exact text", test_write_text);
  CU_add_test (s, "decimal-comma locale", test_write_locale);
  CU_add_test (s, "rank 3, empty, missing directory", test_write_refused);
  return cm_test_run ();
}
