/*
 * walk.h - strided iteration shared by the ops (internal).
 *
 * A walk visits every index of a shape in row-major order, one row (the
 * last axis) at a time, carrying the offsets of two operands whose element
 * strides may be anything: 0 (broadcasting, reduction) or negative (a
 * reversed slice; offsets wrap as unsigned arithmetic and come out right). Binary ops, reductions, transposes and slices are all walks.
 */
#ifndef NN_WALK_H
#define NN_WALK_H

#include "tensor.h"

typedef struct nn_walk {
    int ndim;
    int64_t shape[NN_MAXDIM];
    int64_t st[2][NN_MAXDIM]; /* element strides of the two operands */
    size_t base[2];           /* offset of index (0, ..., 0) */
} nn_walk;

/* Called once per row: `i` is the linear index of the row's first element
 * in the walked shape, `o0`, `o1` the operands' offsets, `n` the row length
 * and `s0`, `s1` the operands' strides along the row. */
typedef void (*nn_row_fn)(void *ctx, size_t i, size_t o0, size_t o1,
                          size_t n, int64_t s0, int64_t s1);

void nn_walk_rows(const nn_walk *w, nn_row_fn row, void *ctx);

/* Row-major element strides of a shape. */
void nn_contiguous_strides(int64_t *st, int ndim, const int64_t *shape);

#endif
