/* plugin-loader.c - opens one plugin file and decides whether the host can
 * trust its descriptor.  Everything a broken plugin can get wrong is
 * checked here, before any of its functions is called but the entry point. */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include "condmap-private.h"

/* The descriptor size of ABI 1.0: everything up to to_weights_f64. */
#define DESC_SIZE_1_0 \
  (offsetof (CondmapPluginDesc, to_weights_f64) + sizeof (void (*) (void)))

void
cm_plugin_free (CmPlugin *plugin)
{
  if (plugin == NULL)
    return;
  if (plugin->handle != NULL)
    dlclose (plugin->handle);
  g_free (plugin->path);
  g_free (plugin);
}

static gboolean
name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!(g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '-'))
      return FALSE;
  return TRUE;
}

static gboolean
check_version (const char *path, const CondmapPluginDesc *desc, GError **error)
{
  if (desc->abi_major != CONDMAP_ABI_MAJOR
      || desc->abi_minor > CONDMAP_ABI_MINOR)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_ABI,
                   "plugin %s has incompatible ABI version (plugin: %u.%u, "
                   "condmap: %d.%d), not loading: rebuild it against this "
                   "condmap's condmap-plugin.h",
                   path, desc->abi_major, desc->abi_minor,
                   CONDMAP_ABI_MAJOR, CONDMAP_ABI_MINOR);
      return FALSE;
    }
  if (desc->struct_size < DESC_SIZE_1_0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_ABI,
                   "plugin %s has a descriptor of %u bytes, but ABI %d.%d "
                   "needs at least %zu: set struct_size to "
                   "sizeof (CondmapPluginDesc) and rebuild",
                   path, desc->struct_size, CONDMAP_ABI_MAJOR,
                   CONDMAP_ABI_MINOR, (size_t) DESC_SIZE_1_0);
      return FALSE;
    }
  return TRUE;
}

/* The first required member that is NULL, or NULL if all are set. */
static const char *
missing_member (const CondmapPluginDesc *d)
{
  if (d->description == NULL) return "description";
  if (d->version == NULL) return "version";
  if (d->create == NULL) return "create";
  if (d->destroy == NULL) return "destroy";
  if (d->get_n_planes == NULL) return "get_n_planes";
  if (d->get_plane_name == NULL) return "get_plane_name";
  if (d->param_names == NULL) return "param_names";
  if (d->plan == NULL) return "plan";
  if (d->to_conductances_f32 == NULL) return "to_conductances_f32";
  if (d->to_conductances_f64 == NULL) return "to_conductances_f64";
  if (d->to_weights_f32 == NULL) return "to_weights_f32";
  if (d->to_weights_f64 == NULL) return "to_weights_f64";
  return NULL;
}

static gboolean
check_members (const char *path, const CondmapPluginDesc *desc,
               GError **error)
{
  const char *missing;

  if (!name_is_valid (desc->name))
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "plugin %s has an invalid name '%s': use lower-case "
                   "letters, digits and '-', as in 'dual-pair'",
                   path, desc->name ? desc->name : "(null)");
      return FALSE;
    }
  missing = missing_member (desc);
  if (missing != NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "plugin \"%s\" (%s) leaves the required descriptor "
                   "member '%s' NULL, not loading",
                   desc->name, path, missing);
      return FALSE;
    }
  return TRUE;
}

CmPlugin *
cm_plugin_load (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  CondmapPluginGetDescFunc get_desc;
  const CondmapPluginDesc *desc;
  CmPlugin *plugin;
  void *handle;

  /* RTLD_LOCAL: plugins must not see each other's symbols. */
  handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "cannot load plugin %s: %s.  Is it a shared object built "
                   "for this machine?  The most common cause is a missing "
                   "dependency: check it with ldd(1)",
                   path, dlerror ());
      return NULL;
    }
  *(void **) &get_desc = dlsym (handle, CONDMAP_PLUGIN_SYMBOL);
  if (get_desc == NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "%s is not a condmap plugin: it does not export %s() "
                   "(declare it with CONDMAP_PLUGIN_EXPORT)",
                   path, CONDMAP_PLUGIN_SYMBOL);
      dlclose (handle);
      return NULL;
    }
  desc = get_desc ();
  if (desc == NULL)
    g_set_error (&local, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                 "plugin %s returned no descriptor from %s()",
                 path, CONDMAP_PLUGIN_SYMBOL);
  else if (check_version (path, desc, &local))
    check_members (path, desc, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      dlclose (handle);
      return NULL;
    }
  plugin = g_new0 (CmPlugin, 1);
  plugin->path = g_strdup (path);
  plugin->handle = handle;
  plugin->desc = desc;
  return plugin;
}
