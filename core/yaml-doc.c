/* yaml-doc.c - strict YAML loading into a small tree.
 *
 * The tree is built from libyaml's event stream with an explicit stack,
 * not with libyaml's document loader: that loader accepts anchors, tags
 * and duplicate keys and builds the whole document before we could look
 * at it.  Here each rule is checked at the event that breaks it, so the
 * first anchor, the 33rd level of nesting or a second document stops the
 * parse at once, whatever follows.  Nothing recurses, so hostile nesting
 * cannot exhaust the C stack. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <yaml.h>
#include "condmap-private.h"

/* How much of a scalar a message quotes: keys and values may be huge. */
#define QUOTE_MAX_CHARS 40

/* An open sequence or mapping. */
typedef struct {
  CmNode *node;
  GHashTable *keys;   /* mappings: key text -> key CmNode (both borrowed) */
} Frame;

typedef struct {
  const char *origin;
  CmNode *root;       /* every node built so far hangs from here */
  GArray *stack;      /* Frame, innermost last */
  gboolean seen_document;
} Builder;

static gboolean G_GNUC_PRINTF (5, 6)
fail_at (GError **error, CondmapError code, const char *origin,
         unsigned line, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CONDMAP_ERROR, code, "%s:%u: %s", origin, line, text);
  return FALSE;
}

char *
cm_quote_text (const char *text)
{
  const char *end = text;

  for (unsigned i = 0; i < QUOTE_MAX_CHARS && *end != '\0'; i++)
    end = g_utf8_next_char (end);
  if (*end == '\0')
    return g_strdup (text);
  return g_strdup_printf ("%.*s...", (int) (end - text), text);
}

gboolean
cm_node_error (GError **error, CondmapError code, const char *origin,
               const CmNode *at, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CONDMAP_ERROR, code, "%s:%u: %s", origin, at->line,
               text);
  return FALSE;
}

/* libyaml counts from 0 in size_t, messages from 1 in unsigned. */
static unsigned
one_based (size_t n)
{
  return (unsigned) MIN (n, (size_t) G_MAXUINT - 1) + 1;
}

static CmNode *
node_new (CmNodeKind kind, const yaml_mark_t *mark)
{
  CmNode *node = g_new0 (CmNode, 1);

  node->kind = kind;
  node->line = one_based (mark->line);
  node->column = one_based (mark->column);
  if (kind != CM_NODE_SCALAR)
    node->children = g_ptr_array_new ();
  return node;
}

void
cm_node_free (CmNode *node)
{
  g_autoptr (GPtrArray) todo = NULL;

  if (node == NULL)
    return;
  /* A work list rather than recursion: the depth is capped at load, but a
   * tree built by hand is not. */
  todo = g_ptr_array_new ();
  g_ptr_array_add (todo, node);
  while (todo->len > 0)
    {
      CmNode *n = g_ptr_array_remove_index_fast (todo, todo->len - 1);

      if (n->children != NULL)
        {
          for (guint i = 0; i < n->children->len; i++)
            g_ptr_array_add (todo, n->children->pdata[i]);
          g_ptr_array_unref (n->children);
        }
      g_free (n->value);
      g_free (n);
    }
}

/* Anchors, aliases and tags are refused at the first sight: a config has
 * no use for them, and expanding aliases is how "billion laughs" files
 * exhaust memory. */
static gboolean
check_properties (Builder *b, const yaml_char_t *anchor,
                  const yaml_char_t *tag, unsigned line, GError **error)
{
  if (anchor != NULL)
    return fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, line,
                    "anchors and aliases are not allowed (found '&%s'); "
                    "write the value out in full", (const char *) anchor);
  if (tag != NULL)
    return fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, line,
                    "tags are not allowed (found '%s'); remove it",
                    (const char *) tag);
  return TRUE;
}

/* Hangs @node under the innermost open container, checking the rules on
 * mapping keys.  Takes @node, also on failure. */
static gboolean
builder_attach (Builder *b, CmNode *node, GError **error)
{
  Frame *top;
  CmNode *first;

  if (b->stack->len == 0)
    {
      b->root = node;   /* a second root would be a second document */
      return TRUE;
    }
  top = &g_array_index (b->stack, Frame, b->stack->len - 1);
  if (top->node->kind == CM_NODE_SEQUENCE || top->node->children->len % 2 == 1)
    {
      g_ptr_array_add (top->node->children, node);
      return TRUE;
    }
  if (node->kind != CM_NODE_SCALAR)
    {
      fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, node->line,
               "a key must be a string, not %s",
               node->kind == CM_NODE_SEQUENCE ? "a list" : "a mapping");
      cm_node_free (node);
      return FALSE;
    }
  first = g_hash_table_lookup (top->keys, node->value);
  if (first != NULL)
    {
      g_autofree char *key = cm_quote_text (node->value);

      fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, node->line,
               "duplicate key '%s' (first at line %u); give each key once",
               key, first->line);
      cm_node_free (node);
      return FALSE;
    }
  g_hash_table_insert (top->keys, node->value, node);
  g_ptr_array_add (top->node->children, node);
  return TRUE;
}

static gboolean
builder_scalar (Builder *b, yaml_event_t *event, GError **error)
{
  CmNode *node;
  unsigned line = one_based (event->start_mark.line);

  if (!check_properties (b, event->data.scalar.anchor,
                         event->data.scalar.tag, line, error))
    return FALSE;
  /* Everything downstream treats values as C strings. */
  if (strlen ((const char *) event->data.scalar.value)
      != event->data.scalar.length)
    return fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, line,
                    "a string holds a NUL character, which is not allowed");
  node = node_new (CM_NODE_SCALAR, &event->start_mark);
  /* A copy: libyaml owns the event's buffers and releases them in
   * yaml_event_delete().  Its length is bounded by the file's. */
  node->value = g_strndup ((const char *) event->data.scalar.value,
                           event->data.scalar.length);
  node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  return builder_attach (b, node, error);
}

static gboolean
builder_open (Builder *b, yaml_event_t *event, CmNodeKind kind,
              GError **error)
{
  gboolean is_seq = kind == CM_NODE_SEQUENCE;
  unsigned line = one_based (event->start_mark.line);
  Frame frame = { NULL, NULL };

  if (!check_properties (b, is_seq ? event->data.sequence_start.anchor
                                   : event->data.mapping_start.anchor,
                         is_seq ? event->data.sequence_start.tag
                                : event->data.mapping_start.tag,
                         line, error))
    return FALSE;
  if (b->stack->len >= CM_YAML_MAX_DEPTH)
    return fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, line,
                    "nested deeper than %d levels", CM_YAML_MAX_DEPTH);
  frame.node = node_new (kind, &event->start_mark);
  if (!builder_attach (b, frame.node, error))
    return FALSE;
  if (!is_seq)
    frame.keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_array_append_val (b->stack, frame);
  return TRUE;
}

static void
builder_close (Builder *b)
{
  Frame *top = &g_array_index (b->stack, Frame, b->stack->len - 1);

  if (top->keys != NULL)
    g_hash_table_unref (top->keys);
  g_array_set_size (b->stack, b->stack->len - 1);
}

static gboolean
builder_event (Builder *b, yaml_event_t *event, GError **error)
{
  unsigned line = one_based (event->start_mark.line);

  switch (event->type)
    {
    case YAML_DOCUMENT_START_EVENT:
      if (b->seen_document)
        return fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, line,
                        "only one document per file");
      b->seen_document = TRUE;
      return TRUE;
    case YAML_ALIAS_EVENT:
      return fail_at (error, CONDMAP_ERROR_CONFIG, b->origin, line,
                      "anchors and aliases are not allowed (found '*%s'); "
                      "write the value out in full",
                      (const char *) event->data.alias.anchor);
    case YAML_SCALAR_EVENT:
      return builder_scalar (b, event, error);
    case YAML_SEQUENCE_START_EVENT:
      return builder_open (b, event, CM_NODE_SEQUENCE, error);
    case YAML_MAPPING_START_EVENT:
      return builder_open (b, event, CM_NODE_MAPPING, error);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      builder_close (b);
      return TRUE;
    default:
      return TRUE;
    }
}

/* Whether libyaml's @mark is the end of @text: marks count characters,
 * so count the bytes that start one (valid UTF-8 past the reader). */
static gboolean
mark_at_end (const yaml_mark_t *mark, const char *text, gsize length)
{
  gsize chars = 0;

  for (gsize i = 0; i < length; i++)
    chars += ((unsigned char) text[i] & 0xC0) != 0x80;
  if (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    chars--;   /* libyaml does not count the byte order mark */
  return mark->index >= chars;
}

static void
set_parse_error (const yaml_parser_t *parser, const char *origin,
                 const char *text, gsize length, GError **error)
{
  const char *problem = parser->problem ? parser->problem : "invalid YAML";
  const yaml_mark_t *at = &parser->problem_mark;

  if (parser->error == YAML_MEMORY_ERROR)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PARSE,
                 "%s: out of memory while parsing YAML", origin);
  else if (parser->error == YAML_READER_ERROR)
    /* Bad encoding: libyaml knows the byte offset, not the line. */
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PARSE,
                 "%s: byte %zu: %s; a config must be UTF-8 text",
                 origin, parser->problem_offset, problem);
  else if (parser->context == NULL)
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PARSE,
                 "%s:%zu:%zu: %s", origin, at->line + 1, at->column + 1,
                 problem);
  else if (mark_at_end (at, text, length)
           && strstr (problem, "end of stream") == NULL)
    /* "The file ended" points nowhere useful: point at what is left
     * open, such as the '[' that was never closed. */
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PARSE,
                 "%s:%zu:%zu: %s before the end of the file (%s that "
                 "starts here)", origin, parser->context_mark.line + 1,
                 parser->context_mark.column + 1, problem, parser->context);
  else
    /* libyaml counts lines and columns from 0, editors from 1. */
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PARSE,
                 "%s:%zu:%zu: %s (%s at line %zu, column %zu)", origin,
                 at->line + 1, at->column + 1, problem, parser->context,
                 parser->context_mark.line + 1,
                 parser->context_mark.column + 1);
}

/* Feeds every event of @text to @b.  On failure @error is set; the nodes
 * built so far stay in b->root for the caller to free. */
static gboolean
builder_run (Builder *b, const char *text, gsize length, GError **error)
{
  yaml_parser_t parser;
  gboolean ok = TRUE;
  gboolean done = FALSE;

  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PARSE,
                   "%s: out of memory while parsing YAML", b->origin);
      return FALSE;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, length);
  while (ok && !done)
    {
      yaml_event_t event;

      if (!yaml_parser_parse (&parser, &event))
        {
          set_parse_error (&parser, b->origin, text, length, error);
          ok = FALSE;
          break;
        }
      done = event.type == YAML_STREAM_END_EVENT;
      ok = builder_event (b, &event, error);
      yaml_event_delete (&event);
    }
  yaml_parser_delete (&parser);
  return ok;
}

CmNode *
cm_yaml_load (const char *text, gsize length, const char *origin,
              GError **error)
{
  Builder b = { origin ? origin : "<string>", NULL, NULL, FALSE };
  gboolean ok;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  b.stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  ok = builder_run (&b, text ? text : "", length, error);
  while (b.stack->len > 0)
    builder_close (&b);
  g_array_unref (b.stack);
  if (!ok)
    {
      cm_node_free (b.root);
      return NULL;
    }
  /* A file of comments holds no document; "---" alone or "~" holds null.
   * Neither can be a config or a sidecar. */
  if (b.root == NULL || cm_node_is_null (b.root))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s: the file holds no YAML document (only comments, "
                   "blank lines or null)", b.origin);
      cm_node_free (b.root);
      return NULL;
    }
  return b.root;
}

CmNode *
cm_yaml_load_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) io_error = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  if (!g_file_get_contents (path, &text, &length, &io_error))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot read %s: %s", path, io_error->message);
      return NULL;
    }
  return cm_yaml_load (text, length, path, error);
}

const CmNode *
cm_node_lookup (const CmNode *mapping, const char *key)
{
  if (mapping == NULL || mapping->kind != CM_NODE_MAPPING || key == NULL)
    return NULL;
  for (guint i = 0; i + 1 < mapping->children->len; i += 2)
    {
      const CmNode *k = mapping->children->pdata[i];

      if (strcmp (k->value, key) == 0)
        return mapping->children->pdata[i + 1];
    }
  return NULL;
}

/* NULL (no node at all) counts as null too: "absent or null" is what
 * every caller asks. */
gboolean
cm_node_is_null (const CmNode *node)
{
  static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

  if (node == NULL)
    return TRUE;
  if (node->kind != CM_NODE_SCALAR || !node->plain)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (nulls); i++)
    if (strcmp (node->value, nulls[i]) == 0)
      return TRUE;
  return FALSE;
}

static const char *
skip_digits (const char *p)
{
  while (g_ascii_isdigit (*p))
    p++;
  return p;
}

/* Whether @s is a YAML 1.2 core-schema decimal number:
 * [-+]? ( digits | digits.digits* | .digits ) ( [eE] [-+]? digits )?
 * g_ascii_strtod alone would also take hex, "inf", "nan" and spaces. */
static gboolean
is_decimal (const char *s)
{
  const char *p = s;
  const char *q;
  gboolean mantissa_digits;

  if (*p == '-' || *p == '+')
    p++;
  q = skip_digits (p);
  mantissa_digits = q > p;
  p = q;
  if (*p == '.')
    {
      q = skip_digits (p + 1);
      mantissa_digits = mantissa_digits || q > p + 1;
      p = q;
    }
  if (!mantissa_digits)
    return FALSE;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '-' || *p == '+')
        p++;
      q = skip_digits (p);
      if (q == p)
        return FALSE;
      p = q;
    }
  return *p == '\0';
}

static gboolean
is_one_of (const char *s, const char *a, const char *b, const char *c)
{
  return strcmp (s, a) == 0 || strcmp (s, b) == 0 || strcmp (s, c) == 0;
}

gboolean
cm_node_to_double (const CmNode *node, double *value)
{
  const char *s;

  if (node == NULL || node->kind != CM_NODE_SCALAR || !node->plain)
    return FALSE;
  s = node->value;
  if (is_one_of (s, ".nan", ".NaN", ".NAN"))
    {
      *value = NAN;
      return TRUE;
    }
  if (*s == '-' || *s == '+')
    {
      if (is_one_of (s + 1, ".inf", ".Inf", ".INF"))
        {
          *value = *s == '-' ? -INFINITY : INFINITY;
          return TRUE;
        }
    }
  else if (is_one_of (s, ".inf", ".Inf", ".INF"))
    {
      *value = INFINITY;
      return TRUE;
    }
  if (!is_decimal (s))
    return FALSE;
  /* Locale-proof; an overflow such as 1e999 gives +-inf, which the caller
   * refuses as not finite. */
  *value = g_ascii_strtod (s, NULL);
  return TRUE;
}

gboolean
cm_node_to_boolean (const CmNode *node, gboolean *value)
{
  if (node == NULL || node->kind != CM_NODE_SCALAR || !node->plain)
    return FALSE;
  if (is_one_of (node->value, "true", "True", "TRUE"))
    *value = TRUE;
  else if (is_one_of (node->value, "false", "False", "FALSE"))
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

char *
cm_node_describe (const CmNode *node)
{
  g_autofree char *text = NULL;
  double number;
  gboolean boolean;

  if (cm_node_is_null (node))
    return g_strdup ("null");
  if (node->kind == CM_NODE_SEQUENCE)
    return g_strdup ("a list");
  if (node->kind == CM_NODE_MAPPING)
    return g_strdup ("a mapping");
  text = cm_quote_text (node->value);
  if (cm_node_to_double (node, &number))
    return g_strdup_printf ("the number %s", text);
  if (cm_node_to_boolean (node, &boolean))
    return g_strdup_printf ("the boolean %s", text);
  return g_strdup_printf ("the string '%s'", text);
}
