/* gru.h - Keras's GRU (see gru.c for the equations and layouts). */
#ifndef NN_GRU_H
#define NN_GRU_H

#include "recurrent.h"

/* Checks a call and fills its sizes. */
nn_status nn_gru_shape(nn_rnn_dims *d, const nn_tensor *x,
                       const nn_tensor *mask, const nn_tensor *h0,
                       const nn_tensor *kernel,
                       const nn_tensor *recurrent_kernel,
                       const nn_tensor *bias, const nn_rnn_config *cfg);

/* seq (B, T, 2U) = [output | h] per processing step (recurrent.h); mask,
 * h0 and bias may be NULL. One autograd node. */
nn_status nn_gru_forward(nn_tensor **seq, nn_tensor *x, nn_tensor *mask,
                         nn_tensor *h0, nn_tensor *kernel,
                         nn_tensor *recurrent_kernel, nn_tensor *bias,
                         const nn_rnn_config *cfg);

#endif
