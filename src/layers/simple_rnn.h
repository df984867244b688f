/* simple_rnn.h - Keras's SimpleRNN (see simple_rnn.c). */
#ifndef NN_SIMPLE_RNN_H
#define NN_SIMPLE_RNN_H

#include "recurrent.h"

nn_status nn_simple_rnn_shape(nn_rnn_dims *d, const nn_tensor *x,
                              const nn_tensor *mask, const nn_tensor *h0,
                              const nn_tensor *kernel,
                              const nn_tensor *recurrent_kernel,
                              const nn_tensor *bias, const nn_rnn_config *cfg);

/* seq (B, T, 2U) = [output | h] per processing step (recurrent.h). */
nn_status nn_simple_rnn_forward(nn_tensor **seq, nn_tensor *x,
                                nn_tensor *mask, nn_tensor *h0,
                                nn_tensor *kernel,
                                nn_tensor *recurrent_kernel, nn_tensor *bias,
                                const nn_rnn_config *cfg);

#endif
