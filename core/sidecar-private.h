/* sidecar-private.h - the params sidecar object, shared by sidecar.c
 * (lifetime, reading, checks) and sidecar-write.c (the emitter).  Not
 * installed; the type is opaque to everyone else. */
#ifndef CONDMAP_SIDECAR_PRIVATE_H
#define CONDMAP_SIDECAR_PRIVATE_H

#include "condmap-private.h"

G_BEGIN_DECLS

/* "format: condmap-params/N" */
#define CM_SIDECAR_FORMAT_PREFIX "condmap-params/"

struct _CondmapSidecar {
  char *path;             /* the file read; NULL if made by _new() */
  char *converter;
  GPtrArray *resolved;    /* CmResolved*, copied from the converter; NULL if read */
  CmNode *root;           /* the file's tree, kept alive for @config */
  const CmNode *config;   /* borrowed from @root; NULL: no settings */
  CondmapDtype dtype;
  unsigned rank;
  size_t shape[CONDMAP_MAX_RANK];
  CondmapParams *params;
  char **planes;          /* NULL-terminated */
};

/* Whether @name is a file name inside OUTDIR: not empty, not "." or "..",
 * no '/' or '\\'. */
gboolean cm_sidecar_is_plain_file_name (const char *name);

G_END_DECLS

#endif
