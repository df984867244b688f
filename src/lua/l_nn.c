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
#include "layers/embedding.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/simple_rnn.h"

#include <stdio.h>
#include <string.h>

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

/* An optional tensor argument (nil allowed). */
static nn_tensor *opt_tensor(lua_State *L, int idx)
{
    return lua_isnoneornil(L, idx) ? NULL : l_checktensor(L, idx);
}

static nn_rnn_act opt_act(lua_State *L, int idx, const char *key,
                          nn_rnn_act dflt, const char *cls, const char *name)
{
    lua_getfield(L, idx, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return dflt;
    }
    const char *v = lua_tostring(L, -1);
    int a = v ? nn_rnn_act_lookup(v) : -1;
    if (a < 0)
        l_error(L, "%s '%s': %s '%s' is not supported in a recurrent layer "
                "(supported: linear, tanh, sigmoid, relu, hard_sigmoid)", cls,
                name, key, v ? v : luaL_typename(L, -1));
    lua_pop(L, 1);
    return (nn_rnn_act)a;
}

/* The config table of a recurrent call: {name=, activation=,
 * recurrent_activation=, reset_after=, go_backwards=,
 * zero_output_for_mask=} */
static void read_rnn_config(lua_State *L, int idx, nn_rnn_config *cfg,
                            const char *cls)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    memset(cfg, 0, sizeof *cfg);
    lua_getfield(L, idx, "name");
    snprintf(cfg->name, sizeof cfg->name, "%s",
             lua_isstring(L, -1) ? lua_tostring(L, -1) : "rnn");
    lua_pop(L, 1);
    cfg->activation = opt_act(L, idx, "activation", NN_RNN_TANH, cls,
                              cfg->name);
    cfg->recurrent_activation = opt_act(L, idx, "recurrent_activation",
                                        NN_RNN_SIGMOID, cls, cfg->name);
    cfg->reset_after = l_optbool(L, idx, "reset_after", 1);
    cfg->go_backwards = l_optbool(L, idx, "go_backwards", 0);
    cfg->zero_output_for_mask = l_optbool(L, idx, "zero_output_for_mask", 0);
    lua_getfield(L, idx, "recurrent_mask");
    cfg->recurrent_mask = lua_isnil(L, -1) ? NULL : l_checktensor(L, -1);
    lua_pop(L, 1); /* still referenced by the config table */
}

/* kernels.gru(x, mask, h0, kernel, recurrent_kernel, bias, config) -> seq */
static int l_gru(lua_State *L)
{
    nn_rnn_config cfg;
    read_rnn_config(L, 7, &cfg, "GRU");
    nn_tensor *seq;
    nn_status s = nn_gru_forward(&seq, l_checktensor(L, 1), opt_tensor(L, 2),
                                 opt_tensor(L, 3), l_checktensor(L, 4),
                                 l_checktensor(L, 5), opt_tensor(L, 6), &cfg);
    return l_result(L, s, seq, "gru", 7);
}

/* kernels.lstm(x, mask, h0, c0, kernel, recurrent_kernel, bias, config) */
static int l_lstm(lua_State *L)
{
    nn_rnn_config cfg;
    read_rnn_config(L, 8, &cfg, "LSTM");
    nn_tensor *seq;
    nn_status s = nn_lstm_forward(&seq, l_checktensor(L, 1), opt_tensor(L, 2),
                                  opt_tensor(L, 3), opt_tensor(L, 4),
                                  l_checktensor(L, 5), l_checktensor(L, 6),
                                  opt_tensor(L, 7), &cfg);
    return l_result(L, s, seq, "lstm", 8);
}

/* kernels.simple_rnn(x, mask, h0, kernel, recurrent_kernel, bias, config) */
static int l_simple_rnn(lua_State *L)
{
    nn_rnn_config cfg;
    read_rnn_config(L, 7, &cfg, "SimpleRNN");
    nn_tensor *seq;
    nn_status s = nn_simple_rnn_forward(&seq, l_checktensor(L, 1),
                                        opt_tensor(L, 2), opt_tensor(L, 3),
                                        l_checktensor(L, 4),
                                        l_checktensor(L, 5), opt_tensor(L, 6),
                                        &cfg);
    return l_result(L, s, seq, "simple_rnn", 7);
}

/* kernels.embedding(ids, table, name) */
static int l_embedding(lua_State *L)
{
    nn_tensor *y;
    nn_status s = nn_embedding_forward(&y, l_checktensor(L, 1),
                                       l_checktensor(L, 2),
                                       luaL_optstring(L, 3, "embedding"));
    return l_result(L, s, y, "embedding", 3);
}

/* kernels.embedding_mask(ids) -> ids != 0 */
static int l_embedding_mask(lua_State *L)
{
    nn_tensor *m;
    nn_status s = nn_embedding_mask(&m, l_checktensor(L, 1));
    return l_result(L, s, m, "embedding_mask", 1);
}

/* kernels.masking_mask(x, value, name) -> any(x != value, -1) */
static int l_masking_mask(lua_State *L)
{
    nn_tensor *m;
    nn_status s = nn_masking_mask(&m, l_checktensor(L, 1),
                                  (float)luaL_checknumber(L, 2),
                                  luaL_optstring(L, 3, "masking"));
    return l_result(L, s, m, "masking_mask", 3);
}

/* kernels.dropout_mask(shape, rate): 1 / (1 - rate) with probability
 * 1 - rate, else 0 (Keras's inverted dropout), from the global stream */
static int l_dropout_mask(lua_State *L)
{
    int ndim;
    int64_t shape[NN_MAXDIM];
    luaL_checktype(L, 1, LUA_TTABLE);
    l_checkshape(L, 1, &ndim, shape, "dropout", 0);
    double rate = luaL_checknumber(L, 2);
    if (!(rate >= 0.0 && rate < 1.0))
        return l_error(L, "dropout: rate must be in [0, 1), got %g", rate);
    nn_tensor *t;
    nn_status s = nn_rand(&t, ndim, shape, 0.0f, 1.0f);
    if (s != NN_OK)
        return l_raise(L, s);
    float keep = (float)(1.0 - rate);
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = t->data[i] < keep ? 1.0f / keep : 0.0f;
    l_pushtensor(L, t);
    return 1;
}

void l_nn_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"dense", l_dense},
        {"gru", l_gru},
        {"lstm", l_lstm},
        {"simple_rnn", l_simple_rnn},
        {"embedding", l_embedding},
        {"embedding_mask", l_embedding_mask},
        {"masking_mask", l_masking_mask},
        {"dropout_mask", l_dropout_mask},
        {"truncated_normal", l_truncated_normal},
        {NULL, NULL}
    };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "kernels");
}
