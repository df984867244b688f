/*
 * tensor.h - the float32 N-d tensor of attnlab.
 *
 * A tensor is a contiguous row-major array of floats with up to NN_MAXDIM
 * axes, reference counted. A *symbolic* tensor (Keras's KerasTensor) has a
 * shape, possibly with NN_NONE for unknown sizes, and no data: ops called on
 * one infer the shape of their result and compute nothing.
 *
 * Ownership: nn_tensor_new and every op return a tensor with one reference,
 * owned by the caller, who gives it back with nn_tensor_release().
 */
#ifndef NN_TENSOR_H
#define NN_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define NN_MAXDIM 8
#define NN_NONE (-1) /* an unknown size in a symbolic shape (Keras's None) */

typedef struct nn_node nn_node;

typedef struct nn_tensor {
    float *data;               /* size floats, row-major; NULL if symbolic */
    size_t size;               /* number of elements (0 if symbolic) */
    int ndim;                  /* 0 for a scalar tensor */
    int64_t shape[NN_MAXDIM];
    int refcount;
    bool symbolic;
    bool requires_grad;
    struct nn_tensor *grad;    /* same shape, or NULL */
    nn_node *node;             /* the op that made it; NULL for leaves */
    unsigned mark;             /* scratch for graph walks */
    struct nn_tensor *next_dead; /* scratch for nn_tensor_release */
} nn_tensor;

/* A new tensor of the given shape, filled with zeros. Fails with NN_EARG on
 * a negative size and NN_ENOMEM when the size overflows or passes the
 * memory limit (the message says how much it would need). */
nn_status nn_tensor_new(nn_tensor **out, int ndim, const int64_t *shape);

/* A new tensor with the shape of t, filled with zeros. */
nn_status nn_tensor_new_like(nn_tensor **out, const nn_tensor *t);

/* A new symbolic tensor; NN_NONE marks unknown sizes. */
nn_status nn_tensor_symbolic(nn_tensor **out, int ndim, const int64_t *shape);

/* A copy of t's values, detached from any graph. */
nn_status nn_tensor_clone(nn_tensor **out, const nn_tensor *t);

nn_tensor *nn_tensor_retain(nn_tensor *t);
void nn_tensor_release(nn_tensor *t);

/* Element count of a shape, overflow-checked. */
nn_status nn_shape_numel(size_t *out, int ndim, const int64_t *shape);

/* Writes "(2, 64, 128)" (or "(None, 64)", "()") into buf. */
void nn_shape_format(char *buf, size_t n, int ndim, const int64_t *shape);

/* A static-buffer convenience for messages; up to 4 live results. */
const char *nn_shape_str(int ndim, const int64_t *shape);
#define NN_SHAPE(t) nn_shape_str((t)->ndim, (t)->shape)

bool nn_shape_equal(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b);

/* Turns a Keras axis (negative counts from the end) into 0..ndim-1;
 * NN_EARG with a message naming who when it is out of range. */
nn_status nn_normalize_axis(int *out, int64_t axis, int ndim, const char *who);

/* Bytes held by the data of all live tensors, and the limit on it
 * (default: 3/4 of physical memory, or ATTNLAB_MEMORY_LIMIT bytes). */
size_t nn_memory_in_use(void);
size_t nn_memory_limit(void);
void nn_set_memory_limit(size_t bytes);

#endif
