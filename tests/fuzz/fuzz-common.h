/* fuzz-common.h - what the libFuzzer targets of tests/fuzz/ share: a
 * scratch file per process (the readers take paths), one runtime over the
 * built plugins, and checks that turn a broken contract into abort(), so
 * that libFuzzer reports it as a crash with the input that caused it. */
#ifndef CONDMAP_FUZZ_COMMON_H
#define CONDMAP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include "condmap.h"

G_BEGIN_DECLS

/* "DIR/condmap-fuzz-PID-NAME", where DIR is $CONDMAP_FUZZ_TMPDIR or the
 * system's temporary directory.  Owned by the callee; stable for the
 * process's life, one string per @name. */
const char *fuzz_path (const char *name);

/* Replaces the contents of @path with @size bytes of @data; abort()s if it
 * cannot (a harness problem, not a finding). */
void fuzz_write_file (const char *path, const uint8_t *data, size_t size);

/* The shared runtime over $CONDMAP_PLUGIN_PATH (no system directory), one
 * conversion thread.  Created on first use and kept for the process's
 * life; abort()s if no plugin loads, since the target would then test
 * nothing. */
CondmapRuntime *fuzz_runtime (void);

/* The contract of every fallible call: on success no error is set; on
 * failure a CONDMAP_ERROR with a non-empty message is.  Frees *error.
 * @what names the call in the abort message. */
void fuzz_check_outcome (gboolean ok, GError **error, const char *what);

/* Stops the fuzzer with a message: a property that must hold did not. */
G_NORETURN void fuzz_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Whether two arrays are equal element by element, a NaN matching any NaN
 * (text formats do not keep NaN payloads) and everything else bit for bit
 * (so -0 differs from +0). */
gboolean fuzz_same_values (CondmapDtype dtype, const void *a, const void *b,
                           size_t n);

G_END_DECLS

#endif
