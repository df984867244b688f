/*
 * l_io.c - core.io: safetensors and .npy files.
 *
 *   core.io.save_safetensors(path, names, tensors [, metadata]) -> true
 *   core.io.load_safetensors(path) -> names, tensors, metadata
 *   core.io.save_npy(path, x) -> true
 *   core.io.load_npy(path) -> x
 *
 * As Lua's io library: a failure of the file (missing, unreadable, not a
 * valid file, too big for the memory limit) returns nil and a message that
 * starts with the path; wrong arguments raise errors at the caller's line.
 */
#include "bindings.h"
#include "io/npy.h"
#include "io/safetensors.h"
#include "l_common.h"

#include <lauxlib.h>
#include <string.h>

#define L_GUARD "attnlab.io.loaded" /* owns a load's results until pushed */

/* nil, message for a file's failure; a raised error for a bad argument */
static int fail(lua_State *L, nn_status s)
{
    if (s == NN_EARG)
        return l_raise(L, s);
    luaL_pushfail(L);
    lua_pushstring(L, nn_errmsg());
    return 2;
}

/* A string argument without embedded zeros (a C string). */
static const char *check_cstring(lua_State *L, int idx, const char *who,
                                 const char *what)
{
    size_t len;
    if (lua_type(L, idx) != LUA_TSTRING)
        l_error(L, "%s: %s must be a string, got %s", who, what,
                luaL_typename(L, idx));
    const char *s = lua_tolstring(L, idx, &len);
    if (strlen(s) != len)
        l_error(L, "%s: %s contains a zero byte", who, what);
    return s;
}

/* Scratch memory the collector frees, even when an error unwinds. */
static void *scratch(lua_State *L, size_t n)
{
    return lua_newuserdatauv(L, n ? n : 1, 0);
}

static int l_save_safetensors(lua_State *L)
{
    const char *who = "save_safetensors";
    const char *path = check_cstring(L, 1, who, "the path");
    if (!lua_istable(L, 2))
        return l_error(L, "%s: names must be a list of strings, got %s", who,
                       luaL_typename(L, 2));
    if (l_testtensor(L, 3))
        return l_error(L, "%s: tensors must be a list of tensors, got a "
                       "single tensor (write {x})", who);
    if (!lua_istable(L, 3))
        return l_error(L, "%s: tensors must be a list of tensors, got %s",
                       who, luaL_typename(L, 3));
    if (!lua_isnoneornil(L, 4) && !lua_istable(L, 4))
        return l_error(L, "%s: metadata must be a table of strings, got %s",
                       who, luaL_typename(L, 4));
    lua_settop(L, 4);
    /* raw lengths: no __len can make the buffers below wrap around */
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    lua_Integer nt = (lua_Integer)lua_rawlen(L, 3);
    if (n != nt)
        return l_error(L, "%s: %lld names but %lld tensors", who,
                       (long long)n, (long long)nt);
    if (n > 1000000)
        return l_error(L, "%s: %lld tensors are too many for one file", who,
                       (long long)n);

    const char **names = scratch(L, (size_t)n * sizeof *names);
    const nn_tensor **tensors = scratch(L, (size_t)n * sizeof *tensors);
    lua_newtable(L); /* anchors the strings pointed to, index 7 */
    for (lua_Integer i = 1; i <= n; i++) {
        char what[48];
        lua_rawgeti(L, 2, i);
        snprintf(what, sizeof what, "names[%lld]", (long long)i);
        names[i - 1] = check_cstring(L, -1, who, what);
        lua_rawseti(L, 7, i);
        lua_rawgeti(L, 3, i);
        const nn_tensor *t = l_testtensor(L, -1);
        if (!t)
            return l_error(L, "%s: tensors[%lld] must be a tensor, got %s",
                           who, (long long)i, luaL_typename(L, -1));
        tensors[i - 1] = t;
        lua_rawseti(L, 7, n + i);
    }

    /* the metadata: string keys, string (or number) values */
    size_t nmeta = 0;
    const char **keys = NULL, **values = NULL;
    if (!lua_isnil(L, 4)) {
        size_t cap = 0;
        lua_pushnil(L);
        while (lua_next(L, 4))
            cap++, lua_pop(L, 1);
        keys = scratch(L, cap * sizeof *keys);
        values = scratch(L, cap * sizeof *values);
        lua_Integer slot = 2 * n;
        lua_pushnil(L);
        while (lua_next(L, 4)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                return l_error(L, "%s: metadata keys must be strings, got %s",
                               who, luaL_typename(L, -2));
            const char *k = check_cstring(L, -2, who, "a metadata key");
            int vt = lua_type(L, -1);
            if (vt != LUA_TSTRING && vt != LUA_TNUMBER)
                return l_error(L, "%s: metadata values must be strings, but "
                               "'%s' is %s", who, k, luaL_typename(L, -1));
            lua_pushvalue(L, -1);
            lua_tostring(L, -1); /* converts a number on the copy */
            values[nmeta] = check_cstring(L, -1, who, "a metadata value");
            lua_rawseti(L, 7, ++slot);
            keys[nmeta++] = k; /* anchored by the metadata table */
            lua_pop(L, 1);
        }
    }
    nn_status s = nn_safetensors_save(path, (size_t)n, names, tensors, nmeta,
                                      keys, values);
    if (s != NN_OK)
        return fail(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

static int guard_gc(lua_State *L)
{
    nn_safetensors_free(luaL_checkudata(L, 1, L_GUARD));
    return 0;
}

static int l_load_safetensors(lua_State *L)
{
    const char *path = check_cstring(L, 1, "load_safetensors", "the path");
    nn_safetensors *st = lua_newuserdatauv(L, sizeof *st, 0);
    memset(st, 0, sizeof *st);
    luaL_setmetatable(L, L_GUARD);
    nn_status s = nn_safetensors_load(st, path);
    if (s != NN_OK)
        return fail(L, s);
    int guard = lua_gettop(L);
    lua_createtable(L, (int)st->count, 0);
    lua_createtable(L, (int)st->count, 0);
    lua_createtable(L, 0, (int)st->nmeta);
    for (size_t i = 0; i < st->count; i++) {
        lua_pushstring(L, st->names[i]);
        lua_rawseti(L, guard + 1, (lua_Integer)i + 1);
        l_pushtensor(L, st->tensors[i]);
        st->tensors[i] = NULL; /* the userdata owns it now */
        lua_rawseti(L, guard + 2, (lua_Integer)i + 1);
    }
    for (size_t i = 0; i < st->nmeta; i++) {
        lua_pushstring(L, st->meta_values[i]);
        lua_setfield(L, guard + 3, st->meta_keys[i]);
    }
    nn_safetensors_free(st);
    return 3;
}

static int l_save_npy(lua_State *L)
{
    const char *path = check_cstring(L, 1, "save_npy", "the path");
    const nn_tensor *t = l_testtensor(L, 2);
    if (!t)
        return l_error(L, "save_npy: the value to save must be a tensor, got "
                       "%s", luaL_typename(L, 2));
    nn_status s = nn_npy_save(path, t);
    if (s != NN_OK)
        return fail(L, s);
    lua_pushboolean(L, 1);
    return 1;
}

static int l_load_npy(lua_State *L)
{
    const char *path = check_cstring(L, 1, "load_npy", "the path");
    nn_tensor *t;
    nn_status s = nn_npy_load(&t, path);
    if (s != NN_OK)
        return fail(L, s);
    l_pushtensor(L, t);
    return 1;
}

void l_io_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"save_safetensors", l_save_safetensors},
        {"load_safetensors", l_load_safetensors},
        {"save_npy", l_save_npy},
        {"load_npy", l_load_npy},
        {NULL, NULL}
    };
    if (luaL_newmetatable(L, L_GUARD)) {
        lua_pushcfunction(L, guard_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "io");
}
