/* fuzz-safetensors.c - libFuzzer target for the safetensors reader
 * (core/safetensors.c, safetensors-json.c, safetensors-header.c) and,
 * through a copy of what it reads, the writer (safetensors-write.c).
 *
 * An input that starts with '{' or white space is a header: the file
 * becomes 8 bytes of its length, the text up to the first NUL byte, and
 * the bytes after that NUL as data, so that mutations reach the JSON
 * instead of breaking the length prefix.  Any other input is the whole
 * file.  A refusal must come with a CONDMAP_ERROR; a checkpoint that opens
 * must keep its promises (every tensor inside the file and its size the
 * shape's product, names found again, metadata UTF-8), convert to float32
 * without reading outside, and come back the same through the writer. */
#include <string.h>
#include "fuzz-common.h"

static void
check_tensor (const CondmapSafetensors *st, size_t i, const uint8_t *file,
              size_t size)
{
  CondmapTensorInfo t;
  const uint8_t *data;
  size_t n = 1;
  unsigned bits;

  if (!condmap_safetensors_get_tensor (st, i, &t))
    fuzz_fail ("tensor %zu of %zu missing", i,
               condmap_safetensors_get_n_tensors (st));
  if (!g_utf8_validate (t.name, -1, NULL) || t.rank > CONDMAP_MAX_RANK)
    fuzz_fail ("tensor %zu: name not UTF-8 or rank %u", i, t.rank);
  if (condmap_safetensors_find (st, t.name) != (gssize) i)
    fuzz_fail ("tensor '%s' is not found again at %zu", t.name, i);
  for (unsigned j = 0; j < t.rank; j++)
    n *= t.shape[j];   /* the reader checked it for overflow */
  bits = condmap_tensor_dtype_bits (t.dtype_name);
  if (bits == 0 || n != t.n_elements || n * bits / 8 != t.n_bytes)
    fuzz_fail ("tensor '%s': %zu elements of %s in %zu bytes", t.name,
               t.n_elements, t.dtype_name, t.n_bytes);
  if (t.offset > size || t.n_bytes > size - t.offset)
    fuzz_fail ("tensor '%s' lies outside the file", t.name);
  /* Same bytes as the input's at that offset: the reader maps what it
   * was given. */
  data = t.data;
  if (t.n_bytes > 0 && memcmp (data, file + t.offset, t.n_bytes) != 0)
    fuzz_fail ("tensor '%s' does not point at its bytes", t.name);
  if (t.dtype != CONDMAP_TENSOR_DTYPE_OTHER)
    {
      g_autofree float *f = g_new (float, MAX (t.n_elements, 1));
      g_autofree guchar *back = g_malloc (MAX (t.n_bytes, 1));

      condmap_tensor_to_f32 (t.dtype, t.data, f, t.n_elements);
      condmap_tensor_from_f32 (t.dtype, f, back, t.n_elements);
      /* F16 and BF16 come back bit for bit, NaNs included. */
      if ((t.dtype == CONDMAP_TENSOR_DTYPE_F16
           || t.dtype == CONDMAP_TENSOR_DTYPE_BF16)
          && memcmp (back, t.data, t.n_bytes) != 0)
        fuzz_fail ("tensor '%s': %s -> f32 -> %s changed the bytes", t.name,
                   t.dtype_name, t.dtype_name);
    }
}

/* Through the writer and back: the same tensors, bytes and metadata. */
static void
check_copy (const CondmapSafetensors *a)
{
  const char *out = fuzz_path ("out.safetensors");
  size_t n = condmap_safetensors_get_n_tensors (a);
  g_autoptr (CondmapSafetensorsWriter) w = NULL;
  g_autoptr (CondmapSafetensors) b = NULL;
  g_autoptr (GError) error = NULL;
  CondmapTensorInfo x, y;

  w = condmap_safetensors_writer_new (out, &error);
  if (w == NULL)
    fuzz_fail ("cannot start writing %s: %s", out, error->message);
  for (size_t i = 0; i < condmap_safetensors_get_n_metadata (a); i++)
    if (!condmap_safetensors_writer_set_metadata (w,
           condmap_safetensors_get_metadata_key (a, i),
           condmap_safetensors_get_metadata_value (a, i), &error))
      fuzz_fail ("metadata %zu refused by the writer: %s", i, error->message);
  for (size_t i = 0; i < n; i++)
    {
      condmap_safetensors_get_tensor (a, i, &x);
      if (!condmap_safetensors_writer_add (w, x.name, x.dtype_name, x.rank,
                                           x.shape, &error))
        fuzz_fail ("tensor '%s' refused by the writer: %s", x.name,
                   error->message);
    }
  if (!condmap_safetensors_writer_begin (w, &error))
    fuzz_fail ("writer_begin failed: %s", error->message);
  for (size_t i = n; i-- > 0;)
    {
      condmap_safetensors_get_tensor (a, i, &x);
      if (!condmap_safetensors_writer_write (w, i, 0, x.data, x.n_bytes, &error))
        fuzz_fail ("writer_write failed: %s", error->message);
    }
  if (!condmap_safetensors_writer_commit (g_steal_pointer (&w), &error))
    fuzz_fail ("writer_commit failed: %s", error->message);
  b = condmap_safetensors_open (out, &error);
  if (b == NULL)
    fuzz_fail ("the writer's file does not open: %s", error->message);
  if (condmap_safetensors_get_n_tensors (b) != n
      || condmap_safetensors_get_n_metadata (b)
         != condmap_safetensors_get_n_metadata (a))
    fuzz_fail ("the copy has other counts of tensors or metadata");
  for (size_t i = 0; i < n; i++)
    {
      condmap_safetensors_get_tensor (a, i, &x);
      condmap_safetensors_get_tensor (b, i, &y);
      if (strcmp (x.name, y.name) != 0 || strcmp (x.dtype_name, y.dtype_name)
          || x.rank != y.rank || x.n_bytes != y.n_bytes
          || memcmp (x.shape, y.shape, x.rank * sizeof (size_t)) != 0
          || memcmp (x.data, y.data, x.n_bytes) != 0)
        fuzz_fail ("tensor %zu ('%s') changed in the copy", i, x.name);
    }
  for (size_t i = 0; i < condmap_safetensors_get_n_metadata (a); i++)
    if (strcmp (condmap_safetensors_get_metadata_key (a, i),
                condmap_safetensors_get_metadata_key (b, i)) != 0
        || strcmp (condmap_safetensors_get_metadata_value (a, i),
                   condmap_safetensors_get_metadata_value (b, i)) != 0)
      fuzz_fail ("metadata %zu changed in the copy", i);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *in = fuzz_path ("in.safetensors");
  g_autofree uint8_t *built = NULL;
  GError *error = NULL;
  CondmapSafetensors *st;

  if (size > 0 && (data[0] == '{' || data[0] == ' ' || data[0] == '\n'))
    {
      const uint8_t *nul = memchr (data, 0, size);
      size_t hlen = nul ? (size_t) (nul - data) : size;
      size_t rest = nul ? size - hlen - 1 : 0;
      guint64 prefix = GUINT64_TO_LE ((guint64) hlen);

      built = g_malloc (8 + hlen + rest);
      memcpy (built, &prefix, 8);
      memcpy (built + 8, data, hlen);
      if (rest > 0)
        memcpy (built + 8 + hlen, nul + 1, rest);
      data = built;
      size = 8 + hlen + rest;
    }
  fuzz_write_file (in, data, size);
  st = condmap_safetensors_open (in, &error);
  fuzz_check_outcome (st != NULL, &error, "condmap_safetensors_open");
  if (st == NULL)
    return 0;
  for (size_t i = 0; i < condmap_safetensors_get_n_tensors (st); i++)
    check_tensor (st, i, data, size);
  for (size_t i = 0; i < condmap_safetensors_get_n_metadata (st); i++)
    if (!g_utf8_validate (condmap_safetensors_get_metadata_key (st, i), -1, NULL)
        || !g_utf8_validate (condmap_safetensors_get_metadata_value (st, i), -1,
                             NULL))
      fuzz_fail ("metadata %zu is not UTF-8", i);
  check_copy (st);
  condmap_safetensors_free (st);
  return 0;
}
