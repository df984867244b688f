/* gemm.c - nn_gemm through OpenBLAS, or a blocked portable loop. */
#include "gemm.h"

#include <string.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifdef HAVE_OPENBLAS
#include <cblas.h>
#endif

#define BLOCK 64

/* C = alpha*op(A)op(B) + beta*C. The k loop is blocked and the innermost
 * loop runs along a row of C and a row of B^op, so it stays in cache and
 * vectorizes when B is not transposed. */
void nn_gemm_portable(bool trans_a, bool trans_b, size_t m, size_t n,
                      size_t k, float alpha, const float *a, size_t lda,
                      const float *b, size_t ldb, float beta, float *c,
                      size_t ldc)
{
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (beta == 0.0f)
            memset(ci, 0, n * sizeof *ci);
        else if (beta != 1.0f)
            for (size_t j = 0; j < n; j++)
                ci[j] *= beta;
    }
    if (alpha == 0.0f || k == 0)
        return;
    for (size_t p0 = 0; p0 < k; p0 += BLOCK) {
        size_t p1 = p0 + BLOCK < k ? p0 + BLOCK : k;
        for (size_t i = 0; i < m; i++) {
            float *ci = c + i * ldc;
            for (size_t p = p0; p < p1; p++) {
                float aip = alpha * (trans_a ? a[p * lda + i] : a[i * lda + p]);
                if (aip == 0.0f)
                    continue;
                if (!trans_b) {
                    const float *bp = b + p * ldb;
                    for (size_t j = 0; j < n; j++)
                        ci[j] += aip * bp[j];
                } else {
                    for (size_t j = 0; j < n; j++)
                        ci[j] += aip * b[j * ldb + p];
                }
            }
        }
    }
}

void nn_gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
             float alpha, const float *a, size_t lda, const float *b,
             size_t ldb, float beta, float *c, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
#ifdef HAVE_OPENBLAS
    if (k > 0 && m * n * k >= 4096) {
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                    trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n,
                    (int)k, alpha, a, (int)(lda ? lda : 1), b,
                    (int)(ldb ? ldb : 1), beta, c, (int)ldc);
        return;
    }
#endif
    nn_gemm_portable(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta,
                     c, ldc);
}

const char *nn_gemm_backend(void)
{
#ifdef HAVE_OPENBLAS
    return "openblas";
#else
    return "portable";
#endif
}
