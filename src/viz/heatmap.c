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
    double line_tick, line_label, line_title;
    double xmaxw, ymaxw, annot_w, annot_h;
    double title_h, xlabel_h, ylabel_w, ytick_w, cb_part_w;
    /* the layout */
    double cw, ch;
    int xrot, xstep, ystep;
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

/* Measures everything that does not depend on the cell size. */
static void measure(cairo_t *cr, panel *p)
{
    const nn_heatmap *h = p->h;
    double s = p->s, w, ht;
    char buf[64];
    nn_text_size(cr, "0Ag", FS_TICK * s, 0, 0, &w, &p->line_tick);
    nn_text_size(cr, "0Ag", FS_LABEL * s, 0, 0, &w, &p->line_label);
    p->xmaxw = p->ymaxw = 0;
    for (int64_t j = 0; j < h->cols; j++) {
        nn_text_size(cr, label_of(p, 1, j, buf, sizeof buf), FS_TICK * s, 0,
                     MAX_LABEL_W * s, &w, &ht);
        p->xmaxw = fmax(p->xmaxw, w);
        p->line_tick = fmax(p->line_tick, ht);
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
    if (h->title && *h->title) {
        nn_text_size(cr, h->title, FS_TITLE * s, 1, 0, &w, &p->line_title);
        p->title_h = p->line_title + TITLE_GAP * s;
    }
    p->xlabel_h = h->xlabel && *h->xlabel ? LABEL_GAP * s + p->line_label : 0;
    p->ylabel_w = h->ylabel && *h->ylabel ? LABEL_GAP * s + p->line_label : 0;
    p->ytick_w = TICK_LEN * s + TICK_GAP * s + p->ymaxw;
    p->cb_part_w = 0;
    if (p->colorbar) {
        double ticks[16], step;
        int n;
        double widest = cbar_ticks(cr, p, 400 * s, ticks, &n, &step);
        p->cb_part_w = (CB_GAP + CB_W + TICK_LEN + TICK_GAP) * s + widest;
        if (h->colorbar_label && *h->colorbar_label)
            p->cb_part_w += LABEL_GAP * s + p->line_label;
    }
}

static double fixed_w(const panel *p)
{
    return 2 * PAD * p->s + p->ylabel_w + p->ytick_w + p->cb_part_w;
}

static void x_labels_for(panel *p, double cw)
{
    double s = p->s;
    if (p->xmaxw + 4 * s <= cw) {
        p->xrot = 0;
        p->xstep = 1;
    } else {
        p->xrot = 1;
        p->xstep = (int)ceil((p->line_tick + 1.5 * s) / cw - 1e-9);
        if (p->xstep < 1)
            p->xstep = 1;
    }
}

static double fixed_h(const panel *p)
{
    double xtick = (TICK_LEN + TICK_GAP) * p->s +
                   (p->xrot ? p->xmaxw : p->line_tick);
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

/* Draws the colorbar of a colour scale in the rectangle (x, y, w, h). */
static void draw_colorbar(cairo_t *cr, const panel *p, int vector, double x,
                          double y, double w, double h)
{
    double s = p->s, rgb[3];
    double bottom = y + h;
    cairo_save(cr);
    if (!vector)
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    double xl = round(x), xr = round(x + w);
    for (int i = 0; i < NN_COLORMAP_N; i++) {
        double y0 = round(bottom - i * h / NN_COLORMAP_N);
        double y1 = round(bottom - (i + 1) * h / NN_COLORMAP_N);
        if (vector) {
            y0 = bottom - i * h / NN_COLORMAP_N;
            y1 = bottom - (i + 1) * h / NN_COLORMAP_N - (i < 255 ? 0.4 : 0);
        }
        if (y0 <= y1)
            continue;
        nn_cmap_entry(&p->cmap, i, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, xl, y1, xr - xl, y0 - y1);
        cairo_fill(cr);
    }
    cairo_restore(cr);
    double ticks[16], step;
    int n;
    double widest = cbar_ticks(cr, p, h, ticks, &n, &step);
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
        nn_text_draw(cr, label, FS_LABEL * s, 0, 0,
                     xr + (TICK_LEN + TICK_GAP + LABEL_GAP) * s + widest,
                     y + h / 2, -M_PI / 2, 0.5, 0, NN_TEXT_DARK);
}

/* Draws a laid-out panel with its top-left corner at (ox, oy). */
static void draw_panel(cairo_t *cr, const panel *p, int vector, double ox,
                       double oy, nn_heatmap_info *info)
{
    const nn_heatmap *h = p->h;
    double s = p->s, rgb[3];
    double px = ox + PAD * s + p->ylabel_w + p->ytick_w;
    double py = oy + PAD * s + p->title_h;
    double pw = (double)h->cols * p->cw, ph = (double)h->rows * p->ch;
    char buf[64];

    /* cells, edges snapped to whole units so that no seams show */
    cairo_save(cr);
    if (!vector)
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (int64_t i = 0; i < h->rows; i++) {
        double y0 = round(py + (double)i * p->ch);
        double y1 = round(py + (double)(i + 1) * p->ch);
        for (int64_t j = 0; j < h->cols; j++) {
            double x0 = round(px + (double)j * p->cw);
            double x1 = round(px + (double)(j + 1) * p->cw);
            if (x1 <= x0 || y1 <= y0)
                continue;
            double v = h->data[i * h->cols + j];
            double ex = vector && j + 1 < h->cols ? 0.4 : 0;
            double ey = vector && i + 1 < h->rows ? 0.4 : 0;
            if (!isfinite(v)) {
                cairo_save(cr);
                cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
                hatch(cr, x0, y0, x1, y1, s);
                cairo_restore(cr);
                continue;
            }
            nn_cmap_color(&p->cmap, v, p->vmin, p->vmax, rgb);
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_rectangle(cr, x0, y0, x1 - x0 + ex, y1 - y0 + ey);
            cairo_fill(cr);
        }
    }
    cairo_restore(cr);

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
    int64_t nx = h->xticks ? h->nxticks : (h->cols + p->xstep - 1) / p->xstep;
    for (int64_t k = 0; k < nx; k++) {
        int64_t j = h->xticks ? h->xticks[k] : k * p->xstep;
        double x = px + ((double)j + 0.5) * p->cw, y = py + ph;
        tick_line(cr, x, y, x, y + TICK_LEN * s, s);
        const char *l = label_of(p, 1, j, buf, sizeof buf);
        if (p->xrot)
            nn_text_draw(cr, l, FS_TICK * s, 0, MAX_LABEL_W * s, x,
                         y + (TICK_LEN + TICK_GAP) * s, -M_PI / 2, 1, 0.5,
                         NN_TEXT_DARK);
        else
            nn_text_draw(cr, l, FS_TICK * s, 0, MAX_LABEL_W * s, x,
                         y + (TICK_LEN + TICK_GAP) * s, 0, 0.5, 0,
                         NN_TEXT_DARK);
    }
    for (int64_t i = 0; i < h->rows; i += p->ystep) {
        double y = py + ((double)i + 0.5) * p->ch;
        tick_line(cr, px - TICK_LEN * s, y, px, y, s);
        nn_text_draw(cr, label_of(p, 0, i, buf, sizeof buf), FS_TICK * s, 0,
                     MAX_LABEL_W * s, px - (TICK_LEN + TICK_GAP) * s, y, 0, 1,
                     0.5, NN_TEXT_DARK);
    }
    double xtick = (TICK_LEN + TICK_GAP) * s + (p->xrot ? p->xmaxw : p->line_tick);
    if (p->xlabel_h > 0)
        nn_text_draw(cr, h->xlabel, FS_LABEL * s, 0, 0, px + pw / 2,
                     py + ph + xtick + LABEL_GAP * s, 0, 0.5, 0, NN_TEXT_DARK);
    if (p->ylabel_w > 0)
        nn_text_draw(cr, h->ylabel, FS_LABEL * s, 0, 0, ox + PAD * s,
                     py + ph / 2, -M_PI / 2, 0.5, 0, NN_TEXT_DARK);
    if (p->title_h > 0)
        nn_text_draw(cr, h->title, FS_TITLE * s, 1, 0, px + pw / 2,
                     oy + PAD * s, 0, 0.5, 0, NN_TEXT_DARK);
    double cbx = px + pw + CB_GAP * s;
    if (p->colorbar)
        draw_colorbar(cr, p, vector, cbx, py, CB_W * s, ph);

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
    }
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

nn_status nn_heatmap_grid_save(const char *path, size_t n,
                               const nn_heatmap *panels,
                               const nn_figure *fig, nn_heatmap_info *info,
                               const char *who)
{
    static const nn_figure none;
    if (!fig)
        fig = &none;
    if (n == 0)
        return nn_error(NN_EARG, "%s: no heatmaps to draw", who);
    nn_viz_format format;
    nn_status st = nn_viz_format_of(&format, path, who);
    if (st != NN_OK)
        return st;
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
    nn_canvas canvas = {0};
    int shared = n > 1 && fig->shared_scale;
    double glo = INFINITY, ghi = -INFINITY;
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
        glo = fmin(glo, lo);
        ghi = fmax(ghi, hi);
        st = resolve_range(&p->vmin, &p->vmax, p->h->vmin, p->h->vmax, lo,
                           hi, nn_cmap_diverging(&p->cmap), who);
        p->colorbar = !p->h->no_colorbar && !shared;
    }
    /* one scale for all: the first panel's map, the union of the ranges */
    panel cb = {0};
    nn_heatmap cbh = {0};
    if (st == NN_OK && shared) {
        cb = ps[0];
        cbh = panels[0];
        cb.h = &cbh;
        st = resolve_range(&cb.vmin, &cb.vmax, panels[0].vmin, panels[0].vmax,
                           glo, ghi, nn_cmap_diverging(&cb.cmap), who);
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
    double title_h = 0;
    for (size_t k = 0; k < n; k++) {
        measure(mcr, &ps[k]);
        title_h = fmax(title_h, ps[k].title_h);
    }
    for (size_t k = 0; k < n; k++) /* the plots of a row line up */
        ps[k].title_h = title_h;
    double cb_w = 0;
    if (shared && cb.colorbar) {
        cb.s = s;
        measure(mcr, &cb);
        cb_w = cb.cb_part_w + PAD * s;
    }
    double gtitle_h = 0, tw, th;
    if (fig->title && *fig->title) {
        nn_text_size(mcr, fig->title, (FS_TITLE + 1) * s, 1, 0, &tw, &th);
        gtitle_h = th + PAD * s;
    }
    int ncols = fig->ncols > 0 ? fig->ncols
                               : n <= 3 ? (int)n : (int)ceil(sqrt((double)n));
    if ((size_t)ncols > n)
        ncols = (int)n;
    int nrows = (int)((n + (size_t)ncols - 1) / (size_t)ncols);

    /* every panel gets a slot of the same size */
    double slot_w = 0, slot_h = 0;
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
    double W = fig->width > 0 ? fig->width : ncols * slot_w + cb_w;
    double H = fig->height > 0 ? fig->height : nrows * slot_h + gtitle_h;
    if (W > NN_VIZ_MAX_SIDE || H > NN_VIZ_MAX_SIDE) {
        st = nn_error(NN_EARG, "%s: the image would be %.0f x %.0f, more than "
                      "the largest allowed (%g on a side): pass smaller width "
                      "and height", who, W, H, NN_VIZ_MAX_SIDE);
        goto done;
    }
    st = nn_canvas_begin(&canvas, format, W, H, who);
    if (st != NN_OK)
        goto done;
    cairo_t *cr = canvas.cr;
    int vector = format != NN_VIZ_PNG;
    if (gtitle_h > 0)
        nn_text_draw(cr, fig->title, (FS_TITLE + 1) * s, 1, 0,
                     (W - cb_w) / 2, PAD * s, 0, 0.5, 0, NN_TEXT_DARK);
    for (size_t k = 0; k < n; k++) {
        int r = (int)(k / (size_t)ncols), c = (int)(k % (size_t)ncols);
        /* a panel smaller than its slot sits at its top, centred */
        double ox = c * slot_w + (slot_w - ps[k].w) / 2;
        double oy = gtitle_h + r * slot_h;
        draw_panel(cr, &ps[k], vector, ox, oy, info ? &info[k] : NULL);
        if (info) {
            info[k].width = canvas.width;
            info[k].height = canvas.height;
        }
    }
    if (shared && cb.colorbar) {
        double top = gtitle_h + PAD * s, bottom = H - PAD * s;
        double span = bottom - top;
        double h = span > 200 * s ? span * 0.8 : span;
        double x = W - cb_w + PAD * s - CB_GAP * s + CB_GAP * s * 0.5;
        double y = top + (span - h) / 2;
        draw_colorbar(cr, &cb, vector, x, y, CB_W * s, h);
        if (info)
            for (size_t k = 0; k < n; k++) {
                info[k].cbar_x = round(x);
                info[k].cbar_y = y;
                info[k].cbar_w = round(x + CB_W * s) - round(x);
                info[k].cbar_h = h;
            }
    }
    st = nn_canvas_save(&canvas, path, who);
done:
    nn_canvas_free(&canvas);
    if (mcr)
        cairo_destroy(mcr);
    free(ps);
    return st;
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
