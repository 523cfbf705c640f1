/* test-util.c - shared helpers of the CUnit suites. */
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <CUnit/Basic.h>
#include "test-util.h"

char *
cm_test_path (const char *var, const char *rel)
{
  const char *dir = g_getenv (var);

  if (dir == NULL || *dir == '\0')
    {
      g_printerr ("%s is not set: run the tests with 'make check'\n", var);
      exit (99);   /* automake's "hard error" */
    }
  return rel ? g_build_filename (dir, rel, NULL) : g_strdup (dir);
}

char *
cm_test_data (const char *rel)
{
  return cm_test_path ("CONDMAP_TEST_DATA", rel);
}

CondmapRuntime *
cm_test_runtime (void)
{
  g_autofree char *dir = cm_test_path ("CONDMAP_PLUGIN_PATH", NULL);
  const char *dirs[] = { dir, NULL };

  return condmap_runtime_new (dirs, CONDMAP_RUNTIME_NO_ENV_PATH
                                    | CONDMAP_RUNTIME_NO_SYSTEM_DIR);
}

char *
cm_test_mkdtemp (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("condmap-test-XXXXXX", &error);

  if (dir == NULL)
    {
      g_printerr ("cannot make a temporary directory: %s\n", error->message);
      exit (99);
    }
  return dir;
}

void
cm_test_rmdir (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR)
          && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        cm_test_rmdir (child);
      else
        g_remove (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

char *cm_test_tmpdir;

int
cm_test_tmpdir_init (void)
{
  cm_test_tmpdir = cm_test_mkdtemp ();
  return 0;
}

int
cm_test_tmpdir_clean (void)
{
  cm_test_rmdir (cm_test_tmpdir);
  g_clear_pointer (&cm_test_tmpdir, g_free);
  return 0;
}

char *
cm_test_write_file (const char *name, const void *bytes, gssize len)
{
  char *path = g_build_filename (cm_test_tmpdir, name, NULL);

  if (len < 0)
    len = strlen (bytes);
  if (!g_file_set_contents (path, bytes, len, NULL))
    g_error ("cannot write %s", path);
  return path;
}

int
cm_test_run (void)
{
  unsigned failures;

  CU_basic_set_mode (CU_BRM_VERBOSE);
  CU_basic_run_tests ();
  failures = CU_get_number_of_failures () + CU_get_number_of_tests_failed ();
  if (CU_get_error () != CUE_SUCCESS)
    failures++;
  CU_cleanup_registry ();
  return failures == 0 ? 0 : 1;
}
