-- attnlab.layers: the `nn` global. Layer objects hold names, options and
-- weights; their math is in C (core.kernels). A layer called on a real
-- tensor computes at once; called on a symbolic one (from nn.Input) it
-- infers the output shape and records the call, for nn.Model to replay.
local core = require "attnlab.core"
local util = require "attnlab.util"
local activations = require "attnlab.activations"
local initializers = require "attnlab.initializers"

local nn = {}
nn.None = core.None
nn.activations = activations
nn.initializers = initializers

-- ---- names: dense, dense_1, dense_2, ... as Keras gives them ------------

local name_counts = {}

local function unique_name(base)
  local n = name_counts[base]
  name_counts[base] = (n or 0) + 1
  if n == nil then return base end
  return base .. "_" .. n
end

-- Keras's keras.backend.clear_session(): names start again from dense.
function nn.clear_session()
  name_counts = {}
end

function nn.seed(n)
  if not util.is_integer(n) then
    util.error("nn.seed: expected an integer, got %s", util.show(n))
  end
  core.seed(n)
end

-- ---- the base layer ------------------------------------------------------

local Layer = {}
Layer.__index = Layer
nn.Layer = Layer

-- Every layer class by its class name (the prompt's :shapes and pretty
-- printing find them here), and the option names each constructor knows
-- (the prompt completes them; help shows them).
nn.classes = {}
nn.option_names = {}

-- A new layer class: its instances find methods in the class, then Layer.
local function class(name)
  local cls = { class_name = name }
  nn.classes[name] = cls
  cls.__index = cls
  cls.__call = Layer.__call
  cls.__tostring = Layer.__tostring
  return setmetatable(cls, { __index = Layer })
end

function Layer.__tostring(self)
  return string.format("<%s name=%s%s>", self.class_name, self.name,
                       self.describe and (", " .. self:describe()) or "")
end

local function is_tensor(x)
  return type(x) == "userdata" and getmetatable(x) == debug.getregistry()["attnlab.tensor"]
end
nn.is_tensor = is_tensor

-- Keras masks travel with tensors: masks[y] is the (batch, time) mask of
-- y, if any (x.mask reads it).
local masks = setmetatable({}, { __mode = "k" })
debug.getregistry()["attnlab.masks"] = masks
nn.masks = masks

local call_options = { mask = true, training = true, initial_state = true }

-- layer(x [, {mask=, training=, initial_state=}]): builds the weights on
-- the first call (from x's shape), then computes. Returns what the layer
-- returns (several values for return_state). A symbolic result records
-- {layer=, inputs=, index=} for nn.Model. The output's mask is the layer's
-- compute_mask, or the input's mask for a layer that supports masking.
function Layer.__call(self, x, opts)
  if not is_tensor(x) then
    util.error("%s '%s': expected a tensor, got %s", self.class_name,
               self.name, type(x))
  end
  opts = util.check_options(self.class_name .. " '" .. self.name .. "'",
                            opts, call_options)
  local mask = opts.mask
  if mask == nil then mask = masks[x] end
  if not self.built then
    if self.build then self:build(x.shape) end
    self.built = true
  end
  local outs = table.pack(self:call(x, mask, opts))
  local out_masks = {}
  if self.compute_mask then
    out_masks = table.pack(self:compute_mask(x, mask))
  elseif self.supports_masking then
    out_masks = { mask }
  end
  local inputs = { x } -- one table per call: nn.Model runs a call once
  for i = 1, outs.n do
    local y = outs[i]
    if is_tensor(y) and y.symbolic then
      -- a layer that gives its input back (a linear Activation) gets a
      -- new symbolic tensor, so the input keeps its own record
      if rawequal(y, x) then
        y = core.symbolic(y.shape)
        outs[i] = y
      end
      core.set_node(y, { layer = self, inputs = inputs, op = self.name,
                         index = i, mask = mask, options = opts })
    end
  end
  for i = 1, outs.n do
    if out_masks[i] ~= nil and is_tensor(outs[i]) then masks[outs[i]] = out_masks[i] end
  end
  return table.unpack(outs, 1, outs.n)
end

function Layer:get_weights()
  local out = {}
  for i, w in ipairs(self.weights or {}) do out[i] = w:clone() end
  return out
end

function Layer:set_weights(values)
  local weights = self.weights or {}
  if type(values) ~= "table" or is_tensor(values) then
    util.error("%s '%s': set_weights expects a table of %d arrays",
               self.class_name, self.name, #weights)
  end
  if #values ~= #weights then
    util.error("%s '%s': set_weights expected %d arrays, got %d",
               self.class_name, self.name, #weights, #values)
  end
  -- check every shape before changing anything, as Keras does
  local checked = {}
  for i, w in ipairs(weights) do
    local v = values[i]
    if not is_tensor(v) then v = core.from(v) end
    if v.shape ~= w.shape then
      util.error("%s '%s': weight %d (%s) has shape %s, got %s",
                 self.class_name, self.name, i, self.weight_names[i],
                 tostring(w.shape), tostring(v.shape))
    end
    checked[i] = v
  end
  for i, w in ipairs(weights) do core.assign(w, checked[i]) end
end

-- Attention layers keep the weights of their last call (the tensor the
-- forward pass made, no extra work): layer:last_attention() returns them,
-- (batch, Tq, Tk) or with a heads axis, or nil before the first call.
-- While model:predict or model:evaluate runs (nn.collect_attention), every
-- batch's weights are kept and joined in order along axis 0, so that
-- last_attention() covers every sample the call ran.
local collecting -- nil, or the collection of the running predict/evaluate

local function format_bytes(n)
  if n >= 2 ^ 30 then return string.format("%.1f GiB", n / 2 ^ 30) end
  if n >= 2 ^ 20 then return string.format("%.1f MiB", n / 2 ^ 20) end
  if n >= 2 ^ 10 then return string.format("%.1f KiB", n / 2 ^ 10) end
  return string.format("%d bytes", math.tointeger(n) or n)
end

local function who_of(layer)
  return tostring(layer.class_name) .. " '" .. tostring(layer.name) .. "'"
end

-- the shape of w with its batch axis set to n, as a string: (200, 1, 12)
local function shape_with_batch(w, n)
  local parts = { tostring(n) }
  for i = 1, w.ndim - 1 do parts[i + 1] = tostring(w:size(i)) end
  return "(" .. table.concat(parts, ", ") .. ")"
end

function Layer:keep_attention(weights)
  self._last_attention = weights
  self._keeps_attention = true
  local c = collecting
  if c and is_tensor(weights) and not weights.symbolic and weights.ndim >= 1 then
    local parts = c.parts[self]
    if not parts then
      -- the first batch: would every sample's weights fit? They are
      -- held while the batches run, and once more when joined.
      parts = {}
      c.parts[self] = parts
      c.order[#c.order + 1] = self
      local b = math.max(weights:size(0), 1)
      local bytes = weights:numel() / b * c.samples * 4
      c.reserved = c.reserved + 2 * bytes
      if c.samples > c.batch_size and c.used + c.reserved > c.limit then
        util.error("%s: keeping the attention weights of %s for all %d samples needs a %s tensor, %s (twice that while the batches are joined), more than the memory limit leaves (%s free of %s); run fewer samples at a time (x:slice(0, 0, n)), or raise the limit with tensor.set_memory_limit",
                   c.who, who_of(self), c.samples, shape_with_batch(weights, c.samples),
                   format_bytes(bytes), format_bytes(math.max(c.limit - c.used, 0)),
                   format_bytes(c.limit))
      end
    end
    parts[c.batch] = weights -- a second call in one batch replaces the first
  end
  return weights
end

-- Whether the layer keeps attention weights: attention layers do, a Dense
-- with keep_output = true does, and so does a custom layer once it has
-- called keep_attention.
function Layer:keeps_attention()
  return self._keeps_attention == true
end

-- What the rows and the columns of one sample's kept weights are, as axis
-- titles for viz.attention: {rows = ..., cols = ...}. Attention between a
-- query and a key sequence by default; layers whose weights mean something
-- else say so (AttentionPooling, TimeAttention, Dense).
function Layer:attention_axes()
  return { rows = "query position", cols = "key position" }
end

function Layer:last_attention()
  local w = self._last_attention
  if w == nil and not self:keeps_attention() then
    if self.class_name == "Dense" then
      util.error("Dense '%s' keeps no attention: create it with keep_output = true, as in nn.Dense(%d, {activation = \"softmax\", keep_output = true}), and run it again",
                 tostring(self.name), self.units)
    end
    util.error("%s keeps no attention: only the attention layers (Attention, AdditiveAttention, MultiHeadAttention, AttentionPooling, SelfAttention, TimeAttention, ProbSparseAttention) and a Dense created with keep_output = true keep their weights",
               who_of(self))
  end
  return w
end

-- nn.collect_attention(who, samples, batch_size, run): runs
-- run(next_batch), where run calls next_batch() before each batch of
-- batch_size of the samples, keeping the attention weights of every
-- batch; then each layer's last_attention() is its batches joined in
-- order along axis 0 (when every batch kept some). Past the memory limit
-- it stops at the first batch, with an error naming the layer and the
-- size. who names the caller in errors ("predict").
function nn.collect_attention(who, samples, batch_size, run)
  local used, limit = core.memory()
  local c = { who = who, samples = samples, batch_size = batch_size, batch = 0,
              parts = {}, order = {}, used = used, limit = limit, reserved = 0 }
  local outer = collecting
  collecting = c
  local ok, err = pcall(run, function() c.batch = c.batch + 1 end)
  collecting = outer
  if not ok then error(err, 0) end
  for _, layer in ipairs(c.order) do
    local parts, complete = c.parts[layer], true
    for b = 1, c.batch do complete = complete and parts[b] ~= nil end
    if complete and c.batch > 1 then
      local joined_ok, joined = pcall(core.concat, parts, 0)
      if not joined_ok then
        util.error("%s: could not join the attention weights of %s for all %d samples (%s): %s",
                   who, who_of(layer), samples, shape_with_batch(parts[1], samples),
                   tostring(joined))
      end
      layer._last_attention = joined
    end
  end
end

function Layer:count_params()
  local n = 0
  for _, w in ipairs(self.weights or {}) do n = n + w:numel() end
  return n
end

-- Adds a weight made by an initializer; weights are leaves that require
-- grad, in Keras's order.
function Layer:add_weight(name, shape, initializer)
  local who = self.class_name .. " '" .. self.name .. "'"
  local w = initializers.get(initializer, who)(shape)
  if not is_tensor(w) or w.symbolic then
    util.error("%s: the initializer of %s must return a tensor with values, got %s",
               who, name, is_tensor(w) and "a symbolic tensor" or type(w))
  end
  local want = core.zeros(shape).shape
  if w.shape ~= want then
    util.error("%s: the initializer of %s returned shape %s, expected %s", who, name,
               tostring(w.shape), tostring(want))
  end
  w = w:detach() -- a leaf of its own, whatever the initializer returned
  w.requires_grad = true
  self.weights = self.weights or {}
  self.weight_names = self.weight_names or {}
  self.weights[#self.weights + 1] = w
  self.weight_names[#self.weight_names + 1] = name
  self[name] = w
  return w
end

function Layer.clone_options(opts)
  local copy = {}
  for k, v in pairs(opts or {}) do copy[k] = v end
  return copy
end

local function check_units(who, units, what)
  if not util.is_integer(units) or units <= 0 then
    util.error("%s: %s must be a positive integer, got %s", who,
               what or "units", util.show(units))
  end
  return math.tointeger(units)
end

-- ---- Dense ---------------------------------------------------------------

local Dense = class("Dense")
Dense.supports_masking = true
nn.DenseClass = Dense

local dense_options = { activation = true, use_bias = true,
                        kernel_initializer = true, bias_initializer = true,
                        name = true, keep_output = true }
nn.option_names.Dense = dense_options

-- nn.Dense(units, {activation=, use_bias=, kernel_initializer=,
-- bias_initializer=, name=}): Keras's Dense, on the last axis of any
-- input of rank >= 2.
function nn.Dense(units, opts)
  units = check_units("Dense", units)
  opts = util.check_options("Dense", opts, dense_options)
  local self = setmetatable({}, Dense)
  self.units = units
  self.name = opts.name or unique_name("dense")
  self.activation, self.activation_name =
    activations.get(opts.activation, "Dense '" .. self.name .. "'")
  self.use_bias = opts.use_bias ~= false
  -- keep_output=true: a Dense(..., activation="softmax") used as attention
  -- keeps its output for layer:last_attention()
  self.keep_output = opts.keep_output == true
  self.kernel_initializer = opts.kernel_initializer or "glorot_uniform"
  self.bias_initializer = opts.bias_initializer or "zeros"
  -- check the names now, not at the first call
  initializers.get(self.kernel_initializer, "Dense '" .. self.name .. "'")
  initializers.get(self.bias_initializer, "Dense '" .. self.name .. "'")
  return self
end

function Dense:describe()
  return string.format("units=%d, activation=%s", self.units,
                       self.activation_name)
end

function Dense:build(shape)
  local n = #shape
  local in_dim = shape[n]
  if n < 2 then
    util.error("Dense '%s': expected input of rank >= 2 (batch, ..., features), got shape %s",
               self.name, tostring(shape))
  end
  if in_dim == core.None then
    util.error("Dense '%s': the last axis of the input must be known, got shape %s",
               self.name, tostring(shape))
  end
  self:add_weight("kernel", { in_dim, self.units }, self.kernel_initializer)
  if self.use_bias then
    self:add_weight("bias", { self.units }, self.bias_initializer)
  end
end

-- Where a sequence x (symbolic, rank 3) came from: the size of its last
-- axis when that axis is time, i.e. x was made by transpose(h, {0, 2, 1})
-- or Permute{2, 1}, maybe through layers that act on the last axis alone
-- (Dense, Activation, Dropout) as in recipe 1; nil when axis 1 is time
-- (any other origin).
local function time_last_size(x)
  for _ = 1, 16 do
    local node = x.node
    if node == nil or x.ndim ~= 3 then return nil end
    local layer = node.layer
    if layer then
      local cn = layer.class_name
      if cn == "Permute" then
        local d = layer.dims
        if d and #d == 2 and d[1] == 2 and d[2] == 1 then return node.inputs[1]:size(1) end
        return nil
      elseif (cn == "Dense" or cn == "Activation" or cn == "Dropout")
             and is_tensor(node.inputs and node.inputs[1]) then
        x = node.inputs[1]
      else
        return nil
      end
    elseif node.op == "transpose" then
      local perm = node.args and node.args[2]
      if type(perm) == "table" and #perm == 3 and perm[1] == 0 and perm[2] == 2
         and perm[3] == 1 and is_tensor(node.args[1]) then
        return node.args[1]:size(1)
      end
      return nil
    elseif node.args and node.args.n == 1 and is_tensor(node.args[1]) then
      x = node.args[1] -- tanh(x), sigmoid(x), ...: the last axis stays
    else
      return nil
    end
  end
  return nil
end

function Dense:call(x)
  local y = self.activation(core.kernels.dense(x, self.kernel, self.bias, self.name))
  if self.keep_output then
    -- what the kept weights' axes are, learned from the symbolic call
    -- that built the model (a call on data knows nothing more)
    if x.symbolic and x.ndim == 3 then
      self._time_last, self._axes_known = time_last_size(x), true
    end
    self:keep_attention(y)
  end
  return y
end

function Dense:keeps_attention()
  return self.keep_output == true
end

-- A softmax Dense used as attention: over a time-last sequence (batch,
-- features, time), as recipe 1's Dense(T) on transpose(h, {0, 2, 1}), each
-- row is a feature and each column a time step (when the units are the
-- time steps); over a sequence (batch, time, features), each row is a time
-- step and each column a unit. A Dense only ever called on data cannot
-- tell: its rows are axis 1 of the input.
function Dense:attention_axes()
  if self._time_last then
    local T = self._time_last
    return { rows = "feature", cols = (T == self.units or T == core.None) and "time step" or "unit" }
  end
  if self._axes_known then return { rows = "time step", cols = "unit" } end
  return { rows = "axis 1 of the input", cols = "unit" }
end

function Dense:output_shape(shape)
  local out = { table.unpack(shape) }
  out[#out] = self.units
  return out
end

-- ---- Activation ----------------------------------------------------------

local Activation = class("Activation")
Activation.supports_masking = true

function nn.Activation(activation, opts)
  opts = util.check_options("Activation", opts, { name = true })
  local self = setmetatable({}, Activation)
  self.name = opts.name or unique_name("activation")
  self.fn, self.activation_name = activations.get(activation,
                                                  "Activation '" .. self.name .. "'")
  self.weights = {}
  return self
end

function Activation:describe()
  return "activation=" .. self.activation_name
end

function Activation:call(x)
  return self.fn(x)
end

-- ---- Embedding and Masking ----------------------------------------------

local Embedding = class("Embedding")

local embedding_options = { embeddings_initializer = true, mask_zero = true,
                            input_length = true, name = true }
nn.option_names.Embedding = embedding_options
nn.option_names.Masking = { mask_value = true, name = true }
nn.option_names.Activation = { name = true }

-- nn.Embedding(input_dim, output_dim, {mask_zero=, embeddings_initializer=,
-- name=}): Keras's Embedding; integer ids (...) -> (..., output_dim). With
-- mask_zero, id 0 is padding and its steps are masked downstream.
function nn.Embedding(input_dim, output_dim, opts)
  local self = setmetatable({}, Embedding)
  self.input_dim = check_units("Embedding", input_dim, "input_dim")
  self.output_dim = check_units("Embedding", output_dim, "output_dim")
  opts = util.check_options("Embedding", opts, embedding_options)
  self.name = opts.name or unique_name("embedding")
  self.mask_zero = opts.mask_zero == true
  self.embeddings_initializer = opts.embeddings_initializer or "random_uniform"
  initializers.get(self.embeddings_initializer, "Embedding '" .. self.name .. "'")
  return self
end

function Embedding:describe()
  return string.format("input_dim=%d, output_dim=%d%s", self.input_dim,
                       self.output_dim, self.mask_zero and ", mask_zero=true" or "")
end

function Embedding:build()
  self:add_weight("embeddings", { self.input_dim, self.output_dim },
                  self.embeddings_initializer)
end

function Embedding:call(ids)
  return core.kernels.embedding(ids, self.embeddings, self.name)
end

function Embedding:compute_mask(ids)
  if not self.mask_zero then return nil end
  return core.kernels.embedding_mask(ids)
end

local Masking = class("Masking")

-- nn.Masking{mask_value=0}: masks the steps whose features all equal
-- mask_value, and zeroes them, as Keras's Masking.
function nn.Masking(opts)
  opts = util.check_options("Masking", opts, { mask_value = true, name = true })
  local self = setmetatable({}, Masking)
  self.name = opts.name or unique_name("masking")
  self.mask_value = opts.mask_value or 0
  if type(self.mask_value) ~= "number" then
    util.error("Masking: mask_value must be a number, got %s", util.show(self.mask_value))
  end
  self.weights = {}
  return self
end

function Masking:describe()
  return "mask_value=" .. tostring(self.mask_value)
end

function Masking:compute_mask(x)
  return core.kernels.masking_mask(x, self.mask_value, self.name)
end

function Masking:call(x)
  local m = self:compute_mask(x)
  return core.mul(x, core.expand_dims(m, -1))
end

-- ---- Input ---------------------------------------------------------------

-- nn.Input{64, 32} or nn.Input{shape={64, 32}, name=}: Keras's
-- Input(shape=(64, 32)), a symbolic (None, 64, 32) tensor.
function nn.Input(spec)
  if type(spec) ~= "table" then
    util.error("nn.Input: expected a shape table, e.g. nn.Input{64, 32}, got %s",
               type(spec))
  end
  local shape, name = spec, nil
  if spec.shape ~= nil then
    util.check_options("nn.Input", spec, { shape = true, name = true,
                                           batch_size = true })
    shape, name = spec.shape, spec.name
    if type(shape) ~= "table" then
      util.error("nn.Input: shape must be a table, got %s", type(shape))
    end
  end
  local full = { spec.batch_size or core.None }
  for i = 1, #shape do
    local n = shape[i]
    if n ~= core.None and not (util.is_integer(n) and n >= 0) then
      util.error("nn.Input: size %d must be a non-negative integer or None, got %s",
                 i, util.show(n))
    end
    full[i + 1] = n
  end
  if spec.batch_size ~= nil and not (util.is_integer(spec.batch_size) and spec.batch_size > 0) then
    util.error("nn.Input: batch_size must be a positive integer, got %s",
               util.show(spec.batch_size))
  end
  name = name or unique_name("input_layer")
  return core.symbolic(full, { kind = "input", name = name, op = name })
end

nn.class = class
nn.unique_name = unique_name
nn.check_units = check_units
require("attnlab.recurrent")(nn)
require("attnlab.merge")(nn)
require("attnlab.attention")(nn)
require("attnlab.attention_recipes")(nn)
nn.losses = require "attnlab.losses"
nn.optimizers = require "attnlab.optimizers"
require("attnlab.model")(nn)
return nn
