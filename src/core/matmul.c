/* matmul.c - batched matrix products with broadcast batch axes. */
#include <string.h>

#include "autograd.h"
#include "gemm.h"
#include "ops.h"

/* The batch layout of a product: for batch b of the result, the offsets
 * (in matrices) of the a and b operands. */
typedef struct {
    int bdim;                   /* number of batch axes of the result */
    int64_t bshape[NN_MAXDIM];
    int64_t sta[NN_MAXDIM], stb[NN_MAXDIM]; /* in matrices, 0 if broadcast */
    size_t nbatch;
    size_t n, k, m;             /* op(a) is (n, k), op(b) is (k, m) */
} mm_layout;

static size_t batch_offset(const mm_layout *L, size_t b, const int64_t *st)
{
    size_t off = 0;
    for (int d = L->bdim - 1; d >= 0; d--) {
        size_t i = b % (size_t)L->bshape[d];
        b /= (size_t)L->bshape[d];
        off += i * (size_t)st[d];
    }
    return off;
}

static nn_status mm_shape(mm_layout *L, int *ondim, int64_t *oshape,
                          const nn_tensor *a, const nn_tensor *b, bool ta,
                          bool tb)
{
    if (a->ndim < 2 || b->ndim < 2)
        return nn_error(NN_ESHAPE, "matmul: expected tensors of rank >= 2, "
                        "got %s @ %s", NN_SHAPE(a), NN_SHAPE(b));
    int64_t an = a->shape[a->ndim - 2], ak = a->shape[a->ndim - 1];
    int64_t bk = b->shape[b->ndim - 2], bm = b->shape[b->ndim - 1];
    if (ta) { int64_t t = an; an = ak; ak = t; }
    if (tb) { int64_t t = bk; bk = bm; bm = t; }
    if (ak != bk && ak != NN_NONE && bk != NN_NONE)
        return nn_error(NN_ESHAPE, "matmul: inner dimensions differ: %s @ %s%s",
                        NN_SHAPE(a), NN_SHAPE(b),
                        ta || tb ? " (after transposing)" : "");
    int na = a->ndim - 2, nb = b->ndim - 2;
    int bd = na > nb ? na : nb;
    int64_t sa[NN_MAXDIM], sb[NN_MAXDIM];
    int64_t s = 1;
    for (int d = na - 1; d >= 0; d--) { sa[d] = s; s *= a->shape[d]; }
    s = 1;
    for (int d = nb - 1; d >= 0; d--) { sb[d] = s; s *= b->shape[d]; }
    memset(L, 0, sizeof *L);
    L->bdim = bd;
    L->nbatch = 1;
    for (int d = 0; d < bd; d++) {
        int da = d - (bd - na), db = d - (bd - nb);
        int64_t xa = da >= 0 ? a->shape[da] : 1, xb = db >= 0 ? b->shape[db] : 1;
        int64_t x;
        if (xa == xb || xb == 1)
            x = xa;
        else if (xa == 1)
            x = xb;
        else if (xa == NN_NONE || xb == NN_NONE)
            x = xa == NN_NONE ? xb : xa;
        else
            return nn_error(NN_ESHAPE, "matmul: batch dimensions of %s and %s "
                            "cannot be broadcast together", NN_SHAPE(a),
                            NN_SHAPE(b));
        L->bshape[d] = x;
        L->sta[d] = (da >= 0 && xa == x && x != 1) ? sa[da] : 0;
        L->stb[d] = (db >= 0 && xb == x && x != 1) ? sb[db] : 0;
        oshape[d] = x;
        if (x != NN_NONE)
            L->nbatch *= (size_t)x; /* 0 for an empty batch */
    }
    oshape[bd] = an;
    oshape[bd + 1] = bm;
    *ondim = bd + 2;
    L->n = (size_t)an;
    L->k = (size_t)ak;
    L->m = (size_t)bm;
    return NN_OK;
}

/* C = op(A) op(B) per batch. With C (n, m):
 *   dA = dC op(B)^T, stored back through op: trans_a gives dA = op(B) dC^T;
 *   dB = op(A)^T dC, likewise trans_b gives dB = dC^T op(A). */
static nn_status matmul_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *a = node->inputs[0], *b = node->inputs[1];
    bool ta = node->iarg[0], tb = node->iarg[1];
    mm_layout L;
    int ondim;
    int64_t oshape[NN_MAXDIM];
    float *ga, *gb;
    nn_status s;
    if ((s = nn_grad_buffer(&ga, a)) != NN_OK ||
        (s = nn_grad_buffer(&gb, b)) != NN_OK)
        return s;
    mm_shape(&L, &ondim, oshape, a, b, ta, tb);
    size_t n = L.n, k = L.k, m = L.m;
    size_t lda = ta ? n : k, ldb = tb ? k : m;
    const float *gc = out->grad->data;
    for (size_t bi = 0; bi < L.nbatch; bi++) {
        size_t oa = batch_offset(&L, bi, L.sta) * n * k;
        size_t ob = batch_offset(&L, bi, L.stb) * k * m;
        const float *g = gc + bi * n * m;
        if (ga) {
            if (!ta) /* dA (n, k) = dC (n, m) @ op(B)^T (m, k) */
                nn_gemm(false, !tb, n, k, m, 1.0f, g, m, b->data + ob, ldb,
                        1.0f, ga + oa, lda);
            else     /* dA (k, n) = op(B) (k, m) @ dC^T (m, n) */
                nn_gemm(tb, true, k, n, m, 1.0f, b->data + ob, ldb, g, m,
                        1.0f, ga + oa, lda);
        }
        if (gb) {
            if (!tb) /* dB (k, m) = op(A)^T (k, n) @ dC (n, m) */
                nn_gemm(!ta, false, k, m, n, 1.0f, a->data + oa, lda, g, m,
                        1.0f, gb + ob, ldb);
            else     /* dB (m, k) = dC^T (m, n) @ op(A) (n, k) */
                nn_gemm(true, ta, m, k, n, 1.0f, g, m, a->data + oa, lda,
                        1.0f, gb + ob, ldb);
        }
    }
    return NN_OK;
}

nn_status nn_matmul(nn_tensor **out, nn_tensor *a, nn_tensor *b, bool ta,
                    bool tb)
{
    mm_layout L;
    int ondim;
    int64_t oshape[NN_MAXDIM];
    nn_status s;
    *out = NULL;
    if ((s = mm_shape(&L, &ondim, oshape, a, b, ta, tb)) != NN_OK)
        return s;
    if (a->symbolic || b->symbolic)
        return nn_tensor_symbolic(out, ondim, oshape);
    if ((s = nn_tensor_new(out, ondim, oshape)) != NN_OK)
        return nn_error_context(s, "matmul");
    size_t n = L.n, k = L.k, m = L.m;
    for (size_t bi = 0; bi < L.nbatch; bi++) {
        size_t oa = batch_offset(&L, bi, L.sta) * n * k;
        size_t ob = batch_offset(&L, bi, L.stb) * k * m;
        nn_gemm(ta, tb, n, m, k, 1.0f, a->data + oa, ta ? n : k,
                b->data + ob, tb ? k : m, 0.0f, (*out)->data + bi * n * m, m);
    }
    nn_tensor *in[2] = {a, b};
    if (nn_needs_grad(2, in)) {
        nn_node *node;
        if ((s = nn_record(&node, *out, "matmul", matmul_backward, 2, in)) !=
            NN_OK) {
            nn_tensor_release(*out);
            *out = NULL;
            return s;
        }
        node->iarg[0] = ta;
        node->iarg[1] = tb;
    }
    return NN_OK;
}

/* ---- batch_dot --------------------------------------------------------- */

/* Moves axis `from` of x to position `to`, keeping the others in order. */
static nn_status move_axis(nn_tensor **out, nn_tensor *x, int from, int to)
{
    int64_t perm[NN_MAXDIM];
    for (int d = 0, j = 0; d < x->ndim; d++) {
        if (d == to) {
            perm[d] = from;
            continue;
        }
        if (j == from)
            j++;
        perm[d] = j++;
    }
    return nn_transpose(out, x, perm);
}

nn_status nn_batch_dot(nn_tensor **out, nn_tensor *x, nn_tensor *y,
                       bool default_axes, int64_t ax, int64_t ay)
{
    int a, b;
    nn_status s;
    *out = NULL;
    if (x->ndim < 2 || y->ndim < 2)
        return nn_error(NN_ESHAPE, "batch_dot: expected tensors of rank >= 2, "
                        "got %s and %s", NN_SHAPE(x), NN_SHAPE(y));
    if (default_axes) {
        ax = x->ndim - 1;
        ay = y->ndim == 2 ? 1 : y->ndim - 2;
    }
    if ((s = nn_normalize_axis(&a, ax, x->ndim, "batch_dot")) != NN_OK ||
        (s = nn_normalize_axis(&b, ay, y->ndim, "batch_dot")) != NN_OK)
        return s;
    if (a == 0 || b == 0)
        return nn_error(NN_EARG, "batch_dot: cannot contract over the batch "
                        "axis 0");
    int64_t bx = x->shape[0], by = y->shape[0];
    if (bx != by && bx != NN_NONE && by != NN_NONE)
        return nn_error(NN_ESHAPE, "batch_dot: batch sizes differ: %s and %s",
                        NN_SHAPE(x), NN_SHAPE(y));
    int64_t kx = x->shape[a], ky = y->shape[b];
    if (kx != ky && kx != NN_NONE && ky != NN_NONE)
        return nn_error(NN_ESHAPE, "batch_dot: cannot contract axis %d of %s "
                        "with axis %d of %s: sizes %lld and %lld differ", a,
                        NN_SHAPE(x), b, NN_SHAPE(y), (long long)kx,
                        (long long)ky);
    /* the result: (batch, x's axes but a, y's axes but 0 and b) */
    int64_t shape[NN_MAXDIM];
    int nd = 0;
    shape[nd++] = bx == NN_NONE ? by : bx;
    for (int d = 1; d < x->ndim; d++)
        if (d != a)
            shape[nd++] = x->shape[d];
    for (int d = 1; d < y->ndim; d++)
        if (d != b) {
            if (nd == NN_MAXDIM)
                return nn_error(NN_ESHAPE, "batch_dot: the result of %s and "
                                "%s would have more than %d axes",
                                NN_SHAPE(x), NN_SHAPE(y), NN_MAXDIM);
            shape[nd++] = y->shape[d];
        }
    if (nd == 1)
        shape[nd++] = 1; /* Keras: two 2-D inputs give (batch, 1) */
    if (x->symbolic || y->symbolic)
        return nn_tensor_symbolic(out, nd, shape);

    /* x -> (batch, M, k) and y -> (batch, k, N), one batched product */
    int64_t mx = 1, ny = 1;
    for (int d = 1; d < x->ndim; d++)
        if (d != a)
            mx *= x->shape[d];
    for (int d = 1; d < y->ndim; d++)
        if (d != b)
            ny *= y->shape[d];
    nn_tensor *xt = NULL, *yt = NULL, *x3 = NULL, *y3 = NULL, *r = NULL;
    if ((s = move_axis(&xt, x, a, x->ndim - 1)) != NN_OK ||
        (s = move_axis(&yt, y, b, 1)) != NN_OK ||
        (s = nn_reshape(&x3, xt, 3, (int64_t[]){bx, mx, kx})) != NN_OK ||
        (s = nn_reshape(&y3, yt, 3, (int64_t[]){by, ky, ny})) != NN_OK ||
        (s = nn_matmul(&r, x3, y3, false, false)) != NN_OK ||
        (s = nn_reshape(out, r, nd, shape)) != NN_OK)
        nn_error_context(s, "batch_dot");
    nn_tensor_release(xt);
    nn_tensor_release(yt);
    nn_tensor_release(x3);
    nn_tensor_release(y3);
    nn_tensor_release(r);
    return s;
}
