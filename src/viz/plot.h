/*
 * plot.h - line plots of training curves (loss and metrics per epoch) with
 * axes, round ticks, a light grid, a legend placed where it hides the
 * fewest points, and a title; to .png, .svg or .pdf, written atomically.
 */
#ifndef NN_VIZ_PLOT_H
#define NN_VIZ_PLOT_H

#include <stddef.h>

#include "core/error.h"
#include "heatmap.h" /* nn_figure */

typedef struct nn_series {
    const char *name;      /* in the legend; NULL: not listed */
    const double *values;  /* y at x = x0, x0 + 1, ...; NaN leaves a gap */
    size_t n;
    int colour;            /* index into matplotlib's tab10 */
    int dashed;
} nn_series;

typedef struct nn_plot {
    const nn_series *series;
    size_t nseries;
    const char *title, *xlabel, *ylabel;
    double x0;             /* x of the first value (1 for epochs) */
} nn_plot;

typedef struct nn_plot_info {
    int width, height;
    double plot_x, plot_y, plot_w, plot_h; /* the axes */
    double xmin, xmax, ymin, ymax;         /* their ranges */
    size_t nonfinite;                      /* values left out */
} nn_plot_info;

/* Uses fig's width, height (default 640 x 420), scale and title. */
nn_status nn_plot_save(const char *path, const nn_plot *plot,
                       const nn_figure *fig, nn_plot_info *info,
                       const char *who);

#endif
