-- attnlab.model: Keras's Model and Sequential, summary, and the training
-- loop (compile, fit, evaluate, predict). Kept in Lua and short on
-- purpose: this is the file to read to see how `fit` works. The heavy work
-- (layers, losses, optimizer steps) is in C.
local core = require "attnlab.core"
local util = require "attnlab.util"

return function(nn)
  local Layer, class = nn.Layer, nn.class
  local is_tensor = nn.is_tensor

  -- ---- the graph recorded by symbolic calls --------------------------------

  -- Runs the graph that made the symbolic tensor `sym` on real inputs.
  -- `values` maps symbolic tensors to real ones (the inputs at first) and
  -- `done` maps a call (its inputs table) to its outputs, so a layer with
  -- several outputs runs once.
  local evaluate

  local function resolve(v, values, done, training)
    if is_tensor(v) then
      if v.symbolic then return evaluate(v, values, done, training) end
      return v
    end
    if type(v) == "table" and getmetatable(v) == nil then
      local out = {}
      for k, x in pairs(v) do out[k] = resolve(x, values, done, training) end
      return out
    end
    return v
  end

  evaluate = function(sym, values, done, training)
    local v = values[sym]
    if v ~= nil then return v end
    local node = sym.node
    if node == nil then
      util.error("nn.Model: a symbolic tensor %s was not made from the model's inputs",
                 tostring(sym.shape))
    end
    if node.kind == "input" then
      util.error("nn.Model: the input '%s' was not given a value", node.name)
    end
    if node.layer then
      local outs = done[node.inputs]
      if not outs then
        local ins = resolve(node.inputs, values, done, training)
        local opts = resolve(node.options or {}, values, done, training)
        if training ~= nil then opts.training = training end
        local arg = node.list_input and ins or ins[1]
        outs = table.pack(node.layer(arg, opts))
        done[node.inputs] = outs
      end
      v = outs[node.index or 1]
    else
      local args = resolve(node.args, values, done, training)
      v = core[node.op](table.unpack(args, 1, node.args.n))
    end
    values[sym] = v
    return v
  end

  -- Every call between the inputs and the outputs, in the order they ran:
  -- { node = ..., outputs = {sym...} }, plus the layers in that order.
  local function trace(inputs, outputs)
    local seen, calls, order = {}, {}, {}
    local input_set = {}
    for _, x in ipairs(inputs) do input_set[x] = true end
    local function visit(sym)
      if seen[sym] then return end
      seen[sym] = true
      local node = sym.node
      if node == nil then
        util.error("nn.Model: the outputs depend on a symbolic tensor %s that no nn.Input made",
                   tostring(sym.shape))
      end
      if node.kind == "input" then
        if not input_set[sym] then
          util.error("nn.Model: the outputs depend on the input '%s', which is not in the model's inputs",
                     node.name)
        end
        return
      end
      local deps = node.layer and node.inputs or node.args
      local function walk(v)
        if is_tensor(v) and v.symbolic then visit(v)
        elseif type(v) == "table" and getmetatable(v) == nil then
          for _, x in pairs(v) do walk(x) end
        end
      end
      walk(deps)
      if node.layer and node.options then walk(node.options) end
      local key = node.layer and node.inputs or node
      local call = calls[key]
      if not call then
        call = { node = node, outputs = {} }
        calls[key] = call
        order[#order + 1] = call
      end
      call.outputs[node.index or 1] = sym
    end
    for _, y in ipairs(outputs) do visit(y) end
    return order
  end

  -- ---- Model ---------------------------------------------------------------

  local Model = class("Functional")
  nn.ModelClass = Model

  local InputLayer = class("InputLayer")

  local function as_list(v, what)
    if is_tensor(v) then return { v }, true end
    if type(v) ~= "table" or #v == 0 then
      util.error("nn.Model: %s must be a symbolic tensor or a list of them", what)
    end
    return v, false
  end

  -- the option names of nn.Model and nn.Sequential (for help, completion
  -- and tests/lua/test_docs.lua)
  nn.option_names.Model = { name = true }
  nn.option_names.Sequential = { name = true }

  -- nn.Model(inputs, outputs, {name=}): Keras's functional Model over the
  -- graph that symbolic calls recorded. inputs and outputs are tensors or
  -- lists of tensors.
  function nn.Model(inputs, outputs, opts)
    opts = util.check_options("nn.Model", opts, nn.option_names.Model)
    local ins, single_in = as_list(inputs, "inputs")
    local outs, single_out = as_list(outputs, "outputs")
    for i, x in ipairs(ins) do
      if not (is_tensor(x) and x.symbolic and x.node and x.node.kind == "input") then
        util.error("nn.Model: input %d must come from nn.Input", i)
      end
    end
    for i, y in ipairs(outs) do
      if not (is_tensor(y) and y.symbolic) then
        util.error("nn.Model: output %d must be a symbolic tensor (from calls on nn.Input)", i)
      end
    end
    local self = setmetatable({}, Model)
    self.name = opts.name or nn.unique_name("functional")
    self.inputs, self.outputs = ins, outs
    self.single_input, self.single_output = single_in, single_out
    self.calls = trace(ins, outs)
    self.layers = {}
    local seen = {}
    for _, x in ipairs(ins) do
      local l = setmetatable({ name = x.node.name, weights = {}, output = x }, InputLayer)
      self.layers[#self.layers + 1] = l
    end
    for _, call in ipairs(self.calls) do
      local l = call.node.layer
      if l and not seen[l] then
        seen[l] = true
        self.layers[#self.layers + 1] = l
      end
    end
    self.built = true
    return self
  end

  -- All weights, in the order of the layers, each once.
  local function collect_weights(layers)
    local ws, names, seen = {}, {}, {}
    for _, l in ipairs(layers) do
      local lw, ln = l.weights or {}, l.weight_names
      if l.get_weights_list then lw, ln = l:get_weights_list() end -- a nested model
      for i, w in ipairs(lw) do
        if not seen[w] then
          seen[w] = true
          ws[#ws + 1] = w
          names[#names + 1] = l.name .. "/" .. (ln and ln[i] or ("weight_" .. i))
        end
      end
    end
    return ws, names
  end

  function Model:get_weights_list()
    local ws, names = collect_weights(self.layers)
    self.weights, self.weight_names = ws, names
    return ws, names
  end

  function Model:get_weights()
    local ws = self:get_weights_list()
    local out = {}
    for i, w in ipairs(ws) do out[i] = w:clone() end
    return out
  end

  function Model:set_weights(values)
    local ws, names = self:get_weights_list()
    if type(values) ~= "table" or #values ~= #ws then
      util.error("%s '%s': set_weights expected %d arrays, got %s", self.class_name,
                 self.name, #ws, type(values) == "table" and #values or type(values))
    end
    local checked = {}
    for i, w in ipairs(ws) do
      local v = is_tensor(values[i]) and values[i] or core.from(values[i])
      if v.shape ~= w.shape then
        util.error("%s '%s': weight %d (%s) has shape %s, got %s", self.class_name,
                   self.name, i, names[i], tostring(w.shape), tostring(v.shape))
      end
      checked[i] = v
    end
    for i, w in ipairs(ws) do core.assign(w, checked[i]) end
  end

  function Model:count_params()
    local n = 0
    for _, w in ipairs((self:get_weights_list())) do n = n + w:numel() end
    return n
  end

  function Model:get_layer(name)
    for _, l in ipairs(self.layers) do
      if l.name == name then return l end
    end
    util.error("%s '%s': no layer named '%s'", self.class_name, self.name, tostring(name))
  end

  -- model(x) on data runs the graph; on symbolic tensors the model is
  -- used as a layer (its call is recorded like any layer's).
  function Model:forward(x, training)
    local xs = is_tensor(x) and { x } or x
    if type(xs) ~= "table" or #xs ~= #self.inputs then
      util.error("%s '%s': expected %d input%s, got %s", self.class_name, self.name,
                 #self.inputs, #self.inputs > 1 and "s" or "",
                 type(xs) == "table" and tostring(#xs) or type(x))
    end
    local values, done = {}, {}
    for i, sym in ipairs(self.inputs) do
      local v = xs[i]
      if not is_tensor(v) then
        util.error("%s '%s': input %d is %s, not a tensor", self.class_name, self.name, i, type(v))
      end
      local want, got = sym.shape, v.shape
      local ok = #want == #got
      for k = 2, #want do ok = ok and (want[k] == core.None or want[k] == got[k]) end
      if not ok then
        util.error("%s '%s': input %d should have shape %s, got %s", self.class_name,
                   self.name, i, tostring(want), tostring(got))
      end
      values[sym] = v
    end
    local outs = {}
    for i, y in ipairs(self.outputs) do outs[i] = evaluate(y, values, done, training) end
    if self.single_output then return outs[1] end
    return table.unpack(outs)
  end

  function Model:call(x, _, opts)
    return self:forward(x, opts and opts.training)
  end

  Model.__call = function(self, x, opts)
    local first = is_tensor(x) and x or (type(x) == "table" and x[1])
    if is_tensor(first) and first.symbolic then
      -- nested: the model is a layer of a bigger model
      local list = not is_tensor(x)
      local outs = table.pack(self:forward(x, nil))
      local inputs = list and { table.unpack(x) } or { x }
      for i = 1, outs.n do
        local y = core.symbolic(outs[i].shape)
        core.set_node(y, { layer = self, inputs = inputs, op = self.name, index = i,
                           options = opts, list_input = list or nil })
        outs[i] = y
      end
      return table.unpack(outs, 1, outs.n)
    end
    opts = util.check_options(self.class_name .. " '" .. self.name .. "'", opts,
                              { training = true, mask = true })
    return self:forward(x, opts.training)
  end

  -- ---- Sequential ----------------------------------------------------------

  local Sequential = class("Sequential")
  for k, v in pairs(Model) do
    if rawget(Sequential, k) == nil then Sequential[k] = v end
  end

  -- nn.Sequential{layers...} or nn.Sequential({layers...}, {name=}):
  -- Keras's Sequential. When the first entry is an nn.Input, every layer is
  -- built (and its shape known) as it is added.
  function nn.Sequential(layers, opts)
    opts = util.check_options("nn.Sequential", opts, nn.option_names.Sequential)
    local self = setmetatable({ layers = {}, name = opts.name or nn.unique_name("sequential") }, Sequential)
    for _, l in ipairs(layers or {}) do self:add(l) end
    return self
  end

  function Sequential:add(layer)
    if is_tensor(layer) and layer.symbolic and layer.node and layer.node.kind == "input" then
      if self.input or #self.layers > 0 then
        util.error("Sequential '%s': an nn.Input can only come first", self.name)
      end
      self.input, self.output = layer, layer
      self.layers[1] = setmetatable({ name = layer.node.name, weights = {}, output = layer }, InputLayer)
      self.has_input_layer = true
      return self
    end
    if type(layer) ~= "table" or getmetatable(layer) == nil or not layer.call and not layer.forward then
      util.error("Sequential '%s': add expects a layer, got %s", self.name, type(layer))
    end
    self.layers[#self.layers + 1] = layer
    if self.output then
      local y = layer(self.output)
      if not is_tensor(y) then
        util.error("Sequential '%s': layer '%s' returns several tensors; use nn.Model", self.name, layer.name)
      end
      layer.output = y
      self.output = y
      self.inputs, self.outputs = { self.input }, { y }
      self.single_output = true
    end
    return self
  end

  function Sequential:forward(x, training)
    if not is_tensor(x) then
      util.error("Sequential '%s': expected a tensor, got %s", self.name, type(x))
    end
    local y = x
    for _, l in ipairs(self.layers) do
      if getmetatable(l) ~= InputLayer then
        y = l(y, training ~= nil and { training = training } or nil)
      end
    end
    return y
  end

  Sequential.__call = function(self, x, opts)
    opts = util.check_options("Sequential '" .. self.name .. "'", opts,
                              { training = true, mask = true })
    return self:forward(x, opts.training)
  end

  -- ---- summary: Keras 3's table --------------------------------------------

  local function thousands(n)
    local s = tostring(math.floor(n))
    local out = s:reverse():gsub("(%d%d%d)", "%1,"):reverse()
    return (out:gsub("^,", ""))
  end

  local function memory(bytes)
    local units, i = { "B", "KB", "MB", "GB" }, 1
    while bytes >= 1024 and i < #units do bytes = bytes / 1024; i = i + 1 end
    return string.format("%.2f %s", bytes, units[i])
  end

  -- Splits text into lines of at most width characters at spaces.
  local function wrap(text, width)
    local lines, line = {}, ""
    for word in text:gmatch("%S+") do
      if line == "" then line = word
      elseif #line + 1 + #word <= width then line = line .. " " .. word
      else lines[#lines + 1] = line; line = word end
    end
    lines[#lines + 1] = line
    local out = {}
    for _, l in ipairs(lines) do
      while #l > width do out[#out + 1] = l:sub(1, width); l = l:sub(width + 1) end
      out[#out + 1] = l
    end
    return out
  end

  local function display_width(s)
    return utf8.len(s) or #s
  end

  local function table_lines(widths, header, rows, align)
    local function bar(l, m, r, fill)
      local parts = {}
      for i, w in ipairs(widths) do parts[i] = string.rep(fill, w + 2) end
      return l .. table.concat(parts, m) .. r
    end
    local function row(cells, sep)
      local wrapped, height = {}, 1
      for i, c in ipairs(cells) do
        wrapped[i] = wrap(c, widths[i])
        height = math.max(height, #wrapped[i])
      end
      local out = {}
      for k = 1, height do
        local parts = {}
        for i, w in ipairs(widths) do
          local text = wrapped[i][k] or ""
          local pad = string.rep(" ", w - display_width(text))
          parts[i] = " " .. (align[i] == "right" and pad .. text or text .. pad) .. " "
        end
        out[#out + 1] = sep .. table.concat(parts, sep) .. sep
      end
      return out
    end
    local lines = { bar("┏", "┳", "┓", "━") }
    for _, l in ipairs(row(header, "┃")) do lines[#lines + 1] = l end
    lines[#lines + 1] = bar("┡", "╇", "┩", "━")
    for _, r in ipairs(rows) do
      for _, l in ipairs(row(r, "│")) do lines[#lines + 1] = l end
    end
    lines[#lines + 1] = bar("└", "┴", "┘", "─")
    return lines
  end

  local function shape_of(v)
    if is_tensor(v) then return tostring(v.shape) end
    return "?"
  end

  -- model:summary(): Keras 3's table. Returns the text; prints it unless
  -- print_fn = false is given.
  function Model:summary(opts)
    opts = opts or {}
    local functional = getmetatable(self) == Model
    local header = { "Layer (type)", "Output Shape", "Param #" }
    local widths = { 31, 22, 13 }
    if functional then
      header[4] = "Connected to"
      widths = { 29, 24, 11, 24 }
    end
    local rows = {}
    local names = {}
    if functional then
      for _, x in ipairs(self.inputs) do
        rows[#rows + 1] = { x.node.name .. " (InputLayer)", tostring(x.shape), "0", "-" }
        names[x] = x.node.name
      end
      local op_count = {}
      for _, call in ipairs(self.calls) do
        local node = call.node
        local name, typ, params
        if node.layer then
          name, typ, params = node.layer.name, node.layer.class_name, node.layer:count_params()
        else
          local n = op_count[node.op] or 0
          op_count[node.op] = n + 1
          name = n == 0 and node.op or (node.op .. "_" .. n)
          typ = (node.op:gsub("_(%l)", string.upper):gsub("^%l", string.upper))
          params = 0
        end
        for _, y in pairs(call.outputs) do names[y] = name end
        local sources = {}
        local function walk(v)
          if is_tensor(v) and v.symbolic then
            sources[#sources + 1] = (names[v] or "?") .. "[0][" .. ((v.node and v.node.index or 1) - 1) .. "]"
          elseif type(v) == "table" and getmetatable(v) == nil then
            for _, x in ipairs(v) do walk(x) end
          end
        end
        walk(node.layer and node.inputs or node.args)
        local outs = {}
        for i = 1, #call.outputs do outs[i] = shape_of(call.outputs[i]) end
        rows[#rows + 1] = { name .. " (" .. typ .. ")", table.concat(outs, ", "),
                            thousands(params), table.concat(sources, ", ") }
      end
    else
      for _, l in ipairs(self.layers) do
        if getmetatable(l) ~= InputLayer then
          local out = l.output and tostring(l.output.shape) or "?"
          rows[#rows + 1] = { l.name .. " (" .. l.class_name .. ")", out, thousands(l:count_params()) }
        end
      end
    end
    -- Keras 3 leaves out "Connected to" for a sequential-like functional
    -- model: one input, one output, each call fed by one tensor, no layer
    -- called twice and no tensor feeding two calls (a plain chain)
    if functional and #self.inputs == 1 and #(self.outputs or {}) <= 1 then
      local chain, seen_layer, seen_source = true, {}, {}
      for i, r in ipairs(rows) do
        local call = self.calls[i - #self.inputs]
        if call then
          if r[4] == "" or r[4]:find(",", 1, true) then chain = false end
          if seen_source[r[4]] then chain = false end
          seen_source[r[4]] = true
          local layer = call.node.layer
          if layer then
            if seen_layer[layer] then chain = false end
            seen_layer[layer] = true
          end
        end
      end
      if chain then
        header[4] = nil
        widths = { 31, 22, 13 }
        for _, r in ipairs(rows) do r[4] = nil end
      end
    end
    local total = self:count_params()
    local align = { "left", "left", "right", "left" }
    local lines = { string.format('Model: "%s"', self.name) }
    for _, l in ipairs(table_lines(widths, header, rows, align)) do lines[#lines + 1] = l end
    lines[#lines + 1] = string.format(" Total params: %s (%s)", thousands(total), memory(total * 4))
    lines[#lines + 1] = string.format(" Trainable params: %s (%s)", thousands(total), memory(total * 4))
    lines[#lines + 1] = " Non-trainable params: 0 (0.00 B)"
    local text = table.concat(lines, "\n")
    if opts.print_fn ~= false then print(text) end
    return text
  end
  Sequential.summary = Model.summary

  require("attnlab.training")(nn, Model, Sequential)
end
