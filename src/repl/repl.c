/* repl.c - the interactive prompt and protected calls with Ctrl-C.
 *
 * The C side reads lines (GNU Readline), keeps the history file, glues
 * continuation lines into chunks, runs them and handles Ctrl-C. Everything
 * that is about Lua values - completion candidates, pretty printing, the
 * `:` commands, help and lessons - is in lua/attnlab/repl.lua, reached
 * through the functions of the table it returns. */
#define _POSIX_C_SOURCE 200809L
#include "repl.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <readline/history.h>
#include <readline/readline.h>

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "core/error.h"

#define PROMPT "attnlab> "
#define PROMPT_MORE "...> "
#define HISTORY_SIZE 1000

static lua_State *running_state;
static int prompt_interrupted; /* Ctrl-C pressed while readline reads */
static struct timespec last_sigint; /* the Ctrl-C before, while running */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A hook that raises "interrupted!" at the next Lua instruction. */
static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void say(const char *s)
{
    if (write(STDERR_FILENO, s, strlen(s)) < 0) {
        /* nothing useful to do in a signal handler */
    }
}

/* Ctrl-C: C loops see the flag, Lua code sees the hook (as lua.c). A
 * second Ctrl-C within a second means the first stopped nothing (a C call
 * that does not poll, a training batch that does not end): quit. The
 * history is already on disk, so nothing typed is lost. */
static void on_sigint(int sig)
{
    (void)sig;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (last_sigint.tv_sec != 0 || last_sigint.tv_nsec != 0) {
        long long ms = (long long)(now.tv_sec - last_sigint.tv_sec) * 1000
                       + (now.tv_nsec - last_sigint.tv_nsec) / 1000000;
        if (ms < 50)
            return; /* the same Ctrl-C delivered twice (to the process and
                       its group); no one presses twice in 50 ms */
        if (ms < 1000) {
            say("\nattnlab: Ctrl-C twice and nothing stopped: quitting\n");
            _exit(130);
        }
    }
    last_sigint = now;
    if (nn_interrupt_deferred && !nn_interrupt_pending) {
        nn_interrupt_pending = 1; /* fit stops after the batch */
        return;
    }
    /* not deferred, or a deferred Ctrl-C is still waiting (a callback or a
     * Lambda that never returns): stop the running code now */
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
    last_sigint.tv_sec = 0;
    last_sigint.tv_nsec = 0;
    nn_interrupt_flag = 0;
    nn_interrupt_deferred = 0;
    nn_interrupt_pending = 0;
    running_state = L;
    sigaction(SIGINT, &sa, &old);
    int status = lua_pcall(L, narg, nres, base);
    sigaction(SIGINT, &old, NULL);
    running_state = NULL;
    nn_interrupt_flag = 0;
    nn_interrupt_deferred = 0; /* even if fit never got to reset it */
    nn_interrupt_pending = 0;
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

void nn_repl_explain(lua_State *L, int status, const char *code, size_t len,
                     const char *fname)
{
    if (status != LUA_ERRSYNTAX || lua_type(L, -1) != LUA_TSTRING)
        return;
    int top = lua_gettop(L);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "attnlab.hints");
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
        lua_getfield(L, -1, "syntax_error");
        lua_pushvalue(L, top);
        if (code)
            lua_pushlstring(L, code, len);
        else
            lua_pushnil(L);
        if (fname)
            lua_pushstring(L, fname);
        else
            lua_pushnil(L);
        if (lua_pcall(L, 3, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
            lua_replace(L, top);
    }
    lua_settop(L, top);
}

/* ---- the C helpers of lua/attnlab/repl.lua ------------------------------ */

/* listdir(path) -> { {name, is_dir}, ... } or nil, message */
static int c_listdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(*path ? path : ".");
    if (!d) {
        lua_pushnil(L);
        lua_pushstring(L, strerror(errno));
        return 2;
    }
    lua_newtable(L);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        lua_createtable(L, 2, 0);
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, 1);
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, *path ? path : ".");
        luaL_addchar(&b, '/');
        luaL_addstring(&b, e->d_name);
        luaL_pushresult(&b);
        struct stat st;
        lua_pushboolean(L, stat(lua_tostring(L, -1), &st) == 0
                               && S_ISDIR(st.st_mode));
        lua_remove(L, -2);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    return 1;
}

static int c_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
    return 1;
}

static int c_now(lua_State *L)
{
    lua_pushnumber(L, now_seconds());
    return 1;
}

/* readline(prompt) -> the line, or nil at end of input (lessons wait for
 * Enter with it). Without a terminal, a plain read. */
static int c_readline(lua_State *L)
{
    const char *prompt = luaL_optstring(L, 1, "");
    if (isatty(STDIN_FILENO)) {
        prompt_interrupted = 0;
        char *line = readline(prompt);
        if (!line || prompt_interrupted) {
            prompt_interrupted = 0;
            free(line);
            return 0;
        }
        lua_pushstring(L, line);
        free(line);
        return 1;
    }
    fputs(prompt, stdout);
    fflush(stdout);
    char buf[4096];
    if (!fgets(buf, sizeof buf, stdin))
        return 0;
    buf[strcspn(buf, "\n")] = '\0';
    lua_pushstring(L, buf);
    return 1;
}

static int luaopen_repl_c(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"listdir", c_listdir}, {"isatty", c_isatty}, {"now", c_now},
        {"readline", c_readline}, {NULL, NULL}
    };
    luaL_newlib(L, funcs);
    return 1;
}

void nn_repl_open(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_repl_c);
    lua_setfield(L, -2, "attnlab.repl_c");
    lua_pop(L, 2);
}

/* ---- standard input that is not a terminal: one script ----------------- */

static int run_stdin_script(lua_State *L)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        luaL_addlstring(&b, buf, n);
    luaL_pushresult(&b);
    size_t len;
    const char *code = lua_tolstring(L, -1, &len);
    if (len > 0 && code[0] == '#') { /* a #! line */
        while (len > 0 && *code != '\n') {
            code++;
            len--;
        }
    }
    int status = luaL_loadbuffer(L, code, len, "=stdin");
    nn_repl_explain(L, status, code, len, NULL);
    lua_remove(L, -2);
    if (status == LUA_OK)
        status = nn_repl_docall(L, 0, 0);
    if (status != LUA_OK) {
        nn_repl_report(L, "attnlab");
        return 0;
    }
    return 1;
}

/* ---- the interactive prompt -------------------------------------------- */

static lua_State *prompt_state;
static int repl_ref = LUA_NOREF; /* the table of lua/attnlab/repl.lua */
static char *history_path;

/* Pushes R[name] and returns 1 if it is a function; pushes nothing and
 * returns 0 otherwise. */
static int push_repl_fn(lua_State *L, const char *name)
{
    if (repl_ref == LUA_NOREF)
        return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, repl_ref);
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    if (lua_isfunction(L, -1))
        return 1;
    lua_pop(L, 1);
    return 0;
}

/* Ctrl-C while typing: readline leaves the terminal's interrupt key off
 * (see prep_terminal), so Ctrl-C arrives as a key: the line (or the whole
 * unfinished chunk) is dropped, as in IPython, and nothing else. */
static int on_ctrl_c_key(int count, int key)
{
    (void)count;
    (void)key;
    rl_end_of_line(1, 0);
    rl_redisplay();
    fputs("^C\n", rl_outstream ? rl_outstream : stdout);
    fflush(rl_outstream ? rl_outstream : stdout);
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    prompt_interrupted = 1;
    rl_done = 1;
    return 0;
}

static void prep_terminal(int meta_flag)
{
    rl_prep_terminal(meta_flag);
    int fd = fileno(rl_instream ? rl_instream : stdin);
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        t.c_cc[VINTR] = _POSIX_VDISABLE;
        tcsetattr(fd, TCSADRAIN, &t);
    }
}

/* SIGINT at the prompt from elsewhere (kill -INT): ignored, not fatal. */
static void prompt_sigint(int sig)
{
    (void)sig;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Completion: R.complete(line_before_cursor, word) returns the
 * candidates that replace `word`, and "file" when they are file names.
 * Inside a string the word is all of its text (readline knows the quotes:
 * rl_completer_quote_characters); for file names readline shows the last
 * part of each path, ends a folder with "/" and leaves the string open,
 * and closes the string after a file. */
static char **attempt_completion(const char *text, int start, int end)
{
    (void)start;
    lua_State *L = prompt_state;
    rl_attempted_completion_over = 1;
    rl_completion_suppress_append = 1;
    if (!L)
        return NULL;
    int top = lua_gettop(L);
    if (!push_repl_fn(L, "complete"))
        return NULL;
    lua_pushlstring(L, rl_line_buffer, (size_t)end);
    lua_pushstring(L, text);
    if (lua_pcall(L, 2, 2, 0) != LUA_OK || !lua_istable(L, -2)) {
        lua_settop(L, top);
        return NULL;
    }
    const char *kind = lua_tostring(L, -1);
    if (kind && strcmp(kind, "file") == 0) {
        rl_filename_completion_desired = 1; /* a folder gets "/", no quote */
        rl_filename_quoting_desired = 0;    /* the text stays as typed */
    }
    lua_pop(L, 1);
    lua_Integer n = luaL_len(L, -1);
    if (n <= 0 || n > 100000) {
        lua_settop(L, top);
        return NULL;
    }
    char **matches = calloc((size_t)n + 2, sizeof *matches);
    if (!matches) {
        lua_settop(L, top);
        return NULL;
    }
    size_t k = 1;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *s = lua_tostring(L, -1);
        if (s && lua_type(L, -1) == LUA_TSTRING) {
            char *d = dup_string(s);
            if (d)
                matches[k++] = d;
        }
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    if (k == 1) {
        free(matches);
        return NULL;
    }
    if (k == 2) { /* one match: it is the replacement */
        matches[0] = matches[1];
        matches[1] = NULL;
        return matches;
    }
    /* several: the common prefix first */
    size_t lcp = strlen(matches[1]);
    for (size_t i = 2; i < k; i++) {
        size_t j = 0;
        while (j < lcp && matches[i][j] == matches[1][j])
            j++;
        lcp = j;
    }
    matches[0] = malloc(lcp + 1);
    if (!matches[0]) {
        for (size_t i = 1; i < k; i++)
            free(matches[i]);
        free(matches);
        return NULL;
    }
    memcpy(matches[0], matches[1], lcp);
    matches[0][lcp] = '\0';
    return matches;
}

static void setup_history(void)
{
    const char *env = getenv("ATTNLAB_HISTORY");
    if (env && *env) {
        history_path = dup_string(env);
    } else {
        const char *home = getenv("HOME");
        if (home && *home) {
            size_t n = strlen(home) + sizeof "/.attnlab_history";
            history_path = malloc(n);
            if (history_path)
                snprintf(history_path, n, "%s/.attnlab_history", home);
        }
    }
    history_write_timestamps = 1;  /* entries are told apart by their */
    history_multiline_entries = 1; /* time stamps: chunks stay whole */
    using_history();
    if (history_path)
        read_history(history_path); /* a missing file is no error */
    stifle_history(HISTORY_SIZE);
}

/* Adds an entry, unless it repeats the last one, and saves the history at
 * once, so even a session that is killed keeps what was typed. */
static void remember(const char *entry)
{
    HIST_ENTRY *last = history_length > 0
                           ? history_get(history_base + history_length - 1)
                           : NULL;
    if (last && last->line && strcmp(last->line, entry) == 0)
        return;
    add_history(entry);
    if (history_path)
        write_history(history_path);
}

/* A growable string: the chunk being typed. */
typedef struct {
    char *s;
    size_t len, cap;
} chunk_buf;

static int chunk_add(chunk_buf *c, const char *s)
{
    size_t n = strlen(s);
    size_t need = c->len + n + 2;
    if (need > c->cap) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap < need)
            cap *= 2;
        char *p = realloc(c->s, cap);
        if (!p)
            return 0;
        c->s = p;
        c->cap = cap;
    }
    if (c->len > 0)
        c->s[c->len++] = '\n';
    memcpy(c->s + c->len, s, n);
    c->len += n;
    c->s[c->len] = '\0';
    return 1;
}

/* True when a syntax error says the chunk is merely unfinished. */
static int incomplete(lua_State *L, int status)
{
    if (status == LUA_ERRSYNTAX) {
        size_t len;
        const char *msg = lua_tolstring(L, -1, &len);
        const char *eof = "<eof>";
        size_t n = strlen(eof);
        if (msg && len >= n && strcmp(msg + len - n, eof) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

/* An error message on the stack: R.format_error shortens the traceback;
 * printed to stderr; popped. */
static void report_error(lua_State *L)
{
    if (push_repl_fn(L, "format_error")) {
        lua_pushvalue(L, -2);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
            lua_replace(L, -2);
        else
            lua_pop(L, 1);
    }
    fflush(stdout);
    nn_repl_report(L, NULL);
}

/* Prints the values above base with R.show (or print when the Lua side is
 * missing). */
static void print_values(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    if (n <= 0)
        return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    if (!push_repl_fn(L, "show"))
        lua_getglobal(L, "print");
    lua_insert(L, base + 1);
    if (nn_repl_docall(L, n, 0) != LUA_OK)
        report_error(L);
}

/* Calls R[name](arg) (a string) under Ctrl-C; returns its first result as
 * a boolean, reporting errors. */
static int call_repl(lua_State *L, const char *name, const char *arg,
                     int *quit)
{
    int top = lua_gettop(L);
    if (!push_repl_fn(L, name))
        return 0;
    lua_pushstring(L, arg);
    int status = nn_repl_docall(L, 1, 1);
    int r = 0;
    if (status == LUA_OK) {
        r = lua_toboolean(L, -1);
        if (quit && lua_type(L, -1) == LUA_TSTRING
            && strcmp(lua_tostring(L, -1), "quit") == 0)
            *quit = 1;
    } else {
        report_error(L);
    }
    lua_settop(L, top);
    return r;
}

static int ends_with_semicolon(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'
                     || s[n - 1] == '\r'))
        n--;
    return n > 0 && s[n - 1] == ';';
}

/* (...) of an expression chunk: packs its values in a table with n, so
 * that `return (...)(f(x))` is not a tail call of f (a tail call would
 * hide the prompt's line from error messages). */
static int pack_values(lua_State *L)
{
    int n = lua_gettop(L);
    lua_createtable(L, n, 1);
    lua_insert(L, 1);
    for (int i = n; i >= 1; i--)
        lua_rawseti(L, 1, i);
    lua_pushinteger(L, n);
    lua_setfield(L, 1, "n");
    return 1;
}

/* Runs one complete chunk (loaded, on the stack above base; `packed` when
 * it is an expression chunk that takes pack_values). */
static void run_chunk(lua_State *L, int base, const char *chunk, int packed)
{
    int quiet = ends_with_semicolon(chunk);
    double t0 = now_seconds();
    int status;
    if (packed) {
        lua_pushcfunction(L, pack_values);
        status = nn_repl_docall(L, 1, 1);
        if (status == LUA_OK && lua_istable(L, -1)) {
            lua_getfield(L, -1, "n");
            lua_Integer n = lua_tointeger(L, -1);
            lua_pop(L, 1);
            if (n < 0 || n > 1000000)
                n = 0;
            luaL_checkstack(L, (int)n + LUA_MINSTACK, "too many results");
            for (lua_Integer i = 1; i <= n; i++)
                lua_rawgeti(L, base + 1, i);
            lua_remove(L, base + 1);
        }
    } else {
        status = nn_repl_docall(L, 0, LUA_MULTRET);
    }
    double dt = now_seconds() - t0;
    if (status == LUA_OK) {
        if (!quiet)
            print_values(L, base);
        lua_settop(L, base);
        call_repl(L, "record", chunk, NULL);
    } else {
        report_error(L);
    }
    lua_settop(L, base);
    if (push_repl_fn(L, "timed")) {
        lua_pushnumber(L, dt);
        if (lua_pcall(L, 1, 0, 0) != LUA_OK)
            lua_pop(L, 1);
    }
    lua_settop(L, base);
    fflush(stdout);
}

/* A statement chunk, loaded, on top of the stack: replaced by the chunk
 * with its top-level `local`s made globals (R.toplevel_locals, see
 * attnlab/hints.lua), so that the next chunk sees them as the next line
 * of a file would. Lines keep their numbers; on any failure the chunk
 * stays as loaded. */
static void toplevel_locals(lua_State *L, const char *chunk)
{
    int top = lua_gettop(L);
    if (!push_repl_fn(L, "toplevel_locals"))
        return;
    lua_pushstring(L, chunk);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING) {
        size_t len;
        const char *code = lua_tolstring(L, -1, &len);
        if (luaL_loadbuffer(L, code, len, "=stdin") == LUA_OK)
            lua_replace(L, top);
    }
    lua_settop(L, top);
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static void load_repl_module(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "attnlab.repl");
    if (nn_repl_docall(L, 1, 1) != LUA_OK) {
        nn_repl_report(L, "attnlab: the prompt's Lua side did not load");
        return;
    }
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    int color = isatty(STDOUT_FILENO) && !(nc && *nc)
                && !(term && strcmp(term, "dumb") == 0);
    lua_pushboolean(L, color);
    lua_setfield(L, -2, "color");
    repl_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (push_repl_fn(L, "start")) {
        if (nn_repl_docall(L, 0, 0) != LUA_OK)
            report_error(L);
    }
}

int nn_repl_run(lua_State *L)
{
    if (!isatty(STDIN_FILENO))
        return run_stdin_script(L);

    prompt_state = L;
    load_repl_module(L);
    rl_readline_name = "attnlab";
    rl_attempted_completion_function = attempt_completion;
    rl_completer_word_break_characters =
        " \t\n\"'`@$><=;|&{(,)}[]+-*/%^~#:.\\";
    rl_completer_quote_characters = "\"'";
    rl_prep_term_function = prep_terminal;
    rl_bind_key(3, on_ctrl_c_key);
    setup_history();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = prompt_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    /* the banner, in the learner's language, from R.banner */
    if (!call_repl(L, "banner", PACKAGE_VERSION, NULL))
        printf("attnlab %s - Lua %s.%s with tensors and layers. help() or "
               ":help for help;\nTab completes, Ctrl-C stops a computation, "
               "Ctrl-D quits.\n",
               PACKAGE_VERSION, LUA_VERSION_MAJOR, LUA_VERSION_MINOR);
    fflush(stdout);

    chunk_buf chunk = {NULL, 0, 0};
    int quit = 0;
    while (!quit) {
        prompt_interrupted = 0;
        char *line = readline(chunk.len ? PROMPT_MORE : PROMPT);
        if (prompt_interrupted) { /* Ctrl-C: drop the line and the chunk */
            free(line);
            chunk.len = 0;
            continue;
        }
        if (!line) {
            if (chunk.len) { /* Ctrl-D in a chunk: drop it, stay */
                fputs("\n", stdout);
                chunk.len = 0;
                continue;
            }
            break;
        }
        if (chunk.len == 0) {
            const char *s = skip_space(line);
            if (*s == '\0') { /* Enter: runs a lesson's step, if one is shown */
                free(line);
                call_repl(L, "empty_line", "", &quit);
                fflush(stdout);
                continue;
            }
            if ((s[0] == ':' && s[1] != ':') || s[0] == '?') {
                remember(s);
                call_repl(L, "command", s, &quit);
                free(line);
                fflush(stdout);
                continue;
            }
        }
        int ok = chunk_add(&chunk, line);
        free(line);
        if (!ok) {
            fprintf(stderr, "attnlab: not enough memory for the line\n");
            chunk.len = 0;
            continue;
        }
        int base = lua_gettop(L);
        /* first as an expression (the `return <line>` trick), so its
         * values print; without a trailing `;`, which only hides them */
        size_t elen = chunk.len;
        while (elen > 0 && strchr(" \t\r\n", chunk.s[elen - 1]))
            elen--;
        if (elen > 0 && chunk.s[elen - 1] == ';')
            elen--;
        lua_pushliteral(L, "return (...)(");
        lua_pushlstring(L, chunk.s, elen);
        /* ")" on a line of its own only when a comment could hide it:
         * Lua gives an error inside the expression the line of the ")" */
        if (strstr(chunk.s, "--"))
            lua_pushliteral(L, "\n)");
        else
            lua_pushliteral(L, ")");
        lua_concat(L, 3);
        size_t rlen;
        const char *rcode = lua_tolstring(L, -1, &rlen);
        int status = luaL_loadbuffer(L, rcode, rlen, "=stdin");
        lua_remove(L, -2);
        int packed = status == LUA_OK;
        if (!packed) {
            lua_pop(L, 1);
            status = luaL_loadbuffer(L, chunk.s, chunk.len, "=stdin");
            if (incomplete(L, status))
                continue; /* read more lines */
            if (status == LUA_OK)
                toplevel_locals(L, chunk.s);
            else
                nn_repl_explain(L, status, chunk.s, chunk.len, NULL);
        }
        remember(chunk.s); /* the whole chunk as one entry */
        if (status == LUA_OK)
            run_chunk(L, base, chunk.s, packed);
        else
            report_error(L);
        lua_settop(L, base);
        chunk.len = 0;
    }
    free(chunk.s);
    if (!quit)
        printf("\n");
    if (history_path)
        write_history(history_path);
    free(history_path);
    history_path = NULL;
    prompt_state = NULL;
    if (repl_ref != LUA_NOREF) {
        luaL_unref(L, LUA_REGISTRYINDEX, repl_ref);
        repl_ref = LUA_NOREF;
    }
    return 1;
}
