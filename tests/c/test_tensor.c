/*
 * test_tensor.c - tensors: creation, reference counting, shapes, axes, the
 * memory limit, the random number generator and printing.
 *
 * Every test runs between record_memory and no_tensor_leaked, which fail it
 * when the bytes held by live tensors differ before and after, and put the
 * memory limit back.
 */
#include "check.h"

#include <stdlib.h>

#include "core/format.h"
#include "core/rng.h"

static size_t memory_at_start, limit_at_start;

static int record_memory(void **state)
{
    (void)state;
    memory_at_start = nn_memory_in_use();
    limit_at_start = nn_memory_limit();
    return 0;
}

static int no_tensor_leaked(void **state)
{
    (void)state;
    /* a test that failed half-way must not leave its limit to the next */
    nn_set_memory_limit(limit_at_start);
    if (nn_memory_in_use() != memory_at_start) {
        print_error("leak: %zu bytes of tensors in use before the test, "
                    "%zu after\n", memory_at_start, nn_memory_in_use());
        return -1;
    }
    return 0;
}

/* Asserts nn_tensor_format(t) is exactly want, and releases t first so a
 * failure leaks nothing. */
static void check_format(nn_tensor *t, const char *want)
{
    char *got = nn_tensor_format(t, NULL), buf[8192];
    nn_tensor_release(t);
    assert_non_null(got);
    snprintf(buf, sizeof buf, "%s", got);
    free(got);
    assert_string_equal(buf, want);
}

/* ---- creation ---------------------------------------------------------- */

static void a_new_tensor_has_the_shape_asked_for_and_holds_zeros(void **state)
{
    (void)state;
    nn_tensor *t;
    CHECK_OK(nn_tensor_new(&t, 3, (int64_t[]){2, 3, 4}));
    assert_int_equal(t->ndim, 3);
    assert_int_equal(t->shape[0], 2);
    assert_int_equal(t->shape[1], 3);
    assert_int_equal(t->shape[2], 4);
    assert_int_equal(t->size, 24);
    assert_int_equal(t->refcount, 1);
    assert_false(t->symbolic);
    assert_false(t->requires_grad);
    assert_null(t->grad);
    assert_null(t->node);
    assert_non_null(t->data);
    for (size_t i = 0; i < t->size; i++)
        assert_true(t->data[i] == 0.0f);
    assert_int_equal(nn_memory_in_use(), memory_at_start + 24 * sizeof(float));
    nn_tensor_release(t);
}

static void a_0_d_tensor_holds_exactly_one_element(void **state)
{
    (void)state;
    nn_tensor *t;
    CHECK_OK(nn_tensor_new(&t, 0, NULL));
    assert_int_equal(t->ndim, 0);
    assert_int_equal(t->size, 1);
    assert_true(t->data[0] == 0.0f);
    assert_string_equal(NN_SHAPE(t), "()");
    nn_tensor_release(t);
}

static void a_tensor_with_an_axis_of_size_0_has_no_elements(void **state)
{
    (void)state;
    nn_tensor *t;
    CHECK_OK(nn_tensor_new(&t, 3, (int64_t[]){3, 0, 2}));
    assert_int_equal(t->size, 0);
    assert_int_equal(t->shape[1], 0);
    assert_non_null(t->data); /* a valid pointer even for no elements */
    assert_int_equal(nn_memory_in_use(), memory_at_start);
    nn_tensor_release(t);
}

static void a_tensor_has_at_most_8_axes(void **state)
{
    (void)state;
    nn_tensor *t = (nn_tensor *)&t;
    int64_t shape[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_ERROR(nn_tensor_new(&t, 9, shape), NN_EARG,
                "a tensor has at most 8 axes, got 9");
    assert_null(t);
    CHECK_OK(nn_tensor_new(&t, 8, shape));
    assert_int_equal(t->size, 1);
    nn_tensor_release(t);
}

static void a_negative_size_is_an_argument_error(void **state)
{
    (void)state;
    nn_tensor *t = (nn_tensor *)&t;
    CHECK_ERROR(nn_tensor_new(&t, 2, (int64_t[]){2, -3}), NN_EARG,
                "negative size -3 in shape (2, -3)");
    assert_null(t);
    assert_int_equal(nn_memory_in_use(), memory_at_start);
}

static void new_like_and_clone_copy_the_shape_and_clone_the_values(void **state)
{
    (void)state;
    nn_tensor *a = T(2, SHAPE(2, 2), {1, 2, 3, 4}), *z, *c;
    a->requires_grad = true;
    CHECK_OK(nn_tensor_new_like(&z, a));
    CHECK_VALUES(z, 2, SHAPE(2, 2), 0.0, {0, 0, 0, 0});
    CHECK_OK(nn_tensor_clone(&c, a));
    CHECK_VALUES(c, 2, SHAPE(2, 2), 0.0, {1, 2, 3, 4});
    assert_ptr_not_equal(c->data, a->data);
    assert_false(c->requires_grad); /* detached from any graph */
    assert_null(c->node);
    c->data[0] = 9.0f;
    assert_true(a->data[0] == 1.0f);
    nn_tensor_release(a);
    nn_tensor_release(z);
    nn_tensor_release(c);
}

static void a_symbolic_tensor_has_a_shape_and_no_data(void **state)
{
    (void)state;
    nn_tensor *s, *c;
    CHECK_OK(nn_tensor_symbolic(&s, 3, (int64_t[]){NN_NONE, 64, 32}));
    assert_true(s->symbolic);
    assert_null(s->data);
    assert_int_equal(s->size, 0);
    assert_string_equal(NN_SHAPE(s), "(None, 64, 32)");
    CHECK_OK(nn_tensor_clone(&c, s));
    assert_true(c->symbolic);
    assert_string_equal(NN_SHAPE(c), "(None, 64, 32)");
    assert_int_equal(nn_memory_in_use(), memory_at_start);
    nn_tensor_release(s);
    nn_tensor_release(c);
    CHECK_ERROR(nn_tensor_symbolic(&s, 2, (int64_t[]){NN_NONE, -2}), NN_EARG,
                "negative size -2 in shape (None, -2)");
    assert_null(s);
}

/* ---- reference counting ------------------------------------------------ */

static void retain_and_release_count_references(void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(3), {1, 2, 3});
    size_t held = memory_at_start + 3 * sizeof(float);
    assert_ptr_equal(nn_tensor_retain(t), t);
    assert_int_equal(t->refcount, 2);
    nn_tensor_release(t);
    /* one reference left: still alive, values intact */
    assert_int_equal(t->refcount, 1);
    assert_true(t->data[2] == 3.0f);
    assert_int_equal(nn_memory_in_use(), held);
    nn_tensor_release(t); /* the last one frees it */
    assert_int_equal(nn_memory_in_use(), memory_at_start);
}

static void retain_and_release_accept_null(void **state)
{
    (void)state;
    assert_null(nn_tensor_retain(NULL));
    nn_tensor_release(NULL);
}

static void releasing_a_tensor_releases_its_grad(void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(4), {1, 2, 3, 4});
    CHECK_OK(nn_tensor_new_like(&t->grad, t));
    assert_int_equal(nn_memory_in_use(), memory_at_start + 32);
    nn_tensor_release(t);
    assert_int_equal(nn_memory_in_use(), memory_at_start);
}

/* ---- shapes ------------------------------------------------------------ */

static void shapes_are_formatted_as_python_tuples(void **state)
{
    (void)state;
    char buf[64];
    nn_shape_format(buf, sizeof buf, 3, (int64_t[]){2, 64, 128});
    assert_string_equal(buf, "(2, 64, 128)");
    nn_shape_format(buf, sizeof buf, 2, (int64_t[]){NN_NONE, 64});
    assert_string_equal(buf, "(None, 64)");
    nn_shape_format(buf, sizeof buf, 1, (int64_t[]){3});
    assert_string_equal(buf, "(3,)");
    nn_shape_format(buf, sizeof buf, 0, NULL);
    assert_string_equal(buf, "()");
    nn_shape_format(buf, sizeof buf, 1, (int64_t[]){NN_NONE});
    assert_string_equal(buf, "(None,)");
}

static void shape_format_never_writes_past_the_buffer(void **state)
{
    (void)state;
    char buf[16];
    memset(buf, 'X', sizeof buf);
    nn_shape_format(buf, 6, 3, (int64_t[]){2, 64, 128});
    assert_string_equal(buf, "(2, 6"); /* truncated, terminated */
    for (size_t i = 6; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'X');
    memset(buf, 'X', sizeof buf);
    nn_shape_format(buf, 4, 1, (int64_t[]){123});
    assert_string_equal(buf, "(12");
    for (size_t i = 4; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'X');
}

static void shape_str_keeps_four_results_alive(void **state)
{
    (void)state;
    const char *a = nn_shape_str(1, (int64_t[]){3});
    const char *b = nn_shape_str(2, (int64_t[]){NN_NONE, 64});
    const char *c = nn_shape_str(0, NULL);
    const char *d = nn_shape_str(3, (int64_t[]){2, 64, 128});
    assert_string_equal(a, "(3,)");
    assert_string_equal(b, "(None, 64)");
    assert_string_equal(c, "()");
    assert_string_equal(d, "(2, 64, 128)");
}

static void shape_str_fits_eight_axes_of_the_largest_size(void **state)
{
    (void)state;
    int64_t shape[NN_MAXDIM];
    char want[256] = "(";
    for (int i = 0; i < NN_MAXDIM; i++) {
        shape[i] = INT64_MAX;
        strcat(want, i ? ", 9223372036854775807" : "9223372036854775807");
    }
    strcat(want, ")");
    assert_string_equal(nn_shape_str(NN_MAXDIM, shape), want);
}

static void shape_numel_multiplies_the_sizes(void **state)
{
    (void)state;
    size_t n = 99;
    CHECK_OK(nn_shape_numel(&n, 3, (int64_t[]){2, 3, 4}));
    assert_int_equal(n, 24);
    CHECK_OK(nn_shape_numel(&n, 0, NULL));
    assert_int_equal(n, 1);
    CHECK_OK(nn_shape_numel(&n, 2, (int64_t[]){0, INT64_MAX}));
    assert_int_equal(n, 0);
}

static void shape_equal_compares_rank_and_sizes(void **state)
{
    (void)state;
    assert_true(nn_shape_equal(2, (int64_t[]){2, 3}, 2, (int64_t[]){2, 3}));
    assert_false(nn_shape_equal(2, (int64_t[]){2, 3}, 2, (int64_t[]){3, 2}));
    assert_false(nn_shape_equal(1, (int64_t[]){6}, 2, (int64_t[]){2, 3}));
    assert_true(nn_shape_equal(0, NULL, 0, NULL));
}

/* ---- axes -------------------------------------------------------------- */

static void negative_axes_count_from_the_end(void **state)
{
    (void)state;
    int a = -7;
    CHECK_OK(nn_normalize_axis(&a, 0, 3, "sum"));
    assert_int_equal(a, 0);
    CHECK_OK(nn_normalize_axis(&a, 2, 3, "sum"));
    assert_int_equal(a, 2);
    CHECK_OK(nn_normalize_axis(&a, -1, 3, "sum"));
    assert_int_equal(a, 2);
    CHECK_OK(nn_normalize_axis(&a, -3, 3, "sum"));
    assert_int_equal(a, 0);
}

static void an_axis_out_of_range_names_the_op_and_the_rank(void **state)
{
    (void)state;
    int a = -7;
    CHECK_ERROR(nn_normalize_axis(&a, 3, 3, "sum"), NN_EARG,
                "sum: axis 3 is out of range for a tensor of rank 3");
    CHECK_ERROR(nn_normalize_axis(&a, -4, 3, "softmax"), NN_EARG,
                "softmax: axis -4 is out of range for a tensor of rank 3");
    CHECK_ERROR(nn_normalize_axis(&a, 0, 0, "mean"), NN_EARG,
                "mean: axis 0 is out of range for a tensor of rank 0");
    CHECK_ERROR(nn_normalize_axis(&a, INT64_MIN, 2, "max"), NN_EARG,
                "max: axis -9223372036854775808 is out of range for a tensor "
                "of rank 2");
    assert_int_equal(a, -7); /* untouched on error */
}

/* ---- the memory limit -------------------------------------------------- */

static void a_tensor_beyond_the_memory_limit_is_refused_with_its_size(void **s)
{
    (void)s;
    size_t saved = nn_memory_limit();
    size_t limit = nn_memory_in_use() + 100;
    char want[256];
    nn_tensor *a, *b = (nn_tensor *)&b;

    nn_set_memory_limit(limit);
    assert_int_equal(nn_memory_limit(), limit);
    CHECK_OK(nn_tensor_new(&a, 2, (int64_t[]){5, 5})); /* exactly 100 bytes */
    nn_tensor_release(a);
    snprintf(want, sizeof want, "a tensor of shape (26,) would need 104 "
             "bytes, more than the memory limit (%zu bytes)", limit);
    CHECK_ERROR(nn_tensor_new(&b, 1, (int64_t[]){26}), NN_ENOMEM, want);
    assert_null(b);

    /* the limit counts what is already held */
    CHECK_OK(nn_tensor_new(&a, 1, (int64_t[]){20}));
    snprintf(want, sizeof want, "a tensor of shape (2, 3) would need 24 "
             "bytes, more than the memory limit (%zu bytes)", limit);
    CHECK_ERROR(nn_tensor_new(&b, 2, (int64_t[]){2, 3}), NN_ENOMEM, want);
    nn_tensor_release(a);

    nn_set_memory_limit((size_t)1 << 20);
    CHECK_ERROR(nn_tensor_new(&b, 3, (int64_t[]){1024, 1024, 1024}),
                NN_ENOMEM, "a tensor of shape (1024, 1024, 1024) would need "
                "4.0 GiB, more than the memory limit (1.0 MiB)");
    nn_set_memory_limit((size_t)3 << 29);
    CHECK_ERROR(nn_tensor_new(&b, 2, (int64_t[]){1 << 20, 1 << 10}),
                NN_ENOMEM, "a tensor of shape (1048576, 1024) would need "
                "4.0 GiB, more than the memory limit (1.5 GiB)");
    nn_set_memory_limit(saved);
    assert_int_equal(nn_memory_limit(), saved);
}

static void memory_in_use_goes_back_down_after_release(void **state)
{
    (void)state;
    nn_tensor *a, *b;
    CHECK_OK(nn_tensor_new(&a, 2, (int64_t[]){10, 10}));
    assert_int_equal(nn_memory_in_use(), memory_at_start + 400);
    CHECK_OK(nn_tensor_new(&b, 1, (int64_t[]){7}));
    assert_int_equal(nn_memory_in_use(), memory_at_start + 428);
    nn_tensor_release(a);
    assert_int_equal(nn_memory_in_use(), memory_at_start + 28);
    nn_tensor_release(b);
    assert_int_equal(nn_memory_in_use(), memory_at_start);
}

static void a_size_that_overflows_is_out_of_memory_not_a_crash(void **state)
{
    (void)state;
    nn_tensor *t = (nn_tensor *)&t;
    int64_t big = (int64_t)1 << 40;
    CHECK_ERROR(nn_tensor_new(&t, 3, (int64_t[]){big, big, big}), NN_ENOMEM,
                "shape (1099511627776, 1099511627776, 1099511627776) has too "
                "many elements");
    assert_null(t);
    assert_int_equal(nn_memory_in_use(), memory_at_start);
}

static void a_size_whose_bytes_overflow_is_refused_by_the_limit(void **state)
{
    (void)state;
    size_t saved = nn_memory_limit();
    nn_tensor *t = (nn_tensor *)&t;
    nn_set_memory_limit((size_t)1 << 30);
    /* 2^62 floats: the count fits a size_t, the bytes do not */
    CHECK_ERROR(nn_tensor_new(&t, 1, (int64_t[]){(int64_t)1 << 62}),
                NN_ENOMEM, "a tensor of shape (4611686018427387904,) would "
                "need 17179869184.0 GiB, more than the memory limit (1.0 GiB)");
    assert_null(t);
    nn_set_memory_limit(saved);
}

static void a_size_just_below_the_byte_overflow_is_refused_by_the_limit(
    void **state)
{
    (void)state;
    size_t saved = nn_memory_limit();
    nn_tensor *held, *t = (nn_tensor *)&t;
    CHECK_OK(nn_tensor_new(&held, 1, (int64_t[]){4}));
    nn_set_memory_limit((size_t)1 << 30);
    /* SIZE_MAX / 4 floats: the bytes fit a size_t, but adding the 16 bytes
     * in use must not wrap around and let the request through */
    int64_t n = (int64_t)(SIZE_MAX / sizeof(float));
    nn_status s = nn_tensor_new(&t, 1, &n);
    nn_set_memory_limit(saved);
    nn_tensor_release(held);
    assert_int_equal(s, NN_ENOMEM);
    assert_null(t);
    assert_string_equal(nn_errmsg(), "a tensor of shape (4611686018427387903,) "
                        "would need 17179869184.0 GiB, more than the memory "
                        "limit (1.0 GiB)");
}

static void an_op_over_the_memory_limit_fails_under_its_name_and_leaks_nothing(
    void **state)
{
    (void)state;
    size_t saved = nn_memory_limit();
    nn_tensor *a = T(2, SHAPE(2, 3), {1, 2, 3, 4, 5, 6});
    nn_tensor *b = T(2, SHAPE(3, 4), {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1});
    nn_tensor *y = (nn_tensor *)&y;
    char want[256];
    a->requires_grad = true;
    size_t base = nn_memory_in_use();
    size_t limit = base + 8;
    nn_set_memory_limit(limit);

    snprintf(want, sizeof want, "matmul: a tensor of shape (2, 4) would need "
             "32 bytes, more than the memory limit (%zu bytes)", limit);
    CHECK_ERROR(nn_matmul(&y, a, b, false, false), NN_ENOMEM, want);
    assert_null(y);
    assert_int_equal(nn_memory_in_use(), base);
    assert_int_equal(a->refcount, 1); /* no node holds it */
    assert_int_equal(b->refcount, 1);

    y = (nn_tensor *)&y;
    snprintf(want, sizeof want, "add: a tensor of shape (2, 3) would need "
             "24 bytes, more than the memory limit (%zu bytes)", limit);
    CHECK_ERROR(nn_binary(&y, NN_ADD, a, a), NN_ENOMEM, want);
    assert_null(y);
    assert_int_equal(nn_memory_in_use(), base);
    assert_int_equal(a->refcount, 1);

    /* with the limit restored the same op works */
    nn_set_memory_limit(saved);
    CHECK_OK(nn_matmul(&y, a, b, false, false));
    CHECK_VALUES(y, 2, SHAPE(2, 4), 0.0, {1, 2, 3, 6, 4, 5, 6, 15});
    nn_tensor_release(y);
    nn_tensor_release(a);
    nn_tensor_release(b);
}

static void a_composite_op_failing_at_any_allocation_leaks_nothing(void **st)
{
    (void)st;
    /* batch_dot makes several intermediate tensors; whichever allocation
     * the limit stops, all of them must be given back */
    size_t saved = nn_memory_limit();
    nn_tensor *x, *y, *out;
    CHECK_OK(nn_rand(&x, 3, (int64_t[]){2, 3, 4}, -1.0f, 1.0f));
    CHECK_OK(nn_rand(&y, 3, (int64_t[]){2, 4, 5}, -1.0f, 1.0f));
    x->requires_grad = true;
    size_t base = nn_memory_in_use();
    int failures = 0, successes = 0;
    for (size_t extra = 0; extra <= 2048; extra += 4) {
        nn_set_memory_limit(base + extra);
        nn_status s = nn_batch_dot(&out, x, y, true, 0, 0);
        if (s == NN_OK) {
            successes++;
            assert_int_equal(out->ndim, 3);
            nn_tensor_release(out);
        } else {
            failures++;
            assert_int_equal(s, NN_ENOMEM);
            assert_null(out);
            assert_true(strncmp(nn_errmsg(), "batch_dot: ", 11) == 0);
        }
        assert_int_equal(nn_memory_in_use(), base);
        assert_int_equal(x->refcount, 1);
        assert_int_equal(y->refcount, 1);
    }
    nn_set_memory_limit(saved);
    assert_true(failures > 0);
    assert_true(successes > 0);
    nn_tensor_release(x);
    nn_tensor_release(y);
}

static void allocations_past_the_limit_fail_with_the_limit_named(void **st)
{
    (void)st;
    size_t saved = nn_memory_limit();
    nn_tensor *held, *t = (nn_tensor *)&t;
    char want[256];
    CHECK_OK(nn_tensor_new(&held, 1, (int64_t[]){10}));
    size_t limit = nn_memory_in_use() + 16;
    nn_set_memory_limit(limit);
    nn_status s1 = nn_tensor_new(&t, 1, (int64_t[]){5}); /* 20 > 16 left */
    nn_status s2 = nn_tensor_new(&t, 1, (int64_t[]){1000});
    nn_set_memory_limit(saved);
    nn_tensor_release(held);
    assert_int_equal(s1, NN_ENOMEM);
    assert_int_equal(s2, NN_ENOMEM);
    snprintf(want, sizeof want, "a tensor of shape (1000,) would need 4000 "
             "bytes, more than the memory limit (%zu bytes)", limit);
    assert_string_equal(nn_errmsg(), want);
    assert_null(t);
}

/* ---- the random number generator --------------------------------------- */

static void the_generator_is_xoshiro256starstar_seeded_by_splitmix64(void **s)
{
    (void)s;
    /* values from an independent implementation of the published
     * algorithms, so a script's random draws are the same everywhere */
    nn_rng r;
    nn_rng_seed(&r, 0);
    assert_true(nn_rng_next(&r) == 0x99ec5f36cb75f2b4ULL);
    assert_true(nn_rng_next(&r) == 0xbf6e1f784956452aULL);
    assert_true(nn_rng_next(&r) == 0x1a5f849d4933e6e0ULL);
    nn_rng_seed(&r, 42);
    assert_true(nn_rng_next(&r) == 0x15780b2e0c2ec716ULL);
    assert_true(nn_rng_next(&r) == 0x6104d9866d113a7eULL);
    assert_true(nn_rng_next(&r) == 0xae17533239e499a1ULL);
}

static void the_same_seed_gives_the_same_stream(void **state)
{
    (void)state;
    nn_rng a, b, c;
    nn_rng_seed(&a, 1234);
    nn_rng_seed(&b, 1234);
    nn_rng_seed(&c, 1235);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = nn_rng_next(&a), y = nn_rng_next(&b);
        assert_true(x == y);
        differ += x != nn_rng_next(&c);
    }
    assert_int_equal(differ, 1000);
    for (int i = 0; i < 1001; i++) /* odd: leaves a spare normal in a */
        assert_true(nn_rng_normal(&a) == nn_rng_normal(&b));
    /* reseeding forgets the spare normal of a Box-Muller pair */
    nn_rng_seed(&a, 7);
    nn_rng_seed(&b, 7);
    assert_true(nn_rng_normal(&a) == nn_rng_normal(&b));
    assert_true(nn_rng_truncated_normal(&a) == nn_rng_truncated_normal(&b));
}

static void uniform_draws_lie_in_0_1_with_mean_one_half(void **state)
{
    (void)state;
    nn_rng r;
    nn_rng_seed(&r, 2024);
    double sum = 0.0, lo = 1.0, hi = 0.0;
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        double u = nn_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    /* the standard error of the mean is 0.29 / sqrt(n) = 0.0009 */
    assert_true(fabs(sum / n - 0.5) < 0.01);
    assert_true(lo < 0.001 && hi > 0.999);
}

static void normal_draws_have_mean_0_and_stddev_1(void **state)
{
    (void)state;
    nn_rng r;
    nn_rng_seed(&r, 99);
    double sum = 0.0, sq = 0.0;
    int beyond2 = 0;
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        double x = nn_rng_normal(&r);
        assert_true(isfinite(x));
        sum += x;
        sq += x * x;
        beyond2 += fabs(x) > 2.0;
    }
    double mean = sum / n, sd = sqrt(sq / n - mean * mean);
    assert_true(fabs(mean) < 0.02);
    assert_true(fabs(sd - 1.0) < 0.02);
    /* P(|x| > 2) = 4.55% for a normal */
    assert_true(fabs((double)beyond2 / n - 0.0455) < 0.005);
}

static void truncated_normal_draws_stay_within_two_stddevs(void **state)
{
    (void)state;
    nn_rng r;
    nn_rng_seed(&r, 5);
    double sum = 0.0, sq = 0.0;
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        double x = nn_rng_truncated_normal(&r);
        assert_true(x >= -2.0 && x <= 2.0);
        sum += x;
        sq += x * x;
    }
    double mean = sum / n, sd = sqrt(sq / n - mean * mean);
    /* a normal truncated at +-2 has stddev 0.8796 */
    assert_true(fabs(mean) < 0.02);
    assert_true(fabs(sd - 0.8796) < 0.02);
}

static void random_tensors_come_from_the_global_stream(void **state)
{
    (void)state;
    nn_tensor *u, *g;
    assert_ptr_equal(nn_rng_global(), nn_rng_global());
    nn_rng saved = *nn_rng_global();
    CHECK_OK(nn_rand(&u, 2, (int64_t[]){50, 40}, -3.0f, 5.0f));
    for (size_t i = 0; i < u->size; i++)
        assert_true(u->data[i] >= -3.0f && u->data[i] < 5.0f);
    CHECK_OK(nn_truncated_normal(&g, 1, (int64_t[]){2000}, 1.0f, 0.5f));
    for (size_t i = 0; i < g->size; i++)
        assert_true(g->data[i] >= 0.0f && g->data[i] <= 2.0f);
    /* the same state replays the same draws */
    nn_rng r = saved;
    for (size_t i = 0; i < u->size; i++)
        assert_true(u->data[i] ==
                    (float)(-3.0f + 8.0f * nn_rng_uniform(&r)));
    nn_tensor_release(u);
    nn_tensor_release(g);
}

/* ---- printing ---------------------------------------------------------- */

static void integral_values_print_with_a_trailing_point(void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(3), {1, 2, 3});
    check_format(t, "[1. 2. 3.]");
    t = T(1, SHAPE(3), {-1, 10, 2});
    check_format(t, "[-1. 10.  2.]");
}

/* The expected strings are NumPy's str(a) for float32 arrays under
 * np.set_printoptions(precision=4, floatmode="maxprec_equal", linewidth=80);
 * tests/lua/test_print.lua checks many more against NumPy's own output. */
static void fractions_print_with_the_digits_they_need_up_to_4(void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(3), {0.5f, 1.25f, -3.125f});
    check_format(t, "[ 0.500  1.250 -3.125]");
    t = T(1, SHAPE(2), {1.0f / 3.0f, -12.5f});
    check_format(t, "[  0.3333 -12.5000]");
}

static void tiny_and_huge_magnitudes_print_in_scientific_notation(void **st)
{
    (void)st;
    nn_tensor *t = T(1, SHAPE(2), {1e-5f, 1.0f});
    check_format(t, "[1.e-05 1.e+00]");
    t = T(1, SHAPE(2), {1e9f, -2.0f});
    check_format(t, "[ 1.e+09 -2.e+00]");
    /* a ratio over 1000 too, as NumPy decides */
    t = T(1, SHAPE(2), {1793215.75f, 1.5f});
    check_format(t, "[1.7932e+06 1.5000e+00]");
    t = T(1, SHAPE(1), {1793215.75f});
    check_format(t, "[1793215.8]");
}

static void a_matrix_prints_one_row_per_line(void **state)
{
    (void)state;
    nn_tensor *t = T(2, SHAPE(2, 3), {1, -2, 3, 4, 5, 60});
    check_format(t, "[[ 1. -2.  3.]\n"
                    " [ 4.  5. 60.]]");
}

static void a_3_d_tensor_separates_matrices_with_a_blank_line(void **state)
{
    (void)state;
    nn_tensor *t = T(3, SHAPE(2, 2, 2), {0, 1, 2, 3, 4, 5, 6, 7});
    check_format(t, "[[[0. 1.]\n"
                    "  [2. 3.]]\n"
                    "\n"
                    " [[4. 5.]\n"
                    "  [6. 7.]]]");
}

static void scalars_empty_and_symbolic_tensors_print_plainly(void **state)
{
    (void)state;
    nn_tensor *t;
    CHECK_OK(nn_scalar(&t, 3.5f));
    check_format(t, "3.5");
    CHECK_OK(nn_scalar(&t, -2.0f));
    check_format(t, "-2.0");
    CHECK_OK(nn_scalar(&t, 1e-5f));
    check_format(t, "1e-05");
    CHECK_OK(nn_tensor_new(&t, 2, (int64_t[]){0, 3}));
    check_format(t, "[]");
    CHECK_OK(nn_tensor_symbolic(&t, 2, (int64_t[]){NN_NONE, 3}));
    check_format(t, "(symbolic: no values)");
}

static void nan_and_inf_print_as_numpy_does(void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(4), {1, NAN, INFINITY, -INFINITY});
    check_format(t, "[  1.  nan  inf -inf]");
    t = T(1, SHAPE(2), {0.25f, NAN});
    check_format(t, "[0.25  nan]");
}

static void up_to_1000_elements_print_in_full(void **state)
{
    (void)state;
    nn_tensor *t;
    CHECK_OK(nn_full(&t, 1, (int64_t[]){1000}, 1.0f));
    char *s = nn_tensor_format(t, NULL);
    assert_non_null(s);
    assert_null(strstr(s, "..."));
    /* "[1. 1. ... 1.]", 26 values a line: 38 line breaks, each one a
     * space replaced by "\n " */
    int breaks = 0;
    size_t line = 0, longest = 0;
    for (const char *c = s; *c; c++) {
        if (*c == '\n') {
            breaks++;
            line = 0;
        } else if (++line > longest) {
            longest = line;
        }
    }
    assert_int_equal(breaks, 38);
    assert_int_equal(longest, 78);
    assert_int_equal(strlen(s), 2 + 1000 * 2 + 999 + 38);
    free(s);
    nn_tensor_release(t);
}

static void a_long_vector_shows_its_first_and_last_3_values(void **state)
{
    (void)state;
    nn_tensor *t;
    CHECK_OK(nn_arange(&t, 0, 1001, 1));
    check_format(t, "[   0.    1.    2. ...  998.  999. 1000.]");
}

static void a_large_matrix_elides_rows_and_columns(void **state)
{
    (void)state;
    nn_tensor *a, *t;
    CHECK_OK(nn_arange(&a, 0, 40 * 40, 1));
    CHECK_OK(nn_reshape(&t, a, 2, (int64_t[]){40, 40}));
    nn_tensor_release(a);
    /* 1599 / 1 > 1000: scientific, as NumPy prints np.arange(1600.) */
    check_format(t, "[[0.000e+00 1.000e+00 2.000e+00 ... 3.700e+01 3.800e+01 3.900e+01]\n"
                    " [4.000e+01 4.100e+01 4.200e+01 ... 7.700e+01 7.800e+01 7.900e+01]\n"
                    " [8.000e+01 8.100e+01 8.200e+01 ... 1.170e+02 1.180e+02 1.190e+02]\n"
                    " ...\n"
                    " [1.480e+03 1.481e+03 1.482e+03 ... 1.517e+03 1.518e+03 1.519e+03]\n"
                    " [1.520e+03 1.521e+03 1.522e+03 ... 1.557e+03 1.558e+03 1.559e+03]\n"
                    " [1.560e+03 1.561e+03 1.562e+03 ... 1.597e+03 1.598e+03 1.599e+03]]");
}

/* Asserts nn_tensor_format(t, opt) is exactly want (t released first). */
static void check_format_with(nn_tensor *t, const nn_format_options *opt,
                              const char *want)
{
    char *got = nn_tensor_format(t, opt), buf[8192];
    nn_tensor_release(t);
    assert_non_null(got);
    snprintf(buf, sizeof buf, "%s", got);
    free(got);
    assert_string_equal(buf, want);
}

static void rows_wrap_to_the_line_width_under_a_hanging_indent(void **state)
{
    (void)state;
    nn_format_options o = NN_FORMAT_DEFAULTS;
    o.linewidth = 30;
    nn_tensor *t = T(2, SHAPE(2, 6), {0, 1.5f, 3, 4.5f, 6, 7.5f, 9, 10.5f, 12,
                                      13.5f, 15, 16.5f});
    check_format_with(t, &o, "[[ 0.0  1.5  3.0  4.5  6.0\n"
                             "   7.5]\n"
                             " [ 9.0 10.5 12.0 13.5 15.0\n"
                             "  16.5]]");
}

static void precision_threshold_and_edgeitems_are_numpys_options(void **state)
{
    (void)state;
    nn_format_options o = NN_FORMAT_DEFAULTS;
    o.precision = 2;
    o.threshold = 5;
    o.edgeitems = 1;
    nn_tensor *t = T(2, SHAPE(3, 4), {0, 1.f / 3, 2.f / 3, 1, 4.f / 3, 5.f / 3, 2,
                                      7.f / 3, 8.f / 3, 3, 10.f / 3, 11.f / 3});
    check_format_with(t, &o, "[[0.00 ... 1.00]\n"
                             " ...\n"
                             " [2.67 ... 3.67]]");
}

static void an_elided_3_d_tensor_keeps_blank_lines_around_the_dots(void **s)
{
    (void)s;
    /* NumPy (arrayprint._formatArray) ends every block, the "..." included,
     * with the same separator: one blank line per axis below */
    nn_tensor *t;
    CHECK_OK(nn_tensor_new(&t, 3, (int64_t[]){1001, 1, 1}));
    check_format(t, "[[[0.]]\n"
                    "\n"
                    " [[0.]]\n"
                    "\n"
                    " [[0.]]\n"
                    "\n"
                    " ...\n"
                    "\n"
                    " [[0.]]\n"
                    "\n"
                    " [[0.]]\n"
                    "\n"
                    " [[0.]]]");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, record_memory, \
                                                no_tensor_leaked)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(a_new_tensor_has_the_shape_asked_for_and_holds_zeros),
        TEST(a_0_d_tensor_holds_exactly_one_element),
        TEST(a_tensor_with_an_axis_of_size_0_has_no_elements),
        TEST(a_tensor_has_at_most_8_axes),
        TEST(a_negative_size_is_an_argument_error),
        TEST(new_like_and_clone_copy_the_shape_and_clone_the_values),
        TEST(a_symbolic_tensor_has_a_shape_and_no_data),
        TEST(retain_and_release_count_references),
        TEST(retain_and_release_accept_null),
        TEST(releasing_a_tensor_releases_its_grad),
        TEST(shapes_are_formatted_as_python_tuples),
        TEST(shape_format_never_writes_past_the_buffer),
        TEST(shape_str_keeps_four_results_alive),
        TEST(shape_str_fits_eight_axes_of_the_largest_size),
        TEST(shape_numel_multiplies_the_sizes),
        TEST(shape_equal_compares_rank_and_sizes),
        TEST(negative_axes_count_from_the_end),
        TEST(an_axis_out_of_range_names_the_op_and_the_rank),
        TEST(a_tensor_beyond_the_memory_limit_is_refused_with_its_size),
        TEST(memory_in_use_goes_back_down_after_release),
        TEST(a_size_that_overflows_is_out_of_memory_not_a_crash),
        TEST(a_size_whose_bytes_overflow_is_refused_by_the_limit),
        TEST(a_size_just_below_the_byte_overflow_is_refused_by_the_limit),
        TEST(an_op_over_the_memory_limit_fails_under_its_name_and_leaks_nothing),
        TEST(a_composite_op_failing_at_any_allocation_leaks_nothing),
        TEST(allocations_past_the_limit_fail_with_the_limit_named),
        TEST(the_generator_is_xoshiro256starstar_seeded_by_splitmix64),
        TEST(the_same_seed_gives_the_same_stream),
        TEST(uniform_draws_lie_in_0_1_with_mean_one_half),
        TEST(normal_draws_have_mean_0_and_stddev_1),
        TEST(truncated_normal_draws_stay_within_two_stddevs),
        TEST(random_tensors_come_from_the_global_stream),
        TEST(integral_values_print_with_a_trailing_point),
        TEST(fractions_print_with_the_digits_they_need_up_to_4),
        TEST(tiny_and_huge_magnitudes_print_in_scientific_notation),
        TEST(a_matrix_prints_one_row_per_line),
        TEST(a_3_d_tensor_separates_matrices_with_a_blank_line),
        TEST(scalars_empty_and_symbolic_tensors_print_plainly),
        TEST(nan_and_inf_print_as_numpy_does),
        TEST(up_to_1000_elements_print_in_full),
        TEST(a_long_vector_shows_its_first_and_last_3_values),
        TEST(a_large_matrix_elides_rows_and_columns),
        TEST(an_elided_3_d_tensor_keeps_blank_lines_around_the_dots),
        TEST(rows_wrap_to_the_line_width_under_a_hanging_indent),
        TEST(precision_threshold_and_edgeitems_are_numpys_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
