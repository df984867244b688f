/*
 * test_viz.c - the colormaps against matplotlib's values, and heatmaps and
 * plots read back from disk: PNG pixels with cairo, PDF pages and text with
 * poppler's pdfinfo and pdftotext, SVG with xmllint, GIF frames with giflib.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <cairo.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gif_lib.h>

#include "viz/animate.h"
#include "viz/colormap.h"
#include "viz/draw.h"
#include "viz/heatmap.h"
#include "viz/plot.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/attnlab-test-viz-%ld", (long)getpid());
    mkdir(dir, 0777);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
    static char buf[4][400];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* matplotlib 3.6's cmap(v, bytes=True), from tests/ref/make_colormaps.py */
static const struct {
    const char *name;
    double v;
    int r, g, b;
} points[] = {
    {"viridis", 0.00, 68, 1, 84},
    {"viridis", 0.25, 58, 82, 139},
    {"viridis", 0.50, 32, 144, 140},
    {"viridis", 0.70, 68, 190, 112},
    {"viridis", 1.00, 253, 231, 36},
    {"magma", 0.00, 0, 0, 3},
    {"magma", 0.25, 80, 18, 123},
    {"magma", 0.50, 182, 54, 121},
    {"magma", 0.70, 246, 112, 91},
    {"magma", 1.00, 251, 252, 191},
    {"inferno", 0.00, 0, 0, 3},
    {"inferno", 0.25, 87, 15, 109},
    {"inferno", 0.50, 187, 55, 84},
    {"inferno", 0.70, 243, 119, 25},
    {"inferno", 1.00, 252, 254, 164},
    {"plasma", 0.00, 12, 7, 134},
    {"plasma", 0.25, 126, 3, 167},
    {"plasma", 0.50, 203, 71, 119},
    {"plasma", 0.70, 242, 132, 75},
    {"plasma", 1.00, 239, 248, 33},
    {"cividis", 0.00, 0, 34, 77},
    {"cividis", 0.25, 67, 78, 107},
    {"cividis", 0.50, 124, 123, 120},
    {"cividis", 0.70, 174, 162, 113},
    {"cividis", 1.00, 253, 231, 55},
    {"blues", 0.00, 247, 251, 255},
    {"blues", 0.25, 197, 218, 238},
    {"blues", 0.50, 106, 173, 213},
    {"blues", 0.70, 45, 125, 187},
    {"blues", 1.00, 8, 48, 107},
    {"greys", 0.00, 255, 255, 255},
    {"greys", 0.25, 216, 216, 216},
    {"greys", 0.50, 149, 149, 149},
    {"greys", 0.70, 94, 94, 94},
    {"greys", 1.00, 0, 0, 0},
    {"rdbu", 0.00, 103, 0, 31},
    {"rdbu", 0.25, 229, 131, 104},
    {"rdbu", 0.50, 246, 246, 246},
    {"rdbu", 0.70, 144, 196, 221},
    {"rdbu", 1.00, 5, 48, 97},
};

static void test_colormaps_match_matplotlib(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        nn_cmap c;
        CHECK_OK(nn_cmap_find(&c, points[i].name, "test"));
        double rgb[3];
        nn_cmap_color(&c, points[i].v, 0, 1, rgb);
        int got[3], want[3] = {points[i].r, points[i].g, points[i].b};
        for (int k = 0; k < 3; k++) {
            got[k] = (int)lround(rgb[k] * 255);
            if (abs(got[k] - want[k]) > 1)
                fail_msg("%s(%.2f): got (%d, %d, %d), want (%d, %d, %d)",
                         points[i].name, points[i].v, got[0], got[1], got[2],
                         want[0], want[1], want[2]);
        }
    }
}

static void test_colormap_names(void **state)
{
    (void)state;
    nn_cmap c, d;
    CHECK_OK(nn_cmap_find(&c, NULL, "t"));
    assert_string_equal(c.map->name, "viridis");
    CHECK_OK(nn_cmap_find(&c, "Blues", "t"));
    assert_string_equal(c.map->name, "blues");
    CHECK_OK(nn_cmap_find(&d, "blues_r", "t"));
    assert_true(d.reversed);
    double a[3], b[3];
    nn_cmap_entry(&c, 0, a);
    nn_cmap_entry(&d, 255, b);
    assert_memory_equal(a, b, sizeof a);
    assert_false(nn_cmap_diverging(&c));
    CHECK_OK(nn_cmap_find(&c, "RdBu", "t"));
    assert_true(nn_cmap_diverging(&c));
    CHECK_ERROR(nn_cmap_find(&c, "jet", "viz.heatmap"), NN_EARG,
                "viz.heatmap: unknown colormap 'jet' (known: viridis, magma, "
                "inferno, plasma, cividis, blues, greys, rdbu (add _r to "
                "reverse))");
    /* matplotlib's placement: floor(t * 256), the ends clamped */
    assert_int_equal(nn_cmap_index(0), 0);
    assert_int_equal(nn_cmap_index(-3), 0);
    assert_int_equal(nn_cmap_index(1), 255);
    assert_int_equal(nn_cmap_index(7), 255);
    assert_int_equal(nn_cmap_index(0.5), 128);
    assert_int_equal(nn_cmap_index(0.00390625 * 3.5), 3);
}

static void test_numbers(void **state)
{
    (void)state;
    double t[16], step;
    int n = nn_nice_ticks(0, 1, 6, t, 16, &step);
    assert_int_equal(n, 6);
    assert_true(fabs(step - 0.2) < 1e-12 && t[5] == 1.0);
    n = nn_nice_ticks(-3.2, 3.2, 8, t, 16, &step);
    assert_true(step == 1 && n == 7 && t[0] == -3);
    char buf[32];
    nn_format_tick(buf, sizeof buf, 0.4, 0.2);
    assert_string_equal(buf, "0.4");
    nn_format_tick(buf, sizeof buf, 2.5, 2.5);
    assert_string_equal(buf, "2.5");
    nn_format_tick(buf, sizeof buf, 10, 5);
    assert_string_equal(buf, "10");
    nn_numfmt f;
    CHECK_OK(nn_numfmt_parse(&f, NULL, "t"));
    nn_numfmt_apply(&f, buf, sizeof buf, 0.123);
    assert_string_equal(buf, "0.12");
    CHECK_OK(nn_numfmt_parse(&f, "%.1f", "t"));
    nn_numfmt_apply(&f, buf, sizeof buf, -0.04);
    assert_string_equal(buf, "0.0");
    CHECK_OK(nn_numfmt_parse(&f, ".0%", "t"));
    nn_numfmt_apply(&f, buf, sizeof buf, 0.25);
    assert_string_equal(buf, "25%");
    CHECK_OK(nn_numfmt_parse(&f, "d", "t"));
    nn_numfmt_apply(&f, buf, sizeof buf, 3.0);
    assert_string_equal(buf, "3");
    CHECK_OK(nn_numfmt_parse(&f, ".3g", "t"));
    nn_numfmt_apply(&f, buf, sizeof buf, NAN);
    assert_string_equal(buf, "nan");
    CHECK_ERROR(nn_numfmt_parse(&f, "%s%s%n", "viz.heatmap"), NN_EARG,
                "viz.heatmap: fmt '%s%s%n' is not a number format (use one "
                "like \".2f\", \".3g\", \".1e\", \"d\" or \".0%\")");
    CHECK_ERROR(nn_numfmt_parse(&f, ".999999999f", "t"), NN_EARG,
                "t: fmt '.999999999f' is not a number format (use one like "
                "\".2f\", \".3g\", \".1e\", \"d\" or \".0%\")");
}

/* ---- reading images back --------------------------------------------- */

typedef struct image {
    cairo_surface_t *s;
    unsigned char *data;
    int w, h, stride;
} image;

static image load_png(const char *path)
{
    image im;
    im.s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(im.s) != CAIRO_STATUS_SUCCESS)
        fail_msg("%s: cannot read the PNG: %s", path,
                 cairo_status_to_string(cairo_surface_status(im.s)));
    im.data = cairo_image_surface_get_data(im.s);
    im.w = cairo_image_surface_get_width(im.s);
    im.h = cairo_image_surface_get_height(im.s);
    im.stride = cairo_image_surface_get_stride(im.s);
    return im;
}

static void pixel(const image *im, double x, double y, int rgb[3])
{
    int xi = (int)floor(x), yi = (int)floor(y);
    assert_true(xi >= 0 && yi >= 0 && xi < im->w && yi < im->h);
    uint32_t p = *(const uint32_t *)(im->data + (size_t)yi * (size_t)im->stride +
                                     (size_t)xi * 4);
    rgb[0] = (int)((p >> 16) & 255);
    rgb[1] = (int)((p >> 8) & 255);
    rgb[2] = (int)(p & 255);
}

static int close_to(const int got[3], const double want[3])
{
    for (int k = 0; k < 3; k++)
        if (abs(got[k] - (int)lround(want[k] * 255)) > 1)
            return 0;
    return 1;
}

static void check_cells(const image *im, const nn_heatmap_info *info,
                        const float *data, int rows, int cols,
                        const char *cmap)
{
    nn_cmap c;
    CHECK_OK(nn_cmap_find(&c, cmap, "t"));
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double want[3];
            int got[3];
            nn_cmap_color(&c, data[i * cols + j], info->vmin, info->vmax, want);
            pixel(im, info->plot_x + (j + 0.5) * info->cell_w,
                  info->plot_y + (i + 0.5) * info->cell_h, got);
            if (!close_to(got, want))
                fail_msg("cell (%d, %d) = %g: got (%d, %d, %d), want (%.0f, "
                         "%.0f, %.0f)", i, j, (double)data[i * cols + j],
                         got[0], got[1], got[2], want[0] * 255, want[1] * 255,
                         want[2] * 255);
        }
}

static const float M34[12] = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f,
                               0.6f, 0.7f, 0.8f, 0.9f, 1.0f, 0.25f};

static void test_heatmap_cells_are_the_colormap(void **state)
{
    (void)state;
    const char *cmaps[] = {NULL, "magma", "blues", "rdbu", "greys_r"};
    for (size_t k = 0; k < sizeof cmaps / sizeof cmaps[0]; k++) {
        nn_heatmap h = {.data = M34, .rows = 3, .cols = 4, .cmap = cmaps[k],
                        .vmin = NAN, .vmax = NAN, .title = "cells"};
        nn_heatmap_info info;
        const char *p = path_of("cells.png");
        CHECK_OK(nn_heatmap_save(p, &h, NULL, &info, "test"));
        image im = load_png(p);
        assert_int_equal(im.w, info.width);
        assert_int_equal(im.h, info.height);
        if (k == 3) { /* a diverging map is centred on 0 */
            assert_true(info.vmin == -1 && info.vmax == 1);
        } else {
            assert_true(info.vmin == 0 && fabs(info.vmax - 1) < 1e-6);
        }
        check_cells(&im, &info, M34, 3, 4, cmaps[k]);
        cairo_surface_destroy(im.s);
    }
}

static void test_colorbar_runs_from_vmin_to_vmax(void **state)
{
    (void)state;
    nn_heatmap h = {.data = M34, .rows = 3, .cols = 4, .vmin = -2, .vmax = 3,
                    .colorbar_label = "weight"};
    nn_heatmap_info info;
    const char *p = path_of("cbar.png");
    CHECK_OK(nn_heatmap_save(p, &h, &(nn_figure){.scale = 2}, &info, "t"));
    assert_true(info.vmin == -2 && info.vmax == 3);
    assert_true(info.cbar_w > 10 && info.cbar_h > 100);
    image im = load_png(p);
    nn_cmap c;
    CHECK_OK(nn_cmap_find(&c, NULL, "t"));
    double x = info.cbar_x + info.cbar_w / 2, bottom = info.cbar_y + info.cbar_h;
    int rows = (int)floor(info.cbar_h);
    for (int r = 0; r < rows; r++) {
        double t = (r + 0.5) / info.cbar_h;
        int want_i = (int)(t * 256), got[3], ok = 0;
        pixel(&im, x, bottom - r - 0.5, got);
        for (int d = -2; d <= 2 && !ok; d++) {
            double want[3];
            nn_cmap_entry(&c, want_i + d, want);
            ok = close_to(got, want);
        }
        if (!ok)
            fail_msg("colorbar at %.3f of its height: (%d, %d, %d) is not "
                     "entry %d", t, got[0], got[1], got[2], want_i);
    }
    /* the cells use the same scale */
    check_cells(&im, &info, M34, 3, 4, NULL);
    cairo_surface_destroy(im.s);
}

static void test_image_size_follows_options(void **state)
{
    (void)state;
    nn_heatmap h = {.data = M34, .rows = 3, .cols = 4, .vmin = NAN,
                    .vmax = NAN};
    nn_heatmap_info a, b, c;
    CHECK_OK(nn_heatmap_save(path_of("s1.png"), &h, NULL, &a, "t"));
    CHECK_OK(nn_heatmap_save(path_of("s2.png"), &h,
                             &(nn_figure){.width = 500, .height = 300}, &b,
                             "t"));
    assert_int_equal(b.width, 500);
    assert_int_equal(b.height, 300);
    image im = load_png(path_of("s2.png"));
    assert_int_equal(im.w, 500);
    assert_int_equal(im.h, 300);
    check_cells(&im, &b, M34, 3, 4, NULL);
    cairo_surface_destroy(im.s);
    CHECK_OK(nn_heatmap_save(path_of("s3.png"), &h, &(nn_figure){.scale = 2},
                             &c, "t"));
    assert_true(abs(c.width - 2 * a.width) <= 2);
    assert_true(abs(c.height - 2 * a.height) <= 2);
    /* only a width: the height follows the cells' shape */
    CHECK_OK(nn_heatmap_save(path_of("s4.png"), &h,
                             &(nn_figure){.width = 800}, &c, "t"));
    assert_int_equal(c.width, 800);
    assert_true(fabs(c.cell_w / c.cell_h - a.cell_w / a.cell_h) < 1e-9);
    /* a big matrix stays below the automatic maximum */
    static float big[300 * 400];
    for (size_t i = 0; i < 300 * 400; i++)
        big[i] = (float)(i % 7);
    nn_heatmap hb = {.data = big, .rows = 300, .cols = 400, .vmin = NAN,
                     .vmax = NAN};
    CHECK_OK(nn_heatmap_save(path_of("big.png"), &hb, NULL, &c, "t"));
    assert_true(c.width <= 3000 && c.height <= 3000);
    assert_true(c.xstep > 1 && c.ystep > 1 && c.xrotated);
    CHECK_ERROR(nn_heatmap_save(path_of("s5.png"), &h,
                                &(nn_figure){.width = 40}, &c, "viz.heatmap"),
                NN_EARG,
                "viz.heatmap: a width of 40 is too small for 4 columns and "
                "their labels (at least 92)");
}

static int run(const char *cmd, char *out, size_t n)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t len = fread(out, 1, n - 1, f);
    out[len] = '\0';
    return pclose(f);
}

static void test_pdf_has_the_page_size_and_every_label(void **state)
{
    (void)state;
    const char *xl[] = {"the", "cat", "sat", "mat"};
    const char *yl[] = {"我", "爱", "北京"};
    nn_heatmap h = {.data = M34, .rows = 3, .cols = 4, .vmin = NAN,
                    .vmax = NAN, .xlabels = xl, .ylabels = yl,
                    .title = "注意力 attention", .xlabel = "keys",
                    .ylabel = "queries", .colorbar_label = "weight"};
    nn_heatmap_info info;
    const char *p = path_of("h.pdf");
    CHECK_OK(nn_heatmap_save(p, &h, &(nn_figure){.width = 400, .height = 250},
                             &info, "t"));
    char cmd[600], out[8192];
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>&1", p);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    if (!strstr(out, "400 x 250 pts"))
        fail_msg("pdfinfo: %s", out);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", p);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    const char *want[] = {"the", "cat", "sat", "mat", "我", "爱", "北京",
                          "注意力", "attention", "keys", "queries", "weight"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(out, want[i]))
            fail_msg("pdftotext has no '%s' in:\n%s", want[i], out);
}

static void test_svg_is_valid_xml_of_the_right_size(void **state)
{
    (void)state;
    nn_heatmap h = {.data = M34, .rows = 3, .cols = 4, .vmin = NAN,
                    .vmax = NAN, .title = "a < b & c"};
    const char *p = path_of("h.svg");
    CHECK_OK(nn_heatmap_save(p, &h, &(nn_figure){.width = 420, .height = 260},
                             NULL, "t"));
    char cmd[600], out[4096];
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s' 2>&1", p);
    if (run(cmd, out, sizeof out) != 0)
        fail_msg("xmllint: %s", out);
    snprintf(cmd, sizeof cmd, "head -c 600 '%s'", p);
    run(cmd, out, sizeof out);
    if (!strstr(out, "width=\"420pt\"") || !strstr(out, "height=\"260pt\""))
        fail_msg("svg header: %s", out);
}

static int count_entries(const char *d)
{
    DIR *dd = opendir(d);
    assert_non_null(dd);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dd)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(dd);
    return n;
}

#define CHECK_ERROR_HAS(expr, status, part)                                  \
    do {                                                                     \
        nn_status s_ = (expr);                                               \
        assert_int_equal(s_, (status));                                      \
        if (!strstr(nn_errmsg(), (part)))                                    \
            fail_msg("message '%s' lacks '%s'", nn_errmsg(), (part));        \
    } while (0)

static void test_bad_input_and_failed_writes(void **state)
{
    (void)state;
    char top[sizeof dir];
    memcpy(top, dir, sizeof dir);
    snprintf(dir, sizeof dir, "%.200s/bad", top);
    mkdir(dir, 0777);
    nn_heatmap h = {.data = M34, .rows = 0, .cols = 4, .vmin = NAN,
                    .vmax = NAN};
    CHECK_ERROR(nn_heatmap_save(path_of("x.png"), &h, NULL, NULL, "viz.heatmap"),
                NN_EARG, "viz.heatmap: nothing to draw (a 0 x 4 matrix)");
    h.rows = 3;
    h.cmap = "nope";
    CHECK_ERROR_HAS(nn_heatmap_save(path_of("x.png"), &h, NULL, NULL, "v"),
                    NN_EARG, "v: unknown colormap 'nope' (known: viridis");
    h.cmap = NULL;
    CHECK_ERROR_HAS(nn_heatmap_save(path_of("x.jpg"), &h, NULL, NULL, "v"),
                    NN_EARG, "x.jpg': use a file name ending in .png, .svg or .pdf");
    h.vmin = 1;
    h.vmax = 0;
    CHECK_ERROR(nn_heatmap_save(path_of("x.png"), &h, NULL, NULL, "v"),
                NN_EARG, "v: vmin (1) must be less than vmax (0)");
    h.vmin = h.vmax = NAN;
    /* nothing at all was created by the failures */
    assert_int_equal(count_entries(dir), 0);

    /* a directory that does not exist: an I/O error naming the path */
    CHECK_ERROR_HAS(nn_heatmap_save(path_of("missing/x.png"), &h, NULL, NULL,
                                    "v"),
                    NN_EIO, "missing/x.png: No such file or directory");
    /* the target is a directory: the rename fails, no temporary is left */
    mkdir(path_of("taken.png"), 0777);
    CHECK_ERROR_HAS(nn_heatmap_save(path_of("taken.png"), &h, NULL, NULL, "v"),
                    NN_EIO, "taken.png: ");
    assert_int_equal(count_entries(dir), 1);
    rmdir(path_of("taken.png"));
    /* a read-only directory (not for root, who may write anyway) */
    if (geteuid() != 0) {
        mkdir(path_of("ro"), 0555);
        CHECK_ERROR_HAS(nn_heatmap_save(path_of("ro/x.png"), &h, NULL, NULL,
                                        "v"),
                        NN_EIO, "ro/x.png: Permission denied");
        assert_int_equal(count_entries(path_of("ro")), 0);
        rmdir(path_of("ro"));
    }
    /* a failed write leaves an existing file untouched */
    CHECK_OK(nn_heatmap_save(path_of("keep.png"), &h, NULL, NULL, "v"));
    struct stat before, after;
    assert_int_equal(stat(path_of("keep.png"), &before), 0);
    h.cmap = "nope";
    assert_int_not_equal(nn_heatmap_save(path_of("keep.png"), &h, NULL, NULL,
                                         "v"), NN_OK);
    assert_int_equal(stat(path_of("keep.png"), &after), 0);
    assert_true(before.st_size == after.st_size &&
                before.st_mtime == after.st_mtime);
    unlink(path_of("keep.png"));
    assert_int_equal(count_entries(dir), 0);
    rmdir(dir);
    memcpy(dir, top, sizeof dir);
}

static void test_nonfinite_cells_are_hatched(void **state)
{
    (void)state;
    float m[6] = {0, NAN, 0.5f, INFINITY, 1, -INFINITY};
    nn_heatmap h = {.data = m, .rows = 2, .cols = 3, .vmin = NAN, .vmax = NAN,
                    .annotate = 1};
    nn_heatmap_info info;
    const char *p = path_of("nan.png");
    CHECK_OK(nn_heatmap_save(p, &h, NULL, &info, "t"));
    assert_int_equal(info.nonfinite, 3);
    assert_true(info.vmin == 0 && info.vmax == 1); /* from the finite ones */
    image im = load_png(p);
    /* a hatched cell has both light and darker grey pixels, no colour */
    int light = 0, dark = 0;
    for (double dy = 0.15; dy < 0.35; dy += 0.01)
        for (double dx = 0.1; dx < 0.9; dx += 0.05) {
            int got[3];
            pixel(&im, info.plot_x + (1 + dx) * info.cell_w,
                  info.plot_y + dy * info.cell_h, got);
            assert_true(abs(got[0] - got[1]) <= 2 && abs(got[1] - got[2]) <= 2);
            light += got[0] > 200;
            dark += got[0] < 180;
        }
    assert_true(light > 0 && dark > 0);
    cairo_surface_destroy(im.s);
    /* all NaN: still drawn */
    float all[2] = {NAN, NAN};
    nn_heatmap g = {.data = all, .rows = 1, .cols = 2, .vmin = NAN,
                    .vmax = NAN};
    CHECK_OK(nn_heatmap_save(path_of("allnan.svg"), &g, NULL, &info, "t"));
    assert_int_equal(info.nonfinite, 2);
}

static void test_grid_with_a_shared_scale(void **state)
{
    (void)state;
    float a[4] = {0, 1, 2, 3}, b[6] = {-1, 0, 1, 2, 3, 5};
    nn_heatmap hs[2] = {
        {.data = a, .rows = 2, .cols = 2, .vmin = NAN, .vmax = NAN,
         .title = "a"},
        {.data = b, .rows = 2, .cols = 3, .vmin = NAN, .vmax = NAN,
         .title = "b"}};
    nn_heatmap_info info[2];
    const char *p = path_of("grid.png");
    nn_figure fig = {.shared_scale = 1, .title = "two"};
    CHECK_OK(nn_heatmap_grid_save(p, 2, hs, &fig, info, "t"));
    assert_true(info[0].vmin == -1 && info[0].vmax == 5);
    assert_true(info[1].vmin == -1 && info[1].vmax == 5);
    assert_true(info[0].plot_x < info[1].plot_x); /* side by side */
    image im = load_png(p);
    check_cells(&im, &info[0], a, 2, 2, NULL);
    check_cells(&im, &info[1], b, 2, 3, NULL);
    cairo_surface_destroy(im.s);
    fig = (nn_figure){.width = 900, .height = 400, .ncols = 1};
    CHECK_OK(nn_heatmap_grid_save(p, 2, hs, &fig, info, "t"));
    assert_true(info[0].width == 900 && info[0].height == 400);
    assert_true(info[0].plot_y < info[1].plot_y); /* one above the other */
    assert_true(info[0].vmax == 3 && info[1].vmax == 5);
}

static void test_plot(void **state)
{
    (void)state;
    double loss[5] = {1.2, 0.8, 0.5, NAN, 0.3};
    double val[5] = {1.3, 0.9, 0.7, 0.6, 0.6};
    nn_series s[2] = {{.name = "training loss", .values = loss, .n = 5},
                      {.name = "validation loss", .values = val, .n = 5,
                       .dashed = 1}};
    nn_plot pl = {.series = s, .nseries = 2, .xlabel = "epoch",
                  .ylabel = "loss", .x0 = 1};
    nn_plot_info info;
    nn_figure fig = {.title = "Training"};
    CHECK_OK(nn_plot_save(path_of("p.png"), &pl, &fig, &info, "t"));
    assert_true(info.width == 640 && info.height == 420);
    assert_int_equal(info.nonfinite, 1);
    assert_true(info.ymin < 0.3 && info.ymax > 1.3);
    image im = load_png(path_of("p.png"));
    /* the first point of the first line is drawn in tab10 blue */
    int got[3];
    pixel(&im, info.plot_x + (1 - info.xmin) / (info.xmax - info.xmin) * info.plot_w,
          info.plot_y + info.plot_h - (1.2 - info.ymin) / (info.ymax - info.ymin) * info.plot_h,
          got);
    assert_true(abs(got[0] - 31) < 12 && abs(got[1] - 119) < 12 &&
                abs(got[2] - 180) < 12);
    cairo_surface_destroy(im.s);
    fig.width = 300;
    fig.height = 200;
    CHECK_OK(nn_plot_save(path_of("p.pdf"), &pl, &fig, &info, "t"));
    char cmd[600], out[4096];
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>&1", path_of("p.pdf"));
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_non_null(strstr(out, "validation loss"));
    assert_non_null(strstr(out, "epoch"));
    CHECK_OK(nn_plot_save(path_of("p.svg"), &pl, &fig, &info, "t"));
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s' 2>&1", path_of("p.svg"));
    assert_int_equal(run(cmd, out, sizeof out), 0);
    pl.nseries = 0;
    CHECK_ERROR(nn_plot_save(path_of("q.png"), &pl, NULL, NULL, "viz.plot"),
                NN_EARG, "viz.plot: nothing to plot");
}

static void test_cjk_text_is_told_apart_and_titles_fit(void **state)
{
    (void)state;
    assert_true(nn_text_is_cjk("北京"));
    assert_true(nn_text_is_cjk("第3轮"));        /* mostly Han */
    assert_true(nn_text_is_cjk("こんにちは"));
    assert_true(nn_text_is_cjk("사랑"));
    assert_true(nn_text_is_cjk("（注意）"));
    assert_false(nn_text_is_cjk("<pad>"));
    assert_false(nn_text_is_cjk("注意力 weights")); /* 3 of 10 */
    assert_false(nn_text_is_cjk(""));
    assert_false(nn_text_is_cjk("\xff\xfe"));

    cairo_t *cr = nn_measure_context();
    double w, h, w1, h1;
    int lines;
    /* stacked: one line per character, at most max_chars with an ellipsis */
    nn_text st = {.size = 11, .stacked = 1};
    assert_int_equal(nn_text_measure(cr, "天安门", &st, &w, &h, &lines), 0);
    assert_int_equal(lines, 3);
    nn_text_size(cr, "天", 11, 0, 0, &w1, &h1);
    assert_true(h > 2.5 * h1 && w < 1.2 * w1);
    st.max_chars = 2;
    assert_int_equal(nn_text_measure(cr, "天安门", &st, &w, &h, &lines), 1);
    assert_int_equal(lines, 2);
    /* a title too wide for 300 units: two lines, never wider */
    const char *title = "The attention of every sample after the last epoch";
    nn_text t;
    nn_text_fit(cr, title, &t, 14, 1, 9.8, 300, 4);
    assert_int_equal(nn_text_measure(cr, title, &t, &w, &h, &lines), 0);
    assert_true(w <= 300 && lines == 2 && t.size == 14);
    /* much too long: shrinks, then wraps up to 4 lines, ellipsized after */
    char longer[2000] = "";
    for (int i = 0; i < 20; i++)
        strcat(longer, "attention weights over the epochs ");
    nn_text_fit(cr, longer, &t, 14, 1, 9.8, 200, 4);
    assert_int_equal(nn_text_measure(cr, longer, &t, &w, &h, &lines), 1);
    assert_true(w <= 200 && lines == 4 && fabs(t.size - 9.8) < 1e-9);
    cairo_destroy(cr);
}

/* The frames of an animated heatmap, decoded by giflib and drawn one over
 * the other as a viewer does: each cell has its value's colour. */
static void test_animation_decodes_frame_by_frame(void **state)
{
    (void)state;
    enum { R = 3, C = 4, N = 4 };
    static float data[N][R * C];
    nn_heatmap fr[N];
    const char *titles[N] = {"epoch 1", "epoch 2", "epoch 3", "epoch 4"};
    for (int k = 0; k < N; k++) {
        for (int i = 0; i < R * C; i++) /* frame k: its own pattern, 0..4 */
            data[k][i] = (float)((i * (k + 1)) % 5) + (k == 3 ? 0.0f : 0.5f);
        fr[k] = (nn_heatmap){.data = data[k], .rows = R, .cols = C,
                             .vmin = NAN, .vmax = NAN, .title = titles[k]};
    }
    data[0][0] = 0; /* the scale is the union: 0 .. 4.5 */
    const char *p = path_of("a.gif");
    nn_animation_info info;
    nn_text_log log = {0};
    nn_figure fig = {.texts = &log};
    CHECK_OK(nn_heatmap_animate_save(p, N, fr, &fig,
                                     &(nn_animation){.delay = 0.3}, &info, "t"));
    assert_int_equal(info.frames, N);
    assert_true(info.vmin == 0 && info.vmax == 4.5);
    /* the titles of every frame were drawn, on the image */
    int seen = 0;
    for (size_t i = 0; i < log.n; i++) {
        const nn_text_box *b = &log.box[i];
        assert_true(b->x >= 0 && b->y >= 0 && b->x + b->w <= info.width &&
                    b->y + b->h <= info.height);
        if (!strcmp(b->text, titles[b->frame]))
            seen |= 1 << b->frame;
    }
    assert_int_equal(seen, (1 << N) - 1);
    nn_text_log_free(&log);

    int err = 0;
    GifFileType *g = DGifOpenFileName(p, &err);
    assert_non_null(g);
    assert_int_equal(DGifSlurp(g), GIF_OK);
    assert_int_equal(g->ImageCount, N);
    assert_int_equal(g->SWidth, info.width);
    assert_int_equal(g->SHeight, info.height);
    /* where the cells are: the layout of the first frame alone */
    nn_heatmap one = fr[0];
    one.vmin = 0;
    one.vmax = 4.5;
    nn_heatmap_info hi;
    CHECK_OK(nn_heatmap_save(path_of("one.png"), &one,
                             &(nn_figure){.width = info.width,
                                          .height = info.height},
                             &hi, "t"));
    nn_cmap cmap;
    CHECK_OK(nn_cmap_find(&cmap, NULL, "t"));
    size_t npix = (size_t)g->SWidth * (size_t)g->SHeight;
    unsigned char *screen = calloc(npix, 1);
    assert_non_null(screen);
    for (int k = 0; k < N; k++) {
        SavedImage *im = &g->SavedImages[k];
        GifImageDesc *d = &im->ImageDesc;
        GraphicsControlBlock gcb;
        assert_int_equal(DGifSavedExtensionToGCB(g, k, &gcb), GIF_OK);
        assert_int_equal(gcb.DelayTime, 30);
        assert_int_equal(gcb.DisposalMode, DISPOSE_DO_NOT);
        if (k == 0)
            assert_true(d->Left == 0 && d->Top == 0 &&
                        d->Width == g->SWidth && d->Height == g->SHeight);
        for (int y = 0; y < d->Height; y++)
            memcpy(screen + (size_t)(d->Top + y) * (size_t)g->SWidth +
                       (size_t)d->Left,
                   im->RasterBits + (size_t)y * (size_t)d->Width,
                   (size_t)d->Width);
        const ColorMapObject *cm = d->ColorMap ? d->ColorMap : g->SColorMap;
        for (int i = 0; i < R; i++)
            for (int j = 0; j < C; j++) {
                int x = (int)(hi.plot_x + (j + 0.5) * hi.cell_w);
                int y = (int)(hi.plot_y + (i + 0.5) * hi.cell_h);
                GifColorType c =
                    cm->Colors[screen[(size_t)y * (size_t)g->SWidth + (size_t)x]];
                double want[3];
                nn_cmap_color(&cmap, data[k][i * C + j], 0, 4.5, want);
                int got[3] = {c.Red, c.Green, c.Blue};
                for (int q = 0; q < 3; q++) /* the palette holds 232 of 256 */
                    if (abs(got[q] - (int)lround(want[q] * 255)) > 4)
                        fail_msg("frame %d cell (%d, %d): (%d, %d, %d), want "
                                 "(%.0f, %.0f, %.0f)", k, i, j, got[0], got[1],
                                 got[2], want[0] * 255, want[1] * 255,
                                 want[2] * 255);
            }
    }
    free(screen);
    DGifCloseFile(g, &err);

    /* bad input: a clear error, and nothing written */
    fr[2].cols = 3;
    CHECK_ERROR(nn_heatmap_animate_save(path_of("b.gif"), N, fr, NULL, NULL,
                                        NULL, "viz.animate"),
                NN_EARG, "viz.animate: frame 3 is 3 x 3 but frame 1 is 3 x 4: "
                "every frame must have the same shape");
    fr[2].cols = C;
    CHECK_ERROR_HAS(nn_heatmap_animate_save(path_of("b.png"), N, fr, NULL,
                                            NULL, NULL, "v"),
                    NN_EARG, "v: an animation is written as a GIF: use a file "
                    "name ending in .gif, got '");
    CHECK_ERROR(nn_heatmap_animate_save(path_of("b.gif"), 0, fr, NULL, NULL,
                                        NULL, "v"),
                NN_EARG, "v: no frames to draw");
    CHECK_ERROR(nn_heatmap_animate_save(path_of("b.gif"), N, fr, NULL,
                                        &(nn_animation){.delay = 100}, NULL,
                                        "v"),
                NN_EARG, "v: delay is the time each frame shows, in seconds "
                "(0.01 to 60), got 100");
    struct stat st;
    assert_int_not_equal(stat(path_of("b.gif"), &st), 0);
    assert_int_not_equal(stat(path_of("b.png"), &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colormaps_match_matplotlib),
        cmocka_unit_test(test_colormap_names),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_heatmap_cells_are_the_colormap),
        cmocka_unit_test(test_colorbar_runs_from_vmin_to_vmax),
        cmocka_unit_test(test_image_size_follows_options),
        cmocka_unit_test(test_pdf_has_the_page_size_and_every_label),
        cmocka_unit_test(test_svg_is_valid_xml_of_the_right_size),
        cmocka_unit_test(test_bad_input_and_failed_writes),
        cmocka_unit_test(test_nonfinite_cells_are_hatched),
        cmocka_unit_test(test_grid_with_a_shared_scale),
        cmocka_unit_test(test_plot),
        cmocka_unit_test(test_cjk_text_is_told_apart_and_titles_fit),
        cmocka_unit_test(test_animation_decodes_frame_by_frame),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
