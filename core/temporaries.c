/* temporaries.c - every temporary the core is writing, so that a process
 * killed by a signal can remove them: condmap_cleanup_on_signal().
 *
 * The core writes each output under a temporary name and renames it into
 * place: a file as ".NAME.XXXXXX" beside it (atomic-file.c), an output
 * directory as "OUTDIR.tmp-XXXXXX" (outdir.c).  Each is registered here
 * before it exists on disk, with its path and, for a directory, the names
 * of the files that can be in it, and forgotten once it is renamed or
 * removed.
 *
 * The cleanup runs in a signal handler, perhaps on another thread than the
 * writer, perhaps while the writer is inside malloc() or stdio.  So it
 * takes no lock, allocates nothing, and calls only async-signal-safe
 * functions (open, unlinkat, rmdir, poll, clock_gettime) on paths set
 * beforehand.  Each slot of a fixed table has a state changed only by
 * atomic compare-and-exchange, and whoever moves a slot out of ACTIVE owns
 * its paths:
 *
 *   FREE -> RESERVED       the writer creates the temporary
 *   RESERVED -> ACTIVE     it exists; its paths are set
 *   ACTIVE -> PUBLISHING   the writer renames it into place
 *   ACTIVE -> FREE         the writer has removed it
 *   ACTIVE -> CLEANING     the cleanup removes it (the writer's rename is
 *                          then refused) -> DONE, for good
 *   RESERVED, PUBLISHING -> FREE
 *
 * The writer blocks asynchronous signals in its own thread while its slot
 * is RESERVED or PUBLISHING, so a handler never waits for its own thread;
 * a handler on another thread waits for those short steps to end.  Once
 * the cleanup has begun, nothing new is registered: every write the core
 * starts afterwards fails. */
#define _GNU_SOURCE   /* struct linux_dirent64 via getdents64 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "condmap-private.h"

enum {
  SLOT_FREE,
  SLOT_RESERVED,
  SLOT_ACTIVE,
  SLOT_PUBLISHING,
  SLOT_CLEANING,
  SLOT_DONE
};

/* Temporaries being written at once: one directory and one file per
 * conversion to a directory, one file per other write.  A write that finds
 * the table full goes ahead unguarded. */
#define N_SLOTS 64

/* How long a handler waits for other threads' RESERVED and PUBLISHING
 * steps (a mkstemp, a rename, or removing the old OUTDIR of a forced
 * replace).  Bounded: the other thread might wait for a lock held by the
 * thread the handler interrupted. */
#define WAIT_LIMIT_MS 5000

typedef struct {
  gint state;
  gboolean is_dir;
  char *path;         /* the temporary */
  char **children;    /* a directory's possible files, NULL-terminated */
} Slot;

static Slot slots[N_SLOTS];
static gint cleaning_started;

struct _CmGuard {
  int slot;           /* index into slots, or -1: not registered */
  gboolean blocked;   /* signals are blocked in this thread */
  sigset_t saved;     /* the thread's mask before */
};

/* Every signal a handler may catch, not the ones a fault raises. */
static void
block_signals (CmGuard *guard)
{
  sigset_t all;

  sigfillset (&all);
  sigdelset (&all, SIGSEGV);
  sigdelset (&all, SIGBUS);
  sigdelset (&all, SIGFPE);
  sigdelset (&all, SIGILL);
  guard->blocked = pthread_sigmask (SIG_BLOCK, &all, &guard->saved) == 0;
}

static void
unblock_signals (CmGuard *guard)
{
  if (guard->blocked)
    pthread_sigmask (SIG_SETMASK, &guard->saved, NULL);
  guard->blocked = FALSE;
}

static gboolean
interrupted (const char *path, GError **error)
{
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_IO, "cannot write '%s': "
               "the process is being stopped by a signal", path);
  return FALSE;
}

CmGuard *
cm_guard_new (const char *path, GError **error)
{
  CmGuard *guard = g_new0 (CmGuard, 1);

  guard->slot = -1;
  block_signals (guard);
  for (int i = 0; i < N_SLOTS && guard->slot < 0; i++)
    if (g_atomic_int_compare_and_exchange (&slots[i].state, SLOT_FREE,
                                           SLOT_RESERVED))
      guard->slot = i;
  /* After the reservation: a cleanup that began before it is seen here,
   * one that begins after it waits for the slot to become ACTIVE. */
  if (g_atomic_int_get (&cleaning_started))
    {
      cm_guard_free (guard);
      interrupted (path, error);
      return NULL;
    }
  return guard;
}

void
cm_guard_set (CmGuard *guard, const char *tmp_path,
              const char *const *children)
{
  if (guard->slot >= 0)
    {
      Slot *s = &slots[guard->slot];

      s->path = g_strdup (tmp_path);
      s->is_dir = children != NULL;
      s->children = g_strdupv ((char **) children);
      g_atomic_int_set (&s->state, SLOT_ACTIVE);
    }
  unblock_signals (guard);
}

gboolean
cm_guard_publish (CmGuard *guard, const char *path, GError **error)
{
  block_signals (guard);
  if (guard->slot >= 0
      ? !g_atomic_int_compare_and_exchange (&slots[guard->slot].state,
                                            SLOT_ACTIVE, SLOT_PUBLISHING)
      : g_atomic_int_get (&cleaning_started))
    {
      unblock_signals (guard);
      return interrupted (path, error);
    }
  return TRUE;
}

/* Only the owner of the slot's paths gets here. */
static void
free_slot (Slot *s)
{
  char *path = g_steal_pointer (&s->path);
  char **children = g_steal_pointer (&s->children);

  g_atomic_int_set (&s->state, SLOT_FREE);
  g_free (path);
  g_strfreev (children);
}

void
cm_guard_free (CmGuard *guard)
{
  if (guard == NULL)
    return;
  if (guard->slot >= 0)
    {
      Slot *s = &slots[guard->slot];
      gint state = g_atomic_int_get (&s->state);

      /* A slot the cleanup took keeps its paths: the handler reads them. */
      if (state == SLOT_RESERVED || state == SLOT_PUBLISHING
          || (state == SLOT_ACTIVE
              && g_atomic_int_compare_and_exchange (&s->state, SLOT_ACTIVE,
                                                    SLOT_PUBLISHING)))
        free_slot (s);
    }
  unblock_signals (guard);
  g_free (guard);
}

/* ---- the cleanup: async-signal-safe from here on ----------------------- */

static long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Removes every plain entry of directory @fd, reading it with the raw
 * getdents64 system call into a buffer on the stack (readdir() may
 * allocate, which a signal handler must not). */
static void
empty_dir (int fd)
{
  char buf[4096] __attribute__ ((aligned (8)));
  long n;

  lseek (fd, 0, SEEK_SET);
  while ((n = syscall (SYS_getdents64, fd, buf, sizeof buf)) > 0)
    for (long at = 0; at < n;)
      {
        struct dirent64 *d = (struct dirent64 *) (buf + at);

        if (!(d->d_name[0] == '.' && (d->d_name[1] == '\0'
                                      || (d->d_name[1] == '.'
                                          && d->d_name[2] == '\0'))))
          unlinkat (fd, d->d_name, 0);
        at += d->d_reclen;
      }
}

/* A directory the core built holds the files it named, and the
 * temporaries of their atomic writes, which are slots of their own and
 * removed first.  A file that a write still in flight created after those
 * passes is caught by emptying the directory when rmdir finds it not
 * empty. */
static void
remove_slot (const Slot *s)
{
  int fd;

  if (!s->is_dir)
    {
      unlink (s->path);
      return;
    }
  fd = open (s->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
    {
      /* A child may be a subdirectory (a checkpoint's npy planes,
       * "TENSOR/PLANE.npy"), listed after the files in it. */
      for (char **c = s->children; c != NULL && *c != NULL; c++)
        if (unlinkat (fd, *c, 0) != 0 && (errno == EISDIR || errno == EPERM))
          unlinkat (fd, *c, AT_REMOVEDIR);
      for (int tries = 0; rmdir (s->path) != 0 && errno == ENOTEMPTY
                          && tries < 3; tries++)
        empty_dir (fd);
      close (fd);
      return;
    }
  rmdir (s->path);
}

/* Takes and removes every slot of the kind asked for; waits (up to
 * @deadline) for slots another thread is creating or publishing, and for
 * a concurrent cleanup of the same slot. */
static void
clean_pass (gboolean dirs, long deadline)
{
  for (int i = 0; i < N_SLOTS; i++)
    {
      Slot *s = &slots[i];

      for (;;)
        {
          gint state = g_atomic_int_get (&s->state);

          if (state == SLOT_ACTIVE && s->is_dir != dirs)
            break;
          if (state == SLOT_ACTIVE
              && g_atomic_int_compare_and_exchange (&s->state, SLOT_ACTIVE,
                                                    SLOT_CLEANING))
            {
              remove_slot (s);
              g_atomic_int_set (&s->state, SLOT_DONE);
              break;
            }
          if (state == SLOT_FREE || state == SLOT_DONE
              || now_ms () >= deadline)
            break;
          if (state != SLOT_ACTIVE)
            poll (NULL, 0, 1);
        }
    }
}

void
condmap_cleanup_on_signal (void)
{
  int saved_errno = errno;
  long deadline = now_ms () + WAIT_LIMIT_MS;

  g_atomic_int_set (&cleaning_started, 1);
  clean_pass (FALSE, deadline);
  clean_pass (TRUE, deadline);
  errno = saved_errno;
}
