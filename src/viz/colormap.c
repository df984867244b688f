/* colormap.c - looking up matplotlib's colormaps (see colormap.h). */
#include "colormap.h"

#include <math.h>
#include <string.h>

static int same_name(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (x != y || !y)
            return 0;
    }
    return b[n] == '\0';
}

const char *nn_cmap_names(void)
{
    return "viridis, magma, inferno, plasma, cividis, blues, greys, rdbu "
           "(add _r to reverse)";
}

nn_status nn_cmap_find(nn_cmap *out, const char *name, const char *who)
{
    out->map = &nn_colormaps[0];
    out->reversed = 0;
    if (!name)
        return NN_OK;
    size_t n = strlen(name);
    int rev = n > 2 && name[n - 2] == '_' &&
              (name[n - 1] == 'r' || name[n - 1] == 'R');
    size_t base = rev ? n - 2 : n;
    for (const nn_colormap *m = nn_colormaps; m->name; m++)
        if (same_name(name, m->name, base)) {
            out->map = m;
            out->reversed = rev;
            return NN_OK;
        }
    return nn_error(NN_EARG, "%s: unknown colormap '%.64s' (known: %s)",
                    who ? who : "colormap", name, nn_cmap_names());
}

int nn_cmap_diverging(const nn_cmap *c)
{
    return strcmp(c->map->name, "rdbu") == 0;
}

void nn_cmap_entry(const nn_cmap *c, int i, double rgb[3])
{
    if (i < 0)
        i = 0;
    if (i > NN_COLORMAP_N - 1)
        i = NN_COLORMAP_N - 1;
    if (c->reversed)
        i = NN_COLORMAP_N - 1 - i;
    for (int k = 0; k < 3; k++)
        rgb[k] = c->map->lut[i][k];
}

int nn_cmap_index(double t)
{
    if (isnan(t))
        return -1;
    if (t <= 0)
        return 0;
    if (t >= 1)
        return NN_COLORMAP_N - 1;
    int i = (int)(t * NN_COLORMAP_N);
    return i > NN_COLORMAP_N - 1 ? NN_COLORMAP_N - 1 : i;
}

void nn_cmap_color(const nn_cmap *c, double v, double vmin, double vmax,
                   double rgb[3])
{
    nn_cmap_entry(c, nn_cmap_index((v - vmin) / (vmax - vmin)), rgb);
}
