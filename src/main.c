/*
 * main.c - the attnlab program: runs Lua scripts with the tensor, nn, viz
 * and data libraries loaded, and opens a prompt.
 *
 *   attnlab script.lua [args]   run a script (arg as lua gives it)
 *   attnlab -e 'chunk'          run a chunk
 *   attnlab -i script.lua       a prompt after the script
 *   attnlab                     a prompt (when standard input is not a
 *                               terminal, it is run as one script)
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "core/gemm.h"
#include "lua/bindings.h"
#include "repl/repl.h"

static const char *progname = "attnlab";

static void print_usage(FILE *f)
{
    fprintf(f,
            "usage: %s [options] [script [args]]\n"
            "Runs Lua 5.4 scripts with attnlab's tensor, nn, viz and data "
            "libraries.\n"
            "  -e chunk   run the string chunk\n"
            "  -i         open the prompt after running script or chunks\n"
            "  -v, --version  print the version and exit\n"
            "  -h, --help     print this help and exit\n"
            "  --         stop handling options\n"
            "With no script and no -e, attnlab opens the prompt; when standard "
            "input\nis not a terminal it runs it as one script instead.\n"
            "Environment: ATTNLAB_LUADIR overrides where the Lua library is "
            "found;\n"
            "ATTNLAB_MEMORY_LIMIT (bytes) caps the memory tensors may use;\n"
            "ATTNLAB_HISTORY is the prompt's history file (default "
            "~/.attnlab_history);\nNO_COLOR turns colour off.\n",
            progname);
}

/* The folder holding attnlab/init.lua: $ATTNLAB_LUADIR; the source tree
 * when this binary is the uninstalled one in the build tree; otherwise the
 * installed copy. */
static const char *lua_dir(void)
{
    const char *env = getenv("ATTNLAB_LUADIR");
    if (env && *env)
        return env;
    static char exe[PATH_MAX], build[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        if (realpath(ATTNLAB_BUILDDIR, build) && strcmp(exe, build) == 0)
            return ATTNLAB_SRC_LUADIR;
    }
    return ATTNLAB_LUADIR;
}

/* package.path = <luadir>/?.lua;<luadir>/?/init.lua;<the default> */
static void set_path(lua_State *L)
{
    const char *dir = lua_dir();
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", dir, dir,
                    lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 1);
    /* the C core, as require "attnlab.core" */
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_attnlab_core);
    lua_setfield(L, -2, "attnlab.core");
    lua_pop(L, 2);
}

/* arg: arg[0] the script, arg[1..] its arguments, negative indices for
 * what came before (as lua.c). */
static void create_arg_table(lua_State *L, char **argv, int argc, int script)
{
    int narg = argc - (script + 1);
    lua_createtable(L, narg, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int report(lua_State *L, int status)
{
    if (status != LUA_OK)
        nn_repl_report(L, progname);
    return status;
}

typedef struct {
    int argc;
    char **argv;
    int script;     /* index of the script in argv, or 0 */
    int interactive;
    int has_e;
    int version;
} options;

/* Returns 0 on success, -1 on a usage error, 1 for --help. */
static int parse_args(options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->argc = argc;
    o->argv = argv;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            o->script = i;
            return 0;
        }
        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc)
                o->script = i + 1;
            return 0;
        }
        if (strcmp(a, "-e") == 0) {
            if (++i >= argc) {
                fprintf(stderr, "%s: '-e' needs an argument\n", progname);
                return -1;
            }
            o->has_e = 1;
        } else if (strcmp(a, "-i") == 0) {
            o->interactive = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
            o->version = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            return 1;
        } else {
            fprintf(stderr, "%s: unrecognized option '%s'\n", progname, a);
            return -1;
        }
    }
    return 0;
}

static int run_chunks(lua_State *L, const options *o)
{
    int end = o->script ? o->script : o->argc;
    for (int i = 1; i < end; i++) {
        if (strcmp(o->argv[i], "-e") != 0)
            continue;
        const char *chunk = o->argv[++i];
        int status = luaL_loadbuffer(L, chunk, strlen(chunk), "=(command line)");
        nn_repl_explain(L, status, chunk, strlen(chunk), NULL);
        if (status == LUA_OK)
            status = nn_repl_docall(L, 0, 0);
        if (report(L, status) != LUA_OK)
            return 0;
    }
    return 1;
}

static int run_script(lua_State *L, const options *o)
{
    const char *fname = o->argv[o->script];
    if (strcmp(fname, "-") == 0)
        fname = NULL; /* stdin */
    int status = luaL_loadfile(L, fname);
    nn_repl_explain(L, status, NULL, 0, fname);
    if (status == LUA_OK) {
        int n = 0;
        for (int i = o->script + 1; i < o->argc; i++, n++)
            lua_pushstring(L, o->argv[i]);
        status = nn_repl_docall(L, n, 0);
    }
    return report(L, status) == LUA_OK;
}

/* Everything runs inside a protected call, so even a failure to load the
 * library is a message, not a crash. */
static int pmain(lua_State *L)
{
    const options *o = lua_touserdata(L, 1);
    luaL_openlibs(L);
    set_path(L);
    nn_repl_open(L);
    create_arg_table(L, o->argv, o->argc, o->script);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "attnlab");
    if (report(L, nn_repl_docall(L, 1, 0)) != LUA_OK)
        return 0;
    if (!run_chunks(L, o))
        return 0;
    if (o->script && !run_script(L, o))
        return 0;
    if ((o->interactive || (!o->script && !o->has_e)) && !nn_repl_run(L))
        return 0;
    lua_pushboolean(L, 1);
    return 1;
}

int main(int argc, char **argv)
{
    options o;
    int r = parse_args(&o, argc, argv);
    if (r != 0) {
        print_usage(r > 0 ? stdout : stderr);
        return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    if (o.version) {
        printf("attnlab %s (%s, matrix products: %s)\n", PACKAGE_VERSION,
               LUA_RELEASE, nn_gemm_backend());
        if (!o.script && !o.has_e && !o.interactive)
            return EXIT_SUCCESS;
    }
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "%s: cannot create the Lua state: not enough "
                "memory\n", progname);
        return EXIT_FAILURE;
    }
    lua_pushcfunction(L, pmain);
    lua_pushlightuserdata(L, &o);
    int status = lua_pcall(L, 1, 1, 0);
    int ok = status == LUA_OK && lua_toboolean(L, -1);
    if (status != LUA_OK)
        report(L, status);
    lua_close(L);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
