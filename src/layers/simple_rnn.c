/*
 * simple_rnn.c - Keras's SimpleRNN: forward, backpropagation through time,
 * shapes.
 *
 * Weights in Keras's layout: kernel (D, U), recurrent_kernel (U, U),
 * bias (U,). One step, act = tanh by default:
 *   h' = act(x W + h U + b)
 */
#include "simple_rnn.h"

#include <stdlib.h>
#include <string.h>

#include "core/gemm.h"

typedef struct {
    nn_rnn_config cfg;
    nn_rnn_dims d;
    float *m;     /* (T, B) mask */
    float *H;     /* (T+1, B, U) states, H[0] the initial state */
    float *fresh; /* (T, B, U) act(...) of each step, before masking */
    float *rm;    /* (B, U) recurrent dropout mask, or NULL */
    int ibias, ih0;
} simple_rnn_ctx;

static void simple_rnn_ctx_free(void *p)
{
    simple_rnn_ctx *c = p;
    if (!c)
        return;
    free(c->m);
    free(c->H);
    free(c->fresh);
    free(c->rm);
    free(c);
}

nn_status nn_simple_rnn_shape(nn_rnn_dims *d, const nn_tensor *x,
                              const nn_tensor *mask, const nn_tensor *h0,
                              const nn_tensor *kernel,
                              const nn_tensor *recurrent_kernel,
                              const nn_tensor *bias, const nn_rnn_config *cfg)
{
    int64_t u = recurrent_kernel->ndim == 2 ? recurrent_kernel->shape[1] : 0;
    nn_tensor *states[1] = {(nn_tensor *)h0};
    return nn_rnn_check(d, "SimpleRNN", cfg, x, mask, states, 1, kernel,
                        recurrent_kernel, bias, 1, 1, &u);
}

static nn_status simple_rnn_backward(nn_node *node, nn_tensor *seq)
{
    simple_rnn_ctx *c = node->ctx;
    const nn_rnn_dims *d = &c->d;
    nn_tensor *x = node->inputs[0], *kernel = node->inputs[1],
              *rk = node->inputs[2];
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t BU = B * U;
    nn_rnn_grads gr;
    nn_status s = nn_rnn_grads_get(&gr, node, c->ibias, &c->ih0, 1);
    if (s != NN_OK)
        return s;
    float *drk = gr.drecurrent, *dh0 = gr.dstate[0];
    float *dxp = calloc(B * T * U + 1, sizeof *dxp);
    float *da = calloc(BU + 1, sizeof *da), *dh = calloc(BU + 1, sizeof *dh);
    float *dcarry = calloc(BU + 1, sizeof *dcarry);
    float *hmbuf = calloc(BU + 1, sizeof *hmbuf), *dhm = calloc(BU + 1, sizeof *dhm);
    if (!dxp || !da || !dh || !dcarry || !hmbuf || !dhm) {
        s = nn_error(NN_ENOMEM, "SimpleRNN '%s': out of memory", c->cfg.name);
        goto done;
    }
    const float *dseq = seq->grad->data;
    for (int64_t st = (int64_t)T - 1; st >= 0; st--) {
        size_t t = (size_t)nn_rnn_time(d, c->cfg.go_backwards, st);
        const float *hprev = c->H + (size_t)st * BU;
        const float *fresh = c->fresh + (size_t)st * BU;
        nn_rnn_emit_backward(dseq, dcarry, &dh, &da, 1, c->m, st, d,
                             c->cfg.zero_output_for_mask);
        /* da = dh' act'(h') */
        for (size_t k = 0; k < BU; k++)
            da[k] *= nn_rnn_act_grad(c->cfg.activation, fresh[k]);
        for (size_t b = 0; b < B; b++)
            memcpy(dxp + (b * T + t) * U, da + b * U, U * sizeof *da);
        /* a = ... + hm U (hm = h * recurrent mask) */
        const float *hm = nn_rnn_masked_state(hmbuf, hprev, c->rm, BU);
        nn_gemm(false, true, B, U, U, 1.0f, da, U, rk->data, U, 0.0f, dhm, U);
        nn_rnn_add_masked(dh, dhm, c->rm, BU);
        if (drk)
            nn_gemm(true, false, U, U, B, 1.0f, hm, U, da, U, 1.0f, drk, U);
    }
    if (dh0)
        for (size_t k = 0; k < BU; k++)
            dh0[k] += dh[k];
    nn_rnn_project_backward(dxp, x, kernel, gr.dx, gr.dkernel, gr.dbias, d,
                            1);
done:
    free(dxp);
    free(da);
    free(dh);
    free(dcarry);
    free(hmbuf);
    free(dhm);
    return s;
}

nn_status nn_simple_rnn_forward(nn_tensor **seq, nn_tensor *x,
                                nn_tensor *mask, nn_tensor *h0,
                                nn_tensor *kernel,
                                nn_tensor *recurrent_kernel, nn_tensor *bias,
                                const nn_rnn_config *cfg)
{
    nn_rnn_dims dims, *d = &dims;
    nn_status s;
    *seq = NULL;
    if ((s = nn_simple_rnn_shape(d, x, mask, h0, kernel, recurrent_kernel,
                                 bias, cfg)) != NN_OK)
        return s;
    if (x->symbolic || (mask && mask->symbolic) || (h0 && h0->symbolic))
        return nn_rnn_symbolic(seq, d, 1);
    if ((s = nn_rnn_new_seq(seq, "SimpleRNN", cfg, d, 1)) != NN_OK)
        return s;
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t BU = B * U;
    simple_rnn_ctx *c = calloc(1, sizeof *c);
    float *xp = malloc((B * T * U + 1) * sizeof *xp);
    float *prev_out = calloc(BU + 1, sizeof *prev_out);
    float *hmbuf = malloc((BU + 1) * sizeof *hmbuf);
    bool rm_failed = false;
    if (c) {
        c->cfg = *cfg;
        c->cfg.recurrent_mask = NULL; /* copied into c->rm */
        c->rm = nn_rnn_copy_recurrent_mask(cfg, &rm_failed);
        c->d = *d;
        c->m = nn_rnn_mask_steps(mask, d, cfg->go_backwards);
        c->H = calloc((T + 1) * BU + 1, sizeof *c->H);
        c->fresh = malloc((T * BU + 1) * sizeof *c->fresh);
    }
    if (!c || !xp || !prev_out || !hmbuf || rm_failed || !c->m || !c->H ||
        !c->fresh) {
        s = nn_error(NN_ENOMEM, "SimpleRNN '%s': out of memory", cfg->name);
        goto fail;
    }
    if (h0)
        memcpy(c->H, h0->data, BU * sizeof *c->H);
    nn_rnn_project(xp, x, kernel, bias ? bias->data : NULL, d, 1);
    for (size_t st = 0; st < T; st++) {
        size_t t = (size_t)nn_rnn_time(d, cfg->go_backwards, (int64_t)st);
        float *hprev = c->H + st * BU, *hnext = c->H + (st + 1) * BU;
        float *fresh = c->fresh + st * BU;
        if ((s = nn_check_interrupt("SimpleRNN")) != NN_OK)
            goto fail;
        for (size_t b = 0; b < B; b++)
            memcpy(fresh + b * U, xp + (b * T + t) * U, U * sizeof *fresh);
        nn_gemm(false, false, B, U, U, 1.0f,
                nn_rnn_masked_state(hmbuf, hprev, c->rm, BU), U,
                recurrent_kernel->data, U, 1.0f, fresh, U);
        nn_rnn_act_apply(cfg->activation, BU, fresh);
        nn_rnn_emit((*seq)->data, prev_out, &hnext,
                    (const float *const[]){fresh},
                    (const float *const[]){hprev}, 1, c->m, (int64_t)st, d,
                    cfg->zero_output_for_mask);
    }
    free(xp);
    free(prev_out);
    free(hmbuf);
    xp = prev_out = hmbuf = NULL;
    if ((s = nn_rnn_record(*seq, "simple_rnn", simple_rnn_backward, x, kernel,
                           recurrent_kernel, bias, &h0, 1, c,
                           simple_rnn_ctx_free, &c->ibias, &c->ih0)) != NN_OK)
        goto fail;
    return NN_OK;
fail:
    free(xp);
    free(prev_out);
    free(hmbuf);
    simple_rnn_ctx_free(c);
    nn_tensor_release(*seq);
    *seq = NULL;
    return s;
}
