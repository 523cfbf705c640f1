/* safetensors-header.c - parsing and checking the JSON header of a
 * safetensors checkpoint.
 *
 * cm_st_parse_json() gives the tree of strict JSON without duplicate
 * names; here each entry is checked, and the data offsets must tile the
 * data area exactly, as the reference implementation demands: sorted by
 * offset, tensors lie back to back from 0 to the end of the file. */
#include <string.h>
#include "safetensors-private.h"

static gboolean G_GNUC_PRINTF (4, 5)
entry_error (GError **error, const char *path, const char *name,
             const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *quoted = name ? cm_st_quote (name) : NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (name != NULL)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                 "%s: tensor %s: %s", path, quoted, what);
  else
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT, "%s: %s", path,
                 what);
  return FALSE;
}

/* ---- entries ------------------------------------------------------------ */

/* An integer in [0, 2^63): json-glib gives larger ones as negative. */
static gboolean
get_count (JsonNode *node, guint64 *value)
{
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0)
    return FALSE;
  *value = (guint64) json_node_get_int (node);
  return TRUE;
}

/* The member @key of an entry, which must be there and be of @type. */
static JsonNode *
get_member (JsonObject *entry, const char *key, JsonNodeType type,
            const char *path, const char *name, const char *want,
            GError **error)
{
  JsonNode *node = json_object_get_member (entry, key);

  if (node == NULL)
    entry_error (error, path, name, "its entry has no \"%s\" (an entry is "
                 "{\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": "
                 "[begin, end]})", key);
  else if (json_node_get_node_type (node) != type
           || (type == JSON_NODE_VALUE
               && json_node_get_value_type (node) != G_TYPE_STRING))
    {
      g_autofree char *what = cm_st_describe_node (node);

      entry_error (error, path, name, "\"%s\" is %s, not %s", key, what, want);
      return NULL;
    }
  return node;
}

static gboolean
parse_dtype (JsonObject *obj, CmStEntry *e, const char *path, GError **error)
{
  JsonNode *node = get_member (obj, "dtype", JSON_NODE_VALUE, path, e->name,
                               "a string", error);
  const char *text;

  if (node == NULL)
    return FALSE;
  text = json_node_get_string (node);
  e->dtype = cm_st_dtype_lookup (text);
  if (e->dtype == NULL)
    {
      g_autofree char *quoted = cm_st_quote (text);

      return entry_error (error, path, e->name, "unknown dtype %s "
                          "(safetensors has BOOL, U8, I8, I16, U16, I32, U32, "
                          "I64, U64, F16, BF16, F32, F64, C64, F4, F6_E2M3, "
                          "F6_E3M2 and the F8 types, in capitals)", quoted);
    }
  return TRUE;
}

/* The shape, and the byte size it gives, checked for overflow. */
static gboolean
parse_shape (JsonObject *obj, CmStEntry *e, const char *path, GError **error)
{
  JsonNode *node = get_member (obj, "shape", JSON_NODE_ARRAY, path, e->name,
                               "a list of dimensions", error);
  JsonArray *dims;
  guint64 n = 1, bits;
  gboolean empty = FALSE;

  if (node == NULL)
    return FALSE;
  dims = json_node_get_array (node);
  if (json_array_get_length (dims) > CONDMAP_MAX_RANK)
    return entry_error (error, path, e->name, "the shape has %u dimensions; "
                        "condmap (like NumPy) reads at most %d",
                        json_array_get_length (dims), CONDMAP_MAX_RANK);
  e->rank = json_array_get_length (dims);
  for (unsigned i = 0; i < e->rank; i++)
    {
      JsonNode *dim = json_array_get_element (dims, i);
      guint64 v;

      if (!JSON_NODE_HOLDS_VALUE (dim)
          || json_node_get_value_type (dim) != G_TYPE_INT64)
        {
          g_autofree char *what = cm_st_describe_node (dim);

          return entry_error (error, path, e->name, "dimension %u of the "
                              "shape is %s, not an integer", i, what);
        }
      if (!get_count (dim, &v) || v > G_MAXSIZE)
        return entry_error (error, path, e->name, "dimension %u of the shape "
                            "is negative or too large (the limit is 2^63-1)",
                            i);
      e->shape[i] = (size_t) v;
    }
  /* The product once every dimension is read, so that the message below
   * shows the whole shape.  As NumPy: a zero makes the tensor empty,
   * whatever the rest. */
  for (unsigned i = 0; i < e->rank; i++)
    if (e->shape[i] == 0)
      empty = TRUE;
    else if (__builtin_mul_overflow (n, (guint64) e->shape[i], &n))
      goto overflow;
  if (__builtin_mul_overflow (n, (guint64) e->dtype->bits, &bits)
      || n > G_MAXSIZE || bits / 8 > G_MAXSIZE)
    goto overflow;
  if (empty)
    n = bits = 0;
  if (bits % 8 != 0)
    return entry_error (error, path, e->name, "%" G_GUINT64_FORMAT " elements "
                        "of %s (%u bits each) do not fill whole bytes", n,
                        e->dtype->name, e->dtype->bits);
  e->n_elements = (size_t) n;
  e->n_bytes = (size_t) (bits / 8);
  return TRUE;

overflow:
  {
    g_autofree char *text = condmap_shape_to_string (e->rank, e->shape);

    return entry_error (error, path, e->name, "shape %s of %s is too large: "
                        "its size in bytes overflows 64 bits", text,
                        e->dtype->name);
  }
}

static gboolean
parse_offsets (JsonObject *obj, CmStEntry *e, guint64 data_len,
               const char *path, GError **error)
{
  JsonNode *node = get_member (obj, "data_offsets", JSON_NODE_ARRAY, path,
                               e->name, "a list [begin, end]", error);
  JsonArray *pair;

  if (node == NULL)
    return FALSE;
  pair = json_node_get_array (node);
  if (json_array_get_length (pair) != 2
      || !get_count (json_array_get_element (pair, 0), &e->begin)
      || !get_count (json_array_get_element (pair, 1), &e->end))
    return entry_error (error, path, e->name, "\"data_offsets\" must be two "
                        "integers [begin, end] from 0 to 2^63-1");
  if (e->begin > e->end)
    return entry_error (error, path, e->name, "data offsets [%"
                        G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] end before "
                        "they begin", e->begin, e->end);
  if (e->end > data_len)
    return entry_error (error, path, e->name, "data offsets [%"
                        G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] run past "
                        "the end of the file, which holds %" G_GUINT64_FORMAT
                        " bytes of data after the header: truncated?",
                        e->begin, e->end, data_len);
  if (e->end - e->begin != e->n_bytes)
    {
      g_autofree char *shape = condmap_shape_to_string (e->rank, e->shape);

      return entry_error (error, path, e->name, "data offsets [%"
                          G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] span %"
                          G_GUINT64_FORMAT " bytes, but shape %s of %s takes %"
                          G_GSIZE_FORMAT, e->begin, e->end, e->end - e->begin,
                          shape, e->dtype->name, (gsize) e->n_bytes);
    }
  return TRUE;
}

static void
entry_free (CmStEntry *e)
{
  g_free (e->name);
  g_free (e);
}

static CmStEntry *
parse_entry (const char *name, JsonNode *node, guint position,
             guint64 data_len, const char *path, GError **error)
{
  CmStEntry *e = g_new0 (CmStEntry, 1);
  JsonObject *obj;

  e->name = g_strdup (name);
  e->position = position;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *what = cm_st_describe_node (node);

      entry_error (error, path, name, "its entry is %s, not an object "
                   "{\"dtype\": ..., \"shape\": ..., \"data_offsets\": ...}",
                   what);
      goto fail;
    }
  obj = json_node_get_object (node);
  if (!parse_dtype (obj, e, path, error) || !parse_shape (obj, e, path, error)
      || !parse_offsets (obj, e, data_len, path, error))
    goto fail;
  return e;

fail:
  entry_free (e);
  return NULL;
}

/* ---- the header --------------------------------------------------------- */

static gboolean
parse_metadata (CmStHeader *h, JsonNode *node, const char *path,
                GError **error)
{
  JsonObject *obj;
  g_autoptr (GList) keys = NULL;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *what = cm_st_describe_node (node);

      return entry_error (error, path, NULL, "\"__metadata__\" is %s, not an "
                          "object of strings", what);
    }
  obj = json_node_get_object (node);
  keys = json_object_get_members (obj);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (obj, l->data);
      g_autofree char *key = cm_st_quote (l->data);

      if (!JSON_NODE_HOLDS_VALUE (value)
          || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_autofree char *what = cm_st_describe_node (value);

          return entry_error (error, path, NULL, "metadata %s is %s; "
                              "safetensors metadata maps strings to strings",
                              key, what);
        }
      /* json-glib passes an unpaired surrogate escape on as bad UTF-8. */
      if (!g_utf8_validate (l->data, -1, NULL)
          || !g_utf8_validate (json_node_get_string (value), -1, NULL))
        return entry_error (error, path, NULL, "metadata %s is not valid "
                            "UTF-8 (an unpaired \\u surrogate escape?)", key);
      g_ptr_array_add (h->meta_keys, g_strdup (l->data));
      g_ptr_array_add (h->meta_values, g_strdup (json_node_get_string (value)));
    }
  return TRUE;
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const CmStEntry *x = *(CmStEntry *const *) a, *y = *(CmStEntry *const *) b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

/* Sorted by offset, the tensors must lie back to back over the whole data
 * area: no overlap, no gap, no bytes after the last one. */
static gboolean
check_tiling (CmStHeader *h, guint64 data_len, const char *path,
              GError **error)
{
  const CmStEntry *prev = NULL;
  guint64 at = 0;

  g_ptr_array_sort (h->entries, compare_entries);
  for (guint i = 0; i < h->entries->len; i++)
    {
      const CmStEntry *e = h->entries->pdata[i];

      if (e->begin < at)
        {
          g_autofree char *other = cm_st_quote (prev->name);

          return entry_error (error, path, e->name, "its data [%"
                              G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") "
                              "overlaps that of tensor %s [%" G_GUINT64_FORMAT
                              ", %" G_GUINT64_FORMAT ")", e->begin, e->end,
                              other, prev->begin, prev->end);
        }
      if (e->begin > at)
        return entry_error (error, path, e->name, "its data starts at byte %"
                            G_GUINT64_FORMAT " but the tensors before it end "
                            "at byte %" G_GUINT64_FORMAT ": the bytes between "
                            "belong to no tensor", e->begin, at);
      if (e->end > e->begin)
        prev = e;
      at = e->end;
    }
  if (at != data_len)
    return entry_error (error, path, NULL, "the tensors' data ends at byte %"
                        G_GUINT64_FORMAT " but the file holds %"
                        G_GUINT64_FORMAT " bytes after the header: the rest "
                        "belongs to no tensor", at, data_len);
  for (guint i = 0; i < h->entries->len; i++)
    g_hash_table_insert (h->by_name,
                         ((CmStEntry *) h->entries->pdata[i])->name,
                         GUINT_TO_POINTER (i + 1));
  return TRUE;
}

void
cm_st_header_free (CmStHeader *h)
{
  if (h == NULL)
    return;
  g_ptr_array_unref (h->entries);
  g_hash_table_unref (h->by_name);
  g_ptr_array_unref (h->meta_keys);
  g_ptr_array_unref (h->meta_values);
  g_free (h);
}

CmStHeader *
cm_st_header_parse (const char *text, size_t len, guint64 data_len,
                    const char *path, GError **error)
{
  g_autoptr (CmStHeader) h = g_new0 (CmStHeader, 1);
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GList) names = NULL;
  JsonObject *obj;
  guint position = 0;

  h->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  h->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  h->meta_keys = g_ptr_array_new_with_free_func (g_free);
  h->meta_values = g_ptr_array_new_with_free_func (g_free);
  root = cm_st_parse_json (text, len, path, error);
  if (root == NULL)
    return NULL;
  obj = json_node_get_object (root);
  names = json_object_get_members (obj);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      CmStEntry *e;

      if (!g_utf8_validate (name, -1, NULL))
        {
          entry_error (error, path, name, "the name is not valid UTF-8 (an "
                       "unpaired \\u surrogate escape?)");
          return NULL;
        }
      if (strcmp (name, "__metadata__") == 0)
        {
          if (!parse_metadata (h, node, path, error))
            return NULL;
          continue;
        }
      e = parse_entry (name, node, position++, data_len, path, error);
      if (e == NULL)
        return NULL;
      g_ptr_array_add (h->entries, e);
    }
  if (!check_tiling (h, data_len, path, error))
    return NULL;
  return g_steal_pointer (&h);
}
