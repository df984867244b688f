-- attnlab.recurrent: Keras's GRU, LSTM, SimpleRNN and Bidirectional.
-- The math (one fused forward and backpropagation-through-time kernel per
-- call) is in src/layers/; here are the options, the weights and how the
-- kernel's output is cut into what Keras returns.
local core = require "attnlab.core"
local util = require "attnlab.util"
local initializers = require "attnlab.initializers"

return function(nn)
  local Layer, class = nn.Layer, nn.class

  -- What each kind of cell needs: its Keras name, its default layer name,
  -- gate count, states, and the kernel that runs it.
  local cells = {
    GRU = { base = "gru", gates = 3, states = 1 },
    LSTM = { base = "lstm", gates = 4, states = 2 },
    SimpleRNN = { base = "simple_rnn", gates = 1, states = 1 },
  }

  local common_options = {
    activation = true, use_bias = true, kernel_initializer = true,
    recurrent_initializer = true, bias_initializer = true, dropout = true,
    recurrent_dropout = true, return_sequences = true, return_state = true,
    go_backwards = true, stateful = true, unroll = true, name = true,
    zero_output_for_mask = true,
  }

  local function options_for(cls)
    local known = {}
    for k in pairs(common_options) do known[k] = true end
    if cls ~= "SimpleRNN" then known.recurrent_activation = true end
    if cls == "GRU" then known.reset_after = true end
    if cls == "LSTM" then known.unit_forget_bias = true end
    return known
  end

  local function check_bool(who, opts, key)
    local v = opts[key]
    if v ~= nil and type(v) ~= "boolean" then
      util.error("%s: %s must be true or false, got %s", who, key, util.show(v))
    end
  end

  local function check_rate(who, opts, key)
    local v = opts[key]
    if v ~= nil and (type(v) ~= "number" or v ~= v or v < 0 or v >= 1) then
      util.error("%s: %s must be a number in [0, 1), got %s", who, key,
                 util.show(v))
    end
  end

  local supported_acts = { linear = true, tanh = true, sigmoid = true,
                           relu = true, hard_sigmoid = true }

  local function check_act(who, opts, key)
    local v = opts[key]
    if v ~= nil and not supported_acts[v] then
      util.error("%s: %s %s is not supported in a recurrent layer (supported: hard_sigmoid, linear, relu, sigmoid, tanh)",
                 who, key, util.show(v))
    end
  end

  local function make_rnn(cls)
    local info = cells[cls]
    local R = class(cls)
    R.is_recurrent = true

    -- nn.GRU(units, {return_sequences=, return_state=, go_backwards=,
    -- reset_after=, activation=, recurrent_activation=, use_bias=,
    -- kernel_initializer=, recurrent_initializer=, bias_initializer=,
    -- dropout=, name=}), and likewise LSTM (unit_forget_bias=) and SimpleRNN.
    nn[cls] = function(units, opts)
      units = nn.check_units(cls, units)
      opts = util.check_options(cls, opts, options_for(cls))
      for _, k in ipairs { "use_bias", "return_sequences", "return_state",
                           "go_backwards", "stateful", "unroll",
                           "reset_after", "unit_forget_bias",
                           "zero_output_for_mask" } do
        check_bool(cls, opts, k)
      end
      check_rate(cls, opts, "dropout")
      check_rate(cls, opts, "recurrent_dropout")
      check_act(cls, opts, "activation")
      check_act(cls, opts, "recurrent_activation")
      if opts.stateful then
        util.error("%s: stateful=true is not supported", cls)
      end
      local self = setmetatable({}, R)
      self.units = units
      self.options = Layer.clone_options(opts)
      self.name = opts.name or nn.unique_name(info.base)
      self.return_sequences = opts.return_sequences == true
      self.return_state = opts.return_state == true
      self.go_backwards = opts.go_backwards == true
      self.reset_after = opts.reset_after ~= false
      self.use_bias = opts.use_bias ~= false
      self.unit_forget_bias = opts.unit_forget_bias ~= false
      self.dropout = opts.dropout or 0
      self.recurrent_dropout = opts.recurrent_dropout or 0
      self.zero_output_for_mask = opts.zero_output_for_mask == true
      self.kernel_initializer = opts.kernel_initializer or "glorot_uniform"
      self.recurrent_initializer = opts.recurrent_initializer or "orthogonal"
      self.bias_initializer = opts.bias_initializer or "zeros"
      local who = cls .. " '" .. self.name .. "'"
      for _, k in ipairs { "kernel_initializer", "recurrent_initializer",
                           "bias_initializer" } do
        initializers.get(self[k], who)
      end
      self.config = {
        name = self.name,
        activation = opts.activation or "tanh",
        recurrent_activation = opts.recurrent_activation or "sigmoid",
        reset_after = self.reset_after,
        go_backwards = self.go_backwards,
      }
      return self
    end

    function R:describe()
      local s = string.format("units=%d", self.units)
      if self.return_sequences then s = s .. ", return_sequences=true" end
      if self.return_state then s = s .. ", return_state=true" end
      if self.go_backwards then s = s .. ", go_backwards=true" end
      if cls == "GRU" and not self.reset_after then s = s .. ", reset_after=false" end
      return s
    end

    function R:build(shape)
      if #shape ~= 3 then
        util.error("%s '%s': expected input of rank 3 (batch, time, features), got shape %s",
                   cls, self.name, tostring(shape))
      end
      local d, u, g = shape[3], self.units, info.gates
      if d == core.None then
        util.error("%s '%s': the features axis of the input must be known, got shape %s",
                   cls, self.name, tostring(shape))
      end
      self:add_weight("kernel", { d, g * u }, self.kernel_initializer)
      self:add_weight("recurrent_kernel", { u, g * u }, self.recurrent_initializer)
      if self.use_bias then
        local shape_b = (cls == "GRU" and self.reset_after) and { 2, g * u } or { g * u }
        local b = self:add_weight("bias", shape_b, self.bias_initializer)
        if cls == "LSTM" and self.unit_forget_bias then
          -- Keras: the forget gate's bias starts at one
          core.no_grad(function()
            for j = u, 2 * u - 1 do b:set(j, 1) end
          end)
        end
      end
    end

    -- The input dropout of Keras 3: one mask (batch, features), scaled by
    -- 1 / (1 - rate), shared by every time step, only when training.
    local function drop_inputs(self, x, training)
      if not training or self.dropout <= 0 or x.symbolic then return x end
      local m = core.kernels.dropout_mask({ x:size(0), 1, x:size(2) }, self.dropout)
      return core.mul(x, m)
    end

    function R:call(x, mask, opts)
      local init = opts.initial_state
      if init ~= nil and (type(init) ~= "table" or nn.is_tensor(init)) then
        init = { init }
      end
      init = init or {}
      if #init ~= 0 and #init ~= info.states then
        util.error("%s '%s': initial_state must hold %d tensor%s, got %d",
                   cls, self.name, info.states, info.states > 1 and "s" or "",
                   #init)
      end
      self.config.zero_output_for_mask = self.zero_output_for_mask
      if x:size(1) == 0 then
        util.error("%s '%s': the input has no time steps, shape %s", cls,
                   self.name, tostring(x.shape))
      end
      x = drop_inputs(self, x, opts.training)
      -- recurrent dropout: one (batch, units) mask for the whole sequence
      -- on the state where it enters the recurrent products
      self.config.recurrent_mask = nil
      if opts.training and self.recurrent_dropout > 0 and not x.symbolic then
        self.config.recurrent_mask =
          core.kernels.dropout_mask({ x:size(0), self.units }, self.recurrent_dropout)
      end
      local seq
      if cls == "GRU" then
        seq = core.kernels.gru(x, mask, init[1], self.kernel,
                               self.recurrent_kernel, self.bias, self.config)
      elseif cls == "LSTM" then
        seq = core.kernels.lstm(x, mask, init[1], init[2], self.kernel,
                                self.recurrent_kernel, self.bias, self.config)
      else
        seq = core.kernels.simple_rnn(x, mask, init[1], self.kernel,
                                      self.recurrent_kernel, self.bias,
                                      self.config)
      end
      -- seq (batch, time, (1 + states) * units): [output | h (| c)]
      local u = self.units
      local outputs = core.slice(seq, -1, 0, u)
      local output = self.return_sequences and outputs or core.select(outputs, 1, -1)
      if not self.return_state then return output end
      local last = core.select(seq, 1, -1)
      if info.states == 1 then
        return output, core.slice(last, -1, u, 2 * u)
      end
      return output, core.slice(last, -1, u, 2 * u), core.slice(last, -1, 2 * u, 3 * u)
    end

    function R:compute_mask(_, mask)
      if self.return_sequences then return mask end
      return nil
    end

    -- A fresh layer with the same options (Bidirectional's copies).
    function R:copy(overrides)
      local opts = Layer.clone_options(self.options)
      for k, v in pairs(overrides or {}) do opts[k] = v end
      return nn[cls](self.units, opts)
    end

    return R
  end

  for cls in pairs(cells) do
    make_rnn(cls)
    nn.option_names[cls] = options_for(cls)
  end
  nn.option_names.Bidirectional = { merge_mode = true, backward_layer = true,
                                    name = true, weights = true }

  -- ---- Bidirectional -----------------------------------------------------

  local Bidirectional = class("Bidirectional")
  local merge_modes = { concat = true, sum = true, ave = true, mul = true }

  -- nn.Bidirectional(layer, {merge_mode=, backward_layer=, name=}):
  -- Keras's Bidirectional. merge_mode "concat" (default), "sum", "ave",
  -- "mul", or None / "none" to return both directions.
  function nn.Bidirectional(layer, opts)
    opts = util.check_options("Bidirectional", opts,
                              { merge_mode = true, backward_layer = true,
                                name = true, weights = true })
    if type(layer) ~= "table" or not layer.is_recurrent then
      util.error("Bidirectional: expected a recurrent layer (GRU, LSTM or SimpleRNN), got %s",
                 type(layer) == "table" and (layer.class_name or "a table") or type(layer))
    end
    local mode = opts.merge_mode
    if mode == nil then mode = "concat" end
    if mode == core.None or mode == "none" or mode == false then
      mode = nil
    elseif not merge_modes[mode] then
      util.error("Bidirectional: merge_mode must be one of concat, sum, ave, mul or None, got %s",
                 util.show(mode))
    end
    local self = setmetatable({}, Bidirectional)
    self.name = opts.name or nn.unique_name("bidirectional")
    self.merge_mode = mode
    self.initial_weights = opts.weights
    self.return_sequences = layer.return_sequences
    self.return_state = layer.return_state
    self.forward_layer = layer:copy { name = "forward_" .. layer.name }
    if opts.backward_layer then
      local b = opts.backward_layer
      if type(b) ~= "table" or not b.is_recurrent then
        util.error("Bidirectional: backward_layer must be a recurrent layer")
      end
      if not b.go_backwards then
        util.error("Bidirectional: backward_layer must have go_backwards=true")
      end
      if b.return_sequences ~= layer.return_sequences or b.return_state ~= layer.return_state then
        util.error("Bidirectional: backward_layer must have the same return_sequences and return_state as the forward layer")
      end
      self.backward_layer = b
    else
      self.backward_layer = layer:copy { name = "backward_" .. layer.name,
                                         go_backwards = not layer.go_backwards }
    end
    -- Keras: in Bidirectional a masked step outputs zeros when the whole
    -- sequence is returned
    self.forward_layer.zero_output_for_mask = self.return_sequences
    self.backward_layer.zero_output_for_mask = self.return_sequences
    return self
  end

  function Bidirectional:describe()
    return string.format("layer=%s, merge_mode=%s", self.forward_layer.class_name,
                         tostring(self.merge_mode or "None"))
  end

  function Bidirectional:build(shape)
    local f, b = self.forward_layer, self.backward_layer
    if not f.built then f:build(shape); f.built = true end
    if not b.built then b:build(shape); b.built = true end
    self.weights, self.weight_names = {}, {}
    for _, l in ipairs { f, b } do
      for i, w in ipairs(l.weights) do
        self.weights[#self.weights + 1] = w
        self.weight_names[#self.weight_names + 1] = l.name .. "/" .. l.weight_names[i]
      end
    end
    if self.initial_weights then -- Keras's weights= argument
      self:set_weights(self.initial_weights)
      self.initial_weights = nil
    end
  end

  local function merge(mode, a, b)
    if mode == "concat" then return core.concat({ a, b }, -1) end
    if mode == "sum" then return core.add(a, b) end
    if mode == "ave" then return core.mul(core.add(a, b), 0.5) end
    return core.mul(a, b)
  end

  function Bidirectional:call(x, mask, opts)
    local init = opts.initial_state
    local fi, bi
    if init ~= nil then
      local n = self.forward_layer.class_name == "LSTM" and 2 or 1
      if type(init) ~= "table" or nn.is_tensor(init) or #init ~= 2 * n then
        util.error("Bidirectional '%s': initial_state must hold %d tensors (forward states, then backward)",
                   self.name, 2 * n)
      end
      fi, bi = {}, {}
      for i = 1, n do fi[i] = init[i]; bi[i] = init[n + i] end
    end
    local sub = { mask = mask, training = opts.training, initial_state = fi }
    local f = table.pack(self.forward_layer:call(x, mask, sub))
    sub.initial_state = bi
    local b = table.pack(self.backward_layer:call(x, mask, sub))
    local yf, yb = f[1], b[1]
    if self.return_sequences then
      yb = core.slice(yb, 1, nil, nil, -1) -- back to time order
    end
    local out = {}
    if self.merge_mode then
      out[1] = merge(self.merge_mode, yf, yb)
    else
      out[1], out[2] = yf, yb
    end
    if self.return_state then
      for i = 2, f.n do out[#out + 1] = f[i] end
      for i = 2, b.n do out[#out + 1] = b[i] end
    end
    return table.unpack(out)
  end

  function Bidirectional:compute_mask(_, mask)
    if not self.return_sequences then return nil end
    if self.merge_mode == nil then return mask, mask end
    return mask
  end
end
