/* test-sidecar.c - the params sidecar through the public API: the exact
 * layout written, bit-exact round trips of params, shape and config, and
 * every sidecar restore must refuse. */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

static CondmapRuntime *rt;

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

static gboolean
same_bits (double a, double b)
{
  return memcmp (&a, &b, sizeof a) == 0;
}

/* Writes a sidecar of @conv and reads it back. */
static CondmapSidecar *
write_read (const CondmapConverter *conv, CondmapDtype dtype, unsigned rank,
            const size_t *shape, const CondmapParams *params,
            const char *const *planes, const char *name)
{
  g_autofree char *path = tmp_path (name);
  g_autoptr (CondmapSidecar) out = condmap_sidecar_new (conv, dtype, rank,
                                                        shape, params, planes);
  GError *error = NULL;
  CondmapSidecar *in;

  CU_ASSERT_TRUE (condmap_sidecar_write (out, path, &error));
  CM_ASSERT_NO_ERROR (error);
  in = condmap_sidecar_read (path, &error);
  CM_ASSERT_NO_ERROR (error);
  return in;
}

static void
assert_shape (const CondmapSidecar *sc, unsigned rank, const size_t *shape)
{
  CU_ASSERT_EQUAL (condmap_sidecar_get_rank (sc), rank);
  for (unsigned i = 0; i < rank; i++)
    CU_ASSERT_EQUAL (condmap_sidecar_get_shape (sc)[i], shape[i]);
}

/* The layout condmap(1) documents (FILES, params.yaml), line for line. */
static void
test_layout (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: dual-pair\n"
                                                 "f_lst: [1.0, 3.0]\n");
  g_autoptr (CondmapParams) params = condmap_params_new ();
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autofree char *path = tmp_path ("layout.yaml");
  g_autofree char *text = NULL;
  const size_t shape[] = { 256, 784 };
  const char *planes[] = { "g_plus_0.npy", "g_minus_0.npy", "g_plus_1.npy",
                           "g_minus_1.npy", NULL };
  GError *error = NULL;

  condmap_params_set (params, "scale_ratio", (float) 30.46);
  sc = condmap_sidecar_new (conv, CONDMAP_DTYPE_FLOAT32, 2, shape, params,
                            planes);
  CU_ASSERT_TRUE (condmap_sidecar_write (sc, path, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &text, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (text,
    "format: condmap-params/1\n"
    "converter: dual-pair\n"
    "config: {g_min: 0, g_max: 25, f_lst: [1, 3]}\n"
    "shape: [256, 784]\n"
    "dtype: float32\n"
    "params: {scale_ratio: 30.4599991}\n"
    "planes: [g_plus_0.npy, g_minus_0.npy, g_plus_1.npy, g_minus_1.npy]\n");
}

static void
test_round_trip_f32 (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: dual-pair\n"
                                                 "f_lst: [1.0, 3.0]\n");
  g_autoptr (CondmapParams) params = condmap_params_new ();
  g_autoptr (CondmapSidecar) sc = NULL;
  const size_t shape[] = { 3, 3, 16, 32 };
  const char *planes[] = { "g_plus_0.npy", "g_minus_0.npy", "g_plus_1.npy",
                           "g_minus_1.npy", NULL };
  const float values[] = { 34.532432556152344f, 1.0f / 3.0f, 1e-38f,
                           3.4028235e38f, -0.1f };
  char name[16];

  for (unsigned i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_snprintf (name, sizeof name, "p%u", i);
      condmap_params_set (params, name, values[i]);
    }
  /* Not a float32 value: written in full rather than rounded. */
  condmap_params_set (params, "not_a_float", 0.1);
  /* Not a float32 value, but its 17 digits, "-12989.707", are also the 9
   * of the float -12989.70703125, which the reader would return (found by
   * fuzz-sidecar): written so that it reads back as itself. */
  condmap_params_set (params, "near_a_float", -12989.707);
  sc = write_read (conv, CONDMAP_DTYPE_FLOAT32, 4, shape, params, planes,
                   "f32.yaml");
  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  CU_ASSERT_STRING_EQUAL (condmap_sidecar_get_converter (sc), "dual-pair");
  CU_ASSERT_EQUAL (condmap_sidecar_get_dtype (sc), CONDMAP_DTYPE_FLOAT32);
  assert_shape (sc, 4, shape);
  CU_ASSERT_EQUAL (condmap_params_get_n (condmap_sidecar_get_params (sc)),
                   G_N_ELEMENTS (values) + 2);
  CU_ASSERT_TRUE (same_bits (condmap_params_get (
    condmap_sidecar_get_params (sc), "not_a_float"), 0.1));
  CU_ASSERT_TRUE (same_bits (condmap_params_get (
    condmap_sidecar_get_params (sc), "near_a_float"), -12989.707));
  for (unsigned i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_snprintf (name, sizeof name, "p%u", i);
      CU_ASSERT_TRUE (same_bits (condmap_params_get (
        condmap_sidecar_get_params (sc), name), values[i]));
    }
  CU_ASSERT_EQUAL (g_strv_length ((char **) condmap_sidecar_get_planes (sc)), 4);
  CU_ASSERT_STRING_EQUAL (condmap_sidecar_get_planes (sc)[3], "g_minus_1.npy");
}

static void
test_round_trip_f64 (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-device\n");
  g_autoptr (CondmapParams) params = condmap_params_new ();
  g_autoptr (CondmapSidecar) sc = NULL;
  const size_t shape[] = { 5 };
  const char *planes[] = { "g.csv", NULL };
  const double values[] = { 0.1, 1.0 / 3.0, 1e-300, 4.9406564584124654e-324,
                            1.7976931348623157e308, -0.0, -2.5e-17 };
  char name[16];

  for (unsigned i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_snprintf (name, sizeof name, "p%u", i);
      condmap_params_set (params, name, values[i]);
    }
  sc = write_read (conv, CONDMAP_DTYPE_FLOAT64, 1, shape, params, planes,
                   "f64.yaml");
  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  CU_ASSERT_EQUAL (condmap_sidecar_get_dtype (sc), CONDMAP_DTYPE_FLOAT64);
  assert_shape (sc, 1, shape);
  for (unsigned i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_snprintf (name, sizeof name, "p%u", i);
      CU_ASSERT_TRUE (same_bits (condmap_params_get (
        condmap_sidecar_get_params (sc), name), values[i]));
    }
}

/* A scalar (rank 0) is an array too: shape []. */
static void
test_round_trip_scalar (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair\n");
  g_autoptr (CondmapSidecar) sc = NULL;
  const char *planes[] = { "g_plus_0.npy", "g_minus_0.npy", NULL };

  sc = write_read (conv, CONDMAP_DTYPE_FLOAT32, 0, NULL, NULL, planes,
                   "scalar.yaml");
  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  CU_ASSERT_EQUAL (condmap_sidecar_get_rank (sc), 0);
  CU_ASSERT_EQUAL (condmap_params_get_n (condmap_sidecar_get_params (sc)), 0);
}

/* The converter recreated from the sidecar has the config it was written
 * with, to the bit: table, list, bounds and boolean. */
static void
test_config_round_trip (void)
{
  const char *yaml =
    "converter: custom-pair\n"
    "g_min: 0.789\n"
    "g_max: 3.123\n"
    "f_lst: [1.0]\n"
    "g_lst: [[0.789, 0.789, 0.789, 1.956, 3.123],\n"
    "        [3.123, 1.956, 0.789, 0.789, 0.789]]\n"
    "invertibility_test: false\n";
  g_autoptr (CondmapConverter) conv = converter (yaml);
  g_autoptr (CondmapConverter) again = NULL;
  g_autoptr (CondmapSidecar) sc = NULL;
  g_autofree char *want = condmap_converter_dup_config_yaml (conv);
  g_autofree char *got = NULL;
  const size_t shape[] = { 2, 2 };
  const char *planes[] = { "a.npy", "b.npy", NULL };
  GError *error = NULL;

  sc = write_read (conv, CONDMAP_DTYPE_FLOAT64, 2, shape, NULL, planes,
                   "custom.yaml");
  CU_ASSERT_PTR_NOT_NULL_FATAL (sc);
  again = condmap_sidecar_new_converter (sc, rt, &error);
  CM_ASSERT_NO_ERROR (error);
  got = condmap_converter_dup_config_yaml (again);
  CU_ASSERT_STRING_EQUAL (got, want);
  CU_ASSERT_TRUE (strstr (got, "invertibility_test: false") != NULL);
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_name (again), "custom-pair");
}

/* A sidecar made in memory recreates its converter too. */
static void
test_converter_from_new (void)
{
  g_autoptr (CondmapConverter) conv = converter ("converter: n-pair\n"
                                                 "f_lst: [1, 2, 4]\n"
                                                 "g_max: 40\n");
  g_autoptr (CondmapConverter) again = NULL;
  const size_t shape[] = { 4 };
  const char *planes[] = { "a", "b", "c", "d", "e", "f", NULL };
  g_autoptr (CondmapSidecar) sc =
    condmap_sidecar_new (conv, CONDMAP_DTYPE_FLOAT32, 1, shape, NULL, planes);
  g_autofree char *want = condmap_converter_dup_config_yaml (conv);
  g_autofree char *got = NULL;
  GError *error = NULL;

  again = condmap_sidecar_new_converter (sc, rt, &error);
  CM_ASSERT_NO_ERROR (error);
  got = condmap_converter_dup_config_yaml (again);
  CU_ASSERT_STRING_EQUAL (got, want);
  CU_ASSERT_EQUAL (condmap_converter_get_n_planes (again), 6);
}

/* Sidecar text with @planes as its plane list and @extra lines appended;
 * each key line can be replaced through @format..@params (NULL: the
 * default line, "" leaves the key out). */
typedef struct {
  const char *format, *converter, *config, *shape, *dtype, *params, *planes;
  const char *extra;
} Text;

static char *
sidecar_text (const Text *t)
{
  return g_strconcat (
    t->format ? t->format : "format: condmap-params/1\n",
    t->converter ? t->converter : "converter: single-pair\n",
    t->config ? t->config : "config: {g_min: 0, g_max: 25}\n",
    t->shape ? t->shape : "shape: [2, 3]\n",
    t->dtype ? t->dtype : "dtype: float32\n",
    t->params ? t->params : "params: {scale_ratio: 8.5}\n",
    t->planes ? t->planes : "planes: [g_plus_0.npy, g_minus_0.npy]\n",
    t->extra ? t->extra : "", NULL);
}

/* Reads @text as a sidecar; asserts it is refused with @code and that the
 * message names the file, the line @line (0: no line) and @needle. */
static void
assert_refused (const Text *t, CondmapError code, unsigned line,
                const char *needle)
{
  g_autofree char *path = tmp_path ("params.yaml");
  g_autofree char *text = sidecar_text (t);
  g_autofree char *where = g_strdup_printf ("%s:%u: ", path, line);
  g_autoptr (CondmapSidecar) sc = NULL;
  GError *error = NULL;

  CU_ASSERT_TRUE_FATAL (g_file_set_contents (path, text, -1, NULL));
  sc = condmap_sidecar_read (path, &error);
  CU_ASSERT_PTR_NULL (sc);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (line > 0 && !g_str_has_prefix (error->message, where))
    g_printerr ("\n  expected the message to start with '%s'", where);
  CU_ASSERT_TRUE (line == 0 || g_str_has_prefix (error->message, where));
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_printerr ("\n  expected '%s' in the message", needle);
  CU_ASSERT_TRUE (needle == NULL || strstr (error->message, needle) != NULL);
  CM_ASSERT_ERROR (error, code);
}

static void
test_refused_plane_names (void)
{
  static const char *const bad[] = {
    "planes: [../x.npy, g.npy]\n",
    "planes: [g.npy, /etc/x]\n",
    "planes: [a/b.npy, g.npy]\n",
    "planes: [., g.npy]\n",
    "planes: [g.npy, ..]\n",
    "planes: ['', g.npy]\n",
    "planes: ['a\\b.npy', g.npy]\n",
    "planes: [g.npy, g.npy]\n",
    "planes: [[g.npy], g.npy]\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_refused (&(Text) { .planes = bad[i] }, CONDMAP_ERROR_FORMAT, 7,
                    "plane");
  assert_refused (&(Text) { .planes = "planes: [\"a\\0b.npy\", g.npy]\n" },
                  CONDMAP_ERROR_FORMAT, 7, "NUL");
  assert_refused (&(Text) { .planes = "planes: []\n" }, CONDMAP_ERROR_FORMAT,
                  7, "planes");
  assert_refused (&(Text) { .planes = "planes: g.npy\n" },
                  CONDMAP_ERROR_FORMAT, 7, "planes");
}

static void
test_refused_format (void)
{
  assert_refused (&(Text) { .format = "format: condmap-params/3\n" },
                  CONDMAP_ERROR_FORMAT, 1,
                  "written by a newer condmap (format 3); this one reads up "
                  "to 2: upgrade condmap");
  /* Newer, with keys this reader cannot know: still "newer". */
  assert_refused (&(Text) { .format = "format: condmap-params/4\n",
                            .extra = "calibration: {}\n" },
                  CONDMAP_ERROR_FORMAT, 1, "newer");
  assert_refused (&(Text) { .format = "format: condmap-params/0\n" },
                  CONDMAP_ERROR_FORMAT, 1, "version");
  assert_refused (&(Text) { .format = "format: other/1\n" },
                  CONDMAP_ERROR_FORMAT, 1, "not a condmap params sidecar");
  assert_refused (&(Text) { .format = "" }, CONDMAP_ERROR_FORMAT, 1,
                  "'format' is missing");
}

static void
test_refused_missing (void)
{
  assert_refused (&(Text) { .converter = "" }, CONDMAP_ERROR_FORMAT, 1,
                  "'converter' is missing");
  assert_refused (&(Text) { .shape = "" }, CONDMAP_ERROR_FORMAT, 1,
                  "'shape' is missing");
  assert_refused (&(Text) { .dtype = "" }, CONDMAP_ERROR_FORMAT, 1,
                  "'dtype' is missing");
  assert_refused (&(Text) { .params = "" }, CONDMAP_ERROR_FORMAT, 1,
                  "'params' is missing");
  assert_refused (&(Text) { .planes = "" }, CONDMAP_ERROR_FORMAT, 1,
                  "'planes' is missing");
}

static void
test_refused_values (void)
{
  assert_refused (&(Text) { .dtype = "dtype: float16\n" },
                  CONDMAP_ERROR_FORMAT, 5, "float16");
  assert_refused (&(Text) { .dtype = "dtype: [float32]\n" },
                  CONDMAP_ERROR_FORMAT, 5, "dtype");
  assert_refused (&(Text) { .params = "params: {scale_ratio: .nan}\n" },
                  CONDMAP_ERROR_FORMAT, 6, "finite");
  assert_refused (&(Text) { .params = "params: {scale_ratio: -.inf}\n" },
                  CONDMAP_ERROR_FORMAT, 6, "finite");
  assert_refused (&(Text) { .params = "params: {scale_ratio: 1e999}\n" },
                  CONDMAP_ERROR_FORMAT, 6, "finite");
  assert_refused (&(Text) { .params = "params: {scale_ratio: '8.5'}\n" },
                  CONDMAP_ERROR_FORMAT, 6, "scale_ratio");
  assert_refused (&(Text) { .params = "params: [8.5]\n" },
                  CONDMAP_ERROR_FORMAT, 6, "params");
  assert_refused (&(Text) { .shape = "shape: [2, -3]\n" },
                  CONDMAP_ERROR_FORMAT, 4, "non-negative");
  assert_refused (&(Text) { .shape = "shape: [2.5]\n" },
                  CONDMAP_ERROR_FORMAT, 4, "integers");
  assert_refused (&(Text) { .shape = "shape: 6\n" },
                  CONDMAP_ERROR_FORMAT, 4, "shape");
  assert_refused (&(Text) { .shape = "shape: [99999999999999999999]\n" },
                  CONDMAP_ERROR_FORMAT, 4, "integers");
  assert_refused (&(Text) { .shape = "shape: [4294967296, 4294967296]\n" },
                  CONDMAP_ERROR_FORMAT, 4, "overflow");
  assert_refused (&(Text) { .shape = "shape: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1,"
                            " 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,"
                            " 1, 1, 1, 1, 1, 1, 1]\n" },
                  CONDMAP_ERROR_FORMAT, 4, "33 dimensions");
  assert_refused (&(Text) { .converter = "converter: [a, b]\n" },
                  CONDMAP_ERROR_FORMAT, 2, "converter");
  assert_refused (&(Text) { .config = "config: [1, 2]\n" },
                  CONDMAP_ERROR_FORMAT, 3, "mapping");
}

static void
test_refused_structure (void)
{
  assert_refused (&(Text) { .extra = "plane: [x.npy]\n" },
                  CONDMAP_ERROR_FORMAT, 8, "did you mean 'planes'");
  assert_refused (&(Text) { .extra = "comment: hello\n" },
                  CONDMAP_ERROR_FORMAT, 8, "unknown key 'comment'");
  /* Duplicate keys, anchors: the loader's rules, as FORMAT errors. */
  assert_refused (&(Text) { .extra = "dtype: float64\n" },
                  CONDMAP_ERROR_FORMAT, 8, NULL);
  assert_refused (&(Text) { .format = "- format\n", .converter = "",
                            .config = "", .shape = "", .dtype = "",
                            .params = "", .planes = "- x\n" },
                  CONDMAP_ERROR_FORMAT, 1, "mapping");
}

static void
test_refused_io (void)
{
  g_autofree char *path = tmp_path ("no-such-dir/params.yaml");
  g_autoptr (CondmapConverter) conv = converter ("converter: single-pair\n");
  g_autoptr (CondmapSidecar) sc = NULL;
  const char *bad_planes[] = { "../g.npy", "g.npy", NULL };
  g_autofree char *ok_path = tmp_path ("bad-names.yaml");
  GError *error = NULL;

  CU_ASSERT_PTR_NULL (condmap_sidecar_read (path, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
  sc = condmap_sidecar_new (conv, CONDMAP_DTYPE_FLOAT32, 0, NULL, NULL,
                            bad_planes);
  /* What read would refuse is not written. */
  CU_ASSERT_FALSE (condmap_sidecar_write (sc, ok_path, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (g_file_test (ok_path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&sc, condmap_sidecar_free);
  sc = condmap_sidecar_new (conv, CONDMAP_DTYPE_FLOAT32, 0, NULL, NULL,
                            bad_planes + 1);
  CU_ASSERT_FALSE (condmap_sidecar_write (sc, path, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_IO);
}

/* Read fine, but the converter cannot be recreated from it. */
static void
test_refused_converter (void)
{
  g_autofree char *path = tmp_path ("conv.yaml");
  const struct {
    Text text;
    CondmapError code;
  } cases[] = {
    { { .planes = "planes: [g.npy]\n" }, CONDMAP_ERROR_FORMAT },
    { { .converter = "converter: single-pear\n" },
      CONDMAP_ERROR_UNKNOWN_CONVERTER },
    { { .config = "config: {g_min: 0, gmax: 25}\n" },
      CONDMAP_ERROR_UNKNOWN_KEY },
    { { .config = "config: {g_min: 30, g_max: 25}\n" }, CONDMAP_ERROR_CONFIG },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = sidecar_text (&cases[i].text);
      g_autoptr (CondmapSidecar) sc = NULL;
      g_autoptr (CondmapConverter) conv = NULL;
      GError *error = NULL;

      CU_ASSERT_TRUE_FATAL (g_file_set_contents (path, text, -1, NULL));
      sc = condmap_sidecar_read (path, &error);
      CM_ASSERT_NO_ERROR (error);
      conv = condmap_sidecar_new_converter (sc, rt, &error);
      CU_ASSERT_PTR_NULL (conv);
      CU_ASSERT_PTR_NOT_NULL_FATAL (error);
      CU_ASSERT_TRUE (strstr (error->message, path) != NULL);
      CM_ASSERT_ERROR (error, cases[i].code);
    }
}

/* Found by fuzzing (tests/fuzz/regressions/sidecar/): a sidecar that was
 * read must be written so that it reads back the same.  A converter named
 * like a YAML null, and a null setting in the config, once came back as a
 * null converter and as a '!'-tagged scalar, both refused. */
static void
test_rewrite_reads_back (void)
{
  const char *text =
    "format: condmap-params/1\n"
    "converter: 'null'\n"
    "config: {g_min: , g_max: 25}\n"
    "shape: [2]\n"
    "dtype: float32\n"
    "params: {scale_ratio: 2}\n"
    "planes: [g_plus_0.npy, g_minus_0.npy]\n";
  g_autofree char *in = cm_test_write_file ("in.yaml", text, -1);
  g_autofree char *out = g_build_filename (cm_test_tmpdir, "out.yaml", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapSidecar) first = condmap_sidecar_read (in, &error);
  g_autoptr (CondmapSidecar) again = NULL;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (condmap_sidecar_write (first, out, &error));
  again = condmap_sidecar_read (out, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_STRING_EQUAL (condmap_sidecar_get_converter (again), "null");
  CU_ASSERT_EQUAL (condmap_sidecar_get_shape (again)[0], 2);
}

int
main (void)
{
  CU_pSuite suite;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  suite = CU_add_suite ("sidecar", suite_init, suite_clean);
  CU_add_test (suite, "the documented sidecar layout", test_layout);
  CU_add_test (suite, "float32 params bit-exact, 4-D shape", test_round_trip_f32);
  CU_add_test (suite, "float64 params bit-exact, 1-D shape", test_round_trip_f64);
  CU_add_test (suite, "a scalar: shape []", test_round_trip_scalar);
  CU_add_test (suite, "config read back to the bit", test_config_round_trip);
  CU_add_test (suite, "converter from a sidecar in memory", test_converter_from_new);
  CU_add_test (suite, "plane names outside OUTDIR refused", test_refused_plane_names);
  CU_add_test (suite, "format versions", test_refused_format);
  CU_add_test (suite, "missing keys", test_refused_missing);
  CU_add_test (suite, "bad values", test_refused_values);
  CU_add_test (suite, "unknown keys and structure", test_refused_structure);
  CU_add_test (suite, "files that cannot be read or written", test_refused_io);
  CU_add_test (suite, "converter not recreated", test_refused_converter);
  CU_add_test (suite, "a sidecar read is written to read back",
               test_rewrite_reads_back);
  return cm_test_run ();
}
