-- test_attention.lua - Keras 3's Attention, AdditiveAttention and
-- MultiHeadAttention: against the PyTorch references in
-- tests/ref/attention_ref.lua (made by make_attention_ref.py), then shapes
-- (symbolic, with None), masks, last_attention(), dropout, gradcheck of every
-- input and weight, and the exact error messages.
--
-- The fixture cases give the layers the reference's Keras-layout weights;
-- their outputs, attention scores and the gradients of
--     loss = sum(output * r)
-- with respect to query, value, key and every weight must match: normwise
-- relative error max|got - want| / max|want| <= 1e-5 for values, <= 1e-4
-- for gradients (see test_rnn_ref.lua for why normwise).
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")
local ref = dofile(dir .. "/../ref/attention_ref.lua")

local VALUE_TOL, GRAD_TOL = 1e-5, 1e-4

local flatten = t.flatten

-- normwise relative error of tensor got against the nested table want
local function relerr(got, want, what)
  return (t.relative_errors(got, want, what))
end

-- A reference that is zero in exact arithmetic (MultiHeadAttention's key
-- bias: the bias shifts a whole row of scores, which the softmax ignores)
-- is measured against `scale`, the largest reference gradient of the case.
local function check(got, want, tol, what, scale)
  local e = relerr(got, want, what)
  local zero = true
  for _, x in ipairs(flatten(want)) do if x ~= 0 then zero = false end end
  if zero and scale then
    e = 0
    for _, x in ipairs(flatten(got:totable())) do
      if not (math.abs(x) / scale <= e) then e = math.abs(x) / scale end
    end
  end
  if not (e <= tol) then
    error(string.format("%s: worst relative error %.3g > %g", what, e, tol), 2)
  end
  return e
end

local function from(v, grad)
  if v == nil then return nil end
  if grad then return tensor.from(v, { requires_grad = true }) end
  return tensor.from(v)
end

-- the layer of a case, built for its inputs and given its weights
local function make_layer(case, q, v, k)
  local layer
  if case.layer == "MultiHeadAttention" then
    layer = nn.MultiHeadAttention(case.options)
    layer:build(q.shape, v.shape, k and k.shape)
  else
    layer = nn[case.layer](case.options)
    layer:build({ q.shape, v.shape, k and k.shape })
  end
  layer.built = true
  layer:set_weights(case.weights)
  return layer
end

-- calls the layer of a case; keras_masks=true gives the Attention masks as
-- the inputs' Keras masks instead of mask=
local function run_case(case, keras_masks)
  local q, v, k = from(case.query, true), from(case.value, true), from(case.key, true)
  local layer = make_layer(case, q, v, k)
  local inputs = k and { q, v, k } or { q, v }
  local opts = { use_causal_mask = case.call.use_causal_mask,
                 return_attention_scores = true }
  if case.layer == "MultiHeadAttention" then
    if case.query_keras_mask then nn.masks[q] = from(case.query_keras_mask) end
    if case.value_keras_mask then nn.masks[v] = from(case.value_keras_mask) end
    opts.attention_mask = from(case.attention_mask)
  elseif case.query_mask or case.value_mask then
    local qm, vm = from(case.query_mask), from(case.value_mask)
    if keras_masks then
      nn.masks[q], nn.masks[v] = qm, vm
    else
      opts.mask = { qm or None, vm or None }
    end
  end
  local out, scores = layer(inputs, opts)
  return layer, out, scores, q, v, k
end

local summary = {}
local worst_value, worst_grad = 0, 0

for _, case in ipairs(ref.cases) do
  t.test(case.name .. " matches the PyTorch reference", function()
    nn.clear_session()
    local layer, out, scores, q, v, k = run_case(case)
    local ev = math.max(check(out, case.output, VALUE_TOL, "output"),
                        check(scores, case.scores, VALUE_TOL, "scores"))
    check(layer:last_attention(), case.scores, VALUE_TOL, "last_attention")
    local loss = (out * tensor.from(case.r)):sum()
    loss:backward()
    local eg = check(q.grad, case.grads.query, GRAD_TOL, "d/d query")
    eg = math.max(eg, check(v.grad, case.grads.value, GRAD_TOL, "d/d value"))
    if k then
      eg = math.max(eg, check(k.grad, case.grads.key, GRAD_TOL, "d/d key"))
    end
    t.eq(#layer.weights, #case.grads.weights, "number of weights")
    local gscale = 0
    for _, g in pairs(case.grads) do
      for _, x in ipairs(flatten(g)) do gscale = math.max(gscale, math.abs(x)) end
    end
    for i, w in ipairs(layer.weights) do
      eg = math.max(eg, check(w.grad, case.grads.weights[i], GRAD_TOL,
                              "d/d " .. layer.weight_names[i], gscale))
    end
    worst_value, worst_grad = math.max(worst_value, ev), math.max(worst_grad, eg)
    summary[#summary + 1] = string.format("#   %-42s values %.2e  gradients %.2e",
                                          case.name, ev, eg)
  end)
end

t.test("Attention and AdditiveAttention read the inputs' Keras masks as Keras does", function()
  local n = 0
  for _, case in ipairs(ref.cases) do
    if case.layer ~= "MultiHeadAttention" and (case.query_mask or case.value_mask) then
      local _, out1, s1 = run_case(case, false)
      local _, out2, s2, q = run_case(case, true)
      t.near(out2, out1, 0, case.name .. " output")
      t.near(s2, s1, 0, case.name .. " scores")
      -- the output carries the query's mask
      t.eq(out2.mask, nn.masks[q], case.name .. " output mask")
      n = n + 1
    end
  end
  t.eq(n, 7)
end)

-- ---- Keras's weights and names ---------------------------------------------

t.test("names: attention, additive_attention, multi_head_attention", function()
  nn.clear_session()
  t.eq(nn.Attention().name, "attention")
  t.eq(nn.Attention().name, "attention_1")
  t.eq(nn.AdditiveAttention().name, "additive_attention")
  t.eq(nn.MultiHeadAttention { num_heads = 2, key_dim = 3 }.name, "multi_head_attention")
  t.eq(nn.MultiHeadAttention(2, 3).name, "multi_head_attention_1")
  t.eq(nn.Attention { name = "luong" }.name, "luong")
  t.eq(tostring(nn.Attention { use_scale = true, score_mode = "concat" }),
       "<Attention name=attention_2, use_scale=true, score_mode=concat>")
  t.eq(tostring(nn.MultiHeadAttention { num_heads = 4, key_dim = 8, value_dim = 2 }),
       "<MultiHeadAttention name=multi_head_attention_2, num_heads=4, key_dim=8, value_dim=2>")
end)

t.test("Attention's weights: scale and concat_score_weight, scalars of ones", function()
  local q, v = tensor.randn(2, 4, 3), tensor.randn(2, 5, 3)
  local cases = {
    { {}, {} },
    { { use_scale = true }, { "scale" } },
    { { score_mode = "concat" }, { "concat_score_weight" } },
    { { use_scale = true, score_mode = "concat" }, { "scale", "concat_score_weight" } },
  }
  for _, c in ipairs(cases) do
    local a = nn.Attention(c[1])
    a({ q, v })
    t.eq(table.concat(a.weight_names, ","), table.concat(c[2], ","))
    for _, w in ipairs(a:get_weights()) do
      t.eq(tostring(w.shape), "()")
      t.eq(w:item(), 1)
    end
    t.eq(a:count_params(), #c[2])
  end
end)

t.test("AdditiveAttention's scale: (dim,) glorot_uniform, none without use_scale", function()
  nn.seed(3)
  local a = nn.AdditiveAttention()
  a({ tensor.randn(2, 4, 12), tensor.randn(2, 5, 12) })
  t.eq(table.concat(a.weight_names, ","), "scale")
  t.eq(tostring(a.scale.shape), "(12,)")
  local limit = math.sqrt(6 / (12 + 12))
  for _, x in ipairs(a.scale:totable()) do t.truthy(math.abs(x) <= limit) end
  local b = nn.AdditiveAttention { use_scale = false }
  b({ tensor.randn(2, 4, 12), tensor.randn(2, 5, 12) })
  t.eq(#b.weights, 0)
end)

t.test("MultiHeadAttention's weights: EinsumDense layout and get_weights order", function()
  nn.seed(4)
  local m = nn.MultiHeadAttention { num_heads = 2, key_dim = 3, value_dim = 4 }
  m({ tensor.randn(2, 4, 6), tensor.randn(2, 5, 7), tensor.randn(2, 5, 8) })
  local names, shapes = {}, {}
  for i, w in ipairs(m:get_weights()) do
    names[i] = m.weight_names[i]
    shapes[i] = tostring(w.shape)
  end
  t.eq(table.concat(names, " "),
       "query/kernel query/bias key/kernel key/bias value/kernel value/bias attention_output/kernel attention_output/bias")
  t.eq(table.concat(shapes, " "), "(6, 2, 3) (2, 3) (8, 2, 3) (2, 3) (7, 2, 4) (2, 4) (2, 4, 6) (6,)")
  -- biases start at zero; kernels are glorot_uniform with Keras's fans
  t.near(m.query_bias, tensor.zeros(2, 3), 0)
  local limit = math.sqrt(6 / (2 * 6 + 3 * 6))
  for _, x in ipairs(flatten(m.query_kernel:totable())) do t.truthy(math.abs(x) <= limit) end
  t.eq(m:count_params(), 36 + 6 + 48 + 6 + 56 + 8 + 48 + 6)

  local nb = nn.MultiHeadAttention { num_heads = 2, key_dim = 3, use_bias = false,
                                     output_shape = { 2, 5 } }
  nb({ tensor.randn(2, 4, 6), tensor.randn(2, 5, 6) })
  shapes = {}
  for i, w in ipairs(nb.weights) do shapes[i] = nb.weight_names[i] .. tostring(w.shape) end
  t.eq(table.concat(shapes, " "),
       "query/kernel(6, 2, 3) key/kernel(6, 2, 3) value/kernel(6, 2, 3) attention_output/kernel(2, 3, 2, 5)")

  local ones = nn.MultiHeadAttention { num_heads = 1, key_dim = 2, kernel_initializer = "ones",
                                       bias_initializer = "ones" }
  ones({ tensor.randn(1, 2, 3), tensor.randn(1, 2, 3) })
  t.near(ones.output_bias, tensor.ones(3), 0)
  t.near(ones.key_kernel, tensor.ones(3, 1, 2), 0)
end)

-- ---- shapes --------------------------------------------------------------------

t.test("symbolic shapes with None", function()
  nn.clear_session()
  local q, v, k = nn.Input { None, 3 }, nn.Input { 7, 2 }, nn.Input { 7, 3 }
  local a = nn.Attention()
  local out, s = a({ q, v, k }, { return_attention_scores = true })
  t.eq(tostring(out), "<Symbolic shape=(None, None, 2) from attention>")
  t.eq(tostring(s), "<Symbolic shape=(None, None, 7) from attention>")
  t.eq(tostring(a:last_attention().shape), "(None, None, 7)")
  t.eq(out.node.layer, a)
  t.eq(#out.node.inputs, 3)
  t.eq(s.node.index, 2)
  t.eq(tostring(nn.Attention { score_mode = "concat", use_scale = true }({ q, k })),
       "<Symbolic shape=(None, None, 3) from attention_1>")
  t.eq(tostring(nn.AdditiveAttention()({ q, v, k }, { use_causal_mask = true })),
       "<Symbolic shape=(None, None, 2) from additive_attention>")

  local x = nn.Input { None, 6 }
  local m = nn.MultiHeadAttention { num_heads = 2, key_dim = 3 }
  local y, w = m({ x, nn.Input { None, 5 } }, { return_attention_scores = true,
                                                 use_causal_mask = true })
  t.eq(tostring(y), "<Symbolic shape=(None, None, 6) from multi_head_attention>")
  t.eq(tostring(w), "<Symbolic shape=(None, 2, None, None) from multi_head_attention>")
  local m2 = nn.MultiHeadAttention { num_heads = 2, key_dim = 3, output_shape = { 2, 5 } }
  t.eq(tostring(m2({ x, x })), "<Symbolic shape=(None, None, 2, 5) from multi_head_attention_1>")
  t.eq(tostring(m2({ nn.Input { 4, 6 }, nn.Input { 4, 6 } })),
       "<Symbolic shape=(None, 4, 2, 5) from multi_head_attention_1>")
  local m3 = nn.MultiHeadAttention { num_heads = 3, key_dim = 2, output_shape = 8 }
  t.eq(tostring(m3({ nn.Input { 4, 6 }, nn.Input { None, 6 } }, { attention_mask = nn.Input { 4, None } })),
       "<Symbolic shape=(None, 4, 8) from multi_head_attention_2>")
end)

t.test("eager shapes follow the symbolic ones", function()
  local q, v, k = tensor.randn(2, 4, 3), tensor.randn(2, 7, 2), tensor.randn(2, 7, 3)
  local out, s = nn.Attention()({ q, v, k }, { return_attention_scores = true })
  t.eq(tostring(out.shape), "(2, 4, 2)")
  t.eq(tostring(s.shape), "(2, 4, 7)")
  local m = nn.MultiHeadAttention { num_heads = 2, key_dim = 3, output_shape = { 2, 5 } }
  local y, w = m({ tensor.randn(2, 4, 6), tensor.randn(2, 3, 6) }, { return_attention_scores = true })
  t.eq(tostring(y.shape), "(2, 4, 2, 5)")
  t.eq(tostring(w.shape), "(2, 2, 4, 3)")
  t.eq(m:last_attention(), w)
end)

t.test("Keras masks travel: Embedding(mask_zero) -> MultiHeadAttention and Attention", function()
  nn.clear_session()
  local ids = nn.Input { None }
  local e = nn.Embedding(10, 4, { mask_zero = true })(ids)
  local y = nn.MultiHeadAttention { num_heads = 2, key_dim = 2 }({ e, e })
  t.eq(tostring(y.mask), "<Symbolic shape=(None, None) from embedding_mask>")
  local z = nn.Attention()({ e, e })
  t.truthy(z.mask ~= nil, "Attention output mask")

  nn.seed(5)
  local real = tensor.from({ { 3, 1, 4, 0 }, { 2, 7, 0, 0 } })
  local emb = nn.Embedding(10, 4, { mask_zero = true })
  local h = emb(real)
  local m = nn.MultiHeadAttention { num_heads = 2, key_dim = 2 }
  local out, w = m({ h, h }, { return_attention_scores = true })
  t.near(out.mask, { { 1, 1, 1, 0 }, { 1, 1, 0, 0 } }, 0)
  local wt = w:totable()
  for b = 1, 2 do
    local mk = real:totable()[b]
    for n = 1, 2 do
      for i = 1, 4 do
        local sum = 0
        for j = 1, 4 do
          sum = sum + wt[b][n][i][j]
          if mk[j] == 0 or mk[i] == 0 then t.eq(wt[b][n][i][j], 0, "masked weight") end
        end
        -- a masked query attends nowhere (Keras >= 3.10 zeroes the row)
        t.near(sum, mk[i] ~= 0 and 1 or 0, 1e-6)
      end
    end
  end
  -- the same with explicit masks through attention_mask
  local am = tensor.from({ { { 1, 1, 1, 0 }, { 1, 1, 1, 0 }, { 1, 1, 1, 0 }, { 0, 0, 0, 0 } },
                           { { 1, 1, 0, 0 }, { 1, 1, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } } })
  local h2 = h:detach() -- no Keras mask
  local out2 = m({ h2, h2 }, { attention_mask = am })
  t.near(out2, out, 1e-6)
  t.eq(out2.mask, nil)
  -- value_mask= and key_mask= as Keras's call arguments
  local vm = tensor.from({ { 1, 1, 1, 0 }, { 1, 1, 0, 0 } })
  local out3, w3 = m({ h2, h2 }, { value_mask = vm, return_attention_scores = true })
  local out4, w4 = m({ h2, h2, h2 }, { key_mask = vm, return_attention_scores = true })
  t.near(w4, w3, 0)
  t.near(out4, out3, 0)
  local hv = h2:detach()
  nn.masks[hv] = vm
  local _, w5 = m({ h2, hv }, { return_attention_scores = true })
  t.near(w5, w3, 0)
  -- None, as Keras's default, means the input's own mask
  local _, w6 = m({ h2, hv }, { value_mask = None, query_mask = None,
                                return_attention_scores = true })
  t.near(w6, w3, 0)
  -- the key's mask counts only for a key given apart from the value
  local hk = h2:detach()
  nn.masks[hk] = vm
  local _, w7 = m({ h2, h2, hk }, { return_attention_scores = true })
  t.near(w7, w3, 0)
end)

-- ---- last_attention ------------------------------------------------------------

t.test("last_attention(): the softmax of the last call, rows summing to 1", function()
  nn.seed(6)
  local q, v = tensor.randn(2, 4, 3), tensor.randn(2, 5, 3)
  local vm = tensor.from({ { 1, 1, 0, 1, 0 }, { 1, 1, 1, 1, 1 } })
  local layers = {
    nn.Attention(), nn.Attention { use_scale = true, score_mode = "concat" },
    nn.AdditiveAttention(), nn.AdditiveAttention { use_scale = false },
  }
  for _, layer in ipairs(layers) do
    t.eq(layer:last_attention(), nil)
    for _, causal in ipairs({ false, true }) do
      local _, s = layer({ q, v }, { mask = { None, vm }, use_causal_mask = causal,
                                     return_attention_scores = true })
      local a = layer:last_attention()
      t.eq(a, s)
      t.eq(tostring(a.shape), "(2, 4, 5)")
      t.near(a:sum(-1), tensor.ones(2, 4), 1e-6)
      local at = a:totable()
      for i = 1, 4 do
        t.eq(at[1][i][3], 0)
        t.eq(at[1][i][5], 0)
        if causal then
          for j = i + 1, 5 do t.eq(at[2][i][j], 0) end
        end
      end
    end
  end
  local m = nn.MultiHeadAttention { num_heads = 3, key_dim = 2 }
  m({ q, v }, { use_causal_mask = true })
  t.eq(tostring(m:last_attention().shape), "(2, 3, 4, 5)")
  t.near(m:last_attention():sum(-1), tensor.ones(2, 3, 4), 1e-6)
end)

-- ---- dropout ----------------------------------------------------------------------

t.test("dropout only when training; Attention returns the dropped weights, keeps the softmax", function()
  nn.seed(7)
  local q, v = tensor.randn(2, 6, 3), tensor.randn(2, 8, 3)
  local a = nn.Attention { dropout = 0.5 }
  local plain = nn.Attention()
  local want, ws = plain({ q, v }, { return_attention_scores = true })
  local out, s = a({ q, v }, { return_attention_scores = true })
  t.near(out, want, 0)
  t.near(s, ws, 0)
  out, s = a({ q, v }, { return_attention_scores = true, training = true })
  local kept = a:last_attention()
  t.near(kept, ws, 0)
  local zeros, scaled = 0, 0
  local st, kt = flatten(s:totable()), flatten(kept:totable())
  for i = 1, #st do
    if st[i] == 0 then zeros = zeros + 1
    else
      t.near(st[i], 2 * kt[i], 1e-6)
      scaled = scaled + 1
    end
  end
  t.truthy(zeros > 10 and scaled > 10, "about half dropped")
  t.near(out, tensor.matmul(s, v), 1e-6)

  local m = nn.MultiHeadAttention { num_heads = 2, key_dim = 3, dropout = 0.5 }
  local y1, w1 = m({ q, v }, { return_attention_scores = true })
  local y2, w2 = m({ q, v }, { return_attention_scores = true, training = true })
  t.near(w2, w1, 0) -- Keras returns the scores before dropout
  t.eq(m:last_attention(), w2)
  local differs = false
  for i, x in ipairs(flatten(y1:totable())) do
    if x ~= flatten(y2:totable())[i] then differs = true end
  end
  t.truthy(differs, "training changes the output")
end)

-- ---- gradcheck ------------------------------------------------------------------

local function flat(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = (select(i, ...)):reshape(-1) end
  return tensor.concat(parts, 0)
end

local function check_grad(what, f, inputs)
  local passed, worst = tensor.gradcheck(f, inputs)
  t.truthy(passed, string.format("%s: worst error %g", what, worst))
end

t.test("gradcheck of query, value, key and every weight", function()
  nn.seed(8)
  local qm = tensor.from({ { 1, 0, 1 }, { 1, 1, 1 } })
  local vm = tensor.from({ { 1, 1, 0, 1 }, { 1, 0, 1, 1 } })
  local specs = {
    { "Attention", {} }, { "Attention", { use_scale = true } },
    { "Attention", { score_mode = "concat" } },
    { "Attention", { score_mode = "concat", use_scale = true } },
    { "AdditiveAttention", {} }, { "AdditiveAttention", { use_scale = false } },
  }
  local n = 0
  for _, spec in ipairs(specs) do
    for _, with_key in ipairs({ false, true }) do
      for _, masked in ipairs({ false, true }) do
        local q = tensor.randn(2, 3, 2, { requires_grad = true })
        local v = tensor.randn(2, 4, with_key and 3 or 2, { requires_grad = true })
        local k = with_key and tensor.randn(2, 4, 2, { requires_grad = true }) or nil
        local layer = nn[spec[1]](spec[2])
        local inputs = k and { q, v, k } or { q, v }
        local opts = { return_attention_scores = true, use_causal_mask = masked,
                       mask = masked and { qm, vm } or nil }
        layer(inputs, opts)
        local all = {}
        for _, x in ipairs(inputs) do all[#all + 1] = x end
        for _, w in ipairs(layer.weights) do all[#all + 1] = w end
        check_grad(string.format("%s %s key=%s masked=%s", spec[1],
                                 tostring(spec[2].score_mode or ""), tostring(with_key),
                                 tostring(masked)),
                   function() return flat(layer(inputs, opts)) end, all)
        n = n + 1
      end
    end
  end
  for _, o in ipairs({ {}, { value_dim = 2, output_shape = { 2, 2 } }, { use_bias = false } }) do
    for _, masked in ipairs({ false, true }) do
      local opts = { num_heads = 2, key_dim = 2,
                     bias_initializer = function(shape) return tensor.randn(shape, { stddev = 0.3 }) end }
      for key, val in pairs(o) do opts[key] = val end
      local m = nn.MultiHeadAttention(opts)
      local q = tensor.randn(2, 3, 3, { requires_grad = true })
      local v = tensor.randn(2, 4, 2, { requires_grad = true })
      local k = tensor.randn(2, 4, 3, { requires_grad = true })
      if masked then nn.masks[q] = qm end
      local call = { return_attention_scores = true, use_causal_mask = masked,
                     attention_mask = masked and tensor.from({ { { 1, 1, 0, 1 } }, { { 1, 0, 1, 1 } } }) or nil }
      m({ q, v, k }, call)
      local all = { q, v, k }
      for _, w in ipairs(m.weights) do all[#all + 1] = w end
      check_grad("MultiHeadAttention " .. (masked and "masked" or "unmasked"),
                 function() return flat(m({ q, v, k }, call)) end, all)
      n = n + 1
    end
  end
  t.eq(n, 30)
end)

-- ---- errors ----------------------------------------------------------------------

local function raises_exactly(f, want)
  local ok, err = pcall(f)
  t.eq(ok, false, "expected an error")
  err = tostring(err):gsub("^[^:]*:%d+: ", "")
  t.eq(err, want)
end

t.test("constructor errors", function()
  raises_exactly(function() nn.Attention { score_mode = "add" } end,
                 'Attention: score_mode must be "dot" or "concat", got string "add"')
  raises_exactly(function() nn.Attention { use_scale = 1 } end,
                 "Attention: use_scale must be true or false, got 1")
  raises_exactly(function() nn.Attention { dropout = 1 } end,
                 "Attention: dropout must be a number in [0, 1), got 1")
  raises_exactly(function() nn.Attention { units = 3 } end,
                 "Attention: unknown option 'units' (known: dropout, name, score_mode, use_scale)")
  raises_exactly(function() nn.AdditiveAttention { score_mode = "dot" } end,
                 "AdditiveAttention: unknown option 'score_mode' (known: dropout, name, use_scale)")
  raises_exactly(function() nn.MultiHeadAttention { key_dim = 2 } end,
                 "MultiHeadAttention: num_heads is required, e.g. nn.MultiHeadAttention{num_heads=2, key_dim=16}")
  raises_exactly(function() nn.MultiHeadAttention { num_heads = 2 } end,
                 "MultiHeadAttention: key_dim is required, e.g. nn.MultiHeadAttention{num_heads=2, key_dim=16}")
  raises_exactly(function() nn.MultiHeadAttention { num_heads = 0, key_dim = 2 } end,
                 "MultiHeadAttention: num_heads must be a positive integer, got 0")
  raises_exactly(function() nn.MultiHeadAttention { num_heads = 2, key_dim = 2.5 } end,
                 "MultiHeadAttention: key_dim must be a positive integer, got 2.5")
  raises_exactly(function() nn.MultiHeadAttention { num_heads = 2, key_dim = 2, value_dim = -1 } end,
                 "MultiHeadAttention: value_dim must be a positive integer, got -1")
  raises_exactly(function() nn.MultiHeadAttention { num_heads = 2, key_dim = 2, output_shape = { 2, "a" } } end,
                 "MultiHeadAttention: output_shape must be a positive integer or a list of them, got string \"a\"")
  raises_exactly(function() nn.MultiHeadAttention(2, 3, { key_dim = 3 }) end,
                 "MultiHeadAttention: num_heads and key_dim are given twice (as arguments and as options)")
  raises_exactly(function() nn.MultiHeadAttention { num_heads = 2, key_dim = 2, attention_axes = 1 } end,
                 "MultiHeadAttention: unknown option 'attention_axes' (known: bias_initializer, dropout, kernel_initializer, key_dim, name, num_heads, output_shape, use_bias, value_dim)")
  t.raises(function() nn.MultiHeadAttention { num_heads = 2, key_dim = 2, kernel_initializer = "nope" } end,
           "MultiHeadAttention 'multi_head_attention")
end)

t.test("call errors name the layer and the shapes", function()
  nn.clear_session()
  local q, v = tensor.randn(2, 4, 3), tensor.randn(2, 5, 3)
  local a = nn.Attention()
  raises_exactly(function() a(q) end,
                 "Attention 'attention': must be called on a list of inputs, namely {query, value} or {query, value, key}; got a tensor of shape (2, 4, 3)")
  raises_exactly(function() a({ q }) end,
                 "Attention 'attention': accepts a list of 2 or 3 inputs, namely {query, value} or {query, value, key}; got 1")
  raises_exactly(function() a({ q, v, v, v }) end,
                 "Attention 'attention': accepts a list of 2 or 3 inputs, namely {query, value} or {query, value, key}; got 4")
  raises_exactly(function() a({ q, 3 }) end,
                 "Attention 'attention': the value (input 2) must be a tensor, got 3")
  raises_exactly(function() a({ q, tensor.randn(2, 5) }) end,
                 "Attention 'attention': the value must have rank 3 (batch, time, features), got shape (2, 5)")
  raises_exactly(function() a({ q, tensor.randn(2, 5, 2) }) end,
                 "Attention 'attention': query and value must have the same number of features, got query shape (2, 4, 3) and value shape (2, 5, 2)")
  raises_exactly(function() a({ q, tensor.randn(2, 5, 2), tensor.randn(2, 5, 4) }) end,
                 "Attention 'attention': query and key must have the same number of features, got query shape (2, 4, 3) and key shape (2, 5, 4)")
  raises_exactly(function() a({ q, v, tensor.randn(2, 6, 3) }) end,
                 "Attention 'attention': key and value must have the same batch size and time steps, got value shape (2, 5, 3) and key shape (2, 6, 3)")
  raises_exactly(function() a({ q, tensor.randn(3, 5, 3) }) end,
                 "Attention 'attention': query and value must have the same batch size, got query shape (2, 4, 3) and value shape (3, 5, 3)")
  raises_exactly(function() a({ q, v }, { mask = tensor.ones(2, 5) }) end,
                 "Attention 'attention': mask must be a list, namely {query_mask, value_mask}; got a tensor of shape (2, 5)")
  raises_exactly(function() a({ q, v }, { mask = { tensor.ones(2, 4) } }) end,
                 "Attention 'attention': mask must be a list of length 2 or 3, namely {query_mask, value_mask} (None for a missing one); got length 1")
  raises_exactly(function() a({ q, v }, { mask = { None, tensor.ones(2, 4) } }) end,
                 "Attention 'attention': value_mask must have shape (batch, time) = (2, 5) to match the value of shape (2, 5, 3), got (2, 4)")
  raises_exactly(function() a({ q, v }, { mask = { tensor.ones(2, 5), None } }) end,
                 "Attention 'attention': query_mask must have shape (batch, time) = (2, 4) to match the query of shape (2, 4, 3), got (2, 5)")
  raises_exactly(function() a({ q, v }, { mask = { "yes", None } }) end,
                 "Attention 'attention': query_mask must be a tensor of 0/1 (batch, time), got string \"yes\"")
  raises_exactly(function() a({ q, v }, { use_causal_mask = 1 }) end,
                 "Attention 'attention': use_causal_mask must be true or false, got 1")
  raises_exactly(function() a({ q, v }, { attention_mask = 1 }) end,
                 "Attention 'attention': unknown option 'attention_mask' (known: mask, return_attention_scores, training, use_causal_mask)")
  -- a mask given as nested numbers works
  local out = a({ q, v }, { mask = { { { 1, 1, 1, 0 }, { 1, 1, 1, 1 } }, None } })
  t.near(out:select(0, 0):select(0, 3), tensor.zeros(3), 0)

  local ad = nn.AdditiveAttention()
  ad({ q, v })
  raises_exactly(function() ad({ tensor.randn(2, 4, 2), tensor.randn(2, 5, 2) }) end,
                 "AdditiveAttention 'additive_attention': was built for queries of 3 features, got query shape (2, 4, 2)")

  local m = nn.MultiHeadAttention { num_heads = 2, key_dim = 3 }
  raises_exactly(function() m(q) end,
                 "MultiHeadAttention 'multi_head_attention': expected {query, value} or {query, value, key} (for self-attention {x, x}); got a tensor of shape (2, 4, 3)")
  raises_exactly(function() m({ q, v, tensor.randn(2, 6, 3) }) end,
                 "MultiHeadAttention 'multi_head_attention': all dimensions of value and key except the last one must be equal, got value shape (2, 5, 3) and key shape (2, 6, 3)")
  raises_exactly(function() m({ q, tensor.randn(3, 5, 3) }) end,
                 "MultiHeadAttention 'multi_head_attention': query, value and key must have the same batch size, got query shape (2, 4, 3), value shape (3, 5, 3) and key shape (3, 5, 3)")
  raises_exactly(function() m({ q, v }, { attention_mask = tensor.ones(2, 5, 4) }) end,
                 "MultiHeadAttention 'multi_head_attention': attention_mask must have shape (batch, Tq, Tv) = (2, 4, 5), got (2, 5, 4)")
  raises_exactly(function() m({ q, v }, { attention_mask = tensor.ones(5) }) end,
                 "MultiHeadAttention 'multi_head_attention': attention_mask must have shape (batch, Tq, Tv) = (2, 4, 5), got (5,)")
  raises_exactly(function() m({ q, v }, { query_mask = tensor.ones(2, 4) }) end,
                 "MultiHeadAttention 'multi_head_attention': Keras 3 ignores an explicit query_mask and reads the query's own Keras mask; mask the query (Embedding mask_zero=true, Masking) or use attention_mask")
  raises_exactly(function() m({ q, v }, { value_mask = tensor.ones(2, 4) }) end,
                 "MultiHeadAttention 'multi_head_attention': value_mask must have shape (batch, time) = (2, 5) to match the value of shape (2, 5, 3), got (2, 4)")
  raises_exactly(function() m({ q, v }, { mask = { None, None } }) end,
                 "MultiHeadAttention 'multi_head_attention': unknown option 'mask' (known: attention_mask, key_mask, query_mask, return_attention_scores, training, use_causal_mask, value_mask)")
  m({ q, v })
  raises_exactly(function() m({ tensor.randn(2, 4, 5), v }) end,
                 "MultiHeadAttention 'multi_head_attention': was built for a query of 3 features, got query shape (2, 4, 5)")
  raises_exactly(function() m({ q, v }, {}, 3) end,
                 "MultiHeadAttention 'multi_head_attention': unexpected argument 3 (3) after the list of inputs and the options")
  raises_exactly(function() nn.MultiHeadAttention(1, 2)({ nn.Input { None, None }, v }) end,
                 "MultiHeadAttention 'multi_head_attention_1': the features axis of the query must be known, got shape (None, None, None)")
end)

t.test("MultiHeadAttention's positional call: layer(query, value[, key][, options])", function()
  nn.seed(9)
  local q, v, k = tensor.randn(2, 4, 3), tensor.randn(2, 5, 3), tensor.randn(2, 5, 2)
  local m = nn.MultiHeadAttention(2, 3)
  local y1, w1 = m({ q, v, k }, { use_causal_mask = true, return_attention_scores = true })
  local y2, w2 = m(q, v, k, { use_causal_mask = true, return_attention_scores = true })
  t.near(y2, y1, 0)
  t.near(w2, w1, 0)
  local m2 = nn.MultiHeadAttention(2, 3)
  t.eq(tostring(m2(q, v).shape), "(2, 4, 3)")
  t.eq(tostring(m2({ q, v, v }).shape), "(2, 4, 3)")
  t.near(m2(q, v, v), m2({ q, v }), 0)
end)

print("# worst normwise relative errors:")
for _, line in ipairs(summary) do print(line) end
print(string.format("# overall: values %.2e  gradients %.2e", worst_value, worst_grad))
t.done()
