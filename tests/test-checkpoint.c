/* test-checkpoint.c - whole checkpoints through the public API: a model
 * built here with mixed dtypes (F32, F16, BF16, F64, I64, U8), rank 0, 1,
 * 2 and 4, a misaligned tensor, metadata and skip rules.  Each converted
 * tensor's planes are bit-identical to converting that tensor alone;
 * restore gives F32 back within the round-trip tolerance and F16/BF16
 * bit for bit; measured planes are used, wrong ones refused; npy planes
 * stay inside OUTDIR; check reports every tensor; the record is read
 * strictly. */
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <CUnit/CUnit.h>
#include "test-util.h"

static CondmapRuntime *rt;
static char *model;

static const char recipe_yaml[] =
  "format: condmap-recipe/1\n"
  "default: {converter: dual-pair, f_lst: [1.0, 3.0]}\n"
  "rules:\n"
  "  - {match: \"head.*\", skip: true}\n"
  "  - {match: \"vec\", config: {converter: single-pair, g_max: 20}}\n"
  "  - {match: \"nothing.*\", skip: true}\n";

typedef struct {
  const char *name;
  const char *dtype;
  unsigned rank;
  size_t shape[4];
  gboolean converted;
} Spec;

/* In data order.  "flags" (3 bytes) leaves "mis.weight" misaligned. */
static const Spec specs[] = {
  { "enc.conv.weight", "F32", 4, { 3, 2, 2, 5 }, TRUE },
  { "enc.conv.bias", "F32", 1, { 3 }, FALSE },
  { "enc.fc.weight", "F16", 2, { 6, 7 }, TRUE },
  { "dec.fc.weight", "BF16", 2, { 5, 4 }, TRUE },
  { "dec.proj.weight", "F64", 2, { 4, 3 }, TRUE },
  { "head.weight", "F32", 2, { 2, 9 }, FALSE },
  { "vec", "F32", 1, { 10 }, TRUE },
  { "flags", "U8", 1, { 3 }, FALSE },
  { "mis.weight", "F32", 2, { 4, 4 }, TRUE },
  { "step", "I64", 0, { 0 }, FALSE },
};

static size_t
spec_n (const Spec *s)
{
  size_t n = 1;

  for (unsigned i = 0; i < s->rank; i++)
    n *= s->shape[i];
  return n;
}

/* Irregular values in [-1, 1], as float32, stored in the spec's dtype. */
static guchar *
spec_data (const Spec *s, size_t index, size_t *len)
{
  size_t n = spec_n (s);
  unsigned bits = condmap_tensor_dtype_bits (s->dtype);
  CondmapTensorDtype d = condmap_tensor_dtype_from_name (s->dtype);
  g_autofree float *f = g_new (float, n);
  guchar *out;

  *len = n * bits / 8;
  out = g_malloc0 (*len + 1);
  for (size_t i = 0; i < n; i++)
    f[i] = (float) ((double) ((i * 37 + index * 11) % 101) / 50.0 - 1.0);
  if (d != CONDMAP_TENSOR_DTYPE_OTHER)
    condmap_tensor_from_f32 (d, f, out, n);
  else
    for (size_t i = 0; i < *len; i++)
      out[i] = (guchar) (i * 7 + 1);
  return out;
}

/* Writes the model @name in the test directory; NULL (the error printed)
 * if it cannot.  Free with g_free(). */
static char *
write_model (const char *name, const Spec *list, size_t n_specs)
{
  g_autofree char *path = g_build_filename (cm_test_tmpdir, name, NULL);
  g_autoptr (GError) error = NULL;
  CondmapSafetensorsWriter *w = condmap_safetensors_writer_new (path, &error);
  gboolean ok = w != NULL;

  for (size_t i = 0; ok && i < n_specs; i++)
    ok = condmap_safetensors_writer_add (w, list[i].name, list[i].dtype,
                                         list[i].rank, list[i].shape, &error);
  ok = ok && condmap_safetensors_writer_set_metadata (w, "format", "pt",
                                                      &error)
       && condmap_safetensors_writer_set_metadata (w, "note",
                                                   "made by a test", &error)
       && condmap_safetensors_writer_begin (w, &error);
  for (size_t i = 0; ok && i < n_specs; i++)
    {
      size_t len;
      g_autofree guchar *data = spec_data (&list[i], i, &len);

      ok = condmap_safetensors_writer_write (w, i, 0, data, len, &error);
    }
  if (!ok)
    {
      g_printerr ("cannot write %s: %s\n", path, error->message);
      condmap_safetensors_writer_abort (w);
      return NULL;
    }
  if (!condmap_safetensors_writer_commit (w, &error))
    {
      g_printerr ("cannot write %s: %s\n", path, error->message);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static int
suite_init (void)
{
  rt = cm_test_runtime ();
  if (cm_test_tmpdir_init () != 0)
    return 1;
  model = write_model ("model.safetensors", specs, G_N_ELEMENTS (specs));
  return model == NULL;
}

static int
suite_clean (void)
{
  g_clear_pointer (&model, g_free);
  g_clear_pointer (&rt, condmap_runtime_unref);
  return cm_test_tmpdir_clean ();
}

static CondmapRecipe *
recipe_new (void)
{
  GError *error = NULL;
  CondmapRecipe *r = condmap_recipe_new_from_yaml (rt, recipe_yaml, -1,
                                                   "recipe.yaml", &error);

  CM_ASSERT_NO_ERROR (error);
  return r;
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (cm_test_tmpdir, name, NULL);
}

static char *
convert (const char *name, CondmapCheckpointFlags flags,
         CondmapTensorDtype plane_dtype)
{
  g_autoptr (CondmapRecipe) recipe = recipe_new ();
  char *out = tmp_path (name);
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_checkpoint_convert (recipe, model, out, flags,
                                              plane_dtype, NULL, NULL,
                                              &error));
  CM_ASSERT_NO_ERROR (error);
  return out;
}

static CondmapSafetensors *
open_st (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  GError *error = NULL;
  CondmapSafetensors *st = condmap_safetensors_open (path, &error);

  CM_ASSERT_NO_ERROR (error);
  return st;
}

/* The planes of converting tensor @t alone, in its compute dtype. */
static GPtrArray *
planes_alone (const CondmapConverter *conv, const CondmapTensorInfo *t)
{
  gboolean f64 = t->dtype == CONDMAP_TENSOR_DTYPE_F64;
  size_t esize = f64 ? 8 : 4;
  g_autofree void *w = g_malloc (t->n_elements * esize);
  unsigned K = condmap_converter_get_n_planes (conv);
  GPtrArray *planes = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  if (f64)
    memcpy (w, t->data, t->n_elements * 8);
  else
    condmap_tensor_to_f32 (t->dtype, t->data, w, t->n_elements);
  for (unsigned k = 0; k < K; k++)
    g_ptr_array_add (planes, g_malloc (t->n_elements * esize));
  condmap_converter_to_conductances (conv, f64 ? CONDMAP_DTYPE_FLOAT64
                                               : CONDMAP_DTYPE_FLOAT32,
                                     w, t->n_elements, planes->pdata, NULL,
                                     &error);
  CM_ASSERT_NO_ERROR (error);
  return planes;
}

static void
test_planes_bit_identical (void)
{
  g_autofree char *out = convert ("planes", 0, CONDMAP_TENSOR_DTYPE_OTHER);
  g_autoptr (CondmapSafetensors) in = open_st (cm_test_tmpdir,
                                               "model.safetensors");
  g_autoptr (CondmapSafetensors) planes = open_st (out, "planes.safetensors");
  g_autoptr (CondmapSafetensors) pass = open_st (out,
                                                 "passthrough.safetensors");
  g_autoptr (CondmapRecipe) recipe = recipe_new ();
  size_t n_planes = 0;

  CU_ASSERT_EQUAL_FATAL (condmap_safetensors_get_n_tensors (in),
                         G_N_ELEMENTS (specs));
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      CondmapTensorInfo t, p;
      const CondmapConverter *conv;

      condmap_safetensors_get_tensor (in, i, &t);
      conv = condmap_recipe_choose (recipe, t.name, t.rank,
                                    t.dtype != CONDMAP_TENSOR_DTYPE_OTHER,
                                    NULL);
      CU_ASSERT_EQUAL (conv != NULL, specs[i].converted);
      if (!specs[i].converted)
        {
          gssize j = condmap_safetensors_find (pass, t.name);

          CU_ASSERT_TRUE_FATAL (j >= 0);
          condmap_safetensors_get_tensor (pass, j, &p);
          CU_ASSERT_STRING_EQUAL (p.dtype_name, t.dtype_name);
          CU_ASSERT_EQUAL (p.n_bytes, t.n_bytes);
          CU_ASSERT_EQUAL (memcmp (p.data, t.data, t.n_bytes), 0);
          continue;
        }
      CU_ASSERT_EQUAL (condmap_safetensors_find (pass, t.name), -1);
      {
        g_autoptr (GPtrArray) alone = planes_alone (conv, &t);

        for (unsigned k = 0; k < alone->len; k++)
          {
            g_autofree char *name = g_strdup_printf ("%s:%s", t.name,
              condmap_converter_get_plane_name (conv, k));
            gssize j = condmap_safetensors_find (planes, name);

            CU_ASSERT_TRUE_FATAL (j >= 0);
            condmap_safetensors_get_tensor (planes, j, &p);
            CU_ASSERT_STRING_EQUAL (p.dtype_name,
                                    t.dtype == CONDMAP_TENSOR_DTYPE_F64
                                    ? "F64" : "F32");
            CU_ASSERT_EQUAL (p.rank, t.rank);
            CU_ASSERT_EQUAL (memcmp (p.shape, t.shape,
                                     t.rank * sizeof (size_t)), 0);
            if (memcmp (p.data, alone->pdata[k], p.n_bytes) != 0)
              g_printerr ("\n    plane %s differs", name);
            CU_ASSERT_EQUAL (memcmp (p.data, alone->pdata[k], p.n_bytes), 0);
            n_planes++;
          }
      }
    }
  /* dual-pair (4 planes) x 5, single-pair (2) x 1 */
  CU_ASSERT_EQUAL (n_planes, 4 * 5 + 2);
  CU_ASSERT_EQUAL (condmap_safetensors_get_n_tensors (planes), n_planes);
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_lookup_metadata (pass, "note"),
                          "made by a test");
}

static double
value (const CondmapTensorInfo *t, size_t i)
{
  float f;
  double d;

  if (t->dtype == CONDMAP_TENSOR_DTYPE_F64)
    {
      memcpy (&d, (const guchar *) t->data + 8 * i, 8);
      return d;
    }
  condmap_tensor_to_f32 (t->dtype, (const guchar *) t->data
                         + i * condmap_tensor_dtype_bits (t->dtype_name) / 8,
                         &f, 1);
  return f;
}

/* @restored against the model: names in order, dtypes, shapes, metadata;
 * F16/BF16/pass-through bytes equal; F32/F64 within the tolerance of
 * max |w| (times @sign: -1 for a tensor whose planes were swapped). */
static void
check_restored (const char *restored, const char *negated)
{
  g_autoptr (CondmapSafetensors) in = open_st (cm_test_tmpdir,
                                               "model.safetensors");
  g_autoptr (CondmapSafetensors) back = open_st (cm_test_tmpdir, restored);

  CU_ASSERT_EQUAL_FATAL (condmap_safetensors_get_n_tensors (back),
                         G_N_ELEMENTS (specs));
  CU_ASSERT_EQUAL (condmap_safetensors_get_n_metadata (back), 2);
  CU_ASSERT_STRING_EQUAL (condmap_safetensors_lookup_metadata (back,
                                                               "format"),
                          "pt");
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      CondmapTensorInfo a, b;
      double max_w = 0, max_err = 0;
      double sign = negated && strcmp (specs[i].name, negated) == 0 ? -1 : 1;

      condmap_safetensors_get_tensor (in, i, &a);
      condmap_safetensors_get_tensor (back, i, &b);
      CU_ASSERT_STRING_EQUAL (a.name, b.name);
      CU_ASSERT_STRING_EQUAL (a.dtype_name, b.dtype_name);
      CU_ASSERT_EQUAL_FATAL (a.rank, b.rank);
      CU_ASSERT_EQUAL (memcmp (a.shape, b.shape, a.rank * sizeof (size_t)),
                       0);
      CU_ASSERT_EQUAL_FATAL (a.n_bytes, b.n_bytes);
      if (a.dtype != CONDMAP_TENSOR_DTYPE_F32
          && a.dtype != CONDMAP_TENSOR_DTYPE_F64 && sign > 0)
        {
          CU_ASSERT_EQUAL (memcmp (a.data, b.data, a.n_bytes), 0);
          continue;
        }
      if (a.dtype == CONDMAP_TENSOR_DTYPE_OTHER)
        continue;
      for (size_t j = 0; j < a.n_elements; j++)
        {
          max_w = MAX (max_w, fabs (value (&a, j)));
          max_err = MAX (max_err, fabs (sign * value (&a, j)
                                        - value (&b, j)));
        }
      CU_ASSERT_TRUE (max_err <= CONDMAP_ROUND_TRIP_TOLERANCE * max_w);
      if (!specs[i].converted)
        CU_ASSERT_EQUAL (memcmp (a.data, b.data, a.n_bytes), 0);
    }
}

static void
test_restore (void)
{
  g_autofree char *out = convert ("restore", 0, CONDMAP_TENSOR_DTYPE_OTHER);
  g_autofree char *restored = tmp_path ("restored.safetensors");
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_checkpoint_restore (rt, out, restored, NULL, NULL,
                                              &error));
  CM_ASSERT_NO_ERROR (error);
  check_restored ("restored.safetensors", NULL);
}

/* Rewrites OUTDIR/planes.safetensors with every tensor as it is, except
 * tensor @a and @b, swapped, or (if @b is NULL) @a declared with @dtype
 * and @rank/@shape and zero data. */
static void
rewrite_planes (const char *dir, const char *a, const char *b,
                const char *dtype, unsigned rank, const size_t *shape)
{
  g_autofree char *path = g_build_filename (dir, "planes.safetensors", NULL);
  g_autoptr (CondmapSafetensors) st = open_st (dir, "planes.safetensors");
  g_autofree char *tmp = g_strconcat (path, ".new", NULL);
  GError *error = NULL;
  CondmapSafetensorsWriter *w = condmap_safetensors_writer_new (tmp, &error);
  size_t n = condmap_safetensors_get_n_tensors (st);

  for (size_t i = 0; i < n; i++)
    {
      CondmapTensorInfo t;

      condmap_safetensors_get_tensor (st, i, &t);
      if (b == NULL && strcmp (t.name, a) == 0)
        condmap_safetensors_writer_add (w, t.name, dtype, rank, shape,
                                        &error);
      else
        condmap_safetensors_writer_add (w, t.name, t.dtype_name, t.rank,
                                        t.shape, &error);
    }
  condmap_safetensors_writer_begin (w, &error);
  CM_ASSERT_NO_ERROR (error);
  for (size_t i = 0; i < n; i++)
    {
      CondmapTensorInfo t, src;
      const char *from;

      condmap_safetensors_get_tensor (st, i, &t);
      from = b == NULL ? t.name : strcmp (t.name, a) == 0 ? b
             : strcmp (t.name, b) == 0 ? a : t.name;
      if (b == NULL && strcmp (t.name, a) == 0)
        {
          size_t len = condmap_tensor_dtype_bits (dtype) / 8;
          g_autofree guchar *zeros = NULL;

          for (unsigned d = 0; d < rank; d++)
            len *= shape[d];
          zeros = g_malloc0 (len);
          condmap_safetensors_writer_write (w, i, 0, zeros, len, &error);
          continue;
        }
      condmap_safetensors_get_tensor (st,
        condmap_safetensors_find (st, from), &src);
      condmap_safetensors_writer_write (w, i, 0, src.data, src.n_bytes,
                                        &error);
    }
  condmap_safetensors_writer_commit (w, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (g_rename (tmp, path), 0);
}

static void
test_restore_measured (void)
{
  g_autofree char *out = convert ("measured", 0, CONDMAP_TENSOR_DTYPE_OTHER);
  g_autofree char *restored = tmp_path ("measured.safetensors");
  GError *error = NULL;

  /* Swapping G+ and G- of a single-pair tensor negates its weights. */
  rewrite_planes (out, "vec:g_plus_0", "vec:g_minus_0", NULL, 0, NULL);
  CU_ASSERT_TRUE (condmap_checkpoint_restore (rt, out, restored, NULL, NULL,
                                              &error));
  CM_ASSERT_NO_ERROR (error);
  check_restored ("measured.safetensors", "vec");
}

static void
test_restore_wrong_planes (void)
{
  g_autofree char *out = convert ("wrong", 0, CONDMAP_TENSOR_DTYPE_OTHER);
  g_autofree char *restored = tmp_path ("wrong.safetensors");
  const size_t ten[] = { 10 }, five_two[] = { 5, 2 };
  GError *error = NULL;

  rewrite_planes (out, "vec:g_plus_0", NULL, "F64", 1, ten);
  CU_ASSERT_FALSE (condmap_checkpoint_restore (rt, out, restored, NULL,
                                               NULL, &error));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "of tensor 'vec' is F64"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (g_file_test (restored, G_FILE_TEST_EXISTS));
  rewrite_planes (out, "vec:g_plus_0", NULL, "F32", 2, five_two);
  CU_ASSERT_FALSE (condmap_checkpoint_restore (rt, out, restored, NULL,
                                               NULL, &error));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "shape (5, 2)"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (g_file_test (restored, G_FILE_TEST_EXISTS));
}

static void
test_plane_dtypes (void)
{
  g_autofree char *f16 = convert ("f16", 0, CONDMAP_TENSOR_DTYPE_F16);
  g_autofree char *f64 = convert ("f64", 0, CONDMAP_TENSOR_DTYPE_F64);
  g_autofree char *f32 = convert ("f32", 0, CONDMAP_TENSOR_DTYPE_OTHER);
  g_autoptr (CondmapSafetensors) p16 = open_st (f16, "planes.safetensors");
  g_autoptr (CondmapSafetensors) p64 = open_st (f64, "planes.safetensors");
  g_autoptr (CondmapSafetensors) p32 = open_st (f32, "planes.safetensors");
  g_autofree char *restored = tmp_path ("from-f64.safetensors");
  GError *error = NULL;

  for (size_t i = 0; i < condmap_safetensors_get_n_tensors (p32); i++)
    {
      CondmapTensorInfo a, h, d;
      g_autofree guint16 *narrowed = NULL;
      g_autofree double *widened = NULL;

      condmap_safetensors_get_tensor (p32, i, &a);
      condmap_safetensors_get_tensor (p16, i, &h);
      condmap_safetensors_get_tensor (p64, i, &d);
      CU_ASSERT_STRING_EQUAL (h.dtype_name, "F16");
      CU_ASSERT_STRING_EQUAL (d.dtype_name, "F64");
      if (a.dtype != CONDMAP_TENSOR_DTYPE_F32)
        continue;   /* the F64 tensor's planes were made in float64 */
      narrowed = g_new (guint16, a.n_elements);
      widened = g_new (double, a.n_elements);
      condmap_convert_f32_to_f16 (a.data, narrowed, a.n_elements);
      condmap_convert_f32_to_f64 (a.data, widened, a.n_elements);
      CU_ASSERT_EQUAL (memcmp (narrowed, h.data, h.n_bytes), 0);
      CU_ASSERT_EQUAL (memcmp (widened, d.data, d.n_bytes), 0);
    }
  /* float64 planes of float32 conversions restore as well. */
  CU_ASSERT_TRUE (condmap_checkpoint_restore (rt, f64, restored, NULL, NULL,
                                              &error));
  CM_ASSERT_NO_ERROR (error);
  check_restored ("from-f64.safetensors", NULL);
}

static void
test_npy_layout (void)
{
  g_autofree char *st = convert ("st", 0, CONDMAP_TENSOR_DTYPE_OTHER);
  g_autofree char *npy = convert ("npy", CONDMAP_CHECKPOINT_NPY,
                                  CONDMAP_TENSOR_DTYPE_OTHER);
  g_autoptr (CondmapSafetensors) planes = open_st (st, "planes.safetensors");
  g_autofree char *plane = g_build_filename (npy, "enc.conv.weight",
                                             "g_minus_1.npy", NULL);
  g_autofree char *from_st = tmp_path ("from-st.safetensors");
  g_autofree char *from_npy = tmp_path ("from-npy.safetensors");
  g_autofree char *a = NULL, *b = NULL;
  gsize la = 0, lb = 0;
  g_autoptr (CondmapArray) arr = NULL;
  CondmapTensorInfo t;
  GError *error = NULL;
  g_autofree char *none = g_build_filename (npy, "planes.safetensors", NULL);

  CU_ASSERT_FALSE (g_file_test (none, G_FILE_TEST_EXISTS));
  arr = condmap_npy_read (plane, &error);
  CM_ASSERT_NO_ERROR (error);
  condmap_safetensors_get_tensor (planes,
    condmap_safetensors_find (planes, "enc.conv.weight:g_minus_1"), &t);
  CU_ASSERT_EQUAL (condmap_array_get_rank (arr), 4);
  CU_ASSERT_EQUAL (memcmp (condmap_array_peek_data (arr), t.data, t.n_bytes),
                   0);
  CU_ASSERT_TRUE (condmap_checkpoint_restore (rt, st, from_st, NULL, NULL,
                                              &error));
  CU_ASSERT_TRUE (condmap_checkpoint_restore (rt, npy, from_npy, NULL, NULL,
                                              &error));
  CM_ASSERT_NO_ERROR (error);
  g_file_get_contents (from_st, &a, &la, NULL);
  g_file_get_contents (from_npy, &b, &lb, NULL);
  CU_ASSERT_TRUE (la > 0 && la == lb && memcmp (a, b, la) == 0);
}

/* A name that would leave OUTDIR as a directory of npy planes. */
static void
test_npy_escape (void)
{
  static const char *const bad[] = {
    "../evil.weight", "a/../../b", "/etc/w", "a//b", "./x"
  };
  g_autoptr (CondmapRecipe) recipe = recipe_new ();
  g_autofree char *out = tmp_path ("escape");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Spec s[] = { { bad[i], "F32", 2, { 2, 3 }, TRUE } };
      g_autofree char *m = write_model ("escape.safetensors", s, 1);
      GError *error = NULL;

      CU_ASSERT_PTR_NOT_NULL_FATAL (m);
      CU_ASSERT_FALSE (condmap_checkpoint_convert (recipe, m, out,
                                                   CONDMAP_CHECKPOINT_NPY,
                                                   0, NULL, NULL, &error));
      CU_ASSERT_PTR_NOT_NULL (error && strstr (error->message, bad[i]));
      CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
      CU_ASSERT_FALSE (g_file_test (out, G_FILE_TEST_EXISTS));
      /* As a tensor of planes.safetensors the name is only a name. */
      CU_ASSERT_TRUE (condmap_checkpoint_convert (recipe, m, out,
                                                  CONDMAP_CHECKPOINT_FORCE,
                                                  0, NULL, NULL, &error));
      CM_ASSERT_NO_ERROR (error);
      cm_test_rmdir (out);
    }
}

static void
test_refusals (void)
{
  static const char rule_on_int[] =
    "format: condmap-recipe/1\n"
    "rules:\n"
    "  - {match: \"step\", config: {converter: single-pair}}\n";
  g_autoptr (CondmapRecipe) recipe =
    condmap_recipe_new_from_yaml (rt, rule_on_int, -1, "int.yaml", NULL);
  g_autoptr (CondmapRecipe) plain = recipe_new ();
  g_autofree char *out = tmp_path ("refused");
  GError *error = NULL;

  CU_ASSERT_FALSE (condmap_checkpoint_convert (recipe, model, out, 0, 0,
                                               NULL, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL (error && strstr (error->message,
                                           "tensor 'step' is I64"));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (condmap_checkpoint_convert (plain, model, out,
                                               CONDMAP_CHECKPOINT_NPY,
                                               CONDMAP_TENSOR_DTYPE_F16,
                                               NULL, NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (g_file_test (out, G_FILE_TEST_EXISTS));
  /* An existing OUTDIR */
  g_mkdir (out, 0755);
  CU_ASSERT_FALSE (condmap_checkpoint_convert (plain, model, out, 0, 0,
                                               NULL, NULL, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_EXISTS);
  g_rmdir (out);
}

typedef struct {
  size_t calls;
  guint64 last_done;
  gboolean monotonic, finished;
  size_t n_tensors;
  guint64 total;
} Seen;

static void
on_progress (const CondmapProgress *p, gpointer data)
{
  Seen *s = data;

  s->calls++;
  s->monotonic = s->monotonic && p->bytes_done >= s->last_done
                 && p->index < p->n_tensors;
  s->last_done = p->bytes_done;
  s->finished = p->finished;
  s->n_tensors = p->n_tensors;
  s->total = p->bytes_total;
}

static void
test_progress (void)
{
  g_autoptr (CondmapRecipe) recipe = recipe_new ();
  g_autofree char *out = tmp_path ("progress");
  g_autoptr (CondmapSafetensors) in = open_st (cm_test_tmpdir,
                                               "model.safetensors");
  Seen s = { .monotonic = TRUE };
  guint64 total = 0;
  GError *error = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      CondmapTensorInfo t;

      condmap_safetensors_get_tensor (in, i, &t);
      total += t.n_bytes;
    }
  CU_ASSERT_TRUE (condmap_checkpoint_convert (recipe, model, out, 0, 0,
                                              on_progress, &s, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (s.calls >= 2 * G_N_ELEMENTS (specs));
  CU_ASSERT_TRUE (s.monotonic);
  CU_ASSERT_TRUE (s.finished);
  CU_ASSERT_EQUAL (s.n_tensors, G_N_ELEMENTS (specs));
  CU_ASSERT_EQUAL (s.total, total);
  CU_ASSERT_EQUAL (s.last_done, total);
}

typedef struct {
  size_t rows, converted;
  gboolean within, names_in_order;
} Rows;

static void
on_row (const CondmapTensorCheck *row, gpointer data)
{
  Rows *r = data;

  r->names_in_order = r->names_in_order
                      && strcmp (row->name, specs[r->rows].name) == 0;
  if (row->converter != NULL)
    {
      r->converted++;
      r->within = r->within && row->max_abs_error <= row->max_abs_w
                               * CONDMAP_ROUND_TRIP_TOLERANCE
                  && row->max_rel_error <= CONDMAP_ROUND_TRIP_TOLERANCE
                  && row->rms_error <= row->max_abs_error
                  && row->max_abs_w > 0.9;
    }
  r->rows++;
}

static void
test_check (void)
{
  g_autoptr (CondmapRecipe) recipe = recipe_new ();
  Rows r = { .within = TRUE, .names_in_order = TRUE };
  gboolean used[3] = { FALSE, FALSE, TRUE };
  GError *error = NULL;

  CU_ASSERT_TRUE (condmap_checkpoint_check (recipe, model, on_row, &r, NULL,
                                            NULL, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (r.rows, G_N_ELEMENTS (specs));
  CU_ASSERT_EQUAL (r.converted, 6);
  CU_ASSERT_TRUE (r.within);
  CU_ASSERT_TRUE (r.names_in_order);
  for (size_t i = 0; i < 3; i++)
    condmap_recipe_get_rule (recipe, i, NULL, &used[i]);
  CU_ASSERT_TRUE (used[0] && used[1]);
  CU_ASSERT_FALSE (used[2]);   /* "nothing.*" */
}

/* The record is read as strictly as a sidecar. */
static void
test_record_strict (void)
{
  static const struct {
    const char *from, *to, *message;
  } edits[] = {
    { "plane_dtype: F32", "plane_dtyp: F32", "did you mean 'plane_dtype'" },
    { "format: condmap-checkpoint/1", "format: condmap-checkpoint/2",
      "another condmap version" },
    { "layout: safetensors", "layout: zip", "'layout' must be" },
    { "tensor_dtype: F16", "tensor_dtype: F8", "'tensor_dtype' must be" },
    { "- name: enc.conv.bias\n  passthrough: true",
      "- name: enc.conv.bias\n  passthrough: maybe",
      "'passthrough' must be true or false" },
  };
  g_autofree char *out = convert ("strict", 0, CONDMAP_TENSOR_DTYPE_OTHER);
  g_autofree char *record = g_build_filename (out, "params.yaml", NULL);
  g_autofree char *restored = tmp_path ("strict.safetensors");
  g_autofree char *text = NULL;

  CU_ASSERT_TRUE_FATAL (g_file_get_contents (record, &text, NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *edited = NULL;
      char *at = strstr (text, edits[i].from);
      GError *error = NULL;

      CU_ASSERT_PTR_NOT_NULL_FATAL (at);
      edited = g_strdup_printf ("%.*s%s%s", (int) (at - text), text,
                                edits[i].to, at + strlen (edits[i].from));
      g_file_set_contents (record, edited, -1, NULL);
      CU_ASSERT_FALSE (condmap_checkpoint_restore (rt, out, restored, NULL,
                                                   NULL, &error));
      CU_ASSERT_PTR_NOT_NULL (error && strstr (error->message,
                                               edits[i].message));
      CU_ASSERT_PTR_NOT_NULL (error && strstr (error->message,
                                               "params.yaml:"));
      CM_ASSERT_ERROR (error, CONDMAP_ERROR_FORMAT);
      CU_ASSERT_FALSE (g_file_test (restored, G_FILE_TEST_EXISTS));
    }
}

/* A signal in the middle of a conversion: the handler's cleanup
 * (condmap_cleanup_on_signal()) removes the half-built OUTDIR, npy
 * subdirectories included.  Here the "handler" runs from the progress
 * callback at tensor 5 and the run goes on, as it would until the process
 * dies: nothing it writes afterwards may appear, and it fails with
 * CONDMAP_ERROR_IO (exit status 3 of the child). */
static void
cleanup_at_tensor_5 (const CondmapProgress *p, gpointer data)
{
  (void) data;
  if (p->index == 5 && !p->finished)
    condmap_cleanup_on_signal ();
}

static void
interrupted (CondmapCheckpointFlags flags)
{
  g_autofree char *out = tmp_path ("interrupted");
  int status = -1;
  pid_t pid;

  pid = fork ();
  if (pid == 0)
    {
      CondmapRecipe *recipe = recipe_new ();
      GError *error = NULL;
      int code;

      code = condmap_checkpoint_convert (recipe, model, out, flags, 0,
                                         cleanup_at_tensor_5, NULL, &error)
             ? 1 : g_error_matches (error, CONDMAP_ERROR, CONDMAP_ERROR_IO)
             ? 3 : 2;
      g_clear_error (&error);
      condmap_recipe_free (recipe);
      _exit (code);
    }
  CU_ASSERT_FATAL (pid > 0);
  CU_ASSERT_EQUAL (waitpid (pid, &status, 0), pid);
  CU_ASSERT_TRUE (WIFEXITED (status) && WEXITSTATUS (status) == 3);
  CU_ASSERT_FALSE (g_file_test (out, G_FILE_TEST_EXISTS));
  {
    GDir *d = g_dir_open (cm_test_tmpdir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        if (g_str_has_prefix (name, "interrupted"))
          g_printerr ("\n    left behind: %s", name);
        CU_ASSERT_FALSE (g_str_has_prefix (name, "interrupted"));
      }
    g_dir_close (d);
  }
}

static void
test_interrupted (void)
{
  interrupted (0);
  interrupted (CONDMAP_CHECKPOINT_NPY);
}

int
main (void)
{
  CU_pSuite suite;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  suite = CU_add_suite ("checkpoint", suite_init, suite_clean);
  CU_add_test (suite, "each tensor's planes are those of converting it "
               "alone", test_planes_bit_identical);
  CU_add_test (suite, "restore: F32 within tolerance, F16/BF16 and "
               "pass-through bit for bit, metadata kept", test_restore);
  CU_add_test (suite, "restore uses measured planes", test_restore_measured);
  CU_add_test (suite, "a plane of the wrong dtype or shape is refused",
               test_restore_wrong_planes);
  CU_add_test (suite, "F16 and F64 planes", test_plane_dtypes);
  CU_add_test (suite, "npy planes, restored alike", test_npy_layout);
  CU_add_test (suite, "npy planes stay inside OUTDIR", test_npy_escape);
  CU_add_test (suite, "refusals leave nothing", test_refusals);
  CU_add_test (suite, "progress reports", test_progress);
  CU_add_test (suite, "check reports every tensor and unused rules",
               test_check);
  CU_add_test (suite, "the record is read strictly", test_record_strict);
  CU_add_test (suite, "a signal midway leaves nothing", test_interrupted);
  return cm_test_run ();
}
