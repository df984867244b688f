-- test_hints.lua - Python and Keras habits met with hints
-- (lua/attnlab/hints.lua): undefined globals such as True and np raise an
-- error saying what Lua writes, in scripts and at the prompt; a keyword
-- argument's syntax error says how to write the call; top-level locals of
-- a chunk run the prompt's way stay for the next chunk. The prompt itself
-- is tested through a pseudo-terminal in tests/c/test_repl.c.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")
local hints = require "attnlab.hints"
local i18n = require "attnlab.i18n"
local R = require "attnlab.repl"

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

-- runs attnlab with the (quoted) arguments and stdin from `input`;
-- returns stdout, stderr, exit status
local function run(args, input)
  local out, err = tmpfile(), tmpfile()
  local inp = input and tmpfile(input) or "/dev/null"
  local cmd = string.format("%s %s <%s >%s 2>%s", quote(ATTNLAB), args, quote(inp),
                            quote(out), quote(err))
  local _, how, code = os.execute(cmd)
  t.eq(how, "exit", "attnlab ended by a signal: " .. cmd)
  return slurp(out), slurp(err), code
end

-- the error of running code (as a chunk named name), without traceback
local function error_of(code, name)
  local f = assert(load(code, "=" .. (name or "chunk")))
  local ok, err = pcall(f)
  t.truthy(not ok, "no error from " .. code)
  return err
end

-- ---- undefined globals ---------------------------------------------------

local messages = {
  True = "'True' is not defined: Lua writes true (lower case)",
  False = "'False' is not defined: Lua writes false (lower case)",
  None = "'None' is not defined: Lua writes nil for no value, and nn.None for Keras's unknown size",
  np = "'np' is not defined: attnlab has no NumPy; tensor.* has the array functions "
       .. "(tensor.zeros, tensor.from, tensor.matmul)",
  tf = "'tf' is not defined: attnlab has no TensorFlow; tensor.* has the ops "
       .. "(tensor.matmul, tensor.softmax) and nn.* the layers",
  keras = "'keras' is not defined: attnlab has no keras module; nn.* has the layers, "
          .. "models, losses and optimizers (nn.GRU, nn.Model)",
  layers = "'layers' is not defined: Keras's layers are nn.* here (nn.Dense, nn.GRU)",
  K = "'K' is not defined: the Keras backend's functions are tensor.* here "
      .. "(tensor.sum, tensor.batch_dot)",
}

t.test("True in a layer's options is an error that says true, not a dropped option", function()
  local err = error_of("local g = nn.GRU(64, {return_sequences=True})", "script.lua")
  t.eq(err, "script.lua:1: " .. messages.True)
end)

t.test("each Python name says what Lua writes, at the line that reads it", function()
  local none = rawget(_G, "None")
  None = nil -- attnlab defines None; unset, it hints too
  for name, want in pairs(messages) do
    t.eq(error_of("local a = 1\n\nlocal x = " .. name .. "\n", "lines.lua"), "lines.lua:3: " .. want, name)
    -- inside a function: the function's line, not the caller's
    local f = load("return function()\n  return " .. name .. ".x\nend", "=f.lua")()
    local ok, err = pcall(f)
    t.truthy(not ok)
    t.eq(err, "f.lua:2: " .. want, name .. " in a function")
  end
  None = none
end)

t.test("None is attnlab's None; other undefined globals are nil; assigning works", function()
  t.truthy(rawequal(None, nn.None), "None is nn.None")
  t.eq(tostring(None), "None")
  t.eq(load("return no_such_global_here")(), nil)
  t.eq(load("return true_")(), nil)
  K = 3
  t.eq(K, 3)
  layers = { "mine" }
  t.eq(layers[1], "mine")
  K, layers = nil, nil
  t.eq(error_of("return K + 1", "again"), "again:1: " .. messages.K)
  -- rawget and completion see nothing there
  t.eq(rawget(_G, "np"), nil)
  local word = "n"
  local c = R.complete("n", word)
  for _, v in ipairs(c) do t.truthy(v ~= "np", "np offered as a completion") end
end)

t.test("the hints in Chinese", function()
  i18n.set("zh")
  local err = error_of("return True", "zh.lua")
  i18n.set("en")
  t.eq(err, "zh.lua:1: 没有定义“True”：Lua 写作 true（小写）")
  i18n.set("zh")
  err = error_of("return np.zeros(2)", "zh.lua")
  i18n.set("en")
  t.eq(err, "zh.lua:1: 没有定义“np”：attnlab 里没有 NumPy；数组函数在 tensor.* 里"
            .. "（tensor.zeros、tensor.from、tensor.matmul）")
  for name, m in pairs(hints.globals) do
    t.eq(#t.chinese_punctuation_problems(m[2]), 0, name .. ": " .. m[2])
  end
end)

t.test("a script, -e and piped standard input name the learner's line", function()
  local script = tmpfile("print('one')\nlocal m = nn.Dense(3, {use_bias = False})\nprint('two')\n")
  local out, err, code = run(quote(script))
  t.truthy(code ~= 0, "exit status 0")
  t.eq(out, "one\n")
  t.truthy(err:find("attnlab: " .. script .. ":2: " .. messages.False .. "\n", 1, true), err)
  out, err, code = run("-e " .. quote("x = tf.constant(1)"))
  t.truthy(code ~= 0)
  t.truthy(err:find("attnlab: (command line):1: " .. messages.tf .. "\n", 1, true), err)
  out, err, code = run("", "y = 1\nz = keras.layers.Dense(3)\n")
  t.truthy(code ~= 0)
  t.truthy(err:find("attnlab: stdin:2: " .. messages.keras .. "\n", 1, true), err)
  -- and a script that assigns one first runs
  out, err, code = run("-e " .. quote("K = 2; layers = {}; print(K * 2, #layers, undefined_one)"))
  t.eq(code, 0, err)
  t.eq(out, "4\t0\tnil\n")
end)

-- ---- keyword arguments ------------------------------------------------------

-- the message of loading code, with its hint
local function load_error(code, name)
  local f, err = load(code, "=" .. (name or "stdin"))
  t.eq(f, nil, "loaded: " .. code)
  return hints.syntax_error(err, code)
end

local function kw(call)
  return "Lua has no keyword arguments: write `" .. call .. "`"
end

t.test("a keyword argument: the call written with an options table", function()
  t.eq(load_error("nn.GRU(64, return_sequences=true)"),
       "stdin:1: ')' expected near '='\n" .. kw("nn.GRU(64, {return_sequences = true})"))
  -- Python's values become Lua's: True, None, tuples and lists
  t.eq(load_error("g = nn.GRU(64, return_sequences=True, return_state=False)"),
       "stdin:1: ')' expected near '='\n"
       .. kw("nn.GRU(64, {return_sequences = true, return_state = false})"))
  t.eq(load_error("d = nn.Dense(3, activation=None)"),
       "stdin:1: ')' expected near '='\n" .. kw("nn.Dense(3, {activation = nil})"))
  t.eq(load_error("x = keras.Input(shape=(None, 4))"),
       "stdin:1: ')' expected near '='\n" .. kw("nn.Input{shape = {None, 4}}"))
  t.eq(load_error("x = nn.Input(shape=(10,))"),
       "stdin:1: ')' expected near '='\n" .. kw("nn.Input{shape = {10}}"))
  t.eq(load_error("p = layers.Permute(dims=[2, 1])"),
       "stdin:1: ')' expected near '='\n" .. kw("nn.Permute{dims = {2, 1}}"))
  -- a string value keeps its quotes and its text
  t.eq(load_error("d = nn.Dense(3, activation='tanh', name=\"a=b, c\")"),
       "stdin:1: ')' expected near '='\n" .. kw("nn.Dense(3, {activation = 'tanh', name = \"a=b, c\"})"))
  -- an index in a value stays an index; a call stays a call
  t.eq(load_error("m:fit(x[1], y, epochs=n(2), validation_data=(x, y))"),
       "stdin:1: ')' expected near '='\n"
       .. kw("m:fit(x[1], y, {epochs = n(2), validation_data = {x, y}})"))
end)

t.test("a keyword argument: Python's method call becomes `:`", function()
  t.eq(load_error("model.fit(x_train, y_train, epochs=10, batch_size=32)"),
       "stdin:1: ')' expected near '='\n"
       .. "Lua has no keyword arguments: write `model:fit(x_train, y_train, {epochs = 10, batch_size = 32})`"
       .. " (a method is called with `:`)")
  -- a module's function keeps its `.`
  t.eq(load_error("viz.heatmap(w, file='a.png')"),
       "stdin:1: ')' expected near '='\n" .. kw("viz.heatmap(w, {file = 'a.png'})"))
end)

t.test("a keyword argument inside another call, over several lines", function()
  -- the innermost call is the one Lua stopped in
  t.eq(load_error("b = nn.Bidirectional(nn.GRU(64, return_sequences=True), merge_mode='sum')"),
       "stdin:1: ')' expected near '='\n" .. kw("nn.GRU(64, {return_sequences = true})"))
  local code = "local x = 1\nhistory = model:fit(x, y,\n    epochs=5,\n    verbose=0)\n"
  t.eq(load_error(code, "train.lua"),
       "train.lua:3: ')' expected (to close '(' at line 2) near '='\n"
       .. kw("model:fit(x, y, {epochs = 5, verbose = 0})"))
  -- a `=` in a function passed as an argument is no keyword argument
  code = "ok = pcall(function() a = 1 end, f(b=2))"
  t.eq(load_error(code), "stdin:1: ')' expected near '='\n" .. kw("f{b = 2}"))
  -- "=" in strings and comments before it are skipped
  code = "s = 'f(a=1)' --[[ g(b=2) ]] -- h(c=3)\nprint(s, sep='')"
  t.eq(load_error(code), "stdin:2: ')' expected near '='\n" .. kw("print(s, {sep = ''})"))
end)

t.test("a keyword argument not in a plain call gets the general hint", function()
  local generic = "Lua has no keyword arguments: put them in a table, the last argument: "
                  .. "`nn.GRU(64, {return_sequences = true})`"
  t.eq(load_error("x = (f)(a=1)"), "stdin:1: ')' expected near '='\n" .. generic)
  t.eq(load_error("nn.GRU(64, return_sequences=true"), "stdin:1: ')' expected near '='\n" .. generic)
  t.eq(hints.syntax_error("stdin:1: ')' expected near '='"), "stdin:1: ')' expected near '='\n" .. generic)
  -- a definition with a default value
  t.eq(load_error("function scale(x, factor=2) return x * factor end"),
       "stdin:1: ')' expected near '='\nLua has no default parameter values: write "
       .. "`function scale(x, factor)` and begin its body with `if factor == nil then factor = 2 end`")
  -- other syntax errors are left alone
  t.eq(hints.syntax_error("stdin:1: ')' expected near <eof>", "print(1"), "stdin:1: ')' expected near <eof>")
  t.eq(hints.syntax_error("stdin:1: unexpected symbol near '='", "= 1"), "stdin:1: unexpected symbol near '='")
  t.eq(hints.syntax_error(nil), nil)
end)

t.test("the script runner adds the hint: a script file, -e and piped standard input", function()
  local want = "')' expected near '='\n" .. kw("nn.GRU(64, {return_sequences = true})") .. "\n"
  local script = tmpfile("#!/usr/bin/env attnlab\nprint('never')\ng = nn.GRU(64, return_sequences=True)\n")
  local out, err, code = run(quote(script))
  t.truthy(code ~= 0, "exit status 0")
  t.eq(out, "")
  t.eq(err, "attnlab: " .. script .. ":3: " .. want)
  out, err, code = run("-e " .. quote("nn.GRU(64, return_sequences=true)"))
  t.truthy(code ~= 0)
  t.eq(err, "attnlab: (command line):1: " .. want)
  out, err, code = run("", "x = 1\n\ng = nn.GRU(64,\n  return_sequences = true)\n")
  t.truthy(code ~= 0)
  t.eq(err, "attnlab: stdin:4: ')' expected (to close '(' at line 3) near '='\n"
            .. kw("nn.GRU(64, {return_sequences = true})") .. "\n")
  -- `attnlab -` reads standard input through Lua: the general hint
  out, err, code = run("-", "nn.GRU(64, return_sequences=true)\n")
  t.truthy(code ~= 0)
  t.truthy(err:find("attnlab: stdin:1: ')' expected near '='\nLua has no keyword arguments: put them in a table",
                    1, true), err)
end)

t.test("the keyword hint in Chinese", function()
  i18n.set("zh")
  local msg = load_error("nn.GRU(64, return_sequences=true)")
  i18n.set("en")
  t.eq(msg, "stdin:1: ')' expected near '='\nLua 没有关键字参数：写成 `nn.GRU(64, {return_sequences = true})`")
end)

-- ---- top-level locals -------------------------------------------------------

local rewrite = hints.toplevel_locals

t.test("top-level locals become globals; nothing else changes", function()
  t.eq(rewrite("local x = 1"), " x = 1")
  t.eq(rewrite("local a, b = f()"), " a, b = f()", "multiple assignment")
  t.eq(rewrite("local y"), " y = nil")
  t.eq(rewrite("local a, b"), " a, b = nil")
  t.eq(rewrite("local x <const> = 5"), " x  = 5")
  t.eq(rewrite("local n1 <const>, n2 = 1, 2"), " n1 , n2 = 1, 2")
  t.eq(rewrite("local p = 1; local q = p + 1"), " p = 1;  q = p + 1")
  t.eq(rewrite("local function fact(n) if n < 2 then return 1 end return n * fact(n - 1) end"),
       " function fact(n) if n < 2 then return 1 end return n * fact(n - 1) end")
  -- nothing to do
  t.eq(rewrite("x = 1"), nil)
  t.eq(rewrite("print('local x = 1', [[local y]]) -- local z"), nil, "strings and comments")
  t.eq(rewrite("s = 'it\\'s local' local t2 = \"local\""), "s = 'it\\'s local'  t2 = \"local\"")
  -- `local x <close>` is closed at the end of its chunk: left alone
  t.eq(rewrite("local h <close> = nil"), nil)
end)

t.test("locals inside functions and blocks stay local", function()
  t.eq(rewrite("function g() local z = 1 return z end"), nil)
  t.eq(rewrite("do local q = 1 end"), nil)
  t.eq(rewrite("local m = {f = function() local inner = 1 end}"),
       " m = {f = function() local inner = 1 end}")
  t.eq(rewrite("for i = 1, 2 do local w = i end local after = 1"),
       "for i = 1, 2 do local w = i end  after = 1")
  t.eq(rewrite("while c do local w = 1 end repeat local r = 1 until r local s2 = 2"),
       "while c do local w = 1 end repeat local r = 1 until r  s2 = 2")
  t.eq(rewrite("if x then local a1 = 1 elseif y then local a2 = 2 else local a3 = 3 end local a4 = 4"),
       "if x then local a1 = 1 elseif y then local a2 = 2 else local a3 = 3 end  a4 = 4")
  t.eq(rewrite("local function outer()\n  local inside = 1\n  return inside\nend"),
       " function outer()\n  local inside = 1\n  return inside\nend")
end)

t.test("the rewritten chunk keeps every line's number", function()
  local code = "local --[[ a\ncomment ]] k = 1\nlocal t = {\n  [[\nlong]],\n  nn.Dense(3)(tensor.ones(3)),\n}\n"
  local new = rewrite(code)
  t.eq(select(2, new:gsub("\n", "")), select(2, code:gsub("\n", "")))
  local ok, err = pcall(assert(load(new, "=stdin")))
  t.truthy(not ok)
  t.truthy(err:find("^stdin:6: Dense 'dense': expected input of rank >= 2"), err)
end)

t.test("lessons and docstring examples run with top-level locals kept", function()
  local out = t.capture(R.run_lines, table.concat({
    "local n = 4",
    "local function fact(k)",
    "  if k <= 1 then return 1 end",
    "  return k * fact(k - 1)",
    "end",
    "local a, b = fact(n), n",
    "local c <const> = a + b",
    "function keep() local hidden_here = 1 return hidden_here end",
    "keep()",
    "c",
    "hidden_here",
  }, "\n"))
  t.eq(out, "1\n28\nnil\n")
  t.eq(a, 24)
  t.eq(b, 4)
  t.eq(fact(5), 120, "local function recursion")
  n, fact, a, b, c, keep = nil, nil, nil, nil, nil, nil
  -- a keyword argument in a lesson's code gets the hint
  out = t.capture(R.run_lines, "g = nn.GRU(4, return_sequences=true)")
  t.eq(out, "lesson:1: ')' expected near '='\n" .. kw("nn.GRU(4, {return_sequences = true})") .. "\n")
end)

t.test("the lexer: numbers, strings, long brackets, operators", function()
  local toks = hints.lex("x = 0x1p-4 + 1e-5 .. 'a\\'b' .. [==[c]]d]==] // 2 ~= 3 ... --[[ c ]] y")
  local vals = {}
  for i, tk in ipairs(toks) do vals[i] = tk.v end
  t.eq(table.concat(vals, " "), "x = 0x1p-4 + 1e-5 .. 'a\\'b' .. [==[c]]d]==] // 2 ~= 3 ... y")
  toks = hints.lex("a\n'two\\\nlines'\nb")
  t.eq(toks[3].v, "b")
  t.eq(toks[3].line, 4)
  t.eq(#hints.lex("s = 'unfinished\nnext"), 4, "an unfinished string ends with its line")
end)

for _, name in ipairs(temps) do os.remove(name) end
t.done()
