/* embedding.c - Embedding lookups and the masks Keras derives from inputs. */
#include "embedding.h"

#include <math.h>
#include <string.h>

#include "core/autograd.h"

/* dtable[ids[i]] += dy[i] (rows of D) */
static nn_status embedding_backward(nn_node *node, nn_tensor *y)
{
    nn_tensor *ids = node->inputs[0], *table = node->inputs[1];
    size_t D = (size_t)table->shape[1];
    float *dtable;
    nn_status s = nn_grad_buffer(&dtable, table);
    if (s != NN_OK || !dtable)
        return s;
    for (size_t i = 0; i < ids->size; i++) {
        size_t row = (size_t)ids->data[i];
        const float *g = y->grad->data + i * D;
        for (size_t j = 0; j < D; j++)
            dtable[row * D + j] += g[j];
    }
    return NN_OK;
}

nn_status nn_embedding_forward(nn_tensor **y, nn_tensor *ids,
                               nn_tensor *table, const char *name)
{
    int64_t shape[NN_MAXDIM];
    nn_status s;
    *y = NULL;
    if (table->symbolic)
        return nn_error(NN_EARG, "Embedding '%s': the embeddings must be a "
                        "tensor with values, not a symbolic one", name);
    if (table->ndim != 2)
        return nn_error(NN_ESHAPE, "Embedding '%s': embeddings must be "
                        "(input_dim, output_dim), got %s", name,
                        NN_SHAPE(table));
    if (ids->ndim >= NN_MAXDIM)
        return nn_error(NN_ESHAPE, "Embedding '%s': input of rank %d is too "
                        "large", name, ids->ndim);
    memcpy(shape, ids->shape, (size_t)ids->ndim * sizeof *shape);
    shape[ids->ndim] = table->shape[1];
    if (ids->symbolic)
        return nn_tensor_symbolic(y, ids->ndim + 1, shape);
    int64_t V = table->shape[0];
    for (size_t i = 0; i < ids->size; i++) {
        float v = ids->data[i];
        if (!(v >= 0.0f && v < (float)V && v == floorf(v)))
            return nn_error(NN_EARG, "Embedding '%s': input %zu is %g, not an "
                            "integer in [0, %lld) (input_dim is %lld)", name,
                            i, (double)v, (long long)V, (long long)V);
    }
    if ((s = nn_tensor_new(y, ids->ndim + 1, shape)) != NN_OK)
        return nn_error_context(s, "Embedding");
    size_t D = (size_t)table->shape[1];
    for (size_t i = 0; i < ids->size; i++)
        memcpy((*y)->data + i * D, table->data + (size_t)ids->data[i] * D,
               D * sizeof(float));
    if (nn_needs_grad(1, &table)) {
        nn_node *node;
        nn_tensor *in[2] = {ids, table};
        if ((s = nn_record(&node, *y, "embedding", embedding_backward, 2,
                           in)) != NN_OK) {
            nn_tensor_release(*y);
            *y = NULL;
            return s;
        }
    }
    return NN_OK;
}

nn_status nn_embedding_mask(nn_tensor **mask, nn_tensor *ids)
{
    nn_status s;
    if (ids->symbolic)
        return nn_tensor_symbolic(mask, ids->ndim, ids->shape);
    if ((s = nn_tensor_new_like(mask, ids)) != NN_OK)
        return s;
    for (size_t i = 0; i < ids->size; i++)
        (*mask)->data[i] = ids->data[i] != 0.0f;
    return NN_OK;
}

nn_status nn_masking_mask(nn_tensor **mask, nn_tensor *x, float value,
                          const char *name)
{
    nn_status s;
    *mask = NULL;
    if (x->ndim < 2)
        return nn_error(NN_ESHAPE, "Masking '%s': expected input of rank >= 2 "
                        "(batch, ..., features), got shape %s", name,
                        NN_SHAPE(x));
    if (x->symbolic)
        return nn_tensor_symbolic(mask, x->ndim - 1, x->shape);
    if ((s = nn_tensor_new(mask, x->ndim - 1, x->shape)) != NN_OK)
        return s;
    size_t D = (size_t)x->shape[x->ndim - 1];
    for (size_t i = 0; i < (*mask)->size; i++) {
        float any = 0.0f;
        for (size_t j = 0; j < D; j++)
            if (x->data[i * D + j] != value)
                any = 1.0f;
        (*mask)->data[i] = any;
    }
    return NN_OK;
}
