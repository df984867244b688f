/* optimizers.h - Keras's optimizers (being written). */
#ifndef NN_OPTIMIZERS_H
#define NN_OPTIMIZERS_H
#include "core/tensor.h"
int nn_optimizers_placeholder(void);
#endif
