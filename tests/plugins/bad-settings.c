/* A plugin whose declared settings table breaks a rule of
 * condmap-plugin.h, one per build (Makefile.am):
 *   BAD_SETTING_TYPE  a type that is no CondmapSettingType ('levels')
 *   BAD_SETTING_DUP   the key 'offset' declared twice
 *   BAD_SETTING_KEY   a key with characters YAML keys may not have
 * The host must refuse it, at load time or when a converter is made from
 * it, with CONDMAP_ERROR_PLUGIN naming the entry. */
#include "fake-plugin.h"

static const CondmapSettingDecl settings[] = {
  FAKE_SETTINGS,
#if defined(BAD_SETTING_TYPE)
# define BAD_SETTING_NAME "bad-setting-type"
  { "levels", (CondmapSettingType) 99, "", 0.0, NULL, 0.0, 1.0, 0, 0, 0,
    "a type no host knows", NULL },
#elif defined(BAD_SETTING_DUP)
# define BAD_SETTING_NAME "bad-setting-dup"
  { "offset", CONDMAP_SETTING_NUMBER, "µS", 1.0, NULL, -HUGE_VAL, HUGE_VAL,
    0, 0, 0, "the same key again", NULL },
#elif defined(BAD_SETTING_KEY)
# define BAD_SETTING_NAME "bad-setting-key"
  { "Ref Fraction", CONDMAP_SETTING_NUMBER, "", 0.5, NULL, 0.0, 1.0, 0, 0,
    0, "upper case and a space", NULL },
#else
# error "build with one of -DBAD_SETTING_TYPE, -DBAD_SETTING_DUP, -DBAD_SETTING_KEY"
#endif
  CONDMAP_SETTINGS_END
};

CONDMAP_PLUGIN_DEFINE (CONDMAP_PLUGIN_KIND_CONVERTER, BAD_SETTING_NAME,
                       "test plugin", "0", settings, fake_create,
                       fake_destroy, &fake_ops)
