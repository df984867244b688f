/*
 * draw.h - what the plots of src/viz share: an image in memory that is
 * written to disk atomically (.png, .svg or .pdf by the name's extension),
 * text set with pango (fontconfig falls back to Noto Sans CJK for Chinese),
 * and round tick values.
 *
 * Sizes are in units: pixels for a PNG, points for an SVG or a PDF.
 */
#ifndef NN_VIZ_DRAW_H
#define NN_VIZ_DRAW_H

#include <cairo.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "textlog.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* The largest image side accepted, in units. */
#define NN_VIZ_MAX_SIDE 10000.0

typedef enum nn_viz_format { NN_VIZ_PNG, NN_VIZ_SVG, NN_VIZ_PDF } nn_viz_format;

/* The format from path's extension (case-insensitive); NN_EARG otherwise. */
nn_status nn_viz_format_of(nn_viz_format *fmt, const char *path,
                           const char *who);

/* An image being drawn; its bytes stay in memory until nn_canvas_save. */
typedef struct nn_canvas {
    nn_viz_format fmt;
    int width, height;
    cairo_surface_t *surface;
    cairo_t *cr;
    unsigned char *buf; /* the SVG or PDF stream */
    size_t len, cap;
    int oom;
} nn_canvas;

/* A white image of the given size (rounded up to whole units). */
nn_status nn_canvas_begin(nn_canvas *c, nn_viz_format fmt, double width,
                          double height, const char *who);

/* Finishes the image and writes it to path atomically (a temporary file
 * renamed over path: a failure leaves no partial file). Frees the canvas. */
nn_status nn_canvas_save(nn_canvas *c, const char *path, const char *who);

/* Frees a canvas without writing it (nothing is created on disk). */
void nn_canvas_free(nn_canvas *c);

/* A context to measure text with before the image exists. */
cairo_t *nn_measure_context(void);

/* ---- text --------------------------------------------------------------- */
typedef struct nn_rgb {
    double r, g, b;
} nn_rgb;

#define NN_TEXT_DARK ((nn_rgb){0.15, 0.15, 0.15})

/* How a piece of text is set. Zero-initialize, then set size. */
typedef struct nn_text {
    double size;   /* font size in units */
    int bold;
    double maxw;   /* > 0: the widest a line may be (wrapped or ellipsized) */
    int max_lines; /* with maxw: wrap at word (else character) boundaries onto
                      at most this many lines, ellipsizing the last; 0 or 1:
                      one line, ellipsized */
    int stacked;   /* one character per line, centred: CJK set upright in a
                      narrow column (see nn_text_is_cjk) */
    int max_chars; /* with stacked: at most this many characters, the last
                      of them a vertical ellipsis */
} nn_text;

/* Size of text (UTF-8; invalid bytes are replaced) set as t says; *lines
 * (may be NULL) the number of lines; returns 1 when something was cut off
 * (ellipsized), else 0. */
int nn_text_measure(cairo_t *cr, const char *text, const nn_text *t,
                    double *w, double *h, int *lines);

/* Draws text set as t says so that the point (ax, ay) of its box (0..1 from
 * the left, from the top) lands at (x, y), turned by angle radians about
 * it. Multi-line text is centred line by line. */
void nn_text_put(cairo_t *cr, const char *text, const nn_text *t, double x,
                 double y, double angle, double ax, double ay, nn_rgb colour);

/* The font size, from size down to min_size, at which text fits maxw on at
 * most two lines (a title that is too long is wrapped, then shrunk); at
 * min_size it may take up to max_lines lines and is ellipsized after them.
 * Fills *t (size, bold, maxw, max_lines) for nn_text_measure and
 * nn_text_put. */
void nn_text_fit(cairo_t *cr, const char *text, nn_text *t, double size,
                 int bold, double min_size, double maxw, int max_lines);

/* One-line shorthands of nn_text_measure and nn_text_put: maxw > 0
 * ellipsizes a line wider than maxw. */
void nn_text_size(cairo_t *cr, const char *text, double size, int bold,
                  double maxw, double *w, double *h);
void nn_text_draw(cairo_t *cr, const char *text, double size, int bold,
                  double maxw, double x, double y, double angle, double ax,
                  double ay, nn_rgb colour);

/* True when most of the (non-space) characters of text are Chinese,
 * Japanese or Korean (Han, kana, hangul, CJK punctuation and full-width
 * forms): such labels are set upright, never turned on their side. */
int nn_text_is_cjk(const char *text);

/* ---- a record of the text drawn (textlog.h) ----------------------------- */

/* Records every text nn_text_put draws on cr into log (NULL: stop). */
void nn_text_log_attach(cairo_t *cr, nn_text_log *log);


/* ---- images ---------------------------------------------------------- */

/* Paints a w x h image of opaque 0xRRGGBB pixels (row-major) over the
 * rectangle (x, y, dw, dh), each pixel a sharp block (nearest filtering, as
 * matplotlib's imshow with interpolation "nearest"): one embedded image in
 * an SVG or a PDF, not a shape per pixel. On a PNG the rectangle's edges
 * snap to whole pixels. Returns NN_ENOMEM when the image cannot be made. */
nn_status nn_draw_pixels(cairo_t *cr, int vector, const uint32_t *rgb, int w,
                         int h, double x, double y, double dw, double dh,
                         const char *who);

/* ---- numbers ------------------------------------------------------------ */

/* Round tick values (1, 2, 2.5 or 5 times a power of ten) in [lo, hi],
 * at most maxn of them (maxn >= 2). Returns how many; *step their step. */
int nn_nice_ticks(double lo, double hi, int maxn, double *ticks, int cap,
                  double *step);

/* A tick value printed with as many decimals as step needs. */
void nn_format_tick(char *buf, size_t n, double v, double step);

/* Annotation formats: "%.2f", ".2f", ".3g", ".1e", "d", ".0%" and the like
 * (Python's or C's spelling, one conversion f e g d or %). */
typedef struct nn_numfmt {
    char conv; /* f e g d % */
    int prec;
} nn_numfmt;
nn_status nn_numfmt_parse(nn_numfmt *f, const char *spec, const char *who);
void nn_numfmt_apply(const nn_numfmt *f, char *buf, size_t n, double v);

#endif
