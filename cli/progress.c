/* progress.c - the progress line of a long checkpoint run on stderr:
 *
 *   [12/210] encoder.layers.3.mlp.fc1.weight  412 of 1536 MiB  830 MiB/s  ETA 0:01
 *
 * redrawn in place ("\r", then the line, then erase to its end).  Drawn
 * when stderr is a terminal, unless -q; --progress draws it anyway, also
 * into a file or a pipe.  A run that ends before PROGRESS_DELAY_S shows
 * nothing (unless forced): a flash of text is noise, not information. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#define PROGRESS_DELAY_S 0.3
/* Redraws at most this often, and at the end. */
#define PROGRESS_PERIOD_S 0.1
/* Room for the name on an 80-column terminal. */
#define NAME_COLUMNS 32

void
cli_progress_init (CliProgress *p, gboolean quiet, gboolean force)
{
  *p = (CliProgress) { 0 };
  p->forced = force;
  p->enabled = force || (!quiet && isatty (STDERR_FILENO));
}

static void
format_bytes (char *buf, size_t len, guint64 bytes)
{
  double mib = (double) bytes / (1 << 20);

  if (mib >= 10240)
    g_snprintf (buf, len, "%.1f GiB", mib / 1024);
  else if (mib >= 1)
    g_snprintf (buf, len, "%.0f MiB", mib);
  else
    g_snprintf (buf, len, "%.0f KiB", mib * 1024);
}

/* The name, its end kept if it is too long: "...layers.3.mlp.fc1.weight". */
static void
format_name (char *buf, size_t len, const char *name)
{
  glong n = g_utf8_strlen (name, -1);

  if (n <= NAME_COLUMNS)
    g_strlcpy (buf, name, len);
  else
    g_snprintf (buf, len, "...%s",
                g_utf8_offset_to_pointer (name, n - (NAME_COLUMNS - 3)));
}

void
cli_progress_report (const CondmapProgress *progress, gpointer data)
{
  CliProgress *p = data;
  char done[32], total[32], rate_text[32] = "", eta[32] = "",
       name[4 * NAME_COLUMNS + 8];
  double rate;

  if (!p->enabled)
    return;
  if (!p->forced && progress->elapsed_s < PROGRESS_DELAY_S)
    return;
  if (!progress->finished && p->drawn
      && progress->elapsed_s - p->last_draw_s < PROGRESS_PERIOD_S)
    return;
  p->last_draw_s = progress->elapsed_s;
  p->drawn = TRUE;
  format_bytes (done, sizeof done, progress->bytes_done);
  format_bytes (total, sizeof total, progress->bytes_total);
  format_name (name, sizeof name, progress->name ? progress->name : "");
  rate = progress->elapsed_s > 0
         ? (double) progress->bytes_done / progress->elapsed_s : 0;
  if (rate > 0)
    {
      double left = (double) (progress->bytes_total - progress->bytes_done)
                    / rate;

      char r[32];

      format_bytes (r, sizeof r, (guint64) rate);
      g_snprintf (rate_text, sizeof rate_text, "  %s/s", r);
      if (!progress->finished)
        g_snprintf (eta, sizeof eta, "  ETA %d:%02d", (int) left / 60,
                    (int) left % 60);
    }
  fprintf (stderr, "\r[%zu/%zu] %s  %s of %s%s%s\033[K",
           progress->n_tensors ? progress->index + 1 : 0,
           progress->n_tensors, name, done, total, rate_text, eta);
  if (progress->finished)
    {
      fprintf (stderr, "  %.1f s\n", progress->elapsed_s);
      p->drawn = FALSE;   /* the line is ended */
    }
  fflush (stderr);
}

void
cli_progress_end (CliProgress *p)
{
  /* A run that failed midway leaves its line: end it, so that the error
   * starts on a line of its own. */
  if (p->drawn)
    {
      fprintf (stderr, "\n");
      p->drawn = FALSE;
    }
}
