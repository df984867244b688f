/*
 * safetensors.h - named float32 tensors on disk in Hugging Face's
 * safetensors format, plus the file helpers shared by src/io.
 *
 * The format: an 8-byte little-endian header length N, N bytes of JSON
 *   {"__metadata__": {"key": "value", ...},
 *    "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
 * padded with spaces to a multiple of 8, then the tensors' raw little-endian
 * bytes; data_offsets count from the start of that data, and the tensors
 * must cover it exactly, without holes or overlaps.
 *
 * Writing follows the reference implementation byte for byte: compact JSON,
 * "__metadata__" first (its keys sorted, as the reference leaves them in
 * hash order), then the tensors sorted by name, laid out in that order.
 * Files written by Python's safetensors (save_file) load unchanged as long
 * as every tensor is F32; attnlab stores only float32.
 *
 * Every write is atomic: the bytes go to a temporary file in the same
 * directory, are flushed and fsync'ed, then renamed over path. On failure
 * the temporary file is removed and an existing file at path is untouched.
 *
 * Errors: NN_EIO for the operating system's failures ("path: No such file
 * or directory") and for truncated files, NN_EVALUE for files that are not
 * valid safetensors (bad JSON, a dtype other than F32, inconsistent
 * offsets), NN_ENOMEM when a tensor would pass the memory limit, NN_EARG for
 * bad arguments to a save (symbolic tensors, repeated names). Every message
 * about a file starts with its path.
 */
#ifndef NN_SAFETENSORS_H
#define NN_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "core/tensor.h"

/* The largest header accepted, as the reference implementation's. */
#define NN_SAFETENSORS_MAX_HEADER 100000000u

/* The contents of a loaded file; the caller owns it and frees it with
 * nn_safetensors_free (which accepts entries already set to NULL, so a
 * caller can take tensors out of it one by one). */
typedef struct nn_safetensors {
    size_t count;         /* tensors, in the order of their data */
    char **names;
    nn_tensor **tensors;
    size_t nmeta;         /* "__metadata__" entries, in the file's order */
    char **meta_keys;
    char **meta_values;
} nn_safetensors;

/* Writes the n tensors under the given names, with nmeta metadata entries
 * (nmeta may be 0 and meta_keys/meta_values NULL: no "__metadata__"). Names
 * must be unique, valid UTF-8 and not "__metadata__"; tensors must have
 * values (not symbolic). */
nn_status nn_safetensors_save(const char *path, size_t n,
                              const char *const *names,
                              const nn_tensor *const *tensors, size_t nmeta,
                              const char *const *meta_keys,
                              const char *const *meta_values);

/* Reads a whole file, validating the header against the file before
 * allocating any tensor. On failure *out is left empty (all zero). */
nn_status nn_safetensors_load(nn_safetensors *out, const char *path);

void nn_safetensors_free(nn_safetensors *st);

/* ---- helpers shared by the files of src/io ------------------------------ */

/* Writes the concatenation of nparts buffers to path atomically (see
 * above). Parts of size 0 may be NULL. */
nn_status nn_io_write_atomic(const char *path, size_t nparts,
                             const void *const *parts, const size_t *sizes);

/* Opens a regular file for reading; *size is its size in bytes. */
nn_status nn_io_open_read(int *fd, uint64_t *size, const char *path);

/* Reads exactly n bytes; a short read is reported as a truncated file of
 * the given kind ("safetensors", ".npy"). */
nn_status nn_io_read_exact(int fd, void *buf, size_t n, const char *path,
                           const char *kind);

/* True on a big-endian host (the files are little-endian). */
int nn_io_big_endian(void);

/* Reverses the bytes of each of the n items of the given width. */
void nn_io_swap_bytes(void *buf, size_t n, size_t width);

#endif
