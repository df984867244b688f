/* autograd.c - nodes, the backward walk and the gradient check. */
#include "autograd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

static bool grad_mode = true;
static unsigned walk_epoch;

bool nn_grad_enabled(void)
{
    return grad_mode;
}

bool nn_grad_set(bool enabled)
{
    bool old = grad_mode;
    grad_mode = enabled;
    return old;
}

bool nn_needs_grad(int n, nn_tensor *const *inputs)
{
    if (!grad_mode)
        return false;
    for (int i = 0; i < n; i++)
        if (inputs[i] && inputs[i]->requires_grad)
            return true;
    return false;
}

nn_status nn_record(nn_node **node, nn_tensor *out, const char *op,
                    nn_backward_fn backward, int n, nn_tensor *const *inputs)
{
    nn_node *nd = calloc(1, sizeof *nd);
    nn_tensor **in = calloc((size_t)n, sizeof *in);
    if (!nd || !in) {
        free(nd);
        free(in);
        return nn_error(NN_ENOMEM, "%s: out of memory recording a node", op);
    }
    nd->op = op;
    nd->backward = backward;
    nd->ninputs = n;
    nd->inputs = in;
    for (int i = 0; i < n; i++)
        in[i] = nn_tensor_retain(inputs[i]);
    out->node = nd;
    out->requires_grad = true;
    *node = nd;
    return NN_OK;
}

void nn_node_free(nn_node *node)
{
    for (int i = 0; i < node->ninputs; i++)
        nn_tensor_release(node->inputs[i]);
    if (node->ctx_free)
        node->ctx_free(node->ctx);
    free(node->inputs);
    free(node);
}

nn_status nn_grad_buffer(float **g, nn_tensor *t)
{
    *g = NULL;
    if (!t->requires_grad)
        return NN_OK;
    if (!t->grad) {
        nn_status s = nn_tensor_new_like(&t->grad, t);
        if (s != NN_OK)
            return s;
    }
    *g = t->grad->data;
    return NN_OK;
}

void nn_tensor_zero_grad(nn_tensor *t)
{
    if (t->grad)
        memset(t->grad->data, 0, t->grad->size * sizeof(float));
}

/* A growable list of tensors in topological order (inputs first). */
typedef struct {
    nn_tensor **v;
    size_t n, cap;
} tensor_list;

static nn_status list_push(tensor_list *l, nn_tensor *t)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        nn_tensor **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return nn_error(NN_ENOMEM, "backward: out of memory");
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = t;
    return NN_OK;
}

/* Iterative depth-first post-order, so deep graphs (a long chain of ops in
 * a training loop) cannot overflow the C stack. */
static nn_status topo_sort(tensor_list *order, nn_tensor *root)
{
    typedef struct { nn_tensor *t; int next; } frame;
    frame *stack = NULL;
    size_t n = 0, cap = 0;
    nn_status s = NN_OK;

    walk_epoch++;
    root->mark = walk_epoch;
#define PUSH(x)                                                            \
    do {                                                                   \
        if (n == cap) {                                                    \
            size_t c2 = cap ? 2 * cap : 64;                                \
            frame *f2 = realloc(stack, c2 * sizeof *f2);                   \
            if (!f2) { s = nn_error(NN_ENOMEM, "backward: out of memory"); \
                       goto done; }                                        \
            stack = f2; cap = c2;                                          \
        }                                                                  \
        stack[n].t = (x); stack[n].next = 0; n++;                          \
    } while (0)
    PUSH(root);
    while (n > 0) {
        frame *f = &stack[n - 1];
        nn_node *nd = f->t->node;
        if (nd && f->next < nd->ninputs) {
            nn_tensor *in = nd->inputs[f->next++];
            if (in->requires_grad && in->mark != walk_epoch) {
                in->mark = walk_epoch;
                PUSH(in);
            }
        } else {
            if ((s = list_push(order, f->t)) != NN_OK)
                goto done;
            n--;
        }
    }
#undef PUSH
done:
    free(stack);
    return s;
}

nn_status nn_backward(nn_tensor *root, const nn_tensor *grad)
{
    nn_status s;
    float *g;

    if (root->symbolic)
        return nn_error(NN_ESTATE, "backward: a symbolic tensor %s has no "
                        "values; call the model on data first",
                        NN_SHAPE(root));
    if (!root->requires_grad)
        return nn_error(NN_ESTATE, "backward: the tensor does not require "
                        "grad (no input of it was created with "
                        "requires_grad=true)");
    if (grad) {
        if (grad->symbolic)
            return nn_error(NN_EARG, "backward: the grad %s is symbolic; pass "
                            "a tensor with values", NN_SHAPE(grad));
        if (!nn_shape_equal(grad->ndim, grad->shape, root->ndim, root->shape))
            return nn_error(NN_ESHAPE, "backward: grad has shape %s but the "
                            "tensor has shape %s", NN_SHAPE(grad),
                            NN_SHAPE(root));
    } else if (root->size != 1) {
        return nn_error(NN_ESHAPE, "backward: grad can be implicitly created "
                        "only for a tensor of one element, got shape %s; pass "
                        "a grad of that shape", NN_SHAPE(root));
    }

    tensor_list order = {0};
    if ((s = topo_sort(&order, root)) != NN_OK)
        goto done;
    if ((s = nn_grad_buffer(&g, root)) != NN_OK)
        goto done;
    for (size_t i = 0; i < root->size; i++)
        g[i] += grad ? grad->data[i] : 1.0f;

    for (size_t k = order.n; k-- > 0;) {
        nn_tensor *t = order.v[k];
        if (!t->node || !t->grad)
            continue;
        if ((s = nn_check_interrupt("backward")) != NN_OK)
            goto done;
        if ((s = t->node->backward(t->node, t)) != NN_OK) {
            nn_error_context(s, "backward");
            goto done;
        }
        /* an intermediate gradient is not kept once passed on */
        nn_tensor_release(t->grad);
        t->grad = NULL;
    }
done:
    free(order.v);
    return s;
}

/* ---- gradient check ---------------------------------------------------- */

/* loss = sum(out * r): a scalar whose gradient probes every output. */
static nn_status eval_loss(double *loss, nn_tensor **out, nn_gradcheck_fn f,
                           void *ctx, nn_tensor **inputs, const float *r,
                           const nn_tensor *first)
{
    nn_status s = f(ctx, inputs, out);
    if (s != NN_OK)
        return s;
    if ((*out)->symbolic ||
        !nn_shape_equal((*out)->ndim, (*out)->shape, first->ndim, first->shape))
        return nn_error(NN_EARG, "gradcheck: f returned %s%s, its first call "
                        "returned %s", (*out)->symbolic ? "a symbolic " : "",
                        NN_SHAPE(*out), NN_SHAPE(first));
    double acc = 0.0;
    for (size_t i = 0; i < (*out)->size; i++)
        acc += (double)(*out)->data[i] * (r ? r[i] : 1.0);
    *loss = acc;
    return NN_OK;
}

nn_status nn_gradcheck(double *worst, nn_gradcheck_fn f, void *ctx, int n,
                       nn_tensor **inputs, double eps)
{
    nn_tensor *out = NULL, *rt = NULL, *seed = NULL, *first = NULL;
    float *r = NULL;
    double loss, hi, lo;
    nn_status s = NN_OK;
    bool mode = nn_grad_set(true);

    *worst = 0.0;
    /* the inputs' own gradients are put aside and given back at the end */
    nn_tensor **kept = calloc((size_t)n, sizeof *kept);
    if (!kept)
        return nn_error(NN_ENOMEM, "gradcheck: out of memory");
    for (int i = 0; i < n; i++) {
        kept[i] = inputs[i]->grad;
        inputs[i]->grad = NULL;
    }
    for (int i = 0; i < n; i++) {
        if (inputs[i]->symbolic) {
            s = nn_error(NN_EARG, "gradcheck: input %d is symbolic", i + 1);
            goto done;
        }
    }
    /* analytic gradients */
    if ((s = f(ctx, inputs, &out)) != NN_OK)
        goto done;
    if (!out->requires_grad) {
        s = nn_error(NN_EARG, "gradcheck: the result does not depend on any "
                     "input that requires grad");
        goto done;
    }
    if (out->size != 1) {
        /* a fixed projection, the same for every evaluation below */
        if ((s = nn_tensor_new_like(&rt, out)) != NN_OK)
            goto done;
        nn_rng r0;
        nn_rng_seed(&r0, 12345);
        for (size_t i = 0; i < rt->size; i++)
            rt->data[i] = (float)(nn_rng_uniform(&r0) * 2.0 - 1.0);
        r = rt->data;
        seed = rt;
    }
    if ((s = nn_backward(out, seed)) != NN_OK)
        goto done;
    /* the shape of the first result, which every later call must give */
    if ((s = nn_tensor_symbolic(&first, out->ndim, out->shape)) != NN_OK)
        goto done;
    nn_tensor_release(out);
    out = NULL;

    nn_grad_set(false);
    for (int k = 0; k < n; k++) {
        nn_tensor *x = inputs[k];
        if (!x->requires_grad)
            continue;
        for (size_t i = 0; i < x->size; i++) {
            float saved = x->data[i];
            double h = eps * fmax(1.0, fabs((double)saved));
            x->data[i] = (float)(saved + h);
            double hp = (double)x->data[i] - saved; /* the step really taken */
            if ((s = eval_loss(&hi, &out, f, ctx, inputs, r, first)) != NN_OK)
                goto restore;
            nn_tensor_release(out);
            out = NULL;
            x->data[i] = (float)(saved - h);
            double hm = saved - (double)x->data[i];
            if ((s = eval_loss(&lo, &out, f, ctx, inputs, r, first)) != NN_OK)
                goto restore;
            nn_tensor_release(out);
            out = NULL;
            x->data[i] = saved;
            double numeric = (hi - lo) / (hp + hm);
            double analytic = x->grad ? x->grad->data[i] : 0.0;
            double scale = fmax(1.0, fmax(fabs(numeric), fabs(analytic)));
            double err = fabs(numeric - analytic) / scale;
            if (!(err <= *worst)) /* also catches NaN */
                *worst = err;
            continue;
        restore:
            x->data[i] = saved;
            goto done;
        }
    }
    (void)loss;
done:
    nn_grad_set(mode);
    nn_tensor_release(out);
    nn_tensor_release(rt);
    nn_tensor_release(first);
    for (int i = n - 1; i >= 0; i--) { /* reverse: an input given twice */
        nn_tensor_release(inputs[i]->grad);
        inputs[i]->grad = kept[i];
    }
    free(kept);
    return s;
}
