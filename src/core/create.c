/* create.c - tensors filled with constants, ranges and random draws. */
#include <math.h>

#include "ops.h"
#include "rng.h"

nn_status nn_full(nn_tensor **out, int ndim, const int64_t *shape, float v)
{
    nn_status s = nn_tensor_new(out, ndim, shape);
    if (s != NN_OK)
        return s;
    for (size_t i = 0; i < (*out)->size; i++)
        (*out)->data[i] = v;
    return NN_OK;
}

nn_status nn_scalar(nn_tensor **out, float v)
{
    return nn_full(out, 0, NULL, v);
}

nn_status nn_eye(nn_tensor **out, int64_t n, int64_t m)
{
    nn_status s = nn_tensor_new(out, 2, (int64_t[]){n, m});
    if (s != NN_OK)
        return s;
    for (int64_t i = 0; i < n && i < m; i++)
        (*out)->data[i * m + i] = 1.0f;
    return NN_OK;
}

nn_status nn_arange(nn_tensor **out, double start, double stop, double step)
{
    *out = NULL;
    if (!isfinite(start) || !isfinite(stop))
        return nn_error(NN_EARG, "start and stop must be finite numbers");
    if (step == 0.0 || !isfinite(step))
        return nn_error(NN_EARG, "step must be a finite nonzero number");
    double n = ceil((stop - start) / step);
    if (n < 0)
        n = 0;
    if (n > 9.0e18)
        return nn_error(NN_ENOMEM, "%.3g elements are too many", n);
    nn_status s = nn_tensor_new(out, 1, (int64_t[]){(int64_t)n});
    if (s != NN_OK)
        return s;
    for (size_t i = 0; i < (*out)->size; i++)
        (*out)->data[i] = (float)(start + (double)i * step);
    return NN_OK;
}

nn_status nn_rand(nn_tensor **out, int ndim, const int64_t *shape, float lo,
                  float hi)
{
    nn_status s = nn_tensor_new(out, ndim, shape);
    if (s != NN_OK)
        return s;
    nn_rng *r = nn_rng_global();
    for (size_t i = 0; i < (*out)->size; i++)
        (*out)->data[i] = (float)(lo + (hi - lo) * nn_rng_uniform(r));
    return NN_OK;
}

nn_status nn_randn(nn_tensor **out, int ndim, const int64_t *shape,
                   float mean, float std)
{
    nn_status s = nn_tensor_new(out, ndim, shape);
    if (s != NN_OK)
        return s;
    nn_rng *r = nn_rng_global();
    for (size_t i = 0; i < (*out)->size; i++)
        (*out)->data[i] = (float)(mean + std * nn_rng_normal(r));
    return NN_OK;
}

nn_status nn_truncated_normal(nn_tensor **out, int ndim, const int64_t *shape,
                              float mean, float std)
{
    nn_status s = nn_tensor_new(out, ndim, shape);
    if (s != NN_OK)
        return s;
    nn_rng *r = nn_rng_global();
    for (size_t i = 0; i < (*out)->size; i++)
        (*out)->data[i] = (float)(mean + std * nn_rng_truncated_normal(r));
    return NN_OK;
}
