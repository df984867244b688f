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

/* The folder that holds the running program, without a trailing slash:
 * /proc/self/exe, else argv[0] (a path, or a name looked up in $PATH),
 * with symbolic links resolved. Fills dir (PATH_MAX bytes); returns 0 when
 * it cannot tell. */
static int exe_dir(const char *argv0, char *dir)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int found = 0;
    if (n > 0) {
        exe[n] = '\0';
        found = 1;
    } else if (argv0 && strchr(argv0, '/')) {
        found = realpath(argv0, exe) != NULL;
    } else if (argv0 && *argv0) {
        const char *path = getenv("PATH");
        while (path && !found) {
            const char *colon = strchr(path, ':');
            size_t len = colon ? (size_t)(colon - path) : strlen(path);
            char cand[PATH_MAX];
            int w = snprintf(cand, sizeof cand, "%.*s/%s", (int)len, path,
                             argv0);
            if (len == 0) /* an empty entry is the current folder */
                w = snprintf(cand, sizeof cand, "./%s", argv0);
            if (w > 0 && (size_t)w < sizeof cand && access(cand, X_OK) == 0)
                found = realpath(cand, exe) != NULL;
            path = colon ? colon + 1 : NULL;
        }
    }
    if (!found)
        return 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    if (slash == exe)
        slash++; /* the program is in / */
    *slash = '\0';
    memcpy(dir, exe, (size_t)(slash - exe) + 1);
    return 1;
}

/* room for a folder's path and the names lua_dir adds to it */
#define LUADIR_MAX (PATH_MAX + 32)

/* 1 when dir holds attnlab/init.lua. */
static int holds_library(const char *dir)
{
    char init[LUADIR_MAX];
    int w = snprintf(init, sizeof init, "%s/attnlab/init.lua", dir);
    return w > 0 && (size_t)w < sizeof init && access(init, R_OK) == 0;
}

/* 1 when the folders a and b are the same one (a, resolved; b, as built in). */
static int same_dir(const char *a, const char *b)
{
    char rb[PATH_MAX];
    return realpath(b, rb) != NULL && strcmp(a, rb) == 0;
}

/* The folder holding attnlab/init.lua (and lessons/ beside attnlab/):
 *   1. $ATTNLAB_LUADIR, when set: there or nowhere;
 *   2. <exe dir>/lua: the program in its source tree, wherever that tree
 *      was built or copied;
 *   3. the source tree's lua/ when the program is the one in its build
 *      folder (a build outside the source tree, as make distcheck's);
 *   4. $(pkgdatadir)/lua when the program is in the $(bindir) it was
 *      configured for;
 *   5. <exe dir>/../share/attnlab/lua: an installed tree moved elsewhere
 *      (make install DESTDIR=..., a copied prefix).
 * Fills dir (LUADIR_MAX bytes). On failure, returns 0 and writes to err the
 * message naming every place it looked. */
static int lua_dir(const char *argv0, char *dir, char *err, size_t errsize)
{
    const char *env = getenv("ATTNLAB_LUADIR");
    if (env && *env) {
        if (strlen(env) < PATH_MAX && holds_library(env)) {
            strcpy(dir, env);
            return 1;
        }
        snprintf(err, errsize, "cannot find the Lua library: ATTNLAB_LUADIR "
                 "is '%s', which holds no attnlab/init.lua\n(set "
                 "ATTNLAB_LUADIR to the folder that holds attnlab/init.lua, "
                 "or unset it)", env);
        return 0;
    }
    char exe[PATH_MAX];
    char tried[4][LUADIR_MAX];
    int ntried = 0;
    int known = exe_dir(argv0, exe);
    if (known) {
        const char *sep = strcmp(exe, "/") == 0 ? "" : "/";
        snprintf(tried[ntried++], LUADIR_MAX, "%s%slua", exe, sep);
        if (same_dir(exe, ATTNLAB_BUILDDIR))
            snprintf(tried[ntried++], LUADIR_MAX, "%s", ATTNLAB_SRC_LUADIR);
        if (same_dir(exe, ATTNLAB_BINDIR))
            snprintf(tried[ntried++], LUADIR_MAX, "%s", ATTNLAB_PKG_LUADIR);
        snprintf(tried[ntried++], LUADIR_MAX, "%s%s../share/attnlab/lua", exe,
                 sep);
    } else {
        snprintf(tried[ntried++], LUADIR_MAX, "%s", ATTNLAB_PKG_LUADIR);
    }
    for (int i = 0; i < ntried; i++) {
        if (holds_library(tried[i])) {
            /* without the .. of <exe dir>/../share, for messages */
            if (!realpath(tried[i], dir))
                strcpy(dir, tried[i]);
            return 1;
        }
    }
    size_t used = (size_t)snprintf(err, errsize, "cannot find the Lua "
                                   "library (attnlab/init.lua); looked in:");
    for (int i = 0; i < ntried && used < errsize; i++)
        used += (size_t)snprintf(err + used, errsize - used, "\n  %s",
                                 tried[i]);
    if (!known && used < errsize)
        used += (size_t)snprintf(err + used, errsize - used, "\n(the "
                                 "program's own folder is unknown: no "
                                 "/proc/self/exe, and argv[0] '%s' could not "
                                 "be resolved)", argv0 ? argv0 : "");
    if (used < errsize)
        snprintf(err + used, errsize - used, "\n(keep the lua folder next to "
                 "the program, run make install, or set ATTNLAB_LUADIR to the "
                 "folder that holds attnlab/init.lua)");
    return 0;
}

/* package.path = <luadir>/?.lua;<luadir>/?/init.lua;<the default> */
static void set_path(lua_State *L, const char *dir)
{
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
    const char *luadir; /* where attnlab/init.lua is */
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
    set_path(L, o->luadir);
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
    char luadir[LUADIR_MAX], err[8 * LUADIR_MAX];
    if (!lua_dir(argv[0], luadir, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", progname, err);
        return EXIT_FAILURE;
    }
    o.luadir = luadir;
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
