-- test_repl.lua - the Lua side of the prompt (lua/attnlab/repl.lua):
-- completion, pretty printing, short tracebacks, help and the docstrings,
-- the : commands and lessons. The prompt itself (readline, Ctrl-C, the
-- history file) is tested through a pseudo-terminal in tests/c/test_repl.c.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")
local R = require "attnlab.repl"
local docs = require "attnlab.docs"

local capture = t.capture

local function has(list, want)
  for _, v in ipairs(list) do if v == want then return true end end
  return false
end

local function complete(line)
  local word = line:match("[^ \t\n\"'`@$><=;|&{(,)}%[%]+%-*/%%^~#:.\\]*$")
  return R.complete(line, word)
end

t.test("completion: globals, fields after . and methods after :", function()
  t.truthy(has(complete("nn.Bi"), "Bidirectional"))
  t.eq(#complete("nn.Bi"), 1)
  t.truthy(has(complete("tens"), "tensor"))
  t.truthy(has(complete("wh"), "while"), "keywords")
  x_test = tensor.ones(2, 3)
  local methods = complete("x_test:")
  t.truthy(has(methods, "reshape("), "tensor methods")
  t.truthy(has(methods, "matmul("))
  t.truthy(not has(methods, "zeros("), "constructors are not methods")
  t.truthy(has(complete("x_test."), "shape"), "tensor fields after .")
  -- a layer's methods come from its class up to nn.Layer
  g_test = nn.GRU(4)
  local gm = complete("g_test:")
  t.truthy(has(gm, "count_params("), "nn.Layer's methods")
  t.truthy(has(gm, "copy("), "the class's methods")
  t.truthy(not has(gm, "describe(") and not has(gm, "clone_options("),
           "internal methods (docs.internal) are left out")
  t.eq(complete("g_test:descr")[1], "describe(", "unless nothing else matches")
  t.truthy(not has(gm, "__call("), "no metamethods")
  -- a model's summary
  m_test = nn.Sequential{ nn.Input{5, 3}, nn.GRU(4) }
  t.eq(complete("m_test:su")[1], "summary(")
  -- through an index
  t.truthy(has(complete("m_test.layers[2]:"), "count_params("))
  -- unknown things complete to nothing, never fail
  t.eq(#complete("nosuchthing."), 0)
  t.eq(#complete("x_test.shape.zz"), 0)
  x_test, g_test, m_test = nil, nil, nil
end)

t.test("completion never calls __index functions or user code", function()
  local called = false
  trap_test = setmetatable({}, { __index = function() called = true end })
  complete("trap_test.a")
  complete("trap_test:")
  t.truthy(not called, "__index function called")
  trap_test = nil
end)

t.test("completion: option names of layers, compile and fit", function()
  local c = complete("nn.GRU(64, {return_s")
  t.truthy(has(c, "return_sequences="), table.concat(c, " "))
  t.truthy(has(c, "return_state="))
  t.truthy(has(complete("nn.Dense(3, {activ"), "activation="))
  t.truthy(has(complete("nn.GRU(64, {return_sequences=true, go_"), "go_backwards="))
  t.truthy(has(complete("nn.MultiHeadAttention{num_"), "num_heads="))
  t.truthy(has(complete("nn.Attention{use_"), "use_scale="), "from the docs")
  t.truthy(has(complete("model:fit(x, y, {ep"), "epochs="))
  t.truthy(has(complete("viz.heatmap(m, {cm"), "cmap="))
  -- a value position is not a key: globals
  t.truthy(has(complete("nn.GRU(64, {return_sequences=tr"), "true"))
  -- the option tables are the constructors' own
  t.truthy(nn.option_names.GRU.reset_after and not nn.option_names.LSTM.reset_after)
  t.truthy(nn.option_names.LSTM.unit_forget_bias)
end)

t.test("completion: file names inside strings", function()
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir -p " .. dir .. "/sub && touch " .. dir .. "/data_one.csv " .. dir .. "/sub/x.lua")
  local c = complete('f = io.open("' .. dir .. '/da')
  t.eq(c[1], "data_one.csv")
  c = complete('f = io.open("' .. dir .. '/s')
  t.eq(c[1], "sub/")
  c = complete('f = io.open("' .. dir .. '/data_one.')
  t.eq(c[1], "csv")
  -- at the prompt readline knows the quotes: the word is the whole text
  -- of the string, and "file" says that these are file names
  local kind
  c, kind = R.complete('f = io.open("' .. dir .. '/s', dir .. '/s')
  t.eq(#c, 1)
  t.eq(c[1], dir .. "/sub/")
  t.eq(kind, "file")
  c = R.complete("dofile('" .. dir .. "/", dir .. "/")
  t.eq(table.concat(c, " "), dir .. "/data_one.csv " .. dir .. "/sub/")
  t.eq(select(2, R.complete("nn.Bi", "Bi")), nil, "not file names")
  os.execute("rm -rf " .. dir)
end)

t.test("completion: nn. lists what a learner uses, not the internals", function()
  local names = complete("nn.")
  for _, want in ipairs { "Dense", "GRU", "Bidirectional", "Model", "Sequential", "Input",
                          "losses", "optimizers", "seed", "clear_session" } do
    t.truthy(has(names, want), "nn." .. want .. " is listed")
  end
  for _, hidden in ipairs { "DenseClass", "AttentionClass", "ModelClass", "unique_name", "class",
                            "check_units", "masks" } do
    t.truthy(not has(names, hidden), "nn." .. hidden .. " is internal")
  end
  t.eq(table.concat(complete("nn.D"), " "), "Dense Dot Dropout")
  t.eq(table.concat(complete("nn.uniq"), " "), "unique_name", "typed out, it still completes")
  loss_test = nn.losses.MeanSquaredError()
  t.truthy(not has(complete("loss_test:"), "check("), "Loss:check is internal")
  t.truthy(has(complete("loss_test:"), "call("))
  loss_test = nil
end)

t.test("pretty printing: layers, models, tables, tensors", function()
  nn.clear_session()
  R.install_hooks()
  local g = nn.GRU(64, { return_sequences = true })
  t.eq(R.format(g), "GRU 'gru' (64 units, return_sequences), not built yet")
  g(nn.Input{ 64, 16 })
  t.eq(R.format(g), "GRU 'gru' (64 units, return_sequences) -> (None, 64, 64), 15,744 params")
  local d = nn.Dense(3, { activation = "tanh" })
  d(tensor.ones(2, 5, 4))
  t.eq(R.format(d), "Dense 'dense' (3 units, tanh) -> (2, 5, 3), 15 params")
  local b = nn.Bidirectional(nn.LSTM(8))
  t.truthy(R.format(b):find("^Bidirectional 'bidirectional' %(LSTM, 8 units, concat%)"), R.format(b))
  local m = nn.Sequential{ nn.Input{ 10, 4 }, nn.GRU(8), nn.Dense(1) }
  t.truthy(R.format(m):find("^Sequential 'sequential' %(2 layers, %(None, 10, 4%) %-> %(None, 1%)%), 345 params"),
           R.format(m))
  t.eq(R.format({ 1, 2, name = "x", sub = { a = true } }), '{1, 2, name = "x", sub = {a = true}}')
  local deep = { { { { { 1 } } } } }
  t.eq(R.format(deep), "{{{{...}}}}")
  local cyc = {}
  cyc.self = cyc
  t.eq(R.format(cyc), "{self = { <cycle> }}")
  local big = {}
  for i = 1, 100 do big[i] = i end
  t.truthy(R.format(big):find("... (100 entries)", 1, true))
  t.eq(R.format(tensor.ones(2)), tostring(tensor.ones(2)))
  t.eq(R.format({ tensor.ones(2, 3) }), "{<tensor shape=(2, 3)>}")
  t.eq(R.format(nn.GRU), "function nn.GRU")
  t.eq(R.format("plain"), "plain")
  t.eq(capture(R.show, 1, "a", nil), "1\ta\tnil\n")
  -- no colour unless asked
  t.truthy(not R.format(g):find("\27", 1, true))
  R.color = true
  t.truthy(R.format(g):find("\27[", 1, true))
  R.color = false
end)

t.test("errors: the message and a short traceback", function()
  local msg = "stdin:1: boom\nstack traceback:\n\t[C]: in function 'error'\n\tstdin:1: in main chunk\n\t[C]: in ?"
  t.eq(R.format_error(msg), "stdin:1: boom\ntraceback:\n  stdin:1: in main chunk")
  local long = { "x: bad\nstack traceback:" }
  for i = 1, 20 do long[#long + 1] = "\tf" .. i .. ".lua:1: in function 'f'" end
  local s = R.format_error(table.concat(long, "\n"))
  t.truthy(s:find("(14 more)", 1, true), s)
  t.eq(R.format_error("plain"), "plain")
end)

t.test(":shapes traces layer calls; off stops it", function()
  local out = capture(R.command, ":shapes on")
  t.truthy(out:find("on", 1, true))
  local d = nn.Dense(3)
  out = capture(function() d(tensor.ones(2, 5, 4)) end)
  t.truthy(out:find("(Dense): (2, 5, 4) -> (2, 5, 3)", 1, true), out)
  local m
  out = capture(function()
    m = nn.Sequential{ nn.Input{ 6, 2 }, nn.SimpleRNN(3, { return_sequences = true }), nn.Dense(1) }
  end)
  t.truthy(out:find("(SimpleRNN): (None, 6, 2) -> (None, 6, 3)", 1, true), out)
  out = capture(function() m(tensor.ones(4, 6, 2)) end)
  t.truthy(out:find("(Sequential): (4, 6, 2) -> (4, 6, 1)", 1, true), out)
  capture(R.command, ":shapes off")
  out = capture(function() d(tensor.ones(2, 5, 4)) end)
  t.eq(out, "")
  -- errors inside a traced call keep the learner's line
  local err = t.raises(function() nn.Dense(3)(tensor.ones(3)) end, "expected input of rank >= 2")
  t.truthy(err:find("test_repl.lua", 1, true), err)
  t.raises(function() R.command(":shapes maybe") end, ":shapes takes on or off")
end)

t.test(":shapes during fit, evaluate and predict prints each layer once, for the first batch", function()
  nn.clear_session()
  R.install_hooks()
  local m = nn.Sequential{ nn.Input{ 3 }, nn.Dense(4), nn.Dense(1) }
  m:compile{ optimizer = "sgd", loss = "mse" }
  local x, y = tensor.ones(10, 3), tensor.ones(10, 1)
  capture(R.command, ":shapes on")
  local function count(out, pat)
    local n = 0
    for _ in out:gmatch(pat) do n = n + 1 end
    return n
  end
  -- 10 samples in batches of 4: 3 batches, the last one of 2
  local out = capture(function() m:fit(x, y, { epochs = 2, batch_size = 4, verbose = 0 }) end)
  t.eq(count(out, "dense %(Dense%)"), 1, out)
  t.eq(count(out, "dense_1 %(Dense%)"), 1, out)
  t.truthy(out:find("dense (Dense): (4, 3) -> (4, 4)", 1, true), "the first batch's shapes:\n" .. out)
  out = capture(function() m:predict(x, { batch_size = 4 }) end)
  t.eq(count(out, "dense %(Dense%)"), 1, out)
  out = capture(function() m:evaluate(x, y, { batch_size = 4 }) end)
  t.eq(count(out, "dense_1 %(Dense%)"), 1, out)
  -- outside them every call prints, as before
  out = capture(function() m(x); m(x) end)
  t.eq(count(out, "dense %(Dense%)"), 2, out)
  -- a fit that fails ends its once-per-layer rule too
  t.raises(function()
    capture(function()
      m:fit(x, y, { epochs = 1, batch_size = 4, verbose = 0,
                    callbacks = { function() error("stop here") end } })
    end)
  end, "stop here")
  out = capture(function() m(x); m(x) end)
  t.eq(count(out, "dense %(Dense%)"), 2, out)
  capture(R.command, ":shapes off")
end)

t.test(":time, :save, :help, unknown commands, :quit", function()
  local out = capture(R.command, ":time on 0")
  t.truthy(out:find("timing on", 1, true), out)
  out = capture(R.timed, 0.25)
  t.truthy(out:find("(0.250 s)", 1, true), out)
  t.eq(capture(R.command, ":time off"), "timing off\n")
  t.eq(capture(R.timed, 5), "")
  t.eq(capture(R.command, ":time on 2"), "timing on (commands over 2 s)\n")
  t.eq(capture(R.command, ":time"), "timing off\n", ":time alone switches")
  R.time_threshold = 0.5
  R.commands = {}
  R.record("a_saved = 1")
  R.record("b_saved = a_saved + 1")
  local file = os.tmpname()
  out = capture(R.command, ":save " .. file)
  t.truthy(out:find("saved 2 commands", 1, true), out)
  local f = assert(io.open(file))
  local text = f:read("a")
  f:close()
  os.remove(file)
  t.truthy(text:find("a_saved = 1\nb_saved = a_saved + 1\n", 1, true), text)
  out = capture(R.command, ":help")
  for _, w in ipairs { "tensor", "nn", "viz", "data", ":shapes", ":time", ":save", ":lesson", "nn.GRU" } do
    t.truthy(out:find(w, 1, true), "help lacks " .. w)
  end
  t.truthy(capture(R.command, ":nope"):find("unknown command", 1, true))
  t.eq(R.command(":quit"), "quit")
  t.raises(function() R.command(":time sideways") end, ":time takes on or off")
end)

t.test("help: by value, by name, ?name, and every required entry", function()
  for _, name in ipairs { "tensor", "tensor.matmul", "tensor.softmax", "nn.Dense", "nn.GRU",
                          "nn.LSTM", "nn.SimpleRNN", "nn.Bidirectional", "nn.Embedding",
                          "nn.Masking", "nn.Attention", "nn.AdditiveAttention",
                          "nn.MultiHeadAttention", "nn.Model", "nn.Sequential",
                          "Model:compile", "Model:fit", "viz.heatmap", "viz.show" } do
    local e = docs.index[name]
    t.truthy(e, "no docstring for " .. name)
    t.truthy(e.signature and e.computes and e.keras and e.example, "incomplete: " .. name)
  end
  local out = capture(R.help, nn.GRU)
  t.truthy(out:find("nn.GRU(units, {options})", 1, true), out)
  t.truthy(out:find("return_sequences", 1, true))
  t.truthy(out:find("keras.layers.GRU", 1, true))
  t.eq(capture(R.help, "Bidirectional"), capture(R.help, nn.Bidirectional))
  t.eq(capture(R.command, "?nn.Dense"), capture(R.help, nn.Dense))
  t.eq(capture(R.help, nn.GRU(3)), capture(R.help, nn.GRU))
  t.truthy(capture(R.help, "fit"):find("model:fit", 1, true))
  t.truthy(capture(R.help, tensor.ones(1)):find("tensor module", 1, true))
  t.truthy(capture(R.help, "zzz"):find("no help for 'zzz'", 1, true))
  t.truthy(capture(R.help, "atten"):find("try:", 1, true))
  t.truthy(capture(R.help, nn):find("nn.Dense", 1, true))
  -- the global help() is the same
  t.eq(capture(help, nn.LSTM), capture(R.help, nn.LSTM))
end)

t.test("the docstrings' examples run", function()
  nn.clear_session()
  for _, e in ipairs(docs.entries) do
    if not e.needs then
      -- as typed at the prompt, line by line
      local ok
      local out = capture(function() ok = R.run_lines(e.example) end)
      t.truthy(ok, e.name .. ": " .. out)
    end
  end
end)

t.test("docs/reference.md is generated from the same table", function()
  local dir = os.getenv("ATTNLAB_TESTDIR") or (arg[0]:match("^(.*)/lua/") or "tests")
  local root = dir:gsub("/?tests/?$", "")
  if root == "" then root = "." end
  local gen = root .. "/tools/gen_docs.lua"
  local out = os.tmpname()
  local ATTNLAB = os.getenv("ATTNLAB") or arg[-1]
  local ok = os.execute(string.format("'%s' '%s' '%s' >/dev/null", ATTNLAB, gen, out))
  t.truthy(ok, "gen_docs failed")
  local f = assert(io.open(out))
  local text = f:read("a")
  f:close()
  os.remove(out)
  for _, e in ipairs(docs.entries) do
    t.truthy(text:find("### `" .. e.name .. "`", 1, true), "reference lacks " .. e.name)
  end
  local committed = io.open(root .. "/docs/reference.md")
  if committed then
    t.eq(committed:read("a"), text, "docs/reference.md is stale: make docs")
    committed:close()
  end
end)

local fixture_lessons = (os.getenv("ATTNLAB_TESTDIR") or (arg[0]:match("^(.*)/lua/") or "tests"))
  .. "/fixtures/lessons"

t.test("lessons: listed, and a lesson runs step by step keeping variables", function()
  R.lessons_path = fixture_lessons
  local list = R.lessons()
  t.eq(#list, 1, "lessons in " .. fixture_lessons)
  local out = capture(R.command, ":lesson")
  t.truthy(out:find(" 1  Attention by hand", 1, true), out)
  out = capture(R.run_lesson, 1, { auto = true })
  t.truthy(out:find("Lesson 1: Attention by hand", 1, true), out)
  t.truthy(out:find("step 1/5", 1, true), out)
  t.truthy(out:find("attnlab> scores = q:matmul", 1, true), out)
  t.truthy(out:find("(1, 1, 5)", 1, true), out)
  t.truthy(out:find("> Compare att:last_attention() with w", 1, true), out)
  t.truthy(out:find("End of the lesson", 1, true), out)
  t.truthy(not out:find("traceback", 1, true), out)
  t.eq(R.lesson_state, nil, "the lesson ended")
  -- the learner's variables stay; $steps is filled in (2 in the fast mode)
  t.truthy(nn.is_tensor(w) and w.shape == tensor.ones(1, 1, 5).shape)
  t.near(att:last_attention(), w, 1e-6)
  t.eq(steps_seen, os.getenv("ATTNLAB_FAST") == "1" and 2 or 5)
  t.truthy(capture(R.run_lesson, 99):find("no lesson 99", 1, true))
  R.lessons_path = nil
end)

t.test("lessons: Enter runs a step, typed code runs between steps, :next :back :again :quit", function()
  R.lessons_path = fixture_lessons
  q, scores = nil, nil
  local out = capture(R.command, ":lesson 1")
  t.truthy(out:find("step 1/5", 1, true) and out:find("\n    nn.seed(1)\n", 1, true), out)
  t.truthy(not out:find("attnlab> nn.seed(1)", 1, true), "a shown step is a preview, not a run")
  t.eq(q, nil, "a shown step has not run yet")
  -- the learner's own code runs at once and the step stays where it was
  t.eq(R.lesson_state.i, 1)
  out = capture(R.empty_line)
  t.truthy(nn.is_tensor(q) and tostring(q.shape) == "(1, 1, 4)", "Enter ran step 1")
  t.truthy(out:find("attnlab> q = tensor.randn(1, 1, 4)\n", 1, true), "each line is echoed as it runs:\n" .. out)
  t.truthy(out:find("> q is one query", 1, true) and out:find("step 2/5", 1, true), out)
  t.eq(R.lesson_state.i, 2)
  out = capture(R.command, ":again")
  t.truthy(out:find("step 2/5", 1, true), out)
  t.eq(scores, nil, ":again shows the step without running it")
  out = capture(R.command, ":back")
  t.truthy(out:find("step 1/5", 1, true), out)
  t.eq(R.lesson_state.i, 1)
  capture(R.command, ":next")
  capture(R.command, ":next")
  t.eq(R.lesson_state.i, 3, ":next skips without running")
  t.eq(scores, nil)
  out = capture(R.command, ":quit")
  t.truthy(out:find("lesson stopped", 1, true), out)
  t.eq(R.lesson_state, nil)
  t.truthy(nn.is_tensor(q), "variables stay after :quit")
  t.eq(R.command(":quit"), "quit", ":quit outside a lesson leaves the prompt")
  t.truthy(capture(R.command, ":next"):find(":next moves inside a lesson", 1, true))
  R.lessons_path = nil
end)

t.test("lesson text wider than 78 columns is wrapped, Chinese too", function()
  local lesson = require "attnlab.lesson"
  local util = require "attnlab.util"
  local les = { steps = { { text = string.rep("attention ", 20), text_zh = string.rep("注意力权重，", 12),
                            notice = "short" } } }
  local i18n = require "attnlab.i18n"
  for _, lang in ipairs { "en", "zh" } do
    i18n.set(lang)
    local out = capture(lesson.show_step, les, 1)
    local lines = 0
    for line in out:gmatch("[^\n]+") do
      lines = lines + 1
      t.truthy(util.display_width(line) <= 78, lang .. ": a line of " .. util.display_width(line) .. " columns: " .. line)
    end
    t.truthy(lines >= 3, lang .. ": the text is wrapped onto several lines:\n" .. out)
  end
  i18n.set("en")
end)

t.test(":lang switches the prompt's own messages, help and lessons", function()
  local i18n = require "attnlab.i18n"
  local out = capture(R.command, ":lang zh")
  t.truthy(out:find("语言：中文", 1, true), out)
  t.truthy(capture(R.command, ":nosuch"):find("没有命令“:nosuch”", 1, true))
  t.truthy(capture(R.command, ":help"):find("命令：", 1, true))
  R.lessons_path = fixture_lessons
  out = capture(R.run_lesson, 1, { auto = true })
  t.truthy(out:find("第 1 课：手算注意力", 1, true), out)
  t.truthy(out:find("第 1/5 步", 1, true), out)
  t.truthy(out:find("比较 att:last_attention() 与 w", 1, true), out)
  t.truthy(not out:find("Compare att", 1, true), "only the Chinese text")
  R.lessons_path = nil
  capture(R.command, ":lang en")
  t.eq(i18n.lang, "en")
  t.eq(select(2, pcall(R.command, ":lang fr")), ":lang takes en or zh, got 'fr'")
end)

t.done()
