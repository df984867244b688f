/*
 * l_nn.c - layer kernels and initializer primitives for lua/attnlab,
 * in the table core.kernels.
 *
 * The layer objects (names, weights, options) live in lua/attnlab/layers.lua;
 * their math is here, one function per layer kernel.
 */
#include "bindings.h"
#include "core/ops.h"
#include "l_common.h"
#include "layers/dense.h"

/* kernels.dense(x, kernel, bias_or_nil, name) -> x @ kernel + bias */
static int l_dense(lua_State *L)
{
    int nargs = lua_gettop(L);
    nn_tensor *x = l_checktensor(L, 1), *kernel = l_checktensor(L, 2);
    nn_tensor *bias = lua_isnoneornil(L, 3) ? NULL : l_checktensor(L, 3);
    const char *name = luaL_optstring(L, 4, "dense");
    nn_tensor *y;
    nn_status s = nn_dense_forward(&y, x, kernel, bias, name);
    return l_result(L, s, y, "dense", nargs);
}

/* kernels.truncated_normal(shape, mean, stddev): normal draws redrawn beyond
 * two standard deviations, as Keras's TruncatedNormal */
static int l_truncated_normal(lua_State *L)
{
    int ndim;
    int64_t shape[NN_MAXDIM];
    luaL_checktype(L, 1, LUA_TTABLE);
    l_checkshape(L, 1, &ndim, shape, "truncated_normal", 0);
    nn_tensor *t;
    nn_status s = nn_truncated_normal(&t, ndim, shape,
                                      (float)luaL_optnumber(L, 2, 0.0),
                                      (float)luaL_optnumber(L, 3, 1.0));
    if (s != NN_OK)
        return l_raise(L, s);
    l_pushtensor(L, t);
    return 1;
}

void l_nn_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"dense", l_dense},
        {"truncated_normal", l_truncated_normal},
        {NULL, NULL}
    };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "kernels");
}
