/*
 * l_train.c - core.train: the losses and the optimizer step of the C core,
 * for lua/attnlab/losses.lua and lua/attnlab/optimizers.lua. Glue only.
 */
#include "bindings.h"
#include "core/autograd.h"
#include "l_common.h"
#include "train/losses.h"
#include "train/optimizers.h"

#include <lauxlib.h>
#include <string.h>

/* train.loss(name, y_true, y_pred, from_logits, label_smoothing, reduction)
 * name: a Keras name or alias; reduction: "sum_over_batch_size" (or
 * "mean", the default), "sum" or "none" */
static int l_loss(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int kind = nn_loss_lookup(name);
    if (kind < 0)
        return l_error(L, "loss: unknown loss '%s'", name);
    nn_tensor *y_true = l_checktensor(L, 2), *y_pred = l_checktensor(L, 3);
    nn_loss_config cfg = {(nn_loss_kind)kind, lua_toboolean(L, 4),
                          (float)luaL_optnumber(L, 5, 0.0),
                          NN_REDUCTION_SUM_OVER_BATCH_SIZE};
    const char *red = luaL_optstring(L, 6, "sum_over_batch_size");
    if (strcmp(red, "sum") == 0)
        cfg.reduction = NN_REDUCTION_SUM;
    else if (strcmp(red, "none") == 0)
        cfg.reduction = NN_REDUCTION_NONE;
    else if (strcmp(red, "sum_over_batch_size") != 0 &&
             strcmp(red, "mean") != 0)
        return l_error(L, "%s: unknown reduction '%s'", name, red);
    nn_tensor *out;
    nn_status s = nn_loss(&out, &cfg, y_true, y_pred);
    return l_result(L, s, out, nn_loss_name(cfg.kind), 3);
}

static float num_field(lua_State *L, int idx, const char *key, float dflt)
{
    lua_getfield(L, idx, key);
    float v = lua_isnil(L, -1) ? dflt : (float)lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* The config from a table {kind=, learning_rate=, momentum=, nesterov=,
 * rho=, centered=, beta_1=, beta_2=, amsgrad=, epsilon=, weight_decay=,
 * grad_scale=, clipvalue=}; the Lua object has checked the values. */
static void read_config(lua_State *L, int idx, nn_optimizer_config *cfg)
{
    static const char *const kinds[] = {"sgd", "rmsprop", "adam", "adagrad",
                                        NULL};
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "kind");
    cfg->kind = (nn_optimizer_kind)luaL_checkoption(L, -1, NULL, kinds);
    lua_pop(L, 1);
    cfg->learning_rate = num_field(L, idx, "learning_rate", 0.001f);
    cfg->momentum = num_field(L, idx, "momentum", 0.0f);
    cfg->nesterov = l_optbool(L, idx, "nesterov", 0);
    cfg->rho = num_field(L, idx, "rho", 0.9f);
    cfg->centered = l_optbool(L, idx, "centered", 0);
    cfg->beta_1 = num_field(L, idx, "beta_1", 0.9f);
    cfg->beta_2 = num_field(L, idx, "beta_2", 0.999f);
    cfg->amsgrad = l_optbool(L, idx, "amsgrad", 0);
    cfg->epsilon = num_field(L, idx, "epsilon", 1e-7f);
    cfg->weight_decay = num_field(L, idx, "weight_decay", 0.0f);
    cfg->grad_scale = num_field(L, idx, "grad_scale", 1.0f);
    cfg->clipvalue = num_field(L, idx, "clipvalue", 0.0f);
}

/* train.step(config, iterations, w, g, s1, s2, s3, who): one optimizer
 * step of the leaf w, in place, with the state tensors of its slots (nil
 * for an unused slot; see nn_optimizer_states) */
static int l_step(lua_State *L)
{
    nn_optimizer_config cfg;
    read_config(L, 1, &cfg);
    int64_t iterations = l_checkint(L, 2, "optimizer", "iterations");
    const char *who = luaL_optstring(L, 8, "optimizer");
    nn_tensor *w = l_checktensor(L, 3), *g = l_checktensor(L, 4);
    if (w->symbolic)
        return l_error(L, "%s: a symbolic tensor %s has no values to update",
                       who, NN_SHAPE(w));
    if (w->node)
        return l_error(L, "%s: can only update a leaf tensor (a weight), not "
                       "the result of an op (%s)", who, w->node->op);
    if (g->symbolic || !nn_shape_equal(w->ndim, w->shape, g->ndim, g->shape))
        return l_error(L, "%s: the gradient has shape %s but the weight has "
                       "shape %s", who, NN_SHAPE(g), NN_SHAPE(w));
    nn_status s = nn_optimizer_check(&cfg, who);
    if (s != NN_OK)
        return l_raise(L, s);
    const char *names[3];
    int nslots = nn_optimizer_states(&cfg, names);
    float *states[3] = {NULL, NULL, NULL};
    for (int i = 0; i < nslots; i++) {
        if (!names[i])
            continue;
        nn_tensor *st = lua_isnoneornil(L, 5 + i) ? NULL
                                                  : l_checktensor(L, 5 + i);
        if (!st || st->symbolic || st->size != w->size)
            return l_error(L, "%s: missing or misshapen %s state for a "
                           "weight of shape %s", who, names[i], NN_SHAPE(w));
        states[i] = st->data;
    }
    nn_optimizer_step(&cfg, iterations, w->data, g->data, w->size, states);
    return 0;
}

/* train.state_names(config) -> names of the slots, false for unused */
static int l_state_names(lua_State *L)
{
    nn_optimizer_config cfg;
    read_config(L, 1, &cfg);
    const char *names[3];
    int n = nn_optimizer_states(&cfg, names);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        if (names[i])
            lua_pushstring(L, names[i]);
        else
            lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* train.sum_squares(g) -> sum(g^2) */
static int l_sum_squares(lua_State *L)
{
    nn_tensor *g = l_checktensor(L, 1);
    lua_pushnumber(L, g->symbolic ? 0.0 : nn_sum_squares(g->data, g->size));
    return 1;
}

/* train.clipnorm_scale(sum_squares, clipnorm) */
static int l_clipnorm_scale(lua_State *L)
{
    lua_pushnumber(L, nn_clipnorm_scale(luaL_checknumber(L, 1),
                                        (float)luaL_checknumber(L, 2)));
    return 1;
}

/* train.global_clipnorm_scale(total_sum_squares, clipnorm) */
static int l_global_clipnorm_scale(lua_State *L)
{
    lua_pushnumber(L, nn_global_clipnorm_scale(luaL_checknumber(L, 1),
                                               (float)luaL_checknumber(L, 2)));
    return 1;
}

void l_train_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"loss", l_loss},
        {"step", l_step},
        {"state_names", l_state_names},
        {"sum_squares", l_sum_squares},
        {"clipnorm_scale", l_clipnorm_scale},
        {"global_clipnorm_scale", l_global_clipnorm_scale},
        {NULL, NULL}
    };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "train");
}
