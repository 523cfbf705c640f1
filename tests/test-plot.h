/* test-plot.h - what the two files of test-plot share. */
#ifndef CONDMAP_TEST_PLOT_H
#define CONDMAP_TEST_PLOT_H

#include <CUnit/CUnit.h>
#include "test-util.h"
#include "plot-private.h"

/* The suite's runtime (the build tree's plugins) and temporary directory. */
extern CondmapRuntime *cm_plot_test_rt;
int cm_plot_test_init (void);
int cm_plot_test_clean (void);

/* A converter from YAML text; a plot of it titled "test"; n float64
 * weights evenly from @lo to @hi.  Failures fail the test. */
CondmapConverter *cm_plot_test_converter (const char *yaml);
CondmapPlot *cm_plot_test_new (const CondmapConverter *conv);
CondmapArray *cm_plot_test_linspace (double lo, double hi, size_t n);

/* test-plot-files.c: the files written. */
void cm_plot_test_add_file_tests (CU_pSuite suite);

#endif
