/*
 * gemm.h - the one matrix product of attnlab.
 *
 * Row-major C = alpha * op(A) @ op(B) + beta * C, with op(X) = X or X^T:
 * op(A) is (m, k), op(B) is (k, n), C is (m, n); lda, ldb, ldc are the row
 * strides of A, B and C as stored. OpenBLAS's cblas_sgemm when configured,
 * a blocked portable loop otherwise.
 */
#ifndef NN_GEMM_H
#define NN_GEMM_H

#include <stdbool.h>
#include <stddef.h>

void nn_gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
             float alpha, const float *a, size_t lda, const float *b,
             size_t ldb, float beta, float *c, size_t ldc);

/* The same product by the portable loop, whatever was configured; tests
 * compare the two. */
void nn_gemm_portable(bool trans_a, bool trans_b, size_t m, size_t n,
                      size_t k, float alpha, const float *a, size_t lda,
                      const float *b, size_t ldb, float beta, float *c,
                      size_t ldc);

/* "openblas" or "portable" */
const char *nn_gemm_backend(void);

#endif
