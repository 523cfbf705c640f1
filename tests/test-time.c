/* test-time.c - times with units (core/time-parse.c): every unit, the
 * forms a number may take, and the exact message of each refusal. */
#include <string.h>
#include <CUnit/CUnit.h>
#include "test-util.h"
#include "devices-private.h"

static void
parses_to (const char *text, double want)
{
  g_autoptr (GError) error = NULL;
  double got = -1;

  CU_ASSERT_TRUE (cm_parse_time (text, &got, &error));
  CM_ASSERT_NO_ERROR (error);
  if (got != want)
    g_printerr ("\n    '%s' gave %.17g s, want %.17g s", text, got, want);
  CU_ASSERT_EQUAL (got, want);
}

static void
fails_with (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  double got = 12345;

  CU_ASSERT_FALSE (cm_parse_time (text, &got, &error));
  CU_ASSERT_EQUAL (got, 12345);   /* untouched */
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strcmp (error->message, message) != 0)
    {
      g_printerr ("\n    want: %s\n    got:  %s", message, error->message);
      CU_FAIL ("wrong message");
    }
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

static void
test_units (void)
{
  parses_to ("0", 0);
  parses_to ("0s", 0);
  parses_to ("0.0", 0);
  parses_to ("-0", 0);
  parses_to ("30s", 30);
  parses_to ("2m", 120);
  parses_to ("1h", 3600);
  parses_to ("1d", 86400);
  parses_to ("1y", 31536000);
  parses_to ("10y", 315360000);
  parses_to ("1.5h", 5400);
  parses_to (".5d", 43200);
  parses_to ("2.s", 2);
  parses_to ("1e3s", 1000);
  parses_to ("2.5E-1m", 15);
  parses_to ("  1h\t", 3600);
}

static void
test_refused (void)
{
  const char *garbage[] = { "", "h", "1 h", "1H", "1w", "one hour", "1hh",
                            "+1h", "1..5h", "1e", "1e+h", "infs", "nan",
                            "0x10s", "1,5h", "--1h" };

  fails_with ("5", "time '5': a time needs a unit: 5s, 5m, 5h, 5d or 5y "
              "(only 0 goes without one)");
  fails_with ("0.25", "time '0.25': a time needs a unit: 0.25s, 0.25m, "
              "0.25h, 0.25d or 0.25y (only 0 goes without one)");
  fails_with ("-1h", "time '-1h': a time cannot be negative; times count "
              "from the end of programming");
  fails_with ("-5", "time '-5': a time cannot be negative; times count from "
              "the end of programming");
  for (size_t i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autofree char *want =
        g_strdup_printf ("time '%s': not a time; write a number and a unit "
                         "(s, m for minutes, h, d, y), such as 30s, 1h, 1d "
                         "or 1y", garbage[i]);

      fails_with (garbage[i], want);
    }
  fails_with ("1e308y", "time '1e308y': too large");
  fails_with ("1e999s", "time '1e999s': too large");
}

static void
test_list (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree double *t = NULL;
  size_t n = 0;

  CU_ASSERT_TRUE (cm_parse_times ("0,1h,1d,1y", &t, &n, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL_FATAL (n, 4);
  CU_ASSERT_EQUAL (t[0], 0);
  CU_ASSERT_EQUAL (t[1], 3600);
  CU_ASSERT_EQUAL (t[2], 86400);
  CU_ASSERT_EQUAL (t[3], 31536000);
  g_clear_pointer (&t, g_free);

  CU_ASSERT_FALSE (cm_parse_times ("0,1h,,1y", &t, &n, &error));
  CU_ASSERT_PTR_NULL (t);
  CU_ASSERT_STRING_EQUAL (error->message, "time '': not a time; write a "
                          "number and a unit (s, m for minutes, h, d, y), "
                          "such as 30s, 1h, 1d or 1y");
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (cm_parse_times ("1h,5", &t, &n, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
  CU_ASSERT_FALSE (cm_parse_times ("", &t, &n, &error));
  CM_ASSERT_ERROR (error, CONDMAP_ERROR_INPUT);
}

int
main (void)
{
  CU_pSuite s;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  s = CU_add_suite ("times", NULL, NULL);
  CU_add_test (s, "units s, m, h, d, y and number forms", test_units);
  CU_add_test (s, "no unit, negative, garbage, overflow", test_refused);
  CU_add_test (s, "comma-separated lists", test_list);
  return cm_test_run ();
}
