/* test-config.c - the strict YAML loader, did-you-mean and the settings
 * validation of settings against declared tables, through the private API
 * (this program links the core's convenience library: libcondmap exports
 * only condmap_* symbols). */
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
  CmResolved r = { (char *) "g_max", CM_VALUE_DOUBLE, 2.5, FALSE, NULL, 0, 0,
                   NULL };
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

/* ---- settings: validation against a declared table -------------------- */

#define INF 1e308
#define NUM(key, def, lo, hi, flags, doc) \
  { key, CONDMAP_SETTING_NUMBER, "", def, NULL, lo, hi, 0, 0, flags, doc, NULL }

/* A declaration table covering every type. */
static const CondmapSettingDecl decls[] = {
  CONDMAP_SETTING_G_MIN (0.0),
  CONDMAP_SETTING_G_MAX (25.0),
  { "f_lst", CONDMAP_SETTING_NUMBER_LIST, "", 0, NULL, 0, INF, 1, 2,
    CONDMAP_SETTING_REQUIRED | CONDMAP_SETTING_MIN_EXCLUSIVE, "factors", NULL },
  { "g_lst", CONDMAP_SETTING_TABLE, "µS", 0, NULL, 0, INF, 2, 2, 0, "table",
    NULL },
  { "check", CONDMAP_SETTING_BOOLEAN, "", 1, NULL, 0, 1, 0, 0,
    CONDMAP_SETTING_IS_ROUND_TRIP_CHECK, "a switch", NULL },
  { "bits", CONDMAP_SETTING_INTEGER, "", 8, NULL, 2, 32, 0, 0, 0, "bits",
    NULL },
  { "style", CONDMAP_SETTING_STRING, "", 0, "balanced", 0, 0, 0, 0, 0,
    "style", "balanced|offset" },
  NUM ("frac", 0.5, 0, 1, CONDMAP_SETTING_MAX_EXCLUSIVE, "a fraction"),
};
static const CmDeclTable table = { (CondmapSettingDecl *) decls,
                                   G_N_ELEMENTS (decls) };

/* Loaded YAML and settings over it (origin "x.yaml", "converter"
 * skipped), validated against @table. */
typedef struct {
  CmNode *root;
  CmSettings *settings;
  gboolean ok;
} Config;

static Config
config_new_with (const char *yaml, const CmDeclTable *t, GError **error)
{
  GError *local = NULL;
  Config c;

  c.root = load (yaml, &local);
  if (local != NULL)
    g_printerr ("\n  %s\n", local->message);
  g_clear_error (&local);
  c.settings = cm_settings_new (c.root, "x.yaml", "converter", t);
  c.ok = cm_settings_validate (c.settings, error);
  return c;
}

static void
config_free (Config *c)
{
  cm_settings_free (c->settings);
  cm_node_free (c->root);
}

/* Asserts that validating @yaml (with f_lst given unless it says
 * otherwise) fails with exactly @message and @code. */
static void
check_message (const char *yaml, CondmapError code, const char *message)
{
  GError *error = NULL;
  Config c = config_new_with (yaml, &table, &error);

  CU_ASSERT_FALSE (c.ok);
  CU_ASSERT_PTR_NOT_NULL_FATAL (error);
  if (strcmp (error->message, message) != 0)
    g_printerr ("\n  expected: %s\n  got:      %s\n", message,
                error->message);
  CU_ASSERT_STRING_EQUAL (error->message, message);
  CU_ASSERT_TRUE (g_error_matches (error, CONDMAP_ERROR, code));
  g_clear_error (&error);
  config_free (&c);
}

static const CmResolved *
get (const Config *c, const char *key)
{
  return cm_settings_lookup (c->settings, key);
}

static void
test_defaults_and_values (void)
{
  GError *error = NULL;
  Config c = config_new_with ("converter: x\nf_lst: [1.0, 3]\ng_max: 2.5e1\n"
                              "g_min: ~\nbits: 4\nstyle: offset\n",
                              &table, &error);

  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (c.ok);
  CU_ASSERT_EQUAL (get (&c, "g_min")->number, 0);   /* null: the default */
  CU_ASSERT_EQUAL (get (&c, "g_max")->number, 25);
  CU_ASSERT_EQUAL (get (&c, "f_lst")->cols, 2);
  CU_ASSERT_TRUE (get (&c, "f_lst")->values[1] == 3);
  CU_ASSERT_PTR_NULL (get (&c, "g_lst"));           /* optional, absent */
  CU_ASSERT_TRUE (get (&c, "check")->boolean);
  CU_ASSERT_EQUAL (get (&c, "bits")->number, 4);
  CU_ASSERT_STRING_EQUAL (get (&c, "style")->string, "offset");
  CU_ASSERT_EQUAL (get (&c, "frac")->number, 0.5);
  CU_ASSERT_PTR_NULL (get (&c, "undeclared"));
  config_free (&c);
}

static void
test_numbers_refused (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;

  check_message ("f_lst: [1]\n\ng_max: twenty\n", C,
                 "x.yaml:3: 'g_max' must be a number, got the string "
                 "'twenty'");
  check_message ("f_lst: [1]\ng_max: '25'\n", C, "x.yaml:2: 'g_max' must "
                 "be a number, got the string '25' (write numbers without "
                 "quotes)");
  check_message ("f_lst: [1]\ng_max: 0x19\n", C, "x.yaml:2: 'g_max' must "
                 "be a number, got the string '0x19'");
  check_message ("f_lst: [1]\ng_max: .inf\n", C,
                 "x.yaml:2: 'g_max' must be finite, got .inf");
  check_message ("f_lst: [1]\ng_max: .nan\n", C,
                 "x.yaml:2: 'g_max' must be finite, got .nan");
  check_message ("f_lst: [1]\ng_max: 1e999\n", C, "x.yaml:2: 'g_max' must "
                 "be finite, got 1e999 (beyond the range of a double)");
  check_message ("f_lst: [1]\ng_max:\n  - 1\n", C,
                 "x.yaml:3: 'g_max' must be a number, got a list");
  check_message ("f_lst: [1]\ng_max: {a: 1}\n", C,
                 "x.yaml:2: 'g_max' must be a number, got a mapping");
  check_message ("f_lst: [1]\nfrac: 1\n", C,
                 "x.yaml:2: frac = 1 must be in [0, 1)");
  check_message ("f_lst: [1]\nbits: 8.5\n", C,
                 "x.yaml:2: 'bits' must be a whole number, got 8.5");
  check_message ("f_lst: [1]\nbits: 33\n", C,
                 "x.yaml:2: bits = 33 must be in [2, 32]");
  check_message ("f_lst: [1]\ncheck: yes\n", C, "x.yaml:2: 'check' must be "
                 "true or false, got the string 'yes'");
  check_message ("f_lst: [1]\ncheck: 1\n", C, "x.yaml:2: 'check' must be "
                 "true or false, got the number 1");
  check_message ("f_lst: [1]\nstyle: balancd\n", C, "x.yaml:2: 'style' "
                 "must be one of balanced, offset, got 'balancd' - did you "
                 "mean 'balanced'?");
  check_message ("f_lst: [1]\nstyle: [a]\n", C, "x.yaml:2: 'style' must be "
                 "a word such as balanced|offset, got a list");
}

static void
test_lists_refused (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;

  check_message ("f_lst: [1, x]\n", C,
                 "x.yaml:1: 'f_lst[1]' must be a number, got the string 'x'");
  check_message ("f_lst: [1, .nan]\n", C,
                 "x.yaml:1: 'f_lst[1]' must be finite, got .nan");
  check_message ("f_lst: []\n", C,
                 "x.yaml:1: 'f_lst' must hold at least 1 number, got 0");
  check_message ("f_lst: 3\n", C, "x.yaml:1: 'f_lst' must be a list of "
                 "numbers such as [1.0, 3.0], got the number 3");
  check_message ("f_lst: [1, 2, 3]\n", C,
                 "x.yaml:1: 'f_lst' must hold at most 2 numbers, got 3");
  check_message ("f_lst: [1, -2]\n", C, "x.yaml:1: f_lst[1] = -2 must be > 0");
  check_message ("g_max: 25\n", C, "x.yaml: 'f_lst' is required but "
                 "missing: add a list of numbers, e.g. 'f_lst: [1.0, 3.0]'");
  check_message ("f_lst: ~\n", C, "x.yaml:1: 'f_lst' is required, got null: "
                 "give a list of numbers, e.g. 'f_lst: [1.0, 3.0]'");
}

static void
test_tables (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;
  GError *error = NULL;
  Config c = config_new_with ("f_lst: [1]\ng_lst:\n  - [0, 25, 1]\n"
                              "  - [25, 0, 2.5]\n", &table, &error);
  const CmResolved *t;

  CU_ASSERT_TRUE_FATAL (c.ok);
  t = get (&c, "g_lst");
  CU_ASSERT_TRUE (t->rows == 2 && t->cols == 3);
  CU_ASSERT_TRUE (t->values[0] == 0 && t->values[2] == 1
                  && t->values[3] == 25 && t->values[5] == 2.5);
  config_free (&c);
  check_message ("f_lst: [1]\ng_lst:\n  - [0, 1, 2, 3]\n  - [25, 0, 0]\n", C,
                 "x.yaml:4: 'g_lst' rows must all have the same length, but "
                 "'g_lst[1]' holds 3 numbers and 'g_lst[0]' holds 4");
  check_message ("f_lst: [1]\ng_lst: [[0, zero], [1, 2]]\n", C, "x.yaml:2: "
                 "'g_lst[0][1]' must be a number, got the string 'zero'");
  check_message ("f_lst: [1]\ng_lst: [1, 2]\n", C, "x.yaml:2: 'g_lst[0]' "
                 "must be a list of numbers (a row of the table), got the "
                 "number 1");
  check_message ("f_lst: [1]\ng_lst: [[1, 2]]\n", C,
                 "x.yaml:2: 'g_lst' must have at least 2 rows, got 1");
  check_message ("f_lst: [1]\ng_lst: [[1], [2]]\n", C, "x.yaml:2: 'g_lst' "
                 "rows must hold at least 2 numbers, but 'g_lst[0]' holds 1");
  check_message ("f_lst: [1]\ng_lst: [[1, 2], [3, -4]]\n", C,
                 "x.yaml:2: g_lst[1][1] = -4 must be >= 0");
}

static void
test_bounds (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;

  check_message ("f_lst: [1]\ng_min: 5\ng_max: 5\n", C, "x.yaml:3: g_min "
                 "(5) must be smaller than g_max (5): lower g_min or raise "
                 "g_max");
  check_message ("f_lst: [1]\ng_min: 30\n", C, "x.yaml:2: g_min (30) must "
                 "be smaller than g_max (25, the default): lower g_min or "
                 "raise g_max");
  check_message ("f_lst: [1]\ng_min: -0.5\n", C,
                 "x.yaml:2: g_min = -0.5 must be >= 0");
  check_message ("f_lst: [1]\ng_max: 0\n", C,
                 "x.yaml:2: g_max = 0 must be > 0");
  check_message ("f_lst: [1]\ng_min: [0]\n", C,
                 "x.yaml:2: 'g_min' must be a number, got a list");
}

/* A default outside its own range is the plugin's bug, but the user sees
 * which default. */
static void
test_bad_default (void)
{
  static const CondmapSettingDecl bad[] = {
    NUM ("x", -1, 0, 10, 0, "x"),
  };
  const CmDeclTable t = { (CondmapSettingDecl *) bad, 1 };
  GError *error = NULL;
  Config c = config_new_with ("converter: y\n", &t, &error);

  CU_ASSERT_FALSE (c.ok);
  CHECK_ERROR (error, CONDMAP_ERROR_CONFIG,
               "x.yaml: x = -1 must be in [0, 10] (the default)");
  config_free (&c);
}

static void
test_unknown_keys (void)
{
  const CondmapError U = CONDMAP_ERROR_UNKNOWN_KEY;
  static const CondmapSettingDecl none[] = { NUM ("a", 0, 0, 1, 0, "a") };
  const CmDeclTable empty = { (CondmapSettingDecl *) none, 0 };
  GError *error = NULL;
  Config c;

  check_message ("converter: x\ng_min: 0\ngmax: 25\nf_lst: [1]\n", U,
                 "unknown key 'gmax' in x.yaml:3 - did you mean 'g_max'?");
  /* A typo of a required key is a typo, not a missing key. */
  check_message ("flst: [1, 3]\n", U,
                 "unknown key 'flst' in x.yaml:1 - did you mean 'f_lst'?");
  check_message ("f_lst: [1]\nzzzzzz: 1\n", U, "unknown key 'zzzzzz' in "
                 "x.yaml:2 - this converter accepts: g_min, g_max, f_lst, "
                 "g_lst, check, bits, style, frac");
  check_message ("g_max: 25\ng-max: 1\nf_lst: [1]\n", U,
                 "unknown key 'g-max' in x.yaml:2 - did you mean 'g_max'?");
  c = config_new_with ("converter: x\nstray: 1\n", &empty, &error);
  CU_ASSERT_FALSE (c.ok);
  CHECK_ERROR (error, U, "unknown key 'stray' in x.yaml:2 - this converter "
               "takes no settings");
  config_free (&c);
  /* No mapping at all: nothing to refuse, defaults only. */
  c.root = NULL;
  c.settings = cm_settings_new (NULL, "none.yaml", NULL, &empty);
  CU_ASSERT_TRUE (cm_settings_validate (c.settings, &error));
  CM_ASSERT_NO_ERROR (error);
  config_free (&c);
}

/* ---- resolved values and their flow YAML -------------------------------- */

static void
test_resolved (void)
{
  GError *error = NULL;
  Config c = config_new_with ("converter: x\ng_max: 25\nf_lst: [1, 3]\n"
                              "g_lst: [[0, 25], [25, 0]]\n", &table, &error);
  g_autoptr (GPtrArray) resolved = NULL;
  g_autoptr (GPtrArray) empty = NULL;
  g_autofree char *flow = NULL;

  CM_ASSERT_NO_ERROR (error);
  resolved = cm_settings_steal_resolved (c.settings);
  /* In declaration order, defaults filled in. */
  CU_ASSERT_EQUAL_FATAL (resolved->len, 8);
  CU_ASSERT_STRING_EQUAL (((CmResolved *) resolved->pdata[0])->key, "g_min");
  CU_ASSERT_EQUAL (((CmResolved *) resolved->pdata[3])->kind,
                   CM_VALUE_TABLE);
  flow = cm_resolved_to_flow_yaml (resolved);
  CU_ASSERT_STRING_EQUAL (flow, "{g_min: 0, g_max: 25, f_lst: [1, 3], "
                          "g_lst: [[0, 25], [25, 0]], check: true, bits: 8, "
                          "style: balanced, frac: 0.5}");
  empty = cm_settings_steal_resolved (c.settings);
  CU_ASSERT_EQUAL (empty->len, 0);
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
  CondmapSettingDecl d[G_N_ELEMENTS (awkward) + 3];
  g_autofree char *flow = NULL;
  g_auto (GStrv) keys = g_new0 (char *, n + 1);
  const CmResolved *r;
  GError *error = NULL;
  CmDeclTable t = { d, n + 3 };
  Config c;

  memset (d, 0, sizeof d);
  for (size_t i = 0; i < n; i++)
    {
      keys[i] = g_strdup_printf ("v%zu", i);
      g_ptr_array_add (list, resolved_new (keys[i], CM_VALUE_DOUBLE,
                                           &awkward[i], 1, 1));
      d[i] = (CondmapSettingDecl) NUM (keys[i], 0, -INF, INF, 0, "");
    }
  g_ptr_array_add (list, resolved_new ("l", CM_VALUE_LIST, awkward, 1, n));
  g_ptr_array_add (list, resolved_new ("t", CM_VALUE_TABLE, awkward, 2,
                                       n / 2));
  g_ptr_array_add (list, resolved_new ("b", CM_VALUE_BOOLEAN, awkward, 1, 1));
  d[n] = (CondmapSettingDecl) { "l", CONDMAP_SETTING_NUMBER_LIST, "", 0, NULL,
                                -INF, INF, 1, 0, 0, "", NULL };
  d[n + 1] = (CondmapSettingDecl) { "t", CONDMAP_SETTING_TABLE, "", 0, NULL,
                                    -INF, INF, 2, 1, 0, "", NULL };
  d[n + 2] = (CondmapSettingDecl) { "b", CONDMAP_SETTING_BOOLEAN, "", 1, NULL,
                                    0, 1, 0, 0, 0, "", NULL };
  flow = cm_resolved_to_flow_yaml (list);
  c = config_new_with (flow, &t, &error);
  CM_ASSERT_NO_ERROR (error);
  CU_ASSERT_TRUE_FATAL (c.ok);
  for (size_t i = 0; i < n; i++)
    CU_ASSERT_TRUE (same_bits (&get (&c, keys[i])->number, &awkward[i], 1));
  r = get (&c, "l");
  CU_ASSERT_TRUE (r->cols == n && same_bits (r->values, awkward, n));
  r = get (&c, "t");
  CU_ASSERT_TRUE (r->rows == 2 && r->cols == n / 2
                  && same_bits (r->values, awkward, n));
  CU_ASSERT_FALSE (get (&c, "b")->boolean);
  config_free (&c);
}

/* ---- the invalid configs of tests/data, against the pair declaration ---- */

static void
check_invalid_file (const char *name, CondmapError code, const char *fragment)
{
  static const CondmapSettingDecl pair[] = {
    CONDMAP_SETTING_G_MIN (0.0),
    CONDMAP_SETTING_G_MAX (25.0),
    { "f_lst", CONDMAP_SETTING_NUMBER_LIST, "", 0, NULL, 0, INF, 1, 0,
      CONDMAP_SETTING_REQUIRED | CONDMAP_SETTING_MIN_EXCLUSIVE, "", NULL },
    { "g_lst", CONDMAP_SETTING_TABLE, "µS", 0, NULL, 0, INF, 2, 2, 0, "",
      NULL },
  };
  /* single-pair's configs have no f_lst: declare only the bounds. */
  const gboolean single = g_str_has_prefix (name, "gm")
                          || g_str_has_prefix (name, "neg")
                          || g_str_has_prefix (name, "unknown");
  const CmDeclTable t = { (CondmapSettingDecl *) pair,
                          single ? 2 : G_N_ELEMENTS (pair) };
  g_autofree char *rel = g_strconcat ("invalid/", name, NULL);
  g_autofree char *path = cm_test_data (rel);
  GError *error = NULL;
  g_autoptr (CmNode) root = cm_yaml_load_file (path, &error);
  g_autoptr (CmSettings) s = NULL;

  CM_ASSERT_NO_ERROR (error);
  s = cm_settings_new (root, path, "converter", &t);
  CU_ASSERT_FALSE (cm_settings_validate (s, &error));
  CHECK_ERROR (error, code, fragment);
}

static void
test_invalid_files (void)
{
  const CondmapError C = CONDMAP_ERROR_CONFIG;

  check_invalid_file ("gmax-string.yaml", C, "gmax-string.yaml:3: 'g_max' "
                      "must be a number, got the string 'twenty'");
  check_invalid_file ("gmax-inf.yaml", C,
                      "gmax-inf.yaml:3: 'g_max' must be finite, got .inf");
  check_invalid_file ("gmin-ge-gmax.yaml", C, "gmin-ge-gmax.yaml:4: g_min "
                      "(5) must be smaller than g_max (5)");
  check_invalid_file ("negative-gmax.yaml", C,
                      "negative-gmax.yaml:3: g_max = -1 must be > 0");
  check_invalid_file ("negative-gmin.yaml", C,
                      "negative-gmin.yaml:3: g_min = -0.5 must be >= 0");
  check_invalid_file ("f-nan.yaml", C,
                      "f-nan.yaml:3: 'f_lst[1]' must be finite, got .nan");
  check_invalid_file ("f-empty.yaml", C, "f-empty.yaml:3: 'f_lst' must hold "
                      "at least 1 number, got 0");
  check_invalid_file ("f-missing.yaml", C,
                      "f-missing.yaml: 'f_lst' is required but missing");
  check_invalid_file ("custom-ragged.yaml", C, "custom-ragged.yaml:6: "
                      "'g_lst' rows must all have the same length, but "
                      "'g_lst[1]' holds 3 numbers and 'g_lst[0]' holds 4");
  check_invalid_file ("custom-string.yaml", C, "custom-string.yaml:5: "
                      "'g_lst[0][1]' must be a number, got the string 'zero'");
  check_invalid_file ("unknown-key.yaml", CONDMAP_ERROR_UNKNOWN_KEY,
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
    { "settings", "defaults and values", test_defaults_and_values },
    { "settings", "numbers refused", test_numbers_refused },
    { "settings", "lists refused", test_lists_refused },
    { "settings", "tables", test_tables },
    { "settings", "bounds", test_bounds },
    { "settings", "a bad default", test_bad_default },
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
