/* bindings.h - the modules the bindings open. */
#ifndef L_BINDINGS_H
#define L_BINDINGS_H

#include <lua.h>

int luaopen_attnlab_core(lua_State *L); /* tensor ops, autograd */
void l_nn_register(lua_State *L);       /* core.kernels: layer math */
void l_train_register(lua_State *L);    /* core.train: losses, optimizers */
void l_io_register(lua_State *L);       /* core.io: safetensors, .npy */
void l_viz_register(lua_State *L);      /* core.viz: heatmaps, plots */

#endif
