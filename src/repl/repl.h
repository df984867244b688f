/*
 * repl.h - running Lua code the way lua.c does: a traceback on error,
 * Ctrl-C that stops the running code, and the interactive prompt.
 */
#ifndef NN_REPL_H
#define NN_REPL_H

#include <lua.h>

/* Calls the function below narg arguments on the stack, with a traceback
 * message handler and Ctrl-C armed. Returns a lua status; on error the
 * message (with traceback) is on the stack. */
int nn_repl_docall(lua_State *L, int narg, int nres);

/* Prints the error message on top of the stack to stderr (prefixed with
 * progname) and pops it. */
void nn_repl_report(lua_State *L, const char *progname);

/* The prompt: read lines with readline, run them (an expression's values
 * are printed), until end of input. */
void nn_repl_run(lua_State *L);

#endif
