/*
 * dense.h - Keras's Dense: y = x @ kernel + bias on the last axis.
 *
 * x (..., in) of rank >= 2, kernel (in, units), bias (units,) or NULL;
 * y (..., units). `name` is the layer's name, used in messages.
 */
#ifndef NN_DENSE_H
#define NN_DENSE_H

#include "core/tensor.h"

nn_status nn_dense_shape(int *ondim, int64_t *oshape, const nn_tensor *x,
                         const nn_tensor *kernel, const nn_tensor *bias,
                         const char *name);

/* One autograd node for the whole layer (activation excluded). */
nn_status nn_dense_forward(nn_tensor **y, nn_tensor *x, nn_tensor *kernel,
                           nn_tensor *bias, const char *name);

#endif
