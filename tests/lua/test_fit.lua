-- test_fit.lua - models that train: the recipes learn the built-in tasks
-- and their attention finds the answer; fit is deterministic, stops on a
-- NaN loss and on Ctrl-C with the history so far; predict/evaluate; weights
-- survive a save and load, and a bad file changes nothing.
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")
local core = require "attnlab.core"
local exe = os.getenv("ATTNLAB") or arg[-1]

local function quiet(opts) opts.verbose = 0; return opts end

local function needle_model(vocab, classes, T)
  local ids = nn.Input { T }
  local e = nn.Embedding(vocab, 32, { mask_zero = true })(ids)
  local pool = nn.ProbAttention()
  local h = nn.Dense(32, { activation = "relu" })(pool(e))
  local out = nn.Dense(classes, { activation = "softmax" })(h)
  local model = nn.Model(ids, out)
  model:compile { optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = { "accuracy" } }
  return model, pool
end

t.test("recipe 3 learns data.needle and its attention finds the needle", function()
  nn.clear_session()
  nn.seed(42)
  local x, y, info = data.needle { n = 2000, length = 20, seed = 1 }
  local xt, yt, it = data.needle { n = 400, length = 20, seed = 2 }
  local model, pool = needle_model(info.vocab_size, info.num_classes, 20)
  local t0 = core.clock()
  local history = model:fit(x, y, quiet { epochs = 6, batch_size = 32, validation_split = 0.2 })
  local seconds = core.clock() - t0
  local val = history.history.val_accuracy
  t.truthy(val[#val] >= 0.95, "validation accuracy " .. val[#val])
  t.truthy(seconds < 20, "fit took " .. seconds .. " s")
  local loss, acc = model:evaluate(xt, yt)
  t.truthy(acc >= 0.95, "held-out accuracy " .. acc)
  t.truthy(loss < history.history.loss[1], "the loss fell")
  model:predict(xt, { batch_size = 400 })
  local a, pos = pool:last_attention():totable(), it.positions:totable()
  local sum = 0
  for i, p in ipairs(pos) do sum = sum + a[i][1][p + 1] end
  t.truthy(sum / #pos >= 0.5, "mean attention at the answer " .. sum / #pos)
end)

local function marker_model(kind, vocab, classes, T)
  local ids = nn.Input { T }
  local e = nn.Embedding(vocab, 16)(ids)
  local out
  if kind == "recipe1" then
    local h = nn.Bidirectional(nn.GRU(32, { return_sequences = true }))(e)
    h = nn.Bidirectional(nn.GRU(32, { return_sequences = true }))(h)
    local tl = tensor.transpose(h, { 0, 2, 1 })
    local a = nn.Dense(T, { activation = "softmax", use_bias = false })(nn.Dense(T, { activation = "tanh" })(tl))
    out = nn.Dense(classes, { activation = "softmax" })(tensor.sum(nn.Multiply()({ tl, a }), -1))
  else
    local h = nn.LSTM(64, { return_sequences = true })(e)
    local s = nn.SelfAttention(64, { scale = 8 })(h)
    out = nn.Dense(classes, { activation = "softmax" })(nn.GlobalAveragePooling1D()(s))
  end
  local model = nn.Model(ids, out)
  model:compile { optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = { "accuracy" } }
  return model
end

for _, case in ipairs { { "recipe1", 10 }, { "recipe4", 14 } } do
  t.test(case[1] .. " learns data.marker (the token after the marker)", function()
    nn.clear_session()
    nn.seed(7)
    local x, y, info = data.marker { n = 4000, length = 20, seed = 1 }
    local model = marker_model(case[1], info.vocab_size, info.num_classes, 20)
    local h = model:fit(x, y, quiet { epochs = case[2], batch_size = 64, validation_split = 0.2 })
    local loss, val = h.history.loss, h.history.val_accuracy
    t.truthy(loss[#loss] < loss[1] / 2, "loss fell from " .. loss[1] .. " to " .. loss[#loss])
    t.truthy(val[#val] >= 0.9, "validation accuracy " .. val[#val])
  end)
end

t.test("the same nn.seed gives the same losses, bit for bit", function()
  local function run()
    nn.clear_session()
    nn.seed(5)
    local x, y, info = data.needle { n = 300, length = 12, seed = 3 }
    local model = needle_model(info.vocab_size, info.num_classes, 12)
    return model:fit(x, y, quiet { epochs = 2, batch_size = 16 }).history.loss
  end
  local a, b = run(), run()
  t.eq(#a, 2)
  for i = 1, #a do t.eq(a[i], b[i], "epoch " .. i) end
end)

t.test("a NaN loss stops fit, naming the epoch and batch, and keeps the weights", function()
  nn.clear_session()
  nn.seed(1)
  local x = tensor.randn(64, 4)
  local y = tensor.randn(64, 1)
  local dense = nn.Dense(1)
  local model = nn.Sequential { nn.Input { 4 }, dense }
  model:compile { optimizer = nn.optimizers.SGD { learning_rate = 1e30 }, loss = "mse" }
  local h = model:fit(x, y, quiet { epochs = 3, batch_size = 16 })
  t.truthy(h.stopped and h.stopped:find("at epoch 1, batch 2", 1, true), tostring(h.stopped))
  -- the weights are those before the failing step: finite
  for _, v in ipairs(dense.kernel:totable()) do
    t.truthy(v[1] == v[1] and math.abs(v[1]) < math.huge, "finite weights")
  end
end)

t.test("predict runs in batches without gradients; evaluate gives loss and metrics", function()
  nn.clear_session()
  nn.seed(2)
  local model = nn.Sequential { nn.Input { 3 }, nn.Dense(4, { activation = "softmax" }) }
  model:compile { optimizer = "sgd", loss = "sparse_categorical_crossentropy", metrics = { "accuracy" } }
  local x = tensor.randn(10, 3)
  local p = model:predict(x, { batch_size = 3 })
  t.eq(tostring(p.shape), "(10, 4)")
  t.eq(p.requires_grad, false)
  t.near(p, model(x), 1e-7)
  local y = tensor.argmax(p, -1)
  local loss, acc = model:evaluate(x, y, { batch_size = 4 })
  t.near(acc, 1, 0, "labels are the predictions")
  t.truthy(loss > 0)
  t.raises(function() nn.Sequential { nn.Input { 3 }, nn.Dense(2) }:fit(x, y) end,
           "fit: the model must be compiled first")
  t.raises(function() model:fit(x, tensor.zeros(9)) end,
           "fit: x and y have different numbers of samples: (10, 3) and (9,)")
end)

t.test("callbacks: functions per epoch, tables with on_epoch_end and on_batch_end", function()
  nn.clear_session()
  local model = nn.Sequential { nn.Input { 2 }, nn.Dense(1) }
  model:compile { optimizer = "sgd", loss = "mse" }
  local epochs, batches, table_epochs = {}, 0, 0
  model:fit(tensor.randn(20, 2), tensor.randn(20, 1), quiet {
    epochs = 3, batch_size = 5,
    callbacks = {
      function(epoch, logs) epochs[#epochs + 1] = { epoch, logs.loss } end,
      { on_batch_end = function() batches = batches + 1 end,
        on_epoch_end = function() table_epochs = table_epochs + 1 end },
    } })
  t.eq(#epochs, 3)
  t.eq(epochs[1][1], 0, "epochs count from 0, as in Keras")
  t.eq(epochs[3][1], 2)
  t.eq(batches, 12)
  t.eq(table_epochs, 3)
end)

t.test("save_weights then load_weights gives identical predictions; a bad file changes nothing", function()
  nn.clear_session()
  nn.seed(3)
  local function build()
    local x = nn.Input { 6, 3 }
    local h = nn.Bidirectional(nn.GRU(4, { return_sequences = true }))(x)
    return nn.Model(x, nn.Dense(2)(nn.AttentionPooling()(h)))
  end
  local a = build()
  local path = os.tmpname() .. ".safetensors"
  t.truthy(a:save_weights(path))
  local x = tensor.randn(2, 6, 3)
  -- the same model rebuilt in this session has other layer names
  local renamed = build()
  local ok0, err0 = renamed:load_weights(path)
  t.eq(ok0, nil)
  t.truthy(err0:find("pass {by_position=true}", 1, true), err0)
  t.truthy(renamed:load_weights(path, { by_position = true }))
  t.near(renamed:predict(x), a:predict(x), 0, "by position: identical outputs")
  -- rebuilt as in a new session: the names match
  nn.clear_session()
  local b = build()
  t.truthy(b:load_weights(path))
  t.near(b:predict(x), a:predict(x), 0, "identical outputs")
  local _, names = a:get_weights_list()
  t.eq(names[1], "bidirectional/forward_gru/kernel")
  -- a truncated copy: an error, and the model as it was
  local f = io.open(path, "rb")
  local bytes = f:read("a")
  f:close()
  local bad = path .. ".bad"
  f = io.open(bad, "wb")
  f:write(bytes:sub(1, #bytes - 7))
  f:close()
  nn.clear_session()
  local c = build()
  local c_before = c:predict(x)
  local ok, err = c:load_weights(bad)
  t.eq(ok, nil)
  t.truthy(tostring(err):find(bad, 1, true), tostring(err))
  t.near(c:predict(x), c_before, 0, "unchanged after a bad file")
  -- a file of another model: names the missing weight
  local other = nn.Sequential { nn.Input { 3 }, nn.Dense(2) }
  local opath = os.tmpname() .. ".safetensors"
  t.truthy(other:save_weights(opath))
  ok, err = c:load_weights(opath)
  t.eq(ok, nil)
  t.truthy(err:find("has no weight 'bidirectional/forward_gru/kernel'", 1, true), err)
  t.near(c:predict(x), c_before, 0, "unchanged after a file of another model")
  os.remove(path); os.remove(bad); os.remove(opath)
end)

-- A tiny fit in a child process (output piped, so plain lines), in the
-- language lang; returns everything it printed.
local function fit_output(lang)
  local script = os.tmpname() .. ".lua"
  local f = io.open(script, "w")
  f:write([[
nn.seed(1)
local m = nn.Sequential{nn.Input{2}, nn.Dense(1)}
m:compile{optimizer="sgd", loss="mse"}
m:fit(tensor.randn(40, 2), tensor.randn(40, 1), {epochs=2, batch_size=10})
]])
  f:close()
  local p = io.popen(string.format("ATTNLAB_LANG=%s '%s' '%s' 2>&1", lang, exe, script))
  local out = p:read("a")
  p:close()
  os.remove(script)
  return out
end

t.test("fit prints one plain line per epoch when the output is not a terminal", function()
  local out = fit_output("en")
  t.truthy(out:find("Epoch 1/2\n4/4 ━━━━━━━━━━━━━━━━━━━━ 0s ", 1, true), out)
  t.truthy(out:find("/step - loss: ", 1, true), out)
  t.truthy(out:find("Epoch 2/2\n", 1, true), out)
  t.truthy(not out:find("\r", 1, true), "no carriage returns when piped")
  t.truthy(not out:find("轮", 1, true) and not out:find("步", 1, true), "English only:\n" .. out)
end)

t.test("in Chinese (ATTNLAB_LANG=zh) fit prints 第 1/2 轮; the metric names stay Keras's", function()
  local out = fit_output("zh")
  t.truthy(out:find("第 1/2 轮\n4/4 ━━━━━━━━━━━━━━━━━━━━ 0s ", 1, true), out)
  t.truthy(out:find("/步 - loss: ", 1, true), out)
  t.truthy(out:find("第 2/2 轮\n", 1, true), out)
  t.truthy(not out:find("Epoch", 1, true) and not out:find("/step", 1, true), "Chinese only:\n" .. out)
end)

t.test("in Chinese a non-finite loss is reported in Chinese, naming the epoch and batch", function()
  local i18n = require "attnlab.i18n"
  local before = i18n.lang
  i18n.set("zh")
  local ok, h = pcall(function()
    nn.clear_session()
    nn.seed(1)
    local model = nn.Sequential { nn.Input { 4 }, nn.Dense(1) }
    model:compile { optimizer = nn.optimizers.SGD { learning_rate = 1e30 }, loss = "mse" }
    return model:fit(tensor.randn(64, 4), tensor.randn(64, 1), quiet { epochs = 3, batch_size = 16 })
  end)
  i18n.set(before)
  t.truthy(ok, tostring(h))
  t.eq(h.stopped, "损失变成了 inf（第 1 轮，第 2 个批量）；训练已停止，保留这一步之前的权重")
end)

t.test("a callback stops fit with model.stop_training = true, as in Keras", function()
  nn.clear_session()
  nn.seed(4)
  local model = nn.Sequential { nn.Input { 2 }, nn.Dense(1) }
  model:compile { optimizer = "sgd", loss = "mse" }
  local x, y = tensor.randn(20, 2), tensor.randn(20, 1)
  -- a function: after epoch 2 of 5
  local h = model:fit(x, y, quiet { epochs = 5, batch_size = 5, callbacks = {
    function(epoch) if epoch == 1 then model.stop_training = true end end } })
  t.eq(#h.history.loss, 2)
  -- a table finds the model in cb.model: after batch 3 of epoch 1, whose
  -- validation and on_epoch_end still run
  local batches, ends = 0, 0
  local cb = {
    on_batch_end = function(self, step)
      batches = batches + 1
      if step == 2 then self.model.stop_training = true end -- batches count from 0
    end,
    on_epoch_end = function() ends = ends + 1 end,
  }
  h = model:fit(x, y, quiet { epochs = 5, batch_size = 5, validation_split = 0.2, callbacks = { cb } })
  t.truthy(cb.model == model, "cb.model is the model")
  t.eq(batches, 3)
  t.eq(ends, 1)
  t.eq(#h.history.loss, 1)
  t.eq(#h.history.val_loss, 1)
  -- the next fit starts afresh
  h = model:fit(x, y, quiet { epochs = 3, batch_size = 5 })
  t.eq(#h.history.loss, 3)
end)

-- fit's progress bar on a terminal, with the terminal, the clock and
-- Ctrl-C played by the test: each batch takes 2 s (the first 10 s, as a
-- first batch that builds and warms up), Ctrl-C after stop_at batches.
-- Returns what fit wrote with io.write (the in-place bar) and the history.
local function terminal_fit(stop_at, lang)
  local i18n = require "attnlab.i18n"
  local saved = { clock = core.clock, isatty = core.isatty, take = core.take_interrupt,
                  write = io.write, lang = i18n.lang }
  local now, batches, written = 100, 0, {}
  core.clock = function() return now end
  core.isatty = function() return true end
  core.take_interrupt = function() return batches == stop_at end
  io.write = function(...) for _, s in ipairs { ... } do written[#written + 1] = s end end
  i18n.set(lang or "en")
  local ok, h = pcall(function()
    nn.clear_session()
    nn.seed(1)
    local m = nn.Sequential { nn.Input { 2 }, nn.Dense(1) }
    m:compile { optimizer = "sgd", loss = "mse" }
    local clock_cb = { on_batch_end = function()
      batches = batches + 1
      now = now + (batches == 1 and 10 or 2)
    end }
    return m:fit(tensor.randn(40, 2), tensor.randn(40, 1), { epochs = 1, batch_size = 4,
                                                             callbacks = { clock_cb } })
  end)
  core.clock, core.isatty, core.take_interrupt, io.write = saved.clock, saved.isatty, saved.take, saved.write
  i18n.set(saved.lang)
  t.truthy(ok, tostring(h))
  return table.concat(written), h
end

t.test("during an epoch the bar shows Keras's ETA, at its end the seconds it took", function()
  local out = terminal_fit(nil)
  -- 10 batches: after the first, 9 more at its 10 s each; then the time
  -- per step leaves the first batch out: 2 s, so 8 more take 16 s
  t.truthy(out:find("\r1/10 ━━────────────────── 1:30 10s/step - loss: ", 1, true), out)
  t.truthy(out:find("\r2/10 ━━━━──────────────── 16s 2s/step - loss: ", 1, true), out)
  t.truthy(out:find("\r9/10 ━━━━━━━━━━━━━━━━━━── 2s 2s/step - loss: ", 1, true), out)
  -- the end: 10 + 9 * 2 = 28 s in all
  t.truthy(out:find("\r10/10 ━━━━━━━━━━━━━━━━━━━━ 28s 2s/step %- loss: [%d.]+\27%[K\n"), out)
  local zh = terminal_fit(nil, "zh")
  t.truthy(zh:find("\r2/10 ━━━━──────────────── 16s 2s/步 - loss: ", 1, true), zh)
end)

t.test("Ctrl-C during an epoch: the bar stops at the batch it stopped at", function()
  local out, h = terminal_fit(4)
  t.truthy(h.stopped and h.stopped:find("batch 4/10", 1, true), tostring(h.stopped))
  -- the last in-place bar is batch 4's, and so is the epoch's line: 4/10,
  -- the seconds taken (10 + 3 * 2 = 16), never a full 10/10
  t.truthy(out:find("\r4/10 ━━━━━━━━──────────── 12s 2s/step - loss: ", 1, true), out)
  t.truthy(out:find("\r4/10 ━━━━━━━━──────────── 16s 2s/step %- loss: [%d.]+\27%[K\n$"), out)
  t.truthy(not out:find("10/10", 1, true), out)
  t.truthy(not out:find("5/10", 1, true), out)
end)

-- Ctrl-C in a child process speaking lang; want is a pattern for the
-- message (512 samples in batches of 8 are 64 steps).
local function ctrl_c_test(lang, want)
  t.test("Ctrl-C during fit stops after the batch and returns the history so far (" .. lang .. ")", function()
    local script = os.tmpname() .. ".lua"
    local f = io.open(script, "w")
    f:write([[
nn.seed(1)
local m = nn.Sequential{nn.Input{64}, nn.Dense(256, {activation="tanh"}), nn.Dense(1)}
m:compile{optimizer="adam", loss="mse"}
local x, y = tensor.randn(512, 64), tensor.randn(512, 1)
io.open(arg[1], "w"):close() -- tells the test that fit starts now
local h = m:fit(x, y, {epochs=100000, batch_size=8, verbose=0})
print("after fit", h.stopped ~= nil, #h.history.loss >= 1)
print("still usable", m:predict(x).shape)
]])
    f:close()
    -- one SIGINT to the process, as a terminal's Ctrl-C would send, once
    -- fit has started (a slow machine or a sanitizer build starts later)
    local started = os.tmpname()
    os.remove(started)
    local p = io.popen(string.format(
      "ATTNLAB_LANG=%s '%s' '%s' '%s' 2>&1 & pid=$!; i=0; while [ ! -e '%s' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
      .. "sleep 0.5; kill -INT $pid; wait $pid; echo \"exit=$?\"", lang, exe, script, started, started))
    local out = p:read("a")
    p:close()
    os.remove(script)
    os.remove(started)
    t.truthy(out:find(want), out)
    t.truthy(out:find("after fit\ttrue\ttrue", 1, true), out)
    t.truthy(out:find("still usable\t(512, 1)", 1, true), out)
    t.truthy(out:find("exit=0", 1, true), out)
  end)
end
ctrl_c_test("en", "fit: interrupted at epoch %d+, batch %d+/64; the history so far is returned\n")
ctrl_c_test("zh", "fit: 在第 %d+ 轮第 %d+/64 个批量处被中断；返回到目前为止的训练历史\n")

t.done()
