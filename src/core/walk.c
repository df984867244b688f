/* walk.c - the row walker behind broadcasting, reductions and transposes. */
#include "walk.h"

void nn_contiguous_strides(int64_t *st, int ndim, const int64_t *shape)
{
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        st[d] = s;
        s *= shape[d];
    }
}

void nn_walk_rows(const nn_walk *w, nn_row_fn row, void *ctx)
{
    int64_t idx[NN_MAXDIM] = {0};
    size_t total = 1;
    for (int d = 0; d < w->ndim; d++)
        total *= (size_t)w->shape[d];
    if (total == 0)
        return;
    if (w->ndim == 0) {
        row(ctx, 0, w->base[0], w->base[1], 1, 0, 0);
        return;
    }
    int last = w->ndim - 1;
    size_t n = (size_t)w->shape[last];
    size_t o0 = w->base[0], o1 = w->base[1];
    for (size_t i = 0; i < total; i += n) {
        row(ctx, i, o0, o1, n, w->st[0][last], w->st[1][last]);
        for (int d = last - 1; d >= 0; d--) {
            idx[d]++;
            o0 += (size_t)w->st[0][d];
            o1 += (size_t)w->st[1][d];
            if (idx[d] < w->shape[d])
                break;
            o0 -= (size_t)(w->st[0][d] * w->shape[d]);
            o1 -= (size_t)(w->st[1][d] * w->shape[d]);
            idx[d] = 0;
        }
    }
}
