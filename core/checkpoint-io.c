/* checkpoint-io.c - elements between a checkpoint's dtypes and the dtype a
 * conversion runs in, and the pages of a mapping a run no longer needs.
 *
 * A tensor in a file is little-endian and of any alignment (the format
 * promises none), so it is never dereferenced as float or double: it is
 * converted or copied with the functions of half.c, which read bytes. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include "checkpoint-private.h"

/* Bytes of input converted per step of cm_ckpt_load_weights(). */
#define CHUNK_BYTES (8u << 20)

/* Elements per step of a two-stage conversion (through a float buffer on
 * the stack). */
#define STEP 4096

CondmapDtype
cm_ckpt_compute_dtype (CondmapTensorDtype tensor_dtype)
{
  return tensor_dtype == CONDMAP_TENSOR_DTYPE_F64 ? CONDMAP_DTYPE_FLOAT64
                                                   : CONDMAP_DTYPE_FLOAT32;
}

size_t
cm_ckpt_dtype_size (CondmapTensorDtype dtype)
{
  switch (dtype)
    {
    case CONDMAP_TENSOR_DTYPE_F64:
      return 8;
    case CONDMAP_TENSOR_DTYPE_F32:
      return 4;
    case CONDMAP_TENSOR_DTYPE_F16:
    case CONDMAP_TENSOR_DTYPE_BF16:
      return 2;
    case CONDMAP_TENSOR_DTYPE_OTHER:
      break;
    }
  return 0;
}

/* float64 little-endian bytes from/to native doubles. */
static void
f64le_copy (const void *in, void *out, size_t n)
{
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    {
      memmove (out, in, 8 * n);
      return;
    }
  for (size_t i = 0; i < n; i++)
    {
      guint64 u;

      memcpy (&u, (const guchar *) in + 8 * i, 8);
      u = GUINT64_SWAP_LE_BE (u);
      memcpy ((guchar *) out + 8 * i, &u, 8);
    }
}

void
cm_ckpt_to_compute (CondmapTensorDtype from, const void *in, CondmapDtype to,
                    void *out, size_t n)
{
  size_t size = cm_ckpt_dtype_size (from);
  float buf[STEP];

  if (to == CONDMAP_DTYPE_FLOAT32)
    {
      condmap_tensor_to_f32 (from, in, out, n);
      return;
    }
  if (from == CONDMAP_TENSOR_DTYPE_F64)
    {
      f64le_copy (in, out, n);
      return;
    }
  /* Into float64 through float32: exact, as every F32, F16 and BF16
   * value is a float. */
  for (size_t i = 0; i < n; i += STEP)
    {
      size_t m = MIN (STEP, n - i);

      condmap_tensor_to_f32 (from, (const guchar *) in + i * size, buf, m);
      for (size_t j = 0; j < m; j++)
        ((double *) out)[i + j] = buf[j];
    }
}

void
cm_ckpt_from_compute (CondmapDtype from, const void *in,
                      CondmapTensorDtype to, void *out, size_t n)
{
  size_t size = cm_ckpt_dtype_size (to);
  float buf[STEP];

  if (from == CONDMAP_DTYPE_FLOAT32)
    {
      condmap_tensor_from_f32 (to, in, out, n);
      return;
    }
  if (to == CONDMAP_TENSOR_DTYPE_F64)
    {
      f64le_copy (in, out, n);
      return;
    }
  /* float64 to F16 or BF16 through float32 would round twice: go to
   * float32 only (exact for values that came from F32/F16/BF16), then
   * narrow. */
  for (size_t i = 0; i < n; i += STEP)
    {
      size_t m = MIN (STEP, n - i);

      condmap_convert_f64_to_f32 ((const guchar *) in + i * 8, buf, m);
      condmap_tensor_from_f32 (to, buf, (guchar *) out + i * size, m);
    }
}

void
cm_ckpt_release_pages (const void *data, size_t n)
{
  size_t page = (size_t) sysconf (_SC_PAGESIZE);
  uintptr_t begin = ((uintptr_t) data + page - 1) / page * page;
  uintptr_t end = ((uintptr_t) data + n) / page * page;

#ifdef MADV_DONTNEED
  if (end > begin)
    madvise ((void *) begin, end - begin, MADV_DONTNEED);
#endif
}

gboolean
condmap_path_is_safetensors (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  guchar head[9];
  FILE *f;
  size_t got;

  if (g_str_has_suffix (lower, ".safetensors"))
    return TRUE;
  if ((f = g_fopen (path, "rb")) == NULL)
    return FALSE;
  got = fread (head, 1, sizeof head, f);
  fclose (f);
  return got == sizeof head && memcmp (head, "\x93NUMPY", 6) != 0
         && head[8] == '{';
}

/* ---- the weights of one tensor, and its planes ------------------------ */

CondmapArray *
cm_ckpt_load_weights (const CondmapTensorInfo *info, CondmapDtype dtype,
                      CmProgress *progress, GError **error)
{
  size_t in_size = cm_ckpt_dtype_size (info->dtype);
  size_t step = CHUNK_BYTES / in_size;
  CondmapArray *w = condmap_array_new (dtype, info->rank, info->shape, error);

  if (w == NULL)
    return NULL;
  for (size_t i = 0; i < info->n_elements; i += step)
    {
      size_t m = MIN (step, info->n_elements - i);
      const guchar *in = (const guchar *) info->data + i * in_size;

      cm_ckpt_to_compute (info->dtype, in, dtype,
                          (guchar *) condmap_array_get_data (w)
                          + i * condmap_dtype_size (dtype), m);
      cm_ckpt_release_pages (in, m * in_size);
      if (progress != NULL)
        cm_progress_add (progress, m * in_size);
    }
  return w;
}

GPtrArray *
cm_ckpt_convert_tensor (const CondmapConverter *conv,
                        const CondmapArray *weights,
                        CondmapParams **params_out, GError **error)
{
  unsigned K = condmap_converter_get_n_planes (conv);
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);
  g_autofree void **data = g_new0 (void *, K);

  for (unsigned k = 0; k < K; k++)
    {
      CondmapArray *plane =
        condmap_array_new (condmap_array_get_dtype (weights),
                           condmap_array_get_rank (weights),
                           condmap_array_get_shape (weights), error);

      if (plane == NULL)
        return NULL;
      g_ptr_array_add (planes, plane);
      data[k] = condmap_array_get_data (plane);
    }
  if (!condmap_converter_to_conductances (conv,
                                          condmap_array_get_dtype (weights),
                                          condmap_array_peek_data (weights),
                                          condmap_array_get_n (weights),
                                          data, params_out, error))
    return NULL;
  return g_steal_pointer (&planes);
}

gboolean
cm_ckpt_choose (CondmapRecipe *recipe, const char *model,
                const CondmapTensorInfo *info,
                const CondmapConverter **conv_out, int *rule_out,
                GError **error)
{
  gboolean floating = info->dtype != CONDMAP_TENSOR_DTYPE_OTHER;
  int rule;
  const CondmapConverter *conv =
    condmap_recipe_choose (recipe, info->name, info->rank, floating, &rule);

  if (conv != NULL && !floating)
    {
      unsigned line = 0;

      condmap_recipe_get_rule (recipe, rule, &line, NULL);
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "%s: tensor '%s' is %s, but rule %d of %s (line %u) "
                   "converts it: only F64, F32, F16 and BF16 tensors can be "
                   "converted; add a rule {match: \"%s\", skip: true} "
                   "before it", model, info->name, info->dtype_name,
                   rule + 1, condmap_recipe_get_origin (recipe), line,
                   info->name);
      return FALSE;
    }
  /* An empty tensor has nothing to program. */
  if (info->n_elements == 0)
    conv = NULL;
  *conv_out = conv;
  if (rule_out != NULL)
    *rule_out = rule;
  return TRUE;
}
