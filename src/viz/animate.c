/* animate.c - heatmaps as the frames of an animated GIF (see animate.h).
 *
 * Every frame is drawn by the heatmap code on an image in memory, then
 * mapped onto one palette shared by all frames, so a colour never flickers
 * from frame to frame: 232 entries of the colormap (the cells are entries
 * of its 256) and 24 greys (text, ticks, hatching, white). A frame after
 * the first stores only the rectangle that changed, drawn over the one
 * before (GIF's "do not dispose"). */
#include "animate.h"

#include <gif_lib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colormap.h"
#include "draw.h"
#include "io/safetensors.h" /* nn_io_write_atomic */

#define N_CMAP 232
#define N_GREY 24
#define CACHE_BITS 16

typedef struct palette {
    uint8_t rgb[256][3];
    /* pixel -> entry, open addressing; key 0 is an empty slot */
    uint32_t key[1u << CACHE_BITS];
    uint8_t entry[1u << CACHE_BITS];
    size_t used;
} palette;

static void palette_make(palette *pal, const nn_cmap *cmap)
{
    memset(pal, 0, sizeof *pal);
    double rgb[3];
    for (int i = 0; i < N_CMAP; i++) {
        nn_cmap_entry(cmap, (int)lround(i * 255.0 / (N_CMAP - 1)), rgb);
        for (int k = 0; k < 3; k++)
            pal->rgb[i][k] = (uint8_t)lround(rgb[k] * 255);
    }
    /* greys from the text's dark grey (0.15) to white, and the hatching's */
    for (int i = 0; i < N_GREY - 2; i++) {
        uint8_t g = (uint8_t)lround(38 + i * (255.0 - 38) / (N_GREY - 3));
        pal->rgb[N_CMAP + i][0] = pal->rgb[N_CMAP + i][1] =
            pal->rgb[N_CMAP + i][2] = g;
    }
    for (int k = 0; k < 3; k++) {
        pal->rgb[254][k] = 219; /* 0.86 */
        pal->rgb[255][k] = 140; /* 0.55 */
    }
}

/* The palette entry nearest to a 0xRRGGBB colour. */
static uint8_t palette_find(palette *pal, uint32_t c)
{
    uint32_t key = c + 1, mask = (1u << CACHE_BITS) - 1;
    uint32_t slot = (c * 2654435761u) >> (32 - CACHE_BITS);
    for (;; slot = (slot + 1) & mask) {
        if (pal->key[slot] == key)
            return pal->entry[slot];
        if (pal->key[slot] == 0)
            break;
    }
    int r = (int)(c >> 16 & 255), g = (int)(c >> 8 & 255), b = (int)(c & 255);
    long best = -1;
    int at = 0;
    for (int i = 0; i < 256; i++) {
        long dr = r - pal->rgb[i][0], dg = g - pal->rgb[i][1],
             db = b - pal->rgb[i][2];
        long d = dr * dr + dg * dg + db * db;
        if (best < 0 || d < best) {
            best = d;
            at = i;
        }
    }
    if (pal->used < (size_t)(mask / 4 * 3)) { /* keep the table sparse */
        pal->key[slot] = key;
        pal->entry[slot] = (uint8_t)at;
        pal->used++;
    }
    return (uint8_t)at;
}

typedef struct buffer {
    unsigned char *data;
    size_t len, cap;
    int oom;
} buffer;

static int gif_write(GifFileType *g, const GifByteType *bytes, int n)
{
    buffer *b = g->UserData;
    if (n <= 0)
        return 0;
    if (b->len + (size_t)n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + (size_t)n)
            cap *= 2;
        unsigned char *p = realloc(b->data, cap);
        if (!p) {
            b->oom = 1;
            return 0;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, (size_t)n);
    b->len += (size_t)n;
    return n;
}

static int ends_with_gif(const char *path)
{
    size_t n = strlen(path);
    if (n < 4 || path[n - 4] != '.')
        return 0;
    const char *e = path + n - 3;
    return (e[0] == 'g' || e[0] == 'G') && (e[1] == 'i' || e[1] == 'I') &&
           (e[2] == 'f' || e[2] == 'F');
}

static nn_status gif_fail(const char *who, int code, buffer *b)
{
    if (b->oom)
        return nn_error(NN_ENOMEM, "%s: out of memory writing the GIF", who);
    return nn_error(NN_EIO, "%s: writing the GIF failed: %s", who,
                    GifErrorString(code));
}

nn_status nn_heatmap_animate_save(const char *path, size_t n,
                                  const nn_heatmap *frames,
                                  const nn_figure *fig,
                                  const nn_animation *anim,
                                  nn_animation_info *info, const char *who)
{
    static const nn_figure no_fig;
    static const nn_animation no_anim;
    if (!fig)
        fig = &no_fig;
    if (!anim)
        anim = &no_anim;
    if (!ends_with_gif(path))
        return nn_error(NN_EARG, "%s: an animation is written as a GIF: use a "
                        "file name ending in .gif, got '%.200s'", who, path);
    if (n == 0)
        return nn_error(NN_EARG, "%s: no frames to draw", who);
    double delay = anim->delay == 0 ? 0.5 : anim->delay;
    if (!(delay >= 0.01 && delay <= 60))
        return nn_error(NN_EARG, "%s: delay is the time each frame shows, in "
                        "seconds (0.01 to 60), got %g", who, anim->delay);
    if (anim->loop < 0 || anim->loop > 65536)
        return nn_error(NN_EARG, "%s: loop must be 0 (for ever) or the number "
                        "of times to play (1 to 65536), got %d", who,
                        anim->loop);
    for (size_t k = 1; k < n; k++)
        if (frames[k].rows != frames[0].rows || frames[k].cols != frames[0].cols)
            return nn_error(NN_EARG, "%s: frame %zu is %lld x %lld but frame 1 "
                            "is %lld x %lld: every frame must have the same "
                            "shape", who, k + 1, (long long)frames[k].rows,
                            (long long)frames[k].cols, (long long)frames[0].rows,
                            (long long)frames[0].cols);
    double vmin, vmax;
    nn_status st = nn_heatmap_shared_range(n, frames, &vmin, &vmax, who);
    if (st != NN_OK)
        return st;
    nn_cmap cmap;
    st = nn_cmap_find(&cmap, frames[0].cmap, who);
    if (st != NN_OK)
        return st;

    nn_heatmap *fr = malloc(n * sizeof *fr);
    palette *pal = malloc(sizeof *pal);
    uint8_t *cur = NULL, *prev = NULL;
    buffer out = {0};
    GifFileType *gif = NULL;
    ColorMapObject *cm = NULL;
    if (!fr || !pal) {
        st = nn_error(NN_ENOMEM, "%s: out of memory", who);
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        fr[k] = frames[k];
        fr[k].cmap = frames[0].cmap;
        fr[k].vmin = vmin;
        fr[k].vmax = vmax;
    }
    /* one size for every frame: the largest natural one */
    nn_figure f = *fig;
    f.title = NULL;
    f.ncols = 1;
    f.shared_scale = 0;
    f.texts = NULL;
    double W = fig->width, H = fig->height;
    if (!(W > 0 && H > 0)) {
        double wmax = 0, hmax = 0;
        for (size_t k = 0; k < n && st == NN_OK; k++) {
            double w, h;
            st = nn_heatmap_grid_render(NULL, NN_VIZ_PNG, 1, &fr[k], &f, NULL,
                                        &w, &h, who);
            wmax = fmax(wmax, w);
            hmax = fmax(hmax, h);
        }
        if (st != NN_OK)
            goto done;
        if (!(W > 0))
            W = ceil(wmax - 1e-9);
        if (!(H > 0))
            H = ceil(hmax - 1e-9);
    }
    f.width = W;
    f.height = H;
    f.texts = fig->texts;
    size_t w = (size_t)ceil(W - 1e-9), h = (size_t)ceil(H - 1e-9);
    cur = malloc(w * h);
    prev = malloc(w * h);
    if (!cur || !prev) {
        st = nn_error(NN_ENOMEM, "%s: out of memory for %zu x %zu frames", who,
                      w, h);
        goto done;
    }
    palette_make(pal, &cmap);
    GifColorType colours[256];
    for (int i = 0; i < 256; i++) {
        colours[i].Red = pal->rgb[i][0];
        colours[i].Green = pal->rgb[i][1];
        colours[i].Blue = pal->rgb[i][2];
    }
    int err = 0;
    cm = GifMakeMapObject(256, colours);
    gif = EGifOpen(&out, gif_write, &err);
    if (!cm || !gif) {
        st = nn_error(NN_ENOMEM, "%s: out of memory", who);
        goto done;
    }
    EGifSetGifVersion(gif, true);
    if (EGifPutScreenDesc(gif, (int)w, (int)h, 8, 0, cm) == GIF_ERROR) {
        st = gif_fail(who, gif->Error, &out);
        goto done;
    }
    if (anim->loop != 1) { /* the Netscape extension: how often to repeat */
        int repeat = anim->loop == 0 ? 0 : anim->loop - 1;
        unsigned char sub[3] = {1, (unsigned char)(repeat & 255),
                                (unsigned char)(repeat >> 8 & 255)};
        if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
            EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
            EGifPutExtensionBlock(gif, 3, sub) == GIF_ERROR ||
            EGifPutExtensionTrailer(gif) == GIF_ERROR) {
            st = gif_fail(who, gif->Error, &out);
            goto done;
        }
    }
    size_t nonfinite = 0;
    for (size_t k = 0; k < n; k++) {
        st = nn_check_interrupt(who);
        if (st != NN_OK)
            goto done;
        nn_canvas c;
        nn_heatmap_info hi;
        if (fig->texts)
            fig->texts->frame = (int)k;
        st = nn_heatmap_grid_render(&c, NN_VIZ_PNG, 1, &fr[k], &f, &hi, NULL,
                                    NULL, who);
        if (st != NN_OK)
            goto done;
        nonfinite += hi.nonfinite;
        cairo_surface_flush(c.surface);
        const unsigned char *data = cairo_image_surface_get_data(c.surface);
        size_t stride = (size_t)cairo_image_surface_get_stride(c.surface);
        for (size_t y = 0; y < h; y++) {
            const uint32_t *row = (const uint32_t *)(data + y * stride);
            for (size_t x = 0; x < w; x++)
                cur[y * w + x] = palette_find(pal, row[x] & 0xFFFFFFu);
        }
        nn_canvas_free(&c);
        /* the rectangle that changed (the whole image at first) */
        size_t x0 = 0, y0 = 0, x1 = w, y1 = h;
        if (k > 0) {
            x0 = w, y0 = h, x1 = 0, y1 = 0;
            for (size_t y = 0; y < h; y++)
                for (size_t x = 0; x < w; x++)
                    if (cur[y * w + x] != prev[y * w + x]) {
                        x0 = x < x0 ? x : x0;
                        x1 = x + 1 > x1 ? x + 1 : x1;
                        y0 = y < y0 ? y : y0;
                        y1 = y + 1 > y1 ? y + 1 : y1;
                    }
            if (x1 == 0) /* nothing changed: one pixel, the same */
                x0 = y0 = 0, x1 = y1 = 1;
        }
        GraphicsControlBlock gcb = {.DisposalMode = DISPOSE_DO_NOT,
                                    .UserInputFlag = false,
                                    .DelayTime = (int)lround(delay * 100),
                                    .TransparentColor = NO_TRANSPARENT_COLOR};
        GifByteType ext[4];
        size_t len = EGifGCBToExtension(&gcb, ext);
        if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, (int)len, ext) ==
                GIF_ERROR ||
            EGifPutImageDesc(gif, (int)x0, (int)y0, (int)(x1 - x0),
                             (int)(y1 - y0), false, NULL) == GIF_ERROR) {
            st = gif_fail(who, gif->Error, &out);
            goto done;
        }
        for (size_t y = y0; y < y1; y++)
            if (EGifPutLine(gif, cur + y * w + x0, (int)(x1 - x0)) == GIF_ERROR) {
                st = gif_fail(who, gif->Error, &out);
                goto done;
            }
        uint8_t *t = prev;
        prev = cur;
        cur = t;
    }
    int close = EGifCloseFile(gif, &err);
    gif = NULL;
    if (close == GIF_ERROR || out.oom) {
        st = gif_fail(who, err, &out);
        goto done;
    }
    const void *parts[1] = {out.data};
    size_t sizes[1] = {out.len};
    st = nn_io_write_atomic(path, 1, parts, sizes);
    if (st == NN_OK && info) {
        info->width = (int)w;
        info->height = (int)h;
        info->frames = n;
        info->vmin = vmin;
        info->vmax = vmax;
        info->nonfinite = nonfinite;
        info->bytes = out.len;
    }
done:
    if (gif)
        EGifCloseFile(gif, NULL);
    if (cm)
        GifFreeMapObject(cm);
    if (fig->texts)
        fig->texts->frame = 0;
    free(out.data);
    free(cur);
    free(prev);
    free(pal);
    free(fr);
    return st;
}
