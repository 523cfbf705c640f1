/* device.c - a device-model plugin plus its validated settings, and the
 * sequence of aihwkit's BaseNoiseModel.apply_noise run with it on the
 * planes of a conversion: program each device from its target, draw its
 * drift coefficient from the target, then drift and read at time t.
 *
 * The plugin's kernels see doubles and standard normals; the core draws
 * the normals with Philox keyed by (seed, tensor, plane, draw, element),
 * so the planes at t are a pure function of the seed and the element
 * index, whatever the chunking and the number of threads. */
#include <math.h>
#include <string.h>
#include "devices-private.h"

/* Elements per kernel call: three normals and three planes of doubles
 * stay in L1. */
#define BLOCK 256

/* Which normals each stage gets (CmPhiloxKey.draw), as the core's
 * reference model numbers them. */
#define DRAW_PROG CM_PCM_DRAW_PROG
#define DRAW_NU CM_PCM_DRAW_NU
#define DRAW_READ CM_PCM_DRAW_READ

struct _CondmapDevice {
  CondmapRuntime *runtime;     /* a reference: keeps the plugin loaded */
  const CmPlugin *plugin;      /* owned by the runtime */
  void *state;
  GPtrArray *resolved;         /* CmResolved*, the config with defaults */
  char *origin;
};

static CondmapDevice *
device_new_named (CondmapRuntime *runtime, const char *name,
                  const CmNode *mapping, const char *origin, unsigned line,
                  GError **error)
{
  const CmPlugin *plugin =
    cm_runtime_find_plugin_of_kind (runtime, CONDMAP_PLUGIN_KIND_DEVICE, name);
  g_autoptr (CmSettings) settings = NULL;
  g_autoptr (CondmapDevice) dev = NULL;
  CondmapContext ctx;

  if (plugin == NULL)
    {
      g_autofree const char **names =
        cm_runtime_dup_names_of_kind (runtime, CONDMAP_PLUGIN_KIND_DEVICE);
      g_autofree char *list = g_strjoinv (", ", (char **) names);
      const char *guess = cm_suggest (name, names,
                                      g_strv_length ((char **) names));

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_UNKNOWN_CONVERTER,
                   "%s:%u: no plugin provides device model '%s'%s%s%s "
                   "(available: %s; see 'condmap list')", origin, line, name,
                   guess ? " - did you mean '" : "", guess ? guess : "",
                   guess ? "'?" : "", *list ? list : "none found");
      return NULL;
    }
  dev = g_new0 (CondmapDevice, 1);
  dev->runtime = condmap_runtime_ref (runtime);
  dev->plugin = plugin;
  dev->origin = g_strdup (origin);
  settings = cm_settings_new (mapping, origin, "device", &plugin->decls);
  if (!cm_settings_validate (settings, error))
    return NULL;
  cm_context_init (&ctx, plugin, settings, NULL);
  dev->state = plugin->desc->create (cm_host (), &ctx);
  if (dev->state == NULL || ctx.error != NULL)
    {
      if (ctx.error != NULL)
        g_propagate_error (error, g_steal_pointer (&ctx.error));
      else
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "plugin \"%s\" (%s) refused the config without saying "
                     "why: a bug in the plugin", plugin->desc->name,
                     plugin->path);
      cm_context_clear (&ctx);
      return NULL;
    }
  cm_context_clear (&ctx);
  dev->resolved = cm_settings_steal_resolved (settings);
  return g_steal_pointer (&dev);
}

static CondmapDevice *
device_new_from_node (CondmapRuntime *runtime, const CmNode *root,
                      const char *origin, GError **error)
{
  const CmNode *name;

  if (root->kind != CM_NODE_MAPPING)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s:%u: a device config is a mapping of keys such as "
                   "'device: pcm-like', not %s", origin, root->line,
                   root->kind == CM_NODE_SEQUENCE ? "a list" : "a scalar");
      return NULL;
    }
  name = cm_node_lookup (root, "device");
  if (name == NULL || cm_node_is_null (name))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s: the key 'device' is missing: name the device model, "
                   "for example 'device: pcm-like' (see 'condmap list')",
                   origin);
      return NULL;
    }
  if (name->kind != CM_NODE_SCALAR)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_CONFIG,
                   "%s:%u: 'device' must be a plugin name such as pcm-like",
                   origin, name->line);
      return NULL;
    }
  return device_new_named (runtime, name->value, root, origin, name->line,
                           error);
}

CondmapDevice *
condmap_device_new_from_yaml (CondmapRuntime *runtime, const char *yaml,
                              gssize length, const char *origin,
                              GError **error)
{
  g_autoptr (CmNode) root = NULL;

  if (origin == NULL)
    origin = "<string>";
  root = cm_yaml_load (yaml, length < 0 ? strlen (yaml) : (gsize) length,
                       origin, error);
  if (root == NULL)
    return NULL;
  return device_new_from_node (runtime, root, origin, error);
}

CondmapDevice *
condmap_device_new_from_file (CondmapRuntime *runtime, const char *path,
                              GError **error)
{
  g_autoptr (CmNode) root = cm_yaml_load_file (path, error);

  if (root == NULL)
    return NULL;
  return device_new_from_node (runtime, root, path, error);
}

void
condmap_device_free (CondmapDevice *device)
{
  if (device == NULL)
    return;
  if (device->state != NULL)
    device->plugin->desc->destroy (device->state);
  if (device->resolved != NULL)
    g_ptr_array_unref (device->resolved);
  g_free (device->origin);
  /* Last: the runtime may unload the plugin's code. */
  condmap_runtime_unref (device->runtime);
  g_free (device);
}

const char *
condmap_device_get_name (const CondmapDevice *device)
{
  return device->plugin->desc->name;
}

char *
condmap_device_dup_config_yaml (const CondmapDevice *device)
{
  return cm_resolved_to_flow_yaml (device->resolved);
}

/* ---- the simulation ------------------------------------------------------ */

typedef struct {
  const CondmapDevice *device;
  CondmapDeviceEnv env;
  CondmapDtype dtype;
  guint64 seed;
  guint32 tensor;
  unsigned n_planes;
  const void *const *target;
  void *const *prog;           /* may be NULL */
  void *const *out;
} SimJob;

typedef struct {
  double target[BLOCK];
  double prog[BLOCK];
  double nu[BLOCK];
  double z[BLOCK];
  double out[BLOCK];
} Scratch;

static void
load_block (CondmapDtype dtype, const void *plane, size_t first, size_t nb,
            double *out)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    for (size_t i = 0; i < nb; i++)
      out[i] = ((const float *) plane)[first + i];
  else
    memcpy (out, (const double *) plane + first, nb * sizeof (double));
}

static void
store_block (CondmapDtype dtype, void *plane, size_t first, size_t nb,
             const double *in)
{
  if (dtype == CONDMAP_DTYPE_FLOAT32)
    for (size_t i = 0; i < nb; i++)
      ((float *) plane)[first + i] = (float) in[i];
  else
    memcpy ((double *) plane + first, in, nb * sizeof (double));
}

static void
sim_block (const SimJob *job, unsigned k, size_t first, size_t nb,
           Scratch *s)
{
  const CondmapDeviceOps *ops = job->device->plugin->device_ops;
  const void *state = job->device->state;
  CmPhiloxKey key = { job->seed, job->tensor, k, DRAW_PROG };

  load_block (job->dtype, job->target[k], first, nb, s->target);
  cm_philox_normals (&key, first, nb, s->z);
  ops->program (state, &job->env, s->target, s->z, nb, s->prog);
  key.draw = DRAW_NU;
  cm_philox_normals (&key, first, nb, s->z);
  ops->drift_coefficient (state, &job->env, s->target, s->z, nb, s->nu);
  key.draw = DRAW_READ;
  cm_philox_normals (&key, first, nb, s->z);
  ops->read (state, &job->env, s->prog, s->nu, s->z, nb, s->out);
  if (job->prog != NULL)
    store_block (job->dtype, job->prog[k], first, nb, s->prog);
  store_block (job->dtype, job->out[k], first, nb, s->out);
}

static void
sim_work (gpointer data, size_t begin, size_t end, unsigned worker)
{
  const SimJob *job = data;
  g_autofree Scratch *s = g_new (Scratch, 1);

  (void) worker;
  for (unsigned k = 0; k < job->n_planes; k++)
    for (size_t i0 = begin; i0 < end; i0 += BLOCK)
      sim_block (job, k, i0, MIN (BLOCK, end - i0), s);
}

gboolean
condmap_device_simulate (const CondmapDevice *device, CondmapDtype dtype,
                         guint64 seed, guint32 tensor, double g_min_us,
                         double g_max_us, double time_s, unsigned n_planes,
                         const void *const *g_target, size_t n,
                         void *const *g_prog, void *const *g_t,
                         GError **error)
{
  SimJob job = { 0 };

  g_return_val_if_fail (device != NULL && g_target != NULL && g_t != NULL,
                        FALSE);
  if (condmap_dtype_size (dtype) == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "unknown dtype %d: use float32 or float64", (int) dtype);
      return FALSE;
    }
  if (!isfinite (time_s) || time_s < 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the read time must be a finite number of seconds >= 0, "
                   "got %g", time_s);
      return FALSE;
    }
  if (!(isfinite (g_min_us) && isfinite (g_max_us) && g_max_us > 0
        && g_min_us < g_max_us))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "the conductance bounds must be finite with 0 < g_max and "
                   "g_min < g_max, got [%g, %g] µS", g_min_us, g_max_us);
      return FALSE;
    }
  if ((guint64) n > CM_PHILOX_MAX_ELEMENTS)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "%zu elements per plane is more than the random streams "
                   "hold", n);
      return FALSE;
    }
  job.device = device;
  job.env.struct_size = sizeof (CondmapDeviceEnv);
  job.env.g_min_us = g_min_us;
  job.env.g_max_us = g_max_us;
  job.env.t_s = time_s;
  job.dtype = dtype;
  job.seed = seed;
  job.tensor = tensor;
  job.n_planes = n_planes;
  job.target = g_target;
  job.prog = g_prog;
  job.out = g_t;
  cm_run_parallel (condmap_runtime_get_n_threads (device->runtime), n,
                   sim_work, &job);
  return TRUE;
}
