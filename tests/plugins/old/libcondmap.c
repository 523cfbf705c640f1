/* A stand-in for condmap 0.1.0's libcondmap.so.0, which its plugins were
 * linked against (NEEDED libcondmap.so.0): abi1-needed links it, and the
 * tests load abi1-needed where it cannot be found, as on a system that
 * has only a newer condmap. */
#include <stddef.h>

int condmap_settings_get_bounds (void *settings, double default_g_min,
                                 double default_g_max, double *g_min,
                                 double *g_max, void **error);
void condmap_params_set (void *params, const char *name, double value);
double condmap_params_get (const void *params, const char *name);

int
condmap_settings_get_bounds (void *settings, double default_g_min,
                             double default_g_max, double *g_min,
                             double *g_max, void **error)
{
  (void) settings;
  (void) error;
  *g_min = default_g_min;
  *g_max = default_g_max;
  return 1;
}

void
condmap_params_set (void *params, const char *name, double value)
{
  (void) params;
  (void) name;
  (void) value;
}

double
condmap_params_get (const void *params, const char *name)
{
  (void) params;
  (void) name;
  return 1.0;
}
