/* shape.c - reshape, transpose, squeeze, concat, slices. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd.h"
#include "ops.h"
#include "walk.h"

/* Records node on *out or, failing that, frees *out. */
static nn_status record_or_free(nn_node **node, nn_tensor **out,
                                const char *op, nn_backward_fn bw, int n,
                                nn_tensor *const *in)
{
    nn_status s = nn_record(node, *out, op, bw, n, in);
    if (s != NN_OK) {
        nn_tensor_release(*out);
        *out = NULL;
    }
    return s;
}

/* ---- reshape ----------------------------------------------------------- */

static nn_status copy_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *x = node->inputs[0];
    float *gx;
    nn_status s = nn_grad_buffer(&gx, x);
    if (s != NN_OK || !gx)
        return s;
    for (size_t i = 0; i < x->size; i++)
        gx[i] += out->grad->data[i];
    return NN_OK;
}

/* Same values, new shape: shared by reshape, squeeze and expand_dims. */
static nn_status reshape_to(nn_tensor **out, nn_tensor *x, int ndim,
                            const int64_t *shape, const char *op)
{
    nn_status s;
    *out = NULL;
    if (x->symbolic)
        return nn_tensor_symbolic(out, ndim, shape);
    if ((s = nn_tensor_new(out, ndim, shape)) != NN_OK)
        return nn_error_context(s, op);
    if (x->size)
        memcpy((*out)->data, x->data, x->size * sizeof(float));
    if (nn_needs_grad(1, &x)) {
        nn_node *node;
        return record_or_free(&node, out, op, copy_backward, 1, &x);
    }
    return NN_OK;
}

/* The requested shape as written, -1 included (nn_shape_str would print
 * -1 as None). */
static const char *request_str(int ndim, const int64_t *shape)
{
    static char buf[NN_MAXDIM * 24 + 8];
    size_t used = (size_t)snprintf(buf, sizeof buf, "(");
    for (int i = 0; i < ndim && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%lld",
                                 i ? ", " : "", (long long)shape[i]);
    if (used < sizeof buf)
        snprintf(buf + used, sizeof buf - used, ndim == 1 ? ",)" : ")");
    return buf;
}

nn_status nn_reshape(nn_tensor **out, nn_tensor *x, int ndim,
                     const int64_t *shape)
{
    int64_t target[NN_MAXDIM];
    int infer = -1;
    int64_t known = 1;
    bool x_unknown = false;
    size_t xsize = 1;

    *out = NULL;
    if (ndim < 0 || ndim > NN_MAXDIM)
        return nn_error(NN_EARG, "reshape: a tensor has at most %d axes, got "
                        "%d", NN_MAXDIM, ndim);
    for (int d = 0; d < x->ndim; d++) {
        if (x->shape[d] == NN_NONE)
            x_unknown = true;
        else
            xsize *= (size_t)x->shape[d];
    }
    for (int d = 0; d < ndim; d++) {
        target[d] = shape[d];
        if (shape[d] == -1) {
            if (infer >= 0)
                return nn_error(NN_EARG, "reshape: only one size can be -1, "
                                "got %s", request_str(ndim, shape));
            infer = d;
        } else if (shape[d] < 0) {
            return nn_error(NN_EARG, "reshape: negative size in %s",
                            request_str(ndim, shape));
        } else {
            known *= shape[d];
        }
    }
    if (x_unknown) {
        /* (None, 64) -> (-1, 8, 8) gives (None, 8, 8) */
        if (infer >= 0)
            target[infer] = NN_NONE;
        return nn_tensor_symbolic(out, ndim, target);
    }
    if (infer >= 0) {
        if (known == 0 || xsize % (size_t)known != 0)
            return nn_error(NN_ESHAPE, "reshape: cannot reshape a tensor of "
                            "shape %s (%zu elements) into %s", NN_SHAPE(x),
                            xsize, request_str(ndim, shape));
        target[infer] = (int64_t)(xsize / (size_t)known);
    } else if ((size_t)known != xsize) {
        return nn_error(NN_ESHAPE, "reshape: cannot reshape a tensor of shape "
                        "%s (%zu elements) into %s (%lld elements)",
                        NN_SHAPE(x), xsize, request_str(ndim, shape),
                        (long long)known);
    }
    return reshape_to(out, x, ndim, target, "reshape");
}

nn_status nn_squeeze(nn_tensor **out, nn_tensor *x, int naxes,
                     const int64_t *axes)
{
    bool drop[NN_MAXDIM] = {false};
    int64_t shape[NN_MAXDIM];
    int nd = 0, a;
    nn_status s;
    *out = NULL;
    for (int i = 0; i < naxes; i++) {
        if ((s = nn_normalize_axis(&a, axes[i], x->ndim, "squeeze")) != NN_OK)
            return s;
        if (x->shape[a] != 1 && x->shape[a] != NN_NONE)
            return nn_error(NN_ESHAPE, "squeeze: axis %lld of a tensor of "
                            "shape %s has size %lld, not 1",
                            (long long)axes[i], NN_SHAPE(x),
                            (long long)x->shape[a]);
        drop[a] = true;
    }
    for (int d = 0; d < x->ndim; d++) {
        if (naxes == 0 && x->shape[d] == 1)
            drop[d] = true;
        if (!drop[d])
            shape[nd++] = x->shape[d];
    }
    return reshape_to(out, x, nd, shape, "squeeze");
}

nn_status nn_expand_dims(nn_tensor **out, nn_tensor *x, int64_t axis)
{
    int64_t shape[NN_MAXDIM];
    int a;
    nn_status s;
    *out = NULL;
    if (x->ndim >= NN_MAXDIM)
        return nn_error(NN_EARG, "expand_dims: a tensor has at most %d axes",
                        NN_MAXDIM);
    /* axis counts in the result, as tf.expand_dims: -1 appends */
    if ((s = nn_normalize_axis(&a, axis, x->ndim + 1, "expand_dims")) != NN_OK)
        return s;
    for (int d = 0, j = 0; d <= x->ndim; d++)
        shape[d] = d == a ? 1 : x->shape[j++];
    return reshape_to(out, x, x->ndim + 1, shape, "expand_dims");
}

/* ---- transpose ---------------------------------------------------------- */

typedef struct {
    const float *src;
    float *dst;
    bool add;
} gather_ctx;

/* dst[i + j] = src[o0 + j*s0] (forward), or the reverse with += (backward) */
static void gather_row(void *p, size_t i, size_t o0, size_t o1, size_t n,
                       int64_t s0, int64_t s1)
{
    gather_ctx *c = p;
    (void)o1;
    (void)s1;
    if (!c->add)
        for (size_t j = 0; j < n; j++)
            c->dst[i + j] = c->src[o0 + j * s0];
    else
        for (size_t j = 0; j < n; j++)
            c->dst[o0 + j * s0] += c->src[i + j];
}

#define TILE 32

/* dst (shape src_shape[perm]) = (or +=) src permuted. When the source's
 * contiguous axis is not the result's last one, the two axes are copied in
 * TILE x TILE blocks so that both reads and writes stay in cache. */
static void permute_into(float *dst, const float *src, int ndim,
                         const int64_t *src_shape, const int64_t *perm,
                         bool add)
{
    int64_t sst[NN_MAXDIM], shape[NN_MAXDIM], dst_st[NN_MAXDIM];
    nn_contiguous_strides(sst, ndim, src_shape);
    for (int d = 0; d < ndim; d++)
        shape[d] = src_shape[perm[d]];
    nn_contiguous_strides(dst_st, ndim, shape);
    int last = ndim - 1, j = last;
    for (int d = 0; d < ndim; d++)
        if (perm[d] == ndim - 1)
            j = d;
    if (ndim < 2 || j == last) {
        nn_walk w;
        memset(&w, 0, sizeof w);
        w.ndim = ndim;
        for (int d = 0; d < ndim; d++) {
            w.shape[d] = shape[d];
            w.st[0][d] = sst[perm[d]];
        }
        gather_ctx c = {src, dst, false};
        if (!add) {
            nn_walk_rows(&w, gather_row, &c);
            return;
        }
        /* dst += permuted src: walk dst's shape, read src strided */
        size_t total = 1;
        for (int d = 0; d < ndim; d++)
            total *= (size_t)shape[d];
        int64_t idx[NN_MAXDIM] = {0};
        size_t off = 0;
        for (size_t i = 0; i < total; i++) {
            dst[i] += src[off];
            for (int d = last; d >= 0; d--) {
                idx[d]++;
                off += (size_t)w.st[0][d];
                if (idx[d] < shape[d])
                    break;
                off -= (size_t)(w.st[0][d] * shape[d]);
                idx[d] = 0;
            }
        }
        return;
    }
    /* outer axes: all but j and last */
    int64_t rows = shape[j], cols = shape[last];
    int64_t rs = dst_st[j];         /* dst stride along j; src stride 1 */
    int64_t cs = sst[perm[last]];   /* src stride along last; dst stride 1 */
    int64_t idx[NN_MAXDIM] = {0};
    size_t outer = 1;
    for (int d = 0; d < ndim; d++)
        if (d != j && d != last)
            outer *= (size_t)shape[d];
    for (size_t o = 0; o < outer; o++) {
        size_t so = 0, dso = 0;
        for (int d = 0; d < ndim; d++) {
            so += (size_t)(idx[d] * sst[perm[d]]);
            dso += (size_t)(idx[d] * dst_st[d]);
        }
        for (int64_t r0 = 0; r0 < rows; r0 += TILE)
            for (int64_t c0 = 0; c0 < cols; c0 += TILE) {
                int64_t r1 = r0 + TILE < rows ? r0 + TILE : rows;
                int64_t c1 = c0 + TILE < cols ? c0 + TILE : cols;
                for (int64_t r = r0; r < r1; r++) {
                    float *dp = dst + dso + (size_t)(r * rs);
                    const float *sp = src + so + (size_t)r;
                    if (add)
                        for (int64_t c = c0; c < c1; c++)
                            dp[c] += sp[c * cs];
                    else
                        for (int64_t c = c0; c < c1; c++)
                            dp[c] = sp[c * cs];
                }
            }
        /* next outer index */
        for (int d = ndim - 1; d >= 0; d--) {
            if (d == j || d == last)
                continue;
            if (++idx[d] < shape[d])
                break;
            idx[d] = 0;
        }
    }
}

static nn_status transpose_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *x = node->inputs[0];
    int64_t inv[NN_MAXDIM];
    float *gx;
    nn_status s = nn_grad_buffer(&gx, x);
    if (s != NN_OK || !gx)
        return s;
    for (int d = 0; d < x->ndim; d++)
        inv[node->iarg[d]] = d;
    permute_into(gx, out->grad->data, out->ndim, out->shape, inv, true);
    return NN_OK;
}

nn_status nn_transpose(nn_tensor **out, nn_tensor *x, const int64_t *perm)
{
    int64_t p[NN_MAXDIM], shape[NN_MAXDIM];
    bool used[NN_MAXDIM] = {false};
    nn_status s;
    *out = NULL;
    for (int d = 0; d < x->ndim; d++) {
        int a = x->ndim - 1 - d;
        if (perm && (s = nn_normalize_axis(&a, perm[d], x->ndim,
                                           "transpose")) != NN_OK)
            return s;
        if (used[a])
            return nn_error(NN_EARG, "transpose: perm is not a permutation "
                            "of the %d axes of a tensor of shape %s (axis %d "
                            "appears twice)", x->ndim, NN_SHAPE(x), a);
        used[a] = true;
        p[d] = a;
        shape[d] = x->shape[a];
    }
    if (x->symbolic)
        return nn_tensor_symbolic(out, x->ndim, shape);
    if ((s = nn_tensor_new(out, x->ndim, shape)) != NN_OK)
        return nn_error_context(s, "transpose");
    if (x->size)
        permute_into((*out)->data, x->data, x->ndim, x->shape, p, false);
    if (nn_needs_grad(1, &x)) {
        nn_node *node;
        if ((s = record_or_free(&node, out, "transpose", transpose_backward, 1,
                                &x)) != NN_OK)
            return s;
        memcpy(node->iarg, p, sizeof p);
    }
    return NN_OK;
}

/* ---- concat and stack -------------------------------------------------- */

/* Each input is (outer, size_i * inner) in the layout of the result; the
 * result is (outer, total * inner). For stack, size_i is 1. */
static void concat_sizes(size_t *outer, size_t *inner, const nn_tensor *x,
                         int a, bool stack)
{
    *outer = 1;
    *inner = 1;
    for (int d = 0; d < a; d++)
        *outer *= (size_t)x->shape[d];
    for (int d = stack ? a : a + 1; d < x->ndim; d++)
        *inner *= (size_t)x->shape[d];
}

static size_t concat_len(const nn_tensor *x, int a, bool stack)
{
    return stack ? 1 : (size_t)x->shape[a];
}

static nn_status concat_backward(nn_node *node, nn_tensor *out)
{
    int a = (int)node->iarg[0];
    bool stack = node->iarg[1];
    size_t outer, inner, total = (size_t)out->shape[a], pos = 0;
    concat_sizes(&outer, &inner, node->inputs[0], a, stack);
    for (int i = 0; i < node->ninputs; i++) {
        nn_tensor *x = node->inputs[i];
        size_t len = concat_len(x, a, stack) * inner;
        float *gx;
        nn_status s = nn_grad_buffer(&gx, x);
        if (s != NN_OK)
            return s;
        if (gx)
            for (size_t o = 0; o < outer; o++) {
                const float *g = out->grad->data + o * total * inner + pos;
                for (size_t j = 0; j < len; j++)
                    gx[o * len + j] += g[j];
            }
        pos += len;
    }
    return NN_OK;
}

nn_status nn_concat(nn_tensor **out, int n, nn_tensor **xs, int64_t axis,
                    bool stack)
{
    const char *op = stack ? "stack" : "concat";
    int64_t shape[NN_MAXDIM];
    int a, ndim;
    bool symbolic = false;
    nn_status s;

    *out = NULL;
    if (n < 1)
        return nn_error(NN_EARG, "%s: expected at least one tensor", op);
    nn_tensor *x0 = xs[0];
    ndim = stack ? x0->ndim + 1 : x0->ndim;
    if (ndim == 0)
        return nn_error(NN_EARG, "concat: cannot concatenate scalars; use "
                        "stack");
    if (ndim > NN_MAXDIM)
        return nn_error(NN_EARG, "stack: a tensor has at most %d axes",
                        NN_MAXDIM);
    if ((s = nn_normalize_axis(&a, axis, ndim, op)) != NN_OK)
        return s;
    /* the shape of the result with x0's sizes, then check the others */
    for (int d = 0, j = 0; d < ndim; d++)
        shape[d] = (stack && d == a) ? n : x0->shape[j++];
    for (int i = 0; i < n; i++) {
        nn_tensor *x = xs[i];
        symbolic |= x->symbolic;
        bool ok = x->ndim == x0->ndim;
        for (int d = 0; ok && d < x->ndim; d++) {
            if (!stack && d == a)
                continue;
            int64_t p = x->shape[d], q = x0->shape[d];
            ok = p == q || p == NN_NONE || q == NN_NONE;
        }
        if (!ok) {
            if (stack)
                return nn_error(NN_ESHAPE, "stack: all tensors must have the "
                                "same shape, got %s and %s (tensor %d)",
                                NN_SHAPE(x0), NN_SHAPE(x), i + 1);
            return nn_error(NN_ESHAPE, "concat: shapes %s and %s (tensor %d) "
                            "differ outside axis %lld", NN_SHAPE(x0),
                            NN_SHAPE(x), i + 1, (long long)axis);
        }
        if (!stack && i > 0)
            shape[a] = (shape[a] == NN_NONE || x->shape[a] == NN_NONE)
                           ? NN_NONE : shape[a] + x->shape[a];
    }
    if (symbolic)
        return nn_tensor_symbolic(out, ndim, shape);
    if ((s = nn_tensor_new(out, ndim, shape)) != NN_OK)
        return nn_error_context(s, op);
    size_t outer, inner, total = (size_t)shape[a], pos = 0;
    concat_sizes(&outer, &inner, x0, a, stack);
    for (int i = 0; i < n; i++) {
        size_t len = concat_len(xs[i], a, stack) * inner;
        for (size_t o = 0; o < outer; o++)
            if (len)
                memcpy((*out)->data + o * total * inner + pos,
                       xs[i]->data + o * len, len * sizeof(float));
        pos += len;
    }
    if (nn_needs_grad(n, xs)) {
        nn_node *node;
        if ((s = record_or_free(&node, out, op, concat_backward, n, xs)) !=
            NN_OK)
            return s;
        node->iarg[0] = a;
        node->iarg[1] = stack;
    }
    return NN_OK;
}

/* ---- slices ------------------------------------------------------------ */

/* Python's slice.indices(): clamp start and stop into the axis. */
static int64_t slice_len(int64_t dim, int64_t *start, int64_t *stop,
                         int64_t step)
{
    int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? dim : dim - 1;
    if (*start < 0) *start += dim;
    if (*stop < 0) *stop += dim;
    if (*start < lo) *start = lo;
    if (*start > hi) *start = hi;
    if (*stop < lo) *stop = lo;
    if (*stop > hi) *stop = hi;
    if (step > 0)
        return *stop > *start ? (*stop - *start + step - 1) / step : 0;
    return *start > *stop ? (*start - *stop - step - 1) / (-step) : 0;
}

static void slice_walk(nn_walk *w, const nn_tensor *x, const nn_tensor *y,
                       int a, int64_t start, int64_t step)
{
    int64_t st[NN_MAXDIM];
    nn_contiguous_strides(st, x->ndim, x->shape);
    memset(w, 0, sizeof *w);
    w->ndim = y->ndim;
    memcpy(w->shape, y->shape, sizeof y->shape);
    for (int d = 0; d < x->ndim; d++)
        w->st[0][d] = d == a ? st[d] * step : st[d];
    w->base[0] = (size_t)(start * st[a]);
}

static nn_status slice_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *x = node->inputs[0];
    float *gx;
    nn_walk w;
    nn_status s = nn_grad_buffer(&gx, x);
    if (s != NN_OK || !gx)
        return s;
    slice_walk(&w, x, out, (int)node->iarg[0], node->iarg[1], node->iarg[2]);
    gather_ctx c = {out->grad->data, gx, true};
    nn_walk_rows(&w, gather_row, &c);
    return NN_OK;
}

nn_status nn_slice(nn_tensor **out, nn_tensor *x, int64_t axis, int64_t start,
                   int64_t stop, int64_t step)
{
    int64_t shape[NN_MAXDIM];
    int a;
    nn_status s;
    *out = NULL;
    if ((s = nn_normalize_axis(&a, axis, x->ndim, "slice")) != NN_OK)
        return s;
    if (step == 0)
        return nn_error(NN_EARG, "slice: step cannot be 0");
    memcpy(shape, x->shape, sizeof shape);
    if (x->shape[a] == NN_NONE) {
        if (!x->symbolic)
            return nn_error(NN_EARG, "slice: bad shape");
        return nn_tensor_symbolic(out, x->ndim, shape);
    }
    shape[a] = slice_len(x->shape[a], &start, &stop, step);
    if (x->symbolic)
        return nn_tensor_symbolic(out, x->ndim, shape);
    if ((s = nn_tensor_new(out, x->ndim, shape)) != NN_OK)
        return nn_error_context(s, "slice");
    nn_walk w;
    slice_walk(&w, x, *out, a, start, step);
    gather_ctx c = {x->data, (*out)->data, false};
    nn_walk_rows(&w, gather_row, &c);
    if (nn_needs_grad(1, &x)) {
        nn_node *node;
        if ((s = record_or_free(&node, out, "slice", slice_backward, 1, &x)) !=
            NN_OK)
            return s;
        node->iarg[0] = a;
        node->iarg[1] = start;
        node->iarg[2] = step;
    }
    return NN_OK;
}

/* ---- gather ------------------------------------------------------------ */

/* x as (outer, n, inner), indices flat (m): out (outer, m, inner) */
static nn_status gather_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *x = node->inputs[0], *idx = node->inputs[1];
    size_t outer = (size_t)node->iarg[0], n = (size_t)node->iarg[1],
           inner = (size_t)node->iarg[2], m = idx->size;
    float *gx;
    nn_status s = nn_grad_buffer(&gx, x);
    if (s != NN_OK || !gx)
        return s;
    for (size_t o = 0; o < outer; o++)
        for (size_t j = 0; j < m; j++) {
            int64_t i = (int64_t)idx->data[j];
            size_t row = (size_t)(i < 0 ? i + (int64_t)n : i);
            const float *g = out->grad->data + (o * m + j) * inner;
            float *dst = gx + (o * n + row) * inner;
            for (size_t k = 0; k < inner; k++)
                dst[k] += g[k];
        }
    return NN_OK;
}

nn_status nn_gather(nn_tensor **out, nn_tensor *x, nn_tensor *indices,
                    int64_t axis)
{
    int64_t shape[NN_MAXDIM];
    int a, nd = 0;
    nn_status s;
    *out = NULL;
    if ((s = nn_normalize_axis(&a, axis, x->ndim, "gather")) != NN_OK)
        return s;
    if (x->ndim - 1 + indices->ndim > NN_MAXDIM)
        return nn_error(NN_ESHAPE, "gather: the result would have more than "
                        "%d axes", NN_MAXDIM);
    for (int d = 0; d < a; d++)
        shape[nd++] = x->shape[d];
    for (int d = 0; d < indices->ndim; d++)
        shape[nd++] = indices->shape[d];
    for (int d = a + 1; d < x->ndim; d++)
        shape[nd++] = x->shape[d];
    if (x->symbolic || indices->symbolic)
        return nn_tensor_symbolic(out, nd, shape);
    int64_t n = x->shape[a];
    for (size_t j = 0; j < indices->size; j++) {
        float v = indices->data[j];
        if (!(v == floorf(v) && v >= (float)-n && v < (float)n))
            return nn_error(NN_EARG, "gather: index %g is not an integer in "
                            "[-%lld, %lld) for axis %d of a tensor of shape "
                            "%s", (double)v, (long long)n, (long long)n, a,
                            NN_SHAPE(x));
    }
    if ((s = nn_tensor_new(out, nd, shape)) != NN_OK)
        return nn_error_context(s, "gather");
    size_t outer = 1, inner = 1, m = indices->size;
    for (int d = 0; d < a; d++)
        outer *= (size_t)x->shape[d];
    for (int d = a + 1; d < x->ndim; d++)
        inner *= (size_t)x->shape[d];
    for (size_t o = 0; o < outer; o++)
        for (size_t j = 0; j < m; j++) {
            int64_t i = (int64_t)indices->data[j];
            size_t row = (size_t)(i < 0 ? i + n : i);
            if (inner)
                memcpy((*out)->data + (o * m + j) * inner,
                       x->data + (o * (size_t)n + row) * inner,
                       inner * sizeof(float));
        }
    if (nn_needs_grad(1, &x)) {
        nn_node *node;
        nn_tensor *in[2] = {x, indices};
        if ((s = record_or_free(&node, out, "gather", gather_backward, 2,
                                in)) != NN_OK)
            return s;
        node->iarg[0] = (int64_t)outer;
        node->iarg[1] = n;
        node->iarg[2] = (int64_t)inner;
    }
    return NN_OK;
}

nn_status nn_select(nn_tensor **out, nn_tensor *x, int64_t axis, int64_t index)
{
    nn_tensor *sl;
    int a;
    nn_status s;
    *out = NULL;
    if ((s = nn_normalize_axis(&a, axis, x->ndim, "select")) != NN_OK)
        return s;
    int64_t dim = x->shape[a];
    if (dim != NN_NONE && (index >= dim || index < -dim))
        return nn_error(NN_EARG, "select: index %lld is out of range for axis "
                        "%d of a tensor of shape %s", (long long)index, a,
                        NN_SHAPE(x));
    if (dim != NN_NONE && index < 0)
        index += dim;
    if ((s = nn_slice(&sl, x, a, index, index + 1, 1)) != NN_OK)
        return s;
    s = nn_squeeze(out, sl, 1, (int64_t[]){a});
    nn_tensor_release(sl);
    return s;
}
