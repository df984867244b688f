/* safetensors.c - named float32 tensors on disk (see safetensors.h). */
#define _POSIX_C_SOURCE 200809L
#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- file helpers ------------------------------------------------------- */

int nn_io_big_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

void nn_io_swap_bytes(void *buf, size_t n, size_t width)
{
    unsigned char *p = buf;
    for (size_t i = 0; i < n; i++, p += width)
        for (size_t a = 0, b = width - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

static nn_status os_error(const char *path, int err)
{
    return nn_error(NN_EIO, "%s: %s", path, strerror(err));
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* fsync of the directory holding path, so the rename itself is durable;
 * best effort (some file systems refuse to sync a directory). */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

nn_status nn_io_write_atomic(const char *path, size_t nparts,
                             const void *const *parts, const size_t *sizes)
{
    static unsigned counter;
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    if (path[dirlen] == '\0')
        return os_error(path, *path ? EISDIR : ENOENT);

    /* a name of our own next to the target, created exclusively */
    size_t cap = dirlen + 64;
    char *tmp = malloc(cap);
    if (!tmp)
        return nn_error(NN_ENOMEM, "%s: out of memory", path);
    int fd = -1, err = 0;
    for (int attempt = 0; attempt < 1000; attempt++) {
        snprintf(tmp, cap, "%.*s.attnlab-%ld-%u.tmp", (int)dirlen, path,
                 (long)getpid(), counter++);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0) {
        err = errno;
        free(tmp);
        return os_error(path, err);
    }
    /* a file replaced keeps its permissions */
    struct stat old;
    if (stat(path, &old) == 0 && S_ISREG(old.st_mode) &&
        fchmod(fd, old.st_mode & 07777) != 0)
        err = errno;
    for (size_t i = 0; i < nparts && !err; i++)
        if (sizes[i] > 0 && write_all(fd, parts[i], sizes[i]) != 0)
            err = errno;
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        unlink(tmp);
        free(tmp);
        return os_error(path, err);
    }
    free(tmp);
    sync_dir(path);
    return NN_OK;
}

nn_status nn_io_open_read(int *fd, uint64_t *size, const char *path)
{
    struct stat st;
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return os_error(path, errno);
    if (fstat(*fd, &st) != 0) {
        int err = errno;
        close(*fd);
        *fd = -1;
        return os_error(path, err);
    }
    if (!S_ISREG(st.st_mode)) {
        close(*fd);
        *fd = -1;
        if (S_ISDIR(st.st_mode))
            return os_error(path, EISDIR);
        return nn_error(NN_EIO, "%s: not a regular file", path);
    }
    *size = (uint64_t)st.st_size;
    return NN_OK;
}

nn_status nn_io_read_exact(int fd, void *buf, size_t n, const char *path,
                           const char *kind)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return os_error(path, errno);
        }
        if (k == 0)
            return nn_error(NN_EIO, "%s: truncated %s file: it ended while "
                            "being read", path, kind);
        p += k;
        n -= (size_t)k;
    }
    return NN_OK;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_u64(sbuf *b, uint64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    sb_str(b, tmp);
}

/* A JSON string as serde_json writes it: only '"', '\\' and control
 * characters escaped, UTF-8 kept as it is. */
static void sb_json_string(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        if (esc) {
            sb_str(b, esc);
        } else if (c < 0x20) {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            sb_add(b, u, 6);
        } else {
            sb_add(b, (const char *)&c, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* Strict UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF), as JSON parsers require. */
static int valid_utf8(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        int n;
        unsigned cp, min;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        for (int i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

typedef struct keyed {
    const char *key;
    size_t index;
} keyed;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const keyed *)a)->key, ((const keyed *)b)->key);
}

/* Indices 0..n-1 sorted by names[i] (byte order, as Rust's String). */
static size_t *sorted_order(size_t n, const char *const *names)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    if (!order || !k) {
        free(order);
        free(k);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){names[i], i};
    qsort(k, n, sizeof *k, by_key);
    for (size_t i = 0; i < n; i++)
        order[i] = k[i].index;
    free(k);
    return order;
}

static nn_status check_save_args(size_t n, const char *const *names,
                                 const nn_tensor *const *tensors, size_t nmeta,
                                 const char *const *meta_keys,
                                 const char *const *meta_values)
{
    const char *who = "save_safetensors";
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !tensors[i])
            return nn_error(NN_EARG, "%s: tensor %zu has no %s", who, i + 1,
                            names[i] ? "tensor" : "name");
        if (!valid_utf8(names[i]))
            return nn_error(NN_EARG, "%s: tensor name %zu is not valid UTF-8",
                            who, i + 1);
        if (strcmp(names[i], "__metadata__") == 0)
            return nn_error(NN_EARG, "%s: '__metadata__' cannot name a "
                            "tensor (the format reserves it)", who);
        if (tensors[i]->symbolic || !tensors[i]->data)
            return nn_error(NN_EARG, "%s: tensor '%s' is symbolic (it has "
                            "a shape %s but no values)", who, names[i],
                            NN_SHAPE(tensors[i]));
    }
    for (size_t i = 0; i < nmeta; i++) {
        if (!meta_keys[i] || !meta_values[i])
            return nn_error(NN_EARG, "%s: metadata entry %zu has no %s", who,
                            i + 1, meta_keys[i] ? "value" : "key");
        if (!valid_utf8(meta_keys[i]) || !valid_utf8(meta_values[i]))
            return nn_error(NN_EARG, "%s: metadata entry %zu is not valid "
                            "UTF-8", who, i + 1);
    }
    return NN_OK;
}

nn_status nn_safetensors_save(const char *path, size_t n,
                              const char *const *names,
                              const nn_tensor *const *tensors, size_t nmeta,
                              const char *const *meta_keys,
                              const char *const *meta_values)
{
    nn_status s = check_save_args(n, names, tensors, nmeta, meta_keys,
                                  meta_values);
    if (s != NN_OK)
        return s;

    size_t *order = sorted_order(n, names);
    size_t *morder = sorted_order(nmeta, meta_keys);
    const void **parts = malloc((n + 2) * sizeof *parts);
    size_t *sizes = malloc((n + 2) * sizeof *sizes);
    float **swapped = calloc(n ? n : 1, sizeof *swapped);
    sbuf h = {0};
    if (!order || !morder || !parts || !sizes || !swapped) {
        s = nn_error(NN_ENOMEM, "save_safetensors: out of memory");
        goto done;
    }
    for (size_t i = 1; i < n; i++)
        if (strcmp(names[order[i]], names[order[i - 1]]) == 0) {
            s = nn_error(NN_EARG, "save_safetensors: the name '%s' is used "
                         "twice", names[order[i]]);
            goto done;
        }
    for (size_t i = 1; i < nmeta; i++)
        if (strcmp(meta_keys[morder[i]], meta_keys[morder[i - 1]]) == 0) {
            s = nn_error(NN_EARG, "save_safetensors: the metadata key '%s' "
                         "is used twice", meta_keys[morder[i]]);
            goto done;
        }

    /* the header */
    sb_add(&h, "{", 1);
    if (nmeta > 0) {
        sb_str(&h, "\"__metadata__\":{");
        for (size_t i = 0; i < nmeta; i++) {
            if (i > 0)
                sb_add(&h, ",", 1);
            sb_json_string(&h, meta_keys[morder[i]]);
            sb_add(&h, ":", 1);
            sb_json_string(&h, meta_values[morder[i]]);
        }
        sb_add(&h, "}", 1);
    }
    uint64_t offset = 0;
    for (size_t i = 0; i < n; i++) {
        const nn_tensor *t = tensors[order[i]];
        if (i > 0 || nmeta > 0)
            sb_add(&h, ",", 1);
        sb_json_string(&h, names[order[i]]);
        sb_str(&h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            if (d > 0)
                sb_add(&h, ",", 1);
            sb_u64(&h, (uint64_t)t->shape[d]);
        }
        sb_str(&h, "],\"data_offsets\":[");
        sb_u64(&h, offset);
        sb_add(&h, ",", 1);
        offset += (uint64_t)t->size * sizeof(float);
        sb_u64(&h, offset);
        sb_str(&h, "]}");
    }
    sb_add(&h, "}", 1);
    while (h.len % 8 != 0)
        sb_add(&h, " ", 1);
    if (h.failed) {
        s = nn_error(NN_ENOMEM, "save_safetensors: out of memory");
        goto done;
    }

    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)h.len >> (8 * i));
    parts[0] = len8;
    sizes[0] = 8;
    parts[1] = h.p;
    sizes[1] = h.len;
    for (size_t i = 0; i < n; i++) {
        const nn_tensor *t = tensors[order[i]];
        parts[i + 2] = t->data;
        sizes[i + 2] = t->size * sizeof(float);
        if (nn_io_big_endian() && t->size > 0) {
            swapped[i] = malloc(sizes[i + 2]);
            if (!swapped[i]) {
                s = nn_error(NN_ENOMEM, "save_safetensors: out of memory");
                goto done;
            }
            memcpy(swapped[i], t->data, sizes[i + 2]);
            nn_io_swap_bytes(swapped[i], t->size, sizeof(float));
            parts[i + 2] = swapped[i];
        }
    }
    s = nn_io_write_atomic(path, n + 2, parts, sizes);

done:
    if (swapped)
        for (size_t i = 0; i < n; i++)
            free(swapped[i]);
    free(swapped);
    free(h.p);
    free(parts);
    free(sizes);
    free(order);
    free(morder);
    return s;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct entry {
    const char *name;  /* owned by the JSON */
    int ndim;
    int64_t shape[NN_MAXDIM];
    uint64_t begin, end;
    size_t index;      /* position in the header */
} entry;

static int by_offsets(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->begin != b->begin)
        return a->begin < b->begin ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

#define BAD(...) nn_error(NN_EVALUE, __VA_ARGS__)

/* A JSON integer >= 0 (jansson reads integers as long long). */
static int get_count(json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return 0;
    *out = (uint64_t)json_integer_value(v);
    return 1;
}

static nn_status parse_entry(entry *e, const char *name, json_t *info,
                             const char *path)
{
    e->name = name;
    if (!json_is_object(info))
        return BAD("%s: invalid safetensors header: the entry of tensor '%s' "
                   "is not an object", path, name);
    json_t *dtype = json_object_get(info, "dtype");
    json_t *shape = json_object_get(info, "shape");
    json_t *offs = json_object_get(info, "data_offsets");
    if (!dtype || !shape || !offs)
        return BAD("%s: invalid safetensors header: tensor '%s' has no "
                   "\"%s\"", path, name,
                   !dtype ? "dtype" : !shape ? "shape" : "data_offsets");
    if (!json_is_string(dtype))
        return BAD("%s: invalid safetensors header: the dtype of tensor '%s' "
                   "is not a string", path, name);
    if (strcmp(json_string_value(dtype), "F32") != 0)
        return BAD("%s: tensor '%s' has dtype %s; attnlab stores float32 and "
                   "reads only F32 tensors (convert it before saving, e.g. "
                   "with .float() in PyTorch)", path, name,
                   json_string_value(dtype));
    if (!json_is_array(shape))
        return BAD("%s: invalid safetensors header: the shape of tensor '%s' "
                   "is not a list", path, name);
    if (json_array_size(shape) > NN_MAXDIM)
        return BAD("%s: tensor '%s' has %zu axes; attnlab tensors have at "
                   "most %d", path, name, json_array_size(shape), NN_MAXDIM);
    e->ndim = (int)json_array_size(shape);
    uint64_t numel = 1;
    int overflow = 0;
    for (int d = 0; d < e->ndim; d++) {
        uint64_t v;
        if (!get_count(json_array_get(shape, (size_t)d), &v))
            return BAD("%s: invalid safetensors header: the shape of tensor "
                       "'%s' must hold non-negative integers", path, name);
        e->shape[d] = (int64_t)v;
        if (v != 0 && numel > UINT64_MAX / 4 / v)
            overflow = 1;
        else
            numel *= v;
    }
    if (!json_is_array(offs) || json_array_size(offs) != 2 ||
        !get_count(json_array_get(offs, 0), &e->begin) ||
        !get_count(json_array_get(offs, 1), &e->end))
        return BAD("%s: invalid safetensors header: the data_offsets of "
                   "tensor '%s' must be two non-negative integers "
                   "[begin, end]", path, name);
    if (e->end < e->begin)
        return BAD("%s: invalid safetensors header: tensor '%s' has "
                   "data_offsets [%" PRIu64 ", %" PRIu64 "] that end before "
                   "they begin", path, name, e->begin, e->end);
    /* numel is 0 whenever a size is 0, even after an "overflow" */
    for (int d = 0; d < e->ndim; d++)
        if (e->shape[d] == 0)
            overflow = 0, numel = 0;
    if (overflow || numel * 4 != e->end - e->begin)
        return BAD("%s: invalid safetensors header: tensor '%s' of shape %s "
                   "needs %s%" PRIu64 " bytes but its data_offsets "
                   "[%" PRIu64 ", %" PRIu64 "] hold %" PRIu64, path, name,
                   nn_shape_str(e->ndim, e->shape),
                   overflow ? "more than " : "",
                   overflow ? UINT64_MAX / 4 * 4 : numel * 4, e->begin,
                   e->end, e->end - e->begin);
    return NN_OK;
}

static nn_status parse_metadata(nn_safetensors *out, json_t *meta,
                                const char *path)
{
    const char *key;
    json_t *value;
    if (!json_is_object(meta))
        return BAD("%s: invalid safetensors header: __metadata__ is not an "
                   "object", path);
    json_object_foreach(meta, key, value) {
        if (!json_is_string(value))
            return BAD("%s: invalid safetensors header: __metadata__ must "
                       "map strings to strings, but '%s' is not a string",
                       path, key);
    }
    size_t n = json_object_size(meta), i = 0;
    out->meta_keys = calloc(n ? n : 1, sizeof *out->meta_keys);
    out->meta_values = calloc(n ? n : 1, sizeof *out->meta_values);
    if (!out->meta_keys || !out->meta_values)
        return nn_error(NN_ENOMEM, "%s: out of memory", path);
    json_object_foreach(meta, key, value) {
        out->meta_keys[i] = strdup(key);
        out->meta_values[i] = strdup(json_string_value(value));
        out->nmeta = ++i;
        if (!out->meta_keys[i - 1] || !out->meta_values[i - 1])
            return nn_error(NN_ENOMEM, "%s: out of memory", path);
    }
    return NN_OK;
}

/* Parses and checks the header against a data section of data_size bytes;
 * fills the entries (sorted by offset) and the metadata of out. */
static nn_status parse_header(nn_safetensors *out, entry **entries,
                              size_t *count, json_t *root, uint64_t data_size,
                              const char *path)
{
    const char *key;
    json_t *value;
    size_t n = json_object_size(root), k = 0;
    entry *es = calloc(n ? n : 1, sizeof *es);
    nn_status s = NN_OK;
    *entries = es;
    if (!es)
        return nn_error(NN_ENOMEM, "%s: out of memory", path);
    json_object_foreach(root, key, value) {
        if (strcmp(key, "__metadata__") == 0) {
            if ((s = parse_metadata(out, value, path)) != NN_OK)
                return s;
            continue;
        }
        if ((s = parse_entry(&es[k], key, value, path)) != NN_OK)
            return s;
        es[k].index = k;
        k++;
    }
    *count = k;
    qsort(es, k, sizeof *es, by_offsets);

    /* the tensors must tile the data: each begins where the last ended */
    uint64_t at = 0;
    for (size_t i = 0; i < k; i++) {
        if (es[i].begin < at)
            return BAD("%s: invalid safetensors header: tensors '%s' and "
                       "'%s' overlap (data_offsets [%" PRIu64 ", %" PRIu64
                       "] and [%" PRIu64 ", %" PRIu64 "])", path,
                       es[i - 1].name, es[i].name, es[i - 1].begin,
                       es[i - 1].end, es[i].begin, es[i].end);
        if (es[i].begin > at)
            return BAD("%s: invalid safetensors header: %" PRIu64 " bytes "
                       "of the data before tensor '%s' (data_offsets [%"
                       PRIu64 ", %" PRIu64 "]) belong to no tensor", path,
                       es[i].begin - at, es[i].name, es[i].begin, es[i].end);
        at = es[i].end;
    }
    if (at > data_size)
        return nn_error(NN_EIO, "%s: truncated safetensors file: the header "
                        "describes %" PRIu64 " bytes of data but only %"
                        PRIu64 " are there", path, at, data_size);
    if (at < data_size)
        return BAD("%s: invalid safetensors file: the last %" PRIu64
                   " bytes of the data belong to no tensor", path,
                   data_size - at);
    return NN_OK;
}

void nn_safetensors_free(nn_safetensors *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->count; i++) {
        if (st->names)
            free(st->names[i]);
        if (st->tensors)
            nn_tensor_release(st->tensors[i]);
    }
    for (size_t i = 0; i < st->nmeta; i++) {
        free(st->meta_keys[i]);
        free(st->meta_values[i]);
    }
    free(st->names);
    free(st->tensors);
    free(st->meta_keys);
    free(st->meta_values);
    memset(st, 0, sizeof *st);
}

nn_status nn_safetensors_load(nn_safetensors *out, const char *path)
{
    int fd;
    uint64_t size, hlen;
    unsigned char len8[8];
    char *header = NULL;
    json_t *root = NULL;
    entry *es = NULL;
    size_t count = 0;
    nn_status s;

    memset(out, 0, sizeof *out);
    if ((s = nn_io_open_read(&fd, &size, path)) != NN_OK)
        return s;
    if (size < 8) {
        s = nn_error(NN_EIO, "%s: truncated safetensors file: %" PRIu64
                     " bytes, too short for the 8-byte header length", path,
                     size);
        goto done;
    }
    if ((s = nn_io_read_exact(fd, len8, 8, path, "safetensors")) != NN_OK)
        goto done;
    hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | len8[i];
    if (hlen > NN_SAFETENSORS_MAX_HEADER) {
        s = BAD("%s: not a safetensors file: the header length %" PRIu64
                " is more than the limit of %u bytes", path, hlen,
                NN_SAFETENSORS_MAX_HEADER);
        goto done;
    }
    if (hlen > size - 8) {
        s = nn_error(NN_EIO, "%s: truncated safetensors file: the header "
                     "length is %" PRIu64 " bytes but only %" PRIu64
                     " bytes follow it", path, hlen, size - 8);
        goto done;
    }
    header = malloc(hlen ? (size_t)hlen : 1);
    if (!header) {
        s = nn_error(NN_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if ((s = nn_io_read_exact(fd, header, (size_t)hlen, path,
                              "safetensors")) != NN_OK)
        goto done;
    if (hlen == 0 || header[0] != '{') {
        s = BAD("%s: not a safetensors file: the header does not start "
                "with '{'", path);
        goto done;
    }
    const char *zero = memchr(header, '\0', (size_t)hlen);
    if (zero) {
        /* jansson would stop there with "end of file expected" */
        s = BAD("%s: invalid safetensors header: a zero byte at byte %zu of "
                "the header (is the header length right?)", path,
                (size_t)(zero - header) + 1);
        goto done;
    }
    json_error_t jerr;
    root = json_loadb(header, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        s = BAD("%s: invalid safetensors header: bad JSON at byte %d of "
                "the header: %s", path, jerr.position, jerr.text);
        goto done;
    }
    if ((s = parse_header(out, &es, &count, root, size - 8 - hlen, path))
        != NN_OK)
        goto done;

    /* everything checked: the tensors, in the order of their data */
    out->names = calloc(count ? count : 1, sizeof *out->names);
    out->tensors = calloc(count ? count : 1, sizeof *out->tensors);
    if (!out->names || !out->tensors) {
        s = nn_error(NN_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    out->count = count;
    for (size_t i = 0; i < count; i++) {
        if (!(out->names[i] = strdup(es[i].name))) {
            s = nn_error(NN_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        s = nn_tensor_new(&out->tensors[i], es[i].ndim, es[i].shape);
        if (s != NN_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", nn_errmsg());
            s = nn_error(s, "%s: tensor '%s': %s", path, es[i].name, msg);
            goto done;
        }
        nn_tensor *t = out->tensors[i];
        s = nn_io_read_exact(fd, t->data, t->size * sizeof(float), path,
                             "safetensors");
        if (s != NN_OK)
            goto done;
        if (nn_io_big_endian())
            nn_io_swap_bytes(t->data, t->size, sizeof(float));
    }

done:
    if (s != NN_OK)
        nn_safetensors_free(out);
    free(es);
    json_decref(root); /* after es, whose names it holds */
    free(header);
    close(fd);
    return s;
}
