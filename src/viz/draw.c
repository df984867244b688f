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

static PangoLayout *make_layout(cairo_t *cr, const char *text, double size,
                                int bold, double maxw)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pango_layout_get_context(l), fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(l);

    PangoFontDescription *d = pango_font_description_from_string(FONT_FAMILIES);
    pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
    pango_font_description_set_weight(d, bold ? PANGO_WEIGHT_BOLD
                                              : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, d);
    pango_font_description_free(d);
    if (maxw > 0) {
        pango_layout_set_width(l, (int)(maxw * PANGO_SCALE));
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    }
    char *valid = g_utf8_make_valid(text ? text : "", -1);
    pango_layout_set_text(l, valid, -1);
    g_free(valid);
    return l;
}

static void layout_size(PangoLayout *l, double *w, double *h)
{
    PangoRectangle ink, logical;
    pango_layout_get_extents(l, &ink, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
}

void nn_text_size(cairo_t *cr, const char *text, double size, int bold,
                  double maxw, double *w, double *h)
{
    PangoLayout *l = make_layout(cr, text, size, bold, maxw);
    layout_size(l, w, h);
    g_object_unref(l);
}

void nn_text_draw(cairo_t *cr, const char *text, double size, int bold,
                  double maxw, double x, double y, double angle, double ax,
                  double ay, nn_rgb colour)
{
    PangoLayout *l = make_layout(cr, text, size, bold, maxw);
    double w, h;
    layout_size(l, &w, &h);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, -ax * w, -ay * h);
    cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
    pango_cairo_update_layout(cr, l);
    pango_cairo_show_layout(cr, l);
    cairo_restore(cr);
    g_object_unref(l);
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
