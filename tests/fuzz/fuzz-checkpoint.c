/* fuzz-checkpoint.c - libFuzzer target for the record of a converted
 * checkpoint (OUTDIR/params.yaml, core/checkpoint-record.c over the
 * sidecar's field reader and core/yaml-doc.c) and what restore does with
 * it.
 *
 * At start, a small model (F32, F16, BF16 and F64 weights, an F32 bias, an
 * I64 counter, metadata) is converted twice: into a directory with
 * planes.safetensors and into one with npy planes.  Each input replaces
 * params.yaml in both, and both are restored with
 * condmap_checkpoint_restore().  A refusal must come with a CONDMAP_ERROR
 * and leave no output file; a restore that succeeds must write a
 * checkpoint that the reader accepts. */
#include <string.h>
#include <glib/gstdio.h>
#include "fuzz-common.h"

static const char recipe_yaml[] =
  "format: condmap-recipe/1\n"
  "default: {converter: dual-pair, f_lst: [1.0, 3.0]}\n"
  "rules:\n"
  "  - {match: \"half.*\", config: {converter: single-pair}}\n";

typedef struct {
  const char *name, *dtype;
  unsigned rank;
  size_t shape[2];
} Tensor;

static const Tensor tensors[] = {
  { "layer.weight", "F32", 2, { 2, 3 } },
  { "layer.bias", "F32", 1, { 3 } },
  { "half.weight", "F16", 2, { 2, 2 } },
  { "brain.weight", "BF16", 2, { 2, 2 } },
  { "wide.weight", "F64", 2, { 3, 2 } },
  { "step", "I64", 0, { 0 } },
};

static void
write_model (const char *path)
{
  GError *error = NULL;
  CondmapSafetensorsWriter *w = condmap_safetensors_writer_new (path, &error);
  gboolean ok = w != NULL;

  for (gsize i = 0; ok && i < G_N_ELEMENTS (tensors); i++)
    ok = condmap_safetensors_writer_add (w, tensors[i].name, tensors[i].dtype,
                                         tensors[i].rank, tensors[i].shape,
                                         &error);
  ok = ok && condmap_safetensors_writer_set_metadata (w, "format", "pt",
                                                      &error)
       && condmap_safetensors_writer_begin (w, &error);
  for (gsize i = 0; ok && i < G_N_ELEMENTS (tensors); i++)
    {
      const Tensor *t = &tensors[i];
      size_t n = t->rank == 0 ? 1 : t->shape[0] * (t->rank > 1 ? t->shape[1] : 1);
      float f[8];
      guint8 bytes[64] = { 0 };
      CondmapTensorDtype d = condmap_tensor_dtype_from_name (t->dtype);

      for (size_t j = 0; j < n; j++)
        f[j] = (float) j / 4.0f - 0.6f;
      if (d != CONDMAP_TENSOR_DTYPE_OTHER)
        condmap_tensor_from_f32 (d, f, bytes, n);
      else
        bytes[0] = 7;
      ok = condmap_safetensors_writer_write (w, i, 0, bytes,
        n * condmap_tensor_dtype_bits (t->dtype) / 8, &error);
    }
  if (!ok || !condmap_safetensors_writer_commit (g_steal_pointer (&w),
                                                 &error))
    fuzz_fail ("cannot write the model: %s", error->message);
}

static void
convert (const char *model, const char *dir, CondmapCheckpointFlags flags)
{
  GError *error = NULL;
  CondmapRecipe *recipe =
    condmap_recipe_new_from_yaml (fuzz_runtime (), recipe_yaml, -1,
                                  "recipe", &error);

  if (recipe == NULL
      || !condmap_checkpoint_convert (recipe, model, dir,
                                      flags | CONDMAP_CHECKPOINT_FORCE, 0,
                                      NULL, NULL, &error))
    fuzz_fail ("cannot convert the model: %s", error->message);
  condmap_recipe_free (recipe);
}

/* A restore that succeeded wrote a checkpoint the reader accepts. */
static void
check_output (const char *out)
{
  GError *error = NULL;
  CondmapSafetensors *st = condmap_safetensors_open (out, &error);

  if (st == NULL)
    fuzz_fail ("restore succeeded but its output cannot be read: %s",
               error->message);
  condmap_safetensors_free (st);
}

static void
restore (const char *dir, const uint8_t *data, size_t size)
{
  g_autofree char *record = g_build_filename (dir, "params.yaml", NULL);
  const char *out = fuzz_path ("restored.safetensors");
  GError *error = NULL;
  gboolean ok;

  fuzz_write_file (record, data, size);
  g_unlink (out);
  ok = condmap_checkpoint_restore (fuzz_runtime (), dir, out, NULL, NULL,
                                   &error);
  fuzz_check_outcome (ok, &error, "condmap_checkpoint_restore");
  if (!ok && g_file_test (out, G_FILE_TEST_EXISTS))
    fuzz_fail ("a failed restore left its output behind");
  if (ok)
    check_output (out);
  g_unlink (out);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *model = fuzz_path ("model.safetensors");

  write_model (model);
  convert (model, fuzz_path ("ckpt-st"), 0);
  convert (model, fuzz_path ("ckpt-npy"), CONDMAP_CHECKPOINT_NPY);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  restore (fuzz_path ("ckpt-st"), data, size);
  restore (fuzz_path ("ckpt-npy"), data, size);
  return 0;
}
