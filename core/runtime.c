/* runtime.c - the plugin registry: where plugins are searched, which ones
 * loaded, which ones failed and why. */
#define _GNU_SOURCE   /* dladdr */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include "condmap-private.h"

#ifndef CONDMAP_PLUGIN_DIR
#  error "CONDMAP_PLUGIN_DIR must be defined by the build"
#endif

typedef struct {
  char *path;
  GError *error;
} Failure;

struct _CondmapRuntime {
  gatomicrefcount ref_count;
  GPtrArray *search_path;   /* char*, NULL-terminated */
  GPtrArray *plugins;       /* CmPlugin* */
  GArray *failures;         /* Failure */
  unsigned n_threads;
  gboolean no_output_check;
};

static void
failure_clear (gpointer data)
{
  Failure *f = data;

  g_free (f->path);
  g_clear_error (&f->error);
}

static void
add_failure (CondmapRuntime *rt, const char *path, GError *error)
{
  Failure f = { g_strdup (path), error };

  g_array_append_val (rt->failures, f);
}

static gboolean
search_path_has (CondmapRuntime *rt, const char *dir)
{
  for (guint i = 0; i + 1 < rt->search_path->len; i++)
    if (strcmp (g_ptr_array_index (rt->search_path, i), dir) == 0)
      return TRUE;
  return FALSE;
}

/* Appends @dir unless it is there already.  Relative directories given by
 * the caller are made absolute; relative entries of CONDMAP_PLUGIN_PATH
 * are refused, since they would depend on the current directory. */
static void
add_dir (CondmapRuntime *rt, const char *dir, gboolean from_env)
{
  g_autofree char *abs = NULL;

  if (dir == NULL || *dir == '\0')
    return;
  if (from_env && !g_path_is_absolute (dir))
    {
      add_failure (rt, dir, g_error_new (CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "CONDMAP_PLUGIN_PATH entry '%s' is relative and was "
                   "ignored: plugins are never loaded relative to the "
                   "current directory, give an absolute path", dir));
      return;
    }
  abs = g_canonicalize_filename (dir, NULL);
  if (search_path_has (rt, abs))
    return;
  g_ptr_array_insert (rt->search_path, rt->search_path->len - 1,
                      g_steal_pointer (&abs));
}

/* Names are unique per kind: a converter and a device model may share
 * one.  @kind 0 finds either. */
static const CmPlugin *
find_plugin (const CondmapRuntime *rt, unsigned kind, const char *name)
{
  for (guint i = 0; i < rt->plugins->len; i++)
    {
      const CmPlugin *p = g_ptr_array_index (rt->plugins, i);
      if ((kind == 0 || p->desc->kind == kind)
          && strcmp (p->desc->name, name) == 0)
        return p;
    }
  return NULL;
}

/* Adds @plugin unless its name is taken (then sets @error and frees it). */
static gboolean
add_plugin (CondmapRuntime *rt, CmPlugin *plugin, GError **error)
{
  const CmPlugin *other = find_plugin (rt, plugin->desc->kind,
                                       plugin->desc->name);

  if (other != NULL)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                   "plugin name \"%s\" of %s is already taken by %s, which "
                   "comes first in the search path; skipped",
                   plugin->desc->name, plugin->path, other->path);
      cm_plugin_free (plugin);
      return FALSE;
    }
  g_ptr_array_add (rt->plugins, plugin);
  return TRUE;
}

static void
load_file (CondmapRuntime *rt, const char *path)
{
  GError *error = NULL;
  CmPlugin *plugin = cm_plugin_load (path, &error);

  if (plugin == NULL || !add_plugin (rt, plugin, &error))
    add_failure (rt, path, error);
}

gboolean
condmap_runtime_add_plugin (CondmapRuntime *runtime,
                            const CondmapPluginDesc *desc, GError **error)
{
  g_autofree char *path = NULL;
  CmPlugin *plugin;

  g_return_val_if_fail (runtime != NULL, FALSE);
  path = g_strdup_printf ("(registered in-process: %s)",
                          desc && desc->abi_major == CONDMAP_ABI_MAJOR
                          && desc->name ? desc->name : "?");
  plugin = cm_plugin_new (path, NULL, desc, error);
  return plugin != NULL && add_plugin (runtime, plugin, error);
}

/* The plugin directory of a build tree, if libcondmap runs from one
 * (BUILD/core/.libs/libcondmap.so -> BUILD/plugins/.libs), so that the
 * commands of the README work before `make install` with no environment
 * variable and no build path compiled in.  NULL otherwise. */
static char *
build_tree_plugin_dir (void)
{
  Dl_info info;
  g_autofree char *lib_dir = NULL;
  g_autofree char *libs = NULL;
  g_autofree char *core = NULL;
  char *dir;

  if (dladdr ((void *) condmap_runtime_new, &info) == 0
      || info.dli_fname == NULL || !g_path_is_absolute (info.dli_fname))
    return NULL;
  lib_dir = g_path_get_dirname (info.dli_fname);
  libs = g_path_get_basename (lib_dir);
  core = g_path_get_dirname (lib_dir);
  if (strcmp (libs, ".libs") != 0 || !g_str_has_suffix (core, "/core"))
    return NULL;
  dir = g_build_filename (core, "..", "plugins", ".libs", NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&dir, g_free);
  return dir;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Loads every "*.so" of @dir in name order, so that which of two
 * same-named plugins wins does not depend on the file system. */
static void
scan_dir (CondmapRuntime *rt, const char *dir, gboolean explicit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, &error);
  const char *name;

  if (d == NULL)
    {
      /* Only a directory the caller named is worth a report; an absent
       * system directory just means condmap is not installed. */
      if (explicit)
        add_failure (rt, dir, g_error_new (CONDMAP_ERROR, CONDMAP_ERROR_IO,
                     "cannot open plugin directory %s: %s", dir,
                     error->message));
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".so"))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path =
        g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      load_file (rt, path);
    }
}

static unsigned
default_threads (void)
{
  const char *env = g_getenv ("CONDMAP_THREADS");
  guint64 n;

  if (env != NULL && *env != '\0'
      && g_ascii_string_to_unsigned (env, 10, 1, 4096, &n, NULL))
    return (unsigned) n;
  return MAX (1, g_get_num_processors ());
}

CondmapRuntime *
condmap_runtime_new (const char *const *plugin_dirs, CondmapRuntimeFlags flags)
{
  CondmapRuntime *rt = g_new0 (CondmapRuntime, 1);
  guint n_explicit;

  g_atomic_ref_count_init (&rt->ref_count);
  rt->search_path = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (rt->search_path, NULL);
  rt->plugins = g_ptr_array_new_with_free_func ((GDestroyNotify) cm_plugin_free);
  rt->failures = g_array_new (FALSE, TRUE, sizeof (Failure));
  g_array_set_clear_func (rt->failures, failure_clear);

  for (guint i = 0; plugin_dirs != NULL && plugin_dirs[i] != NULL; i++)
    add_dir (rt, plugin_dirs[i], FALSE);
  n_explicit = rt->search_path->len - 1;
  if (!(flags & CONDMAP_RUNTIME_NO_ENV_PATH) && g_getenv ("CONDMAP_PLUGIN_PATH"))
    {
      g_auto (GStrv) dirs = g_strsplit (g_getenv ("CONDMAP_PLUGIN_PATH"),
                                        G_SEARCHPATH_SEPARATOR_S, -1);
      for (guint i = 0; dirs[i] != NULL; i++)
        add_dir (rt, dirs[i], TRUE);
    }
  if (!(flags & CONDMAP_RUNTIME_NO_SYSTEM_DIR))
    {
      g_autofree char *build = build_tree_plugin_dir ();

      add_dir (rt, build != NULL ? build : CONDMAP_PLUGIN_DIR, FALSE);
    }

  for (guint i = 0; i + 1 < rt->search_path->len; i++)
    scan_dir (rt, g_ptr_array_index (rt->search_path, i), i < n_explicit);
  return rt;
}

CondmapRuntime *
condmap_runtime_ref (CondmapRuntime *runtime)
{
  g_atomic_ref_count_inc (&runtime->ref_count);
  return runtime;
}

void
condmap_runtime_unref (CondmapRuntime *runtime)
{
  if (runtime == NULL || !g_atomic_ref_count_dec (&runtime->ref_count))
    return;
  g_ptr_array_unref (runtime->plugins);
  g_array_unref (runtime->failures);
  g_ptr_array_unref (runtime->search_path);
  g_free (runtime);
}

void
condmap_runtime_set_n_threads (CondmapRuntime *runtime, unsigned n_threads)
{
  runtime->n_threads = n_threads;
}

unsigned
condmap_runtime_get_n_threads (const CondmapRuntime *runtime)
{
  return runtime->n_threads > 0 ? runtime->n_threads : default_threads ();
}

void
condmap_runtime_set_output_check (CondmapRuntime *runtime, gboolean enabled)
{
  runtime->no_output_check = !enabled;
}

gboolean
condmap_runtime_get_output_check (const CondmapRuntime *runtime)
{
  return !runtime->no_output_check;
}

const char *const *
condmap_runtime_get_search_path (const CondmapRuntime *runtime)
{
  return (const char *const *) runtime->search_path->pdata;
}

size_t
condmap_runtime_get_n_plugins (const CondmapRuntime *runtime)
{
  return runtime->plugins->len;
}

gboolean
condmap_runtime_get_plugin (const CondmapRuntime *runtime, size_t i,
                            CondmapPluginInfo *info)
{
  const CmPlugin *p;

  if (i >= runtime->plugins->len)
    return FALSE;
  p = g_ptr_array_index (runtime->plugins, i);
  info->name = p->desc->name;
  info->description = p->desc->description;
  info->version = p->desc->version;
  info->path = p->path;
  info->abi_major = p->desc->abi_major;
  info->kind = p->desc->kind;
  info->n_settings = p->decls.n;
  return TRUE;
}

size_t
condmap_runtime_get_n_failures (const CondmapRuntime *runtime)
{
  return runtime->failures->len;
}

const GError *
condmap_runtime_get_failure (const CondmapRuntime *runtime, size_t i,
                             const char **path)
{
  const Failure *f;

  if (i >= runtime->failures->len)
    return NULL;
  f = &g_array_index (runtime->failures, Failure, i);
  if (path != NULL)
    *path = f->path;
  return f->error;
}

const CmPlugin *
cm_runtime_find_plugin (const CondmapRuntime *runtime, const char *name)
{
  return find_plugin (runtime, CONDMAP_PLUGIN_KIND_CONVERTER, name);
}

const CmPlugin *
cm_runtime_find_plugin_of_kind (const CondmapRuntime *runtime, unsigned kind,
                                const char *name)
{
  return find_plugin (runtime, kind, name);
}

const char **
cm_runtime_dup_names_of_kind (const CondmapRuntime *runtime, unsigned kind)
{
  const char **names = g_new0 (const char *, runtime->plugins->len + 1);
  guint n = 0;

  for (guint i = 0; i < runtime->plugins->len; i++)
    {
      const CmPlugin *p = g_ptr_array_index (runtime->plugins, i);

      if (kind == 0 || p->desc->kind == kind)
        names[n++] = p->desc->name;
    }
  return names;
}

const char **
cm_runtime_dup_plugin_names (const CondmapRuntime *runtime)
{
  return cm_runtime_dup_names_of_kind (runtime, CONDMAP_PLUGIN_KIND_CONVERTER);
}
