/* safetensors.c - reading a safetensors checkpoint through a read-only
 * mapping of the file: 8 bytes of header length (little-endian), the JSON
 * header (safetensors-header.c), then the tensors' bytes, which the
 * caller reads in place.  Every size in the header is checked against the
 * file's length before anything points into it. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "safetensors-private.h"

struct _CondmapSafetensors {
  char *path;
  guchar *map;          /* the whole file, PROT_READ */
  size_t map_len;
  size_t data_start;    /* 8 + the header's length */
  CmStHeader *header;
};

/* ---- dtypes ------------------------------------------------------------- */

/* The format's dtypes (those of the reference implementation). */
static const CmStDtype dtypes[] = {
  { "F64", 64, CONDMAP_TENSOR_DTYPE_F64 },
  { "F32", 32, CONDMAP_TENSOR_DTYPE_F32 },
  { "F16", 16, CONDMAP_TENSOR_DTYPE_F16 },
  { "BF16", 16, CONDMAP_TENSOR_DTYPE_BF16 },
  { "BOOL", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "U8", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "I8", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "I16", 16, CONDMAP_TENSOR_DTYPE_OTHER },
  { "U16", 16, CONDMAP_TENSOR_DTYPE_OTHER },
  { "I32", 32, CONDMAP_TENSOR_DTYPE_OTHER },
  { "U32", 32, CONDMAP_TENSOR_DTYPE_OTHER },
  { "I64", 64, CONDMAP_TENSOR_DTYPE_OTHER },
  { "U64", 64, CONDMAP_TENSOR_DTYPE_OTHER },
  { "C64", 64, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F8_E5M2", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F8_E4M3", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F8_E8M0", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F8_E4M3FNUZ", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F8_E5M2FNUZ", 8, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F6_E2M3", 6, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F6_E3M2", 6, CONDMAP_TENSOR_DTYPE_OTHER },
  { "F4", 4, CONDMAP_TENSOR_DTYPE_OTHER },
};

const CmStDtype *
cm_st_dtype_lookup (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (dtypes); i++)
    if (strcmp (name, dtypes[i].name) == 0)
      return &dtypes[i];
  return NULL;
}

unsigned
condmap_tensor_dtype_bits (const char *name)
{
  const CmStDtype *d = cm_st_dtype_lookup (name);

  return d ? d->bits : 0;
}

const char *
condmap_tensor_dtype_name (CondmapTensorDtype dtype)
{
  switch (dtype)
    {
    case CONDMAP_TENSOR_DTYPE_F64: return "F64";
    case CONDMAP_TENSOR_DTYPE_F32: return "F32";
    case CONDMAP_TENSOR_DTYPE_F16: return "F16";
    case CONDMAP_TENSOR_DTYPE_BF16: return "BF16";
    default: return NULL;
    }
}

CondmapTensorDtype
condmap_tensor_dtype_from_name (const char *name)
{
  const CmStDtype *d = cm_st_dtype_lookup (name);

  return d ? d->dtype : CONDMAP_TENSOR_DTYPE_OTHER;
}

char *
cm_st_quote (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *s = g_string_new ("'");
  const char *p = valid;

  for (unsigned n = 0; *p != '\0' && n < 200; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_len (s, p, g_utf8_next_char (p) - p);
    }
  g_string_append (s, *p != '\0' ? "...'" : "'");
  return g_string_free (s, FALSE);
}

/* ---- opening ------------------------------------------------------------ */

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

/* Maps the whole of an open regular file. */
static gboolean
map_file (CondmapSafetensors *st, FILE *f, guint64 size, GError **error)
{
  int saved;

  if (size > G_MAXSIZE)
    return format_error (error, st->path, "the file (%" G_GUINT64_FORMAT
                         " bytes) is too large to map on this machine", size);
  if (size < 8)
    return format_error (error, st->path, "the file holds %" G_GUINT64_FORMAT
                         " bytes, too few for a safetensors file (it starts "
                         "with 8 bytes of header length)", size);
  st->map = mmap (NULL, (size_t) size, PROT_READ, MAP_PRIVATE, fileno (f), 0);
  if (st->map == MAP_FAILED)
    {
      saved = errno;
      st->map = NULL;
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot map '%s' into memory: %s", st->path,
                   g_strerror (saved));
      return FALSE;
    }
  st->map_len = (size_t) size;
  return TRUE;
}

/* The header length, checked against the limit and the file's length. */
static gboolean
check_prefix (CondmapSafetensors *st, guint64 *header_len, GError **error)
{
  guint64 n;

  memcpy (&n, st->map, 8);
  n = GUINT64_FROM_LE (n);
  if (memcmp (st->map, "\x93NUMPY", 6) == 0)
    return format_error (error, st->path, "this is a NumPy .npy file, not a "
                         "safetensors checkpoint");
  if (n > CM_ST_MAX_HEADER)
    return format_error (error, st->path, "the header length in the first 8 "
                         "bytes, %" G_GUINT64_FORMAT ", is implausibly large "
                         "(the limit is %u bytes): not a safetensors file, or "
                         "a damaged one", n, CM_ST_MAX_HEADER);
  if (n > st->map_len - 8)
    return format_error (error, st->path, "the header length in the first 8 "
                         "bytes, %" G_GUINT64_FORMAT ", runs past the end of "
                         "the file, which holds %" G_GSIZE_FORMAT " bytes "
                         "after it: truncated?", n, st->map_len - 8);
  *header_len = n;
  return TRUE;
}

CondmapSafetensors *
condmap_safetensors_open (const char *path, GError **error)
{
  g_autoptr (CondmapSafetensors) st = NULL;
  guint64 header_len = 0;
  struct stat sb;
  gboolean ok;
  FILE *f;

  g_return_val_if_fail (path != NULL, NULL);

  f = cm_open_regular (path, &sb, error);
  if (f == NULL)
    return NULL;
  st = g_new0 (CondmapSafetensors, 1);
  st->path = g_strdup (path);
  ok = map_file (st, f, (guint64) sb.st_size, error);
  fclose (f);   /* the mapping stays */
  if (!ok || !check_prefix (st, &header_len, error))
    return NULL;
  st->data_start = 8 + (size_t) header_len;
  st->header = cm_st_header_parse ((const char *) st->map + 8,
                                   (size_t) header_len,
                                   st->map_len - st->data_start, path, error);
  if (st->header == NULL)
    return NULL;
  return g_steal_pointer (&st);
}

void
condmap_safetensors_free (CondmapSafetensors *st)
{
  if (st == NULL)
    return;
  if (st->map != NULL)
    munmap (st->map, st->map_len);
  cm_st_header_free (st->header);
  g_free (st->path);
  g_free (st);
}

/* ---- accessors ---------------------------------------------------------- */

const char *
condmap_safetensors_get_path (const CondmapSafetensors *st)
{
  g_return_val_if_fail (st != NULL, NULL);
  return st->path;
}

size_t
condmap_safetensors_get_n_tensors (const CondmapSafetensors *st)
{
  g_return_val_if_fail (st != NULL, 0);
  return st->header->entries->len;
}

gboolean
condmap_safetensors_get_tensor (const CondmapSafetensors *st, size_t i,
                                CondmapTensorInfo *info)
{
  const CmStEntry *e;

  g_return_val_if_fail (st != NULL && info != NULL, FALSE);

  if (i >= st->header->entries->len)
    return FALSE;
  e = st->header->entries->pdata[i];
  info->name = e->name;
  info->dtype_name = e->dtype->name;
  info->dtype = e->dtype->dtype;
  info->rank = e->rank;
  info->shape = e->shape;
  info->n_elements = e->n_elements;
  info->n_bytes = e->n_bytes;
  info->offset = st->data_start + e->begin;
  info->data = st->map + st->data_start + e->begin;
  return TRUE;
}

gssize
condmap_safetensors_find (const CondmapSafetensors *st, const char *name)
{
  g_return_val_if_fail (st != NULL && name != NULL, -1);
  return (gssize) GPOINTER_TO_UINT (g_hash_table_lookup (st->header->by_name,
                                                         name)) - 1;
}

void
condmap_safetensors_release (const CondmapSafetensors *st, size_t i)
{
  const CmStEntry *e;
  size_t page = (size_t) sysconf (_SC_PAGESIZE), begin, end;

  g_return_if_fail (st != NULL);

  if (i >= st->header->entries->len)
    return;
  e = st->header->entries->pdata[i];
  if (e->n_bytes == 0)
    return;
  /* Whole pages, outward: a page shared with a neighbour is dropped too,
   * which only costs a reread if the neighbour is still to be read. */
  begin = (st->data_start + e->begin) / page * page;
  end = st->data_start + e->end;   /* madvise() rounds up to the page */
#ifdef MADV_DONTNEED
  /* The mapping is private and never written: the kernel drops the
   * pages and refaults them from the file. */
  madvise (st->map + begin, end - begin, MADV_DONTNEED);
#endif
}

size_t
condmap_safetensors_get_n_metadata (const CondmapSafetensors *st)
{
  g_return_val_if_fail (st != NULL, 0);
  return st->header->meta_keys->len;
}

const char *
condmap_safetensors_get_metadata_key (const CondmapSafetensors *st, size_t i)
{
  g_return_val_if_fail (st != NULL, NULL);
  return i < st->header->meta_keys->len ? st->header->meta_keys->pdata[i]
                                        : NULL;
}

const char *
condmap_safetensors_get_metadata_value (const CondmapSafetensors *st, size_t i)
{
  g_return_val_if_fail (st != NULL, NULL);
  return i < st->header->meta_values->len ? st->header->meta_values->pdata[i]
                                          : NULL;
}

const char *
condmap_safetensors_lookup_metadata (const CondmapSafetensors *st,
                                     const char *key)
{
  g_return_val_if_fail (st != NULL && key != NULL, NULL);
  for (guint i = 0; i < st->header->meta_keys->len; i++)
    if (strcmp (st->header->meta_keys->pdata[i], key) == 0)
      return st->header->meta_values->pdata[i];
  return NULL;
}
