/* test-npy.c - arrays and .npy files: every header form NumPy writes, the
 * byte orders and Fortran order, each way a file can be broken, and
 * write/read round trips. */
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

/* A .npy file of format @major.0 with header text @dict plus a '\n' (no
 * alignment padding: readers must not need it), then @len data bytes. */
static char *
write_npy (const char *name, int major, const char *dict, const void *data,
           size_t len)
{
  size_t hlen = strlen (dict) + 1;
  guint8 pre[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', major, 0,
                     hlen & 0xff, (hlen >> 8) & 0xff, (hlen >> 16) & 0xff,
                     (hlen >> 24) & 0xff };
  g_autoptr (GByteArray) b = g_byte_array_new ();

  g_byte_array_append (b, pre, major == 1 ? 10 : 12);
  g_byte_array_append (b, (const guint8 *) dict, strlen (dict));
  g_byte_array_append (b, (const guint8 *) "\n", 1);
  g_byte_array_append (b, data, len);
  return cm_test_write_file (name, b->data, b->len);
}

/* Reads @path, which must succeed, and checks dtype and shape. */
static CondmapArray *
read_ok (const char *path, CondmapDtype dtype, unsigned rank,
         const size_t *shape)
{
  g_autoptr (GError) error = NULL;
  CondmapArray *a = condmap_npy_read (path, &error);

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_array_get_dtype (a), dtype);
  CU_ASSERT_EQUAL_FATAL (condmap_array_get_rank (a), rank);
  for (unsigned i = 0; i < rank; i++)
    CU_ASSERT_EQUAL (condmap_array_get_shape (a)[i], shape[i]);
  return a;
}

/* Reading @path must fail with @code. */
static void
read_fails (const char *path, CondmapError code)
{
  g_autoptr (GError) error = NULL;
  CondmapArray *a = condmap_npy_read (path, &error);

  CU_ASSERT_PTR_NULL (a);
  condmap_array_free (a);
  CM_ASSERT_ERROR (error, code);
}

/* A header with @dict and no data, which must be refused with @code. */
static void
header_fails (const char *dict, CondmapError code)
{
  g_autofree char *path = write_npy ("bad.npy", 1, dict, "\0\0\0\0\0\0\0\0", 8);

  read_fails (path, code);
}

#define DICT(descr, fortran, shape) \
  "{'descr': '" descr "', 'fortran_order': " fortran ", 'shape': " shape ", }"

/* ---- arrays ---------------------------------------------------------------- */

static void
test_array_new (void)
{
  g_autoptr (GError) error = NULL;
  size_t shape[] = { 2, 3, 4 };
  g_autoptr (CondmapArray) a =
    condmap_array_new (CONDMAP_DTYPE_FLOAT64, 3, shape, &error);
  g_autoptr (CondmapArray) b =
    condmap_array_new (CONDMAP_DTYPE_FLOAT64, 3, shape, &error);
  g_autoptr (CondmapArray) c =
    condmap_array_new (CONDMAP_DTYPE_FLOAT32, 3, shape, &error);
  const double *d;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_array_get_n (a), 24);
  d = condmap_array_peek_data (a);
  for (int i = 0; i < 24; i++)
    CU_ASSERT_EQUAL (d[i], 0.0);   /* zeroed */
  CU_ASSERT_TRUE (condmap_array_same_layout (a, b));
  CU_ASSERT_FALSE (condmap_array_same_layout (a, c));
  shape[2] = 5;
  condmap_array_free (b);
  b = condmap_array_new (CONDMAP_DTYPE_FLOAT64, 3, shape, &error);
  CU_ASSERT_FALSE (condmap_array_same_layout (a, b));
}

/* Data starts on a cache line, whatever the size (small ones come from
 * malloc's bins, large ones from mmap), and is zeroed up to its end. */
static void
test_array_aligned (void)
{
  static const size_t sizes[] = { 0, 1, 3, 17, 1000, 4096, 1 << 20 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (int j = 0; j < 2; j++)
      {
        CondmapDtype t = j ? CONDMAP_DTYPE_FLOAT64 : CONDMAP_DTYPE_FLOAT32;
        GError *error = NULL;
        g_autoptr (CondmapArray) a = condmap_array_new (t, 1, &sizes[i],
                                                        &error);
        const unsigned char *d;

        CM_ASSERT_NO_ERROR (error);
        d = condmap_array_peek_data (a);
        CU_ASSERT_EQUAL ((guintptr) d % 64, 0);
        if (sizes[i] > 0)
          CU_ASSERT_EQUAL (d[sizes[i] * condmap_dtype_size (t) - 1], 0);
      }
}

static void
test_array_edge_shapes (void)
{
  g_autoptr (GError) error = NULL;
  size_t zero[] = { 3, 0 };
  g_autoptr (CondmapArray) scalar =
    condmap_array_new (CONDMAP_DTYPE_FLOAT32, 0, NULL, &error);
  g_autoptr (CondmapArray) empty =
    condmap_array_new (CONDMAP_DTYPE_FLOAT32, 2, zero, &error);

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (condmap_array_get_n (scalar), 1);
  CU_ASSERT_EQUAL (condmap_array_get_rank (scalar), 0);
  CU_ASSERT_EQUAL (condmap_array_get_n (empty), 0);
  CU_ASSERT_PTR_NOT_NULL (condmap_array_get_data (empty));
}

static void
test_array_refused (void)
{
  g_autoptr (GError) error = NULL;
  size_t big[] = { (size_t) 1 << 32, (size_t) 1 << 32, (size_t) 1 << 32 };
  size_t bytes[] = { (size_t) 1 << 31, (size_t) 1 << 31 };  /* x8 overflows */
  size_t ones[CONDMAP_MAX_RANK + 1];

  for (unsigned i = 0; i <= CONDMAP_MAX_RANK; i++)
    ones[i] = 1;
  CU_ASSERT_PTR_NULL (condmap_array_new (CONDMAP_DTYPE_FLOAT32, 3, big, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_PTR_NULL (condmap_array_new (CONDMAP_DTYPE_FLOAT64, 2, bytes, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_PTR_NULL (condmap_array_new (CONDMAP_DTYPE_FLOAT32,
                                         CONDMAP_MAX_RANK + 1, ones, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_PTR_NULL (condmap_array_new (7, 1, ones, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

/* A shape whose size fits size_t but no memory: a clean error, no abort.
 * AddressSanitizer aborts on such requests by design, so not under it. */
static void
test_array_too_big_to_allocate (void)
{
#ifndef __SANITIZE_ADDRESS__
  g_autoptr (GError) error = NULL;
  size_t shape[] = { (size_t) 1 << 30, (size_t) 1 << 29 };   /* 2^61 bytes */

  CU_ASSERT_PTR_NULL (condmap_array_new (CONDMAP_DTYPE_FLOAT32, 2, shape,
                                         &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
#endif
}

/* ---- reading: layouts ------------------------------------------------------ */

static void
test_read_le (void)
{
  const float f[] = { 1, -2, 0.5f, 3, 4.25f, -6 };
  const double d[] = { 1e-300, -2.5, 1e300 };
  g_autofree char *p4 = write_npy ("f4.npy", 1, DICT ("<f4", "False", "(2, 3)"),
                                   f, sizeof f);
  g_autofree char *p8 = write_npy ("f8.npy", 1, DICT ("<f8", "False", "(3,)"),
                                   d, sizeof d);
  g_autoptr (CondmapArray) a4 =
    read_ok (p4, CONDMAP_DTYPE_FLOAT32, 2, (size_t[]) { 2, 3 });
  g_autoptr (CondmapArray) a8 =
    read_ok (p8, CONDMAP_DTYPE_FLOAT64, 1, (size_t[]) { 3 });

  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a4), f, sizeof f), 0);
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a8), d, sizeof d), 0);
}

static void
test_read_be (void)
{
  const float f[] = { 1.5f, -2, 1e-40f };   /* a denormal too */
  const double d[] = { 0.1, -1e-310, 3 };
  guint32 fb[3];
  guint64 db[3];
  g_autofree char *p4 = NULL, *p8 = NULL;
  g_autoptr (CondmapArray) a4 = NULL, a8 = NULL;

  for (int i = 0; i < 3; i++)
    {
      guint32 u;
      guint64 v;

      memcpy (&u, &f[i], 4);
      fb[i] = GUINT32_TO_BE (u);
      memcpy (&v, &d[i], 8);
      db[i] = GUINT64_TO_BE (v);
    }
  p4 = write_npy ("b4.npy", 1, DICT (">f4", "False", "(3,)"), fb, sizeof fb);
  p8 = write_npy ("b8.npy", 1, DICT (">f8", "False", "(1, 3)"), db, sizeof db);
  a4 = read_ok (p4, CONDMAP_DTYPE_FLOAT32, 1, (size_t[]) { 3 });
  a8 = read_ok (p8, CONDMAP_DTYPE_FLOAT64, 2, (size_t[]) { 1, 3 });
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a4), f, sizeof f), 0);
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a8), d, sizeof d), 0);
}

static void
test_read_fortran_2d (void)
{
  /* [[0, 1, 2], [10, 11, 12]] stored column by column. */
  const float f[] = { 0, 10, 1, 11, 2, 12 };
  const float want[] = { 0, 1, 2, 10, 11, 12 };
  g_autofree char *p = write_npy ("f2.npy", 1, DICT ("<f4", "True", "(2, 3)"),
                                  f, sizeof f);
  g_autoptr (CondmapArray) a =
    read_ok (p, CONDMAP_DTYPE_FLOAT32, 2, (size_t[]) { 2, 3 });

  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a), want, sizeof want), 0);
}

/* Element (i, j, k) = 100 i + 10 j + k, in Fortran order (i fastest),
 * big-endian float64: both conversions at once. */
static void
test_read_fortran_3d_be (void)
{
  guint64 data[24];
  g_autofree char *p = NULL;
  g_autoptr (CondmapArray) a = NULL;
  const double *got;

  for (int k = 0; k < 4; k++)
    for (int j = 0; j < 3; j++)
      for (int i = 0; i < 2; i++)
        {
          double v = 100 * i + 10 * j + k;
          guint64 u;

          memcpy (&u, &v, 8);
          data[i + 2 * j + 6 * k] = GUINT64_TO_BE (u);
        }
  p = write_npy ("f3.npy", 1, DICT (">f8", "True", "(2, 3, 4)"), data,
                 sizeof data);
  a = read_ok (p, CONDMAP_DTYPE_FLOAT64, 3, (size_t[]) { 2, 3, 4 });
  got = condmap_array_peek_data (a);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 4; k++)
        CU_ASSERT_EQUAL (got[(i * 3 + j) * 4 + k], 100 * i + 10 * j + k);
}

/* Fortran order of rank 0 and 1 is the same bytes as C order. */
static void
test_read_fortran_low_rank (void)
{
  const float f[] = { 1, 2, 3 };
  g_autofree char *p1 = write_npy ("fr1.npy", 1, DICT ("<f4", "True", "(3,)"),
                                   f, sizeof f);
  g_autofree char *p0 = write_npy ("fr0.npy", 1, DICT ("<f4", "True", "()"),
                                   f, 4);
  g_autoptr (CondmapArray) a1 =
    read_ok (p1, CONDMAP_DTYPE_FLOAT32, 1, (size_t[]) { 3 });
  g_autoptr (CondmapArray) a0 = read_ok (p0, CONDMAP_DTYPE_FLOAT32, 0, NULL);

  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a1), f, sizeof f), 0);
  CU_ASSERT_EQUAL (((const float *) condmap_array_peek_data (a0))[0], 1);
}

static void
test_read_ranks (void)
{
  float f[12];
  g_autofree char *p4 = NULL, *p0 = NULL, *pe = NULL;
  g_autoptr (CondmapArray) a4 = NULL, a0 = NULL, ae = NULL;

  for (int i = 0; i < 12; i++)
    f[i] = i * 0.25f;
  p4 = write_npy ("r4.npy", 1, DICT ("<f4", "False", "(2, 1, 3, 2)"), f,
                  sizeof f);
  a4 = read_ok (p4, CONDMAP_DTYPE_FLOAT32, 4, (size_t[]) { 2, 1, 3, 2 });
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a4), f, sizeof f), 0);
  p0 = write_npy ("r0.npy", 1, DICT ("<f8", "False", "()"),
                  (double[]) { -7.5 }, 8);
  a0 = read_ok (p0, CONDMAP_DTYPE_FLOAT64, 0, NULL);
  CU_ASSERT_EQUAL (condmap_array_get_n (a0), 1);
  CU_ASSERT_EQUAL (((const double *) condmap_array_peek_data (a0))[0], -7.5);
  /* An empty array is a valid file; refusing it is the converter's job. */
  pe = write_npy ("re.npy", 1, DICT ("<f4", "False", "(0, 5)"), NULL, 0);
  ae = read_ok (pe, CONDMAP_DTYPE_FLOAT32, 2, (size_t[]) { 0, 5 });
  CU_ASSERT_EQUAL (condmap_array_get_n (ae), 0);
}

static void
test_read_versions (void)
{
  const float f[] = { 1, 2 };
  g_autofree char *p2 = write_npy ("v2.npy", 2, DICT ("<f4", "False", "(2,)"),
                                   f, sizeof f);
  g_autofree char *p3 = write_npy ("v3.npy", 3, DICT ("<f4", "False", "(2,)"),
                                   f, sizeof f);
  g_autoptr (CondmapArray) a2 =
    read_ok (p2, CONDMAP_DTYPE_FLOAT32, 1, (size_t[]) { 2 });
  g_autoptr (CondmapArray) a3 =
    read_ok (p3, CONDMAP_DTYPE_FLOAT32, 1, (size_t[]) { 2 });

  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a2), f, sizeof f), 0);
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a3), f, sizeof f), 0);
}

/* Header spellings other writers (and older NumPy) produce. */
static void
test_read_header_forms (void)
{
  static const char *const forms[] = {
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
    "{ 'shape' : ( 2 , 3 , ) , 'fortran_order' : False , 'descr' : '<f4' , }",
    "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,3)}",
    "{'fortran_order': False,\t'descr': '=f4', 'shape': (2L, 3L), }",
    "{'descr': 'f4', 'fortran_order': False, 'shape': (2, 3), }          ",
  };
  const float f[] = { 1, 2, 3, 4, 5, 6 };

  for (size_t i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *p = write_npy ("form.npy", 1, forms[i], f, sizeof f);
      g_autoptr (CondmapArray) a =
        read_ok (p, CONDMAP_DTYPE_FLOAT32, 2, (size_t[]) { 2, 3 });

      CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a), f, sizeof f), 0);
    }
}

/* Bytes after the data are ignored, as numpy.load ignores them. */
static void
test_read_trailing_bytes (void)
{
  const float f[] = { 1, 2, 3 };
  g_autofree char *p = write_npy ("tail.npy", 1, DICT ("<f4", "False", "(2,)"),
                                  f, sizeof f);
  g_autoptr (CondmapArray) a =
    read_ok (p, CONDMAP_DTYPE_FLOAT32, 1, (size_t[]) { 2 });

  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a), f, 8), 0);
}

/* ---- reading: broken files ------------------------------------------------- */

static void
test_fail_io (void)
{
  g_autofree char *missing = g_build_filename (cm_test_tmpdir, "missing.npy", NULL);

  read_fails (missing, CONDMAP_ERROR_IO);
  read_fails (cm_test_tmpdir, CONDMAP_ERROR_IO);   /* a directory */
}

static void
test_fail_not_npy (void)
{
  g_autofree char *empty = cm_test_write_file ("empty.npy", "", 0);
  g_autofree char *csv = cm_test_write_file ("csv.npy", "1,2,3\n4,5,6\n", 12);
  g_autofree char *tiny = cm_test_write_file ("tiny.npy", "\x93NU", 3);
  g_autofree char *magic = cm_test_write_file ("magic.npy", "\x93NUMPY", 6);
  g_autofree char *prefix = cm_test_write_file ("prefix.npy", "\x93NUMPY\x01\x00\x76", 9);
  g_autofree char *v2 = cm_test_write_file ("prefix2.npy", "\x93NUMPY\x02\x00\x76\0", 10);

  read_fails (empty, CONDMAP_ERROR_FORMAT);
  read_fails (csv, CONDMAP_ERROR_FORMAT);
  read_fails (tiny, CONDMAP_ERROR_FORMAT);
  read_fails (magic, CONDMAP_ERROR_FORMAT);   /* truncated header */
  read_fails (prefix, CONDMAP_ERROR_FORMAT);
  read_fails (v2, CONDMAP_ERROR_FORMAT);
}

static void
test_fail_versions (void)
{
  const char dict[] = DICT ("<f4", "False", "(1,)");
  g_autofree char *p9 = write_npy ("v9.npy", 9, dict, "\0\0\0\0", 4);
  g_autofree char *p0 = write_npy ("v0.npy", 0, dict, "\0\0\0\0", 4);
  g_autofree char *p11 = NULL;
  g_autofree char *bytes = NULL;
  gsize len;

  read_fails (p9, CONDMAP_ERROR_FORMAT);
  read_fails (p0, CONDMAP_ERROR_FORMAT);
  /* 1.1: the minor byte must be 0 too. */
  g_file_get_contents (p9, &bytes, &len, NULL);
  bytes[6] = 1, bytes[7] = 1;
  p11 = cm_test_write_file ("v11.npy", bytes, len);
  read_fails (p11, CONDMAP_ERROR_FORMAT);
}

/* The header length field says more than the file holds. */
static void
test_fail_header_beyond_file (void)
{
  const char bytes[] = "\x93NUMPY\x01\x00\xff\x7f{'descr': '<f4'}\n";
  const char bytes2[] = "\x93NUMPY\x02\x00\xff\xff\xff\xff{}";
  g_autofree char *p = cm_test_write_file ("hlen.npy", bytes, sizeof bytes - 1);
  g_autofree char *p2 = cm_test_write_file ("hlen2.npy", bytes2, sizeof bytes2 - 1);

  read_fails (p, CONDMAP_ERROR_FORMAT);
  read_fails (p2, CONDMAP_ERROR_FORMAT);
}

static void
test_fail_truncated_data (void)
{
  g_autoptr (GError) error = NULL;
  char data[1000] = { 0 };
  g_autofree char *p = write_npy ("trunc.npy", 1,
                                  DICT ("<f4", "False", "(4096, 4096)"),
                                  data, sizeof data);
  g_autofree char *p8 = write_npy ("trunc8.npy", 1,
                                   DICT ("<f8", "False", "(3,)"), data, 23);

  CU_ASSERT_PTR_NULL (condmap_npy_read (p, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "4096x4096 float32 = "
                                  "67108864 bytes but the file holds only "
                                  "1000 bytes"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_FORMAT);
  read_fails (p8, CONDMAP_ERROR_FORMAT);
}

static void
test_fail_sizes (void)
{
  g_autoptr (GString) dims = g_string_new ("(");

  header_fails (DICT ("<f4", "False",
                      "(4294967296, 4294967296, 4294967296)"),
                CONDMAP_ERROR_FORMAT);
  header_fails (DICT ("<f8", "False", "(2305843009213693952,)"),
                CONDMAP_ERROR_FORMAT);   /* 2^61 elements: bytes overflow */
  header_fails (DICT ("<f4", "False", "(99999999999999999999999,)"),
                CONDMAP_ERROR_FORMAT);   /* one dimension overflows */
  header_fails (DICT ("<f4", "False", "(-1,)"), CONDMAP_ERROR_FORMAT);
  for (int i = 0; i < 33; i++)
    g_string_append (dims, "1, ");
  g_string_append (dims, ")");
  {
    g_autofree char *dict =
      g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, "
                       "'shape': %s, }", dims->str);
    header_fails (dict, CONDMAP_ERROR_FORMAT);
  }
}

static void
test_fail_dtypes (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *p = write_npy ("u5.npy", 1, DICT ("<U5", "False", "(1,)"),
                                  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);

  CU_ASSERT_PTR_NULL (condmap_npy_read (p, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "<U5"));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "astype(np.float32)"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_FORMAT);
  header_fails (DICT ("<i4", "False", "(1,)"), CONDMAP_ERROR_FORMAT);
  header_fails (DICT ("|O", "False", "(1,)"), CONDMAP_ERROR_FORMAT);
  header_fails (DICT ("<f2", "False", "(1,)"), CONDMAP_ERROR_FORMAT);
  header_fails (DICT ("|f4", "False", "(1,)"), CONDMAP_ERROR_FORMAT);
  header_fails (DICT ("<c8", "False", "(1,)"), CONDMAP_ERROR_FORMAT);
  header_fails ("{'descr': [('a', '<f4'), ('b', '<f4')], "
                "'fortran_order': False, 'shape': (1,), }",
                CONDMAP_ERROR_FORMAT);
}

static void
test_fail_malformed_header (void)
{
  static const char *const bad[] = {
    "",
    "garbage",
    "{'descr': '<f4', 'fortran_order': False}",              /* no shape */
    "{'descr': '<f4', 'shape': (1,)}",                        /* no order */
    "{'fortran_order': False, 'shape': (1,)}",                /* no descr */
    "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
    "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
    "{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
    "{'descr': '<f4 'fortran_order': False, 'shape': (1,)}",
    "{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}",
    "{'descr': '<f4', 'fortran_order': False 'shape': (1,)}",
    "{'descr': '<f4\xff', 'fortran_order': False, 'shape': (1,)}",
  };

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    header_fails (bad[i], CONDMAP_ERROR_FORMAT);
  /* A NUL inside the header. */
  {
    const char bytes[] = "\x93NUMPY\x01\x00\x04\x00{\0}\n";
    g_autofree char *p = cm_test_write_file ("nul.npy", bytes, sizeof bytes - 1);

    read_fails (p, CONDMAP_ERROR_FORMAT);
  }
}

/* The message quotes at most 200 bytes of a bad header; a cut inside a
 * UTF-8 character must still give a valid UTF-8 message (found by
 * fuzz-npy: byte 200 was the first of "é"). */
static void
test_fail_message_utf8 (void)
{
  g_autoptr (GString) dict = g_string_new ("{'descr' ");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  while (dict->len < 199)
    g_string_append_c (dict, 'P');
  g_string_append (dict, "\xc3\xa9 'shape': (1,)}");
  path = write_npy ("cut.npy", 1, dict->str, "\0\0\0\0", 4);
  CU_ASSERT_PTR_NULL (condmap_npy_read (path, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  CU_ASSERT_TRUE (g_utf8_validate (error->message, -1, NULL));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "expected ':'"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_FORMAT);
}

/* ---- reading the conformance data ------------------------------------------ */

static void
test_conformance_values (void)
{
  g_autofree char *p1 = cm_test_data ("single-pair-scalar/weights.npy");
  g_autofree char *p2 = cm_test_data ("n-pair-f64/weights.npy");
  g_autoptr (CondmapArray) a1 =
    read_ok (p1, CONDMAP_DTYPE_FLOAT32, 2, (size_t[]) { 1, 1 });
  g_autoptr (CondmapArray) a2 =
    read_ok (p2, CONDMAP_DTYPE_FLOAT64, 2, (size_t[]) { 12, 12 });
  const double *d = condmap_array_peek_data (a2);

  CU_ASSERT_EQUAL (((const float *) condmap_array_peek_data (a1))[0], -2.5f);
  CU_ASSERT_DOUBLE_EQUAL (d[0], -0.78416264, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL (d[1], 1.03154248, 1e-8);
}

/* Every .npy file of the conformance data reads. */
static void
test_conformance_all (void)
{
  g_autofree char *root = cm_test_data (NULL);
  GDir *dir = g_dir_open (root, 0, NULL);
  const char *name;
  unsigned n_read = 0;

  CU_ASSERT_PTR_NOT_NULL_FATAL (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    for (int k = -1; k < 8; k++)
      {
        g_autofree char *rel = k < 0
          ? g_strdup_printf ("%s/weights.npy", name)
          : g_strdup_printf ("%s/expected/g%d.npy", name, k);
        g_autofree char *path = cm_test_data (rel);
        g_autoptr (GError) error = NULL;
        g_autoptr (CondmapArray) a = NULL;

        if (!g_file_test (path, G_FILE_TEST_EXISTS))
          continue;
        a = condmap_npy_read (path, &error);
        CM_ASSERT_NO_ERROR (error);
        CU_ASSERT_TRUE (condmap_array_get_n (a) > 0);
        n_read++;
      }
  g_dir_close (dir);
  CU_ASSERT_TRUE (n_read >= 30);
}

/* ---- writing --------------------------------------------------------------- */

/* Hidden files in @dir: the temporary files a failed write must not leave. */
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

/* An array of @dtype and shape filled with awkward bit patterns: signed
 * zeros, denormals, extremes, infinities and a NaN with a payload. */
static CondmapArray *
make_array (CondmapDtype dtype, unsigned rank, const size_t *shape)
{
  g_autoptr (GError) error = NULL;
  CondmapArray *a = condmap_array_new (dtype, rank, shape, &error);
  guchar *p = condmap_array_get_data (a);
  size_t n = condmap_array_get_n (a), esize = condmap_dtype_size (dtype);
  GRand *rand = g_rand_new_with_seed (42);

  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < n * esize; i++)
    p[i] = g_rand_int (rand) & 0xff;
  g_rand_free (rand);
  if (dtype == CONDMAP_DTYPE_FLOAT32 && n >= 4)
    memcpy (p, (float[]) { -0.0f, 1e-45f, -INFINITY, 3.4028235e38f }, 16);
  if (dtype == CONDMAP_DTYPE_FLOAT64 && n >= 4)
    memcpy (p, (double[]) { -0.0, 5e-324, INFINITY, 1.7976931348623157e308 },
            32);
  return a;
}

static void
round_trip (CondmapDtype dtype, unsigned rank, const size_t *shape)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) a = make_array (dtype, rank, shape);
  g_autoptr (CondmapArray) b = NULL;
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "rt.npy", NULL);
  g_autofree char *bytes = NULL;
  gsize len, offset;

  CU_ASSERT_TRUE (condmap_npy_write (path, a, &error));
  CM_ASSERT_NO_ERROR (error);
  b = read_ok (path, dtype, rank, shape);
  CU_ASSERT_TRUE (condmap_array_same_layout (a, b));
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (a),
                           condmap_array_peek_data (b),
                           condmap_array_get_n (a) * condmap_dtype_size (dtype)),
                   0);
  /* Format 1.0, data aligned to 64 bytes as NumPy aligns it. */
  g_file_get_contents (path, &bytes, &len, NULL);
  CU_ASSERT_EQUAL_FATAL (bytes[6], 1);
  offset = 10 + ((guchar) bytes[8] | (guchar) bytes[9] << 8);
  CU_ASSERT_EQUAL (offset % 64, 0);
  CU_ASSERT_EQUAL (bytes[offset - 1], '\n');
  CU_ASSERT_EQUAL (len, offset + condmap_array_get_n (a)
                        * condmap_dtype_size (dtype));
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);
}

static void
test_write_round_trip (void)
{
  for (CondmapDtype t = CONDMAP_DTYPE_FLOAT32; t <= CONDMAP_DTYPE_FLOAT64; t++)
    {
      round_trip (t, 0, NULL);
      round_trip (t, 1, (size_t[]) { 7 });
      round_trip (t, 2, (size_t[]) { 33, 17 });
      round_trip (t, 3, (size_t[]) { 2, 3, 4 });
      round_trip (t, 2, (size_t[]) { 0, 3 });
    }
}

static void
test_write_header_text (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) a =
    condmap_array_new (CONDMAP_DTYPE_FLOAT32, 2, (size_t[]) { 2, 3 }, &error);
  g_autoptr (CondmapArray) v =
    condmap_array_new (CONDMAP_DTYPE_FLOAT64, 1, (size_t[]) { 5 }, &error);
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "h.npy", NULL);
  g_autofree char *bytes = NULL;
  const char want[] = "{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (2, 3), }";
  const char want_v[] = "{'descr': '<f8', 'fortran_order': False, "
                        "'shape': (5,), }";

  CU_ASSERT_TRUE (condmap_npy_write (path, a, &error));
  g_file_get_contents (path, &bytes, NULL, NULL);
  CU_ASSERT_EQUAL (memcmp (bytes, "\x93NUMPY\x01\x00\x76\x00", 10), 0);
  CU_ASSERT_EQUAL (memcmp (bytes + 10, want, sizeof want - 1), 0);
  g_clear_pointer (&bytes, g_free);
  CU_ASSERT_TRUE (condmap_npy_write (path, v, &error));
  g_file_get_contents (path, &bytes, NULL, NULL);
  CU_ASSERT_EQUAL (memcmp (bytes + 10, want_v, sizeof want_v - 1), 0);
  CM_ASSERT_NO_ERROR (error);
}

/* A new file gets 0666 less the umask, like any other output. */
static void
test_write_mode (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) a = make_array (CONDMAP_DTYPE_FLOAT32, 0, NULL);
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "mode.npy", NULL);
  mode_t mask = umask (022);
  struct stat st;

  CU_ASSERT_TRUE (condmap_npy_write (path, a, &error));
  umask (mask);
  CU_ASSERT_EQUAL_FATAL (g_stat (path, &st), 0);
  CU_ASSERT_EQUAL (st.st_mode & 0777, 0644);
}

static void
test_write_no_dir (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) a = make_array (CONDMAP_DTYPE_FLOAT32, 0, NULL);
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "nodir", "x.npy", NULL);

  CU_ASSERT_FALSE (condmap_npy_write (path, a, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  CU_ASSERT_FALSE (g_file_test (path, G_FILE_TEST_EXISTS));
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);
}

/* root writes anywhere, so the refusal itself is checked only for others. */
static void
test_write_read_only_dir (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) a = make_array (CONDMAP_DTYPE_FLOAT32, 0, NULL);
  g_autofree char *dir = g_build_filename (cm_test_tmpdir, "ro", NULL);
  g_autofree char *path = g_build_filename (dir, "x.npy", NULL);
  gboolean ok;

  g_mkdir (dir, 0555);
  ok = condmap_npy_write (path, a, &error);
  if (geteuid () != 0)
    {
      CU_ASSERT_FALSE (ok);
      CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
    }
  g_clear_error (&error);
  CU_ASSERT_EQUAL (count_hidden (dir), 0);
  g_chmod (dir, 0755);
}

/* A write that fails half-way (here: the file size limit, as a full disk
 * would) is an error, and the previous file stays as it was. */
static void
test_write_fails_midway (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) small = make_array (CONDMAP_DTYPE_FLOAT32, 0, NULL);
  g_autoptr (CondmapArray) big =
    make_array (CONDMAP_DTYPE_FLOAT64, 2, (size_t[]) { 100, 100 });
  g_autofree char *path = g_build_filename (cm_test_tmpdir, "keep.npy", NULL);
  g_autoptr (CondmapArray) back = NULL;
  struct rlimit old, lim;
  gboolean ok;

  CU_ASSERT_TRUE_FATAL (condmap_npy_write (path, small, &error));
  getrlimit (RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 4096;
  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &lim);
  ok = condmap_npy_write (path, big, &error);
  setrlimit (RLIMIT_FSIZE, &old);
  signal (SIGXFSZ, SIG_DFL);
  CU_ASSERT_FALSE (ok);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  back = read_ok (path, CONDMAP_DTYPE_FLOAT32, 0, NULL);
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (back),
                           condmap_array_peek_data (small), 4), 0);
  CU_ASSERT_EQUAL (count_hidden (cm_test_tmpdir), 0);
}

/* Runs /usr/bin/python3 -c @script @arg; FALSE if numpy is not there. */
static gboolean
run_numpy (const char *script, const char *arg, int *status)
{
  const char *check[] = { "/usr/bin/python3", "-c", "import numpy", NULL };
  const char *argv[] = { "/usr/bin/python3", "-c", script, arg, NULL };
  int st = 1;

  if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &st, NULL) || st != 0)
    return FALSE;
  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL,
                       NULL, NULL, NULL, status, NULL);
}

/* NumPy itself reads what condmap writes, and the other way round. */
static void
test_numpy_cross_check (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) a =
    condmap_array_new (CONDMAP_DTYPE_FLOAT32, 2, (size_t[]) { 2, 3 }, &error);
  g_autofree char *mine = g_build_filename (cm_test_tmpdir, "mine.npy", NULL);
  g_autofree char *theirs = g_build_filename (cm_test_tmpdir, "theirs.npy", NULL);
  g_autofree char *theirs2 = g_strconcat (theirs, "2", NULL);
  g_autofree char *theirs3 = g_strconcat (theirs, "3", NULL);
  g_autoptr (CondmapArray) b = NULL, c = NULL, d = NULL;
  int status = -1;

  memcpy (condmap_array_get_data (a), (float[]) { 1, 2, 3, 4, 5, 6.5f }, 24);
  CU_ASSERT_TRUE_FATAL (condmap_npy_write (mine, a, &error));
  if (!run_numpy ("import numpy as np, sys\n"
                  "a = np.load(sys.argv[1])\n"
                  "assert a.dtype == np.float32 and a.flags.c_contiguous\n"
                  "assert a.tolist() == [[1, 2, 3], [4, 5, 6.5]]\n"
                  "t = sys.argv[1].replace('mine', 'theirs')\n"
                  "b = np.asfortranarray(np.arange(24.0).reshape(2, 3, 4))\n"
                  "np.save(t, b.astype('>f8'))\n"
                  "c = np.asfortranarray(np.arange(120.0).reshape(2, 3, 4, 5))\n"
                  "with open(t + '2', 'wb') as f:\n"
                  "  np.lib.format.write_array(f, c.astype('>f4'), (2, 0))\n"
                  "with open(t + '3', 'wb') as f:\n"
                  "  np.lib.format.write_array(f, np.float64(2.5), (3, 0))\n",
                  mine, &status))
    {
      g_print ("(skipped: /usr/bin/python3 with numpy not found) ");
      return;
    }
  CU_ASSERT_TRUE (g_spawn_check_wait_status (status, NULL));
  b = read_ok (theirs, CONDMAP_DTYPE_FLOAT64, 3, (size_t[]) { 2, 3, 4 });
  for (int i = 0; i < 24; i++)
    CU_ASSERT_EQUAL (((const double *) condmap_array_peek_data (b))[i], i);
  c = read_ok (theirs2, CONDMAP_DTYPE_FLOAT32, 4, (size_t[]) { 2, 3, 4, 5 });
  for (int i = 0; i < 120; i++)
    CU_ASSERT_EQUAL (((const float *) condmap_array_peek_data (c))[i], i);
  d = read_ok (theirs3, CONDMAP_DTYPE_FLOAT64, 0, NULL);
  CU_ASSERT_EQUAL (*(const double *) condmap_array_peek_data (d), 2.5);
}

/* Shapes print as NumPy prints them, in messages and .npy headers. */
static void
test_shape_to_string (void)
{
  const size_t shape[] = { 4096, 5, 3 };
  g_autofree char *r0 = condmap_shape_to_string (0, shape);
  g_autofree char *r1 = condmap_shape_to_string (1, shape + 1);
  g_autofree char *r3 = condmap_shape_to_string (3, shape);

  CU_ASSERT_STRING_EQUAL (r0, "()");
  CU_ASSERT_STRING_EQUAL (r1, "(5,)");
  CU_ASSERT_STRING_EQUAL (r3, "(4096, 5, 3)");
}

static void
add_write_suite (void)
{
  CU_pSuite s = CU_add_suite ("npy write", cm_test_tmpdir_init, cm_test_tmpdir_clean);

  CU_add_test (s, "round trip bit-exact", test_write_round_trip);
  CU_add_test (s, "header text", test_write_header_text);
  CU_add_test (s, "shape text", test_shape_to_string);
  CU_add_test (s, "file mode", test_write_mode);
  CU_add_test (s, "missing directory", test_write_no_dir);
  CU_add_test (s, "read-only directory", test_write_read_only_dir);
  CU_add_test (s, "failed write keeps the old file", test_write_fails_midway);
  CU_add_test (s, "numpy reads it and we read numpy", test_numpy_cross_check);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("array", NULL, NULL);
  CU_add_test (s, "new, zeroed, same layout", test_array_new);
  CU_add_test (s, "data aligned to 64 bytes", test_array_aligned);
  CU_add_test (s, "rank 0 and empty", test_array_edge_shapes);
  CU_add_test (s, "overflow, rank, dtype refused", test_array_refused);
  CU_add_test (s, "allocation failure is an error", test_array_too_big_to_allocate);

  s = CU_add_suite ("npy read", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "little-endian f4 and f8", test_read_le);
  CU_add_test (s, "big-endian f4 and f8", test_read_be);
  CU_add_test (s, "Fortran order 2-D", test_read_fortran_2d);
  CU_add_test (s, "Fortran order 3-D big-endian", test_read_fortran_3d_be);
  CU_add_test (s, "Fortran order rank 0 and 1", test_read_fortran_low_rank);
  CU_add_test (s, "ranks 4, 0 and empty", test_read_ranks);
  CU_add_test (s, "format 2.0 and 3.0", test_read_versions);
  CU_add_test (s, "header spellings", test_read_header_forms);
  CU_add_test (s, "trailing bytes ignored", test_read_trailing_bytes);
  CU_add_test (s, "conformance values", test_conformance_values);
  CU_add_test (s, "all conformance files", test_conformance_all);

  s = CU_add_suite ("npy read errors", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "missing file, directory", test_fail_io);
  CU_add_test (s, "empty, not .npy, truncated prefix", test_fail_not_npy);
  CU_add_test (s, "unsupported versions", test_fail_versions);
  CU_add_test (s, "header length beyond the file", test_fail_header_beyond_file);
  CU_add_test (s, "truncated data", test_fail_truncated_data);
  CU_add_test (s, "sizes: overflow, rank 33", test_fail_sizes);
  CU_add_test (s, "unsupported dtypes", test_fail_dtypes);
  CU_add_test (s, "malformed headers", test_fail_malformed_header);
  CU_add_test (s, "header messages stay UTF-8", test_fail_message_utf8);

  add_write_suite ();
  return cm_test_run ();
}
