/*
 * lstm.c - Keras's LSTM: forward, backpropagation through time, shapes.
 *
 * Weights in Keras's layout, gate columns i | f | c | o:
 *   kernel (D, 4U), recurrent_kernel (U, 4U), bias (4U,)
 *   (unit_forget_bias puts ones in the f block at initialization).
 * One step, with act = tanh and ract = sigmoid by default:
 *   a = x W + h U + b
 *   i = ract(a_i), f = ract(a_f), g = act(a_c), o = ract(a_o)
 *   c' = f * c + i * g
 *   h' = o * act(c')
 */
#include "lstm.h"

#include <stdlib.h>
#include <string.h>

#include "core/gemm.h"

typedef struct {
    nn_rnn_config cfg;
    nn_rnn_dims d;
    float *m;     /* (T, B) mask */
    float *H, *C; /* (T+1, B, U) states; [0] the initial ones */
    float *gates; /* (T, B, 4U) i | f | g | o after their activations */
    float *tc;    /* (T, B, U) act(c') of the fresh c' */
    float *rm;    /* (B, U) recurrent dropout mask, or NULL */
    int ibias, istate[2];
} lstm_ctx;

static void lstm_ctx_free(void *p)
{
    lstm_ctx *c = p;
    if (!c)
        return;
    free(c->m);
    free(c->H);
    free(c->C);
    free(c->gates);
    free(c->tc);
    free(c->rm);
    free(c);
}

nn_status nn_lstm_shape(nn_rnn_dims *d, const nn_tensor *x,
                        const nn_tensor *mask, const nn_tensor *h0,
                        const nn_tensor *c0, const nn_tensor *kernel,
                        const nn_tensor *recurrent_kernel,
                        const nn_tensor *bias, const nn_rnn_config *cfg)
{
    int64_t u4 = recurrent_kernel->ndim == 2 ? recurrent_kernel->shape[1] : 0;
    nn_tensor *states[2] = {(nn_tensor *)h0, (nn_tensor *)c0};
    return nn_rnn_check(d, "LSTM", cfg, x, mask, states, 2, kernel,
                        recurrent_kernel, bias, 4, 1, &u4);
}

static nn_status lstm_backward(nn_node *node, nn_tensor *seq)
{
    lstm_ctx *c = node->ctx;
    const nn_rnn_dims *d = &c->d;
    nn_tensor *x = node->inputs[0], *kernel = node->inputs[1],
              *rk = node->inputs[2];
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t BU = B * U, G = 4 * U;
    nn_rnn_act act = c->cfg.activation, ract = c->cfg.recurrent_activation;
    nn_rnn_grads gr;
    nn_status s = nn_rnn_grads_get(&gr, node, c->ibias, c->istate, 2);
    if (s != NN_OK)
        return s;
    float *drk = gr.drecurrent, *dh0 = gr.dstate[0], *dc0 = gr.dstate[1];

    /* dxp (B, T, 4U) and da (B, 4U): gradients of the gate inputs */
    float *dxp = calloc(B * T * G + 1, sizeof *dxp);
    float *da = calloc(B * G + 1, sizeof *da);
    float *dh = calloc(BU + 1, sizeof *dh), *dc = calloc(BU + 1, sizeof *dc);
    float *dcarry = calloc(BU + 1, sizeof *dcarry);
    float *dfh = calloc(BU + 1, sizeof *dfh), *dfc = calloc(BU + 1, sizeof *dfc);
    float *hmbuf = calloc(BU + 1, sizeof *hmbuf), *dhm = calloc(BU + 1, sizeof *dhm);
    if (!dxp || !da || !dh || !dc || !dcarry || !dfh || !dfc || !hmbuf || !dhm) {
        s = nn_error(NN_ENOMEM, "LSTM '%s': out of memory", c->cfg.name);
        goto done;
    }
    const float *dseq = seq->grad->data;
    for (int64_t st = (int64_t)T - 1; st >= 0; st--) {
        size_t t = (size_t)nn_rnn_time(d, c->cfg.go_backwards, st);
        const float *hprev = c->H + (size_t)st * BU;
        const float *cprev = c->C + (size_t)st * BU;
        const float *gates = c->gates + (size_t)st * B * G;
        const float *tc = c->tc + (size_t)st * BU;
        nn_rnn_emit_backward(dseq, dcarry, (float *const[]){dh, dc},
                             (float *const[]){dfh, dfc}, 2, c->m, st, d,
                             c->cfg.zero_output_for_mask);
        for (size_t b = 0; b < B; b++)
            for (size_t u = 0; u < U; u++) {
                size_t k = b * U + u;
                const float *gr = gates + b * G;
                float i = gr[u], f = gr[U + u], g = gr[2 * U + u],
                      o = gr[3 * U + u];
                /* h' = o act(c'), c' = f c + i g */
                float dct = dfc[k] + dfh[k] * o * nn_rnn_act_grad(act, tc[k]);
                float *ga = da + b * G;
                ga[u] = dct * g * nn_rnn_act_grad(ract, i);
                ga[U + u] = dct * cprev[k] * nn_rnn_act_grad(ract, f);
                ga[2 * U + u] = dct * i * nn_rnn_act_grad(act, g);
                ga[3 * U + u] = dfh[k] * tc[k] * nn_rnn_act_grad(ract, o);
                dc[k] += dct * f;
            }
        for (size_t b = 0; b < B; b++)
            memcpy(dxp + (b * T + t) * G, da + b * G, G * sizeof *da);
        /* a = ... + hm U (hm = h * recurrent mask): dh += (da U^T) mask,
         * dU += hm^T da */
        const float *hm = nn_rnn_masked_state(hmbuf, hprev, c->rm, BU);
        nn_gemm(false, true, B, U, G, 1.0f, da, G, rk->data, G, 0.0f, dhm, U);
        nn_rnn_add_masked(dh, dhm, c->rm, BU);
        if (drk)
            nn_gemm(true, false, U, G, B, 1.0f, hm, U, da, G, 1.0f, drk, G);
    }
    if (dh0)
        for (size_t k = 0; k < BU; k++)
            dh0[k] += dh[k];
    if (dc0)
        for (size_t k = 0; k < BU; k++)
            dc0[k] += dc[k];
    nn_rnn_project_backward(dxp, x, kernel, gr.dx, gr.dkernel, gr.dbias, d,
                            4);
done:
    free(dxp);
    free(da);
    free(dh);
    free(dc);
    free(dcarry);
    free(dfh);
    free(dfc);
    free(hmbuf);
    free(dhm);
    return s;
}

nn_status nn_lstm_forward(nn_tensor **seq, nn_tensor *x, nn_tensor *mask,
                          nn_tensor *h0, nn_tensor *c0, nn_tensor *kernel,
                          nn_tensor *recurrent_kernel, nn_tensor *bias,
                          const nn_rnn_config *cfg)
{
    nn_rnn_dims dims, *d = &dims;
    nn_status s;
    *seq = NULL;
    if ((s = nn_lstm_shape(d, x, mask, h0, c0, kernel, recurrent_kernel, bias,
                           cfg)) != NN_OK)
        return s;
    if (x->symbolic || (mask && mask->symbolic) || (h0 && h0->symbolic) ||
        (c0 && c0->symbolic))
        return nn_rnn_symbolic(seq, d, 2);
    if ((s = nn_rnn_new_seq(seq, "LSTM", cfg, d, 2)) != NN_OK)
        return s;
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t BU = B * U, G = 4 * U;
    lstm_ctx *c = calloc(1, sizeof *c);
    float *xp = malloc((B * T * G + 1) * sizeof *xp);
    float *fh = malloc((BU + 1) * sizeof *fh), *fc = malloc((BU + 1) * sizeof *fc);
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
        c->C = calloc((T + 1) * BU + 1, sizeof *c->C);
        c->gates = malloc((T * B * G + 1) * sizeof *c->gates);
        c->tc = malloc((T * BU + 1) * sizeof *c->tc);
    }
    if (!c || !xp || !fh || !fc || !prev_out || !hmbuf || rm_failed || !c->m ||
        !c->H || !c->C || !c->gates || !c->tc) {
        s = nn_error(NN_ENOMEM, "LSTM '%s': out of memory", cfg->name);
        goto fail;
    }
    if (h0)
        memcpy(c->H, h0->data, BU * sizeof *c->H);
    if (c0)
        memcpy(c->C, c0->data, BU * sizeof *c->C);
    nn_rnn_project(xp, x, kernel, bias ? bias->data : NULL, d, 4);

    for (size_t st = 0; st < T; st++) {
        size_t t = (size_t)nn_rnn_time(d, cfg->go_backwards, (int64_t)st);
        float *hprev = c->H + st * BU, *cprev = c->C + st * BU;
        float *gates = c->gates + st * B * G, *tc = c->tc + st * BU;
        if ((s = nn_check_interrupt("LSTM")) != NN_OK)
            goto fail;
        /* gates (B, 4U) = x W + b (precomputed) + h U */
        for (size_t b = 0; b < B; b++)
            memcpy(gates + b * G, xp + (b * T + t) * G, G * sizeof *gates);
        nn_gemm(false, false, B, G, U, 1.0f,
                nn_rnn_masked_state(hmbuf, hprev, c->rm, BU), U,
                recurrent_kernel->data, G, 1.0f, gates, G);
        for (size_t b = 0; b < B; b++) {
            float *gr = gates + b * G;
            nn_rnn_act_apply(cfg->recurrent_activation, 2 * U, gr);
            nn_rnn_act_apply(cfg->activation, U, gr + 2 * U);
            nn_rnn_act_apply(cfg->recurrent_activation, U, gr + 3 * U);
            for (size_t u = 0; u < U; u++) {
                size_t k = b * U + u;
                fc[k] = gr[U + u] * cprev[k] + gr[u] * gr[2 * U + u];
                tc[k] = fc[k];
            }
        }
        nn_rnn_act_apply(cfg->activation, BU, tc);
        for (size_t b = 0; b < B; b++)
            for (size_t u = 0; u < U; u++)
                fh[b * U + u] = gates[b * G + 3 * U + u] * tc[b * U + u];
        nn_rnn_emit((*seq)->data, prev_out,
                    (float *const[]){c->H + (st + 1) * BU, c->C + (st + 1) * BU},
                    (const float *const[]){fh, fc},
                    (const float *const[]){hprev, cprev}, 2, c->m,
                    (int64_t)st, d, cfg->zero_output_for_mask);
    }
    free(xp);
    free(fh);
    free(fc);
    free(prev_out);
    free(hmbuf);
    xp = fh = fc = prev_out = hmbuf = NULL;
    if ((s = nn_rnn_record(*seq, "lstm", lstm_backward, x, kernel,
                           recurrent_kernel, bias,
                           (nn_tensor *const[]){h0, c0}, 2, c, lstm_ctx_free,
                           &c->ibias, c->istate)) != NN_OK)
        goto fail;
    return NN_OK;
fail:
    free(xp);
    free(fh);
    free(fc);
    free(prev_out);
    free(hmbuf);
    lstm_ctx_free(c);
    nn_tensor_release(*seq);
    *seq = NULL;
    return s;
}
