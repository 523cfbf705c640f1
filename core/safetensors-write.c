/* safetensors-write.c - writing a safetensors checkpoint without holding
 * it in memory.
 *
 * Every tensor is declared first, so the header (json-glib's generator,
 * padded with spaces to a multiple of 8 bytes as the reference writer
 * does) is known before any data; then each chunk of data goes straight
 * to its place with pwrite().  The file is written under a temporary name
 * beside the destination (atomic-file.c) and renamed into place by
 * _commit(), after a check that every byte of every tensor was written:
 * a sparse hole of zeros would otherwise pass for data. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include "safetensors-private.h"

/* A range of a tensor's bytes that has been written: [begin, end). */
typedef struct {
  guint64 begin, end;
} Range;

typedef struct {
  CmStEntry entry;   /* begin and end: from the end of the header */
  GArray *written;   /* Range, sorted, disjoint and not touching */
} Tensor;

struct _CondmapSafetensorsWriter {
  char *path;
  CmAtomicFile *file;
  GPtrArray *tensors;     /* Tensor*, in the order added */
  GHashTable *names;      /* the tensors' names */
  GPtrArray *meta_keys;   /* char* */
  GPtrArray *meta_values; /* char* */
  guint64 data_len;
  guint64 data_start;     /* 8 + the header's length, once begun */
  gboolean begun;
  GMutex lock;            /* the written ranges: _write() runs on threads */
};

static void
tensor_free (Tensor *t)
{
  g_free (t->entry.name);
  g_array_unref (t->written);
  g_free (t);
}

CondmapSafetensorsWriter *
condmap_safetensors_writer_new (const char *path, GError **error)
{
  CondmapSafetensorsWriter *w;
  CmAtomicFile *file;

  g_return_val_if_fail (path != NULL, NULL);

  file = cm_atomic_file_new (path, error);
  if (file == NULL)
    return NULL;
  w = g_new0 (CondmapSafetensorsWriter, 1);
  w->path = g_strdup (path);
  w->file = file;
  w->tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) tensor_free);
  w->names = g_hash_table_new (g_str_hash, g_str_equal);
  w->meta_keys = g_ptr_array_new_with_free_func (g_free);
  w->meta_values = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&w->lock);
  return w;
}

static void
writer_free (CondmapSafetensorsWriter *w)
{
  g_ptr_array_unref (w->tensors);
  g_hash_table_unref (w->names);
  g_ptr_array_unref (w->meta_keys);
  g_ptr_array_unref (w->meta_values);
  g_mutex_clear (&w->lock);
  g_free (w->path);
  g_free (w);
}

void
condmap_safetensors_writer_abort (CondmapSafetensorsWriter *w)
{
  if (w == NULL)
    return;
  cm_atomic_file_abort (w->file);
  writer_free (w);
}

static gboolean G_GNUC_PRINTF (4, 5)
input_error (GError **error, const CondmapSafetensorsWriter *w,
             const char *name, const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *quoted = cm_st_quote (name);
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "cannot write '%s': tensor %s: %s", w->path, quoted, what);
  return FALSE;
}

/* ---- declaring ---------------------------------------------------------- */

gboolean
condmap_safetensors_writer_add (CondmapSafetensorsWriter *w, const char *name,
                                const char *dtype, unsigned rank,
                                const size_t *shape, GError **error)
{
  const CmStDtype *d = cm_st_dtype_lookup (dtype);
  guint64 n = 1, bits, end;
  gboolean empty = FALSE;
  Tensor *t;

  g_return_val_if_fail (w != NULL && name != NULL && dtype != NULL, FALSE);
  g_return_val_if_fail (rank == 0 || shape != NULL, FALSE);
  g_return_val_if_fail (!w->begun, FALSE);

  if (!g_utf8_validate (name, -1, NULL))
    return input_error (error, w, name, "the name is not valid UTF-8");
  if (strcmp (name, "__metadata__") == 0)
    return input_error (error, w, name, "the name is reserved for the "
                        "metadata");
  if (g_hash_table_contains (w->names, name))
    return input_error (error, w, name, "a tensor of this name was already "
                        "added");
  if (d == NULL)
    {
      g_autofree char *quoted = cm_st_quote (dtype);

      return input_error (error, w, name, "unknown dtype %s", quoted);
    }
  if (rank > CONDMAP_MAX_RANK)
    return input_error (error, w, name, "rank %u is above the limit of %d",
                        rank, CONDMAP_MAX_RANK);
  for (unsigned i = 0; i < rank; i++)
    if (shape[i] == 0)
      empty = TRUE;
    else if (__builtin_mul_overflow (n, (guint64) shape[i], &n))
      goto overflow;
  /* The header holds offsets as JSON integers, which readers take as
   * signed 64-bit. */
  if (__builtin_mul_overflow (n, (guint64) d->bits, &bits)
      || __builtin_add_overflow (w->data_len, empty ? 0 : bits / 8, &end)
      || end > G_MAXINT64 || n > G_MAXSIZE)
    goto overflow;
  if (!empty && bits % 8 != 0)
    return input_error (error, w, name, "%" G_GUINT64_FORMAT " elements of "
                        "%s do not fill whole bytes", n, d->name);
  t = g_new0 (Tensor, 1);
  t->entry.name = g_strdup (name);
  t->entry.dtype = d;
  t->entry.rank = rank;
  if (rank > 0)
    memcpy (t->entry.shape, shape, rank * sizeof *shape);
  t->entry.n_elements = empty ? 0 : (size_t) n;
  t->entry.n_bytes = (size_t) (end - w->data_len);
  t->entry.begin = w->data_len;
  t->entry.end = end;
  t->written = g_array_new (FALSE, FALSE, sizeof (Range));
  w->data_len = end;
  g_ptr_array_add (w->tensors, t);
  g_hash_table_add (w->names, t->entry.name);
  return TRUE;

overflow:
  {
    g_autofree char *text = condmap_shape_to_string (rank, shape);

    return input_error (error, w, name, "shape %s of %s is too large: the "
                        "file's size would overflow", text, d->name);
  }
}

gboolean
condmap_safetensors_writer_set_metadata (CondmapSafetensorsWriter *w,
                                         const char *key, const char *value,
                                         GError **error)
{
  g_return_val_if_fail (w != NULL && key != NULL && value != NULL, FALSE);
  g_return_val_if_fail (!w->begun, FALSE);

  if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
    {
      g_autofree char *quoted = cm_st_quote (key);

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot write '%s': metadata %s: not valid UTF-8",
                   w->path, quoted);
      return FALSE;
    }
  for (guint i = 0; i < w->meta_keys->len; i++)
    if (strcmp (w->meta_keys->pdata[i], key) == 0)
      {
        g_free (w->meta_values->pdata[i]);
        w->meta_values->pdata[i] = g_strdup (value);
        return TRUE;
      }
  g_ptr_array_add (w->meta_keys, g_strdup (key));
  g_ptr_array_add (w->meta_values, g_strdup (value));
  return TRUE;
}

/* ---- the header --------------------------------------------------------- */

static void
add_entry (JsonBuilder *b, const CmStEntry *e)
{
  json_builder_set_member_name (b, e->name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, e->dtype->name);
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (unsigned i = 0; i < e->rank; i++)
    json_builder_add_int_value (b, (gint64) e->shape[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "data_offsets");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, (gint64) e->begin);
  json_builder_add_int_value (b, (gint64) e->end);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* The length prefix, the JSON and its padding. */
static GString *
build_header (const CondmapSafetensorsWriter *w)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL;
  gsize len = 0;
  guint64 prefix;
  GString *out;

  json_builder_begin_object (b);
  if (w->meta_keys->len > 0)
    {
      json_builder_set_member_name (b, "__metadata__");
      json_builder_begin_object (b);
      for (guint i = 0; i < w->meta_keys->len; i++)
        {
          json_builder_set_member_name (b, w->meta_keys->pdata[i]);
          json_builder_add_string_value (b, w->meta_values->pdata[i]);
        }
      json_builder_end_object (b);
    }
  for (guint i = 0; i < w->tensors->len; i++)
    add_entry (b, &((const Tensor *) w->tensors->pdata[i])->entry);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, &len);
  out = g_string_sized_new (8 + len + 8);
  prefix = GUINT64_TO_LE ((guint64) (len + (8 - len % 8) % 8));
  g_string_append_len (out, (const char *) &prefix, 8);
  g_string_append_len (out, json, (gssize) len);
  while (out->len % 8 != 0)
    g_string_append_c (out, ' ');
  return out;
}

/* pwrite() all of it, through short writes and signals. */
static gboolean
write_at (CondmapSafetensorsWriter *w, const char *name, guint64 offset,
          const void *data, size_t len, GError **error)
{
  int fd = cm_atomic_file_get_fd (w->file);
  const guchar *p = data;

  while (len > 0)
    {
      ssize_t done = pwrite (fd, p, MIN (len, (size_t) G_MAXSSIZE),
                             (off_t) offset);

      if (done < 0 && errno == EINTR)
        continue;
      if (done <= 0)
        {
          g_autofree char *quoted = name ? cm_st_quote (name) : NULL;
          int saved = done < 0 ? errno : ENOSPC;

          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                       "cannot write '%s'%s%s: %s", w->path,
                       name ? ": tensor " : "", name ? quoted : "",
                       g_strerror (saved));
          return FALSE;
        }
      p += done;
      len -= (size_t) done;
      offset += (guint64) done;
    }
  return TRUE;
}

gboolean
condmap_safetensors_writer_begin (CondmapSafetensorsWriter *w, GError **error)
{
  g_autoptr (GString) header = NULL;
  int fd;

  g_return_val_if_fail (w != NULL && !w->begun, FALSE);

  header = build_header (w);
  if (header->len - 8 > CM_ST_MAX_HEADER)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot write '%s': its header would take %" G_GSIZE_FORMAT
                   " bytes, above the limit of %u that readers accept",
                   w->path, (gsize) header->len - 8, CM_ST_MAX_HEADER);
      return FALSE;
    }
  w->data_start = header->len;
  fd = cm_atomic_file_get_fd (w->file);
  /* The file's final size at once: chunks can land anywhere. */
  if (ftruncate (fd, (off_t) (w->data_start + w->data_len)) != 0)
    {
      int saved = errno;

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot write '%s': %s", w->path, g_strerror (saved));
      return FALSE;
    }
  if (!write_at (w, NULL, 0, header->str, header->len, error))
    return FALSE;
  w->begun = TRUE;
  return TRUE;
}

/* ---- data --------------------------------------------------------------- */

/* Adds [begin, end) to the sorted, disjoint ranges, merging what touches. */
static void
add_range (GArray *ranges, guint64 begin, guint64 end)
{
  guint lo = 0, hi = ranges->len, j;

  /* The first range that ends at or after @begin. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (ranges, Range, mid).end < begin)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (j = lo; j < ranges->len && g_array_index (ranges, Range, j).begin <= end;
       j++)
    {
      begin = MIN (begin, g_array_index (ranges, Range, j).begin);
      end = MAX (end, g_array_index (ranges, Range, j).end);
    }
  if (j > lo)
    g_array_remove_range (ranges, lo, j - lo);
  g_array_insert_val (ranges, lo, ((Range) { begin, end }));
}

gboolean
condmap_safetensors_writer_write (CondmapSafetensorsWriter *w, size_t index,
                                  guint64 offset_bytes, const void *data,
                                  size_t n_bytes, GError **error)
{
  Tensor *t;

  g_return_val_if_fail (w != NULL && (data != NULL || n_bytes == 0), FALSE);
  g_return_val_if_fail (w->begun, FALSE);

  if (index >= w->tensors->len)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot write '%s': no tensor %" G_GSIZE_FORMAT " (%u were "
                   "added)", w->path, (gsize) index, w->tensors->len);
      return FALSE;
    }
  t = w->tensors->pdata[index];
  if (offset_bytes > t->entry.n_bytes
      || n_bytes > t->entry.n_bytes - offset_bytes)
    return input_error (error, w, t->entry.name, "%" G_GSIZE_FORMAT " bytes "
                        "at offset %" G_GUINT64_FORMAT " lie outside its %"
                        G_GSIZE_FORMAT, (gsize) n_bytes, offset_bytes,
                        (gsize) t->entry.n_bytes);
  if (n_bytes == 0)
    return TRUE;
  if (!write_at (w, t->entry.name,
                 w->data_start + t->entry.begin + offset_bytes, data, n_bytes,
                 error))
    return FALSE;
  g_mutex_lock (&w->lock);
  add_range (t->written, offset_bytes, offset_bytes + n_bytes);
  g_mutex_unlock (&w->lock);
  return TRUE;
}

/* The first tensor with a byte never written, as an error. */
static gboolean
check_complete (CondmapSafetensorsWriter *w, GError **error)
{
  for (guint i = 0; i < w->tensors->len; i++)
    {
      const Tensor *t = w->tensors->pdata[i];
      const Range *r = (const Range *) t->written->data;
      guint64 gap_begin = 0, gap_end = t->entry.n_bytes;

      if (t->entry.n_bytes == 0
          || (t->written->len == 1 && r->begin == 0
              && r->end == t->entry.n_bytes))
        continue;
      if (t->written->len > 0 && r->begin == 0)
        gap_begin = r->end;
      else if (t->written->len > 0)
        gap_end = r->begin;
      if (t->written->len > 1 && r->begin == 0)
        gap_end = r[1].begin;
      return input_error (error, w, t->entry.name, "bytes [%" G_GUINT64_FORMAT
                          ", %" G_GUINT64_FORMAT ") of its %" G_GSIZE_FORMAT
                          " were never written", gap_begin, gap_end,
                          (gsize) t->entry.n_bytes);
    }
  return TRUE;
}

gboolean
condmap_safetensors_writer_commit (CondmapSafetensorsWriter *w, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (w != NULL, FALSE);

  if (!w->begun)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot write '%s': the header was never written "
                   "(condmap_safetensors_writer_begin() comes first)",
                   w->path);
      condmap_safetensors_writer_abort (w);
      return FALSE;
    }
  if (!check_complete (w, error))
    {
      condmap_safetensors_writer_abort (w);
      return FALSE;
    }
  ok = cm_atomic_file_commit (g_steal_pointer (&w->file), error);
  writer_free (w);
  return ok;
}
