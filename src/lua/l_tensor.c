/*
 * l_tensor.c - the `tensor` module: creation, ops, autograd, printing.
 *
 * Glue only: check the arguments, call the core, turn a status into a Lua
 * error. Functions double as methods (x:sum(-1) is tensor.sum(x, -1)).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bindings.h"
#include "core/autograd.h"
#include "core/format.h"
#include "core/ops.h"
#include "core/rng.h"
#include "l_common.h"

/* ---- creation ---------------------------------------------------------- */

/* Raises when the options table at idx has a key not in known. */
static void check_opts(lua_State *L, int idx, const char *who,
                       const char *const *known)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        int ok = 0;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; known[i]; i++)
                ok |= strcmp(lua_tostring(L, -1), known[i]) == 0;
        if (!ok) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (int i = 0; known[i]; i++) {
                if (i)
                    luaL_addstring(&b, ", ");
                luaL_addstring(&b, known[i]);
            }
            luaL_pushresult(&b);
            l_error(L, "%s: unknown option '%s' (known: %s)", who,
                    luaL_tolstring(L, -2, NULL), lua_tostring(L, -1));
        }
    }
}

static const char *const grad_opts[] = {"requires_grad", NULL};

/* The options table at idx (0 if none), checked against known; raises for
 * any argument after it. */
static int opts_after_known(lua_State *L, int idx, const char *who,
                            const char *const *known)
{
    int opts = 0;
    if (lua_istable(L, idx) && !l_testtensor(L, idx)) {
        check_opts(L, idx, who, known);
        opts = idx;
    }
    /* an explicit nil for the options is fine: f(x, cond and {...} or nil) */
    for (int i = opts ? idx + 1 : idx; i <= lua_gettop(L); i++)
        if (!lua_isnil(L, i))
            l_error(L, "%s: unexpected argument %d (%s)", who, i,
                    luaL_typename(L, i));
    return opts;
}

static int opts_after(lua_State *L, int idx, const char *who)
{
    return opts_after_known(L, idx, who, grad_opts);
}

/* Applies {requires_grad=true} and pushes t. */
static int push_new(lua_State *L, nn_status s, nn_tensor *t, int opts,
                    const char *who)
{
    if (s != NN_OK) {
        nn_error_context(s, who);
        return l_raise(L, s);
    }
    if (opts && l_optbool(L, opts, "requires_grad", 0))
        t->requires_grad = true;
    l_pushtensor(L, t);
    return 1;
}

static float opt_number(lua_State *L, int opts, const char *key, float dflt,
                        const char *who)
{
    if (!opts)
        return dflt;
    lua_getfield(L, opts, key);
    float v = dflt;
    if (!lua_isnil(L, -1)) {
        if (!lua_isnumber(L, -1))
            return (float)l_error(L, "%s: option %s must be a number, got %s",
                                  who, key, luaL_typename(L, -1));
        v = (float)lua_tonumber(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

typedef enum { FILL_ZEROS, FILL_ONES, FILL_RAND, FILL_RANDN } fill_kind;

static const char *const rand_opts[] = {"requires_grad", "minval", "maxval",
                                        NULL};
static const char *const randn_opts[] = {"requires_grad", "mean", "stddev",
                                         NULL};

static int create(lua_State *L, fill_kind kind, const char *who)
{
    int ndim;
    int64_t shape[NN_MAXDIM];
    if (lua_gettop(L) >= 1 && !lua_isnumber(L, 1) && !lua_istable(L, 1))
        return l_error(L, "%s: expected sizes or a shape table, got %s", who,
                       luaL_typename(L, 1));
    int used = l_checkshape(L, 1, &ndim, shape, who, 0);
    int opts = opts_after_known(L, used + 1, who,
                                kind == FILL_RAND ? rand_opts
                                : kind == FILL_RANDN ? randn_opts
                                                     : grad_opts);
    nn_tensor *t = NULL;
    nn_status s;
    switch (kind) {
    case FILL_ZEROS: s = nn_tensor_new(&t, ndim, shape); break;
    case FILL_ONES: s = nn_full(&t, ndim, shape, 1.0f); break;
    case FILL_RAND:
        s = nn_rand(&t, ndim, shape, opt_number(L, opts, "minval", 0, who),
                    opt_number(L, opts, "maxval", 1, who));
        break;
    default:
        s = nn_randn(&t, ndim, shape, opt_number(L, opts, "mean", 0, who),
                     opt_number(L, opts, "stddev", 1, who));
        break;
    }
    return push_new(L, s, t, opts, who);
}

static int l_zeros(lua_State *L) { return create(L, FILL_ZEROS, "tensor.zeros"); }
static int l_ones(lua_State *L) { return create(L, FILL_ONES, "tensor.ones"); }
static int l_rand(lua_State *L) { return create(L, FILL_RAND, "tensor.rand"); }
static int l_randn(lua_State *L) { return create(L, FILL_RANDN, "tensor.randn"); }

static int l_full(lua_State *L)
{
    int ndim;
    int64_t shape[NN_MAXDIM];
    if (!lua_istable(L, 1))
        return l_error(L, "tensor.full: expected a shape table and a value, "
                       "e.g. tensor.full({2, 3}, 7)");
    l_checkshape(L, 1, &ndim, shape, "tensor.full", 0);
    if (!lua_isnumber(L, 2))
        return l_error(L, "tensor.full: value must be a number, got %s",
                       luaL_typename(L, 2));
    nn_tensor *t;
    int opts = opts_after(L, 3, "tensor.full");
    nn_status s = nn_full(&t, ndim, shape, (float)lua_tonumber(L, 2));
    return push_new(L, s, t, opts, "tensor.full");
}

static int l_eye(lua_State *L)
{
    int64_t n = l_checkint(L, 1, "tensor.eye", "n");
    int64_t m = lua_isnumber(L, 2) ? l_checkint(L, 2, "tensor.eye", "m") : n;
    if (n < 0 || m < 0)
        return l_error(L, "tensor.eye: sizes must be non-negative, got %lld "
                       "and %lld", (long long)n, (long long)m);
    int opts = opts_after(L, lua_isnumber(L, 2) ? 3 : 2, "tensor.eye");
    nn_tensor *t;
    nn_status s = nn_eye(&t, n, m);
    return push_new(L, s, t, opts, "tensor.eye");
}

static int l_arange(lua_State *L)
{
    double start = 0, stop, step = 1;
    int nnum = 0;
    while (nnum < 3 && lua_type(L, nnum + 1) == LUA_TNUMBER)
        nnum++;
    if (nnum == 0)
        return l_error(L, "tensor.arange: expected (stop), (start, stop) or "
                       "(start, stop, step)");
    if (nnum == 1) {
        stop = lua_tonumber(L, 1);
    } else {
        start = lua_tonumber(L, 1);
        stop = lua_tonumber(L, 2);
        if (nnum == 3)
            step = lua_tonumber(L, 3);
    }
    int opts = opts_after(L, nnum + 1, "tensor.arange");
    nn_tensor *t;
    nn_status s = nn_arange(&t, start, stop, step);
    return push_new(L, s, t, opts, "tensor.arange");
}

/* tensor.from: nested tables -> tensor. First the shape, from the first
 * element at each depth; then every element is checked against it. */
static void from_shape(lua_State *L, int idx, int *ndim, int64_t *shape)
{
    *ndim = 0;
    lua_pushvalue(L, idx);
    while (lua_istable(L, -1)) {
        if (*ndim == NN_MAXDIM)
            l_error(L, "tensor.from: nested more than %d deep", NN_MAXDIM);
        shape[(*ndim)++] = (int64_t)luaL_len(L, -1);
        lua_geti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
}

static void from_fill(lua_State *L, int idx, int d, int ndim,
                      const int64_t *shape, float *data, size_t *pos,
                      char *path, size_t pathlen)
{
    if (d == ndim) {
        int isnum;
        lua_Number v = lua_tonumberx(L, idx, &isnum);
        if (!isnum || lua_type(L, idx) != LUA_TNUMBER)
            l_error(L, "tensor.from: element %s is %s, not a number", path,
                    luaL_typename(L, idx));
        data[(*pos)++] = (float)v;
        return;
    }
    if (!lua_istable(L, idx))
        l_error(L, "tensor.from: element %s is %s, expected a table of %lld "
                "(the rows are ragged)", path[0] ? path : "[]",
                luaL_typename(L, idx), (long long)shape[d]);
    if ((int64_t)luaL_len(L, idx) != shape[d])
        l_error(L, "tensor.from: row %s has %d elements, expected %lld (the "
                "rows are ragged)", path[0] ? path : "[]",
                (int)luaL_len(L, idx), (long long)shape[d]);
    size_t n = strlen(path);
    for (int64_t i = 1; i <= shape[d]; i++) {
        lua_geti(L, idx, i);
        snprintf(path + n, pathlen - n, "[%lld]", (long long)i);
        from_fill(L, lua_gettop(L), d + 1, ndim, shape, data, pos, path,
                  pathlen);
        lua_pop(L, 1);
    }
    path[n] = '\0';
}

static int l_from(lua_State *L)
{
    nn_tensor *src = l_testtensor(L, 1);
    nn_tensor *t;
    nn_status s;
    int opts = opts_after(L, 2, "tensor.from");
    if (src) {
        s = nn_tensor_clone(&t, src);
        return push_new(L, s, t, opts, "tensor.from");
    }
    if (lua_type(L, 1) == LUA_TNUMBER) {
        s = nn_scalar(&t, (float)lua_tonumber(L, 1));
        return push_new(L, s, t, opts, "tensor.from");
    }
    if (!lua_istable(L, 1))
        return l_error(L, "tensor.from: expected a (nested) table of numbers, "
                       "got %s", luaL_typename(L, 1));
    int ndim;
    int64_t shape[NN_MAXDIM];
    char path[NN_MAXDIM * 24 + 4] = "";
    from_shape(L, 1, &ndim, shape);
    /* build into a Lua-owned tensor first, so an error while filling does
     * not leak it */
    if ((s = nn_tensor_new(&t, ndim, shape)) != NN_OK)
        return push_new(L, s, t, 0, "tensor.from");
    l_pushtensor(L, t);
    size_t pos = 0;
    from_fill(L, 1, 0, ndim, shape, t->data, &pos, path, sizeof path);
    if (opts && l_optbool(L, opts, "requires_grad", 0))
        t->requires_grad = true;
    return 1;
}

/* A symbolic tensor (Keras's KerasTensor): tensor.symbolic({None, 64}) */
static int l_symbolic(lua_State *L)
{
    int ndim;
    int64_t shape[NN_MAXDIM];
    if (!lua_istable(L, 1))
        return l_error(L, "tensor.symbolic: expected a shape table");
    l_checkshape(L, 1, &ndim, shape, "tensor.symbolic", 1);
    nn_tensor *t;
    nn_status s = nn_tensor_symbolic(&t, ndim, shape);
    if (s != NN_OK)
        return l_raise(L, s);
    l_pushtensor(L, t);
    if (lua_istable(L, 2)) {
        lua_pushvalue(L, 2);
        lua_setiuservalue(L, -2, 1);
    }
    return 1;
}

/* ---- element-wise ------------------------------------------------------ */

static int binary(lua_State *L, nn_binary_kind kind)
{
    const char *name = nn_binary_name(kind);
    if (lua_gettop(L) < 2)
        return l_error(L, "%s: expected two operands", name);
    nn_tensor *a = l_checkoperand(L, 1), *b = l_checkoperand(L, 2), *out;
    nn_status s = nn_binary(&out, kind, a, b);
    return l_result(L, s, out, name, 2);
}

static int l_add(lua_State *L) { return binary(L, NN_ADD); }
static int l_sub(lua_State *L) { return binary(L, NN_SUB); }
static int l_mul(lua_State *L) { return binary(L, NN_MUL); }
static int l_div(lua_State *L) { return binary(L, NN_DIV); }
static int l_pow(lua_State *L) { return binary(L, NN_POW); }
static int l_maximum(lua_State *L) { return binary(L, NN_MAXIMUM); }
static int l_minimum(lua_State *L) { return binary(L, NN_MINIMUM); }
static int l_equal(lua_State *L) { return binary(L, NN_EQUAL); }
static int l_not_equal(lua_State *L) { return binary(L, NN_NOT_EQUAL); }
static int l_greater(lua_State *L) { return binary(L, NN_GREATER); }
static int l_greater_equal(lua_State *L) { return binary(L, NN_GREATER_EQUAL); }
static int l_less(lua_State *L) { return binary(L, NN_LESS); }
static int l_less_equal(lua_State *L) { return binary(L, NN_LESS_EQUAL); }

static int l_unary(lua_State *L)
{
    nn_unary_kind kind = (nn_unary_kind)lua_tointeger(L, lua_upvalueindex(1));
    nn_tensor *x = l_checkoperand(L, 1), *out;
    nn_status s = nn_unary(&out, kind, x);
    return l_result(L, s, out, nn_unary_name(kind), 1);
}

/* ---- reductions -------------------------------------------------------- */

/* Reads (axis-or-axes-or-options, keepdims) at idx, idx+1. */
static void reduce_args(lua_State *L, int idx, int *naxes, int64_t *axes,
                        int *keepdims, const char *who)
{
    int axis_idx = idx;
    *naxes = 0;
    *keepdims = lua_toboolean(L, idx + 1);
    if (lua_istable(L, idx)) {
        lua_getfield(L, idx, "keepdims");
        if (!lua_isnil(L, -1))
            *keepdims = lua_toboolean(L, -1);
        lua_getfield(L, idx, "axis");
        if (!lua_isnil(L, -1) || lua_rawlen(L, idx) == 0)
            axis_idx = lua_gettop(L);
    }
    if (lua_isnil(L, axis_idx) || lua_isnone(L, axis_idx))
        return;
    if (lua_istable(L, axis_idx)) {
        int n = (int)lua_rawlen(L, axis_idx);
        if (n > NN_MAXDIM)
            l_error(L, "%s: too many axes", who);
        for (int i = 1; i <= n; i++) {
            lua_geti(L, axis_idx, i);
            axes[(*naxes)++] = l_checkint(L, -1, who, "axis");
            lua_pop(L, 1);
        }
        if (n == 0)
            return;
    } else {
        axes[(*naxes)++] = l_checkint(L, axis_idx, who, "axis");
    }
}

static int reduce(lua_State *L, nn_reduce_kind kind, const char *name)
{
    int nargs = lua_gettop(L), naxes, keepdims;
    int64_t axes[NN_MAXDIM];
    nn_tensor *x = l_checktensor(L, 1), *out;
    reduce_args(L, 2, &naxes, axes, &keepdims, name);
    nn_status s = nn_reduce(&out, kind, x, naxes, axes, keepdims);
    return l_result(L, s, out, name, nargs);
}

static int l_sum(lua_State *L) { return reduce(L, NN_SUM, "sum"); }
static int l_mean(lua_State *L) { return reduce(L, NN_MEAN, "mean"); }
static int l_max(lua_State *L) { return reduce(L, NN_MAX, "max"); }
static int l_min(lua_State *L) { return reduce(L, NN_MIN, "min"); }

static int argextreme(lua_State *L, bool is_min, const char *name)
{
    int nargs = lua_gettop(L), naxes, keepdims;
    int64_t axes[NN_MAXDIM];
    nn_tensor *x = l_checktensor(L, 1), *out;
    reduce_args(L, 2, &naxes, axes, &keepdims, name);
    if (naxes > 1)
        return l_error(L, "%s: expected one axis, got %d", name, naxes);
    nn_status s = nn_argmax(&out, x, naxes == 0, naxes ? axes[0] : 0,
                            keepdims, is_min);
    return l_result(L, s, out, name, nargs);
}

static int l_argmax(lua_State *L) { return argextreme(L, false, "argmax"); }
static int l_argmin(lua_State *L) { return argextreme(L, true, "argmin"); }

static int softmax(lua_State *L, bool log, const char *name)
{
    int nargs = lua_gettop(L);
    nn_tensor *x = l_checktensor(L, 1), *out;
    int64_t axis = lua_isnoneornil(L, 2) ? -1 : l_checkint(L, 2, name, "axis");
    nn_status s = nn_softmax(&out, x, axis, log);
    return l_result(L, s, out, name, nargs);
}

static int l_softmax(lua_State *L) { return softmax(L, false, "softmax"); }
static int l_log_softmax(lua_State *L) { return softmax(L, true, "log_softmax"); }

/* ---- products ---------------------------------------------------------- */

static int l_matmul(lua_State *L)
{
    int nargs = lua_gettop(L);
    nn_tensor *a = l_checktensor(L, 1), *b = l_checktensor(L, 2), *out;
    int ta = l_optbool(L, 3, "transpose_a", 0);
    int tb = l_optbool(L, 3, "transpose_b", 0);
    nn_status s = nn_matmul(&out, a, b, ta, tb);
    return l_result(L, s, out, "matmul", nargs);
}

static int l_batch_dot(lua_State *L)
{
    int nargs = lua_gettop(L);
    nn_tensor *x = l_checktensor(L, 1), *y = l_checktensor(L, 2), *out;
    int64_t ax = 0, ay = 0;
    bool dflt = lua_isnoneornil(L, 3);
    if (lua_istable(L, 3)) {
        if (lua_rawlen(L, 3) != 2)
            return l_error(L, "batch_dot: axes must be a number or a pair "
                           "{axis_x, axis_y}");
        lua_geti(L, 3, 1);
        lua_geti(L, 3, 2);
        ax = l_checkint(L, -2, "batch_dot", "axis");
        ay = l_checkint(L, -1, "batch_dot", "axis");
    } else if (!dflt) {
        ax = ay = l_checkint(L, 3, "batch_dot", "axes");
    }
    nn_status s = nn_batch_dot(&out, x, y, dflt, ax, ay);
    return l_result(L, s, out, "batch_dot", nargs);
}

/* ---- shape ------------------------------------------------------------- */

static int l_reshape(lua_State *L)
{
    int nargs = lua_gettop(L), ndim = 0;
    int64_t shape[NN_MAXDIM];
    nn_tensor *x = l_checktensor(L, 1), *out;
    /* -1 is allowed here, so read the sizes by hand */
    int is_table = lua_istable(L, 2) && !l_isnone(L, 2);
    int top = is_table ? (int)lua_rawlen(L, 2) : nargs - 1;
    if (top > NN_MAXDIM)
        return l_error(L, "reshape: a tensor has at most %d axes", NN_MAXDIM);
    for (int i = 1; i <= top; i++) {
        if (is_table)
            lua_geti(L, 2, i);
        else
            lua_pushvalue(L, i + 1);
        if (l_isnone(L, -1))
            shape[ndim++] = -1;
        else
            shape[ndim++] = l_checkint(L, -1, "reshape", "size");
        lua_pop(L, 1);
    }
    nn_status s = nn_reshape(&out, x, ndim, shape);
    return l_result(L, s, out, "reshape", nargs);
}

static int read_axes(lua_State *L, int idx, int64_t *axes, const char *who)
{
    int n = 0;
    if (lua_istable(L, idx)) {
        int len = (int)lua_rawlen(L, idx);
        if (len > NN_MAXDIM)
            l_error(L, "%s: too many axes (%d)", who, len);
        for (int i = 1; i <= len; i++) {
            lua_geti(L, idx, i);
            axes[n++] = l_checkint(L, -1, who, "axis");
            lua_pop(L, 1);
        }
    } else if (!lua_isnoneornil(L, idx)) {
        axes[n++] = l_checkint(L, idx, who, "axis");
    }
    return n;
}

static int l_transpose(lua_State *L)
{
    int nargs = lua_gettop(L);
    int64_t perm[NN_MAXDIM];
    nn_tensor *x = l_checktensor(L, 1), *out;
    int n = read_axes(L, 2, perm, "transpose");
    if (!lua_isnoneornil(L, 2) && n != x->ndim)
        return l_error(L, "transpose: perm has %d entries but the tensor has "
                       "shape %s (%d axes)", n, NN_SHAPE(x), x->ndim);
    nn_status s = nn_transpose(&out, x, lua_isnoneornil(L, 2) ? NULL : perm);
    return l_result(L, s, out, "transpose", nargs);
}

static int l_squeeze(lua_State *L)
{
    int nargs = lua_gettop(L);
    int64_t axes[NN_MAXDIM];
    nn_tensor *x = l_checktensor(L, 1), *out;
    int n = read_axes(L, 2, axes, "squeeze");
    nn_status s = nn_squeeze(&out, x, n, axes);
    return l_result(L, s, out, "squeeze", nargs);
}

static int l_expand_dims(lua_State *L)
{
    int nargs = lua_gettop(L);
    nn_tensor *x = l_checktensor(L, 1), *out;
    int64_t axis = l_checkint(L, 2, "expand_dims", "axis");
    nn_status s = nn_expand_dims(&out, x, axis);
    return l_result(L, s, out, "expand_dims", nargs);
}

static int join(lua_State *L, bool stack, const char *name)
{
    int nargs = lua_gettop(L);
    if (!lua_istable(L, 1) || l_testtensor(L, 1))
        return l_error(L, "%s: expected a table of tensors, e.g. "
                       "tensor.%s({a, b}, axis)", name, name);
    int n = (int)lua_rawlen(L, 1);
    if (n == 0)
        return l_error(L, "%s: expected at least one tensor", name);
    int64_t axis = lua_isnoneornil(L, 2) ? (stack ? 0 : -1)
                                         : l_checkint(L, 2, name, "axis");
    nn_tensor **xs = lua_newuserdatauv(L, (size_t)n * sizeof *xs, 0);
    /* raw access: the table (argument 1) keeps every element alive */
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        xs[i - 1] = l_testtensor(L, -1);
        if (!xs[i - 1])
            return l_error(L, "%s: element %d is %s, not a tensor", name, i,
                           luaL_typename(L, -1));
        lua_pop(L, 1); /* still referenced by the table */
    }
    nn_tensor *out;
    nn_status s = nn_concat(&out, n, xs, axis, stack);
    return l_result(L, s, out, name, nargs);
}

static int l_concat(lua_State *L) { return join(L, false, "concat"); }
static int l_stack(lua_State *L) { return join(L, true, "stack"); }

/* tensor.slice(x, axis, start, stop, step): Python's x[..., start:stop:step]
 * on one axis; nil start/stop mean the ends. */
static int l_slice(lua_State *L)
{
    int nargs = lua_gettop(L);
    nn_tensor *x = l_checktensor(L, 1), *out;
    int64_t axis = l_checkint(L, 2, "slice", "axis");
    int64_t step = lua_isnoneornil(L, 5) ? 1 : l_checkint(L, 5, "slice", "step");
    int64_t big = INT64_MAX / 4;
    int64_t start = lua_isnoneornil(L, 3) ? (step > 0 ? 0 : big)
                                          : l_checkint(L, 3, "slice", "start");
    int64_t stop = lua_isnoneornil(L, 4) ? (step > 0 ? big : -big)
                                         : l_checkint(L, 4, "slice", "stop");
    nn_status s = nn_slice(&out, x, axis, start, stop, step);
    return l_result(L, s, out, "slice", nargs);
}

/* tensor.gather(x, indices, axis=0): NumPy's take / tf.gather */
static int l_gather(lua_State *L)
{
    int nargs = lua_gettop(L);
    nn_tensor *x = l_checktensor(L, 1), *out;
    nn_tensor *idx = l_checkoperand(L, 2);
    int64_t axis = lua_isnoneornil(L, 3) ? 0 : l_checkint(L, 3, "gather", "axis");
    nn_status s = nn_gather(&out, x, idx, axis);
    return l_result(L, s, out, "gather", nargs);
}

static int l_select(lua_State *L)
{
    int nargs = lua_gettop(L);
    nn_tensor *x = l_checktensor(L, 1), *out;
    int64_t axis = l_checkint(L, 2, "select", "axis");
    int64_t index = l_checkint(L, 3, "select", "index");
    nn_status s = nn_select(&out, x, axis, index);
    return l_result(L, s, out, "select", nargs);
}

/* ---- values ------------------------------------------------------------ */

static nn_tensor *check_values(lua_State *L, int idx, const char *who)
{
    nn_tensor *x = l_checktensor(L, idx);
    if (x->symbolic)
        l_error(L, "%s: a symbolic tensor %s has no values yet; build an "
                "nn.Model and call it on data", who, NN_SHAPE(x));
    return x;
}

/* The flat offset of the indices at idx.. (0-based, negative from the end). */
static size_t flat_index(lua_State *L, nn_tensor *x, int idx, int n,
                         const char *who)
{
    if (n != x->ndim)
        l_error(L, "%s: expected %d indices for a tensor of shape %s, got %d",
                who, x->ndim, NN_SHAPE(x), n);
    size_t off = 0;
    for (int d = 0; d < n; d++) {
        int64_t i = l_checkint(L, idx + d, who, "index");
        if (i < -x->shape[d] || i >= x->shape[d])
            l_error(L, "%s: index %lld is out of range for axis %d of a "
                    "tensor of shape %s", who, (long long)i, d, NN_SHAPE(x));
        if (i < 0)
            i += x->shape[d];
        off = off * (size_t)x->shape[d] + (size_t)i;
    }
    return off;
}

static int l_get(lua_State *L)
{
    nn_tensor *x = check_values(L, 1, "get");
    size_t off = flat_index(L, x, 2, lua_gettop(L) - 1, "get");
    lua_pushnumber(L, x->data[off]);
    return 1;
}

static void check_writable(lua_State *L, nn_tensor *x, const char *who)
{
    if (x->node || (x->requires_grad && nn_grad_enabled()))
        l_error(L, "%s: cannot change a tensor that requires grad in place "
                "(its gradient would be wrong); do it inside tensor.no_grad "
                "or on a detached copy", who);
}

/* x:set(i, j, ..., value) */
static int l_set(lua_State *L)
{
    nn_tensor *x = check_values(L, 1, "set");
    int top = lua_gettop(L);
    if (top < 2 || !lua_isnumber(L, top))
        return l_error(L, "set: expected indices and a number, e.g. "
                       "x:set(0, 1, 3.5)");
    check_writable(L, x, "set");
    size_t off = flat_index(L, x, 2, top - 2, "set");
    x->data[off] = (float)lua_tonumber(L, top);
    lua_settop(L, 1);
    return 1;
}

static int l_item(lua_State *L)
{
    nn_tensor *x = check_values(L, 1, "item");
    if (x->size != 1)
        return l_error(L, "item: only a tensor of one element has an item, "
                       "got shape %s", NN_SHAPE(x));
    lua_pushnumber(L, x->data[0]);
    return 1;
}

static void push_table(lua_State *L, const nn_tensor *x, int d, size_t *pos)
{
    if (d == x->ndim) {
        lua_pushnumber(L, x->data[(*pos)++]);
        return;
    }
    luaL_checkstack(L, 4, "totable");
    lua_createtable(L, (int)x->shape[d], 0);
    for (int64_t i = 0; i < x->shape[d]; i++) {
        push_table(L, x, d + 1, pos);
        lua_rawseti(L, -2, i + 1);
    }
}

static int l_totable(lua_State *L)
{
    nn_tensor *x = check_values(L, 1, "totable");
    /* a Lua number in a table costs ~16 bytes, four times the float, and
     * Lua's memory is not under the tensors' limit: refuse what the limit
     * could not hold */
    if (x->size > nn_memory_limit() / 16)
        return l_error(L, "totable: a tensor of shape %s (%zu elements) is "
                       "too large for a Lua table; take a slice first",
                       NN_SHAPE(x), x->size);
    size_t pos = 0;
    push_table(L, x, 0, &pos);
    return 1;
}

static int l_numel(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    if (x->symbolic)
        return l_error(L, "numel: a symbolic tensor %s has no fixed size",
                       NN_SHAPE(x));
    lua_pushinteger(L, (lua_Integer)x->size);
    return 1;
}

/* x:size() is the shape; x:size(axis) one size (None if unknown) */
static int l_size(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    if (lua_isnoneornil(L, 2)) {
        l_pushshape(L, x->ndim, x->shape);
        return 1;
    }
    int a;
    nn_status s = nn_normalize_axis(&a, l_checkint(L, 2, "size", "axis"),
                                    x->ndim, "size");
    if (s != NN_OK)
        return l_raise(L, s);
    if (x->shape[a] == NN_NONE)
        l_pushnone(L);
    else
        lua_pushinteger(L, x->shape[a]);
    return 1;
}

static int l_dim(lua_State *L)
{
    lua_pushinteger(L, l_checktensor(L, 1)->ndim);
    return 1;
}

static int l_clone(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1), *out;
    nn_status s = nn_tensor_clone(&out, x);
    return push_new(L, s, out, 0, "clone");
}

/* ---- autograd ---------------------------------------------------------- */

static int l_backward(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    nn_tensor *g = lua_isnoneornil(L, 2) ? NULL : l_checktensor(L, 2);
    nn_status s = nn_backward(x, g);
    if (s != NN_OK)
        return l_raise(L, s);
    return 0;
}

static int l_zero_grad(lua_State *L)
{
    nn_tensor_zero_grad(l_checktensor(L, 1));
    lua_settop(L, 1);
    return 1;
}

static int l_set_requires_grad(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    int on = lua_isnoneornil(L, 2) ? 1 : lua_toboolean(L, 2);
    if (x->node)
        return l_error(L, "requires_grad: only a leaf tensor (one not made by "
                       "an op) can change requires_grad; use detach()");
    x->requires_grad = on;
    lua_settop(L, 1);
    return 1;
}

static int l_detach(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1), *out;
    nn_status s = nn_tensor_clone(&out, x);
    return push_new(L, s, out, 0, "detach");
}

static int l_no_grad(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    bool old = nn_grad_set(false);
    int st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    nn_grad_set(old);
    if (st != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

/* tensor.enable_grad(f, ...): f with grad mode on (PyTorch's
 * enable_grad), e.g. fit called inside tensor.no_grad */
static int l_enable_grad(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    bool old = nn_grad_set(true);
    int st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    nn_grad_set(old);
    if (st != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

static int l_is_grad_enabled(lua_State *L)
{
    lua_pushboolean(L, nn_grad_enabled());
    return 1;
}

typedef struct {
    lua_State *L;
    int fn;      /* stack index of f */
    int n;
    int ins;     /* stack index of the table of input userdata */
    int err_ref; /* f's error, re-raised as it was */
} gc_ctx;

static nn_status gradcheck_call(void *p, nn_tensor **inputs, nn_tensor **out)
{
    gc_ctx *c = p;
    lua_State *L = c->L;
    (void)inputs; /* the userdata in c->ins wrap these same tensors */
    lua_pushvalue(L, c->fn);
    for (int i = 1; i <= c->n; i++)
        lua_rawgeti(L, c->ins, i);
    if (lua_pcall(L, c->n, 1, 0) != LUA_OK) {
        if (c->err_ref == LUA_NOREF)
            c->err_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        else
            lua_pop(L, 1);
        return nn_error(NN_EARG, "gradcheck: f raised an error");
    }
    nn_tensor *y = l_testtensor(L, -1);
    if (!y) {
        lua_pop(L, 1);
        return nn_error(NN_EARG, "gradcheck: f must return a tensor");
    }
    *out = nn_tensor_retain(y);
    lua_pop(L, 1);
    return NN_OK;
}

/* tensor.gradcheck(f, {inputs}, {eps=, tol=}) -> passed, worst_error */
static int l_gradcheck(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    if (!lua_istable(L, 2) || l_testtensor(L, 2))
        return l_error(L, "tensor.gradcheck: expected f and a table of input "
                       "tensors");
    int n = (int)lua_rawlen(L, 2);
    if (n < 1)
        return l_error(L, "tensor.gradcheck: no inputs");
    double eps = lua_istable(L, 3) ? opt_number(L, 3, "eps", 5e-3f,
                                                "tensor.gradcheck") : 5e-3;
    double tol = lua_istable(L, 3) ? opt_number(L, 3, "tol", 1e-3f,
                                                "tensor.gradcheck") : 1e-3;
    /* a private copy of the inputs table (index 4): f cannot collect them */
    lua_settop(L, 3);
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        lua_rawseti(L, 4, i);
    }
    nn_tensor **xs = lua_newuserdatauv(L, (size_t)n * sizeof *xs, 0);
    int any = 0;
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 4, i);
        xs[i - 1] = l_testtensor(L, -1);
        if (!xs[i - 1])
            return l_error(L, "tensor.gradcheck: input %d is not a tensor", i);
        if (xs[i - 1]->symbolic)
            return l_error(L, "tensor.gradcheck: input %d is symbolic", i);
        any |= xs[i - 1]->requires_grad;
        lua_pop(L, 1);
    }
    if (!any)
        return l_error(L, "tensor.gradcheck: no input requires grad; create "
                       "them with {requires_grad=true}");
    gc_ctx c = {L, 1, n, 4, LUA_NOREF};
    double worst;
    nn_status s = nn_gradcheck(&worst, gradcheck_call, &c, n, xs, eps);
    if (c.err_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c.err_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, c.err_ref);
        return lua_error(L);
    }
    if (s != NN_OK)
        return l_raise(L, s);
    lua_pushboolean(L, worst < tol);
    lua_pushnumber(L, worst);
    return 2;
}

/* ---- the metatable ----------------------------------------------------- */

static int t_gc(lua_State *L)
{
    nn_tensor **box = luaL_checkudata(L, 1, L_TENSOR);
    nn_tensor_release(*box);
    *box = NULL; /* safe to run twice */
    return 0;
}

/* The print options of tostring(x), set by tensor.set_printoptions (the
 * Lua side checks them). A linewidth of 0 is the terminal's: COLUMNS, which
 * readline keeps up to date at the prompt, else 80 (a pipe, a script). */
static nn_format_options print_options = NN_FORMAT_DEFAULTS;
static int print_linewidth = 0;

static int current_linewidth(void)
{
    if (print_linewidth > 0)
        return print_linewidth;
    const char *c = getenv("COLUMNS");
    if (c && *c) {
        char *end;
        long n = strtol(c, &end, 10);
        if (*end == '\0' && n > 0 && n <= 100000)
            return (int)n;
    }
    return 80;
}

/* core.printoptions([{precision=, linewidth=, threshold=, edgeitems=,
 * suppress=}]) -> the options now, after setting the ones given
 * (linewidth 0: the terminal's) */
static int l_printoptions(lua_State *L)
{
    if (lua_istable(L, 1)) {
        if (lua_getfield(L, 1, "precision") != LUA_TNIL)
            print_options.precision = (int)luaL_checkinteger(L, -1);
        if (lua_getfield(L, 1, "linewidth") != LUA_TNIL)
            print_linewidth = (int)luaL_checkinteger(L, -1);
        if (lua_getfield(L, 1, "threshold") != LUA_TNIL)
            print_options.threshold = (int64_t)luaL_checkinteger(L, -1);
        if (lua_getfield(L, 1, "edgeitems") != LUA_TNIL)
            print_options.edgeitems = (int)luaL_checkinteger(L, -1);
        if (lua_getfield(L, 1, "suppress") != LUA_TNIL)
            print_options.suppress = lua_toboolean(L, -1);
        lua_settop(L, 1);
    }
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, print_options.precision);
    lua_setfield(L, -2, "precision");
    lua_pushinteger(L, print_linewidth);
    lua_setfield(L, -2, "linewidth");
    lua_pushinteger(L, (lua_Integer)print_options.threshold);
    lua_setfield(L, -2, "threshold");
    lua_pushinteger(L, print_options.edgeitems);
    lua_setfield(L, -2, "edgeitems");
    lua_pushboolean(L, print_options.suppress);
    lua_setfield(L, -2, "suppress");
    return 1;
}

static int t_tostring(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    if (x->symbolic) {
        /* the Lua library knows the names of inputs and layers */
        lua_getfield(L, LUA_REGISTRYINDEX, "attnlab.symbolic_tostring");
        if (lua_isfunction(L, -1)) {
            lua_pushvalue(L, 1);
            lua_getiuservalue(L, 1, 1);
            lua_pushstring(L, NN_SHAPE(x));
            lua_call(L, 3, 1);
            return 1;
        }
        lua_pushfstring(L, "<Symbolic shape=%s>", NN_SHAPE(x));
        return 1;
    }
    nn_format_options opt = print_options;
    opt.linewidth = current_linewidth();
    char *text = nn_tensor_format(x, &opt);
    if (!text)
        return l_error(L, "tostring: out of memory");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, NN_SHAPE(x));
    if (x->node)
        lua_pushfstring(L, " grad_fn=%s", x->node->op);
    else
        lua_pushstring(L, x->requires_grad ? " requires_grad" : "");
    luaL_addvalue(&b);
    luaL_addchar(&b, '\n');
    luaL_addstring(&b, text);
    free(text);
    luaL_pushresult(&b);
    return 1;
}

static int t_index(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, 2);
        if (strcmp(k, "shape") == 0) {
            l_pushshape(L, x->ndim, x->shape);
            return 1;
        }
        if (strcmp(k, "grad") == 0) {
            if (x->grad)
                l_pushtensor(L, nn_tensor_retain(x->grad));
            else
                lua_pushnil(L);
            return 1;
        }
        if (strcmp(k, "ndim") == 0) {
            lua_pushinteger(L, x->ndim);
            return 1;
        }
        if (strcmp(k, "requires_grad") == 0) {
            lua_pushboolean(L, x->requires_grad);
            return 1;
        }
        if (strcmp(k, "is_leaf") == 0) {
            lua_pushboolean(L, x->node == NULL);
            return 1;
        }
        if (strcmp(k, "grad_fn") == 0) {
            if (x->node)
                lua_pushstring(L, x->node->op);
            else
                lua_pushnil(L);
            return 1;
        }
        if (strcmp(k, "dtype") == 0) {
            lua_pushliteral(L, "float32");
            return 1;
        }
        if (strcmp(k, "symbolic") == 0) {
            lua_pushboolean(L, x->symbolic);
            return 1;
        }
        if (strcmp(k, "node") == 0) {
            lua_getiuservalue(L, 1, 1);
            return 1;
        }
        if (strcmp(k, "mask") == 0) { /* Keras's _keras_mask */
            lua_getfield(L, LUA_REGISTRYINDEX, "attnlab.masks");
            if (!lua_istable(L, -1))
                return 1;
            lua_pushvalue(L, 1);
            lua_rawget(L, -2);
            return 1;
        }
        /* methods: the module's functions */
        lua_pushvalue(L, 2);
        lua_rawget(L, lua_upvalueindex(1));
        return 1;
    }
    if (lua_type(L, 2) == LUA_TNUMBER) {
        /* x[i]: NumPy's x[i] (0-based); a number for a 1-D tensor */
        int64_t i = l_checkint(L, 2, "index", "index");
        if (x->ndim == 0)
            return l_error(L, "index: a scalar tensor cannot be indexed");
        if (x->ndim == 1 && !x->symbolic) {
            if (i < -x->shape[0] || i >= x->shape[0])
                return l_error(L, "index %lld is out of range for axis 0 of "
                               "a tensor of shape %s", (long long)i,
                               NN_SHAPE(x));
            lua_pushnumber(L, x->data[i < 0 ? i + x->shape[0] : i]);
            return 1;
        }
        nn_tensor *out;
        nn_status s = nn_select(&out, x, 0, i);
        lua_settop(L, 2);
        lua_pushinteger(L, 0);
        lua_insert(L, 2); /* record it as select(x, 0, i) */
        return l_result(L, s, out, "select", 3);
    }
    return l_error(L, "tensor: cannot index a tensor with a %s",
                   luaL_typename(L, 2));
}

static int t_newindex(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, 2);
        if (strcmp(k, "requires_grad") == 0) {
            lua_settop(L, 3);
            lua_remove(L, 2);
            return l_set_requires_grad(L);
        }
        if (strcmp(k, "grad") == 0 && lua_isnil(L, 3)) {
            nn_tensor_release(x->grad);
            x->grad = NULL;
            return 0;
        }
        return l_error(L, "tensor: cannot set field '%s'", k);
    }
    if (lua_type(L, 2) == LUA_TNUMBER) {
        /* x[i] = v: fills the sub-tensor (v a number or a tensor of its
         * shape) */
        if (x->symbolic)
            return l_error(L, "index: a symbolic tensor has no values");
        check_writable(L, x, "index");
        int64_t i = l_checkint(L, 2, "index", "index");
        if (x->ndim == 0)
            return l_error(L, "index: a scalar tensor cannot be indexed");
        if (i < -x->shape[0] || i >= x->shape[0])
            return l_error(L, "index %lld is out of range for axis 0 of a "
                           "tensor of shape %s", (long long)i, NN_SHAPE(x));
        if (i < 0)
            i += x->shape[0];
        size_t inner = x->shape[0] ? x->size / (size_t)x->shape[0] : 0;
        float *dst = x->data + (size_t)i * inner;
        if (lua_type(L, 3) == LUA_TNUMBER) {
            for (size_t j = 0; j < inner; j++)
                dst[j] = (float)lua_tonumber(L, 3);
            return 0;
        }
        nn_tensor *v = l_testtensor(L, 3);
        if (!v || v->symbolic || v->size != inner ||
            !nn_shape_equal(v->ndim, v->shape, x->ndim - 1, x->shape + 1))
            return l_error(L, "index: x[i] of a tensor of shape %s takes a "
                           "number or a tensor of shape %s", NN_SHAPE(x),
                           nn_shape_str(x->ndim - 1, x->shape + 1));
        memcpy(dst, v->data, inner * sizeof *dst);
        return 0;
    }
    return l_error(L, "tensor: cannot index a tensor with a %s",
                   luaL_typename(L, 2));
}

static int t_len(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1);
    if (x->ndim == 0)
        return l_error(L, "len: a scalar tensor has no length");
    if (x->shape[0] == NN_NONE)
        return l_error(L, "len: the first axis of %s is unknown (None)",
                       NN_SHAPE(x));
    lua_pushinteger(L, x->shape[0]);
    return 1;
}

static int t_unm(lua_State *L)
{
    nn_tensor *x = l_checktensor(L, 1), *out;
    nn_status s = nn_unary(&out, NN_NEG, x);
    return l_result(L, s, out, "neg", 1);
}

/* the shape table's metatable: prints as (2, 64, 128), compares by value */
static int shape_tostring(lua_State *L)
{
    int64_t shape[NN_MAXDIM];
    int n = (int)lua_rawlen(L, 1);
    if (n > NN_MAXDIM)
        n = NN_MAXDIM;
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        shape[i - 1] = l_isnone(L, -1) ? NN_NONE : (int64_t)lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    lua_pushstring(L, nn_shape_str(n, shape));
    return 1;
}

static int shape_eq(lua_State *L)
{
    int n = (int)lua_rawlen(L, 1);
    if ((int)lua_rawlen(L, 2) != n) {
        lua_pushboolean(L, 0);
        return 1;
    }
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        lua_rawgeti(L, 2, i);
        int eq = lua_rawequal(L, -1, -2) ||
                 (lua_isinteger(L, -1) && lua_isinteger(L, -2) &&
                  lua_tointeger(L, -1) == lua_tointeger(L, -2));
        lua_pop(L, 2);
        if (!eq) {
            lua_pushboolean(L, 0);
            return 1;
        }
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int none_tostring(lua_State *L)
{
    lua_pushliteral(L, "None");
    return 1;
}

/* core.set_node(x, info): the record of how symbolic x was made */
static int l_set_node(lua_State *L)
{
    l_checktensor(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_setiuservalue(L, 1, 1);
    return 0;
}

/* core.assign(dst, src): copies src's values into the leaf dst (same
 * shape), as set_weights and optimizers do; not recorded by autograd */
static int l_assign(lua_State *L)
{
    nn_tensor *dst = check_values(L, 1, "assign");
    nn_tensor *src = check_values(L, 2, "assign");
    if (dst->node)
        return l_error(L, "assign: only a leaf tensor can be assigned to");
    if (!nn_shape_equal(dst->ndim, dst->shape, src->ndim, src->shape))
        return l_error(L, "assign: expected a value of shape %s, got %s",
                       NN_SHAPE(dst), NN_SHAPE(src));
    if (src->size)
        memcpy(dst->data, src->data, src->size * sizeof(float));
    lua_settop(L, 1);
    return 1;
}

/* ---- memory ------------------------------------------------------------ */

static int l_memory(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)nn_memory_in_use());
    lua_pushinteger(L, (lua_Integer)nn_memory_limit());
    return 2;
}

static int l_set_memory_limit(lua_State *L)
{
    int64_t b = l_checkint(L, 1, "tensor.set_memory_limit", "bytes");
    if (b <= 0)
        return l_error(L, "tensor.set_memory_limit: bytes must be positive");
    nn_set_memory_limit((size_t)b);
    return 0;
}

/* core.clock(): monotonic wall-clock seconds, for timing (bench/) */
static int l_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
    return 1;
}

/* core.isatty(): whether standard output is a terminal (fit's progress
 * bar is redrawn in place only there) */
static int l_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty(STDOUT_FILENO));
    return 1;
}

/* core.defer_interrupts(on) -> previous; core.take_interrupt() -> whether
 * Ctrl-C was pressed since the last call (see error.h) */
static int l_defer_interrupts(lua_State *L)
{
    lua_pushboolean(L, nn_interrupt_deferred);
    nn_interrupt_deferred = lua_toboolean(L, 1);
    if (!nn_interrupt_deferred)
        nn_interrupt_pending = 0;
    return 1;
}

static int l_take_interrupt(lua_State *L)
{
    lua_pushboolean(L, nn_interrupt_pending);
    nn_interrupt_pending = 0;
    return 1;
}

static int l_seed(lua_State *L)
{
    int64_t n = l_checkint(L, 1, "seed", "seed");
    nn_rng_seed(nn_rng_global(), (uint64_t)n);
    return 0;
}

static const luaL_Reg tensor_funcs[] = {
    {"zeros", l_zeros}, {"ones", l_ones}, {"full", l_full}, {"eye", l_eye},
    {"arange", l_arange}, {"rand", l_rand}, {"randn", l_randn},
    {"from", l_from}, {"symbolic", l_symbolic},
    {"add", l_add}, {"sub", l_sub}, {"subtract", l_sub}, {"mul", l_mul},
    {"multiply", l_mul}, {"div", l_div}, {"divide", l_div}, {"pow", l_pow},
    {"maximum", l_maximum}, {"minimum", l_minimum},
    {"equal", l_equal}, {"not_equal", l_not_equal}, {"greater", l_greater},
    {"greater_equal", l_greater_equal}, {"less", l_less},
    {"less_equal", l_less_equal}, {"gather", l_gather},
    {"sum", l_sum}, {"mean", l_mean}, {"max", l_max}, {"min", l_min},
    {"argmax", l_argmax}, {"argmin", l_argmin},
    {"softmax", l_softmax}, {"log_softmax", l_log_softmax},
    {"matmul", l_matmul}, {"batch_dot", l_batch_dot},
    {"reshape", l_reshape}, {"transpose", l_transpose},
    {"squeeze", l_squeeze}, {"expand_dims", l_expand_dims},
    {"concat", l_concat}, {"stack", l_stack}, {"slice", l_slice},
    {"select", l_select},
    {"get", l_get}, {"set", l_set}, {"item", l_item}, {"totable", l_totable},
    {"numel", l_numel}, {"size", l_size}, {"dim", l_dim}, {"clone", l_clone},
    {"backward", l_backward}, {"zero_grad", l_zero_grad},
    {"set_requires_grad", l_set_requires_grad}, {"detach", l_detach},
    {"no_grad", l_no_grad}, {"enable_grad", l_enable_grad},
    {"is_grad_enabled", l_is_grad_enabled},
    {"gradcheck", l_gradcheck},
    {"memory", l_memory}, {"set_memory_limit", l_set_memory_limit},
    {"seed", l_seed}, {"set_node", l_set_node}, {"assign", l_assign},
    {"clock", l_clock}, {"isatty", l_isatty},
    {"defer_interrupts", l_defer_interrupts},
    {"take_interrupt", l_take_interrupt},
    {"printoptions", l_printoptions},
    {NULL, NULL}
};

int luaopen_attnlab_core(lua_State *L)
{

    /* None: Keras's unknown size */
    lua_newtable(L);
    lua_newtable(L);
    lua_pushcfunction(L, none_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "None");
    lua_setfield(L, -2, "__name");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, L_NONE);

    luaL_newmetatable(L, "attnlab.shape");
    lua_pushcfunction(L, shape_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, shape_eq);
    lua_setfield(L, -2, "__eq");
    lua_pop(L, 1);

    luaL_newlib(L, tensor_funcs);
    for (int k = 0; k < NN_UNARY_COUNT; k++) {
        lua_pushinteger(L, k);
        lua_pushcclosure(L, l_unary, 1);
        lua_setfield(L, -2, nn_unary_name((nn_unary_kind)k));
    }
    l_pushnone(L);
    lua_setfield(L, -2, "None");

    luaL_newmetatable(L, L_TENSOR);
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, t_index, 1);
    lua_setfield(L, -2, "__index");
    static const luaL_Reg meta[] = {
        {"__gc", t_gc}, {"__tostring", t_tostring},
        {"__newindex", t_newindex}, {"__len", t_len}, {"__unm", t_unm},
        {"__add", l_add}, {"__sub", l_sub}, {"__mul", l_mul},
        {"__div", l_div}, {"__pow", l_pow}, {NULL, NULL}
    };
    luaL_setfuncs(L, meta, 0);
    lua_pushliteral(L, "tensor");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);

    l_nn_register(L);
    l_train_register(L);
    l_io_register(L);
    l_viz_register(L);
    return 1;
}
