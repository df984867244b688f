/*
 * l_viz.c - core.viz: the drawing functions behind lua/attnlab/viz.lua.
 *
 *   core.viz.heatmap(path, panels, figure) -> infos | nil, message
 *       panels: a list of {data = 2-D tensor, title=, xlabel=, ylabel=,
 *       xlabels = {...}, ylabels = {...}, cmap=, vmin=, vmax=,
 *       colorbar = bool, colorbar_label=, annotate = bool, fmt=};
 *       figure: {width=, height=, scale=, title=, ncols=, shared = bool}.
 *       infos: one table per panel (where the cells and colorbar landed,
 *       the colour range used, the count of non-finite cells).
 *   core.viz.plot(path, series, figure) -> info | nil, message
 *   core.viz.animate(path, panels, figure) -> info | nil, message
 *       the panels as heatmap's, one per frame of an animated GIF; figure
 *       adds delay= (seconds a frame) and loop= (0: for ever).
 *   core.viz.colormap(name) -> a list of 256 {r, g, b} (0..255)
 *
 * Every info has texts: a list of {text=, x=, y=, w=, h=, angle=, size=,
 * lines=, stacked=, cut=, frame=}, the box of each text drawn (units, from
 * the image's top-left corner), so that tests can see where labels went.
 *
 * Wrong arguments raise errors at the caller's line; a file that cannot be
 * written returns nil and a message that starts with its path.
 */
#include "bindings.h"
#include "l_common.h"
#include "viz/animate.h"
#include "viz/colormap.h"
#include "viz/textlog.h"
#include "viz/heatmap.h"
#include "viz/plot.h"

#include <lauxlib.h>
#include <math.h>
#include <string.h>

static int fail(lua_State *L, nn_status s)
{
    if (s == NN_EARG)
        return l_raise(L, s);
    luaL_pushfail(L);
    lua_pushstring(L, nn_errmsg());
    return 2;
}

static void *scratch(lua_State *L, size_t n)
{
    void *p = lua_newuserdatauv(L, n ? n : 1, 0);
    memset(p, 0, n ? n : 1);
    return p;
}

/* A string field (NULL when absent); the string stays in the table. */
static const char *opt_string(lua_State *L, int t, const char *key,
                              const char *who)
{
    lua_getfield(L, t, key);
    const char *s = NULL;
    if (lua_type(L, -1) == LUA_TSTRING) {
        size_t len;
        s = lua_tolstring(L, -1, &len);
        if (strlen(s) != len)
            l_error(L, "%s: %s contains a zero byte", who, key);
    } else if (!lua_isnil(L, -1))
        l_error(L, "%s: %s must be a string, got %s", who, key,
                luaL_typename(L, -1));
    lua_pop(L, 1); /* the table keeps it alive */
    return s;
}

static double opt_number(lua_State *L, int t, const char *key, double dflt,
                         const char *who)
{
    lua_getfield(L, t, key);
    double v = dflt;
    if (lua_type(L, -1) == LUA_TNUMBER)
        v = lua_tonumber(L, -1);
    else if (!lua_isnil(L, -1))
        l_error(L, "%s: %s must be a number, got %s", who, key,
                luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

/* A list of n strings in field key (NULL when absent); they are anchored
 * in the table at index anchor. */
static const char **opt_labels(lua_State *L, int t, const char *key,
                               int64_t n, int anchor, const char *who)
{
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1))
        l_error(L, "%s: %s must be a list of strings, got %s", who, key,
                luaL_typename(L, -1));
    lua_Integer len = luaL_len(L, -1);
    if (len != n)
        l_error(L, "%s: %s has %lld labels but the matrix has %lld %s", who,
                key, (long long)len, (long long)n,
                key[0] == 'x' ? "columns" : "rows");
    int list = lua_gettop(L);
    const char **out = scratch(L, (size_t)n * sizeof *out);
    lua_rawseti(L, anchor, (lua_Integer)luaL_len(L, anchor) + 1);
    for (int64_t i = 0; i < n; i++) {
        lua_geti(L, list, (lua_Integer)i + 1);
        int ty = lua_type(L, -1);
        if (ty != LUA_TSTRING && ty != LUA_TNUMBER)
            l_error(L, "%s: %s[%lld] must be a string, got %s", who, key,
                    (long long)i + 1, luaL_typename(L, -1));
        size_t l;
        const char *s = lua_tolstring(L, -1, &l);
        if (strlen(s) != l)
            l_error(L, "%s: %s[%lld] contains a zero byte", who, key,
                    (long long)i + 1);
        out[i] = s;
        lua_rawseti(L, anchor, (lua_Integer)luaL_len(L, anchor) + 1);
    }
    lua_pop(L, 1);
    return out;
}

/* The columns to label (field key, a list of 0-based column numbers
 * below n), or NULL when absent; anchored in the table at index anchor. */
static const int64_t *opt_ticks(lua_State *L, int t, const char *key,
                                int64_t n, int anchor, int64_t *count,
                                const char *who)
{
    *count = 0;
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1))
        l_error(L, "%s: %s must be a list of column numbers, got %s", who,
                key, luaL_typename(L, -1));
    int list = lua_gettop(L);
    lua_Integer len = luaL_len(L, list);
    if (len < 0 || len > n)
        l_error(L, "%s: %s has %lld entries for %lld columns", who, key,
                (long long)len, (long long)n);
    int64_t *out = scratch(L, (size_t)len * sizeof *out);
    lua_rawseti(L, anchor, (lua_Integer)luaL_len(L, anchor) + 1);
    for (lua_Integer i = 1; i <= len; i++) {
        lua_geti(L, list, i);
        int isint;
        lua_Integer j = lua_tointegerx(L, -1, &isint);
        if (!isint || j < 0 || j >= n)
            l_error(L, "%s: %s[%lld] must be a column number from 0 to %lld",
                    who, key, (long long)i, (long long)n - 1);
        out[i - 1] = (int64_t)j;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    *count = (int64_t)len;
    return out;
}

static void read_figure(lua_State *L, int idx, nn_figure *fig, const char *who)
{
    memset(fig, 0, sizeof *fig);
    if (lua_isnoneornil(L, idx))
        return;
    luaL_checktype(L, idx, LUA_TTABLE);
    fig->width = opt_number(L, idx, "width", 0, who);
    fig->height = opt_number(L, idx, "height", 0, who);
    fig->scale = opt_number(L, idx, "scale", 0, who);
    if (!(fig->width >= 0 && fig->height >= 0 && fig->scale >= 0))
        l_error(L, "%s: width, height and scale must be positive numbers", who);
    fig->title = opt_string(L, idx, "title", who);
    double nc = opt_number(L, idx, "ncols", 0, who);
    fig->ncols = nc >= 1 && nc <= 1000 ? (int)nc : 0;
    fig->shared_scale = l_optbool(L, idx, "shared", 0);
}

static void push_info(lua_State *L, const nn_heatmap_info *in)
{
    lua_createtable(L, 0, 16);
#define F(name, v) (lua_pushnumber(L, (v)), lua_setfield(L, -2, name))
    F("width", in->width);
    F("height", in->height);
    F("plot_x", in->plot_x);
    F("plot_y", in->plot_y);
    F("cell_w", in->cell_w);
    F("cell_h", in->cell_h);
    F("cbar_x", in->cbar_x);
    F("cbar_y", in->cbar_y);
    F("cbar_w", in->cbar_w);
    F("cbar_h", in->cbar_h);
    F("vmin", in->vmin);
    F("vmax", in->vmax);
    F("xstep", in->xstep);
    F("ystep", in->ystep);
#undef F
    lua_pushinteger(L, (lua_Integer)in->nonfinite);
    lua_setfield(L, -2, "nonfinite");
    lua_pushboolean(L, in->xrotated);
    lua_setfield(L, -2, "xrotated");
}

/* The text log as a Lua list (on the stack); frees the log. */
static void push_texts(lua_State *L, nn_text_log *log)
{
    lua_createtable(L, (int)log->n, 0);
    for (size_t i = 0; i < log->n; i++) {
        const nn_text_box *b = &log->box[i];
        lua_createtable(L, 0, 11);
        lua_pushstring(L, b->text);
        lua_setfield(L, -2, "text");
#define F(name, v) (lua_pushnumber(L, (v)), lua_setfield(L, -2, name))
        F("x", b->x);
        F("y", b->y);
        F("w", b->w);
        F("h", b->h);
        F("angle", b->angle);
        F("size", b->size);
#undef F
        lua_pushinteger(L, b->lines);
        lua_setfield(L, -2, "lines");
        lua_pushinteger(L, b->frame + 1);
        lua_setfield(L, -2, "frame");
        lua_pushboolean(L, b->stacked);
        lua_setfield(L, -2, "stacked");
        lua_pushboolean(L, b->cut);
        lua_setfield(L, -2, "cut");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* A text log that is freed with the Lua value at the top of the stack
 * (so an error while converting leaks nothing). */
static int log_gc(lua_State *L)
{
    nn_text_log *log = lua_touserdata(L, 1);
    nn_text_log_free(log);
    return 0;
}

static nn_text_log *new_log(lua_State *L)
{
    nn_text_log *log = lua_newuserdatauv(L, sizeof *log, 0);
    memset(log, 0, sizeof *log);
    if (luaL_newmetatable(L, "attnlab.textlog")) {
        lua_pushcfunction(L, log_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return log;
}

/* Reads the list of panels at index 2 into scratch memory anchored in the
 * table at index 4; returns how many. */
static nn_heatmap *read_panels(lua_State *L, lua_Integer *count,
                               const char *who, const char *what)
{
    lua_Integer n = luaL_len(L, 2);
    if (n < 1 || n > 1000)
        l_error(L, "%s: from 1 to 1000 %s, got %lld", who, what, (long long)n);
    nn_heatmap *hs = scratch(L, (size_t)n * sizeof *hs);
    lua_rawseti(L, 4, 1);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, 2, k);
        int t = lua_gettop(L);
        if (!lua_istable(L, t))
            l_error(L, "%s: panel %lld must be a table", who, (long long)k);
        nn_heatmap *h = &hs[k - 1];
        lua_getfield(L, t, "data");
        nn_tensor *x = l_testtensor(L, -1);
        if (!x || x->symbolic || x->ndim != 2)
            l_error(L, "%s: the data must be a 2-D tensor", who);
        lua_rawseti(L, 4, (lua_Integer)luaL_len(L, 4) + 1);
        h->data = x->data;
        h->rows = x->shape[0];
        h->cols = x->shape[1];
        h->title = opt_string(L, t, "title", who);
        h->xlabel = opt_string(L, t, "xlabel", who);
        h->ylabel = opt_string(L, t, "ylabel", who);
        h->colorbar_label = opt_string(L, t, "colorbar_label", who);
        h->cmap = opt_string(L, t, "cmap", who);
        h->fmt = opt_string(L, t, "fmt", who);
        h->vmin = opt_number(L, t, "vmin", NAN, who);
        h->vmax = opt_number(L, t, "vmax", NAN, who);
        h->annotate = l_optbool(L, t, "annotate", 0);
        h->no_colorbar = !l_optbool(L, t, "colorbar", 1);
        h->xlabels = opt_labels(L, t, "xlabels", h->cols, 4, who);
        h->ylabels = opt_labels(L, t, "ylabels", h->rows, 4, who);
        h->xticks = opt_ticks(L, t, "xticks", h->cols, 4, &h->nxticks, who);
        lua_pop(L, 1);
    }
    *count = n;
    return hs;
}

static const char *who_of(lua_State *L, const char *dflt)
{
    const char *who = dflt;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "who");
        if (lua_type(L, -1) == LUA_TSTRING)
            who = lua_tostring(L, -1); /* the figure table keeps it */
        lua_pop(L, 1);
    }
    return who;
}

static int l_heatmap(lua_State *L)
{
    lua_settop(L, 3);
    const char *who = who_of(L, "viz.heatmap");
    size_t plen;
    const char *path = luaL_checklstring(L, 1, &plen);
    if (strlen(path) != plen)
        return l_error(L, "%s: the path contains a zero byte", who);
    luaL_checktype(L, 2, LUA_TTABLE);
    nn_figure fig;
    read_figure(L, 3, &fig, who);
    lua_newtable(L); /* index 4: anchors */
    lua_Integer n;
    nn_heatmap *hs = read_panels(L, &n, who, "heatmaps");
    nn_heatmap_info *info = scratch(L, (size_t)n * sizeof *info);
    fig.texts = new_log(L);
    nn_status s = nn_heatmap_grid_save(path, (size_t)n, hs, &fig, info, who);
    if (s != NN_OK)
        return fail(L, s);
    lua_createtable(L, (int)n, 1);
    for (lua_Integer k = 1; k <= n; k++) {
        push_info(L, &info[k - 1]);
        lua_rawseti(L, -2, k);
    }
    push_texts(L, fig.texts);
    lua_setfield(L, -2, "texts");
    return 1;
}

static int l_animate(lua_State *L)
{
    lua_settop(L, 3);
    const char *who = who_of(L, "viz.animate");
    size_t plen;
    const char *path = luaL_checklstring(L, 1, &plen);
    if (strlen(path) != plen)
        return l_error(L, "%s: the path contains a zero byte", who);
    luaL_checktype(L, 2, LUA_TTABLE);
    nn_figure fig;
    read_figure(L, 3, &fig, who);
    nn_animation anim = {0};
    if (lua_istable(L, 3)) {
        anim.delay = opt_number(L, 3, "delay", 0, who);
        double loop = opt_number(L, 3, "loop", 0, who);
        anim.loop = loop >= -1 && loop <= 70000 ? (int)loop : -1;
    }
    lua_newtable(L); /* index 4: anchors */
    lua_Integer n;
    nn_heatmap *hs = read_panels(L, &n, who, "frames");
    fig.texts = new_log(L);
    nn_animation_info info;
    nn_status s = nn_heatmap_animate_save(path, (size_t)n, hs, &fig, &anim,
                                          &info, who);
    if (s != NN_OK)
        return fail(L, s);
    lua_createtable(L, 0, 8);
#define F(name, v) (lua_pushnumber(L, (v)), lua_setfield(L, -2, name))
    F("width", info.width);
    F("height", info.height);
    F("vmin", info.vmin);
    F("vmax", info.vmax);
#undef F
    lua_pushinteger(L, (lua_Integer)info.frames);
    lua_setfield(L, -2, "frames");
    lua_pushinteger(L, (lua_Integer)info.bytes);
    lua_setfield(L, -2, "bytes");
    lua_pushinteger(L, (lua_Integer)info.nonfinite);
    lua_setfield(L, -2, "nonfinite");
    push_texts(L, fig.texts);
    lua_setfield(L, -2, "texts");
    return 1;
}

static int l_colormap(lua_State *L)
{
    const char *name = luaL_optstring(L, 1, NULL);
    nn_cmap c;
    nn_status s = nn_cmap_find(&c, name, "viz");
    if (s != NN_OK)
        return l_raise(L, s);
    lua_createtable(L, NN_COLORMAP_N, 1);
    for (int i = 0; i < NN_COLORMAP_N; i++) {
        double rgb[3];
        nn_cmap_entry(&c, i, rgb);
        lua_createtable(L, 3, 0);
        for (int k = 0; k < 3; k++) {
            lua_pushinteger(L, (lua_Integer)lround(rgb[k] * 255));
            lua_rawseti(L, -2, k + 1);
        }
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushboolean(L, nn_cmap_diverging(&c));
    lua_setfield(L, -2, "diverging");
    return 1;
}

/* core.viz.plot(path, series, figure): series is a list of
 * {name=, values = {...} (NaN for gaps), dashed = bool}; figure adds
 * xlabel, ylabel, title, width, height, scale, x0 (the first x, 1). */
static int l_plot(lua_State *L)
{
    const char *who = "viz.plot";
    lua_settop(L, 3);
    size_t plen;
    const char *path = luaL_checklstring(L, 1, &plen);
    if (strlen(path) != plen)
        return l_error(L, "%s: the path contains a zero byte", who);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    nn_figure fig;
    read_figure(L, 3, &fig, who);
    nn_plot pl;
    memset(&pl, 0, sizeof pl);
    pl.title = fig.title;
    pl.xlabel = opt_string(L, 3, "xlabel", who);
    pl.ylabel = opt_string(L, 3, "ylabel", who);
    pl.x0 = opt_number(L, 3, "x0", 1, who);
    lua_Integer n = luaL_len(L, 2);
    if (n < 1 || n > 64)
        return l_error(L, "%s: from 1 to 64 series, got %lld", who,
                       (long long)n);
    lua_newtable(L); /* index 4: anchors */
    nn_series *ss = scratch(L, (size_t)n * sizeof *ss);
    lua_rawseti(L, 4, 1);
    for (lua_Integer k = 1; k <= n; k++) {
        lua_geti(L, 2, k);
        int t = lua_gettop(L);
        luaL_checktype(L, t, LUA_TTABLE);
        nn_series *se = &ss[k - 1];
        se->name = opt_string(L, t, "name", who);
        se->dashed = l_optbool(L, t, "dashed", 0);
        se->colour = (int)opt_number(L, t, "colour", (double)(k - 1), who);
        lua_getfield(L, t, "values");
        luaL_checktype(L, -1, LUA_TTABLE);
        lua_Integer m = luaL_len(L, -1);
        if (m < 1 || m > 10000000)
            return l_error(L, "%s: series '%s' has no values", who,
                           se->name ? se->name : "?");
        double *v = scratch(L, (size_t)m * sizeof *v);
        lua_rawseti(L, 4, (lua_Integer)luaL_len(L, 4) + 1);
        for (lua_Integer i = 1; i <= m; i++) {
            lua_geti(L, -1, i);
            v[i - 1] = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1)
                                                       : NAN;
            lua_pop(L, 1);
        }
        se->values = v;
        se->n = (size_t)m;
        lua_pop(L, 2);
    }
    pl.series = ss;
    pl.nseries = (size_t)n;
    nn_plot_info info;
    fig.texts = new_log(L);
    nn_status s = nn_plot_save(path, &pl, &fig, &info, who);
    if (s != NN_OK)
        return fail(L, s);
    lua_createtable(L, 0, 6);
    push_texts(L, fig.texts);
    lua_setfield(L, -2, "texts");
    lua_pushnumber(L, info.width);
    lua_setfield(L, -2, "width");
    lua_pushnumber(L, info.height);
    lua_setfield(L, -2, "height");
    lua_pushinteger(L, (lua_Integer)info.nonfinite);
    lua_setfield(L, -2, "nonfinite");
    return 1;
}

void l_viz_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"heatmap", l_heatmap},
        {"plot", l_plot},
        {"animate", l_animate},
        {"colormap", l_colormap},
        {NULL, NULL}
    };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "viz");
}
