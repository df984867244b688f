/* format.c - NumPy-style printing of tensor values (see format.h).
 *
 * Three passes over the printed elements, as NumPy's FloatingFormat does:
 * scan (magnitudes: scientific or positional), measure (the digits after
 * the point and the widths every value shares), emit (_formatArray: nested
 * brackets, rows wrapped to the line width, "..." for summarised axes). */
#include "format.h"
#include "walk.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- one value ---------------------------------------------------------- */

#define NUMBUF 128 /* a value: precision is at most 30 (l_tensor.c) */

/* The digits (no point, no sign) and the exponent of the first digit of a
 * "%.*e" string: "1.2500e-03" -> "12500", -3. Returns the digit count. */
static int parse_e(const char *s, char *dig, int *e10)
{
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            dig[n++] = *s;
    dig[n] = '\0';
    *e10 = *s == 'e' ? atoi(s + 1) : 0;
    return n;
}

/* The shortest decimal that reads back as a (finite, > 0) float32, the
 * closest to a among those (Dragon4's "unique" mode): its digits in dig,
 * the exponent of the first one in *e10; returns the digit count. */
static int shortest(float a, char *dig, int *e10)
{
    char buf[64];
    for (int n = 1; n < 9; n++) {
        snprintf(buf, sizeof buf, "%.*e", n - 1, (double)a);
        if (strtof(buf, NULL) == a)
            return parse_e(buf, dig, e10);
        /* at a power of two the gap below a is half the gap above: the
         * n-digit decimal just above may read back when the nearest one,
         * below, does not */
        int k = parse_e(buf, dig, e10), e = *e10, i = k - 1;
        while (i >= 0 && dig[i] == '9')
            dig[i--] = '0';
        if (i < 0) {
            dig[0] = '1';
            e++;
        } else {
            dig[i]++;
        }
        snprintf(buf, sizeof buf, "%c.%se%d", dig[0], dig + 1, e);
        if (strtof(buf, NULL) == a) {
            while (k > 1 && dig[k - 1] == '0')
                dig[--k] = '\0';
            *e10 = e;
            return k;
        }
    }
    snprintf(buf, sizeof buf, "%.8e", (double)a); /* 9 digits always do */
    return parse_e(buf, dig, e10);
}

/* v (finite) as "[-]int.frac": the shortest decimal that reads back, or v
 * rounded to `prec` digits after the point when that one needs more;
 * trailing zeros dropped, the point kept ("3.", "0.25"). */
static void positional(float v, int prec, char *out)
{
    char *p = out;
    if (signbit(v))
        *p++ = '-';
    float a = fabsf(v);
    if (a == 0) {
        strcpy(p, "0.");
        return;
    }
    /* the usual case first: when v rounded to prec digits does not read
     * back, the shortest decimal needs more (a power of two aside, whose
     * gap below is narrower) and v rounded is the answer */
    snprintf(p, NUMBUF - 1, "%#.*f", prec, (double)a);
    int frac = prec + 1;
    char dig[16];
    int e = 0, n = 0;
    if (strtof(p, NULL) == a || frexpf(a, &e) == 0.5f) {
        n = shortest(a, dig, &e);
        frac = n - 1 - e > 0 ? n - 1 - e : 0;
    }
    if (frac > prec) { /* p holds v rounded */
        size_t k = strlen(p);
        while (p[k - 1] == '0')
            p[--k] = '\0';
        return;
    }
    if (e >= 0) {
        for (int i = 0; i <= e; i++)
            *p++ = i < n ? dig[i] : '0';
        *p++ = '.';
        for (int i = e + 1; i < n; i++)
            *p++ = dig[i];
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -e - 1; i++)
            *p++ = '0';
        for (int i = 0; i < n; i++)
            *p++ = dig[i];
    }
    *p = '\0';
}

/* v (finite) in scientific notation: the mantissa "[-]d.ddd" (shortest
 * that reads back, or rounded to `prec` digits after the point; trailing
 * zeros dropped, the point kept) in out, the exponent in *e10. */
static void scientific(float v, int prec, char *out, int *e10)
{
    char *p = out;
    if (signbit(v))
        *p++ = '-';
    float a = fabsf(v);
    char dig[NUMBUF];
    int n;
    if (a == 0) {
        strcpy(dig, "0");
        n = 1;
        *e10 = 0;
    } else {
        char buf[NUMBUF];
        int e2;
        snprintf(buf, sizeof buf, "%.*e", prec, (double)a);
        /* as in positional: rounded to prec digits does not read back, so
         * the shortest decimal needs more digits */
        if (strtof(buf, NULL) == a || frexpf(a, &e2) == 0.5f)
            n = shortest(a, dig, e10);
        else
            n = prec + 2;
        if (n - 1 > prec) { /* buf holds v rounded */
            n = parse_e(buf, dig, e10);
            while (n > 1 && dig[n - 1] == '0')
                dig[--n] = '\0';
        }
    }
    *p++ = dig[0];
    *p++ = '.';
    memcpy(p, dig + 1, (size_t)n); /* the rest and the '\0' */
}

/* A 0-d tensor, as NumPy prints a float32 scalar: positional between 1e-4
 * and 1e16 (3.0, 0.1, 1793215.8), scientific outside (1e-05, 1.5e+16). */
static void format_scalar(strbuf *b, float v)
{
    char m[NUMBUF];
    if (isnan(v)) {
        put(b, "nan");
    } else if (isinf(v)) {
        put(b, v > 0 ? "inf" : "-inf");
    } else if (v == 0 || (fabs((double)v) >= 1e-4 && fabs((double)v) < 1e16)) {
        positional(v, 64, m);
        put(b, "%s%s", m, m[strlen(m) - 1] == '.' ? "0" : "");
    } else {
        int e;
        scientific(v, 64, m, &e);
        size_t k = strlen(m);
        if (m[k - 1] == '.')
            m[k - 1] = '\0';
        put(b, "%se%c%02d", m, e < 0 ? '-' : '+', abs(e));
    }
}

/* ---- the format every value shares -------------------------------------- */

typedef struct {
    const nn_tensor *t;
    nn_format_options o;
    bool summary; /* more than threshold elements: "..." in long axes */
    int64_t st[NN_MAXDIM];
    /* what scan finds */
    float maxabs, minabs; /* of the finite non-zero values */
    bool any_finite, any_nonfinite, neg_inf;
    /* what measure finds */
    bool sci;
    int digits;     /* after the point, in every value */
    int pad_left;   /* characters before the point, sign included */
    int pad_right;  /* characters after the point (the exponent included) */
    int exp_digits; /* at least 2 */
    int width;      /* of every value */
} printer;

static bool shown(const printer *p, int d, int64_t i)
{
    int64_t n = p->t->shape[d], e = p->o.edgeitems;
    return !p->summary || n <= 2 * e || i < e || i >= n - e;
}

/* Calls f(p, value) for every printed element. */
static void visit(printer *p, int d, size_t off, void (*f)(printer *, float))
{
    const nn_tensor *t = p->t;
    if (d == t->ndim) {
        f(p, t->data[off]);
        return;
    }
    for (int64_t i = 0; i < t->shape[d]; i++)
        if (shown(p, d, i))
            visit(p, d + 1, off + (size_t)(i * p->st[d]), f);
}

static void scan_value(printer *p, float v)
{
    if (!isfinite(v)) {
        p->any_nonfinite = true;
        if (v < 0 && isinf(v))
            p->neg_inf = true;
        return;
    }
    p->any_finite = true;
    float a = fabsf(v);
    if (a == 0)
        return;
    if (a > p->maxabs)
        p->maxabs = a;
    if (a < p->minabs)
        p->minabs = a;
}

/* NumPy's first pass: the longest fraction (at most precision digits) and
 * integer part decide the digits and widths. */
static void measure_value(printer *p, float v)
{
    if (!isfinite(v))
        return;
    char m[NUMBUF];
    int e;
    if (p->sci) {
        scientific(v, p->o.precision, m, &e);
        int ne = abs(e) >= 100 ? 3 : 2;
        if (ne > p->exp_digits)
            p->exp_digits = ne;
    } else {
        positional(v, p->o.precision, m);
    }
    const char *point = strchr(m, '.');
    int left = (int)(point - m);
    int frac = (int)strlen(point + 1);
    if (left > p->pad_left)
        p->pad_left = left;
    if (frac > p->digits)
        p->digits = frac;
}

static void choose_format(printer *p)
{
    p->maxabs = 0;
    p->minabs = INFINITY;
    visit(p, 0, 0, scan_value);
    /* FloatingFormat.fillFormat: scientific for the non-zero finite values
     * when max >= 1e8, or (not suppress) min < 1e-4 or max / min > 1e3 */
    if (p->maxabs > 0) {
        double mx = p->maxabs, mn = p->minabs;
        p->sci = mx >= 1e8 || (!p->o.suppress && (mn < 1e-4 || mx / mn > 1e3));
    }
    p->exp_digits = 2;
    if (p->any_finite) {
        visit(p, 0, 0, measure_value);
        p->pad_right = p->sci ? p->exp_digits + 2 + p->digits : p->digits;
    }
    if (p->any_nonfinite) { /* room for nan, inf and -inf */
        int offset = p->pad_right + 1;
        int inflen = 3 + (p->neg_inf ? 1 : 0);
        if (3 - offset > p->pad_left)
            p->pad_left = 3 - offset;
        if (inflen - offset > p->pad_left)
            p->pad_left = inflen - offset;
    }
    p->width = p->pad_left + 1 + p->pad_right;
}

/* One value in the shared format: right-aligned, `digits` after the point.
 * As NumPy's min_digits does, a value with a shorter unique decimal gets
 * the digits of its exact value, not zeros: v rounded to `digits`. */
static int format_value(const printer *p, float v, char *out)
{
    if (!isfinite(v)) {
        const char *s = isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
        return snprintf(out, NUMBUF, "%*s", p->width, s);
    }
    char m[NUMBUF];
    /* '#': the point stays when no digit follows it ("3.", "1.e-05") */
    snprintf(m, sizeof m, p->sci ? "%#.*e" : "%#.*f", p->digits, (double)v);
    int left = (int)strcspn(m, ".e");
    return snprintf(out, NUMBUF, "%*s%s", p->pad_left > left ? p->pad_left - left : 0, "", m);
}

/* ---- _formatArray --------------------------------------------------------- */

/* Adds a word to the row being written; wraps first when the line would
 * pass `limit` (and holds more than its indent). `line` counts the line's
 * characters as NumPy does, the separator after the last word included. */
static void add_word(strbuf *b, int *line, int indent, int limit,
                     const char *w, int wlen)
{
    if (*line + wlen > limit && *line > indent) {
        if (b->n > 0 && b->s[b->n - 1] == ' ')
            b->s[--b->n] = '\0'; /* line.rstrip() */
        put(b, "\n%*s", indent, "");
        *line = indent;
    }
    put(b, "%s", w);
    *line += wlen;
}

/* Axis d at offset off; indent is NumPy's hanging indent (d + 1 spaces,
 * the brackets opened so far), width the line width left for it. */
static void emit(const printer *p, strbuf *b, int d, size_t off, int indent,
                 int width)
{
    const nn_tensor *t = p->t;
    int64_t n = t->shape[d], edge = p->o.edgeitems;
    bool summary = p->summary && n > 2 * edge;
    char buf[NUMBUF];
    put(b, "[");
    if (d == t->ndim - 1) {
        int limit = width - 1; /* room for the closing bracket */
        int line = indent;
        for (int64_t i = 0; i < n; i++) {
            if (summary && i == edge) {
                add_word(b, &line, indent, limit, "...", 3);
                put(b, " ");
                line++;
                i = n - edge - 1;
                continue;
            }
            int k = format_value(p, t->data[off + (size_t)(i * p->st[d])], buf);
            add_word(b, &line, indent, limit, buf, k);
            if (i < n - 1) {
                put(b, " ");
                line++;
            }
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            if (i > 0) { /* a blank line per axis left below the next */
                for (int k = 0; k < t->ndim - d - 1; k++)
                    put(b, "\n");
                put(b, "%*s", indent, "");
            }
            if (summary && i == edge) {
                put(b, "...");
                for (int k = 0; k < t->ndim - d - 1; k++)
                    put(b, "\n");
                put(b, "%*s", indent, "");
                i = n - edge;
            }
            emit(p, b, d + 1, off + (size_t)(i * p->st[d]), indent + 1, width - 1);
        }
    }
    put(b, "]");
}

char *nn_tensor_format(const nn_tensor *t, const nn_format_options *opt)
{
    static const nn_format_options defaults = NN_FORMAT_DEFAULTS;
    strbuf b = {malloc(256), 0, 256, 0};
    if (!b.s)
        return NULL;
    b.s[0] = '\0';
    printer p = {.t = t, .o = opt ? *opt : defaults};
    if (p.o.precision < 0)
        p.o.precision = 0;
    if (p.o.precision > 30)
        p.o.precision = 30;
    if (p.o.edgeitems < 1)
        p.o.edgeitems = 1;
    p.summary = (int64_t)t->size > p.o.threshold;
    nn_contiguous_strides(p.st, t->ndim, t->shape);
    if (t->symbolic) {
        put(&b, "(symbolic: no values)");
    } else if (t->size == 0) {
        put(&b, "[]");
    } else if (t->ndim == 0) {
        format_scalar(&b, t->data[0]);
    } else {
        choose_format(&p);
        emit(&p, &b, 0, 0, 1, p.o.linewidth);
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
