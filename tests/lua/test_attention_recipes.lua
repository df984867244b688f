-- test_attention_recipes.lua - AttentionPooling (ProbAttention),
-- SelfAttention, TimeAttention and ProbSparseAttention: values against
-- loops written out here in double precision, gradients by finite
-- differences, shapes, masks, last_attention() and messages.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local function shape(x) return tostring(x.shape) end

-- plain Lua helpers on nested tables
local function softmax(row)
  local m = -math.huge
  for _, v in ipairs(row) do m = math.max(m, v) end
  local s, out = 0, {}
  for i, v in ipairs(row) do out[i] = math.exp(v - m); s = s + out[i] end
  for i = 1, #out do out[i] = out[i] / s end
  return out
end

local function matvec_rows(x, w) -- x (T, d) times w (d, n) -> (T, n)
  local out = {}
  for i = 1, #x do
    out[i] = {}
    for j = 1, #w[1] do
      local s = 0
      for k = 1, #w do s = s + x[i][k] * w[k][j] end
      out[i][j] = s
    end
  end
  return out
end

t.test("AttentionPooling pools over time with softmax weights, masked steps excluded", function()
  nn.clear_session()
  nn.seed(1)
  local x = tensor.randn(2, 5, 3)
  local mask = tensor.from { { 1, 1, 1, 0, 0 }, { 1, 1, 1, 1, 1 } }
  local layer = nn.AttentionPooling()
  t.eq(layer.name, "attention_pooling")
  local w = { { 0.5 }, { -1 }, { 0.25 } }
  layer:build(x.shape); layer.built = true
  layer:set_weights { w }
  local y = layer(x, { mask = mask })
  t.eq(shape(y), "(2, 3)")
  local xs, ms = x:totable(), mask:totable()
  for b = 1, 2 do
    local u = {}
    for i = 1, 5 do
      u[i] = matvec_rows({ xs[b][i] }, w)[1][1]
      if ms[b][i] == 0 then u[i] = u[i] - 1e9 end
    end
    local a = softmax(u)
    local want = { 0, 0, 0 }
    for i = 1, 5 do for f = 1, 3 do want[f] = want[f] + a[i] * xs[b][i][f] end end
    t.near(y[b - 1], want, 1e-6, "row " .. b)
    t.near(layer:last_attention()[b - 1][0], a, 1e-6, "weights " .. b)
  end
  t.near(layer:last_attention()[0][0]:get(3), 0, 0, "a masked step gets no weight")
  t.eq(shape(layer:last_attention()), "(2, 1, 5)")
end)

t.test("ProbAttention is the tutorial's name for AttentionPooling, mask from Embedding", function()
  nn.clear_session()
  local emb = nn.Embedding(10, 4, { mask_zero = true })
  local pool = nn.ProbAttention()
  local ids = tensor.from { { 3, 4, 0, 0 }, { 1, 2, 5, 6 } }
  local y = pool(emb(ids))
  t.eq(shape(y), "(2, 4)")
  local a = pool:last_attention():totable()
  t.eq(a[1][1][3], 0, "padding gets no weight")
  t.eq(a[1][1][4], 0, "padding gets no weight")
  t.eq(y.mask, nil, "pooling removes the time axis and its mask")
  local sym = nn.ProbAttention()(nn.Embedding(10, 4, { mask_zero = true })(nn.Input { 20 }))
  t.eq(shape(sym), "(None, 4)")
end)

t.test("Masking after Embedding recomputes the mask from the values, as Keras does", function()
  -- Keras's Masking ignores the mask it receives: after an Embedding whose
  -- row 0 is not zero, the padding is no longer masked. With row 0 set to
  -- zeros the two masks agree.
  nn.clear_session()
  local emb = nn.Embedding(10, 4, { mask_zero = true })
  local ids = tensor.from { { 3, 4, 0, 0 } }
  local e = emb(ids)
  t.near(nn.Masking()(e).mask, { { 1, 1, 1, 1 } }, 0, "random row 0: nothing masked")
  local w = emb:get_weights()[1]
  tensor.no_grad(function() w[0] = 0 end)
  emb:set_weights { w }
  t.near(nn.Masking()(emb(ids)).mask, { { 1, 1, 0, 0 } }, 0, "zero row 0: padding masked")
end)

t.test("SelfAttention computes softmax(Q K^T / scale) V from one (3, d_in, d_out) kernel", function()
  nn.clear_session()
  nn.seed(2)
  local x = tensor.randn(1, 4, 3)
  local sa = nn.SelfAttention(2, { scale = 8 })
  t.eq(sa.name, "self_attention")
  local y = sa(x)
  t.eq(shape(y), "(1, 4, 2)")
  t.eq(shape(sa.kernel), "(3, 3, 2)")
  local K = sa.kernel:totable()
  local xs = x:totable()[1]
  local Q, Kk, V = matvec_rows(xs, K[1]), matvec_rows(xs, K[2]), matvec_rows(xs, K[3])
  for i = 1, 4 do
    local s = {}
    for j = 1, 4 do s[j] = (Q[i][1] * Kk[j][1] + Q[i][2] * Kk[j][2]) / 8 end
    local a = softmax(s)
    local want = { 0, 0 }
    for j = 1, 4 do for f = 1, 2 do want[f] = want[f] + a[j] * V[j][f] end end
    t.near(y[0][i - 1], want, 1e-6, "query " .. i)
    t.near(sa:last_attention()[0][i - 1], a, 1e-6, "weights " .. i)
  end
  t.near(nn.SelfAttention(16).scale, 4, 0, "default scale sqrt(d_out)")
end)

t.test("SelfAttention after an LSTM and a BiLSTM has the tutorial's shapes", function()
  local x = nn.Input { 64, 32 }
  local h = nn.LSTM(64, { return_sequences = true })(x)
  t.eq(shape(nn.SelfAttention(64, { scale = 8 })(h)), "(None, 64, 64)")
  local hb = nn.Bidirectional(nn.LSTM(64, { return_sequences = true }))(x)
  t.eq(shape(nn.SelfAttention(64, { scale = 8 })(hb)), "(None, 64, 64)")
end)

t.test("TimeAttention equals the two Dense layers of recipe 1 with the same weights", function()
  nn.clear_session()
  nn.seed(3)
  local h = tensor.randn(2, 6, 4)
  local ta = nn.TimeAttention(6)
  local y = ta(h)
  t.eq(shape(y), "(2, 4)")
  local d1 = nn.Dense(6, { activation = "tanh" })
  local d2 = nn.Dense(6, { activation = "softmax", use_bias = false })
  local time_last = tensor.transpose(h, { 0, 2, 1 })
  d1(time_last); d2(time_last)
  local w = ta:get_weights()
  d1:set_weights { w[1], w[2] }
  d2:set_weights { w[3] }
  local att = d2(d1(time_last))
  local want = tensor.sum(tensor.mul(time_last, att), -1)
  t.near(y, want, 0, "same numbers")
  t.near(ta:last_attention(), att, 0, "the (batch, channels, time) map")
  -- the first sample's map is one call away and its rows sum to 1
  local map = ta:last_attention()[0]
  t.eq(shape(map), "(4, 6)")
  t.near(map:sum(-1), { 1, 1, 1, 1 }, 1e-6)
  t.eq(ta:count_params(), 6 * 6 + 6 + 6 * 6)
end)

t.test("TimeAttention rejects the wrong number of time steps", function()
  nn.clear_session()
  local ta = nn.TimeAttention(64)
  t.raises(function() ta(nn.Input { 32, 128 }) end,
           "TimeAttention 'time_attention': expected 64 time steps (batch, 64, channels), got shape (None, 32, 128)")
  t.raises(function() nn.TimeAttention(0) end,
           "TimeAttention: time steps must be a positive integer, got 0")
end)

t.test("ProbSparseAttention: lazy queries get uniform weights, active ones a softmax", function()
  nn.clear_session()
  nn.seed(4)
  local x = tensor.randn(2, 12, 3)
  local ps = nn.ProbSparseAttention { factor = 1 }
  local y = ps(x)
  t.eq(shape(y), "(2, 12, 3)")
  local w = ps:last_attention()
  t.near(w:sum(-1), { { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } }, 1e-6)
  -- u = factor * ceil(ln 12) = 3 active queries per row, the rest uniform
  local rows = w:totable()
  for b = 1, 2 do
    local active = 0
    for i = 1, 12 do
      local uniform = true
      for j = 1, 12 do
        if math.abs(rows[b][i][j] - 1 / 12) > 1e-7 then uniform = false end
      end
      if not uniform then active = active + 1 end
    end
    t.eq(active, 3, "active queries in row " .. b)
  end
  t.near(y, tensor.matmul(w, x), 1e-6, "output = attention @ V")
end)

t.test("ProbSparseAttention is reproducible under nn.seed and dense when every query is active", function()
  local q, k, v = tensor.randn(2, 7, 3), tensor.randn(2, 9, 3), tensor.randn(2, 9, 5)
  local ps = nn.ProbSparseAttention { factor = 2 }
  nn.seed(9)
  local a = ps { q, v, k }
  nn.seed(9)
  local b = ps { q, v, k }
  t.near(a, b, 0, "same seed, same output")
  local full = nn.ProbSparseAttention { factor = 50 }
  local want = tensor.matmul(tensor.softmax(tensor.matmul(q, k, { transpose_b = true }) / math.sqrt(3), -1), v)
  t.near(full { q, v, k }, want, 1e-6, "all queries active = dense attention")
  t.eq(shape(nn.ProbSparseAttention() { nn.Input { 7, 3 }, nn.Input { 9, 5 }, nn.Input { 9, 3 } }),
       "(None, 7, 5)")
end)

t.test("gradients of the recipe layers match finite differences", function()
  nn.seed(5)
  local x = tensor.randn(2, 6, 4, { requires_grad = true })
  local mask = tensor.from { { 1, 1, 1, 1, 0, 0 }, { 1, 1, 1, 1, 1, 1 } }
  local ap = nn.AttentionPooling()
  ap(x)
  local ok, err = tensor.gradcheck(function(a) return ap(a, { mask = mask }) end, { x, ap.kernel })
  t.truthy(ok, "AttentionPooling " .. err)
  local sa = nn.SelfAttention(3)
  sa(x)
  ok, err = tensor.gradcheck(function(a) return sa(a, { mask = mask }) end, { x, sa.kernel })
  t.truthy(ok, "SelfAttention " .. err)
  local ta = nn.TimeAttention(6)
  ta(x)
  ok, err = tensor.gradcheck(function(a) return ta(a) end, { x, ta.kernel_1, ta.bias_1, ta.kernel_2 })
  t.truthy(ok, "TimeAttention " .. err)
  local ps = nn.ProbSparseAttention { factor = 1 }
  ok, err = tensor.gradcheck(function(a) nn.seed(6); return ps(a) end, { x })
  t.truthy(ok, "ProbSparseAttention " .. err)
end)

t.test("recipe layers explain bad input", function()
  nn.clear_session()
  local sa = nn.SelfAttention(4)
  sa(tensor.randn(2, 3, 5))
  t.raises(function() sa(tensor.randn(2, 3, 6)) end,
           "SelfAttention 'self_attention': expected input with 5 features (batch, time, 5), got shape (2, 3, 6)")
  t.raises(function() nn.AttentionPooling()(nn.Input { 3, None }) end,
           "AttentionPooling 'attention_pooling': the features axis of the input must be known, got shape (None, 3, None)")
  nn.clear_session()
  t.raises(function() nn.SelfAttention(4)(tensor.randn(2, 3)) end,
           "SelfAttention 'self_attention': expected input of rank 3 (batch, time, features), got shape (2, 3)")
  t.raises(function() nn.SelfAttention(4, { scale = 0 }) end,
           "SelfAttention: scale must be a positive number, got 0")
  t.raises(function() nn.AttentionPooling()(tensor.randn(2, 5, 3), { mask = tensor.ones(2, 4) }) end,
           "AttentionPooling 'attention_pooling': the mask must be (batch, 5), got (2, 4)")
  t.raises(function() nn.ProbSparseAttention { factor = 0 } end,
           "ProbSparseAttention: factor must be a positive integer, got 0")
  t.raises(function() nn.ProbSparseAttention() { tensor.randn(1, 3, 2), tensor.randn(1, 4, 2), tensor.randn(1, 4, 3) } end,
           "query and key must have the same features, got (1, 3, 2) and (1, 4, 3)")
end)

t.done()
