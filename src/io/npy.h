/* npy.h - NumPy .npy files (being written). */
#ifndef NN_NPY_H
#define NN_NPY_H
#include "core/tensor.h"
int nn_npy_placeholder(void);
#endif
