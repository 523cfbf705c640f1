/* checkpoint-private.h - the record of a converted checkpoint (OUTDIR's
 * params.yaml), shared by checkpoint-record.c (reading and writing it),
 * checkpoint.c (convert) and checkpoint-restore.c.  Not installed. */
#ifndef CONDMAP_CHECKPOINT_PRIVATE_H
#define CONDMAP_CHECKPOINT_PRIVATE_H

#include "sidecar-private.h"

G_BEGIN_DECLS

/* "format: condmap-checkpoint/N" */
#define CM_CKPT_FORMAT_PREFIX "condmap-checkpoint/"
#define CM_CKPT_FORMAT_VERSION 1

/* One tensor of the checkpoint, in the checkpoint's order. */
typedef struct {
  char *name;
  /* A converted tensor: */
  CondmapTensorDtype tensor_dtype;  /* as in the model: F64, F32, F16, BF16 */
  CondmapTensorDtype plane_dtype;   /* as stored: F64, F32 or F16 */
  CondmapSidecar *sc;               /* converter, config, shape, compute
                                       dtype, params, plane names; NULL:
                                       the tensor passes through */
  char **stored;                    /* where each plane is: a tensor of
                                       planes.safetensors, or a file under
                                       OUTDIR; NULL-terminated */
} CmCkptEntry;

typedef struct {
  char *path;          /* the file read; NULL if made in memory */
  CmNode *root;        /* the file's tree: the sidecars borrow from it */
  gboolean npy;        /* planes as OUTDIR/TENSOR/PLANE.npy */
  GPtrArray *entries;  /* CmCkptEntry*, owned */
} CmCkptRecord;

CmCkptRecord *cm_ckpt_record_new (gboolean npy);
void cm_ckpt_record_free (CmCkptRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmCkptRecord, cm_ckpt_record_free)
/* Appends an entry (all copied; @sc taken).  @sc NULL: passes through. */
void cm_ckpt_record_add (CmCkptRecord *record, const char *name,
                         CondmapTensorDtype tensor_dtype,
                         CondmapTensorDtype plane_dtype, CondmapSidecar *sc,
                         const char *const *stored);

/* Writes @record as YAML with libyaml's emitter, atomically. */
gboolean cm_ckpt_record_write (const CmCkptRecord *record, const char *path,
                               GError **error);
/* Reads and checks a record: format version, known keys (with a
 * did-you-mean), each converted tensor's fields as a params sidecar's,
 * dtypes, one stored location per plane, npy plane files inside OUTDIR.
 * Errors are CONDMAP_ERROR_FORMAT (or _IO, _PARSE) naming file and
 * line. */
CmCkptRecord *cm_ckpt_record_read (const char *path, GError **error);

/* Whether @path is a relative path that stays inside its directory and
 * names one place: no leading '/', no '\\', no empty, '.' or '..'
 * component.  (A NUL cannot be in a C string; the reader refuses names
 * that hold one.) */
gboolean cm_ckpt_is_inside (const char *path);

/* The working dtype of a tensor's conversion: float64 for F64 tensors,
 * float32 for the others. */
CondmapDtype cm_ckpt_compute_dtype (CondmapTensorDtype tensor_dtype);
/* Converts n elements between a file dtype (F64, F32, F16, BF16, little-
 * endian, any alignment) and a native compute dtype. */
void cm_ckpt_to_compute (CondmapTensorDtype from, const void *in,
                         CondmapDtype to, void *out, size_t n);
void cm_ckpt_from_compute (CondmapDtype from, const void *in,
                           CondmapTensorDtype to, void *out, size_t n);
/* Bytes of one element of F64, F32, F16 or BF16. */
size_t cm_ckpt_dtype_size (CondmapTensorDtype dtype);

/* The converter @recipe gives tensor @info of @model (NULL: it passes
 * through, as empty tensors do) and the rule that matched (-1: none).
 * Refuses (CONDMAP_ERROR_INPUT) a rule that converts a tensor that is not
 * floating. */
gboolean cm_ckpt_choose (CondmapRecipe *recipe, const char *model,
                         const CondmapTensorInfo *info,
                         const CondmapConverter **conv_out, int *rule_out,
                         GError **error);
/* Converts K new planes (CondmapArray* of @weights' dtype and shape) and
 * *params_out.  Free with g_ptr_array_unref(). */
GPtrArray *cm_ckpt_convert_tensor (const CondmapConverter *conv,
                                   const CondmapArray *weights,
                                   CondmapParams **params_out,
                                   GError **error);

/* Drops the resident pages wholly inside [data, data + n) of a read-only
 * mapping: the already converted part of a big tensor. */
void cm_ckpt_release_pages (const void *data, size_t n);

/* ---- progress.c -------------------------------------------------------- */

typedef struct {
  CondmapProgressFunc func;   /* NULL: no reports */
  gpointer user_data;
  GTimer *timer;
  CondmapProgress state;
} CmProgress;

void cm_progress_init (CmProgress *p, CondmapProgressFunc func,
                       gpointer user_data, size_t n_tensors,
                       guint64 bytes_total);
/* Tensor @index (named @name) starts. */
void cm_progress_start (CmProgress *p, size_t index, const char *name);
/* @bytes more are done. */
void cm_progress_add (CmProgress *p, guint64 bytes);
/* All done: a last report with finished set. */
void cm_progress_finish (CmProgress *p);
void cm_progress_clear (CmProgress *p);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmProgress, cm_progress_clear)

/* Tensor @info (F64, F32, F16 or BF16) as a new array of @dtype and its
 * shape, converted (or copied: the mapping may be misaligned) chunk by
 * chunk, each chunk's pages of the mapping dropped once done and counted
 * in @progress (may be NULL).  Free with condmap_array_free(). */
CondmapArray *cm_ckpt_load_weights (const CondmapTensorInfo *info,
                                    CondmapDtype dtype, CmProgress *progress,
                                    GError **error);

G_END_DECLS

#endif
