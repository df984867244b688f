/* plot.c - line plots of training curves (see plot.h). */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"

#define PAD 12.0
#define FS_TICK 11.0
#define FS_LABEL 12.5
#define FS_TITLE 14.0
#define FS_LEGEND 11.0
#define TICK_LEN 3.5
#define TICK_GAP 3.0

/* matplotlib's tab10 */
static const double tab10[10][3] = {
    {0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
    {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
    {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
    {0.090, 0.745, 0.812}};

static void set_colour(cairo_t *cr, int k)
{
    k = ((k % 10) + 10) % 10;
    cairo_set_source_rgb(cr, tab10[k][0], tab10[k][1], tab10[k][2]);
}

nn_status nn_plot_save(const char *path, const nn_plot *pl,
                       const nn_figure *fig, nn_plot_info *info,
                       const char *who)
{
    static const nn_figure none;
    if (!fig)
        fig = &none;
    nn_viz_format format;
    nn_status st = nn_viz_format_of(&format, path, who);
    if (st != NN_OK)
        return st;
    if (pl->nseries == 0)
        return nn_error(NN_EARG, "%s: nothing to plot", who);
    double s = fig->scale > 0 ? fig->scale : 1;
    if (!(s <= 20))
        return nn_error(NN_EARG, "%s: scale must be between 0 and 20", who);
    double W = fig->width > 0 ? fig->width : 640 * s;
    double H = fig->height > 0 ? fig->height : 420 * s;
    if (W < 120 || H < 100 || W > NN_VIZ_MAX_SIDE || H > NN_VIZ_MAX_SIDE)
        return nn_error(NN_EARG, "%s: a plot must be 120 x 100 to %g x %g, "
                        "got %g x %g", who, NN_VIZ_MAX_SIDE, NN_VIZ_MAX_SIDE,
                        W, H);

    /* the data's ranges */
    size_t longest = 0, bad = 0;
    double ylo = INFINITY, yhi = -INFINITY;
    for (size_t k = 0; k < pl->nseries; k++) {
        const nn_series *se = &pl->series[k];
        if (se->n > longest)
            longest = se->n;
        for (size_t i = 0; i < se->n; i++) {
            double v = se->values[i];
            if (!isfinite(v)) {
                bad++;
                continue;
            }
            ylo = fmin(ylo, v);
            yhi = fmax(yhi, v);
        }
    }
    if (!isfinite(ylo)) {
        ylo = 0;
        yhi = 1;
    }
    if (yhi - ylo < 1e-12 * fmax(1, fabs(yhi))) {
        double d = ylo == 0 ? 0.5 : fabs(ylo) * 0.1;
        ylo -= d;
        yhi += d;
    }
    double margin = (yhi - ylo) * 0.05;
    ylo -= margin;
    yhi += margin;
    double x0 = isfinite(pl->x0) ? pl->x0 : 1;
    double xlo = x0, xhi = x0 + (double)longest - 1;
    if (longest <= 1) {
        xlo -= 0.5;
        xhi += 0.5;
    } else {
        double m = (xhi - xlo) * 0.03;
        xlo -= m;
        xhi += m;
    }

    cairo_t *mcr = nn_measure_context();
    double yt[32], xt[32], ystep, xstep, w, h, line, ytw = 0, xth;
    char buf[64];
    nn_text_size(mcr, "0Ag", FS_TICK * s, 0, 0, &w, &line);
    xth = line;
    int nyt = nn_nice_ticks(ylo, yhi, 7, yt, 32, &ystep);
    for (int i = 0; i < nyt; i++) {
        nn_format_tick(buf, sizeof buf, yt[i], ystep);
        nn_text_size(mcr, buf, FS_TICK * s, 0, 0, &w, &h);
        ytw = fmax(ytw, w);
    }
    /* whole epochs on x */
    int nxt = nn_nice_ticks(xlo, xhi, 9, xt, 32, &xstep);
    if (xstep < 1) {
        xstep = 1;
        nxt = 0;
        for (double v = ceil(xlo); v <= xhi && nxt < 32; v++)
            xt[nxt++] = v;
    }
    /* a long title wraps, then shrinks, to the image's width */
    double title_h = 0, title_w = 0, xlabel_h = 0, ylabel_w = 0, lh;
    nn_text title = {0};
    if (fig->title && *fig->title) {
        nn_text_fit(mcr, fig->title, &title, FS_TITLE * s, 1,
                    FS_TITLE * s * 0.7, W - 2 * PAD * s, 4);
        nn_text_measure(mcr, fig->title, &title, &title_w, &lh, NULL);
        title_h = lh + 8 * s;
    }
    nn_text_size(mcr, "0Ag", FS_LABEL * s, 0, 0, &w, &lh);
    if (pl->xlabel && *pl->xlabel)
        xlabel_h = lh + 5 * s;
    /* a CJK axis label stands upright, one character per line */
    int ylabel_stacked = 0;
    double char_h = lh;
    if (pl->ylabel && *pl->ylabel) {
        double lw = lh;
        ylabel_stacked = nn_text_is_cjk(pl->ylabel);
        if (ylabel_stacked) {
            nn_text st = {.size = FS_LABEL * s, .stacked = 1};
            nn_text_measure(mcr, pl->ylabel, &st, &lw, &h, NULL);
            nn_text_size(mcr, "\u56fd", FS_LABEL * s, 0, 0, &w, &char_h);
        }
        ylabel_w = lw + 6 * s;
    }
    /* legend size */
    double leg_w = 0, leg_h = 0, leg_line = 0;
    int nleg = 0;
    for (size_t k = 0; k < pl->nseries; k++) {
        if (!pl->series[k].name)
            continue;
        nn_text_size(mcr, pl->series[k].name, FS_LEGEND * s, 0, 200 * s, &w,
                     &h);
        leg_w = fmax(leg_w, w);
        leg_line = fmax(leg_line, h);
        nleg++;
    }
    if (nleg) {
        leg_w += 40 * s;
        leg_h = nleg * leg_line + 10 * s;
    }
    cairo_destroy(mcr);

    double px = PAD * s + ylabel_w + ytw + (TICK_LEN + TICK_GAP) * s;
    double py = PAD * s + title_h + line / 2;
    double pw = W - px - PAD * s - 8 * s;
    double ph = H - py - PAD * s - xlabel_h - xth - (TICK_LEN + TICK_GAP) * s;
    if (pw < 40 || ph < 40)
        return nn_error(NN_EARG, "%s: a %g x %g image is too small for the "
                        "labels", who, W, H);
#define SX(x) (px + ((x) - xlo) / (xhi - xlo) * pw)
#define SY(y) (py + ph - ((y) - ylo) / (yhi - ylo) * ph)

    nn_canvas c;
    st = nn_canvas_begin(&c, format, W, H, who);
    if (st != NN_OK)
        return st;
    cairo_t *cr = c.cr;
    if (fig->texts)
        nn_text_log_attach(cr, fig->texts);
    /* grid and ticks */
    cairo_set_line_width(cr, 0.8 * s);
    for (int i = 0; i < nyt; i++) {
        double y = SY(yt[i]);
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, px, y);
        cairo_line_to(cr, px + pw, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_move_to(cr, px - TICK_LEN * s, y);
        cairo_line_to(cr, px, y);
        cairo_stroke(cr);
        nn_format_tick(buf, sizeof buf, yt[i], ystep);
        nn_text_draw(cr, buf, FS_TICK * s, 0, 0, px - (TICK_LEN + TICK_GAP) * s,
                     y, 0, 1, 0.5, NN_TEXT_DARK);
    }
    for (int i = 0; i < nxt; i++) {
        double x = SX(xt[i]);
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, x, py);
        cairo_line_to(cr, x, py + ph);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_move_to(cr, x, py + ph);
        cairo_line_to(cr, x, py + ph + TICK_LEN * s);
        cairo_stroke(cr);
        nn_format_tick(buf, sizeof buf, xt[i], xstep);
        nn_text_draw(cr, buf, FS_TICK * s, 0, 0, x,
                     py + ph + (TICK_LEN + TICK_GAP) * s, 0, 0.5, 0,
                     NN_TEXT_DARK);
    }
    /* the frame: left and bottom spines */
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_move_to(cr, px, py);
    cairo_line_to(cr, px, py + ph);
    cairo_line_to(cr, px + pw, py + ph);
    cairo_stroke(cr);

    /* the lines, clipped to the axes */
    cairo_save(cr);
    cairo_rectangle(cr, px - 4 * s, py - 4 * s, pw + 8 * s, ph + 8 * s);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (size_t k = 0; k < pl->nseries; k++) {
        const nn_series *se = &pl->series[k];
        double dash[2] = {5 * s, 3 * s};
        set_colour(cr, se->colour);
        cairo_set_line_width(cr, 1.8 * s);
        cairo_set_dash(cr, dash, se->dashed ? 2 : 0, 0);
        int pen = 0;
        for (size_t i = 0; i < se->n; i++) {
            double v = se->values[i];
            if (!isfinite(v)) {
                pen = 0;
                continue;
            }
            double x = SX(x0 + (double)i), y = SY(v);
            if (pen)
                cairo_line_to(cr, x, y);
            else
                cairo_move_to(cr, x, y);
            pen = 1;
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, dash, 0, 0);
        if (se->n <= 40)
            for (size_t i = 0; i < se->n; i++) {
                double v = se->values[i];
                if (!isfinite(v))
                    continue;
                cairo_new_sub_path(cr);
                cairo_arc(cr, SX(x0 + (double)i), SY(v), 2.6 * s, 0, 2 * M_PI);
                cairo_fill(cr);
            }
    }
    cairo_restore(cr);

    /* the legend in the corner that hides the fewest points */
    if (nleg) {
        double best_x = 0, best_y = 0;
        size_t best = (size_t)-1;
        for (int corner = 0; corner < 4; corner++) {
            double lx = corner % 2 == 0 ? px + pw - leg_w - 8 * s : px + 8 * s;
            double ly = corner < 2 ? py + 6 * s : py + ph - leg_h - 6 * s;
            size_t hidden = 0;
            for (size_t k = 0; k < pl->nseries; k++)
                for (size_t i = 0; i < pl->series[k].n; i++) {
                    double v = pl->series[k].values[i];
                    if (!isfinite(v))
                        continue;
                    double x = SX(x0 + (double)i), y = SY(v);
                    if (x >= lx - 4 * s && x <= lx + leg_w + 4 * s &&
                        y >= ly - 4 * s && y <= ly + leg_h + 4 * s)
                        hidden++;
                }
            if (hidden < best) {
                best = hidden;
                best_x = lx;
                best_y = ly;
            }
        }
        cairo_rectangle(cr, best_x, best_y, leg_w, leg_h);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
        cairo_set_line_width(cr, 0.8 * s);
        cairo_stroke(cr);
        double y = best_y + 5 * s + leg_line / 2;
        for (size_t k = 0; k < pl->nseries; k++) {
            const nn_series *se = &pl->series[k];
            if (!se->name)
                continue;
            double dash[2] = {5 * s, 3 * s};
            set_colour(cr, se->colour);
            cairo_set_line_width(cr, 1.8 * s);
            cairo_set_dash(cr, dash, se->dashed ? 2 : 0, 0);
            cairo_move_to(cr, best_x + 8 * s, y);
            cairo_line_to(cr, best_x + 30 * s, y);
            cairo_stroke(cr);
            cairo_set_dash(cr, dash, 0, 0);
            nn_text_draw(cr, se->name, FS_LEGEND * s, 0, 200 * s,
                         best_x + 36 * s, y, 0, 0, 0.5, NN_TEXT_DARK);
            y += leg_line;
        }
    }
    /* centred over the axes, as far as the image allows */
#define CENTRE_IN(cx, w) \
    ((w) >= W - 2 * PAD * s ? W / 2 \
                            : fmin(fmax((cx), PAD * s + (w) / 2), W - PAD * s - (w) / 2))
    if (title_h > 0)
        nn_text_put(cr, fig->title, &title, CENTRE_IN(px + pw / 2, title_w),
                    PAD * s, 0, 0.5, 0, NN_TEXT_DARK);
    if (xlabel_h > 0) {
        double xw, xh;
        nn_text_size(cr, pl->xlabel, FS_LABEL * s, 0, W - 2 * PAD * s, &xw, &xh);
        nn_text_draw(cr, pl->xlabel, FS_LABEL * s, 0, W - 2 * PAD * s,
                     CENTRE_IN(px + pw / 2, xw), H - PAD * s, 0, 0.5, 1,
                     NN_TEXT_DARK);
    }
#undef CENTRE_IN
    if (ylabel_w > 0) { /* centred on the axes, between title and x label */
        double lo = PAD * s + title_h, hi = H - PAD * s - xlabel_h, room = hi - lo;
        double cy = py + ph / 2, len, lw;
        if (ylabel_stacked) {
            int n = (int)floor(room / char_h + 1e-9);
            nn_text st = {.size = FS_LABEL * s, .stacked = 1,
                          .max_chars = n < 1 ? 1 : n};
            nn_text_measure(cr, pl->ylabel, &st, &lw, &len, NULL);
            nn_text_put(cr, pl->ylabel, &st, PAD * s,
                        fmin(fmax(cy, lo + len / 2), hi - len / 2), 0, 0, 0.5,
                        NN_TEXT_DARK);
        } else {
            nn_text_size(cr, pl->ylabel, FS_LABEL * s, 0, room, &len, &lw);
            nn_text_draw(cr, pl->ylabel, FS_LABEL * s, 0, room, PAD * s,
                         fmin(fmax(cy, lo + len / 2), hi - len / 2), -M_PI / 2,
                         0.5, 0, NN_TEXT_DARK);
        }
    }
    nn_text_log_attach(cr, NULL);
    if (info) {
        info->width = c.width;
        info->height = c.height;
        info->plot_x = px;
        info->plot_y = py;
        info->plot_w = pw;
        info->plot_h = ph;
        info->xmin = xlo;
        info->xmax = xhi;
        info->ymin = ylo;
        info->ymax = yhi;
        info->nonfinite = bad;
    }
    return nn_canvas_save(&c, path, who);
#undef SX
#undef SY
}
