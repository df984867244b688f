/* test_repl.c - types into a real attnlab through a pseudo-terminal
 * (forkpty), as a teacher would: completion, continuation lines, printed
 * expressions, errors, Ctrl-C, `;`, help and the history file.
 *
 *   test_repl [path/to/attnlab]     (default: $ATTNLAB, then ./attnlab)
 *   test_repl --startup [attnlab]   prints the time to the first prompt
 *
 * Prints "ok - name" / "FAIL - name" per test, then "# passed: N" and
 * "# failed: N", as the Lua tests do. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *attnlab;
static char tmpdir[] = "/tmp/attnlab_repl_XXXXXX";
static char histfile[512];
static int passed, failed;

typedef struct {
    pid_t pid;
    int fd;
    char *buf;   /* everything the program wrote */
    size_t len, cap;
    size_t mark; /* expect() looks after this */
} session;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int start(session *s)
{
    memset(s, 0, sizeof *s);
    struct winsize ws = {24, 100, 0, 0};
    s->pid = forkpty(&s->fd, NULL, NULL, &ws);
    if (s->pid < 0) {
        perror("forkpty");
        return 0;
    }
    if (s->pid == 0) {
        setenv("ATTNLAB_HISTORY", histfile, 1);
        setenv("HOME", tmpdir, 1);
        setenv("TERM", "dumb", 1);
        setenv("NO_COLOR", "1", 1);
        setenv("INPUTRC", "/dev/null", 1);
        if (chdir(tmpdir) != 0)
            _exit(126);
        execl(attnlab, "attnlab", (char *)NULL);
        _exit(127);
    }
    s->cap = 1 << 16;
    s->buf = malloc(s->cap);
    if (!s->buf)
        return 0;
    s->buf[0] = '\0';
    return 1;
}

/* Reads what is available within `ms` milliseconds; 0 at end of output. */
static int pump(session *s, int ms)
{
    struct pollfd p = {s->fd, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r <= 0)
        return r == 0;
    if (s->len + 4096 + 1 > s->cap) {
        s->cap *= 2;
        char *b = realloc(s->buf, s->cap);
        if (!b)
            return 0;
        s->buf = b;
    }
    ssize_t n = read(s->fd, s->buf + s->len, 4096);
    if (n <= 0)
        return 0;
    s->len += (size_t)n;
    s->buf[s->len] = '\0';
    return 1;
}

static char *find_after(session *s, const char *want)
{
    if (!s->buf || s->mark > s->len)
        return NULL;
    return strstr(s->buf + s->mark, want);
}

/* Waits (up to 10 s) until `want` appears after the mark, then moves the
 * mark past it. */
static int expect(session *s, const char *want)
{
    double end = now() + 10.0;
    for (;;) {
        char *hit = find_after(s, want);
        if (hit) {
            s->mark = (size_t)(hit - s->buf) + strlen(want);
            return 1;
        }
        if (now() > end || !pump(s, 100)) {
            if ((hit = find_after(s, want)) != NULL) {
                s->mark = (size_t)(hit - s->buf) + strlen(want);
                return 1;
            }
            fprintf(stdout, "# expected \"%s\"; after the mark came:\n%s\n", want,
                    s->buf ? s->buf + s->mark : "");
            return 0;
        }
    }
}

static void send_keys(session *s, const char *keys)
{
    size_t n = strlen(keys);
    while (n > 0) {
        ssize_t w = write(s->fd, keys, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        keys += w;
        n -= (size_t)w;
    }
}

static void settle(session *s, int ms)
{
    double end = now() + ms / 1000.0;
    while (now() < end)
        pump(s, 20);
}

/* Ends the session with Ctrl-D; returns the exit status or -1. */
static int finish(session *s)
{
    send_keys(s, "\004");
    int status = -1;
    double end = now() + 10.0;
    while (now() < end) {
        pump(s, 50);
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid)
            break;
    }
    if (waitpid(s->pid, &status, WNOHANG) == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        status = -1;
    }
    close(s->fd);
    free(s->buf);
    s->buf = NULL;
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether `str` occurs in the output between from and to. */
static int region_has(session *s, size_t from, size_t to, const char *str)
{
    size_t n = strlen(str);
    for (size_t i = from; i + n <= to; i++)
        if (memcmp(s->buf + i, str, n) == 0)
            return 1;
    return 0;
}

static void result(int ok, const char *name)
{
    if (ok) {
        passed++;
        printf("ok - %s\n", name);
    } else {
        failed++;
        printf("FAIL - %s\n", name);
    }
    fflush(stdout);
}

#define PROMPT "attnlab> "

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *b = malloc(1 << 16);
    size_t n = b ? fread(b, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (b)
        b[n] = '\0';
    return b;
}

static int startup_bench(void)
{
    int runs = 10;
    double total = 0, best = 1e9;
    for (int i = 0; i < runs; i++) {
        session s;
        double t0 = now();
        if (!start(&s))
            return 1;
        if (!expect(&s, PROMPT)) {
            finish(&s);
            return 1;
        }
        double dt = now() - t0;
        total += dt;
        if (dt < best)
            best = dt;
        finish(&s);
    }
    printf("time to the first prompt: %.1f ms mean, %.1f ms best (%d runs)\n",
           total / runs * 1000, best * 1000, runs);
    return 0;
}

int main(int argc, char **argv)
{
    int bench = argc > 1 && strcmp(argv[1], "--startup") == 0;
    int argi = bench ? 2 : 1;
    attnlab = argc > argi ? argv[argi] : getenv("ATTNLAB");
    if (!attnlab || !*attnlab)
        attnlab = "./attnlab";
    char abs[4096];
    if (attnlab[0] != '/' && realpath(attnlab, abs))
        attnlab = abs;
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(histfile, sizeof histfile, "%s/history", tmpdir);
    if (bench) {
        int r = startup_bench();
        remove(histfile);
        rmdir(tmpdir);
        return r;
    }

    session s;
    size_t from;
    if (!start(&s)) {
        printf("FAIL - cannot start %s\n# passed: 0\n# failed: 1\n", attnlab);
        return 1;
    }
    result(expect(&s, "Tab completes") && expect(&s, PROMPT), "the banner and the prompt");

    /* an expression prints without `=` or print */
    send_keys(&s, "6 * 7\r");
    result(expect(&s, "\n42") && expect(&s, PROMPT), "an expression is printed");

    /* several values, tab-separated */
    send_keys(&s, "1, 'two', nil\r");
    result(expect(&s, "1\ttwo\tnil") && expect(&s, PROMPT), "several values print");

    /* completion of a field after `.` */
    send_keys(&s, "nn.Bi\t");
    int ok = expect(&s, "nn.Bidirectional");
    send_keys(&s, "\r");
    ok = ok && expect(&s, "function nn.Bidirectional") && expect(&s, PROMPT);
    result(ok, "nn.Bi<Tab> completes to nn.Bidirectional");

    /* completion of a tensor method after `:` */
    send_keys(&s, "x = tensor.arange(6)\r");
    expect(&s, PROMPT);
    send_keys(&s, "x:resh\t");
    ok = expect(&s, "x:reshape(");
    send_keys(&s, "3, 2).shape\r");
    ok = ok && expect(&s, "(3, 2)") && expect(&s, PROMPT);
    result(ok, "x:resh<Tab> completes to x:reshape(");

    /* x:<Tab><Tab> lists the tensor methods */
    from = s.mark;
    send_keys(&s, "x:\t\t");
    ok = expect(&s, "matmul(");
    settle(&s, 200);
    ok = ok && region_has(&s, from, s.len, "softmax(") && region_has(&s, from, s.len, "reshape(");
    send_keys(&s, "\003");
    ok = ok && expect(&s, PROMPT);
    result(ok, "x:<Tab><Tab> lists the tensor methods");

    /* a layer's option names */
    send_keys(&s, "g = nn.GRU(64, {return_seq\t");
    ok = expect(&s, "return_sequences=");
    send_keys(&s, "true})\r");
    ok = ok && expect(&s, PROMPT);
    send_keys(&s, "g\r");
    ok = ok && expect(&s, "GRU 'gru' (64 units, return_sequences), not built yet")
         && expect(&s, PROMPT);
    send_keys(&s, "h = g(nn.Input{10, 16})\r");
    ok = ok && expect(&s, PROMPT);
    send_keys(&s, "g\r");
    ok = ok && expect(&s, "GRU 'gru' (64 units, return_sequences) -> (None, 10, 64), "
                          "15,744 params") && expect(&s, PROMPT);
    result(ok, "option names complete inside a layer's options");

    /* a folder inside a string: Tab ends it with "/" and leaves the string
     * open, Tab Tab lists its files, and a file closes the string */
    char path[700];
    snprintf(path, sizeof path, "%s/scripts", tmpdir);
    ok = mkdir(path, 0700) == 0;
    const char *scripts[] = {"hello.lua", "other.lua"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/scripts/%s", tmpdir, scripts[i]);
        FILE *f = fopen(path, "w");
        ok = ok && f && fputs("print('hello' .. ' from a file')\n", f) >= 0;
        if (f)
            fclose(f);
    }
    from = s.mark;
    send_keys(&s, "dofile(\"scri\t");
    ok = ok && expect(&s, "dofile(\"scripts/");
    settle(&s, 200);
    ok = ok && !region_has(&s, from, s.len, "scripts/\"");
    from = s.len;
    send_keys(&s, "\t\t");
    ok = ok && expect(&s, ".lua");
    settle(&s, 200);
    ok = ok && region_has(&s, from, s.len, "hello.lua") && region_has(&s, from, s.len, "other.lua")
         && !region_has(&s, from, s.len, "scripts/hello.lua"); /* the names, not the paths */
    send_keys(&s, "h\t");
    ok = ok && expect(&s, "lua\"");
    send_keys(&s, ")\r");
    ok = ok && expect(&s, "hello from a file") && expect(&s, PROMPT);
    result(ok, "dofile(\"scri<Tab> completes the folder without closing the string, then its files");

    /* nn.<Tab><Tab> lists what a learner uses, not the library's internals */
    from = s.mark;
    send_keys(&s, "nn.\t\t");
    ok = expect(&s, "Bidirectional");
    settle(&s, 300);
    ok = ok && region_has(&s, from, s.len, "Sequential") && region_has(&s, from, s.len, "clear_session")
         && !region_has(&s, from, s.len, "DenseClass") && !region_has(&s, from, s.len, "unique_name")
         && !region_has(&s, from, s.len, "check_units") && !region_has(&s, from, s.len, "masks");
    send_keys(&s, "\003");
    ok = ok && expect(&s, PROMPT);
    send_keys(&s, "nn.uniq\t"); /* hidden names still complete when typed */
    ok = ok && expect(&s, "nn.unique_name");
    send_keys(&s, "\003");
    ok = ok && expect(&s, PROMPT);
    send_keys(&s, "dd = nn.LSTM(2)\r");
    ok = ok && expect(&s, PROMPT);
    from = s.mark;
    send_keys(&s, "dd:\t\t");
    ok = ok && expect(&s, "count_params(");
    settle(&s, 300);
    ok = ok && region_has(&s, from, s.len, "get_weights(") && !region_has(&s, from, s.len, "describe(")
         && !region_has(&s, from, s.len, "clone_options(");
    send_keys(&s, "\003");
    ok = ok && expect(&s, PROMPT);
    result(ok, "nn.<Tab><Tab> and layer:<Tab><Tab> leave out the internals");

    /* a multi-line function definition, with the continuation prompt */
    send_keys(&s, "function sq(a)\r");
    ok = expect(&s, "...> ");
    send_keys(&s, "  return a * a\r");
    ok = ok && expect(&s, "...> ");
    send_keys(&s, "end\r");
    ok = ok && expect(&s, PROMPT);
    send_keys(&s, "sq(9)\r");
    ok = ok && expect(&s, "81") && expect(&s, PROMPT);
    result(ok, "a multi-line function definition");

    /* an error, then a working command */
    send_keys(&s, "error('boom')\r");
    ok = expect(&s, "boom") && expect(&s, PROMPT);
    send_keys(&s, "nn.Dense(3)(tensor.ones(3))\r"); /* a library error names the line */
    ok = ok && expect(&s, "stdin:1: Dense 'dense': expected input of rank >= 2")
         && expect(&s, PROMPT);
    send_keys(&s, "nothing_here.field\r"); /* the line of the expression, not of the prompt's ")" */
    ok = ok && expect(&s, "stdin:1: attempt to index a nil value (global 'nothing_here')")
         && expect(&s, PROMPT);
    send_keys(&s, "print('after' .. 'wards')\r");
    ok = ok && expect(&s, "afterwards") && expect(&s, PROMPT);
    result(ok, "an error, then a working command");

    /* Ctrl-C stops a long loop; the variables stay */
    send_keys(&s, "kept = 1234\r");
    expect(&s, PROMPT);
    send_keys(&s, "while true do end\r");
    settle(&s, 400);
    send_keys(&s, "\003");
    ok = expect(&s, "interrupted!") && expect(&s, PROMPT);
    send_keys(&s, "kept + 1\r");
    ok = ok && expect(&s, "1235") && expect(&s, PROMPT);
    result(ok, "Ctrl-C stops a loop and keeps the variables");

    /* a trailing ; prints nothing */
    from = s.mark;
    send_keys(&s, "500 + 55;\r");
    ok = expect(&s, PROMPT) && !region_has(&s, from, s.mark, "555");
    send_keys(&s, "print('semi' .. 'colon')\r");
    ok = ok && expect(&s, "semicolon") && expect(&s, PROMPT);
    result(ok, "a trailing ; hides the result");

    /* Ctrl-C while typing drops the line */
    send_keys(&s, "undefined_thing(");
    settle(&s, 100);
    send_keys(&s, "\003");
    ok = expect(&s, PROMPT);
    send_keys(&s, "print('clean' .. 'line')\r");
    ok = ok && expect(&s, "cleanline") && expect(&s, PROMPT);
    result(ok && strstr(s.buf, "attempt to call") == NULL, "Ctrl-C while typing clears the line");

    /* Python's names say what Lua writes, at the learner's line */
    send_keys(&s, "g2 = nn.GRU(64, {return_sequences=True})\r");
    ok = expect(&s, "stdin:1: 'True' is not defined: Lua writes true (lower case)")
         && expect(&s, PROMPT);
    send_keys(&s, "x = np.zeros(3)\r");
    ok = ok && expect(&s, "stdin:1: 'np' is not defined: attnlab has no NumPy; tensor.* has "
                          "the array functions (tensor.zeros, tensor.from, tensor.matmul)")
         && expect(&s, PROMPT);
    send_keys(&s, "function off()\r  return False\rend\r");
    ok = ok && expect(&s, PROMPT);
    send_keys(&s, "off()\r");
    ok = ok && expect(&s, "stdin:2: 'False' is not defined: Lua writes false (lower case)")
         && expect(&s, PROMPT);
    send_keys(&s, "K = 3\r");
    ok = ok && expect(&s, PROMPT);
    send_keys(&s, "K + 1, None, not_defined_here\r");
    ok = ok && expect(&s, "4\tNone\tnil") && expect(&s, PROMPT);
    result(ok, "True, np and False say what Lua writes; K can be assigned");

    /* a keyword argument: the syntax error says how to write the call */
    send_keys(&s, "nn.GRU(64, return_sequences=true)\r");
    ok = expect(&s, "stdin:1: ')' expected near '='\r\n"
                    "Lua has no keyword arguments: write `nn.GRU(64, {return_sequences = true})`")
         && expect(&s, PROMPT);
    send_keys(&s, "model.fit(x, y,\r");
    ok = ok && expect(&s, "...> ");
    send_keys(&s, "  epochs=5, verbose=False)\r");
    ok = ok && expect(&s, "stdin:2: ')' expected (to close '(' at line 1) near '='\r\n"
                          "Lua has no keyword arguments: write "
                          "`model:fit(x, y, {epochs = 5, verbose = false})` "
                          "(a method is called with `:`)")
         && expect(&s, PROMPT);
    result(ok, "a keyword argument's error shows the call with an options table");

    /* a script pasted line by line: its top-level locals stay */
    send_keys(&s, "local n = 3\r"
                  "local function fact(k)\r"
                  "  if k <= 1 then return 1 end\r"
                  "  return k * fact(k - 1)\r"
                  "end\r"
                  "local a, b = fact(n), n\r"
                  "local c <const> = a + b\r"
                  "function keep() local hidden = 1 return hidden end\r"
                  "print('pasted', a, b, c, keep())\r");
    ok = expect(&s, "pasted\t6\t3\t9\t1") && expect(&s, PROMPT);
    send_keys(&s, "c * 2, hidden\r");
    ok = ok && expect(&s, "18\tnil") && expect(&s, PROMPT);
    send_keys(&s, "local t = {\r  nn.Dense(3)(tensor.ones(3)),\r}\r");
    ok = ok && expect(&s, "stdin:2: Dense 'dense_1': expected input of rank >= 2")
         && expect(&s, PROMPT);
    result(ok, "a pasted script's top-level locals are seen by the next lines");

    /* help */
    send_keys(&s, "?nn.Dense\r");
    ok = expect(&s, "keras.layers.Dense") && expect(&s, PROMPT);
    result(ok, "?nn.Dense prints the docstring");

    /* :shapes */
    send_keys(&s, ":shapes on\r");
    expect(&s, PROMPT);
    send_keys(&s, "d = nn.Dense(3); y = d(tensor.ones(2, 5, 4));\r");
    ok = expect(&s, "(2, 5, 4) -> (2, 5, 3)") && expect(&s, PROMPT);
    result(ok, ":shapes on traces layer calls");

    int code = finish(&s);
    result(code == 0, "Ctrl-D on an empty line exits with status 0");

    char *hist = slurp(histfile);
    ok = hist && strstr(hist, "function sq(a)\n  return a * a\nend\n")
         && strstr(hist, "6 * 7\n") && strstr(hist, "kept + 1\n");
    result(ok, "the history file keeps the session, a chunk as one entry");
    free(hist);

    /* a second session finds the history: Up recalls the last entry */
    if (start(&s)) {
        expect(&s, PROMPT);
        send_keys(&s, "\033[A");
        ok = expect(&s, "d = nn.Dense(3)");
        send_keys(&s, "\r");
        ok = ok && expect(&s, PROMPT);
        finish(&s);
        hist = slurp(histfile);
        /* no consecutive duplicate from running the recalled line */
        const char *first = hist ? strstr(hist, "d = nn.Dense(3)") : NULL;
        ok = ok && first && strstr(first + 1, "d = nn.Dense(3)") == NULL;
        free(hist);
        result(ok, "history is read back, without consecutive duplicates");
    } else {
        result(0, "history is read back");
    }

    /* :lesson: a step shows, Enter runs it, the learner's own code runs
     * between steps, :back and :quit move, the variables stay */
    const char *testdir = getenv("ATTNLAB_TESTDIR");
    char lessons[4096];
    snprintf(lessons, sizeof lessons, "%s/fixtures/lessons", testdir ? testdir : "tests");
    if (lessons[0] != '/' && realpath(lessons, abs))
        snprintf(lessons, sizeof lessons, "%s", abs);
    setenv("ATTNLAB_LESSONS", lessons, 1);
    if (start(&s)) {
        expect(&s, PROMPT);
        send_keys(&s, ":lesson 1\r");
        ok = expect(&s, "step 1/5") && expect(&s, "    nn.seed(1)")
             && expect(&s, "[Enter] runs this step") && expect(&s, PROMPT);
        result(ok, ":lesson 1 shows the first step and waits");

        send_keys(&s, "\r");
        ok = expect(&s, "attnlab> q = tensor.randn(1, 1, 4)") /* each line echoed as it runs */
             && expect(&s, "> q is one query") && expect(&s, "step 2/5") && expect(&s, PROMPT);
        send_keys(&s, "mine = q.shape\r");
        ok = ok && expect(&s, PROMPT);
        from = s.mark;
        send_keys(&s, "mine\r");
        ok = ok && expect(&s, "(1, 1, 4)") && expect(&s, PROMPT)
             && !region_has(&s, from, s.mark, "step 3/5");
        result(ok, "Enter runs the step; typed code runs between steps, not the step");

        send_keys(&s, "\r");
        ok = expect(&s, "attnlab> scores.shape\r\n(1, 1, 5)") /* a line, then its result */
             && expect(&s, "step 3/5") && expect(&s, PROMPT);
        send_keys(&s, ":back\r");
        ok = ok && expect(&s, "step 2/5") && expect(&s, PROMPT);
        send_keys(&s, "\r");
        ok = ok && expect(&s, "(1, 1, 5)") && expect(&s, "step 3/5") && expect(&s, PROMPT);
        result(ok, ":back shows the step before, Enter runs it again");

        send_keys(&s, ":quit\r");
        ok = expect(&s, "lesson stopped") && expect(&s, PROMPT);
        send_keys(&s, "scores.shape\r");
        ok = ok && expect(&s, "(1, 1, 5)") && expect(&s, PROMPT);
        result(ok, ":quit leaves the lesson and keeps the variables");
        result(finish(&s) == 0, "the prompt still exits with status 0 after a lesson");
    } else {
        result(0, ":lesson in the prompt");
    }

    /* Chinese from the locale: LANG=zh_CN.UTF-8 without ATTNLAB_LANG */
    unsetenv("ATTNLAB_LANG");
    setenv("LANG", "zh_CN.UTF-8", 1);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    if (start(&s)) {
        ok = expect(&s, "Ctrl-D 退出") && expect(&s, PROMPT);
        send_keys(&s, ":lesson 1\r");
        ok = ok && expect(&s, "第 1 课：手算注意力") && expect(&s, "第 1/5 步")
             && expect(&s, PROMPT);
        send_keys(&s, ":lang en\r");
        ok = ok && expect(&s, "language: English") && expect(&s, PROMPT);
        send_keys(&s, ":again\r");
        ok = ok && expect(&s, "step 1/5") && expect(&s, "A query asks") && expect(&s, PROMPT);
        result(ok, "LANG=zh_CN.UTF-8 gives a Chinese banner and lesson; :lang en switches back");
        finish(&s);
    } else {
        result(0, "a Chinese session");
    }

    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/scripts/%s", tmpdir, scripts[i]);
        remove(path);
    }
    snprintf(path, sizeof path, "%s/scripts", tmpdir);
    rmdir(path);
    remove(histfile);
    rmdir(tmpdir);
    printf("# passed: %d\n# failed: %d\n", passed, failed);
    return failed ? 1 : 0;
}
