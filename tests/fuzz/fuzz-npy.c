/* fuzz-npy.c - libFuzzer target for the .npy reader (core/npy.c).
 *
 * Each input is written to a scratch file and read with condmap_npy_read().
 * A refusal must come with a CONDMAP_ERROR; an array that is read must be
 * self-consistent (element count = shape product) and must survive the
 * trip condmap_npy_write() -> condmap_npy_read() bit for bit: same dtype,
 * same shape, same bytes. */
#include <string.h>
#include "fuzz-common.h"

static void
check_array (const CondmapArray *a)
{
  unsigned rank = condmap_array_get_rank (a);
  const size_t *shape = condmap_array_get_shape (a);
  size_t n = 1;

  if (rank > CONDMAP_MAX_RANK)
    fuzz_fail ("rank %u above CONDMAP_MAX_RANK", rank);
  if (condmap_dtype_size (condmap_array_get_dtype (a)) == 0)
    fuzz_fail ("array of unknown dtype %d", (int) condmap_array_get_dtype (a));
  for (unsigned i = 0; i < rank; i++)
    n *= shape[i];   /* the reader checked it for overflow */
  if (n != condmap_array_get_n (a))
    fuzz_fail ("element count %zu but the shape multiplies to %zu",
               condmap_array_get_n (a), n);
}

static void
check_round_trip (const CondmapArray *a)
{
  const char *out = fuzz_path ("out.npy");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) b = NULL;
  size_t n = condmap_array_get_n (a);
  size_t esize = condmap_dtype_size (condmap_array_get_dtype (a));

  if (!condmap_npy_write (out, a, &error))
    fuzz_fail ("condmap_npy_write of an array just read failed: %s",
               error->message);
  b = condmap_npy_read (out, &error);
  if (b == NULL)
    fuzz_fail ("condmap_npy_read of a file condmap_npy_write wrote failed: "
               "%s", error->message);
  if (!condmap_array_same_layout (a, b))
    fuzz_fail ("npy round trip changed dtype or shape");
  if (n > 0 && memcmp (condmap_array_peek_data (a),
                       condmap_array_peek_data (b), n * esize) != 0)
    fuzz_fail ("npy round trip changed the data");
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *in = fuzz_path ("in.npy");
  GError *error = NULL;
  CondmapArray *a;

  fuzz_write_file (in, data, size);
  a = condmap_npy_read (in, &error);
  fuzz_check_outcome (a != NULL, &error, "condmap_npy_read");
  if (a != NULL)
    {
      check_array (a);
      check_round_trip (a);
      condmap_array_free (a);
    }
  return 0;
}
