/* draw.c - canvases, text and ticks shared by the plots (see draw.h). */
#include "draw.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h" /* nn_io_write_atomic */

#define FONT_FAMILIES "DejaVu Sans,Noto Sans CJK SC,Noto Sans CJK JP,Sans"

nn_status nn_viz_format_of(nn_viz_format *fmt, const char *path,
                           const char *who)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        char ext[8] = {0};
        size_t n = strlen(dot + 1);
        for (size_t i = 0; i < n && i < sizeof ext - 1; i++) {
            char ch = dot[1 + i];
            ext[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        if (n == 3 && !strcmp(ext, "png"))
            return *fmt = NN_VIZ_PNG, NN_OK;
        if (n == 3 && !strcmp(ext, "svg"))
            return *fmt = NN_VIZ_SVG, NN_OK;
        if (n == 3 && !strcmp(ext, "pdf"))
            return *fmt = NN_VIZ_PDF, NN_OK;
    }
    return nn_error(NN_EARG, "%s: cannot tell the format of '%.200s': use a "
                    "file name ending in .png, .svg or .pdf", who, path);
}

static cairo_status_t to_buffer(void *closure, const unsigned char *data,
                                unsigned int length)
{
    nn_canvas *c = closure;
    if (c->len + length > c->cap) {
        size_t cap = c->cap ? c->cap : 65536;
        while (cap < c->len + length)
            cap *= 2;
        unsigned char *p = realloc(c->buf, cap);
        if (!p) {
            c->oom = 1;
            return CAIRO_STATUS_NO_MEMORY;
        }
        c->buf = p;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, data, length);
    c->len += length;
    return CAIRO_STATUS_SUCCESS;
}

nn_status nn_canvas_begin(nn_canvas *c, nn_viz_format fmt, double width,
                          double height, const char *who)
{
    memset(c, 0, sizeof *c);
    c->fmt = fmt;
    if (!(width >= 1 && height >= 1 && width <= NN_VIZ_MAX_SIDE &&
          height <= NN_VIZ_MAX_SIDE))
        return nn_error(NN_EARG, "%s: an image of %g x %g is not possible "
                        "(each side must be 1 to %g)", who, width, height,
                        NN_VIZ_MAX_SIDE);
    c->width = (int)ceil(width - 1e-9);
    c->height = (int)ceil(height - 1e-9);
    switch (fmt) {
    case NN_VIZ_PNG:
        c->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                                c->width, c->height);
        break;
    case NN_VIZ_SVG:
        c->surface = cairo_svg_surface_create_for_stream(
            to_buffer, c, c->width, c->height);
        if (cairo_surface_status(c->surface) == CAIRO_STATUS_SUCCESS)
            cairo_svg_surface_set_document_unit(c->surface, CAIRO_SVG_UNIT_PT);
        break;
    case NN_VIZ_PDF:
        c->surface = cairo_pdf_surface_create_for_stream(
            to_buffer, c, c->width, c->height);
        if (cairo_surface_status(c->surface) == CAIRO_STATUS_SUCCESS)
            cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_CREATOR,
                                           "attnlab");
        break;
    }
    if (cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS) {
        nn_canvas_free(c);
        return nn_error(NN_ENOMEM, "%s: cannot make an image of %d x %d",
                        who, c->width, c->height);
    }
    c->cr = cairo_create(c->surface);
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    return NN_OK;
}

void nn_canvas_free(nn_canvas *c)
{
    if (c->cr)
        cairo_destroy(c->cr);
    if (c->surface)
        cairo_surface_destroy(c->surface);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* cairo 1.16 writes an SVG <image> without a filter, so viewers smooth a
 * heatmap's pixels into a blur: every image we draw is a grid of cells
 * (nn_draw_pixels), shown sharp as in matplotlib's SVGs. */
static nn_status svg_nearest(nn_canvas *c)
{
    static const char tag[] = "<image ";
    static const char attr[] =
        "image-rendering=\"optimizeSpeed\" "
        "style=\"image-rendering:crisp-edges;image-rendering:pixelated\" ";
    size_t taglen = sizeof tag - 1, attrlen = sizeof attr - 1, count = 0;
    for (size_t i = 0; i + taglen <= c->len; i++)
        if (!memcmp(c->buf + i, tag, taglen))
            count++;
    if (count == 0)
        return NN_OK;
    unsigned char *out = malloc(c->len + count * attrlen);
    if (!out)
        return NN_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < c->len;) {
        if (i + taglen <= c->len && !memcmp(c->buf + i, tag, taglen)) {
            memcpy(out + o, tag, taglen);
            memcpy(out + o + taglen, attr, attrlen);
            o += taglen + attrlen;
            i += taglen;
        } else
            out[o++] = c->buf[i++];
    }
    free(c->buf);
    c->buf = out;
    c->len = c->cap = o;
    return NN_OK;
}

nn_status nn_canvas_save(nn_canvas *c, const char *path, const char *who)
{
    cairo_status_t cs = cairo_status(c->cr);
    if (cs == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(c->surface);
        if (c->fmt == NN_VIZ_PNG)
            cs = cairo_surface_write_to_png_stream(c->surface, to_buffer, c);
        else {
            cairo_surface_finish(c->surface);
            cs = cairo_surface_status(c->surface);
        }
    }
    if (cs != CAIRO_STATUS_SUCCESS || c->oom || c->len == 0) {
        nn_status s = nn_error(c->oom ? NN_ENOMEM : NN_EIO,
                               "%s: drawing the image failed: %s", who,
                               c->oom ? "out of memory"
                                      : cairo_status_to_string(cs));
        nn_canvas_free(c);
        return s;
    }
    if (c->fmt == NN_VIZ_SVG && svg_nearest(c) != NN_OK) {
        nn_canvas_free(c);
        return nn_error(NN_ENOMEM, "%s: drawing the image failed: out of "
                        "memory", who);
    }
    const void *parts[1] = {c->buf};
    size_t sizes[1] = {c->len};
    nn_status s = nn_io_write_atomic(path, 1, parts, sizes);
    nn_canvas_free(c);
    return s;
}

cairo_t *nn_measure_context(void)
{
    static cairo_surface_t *surface;
    if (!surface)
        surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    return cairo_create(surface);
}

/* ---- text ------------------------------------------------------------- */

int nn_text_is_cjk(const char *text)
{
    size_t chars = 0, cjk = 0;
    const char *p = text ? text : "";
    const char *end = p + strlen(p);
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) { /* an invalid byte */
            p++;
            chars++;
            continue;
        }
        p = g_utf8_next_char(p);
        if (g_unichar_isspace(c) || g_unichar_iszerowidth(c))
            continue;
        chars++;
        if ((c >= 0x1100 && c <= 0x11FF) || (c >= 0x2E80 && c <= 0x2FDF) ||
            (c >= 0x3000 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
            (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA960 && c <= 0xA97F) ||
            (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) ||
            (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFFEF) ||
            (c >= 0x20000 && c <= 0x3FFFF))
            cjk++;
    }
    return chars > 0 && 2 * cjk > chars;
}

/* text with a line break after every character (marks and variation
 * selectors stay with the character before them), at most max_chars of
 * them (0: all), the last then a vertical ellipsis (*cut set). Free with
 * g_free. */
static char *stack_text(const char *text, int max_chars, int *cut)
{
    GString *out = g_string_new(NULL);
    int n = 0;
    gsize last = 0; /* where the last character starts */
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c))
            continue;
        int joins = n > 0 && (g_unichar_ismark(c) || g_unichar_iszerowidth(c) ||
                              (c >= 0xFE00 && c <= 0xFE0F));
        if (!joins) {
            if (max_chars > 0 && n == max_chars) {
                g_string_truncate(out, last);
                g_string_append(out, "\u22ee");
                *cut = 1;
                break;
            }
            if (n > 0)
                g_string_append_c(out, '\n');
            last = out->len;
            n++;
        }
        g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    return g_string_free(out, FALSE);
}

/* The layout of text set as t says; *cut (when not NULL) is set to 1 when
 * characters were left out. */
static PangoLayout *make_layout(cairo_t *cr, const char *text,
                                const nn_text *t, int *cut)
{
    int dropped = 0;
    PangoLayout *l = pango_cairo_create_layout(cr);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pango_layout_get_context(l), fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(l);

    PangoFontDescription *d = pango_font_description_from_string(FONT_FAMILIES);
    pango_font_description_set_absolute_size(d, t->size * PANGO_SCALE);
    pango_font_description_set_weight(d, t->bold ? PANGO_WEIGHT_BOLD
                                                 : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, d);
    pango_font_description_free(d);
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    if (t->maxw > 0 && !t->stacked) {
        pango_layout_set_width(l, (int)(t->maxw * PANGO_SCALE));
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        if (t->max_lines > 1) {
            pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
            pango_layout_set_height(l, -t->max_lines);
        }
    }
    char *valid = g_utf8_make_valid(text ? text : "", -1);
    if (t->stacked) {
        char *stacked = stack_text(valid, t->max_chars, &dropped);
        g_free(valid);
        valid = stacked;
    }
    pango_layout_set_text(l, valid, -1);
    g_free(valid);
    if (cut)
        *cut = dropped || pango_layout_is_ellipsized(l);
    return l;
}

int nn_text_measure(cairo_t *cr, const char *text, const nn_text *t,
                    double *w, double *h, int *lines)
{
    int cut;
    PangoLayout *l = make_layout(cr, text, t, &cut);
    PangoRectangle ink, logical;
    pango_layout_get_extents(l, &ink, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
    if (lines)
        *lines = pango_layout_get_line_count(l);
    g_object_unref(l);
    return cut;
}

static const cairo_user_data_key_t log_key;

void nn_text_log_attach(cairo_t *cr, nn_text_log *log)
{
    cairo_set_user_data(cr, &log_key, log, NULL);
}

void nn_text_log_free(nn_text_log *log)
{
    for (size_t i = 0; i < log->n; i++)
        free(log->box[i].text);
    free(log->box);
    memset(log, 0, sizeof *log);
}

/* Appends the box of a layout just drawn: (x0, y0) is where its top-left
 * corner went in user space. */
static void log_text(cairo_t *cr, nn_text_log *log, PangoLayout *l,
                     const char *text, const nn_text *t, int cut, double x0,
                     double y0, double angle)
{
    if (log->n == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 64;
        nn_text_box *b = realloc(log->box, cap * sizeof *b);
        if (!b) {
            log->oom = 1;
            return;
        }
        log->box = b;
        log->cap = cap;
    }
    PangoRectangle ink, logical;
    pango_layout_get_extents(l, &ink, &logical);
    double ux0 = fmin(ink.x, logical.x) / PANGO_SCALE;
    double uy0 = fmin(ink.y, logical.y) / PANGO_SCALE;
    double ux1 = fmax(ink.x + ink.width, logical.x + logical.width) / PANGO_SCALE;
    double uy1 = fmax(ink.y + ink.height, logical.y + logical.height) / PANGO_SCALE;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int k = 0; k < 4; k++) {
        double px = x0 + (k & 1 ? ux1 : ux0), py = y0 + (k & 2 ? uy1 : uy0);
        cairo_user_to_device(cr, &px, &py);
        lo[0] = fmin(lo[0], px);
        lo[1] = fmin(lo[1], py);
        hi[0] = fmax(hi[0], px);
        hi[1] = fmax(hi[1], py);
    }
    char *copy = malloc(strlen(text ? text : "") + 1);
    if (!copy) {
        log->oom = 1;
        return;
    }
    strcpy(copy, text ? text : "");
    nn_text_box *b = &log->box[log->n++];
    b->text = copy;
    b->x = lo[0];
    b->y = lo[1];
    b->w = hi[0] - lo[0];
    b->h = hi[1] - lo[1];
    b->angle = angle;
    b->size = t->size;
    b->lines = pango_layout_get_line_count(l);
    b->stacked = t->stacked;
    b->cut = cut;
    b->frame = log->frame;
}

void nn_text_put(cairo_t *cr, const char *text, const nn_text *t, double x,
                 double y, double angle, double ax, double ay, nn_rgb colour)
{
    int cut;
    PangoLayout *l = make_layout(cr, text, t, &cut);
    PangoRectangle ink, logical;
    pango_layout_get_extents(l, &ink, &logical);
    double w = (double)logical.width / PANGO_SCALE;
    double h = (double)logical.height / PANGO_SCALE;
    /* the layout's origin, so that its logical box is anchored */
    double x0 = -ax * w - (double)logical.x / PANGO_SCALE;
    double y0 = -ay * h - (double)logical.y / PANGO_SCALE;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, x0, y0);
    cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
    pango_cairo_update_layout(cr, l);
    pango_cairo_show_layout(cr, l);
    nn_text_log *log = cairo_get_user_data(cr, &log_key);
    if (log)
        log_text(cr, log, l, text, t, cut, x0, y0, angle);
    cairo_restore(cr);
    g_object_unref(l);
}

void nn_text_fit(cairo_t *cr, const char *text, nn_text *t, double size,
                 int bold, double min_size, double maxw, int max_lines)
{
    memset(t, 0, sizeof *t);
    t->bold = bold;
    t->maxw = maxw > 1 ? maxw : 1;
    t->max_lines = 2;
    double w, h;
    for (t->size = size; t->size > min_size; t->size *= 0.92)
        if (!nn_text_measure(cr, text, t, &w, &h, NULL))
            return;
    t->size = min_size;
    t->max_lines = max_lines > 2 ? max_lines : 2;
}

void nn_text_size(cairo_t *cr, const char *text, double size, int bold,
                  double maxw, double *w, double *h)
{
    nn_text t = {.size = size, .bold = bold, .maxw = maxw};
    nn_text_measure(cr, text, &t, w, h, NULL);
}

void nn_text_draw(cairo_t *cr, const char *text, double size, int bold,
                  double maxw, double x, double y, double angle, double ax,
                  double ay, nn_rgb colour)
{
    nn_text t = {.size = size, .bold = bold, .maxw = maxw};
    nn_text_put(cr, text, &t, x, y, angle, ax, ay, colour);
}

/* ---- images ----------------------------------------------------------- */

nn_status nn_draw_pixels(cairo_t *cr, int vector, const uint32_t *rgb, int w,
                         int h, double x, double y, double dw, double dh,
                         const char *who)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return nn_error(NN_ENOMEM, "%s: cannot make an image of %d x %d", who,
                        w, h);
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int i = 0; i < h; i++)
        memcpy(data + (size_t)i * (size_t)stride, rgb + (size_t)i * (size_t)w,
               (size_t)w * 4);
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    if (!vector) { /* whole pixels: no blended seam at the edges */
        double x0 = round(x), y0 = round(y);
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
        cairo_rectangle(cr, x0, y0, round(x + dw) - x0, round(y + dh) - y0);
        cairo_clip(cr);
    }
    cairo_translate(cr, x, y);
    cairo_scale(cr, dw / w, dh / h);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    if (!vector)
        cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    return NN_OK;
}

/* ---- numbers ---------------------------------------------------------- */

int nn_nice_ticks(double lo, double hi, int maxn, double *ticks, int cap,
                  double *step)
{
    *step = 1;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi)) {
        if (cap > 0 && isfinite(lo)) {
            ticks[0] = lo;
            return 1;
        }
        return 0;
    }
    if (maxn < 2)
        maxn = 2;
    static const double mult[] = {1, 2, 2.5, 5, 10};
    double raw = (hi - lo) / (maxn - 1);
    double p = pow(10, floor(log10(raw)));
    double st = 10 * p;
    for (int i = 0; i < 5; i++)
        if (mult[i] * p >= raw * (1 - 1e-9)) {
            st = mult[i] * p;
            break;
        }
    *step = st;
    int n = 0;
    double first = ceil(lo / st - 1e-9);
    for (double k = first; n < cap; k++) {
        double v = k * st;
        if (v > hi + st * 1e-9)
            break;
        if (fabs(v) < st * 1e-9)
            v = 0;
        ticks[n++] = v;
    }
    return n;
}

void nn_format_tick(char *buf, size_t n, double v, double step)
{
    double a = fabs(v);
    if ((a >= 1e6 || (a > 0 && a < 1e-4)) || step < 1e-5) {
        snprintf(buf, n, "%.3g", v);
        return;
    }
    int dec = 0;
    double s = step;
    while (dec < 6 && fabs(s - floor(s + 1e-9)) > 1e-6 * step) {
        s *= 10;
        dec++;
    }
    snprintf(buf, n, "%.*f", dec, v);
    if (!strcmp(buf, "-0") || !strncmp(buf, "-0.", 3)) {
        /* a negative zero prints as 0 */
        int zero = 1;
        for (const char *q = buf + 1; *q; q++)
            if (*q != '0' && *q != '.')
                zero = 0;
        if (zero)
            memmove(buf, buf + 1, strlen(buf));
    }
}

nn_status nn_numfmt_parse(nn_numfmt *f, const char *spec, const char *who)
{
    const char *p = spec;
    f->conv = 'f';
    f->prec = 2;
    if (!spec)
        return NN_OK;
    if (*p == '%' && p[1] != '\0')
        p++;
    int prec = -1;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            goto bad;
        prec = 0;
        while (*p >= '0' && *p <= '9' && prec <= 20)
            prec = prec * 10 + (*p++ - '0');
        if (prec > 20)
            goto bad;
    }
    if (!*p || p[1] || !strchr("fegd%", *p))
        goto bad;
    f->conv = *p;
    f->prec = prec >= 0 ? prec : (*p == 'g' ? 6 : *p == 'd' ? 0 : 2);
    return NN_OK;
bad:
    return nn_error(NN_EARG, "%s: fmt '%.40s' is not a number format (use one "
                    "like \".2f\", \".3g\", \".1e\", \"d\" or \".0%%\")",
                    who, spec);
}

void nn_numfmt_apply(const nn_numfmt *f, char *buf, size_t n, double v)
{
    if (isnan(v)) {
        snprintf(buf, n, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, n, v > 0 ? "inf" : "-inf");
        return;
    }
    switch (f->conv) {
    case 'e': snprintf(buf, n, "%.*e", f->prec, v); break;
    case 'g': snprintf(buf, n, "%.*g", f->prec, v); break;
    case 'd': snprintf(buf, n, "%.0f", v); break;
    case '%': snprintf(buf, n, "%.*f%%", f->prec, v * 100); break;
    default: snprintf(buf, n, "%.*f", f->prec, v); break;
    }
    if (buf[0] == '-') { /* -0.00 prints as 0.00 */
        int zero = 1;
        for (const char *q = buf + 1; *q && *q != 'e'; q++)
            if (*q >= '1' && *q <= '9')
                zero = 0;
        if (zero)
            memmove(buf, buf + 1, strlen(buf));
    }
}
