/* optimizers.c - Keras 3's update rules (see optimizers.h). */
#include "optimizers.h"

#include <math.h>

int nn_optimizer_states(const nn_optimizer_config *cfg, const char *names[3])
{
    names[0] = names[1] = names[2] = NULL;
    switch (cfg->kind) {
    case NN_OPT_SGD:
        if (cfg->momentum == 0.0f)
            return 0;
        names[0] = "momentum";
        return 1;
    case NN_OPT_RMSPROP:
        names[0] = "velocity";
        if (cfg->momentum > 0.0f)
            names[1] = "momentum";
        if (cfg->centered)
            names[2] = "average_gradient";
        return 3;
    case NN_OPT_ADAM:
        names[0] = "momentum";
        names[1] = "velocity";
        if (cfg->amsgrad)
            names[2] = "velocity_hat";
        return 3;
    case NN_OPT_ADAGRAD:
        names[0] = "accumulator";
        return 1;
    case NN_OPT_COUNT:
        break;
    }
    return 0;
}

nn_status nn_optimizer_check(const nn_optimizer_config *cfg, const char *who)
{
    if ((unsigned)cfg->kind >= NN_OPT_COUNT)
        return nn_error(NN_EARG, "%s: unknown optimizer kind %d", who,
                        (int)cfg->kind);
    if (!isfinite(cfg->learning_rate))
        return nn_error(NN_EARG, "%s: learning_rate must be a finite number, "
                        "got %g", who, (double)cfg->learning_rate);
    if (cfg->kind == NN_OPT_SGD &&
        !(cfg->momentum >= 0.0f && cfg->momentum <= 1.0f))
        return nn_error(NN_EARG, "%s: momentum must be a float between [0, "
                        "1], got %g", who, (double)cfg->momentum);
    if (!(cfg->grad_scale == cfg->grad_scale))
        return nn_error(NN_EARG, "%s: the gradient scale is NaN", who);
    return NN_OK;
}

double nn_sum_squares(const float *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return s;
}

float nn_clipnorm_scale(double sum_squares, float clipnorm)
{
    double norm = sqrt(sum_squares);
    return (float)((double)clipnorm / fmax(norm, (double)clipnorm));
}

float nn_global_clipnorm_scale(double total_sum_squares, float clipnorm)
{
    double norm = sqrt(total_sum_squares);
    double scale = clipnorm * fmin(1.0 / norm, 1.0 / clipnorm);
    return (float)(scale + (norm - norm)); /* NaN unless norm is finite */
}

/* The gradient after clipping: g * scale, then clipped to +-clipvalue. */
static inline float clipped(float g, float scale, float cv)
{
    g *= scale;
    if (cv > 0.0f)
        g = g < -cv ? -cv : g > cv ? cv : g;
    return g;
}

void nn_optimizer_step(const nn_optimizer_config *cfg, int64_t iterations,
                       float *w, const float *g, size_t n,
                       float *const states[3])
{
    const float lr = cfg->learning_rate, scale = cfg->grad_scale;
    const float cv = cfg->clipvalue;
    const float decay = cfg->weight_decay * lr; /* w -= w * wd * lr */
    switch (cfg->kind) {
    case NN_OPT_SGD: {
        float *m = states[0];
        const float mu = cfg->momentum;
        if (mu == 0.0f || !m) {
            for (size_t i = 0; i < n; i++) {
                float gi = clipped(g[i], scale, cv);
                w[i] -= w[i] * decay;
                w[i] -= gi * lr;
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                float gi = clipped(g[i], scale, cv);
                w[i] -= w[i] * decay;
                m[i] = m[i] * mu - gi * lr;
                w[i] += cfg->nesterov ? m[i] * mu - gi * lr : m[i];
            }
        }
        return;
    }
    case NN_OPT_RMSPROP: {
        float *v = states[0];
        float *m = cfg->momentum > 0.0f ? states[1] : NULL;
        float *a = cfg->centered ? states[2] : NULL;
        const float rho = cfg->rho, eps = cfg->epsilon, mu = cfg->momentum;
        for (size_t i = 0; i < n; i++) {
            float gi = clipped(g[i], scale, cv);
            w[i] -= w[i] * decay;
            v[i] = rho * v[i] + (1.0f - rho) * (gi * gi);
            float denom;
            if (a) {
                a[i] = rho * a[i] + (1.0f - rho) * gi;
                denom = v[i] - a[i] * a[i] + eps;
            } else {
                denom = v[i] + eps;
            }
            float inc = lr * gi / sqrtf(denom);
            if (m) {
                m[i] = mu * m[i] + inc;
                w[i] -= m[i];
            } else {
                w[i] -= inc;
            }
        }
        return;
    }
    case NN_OPT_ADAM: {
        float *m = states[0], *v = states[1];
        float *vh = cfg->amsgrad ? states[2] : NULL;
        const double t = (double)iterations + 1.0;
        const float b1 = cfg->beta_1, b2 = cfg->beta_2, eps = cfg->epsilon;
        const float alpha = (float)((double)lr *
                                    sqrt(1.0 - pow((double)b2, t)) /
                                    (1.0 - pow((double)b1, t)));
        for (size_t i = 0; i < n; i++) {
            float gi = clipped(g[i], scale, cv);
            w[i] -= w[i] * decay;
            m[i] += (gi - m[i]) * (1.0f - b1);
            v[i] += (gi * gi - v[i]) * (1.0f - b2);
            float vi = v[i];
            if (vh) {
                vh[i] = vh[i] > vi ? vh[i] : vi;
                vi = vh[i];
            }
            w[i] -= m[i] * alpha / (sqrtf(vi) + eps);
        }
        return;
    }
    case NN_OPT_ADAGRAD: {
        float *acc = states[0];
        const float eps = cfg->epsilon;
        for (size_t i = 0; i < n; i++) {
            float gi = clipped(g[i], scale, cv);
            w[i] -= w[i] * decay;
            acc[i] += gi * gi;
            w[i] -= lr * gi / sqrtf(acc[i] + eps);
        }
        return;
    }
    case NN_OPT_COUNT:
        break;
    }
}
