-- test_model.lua - nn.Model and nn.Sequential: the recorded graph replays
-- to the same numbers as calling the layers by hand, summary() prints
-- Keras 3's table and counts, models nest, several inputs and outputs.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local function shape(x) return tostring(x.shape) end

local function recipe1(T, F, U, classes)
  local L = {
    bi1 = nn.Bidirectional(nn.GRU(U, { return_sequences = true })),
    bi2 = nn.Bidirectional(nn.GRU(U, { return_sequences = true })),
    att_1 = nn.Dense(T, { activation = "tanh" }),
    att_2 = nn.Dense(T, { activation = "softmax", use_bias = false }),
    mul = nn.Multiply(),
    dense = nn.Dense(classes, { activation = "softmax" }),
  }
  L.run = function(x)
    local tl = tensor.transpose(L.bi2(L.bi1(x)), { 0, 2, 1 })
    local out = tensor.sum(L.mul({ tl, L.att_2(L.att_1(tl)) }), -1)
    return L.dense(out)
  end
  return L
end

t.test("a Model replays its graph to the same numbers as the layers by hand", function()
  nn.clear_session()
  nn.seed(1)
  local L = recipe1(8, 4, 3, 5)
  local inputs = nn.Input { 8, 4 }
  local model = nn.Model(inputs, L.run(inputs))
  local x = tensor.randn(2, 8, 4)
  t.near(model(x), L.run(x), 0, "same layers, same numbers")
  t.eq(shape(model(x)), "(2, 5)")
  t.eq(#model.layers, 7, "input layer + 6 layers")
  t.eq(model.layers[1].class_name, "InputLayer")
  t.eq(model:get_layer("multiply"), L.mul)
  t.eq(model:count_params(), L.bi1:count_params() + L.bi2:count_params() + L.att_1:count_params()
                             + L.att_2:count_params() + L.dense:count_params())
  t.raises(function() model:get_layer("nope") end, "Functional 'functional': no layer named 'nope'")
end)

t.test("summary() of recipe 1 is Keras 3's table with Keras's counts", function()
  nn.clear_session()
  local L = recipe1(64, 32, 64, 5)
  local inputs = nn.Input { 64, 32 }
  local model = nn.Model(inputs, L.run(inputs))
  local text = model:summary { print_fn = false }
  local want = {
    'Model: "functional"',
    "┃ Layer (type)                  ┃ Output Shape             ┃     Param # ┃ Connected to             ┃",
    "│ input_layer (InputLayer)      │ (None, 64, 32)           │           0 │ -                        │",
    "│ bidirectional (Bidirectional) │ (None, 64, 128)          │      37,632 │ input_layer[0][0]        │",
    "│ bidirectional_1               │ (None, 64, 128)          │      74,496 │ bidirectional[0][0]      │",
    "│ transpose (Transpose)         │ (None, 128, 64)          │           0 │ bidirectional_1[0][0]    │",
    "│ dense (Dense)                 │ (None, 128, 64)          │       4,160 │ transpose[0][0]          │",
    "│ dense_1 (Dense)               │ (None, 128, 64)          │       4,096 │ dense[0][0]              │",
    "│ multiply (Multiply)           │ (None, 128, 64)          │           0 │ transpose[0][0],         │",
    "│ dense_2 (Dense)               │ (None, 5)                │         645 │ sum[0][0]                │",
    " Total params: 121,029 (472.77 KB)",
    " Trainable params: 121,029 (472.77 KB)",
    " Non-trainable params: 0 (0.00 B)",
  }
  for _, line in ipairs(want) do
    t.truthy(text:find(line, 1, true), "missing line:\n" .. line .. "\nin:\n" .. text)
  end
end)

t.test("summary() of a functional chain is sequential-like, as in Keras 3: no Connected to", function()
  nn.clear_session()
  local x = nn.Input { 10, 4 }
  local model = nn.Model(x, nn.Dense(3)(nn.Bidirectional(nn.GRU(8))(x)))
  t.eq(model:summary { print_fn = false }, table.concat({
    'Model: "functional"',
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
    "│ input_layer (InputLayer)        │ (None, 10, 4)          │             0 │",
    "│ bidirectional (Bidirectional)   │ (None, 16)             │           672 │",
    "│ dense (Dense)                   │ (None, 3)              │            51 │",
    "└─────────────────────────────────┴────────────────────────┴───────────────┘",
    " Total params: 723 (2.82 KB)",
    " Trainable params: 723 (2.82 KB)",
    " Non-trainable params: 0 (0.00 B)" }, "\n"))
  -- a layer called twice is shared: the table names the connections again
  nn.clear_session()
  local d = nn.Dense(4)
  local inp = nn.Input { 4 }
  local twice = nn.Model(inp, d(d(inp)))
  t.truthy(twice:summary { print_fn = false }:find("Connected to", 1, true), "a shared layer is not a chain")
end)

t.test("Sequential builds as layers are added and summarizes like Keras", function()
  nn.clear_session()
  local model = nn.Sequential { nn.Input { 784 }, nn.Dense(64, { activation = "relu" }), nn.Dense(10) }
  local text = model:summary { print_fn = false }
  t.truthy(text:find("│ dense (Dense)                   │ (None, 64)             │        50,240 │", 1, true), text)
  t.truthy(text:find("│ dense_1 (Dense)                 │ (None, 10)             │           650 │", 1, true), text)
  t.truthy(text:find(" Total params: 50,890 (198.79 KB)", 1, true), text)
  t.eq(shape(model(tensor.randn(3, 784))), "(3, 10)")
  local m2 = nn.Sequential()
  m2:add(nn.Dense(2))
  t.eq(shape(m2(tensor.ones(1, 3))), "(1, 2)")
  t.eq(m2:count_params(), 8)
end)

t.test("models with several inputs and outputs, and layers with several outputs", function()
  nn.clear_session()
  nn.seed(2)
  local a, b = nn.Input { 5, 3 }, nn.Input { 5, 3 }
  local gru = nn.GRU(4, { return_sequences = true, return_state = true })
  local seq, state = gru(a)
  local both = nn.Concatenate { axis = -1 }({ seq, b })
  local model = nn.Model({ a, b }, { both, state })
  local xa, xb = tensor.randn(2, 5, 3), tensor.randn(2, 5, 3)
  local y1, y2 = model({ xa, xb })
  local s, h = gru(xa)
  t.near(y2, h, 0, "the state output")
  t.near(y1, tensor.concat({ s, xb }, -1), 0, "the merged output")
  t.raises(function() model(xa) end, "Functional 'functional': expected 2 inputs, got")
  t.raises(function() model({ xa, tensor.randn(2, 5, 4) }) end,
           "input 2 should have shape (None, 5, 3), got (2, 5, 4)")
end)

t.test("a model nests as a layer of a bigger model", function()
  nn.clear_session()
  nn.seed(3)
  local x = nn.Input { 6 }
  local inner = nn.Model(x, nn.Dense(4, { activation = "tanh" })(x), { name = "encoder" })
  local y = nn.Input { 6 }
  local outer = nn.Model(y, nn.Dense(2)(inner(y)))
  t.eq(shape(outer.outputs[1]), "(None, 2)")
  local data = tensor.randn(3, 6)
  t.near(outer(data), outer:get_layer("dense_1")(inner(data)), 0)
  t.eq(outer:count_params(), 6 * 4 + 4 + 4 * 2 + 2)
end)

t.test("the mask travels through a replayed model", function()
  nn.clear_session()
  local ids = nn.Input { 5 }
  local e = nn.Embedding(10, 3, { mask_zero = true })(ids)
  local model = nn.Model(ids, nn.GRU(2)(e))
  local x = tensor.from { { 1, 2, 0, 0, 0 }, { 3, 4, 5, 6, 7 } }
  local short = tensor.from { { 1, 2 } }
  -- with trailing padding the last output is the one at the last real step
  local emb, gru = model.layers[2], model.layers[3]
  t.near(model(x)[0], gru(emb(short))[0], 1e-6)
end)

t.test("nn.Model explains misuse", function()
  nn.clear_session()
  local x = nn.Input { 3 }
  t.raises(function() nn.Model(tensor.ones(2, 3), x) end, "nn.Model: input 1 must come from nn.Input")
  t.raises(function() nn.Model(x, tensor.ones(2)) end, "nn.Model: output 1 must be a symbolic tensor")
  local other = nn.Input { 3 }
  t.raises(function() nn.Model(x, nn.Dense(2)(other)) end,
           "nn.Model: the outputs depend on the input 'input_layer_1', which is not in the model's inputs")
end)

t.done()
