/* plot-axes.c - axes: which data range a plot area spans, where a value
 * lands, and tick values a reader can take in at a glance (multiples of
 * 1, 2 or 5 times a power of ten; powers of ten on a log axis). */
#include <math.h>
#include <string.h>
#include "plot-private.h"

/* Below this or from this on, tick labels share a factor 10^k written in
 * the axis label instead of carrying many zeros. */
#define SMALL_LABELS 1e-3
#define LARGE_LABELS 1e5

int
cm_nice_step (double span, unsigned target, int *exp)
{
  double raw = span / MAX (target, 1);
  int e = (int) floor (log10 (raw));
  double f = raw / pow (10, e);

  /* f in [1, 10), up to rounding of log10 */
  if (f < 1)
    f *= 10, e--;
  else if (f >= 10)
    f /= 10, e++;
  if (f < 1.5)
    return *exp = e, 1;
  if (f < 3.5)
    return *exp = e, 2;
  if (f < 7.5)
    return *exp = e, 5;
  return *exp = e + 1, 1;
}

/* m * 10^e, computed so that 0.1 is exactly the double nearest 0.1. */
static double
scaled (double m, int e)
{
  return e >= 0 ? m * pow (10, e) : m / pow (10, -e);
}

void
cm_axis_init_linear (CmAxis *axis, double lo, double hi, unsigned target)
{
  double largest;
  int m, e;
  double first;

  memset (axis, 0, sizeof *axis);
  axis->scale = CM_SCALE_LINEAR;
  if (!(hi > lo))
    {
      double half = lo != 0 ? fabs (lo) * 0.1 : 1;

      lo -= half;
      hi += half;
    }
  axis->lo = lo;
  axis->hi = hi;
  m = cm_nice_step (hi - lo, target, &e);
  first = ceil (lo / scaled (m, e) - 1e-9);
  for (double k = first; axis->n_ticks < CM_AXIS_MAX_TICKS; k++)
    {
      /* k * m * 10^e, not a running sum: no drift, and 0 is exactly 0. */
      double v = scaled (k * m, e);

      if (v > hi + scaled (m, e) * 1e-9)
        break;
      axis->ticks[axis->n_ticks++] = v;
    }
  largest = MAX (fabs (lo), fabs (hi));
  if (largest < SMALL_LABELS || largest >= LARGE_LABELS)
    axis->exponent = (int) floor (log10 (largest));
  axis->decimals = MAX (0, axis->exponent - e);
}

void
cm_axis_init_log (CmAxis *axis, double lo, double hi)
{
  int first, last, stride;

  g_return_if_fail (lo > 0 && hi > lo);

  memset (axis, 0, sizeof *axis);
  axis->scale = CM_SCALE_LOG;
  axis->lo = lo;
  axis->hi = hi;
  first = (int) ceil (log10 (lo) - 1e-9);
  last = (int) floor (log10 (hi) + 1e-9);
  stride = 1 + (last - first) / CM_AXIS_MAX_TICKS;
  for (int k = first; k <= last && axis->n_ticks < CM_AXIS_MAX_TICKS;
       k += stride)
    axis->ticks[axis->n_ticks++] = scaled (1, k);
}

/* "−" (U+2212) for a minus sign, as typeset text has it. */
static char *
with_minus_sign (const char *text)
{
  if (text[0] == '-')
    return g_strconcat ("\xe2\x88\x92", text + 1, NULL);
  return g_strdup (text);
}

char *
cm_axis_tick_label (const CmAxis *axis, unsigned i)
{
  char fmt[16], buf[G_ASCII_DTOSTR_BUF_SIZE];
  double v;

  g_return_val_if_fail (i < axis->n_ticks, NULL);

  if (axis->custom)
    return g_strdup (axis->labels[i]);
  v = axis->ticks[i];
  if (axis->scale == CM_SCALE_LOG)
    {
      int k = (int) lround (log10 (v));
      g_autofree char *power = NULL;

      if (k >= 0 && k <= 3)
        return g_strdup_printf ("%.0f", v);
      power = g_strdup_printf ("%d", k);
      {
        g_autofree char *signed_power = with_minus_sign (power);

        return g_strdup_printf ("10<sup>%s</sup>", signed_power);
      }
    }
  v = axis->exponent >= 0 ? v / pow (10, axis->exponent)
                          : v * pow (10, -axis->exponent);
  g_snprintf (fmt, sizeof fmt, "%%.%df", axis->decimals);
  g_ascii_formatd (buf, sizeof buf, fmt, v);
  /* "-0.00" is 0 after rounding. */
  if (buf[0] == '-' && strspn (buf + 1, "0.") == strlen (buf + 1))
    memmove (buf, buf + 1, strlen (buf));
  return with_minus_sign (buf);
}

char *
cm_axis_label_suffix (const CmAxis *axis)
{
  g_autofree char *power = NULL;
  g_autofree char *signed_power = NULL;

  if (axis->scale != CM_SCALE_LINEAR || axis->exponent == 0)
    return g_strdup ("");
  power = g_strdup_printf ("%d", axis->exponent);
  signed_power = with_minus_sign (power);
  return g_strdup_printf (" (\xc3\x97" "10<sup>%s</sup>)", signed_power);
}

/* Where @value sits along @axis, 0 at lo and 1 at hi. */
static double
fraction (const CmAxis *axis, double value)
{
  if (axis->scale == CM_SCALE_LOG)
    return (log10 (value) - log10 (axis->lo))
           / (log10 (axis->hi) - log10 (axis->lo));
  return (value - axis->lo) / (axis->hi - axis->lo);
}

double
cm_frame_x (const CmFrame *frame, double value)
{
  return frame->x + fraction (&frame->x_axis, value) * frame->width;
}

double
cm_frame_y (const CmFrame *frame, double value)
{
  return frame->y + (1 - fraction (&frame->y_axis, value)) * frame->height;
}
