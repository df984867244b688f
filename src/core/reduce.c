/* reduce.c - sum, mean, max, min, argmax and softmax over axes. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd.h"
#include "fastmath.h"
#include "ops.h"
#include "walk.h"

static const char *reduce_names[] = {"sum", "mean", "max", "min"};

/* Marks the reduced axes in `reduced` (all when naxes == 0) and writes the
 * shape kept with size 1 (`kept`) and the result's shape (`rshape`). */
static nn_status reduce_shape(bool *reduced, int64_t *kept, int *rndim,
                              int64_t *rshape, const nn_tensor *x, int naxes,
                              const int64_t *axes, bool keepdims,
                              const char *op)
{
    nn_status s;
    memset(reduced, 0, NN_MAXDIM * sizeof *reduced);
    if (naxes == 0)
        for (int d = 0; d < x->ndim; d++)
            reduced[d] = true;
    for (int i = 0; i < naxes; i++) {
        int a;
        if ((s = nn_normalize_axis(&a, axes[i], x->ndim, op)) != NN_OK)
            return s;
        if (reduced[a])
            return nn_error(NN_EARG, "%s: axis %lld is given twice", op,
                            (long long)axes[i]);
        reduced[a] = true;
    }
    *rndim = 0;
    for (int d = 0; d < x->ndim; d++) {
        kept[d] = reduced[d] ? 1 : x->shape[d];
        if (!reduced[d] || keepdims)
            rshape[(*rndim)++] = kept[d];
    }
    return NN_OK;
}

typedef struct {
    nn_reduce_kind kind;
    const float *x;
    float *y;
    size_t *arg;       /* max/min: offset in x of the chosen element */
    unsigned char *seen;
} reduce_ctx;

static void reduce_row(void *p, size_t i, size_t ox, size_t oy, size_t n,
                       int64_t sx, int64_t sy)
{
    reduce_ctx *c = p;
    const float *restrict x = c->x + i;
    float *y = c->y;
    (void)ox;
    (void)sx;
    if (c->kind == NN_SUM || c->kind == NN_MEAN) {
        if (sy == 0) {
            double acc = 0.0; /* a whole row into one output */
            for (size_t j = 0; j < n; j++)
                acc += x[j];
            y[oy] += (float)acc;
        } else if (sy == 1) {
            float *restrict yr = y + oy;
            for (size_t j = 0; j < n; j++)
                yr[j] += x[j];
        } else {
            for (size_t j = 0; j < n; j++)
                y[oy + j * sy] += x[j];
        }
        return;
    }
    for (size_t j = 0; j < n; j++) {
        size_t k = oy + j * sy;
        float v = x[j];
        /* the first extreme wins ties; NaN propagates as in NumPy */
        if (!c->seen[k] ||
            (!isnan(y[k]) &&
             (isnan(v) || (c->kind == NN_MAX ? v > y[k] : v < y[k])))) {
            y[k] = v;
            c->arg[k] = i + j;
            c->seen[k] = 1;
        }
    }
}

typedef struct {
    const float *gy;
    float *gx;
    float scale;
} reduce_back_ctx;

static void reduce_back_row(void *p, size_t i, size_t ox, size_t oy, size_t n,
                            int64_t sx, int64_t sy)
{
    reduce_back_ctx *c = p;
    (void)ox;
    (void)sx;
    for (size_t j = 0; j < n; j++)
        c->gx[i + j] += c->scale * c->gy[oy + j * sy];
}

/* Walks x's shape: operand 0 is x itself (unused), operand 1 the result,
 * with stride 0 along reduced axes. */
static void reduce_walk(nn_walk *w, const nn_tensor *x, const int64_t *kept,
                        const bool *reduced)
{
    int64_t st[NN_MAXDIM];
    memset(w, 0, sizeof *w);
    w->ndim = x->ndim;
    memcpy(w->shape, x->shape, sizeof x->shape);
    nn_contiguous_strides(st, x->ndim, kept);
    for (int d = 0; d < x->ndim; d++)
        w->st[1][d] = reduced[d] ? 0 : st[d];
}

static nn_status reduce_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *x = node->inputs[0];
    float *gx;
    nn_status s = nn_grad_buffer(&gx, x);
    if (s != NN_OK || !gx)
        return s;
    if (node->kind == NN_MAX || node->kind == NN_MIN) {
        const size_t *arg = node->ctx;
        for (size_t k = 0; k < out->size; k++)
            gx[arg[k]] += out->grad->data[k];
        return NN_OK;
    }
    bool reduced[NN_MAXDIM];
    int64_t kept[NN_MAXDIM];
    size_t count = 1;
    for (int d = 0; d < x->ndim; d++) {
        reduced[d] = node->iarg[d] != 0;
        kept[d] = reduced[d] ? 1 : x->shape[d];
        if (reduced[d])
            count *= (size_t)x->shape[d];
    }
    nn_walk w;
    reduce_walk(&w, x, kept, reduced);
    reduce_back_ctx c = {out->grad->data, gx,
                         node->kind == NN_MEAN ? 1.0f / (float)count : 1.0f};
    nn_walk_rows(&w, reduce_back_row, &c);
    return NN_OK;
}

nn_status nn_reduce(nn_tensor **out, nn_reduce_kind kind, nn_tensor *x,
                    int naxes, const int64_t *axes, bool keepdims)
{
    const char *op = reduce_names[kind];
    bool reduced[NN_MAXDIM];
    int64_t kept[NN_MAXDIM], rshape[NN_MAXDIM];
    int rndim = 0;
    nn_status s;

    *out = NULL;
    if ((s = reduce_shape(reduced, kept, &rndim, rshape, x, naxes, axes,
                          keepdims, op)) != NN_OK)
        return s;
    if (x->symbolic)
        return nn_tensor_symbolic(out, rndim, rshape);
    size_t count = 1;
    for (int d = 0; d < x->ndim; d++)
        if (reduced[d])
            count *= (size_t)x->shape[d];
    if (count == 0 && (kind == NN_MAX || kind == NN_MIN))
        return nn_error(NN_ESHAPE, "%s: cannot reduce a tensor of shape %s "
                        "over an axis of size 0", op, NN_SHAPE(x));
    if ((s = nn_tensor_new(out, rndim, rshape)) != NN_OK)
        return nn_error_context(s, op);

    reduce_ctx c = {.kind = kind, .x = x->data, .y = (*out)->data};
    if (kind == NN_MAX || kind == NN_MIN) {
        c.arg = calloc((*out)->size ? (*out)->size : 1, sizeof *c.arg);
        c.seen = calloc((*out)->size ? (*out)->size : 1, 1);
        if (!c.arg || !c.seen) {
            free(c.arg);
            free(c.seen);
            nn_tensor_release(*out);
            *out = NULL;
            return nn_error(NN_ENOMEM, "%s: out of memory", op);
        }
    }
    nn_walk w;
    reduce_walk(&w, x, kept, reduced);
    nn_walk_rows(&w, reduce_row, &c);
    free(c.seen);
    if (kind == NN_MEAN)
        for (size_t k = 0; k < (*out)->size; k++)
            (*out)->data[k] /= (float)count; /* 0/0 = NaN, as NumPy */

    if (nn_needs_grad(1, &x)) {
        nn_node *node;
        if ((s = nn_record(&node, *out, op, reduce_backward, 1, &x)) != NN_OK) {
            free(c.arg);
            nn_tensor_release(*out);
            *out = NULL;
            return s;
        }
        node->kind = kind;
        for (int d = 0; d < x->ndim; d++)
            node->iarg[d] = reduced[d];
        node->ctx = c.arg;
        node->ctx_free = free;
    } else {
        free(c.arg);
    }
    return NN_OK;
}

/* ---- argmax ------------------------------------------------------------ */

nn_status nn_argmax(nn_tensor **out, nn_tensor *x, bool all, int64_t axis,
                    bool keepdims, bool is_min)
{
    const char *op = is_min ? "argmin" : "argmax";
    int64_t rshape[NN_MAXDIM];
    int rndim = 0, a = 0;
    nn_status s;

    *out = NULL;
    if (!all && (s = nn_normalize_axis(&a, axis, x->ndim, op)) != NN_OK)
        return s;
    for (int d = 0; d < x->ndim; d++)
        if (!all && d != a)
            rshape[rndim++] = x->shape[d];
        else if (keepdims)
            rshape[rndim++] = 1;
    if (x->symbolic)
        return nn_tensor_symbolic(out, rndim, rshape);
    size_t outer = 1, n = x->size, inner = 1;
    if (!all) {
        n = (size_t)x->shape[a];
        for (int d = 0; d < a; d++)
            outer *= (size_t)x->shape[d];
        for (int d = a + 1; d < x->ndim; d++)
            inner *= (size_t)x->shape[d];
    }
    if (n == 0)
        return nn_error(NN_ESHAPE, "%s: cannot search a tensor of shape %s "
                        "along an axis of size 0", op, NN_SHAPE(x));
    if ((s = nn_tensor_new(out, rndim, rshape)) != NN_OK)
        return nn_error_context(s, op);
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            const float *p = x->data + o * n * inner + i;
            size_t best = 0;
            for (size_t j = 1; j < n; j++) {
                float v = p[j * inner], b = p[best * inner];
                if (isnan(b))
                    break;
                if (isnan(v) || (is_min ? v < b : v > b))
                    best = j;
            }
            (*out)->data[o * inner + i] = (float)best;
        }
    return NN_OK;
}

/* ---- softmax ----------------------------------------------------------- */

/* y_i = exp(x_i - max x) / sum_j exp(x_j - max x) along the axis; log_softmax
 * is x_i - max x - log sum_j exp(x_j - max x). */
/* One contiguous row (the common case, axis -1), in loops that
 * vectorize: the exponentials go into y first, then are summed in eight
 * partial sums. */
static void softmax_row(const float *restrict x, float *restrict y, size_t n,
                        bool logsm)
{
    float m = -INFINITY;
    for (size_t j = 0; j < n; j++)
        m = x[j] > m ? x[j] : m;
    if (m == -INFINITY)
        m = 0.0f;
    for (size_t j = 0; j < n; j++)
        y[j] = nn_expf(x[j] - m);
    float part[8] = {0};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++)
            part[k] += y[j + k];
    double sum = 0.0;
    for (; j < n; j++)
        sum += y[j];
    for (int k = 0; k < 8; k++)
        sum += part[k];
    if (logsm) {
        float ls = (float)log(sum);
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] - m - ls;
    } else {
        float inv = (float)(1.0 / sum);
        for (size_t i = 0; i < n; i++)
            y[i] *= inv;
    }
}

static void softmax_forward(const float *x, float *y, size_t outer, size_t n,
                            size_t inner, bool logsm)
{
    if (inner == 1) {
        for (size_t o = 0; o < outer; o++)
            softmax_row(x + o * n, y + o * n, n, logsm);
        return;
    }
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            const float *xp = x + o * n * inner + i;
            float *yp = y + o * n * inner + i;
            float m = -INFINITY;
            for (size_t j = 0; j < n; j++)
                m = fmaxf(m, xp[j * inner]);
            if (m == -INFINITY)
                m = 0.0f; /* an all -inf row: keep NaN-free arithmetic */
            double sum = 0.0;
            for (size_t j = 0; j < n; j++) {
                float e = nn_expf(xp[j * inner] - m);
                sum += e;
                if (!logsm)
                    yp[j * inner] = e;
            }
            if (logsm) {
                float ls = (float)log(sum);
                for (size_t j = 0; j < n; j++)
                    yp[j * inner] = xp[j * inner] - m - ls;
            } else {
                float inv = (float)(1.0 / sum);
                for (size_t j = 0; j < n; j++)
                    yp[j * inner] *= inv;
            }
        }
}

/* softmax: dx_i = y_i (g_i - sum_j g_j y_j);
 * log_softmax: dx_i = g_i - softmax_i sum_j g_j. */
static nn_status softmax_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *x = node->inputs[0];
    float *gx;
    nn_status s = nn_grad_buffer(&gx, x);
    if (s != NN_OK || !gx)
        return s;
    size_t outer = (size_t)node->iarg[0], n = (size_t)node->iarg[1],
           inner = (size_t)node->iarg[2];
    bool logsm = node->kind != 0;
    const float *y = out->data, *g = out->grad->data;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t base = o * n * inner + i;
            double dot = 0.0;
            for (size_t j = 0; j < n; j++)
                dot += logsm ? g[base + j * inner]
                           : (double)g[base + j * inner] * y[base + j * inner];
            for (size_t j = 0; j < n; j++) {
                size_t k = base + j * inner;
                gx[k] += logsm ? g[k] - nn_expf(y[k]) * (float)dot
                             : y[k] * (g[k] - (float)dot);
            }
        }
    return NN_OK;
}

nn_status nn_softmax(nn_tensor **out, nn_tensor *x, int64_t axis, bool logsm)
{
    const char *op = logsm ? "log_softmax" : "softmax";
    int a;
    nn_status s;
    *out = NULL;
    if (x->ndim == 0)
        return nn_error(NN_EARG, "%s: expected a tensor of rank >= 1, got a "
                        "scalar", op);
    if ((s = nn_normalize_axis(&a, axis, x->ndim, op)) != NN_OK)
        return s;
    if (x->symbolic)
        return nn_tensor_symbolic(out, x->ndim, x->shape);
    size_t outer = 1, n = (size_t)x->shape[a], inner = 1;
    for (int d = 0; d < a; d++)
        outer *= (size_t)x->shape[d];
    for (int d = a + 1; d < x->ndim; d++)
        inner *= (size_t)x->shape[d];
    if ((s = nn_tensor_new_like(out, x)) != NN_OK)
        return nn_error_context(s, op);
    softmax_forward(x->data, (*out)->data, outer, n, inner, logsm);
    if (nn_needs_grad(1, &x)) {
        nn_node *node;
        if ((s = nn_record(&node, *out, op, softmax_backward, 1, &x)) != NN_OK) {
            nn_tensor_release(*out);
            *out = NULL;
            return s;
        }
        node->kind = logsm;
        node->iarg[0] = (int64_t)outer;
        node->iarg[1] = (int64_t)n;
        node->iarg[2] = (int64_t)inner;
    }
    return NN_OK;
}
