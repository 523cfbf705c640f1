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
  CmCoreKeys core;        /* scaling and clip, copied by _new(); a read
                             sidecar has them in @config */
};

/* ---- sidecar-channels.c: params with one row per channel --------------- */

/* Whether @params (the sidecar's `params:` value) is the per-channel form
 * {file: NAME.npy, columns: [name, ...]} rather than {name: number}. */
gboolean cm_sidecar_params_is_file (const CmNode *params);
/* Reads the per-channel form: the .npy file beside the sidecar, rows x
 * columns of finite numbers, into sc->params. */
gboolean cm_sidecar_read_params_file (CondmapSidecar *sc, const CmNode *params,
                                      GError **error);
/* The name of the params file of the sidecar at @path: its base name with
 * .npy for .yaml ("params.yaml" -> "params.npy").  Free with g_free(). */
char *cm_sidecar_params_file_name (const char *path);
/* Writes the params, one row per row and one column per name in their
 * order, as float64 .npy to @file_name beside @path (atomic). */
gboolean cm_sidecar_write_params_file (const CondmapSidecar *sc,
                                       const char *path,
                                       const char *file_name, GError **error);
/* The format version a sidecar needs: 2 for per-channel params or core
 * keys (scaling, clip) in its config, else 1, which older condmaps read. */
int cm_sidecar_format_version (const CondmapSidecar *sc);

/* Whether @name is a file name inside OUTDIR: not empty, not "." or "..",
 * no '/' or '\\'. */
gboolean cm_sidecar_is_plain_file_name (const char *name);

G_END_DECLS

#endif
