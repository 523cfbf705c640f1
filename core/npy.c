/* npy.c - NumPy .npy files (format 1.0, 2.0 and 3.0).
 *
 * The layout: the magic "\x93NUMPY", two version bytes, the header length
 * (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), then the header:
 * a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and a '\n', then the raw elements.  The header is a
 * tiny fixed grammar, so it is parsed here by hand; every size in it is
 * checked against the file's length before anything is allocated. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include "npy-private.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64                 /* data offset NumPy aligns to */
#define NPY_MAX_HEADER (1u << 20)    /* real headers are < 1 KiB */

/* ---- reading --------------------------------------------------------------- */

static gboolean G_GNUC_PRINTF (3, 4)
format_error (GError **error, const char *path, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT, "%s: %s", path,
               what);
  return FALSE;
}

/* Reads exactly @len bytes; the length was checked against fstat(), so
 * a short read means an I/O error or a file changed under us. */
static gboolean
read_exact (FILE *f, void *buf, size_t len, const char *path, GError **error)
{
  if (len == 0 || fread (buf, 1, len, f) == len)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO, "cannot read '%s': %s",
               path, ferror (f) ? g_strerror (errno)
                                : "the file shrank while being read");
  return FALSE;
}

/* Reads magic, version and header; returns the data offset in *offset. */
static gboolean
read_header (FILE *f, const char *path, guint64 size, NpyHeader *h,
             guint64 *offset, GError **error)
{
  guchar pre[12];
  size_t len_size;
  guint64 hlen;
  g_autofree char *text = NULL;

  if (size == 0)
    return format_error (error, path, "the file is empty, not a .npy file");
  if (!read_exact (f, pre, MIN (size, 8), path, error))
    return FALSE;
  if (size < NPY_MAGIC_LEN || memcmp (pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
    return format_error (error, path, "not a .npy file (it does not start "
                         "with the magic \\x93NUMPY)");
  if (size >= 8 && !(pre[6] >= 1 && pre[6] <= 3 && pre[7] == 0))
    return format_error (error, path, ".npy format version %u.%u is not "
                         "supported (condmap reads 1.0, 2.0 and 3.0)",
                         pre[6], pre[7]);
  len_size = size >= 8 && pre[6] == 1 ? 2 : 4;
  if (size < 8 + len_size)
    return format_error (error, path, "truncated .npy header (the file "
                         "holds only %" G_GUINT64_FORMAT " bytes)", size);
  if (!read_exact (f, pre + 8, len_size, path, error))
    return FALSE;
  hlen = pre[8] | (guint64) pre[9] << 8;
  if (len_size == 4)
    hlen |= (guint64) pre[10] << 16 | (guint64) pre[11] << 24;
  if (hlen > size - 8 - len_size)
    return format_error (error, path, "truncated .npy header: it claims "
                         "%" G_GUINT64_FORMAT " bytes but the file holds "
                         "only %" G_GUINT64_FORMAT " after the prefix",
                         hlen, size - 8 - len_size);
  if (hlen > NPY_MAX_HEADER)
    return format_error (error, path, ".npy header of %" G_GUINT64_FORMAT
                         " bytes is implausibly long (the limit is %u)",
                         hlen, NPY_MAX_HEADER);
  text = g_malloc (hlen + 1);
  if (!read_exact (f, text, hlen, path, error))
    return FALSE;
  text[hlen] = '\0';
  /* Messages quote the header, so it must be text. */
  if (strlen (text) != hlen || !g_utf8_validate (text, hlen, NULL))
    return format_error (error, path, "bad .npy header: it is not text "
                         "(a NUL byte or invalid UTF-8)");
  *offset = 8 + len_size + hlen;
  return cm_npy_parse_header (text, hlen, path, h, error);
}

/* Reverses the bytes of each element. */
static void
byteswap (void *data, size_t n, size_t esize)
{
  guchar *p = data, t;

  for (size_t i = 0; i < n; i++, p += esize)
    for (size_t j = 0; j < esize / 2; j++)
      t = p[j], p[j] = p[esize - 1 - j], p[esize - 1 - j] = t;
}

/* Copies Fortran-order @src into C-order @dst.  Walks dst in order while
 * keeping the source offset of the current index in step, so one loop
 * serves every rank. */
static void
fortran_to_c (void *dst, const void *src, unsigned rank, const size_t *shape,
              size_t n, size_t esize)
{
  size_t idx[CONDMAP_MAX_RANK] = { 0 }, stride[CONDMAP_MAX_RANK];
  size_t off = 0;   /* source offset, in elements */
  guchar *d = dst;
  const guchar *s = src;

  stride[0] = 1;
  for (unsigned j = 1; j < rank; j++)
    stride[j] = stride[j - 1] * shape[j - 1];   /* <= n: cannot overflow */
  for (size_t k = 0; k < n; k++, d += esize)
    {
      memcpy (d, s + off * esize, esize);
      for (unsigned j = rank; j-- > 0;)
        {
          if (++idx[j] < shape[j])
            {
              off += stride[j];
              break;
            }
          idx[j] = 0;
          off -= (shape[j] - 1) * stride[j];
        }
    }
}

/* "4096x4096" for messages; "()" for a scalar. */
static char *
format_dims (const NpyHeader *h)
{
  GString *s = g_string_new (h->rank == 0 ? "()" : NULL);

  for (unsigned i = 0; i < h->rank; i++)
    g_string_append_printf (s, i ? "x%zu" : "%zu", h->shape[i]);
  return g_string_free (s, FALSE);
}

/* Checks the data length and reads the elements into a new array. */
static CondmapArray *
read_data (FILE *f, const char *path, const NpyHeader *h, guint64 avail,
           GError **error)
{
  size_t esize = condmap_dtype_size (h->dtype), n;
  g_autoptr (GError) local = NULL;
  g_autoptr (CondmapArray) array = NULL;
  g_autofree void *tmp = NULL;
  gboolean transpose;
  void *buf;

  if (!cm_shape_product (h->rank, h->shape, esize, &n, &local))
    {
      format_error (error, path, "%s", local->message);
      return NULL;
    }
  if (avail < (guint64) n * esize)
    {
      g_autofree char *dims = format_dims (h);

      format_error (error, path, "header says %s %s = %zu bytes but the file "
                    "holds only %" G_GUINT64_FORMAT " bytes after the header: "
                    "truncated?", dims, condmap_dtype_name (h->dtype),
                    n * esize, avail);
      return NULL;
    }
  /* Bytes after the data are ignored, as numpy.load does. */
  array = condmap_array_new (h->dtype, h->rank, h->shape, error);
  if (array == NULL)
    return NULL;
  transpose = h->fortran && h->rank >= 2 && n > 0;
  buf = condmap_array_get_data (array);
  if (transpose && (buf = tmp = g_try_malloc (n * esize)) == NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "%s: cannot allocate %zu bytes to reorder a Fortran-order "
                   "array", path, n * esize);
      return NULL;
    }
  if (!read_exact (f, buf, n * esize, path, error))
    return NULL;
  if (h->swap)
    byteswap (buf, n, esize);
  if (transpose)
    fortran_to_c (condmap_array_get_data (array), tmp, h->rank, h->shape,
                  n, esize);
  return g_steal_pointer (&array);
}

static CondmapArray *
read_stream (FILE *f, const struct stat *st, const char *path, GError **error)
{
  NpyHeader h = { 0 };
  guint64 offset = 0;

#ifdef HAVE_POSIX_FADVISE
  posix_fadvise (fileno (f), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  /* Sizes are checked against the length, which cm_open_regular()
   * guarantees is known. */
  if (!read_header (f, path, st->st_size, &h, &offset, error))
    return NULL;
  return read_data (f, path, &h, (guint64) st->st_size - offset, error);
}

CondmapArray *
condmap_npy_read (const char *path, GError **error)
{
  CondmapArray *array;
  struct stat st;
  FILE *f;

  g_return_val_if_fail (path != NULL, NULL);

  f = cm_open_regular (path, &st, error);
  if (f == NULL)
    return NULL;
  array = read_stream (f, &st, path, error);
  fclose (f);   /* read-only: nothing to lose if it fails */
  return array;
}

/* ---- writing --------------------------------------------------------------- */

/* Magic, version, length and dict, padded with spaces and a '\n' so that
 * the data starts at a multiple of NPY_ALIGN, as NumPy pads it. */
static GString *
build_header (const CondmapArray *array)
{
  unsigned rank = condmap_array_get_rank (array);
  const size_t *shape = condmap_array_get_shape (array);
  size_t esize = condmap_dtype_size (condmap_array_get_dtype (array));
  GString *dict = g_string_new (NULL), *out = g_string_new (NULL);
  size_t prefix = NPY_MAGIC_LEN + 2 + 2, hlen;

  g_autofree char *shape_text = condmap_shape_to_string (rank, shape);

  g_string_printf (dict, "{'descr': '<f%zu', 'fortran_order': False, "
                   "'shape': %s, }", esize, shape_text);
  hlen = dict->len + 1;
  hlen += NPY_ALIGN - (prefix + hlen) % NPY_ALIGN;
  if (hlen > G_MAXUINT16)
    {
      /* Format 2.0: 4-byte length. */
      prefix += 2;
      hlen = dict->len + 1;
      hlen += NPY_ALIGN - (prefix + hlen) % NPY_ALIGN;
    }
  g_string_append_len (out, NPY_MAGIC, NPY_MAGIC_LEN);
  g_string_append_c (out, prefix == 10 ? 1 : 2);
  g_string_append_c (out, 0);
  for (size_t i = 0; i < prefix - NPY_MAGIC_LEN - 2; i++)
    g_string_append_c (out, (char) ((hlen >> (8 * i)) & 0xff));
  g_string_append_len (out, dict->str, dict->len);
  while (out->len < prefix + hlen - 1)
    g_string_append_c (out, ' ');
  g_string_append_c (out, '\n');
  g_string_free (dict, TRUE);
  return out;
}

/* Checks each write, while errno still says why (ENOSPC, EFBIG). */
static gboolean
write_all (FILE *stream, const void *data, size_t len, const char *path,
           GError **error)
{
  if (len == 0 || fwrite (data, 1, len, stream) == len)
    return TRUE;
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO, "cannot write '%s': %s",
               path, g_strerror (errno));
  return FALSE;
}

/* Writes the elements little-endian: straight from the array's buffer on
 * little-endian hosts, through a small swapped chunk otherwise. */
static gboolean
write_data (FILE *stream, const CondmapArray *array, const char *path,
            GError **error)
{
  size_t esize = condmap_dtype_size (condmap_array_get_dtype (array));
  size_t n = condmap_array_get_n (array);
  const guchar *data = condmap_array_peek_data (array);
  guchar chunk[8192];

  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    return write_all (stream, data, n * esize, path, error);
  for (size_t done = 0; done < n;)
    {
      size_t k = MIN (n - done, sizeof chunk / esize);

      memcpy (chunk, data + done * esize, k * esize);
      byteswap (chunk, k, esize);
      if (!write_all (stream, chunk, k * esize, path, error))
        return FALSE;
      done += k;
    }
  return TRUE;
}

gboolean
condmap_npy_write (const char *path, const CondmapArray *array,
                   GError **error)
{
  g_autoptr (CmAtomicFile) file = NULL;
  g_autoptr (GString) header = NULL;
  FILE *stream;

  g_return_val_if_fail (path != NULL && array != NULL, FALSE);

  file = cm_atomic_file_new (path, error);
  if (file == NULL)
    return FALSE;
  header = build_header (array);
  stream = cm_atomic_file_get_stream (file);
  if (!write_all (stream, header->str, header->len, path, error)
      || !write_data (stream, array, path, error))
    return FALSE;   /* the autoptr removes the temporary file */
  return cm_atomic_file_commit (g_steal_pointer (&file), error);
}
