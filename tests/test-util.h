/* test-util.h - what every CUnit suite of condmap shares. */
#ifndef CONDMAP_TEST_UTIL_H
#define CONDMAP_TEST_UTIL_H

#include <CUnit/CUnit.h>
#include "condmap.h"

/* The directory named by environment variable @var (set by
 * TESTS_ENVIRONMENT in Makefile.am), joined with the optional relative
 * @rel.  Aborts the test program if the variable is not set, since a test
 * that silently finds nothing would pass for the wrong reason.
 * Free with g_free(). */
char *cm_test_path (const char *var, const char *rel);

/* Path of a file under tests/data.  Free with g_free(). */
char *cm_test_data (const char *rel);

/* A runtime that loads the freshly built plugins only (CONDMAP_PLUGIN_PATH
 * of the build tree, never an installed directory). */
CondmapRuntime *cm_test_runtime (void);

/* A new empty temporary directory.  Free with g_free() after
 * cm_test_rmdir(). */
char *cm_test_mkdtemp (void);
/* Removes a directory tree created by the tests. */
void cm_test_rmdir (const char *path);

/* Asserts that @error is set with code @want, prints its message (so the
 * log shows what users would see) and clears it. */
#define CM_ASSERT_ERROR(error, want)                                       \
  do {                                                                     \
    CU_ASSERT_PTR_NOT_NULL_FATAL (error);                                  \
    if (!g_error_matches ((error), CONDMAP_ERROR, (want)))                 \
      g_printerr ("  expected code %d, got %s:%d: %s\n", (int) (want),     \
                  g_quark_to_string ((error)->domain), (error)->code,      \
                  (error)->message);                                       \
    else                                                                   \
      g_printerr ("\n    %s", (error)->message);                           \
    CU_ASSERT_TRUE (g_error_matches ((error), CONDMAP_ERROR, (want)));     \
    g_clear_error (&(error));                                              \
  } while (0)

/* Asserts that @error is NULL, printing its message otherwise. */
#define CM_ASSERT_NO_ERROR(error)                                          \
  do {                                                                     \
    if ((error) != NULL)                                                   \
      g_printerr ("  unexpected error: %s\n", (error)->message);           \
    CU_ASSERT_PTR_NULL_FATAL (error);                                      \
  } while (0)

/* A temporary directory per suite: pass cm_test_tmpdir_init and
 * cm_test_tmpdir_clean to CU_add_suite(); cm_test_tmpdir is its path. */
extern char *cm_test_tmpdir;
int cm_test_tmpdir_init (void);
int cm_test_tmpdir_clean (void);

/* Writes @len bytes (-1: NUL-terminated text) to a new file @name in
 * cm_test_tmpdir and returns its path.  Free with g_free(). */
char *cm_test_write_file (const char *name, const void *bytes, gssize len);

/* Runs every registered suite with CUnit's basic interface (verbose) and
 * returns the exit status for automake: 0 if all passed, 1 otherwise. */
int cm_test_run (void);

#endif
