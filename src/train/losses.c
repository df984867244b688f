/* losses.c - Keras 3's losses: shapes, values and gradients (see losses.h). */
#include "losses.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/autograd.h"
#include "core/fastmath.h"

static const char *const loss_names[NN_LOSS_COUNT] = {
    "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_crossentropy", "mean_squared_error", "mean_absolute_error"
};

const char *nn_loss_name(nn_loss_kind kind)
{
    return (unsigned)kind < NN_LOSS_COUNT ? loss_names[kind] : "loss";
}

int nn_loss_lookup(const char *name)
{
    static const struct { const char *alias; nn_loss_kind kind; } aliases[] = {
        {"mse", NN_LOSS_MEAN_SQUARED_ERROR},
        {"MSE", NN_LOSS_MEAN_SQUARED_ERROR},
        {"mae", NN_LOSS_MEAN_ABSOLUTE_ERROR},
        {"MAE", NN_LOSS_MEAN_ABSOLUTE_ERROR},
        {"bce", NN_LOSS_BINARY_CROSSENTROPY},
        {"BCE", NN_LOSS_BINARY_CROSSENTROPY},
    };
    for (int k = 0; k < NN_LOSS_COUNT; k++)
        if (strcmp(name, loss_names[k]) == 0)
            return k;
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(name, aliases[i].alias) == 0)
            return (int)aliases[i].kind;
    return -1;
}

/* ---- shapes ------------------------------------------------------------ */

typedef struct {
    int ndim;
    int64_t shape[NN_MAXDIM];
} loss_shape;

static void shape_of(loss_shape *s, const nn_tensor *t)
{
    s->ndim = t->ndim;
    memcpy(s->shape, t->shape, (size_t)t->ndim * sizeof *s->shape);
}

/* Keras's squeeze_or_expand_to_same_rank(x1, x2): when the ranks differ by
 * one and the larger ends in an axis of size 1, that axis is squeezed, or
 * (when the other is 1-D) the other gets one. Only shapes change: the data
 * is contiguous either way. */
static void squeeze_or_expand(loss_shape *x1, loss_shape *x2)
{
    if (x1->ndim == x2->ndim + 1 && x1->shape[x1->ndim - 1] == 1) {
        if (x2->ndim == 1)
            x2->shape[x2->ndim++] = 1;
        else
            x1->ndim--;
    }
    if (x2->ndim == x1->ndim + 1 && x2->shape[x2->ndim - 1] == 1) {
        if (x1->ndim == 1)
            x1->shape[x1->ndim++] = 1;
        else
            x2->ndim--;
    }
}

/* Equal shapes, an unknown (None) size matching anything. */
static bool shapes_fit(int na, const int64_t *a, int nb, const int64_t *b)
{
    if (na != nb)
        return false;
    for (int d = 0; d < na; d++)
        if (a[d] != b[d] && a[d] != NN_NONE && b[d] != NN_NONE)
            return false;
    return true;
}

/* Labels that look like class indices for predictions (..., classes):
 * shape (...) or (..., 1). */
static bool looks_like_indices(const nn_tensor *t, const nn_tensor *p)
{
    if (p->ndim < 1 || p->shape[p->ndim - 1] == 1)
        return false;
    if (shapes_fit(t->ndim, t->shape, p->ndim - 1, p->shape))
        return true;
    return t->ndim == p->ndim && t->shape[t->ndim - 1] == 1 &&
           shapes_fit(t->ndim - 1, t->shape, p->ndim - 1, p->shape);
}

/* Checks y_true against y_pred and gives the shape of y_pred after rank
 * matching (whose last axis holds the classes or features). */
static nn_status check_shapes(loss_shape *ps, const nn_loss_config *cfg,
                              const nn_tensor *t, const nn_tensor *p)
{
    const char *who = nn_loss_name(cfg->kind);
    loss_shape ts;
    shape_of(&ts, t);
    shape_of(ps, p);
    squeeze_or_expand(&ts, ps);
    if (ps->ndim < 1)
        return nn_error(NN_ESHAPE, "%s: predictions must have at least one "
                        "axis (batch, ...), got shape %s", who, NN_SHAPE(p));
    int64_t classes = ps->shape[ps->ndim - 1];
    if (cfg->kind == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        if (ts.ndim == ps->ndim && ts.ndim > 0 && ts.shape[ts.ndim - 1] == 1)
            ts.ndim--;
        if (shapes_fit(ts.ndim, ts.shape, ps->ndim - 1, ps->shape))
            return NN_OK;
        char want[128];
        nn_shape_format(want, sizeof want, ps->ndim - 1, ps->shape);
        bool onehot = classes != 1 &&
                      shapes_fit(t->ndim, t->shape, p->ndim, p->shape);
        return nn_error(NN_ESHAPE, "%s: labels %s and predictions %s do not "
                        "fit: expected labels of shape %s (one class index "
                        "per prediction)%s", who, NN_SHAPE(t), NN_SHAPE(p),
                        want, onehot ? "; the labels look one-hot: use "
                        "categorical_crossentropy, or pass class indices"
                        : "");
    }
    if (shapes_fit(ts.ndim, ts.shape, ps->ndim, ps->shape))
        return NN_OK;
    const char *hint = "";
    char buf[160] = "";
    if (looks_like_indices(t, p)) {
        if (cfg->kind == NN_LOSS_CATEGORICAL_CROSSENTROPY)
            hint = "; the labels look like class indices: use "
                   "sparse_categorical_crossentropy, or one-hot encode them";
        else if (cfg->kind == NN_LOSS_BINARY_CROSSENTROPY) {
            snprintf(buf, sizeof buf, "; for one class index per sample and "
                     "%lld classes use sparse_categorical_crossentropy",
                     (long long)classes);
            hint = buf;
        }
    }
    return nn_error(NN_ESHAPE, "%s: labels %s and predictions %s must have "
                    "the same shape%s", who, NN_SHAPE(t), NN_SHAPE(p), hint);
}

/* "labels[3, 1]" for flat index i of a tensor of the given shape. */
static void format_index(char *buf, size_t n, size_t i, int ndim,
                         const int64_t *shape)
{
    size_t idx[NN_MAXDIM];
    for (int d = ndim - 1; d >= 0; d--) {
        idx[d] = shape[d] ? i % (size_t)shape[d] : 0;
        i = shape[d] ? i / (size_t)shape[d] : 0;
    }
    size_t used = (size_t)snprintf(buf, n, "labels[");
    for (int d = 0; d < ndim && used < n; d++)
        used += (size_t)snprintf(buf + used, n - used, "%s%zu", d ? ", " : "",
                                 idx[d]);
    if (used < n)
        snprintf(buf + used, n - used, "]");
}

/* Sparse labels must be integers in [0, classes). */
static nn_status check_labels(const nn_tensor *t, const nn_tensor *p,
                              int64_t classes)
{
    const char *who = loss_names[NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY];
    for (size_t i = 0; i < t->size; i++) {
        float v = t->data[i];
        if (v >= 0.0f && v < (float)classes && v == floorf(v))
            continue;
        char where[96], val[32];
        format_index(where, sizeof where, i, t->ndim, t->shape);
        if (v != v)
            snprintf(val, sizeof val, "nan");
        else
            snprintf(val, sizeof val, "%.9g", (double)v);
        if (!isfinite(v) || v != floorf(v))
            return nn_error(NN_EVALUE, "%s: label %s (%s) is not an integer "
                            "class index; labels %s, predictions %s", who, val,
                            where, NN_SHAPE(t), NN_SHAPE(p));
        return nn_error(NN_EVALUE, "%s: label %s (%s) is outside the valid "
                        "range [0, %lld) of predictions %s", who, val, where,
                        (long long)classes, NN_SHAPE(p));
    }
    return NN_OK;
}

/* ---- one sample: values and gradients ---------------------------------- */

static const double clip_lo = (double)NN_LOSS_EPSILON;
static const double clip_hi = (double)(1.0f - NN_LOSS_EPSILON);

static double clip(double x)
{
    return x < clip_lo ? clip_lo : x > clip_hi ? clip_hi : x;
}

/* TensorFlow's clip_by_value passes the gradient at the ends too. */
static bool in_clip(double x)
{
    return x >= clip_lo && x <= clip_hi;
}

typedef struct {
    nn_loss_kind kind;
    bool from_logits;
    double ls;      /* label smoothing */
    size_t classes; /* the last axis of y_pred */
} loss_row;

/* log(sum(exp(x))), stable */
static double logsumexp(const float *x, size_t n)
{
    double m = -INFINITY;
    for (size_t j = 0; j < n; j++)
        if (x[j] > m)
            m = x[j];
    if (!isfinite(m))
        return m;
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += exp((double)x[j] - m);
    return m + log(s);
}

/* The smoothed label of class j. */
static double cce_label(const loss_row *r, const float *t, size_t j)
{
    return r->ls ? t[j] * (1.0 - r->ls) + r->ls / (double)r->classes : t[j];
}

static double bce_label(const loss_row *r, float t)
{
    return r->ls ? t * (1.0 - r->ls) + 0.5 * r->ls : t;
}

/* The loss of one sample: t holds its labels (one for the sparse loss),
 * p its predictions. *aux gets what the gradient needs again: the
 * log-sum-exp of logits, the sum of (clipped, for the sparse loss)
 * probabilities. */
static double row_value(const loss_row *r, const float *t, const float *p,
                        double *aux)
{
    size_t n = r->classes;
    double acc = 0.0;
    switch (r->kind) {
    case NN_LOSS_CATEGORICAL_CROSSENTROPY:
        if (r->from_logits) {
            double lse = *aux = logsumexp(p, n);
            for (size_t j = 0; j < n; j++) {
                double tj = cce_label(r, t, j);
                if (tj != 0.0)
                    acc += tj * (lse - p[j]);
            }
            return acc;
        }
        double sum = 0.0;
        for (size_t j = 0; j < n; j++)
            sum += p[j];
        *aux = sum;
        for (size_t j = 0; j < n; j++) {
            double tj = cce_label(r, t, j);
            if (tj != 0.0)
                acc -= tj * log(clip(p[j] / sum));
        }
        return acc;
    case NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY: {
        size_t label = (size_t)t[0];
        if (r->from_logits)
            return (*aux = logsumexp(p, n)) - p[label];
        for (size_t j = 0; j < n; j++)
            acc += clip(p[j]);
        *aux = acc;
        return log(acc) - log(clip(p[label]));
    }
    case NN_LOSS_BINARY_CROSSENTROPY:
        for (size_t j = 0; j < n; j++) {
            double tj = bce_label(r, t[j]), x = p[j];
            if (r->from_logits)
                acc += fmax(x, 0.0) - x * tj + log1p(exp(-fabs(x)));
            else
                acc -= tj * log(clip(x)) + (1.0 - tj) * log(1.0 - clip(x));
        }
        return acc / (double)n;
    case NN_LOSS_MEAN_SQUARED_ERROR:
        for (size_t j = 0; j < n; j++) {
            double e = (double)t[j] - p[j];
            acc += e * e;
        }
        return acc / (double)n;
    case NN_LOSS_MEAN_ABSOLUTE_ERROR:
        for (size_t j = 0; j < n; j++)
            acc += fabs((double)t[j] - p[j]);
        return acc / (double)n;
    case NN_LOSS_COUNT:
        break;
    }
    return NAN;
}

static double sign(double x)
{
    return (x > 0.0) - (x < 0.0);
}

/* Adds d * d(row loss)/dp into dp and d * d(row loss)/dt into dt (either
 * may be NULL; dt is never given for the sparse loss); aux is what
 * row_value left. */
static void row_grad(const loss_row *r, double d, const float *t,
                     const float *p, double aux, float *dt, float *dp)
{
    size_t n = r->classes;
    double keep = 1.0 - r->ls; /* d(smoothed label)/d(label) */
    switch (r->kind) {
    case NN_LOSS_CATEGORICAL_CROSSENTROPY:
        if (r->from_logits) {
            double lse = aux, total = 0.0;
            for (size_t j = 0; j < n; j++)
                total += cce_label(r, t, j);
            for (size_t j = 0; j < n; j++) {
                if (dp)
                    dp[j] += (float)(d * (nn_expf((float)(p[j] - lse)) *
                                          total - cce_label(r, t, j)));
                if (dt)
                    dt[j] += (float)(d * keep * (lse - p[j]));
            }
        } else {
            /* q = p / sum(p), c = clip(q), loss = -sum(t log c):
             * dq_j = -t_j / c_j inside the clip, and
             * dp_j = (dq_j - sum_i dq_i q_i) / sum(p) */
            double sum = aux, dot = 0.0;
            for (size_t j = 0; j < n; j++)
                if (in_clip(p[j] / sum))
                    dot -= cce_label(r, t, j); /* dq_j q_j */
            for (size_t j = 0; j < n; j++) {
                double q = p[j] / sum;
                double dq = in_clip(q) ? -cce_label(r, t, j) / q : 0.0;
                if (dp)
                    dp[j] += (float)(d * (dq - dot) / sum);
                if (dt)
                    dt[j] += (float)(d * keep * -log(clip(q)));
            }
        }
        return;
    case NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY: {
        size_t label = (size_t)t[0];
        if (!dp)
            return;
        if (r->from_logits) {
            float lse = (float)aux, df = (float)d;
            for (size_t j = 0; j < n; j++)
                dp[j] += df * nn_expf(p[j] - lse);
            dp[label] -= df;
            return;
        }
        /* loss = log(sum_j c_j) - log(c_label), c = clip(p) */
        double sum = aux;
        for (size_t j = 0; j < n; j++)
            if (in_clip(p[j]))
                dp[j] += (float)(d * (1.0 / sum -
                                      (j == label ? 1.0 / p[j] : 0.0)));
        return;
    }
    case NN_LOSS_BINARY_CROSSENTROPY:
        d /= (double)n;
        for (size_t j = 0; j < n; j++) {
            double tj = bce_label(r, t[j]), x = p[j];
            if (r->from_logits) {
                if (dp)
                    dp[j] += (float)(d * (1.0 / (1.0 + exp(-x)) - tj));
                if (dt)
                    dt[j] += (float)(d * keep * -x);
            } else {
                double c = clip(x);
                if (dp && in_clip(x))
                    dp[j] += (float)(d * (-tj / c + (1.0 - tj) / (1.0 - c)));
                if (dt)
                    dt[j] += (float)(d * keep * -(log(c) - log(1.0 - c)));
            }
        }
        return;
    case NN_LOSS_MEAN_SQUARED_ERROR:
    case NN_LOSS_MEAN_ABSOLUTE_ERROR:
        d /= (double)n;
        for (size_t j = 0; j < n; j++) {
            double e = (double)p[j] - t[j];
            double g = r->kind == NN_LOSS_MEAN_SQUARED_ERROR ? 2.0 * e
                                                              : sign(e);
            if (dp)
                dp[j] += (float)(d * g);
            if (dt)
                dt[j] -= (float)(d * g);
        }
        return;
    case NN_LOSS_COUNT:
        break;
    }
}

/* ---- the op ------------------------------------------------------------ */

/* node: inputs {y_true, y_pred}; kind = loss kind; iarg = {from_logits,
 * reduction, rows, classes}; farg[0] = label smoothing */
static loss_row node_row(const nn_node *node)
{
    loss_row r = {(nn_loss_kind)node->kind, node->iarg[0] != 0,
                  (double)node->farg[0], (size_t)node->iarg[3]};
    return r;
}

static nn_status loss_backward(nn_node *node, nn_tensor *out)
{
    const double *aux = node->ctx;
    nn_tensor *t = node->inputs[0], *p = node->inputs[1];
    loss_row r = node_row(node);
    nn_loss_reduction red = (nn_loss_reduction)node->iarg[1];
    size_t rows = (size_t)node->iarg[2], n = r.classes;
    bool sparse = r.kind == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    const float *g = out->grad->data;
    float *dt = NULL, *dp;
    nn_status s;
    if ((s = nn_grad_buffer(&dp, p)) != NN_OK ||
        (!sparse && (s = nn_grad_buffer(&dt, t)) != NN_OK))
        return s;
    for (size_t i = 0; i < rows && n; i++) {
        double d = red == NN_REDUCTION_NONE ? (double)g[i]
                   : red == NN_REDUCTION_SUM ? (double)g[0]
                                             : (double)g[0] / (double)rows;
        const float *ti = t->data + (sparse ? i : i * n);
        row_grad(&r, d, ti, p->data + i * n, aux[i], dt ? dt + i * n : NULL,
                 dp ? dp + i * n : NULL);
    }
    return NN_OK;
}

nn_status nn_loss(nn_tensor **out, const nn_loss_config *cfg,
                  nn_tensor *y_true, nn_tensor *y_pred)
{
    *out = NULL;
    if ((unsigned)cfg->kind >= NN_LOSS_COUNT)
        return nn_error(NN_EARG, "loss: unknown loss kind %d", (int)cfg->kind);
    const char *who = nn_loss_name(cfg->kind);
    loss_shape ps;
    nn_status s = check_shapes(&ps, cfg, y_true, y_pred);
    if (s != NN_OK)
        return s;
    int ondim = cfg->reduction == NN_REDUCTION_NONE ? ps.ndim - 1 : 0;
    if (y_true->symbolic || y_pred->symbolic)
        return nn_tensor_symbolic(out, ondim, ps.shape);
    int64_t classes = ps.shape[ps.ndim - 1];
    size_t n = (size_t)classes, rows = 1;
    for (int d = 0; d < ps.ndim - 1; d++)
        rows *= (size_t)ps.shape[d];
    bool sparse = cfg->kind == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if (sparse && (s = check_labels(y_true, y_pred, classes)) != NN_OK)
        return s;
    if ((s = nn_tensor_new(out, ondim, ps.shape)) != NN_OK)
        return nn_error_context(s, who);
    loss_row r = {cfg->kind, cfg->from_logits, (double)cfg->label_smoothing,
                  n};
    nn_tensor *inputs[2] = {y_true, y_pred};
    /* class indices are not differentiable */
    bool record = sparse ? nn_needs_grad(1, &y_pred)
                         : nn_needs_grad(2, inputs);
    double *aux = NULL, scratch; /* per row, kept for the backward */
    if (record && !(aux = malloc((rows ? rows : 1) * sizeof *aux))) {
        nn_tensor_release(*out);
        *out = NULL;
        return nn_error(NN_ENOMEM, "%s: out of memory", who);
    }
    double total = 0.0;
    for (size_t i = 0; i < rows; i++) {
        /* no classes: a sum over nothing, or a mean of nothing */
        double v = cfg->kind == NN_LOSS_CATEGORICAL_CROSSENTROPY ? 0.0 : NAN;
        double *ai = aux ? &aux[i] : &scratch;
        *ai = 0.0;
        if (n)
            v = row_value(&r, y_true->data + (sparse ? i : i * n),
                          y_pred->data + i * n, ai);
        if (cfg->reduction == NN_REDUCTION_NONE)
            (*out)->data[i] = (float)v;
        total += v;
    }
    if (cfg->reduction == NN_REDUCTION_SUM)
        (*out)->data[0] = (float)total;
    else if (cfg->reduction == NN_REDUCTION_SUM_OVER_BATCH_SIZE)
        (*out)->data[0] = rows ? (float)(total / (double)rows) : 0.0f;
    if (record) {
        nn_node *node;
        if ((s = nn_record(&node, *out, who, loss_backward, 2, inputs)) !=
            NN_OK) {
            free(aux);
            nn_tensor_release(*out);
            *out = NULL;
            return s;
        }
        node->ctx = aux;
        node->ctx_free = free;
        node->kind = (int)cfg->kind;
        node->iarg[0] = cfg->from_logits;
        node->iarg[1] = (int64_t)cfg->reduction;
        node->iarg[2] = (int64_t)rows;
        node->iarg[3] = classes;
        node->farg[0] = cfg->label_smoothing;
    }
    return NN_OK;
}
