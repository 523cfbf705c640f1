/* bit-slice.h - the state of the bit-slice converter, shared by its
 * kernels (bit-slice.c) and its setup (bit-slice-setup.c).  Private to
 * the plugin. */
#ifndef CONDMAP_BIT_SLICE_H
#define CONDMAP_BIT_SLICE_H

#include "peer-math.h"

/* weight_bits <= 32, and every slice holds at least one bit. */
#define BIT_SLICE_MAX_BITS 32
/* Room for "g_minus_31". */
#define BIT_SLICE_PLANE_NAME_SIZE 24   /* "g_minus_" and any unsigned */

enum { BIT_SLICE_REF_DIGITAL, BIT_SLICE_REF_COLUMN, BIT_SLICE_REF_MID };

/* The index of each param in the params array. */
enum {
  BIT_SLICE_PARAM_CLIP_MAX = 0,     /* m */
  BIT_SLICE_PARAM_CODE_OFFSET = 1,  /* subtracted from the recombined code */
  BIT_SLICE_PARAM_REFERENCE_G = 2,  /* µS; 0: no reference device */
  BIT_SLICE_PARAM_REFERENCE_SLICE = 3 /* the slice whose reference device
                                         is at reference_g; -1: all/none */
};

/* The numbers the kernels need, rounded once to the dtype T (as the peers
 * round Python numbers to the array's type). */
#define BIT_SLICE_COEF(T)                                                  \
  struct {                                                                 \
    T g_min_n;       /* G_min */                                           \
    T range_n;       /* R */                                               \
    T g_min_us;      /* bounds, µS */                                      \
    T g_max_us;                                                            \
    T zero_us;       /* the plane of digit 0: G_min g_max */               \
    T inv_g_max;     /* 1 / g_max, 1/µS */                                 \
    T inv_range_n;   /* 1 / R */                                           \
    T pow2b;         /* 2^B */                                             \
    T inv_pow2b;     /* 2^-B */                                            \
    T half;          /* 2^(B-1) */                                         \
    T ratio;         /* (2^(B-1) - 1) / 2^(B-1); 1 for NeuroSim */         \
    T post;          /* 2^b - 1 for equal widths, applied after the sum;   \
                        1 for unequal ones, whose coef holds it */         \
    T ns_a;          /* NeuroSim: 1 - G_min */                             \
    T base[BIT_SLICE_MAX_BITS];     /* 2^b_i */                            \
    T inv_base[BIT_SLICE_MAX_BITS]; /* 2^-b_i; 0 for the last slice */     \
    T top[BIT_SLICE_MAX_BITS];      /* 2^b_i - 1 */                        \
    T coef[BIT_SLICE_MAX_BITS];     /* read-back factor of slice i */      \
    T ns_b[BIT_SLICE_MAX_BITS];     /* NeuroSim: (2^b_i - 1) G_min */      \
  }

typedef BIT_SLICE_COEF (float) BitSliceCoef_f32;
typedef BIT_SLICE_COEF (double) BitSliceCoef_f64;

typedef struct {
  const CondmapHost *host;  /* for errors in plan() */
  unsigned weight_bits;     /* B */
  unsigned n_slices;        /* N */
  unsigned bits[BIT_SLICE_MAX_BITS];    /* b_i */
  unsigned offsets[BIT_SLICE_MAX_BITS]; /* o_i = b_0 + ... + b_(i-1) */
  int balanced;             /* style: balanced */
  int neurosim;             /* quantizer: neurosim */
  int reference;            /* BIT_SLICE_REF_*, style: offset */
  double code_offset;       /* the param */
  PeerRange range;
  BitSliceCoef_f32 c_f32;
  BitSliceCoef_f64 c_f64;
  char plane_names[2 * BIT_SLICE_MAX_BITS][BIT_SLICE_PLANE_NAME_SIZE];
} BitSliceState;

/* create() and destroy(): check the rules between the settings, make the
 * state. */
void *bit_slice_create (const CondmapHost *host, CondmapContext *ctx);
void bit_slice_destroy (void *state);

/* The reference_g and reference_slice params for weights of @dtype (see
 * bit-slice.c). */
void bit_slice_reference (const BitSliceState *st, CondmapDtype dtype,
                          double *params);

#endif /* CONDMAP_BIT_SLICE_H */
