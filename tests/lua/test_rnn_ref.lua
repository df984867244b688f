-- test_rnn_ref.lua - GRU, LSTM, SimpleRNN and Bidirectional against the
-- PyTorch references in tests/ref/rnn_ref.lua (made by make_rnn_ref.py):
-- the layers get the reference's Keras-layout weights, and their outputs,
-- final states and the gradients of
--     loss = sum(output * r) + sum over states s of sum(s * r_s)
-- with respect to the input, every weight and the initial states must
-- match: worst relative error <= 1e-5 for values, <= 1e-4 for gradients.
--
-- The relative error is normwise, as in LAPACK's tests:
--     max_i |got_i - want_i| / max_i |want_i|
-- An elementwise measure (each |got_i - want_i| / |want_i|) is not a fair
-- test of float32 arithmetic: on the seed model PyTorch's own float32 GRU
-- is off by 1.7e-5 against the float64 reference on entries a hundred
-- times smaller than the largest. The elementwise figure (with entries
-- below 1% of the largest compared at that 1%) is printed for reference.
local dir = arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/harness.lua")
local ref = dofile(dir .. "/../ref/rnn_ref.lua")

local VALUE_TOL, GRAD_TOL = 1e-5, 1e-4

local function check(got, want, tol, what)
  local e, elementwise = t.relative_errors(got, want, what)
  if not (e <= tol) then
    error(string.format("%s: worst relative error %.3g > %g", what, e, tol), 2)
  end
  return e, elementwise
end

local function build(spec)
  if spec.layer == "Bidirectional" then
    return nn.Bidirectional(build(spec.inner), { merge_mode = spec.merge_mode })
  end
  return nn[spec.layer](spec.units, spec.options)
end

local function ensure_built(layer, shape)
  if not layer.built then
    layer:build(shape)
    layer.built = true
  end
end

-- Sets a list of layers' weights from the flat list of reference arrays.
local function set_all_weights(layers, weights)
  local k = 1
  for _, layer in ipairs(layers) do
    local n = #layer.weights
    local mine = {}
    for i = 1, n do mine[i] = weights[k]; k = k + 1 end
    layer:set_weights(mine)
  end
  t.eq(k - 1, #weights, "every reference weight used")
end

local summary = {}

for _, case in ipairs(ref.cases) do
  t.test(case.name .. " matches PyTorch", function()
    nn.clear_session()
    local x = tensor.from(case.x, { requires_grad = true })
    local mask = case.mask and tensor.from(case.mask)
    local init
    if case.initial_state then
      init = {}
      for i, s in ipairs(case.initial_state) do
        init[i] = tensor.from(s, { requires_grad = true })
      end
    end

    local layers, outs = {}, nil
    if case.layer == "SeedModel" then
      for i, spec in ipairs(case.layers) do layers[i] = build(spec) end
      local shape = x.shape
      ensure_built(layers[1], shape)
      ensure_built(layers[2], { shape[1], shape[2], 2 * layers[1].forward_layer.units })
      set_all_weights(layers, case.weights)
      outs = { layers[2](layers[1](x)) }
    else
      layers[1] = build(case)
      ensure_built(layers[1], x.shape)
      set_all_weights(layers, case.weights)
      outs = { layers[1](x, { mask = mask, initial_state = init }) }
    end

    local errs, elem = {}, {}
    local function value(got, want, what)
      local e, el = check(got, want, VALUE_TOL, what)
      errs[#errs + 1], elem[#elem + 1] = e, el
    end
    value(outs[1], case.output, "output")
    local loss = (outs[1] * tensor.from(case.r)):sum()
    for i, s in ipairs(case.states or {}) do
      value(outs[i + 1], s, "state " .. i)
      loss = loss + (outs[i + 1] * tensor.from(case.r_states[i])):sum()
    end
    t.eq(#outs, 1 + #(case.states or {}), "number of returned tensors")
    loss:backward()

    local gerrs = {}
    gerrs[#gerrs + 1] = check(x.grad, case.grads.x, GRAD_TOL, "d/dx")
    local k = 1
    for _, layer in ipairs(layers) do
      for i, w in ipairs(layer.weights) do
        gerrs[#gerrs + 1] = check(w.grad, case.grads.weights[k], GRAD_TOL,
                                  "d/d " .. layer.weight_names[i])
        k = k + 1
      end
    end
    for i, s in ipairs(init or {}) do
      gerrs[#gerrs + 1] = check(s.grad, case.grads.initial_state[i], GRAD_TOL,
                                "d/d initial state " .. i)
    end
    local wv, wg, we = 0, 0, 0
    for _, e in ipairs(errs) do wv = math.max(wv, e) end
    for _, e in ipairs(gerrs) do wg = math.max(wg, e) end
    for _, e in ipairs(elem) do we = math.max(we, e) end
    summary[#summary + 1] = string.format(
      "#   %-38s values %.2e  gradients %.2e  (values elementwise %.2e)",
      case.name, wv, wg, we)
  end)
end

print("# worst normwise relative errors:")
for _, line in ipairs(summary) do print(line) end
t.done()
