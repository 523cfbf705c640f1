/* safetensors-private.h - the parsed header of a safetensors checkpoint,
 * shared by safetensors-json.c (the JSON), safetensors-header.c (its
 * entries), safetensors.c (the mapped file) and safetensors-write.c. */
#ifndef CONDMAP_SAFETENSORS_PRIVATE_H
#define CONDMAP_SAFETENSORS_PRIVATE_H

#include <json-glib/json-glib.h>
#include "condmap-private.h"

/* The longest header read, in bytes: the reference implementation's
 * limit (real headers are a few hundred bytes per tensor). */
#define CM_ST_MAX_HEADER 100000000u

/* A dtype of the format: its name as written and its size in bits. */
typedef struct {
  const char *name;
  unsigned bits;
  CondmapTensorDtype dtype;
} CmStDtype;

/* The dtype named @name (the exact, case-sensitive spelling), or NULL. */
const CmStDtype *cm_st_dtype_lookup (const char *name);

/* One tensor entry of the header. */
typedef struct {
  char *name;
  const CmStDtype *dtype;   /* static */
  unsigned rank;
  size_t shape[CONDMAP_MAX_RANK];
  size_t n_elements;
  size_t n_bytes;
  guint64 begin;            /* data offsets, from the end of the header */
  guint64 end;
  guint position;           /* in the header, to keep sorting stable */
} CmStEntry;

/* A parsed header: the entries in the order of their data, and the
 * metadata in the header's order. */
typedef struct {
  GPtrArray *entries;       /* CmStEntry*, owned */
  GHashTable *by_name;      /* name (the entry's) -> index + 1 */
  GPtrArray *meta_keys;     /* char*, owned */
  GPtrArray *meta_values;   /* char*, owned */
} CmStHeader;

/* Parses and checks @len bytes of header text (not NUL-terminated):
 * strict JSON (cm_st_parse_json), an object of tensor entries, each
 * checked, and data offsets that cover exactly [0, @data_len), tensors
 * back to back.  Errors are CONDMAP_ERROR_FORMAT naming @path and the
 * tensor.  Free the result with cm_st_header_free(). */
CmStHeader *cm_st_header_parse (const char *text, size_t len,
                                guint64 data_len, const char *path,
                                GError **error);
void cm_st_header_free (CmStHeader *header);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmStHeader, cm_st_header_free)

/* Parses @len bytes of header text (not NUL-terminated) as strict JSON:
 * UTF-8, only RFC 8259's tokens (json-glib alone takes comments, single
 * quotes, hexadecimal and octal numbers, "var x =", several values in a
 * row, and cuts strings at an escaped NUL), nesting at most 16 deep, one
 * object, no name twice in any object.  Errors are CONDMAP_ERROR_FORMAT
 * naming @path and the byte, line or tensor.  Release the result with
 * json_node_unref(). */
JsonNode *cm_st_parse_json (const char *text, size_t len, const char *path,
                            GError **error);

/* "a string", "the integer 5", "null": what a node is, for messages.
 * Free with g_free(). */
char *cm_st_describe_node (JsonNode *node);

/* A tensor name or other string from a file, for a message: in single
 * quotes, control characters escaped, invalid UTF-8 replaced, cut after
 * 200 characters.  Free with g_free(). */
char *cm_st_quote (const char *text);

#endif
