/* checkpoint-record.c - OUTDIR/params.yaml of a converted checkpoint:
 *
 *   format: condmap-checkpoint/1
 *   layout: safetensors            # or npy
 *   tensors:                       # in the checkpoint's order
 *   - name: layer1.bias
 *     passthrough: true
 *   - name: layer1.weight
 *     tensor_dtype: BF16           # as in the model
 *     plane_dtype: F32             # as the planes are stored
 *     converter: dual-pair         # then the keys of a params sidecar
 *     config: {g_min: 0, g_max: 25, ...}
 *     shape: [256, 784]
 *     dtype: float32               # the dtype the conversion ran in
 *     params: {scale_ratio: 30.46}
 *     planes: [g_plus_0, g_minus_0]
 *     plane_tensors: ["layer1.weight:g_plus_0", "layer1.weight:g_minus_0"]
 *
 * (plane_files: [layer1.weight/g_plus_0.npy, ...] in the npy layout.)
 * Each converted tensor's fields are read by the params sidecar's reader
 * (sidecar.c), so that the two records keep one set of rules; what is
 * added here is checked as strictly: known keys with a did-you-mean,
 * file:line in every message, plane files that stay inside OUTDIR. */
#include <string.h>
#include "checkpoint-private.h"

static const char *const top_keys[] = { "format", "layout", "tensors" };
static const char *const entry_keys[] = {
  "name", "passthrough", "tensor_dtype", "plane_dtype", "converter",
  "config", "shape", "dtype", "params", "planes", "plane_tensors",
  "plane_files"
};

/* ---- the object -------------------------------------------------------- */

static void
entry_free (gpointer data)
{
  CmCkptEntry *e = data;

  g_free (e->name);
  condmap_sidecar_free (e->sc);
  g_strfreev (e->stored);
  g_free (e);
}

CmCkptRecord *
cm_ckpt_record_new (gboolean npy)
{
  CmCkptRecord *r = g_new0 (CmCkptRecord, 1);

  r->npy = npy;
  r->entries = g_ptr_array_new_with_free_func (entry_free);
  return r;
}

void
cm_ckpt_record_free (CmCkptRecord *record)
{
  if (record == NULL)
    return;
  /* The sidecars borrow config nodes from the tree: they go first. */
  g_ptr_array_unref (record->entries);
  cm_node_free (record->root);
  g_free (record->path);
  g_free (record);
}

void
cm_ckpt_record_add (CmCkptRecord *record, const char *name,
                    CondmapTensorDtype tensor_dtype,
                    CondmapTensorDtype plane_dtype, CondmapSidecar *sc,
                    const char *const *stored)
{
  CmCkptEntry *e = g_new0 (CmCkptEntry, 1);

  e->name = g_strdup (name);
  e->tensor_dtype = tensor_dtype;
  e->plane_dtype = plane_dtype;
  e->sc = sc;
  e->stored = g_strdupv ((char **) stored);
  g_ptr_array_add (record->entries, e);
}

gboolean
cm_ckpt_is_inside (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (*path == '\0' || *path == '/' || strchr (path, '\\') != NULL)
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (char **p = parts; *p != NULL; p++)
    if (**p == '\0' || strcmp (*p, ".") == 0 || strcmp (*p, "..") == 0)
      return FALSE;
  return TRUE;
}

/* ---- writing ----------------------------------------------------------- */

static gboolean
emit_pair (yaml_emitter_t *e, const char *key, const char *value)
{
  return cm_sidecar_emit_scalar (e, key, FALSE)
         && cm_sidecar_emit_scalar (e, value, FALSE);
}

static gboolean
emit_entry (yaml_emitter_t *e, const CmCkptRecord *r, const CmCkptEntry *t)
{
  gboolean ok = cm_sidecar_emit_open (e, TRUE, FALSE)
                && emit_pair (e, "name", t->name);

  if (t->sc == NULL)
    return ok && cm_sidecar_emit_scalar (e, "passthrough", FALSE)
           && cm_sidecar_emit_scalar (e, "true", TRUE)
           && cm_sidecar_emit_close (e, TRUE);
  ok = ok
       && emit_pair (e, "tensor_dtype",
                     condmap_tensor_dtype_name (t->tensor_dtype))
       && emit_pair (e, "plane_dtype",
                     condmap_tensor_dtype_name (t->plane_dtype))
       && cm_sidecar_emit_fields (e, t->sc, NULL)
       && cm_sidecar_emit_scalar (e, r->npy ? "plane_files"
                                            : "plane_tensors", FALSE)
       && cm_sidecar_emit_open (e, FALSE, TRUE);
  for (char **s = t->stored; ok && *s != NULL; s++)
    ok = cm_sidecar_emit_scalar (e, *s, FALSE);
  return ok && cm_sidecar_emit_close (e, FALSE)
         && cm_sidecar_emit_close (e, TRUE);
}

static gboolean
emit_record (yaml_emitter_t *e, gconstpointer data)
{
  const CmCkptRecord *r = data;
  char format[48];
  gboolean ok;

  g_snprintf (format, sizeof format, CM_CKPT_FORMAT_PREFIX "%d",
              CM_CKPT_FORMAT_VERSION);
  ok = cm_sidecar_emit_open (e, TRUE, FALSE)
       && emit_pair (e, "format", format)
       && emit_pair (e, "layout", r->npy ? "npy" : "safetensors")
       && cm_sidecar_emit_scalar (e, "tensors", FALSE)
       && cm_sidecar_emit_open (e, FALSE, FALSE);
  for (guint i = 0; ok && i < r->entries->len; i++)
    ok = emit_entry (e, r, r->entries->pdata[i]);
  return ok && cm_sidecar_emit_close (e, FALSE)
         && cm_sidecar_emit_close (e, TRUE);
}

gboolean
cm_ckpt_record_write (const CmCkptRecord *record, const char *path,
                      GError **error)
{
  return cm_sidecar_write_document (path, emit_record, record, error);
}

/* ---- reading ----------------------------------------------------------- */

/* A FORMAT error at @at's line of @path (cm_node_error). */
#define refuse(error, path, at, ...) \
  cm_node_error ((error), CONDMAP_ERROR_FORMAT, (path), (at), __VA_ARGS__)

static gboolean
check_keys (const char *path, const CmNode *map, const char *const *known,
            gsize n_known, const char *what, GError **error)
{
  for (guint i = 0; i < map->children->len; i += 2)
    {
      const CmNode *key = map->children->pdata[i];
      const char *guess;
      gboolean found = FALSE;

      for (gsize k = 0; k < n_known; k++)
        found = found || strcmp (key->value, known[k]) == 0;
      if (found)
        continue;
      guess = cm_suggest (key->value, known, n_known);
      return refuse (error, path, key, "unknown key '%s'%s%s%s in %s",
                     key->value, guess ? " - did you mean '" : "",
                     guess ? guess : "", guess ? "'?" : "", what);
    }
  return TRUE;
}

static gboolean
read_format (const char *path, const CmNode *root, GError **error)
{
  const CmNode *node = cm_node_lookup (root, "format");
  char expected[48];

  g_snprintf (expected, sizeof expected, CM_CKPT_FORMAT_PREFIX "%d",
              CM_CKPT_FORMAT_VERSION);
  if (node == NULL)
    return refuse (error, path, root, "the key 'format' is missing: this "
                   "is not the record of a converted checkpoint (its first "
                   "line is 'format: %s')", expected);
  if (node->kind != CM_NODE_SCALAR || strcmp (node->value, expected) != 0)
    {
      g_autofree char *what = cm_node_describe (node);

      return refuse (error, path, node, "'format' must be %s, not %s%s",
                     expected, what,
                     node->kind == CM_NODE_SCALAR
                     && g_str_has_prefix (node->value, CM_CKPT_FORMAT_PREFIX)
                     ? ": written by another condmap version" : "");
    }
  return TRUE;
}

static CondmapTensorDtype
read_tensor_dtype (const char *path, const CmNode *map, const char *key,
                   gboolean plane, GError **error)
{
  const CmNode *node = cm_node_lookup (map, key);
  CondmapTensorDtype d = CONDMAP_TENSOR_DTYPE_OTHER;

  if (node == NULL)
    {
      refuse (error, path, map, "the key '%s' is missing", key);
      return CONDMAP_TENSOR_DTYPE_OTHER;
    }
  if (node->kind == CM_NODE_SCALAR)
    d = condmap_tensor_dtype_from_name (node->value);
  if (d == CONDMAP_TENSOR_DTYPE_OTHER
      || (plane && d == CONDMAP_TENSOR_DTYPE_BF16))
    {
      g_autofree char *what = cm_node_describe (node);

      refuse (error, path, node, "'%s' must be %s, not %s", key,
              plane ? "F16, F32 or F64" : "F64, F32, F16 or BF16", what);
      return CONDMAP_TENSOR_DTYPE_OTHER;
    }
  return d;
}

/* The stored location of each plane, one per plane name. */
static char **
read_stored (const char *path, const CmNode *map, gboolean npy,
             guint n_planes, GError **error)
{
  const char *key = npy ? "plane_files" : "plane_tensors";
  const CmNode *node = cm_node_lookup (map, key);
  g_autoptr (GPtrArray) list = g_ptr_array_new ();

  if (node == NULL)
    {
      refuse (error, path, map, "the key '%s' is missing (the %s layout "
              "records where each plane is)", key,
              npy ? "npy" : "safetensors");
      return NULL;
    }
  if (node->kind != CM_NODE_SEQUENCE || node->children->len != n_planes)
    {
      refuse (error, path, node, "'%s' must list one %s per plane (%u)",
              key, npy ? "file" : "tensor", n_planes);
      return NULL;
    }
  for (guint i = 0; i < n_planes; i++)
    {
      const CmNode *item = node->children->pdata[i];

      if (item->kind != CM_NODE_SCALAR || *item->value == '\0'
          || (npy && !cm_ckpt_is_inside (item->value)))
        {
          g_autofree char *what = cm_node_describe (item);

          refuse (error, path, item, "%s %u is %s: %s", key, i, what,
                  npy ? "plane files must be relative paths inside the "
                  "output directory (no leading '/', no '..')"
                  : "a plane tensor's name is a non-empty string");
          return NULL;
        }
      g_ptr_array_add (list, item->value);
    }
  g_ptr_array_add (list, NULL);
  return g_strdupv ((char **) list->pdata);
}

static gboolean
read_entry (CmCkptRecord *r, const CmNode *map, GError **error)
{
  const CmNode *name = NULL, *pass = NULL;
  CondmapTensorDtype tensor_dtype, plane_dtype;
  gboolean passthrough = FALSE;
  g_autoptr (CondmapSidecar) sc = NULL;
  g_auto (GStrv) stored = NULL;

  if (map->kind != CM_NODE_MAPPING)
    return refuse (error, r->path, map, "each item of 'tensors' is a "
                   "mapping that starts with 'name:'");
  if (!check_keys (r->path, map, entry_keys, G_N_ELEMENTS (entry_keys),
                   "a tensor of 'tensors'", error))
    return FALSE;
  name = cm_node_lookup (map, "name");
  if (name == NULL || name->kind != CM_NODE_SCALAR || *name->value == '\0')
    return refuse (error, r->path, name ? name : map, "each tensor needs "
                   "'name:', the tensor's name in the checkpoint");
  pass = cm_node_lookup (map, "passthrough");
  if (pass != NULL && !cm_node_to_boolean (pass, &passthrough))
    return refuse (error, r->path, pass, "'passthrough' must be true or "
                   "false");
  if (passthrough)
    {
      if (map->children->len != 4)
        return refuse (error, r->path, map, "tensor '%s' passes through: "
                       "it has only 'name' and 'passthrough'", name->value);
      cm_ckpt_record_add (r, name->value, CONDMAP_TENSOR_DTYPE_OTHER,
                          CONDMAP_TENSOR_DTYPE_OTHER, NULL, NULL);
      return TRUE;
    }
  if ((tensor_dtype = read_tensor_dtype (r->path, map, "tensor_dtype",
                                         FALSE, error)) == 0
      || (plane_dtype = read_tensor_dtype (r->path, map, "plane_dtype",
                                           TRUE, error)) == 0
      || (sc = cm_sidecar_new_from_node (r->path, map, error)) == NULL)
    return FALSE;
  if (condmap_sidecar_get_dtype (sc) != cm_ckpt_compute_dtype (tensor_dtype))
    return refuse (error, r->path, cm_node_lookup (map, "dtype"),
                   "tensor '%s': 'dtype' must be %s for a %s tensor",
                   name->value,
                   condmap_dtype_name (cm_ckpt_compute_dtype (tensor_dtype)),
                   condmap_tensor_dtype_name (tensor_dtype));
  if (r->npy && plane_dtype == CONDMAP_TENSOR_DTYPE_F16)
    return refuse (error, r->path, cm_node_lookup (map, "plane_dtype"),
                   "npy planes are F32 or F64");
  stored = read_stored (r->path, map, r->npy,
                        g_strv_length ((char **) condmap_sidecar_get_planes (sc)),
                        error);
  if (stored == NULL)
    return FALSE;
  cm_ckpt_record_add (r, name->value, tensor_dtype, plane_dtype,
                      g_steal_pointer (&sc), (const char *const *) stored);
  return TRUE;
}

static gboolean
read_body (CmCkptRecord *r, GError **error)
{
  const CmNode *root = r->root, *layout, *tensors;
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  if (root->kind != CM_NODE_MAPPING)
    return refuse (error, r->path, root, "the record of a converted "
                   "checkpoint is a mapping that starts with 'format: "
                   CM_CKPT_FORMAT_PREFIX "%d'", CM_CKPT_FORMAT_VERSION);
  if (!read_format (r->path, root, error)
      || !check_keys (r->path, root, top_keys, G_N_ELEMENTS (top_keys),
                      "the record", error))
    return FALSE;
  layout = cm_node_lookup (root, "layout");
  if (layout == NULL || layout->kind != CM_NODE_SCALAR
      || (strcmp (layout->value, "npy") != 0
          && strcmp (layout->value, "safetensors") != 0))
    return refuse (error, r->path, layout ? layout : root, "'layout' must "
                   "be safetensors or npy");
  r->npy = strcmp (layout->value, "npy") == 0;
  tensors = cm_node_lookup (root, "tensors");
  if (tensors == NULL || tensors->kind != CM_NODE_SEQUENCE)
    return refuse (error, r->path, tensors ? tensors : root, "'tensors' "
                   "must be the list of the checkpoint's tensors");
  for (guint i = 0; i < tensors->children->len; i++)
    {
      CmCkptEntry *e;

      if (!read_entry (r, tensors->children->pdata[i], error))
        return FALSE;
      e = r->entries->pdata[r->entries->len - 1];
      if (!g_hash_table_add (names, e->name))
        return refuse (error, r->path, tensors->children->pdata[i],
                       "tensor '%s' is listed twice", e->name);
    }
  return TRUE;
}

CmCkptRecord *
cm_ckpt_record_read (const char *path, GError **error)
{
  g_autoptr (CmCkptRecord) r = cm_ckpt_record_new (FALSE);
  GError *local = NULL;

  r->path = g_strdup (path);
  r->root = cm_yaml_load_file (path, &local);
  if (r->root == NULL)
    {
      if (g_error_matches (local, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG))
        local->code = CONDMAP_ERROR_FORMAT;
      g_propagate_error (error, local);
      return NULL;
    }
  if (!read_body (r, error))
    return NULL;
  return g_steal_pointer (&r);
}
