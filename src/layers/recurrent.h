/*
 * recurrent.h - what GRU, LSTM and SimpleRNN share: configuration, checks,
 * masks, the input projection and the sequence layout.
 *
 * Each layer's kernel returns one tensor `seq` (batch, time, (1+S)*units):
 * at processing step s, seq[:, s] = [output | state_1 (| state_2)], where
 * S is the number of states (1, or 2 for LSTM's h and c). Steps are in
 * processing order, so with go_backwards step s is time T-1-s, as Keras
 * returns it. The Lua layer slices what the learner asked for (the
 * sequence, the last output, the final states) out of seq, so one autograd
 * node with a fused backpropagation-through-time backward covers the call.
 *
 * Masks (Keras): at a masked step the states are carried over unchanged
 * and the output is the previous output (zeros before the first real step),
 * or zeros when zero_output_for_mask (Bidirectional with return_sequences).
 */
#ifndef NN_RECURRENT_H
#define NN_RECURRENT_H

#include "core/autograd.h"

/* The activations a recurrent layer accepts: each has a derivative that
 * can be computed from its output, which the backward pass relies on. */
typedef enum nn_rnn_act {
    NN_RNN_LINEAR, NN_RNN_TANH, NN_RNN_SIGMOID, NN_RNN_RELU,
    NN_RNN_HARD_SIGMOID
} nn_rnn_act;

/* The activation named name, or -1. */
int nn_rnn_act_lookup(const char *name);

typedef struct nn_rnn_config {
    char name[64];              /* the layer's name, for messages */
    nn_rnn_act activation;      /* tanh by default */
    nn_rnn_act recurrent_activation; /* sigmoid by default */
    bool reset_after;           /* GRU: Keras's default true */
    bool go_backwards;
    bool zero_output_for_mask;
    /* Recurrent dropout (training only): (B, U), the inverted-dropout
     * mask that multiplies the state where it enters the recurrent matrix
     * products, the same at every step; NULL for none. The kernel copies
     * it. */
    const nn_tensor *recurrent_mask;
} nn_rnn_config;

/* Sizes of one call. */
typedef struct nn_rnn_dims {
    int64_t batch, time, features, units;
} nn_rnn_dims;

/* Checks the shapes of a call of the layer `cls` ("GRU"): x (B, T, D),
 * mask (B, T) or NULL, states[i] (B, U) or NULL, kernel (D, G*U),
 * recurrent_kernel (U, G*U), bias of shape bias_shape (bias_ndim axes) or
 * NULL. Fills d (B or T may be NN_NONE for a symbolic x). */
nn_status nn_rnn_check(nn_rnn_dims *d, const char *cls,
                       const nn_rnn_config *cfg, const nn_tensor *x,
                       const nn_tensor *mask, nn_tensor *const *states,
                       int nstates, const nn_tensor *kernel,
                       const nn_tensor *recurrent_kernel,
                       const nn_tensor *bias, int gates, int bias_ndim,
                       const int64_t *bias_shape);

/* The symbolic result of a call: (B, T, (1+nstates)*U). */
nn_status nn_rnn_symbolic(nn_tensor **seq, const nn_rnn_dims *d, int nstates);

/* Activation forward (in place) and its derivative from the output. */
void nn_rnn_act_apply(nn_rnn_act act, size_t n, float *v);
float nn_rnn_act_grad(nn_rnn_act act, float y);

/* xp (B*T, G*U) = x (B*T, D) @ kernel + bias_row (bias_row may be NULL). */
void nn_rnn_project(float *xp, const nn_tensor *x, const nn_tensor *kernel,
                    const float *bias_row, const nn_rnn_dims *d, int gates);

/* The backward of nn_rnn_project: dx += dxp @ kernel^T,
 * dkernel += x^T @ dxp, dbias_row += column sums of dxp (each may be
 * NULL). */
void nn_rnn_project_backward(const float *dxp, const nn_tensor *x,
                             const nn_tensor *kernel, float *dx,
                             float *dkernel, float *dbias_row,
                             const nn_rnn_dims *d, int gates);

/* The mask in processing order: m[s*B + b] (1 everywhere without a mask).
 * malloc'ed; NULL when out of memory. */
float *nn_rnn_mask_steps(const nn_tensor *mask, const nn_rnn_dims *d,
                         bool go_backwards);

/* The time index of processing step s. */
static inline int64_t nn_rnn_time(const nn_rnn_dims *d, bool go_backwards,
                                  int64_t s)
{
    return go_backwards ? d->time - 1 - s : s;
}

/*
 * One step of the sequence bookkeeping, forward. With m the mask of each
 * row at this step:
 *   state_i = m ? fresh_i : prev_i                (each of nstates states)
 *   out     = m ? fresh_0 : (zero ? 0 : prev_out)
 * states[i] and fresh[i] are (B, U); prev[i] the states before the step
 * (states and prev may not alias). Writes out and the states into
 * seq[:, s] and updates prev_out (B, U) in place.
 */
void nn_rnn_emit(float *seq, float *prev_out, float *const *states,
                 const float *const *fresh, const float *const *prev,
                 int nstates, const float *m, int64_t s,
                 const nn_rnn_dims *d, bool zero);

/*
 * The same step, backward. On entry dstate[i] (B, U) holds d(loss)/d(state
 * i after step s) from later steps and dout_carry the gradient reaching
 * this step's output through the outputs of later masked steps. Adds the
 * gradients in dseq[:, s]; then splits them: dfresh[i] gets what flows into
 * the cell's fresh states (masked rows: 0), dstate[i] what flows straight
 * to the states before the step (masked rows: all of it, others: 0), and
 * dout_carry what flows to the previous output.
 */
void nn_rnn_emit_backward(const float *dseq, float *dout_carry,
                          float *const *dstate, float *const *dfresh,
                          int nstates, const float *m, int64_t s,
                          const nn_rnn_dims *d, bool zero);

/* A new seq tensor (B, T, (1+nstates)*U) for the layer `cls`. */
nn_status nn_rnn_new_seq(nn_tensor **seq, const char *cls,
                         const nn_rnn_config *cfg, const nn_rnn_dims *d,
                         int nstates);

/* Records the node of a call on seq when needed: inputs x, kernel,
 * recurrent_kernel, then bias and the initial states that are not NULL.
 * ibias and istate[i] get their input indices (-1 if absent). On success
 * the node owns ctx (or ctx was freed when no node is needed). */
nn_status nn_rnn_record(nn_tensor *seq, const char *op,
                        nn_backward_fn backward, nn_tensor *x,
                        nn_tensor *kernel, nn_tensor *recurrent_kernel,
                        nn_tensor *bias, nn_tensor *const *states,
                        int nstates, void *ctx, void (*ctx_free)(void *),
                        int *ibias, int *istate);

/* The gradient buffers of a recorded call's inputs (NULL for an input
 * that is absent or does not require grad), in nn_rnn_record's order. */
typedef struct nn_rnn_grads {
    float *dx, *dkernel, *drecurrent, *dbias, *dstate[2];
} nn_rnn_grads;

nn_status nn_rnn_grads_get(nn_rnn_grads *g, nn_node *node, int ibias,
                           const int *istate, int nstates);

/* A copy of cfg->recurrent_mask's values (NULL when there is none, or,
 * with *failed set, when out of memory). */
float *nn_rnn_copy_recurrent_mask(const nn_rnn_config *cfg, bool *failed);

/* h * rmask into buf and returns buf; h itself when rmask is NULL. */
const float *nn_rnn_masked_state(float *buf, const float *h,
                                 const float *rmask, size_t n);

/* dh += dhm * rmask (dhm alone when rmask is NULL). */
void nn_rnn_add_masked(float *dh, const float *dhm, const float *rmask,
                       size_t n);

/* Column sums of a (rows, n) array added into out (n). */
void nn_rnn_colsum(float *out, const float *a, size_t rows, size_t n);

#endif
