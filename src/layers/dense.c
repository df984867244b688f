/* dense.c - the Dense layer: forward, backward, output shape. */
#include "dense.h"

#include <stdio.h>
#include <string.h>

#include "core/autograd.h"
#include "core/gemm.h"

/* The product of all axes of x but the last. */
static size_t dense_rows(const nn_tensor *x)
{
    size_t rows = 1;
    for (int d = 0; d < x->ndim - 1; d++)
        rows *= (size_t)x->shape[d];
    return rows;
}

nn_status nn_dense_shape(int *ondim, int64_t *oshape, const nn_tensor *x,
                         const nn_tensor *kernel, const nn_tensor *bias,
                         const char *name)
{
    if (kernel->symbolic || (bias && bias->symbolic))
        return nn_error(NN_EARG, "Dense '%s': the weights must be tensors "
                        "with values, not symbolic ones", name);
    if (kernel->ndim != 2)
        return nn_error(NN_ESHAPE, "Dense '%s': kernel must be (in, units), "
                        "got %s", name, NN_SHAPE(kernel));
    int64_t in = kernel->shape[0], units = kernel->shape[1];
    if (bias && !(bias->ndim == 1 && bias->shape[0] == units))
        return nn_error(NN_ESHAPE, "Dense '%s': bias must be (%lld,), got %s",
                        name, (long long)units, NN_SHAPE(bias));
    if (x->ndim < 2)
        return nn_error(NN_ESHAPE, "Dense '%s': expected input of rank >= 2 "
                        "(batch, ..., %lld), got shape %s", name,
                        (long long)in, NN_SHAPE(x));
    int64_t last = x->shape[x->ndim - 1];
    if (last != in)
        return nn_error(NN_ESHAPE, "Dense '%s': expected input with last axis "
                        "%lld, got shape %s", name, (long long)in,
                        NN_SHAPE(x));
    *ondim = x->ndim;
    memcpy(oshape, x->shape, (size_t)x->ndim * sizeof *oshape);
    oshape[x->ndim - 1] = units;
    return NN_OK;
}

/* With rows = the product of all axes but the last:
 *   dx      (rows, in)    = dy (rows, units) @ kernel^T
 *   dkernel (in, units)  += x^T (in, rows) @ dy
 *   dbias   (units,)     += sum over rows of dy */
static nn_status dense_backward(nn_node *node, nn_tensor *y)
{
    nn_tensor *x = node->inputs[0], *kernel = node->inputs[1];
    nn_tensor *bias = node->ninputs > 2 ? node->inputs[2] : NULL;
    size_t in = (size_t)kernel->shape[0], units = (size_t)kernel->shape[1];
    size_t rows = dense_rows(x);
    const float *dy = y->grad->data;
    float *dx, *dkernel, *dbias = NULL;
    nn_status s;
    if ((s = nn_grad_buffer(&dx, x)) != NN_OK ||
        (s = nn_grad_buffer(&dkernel, kernel)) != NN_OK ||
        (bias && (s = nn_grad_buffer(&dbias, bias)) != NN_OK))
        return s;
    if (dx)
        nn_gemm(false, true, rows, in, units, 1.0f, dy, units, kernel->data,
                units, 1.0f, dx, in);
    if (dkernel)
        nn_gemm(true, false, in, units, rows, 1.0f, x->data, in, dy, units,
                1.0f, dkernel, units);
    if (dbias)
        for (size_t r = 0; r < rows; r++)
            for (size_t j = 0; j < units; j++)
                dbias[j] += dy[r * units + j];
    return NN_OK;
}

/* y (rows, units) = x (rows, in) @ kernel (in, units) + bias */
nn_status nn_dense_forward(nn_tensor **y, nn_tensor *x, nn_tensor *kernel,
                           nn_tensor *bias, const char *name)
{
    int ndim;
    int64_t shape[NN_MAXDIM];
    nn_status s;
    *y = NULL;
    if ((s = nn_dense_shape(&ndim, shape, x, kernel, bias, name)) != NN_OK)
        return s;
    if (x->symbolic)
        return nn_tensor_symbolic(y, ndim, shape);
    if ((s = nn_tensor_new(y, ndim, shape)) != NN_OK) {
        char who[96];
        snprintf(who, sizeof who, "Dense '%s'", name);
        return nn_error_context(s, who);
    }
    size_t in = (size_t)kernel->shape[0], units = (size_t)kernel->shape[1];
    size_t rows = dense_rows(x);
    float *out = (*y)->data;
    if (bias)
        for (size_t r = 0; r < rows; r++)
            memcpy(out + r * units, bias->data, units * sizeof *out);
    nn_gemm(false, false, rows, units, in, 1.0f, x->data, in, kernel->data,
            units, bias ? 1.0f : 0.0f, out, units);
    nn_tensor *inputs[3] = {x, kernel, bias};
    int n = bias ? 3 : 2;
    if (nn_needs_grad(n, inputs)) {
        nn_node *node;
        if ((s = nn_record(&node, *y, "dense", dense_backward, n, inputs)) !=
            NN_OK) {
            nn_tensor_release(*y);
            *y = NULL;
            return s;
        }
    }
    return NN_OK;
}
