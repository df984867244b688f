-- test_install.lua - the program finds its Lua library (and the lessons)
-- relative to itself: in a copy of the built tree, in a tree on another
-- path, after `make install` into a temporary prefix, and through
-- ATTNLAB_LUADIR; and it says where it looked when it finds nothing.
-- Every run starts in a folder of its own, away from the source tree.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

-- the binary: $ATTNLAB (set by make check), else the one running this test
local ATTNLAB = os.getenv("ATTNLAB")
if not ATTNLAB or ATTNLAB == "" then ATTNLAB = arg[-1] end
local SRCDIR = (os.getenv("ATTNLAB_TESTDIR") or (arg[0]:match("^(.*)/lua/") or "tests")) .. "/.."

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- runs a shell command; returns its output (stdout and stderr) and status
local function sh(cmd)
  local p = io.popen("(" .. cmd .. ") 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  local code = tonumber(out:match("exit=(%d+)\n$"))
  return out:gsub("exit=%d+\n$", ""), code
end

-- a new empty folder, its path with symbolic links resolved
local temps = {}
local function tmpdir()
  local out, code = sh("d=$(mktemp -d) && cd \"$d\" && pwd -P")
  assert(code == 0, out)
  local dir = out:gsub("\n$", "")
  temps[#temps + 1] = dir
  return dir
end

local function write(name, content)
  local f = assert(io.open(name, "w"))
  f:write(content)
  f:close()
end

-- runs the program `exe` with the argument string `args` (already quoted)
-- in the folder `cwd`, without ATTNLAB_LUADIR or ATTNLAB_LESSONS unless
-- `env` sets them
local function run(exe, args, cwd, env)
  return sh(string.format("cd %s && env -u ATTNLAB_LUADIR -u ATTNLAB_LESSONS %s %s %s",
                          quote(cwd), env or "", quote(exe), args))
end

-- prints where attnlab.init was loaded from and where the lessons are
local WHERE = quote("print(package.searchpath('attnlab.init', package.path)); "
                    .. "print(require('attnlab.repl').lesson_dir())")

-- a script that builds a small Keras model, runs it and trains it a step
local MODEL_SCRIPT = [[
nn.seed(1)
local model = nn.Sequential{ nn.Input{5, 3}, nn.GRU(4), nn.Dense(2, {activation = "softmax"}) }
model:compile{ optimizer = "adam", loss = "sparse_categorical_crossentropy" }
local x = tensor.randn(6, 5, 3)
local y = tensor.from{0, 1, 0, 1, 0, 1}
model:fit(x, y, { epochs = 1, batch_size = 3, verbose = 0 })
print("predict", model:predict(x).shape)
]]

-- the lessons in the source tree, as :lesson lists them
local function lesson_count()
  local out = sh("ls " .. quote(SRCDIR .. "/lua/lessons"))
  local n = 0
  for name in out:gmatch("[^\n]+") do
    if name:match("^%d%d_.*%.lua$") then n = n + 1 end
  end
  return n
end
local NLESSONS = lesson_count()

-- `:lesson` at the prompt (R.command, as the prompt calls it) lists every
-- lesson found by the program `exe` run in `cwd`
local function check_lesson_list(exe, cwd)
  local out, code = run(exe, "-e " .. quote("require('attnlab.repl').command(':lesson')"), cwd)
  t.eq(code, 0, out)
  t.truthy(out:find("   1  Tensors, shapes and axes\n", 1, true), out)
  local listed = 0
  for _ in out:gmatch("\n?%s+%d+  [^\n]+") do listed = listed + 1 end
  t.eq(listed, NLESSONS, out)
  t.truthy(out:find(":lesson N runs lesson N", 1, true), out)
end

-- a copy of the built program and its lua/ folder under `dir`
local function copy_tree(dir)
  local out, code = sh(string.format("mkdir -p %s && cp %s %s/attnlab && cp -r %s %s/lua",
                                     quote(dir), quote(ATTNLAB), quote(dir),
                                     quote(SRCDIR .. "/lua"), quote(dir)))
  t.eq(code, 0, out)
  return dir .. "/attnlab"
end

t.test("there are lessons to list", function()
  t.truthy(NLESSONS >= 1, "no lessons in " .. SRCDIR .. "/lua/lessons")
end)

t.test("a copy of the built tree runs elsewhere, with its own library and lessons", function()
  local root = tmpdir()
  local exe = copy_tree(root .. "/attnlab-copy")
  local cwd = tmpdir()
  write(cwd .. "/model.lua", MODEL_SCRIPT)
  local out, code = run(exe, "model.lua", cwd)
  t.eq(code, 0, out)
  t.eq(out, "predict\t(6, 2)\n")
  -- the copy's library, not the original tree's
  out, code = run(exe, "-e " .. WHERE, cwd)
  t.eq(code, 0, out)
  t.eq(out, root .. "/attnlab-copy/lua/attnlab/init.lua\n"
            .. root .. "/attnlab-copy/lua/lessons\n")
  check_lesson_list(exe, cwd)
  -- and :lesson 1 runs to its end at the prompt
  out, code = run(exe, "-e " .. quote("local R = require 'attnlab.repl'; R.start(); "
    .. "os.exit(R.run_lesson(1, {auto = true}) and R.lesson_state == nil and 0 or 1)"), cwd)
  t.eq(code, 0, out)
  t.truthy(out:find("End of the lesson; your variables stay.", 1, true), out)
end)

t.test("a tree on a path with a space runs through a symbolic link and through PATH", function()
  local root = tmpdir()
  local exe = copy_tree(root .. "/my lab")
  local bin = tmpdir()
  local out, code = sh("ln -s " .. quote(exe) .. " " .. quote(bin .. "/attnlab"))
  t.eq(code, 0, out)
  local want = root .. "/my lab/lua/attnlab/init.lua\n" .. root .. "/my lab/lua/lessons\n"
  out, code = run(bin .. "/attnlab", "-e " .. WHERE, tmpdir())
  t.eq(code, 0, out)
  t.eq(out, want)
  -- started by its name alone, found through PATH
  out, code = sh(string.format("cd %s && env -u ATTNLAB_LUADIR -u ATTNLAB_LESSONS PATH=%s:\"$PATH\" attnlab -e %s",
                               quote(tmpdir()), quote(bin), WHERE))
  t.eq(code, 0, out)
  t.eq(out, want)
end)

t.test("make install into a temporary prefix: the installed program runs from another folder", function()
  local builddir = ATTNLAB:match("^(.*)/[^/]*$") or "."
  local f = io.open(builddir .. "/Makefile", "r")
  t.truthy(f, "no Makefile beside " .. ATTNLAB .. " to run make install with")
  f:close()
  local prefix = tmpdir() .. "/prefix"
  -- the outer make's flags (its jobserver) are not this make's
  local out, code = sh(string.format(
    "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C %s install prefix=%s bindir=%s datadir=%s",
    quote(builddir), quote(prefix), quote(prefix .. "/bin"), quote(prefix .. "/share")))
  t.eq(code, 0, out)
  local exe = prefix .. "/bin/attnlab"
  local cwd = tmpdir()
  out, code = run(exe, "-e " .. WHERE, cwd)
  t.eq(code, 0, out)
  t.eq(out, prefix .. "/share/attnlab/lua/attnlab/init.lua\n"
            .. prefix .. "/share/attnlab/lua/lessons\n")
  -- a script using nn
  write(cwd .. "/model.lua", MODEL_SCRIPT)
  out, code = run(exe, "model.lua", cwd)
  t.eq(code, 0, out)
  t.eq(out, "predict\t(6, 2)\n")
  check_lesson_list(exe, cwd)
  -- an installed lesson run as a script: it trains, and draws in cwd
  local lesson = prefix .. "/share/attnlab/lua/lessons/10_training_heatmap.lua"
  out, code = run(exe, quote(lesson), cwd, "ATTNLAB_FAST=1 ATTNLAB_LANG=en")
  t.eq(code, 0, out)
  t.truthy(out:find("Lesson 10: ", 1, true), out)
  t.truthy(out:find("End of the lesson.", 1, true), out)
  local png = io.open(cwd .. "/lesson10_history.png", "rb")
  t.truthy(png, "lesson 10 wrote no lesson10_history.png in " .. cwd .. ":\n" .. out)
  t.eq(png:read(8), "\137PNG\r\n\26\n")
  png:close()
end)

t.test("ATTNLAB_LUADIR overrides where the library is found", function()
  local root = tmpdir()
  copy_tree(root)
  local out, code = run(ATTNLAB, "-e " .. WHERE, tmpdir(), "ATTNLAB_LUADIR=" .. quote(root .. "/lua"))
  t.eq(code, 0, out)
  t.eq(out, root .. "/lua/attnlab/init.lua\n" .. root .. "/lua/lessons\n")
  -- a folder without the library is an error, not a fall back
  local empty = tmpdir()
  out, code = run(ATTNLAB, "-e " .. quote("print('ran')"), empty, "ATTNLAB_LUADIR=" .. quote(empty))
  t.eq(code, 1)
  t.eq(out, "attnlab: cannot find the Lua library: ATTNLAB_LUADIR is '" .. empty
            .. "', which holds no attnlab/init.lua\n"
            .. "(set ATTNLAB_LUADIR to the folder that holds attnlab/init.lua, or unset it)\n")
end)

t.test("a program without its library says where it looked", function()
  local dir = tmpdir()
  local out, code = sh("cp " .. quote(ATTNLAB) .. " " .. quote(dir .. "/attnlab"))
  t.eq(code, 0, out)
  out, code = run(dir .. "/attnlab", "-e " .. quote("print('ran')"), tmpdir())
  t.eq(code, 1)
  t.eq(out, "attnlab: cannot find the Lua library (attnlab/init.lua); looked in:\n"
            .. "  " .. dir .. "/lua\n"
            .. "  " .. dir .. "/../share/attnlab/lua\n"
            .. "(keep the lua folder next to the program, run make install, or set "
            .. "ATTNLAB_LUADIR to the folder that holds attnlab/init.lua)\n")
  -- --help and --version need no library
  out, code = run(dir .. "/attnlab", "--version", dir)
  t.eq(code, 0, out)
  t.truthy(out:find("^attnlab %d"), out)
end)

for _, d in ipairs(temps) do os.execute("rm -rf " .. quote(d)) end
t.done()
