/* test-config.c - the strict YAML loader, did-you-mean and the settings
 * accessors, through the private API (their sources are compiled into
 * this program: libcondmap exports only condmap_* symbols). */
#include <locale.h>
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "condmap-private.h"
#include "test-util.h"

/* Asserts @error has @code and a message holding @fragment, then clears. */
#define CHECK_ERROR(err_, code_, frag_)                                    \
  do {                                                                     \
    CU_ASSERT_PTR_NOT_NULL_FATAL (err_);                                   \
    if (!g_error_matches ((err_), CONDMAP_ERROR, (code_))                  \
        || strstr ((err_)->message, (frag_)) == NULL)                      \
      g_printerr ("\n  expected code %d and '%s', got %d: %s\n",           \
                  (int) (code_), (frag_), (err_)->code, (err_)->message);  \
    CU_ASSERT_TRUE (g_error_matches ((err_), CONDMAP_ERROR, (code_)));     \
    CU_ASSERT_PTR_NOT_NULL (strstr ((err_)->message, (frag_)));            \
    g_clear_error (&(err_));                                               \
  } while (0)

static CmNode *
load (const char *yaml, GError **error)
{
  return cm_yaml_load (yaml, strlen (yaml), "x.yaml", error);
}

/* Asserts that @yaml is refused with @code and @fragment. */
static void
check_refused (const char *yaml, CondmapError code, const char *fragment)
{
  GError *error = NULL;
  CmNode *root = load (yaml, &error);

  CU_ASSERT_PTR_NULL (root);
  cm_node_free (root);
  CHECK_ERROR (error, code, fragment);
}

/* ---- YAML loading ------------------------------------------------------ */

static void
test_yaml_tree (void)
{
  GError *error = NULL;
  g_autoptr (CmNode) root =
    load ("converter: dual-pair\ng_max: 25\nf_lst: [1, '3']\n", &error);
  const CmNode *f;

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (root->kind, CM_NODE_MAPPING);
  CU_ASSERT_EQUAL (root->children->len, 6);
  CU_ASSERT_STRING_EQUAL (cm_node_lookup (root, "converter")->value,
                          "dual-pair");
  CU_ASSERT_EQUAL (cm_node_lookup (root, "g_max")->line, 2);
  CU_ASSERT_EQUAL (cm_node_lookup (root, "g_max")->column, 8);
  f = cm_node_lookup (root, "f_lst");
  CU_ASSERT_EQUAL (f->kind, CM_NODE_SEQUENCE);
  CU_ASSERT_EQUAL (f->children->len, 2);
  CU_ASSERT_TRUE (((CmNode *) f->children->pdata[0])->plain);
  CU_ASSERT_FALSE (((CmNode *) f->children->pdata[1])->plain);
  CU_ASSERT_PTR_NULL (cm_node_lookup (root, "g_min"));
  CU_ASSERT_PTR_NULL (cm_node_lookup (f, "g_max"));
}

static void
test_yaml_documents (void)
{
  check_refused ("a: 1\n---\nb: 2\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:2: only one document per file");
  check_refused ("", CONDMAP_ERROR_CONFIG,
                 "x.yaml: the file holds no YAML document");
  check_refused ("# nothing\n\n", CONDMAP_ERROR_CONFIG, "no YAML document");
  check_refused ("---\n", CONDMAP_ERROR_CONFIG, "no YAML document");
  check_refused ("~\n", CONDMAP_ERROR_CONFIG, "no YAML document");
  check_refused ("null\n", CONDMAP_ERROR_CONFIG, "no YAML document");
}

static void
test_yaml_anchors_tags (void)
{
  check_refused ("a: &x 1\nb: *x\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:1: anchors and aliases are not allowed");
  check_refused ("a: 1\nb: *x\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:2: anchors and aliases are not allowed");
  check_refused ("a: 1\nb: &s [1]\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:2: anchors and aliases");
  check_refused ("a:\n  &m {b: 1}\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:2: anchors and aliases");
  check_refused ("a: !!float 1\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:1: tags are not allowed");
  check_refused ("a: !local [1]\n", CONDMAP_ERROR_CONFIG, "tags are not");
  check_refused ("--- !!map\na: 1\n", CONDMAP_ERROR_CONFIG, "tags are not");
}

static void
test_yaml_keys (void)
{
  check_refused ("g_max: 1\ng_min: 0\ng_max: 2\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:3: duplicate key 'g_max' (first at line 1)");
  check_refused ("a:\n  b: 1\n  b: 1\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:3: duplicate key 'b' (first at line 2)");
  check_refused ("{a: 1, 'a': 2}\n", CONDMAP_ERROR_CONFIG, "duplicate key");
  check_refused ("? [a, b]\n: 1\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:1: a key must be a string, not a list");
  check_refused ("{{a: 1}: 2}\n", CONDMAP_ERROR_CONFIG,
                 "a key must be a string, not a mapping");
  /* The same key in two mappings is no duplicate. */
  g_autoptr (CmNode) ok = load ("a: {k: 1}\nb: {k: 2}\n", NULL);
  CU_ASSERT_PTR_NOT_NULL (ok);
}

static void
test_yaml_syntax (void)
{
  check_refused ("a: b: c\n", CONDMAP_ERROR_PARSE,
                 "x.yaml:1:5: mapping values are not allowed");
  /* An unclosed bracket is reported where it opens, not at the end. */
  check_refused ("a: [1, 2\n", CONDMAP_ERROR_PARSE,
                 "x.yaml:1:4: did not find expected ',' or ']' before the "
                 "end of the file (while parsing a flow sequence that "
                 "starts here)");
  check_refused ("a: [1, 2\nb: 3\n", CONDMAP_ERROR_PARSE,
                 "x.yaml:2:2: did not find expected ',' or ']' (while "
                 "parsing a flow sequence at line 1, column 4)");
  check_refused ("a: \"abc\n", CONDMAP_ERROR_PARSE,
                 "x.yaml:2:1: found unexpected end of stream (while "
                 "scanning a quoted scalar at line 1, column 4)");
  check_refused ("a: 1\n\tb: 2\n", CONDMAP_ERROR_PARSE, "x.yaml:2:");
  check_refused ("a: \xff\xfe\n", CONDMAP_ERROR_PARSE, "x.yaml: byte 3:");
  check_refused ("a: \"x\\0y\"\n", CONDMAP_ERROR_CONFIG,
                 "x.yaml:1: a string holds a NUL character");
}

static char *
nested (unsigned depth)
{
  char *text = g_malloc (2 * depth + 1);

  memset (text, '[', depth);
  memset (text + depth, ']', depth);
  text[2 * depth] = '\0';
  return text;
}

static void
test_yaml_depth (void)
{
  g_autofree char *deep = nested (20000);
  g_autofree char *limit = nested (CM_YAML_MAX_DEPTH);
  g_autofree char *over = nested (CM_YAML_MAX_DEPTH + 1);
  GError *error = NULL;
  g_autoptr (CmNode) root = NULL;

  check_refused (deep, CONDMAP_ERROR_CONFIG,
                 "x.yaml:1: nested deeper than 32 levels");
  check_refused (over, CONDMAP_ERROR_CONFIG, "nested deeper than 32");
  root = load (limit, &error);
  CM_ASSERT_NO_ERROR (error);
}

/* cm_node_free must not recurse: a tree built by hand has no depth cap. */
static void
test_node_free_deep (void)
{
  CmNode *root = g_new0 (CmNode, 1);
  CmNode *n = root;

  for (unsigned i = 0; i < 1000000; i++)
    {
      CmNode *child = g_new0 (CmNode, 1);

      n->kind = CM_NODE_SEQUENCE;
      n->children = g_ptr_array_new ();
      g_ptr_array_add (n->children, child);
      n = child;
    }
  n->kind = CM_NODE_SCALAR;
  n->value = g_strdup ("leaf");
  cm_node_free (root);
  CU_PASS ("a million levels freed");
}

static void
test_yaml_huge_scalar (void)
{
  const gsize n = 100u << 20;
  char *text = g_malloc (n + 5);
  GError *error = NULL;
  g_autoptr (CmNode) root = NULL;
  const CmNode *a;

  memcpy (text, "a: ", 3);
  memset (text + 3, 'x', n);
  memcpy (text + 3 + n, "\n", 2);
  root = cm_yaml_load (text, n + 4, "big.yaml", &error);
  g_free (text);
  CM_ASSERT_NO_ERROR (error);
  a = cm_node_lookup (root, "a");
  CU_ASSERT_PTR_NOT_NULL_FATAL (a);
  CU_ASSERT_EQUAL (strlen (a->value), n);
  CU_ASSERT_TRUE (a->plain);
}

static void
test_yaml_files (void)
{
  static const char *const refused[] = {
    "invalid/empty.yaml", "invalid/two-docs.yaml", "invalid/alias-bomb.yaml"
  };
  g_autofree char *malformed = cm_test_data ("invalid/malformed.yaml");
  g_autofree char *good = cm_test_data ("custom-pair-5pt/config.yaml");
  g_autofree char *want = NULL;
  GError *error = NULL;
  g_autoptr (CmNode) root = NULL;

  CU_ASSERT_PTR_NULL (cm_yaml_load_file (malformed, &error));
  /* The unclosed '[' opens on line 3; libyaml notices at the end. */
  want = g_strdup_printf ("%s:3:8: did not find expected ',' or ']'",
                          malformed);
  CHECK_ERROR (error, CONDMAP_ERROR_PARSE, want);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *path = cm_test_data (refused[i]);

      CU_ASSERT_PTR_NULL (cm_yaml_load_file (path, &error));
      CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, path);
    }
  CU_ASSERT_PTR_NULL (cm_yaml_load_file ("/nonexistent/c.yaml", &error));
  CHECK_ERROR (error, CONDMAP_ERROR_IO, "cannot read /nonexistent/c.yaml");
  root = cm_yaml_load_file (good, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_EQUAL (cm_node_lookup (root, "g_max")->line, 7);
}

/* ---- scalars ------------------------------------------------------------- */

/* @error is a CONDMAP_ERROR_CONFIG with exactly @message; clears it. */
static void
assert_config_message (GError **error, const char *message)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL (*error);
  if (strcmp ((*error)->message, message) != 0)
    g_printerr ("\n  got  %s\n  want %s\n", (*error)->message, message);
  CU_ASSERT_STRING_EQUAL ((*error)->message, message);
  CU_ASSERT_TRUE (g_error_matches (*error, CONDMAP_ERROR,
                                   CONDMAP_ERROR_CONFIG));
  g_clear_error (error);
}

static gboolean
plain_to_double (const char *text, double *value)
{
  CmNode node = { CM_NODE_SCALAR, 1, 1, (char *) text, TRUE, NULL };

  return cm_node_to_double (&node, value);
}

static void
test_numbers (void)
{
  static const struct { const char *text; double value; } good[] = {
    { "25", 25 }, { "2.5e1", 25 }, { "+25.", 25 }, { ".5", 0.5 },
    { "1E3", 1000 }, { "-1.5e-3", -1.5e-3 }, { "007", 7 }, { "0", 0 },
    { "25.0", 25 }, { "1e+2", 100 }, { "-.5E-1", -0.05 },
    { ".inf", INFINITY }, { ".Inf", INFINITY }, { "+.INF", INFINITY },
    { "-.inf", -INFINITY }, { "1e999", INFINITY }, { "-1e999", -INFINITY },
  };
  static const char *const bad[] = {
    "0x19", "twenty", "0o17", "1_000", "inf", "nan", "-.nan", "+.nan",
    ".Inf5", "1e", "e5", ".", "+", "-", "1.2.3", "1,5", ".e5", "1e+",
    "Infinity", "", "0x1p3", "1 ", " 1", "++1", ".iNf", "true",
  };
  double v;

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      v = 0;
      CU_ASSERT_TRUE (plain_to_double (good[i].text, &v));
      if (v != good[i].value)
        g_printerr ("\n  '%s' -> %.17g\n", good[i].text, v);
      CU_ASSERT_EQUAL (v, good[i].value);
    }
  CU_ASSERT_TRUE (plain_to_double ("-0", &v) && v == 0 && signbit (v));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      if (plain_to_double (bad[i], &v))
        g_printerr ("\n  '%s' was taken as a number\n", bad[i]);
      CU_ASSERT_FALSE (plain_to_double (bad[i], &v));
    }
}

static void
test_numbers_nan_quoted (void)
{
  static const char *const nans[] = { ".nan", ".NaN", ".NAN" };
  GError *error = NULL;
  g_autoptr (CmNode) root = load ("[25, '25', \"25\"]", &error);
  double v = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (nans); i++)
    CU_ASSERT_TRUE (plain_to_double (nans[i], &v) && isnan (v));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (cm_node_to_double (root->children->pdata[0], &v));
  CU_ASSERT_FALSE (cm_node_to_double (root->children->pdata[1], &v));
  CU_ASSERT_FALSE (cm_node_to_double (root->children->pdata[2], &v));
  CU_ASSERT_FALSE (cm_node_to_double (root, &v));
  CU_ASSERT_FALSE (cm_node_to_double (NULL, &v));
}

/* A comma-decimal locale must change neither reading nor writing. */
static void
test_numbers_locale (void)
{
  static const char *const locales[] = {
    "de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8", "fr_FR.utf8"
  };
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));
  const char *got = NULL;
  double v = 0;
  CmResolved r = { (char *) "g_max", CM_VALUE_DOUBLE, 2.5, FALSE, NULL, 0, 0 };
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  g_autofree char *flow = NULL;

  for (gsize i = 0; got == NULL && i < G_N_ELEMENTS (locales); i++)
    got = setlocale (LC_NUMERIC, locales[i]);
  if (got == NULL || strcmp (localeconv ()->decimal_point, ",") != 0)
    {
      g_printerr ("\n  no comma-decimal locale installed: skipped ");
      setlocale (LC_NUMERIC, saved);
      return;
    }
  CU_ASSERT_TRUE (plain_to_double ("2.5", &v));
  CU_ASSERT_EQUAL (v, 2.5);
  CU_ASSERT_FALSE (plain_to_double ("2,5", &v));
  g_ptr_array_add (list, &r);
  flow = cm_resolved_to_flow_yaml (list);
  CU_ASSERT_STRING_EQUAL (flow, "{g_max: 2.5}");
  setlocale (LC_NUMERIC, saved);
}

static void
check_describe (const CmNode *node, const char *want)
{
  g_autofree char *text = cm_node_describe (node);

  CU_ASSERT_STRING_EQUAL (text, want);
}

static void
test_booleans_describe (void)
{
  GError *error = NULL;
  g_autoptr (CmNode) root = load ("[true, True, TRUE, false, False, FALSE, "
                                  "yes, on, tRuE, 'true', 1, twenty, ~, "
                                  "[1], {a: 1}, 2.5e1]", &error);
  CmNode **n;
  gboolean b = FALSE;

  CM_ASSERT_NO_ERROR (error);
  n = (CmNode **) root->children->pdata;
  for (int i = 0; i < 6; i++)
    {
      CU_ASSERT_TRUE (cm_node_to_boolean (n[i], &b));
      CU_ASSERT_EQUAL (b, i < 3);
    }
  for (int i = 6; i < 11; i++)
    CU_ASSERT_FALSE (cm_node_to_boolean (n[i], &b));
  check_describe (n[11], "the string 'twenty'");
  check_describe (n[9], "the string 'true'");
  check_describe (n[12], "null");
  check_describe (n[13], "a list");
  check_describe (n[14], "a mapping");
  check_describe (n[15], "the number 2.5e1");
  check_describe (n[0], "the boolean true");
  CU_ASSERT_TRUE (cm_node_is_null (n[12]));
  CU_ASSERT_FALSE (cm_node_is_null (n[11]));
  CU_ASSERT_TRUE (cm_node_is_null (NULL));
}

/* ---- did-you-mean ---------------------------------------------------------- */

static void
test_suggest (void)
{
  static const char *const keys[] = {
    "g_min", "g_max", "f_lst", "g_lst", "invertibility_test"
  };
  static const char *const names[] = {
    "single-pair", "n-pair", "dual-pair", "custom-pair", "single-device"
  };
  const gsize nk = G_N_ELEMENTS (keys), nn = G_N_ELEMENTS (names);

  CU_ASSERT_STRING_EQUAL (cm_suggest ("gmax", keys, nk), "g_max");
  CU_ASSERT_STRING_EQUAL (cm_suggest ("flst", keys, nk), "f_lst");
  CU_ASSERT_STRING_EQUAL (cm_suggest ("g-min", keys, nk), "g_min");
  CU_ASSERT_STRING_EQUAL (cm_suggest ("G_MAX", keys, nk), "g_max");
  CU_ASSERT_STRING_EQUAL (cm_suggest ("g_mxa", keys, nk), "g_max");
  CU_ASSERT_STRING_EQUAL (cm_suggest ("invertability_test", keys, nk),
                          "invertibility_test");
  CU_ASSERT_PTR_NULL (cm_suggest ("zzzzzz", keys, nk));
  CU_ASSERT_PTR_NULL (cm_suggest ("gmaxx_", keys, nk));
  CU_ASSERT_PTR_NULL (cm_suggest ("gmax", keys, 0));
  CU_ASSERT_STRING_EQUAL (cm_suggest ("dual_pair", names, nn), "dual-pair");
  CU_ASSERT_STRING_EQUAL (cm_suggest ("singel-pair", names, nn),
                          "single-pair");
  CU_ASSERT_STRING_EQUAL (cm_suggest ("single-devise", names, nn),
                          "single-device");
  CU_ASSERT_PTR_NULL (cm_suggest ("linear", names, nn));
}

/* ---- settings ------------------------------------------------------------ */

/* Loaded YAML and settings over it (origin "x.yaml", "converter"
 * skipped). */
typedef struct {
  CmNode *root;
  CondmapSettings *settings;
} Config;

static Config
config_new (const char *yaml)
{
  GError *error = NULL;
  Config c;

  c.root = load (yaml, &error);
  if (error != NULL)
    g_printerr ("\n  %s\n", error->message);
  g_clear_error (&error);
  c.settings = cm_settings_new (c.root, "x.yaml", "converter");
  return c;
}

static void
config_free (Config *c)
{
  cm_settings_free (c->settings);
  cm_node_free (c->root);
}

/* Asserts that reading g_max of @yaml fails with exactly @message. */
static void
check_double_message (const char *yaml, const char *message)
{
  Config c = config_new (yaml);
  GError *error = NULL;
  double v;

  CU_ASSERT_FALSE (condmap_settings_get_double (c.settings, "g_max", NULL,
                                                &v, &error));
  assert_config_message (&error, message);
  config_free (&c);
}

static void
test_get_double (void)
{
  Config c = config_new ("converter: x\ng_max: 2.5e1\ng_min: ~\n");
  GError *error = NULL;
  const double def = 7;
  double v = 0;

  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "g_max", NULL,
                                               &v, &error));
  CU_ASSERT_EQUAL (v, 25);
  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "g_min", &def,
                                               &v, &error));
  CU_ASSERT_EQUAL (v, 7);
  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "other", &def,
                                               &v, &error));
  CU_ASSERT_FALSE (condmap_settings_get_double (c.settings, "g_min", NULL,
                                                &v, &error));
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG,
               "x.yaml:3: 'g_min' is required, got null");
  CU_ASSERT_FALSE (condmap_settings_get_double (c.settings, "absent", NULL,
                                                &v, &error));
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG,
               "x.yaml: 'absent' is required but missing: add a number");
  CM_ASSERT_NO_ERROR (error);
  config_free (&c);

  check_double_message ("converter: x\n\ng_max: twenty\n",
                        "x.yaml:3: 'g_max' must be a number, got the "
                        "string 'twenty'");
  check_double_message ("g_max: '25'\n", "x.yaml:1: 'g_max' must be a "
                        "number, got the string '25' (write numbers "
                        "without quotes)");
  check_double_message ("g_max: 0x19\n", "x.yaml:1: 'g_max' must be a "
                        "number, got the string '0x19'");
  check_double_message ("g_max: .inf\n",
                        "x.yaml:1: 'g_max' must be finite, got .inf");
  check_double_message ("g_max: .nan\n",
                        "x.yaml:1: 'g_max' must be finite, got .nan");
  check_double_message ("g_max: 1e999\n", "x.yaml:1: 'g_max' must be "
                        "finite, got 1e999 (beyond the range of a double)");
  check_double_message ("g_max:\n  - 1\n",
                        "x.yaml:2: 'g_max' must be a number, got a list");
  check_double_message ("g_max: {a: 1}\n",
                        "x.yaml:1: 'g_max' must be a number, got a mapping");
}

static void
test_get_boolean (void)
{
  Config c = config_new ("a: true\nb: FALSE\nc: yes\nd: 1\ne: null\n");
  GError *error = NULL;
  const gboolean def = TRUE;
  gboolean v = FALSE;

  CU_ASSERT_TRUE (condmap_settings_get_boolean (c.settings, "a", NULL, &v,
                                                &error) && v);
  CU_ASSERT_TRUE (condmap_settings_get_boolean (c.settings, "b", &def, &v,
                                                &error) && !v);
  CU_ASSERT_TRUE (condmap_settings_get_boolean (c.settings, "e", &def, &v,
                                                &error) && v);
  CU_ASSERT_FALSE (condmap_settings_get_boolean (c.settings, "c", &def, &v,
                                                 &error));
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, "x.yaml:3: 'c' must be true or "
               "false, got the string 'yes'");
  CU_ASSERT_FALSE (condmap_settings_get_boolean (c.settings, "d", &def, &v,
                                                 &error));
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, "got the number 1");
  CU_ASSERT_FALSE (condmap_settings_get_boolean (c.settings, "f", NULL, &v,
                                                 &error));
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, "'f' is required but missing");
  config_free (&c);
}

static void
test_get_list (void)
{
  Config c = config_new ("f: [1.0, 3]\ns: [1, x]\nn: [1, .nan]\ne: []\n"
                         "k: 3\nm: [1, 2, 3]\n");
  GError *error = NULL;
  double *v = NULL;
  size_t n = 0;

  CU_ASSERT_TRUE_FATAL (condmap_settings_get_double_list (
      c.settings, "f", 1, 2, &v, &n, &error));
  CU_ASSERT_EQUAL (n, 2);
  CU_ASSERT_TRUE (v[0] == 1 && v[1] == 3);
  g_free (v);
#define LIST_FAILS(key, lo, hi, fragment)                                  \
  CU_ASSERT_FALSE (condmap_settings_get_double_list (c.settings, key, lo,  \
                                                     hi, &v, &n, &error)); \
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, fragment)
  LIST_FAILS ("s", 0, 0, "x.yaml:2: 's[1]' must be a number, got the "
              "string 'x'");
  LIST_FAILS ("n", 0, 0, "x.yaml:3: 'n[1]' must be finite, got .nan");
  LIST_FAILS ("e", 1, 0, "x.yaml:4: 'e' must hold at least 1 number, got 0");
  LIST_FAILS ("k", 1, 0, "x.yaml:5: 'k' must be a list of numbers such as "
              "[1.0, 3.0], got the number 3");
  LIST_FAILS ("m", 2, 2, "x.yaml:6: 'm' must hold exactly 2 numbers, got 3");
  LIST_FAILS ("m", 1, 2, "x.yaml:6: 'm' must hold at most 2 numbers, got 3");
  LIST_FAILS ("m", 4, 0, "'m' must hold at least 4 numbers, got 3");
  LIST_FAILS ("zz", 1, 0, "x.yaml: 'zz' is required but missing: add a "
              "list of numbers, e.g. 'zz: [1.0, 3.0]'");
  CU_ASSERT_TRUE_FATAL (condmap_settings_get_double_list (
      c.settings, "e", 0, 0, &v, &n, &error));
  CU_ASSERT_EQUAL (n, 0);
  g_free (v);
  config_free (&c);
}

static void
test_get_table (void)
{
  Config c = config_new ("t:\n  - [0, 25, 1]\n  - [25, 0, 2.5]\n"
                         "r:\n  - [0, 1, 2, 3]\n  - [25, 0, 0]\n"
                         "s: [[0, zero], [1, 2]]\nn: [1, 2]\none: [[1]]\n");
  GError *error = NULL;
  double *v = NULL;
  size_t rows = 0, cols = 0;

  CU_ASSERT_TRUE_FATAL (condmap_settings_get_double_table (
      c.settings, "t", 2, 2, &v, &rows, &cols, &error));
  CU_ASSERT_TRUE (rows == 2 && cols == 3);
  CU_ASSERT_TRUE (v[0] == 0 && v[2] == 1 && v[3] == 25 && v[5] == 2.5);
  g_free (v);
#define TABLE_FAILS(key, r, cl, fragment)                                  \
  CU_ASSERT_FALSE (condmap_settings_get_double_table (                     \
      c.settings, key, r, cl, &v, &rows, &cols, &error));                  \
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, fragment)
  TABLE_FAILS ("r", 2, 2, "x.yaml:6: 'r' rows must all have the same "
               "length, but 'r[1]' holds 3 numbers and 'r[0]' holds 4");
  TABLE_FAILS ("s", 2, 2, "x.yaml:7: 's[0][1]' must be a number, got the "
               "string 'zero'");
  TABLE_FAILS ("n", 2, 2, "x.yaml:8: 'n[0]' must be a list of numbers (a "
               "row of the table), got the number 1");
  TABLE_FAILS ("one", 2, 1, "x.yaml:9: 'one' must have at least 2 rows, "
               "got 1");
  TABLE_FAILS ("one", 1, 2, "x.yaml:9: 'one' rows must hold at least 2 "
               "numbers, but 'one[0]' holds 1");
  TABLE_FAILS ("zz", 1, 1, "x.yaml: 'zz' is required but missing");
  config_free (&c);
}

/* Asserts that get_bounds(0, 25) on @yaml fails with exactly @message. */
static void
check_bounds_message (const char *yaml, double def_min, const char *message)
{
  Config c = config_new (yaml);
  GError *error = NULL;
  double lo, hi;

  CU_ASSERT_FALSE (condmap_settings_get_bounds (c.settings, def_min, 25, &lo,
                                                &hi, &error));
  assert_config_message (&error, message);
  config_free (&c);
}

static void
test_get_bounds (void)
{
  Config c = config_new ("g_max: 88.199997\n");
  GError *error = NULL;
  double lo = -1, hi = -1;

  CU_ASSERT_TRUE (condmap_settings_get_bounds (c.settings, 9, 25, &lo, &hi,
                                               &error));
  CU_ASSERT_TRUE (lo == 9 && hi == 88.199997);
  config_free (&c);
  check_bounds_message ("g_min: 5\ng_max: 5\n", 0, "x.yaml:2: g_min (5) "
                        "must be smaller than g_max (5): lower g_min or "
                        "raise g_max");
  check_bounds_message ("g_max: 5\n", 9, "x.yaml:1: g_min (9, the default) "
                        "must be smaller than g_max (5): lower g_min or "
                        "raise g_max");
  check_bounds_message ("g_min: -0.5\n", 0, "x.yaml:1: 'g_min' must not be "
                        "negative, got -0.5: conductances are >= 0 µS");
  check_bounds_message ("g_max: -1.0\n", 0, "x.yaml:1: 'g_max' must be "
                        "positive, got -1");
  check_bounds_message ("g_max: 0\n", 0, "x.yaml:1: 'g_max' must be "
                        "positive, got 0");
  check_bounds_message ("g_max: .inf\n", 0, "x.yaml:1: 'g_max' must be "
                        "finite, got .inf");
  check_bounds_message ("g_min: [0]\n", 0, "x.yaml:1: 'g_min' must be a "
                        "number, got a list");
}

static void
test_set_error (void)
{
  Config c = config_new ("converter: x\nf_lst: [1, 0]\n");
  GError *error = NULL;

  condmap_settings_set_error (c.settings, &error, CONDMAP_ERROR_CONFIG,
                              "f_lst", "f_lst[%d] = %g must be > 0", 1, 0.0);
  CU_ASSERT_STRING_EQUAL (error->message,
                          "x.yaml:2: 'f_lst': f_lst[1] = 0 must be > 0");
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, "x.yaml:2");
  condmap_settings_set_error (c.settings, &error,
                              CONDMAP_ERROR_NOT_INVERTIBLE, "g_lst", "bad");
  CU_ASSERT_STRING_EQUAL (error->message, "x.yaml: 'g_lst': bad");
  CHECK_ERROR (error, CONDMAP_ERROR_NOT_INVERTIBLE, "bad");
  condmap_settings_set_error (c.settings, &error, CONDMAP_ERROR_CONFIG, NULL,
                              "whole");
  CU_ASSERT_STRING_EQUAL (error->message, "x.yaml: whole");
  g_clear_error (&error);
  condmap_settings_set_error (c.settings, NULL, CONDMAP_ERROR_CONFIG, NULL,
                              "ignored");
  config_free (&c);
}

static void
test_unknown_keys (void)
{
  Config c = config_new ("converter: x\ng_min: 0\ngmax: 25\nzzzzzz: 1\n");
  GError *error = NULL;
  double v, *list = NULL;
  size_t n = 0;

  CU_ASSERT_TRUE (condmap_settings_get_bounds (c.settings, 0, 25, &v, &v,
                                               &error));
  CU_ASSERT_FALSE (cm_settings_check_consumed (c.settings, &error));
  CU_ASSERT_STRING_EQUAL (error->message, "unknown key 'gmax' in x.yaml:3 "
                          "- did you mean 'g_max'?");
  CHECK_ERROR (error, CONDMAP_ERROR_UNKNOWN_KEY, "gmax");
  /* The typo explains a failure: g_max was asked for and not found. */
  CU_ASSERT_TRUE (cm_settings_explain_typo (c.settings, &error));
  CHECK_ERROR (error, CONDMAP_ERROR_UNKNOWN_KEY, "did you mean 'g_max'?");
  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "gmax", NULL, &v,
                                               &error));
  CU_ASSERT_FALSE (cm_settings_check_consumed (c.settings, &error));
  CU_ASSERT_STRING_EQUAL (error->message, "unknown key 'zzzzzz' in x.yaml:4 "
                          "- this converter accepts: g_min, g_max, gmax");
  CHECK_ERROR (error, CONDMAP_ERROR_UNKNOWN_KEY, "zzzzzz");
  CU_ASSERT_FALSE (cm_settings_explain_typo (c.settings, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "zzzzzz", NULL,
                                               &v, &error));
  CU_ASSERT_TRUE (cm_settings_check_consumed (c.settings, &error));
  CM_ASSERT_NO_ERROR (error);
  config_free (&c);

  c = config_new ("flst: [1, 3]\n");
  CU_ASSERT_FALSE (condmap_settings_get_double_list (c.settings, "f_lst", 1,
                                                     0, &list, &n, &error));
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG, "'f_lst' is required");
  CU_ASSERT_TRUE (cm_settings_explain_typo (c.settings, &error));
  CU_ASSERT_STRING_EQUAL (error->message, "unknown key 'flst' in x.yaml:1 "
                          "- did you mean 'f_lst'?");
  g_clear_error (&error);
  config_free (&c);

  /* A typo of a key that was found explains no failure. */
  c = config_new ("g_max: 25\ng-max: 1\n");
  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "g_max", NULL, &v,
                                               &error));
  CU_ASSERT_FALSE (cm_settings_explain_typo (c.settings, &error));
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_FALSE (cm_settings_check_consumed (c.settings, &error));
  CHECK_ERROR (error, CONDMAP_ERROR_UNKNOWN_KEY,
               "unknown key 'g-max' in x.yaml:2 - did you mean 'g_max'?");
  config_free (&c);

  c = config_new ("converter: x\nstray: 1\n");
  CU_ASSERT_FALSE (cm_settings_check_consumed (c.settings, &error));
  CHECK_ERROR (error, CONDMAP_ERROR_UNKNOWN_KEY,
               "unknown key 'stray' in x.yaml:2 - this converter takes no "
               "settings");
  config_free (&c);
  c = config_new ("converter: x\ng_max: ~\n");   /* null is consumed too */
  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "g_max", &v, &v,
                                               &error));
  CU_ASSERT_TRUE (cm_settings_check_consumed (c.settings, &error));
  config_free (&c);
  /* No mapping at all: nothing to consume. */
  c.settings = cm_settings_new (NULL, "none.yaml", NULL);
  c.root = NULL;
  CU_ASSERT_TRUE (cm_settings_check_consumed (c.settings, &error));
  config_free (&c);
}

/* ---- resolved values and their flow YAML -------------------------------- */

static void
test_resolved (void)
{
  Config c = config_new ("converter: x\ng_max: 25\nf_lst: [1, 3]\n"
                         "g_lst: [[0, 25], [25, 0]]\n");
  GError *error = NULL;
  const gboolean yes = TRUE;
  double lo, hi, *f = NULL, *g = NULL;
  size_t n, rows, cols;
  gboolean inv;
  g_autoptr (GPtrArray) resolved = NULL;
  g_autoptr (GPtrArray) empty = NULL;
  g_autofree char *flow = NULL;

  CU_ASSERT_TRUE (condmap_settings_get_bounds (c.settings, 0, 25, &lo, &hi,
                                               &error));
  CU_ASSERT_TRUE (condmap_settings_get_double_list (c.settings, "f_lst", 1,
                                                    0, &f, &n, &error));
  CU_ASSERT_TRUE (condmap_settings_get_double_table (
      c.settings, "g_lst", 2, 2, &g, &rows, &cols, &error));
  CU_ASSERT_TRUE (condmap_settings_get_boolean (c.settings,
                                                "invertibility_test", &yes,
                                                &inv, &error));
  /* A second read replaces the first record in its place. */
  CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, "g_max", NULL,
                                               &hi, &error));
  CM_ASSERT_NO_ERROR (error);
  resolved = cm_settings_steal_resolved (c.settings);
  CU_ASSERT_EQUAL_FATAL (resolved->len, 5);
  CU_ASSERT_STRING_EQUAL (((CmResolved *) resolved->pdata[0])->key, "g_min");
  CU_ASSERT_EQUAL (((CmResolved *) resolved->pdata[0])->number, 0);
  CU_ASSERT_EQUAL (((CmResolved *) resolved->pdata[3])->kind,
                   CM_VALUE_TABLE);
  flow = cm_resolved_to_flow_yaml (resolved);
  CU_ASSERT_STRING_EQUAL (flow, "{g_min: 0, g_max: 25, f_lst: [1, 3], "
                          "g_lst: [[0, 25], [25, 0]], "
                          "invertibility_test: true}");
  empty = cm_settings_steal_resolved (c.settings);
  CU_ASSERT_EQUAL (empty->len, 0);
  g_free (f);
  g_free (g);
  config_free (&c);
}

static CmResolved *
resolved_new (const char *key, CmValueKind kind, const double *values,
              size_t rows, size_t cols)
{
  CmResolved *r = g_new0 (CmResolved, 1);

  r->key = g_strdup (key);
  r->kind = kind;
  r->number = values[0];
  r->boolean = FALSE;
  r->values = g_new (double, rows * cols);
  memcpy (r->values, values, rows * cols * sizeof (double));
  r->rows = rows;
  r->cols = cols;
  return r;
}

static gboolean
same_bits (const double *a, const double *b, size_t n)
{
  return memcmp (a, b, n * sizeof (double)) == 0;
}

/* The flow YAML must read back to the very same doubles, sign of zero and
 * subnormals included. */
static void
test_flow_round_trip (void)
{
  static const double awkward[] = {
    0.1, 1.0 / 3, 88.199997, 5e-324, -0.0, 1.7976931348623157e308,
    2.2250738585072014e-308, 1e22, 123456789012345678.0, -7e-10
  };
  const size_t n = G_N_ELEMENTS (awkward);
  g_autoptr (GPtrArray) list =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cm_resolved_free);
  g_autofree char *flow = NULL;
  GError *error = NULL;
  Config c;
  double v, *got = NULL;
  size_t m, rows, cols;
  gboolean b = TRUE;

  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("v%zu", i);

      g_ptr_array_add (list, resolved_new (key, CM_VALUE_DOUBLE,
                                           &awkward[i], 1, 1));
    }
  g_ptr_array_add (list, resolved_new ("odd key's", CM_VALUE_LIST, awkward,
                                       1, n));
  g_ptr_array_add (list, resolved_new ("t", CM_VALUE_TABLE, awkward, 2,
                                       n / 2));
  g_ptr_array_add (list, resolved_new ("b", CM_VALUE_BOOLEAN, awkward, 1, 1));
  flow = cm_resolved_to_flow_yaml (list);
  c = config_new (flow);
  CU_ASSERT_PTR_NOT_NULL_FATAL (c.root);
  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("v%zu", i);

      CU_ASSERT_TRUE (condmap_settings_get_double (c.settings, key, NULL,
                                                   &v, &error));
      CU_ASSERT_TRUE (same_bits (&v, &awkward[i], 1));
    }
  CU_ASSERT_TRUE_FATAL (condmap_settings_get_double_list (
      c.settings, "odd key's", n, n, &got, &m, &error));
  CU_ASSERT_TRUE (same_bits (got, awkward, n));
  g_free (got);
  CU_ASSERT_TRUE_FATAL (condmap_settings_get_double_table (
      c.settings, "t", 2, n / 2, &got, &rows, &cols, &error));
  CU_ASSERT_TRUE (rows == 2 && cols == n / 2 && same_bits (got, awkward, n));
  g_free (got);
  CU_ASSERT_TRUE (condmap_settings_get_boolean (c.settings, "b", NULL, &b,
                                                &error));
  CU_ASSERT_FALSE (b);
  CU_ASSERT_TRUE (cm_settings_check_consumed (c.settings, &error));
  CM_ASSERT_NO_ERROR (error);
  config_free (&c);
}

/* ---- the invalid configs of tests/data that the accessors refuse -------- */

typedef enum { READ_BOUNDS, READ_F_LST, READ_G_LST } Read;

static void
check_invalid_file (const char *name, Read read, double def_min,
                    CondmapError code, const char *fragment)
{
  g_autofree char *rel = g_strconcat ("invalid/", name, NULL);
  g_autofree char *path = cm_test_data (rel);
  GError *error = NULL;
  g_autoptr (CmNode) root = cm_yaml_load_file (path, &error);
  g_autoptr (CondmapSettings) s = NULL;
  double lo, hi, *v = NULL;
  size_t n, cols;
  gboolean ok = FALSE;

  CM_ASSERT_NO_ERROR (error);
  s = cm_settings_new (root, path, "converter");
  if (read == READ_BOUNDS)
    ok = condmap_settings_get_bounds (s, def_min, 25, &lo, &hi, &error);
  else if (read == READ_F_LST)
    ok = condmap_settings_get_double_list (s, "f_lst", 1, 0, &v, &n, &error);
  else
    ok = condmap_settings_get_double_table (s, "g_lst", 2, 2, &v, &n, &cols,
                                            &error);
  g_free (v);
  if (ok)
    ok = cm_settings_check_consumed (s, &error);
  CU_ASSERT_FALSE (ok);
  CHECK_ERROR (error, code, fragment);
}

static void
test_invalid_files (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;

  check_invalid_file ("gmax-string.yaml", READ_BOUNDS, 0, C,
                      "gmax-string.yaml:3: 'g_max' must be a number, got "
                      "the string 'twenty'");
  check_invalid_file ("gmax-inf.yaml", READ_BOUNDS, 0, C,
                      "gmax-inf.yaml:3: 'g_max' must be finite, got .inf");
  check_invalid_file ("gmin-ge-gmax.yaml", READ_BOUNDS, 0, C,
                      "gmin-ge-gmax.yaml:4: g_min (5) must be smaller than "
                      "g_max (5)");
  check_invalid_file ("negative-gmax.yaml", READ_BOUNDS, 0, C,
                      "negative-gmax.yaml:3: 'g_max' must be positive, got "
                      "-1");
  check_invalid_file ("negative-gmin.yaml", READ_BOUNDS, 9, C,
                      "negative-gmin.yaml:3: 'g_min' must not be negative, "
                      "got -0.5");
  check_invalid_file ("f-nan.yaml", READ_F_LST, 0, C,
                      "f-nan.yaml:3: 'f_lst[1]' must be finite, got .nan");
  check_invalid_file ("f-empty.yaml", READ_F_LST, 0, C,
                      "f-empty.yaml:3: 'f_lst' must hold at least 1 number, "
                      "got 0");
  check_invalid_file ("f-missing.yaml", READ_F_LST, 0, C,
                      "f-missing.yaml: 'f_lst' is required but missing");
  check_invalid_file ("custom-ragged.yaml", READ_G_LST, 0, C,
                      "custom-ragged.yaml:6: 'g_lst' rows must all have the "
                      "same length, but 'g_lst[1]' holds 3 numbers and "
                      "'g_lst[0]' holds 4");
  check_invalid_file ("custom-string.yaml", READ_G_LST, 0, C,
                      "custom-string.yaml:5: 'g_lst[0][1]' must be a number, "
                      "got the string 'zero'");
  check_invalid_file ("unknown-key.yaml", READ_BOUNDS, 0,
                      CONDMAP_ERROR_UNKNOWN_KEY,
                      "unknown-key.yaml:3 - did you mean 'g_max'?");
}

int
main (void)
{
  static const struct { const char *suite, *name; CU_TestFunc func; } tests[] = {
    { "yaml", "tree", test_yaml_tree },
    { "yaml", "one document", test_yaml_documents },
    { "yaml", "no anchors, aliases, tags", test_yaml_anchors_tags },
    { "yaml", "keys", test_yaml_keys },
    { "yaml", "syntax errors", test_yaml_syntax },
    { "yaml", "depth", test_yaml_depth },
    { "yaml", "free without recursion", test_node_free_deep },
    { "yaml", "100 MB scalar", test_yaml_huge_scalar },
    { "yaml", "files", test_yaml_files },
    { "scalars", "numbers", test_numbers },
    { "scalars", "nan and quoted", test_numbers_nan_quoted },
    { "scalars", "locale", test_numbers_locale },
    { "scalars", "booleans, describe", test_booleans_describe },
    { "suggest", "did you mean", test_suggest },
    { "settings", "get_double", test_get_double },
    { "settings", "get_boolean", test_get_boolean },
    { "settings", "get_double_list", test_get_list },
    { "settings", "get_double_table", test_get_table },
    { "settings", "get_bounds", test_get_bounds },
    { "settings", "set_error", test_set_error },
    { "settings", "unknown keys", test_unknown_keys },
    { "settings", "resolved", test_resolved },
    { "settings", "flow YAML round trip", test_flow_round_trip },
    { "settings", "invalid files", test_invalid_files },
  };
  CU_pSuite suite = NULL;
  const char *current = NULL;

  if (CU_initialize_registry () != CUE_SUCCESS)
    return 99;
  for (gsize i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      if (current == NULL || strcmp (current, tests[i].suite) != 0)
        {
          current = tests[i].suite;
          suite = CU_add_suite (current, NULL, NULL);
        }
      if (suite == NULL
          || CU_add_test (suite, tests[i].name, tests[i].func) == NULL)
        return 99;
    }
  return cm_test_run ();
}
