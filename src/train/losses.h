/*
 * losses.h - Keras 3's losses, one fused op (and one autograd node) each.
 *
 * Every loss follows Keras's LossFunctionWrapper: the ranks of y_true and
 * y_pred are first matched (squeeze_or_expand_to_same_rank: a trailing axis
 * of size 1 is dropped from, or added to, the one of higher rank), the loss
 * function gives one value per sample (over the last axis of y_pred), and
 * the reduction makes a scalar of them:
 *
 *   categorical_crossentropy   -sum(t * log(clip(p / sum(p))))    (probs)
 *                              -sum(t * log_softmax(x))           (logits)
 *                              t = t (1 - ls) + ls / classes
 *   sparse_categorical_ce      log(sum clip(p)) - log(clip(p[label]))
 *                              (TensorFlow's: the log of the clipped
 *                              probabilities taken as logits), or
 *                              -log_softmax(x)[label] from logits
 *   binary_crossentropy        mean(-(t log(clip(p)) + (1-t) log(1-clip(p))))
 *                              mean(max(x, 0) - x t + log(1 + exp(-|x|)))
 *                              t = t (1 - ls) + ls / 2
 *   mean_squared_error         mean((t - p)^2)
 *   mean_absolute_error        mean(|t - p|)
 *
 * clip is to [1e-7, 1 - 1e-7] (Keras's epsilon), with TensorFlow's
 * gradient: 1 inside the interval (ends included), 0 outside.
 * Differentiable in y_pred, and in y_true for all but the sparse loss.
 */
#ifndef NN_LOSSES_H
#define NN_LOSSES_H

#include <stdbool.h>

#include "core/tensor.h"

typedef enum nn_loss_kind {
    NN_LOSS_CATEGORICAL_CROSSENTROPY,
    NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY,
    NN_LOSS_BINARY_CROSSENTROPY,
    NN_LOSS_MEAN_SQUARED_ERROR,
    NN_LOSS_MEAN_ABSOLUTE_ERROR,
    NN_LOSS_COUNT
} nn_loss_kind;

typedef enum nn_loss_reduction {
    NN_REDUCTION_SUM_OVER_BATCH_SIZE, /* Keras's default: the mean of the
                                         per-sample losses; also "mean" */
    NN_REDUCTION_SUM,
    NN_REDUCTION_NONE                 /* the per-sample losses, shape
                                         y_pred.shape[:-1] */
} nn_loss_reduction;

typedef struct nn_loss_config {
    nn_loss_kind kind;
    bool from_logits;       /* the crossentropies */
    float label_smoothing;  /* categorical and binary crossentropy */
    nn_loss_reduction reduction;
} nn_loss_config;

/* Keras's name of a loss ("categorical_crossentropy", ...). */
const char *nn_loss_name(nn_loss_kind kind);

/* The kind of a Keras name or alias ("mse", "mae", "bce", ...), or -1. */
int nn_loss_lookup(const char *name);

/* The loss of y_pred against y_true: a 0-d tensor (or the per-sample
 * losses for NN_REDUCTION_NONE). Errors name the loss and both shapes.
 * A symbolic input gives a symbolic result. */
nn_status nn_loss(nn_tensor **out, const nn_loss_config *cfg,
                  nn_tensor *y_true, nn_tensor *y_pred);

#define NN_LOSS_EPSILON 1e-7f

#endif
