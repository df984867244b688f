/*
 * gru.c - Keras's GRU: forward, backpropagation through time, shapes.
 *
 * Weights in Keras's layout, gate columns z | r | h:
 *   kernel (D, 3U), recurrent_kernel (U, 3U),
 *   bias (2, 3U) with reset_after (row 0 input, row 1 recurrent), else (3U,).
 * One step, with act = tanh and ract = sigmoid by default:
 *   z  = ract(x W_z + b_z + h U_z [+ rb_z])
 *   r  = ract(x W_r + b_r + h U_r [+ rb_r])
 *   reset_after:  hh = act(x W_h + b_h + r * (h U_h + rb_h))
 *   otherwise:    hh = act(x W_h + b_h + (r * h) U_h)
 *   h' = z * h + (1 - z) * hh
 * With recurrent dropout, h is multiplied by the dropout mask where it
 * enters a product with U (not in z * h).
 */
#include "gru.h"

#include <stdlib.h>
#include <string.h>

#include "core/autograd.h"
#include "core/gemm.h"

/* What the backward pass needs, in processing order. */
typedef struct {
    nn_rnn_config cfg;
    nn_rnn_dims d;
    float *m;   /* (T, B) mask */
    float *H;   /* (T+1, B, U) states, H[0] the initial state */
    float *z, *r, *hh; /* (T, B, U) gate outputs */
    float *aux; /* (T, B, U): h U_h + rb_h (reset_after) or r * h */
    float *rm;  /* (B, U) recurrent dropout mask, or NULL */
    int ibias, ih0; /* input indices of bias and h0, -1 if absent */
} gru_ctx;

static void gru_ctx_free(void *p)
{
    gru_ctx *c = p;
    if (!c)
        return;
    free(c->m);
    free(c->H);
    free(c->z);
    free(c->r);
    free(c->hh);
    free(c->aux);
    free(c->rm);
    free(c);
}

nn_status nn_gru_shape(nn_rnn_dims *d, const nn_tensor *x,
                       const nn_tensor *mask, const nn_tensor *h0,
                       const nn_tensor *kernel,
                       const nn_tensor *recurrent_kernel,
                       const nn_tensor *bias, const nn_rnn_config *cfg)
{
    int64_t u3 = recurrent_kernel->ndim == 2 ? recurrent_kernel->shape[1] : 0;
    int64_t bshape[2] = {2, u3};
    nn_tensor *states[1] = {(nn_tensor *)h0};
    if (!cfg->reset_after)
        bshape[0] = u3;
    return nn_rnn_check(d, "GRU", cfg, x, mask, states, 1, kernel,
                        recurrent_kernel, bias, 3, cfg->reset_after ? 2 : 1,
                        bshape);
}

static nn_status gru_backward(nn_node *node, nn_tensor *seq)
{
    gru_ctx *c = node->ctx;
    const nn_rnn_dims *d = &c->d;
    nn_tensor *x = node->inputs[0], *kernel = node->inputs[1],
              *rk = node->inputs[2];
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t BU = B * U, G = 3 * U;
    bool ra = c->cfg.reset_after;
    nn_rnn_grads gr;
    nn_status s = nn_rnn_grads_get(&gr, node, c->ibias, &c->ih0, 1);
    if (s != NN_OK)
        return s;
    float *drk = gr.drecurrent, *dbias = gr.dbias, *dh0 = gr.dstate[0];

    /* dxp (B, T, 3U): gradients of the input projections; dhp (B, 3U):
     * of the recurrent products; dh (B, U): of the state before a step */
    float *dxp = calloc(B * T * G + 1, sizeof *dxp);
    float *dhp = calloc(B * G + 1, sizeof *dhp);
    float *dh = calloc(BU + 1, sizeof *dh);
    float *dcarry = calloc(BU + 1, sizeof *dcarry);
    float *dfresh = calloc(BU + 1, sizeof *dfresh);
    float *drh = calloc(BU + 1, sizeof *drh);
    /* hm = h * recurrent mask, what entered the products; dhm its grad */
    float *hmbuf = calloc(BU + 1, sizeof *hmbuf);
    float *dhm = calloc(BU + 1, sizeof *dhm);
    if (!dxp || !dhp || !dh || !dcarry || !dfresh || !drh || !hmbuf || !dhm) {
        s = nn_error(NN_ENOMEM, "GRU '%s': out of memory", c->cfg.name);
        goto done;
    }
    const float *dseq = seq->grad->data;
    for (int64_t st = (int64_t)T - 1; st >= 0; st--) {
        size_t t = (size_t)nn_rnn_time(d, c->cfg.go_backwards, st);
        const float *hprev = c->H + (size_t)st * BU;
        const float *z = c->z + (size_t)st * BU, *r = c->r + (size_t)st * BU,
                    *hh = c->hh + (size_t)st * BU,
                    *aux = c->aux + (size_t)st * BU;
        const float *hm = nn_rnn_masked_state(hmbuf, hprev, c->rm, BU);
        nn_rnn_emit_backward(dseq, dcarry, &dh, &dfresh, 1, c->m, st, d,
                             c->cfg.zero_output_for_mask);
        /* h' = z h + (1 - z) hh:
         *   dz = dh' (h - hh), dhh = dh' (1 - z), dh += dh' z */
        for (size_t b = 0; b < B; b++)
            for (size_t u = 0; u < U; u++) {
                size_t k = b * U + u;
                float dn = dfresh[k];
                float dz = dn * (hprev[k] - hh[k]);
                float dah = dn * (1.0f - z[k]) *
                            nn_rnn_act_grad(c->cfg.activation, hh[k]);
                dh[k] += dn * z[k];
                float *gx = dxp + (b * T + t) * G, *gh = dhp + b * G;
                gx[u] = gh[u] =
                    dz * nn_rnn_act_grad(c->cfg.recurrent_activation, z[k]);
                gx[2 * U + u] = dah;
                if (ra) {
                    /* a_h = xh + r * aux: dr = da_h aux, d aux = da_h r */
                    gh[2 * U + u] = dah * r[k];
                    gx[U + u] = gh[U + u] =
                        dah * aux[k] *
                        nn_rnn_act_grad(c->cfg.recurrent_activation, r[k]);
                } else {
                    drh[k] = dah; /* da_h, turned into d(r h) below */
                }
            }
        if (ra) {
            /* hp = hm U (+ rb): dhm = dhp U^T, dU += hm^T dhp */
            nn_gemm(false, true, B, U, G, 1.0f, dhp, G, rk->data, G, 0.0f, dhm,
                    U);
            nn_rnn_add_masked(dh, dhm, c->rm, BU);
            if (drk)
                nn_gemm(true, false, U, G, B, 1.0f, hm, U, dhp, G, 1.0f, drk,
                        G);
            if (dbias)
                nn_rnn_colsum(dbias + G, dhp, B, G);
            continue;
        }
        /* a_h = xh + (r hm) U_h: dU_h += (r hm)^T da_h, d(r hm) = da_h U_h^T */
        if (drk)
            nn_gemm(true, false, U, U, B, 1.0f, aux, U, drh, U, 1.0f,
                    drk + 2 * U, G);
        float *dah_copy = dfresh; /* dfresh is free now: keep da_h there */
        memcpy(dah_copy, drh, BU * sizeof *drh);
        nn_gemm(false, true, B, U, U, 1.0f, dah_copy, U, rk->data + 2 * U, G,
                0.0f, drh, U);
        for (size_t b = 0; b < B; b++)
            for (size_t u = 0; u < U; u++) {
                size_t k = b * U + u;
                float dar = drh[k] * hm[k] *
                            nn_rnn_act_grad(c->cfg.recurrent_activation, r[k]);
                dhm[k] = drh[k] * r[k];
                dxp[(b * T + t) * G + U + u] = dar;
                dhp[b * G + U + u] = dar;
            }
        /* [z r] = ... + hm U_zr: dhm += dhp_zr U_zr^T, dU_zr += hm^T dhp_zr */
        nn_gemm(false, true, B, U, 2 * U, 1.0f, dhp, G, rk->data, G, 1.0f, dhm,
                U);
        nn_rnn_add_masked(dh, dhm, c->rm, BU);
        if (drk)
            nn_gemm(true, false, U, 2 * U, B, 1.0f, hm, U, dhp, G, 1.0f, drk,
                    G);
    }
    if (dh0)
        for (size_t k = 0; k < BU; k++)
            dh0[k] += dh[k];
    nn_rnn_project_backward(dxp, x, kernel, gr.dx, gr.dkernel, dbias, d, 3);
done:
    free(dxp);
    free(dhp);
    free(dh);
    free(dcarry);
    free(dfresh);
    free(drh);
    free(hmbuf);
    free(dhm);
    return s;
}

nn_status nn_gru_forward(nn_tensor **seq, nn_tensor *x, nn_tensor *mask,
                         nn_tensor *h0, nn_tensor *kernel,
                         nn_tensor *recurrent_kernel, nn_tensor *bias,
                         const nn_rnn_config *cfg)
{
    nn_rnn_dims dims, *d = &dims;
    nn_status s;
    *seq = NULL;
    if ((s = nn_gru_shape(d, x, mask, h0, kernel, recurrent_kernel, bias,
                          cfg)) != NN_OK)
        return s;
    if (x->symbolic || (mask && mask->symbolic) || (h0 && h0->symbolic))
        return nn_rnn_symbolic(seq, d, 1);
    if ((s = nn_rnn_new_seq(seq, "GRU", cfg, d, 1)) != NN_OK)
        return s;
    size_t B = (size_t)d->batch, T = (size_t)d->time, U = (size_t)d->units;
    size_t BU = B * U, G = 3 * U;
    bool ra = cfg->reset_after;
    const float *rb = bias && ra ? bias->data + G : NULL;
    gru_ctx *c = calloc(1, sizeof *c);
    float *xp = malloc((B * T * G + 1) * sizeof *xp);
    float *hp = malloc((B * G + 1) * sizeof *hp);
    float *fresh = malloc((BU + 1) * sizeof *fresh);
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
        c->z = malloc((T * BU + 1) * sizeof *c->z);
        c->r = malloc((T * BU + 1) * sizeof *c->r);
        c->hh = malloc((T * BU + 1) * sizeof *c->hh);
        c->aux = malloc((T * BU + 1) * sizeof *c->aux);
    }
    if (!c || !xp || !hp || !fresh || !prev_out || !hmbuf || rm_failed ||
        !c->m || !c->H || !c->z || !c->r || !c->hh || !c->aux) {
        s = nn_error(NN_ENOMEM, "GRU '%s': out of memory", cfg->name);
        goto fail;
    }
    if (h0)
        memcpy(c->H, h0->data, BU * sizeof *c->H);
    nn_rnn_project(xp, x, kernel, bias ? bias->data : NULL, d, 3);

    for (size_t st = 0; st < T; st++) {
        size_t t = (size_t)nn_rnn_time(d, cfg->go_backwards, (int64_t)st);
        float *hprev = c->H + st * BU, *hnext = c->H + (st + 1) * BU;
        float *z = c->z + st * BU, *r = c->r + st * BU, *hh = c->hh + st * BU,
              *aux = c->aux + st * BU;
        if ((s = nn_check_interrupt("GRU")) != NN_OK)
            goto fail;
        /* hm = h, times the recurrent dropout mask if any;
         * hp (B, 3U) = hm U (+ rb); without reset_after only the z|r part */
        const float *hm = nn_rnn_masked_state(hmbuf, hprev, c->rm, BU);
        if (rb)
            for (size_t b = 0; b < B; b++)
                memcpy(hp + b * G, rb, G * sizeof *hp);
        nn_gemm(false, false, B, ra ? G : 2 * U, U, 1.0f, hm, U,
                recurrent_kernel->data, G, rb ? 1.0f : 0.0f, hp, G);
        for (size_t b = 0; b < B; b++) {
            const float *xr = xp + (b * T + t) * G;
            for (size_t u = 0; u < U; u++) {
                z[b * U + u] = xr[u] + hp[b * G + u];
                r[b * U + u] = xr[U + u] + hp[b * G + U + u];
            }
        }
        nn_rnn_act_apply(cfg->recurrent_activation, BU, z);
        nn_rnn_act_apply(cfg->recurrent_activation, BU, r);
        if (ra) {
            for (size_t b = 0; b < B; b++)
                for (size_t u = 0; u < U; u++) {
                    size_t k = b * U + u;
                    aux[k] = hp[b * G + 2 * U + u];
                    hh[k] = xp[(b * T + t) * G + 2 * U + u] + r[k] * aux[k];
                }
        } else {
            for (size_t k = 0; k < BU; k++)
                aux[k] = r[k] * hm[k];
            /* hh = xh + (r h) U_h */
            for (size_t b = 0; b < B; b++)
                memcpy(hh + b * U, xp + (b * T + t) * G + 2 * U,
                       U * sizeof *hh);
            nn_gemm(false, false, B, U, U, 1.0f, aux, U,
                    recurrent_kernel->data + 2 * U, G, 1.0f, hh, U);
        }
        nn_rnn_act_apply(cfg->activation, BU, hh);
        for (size_t k = 0; k < BU; k++)
            fresh[k] = z[k] * hprev[k] + (1.0f - z[k]) * hh[k];
        nn_rnn_emit((*seq)->data, prev_out, &hnext,
                    (const float *const[]){fresh},
                    (const float *const[]){hprev}, 1, c->m, (int64_t)st, d,
                    cfg->zero_output_for_mask);
    }
    free(xp);
    free(hp);
    free(fresh);
    free(prev_out);
    free(hmbuf);
    xp = hp = fresh = prev_out = hmbuf = NULL;

    if ((s = nn_rnn_record(*seq, "gru", gru_backward, x, kernel,
                           recurrent_kernel, bias, &h0, 1, c, gru_ctx_free,
                           &c->ibias, &c->ih0)) != NN_OK)
        goto fail;
    return NN_OK;
fail:
    free(xp);
    free(hp);
    free(fresh);
    free(prev_out);
    free(hmbuf);
    gru_ctx_free(c);
    nn_tensor_release(*seq);
    *seq = NULL;
    return s;
}
