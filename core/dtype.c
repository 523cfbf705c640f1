/* dtype.c - the element types condmap computes in. */
#include <string.h>
#include "condmap.h"

size_t
condmap_dtype_size (CondmapDtype dtype)
{
  switch (dtype)
    {
    case CONDMAP_DTYPE_FLOAT32: return 4;
    case CONDMAP_DTYPE_FLOAT64: return 8;
    default: return 0;
    }
}

const char *
condmap_dtype_name (CondmapDtype dtype)
{
  switch (dtype)
    {
    case CONDMAP_DTYPE_FLOAT32: return "float32";
    case CONDMAP_DTYPE_FLOAT64: return "float64";
    default: return NULL;
    }
}

CondmapDtype
condmap_dtype_from_name (const char *name)
{
  if (name == NULL)
    return 0;
  if (strcmp (name, "float32") == 0 || strcmp (name, "f32") == 0)
    return CONDMAP_DTYPE_FLOAT32;
  if (strcmp (name, "float64") == 0 || strcmp (name, "f64") == 0)
    return CONDMAP_DTYPE_FLOAT64;
  return 0;
}
