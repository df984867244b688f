-- test_recipes.lua - the four Keras recipes learners bring, line by line:
-- each is built on nn.Input (the Keras shapes of every step are checked),
-- then run on data with the weights of tests/ref/recipes_ref.lua (made by
-- make_recipes_ref.py with PyTorch), and its intermediates, output and
-- gradients must match: normwise relative error <= 1e-5 for values and
-- <= 1e-4 for gradients (see test_rnn_ref.lua for why normwise).
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")
local ref = dofile(dir .. "/../ref/recipes_ref.lua")

local VALUE_TOL, GRAD_TOL = 1e-5, 1e-4

local cases = {}
for _, c in ipairs(ref.cases) do cases[c.name] = c end

local flatten = t.flatten

local function check(got, want, tol, what)
  local e = t.relative_errors(got, want, what)
  if not (e <= tol) then
    error(string.format("%s: worst relative error %.3g > %g", what, e, tol), 2)
  end
end

local function shape(x) return tostring(x.shape) end

-- Builds every layer on the symbolic input, then sets the reference
-- weights on the list of layers (in call order), runs forward on data and
-- compares; `forward` returns final, intermediates.
local function run_reference(case, layers, forward, input)
  local k = 1
  for _, layer in ipairs(layers) do
    local n = #(layer.weights or {})
    local ws = {}
    for i = 1, n do ws[i] = case.weights[k]; k = k + 1 end
    if n > 0 then layer:set_weights(ws) end
  end
  t.eq(k - 1, #case.weights, "every reference weight used")
  local final, inter = forward(input)
  for name, want in pairs(case.intermediates or {}) do
    if inter[name] then check(inter[name], want, VALUE_TOL, name) end
  end
  check(final, case.final, VALUE_TOL, "final")
  local loss = (final * tensor.from(case.r)):sum()
  loss:backward()
  if case.grads.x then check(input.grad, case.grads.x, GRAD_TOL, "d/dx") end
  k = 1
  for _, layer in ipairs(layers) do
    for i, w in ipairs(layer.weights or {}) do
      check(w.grad, case.grads.weights[k], GRAD_TOL, "d/d " .. case.weight_names[k])
      k = k + 1
      local _ = i
    end
  end
end

-- ---- recipe 1: time-step attention over a BiGRU ---------------------------

local function recipe1_layers(T, U, classes)
  local L = {}
  L.bi1 = nn.Bidirectional(nn.GRU(U, { return_sequences = true }))
  L.bi2 = nn.Bidirectional(nn.GRU(U, { return_sequences = true }))
  L.att_1 = nn.Dense(T, { activation = "tanh" })
  L.att_2 = nn.Dense(T, { activation = "softmax", use_bias = false, keep_output = true })
  L.multiply = nn.Multiply()
  L.dense = nn.Dense(classes, { activation = "softmax" })
  L.list = { L.bi1, L.bi2, L.att_1, L.att_2, L.dense }
  L.forward = function(x)
    local h1 = L.bi1(x)
    local h2 = L.bi2(h1)
    local time_last = tensor.transpose(h2, { 0, 2, 1 })   -- tf.transpose(output, [0, 2, 1])
    local att_1 = L.att_1(time_last)
    local att_2 = L.att_2(att_1)
    local time_att = L.multiply({ time_last, att_2 })
    local out = tensor.sum(time_att, -1)                  -- tf.reduce_sum(time_att, axis=-1)
    local final = L.dense(out)
    return final, { h1 = h1, h2 = h2, att_1 = att_1, att_2 = att_2, out = out,
                    time_last = time_last, time_att = time_att }
  end
  return L
end

t.test("recipe 1 shows the Keras shapes at every step", function()
  nn.clear_session()
  local L = recipe1_layers(64, 64, 5)
  local final, s = L.forward(nn.Input { 64, 32 })
  t.eq(shape(s.h2), "(None, 64, 128)")
  t.eq(shape(s.time_last), "(None, 128, 64)")
  t.eq(shape(s.att_1), "(None, 128, 64)")
  t.eq(shape(s.att_2), "(None, 128, 64)")
  t.eq(shape(s.time_att), "(None, 128, 64)")
  t.eq(shape(s.out), "(None, 128)")
  t.eq(shape(final), "(None, 5)")
  local n = 0
  for _, l in ipairs(L.list) do n = n + l:count_params() end
  t.eq(n, 121029, "Keras's parameter count for F=32, T=64, 5 classes")
end)

t.test("recipe 1 matches PyTorch on data", function()
  local case = cases.recipe1
  nn.clear_session()
  local sz = case.sizes
  local L = recipe1_layers(sz.T, sz.U, 5)
  L.forward(nn.Input { sz.T, sz.F })
  run_reference(case, L.list, L.forward, tensor.from(case.x, { requires_grad = true }))
end)

t.test("recipe 1 at the seed model's size matches PyTorch, and its map is one call away", function()
  local case = cases.recipe1_seed
  nn.clear_session()
  local sz = case.sizes
  local L = recipe1_layers(sz.T, sz.U, 5)
  L.forward(nn.Input { sz.T, sz.F })
  run_reference(case, L.list, L.forward, tensor.from(case.x, { requires_grad = true }))
  local map = L.att_2:last_attention()[0]       -- the first sample
  t.eq(shape(map), "(128, 64)")
  local sums = flatten(map:sum(-1):totable())
  for i = 1, #sums do t.near(sums[i], 1, 1e-5, "row " .. i) end
end)

-- ---- recipe 2: dot attention with a learned query over an LSTM -----------

local function recipe2_layers(U)
  local L = {}
  L.lstm = nn.LSTM(U, { return_sequences = true })
  L.query = nn.Dense(U, { activation = "tanh" })
  L.scores = nn.Dot { axes = { 2, 2 } }
  L.softmax = nn.Activation("softmax")
  L.context = nn.Dot { axes = { 2, 1 } }
  L.pool = nn.Lambda(function(c) return tensor.sum(c, 1) end)
  L.concat = nn.Concatenate { axis = -1 }
  L.list = { L.lstm, L.query }
  L.forward = function(x)
    local h = L.lstm(x)
    local query = L.query(h)
    local scores = L.scores({ query, h })
    local weights = L.softmax(scores)
    local context = L.context({ weights, h })
    local pooled = L.pool(context)
    local last = tensor.select(h, 1, -1)                  -- h[:, -1, :]
    local final = L.concat({ pooled, last })
    return final, { h = h, query = query, scores = scores, weights = weights,
                    context = context, pooled = pooled }
  end
  return L
end

t.test("recipe 2 shows the Keras shapes at every step", function()
  nn.clear_session()
  local L = recipe2_layers(32)
  local final, s = L.forward(nn.Input { 20, 8 })
  t.eq(shape(s.h), "(None, 20, 32)")
  t.eq(shape(s.scores), "(None, 20, 20)")
  t.eq(shape(s.context), "(None, 20, 32)")
  t.eq(shape(s.pooled), "(None, 32)")
  t.eq(shape(final), "(None, 64)")
end)

t.test("recipe 2 with the tutorial's Dot(axes=(2, 1)) says which axes to use", function()
  nn.clear_session()
  local x = nn.Input { 20, 8 }
  local h = nn.LSTM(32, { return_sequences = true })(x)
  local q = nn.Dense(32, { activation = "tanh" })(h)
  local err = t.raises(function() nn.Dot { axes = { 2, 1 } }({ q, h }) end, "dot")
  t.truthy(err:find("32", 1, true) and err:find("20", 1, true), "names both sizes: " .. err)
  t.truthy(err:find("axes={2, 2}", 1, true), "gives the fix: " .. err)
end)

t.test("recipe 2 matches PyTorch on data", function()
  local case = cases.recipe2
  nn.clear_session()
  local sz = case.sizes
  local L = recipe2_layers(sz.U)
  L.forward(nn.Input { sz.T, sz.F })
  run_reference(case, L.list, L.forward, tensor.from(case.x, { requires_grad = true }))
end)

-- ---- recipe 3: attention pooling with a mask (ProbAttention) -------------

local function recipe3_layers(V, d)
  local L = {}
  L.embedding = nn.Embedding(V, d, { mask_zero = true })
  L.masking = nn.Masking()
  L.pool = nn.ProbAttention()
  L.dense = nn.Dense(2, { activation = "softmax" })
  L.list = { L.embedding, L.pool, L.dense }
  L.forward = function(ids)
    local e = L.embedding(ids)
    local m = L.masking(e)
    local out = L.pool(m)
    local final = L.dense(out)
    return final, { e = e, out = out, mask = m.mask }
  end
  return L
end

t.test("recipe 3 shows the Keras shapes at every step", function()
  nn.clear_session()
  local L = recipe3_layers(1000, 16)
  local final, s = L.forward(nn.Input { 50 })
  t.eq(shape(s.e), "(None, 50, 16)")
  t.eq(shape(s.mask), "(None, 50)")
  t.eq(shape(s.out), "(None, 16)")
  t.eq(shape(final), "(None, 2)")
end)

t.test("recipe 3 matches PyTorch on data, padding gets no attention", function()
  local case = cases.recipe3
  nn.clear_session()
  local sz = case.sizes
  local L = recipe3_layers(sz.V, sz.d)
  L.forward(nn.Input { sz.T })
  local ids = tensor.from(case.ids)
  run_reference(case, L.list, L.forward, ids)
  local a = L.pool:last_attention()
  check(tensor.reshape(a, { sz.B, sz.T }), case.intermediates.a, VALUE_TOL, "attention")
  t.near(L.masking(L.embedding(ids)).mask, case.mask, 0, "the mask")
end)

-- ---- recipe 4: self-attention with one (3, d_in, d_out) kernel -----------

local function recipe4_layers(U, d_out, bidirectional)
  local L = {}
  local lstm = nn.LSTM(U, { return_sequences = true })
  L.rnn = bidirectional and nn.Bidirectional(lstm) or lstm
  L.attention = nn.SelfAttention(d_out, { scale = 8 })  -- the tutorial's 64 ** 0.5
  L.list = { L.rnn, L.attention }
  L.forward = function(x)
    local h = L.rnn(x)
    local out = L.attention(h)
    return out, { h = h, out = out, weights = L.attention:last_attention() }
  end
  return L
end

t.test("recipe 4 shows the Keras shapes at every step", function()
  nn.clear_session()
  local L = recipe4_layers(64, 64, false)
  local out, s = L.forward(nn.Input { 30, 16 })
  t.eq(shape(s.h), "(None, 30, 64)")
  t.eq(shape(out), "(None, 30, 64)")
  local B = recipe4_layers(64, 64, true)
  local outb, sb = B.forward(nn.Input { 30, 16 })
  t.eq(shape(sb.h), "(None, 30, 128)")
  t.eq(shape(outb), "(None, 30, 64)")
  t.eq(shape(B.attention.kernel), "(3, 128, 64)")
end)

for _, name in ipairs { "recipe4", "recipe4_bidirectional" } do
  t.test(name .. " matches PyTorch on data", function()
    local case = cases[name]
    nn.clear_session()
    local sz = case.sizes
    local L = recipe4_layers(sz.U, sz.d_out, case.bidirectional)
    L.forward(nn.Input { sz.T, sz.F })
    run_reference(case, L.list, L.forward, tensor.from(case.x, { requires_grad = true }))
  end)
end

t.done()
