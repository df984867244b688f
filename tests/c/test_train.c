/*
 * test_train.c - Keras's losses and optimizer steps: values against hand
 * computations and PyTorch, gradients against PyTorch and finite
 * differences, error messages, and three optimizer steps against Keras's
 * update rules computed here in double and against torch.optim.
 *
 * The reference values come from tests/ref/make_train_ref.py (PyTorch, in
 * float64 on float32 inputs), committed as tests/ref/train_ref.h. Every
 * test runs between record_memory and no_tensor_leaked, which fail it when
 * the bytes held by live tensors differ before and after.
 */
#include "check.h"

#include <stdlib.h>

#include "train/losses.h"
#include "train/optimizers.h"

#include "../tests/ref/train_ref.h"

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

static void release_all(nn_tensor **ts, int n)
{
    for (int i = 0; i < n; i++)
        nn_tensor_release(ts[i]);
}

static nn_loss_config config(nn_loss_kind kind)
{
    nn_loss_config c = {kind, false, 0.0f, NN_REDUCTION_SUM_OVER_BATCH_SIZE};
    return c;
}

/* The loss value as a double (out must hold one element). */
static double loss_value(const nn_loss_config *cfg, nn_tensor *t,
                         nn_tensor *p)
{
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, cfg, t, p));
    assert_int_equal(out->ndim, 0);
    double v = out->data[0];
    nn_tensor_release(out);
    return v;
}

/* |got - want| <= tol * max(1, |want|) for every element */
static void check_close(const char *what, const float *got, const float *want,
                        size_t n, double tol)
{
    for (size_t i = 0; i < n; i++) {
        double g = got[i], w = want[i];
        if (!(fabs(g - w) <= tol * fmax(1.0, fabs(w))))
            fail_msg("%s: element %zu: got %.9g, want %.9g (tol %g)", what, i,
                     g, w, tol);
    }
}

/* ---- values by hand ---------------------------------------------------- */

/* Keras's docstring: categorical_crossentropy([[0, 1, 0], [0, 0, 1]],
 * [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]) = [0.0513, 2.303] */
static void categorical_crossentropy_matches_the_keras_docstring(void **state)
{
    (void)state;
    nn_tensor *t = T(2, SHAPE(2, 3), {0, 1, 0, 0, 0, 1});
    nn_tensor *p = T(2, SHAPE(2, 3), {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f});
    nn_loss_config c = config(NN_LOSS_CATEGORICAL_CROSSENTROPY);
    c.reduction = NN_REDUCTION_NONE;
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, &c, t, p));
    /* -log(0.95 / 1.0), -log(0.1 / 1.0) */
    CHECK_VALUES(out, 1, SHAPE(2), 1e-6, {0.0512932944f, 2.30258509f});
    nn_tensor_release(out);
    c.reduction = NN_REDUCTION_SUM_OVER_BATCH_SIZE;
    assert_float_equal(loss_value(&c, t, p), (0.0512932944 + 2.30258509) / 2,
                       1e-6);
    c.reduction = NN_REDUCTION_SUM;
    assert_float_equal(loss_value(&c, t, p), 0.0512932944 + 2.30258509, 1e-6);
    release_all((nn_tensor *[]){t, p}, 2);
}

static void categorical_crossentropy_renormalises_and_clips(void **state)
{
    (void)state;
    /* rows summing to 2: p / sum = [0.25, 0.75]; a zero: clipped to 1e-7 */
    nn_tensor *t = T(2, SHAPE(2, 2), {0, 1, 0, 1});
    nn_tensor *p = T(2, SHAPE(2, 2), {0.5f, 1.5f, 1.0f, 0.0f});
    nn_loss_config c = config(NN_LOSS_CATEGORICAL_CROSSENTROPY);
    c.reduction = NN_REDUCTION_NONE;
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, &c, t, p));
    CHECK_VALUES(out, 1, SHAPE(2), 1e-5,
                 {(float)-log(0.75), (float)-log((double)1e-7f)});
    nn_tensor_release(out);
    /* the top end: a certain right answer costs -log(1 - 1e-7) */
    nn_tensor *p2 = T(2, SHAPE(2, 2), {0, 1, 0, 1});
    c.reduction = NN_REDUCTION_SUM_OVER_BATCH_SIZE;
    assert_float_equal(loss_value(&c, t, p2),
                       -log((double)(1.0f - 1e-7f)), 1e-9);
    release_all((nn_tensor *[]){t, p, p2}, 3);
}

static void categorical_crossentropy_smooths_labels(void **state)
{
    (void)state;
    /* ls = 0.3, 3 classes: labels [0.1, 0.8, 0.1] */
    nn_tensor *t = T(2, SHAPE(1, 3), {0, 1, 0});
    nn_tensor *x = T(2, SHAPE(1, 3), {1.0f, 2.0f, -1.0f});
    nn_loss_config c = config(NN_LOSS_CATEGORICAL_CROSSENTROPY);
    c.from_logits = true;
    c.label_smoothing = 0.3f;
    double lse = log(exp(1.0) + exp(2.0) + exp(-1.0));
    double want = 0.1 * (lse - 1.0) + 0.8 * (lse - 2.0) + 0.1 * (lse + 1.0);
    assert_float_equal(loss_value(&c, t, x), want, 1e-6);
    release_all((nn_tensor *[]){t, x}, 2);
}

static void sparse_categorical_crossentropy_matches_the_keras_docstring(
    void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(2), {1, 2});
    nn_tensor *t1 = T(2, SHAPE(2, 1), {1, 2});
    nn_tensor *p = T(2, SHAPE(2, 3), {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f});
    nn_loss_config c = config(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    c.reduction = NN_REDUCTION_NONE;
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, &c, t, p));
    /* TensorFlow's: log(sum(clip(p))) - log(clip(p[label])); the row
     * [0.05, 0.95, 0] sums to 1 + 1e-7 once clipped */
    CHECK_VALUES(out, 1, SHAPE(2), 1e-6,
                 {(float)(log(1.0 + 1e-7) - log(0.95)), 2.30258509f});
    nn_tensor_release(out);
    c.reduction = NN_REDUCTION_SUM_OVER_BATCH_SIZE;
    assert_float_equal(loss_value(&c, t, p), loss_value(&c, t1, p), 0);
    release_all((nn_tensor *[]){t, t1, p}, 3);
}

static void sparse_categorical_crossentropy_from_logits(void **state)
{
    (void)state;
    nn_tensor *t = T(2, SHAPE(2, 2), {0, 2, 1, 1}); /* (batch, time) */
    nn_tensor *x = T(3, SHAPE(2, 2, 3), {1, 2, 3, 0, 0, 0, -1, 5, 2,
                                         0.5f, 0.25f, 0});
    nn_loss_config c = config(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    c.from_logits = true;
    double want = 0.0;
    const double xs[4][3] = {{1, 2, 3}, {0, 0, 0}, {-1, 5, 2},
                             {0.5, 0.25, 0}};
    const int lab[4] = {0, 2, 1, 1};
    for (int r = 0; r < 4; r++)
        want += log(exp(xs[r][0]) + exp(xs[r][1]) + exp(xs[r][2])) -
                xs[r][lab[r]];
    assert_float_equal(loss_value(&c, t, x), want / 4, 1e-6);
    release_all((nn_tensor *[]){t, x}, 2);
}

/* Keras's docstring: binary_crossentropy([[0, 1], [0, 0]],
 * [[0.6, 0.4], [0.4, 0.6]]) = [0.916, 0.714] */
static void binary_crossentropy_matches_the_keras_docstring(void **state)
{
    (void)state;
    nn_tensor *t = T(2, SHAPE(2, 2), {0, 1, 0, 0});
    nn_tensor *p = T(2, SHAPE(2, 2), {0.6f, 0.4f, 0.4f, 0.6f});
    nn_loss_config c = config(NN_LOSS_BINARY_CROSSENTROPY);
    c.reduction = NN_REDUCTION_NONE;
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, &c, t, p));
    CHECK_VALUES(out, 1, SHAPE(2), 1e-6,
                 {(float)-log(0.4), (float)((-log(0.6) - log(0.4)) / 2)});
    nn_tensor_release(out);
    release_all((nn_tensor *[]){t, p}, 2);
}

static void binary_crossentropy_clips_and_smooths(void **state)
{
    (void)state;
    /* p = 1 for a 0 label: -log(1 - (1 - 1e-7)); ls = 0.2 moves the labels
     * to 0.1 and 0.9 */
    nn_tensor *t = T(2, SHAPE(1, 2), {0, 1});
    nn_tensor *p = T(2, SHAPE(1, 2), {1.0f, 0.25f});
    nn_loss_config c = config(NN_LOSS_BINARY_CROSSENTROPY);
    double hi = (double)(1.0f - 1e-7f);
    assert_float_equal(loss_value(&c, t, p),
                       (-log(1.0 - hi) - log(0.25)) / 2, 1e-5);
    c.label_smoothing = 0.2f;
    double want = (-(0.1 * log(hi) + 0.9 * log(1.0 - hi)) -
                   (0.9 * log(0.25) + 0.1 * log(0.75))) / 2;
    assert_float_equal(loss_value(&c, t, p), want, 1e-5);
    /* from logits: max(x, 0) - x t + log(1 + exp(-|x|)), stable at 100 */
    nn_tensor *x = T(2, SHAPE(1, 2), {100.0f, -2.0f});
    c.from_logits = true;
    c.label_smoothing = 0.0f;
    assert_float_equal(loss_value(&c, t, x),
                       (100.0 + log1p(exp(-100.0)) + 2.0 + log1p(exp(-2.0))) /
                           2, 1e-5);
    release_all((nn_tensor *[]){t, p, x}, 3);
}

static void mean_squared_and_absolute_errors_by_hand(void **state)
{
    (void)state;
    nn_tensor *t = T(2, SHAPE(2, 2), {1, 2, 3, 4});
    nn_tensor *p = T(2, SHAPE(2, 2), {1.5f, 2, 1, 5});
    nn_loss_config c = config(NN_LOSS_MEAN_SQUARED_ERROR);
    assert_float_equal(loss_value(&c, t, p), (0.25 + 0 + 4 + 1) / 4, 1e-7);
    c.kind = NN_LOSS_MEAN_ABSOLUTE_ERROR;
    assert_float_equal(loss_value(&c, t, p), (0.5 + 0 + 2 + 1) / 4, 1e-7);
    c.reduction = NN_REDUCTION_SUM; /* of the per-sample means */
    assert_float_equal(loss_value(&c, t, p), 0.25 + 1.5, 1e-7);
    release_all((nn_tensor *[]){t, p}, 2);
}

/* Keras's squeeze_or_expand_to_same_rank: (4,) labels against (4, 1)
 * predictions are (4, 1) labels; the per-sample losses are (4,). */
static void labels_and_predictions_are_matched_in_rank(void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(4), {1, 2, 3, 4});
    nn_tensor *t2 = T(2, SHAPE(4, 1), {1, 2, 3, 4});
    nn_tensor *p = T(2, SHAPE(4, 1), {1, 1, 1, 1});
    nn_tensor *p1 = T(1, SHAPE(4), {1, 1, 1, 1});
    nn_loss_config c = config(NN_LOSS_MEAN_SQUARED_ERROR);
    c.reduction = NN_REDUCTION_NONE;
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, &c, t, p));
    CHECK_VALUES(out, 1, SHAPE(4), 0, {0, 1, 4, 9});
    nn_tensor_release(out);
    CHECK_OK(nn_loss(&out, &c, t2, p1)); /* (4, 1) labels, (4,) preds */
    CHECK_VALUES(out, 1, SHAPE(4), 0, {0, 1, 4, 9});
    nn_tensor_release(out);
    /* both 1-D: one sample of 4 features, as Keras's mean over axis -1 */
    CHECK_OK(nn_loss(&out, &c, t, p1));
    CHECK_VALUES(out, 0, SHAPE(0), 0, {3.5f});
    nn_tensor_release(out);
    c.kind = NN_LOSS_BINARY_CROSSENTROPY;
    nn_tensor *b = T(1, SHAPE(4), {0, 1, 1, 0});
    nn_tensor *q = T(2, SHAPE(4, 1), {0.5f, 0.5f, 0.5f, 0.5f});
    CHECK_OK(nn_loss(&out, &c, b, q));
    CHECK_VALUES(out, 1, SHAPE(4), 1e-6, {0.693147181f, 0.693147181f,
                                          0.693147181f, 0.693147181f});
    nn_tensor_release(out);
    release_all((nn_tensor *[]){t, t2, p, p1, b, q}, 6);
}

static void an_empty_batch_has_a_zero_loss(void **state)
{
    (void)state;
    nn_tensor *t, *p;
    CHECK_OK(nn_tensor_new(&t, 1, (int64_t[]){0}));
    CHECK_OK(nn_tensor_new(&p, 2, (int64_t[]){0, 3}));
    nn_loss_config c = config(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    assert_float_equal(loss_value(&c, t, p), 0.0, 0);
    release_all((nn_tensor *[]){t, p}, 2);
}

/* ---- against PyTorch ----------------------------------------------------- */

static void every_loss_matches_the_reference(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof loss_refs / sizeof *loss_refs; k++) {
        const loss_ref *r = &loss_refs[k];
        nn_tensor *t = make_tensor(r->tndim, r->tshape, r->yt);
        nn_tensor *p = make_tensor(r->pndim, r->pshape, r->yp);
        t->requires_grad = r->dyt != NULL;
        p->requires_grad = true;
        nn_loss_config c = {r->kind, r->from_logits, r->label_smoothing,
                            r->reduction};
        nn_tensor *out;
        nn_status s = nn_loss(&out, &c, t, p);
        if (s != NN_OK)
            fail_msg("%s: %s", r->what, nn_errmsg());
        assert_int_equal(out->ndim, r->ondim);
        for (int d = 0; d < r->ondim; d++)
            assert_int_equal(out->shape[d], r->oshape[d]);
        check_close(r->what, out->data, r->value, out->size, 2e-6);
        if (r->has_torch)
            check_close(r->what, out->data, &r->torch_value, 1, 2e-6);
        nn_tensor *ones;
        CHECK_OK(nn_full(&ones, out->ndim, out->shape, 1.0f));
        CHECK_OK(nn_backward(out, ones));
        char what[160];
        snprintf(what, sizeof what, "%s: d/dy_pred", r->what);
        check_close(what, p->grad->data, r->dyp, p->size, 2e-5);
        if (r->dyt) {
            snprintf(what, sizeof what, "%s: d/dy_true", r->what);
            check_close(what, t->grad->data, r->dyt, t->size, 2e-5);
        } else {
            assert_null(t->grad);
        }
        release_all((nn_tensor *[]){t, p, out, ones}, 4);
    }
}

/* ---- finite differences ---------------------------------------------------- */

typedef struct {
    nn_loss_config cfg;
} grad_ctx;

static nn_status loss_fn(void *ctx, nn_tensor **in, nn_tensor **out)
{
    return nn_loss(out, &((grad_ctx *)ctx)->cfg, in[0], in[1]);
}

static void check_loss_gradients(nn_loss_config cfg, nn_tensor *t,
                                 nn_tensor *p, double tol)
{
    grad_ctx ctx = {cfg};
    nn_tensor *in[2] = {t, p};
    for (int red = 0; red < 3; red++) {
        ctx.cfg.reduction = (nn_loss_reduction)red;
        check_gradients(loss_fn, &ctx, 2, in, tol);
    }
}

static void crossentropy_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    int64_t shape[3] = {2, 3, 4};
    nn_loss_config c = config(NN_LOSS_CATEGORICAL_CROSSENTROPY);
    /* soft labels (differentiable too) and unnormalised probabilities */
    nn_tensor *t = grad_input(3, shape, 0.0f, 1.0f);
    nn_tensor *p = grad_input(3, shape, 0.3f, 1.0f);
    check_loss_gradients(c, t, p, 1e-3);
    c.label_smoothing = 0.1f;
    check_loss_gradients(c, t, p, 1e-3);
    nn_tensor *x = grad_input(3, shape, -3.0f, 3.0f);
    c.from_logits = true;
    check_loss_gradients(c, t, x, 1e-3);

    c = config(NN_LOSS_BINARY_CROSSENTROPY);
    nn_tensor *q = grad_input(3, shape, 0.1f, 0.9f);
    check_loss_gradients(c, t, q, 1e-3);
    c.label_smoothing = 0.2f;
    check_loss_gradients(c, t, q, 1e-3);
    c.from_logits = true;
    check_loss_gradients(c, t, x, 1e-3);
    release_all((nn_tensor *[]){t, p, x, q}, 4);
}

static void sparse_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    nn_tensor *t = T(2, SHAPE(2, 3), {0, 3, 1, 2, 2, 0});
    nn_tensor *p = grad_input(3, (int64_t[]){2, 3, 4}, 0.2f, 1.0f);
    nn_tensor *x = grad_input(3, (int64_t[]){2, 3, 4}, -3.0f, 3.0f);
    nn_loss_config c = config(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    check_loss_gradients(c, t, p, 1e-3);
    c.from_logits = true;
    check_loss_gradients(c, t, x, 1e-3);
    release_all((nn_tensor *[]){t, p, x}, 3);
}

static void regression_gradients_agree_with_finite_differences(void **state)
{
    (void)state;
    /* apart by more than the finite-difference step, where |.| has a kink */
    nn_tensor *t = T(2, SHAPE(3, 2), {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f});
    nn_tensor *p = T(2, SHAPE(3, 2), {0.1f, -0.2f, 2.5f, -0.5f, 0.75f, 1.0f});
    t->requires_grad = p->requires_grad = true;
    check_loss_gradients(config(NN_LOSS_MEAN_SQUARED_ERROR), t, p, 1e-3);
    check_loss_gradients(config(NN_LOSS_MEAN_ABSOLUTE_ERROR), t, p, 1e-3);
    release_all((nn_tensor *[]){t, p}, 2);
}

static void clipped_probabilities_get_no_gradient(void **state)
{
    (void)state;
    nn_tensor *t = T(2, SHAPE(1, 3), {0, 1, 0});
    nn_tensor *p = T(2, SHAPE(1, 3), {0.0f, 0.0f, 1.0f});
    p->requires_grad = true;
    nn_loss_config c = config(NN_LOSS_BINARY_CROSSENTROPY);
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, &c, t, p));
    CHECK_OK(nn_backward(out, NULL));
    CHECK_VALUES(p->grad, 2, SHAPE(1, 3), 0, {0, 0, 0});
    release_all((nn_tensor *[]){t, p, out}, 3);
}

static void nothing_is_recorded_without_grad(void **state)
{
    (void)state;
    nn_tensor *t = T(1, SHAPE(2), {0, 1});
    nn_tensor *p = T(2, SHAPE(2, 2), {1, 2, 3, 4});
    nn_loss_config c = config(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    c.from_logits = true;
    nn_tensor *out;
    CHECK_OK(nn_loss(&out, &c, t, p));
    assert_null(out->node);
    nn_tensor_release(out);
    t->requires_grad = true; /* class indices: still nothing to record */
    CHECK_OK(nn_loss(&out, &c, t, p));
    assert_null(out->node);
    nn_tensor_release(out);
    p->requires_grad = true;
    nn_grad_set(false);
    CHECK_OK(nn_loss(&out, &c, t, p));
    assert_null(out->node);
    nn_tensor_release(out);
    nn_grad_set(true);
    CHECK_OK(nn_loss(&out, &c, t, p));
    assert_non_null(out->node);
    assert_string_equal(out->node->op, "sparse_categorical_crossentropy");
    CHECK_OK(nn_backward(out, NULL));
    assert_null(t->grad);
    assert_non_null(p->grad);
    release_all((nn_tensor *[]){t, p, out}, 3);
}

/* ---- errors -------------------------------------------------------------- */

static void check_loss_error(nn_loss_kind kind, nn_tensor *t, nn_tensor *p,
                             nn_status status, const char *message)
{
    nn_loss_config c = config(kind);
    nn_tensor *out = (nn_tensor *)&out;
    CHECK_ERROR(nn_loss(&out, &c, t, p), status, message);
    assert_null(out);
}

static void mismatched_shapes_are_refused_with_a_hint(void **state)
{
    (void)state;
    nn_tensor *idx = T(1, SHAPE(4), {0, 1, 2, 3});
    nn_tensor *idx1 = T(2, SHAPE(4, 1), {0, 1, 2, 3});
    nn_tensor *onehot = make_tensor(2, (int64_t[]){4, 10}, NULL);
    nn_tensor *p = make_tensor(2, (int64_t[]){4, 10}, NULL);
    nn_tensor *p3 = make_tensor(2, (int64_t[]){4, 3}, NULL);
    nn_tensor *l3 = make_tensor(2, (int64_t[]){4, 3}, NULL);
    check_loss_error(NN_LOSS_CATEGORICAL_CROSSENTROPY, idx, p, NN_ESHAPE,
                     "categorical_crossentropy: labels (4,) and predictions "
                     "(4, 10) must have the same shape; the labels look like "
                     "class indices: use sparse_categorical_crossentropy, or "
                     "one-hot encode them");
    check_loss_error(NN_LOSS_CATEGORICAL_CROSSENTROPY, idx1, p, NN_ESHAPE,
                     "categorical_crossentropy: labels (4, 1) and predictions "
                     "(4, 10) must have the same shape; the labels look like "
                     "class indices: use sparse_categorical_crossentropy, or "
                     "one-hot encode them");
    check_loss_error(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, onehot, p,
                     NN_ESHAPE,
                     "sparse_categorical_crossentropy: labels (4, 10) and "
                     "predictions (4, 10) do not fit: expected labels of "
                     "shape (4,) (one class index per prediction); the labels "
                     "look one-hot: use categorical_crossentropy, or pass "
                     "class indices");
    check_loss_error(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, l3, p,
                     NN_ESHAPE,
                     "sparse_categorical_crossentropy: labels (4, 3) and "
                     "predictions (4, 10) do not fit: expected labels of "
                     "shape (4,) (one class index per prediction)");
    check_loss_error(NN_LOSS_BINARY_CROSSENTROPY, idx, p, NN_ESHAPE,
                     "binary_crossentropy: labels (4,) and predictions "
                     "(4, 10) must have the same shape; for one class index "
                     "per sample and 10 classes use "
                     "sparse_categorical_crossentropy");
    check_loss_error(NN_LOSS_MEAN_SQUARED_ERROR, l3, p, NN_ESHAPE,
                     "mean_squared_error: labels (4, 3) and predictions "
                     "(4, 10) must have the same shape");
    check_loss_error(NN_LOSS_MEAN_ABSOLUTE_ERROR, p3, idx, NN_ESHAPE,
                     "mean_absolute_error: labels (4, 3) and predictions "
                     "(4,) must have the same shape");
    nn_tensor *s0 = make_tensor(0, NULL, NULL);
    check_loss_error(NN_LOSS_MEAN_SQUARED_ERROR, s0, s0, NN_ESHAPE,
                     "mean_squared_error: predictions must have at least one "
                     "axis (batch, ...), got shape ()");
    release_all((nn_tensor *[]){idx, idx1, onehot, p, p3, l3, s0}, 7);
}

static void bad_class_indices_are_refused(void **state)
{
    (void)state;
    nn_tensor *p = make_tensor(2, (int64_t[]){4, 10}, NULL);
    nn_tensor *big = T(1, SHAPE(4), {0, 9, 10, 3});
    nn_tensor *neg = T(2, SHAPE(2, 2), {0, 1, 2, -1});
    nn_tensor *p2 = make_tensor(3, (int64_t[]){2, 2, 10}, NULL);
    nn_tensor *frac = T(2, SHAPE(4, 1), {0, 1.5f, 2, 3});
    nn_tensor *nan = T(1, SHAPE(4), {0, 1, NAN, 3});
    check_loss_error(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, big, p,
                     NN_EVALUE,
                     "sparse_categorical_crossentropy: label 10 (labels[2]) "
                     "is outside the valid range [0, 10) of predictions "
                     "(4, 10)");
    check_loss_error(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, neg, p2,
                     NN_EVALUE,
                     "sparse_categorical_crossentropy: label -1 (labels[1, "
                     "1]) is outside the valid range [0, 10) of predictions "
                     "(2, 2, 10)");
    check_loss_error(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, frac, p,
                     NN_EVALUE,
                     "sparse_categorical_crossentropy: label 1.5 (labels[1, "
                     "0]) is not an integer class index; labels (4, 1), "
                     "predictions (4, 10)");
    check_loss_error(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, nan, p,
                     NN_EVALUE,
                     "sparse_categorical_crossentropy: label nan (labels[2]) "
                     "is not an integer class index; labels (4,), "
                     "predictions (4, 10)");
    release_all((nn_tensor *[]){p, big, neg, p2, frac, nan}, 6);
}

static void symbolic_inputs_give_a_symbolic_loss(void **state)
{
    (void)state;
    nn_tensor *t, *p, *out;
    CHECK_OK(nn_tensor_symbolic(&t, 1, (int64_t[]){NN_NONE}));
    CHECK_OK(nn_tensor_symbolic(&p, 3, (int64_t[]){NN_NONE, 7, 5}));
    nn_loss_config c = config(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    check_loss_error(c.kind, t, p, NN_ESHAPE,
                     "sparse_categorical_crossentropy: labels (None,) and "
                     "predictions (None, 7, 5) do not fit: expected labels "
                     "of shape (None, 7) (one class index per prediction)");
    nn_tensor_release(t);
    CHECK_OK(nn_tensor_symbolic(&t, 2, (int64_t[]){NN_NONE, 7}));
    CHECK_OK(nn_loss(&out, &c, t, p));
    assert_true(out->symbolic);
    assert_string_equal(NN_SHAPE(out), "()");
    nn_tensor_release(out);
    c.reduction = NN_REDUCTION_NONE;
    CHECK_OK(nn_loss(&out, &c, t, p));
    assert_string_equal(NN_SHAPE(out), "(None, 7)");
    nn_tensor_release(out);
    release_all((nn_tensor *[]){t, p}, 2);
}

static void loss_names_and_aliases(void **state)
{
    (void)state;
    assert_string_equal(nn_loss_name(NN_LOSS_CATEGORICAL_CROSSENTROPY),
                        "categorical_crossentropy");
    assert_int_equal(nn_loss_lookup("mse"), NN_LOSS_MEAN_SQUARED_ERROR);
    assert_int_equal(nn_loss_lookup("MAE"), NN_LOSS_MEAN_ABSOLUTE_ERROR);
    assert_int_equal(nn_loss_lookup("bce"), NN_LOSS_BINARY_CROSSENTROPY);
    assert_int_equal(nn_loss_lookup("sparse_categorical_crossentropy"),
                     NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    assert_int_equal(nn_loss_lookup("huber"), -1);
}

/* ---- optimizers: Keras's rules by hand, in double -------------------------- */

/* keras/src/optimizers/{sgd,rmsprop,adam,adagrad}.py and base_optimizer's
 * weight decay, transcribed line by line; clipping is done by the caller. */
typedef struct {
    double s[3][5];
} hand_state;

static void keras_step(const nn_optimizer_config *c, int64_t iterations,
                       double *w, const double *g, hand_state *st, int n)
{
    double lr = c->learning_rate;
    for (int i = 0; i < n; i++)
        w[i] = w[i] - w[i] * (double)c->weight_decay * lr;
    for (int i = 0; i < n; i++) {
        double *s0 = &st->s[0][i], *s1 = &st->s[1][i], *s2 = &st->s[2][i];
        switch (c->kind) {
        case NN_OPT_SGD:
            if (c->momentum != 0.0f) {
                double mu = c->momentum;
                *s0 = *s0 * mu - g[i] * lr;
                if (c->nesterov)
                    w[i] += *s0 * mu - g[i] * lr;
                else
                    w[i] += *s0;
            } else {
                w[i] -= g[i] * lr;
            }
            break;
        case NN_OPT_RMSPROP: {
            double rho = c->rho, denom, inc;
            *s0 = rho * *s0 + (1 - rho) * g[i] * g[i];
            if (c->centered) {
                *s2 = rho * *s2 + (1 - rho) * g[i];
                denom = *s0 - *s2 * *s2 + c->epsilon;
            } else {
                denom = *s0 + c->epsilon;
            }
            inc = lr * g[i] / sqrt(denom);
            if (c->momentum > 0) {
                *s1 = c->momentum * *s1 + inc;
                w[i] -= *s1;
            } else {
                w[i] -= inc;
            }
            break;
        }
        case NN_OPT_ADAM: {
            double t = (double)iterations + 1, b1 = c->beta_1, b2 = c->beta_2;
            double alpha = lr * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t));
            *s0 += (g[i] - *s0) * (1 - b1);
            *s1 += (g[i] * g[i] - *s1) * (1 - b2);
            double v = *s1;
            if (c->amsgrad) {
                *s2 = fmax(*s2, *s1);
                v = *s2;
            }
            w[i] -= *s0 * alpha / (sqrt(v) + c->epsilon);
            break;
        }
        case NN_OPT_ADAGRAD:
            *s0 += g[i] * g[i];
            w[i] -= lr * g[i] / sqrt(*s0 + c->epsilon);
            break;
        case NN_OPT_COUNT:
            break;
        }
    }
}

/* Three steps of the C rule on float arrays (states from init), compared
 * with keras_step in double after each. */
static void check_three_steps(const char *what, const nn_optimizer_config *c,
                              float init, const float *torch_w)
{
    float w[5], st[3][5];
    double wd[5];
    hand_state hs;
    for (int i = 0; i < 5; i++) {
        w[i] = opt_w0[i];
        wd[i] = opt_w0[i];
        for (int k = 0; k < 3; k++) {
            st[k][i] = init;
            hs.s[k][i] = init;
        }
    }
    const char *names[3];
    int nslots = nn_optimizer_states(c, names);
    float *states[3] = {NULL, NULL, NULL};
    for (int k = 0; k < nslots; k++)
        if (names[k])
            states[k] = st[k];
    for (int step = 0; step < 3; step++) {
        const float *g = opt_grads + 5 * step;
        double gd[5];
        for (int i = 0; i < 5; i++)
            gd[i] = g[i];
        nn_optimizer_step(c, step, w, g, 5, states);
        keras_step(c, step, wd, gd, &hs, 5);
        for (int i = 0; i < 5; i++) {
            if (!(fabs(w[i] - wd[i]) <= 2e-6 * fmax(1.0, fabs(wd[i]))))
                fail_msg("%s: step %d, element %d: got %.9g, Keras's rule "
                         "gives %.9g", what, step + 1, i, (double)w[i], wd[i]);
            if (torch_w &&
                !(fabs(w[i] - torch_w[5 * step + i]) <=
                  2e-6 * fmax(1.0, fabs(torch_w[5 * step + i]))))
                fail_msg("%s: step %d, element %d: got %.9g, torch.optim "
                         "gives %.9g", what, step + 1, i, (double)w[i],
                         (double)torch_w[5 * step + i]);
        }
    }
}

static nn_optimizer_config opt(nn_optimizer_kind kind, float lr)
{
    nn_optimizer_config c = {0};
    c.kind = kind;
    c.learning_rate = lr;
    c.rho = 0.9f;
    c.beta_1 = 0.9f;
    c.beta_2 = 0.999f;
    c.epsilon = 1e-7f;
    c.grad_scale = 1.0f;
    return c;
}

static void sgd_follows_the_keras_rule(void **state)
{
    (void)state;
    nn_optimizer_config c = opt(NN_OPT_SGD, 0.01f); /* Keras's defaults */
    check_three_steps("SGD", &c, 0.0f, NULL);
    c.momentum = 0.9f;
    check_three_steps("SGD momentum", &c, 0.0f, NULL);
    c.nesterov = true;
    check_three_steps("SGD nesterov", &c, 0.0f, NULL);
    c.weight_decay = 0.1f;
    c.learning_rate = 0.5f;
    check_three_steps("SGD nesterov weight_decay", &c, 0.0f, NULL);
}

static void rmsprop_follows_the_keras_rule(void **state)
{
    (void)state;
    nn_optimizer_config c = opt(NN_OPT_RMSPROP, 0.001f);
    check_three_steps("RMSprop", &c, 0.0f, NULL);
    c.momentum = 0.5f;
    check_three_steps("RMSprop momentum", &c, 0.0f, NULL);
    c.centered = true;
    check_three_steps("RMSprop momentum centered", &c, 0.0f, NULL);
    c.epsilon = 0.1f; /* inside the square root, unlike PyTorch */
    check_three_steps("RMSprop epsilon 0.1", &c, 0.0f, NULL);
}

static void adam_follows_the_keras_rule(void **state)
{
    (void)state;
    nn_optimizer_config c = opt(NN_OPT_ADAM, 0.001f);
    check_three_steps("Adam", &c, 0.0f, NULL);
    c.epsilon = 0.5f; /* added to sqrt(v), after the bias correction */
    check_three_steps("Adam epsilon 0.5", &c, 0.0f, NULL);
    c.amsgrad = true;
    check_three_steps("Adam amsgrad", &c, 0.0f, NULL);
    c = opt(NN_OPT_ADAM, 0.001f);
    c.weight_decay = 0.004f; /* AdamW's defaults */
    check_three_steps("AdamW", &c, 0.0f, NULL);
}

static void adagrad_follows_the_keras_rule(void **state)
{
    (void)state;
    nn_optimizer_config c = opt(NN_OPT_ADAGRAD, 0.001f);
    check_three_steps("Adagrad", &c, 0.1f, NULL);
    c.epsilon = 0.5f;
    c.learning_rate = 0.1f;
    check_three_steps("Adagrad epsilon 0.5", &c, 0.1f, NULL);
}

/* Where PyTorch's rule is Keras's (epsilon 0), torch.optim agrees. */
static void every_optimizer_matches_torch_optim(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof opt_refs / sizeof *opt_refs; k++) {
        const opt_ref *r = &opt_refs[k];
        float init = r->cfg.kind == NN_OPT_ADAGRAD ? 0.1f : 0.0f;
        check_three_steps(r->what, &r->cfg, init, r->w);
    }
}

/* Adam's first step moves each weight by about learning_rate: m / sqrt(v)
 * = g / |g| after bias correction. */
static void adam_first_step_is_about_the_learning_rate(void **state)
{
    (void)state;
    nn_optimizer_config c = opt(NN_OPT_ADAM, 0.001f);
    float w[3] = {1, 1, 1}, g[3] = {10, -0.1f, 1e-3f}, m[3] = {0}, v[3] = {0};
    nn_optimizer_step(&c, 0, w, g, 3, (float *[3]){m, v, NULL});
    assert_float_equal(w[0], 1 - 0.001, 1e-7);
    assert_float_equal(w[1], 1 + 0.001, 1e-7);
    /* Keras adds epsilon to sqrt(v) before the bias correction (the
     * correction is in alpha), so at step 1 it acts as epsilon /
     * sqrt(1 - beta_2) on the corrected |g| (PyTorch: epsilon itself) */
    assert_float_equal(w[2], 1 - 0.001 * 1e-3 / (1e-3 + 1e-7 / sqrt(0.001)),
                       1e-7);
}

/* ---- clipping ------------------------------------------------------------- */

static void clipnorm_scales_a_gradient_down_to_the_norm(void **state)
{
    (void)state;
    /* |(3, 4)| = 5: clipnorm 1 scales by 1/5; clipnorm 10 leaves it */
    float g[2] = {3, 4};
    double ss = nn_sum_squares(g, 2);
    assert_float_equal(ss, 25.0, 0);
    assert_float_equal(nn_clipnorm_scale(ss, 1.0f), 0.2, 1e-7);
    assert_float_equal(nn_clipnorm_scale(ss, 10.0f), 1.0, 0);
    assert_float_equal(nn_clipnorm_scale(0.0, 1.0f), 1.0, 0);
    nn_optimizer_config c = opt(NN_OPT_SGD, 1.0f);
    c.grad_scale = nn_clipnorm_scale(ss, 1.0f);
    float w[2] = {0, 0};
    nn_optimizer_step(&c, 0, w, g, 2, (float *[3]){NULL, NULL, NULL});
    assert_float_equal(w[0], -0.6, 1e-7);
    assert_float_equal(w[1], -0.8, 1e-7);
}

static void global_clipnorm_scales_all_gradients_together(void **state)
{
    (void)state;
    /* |(3, 4)|^2 + |(12)|^2 = 169: global norm 13 */
    float g1[2] = {3, 4}, g2[1] = {12};
    double total = nn_sum_squares(g1, 2) + nn_sum_squares(g2, 1);
    assert_float_equal(nn_global_clipnorm_scale(total, 1.3f), 0.1, 1e-7);
    assert_float_equal(nn_global_clipnorm_scale(total, 26.0f), 1.0, 1e-7);
    assert_float_equal(nn_global_clipnorm_scale(0.0, 1.0f), 1.0, 0);
    /* Keras: a non-finite norm makes every gradient NaN */
    assert_true(isnan(nn_global_clipnorm_scale(INFINITY, 1.0f)));
    assert_true(isnan(nn_global_clipnorm_scale(NAN, 1.0f)));
}

static void clipvalue_clips_each_element(void **state)
{
    (void)state;
    nn_optimizer_config c = opt(NN_OPT_SGD, 1.0f);
    c.clipvalue = 0.5f;
    float w[4] = {0, 0, 0, 0}, g[4] = {-2, -0.25f, 0.5f, 3};
    nn_optimizer_step(&c, 0, w, g, 4, (float *[3]){NULL, NULL, NULL});
    assert_float_equal(w[0], 0.5, 0);
    assert_float_equal(w[1], 0.25, 0);
    assert_float_equal(w[2], -0.5, 0);
    assert_float_equal(w[3], -0.5, 0);
    /* the clipped gradient is what Adam's moments see */
    nn_optimizer_config a = opt(NN_OPT_ADAM, 0.1f);
    a.clipvalue = 1.0f;
    float wa[1] = {0}, ga[1] = {100}, m[1] = {0}, v[1] = {0};
    nn_optimizer_step(&a, 0, wa, ga, 1, (float *[3]){m, v, NULL});
    assert_float_equal(m[0], 0.1, 1e-7);
    assert_float_equal(v[0], 0.001, 1e-7);
}

static void weight_decay_comes_before_the_update(void **state)
{
    (void)state;
    /* w = 2, lr 0.1, wd 0.5: 2 - 2 * 0.5 * 0.1 = 1.9, then - 0.1 * g */
    nn_optimizer_config c = opt(NN_OPT_SGD, 0.1f);
    c.weight_decay = 0.5f;
    float w[1] = {2}, g[1] = {1};
    nn_optimizer_step(&c, 0, w, g, 1, (float *[3]){NULL, NULL, NULL});
    assert_float_equal(w[0], 1.8, 1e-6);
}

static void optimizer_states_and_checks(void **state)
{
    (void)state;
    const char *names[3];
    nn_optimizer_config c = opt(NN_OPT_SGD, 0.01f);
    assert_int_equal(nn_optimizer_states(&c, names), 0);
    c.momentum = 0.9f;
    assert_int_equal(nn_optimizer_states(&c, names), 1);
    assert_string_equal(names[0], "momentum");
    c = opt(NN_OPT_RMSPROP, 0.001f);
    c.centered = true;
    assert_int_equal(nn_optimizer_states(&c, names), 3);
    assert_string_equal(names[0], "velocity");
    assert_null(names[1]);
    assert_string_equal(names[2], "average_gradient");
    c = opt(NN_OPT_ADAM, 0.001f);
    assert_int_equal(nn_optimizer_states(&c, names), 3);
    assert_string_equal(names[0], "momentum");
    assert_string_equal(names[1], "velocity");
    assert_null(names[2]);
    c = opt(NN_OPT_ADAGRAD, 0.001f);
    assert_int_equal(nn_optimizer_states(&c, names), 1);
    assert_string_equal(names[0], "accumulator");

    c = opt(NN_OPT_SGD, 0.01f);
    CHECK_OK(nn_optimizer_check(&c, "SGD"));
    c.momentum = 1.5f;
    CHECK_ERROR(nn_optimizer_check(&c, "SGD"), NN_EARG,
                "SGD: momentum must be a float between [0, 1], got 1.5");
    c.momentum = 0.0f;
    c.learning_rate = INFINITY;
    CHECK_ERROR(nn_optimizer_check(&c, "SGD"), NN_EARG,
                "SGD: learning_rate must be a finite number, got inf");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, record_memory, \
                                                no_tensor_leaked)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(categorical_crossentropy_matches_the_keras_docstring),
        TEST(categorical_crossentropy_renormalises_and_clips),
        TEST(categorical_crossentropy_smooths_labels),
        TEST(sparse_categorical_crossentropy_matches_the_keras_docstring),
        TEST(sparse_categorical_crossentropy_from_logits),
        TEST(binary_crossentropy_matches_the_keras_docstring),
        TEST(binary_crossentropy_clips_and_smooths),
        TEST(mean_squared_and_absolute_errors_by_hand),
        TEST(labels_and_predictions_are_matched_in_rank),
        TEST(an_empty_batch_has_a_zero_loss),
        TEST(every_loss_matches_the_reference),
        TEST(crossentropy_gradients_agree_with_finite_differences),
        TEST(sparse_gradients_agree_with_finite_differences),
        TEST(regression_gradients_agree_with_finite_differences),
        TEST(clipped_probabilities_get_no_gradient),
        TEST(nothing_is_recorded_without_grad),
        TEST(mismatched_shapes_are_refused_with_a_hint),
        TEST(bad_class_indices_are_refused),
        TEST(symbolic_inputs_give_a_symbolic_loss),
        TEST(loss_names_and_aliases),
        TEST(sgd_follows_the_keras_rule),
        TEST(rmsprop_follows_the_keras_rule),
        TEST(adam_follows_the_keras_rule),
        TEST(adagrad_follows_the_keras_rule),
        TEST(every_optimizer_matches_torch_optim),
        TEST(adam_first_step_is_about_the_learning_rate),
        TEST(clipnorm_scales_a_gradient_down_to_the_norm),
        TEST(global_clipnorm_scales_all_gradients_together),
        TEST(clipvalue_clips_each_element),
        TEST(weight_decay_comes_before_the_update),
        TEST(optimizer_states_and_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
