/* interrupt.c - Ctrl-C, kill or a closed terminal leave no partial output.
 *
 * convert builds OUTDIR under a temporary name and restore writes its
 * weights to a hidden temporary file; both are renamed into place only
 * when complete.  Killed by SIGINT, SIGTERM or SIGHUP, the default action
 * would leave that temporary behind.  Instead the command blocks those
 * signals in every thread (main() calls cli_interrupt_init() before any
 * thread exists, and threads inherit the mask) and one thread waits for
 * them with sigwait().  Being an ordinary thread, not a signal handler, it
 * may remove a directory tree with GLib; then it restores the default
 * action and raises the signal again, so the shell sees the command die of
 * it (exit status 128 + N), as before.
 *
 * The rename that publishes a result is a critical section: a signal that
 * arrives during it waits, so an output is either complete under its name
 * or gone -- never half renamed.  SIGKILL cannot be caught; what it leaves
 * is a PATH.tmp-* directory or a .NAME.XXXXXX file, named so a person
 * knows what they are. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "cli.h"

static const int caught[] = { SIGINT, SIGTERM, SIGHUP };

/* Recursive: the main thread unguards while it holds the critical section. */
static GRecMutex lock;
static char *guarded_dir;    /* a directory tree to remove, or NULL */
static char *guarded_file;   /* a destination whose temporaries to remove */

/* The temporaries of core's atomic writes to @path: ".NAME.XXXXXX" in the
 * same directory (core/atomic-file.c). */
static void
remove_file_temporaries (const char *path)
{
  g_autofree char *dir_name = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strdup_printf (".%s.", base);
  GDir *dir = g_dir_open (dir_name, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix)
        && strlen (name) == strlen (prefix) + 6)
      {
        g_autofree char *child = g_build_filename (dir_name, name, NULL);
        g_unlink (child);
      }
  g_dir_close (dir);
}

/* The main thread may still be creating files in the directory while it
 * is removed; it creates a bounded number, so a few rounds win. */
static void
remove_guarded_dir (const char *path)
{
  for (int round = 0; round < 100; round++)
    if (cli_remove_tree (path) || errno == ENOENT)
      return;
}

static gpointer
wait_for_signal (gpointer data)
{
  sigset_t *set = data;
  struct sigaction dfl;
  int sig;

  while (sigwait (set, &sig) != 0)
    ;
  /* Held until the process is gone: the main thread must not publish or
   * guard anything from now on. */
  g_rec_mutex_lock (&lock);
  if (guarded_dir != NULL)
    remove_guarded_dir (guarded_dir);
  if (guarded_file != NULL)
    remove_file_temporaries (guarded_file);
  fflush (stdout);
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction (sig, &dfl, NULL);
  sigemptyset (set);
  sigaddset (set, sig);
  pthread_sigmask (SIG_UNBLOCK, set, NULL);
  raise (sig);
  /* Not reached unless the signal's action could not be reset. */
  _exit (128 + sig);
}

void
cli_interrupt_init (void)
{
  static sigset_t set;
  GThread *thread;

  sigemptyset (&set);
  for (size_t i = 0; i < G_N_ELEMENTS (caught); i++)
    {
      struct sigaction old;

      /* A signal ignored by whoever started us (nohup, a shell's
       * background job without job control) stays ignored. */
      if (sigaction (caught[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
        sigaddset (&set, caught[i]);
    }
  if (pthread_sigmask (SIG_BLOCK, &set, NULL) != 0)
    return;
  thread = g_thread_try_new ("condmap-signals", wait_for_signal, &set, NULL);
  if (thread == NULL)
    {
      /* Without the thread, the signals keep their default action. */
      pthread_sigmask (SIG_UNBLOCK, &set, NULL);
      return;
    }
  g_thread_unref (thread);
}

void
cli_interrupt_guard_dir (const char *path)
{
  g_rec_mutex_lock (&lock);
  g_free (guarded_dir);
  guarded_dir = g_strdup (path);
  g_rec_mutex_unlock (&lock);
}

void
cli_interrupt_guard_file (const char *path)
{
  g_rec_mutex_lock (&lock);
  g_free (guarded_file);
  guarded_file = g_strdup (path);
  g_rec_mutex_unlock (&lock);
}

void
cli_interrupt_hold (void)
{
  g_rec_mutex_lock (&lock);
}

void
cli_interrupt_release (void)
{
  g_rec_mutex_unlock (&lock);
}

void
cli_interrupt_unguard (void)
{
  g_rec_mutex_lock (&lock);
  g_clear_pointer (&guarded_dir, g_free);
  g_clear_pointer (&guarded_file, g_free);
  g_rec_mutex_unlock (&lock);
}
