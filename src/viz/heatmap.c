/* heatmap.c - seaborn-like heatmaps with cairo (see heatmap.h). */
#include "heatmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colormap.h"
#include "draw.h"

/* Sizes at scale 1, in units. */
#define PAD 12.0         /* around a panel */
#define TICK_LEN 3.5
#define TICK_GAP 2.5     /* tick to its label */
#define LABEL_GAP 6.0    /* tick labels to an axis label */
#define TITLE_GAP 8.0
#define CB_GAP 14.0      /* plot to colorbar */
#define CB_W 14.0
#define FS_TICK 11.0
#define FS_LABEL 12.5
#define FS_TITLE 14.0
#define FS_ANNOT 10.5
#define MAX_LABEL_W 170.0 /* longer labels are ellipsized */
#define AUTO_MAX 3000.0   /* the automatic size stays below this */
#define MIN_PLOT_H 80.0

typedef struct panel {
    const nn_heatmap *h;
    nn_cmap cmap;
    nn_numfmt fmt;
    double vmin, vmax;
    size_t nonfinite;
    int colorbar;
    double s;
    double line_tick, line_label, line_title, char_tick, char_label;
    double ymaxw, annot_w, annot_h;
    double title_h, xlabel_h, ylabel_w, ytick_w, cb_part_w;
    int ylabel_stacked, cblabel_stacked;
    /* the column labels: widths (one line), and when turned vertical, the
     * width across the axis and the length down it (Latin text rotated,
     * CJK stacked upright) */
    double *xw, *xfoot, *xlen;
    unsigned char *xcjk;
    double xvert_h;
    nn_text title; /* as fitted to the panel's width */
    /* the layout */
    double cw, ch;
    int xrot, xstep, ystep, xstacked;
    double w, ht; /* the panel's size */
} panel;

static const char *label_of(const panel *p, int axis, int64_t i, char *buf,
                            size_t n)
{
    const char *const *labels = axis ? p->h->xlabels : p->h->ylabels;
    if (labels && labels[i])
        return labels[i];
    snprintf(buf, n, "%lld", (long long)i);
    return buf;
}

/* The data's range, ignoring non-finite values. */
static void data_range(const nn_heatmap *h, double *lo, double *hi,
                       size_t *nonfinite)
{
    double a = INFINITY, b = -INFINITY;
    size_t bad = 0, n = (size_t)(h->rows * h->cols);
    for (size_t i = 0; i < n; i++) {
        double v = h->data[i];
        if (!isfinite(v)) {
            bad++;
            continue;
        }
        if (v < a)
            a = v;
        if (v > b)
            b = v;
    }
    *lo = a;
    *hi = b;
    *nonfinite = bad;
}

/* Fills in a colour range: the given ends, else the data's; centred on 0
 * for a diverging map; widened when empty. */
static nn_status resolve_range(double *vmin, double *vmax, double gmin,
                               double gmax, double lo, double hi,
                               int diverging, const char *who)
{
    if (!isnan(gmin) && !isfinite(gmin))
        return nn_error(NN_EARG, "%s: vmin must be a finite number", who);
    if (!isnan(gmax) && !isfinite(gmax))
        return nn_error(NN_EARG, "%s: vmax must be a finite number", who);
    if (!isfinite(lo)) { /* no finite value at all */
        lo = 0;
        hi = 1;
    }
    if (diverging && isnan(gmin) && isnan(gmax)) {
        double m = fmax(fabs(lo), fabs(hi));
        lo = -m;
        hi = m;
    }
    double a = isnan(gmin) ? lo : gmin, b = isnan(gmax) ? hi : gmax;
    if (!isnan(gmin) && !isnan(gmax) && !(gmin < gmax))
        return nn_error(NN_EARG, "%s: vmin (%g) must be less than vmax (%g)",
                        who, gmin, gmax);
    if (!(a < b)) {
        if (!isnan(gmin))
            b = a + 1;
        else if (!isnan(gmax))
            a = b - 1;
        else {
            double d = a == 0 ? 0.5 : fabs(a) * 0.5;
            a -= d;
            b += d;
        }
    }
    *vmin = a;
    *vmax = b;
    return NN_OK;
}

/* The colorbar's tick labels, its widest label. */
static double cbar_ticks(cairo_t *cr, const panel *p, double height,
                         double *ticks, int *n, double *step)
{
    int maxn = (int)(height / (2.2 * p->line_tick));
    if (maxn > 8)
        maxn = 8;
    if (maxn < 2)
        maxn = 2;
    *n = nn_nice_ticks(p->vmin, p->vmax, maxn, ticks, 16, step);
    while (*n < 2 && maxn < 12) /* at least two ticks */
        *n = nn_nice_ticks(p->vmin, p->vmax, ++maxn, ticks, 16, step);
    double widest = 0;
    for (int i = 0; i < *n; i++) {
        char buf[64];
        double w, h;
        nn_format_tick(buf, sizeof buf, ticks[i], *step);
        nn_text_size(cr, buf, FS_TICK * p->s, 0, 0, &w, &h);
        widest = fmax(widest, w);
    }
    return widest;
}

/* At most this many characters of a stacked label fit length (units). */
static int stack_chars(double length, double char_h)
{
    int n = (int)floor(length / char_h + 1e-9);
    return n < 1 ? 1 : n;
}

/* Measures everything that does not depend on the cell size. */
static nn_status measure(cairo_t *cr, panel *p, const char *who)
{
    const nn_heatmap *h = p->h;
    double s = p->s, w, ht;
    char buf[64];
    nn_text_size(cr, "0Ag", FS_TICK * s, 0, 0, &w, &p->line_tick);
    nn_text_size(cr, "0Ag", FS_LABEL * s, 0, 0, &w, &p->line_label);
    /* the height of one stacked CJK character */
    nn_text_size(cr, "\u56fd", FS_TICK * s, 0, 0, &w, &p->char_tick);
    nn_text_size(cr, "\u56fd", FS_LABEL * s, 0, 0, &w, &p->char_label);
    size_t cols = (size_t)h->cols;
    free(p->xw);
    p->xw = malloc(cols * (3 * sizeof(double) + 1));
    if (!p->xw)
        return nn_error(NN_ENOMEM, "%s: out of memory", who);
    p->xfoot = p->xw + cols;
    p->xlen = p->xfoot + cols;
    p->xcjk = (unsigned char *)(p->xlen + cols);
    p->ymaxw = p->xvert_h = 0;
    nn_text stacked = {.size = FS_TICK * s, .stacked = 1,
                       .max_chars = stack_chars(MAX_LABEL_W * s, p->char_tick)};
    for (int64_t j = 0; j < h->cols; j++) {
        const char *l = label_of(p, 1, j, buf, sizeof buf);
        nn_text_size(cr, l, FS_TICK * s, 0, MAX_LABEL_W * s, &w, &ht);
        p->xw[j] = w;
        p->line_tick = fmax(p->line_tick, ht);
        p->xcjk[j] = (unsigned char)nn_text_is_cjk(l);
        if (p->xcjk[j])
            nn_text_measure(cr, l, &stacked, &p->xfoot[j], &p->xlen[j], NULL);
        else {
            p->xfoot[j] = ht;
            p->xlen[j] = w;
        }
        p->xvert_h = fmax(p->xvert_h, p->xlen[j]);
    }
    for (int64_t i = 0; i < h->rows; i++) {
        nn_text_size(cr, label_of(p, 0, i, buf, sizeof buf), FS_TICK * s, 0,
                     MAX_LABEL_W * s, &w, &ht);
        p->ymaxw = fmax(p->ymaxw, w);
    }
    p->annot_w = p->annot_h = 0;
    if (h->annotate) {
        size_t n = (size_t)(h->rows * h->cols);
        /* the widest of a sample is enough: widths follow the digits */
        size_t stride = n > 4096 ? n / 4096 : 1;
        for (size_t i = 0; i < n; i += stride) {
            nn_numfmt_apply(&p->fmt, buf, sizeof buf, h->data[i]);
            nn_text_size(cr, buf, FS_ANNOT * s, 0, 0, &w, &ht);
            p->annot_w = fmax(p->annot_w, w);
            p->annot_h = fmax(p->annot_h, ht);
        }
    }
    p->title_h = 0;
    if (h->title && *h->title) { /* one line until the width is known */
        nn_text_size(cr, h->title, FS_TITLE * s, 1, 0, &w, &p->line_title);
        p->title_h = p->line_title + TITLE_GAP * s;
    }
    p->xlabel_h = h->xlabel && *h->xlabel ? LABEL_GAP * s + p->line_label : 0;
    p->ylabel_w = 0;
    p->ylabel_stacked = 0;
    if (h->ylabel && *h->ylabel) {
        double lw = p->line_label;
        p->ylabel_stacked = nn_text_is_cjk(h->ylabel);
        if (p->ylabel_stacked) {
            nn_text st = {.size = FS_LABEL * s, .stacked = 1};
            nn_text_measure(cr, h->ylabel, &st, &lw, &ht, NULL);
        }
        p->ylabel_w = LABEL_GAP * s + lw;
    }
    p->ytick_w = TICK_LEN * s + TICK_GAP * s + p->ymaxw;
    p->cb_part_w = 0;
    p->cblabel_stacked = 0;
    if (p->colorbar) {
        double ticks[16], step;
        int n;
        double widest = cbar_ticks(cr, p, 400 * s, ticks, &n, &step);
        p->cb_part_w = (CB_GAP + CB_W + TICK_LEN + TICK_GAP) * s + widest;
        const char *cl = h->colorbar_label;
        if (cl && *cl) {
            double lw = p->line_label;
            p->cblabel_stacked = nn_text_is_cjk(cl);
            if (p->cblabel_stacked) {
                nn_text st = {.size = FS_LABEL * s, .stacked = 1};
                nn_text_measure(cr, cl, &st, &lw, &ht, NULL);
            }
            p->cb_part_w += LABEL_GAP * s + lw;
        }
    }
    return NN_OK;
}

static double fixed_w(const panel *p)
{
    return 2 * PAD * p->s + p->ylabel_w + p->ytick_w + p->cb_part_w;
}

/* Column labels stay level when no two neighbours overlap and the first
 * and last stay inside the panel; else each is turned vertical (Latin text
 * rotated a quarter turn, CJK stacked upright) and only every xstep-th is
 * drawn when even that is too wide for the columns. */
static void x_labels_for(panel *p, double cw)
{
    double s = p->s, gap = 4 * s;
    int64_t n = p->h->cols;
    int level = p->xw[0] / 2 - cw / 2 <= PAD * s + p->ylabel_w + p->ytick_w &&
                p->xw[n - 1] / 2 - cw / 2 <= PAD * s + p->cb_part_w;
    for (int64_t j = 0; level && j + 1 < n; j++)
        if ((p->xw[j] + p->xw[j + 1]) / 2 + gap > cw)
            level = 0;
    p->xstep = 1;
    p->xstacked = 0;
    if (level) {
        p->xrot = 0;
        return;
    }
    p->xrot = 1;
    double foot = 0;
    for (int64_t j = 0; j < n; j++) {
        foot = fmax(foot, p->xfoot[j]);
        p->xstacked += p->xcjk[j];
    }
    p->xstep = (int)ceil((foot + 1.5 * s) / cw - 1e-9);
    if (p->xstep < 1)
        p->xstep = 1;
}

static double fixed_h(const panel *p)
{
    double xtick = (TICK_LEN + TICK_GAP) * p->s +
                   (p->xrot ? p->xvert_h : p->line_tick);
    return 2 * PAD * p->s + p->title_h + xtick + p->xlabel_h;
}

/* Lays a panel out: natural size when W, H are 0, else exactly W x H. */
static nn_status layout(panel *p, double W, double H, const char *who)
{
    const nn_heatmap *h = p->h;
    double s = p->s, rows = (double)h->rows, cols = (double)h->cols;
    double c0 = fmin(560.0 / cols, 420.0 / rows);
    c0 = fmax(10.0, fmin(56.0, c0)) * s;
    double cw = c0, ch = c0;
    if (h->annotate) {
        cw = fmax(cw, p->annot_w + 8 * s);
        ch = fmax(ch, p->annot_h + 6 * s);
    }
    ch = fmax(ch, MIN_PLOT_H * s / rows);
    /* the automatic size has a ceiling */
    double capw = fmin(AUTO_MAX * s, NN_VIZ_MAX_SIDE);
    if (W <= 0 && fixed_w(p) + cols * cw > capw)
        cw = fmax(1.0, (capw - fixed_w(p)) / cols);
    x_labels_for(p, cw);
    if (H <= 0 && fixed_h(p) + rows * ch > capw)
        ch = fmax(1.0, (capw - fixed_h(p)) / rows);
    double ratio = ch / cw;

    if (W > 0) {
        cw = (W - fixed_w(p)) / cols;
        if (cw < 1)
            return nn_error(NN_EARG, "%s: a width of %g is too small for %lld "
                            "columns and their labels (at least %.0f)", who,
                            W, (long long)h->cols, ceil(fixed_w(p) + cols));
        if (H <= 0)
            ch = cw * ratio;
        x_labels_for(p, cw);
    }
    if (H > 0) {
        for (int pass = 0; pass < 2; pass++) {
            ch = (H - fixed_h(p)) / rows;
            if (W <= 0) {
                cw = ch / ratio;
                x_labels_for(p, cw);
            }
        }
        if (ch < 1)
            return nn_error(NN_EARG, "%s: a height of %g is too small for %lld "
                            "rows and their labels (at least %.0f)", who,
                            H, (long long)h->rows, ceil(fixed_h(p) + rows));
    }
    if (cw < 1 || ch < 1)
        return nn_error(NN_EARG, "%s: %lld x %lld cells are too many to draw "
                        "(each needs at least one pixel; the image is at most "
                        "%g on a side)", who, (long long)h->rows,
                        (long long)h->cols, NN_VIZ_MAX_SIDE);
    p->cw = cw;
    p->ch = ch;
    p->ystep = (int)ceil(p->line_tick * 1.02 / ch - 1e-9);
    if (p->ystep < 1)
        p->ystep = 1;
    p->w = W > 0 ? W : fixed_w(p) + cols * cw;
    p->ht = H > 0 ? H : fixed_h(p) + rows * ch;
    return NN_OK;
}

/* seaborn's choice of text colour over a cell */
static nn_rgb text_over(const double rgb[3])
{
    double lin[3];
    for (int k = 0; k < 3; k++)
        lin[k] = rgb[k] <= 0.03928 ? rgb[k] / 12.92
                                   : pow((rgb[k] + 0.055) / 1.055, 2.4);
    double lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return lum > 0.408 ? NN_TEXT_DARK : (nn_rgb){1, 1, 1};
}

static void tick_line(cairo_t *cr, double x0, double y0, double x1, double y1,
                      double s)
{
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 0.8 * s);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
}

static void hatch(cairo_t *cr, double x0, double y0, double x1, double y1,
                  double s)
{
    cairo_save(cr);
    cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.86, 0.86, 0.86);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 0.9 * s);
    double gap = 5 * s, span = (x1 - x0) + (y1 - y0);
    for (double d = 0; d <= span + gap; d += gap) {
        cairo_move_to(cr, x0 + d, y0);
        cairo_line_to(cr, x0 + d - (y1 - y0), y1);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* 0xRRGGBB of a colour with components in [0, 1] */
static uint32_t pack_rgb(const double rgb[3])
{
    uint32_t out = 0;
    for (int k = 0; k < 3; k++) {
        long c = lround(rgb[k] * 255);
        out = out << 8 | (uint32_t)(c < 0 ? 0 : c > 255 ? 255 : c);
    }
    return out;
}

/* x of a box of width w centred on c as far as [lo, hi] allows */
static double centre_in(double c, double w, double lo, double hi)
{
    if (w >= hi - lo)
        return (lo + hi) / 2;
    return fmin(fmax(c, lo + w / 2), hi - w / 2);
}

/* A label along a vertical axis with its left edge at x, centred on cy as
 * far as the span from lo to hi allows: CJK stacked upright, other text
 * turned a quarter turn (reading upwards), cut to the span. */
static void vertical_label(cairo_t *cr, const panel *p, const char *text,
                           int stacked, double x, double cy, double lo,
                           double hi)
{
    double s = p->s, room = hi - lo > 1 ? hi - lo : 1, w, len;
    if (stacked) {
        nn_text t = {.size = FS_LABEL * s, .stacked = 1,
                     .max_chars = stack_chars(room, p->char_label)};
        nn_text_measure(cr, text, &t, &w, &len, NULL);
        nn_text_put(cr, text, &t, x, centre_in(cy, len, lo, hi), 0, 0, 0.5,
                    NN_TEXT_DARK);
    } else {
        nn_text_size(cr, text, FS_LABEL * s, 0, room, &len, &w);
        nn_text_draw(cr, text, FS_LABEL * s, 0, room, x,
                     centre_in(cy, len, lo, hi), -M_PI / 2, 0.5, 0,
                     NN_TEXT_DARK);
    }
}

/* Draws the colorbar of a colour scale in the rectangle (x, y, w, h); its
 * label may take the height from lo to hi. */
static nn_status draw_colorbar(cairo_t *cr, const panel *p, int vector,
                               double x, double y, double w, double h,
                               double lo, double hi, const char *who)
{
    double s = p->s, rgb[3];
    double xl = round(x), xr = round(x + w);
    uint32_t strip[NN_COLORMAP_N]; /* entry 255 at the top */
    for (int i = 0; i < NN_COLORMAP_N; i++) {
        nn_cmap_entry(&p->cmap, NN_COLORMAP_N - 1 - i, rgb);
        strip[i] = pack_rgb(rgb);
    }
    nn_status st = nn_draw_pixels(cr, vector, strip, 1, NN_COLORMAP_N, xl, y,
                                  xr - xl, h, who);
    if (st != NN_OK)
        return st;
    double ticks[16], step;
    int n;
    double widest = cbar_ticks(cr, p, h, ticks, &n, &step);
    double bottom = y + h;
    for (int i = 0; i < n; i++) {
        double ty = bottom - (ticks[i] - p->vmin) / (p->vmax - p->vmin) * h;
        char buf[64];
        nn_format_tick(buf, sizeof buf, ticks[i], step);
        tick_line(cr, xr, ty, xr + TICK_LEN * s, ty, s);
        nn_text_draw(cr, buf, FS_TICK * s, 0, 0, xr + (TICK_LEN + TICK_GAP) * s,
                     ty, 0, 0, 0.5, NN_TEXT_DARK);
    }
    const char *label = p->h->colorbar_label;
    if (label && *label)
        vertical_label(cr, p, label, p->cblabel_stacked,
                       xr + (TICK_LEN + TICK_GAP + LABEL_GAP) * s + widest,
                       y + h / 2, lo, hi);
    return NN_OK;
}

/* Draws a laid-out panel with its top-left corner at (ox, oy). */
static nn_status draw_panel(cairo_t *cr, const panel *p, int vector,
                            double ox, double oy, nn_heatmap_info *info,
                            const char *who)
{
    const nn_heatmap *h = p->h;
    double s = p->s, rgb[3];
    double px = ox + PAD * s + p->ylabel_w + p->ytick_w;
    double py = oy + PAD * s + p->title_h;
    double pw = (double)h->cols * p->cw, ph = (double)h->rows * p->ch;
    double left = ox + PAD * s, right = ox + p->w - PAD * s;
    /* the vertical labels stay between the title and the x axis label */
    double top = oy + PAD * s, bottom = oy + p->ht - PAD * s - p->xlabel_h;
    char buf[64];

    /* the cells: one image, a pixel per cell, drawn without smoothing */
    size_t ncells = (size_t)h->rows * (size_t)h->cols;
    uint32_t *pixels = malloc(ncells * sizeof *pixels);
    if (!pixels)
        return nn_error(NN_ENOMEM, "%s: out of memory for the %lld x %lld "
                        "cells", who, (long long)h->rows, (long long)h->cols);
    double grey[3] = {0.86, 0.86, 0.86};
    for (size_t i = 0; i < ncells; i++) {
        double v = h->data[i];
        if (isfinite(v))
            nn_cmap_color(&p->cmap, v, p->vmin, p->vmax, rgb);
        pixels[i] = pack_rgb(isfinite(v) ? rgb : grey);
    }
    nn_status st = nn_draw_pixels(cr, vector, pixels, (int)h->cols,
                                  (int)h->rows, px, py, pw, ph, who);
    free(pixels);
    if (st != NN_OK)
        return st;
    if (p->nonfinite)
        for (int64_t i = 0; i < h->rows; i++)
            for (int64_t j = 0; j < h->cols; j++)
                if (!isfinite(h->data[i * h->cols + j])) {
                    double x0 = px + (double)j * p->cw, y0 = py + (double)i * p->ch;
                    double x1 = x0 + p->cw, y1 = y0 + p->ch;
                    if (!vector) {
                        x0 = round(x0), x1 = round(x1);
                        y0 = round(y0), y1 = round(y1);
                    }
                    if (x1 > x0 && y1 > y0)
                        hatch(cr, x0, y0, x1, y1, s);
                }

    if (h->annotate) {
        for (int64_t i = 0; i < h->rows; i++)
            for (int64_t j = 0; j < h->cols; j++) {
                double v = h->data[i * h->cols + j];
                nn_rgb colour = NN_TEXT_DARK;
                if (isfinite(v)) {
                    nn_cmap_color(&p->cmap, v, p->vmin, p->vmax, rgb);
                    colour = text_over(rgb);
                }
                nn_numfmt_apply(&p->fmt, buf, sizeof buf, v);
                nn_text_draw(cr, buf, FS_ANNOT * s, 0, 0,
                             px + ((double)j + 0.5) * p->cw,
                             py + ((double)i + 0.5) * p->ch, 0, 0.5, 0.5,
                             colour);
            }
    }

    /* column labels under the cells (the given columns, else every
     * xstep-th), row labels to their left */
    nn_text stacked = {.size = FS_TICK * s, .stacked = 1,
                       .max_chars = stack_chars(MAX_LABEL_W * s, p->char_tick)};
    int64_t nx = h->xticks ? h->nxticks : (h->cols + p->xstep - 1) / p->xstep;
    for (int64_t k = 0; k < nx; k++) {
        int64_t j = h->xticks ? h->xticks[k] : k * p->xstep;
        double x = px + ((double)j + 0.5) * p->cw, y = py + ph;
        double ly = y + (TICK_LEN + TICK_GAP) * s;
        tick_line(cr, x, y, x, y + TICK_LEN * s, s);
        const char *l = label_of(p, 1, j, buf, sizeof buf);
        if (!p->xrot)
            nn_text_draw(cr, l, FS_TICK * s, 0, MAX_LABEL_W * s, x, ly, 0, 0.5,
                         0, NN_TEXT_DARK);
        else if (p->xcjk[j])
            nn_text_put(cr, l, &stacked, x, ly, 0, 0.5, 0, NN_TEXT_DARK);
        else
            nn_text_draw(cr, l, FS_TICK * s, 0, MAX_LABEL_W * s, x, ly,
                         -M_PI / 2, 1, 0.5, NN_TEXT_DARK);
    }
    for (int64_t i = 0; i < h->rows; i += p->ystep) {
        double y = py + ((double)i + 0.5) * p->ch;
        tick_line(cr, px - TICK_LEN * s, y, px, y, s);
        nn_text_draw(cr, label_of(p, 0, i, buf, sizeof buf), FS_TICK * s, 0,
                     MAX_LABEL_W * s, px - (TICK_LEN + TICK_GAP) * s, y, 0, 1,
                     0.5, NN_TEXT_DARK);
    }
    double xtick = (TICK_LEN + TICK_GAP) * s + (p->xrot ? p->xvert_h : p->line_tick);
    if (p->xlabel_h > 0) {
        double room = right - left, w, lh;
        nn_text_size(cr, h->xlabel, FS_LABEL * s, 0, room, &w, &lh);
        nn_text_draw(cr, h->xlabel, FS_LABEL * s, 0, room,
                     centre_in(px + pw / 2, w, left, right),
                     py + ph + xtick + LABEL_GAP * s, 0, 0.5, 0, NN_TEXT_DARK);
    }
    if (p->ylabel_w > 0)
        vertical_label(cr, p, h->ylabel, p->ylabel_stacked, left, py + ph / 2,
                       py, bottom);
    if (h->title && *h->title) {
        double w, th;
        nn_text_measure(cr, h->title, &p->title, &w, &th, NULL);
        nn_text_put(cr, h->title, &p->title, centre_in(px + pw / 2, w, left, right),
                    top, 0, 0.5, 0, NN_TEXT_DARK);
    }
    double cbx = px + pw + CB_GAP * s;
    if (p->colorbar) {
        st = draw_colorbar(cr, p, vector, cbx, py, CB_W * s, ph, py, bottom,
                           who);
        if (st != NN_OK)
            return st;
    }

    if (info) {
        info->plot_x = px;
        info->plot_y = py;
        info->cell_w = p->cw;
        info->cell_h = p->ch;
        info->cbar_x = p->colorbar ? round(cbx) : 0;
        info->cbar_y = p->colorbar ? py : 0;
        info->cbar_w = p->colorbar ? round(cbx + CB_W * s) - round(cbx) : 0;
        info->cbar_h = p->colorbar ? ph : 0;
        info->vmin = p->vmin;
        info->vmax = p->vmax;
        info->nonfinite = p->nonfinite;
        info->xrotated = p->xrot;
        info->xstep = p->xstep;
        info->ystep = p->ystep;
        info->xstacked = p->xstacked;
    }
    return NN_OK;
}

static nn_status check_panel(const nn_heatmap *h, const char *who)
{
    if (!h->data || h->rows < 1 || h->cols < 1)
        return nn_error(NN_EARG, "%s: nothing to draw (a %lld x %lld matrix)",
                        who, (long long)h->rows, (long long)h->cols);
    if (h->rows > (int64_t)NN_VIZ_MAX_SIDE || h->cols > (int64_t)NN_VIZ_MAX_SIDE)
        return nn_error(NN_EARG, "%s: a %lld x %lld matrix is too big to draw "
                        "(at most %g rows and columns)", who,
                        (long long)h->rows, (long long)h->cols,
                        NN_VIZ_MAX_SIDE);
    return NN_OK;
}

nn_status nn_heatmap_shared_range(size_t n, const nn_heatmap *panels,
                                  double *vmin, double *vmax, const char *who)
{
    if (n == 0)
        return nn_error(NN_EARG, "%s: no heatmaps to draw", who);
    nn_cmap cmap;
    nn_status st = nn_cmap_find(&cmap, panels[0].cmap, who);
    if (st != NN_OK)
        return st;
    double glo = INFINITY, ghi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        st = check_panel(&panels[k], who);
        if (st != NN_OK)
            return st;
        double lo, hi;
        size_t bad;
        data_range(&panels[k], &lo, &hi, &bad);
        glo = fmin(glo, lo);
        ghi = fmax(ghi, hi);
    }
    return resolve_range(vmin, vmax, panels[0].vmin, panels[0].vmax, glo, ghi,
                         nn_cmap_diverging(&cmap), who);
}

/* Fits every panel's title to its width and gives the panels of the
 * image one title height (the tallest), so that their plots line up.
 * Returns 1 when a title height changed (the layout must be redone). */
static int fit_titles(cairo_t *cr, panel *ps, size_t n)
{
    double title_h = 0;
    for (size_t k = 0; k < n; k++) {
        panel *p = &ps[k];
        const char *title = p->h->title;
        if (!title || !*title)
            continue;
        double s = p->s, w, th;
        nn_text_fit(cr, title, &p->title, FS_TITLE * s, 1, FS_TITLE * s * 0.7,
                    p->w - 2 * PAD * s, 4);
        nn_text_measure(cr, title, &p->title, &w, &th, NULL);
        title_h = fmax(title_h, th + TITLE_GAP * s);
    }
    int changed = 0;
    for (size_t k = 0; k < n; k++) {
        changed |= fabs(ps[k].title_h - title_h) > 1e-9;
        ps[k].title_h = title_h;
    }
    return changed;
}

nn_status nn_heatmap_grid_render(nn_canvas *canvas, int fmt, size_t n,
                                 const nn_heatmap *panels,
                                 const nn_figure *fig, nn_heatmap_info *info,
                                 double *width, double *height,
                                 const char *who)
{
    static const nn_figure none;
    if (!fig)
        fig = &none;
    if (n == 0)
        return nn_error(NN_EARG, "%s: no heatmaps to draw", who);
    double s = fig->scale > 0 ? fig->scale : 1;
    if (!(s <= 20))
        return nn_error(NN_EARG, "%s: scale must be between 0 and 20", who);
    if (fig->width < 0 || fig->height < 0 || fig->width > NN_VIZ_MAX_SIDE ||
        fig->height > NN_VIZ_MAX_SIDE)
        return nn_error(NN_EARG, "%s: width and height must be between 1 and "
                        "%g", who, NN_VIZ_MAX_SIDE);
    panel *ps = calloc(n, sizeof *ps);
    if (!ps)
        return nn_error(NN_ENOMEM, "%s: out of memory", who);
    cairo_t *mcr = NULL;
    int shared = n > 1 && fig->shared_scale;
    nn_status st = NN_OK;
    for (size_t k = 0; k < n && st == NN_OK; k++) {
        panel *p = &ps[k];
        p->h = &panels[k];
        p->s = s;
        st = check_panel(p->h, who);
        if (st == NN_OK)
            st = nn_cmap_find(&p->cmap, p->h->cmap, who);
        if (st == NN_OK)
            st = nn_numfmt_parse(&p->fmt, p->h->fmt, who);
        if (st != NN_OK)
            break;
        double lo, hi;
        data_range(p->h, &lo, &hi, &p->nonfinite);
        st = resolve_range(&p->vmin, &p->vmax, p->h->vmin, p->h->vmax, lo,
                           hi, nn_cmap_diverging(&p->cmap), who);
        p->colorbar = !p->h->no_colorbar && !shared;
    }
    /* one scale for all: the first panel's map, the union of the ranges */
    panel cb = {0};
    nn_heatmap cbh = {0};
    if (st == NN_OK && shared) {
        cb = ps[0];
        cb.xw = NULL;
        cbh = panels[0];
        cb.h = &cbh;
        st = nn_heatmap_shared_range(n, panels, &cb.vmin, &cb.vmax, who);
        for (size_t k = 0; k < n; k++) {
            ps[k].cmap = cb.cmap;
            ps[k].vmin = cb.vmin;
            ps[k].vmax = cb.vmax;
        }
        cb.colorbar = !panels[0].no_colorbar;
    }
    if (st != NN_OK)
        goto done;

    mcr = nn_measure_context();
    for (size_t k = 0; k < n && st == NN_OK; k++)
        st = measure(mcr, &ps[k], who);
    double cb_w = 0;
    if (st == NN_OK && shared && cb.colorbar) {
        cb.s = s;
        st = measure(mcr, &cb, who);
        cb_w = cb.cb_part_w + PAD * s;
    }
    if (st != NN_OK)
        goto done;
    int ncols = fig->ncols > 0 ? fig->ncols
                               : n <= 3 ? (int)n : (int)ceil(sqrt((double)n));
    if ((size_t)ncols > n)
        ncols = (int)n;
    int nrows = (int)((n + (size_t)ncols - 1) / (size_t)ncols);

    /* Every panel gets a slot of the same size. The titles wrap (or shrink)
     * to the width they get, which may change the heights: lay out again
     * until they agree. */
    int has_gtitle = fig->title && *fig->title;
    nn_text gtitle = {0};
    double gtitle_h = 0, W = 0, H = 0, slot_w = 0, slot_h = 0;
    for (int pass = 0; pass < 4; pass++) {
        double tw, th;
        if (has_gtitle) {
            double guess = fig->width > 0 ? fig->width : W > 0 ? W : 640 * s;
            nn_text_fit(mcr, fig->title, &gtitle, (FS_TITLE + 1) * s, 1,
                        (FS_TITLE + 1) * s * 0.7, guess - 2 * PAD * s, 4);
            nn_text_measure(mcr, fig->title, &gtitle, &tw, &th, NULL);
            gtitle_h = th + PAD * s;
        }
        slot_w = slot_h = 0;
        if (fig->width > 0)
            slot_w = (fig->width - cb_w) / ncols;
        if (fig->height > 0)
            slot_h = (fig->height - gtitle_h) / nrows;
        if ((fig->width > 0 && slot_w <= 0) || (fig->height > 0 && slot_h <= 0)) {
            st = nn_error(NN_EARG, "%s: a %g x %g image is too small", who,
                          fig->width, fig->height);
            goto done;
        }
        double nat_w = 0, nat_h = 0;
        for (size_t k = 0; k < n && st == NN_OK; k++) {
            st = layout(&ps[k], slot_w, slot_h, who);
            nat_w = fmax(nat_w, ps[k].w);
            nat_h = fmax(nat_h, ps[k].ht);
        }
        if (st != NN_OK)
            goto done;
        if (slot_w <= 0)
            slot_w = nat_w;
        if (slot_h <= 0)
            slot_h = nat_h;
        double oldW = W;
        W = fig->width > 0 ? fig->width : ncols * slot_w + cb_w;
        H = fig->height > 0 ? fig->height : nrows * slot_h + gtitle_h;
        int again = fit_titles(mcr, ps, n);
        if (has_gtitle && fabs(W - (fig->width > 0 ? fig->width : oldW)) > 1e-9)
            again = 1;
        if (!again)
            break;
    }
    if (W > NN_VIZ_MAX_SIDE || H > NN_VIZ_MAX_SIDE) {
        st = nn_error(NN_EARG, "%s: the image would be %.0f x %.0f, more than "
                      "the largest allowed (%g on a side): pass smaller width "
                      "and height", who, W, H, NN_VIZ_MAX_SIDE);
        goto done;
    }
    if (width)
        *width = W;
    if (height)
        *height = H;
    if (!canvas)
        goto done;
    st = nn_canvas_begin(canvas, (nn_viz_format)fmt, W, H, who);
    if (st != NN_OK)
        goto done;
    cairo_t *cr = canvas->cr;
    if (fig->texts)
        nn_text_log_attach(cr, fig->texts);
    int vector = fmt != NN_VIZ_PNG;
    if (has_gtitle) {
        double tw, th;
        nn_text_measure(cr, fig->title, &gtitle, &tw, &th, NULL);
        nn_text_put(cr, fig->title, &gtitle,
                    centre_in((W - cb_w) / 2, tw, PAD * s, W - PAD * s),
                    PAD * s, 0, 0.5, 0, NN_TEXT_DARK);
    }
    for (size_t k = 0; k < n && st == NN_OK; k++) {
        int r = (int)(k / (size_t)ncols), c = (int)(k % (size_t)ncols);
        /* a panel smaller than its slot sits at its top, centred */
        double ox = c * slot_w + (slot_w - ps[k].w) / 2;
        double oy = gtitle_h + r * slot_h;
        st = draw_panel(cr, &ps[k], vector, ox, oy, info ? &info[k] : NULL, who);
        if (info) {
            info[k].width = canvas->width;
            info[k].height = canvas->height;
        }
    }
    if (st == NN_OK && shared && cb.colorbar) {
        double top = gtitle_h + PAD * s, bottom = H - PAD * s;
        double span = bottom - top;
        double h = span > 200 * s ? span * 0.8 : span;
        double x = W - cb_w + PAD * s - CB_GAP * s + CB_GAP * s * 0.5;
        double y = top + (span - h) / 2;
        st = draw_colorbar(cr, &cb, vector, x, y, CB_W * s, h, PAD * s,
                           H - PAD * s, who);
        if (info)
            for (size_t k = 0; k < n; k++) {
                info[k].cbar_x = round(x);
                info[k].cbar_y = y;
                info[k].cbar_w = round(x + CB_W * s) - round(x);
                info[k].cbar_h = h;
            }
    }
    nn_text_log_attach(cr, NULL);
    if (st != NN_OK)
        nn_canvas_free(canvas);
done:
    if (mcr)
        cairo_destroy(mcr);
    for (size_t k = 0; k < n; k++)
        free(ps[k].xw);
    free(cb.xw);
    free(ps);
    return st;
}

nn_status nn_heatmap_grid_save(const char *path, size_t n,
                               const nn_heatmap *panels,
                               const nn_figure *fig, nn_heatmap_info *info,
                               const char *who)
{
    nn_viz_format format;
    nn_status st = nn_viz_format_of(&format, path, who);
    if (st != NN_OK)
        return st;
    nn_canvas canvas = {0};
    st = nn_heatmap_grid_render(&canvas, format, n, panels, fig, info, NULL,
                                NULL, who);
    if (st != NN_OK)
        return st;
    return nn_canvas_save(&canvas, path, who);
}

nn_status nn_heatmap_save(const char *path, const nn_heatmap *h,
                          const nn_figure *fig, nn_heatmap_info *info,
                          const char *who)
{
    nn_figure f = fig ? *fig : (nn_figure){0};
    f.title = NULL;
    f.ncols = 1;
    f.shared_scale = 0;
    return nn_heatmap_grid_save(path, 1, h, &f, info, who);
}
