/*
 * animate.h - heatmaps as the frames of one animated GIF (giflib): the
 * attention map of every epoch of a training run, for slides. The frames
 * share one colour scale and one layout; the file is written atomically.
 */
#ifndef NN_VIZ_ANIMATE_H
#define NN_VIZ_ANIMATE_H

#include <stddef.h>

#include "core/error.h"
#include "heatmap.h"

typedef struct nn_animation {
    double delay; /* seconds each frame is shown (0.01 to 60); 0: 0.5 */
    int loop;     /* times the animation plays; 0: for ever */
} nn_animation;

typedef struct nn_animation_info {
    int width, height;  /* the image, pixels */
    size_t frames;
    double vmin, vmax;  /* the shared colour scale */
    size_t nonfinite;   /* NaN or infinite cells over all frames */
    size_t bytes;       /* the size of the file */
} nn_animation_info;

/* Draws n heatmaps as the frames of an animated GIF at path (which must
 * end in .gif), each laid out as nn_heatmap_save would (one size for all:
 * fig's, else the largest frame's), on the scale of all their values
 * unless the first gives vmin and vmax. Each frame is stored as the part
 * that changed since the one before. info and fig->texts may be NULL. */
nn_status nn_heatmap_animate_save(const char *path, size_t n,
                                  const nn_heatmap *frames,
                                  const nn_figure *fig,
                                  const nn_animation *anim,
                                  nn_animation_info *info, const char *who);

#endif
