/*
 * optimizers.h - the update rules of Keras 3's optimizers, over plain float
 * arrays: one call updates one variable in place, in one loop, allocating
 * nothing. The optimizer objects (state tensors per weight, iterations,
 * gradient clipping across weights) live in lua/attnlab/optimizers.lua.
 *
 * One step of a variable w with gradient g, as Keras's apply():
 *   1. g = g * grad_scale      (clipnorm / global_clipnorm, see below)
 *      g = clip(g, -clipvalue, clipvalue)        (when clipvalue > 0)
 *   2. w = w - w * weight_decay * learning_rate  (when weight_decay != 0)
 *   3. the update rule (lr = learning_rate, t = iterations + 1):
 *   SGD      momentum == 0:  w -= lr g
 *            else:           m = momentum m - lr g
 *                            w += m, or with nesterov w += momentum m - lr g
 *   RMSprop  v = rho v + (1 - rho) g^2
 *            centered: a = rho a + (1 - rho) g;  denom = v - a^2 + eps
 *            else:                               denom = v + eps
 *            inc = lr g / sqrt(denom)
 *            momentum > 0: m = momentum m + inc;  w -= m
 *            else:         w -= inc
 *   Adam     alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
 *            m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2)
 *            amsgrad: vh = max(vh, v), used for v
 *            w -= alpha m / (sqrt(v) + eps)
 *            (AdamW is Adam with weight_decay, 0.004 by default)
 *   Adagrad  a += g^2  (a starts at initial_accumulator_value)
 *            w -= lr g / sqrt(a + eps)
 */
#ifndef NN_OPTIMIZERS_H
#define NN_OPTIMIZERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tensor.h"

typedef enum nn_optimizer_kind {
    NN_OPT_SGD, NN_OPT_RMSPROP, NN_OPT_ADAM, NN_OPT_ADAGRAD, NN_OPT_COUNT
} nn_optimizer_kind;

typedef struct nn_optimizer_config {
    nn_optimizer_kind kind;
    float learning_rate;
    float momentum;       /* SGD, RMSprop */
    bool nesterov;        /* SGD */
    float rho;            /* RMSprop */
    bool centered;        /* RMSprop */
    float beta_1, beta_2; /* Adam */
    bool amsgrad;         /* Adam */
    float epsilon;        /* RMSprop, Adam, Adagrad */
    float weight_decay;   /* 0: none */
    float grad_scale;     /* 1: none */
    float clipvalue;      /* 0: none */
} nn_optimizer_config;

/* The state arrays a variable needs (each the size of the variable), by
 * slot, with their Keras names:
 *   SGD      momentum                      (no slot when momentum == 0)
 *   RMSprop  velocity, momentum (if momentum > 0), average_gradient (if
 *            centered)
 *   Adam     momentum, velocity, velocity_hat (if amsgrad)
 *   Adagrad  accumulator (filled with initial_accumulator_value)
 * Returns the number of slots; names[i] is NULL for a slot not used with
 * this configuration (its array may then be NULL). */
int nn_optimizer_states(const nn_optimizer_config *cfg, const char *names[3]);

/* Checks the hyperparameters; NN_EARG with a message naming who. */
nn_status nn_optimizer_check(const nn_optimizer_config *cfg, const char *who);

/* Updates w (n floats) in place from g; states by slot as listed above. iterations is the number of steps taken before this
 * one (Keras's optimizer.iterations). */
void nn_optimizer_step(const nn_optimizer_config *cfg, int64_t iterations,
                       float *w, const float *g, size_t n,
                       float *const states[3]);

/* sum(x^2), in double. */
double nn_sum_squares(const float *x, size_t n);

/* The factor Keras's clipnorm applies to one gradient of squared norm
 * sum_squares: clipnorm / max(norm, clipnorm). */
float nn_clipnorm_scale(double sum_squares, float clipnorm);

/* The factor Keras's global_clipnorm applies to every gradient, given the
 * sum of the squared norms of all of them:
 * clipnorm * min(1 / global_norm, 1 / clipnorm) (NaN for a non-finite
 * norm, as in Keras). */
float nn_global_clipnorm_scale(double total_sum_squares, float clipnorm);

#endif
