-- test_cli.lua - the attnlab program: -e, scripts and their arguments,
-- errors and exit status, --version, --help, unknown options, and standard
-- input from a pipe (run as a script).
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

-- the binary: $ATTNLAB (set by make check), else the one running this test
local ATTNLAB = os.getenv("ATTNLAB")
if not ATTNLAB or ATTNLAB == "" then ATTNLAB = arg[-1] end

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local temps = {}
local function tmpfile(content)
  local name = os.tmpname()
  temps[#temps + 1] = name
  if content then
    local f = assert(io.open(name, "w"))
    f:write(content)
    f:close()
  end
  return name
end

local function slurp(name)
  local f = assert(io.open(name, "r"))
  local s = f:read("a")
  f:close()
  return s
end

-- runs attnlab with the (already quoted) argument string, stdin from the
-- string `input` (or /dev/null); returns stdout, stderr, exit status
local function run(args, input)
  local out, err = tmpfile(), tmpfile()
  local inp = input and tmpfile(input) or "/dev/null"
  local cmd = string.format("%s %s <%s >%s 2>%s", quote(ATTNLAB), args,
                            quote(inp), quote(out), quote(err))
  local ok, how, code = os.execute(cmd)
  t.eq(how, "exit", "attnlab ended by a signal: " .. cmd)
  return slurp(out), slurp(err), code
end

t.test("the binary is there", function()
  t.truthy(ATTNLAB and ATTNLAB ~= "", "no ATTNLAB and no arg[-1]")
  local out, _, code = run("-e " .. quote("print(1 + 1)"))
  t.eq(code, 0)
  t.eq(out, "2\n")
end)

t.test("-e runs a chunk with the libraries loaded", function()
  local out, err, code = run("-e " .. quote("print(tensor.ones(2, 3).shape, None, type(nn.Dense))"))
  t.eq(code, 0)
  t.eq(err, "")
  t.eq(out, "(2, 3)\tNone\tfunction\n")
  out = run("-e " .. quote("print(tensor.arange(6):reshape(2, 3))"))
  t.eq(out, "(2, 3)\n[[0. 1. 2.]\n [3. 4. 5.]]\n")
  -- several -e run in order, in one state
  out, err, code = run("-e " .. quote("x = 20") .. " -e " .. quote("print(x + 1)"))
  t.eq(code, 0)
  t.eq(out, "21\n")
  -- viz and data exist
  out = run("-e " .. quote("print(type(viz), type(data))"))
  t.eq(out, "table\ttable\n")
end)

t.test("the issue's check prints (2, 5, 3)", function()
  local out, err, code = run("-e " .. quote(
    "local d = nn.Dense(3, {activation='tanh'}); print(d(tensor.ones(2, 5, 4)).shape)"))
  t.eq(code, 0)
  t.eq(err, "")
  t.eq(out, "(2, 5, 3)\n")
end)

t.test("a script gets its arguments in arg", function()
  local script = tmpfile("print(#arg, arg[1], arg[2], select('#', ...))\n"
                         .. "print(arg[-1] ~= nil)\n")
  -- `...` holds the arguments too; arg[0] is the script
  local s2 = tmpfile("local a, b = ...\nprint(a, b, arg[0])\n")
  local out, err, code = run(quote(s2) .. " one " .. quote("two words"))
  t.eq(code, 0)
  t.eq(err, "")
  t.eq(out, "one\ttwo words\t" .. s2 .. "\n")
  out, err, code = run(quote(script) .. " x y")
  t.eq(code, 0, err)
  t.eq(out, "2\tx\ty\t2\ntrue\n")
  -- options before the script are at negative indices
  local s3 = tmpfile("print(arg[-1], arg[-2] ~= nil, arg[1])\n")
  out = run("-e " .. quote("z = 1") .. " " .. quote(s3) .. " a")
  t.eq(out, "z = 1\ttrue\ta\n")
  -- -- stops the options
  out, err, code = run("-- " .. quote(s3) .. " -v")
  t.eq(code, 0)
  t.eq(out, "--\ttrue\t-v\n")
end)

t.test("a script's error exits non-zero with the message and a traceback", function()
  local script = tmpfile("local x = 1\nerror('bad thing')\n")
  local out, err, code = run(quote(script))
  t.truthy(code ~= 0, "exit status 0")
  t.eq(out, "")
  t.truthy(err:find("attnlab: " .. script .. ":2: bad thing\n", 1, true), err)
  t.truthy(err:find("stack traceback:", 1, true), err)
  t.truthy(err:find(script .. ":2: in main chunk", 1, true), err)
end)

t.test("a library error in a script names the script's line", function()
  local script = tmpfile("print('before')\nlocal x = tensor.ones(2, 3)\n"
                         .. "local y = tensor.matmul(x, x)\nprint('after')\n")
  local out, err, code = run(quote(script))
  t.truthy(code ~= 0, "exit status 0")
  t.eq(out, "before\n")
  t.truthy(err:find("attnlab: " .. script
                    .. ":3: matmul: inner dimensions differ: (2, 3) @ (2, 3)", 1, true), err)
  t.truthy(err:find("stack traceback:", 1, true), err)
  -- a Dense error too, not a line of lua/attnlab/
  script = tmpfile("\nlocal d = nn.Dense(3, {activation='nope'})\n")
  out, err, code = run(quote(script))
  t.truthy(code ~= 0)
  t.truthy(err:find("attnlab: " .. script .. ":2: Dense 'dense': unknown activation 'nope'",
                    1, true), err)
end)

t.test("an error in -e exits non-zero; a syntax error too", function()
  local out, err, code = run("-e " .. quote("error('oops')"))
  t.truthy(code ~= 0)
  t.eq(out, "")
  t.truthy(err:find("attnlab: (command line):1: oops", 1, true), err)
  t.truthy(err:find("stack traceback:", 1, true), err)
  out, err, code = run("-e " .. quote("print(1"))
  t.truthy(code ~= 0)
  t.truthy(err:find("attnlab: (command line):1: ')' expected near <eof>", 1, true), err)
  -- the chunks after a failing one do not run
  out, err, code = run("-e " .. quote("error('first')") .. " -e " .. quote("print('second')"))
  t.truthy(code ~= 0)
  t.eq(out, "")
end)

t.test("a missing script exits non-zero", function()
  local missing = tmpfile()
  os.remove(missing)
  local out, err, code = run(quote(missing))
  t.truthy(code ~= 0)
  t.eq(out, "")
  t.truthy(err:find("attnlab: cannot open " .. missing, 1, true), err)
end)

t.test("--version and -v exit 0", function()
  local out, err, code = run("--version")
  t.eq(code, 0)
  t.eq(err, "")
  t.truthy(out:match("^attnlab %d+%.%d+%.%d+ %(Lua 5%.4[%.%d]*, matrix products: [%w_%-]+%)\n$"), out)
  local out2, _, code2 = run("-v")
  t.eq(code2, 0)
  t.eq(out2, out)
  -- with -e, the version then the chunk
  local out3, _, code3 = run("-v -e " .. quote("print('x')"))
  t.eq(code3, 0)
  t.eq(out3, out .. "x\n")
end)

t.test("--help and -h exit 0 and print the usage", function()
  local out, err, code = run("--help")
  t.eq(code, 0)
  t.eq(err, "")
  t.truthy(out:find("^usage: attnlab %[options%] %[script %[args%]%]\n"), out)
  for _, opt in ipairs({ "-e chunk", "-i", "-v, --version", "-h, --help", "--" }) do
    t.truthy(out:find(opt, 1, true), "help lacks " .. opt)
  end
  local out2, _, code2 = run("-h")
  t.eq(code2, 0)
  t.eq(out2, out)
end)

t.test("an unknown option exits non-zero with the usage on stderr", function()
  local out, err, code = run("--bogus")
  t.truthy(code ~= 0, "exit status 0")
  t.eq(out, "")
  t.truthy(err:find("attnlab: unrecognized option '--bogus'\n", 1, true), err)
  t.truthy(err:find("usage: attnlab", 1, true), err)
  out, err, code = run("-x")
  t.truthy(code ~= 0)
  t.truthy(err:find("attnlab: unrecognized option '-x'", 1, true), err)
  -- -e without its chunk
  out, err, code = run("-e")
  t.truthy(code ~= 0)
  t.truthy(err:find("attnlab: '-e' needs an argument", 1, true), err)
end)

-- Standard input that is not a terminal (a pipe, `attnlab < script.lua`)
-- is run as one script: no banner, no prompts, no echo, and the first
-- error ends the program with a non-zero status. The interactive prompt
-- itself is tested through a pseudo-terminal in tests/c/test_repl.c.

t.test("piped standard input runs as a script, without prompts", function()
  local out, err, code = run("", "x = 1+1\nprint(x)\nprint(tensor.ones(2).shape)\n")
  t.eq(code, 0, err)
  t.eq(err, "")
  t.eq(out, "2\n(2,)\n")
  -- a bare expression is not a statement in a script
  out, err, code = run("", "x = 1\nx\n")
  t.truthy(code ~= 0, "a syntax error exits 0")
  t.truthy(err:find("attnlab: stdin:", 1, true), err)
  t.eq(out, "")
end)

t.test("piped standard input stops at the first error, non-zero", function()
  local out, err, code = run("", "print('before')\nerror('boom')\nprint('after')\n")
  t.truthy(code ~= 0, "exit status 0")
  t.eq(out, "before\n")
  t.truthy(err:find("attnlab: stdin:2: boom", 1, true), err)
  t.truthy(err:find("stack traceback:", 1, true), err)
  -- a library error too
  out, err, code = run("", "tensor.zeros(-1)\nprint('not reached')\n")
  t.truthy(code ~= 0)
  t.truthy(err:find("stdin:1: tensor.zeros: size 1 must be a non-negative integer, got -1",
                    1, true), err)
  t.eq(out, "")
end)

t.test("piped standard input reads multi-line chunks and a #! line", function()
  local out, err, code = run("",
    "#!/usr/bin/env attnlab\nt1 = tensor.ones(2)\nprint(t1)\nfor i = 1, 2 do\nprint(i * 7)\nend\n")
  t.eq(code, 0, err)
  t.eq(out, "(2,)\n[1. 1.]\n7\n14\n")
end)

t.test("-i runs piped standard input after the script", function()
  local script = tmpfile("y = 41\n")
  local out, err, code = run("-i " .. quote(script), "print(y + 1)\n")
  t.eq(code, 0, err)
  t.eq(out, "42\n")
  out, err, code = run("-i " .. quote(script), "error('late')\n")
  t.truthy(code ~= 0)
  t.truthy(err:find("stdin:1: late", 1, true), err)
end)

t.test("empty piped standard input exits 0", function()
  local out, err, code = run("", "")
  t.eq(code, 0, err)
  t.eq(out, "")
end)

t.test("- runs a script from stdin", function()
  local out, err, code = run("-", "print('from stdin', tensor.zeros(3).shape)\n")
  t.eq(code, 0, err)
  t.eq(out, "from stdin\t(3,)\n")
end)

for _, name in ipairs(temps) do os.remove(name) end
t.done()
