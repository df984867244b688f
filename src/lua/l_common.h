/*
 * l_common.h - glue shared by the binding files: tensor userdata, argument
 * checks, and errors that point at the learner's line.
 *
 * A tensor in Lua is a full userdata holding one reference to an nn_tensor
 * (the "box"), with metatable "attnlab.tensor" and one user value: for a
 * symbolic tensor, the table that records how it was made ({op=, args=} or
 * what a layer stores), replayed later by nn.Model.
 */
#ifndef L_COMMON_H
#define L_COMMON_H

#include <lauxlib.h>
#include <lua.h>

#include "core/tensor.h"

#define L_TENSOR "attnlab.tensor"
#define L_NONE "attnlab.None" /* registry key of the None sentinel */

/* Pushes a new userdata owning one reference to t (which may be NULL only
 * on error paths; then nothing is pushed and an error is raised). */
void l_pushtensor(lua_State *L, nn_tensor *t);

nn_tensor *l_checktensor(lua_State *L, int idx);
nn_tensor *l_testtensor(lua_State *L, int idx);

/* A tensor argument that may also be a number (made a 0-d tensor, which
 * replaces the number on the stack so the GC owns it). */
nn_tensor *l_checkoperand(lua_State *L, int idx);

/* Raises the core's last error, pointing at the learner's code. */
int l_raise(lua_State *L, nn_status s);

/* luaL_error whose position is the first frame outside attnlab's own Lua
 * library, so messages name the learner's script and line. */
int l_error(lua_State *L, const char *fmt, ...);

/* Pushes the result of an op: raises on error; for a symbolic result,
 * records {op=name, args={the nargs arguments}} as its user value. */
int l_result(lua_State *L, nn_status s, nn_tensor *out, const char *name,
             int nargs);

/* A shape from integers at idx.. (up to the first non-number) or from a
 * table at idx. Returns the number of stack slots used. None is allowed
 * (as NN_NONE) only when allow_none. */
int l_checkshape(lua_State *L, int idx, int *ndim, int64_t *shape,
                 const char *who, int allow_none);

/* An integer-valued number (axis, index, size). */
int64_t l_checkint(lua_State *L, int idx, const char *who, const char *what);

/* Pushes x.shape: a table {2, 64, 128} (None for unknown sizes) that
 * prints as (2, 64, 128). */
void l_pushshape(lua_State *L, int ndim, const int64_t *shape);

void l_pushnone(lua_State *L);
int l_isnone(lua_State *L, int idx);

/* Boolean option `key` of the table at idx (absent: dflt). */
int l_optbool(lua_State *L, int idx, const char *key, int dflt);

#endif
