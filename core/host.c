/* host.c - the host table (CondmapHost) a plugin gets in create(): its
 * settings, already validated against its declaration, and the way it
 * reports errors.  A plugin reads nothing else of the host, so it needs
 * neither GLib nor libcondmap.
 *
 * Errors arrive as a code, a key and a printf-style message; the context
 * keeps the first one as a GError that names the file and the line of the
 * key ("dual-pair.yaml:3: 'f_lst': f_lst[1] = 0 must be > 0"). */
#include <math.h>
#include <string.h>
#include "settings-private.h"
#include "devices-private.h"

/* A device table lies within this, µS: far above any device. */
#define TABLE_G_MAX_US 1.0e6

static void G_GNUC_PRINTF (4, 0)
host_error_valist (CondmapContext *ctx, int code, const char *key,
                   const char *format, va_list args)
{
  g_autofree char *text = NULL;
  unsigned line;

  if (ctx == NULL || ctx->error != NULL)
    return;   /* only the first report of a call counts */
  text = g_strdup_vprintf (format, args);
  if (code < CONDMAP_ERROR_FAILED || code > CONDMAP_ERROR_EXISTS)
    code = CONDMAP_ERROR_FAILED;
  if (ctx->settings == NULL)
    {
      line = key && ctx->key_lines
             ? GPOINTER_TO_UINT (g_hash_table_lookup (ctx->key_lines, key)) : 0;
      if (ctx->origin != NULL && line > 0)
        g_set_error (&ctx->error, CONDMAP_ERROR, code, "%s:%u: '%s': %s",
                     ctx->origin, line, key, text);
      else
        g_set_error (&ctx->error, CONDMAP_ERROR, code, "%s%s%s%s",
                     key ? "'" : "", key ? key : "", key ? "': " : "", text);
      return;
    }
  line = cm_settings_key_line (ctx->settings, key);
  if (key == NULL)
    g_set_error (&ctx->error, CONDMAP_ERROR, code, "%s: %s",
                 cm_settings_get_origin (ctx->settings), text);
  else if (line == 0)
    g_set_error (&ctx->error, CONDMAP_ERROR, code, "%s: '%s': %s",
                 cm_settings_get_origin (ctx->settings), key, text);
  else
    g_set_error (&ctx->error, CONDMAP_ERROR, code, "%s:%u: '%s': %s",
                 cm_settings_get_origin (ctx->settings), line, key, text);
}

static void G_GNUC_PRINTF (4, 5)
host_error (CondmapContext *ctx, int code, const char *key,
            const char *format, ...)
{
  va_list args;

  va_start (args, format);
  host_error_valist (ctx, code, key, format, args);
  va_end (args);
}

static void G_GNUC_PRINTF (3, 4)
host_warn (CondmapContext *ctx, const char *key, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;
  unsigned line;

  if (ctx == NULL || ctx->warnings == NULL)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = ctx->settings ? cm_settings_key_line (ctx->settings, key) : 0;
  if (ctx->settings != NULL && line > 0)
    g_ptr_array_add (ctx->warnings,
                     g_strdup_printf ("%s:%u: '%s': %s",
                                      cm_settings_get_origin (ctx->settings),
                                      line, key, text));
  else
    g_ptr_array_add (ctx->warnings,
                     g_strdup_printf ("%s%s%s%s", key ? "'" : "",
                                      key ? key : "", key ? "': " : "", text));
}

/* The resolved value of @key, or NULL after reporting a plugin bug if the
 * plugin did not declare it as @type (or it is not settings time). */
static const CmResolved *
lookup (CondmapContext *ctx, const char *key, CondmapSettingType type)
{
  const CondmapSettingDecl *d = NULL;

  for (size_t i = 0; ctx != NULL && key != NULL && i < ctx->decls->n; i++)
    if (strcmp (ctx->decls->decls[i].key, key) == 0)
      d = &ctx->decls->decls[i];
  if (ctx == NULL || ctx->settings == NULL || d == NULL
      || (d->type != type && !(type == CONDMAP_SETTING_NUMBER
                               && d->type == CONDMAP_SETTING_INTEGER)))
    {
      if (ctx != NULL && ctx->error == NULL)
        g_set_error (&ctx->error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN,
                     "plugin \"%s\" (%s) reads the setting '%s'%s, which it "
                     "does not declare%s: a bug in the plugin",
                     ctx->plugin_name, ctx->plugin_path, key ? key : "(null)",
                     ctx->settings ? "" : " outside create()",
                     d ? " with that type" : "");
      return NULL;
    }
  return cm_settings_lookup (ctx->settings, key);
}

static int
host_has (CondmapContext *ctx, const char *key)
{
  gint i;

  if (ctx == NULL || ctx->settings == NULL || key == NULL)
    return 0;
  i = cm_settings_find_key (ctx->settings, key);
  return i >= 0 && !cm_node_is_null (
    ctx->settings->mapping->children->pdata[2 * i + 1]);
}

static double
host_get_number (CondmapContext *ctx, const char *key)
{
  const CmResolved *r = lookup (ctx, key, CONDMAP_SETTING_NUMBER);

  return r != NULL ? r->number : 0.0;
}

static int64_t
host_get_integer (CondmapContext *ctx, const char *key)
{
  const CmResolved *r = lookup (ctx, key, CONDMAP_SETTING_INTEGER);

  return r != NULL ? (int64_t) r->number : 0;
}

static int
host_get_boolean (CondmapContext *ctx, const char *key)
{
  const CmResolved *r = lookup (ctx, key, CONDMAP_SETTING_BOOLEAN);

  return r != NULL && r->boolean ? 1 : 0;
}

static const double *
host_get_number_list (CondmapContext *ctx, const char *key, size_t *n)
{
  const CmResolved *r = lookup (ctx, key, CONDMAP_SETTING_NUMBER_LIST);

  if (n != NULL)
    *n = r != NULL ? r->cols : 0;
  return r != NULL ? r->values : NULL;
}

static const double *
host_get_table (CondmapContext *ctx, const char *key, size_t *n_rows,
                size_t *n_cols)
{
  const CmResolved *r = lookup (ctx, key, CONDMAP_SETTING_TABLE);

  if (n_rows != NULL)
    *n_rows = r != NULL ? r->rows : 0;
  if (n_cols != NULL)
    *n_cols = r != NULL ? r->cols : 0;
  return r != NULL ? r->values : NULL;
}

static const char *
host_get_string (CondmapContext *ctx, const char *key)
{
  const CmResolved *r = lookup (ctx, key, CONDMAP_SETTING_STRING);

  return r != NULL ? r->string : NULL;
}

static int
host_param_index (CondmapContext *ctx, const char *name)
{
  for (int i = 0; ctx != NULL && name != NULL && ctx->param_names != NULL
                  && ctx->param_names[i] != NULL; i++)
    if (strcmp (ctx->param_names[i], name) == 0)
      return i;
  return -1;
}

/* Reads the table a STRING setting names, relative to the config. */
static int
host_get_level_table (CondmapContext *ctx, const char *key,
                      const double **mean_us, const double **sigma_us,
                      size_t *n)
{
  const CmResolved *r = lookup (ctx, key, CONDMAP_SETTING_STRING);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  GError *local = NULL;
  CmLevels *levels;

  *mean_us = *sigma_us = NULL;
  *n = 0;
  if (r == NULL || r->string == NULL)
    return 0;
  dir = g_path_get_dirname (cm_settings_get_origin (ctx->settings));
  path = g_path_is_absolute (r->string) || strcmp (dir, ".") == 0
         ? g_strdup (r->string)
         : g_build_filename (dir, r->string, NULL);
  levels = cm_levels_read_file (path, 0.0, TABLE_G_MAX_US, &local);
  if (levels == NULL)
    {
      host_error (ctx, local->code, key, "%s", local->message);
      g_error_free (local);
      return 0;
    }
  cm_levels_free (ctx->level_table);
  ctx->level_table = levels;
  *mean_us = levels->mean_us;
  *sigma_us = levels->sigma_us;
  *n = levels->n;
  return 1;
}

static const CondmapHost host = {
  sizeof (CondmapHost),
  CONDMAP_ABI_MAJOR,
  CONDMAP_ABI_MINOR,
  host_has,
  host_get_number,
  host_get_integer,
  host_get_boolean,
  host_get_number_list,
  host_get_table,
  host_get_string,
  host_error,
  host_error_valist,
  host_warn,
  host_param_index,
  host_get_level_table,
};

const CondmapHost *
cm_host (void)
{
  return &host;
}

void
cm_context_init (CondmapContext *ctx, const CmPlugin *plugin,
                 const CmSettings *settings, GPtrArray *warnings)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->settings = settings;
  ctx->plugin_name = plugin->desc->name;
  ctx->plugin_path = plugin->path;
  ctx->decls = &plugin->decls;
  ctx->param_names = plugin->ops ? plugin->ops->param_names : NULL;
  ctx->warnings = warnings;
}

void
cm_context_clear (CondmapContext *ctx)
{
  g_clear_error (&ctx->error);
  cm_levels_free (ctx->level_table);
  ctx->level_table = NULL;
}
