/* time-parse.c - times with units, as `--time 0,1h,1d,1y` takes them.
 * A bare number is refused (except 0): "5" could mean seconds, hours or
 * years, and a drift simulation at the wrong one looks plausible. */
#include <math.h>
#include <string.h>
#include "devices-private.h"

typedef struct {
  char unit;
  double seconds;
} Unit;

static const Unit units[] = {
  { 's', 1.0 },
  { 'm', 60.0 },
  { 'h', 3600.0 },
  { 'd', 86400.0 },
  { 'y', 365.0 * 86400.0 },   /* aihwkit's examples: 3600 * 24 * 365 */
};

#define EXAMPLES "30s, 1h, 1d or 1y"

/* Whether @text (@len bytes) is a plain decimal number: digits with at
 * most one '.', at least one digit, an optional exponent.  No sign, no
 * hex, inf or nan, which g_ascii_strtod() would take. */
static gboolean
is_decimal (const char *text, size_t len)
{
  size_t i = 0, digits = 0, dots = 0;

  for (; i < len && (g_ascii_isdigit (text[i]) || text[i] == '.'); i++)
    {
      digits += g_ascii_isdigit (text[i]) ? 1 : 0;
      dots += text[i] == '.' ? 1 : 0;
    }
  if (digits == 0 || dots > 1)
    return FALSE;
  if (i < len && (text[i] == 'e' || text[i] == 'E'))
    {
      size_t exp_digits = 0;

      i++;
      if (i < len && (text[i] == '+' || text[i] == '-'))
        i++;
      for (; i < len && g_ascii_isdigit (text[i]); i++)
        exp_digits++;
      if (exp_digits == 0)
        return FALSE;
    }
  return i == len;
}

static gboolean
fail (GError **error, const char *text, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const char *text, const char *format, ...)
{
  size_t len = strlen (text);
  g_autofree char *cut = g_strndup (text, MIN (len, 40));
  g_autofree char *shown = g_utf8_make_valid (cut, -1);
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT, "time '%s'%s: %s",
               shown, len > 40 ? "..." : "", why);
  return FALSE;
}

gboolean
cm_parse_time (const char *text, double *seconds, GError **error)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  size_t len = strlen (t), num_len = len;
  const Unit *unit = NULL;
  gboolean negative = t[0] == '-';
  const char *num = negative ? t + 1 : t;
  double value;

  g_return_val_if_fail (text != NULL && seconds != NULL, FALSE);
  for (size_t u = 0; len > 0 && u < G_N_ELEMENTS (units); u++)
    if (t[len - 1] == units[u].unit)
      unit = &units[u];
  num_len = len - (unit != NULL) - negative;
  if (!is_decimal (num, num_len))
    return fail (error, text, "not a time; write a number and a unit "
                 "(s, m for minutes, h, d, y), such as " EXAMPLES);
  value = g_ascii_strtod (num, NULL);
  if (negative && value != 0)
    return fail (error, text, "a time cannot be negative; times count "
                 "from the end of programming");
  if (unit == NULL && value != 0)
    {
      int w = (int) MIN (num_len, 20);   /* the number, as the user wrote it */

      return fail (error, text, "a time needs a unit: %.*ss, %.*sm, %.*sh, "
                   "%.*sd or %.*sy (only 0 goes without one)",
                   w, num, w, num, w, num, w, num, w, num);
    }
  value *= unit != NULL ? unit->seconds : 1.0;
  if (!isfinite (value))
    return fail (error, text, "too large");
  *seconds = value + 0.0;   /* -0 and 0 alike */
  return TRUE;
}

gboolean
cm_parse_times (const char *text, double **seconds, size_t *n,
                GError **error)
{
  g_auto (GStrv) items = NULL;
  g_autofree double *out = NULL;
  size_t count;

  g_return_val_if_fail (text != NULL && seconds != NULL && n != NULL, FALSE);
  items = g_strsplit (text, ",", -1);
  count = g_strv_length (items);
  if (count == 0)
    return fail (error, text, "no time given; such as 0,1h,1d,1y");
  out = g_new (double, count);
  for (size_t i = 0; i < count; i++)
    if (!cm_parse_time (items[i], &out[i], error))
      return FALSE;
  *seconds = g_steal_pointer (&out);
  *n = count;
  return TRUE;
}

/* The public names of the two parsers (condmap.h). */
gboolean
condmap_parse_time (const char *text, double *seconds, GError **error)
{
  return cm_parse_time (text, seconds, error);
}

gboolean
condmap_parse_times (const char *text, double **seconds, size_t *n,
                     GError **error)
{
  return cm_parse_times (text, seconds, n, error);
}
