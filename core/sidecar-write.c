/* sidecar-write.c - writes the params sidecar with libyaml's emitter, so
 * that quoting is always right, in the documented layout: a block
 * mapping whose values are one-line flow collections.  Numbers are plain
 * scalars (so they read back as numbers) with enough digits to read back
 * bit-exact. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <yaml.h>
#include "sidecar-private.h"

/* ---- writing ----------------------------------------------------------- */

static int
append_output (void *data, unsigned char *buffer, size_t size)
{
  g_string_append_len (data, (const char *) buffer, (gssize) size);
  return 1;
}

/* Whether @text written plain would read back as something other than a
 * string: null, a boolean or a number (the loader's rules). */
static gboolean
reads_as_non_string (const char *text)
{
  CmNode probe = { CM_NODE_SCALAR, 1, 1, (char *) text, TRUE, NULL };
  double number;
  gboolean boolean;

  return cm_node_is_null (&probe) || cm_node_to_double (&probe, &number)
         || cm_node_to_boolean (&probe, &boolean);
}

/* Numbers are plain scalars so that they read back as numbers; strings
 * let libyaml choose, so that it quotes whatever needs quoting, and are
 * quoted if they would read back as null, a boolean or a number. */
static gboolean
emit_scalar (yaml_emitter_t *e, const char *text, gboolean number)
{
  yaml_event_t ev;

  yaml_scalar_event_initialize (&ev, NULL, NULL, (yaml_char_t *) text,
                                (int) strlen (text),
                                number || !reads_as_non_string (text), !number,
                                number ? YAML_PLAIN_SCALAR_STYLE
                                       : YAML_ANY_SCALAR_STYLE);
  return yaml_emitter_emit (e, &ev);
}

static gboolean
emit_number (yaml_emitter_t *e, double v, const char *format)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Never written by condmap (everything is checked finite), but the
   * output must stay valid YAML whatever it is given. */
  if (isnan (v))
    return emit_scalar (e, ".nan", TRUE);
  if (isinf (v))
    return emit_scalar (e, v > 0 ? ".inf" : "-.inf", TRUE);
  return emit_scalar (e, g_ascii_formatd (buf, sizeof buf, format, v), TRUE);
}

static gboolean
emit_open (yaml_emitter_t *e, gboolean mapping, gboolean flow)
{
  yaml_event_t ev;

  if (mapping)
    yaml_mapping_start_event_initialize (&ev, NULL, NULL, 1,
      flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
  else
    yaml_sequence_start_event_initialize (&ev, NULL, NULL, 1,
      flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
  return yaml_emitter_emit (e, &ev);
}

static gboolean
emit_close (yaml_emitter_t *e, gboolean mapping)
{
  yaml_event_t ev;

  if (mapping)
    yaml_mapping_end_event_initialize (&ev);
  else
    yaml_sequence_end_event_initialize (&ev);
  return yaml_emitter_emit (e, &ev);
}

static gboolean
emit_list (yaml_emitter_t *e, const double *values, size_t n)
{
  gboolean ok = emit_open (e, FALSE, TRUE);

  for (size_t i = 0; ok && i < n; i++)
    ok = emit_number (e, values[i], "%.17g");
  return ok && emit_close (e, FALSE);
}

static gboolean
emit_resolved (yaml_emitter_t *e, const CmResolved *r)
{
  gboolean ok = emit_scalar (e, r->key, FALSE);

  switch (r->kind)
    {
    case CM_VALUE_DOUBLE:
      return ok && emit_number (e, r->number, "%.17g");
    case CM_VALUE_BOOLEAN:
      return ok && emit_scalar (e, r->boolean ? "true" : "false", TRUE);
    case CM_VALUE_LIST:
      return ok && emit_list (e, r->values, r->cols);
    case CM_VALUE_TABLE:
      ok = ok && emit_open (e, FALSE, TRUE);
      for (size_t row = 0; ok && row < r->rows; row++)
        ok = emit_list (e, r->values + row * r->cols, r->cols);
      return ok && emit_close (e, FALSE);
    case CM_VALUE_STRING:
      return ok && emit_scalar (e, r->string, FALSE);
    }
  return FALSE;
}

/* A config read from a sidecar is written back as it was read.  The tree
 * is no deeper than CM_YAML_MAX_DEPTH (the loader refuses deeper ones), so
 * the recursion is bounded. */
static gboolean
emit_node (yaml_emitter_t *e, const CmNode *node)
{
  gboolean ok;

  if (node->kind == CM_NODE_SCALAR)
    {
      yaml_event_t ev;

      /* libyaml cannot write an empty plain scalar (a null) in a flow
       * collection; and a plain scalar it must quote (one holding ", " or
       * ": ") is quoted without a '!' tag, which the reader refuses. */
      const char *text = cm_node_is_null (node) ? "null" : node->value;

      yaml_scalar_event_initialize (&ev, NULL, NULL, (yaml_char_t *) text,
                                    (int) strlen (text), node->plain, 1,
                                    node->plain ? YAML_PLAIN_SCALAR_STYLE
                                                : YAML_SINGLE_QUOTED_SCALAR_STYLE);
      return yaml_emitter_emit (e, &ev);
    }
  ok = emit_open (e, node->kind == CM_NODE_MAPPING, TRUE);
  for (guint i = 0; ok && i < node->children->len; i++)
    ok = emit_node (e, node->children->pdata[i]);
  return ok && emit_close (e, node->kind == CM_NODE_MAPPING);
}

/* scaling and clip, as the core keys' flow YAML reads back. */
static gboolean
emit_core_keys (yaml_emitter_t *e, const CondmapSidecar *sc)
{
  g_autoptr (GString) text = g_string_new ("{");
  g_autoptr (CmNode) node = NULL;
  gboolean ok = TRUE;

  cm_core_keys_append_flow (&sc->core, text);
  g_string_append_c (text, '}');
  node = cm_yaml_load (text->str, text->len, "<core keys>", NULL);
  for (guint i = 0; ok && node != NULL && i < node->children->len; i++)
    ok = emit_node (e, node->children->pdata[i]);
  return ok && node != NULL;
}

static gboolean
emit_config (yaml_emitter_t *e, const CondmapSidecar *sc)
{
  gboolean ok;

  if (sc->resolved == NULL && sc->config != NULL)
    return emit_node (e, sc->config);
  ok = emit_open (e, TRUE, TRUE);
  for (guint i = 0; ok && sc->resolved && i < sc->resolved->len; i++)
    ok = emit_resolved (e, sc->resolved->pdata[i]);
  return ok && emit_core_keys (e, sc) && emit_close (e, TRUE);
}

static gboolean
emit_shape (yaml_emitter_t *e, const CondmapSidecar *sc)
{
  gboolean ok = emit_open (e, FALSE, TRUE);

  for (unsigned i = 0; ok && i < sc->rank; i++)
    {
      char buf[32];

      g_snprintf (buf, sizeof buf, "%zu", sc->shape[i]);
      ok = emit_scalar (e, buf, TRUE);
    }
  return ok && emit_close (e, FALSE);
}

/* One row per channel: the file written beside, and its columns. */
static gboolean
emit_params_file (yaml_emitter_t *e, const CondmapSidecar *sc,
                  const char *file_name)
{
  gboolean ok = emit_open (e, TRUE, TRUE)
                && emit_scalar (e, "file", FALSE)
                && emit_scalar (e, file_name, FALSE)
                && emit_scalar (e, "columns", FALSE)
                && emit_open (e, FALSE, TRUE);

  for (size_t i = 0; ok && i < condmap_params_get_n (sc->params); i++)
    ok = emit_scalar (e, condmap_params_get_name (sc->params, i), FALSE);
  return ok && emit_close (e, FALSE) && emit_close (e, TRUE);
}

/* How a param of a float32 sidecar is written.  A float32 value as
 * "%.9g", which the reader maps back to that float exactly; any other
 * value (a plugin's choice, or a hand edit read back) with all 17 digits
 * rather than lose bits, unless those read as the "%.9g" text of a float
 * (-12989.707 does, for the float -12989.70703125), which the reader
 * would take for that float: then as "%.17e", which no "%.9g" text
 * equals. */
static const char *
float32_param_format (double v)
{
  char full[G_ASCII_DTOSTR_BUF_SIZE], as_float[G_ASCII_DTOSTR_BUF_SIZE];
  float f = (float) v;

  if ((double) f == v)
    return "%.9g";
  g_ascii_formatd (full, sizeof full, "%.17g", v);
  g_ascii_formatd (as_float, sizeof as_float, "%.9g", (double) f);
  return strcmp (full, as_float) == 0 ? "%.17e" : "%.17g";
}

static gboolean
emit_params (yaml_emitter_t *e, const CondmapSidecar *sc,
             const char *file_name)
{
  gboolean ok;

  if (file_name != NULL)
    return emit_params_file (e, sc, file_name);
  ok = emit_open (e, TRUE, TRUE);

  for (size_t i = 0; ok && i < condmap_params_get_n (sc->params); i++)
    {
      const char *name = condmap_params_get_name (sc->params, i);
      double v = condmap_params_get (sc->params, name);

      ok = emit_scalar (e, name, FALSE)
           && emit_number (e, v, sc->dtype == CONDMAP_DTYPE_FLOAT32
                                   ? float32_param_format (v) : "%.17g");
    }
  return ok && emit_close (e, TRUE);
}

static gboolean
emit_planes (yaml_emitter_t *e, const CondmapSidecar *sc)
{
  gboolean ok = emit_open (e, FALSE, TRUE);

  for (char **p = sc->planes; ok && *p; p++)
    ok = emit_scalar (e, *p, FALSE);
  return ok && emit_close (e, FALSE);
}

/* The fields of one record: converter, config, shape, dtype, params (in
 * @params_file when not NULL: one row per channel) and planes. */
gboolean
cm_sidecar_emit_fields (yaml_emitter_t *e, const CondmapSidecar *sc,
                        const char *params_file)
{
  return emit_scalar (e, "converter", FALSE)
         && emit_scalar (e, sc->converter, FALSE)
         && emit_scalar (e, "config", FALSE) && emit_config (e, sc)
         && emit_scalar (e, "shape", FALSE) && emit_shape (e, sc)
         && emit_scalar (e, "dtype", FALSE)
         && emit_scalar (e, condmap_dtype_name (sc->dtype), FALSE)
         && emit_scalar (e, "params", FALSE)
         && emit_params (e, sc, params_file)
         && emit_scalar (e, "planes", FALSE) && emit_planes (e, sc);
}

gboolean
cm_sidecar_emit_scalar (yaml_emitter_t *e, const char *text, gboolean number)
{
  return emit_scalar (e, text, number);
}

gboolean
cm_sidecar_emit_open (yaml_emitter_t *e, gboolean mapping, gboolean flow)
{
  return emit_open (e, mapping, flow);
}

gboolean
cm_sidecar_emit_close (yaml_emitter_t *e, gboolean mapping)
{
  return emit_close (e, mapping);
}

/* A sidecar document: the record and where its per-channel params went. */
typedef struct {
  const CondmapSidecar *sc;
  const char *params_file;   /* NULL: params inline */
} Body;

static gboolean
emit_body (yaml_emitter_t *e, gconstpointer data)
{
  const Body *b = data;
  char format[32];

  g_snprintf (format, sizeof format, CM_SIDECAR_FORMAT_PREFIX "%d",
              cm_sidecar_format_version (b->sc));
  return emit_open (e, TRUE, FALSE)
         && emit_scalar (e, "format", FALSE) && emit_scalar (e, format, FALSE)
         && cm_sidecar_emit_fields (e, b->sc, b->params_file)
         && emit_close (e, TRUE);
}

static gboolean
emit_document (yaml_emitter_t *e, CmEmitFunc body, gconstpointer data)
{
  yaml_event_t ev;
  gboolean ok;

  yaml_stream_start_event_initialize (&ev, YAML_UTF8_ENCODING);
  ok = yaml_emitter_emit (e, &ev);
  yaml_document_start_event_initialize (&ev, NULL, NULL, NULL, 1);
  ok = ok && yaml_emitter_emit (e, &ev);
  ok = ok && body (e, data);
  yaml_document_end_event_initialize (&ev, 1);
  ok = ok && yaml_emitter_emit (e, &ev);
  yaml_stream_end_event_initialize (&ev);
  return ok && yaml_emitter_emit (e, &ev);
}

/* A sidecar that read would refuse is not written either. */
static gboolean
check_writable (const CondmapSidecar *sc, const char *path, GError **error)
{
  if (condmap_dtype_name (sc->dtype) == NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot write %s: unknown dtype %d", path, (int) sc->dtype);
      return FALSE;
    }
  for (char **p = sc->planes; *p; p++)
    if (!cm_sidecar_is_plain_file_name (*p))
      {
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                     "cannot write %s: plane '%s' is not a plain file name",
                     path, *p);
        return FALSE;
      }
  return TRUE;
}

gboolean
condmap_sidecar_write (const CondmapSidecar *sidecar, const char *path,
                       GError **error)
{
  g_autofree char *params_file = NULL;
  Body body = { sidecar, NULL };

  g_return_val_if_fail (sidecar != NULL && path != NULL, FALSE);
  if (!check_writable (sidecar, path, error))
    return FALSE;
  /* Per-channel params first: the YAML that names the file comes after
   * it, so neither is ever read without the other being complete. */
  if (condmap_params_get_n_rows (sidecar->params) > 1)
    {
      params_file = cm_sidecar_params_file_name (path);
      if (!cm_sidecar_write_params_file (sidecar, path, params_file, error))
        return FALSE;
      body.params_file = params_file;
    }
  return cm_sidecar_write_document (path, emit_body, &body, error);
}

gboolean
cm_sidecar_write_document (const char *path, CmEmitFunc body,
                           gconstpointer data, GError **error)
{
  yaml_emitter_t emitter;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (CmAtomicFile) file = NULL;
  gboolean ok;

  if (!yaml_emitter_initialize (&emitter))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FAILED,
                   "cannot write %s: out of memory", path);
      return FALSE;
    }
  yaml_emitter_set_output (&emitter, append_output, out);
  yaml_emitter_set_unicode (&emitter, 1);
  /* One line per key, however long g_lst is. */
  yaml_emitter_set_width (&emitter, -1);
  ok = emit_document (&emitter, body, data) && yaml_emitter_flush (&emitter);
  if (!ok)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FAILED,
                 "cannot write %s: YAML emitter: %s", path,
                 emitter.problem ? emitter.problem : "unknown problem");
  yaml_emitter_delete (&emitter);
  if (!ok)
    return FALSE;
  /* Written beside @path and renamed, through the core's atomic file
   * rather than g_file_set_contents(): its temporary is one that a signal
   * handler can remove (condmap_cleanup_on_signal()). */
  if ((file = cm_atomic_file_new (path, error)) == NULL)
    return FALSE;
  if (fwrite (out->str, 1, out->len, cm_atomic_file_get_stream (file))
      != out->len)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot write '%s': %s", path, g_strerror (errno));
      return FALSE;   /* the autoptr removes the temporary file */
    }
  return cm_atomic_file_commit (g_steal_pointer (&file), error);
}

