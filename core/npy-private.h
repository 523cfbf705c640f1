/* npy-private.h - the parsed header of a .npy file, shared by npy.c
 * (files) and npy-header.c (the header's dict literal). */
#ifndef CONDMAP_NPY_PRIVATE_H
#define CONDMAP_NPY_PRIVATE_H

#include "condmap-private.h"

typedef struct {
  CondmapDtype dtype;
  gboolean swap;          /* file byte order differs from the host's */
  gboolean fortran;
  unsigned rank;
  size_t shape[CONDMAP_MAX_RANK];
  guint seen;             /* KEY_* bits, to catch missing and repeated keys */
} NpyHeader;


/* Parses the header text (len bytes, not NUL-terminated) into a zeroed
 * @h.  Errors are CONDMAP_ERROR_FORMAT naming @path and the column. */
gboolean cm_npy_parse_header (const char *text, size_t len, const char *path,
                              NpyHeader *h, GError **error);

#endif
