/* fuzz-common.c - helpers shared by the libFuzzer targets (fuzz-common.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz-common.h"

void
fuzz_fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("condmap fuzz: property violated: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  abort ();
}

const char *
fuzz_path (const char *name)
{
  static GHashTable *paths;   /* name -> path, kept for the process */
  const char *dir = g_getenv ("CONDMAP_FUZZ_TMPDIR");
  char *path;

  if (paths == NULL)
    paths = g_hash_table_new (g_str_hash, g_str_equal);
  path = g_hash_table_lookup (paths, name);
  if (path != NULL)
    return path;
  path = g_strdup_printf ("%s/condmap-fuzz-%ld-%s",
                          dir && *dir ? dir : g_get_tmp_dir (),
                          (long) getpid (), name);
  g_hash_table_insert (paths, g_strdup (name), path);
  return path;
}

void
fuzz_write_file (const char *path, const uint8_t *data, size_t size)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  size_t done = 0;

  if (fd < 0)
    fuzz_fail ("cannot create %s: %s", path, g_strerror (errno));
  while (done < size)
    {
      ssize_t w = write (fd, data + done, size - done);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        fuzz_fail ("cannot write %s: %s", path, g_strerror (errno));
      done += (size_t) w;
    }
  if (close (fd) != 0)
    fuzz_fail ("cannot write %s: %s", path, g_strerror (errno));
}

CondmapRuntime *
fuzz_runtime (void)
{
  static CondmapRuntime *runtime;

  if (runtime != NULL)
    return runtime;
  if (g_getenv ("CONDMAP_PLUGIN_PATH") == NULL)
    fuzz_fail ("CONDMAP_PLUGIN_PATH is not set: point it at the fuzz "
               "build's plugins (tests/fuzz/run-fuzzers does)");
  runtime = condmap_runtime_new (NULL, CONDMAP_RUNTIME_NO_SYSTEM_DIR);
  /* One thread: the inputs are tiny, and a crash is easier to read. */
  condmap_runtime_set_n_threads (runtime, 1);
  for (size_t i = 0; i < condmap_runtime_get_n_failures (runtime); i++)
    {
      const char *path = NULL;
      const GError *e = condmap_runtime_get_failure (runtime, i, &path);

      fprintf (stderr, "condmap fuzz: plugin %s failed to load: %s\n",
               path, e->message);
    }
  if (condmap_runtime_get_n_plugins (runtime) == 0)
    fuzz_fail ("no plugin loaded from CONDMAP_PLUGIN_PATH=%s",
               g_getenv ("CONDMAP_PLUGIN_PATH"));
  return runtime;
}

void
fuzz_check_outcome (gboolean ok, GError **error, const char *what)
{
  if (ok && *error != NULL)
    fuzz_fail ("%s succeeded but set an error: %s", what, (*error)->message);
  if (!ok && *error == NULL)
    fuzz_fail ("%s failed without setting an error", what);
  if (!ok && ((*error)->domain != CONDMAP_ERROR || (*error)->message == NULL
              || (*error)->message[0] == '\0'))
    fuzz_fail ("%s failed with an error outside CONDMAP_ERROR or without "
               "a message: %s", what, (*error)->message);
  if (!ok && !g_utf8_validate ((*error)->message, -1, NULL))
    fuzz_fail ("%s failed with a message that is not UTF-8", what);
  g_clear_error (error);
}

gboolean
fuzz_same_values (CondmapDtype dtype, const void *a, const void *b, size_t n)
{
  size_t esize = condmap_dtype_size (dtype);

  for (size_t i = 0; i < n; i++)
    {
      const char *pa = (const char *) a + i * esize;
      const char *pb = (const char *) b + i * esize;
      gboolean nan_a, nan_b;

      if (dtype == CONDMAP_DTYPE_FLOAT32)
        nan_a = isnan (*(const float *) pa), nan_b = isnan (*(const float *) pb);
      else
        nan_a = isnan (*(const double *) pa), nan_b = isnan (*(const double *) pb);
      if (nan_a && nan_b)
        continue;
      if (memcmp (pa, pb, esize) != 0)
        return FALSE;
    }
  return TRUE;
}
