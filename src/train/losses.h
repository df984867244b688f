/* losses.h - Keras's losses (being written). */
#ifndef NN_LOSSES_H
#define NN_LOSSES_H
#include "core/tensor.h"
int nn_losses_placeholder(void);
#endif
