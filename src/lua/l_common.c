/* l_common.c - tensor userdata and argument checks shared by the bindings. */
#include "l_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ops.h"

/* Lua sees a tensor as a small userdata, so without help its collector
 * would let megabytes of dead tensors pile up: each new tensor's bytes
 * advance the collector as if Lua had allocated them, and past half the
 * memory limit a full collection runs. This happens here, when an op has
 * finished and holds no pointers, never inside the core: finalizers run
 * Lua code that may change tensors. */
static void gc_account(lua_State *L, const nn_tensor *t)
{
    static size_t pending;
    pending += t->size * sizeof(float);
    if (nn_memory_in_use() > nn_memory_limit() / 2 && pending >= 64 * 1024) {
        lua_gc(L, LUA_GCCOLLECT);
        pending = 0;
    } else if (pending >= 64 * 1024) {
        lua_gc(L, LUA_GCSTEP, (int)(pending / 1024 > 1 << 20 ? 1 << 20
                                                               : pending / 1024));
        pending = 0;
    }
}

void l_pushtensor(lua_State *L, nn_tensor *t)
{
    /* the box is NULL until it owns t, so __gc is safe whenever it runs
     * (if the userdata itself cannot be allocated, Lua raises a memory
     * error and t is lost: only Lua's own allocator failing does that) */
    nn_tensor **box = lua_newuserdatauv(L, sizeof *box, 1);
    *box = NULL;
    luaL_setmetatable(L, L_TENSOR);
    *box = t;
    if (t && t->data)
        gc_account(L, t);
}

nn_tensor *l_testtensor(lua_State *L, int idx)
{
    nn_tensor **box = luaL_testudata(L, idx, L_TENSOR);
    return box ? *box : NULL;
}

nn_tensor *l_checktensor(lua_State *L, int idx)
{
    nn_tensor **box = luaL_testudata(L, idx, L_TENSOR);
    if (!box || !*box) {
        luaL_typeerror(L, idx, "tensor");
        return NULL;
    }
    return *box;
}

nn_tensor *l_checkoperand(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TNUMBER) {
        nn_tensor *t;
        idx = lua_absindex(L, idx);
        nn_status s = nn_scalar(&t, (float)lua_tonumber(L, idx));
        if (s != NN_OK)
            l_raise(L, s);
        l_pushtensor(L, t);
        lua_replace(L, idx);
        return t;
    }
    return l_checktensor(L, idx);
}

/* The first stack level outside attnlab's Lua library (level 1 if none). */
static int user_level(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline <= 0)
            continue; /* a C function */
        if (strstr(ar.source, "/lua/attnlab/") ||
            strncmp(ar.source, "@lua/attnlab/", 13) == 0)
            continue;
        return level;
    }
    return 1;
}

int l_error(lua_State *L, const char *fmt, ...)
{
    /* C's printf, not lua_pushvfstring, so %lld and %zu work */
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    luaL_where(L, user_level(L));
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    return lua_error(L);
}

/* A number as the learner wrote it, NaN spelled "nan" (not glibc's
 * "-nan"). */
static const char *num_str(lua_State *L, int idx)
{
    lua_Number v = lua_tonumber(L, idx);
    if (isnan(v))
        return "nan";
    return lua_tostring(L, idx);
}

int l_raise(lua_State *L, nn_status s)
{
    (void)s;
    return l_error(L, "%s", nn_errmsg());
}

int l_result(lua_State *L, nn_status s, nn_tensor *out, const char *name,
             int nargs)
{
    if (s != NN_OK)
        return l_raise(L, s);
    l_pushtensor(L, out);
    if (out->symbolic) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, name);
        lua_setfield(L, -2, "op");
        lua_createtable(L, nargs, 1);
        for (int i = 1; i <= nargs; i++) {
            lua_pushvalue(L, i);
            lua_rawseti(L, -2, i);
        }
        lua_pushinteger(L, nargs);
        lua_setfield(L, -2, "n");
        lua_setfield(L, -2, "args");
        lua_setiuservalue(L, -2, 1);
    }
    return 1;
}

void l_pushnone(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, L_NONE);
}

int l_isnone(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    l_pushnone(L);
    int eq = lua_rawequal(L, idx, -1);
    lua_pop(L, 1);
    return eq;
}

int64_t l_checkint(lua_State *L, int idx, const char *who, const char *what)
{
    int isnum;
    lua_Number v = lua_tonumberx(L, idx, &isnum);
    if (!isnum)
        return l_error(L, "%s: %s must be an integer, got %s", who, what,
                       luaL_typename(L, idx));
    if (isnan(v) || v != floor(v) || fabs(v) > 9.0e18)
        return l_error(L, "%s: %s must be an integer, got %s", who, what,
                       num_str(L, idx));
    return (int64_t)v;
}

static int64_t shape_entry(lua_State *L, int idx, const char *who, int pos,
                           int allow_none)
{
    if (allow_none && l_isnone(L, idx))
        return NN_NONE;
    int isnum;
    lua_Number v = lua_tonumberx(L, idx, &isnum);
    if (!isnum)
        return l_error(L, "%s: size %d must be a non-negative integer, got "
                       "%s", who, pos, luaL_typename(L, idx));
    if (isnan(v) || v < 0 || v != floor(v))
        return l_error(L, "%s: size %d must be a non-negative integer, got "
                       "%s", who, pos, num_str(L, idx));
    if (v > 9.0e18)
        return l_error(L, "%s: size %d is too large (%s)", who, pos,
                       lua_tostring(L, idx));
    return (int64_t)v;
}

int l_checkshape(lua_State *L, int idx, int *ndim, int64_t *shape,
                 const char *who, int allow_none)
{
    int n = 0;
    if (lua_istable(L, idx) && !l_isnone(L, idx)) {
        lua_Integer len = luaL_len(L, idx);
        if (len > NN_MAXDIM)
            return l_error(L, "%s: a tensor has at most %d axes, got %d", who,
                           NN_MAXDIM, (int)len);
        for (int i = 1; i <= len; i++) {
            lua_geti(L, idx, i);
            shape[n++] = shape_entry(L, -1, who, i, allow_none);
            lua_pop(L, 1);
        }
        *ndim = n;
        return 1;
    }
    int top = lua_gettop(L);
    for (int i = idx; i <= top; i++) {
        if (lua_type(L, i) != LUA_TNUMBER && !(allow_none && l_isnone(L, i)))
            break;
        if (n == NN_MAXDIM)
            return l_error(L, "%s: a tensor has at most %d axes", who,
                           NN_MAXDIM);
        shape[n] = shape_entry(L, i, who, n + 1, allow_none);
        n++;
    }
    *ndim = n;
    return n;
}

void l_pushshape(lua_State *L, int ndim, const int64_t *shape)
{
    lua_createtable(L, ndim, 0);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == NN_NONE)
            l_pushnone(L);
        else
            lua_pushinteger(L, shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
    luaL_setmetatable(L, "attnlab.shape");
}

int l_optbool(lua_State *L, int idx, const char *key, int dflt)
{
    if (!lua_istable(L, idx))
        return dflt;
    lua_getfield(L, idx, key);
    int v = lua_isnil(L, -1) ? dflt : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}
