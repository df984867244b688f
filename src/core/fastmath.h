/*
 * fastmath.h - exp, sigmoid and tanh in float32 without branches or calls,
 * so that loops over arrays vectorize. Cephes's expf (range reduction by
 * ln 2, a degree-6 polynomial, 2^k by exponent bits): about 1 ulp.
 * tanh: an odd Taylor polynomial below |x| = 0.625 (no cancellation),
 * 1 - 2 / (exp(2|x|) + 1) above. Worst relative errors measured against
 * double precision over [-20, 20], every float step of 1e-6 (and of
 * 1e-5 in [-20, 20] for exp and tanh): exp 8.2e-8, sigmoid 1.5e-7,
 * tanh 1.4e-7 (tests/c/test_ops.c compares them with PyTorch).
 * Overflow gives inf, underflow 0, NaN stays NaN. The loops that call
 * these vectorize with -fno-trapping-math (configure adds it).
 */
#ifndef NN_FASTMATH_H
#define NN_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float nn_expf(float x)
{
    float xc = x < -87.0f ? -87.0f : x;
    xc = xc > 88.0f ? 88.0f : xc;
    xc = x != x ? 0.0f : xc;
    /* k = floor(x / ln 2 + 1/2), by truncation (SSE2 has no floor) */
    float t = xc * 1.44269504088896341f + 0.5f;
    int32_t ki = (int32_t)t;
    ki -= t < (float)ki;
    float k = (float)ki;
    float r = xc - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = (ki + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float y = p * scale;
    /* past the clamp: overflow to inf, underflow to 0, NaN stays NaN */
    y = x > 88.0f ? INFINITY : y;
    y = x < -87.0f ? 0.0f : y;
    return x != x ? x : y;
}

static inline float nn_sigmoidf(float x)
{
    return 1.0f / (1.0f + nn_expf(-x));
}

static inline float nn_tanhf(float x)
{
    float a = fabsf(x);
    /* small |x|: x (1 + x^2 (-1/3 + x^2 (2/15 + ...))) */
    float z = x * x;
    float q = 1.0f + z * (-0.333333333f + z * (0.133333333f +
              z * (-0.0539682540f + z * (0.0218694885f +
              z * (-0.00886323552f + z * (0.00359212803f +
              z * (-0.00145583438f + z * (0.000590027440f +
              z * -0.000239129114f))))))));
    float small = x * q;
    float big = 1.0f - 2.0f / (nn_expf(2.0f * a) + 1.0f);
    big = copysignf(big, x);
    return a < 0.625f ? small : big;
}

#endif
