/* tensor.c - creation, reference counting, shapes and the memory limit. */
#define _DEFAULT_SOURCE
#include "tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autograd.h"

static size_t mem_in_use;
static size_t mem_limit;

static size_t default_limit(void)
{
    const char *env = getenv("ATTNLAB_MEMORY_LIMIT");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == '\0' && v > 0)
            return (size_t)v;
    }
#ifdef _SC_PHYS_PAGES
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0)
        return (size_t)pages / 4 * 3 * (size_t)page;
#endif
    return (size_t)8 << 30;
}

size_t nn_memory_limit(void)
{
    if (mem_limit == 0)
        mem_limit = default_limit();
    return mem_limit;
}

void nn_set_memory_limit(size_t bytes)
{
    mem_limit = bytes;
}

size_t nn_memory_in_use(void)
{
    return mem_in_use;
}

/* True when nbytes more would pass the limit; never wraps around. */
static bool over_limit(size_t nbytes)
{
    size_t limit = nn_memory_limit();
    return mem_in_use > limit || nbytes > limit - mem_in_use;
}

static void format_bytes(char *buf, size_t n, double bytes)
{
    if (bytes >= 1024.0 * 1024 * 1024)
        snprintf(buf, n, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    else if (bytes >= 1024.0 * 1024)
        snprintf(buf, n, "%.1f MiB", bytes / (1024.0 * 1024));
    else
        snprintf(buf, n, "%.0f bytes", bytes);
}

nn_status nn_shape_numel(size_t *out, int ndim, const int64_t *shape)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return nn_error(NN_EARG, "negative size %lld in shape %s",
                            (long long)shape[i], nn_shape_str(ndim, shape));
        if (shape[i] != 0 && n > SIZE_MAX / (size_t)shape[i]) {
            /* report the size as a double so the learner sees how big */
            return nn_error(NN_ENOMEM, "shape %s has too many elements",
                            nn_shape_str(ndim, shape));
        }
        n *= (size_t)shape[i];
    }
    *out = n;
    return NN_OK;
}

static nn_tensor *tensor_alloc(int ndim, const int64_t *shape)
{
    nn_tensor *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ndim = ndim;
    if (ndim > 0)
        memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    t->refcount = 1;
    return t;
}

nn_status nn_tensor_new(nn_tensor **out, int ndim, const int64_t *shape)
{
    size_t n;
    nn_status s;
    char need[32], lim[32];

    *out = NULL;
    if (ndim < 0 || ndim > NN_MAXDIM)
        return nn_error(NN_EARG, "a tensor has at most %d axes, got %d",
                        NN_MAXDIM, ndim);
    if ((s = nn_shape_numel(&n, ndim, shape)) != NN_OK)
        return s;
    double bytes = (double)n * sizeof(float);
    if (n > SIZE_MAX / sizeof(float) || over_limit(n * sizeof(float))) {
        format_bytes(need, sizeof need, bytes);
        format_bytes(lim, sizeof lim, (double)nn_memory_limit());
        return nn_error(NN_ENOMEM,
                        "a tensor of shape %s would need %s, more than the "
                        "memory limit (%s)",
                        nn_shape_str(ndim, shape), need, lim);
    }
    nn_tensor *t = tensor_alloc(ndim, shape);
    if (!t)
        return nn_error(NN_ENOMEM, "out of memory");
    t->size = n;
    t->data = calloc(n ? n : 1, sizeof(float));
    if (!t->data) {
        free(t);
        format_bytes(need, sizeof need, bytes);
        return nn_error(NN_ENOMEM,
                        "out of memory allocating a tensor of shape %s (%s)",
                        nn_shape_str(ndim, shape), need);
    }
    mem_in_use += n * sizeof(float);
    *out = t;
    return NN_OK;
}

nn_status nn_tensor_new_like(nn_tensor **out, const nn_tensor *t)
{
    return nn_tensor_new(out, t->ndim, t->shape);
}

nn_status nn_tensor_symbolic(nn_tensor **out, int ndim, const int64_t *shape)
{
    *out = NULL;
    if (ndim < 0 || ndim > NN_MAXDIM)
        return nn_error(NN_EARG, "a tensor has at most %d axes, got %d",
                        NN_MAXDIM, ndim);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0 && shape[i] != NN_NONE)
            return nn_error(NN_EARG, "negative size %lld in shape %s",
                            (long long)shape[i], nn_shape_str(ndim, shape));
    nn_tensor *t = tensor_alloc(ndim, shape);
    if (!t)
        return nn_error(NN_ENOMEM, "out of memory");
    t->symbolic = true;
    *out = t;
    return NN_OK;
}

nn_status nn_tensor_clone(nn_tensor **out, const nn_tensor *t)
{
    if (t->symbolic)
        return nn_tensor_symbolic(out, t->ndim, t->shape);
    nn_status s = nn_tensor_new_like(out, t);
    if (s == NN_OK && t->size)
        memcpy((*out)->data, t->data, t->size * sizeof(float));
    return s;
}

nn_tensor *nn_tensor_retain(nn_tensor *t)
{
    if (t)
        t->refcount++;
    return t;
}

void nn_tensor_release(nn_tensor *t)
{
    /* Iterative: the tensors whose count drops to zero are chained through
     * next_dead, so freeing a graph of any depth uses constant stack. */
    if (!t || --t->refcount > 0)
        return;
    t->next_dead = NULL;
    while (t) {
        nn_tensor *next = t->next_dead;
        if (t->data) {
            mem_in_use -= t->size * sizeof(float);
            free(t->data);
        }
        if (t->grad && --t->grad->refcount == 0) {
            t->grad->next_dead = next;
            next = t->grad;
        }
        if (t->node) {
            nn_node *nd = t->node;
            for (int i = 0; i < nd->ninputs; i++) {
                nn_tensor *in = nd->inputs[i];
                if (in && --in->refcount == 0) {
                    in->next_dead = next;
                    next = in;
                }
            }
            nd->ninputs = 0; /* their references are given back above */
            nn_node_free(nd);
        }
        free(t);
        t = next;
    }
}

void nn_shape_format(char *buf, size_t n, int ndim, const int64_t *shape)
{
    size_t used = 0;
    used += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < ndim && used < n; i++) {
        if (shape[i] == NN_NONE)
            used += (size_t)snprintf(buf + used, n - used, "%sNone",
                                     i ? ", " : "");
        else
            used += (size_t)snprintf(buf + used, n - used, "%s%lld",
                                     i ? ", " : "", (long long)shape[i]);
    }
    if (ndim == 1 && used < n)
        used += (size_t)snprintf(buf + used, n - used, ",");
    if (used < n)
        snprintf(buf + used, n - used, ")");
}

const char *nn_shape_str(int ndim, const int64_t *shape)
{
    static char bufs[4][NN_MAXDIM * 24 + 8];
    static int next;
    char *b = bufs[next];
    next = (next + 1) % 4;
    nn_shape_format(b, sizeof bufs[0], ndim, shape);
    return b;
}

bool nn_shape_equal(int ndim_a, const int64_t *a, int ndim_b,
                    const int64_t *b)
{
    if (ndim_a != ndim_b)
        return false;
    for (int i = 0; i < ndim_a; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

nn_status nn_normalize_axis(int *out, int64_t axis, int ndim, const char *who)
{
    int64_t a = axis < 0 ? axis + ndim : axis;
    if (a < 0 || a >= ndim)
        return nn_error(NN_EARG,
                        "%s: axis %lld is out of range for a tensor of rank %d",
                        who, (long long)axis, ndim);
    *out = (int)a;
    return NN_OK;
}
