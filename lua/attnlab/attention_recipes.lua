-- attnlab.attention_recipes: the attentions of the Keras tutorials learners
-- bring, as layers: AttentionPooling (alias ProbAttention), SelfAttention,
-- TimeAttention, and the Informer's ProbSparseAttention. Each keeps its
-- attention weights of the last call: layer:last_attention().
local core = require "attnlab.core"
local util = require "attnlab.util"
local initializers = require "attnlab.initializers"

return function(nn)
  local class = nn.class

  local function who(self) return self.class_name .. " '" .. self.name .. "'" end

  local function check_rank3(self, x, what)
    if x.ndim ~= 3 then
      util.error("%s: expected %s of rank 3 (batch, time, features), got shape %s",
                 who(self), what or "input", tostring(x.shape))
    end
  end

  -- the features of x must be those the kernel was built for (axis `axis`
  -- of the kernel)
  local function check_features(self, x, kernel, axis)
    local want = kernel:size(axis)
    if x:size(2) ~= want then
      util.error("%s: expected input with %d features (batch, time, %d), got shape %s",
                 who(self), want, want, tostring(x.shape))
    end
  end

  local function check_known_features(self, shape)
    if #shape ~= 3 then
      util.error("%s: expected input of rank 3 (batch, time, features), got shape %s",
                 who(self), tostring(shape))
    end
    if shape[3] == core.None then
      util.error("%s: the features axis of the input must be known, got shape %s",
                 who(self), tostring(shape))
    end
  end

  -- scores - 1e9 where the key mask is 0 (mask (batch, Tk) -> broadcast
  -- over the query axis), as Keras masks attention scores
  local function mask_keys(self, scores, mask, axis)
    if mask == nil then return scores end
    local tk = scores:size(axis)
    if mask.ndim ~= 2 or (mask:size(1) ~= tk and tk ~= core.None and mask:size(1) ~= core.None) then
      util.error("%s: the mask must be (batch, %s), got %s", who(self),
                 tostring(tk), tostring(mask.shape))
    end
    local m = core.expand_dims(mask, axis == 1 and -1 or 1)
    return core.sub(scores, core.mul(core.sub(1, m), 1e9))
  end

  -- ---- AttentionPooling (ProbAttention) -----------------------------------

  local AttentionPooling = class("AttentionPooling")

  -- nn.AttentionPooling{kernel_initializer=, name=}: the attention pooling
  -- of the tutorials (there called ProbAttention):
  --   u = x w, w (features, 1); masked steps get -1e9;
  --   a = softmax(u) over time; output = sum_t a_t x_t  -> (batch, features)
  -- last_attention() is a (batch, 1, time).
  function nn.AttentionPooling(opts)
    opts = util.check_options("AttentionPooling", opts,
                              { kernel_initializer = true, name = true })
    local self = setmetatable({}, AttentionPooling)
    self.name = opts.name or nn.unique_name("attention_pooling")
    self.kernel_initializer = opts.kernel_initializer or "glorot_uniform"
    initializers.get(self.kernel_initializer, who(self))
    return self
  end
  nn.ProbAttention = nn.AttentionPooling

  function AttentionPooling:build(shape)
    check_known_features(self, shape)
    self:add_weight("kernel", { shape[3], 1 }, self.kernel_initializer)
  end

  function AttentionPooling:call(x, mask)
    check_rank3(self, x)
    check_features(self, x, self.kernel, 0)
    local u = core.matmul(x, self.kernel)           -- (batch, time, 1)
    u = mask_keys(self, u, mask, 1)
    local a = core.softmax(u, 1)                     -- over time
    self:keep_attention(core.transpose(a, { 0, 2, 1 }))
    return core.sum(core.mul(a, x), 1)               -- (batch, features)
  end

  function AttentionPooling:compute_mask() return nil end

  local function keeps() return true end
  AttentionPooling.keeps_attention = keeps
  -- one row, the learned query (the kernel), over the time steps
  function AttentionPooling:attention_axes()
    return { rows = "learned query", cols = "time step" }
  end

  -- ---- SelfAttention --------------------------------------------------------

  local SelfAttention = class("SelfAttention")

  -- nn.SelfAttention(d_out, {scale=, kernel_initializer=, name=}): the
  -- tutorial's self-attention with one kernel (3, d_in, d_out):
  --   Q = x K[0], K = x K[1], V = x K[2]
  --   output = softmax(Q K^T / scale) V      -> (batch, time, d_out)
  -- scale defaults to sqrt(d_out); the tutorial's 64 ** 0.5 is scale=8.
  -- A Keras mask on x masks the keys.
  function nn.SelfAttention(d_out, opts)
    d_out = nn.check_units("SelfAttention", d_out, "d_out")
    opts = util.check_options("SelfAttention", opts,
                              { scale = true, kernel_initializer = true, name = true })
    local self = setmetatable({}, SelfAttention)
    self.d_out = d_out
    self.name = opts.name or nn.unique_name("self_attention")
    self.scale = opts.scale or math.sqrt(d_out)
    if type(self.scale) ~= "number" or not (self.scale > 0) then
      util.error("SelfAttention: scale must be a positive number, got %s", util.show(self.scale))
    end
    self.kernel_initializer = opts.kernel_initializer or "glorot_uniform"
    initializers.get(self.kernel_initializer, who(self))
    return self
  end

  function SelfAttention:describe()
    return string.format("d_out=%d, scale=%g", self.d_out, self.scale)
  end

  function SelfAttention:build(shape)
    check_known_features(self, shape)
    self:add_weight("kernel", { 3, shape[3], self.d_out }, self.kernel_initializer)
  end

  function SelfAttention:call(x, mask)
    check_rank3(self, x)
    check_features(self, x, self.kernel, 1)
    local q = core.matmul(x, core.select(self.kernel, 0, 0))
    local k = core.matmul(x, core.select(self.kernel, 0, 1))
    local v = core.matmul(x, core.select(self.kernel, 0, 2))
    local scores = core.div(core.matmul(q, k, { transpose_b = true }), self.scale)
    scores = mask_keys(self, scores, mask, 2)
    local w = self:keep_attention(core.softmax(scores, -1)) -- (batch, Tq, Tk)
    return core.matmul(w, v)
  end

  SelfAttention.supports_masking = true
  SelfAttention.keeps_attention = keeps
  function SelfAttention:attention_axes()
    return { rows = "query position", cols = "key position" }
  end

  -- ---- TimeAttention (recipe 1 as one layer) ------------------------------

  local TimeAttention = class("TimeAttention")

  -- nn.TimeAttention(T): the time-step attention of the BiGRU tutorial,
  -- packaged. On h (batch, T, C):
  --   time_last = transpose(h, {0, 2, 1})                (batch, C, T)
  --   att_1 = tanh(time_last kernel_1 + bias_1)           Dense(T, 'tanh')
  --   att_2 = softmax(att_1 kernel_2) over time           Dense(T, 'softmax', use_bias=False)
  --   output = sum(time_last * att_2, -1)                 (batch, C)
  -- Its weights are the two Dense layers' (kernel_1, bias_1, kernel_2), so
  -- set_weights takes theirs; last_attention() is att_2, (batch, C, T),
  -- each row a distribution over the time steps.
  function nn.TimeAttention(T, opts)
    T = nn.check_units("TimeAttention", T, "time steps")
    opts = util.check_options("TimeAttention", opts,
                              { kernel_initializer = true, bias_initializer = true, name = true })
    local self = setmetatable({}, TimeAttention)
    self.time = T
    self.name = opts.name or nn.unique_name("time_attention")
    self.kernel_initializer = opts.kernel_initializer or "glorot_uniform"
    self.bias_initializer = opts.bias_initializer or "zeros"
    initializers.get(self.kernel_initializer, who(self))
    initializers.get(self.bias_initializer, who(self))
    return self
  end

  function TimeAttention:describe() return "time=" .. self.time end

  function TimeAttention:build(shape)
    if #shape ~= 3 then
      util.error("%s: expected input of rank 3 (batch, time, channels), got shape %s",
                 who(self), tostring(shape))
    end
    if shape[2] ~= self.time then
      util.error("%s: expected %d time steps (batch, %d, channels), got shape %s",
                 who(self), self.time, self.time, tostring(shape))
    end
    local T = self.time
    self:add_weight("kernel_1", { T, T }, self.kernel_initializer)
    self:add_weight("bias_1", { T }, self.bias_initializer)
    self:add_weight("kernel_2", { T, T }, self.kernel_initializer)
  end

  function TimeAttention:call(h)
    check_rank3(self, h)
    if h:size(1) ~= self.time then
      util.error("%s: expected %d time steps (batch, %d, channels), got shape %s",
                 who(self), self.time, self.time, tostring(h.shape))
    end
    local time_last = core.transpose(h, { 0, 2, 1 })
    local att_1 = core.tanh(core.kernels.dense(time_last, self.kernel_1, self.bias_1, self.name))
    local att_2 = core.softmax(core.kernels.dense(att_1, self.kernel_2, nil, self.name), -1)
    self:keep_attention(att_2)
    return core.sum(core.mul(time_last, att_2), -1)
  end

  function TimeAttention:compute_mask() return nil end

  TimeAttention.keeps_attention = keeps
  -- (batch, C, T): each row one channel's softmax over the time steps
  function TimeAttention:attention_axes()
    return { rows = "feature", cols = "time step" }
  end

  -- ---- ProbSparseAttention (Informer) -------------------------------------

  local ProbSparse = class("ProbSparseAttention")

  -- nn.ProbSparseAttention{factor=5, scale=}: the ProbSparse self-attention
  -- of the Informer (Zhou et al. 2021). Called on x (self-attention) or on
  -- {query, value[, key]}, each (batch, time, d):
  --   sample n_k = min(factor * ceil(ln Tk), Tk) keys for every query (the
  --   same draws for the whole batch, from the nn.seed stream);
  --   M(q) = max_j q.k_j - sum_j q.k_j / Tk over the sampled keys;
  --   the u = min(factor * ceil(ln Tq), Tq) queries of largest M attend with
  --   softmax(q K^T * scale) (scale 1/sqrt(d) by default); the others, the
  --   lazy ones, get the mean of V, i.e. uniform weights.
  -- last_attention() is the full (batch, Tq, Tk) map, lazy rows uniform.
  function nn.ProbSparseAttention(opts)
    opts = util.check_options("ProbSparseAttention", opts,
                              { factor = true, scale = true, name = true })
    local self = setmetatable({}, ProbSparse)
    self.name = opts.name or nn.unique_name("prob_sparse_attention")
    self.factor = opts.factor or 5
    if not util.is_integer(self.factor) or self.factor < 1 then
      util.error("ProbSparseAttention: factor must be a positive integer, got %s",
                 util.show(self.factor))
    end
    self.scale = opts.scale
    if self.scale ~= nil and (type(self.scale) ~= "number" or not (self.scale > 0)) then
      util.error("ProbSparseAttention: scale must be a positive number, got %s",
                 util.show(self.scale))
    end
    self.weights = {}
    return self
  end

  ProbSparse.keeps_attention = keeps
  function ProbSparse:attention_axes()
    return { rows = "query position", cols = "key position" }
  end

  function ProbSparse:describe()
    return "factor=" .. self.factor
  end

  local function unpack_qvk(self, x)
    if nn.is_tensor(x) then return x, x, x end
    if type(x) ~= "table" or #x < 2 or #x > 3 then
      util.error("%s: expected a tensor or a table {query, value[, key]}", who(self))
    end
    return x[1], x[2], x[3] or x[2]
  end

  -- layer(x) or layer({query, value, key}): the table form needs its own
  -- __call, the base one expects a tensor
  function ProbSparse.__call(self, x, opts)
    local q, v, k = unpack_qvk(self, x)
    for _, t in ipairs { q, v, k } do
      if not nn.is_tensor(t) then
        util.error("%s: expected tensors, got %s", who(self), type(t))
      end
      check_rank3(self, t)
    end
    opts = util.check_options(who(self), opts, { training = true, mask = true })
    local y = self:call(q, v, k)
    if y.symbolic then
      core.set_node(y, { layer = self, inputs = { q, v, k }, op = self.name })
    end
    return y
  end

  function ProbSparse:call(q, v, k)
    if q:size(2) ~= k:size(2) then
      util.error("%s: query and key must have the same features, got %s and %s",
                 who(self), tostring(q.shape), tostring(k.shape))
    end
    local d = q:size(2)
    local scale = self.scale or (d ~= core.None and 1 / math.sqrt(d) or 1)
    if q.symbolic or k.symbolic or v.symbolic then
      -- shapes only: the dense attention has the same ones
      local s = core.softmax(core.matmul(q, k, { transpose_b = true }), -1)
      return core.matmul(s, v)
    end
    local B, Tq, Tk = q:size(0), q:size(1), k:size(1)
    local n_k = math.min(self.factor * math.ceil(math.log(Tk)), Tk)
    local n_top = math.min(self.factor * math.ceil(math.log(Tq)), Tq)
    n_k, n_top = math.max(n_k, 1), math.max(n_top, 1)
    -- sampled key indices (Tq, n_k), from the nn.seed stream
    local r = core.rand(Tq, n_k):totable()
    for i = 1, Tq do
      for j = 1, n_k do r[i][j] = math.min(math.floor(r[i][j] * Tk), Tk - 1) end
    end
    local idx = core.from(r)
    local m = core.no_grad(function()
      local ks = core.gather(k, idx, 1)                          -- (B, Tq, n_k, d)
      local qk = core.sum(core.mul(core.expand_dims(q, 2), ks), -1) -- (B, Tq, n_k)
      return core.sub(core.max(qk, -1), core.div(core.sum(qk, -1), Tk)):totable()
    end)
    -- the n_top queries of largest M per batch row: a one-hot (B, Tq, n_top)
    -- and a (B, Tq, 1) row mask of the active queries
    local onehot, active = {}, {}
    for b = 1, B do
      local order = {}
      for i = 1, Tq do order[i] = i end
      table.sort(order, function(i, j)
        if m[b][i] ~= m[b][j] then return m[b][i] > m[b][j] end
        return i < j
      end)
      onehot[b], active[b] = {}, {}
      for i = 1, Tq do
        onehot[b][i] = {}
        for j = 1, n_top do onehot[b][i][j] = 0 end
        active[b][i] = { 0 }
      end
      for j = 1, n_top do
        onehot[b][order[j]][j] = 1
        active[b][order[j]][1] = 1
      end
    end
    local P, act = core.from(onehot), core.from(active)
    -- the active queries, their scores and weights
    local q_top = core.matmul(P, q, { transpose_a = true })     -- (B, n_top, d)
    local s = core.mul(core.matmul(q_top, k, { transpose_b = true }), scale)
    local w_top = core.softmax(s, -1)                            -- (B, n_top, Tk)
    -- the full map: active rows from w_top, lazy rows uniform 1/Tk
    local w = core.add(core.matmul(P, w_top), core.mul(core.sub(1, act), 1 / Tk))
    self:keep_attention(w)
    return core.matmul(w, v)
  end
end
