/* test-safetensors.c - safetensors checkpoints: reading the files
 * tests/make-safetensors.py wrote by hand, each way a header can be
 * broken (exact error code, and a message naming file and tensor), and
 * the writer: round trips, chunks in any order and from threads, and no
 * file left behind by a write that fails or is aborted. */
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

/* A checkpoint make-safetensors.py wrote in tests/safetensors/.  Free
 * with g_free(). */
static char *
st_data (const char *name)
{
  g_autofree char *rel = g_build_filename ("tests", "safetensors", name, NULL);

  return cm_test_path ("CONDMAP_SRC_DIR", rel);
}

/* A file of 8 bytes of header length, the header text and @data_len
 * bytes of data (0x5a). */
static char *
write_st (const char *name, const char *header, size_t data_len)
{
  size_t hlen = strlen (header);
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint64 n = GUINT64_TO_LE ((guint64) hlen);

  g_byte_array_append (b, (const guint8 *) &n, 8);
  g_byte_array_append (b, (const guint8 *) header, hlen);
  for (size_t i = 0; i < data_len; i++)
    g_byte_array_append (b, (const guint8 *) "\x5a", 1);
  return cm_test_write_file (name, b->data, b->len);
}

/* Opening @path must fail with @code, and the message must name the file
 * and hold @fragment. */
static void
open_fails (const char *path, CondmapError code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSafetensors) st = condmap_safetensors_open (path, &error);

  CU_ASSERT_PTR_NULL (st);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strstr (error->message, fragment) == NULL
      || strstr (error->message, path) == NULL)
    g_printerr ("\n    message lacks \"%s\" or the path: %s", fragment,
                error->message);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, fragment));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, path));
  CM_ASSERT_ERROR (error, code);
}

/* A header that must be refused with CONDMAP_ERROR_FORMAT. */
static void
header_fails (const char *header, size_t data_len, const char *fragment)
{
  g_autofree char *path = write_st ("bad.safetensors", header, data_len);

  open_fails (path, CONDMAP_ERROR_FORMAT, fragment);
}

#define ENTRY(name, dtype, shape, begin, end) \
  "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape \
  ",\"data_offsets\":[" #begin "," #end "]}"

static CondmapSafetensors *
open_ok (const char *path)
{
  g_autoptr (GError) error = NULL;
  CondmapSafetensors *st = condmap_safetensors_open (path, &error);

  CM_ASSERT_NO_ERROR (error);
  return st;
}

/* ---- reading ------------------------------------------------------------ */

/* mixed.safetensors as make-safetensors.py wrote it: tensors in the order
 * of their data (the header lists them by name), each dtype, rank 0 to 4,
 * an empty tensor, values at odd offsets, metadata. */
static void
test_read_mixed (void)
{
  static const struct {
    const char *name, *dtype;
    CondmapTensorDtype kind;
    unsigned rank;
    size_t shape[4], n, bytes, begin;
  } want[] = {
    { "embed.weight", "F32", CONDMAP_TENSOR_DTYPE_F32, 2, { 3, 4 }, 12, 48, 0 },
    { "flags", "BOOL", CONDMAP_TENSOR_DTYPE_OTHER, 1, { 3 }, 3, 3, 48 },
    { "layer1.weight", "F16", CONDMAP_TENSOR_DTYPE_F16, 4, { 2, 3, 2, 2 }, 24, 48, 51 },
    { "layer1.bias", "BF16", CONDMAP_TENSOR_DTYPE_BF16, 1, { 5 }, 5, 10, 99 },
    { "step", "I64", CONDMAP_TENSOR_DTYPE_OTHER, 0, { 0 }, 1, 8, 109 },
    { "table", "F64", CONDMAP_TENSOR_DTYPE_F64, 2, { 2, 2 }, 4, 32, 117 },
    { "ids", "U8", CONDMAP_TENSOR_DTYPE_OTHER, 1, { 4 }, 4, 4, 149 },
    { "empty", "F32", CONDMAP_TENSOR_DTYPE_F32, 2, { 0, 3 }, 0, 0, 153 },
    { "counts", "I64", CONDMAP_TENSOR_DTYPE_OTHER, 1, { 3 }, 3, 24, 153 },
  };
  g_autofree char *path = st_data ("mixed.safetensors");
  g_autoptr (CondmapSafetensors) st = open_ok (path);
  guint64 header_len = 0;
  CondmapTensorInfo t;

  CU_ASSERT_PTR_NOT_NULL_FATAL (st);
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_get_path (st), path);
  CU_ASSERT_EQUAL_FATAL (condmap_safetensors_get_n_tensors (st), 9);
  CU_ASSERT_TRUE_FATAL (condmap_safetensors_get_tensor (st, 0, &t));
  memcpy (&header_len, (const guchar *) t.data - t.offset, 8);
  header_len = GUINT64_FROM_LE (header_len);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      CU_ASSERT_TRUE_FATAL (condmap_safetensors_get_tensor (st, i, &t));
      CU_ASSERT_STRING_EQUAL (t.name, want[i].name);
      CU_ASSERT_STRING_EQUAL (t.dtype_name, want[i].dtype);
      CU_ASSERT_EQUAL (t.dtype, want[i].kind);
      CU_ASSERT_EQUAL_FATAL (t.rank, want[i].rank);
      for (unsigned j = 0; j < t.rank; j++)
        CU_ASSERT_EQUAL (t.shape[j], want[i].shape[j]);
      CU_ASSERT_EQUAL (t.n_elements, want[i].n);
      CU_ASSERT_EQUAL (t.n_bytes, want[i].bytes);
      CU_ASSERT_EQUAL (t.offset, 8 + header_len + want[i].begin);
      CU_ASSERT_EQUAL (condmap_safetensors_find (st, want[i].name), (gssize) i);
    }
  CU_ASSERT_FALSE (condmap_safetensors_get_tensor (st, 9, &t));
  CU_ASSERT_EQUAL (condmap_safetensors_find (st, "nope"), -1);
  CU_ASSERT_EQUAL (condmap_safetensors_find (st, "__metadata__"), -1);
  CU_ASSERT_EQUAL (condmap_safetensors_get_n_metadata (st), 2);
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_get_metadata_key (st, 0), "format");
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_get_metadata_value (st, 0), "pt");
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_get_metadata_key (st, 1), "note");
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_lookup_metadata (st, "note"),
                          "\xc3\xbc" "n\xc3\xaf" "code \xe2\x9c\x93");
  CU_ASSERT_PTR_NULL (condmap_safetensors_get_metadata_key (st, 2));
  CU_ASSERT_PTR_NULL (condmap_safetensors_lookup_metadata (st, "nope"));
}

/* The values, through the conversions, at the offsets they lie at. */
static void
test_read_values (void)
{
  g_autofree char *path = st_data ("mixed.safetensors");
  g_autoptr (CondmapSafetensors) st = open_ok (path);
  const float bias[5] = { 1.0f, -2.5f, 0.15625f, 65536.0f, -0.0078125f };
  const double table[4] = { M_PI, M_E, -1e300, 5e-324 };
  CondmapTensorInfo t;
  float f[24];
  double d[4];
  gint64 i64[3];

  CU_ASSERT_PTR_NOT_NULL_FATAL (st);
  condmap_safetensors_get_tensor (st, 0, &t);
  CU_ASSERT_TRUE (condmap_tensor_to_f32 (t.dtype, t.data, f, 12));
  for (int i = 0; i < 12; i++)
    CU_ASSERT_EQUAL (f[i], (i - 5) * 0.25f);
  condmap_safetensors_get_tensor (st, 1, &t);
  CU_ASSERT_EQUAL (memcmp (t.data, "\1\0\1", 3), 0);
  condmap_safetensors_get_tensor (st, 2, &t);   /* at an odd offset */
  CU_ASSERT_EQUAL (t.offset % 2, 1);
  CU_ASSERT_TRUE (condmap_tensor_to_f32 (t.dtype, t.data, f, 24));
  for (int i = 0; i < 24; i++)
    CU_ASSERT_EQUAL (f[i], (i - 12) / 8.0f);
  condmap_safetensors_get_tensor (st, 3, &t);
  CU_ASSERT_TRUE (condmap_tensor_to_f32 (t.dtype, t.data, f, 5));
  CU_ASSERT_EQUAL (memcmp (f, bias, sizeof bias), 0);
  condmap_safetensors_get_tensor (st, 5, &t);
  memcpy (d, t.data, 32);
  CU_ASSERT_EQUAL (memcmp (d, table, 32), 0);
  condmap_safetensors_get_tensor (st, 8, &t);
  memcpy (i64, t.data, 24);
  CU_ASSERT_EQUAL (GINT64_FROM_LE (i64[0]), -1);
  CU_ASSERT_EQUAL (GINT64_FROM_LE (i64[1]), G_GINT64_CONSTANT (1) << 40);
  /* Released pages are read again from the file. */
  condmap_safetensors_get_tensor (st, 0, &t);
  condmap_safetensors_release (st, 0);
  CU_ASSERT_TRUE (condmap_tensor_to_f32 (t.dtype, t.data, f, 12));
  CU_ASSERT_EQUAL (f[11], 1.5f);
}

/* Headers as other writers make them: unpadded, spaced, entries with
 * members this reader does not know, "__metadata__": null, no tensor. */
static void
test_read_forms (void)
{
  g_autofree char *a = write_st ("a.st", "{ " ENTRY ("w", "F32", "[ 2 ]", 0, 8)
                                 " , \"__metadata__\" : null }\n\t ", 8);
  g_autofree char *b = write_st ("b.st", "{\"w\":{\"extra\":[{\"x\":1}],"
                                 "\"data_offsets\":[0,2],\"shape\":[2],"
                                 "\"dtype\":\"U8\"}}", 2);
  g_autofree char *c = write_st ("c.st", "{}", 0);
  g_autofree char *d = write_st ("d.st", "{" ENTRY ("x", "F4", "[3,2]", 0, 3)
                                 "," ENTRY ("e\\ud83d\\ude00", "F4", "[0]",
                                            3, 3) "}", 3);
  g_autoptr (CondmapSafetensors) sa = open_ok (a), sb = open_ok (b),
                                 sc = open_ok (c), sd = open_ok (d);
  CondmapTensorInfo t;

  CU_ASSERT_PTR_NOT_NULL_FATAL (sa);
  CU_ASSERT_PTR_NOT_NULL_FATAL (sb);
  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  CU_ASSERT_PTR_NOT_NULL_FATAL (sd);
  CU_ASSERT_EQUAL (condmap_safetensors_get_n_tensors (sa), 1);
  CU_ASSERT_EQUAL (condmap_safetensors_get_n_metadata (sa), 0);
  CU_ASSERT_TRUE (condmap_safetensors_get_tensor (sb, 0, &t));
  CU_ASSERT_STRING_EQUAL (t.dtype_name, "U8");
  CU_ASSERT_EQUAL (condmap_safetensors_get_n_tensors (sc), 0);
  CU_ASSERT_TRUE (condmap_safetensors_get_tensor (sd, 0, &t));
  CU_ASSERT_EQUAL (t.n_bytes, 3);   /* 6 elements of 4 bits */
  CU_ASSERT_EQUAL (t.dtype, CONDMAP_TENSOR_DTYPE_OTHER);
  CU_ASSERT_EQUAL (condmap_safetensors_find (sd, "e\xf0\x9f\x98\x80"), 1);
}

static void
test_dtype_names (void)
{
  CU_ASSERT_EQUAL (condmap_tensor_dtype_bits ("F32"), 32);
  CU_ASSERT_EQUAL (condmap_tensor_dtype_bits ("BF16"), 16);
  CU_ASSERT_EQUAL (condmap_tensor_dtype_bits ("BOOL"), 8);
  CU_ASSERT_EQUAL (condmap_tensor_dtype_bits ("F4"), 4);
  CU_ASSERT_EQUAL (condmap_tensor_dtype_bits ("f32"), 0);
  CU_ASSERT_EQUAL (condmap_tensor_dtype_bits (NULL), 0);
  CU_ASSERT_EQUAL (condmap_tensor_dtype_from_name ("BF16"),
                   CONDMAP_TENSOR_DTYPE_BF16);
  CU_ASSERT_EQUAL (condmap_tensor_dtype_from_name ("I64"),
                   CONDMAP_TENSOR_DTYPE_OTHER);
  CU_ASSERT_STRING_EQUAL (condmap_tensor_dtype_name (CONDMAP_TENSOR_DTYPE_F16),
                          "F16");
  CU_ASSERT_PTR_NULL (condmap_tensor_dtype_name (CONDMAP_TENSOR_DTYPE_OTHER));
}

/* ---- bad files ---------------------------------------------------------- */

static void
test_fail_file (void)
{
  g_autofree char *missing = g_build_filename (cm_test_tmpdir, "no.st", NULL);
  g_autofree char *tiny = cm_test_write_file ("tiny.st", "{}\0\0", 4);
  g_autofree char *npy = cm_test_write_file ("x.npy", "\x93NUMPY\x01\0v\0", 10);
  g_autofree char *past = cm_test_write_file ("past.st",
                                              "\x10\0\0\0\0\0\0\0{}", 10);
  g_autofree char *huge = cm_test_write_file ("huge.st",
                                              "\0\0\0\0\0\1\0\0{}", 10);

  open_fails (missing, CONDMAP_ERROR_IO, "cannot open");
  open_fails (cm_test_tmpdir, CONDMAP_ERROR_IO, "cannot read");
  open_fails (tiny, CONDMAP_ERROR_FORMAT, "holds 4 bytes, too few");
  open_fails (npy, CONDMAP_ERROR_FORMAT, "NumPy .npy file");
  open_fails (past, CONDMAP_ERROR_FORMAT, "16, runs past the end of the file");
  open_fails (huge, CONDMAP_ERROR_FORMAT, "implausibly large");
}

/* Text that is not JSON, or JSON that json-glib would take but others
 * refuse (or json-glib would read otherwise). */
static void
test_fail_json (void)
{
  guchar nul_byte[] = "\x03\0\0\0\0\0\0\0{\0}";
  g_autofree char *nul2 = cm_test_write_file ("nul2.st", nul_byte, 11);
  g_autofree char *deep = g_strnfill (17, '[');

  header_fails ("", 0, "the safetensors header is empty (0 bytes");
  header_fails ("   ", 0, "the safetensors header is empty (3 bytes");
  header_fails ("{\"a\": }", 0, "malformed JSON in the safetensors header, line 1");
  header_fails ("{\"a\":1,}", 0, "malformed JSON");
  header_fails ("{'w': 1}", 0, "strings take double quotes");
  header_fails ("{} /* c */", 0, "JSON has no comments");
  header_fails ("{\"w\":{\"shape\":[010]}}", 0, "leading zero");
  header_fails ("{\"w\":{\"shape\":[0x10]}}", 0, "neither hexadecimal");
  header_fails ("{} {}", 0, "a second JSON value");
  header_fails ("var x = {}", 0, "'var' is not a JSON value");
  header_fails ("{\"a\xff\":1}", 0, "not UTF-8 text (invalid UTF-8 at byte 3)");
  open_fails (nul2, CONDMAP_ERROR_FORMAT, "not UTF-8 text (a NUL at byte 1)");
  header_fails ("{\"a\tb\":1}", 0, "a control character (0x09)");
  header_fails ("{\"a\\qb\":1}", 0, "unknown escape");
  header_fails ("{\"a\\u12\":1}", 0, "4 hexadecimal digits");
  header_fails (deep, 0, "nesting deeper than 16 levels");
  header_fails ("[1]", 0, "the safetensors header is a list, not a JSON object");
  header_fails ("\"x\"", 0, "the safetensors header is a string, not a JSON object");
}

static void
test_fail_entries (void)
{
  header_fails ("{\"w\":5}", 0, "tensor 'w': its entry is the integer 5, not an object");
  header_fails ("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                "tensor 'w': its entry has no \"dtype\"");
  header_fails ("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4,
                "tensor 'w': its entry has no \"shape\"");
  header_fails ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4,
                "tensor 'w': its entry has no \"data_offsets\"");
  header_fails ("{\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                "tensor 'w': \"dtype\" is the integer 5, not a string");
  header_fails ("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4,
                "tensor 'w': \"shape\" is a string, not a list");
  header_fails ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{}}}", 4,
                "tensor 'w': \"data_offsets\" is an object, not a list");
  header_fails ("{" ENTRY ("w", "F32", "[1.5]", 0, 4) "}", 4,
                "tensor 'w': dimension 0 of the shape is the number 1.5, not an integer");
  header_fails ("{" ENTRY ("w", "F32", "[2,null]", 0, 4) "}", 4,
                "tensor 'w': dimension 1 of the shape is null");
  header_fails ("{" ENTRY ("w", "F32", "[-1]", 0, 4) "}", 4,
                "tensor 'w': dimension 0 of the shape is negative or too large");
  header_fails ("{" ENTRY ("w", "F32", "[18446744073709551617]", 0, 4) "}", 4,
                "tensor 'w': dimension 0 of the shape is negative or too large");
  header_fails ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
                "tensor 'w': \"data_offsets\" must be two integers");
  header_fails ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}}", 4,
                "tensor 'w': \"data_offsets\" must be two integers");
  header_fails ("{" ENTRY ("w", "F32", "[1]", -4, 0) "}", 4,
                "tensor 'w': \"data_offsets\" must be two integers");
  header_fails ("{" ENTRY ("w", "F31", "[1]", 0, 4) "}", 4,
                "tensor 'w': unknown dtype 'F31'");
  header_fails ("{" ENTRY ("w", "f32", "[1]", 0, 4) "}", 4,
                "tensor 'w': unknown dtype 'f32'");
  header_fails ("{" ENTRY ("w", "F32", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                           "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", 0, 4) "}", 4,
                "tensor 'w': the shape has 33 dimensions");
  header_fails ("{" ENTRY ("w", "F4", "[3]", 0, 2) "}", 2,
                "tensor 'w': 3 elements of F4 (4 bits each) do not fill whole bytes");
  header_fails ("{\"__metadata__\":[],\"w\":1}", 0,
                "\"__metadata__\" is a list, not an object of strings");
  header_fails ("{\"__metadata__\":{\"k\":1}}", 0,
                "metadata 'k' is the integer 1; safetensors metadata maps strings");
}

/* Sizes that do not add up. */
static void
test_fail_sizes (void)
{
  header_fails ("{" ENTRY ("big", "F32", "[4294967296,4294967296]", 0, 8) "}", 8,
                "tensor 'big': shape (4294967296, 4294967296) of F32 is too large");
  /* The whole shape is shown, also when the product overflows before its
   * last dimension. */
  header_fails ("{" ENTRY ("big", "F32", "[4294967296,4294967296,3]", 0, 8) "}",
                8, "tensor 'big': shape (4294967296, 4294967296, 3) of F32 is "
                "too large");
  header_fails ("{" ENTRY ("w", "F64", "[3]", 0, 24) "}", 16,
                "tensor 'w': data offsets [0, 24] run past the end of the file, "
                "which holds 16 bytes");
  header_fails ("{" ENTRY ("w", "F32", "[1]", 9223372036854775807,
                           9223372036854775807) "}", 4,
                "tensor 'w': data offsets [9223372036854775807, "
                "9223372036854775807] run past the end");
  header_fails ("{" ENTRY ("w", "F32", "[0]", 4, 0) "}", 4,
                "tensor 'w': data offsets [4, 0] end before they begin");
  header_fails ("{" ENTRY ("w", "F32", "[3]", 0, 8) "}", 8,
                "tensor 'w': data offsets [0, 8] span 8 bytes, but shape (3,) of "
                "F32 takes 12");
  header_fails ("{" ENTRY ("a", "F32", "[2]", 0, 8) ","
                ENTRY ("b", "F32", "[1]", 4, 8) "}", 8,
                "tensor 'b': its data [4, 8) overlaps that of tensor 'a' [0, 8)");
  header_fails ("{" ENTRY ("a", "F32", "[2]", 0, 8) ","
                ENTRY ("z", "F32", "[0]", 4, 4) "}", 8,
                "tensor 'z': its data [4, 4) overlaps that of tensor 'a'");
  header_fails ("{" ENTRY ("a", "F32", "[1]", 0, 4) ","
                ENTRY ("b", "F32", "[1]", 8, 12) "}", 12,
                "tensor 'b': its data starts at byte 8 but the tensors before it "
                "end at byte 4");
  header_fails ("{" ENTRY ("a", "F32", "[1]", 4, 8) "}", 8,
                "tensor 'a': its data starts at byte 4");
  header_fails ("{" ENTRY ("a", "F32", "[1]", 0, 4) "}", 6,
                "the tensors' data ends at byte 4 but the file holds 6 bytes "
                "after the header");
}

/* Names and keys json-glib would merge or cut. */
static void
test_fail_names (void)
{
  header_fails ("{" ENTRY ("w", "F32", "[1]", 0, 4) ","
                ENTRY ("w", "F32", "[1]", 4, 8) "}", 8,
                "tensor 'w': the name appears twice in the header");
  header_fails ("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],"
                "\"data_offsets\":[0,4]}}", 4,
                "tensor 'w': key 'dtype' appears twice in its entry");
  header_fails ("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0,
                "metadata key 'k' appears twice in \"__metadata__\"");
  header_fails ("{\"__metadata__\":{},\"__metadata__\":{}}", 0,
                "\"__metadata__\" appears twice in the header");
  header_fails ("{" ENTRY ("w\\u0000x", "F32", "[1]", 0, 4) "}", 4,
                "a NUL character (\\u0000) inside a string");
  header_fails ("{" ENTRY ("\\udc00x", "F32", "[1]", 0, 4) "}", 4,
                "\\udc00, the second half of a UTF-16 surrogate pair, without "
                "the first");
  header_fails ("{" ENTRY ("\\ud83dx", "F32", "[1]", 0, 4) "}", 4,
                "\\ud83d, the first half of a UTF-16 surrogate pair, without "
                "the second");
  header_fails ("{\"\\ud83d\\u0041\":1}", 0, "without the second");
  header_fails ("{" ENTRY ("a\\nb", "F32", "[1]", 0, 8) "}", 8,
                "tensor 'a\\x0ab': data offsets [0, 8] span 8 bytes");
}

/* The writer and the round trips are in test-safetensors-write.c's half
 * of this program. */
void cm_test_add_write_suite (void);

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("read", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "mixed dtypes, ranks 0 to 4, metadata", test_read_mixed);
  CU_add_test (s, "values at odd offsets", test_read_values);
  CU_add_test (s, "other writers' forms", test_read_forms);
  CU_add_test (s, "dtype names", test_dtype_names);
  s = CU_add_suite ("read errors", cm_test_tmpdir_init, cm_test_tmpdir_clean);
  CU_add_test (s, "missing, short, .npy, header length", test_fail_file);
  CU_add_test (s, "not JSON, or not strict JSON", test_fail_json);
  CU_add_test (s, "entries: members, types, dtypes", test_fail_entries);
  CU_add_test (s, "sizes, offsets, overlaps, gaps", test_fail_sizes);
  CU_add_test (s, "duplicates, NUL, bad UTF-8", test_fail_names);
  cm_test_add_write_suite ();
  return cm_test_run ();
}
