/*
 * npy.h - one tensor in a NumPy .npy file (format versions 1.0, 2.0, 3.0).
 *
 * Writing gives exactly the bytes of numpy.save on a float32 C-order array:
 * the magic "\x93NUMPY", version 1.0 (2.0 if the header would not fit), the
 * header dict {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * with numpy's spare room for growing the first axis, padded with spaces
 * and a newline so the data starts at a multiple of 64 bytes, then the
 * little-endian float32 values. The write is atomic (see safetensors.h).
 *
 * Reading accepts the dtypes float32, float64, int32 and int64 in either
 * byte order ('<f4', '>f8', '<i8', ...), converted to float32 (float64 and
 * int64 values are rounded to the nearest float, large ones become inf),
 * in C order only, of any shape with at most NN_MAXDIM axes.
 *
 * Errors as in safetensors.h: NN_EIO for the system's failures and
 * truncated files, NN_EVALUE for files that are not valid .npy or hold
 * what attnlab cannot read, NN_ENOMEM past the memory limit, NN_EARG for a
 * symbolic tensor given to save. Messages start with the path.
 */
#ifndef NN_NPY_H
#define NN_NPY_H

#include "core/tensor.h"

nn_status nn_npy_save(const char *path, const nn_tensor *t);

/* *out is a new tensor owned by the caller, NULL on failure. */
nn_status nn_npy_load(nn_tensor **out, const char *path);

#endif
