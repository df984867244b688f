/* embedding.h - Keras's Embedding and the masks of Embedding and Masking. */
#ifndef NN_EMBEDDING_H
#define NN_EMBEDDING_H

#include "core/tensor.h"

/* y (..., D) = table[ids]: ids (...) holds integers in [0, V), table is
 * (V, D). Differentiable in table only. */
nn_status nn_embedding_forward(nn_tensor **y, nn_tensor *ids,
                               nn_tensor *table, const char *name);

/* mask (...) = 1 where ids != 0 (Embedding's mask_zero). */
nn_status nn_embedding_mask(nn_tensor **mask, nn_tensor *ids);

/* mask (..., ) = 1 where any value along x's last axis != value
 * (Masking's mask), x of rank >= 2. */
nn_status nn_masking_mask(nn_tensor **mask, nn_tensor *x, float value,
                          const char *name);

#endif
