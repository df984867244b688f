/*
 * format.h - tensors as text, the way NumPy prints arrays.
 *
 * The rules are NumPy's (numpy/core/arrayprint.py, FloatingFormat and
 * _formatArray), as str(a) prints a float32 array after
 *     np.set_printoptions(precision=4, floatmode="maxprec_equal")
 * Each value is the shortest decimal that reads back as the same float32,
 * cut to `precision` digits after the point; all values share that number
 * of digits and one width. Scientific notation when the largest magnitude
 * is >= 1e8, or (unless `suppress`) the smallest non-zero one is < 1e-4 or
 * the ratio of the two is > 1e3. Rows wrap to `linewidth` characters;
 * tensors of more than `threshold` elements show the first and last
 * `edgeitems` entries of each long axis around "...". A 0-d tensor prints
 * as NumPy prints a float32 scalar (3.0, 0.1, 1e-05).
 */
#ifndef NN_FORMAT_H
#define NN_FORMAT_H

#include "tensor.h"

typedef struct nn_format_options {
    int precision;     /* digits after the point, at most (NumPy: precision) */
    int linewidth;     /* characters per line, brackets included */
    int64_t threshold; /* more elements than this are summarised */
    int edgeitems;     /* entries kept at each end of a summarised axis */
    bool suppress;     /* no scientific notation for small values */
} nn_format_options;

/* precision 4, 80 columns, NumPy's threshold and edgeitems */
#define NN_FORMAT_DEFAULTS {4, 80, 1000, 3, false}

/* A malloc'ed string with the values of t (no shape line), or NULL when out
 * of memory. `opt` NULL means NN_FORMAT_DEFAULTS. The caller frees it. */
char *nn_tensor_format(const nn_tensor *t, const nn_format_options *opt);

#endif
