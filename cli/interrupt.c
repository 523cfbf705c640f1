/* interrupt.c - Ctrl-C, kill or a closed terminal leave no partial output.
 *
 * convert builds OUTDIR under a temporary name and restore writes its
 * weights to a temporary file; the library renames both into place only
 * when complete, and knows their names.  Killed by SIGINT, SIGTERM or
 * SIGHUP, the default action would leave the temporary behind.  Instead
 * the command blocks those signals in every thread (main() calls
 * cli_interrupt_init() before any thread exists, and threads inherit the
 * mask) and one thread waits for them with sigwait().  It asks the library
 * to remove every temporary it is writing (condmap_cleanup_on_signal(),
 * which waits for a rename in progress, so an output is either complete
 * under its name or gone), then restores the default action and raises the
 * signal again, so the shell sees the command die of it (exit status
 * 128 + N), as before.  The thread that dies is this one: the main
 * thread's stack, and what it points to, stay intact for valgrind.
 *
 * SIGKILL cannot be caught; what it leaves is a PATH.tmp-* directory or a
 * .NAME.XXXXXX file, named so a person knows what they are. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const int caught[] = { SIGINT, SIGTERM, SIGHUP };

/* Set once a signal is being handled. */
static gint dying;

static gpointer
wait_for_signal (gpointer data)
{
  sigset_t *set = data;
  struct sigaction dfl;
  int sig;

  while (sigwait (set, &sig) != 0)
    ;
  g_atomic_int_set (&dying, 1);
  condmap_cleanup_on_signal ();
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

/* The library refuses to write once the cleanup has begun: that failure
 * is the signal's doing, and the command dies of the signal in a moment,
 * without a misleading message or exit status. */
void
cli_interrupt_wait_if_dying (void)
{
  if (g_atomic_int_get (&dying))
    for (;;)
      pause ();
}
