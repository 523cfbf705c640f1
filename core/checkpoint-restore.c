/* checkpoint-restore.c - condmap_checkpoint_restore(): an OUTDIR of a
 * converted checkpoint (planes as written, or measured back from a chip)
 * into a whole safetensors checkpoint again, tensor by tensor.
 *
 * Everything is checked before the first byte is written: the record,
 * every converter it names, and the name, dtype and shape of every plane
 * in planes.safetensors (npy planes are checked as each is read).  Then
 * each tensor is restored alone -- its planes widened into the compute
 * dtype, turned back into weights, narrowed to the tensor's dtype (round
 * to nearest even) and written with pwrite() -- so memory stays that of
 * the largest tensor. */
#include <string.h>
#include "checkpoint-private.h"

#define CHUNK_BYTES (8u << 20)

typedef struct {
  const char *dir;
  CmCkptRecord *record;
  CondmapSafetensors *planes;     /* NULL in the npy layout */
  CondmapSafetensors *pass;
  GPtrArray *convs;               /* CondmapConverter* per entry, or NULL */
  GArray *sources;                /* gssize: the entry's first index */
  CondmapSafetensorsWriter *out;
  CmProgress progress;
} Restore;

static void
restore_clear (Restore *r)
{
  condmap_safetensors_writer_abort (r->out);
  g_clear_pointer (&r->convs, g_ptr_array_unref);
  g_clear_pointer (&r->sources, g_array_unref);
  g_clear_pointer (&r->planes, condmap_safetensors_free);
  g_clear_pointer (&r->pass, condmap_safetensors_free);
  g_clear_pointer (&r->record, cm_ckpt_record_free);
  cm_progress_clear (&r->progress);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Restore, restore_clear)

static size_t
n_elements (const CondmapSidecar *sc)
{
  size_t n = 1;

  for (unsigned i = 0; i < condmap_sidecar_get_rank (sc); i++)
    n *= condmap_sidecar_get_shape (sc)[i];
  return n;
}

static gboolean
same_shape (unsigned rank_a, const size_t *a, unsigned rank_b,
            const size_t *b)
{
  return rank_a == rank_b
         && (rank_a == 0 || memcmp (a, b, rank_a * sizeof *a) == 0);
}

static gboolean
wrong_plane (const char *file, const char *plane, const CmCkptEntry *e,
             const char *dtype, unsigned rank, const size_t *shape,
             GError **error)
{
  const CondmapSidecar *sc = e->sc;
  g_autofree char *got = condmap_shape_to_string (rank, shape);
  g_autofree char *want =
    condmap_shape_to_string (condmap_sidecar_get_rank (sc),
                             condmap_sidecar_get_shape (sc));

  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
               "%s: plane '%s' of tensor '%s' is %s of shape %s, but "
               CONDMAP_CHECKPOINT_RECORD " records %s of shape %s: measured "
               "planes must keep the dtype and shape convert wrote", file,
               plane, e->name, dtype, got,
               condmap_tensor_dtype_name (e->plane_dtype), want);
  return FALSE;
}

/* A converted tensor: its planes are in planes.safetensors, of the
 * recorded dtype and shape. */
static gboolean
check_planes (Restore *r, const CmCkptEntry *e, GError **error)
{
  const char *file = condmap_safetensors_get_path (r->planes);

  for (char **s = e->stored; *s != NULL; s++)
    {
      gssize i = condmap_safetensors_find (r->planes, *s);
      CondmapTensorInfo info;

      if (i < 0)
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "%s: there is no plane '%s' of tensor '%s' (listed "
                       "in " CONDMAP_CHECKPOINT_RECORD ")", file, *s,
                       e->name);
          return FALSE;
        }
      condmap_safetensors_get_tensor (r->planes, (size_t) i, &info);
      if (info.dtype != e->plane_dtype
          || !same_shape (info.rank, info.shape,
                          condmap_sidecar_get_rank (e->sc),
                          condmap_sidecar_get_shape (e->sc)))
        return wrong_plane (file, *s, e, info.dtype_name, info.rank,
                            info.shape, error);
    }
  return TRUE;
}

/* Declares tensor @e of the output, after checking what it needs. */
static gboolean
prepare (Restore *r, CondmapRuntime *runtime, const CmCkptEntry *e,
         GError **error)
{
  CondmapConverter *conv = NULL;
  gssize src = -1;

  if (e->sc == NULL)
    {
      CondmapTensorInfo info;

      src = condmap_safetensors_find (r->pass, e->name);
      if (src < 0)
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "%s: there is no tensor '%s', which "
                       CONDMAP_CHECKPOINT_RECORD " says passes through",
                       condmap_safetensors_get_path (r->pass), e->name);
          return FALSE;
        }
      condmap_safetensors_get_tensor (r->pass, (size_t) src, &info);
      r->progress.state.bytes_total += info.n_bytes;
      g_ptr_array_add (r->convs, NULL);
      g_array_append_val (r->sources, src);
      return condmap_safetensors_writer_add (r->out, e->name,
                                             info.dtype_name, info.rank,
                                             info.shape, error);
    }
  if (r->planes != NULL && !check_planes (r, e, error))
    return FALSE;
  conv = condmap_sidecar_new_converter (e->sc, runtime, error);
  if (conv == NULL)
    {
      g_prefix_error (error, "tensor '%s': ", e->name);
      return FALSE;
    }
  g_ptr_array_add (r->convs, conv);
  g_array_append_val (r->sources, src);
  for (char **s = e->stored; *s != NULL; s++)
    r->progress.state.bytes_total +=
      cm_ckpt_dtype_size (e->plane_dtype)
      * n_elements (e->sc);
  return condmap_safetensors_writer_add (r->out, e->name,
           condmap_tensor_dtype_name (e->tensor_dtype),
           condmap_sidecar_get_rank (e->sc),
           condmap_sidecar_get_shape (e->sc), error);
}

/* ---- reading planes ----------------------------------------------------- */

static CondmapArray *
read_npy_plane (Restore *r, const CmCkptEntry *e, unsigned k, GError **error)
{
  g_autofree char *path = g_build_filename (r->dir, e->stored[k], NULL);
  CondmapDtype want = cm_ckpt_compute_dtype (e->tensor_dtype);
  g_autoptr (CondmapArray) a = condmap_npy_read (path, error);
  g_autoptr (CondmapArray) w = NULL;
  CondmapDtype got;

  if (a == NULL)
    return NULL;
  got = condmap_array_get_dtype (a);
  if ((got == CONDMAP_DTYPE_FLOAT64) != (e->plane_dtype == CONDMAP_TENSOR_DTYPE_F64)
      || !same_shape (condmap_array_get_rank (a), condmap_array_get_shape (a),
                      condmap_sidecar_get_rank (e->sc),
                      condmap_sidecar_get_shape (e->sc)))
    {
      wrong_plane (path, condmap_sidecar_get_planes (e->sc)[k], e,
                   got == CONDMAP_DTYPE_FLOAT64 ? "F64" : "F32",
                   condmap_array_get_rank (a), condmap_array_get_shape (a),
                   error);
      return NULL;
    }
  if (got == want)
    return g_steal_pointer (&a);
  if ((w = condmap_array_new (want, condmap_array_get_rank (a),
                              condmap_array_get_shape (a), error)) == NULL)
    return NULL;
  /* Native arrays: the F32/F64 "file" dtypes are the native layout on the
   * little-endian hosts condmap runs on. */
  cm_ckpt_to_compute (e->plane_dtype, condmap_array_peek_data (a), want,
                      condmap_array_get_data (w), condmap_array_get_n (a));
  return g_steal_pointer (&w);
}

static CondmapArray *
read_plane (Restore *r, const CmCkptEntry *e, unsigned k, GError **error)
{
  CondmapTensorInfo info;
  gssize i;
  CondmapArray *a;

  if (r->planes == NULL)
    {
      a = read_npy_plane (r, e, k, error);
      if (a != NULL)
        cm_progress_add (&r->progress, condmap_array_get_n (a)
                         * cm_ckpt_dtype_size (e->plane_dtype));
      return a;
    }
  /* Checked by check_planes(). */
  i = condmap_safetensors_find (r->planes, e->stored[k]);
  condmap_safetensors_get_tensor (r->planes, (size_t) i, &info);
  a = cm_ckpt_load_weights (&info, cm_ckpt_compute_dtype (e->tensor_dtype),
                            &r->progress, error);
  condmap_safetensors_release (r->planes, (size_t) i);
  return a;
}

/* ---- writing ------------------------------------------------------------ */

static gboolean
write_weights (Restore *r, size_t index, const CmCkptEntry *e,
               const CondmapArray *w, GError **error)
{
  CondmapDtype dtype = condmap_array_get_dtype (w);
  size_t csize = condmap_dtype_size (dtype);
  size_t osize = cm_ckpt_dtype_size (e->tensor_dtype);
  size_t n = condmap_array_get_n (w), step = CHUNK_BYTES / csize;
  const guchar *data = condmap_array_peek_data (w);
  g_autofree guchar *buf = NULL;

  if (G_BYTE_ORDER == G_LITTLE_ENDIAN && osize == csize)
    return condmap_safetensors_writer_write (r->out, index, 0, data,
                                             n * csize, error);
  buf = g_malloc (step * osize);
  for (size_t i = 0; i < n; i += step)
    {
      size_t m = MIN (step, n - i);

      cm_ckpt_from_compute (dtype, data + i * csize, e->tensor_dtype, buf, m);
      if (!condmap_safetensors_writer_write (r->out, index,
                                             (guint64) i * osize, buf,
                                             m * osize, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
restore_one (Restore *r, size_t index, const CmCkptEntry *e,
             const CondmapConverter *conv, GError **error)
{
  unsigned K = condmap_converter_get_n_planes (conv);
  g_autoptr (GPtrArray) planes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_array_free);
  g_autofree const void **data = g_new0 (const void *, K);
  g_autoptr (CondmapArray) w = NULL;

  for (unsigned k = 0; k < K; k++)
    {
      CondmapArray *plane = read_plane (r, e, k, error);

      if (plane == NULL)
        return FALSE;
      g_ptr_array_add (planes, plane);
      data[k] = condmap_array_peek_data (plane);
    }
  w = condmap_array_new (cm_ckpt_compute_dtype (e->tensor_dtype),
                         condmap_sidecar_get_rank (e->sc),
                         condmap_sidecar_get_shape (e->sc), error);
  if (w == NULL
      || !condmap_converter_to_weights (conv, condmap_array_get_dtype (w),
                                        data, condmap_array_get_n (w),
                                        condmap_sidecar_get_params (e->sc),
                                        condmap_array_get_data (w), error))
    {
      g_prefix_error (error, "%s: tensor '%s': ", r->dir, e->name);
      return FALSE;
    }
  g_clear_pointer (&planes, g_ptr_array_unref);
  return write_weights (r, index, e, w, error);
}

static gboolean
copy_through (Restore *r, size_t index, gssize src, GError **error)
{
  CondmapTensorInfo info;

  condmap_safetensors_get_tensor (r->pass, (size_t) src, &info);
  for (size_t at = 0; at < info.n_bytes; at += CHUNK_BYTES)
    {
      size_t m = MIN (CHUNK_BYTES, info.n_bytes - at);
      const guchar *in = (const guchar *) info.data + at;

      if (!condmap_safetensors_writer_write (r->out, index, at, in, m,
                                             error))
        return FALSE;
      cm_ckpt_release_pages (in, m);
      cm_progress_add (&r->progress, m);
    }
  condmap_safetensors_release (r->pass, (size_t) src);
  return TRUE;
}

static gboolean
open_inputs (Restore *r, GError **error)
{
  g_autofree char *record = g_build_filename (r->dir,
                                              CONDMAP_CHECKPOINT_RECORD,
                                              NULL);
  g_autofree char *planes = g_build_filename (r->dir,
                                              CONDMAP_CHECKPOINT_PLANES,
                                              NULL);
  g_autofree char *pass = g_build_filename (r->dir,
                                            CONDMAP_CHECKPOINT_PASSTHROUGH,
                                            NULL);

  if ((r->record = cm_ckpt_record_read (record, error)) == NULL
      || (r->pass = condmap_safetensors_open (pass, error)) == NULL)
    return FALSE;
  if (!r->record->npy
      && (r->planes = condmap_safetensors_open (planes, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
condmap_checkpoint_restore (CondmapRuntime *runtime, const char *outdir,
                            const char *output_path,
                            CondmapProgressFunc progress, gpointer user_data,
                            GError **error)
{
  g_auto (Restore) r = { .dir = NULL };
  guint n;

  g_return_val_if_fail (runtime != NULL && outdir != NULL
                        && output_path != NULL, FALSE);
  r.dir = outdir;
  r.convs = g_ptr_array_new_with_free_func ((GDestroyNotify) condmap_converter_free);
  r.sources = g_array_new (FALSE, FALSE, sizeof (gssize));
  cm_progress_init (&r.progress, progress, user_data, 0, 0);
  if (!open_inputs (&r, error)
      || (r.out = condmap_safetensors_writer_new (output_path, error)) == NULL)
    return FALSE;
  n = r.record->entries->len;
  for (guint i = 0; i < n; i++)
    if (!prepare (&r, runtime, r.record->entries->pdata[i], error))
      return FALSE;
  for (size_t m = 0; m < condmap_safetensors_get_n_metadata (r.pass); m++)
    if (!condmap_safetensors_writer_set_metadata (r.out,
          condmap_safetensors_get_metadata_key (r.pass, m),
          condmap_safetensors_get_metadata_value (r.pass, m), error))
      return FALSE;
  if (!condmap_safetensors_writer_begin (r.out, error))
    return FALSE;
  r.progress.state.n_tensors = n;
  for (guint i = 0; i < n; i++)
    {
      const CmCkptEntry *e = r.record->entries->pdata[i];
      gssize src = g_array_index (r.sources, gssize, i);

      cm_progress_start (&r.progress, i, e->name);
      if (!(e->sc == NULL ? copy_through (&r, i, src, error)
                          : restore_one (&r, i, e, r.convs->pdata[i], error)))
        return FALSE;
    }
  if (!condmap_safetensors_writer_commit (g_steal_pointer (&r.out), error))
    return FALSE;
  cm_progress_finish (&r.progress);
  return TRUE;
}
