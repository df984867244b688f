/*
 * test_io.c - safetensors and .npy files: round trips bit for bit, the
 * exact bytes of the formats, files written by other programs, every kind
 * of damaged file with its exact message, and atomic writes that never
 * leave a partial file or replace a good one with a broken one.
 *
 * The .npy references below were written by NumPy 1.24.2, so make check
 * needs no Python. They were made with (printed as C strings):
 *
 *   import io, numpy as np
 *   def npy(a, version=None):
 *       f = io.BytesIO()
 *       if version: np.lib.format.write_array(f, a, version=version)
 *       else: np.save(f, a)
 *       return f.getvalue()
 *   npy(np.array(1.5, np.float32))                          # f4_scalar
 *   npy(np.zeros((0,), np.float32))                         # f4_empty
 *   npy(np.array([1, -2, 0.5], np.float32))                 # f4_vec
 *   npy(np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5)  # f4_mat
 *   npy(np.zeros((12345, 0), np.float32))                   # f4_wide
 *   npy(np.arange(24, dtype=np.float32).reshape(2, 3, 4) * -0.125)  # f4_3d
 *   npy(np.array([[1e-3, 2.5], [-1e40, 3.0]]))              # f8_mat
 *   npy(np.array([-1, 0, 2147483647], np.int32))            # i4_vec
 *   npy(np.array([-(2**62), 7], np.int64))                  # i8_vec
 *   npy(np.array([1.0, -3.25], ">f4"))                      # be_f4
 *   npy(np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
 *                                                           # fortran
 *   npy(np.array([1+2j], np.complex64))                     # c8
 *   npy(np.zeros(1, dtype=[("a", "<f4")]))                  # structured
 *   npy(np.array([1, -2, 0.5], np.float32), (2, 0))         # v2_f4_vec
 *
 * Every test runs between record_memory and no_tensor_leaked, and in a
 * fresh temporary directory that must be empty of stray files at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/npy.h"
#include "io/safetensors.h"

static const char npy_f4_scalar[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'sh"
    "ape': (), }                                                       "
    "       \012\000\000\300\?";
static const char npy_f4_empty[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'sh"
    "ape': (0,), }                                                     "
    "       \012";
static const char npy_f4_vec[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'sh"
    "ape': (3,), }                                                     "
    "       \012\000\000\200\?\000\000\000\300\000\000\000\?";
static const char npy_f4_mat[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'sh"
    "ape': (2, 3), }                                                   "
    "       \012\000\000\000\277\000\000\200\276\000\000\000\000\000"
    "\000\200>\000\000\000\?\000\000@\?";
static const char npy_f4_wide[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'sh"
    "ape': (12345, 0), }                                               "
    "       \012";
static const char npy_f4_3d[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': False, 'sh"
    "ape': (2, 3, 4), }                                                "
    "       \012\000\000\000\200\000\000\000\276\000\000\200\276\000"
    "\000\300\276\000\000\000\277\000\000 \277\000\000@\277\000\000`"
    "\277\000\000\200\277\000\000\220\277\000\000\240\277\000\000\260"
    "\277\000\000\300\277\000\000\320\277\000\000\340\277\000\000\360"
    "\277\000\000\000\300\000\000\010\300\000\000\020\300\000\000\030"
    "\300\000\000 \300\000\000(\300\000\0000\300\000\0008\300";
static const char npy_f8_mat[] =
    "\223NUMPY\001\000v\000{'descr': '<f8', 'fortran_order': False, 'sh"
    "ape': (2, 2), }                                                   "
    "       \012\374\251\361\322MbP\?\000\000\000\000\000\000\004@\245"
    "\\\303\361)c=\310\000\000\000\000\000\000\010@";
static const char npy_i4_vec[] =
    "\223NUMPY\001\000v\000{'descr': '<i4', 'fortran_order': False, 'sh"
    "ape': (3,), }                                                     "
    "       \012\377\377\377\377\000\000\000\000\377\377\377\177";
static const char npy_i8_vec[] =
    "\223NUMPY\001\000v\000{'descr': '<i8', 'fortran_order': False, 'sh"
    "ape': (2,), }                                                     "
    "       \012\000\000\000\000\000\000\000\300\007\000\000\000\000"
    "\000\000\000";
static const char npy_be_f4[] =
    "\223NUMPY\001\000v\000{'descr': '>f4', 'fortran_order': False, 'sh"
    "ape': (2,), }                                                     "
    "       \012\?\200\000\000\300P\000\000";
static const char npy_fortran[] =
    "\223NUMPY\001\000v\000{'descr': '<f4', 'fortran_order': True, 'sha"
    "pe': (2, 3), }                                                    "
    "       \012\000\000\000\000\000\000@@\000\000\200\?\000\000\200@"
    "\000\000\000@\000\000\240@";
static const char npy_c8[] =
    "\223NUMPY\001\000v\000{'descr': '<c8', 'fortran_order': False, 'sh"
    "ape': (1,), }                                                     "
    "       \012\000\000\200\?\000\000\000@";
static const char npy_structured[] =
    "\223NUMPY\001\000v\000{'descr': [('a', '<f4')], 'fortran_order': F"
    "alse, 'shape': (1,), }                                            "
    "       \012\000\000\000\000";
static const char npy_v2_f4_vec[] =
    "\223NUMPY\002\000t\000\000\000{'descr': '<f4', 'fortran_order': Fa"
    "lse, 'shape': (3,), }                                             "
    "             \012\000\000\200\?\000\000\000\300\000\000\000\?";

/* ---- fixtures ----------------------------------------------------------- */

static size_t memory_at_start;
static char tmpdir[512];

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/attnlab-test-io-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        print_error("mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return -1;
    }
    memory_at_start = nn_memory_in_use();
    return 0;
}

/* Removes dir and what it holds (files, and directories of files). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            remove_tree(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmpdir);
    if (nn_memory_in_use() != memory_at_start) {
        print_error("leak: %zu bytes of tensors in use before the test, "
                    "%zu after\n", memory_at_start, nn_memory_in_use());
        return -1;
    }
    return 0;
}

/* A path in the test's directory (four live results). */
static const char *P(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The file's bytes (malloc'ed, the caller frees) and their count. */
static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *buf = malloc(1 << 22);
    assert_non_null(buf);
    *n = fread(buf, 1, 1 << 22, f);
    fclose(f);
    return buf;
}

static void check_file_bytes(const char *path, const void *want, size_t n)
{
    size_t got;
    unsigned char *buf = read_bytes(path, &got);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        if (buf[i] != ((const unsigned char *)want)[i])
            fail_msg("%s: byte %zu is 0x%02x, want 0x%02x", path, i, buf[i],
                     ((const unsigned char *)want)[i]);
    free(buf);
}

/* The names in the test's directory, sorted, joined by spaces. */
static const char *dir_listing(void)
{
    static char out[4096];
    char names[64][256];
    int n = 0;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) && n < 64) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0],
          (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(out, i ? " " : "");
        strcat(out, names[i]);
    }
    return out;
}

/* Asserts the status and the message "<path>: <rest>". */
#define CHECK_FILE_ERROR(expr, status, path, rest)                           \
    do {                                                                     \
        nn_status s_ = (expr);                                               \
        char want_[2048];                                                    \
        snprintf(want_, sizeof want_, "%s: %s", (path), (rest));             \
        assert_string_equal(nn_errmsg(), want_);                             \
        assert_int_equal(s_, (status));                                      \
    } while (0)

/* A tensor holding the given bit patterns. */
static nn_tensor *bits_tensor(int ndim, const int64_t *shape,
                              const uint32_t *bits)
{
    nn_tensor *t = make_tensor(ndim, shape, NULL);
    if (bits)
        memcpy(t->data, bits, t->size * sizeof(float));
    return t;
}

/* A tensor of pseudo-random bit patterns (NaNs with payloads included). */
static nn_tensor *random_bits_tensor(int ndim, const int64_t *shape,
                                     uint32_t *seed)
{
    nn_tensor *t = make_tensor(ndim, shape, NULL);
    for (size_t i = 0; i < t->size; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        uint32_t v = *seed ^ (*seed >> 13);
        memcpy(&t->data[i], &v, 4);
    }
    return t;
}

/* Same shape and the same bits. */
static void check_same_tensor(const nn_tensor *got, const nn_tensor *want)
{
    assert_non_null(got);
    assert_int_equal(got->ndim, want->ndim);
    for (int d = 0; d < want->ndim; d++)
        assert_int_equal(got->shape[d], want->shape[d]);
    assert_int_equal(got->size, want->size);
    assert_false(got->symbolic);
    if (want->size > 0 &&
        memcmp(got->data, want->data, want->size * sizeof(float)) != 0)
        fail_msg("the values differ from the saved ones");
}

static void release_all(nn_tensor **ts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        nn_tensor_release(ts[i]);
}

/* Runs the save with files limited to `limit` bytes, so the write fails
 * half-way with EFBIG ("File too large"). */
#define WITH_FILE_SIZE_LIMIT(limit, status_var, expr)                        \
    do {                                                                     \
        struct rlimit old_, lim_;                                            \
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_), 0);                 \
        lim_ = old_;                                                         \
        lim_.rlim_cur = (limit);                                             \
        void (*sig_)(int) = signal(SIGXFSZ, SIG_IGN);                        \
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim_), 0);                 \
        status_var = (expr);                                                 \
        setrlimit(RLIMIT_FSIZE, &old_);                                      \
        signal(SIGXFSZ, sig_);                                               \
    } while (0)

/* ---- safetensors: building files by hand -------------------------------- */

/* A file: the 8-byte length of header, header, then ndata bytes. */
static size_t st_bytes(unsigned char *buf, const char *header,
                       const void *data, size_t ndata)
{
    size_t n = strlen(header);
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, n);
    if (ndata)
        memcpy(buf + 8 + n, data, ndata);
    return 8 + n + ndata;
}

/* Loading these bytes fails with the status and "<path>: <rest>", and
 * leaves the result empty. */
static void st_check_load_error(const void *bytes, size_t n, nn_status status,
                                const char *rest)
{
    const char *path = P("bad.safetensors");
    nn_safetensors st;
    write_bytes(path, bytes, n);
    CHECK_FILE_ERROR(nn_safetensors_load(&st, path), status, path, rest);
    assert_int_equal(st.count, 0);
    assert_null(st.names);
    assert_null(st.tensors);
    assert_int_equal(st.nmeta, 0);
}

/* A header with one tensor entry and 16 bytes of data. */
static void st_check_header_error(const char *header, nn_status status,
                                  const char *rest)
{
    unsigned char buf[1024];
    static const unsigned char data[16];
    st_check_load_error(buf, st_bytes(buf, header, data, 16), status, rest);
}

/* The small file of st_writes_the_exact_bytes, built by hand:
 * {"b": [1, 2], "a": -0.5} with metadata {"format": "pt"}. */
static const unsigned char small_file[] = {
    /* the header length: 144 = 138 bytes of JSON + 6 spaces */
    0x90, 0, 0, 0, 0, 0, 0, 0,
    '{', '"', '_', '_', 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '_', '_',
    '"', ':', '{', '"', 'f', 'o', 'r', 'm', 'a', 't', '"', ':', '"', 'p',
    't', '"', '}', ',',
    '"', 'a', '"', ':', '{', '"', 'd', 't', 'y', 'p', 'e', '"', ':', '"',
    'F', '3', '2', '"', ',', '"', 's', 'h', 'a', 'p', 'e', '"', ':', '[',
    ']', ',', '"', 'd', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e', 't',
    's', '"', ':', '[', '0', ',', '4', ']', '}', ',',
    '"', 'b', '"', ':', '{', '"', 'd', 't', 'y', 'p', 'e', '"', ':', '"',
    'F', '3', '2', '"', ',', '"', 's', 'h', 'a', 'p', 'e', '"', ':', '[',
    '2', ']', ',', '"', 'd', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e',
    't', 's', '"', ':', '[', '4', ',', '1', '2', ']', '}', '}',
    ' ', ' ', ' ', ' ', ' ', ' ',
    /* a = -0.5, then b = 1, 2: little-endian float32 */
    0x00, 0x00, 0x00, 0xbf,
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40,
};

static void save_small_file(const char *path)
{
    nn_tensor *b = T(1, SHAPE(2), {1.0f, 2.0f});
    nn_tensor *a = T(0, SHAPE(0), {-0.5f});
    CHECK_OK(nn_safetensors_save(path, 2, (const char *[]){"b", "a"},
                                 (const nn_tensor *[]){b, a}, 1,
                                 (const char *[]){"format"},
                                 (const char *[]){"pt"}));
    release_all((nn_tensor *[]){a, b}, 2);
}

/* ---- safetensors: round trips ------------------------------------------- */

static void st_round_trip_keeps_every_bit(void **state)
{
    (void)state;
    static const uint32_t special[6] = {
        0x7fc00001u, /* a quiet NaN with a payload */
        0xffa12345u, /* a negative signalling NaN */
        0x80000000u, /* -0 */
        0x7f800000u, 0xff800000u, /* +-inf */
        0x00000001u, /* the smallest denormal */
    };
    uint32_t seed = 7;
    nn_tensor *ts[7] = {
        bits_tensor(2, (int64_t[]){2, 3}, special),
        T(1, SHAPE(3), {FLT_MAX, -FLT_MIN, 0.1f}),
        T(0, SHAPE(0), {42.0f}),
        bits_tensor(1, (int64_t[]){0}, NULL),
        bits_tensor(3, (int64_t[]){2, 0, 3}, NULL),
        random_bits_tensor(8, (int64_t[]){1, 2, 1, 3, 1, 2, 1, 2}, &seed),
        random_bits_tensor(2, (int64_t[]){300, 170}, &seed),
    };
    const char *names[7] = {"w", "b", "scalar", "empty", "empty3", "deep",
                            "big"};
    const char *path = P("model.safetensors");
    CHECK_OK(nn_safetensors_save(path, 7, names, (const nn_tensor **)ts, 2,
                                 (const char *[]){"format", "epoch"},
                                 (const char *[]){"pt", "3"}));
    assert_string_equal(dir_listing(), "model.safetensors");

    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, path));
    /* in the order of the data: the names sorted, as the reference does */
    static const char *const sorted[7] = {"b", "big", "deep", "empty",
                                          "empty3", "scalar", "w"};
    static const int which[7] = {1, 6, 5, 3, 4, 2, 0};
    assert_int_equal(st.count, 7);
    for (int i = 0; i < 7; i++) {
        assert_string_equal(st.names[i], sorted[i]);
        check_same_tensor(st.tensors[i], ts[which[i]]);
    }
    /* the metadata keys sorted too */
    assert_int_equal(st.nmeta, 2);
    assert_string_equal(st.meta_keys[0], "epoch");
    assert_string_equal(st.meta_values[0], "3");
    assert_string_equal(st.meta_keys[1], "format");
    assert_string_equal(st.meta_values[1], "pt");
    nn_safetensors_free(&st);
    assert_int_equal(st.count, 0);
    release_all(ts, 7);
}

static void st_round_trip_of_many_tensors(void **state)
{
    (void)state;
    enum { N = 500 };
    nn_tensor *ts[N];
    char namebuf[N][32];
    const char *names[N];
    uint32_t seed = 1;
    for (int i = 0; i < N; i++) {
        /* shapes from () to (4, 3, 2), with some empty ones */
        int64_t shape[3] = {i % 5, (i / 5) % 4, 2};
        int ndim = i % 4;
        ts[i] = random_bits_tensor(ndim, shape, &seed);
        snprintf(namebuf[i], sizeof namebuf[i], "layer_%03d/kernel:0",
                 N - 1 - i);
        names[i] = namebuf[i];
    }
    const char *path = P("many.safetensors");
    CHECK_OK(nn_safetensors_save(path, N, names, (const nn_tensor **)ts, 0,
                                 NULL, NULL));
    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, path));
    assert_int_equal(st.count, N);
    assert_int_equal(st.nmeta, 0);
    for (int i = 0; i < N; i++) {
        /* sorted by name: layer_000 is the last tensor given */
        assert_string_equal(st.names[i], names[N - 1 - i]);
        check_same_tensor(st.tensors[i], ts[N - 1 - i]);
    }
    nn_safetensors_free(&st);
    release_all(ts, N);
}

static void st_round_trip_of_no_tensors(void **state)
{
    (void)state;
    const char *path = P("empty.safetensors");
    CHECK_OK(nn_safetensors_save(path, 0, NULL, NULL, 0, NULL, NULL));
    /* as the reference implementation's test_empty: "{}" and 6 spaces */
    static const unsigned char want[] = {8, 0, 0, 0, 0, 0, 0, 0, '{', '}',
                                         ' ', ' ', ' ', ' ', ' ', ' '};
    check_file_bytes(path, want, sizeof want);
    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, path));
    assert_int_equal(st.count, 0);
    assert_int_equal(st.nmeta, 0);
    nn_safetensors_free(&st);

    /* metadata alone: {"__metadata__":{"framework":"pt"}} and 5 spaces */
    CHECK_OK(nn_safetensors_save(path, 0, NULL, NULL, 1,
                                 (const char *[]){"framework"},
                                 (const char *[]){"pt"}));
    static const char want_meta[] =
        "\050\0\0\0\0\0\0\0{\"__metadata__\":{\"framework\":\"pt\"}}     ";
    check_file_bytes(path, want_meta, sizeof want_meta - 1);
    CHECK_OK(nn_safetensors_load(&st, path));
    assert_int_equal(st.count, 0);
    assert_int_equal(st.nmeta, 1);
    assert_string_equal(st.meta_keys[0], "framework");
    assert_string_equal(st.meta_values[0], "pt");
    nn_safetensors_free(&st);
}

/* ---- safetensors: the exact bytes --------------------------------------- */

static void st_writes_the_exact_bytes(void **state)
{
    (void)state;
    const char *path = P("small.safetensors");
    save_small_file(path);
    check_file_bytes(path, small_file, sizeof small_file);
}

static void st_writes_the_bytes_of_the_reference_implementation(void **state)
{
    (void)state;
    /* the reference's test_serialization_forced_alignement: "attn0" of
     * shape (1, 1, 2, 3) holding 0..5 gives a 65-byte header padded with
     * 7 spaces to 72 */
    static const unsigned char want[] = {
        72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58,
        123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34,
        115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93,
        44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34,
        58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0,
        0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0,
        0, 160, 64};
    nn_tensor *t = T(4, SHAPE(1, 1, 2, 3), {0, 1, 2, 3, 4, 5});
    const char *path = P("attn.safetensors");
    CHECK_OK(nn_safetensors_save(path, 1, (const char *[]){"attn0"},
                                 (const nn_tensor *[]){t}, 0, NULL, NULL));
    check_file_bytes(path, want, sizeof want);
    nn_tensor_release(t);
}

static void st_escapes_names_as_json(void **state)
{
    (void)state;
    /* a quote, a backslash, a newline, a control character, UTF-8 */
    const char *name = "q\"b\\n\n\001\xc3\xa9/";
    nn_tensor *t = T(0, SHAPE(0), {1.0f});
    const char *path = P("names.safetensors");
    CHECK_OK(nn_safetensors_save(path, 1, &name, (const nn_tensor *[]){t}, 1,
                                 (const char *[]){"k\t"},
                                 (const char *[]){"v\x7f"}));
    static const char want[] =
        "\x68\0\0\0\0\0\0\0"
        "{\"__metadata__\":{\"k\\t\":\"v\x7f\"},"
        "\"q\\\"b\\\\n\\n\\u0001\xc3\xa9/\":{\"dtype\":\"F32\",\"shape\":[],"
        "\"data_offsets\":[0,4]}}      " /* 98 + 6 spaces = 0x68 */
        "\x00\x00\x80\x3f";
    check_file_bytes(path, want, sizeof want - 1);
    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, path));
    assert_int_equal(st.count, 1);
    assert_string_equal(st.names[0], name);
    assert_string_equal(st.meta_keys[0], "k\t");
    assert_string_equal(st.meta_values[0], "v\x7f");
    nn_safetensors_free(&st);
    nn_tensor_release(t);
}

/* ---- safetensors: files from other writers ------------------------------ */

static void st_reads_a_file_of_another_writer(void **state)
{
    (void)state;
    /* as Python's json.dumps would lay it out: spaces, keys in any order,
     * __metadata__ last, no padding, an extra field, tensors not in name
     * order and an empty one in the middle */
    static const char header[] =
        "{\"z\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": "
        "[0, 8]}, \"empty\": {\"dtype\": \"F32\", \"shape\": [0, 3], "
        "\"data_offsets\": [8, 8], \"extra\": null}, \"a\": "
        "{\"data_offsets\": [8, 12], \"shape\": [], \"dtype\": \"F32\"}, "
        "\"__metadata__\": {\"format\": \"np\", \"note\": \"\\u00e9\\n\"}}";
    static const float data[3] = {1.5f, -2.0f, 3.25f};
    unsigned char buf[1024];
    size_t n = st_bytes(buf, header, data, sizeof data);
    assert_int_not_equal((n - 8 - 12) % 8, 0); /* really unpadded */
    const char *path = P("other.safetensors");
    write_bytes(path, buf, n);

    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, path));
    assert_int_equal(st.count, 3);
    assert_string_equal(st.names[0], "z");
    CHECK_VALUES(st.tensors[0], 1, SHAPE(2), 0, {1.5f, -2.0f});
    /* equal offsets: the header's order */
    assert_string_equal(st.names[1], "empty");
    check_values(st.tensors[1], 2, (int64_t[]){0, 3}, NULL, 0);
    assert_string_equal(st.names[2], "a");
    CHECK_VALUES(st.tensors[2], 0, SHAPE(0), 0, {3.25f});
    assert_int_equal(st.nmeta, 2);
    assert_string_equal(st.meta_keys[0], "format");
    assert_string_equal(st.meta_values[0], "np");
    assert_string_equal(st.meta_keys[1], "note");
    assert_string_equal(st.meta_values[1], "\xc3\xa9\n");
    nn_safetensors_free(&st);
}

static void st_reads_the_reference_implementations_example(void **state)
{
    (void)state;
    /* the reference's test_serialization: "attn.0", shape (1, 2, 3), a
     * 64-byte header that needs no padding */
    static const unsigned char bytes[] = {
        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58,
        123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34,
        115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34,
        100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91,
        48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64,
        0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64};
    const char *path = P("ref.safetensors");
    write_bytes(path, bytes, sizeof bytes);
    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, path));
    assert_int_equal(st.count, 1);
    assert_string_equal(st.names[0], "attn.0");
    CHECK_VALUES(st.tensors[0], 3, SHAPE(1, 2, 3), 0, {0, 1, 2, 3, 4, 5});
    nn_safetensors_free(&st);
}

/* ---- safetensors: damaged files ----------------------------------------- */

static void st_rejects_truncated_files(void **state)
{
    (void)state;
    const size_t n = sizeof small_file; /* 8 + 144 + 12 */
    st_check_load_error(small_file, 0, NN_EIO, "truncated safetensors file: "
                        "0 bytes, too short for the 8-byte header length");
    st_check_load_error(small_file, 5, NN_EIO, "truncated safetensors file: "
                        "5 bytes, too short for the 8-byte header length");
    st_check_load_error(small_file, 8, NN_EIO, "truncated safetensors file: "
                        "the header length is 144 bytes but only 0 bytes "
                        "follow it");
    st_check_load_error(small_file, 8 + 100, NN_EIO, "truncated safetensors "
                        "file: the header length is 144 bytes but only 100 "
                        "bytes follow it");
    st_check_load_error(small_file, 8 + 144, NN_EIO, "truncated safetensors "
                        "file: the header describes 12 bytes of data but only "
                        "0 are there");
    st_check_load_error(small_file, n - 1, NN_EIO, "truncated safetensors "
                        "file: the header describes 12 bytes of data but only "
                        "11 are there");
    /* and the whole file loads */
    write_bytes(P("good.safetensors"), small_file, n);
    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, P("good.safetensors")));
    nn_safetensors_free(&st);
}

static void st_rejects_a_wrong_header_length(void **state)
{
    (void)state;
    unsigned char buf[sizeof small_file];
    memcpy(buf, small_file, sizeof buf);
    /* 2^40: more than the reference's limit of 100 MB */
    buf[0] = 0;
    buf[5] = 1;
    st_check_load_error(buf, sizeof buf, NN_EVALUE, "not a safetensors file: "
                        "the header length 1099511627776 is more than the "
                        "limit of 100000000 bytes");
    /* one past the end of the file */
    buf[5] = 0;
    buf[0] = (unsigned char)(sizeof buf - 8 + 1);
    st_check_load_error(buf, sizeof buf, NN_EIO, "truncated safetensors file: "
                        "the header length is 157 bytes but only 156 bytes "
                        "follow it");
    /* shorter than the JSON: it ends inside it */
    buf[0] = 100;
    st_check_load_error(buf, sizeof buf, NN_EVALUE, "invalid safetensors "
                        "header: bad JSON at byte 100 of the header: "
                        "premature end of input near '\"F3'");
    /* longer than the JSON: data bytes in the header */
    buf[0] = 148;
    st_check_load_error(buf, sizeof buf, NN_EVALUE, "invalid safetensors "
                        "header: a zero byte at byte 145 of the header (is "
                        "the header length right?)");
    /* zero, and a non-JSON start */
    buf[0] = 0;
    st_check_load_error(buf, sizeof buf, NN_EVALUE, "not a safetensors file: "
                        "the header does not start with '{'");
    st_check_load_error("\x04\0\0\0\0\0\0\0[1] ", 12, NN_EVALUE,
                        "not a safetensors file: the header does not start "
                        "with '{'");
    /* a .npy file is not a safetensors file */
    st_check_load_error(npy_f4_vec, sizeof npy_f4_vec - 1, NN_EVALUE,
                        "not a safetensors file: the header length "
                        "379676406402707 is more than the limit of "
                        "100000000 bytes");
}

static void st_rejects_bad_json(void **state)
{
    (void)state;
    st_check_header_error("{\"a\":{\"dtype\":\"F32\",}       ", NN_EVALUE,
                          "invalid safetensors header: bad JSON at byte 21 "
                          "of the header: string or '}' expected near '}'");
    st_check_header_error("{\"a\": 1, \"a\": 2}", NN_EVALUE,
                          "invalid safetensors header: bad JSON at byte 12 "
                          "of the header: duplicate object key near '\"a\"'");
    st_check_header_error("{\"a\xff\": 1}", NN_EVALUE,
                          "invalid safetensors header: bad JSON at byte 3 "
                          "of the header: unable to decode byte 0xff near "
                          "'\"a'");
    st_check_header_error("{\"a\": {\"dtype\": \"F32\", \"shape\": "
                          "[99999999999999999999], \"data_offsets\": [0, 16]}}",
                          NN_EVALUE, "invalid safetensors header: bad JSON at "
                          "byte 53 of the header: too big integer near "
                          "'99999999999999999999'");
}

static void st_rejects_a_dtype_other_than_f32(void **state)
{
    (void)state;
    st_check_header_error("{\"w\": {\"dtype\": \"F16\", \"shape\": [8], "
                          "\"data_offsets\": [0, 16]}}", NN_EVALUE,
                          "tensor 'w' has dtype F16; attnlab stores float32 "
                          "and reads only F32 tensors (convert it before "
                          "saving, e.g. with .float() in PyTorch)");
    st_check_header_error("{\"w\": {\"dtype\": \"F64\", \"shape\": [2], "
                          "\"data_offsets\": [0, 16]}}", NN_EVALUE,
                          "tensor 'w' has dtype F64; attnlab stores float32 "
                          "and reads only F32 tensors (convert it before "
                          "saving, e.g. with .float() in PyTorch)");
    st_check_header_error("{\"w\": {\"dtype\": 32, \"shape\": [4], "
                          "\"data_offsets\": [0, 16]}}", NN_EVALUE,
                          "invalid safetensors header: the dtype of tensor "
                          "'w' is not a string");
}

static void st_rejects_bad_entries(void **state)
{
    (void)state;
    st_check_header_error("{\"w\": [0, 16]}", NN_EVALUE,
                          "invalid safetensors header: the entry of tensor "
                          "'w' is not an object");
    st_check_header_error("{\"w\": {\"shape\": [4], \"data_offsets\": "
                          "[0, 16]}}", NN_EVALUE, "invalid safetensors "
                          "header: tensor 'w' has no \"dtype\"");
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": "
                          "[0, 16]}}", NN_EVALUE, "invalid safetensors "
                          "header: tensor 'w' has no \"shape\"");
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": [4]}}",
                          NN_EVALUE, "invalid safetensors header: tensor 'w' "
                          "has no \"data_offsets\"");
    static const char *const bad_shapes[] = {"[-4]", "[4.0]", "4", "[\"4\"]",
                                             "[2, null]"};
    for (int i = 0; i < 5; i++) {
        char header[256];
        snprintf(header, sizeof header, "{\"w\": {\"dtype\": \"F32\", "
                 "\"shape\": %s, \"data_offsets\": [0, 16]}}", bad_shapes[i]);
        st_check_header_error(header, NN_EVALUE, i == 2
            ? "invalid safetensors header: the shape of tensor 'w' is not a "
              "list"
            : "invalid safetensors header: the shape of tensor 'w' must hold "
              "non-negative integers");
    }
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                          "[1, 1, 1, 1, 1, 1, 1, 1, 4], \"data_offsets\": "
                          "[0, 16]}}", NN_EVALUE, "tensor 'w' has 9 axes; "
                          "attnlab tensors have at most 8");
    static const char *const bad_offsets[] = {"[0, 16, 16]", "[0]",
                                              "[-16, 0]", "[0, 16.0]",
                                              "{\"begin\": 0}"};
    for (int i = 0; i < 5; i++) {
        char header[256];
        snprintf(header, sizeof header, "{\"w\": {\"dtype\": \"F32\", "
                 "\"shape\": [4], \"data_offsets\": %s}}", bad_offsets[i]);
        st_check_header_error(header, NN_EVALUE, "invalid safetensors header: "
                              "the data_offsets of tensor 'w' must be two "
                              "non-negative integers [begin, end]");
    }
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], "
                          "\"data_offsets\": [16, 0]}}", NN_EVALUE,
                          "invalid safetensors header: tensor 'w' has "
                          "data_offsets [16, 0] that end before they begin");
    st_check_header_error("{\"__metadata__\": {\"epoch\": 3}, \"w\": "
                          "{\"dtype\": \"F32\", \"shape\": [4], "
                          "\"data_offsets\": [0, 16]}}", NN_EVALUE,
                          "invalid safetensors header: __metadata__ must map "
                          "strings to strings, but 'epoch' is not a string");
    st_check_header_error("{\"__metadata__\": [\"pt\"], \"w\": "
                          "{\"dtype\": \"F32\", \"shape\": [4], "
                          "\"data_offsets\": [0, 16]}}", NN_EVALUE,
                          "invalid safetensors header: __metadata__ is not an "
                          "object");
}

static void st_rejects_inconsistent_offsets(void **state)
{
    (void)state;
    /* the span does not fit the shape */
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], "
                          "\"data_offsets\": [0, 12]}}", NN_EVALUE,
                          "invalid safetensors header: tensor 'w' of shape "
                          "(2, 2) needs 16 bytes but its data_offsets "
                          "[0, 12] hold 12");
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": "
                          "[4294967296, 4294967296], \"data_offsets\": "
                          "[0, 16]}}", NN_EVALUE,
                          "invalid safetensors header: tensor 'w' of shape "
                          "(4294967296, 4294967296) needs more than "
                          "18446744073709551612 bytes but its data_offsets "
                          "[0, 16] hold 16");
    /* overlapping tensors */
    st_check_header_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], "
                          "\"data_offsets\": [0, 8]}, \"b\": {\"dtype\": "
                          "\"F32\", \"shape\": [3], \"data_offsets\": "
                          "[4, 16]}}", NN_EVALUE,
                          "invalid safetensors header: tensors 'a' and 'b' "
                          "overlap (data_offsets [0, 8] and [4, 16])");
    st_check_header_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], "
                          "\"data_offsets\": [0, 16]}, \"b\": {\"dtype\": "
                          "\"F32\", \"shape\": [4], \"data_offsets\": "
                          "[0, 16]}}", NN_EVALUE,
                          "invalid safetensors header: tensors 'a' and 'b' "
                          "overlap (data_offsets [0, 16] and [0, 16])");
    /* a hole between tensors, and before the first */
    st_check_header_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
                          "\"data_offsets\": [0, 4]}, \"b\": {\"dtype\": "
                          "\"F32\", \"shape\": [2], \"data_offsets\": "
                          "[8, 16]}}", NN_EVALUE,
                          "invalid safetensors header: 4 bytes of the data "
                          "before tensor 'b' (data_offsets [8, 16]) belong to "
                          "no tensor");
    st_check_header_error("{\"b\": {\"dtype\": \"F32\", \"shape\": [2], "
                          "\"data_offsets\": [8, 16]}}", NN_EVALUE,
                          "invalid safetensors header: 8 bytes of the data "
                          "before tensor 'b' (data_offsets [8, 16]) belong to "
                          "no tensor");
    /* out of range of the data */
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": [5], "
                          "\"data_offsets\": [0, 20]}}", NN_EIO,
                          "truncated safetensors file: the header describes "
                          "20 bytes of data but only 16 are there");
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": [1000000], "
                          "\"data_offsets\": [0, 4000000]}}", NN_EIO,
                          "truncated safetensors file: the header describes "
                          "4000000 bytes of data but only 16 are there");
    /* data that belongs to no tensor at the end: the sizes do not match */
    st_check_header_error("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], "
                          "\"data_offsets\": [0, 12]}}", NN_EVALUE,
                          "invalid safetensors file: the last 4 bytes of the "
                          "data belong to no tensor");
    st_check_header_error("{}", NN_EVALUE, "invalid safetensors file: the "
                          "last 16 bytes of the data belong to no tensor");
}

static void st_load_reports_missing_files(void **state)
{
    (void)state;
    nn_safetensors st;
    const char *path = P("missing.safetensors");
    CHECK_FILE_ERROR(nn_safetensors_load(&st, path), NN_EIO, path,
                     "No such file or directory");
    CHECK_FILE_ERROR(nn_safetensors_load(&st, tmpdir), NN_EIO, tmpdir,
                     "Is a directory");
    CHECK_FILE_ERROR(nn_safetensors_load(&st, "/dev/null"), NN_EIO,
                     "/dev/null", "not a regular file");
    assert_int_equal(st.count, 0);
}

static void st_load_respects_the_memory_limit(void **state)
{
    (void)state;
    nn_tensor *big = make_tensor(1, (int64_t[]){1000}, NULL);
    nn_tensor *small = T(1, SHAPE(2), {1, 2});
    const char *path = P("big.safetensors");
    CHECK_OK(nn_safetensors_save(path, 2, (const char *[]){"a", "big"},
                                 (const nn_tensor *[]){small, big}, 0, NULL,
                                 NULL));
    size_t old = nn_memory_limit();
    nn_set_memory_limit(nn_memory_in_use() + 1000);
    nn_safetensors st;
    nn_status s = nn_safetensors_load(&st, path);
    char want[512];
    snprintf(want, sizeof want, "%s: tensor 'big': a tensor of shape (1000,) "
             "would need 4000 bytes, more than the memory limit (%zu bytes)",
             path, nn_memory_in_use() + 1000);
    nn_set_memory_limit(old);
    assert_int_equal(s, NN_ENOMEM);
    assert_string_equal(nn_errmsg(), want);
    assert_int_equal(st.count, 0); /* "a" was freed again */
    release_all((nn_tensor *[]){big, small}, 2);
}

/* ---- safetensors: saving ------------------------------------------------ */

static void st_save_rejects_bad_arguments(void **state)
{
    (void)state;
    nn_tensor *a = T(1, SHAPE(2), {1, 2});
    nn_tensor *sym;
    CHECK_OK(nn_tensor_symbolic(&sym, 2, (int64_t[]){NN_NONE, 4}));
    const char *path = P("x.safetensors");
    CHECK_ERROR(nn_safetensors_save(path, 2, (const char *[]){"w", "w"},
                                    (const nn_tensor *[]){a, a}, 0, NULL,
                                    NULL),
                NN_EARG, "save_safetensors: the name 'w' is used twice");
    CHECK_ERROR(nn_safetensors_save(path, 1, (const char *[]){"__metadata__"},
                                    (const nn_tensor *[]){a}, 0, NULL, NULL),
                NN_EARG, "save_safetensors: '__metadata__' cannot name a "
                "tensor (the format reserves it)");
    CHECK_ERROR(nn_safetensors_save(path, 2, (const char *[]){"w", "x"},
                                    (const nn_tensor *[]){a, sym}, 0, NULL,
                                    NULL),
                NN_EARG, "save_safetensors: tensor 'x' is symbolic (it has a "
                "shape (None, 4) but no values)");
    CHECK_ERROR(nn_safetensors_save(path, 2, (const char *[]){"w", "\xc3("},
                                    (const nn_tensor *[]){a, a}, 0, NULL,
                                    NULL),
                NN_EARG, "save_safetensors: tensor name 2 is not valid UTF-8");
    CHECK_ERROR(nn_safetensors_save(path, 1, (const char *[]){"w"},
                                    (const nn_tensor *[]){a}, 2,
                                    (const char *[]){"k", "k"},
                                    (const char *[]){"1", "2"}),
                NN_EARG, "save_safetensors: the metadata key 'k' is used "
                "twice");
    CHECK_ERROR(nn_safetensors_save(path, 1, (const char *[]){"w"},
                                    (const nn_tensor *[]){a}, 1,
                                    (const char *[]){"k"},
                                    (const char *[]){"\xed\xa0\x80"}),
                NN_EARG, "save_safetensors: metadata entry 1 is not valid "
                "UTF-8");
    assert_string_equal(dir_listing(), "");
    release_all((nn_tensor *[]){a, sym}, 2);
}

static void st_save_into_a_missing_directory_leaves_nothing(void **state)
{
    (void)state;
    nn_tensor *a = T(1, SHAPE(2), {1, 2});
    const char *path = P("no/such/dir/x.safetensors");
    CHECK_FILE_ERROR(nn_safetensors_save(path, 1, (const char *[]){"a"},
                                         (const nn_tensor *[]){a}, 0, NULL,
                                         NULL),
                     NN_EIO, path, "No such file or directory");
    assert_string_equal(dir_listing(), "");
    nn_tensor_release(a);
}

static void st_failing_save_keeps_the_old_file(void **state)
{
    (void)state;
    const char *path = P("model.safetensors");
    save_small_file(path);
    uint32_t seed = 3;
    nn_tensor *big = random_bits_tensor(1, (int64_t[]){100000}, &seed);
    nn_status s;
    WITH_FILE_SIZE_LIMIT(4096, s,
                         nn_safetensors_save(path, 1, (const char *[]){"w"},
                                             (const nn_tensor *[]){big}, 0,
                                             NULL, NULL));
    char want[1200];
    snprintf(want, sizeof want, "%s: File too large", path);
    assert_int_equal(s, NN_EIO);
    assert_string_equal(nn_errmsg(), want);
    /* the good file is still there, whole, and nothing else */
    check_file_bytes(path, small_file, sizeof small_file);
    assert_string_equal(dir_listing(), "model.safetensors");
    /* and without the limit the save replaces it */
    CHECK_OK(nn_safetensors_save(path, 1, (const char *[]){"w"},
                                 (const nn_tensor *[]){big}, 0, NULL, NULL));
    nn_safetensors st;
    CHECK_OK(nn_safetensors_load(&st, path));
    check_same_tensor(st.tensors[0], big);
    nn_safetensors_free(&st);
    assert_string_equal(dir_listing(), "model.safetensors");
    nn_tensor_release(big);
}

static void st_save_over_a_directory_leaves_nothing(void **state)
{
    (void)state;
    const char *path = P("adir");
    assert_int_equal(mkdir(path, 0777), 0);
    nn_tensor *a = T(1, SHAPE(2), {1, 2});
    CHECK_FILE_ERROR(nn_safetensors_save(path, 1, (const char *[]){"a"},
                                         (const nn_tensor *[]){a}, 0, NULL,
                                         NULL),
                     NN_EIO, path, "Is a directory");
    assert_string_equal(dir_listing(), "adir");
    nn_tensor_release(a);
}

static void save_gives_the_usual_file_permissions(void **state)
{
    (void)state;
    mode_t old = umask(022);
    const char *path = P("perm.safetensors");
    save_small_file(path);
    umask(old);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    /* a file replaced keeps its own */
    assert_int_equal(chmod(path, 0600), 0);
    save_small_file(path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    nn_tensor *t = T(1, SHAPE(1), {1});
    CHECK_OK(nn_npy_save(path, t));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    nn_tensor_release(t);
}

/* ---- .npy --------------------------------------------------------------- */

/* Loading these bytes fails with the status and "<path>: <rest>". */
static void npy_check_load_error(const void *bytes, size_t n,
                                 nn_status status, const char *rest)
{
    const char *path = P("bad.npy");
    nn_tensor *t = (nn_tensor *)1;
    write_bytes(path, bytes, n);
    CHECK_FILE_ERROR(nn_npy_load(&t, path), status, path, rest);
    assert_null(t);
}

#define NPY(name) npy_##name, sizeof npy_##name - 1

static void npy_check_load(const char *bytes, size_t n, int ndim,
                           const int64_t *shape, const float *want)
{
    const char *path = P("ref.npy");
    nn_tensor *t;
    write_bytes(path, bytes, n);
    CHECK_OK(nn_npy_load(&t, path));
    check_values(t, ndim, shape, want, 0);
    nn_tensor_release(t);
}

static void npy_check_save(const char *bytes, size_t n, nn_tensor *t)
{
    const char *path = P("out.npy");
    CHECK_OK(nn_npy_save(path, t));
    check_file_bytes(path, bytes, n);
    nn_tensor_release(t);
}

static void npy_writes_what_numpy_writes(void **state)
{
    (void)state;
    float mat[6], d3[24];
    for (int i = 0; i < 6; i++)
        mat[i] = (float)i / 4 - 0.5f;
    for (int i = 0; i < 24; i++)
        d3[i] = (float)i * -0.125f;
    npy_check_save(NPY(f4_scalar), T(0, SHAPE(0), {1.5f}));
    npy_check_save(NPY(f4_empty), make_tensor(1, (int64_t[]){0}, NULL));
    npy_check_save(NPY(f4_vec), T(1, SHAPE(3), {1, -2, 0.5f}));
    npy_check_save(NPY(f4_mat), make_tensor(2, (int64_t[]){2, 3}, mat));
    npy_check_save(NPY(f4_wide), make_tensor(2, (int64_t[]){12345, 0}, NULL));
    npy_check_save(NPY(f4_3d), make_tensor(3, (int64_t[]){2, 3, 4}, d3));
}

static void npy_reads_what_numpy_writes(void **state)
{
    (void)state;
    float mat[6], d3[24];
    for (int i = 0; i < 6; i++)
        mat[i] = (float)i / 4 - 0.5f;
    for (int i = 0; i < 24; i++)
        d3[i] = (float)i * -0.125f;
    npy_check_load(NPY(f4_scalar), 0, NULL, (float[]){1.5f});
    npy_check_load(NPY(f4_empty), 1, (int64_t[]){0}, NULL);
    npy_check_load(NPY(f4_vec), 1, (int64_t[]){3}, (float[]){1, -2, 0.5f});
    npy_check_load(NPY(f4_mat), 2, (int64_t[]){2, 3}, mat);
    npy_check_load(NPY(f4_wide), 2, (int64_t[]){12345, 0}, NULL);
    npy_check_load(NPY(f4_3d), 3, (int64_t[]){2, 3, 4}, d3);
    npy_check_load(NPY(v2_f4_vec), 1, (int64_t[]){3}, (float[]){1, -2, 0.5f});
    npy_check_load(NPY(be_f4), 1, (int64_t[]){2}, (float[]){1, -3.25f});
}

static void npy_converts_other_dtypes_to_float32(void **state)
{
    (void)state;
    const char *path = P("ref.npy");
    nn_tensor *t;
    /* float64: rounded to nearest; -1e40 is past float32's range */
    write_bytes(path, NPY(f8_mat));
    CHECK_OK(nn_npy_load(&t, path));
    assert_int_equal(t->ndim, 2);
    assert_int_equal(t->shape[0], 2);
    assert_int_equal(t->shape[1], 2);
    assert_true(t->data[0] == (float)1e-3);
    assert_true(t->data[1] == 2.5f);
    assert_true(isinf(t->data[2]) && t->data[2] < 0);
    assert_true(t->data[3] == 3.0f);
    nn_tensor_release(t);
    /* int32: 2147483647 rounds to 2^31 */
    write_bytes(path, NPY(i4_vec));
    CHECK_OK(nn_npy_load(&t, path));
    CHECK_VALUES(t, 1, SHAPE(3), 0, {-1, 0, 2147483648.0f});
    nn_tensor_release(t);
    /* int64 */
    write_bytes(path, NPY(i8_vec));
    CHECK_OK(nn_npy_load(&t, path));
    CHECK_VALUES(t, 1, SHAPE(2), 0, {-4611686018427387904.0f, 7});
    nn_tensor_release(t);
}

static void npy_round_trip_keeps_every_bit(void **state)
{
    (void)state;
    static const uint32_t special[8] = {0x7fc00001u, 0xffa12345u, 0x80000000u,
                                        0x7f800000u, 0xff800000u, 0x00000001u,
                                        0x7f7fffffu, 0x3f800000u};
    uint32_t seed = 11;
    nn_tensor *ts[] = {
        bits_tensor(1, (int64_t[]){8}, special),
        bits_tensor(0, NULL, special),
        bits_tensor(3, (int64_t[]){4, 0, 2}, NULL),
        random_bits_tensor(8, (int64_t[]){2, 1, 3, 1, 2, 1, 1, 2}, &seed),
        random_bits_tensor(2, (int64_t[]){1000, 257}, &seed),
        random_bits_tensor(1, (int64_t[]){77777}, &seed),
    };
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
        nn_tensor *back;
        CHECK_OK(nn_npy_save(P("x.npy"), ts[i]));
        CHECK_OK(nn_npy_load(&back, P("x.npy")));
        check_same_tensor(back, ts[i]);
        nn_tensor_release(back);
    }
    assert_string_equal(dir_listing(), "x.npy");
    release_all(ts, sizeof ts / sizeof *ts);
}

static void npy_header_is_aligned_for_every_rank(void **state)
{
    (void)state;
    /* the data starts at a multiple of 64, the header ends with '\n' */
    for (int ndim = 0; ndim <= NN_MAXDIM; ndim++) {
        /* first axes of 1 to 9 digits (numpy leaves room for 21), and
         * a 0 so that the tensors stay small */
        int64_t shape[NN_MAXDIM];
        for (int d = 0; d < ndim; d++)
            shape[d] = d == 0 ? (int64_t)pow(10, ndim) : d == 1 ? 0 : 1;
        nn_tensor *t = make_tensor(ndim, shape, NULL);
        CHECK_OK(nn_npy_save(P("x.npy"), t));
        size_t n;
        unsigned char *buf = read_bytes(P("x.npy"), &n);
        size_t hlen = buf[8] | (size_t)buf[9] << 8;
        assert_int_equal((10 + hlen) % 64, 0);
        assert_int_equal(buf[10 + hlen - 1], '\n');
        assert_int_equal(n, 10 + hlen + t->size * 4);
        free(buf);
        nn_tensor_release(t);
    }
}

static void npy_rejects_what_attnlab_cannot_read(void **state)
{
    (void)state;
    npy_check_load_error(NPY(fortran), NN_EVALUE, "the .npy array is stored "
                         "in Fortran order; attnlab reads only C order (save "
                         "np.ascontiguousarray(a) instead)");
    npy_check_load_error(NPY(c8), NN_EVALUE, ".npy dtype '<c8' is not "
                         "supported (attnlab reads float32 '<f4', float64 "
                         "'<f8', int32 '<i4' and int64 '<i8', in either byte "
                         "order)");
    npy_check_load_error(NPY(structured), NN_EVALUE, "the .npy file holds a "
                         "structured array; attnlab reads only plain numeric "
                         "arrays");
    /* nine axes */
    char buf[256];
    static const char nine[] = "{'descr': '<f4', 'fortran_order': False, "
                               "'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }";
    int n = snprintf(buf, sizeof buf, "\x93NUMPY\x01%c%c%c%s", 0,
                     (int)(sizeof nine - 1), 0, nine);
    memcpy(buf + n, "\0\0\0\0", 4);
    npy_check_load_error(buf, (size_t)n + 4, NN_EVALUE, "the .npy array has "
                         "more than 8 axes; attnlab tensors have at most 8");
}

/* A v1.0 file with the given header text and ndata zero bytes of data. */
static size_t npy_bytes(char *buf, const char *header, size_t ndata)
{
    size_t n = strlen(header);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(n & 255);
    buf[9] = (char)(n >> 8);
    memcpy(buf + 10, header, n);
    memset(buf + 10 + n, 0, ndata);
    return 10 + n + ndata;
}

static void npy_header_error(const char *header, const char *rest)
{
    char buf[512];
    npy_check_load_error(buf, npy_bytes(buf, header, 8), NN_EVALUE, rest);
}

static void npy_rejects_damaged_files(void **state)
{
    (void)state;
    const size_t n = sizeof npy_f4_vec - 1; /* 128 + 12 */
    npy_check_load_error(npy_f4_vec, 0, NN_EVALUE,
                         "not a .npy file (only 0 bytes)");
    npy_check_load_error(npy_f4_vec, 7, NN_EVALUE,
                         "not a .npy file (only 7 bytes)");
    npy_check_load_error(npy_f4_vec, 9, NN_EIO, "truncated .npy file: 9 bytes, "
                         "too short for the header length");
    npy_check_load_error(npy_f4_vec, 10, NN_EIO, "truncated .npy file: the "
                         "header length is 118 bytes but only 0 bytes follow "
                         "it");
    npy_check_load_error(npy_f4_vec, 60, NN_EIO, "truncated .npy file: the "
                         "header length is 118 bytes but only 50 bytes follow "
                         "it");
    npy_check_load_error(npy_f4_vec, 128, NN_EIO, "truncated .npy file: an "
                         "array of shape (3,) and dtype '<f4' needs 12 bytes "
                         "of data but only 0 are there");
    npy_check_load_error(npy_f4_vec, n - 1, NN_EIO, "truncated .npy file: an "
                         "array of shape (3,) and dtype '<f4' needs 12 bytes "
                         "of data but only 11 are there");
    npy_check_load_error(npy_f8_mat, sizeof npy_f8_mat - 2, NN_EIO,
                         "truncated .npy file: an array of shape (2, 2) and "
                         "dtype '<f8' needs 32 bytes of data but only 31 are "
                         "there");

    /* extra bytes after the data */
    char buf[512];
    memcpy(buf, npy_f4_vec, n);
    memcpy(buf + n, "junk", 4);
    npy_check_load_error(buf, n + 4, NN_EVALUE, "invalid .npy file: 4 bytes "
                         "after the data of the array of shape (3,)");
    /* a wrong magic, a version numpy never wrote */
    memcpy(buf, npy_f4_vec, n);
    buf[1] = 'n';
    npy_check_load_error(buf, n, NN_EVALUE, "not a .npy file (it does not "
                         "start with \\x93NUMPY)");
    buf[1] = 'N';
    buf[6] = 4;
    npy_check_load_error(buf, n, NN_EVALUE, "unsupported .npy format version "
                         "4.0 (attnlab reads 1.0, 2.0 and 3.0)");
    buf[6] = 1;
    buf[7] = 1;
    npy_check_load_error(buf, n, NN_EVALUE, "unsupported .npy format version "
                         "1.1 (attnlab reads 1.0, 2.0 and 3.0)");
    /* a huge shape */
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(4294967296, 4294967296, 4294967296), }",
                     "invalid .npy header: the shape (4294967296, "
                     "4294967296, 4294967296) has too many elements");
    npy_check_load_error(buf, 0, NN_EVALUE, "not a .npy file (only 0 bytes)");
    /* a safetensors file is not a .npy file */
    npy_check_load_error(small_file, sizeof small_file, NN_EVALUE,
                         "not a .npy file (it does not start with "
                         "\\x93NUMPY)");
}

static void npy_rejects_bad_headers(void **state)
{
    (void)state;
    npy_header_error("['descr', '<f4']", "invalid .npy header: it is not a "
                     "Python dict");
    npy_header_error("{'descr': '<f4', 'fortran_order': False}",
                     "invalid .npy header: no 'shape'");
    npy_header_error("{'shape': (2,), 'fortran_order': False}",
                     "invalid .npy header: no 'descr'");
    npy_header_error("{'descr': '<f4', 'shape': (2,)}",
                     "invalid .npy header: no 'fortran_order'");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
                     "'extra': 1}", "invalid .npy header: unexpected key "
                     "'extra'");
    npy_header_error("{'descr': '<f4', 'descr': '<f4', 'fortran_order': "
                     "False, 'shape': (2,)}", "invalid .npy header: the key "
                     "'descr' appears twice");
    npy_header_error("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
                     "invalid .npy header: 'fortran_order' must be True or "
                     "False");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
                     "invalid .npy header: 'shape' must be a tuple of "
                     "integers");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(-2,)}", "invalid .npy header: 'shape' must be a tuple "
                     "of non-negative integers");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(2 3)}", "invalid .npy header: 'shape' must be a tuple "
                     "of integers");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                     "(99999999999999999999,)}", "invalid .npy header: a size "
                     "in 'shape' is too large");
    npy_header_error("{'descr': <f4, 'fortran_order': False, 'shape': (2,)}",
                     "invalid .npy header: 'descr' must be a string");
    npy_header_error("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
                     "invalid .npy header: expected ',' or '}' after a "
                     "value");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"
                     " x", "invalid .npy header: text after the dict");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
                     "invalid .npy header: expected ',' or '}' after a "
                     "value");
    npy_header_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "
                     "3: 4}", "invalid .npy header: expected 'key': value");
    npy_header_error("{'descr': '<u4', 'fortran_order': False, 'shape': (2,)}",
                     ".npy dtype '<u4' is not supported (attnlab reads "
                     "float32 '<f4', float64 '<f8', int32 '<i4' and int64 "
                     "'<i8', in either byte order)");
    /* what numpy also accepts: double quotes, no trailing comma, Python 2
     * longs, no spaces, '=' for the native byte order */
    char buf[512];
    const char *path = P("ok.npy");
    nn_tensor *t;
    write_bytes(path, buf, npy_bytes(buf, "{\"descr\":\"=f4\",\"shape\":(2L,),"
                                     "\"fortran_order\":False}\n", 8));
    CHECK_OK(nn_npy_load(&t, path));
    CHECK_VALUES(t, 1, SHAPE(2), 0, {0, 0});
    nn_tensor_release(t);
}

static void npy_save_rejects_a_symbolic_tensor(void **state)
{
    (void)state;
    nn_tensor *sym;
    CHECK_OK(nn_tensor_symbolic(&sym, 2, (int64_t[]){NN_NONE, 4}));
    CHECK_ERROR(nn_npy_save(P("x.npy"), sym), NN_EARG, "save_npy: the tensor "
                "is symbolic (it has a shape (None, 4) but no values)");
    assert_string_equal(dir_listing(), "");
    nn_tensor_release(sym);
}

static void npy_load_reports_missing_files(void **state)
{
    (void)state;
    nn_tensor *t;
    const char *path = P("missing.npy");
    CHECK_FILE_ERROR(nn_npy_load(&t, path), NN_EIO, path,
                     "No such file or directory");
    assert_null(t);
    CHECK_FILE_ERROR(nn_npy_load(&t, tmpdir), NN_EIO, tmpdir,
                     "Is a directory");
}

static void npy_save_is_atomic(void **state)
{
    (void)state;
    nn_tensor *a = T(1, SHAPE(3), {1, -2, 0.5f});
    const char *missing = P("nowhere/x.npy");
    CHECK_FILE_ERROR(nn_npy_save(missing, a), NN_EIO, missing,
                     "No such file or directory");
    assert_string_equal(dir_listing(), "");

    /* a failing write leaves the old file whole */
    const char *path = P("x.npy");
    CHECK_OK(nn_npy_save(path, a));
    uint32_t seed = 5;
    nn_tensor *big = random_bits_tensor(2, (int64_t[]){300, 300}, &seed);
    nn_status s;
    WITH_FILE_SIZE_LIMIT(1000, s, nn_npy_save(path, big));
    char want[1200];
    snprintf(want, sizeof want, "%s: File too large", path);
    assert_int_equal(s, NN_EIO);
    assert_string_equal(nn_errmsg(), want);
    check_file_bytes(path, NPY(f4_vec));
    assert_string_equal(dir_listing(), "x.npy");

    /* a directory in the way */
    assert_int_equal(mkdir(P("d.npy"), 0777), 0);
    CHECK_FILE_ERROR(nn_npy_save(P("d.npy"), a), NN_EIO, P("d.npy"),
                     "Is a directory");
    assert_string_equal(dir_listing(), "d.npy x.npy");
    release_all((nn_tensor *[]){a, big}, 2);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(st_round_trip_keeps_every_bit),
        TEST(st_round_trip_of_many_tensors),
        TEST(st_round_trip_of_no_tensors),
        TEST(st_writes_the_exact_bytes),
        TEST(st_writes_the_bytes_of_the_reference_implementation),
        TEST(st_escapes_names_as_json),
        TEST(st_reads_a_file_of_another_writer),
        TEST(st_reads_the_reference_implementations_example),
        TEST(st_rejects_truncated_files),
        TEST(st_rejects_a_wrong_header_length),
        TEST(st_rejects_bad_json),
        TEST(st_rejects_a_dtype_other_than_f32),
        TEST(st_rejects_bad_entries),
        TEST(st_rejects_inconsistent_offsets),
        TEST(st_load_reports_missing_files),
        TEST(st_load_respects_the_memory_limit),
        TEST(st_save_rejects_bad_arguments),
        TEST(st_save_into_a_missing_directory_leaves_nothing),
        TEST(st_failing_save_keeps_the_old_file),
        TEST(st_save_over_a_directory_leaves_nothing),
        TEST(save_gives_the_usual_file_permissions),
        TEST(npy_writes_what_numpy_writes),
        TEST(npy_reads_what_numpy_writes),
        TEST(npy_converts_other_dtypes_to_float32),
        TEST(npy_round_trip_keeps_every_bit),
        TEST(npy_header_is_aligned_for_every_rank),
        TEST(npy_rejects_what_attnlab_cannot_read),
        TEST(npy_rejects_damaged_files),
        TEST(npy_rejects_bad_headers),
        TEST(npy_save_rejects_a_symbolic_tensor),
        TEST(npy_load_reports_missing_files),
        TEST(npy_save_is_atomic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
