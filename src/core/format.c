/* format.c - NumPy-style printing of tensor values. */
#include "format.h"
#include "walk.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THRESHOLD 1000 /* NumPy's print threshold */
#define EDGE 3         /* NumPy's edgeitems */

typedef struct {
    char *s;
    size_t n, cap;
    int failed;
} strbuf;

static void put(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = 2 * b->cap + (size_t)k + 64;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

typedef enum { FMT_INT, FMT_FIXED, FMT_SCI } value_fmt;

typedef struct {
    const nn_tensor *t;
    bool elide;
    value_fmt fmt;
    int width;
    int64_t st[NN_MAXDIM];
} printer;

static bool shown(const printer *p, int d, int64_t i)
{
    return !p->elide || p->t->shape[d] <= 2 * EDGE || i < EDGE ||
           i >= p->t->shape[d] - EDGE;
}

static int format_value(char *buf, size_t n, value_fmt f, float v)
{
    if (isnan(v))
        return snprintf(buf, n, "nan");
    if (isinf(v))
        return snprintf(buf, n, v > 0 ? "inf" : "-inf");
    switch (f) {
    case FMT_INT: return snprintf(buf, n, "%.0f.", (double)v);
    case FMT_FIXED: return snprintf(buf, n, "%.4f", (double)v);
    default: return snprintf(buf, n, "%.4e", (double)v);
    }
}

/* Visits the printed elements to choose the format and the column width. */
static void scan(printer *p, int d, size_t off, float *maxabs, float *minabs,
                 bool *all_int)
{
    const nn_tensor *t = p->t;
    if (d == t->ndim) {
        float v = t->data[off];
        if (!isfinite(v))
            return;
        float a = fabsf(v);
        if (a > *maxabs) *maxabs = a;
        if (a > 0 && a < *minabs) *minabs = a;
        if (v != floorf(v)) *all_int = false;
        return;
    }
    for (int64_t i = 0; i < t->shape[d]; i++)
        if (shown(p, d, i))
            scan(p, d + 1, off + (size_t)(i * p->st[d]), maxabs, minabs,
                 all_int);
}

static void widths(printer *p, int d, size_t off)
{
    const nn_tensor *t = p->t;
    char buf[64];
    if (d == t->ndim) {
        int k = format_value(buf, sizeof buf, p->fmt, t->data[off]);
        if (k > p->width)
            p->width = k;
        return;
    }
    for (int64_t i = 0; i < t->shape[d]; i++)
        if (shown(p, d, i))
            widths(p, d + 1, off + (size_t)(i * p->st[d]));
}

static void emit(printer *p, strbuf *b, int d, size_t off)
{
    const nn_tensor *t = p->t;
    char buf[64];
    if (d == t->ndim) {
        format_value(buf, sizeof buf, p->fmt, t->data[off]);
        put(b, "%*s", p->width, buf);
        return;
    }
    put(b, "[");
    bool skipped = false;
    for (int64_t i = 0; i < t->shape[d]; i++) {
        if (!shown(p, d, i)) {
            if (!skipped) {
                skipped = true;
                if (d == t->ndim - 1) {
                    put(b, " ...");
                } else {
                    /* the separator between blocks, blank lines included */
                    put(b, "\n");
                    for (int k = 0; k < t->ndim - d - 2; k++)
                        put(b, "\n");
                    put(b, "%*s...", d + 1, "");
                }
            }
            continue;
        }
        if (i > 0) {
            if (d == t->ndim - 1) {
                put(b, " ");
            } else {
                /* NumPy: a blank line per axis left below the next one */
                put(b, "\n");
                for (int k = 0; k < t->ndim - d - 2; k++)
                    put(b, "\n");
                put(b, "%*s", d + 1, "");
            }
        }
        emit(p, b, d + 1, off + (size_t)(i * p->st[d]));
    }
    put(b, "]");
}

char *nn_tensor_format(const nn_tensor *t)
{
    strbuf b = {malloc(256), 0, 256, 0};
    if (!b.s)
        return NULL;
    b.s[0] = '\0';
    printer p = {.t = t, .elide = t->size > THRESHOLD};
    nn_contiguous_strides(p.st, t->ndim, t->shape);
    if (t->symbolic) {
        put(&b, "(symbolic: no values)");
    } else if (t->size == 0) {
        put(&b, "[]");
    } else {
        float maxabs = 0.0f, minabs = INFINITY;
        bool all_int = true;
        scan(&p, 0, 0, &maxabs, &minabs, &all_int);
        if (all_int && maxabs < 1e8f)
            p.fmt = FMT_INT;
        else if (maxabs >= 1e8f || (minabs < 1e-4f && maxabs / minabs > 1e3f))
            p.fmt = FMT_SCI;
        else
            p.fmt = FMT_FIXED;
        widths(&p, 0, 0);
        emit(&p, &b, 0, 0);
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
