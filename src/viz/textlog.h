/*
 * textlog.h - a record of every text a plot drew and where (src/viz), for
 * tests and callers that check that labels stay on the image. Kept apart
 * from draw.h so that readers need no cairo.
 */
#ifndef NN_VIZ_TEXTLOG_H
#define NN_VIZ_TEXTLOG_H

#include <stddef.h>

/* Where one piece of text landed on the image: the axis-aligned box (in
 * units, from the top-left corner) around its ink and logical extents. */
typedef struct nn_text_box {
    char *text;    /* as given (a stacked label without its line breaks) */
    double x, y, w, h;
    double angle;  /* radians; 0 upright */
    double size;   /* font size */
    int lines;     /* lines it took */
    int stacked;
    int cut;       /* 1 when ellipsized */
    int frame;     /* the frame of an animation, from 0 */
} nn_text_box;

typedef struct nn_text_log {
    nn_text_box *box;
    size_t n, cap;
    int frame;     /* stamped on new boxes */
    int oom;       /* a box could not be recorded */
} nn_text_log;

/* Frees the boxes (not log itself) and zeroes it. */
void nn_text_log_free(nn_text_log *log);

#endif
