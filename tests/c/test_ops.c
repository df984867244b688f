/*
 * test_ops.c - values, shapes, gradients and error messages of every op in
 * core/ops.h, and nn_gemm against its portable loop.
 *
 * Hand-checked cases come first; then PyTorch references (tests/ref/
 * ops_ref.h, made by tests/ref/make_ops_ref.py), finite-difference
 * gradient checks of every differentiable op and input, the exact error
 * messages, and the gemm backends. Every test also checks that the tensors
 * it made (and those the ops made inside) are all released.
 */
#include "check.h"

#include <stdlib.h>

#include "core/gemm.h"
#include "../ref/ops_ref.h"

/* ---- helpers ----------------------------------------------------------- */

static size_t memory_at_start;

static int remember_memory(void **state)
{
    (void)state;
    nn_grad_set(true);
    memory_at_start = nn_memory_in_use();
    return 0;
}

/* Fails the test when tensor data is still held: a leak in the test or in
 * an op (batch_dot, select and backward make temporaries). */
static int check_memory_released(void **state)
{
    (void)state;
    if (nn_memory_in_use() != memory_at_start) {
        print_error("tensor data in use went from %zu to %zu bytes: a "
                    "tensor was not released\n", memory_at_start,
                    nn_memory_in_use());
        return -1;
    }
    return 0;
}

static void release_all(nn_tensor **ts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        nn_tensor_release(ts[i]);
}
#define RELEASE(...)                                                       \
    release_all((nn_tensor *[]){__VA_ARGS__},                              \
                sizeof((nn_tensor *[]){__VA_ARGS__}) / sizeof(nn_tensor *))

/* Marks t as requiring grad (a leaf of the graph) and returns it. */
static nn_tensor *leaf(nn_tensor *t)
{
    t->requires_grad = true;
    return t;
}

/* A tensor of zeros (T needs every value). */
#define ZEROS(ndim, shape) make_tensor((ndim), (int64_t[])shape, NULL)

static nn_tensor *symbolic(int ndim, const int64_t *shape)
{
    nn_tensor *t;
    CHECK_OK(nn_tensor_symbolic(&t, ndim, shape));
    return t;
}
#define SYM(ndim, shape) symbolic((ndim), (int64_t[])shape)

static void check_symbolic(const nn_tensor *t, int ndim, const int64_t *shape)
{
    assert_non_null(t);
    assert_true(t->symbolic);
    assert_null(t->data);
    if (!nn_shape_equal(t->ndim, t->shape, ndim, shape))
        fail_msg("symbolic shape %s, want %s", NN_SHAPE(t),
                 nn_shape_str(ndim, shape));
}
#define CHECK_SYMBOLIC(t, ndim, shape) \
    check_symbolic((t), (ndim), (int64_t[])shape)

/* |got - want| <= rtol * max(1, |want|) for every element: relative for
 * large values, absolute near 0 (the measure nn_gradcheck uses). */
static void check_close(const char *what, const nn_tensor *t, int ndim,
                        const int64_t *shape, const double *want, double rtol)
{
    assert_non_null(t);
    if (!nn_shape_equal(t->ndim, t->shape, ndim, shape))
        fail_msg("%s: shape %s, want %s", what, NN_SHAPE(t),
                 nn_shape_str(ndim, shape));
    for (size_t i = 0; i < t->size; i++) {
        double got = t->data[i], err = fabs(got - want[i]);
        if (!(err <= rtol * fmax(1.0, fabs(want[i]))))
            fail_msg("%s: element %zu: got %.9g, want %.9g (error %.3g)",
                     what, i, got, want[i], err);
    }
}
#define CHECK_CLOSE(t, ndim, shape, rtol, ...)                             \
    check_close(#t, (t), (ndim), (int64_t[])shape, (double[])__VA_ARGS__,  \
                (rtol))

/* The gradient accumulated in x (which must exist). */
static const nn_tensor *grad_of(const nn_tensor *x)
{
    if (!x->grad)
        fail_msg("no gradient reached a tensor of shape %s", NN_SHAPE(x));
    return x->grad;
}

/* Backpropagates from y with a gradient of ones. */
static void backward_ones(nn_tensor *y)
{
    nn_tensor *ones;
    CHECK_OK(nn_full(&ones, y->ndim, y->shape, 1.0f));
    CHECK_OK(nn_backward(y, ones));
    nn_tensor_release(ones);
}

/* Distinct values 0.25 apart in a scrambled order, so max/min have a
 * unique winner that finite differences cannot displace. */
static nn_tensor *distinct_input(int ndim, const int64_t *shape)
{
    static const size_t steps[] = {7, 11, 13, 17, 19, 23, 29, 31};
    nn_tensor *t = make_tensor(ndim, shape, NULL);
    size_t n = t->size, k = 1;
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        size_t a = steps[i], b = n;
        while (b) { size_t r = a % b; a = b; b = r; }
        if (a == 1) { k = steps[i]; break; }
    }
    for (size_t i = 0; i < n; i++)
        t->data[i] = (float)((i * k) % n) * 0.25f - (float)n * 0.125f;
    return leaf(t);
}

/* Random multiples of 0.2 plus offset, requiring grad: two such inputs
 * with offsets 0.05 and 0.15 differ by at least 0.1 everywhere, far more
 * than the finite-difference step, so maximum/minimum stay off their kink. */
static nn_tensor *grid_input(int ndim, const int64_t *shape, float offset)
{
    nn_tensor *t = grad_input(ndim, shape, -1.0f, 1.0f);
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = roundf(t->data[i] * 5.0f) / 5.0f + offset;
    return t;
}

#define GRAD_TOL 1e-3

/* ---- element-wise: values ---------------------------------------------- */

static void test_binary_ops_compute_each_kind_elementwise(void **state)
{
    (void)state;
    static const double want[7][6] = {
        /* add */ {1.5, 0, 7, 12, 5.25, 5},
        /* subtract */ {0.5, 4, -1, -4, 4.75, 7},
        /* multiply */ {0.5, -4, 12, 32, 1.25, -6},
        /* divide */ {2, -1, 0.75, 0.5, 20, -6},
        /* pow */ {1, 0.25, 81, 65536, 1.4953487812212205, 1.0 / 6.0},
        /* maximum */ {1, 2, 4, 8, 5, 6},
        /* minimum */ {0.5, -2, 3, 4, 0.25, -1},
    };
    nn_tensor *a = T(2, SHAPE(2, 3), {1, 2, 3, 4, 5, 6});
    nn_tensor *b = T(2, SHAPE(2, 3), {0.5, -2, 4, 8, 0.25, -1});
    for (int k = NN_ADD; k <= NN_MINIMUM; k++) {
        nn_tensor *y;
        CHECK_OK(nn_binary(&y, (nn_binary_kind)k, a, b));
        check_close(nn_binary_name((nn_binary_kind)k), y, 2,
                    (int64_t[]){2, 3}, want[k], 1e-6);
        assert_false(y->requires_grad);
        assert_null(y->node);
        nn_tensor_release(y);
    }
    RELEASE(a, b);
}

static void test_binary_names_follow_keras(void **state)
{
    (void)state;
    assert_string_equal(nn_binary_name(NN_ADD), "add");
    assert_string_equal(nn_binary_name(NN_SUB), "subtract");
    assert_string_equal(nn_binary_name(NN_MUL), "multiply");
    assert_string_equal(nn_binary_name(NN_DIV), "divide");
    assert_string_equal(nn_binary_name(NN_POW), "pow");
    assert_string_equal(nn_binary_name(NN_MAXIMUM), "maximum");
    assert_string_equal(nn_binary_name(NN_MINIMUM), "minimum");
}

static void test_binary_broadcasts_a_vector_over_the_rows(void **state)
{
    (void)state;
    nn_tensor *a = T(2, SHAPE(2, 3), {1, 2, 3, 4, 5, 6});
    nn_tensor *b = T(1, SHAPE(3), {10, 20, 30});
    nn_tensor *y, *z;
    CHECK_OK(nn_binary(&y, NN_ADD, a, b));
    CHECK_VALUES(y, 2, SHAPE(2, 3), 0, {11, 22, 33, 14, 25, 36});
    CHECK_OK(nn_binary(&z, NN_MAXIMUM, b, a)); /* the (3,) on the left */
    CHECK_VALUES(z, 2, SHAPE(2, 3), 0, {10, 20, 30, 10, 20, 30});
    RELEASE(a, b, y, z);
}

static void test_binary_broadcasts_a_column_against_a_row(void **state)
{
    (void)state;
    nn_tensor *a = T(2, SHAPE(2, 1), {1, 2});
    nn_tensor *b = T(2, SHAPE(1, 3), {3, 4, 5});
    nn_tensor *y;
    CHECK_OK(nn_binary(&y, NN_MUL, a, b));
    CHECK_VALUES(y, 2, SHAPE(2, 3), 0, {3, 4, 5, 6, 8, 10});
    RELEASE(a, b, y);
}

static void test_binary_broadcasts_scalar_tensors(void **state)
{
    (void)state;
    nn_tensor *two, *three, *x = T(2, SHAPE(2, 2), {1, 2, 3, 4});
    nn_tensor *y1, *y2, *y3;
    CHECK_OK(nn_scalar(&two, 2.0f));
    CHECK_OK(nn_scalar(&three, 3.0f));
    assert_int_equal(two->ndim, 0);
    assert_int_equal(two->size, 1);
    CHECK_OK(nn_binary(&y1, NN_SUB, two, x)); /* 2 - x */
    CHECK_VALUES(y1, 2, SHAPE(2, 2), 0, {1, 0, -1, -2});
    CHECK_OK(nn_binary(&y2, NN_DIV, x, two)); /* x / 2 */
    CHECK_VALUES(y2, 2, SHAPE(2, 2), 0, {0.5, 1, 1.5, 2});
    CHECK_OK(nn_binary(&y3, NN_POW, two, three)); /* two 0-d give a 0-d */
    CHECK_VALUES(y3, 0, SHAPE(0), 0, {8});
    RELEASE(two, three, x, y1, y2, y3);
}

static void test_binary_broadcasts_rank_3_against_rank_2(void **state)
{
    (void)state;
    /* (4, 1, 3) + (2, 1) -> (4, 2, 3): y[i][j][k] = a[i][0][k] + b[j][0] */
    nn_tensor *a, *b = T(2, SHAPE(2, 1), {100, 200}), *y;
    CHECK_OK(nn_arange(&a, 0, 12, 1));
    nn_tensor *a3;
    CHECK_OK(nn_reshape(&a3, a, 3, (int64_t[]){4, 1, 3}));
    CHECK_OK(nn_binary(&y, NN_ADD, a3, b));
    CHECK_VALUES(y, 3, SHAPE(4, 2, 3), 0,
                 {100, 101, 102, 200, 201, 202, 103, 104, 105, 203, 204, 205,
                  106, 107, 108, 206, 207, 208, 109, 110, 111, 209, 210, 211});
    RELEASE(a, a3, b, y);
}

static void test_binary_keeps_operand_order_when_both_broadcast(void **state)
{
    (void)state;
    nn_tensor *a = T(1, SHAPE(3), {1, 2, 3});
    nn_tensor *b = T(2, SHAPE(2, 1), {10, 20});
    nn_tensor *y, *z;
    CHECK_OK(nn_binary(&y, NN_SUB, a, b));
    CHECK_VALUES(y, 2, SHAPE(2, 3), 0, {-9, -8, -7, -19, -18, -17});
    CHECK_OK(nn_binary(&z, NN_DIV, b, a));
    CHECK_CLOSE(z, 2, SHAPE(2, 3), 1e-6, {10, 5, 10.0 / 3, 20, 10, 20.0 / 3});
    RELEASE(a, b, y, z);
}

static void test_unary_functions_match_hand_computed_values(void **state)
{
    (void)state;
    /* from Python's math module at x = -4, -2, -0.5, 0, 0.5, 2, 4 */
    static const struct { nn_unary_kind kind; double y[7]; } cases[] = {
        {NN_NEG, {4, 2, 0.5, 0, -0.5, -2, -4}},
        {NN_EXP, {0.0183156389, 0.135335283, 0.60653066, 1, 1.64872127,
                  7.3890561, 54.59815}},
        {NN_ABS, {4, 2, 0.5, 0, 0.5, 2, 4}},
        {NN_SQUARE, {16, 4, 0.25, 0, 0.25, 4, 16}},
        {NN_TANH, {-0.9993293, -0.96402758, -0.462117157, 0, 0.462117157,
                   0.96402758, 0.9993293}},
        {NN_SIGMOID, {0.01798621, 0.119202922, 0.377540669, 0.5, 0.622459331,
                      0.880797078, 0.98201379}},
        {NN_RELU, {0, 0, 0, 0, 0.5, 2, 4}},
        {NN_ELU, {-0.981684361, -0.864664717, -0.39346934, 0, 0.5, 2, 4}},
        {NN_SELU, {-1.72589863, -1.52016647, -0.691758188, 0, 0.525350494,
                   2.10140197, 4.20280395}},
        {NN_GELU, {-0.000126684967, -0.0455002639, -0.154268769, 0,
                   0.345731231, 1.95449974, 3.99987332}},
        {NN_SOFTPLUS, {0.0181499279, 0.126928011, 0.474076984, 0.693147181,
                       0.974076984, 2.12692801, 4.01814993}},
        {NN_SOFTSIGN, {-0.8, -2.0 / 3, -1.0 / 3, 0, 1.0 / 3, 2.0 / 3, 0.8}},
        {NN_HARD_SIGMOID, {0, 1.0 / 6, 2.5 / 6, 0.5, 3.5 / 6, 5.0 / 6, 1}},
        {NN_SILU, {-0.0719448398, -0.238405844, -0.188770334, 0, 0.311229666,
                   1.76159416, 3.92805516}},
    };
    nn_tensor *x = T(1, SHAPE(7), {-4, -2, -0.5, 0, 0.5, 2, 4});
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        nn_tensor *y;
        CHECK_OK(nn_unary(&y, cases[c].kind, x));
        check_close(nn_unary_name(cases[c].kind), y, 1, (int64_t[]){7},
                    cases[c].y, 1e-6);
        nn_tensor_release(y);
    }
    nn_tensor_release(x);
}

static void test_unary_log_and_sqrt_match_hand_computed_values(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 2), {0.25, 1, 4, 2.718281828459045});
    nn_tensor *l, *s;
    CHECK_OK(nn_unary(&l, NN_LOG, x));
    CHECK_CLOSE(l, 2, SHAPE(2, 2), 1e-6, {-1.3862943611198906, 0,
                                          1.3862943611198906, 1});
    CHECK_OK(nn_unary(&s, NN_SQRT, x));
    CHECK_CLOSE(s, 2, SHAPE(2, 2), 1e-6, {0.5, 1, 2, 1.6487212707001282});
    RELEASE(x, l, s);
}

static void test_unary_names_round_trip_through_lookup(void **state)
{
    (void)state;
    static const char *names[NN_UNARY_COUNT] = {
        "neg", "exp", "log", "sqrt", "abs", "square", "tanh", "sigmoid",
        "relu", "elu", "selu", "gelu", "softplus", "softsign",
        "hard_sigmoid", "silu"
    };
    for (int k = 0; k < NN_UNARY_COUNT; k++) {
        assert_string_equal(nn_unary_name((nn_unary_kind)k), names[k]);
        assert_int_equal(nn_unary_lookup(names[k]), k);
    }
    assert_int_equal(nn_unary_lookup("softmax"), -1);
    assert_int_equal(nn_unary_lookup(""), -1);
}

/* ---- reductions: values ------------------------------------------------ */

static void test_reduce_over_one_axis(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 3), {3, -1, 4, 1, 5, -9});
    struct { nn_reduce_kind kind; int64_t axis; int64_t n; float want[3]; }
    cases[] = {
        {NN_SUM, 0, 3, {4, 4, -5}},    {NN_SUM, 1, 2, {6, -3}},
        {NN_SUM, -1, 2, {6, -3}},      {NN_SUM, -2, 3, {4, 4, -5}},
        {NN_MEAN, 0, 3, {2, 2, -2.5}}, {NN_MEAN, -1, 2, {2, -1}},
        {NN_MAX, 0, 3, {3, 5, 4}},     {NN_MAX, 1, 2, {4, 5}},
        {NN_MIN, 0, 3, {1, -1, -9}},   {NN_MIN, -1, 2, {-1, -9}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        nn_tensor *y;
        CHECK_OK(nn_reduce(&y, cases[c].kind, x, 1, &cases[c].axis, false));
        check_values(y, 1, &cases[c].n, cases[c].want, 1e-6);
        nn_tensor_release(y);
    }
    nn_tensor_release(x);
}

static void test_reduce_over_all_axes_gives_a_scalar(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 3), {3, -1, 4, 1, 5, -9});
    nn_tensor *s, *m, *hi, *lo, *k;
    CHECK_OK(nn_reduce(&s, NN_SUM, x, 0, NULL, false));
    CHECK_VALUES(s, 0, SHAPE(0), 0, {3});
    CHECK_OK(nn_reduce(&m, NN_MEAN, x, 0, NULL, false));
    CHECK_VALUES(m, 0, SHAPE(0), 1e-7, {0.5});
    CHECK_OK(nn_reduce(&hi, NN_MAX, x, 0, NULL, false));
    CHECK_VALUES(hi, 0, SHAPE(0), 0, {5});
    CHECK_OK(nn_reduce(&lo, NN_MIN, x, 0, NULL, false));
    CHECK_VALUES(lo, 0, SHAPE(0), 0, {-9});
    CHECK_OK(nn_reduce(&k, NN_SUM, x, 0, NULL, true));
    CHECK_VALUES(k, 2, SHAPE(1, 1), 0, {3});
    RELEASE(x, s, m, hi, lo, k);
}

static void test_reduce_over_several_axes_including_negative_ones(void **state)
{
    (void)state;
    /* x[a][b][c]: a0 = {5, -3, 8 | 0, 2, -7}, a1 = {6, 1, -4 | -2, 9, 3} */
    nn_tensor *x = T(3, SHAPE(2, 2, 3),
                     {5, -3, 8, 0, 2, -7, 6, 1, -4, -2, 9, 3});
    nn_tensor *s02, *s_neg, *max01, *min01, *mean12, *all3;
    CHECK_OK(nn_reduce(&s02, NN_SUM, x, 2, (int64_t[]){0, 2}, false));
    CHECK_VALUES(s02, 1, SHAPE(2), 0, {13, 5});
    CHECK_OK(nn_reduce(&s_neg, NN_SUM, x, 2, (int64_t[]){-1, -3}, false));
    CHECK_VALUES(s_neg, 1, SHAPE(2), 0, {13, 5});
    CHECK_OK(nn_reduce(&max01, NN_MAX, x, 2, (int64_t[]){1, 0}, false));
    CHECK_VALUES(max01, 1, SHAPE(3), 0, {6, 9, 8});
    CHECK_OK(nn_reduce(&min01, NN_MIN, x, 2, (int64_t[]){0, -2}, false));
    CHECK_VALUES(min01, 1, SHAPE(3), 0, {-2, -3, -7});
    CHECK_OK(nn_reduce(&mean12, NN_MEAN, x, 2, (int64_t[]){1, 2}, false));
    CHECK_VALUES(mean12, 1, SHAPE(2), 1e-6, {5.0f / 6, 13.0f / 6});
    CHECK_OK(nn_reduce(&all3, NN_SUM, x, 3, (int64_t[]){2, 0, 1}, false));
    CHECK_VALUES(all3, 0, SHAPE(0), 0, {18});
    RELEASE(x, s02, s_neg, max01, min01, mean12, all3);
}

static void test_reduce_keepdims_keeps_reduced_axes_as_size_1(void **state)
{
    (void)state;
    nn_tensor *x = T(3, SHAPE(2, 2, 3),
                     {5, -3, 8, 0, 2, -7, 6, 1, -4, -2, 9, 3});
    nn_tensor *a, *b, *c;
    CHECK_OK(nn_reduce(&a, NN_SUM, x, 1, (int64_t[]){-2}, true));
    CHECK_VALUES(a, 3, SHAPE(2, 1, 3), 0, {5, -1, 1, 4, 10, -1});
    CHECK_OK(nn_reduce(&b, NN_MAX, x, 2, (int64_t[]){0, 2}, true));
    CHECK_VALUES(b, 3, SHAPE(1, 2, 1), 0, {8, 9});
    CHECK_OK(nn_reduce(&c, NN_MEAN, x, 0, NULL, true));
    CHECK_VALUES(c, 3, SHAPE(1, 1, 1), 1e-6, {1.5});
    RELEASE(x, a, b, c);
}

static void test_argmax_finds_the_first_largest_along_an_axis(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 3), {3, -1, 4, 1, 5, -9});
    nn_tensor *ties = T(1, SHAPE(4), {2, 7, 7, 1});
    nn_tensor *a0, *a1, *ak, *t;
    CHECK_OK(nn_argmax(&a0, x, false, 0, false, false));
    CHECK_VALUES(a0, 1, SHAPE(3), 0, {0, 1, 0});
    CHECK_OK(nn_argmax(&a1, x, false, 1, false, false));
    CHECK_VALUES(a1, 1, SHAPE(2), 0, {2, 1});
    CHECK_OK(nn_argmax(&ak, x, false, -1, true, false));
    CHECK_VALUES(ak, 2, SHAPE(2, 1), 0, {2, 1});
    CHECK_OK(nn_argmax(&t, ties, false, 0, false, false));
    CHECK_VALUES(t, 0, SHAPE(0), 0, {1});
    RELEASE(x, ties, a0, a1, ak, t);
}

static void test_argmax_searches_the_flattened_tensor(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 3), {3, -1, 4, 1, 5, -9});
    nn_tensor *a, *k;
    CHECK_OK(nn_argmax(&a, x, true, 0, false, false));
    CHECK_VALUES(a, 0, SHAPE(0), 0, {4});
    CHECK_OK(nn_argmax(&k, x, true, 0, true, false));
    CHECK_VALUES(k, 2, SHAPE(1, 1), 0, {4});
    RELEASE(x, a, k);
}

static void test_argmin_finds_the_smallest(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 3), {3, -1, 4, 1, 5, -9});
    nn_tensor *a0, *a1, *all;
    CHECK_OK(nn_argmax(&a0, x, false, 0, false, true));
    CHECK_VALUES(a0, 1, SHAPE(3), 0, {1, 0, 1});
    CHECK_OK(nn_argmax(&a1, x, false, -1, false, true));
    CHECK_VALUES(a1, 1, SHAPE(2), 0, {1, 2});
    CHECK_OK(nn_argmax(&all, x, true, 0, false, true));
    CHECK_VALUES(all, 0, SHAPE(0), 0, {5});
    RELEASE(x, a0, a1, all);
}

/* ---- softmax: values --------------------------------------------------- */

static void test_softmax_matches_hand_computed_values_on_each_axis(
    void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 2), {0, 1.0986122886681098 /* ln 3 */, 2, 2});
    nn_tensor *rows, *cols, *lrows;
    CHECK_OK(nn_softmax(&rows, x, -1, false));
    CHECK_CLOSE(rows, 2, SHAPE(2, 2), 1e-6, {0.25, 0.75, 0.5, 0.5});
    /* columns: (0, 2) and (ln 3, 2) */
    CHECK_OK(nn_softmax(&cols, x, 0, false));
    CHECK_CLOSE(cols, 2, SHAPE(2, 2), 1e-6,
                {0.11920292202211755, 3 / (3 + 7.38905609893065),
                 0.88079707797788245,
                 7.38905609893065 / (3 + 7.38905609893065)});
    CHECK_OK(nn_softmax(&lrows, x, 1, true));
    CHECK_CLOSE(lrows, 2, SHAPE(2, 2), 1e-6,
                {-1.3862943611198906, -0.2876820724517809,
                 -0.69314718055994531, -0.69314718055994531});
    RELEASE(x, rows, cols, lrows);
}

static void test_softmax_is_stable_for_large_inputs(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 2), {1000, 1000, -1000, 0});
    nn_tensor *y, *ly;
    CHECK_OK(nn_softmax(&y, x, 1, false));
    CHECK_VALUES(y, 2, SHAPE(2, 2), 1e-7, {0.5, 0.5, 0, 1});
    CHECK_OK(nn_softmax(&ly, x, 1, true));
    CHECK_VALUES(ly, 2, SHAPE(2, 2), 1e-5,
                 {-0.69314718f, -0.69314718f, -1000, 0});
    RELEASE(x, y, ly);
}

/* ---- products: values -------------------------------------------------- */

static void test_matmul_multiplies_matrices(void **state)
{
    (void)state;
    nn_tensor *a = T(2, SHAPE(2, 3), {1, 2, 3, 4, 5, 6});
    nn_tensor *b = T(2, SHAPE(3, 2), {7, 8, 9, 10, 11, 12});
    nn_tensor *y;
    CHECK_OK(nn_matmul(&y, a, b, false, false));
    CHECK_VALUES(y, 2, SHAPE(2, 2), 0, {58, 64, 139, 154});
    RELEASE(a, b, y);
}

static void test_matmul_multiplies_batches_of_matrices(void **state)
{
    (void)state;
    /* a = (I, swap rows), b = ([[1, 2], [3, 4]], [[5, 6], [7, 8]]) */
    nn_tensor *a = T(3, SHAPE(2, 2, 2), {1, 0, 0, 1, 0, 1, 1, 0});
    nn_tensor *b = T(3, SHAPE(2, 2, 2), {1, 2, 3, 4, 5, 6, 7, 8});
    nn_tensor *y;
    CHECK_OK(nn_matmul(&y, a, b, false, false));
    CHECK_VALUES(y, 3, SHAPE(2, 2, 2), 0, {1, 2, 3, 4, 7, 8, 5, 6});
    RELEASE(a, b, y);
}

/* y[i] must equal a[i or 0] @ b[i or 0], computed by 2-D products. */
static void check_batches(nn_tensor *y, nn_tensor *a, nn_tensor *b,
                          int64_t nbatch)
{
    for (int64_t i = 0; i < nbatch; i++) {
        nn_tensor *ai = a, *bi = b, *want, *got;
        if (a->ndim == 3)
            CHECK_OK(nn_select(&ai, a, 0, a->shape[0] == 1 ? 0 : i));
        else
            nn_tensor_retain(a);
        if (b->ndim == 3)
            CHECK_OK(nn_select(&bi, b, 0, b->shape[0] == 1 ? 0 : i));
        else
            nn_tensor_retain(b);
        CHECK_OK(nn_matmul(&want, ai, bi, false, false));
        CHECK_OK(nn_select(&got, y, 0, i));
        for (size_t j = 0; j < want->size; j++)
            assert_float_equal(got->data[j], want->data[j], 1e-6);
        RELEASE(ai, bi, want, got);
    }
}

static void test_matmul_broadcasts_batch_axes(void **state)
{
    (void)state;
    nn_tensor *a = grad_input(3, (int64_t[]){2, 3, 4}, -1, 1);
    nn_tensor *m = grad_input(2, (int64_t[]){4, 5}, -1, 1);
    nn_tensor *a1 = grad_input(3, (int64_t[]){1, 3, 4}, -1, 1);
    nn_tensor *b2 = grad_input(3, (int64_t[]){2, 4, 5}, -1, 1);
    nn_tensor *y1, *y2;
    CHECK_OK(nn_matmul(&y1, a, m, false, false));
    assert_int_equal(y1->ndim, 3);
    assert_int_equal(y1->shape[0], 2);
    assert_int_equal(y1->shape[1], 3);
    assert_int_equal(y1->shape[2], 5);
    check_batches(y1, a, m, 2);
    CHECK_OK(nn_matmul(&y2, a1, b2, false, false));
    assert_int_equal(y2->shape[0], 2);
    check_batches(y2, a1, b2, 2);
    RELEASE(a, m, a1, b2, y1, y2);
}

static void test_matmul_transposes_either_operand(void **state)
{
    (void)state;
    nn_tensor *a = T(2, SHAPE(2, 3), {1, 2, 3, 4, 5, 6});
    nn_tensor *at = T(2, SHAPE(3, 2), {1, 4, 2, 5, 3, 6});
    nn_tensor *b = T(2, SHAPE(3, 2), {7, 8, 9, 10, 11, 12});
    nn_tensor *bt = T(2, SHAPE(2, 3), {7, 9, 11, 8, 10, 12});
    nn_tensor *y1, *y2, *y3;
    CHECK_OK(nn_matmul(&y1, at, b, true, false));
    CHECK_VALUES(y1, 2, SHAPE(2, 2), 0, {58, 64, 139, 154});
    CHECK_OK(nn_matmul(&y2, a, bt, false, true));
    CHECK_VALUES(y2, 2, SHAPE(2, 2), 0, {58, 64, 139, 154});
    CHECK_OK(nn_matmul(&y3, at, bt, true, true));
    CHECK_VALUES(y3, 2, SHAPE(2, 2), 0, {58, 64, 139, 154});
    RELEASE(a, at, b, bt, y1, y2, y3);
}

static void test_matmul_of_an_empty_batch_gives_an_empty_result(void **state)
{
    (void)state;
    nn_tensor *a = ZEROS(3, SHAPE(0, 2, 3));
    nn_tensor *b = ZEROS(2, SHAPE(3, 4));
    nn_tensor *y = NULL;
    CHECK_OK(nn_matmul(&y, a, b, false, false));
    assert_int_equal(y->ndim, 3);
    assert_int_equal(y->shape[0], 0);
    assert_int_equal(y->shape[1], 2);
    assert_int_equal(y->shape[2], 4);
    assert_int_equal(y->size, 0);
    RELEASE(a, b, y);
}

static void test_batch_dot_of_an_empty_batch_gives_an_empty_result(
    void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(0, 3, 4)), *y = ZEROS(3, SHAPE(0, 4, 5));
    nn_tensor *z = NULL;
    CHECK_OK(nn_batch_dot(&z, x, y, true, 0, 0));
    CHECK_VALUES(z, 3, SHAPE(0, 3, 5), 0, {0});
    RELEASE(x, y, z);
}

static void test_batch_dot_over_an_empty_axis_gives_zeros(void **state)
{
    (void)state;
    /* a sum of nothing is 0, as in NumPy and Keras */
    nn_tensor *x = ZEROS(3, SHAPE(2, 3, 0)), *y = ZEROS(3, SHAPE(2, 0, 2));
    nn_tensor *z = NULL;
    CHECK_OK(nn_batch_dot(&z, x, y, true, 0, 0));
    CHECK_VALUES(z, 3, SHAPE(2, 3, 2), 0,
                 {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    RELEASE(x, y, z);
}

static void test_matmul_over_an_empty_axis_gives_zeros(void **state)
{
    (void)state;
    nn_tensor *a = ZEROS(2, SHAPE(2, 0)), *b = ZEROS(2, SHAPE(0, 3));
    nn_tensor *c = ZEROS(3, SHAPE(2, 0, 3)), *d = ZEROS(2, SHAPE(3, 4));
    nn_tensor *y, *z;
    CHECK_OK(nn_matmul(&y, a, b, false, false));
    CHECK_VALUES(y, 2, SHAPE(2, 3), 0, {0, 0, 0, 0, 0, 0});
    CHECK_OK(nn_matmul(&z, c, d, false, false));
    CHECK_VALUES(z, 3, SHAPE(2, 0, 4), 0, {0});
    RELEASE(a, b, c, d, y, z);
}

static void test_batch_dot_contracts_default_axes_of_3d_tensors(void **state)
{
    (void)state;
    /* (b, n, k) x (b, k, m): a batched matrix product */
    nn_tensor *x = T(3, SHAPE(2, 1, 2), {1, 2, 3, 4});
    nn_tensor *y = T(3, SHAPE(2, 2, 2), {5, 6, 7, 8, 1, 0, 0, -1});
    nn_tensor *z;
    CHECK_OK(nn_batch_dot(&z, x, y, true, 0, 0));
    CHECK_VALUES(z, 3, SHAPE(2, 1, 2), 0, {19, 22, 3, -4});
    RELEASE(x, y, z);
}

static void test_batch_dot_of_two_matrices_gives_a_column(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 2), {1, 2, 3, 4});
    nn_tensor *y = T(2, SHAPE(2, 2), {5, 6, 7, 8});
    nn_tensor *z, *z2;
    CHECK_OK(nn_batch_dot(&z, x, y, true, 0, 0));
    CHECK_VALUES(z, 2, SHAPE(2, 1), 0, {17, 53});
    CHECK_OK(nn_batch_dot(&z2, x, y, false, -1, 1));
    CHECK_VALUES(z2, 2, SHAPE(2, 1), 0, {17, 53});
    RELEASE(x, y, z, z2);
}

static void test_batch_dot_contracts_the_given_axes_2_2(void **state)
{
    (void)state;
    /* x[0] @ y[0]^T */
    nn_tensor *x = T(3, SHAPE(1, 2, 2), {1, 2, 3, 4});
    nn_tensor *y = T(3, SHAPE(1, 3, 2), {5, 6, 7, 8, 1, -1});
    nn_tensor *z;
    CHECK_OK(nn_batch_dot(&z, x, y, false, 2, 2));
    CHECK_VALUES(z, 3, SHAPE(1, 2, 3), 0, {17, 23, -1, 39, 53, -1});
    RELEASE(x, y, z);
}

static void test_batch_dot_of_a_matrix_and_a_3d_tensor_drops_the_axis(
    void **state)
{
    (void)state;
    /* (b, k) x (b, k, m) -> (b, m): each row times its own matrix */
    nn_tensor *x = T(2, SHAPE(2, 2), {1, 2, 3, 4});
    nn_tensor *y = T(3, SHAPE(2, 2, 3), {1, 0, 2, 0, 1, 3, 1, 1, 1, 2, 0, -1});
    nn_tensor *z;
    CHECK_OK(nn_batch_dot(&z, x, y, true, 0, 0));
    CHECK_VALUES(z, 2, SHAPE(2, 3), 0, {1, 2, 8, 11, 3, -1});
    RELEASE(x, y, z);
}

/* ---- shape ops: values ------------------------------------------------- */

static nn_tensor *arange_shaped(int ndim, const int64_t *shape)
{
    nn_tensor *t = make_tensor(ndim, shape, NULL);
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = (float)i;
    return t;
}
#define ARANGE(ndim, shape) arange_shaped((ndim), (int64_t[])shape)

static void test_reshape_infers_a_minus_one_size(void **state)
{
    (void)state;
    nn_tensor *x = ARANGE(3, SHAPE(2, 3, 4));
    nn_tensor *a, *b, *c, *one = T(1, SHAPE(1), {7}), *s;
    CHECK_OK(nn_reshape(&a, x, 2, (int64_t[]){-1, 4}));
    assert_int_equal(a->shape[0], 6);
    assert_int_equal(a->shape[1], 4);
    CHECK_OK(nn_reshape(&b, x, 3, (int64_t[]){4, -1, 3}));
    assert_int_equal(b->shape[1], 2);
    for (size_t i = 0; i < 24; i++)
        assert_true(a->data[i] == (float)i && b->data[i] == (float)i);
    CHECK_OK(nn_reshape(&c, x, 1, (int64_t[]){-1}));
    assert_int_equal(c->shape[0], 24);
    CHECK_OK(nn_reshape(&s, one, 0, NULL));
    CHECK_VALUES(s, 0, SHAPE(0), 0, {7});
    RELEASE(x, a, b, c, one, s);
}

static void test_transpose_permutes_axes(void **state)
{
    (void)state;
    /* y[i][j][k] = x[j][k][i] = 12 j + 4 k + i */
    nn_tensor *x = ARANGE(3, SHAPE(2, 3, 4));
    nn_tensor *y, *yn;
    CHECK_OK(nn_transpose(&y, x, (int64_t[]){2, 0, 1}));
    CHECK_VALUES(y, 3, SHAPE(4, 2, 3), 0,
                 {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21,
                  2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23});
    CHECK_OK(nn_transpose(&yn, x, (int64_t[]){-1, 0, -2}));
    CHECK_VALUES(yn, 3, SHAPE(4, 2, 3), 0,
                 {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21,
                  2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23});
    RELEASE(x, y, yn);
}

static void test_transpose_without_perm_reverses_axes(void **state)
{
    (void)state;
    nn_tensor *m = T(2, SHAPE(2, 3), {1, 2, 3, 4, 5, 6});
    nn_tensor *x = ARANGE(3, SHAPE(2, 3, 4));
    nn_tensor *mt, *y;
    CHECK_OK(nn_transpose(&mt, m, NULL));
    CHECK_VALUES(mt, 2, SHAPE(3, 2), 0, {1, 4, 2, 5, 3, 6});
    /* y[i][j][k] = x[k][j][i] = 12 k + 4 j + i */
    CHECK_OK(nn_transpose(&y, x, NULL));
    CHECK_VALUES(y, 3, SHAPE(4, 3, 2), 0,
                 {0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21,
                  2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23});
    RELEASE(m, x, mt, y);
}

/* Checks y = x transposed by perm, element by element. */
static void check_permuted(const nn_tensor *y, const nn_tensor *x,
                           const int64_t *perm)
{
    int64_t xst[NN_MAXDIM], idx[NN_MAXDIM] = {0};
    int nd = x->ndim;
    assert_int_equal(y->ndim, nd);
    for (int d = 0; d < nd; d++)
        assert_int_equal(y->shape[d], x->shape[perm[d]]);
    xst[nd - 1] = 1;
    for (int d = nd - 2; d >= 0; d--)
        xst[d] = xst[d + 1] * x->shape[d + 1];
    for (size_t i = 0; i < y->size; i++) {
        size_t at = 0;
        for (int d = 0; d < nd; d++)
            at += (size_t)(idx[d] * xst[perm[d]]);
        if (y->data[i] != x->data[at])
            fail_msg("perm (%d, %d, %d, %d): element %zu is %g, want %g",
                     (int)perm[0], (int)perm[1], (int)perm[2], (int)perm[3],
                     i, (double)y->data[i], (double)x->data[at]);
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < y->shape[d])
                break;
            idx[d] = 0;
        }
    }
}

static void test_transpose_of_tensors_larger_than_a_tile(void **state)
{
    (void)state;
    /* every permutation of 4 axes, sizes across the 32 x 32 tiles of the
     * blocked copy; the gradient is the inverse permutation of the seed */
    nn_tensor *x = leaf(ARANGE(4, SHAPE(3, 33, 70, 2)));
    nn_tensor *x0 = ARANGE(4, SHAPE(3, 33, 70, 2));
    int count = 0;
    for (int p = 0; p < 256; p++) {
        int64_t perm[4] = {p & 3, (p >> 2) & 3, (p >> 4) & 3, (p >> 6) & 3};
        if (perm[0] == perm[1] || perm[0] == perm[2] || perm[0] == perm[3] ||
            perm[1] == perm[2] || perm[1] == perm[3] || perm[2] == perm[3])
            continue;
        count++;
        nn_tensor *y, *g, *back;
        int64_t inv[4];
        for (int d = 0; d < 4; d++)
            inv[perm[d]] = d;
        CHECK_OK(nn_transpose(&y, x, perm));
        check_permuted(y, x0, perm);
        /* seed = y * 2 + 1, so x's gradient must be x * 2 + 1 */
        g = make_tensor(4, y->shape, NULL);
        for (size_t i = 0; i < g->size; i++)
            g->data[i] = y->data[i] * 2 + 1;
        nn_tensor_zero_grad(x);
        CHECK_OK(nn_backward(y, g));
        for (size_t i = 0; i < x->size; i++)
            if (grad_of(x)->data[i] != x0->data[i] * 2 + 1)
                fail_msg("perm (%d, %d, %d, %d): gradient %zu is %g, want %g",
                         (int)perm[0], (int)perm[1], (int)perm[2],
                         (int)perm[3], i, (double)grad_of(x)->data[i],
                         (double)(x0->data[i] * 2 + 1));
        CHECK_OK(nn_transpose(&back, y, inv)); /* and back again */
        check_permuted(back, x0, (int64_t[]){0, 1, 2, 3});
        RELEASE(y, g, back);
    }
    assert_int_equal(count, 24);
    RELEASE(x, x0);
}

static void test_squeeze_removes_size_1_axes(void **state)
{
    (void)state;
    nn_tensor *x = T(4, SHAPE(1, 3, 1, 2), {1, 2, 3, 4, 5, 6});
    nn_tensor *all, *one, *two;
    CHECK_OK(nn_squeeze(&all, x, 0, NULL));
    CHECK_VALUES(all, 2, SHAPE(3, 2), 0, {1, 2, 3, 4, 5, 6});
    CHECK_OK(nn_squeeze(&one, x, 1, (int64_t[]){-2}));
    CHECK_VALUES(one, 3, SHAPE(1, 3, 2), 0, {1, 2, 3, 4, 5, 6});
    CHECK_OK(nn_squeeze(&two, x, 2, (int64_t[]){0, 2}));
    CHECK_VALUES(two, 2, SHAPE(3, 2), 0, {1, 2, 3, 4, 5, 6});
    RELEASE(x, all, one, two);
}

static void test_expand_dims_counts_the_axis_in_the_result(void **state)
{
    (void)state;
    nn_tensor *x = T(2, SHAPE(2, 3), {1, 2, 3, 4, 5, 6});
    nn_tensor *a, *b, *c, *d;
    CHECK_OK(nn_expand_dims(&a, x, 0));
    CHECK_VALUES(a, 3, SHAPE(1, 2, 3), 0, {1, 2, 3, 4, 5, 6});
    CHECK_OK(nn_expand_dims(&b, x, -1));
    CHECK_VALUES(b, 3, SHAPE(2, 3, 1), 0, {1, 2, 3, 4, 5, 6});
    CHECK_OK(nn_expand_dims(&c, x, 1));
    CHECK_VALUES(c, 3, SHAPE(2, 1, 3), 0, {1, 2, 3, 4, 5, 6});
    CHECK_OK(nn_expand_dims(&d, x, -2));
    CHECK_VALUES(d, 3, SHAPE(2, 1, 3), 0, {1, 2, 3, 4, 5, 6});
    RELEASE(x, a, b, c, d);
}

static void test_concat_joins_along_an_existing_axis(void **state)
{
    (void)state;
    nn_tensor *a = T(2, SHAPE(2, 2), {1, 2, 3, 4});
    nn_tensor *b = T(2, SHAPE(2, 1), {5, 6});
    nn_tensor *c = T(2, SHAPE(1, 2), {7, 8});
    nn_tensor *d = T(2, SHAPE(2, 3), {9, 10, 11, 12, 13, 14});
    nn_tensor *y1, *y2, *y3;
    CHECK_OK(nn_concat(&y1, 2, (nn_tensor *[]){a, b}, 1, false));
    CHECK_VALUES(y1, 2, SHAPE(2, 3), 0, {1, 2, 5, 3, 4, 6});
    CHECK_OK(nn_concat(&y2, 3, (nn_tensor *[]){b, a, d}, -1, false));
    CHECK_VALUES(y2, 2, SHAPE(2, 6), 0,
                 {5, 1, 2, 9, 10, 11, 6, 3, 4, 12, 13, 14});
    CHECK_OK(nn_concat(&y3, 3, (nn_tensor *[]){a, c, a}, 0, false));
    CHECK_VALUES(y3, 2, SHAPE(5, 2), 0, {1, 2, 3, 4, 7, 8, 1, 2, 3, 4});
    RELEASE(a, b, c, d, y1, y2, y3);
}

static void test_stack_joins_along_a_new_axis(void **state)
{
    (void)state;
    nn_tensor *a = T(2, SHAPE(2, 2), {1, 2, 3, 4});
    nn_tensor *b = T(2, SHAPE(2, 2), {5, 6, 7, 8});
    nn_tensor *s0, *s1, *s2, *p, *q, *sc;
    CHECK_OK(nn_concat(&s0, 2, (nn_tensor *[]){a, b}, 0, true));
    CHECK_VALUES(s0, 3, SHAPE(2, 2, 2), 0, {1, 2, 3, 4, 5, 6, 7, 8});
    CHECK_OK(nn_concat(&s1, 2, (nn_tensor *[]){a, b}, 1, true));
    CHECK_VALUES(s1, 3, SHAPE(2, 2, 2), 0, {1, 2, 5, 6, 3, 4, 7, 8});
    CHECK_OK(nn_concat(&s2, 2, (nn_tensor *[]){a, b}, -1, true));
    CHECK_VALUES(s2, 3, SHAPE(2, 2, 2), 0, {1, 5, 2, 6, 3, 7, 4, 8});
    CHECK_OK(nn_scalar(&p, 1.5f));
    CHECK_OK(nn_scalar(&q, -2.0f));
    CHECK_OK(nn_concat(&sc, 3, (nn_tensor *[]){p, q, p}, 0, true));
    CHECK_VALUES(sc, 1, SHAPE(3), 0, {1.5, -2, 1.5});
    RELEASE(a, b, s0, s1, s2, p, q, sc);
}

static void test_slice_follows_python_semantics(void **state)
{
    (void)state;
    static const struct {
        int64_t start, stop, step, n;
        float want[6];
    } cases[] = {
        {1, 4, 1, 3, {1, 2, 3}},          /* x[1:4] */
        {-2, 100, 1, 2, {4, 5}},          /* x[-2:100] */
        {-100, 2, 1, 2, {0, 1}},          /* x[-100:2] */
        {0, 6, 2, 3, {0, 2, 4}},          /* x[0:6:2] */
        {1, -1, 2, 2, {1, 3}},            /* x[1:-1:2] */
        {5, 2, 1, 0, {0}},                /* x[5:2] is empty */
        {INT64_MAX, INT64_MIN, -1, 6, {5, 4, 3, 2, 1, 0}}, /* x[::-1] */
        {5, -7, -1, 6, {5, 4, 3, 2, 1, 0}},                /* x[5:-7:-1] */
        {4, 1, -1, 3, {4, 3, 2}},         /* x[4:1:-1] */
        {-1, -4, -2, 2, {5, 3}},          /* x[-1:-4:-2] */
        {10, 0, -3, 2, {5, 2}},           /* x[10:0:-3] */
        {1, 4, -1, 0, {0}},               /* x[1:4:-1] is empty */
    };
    nn_tensor *x = ARANGE(1, SHAPE(6));
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        nn_tensor *y;
        CHECK_OK(nn_slice(&y, x, 0, cases[c].start, cases[c].stop,
                          cases[c].step));
        check_values(y, 1, &cases[c].n, cases[c].want, 0);
        nn_tensor_release(y);
    }
    nn_tensor_release(x);
}

static void test_slice_with_a_negative_step_on_one_axis_of_a_matrix(
    void **state)
{
    (void)state;
    nn_tensor *x = ARANGE(2, SHAPE(3, 4));
    nn_tensor *cols, *rows;
    CHECK_OK(nn_slice(&cols, x, 1, 3, 0, -2)); /* x[:, 3:0:-2] */
    CHECK_VALUES(cols, 2, SHAPE(3, 2), 0, {3, 1, 7, 5, 11, 9});
    CHECK_OK(nn_slice(&rows, x, -2, -1, -4, -1)); /* x[-1:-4:-1, :] */
    CHECK_VALUES(rows, 2, SHAPE(3, 4), 0,
                 {8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3});
    RELEASE(x, cols, rows);
}

static void test_select_removes_the_indexed_axis(void **state)
{
    (void)state;
    nn_tensor *x = ARANGE(2, SHAPE(3, 4));
    nn_tensor *last_row, *col2, *col0;
    CHECK_OK(nn_select(&last_row, x, 0, -1));
    CHECK_VALUES(last_row, 1, SHAPE(4), 0, {8, 9, 10, 11});
    CHECK_OK(nn_select(&col2, x, 1, 2));
    CHECK_VALUES(col2, 1, SHAPE(3), 0, {2, 6, 10});
    CHECK_OK(nn_select(&col0, x, -1, -4));
    CHECK_VALUES(col0, 1, SHAPE(3), 0, {0, 4, 8});
    RELEASE(x, last_row, col2, col0);
}

/* ---- symbolic tensors -------------------------------------------------- */

static void test_symbolic_matmul_keeps_an_unknown_batch(void **state)
{
    (void)state;
    nn_tensor *x = SYM(3, SHAPE(NN_NONE, 64, 32));
    nn_tensor *w = ZEROS(2, SHAPE(32, 16));
    nn_tensor *q = SYM(3, SHAPE(NN_NONE, 5, 8));
    nn_tensor *y, *s, *t;
    CHECK_OK(nn_matmul(&y, x, w, false, false));
    CHECK_SYMBOLIC(y, 3, SHAPE(NN_NONE, 64, 16));
    CHECK_OK(nn_matmul(&s, q, q, false, true)); /* q @ q^T */
    CHECK_SYMBOLIC(s, 3, SHAPE(NN_NONE, 5, 5));
    CHECK_OK(nn_batch_dot(&t, q, q, false, 2, 2));
    CHECK_SYMBOLIC(t, 3, SHAPE(NN_NONE, 5, 5));
    RELEASE(x, w, q, y, s, t);
}

static void test_symbolic_reshape_infers_an_unknown_size(void **state)
{
    (void)state;
    nn_tensor *x = SYM(2, SHAPE(NN_NONE, 64));
    nn_tensor *y, *e, *sq;
    CHECK_OK(nn_reshape(&y, x, 3, (int64_t[]){-1, 8, 8}));
    CHECK_SYMBOLIC(y, 3, SHAPE(NN_NONE, 8, 8));
    CHECK_OK(nn_expand_dims(&e, x, 1));
    CHECK_SYMBOLIC(e, 3, SHAPE(NN_NONE, 1, 64));
    CHECK_OK(nn_squeeze(&sq, e, 0, NULL));
    CHECK_SYMBOLIC(sq, 2, SHAPE(NN_NONE, 64));
    RELEASE(x, y, e, sq);
}

static void test_symbolic_transpose_and_reduce_move_the_unknown_size(
    void **state)
{
    (void)state;
    nn_tensor *x = SYM(3, SHAPE(NN_NONE, 5, 3));
    nn_tensor *t1, *t2, *r1, *r2, *r3, *am;
    CHECK_OK(nn_transpose(&t1, x, NULL));
    CHECK_SYMBOLIC(t1, 3, SHAPE(3, 5, NN_NONE));
    CHECK_OK(nn_transpose(&t2, x, (int64_t[]){0, 2, 1}));
    CHECK_SYMBOLIC(t2, 3, SHAPE(NN_NONE, 3, 5));
    CHECK_OK(nn_reduce(&r1, NN_MEAN, x, 1, (int64_t[]){1}, false));
    CHECK_SYMBOLIC(r1, 2, SHAPE(NN_NONE, 3));
    CHECK_OK(nn_reduce(&r2, NN_SUM, x, 1, (int64_t[]){-2}, true));
    CHECK_SYMBOLIC(r2, 3, SHAPE(NN_NONE, 1, 3));
    CHECK_OK(nn_reduce(&r3, NN_MAX, x, 0, NULL, false));
    CHECK_SYMBOLIC(r3, 0, SHAPE(0));
    CHECK_OK(nn_argmax(&am, x, false, -1, false, false));
    CHECK_SYMBOLIC(am, 2, SHAPE(NN_NONE, 5));
    RELEASE(x, t1, t2, r1, r2, r3, am);
}

static void test_symbolic_elementwise_ops_broadcast_the_unknown_size(
    void **state)
{
    (void)state;
    nn_tensor *x = SYM(3, SHAPE(NN_NONE, 1, 3));
    nn_tensor *b = ZEROS(2, SHAPE(4, 1));
    nn_tensor *y = SYM(2, SHAPE(NN_NONE, 3));
    nn_tensor *z = SYM(2, SHAPE(1, 3));
    nn_tensor *c = ZEROS(2, SHAPE(4, 3));
    nn_tensor *s1, *s2, *s3, *s4, *s5, *u, *sm;
    CHECK_OK(nn_binary(&s1, NN_ADD, x, b));
    CHECK_SYMBOLIC(s1, 3, SHAPE(NN_NONE, 4, 3));
    CHECK_OK(nn_binary(&s2, NN_MUL, y, y));
    CHECK_SYMBOLIC(s2, 2, SHAPE(NN_NONE, 3));
    CHECK_OK(nn_binary(&s3, NN_SUB, z, y));
    CHECK_SYMBOLIC(s3, 2, SHAPE(NN_NONE, 3));
    CHECK_OK(nn_binary(&s4, NN_MAXIMUM, y, c));
    CHECK_SYMBOLIC(s4, 2, SHAPE(4, 3)); /* None meets 4: it must be 4 */
    CHECK_OK(nn_binary(&s5, NN_DIV, c, y));
    CHECK_SYMBOLIC(s5, 2, SHAPE(4, 3));
    CHECK_OK(nn_unary(&u, NN_TANH, x));
    CHECK_SYMBOLIC(u, 3, SHAPE(NN_NONE, 1, 3));
    CHECK_OK(nn_softmax(&sm, y, -1, false));
    CHECK_SYMBOLIC(sm, 2, SHAPE(NN_NONE, 3));
    RELEASE(x, b, y, z, c, s1, s2, s3, s4, s5, u, sm);
}

static void test_symbolic_concat_slice_and_select_infer_shapes(void **state)
{
    (void)state;
    nn_tensor *a = SYM(2, SHAPE(NN_NONE, 3));
    nn_tensor *b = SYM(2, SHAPE(NN_NONE, 4));
    nn_tensor *k = ZEROS(2, SHAPE(2, 3)), *k2 = SYM(2, SHAPE(3, 3));
    nn_tensor *c1, *c0, *c2, *c3, *st, *sl, *sn, *se;
    CHECK_OK(nn_concat(&c1, 2, (nn_tensor *[]){a, b}, -1, false));
    CHECK_SYMBOLIC(c1, 2, SHAPE(NN_NONE, 7));
    CHECK_OK(nn_concat(&c0, 2, (nn_tensor *[]){a, a}, 0, false));
    CHECK_SYMBOLIC(c0, 2, SHAPE(NN_NONE, 3));
    CHECK_OK(nn_concat(&c2, 2, (nn_tensor *[]){k, a}, 0, false));
    CHECK_SYMBOLIC(c2, 2, SHAPE(NN_NONE, 3)); /* 2 + None is None */
    CHECK_OK(nn_concat(&c3, 2, (nn_tensor *[]){k, k2}, 0, false));
    CHECK_SYMBOLIC(c3, 2, SHAPE(5, 3)); /* 2 + 3, symbolic */
    CHECK_OK(nn_concat(&st, 2, (nn_tensor *[]){a, a}, 1, true));
    CHECK_SYMBOLIC(st, 3, SHAPE(NN_NONE, 2, 3));
    CHECK_OK(nn_slice(&sl, b, 1, -1, 0, -1)); /* b[:, -1:0:-1] */
    CHECK_SYMBOLIC(sl, 2, SHAPE(NN_NONE, 3));
    CHECK_OK(nn_slice(&sn, b, 0, 1, 5, 1)); /* an unknown axis stays so */
    CHECK_SYMBOLIC(sn, 2, SHAPE(NN_NONE, 4));
    CHECK_OK(nn_select(&se, b, 1, -1));
    CHECK_SYMBOLIC(se, 1, SHAPE(NN_NONE));
    RELEASE(a, b, k, k2, c1, c0, c2, c3, st, sl, sn, se);
}

static void test_symbolic_tensors_still_report_shape_errors(void **state)
{
    (void)state;
    nn_tensor *x = SYM(2, SHAPE(NN_NONE, 3));
    nn_tensor *w = ZEROS(2, SHAPE(4, 5));
    nn_tensor *v = ZEROS(1, SHAPE(4));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_matmul(&y, x, w, false, false), NN_ESHAPE,
                "matmul: inner dimensions differ: (None, 3) @ (4, 5)");
    assert_null(y);
    CHECK_ERROR(nn_binary(&y, NN_ADD, x, v), NN_ESHAPE,
                "add: shapes (None, 3) and (4,) cannot be broadcast "
                "together");
    assert_null(y);
    CHECK_ERROR(nn_reduce(&y, NN_SUM, x, 1, (int64_t[]){2}, false), NN_EARG,
                "sum: axis 2 is out of range for a tensor of rank 2");
    RELEASE(x, w, v);
}

/* ---- PyTorch references ------------------------------------------------ */

static void test_unary_functions_match_pytorch(void **state)
{
    (void)state;
    assert_int_equal(REF_UNARY_COUNT, NN_UNARY_COUNT);
    for (int c = 0; c < REF_UNARY_COUNT; c++) {
        const ref_unary *r = &ref_unary_cases[c];
        char what[64];
        int kind = nn_unary_lookup(r->name);
        assert_int_equal(kind, c); /* the table follows nn_unary_kind */
        nn_tensor *x = leaf(make_tensor(1, (int64_t[]){REF_UNARY_N}, r->x));
        nn_tensor *y;
        CHECK_OK(nn_unary(&y, (nn_unary_kind)kind, x));
        snprintf(what, sizeof what, "%s(x)", r->name);
        check_close(what, y, 1, (int64_t[]){REF_UNARY_N}, r->y, 1e-6);
        backward_ones(y);
        snprintf(what, sizeof what, "d %s(x) / dx", r->name);
        check_close(what, grad_of(x), 1, (int64_t[]){REF_UNARY_N}, r->dx,
                    1e-6);
        RELEASE(x, y);
    }
}

static void test_softmax_matches_pytorch_on_every_axis(void **state)
{
    (void)state;
    const int64_t shape[3] = {2, 3, 4};
    for (int c = 0; c < REF_SOFTMAX_COUNT; c++) {
        const ref_softmax *r = &ref_softmax_cases[c];
        /* each axis as given and counted from the end */
        for (int64_t axis = r->axis - 3; axis <= r->axis; axis += 3) {
            char what[64];
            nn_tensor *x = leaf(make_tensor(3, shape, ref_softmax_x));
            nn_tensor *w = make_tensor(3, shape, ref_softmax_w);
            nn_tensor *y;
            CHECK_OK(nn_softmax(&y, x, axis, r->log));
            snprintf(what, sizeof what, "%s axis %d",
                     r->log ? "log_softmax" : "softmax", (int)axis);
            check_close(what, y, 3, shape, r->y, 1e-6);
            CHECK_OK(nn_backward(y, w));
            snprintf(what, sizeof what, "gradient of %s axis %d",
                     r->log ? "log_softmax" : "softmax", (int)axis);
            check_close(what, grad_of(x), 3, shape, r->dx, 1e-6);
            RELEASE(x, w, y);
        }
    }
}

/* y = op(a, b): its value, then a's and b's gradients given w. */
static void check_product_reference(const char *op, const ref_product *r,
                                    bool batch_dot)
{
    char what[96];
    nn_tensor *a = leaf(make_tensor(r->andim, r->ashape, r->a));
    nn_tensor *b = leaf(make_tensor(r->bndim, r->bshape, r->b));
    nn_tensor *w = make_tensor(r->yndim, r->yshape, r->w);
    nn_tensor *y;
    if (batch_dot)
        CHECK_OK(nn_batch_dot(&y, a, b, r->default_axes, r->ax, r->ay));
    else
        CHECK_OK(nn_matmul(&y, a, b, r->trans_a, r->trans_b));
    snprintf(what, sizeof what, "%s %s", op, r->name);
    check_close(what, y, r->yndim, r->yshape, r->y, 1e-6);
    CHECK_OK(nn_backward(y, w));
    snprintf(what, sizeof what, "%s %s: gradient of a", op, r->name);
    check_close(what, grad_of(a), r->andim, r->ashape, r->ga, 1e-6);
    snprintf(what, sizeof what, "%s %s: gradient of b", op, r->name);
    check_close(what, grad_of(b), r->bndim, r->bshape, r->gb, 1e-6);
    RELEASE(a, b, w, y);
}

static void test_matmul_matches_pytorch(void **state)
{
    (void)state;
    for (int c = 0; c < REF_MATMUL_COUNT; c++)
        check_product_reference("matmul", &ref_matmul_cases[c], false);
}

static void test_batch_dot_matches_pytorch(void **state)
{
    (void)state;
    for (int c = 0; c < REF_BATCH_DOT_COUNT; c++)
        check_product_reference("batch_dot", &ref_batch_dot_cases[c], true);
}

/* ---- gradients: by hand ------------------------------------------------ */

static void test_binary_gradients_sum_over_broadcast_axes(void **state)
{
    (void)state;
    /* y = a * b with a (2, 1), b (1, 3): dy/da sums b over the row, dy/db
     * sums a over the column */
    nn_tensor *a = leaf(T(2, SHAPE(2, 1), {2, 3}));
    nn_tensor *b = leaf(T(2, SHAPE(1, 3), {1, 10, 100}));
    nn_tensor *r = leaf(T(1, SHAPE(3), {1, 2, 3}));
    nn_tensor *y, *z;
    CHECK_OK(nn_binary(&y, NN_MUL, a, b));
    backward_ones(y);
    CHECK_VALUES(grad_of(a), 2, SHAPE(2, 1), 0, {111, 111});
    CHECK_VALUES(grad_of(b), 2, SHAPE(1, 3), 0, {5, 5, 5});
    /* a (3,) row subtracted from the (2, 1) column: -1 per row, twice */
    CHECK_OK(nn_binary(&z, NN_SUB, a, r));
    backward_ones(z);
    CHECK_VALUES(grad_of(r), 1, SHAPE(3), 0, {-2, -2, -2});
    CHECK_VALUES(grad_of(a), 2, SHAPE(2, 1), 0, {114, 114}); /* 111 + 3 */
    RELEASE(a, b, r, y, z);
}

static void test_maximum_and_minimum_send_the_gradient_to_the_winner(
    void **state)
{
    (void)state;
    nn_tensor *a = leaf(T(1, SHAPE(3), {1, 5, -2}));
    nn_tensor *b = leaf(T(1, SHAPE(3), {3, 2, -1}));
    nn_tensor *hi, *lo;
    CHECK_OK(nn_binary(&hi, NN_MAXIMUM, a, b));
    CHECK_VALUES(hi, 1, SHAPE(3), 0, {3, 5, -1});
    backward_ones(hi);
    CHECK_VALUES(grad_of(a), 1, SHAPE(3), 0, {0, 1, 0});
    CHECK_VALUES(grad_of(b), 1, SHAPE(3), 0, {1, 0, 1});
    nn_tensor_zero_grad(a);
    nn_tensor_zero_grad(b);
    CHECK_OK(nn_binary(&lo, NN_MINIMUM, a, b));
    backward_ones(lo);
    CHECK_VALUES(grad_of(a), 1, SHAPE(3), 0, {1, 0, 1});
    CHECK_VALUES(grad_of(b), 1, SHAPE(3), 0, {0, 1, 0});
    RELEASE(a, b, hi, lo);
}

static void test_reduce_max_sends_the_gradient_to_the_first_maximum(
    void **state)
{
    (void)state;
    nn_tensor *x = leaf(T(2, SHAPE(2, 3), {4, 1, 4, -1, -3, -2}));
    nn_tensor *m, *mean;
    CHECK_OK(nn_reduce(&m, NN_MAX, x, 1, (int64_t[]){1}, false));
    CHECK_VALUES(m, 1, SHAPE(2), 0, {4, -1});
    backward_ones(m);
    CHECK_VALUES(grad_of(x), 2, SHAPE(2, 3), 0, {1, 0, 0, 1, 0, 0});
    nn_tensor_zero_grad(x);
    CHECK_OK(nn_reduce(&mean, NN_MEAN, x, 1, (int64_t[]){0}, false));
    backward_ones(mean);
    CHECK_VALUES(grad_of(x), 2, SHAPE(2, 3), 0,
                 {0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
    RELEASE(x, m, mean);
}

/* ---- gradients: finite differences ------------------------------------- */

static nn_status binary_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    return nn_binary(out, *(const nn_binary_kind *)ctx, in[0], in[1]);
}

static nn_status unary_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    return nn_unary(out, *(const nn_unary_kind *)ctx, in[0]);
}

static nn_status square_by_mul_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    (void)ctx;
    return nn_binary(out, NN_MUL, in[0], in[0]);
}

static void test_gradcheck_binary_ops_on_broadcast_shapes(void **state)
{
    (void)state;
    static const struct { int na, nb; int64_t a[3], b[3]; } shapes[] = {
        {2, 2, {2, 3}, {2, 3}},
        {2, 1, {2, 3}, {3}},
        {1, 2, {3}, {2, 3}},
        {2, 2, {2, 1}, {1, 3}},
        {3, 2, {4, 1, 3}, {2, 1}},
        {0, 2, {0}, {2, 2}},    /* a 0-d tensor */
        {2, 0, {2, 2}, {0}},
        {1, 2, {3}, {2, 1}},
    };
    for (int k = NN_ADD; k <= NN_MINIMUM; k++)
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            nn_binary_kind kind = (nn_binary_kind)k;
            nn_tensor *in[2];
            if (kind == NN_MAXIMUM || kind == NN_MINIMUM) {
                in[0] = grid_input(shapes[s].na, shapes[s].a, 0.05f);
                in[1] = grid_input(shapes[s].nb, shapes[s].b, 0.15f);
            } else if (kind == NN_DIV) {
                in[0] = grad_input(shapes[s].na, shapes[s].a, -1, 1);
                in[1] = grad_input(shapes[s].nb, shapes[s].b, 0.5f, 1.5f);
            } else if (kind == NN_POW) {
                in[0] = grad_input(shapes[s].na, shapes[s].a, 0.5f, 1.5f);
                in[1] = grad_input(shapes[s].nb, shapes[s].b, -1.5f, 1.5f);
            } else {
                in[0] = grad_input(shapes[s].na, shapes[s].a, -1, 1);
                in[1] = grad_input(shapes[s].nb, shapes[s].b, -1, 1);
            }
            check_gradients(binary_fn, &kind, 2, in, GRAD_TOL);
            RELEASE(in[0], in[1]);
        }
}

static void test_gradcheck_binary_op_with_one_constant_operand(void **state)
{
    (void)state;
    nn_binary_kind kind = NN_DIV;
    nn_tensor *in[2] = {T(2, SHAPE(2, 3), {1, -2, 3, -4, 5, -6}),
                        grad_input(1, (int64_t[]){3}, 0.5f, 1.5f)};
    check_gradients(binary_fn, &kind, 2, in, GRAD_TOL);
    assert_null(in[0]->grad); /* a constant gets no gradient */
    kind = NN_POW;
    in[0]->requires_grad = true;
    in[1]->requires_grad = false;
    for (size_t i = 0; i < in[0]->size; i++)
        in[0]->data[i] = fabsf(in[0]->data[i]) * 0.3f;
    check_gradients(binary_fn, &kind, 2, in, GRAD_TOL);
    RELEASE(in[0], in[1]);
}

static void test_gradcheck_an_operand_used_twice(void **state)
{
    (void)state;
    nn_tensor *x = grad_input(2, (int64_t[]){2, 3}, -1, 1);
    nn_tensor *y;
    check_gradients(square_by_mul_fn, NULL, 1, &x, GRAD_TOL);
    nn_tensor_zero_grad(x);
    CHECK_OK(nn_binary(&y, NN_MUL, x, x));
    backward_ones(y);
    for (size_t i = 0; i < x->size; i++)
        assert_float_equal(grad_of(x)->data[i], 2 * x->data[i], 1e-6);
    RELEASE(x, y);
}

static void test_gradcheck_unary_ops(void **state)
{
    (void)state;
    /* away from the kinks at 0 (relu, abs, elu, selu) and +-3
     * (hard_sigmoid); positive for log and sqrt */
    static const float any[10] = {-3.7f, -2.2f, -1.3f, -0.6f, -0.15f,
                                  0.2f,  0.7f,  1.4f,  2.5f,  3.6f};
    static const float positive[10] = {0.3f, 0.45f, 0.7f, 0.95f, 1.2f,
                                       1.6f, 2.1f, 2.5f, 3.3f, 4.0f};
    for (int k = 0; k < NN_UNARY_COUNT; k++) {
        nn_unary_kind kind = (nn_unary_kind)k;
        bool pos = kind == NN_LOG || kind == NN_SQRT;
        nn_tensor *x = leaf(make_tensor(2, (int64_t[]){2, 5},
                                        pos ? positive : any));
        double worst;
        CHECK_OK(nn_gradcheck(&worst, unary_fn, &kind, 1, &x, 5e-3));
        if (!(worst < GRAD_TOL))
            fail_msg("gradcheck of %s: worst relative error %g",
                     nn_unary_name(kind), worst);
        nn_tensor_release(x);
    }
}

typedef struct {
    nn_reduce_kind kind;
    int naxes;
    int64_t axes[3];
    bool keepdims;
} reduce_args;

static nn_status reduce_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    const reduce_args *r = ctx;
    return nn_reduce(out, r->kind, in[0], r->naxes, r->axes, r->keepdims);
}

static void test_gradcheck_reductions(void **state)
{
    (void)state;
    static const struct { int naxes; int64_t axes[3]; bool keep; } ax[] = {
        {0, {0}, false},     {0, {0}, true},        {1, {1}, false},
        {1, {-1}, true},     {2, {0, 2}, false},    {2, {-1, -3}, true},
        {3, {0, 1, 2}, false},
    };
    for (int k = NN_SUM; k <= NN_MIN; k++)
        for (size_t a = 0; a < sizeof ax / sizeof *ax; a++) {
            reduce_args r = {(nn_reduce_kind)k, ax[a].naxes,
                             {ax[a].axes[0], ax[a].axes[1], ax[a].axes[2]},
                             ax[a].keep};
            nn_tensor *x = k == NN_MAX || k == NN_MIN
                               ? distinct_input(3, (int64_t[]){2, 3, 4})
                               : grad_input(3, (int64_t[]){2, 3, 4}, -1, 1);
            check_gradients(reduce_fn, &r, 1, &x, GRAD_TOL);
            nn_tensor_release(x);
        }
}

typedef struct { int64_t axis; bool log; } softmax_args;

static nn_status softmax_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    const softmax_args *s = ctx;
    return nn_softmax(out, in[0], s->axis, s->log);
}

static void test_gradcheck_softmax_and_log_softmax(void **state)
{
    (void)state;
    for (int log = 0; log <= 1; log++)
        for (int64_t axis = -3; axis < 3; axis++) {
            softmax_args s = {axis, log};
            nn_tensor *x = grad_input(3, (int64_t[]){2, 3, 4}, -2, 2);
            check_gradients(softmax_fn, &s, 1, &x, GRAD_TOL);
            nn_tensor_release(x);
        }
}

typedef struct {
    bool batch_dot, ta, tb, default_axes;
    int64_t ax, ay;
} product_args;

static nn_status product_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    const product_args *p = ctx;
    if (p->batch_dot)
        return nn_batch_dot(out, in[0], in[1], p->default_axes, p->ax, p->ay);
    return nn_matmul(out, in[0], in[1], p->ta, p->tb);
}

static void gradcheck_product(product_args p, int na, const int64_t *a,
                              int nb, const int64_t *b)
{
    nn_tensor *in[2] = {grad_input(na, a, -1, 1), grad_input(nb, b, -1, 1)};
    check_gradients(product_fn, &p, 2, in, GRAD_TOL);
    RELEASE(in[0], in[1]);
}
#define GRADCHECK_PRODUCT(p, na, a, nb, b) \
    gradcheck_product((p), (na), (int64_t[])a, (nb), (int64_t[])b)

static void test_gradcheck_matmul(void **state)
{
    (void)state;
    product_args mm = {0}, ta = {.ta = true}, tb = {.tb = true},
                 tab = {.ta = true, .tb = true};
    GRADCHECK_PRODUCT(mm, 2, SHAPE(3, 4), 2, SHAPE(4, 2));
    GRADCHECK_PRODUCT(mm, 3, SHAPE(2, 3, 4), 3, SHAPE(2, 4, 5));
    GRADCHECK_PRODUCT(mm, 3, SHAPE(2, 3, 4), 2, SHAPE(4, 5));
    GRADCHECK_PRODUCT(mm, 2, SHAPE(3, 4), 3, SHAPE(2, 4, 5));
    GRADCHECK_PRODUCT(mm, 3, SHAPE(1, 3, 4), 3, SHAPE(2, 4, 5));
    GRADCHECK_PRODUCT(mm, 4, SHAPE(2, 1, 3, 4), 3, SHAPE(3, 4, 2));
    GRADCHECK_PRODUCT(ta, 3, SHAPE(2, 4, 3), 2, SHAPE(4, 5));
    GRADCHECK_PRODUCT(tb, 3, SHAPE(1, 3, 4), 3, SHAPE(2, 5, 4));
    GRADCHECK_PRODUCT(tab, 3, SHAPE(2, 4, 3), 3, SHAPE(2, 5, 4));
    GRADCHECK_PRODUCT(tab, 2, SHAPE(4, 3), 4, SHAPE(2, 2, 5, 4));
}

static void test_gradcheck_batch_dot(void **state)
{
    (void)state;
    product_args dflt = {.batch_dot = true, .default_axes = true};
    product_args a22 = {.batch_dot = true, .ax = 2, .ay = 2};
    product_args a12 = {.batch_dot = true, .ax = 1, .ay = -1};
    product_args a31 = {.batch_dot = true, .ax = -1, .ay = 1};
    GRADCHECK_PRODUCT(dflt, 3, SHAPE(2, 3, 4), 3, SHAPE(2, 4, 5));
    GRADCHECK_PRODUCT(dflt, 2, SHAPE(3, 4), 2, SHAPE(3, 4));
    GRADCHECK_PRODUCT(dflt, 2, SHAPE(3, 4), 3, SHAPE(3, 4, 2));
    GRADCHECK_PRODUCT(a22, 3, SHAPE(2, 3, 4), 3, SHAPE(2, 5, 4));
    GRADCHECK_PRODUCT(a12, 3, SHAPE(2, 4, 3), 3, SHAPE(2, 5, 4));
    GRADCHECK_PRODUCT(a31, 4, SHAPE(2, 3, 2, 4), 3, SHAPE(2, 4, 3));
}

typedef struct {
    enum { RESHAPE, TRANSPOSE, SQUEEZE, EXPAND_DIMS, CONCAT, SLICE,
           SELECT } op;
    int n;
    int64_t v[4];
    const int64_t *perm;
    bool stack;
} shape_args;

static nn_status shape_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    const shape_args *s = ctx;
    switch (s->op) {
    case RESHAPE: return nn_reshape(out, in[0], s->n, s->v);
    case TRANSPOSE: return nn_transpose(out, in[0], s->perm);
    case SQUEEZE: return nn_squeeze(out, in[0], s->n, s->v);
    case EXPAND_DIMS: return nn_expand_dims(out, in[0], s->v[0]);
    case CONCAT: return nn_concat(out, s->n, in, s->v[0], s->stack);
    case SLICE: return nn_slice(out, in[0], s->v[0], s->v[1], s->v[2],
                                s->v[3]);
    case SELECT: return nn_select(out, in[0], s->v[0], s->v[1]);
    }
    return NN_EARG;
}

static void gradcheck_shape_op(shape_args s, int n, nn_tensor **in)
{
    check_gradients(shape_fn, &s, n, in, GRAD_TOL);
    release_all(in, (size_t)n);
}

static void test_gradcheck_reshape_transpose_squeeze_expand_dims(void **state)
{
    (void)state;
    const int64_t shape[3] = {2, 3, 4}, with_ones[4] = {1, 3, 1, 4};
    const int64_t perm[3] = {2, 0, 1}, keep_last[3] = {1, 0, 2};
    nn_tensor *x;
    x = grad_input(3, shape, -1, 1);
    gradcheck_shape_op((shape_args){RESHAPE, 2, {-1, 6}, 0, 0}, 1, &x);
    x = grad_input(3, shape, -1, 1);
    gradcheck_shape_op((shape_args){TRANSPOSE, 0, {0}, perm, 0}, 1, &x);
    x = grad_input(3, shape, -1, 1);
    gradcheck_shape_op((shape_args){TRANSPOSE, 0, {0}, NULL, 0}, 1, &x);
    x = grad_input(3, shape, -1, 1);
    gradcheck_shape_op((shape_args){TRANSPOSE, 0, {0}, keep_last, 0}, 1, &x);
    x = grad_input(4, with_ones, -1, 1);
    gradcheck_shape_op((shape_args){SQUEEZE, 0, {0}, 0, 0}, 1, &x);
    x = grad_input(4, with_ones, -1, 1);
    gradcheck_shape_op((shape_args){SQUEEZE, 1, {-2}, 0, 0}, 1, &x);
    x = grad_input(3, shape, -1, 1);
    gradcheck_shape_op((shape_args){EXPAND_DIMS, 0, {-2}, 0, 0}, 1, &x);
}

static void test_gradcheck_concat_and_stack(void **state)
{
    (void)state;
    nn_tensor *in[3];
    in[0] = grad_input(3, (int64_t[]){2, 1, 3}, -1, 1);
    in[1] = grad_input(3, (int64_t[]){2, 2, 3}, -1, 1);
    in[2] = grad_input(3, (int64_t[]){2, 3, 3}, -1, 1);
    gradcheck_shape_op((shape_args){CONCAT, 3, {1}, 0, false}, 3, in);
    in[0] = grad_input(2, (int64_t[]){2, 3}, -1, 1);
    in[1] = grad_input(2, (int64_t[]){2, 1}, -1, 1);
    gradcheck_shape_op((shape_args){CONCAT, 2, {-1}, 0, false}, 2, in);
    in[0] = grad_input(2, (int64_t[]){1, 3}, -1, 1);
    in[1] = grad_input(2, (int64_t[]){2, 3}, -1, 1);
    gradcheck_shape_op((shape_args){CONCAT, 2, {0}, 0, false}, 2, in);
    for (int64_t axis = -3; axis < 3; axis++) {
        in[0] = grad_input(2, (int64_t[]){2, 3}, -1, 1);
        in[1] = grad_input(2, (int64_t[]){2, 3}, -1, 1);
        in[2] = grad_input(2, (int64_t[]){2, 3}, -1, 1);
        gradcheck_shape_op((shape_args){CONCAT, 3, {axis}, 0, true}, 3, in);
    }
}

static void test_gradcheck_slice_and_select(void **state)
{
    (void)state;
    static const int64_t slices[][4] = {
        {1, 1, 4, 1}, {1, 4, 0, -2}, {-1, -1, -6, -1}, {0, -2, 3, 1},
        {-2, 0, 3, 2}, {2, 3, 1, -1},
    };
    static const int64_t selects[][2] = {{0, 1}, {1, -1}, {-1, 0}};
    const int64_t shape[3] = {3, 5, 4};
    for (size_t i = 0; i < sizeof slices / sizeof *slices; i++) {
        shape_args s = {SLICE, 0, {slices[i][0], slices[i][1], slices[i][2],
                                   slices[i][3]}, 0, 0};
        nn_tensor *x = grad_input(3, shape, -1, 1);
        gradcheck_shape_op(s, 1, &x);
    }
    for (size_t i = 0; i < sizeof selects / sizeof *selects; i++) {
        shape_args s = {SELECT, 0, {selects[i][0], selects[i][1]}, 0, 0};
        nn_tensor *x = grad_input(3, shape, -1, 1);
        gradcheck_shape_op(s, 1, &x);
    }
}

/* Runs f and backpropagates a fixed random seed twice without zeroing:
 * leaf gradients must accumulate, so every backward must add, not store. */
static void check_accumulates(const char *what, nn_gradcheck_fn f, void *ctx,
                              int n, nn_tensor **in)
{
    nn_tensor *y, *seed, *first[3];
    CHECK_OK(f(ctx, in, &y));
    CHECK_OK(nn_rand(&seed, y->ndim, y->shape, -1, 1));
    CHECK_OK(nn_backward(y, seed));
    nn_tensor_release(y);
    for (int i = 0; i < n; i++)
        CHECK_OK(nn_tensor_clone(&first[i], grad_of(in[i])));
    CHECK_OK(f(ctx, in, &y));
    CHECK_OK(nn_backward(y, seed));
    for (int i = 0; i < n; i++) {
        const nn_tensor *g = grad_of(in[i]);
        for (size_t j = 0; j < g->size; j++)
            if (!(fabsf(g->data[j] - 2 * first[i]->data[j]) <=
                  1e-6f * fmaxf(1, fabsf(g->data[j]))))
                fail_msg("%s: input %d element %zu: second backward gave "
                         "%g, want 2 * %g", what, i + 1, j,
                         (double)g->data[j], (double)first[i]->data[j]);
        nn_tensor_release(first[i]);
    }
    RELEASE(y, seed);
    release_all(in, (size_t)n);
}

static void test_every_backward_adds_into_existing_gradients(void **state)
{
    (void)state;
    const int64_t s3[3] = {2, 3, 4}, s2[2] = {3, 4}, s1[1] = {4};
    const int64_t keep_last[3] = {1, 0, 2}, tiled[3] = {2, 0, 1};
    nn_unary_kind tanh_kind = NN_TANH;
    nn_binary_kind mul = NN_MUL;
    reduce_args sum = {NN_SUM, 1, {1}, false}, mean = {NN_MEAN, 0, {0}, 0};
    reduce_args max = {NN_MAX, 2, {0, 2}, true};
    softmax_args sm = {1, false}, lsm = {-1, true};
    product_args mm = {0}, bd = {.batch_dot = true, .default_axes = true};
    nn_tensor *in[3];
#define ACC(what, f, ctx, n) check_accumulates(what, f, ctx, n, in)
    in[0] = grad_input(3, s3, -1, 1);
    ACC("tanh", unary_fn, &tanh_kind, 1);
    in[0] = grad_input(3, s3, -1, 1);
    in[1] = grad_input(1, s1, -1, 1);
    ACC("multiply", binary_fn, &mul, 2);
    in[0] = grad_input(3, s3, -1, 1);
    ACC("sum", reduce_fn, &sum, 1);
    in[0] = grad_input(3, s3, -1, 1);
    ACC("mean", reduce_fn, &mean, 1);
    in[0] = distinct_input(3, s3);
    ACC("max", reduce_fn, &max, 1);
    in[0] = grad_input(3, s3, -1, 1);
    ACC("softmax", softmax_fn, &sm, 1);
    in[0] = grad_input(3, s3, -1, 1);
    ACC("log_softmax", softmax_fn, &lsm, 1);
    in[0] = grad_input(3, s3, -1, 1);
    in[1] = grad_input(2, (int64_t[]){4, 2}, -1, 1);
    ACC("matmul", product_fn, &mm, 2);
    in[0] = grad_input(3, s3, -1, 1);
    in[1] = grad_input(3, (int64_t[]){2, 4, 5}, -1, 1);
    ACC("batch_dot", product_fn, &bd, 2);
    in[0] = grad_input(3, s3, -1, 1);
    ACC("reshape", shape_fn, &((shape_args){RESHAPE, 2, {4, -1}, 0, 0}), 1);
    in[0] = grad_input(3, s3, -1, 1);
    ACC("transpose (1, 0, 2)", shape_fn,
        &((shape_args){TRANSPOSE, 0, {0}, keep_last, 0}), 1);
    in[0] = grad_input(3, s3, -1, 1);
    ACC("transpose (2, 0, 1)", shape_fn,
        &((shape_args){TRANSPOSE, 0, {0}, tiled, 0}), 1);
    in[0] = grad_input(3, (int64_t[]){3, 1, 4}, -1, 1);
    ACC("squeeze", shape_fn, &((shape_args){SQUEEZE, 0, {0}, 0, 0}), 1);
    in[0] = grad_input(2, s2, -1, 1);
    ACC("expand_dims", shape_fn,
        &((shape_args){EXPAND_DIMS, 0, {1}, 0, 0}), 1);
    in[0] = grad_input(2, s2, -1, 1);
    in[1] = grad_input(2, (int64_t[]){3, 2}, -1, 1);
    ACC("concat", shape_fn, &((shape_args){CONCAT, 2, {1}, 0, false}), 2);
    in[0] = grad_input(2, s2, -1, 1);
    in[1] = grad_input(2, s2, -1, 1);
    ACC("stack", shape_fn, &((shape_args){CONCAT, 2, {1}, 0, true}), 2);
    in[0] = grad_input(2, s2, -1, 1);
    ACC("slice", shape_fn, &((shape_args){SLICE, 0, {1, 3, 0, -2}, 0, 0}),
        1);
    in[0] = grad_input(2, s2, -1, 1);
    ACC("select", shape_fn, &((shape_args){SELECT, 0, {0, -1}, 0, 0}), 1);
#undef ACC
}

/* sum(2 x) while recording a node, sum(3 x) when finite differences
 * evaluate it (grad mode off): a gradient that is wrong by design. */
static nn_status inconsistent_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    nn_tensor *k, *y;
    (void)ctx;
    nn_status s = nn_scalar(&k, nn_grad_enabled() ? 2.0f : 3.0f);
    if (s != NN_OK)
        return s;
    s = nn_binary(&y, NN_MUL, in[0], k);
    nn_tensor_release(k);
    if (s != NN_OK)
        return s;
    s = nn_reduce(out, NN_SUM, y, 0, NULL, false);
    nn_tensor_release(y);
    return s;
}

static void test_gradcheck_reports_a_gradient_that_disagrees(void **state)
{
    (void)state;
    nn_tensor *x = grad_input(1, (int64_t[]){3}, -1, 1);
    double worst;
    CHECK_OK(nn_gradcheck(&worst, inconsistent_fn, NULL, 1, &x, 5e-3));
    /* analytic 2, numeric 3: |2 - 3| / 3 */
    assert_float_equal(worst, 1.0 / 3.0, 1e-3);
    assert_true(worst >= GRAD_TOL);
    nn_tensor_release(x);
}

/* ---- error messages ---------------------------------------------------- */

static void test_matmul_errors_name_both_shapes(void **state)
{
    (void)state;
    nn_tensor *a = ZEROS(2, SHAPE(2, 3)), *b = ZEROS(2, SHAPE(4, 5));
    nn_tensor *v = ZEROS(1, SHAPE(3));
    nn_tensor *c = ZEROS(3, SHAPE(2, 3, 4)), *d = ZEROS(3, SHAPE(3, 4, 5));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_matmul(&y, a, b, false, false), NN_ESHAPE,
                "matmul: inner dimensions differ: (2, 3) @ (4, 5)");
    assert_null(y);
    CHECK_ERROR(nn_matmul(&y, a, a, false, false), NN_ESHAPE,
                "matmul: inner dimensions differ: (2, 3) @ (2, 3)");
    CHECK_ERROR(nn_matmul(&y, a, b, false, true), NN_ESHAPE,
                "matmul: inner dimensions differ: (2, 3) @ (4, 5) "
                "(after transposing)");
    CHECK_ERROR(nn_matmul(&y, a, b, true, false), NN_ESHAPE,
                "matmul: inner dimensions differ: (2, 3) @ (4, 5) "
                "(after transposing)");
    CHECK_ERROR(nn_matmul(&y, v, a, false, false), NN_ESHAPE,
                "matmul: expected tensors of rank >= 2, got (3,) @ (2, 3)");
    CHECK_ERROR(nn_matmul(&y, c, d, false, false), NN_ESHAPE,
                "matmul: batch dimensions of (2, 3, 4) and (3, 4, 5) cannot "
                "be broadcast together");
    RELEASE(a, b, v, c, d);
}

static void test_broadcast_errors_name_the_op_and_both_shapes(void **state)
{
    (void)state;
    nn_tensor *a = ZEROS(2, SHAPE(2, 3)), *b = ZEROS(1, SHAPE(4));
    nn_tensor *c = ZEROS(3, SHAPE(4, 1, 3)), *d = ZEROS(2, SHAPE(2, 2));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_binary(&y, NN_ADD, a, b), NN_ESHAPE,
                "add: shapes (2, 3) and (4,) cannot be broadcast together");
    assert_null(y);
    CHECK_ERROR(nn_binary(&y, NN_MAXIMUM, c, d), NN_ESHAPE,
                "maximum: shapes (4, 1, 3) and (2, 2) cannot be broadcast "
                "together");
    RELEASE(a, b, c, d);
}

static void test_bad_axes_are_reported_with_the_op_name(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(2, SHAPE(2, 3)), *s;
    nn_tensor *y = (nn_tensor *)1;
    CHECK_OK(nn_scalar(&s, 1.0f));
    CHECK_ERROR(nn_reduce(&y, NN_SUM, x, 1, (int64_t[]){2}, false), NN_EARG,
                "sum: axis 2 is out of range for a tensor of rank 2");
    assert_null(y);
    CHECK_ERROR(nn_reduce(&y, NN_MEAN, x, 1, (int64_t[]){-3}, false), NN_EARG,
                "mean: axis -3 is out of range for a tensor of rank 2");
    CHECK_ERROR(nn_reduce(&y, NN_MAX, x, 2, (int64_t[]){1, -1}, false),
                NN_EARG, "max: axis -1 is given twice");
    CHECK_ERROR(nn_argmax(&y, x, false, 2, false, false), NN_EARG,
                "argmax: axis 2 is out of range for a tensor of rank 2");
    CHECK_ERROR(nn_argmax(&y, x, false, -3, false, true), NN_EARG,
                "argmin: axis -3 is out of range for a tensor of rank 2");
    CHECK_ERROR(nn_softmax(&y, x, 2, false), NN_EARG,
                "softmax: axis 2 is out of range for a tensor of rank 2");
    CHECK_ERROR(nn_softmax(&y, s, 0, true), NN_EARG,
                "log_softmax: expected a tensor of rank >= 1, got a scalar");
    CHECK_ERROR(nn_transpose(&y, x, (int64_t[]){0, 2}), NN_EARG,
                "transpose: axis 2 is out of range for a tensor of rank 2");
    CHECK_ERROR(nn_squeeze(&y, x, 1, (int64_t[]){-3}), NN_EARG,
                "squeeze: axis -3 is out of range for a tensor of rank 2");
    /* the rank is that of the result, as the axis counts there */
    CHECK_ERROR(nn_expand_dims(&y, x, 3), NN_EARG,
                "expand_dims: axis 3 is out of range for a tensor of rank 3");
    CHECK_ERROR(nn_concat(&y, 2, (nn_tensor *[]){x, x}, 2, false), NN_EARG,
                "concat: axis 2 is out of range for a tensor of rank 2");
    CHECK_ERROR(nn_concat(&y, 2, (nn_tensor *[]){x, x}, 3, true), NN_EARG,
                "stack: axis 3 is out of range for a tensor of rank 3");
    CHECK_ERROR(nn_slice(&y, x, -3, 0, 1, 1), NN_EARG,
                "slice: axis -3 is out of range for a tensor of rank 2");
    CHECK_ERROR(nn_select(&y, x, 2, 0), NN_EARG,
                "select: axis 2 is out of range for a tensor of rank 2");
    RELEASE(x, s);
}

static void test_transpose_rejects_a_repeated_axis(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(2, 3, 4));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_transpose(&y, x, (int64_t[]){0, -3, 1}), NN_EARG,
                "transpose: perm is not a permutation of the 3 axes of a "
                "tensor of shape (2, 3, 4) (axis 0 appears twice)");
    assert_null(y);
    nn_tensor_release(x);
}

static void test_reshape_errors_give_the_element_counts(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(2, SHAPE(2, 3));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_reshape(&y, x, 2, (int64_t[]){4, 2}), NN_ESHAPE,
                "reshape: cannot reshape a tensor of shape (2, 3) "
                "(6 elements) into (4, 2) (8 elements)");
    assert_null(y);
    /* the request is shown as written: -1, not None */
    CHECK_ERROR(nn_reshape(&y, x, 2, (int64_t[]){4, -1}), NN_ESHAPE,
                "reshape: cannot reshape a tensor of shape (2, 3) "
                "(6 elements) into (4, -1)");
    CHECK_ERROR(nn_reshape(&y, x, 3, (int64_t[]){-1, 3, -1}), NN_EARG,
                "reshape: only one size can be -1, got (-1, 3, -1)");
    CHECK_ERROR(nn_reshape(&y, x, 1, (int64_t[]){-1 - 6}), NN_EARG,
                "reshape: negative size in (-7,)");
    CHECK_ERROR(nn_reshape(&y, x, 2, (int64_t[]){-2, -3}), NN_EARG,
                "reshape: negative size in (-2, -3)");
    nn_tensor_release(x);
}

static void test_concat_and_stack_errors_name_the_mismatched_tensor(
    void **state)
{
    (void)state;
    nn_tensor *a = ZEROS(2, SHAPE(2, 3)), *b = ZEROS(2, SHAPE(3, 3));
    nn_tensor *c = ZEROS(2, SHAPE(2, 4)), *v = ZEROS(1, SHAPE(3)), *s;
    nn_tensor *y = (nn_tensor *)1;
    CHECK_OK(nn_scalar(&s, 0.0f));
    CHECK_ERROR(nn_concat(&y, 3, (nn_tensor *[]){a, a, b}, 1, false),
                NN_ESHAPE, "concat: shapes (2, 3) and (3, 3) (tensor 3) "
                "differ outside axis 1");
    assert_null(y);
    CHECK_ERROR(nn_concat(&y, 2, (nn_tensor *[]){a, v}, 0, false), NN_ESHAPE,
                "concat: shapes (2, 3) and (3,) (tensor 2) differ outside "
                "axis 0");
    CHECK_ERROR(nn_concat(&y, 2, (nn_tensor *[]){a, c}, 0, true), NN_ESHAPE,
                "stack: all tensors must have the same shape, got (2, 3) and "
                "(2, 4) (tensor 2)");
    CHECK_ERROR(nn_concat(&y, 2, (nn_tensor *[]){s, s}, 0, false), NN_EARG,
                "concat: cannot concatenate scalars; use stack");
    CHECK_ERROR(nn_concat(&y, 0, NULL, 0, false), NN_EARG,
                "concat: expected at least one tensor");
    RELEASE(a, b, c, v, s);
}

static void test_squeeze_of_an_axis_that_is_not_1_fails(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(1, 3, 1));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_squeeze(&y, x, 1, (int64_t[]){1}), NN_ESHAPE,
                "squeeze: axis 1 of a tensor of shape (1, 3, 1) has size 3, "
                "not 1");
    assert_null(y);
    CHECK_ERROR(nn_squeeze(&y, x, 2, (int64_t[]){0, -2}), NN_ESHAPE,
                "squeeze: axis -2 of a tensor of shape (1, 3, 1) has size 3, "
                "not 1");
    nn_tensor_release(x);
}

static void test_batch_dot_errors_explain_the_axes(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(3, SHAPE(2, 3, 4)), *y5 = ZEROS(3, SHAPE(2, 5, 6));
    nn_tensor *z = ZEROS(2, SHAPE(3, 4)), *v = ZEROS(1, SHAPE(2));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_batch_dot(&y, x, x, false, 0, 0), NN_EARG,
                "batch_dot: cannot contract over the batch axis 0");
    assert_null(y);
    CHECK_ERROR(nn_batch_dot(&y, x, x, false, 1, -3), NN_EARG,
                "batch_dot: cannot contract over the batch axis 0");
    CHECK_ERROR(nn_batch_dot(&y, x, y5, true, 0, 0), NN_ESHAPE,
                "batch_dot: cannot contract axis 2 of (2, 3, 4) with axis 1 "
                "of (2, 5, 6): sizes 4 and 5 differ");
    CHECK_ERROR(nn_batch_dot(&y, x, z, false, 2, 1), NN_ESHAPE,
                "batch_dot: batch sizes differ: (2, 3, 4) and (3, 4)");
    CHECK_ERROR(nn_batch_dot(&y, v, x, true, 0, 0), NN_ESHAPE,
                "batch_dot: expected tensors of rank >= 2, got (2,) and "
                "(2, 3, 4)");
    CHECK_ERROR(nn_batch_dot(&y, x, x, false, 3, 1), NN_EARG,
                "batch_dot: axis 3 is out of range for a tensor of rank 3");
    RELEASE(x, y5, z, v);
}

static void test_slice_and_select_errors(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(1, SHAPE(3));
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_slice(&y, x, 0, 0, 3, 0), NN_EARG,
                "slice: step cannot be 0");
    assert_null(y);
    CHECK_ERROR(nn_select(&y, x, 0, 3), NN_EARG,
                "select: index 3 is out of range for axis 0 of a tensor of shape "
                "(3,)");
    CHECK_ERROR(nn_select(&y, x, 0, -4), NN_EARG,
                "select: index -4 is out of range for axis 0 of a tensor of shape "
                "(3,)");
    nn_tensor_release(x);
}

static void test_reducing_an_empty_axis_fails_for_max_and_argmax(void **state)
{
    (void)state;
    nn_tensor *x = ZEROS(2, SHAPE(2, 0)), *s;
    nn_tensor *y = (nn_tensor *)1;
    CHECK_ERROR(nn_reduce(&y, NN_MAX, x, 1, (int64_t[]){1}, false), NN_ESHAPE,
                "max: cannot reduce a tensor of shape (2, 0) over an axis of "
                "size 0");
    assert_null(y);
    CHECK_ERROR(nn_argmax(&y, x, false, 1, false, false), NN_ESHAPE,
                "argmax: cannot search a tensor of shape (2, 0) along an axis "
                "of size 0");
    CHECK_OK(nn_reduce(&s, NN_SUM, x, 1, (int64_t[]){1}, false));
    CHECK_VALUES(s, 1, SHAPE(2), 0, {0, 0}); /* an empty sum is 0 */
    RELEASE(x, s);
}

/* ---- gemm -------------------------------------------------------------- */

/* C = alpha op(A) op(B) + beta C in double, and the sum of the magnitudes
 * of its terms (the scale of float rounding errors). */
static void gemm_reference(bool ta, bool tb, size_t m, size_t n, size_t k,
                           double alpha, const float *a, size_t lda,
                           const float *b, size_t ldb, double beta,
                           const float *c, size_t ldc, double *want,
                           double *scale)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double acc = 0, mag = 0;
            for (size_t p = 0; p < k; p++) {
                double t = (double)(ta ? a[p * lda + i] : a[i * lda + p]) *
                           (double)(tb ? b[j * ldb + p] : b[p * ldb + j]);
                acc += t;
                mag += fabs(t);
            }
            double c0 = beta == 0 ? 0 : beta * (double)c[i * ldc + j];
            want[i * n + j] = alpha * acc + c0;
            scale[i * n + j] = fabs(alpha) * mag + fabs(c0);
        }
}

static void fill_random(float *v, size_t n)
{
    nn_tensor *t;
    CHECK_OK(nn_rand(&t, 1, (int64_t[]){(int64_t)n}, -1, 1));
    memcpy(v, t->data, n * sizeof *v);
    nn_tensor_release(t);
}

static void check_gemm_case(bool ta, bool tb, size_t m, size_t n, size_t k,
                            float alpha, float beta)
{
    /* stored shapes with 3 columns of padding, to check the strides */
    size_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k,
           bc = tb ? k : n;
    size_t lda = ac + 3, ldb = bc + 3, ldc = n + 3;
    float *a = malloc(ar * lda * sizeof *a), *b = malloc(br * ldb * sizeof *b);
    float *c0 = malloc(m * ldc * sizeof *c0);
    float *c1 = malloc(m * ldc * sizeof *c1);
    float *c2 = malloc(m * ldc * sizeof *c2);
    double *want = malloc(m * n * sizeof *want);
    double *scale = malloc(m * n * sizeof *scale);
    assert_true(a && b && c0 && c1 && c2 && want && scale);
    fill_random(a, ar * lda);
    fill_random(b, br * ldb);
    fill_random(c0, m * ldc);
    memcpy(c1, c0, m * ldc * sizeof *c0);
    memcpy(c2, c0, m * ldc * sizeof *c0);
    gemm_reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc,
                   want, scale);
    nn_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c1, ldc);
    nn_gemm_portable(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c2, ldc);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < ldc; j++) {
            size_t at = i * ldc + j;
            if (j >= n) { /* padding is never written */
                if (c1[at] != c0[at] || c2[at] != c0[at])
                    fail_msg("gemm %dx%dx%d ta=%d tb=%d wrote padding at "
                             "(%zu, %zu)", (int)m, (int)n, (int)k, ta, tb, i,
                             j);
                continue;
            }
            double w = want[i * n + j], tol = 1e-5 * (scale[i * n + j] + 1);
            if (!(fabs(c1[at] - w) <= tol && fabs(c2[at] - w) <= tol &&
                  fabs((double)c1[at] - c2[at]) <= tol))
                fail_msg("gemm %dx%dx%d ta=%d tb=%d alpha=%g beta=%g at "
                         "(%zu, %zu): nn_gemm %.9g, portable %.9g, want "
                         "%.9g", (int)m, (int)n, (int)k, ta, tb,
                         (double)alpha, (double)beta, i, j, (double)c1[at],
                         (double)c2[at], w);
        }
    free(a);
    free(b);
    free(c0);
    free(c1);
    free(c2);
    free(want);
    free(scale);
}

static void test_gemm_agrees_with_the_portable_loop(void **state)
{
    (void)state;
    static const size_t sizes[][3] = {
        {37, 53, 29}, /* above the BLAS threshold: OpenBLAS if configured */
        {64, 65, 130}, /* more than one k block of the portable loop */
        {3, 5, 7},    /* below it: both run the portable loop */
        {1, 1, 1},
    };
    static const float scalars[][2] = {{1, 0}, {1, 1}, {0.5f, -2}};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int t = 0; t < 4; t++)
            for (size_t ab = 0; ab < sizeof scalars / sizeof *scalars; ab++)
                check_gemm_case(t & 1, (t >> 1) & 1, sizes[s][0],
                                sizes[s][1], sizes[s][2], scalars[ab][0],
                                scalars[ab][1]);
}

static void test_gemm_with_beta_0_ignores_what_c_held(void **state)
{
    (void)state;
    const size_t m = 37, n = 53, k = 29;
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b);
    float *c1 = malloc(m * n * sizeof *c1), *c2 = malloc(m * n * sizeof *c2);
    assert_true(a && b && c1 && c2);
    fill_random(a, m * k);
    fill_random(b, k * n);
    for (size_t i = 0; i < m * n; i++)
        c1[i] = c2[i] = NAN;
    nn_gemm(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c1, n);
    nn_gemm_portable(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c2, n);
    for (size_t i = 0; i < m * n; i++) {
        assert_false(isnan(c1[i]));
        assert_false(isnan(c2[i]));
        assert_float_equal(c1[i], c2[i], 1e-5);
    }
    free(a);
    free(b);
    free(c1);
    free(c2);
}

static void test_gemm_backend_is_named(void **state)
{
    (void)state;
    const char *name = nn_gemm_backend();
    assert_true(strcmp(name, "openblas") == 0 ||
                strcmp(name, "portable") == 0);
}

/* ---- main -------------------------------------------------------------- */

#define TEST(f) cmocka_unit_test_setup_teardown(f, remember_memory, \
                                                check_memory_released)

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* element-wise */
        TEST(test_binary_ops_compute_each_kind_elementwise),
        TEST(test_binary_names_follow_keras),
        TEST(test_binary_broadcasts_a_vector_over_the_rows),
        TEST(test_binary_broadcasts_a_column_against_a_row),
        TEST(test_binary_broadcasts_scalar_tensors),
        TEST(test_binary_broadcasts_rank_3_against_rank_2),
        TEST(test_binary_keeps_operand_order_when_both_broadcast),
        TEST(test_unary_functions_match_hand_computed_values),
        TEST(test_unary_log_and_sqrt_match_hand_computed_values),
        TEST(test_unary_names_round_trip_through_lookup),
        /* reductions */
        TEST(test_reduce_over_one_axis),
        TEST(test_reduce_over_all_axes_gives_a_scalar),
        TEST(test_reduce_over_several_axes_including_negative_ones),
        TEST(test_reduce_keepdims_keeps_reduced_axes_as_size_1),
        TEST(test_argmax_finds_the_first_largest_along_an_axis),
        TEST(test_argmax_searches_the_flattened_tensor),
        TEST(test_argmin_finds_the_smallest),
        TEST(test_softmax_matches_hand_computed_values_on_each_axis),
        TEST(test_softmax_is_stable_for_large_inputs),
        /* products */
        TEST(test_matmul_multiplies_matrices),
        TEST(test_matmul_multiplies_batches_of_matrices),
        TEST(test_matmul_broadcasts_batch_axes),
        TEST(test_matmul_transposes_either_operand),
        TEST(test_batch_dot_contracts_default_axes_of_3d_tensors),
        TEST(test_batch_dot_of_two_matrices_gives_a_column),
        TEST(test_batch_dot_contracts_the_given_axes_2_2),
        TEST(test_batch_dot_of_a_matrix_and_a_3d_tensor_drops_the_axis),
        /* shapes */
        TEST(test_reshape_infers_a_minus_one_size),
        TEST(test_transpose_permutes_axes),
        TEST(test_transpose_without_perm_reverses_axes),
        TEST(test_transpose_of_tensors_larger_than_a_tile),
        TEST(test_squeeze_removes_size_1_axes),
        TEST(test_expand_dims_counts_the_axis_in_the_result),
        TEST(test_concat_joins_along_an_existing_axis),
        TEST(test_stack_joins_along_a_new_axis),
        TEST(test_slice_follows_python_semantics),
        TEST(test_slice_with_a_negative_step_on_one_axis_of_a_matrix),
        TEST(test_select_removes_the_indexed_axis),
        /* symbolic */
        TEST(test_symbolic_matmul_keeps_an_unknown_batch),
        TEST(test_symbolic_reshape_infers_an_unknown_size),
        TEST(test_symbolic_transpose_and_reduce_move_the_unknown_size),
        TEST(test_symbolic_elementwise_ops_broadcast_the_unknown_size),
        TEST(test_symbolic_concat_slice_and_select_infer_shapes),
        TEST(test_symbolic_tensors_still_report_shape_errors),
        /* PyTorch references */
        TEST(test_unary_functions_match_pytorch),
        TEST(test_softmax_matches_pytorch_on_every_axis),
        TEST(test_matmul_matches_pytorch),
        TEST(test_batch_dot_matches_pytorch),
        /* gradients */
        TEST(test_binary_gradients_sum_over_broadcast_axes),
        TEST(test_maximum_and_minimum_send_the_gradient_to_the_winner),
        TEST(test_reduce_max_sends_the_gradient_to_the_first_maximum),
        TEST(test_gradcheck_binary_ops_on_broadcast_shapes),
        TEST(test_gradcheck_binary_op_with_one_constant_operand),
        TEST(test_gradcheck_an_operand_used_twice),
        TEST(test_gradcheck_unary_ops),
        TEST(test_gradcheck_reductions),
        TEST(test_gradcheck_softmax_and_log_softmax),
        TEST(test_gradcheck_matmul),
        TEST(test_gradcheck_batch_dot),
        TEST(test_gradcheck_reshape_transpose_squeeze_expand_dims),
        TEST(test_gradcheck_concat_and_stack),
        TEST(test_gradcheck_slice_and_select),
        TEST(test_every_backward_adds_into_existing_gradients),
        TEST(test_gradcheck_reports_a_gradient_that_disagrees),
        /* errors */
        TEST(test_matmul_errors_name_both_shapes),
        TEST(test_broadcast_errors_name_the_op_and_both_shapes),
        TEST(test_bad_axes_are_reported_with_the_op_name),
        TEST(test_transpose_rejects_a_repeated_axis),
        TEST(test_reshape_errors_give_the_element_counts),
        TEST(test_concat_and_stack_errors_name_the_mismatched_tensor),
        TEST(test_squeeze_of_an_axis_that_is_not_1_fails),
        TEST(test_batch_dot_errors_explain_the_axes),
        TEST(test_slice_and_select_errors),
        TEST(test_reducing_an_empty_axis_fails_for_max_and_argmax),
        /* gemm */
        TEST(test_gemm_agrees_with_the_portable_loop),
        TEST(test_gemm_with_beta_0_ignores_what_c_held),
        TEST(test_gemm_backend_is_named),
        /* empty tensors; last, as an empty batch crashed matmul (SIGFPE) */
        TEST(test_matmul_over_an_empty_axis_gives_zeros),
        TEST(test_batch_dot_over_an_empty_axis_gives_zeros),
        TEST(test_batch_dot_of_an_empty_batch_gives_an_empty_result),
        TEST(test_matmul_of_an_empty_batch_gives_an_empty_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
