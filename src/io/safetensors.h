/* safetensors.h - weights on disk (being written). */
#ifndef NN_SAFETENSORS_H
#define NN_SAFETENSORS_H
#include "core/tensor.h"
int nn_safetensors_placeholder(void);
#endif
