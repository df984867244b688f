/* l_io.c - core.io: safetensors and .npy files (being written). */
#include "bindings.h"
#include <lauxlib.h>
void l_io_register(lua_State *L)
{
    lua_newtable(L);
    lua_setfield(L, -2, "io");
}
