/*
 * heatmap.h - seaborn-like heatmaps with cairo: cells coloured by a
 * matplotlib colormap, row and column labels (rotated when they would
 * collide, thinned when there are too many to read), axis labels, a
 * title, a colorbar with round ticks, optional numbers in the cells.
 * Several heatmaps can share one image (a grid) and one colour scale.
 *
 * Non-finite values (NaN, inf) are drawn as hatched grey cells and
 * counted in the info, so the caller can warn; they never fail a plot.
 */
#ifndef NN_VIZ_HEATMAP_H
#define NN_VIZ_HEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* One heatmap. Zero-initialize, then set what you need. */
typedef struct nn_heatmap {
    const float *data;     /* rows x cols, row-major */
    int64_t rows, cols;
    const char *title, *xlabel, *ylabel;
    const char *const *xlabels; /* cols strings, or NULL: 0, 1, ... */
    const char *const *ylabels; /* rows strings, or NULL */
    const int64_t *xticks;      /* nxticks columns to label, in order; */
    int64_t nxticks;            /* NULL: every xstep-th from column 0 */
    const char *cmap;           /* NULL: viridis */
    double vmin, vmax;          /* NAN: from the data */
    int no_colorbar;
    const char *colorbar_label;
    int annotate;
    const char *fmt;            /* NULL: ".2f" */
} nn_heatmap;

struct nn_text_log;
struct nn_canvas;

/* The image as a whole. Zero-initialize. */
typedef struct nn_figure {
    double width, height;  /* units (px for PNG, pt for SVG/PDF); 0: auto */
    double scale;          /* 0: 1; multiplies the automatic size */
    const char *title;     /* over a grid */
    int ncols;             /* panels per row of a grid; 0: automatic */
    int shared_scale;      /* one colour scale and colorbar for all panels */
    struct nn_text_log *texts; /* not NULL: records every text drawn */
} nn_figure;

/* Where things landed, for tests and callers, in units. */
typedef struct nn_heatmap_info {
    int width, height;                   /* the image */
    double plot_x, plot_y, cell_w, cell_h; /* first cell's corner, size */
    double cbar_x, cbar_y, cbar_w, cbar_h; /* colorbar (cbar_w 0: none) */
    double vmin, vmax;                   /* the colour scale used */
    size_t nonfinite;                    /* NaN or infinite cells */
    int xrotated, xstep, ystep;          /* label layout */
    int xstacked;                        /* column labels set upright, one
                                            character per line (CJK) */
} nn_heatmap_info;

/* Draws one heatmap to path (.png, .svg or .pdf), written atomically.
 * info may be NULL. who prefixes messages ("viz.heatmap"). */
nn_status nn_heatmap_save(const char *path, const nn_heatmap *h,
                          const nn_figure *fig, nn_heatmap_info *info,
                          const char *who);

/* Draws n heatmaps in a grid; info, when not NULL, has n entries. */
nn_status nn_heatmap_grid_save(const char *path, size_t n,
                               const nn_heatmap *panels,
                               const nn_figure *fig, nn_heatmap_info *info,
                               const char *who);

/* For animations: lays n heatmaps out as nn_heatmap_grid_save does. With
 * canvas NULL it only finds the image's size (*width, *height); else it
 * begins canvas in format fmt (an nn_viz_format) and draws on it, for the
 * caller to save or read, and free. */
nn_status nn_heatmap_grid_render(struct nn_canvas *canvas, int fmt, size_t n,
                                 const nn_heatmap *panels,
                                 const nn_figure *fig, nn_heatmap_info *info,
                                 double *width, double *height,
                                 const char *who);

/* One colour scale for n heatmaps: the first one's colormap, vmin and vmax,
 * else the range of all their finite values (centred on 0 for a diverging
 * map). */
nn_status nn_heatmap_shared_range(size_t n, const nn_heatmap *panels,
                                  double *vmin, double *vmax,
                                  const char *who);

#endif
