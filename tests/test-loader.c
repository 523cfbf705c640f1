/* test-loader.c - the plugin loader against real plugins and against
 * deliberately broken ones built by the test suite (tests/plugins/). */
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "test-util.h"

static char *tmp;

/* Copies the broken test plugin NAME.so into a fresh directory, returned
 * (free with g_free). */
static char *
dir_with_test_plugin (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".so", NULL);
  g_autofree char *src = cm_test_path ("CONDMAP_TEST_PLUGINS", file);
  char *dir = g_build_filename (tmp, name, NULL);
  g_autofree char *dst = g_build_filename (dir, file, NULL);
  g_autofree char *data = NULL;
  gsize len;

  g_mkdir_with_parents (dir, 0755);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (src, &data, &len, NULL));
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (dst, data, len, NULL));
  return dir;
}

/* A runtime over the real plugins followed by @dir. */
static CondmapRuntime *
runtime_with (const char *dir)
{
  g_autofree char *real = cm_test_path ("CONDMAP_PLUGIN_PATH", NULL);
  const char *dirs[] = { real, dir, NULL };

  return condmap_runtime_new (dirs, CONDMAP_RUNTIME_NO_ENV_PATH
                                    | CONDMAP_RUNTIME_NO_SYSTEM_DIR);
}

static gboolean
has_plugin (const CondmapRuntime *rt, const char *name, const char **path)
{
  for (size_t i = 0; i < condmap_runtime_get_n_plugins (rt); i++)
    {
      CondmapPluginInfo info;
      condmap_runtime_get_plugin (rt, i, &info);
      if (strcmp (info.name, name) == 0)
        {
          if (path)
            *path = info.path;
          return TRUE;
        }
    }
  return FALSE;
}

/* The good plugins must still convert after a broken one was skipped. */
static void
assert_good_plugins_work (CondmapRuntime *rt)
{
  GError *error = NULL;
  float w[3] = { -1.0f, 0.0f, 0.5f }, gp[3], gm[3];
  void *planes[2] = { gp, gm };
  g_autoptr (CondmapConverter) conv =
    condmap_converter_new_from_yaml (rt, "converter: single-pair", -1, NULL,
                                     &error);
  g_autoptr (CondmapParams) params = NULL;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (conv, CONDMAP_DTYPE_FLOAT32,
                                                     w, 3, planes, &params,
                                                     &error));
  CU_ASSERT_DOUBLE_EQUAL (gp[2], 12.5, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL (gm[0], 25.0, 1e-6);
}

/* Loads @name's directory after the real plugins; exactly one failure, of
 * @code, whose message contains @fragment. */
static void
expect_refused (const char *name, CondmapError code, const char *fragment)
{
  g_autofree char *dir = dir_with_test_plugin (name);
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  const char *path = NULL;
  const GError *error;

  CU_ASSERT_EQUAL_FATAL (condmap_runtime_get_n_failures (rt), 1);
  error = condmap_runtime_get_failure (rt, 0, &path);
  g_print ("\n    %s: %s\n  ", name, error->message);
  CU_ASSERT_TRUE (g_error_matches (error, CONDMAP_ERROR, code));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, fragment));
  CU_ASSERT_TRUE (g_str_has_suffix (path, ".so"));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, path));
  CU_ASSERT_FALSE (has_plugin (rt, name, NULL));
  assert_good_plugins_work (rt);
}

static void
test_real_plugins_load (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  const char *path = NULL;

  CU_ASSERT_EQUAL (condmap_runtime_get_n_failures (rt), 0);
  CU_ASSERT_TRUE_FATAL (has_plugin (rt, "single-pair", &path));
  CU_ASSERT_TRUE (g_str_has_suffix (path, "/single-pair.so"));
  assert_good_plugins_work (rt);
}

/* The message of the one failure that loading @name's directory after the
 * real plugins gives.  Free with g_free(). */
static char *
refusal_message (const char *name)
{
  g_autofree char *dir = dir_with_test_plugin (name);
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);

  CU_ASSERT_EQUAL_FATAL (condmap_runtime_get_n_failures (rt), 1);
  return g_strdup (condmap_runtime_get_failure (rt, 0, NULL)->message);
}

/* expect_refused(), and the message also holds every fragment of @more
 * (NULL-terminated). */
static void
expect_refused_all (const char *name, CondmapError code, const char *fragment,
                    const char *const *more)
{
  g_autofree char *message = NULL;

  expect_refused (name, code, fragment);
  message = refusal_message (name);
  for (size_t i = 0; more[i] != NULL; i++)
    {
      if (strstr (message, more[i]) == NULL)
        g_printerr ("  '%s' is not in: %s\n", more[i], message);
      CU_ASSERT_PTR_NOT_NULL (strstr (message, more[i]));
    }
}

static void
test_abi_major (void)
{
  g_autofree char *plugin = g_strdup_printf ("ABI %d", CONDMAP_ABI_MAJOR + 1);
  g_autofree char *host = g_strdup_printf ("ABI %d.%d", CONDMAP_ABI_MAJOR,
                                           CONDMAP_ABI_MINOR);
  const char *const more[] = { host, "rebuild", NULL };

  expect_refused_all ("abi-major", CONDMAP_ERROR_ABI, plugin, more);
}

/* condmap 0.1.0's plugins: the message names both ABIs and the fix, also
 * for a plugin that calls the 0.1.0 accessors libcondmap no longer has,
 * and for one that needs libcondmap.so.0, which is not there. */
static void
test_abi1 (void)
{
  g_autofree char *host = g_strdup_printf ("ABI %d.%d", CONDMAP_ABI_MAJOR,
                                           CONDMAP_ABI_MINOR);
  const char *const more[] = { host, "rebuild", NULL };

  expect_refused_all ("abi1", CONDMAP_ERROR_ABI, "ABI 1.0", more);
  expect_refused_all ("abi1-linked", CONDMAP_ERROR_ABI, "ABI 1.0", more);
  expect_refused_all ("abi1-needed", CONDMAP_ERROR_ABI, "ABI 1.0", more);
}

/* A plugin built against a newer 2.x header: larger descriptor and ops,
 * members the host does not know (calling one aborts).  It loads and
 * converts. */
static void
test_abi_minor (void)
{
  g_autofree char *dir = dir_with_test_plugin ("abi-minor");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  double w[3] = { -1, 0, 2 }, g[3], back[3];
  void *planes[1] = { g };
  const void *in[1] = { g };
  g_autoptr (CondmapConverter) conv = NULL;
  g_autoptr (CondmapParams) params = NULL;

  CU_ASSERT_EQUAL (condmap_runtime_get_n_failures (rt), 0);
  CU_ASSERT_TRUE_FATAL (has_plugin (rt, "abi-minor", NULL));
  conv = condmap_converter_new_from_yaml (rt, "converter: abi-minor\n"
                                          "offset: 3\n", -1, NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances (
    conv, CONDMAP_DTYPE_FLOAT64, w, 3, planes, &params, &error));
  CU_ASSERT_EQUAL (g[0], 3.0);
  CU_ASSERT_EQUAL (g[2], 3.0);
  CU_ASSERT_TRUE (condmap_converter_to_weights (conv, CONDMAP_DTYPE_FLOAT64,
                                                in, 3, params, back, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (back[2], 0.0);
  assert_good_plugins_work (rt);
}

static void
test_null_descriptor (void)
{
  expect_refused ("null-desc", CONDMAP_ERROR_PLUGIN, "no descriptor");
}

static void
test_small_descriptor (void)
{
  const char *const more[] = { "descriptor of", NULL };
  g_autofree char *size = g_strdup_printf (
    "%zu bytes", offsetof (CondmapPluginDesc, get_interface));

  expect_refused_all ("small-desc", CONDMAP_ERROR_ABI, size, more);
}

static void
test_small_ops (void)
{
  const char *const more[] = { "ops of", NULL };
  g_autofree char *size = g_strdup_printf (
    "%zu bytes", offsetof (CondmapConverterOps, to_weights_f64));

  expect_refused_all ("small-ops", CONDMAP_ERROR_ABI, size, more);
}

static void
test_bad_name (void)
{
  expect_refused ("bad-name", CONDMAP_ERROR_PLUGIN, "invalid name");
}

/* A settings table that breaks the header's rules is refused on load. */
static void
test_bad_settings (void)
{
  const char *const type[] = { "type", NULL };
  const char *const dup[] = { "twice", NULL };

  expect_refused_all ("bad-setting-type", CONDMAP_ERROR_PLUGIN, "'levels'",
                      type);
  expect_refused_all ("bad-setting-dup", CONDMAP_ERROR_PLUGIN, "'offset'", dup);
  expect_refused ("bad-setting-key", CONDMAP_ERROR_PLUGIN, "invalid key");
}

/* create() reads a key it did not declare and returns a state anyway: the
 * converter is refused as the plugin's bug. */
static void
test_undeclared_key (void)
{
  g_autofree char *dir = dir_with_test_plugin ("undeclared-key");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  CondmapConverter *conv;

  CU_ASSERT_EQUAL (condmap_runtime_get_n_failures (rt), 0);
  conv = condmap_converter_new_from_yaml (rt, "converter: undeclared-key\n",
                                          -1, NULL, &error);
  CU_ASSERT_PTR_NULL (conv);
  condmap_converter_free (conv);
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "not_declared")
                          : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_PLUGIN);
  assert_good_plugins_work (rt);
}

/* tests/plugins/cxx-plugin.cc, C++ without GLib: it loads, converts with
 * its declared settings and restores, in both dtypes.  With g_max 20 and
 * reverse, w in [-1, 1] spreads over 20 .. 0 µS: s = 10 exactly. */
static void
test_cxx_plugin (void)
{
  g_autofree char *dir = dir_with_test_plugin ("cxx-plugin");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  const double w[4] = { -1, 0, 0.5, 1 }, want[4] = { 20, 10, 5, 0 };
  g_autoptr (CondmapConverter) conv = NULL;
  g_autofree char *config = NULL;

  CU_ASSERT_EQUAL (condmap_runtime_get_n_failures (rt), 0);
  CU_ASSERT_TRUE_FATAL (has_plugin (rt, "cxx-plugin", NULL));
  conv = condmap_converter_new_from_yaml (rt, "converter: cxx-plugin\n"
                                          "g_max: 20\nreverse: true\n", -1,
                                          NULL, &error);
  CM_ASSERT_NO_ERROR (error);
  config = condmap_converter_dup_config_yaml (conv);
  CU_ASSERT_PTR_NOT_NULL (strstr (config, "reverse: true"));
  CU_ASSERT_EQUAL (condmap_converter_get_n_planes (conv), 1);

  for (int d = 0; d < 2; d++)
    {
      CondmapDtype dtype = d ? CONDMAP_DTYPE_FLOAT64 : CONDMAP_DTYPE_FLOAT32;
      float wf[4], gf[4], backf[4];
      double wd[4], gd[4], backd[4];
      void *planes[1] = { d ? (void *) gd : (void *) gf };
      const void *in[1] = { planes[0] };
      g_autoptr (CondmapParams) params = NULL;

      for (int i = 0; i < 4; i++)
        wf[i] = (float) (wd[i] = w[i]);
      CU_ASSERT_TRUE_FATAL (condmap_converter_to_conductances (
        conv, dtype, d ? (void *) wd : (void *) wf, 4, planes, &params,
        &error));
      CU_ASSERT_EQUAL (condmap_params_get (params, "scale"), 10.0);
      CU_ASSERT_EQUAL (condmap_params_get (params, "w_min"), -1.0);
      CU_ASSERT_TRUE_FATAL (condmap_converter_to_weights (
        conv, dtype, in, 4, params, d ? (void *) backd : (void *) backf,
        &error));
      CM_ASSERT_NO_ERROR (error);
      for (int i = 0; i < 4; i++)
        {
          CU_ASSERT_EQUAL (d ? gd[i] : gf[i], want[i]);
          CU_ASSERT_EQUAL (d ? backd[i] : backf[i], w[i]);
        }
    }
}

static void
test_missing_symbol (void)
{
  expect_refused ("no-symbol", CONDMAP_ERROR_PLUGIN, "condmap_plugin_get_desc");
}

static void
test_null_function (void)
{
  expect_refused ("null-func", CONDMAP_ERROR_PLUGIN, "'plan'");
}

static void
test_duplicate_name (void)
{
  const char *path = NULL;
  g_autofree char *dir = dir_with_test_plugin ("dup-name");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);

  expect_refused ("dup-name", CONDMAP_ERROR_PLUGIN, "already taken");
  /* The first in the search path wins: the real single-pair. */
  CU_ASSERT_TRUE_FATAL (has_plugin (rt, "single-pair", &path));
  CU_ASSERT_PTR_NULL (strstr (path, "dup-name"));
}

static void
test_text_file_named_so (void)
{
  g_autofree char *dir = g_build_filename (tmp, "text", NULL);
  g_autofree char *file = g_build_filename (dir, "notes.so", NULL);
  g_autoptr (CondmapRuntime) rt = NULL;
  const GError *error;

  g_mkdir_with_parents (dir, 0755);
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (file, "not a plugin\n", -1, NULL));
  rt = runtime_with (dir);
  CU_ASSERT_EQUAL_FATAL (condmap_runtime_get_n_failures (rt), 1);
  error = condmap_runtime_get_failure (rt, 0, NULL);
  CU_ASSERT_TRUE (g_error_matches (error, CONDMAP_ERROR, CONDMAP_ERROR_PLUGIN));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "ldd"));
  assert_good_plugins_work (rt);
}

static void
test_create_fails (void)
{
  g_autofree char *dir = dir_with_test_plugin ("create-fails");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  CondmapConverter *conv;

  CU_ASSERT_EQUAL (condmap_runtime_get_n_failures (rt), 0);
  /* The plugin's own error reaches the caller unchanged... */
  conv = condmap_converter_new_from_yaml (rt, "converter: create-fails", -1,
                                          NULL, &error);
  CU_ASSERT_PTR_NULL (conv);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_CONFIG);
  /* ...and a failure without one is reported for it. */
  conv = condmap_converter_new_from_yaml (rt, "converter: create-fails\n"
                                          "silent: true\n", -1, NULL, &error);
  CU_ASSERT_PTR_NULL (conv);
  CU_ASSERT_PTR_NOT_NULL (error);
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "without saying") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_PLUGIN);
  assert_good_plugins_work (rt);
}

static void
test_kernel_out_of_bounds (void)
{
  g_autofree char *dir = dir_with_test_plugin ("create-fails");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  double w[4] = { 1, 2, 3, 4 }, g[4];
  void *planes[1] = { g };
  g_autoptr (CondmapConverter) ok = condmap_converter_new_from_yaml (rt,
    "converter: create-fails\nfail: false\noffset: 25\n", -1, NULL, &error);
  g_autoptr (CondmapConverter) bad = condmap_converter_new_from_yaml (rt,
    "converter: create-fails\nfail: false\noffset: 25.5\n", -1, NULL, &error);

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (ok, CONDMAP_DTYPE_FLOAT64,
                                                     w, 4, planes, NULL, &error));
  CU_ASSERT_FALSE (condmap_converter_to_conductances (bad, CONDMAP_DTYPE_FLOAT64,
                                                      w, 4, planes, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "plane g element 0") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_PLUGIN);
}

static void
test_kernel_nan_caught (void)
{
  g_autofree char *dir = dir_with_test_plugin ("create-fails");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  float w[3] = { 1, 2, 3 }, g[3];
  void *planes[1] = { g };
  g_autoptr (CondmapConverter) bad = condmap_converter_new_from_yaml (rt,
    "converter: create-fails\nfail: false\nnan: true\n", -1, NULL, &error);

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_FALSE (condmap_converter_to_conductances (bad, CONDMAP_DTYPE_FLOAT32,
                                                      w, 3, planes, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "wrote NaN") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_PLUGIN);
}

/* The fake restores every weight as 0: the probe's error is max |w| = 1
 * exactly.  It fails the default limit and passes a limit of 1, which a
 * scheme lossy by design may ask for. */
static void
test_round_trip_tolerance (void)
{
  g_autofree char *dir = dir_with_test_plugin ("create-fails");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  double max_error = -1;
  g_autoptr (CondmapConverter) lossy = condmap_converter_new_from_yaml (rt,
    "converter: create-fails\nfail: false\n", -1, NULL, &error);

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_FALSE (condmap_converter_check_invertible (lossy, &max_error,
                                                       &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_NOT_INVERTIBLE);
  CU_ASSERT_DOUBLE_EQUAL (max_error, 1.0, 0.0);
  CU_ASSERT_FALSE (condmap_converter_check_round_trip (lossy, 0.999, NULL,
                                                       &error));
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "limit 0.999")
                          : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_NOT_INVERTIBLE);
  max_error = -1;
  CU_ASSERT_TRUE (condmap_converter_check_round_trip (lossy, 1.0, &max_error,
                                                      &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_DOUBLE_EQUAL (max_error, 1.0, 0.0);
}

/* Turned off for speed, the check lets the plugin's values through. */
static void
test_output_check_can_be_disabled (void)
{
  g_autofree char *dir = dir_with_test_plugin ("create-fails");
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  GError *error = NULL;
  double w[2] = { 1, 2 }, g[2];
  void *planes[1] = { g };
  g_autoptr (CondmapConverter) bad = NULL;

  CU_ASSERT_TRUE (condmap_runtime_get_output_check (rt));
  condmap_runtime_set_output_check (rt, FALSE);
  bad = condmap_converter_new_from_yaml (rt, "converter: create-fails\n"
                                         "fail: false\noffset: 30\n", -1,
                                         NULL, &error);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (bad, CONDMAP_DTYPE_FLOAT64,
                                                     w, 2, planes, NULL, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_DOUBLE_EQUAL (g[1], 30.0, 0);
}

static void
test_missing_dir_reported (void)
{
  g_autofree char *dir = g_build_filename (tmp, "does-not-exist", NULL);
  g_autoptr (CondmapRuntime) rt = runtime_with (dir);
  const GError *error;

  CU_ASSERT_EQUAL_FATAL (condmap_runtime_get_n_failures (rt), 1);
  error = condmap_runtime_get_failure (rt, 0, NULL);
  CU_ASSERT_TRUE (g_error_matches (error, CONDMAP_ERROR, CONDMAP_ERROR_IO));
  assert_good_plugins_work (rt);
}

/* CONDMAP_PLUGIN_PATH: empty entries do not mean ".", relative ones are
 * refused, and the current directory is never searched. */
static void
test_never_current_dir (void)
{
  g_autofree char *dir = dir_with_test_plugin ("dup-name");
  g_autofree char *real = cm_test_path ("CONDMAP_PLUGIN_PATH", NULL);
  g_autofree char *env = g_strconcat (":", real, ":relative/dir:", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr (CondmapRuntime) rt = NULL;
  const char *path = NULL;
  const GError *error;

  CU_ASSERT_EQUAL_FATAL (chdir (dir), 0);
  g_setenv ("CONDMAP_PLUGIN_PATH", env, TRUE);
  rt = condmap_runtime_new (NULL, CONDMAP_RUNTIME_NO_SYSTEM_DIR);
  g_setenv ("CONDMAP_PLUGIN_PATH", real, TRUE);
  CU_ASSERT_EQUAL (chdir (cwd), 0);

  CU_ASSERT_TRUE_FATAL (has_plugin (rt, "single-pair", &path));
  CU_ASSERT_PTR_NULL (strstr (path, "dup-name"));
  CU_ASSERT_EQUAL_FATAL (condmap_runtime_get_n_failures (rt), 1);
  error = condmap_runtime_get_failure (rt, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "relative"));
}

static void
test_unknown_converter (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  GError *error = NULL;
  CondmapConverter *conv =
    condmap_converter_new_from_yaml (rt, "converter: single-pairr\n", -1,
                                     "typo.yaml", &error);

  CU_ASSERT_PTR_NULL (conv);
  CU_ASSERT_PTR_NOT_NULL (error ? strstr (error->message, "did you mean 'single-pair'") : NULL);
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_UNKNOWN_CONVERTER);
}

/* A converter keeps its plugin loaded after the runtime is released. */
static void
test_converter_outlives_runtime (void)
{
  CondmapRuntime *rt = cm_test_runtime ();
  GError *error = NULL;
  g_autoptr (CondmapConverter) conv =
    condmap_converter_new_from_yaml (rt, "converter: single-pair", -1, NULL,
                                     &error);
  double w[2] = { 1, -1 }, gp[2], gm[2];
  void *planes[2] = { gp, gm };

  condmap_runtime_unref (rt);
  CU_ASSERT_TRUE (condmap_converter_to_conductances (conv, CONDMAP_DTYPE_FLOAT64,
                                                     w, 2, planes, NULL, &error));
  CU_ASSERT_DOUBLE_EQUAL (gp[0], 25.0, 1e-12);
  CU_ASSERT_STRING_EQUAL (condmap_converter_get_name (conv), "single-pair");
}

/* The bounds a converter declares reach embedders (plots, device models). */
static void
test_converter_bounds (void)
{
  g_autoptr (CondmapRuntime) rt = cm_test_runtime ();
  GError *error = NULL;
  g_autoptr (CondmapConverter) conv =
    condmap_converter_new_from_yaml (rt, "{converter: dual-pair, f_lst: [1, 3], g_min: 2, "
                                     "g_max: 30}", -1, NULL, &error);
  double lo = -1, hi = -1;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_converter_get_bounds (conv, &lo, &hi));
  CU_ASSERT_EQUAL (lo, 2.0);
  CU_ASSERT_EQUAL (hi, 30.0);
}

int
main (void)
{
  CU_pSuite s;
  int status;

  tmp = cm_test_mkdtemp ();
  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("plugin loader", NULL, NULL);
  CU_add_test (s, "the real plugins load", test_real_plugins_load);
  CU_add_test (s, "wrong ABI major is refused", test_abi_major);
  CU_add_test (s, "ABI 1 (condmap 0.1.0) is refused", test_abi1);
  CU_add_test (s, "newer ABI minor (larger structs) loads", test_abi_minor);
  CU_add_test (s, "NULL descriptor is refused", test_null_descriptor);
  CU_add_test (s, "too small descriptor is refused", test_small_descriptor);
  CU_add_test (s, "too small converter ops are refused", test_small_ops);
  CU_add_test (s, "invalid name is refused", test_bad_name);
  CU_add_test (s, "bad settings table is refused", test_bad_settings);
  CU_add_test (s, "undeclared key read in create()", test_undeclared_key);
  CU_add_test (s, "C++ plugin loads, converts, restores", test_cxx_plugin);
  CU_add_test (s, "missing entry point is refused", test_missing_symbol);
  CU_add_test (s, "NULL required function is refused", test_null_function);
  CU_add_test (s, "duplicate name is refused", test_duplicate_name);
  CU_add_test (s, "text file named .so is refused", test_text_file_named_so);
  CU_add_test (s, "create() failures are reported", test_create_fails);
  CU_add_test (s, "kernel output outside bounds is caught",
               test_kernel_out_of_bounds);
  CU_add_test (s, "kernel NaN output is caught", test_kernel_nan_caught);
  CU_add_test (s, "round-trip tolerance", test_round_trip_tolerance);
  CU_add_test (s, "output check can be disabled",
               test_output_check_can_be_disabled);
  CU_add_test (s, "missing --plugin-dir is reported", test_missing_dir_reported);
  CU_add_test (s, "never the current directory", test_never_current_dir);
  CU_add_test (s, "unknown converter, did you mean", test_unknown_converter);
  CU_add_test (s, "converter outlives runtime", test_converter_outlives_runtime);
  CU_add_test (s, "converter bounds", test_converter_bounds);
  status = cm_test_run ();
  cm_test_rmdir (tmp);
  g_free (tmp);
  return status;
}
