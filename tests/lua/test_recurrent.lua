-- test_recurrent.lua - nn.GRU, nn.LSTM, nn.SimpleRNN, nn.Bidirectional,
-- nn.Embedding and nn.Masking as Keras's layers: output shapes on real and
-- symbolic inputs, names, weights and their counts, initializers, merge
-- modes, Keras's mask propagation, gradients through the layer API for
-- every option that changes the maths, dropout, and the error messages.
-- (Values against PyTorch are in test_rnn_ref.lua; the kernels' equations
-- in tests/c/test_recurrent.c.)
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local function shape(x) return tostring(x.shape) end
local function same(got, want, what) t.near(got, want, 0, what) end

local function shapes(...)
  local out = {}
  for i = 1, select("#", ...) do out[i] = shape((select(i, ...))) end
  return table.concat(out, " ")
end

local function maxdiff(a, b) return (a - b):abs():max():item() end

-- x reversed along time (axis 1)
local function reverse_time(x) return tensor.slice(x, 1, nil, nil, -1) end

-- ---- the issue's checks --------------------------------------------------

t.test("the issue's check: Bidirectional(GRU(64, return_sequences)) on Input{64, 32} and on data", function()
  nn.clear_session()
  local x = nn.Input({ 64, 32 })
  local bi = nn.Bidirectional(nn.GRU(64, { return_sequences = true }))
  local h = bi(x)
  t.eq(shape(h), "(None, 64, 128)")
  t.eq(tostring(h), "<Symbolic shape=(None, 64, 128) from bidirectional>")
  t.eq(h.symbolic, true)
  t.eq(rawequal(h.node.layer, bi), true)
  t.eq(rawequal(h.node.inputs[1], x), true)
  local y = bi(tensor.randn(2, 64, 32))
  t.eq(shape(y), "(2, 64, 128)")
  t.eq(y.symbolic, false)
  t.eq(bi.name, "bidirectional")
  t.eq(bi.forward_layer.name, "forward_gru")
  t.eq(bi.backward_layer.name, "backward_gru")
  -- Keras: 2 * 3 * 64 * (32 + 64 + 2)
  t.eq(bi:count_params(), 37632)
end)

-- ---- shapes ----------------------------------------------------------------

local CELLS = { GRU = 1, LSTM = 2, SimpleRNN = 1 } -- number of states

t.test("output shapes for return_sequences / return_state / go_backwards on real inputs", function()
  nn.seed(1)
  local x = tensor.randn(2, 5, 4)
  for cls, nstates in pairs(CELLS) do
    for _, seq in ipairs({ false, true }) do
      for _, st in ipairs({ false, true }) do
        for _, back in ipairs({ false, true }) do
          local l = nn[cls](3, { return_sequences = seq, return_state = st,
                                 go_backwards = back })
          local outs = table.pack(l(x))
          local what = string.format("%s seq=%s state=%s back=%s", cls,
                                     tostring(seq), tostring(st), tostring(back))
          t.eq(outs.n, st and 1 + nstates or 1, what .. ": number of results")
          t.eq(shape(outs[1]), seq and "(2, 5, 3)" or "(2, 3)", what)
          for i = 2, outs.n do t.eq(shape(outs[i]), "(2, 3)", what .. " state") end
        end
      end
    end
  end
end)

t.test("output shapes on symbolic inputs, None batch and None time", function()
  for cls, nstates in pairs(CELLS) do
    for _, spec in ipairs({ { { None, 32 }, "None" }, { { 7, 32 }, "7" } }) do
      local x = nn.Input(spec[1])
      local tm = spec[2]
      t.eq(shape(nn[cls](16)(x)), "(None, 16)", cls)
      t.eq(shape(nn[cls](16, { return_sequences = true })(x)),
           "(None, " .. tm .. ", 16)", cls)
      t.eq(shape(nn[cls](16, { return_sequences = true, go_backwards = true })(x)),
           "(None, " .. tm .. ", 16)", cls)
      local outs = table.pack(nn[cls](16, { return_state = true })(x))
      t.eq(outs.n, 1 + nstates, cls)
      for i = 1, outs.n do
        t.eq(shape(outs[i]), "(None, 16)", cls)
        t.eq(outs[i].symbolic, true)
      end
      outs = table.pack(nn[cls](8, { return_sequences = true, return_state = true })(x))
      t.eq(shape(outs[1]), "(None, " .. tm .. ", 8)")
      t.eq(shape(outs[outs.n]), "(None, 8)")
    end
  end
  -- a known batch size stays
  t.eq(shape(nn.GRU(3)(nn.Input({ shape = { 5, 2 }, batch_size = 4 }))), "(4, 3)")
  -- stacked: the second layer reads the first's features
  local x = nn.Input({ None, 32 })
  local h = nn.LSTM(12, { return_sequences = true })(x)
  t.eq(shape(nn.GRU(6)(h)), "(None, 6)")
end)

t.test("a layer built on a symbolic input computes on data with the same weights", function()
  local g = nn.GRU(4, { return_sequences = true })
  g(nn.Input({ None, 3 }))
  t.eq(shape(g.kernel), "(3, 12)")
  local k = g.kernel
  t.eq(shape(g(tensor.randn(2, 6, 3))), "(2, 6, 4)")
  t.eq(rawequal(g.kernel, k), true)
end)

t.test("the pieces of the result are consistent: last output, states, sequence", function()
  nn.seed(2)
  local x = tensor.randn(2, 5, 3)
  for cls, nstates in pairs(CELLS) do
    local l = nn[cls](4, { return_sequences = true, return_state = true })
    local outs = table.pack(l(x))
    local seq, h = outs[1], outs[2]
    -- unmasked: the last output is the last step of the sequence and h
    same(h, tensor.select(seq, 1, -1), cls .. " h")
    local last = nn[cls](4, { return_state = true })
    last(x)
    last:set_weights(l:get_weights())
    local louts = table.pack(last(x))
    same(louts[1], tensor.select(seq, 1, -1), cls .. " last output")
    for i = 2, nstates + 1 do same(louts[i], outs[i], cls .. " state") end
    if cls == "LSTM" then
      -- c is not h
      t.truthy(maxdiff(outs[3], outs[2]) > 1e-3, "c differs from h")
    end
  end
end)

t.test("go_backwards is the forward layer on the reversed sequence, outputs in processing order", function()
  nn.seed(3)
  local x = tensor.randn(2, 5, 3)
  for cls in pairs(CELLS) do
    local f = nn[cls](4, { return_sequences = true })
    local b = nn[cls](4, { return_sequences = true, go_backwards = true })
    f(x); b(x)
    b:set_weights(f:get_weights())
    t.near(b(x), f(reverse_time(x)), 1e-6, cls)
    t.truthy(maxdiff(b(x), f(x)) > 1e-3, cls .. ": go_backwards changes something")
  end
end)

-- ---- names -----------------------------------------------------------------

t.test("names as Keras gives them; clear_session starts again", function()
  nn.clear_session()
  t.eq(nn.GRU(2).name, "gru")
  t.eq(nn.GRU(2).name, "gru_1")
  t.eq(nn.LSTM(2).name, "lstm")
  t.eq(nn.SimpleRNN(2).name, "simple_rnn")
  t.eq(nn.SimpleRNN(2).name, "simple_rnn_1")
  t.eq(nn.Embedding(5, 2).name, "embedding")
  t.eq(nn.Masking().name, "masking")
  t.eq(nn.GRU(2, { name = "encoder" }).name, "encoder")
  t.eq(nn.GRU(2).name, "gru_2")
  local bi = nn.Bidirectional(nn.LSTM(3))
  t.eq(bi.name, "bidirectional")
  t.eq(bi.forward_layer.name, "forward_lstm_1")
  t.eq(bi.backward_layer.name, "backward_lstm_1")
  t.eq(nn.Bidirectional(nn.GRU(2), { name = "bi" }).name, "bi")
  nn.clear_session()
  local b2 = nn.Bidirectional(nn.GRU(2))
  t.eq(b2.name, "bidirectional")
  t.eq(b2.forward_layer.name, "forward_gru")
  t.eq(b2.backward_layer.name, "backward_gru")
  t.eq(b2.forward_layer.go_backwards, false)
  t.eq(b2.backward_layer.go_backwards, true)
  t.eq(nn.Bidirectional(nn.SimpleRNN(2)).forward_layer.name, "forward_simple_rnn")
  -- the copies take their names from the wrapped layer, not the counter
  t.eq(nn.GRU(2).name, "gru_1")
  t.eq(nn.Bidirectional(nn.GRU(2)).name, "bidirectional_2")
end)

-- ---- weights ---------------------------------------------------------------

local function weight_shapes(l)
  local s = {}
  for i, w in ipairs(l.weights) do s[i] = l.weight_names[i] .. shape(w) end
  return table.concat(s, " ")
end

t.test("weight shapes and count_params as Keras counts them", function()
  local D, U = 32, 64
  local x = tensor.zeros(1, 2, D)
  local g = nn.GRU(U); g(x)
  t.eq(weight_shapes(g), "kernel(32, 192) recurrent_kernel(64, 192) bias(2, 192)")
  t.eq(g:count_params(), 3 * U * (D + U + 2))
  t.eq(g:count_params(), 18816)
  local g0 = nn.GRU(U, { reset_after = false }); g0(x)
  t.eq(weight_shapes(g0), "kernel(32, 192) recurrent_kernel(64, 192) bias(192,)")
  t.eq(g0:count_params(), 3 * U * (D + U + 1))
  local gn = nn.GRU(U, { use_bias = false }); gn(x)
  t.eq(weight_shapes(gn), "kernel(32, 192) recurrent_kernel(64, 192)")
  t.eq(gn:count_params(), 3 * U * (D + U))
  local l = nn.LSTM(U); l(x)
  t.eq(weight_shapes(l), "kernel(32, 256) recurrent_kernel(64, 256) bias(256,)")
  t.eq(l:count_params(), 4 * U * (D + U + 1))
  t.eq(l:count_params(), 24832)
  local s = nn.SimpleRNN(U); s(x)
  t.eq(weight_shapes(s), "kernel(32, 64) recurrent_kernel(64, 64) bias(64,)")
  t.eq(s:count_params(), U * (D + U + 1))
  t.eq(s:count_params(), 6208)
  for _, inner in ipairs({ nn.GRU(U), nn.GRU(U, { reset_after = false }),
                           nn.LSTM(U), nn.SimpleRNN(U) }) do
    local bi = nn.Bidirectional(inner)
    bi(x)
    local one = inner:copy()
    one(x)
    t.eq(bi:count_params(), 2 * one:count_params(), inner.class_name)
    t.eq(#bi.weights, 6)
  end
  local e = nn.Embedding(1000, 64)
  e(tensor.zeros(2, 3))
  t.eq(weight_shapes(e), "embeddings(1000, 64)")
  t.eq(e:count_params(), 64000)
  -- built on a symbolic input: the same counts
  local gs = nn.GRU(U)
  gs(nn.Input({ None, D }))
  t.eq(gs:count_params(), 18816)
  local bs = nn.Bidirectional(nn.GRU(U, { return_sequences = true }))
  bs(nn.Input({ 64, D }))
  t.eq(bs:count_params(), 37632)
  t.eq(nn.Masking():count_params(), 0)
end)

t.test("get_weights / set_weights: kernel, recurrent_kernel, bias; Bidirectional forward then backward", function()
  nn.clear_session()
  local x = tensor.zeros(1, 2, 3)
  local bi = nn.Bidirectional(nn.GRU(2, { reset_after = false }))
  bi(x)
  local names = table.concat(bi.weight_names, " ")
  t.eq(names, "forward_gru/kernel forward_gru/recurrent_kernel forward_gru/bias " ..
       "backward_gru/kernel backward_gru/recurrent_kernel backward_gru/bias")
  local w = bi:get_weights()
  t.eq(#w, 6)
  t.eq(shapes(table.unpack(w)), "(3, 6) (2, 6) (6,) (3, 6) (2, 6) (6,)")
  -- the copies are the layers' weights
  same(w[1], bi.forward_layer.kernel)
  same(w[5], bi.backward_layer.recurrent_kernel)
  -- set_weights in that order reaches the right layer
  local vals = {}
  for i, v in ipairs(w) do vals[i] = tensor.full(v.shape, i / 10) end
  bi:set_weights(vals)
  same(bi.forward_layer.kernel, tensor.full({ 3, 6 }, 0.1))
  same(bi.forward_layer.bias, tensor.full({ 6 }, 0.3))
  same(bi.backward_layer.kernel, tensor.full({ 3, 6 }, 0.4))
  same(bi.backward_layer.bias, tensor.full({ 6 }, 0.6))
  t.raises(function() bi:set_weights({ vals[1] }) end,
           "Bidirectional 'bidirectional': set_weights expected 6 arrays, got 1")
  t.raises(function()
    bi:set_weights({ vals[1], vals[2], vals[3], vals[1], vals[1], vals[6] })
  end, "weight 5 (backward_gru/recurrent_kernel) has shape (2, 6), got (3, 6)")
  -- a round trip through another layer gives the same outputs
  local l = nn.LSTM(3); l(tensor.randn(2, 4, 5))
  local l2 = nn.LSTM(3); l2(tensor.randn(2, 4, 5))
  l2:set_weights(l:get_weights())
  local xx = tensor.randn(2, 4, 5)
  same(l2(xx), l(xx))
end)

-- A one-unit cell by hand, in Keras's layout; x is a list of steps, each a
-- list of D numbers. Returns the list of h after each step.
local function sig(v) return 1 / (1 + math.exp(-v)) end
local function dot(a, b) local s = 0 for i = 1, #a do s = s + a[i] * b[i] end return s end

local function gru_by_hand(x, k, r, b, reset_after)
  -- k: D rows of {z, r, h}; r: {z, r, h}; b: {{z, r, h}, {z, r, h}} or {z, r, h}
  local h, out = 0, {}
  local bi = reset_after and b[1] or b
  local col = function(j) local c = {} for d = 1, #k do c[d] = k[d][j] end return c end
  for _, xt in ipairs(x) do
    local xz, xr, xh = dot(xt, col(1)) + bi[1], dot(xt, col(2)) + bi[2], dot(xt, col(3)) + bi[3]
    local z, hh
    if reset_after then
      z = sig(xz + h * r[1] + b[2][1])
      local rr = sig(xr + h * r[2] + b[2][2])
      hh = math.tanh(xh + rr * (h * r[3] + b[2][3]))
    else
      z = sig(xz + h * r[1])
      local rr = sig(xr + h * r[2])
      hh = math.tanh(xh + (rr * h) * r[3])
    end
    h = z * h + (1 - z) * hh
    out[#out + 1] = h
  end
  return out
end

t.test("set_weights takes Keras's layout: a one-unit GRU by hand, both modes", function()
  local x = { { 0.5, -1 }, { 0.25, 0.75 }, { -0.4, 0.1 } }
  local k = { { 0.1, -0.2, 0.3 }, { 0.7, 0.2, -0.1 } }
  local r = { 0.5, -0.6, 0.8 }
  local b2 = { { 0.1, -0.1, 0.05 }, { -0.2, 0.15, 0.3 } }
  local b1 = { 0.1, -0.1, 0.05 }
  for _, ra in ipairs({ true, false }) do
    local g = nn.GRU(1, { return_sequences = true, reset_after = ra })
    g(tensor.zeros(1, 3, 2))
    g:set_weights({ k, { r }, ra and b2 or b1 })
    local want = gru_by_hand(x, k, r, ra and b2 or b1, ra)
    t.near(g(tensor.from({ x }))[0]:reshape(3), want, 1e-6, "reset_after=" .. tostring(ra))
  end
end)

t.test("set_weights takes Keras's layout: one-unit LSTM (i, f, c, o) and SimpleRNN by hand", function()
  local x = { { 0.5, -1 }, { 0.25, 0.75 }, { -0.4, 0.1 } }
  -- LSTM: columns i, f, c, o
  local k = { { 0.1, -0.2, 0.3, 0.6 }, { 0.7, 0.2, -0.1, -0.3 } }
  local r = { 0.5, -0.6, 0.8, 0.2 }
  local b = { 0.1, 1.0, 0.05, -0.1 }
  local l = nn.LSTM(1, { return_sequences = true, return_state = true })
  l(tensor.zeros(1, 3, 2))
  l:set_weights({ k, { r }, b })
  local h, c, hs = 0, 0, {}
  for _, xt in ipairs(x) do
    local a = {}
    for j = 1, 4 do a[j] = xt[1] * k[1][j] + xt[2] * k[2][j] + h * r[j] + b[j] end
    c = sig(a[2]) * c + sig(a[1]) * math.tanh(a[3])
    h = sig(a[4]) * math.tanh(c)
    hs[#hs + 1] = h
  end
  local seq, hT, cT = l(tensor.from({ x }))
  t.near(seq[0]:reshape(3), hs, 1e-6, "LSTM outputs")
  t.near(hT, { { h } }, 1e-6, "LSTM h")
  t.near(cT, { { c } }, 1e-6, "LSTM c")
  -- SimpleRNN: h = tanh(x k + h r + b)
  local s = nn.SimpleRNN(1, { return_sequences = true })
  s(tensor.zeros(1, 3, 2))
  s:set_weights({ { { 0.6 }, { -0.4 } }, { { 0.9 } }, { 0.2 } })
  local hh, want = 0, {}
  for _, xt in ipairs(x) do
    hh = math.tanh(xt[1] * 0.6 - xt[2] * 0.4 + hh * 0.9 + 0.2)
    want[#want + 1] = hh
  end
  t.near(s(tensor.from({ x }))[0]:reshape(3), want, 1e-6, "SimpleRNN")
end)

-- ---- initializers ------------------------------------------------------------

t.test("LSTM's forget bias starts at one (unit_forget_bias)", function()
  local x = tensor.zeros(1, 2, 3)
  local l = nn.LSTM(3); l(x)
  same(l.bias, { 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 })
  local n = nn.LSTM(3, { unit_forget_bias = false }); n(x)
  same(n.bias, tensor.zeros(12))
  local o = nn.LSTM(2, { bias_initializer = "ones" }); o(x)
  same(o.bias, tensor.ones(8))
  t.eq(l.bias.requires_grad, true)
  t.eq(l.bias.is_leaf, true)
  -- and in both directions of a Bidirectional
  local bi = nn.Bidirectional(nn.LSTM(2)); bi(x)
  same(bi.forward_layer.bias, { 0, 0, 1, 1, 0, 0, 0, 0 })
  same(bi.backward_layer.bias, { 0, 0, 1, 1, 0, 0, 0, 0 })
end)

local function near_identity(m, n, what)
  t.near(m, tensor.eye(n), 1e-5, what)
end

t.test("recurrent kernels are orthogonal: R R^T = I for (U, G*U), and R^T R too when square", function()
  nn.seed(11)
  local x = tensor.zeros(1, 2, 5)
  local U = 6
  local g = nn.GRU(U); g(x)
  local R = g.recurrent_kernel
  near_identity(tensor.matmul(R, R:transpose()), U, "GRU R R^T")
  -- R^T R is (18, 18) of rank 6: a projection, not the identity
  local P = tensor.matmul(R:transpose(), R)
  t.near(tensor.matmul(P, P), P, 1e-5, "GRU R^T R is a projection")
  t.truthy(maxdiff(P, tensor.eye(3 * U)) > 0.5, "GRU R^T R is not the identity")
  local l = nn.LSTM(U); l(x)
  local L = l.recurrent_kernel
  near_identity(tensor.matmul(L, L:transpose()), U, "LSTM R R^T")
  local s = nn.SimpleRNN(U); s(x)
  local S = s.recurrent_kernel
  near_identity(tensor.matmul(S, S:transpose()), U, "SimpleRNN R R^T")
  near_identity(tensor.matmul(S:transpose(), S), U, "SimpleRNN R^T R")
  -- random: two layers differ
  local g2 = nn.GRU(U); g2(x)
  t.truthy(maxdiff(g2.recurrent_kernel, R) > 1e-2, "two orthogonal draws differ")
end)

t.test("kernels are glorot_uniform and biases zeros by default", function()
  nn.seed(12)
  local D, U = 40, 20
  local g = nn.GRU(U); g(tensor.zeros(1, 2, D))
  local limit = math.sqrt(6 / (D + 3 * U))
  t.truthy(g.kernel:max():item() <= limit and g.kernel:min():item() >= -limit,
           "kernel within the glorot limit")
  t.truthy(g.kernel:max():item() > 0.9 * limit, "kernel fills the glorot range")
  same(g.bias, tensor.zeros(2, 3 * U))
  local z = nn.GRU(2, { kernel_initializer = "zeros", recurrent_initializer = "zeros" })
  z(tensor.zeros(1, 2, 3))
  same(z.kernel, tensor.zeros(3, 6))
  same(z.recurrent_kernel, tensor.zeros(2, 6))
end)

-- ---- Bidirectional -------------------------------------------------------------

t.test("each merge mode: its shape and its relation to the two directions", function()
  nn.seed(4)
  local x = tensor.randn(2, 4, 3)
  for _, seq in ipairs({ true, false }) do
    for _, mode in ipairs({ "concat", "sum", "ave", "mul" }) do
      local bi = nn.Bidirectional(nn.GRU(5, { return_sequences = seq }),
                                  { merge_mode = mode })
      local y = bi(x)
      local f = bi.forward_layer(x)
      local b = bi.backward_layer(x)
      if seq then b = reverse_time(b) end -- back to time order
      local want
      if mode == "concat" then want = tensor.concat({ f, b }, -1)
      elseif mode == "sum" then want = f + b
      elseif mode == "ave" then want = (f + b) * 0.5
      else want = f * b end
      local what = mode .. " seq=" .. tostring(seq)
      t.eq(shape(y), (seq and "(2, 4, " or "(2, ") .. (mode == "concat" and "10)" or "5)"), what)
      t.near(y, want, 1e-6, what)
      t.truthy(maxdiff(f, b) > 1e-3, what .. ": the two directions differ")
      -- symbolic
      local ys = bi(nn.Input({ None, 3 }))
      t.eq(shape(ys), (seq and "(None, None, " or "(None, ") .. (mode == "concat" and "10)" or "5)"), what)
    end
  end
end)

t.test("the backward direction of Bidirectional reads the sequence reversed", function()
  nn.seed(5)
  local x = tensor.randn(2, 4, 3)
  local bi = nn.Bidirectional(nn.LSTM(3, { return_sequences = true }), { merge_mode = None })
  local _, yb = bi(x)
  local plain = nn.LSTM(3, { return_sequences = true })
  plain(x)
  local w = bi:get_weights()
  plain:set_weights({ w[4], w[5], w[6] })
  -- in time order: the forward LSTM on the reversed input, reversed back
  t.near(yb, reverse_time(plain(reverse_time(x))), 1e-6)
end)

t.test("merge_mode=None returns the two directions; with return_state, forward states then backward", function()
  nn.seed(6)
  local x = tensor.randn(2, 4, 3)
  local bi = nn.Bidirectional(nn.GRU(5, { return_sequences = true }), { merge_mode = None })
  local outs = table.pack(bi(x))
  t.eq(outs.n, 2)
  t.eq(shapes(outs[1], outs[2]), "(2, 4, 5) (2, 4, 5)")
  same(outs[1], bi.forward_layer(x))
  same(outs[2], reverse_time(bi.backward_layer(x)))
  local sym = table.pack(bi(nn.Input({ 7, 3 })))
  t.eq(shapes(sym[1], sym[2]), "(None, 7, 5) (None, 7, 5)")
  -- the string "none" too
  t.eq(table.pack(nn.Bidirectional(nn.GRU(2), { merge_mode = "none" })(x)).n, 2)

  local bl = nn.Bidirectional(nn.LSTM(4, { return_state = true }))
  local o = table.pack(bl(x))
  t.eq(o.n, 5)
  t.eq(shapes(table.unpack(o, 1, o.n)), "(2, 8) (2, 4) (2, 4) (2, 4) (2, 4)")
  local f = table.pack(bl.forward_layer(x))
  local b = table.pack(bl.backward_layer(x))
  same(o[1], tensor.concat({ f[1], b[1] }, -1))
  same(o[2], f[2]); same(o[3], f[3]); same(o[4], b[2]); same(o[5], b[3])
  local on = table.pack(nn.Bidirectional(nn.GRU(4, { return_state = true }),
                                         { merge_mode = None })(x))
  t.eq(on.n, 4)
  local os = table.pack(bl(nn.Input({ None, 3 })))
  t.eq(shapes(table.unpack(os, 1, os.n)),
       "(None, 8) (None, 4) (None, 4) (None, 4) (None, 4)")
end)

t.test("Bidirectional initial_state: forward states then backward ones", function()
  nn.seed(7)
  local x = tensor.randn(2, 3, 3)
  local bi = nn.Bidirectional(nn.LSTM(2), { merge_mode = None })
  local s = {}
  for i = 1, 4 do s[i] = tensor.randn(2, 2) end
  local yf, yb = bi(x, { initial_state = s })
  same(yf, bi.forward_layer(x, { initial_state = { s[1], s[2] } }))
  same(yb, bi.backward_layer(x, { initial_state = { s[3], s[4] } }))
  t.truthy(maxdiff(yf, bi.forward_layer(x)) > 1e-4, "the initial state is used")
  t.raises(function() bi(x, { initial_state = { s[1], s[2] } }) end,
           "Bidirectional 'bidirectional")
  t.raises(function() bi(x, { initial_state = { s[1], s[2] } }) end,
           "initial_state must hold 4 tensors (forward states, then backward)")
end)

t.test("a backward_layer of one's own", function()
  nn.clear_session()
  local x = tensor.randn(2, 3, 3)
  local back = nn.GRU(4, { go_backwards = true, name = "rev" })
  local bi = nn.Bidirectional(nn.GRU(4), { backward_layer = back })
  t.eq(rawequal(bi.backward_layer, back), true)
  t.eq(shape(bi(x)), "(2, 8)")
  t.eq(bi.weight_names[4], "rev/kernel")
  t.raises(function() nn.Bidirectional(nn.GRU(4), { backward_layer = nn.GRU(4) }) end,
           "Bidirectional: backward_layer must have go_backwards=true")
  t.raises(function() nn.Bidirectional(nn.GRU(4), { backward_layer = nn.Dense(4) }) end,
           "Bidirectional: backward_layer must be a recurrent layer")
end)

t.test("Bidirectional's weights option is applied (Keras: initial weights, forward half first) or refused", function()
  -- an option that is accepted must not be dropped silently
  local vals = {}
  local shapes_ = { { 3, 6 }, { 2, 6 }, { 2, 6 }, { 3, 6 }, { 2, 6 }, { 2, 6 } }
  for i, sh in ipairs(shapes_) do vals[i] = tensor.full(sh, i / 10) end
  local ok, bi = pcall(nn.Bidirectional, nn.GRU(2), { weights = vals })
  if not ok then
    t.truthy(tostring(bi):find("unknown option 'weights'", 1, true), tostring(bi))
    return
  end
  bi(tensor.zeros(1, 2, 3))
  local got = bi:get_weights()
  for i = 1, 6 do same(got[i], vals[i], "weight " .. i) end
end)

-- ---- masks -------------------------------------------------------------------

t.test("Embedding(mask_zero) -> GRU(return_sequences) keeps the mask; GRU(last) drops it", function()
  nn.seed(8)
  local ids = tensor.from({ { 3, 1, 4, 0, 0 }, { 2, 7, 0, 0, 0 } })
  local emb = nn.Embedding(10, 4, { mask_zero = true })
  local e = emb(ids)
  t.eq(shape(e), "(2, 5, 4)")
  same(e.mask, { { 1, 1, 1, 0, 0 }, { 1, 1, 0, 0, 0 } })
  local h = nn.GRU(3, { return_sequences = true })(e)
  same(h.mask, { { 1, 1, 1, 0, 0 }, { 1, 1, 0, 0, 0 } })
  local last = nn.GRU(3)(h)
  t.eq(last.mask, nil)
  -- a layer that supports masking passes it on
  same(nn.Dense(2)(h).mask, h.mask)
  -- no mask_zero, no mask
  t.eq(nn.Embedding(10, 4)(ids).mask, nil)
  t.eq(nn.GRU(3, { return_sequences = true })(nn.Embedding(10, 4)(ids)).mask, nil)
  -- return_state: the sequence has the mask, the states do not
  local o, st = nn.GRU(3, { return_sequences = true, return_state = true })(e)
  same(o.mask, e.mask)
  t.eq(st.mask, nil)
  -- Bidirectional with return_sequences passes it on, without drops it
  same(nn.Bidirectional(nn.GRU(2, { return_sequences = true }))(e).mask, e.mask)
  t.eq(nn.Bidirectional(nn.GRU(2))(e).mask, nil)
  -- symbolically too
  local se = emb(nn.Input({ None }))
  t.eq(shape(se), "(None, None, 4)")
  t.eq(shape(se.mask), "(None, None)")
  t.eq(shape(nn.GRU(3, { return_sequences = true })(se).mask), "(None, None)")
  t.eq(nn.GRU(3)(se).mask, nil)
end)

t.test("Bidirectional with merge_mode=None: both outputs carry the mask", function()
  -- Keras's Bidirectional.compute_mask returns [mask, mask] here
  local e = nn.Embedding(10, 4, { mask_zero = true })(tensor.from({ { 3, 1, 0 } }))
  local yf, yb = nn.Bidirectional(nn.GRU(2, { return_sequences = true }),
                                  { merge_mode = None })(e)
  same(yf.mask, { { 1, 1, 0 } }, "forward output's mask")
  t.truthy(yb.mask ~= nil, "the backward output has no mask")
  same(yb.mask, { { 1, 1, 0 } }, "backward output's mask")
end)

t.test("Masking: masks steps that all equal mask_value and zeroes them", function()
  local x = tensor.from({ { { 1, 2 }, { 0, 0 }, { 3, 0 } }, { { 0, 0 }, { 5, 5 }, { 5, 5 } } })
  local y = nn.Masking()(x)
  same(y.mask, { { 1, 0, 1 }, { 0, 1, 1 } })
  same(y, x)
  local y5 = nn.Masking({ mask_value = 5 })(x)
  same(y5.mask, { { 1, 1, 1 }, { 1, 0, 0 } })
  same(y5, { { { 1, 2 }, { 0, 0 }, { 3, 0 } }, { { 0, 0 }, { 0, 0 }, { 0, 0 } } })
  local s = nn.Masking()(nn.Input({ 7, 3 }))
  t.eq(shape(s), "(None, 7, 3)")
  t.eq(shape(s.mask), "(None, 7)")
  t.raises(function() nn.Masking({ mask_value = "a" }) end,
           "Masking: mask_value must be a number")
  t.raises(function() nn.Masking()(tensor.ones(3)) end,
           "Masking 'masking")
  t.raises(function() nn.Masking()(tensor.ones(3)) end,
           "expected input of rank >= 2")
end)

t.test("a padded sequence gives what the unpadded one gives: last step of trailing padding", function()
  nn.seed(9)
  local real = tensor.randn(1, 3, 4)
  local padded = tensor.concat({ real, tensor.zeros(1, 2, 4) }, 1)
  for cls in pairs(CELLS) do
    for _, back in ipairs({ false, true }) do
      local l = nn[cls](3, { go_backwards = back, return_state = true })
      local a = table.pack(l(real))
      local b = table.pack(l(nn.Masking()(padded)))
      for i = 1, a.n do
        t.near(b[i], a[i], 1e-6, cls .. " back=" .. tostring(back) .. " result " .. i)
      end
    end
    -- the whole sequence: masked steps repeat the last real output
    local s = nn[cls](3, { return_sequences = true })
    local ys = s(nn.Masking()(padded))
    local yr = s(real)
    t.near(tensor.slice(ys, 1, 0, 3), yr, 1e-6, cls)
    t.near(tensor.select(ys, 1, 3), tensor.select(yr, 1, 2), 1e-6, cls)
    t.near(tensor.select(ys, 1, 4), tensor.select(yr, 1, 2), 1e-6, cls)
  end
  -- Bidirectional too, as the last output
  local bi = nn.Bidirectional(nn.GRU(3))
  t.near(bi(nn.Masking()(padded)), bi(real), 1e-6, "Bidirectional")
end)

t.test("an explicit mask, leading padding, and Bidirectional's zeros at masked steps", function()
  nn.seed(10)
  local x = tensor.randn(2, 4, 3)
  local mask = tensor.from({ { 0, 1, 1, 1 }, { 1, 1, 0, 0 } })
  local g = nn.GRU(2, { return_sequences = true })
  local y = g(x, { mask = mask })
  same(y.mask, mask)
  -- leading padding: zeros until the first real step
  same(tensor.select(y, 1, 0)[0], { 0, 0 })
  t.truthy(maxdiff(tensor.select(y, 1, 1)[0], tensor.zeros(2)) > 1e-4)
  -- trailing padding: the last real output repeated
  same(tensor.select(y, 1, 3)[1], tensor.select(y, 1, 1)[1])
  -- Bidirectional with return_sequences: zeros at masked steps, each direction
  local bi = nn.Bidirectional(nn.GRU(2, { return_sequences = true }), { merge_mode = None })
  local yf, yb = bi(x, { mask = mask })
  for _, v in ipairs({ yf, yb }) do
    same(tensor.select(v, 1, 0)[0], { 0, 0 })
    same(tensor.select(v, 1, 2)[1], { 0, 0 })
    same(tensor.select(v, 1, 3)[1], { 0, 0 })
  end
  -- the mask given beats the input's own
  local e = nn.Embedding(5, 3, { mask_zero = true })(tensor.from({ { 1, 0 } }))
  same(nn.GRU(2, { return_sequences = true })(e, { mask = tensor.ones(1, 2) }).mask, { { 1, 1 } })
end)

-- ---- Embedding ------------------------------------------------------------------

t.test("Embedding looks rows up; its gradient reaches the table only", function()
  local e = nn.Embedding(4, 2)
  e(tensor.zeros(1, 1))
  e:set_weights({ { { 0, 0.5 }, { 1, 1.5 }, { 2, 2.5 }, { 3, 3.5 } } })
  local ids = tensor.from({ { 2, 0, 2 } })
  local y = e(ids)
  same(y, { { { 2, 2.5 }, { 0, 0.5 }, { 2, 2.5 } } })
  y:sum():backward()
  same(e.embeddings.grad, { { 1, 1 }, { 0, 0 }, { 2, 2 }, { 0, 0 } })
  t.eq(ids.grad, nil)
  local passed, worst = tensor.gradcheck(function() return e(ids) end,
                                         { e.embeddings })
  t.eq(passed, true, "gradcheck " .. tostring(worst))
  t.raises(function() e(tensor.from({ { 1, 4 } })) end,
           "Embedding 'embedding")
  t.raises(function() e(tensor.from({ { 1, 4 } })) end,
           "input 1 is 4, not an integer in [0, 4) (input_dim is 4)")
end)

t.test("Embedding's errors name the argument", function()
  t.raises(function() nn.Embedding(0, 3) end, "Embedding: input_dim must be a positive integer, got 0")
  t.raises(function() nn.Embedding(10, -1) end, "Embedding: output_dim must be a positive integer, got -1")
  t.raises(function() nn.Embedding(10, 3, { foo = 1 }) end, "Embedding: unknown option 'foo'")
end)

-- ---- gradients through the layer API ------------------------------------------

local function check_grad(what, f, inputs)
  local passed, worst = tensor.gradcheck(f, inputs)
  t.truthy(passed, string.format("%s: worst error %g", what, worst))
end

-- every result of a layer call flattened into one tensor
local function flat(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = (select(i, ...)):reshape(-1) end
  return tensor.concat(parts, 0)
end

local MASK = tensor.from({ { 1, 0, 1, 1 }, { 0, 1, 1, 0 } })

t.test("gradcheck through the layer API: every option that changes the maths", function()
  nn.seed(13)
  local n = 0
  for cls, nstates in pairs(CELLS) do
    for _, ra in ipairs(cls == "GRU" and { true, false } or { true }) do
      for _, back in ipairs({ false, true }) do
        for _, masked in ipairs({ false, true }) do
          for _, seq in ipairs({ false, true }) do
            local opts = { go_backwards = back, return_sequences = seq,
                           return_state = true }
            if cls == "GRU" then opts.reset_after = ra end
            local l = nn[cls](2, opts)
            local x = tensor.randn({ 2, 4, 3 }, { requires_grad = true })
            l(x)
            local init = {}
            for i = 1, nstates do init[i] = tensor.randn({ 2, 2 }, { requires_grad = true }) end
            local call = { mask = masked and MASK or nil, initial_state = init }
            local inputs = { x, table.unpack(l.weights) }
            for i = 1, nstates do inputs[#inputs + 1] = init[i] end
            check_grad(string.format("%s reset_after=%s back=%s mask=%s seq=%s", cls,
                                     tostring(ra), tostring(back), tostring(masked),
                                     tostring(seq)),
                       function() return flat(l(x, call)) end, inputs)
            n = n + 1
          end
        end
      end
    end
  end
  t.eq(n, 32)
end)

t.test("gradcheck through Bidirectional: each merge mode, masks, return_sequences, return_state", function()
  nn.seed(14)
  for _, mode in ipairs({ "concat", "sum", "ave", "mul", "none" }) do
    for _, masked in ipairs({ false, true }) do
      for _, seq in ipairs({ true, false }) do
        for _, cls in ipairs({ "GRU", "LSTM" }) do
          local bi = nn.Bidirectional(nn[cls](2, { return_sequences = seq,
                                                  return_state = cls == "LSTM" }),
                                      { merge_mode = mode })
          local x = tensor.randn({ 2, 4, 3 }, { requires_grad = true })
          bi(x)
          local call = { mask = masked and MASK or nil }
          check_grad(string.format("Bidirectional %s %s mask=%s seq=%s", cls, mode,
                                   tostring(masked), tostring(seq)),
                     function() return flat(bi(x, call)) end,
                     { x, table.unpack(bi.weights) })
        end
      end
    end
  end
end)

t.test("gradcheck through Embedding(mask_zero) -> GRU and Masking -> LSTM", function()
  nn.seed(15)
  local ids = tensor.from({ { 3, 1, 4, 0 }, { 2, 0, 0, 0 } })
  local emb = nn.Embedding(6, 3, { mask_zero = true })
  local g = nn.GRU(2, { return_sequences = true })
  g(emb(ids))
  check_grad("Embedding -> GRU", function() return g(emb(ids)) end,
             { emb.embeddings, table.unpack(g.weights) })
  -- (not w.r.t. x: moving a value off mask_value changes the mask, so
  -- finite differences do not apply there)
  local x = tensor.from({ { { 1, 2 }, { 0, 0 }, { -1, 0.5 } } }, { requires_grad = true })
  local l = nn.LSTM(2)
  l(x)
  check_grad("Masking -> LSTM", function() return l(nn.Masking()(x)) end,
             { table.unpack(l.weights) })
  -- the masked step's input gets a zero gradient, the others do not
  l(nn.Masking()(x)):sum():backward()
  same(x.grad[0][1], { 0, 0 })
  t.truthy(x.grad[0][0]:abs():sum():item() > 0, "real steps get a gradient")
end)

-- ---- dropout ---------------------------------------------------------------------

t.test("dropout only when training, reproducible under nn.seed", function()
  nn.seed(16)
  local x = tensor.randn(4, 5, 6)
  for cls in pairs(CELLS) do
    local l = nn[cls](3, { dropout = 0.5, return_sequences = true })
    local a = l(x)
    same(l(x), a, cls .. ": inference is deterministic")
    same(l(x, { training = false }), a, cls .. ": training=false")
    nn.seed(21)
    local d1 = l(x, { training = true })
    t.truthy(maxdiff(d1, a) > 1e-3, cls .. ": training changes the output")
    nn.seed(21)
    same(l(x, { training = true }), d1, cls .. ": same seed, same dropout")
    local d2 = l(x, { training = true })
    t.truthy(maxdiff(d2, d1) > 1e-3, cls .. ": another draw differs")
    -- no dropout: training changes nothing
    local p = nn[cls](3, { return_sequences = true })
    p(x)
    same(p(x, { training = true }), p(x), cls .. ": dropout 0")
  end
  -- Bidirectional passes training on
  local bi = nn.Bidirectional(nn.GRU(3, { dropout = 0.5 }))
  local a = bi(x)
  same(bi(x), a)
  t.truthy(maxdiff(bi(x, { training = true }), a) > 1e-3, "Bidirectional training")
  -- symbolic inputs with training: just a shape
  t.eq(shape(nn.GRU(3, { dropout = 0.5 })(nn.Input({ None, 6 }), { training = true })), "(None, 3)")
end)

t.test("dropout drops input features, one mask for every time step", function()
  -- with a linear activation and zero recurrent kernel the output at each
  -- step is x_t k: a dropped feature is dropped at every step
  nn.seed(17)
  local D = 40
  local l = nn.SimpleRNN(D, { dropout = 0.5, activation = "linear", use_bias = false,
                              recurrent_initializer = "zeros", return_sequences = true })
  local x = tensor.ones(1, 3, D)
  l(x)
  l:set_weights({ tensor.eye(D), tensor.zeros(D, D) })
  local y = l(x, { training = true })
  local dropped, kept = 0, 0
  for j = 0, D - 1 do
    local v0 = y:get(0, 0, j)
    t.eq(y:get(0, 1, j), v0, "the same mask at step 1")
    t.eq(y:get(0, 2, j), v0, "the same mask at step 2")
    if v0 == 0 then dropped = dropped + 1 else kept = kept + 1; t.near(v0, 2, 1e-6) end
  end
  t.truthy(dropped > 5 and kept > 5, "about half dropped: " .. dropped)
end)

-- ---- errors ------------------------------------------------------------------------

t.test("bad options name the layer and the problem", function()
  t.raises(function() nn.GRU(0) end, "GRU: units must be a positive integer, got 0")
  t.raises(function() nn.LSTM(-3) end, "LSTM: units must be a positive integer, got -3")
  t.raises(function() nn.SimpleRNN(1.5) end, "SimpleRNN: units must be a positive integer, got 1.5")
  t.raises(function() nn.GRU("8") end, "GRU: units must be a positive integer, got string \"8\"")
  t.raises(function() nn.Bidirectional(nn.GRU(2), { merge_mode = "max" }) end,
           "Bidirectional: merge_mode must be one of concat, sum, ave, mul or None, got string \"max\"")
  t.raises(function() nn.GRU(2, { retrun_sequences = true }) end,
           "GRU: unknown option 'retrun_sequences' (known: ")
  t.raises(function() nn.LSTM(2, { reset_after = true }) end,
           "LSTM: unknown option 'reset_after'")
  t.raises(function() nn.SimpleRNN(2, { recurrent_activation = "sigmoid" }) end,
           "SimpleRNN: unknown option 'recurrent_activation'")
  t.raises(function() nn.Bidirectional(nn.GRU(2), { mode = "sum" }) end,
           "Bidirectional: unknown option 'mode'")
  t.raises(function() nn.GRU(2, { activation = "softmax" }) end,
           "GRU: activation string \"softmax\" is not supported in a recurrent layer " ..
           "(supported: hard_sigmoid, linear, relu, sigmoid, tanh)")
  t.raises(function() nn.LSTM(2, { recurrent_activation = "gelu" }) end,
           "LSTM: recurrent_activation string \"gelu\" is not supported in a recurrent layer")
  t.raises(function() nn.GRU(2, { stateful = true }) end,
           "GRU: stateful=true is not supported")
  t.raises(function() nn.GRU(2, { dropout = 1 }) end,
           "GRU: dropout must be a number in [0, 1), got 1")
  t.raises(function() nn.GRU(2, { go_backwards = 1 }) end,
           "GRU: go_backwards must be true or false, got 1")
  t.raises(function() nn.GRU(2, { kernel_initializer = "nope" }) end, "nope")
  t.raises(function() nn.GRU(2, "x") end,
           "GRU: options must be a table, got string")
  t.raises(function() nn.GRU(2)(tensor.ones(2, 3), { trainig = true }) end,
           "unknown option 'trainig'")
end)

t.test("bad inputs name the layer and the problem", function()
  nn.clear_session()
  t.raises(function() nn.GRU(2)(tensor.ones(2, 3)) end,
           "GRU 'gru': expected input of rank 3 (batch, time, features), got shape (2, 3)")
  t.raises(function() nn.LSTM(2)(tensor.ones(1, 2, 3, 4)) end,
           "LSTM 'lstm': expected input of rank 3 (batch, time, features), got shape (1, 2, 3, 4)")
  t.raises(function() nn.SimpleRNN(2)(nn.Input({ 5 })) end,
           "SimpleRNN 'simple_rnn': expected input of rank 3 (batch, time, features), got shape (None, 5)")
  local g = nn.GRU(2, { name = "enc" })
  g(tensor.ones(1, 2, 3))
  t.raises(function() g(tensor.ones(1, 2, 4)) end,
           "GRU 'enc': expected input with 3 features (batch, time, 3), got shape (1, 2, 4)")
  t.raises(function() g(tensor.ones(1, 2)) end,
           "GRU 'enc': expected input of rank 3 (batch, time, features), got shape (1, 2)")
  t.raises(function() g(nn.Input({ None, 4 })) end,
           "GRU 'enc': expected input with 3 features (batch, time, 3), got shape (None, None, 4)")
  t.raises(function() g(tensor.ones(1, 2, 3), { initial_state = { tensor.zeros(1, 2), tensor.zeros(1, 2) } }) end,
           "GRU 'enc': initial_state must hold 1 tensor, got 2")
  t.raises(function() g(tensor.ones(1, 2, 3), { initial_state = { tensor.zeros(1, 3) } }) end,
           "GRU 'enc': initial state 1 must be (1, 2), got (1, 3)")
  t.raises(function() g(tensor.ones(1, 2, 3), { mask = tensor.ones(1, 3) }) end,
           "GRU 'enc': the mask must be (batch, time) = (1, 2), got (1, 3)")
  local l = nn.LSTM(2)
  t.raises(function() l(tensor.ones(1, 2, 3), { initial_state = { tensor.zeros(1, 2) } }) end,
           "LSTM 'lstm_1': initial_state must hold 2 tensors, got 1")
  t.raises(function() nn.Bidirectional(nn.Dense(2)) end,
           "Bidirectional: expected a recurrent layer (GRU, LSTM or SimpleRNN), got Dense")
  t.raises(function() nn.Bidirectional("gru") end,
           "Bidirectional: expected a recurrent layer (GRU, LSTM or SimpleRNN), got string")
  t.raises(function() nn.Bidirectional(nn.GRU(2))(tensor.ones(2, 3)) end,
           "expected input of rank 3 (batch, time, features), got shape (2, 3)")
  t.raises(function() nn.GRU(2)(nn.Input({ 5, None })) end,
           "the features axis of the input must be known, got shape (None, 5, None)")
end)

t.test("initial_state: a tensor or a table; it changes the result and gets a gradient", function()
  nn.seed(18)
  local x = tensor.randn(2, 3, 4)
  local g = nn.GRU(3)
  local plain = g(x)
  local h0 = tensor.randn({ 2, 3 }, { requires_grad = true })
  local a = g(x, { initial_state = { h0 } })
  same(g(x, { initial_state = h0 }), a, "a single tensor")
  t.truthy(maxdiff(a, plain) > 1e-4, "h0 is used")
  same(g(x, { initial_state = tensor.zeros(2, 3) }), plain, "zeros are the default")
  a:sum():backward()
  t.eq(shape(h0.grad), "(2, 3)")
  local l = nn.LSTM(3, { return_state = true })
  local c0 = tensor.randn({ 2, 3 }, { requires_grad = true })
  local _, _, c = l(x, { initial_state = { tensor.zeros(2, 3), c0 } })
  c:sum():backward()
  t.eq(shape(c0.grad), "(2, 3)")
  -- symbolic initial state
  local s = nn.GRU(3)(nn.Input({ None, 4 }), { initial_state = { nn.Input({ 3 }) } })
  t.eq(shape(s), "(None, 3)")
end)

-- Recurrent dropout: a fixed (batch, units) mask on the state where it
-- enters the recurrent products; checked through the kernels with the mask
-- held fixed (the layer draws a new one per call).
t.test("recurrent dropout: kernels' gradients with a fixed mask", function()
  local core = require "attnlab.core"
  nn.seed(7)
  local B, T, D, U = 3, 4, 2, 3
  local x = tensor.randn(B, T, D, { requires_grad = true })
  local h0 = tensor.randn(B, U, { requires_grad = true })
  local c0 = tensor.randn(B, U, { requires_grad = true })
  local rm = core.kernels.dropout_mask({ B, U }, 0.4)
  local mask = tensor.from { { 1, 1, 0, 1 }, { 0, 1, 1, 1 }, { 1, 1, 1, 1 } }
  local function w(r, c) return tensor.rand({ r, c }, { minval = -0.5, maxval = 0.5, requires_grad = true }) end
  for _, ra in ipairs { true, false } do
    local k, rk = w(D, 3 * U), w(U, 3 * U)
    local b = ra and w(2, 3 * U) or tensor.rand({ 3 * U }, { requires_grad = true })
    local cfg = { name = "gru", reset_after = ra, recurrent_mask = rm }
    local ok, err = tensor.gradcheck(function(x_, k_, rk_, b_, h_)
      return core.kernels.gru(x_, mask, h_, k_, rk_, b_, cfg)
    end, { x, k, rk, b, h0 })
    t.truthy(ok, "GRU reset_after=" .. tostring(ra) .. ": " .. err)
  end
  local k4, rk4, b4 = w(D, 4 * U), w(U, 4 * U), tensor.rand({ 4 * U }, { requires_grad = true })
  local ok, err = tensor.gradcheck(function(x_, k_, rk_, b_, h_, c_)
    return core.kernels.lstm(x_, mask, h_, c_, k_, rk_, b_, { name = "lstm", recurrent_mask = rm })
  end, { x, k4, rk4, b4, h0, c0 })
  t.truthy(ok, "LSTM: " .. err)
  local k1, rk1, b1 = w(D, U), w(U, U), tensor.rand({ U }, { requires_grad = true })
  ok, err = tensor.gradcheck(function(x_, k_, rk_, b_, h_)
    return core.kernels.simple_rnn(x_, mask, h_, k_, rk_, b_, { name = "rnn", recurrent_mask = rm })
  end, { x, k1, rk1, b1, h0 })
  t.truthy(ok, "SimpleRNN: " .. err)
end)

t.test("recurrent dropout: a mask of ones changes nothing, zeros cut the recurrence", function()
  local core = require "attnlab.core"
  nn.seed(3)
  local x, h0 = tensor.randn(2, 3, 2), tensor.randn(2, 4)
  local k, rk = tensor.randn(2, 4), tensor.randn(4, 4)
  local plain = core.kernels.simple_rnn(x, nil, h0, k, rk, nil, { name = "r" })
  local ones = core.kernels.simple_rnn(x, nil, h0, k, rk, nil,
                                       { name = "r", recurrent_mask = tensor.ones(2, 4) })
  t.near(ones, plain, 0, "mask of ones")
  -- with a zero mask every step sees no state: h_t = tanh(x_t W)
  local zeros = core.kernels.simple_rnn(x, nil, h0, k, rk, nil,
                                        { name = "r", recurrent_mask = tensor.zeros(2, 4) })
  local want = tensor.tanh(tensor.matmul(x, k))
  t.near(tensor.slice(zeros, -1, 0, 4), want, 1e-6, "mask of zeros")
end)

t.test("recurrent dropout: only in training, reproducible under nn.seed", function()
  nn.clear_session()
  local x = tensor.randn(2, 5, 3)
  local g = nn.GRU(4, { recurrent_dropout = 0.5 })
  local a = g(x)
  t.near(g(x), a, 0, "inference is deterministic")
  nn.seed(11)
  local t1 = g(x, { training = true })
  nn.seed(11)
  local t2 = g(x, { training = true })
  t.near(t1, t2, 0, "same seed, same mask")
  local differs = false
  for i, row in ipairs(t1:totable()) do
    for j, v in ipairs(row) do if v ~= a:totable()[i][j] then differs = true end end
  end
  t.truthy(differs, "training output differs from inference")
  t.raises(function() nn.GRU(4, { recurrent_dropout = 1 }) end,
           "GRU: recurrent_dropout must be a number in [0, 1), got 1")
  local core = require "attnlab.core"
  t.raises(function()
    core.kernels.gru(x, nil, nil, g.kernel, g.recurrent_kernel, g.bias,
                     { name = "gru_x", recurrent_mask = tensor.ones(2, 3) })
  end, "GRU 'gru_x': the recurrent dropout mask must be (2, 4), got (2, 3)")
end)

t.done()
