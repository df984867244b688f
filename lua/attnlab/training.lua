-- attnlab.training: compile, fit, evaluate, predict, and weights on disk,
-- for nn.Model and nn.Sequential. One training step is
--     y_pred = model(x_batch, {training=true})
--     loss = loss_fn(y_batch, y_pred); loss:backward()
--     optimizer:apply(weights)          -- then the gradients are zeroed
-- and everything else here is bookkeeping: batches, metrics, progress.
-- The progress and stop messages follow attnlab.i18n (English or Chinese);
-- metric names (loss, accuracy, val_loss) stay as Keras prints them.
local core = require "attnlab.core"
local util = require "attnlab.util"
local i18n = require "attnlab.i18n"

return function(nn, Model, Sequential)
  local is_tensor = nn.is_tensor

  -- ---- metrics (Keras's, as means over the samples seen) ------------------

  local function argmax_rows(t)
    return core.argmax(t, -1)
  end

  -- name -> function(y_true, y_pred) -> (number of hits, number of samples)
  local metric_fns = {}

  metric_fns.sparse_categorical_accuracy = function(y, p)
    local labels = y.ndim == p.ndim and core.squeeze(y, -1) or y
    local hits = core.equal(argmax_rows(p), labels)
    return core.sum(hits):item(), hits:numel()
  end

  metric_fns.categorical_accuracy = function(y, p)
    local hits = core.equal(argmax_rows(p), argmax_rows(y))
    return core.sum(hits):item(), hits:numel()
  end

  -- labels and predictions of ranks differing by one (Keras matches them)
  local function match_rank(y, p)
    if y.ndim == p.ndim + 1 and y:size(-1) == 1 then return core.squeeze(y, -1), p end
    if p.ndim == y.ndim + 1 and p:size(-1) == 1 then return y, core.squeeze(p, -1) end
    return y, p
  end

  metric_fns.binary_accuracy = function(y, p)
    y, p = match_rank(y, p)
    local hits = core.equal(core.greater(p, 0.5), y)
    return core.sum(hits):item(), hits:numel()
  end

  -- Keras resolves "accuracy" from the loss and the shapes.
  local function resolve_metric(name, loss_name, out_shape)
    if name == "accuracy" or name == "acc" then
      if loss_name == "sparse_categorical_crossentropy" then
        return "sparse_categorical_accuracy", "accuracy"
      elseif loss_name == "binary_crossentropy" or (out_shape and out_shape[#out_shape] == 1) then
        return "binary_accuracy", "accuracy"
      end
      return "categorical_accuracy", "accuracy"
    end
    if metric_fns[name] then return name, name end
    local known = {}
    for k in pairs(metric_fns) do known[#known + 1] = k end
    table.sort(known)
    util.error("compile: unknown metric '%s' (known: accuracy, %s)", tostring(name),
               table.concat(known, ", "))
  end

  -- ---- compile ----------------------------------------------------------------

  -- The option names of the methods (what their check_options uses), for
  -- help, completion and tests/lua/test_docs.lua: nn.option_names["Model:fit"].
  local method_options = {
    compile = { optimizer = true, loss = true, metrics = true },
    fit = { epochs = true, batch_size = true, validation_split = true, validation_data = true,
            shuffle = true, verbose = true, callbacks = true },
    evaluate = { batch_size = true, verbose = true },
    predict = { batch_size = true, verbose = true },
    load_weights = { by_position = true },
  }
  for method, known in pairs(method_options) do nn.option_names["Model:" .. method] = known end

  local function compile(self, opts)
    opts = util.check_options("compile", opts, method_options.compile)
    if opts.loss == nil then util.error("compile: a loss is required, e.g. loss='sparse_categorical_crossentropy'") end
    self.optimizer = nn.optimizers.get(opts.optimizer or "rmsprop")
    self.loss_fn = nn.losses.get(opts.loss)
    self.loss_name = type(opts.loss) == "string" and opts.loss or (self.loss_fn.name or "loss")
    local out = self.outputs and self.outputs[1]
    self.metrics = {}
    local metrics = opts.metrics or {}
    if type(metrics) ~= "table" then
      util.error("compile: metrics must be a list, e.g. metrics={'accuracy'}, got %s", util.show(metrics))
    end
    for _, m in ipairs(metrics) do
      local fn_name, display = resolve_metric(m, self.loss_fn.name or self.loss_name,
                                              out and out.shape)
      self.metrics[#self.metrics + 1] = { fn = metric_fns[fn_name], name = display }
    end
    self.compiled = true
    return self
  end

  -- ---- batches -------------------------------------------------------------------

  local function take(x, idx)
    return core.gather(x, idx, 0)
  end

  local function index_range(from, to)
    local t = {}
    for i = from, to - 1 do t[#t + 1] = i end
    return t
  end

  -- A permutation of 0..n-1 from the nn.seed stream (Fisher-Yates).
  local function permutation(n)
    local p = index_range(0, n)
    local r = n > 1 and core.rand(n):totable() or {}
    for i = n, 2, -1 do
      local j = math.min(math.floor(r[i] * i) + 1, i)
      p[i], p[j] = p[j], p[i]
    end
    return p
  end

  -- ---- progress, as Keras prints it ------------------------------------------------

  local function format_logs(logs)
    local keys = {}
    for k in pairs(logs) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      local va, vb = a:sub(1, 4) == "val_", b:sub(1, 4) == "val_"
      if va ~= vb then return vb end
      return a < b
    end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = string.format("%s: %.4f", k, logs[k]) end
    return table.concat(parts, " - ")
  end

  local function bar(done, total)
    local width = 20
    local filled = total > 0 and math.floor(width * done / total + 1e-9) or width
    return string.rep("━", filled) .. string.rep("─", width - filled)
  end

  -- The clock of one epoch's progress bar, as Keras 3's Progbar keeps it:
  -- clock.step_done(step) after each step; clock.timing(done, total) is
  -- the time left while the epoch runs (Keras's ETA: "3s", "1:05",
  -- "1:02:03"), the seconds it took once it ends (done == total, or
  -- final: stopped early), then the time per step ("33ms/step"; "33ms/步"
  -- in Chinese). The time per step leaves out the first step, which
  -- builds the weights and warms up, once there are others.
  local function epoch_clock()
    local t0, t1 = core.clock(), nil
    local clock = {}
    function clock.step_done(step)
      if step == 1 then t1 = core.clock() end
    end
    function clock.timing(done, total, final)
      local now = core.clock()
      local per = 0
      if done > 1 and t1 then per = (now - t1) / (done - 1)
      elseif done > 0 then per = (now - t0) / done end
      local when
      if done < total and not final then
        local eta = per * (total - done)
        local floor = math.floor
        if eta > 3600 then
          when = string.format("%d:%02d:%02d", floor(eta / 3600), floor(eta % 3600 / 60), floor(eta % 60))
        elseif eta > 60 then
          when = string.format("%d:%02d", floor(eta / 60), floor(eta % 60))
        else
          when = string.format("%ds", floor(eta))
        end
      else
        when = string.format("%.0fs", now - t0)
      end
      local step = i18n.tr("step", "步")
      local unit
      if per >= 1 or per == 0 then unit = string.format("%.0fs/%s", per, step)
      elseif per >= 1e-3 then unit = string.format("%.0fms/%s", per * 1e3, step)
      else unit = string.format("%.0fus/%s", per * 1e6, step) end
      return when .. " " .. unit
    end
    return clock
  end

  -- ---- one pass over data -----------------------------------------------------------

  local function check_batch_size(who, b)
    if b == nil then return 32 end
    if not util.is_integer(b) or b < 1 then
      util.error("%s: batch_size must be a positive integer, got %s", who, util.show(b))
    end
    return math.tointeger(b)
  end

  local function check_data(self, x, y, who)
    if not self.compiled then
      util.error("%s: the model must be compiled first: model:compile{optimizer=..., loss=...}", who)
    end
    if not is_tensor(x) or not is_tensor(y) then
      util.error("%s: x and y must be tensors, got %s and %s", who, type(x), type(y))
    end
    if x.symbolic or y.symbolic then
      util.error("%s: x and y must be tensors with values, not symbolic ones (nn.Input)", who)
    end
    if x.ndim == 0 or x:size(0) == 0 then
      util.error("%s: x has no samples, shape %s", who, tostring(x.shape))
    end
    if x:size(0) ~= y:size(0) then
      util.error("%s: x and y have different numbers of samples: %s and %s", who,
                 tostring(x.shape), tostring(y.shape))
    end
  end

  -- Runs the model over (x, y) in batches without training; returns the
  -- mean loss and the metrics table. next_batch, when given, is called
  -- before each batch (nn.collect_attention's, for evaluate).
  local function run_eval(self, x, y, batch_size, next_batch)
    local n = x:size(0)
    local total, count, hits = 0, 0, {}
    core.no_grad(function()
      for start = 0, n - 1, batch_size do
        if next_batch then next_batch() end
        local idx = core.from(index_range(start, math.min(start + batch_size, n)))
        local xb, yb = take(x, idx), take(y, idx)
        local p = self:forward(xb, false)
        local b = xb:size(0)
        total = total + self.loss_fn(yb, p):item() * b
        count = count + b
        for i, m in ipairs(self.metrics) do
          local h, c = m.fn(yb, p)
          hits[i] = hits[i] or { 0, 0 }
          hits[i][1], hits[i][2] = hits[i][1] + h, hits[i][2] + c
        end
      end
    end)
    local logs = { loss = total / math.max(count, 1) }
    for i, m in ipairs(self.metrics) do
      logs[m.name] = hits[i] and hits[i][1] / math.max(hits[i][2], 1) or 0
    end
    return logs
  end

  -- ---- fit -----------------------------------------------------------------------------

  local function call_back(callbacks, event, ...)
    for _, cb in ipairs(callbacks) do
      if type(cb) == "function" then
        if event == "on_epoch_end" then cb(...) end
      elseif type(cb) == "table" and type(cb[event]) == "function" then
        cb[event](cb, ...)
      end
    end
  end

  -- model:fit(x, y, {epochs=1, batch_size=32, validation_split=0,
  -- validation_data={x, y}, shuffle=true, verbose="auto", callbacks={}})
  -- -> history, with history.history.loss[epoch], metrics and val_*.
  -- As in Keras, a callback stops training by setting
  -- model.stop_training = true (a table callback finds the model in
  -- cb.model): fit finishes the current batch, and the epoch's validation
  -- and on_epoch_end, then returns.
  local function fit(self, x, y, opts)
    check_data(self, x, y, "fit")
    opts = util.check_options("fit", opts, method_options.fit)
    local epochs = opts.epochs or 1
    if not util.is_integer(epochs) or epochs < 1 then util.error("fit: epochs must be a positive integer, got %s", util.show(epochs)) end
    local batch_size = check_batch_size("fit", opts.batch_size)
    local verbose = opts.verbose
    if verbose == nil or verbose == "auto" then verbose = 1 end
    local tty = core.isatty()
    local callbacks = opts.callbacks or {}
    -- validation: the last samples (before shuffling), as Keras takes them
    local n = x:size(0)
    local vx, vy
    if opts.validation_data ~= nil then
      local vd = opts.validation_data
      if type(vd) ~= "table" or nn.is_tensor(vd) or not is_tensor(vd[1]) or not is_tensor(vd[2]) then
        util.error("fit: validation_data must be a pair of tensors {x_val, y_val}")
      end
      vx, vy = vd[1], vd[2]
    elseif opts.validation_split ~= nil then
      local split = opts.validation_split
      if type(split) ~= "number" or not (split >= 0 and split < 1) then
        util.error("fit: validation_split must be a number in [0, 1), got %s", util.show(split))
      end
      local nv = math.floor(n * split)
      if nv > 0 then
        local train_idx, val_idx = core.from(index_range(0, n - nv)), core.from(index_range(n - nv, n))
        vx, vy = take(x, val_idx), take(y, val_idx)
        x, y = take(x, train_idx), take(y, train_idx)
        n = n - nv
      end
    end
    local weights = self:get_weights_list()
    local steps = math.ceil(n / batch_size)
    local history = { history = {}, epoch = {} }
    local stopped
    self.stop_training = false
    for _, cb in ipairs(callbacks) do
      if type(cb) == "table" then cb.model = self end
    end
    local was_deferred = core.defer_interrupts(true)
    -- grad mode on, even when fit is called inside tensor.no_grad
    local ok, err = pcall(core.enable_grad, function()
      for epoch = 1, epochs do
        if verbose ~= 0 then print(i18n.tr("Epoch %d/%d", "第 %d/%d 轮", epoch, epochs)) end
        local order = opts.shuffle == false and index_range(0, n) or permutation(n)
        local clock = epoch_clock()
        local total, count, hits = 0, 0, {}
        local logs
        local done = 0 -- the batches that ran (fewer when training stops)
        for step = 1, steps do
          done = step
          local idx = {}
          for i = (step - 1) * batch_size + 1, math.min(step * batch_size, n) do idx[#idx + 1] = order[i] end
          local it = core.from(idx)
          local xb, yb = take(x, it), take(y, it)
          local p = self:forward(xb, true)
          local loss = self.loss_fn(yb, p)
          local lv = loss:item()
          if lv ~= lv or lv == math.huge or lv == -math.huge then
            stopped = i18n.tr("the loss became %s at epoch %d, batch %d; training stopped and the weights from before that step are kept",
                              "损失变成了 %s（第 %d 轮，第 %d 个批量）；训练已停止，保留这一步之前的权重",
                              tostring(lv), epoch, step)
            return
          end
          for _, w in ipairs(weights) do w:zero_grad() end
          loss:backward()
          self.optimizer:apply(weights)
          local b = #idx
          total, count = total + lv * b, count + b
          for i, m in ipairs(self.metrics) do
            local h, c = core.no_grad(function() return m.fn(yb, p) end)
            hits[i] = hits[i] or { 0, 0 }
            hits[i][1], hits[i][2] = hits[i][1] + h, hits[i][2] + c
          end
          logs = { loss = total / count }
          for i, m in ipairs(self.metrics) do logs[m.name] = hits[i][1] / hits[i][2] end
          call_back(callbacks, "on_batch_end", step - 1, logs) -- Keras counts from 0
          clock.step_done(step)
          if verbose == 1 and tty then
            io.write(string.format("\r%d/%d %s %s - %s\27[K", step, steps, bar(step, steps),
                                   clock.timing(step, steps), format_logs(logs)))
            io.flush()
          end
          if core.take_interrupt() then
            stopped = i18n.tr("interrupted at epoch %d, batch %d/%d; the history so far is returned",
                              "在第 %d 轮第 %d/%d 个批量处被中断；返回到目前为止的训练历史",
                              epoch, step, steps)
            break
          end
          if self.stop_training then break end
        end
        if vx then
          for k, v in pairs(run_eval(self, vx, vy, batch_size)) do logs["val_" .. k] = v end
        end
        for k, v in pairs(logs) do
          history.history[k] = history.history[k] or {}
          history.history[k][epoch] = v
        end
        history.epoch[epoch] = epoch - 1
        if verbose ~= 0 then
          local line = string.format("%d/%d %s %s - %s", done, steps, bar(done, steps),
                                     clock.timing(done, steps, true), format_logs(logs))
          if tty and verbose == 1 then io.write("\r" .. line .. "\27[K\n") else print(line) end
        end
        call_back(callbacks, "on_epoch_end", epoch - 1, logs)
        if stopped or self.stop_training then return end
      end
    end)
    core.defer_interrupts(was_deferred)
    for _, w in ipairs(weights) do w:zero_grad() end
    if not ok then error(err, 0) end
    if stopped then
      io.stderr:write("fit: " .. stopped .. "\n")
      history.stopped = stopped
    end
    return history
  end

  -- evaluate and predict keep the attention weights of every sample they
  -- ran: each attention layer's last_attention() is the batches joined in
  -- order, (n, ...), not only the last batch.
  local function evaluate(self, x, y, opts)
    check_data(self, x, y, "evaluate")
    opts = util.check_options("evaluate", opts, method_options.evaluate)
    local batch_size = check_batch_size("evaluate", opts.batch_size)
    local logs
    nn.collect_attention("evaluate", x:size(0), batch_size, function(next_batch)
      logs = run_eval(self, x, y, batch_size, next_batch)
    end)
    local out = { logs.loss }
    for _, m in ipairs(self.metrics) do out[#out + 1] = logs[m.name] end
    return table.unpack(out)
  end

  local function predict(self, x, opts)
    opts = util.check_options("predict", opts, method_options.predict)
    if not is_tensor(x) then util.error("predict: x must be a tensor, got %s", type(x)) end
    if x.symbolic then util.error("predict: x must be a tensor with values, not a symbolic one (nn.Input)") end
    if x.ndim == 0 or x:size(0) == 0 then util.error("predict: x has no samples, shape %s", tostring(x.shape)) end
    local batch_size, n = check_batch_size("predict", opts.batch_size), x:size(0)
    local parts = {}
    nn.collect_attention("predict", n, batch_size, function(next_batch)
      core.no_grad(function()
        for start = 0, n - 1, batch_size do
          next_batch()
          local idx = core.from(index_range(start, math.min(start + batch_size, n)))
          parts[#parts + 1] = self:forward(take(x, idx), false)
        end
      end)
    end)
    if #parts == 1 then return parts[1] end
    return core.concat(parts, 0)
  end

  -- ---- weights on disk (safetensors) -------------------------------------------------

  local function save_weights(self, path)
    local ws, names = self:get_weights_list()
    if not core.io.save_safetensors then util.error("save_weights: not available in this build") end
    -- safetensors lists tensors by name; the model's order goes in the
    -- metadata, for load_weights{by_position=true}
    return core.io.save_safetensors(path, names, ws,
                                    { ["attnlab.weight_order"] = table.concat(names, "\n") })
  end

  -- Checks every name and shape first; changes nothing when any is off.
  -- Returns true, or nil and a message. {by_position=true} matches the
  -- file's weights to the model's in order instead of by name (for a model
  -- rebuilt in the same session, whose layers got other names).
  local function load_weights(self, path, opts)
    opts = util.check_options("load_weights", opts, method_options.load_weights)
    if not core.io.load_safetensors then util.error("load_weights: not available in this build") end
    local names, tensors, meta = core.io.load_safetensors(path)
    if not names then return nil, tensors end
    local ws, wnames = self:get_weights_list()
    local chosen = {}
    if opts.by_position then
      if #names ~= #ws then
        return nil, string.format("load_weights: %s has %d weights, the model %d", path, #names, #ws)
      end
      local order = meta and meta["attnlab.weight_order"]
      if not order then
        return nil, string.format("load_weights: %s does not record the order of its weights", path)
      end
      local by_name, saved = {}, {}
      for i, n in ipairs(names) do by_name[n] = tensors[i] end
      for n in (order .. "\n"):gmatch("(.-)\n") do saved[#saved + 1] = n end
      for i = 1, #ws do chosen[i] = by_name[saved[i]] end
    else
      local by_name = {}
      for i, n in ipairs(names) do by_name[n] = tensors[i] end
      for i = 1, #ws do
        chosen[i] = by_name[wnames[i]]
        if chosen[i] == nil then
          local hint = ""
          if #names == #ws then
            hint = " (the layer names differ, as when a model is built twice in one session;"
                   .. " build it after nn.clear_session(), or pass {by_position=true})"
          end
          return nil, string.format("load_weights: %s has no weight '%s'%s", path, wnames[i], hint)
        end
        by_name[wnames[i]] = nil
      end
      local extra = next(by_name)
      if extra then
        return nil, string.format("load_weights: %s has a weight '%s' that the model does not have", path, extra)
      end
    end
    for i, w in ipairs(ws) do
      if chosen[i] == nil or chosen[i].shape ~= w.shape then
        return nil, string.format("load_weights: weight '%s' in %s has shape %s, the model's is %s",
                                  wnames[i], path, chosen[i] and tostring(chosen[i].shape) or "?",
                                  tostring(w.shape))
      end
    end
    for i, w in ipairs(ws) do core.assign(w, chosen[i]) end
    return true
  end

  for _, cls in ipairs { Model, Sequential } do
    cls.compile, cls.fit, cls.evaluate, cls.predict = compile, fit, evaluate, predict
    cls.save_weights, cls.load_weights = save_weights, load_weights
  end
  nn.metrics = metric_fns
end
