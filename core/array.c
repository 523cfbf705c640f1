/* array.c - n-dimensional arrays in C order, with checked sizes. */
#include <string.h>
#include "condmap-private.h"

struct _CondmapArray {
  CondmapDtype dtype;
  unsigned rank;
  size_t shape[CONDMAP_MAX_RANK];
  size_t n;          /* product of the shape */
  void *data;        /* n elements; never NULL, even when n == 0;
                        aligned to CM_ARRAY_ALIGN bytes */
  void *block;       /* what was allocated: data lies inside */
};

/* A cache line, and the width of an AVX-512 vector: kernels that read and
 * write aligned lines never split a load or a store across two lines. */
#define CM_ARRAY_ALIGN 64

char *
condmap_shape_to_string (unsigned rank, const size_t *shape)
{
  GString *s = g_string_new ("(");

  for (unsigned i = 0; i < rank; i++)
    g_string_append_printf (s, i ? ", %zu" : "%zu", shape[i]);
  g_string_append (s, rank == 1 ? ",)" : ")");
  return g_string_free (s, FALSE);
}

gboolean
cm_shape_product (unsigned rank, const size_t *shape, size_t elem_size,
                  size_t *n, GError **error)
{
  size_t product = 1, bytes;
  gboolean empty = FALSE;

  /* Like NumPy, a zero dimension makes the array empty whatever the other
   * dimensions are, so zeros are left out of the overflow check. */
  for (unsigned i = 0; i < rank; i++)
    {
      if (shape[i] == 0)
        empty = TRUE;
      else if (__builtin_mul_overflow (product, shape[i], &product))
        goto overflow;
    }
  if (__builtin_mul_overflow (product, elem_size, &bytes))
    goto overflow;
  *n = empty ? 0 : product;
  return TRUE;

overflow:
  {
    g_autofree char *text = condmap_shape_to_string (rank, shape);

    g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                 "shape %s is too large: its size in bytes overflows "
                 "a %u-bit size", text, (unsigned) (8 * sizeof (size_t)));
    return FALSE;
  }
}

CondmapArray *
condmap_array_new (CondmapDtype dtype, unsigned rank, const size_t *shape,
                   GError **error)
{
  size_t esize = condmap_dtype_size (dtype), n;
  g_autoptr (CondmapArray) array = NULL;

  g_return_val_if_fail (rank == 0 || shape != NULL, NULL);

  if (esize == 0)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "unknown dtype %d (condmap holds float32 and float64)",
                   (int) dtype);
      return NULL;
    }
  if (rank > CONDMAP_MAX_RANK)
    {
      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "an array of rank %u has too many dimensions "
                   "(the most is %d)", rank, CONDMAP_MAX_RANK);
      return NULL;
    }
  if (!cm_shape_product (rank, shape, esize, &n, error))
    return NULL;

  array = g_new0 (CondmapArray, 1);
  array->dtype = dtype;
  array->rank = rank;
  if (rank > 0)
    memcpy (array->shape, shape, rank * sizeof *shape);
  array->n = n;
  /* g_try_: a huge but valid shape is the user's input, not a reason to
   * abort.  At least one byte, so that data is never NULL; the slack
   * aligns it (calloc's pages of a large array stay untouched until
   * written, which an aligned allocator's memset would not allow). */
  if (n * esize <= G_MAXSIZE - CM_ARRAY_ALIGN)
    array->block = g_try_malloc0 ((n > 0 ? n * esize : 1) + CM_ARRAY_ALIGN - 1);
  if (array->block == NULL)
    {
      g_autofree char *text = condmap_shape_to_string (rank, shape);

      g_set_error (error, CONDMAP_ERROR, CONDMAP_ERROR_INPUT,
                   "cannot allocate %zu bytes for a %s array of shape %s",
                   n * esize, condmap_dtype_name (dtype), text);
      return NULL;
    }
  array->data = (void *) (((guintptr) array->block + CM_ARRAY_ALIGN - 1)
                          & ~(guintptr) (CM_ARRAY_ALIGN - 1));
  return g_steal_pointer (&array);
}

void
condmap_array_free (CondmapArray *array)
{
  if (array == NULL)
    return;
  g_free (array->block);
  g_free (array);
}

CondmapDtype
condmap_array_get_dtype (const CondmapArray *array)
{
  return array->dtype;
}

unsigned
condmap_array_get_rank (const CondmapArray *array)
{
  return array->rank;
}

const size_t *
condmap_array_get_shape (const CondmapArray *array)
{
  return array->shape;
}

size_t
condmap_array_get_n (const CondmapArray *array)
{
  return array->n;
}

void *
condmap_array_get_data (CondmapArray *array)
{
  return array->data;
}

const void *
condmap_array_peek_data (const CondmapArray *array)
{
  return array->data;
}

gboolean
condmap_array_same_layout (const CondmapArray *a, const CondmapArray *b)
{
  if (a->dtype != b->dtype || a->rank != b->rank)
    return FALSE;
  for (unsigned i = 0; i < a->rank; i++)
    if (a->shape[i] != b->shape[i])
      return FALSE;
  return TRUE;
}
