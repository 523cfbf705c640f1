/* levels-assign.c - levels for the planes of a multi-pair scheme,
 *
 *   w s = sum_k F_k (g+_k - g-_k),
 *
 * plane by plane or jointly.  Snapping each plane on its own adds up the
 * pairs' errors, each weighted by its F.  Joint assignment quantizes the
 * pair of the largest F first and hands the error it leaves, in units of
 * w s, to the next pair's target; the pair of the smallest F absorbs what
 * is left, so the weight error is about that of one level step of the
 * least significant pair.  A pair's difference is realised with its idle
 * device at the lowest level, as the converters keep it at g_min. */
#include <math.h>
#include "devices-private.h"

#define DEFINE_SNAP_PLANES(T, SFX)                                           \
  void                                                                       \
  cm_levels_snap_planes_##SFX (const CmLevels *levels, unsigned n_planes,    \
                               T *const *g, size_t n)                        \
  {                                                                          \
    for (unsigned k = 0; k < n_planes; k++)                                  \
      cm_levels_snap_##SFX (levels, g[k], n, g[k]);                          \
  }

DEFINE_SNAP_PLANES (float, f32)
DEFINE_SNAP_PLANES (double, f64)

/* What a joint assignment needs beyond the planes, made once per call. */
typedef struct {
  const CmLevels *levels;
  size_t n_pairs;
  const double *f;
  size_t *order;    /* pair indices, largest F first, index order on ties */
  double *rel;      /* rel[i] = mean[i] - mean[0]: the differences a pair
                       can realise, 0 = rel[0] < ... < rel[n-1] */
  double *d;        /* per element: each pair's ideal difference */
} Joint;

static void
joint_init (Joint *j, const CmLevels *levels, const double *f,
            size_t n_pairs)
{
  j->levels = levels;
  j->n_pairs = n_pairs;
  j->f = f;
  j->order = g_new (size_t, n_pairs);
  j->rel = g_new (double, levels->n);
  j->d = g_new (double, n_pairs);
  for (size_t i = 0; i < levels->n; i++)
    j->rel[i] = levels->mean_us[i] - levels->mean_us[0];
  /* Insertion sort: stable, and n_pairs is small. */
  for (size_t k = 0; k < n_pairs; k++)
    {
      size_t at = k;

      while (at > 0 && f[j->order[at - 1]] < f[k])
        {
          j->order[at] = j->order[at - 1];
          at--;
        }
      j->order[at] = k;
    }
}

static void
joint_clear (Joint *j)
{
  g_free (j->order);
  g_free (j->rel);
  g_free (j->d);
}

/* The index of the first difference above @mag (>= 1: rel[0] = 0). */
static size_t
first_above (const double *rel, size_t n, double mag)
{
  size_t lo = 1, hi = n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;

      if (rel[mid] > mag)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* Chooses the level index of a pair asked for the difference @want, whose
 * leftover F (want - realised) the later pairs can absorb when it lies in
 * [-room_down, room_up] (@last: there are none).  *neg tells which device
 * of the pair carries it. */
static size_t
choose (const Joint *j, double want, double f, double room_up,
        double room_down, gboolean last, gboolean *neg)
{
  const double *rel = j->rel;
  size_t n = j->levels->n;
  double mag = fabs (want), sign = want < 0 ? -1.0 : 1.0;
  size_t hi = first_above (rel, n, mag), lo = hi - 1, near, other;
  double left;

  *neg = want < 0;
  if (hi == n)             /* beyond the largest difference */
    return n - 1;
  /* Halfway goes to the smaller difference: the lower level. */
  near = mag - rel[lo] <= rel[hi] - mag ? lo : hi;
  other = near == lo ? hi : lo;
  if (last)
    return near;
  left = f * (want - sign * rel[near]);
  if (left <= room_up && left >= -room_down)
    return near;
  left = f * (want - sign * rel[other]);
  return left <= room_up && left >= -room_down ? other : near;
}

/* Assigns one element: d[k] holds the ideal differences; on return
 * idx[k] and neg[k] say which level each pair's active device takes. */
static void
joint_element (const Joint *j, size_t *idx, gboolean *neg)
{
  double a_max = j->rel[j->levels->n - 1];
  double room_up = 0, room_down = 0, carry = 0;

  /* How far all the pairs could move from their ideal differences. */
  for (size_t k = 0; k < j->n_pairs; k++)
    {
      room_up += j->f[k] * (a_max - j->d[k]);
      room_down += j->f[k] * (a_max + j->d[k]);
    }
  for (size_t o = 0; o < j->n_pairs; o++)
    {
      size_t k = j->order[o];
      double f = j->f[k], want, got;

      /* What the pairs after this one could still absorb. */
      room_up -= f * (a_max - j->d[k]);
      room_down -= f * (a_max + j->d[k]);
      want = j->d[k] + carry / f;
      idx[k] = choose (j, want, f, room_up, room_down,
                       o + 1 == j->n_pairs, &neg[k]);
      got = neg[k] ? -j->rel[idx[k]] : j->rel[idx[k]];
      carry = f * (want - got);
    }
}

#define DEFINE_ASSIGN_JOINT(T, SFX, MEAN)                                    \
  void                                                                       \
  cm_levels_assign_joint_##SFX (const CmLevels *levels, const double *f,     \
                                size_t n_pairs, T *const *g, size_t n)       \
  {                                                                          \
    g_autofree size_t *idx = g_new (size_t, n_pairs);                        \
    g_autofree gboolean *neg = g_new (gboolean, n_pairs);                    \
    const T *mean = levels->MEAN;                                            \
    Joint j;                                                                 \
                                                                             \
    g_return_if_fail (n_pairs >= 1);                                         \
    joint_init (&j, levels, f, n_pairs);                                     \
    for (size_t i = 0; i < n; i++)                                           \
      {                                                                      \
        for (size_t k = 0; k < n_pairs; k++)                                 \
          j.d[k] = (double) g[2 * k][i] - (double) g[2 * k + 1][i];          \
        joint_element (&j, idx, neg);                                        \
        for (size_t k = 0; k < n_pairs; k++)                                 \
          {                                                                  \
            g[2 * k][i] = neg[k] ? mean[0] : mean[idx[k]];                   \
            g[2 * k + 1][i] = neg[k] ? mean[idx[k]] : mean[0];               \
          }                                                                  \
      }                                                                      \
    joint_clear (&j);                                                        \
  }

DEFINE_ASSIGN_JOINT (float, f32, mean_f32)
DEFINE_ASSIGN_JOINT (double, f64, mean_us)
