/*
 * test_dense.c - the Dense layer: values and gradients against PyTorch,
 * finite differences, shapes, errors and symbolic inputs.
 *
 * The reference values come from tests/ref/make_dense_ref.py (PyTorch, in
 * float64 on float32 inputs), committed as tests/ref/dense_ref.h. Every
 * test runs between record_memory and no_tensor_leaked, which fail it when
 * the bytes held by live tensors differ before and after.
 */
#include "check.h"

#include <stdlib.h>

#include "layers/dense.h"

#include "../tests/ref/dense_ref.h"

#define REF_TOL 1e-5

static size_t memory_at_start;

static int record_memory(void **state)
{
    (void)state;
    memory_at_start = nn_memory_in_use();
    nn_grad_set(true);
    return 0;
}

static int no_tensor_leaked(void **state)
{
    (void)state;
    if (nn_memory_in_use() != memory_at_start) {
        print_error("leak: %zu bytes of tensors in use before the test, "
                    "%zu after\n", memory_at_start, nn_memory_in_use());
        return -1;
    }
    return 0;
}

/* The reference tensors, optionally requiring grad. */
static nn_tensor *ref_tensor(int ndim, const int64_t *shape,
                             const float *values, bool requires_grad)
{
    nn_tensor *t = make_tensor(ndim, shape, values);
    t->requires_grad = requires_grad;
    return t;
}
#define KERNEL(g) ref_tensor(2, (int64_t[]){REF_IN, REF_UNITS}, ref_kernel, (g))
#define BIAS(g) ref_tensor(1, (int64_t[]){REF_UNITS}, ref_bias, (g))
#define X2(g) ref_tensor(2, (int64_t[]){4, REF_IN}, ref2_x, (g))
#define X3(g) ref_tensor(3, (int64_t[]){2, 3, REF_IN}, ref3_x, (g))
#define R2() ref_tensor(2, (int64_t[]){4, REF_UNITS}, ref2_r, false)
#define R3() ref_tensor(3, (int64_t[]){2, 3, REF_UNITS}, ref3_r, false)

static nn_tensor *zeros(int ndim, const int64_t *shape)
{
    return make_tensor(ndim, shape, NULL);
}
#define ZEROS(ndim, shape) zeros((ndim), (int64_t[])shape)

static void release_all(nn_tensor **ts, int n)
{
    for (int i = 0; i < n; i++)
        nn_tensor_release(ts[i]);
}

/* ---- forward ----------------------------------------------------------- */

static void dense_on_a_2_d_input_matches_pytorch(void **state)
{
    (void)state;
    nn_tensor *x = X2(false), *k = KERNEL(false), *b = BIAS(false), *y;
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    check_values(y, 2, (int64_t[]){4, REF_UNITS}, ref2_y, REF_TOL);
    assert_null(y->node); /* nothing requires grad */
    release_all((nn_tensor *[]){x, k, b, y}, 4);
}

static void dense_on_a_3_d_input_applies_to_the_last_axis(void **state)
{
    (void)state;
    nn_tensor *x = X3(false), *k = KERNEL(false), *b = BIAS(false), *y;
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    check_values(y, 3, (int64_t[]){2, 3, REF_UNITS}, ref3_y, REF_TOL);
    release_all((nn_tensor *[]){x, k, b, y}, 4);
}

static void dense_without_bias_is_a_plain_product(void **state)
{
    (void)state;
    nn_tensor *x2 = X2(false), *x3 = X3(false), *k = KERNEL(false);
    nn_tensor *y2, *y3;
    CHECK_OK(nn_dense_forward(&y2, x2, k, NULL, "dense"));
    check_values(y2, 2, (int64_t[]){4, REF_UNITS}, ref2_y_nobias, REF_TOL);
    CHECK_OK(nn_dense_forward(&y3, x3, k, NULL, "dense"));
    check_values(y3, 3, (int64_t[]){2, 3, REF_UNITS}, ref3_y_nobias,
                 REF_TOL);
    release_all((nn_tensor *[]){x2, x3, k, y2, y3}, 5);
}

static void dense_writes_over_whatever_the_result_buffer_held(void **state)
{
    (void)state;
    /* run twice so a result allocated where a previous one was must not
     * pick up its values (the product without bias has beta = 0) */
    nn_tensor *x = X2(false), *k = KERNEL(false), *y;
    for (int i = 0; i < 2; i++) {
        CHECK_OK(nn_dense_forward(&y, x, k, NULL, "dense"));
        check_values(y, 2, (int64_t[]){4, REF_UNITS}, ref2_y_nobias,
                     REF_TOL);
        for (size_t j = 0; j < y->size; j++)
            y->data[j] = 1e6f;
        nn_tensor_release(y);
    }
    release_all((nn_tensor *[]){x, k}, 2);
}

/* ---- backward ---------------------------------------------------------- */

static void dense_gradients_on_a_2_d_input_match_pytorch(void **state)
{
    (void)state;
    /* d sum(y * r) / dy = r */
    nn_tensor *x = X2(true), *k = KERNEL(true), *b = BIAS(true), *r = R2();
    nn_tensor *y;
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    assert_non_null(y->node);
    assert_string_equal(y->node->op, "dense");
    assert_int_equal(y->node->ninputs, 3);
    CHECK_OK(nn_backward(y, r));
    check_values(x->grad, 2, (int64_t[]){4, REF_IN}, ref2_dx, REF_TOL);
    check_values(k->grad, 2, (int64_t[]){REF_IN, REF_UNITS}, ref2_dkernel,
                 REF_TOL);
    check_values(b->grad, 1, (int64_t[]){REF_UNITS}, ref2_dbias, REF_TOL);
    release_all((nn_tensor *[]){x, k, b, r, y}, 5);
}

static void dense_gradients_on_a_3_d_input_match_pytorch(void **state)
{
    (void)state;
    /* the loss built from ops this time: sum(y * r) */
    nn_tensor *x = X3(true), *k = KERNEL(true), *b = BIAS(true), *r = R3();
    nn_tensor *y, *yr, *loss;
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    CHECK_OK(nn_binary(&yr, NN_MUL, y, r));
    CHECK_OK(nn_reduce(&loss, NN_SUM, yr, 0, NULL, false));
    CHECK_OK(nn_backward(loss, NULL));
    check_values(x->grad, 3, (int64_t[]){2, 3, REF_IN}, ref3_dx, REF_TOL);
    check_values(k->grad, 2, (int64_t[]){REF_IN, REF_UNITS}, ref3_dkernel,
                 REF_TOL);
    check_values(b->grad, 1, (int64_t[]){REF_UNITS}, ref3_dbias, REF_TOL);
    release_all((nn_tensor *[]){x, k, b, r, y, yr, loss}, 7);
}

static void dense_gradients_without_bias_match_pytorch(void **state)
{
    (void)state;
    nn_tensor *x2 = X2(true), *x3 = X3(true), *k = KERNEL(true);
    nn_tensor *r2 = R2(), *r3 = R3(), *y2, *y3;
    CHECK_OK(nn_dense_forward(&y2, x2, k, NULL, "dense"));
    assert_int_equal(y2->node->ninputs, 2);
    CHECK_OK(nn_backward(y2, r2));
    check_values(x2->grad, 2, (int64_t[]){4, REF_IN}, ref2_dx_nobias,
                 REF_TOL);
    check_values(k->grad, 2, (int64_t[]){REF_IN, REF_UNITS},
                 ref2_dkernel_nobias, REF_TOL);
    nn_tensor_zero_grad(k);
    CHECK_OK(nn_dense_forward(&y3, x3, k, NULL, "dense"));
    CHECK_OK(nn_backward(y3, r3));
    check_values(x3->grad, 3, (int64_t[]){2, 3, REF_IN}, ref3_dx_nobias,
                 REF_TOL);
    check_values(k->grad, 2, (int64_t[]){REF_IN, REF_UNITS},
                 ref3_dkernel_nobias, REF_TOL);
    release_all((nn_tensor *[]){x2, x3, k, r2, r3, y2, y3}, 7);
}

static void dense_gradients_add_to_what_is_there(void **state)
{
    (void)state;
    /* two backward calls: every gradient is twice PyTorch's */
    nn_tensor *x = X2(true), *k = KERNEL(true), *b = BIAS(true), *r = R2();
    nn_tensor *y;
    float dx[12], dk[15], db[5];
    for (int i = 0; i < 12; i++)
        dx[i] = 2 * ref2_dx[i];
    for (int i = 0; i < 15; i++)
        dk[i] = 2 * ref2_dkernel[i];
    for (int i = 0; i < 5; i++)
        db[i] = 2 * ref2_dbias[i];
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    CHECK_OK(nn_backward(y, r));
    CHECK_OK(nn_backward(y, r));
    check_values(x->grad, 2, (int64_t[]){4, REF_IN}, dx, 2 * REF_TOL);
    check_values(k->grad, 2, (int64_t[]){REF_IN, REF_UNITS}, dk, 2 * REF_TOL);
    check_values(b->grad, 1, (int64_t[]){REF_UNITS}, db, 2 * REF_TOL);
    release_all((nn_tensor *[]){x, k, b, r, y}, 5);
}

static void only_inputs_that_require_grad_get_a_gradient(void **state)
{
    (void)state;
    nn_tensor *x = X2(false), *k = KERNEL(true), *b = BIAS(false), *r = R2();
    nn_tensor *y;
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    CHECK_OK(nn_backward(y, r));
    assert_null(x->grad);
    assert_null(b->grad);
    check_values(k->grad, 2, (int64_t[]){REF_IN, REF_UNITS}, ref2_dkernel,
                 REF_TOL);
    release_all((nn_tensor *[]){x, k, b, r, y}, 5);
}

/* ---- larger sizes (the BLAS path, when configured) --------------------- */

/* y = x @ kernel + bias and the gradients of sum(y * r), in double. */
static void naive_dense(size_t rows, size_t in, size_t units, const float *x,
                        const float *k, const float *b, const float *r,
                        double *y, double *dx, double *dk, double *db)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < units; j++) {
            double acc = b[j];
            for (size_t p = 0; p < in; p++)
                acc += (double)x[i * in + p] * k[p * units + j];
            y[i * units + j] = acc;
        }
    for (size_t i = 0; i < rows; i++)
        for (size_t p = 0; p < in; p++) {
            double acc = 0.0;
            for (size_t j = 0; j < units; j++)
                acc += (double)r[i * units + j] * k[p * units + j];
            dx[i * in + p] = acc;
        }
    for (size_t p = 0; p < in; p++)
        for (size_t j = 0; j < units; j++) {
            double acc = 0.0;
            for (size_t i = 0; i < rows; i++)
                acc += (double)x[i * in + p] * r[i * units + j];
            dk[p * units + j] = acc;
        }
    for (size_t j = 0; j < units; j++) {
        double acc = 0.0;
        for (size_t i = 0; i < rows; i++)
            acc += r[i * units + j];
        db[j] = acc;
    }
}

static void assert_close(const float *got, const double *want, size_t n,
                         double tol, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs((double)got[i] - want[i]) <= tol * fmax(1.0, fabs(want[i]))))
            fail_msg("%s[%zu]: got %.9g, want %.9g", what, i, (double)got[i],
                     want[i]);
}

static void dense_on_large_inputs_matches_a_naive_loop(void **state)
{
    (void)state;
    enum { B = 8, T = 16, IN = 32, UNITS = 24, ROWS = B * T };
    nn_tensor *x = grad_input(3, (int64_t[]){B, T, IN}, -1.0f, 1.0f);
    nn_tensor *k = grad_input(2, (int64_t[]){IN, UNITS}, -1.0f, 1.0f);
    nn_tensor *b = grad_input(1, (int64_t[]){UNITS}, -1.0f, 1.0f);
    nn_tensor *r, *y;
    CHECK_OK(nn_rand(&r, 3, (int64_t[]){B, T, UNITS}, -1.0f, 1.0f));
    double *want = malloc(sizeof(double) *
                          (ROWS * UNITS + ROWS * IN + IN * UNITS + UNITS));
    assert_non_null(want);
    double *wy = want, *wdx = wy + ROWS * UNITS, *wdk = wdx + ROWS * IN,
           *wdb = wdk + IN * UNITS;
    naive_dense(ROWS, IN, UNITS, x->data, k->data, b->data, r->data, wy, wdx,
                wdk, wdb);
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    assert_int_equal(y->ndim, 3);
    assert_int_equal(y->shape[2], UNITS);
    CHECK_OK(nn_backward(y, r));
    assert_close(y->data, wy, ROWS * UNITS, 1e-5, "y");
    assert_close(x->grad->data, wdx, ROWS * IN, 1e-5, "dx");
    assert_close(k->grad->data, wdk, IN * UNITS, 1e-5, "dkernel");
    assert_close(b->grad->data, wdb, UNITS, 1e-5, "dbias");
    free(want);
    release_all((nn_tensor *[]){x, k, b, r, y}, 5);
}

/* ---- finite differences ------------------------------------------------ */

static nn_status dense_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    bool with_bias = *(const bool *)ctx;
    return nn_dense_forward(out, in[0], in[1], with_bias ? in[2] : NULL,
                            "dense");
}

static void dense_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    bool with_bias = true;
    nn_tensor *in[3] = {grad_input(3, (int64_t[]){2, 3, 4}, -1.0f, 1.0f),
                        grad_input(2, (int64_t[]){4, 5}, -1.0f, 1.0f),
                        grad_input(1, (int64_t[]){5}, -1.0f, 1.0f)};
    check_gradients(dense_fn, &with_bias, 3, in, 1e-3);
    release_all(in, 3);
}

static void dense_gradients_without_bias_agree_with_finite_differences(
    void **state)
{
    (void)state;
    bool with_bias = false;
    nn_tensor *in[2] = {grad_input(2, (int64_t[]){3, 6}, -2.0f, 2.0f),
                        grad_input(2, (int64_t[]){6, 2}, -1.0f, 1.0f)};
    check_gradients(dense_fn, &with_bias, 2, in, 1e-3);
    release_all(in, 2);
}

/* ---- shapes and errors ------------------------------------------------- */

static void dense_shape_replaces_the_last_axis_with_units(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(2, 7, 3)), *k = KERNEL(false);
    nn_tensor *b = BIAS(false);
    int ndim = -1;
    int64_t shape[NN_MAXDIM];
    CHECK_OK(nn_dense_shape(&ndim, shape, x, k, b, "dense"));
    assert_int_equal(ndim, 3);
    assert_int_equal(shape[0], 2);
    assert_int_equal(shape[1], 7);
    assert_int_equal(shape[2], REF_UNITS);
    CHECK_OK(nn_dense_shape(&ndim, shape, x, k, NULL, "dense"));
    assert_string_equal(nn_shape_str(ndim, shape), "(2, 7, 5)");
    release_all((nn_tensor *[]){x, k, b}, 3);
}

static void an_input_with_the_wrong_last_axis_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(2, SHAPE(4, 7)), *k = KERNEL(false), *b = BIAS(false);
    nn_tensor *y = (nn_tensor *)&y;
    int ndim;
    int64_t shape[NN_MAXDIM];
    CHECK_ERROR(nn_dense_shape(&ndim, shape, x, k, b, "dense_1"), NN_ESHAPE,
                "Dense 'dense_1': expected input with last axis 3, got shape "
                "(4, 7)");
    CHECK_ERROR(nn_dense_forward(&y, x, k, b, "dense_1"), NN_ESHAPE,
                "Dense 'dense_1': expected input with last axis 3, got shape "
                "(4, 7)");
    assert_null(y);
    release_all((nn_tensor *[]){x, k, b}, 3);
}

static void an_input_of_rank_1_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = T(1, SHAPE(3), {1, 2, 3}), *k = KERNEL(false);
    nn_tensor *y = (nn_tensor *)&y;
    CHECK_ERROR(nn_dense_forward(&y, x, k, NULL, "dense"), NN_ESHAPE,
                "Dense 'dense': expected input of rank >= 2 (batch, ..., 3), "
                "got shape (3,)");
    assert_null(y);
    release_all((nn_tensor *[]){x, k}, 2);
}

static void a_bias_of_the_wrong_shape_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = X2(false), *k = KERNEL(false), *y = (nn_tensor *)&y;
    nn_tensor *b4 = ZEROS(1, SHAPE(4)), *b15 = ZEROS(2, SHAPE(1, 5));
    CHECK_ERROR(nn_dense_forward(&y, x, k, b4, "dense"), NN_ESHAPE,
                "Dense 'dense': bias must be (5,), got (4,)");
    assert_null(y);
    CHECK_ERROR(nn_dense_forward(&y, x, k, b15, "dense"), NN_ESHAPE,
                "Dense 'dense': bias must be (5,), got (1, 5)");
    release_all((nn_tensor *[]){x, k, b4, b15}, 4);
}

static void a_kernel_that_is_not_a_matrix_is_refused(void **state)
{
    (void)state;
    nn_tensor *x = X2(false), *k = ZEROS(1, SHAPE(3)), *y = (nn_tensor *)&y;
    CHECK_ERROR(nn_dense_forward(&y, x, k, NULL, "dense"), NN_ESHAPE,
                "Dense 'dense': kernel must be (in, units), got (3,)");
    assert_null(y);
    release_all((nn_tensor *[]){x, k}, 2);
}

static void a_dense_result_over_the_memory_limit_names_the_layer(void **state)
{
    (void)state;
    size_t saved = nn_memory_limit();
    nn_tensor *x = X2(true), *k = KERNEL(true), *y = (nn_tensor *)&y;
    char want[256];
    size_t limit = nn_memory_in_use() + 40;
    nn_set_memory_limit(limit);
    nn_status s = nn_dense_forward(&y, x, k, NULL, "encoder");
    nn_set_memory_limit(saved);
    snprintf(want, sizeof want, "Dense 'encoder': a tensor of shape (4, 5) "
             "would need 80 bytes, more than the memory limit (%zu bytes)",
             limit);
    assert_int_equal(s, NN_ENOMEM);
    assert_string_equal(nn_errmsg(), want);
    assert_null(y);
    assert_int_equal(x->refcount, 1);
    release_all((nn_tensor *[]){x, k}, 2);
}

static void an_empty_batch_gives_an_empty_result(void **state)
{
    (void)state;
    nn_tensor *x, *k = KERNEL(true), *b = BIAS(true), *y, *g;
    CHECK_OK(nn_tensor_new(&x, 2, (int64_t[]){0, REF_IN}));
    x->requires_grad = true;
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    assert_int_equal(y->ndim, 2);
    assert_int_equal(y->shape[0], 0);
    assert_int_equal(y->shape[1], REF_UNITS);
    assert_int_equal(y->size, 0);
    CHECK_OK(nn_tensor_new_like(&g, y));
    CHECK_OK(nn_backward(y, g));
    CHECK_VALUES(k->grad, 2, SHAPE(3, 5), 0.0,
                 {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK_VALUES(b->grad, 1, SHAPE(5), 0.0, {0, 0, 0, 0, 0});
    release_all((nn_tensor *[]){x, k, b, y, g}, 5);
}

/* ---- symbolic inputs --------------------------------------------------- */

static void a_symbolic_input_gives_a_symbolic_output_shape(void **state)
{
    (void)state;
    nn_tensor *x, *k, *b, *y;
    CHECK_OK(nn_tensor_symbolic(&x, 3, (int64_t[]){NN_NONE, 64, 32}));
    CHECK_OK(nn_tensor_new(&k, 2, (int64_t[]){32, 16}));
    CHECK_OK(nn_tensor_new(&b, 1, (int64_t[]){16}));
    k->requires_grad = true;
    size_t before = nn_memory_in_use();
    CHECK_OK(nn_dense_forward(&y, x, k, b, "dense"));
    assert_true(y->symbolic);
    assert_null(y->data);
    assert_null(y->node);
    assert_string_equal(NN_SHAPE(y), "(None, 64, 16)");
    assert_int_equal(nn_memory_in_use(), before); /* computed nothing */
    nn_tensor_release(y);

    int ndim;
    int64_t shape[NN_MAXDIM];
    CHECK_OK(nn_dense_shape(&ndim, shape, x, k, NULL, "dense"));
    assert_string_equal(nn_shape_str(ndim, shape), "(None, 64, 16)");
    nn_tensor_release(x);

    CHECK_OK(nn_tensor_symbolic(&x, 3, (int64_t[]){NN_NONE, 64, 31}));
    y = (nn_tensor *)&y;
    CHECK_ERROR(nn_dense_forward(&y, x, k, b, "dense"), NN_ESHAPE,
                "Dense 'dense': expected input with last axis 32, got shape "
                "(None, 64, 31)");
    assert_null(y);
    release_all((nn_tensor *[]){x, k, b}, 3);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, record_memory, \
                                                no_tensor_leaked)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(dense_on_a_2_d_input_matches_pytorch),
        TEST(dense_on_a_3_d_input_applies_to_the_last_axis),
        TEST(dense_without_bias_is_a_plain_product),
        TEST(dense_writes_over_whatever_the_result_buffer_held),
        TEST(dense_gradients_on_a_2_d_input_match_pytorch),
        TEST(dense_gradients_on_a_3_d_input_match_pytorch),
        TEST(dense_gradients_without_bias_match_pytorch),
        TEST(dense_gradients_add_to_what_is_there),
        TEST(only_inputs_that_require_grad_get_a_gradient),
        TEST(dense_on_large_inputs_matches_a_naive_loop),
        TEST(dense_gradients_agree_with_finite_differences),
        TEST(dense_gradients_without_bias_agree_with_finite_differences),
        TEST(dense_shape_replaces_the_last_axis_with_units),
        TEST(an_input_with_the_wrong_last_axis_is_refused),
        TEST(an_input_of_rank_1_is_refused),
        TEST(a_bias_of_the_wrong_shape_is_refused),
        TEST(a_kernel_that_is_not_a_matrix_is_refused),
        TEST(a_dense_result_over_the_memory_limit_names_the_layer),
        TEST(an_empty_batch_gives_an_empty_result),
        TEST(a_symbolic_input_gives_a_symbolic_output_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
