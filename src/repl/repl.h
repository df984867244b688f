/*
 * repl.h - running Lua code the way lua.c does: a traceback on error,
 * Ctrl-C that stops the running code, and the interactive prompt.
 */
#ifndef NN_REPL_H
#define NN_REPL_H

#include <stddef.h>

#include <lua.h>

/* Calls the function below narg arguments on the stack, with a traceback
 * message handler and Ctrl-C armed (a second Ctrl-C within a second, when
 * the first stopped nothing, ends the program). Returns a lua status; on
 * error the message (with traceback) is on the stack. */
int nn_repl_docall(lua_State *L, int narg, int nres);

/* Prints the error message on top of the stack to stderr (prefixed with
 * progname) and pops it. */
void nn_repl_report(lua_State *L, const char *progname);

/* After a failed load (status): when it is a syntax error, the message on
 * top of the stack gets the hint of attnlab.hints for the Python habit
 * that caused it (keyword arguments: "Lua has no keyword arguments:
 * write ..."), built from the chunk's text, code (len bytes), or, when
 * code is NULL, from the file fname (NULL: no text, a generic hint).
 * Leaves any other message as it is. */
void nn_repl_explain(lua_State *L, int status, const char *code, size_t len,
                     const char *fname);

/* Registers the small C helpers of the prompt's Lua side as
 * package.preload["attnlab.repl_c"] (package must be loaded). */
void nn_repl_open(lua_State *L);

/* The prompt. When standard input is a terminal: GNU Readline with
 * history, completion, pretty-printed results and `:` commands (see
 * lua/attnlab/repl.lua). Otherwise standard input is read whole and run as
 * one script. Returns 1 on success, 0 when the script failed. */
int nn_repl_run(lua_State *L);

#endif
