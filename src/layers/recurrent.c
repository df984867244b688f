/* recurrent.c - the parts GRU, LSTM and SimpleRNN share. */
#include "recurrent.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fastmath.h"
#include "core/gemm.h"

static const char *act_names[] = {"linear", "tanh", "sigmoid", "relu",
                                  "hard_sigmoid"};

int nn_rnn_act_lookup(const char *name)
{
    for (int i = 0; i < (int)(sizeof act_names / sizeof *act_names); i++)
        if (strcmp(name, act_names[i]) == 0)
            return i;
    return -1;
}

void nn_rnn_act_apply(nn_rnn_act act, size_t n, float *v)
{
    size_t i;
    switch (act) {
    case NN_RNN_LINEAR:
        break;
    case NN_RNN_TANH:
        for (i = 0; i < n; i++) v[i] = nn_tanhf(v[i]);
        break;
    case NN_RNN_SIGMOID:
        for (i = 0; i < n; i++) v[i] = nn_sigmoidf(v[i]);
        break;
    case NN_RNN_RELU:
        for (i = 0; i < n; i++) v[i] = v[i] > 0.0f ? v[i] : 0.0f;
        break;
    case NN_RNN_HARD_SIGMOID: /* Keras 3: relu6(x + 3) / 6 */
        for (i = 0; i < n; i++)
            v[i] = fminf(fmaxf(v[i] + 3.0f, 0.0f), 6.0f) / 6.0f;
        break;
    }
}

float nn_rnn_act_grad(nn_rnn_act act, float y)
{
    switch (act) {
    case NN_RNN_TANH: return 1.0f - y * y;
    case NN_RNN_SIGMOID: return y * (1.0f - y);
    case NN_RNN_RELU: return y > 0.0f ? 1.0f : 0.0f;
    case NN_RNN_HARD_SIGMOID: return (y > 0.0f && y < 1.0f) ? 1.0f / 6.0f : 0.0f;
    default: return 1.0f;
    }
}

nn_status nn_rnn_check(nn_rnn_dims *d, const char *cls,
                       const nn_rnn_config *cfg, const nn_tensor *x,
                       const nn_tensor *mask, nn_tensor *const *states,
                       int nstates, const nn_tensor *kernel,
                       const nn_tensor *recurrent_kernel,
                       const nn_tensor *bias, int gates, int bias_ndim,
                       const int64_t *bias_shape)
{
    const char *name = cfg->name;
    if (kernel->symbolic || recurrent_kernel->symbolic ||
        (bias && bias->symbolic) ||
        (cfg->recurrent_mask && cfg->recurrent_mask->symbolic))
        return nn_error(NN_EARG, "%s '%s': the weights must be tensors with "
                        "values, not symbolic ones", cls, name);
    if (x->ndim != 3)
        return nn_error(NN_ESHAPE, "%s '%s': expected input of rank 3 "
                        "(batch, time, features), got shape %s", cls, name,
                        NN_SHAPE(x));
    if (kernel->ndim != 2 || recurrent_kernel->ndim != 2)
        return nn_error(NN_ESHAPE, "%s '%s': bad weights %s and %s", cls,
                        name, NN_SHAPE(kernel), NN_SHAPE(recurrent_kernel));
    int64_t units = recurrent_kernel->shape[0];
    if (kernel->shape[1] != gates * units ||
        recurrent_kernel->shape[1] != gates * units)
        return nn_error(NN_ESHAPE, "%s '%s': kernel %s and recurrent_kernel "
                        "%s do not fit %lld units", cls, name,
                        NN_SHAPE(kernel), NN_SHAPE(recurrent_kernel),
                        (long long)units);
    d->batch = x->shape[0];
    d->time = x->shape[1];
    d->features = x->shape[2];
    d->units = units;
    if (d->features != kernel->shape[0])
        return nn_error(NN_ESHAPE, "%s '%s': expected input with %lld "
                        "features (batch, time, %lld), got shape %s", cls,
                        name, (long long)kernel->shape[0],
                        (long long)kernel->shape[0], NN_SHAPE(x));
    if (bias && !nn_shape_equal(bias->ndim, bias->shape, bias_ndim,
                                bias_shape))
        return nn_error(NN_ESHAPE, "%s '%s': bias must be %s, got %s", cls,
                        name, nn_shape_str(bias_ndim, bias_shape),
                        NN_SHAPE(bias));
    if (mask) {
        bool ok = mask->ndim == 2;
        for (int i = 0; ok && i < 2; i++)
            ok = mask->shape[i] == x->shape[i] || mask->shape[i] == NN_NONE ||
                 x->shape[i] == NN_NONE;
        if (!ok)
            return nn_error(NN_ESHAPE, "%s '%s': the mask must be (batch, "
                            "time) = %s, got %s", cls, name,
                            nn_shape_str(2, x->shape), NN_SHAPE(mask));
    }
    const nn_tensor *rm = cfg->recurrent_mask;
    if (rm && !(rm->ndim == 2 && rm->shape[1] == units &&
                (rm->shape[0] == d->batch || d->batch == NN_NONE)))
        return nn_error(NN_ESHAPE, "%s '%s': the recurrent dropout mask must "
                        "be %s, got %s", cls, name,
                        nn_shape_str(2, (int64_t[]){d->batch, units}),
                        NN_SHAPE(rm));
    for (int i = 0; i < nstates; i++) {
        const nn_tensor *s = states[i];
        if (!s)
            continue;
        int64_t want[2] = {d->batch, units};
        bool ok = s->ndim == 2 && s->shape[1] == units &&
                  (s->shape[0] == d->batch || s->shape[0] == NN_NONE ||
                   d->batch == NN_NONE);
        if (!ok)
            return nn_error(NN_ESHAPE, "%s '%s': initial state %d must be "
                            "%s, got %s", cls, name, i + 1,
                            nn_shape_str(2, want), NN_SHAPE(s));
    }
    return NN_OK;
}

nn_status nn_rnn_symbolic(nn_tensor **seq, const nn_rnn_dims *d, int nstates)
{
    int64_t shape[3] = {d->batch, d->time, (1 + nstates) * d->units};
    return nn_tensor_symbolic(seq, 3, shape);
}

void nn_rnn_project(float *xp, const nn_tensor *x, const nn_tensor *kernel,
                    const float *bias_row, const nn_rnn_dims *d, int gates)
{
    size_t rows = (size_t)(d->batch * d->time), g = (size_t)(gates * d->units);
    if (bias_row)
        for (size_t r = 0; r < rows; r++)
            memcpy(xp + r * g, bias_row, g * sizeof *xp);
    nn_gemm(false, false, rows, g, (size_t)d->features, 1.0f, x->data,
            (size_t)d->features, kernel->data, g, bias_row ? 1.0f : 0.0f, xp,
            g);
}

void nn_rnn_colsum(float *out, const float *a, size_t rows, size_t n)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < n; j++)
            out[j] += a[r * n + j];
}

void nn_rnn_project_backward(const float *dxp, const nn_tensor *x,
                             const nn_tensor *kernel, float *dx,
                             float *dkernel, float *dbias_row,
                             const nn_rnn_dims *d, int gates)
{
    size_t rows = (size_t)(d->batch * d->time), g = (size_t)(gates * d->units);
    size_t D = (size_t)d->features;
    if (dx)
        nn_gemm(false, true, rows, D, g, 1.0f, dxp, g, kernel->data, g, 1.0f,
                dx, D);
    if (dkernel)
        nn_gemm(true, false, D, g, rows, 1.0f, x->data, D, dxp, g, 1.0f,
                dkernel, g);
    if (dbias_row)
        nn_rnn_colsum(dbias_row, dxp, rows, g);
}

float *nn_rnn_mask_steps(const nn_tensor *mask, const nn_rnn_dims *d,
                         bool go_backwards)
{
    size_t B = (size_t)d->batch, T = (size_t)d->time;
    float *m = malloc((B * T + 1) * sizeof *m);
    if (!m)
        return NULL;
    for (size_t s = 0; s < T; s++)
        for (size_t b = 0; b < B; b++) {
            size_t t = (size_t)nn_rnn_time(d, go_backwards, (int64_t)s);
            m[s * B + b] = mask ? (mask->data[b * T + t] != 0.0f) : 1.0f;
        }
    return m;
}

void nn_rnn_emit(float *seq, float *prev_out, float *const *states,
                 const float *const *fresh, const float *const *prev,
                 int nstates, const float *m, int64_t s,
                 const nn_rnn_dims *d, bool zero)
{
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t width = (size_t)(1 + nstates) * U;
    for (size_t b = 0; b < B; b++) {
        bool keep = m[(size_t)s * B + b] != 0.0f;
        float *row = seq + (b * T + (size_t)s) * width;
        for (size_t u = 0; u < U; u++) {
            size_t k = b * U + u;
            for (int i = 0; i < nstates; i++) {
                states[i][k] = keep ? fresh[i][k] : prev[i][k];
                row[(size_t)(1 + i) * U + u] = states[i][k];
            }
            prev_out[k] = keep ? fresh[0][k] : (zero ? 0.0f : prev_out[k]);
            row[u] = prev_out[k];
        }
    }
}

void nn_rnn_emit_backward(const float *dseq, float *dout_carry,
                          float *const *dstate, float *const *dfresh,
                          int nstates, const float *m, int64_t s,
                          const nn_rnn_dims *d, bool zero)
{
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t width = (size_t)(1 + nstates) * U;
    for (size_t b = 0; b < B; b++) {
        bool keep = m[(size_t)s * B + b] != 0.0f;
        const float *row = dseq + (b * T + (size_t)s) * width;
        for (size_t u = 0; u < U; u++) {
            size_t k = b * U + u;
            float dout = row[u] + dout_carry[k];
            for (int i = 0; i < nstates; i++) {
                float g = row[(size_t)(1 + i) * U + u] + dstate[i][k];
                /* out = fresh_0 and state_i = fresh_i on a kept step */
                dfresh[i][k] = keep ? g + (i == 0 ? dout : 0.0f) : 0.0f;
                dstate[i][k] = keep ? 0.0f : g;
            }
            dout_carry[k] = keep || zero ? 0.0f : dout;
        }
    }
}

nn_status nn_rnn_new_seq(nn_tensor **seq, const char *cls,
                         const nn_rnn_config *cfg, const nn_rnn_dims *d,
                         int nstates)
{
    int64_t shape[3] = {d->batch, d->time, (1 + nstates) * d->units};
    nn_status s = nn_tensor_new(seq, 3, shape);
    if (s != NN_OK) {
        char who[96];
        snprintf(who, sizeof who, "%s '%s'", cls, cfg->name);
        nn_error_context(s, who);
    }
    return s;
}

nn_status nn_rnn_record(nn_tensor *seq, const char *op,
                        nn_backward_fn backward, nn_tensor *x,
                        nn_tensor *kernel, nn_tensor *recurrent_kernel,
                        nn_tensor *bias, nn_tensor *const *states,
                        int nstates, void *ctx, void (*ctx_free)(void *),
                        int *ibias, int *istate)
{
    nn_tensor *in[3 + 1 + 2] = {x, kernel, recurrent_kernel};
    int n = 3;
    *ibias = bias ? n : -1;
    if (bias)
        in[n++] = bias;
    for (int i = 0; i < nstates; i++) {
        istate[i] = states[i] ? n : -1;
        if (states[i])
            in[n++] = states[i];
    }
    if (!nn_needs_grad(n, in)) {
        ctx_free(ctx);
        return NN_OK;
    }
    nn_node *node;
    nn_status s = nn_record(&node, seq, op, backward, n, in);
    if (s != NN_OK)
        return s;
    node->ctx = ctx;
    node->ctx_free = ctx_free;
    return NN_OK;
}

nn_status nn_rnn_grads_get(nn_rnn_grads *g, nn_node *node, int ibias,
                           const int *istate, int nstates)
{
    nn_status s;
    memset(g, 0, sizeof *g);
    if ((s = nn_grad_buffer(&g->dx, node->inputs[0])) != NN_OK ||
        (s = nn_grad_buffer(&g->dkernel, node->inputs[1])) != NN_OK ||
        (s = nn_grad_buffer(&g->drecurrent, node->inputs[2])) != NN_OK)
        return s;
    if (ibias >= 0 &&
        (s = nn_grad_buffer(&g->dbias, node->inputs[ibias])) != NN_OK)
        return s;
    for (int i = 0; i < nstates; i++)
        if (istate[i] >= 0 &&
            (s = nn_grad_buffer(&g->dstate[i], node->inputs[istate[i]])) !=
                NN_OK)
            return s;
    return NN_OK;
}

float *nn_rnn_copy_recurrent_mask(const nn_rnn_config *cfg, bool *failed)
{
    const nn_tensor *rm = cfg->recurrent_mask;
    if (!rm || rm->symbolic)
        return NULL;
    float *copy = malloc((rm->size + 1) * sizeof *copy);
    if (!copy) {
        *failed = true;
        return NULL;
    }
    memcpy(copy, rm->data, rm->size * sizeof *copy);
    return copy;
}

const float *nn_rnn_masked_state(float *buf, const float *h,
                                 const float *rmask, size_t n)
{
    if (!rmask)
        return h;
    for (size_t k = 0; k < n; k++)
        buf[k] = h[k] * rmask[k];
    return buf;
}

void nn_rnn_add_masked(float *dh, const float *dhm, const float *rmask,
                       size_t n)
{
    if (rmask)
        for (size_t k = 0; k < n; k++)
            dh[k] += dhm[k] * rmask[k];
    else
        for (size_t k = 0; k < n; k++)
            dh[k] += dhm[k];
}
