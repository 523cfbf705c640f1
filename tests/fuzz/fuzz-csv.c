/* fuzz-csv.c - libFuzzer target for the CSV reader (core/csv.c).
 *
 * Each input is written to a scratch file and read as float32 and as
 * float64.  A refusal must come with a CONDMAP_ERROR; a matrix that is
 * read must be rank 2 and non-empty, and must survive condmap_csv_write()
 * -> condmap_csv_read() with the same shape and the same values (a NaN
 * matching any NaN: text does not keep payloads). */
#include "fuzz-common.h"

static void
check_round_trip (const CondmapArray *a, CondmapDtype dtype)
{
  const char *out = fuzz_path ("out.csv");
  g_autoptr (GError) error = NULL;
  g_autoptr (CondmapArray) b = NULL;

  if (!condmap_csv_write (out, a, &error))
    fuzz_fail ("condmap_csv_write of a matrix just read failed: %s",
               error->message);
  b = condmap_csv_read (out, dtype, &error);
  if (b == NULL)
    fuzz_fail ("condmap_csv_read of a file condmap_csv_write wrote failed: "
               "%s", error->message);
  if (!condmap_array_same_layout (a, b))
    fuzz_fail ("csv round trip changed dtype or shape");
  if (!fuzz_same_values (dtype, condmap_array_peek_data (a),
                         condmap_array_peek_data (b), condmap_array_get_n (a)))
    fuzz_fail ("csv round trip changed a value (%s)",
               condmap_dtype_name (dtype));
}

static void
read_as (const char *path, CondmapDtype dtype)
{
  GError *error = NULL;
  CondmapArray *a = condmap_csv_read (path, dtype, &error);
  const size_t *shape;

  fuzz_check_outcome (a != NULL, &error, "condmap_csv_read");
  if (a == NULL)
    return;
  shape = condmap_array_get_shape (a);
  if (condmap_array_get_dtype (a) != dtype || condmap_array_get_rank (a) != 2
      || shape[0] == 0 || shape[1] == 0
      || condmap_array_get_n (a) != shape[0] * shape[1])
    fuzz_fail ("condmap_csv_read returned a matrix that is not a non-empty "
               "2-D %s", condmap_dtype_name (dtype));
  check_round_trip (a, dtype);
  condmap_array_free (a);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *in = fuzz_path ("in.csv");

  fuzz_write_file (in, data, size);
  read_as (in, CONDMAP_DTYPE_FLOAT32);
  read_as (in, CONDMAP_DTYPE_FLOAT64);
  return 0;
}
