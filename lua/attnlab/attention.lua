-- attnlab.attention: Keras 3's attention layers, Attention (Luong),
-- AdditiveAttention (Bahdanau) and MultiHeadAttention, with Keras's
-- arguments, weights (names, shapes, get_weights() order), formulas and
-- masks. Each keeps the softmax weights of its last call:
-- layer:last_attention() is (batch, Tq, Tv), or (batch, heads, Tq, Tv) for
-- MultiHeadAttention.
--
-- The calls take a list of inputs, as Keras's Attention does:
--     layer({query, value}) or layer({query, value, key}), options
-- (MultiHeadAttention also takes Keras's positional form layer(query,
-- value[, key][, options])).
local core = require "attnlab.core"
local util = require "attnlab.util"
local initializers = require "attnlab.initializers"

return function(nn)
  local class = nn.class
  local None = core.None
  local is_tensor = nn.is_tensor

  -- Keras's large negative number for masked scores (float32)
  local NEG = 1e9

  local function who(self) return self.class_name .. " '" .. self.name .. "'" end

  local function show(v)
    if is_tensor(v) then return "a tensor of shape " .. tostring(v.shape) end
    if type(v) == "table" then return "a table" end
    return util.show(v)
  end

  local function check_bool(name, opts, key)
    local v = opts[key]
    if v ~= nil and type(v) ~= "boolean" then
      util.error("%s: %s must be true or false, got %s", name, key, util.show(v))
    end
  end

  local function check_rate(name, opts, key)
    local v = opts[key]
    if v ~= nil and (type(v) ~= "number" or v ~= v or v < 0 or v >= 1) then
      util.error("%s: %s must be a number in [0, 1), got %s", name, key,
                 util.show(v))
    end
  end

  -- sizes a and b agree (an unknown size agrees with anything)
  local function agree(a, b) return a == None or b == None or a == b end

  -- the list of inputs {query, value[, key]} -> query, value, key or nil
  local function unpack_inputs(self, inputs)
    if is_tensor(inputs) or type(inputs) ~= "table" then
      util.error("%s: must be called on a list of inputs, namely {query, value} or {query, value, key}; got %s",
                 who(self), show(inputs))
    end
    local n = 0
    for key in pairs(inputs) do
      if math.type(key) ~= "integer" then
        util.error("%s: must be called on a list of inputs, namely {query, value} or {query, value, key}; got a table with key %s",
                   who(self), util.show(key))
      end
      if key > n then n = key end
    end
    if n < 2 or n > 3 then
      util.error("%s: accepts a list of 2 or 3 inputs, namely {query, value} or {query, value, key}; got %d",
                 who(self), n)
    end
    local names = { "query", "value", "key" }
    for i = 1, n do
      local x = inputs[i]
      if not is_tensor(x) then
        util.error("%s: the %s (input %d) must be a tensor, got %s", who(self),
                   names[i], i, show(x))
      end
      if x.ndim ~= 3 then
        util.error("%s: the %s must have rank 3 (batch, time, features), got shape %s",
                   who(self), names[i], tostring(x.shape))
      end
    end
    return inputs[1], inputs[2], inputs[3]
  end

  -- q (B, Tq, dq), v (B, Tv, dv), k (B, Tv, dk): batch and time agree
  local function check_sequences(self, q, v, k)
    local qs, vs = q.shape, v.shape
    if not agree(qs[1], vs[1]) then
      util.error("%s: query and value must have the same batch size, got query shape %s and value shape %s",
                 who(self), tostring(qs), tostring(vs))
    end
    if k then
      local ks = k.shape
      if not agree(ks[1], vs[1]) or not agree(ks[2], vs[2]) then
        util.error("%s: key and value must have the same batch size and time steps, got value shape %s and key shape %s",
                   who(self), tostring(vs), tostring(ks))
      end
    end
  end

  -- A mask given by the learner: a tensor, a nested table of numbers, or
  -- nil / None for none.
  local function as_mask(m)
    if m == nil or m == None or m == false then return nil end
    if is_tensor(m) then return m end
    if type(m) == "table" then return core.from(m) end
    return m -- checked by check_mask
  end

  -- A (batch, time) mask for x (batch, time, features).
  local function check_mask(self, m, what, x, xname)
    if not is_tensor(m) then
      util.error("%s: %s must be a tensor of 0/1 (batch, time), got %s",
                 who(self), what, show(m))
    end
    local ms, xs = m.shape, x.shape
    if m.ndim ~= 2 or not agree(ms[1], xs[1]) or not agree(ms[2], xs[2]) then
      util.error("%s: %s must have shape (batch, time) = (%s, %s) to match the %s of shape %s, got %s",
                 who(self), what, tostring(xs[1]), tostring(xs[2]), xname,
                 tostring(xs), tostring(ms))
    end
    return m
  end

  -- A Keras boolean mask as 0/1: nonzero is true.
  local function bool(m) return core.not_equal(m, 0) end

  -- Keras's causal mask (1, Tq, Tv): 1 where j <= i. nil when a length is
  -- unknown (a symbolic call, where only shapes matter).
  local function causal_mask(tq, tv)
    if tq == None or tv == None then return nil end
    local rows = core.reshape(core.arange(tq), { 1, tq, 1 })
    local cols = core.reshape(core.arange(tv), { 1, 1, tv })
    return core.greater_equal(rows, cols)
  end

  local function both(a, b)
    if a == nil then return b end
    if b == nil then return a end
    return core.mul(a, b)
  end

  local function dropout(self, w, rate, training)
    if not training or rate <= 0 or w.symbolic then return w end
    return core.mul(w, core.kernels.dropout_mask(w.shape, rate))
  end

  -- Records the symbolic outputs of a call for nn.Model.
  local function record(self, outs, inputs, masks, opts)
    for i, y in ipairs(outs) do
      if y.symbolic then
        core.set_node(y, { layer = self, inputs = inputs, op = self.name,
                           index = i, mask = masks, options = opts,
                           list_input = true })
      end
    end
  end

  -- ---- Attention and AdditiveAttention --------------------------------------

  local Attention = class("Attention")
  local AdditiveAttention = class("AdditiveAttention")
  nn.AttentionClass = Attention
  nn.AdditiveAttentionClass = AdditiveAttention

  local attention_call_options = { mask = true, use_causal_mask = true,
                                   return_attention_scores = true,
                                   training = true }

  -- layer({query, value[, key]}, {mask={query_mask, value_mask},
  -- use_causal_mask=, return_attention_scores=, training=}). Without
  -- mask=, the inputs' Keras masks are used, as Keras does.
  local function attention_call(self, inputs, opts)
    local q, v, k = unpack_inputs(self, inputs)
    opts = util.check_options(who(self), opts, attention_call_options)
    for _, flag in ipairs { "use_causal_mask", "return_attention_scores", "training" } do
      check_bool(who(self), opts, flag)
    end
    check_sequences(self, q, v, k)
    local key = k or v
    if not agree(q.shape[3], key.shape[3]) then
      util.error("%s: query and %s must have the same number of features, got query shape %s and %s shape %s",
                 who(self), k and "key" or "value", tostring(q.shape),
                 k and "key" or "value", tostring(key.shape))
    end

    local qm, vm
    local mask = opts.mask
    if mask ~= nil and mask ~= None then
      if is_tensor(mask) or type(mask) ~= "table" then
        util.error("%s: mask must be a list, namely {query_mask, value_mask}; got %s",
                   who(self), show(mask))
      end
      local n = 0
      for i in pairs(mask) do
        if math.type(i) ~= "integer" then
          util.error("%s: mask must be a list, namely {query_mask, value_mask}; got a table with key %s",
                     who(self), util.show(i))
        end
        if i > n then n = i end
      end
      if n < 2 or n > 3 then
        util.error("%s: mask must be a list of length 2 or 3, namely {query_mask, value_mask} (None for a missing one); got length %d",
                   who(self), n)
      end
      qm, vm = as_mask(mask[1]), as_mask(mask[2])
    else
      qm, vm = nn.masks[q], nn.masks[v]
    end
    if qm ~= nil then check_mask(self, qm, "query_mask", q, "query") end
    if vm ~= nil then check_mask(self, vm, "value_mask", v, "value") end

    if not self.built then
      self:build({ q.shape, v.shape, k and k.shape or nil })
      self.built = true
    end
    local out, scores = self:call(q, v, key, qm, vm, opts)
    local outs = { out }
    if opts.return_attention_scores then outs[2] = scores end
    record(self, outs, k and { q, v, k } or { q, v }, { qm, vm }, opts)
    -- Keras: the output carries the query's mask
    if qm ~= nil then nn.masks[out] = qm end
    return table.unpack(outs)
  end
  Attention.__call = attention_call
  AdditiveAttention.__call = attention_call

  local function attention_opts(cls, opts, known)
    opts = util.check_options(cls, opts, known)
    check_bool(cls, opts, "use_scale")
    check_rate(cls, opts, "dropout")
    if opts.name ~= nil and type(opts.name) ~= "string" then
      util.error("%s: name must be a string, got %s", cls, util.show(opts.name))
    end
    return opts
  end

  -- nn.Attention{use_scale=false, score_mode="dot", dropout=0, name=}:
  -- Keras's dot-product (Luong-style) attention.
  function nn.Attention(opts)
    opts = attention_opts("Attention", opts, { use_scale = true, score_mode = true,
                                               dropout = true, name = true })
    local mode = opts.score_mode
    if mode == nil then mode = "dot" end
    if mode ~= "dot" and mode ~= "concat" then
      util.error("Attention: score_mode must be \"dot\" or \"concat\", got %s",
                 util.show(mode))
    end
    local self = setmetatable({}, Attention)
    self.name = opts.name or nn.unique_name("attention")
    self.use_scale = opts.use_scale == true
    self.score_mode = mode
    self.dropout = opts.dropout or 0
    self.weights, self.weight_names = {}, {}
    return self
  end

  function Attention:describe()
    return string.format("use_scale=%s, score_mode=%s", tostring(self.use_scale),
                         self.score_mode)
  end

  -- Keras's build(input_shape), input_shape = {query_shape, value_shape[,
  -- key_shape]}: a scalar `scale` (ones) when use_scale, a scalar
  -- `concat_score_weight` (ones) for score_mode "concat".
  function Attention:build()
    if self.use_scale then self:add_weight("scale", {}, "ones") end
    if self.score_mode == "concat" then
      self:add_weight("concat_score_weight", {}, "ones")
    end
  end

  function Attention:scores(q, k)
    if self.score_mode == "dot" then
      local s = core.matmul(q, k, { transpose_b = true })
      if self.use_scale then s = core.mul(s, self.scale) end
      return s
    end
    -- concat: (B, Tq, 1, d) + (B, 1, Tv, d)
    local qk = core.add(core.expand_dims(q, -2), core.expand_dims(k, -3))
    if self.use_scale then qk = core.mul(self.scale, qk) end
    return core.mul(self.concat_score_weight, core.sum(core.tanh(qk), -1))
  end

  -- nn.AdditiveAttention{use_scale=true, dropout=0, name=}: Keras's additive
  -- (Bahdanau-style) attention.
  function nn.AdditiveAttention(opts)
    opts = attention_opts("AdditiveAttention", opts, { use_scale = true,
                                                       dropout = true, name = true })
    local self = setmetatable({}, AdditiveAttention)
    self.name = opts.name or nn.unique_name("additive_attention")
    self.use_scale = opts.use_scale ~= false
    self.dropout = opts.dropout or 0
    self.weights, self.weight_names = {}, {}
    return self
  end

  function AdditiveAttention:describe()
    return "use_scale=" .. tostring(self.use_scale)
  end

  -- A `scale` of shape (dim,) (glorot_uniform), dim the query's features.
  function AdditiveAttention:build(shapes)
    local dim = shapes[1][3]
    if dim == None then
      util.error("%s: the features axis of the query must be known, got shape %s",
                 who(self), tostring(shapes[1]))
    end
    self.dim = dim
    if self.use_scale then self:add_weight("scale", { dim }, "glorot_uniform") end
  end

  function AdditiveAttention:scores(q, k)
    if self.use_scale and q.shape[3] ~= None and q.shape[3] ~= self.dim then
      util.error("%s: was built for queries of %d features, got query shape %s",
                 who(self), self.dim, tostring(q.shape))
    end
    local t = core.tanh(core.add(core.expand_dims(q, -2), core.expand_dims(k, -3)))
    if self.use_scale then t = core.mul(self.scale, t) end
    return core.sum(t, -1)
  end

  -- The shared computation (Keras's Attention.call): scores, the score
  -- mask (value mask and causal mask, -1e9 where masked), softmax, dropout
  -- on the weights, weights @ value, zeros where the query is masked.
  -- Returns the output and what Keras returns as attention scores (the
  -- weights after dropout); the softmax weights are kept.
  local function attend(self, q, v, k, qm, vm, opts)
    local scores = self:scores(q, k)                       -- (B, Tq, Tv)
    local smask
    if opts.use_causal_mask then
      smask = causal_mask(scores.shape[2], scores.shape[3])
    end
    if vm ~= nil then smask = both(core.expand_dims(bool(vm), -2), smask) end
    if smask ~= nil then
      scores = core.sub(scores, core.mul(core.sub(1, smask), NEG))
    end
    local w = self:keep_attention(core.softmax(scores, -1))
    w = dropout(self, w, self.dropout, opts.training)
    local out = core.matmul(w, v)                          -- (B, Tq, dv)
    if qm ~= nil then out = core.mul(out, core.expand_dims(bool(qm), -1)) end
    return out, w
  end

  Attention.call = attend
  AdditiveAttention.call = attend

  -- They keep (batch, Tq, Tv) weights: row i is query step i, column j
  -- value (and key) step j.
  local function keeps() return true end
  local function query_key() return { rows = "query position", cols = "key position" } end
  Attention.keeps_attention, AdditiveAttention.keeps_attention = keeps, keeps
  Attention.attention_axes, AdditiveAttention.attention_axes = query_key, query_key

  -- The output's Keras mask: the query's.
  function Attention.compute_mask(_, _, mask)
    if type(mask) == "table" and not is_tensor(mask) then return as_mask(mask[1]) end
    return nil
  end
  AdditiveAttention.compute_mask = Attention.compute_mask

  -- ---- MultiHeadAttention ---------------------------------------------------

  local MultiHeadAttention = class("MultiHeadAttention")
  nn.MultiHeadAttentionClass = MultiHeadAttention
  -- (batch, heads, Tq, Tv): one head's rows are query steps, its columns
  -- key steps
  MultiHeadAttention.keeps_attention = keeps
  MultiHeadAttention.attention_axes = query_key

  local mha_options = { num_heads = true, key_dim = true, value_dim = true,
                        dropout = true, use_bias = true, output_shape = true,
                        kernel_initializer = true, bias_initializer = true,
                        name = true }
  nn.option_names.MultiHeadAttention = mha_options

  -- nn.MultiHeadAttention{num_heads=, key_dim=, value_dim=, dropout=0,
  -- use_bias=true, output_shape=, kernel_initializer="glorot_uniform",
  -- bias_initializer="zeros", name=}, or nn.MultiHeadAttention(num_heads,
  -- key_dim[, options]) as Keras's positional arguments.
  function nn.MultiHeadAttention(a, b, c)
    local opts
    if type(a) == "table" and b == nil and c == nil then
      opts = util.check_options("MultiHeadAttention", a, mha_options)
    else
      opts = util.check_options("MultiHeadAttention", c, mha_options)
      local copy = {}
      for key, value in pairs(opts) do copy[key] = value end
      if copy.num_heads ~= nil or copy.key_dim ~= nil then
        util.error("MultiHeadAttention: num_heads and key_dim are given twice (as arguments and as options)")
      end
      copy.num_heads, copy.key_dim = a, b
      opts = copy
    end
    if opts.num_heads == nil then
      util.error("MultiHeadAttention: num_heads is required, e.g. nn.MultiHeadAttention{num_heads=2, key_dim=16}")
    end
    if opts.key_dim == nil then
      util.error("MultiHeadAttention: key_dim is required, e.g. nn.MultiHeadAttention{num_heads=2, key_dim=16}")
    end
    local self = setmetatable({}, MultiHeadAttention)
    self.num_heads = nn.check_units("MultiHeadAttention", opts.num_heads, "num_heads")
    self.key_dim = nn.check_units("MultiHeadAttention", opts.key_dim, "key_dim")
    local vd = opts.value_dim
    if vd == nil or vd == None then
      self.value_dim = self.key_dim
    else
      self.value_dim = nn.check_units("MultiHeadAttention", vd, "value_dim")
    end
    check_rate("MultiHeadAttention", opts, "dropout")
    check_bool("MultiHeadAttention", opts, "use_bias")
    self.dropout = opts.dropout or 0
    self.use_bias = opts.use_bias ~= false
    local os = opts.output_shape
    if os == None then os = nil end
    if os ~= nil then
      local list = {}
      if type(os) == "table" and not is_tensor(os) then
        for i, n in ipairs(os) do list[i] = n end
      else
        list[1] = os
      end
      for _, n in ipairs(list) do
        if not util.is_integer(n) or n <= 0 then
          util.error("MultiHeadAttention: output_shape must be a positive integer or a list of them, got %s",
                     util.show(n))
        end
      end
      if #list == 0 then list = nil end -- Keras: an empty output_shape is None
      os = list
      if os then for i, n in ipairs(os) do os[i] = math.tointeger(n) end end
    end
    self.output_shape = os
    if opts.name ~= nil and type(opts.name) ~= "string" then
      util.error("MultiHeadAttention: name must be a string, got %s", util.show(opts.name))
    end
    self.name = opts.name or nn.unique_name("multi_head_attention")
    self.kernel_initializer = opts.kernel_initializer or "glorot_uniform"
    self.bias_initializer = opts.bias_initializer or "zeros"
    initializers.get(self.kernel_initializer, who(self))
    initializers.get(self.bias_initializer, who(self))
    self.weights, self.weight_names = {}, {}
    return self
  end

  function MultiHeadAttention:describe()
    local s = string.format("num_heads=%d, key_dim=%d", self.num_heads, self.key_dim)
    if self.value_dim ~= self.key_dim then s = s .. ", value_dim=" .. self.value_dim end
    return s
  end

  local function feature_dim(self, shape, what)
    local d = shape[#shape]
    if d == None then
      util.error("%s: the features axis of the %s must be known, got shape %s",
                 who(self), what, tostring(shape))
    end
    return d
  end

  -- Keras's build(query_shape, value_shape, key_shape): the EinsumDense
  -- sublayers query, key, value (kernel (dim, heads, key_dim or value_dim),
  -- bias (heads, key_dim or value_dim)) and attention_output (kernel
  -- (heads, value_dim, *output_shape), bias output_shape); output_shape
  -- defaults to the query's features.
  function MultiHeadAttention:build(query_shape, value_shape, key_shape)
    key_shape = key_shape or value_shape
    local qd = feature_dim(self, query_shape, "query")
    local vd = feature_dim(self, value_shape, "value")
    local kd = feature_dim(self, key_shape, "key")
    local N, H, Hv = self.num_heads, self.key_dim, self.value_dim
    local out = self.output_shape or { qd }
    self.input_dims = { qd, vd, kd }
    local ki, bi = self.kernel_initializer, self.bias_initializer
    self:add_weight("query/kernel", { qd, N, H }, ki)
    if self.use_bias then self:add_weight("query/bias", { N, H }, bi) end
    self:add_weight("key/kernel", { kd, N, H }, ki)
    if self.use_bias then self:add_weight("key/bias", { N, H }, bi) end
    self:add_weight("value/kernel", { vd, N, Hv }, ki)
    if self.use_bias then self:add_weight("value/bias", { N, Hv }, bi) end
    self:add_weight("attention_output/kernel", { N, Hv, table.unpack(out) }, ki)
    if self.use_bias then self:add_weight("attention_output/bias", { table.unpack(out) }, bi) end
    local w = self
    self.query_kernel, self.query_bias = w["query/kernel"], w["query/bias"]
    self.key_kernel, self.key_bias = w["key/kernel"], w["key/bias"]
    self.value_kernel, self.value_bias = w["value/kernel"], w["value/bias"]
    self.output_kernel, self.output_bias = w["attention_output/kernel"], w["attention_output/bias"]
  end

  local mha_call_options = { attention_mask = true, use_causal_mask = true,
                             return_attention_scores = true, training = true,
                             value_mask = true, key_mask = true,
                             query_mask = true }

  -- layer({query, value[, key]}, {attention_mask=, use_causal_mask=,
  -- return_attention_scores=, training=, value_mask=, key_mask=}), or
  -- layer(query, value[, key][, options]).
  function MultiHeadAttention.__call(self, a, b, c, d)
    local inputs, opts
    if is_tensor(a) then
      if not is_tensor(b) then
        util.error("%s: expected {query, value} or {query, value, key} (for self-attention {x, x}); got %s",
                   who(self), show(a))
      end
      inputs = { a, b }
      if is_tensor(c) then inputs[3] = c; opts = d else opts = c end
    else
      inputs, opts = a, b
      if c ~= nil then
        util.error("%s: unexpected argument 3 (%s) after the list of inputs and the options",
                   who(self), show(c))
      end
    end
    local q, v, k = unpack_inputs(self, inputs)
    opts = util.check_options(who(self), opts, mha_call_options)
    for _, flag in ipairs { "use_causal_mask", "return_attention_scores", "training" } do
      check_bool(who(self), opts, flag)
    end
    if opts.query_mask ~= nil and opts.query_mask ~= None then
      util.error("%s: Keras 3 ignores an explicit query_mask and reads the query's own Keras mask; mask the query (Embedding mask_zero=true, Masking) or use attention_mask",
                 who(self))
    end
    local key = k or v
    local qs, vs, ks = q.shape, v.shape, key.shape
    if not agree(qs[1], vs[1]) or not agree(qs[1], ks[1]) then
      util.error("%s: query, value and key must have the same batch size, got query shape %s, value shape %s and key shape %s",
                 who(self), tostring(qs), tostring(vs), tostring(ks))
    end
    if vs[2] ~= ks[2] then
      util.error("%s: all dimensions of value and key except the last one must be equal, got value shape %s and key shape %s",
                 who(self), tostring(vs), tostring(ks))
    end
    if not self.built then
      self:build(qs, vs, k and ks or nil)
      self.built = true
    end
    local dims = self.input_dims
    for i, x in ipairs { q, v, key } do
      local dx = x.shape[3]
      if dx ~= None and dx ~= dims[i] then
        local names = { "query", "value", "key" }
        util.error("%s: was built for a %s of %d features, got %s shape %s",
                   who(self), names[i], dims[i], names[i], tostring(x.shape))
      end
    end

    -- Keras's _compute_attention_mask: the query's Keras mask (B, T, 1),
    -- value_mask and key_mask (B, 1, S), the causal mask (1, T, S) and
    -- attention_mask, and-ed together.
    -- value_mask and key_mask left out (or None) are the inputs' Keras
    -- masks, the key's only when a key is given; the query's is always
    -- its own
    local qm = nn.masks[q]
    local vm = as_mask(opts.value_mask)
    if vm == nil then vm = nn.masks[v] end
    local km = as_mask(opts.key_mask)
    if km == nil and k then km = nn.masks[k] end
    if qm ~= nil then check_mask(self, qm, "the query's mask", q, "query") end
    if vm ~= nil then check_mask(self, vm, "value_mask", v, "value") end
    if km ~= nil then check_mask(self, km, "key_mask", key, "key") end
    local am = as_mask(opts.attention_mask)
    if am ~= nil then
      if not is_tensor(am) then
        util.error("%s: attention_mask must be a tensor of 0/1 (batch, Tq, Tv), got %s",
                   who(self), show(am))
      end
      local ms = am.shape
      local want = { qs[1], qs[2], vs[2] }
      local ok = am.ndim >= 2 and am.ndim <= 4
      if ok then
        local n = am.ndim
        ok = (ms[n] == 1 or agree(ms[n], want[3])) and
             (ms[n - 1] == 1 or agree(ms[n - 1], want[2]))
        if n >= 3 then ok = ok and (ms[1] == 1 or agree(ms[1], want[1])) end
        if n == 4 then ok = ok and (ms[2] == 1 or agree(ms[2], self.num_heads)) end
      end
      if not ok then
        util.error("%s: attention_mask must have shape (batch, Tq, Tv) = (%s, %s, %s), got %s",
                   who(self), tostring(want[1]), tostring(want[2]),
                   tostring(want[3]), tostring(ms))
      end
    end
    local auto
    if qm ~= nil then auto = core.expand_dims(bool(qm), -1) end
    if vm ~= nil then auto = both(auto, core.expand_dims(bool(vm), -2)) end
    if km ~= nil then auto = both(auto, core.expand_dims(bool(km), -2)) end
    if opts.use_causal_mask then auto = both(auto, causal_mask(qs[2], vs[2])) end
    local mask = am ~= nil and bool(am) or nil
    if auto ~= nil then mask = both(mask, auto) end

    local out, scores = self:call(q, v, key, mask, opts)
    local outs = { out }
    if opts.return_attention_scores then outs[2] = scores end
    record(self, outs, k and { q, v, k } or { q, v }, { qm, vm, km }, opts)
    if qm ~= nil then nn.masks[out] = qm end
    return table.unpack(outs)
  end

  -- x (B, T, dim) through an EinsumDense "abc,cde->abde" (kernel (dim, N,
  -- H), bias (N, H)), heads first: (B, N, T, H).
  local function project(x, kernel, bias)
    local y = core.matmul(core.expand_dims(x, 1), core.transpose(kernel, { 1, 0, 2 }))
    if bias then y = core.add(y, core.expand_dims(bias, 1)) end
    return y
  end

  -- Keras's MultiHeadAttention.call after the masks: project, scale the
  -- query by 1/sqrt(key_dim), scores (B, N, T, S), masked softmax (-1e9
  -- where masked, then times the mask), dropout, combine, and the output
  -- projection "abcd,cde->abe".
  function MultiHeadAttention:call(q, v, k, mask, opts)
    local Q = project(q, self.query_kernel, self.query_bias)
    local K = project(k, self.key_kernel, self.key_bias)
    local V = project(v, self.value_kernel, self.value_bias)
    Q = core.mul(Q, 1 / math.sqrt(self.key_dim))
    local scores = core.matmul(Q, K, { transpose_b = true })  -- (B, N, T, S)
    local w
    if mask ~= nil then
      while mask.ndim < 4 do mask = core.expand_dims(mask, -3) end
      scores = core.add(scores, core.mul(core.sub(1, mask), -NEG))
      w = core.mul(core.softmax(scores, -1), mask)
    else
      w = core.softmax(scores, -1)
    end
    self:keep_attention(w)
    local wd = dropout(self, w, self.dropout, opts.training)
    local o = core.matmul(wd, V)                             -- (B, N, T, Hv)
    local N, Hv = self.num_heads, self.value_dim
    local out_shape = self.output_shape or { self.input_dims[1] }
    local P = 1
    for _, n in ipairs(out_shape) do P = P * n end
    local kernel = self.output_kernel
    if #out_shape ~= 1 then kernel = core.reshape(kernel, { N, Hv, P }) end
    local y = core.sum(core.matmul(o, kernel), 1)            -- (B, T, P)
    if self.output_bias then
      local bias = self.output_bias
      if #out_shape ~= 1 then bias = core.reshape(bias, { P }) end
      y = core.add(y, bias)
    end
    if #out_shape ~= 1 then
      local B, T = y.shape[1], y.shape[2]
      local shape = { B, T, table.unpack(out_shape) }
      if y.symbolic and B == None and T == None then
        y = core.symbolic(shape)
      else
        y = core.reshape(y, shape)
      end
    end
    return y, w
  end
end
