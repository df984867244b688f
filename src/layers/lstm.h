/* lstm.h - Keras's LSTM (see lstm.c for the equations and layouts). */
#ifndef NN_LSTM_H
#define NN_LSTM_H

#include "recurrent.h"

nn_status nn_lstm_shape(nn_rnn_dims *d, const nn_tensor *x,
                        const nn_tensor *mask, const nn_tensor *h0,
                        const nn_tensor *c0, const nn_tensor *kernel,
                        const nn_tensor *recurrent_kernel,
                        const nn_tensor *bias, const nn_rnn_config *cfg);

/* seq (B, T, 3U) = [output | h | c] per processing step (recurrent.h);
 * mask, h0, c0 and bias may be NULL. One autograd node. */
nn_status nn_lstm_forward(nn_tensor **seq, nn_tensor *x, nn_tensor *mask,
                          nn_tensor *h0, nn_tensor *c0, nn_tensor *kernel,
                          nn_tensor *recurrent_kernel, nn_tensor *bias,
                          const nn_rnn_config *cfg);

#endif
