/*
 * check.h - helpers for the cmocka tests of the C core.
 */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/autograd.h"
#include "core/ops.h"

/* Asserts an NN_OK status, printing the core's message otherwise. */
#define CHECK_OK(expr)                                                       \
    do {                                                                     \
        nn_status s_ = (expr);                                               \
        if (s_ != NN_OK)                                                     \
            fail_msg("%s failed: %s", #expr, nn_errmsg());                   \
    } while (0)

/* Asserts a failing status and an exact message. */
#define CHECK_ERROR(expr, status, message)                                   \
    do {                                                                     \
        nn_status s_ = (expr);                                               \
        assert_int_equal(s_, (status));                                      \
        assert_string_equal(nn_errmsg(), (message));                         \
    } while (0)

/* A tensor of the given shape holding the given values. */
static inline nn_tensor *make_tensor(int ndim, const int64_t *shape,
                                     const float *values)
{
    nn_tensor *t;
    CHECK_OK(nn_tensor_new(&t, ndim, shape));
    if (values)
        memcpy(t->data, values, t->size * sizeof(float));
    return t;
}
#define T(ndim, shape, ...) \
    make_tensor((ndim), (int64_t[])shape, (float[])__VA_ARGS__)
#define SHAPE(...) {__VA_ARGS__}

/* Asserts t has the shape and values (within tol). */
static inline void check_values(const nn_tensor *t, int ndim,
                                const int64_t *shape, const float *want,
                                double tol)
{
    assert_non_null(t);
    assert_int_equal(t->ndim, ndim);
    for (int d = 0; d < ndim; d++)
        assert_int_equal(t->shape[d], shape[d]);
    for (size_t i = 0; i < t->size; i++)
        if (!(fabs((double)t->data[i] - (double)want[i]) <= tol))
            fail_msg("element %zu: got %.9g, want %.9g (tol %g)", i,
                     (double)t->data[i], (double)want[i], tol);
}
#define CHECK_VALUES(t, ndim, shape, tol, ...) \
    check_values((t), (ndim), (int64_t[])shape, (float[])__VA_ARGS__, (tol))

/* A random tensor that requires grad, values in [lo, hi). */
static inline nn_tensor *grad_input(int ndim, const int64_t *shape, float lo,
                                    float hi)
{
    nn_tensor *t;
    CHECK_OK(nn_rand(&t, ndim, shape, lo, hi));
    t->requires_grad = true;
    return t;
}

/* Runs nn_gradcheck and asserts the worst relative error is below tol. */
static inline void check_gradients(nn_gradcheck_fn f, void *ctx, int n,
                                   nn_tensor **inputs, double tol)
{
    double worst;
    CHECK_OK(nn_gradcheck(&worst, f, ctx, n, inputs, 5e-3));
    if (!(worst < tol))
        fail_msg("gradcheck: worst relative error %g >= %g", worst, tol);
}

#endif
