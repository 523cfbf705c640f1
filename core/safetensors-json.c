/* safetensors-json.c - the JSON of a safetensors header: a lexical check,
 * then json-glib's parser, watched for duplicate names.
 *
 * json-glib is lenient where a checkpoint reader must not be: it reads
 * "010" as octal 8 and "0x10" as 16, takes comments, single-quoted
 * strings, "var x = {...};" and several values in a row (keeping the
 * first), and a "\u0000" escape silently cuts a string, so that "a\u0000b"
 * would be read as tensor "a"; an unpaired UTF-16 surrogate escape
 * becomes invalid UTF-8.  Other safetensors readers refuse all of these;
 * so does condmap, here, token by token.  json-glib then builds the
 * tree and reports the structural errors, with line and column.  The
 * nesting depth is bounded here too, since json-glib recurses.
 *
 * json-glib also keeps the last of two members of the same name without
 * a word, so a parser signal watches every member as it is parsed and
 * catches the second. */
#include <stdio.h>
#include <string.h>
#include "safetensors-private.h"

/* An entry nests 3 deep (header, entry, shape); metadata 2.  Unknown
 * members of an entry are ignored, as by the reference implementation,
 * and may nest a little deeper. */
#define MAX_DEPTH 16

/* ---- tokens ------------------------------------------------------------- */

typedef struct {
  const char *text, *p, *end;
  const char *path;
} Lexer;

static gboolean G_GNUC_PRINTF (3, 4)
lex_error (Lexer *lx, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
               "%s: malformed JSON in the safetensors header, at byte %"
               G_GSIZE_FORMAT ": %s", lx->path, (gsize) (lx->p - lx->text),
               what);
  return FALSE;
}

/* Describes the byte at the cursor for a message. */
static char *
describe_byte (guchar c)
{
  if (c >= 0x20 && c < 0x7f)
    return g_strdup_printf ("'%c'", c);
  return g_strdup_printf ("byte 0x%02x", c);
}

/* The value of 4 hexadecimal digits at @p, or -1. */
static int
hex4 (const char *p, const char *end)
{
  int v = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return -1;
      v = v * 16 + g_ascii_xdigit_value (p[i]);
    }
  return v;
}

/* A string after its opening quote: RFC 8259's escapes, no raw control
 * character, no escaped NUL. */
static gboolean
lex_string (Lexer *lx, GError **error)
{
  for (; lx->p < lx->end; lx->p++)
    {
      guchar c = *lx->p;

      if (c == '"')
        {
          lx->p++;
          return TRUE;
        }
      if (c < 0x20)
        return lex_error (lx, error, "a control character (0x%02x) inside "
                          "a string; JSON writes it as an escape", c);
      if (c != '\\')
        continue;
      if (++lx->p >= lx->end)
        break;
      if (*lx->p == 'u')
        {
          int unit = hex4 (lx->p + 1, lx->end);

          if (unit < 0)
            return lex_error (lx, error, "\\u not followed by 4 hexadecimal "
                              "digits");
          if (unit == 0)
            return lex_error (lx, error, "a NUL character (\\u0000) inside "
                              "a string; tensor names and metadata cannot "
                              "hold one");
          /* json-glib would pass an unpaired half of a UTF-16 pair on as
           * invalid UTF-8, and swallow the character after it. */
          if (unit >= 0xdc00 && unit <= 0xdfff)
            return lex_error (lx, error, "\\u%04x, the second half of a "
                              "UTF-16 surrogate pair, without the first",
                              unit);
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              int low = lx->end - lx->p >= 7 && lx->p[5] == '\\'
                        && lx->p[6] == 'u' ? hex4 (lx->p + 7, lx->end) : -1;

              if (low < 0xdc00 || low > 0xdfff)
                return lex_error (lx, error, "\\u%04x, the first half of a "
                                  "UTF-16 surrogate pair, without the "
                                  "second", unit);
              lx->p += 6;
            }
          lx->p += 4;
        }
      else if (strchr ("\"\\/bfnrt", *lx->p) == NULL || *lx->p == '\0')
        {
          g_autofree char *what = describe_byte (*lx->p);

          return lex_error (lx, error, "unknown escape \\ followed by %s",
                            what);
        }
    }
  return lex_error (lx, error, "a string without its closing quote");
}

static gboolean
skip_digits (Lexer *lx)
{
  const char *start = lx->p;

  while (lx->p < lx->end && g_ascii_isdigit (*lx->p))
    lx->p++;
  return lx->p > start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
lex_number (Lexer *lx, GError **error)
{
  if (*lx->p == '-')
    lx->p++;
  if (lx->p < lx->end && *lx->p == '0')
    {
      lx->p++;
      if (lx->p < lx->end && g_ascii_isdigit (*lx->p))
        return lex_error (lx, error, "a number with a leading zero");
    }
  else if (!skip_digits (lx))
    return lex_error (lx, error, "'-' not followed by a digit");
  if (lx->p < lx->end && *lx->p == '.')
    {
      lx->p++;
      if (!skip_digits (lx))
        return lex_error (lx, error, "no digit after the decimal point");
    }
  if (lx->p < lx->end && (*lx->p == 'e' || *lx->p == 'E'))
    {
      lx->p++;
      if (lx->p < lx->end && (*lx->p == '+' || *lx->p == '-'))
        lx->p++;
      if (!skip_digits (lx))
        return lex_error (lx, error, "no digit in the exponent");
    }
  if (lx->p < lx->end && (g_ascii_isalnum (*lx->p) || *lx->p == '.'))
    return lex_error (lx, error, "a number running into '%c' (JSON has "
                      "neither hexadecimal nor octal numbers)", *lx->p);
  return TRUE;
}

/* true, false or null. */
static gboolean
lex_word (Lexer *lx, GError **error)
{
  const char *start = lx->p;
  size_t n;

  while (lx->p < lx->end && g_ascii_isalnum (*lx->p))
    lx->p++;
  n = lx->p - start;
  if ((n == 4 && memcmp (start, "true", 4) == 0)
      || (n == 5 && memcmp (start, "false", 5) == 0)
      || (n == 4 && memcmp (start, "null", 4) == 0))
    return TRUE;
  lx->p = start;
  return lex_error (lx, error, "'%.*s' is not a JSON value (strings take "
                    "double quotes)", (int) MIN (n, 40), start);
}

/* Checks that @len bytes of text are one JSON value under RFC 8259's
 * lexical rules: only JSON tokens, no \u0000 escape, no unpaired
 * surrogate, nesting at most @max_depth deep. */
static gboolean
check_tokens (const char *text, size_t len, unsigned max_depth,
              const char *path, GError **error)
{
  Lexer lx = { text, text, text + len, path };
  unsigned depth = 0, n_values = 0;

  while (lx.p < lx.end)
    {
      guchar c = *lx.p;
      gboolean ok = TRUE;

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          lx.p++;
          continue;
        }
      /* Anything that starts a value at the top starts another one. */
      if (depth == 0 && (c == '{' || c == '[' || c == '"' || c == '-'
                         || g_ascii_isalnum (c))
          && n_values++ > 0)
        return lex_error (&lx, error, "a second JSON value after the "
                          "header's object");
      if (c == '{' || c == '[')
        {
          if (++depth > max_depth)
            return lex_error (&lx, error, "nesting deeper than %u levels",
                              max_depth);
          lx.p++;
        }
      else if (c == '}' || c == ']')
        {
          if (depth == 0)
            return lex_error (&lx, error, "'%c' closes nothing", c);
          depth--;
          lx.p++;
        }
      else if (c == ',' || c == ':')
        lx.p++;
      else if (c == '"')
        {
          lx.p++;
          ok = lex_string (&lx, error);
        }
      else if (c == '-' || g_ascii_isdigit (c))
        ok = lex_number (&lx, error);
      else if (g_ascii_isalpha (c))
        ok = lex_word (&lx, error);
      else
        {
          g_autofree char *what = describe_byte (c);

          return lex_error (&lx, error, "unexpected %s%s", what,
                            c == '\'' ? " (strings take double quotes)"
                            : c == '/' ? " (JSON has no comments)" : "");
        }
      if (!ok)
        return FALSE;
    }
  if (n_values == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                   "%s: the safetensors header is empty (%" G_GSIZE_FORMAT
                   " bytes of white space)", path, (gsize) len);
      return FALSE;
    }
  return TRUE;
}

/* ---- the tree ----------------------------------------------------------- */

/* Sets a CONDMAP_ERROR_FORMAT error "PATH: tensor 'NAME': WHAT", or
 * "PATH: WHAT" without a name, and returns FALSE. */
static gboolean G_GNUC_PRINTF (4, 5)
st_error (GError **error, const char *path, const char *name,
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

/* "a string", "the integer 5", "null": what a node is, for messages. */
char *
cm_st_describe_node (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT: return g_strdup ("an object");
    case JSON_NODE_ARRAY: return g_strdup ("a list");
    case JSON_NODE_NULL: return g_strdup ("null");
    case JSON_NODE_VALUE: break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return g_strdup_printf ("the integer %" G_GINT64_FORMAT,
                              json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup_printf ("the number %s",
                                g_ascii_dtostr (buf, sizeof buf,
                                                json_node_get_double (node)));
      }
    case G_TYPE_BOOLEAN: return g_strdup ("a boolean");
    case G_TYPE_STRING: return g_strdup ("a string");
    default: return g_strdup ("a value");
    }
}

/* ---- duplicate members -------------------------------------------------- */

typedef struct {
  GHashTable *open;       /* JsonObject* being parsed -> set of its names */
  unsigned depth;         /* of the object being parsed; the header is 1 */
  char *dup_name;         /* the first member seen twice */
  unsigned dup_depth;
  JsonObject *dup_object; /* a reference to the object holding it */
} DupCheck;

static void
on_object_start (JsonParser *parser, gpointer data)
{
  ((DupCheck *) data)->depth++;
}

static void
on_object_member (JsonParser *parser, JsonObject *object, const char *name,
                  gpointer data)
{
  DupCheck *d = data;
  GHashTable *names = g_hash_table_lookup (d->open, object);

  if (names == NULL)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (d->open, object, names);
    }
  if (g_hash_table_add (names, g_strdup (name)) || d->dup_name != NULL)
    return;
  d->dup_name = g_strdup (name);
  d->dup_depth = d->depth;
  d->dup_object = json_object_ref (object);
}

static void
on_object_end (JsonParser *parser, JsonObject *object, gpointer data)
{
  DupCheck *d = data;

  /* Forgotten before the object can be freed and its address reused. */
  g_hash_table_remove (d->open, object);
  d->depth--;
}

/* Reports a duplicate found while parsing, naming the tensor it is in. */
static gboolean
duplicate_error (const DupCheck *d, JsonObject *root, const char *path,
                 GError **error)
{
  g_autofree char *key = cm_st_quote (d->dup_name);
  g_autoptr (GList) members = json_object_get_members (root);

  if (d->dup_depth == 1 && strcmp (d->dup_name, "__metadata__") == 0)
    return st_error (error, path, NULL, "\"__metadata__\" appears twice "
                     "in the header");
  if (d->dup_depth == 1)
    return st_error (error, path, d->dup_name, "the name appears twice "
                     "in the header (tensor names must be unique)");
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (root, l->data);

      if (!JSON_NODE_HOLDS_OBJECT (node)
          || json_node_get_object (node) != d->dup_object)
        continue;
      if (strcmp (l->data, "__metadata__") == 0)
        return st_error (error, path, NULL, "metadata key %s appears "
                         "twice in \"__metadata__\"", key);
      return st_error (error, path, l->data, "key %s appears twice in "
                       "its entry", key);
    }
  return st_error (error, path, NULL, "key %s appears twice in an object "
                   "of the header", key);
}

JsonNode *
cm_st_parse_json (const char *text, size_t len, const char *path,
                  GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  const char *bad = NULL;
  DupCheck d = { 0 };
  JsonNode *root = NULL;

  if (!g_utf8_validate (text, (gssize) len, &bad))
    {
      st_error (error, path, NULL, "the safetensors header is not UTF-8 "
                "text (%s at byte %" G_GSIZE_FORMAT "): not a safetensors "
                "file, or a damaged one", *bad ? "invalid UTF-8" : "a NUL",
                (gsize) (bad - text));
      return NULL;
    }
  if (!check_tokens (text, len, MAX_DEPTH, path, error))
    return NULL;
  parser = json_parser_new_immutable ();
  d.open = g_hash_table_new_full (NULL, NULL, NULL,
                                  (GDestroyNotify) g_hash_table_unref);
  g_signal_connect (parser, "object-start", G_CALLBACK (on_object_start), &d);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member),
                    &d);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_object_end), &d);
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local))
    {
      /* json-glib says "<data>:LINE:COLUMN: Parse error: WHAT". */
      unsigned line = 0, column = 0;
      int skip = 0;

      /* It quotes the input, which must not make the message invalid. */
      if (!g_utf8_validate (local->message, -1, NULL))
        {
          char *valid = g_utf8_make_valid (local->message, -1);

          g_free (local->message);
          local->message = valid;
        }
      sscanf (local->message, "<data>:%u:%u: Parse error: %n", &line, &column,
              &skip);
      if (skip > 0)
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                     "%s: malformed JSON in the safetensors header, line %u "
                     "column %u: %s", path, line, column,
                     local->message + skip);
      else
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_FORMAT,
                     "%s: malformed JSON in the safetensors header: %s", path,
                     local->message);
    }
  else if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_autofree char *what =
        cm_st_describe_node (json_parser_get_root (parser));

      st_error (error, path, NULL, "the safetensors header is %s, not a "
                "JSON object", what);
    }
  else if (d.dup_name != NULL)
    duplicate_error (&d, json_node_get_object (json_parser_get_root (parser)),
                     path, error);
  else
    root = json_node_ref (json_parser_get_root (parser));
  g_hash_table_unref (d.open);
  g_free (d.dup_name);
  if (d.dup_object != NULL)
    json_object_unref (d.dup_object);
  return root;
}
