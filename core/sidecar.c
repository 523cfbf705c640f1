/* sidecar.c - OUTDIR/params.yaml: what `condmap restore` needs to turn
 * planes (written by convert, or measured on a chip) back into weights.
 *
 * This file holds the object, the reader and the converter it recreates;
 * sidecar-write.c holds the emitter.  Read with the strict loader of
 * yaml-doc.c and checked key by key; every refusal names file:line and the
 * rule, because a sidecar is often edited by hand (planes renamed after a
 * measurement). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "sidecar-private.h"

/* The keys of a sidecar, in the order they are written. */
static const char *const known_keys[] = {
  "format", "converter", "config", "shape", "dtype", "params", "planes"
};

/* ---- lifetime and accessors ------------------------------------------ */

CondmapSidecar *
condmap_sidecar_new (const CondmapConverter *conv, CondmapDtype dtype,
                     unsigned rank, const size_t *shape,
                     const CondmapParams *params,
                     const char *const *plane_files)
{
  CondmapSidecar *sc;

  g_return_val_if_fail (conv != NULL, NULL);
  g_return_val_if_fail (rank <= CONDMAP_MAX_RANK, NULL);
  g_return_val_if_fail (rank == 0 || shape != NULL, NULL);
  g_return_val_if_fail (plane_files != NULL, NULL);

  sc = g_new0 (CondmapSidecar, 1);
  sc->converter = g_strdup (condmap_converter_get_name (conv));
  sc->resolved = g_ptr_array_new_with_free_func ((GDestroyNotify) cm_resolved_free);
  for (guint i = 0; conv->resolved != NULL && i < conv->resolved->len; i++)
    g_ptr_array_add (sc->resolved, cm_resolved_copy (conv->resolved->pdata[i]));
  sc->dtype = dtype;
  sc->rank = rank;
  if (rank > 0)
    memcpy (sc->shape, shape, rank * sizeof *shape);
  sc->params = params ? condmap_params_copy (params) : condmap_params_new ();
  sc->planes = g_strdupv ((char **) plane_files);
  sc->core = conv->core;
  return sc;
}

void
condmap_sidecar_free (CondmapSidecar *sidecar)
{
  if (sidecar == NULL)
    return;
  g_free (sidecar->path);
  g_free (sidecar->converter);
  if (sidecar->resolved != NULL)
    g_ptr_array_unref (sidecar->resolved);
  cm_node_free (sidecar->root);
  condmap_params_free (sidecar->params);
  g_strfreev (sidecar->planes);
  g_free (sidecar);
}

const char *
condmap_sidecar_get_converter (const CondmapSidecar *sidecar)
{
  return sidecar->converter;
}

CondmapDtype
condmap_sidecar_get_dtype (const CondmapSidecar *sidecar)
{
  return sidecar->dtype;
}

unsigned
condmap_sidecar_get_rank (const CondmapSidecar *sidecar)
{
  return sidecar->rank;
}

const size_t *
condmap_sidecar_get_shape (const CondmapSidecar *sidecar)
{
  return sidecar->shape;
}

const CondmapParams *
condmap_sidecar_get_params (const CondmapSidecar *sidecar)
{
  return sidecar->params;
}

const char *const *
condmap_sidecar_get_planes (const CondmapSidecar *sidecar)
{
  return (const char *const *) sidecar->planes;
}

/* A plane must stay inside OUTDIR: a sidecar is data, and restore must not
 * be talked into reading /etc/passwd or ../../anything. */
gboolean
cm_sidecar_is_plain_file_name (const char *name)
{
  return *name != '\0' && strcmp (name, ".") != 0 && strcmp (name, "..") != 0
         && strchr (name, '/') == NULL && strchr (name, '\\') == NULL;
}

/* ---- reading ----------------------------------------------------------- */

/* A FORMAT error at @at's line of @path (cm_node_error). */
#define refuse(error, path, at, ...) \
  cm_node_error ((error), CONDMAP_ERROR_FORMAT, (path), (at), __VA_ARGS__)

/* "condmap-params/N" with N <= ours: a newer writer may have added keys or
 * changed meanings this reader cannot know. */
static gboolean
read_format (CondmapSidecar *sc, const CmNode *node, GError **error)
{
  const char *digits;
  guint64 version = 0;

  if (node->kind != CM_NODE_SCALAR
      || !g_str_has_prefix (node->value, CM_SIDECAR_FORMAT_PREFIX))
    return refuse (error, sc->path, node, "'format' must be "
                   CM_SIDECAR_FORMAT_PREFIX "%d: this is not a condmap params sidecar",
                   CONDMAP_SIDECAR_FORMAT_VERSION);
  digits = node->value + strlen (CM_SIDECAR_FORMAT_PREFIX);
  if (*digits == '\0' || strspn (digits, "0123456789") != strlen (digits)
      || (version = g_ascii_strtoull (digits, NULL, 10)) == 0)
    return refuse (error, sc->path, node, "'format' has no valid version: "
                   "'%s' (expected " CM_SIDECAR_FORMAT_PREFIX "%d)", node->value,
                   CONDMAP_SIDECAR_FORMAT_VERSION);
  if (version > CONDMAP_SIDECAR_FORMAT_VERSION)
    return refuse (error, sc->path, node, "written by a newer condmap "
                   "(format %s); this one reads up to %d: upgrade condmap",
                   digits, CONDMAP_SIDECAR_FORMAT_VERSION);
  return TRUE;
}

static gboolean
read_converter (CondmapSidecar *sc, const CmNode *node, GError **error)
{
  if (node->kind != CM_NODE_SCALAR || cm_node_is_null (node))
    return refuse (error, sc->path, node, "'converter' must be a converter "
                   "name such as dual-pair");
  sc->converter = g_strdup (node->value);
  return TRUE;
}

static gboolean
read_config (CondmapSidecar *sc, const CmNode *node, GError **error)
{
  if (cm_node_is_null (node))
    return TRUE;
  if (node->kind != CM_NODE_MAPPING)
    return refuse (error, sc->path, node, "'config' must be a mapping of the "
                   "converter's settings, such as {g_min: 0, g_max: 25}");
  sc->config = node;
  return TRUE;
}

static gboolean
read_dim (CondmapSidecar *sc, const CmNode *node, size_t *dim, GError **error)
{
  guint64 v;

  errno = 0;
  if (node->kind != CM_NODE_SCALAR || !node->plain || *node->value == '\0'
      || strspn (node->value, "0123456789") != strlen (node->value)
      || (v = g_ascii_strtoull (node->value, NULL, 10), errno != 0)
      || v > G_MAXSIZE)
    {
      g_autofree char *what = cm_node_describe (node);

      return refuse (error, sc->path, node, "'shape' must list non-negative "
                     "integers, not %s", what);
    }
  *dim = (size_t) v;
  return TRUE;
}

/* After the dtype: the byte size must not overflow either. */
static gboolean
read_shape (CondmapSidecar *sc, const CmNode *node, GError **error)
{
  g_autoptr (GError) local = NULL;
  size_t n;

  if (node->kind != CM_NODE_SEQUENCE)
    return refuse (error, sc->path, node, "'shape' must be a list of "
                   "dimensions such as [256, 784]");
  if (node->children->len > CONDMAP_MAX_RANK)
    return refuse (error, sc->path, node, "'shape' has %u dimensions; the "
                   "most is %d", node->children->len, CONDMAP_MAX_RANK);
  sc->rank = node->children->len;
  for (unsigned i = 0; i < sc->rank; i++)
    if (!read_dim (sc, node->children->pdata[i], &sc->shape[i], error))
      return FALSE;
  if (!cm_shape_product (sc->rank, sc->shape, condmap_dtype_size (sc->dtype),
                         &n, &local))
    return refuse (error, sc->path, node, "%s", local->message);
  return TRUE;
}

static gboolean
read_dtype (CondmapSidecar *sc, const CmNode *node, GError **error)
{
  if (node->kind == CM_NODE_SCALAR)
    sc->dtype = condmap_dtype_from_name (node->value);
  if (sc->dtype == 0)
    {
      g_autofree char *what = cm_node_describe (node);

      return refuse (error, sc->path, node, "'dtype' must be float32 or "
                     "float64, not %s", what);
    }
  return TRUE;
}

/* The writer puts a float32 param as "%.9g", which reads back as a
 * double near the float, not as the float itself: give back the exact
 * float the plan made, so that params survive the trip bit for bit.  A
 * value that is not that text (written in full, or by hand) is kept. */
static double
exact_param (const CondmapSidecar *sc, const CmNode *node, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double f = (float) v;

  if (sc->dtype == CONDMAP_DTYPE_FLOAT32 && isfinite (f)
      && strcmp (g_ascii_formatd (buf, sizeof buf, "%.9g", f),
                 node->value) == 0)
    return f;
  return v;
}

/* After the dtype, which says how params were written. */
static gboolean
read_params (CondmapSidecar *sc, const CmNode *node, GError **error)
{
  if (cm_sidecar_params_is_file (node))
    return cm_sidecar_read_params_file (sc, node, error);
  if (node->kind != CM_NODE_MAPPING)
    return refuse (error, sc->path, node, "'params' must be a mapping of "
                   "names to numbers, such as {scale_ratio: 30.46}");
  for (guint i = 0; i + 1 < node->children->len; i += 2)
    {
      const CmNode *key = node->children->pdata[i];
      const CmNode *value = node->children->pdata[i + 1];
      double v;

      if (!cm_node_to_double (value, &v) || !isfinite (v))
        {
          g_autofree char *what = cm_node_describe (value);

          return refuse (error, sc->path, value, "params: '%s' must be a "
                         "finite number, not %s", key->value, what);
        }
      condmap_params_set (sc->params, key->value,
                          exact_param (sc, value, v));
    }
  return TRUE;
}

/* Plain names inside OUTDIR only (see cm_sidecar_is_plain_file_name); a NUL cannot
 * get this far: the loader refuses strings that hold one. */
static gboolean
read_planes (CondmapSidecar *sc, const CmNode *node, GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  if (node->kind != CM_NODE_SEQUENCE || node->children->len == 0)
    return refuse (error, sc->path, node, "'planes' must be a list of the "
                   "plane files, such as [g_plus.npy, g_minus.npy]");
  for (guint i = 0; i < node->children->len; i++)
    {
      const CmNode *item = node->children->pdata[i];

      if (item->kind != CM_NODE_SCALAR || !cm_sidecar_is_plain_file_name (item->value))
        {
          g_autofree char *what = cm_node_describe (item);

          return refuse (error, sc->path, item, "plane %u is %s, which is not "
                         "a plain file name: planes must be files inside the "
                         "output directory (no '/' or '\\', not '.', '..' or "
                         "empty)", i, what);
        }
      for (guint j = 0; j < names->len; j++)
        if (strcmp (names->pdata[j], item->value) == 0)
          return refuse (error, sc->path, item, "plane '%s' is listed "
                         "twice: each plane needs its own file", item->value);
      g_ptr_array_add (names, item->value);
    }
  g_ptr_array_add (names, NULL);
  sc->planes = g_strdupv ((char **) names->pdata);
  return TRUE;
}

/* Before anything else, so that a newer sidecar (which may well have new
 * keys) is reported as newer rather than as broken. */
static gboolean
check_keys (CondmapSidecar *sc, const CmNode *root, GError **error)
{
  const CmNode *format = cm_node_lookup (root, "format");

  if (format == NULL)
    return refuse (error, sc->path, root, "the key 'format' is missing: "
                   "this is not a condmap params sidecar (its first line is "
                   "'format: " CM_SIDECAR_FORMAT_PREFIX "%d')",
                   CONDMAP_SIDECAR_FORMAT_VERSION);
  if (!read_format (sc, format, error))
    return FALSE;
  for (guint i = 0; i < root->children->len; i += 2)
    {
      const CmNode *key = root->children->pdata[i];
      const char *guess;
      gboolean known = FALSE;

      for (gsize k = 0; k < G_N_ELEMENTS (known_keys); k++)
        known = known || strcmp (key->value, known_keys[k]) == 0;
      if (known)
        continue;
      guess = cm_suggest (key->value, known_keys, G_N_ELEMENTS (known_keys));
      return refuse (error, sc->path, key, "unknown key '%s'%s%s%s (a "
                     "sidecar has format, converter, config, shape, dtype, "
                     "params and planes)", key->value,
                     guess ? " - did you mean '" : "", guess ? guess : "",
                     guess ? "'?" : "");
    }
  return TRUE;
}

typedef gboolean (*ReadFunc) (CondmapSidecar *sc, const CmNode *node,
                              GError **error);

/* dtype before shape: the shape's byte size is checked with it. */
static gboolean
read_keys (CondmapSidecar *sc, const CmNode *root, GError **error)
{
  static const struct {
    const char *key;
    ReadFunc read;
    gboolean required;
  } readers[] = {
    { "converter", read_converter, TRUE },
    { "config", read_config, FALSE },
    { "dtype", read_dtype, TRUE },
    { "shape", read_shape, TRUE },
    { "params", read_params, TRUE },
    { "planes", read_planes, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      const CmNode *node = cm_node_lookup (root, readers[i].key);

      if (node == NULL && readers[i].required)
        return refuse (error, sc->path, root, "the key '%s' is missing (a "
                       "sidecar written by 'condmap convert' has format, "
                       "converter, config, shape, dtype, params and planes)",
                       readers[i].key);
      if (node != NULL && !readers[i].read (sc, node, error))
        return FALSE;
    }
  return TRUE;
}

CondmapSidecar *
cm_sidecar_new_from_node (const char *path, const CmNode *mapping,
                          GError **error)
{
  g_autoptr (CondmapSidecar) sc = g_new0 (CondmapSidecar, 1);

  sc->path = g_strdup (path);
  sc->params = condmap_params_new ();
  if (!read_keys (sc, mapping, error))
    return NULL;
  return g_steal_pointer (&sc);
}

CondmapSidecar *
condmap_sidecar_read (const char *path, GError **error)
{
  g_autoptr (CondmapSidecar) sc = NULL;
  GError *local = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  sc = g_new0 (CondmapSidecar, 1);
  sc->path = g_strdup (path);
  sc->params = condmap_params_new ();
  sc->root = cm_yaml_load_file (path, &local);
  if (sc->root == NULL)
    {
      /* The loader's structural refusals (empty, anchors, NUL in a
       * string) are CONFIG for a config; for a sidecar they are FORMAT. */
      if (g_error_matches (local, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG))
        local->code = CONDMAP_ERROR_FORMAT;
      g_propagate_error (error, local);
      return NULL;
    }
  if (sc->root->kind != CM_NODE_MAPPING)
    {
      refuse (error, path, sc->root, "a params sidecar is a mapping that "
              "starts with 'format: " CM_SIDECAR_FORMAT_PREFIX "%d'",
              CONDMAP_SIDECAR_FORMAT_VERSION);
      return NULL;
    }
  if (!check_keys (sc, sc->root, error) || !read_keys (sc, sc->root, error))
    return NULL;
  return g_steal_pointer (&sc);
}

/* A sidecar made by _new() holds the resolved values, not a tree: the
 * converter is recreated from their flow YAML, parsed as a config would
 * be. */
static CondmapConverter *
new_from_resolved (const CondmapSidecar *sc, CondmapRuntime *runtime,
                   GError **error)
{
  g_autofree char *text = cm_config_to_flow_yaml (sc->resolved, &sc->core);
  g_autoptr (CmNode) node = cm_yaml_load (text, strlen (text), "<sidecar>",
                                          error);

  if (node == NULL)
    return NULL;
  return cm_converter_new_named (runtime, sc->converter, node, "<sidecar>",
                                 error);
}

/* A plane list that does not match the converter would pair the wrong
 * files with the wrong coefficients: refused here, not found out later. */
CondmapConverter *
condmap_sidecar_new_converter (const CondmapSidecar *sidecar,
                               CondmapRuntime *runtime, GError **error)
{
  g_autoptr (CondmapConverter) conv = NULL;
  guint n_files;

  g_return_val_if_fail (sidecar != NULL && runtime != NULL, NULL);
  if (sidecar->resolved != NULL)
    conv = new_from_resolved (sidecar, runtime, error);
  else
    conv = cm_converter_new_named (runtime, sidecar->converter,
                                   sidecar->config, sidecar->path, error);
  if (conv == NULL)
    return NULL;
  n_files = g_strv_length (sidecar->planes);
  if (n_files != condmap_converter_get_n_planes (conv))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s: 'planes' lists %u file%s, but converter %s has %u "
                   "planes: list one file per plane, in the order %s writes "
                   "them", sidecar->path ? sidecar->path : "<sidecar>",
                   n_files, n_files == 1 ? "" : "s", sidecar->converter,
                   condmap_converter_get_n_planes (conv),
                   "'condmap convert'");
      return NULL;
    }
  return g_steal_pointer (&conv);
}
