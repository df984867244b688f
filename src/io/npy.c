/* npy.c - one tensor in a NumPy .npy file (see npy.h). */
#define _POSIX_C_SOURCE 200809L
#include "npy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safetensors.h" /* the shared file helpers */

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define ALIGN 64
#define GROWTH_DIGITS 21       /* numpy's GROWTH_AXIS_MAX_DIGITS */
#define MAX_HEADER (1u << 20)  /* far more than any sane header */

#define BAD(...) nn_error(NN_EVALUE, __VA_ARGS__)

/* ---- writing ------------------------------------------------------------ */

nn_status nn_npy_save(const char *path, const nn_tensor *t)
{
    if (t->symbolic || !t->data)
        return nn_error(NN_EARG, "save_npy: the tensor is symbolic (it has a "
                        "shape %s but no values)", NN_SHAPE(t));

    /* the dict as numpy writes it: keys sorted, repr of the values */
    char dict[512];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int d = 0; d < t->ndim; d++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%lld",
                      d > 0 ? ", " : "", (long long)t->shape[d]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }",
                  t->ndim == 1 ? "," : "");
    if (t->ndim > 0) {
        /* spare room for the first axis to grow in place */
        int digits = snprintf(NULL, 0, "%lld", (long long)t->shape[0]);
        for (int k = digits; k < GROWTH_DIGITS; k++)
            dict[n++] = ' ';
        dict[n] = '\0';
    }

    /* the header (dict, spaces, newline) ends at a multiple of 64 */
    size_t hlen = (size_t)n + 1, prefix = MAGIC_LEN + 2 + 2;
    size_t pad = ALIGN - (prefix + hlen) % ALIGN;
    int major = 1;
    if (hlen + pad > 65535) {
        major = 2;
        prefix = MAGIC_LEN + 2 + 4;
        pad = ALIGN - (prefix + hlen) % ALIGN;
    }
    size_t total = prefix + hlen + pad;
    unsigned char *head = malloc(total);
    if (!head)
        return nn_error(NN_ENOMEM, "save_npy: out of memory");
    memcpy(head, MAGIC, MAGIC_LEN);
    head[6] = (unsigned char)major;
    head[7] = 0;
    uint32_t len = (uint32_t)(hlen + pad);
    for (size_t i = 0; i < prefix - 8; i++)
        head[8 + i] = (unsigned char)(len >> (8 * i));
    memcpy(head + prefix, dict, (size_t)n);
    memset(head + prefix + n, ' ', pad);
    head[total - 1] = '\n';

    float *swapped = NULL;
    const void *parts[2] = {head, t->data};
    size_t sizes[2] = {total, t->size * sizeof(float)};
    if (nn_io_big_endian() && t->size > 0) {
        if (!(swapped = malloc(sizes[1]))) {
            free(head);
            return nn_error(NN_ENOMEM, "save_npy: out of memory");
        }
        memcpy(swapped, t->data, sizes[1]);
        nn_io_swap_bytes(swapped, t->size, sizeof(float));
        parts[1] = swapped;
    }
    nn_status s = nn_io_write_atomic(path, 2, parts, sizes);
    free(swapped);
    free(head);
    return s;
}

/* ---- reading the header dict -------------------------------------------- */

typedef struct npy_header {
    char descr[32];
    int fortran_order;
    int ndim;
    int64_t shape[NN_MAXDIM];
} npy_header;

typedef struct parser {
    const char *p, *end;
    const char *path;
} parser;

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int eat(parser *ps, char c)
{
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == c) {
        ps->p++;
        return 1;
    }
    return 0;
}

static nn_status bad_header(parser *ps, const char *what)
{
    return BAD("%s: invalid .npy header: %s", ps->path, what);
}

/* A Python string literal in '...' or "..." (no escapes) into buf. */
static int parse_string(parser *ps, char *buf, size_t cap)
{
    skip_ws(ps);
    if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"'))
        return 0;
    char q = *ps->p++;
    size_t n = 0;
    while (ps->p < ps->end && *ps->p != q) {
        if (*ps->p == '\\' || n + 1 >= cap)
            return 0;
        buf[n++] = *ps->p++;
    }
    if (ps->p >= ps->end)
        return 0;
    ps->p++;
    buf[n] = '\0';
    return 1;
}

static int parse_word(parser *ps, const char *word)
{
    size_t n = strlen(word);
    skip_ws(ps);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
        ps->p += n;
        return 1;
    }
    return 0;
}

static nn_status parse_shape(parser *ps, npy_header *h)
{
    if (!eat(ps, '('))
        return bad_header(ps, "'shape' must be a tuple of integers");
    h->ndim = 0;
    for (;;) {
        if (eat(ps, ')'))
            return NN_OK;
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return bad_header(ps, "'shape' must be a tuple of non-negative "
                              "integers");
        int64_t v = 0;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return bad_header(ps, "a size in 'shape' is too large");
            v = v * 10 + (*ps->p++ - '0');
        }
        if (ps->p < ps->end && *ps->p == 'L') /* Python 2's long */
            ps->p++;
        if (h->ndim == NN_MAXDIM)
            return BAD("%s: the .npy array has more than %d axes; attnlab "
                       "tensors have at most %d", ps->path, NN_MAXDIM,
                       NN_MAXDIM);
        h->shape[h->ndim++] = v;
        if (eat(ps, ')'))
            return NN_OK;
        if (!eat(ps, ','))
            return bad_header(ps, "'shape' must be a tuple of integers");
    }
}

static nn_status parse_header(npy_header *h, const char *text, size_t len,
                              const char *path)
{
    parser ps = {text, text + len, path};
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    nn_status s;

    if (!eat(&ps, '{'))
        return bad_header(&ps, "it is not a Python dict");
    while (!eat(&ps, '}')) {
        char key[32];
        if (!parse_string(&ps, key, sizeof key) || !eat(&ps, ':'))
            return bad_header(&ps, "expected 'key': value");
        if (strcmp(key, "descr") == 0 && !seen_descr) {
            seen_descr = 1;
            skip_ws(&ps);
            if (ps.p < ps.end && *ps.p == '[')
                return BAD("%s: the .npy file holds a structured array; "
                           "attnlab reads only plain numeric arrays", path);
            if (!parse_string(&ps, h->descr, sizeof h->descr))
                return bad_header(&ps, "'descr' must be a string");
        } else if (strcmp(key, "fortran_order") == 0 && !seen_fortran) {
            seen_fortran = 1;
            if (parse_word(&ps, "True"))
                h->fortran_order = 1;
            else if (parse_word(&ps, "False"))
                h->fortran_order = 0;
            else
                return bad_header(&ps, "'fortran_order' must be True or "
                                  "False");
        } else if (strcmp(key, "shape") == 0 && !seen_shape) {
            seen_shape = 1;
            if ((s = parse_shape(&ps, h)) != NN_OK)
                return s;
        } else {
            char msg[96];
            int dup = strcmp(key, "descr") == 0 ||
                      strcmp(key, "fortran_order") == 0 ||
                      strcmp(key, "shape") == 0;
            snprintf(msg, sizeof msg, dup ? "the key '%s' appears twice"
                                          : "unexpected key '%s'", key);
            return bad_header(&ps, msg);
        }
        if (eat(&ps, '}'))
            break;
        if (!eat(&ps, ','))
            return bad_header(&ps, "expected ',' or '}' after a value");
    }
    skip_ws(&ps);
    if (ps.p != ps.end)
        return bad_header(&ps, "text after the dict");
    if (!seen_descr || !seen_fortran || !seen_shape)
        return bad_header(&ps, !seen_descr ? "no 'descr'"
                               : !seen_fortran ? "no 'fortran_order'"
                                               : "no 'shape'");
    return NN_OK;
}

/* ---- reading ------------------------------------------------------------ */

typedef enum { F4, F8, I4, I8 } npy_kind;

/* Converts n items of the raw little- or big-endian data to floats. */
static void convert(float *dst, unsigned char *src, size_t n, npy_kind kind,
                    size_t width, int swap)
{
    if (swap)
        nn_io_swap_bytes(src, n, width);
    for (size_t i = 0; i < n; i++, src += width) {
        switch (kind) {
        case F4: memcpy(&dst[i], src, 4); break;
        case F8: { double v; memcpy(&v, src, 8); dst[i] = (float)v; break; }
        case I4: { int32_t v; memcpy(&v, src, 4); dst[i] = (float)v; break; }
        case I8: { int64_t v; memcpy(&v, src, 8); dst[i] = (float)v; break; }
        }
    }
}

nn_status nn_npy_load(nn_tensor **out, const char *path)
{
    int fd;
    uint64_t size;
    unsigned char pre[12];
    char *text = NULL;
    unsigned char *chunk = NULL;
    nn_tensor *t = NULL;
    npy_header h;
    nn_status s;

    *out = NULL;
    memset(&h, 0, sizeof h);
    if ((s = nn_io_open_read(&fd, &size, path)) != NN_OK)
        return s;
    if (size < MAGIC_LEN + 2) {
        s = BAD("%s: not a .npy file (only %" PRIu64 " bytes)", path, size);
        goto done;
    }
    if ((s = nn_io_read_exact(fd, pre, MAGIC_LEN + 2, path, ".npy")) != NN_OK)
        goto done;
    if (memcmp(pre, MAGIC, MAGIC_LEN) != 0) {
        s = BAD("%s: not a .npy file (it does not start with \\x93NUMPY)",
                path);
        goto done;
    }
    int major = pre[6], minor = pre[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
        s = BAD("%s: unsupported .npy format version %d.%d (attnlab reads "
                "1.0, 2.0 and 3.0)", path, major, minor);
        goto done;
    }
    size_t lenbytes = major == 1 ? 2 : 4, prefix = MAGIC_LEN + 2 + lenbytes;
    if (size < prefix) {
        s = nn_error(NN_EIO, "%s: truncated .npy file: %" PRIu64 " bytes, too "
                     "short for the header length", path, size);
        goto done;
    }
    if ((s = nn_io_read_exact(fd, pre + 8, lenbytes, path, ".npy")) != NN_OK)
        goto done;
    uint32_t hlen = 0;
    for (size_t i = lenbytes; i-- > 0;)
        hlen = hlen << 8 | pre[8 + i];
    if (hlen > size - prefix) {
        s = nn_error(NN_EIO, "%s: truncated .npy file: the header length is "
                     "%" PRIu32 " bytes but only %" PRIu64 " bytes follow "
                     "it", path, hlen, size - prefix);
        goto done;
    }
    if (hlen > MAX_HEADER) {
        s = BAD("%s: invalid .npy header: %" PRIu32 " bytes is too long",
                path, hlen);
        goto done;
    }
    if (!(text = malloc(hlen ? hlen : 1))) {
        s = nn_error(NN_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if ((s = nn_io_read_exact(fd, text, hlen, path, ".npy")) != NN_OK ||
        (s = parse_header(&h, text, hlen, path)) != NN_OK)
        goto done;

    /* the dtype: byte order, then kind */
    const char *d = h.descr;
    int little;
    if (d[0] == '<' || (d[0] == '=' && !nn_io_big_endian()))
        little = 1;
    else if (d[0] == '>' || d[0] == '=')
        little = 0;
    else
        little = -1;
    npy_kind kind;
    size_t width;
    if (little >= 0 && strcmp(d + 1, "f4") == 0)
        kind = F4, width = 4;
    else if (little >= 0 && strcmp(d + 1, "f8") == 0)
        kind = F8, width = 8;
    else if (little >= 0 && strcmp(d + 1, "i4") == 0)
        kind = I4, width = 4;
    else if (little >= 0 && strcmp(d + 1, "i8") == 0)
        kind = I8, width = 8;
    else {
        s = BAD("%s: .npy dtype '%s' is not supported (attnlab reads float32 "
                "'<f4', float64 '<f8', int32 '<i4' and int64 '<i8', in either "
                "byte order)", path, h.descr);
        goto done;
    }
    if (h.fortran_order) {
        s = BAD("%s: the .npy array is stored in Fortran order; attnlab reads "
                "only C order (save np.ascontiguousarray(a) instead)", path);
        goto done;
    }

    /* the data must be exactly numel * width bytes */
    uint64_t numel = 1, have = size - prefix - hlen;
    int huge = 0;
    for (int i = 0; i < h.ndim; i++) {
        uint64_t v = (uint64_t)h.shape[i];
        if (v != 0 && numel > UINT64_MAX / 8 / v)
            huge = 1;
        else
            numel *= v;
    }
    for (int i = 0; i < h.ndim; i++)
        if (h.shape[i] == 0)
            huge = 0, numel = 0;
    if (huge) {
        s = BAD("%s: invalid .npy header: the shape %s has too many elements",
                path, nn_shape_str(h.ndim, h.shape));
        goto done;
    }
    if (numel * width > have) {
        s = nn_error(NN_EIO, "%s: truncated .npy file: an array of shape %s "
                     "and dtype '%s' needs %" PRIu64 " bytes of data but only "
                     "%" PRIu64 " are there", path,
                     nn_shape_str(h.ndim, h.shape), h.descr, numel * width,
                     have);
        goto done;
    }
    if (numel * width < have) {
        s = BAD("%s: invalid .npy file: %" PRIu64 " bytes after the data of "
                "the array of shape %s", path, have - numel * width,
                nn_shape_str(h.ndim, h.shape));
        goto done;
    }

    if ((s = nn_tensor_new(&t, h.ndim, h.shape)) != NN_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", nn_errmsg());
        s = nn_error(s, "%s: %s", path, msg);
        goto done;
    }
    int swap = little != !nn_io_big_endian();
    if (kind == F4) {
        /* straight into the tensor */
        s = nn_io_read_exact(fd, t->data, t->size * 4, path, ".npy");
        if (s == NN_OK && swap)
            nn_io_swap_bytes(t->data, t->size, 4);
    } else {
        /* through a buffer, a chunk at a time */
        const size_t per = 8192;
        if (!(chunk = malloc(per * width))) {
            s = nn_error(NN_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        for (size_t at = 0; at < t->size && s == NN_OK; at += per) {
            size_t k = t->size - at < per ? t->size - at : per;
            s = nn_io_read_exact(fd, chunk, k * width, path, ".npy");
            if (s == NN_OK)
                convert(t->data + at, chunk, k, kind, width, swap);
        }
    }

done:
    if (s == NN_OK) {
        *out = t;
    } else {
        nn_tensor_release(t);
    }
    free(chunk);
    free(text);
    close(fd);
    return s;
}
