/* plugin-loader.c - opens one plugin file, or takes a descriptor registered
 * in-process, and decides whether the host can trust it.  Everything a
 * broken plugin can get wrong is checked here, before any of its functions
 * is called but the entry point: the ABI, the sizes, the name, the required
 * members and the declared settings table. */
#include <dlfcn.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "condmap-private.h"

/* The sizes of the ABI 2.0 structs: everything up to their last 2.0
 * member.  A plugin's struct may be larger (built against a newer header);
 * the host then reads only what it knows. */
#define DESC_SIZE_2_0 \
  (offsetof (CondmapPluginDesc, get_interface) + sizeof (void (*) (void)))
#define OPS_SIZE_2_0 \
  (offsetof (CondmapConverterOps, to_weights_f64) + sizeof (void (*) (void)))
#define DEVICE_OPS_SIZE_2_1 \
  (offsetof (CondmapDeviceOps, read) + sizeof (void (*) (void)))
#define DECL_SIZE_2_0 \
  (offsetof (CondmapSettingDecl, choices) + sizeof (const char *))

/* More settings than any scheme has; guards against a missing terminator. */
#define MAX_SETTINGS 256
#define MAX_PARAMS 256

/* The first three members of an ABI 1 descriptor (condmap 0.1), enough to
 * name its version in the refusal. */
typedef struct {
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t struct_size;
} Abi1Head;

void
cm_plugin_free (CmPlugin *plugin)
{
  if (plugin == NULL)
    return;
  if (plugin->handle != NULL)
    dlclose (plugin->handle);
  g_free (plugin->decls.decls);
  g_free (plugin->path);
  g_free (plugin);
}

static gboolean
name_is_valid (const char *name, gboolean underscore)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!(g_ascii_islower (*c) || g_ascii_isdigit (*c)
          || *c == (underscore ? '_' : '-')))
      return FALSE;
  return TRUE;
}

static gboolean G_GNUC_PRINTF (4, 5)
refuse (GError **error, CondmapError code, const char *path,
        const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CONDMAP_ERROR, code, "plugin %s %s", path, text);
  return FALSE;
}

static gboolean
check_version (const char *path, const CondmapPluginDesc *desc, GError **error)
{
  if (desc->abi_major == 1)
    {
      const Abi1Head *old = (const Abi1Head *) desc;

      return refuse (error, CONDMAP_ERROR_ABI, path, "was built for condmap "
                     "plugin ABI %u.%u, but this condmap has ABI %d.%d, not "
                     "loading: rebuild it against this condmap's "
                     "condmap-plugin.h (see the plugin guide)",
                     old->abi_major, old->abi_minor, CONDMAP_ABI_MAJOR,
                     CONDMAP_ABI_MINOR);
    }
  if (desc->abi_major != CONDMAP_ABI_MAJOR)
    return refuse (error, CONDMAP_ERROR_ABI, path, "was built for condmap "
                   "plugin ABI %u, but this condmap has ABI %d.%d, not "
                   "loading: rebuild it against this condmap's "
                   "condmap-plugin.h", desc->abi_major, CONDMAP_ABI_MAJOR,
                   CONDMAP_ABI_MINOR);
  if (desc->struct_size < DESC_SIZE_2_0)
    return refuse (error, CONDMAP_ERROR_ABI, path, "has a descriptor of %u "
                   "bytes, but ABI %d needs at least %zu: define it with "
                   "CONDMAP_PLUGIN_DEFINE() and rebuild", desc->struct_size,
                   CONDMAP_ABI_MAJOR, (size_t) DESC_SIZE_2_0);
  return TRUE;
}

/* The first required converter member that is NULL, or NULL. */
static const char *
missing_op (const CondmapConverterOps *o)
{
  if (o->get_n_planes == NULL) return "get_n_planes";
  if (o->get_plane_name == NULL) return "get_plane_name";
  if (o->param_names == NULL) return "param_names";
  if (o->plan == NULL) return "plan";
  if (o->to_conductances_f32 == NULL) return "to_conductances_f32";
  if (o->to_conductances_f64 == NULL) return "to_conductances_f64";
  if (o->to_weights_f32 == NULL) return "to_weights_f32";
  if (o->to_weights_f64 == NULL) return "to_weights_f64";
  return NULL;
}

static gboolean
check_ops (CmPlugin *p, GError **error)
{
  const CondmapConverterOps *o = p->desc->ops;
  const char *missing;

  if (o->struct_size < OPS_SIZE_2_0)
    return refuse (error, CONDMAP_ERROR_ABI, p->path, "(\"%s\") has "
                   "converter ops of %u bytes, but ABI %d needs at least %zu: "
                   "define them with CONDMAP_CONVERTER_OPS() and rebuild",
                   p->desc->name, o->struct_size, CONDMAP_ABI_MAJOR,
                   (size_t) OPS_SIZE_2_0);
  missing = missing_op (o);
  if (missing != NULL)
    return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") leaves "
                   "the required converter member '%s' NULL, not loading",
                   p->desc->name, missing);
  for (p->n_params = 0; o->param_names[p->n_params] != NULL; p->n_params++)
    if (p->n_params >= MAX_PARAMS
        || !name_is_valid (o->param_names[p->n_params], TRUE))
      return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") "
                     "declares an invalid param name '%s': use lower-case "
                     "letters, digits and '_', at most %d of them",
                     p->desc->name, o->param_names[p->n_params], MAX_PARAMS);
    else if (strcmp (o->param_names[p->n_params],
                     CONDMAP_PARAM_CLIP_THRESHOLD) == 0)
      return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") "
                     "declares the param '%s', which the core sets when "
                     "the config clips: rename it", p->desc->name,
                     CONDMAP_PARAM_CLIP_THRESHOLD);
  p->ops = o;
  return TRUE;
}

/* A device model's ops: the three kernels, all required. */
static gboolean
check_device_ops (CmPlugin *p, GError **error)
{
  const CondmapDeviceOps *o = p->desc->ops;

  if (o->struct_size < DEVICE_OPS_SIZE_2_1)
    return refuse (error, CONDMAP_ERROR_ABI, p->path, "(\"%s\") has "
                   "device ops of %u bytes, but ABI %d.1 needs at least %zu: "
                   "define them with CONDMAP_DEVICE_OPS() and rebuild",
                   p->desc->name, o->struct_size, CONDMAP_ABI_MAJOR,
                   (size_t) DEVICE_OPS_SIZE_2_1);
  if (o->program == NULL || o->drift_coefficient == NULL || o->read == NULL)
    return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") leaves "
                   "the required device member '%s' NULL, not loading",
                   p->desc->name, o->program == NULL ? "program"
                   : o->drift_coefficient == NULL ? "drift_coefficient"
                   : "read");
  p->device_ops = o;
  return TRUE;
}

/* Checks declared setting @i; the keys before it are checked for a
 * repeat. */
static gboolean
check_decl (CmPlugin *p, const CondmapSettingDecl *d, size_t i, GError **error)
{
  const char *why = NULL;

  if (!name_is_valid (d->key, TRUE))
    why = "has an invalid key (lower-case letters, digits and '_')";
  else if (g_strv_contains (cm_core_keys, d->key))
    why = "uses a key the core reads for every converter (converter, "
          "scaling, clip, levels)";
  else if (d->type < CONDMAP_SETTING_NUMBER || d->type > CONDMAP_SETTING_STRING)
    why = "has an unknown type";
  else if (d->unit == NULL || d->doc == NULL)
    why = "leaves its unit or doc NULL";
  else if (isnan (d->min) || isnan (d->max) || d->min > d->max)
    why = "has a range whose min is above its max";
  else if ((d->flags & (CONDMAP_SETTING_IS_G_MIN | CONDMAP_SETTING_IS_G_MAX))
           && d->type != CONDMAP_SETTING_NUMBER)
    why = "is flagged as a conductance bound but is not a number";
  else if ((d->flags & CONDMAP_SETTING_IS_ROUND_TRIP_CHECK)
           && d->type != CONDMAP_SETTING_BOOLEAN)
    why = "is flagged as the round-trip switch but is not a boolean";
  for (size_t j = 0; why == NULL && j < i; j++)
    if (strcmp (p->decls.decls[j].key, d->key) == 0)
      why = "is declared twice";
  if (why == NULL)
    return TRUE;
  if (!name_is_valid (d->key, TRUE))
    return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\"): entry %zu "
                   "of its settings table (counting from 1) %s, not loading",
                   p->desc->name, i + 1, why);
  return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\"): setting "
                 "'%s' (entry %zu of its settings table, counting from 1) %s, "
                 "not loading", p->desc->name, d->key, i + 1, why);
}

/* Copies the settings table into the host's layout and checks it. */
static gboolean
check_settings (CmPlugin *p, GError **error)
{
  const CondmapPluginDesc *desc = p->desc;
  const char *base = (const char *) desc->settings;
  size_t stride = desc->setting_size, n = 0;

  if (desc->settings == NULL)
    return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") has no "
                   "settings table: declare at least CONDMAP_SETTINGS_END",
                   desc->name);
  if (stride < DECL_SIZE_2_0)
    return refuse (error, CONDMAP_ERROR_ABI, p->path, "(\"%s\") has settings "
                   "of %zu bytes, but ABI %d needs at least %zu: rebuild it",
                   desc->name, stride, CONDMAP_ABI_MAJOR,
                   (size_t) DECL_SIZE_2_0);
  while (((const CondmapSettingDecl *) (base + n * stride))->key != NULL)
    if (++n > MAX_SETTINGS)
      return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") "
                     "declares more than %d settings: is the table ended "
                     "by CONDMAP_SETTINGS_END?", desc->name, MAX_SETTINGS);
  p->decls.n = n;
  p->decls.decls = g_new0 (CondmapSettingDecl, MAX (n, 1));
  for (size_t i = 0; i < n; i++)
    {
      memcpy (&p->decls.decls[i], base + i * stride,
              MIN (stride, sizeof (CondmapSettingDecl)));
      if (!check_decl (p, &p->decls.decls[i], i, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_members (CmPlugin *p, GError **error)
{
  const CondmapPluginDesc *d = p->desc;

  if (!name_is_valid (d->name, FALSE))
    return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "has an invalid "
                   "name '%s': use lower-case letters, digits and '-', as in "
                   "'dual-pair'", d->name ? d->name : "(null)");
  if (d->kind != CONDMAP_PLUGIN_KIND_CONVERTER
      && d->kind != CONDMAP_PLUGIN_KIND_DEVICE)
    return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") is of "
                   "kind %u, which this condmap does not know: upgrade "
                   "condmap", d->name, d->kind);
  if (d->description == NULL || d->version == NULL || d->create == NULL
      || d->destroy == NULL || d->ops == NULL)
    return refuse (error, CONDMAP_ERROR_PLUGIN, p->path, "(\"%s\") leaves "
                   "the required descriptor member '%s' NULL, not loading",
                   d->name, d->description == NULL ? "description"
                   : d->version == NULL ? "version"
                   : d->create == NULL ? "create"
                   : d->destroy == NULL ? "destroy" : "ops");
  if (!check_settings (p, error))
    return FALSE;
  return d->kind == CONDMAP_PLUGIN_KIND_DEVICE ? check_device_ops (p, error)
                                               : check_ops (p, error);
}

CmPlugin *
cm_plugin_new (const char *path, void *handle, const CondmapPluginDesc *desc,
               GError **error)
{
  CmPlugin *p;

  if (desc == NULL)
    {
      refuse (error, CONDMAP_ERROR_PLUGIN, path, "returned no descriptor "
              "from %s()", CONDMAP_PLUGIN_SYMBOL);
      return NULL;
    }
  if (!check_version (path, desc, error))
    return NULL;
  p = g_new0 (CmPlugin, 1);
  p->path = g_strdup (path);
  p->desc = desc;
  if (!check_members (p, error))
    {
      cm_plugin_free (p);
      return NULL;
    }
  p->handle = handle;
  return p;
}

CmPlugin *
cm_plugin_load (const char *path, GError **error)
{
  CondmapPluginGetDescFunc get_desc;
  const CondmapPluginDesc *desc;
  CmPlugin *plugin;
  void *handle;

  /* First lazily, so that a plugin of another ABI, whose calls into an
   * older libcondmap cannot be bound here, still gets its descriptor read
   * and the message that says to rebuild it.  RTLD_LOCAL: plugins must not
   * see each other's symbols. */
  handle = dlopen (path, RTLD_LAZY | RTLD_LOCAL);
  if (handle == NULL)
    {
      const char *why = dlerror ();

      if (why != NULL && strstr (why, "libcondmap.so.0") != NULL)
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_ABI,
                     "plugin %s was built for condmap 0.1 (plugin ABI 1.0; "
                     "it needs libcondmap.so.0), but this condmap has ABI "
                     "%d.%d, not loading: rebuild it against this condmap's "
                     "condmap-plugin.h", path, CONDMAP_ABI_MAJOR,
                     CONDMAP_ABI_MINOR);
      else
        g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "cannot load plugin %s: %s.  Is it a shared object built "
                     "for this machine?  The most common cause is a missing "
                     "dependency: check it with ldd(1)", path, why);
      return NULL;
    }
  *(void **) &get_desc = dlsym (handle, CONDMAP_PLUGIN_SYMBOL);
  if (get_desc == NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "%s is not a condmap plugin: it does not export %s() "
                   "(define it with CONDMAP_PLUGIN_DEFINE)",
                   path, CONDMAP_PLUGIN_SYMBOL);
      dlclose (handle);
      return NULL;
    }
  desc = get_desc ();
  if (desc != NULL && !check_version (path, desc, error))
    {
      dlclose (handle);
      return NULL;
    }
  dlclose (handle);
  /* Then again with every symbol bound now, so that an unresolvable one is
   * a load error here rather than a crash in a kernel later.  (Asking for
   * RTLD_NOW on the handle still open would not bind what is bound
   * lazily already.) */
  handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "cannot load plugin %s: %s.  The most common cause is a "
                   "missing dependency: check it with ldd(1)", path,
                   dlerror ());
      return NULL;
    }
  *(void **) &get_desc = dlsym (handle, CONDMAP_PLUGIN_SYMBOL);
  if (get_desc == NULL)   /* the file changed between the two opens */
    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                 "%s changed while it was being loaded", path);
  plugin = get_desc != NULL ? cm_plugin_new (path, handle, get_desc (), error)
                            : NULL;
  if (plugin == NULL)
    dlclose (handle);
  return plugin;
}
