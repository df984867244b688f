/* repl.c - the interactive prompt and protected calls with Ctrl-C. */
#define _POSIX_C_SOURCE 200809L
#include "repl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <readline/history.h>
#include <readline/readline.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "core/error.h"

static lua_State *running_state;

/* A hook that raises "interrupted!" at the next Lua instruction. */
static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

/* Ctrl-C: C loops see the flag, Lua code sees the hook (as lua.c). */
static void on_sigint(int sig)
{
    (void)sig;
    if (nn_interrupt_deferred) {
        nn_interrupt_pending = 1;
        return;
    }
    nn_interrupt_flag = 1;
    if (running_state)
        lua_sethook(running_state, stop_hook,
                    LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int nn_repl_docall(lua_State *L, int narg, int nres)
{
    int base = lua_gettop(L) - narg;
    struct sigaction sa, old;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    nn_interrupt_flag = 0;
    running_state = L;
    int status = lua_pcall(L, narg, nres, base);
    running_state = NULL;
    sigaction(SIGINT, &old, NULL);
    nn_interrupt_flag = 0;
    lua_remove(L, base);
    return status;
}

void nn_repl_report(lua_State *L, const char *progname)
{
    const char *msg = lua_tostring(L, -1);
    if (progname)
        fprintf(stderr, "%s: ", progname);
    fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
    fflush(stderr);
    lua_pop(L, 1);
}

/* True when a syntax error says the chunk is merely unfinished. */
static int incomplete(lua_State *L, int status)
{
    if (status == LUA_ERRSYNTAX) {
        size_t len;
        const char *msg = lua_tolstring(L, -1, &len);
        const char *eof = "<eof>";
        size_t n = strlen(eof);
        if (len >= n && strcmp(msg + len - n, eof) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

/* Prints the values on the stack above base, tab-separated, via tostring. */
static void print_values(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    if (n <= 0)
        return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    lua_getglobal(L, "print");
    lua_insert(L, base + 1);
    if (lua_pcall(L, n, 0, 0) != LUA_OK)
        nn_repl_report(L, "attnlab");
}

/* Ctrl-C at the prompt: drop the line being typed, as IPython does,
 * instead of ending the session and losing every variable. */
static void prompt_sigint(int sig)
{
    (void)sig;
    if (write(STDOUT_FILENO, "\n", 1) < 0) {
        /* nothing useful to do */
    }
    rl_on_new_line();
    rl_replace_line("", 0);
    rl_redisplay();
}

void nn_repl_run(lua_State *L)
{
    char *line;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = prompt_sigint;
    sigemptyset(&sa.sa_mask);
    rl_catch_signals = 0;
    sigaction(SIGINT, &sa, NULL);
    printf("attnlab %s - Lua %s.%s with tensors and layers. "
           "Ctrl-D quits, Ctrl-C stops a computation.\n",
           PACKAGE_VERSION, LUA_VERSION_MAJOR, LUA_VERSION_MINOR);
    fflush(stdout);
    while ((line = readline("> ")) != NULL) {
        if (!*line) {
            free(line);
            continue;
        }
        int base = lua_gettop(L);
        lua_pushstring(L, line);
        add_history(line);
        free(line);
        /* first as `return <line>`, so expressions print their value */
        const char *code = lua_pushfstring(L, "return %s", lua_tostring(L, -1));
        int status = luaL_loadbuffer(L, code, strlen(code), "=stdin");
        if (status == LUA_OK) {
            lua_remove(L, -2); /* the "return" string */
            lua_remove(L, -2); /* the line */
        } else {
            lua_pop(L, 2);
            /* then as a statement, reading more lines while unfinished */
            for (;;) {
                size_t len;
                const char *chunk = lua_tolstring(L, -1, &len);
                status = luaL_loadbuffer(L, chunk, len, "=stdin");
                if (!incomplete(L, status))
                    break;
                char *more = readline(">> ");
                if (!more) {
                    status = -1;
                    break;
                }
                lua_pushliteral(L, "\n");
                lua_pushstring(L, more);
                free(more);
                lua_concat(L, 3);
            }
            if (status == -1) {
                lua_settop(L, base);
                break;
            }
            /* keep the whole chunk in history as one entry */
            lua_remove(L, -2);
        }
        if (status == LUA_OK)
            status = nn_repl_docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            print_values(L, base);
        else
            nn_repl_report(L, NULL);
        lua_settop(L, base);
    }
    printf("\n");
}
