/*
 * ops.h - tensor operations, each with its backward function.
 *
 * Every op follows one pattern: check the arguments and infer the shape of
 * the result (NN_NONE sizes allowed), return a symbolic result when an input
 * is symbolic, otherwise compute it and, when an input requires grad and
 * grad mode is on, record a node. The result is new (one reference, owned
 * by the caller); inputs are never modified. On error *out is NULL and the
 * message names the op and the shapes.
 *
 * Axes follow Keras/NumPy: 0-based, negative counts from the end.
 */
#ifndef NN_OPS_H
#define NN_OPS_H

#include "tensor.h"

/* ---- creation ---------------------------------------------------------- */

nn_status nn_full(nn_tensor **out, int ndim, const int64_t *shape, float v);
nn_status nn_scalar(nn_tensor **out, float v); /* a 0-d tensor */
nn_status nn_eye(nn_tensor **out, int64_t n, int64_t m);
/* NumPy's arange: start, start+step, ... below stop (above, if step < 0) */
nn_status nn_arange(nn_tensor **out, double start, double stop, double step);
/* from the global stream: uniform in [lo, hi), normal(mean, std), and
 * normal(mean, std) redrawn beyond two standard deviations */
nn_status nn_rand(nn_tensor **out, int ndim, const int64_t *shape, float lo,
                  float hi);
nn_status nn_randn(nn_tensor **out, int ndim, const int64_t *shape,
                   float mean, float std);
nn_status nn_truncated_normal(nn_tensor **out, int ndim, const int64_t *shape,
                              float mean, float std);

/* ---- element-wise ------------------------------------------------------ */

typedef enum nn_binary_kind {
    NN_ADD, NN_SUB, NN_MUL, NN_DIV, NN_POW, NN_MAXIMUM, NN_MINIMUM,
    /* comparisons: 1 or 0, not differentiable (their gradient is 0) */
    NN_EQUAL, NN_NOT_EQUAL, NN_GREATER, NN_GREATER_EQUAL, NN_LESS,
    NN_LESS_EQUAL
} nn_binary_kind;

/* y = a (op) b with NumPy broadcasting. */
nn_status nn_binary(nn_tensor **out, nn_binary_kind kind, nn_tensor *a,
                    nn_tensor *b);
const char *nn_binary_name(nn_binary_kind kind);

typedef enum nn_unary_kind {
    NN_NEG, NN_EXP, NN_LOG, NN_SQRT, NN_ABS, NN_SQUARE, NN_TANH, NN_SIGMOID,
    NN_RELU, NN_ELU, NN_SELU, NN_GELU, NN_SOFTPLUS, NN_SOFTSIGN,
    NN_HARD_SIGMOID, NN_SILU, NN_UNARY_COUNT
} nn_unary_kind;

nn_status nn_unary(nn_tensor **out, nn_unary_kind kind, nn_tensor *x);
const char *nn_unary_name(nn_unary_kind kind);
/* the kind named name ("tanh", "relu", ...), or -1 */
int nn_unary_lookup(const char *name);

/* ---- reductions -------------------------------------------------------- */

typedef enum nn_reduce_kind { NN_SUM, NN_MEAN, NN_MAX, NN_MIN } nn_reduce_kind;

/* Reduces over naxes axes (all axes when naxes == 0). */
nn_status nn_reduce(nn_tensor **out, nn_reduce_kind kind, nn_tensor *x,
                    int naxes, const int64_t *axes, bool keepdims);
/* Index of the largest (smallest if is_min) value along axis, as floats;
 * over the flattened tensor when all is true. Not differentiable. */
nn_status nn_argmax(nn_tensor **out, nn_tensor *x, bool all, int64_t axis,
                    bool keepdims, bool is_min);
/* softmax (or log_softmax) along axis. */
nn_status nn_softmax(nn_tensor **out, nn_tensor *x, int64_t axis, bool log);

/* ---- products ---------------------------------------------------------- */

/* tf.matmul: (..., n, k) @ (..., k, m) -> (..., n, m), batch axes broadcast;
 * trans_a / trans_b transpose the last two axes of a / b first. */
nn_status nn_matmul(nn_tensor **out, nn_tensor *a, nn_tensor *b, bool trans_a,
                    bool trans_b);

/* Keras's K.batch_dot: contracts axis ax of x with axis ay of y, batch
 * axis 0 shared; the result has x's other axes then y's (a (batch, 1)
 * result for two 2-D inputs). Negative ax/ay count from the end;
 * default_axes picks Keras's defaults (last of x, and of y the last if y is
 * 2-D, else the one before). */
nn_status nn_batch_dot(nn_tensor **out, nn_tensor *x, nn_tensor *y,
                       bool default_axes, int64_t ax, int64_t ay);

/* ---- shape ------------------------------------------------------------- */

/* One size may be -1, inferred from the others. */
nn_status nn_reshape(nn_tensor **out, nn_tensor *x, int ndim,
                     const int64_t *shape);
/* perm NULL reverses the axes (tf.transpose's default). */
nn_status nn_transpose(nn_tensor **out, nn_tensor *x, const int64_t *perm);
/* Removes the given axes (all axes of size 1 when naxes == 0). */
nn_status nn_squeeze(nn_tensor **out, nn_tensor *x, int naxes,
                     const int64_t *axes);
nn_status nn_expand_dims(nn_tensor **out, nn_tensor *x, int64_t axis);
/* Joins n tensors along an existing axis (stack false) or a new one. */
nn_status nn_concat(nn_tensor **out, int n, nn_tensor **xs, int64_t axis,
                    bool stack);
/* Python's x[..., start:stop:step, ...] on one axis; start and stop are
 * clamped as Python does, negative values count from the end. */
nn_status nn_slice(nn_tensor **out, nn_tensor *x, int64_t axis, int64_t start,
                   int64_t stop, int64_t step);
/* NumPy's take / tf.gather: indices (any shape, integer values, negative
 * from the end) pick entries of x along axis; the result's shape is
 * x.shape[:axis] + indices.shape + x.shape[axis+1:]. Differentiable in x
 * (gradients of repeated indices add up). */
nn_status nn_gather(nn_tensor **out, nn_tensor *x, nn_tensor *indices,
                    int64_t axis);

/* x[..., index, ...]: removes the axis (index may be negative). */
nn_status nn_select(nn_tensor **out, nn_tensor *x, int64_t axis,
                    int64_t index);

#endif
