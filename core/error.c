/* error.c - the CONDMAP_ERROR domain and the library version. */
#include "config.h"
#include "condmap.h"

G_DEFINE_QUARK (condmap-error-quark, condmap_error)

const char *
condmap_version (void)
{
  return PACKAGE_VERSION;
}
