/*
 * format.h - tensors as text, the way NumPy prints arrays.
 *
 * Values share one format (integers as "3.", fixed with 4 decimals, or
 * scientific when the magnitudes call for it), right-aligned in columns,
 * nested in brackets; tensors of more than 1000 elements show the first and
 * last 3 entries of each axis around "...".
 */
#ifndef NN_FORMAT_H
#define NN_FORMAT_H

#include "tensor.h"

/* A malloc'ed string with the values of t (no shape line), or NULL when out
 * of memory. The caller frees it. */
char *nn_tensor_format(const nn_tensor *t);

#endif
