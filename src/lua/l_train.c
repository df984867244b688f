/* l_train.c - core.train: losses and optimizer steps (being written). */
#include "bindings.h"
#include <lauxlib.h>
void l_train_register(lua_State *L)
{
    lua_newtable(L);
    lua_setfield(L, -2, "train");
}
