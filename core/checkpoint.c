/* checkpoint.c - condmap_checkpoint_convert(): a model's safetensors
 * checkpoint into an OUTDIR of planes, pass-through tensors and the record
 * restore needs, one tensor at a time.
 *
 * Memory stays that of the largest tensor, whatever the model's size: a
 * tensor's weights are read through the mapping (in place when they are
 * aligned native floats, else converted chunk by chunk into one buffer,
 * the mapping's pages dropped as they are done), its K planes are made in
 * buffers of its size, written with pwrite() and freed before the next
 * tensor.  Pass-through tensors are copied in chunks.  Everything is
 * written inside "OUTDIR.tmp-XXXXXX" (outdir.c), renamed into place only
 * when complete. */
#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include "checkpoint-private.h"

/* Elements converted, or bytes copied, per step: small enough that a
 * step's pages can be dropped soon, big enough to stream. */
#define CHUNK_BYTES (8u << 20)

typedef struct {
  CondmapTensorInfo info;
  const CondmapConverter *conv;   /* NULL: passes through */
  CondmapTensorDtype plane_dtype;
  size_t index;                   /* in planes.safetensors (its first
                                     plane) or passthrough.safetensors */
  char **stored;                  /* converted: each plane's location */
} Plan;

typedef struct {
  const char *model;
  CondmapSafetensors *st;
  gboolean npy;
  GArray *plans;                  /* Plan */
  CondmapSafetensorsWriter *planes;
  CondmapSafetensorsWriter *pass;
  CmCkptRecord *record;
  CmProgress progress;
} Job;

static void
plan_clear (gpointer data)
{
  g_strfreev (((Plan *) data)->stored);
}

static void
job_clear (Job *job)
{
  condmap_safetensors_writer_abort (job->planes);
  condmap_safetensors_writer_abort (job->pass);
  g_clear_pointer (&job->plans, g_array_unref);
  g_clear_pointer (&job->record, cm_ckpt_record_free);
  g_clear_pointer (&job->st, condmap_safetensors_free);
  cm_progress_clear (&job->progress);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Job, job_clear)

/* ---- the plan: what becomes of each tensor ---------------------------- */

static char **
stored_names (const Plan *p, gboolean npy)
{
  unsigned K = condmap_converter_get_n_planes (p->conv);
  char **names = g_new0 (char *, K + 1);

  for (unsigned k = 0; k < K; k++)
    {
      const char *plane = condmap_converter_get_plane_name (p->conv, k);

      names[k] = npy ? g_strdup_printf ("%s/%s.npy", p->info.name, plane)
                     : g_strdup_printf ("%s:%s", p->info.name, plane);
    }
  return names;
}

static gboolean
plan_tensor (Job *job, CondmapRecipe *recipe, size_t i,
             CondmapTensorDtype plane_dtype, GError **error)
{
  Plan p = { .conv = NULL };

  condmap_safetensors_get_tensor (job->st, i, &p.info);
  if (!cm_ckpt_choose (recipe, job->model, &p.info, &p.conv, NULL, error))
    return FALSE;
  if (p.conv != NULL)
    {
      if (job->npy && !cm_ckpt_is_inside (p.info.name))
        {
          g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                       "%s: tensor '%s' cannot be a directory of npy planes: "
                       "its name would leave the output directory or is not "
                       "a plain path (a leading '/', an empty, '.' or '..' "
                       "component, or a '\\'); write planes.safetensors "
                       "instead (no --format npy)",
                       job->model, p.info.name);
          return FALSE;
        }
      p.plane_dtype = plane_dtype != CONDMAP_TENSOR_DTYPE_OTHER ? plane_dtype
                      : p.info.dtype == CONDMAP_TENSOR_DTYPE_F64
                      ? CONDMAP_TENSOR_DTYPE_F64 : CONDMAP_TENSOR_DTYPE_F32;
      p.stored = stored_names (&p, job->npy);
    }
  g_array_append_val (job->plans, p);
  return TRUE;
}

/* Declares every output tensor, so that both headers are known. */
static gboolean
declare (Job *job, GError **error)
{
  size_t n_planes = 0, n_pass = 0;

  for (size_t m = 0; m < condmap_safetensors_get_n_metadata (job->st); m++)
    if (!condmap_safetensors_writer_set_metadata (job->pass,
          condmap_safetensors_get_metadata_key (job->st, m),
          condmap_safetensors_get_metadata_value (job->st, m), error))
      return FALSE;
  for (guint i = 0; i < job->plans->len; i++)
    {
      Plan *p = &g_array_index (job->plans, Plan, i);

      if (p->conv == NULL)
        {
          p->index = n_pass++;
          if (!condmap_safetensors_writer_add (job->pass, p->info.name,
                                               p->info.dtype_name,
                                               p->info.rank, p->info.shape,
                                               error))
            return FALSE;
          continue;
        }
      p->index = n_planes;
      for (char **s = p->stored; !job->npy && *s != NULL; s++, n_planes++)
        if (!condmap_safetensors_writer_add (job->planes, *s,
              condmap_tensor_dtype_name (p->plane_dtype), p->info.rank,
              p->info.shape, error))
          return FALSE;
    }
  return TRUE;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Paths inside OUTDIR a signal must remove: the files, then the
 * directories of npy planes, deepest first. */
static char **
children (const Job *job)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) dirs = g_ptr_array_new ();
  g_autoptr (GHashTable) seen =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_ptr_array_add (list, g_strdup (CONDMAP_CHECKPOINT_RECORD));
  g_ptr_array_add (list, g_strdup (CONDMAP_CHECKPOINT_PLANES));
  g_ptr_array_add (list, g_strdup (CONDMAP_CHECKPOINT_PASSTHROUGH));
  for (guint i = 0; job->npy && i < job->plans->len; i++)
    {
      const Plan *p = &g_array_index (job->plans, Plan, i);

      for (char **s = p->stored; p->conv != NULL && *s != NULL; s++)
        {
          char *dir = g_path_get_dirname (*s);

          g_ptr_array_add (list, g_strdup (*s));
          while (strcmp (dir, ".") != 0 && !g_hash_table_contains (seen, dir))
            {
              char *up = g_path_get_dirname (dir);

              g_hash_table_add (seen, dir);
              g_ptr_array_add (dirs, dir);
              dir = up;
            }
          g_free (dir);
        }
    }
  /* A directory sorts before the ones inside it: reversed, they come
   * first. */
  g_ptr_array_sort (dirs, compare_paths);
  for (guint i = dirs->len; i-- > 0;)
    g_ptr_array_add (list, g_strdup (dirs->pdata[i]));
  g_ptr_array_add (list, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
}

/* ---- the run ------------------------------------------------------------ */

static gboolean
copy_through (Job *job, const Plan *p, GError **error)
{
  for (size_t at = 0; at < p->info.n_bytes; at += CHUNK_BYTES)
    {
      size_t m = MIN (CHUNK_BYTES, p->info.n_bytes - at);
      const guchar *in = (const guchar *) p->info.data + at;

      if (!condmap_safetensors_writer_write (job->pass, p->index, at, in, m,
                                             error))
        return FALSE;
      cm_ckpt_release_pages (in, m);
      cm_progress_add (&job->progress, m);
    }
  return TRUE;
}

/* Plane k of the tensor into planes.safetensors, converted to the plane
 * dtype a chunk at a time if it is not the compute dtype. */
static gboolean
write_plane (Job *job, const Plan *p, unsigned k, const CondmapArray *plane,
             GError **error)
{
  CondmapDtype dtype = condmap_array_get_dtype (plane);
  size_t csize = condmap_dtype_size (dtype);
  size_t psize = cm_ckpt_dtype_size (p->plane_dtype);
  size_t n = condmap_array_get_n (plane), step = CHUNK_BYTES / csize;
  const guchar *data = condmap_array_peek_data (plane);
  g_autofree guchar *buf = NULL;

  if (G_BYTE_ORDER == G_LITTLE_ENDIAN
      && cm_ckpt_compute_dtype (p->plane_dtype) == dtype
      && psize == csize)
    return condmap_safetensors_writer_write (job->planes, p->index + k, 0,
                                             data, n * csize, error);
  buf = g_malloc (step * psize);
  for (size_t i = 0; i < n; i += step)
    {
      size_t m = MIN (step, n - i);

      cm_ckpt_from_compute (dtype, data + i * csize, p->plane_dtype, buf, m);
      if (!condmap_safetensors_writer_write (job->planes, p->index + k,
                                             (guint64) i * psize, buf,
                                             m * psize, error))
        return FALSE;
    }
  return TRUE;
}

/* Plane k as OUTDIR/NAME/PLANE.npy, in the plane dtype. */
static gboolean
write_npy (const char *dir, const Plan *p, unsigned k,
           const CondmapArray *plane, GError **error)
{
  g_autofree char *path = g_build_filename (dir, p->stored[k], NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  CondmapDtype want = p->plane_dtype == CONDMAP_TENSOR_DTYPE_F64
                      ? CONDMAP_DTYPE_FLOAT64 : CONDMAP_DTYPE_FLOAT32;
  g_autoptr (CondmapArray) copy = NULL;

  if (g_mkdir_with_parents (parent, 0777) != 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO,
                   "cannot create the directory '%s': %s", parent,
                   g_strerror (errno));
      return FALSE;
    }
  if (want != condmap_array_get_dtype (plane))
    {
      copy = condmap_array_new (want, condmap_array_get_rank (plane),
                                condmap_array_get_shape (plane), error);
      if (copy == NULL)
        return FALSE;
      cm_ckpt_from_compute (condmap_array_get_dtype (plane),
                            condmap_array_peek_data (plane), p->plane_dtype,
                            condmap_array_get_data (copy),
                            condmap_array_get_n (plane));
    }
  return condmap_npy_write (path, copy ? copy : plane, error);
}

static gboolean
convert_one (Job *job, const char *dir, const Plan *p, size_t i,
             GError **error)
{
  g_autoptr (CondmapArray) w = NULL;
  g_autoptr (GPtrArray) planes = NULL;
  g_autoptr (CondmapParams) params = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  unsigned K = condmap_converter_get_n_planes (p->conv);

  w = cm_ckpt_load_weights (&p->info, cm_ckpt_compute_dtype (p->info.dtype),
                             &job->progress, error);
  condmap_safetensors_release (job->st, i);
  if (w == NULL
      || (planes = cm_ckpt_convert_tensor (p->conv, w, &params,
                                           error)) == NULL)
    {
      g_prefix_error (error, "%s: tensor '%s': ", job->model, p->info.name);
      return FALSE;
    }
  g_clear_pointer (&w, condmap_array_free);
  for (unsigned k = 0; k < K; k++)
    {
      if (!(job->npy ? write_npy (dir, p, k, planes->pdata[k], error)
                     : write_plane (job, p, k, planes->pdata[k], error)))
        return FALSE;
      /* Freed as soon as written: the next plane needs no room for it. */
      g_clear_pointer (&planes->pdata[k], condmap_array_free);
      g_ptr_array_add (names, (gpointer) condmap_converter_get_plane_name (p->conv, k));
    }
  g_ptr_array_add (names, NULL);
  cm_ckpt_record_add (job->record, p->info.name, p->info.dtype,
                      p->plane_dtype,
                      condmap_sidecar_new (p->conv,
                                           cm_ckpt_compute_dtype (p->info.dtype),
                                           p->info.rank, p->info.shape, params,
                                           (const char *const *) names->pdata),
                      (const char *const *) p->stored);
  return TRUE;
}

static gboolean
run (Job *job, const char *dir, GError **error)
{
  for (guint i = 0; i < job->plans->len; i++)
    {
      const Plan *p = &g_array_index (job->plans, Plan, i);

      cm_progress_start (&job->progress, i, p->info.name);
      if (!(p->conv == NULL ? copy_through (job, p, error)
                            : convert_one (job, dir, p, i, error)))
        return FALSE;
      if (p->conv == NULL)
        cm_ckpt_record_add (job->record, p->info.name,
                            CONDMAP_TENSOR_DTYPE_OTHER,
                            CONDMAP_TENSOR_DTYPE_OTHER, NULL, NULL);
      condmap_safetensors_release (job->st, i);
    }
  return TRUE;
}

static gboolean
open_writers (Job *job, const char *dir, GError **error)
{
  g_autofree char *planes = g_build_filename (dir, CONDMAP_CHECKPOINT_PLANES,
                                              NULL);
  g_autofree char *pass = g_build_filename (dir,
                                            CONDMAP_CHECKPOINT_PASSTHROUGH,
                                            NULL);

  if ((!job->npy
       && (job->planes = condmap_safetensors_writer_new (planes, error)) == NULL)
      || (job->pass = condmap_safetensors_writer_new (pass, error)) == NULL)
    return FALSE;
  return declare (job, error)
         && (job->npy || condmap_safetensors_writer_begin (job->planes, error))
         && condmap_safetensors_writer_begin (job->pass, error);
}

static gboolean
finish (Job *job, const char *dir, GError **error)
{
  g_autofree char *record = g_build_filename (dir, CONDMAP_CHECKPOINT_RECORD,
                                              NULL);
  CondmapSafetensorsWriter *planes = g_steal_pointer (&job->planes);
  CondmapSafetensorsWriter *pass = g_steal_pointer (&job->pass);

  if (planes != NULL && !condmap_safetensors_writer_commit (planes, error))
    {
      condmap_safetensors_writer_abort (pass);
      return FALSE;
    }
  return condmap_safetensors_writer_commit (pass, error)
         && cm_ckpt_record_write (job->record, record, error);
}

gboolean
condmap_checkpoint_convert (CondmapRecipe *recipe, const char *model_path,
                            const char *outdir, CondmapCheckpointFlags flags,
                            CondmapTensorDtype plane_dtype,
                            CondmapProgressFunc progress, gpointer user_data,
                            GError **error)
{
  g_auto (Job) job = { .model = NULL };
  g_auto (CmOutdir) o = { .path = NULL };
  g_auto (GStrv) kids = NULL;
  guint64 total = 0;
  size_t n;

  g_return_val_if_fail (recipe != NULL && model_path != NULL
                        && outdir != NULL, FALSE);
  job.model = model_path;
  job.npy = (flags & CONDMAP_CHECKPOINT_NPY) != 0;
  if (job.npy && plane_dtype == CONDMAP_TENSOR_DTYPE_F16)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT, "cannot write "
                   "F16 planes as .npy (condmap writes float32 and float64 "
                   ".npy files): choose F32 or F64, or planes.safetensors");
      return FALSE;
    }
  if (plane_dtype == CONDMAP_TENSOR_DTYPE_BF16)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT, "planes are "
                   "F16, F32 or F64, not BF16: BF16's 8 bits of mantissa "
                   "are too coarse for conductances");
      return FALSE;
    }
  if (!cm_outdir_prepare (&o, outdir, (flags & CONDMAP_CHECKPOINT_FORCE) != 0,
                          error)
      || (job.st = condmap_safetensors_open (model_path, error)) == NULL)
    return FALSE;
  n = condmap_safetensors_get_n_tensors (job.st);
  job.plans = g_array_new (FALSE, TRUE, sizeof (Plan));
  g_array_set_clear_func (job.plans, plan_clear);
  job.record = cm_ckpt_record_new (job.npy);
  for (size_t i = 0; i < n; i++)
    {
      if (!plan_tensor (&job, recipe, i, plane_dtype, error))
        return FALSE;
      total += g_array_index (job.plans, Plan, i).info.n_bytes;
    }
  cm_progress_init (&job.progress, progress, user_data, n, total);
  kids = children (&job);
  if (!cm_outdir_create (&o, (const char *const *) kids, error)
      || !open_writers (&job, o.tmp, error)
      || !run (&job, o.tmp, error)
      || !finish (&job, o.tmp, error)
      || !cm_outdir_commit (&o, error))
    return FALSE;
  cm_progress_finish (&job.progress);
  return TRUE;
}
