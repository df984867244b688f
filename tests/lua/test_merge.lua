-- test_merge.lua - Keras's merge layers (Add, Subtract, Multiply, Average,
-- Maximum, Minimum, Concatenate, Dot), reshaping layers (Permute, Reshape,
-- Flatten, RepeatVector), GlobalAveragePooling1D / GlobalMaxPooling1D,
-- Softmax, Dropout, TimeDistributed and Lambda: values against hand
-- computation (and Keras 3's own tests in merging_test.py), symbolic shapes
-- with None, masks as Keras 3 propagates them, gradients, names and the
-- error messages.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local function shape(x) return tostring(x.shape) end
local function near(got, want, what) t.near(got, want, 1e-5, what) end
local function same(got, want, what) t.near(got, want, 0, what) end
local T = tensor.from

-- stderr written while fn runs (Keras's UserWarnings go there)
local function stderr_of(fn)
  local saved, text = io.stderr, {}
  io.stderr = { write = function(_, ...)
    for _, s in ipairs({ ... }) do text[#text + 1] = tostring(s) end
  end }
  local ok, err = pcall(fn)
  io.stderr = saved
  if not ok then error(err, 0) end
  return table.concat(text)
end

local function gradcheck(what, f, inputs)
  local ok, worst = tensor.gradcheck(f, inputs)
  t.truthy(ok, what .. ": worst gradient error " .. tostring(worst))
end

local function R(...) return tensor.randn({ ... }, { requires_grad = true }) end

-- ---- names and printing -----------------------------------------------------

t.test("Keras's default names, numbered per kind, and name=", function()
  nn.clear_session()
  local want = {
    { nn.Multiply(), "multiply" }, { nn.Multiply(), "multiply_1" },
    { nn.Add(), "add" }, { nn.Subtract(), "subtract" },
    { nn.Average(), "average" }, { nn.Maximum(), "maximum" },
    { nn.Minimum(), "minimum" }, { nn.Concatenate(), "concatenate" },
    { nn.Dot(1), "dot" }, { nn.Permute { 2, 1 }, "permute" },
    { nn.Reshape { -1 }, "reshape" }, { nn.Flatten(), "flatten" },
    { nn.RepeatVector(3), "repeat_vector" },
    { nn.GlobalAveragePooling1D(), "global_average_pooling1d" },
    { nn.GlobalMaxPooling1D(), "global_max_pooling1d" },
    { nn.GlobalAvgPool1D(), "global_average_pooling1d_1" },
    { nn.Softmax(), "softmax" }, { nn.Dropout(0.5), "dropout" },
    { nn.TimeDistributed(nn.Dense(2)), "time_distributed" },
    { nn.Lambda(function(x) return x end), "lambda" },
    { nn.Lambda(function(x) return x end), "lambda_1" },
    { nn.Add { name = "skip" }, "skip" },
    { nn.Concatenate { axis = 1, name = "cat" }, "cat" },
    { nn.Dropout(0.1, { name = "drop" }), "drop" },
  }
  for i, p in ipairs(want) do t.eq(p[1].name, p[2], "layer " .. i) end
  t.eq(#nn.Add().weights, 0)
  t.eq(nn.Add():count_params(), 0)
end)

t.test("tostring shows the layer's arguments", function()
  nn.clear_session()
  t.eq(tostring(nn.Add()), "<Add name=add>")
  t.eq(tostring(nn.Concatenate()), "<Concatenate name=concatenate, axis=-1>")
  t.eq(tostring(nn.Dot { axes = { 2, 1 } }), "<Dot name=dot, axes=(2, 1)>")
  t.eq(tostring(nn.Dot(2, { normalize = true })), "<Dot name=dot_1, axes=2, normalize=true>")
  t.eq(tostring(nn.Permute { 2, 1 }), "<Permute name=permute, dims=(2, 1)>")
  t.eq(tostring(nn.Reshape { 3, -1 }), "<Reshape name=reshape, target_shape=(3, -1)>")
  t.eq(tostring(nn.Reshape { 12 }), "<Reshape name=reshape_1, target_shape=(12,)>")
  t.eq(tostring(nn.Flatten()), "<Flatten name=flatten>")
  t.eq(tostring(nn.RepeatVector(4)), "<RepeatVector name=repeat_vector, n=4>")
  t.eq(tostring(nn.GlobalAveragePooling1D()), "<GlobalAveragePooling1D name=global_average_pooling1d>")
  t.eq(tostring(nn.GlobalMaxPooling1D { keepdims = true }),
       "<GlobalMaxPooling1D name=global_max_pooling1d, data_format=channels_last, keepdims=true>")
  t.eq(tostring(nn.Softmax()), "<Softmax name=softmax, axis=-1>")
  t.eq(tostring(nn.Softmax { axis = { 1, 2 } }), "<Softmax name=softmax_1, axis=(1, 2)>")
  t.eq(tostring(nn.Dropout(0.25)), "<Dropout name=dropout, rate=0.25>")
  t.eq(tostring(nn.Dropout(0.5, { noise_shape = { None, 1, 8 }, seed = 3 })),
       "<Dropout name=dropout_1, rate=0.5, noise_shape=(None, 1, 8), seed=3>")
  t.eq(tostring(nn.TimeDistributed(nn.Dense(3, { name = "d" }))),
       "<TimeDistributed name=time_distributed, layer=<Dense name=d, units=3, activation=linear>>")
  t.eq(tostring(nn.Lambda(function(x) return x end)), "<Lambda name=lambda>")
end)

-- ---- element-wise merges -----------------------------------------------------

local A = T { { 1, 2, 3 }, { 4, 5, 6 } }
local B = T { { 1, 1, 2 }, { 0, 2, 1 } }
local C = T { { 2, -1, 0 }, { 1, 1, 7 } }

t.test("Add, Subtract, Multiply, Average, Maximum, Minimum on two and three tensors", function()
  same(nn.Add()({ A, B }), { { 2, 3, 5 }, { 4, 7, 7 } })
  same(nn.Add()({ A, B, C }), { { 4, 2, 5 }, { 5, 8, 14 } })
  same(nn.Subtract()({ A, B }), { { 0, 1, 1 }, { 4, 3, 5 } })
  same(nn.Multiply()({ A, B }), { { 1, 2, 6 }, { 0, 10, 6 } })
  same(nn.Multiply()({ A, B, C }), { { 2, -2, 0 }, { 0, 10, 42 } })
  same(nn.Average()({ A, B }), { { 1, 1.5, 2.5 }, { 2, 3.5, 3.5 } })
  near(nn.Average()({ A, B, C }), { { 4 / 3, 2 / 3, 5 / 3 }, { 5 / 3, 8 / 3, 14 / 3 } })
  same(nn.Maximum()({ A, B, C }), { { 2, 2, 3 }, { 4, 5, 7 } })
  same(nn.Minimum()({ A, B, C }), { { 1, -1, 0 }, { 0, 1, 1 } })
  -- a list of one tensor gives it back
  same(nn.Add()({ A }), A)
end)

t.test("merges broadcast as Keras: size-1 axes, and lower ranks after the batch axis", function()
  local x = T { { { 1, 2, 3 } }, { { 4, 5, 6 } } }            -- (2, 1, 3)
  local y = tensor.ones(2, 4, 3)
  local s = nn.Add()({ x, y })
  t.eq(shape(s), "(2, 4, 3)")
  same(tensor.select(s, 1, 3), { { 2, 3, 4 }, { 5, 6, 7 } })
  -- (2, 3) with (2, 4, 3): the first becomes (2, 1, 3)
  local m = nn.Multiply()({ A, tensor.full({ 2, 4, 3 }, 2) })
  t.eq(shape(m), "(2, 4, 3)")
  same(tensor.select(m, 1, 0), { { 2, 4, 6 }, { 8, 10, 12 } })
  t.eq(shape(nn.Maximum()({ tensor.ones(2, 4, 3), A })), "(2, 4, 3)")
end)

t.test("merges on symbolic tensors: Keras's shapes, with None", function()
  local a, b = nn.Input { 5, 8 }, nn.Input { 5, 8 }
  for _, cls in ipairs { "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum" } do
    local y = nn[cls]()({ a, b })
    t.eq(shape(y), "(None, 5, 8)", cls)
    t.eq(y.symbolic, true)
  end
  t.eq(shape(nn.Add()({ a, nn.Input { 1, 8 } })), "(None, 5, 8)")
  -- an unknown size against a known one is unknown (Keras's rule)
  t.eq(shape(nn.Add()({ nn.Input { None, 8 }, a })), "(None, None, 8)")
  t.eq(shape(nn.Add()({ nn.Input { 8 }, a })), "(None, 5, 8)")
  -- a known batch size stays
  t.eq(shape(nn.Multiply()({ nn.Input { shape = { 3 }, batch_size = 4 }, nn.Input { 3 } })),
       "(4, 3)")
end)

t.test("a symbolic merge records the layer and the table of inputs", function()
  local a, b = nn.Input { 4 }, nn.Input { 4 }
  local add = nn.Add()
  local y = add({ a, b })
  t.eq(tostring(y), "<Symbolic shape=(None, 4) from " .. add.name .. ">")
  t.eq(rawequal(y.node.layer, add), true)
  t.eq(#y.node.inputs, 2)
  t.eq(rawequal(y.node.inputs[1], a), true)
  t.eq(rawequal(y.node.inputs[2], b), true)
  t.eq(y.node.list_input, true)
  t.eq(y.node.index, 1)
  -- the same layer on data
  same(add({ A, B }), { { 2, 3, 5 }, { 4, 7, 7 } })
  t.eq(add({ A, B }).node, nil)
end)

t.test("merge errors: Keras's messages, named after the layer", function()
  nn.clear_session()
  t.raises(function() nn.Multiply()({ tensor.ones(2, 2, 3), tensor.ones(2, 2, 4) }) end,
           "Multiply 'multiply': Inputs have incompatible shapes. Received shapes (2, 3) and (2, 4)")
  t.raises(function() nn.Add()({ nn.Input { 5, 8 }, nn.Input { 4, 8 } }) end,
           "Add 'add': Inputs have incompatible shapes. Received shapes (5, 8) and (4, 8)")
  -- a lower rank is compared from the right
  t.raises(function() nn.Add { name = "a2" }({ tensor.ones(2, 3), tensor.ones(2, 3, 4) }) end,
           "Add 'a2': Inputs have incompatible shapes. Received shapes (3, 4) and (3,)")
  t.raises(function() nn.Add { name = "a3" }({ tensor.ones(2, 3), tensor.ones(3, 3) }) end,
           "Add 'a3': Cannot merge tensors with different batch sizes. Received tensors with shapes [(2, 3), (3, 3)]")
  t.raises(function() nn.Add { name = "a4" }(tensor.ones(2, 3)) end,
           "Add 'a4': A merge layer should be called on a list of inputs. Received: input_shape=(2, 3) (not a list of shapes)")
  t.raises(function() nn.Add { name = "a5" }({}) end,
           "Add 'a5': A merge layer should be called on a list of at least 1 input. Received 0 inputs.")
  t.raises(function() nn.Subtract { name = "s" }({ A, A, A }) end,
           "Subtract 's': A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(2, 3), (2, 3), (2, 3)]")
  t.raises(function() nn.Subtract { name = "s1" }({ nn.Input { 3 } }) end,
           "Subtract 's1': A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(None, 3)]")
  t.raises(function() nn.Add { name = "a6" }({ A, 3 }) end,
           "Add 'a6': input 2 is number, not a tensor")
  t.raises(function() nn.Add { name = "a7" }(3) end,
           "Add 'a7': expected a table of tensors, e.g. {a, b}, got number")
  t.raises(function() nn.Add { name = "a8" }({ A, B }, { foo = 1 }) end,
           "Add 'a8': unknown option 'foo' (known: mask, training)")
  t.raises(function() nn.Add { units = 3 } end, "Add: unknown option 'units' (known: name)")
  -- the error is at the learner's line
  local err = t.raises(function() nn.Multiply()({ A, tensor.ones(2, 4) }) end, "incompatible")
  t.truthy(err:find("test_merge.lua:%d+:"), err)
end)

-- Keras 3's merging_test.py: a Masking layer on x1 ([0, 1, 0, 1] kept), and
-- on x2 ([0, 0, 1, 1]) for the second case
local function masked_pair(neg)
  local s = neg and -1 or 1
  local x1 = T { { { 0, 0 }, { s * 1, s * 2 }, { 0, 0 }, { s * 3, s * 4 } } }
  local x2 = T { { { 0, 0 }, { 0, 0 }, { s * 1, s * 2 }, { s * 3, s * 4 } } }
  return nn.Masking()(x1), x2, nn.Masking()(x2)
end

t.test("merge masks as Keras 3: masked steps left out, OR of the masks when all inputs have one", function()
  local cases = {
    { "Add", false, { { 0, 0 }, { 1, 2 }, { 1, 2 }, { 6, 8 } }, { { 0, 0 }, { 1, 2 }, { 1, 2 }, { 6, 8 } } },
    { "Subtract", false, { { 0, 0 }, { 1, 2 }, { -1, -2 }, { 0, 0 } }, { { 0, 0 }, { 1, 2 }, { -1, -2 }, { 0, 0 } } },
    { "Average", false, { { 0, 0 }, { 0.5, 1 }, { 0.5, 1 }, { 3, 4 } }, { { 0, 0 }, { 0.5, 1 }, { 0.5, 1 }, { 3, 4 } } },
    { "Multiply", false, { { 0, 0 }, { 0, 0 }, { 1, 2 }, { 9, 16 } }, { { 0, 0 }, { 1, 2 }, { 1, 2 }, { 9, 16 } } },
    { "Maximum", true, { { 0, 0 }, { 0, 0 }, { -1, -2 }, { -3, -4 } }, { { 0, 0 }, { -1, -2 }, { -1, -2 }, { -3, -4 } } },
    { "Minimum", false, { { 0, 0 }, { 0, 0 }, { 1, 2 }, { 3, 4 } }, { { 0, 0 }, { 1, 2 }, { 1, 2 }, { 3, 4 } } },
  }
  for _, c in ipairs(cases) do
    local x1, x2, x2m = masked_pair(c[2])
    local y = nn[c[1]]()({ x1, x2 })
    same(y, { c[3] }, c[1] .. " with one mask")
    t.eq(y.mask, nil, c[1] .. ": no mask out when an input has none")
    y = nn[c[1]]()({ x1, x2m })
    same(y, { c[4] }, c[1] .. " with two masks")
    same(y.mask, { { 0, 1, 1, 1 } }, c[1] .. " mask")
  end
end)

t.test("merge masks: symbolic, given with mask=, and lost when ranks differ", function()
  local ids = nn.Input { 6 }
  local e = nn.Embedding(10, 4, { mask_zero = true })(ids)
  local y = nn.Add()({ e, e })
  t.eq(shape(y.mask), "(None, 6)")
  t.eq(nn.Add()({ e, nn.Dense(4)(ids) }).mask, nil)
  -- mask= on the call replaces the inputs' masks, one per input
  local m1, m2 = T { { 1, 0, 1 } }, T { { 1, 1, 0 } }
  local x = tensor.ones(1, 3, 2)
  local p = nn.Multiply()({ x * 2, x * 3 }, { mask = { m1, m2 } })
  same(p.mask, { { 1, 1, 1 } })
  same(p, { { { 6, 6 }, { 3, 3 }, { 2, 2 } } })
  -- inputs of different ranks are reshaped; Keras then merges without
  -- their masks, and the output mask is still the OR
  local q = nn.Multiply()({ tensor.full({ 1, 3, 2 }, 2), tensor.full({ 1, 2 }, 5) },
                          { mask = { m1, T { { 1, 0, 0 } } } })
  same(q, { { { 10, 10 }, { 10, 10 }, { 10, 10 } } })
  same(q.mask, { { 1, 0, 1 } })
  t.raises(function() nn.Add { name = "am" }({ x, x }, { mask = m1 }) end,
           "Add 'am': mask must be a table of masks, one per input (nil for none)")
end)

t.test("gradients through the merges, with and without masks", function()
  nn.seed(11)
  local m1 = T { { 1, 1, 0, 1 }, { 1, 0, 0, 1 } }
  local m2 = T { { 0, 1, 1, 1 }, { 1, 1, 0, 0 } }
  for _, cls in ipairs { "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum" } do
    local l = nn[cls]()
    gradcheck(cls, function(a, b) return l({ a, b }) end, { R(2, 4, 3), R(2, 4, 3) })
    gradcheck(cls .. " masked", function(a, b) return l({ a, b }, { mask = { m1, m2 } }) end,
              { R(2, 4, 3), R(2, 4, 3) })
    gradcheck(cls .. " one mask", function(a, b) return l({ a, b }, { mask = { m1 } }) end,
              { R(2, 4, 3), R(2, 4, 3) })
  end
  gradcheck("Multiply, three inputs, broadcast",
            function(a, b, c) return nn.Multiply()({ a, b, c }) end, { R(2, 4, 3), R(2, 1, 3), R(2, 3) })
end)

-- ---- Concatenate -----------------------------------------------------------

t.test("Concatenate: values along the last axis and along time", function()
  local y = nn.Concatenate()({ A, B })
  same(y, { { 1, 2, 3, 1, 1, 2 }, { 4, 5, 6, 0, 2, 1 } })
  same(nn.Concatenate(0)({ A, B }), { { 1, 2, 3 }, { 4, 5, 6 }, { 1, 1, 2 }, { 0, 2, 1 } })
  local x = T { { { 1, 2 }, { 3, 4 } } }
  same(nn.Concatenate { axis = 1 }({ x, T { { { 5, 6 } } } }), { { { 1, 2 }, { 3, 4 }, { 5, 6 } } })
  same(nn.Concatenate { axis = -2 }({ x, x }), { { { 1, 2 }, { 3, 4 }, { 1, 2 }, { 3, 4 } } })
  -- merging_test.py: size-1 axes must still agree
  t.eq(shape(nn.Concatenate()({ tensor.ones(1, 1, 1, 1, 5), tensor.ones(1, 1, 1, 1, 4) })),
       "(1, 1, 1, 1, 9)")
end)

t.test("Concatenate on symbolic tensors", function()
  local a, b = nn.Input { 5, 8 }, nn.Input { 5, 3 }
  t.eq(shape(nn.Concatenate()({ a, b })), "(None, 5, 11)")
  t.eq(shape(nn.Concatenate(1)({ a, nn.Input { 2, 8 } })), "(None, 7, 8)")
  t.eq(shape(nn.Concatenate(1)({ a, nn.Input { None, 8 } })), "(None, None, 8)")
  t.eq(shape(nn.Concatenate()({ nn.Input { None, 8 }, a })), "(None, None, 16)")
  t.eq(shape(nn.Concatenate()({ a })), "(None, 5, 8)")
end)

t.test("Concatenate masks as Keras: a missing mask is all ones, any over the last axis", function()
  local x1, x2 = masked_pair()
  local y = nn.Concatenate { axis = 1 }({ x1, x2 })
  same(y, { { { 0, 0 }, { 1, 2 }, { 0, 0 }, { 3, 4 }, { 0, 0 }, { 0, 0 }, { 1, 2 }, { 3, 4 } } })
  same(y.mask, { { 0, 1, 0, 1, 1, 1, 1, 1 } })
  y = nn.Concatenate { axis = 2 }({ x1, x2 })
  same(y, { { { 0, 0, 0, 0 }, { 1, 2, 0, 0 }, { 0, 0, 1, 2 }, { 3, 4, 3, 4 } } })
  same(y.mask, { { 1, 1, 1, 1 } })
  local _, _, x2m = masked_pair()
  same(nn.Concatenate()({ x1, x2m }).mask, { { 0, 1, 1, 1 } })
  t.eq(nn.Concatenate()({ A, B }).mask, nil)
  -- symbolic (merging_test.py's test_concatenate_with_mask_symbolic)
  local i1, i2 = nn.Input { 4, 2 }, nn.Input { 4, 2 }
  local s = nn.Concatenate { axis = 1 }({ nn.Masking()(i1), i2 })
  t.eq(shape(s), "(None, 8, 2)")
  t.eq(shape(s.mask), "(None, 8)")
end)

t.test("Concatenate errors and gradients", function()
  t.raises(function()
    nn.Concatenate { name = "c" }({ tensor.ones(1, 2, 1, 1, 5), tensor.ones(1, 1, 1, 1, 4) })
  end, "Concatenate 'c': A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=[(1, 2, 1, 1, 5), (1, 1, 1, 1, 4)]")
  t.raises(function()
    nn.Concatenate { axis = 1, name = "c1" }({ tensor.ones(1, 2, 1, 2, 1), tensor.ones(1, 1, 1, 3, 1) })
  end, "Concatenate 'c1': A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis.")
  t.raises(function() nn.Concatenate { name = "c2" }({ nn.Input { 5, 8 }, nn.Input { 4, 8 } }) end,
           "Received: input_shape=[(None, 5, 8), (None, 4, 8)]")
  t.raises(function() nn.Concatenate { name = "c3" }({ nn.Input { 5, 8 }, nn.Input { 8 } }) end,
           "Concatenate 'c3': A `Concatenate` layer requires inputs with matching shapes")
  t.raises(function() nn.Concatenate { name = "c4" }(A) end,
           "Concatenate 'c4': A `Concatenate` layer should be called on a list of at least 1 input. Received: input_shape=(2, 3)")
  t.raises(function() nn.Concatenate { axis = 1.5 } end, "Concatenate: axis must be an integer, got 1.5")
  t.raises(function() nn.Concatenate { axis = 1, foo = 2 } end,
           "Concatenate: unknown option 'foo' (known: axis, name)")
  t.raises(function() nn.Concatenate { axis = 5, name = "c5" }({ A, B }) end, "Concatenate 'c5': ")
  nn.seed(12)
  local c = nn.Concatenate { axis = 1 }
  gradcheck("Concatenate", function(a, b) return c({ a, b }) end, { R(2, 3, 4), R(2, 2, 4) })
end)

-- ---- Dot -----------------------------------------------------------------------

local X = T { { { 1, 2, 3 }, { 4, 5, 6 } } }        -- (1, 2, 3)
local Y = T { { { 1, 0, 1 }, { 0, 1, 0 } } }        -- (1, 2, 3)

t.test("Dot: values for axes 2, -1, 1 and pairs, counted with the batch axis", function()
  same(nn.Dot(2)({ X, Y }), { { { 4, 2 }, { 10, 5 } } })
  same(nn.Dot(-1)({ X, Y }), { { { 4, 2 }, { 10, 5 } } })
  same(nn.Dot { axes = { 2, 2 } }({ X, Y }), { { { 4, 2 }, { 10, 5 } } })
  same(nn.Dot { 2, 2 }({ X, Y }), { { { 4, 2 }, { 10, 5 } } })
  same(nn.Dot { axes = 1 }({ X, Y }), { { { 1, 4, 1 }, { 2, 5, 2 }, { 3, 6, 3 } } })
  local W = T { { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 2, 0 } } } -- (1, 4, 2)
  local y = nn.Dot { axes = { 1, 2 } }({ X, W })
  t.eq(shape(y), "(1, 3, 4)")
  same(y, { { { 1, 4, 5, 2 }, { 2, 5, 7, 4 }, { 3, 6, 9, 6 } } })
  same(nn.Dot { axes = { -2, -1 } }({ X, W }), y)
  -- two 2-D inputs give (batch, 1)
  local d = nn.Dot(1)({ A, B })
  t.eq(shape(d), "(2, 1)")
  same(d, { { 9 }, { 16 } })
  -- a 3-D query against a 2-D vector: the attention scores (batch, time)
  same(nn.Dot { axes = { 2, 1 } }({ X, T { { 1, 1, 1 } } }), { { 6, 15 } })
end)

t.test("Dot normalize=true gives cosine similarities (Keras's l2 normalize)", function()
  local d = nn.Dot(1, { normalize = true })({ A, B })
  near(d, { { 9 / math.sqrt(14 * 6) }, { 16 / math.sqrt(77 * 5) } })
  local s = nn.Dot { axes = 2, normalize = true }({ X, X })
  near(s:get(0, 0, 0), 1)
  near(s, { { { 1, 32 / math.sqrt(14 * 77) }, { 32 / math.sqrt(14 * 77), 1 } } })
  -- a zero vector stays zero (x * min(rsqrt(0), 1e7))
  same(nn.Dot(1, { normalize = true })({ tensor.zeros(1, 3), B:slice(0, 0, 1) }), { { 0 } })
end)

t.test("Dot on symbolic tensors: Keras's output shapes", function()
  local q, k = nn.Input { 5, 8 }, nn.Input { 7, 8 }
  t.eq(shape(nn.Dot { axes = { 2, 2 } }({ q, k })), "(None, 5, 7)")
  t.eq(shape(nn.Dot { axes = -1 }({ q, k })), "(None, 5, 7)")
  t.eq(shape(nn.Dot { axes = { 1, 1 } }({ q, nn.Input { 5, 3 } })), "(None, 8, 3)")
  t.eq(shape(nn.Dot(1)({ nn.Input { 8 }, nn.Input { 8 } })), "(None, 1)")
  t.eq(shape(nn.Dot { axes = { 2, 1 } }({ q, nn.Input { 8 } })), "(None, 5)")
  t.eq(shape(nn.Dot { axes = { 2, 2 } }({ nn.Input { None, 8 }, nn.Input { None, 8 } })),
       "(None, None, None)")
  -- merging_test.py's test_dot_higher_dim
  local a = nn.Input { shape = { 3, 2 }, batch_size = 1 }
  local b = nn.Input { shape = { 1, 2, 3 }, batch_size = 1 }
  t.eq(shape(nn.Dot { axes = { -2, -1 } }({ a, b })), "(1, 2, 1, 2)")
  t.eq(shape(nn.Dot { axes = { -2, -1 } }({ tensor.rand(1, 3, 2), tensor.rand(1, 1, 2, 3) })),
       "(1, 2, 1, 2)")
  -- no mask out
  local e = nn.Embedding(10, 8, { mask_zero = true })(nn.Input { 5 })
  t.eq(nn.Dot(2)({ e, e }).mask, nil)
end)

t.test("Dot errors: Keras's messages, and the hint for query-key scores", function()
  local q, k = nn.Input { 5, 8 }, nn.Input { 5, 8 }
  local err = t.raises(function() nn.Dot { axes = { 2, 1 }, name = "scores" }({ q, k }) end,
    "Dot 'scores': Incompatible input shapes: axis values 8 (at axis 2) != 5 (at axis 1). Full input shapes: (None, 5, 8), (None, 5, 8). Hint: for query-key scores use axes={2, 2}")
  t.truthy(err:find("test_merge.lua:%d+:"), err)
  -- no hint when the last axes differ too
  err = t.raises(function() nn.Dot { axes = { 2, 1 }, name = "d1" }({ q, nn.Input { 6, 7 } }) end,
    "Dot 'd1': Incompatible input shapes: axis values 8 (at axis 2) != 6 (at axis 1). Full input shapes: (None, 5, 8), (None, 6, 7)")
  t.eq(err:find("Hint", 1, true), nil)
  -- Keras compares None with a size as different
  t.raises(function() nn.Dot { axes = 1, name = "d2" }({ nn.Input { None, 8 }, k }) end,
    "Dot 'd2': Incompatible input shapes: axis values None (at axis 1) != 5 (at axis 1). Full input shapes: (None, None, 8), (None, 5, 8)")
  t.raises(function() nn.Dot { axes = 1, name = "d3" }({ tensor.ones(2, 3), tensor.ones(2, 4) }) end,
    "Dot 'd3': Incompatible input shapes: axis values 3 (at axis 1) != 4 (at axis 1). Full input shapes: (2, 3), (2, 4)")
  t.raises(function() nn.Dot { axes = -1, name = "d4" }({ nn.Input {}, nn.Input {} }) end,
    "Dot 'd4': Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes (None,) and (None,).")
  t.raises(function() nn.Dot { axes = 0, name = "d5" }({ A, B }) end,
    "Dot 'd5': Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)")
  t.raises(function() nn.Dot { axes = 1, name = "d6" }({ tensor.ones(2, 3), tensor.ones(3, 3) }) end,
    "Dot 'd6': Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes (2, 3) and (3, 3).")
  t.raises(function() nn.Dot { axes = { 3, 1 }, name = "d7" }({ q, k }) end,
    "Dot 'd7': axes (3, 1) are out of range for input shapes (None, 5, 8) and (None, 5, 8)")
  t.raises(function() nn.Dot { axes = 2, name = "d8" }({ q, k, k }) end,
    "Dot 'd8': A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=[(None, 5, 8), (None, 5, 8), (None, 5, 8)]")
  t.raises(function() nn.Dot { axes = 2, name = "d9" }(q) end,
    "Dot 'd9': A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=(None, 5, 8)")
  -- the constructor
  t.raises(function() nn.Dot() end,
           "Dot: missing the required argument axes (an integer, or a pair {axis1, axis2})")
  t.raises(function() nn.Dot { normalize = true } end, "Dot: missing the required argument axes")
  t.raises(function() nn.Dot("x") end,
           "Dot: Invalid type for argument `axes`: it should be a list or an int. Received: axes=string \"x\"")
  t.raises(function() nn.Dot { axes = { 1, 2, 3 } } end,
           "Dot: Invalid format for argument `axes`: it should contain two elements. Received: axes=(1, 2, 3)")
  t.raises(function() nn.Dot { axes = { 1.5, 2 } } end,
           "Dot: Invalid format for argument `axes`: list elements should be integers. Received: axes=(1.5, 2)")
  t.raises(function() nn.Dot(1, { normalize = "yes" }) end,
           "Dot: normalize must be true or false, got string \"yes\"")
  t.raises(function() nn.Dot(1, { axis = 1 }) end, "Dot: unknown option 'axis' (known: name, normalize)")
end)

t.test("gradients through Dot, plain and normalized", function()
  nn.seed(13)
  local d = nn.Dot { axes = { 2, 2 } }
  gradcheck("Dot (2, 2)", function(a, b) return d({ a, b }) end, { R(2, 3, 4), R(2, 5, 4) })
  local d1 = nn.Dot { axes = { 1, 2 } }
  gradcheck("Dot (1, 2)", function(a, b) return d1({ a, b }) end, { R(2, 3, 4), R(2, 5, 3) })
  local dn = nn.Dot { axes = 2, normalize = true }
  gradcheck("Dot normalized", function(a, b) return dn({ a, b }) end, { R(2, 3, 4), R(2, 5, 4) })
  local d2 = nn.Dot(1, { normalize = true })
  gradcheck("Dot 2-D normalized", function(a, b) return d2({ a, b }) end, { R(3, 4), R(3, 4) })
end)

-- ---- Permute, Reshape, Flatten, RepeatVector -----------------------------------

t.test("Permute: dims from 1 without the batch axis", function()
  local y = nn.Permute { 2, 1 }(X)
  t.eq(shape(y), "(1, 3, 2)")
  same(y, { { { 1, 4 }, { 2, 5 }, { 3, 6 } } })
  t.eq(shape(nn.Permute { 2, 1 }(nn.Input { 10, 64 })), "(None, 64, 10)")
  t.eq(shape(nn.Permute({ 3, 1, 2 })(nn.Input { 2, None, 4 })), "(None, 4, 2, None)")
  t.eq(shape(nn.Permute { dims = { 1, 3, 2 } }(nn.Input { 2, 3, 4 })), "(None, 2, 4, 3)")
  t.eq(nn.Permute({ 2, 1 }, { name = "p" }).name, "p")
  t.eq(nn.Permute { 2, 1, name = "p2" }.name, "p2")
  t.raises(function() nn.Permute { 2, 3 } end,
           "Permute: Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received dims=(2, 3)")
  t.raises(function() nn.Permute { 0, 1 } end, "Received dims=(0, 1)")
  t.raises(function() nn.Permute { 1, 1 } end, "Received dims=(1, 1)")
  t.raises(function() nn.Permute({ 2, 1 }, { name = "p3" })(nn.Input { 8 }) end,
           "Permute 'p3': Input 0 of layer \"p3\" is incompatible with the layer: expected ndim=3, found ndim=2. Full shape received: (None, 8)")
  t.raises(function() nn.Permute(2) end, "Permute: expected dims, e.g. nn.Permute{2, 1}, got number")
  nn.seed(14)
  local p = nn.Permute { 3, 1, 2 }
  gradcheck("Permute", function(a) return p(a) end, { R(2, 3, 4, 5) })
end)

t.test("Reshape: target shape without the batch axis, one -1", function()
  local x = tensor.arange(24):reshape(2, 12)
  local y = nn.Reshape { 3, 4 }(x)
  t.eq(shape(y), "(2, 3, 4)")
  same(tensor.select(y, 0, 1), { { 12, 13, 14, 15 }, { 16, 17, 18, 19 }, { 20, 21, 22, 23 } })
  t.eq(shape(nn.Reshape { -1, 2, 2 }(x)), "(2, 3, 2, 2)")
  t.eq(shape(nn.Reshape({ 4, -1 })(x)), "(2, 4, 3)")
  t.eq(shape(nn.Reshape { target_shape = { 12 } }(y)), "(2, 12)")
  -- Keras's docstring
  local i = nn.Input { 12 }
  t.eq(shape(nn.Reshape { 3, 4 }(i)), "(None, 3, 4)")
  t.eq(shape(nn.Reshape { -1, 2, 2 }(i)), "(None, 3, 2, 2)")
  -- an unknown size in the input: -1 is unknown too
  t.eq(shape(nn.Reshape { -1 }(nn.Input { None, 4 })), "(None, None)")
  t.eq(shape(nn.Reshape { -1, 2 }(nn.Input { None, 4 })), "(None, None, 2)")
  same(nn.Reshape { -1 }(tensor.ones(2, 3, 4)), tensor.ones(2, 12))
  t.raises(function() nn.Reshape { -1, -1 } end,
           "Reshape: The `target_shape` argument must not contain more than one `-1` value. Received: target_shape=(-1, -1)")
  t.raises(function() nn.Reshape({ 5, 2 }, { name = "r" })(nn.Input { 3, 4 }) end,
           "Reshape 'r': The total size of the tensor must be unchanged. Received: input_shape=(3, 4), target_shape=(5, 2)")
  t.raises(function() nn.Reshape({ 5, -1 }, { name = "r1" })(tensor.ones(2, 3, 4)) end,
           "Reshape 'r1': The total size of the tensor must be unchanged, however, the input size cannot by divided by the specified dimensions in target_shape. Received: input_shape=(3, 4), target_shape=(5, -1)")
  t.raises(function() nn.Reshape { 2, -3 } end,
           "Reshape: target_shape must hold non-negative integers and at most one -1, got (2, -3)")
  t.raises(function() nn.Reshape(12) end, "Reshape: expected a target shape, e.g. nn.Reshape{3, 4}, got number")
  nn.seed(15)
  local r = nn.Reshape { 2, -1 }
  gradcheck("Reshape", function(a) return r(a) end, { R(2, 3, 4) })
end)

t.test("Flatten: (batch, ...) -> (batch, product)", function()
  local x = tensor.arange(12):reshape(2, 2, 3)
  local y = nn.Flatten()(x)
  t.eq(shape(y), "(2, 6)")
  same(y, { { 0, 1, 2, 3, 4, 5 }, { 6, 7, 8, 9, 10, 11 } })
  t.eq(shape(nn.Flatten()(nn.Input { 10, 64 })), "(None, 640)")
  t.eq(shape(nn.Flatten()(nn.Input { None, 4 })), "(None, None)")
  t.eq(shape(nn.Flatten()(tensor.ones(3))), "(3, 1)")
  t.eq(shape(nn.Flatten()(nn.Input {})), "(None, 1)")
  -- channels_first moves the channels last first
  same(nn.Flatten { data_format = "channels_first" }(X), { { 1, 4, 2, 5, 3, 6 } })
  t.raises(function() nn.Flatten { name = "f" }(tensor.from(3)) end,
           "Flatten 'f': Input 0 of layer \"f\" is incompatible with the layer: expected min_ndim=1, found ndim=0. Full shape received: ()")
  t.raises(function() nn.Flatten { data_format = "nhwc" } end,
           "Flatten: The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=string \"nhwc\"")
  nn.seed(16)
  local f = nn.Flatten()
  gradcheck("Flatten", function(a) return f(a) end, { R(2, 3, 4) })
end)

t.test("RepeatVector: (batch, features) -> (batch, n, features)", function()
  local y = nn.RepeatVector(3)(A)
  t.eq(shape(y), "(2, 3, 3)")
  same(y, { { { 1, 2, 3 }, { 1, 2, 3 }, { 1, 2, 3 } }, { { 4, 5, 6 }, { 4, 5, 6 }, { 4, 5, 6 } } })
  t.eq(shape(nn.RepeatVector(3)(nn.Input { 32 })), "(None, 3, 32)")
  t.eq(shape(nn.RepeatVector(0)(A)), "(2, 0, 3)")
  t.raises(function() nn.RepeatVector(2.5) end,
           "RepeatVector: Expected an integer value for `n`, got 2.5")
  t.raises(function() nn.RepeatVector("3") end,
           "RepeatVector: Expected an integer value for `n`, got string \"3\"")
  t.raises(function() nn.RepeatVector(-1) end, "RepeatVector: n must be a non-negative integer, got -1")
  t.raises(function() nn.RepeatVector(2, { name = "rv" })(X) end,
           "RepeatVector 'rv': Input 0 of layer \"rv\" is incompatible with the layer: expected ndim=2, found ndim=3. Full shape received: (1, 2, 3)")
  nn.seed(17)
  local r = nn.RepeatVector(4)
  gradcheck("RepeatVector", function(a) return r(a) end, { R(2, 3) })
  -- each copy's gradient adds up
  local a = tensor.ones(2, 3, { requires_grad = true })
  r(a):sum():backward()
  same(a.grad, tensor.full({ 2, 3 }, 4))
end)

t.test("Permute, Reshape, Flatten, RepeatVector drop a mask, with Keras's warning once", function()
  local x = nn.Masking()(T { { { 0, 0 }, { 1, 2 }, { 3, 4 } } })
  t.truthy(x.mask ~= nil)
  local f = nn.Flatten { name = "flat" }
  local y
  local text = stderr_of(function() y = f(x) end)
  t.eq(text, "UserWarning: Layer 'flat' (of type Flatten) was passed an input with a mask attached to it. However, this layer does not support masking and will therefore destroy the mask information. Downstream layers will not see the mask.\n")
  t.eq(y.mask, nil)
  t.eq(stderr_of(function() f(x) end), "", "the warning is given once")
  t.truthy(stderr_of(function() nn.Permute { 2, 1 }(x) end):find("of type Permute", 1, true))
  t.truthy(stderr_of(function() nn.Reshape { 6 }(x) end):find("of type Reshape", 1, true))
  t.eq(stderr_of(function() nn.Flatten()(T { { 1, 2 } }) end), "", "no mask, no warning")
end)

-- ---- pooling ---------------------------------------------------------------------

local P = T { { { 1, 2 }, { 3, 4 }, { 5, 9 } }, { { -1, 0 }, { 2, -2 }, { 7, 1 } } } -- (2, 3, 2)
local PM = T { { 1, 1, 0 }, { 1, 0, 0 } }

t.test("GlobalAveragePooling1D: the mean over time, over the unmasked steps only", function()
  near(nn.GlobalAveragePooling1D()(P), { { 3, 5 }, { 8 / 3, -1 / 3 } })
  same(nn.GlobalAveragePooling1D()(P, { mask = PM }), { { 2, 3 }, { -1, 0 } })
  -- the mask an Embedding / Masking attaches
  local x = nn.Masking()(T { { { 1, 2 }, { 3, 4 }, { 0, 0 } } })
  local y = nn.GlobalAveragePooling1D()(x)
  same(y, { { 2, 3 } })
  t.eq(y.mask, nil, "no mask out")
  local k = nn.GlobalAveragePooling1D { keepdims = true }(P, { mask = PM })
  t.eq(shape(k), "(2, 1, 2)")
  same(k, { { { 2, 3 } }, { { -1, 0 } } })
  -- channels_first: (batch, features, steps)
  local cf = nn.GlobalAveragePooling1D { data_format = "channels_first" }
  same(cf(tensor.transpose(P, { 0, 2, 1 }), { mask = PM }), { { 2, 3 }, { -1, 0 } })
  t.eq(shape(nn.GlobalAveragePooling1D()(nn.Input { None, 8 })), "(None, 8)")
  t.eq(shape(nn.GlobalAvgPool1D { keepdims = true }(nn.Input { 5, 8 })), "(None, 1, 8)")
  local e = nn.Embedding(10, 4, { mask_zero = true })(nn.Input { 6 })
  local s = nn.GlobalAveragePooling1D()(e)
  t.eq(shape(s), "(None, 4)")
  t.eq(s.mask, nil)
  t.raises(function() nn.GlobalAveragePooling1D { name = "g" }(A) end,
           "GlobalAveragePooling1D 'g': Input 0 of layer \"g\" is incompatible with the layer: expected ndim=3, found ndim=2. Full shape received: (2, 3)")
  t.raises(function() nn.GlobalAveragePooling1D { keepdims = 1 } end,
           "GlobalAveragePooling1D: keepdims must be true or false, got 1")
  nn.seed(18)
  local g = nn.GlobalAveragePooling1D()
  gradcheck("GlobalAveragePooling1D masked", function(a) return g(a, { mask = PM }) end, { R(2, 3, 4) })
  gradcheck("GlobalAveragePooling1D", function(a) return g(a) end, { R(2, 3, 4) })
end)

t.test("GlobalMaxPooling1D: the max over time; like Keras it does not support masking", function()
  same(nn.GlobalMaxPooling1D()(P), { { 5, 9 }, { 7, 1 } })
  same(nn.GlobalMaxPool1D { keepdims = true }(P), { { { 5, 9 } }, { { 7, 1 } } })
  same(nn.GlobalMaxPooling1D { data_format = "channels_first" }(tensor.transpose(P, { 0, 2, 1 })),
       { { 5, 9 }, { 7, 1 } })
  t.eq(shape(nn.GlobalMaxPooling1D()(nn.Input { None, 8 })), "(None, 8)")
  -- Keras 3 ignores the mask here (all steps count) and warns
  local g = nn.GlobalMaxPooling1D { name = "gmp" }
  local y
  local text = stderr_of(function() y = g(P, { mask = PM }) end)
  same(y, { { 5, 9 }, { 7, 1 } })
  t.eq(y.mask, nil)
  t.truthy(text:find("Layer 'gmp' (of type GlobalMaxPooling1D) was passed an input with a mask attached to it.", 1, true), text)
  nn.seed(19)
  gradcheck("GlobalMaxPooling1D", function(a) return nn.GlobalMaxPooling1D()(a) end, { R(2, 3, 4) })
end)

-- ---- Softmax ---------------------------------------------------------------------

t.test("Softmax layer: axis, a table of axes, and Keras 3's mask (-1e9 where masked)", function()
  local x = T { { 1, 2, 3 } }
  local e = { math.exp(1), math.exp(2), math.exp(3) }
  local z = e[1] + e[2] + e[3]
  near(nn.Softmax()(x), { { e[1] / z, e[2] / z, e[3] / z } })
  local m = T { { 1, 1, 0 } }
  local y = nn.Softmax()(x, { mask = m })
  near(y, { { e[1] / (e[1] + e[2]), e[2] / (e[1] + e[2]), 0 } })
  t.eq(rawequal(y.mask, m), true, "the mask passes through")
  near(nn.Softmax(0)(T { { 0 }, { 0 } }), { { 0.5 }, { 0.5 } })
  near(nn.Softmax { axis = 1 }(T { { { 0, 5 }, { 0, 5 } } }), { { { 0.5, 0.5 }, { 0.5, 0.5 } } })
  -- several axes: one softmax over all of them
  near(nn.Softmax { axis = { 1, 2 } }(T { { { 0, 0 }, { 0, 0 } } }), { { { 0.25, 0.25 }, { 0.25, 0.25 } } })
  near(nn.Softmax { axis = { 1 } }(T { { { 0, 5 }, { 0, 5 } } }), { { { 0.5, 0.5 }, { 0.5, 0.5 } } })
  -- symbolic: attention weights over the unpadded steps of a sequence
  local ids = nn.Input { 6 }
  local scores = nn.Dense(1)(nn.Embedding(10, 4, { mask_zero = true })(ids))
  local flat
  t.truthy(stderr_of(function() flat = nn.Reshape { 6 }(scores) end):find("of type Reshape", 1, true))
  t.eq(flat.mask, nil)
  local s = nn.Softmax { axis = 1 }(flat, { mask = scores.mask })
  t.eq(shape(s), "(None, 6)")
  t.eq(rawequal(s.mask, scores.mask), true)
  t.raises(function() nn.Softmax { axis = 1.5 } end,
           "Softmax: axis must be an integer or a table of integers, got 1.5")
  t.raises(function() nn.Softmax { axis = 3, name = "sm" }(x) end, "Softmax 'sm': ")
  t.raises(function() nn.Softmax { name = "sm2" }(x, { mask = T { { 1, 0 } } }) end, "Softmax 'sm2': ")
  nn.seed(20)
  local sm = nn.Softmax()
  gradcheck("Softmax masked", function(a) return sm(a, { mask = PM }) end, { R(2, 3) })
  local sm2 = nn.Softmax { axis = { 1, 2 } }
  gradcheck("Softmax over two axes", function(a) return sm2(a) end, { R(2, 3, 2) })
end)

-- ---- Dropout ---------------------------------------------------------------------

t.test("Dropout: identity unless called with training=true", function()
  local d = nn.Dropout(0.5)
  local x = tensor.randn(4, 5)
  same(d(x), x)
  same(d(x, { training = false }), x)
  local i = nn.Input { 5, 8 }
  local y = d(i, { training = true })
  t.eq(shape(y), "(None, 5, 8)")
  t.eq(rawequal(y.node.layer, d), true)
  t.eq(i.node.kind, "input", "the input keeps its own record")
  t.eq(shape(d(i)), "(None, 5, 8)")
  same(nn.Dropout(0)(x, { training = true }), x)
  same(nn.Dropout(1)(x, { training = true }), tensor.zeros(4, 5))
end)

t.test("Dropout in training: inverted dropout, reproducible with nn.seed", function()
  local d = nn.Dropout(0.4)
  local x = tensor.ones(200, 50)
  nn.seed(1)
  local y = d(x, { training = true })
  local zeros, bad = 0, 0
  for _, row in ipairs(y:totable()) do
    for _, v in ipairs(row) do
      if v == 0 then zeros = zeros + 1
      elseif math.abs(v - 1 / 0.6) > 1e-6 then bad = bad + 1 end
    end
  end
  t.eq(bad, 0, "kept values are scaled by 1 / (1 - rate)")
  t.truthy(math.abs(zeros / 10000 - 0.4) < 0.03, "dropped fraction " .. zeros / 10000)
  nn.seed(1)
  same(d(x, { training = true }), y, "same seed, same mask")
  t.truthy((d(x, { training = true }) - y):abs():max():item() > 0, "the next call differs")
end)

t.test("Dropout seed= gives the layer its own reproducible stream; noise_shape shares the mask", function()
  local x = tensor.ones(20, 30)
  local a, b = nn.Dropout(0.5, { seed = 42 }), nn.Dropout { rate = 0.5, seed = 42 }
  local ya = a(x, { training = true })
  nn.seed(99)
  same(b(x, { training = true }), ya, "same seed, same masks, whatever nn.seed says")
  t.truthy((a(x, { training = true }) - ya):abs():max():item() > 0, "the stream moves on")
  local z = nn.Dropout(0.5, { seed = 7 })(x, { training = true }):totable()
  for _, row in ipairs(z) do
    for _, v in ipairs(row) do t.truthy(v == 0 or v == 2) end
  end
  -- noise_shape (batch, 1, features): one mask for all time steps
  nn.seed(3)
  local y = nn.Dropout(0.5, { noise_shape = { None, 1, 6 } })(tensor.ones(3, 5, 6), { training = true })
  for bi = 0, 2 do
    local first = tensor.select(tensor.select(y, 0, bi), 0, 0)
    for ti = 1, 4 do same(tensor.select(tensor.select(y, 0, bi), 0, ti), first) end
  end
  local y2 = nn.Dropout(0.5, { noise_shape = { 3, 1, 6 }, seed = 1 })(tensor.ones(3, 5, 6), { training = true })
  t.eq(shape(y2), "(3, 5, 6)")
end)

t.test("Dropout: masks pass through, gradients, errors", function()
  local x = nn.Masking()(T { { { 0, 0 }, { 1, 2 } } })
  local y = nn.Dropout(0.5)(x, { training = true })
  t.eq(rawequal(y.mask, x.mask), true)
  nn.seed(21)
  local d = nn.Dropout(0.3)
  gradcheck("Dropout", function(a) nn.seed(5); return d(a, { training = true }) end, { R(3, 4) })
  t.raises(function() nn.Dropout(1.5) end,
           "Dropout: Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=1.5")
  t.raises(function() nn.Dropout(-0.1) end, "Received: rate=-0.1")
  t.raises(function() nn.Dropout() end, "Received: rate=nil")
  t.raises(function() nn.Dropout("0.5") end, "Received: rate=string \"0.5\"")
  t.raises(function() nn.Dropout(0.5, { noise_shape = { 2, 0 } }) end,
           "Dropout: Invalid value received for argument `noise_shape`. Expected all dimensions to be positive integers or None. Received negative or zero value at index 1: 0")
  t.raises(function() nn.Dropout(0.5, { noise_shape = { 2.5 } }) end,
           "Dropout: Invalid value received for argument `noise_shape`. Expected all elements to be integers or None. Received element at index 0: 2.5 (type: float)")
  t.raises(function() nn.Dropout(0.5, { noise_shape = "abc" }) end,
           "Dropout: Invalid value received for argument `noise_shape`. Expected a tuple or list of integers. Received: noise_shape=abc")
  t.raises(function() nn.Dropout(0.5, { seed = 1.5 }) end, "Dropout: seed must be an integer, got 1.5")
  t.raises(function() nn.Dropout(0.5, { noise_shape = { 2, 3 }, name = "dn" })(tensor.ones(2, 4), { training = true }) end,
           "Dropout 'dn': noise_shape (2, 3) does not fit the input shape (2, 4) (each size must be the input's, 1 or None)")
  t.raises(function() nn.Dropout(0.5, { rate = 0.1 }) end, "Dropout: unknown option 'rate'")
end)

-- ---- TimeDistributed ---------------------------------------------------------------

t.test("TimeDistributed(Dense): the same weights at every step, the inner layer's weights", function()
  nn.seed(22)
  local d = nn.Dense(3, { name = "inner" })
  local td = nn.TimeDistributed(d)
  local x = tensor.randn(2, 4, 5)
  local y = td(x)
  t.eq(shape(y), "(2, 4, 3)")
  t.eq(shape(d.kernel), "(5, 3)")
  -- step by step
  for s = 0, 3 do
    near(tensor.select(y, 1, s), d(tensor.select(x, 1, s)), "step " .. s)
  end
  t.eq(#td.weights, 2)
  t.eq(rawequal(td.weights[1], d.kernel), true)
  t.eq(td:count_params(), 5 * 3 + 3)
  local w = td:get_weights()
  td:set_weights({ tensor.ones(5, 3), tensor.zeros(3) })
  same(d.kernel, tensor.ones(5, 3))
  td:set_weights(w)
  near(td(x), y)
end)

t.test("TimeDistributed on symbolic inputs, other layers, nesting", function()
  local td = nn.TimeDistributed(nn.Dense(3))
  local y = td(nn.Input { None, 5 })
  t.eq(shape(y), "(None, None, 3)")
  t.eq(shape(td.layer.kernel), "(5, 3)")
  t.eq(shape(td(tensor.ones(2, 7, 5))), "(2, 7, 3)")
  local f = nn.TimeDistributed(nn.Flatten())
  local x = tensor.arange(12):reshape(1, 2, 2, 3)
  same(f(x), { { { 0, 1, 2, 3, 4, 5 }, { 6, 7, 8, 9, 10, 11 } } })
  t.eq(shape(f(nn.Input { 10, 4, 4 })), "(None, 10, 16)")
  local nested = nn.TimeDistributed(nn.TimeDistributed(nn.Dense(2)))
  t.eq(shape(nested(tensor.ones(2, 3, 4, 5))), "(2, 3, 4, 2)")
  t.eq(nested:count_params(), 12)
  -- a recurrent layer over the time steps of groups of sequences
  t.eq(shape(nn.TimeDistributed(nn.GRU(4))(tensor.ones(2, 3, 6, 5))), "(2, 3, 4)")
  t.eq(shape(nn.TimeDistributed(nn.GRU(4))(nn.Input { 3, None, 5 })), "(None, 3, 4)")
  -- the mask passes through
  local e = nn.Embedding(10, 4, { mask_zero = true })(nn.Input { 6 })
  local o = nn.TimeDistributed(nn.Dense(2))(e)
  t.eq(shape(o), "(None, 6, 2)")
  t.eq(rawequal(o.mask, e.mask), true)
  -- training reaches the inner layer
  nn.seed(4)
  local dr = nn.TimeDistributed(nn.Dropout(0.5))(tensor.ones(2, 3, 4), { training = true })
  t.truthy(dr:min():item() == 0)
end)

t.test("TimeDistributed errors and gradients", function()
  t.raises(function() nn.TimeDistributed(nn.Dense(3), { name = "td" })(nn.Input { 8 }) end,
           "TimeDistributed 'td': `TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, received: (None, 8)")
  t.raises(function() nn.TimeDistributed(3) end,
           "TimeDistributed: Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. Received: 3")
  t.raises(function() nn.TimeDistributed({}) end, "Please initialize `TimeDistributed` layer")
  t.raises(function() nn.TimeDistributed(nn.Dense(3), { name = "td2" })(tensor.ones(2, 3, 4), { mask = T { { 1, 1 } } }) end,
           "TimeDistributed 'td2': `TimeDistributed` Layer should be passed a `mask` of shape (2, 3, ...), received: mask.shape=(1, 2)")
  nn.seed(23)
  local td = nn.TimeDistributed(nn.Dense(3, { activation = "tanh" }))
  local x = R(2, 4, 5)
  td(x)
  gradcheck("TimeDistributed(Dense)", function(a) return td(a) end, { x, td.layer.kernel, td.layer.bias })
end)

-- ---- Lambda ------------------------------------------------------------------------

t.test("Lambda: a function of a tensor or of a table of tensors, on data and symbolic", function()
  local sq = nn.Lambda(function(x) return x * x end)
  same(sq(A), { { 1, 4, 9 }, { 16, 25, 36 } })
  local i = nn.Input { 5, 8 }
  local y = sq(i)
  t.eq(shape(y), "(None, 5, 8)")
  t.eq(rawequal(y.node.layer, sq), true)
  t.eq(shape(nn.Lambda(function(x) return tensor.sum(x, -1) end)(i)), "(None, 5)")
  local prod = nn.Lambda(function(xs) return xs[1] * xs[2] end)
  same(prod({ A, B }), { { 1, 2, 6 }, { 0, 10, 6 } })
  local j = nn.Input { 5, 8 }
  local z = prod({ i, j })
  t.eq(shape(z), "(None, 5, 8)")
  t.eq(rawequal(z.node.inputs[2], j), true)
  t.eq(z.node.list_input, true)
  -- a tensor function as it is
  same(nn.Lambda(tensor.relu)(T { { -1, 2 } }), { { 0, 2 } })
  -- the identity: a new symbolic tensor, the input keeps its record
  local id = nn.Lambda(function(x) return x end)(i)
  t.eq(rawequal(id, i), false)
  t.eq(i.node.kind, "input")
  -- Keras's Lambda(lambda x: x[:, -1, :]): the last step
  same(nn.Lambda(function(x) return tensor.select(x, 1, -1) end)(X), { { 4, 5, 6 } })
end)

t.test("Lambda: arguments, mask and training parameters by name; mask=; output_shape=", function()
  local scale = nn.Lambda(function(x, s) return x * s end, { arguments = { s = 3 } })
  same(scale(B), { { 3, 3, 6 }, { 0, 6, 3 } })
  local seen
  local f = nn.Lambda(function(x, mask, training)
    seen = { mask = mask, training = training }
    return x * tensor.expand_dims(mask, -1)
  end)
  local x = tensor.ones(1, 3, 2)
  local m = T { { 1, 0, 1 } }
  local out
  local text = stderr_of(function() out = f(x, { mask = m, training = true }) end)
  same(out, { { { 1, 1 }, { 0, 0 }, { 1, 1 } } })
  t.eq(rawequal(seen.mask, m), true)
  t.eq(seen.training, true)
  -- without mask=, Lambda does not support masking: no mask out, a warning
  t.eq(out.mask, nil)
  t.truthy(text:find("of type Lambda", 1, true), text)
  -- mask= a function(inputs, mask), or a tensor
  local keep = nn.Lambda(function(v) return v * 2 end, { mask = function(_, mk) return mk end })
  t.eq(rawequal(keep(x, { mask = m }).mask, m), true)
  local fixed = nn.Lambda(function(v) return v end, { mask = m })
  t.eq(rawequal(fixed(x).mask, m), true)
  -- output_shape (without the batch axis) fills unknown sizes
  local r = nn.Lambda(function(v) return tensor.reshape(v, { -1, 4 }) end, { output_shape = { 4 } })
  t.eq(shape(r(tensor.ones(2, 2, 2))), "(2, 4)")
  t.raises(function() nn.Lambda(function(v) return v end, { output_shape = { 3 }, name = "lo" })(nn.Input { 4 }) end,
           "Lambda 'lo': output_shape (None, 3) does not match the shape the function returns, (None, 4)")
  local fs = nn.Lambda(function(v) return v end, { output_shape = function(s) return { s[1], 4 } end })
  t.eq(shape(fs(nn.Input { 4 })), "(None, 4)")
end)

t.test("Lambda: gradients and errors", function()
  nn.seed(24)
  local l = nn.Lambda(function(xs) return tensor.tanh(xs[1]) * xs[2] + xs[1] end)
  gradcheck("Lambda", function(a, b) return l({ a, b }) end, { R(2, 3), R(2, 3) })
  t.raises(function() nn.Lambda(3) end, "Lambda: expected a function, got number")
  t.raises(function() nn.Lambda(function(x) return 1 end, { name = "bad" })(A) end,
           "Lambda 'bad': the function returned number, expected a tensor")
  t.raises(function() nn.Lambda(function(x, s) return x end, { arguments = { k = 1 }, name = "la" }) end,
           "Lambda 'la': arguments has 'k' but the function has no parameter of that name")
  t.raises(function() nn.Lambda(function(x) return x end, { fn = 1 }) end,
           "Lambda: unknown option 'fn' (known: arguments, mask, name, output_shape)")
  t.raises(function() nn.Lambda(function(x) return x end, { name = "lx" })(3) end,
           "Lambda 'lx': expected a tensor or a table of tensors, got number")
end)

-- ---- a recipe: Luong-style attention from merge layers -------------------------------

t.test("a Keras attention recipe from Dot, Softmax and Concatenate", function()
  nn.clear_session()
  local enc = nn.Input { 7, 16 }
  local dec = nn.Input { 5, 16 }
  local scores = nn.Dot { axes = { 2, 2 } }({ dec, enc })          -- (None, 5, 7)
  local weights = nn.Softmax()(scores)
  local context = nn.Dot { axes = { 2, 1 } }({ weights, enc })     -- (None, 5, 16)
  local out = nn.Concatenate()({ context, dec })
  t.eq(shape(scores), "(None, 5, 7)")
  t.eq(shape(context), "(None, 5, 16)")
  t.eq(shape(out), "(None, 5, 32)")
  t.eq(out.node.layer.name, "concatenate")
  -- on data: the weights sum to one, the context is their mix of enc
  nn.seed(25)
  local e, d = tensor.randn(2, 7, 16), tensor.randn(2, 5, 16)
  local w = nn.Softmax()(nn.Dot { axes = { 2, 2 } }({ d, e }))
  near(w:sum(-1), tensor.ones(2, 5))
  near(nn.Dot { axes = { 2, 1 } }({ w, e }), tensor.matmul(w, e))
end)

t.done()
