/* sidecar-private.h - the params sidecar object, shared by sidecar.c
 * (lifetime, reading, checks) and sidecar-write.c (the emitter).  Not
 * installed; the type is opaque to everyone else. */
#ifndef CONDMAP_SIDECAR_PRIVATE_H
#define CONDMAP_SIDECAR_PRIVATE_H

#include <yaml.h>
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

/* ---- for the checkpoint record (checkpoint-record.c) ------------------ */

/* Emits the body of a YAML document (its events between document start
 * and end); FALSE if the emitter fails. */
typedef gboolean (*CmEmitFunc) (yaml_emitter_t *e, gconstpointer data);

/* Emits @body with libyaml's emitter (one line per key, UTF-8) and writes
 * it atomically to @path. */
gboolean cm_sidecar_write_document (const char *path, CmEmitFunc body,
                                    gconstpointer data, GError **error);
/* Emits the keys and values converter, config, shape, dtype, params and
 * planes of @sc, inside a mapping the caller opened. */
gboolean cm_sidecar_emit_fields (yaml_emitter_t *e, const CondmapSidecar *sc,
                                 const char *params_file);
/* A scalar: a plain number if @number, else a string quoted when it would
 * read back as something else. */
gboolean cm_sidecar_emit_scalar (yaml_emitter_t *e, const char *text,
                                 gboolean number);
gboolean cm_sidecar_emit_open (yaml_emitter_t *e, gboolean mapping,
                               gboolean flow);
gboolean cm_sidecar_emit_close (yaml_emitter_t *e, gboolean mapping);

/* Reads the keys converter, config, dtype, shape, params and planes of
 * @mapping (the caller refuses other keys) into a new sidecar; messages
 * name @path.  The sidecar borrows @mapping's config node: keep the tree
 * alive as long as it.  Free with condmap_sidecar_free(). */
CondmapSidecar *cm_sidecar_new_from_node (const char *path,
                                          const CmNode *mapping,
                                          GError **error);

G_END_DECLS

#endif
