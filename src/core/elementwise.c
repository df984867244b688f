/* elementwise.c - broadcasting binary ops and unary functions. */
#include <math.h>
#include <string.h>

#include "autograd.h"
#include "fastmath.h"
#include "ops.h"
#include "walk.h"

/* ---- broadcasting ------------------------------------------------------ */

static const char *binary_names[] = {
    "add", "subtract", "multiply", "divide", "pow", "maximum", "minimum",
    "equal", "not_equal", "greater", "greater_equal", "less", "less_equal"
};

const char *nn_binary_name(nn_binary_kind kind)
{
    return binary_names[kind];
}

/* NumPy's rule: align shapes at the right; sizes must match or be 1. A
 * None size pairs with anything and stays None unless the other is > 1. */
static nn_status broadcast(nn_walk *w, const nn_tensor *a, const nn_tensor *b,
                           const char *op)
{
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t sta[NN_MAXDIM], stb[NN_MAXDIM];
    nn_contiguous_strides(sta, a->ndim, a->shape);
    nn_contiguous_strides(stb, b->ndim, b->shape);
    memset(w, 0, sizeof *w);
    w->ndim = nd;
    for (int d = 0; d < nd; d++) {
        int da = d - (nd - a->ndim), db = d - (nd - b->ndim);
        int64_t sa = da >= 0 ? a->shape[da] : 1;
        int64_t sb = db >= 0 ? b->shape[db] : 1;
        int64_t s;
        if (sa == sb)
            s = sa;
        else if (sa == 1)
            s = sb;
        else if (sb == 1)
            s = sa;
        else if (sa == NN_NONE)
            s = sb;
        else if (sb == NN_NONE)
            s = sa;
        else
            return nn_error(NN_ESHAPE,
                            "%s: shapes %s and %s cannot be broadcast together",
                            op, NN_SHAPE(a), NN_SHAPE(b));
        w->shape[d] = s;
        w->st[0][d] = (da >= 0 && sa == s && s != 1) ? sta[da] : 0;
        w->st[1][d] = (db >= 0 && sb == s && s != 1) ? stb[db] : 0;
    }
    return NN_OK;
}

typedef struct {
    nn_binary_kind kind;
    const float *a, *b, *y, *gy;
    float *out, *ga, *gb;
} binary_ctx;

static void binary_row(void *p, size_t i, size_t oa, size_t ob, size_t n,
                       int64_t sa, int64_t sb)
{
    binary_ctx *c = p;
    const float *restrict a = c->a, *restrict b = c->b;
    float *restrict y = c->out + i;
    switch (c->kind) {
    case NN_ADD:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] + b[ob + j * sb];
        break;
    case NN_SUB:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] - b[ob + j * sb];
        break;
    case NN_MUL:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] * b[ob + j * sb];
        break;
    case NN_DIV:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] / b[ob + j * sb];
        break;
    case NN_POW:
        for (size_t j = 0; j < n; j++)
            y[j] = powf(a[oa + j * sa], b[ob + j * sb]);
        break;
    case NN_MAXIMUM:
        for (size_t j = 0; j < n; j++)
            y[j] = fmaxf(a[oa + j * sa], b[ob + j * sb]);
        break;
    case NN_MINIMUM:
        for (size_t j = 0; j < n; j++)
            y[j] = fminf(a[oa + j * sa], b[ob + j * sb]);
        break;
    case NN_EQUAL:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] == b[ob + j * sb];
        break;
    case NN_NOT_EQUAL:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] != b[ob + j * sb];
        break;
    case NN_GREATER:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] > b[ob + j * sb];
        break;
    case NN_GREATER_EQUAL:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] >= b[ob + j * sb];
        break;
    case NN_LESS:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] < b[ob + j * sb];
        break;
    case NN_LESS_EQUAL:
        for (size_t j = 0; j < n; j++) y[j] = a[oa + j * sa] <= b[ob + j * sb];
        break;
    }
}

/* Adds the gradient of each element into the (possibly broadcast) place of
 * its operand, which sums it over the broadcast axes. */
static void binary_back_row(void *p, size_t i, size_t oa, size_t ob, size_t n,
                            int64_t sa, int64_t sb)
{
    binary_ctx *c = p;
    const float *gy = c->gy + i, *y = c->y + i;
    for (size_t j = 0; j < n; j++) {
        size_t ia = oa + j * sa, ib = ob + j * sb;
        float a = c->a[ia], b = c->b[ib], g = gy[j], da = 0, db = 0;
        switch (c->kind) {
        case NN_ADD: da = g; db = g; break;
        case NN_SUB: da = g; db = -g; break;
        case NN_MUL: da = g * b; db = g * a; break;
        case NN_DIV: da = g / b; db = -g * a / (b * b); break;
        case NN_POW:
            /* d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log a, 0 where a <= 0 */
            da = b == 0.0f ? 0.0f : g * b * powf(a, b - 1.0f);
            db = a > 0.0f ? g * y[j] * logf(a) : 0.0f;
            break;
        case NN_MAXIMUM: if (a >= b) da = g; else db = g; break;
        case NN_MINIMUM: if (a <= b) da = g; else db = g; break;
        default: break; /* comparisons: no gradient */
        }
        if (c->ga) c->ga[ia] += da;
        if (c->gb) c->gb[ib] += db;
    }
}

static nn_status binary_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *a = node->inputs[0], *b = node->inputs[1];
    binary_ctx c = {.kind = (nn_binary_kind)node->kind, .a = a->data,
                    .b = b->data, .y = out->data, .gy = out->grad->data};
    nn_walk w;
    nn_status s;
    if ((s = nn_grad_buffer(&c.ga, a)) != NN_OK ||
        (s = nn_grad_buffer(&c.gb, b)) != NN_OK)
        return s;
    broadcast(&w, a, b, "backward");
    nn_walk_rows(&w, binary_back_row, &c);
    return NN_OK;
}

nn_status nn_binary(nn_tensor **out, nn_binary_kind kind, nn_tensor *a,
                    nn_tensor *b)
{
    const char *op = binary_names[kind];
    nn_walk w;
    nn_status s;
    *out = NULL;
    if ((s = broadcast(&w, a, b, op)) != NN_OK)
        return s;
    if (a->symbolic || b->symbolic)
        return nn_tensor_symbolic(out, w.ndim, w.shape);
    if ((s = nn_tensor_new(out, w.ndim, w.shape)) != NN_OK)
        return nn_error_context(s, op);
    binary_ctx c = {.kind = kind, .a = a->data, .b = b->data,
                    .out = (*out)->data};
    nn_walk_rows(&w, binary_row, &c);
    nn_tensor *in[2] = {a, b};
    if (kind < NN_EQUAL && nn_needs_grad(2, in)) {
        nn_node *node;
        if ((s = nn_record(&node, *out, op, binary_backward, 2, in)) != NN_OK) {
            nn_tensor_release(*out);
            *out = NULL;
            return s;
        }
        node->kind = kind;
    }
    return NN_OK;
}

/* ---- unary functions --------------------------------------------------- */

static const char *unary_names[NN_UNARY_COUNT] = {
    "neg", "exp", "log", "sqrt", "abs", "square", "tanh", "sigmoid", "relu",
    "elu", "selu", "gelu", "softplus", "softsign", "hard_sigmoid", "silu"
};

const char *nn_unary_name(nn_unary_kind kind)
{
    return unary_names[kind];
}

int nn_unary_lookup(const char *name)
{
    for (int k = 0; k < NN_UNARY_COUNT; k++)
        if (strcmp(name, unary_names[k]) == 0)
            return k;
    return -1;
}

#define SELU_SCALE 1.0507009873554804934193349852946f
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define INV_SQRT2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f

static void unary_forward(nn_unary_kind k, size_t n, const float *restrict x,
                          float *restrict y)
{
    size_t i;
    switch (k) {
    case NN_NEG: for (i = 0; i < n; i++) y[i] = -x[i]; break;
    case NN_EXP: for (i = 0; i < n; i++) y[i] = nn_expf(x[i]); break;
    case NN_LOG: for (i = 0; i < n; i++) y[i] = logf(x[i]); break;
    case NN_SQRT: for (i = 0; i < n; i++) y[i] = sqrtf(x[i]); break;
    case NN_ABS: for (i = 0; i < n; i++) y[i] = fabsf(x[i]); break;
    case NN_SQUARE: for (i = 0; i < n; i++) y[i] = x[i] * x[i]; break;
    case NN_TANH: for (i = 0; i < n; i++) y[i] = nn_tanhf(x[i]); break;
    case NN_SIGMOID: for (i = 0; i < n; i++) y[i] = nn_sigmoidf(x[i]); break;
    case NN_RELU:
        for (i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case NN_ELU: /* alpha = 1 */
        for (i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : expm1f(x[i]);
        break;
    case NN_SELU:
        for (i = 0; i < n; i++)
            y[i] = SELU_SCALE *
                   (x[i] > 0.0f ? x[i] : SELU_ALPHA * expm1f(x[i]));
        break;
    case NN_GELU: /* exact: x Phi(x), Keras's approximate=False; erfc keeps
                     the precision of the small tail for negative x */
        for (i = 0; i < n; i++)
            y[i] = 0.5f * x[i] * erfcf(-x[i] * INV_SQRT2);
        break;
    case NN_SOFTPLUS: /* log(1 + e^x) without overflow */
        for (i = 0; i < n; i++)
            y[i] = log1pf(expf(-fabsf(x[i]))) + fmaxf(x[i], 0.0f);
        break;
    case NN_SOFTSIGN:
        for (i = 0; i < n; i++) y[i] = x[i] / (1.0f + fabsf(x[i]));
        break;
    case NN_HARD_SIGMOID: /* Keras 3: relu6(x + 3) / 6 */
        for (i = 0; i < n; i++)
            y[i] = fminf(fmaxf(x[i] + 3.0f, 0.0f), 6.0f) / 6.0f;
        break;
    case NN_SILU:
        for (i = 0; i < n; i++) y[i] = x[i] * nn_sigmoidf(x[i]);
        break;
    case NN_UNARY_COUNT:
        break;
    }
}

/* dy/dx from x and y, times the incoming gradient, added into gx. */
static void unary_backward_kernel(nn_unary_kind k, size_t n, const float *x,
                                  const float *y, const float *gy, float *gx)
{
    for (size_t i = 0; i < n; i++) {
        float d = 0.0f, xi = x[i], yi = y[i];
        switch (k) {
        case NN_NEG: d = -1.0f; break;
        case NN_EXP: d = yi; break;
        case NN_LOG: d = 1.0f / xi; break;
        case NN_SQRT: d = 0.5f / yi; break;
        case NN_ABS: d = xi > 0.0f ? 1.0f : (xi < 0.0f ? -1.0f : 0.0f); break;
        case NN_SQUARE: d = 2.0f * xi; break;
        case NN_TANH: d = 1.0f - yi * yi; break;
        case NN_SIGMOID: d = yi * (1.0f - yi); break;
        case NN_RELU: d = xi > 0.0f ? 1.0f : 0.0f; break;
        case NN_ELU: d = xi > 0.0f ? 1.0f : yi + 1.0f; break;
        case NN_SELU:
            d = xi > 0.0f ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * expf(xi);
            break;
        case NN_GELU:
            d = 0.5f * erfcf(-xi * INV_SQRT2) +
                xi * INV_SQRT_2PI * expf(-0.5f * xi * xi);
            break;
        case NN_SOFTPLUS: d = nn_sigmoidf(xi); break;
        case NN_SOFTSIGN: {
            float t = 1.0f + fabsf(xi);
            d = 1.0f / (t * t);
            break;
        }
        case NN_HARD_SIGMOID:
            d = (xi > -3.0f && xi < 3.0f) ? 1.0f / 6.0f : 0.0f;
            break;
        case NN_SILU: {
            float s = nn_sigmoidf(xi);
            d = s * (1.0f + xi * (1.0f - s));
            break;
        }
        case NN_UNARY_COUNT:
            break;
        }
        gx[i] += gy[i] * d;
    }
}

static nn_status unary_backward(nn_node *node, nn_tensor *out)
{
    nn_tensor *x = node->inputs[0];
    float *gx;
    nn_status s = nn_grad_buffer(&gx, x);
    if (s != NN_OK || !gx)
        return s;
    unary_backward_kernel((nn_unary_kind)node->kind, x->size, x->data,
                          out->data, out->grad->data, gx);
    return NN_OK;
}

nn_status nn_unary(nn_tensor **out, nn_unary_kind kind, nn_tensor *x)
{
    const char *op = unary_names[kind];
    nn_status s;
    *out = NULL;
    if (x->symbolic)
        return nn_tensor_symbolic(out, x->ndim, x->shape);
    if ((s = nn_tensor_new_like(out, x)) != NN_OK)
        return nn_error_context(s, op);
    unary_forward(kind, x->size, x->data, (*out)->data);
    if (nn_needs_grad(1, &x)) {
        nn_node *node;
        if ((s = nn_record(&node, *out, op, unary_backward, 1, &x)) != NN_OK) {
            nn_tensor_release(*out);
            *out = NULL;
            return s;
        }
        node->kind = kind;
    }
    return NN_OK;
}
