/* drift-compensation.c - aihwkit's GlobalDriftCompensation
 * (src/aihwkit/inference/compensation/drift.py): one factor for a whole
 * tensor, the ratio of the mean |W| read out after programming to the
 * mean |W| read out at inference time, each clamped below at 1e-4. */
#include <math.h>
#include "devices-private.h"

/* readout(): clamp(mean |W x|, min=0.0001) */
#define READOUT_MIN 1e-4

double
cm_abs_sum_f32 (const float *w, size_t n)
{
  double sum = 0;

  for (size_t i = 0; i < n; i++)
    sum += fabs ((double) w[i]);
  return sum;
}

double
cm_abs_sum_f64 (const double *w, size_t n)
{
  double sum = 0;

  for (size_t i = 0; i < n; i++)
    sum += fabs (w[i]);
  return sum;
}

double
cm_drift_compensation_alpha (double mean_abs_prog, double mean_abs_t)
{
  return MAX (mean_abs_prog, READOUT_MIN) / MAX (mean_abs_t, READOUT_MIN);
}
