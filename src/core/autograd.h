/*
 * autograd.h - define-by-run reverse-mode differentiation.
 *
 * When grad mode is on and an input of an op requires grad, the op attaches
 * a node to its result: the inputs (retained), a backward function and what
 * that function needs. nn_backward() walks the nodes from a root in reverse
 * topological order; each backward function *adds* into the gradients of the
 * inputs that require grad. Gradients of leaves accumulate across calls
 * until nn_tensor_zero_grad(); those of intermediate results are dropped
 * once passed on.
 */
#ifndef NN_AUTOGRAD_H
#define NN_AUTOGRAD_H

#include "tensor.h"

/* Adds d(loss)/d(inputs) given out->grad. */
typedef nn_status (*nn_backward_fn)(nn_node *node, nn_tensor *out);

struct nn_node {
    const char *op;           /* name shown as grad_fn */
    nn_backward_fn backward;
    int ninputs;
    nn_tensor **inputs;       /* retained */
    int kind;                 /* op variant (unary kind, reduce kind, ...) */
    int64_t iarg[2 * NN_MAXDIM]; /* small integer arguments (axes, perm) */
    float farg[4];
    void *ctx;                /* extra state, freed with ctx_free */
    void (*ctx_free)(void *);
};

/* Grad mode (on by default). nn_grad_set returns the previous mode. */
bool nn_grad_enabled(void);
bool nn_grad_set(bool enabled);

/* True when a result of these inputs must record a node. */
bool nn_needs_grad(int n, nn_tensor *const *inputs);

/* Attaches a new node to out (which then requires grad) and returns it in
 * *node so the op can fill its arguments. On NN_ENOMEM out is unchanged. */
nn_status nn_record(nn_node **node, nn_tensor *out, const char *op,
                    nn_backward_fn backward, int n, nn_tensor *const *inputs);

/* The gradient buffer of t, created as zeros if needed; NULL (and NN_OK)
 * when t does not require grad, so backward functions can skip it. */
nn_status nn_grad_buffer(float **g, nn_tensor *t);

/* Backpropagates from root. grad may be NULL for a one-element root (seed
 * 1), otherwise it must have root's shape. */
nn_status nn_backward(nn_tensor *root, const nn_tensor *grad);

void nn_tensor_zero_grad(nn_tensor *t);

/* Frees a node and releases its inputs (called when its tensor dies). */
void nn_node_free(nn_node *node);

/* Compares autograd with central finite differences. f maps the inputs to
 * a tensor; a non-scalar result is reduced to sum(result * r) with a fixed
 * random r. *worst gets the largest error
 *     |analytic - numeric| / max(1, |analytic|, |numeric|)
 * over every element of every input that requires grad. */
typedef nn_status (*nn_gradcheck_fn)(void *ctx, nn_tensor **inputs,
                                     nn_tensor **out);
nn_status nn_gradcheck(double *worst, nn_gradcheck_fn f, void *ctx, int n,
                       nn_tensor **inputs, double eps);

#endif
