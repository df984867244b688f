-- test_train.lua - nn.losses and nn.optimizers as Keras 3's: names,
-- defaults, get(), reductions, sample weights and masks, messages, the
-- optimizer objects (state per weight, iterations, learning rate,
-- clipping), and a tiny linear model trained with each optimizer.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local L, O = nn.losses, nn.optimizers

-- ---- losses ------------------------------------------------------------------

t.test("loss classes: Keras's names and defaults", function()
  local cce = L.CategoricalCrossentropy()
  t.eq(cce.name, "categorical_crossentropy")
  t.eq(cce.from_logits, false)
  t.eq(cce.label_smoothing, 0.0)
  t.eq(cce.reduction, "sum_over_batch_size")
  t.eq(tostring(cce), "<CategoricalCrossentropy name=categorical_crossentropy, from_logits=false, label_smoothing=0>")
  t.eq(L.SparseCategoricalCrossentropy().name, "sparse_categorical_crossentropy")
  t.eq(tostring(L.SparseCategoricalCrossentropy { from_logits = true }),
       "<SparseCategoricalCrossentropy name=sparse_categorical_crossentropy, from_logits=true>")
  t.eq(L.BinaryCrossentropy { label_smoothing = 0.1 }.label_smoothing, 0.1)
  t.eq(L.BinaryCrossentropy().name, "binary_crossentropy")
  t.eq(L.MeanSquaredError().name, "mean_squared_error")
  t.eq(L.MeanAbsoluteError().name, "mean_absolute_error")
  t.eq(L.MeanSquaredError { name = "my_mse" }.name, "my_mse")
  local cfg = L.CategoricalCrossentropy { from_logits = true }:get_config()
  t.eq(cfg.from_logits, true)
  t.eq(cfg.name, "categorical_crossentropy")
end)

t.test("losses.get: names, aliases, class names, configs, objects, functions", function()
  t.eq(L.get("categorical_crossentropy").name, "categorical_crossentropy")
  t.eq(L.get("sparse_categorical_crossentropy").name, "sparse_categorical_crossentropy")
  t.eq(L.get("binary_crossentropy").name, "binary_crossentropy")
  t.eq(L.get("mse").name, "mean_squared_error")
  t.eq(L.get("MSE").name, "mean_squared_error")
  t.eq(L.get("mae").name, "mean_absolute_error")
  t.eq(L.get("bce").name, "binary_crossentropy")
  t.eq(L.get("CategoricalCrossentropy").class_name, "CategoricalCrossentropy")
  local c = L.get { class_name = "SparseCategoricalCrossentropy", config = { from_logits = true } }
  t.eq(c.from_logits, true)
  local obj = L.BinaryCrossentropy()
  t.eq(rawequal(L.get(obj), obj), true)
  -- the function forms become the loss objects
  t.eq(L.get(L.mean_squared_error).class_name, "MeanSquaredError")
  t.eq(L.get(L.BinaryCrossentropy).name, "binary_crossentropy") -- a class
  -- a Lua function is wrapped: its per-sample losses are averaged
  local f = L.get(function(y, p) return ((y - p) * (y - p)):sum(-1) end)
  t.eq(f.class_name, "LossFunctionWrapper")
  local y, p = tensor.from { { 1, 2 }, { 3, 4 } }, tensor.from { { 1, 1 }, { 1, 1 } }
  t.near(f(y, p), (1 + 4 + 9) / 2, 1e-6)
  t.near(L.get(function(a, b) return 2.5 end)(y, p), 2.5, 0)
end)

t.test("losses.get: unknown names are refused", function()
  t.raises(function() L.get("crossentropy") end,
           "losses.get: could not interpret loss identifier 'crossentropy' (known: BCE, ")
  t.raises(function() L.get("huber") end,
           "losses.get: 'huber' is a Keras loss that attnlab does not have")
  t.raises(function() L.get(42) end, "losses.get: could not interpret loss identifier 42")
  local err = t.raises(function() L.get("nope") end, "could not interpret")
  t.truthy(err:find("test_train.lua:%d+:"), "the message names the learner's line: " .. err)
end)

t.test("loss values: Keras's docstring examples", function()
  local yt = tensor.from { { 0, 1, 0 }, { 0, 0, 1 } }
  local yp = tensor.from { { 0.05, 0.95, 0 }, { 0.1, 0.8, 0.1 } }
  -- the function forms give the per-sample losses, as in Keras
  t.near(L.categorical_crossentropy(yt, yp), { 0.0513, 2.3026 }, 1e-4)
  t.near(L.sparse_categorical_crossentropy(tensor.from { 1, 2 }, yp), { 0.0513, 2.3026 }, 1e-4)
  t.near(L.binary_crossentropy(tensor.from { { 0, 1 }, { 0, 0 } },
                               tensor.from { { 0.6, 0.4 }, { 0.4, 0.6 } }), { 0.9163, 0.7136 }, 1e-4)
  -- the objects reduce them: the mean over the batch
  local l = L.CategoricalCrossentropy()(yt, yp)
  t.eq(l.ndim, 0)
  t.near(l, (0.0512933 + 2.3025851) / 2, 1e-6)
  t.near(L.get("sparse_categorical_crossentropy")({ 1, 2 }, yp), (0.0512933 + 2.3025851) / 2, 1e-6)
  t.near(L.mean_squared_error(tensor.from { { 1, 2 } }, tensor.from { { 2, 4 } }), { 2.5 }, 1e-6)
  t.near(L.mean_absolute_error(tensor.from { { 1, 2 } }, tensor.from { { 2, 4 } }), { 1.5 }, 1e-6)
  -- options of the function forms
  t.near(L.categorical_crossentropy(yt, tensor.from { { 0, 1, 0 }, { 0, 0, 1 } }, { from_logits = true }),
         { 0.5514, 0.5514 }, 1e-4) -- log(2 + e) - 1
end)

t.test("reductions", function()
  local y, p = tensor.from { { 1 }, { 2 }, { 3 } }, tensor.from { { 0 }, { 0 }, { 0 } }
  t.near(L.MeanSquaredError()(y, p), 14 / 3, 1e-6)
  t.near(L.MeanSquaredError { reduction = "sum" }(y, p), 14, 1e-6)
  t.near(L.MeanSquaredError { reduction = "mean" }(y, p), 14 / 3, 1e-6)
  t.near(L.MeanSquaredError { reduction = "none" }(y, p), { 1, 4, 9 }, 1e-6)
  t.raises(function() L.MeanSquaredError { reduction = "avg" } end,
           "MeanSquaredError: invalid reduction string \"avg\"")
end)

t.test("sample_weight and the Keras mask of y_pred", function()
  local y, p = tensor.from { 1, 2, 3, 4 }, tensor.from { { 0 }, { 0 }, { 0 }, { 0 } }
  local mse = L.MeanSquaredError()
  -- per-sample 1, 4, 9, 16; weights 1, 0, 0.5, 0: sum 5.5 over 4 samples
  t.near(mse(y, p, tensor.from { 1, 0, 0.5, 0 }), 5.5 / 4, 1e-6)
  t.near(mse(y, p, { 1, 0, 0.5, 0 }), 5.5 / 4, 1e-6)
  t.near(L.MeanSquaredError { reduction = "mean_with_sample_weight" }(y, p, { 1, 0, 0.5, 0 }),
         5.5 / 1.5, 1e-6)
  t.near(L.MeanSquaredError { reduction = "sum" }(y, p, { 1, 0, 0.5, 0 }), 5.5, 1e-6)
  -- a (batch, time) mask: the mean is over the unmasked steps only
  local labels = tensor.from { { 0, 1, 1 }, { 2, 0, 0 } }
  local logits = tensor.zeros(2, 3, 3)
  nn.masks[logits] = tensor.from { { 1, 1, 0 }, { 1, 0, 0 } }
  local scce = L.SparseCategoricalCrossentropy { from_logits = true }
  t.near(scce(labels, logits), math.log(3), 1e-6)
  local x = tensor.from({ { { 0, 5, 0 }, { 0, 0, 0 }, { 9, 9, 9 } } }, { requires_grad = true })
  nn.masks[x] = tensor.from { { 1, 1, 0 } }
  local l = scce({ { 1, 2, 0 } }, x)
  local want = ((math.log(2 + math.exp(5)) - 5) + math.log(3)) / 2
  t.near(l, want, 1e-5)
  l:backward()
  t.near(x.grad:select(1, 2), { { 0, 0, 0 } }, 0) -- the masked step gets nothing
end)

t.test("loss gradients agree with finite differences", function()
  local y = tensor.from { { 0, 1, 0 }, { 1, 0, 0 } }
  local p = tensor.rand(2, 3, { requires_grad = true, minval = 0.2, maxval = 1 })
  t.truthy(tensor.gradcheck(function(q) return L.CategoricalCrossentropy()(y, q) end, { p }))
  local x = tensor.randn(2, 3, { requires_grad = true })
  t.truthy(tensor.gradcheck(function(q) return L.SparseCategoricalCrossentropy { from_logits = true }({ 2, 0 }, q) end, { x }))
  t.truthy(tensor.gradcheck(function(q)
    return L.BinaryCrossentropy { from_logits = true, label_smoothing = 0.1 }(y, q)
  end, { x }))
end)

t.test("loss messages name the loss, both shapes and the fix", function()
  local p = tensor.zeros(32, 10)
  t.raises(function() L.SparseCategoricalCrossentropy()(tensor.zeros(32, 10), p) end,
           "sparse_categorical_crossentropy: labels (32, 10) and predictions (32, 10) do not fit: expected labels of shape (32,) (one class index per prediction); the labels look one-hot: use categorical_crossentropy")
  t.raises(function() L.get("sparse_categorical_crossentropy")(tensor.full({ 32 }, 10), p) end,
           "sparse_categorical_crossentropy: label 10 (labels[0]) is outside the valid range [0, 10) of predictions (32, 10)")
  t.raises(function() L.get("categorical_crossentropy")(tensor.zeros(32), p) end,
           "categorical_crossentropy: labels (32,) and predictions (32, 10) must have the same shape; the labels look like class indices: use sparse_categorical_crossentropy")
  t.raises(function() L.get("mse")(tensor.zeros(32, 3), p) end,
           "mean_squared_error: labels (32, 3) and predictions (32, 10) must have the same shape")
  local err = t.raises(function() L.get("mse")(tensor.zeros(32, 3), p) end, "mean_squared_error")
  t.truthy(err:find("test_train.lua:%d+:"), "the message names the learner's line: " .. err)
  t.raises(function() L.CategoricalCrossentropy { from_logit = true } end,
           "CategoricalCrossentropy: unknown option 'from_logit'")
  t.raises(function() L.CategoricalCrossentropy { label_smoothing = 2 } end,
           "CategoricalCrossentropy: label_smoothing must be a number in [0, 1], got 2")
  t.raises(function() L.BinaryCrossentropy { from_logits = "yes" } end,
           "BinaryCrossentropy: from_logits must be true or false")
  t.raises(function() L.MeanSquaredError { axis = 1 } end,
           "MeanSquaredError: only axis=-1 is supported, got 1")
  t.raises(function() L.MeanSquaredError()(tensor.zeros(2), "x") end,
           "mean_squared_error: y_pred must be a tensor, got string")
end)

t.test("categorical_crossentropy on a single class warns, as Keras does", function()
  local saved, said = io.stderr, nil
  io.stderr = { write = function(_, s) said = s end }
  local ok, err = pcall(function()
    L.CategoricalCrossentropy()(tensor.ones(4, 1), tensor.ones(4, 1))
  end)
  io.stderr = saved
  t.truthy(ok, err)
  t.truthy(said and said:find("consider binary_crossentropy", 1, true), tostring(said))
end)

-- ---- optimizers ----------------------------------------------------------------

t.test("optimizer classes: Keras's names and defaults", function()
  local sgd = O.SGD()
  t.eq(sgd.name, "SGD")
  t.eq(sgd.learning_rate, 0.01)
  t.eq(sgd.momentum, 0.0)
  t.eq(sgd.nesterov, false)
  local r = O.RMSprop()
  t.eq(r.name, "rmsprop")
  t.eq(r.learning_rate, 0.001)
  t.eq(r.rho, 0.9)
  t.eq(r.momentum, 0.0)
  t.eq(r.epsilon, 1e-7)
  t.eq(r.centered, false)
  local a = O.Adam()
  t.eq(a.name, "adam")
  t.eq(a.learning_rate, 0.001)
  t.eq(a.beta_1, 0.9)
  t.eq(a.beta_2, 0.999)
  t.eq(a.epsilon, 1e-7)
  t.eq(a.amsgrad, false)
  t.eq(a.weight_decay, nil)
  local aw = O.AdamW()
  t.eq(aw.name, "adamw")
  t.eq(aw.weight_decay, 0.004)
  t.eq(aw.beta_2, 0.999)
  local ag = O.Adagrad()
  t.eq(ag.name, "adagrad")
  t.eq(ag.learning_rate, 0.001)
  t.eq(ag.initial_accumulator_value, 0.1)
  t.eq(ag.epsilon, 1e-7)
  t.eq(a.iterations, 0)
  t.eq(tostring(a), "<Adam name=adam, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=false, iterations=0>")
  t.eq(tostring(O.SGD { momentum = 0.9, clipnorm = 1 }),
       "<SGD name=SGD, learning_rate=0.01, momentum=0.9, nesterov=false, clipnorm=1, iterations=0>")
  t.eq(aw:get_config().weight_decay, 0.004)
end)

t.test("optimizers.get: names in any case, configs, objects", function()
  for name, cls in pairs { sgd = "SGD", rmsprop = "RMSprop", adam = "Adam", adamw = "AdamW",
                           adagrad = "Adagrad", Adam = "Adam", SGD = "SGD" } do
    t.eq(O.get(name).class_name, cls, name)
  end
  t.eq(O.get("adam").learning_rate, 0.001)
  t.eq(rawequal(O.get("adam"), O.get("adam")), false) -- a new one each time
  local a = O.Adam()
  t.eq(rawequal(O.get(a), a), true)
  t.eq(O.get { class_name = "SGD", config = { learning_rate = 0.5 } }.learning_rate, 0.5)
  t.raises(function() O.get("adamm") end,
           "optimizers.get: could not interpret optimizer identifier 'adamm' (known: sgd, rmsprop, adam, adamw, adagrad)")
  t.raises(function() O.get("nadam") end,
           "optimizers.get: 'nadam' is a Keras optimizer that attnlab does not have")
end)

t.test("optimizer options are checked", function()
  t.raises(function() O.Adam { lr = 0.1 } end,
           "Adam: unknown option 'lr' (known: amsgrad, beta_1, beta_2, clipnorm, clipvalue, epsilon, global_clipnorm, learning_rate, name, weight_decay)")
  t.raises(function() O.SGD { momentum = 1.5 } end, "SGD: momentum must be a number between [0, 1], got 1.5")
  t.raises(function() O.SGD { nesterov = 1 } end, "SGD: nesterov must be true or false, got 1")
  t.raises(function() O.RMSprop { rho = "x" } end, "RMSprop: rho must be a number, got string \"x\"")
  t.raises(function() O.Adam { learning_rate = "fast" } end,
           "Adam: learning_rate must be a number or a function(iterations) returning one, got string \"fast\"")
  t.raises(function() O.Adam { clipnorm = 1, global_clipnorm = 1 } end,
           "Adam: only one of clipnorm, clipvalue and global_clipnorm can be set, got clipnorm=1, global_clipnorm=1")
  t.raises(function() O.Adam { use_ema = true } end, "Adam: option 'use_ema' is not supported by attnlab")
  local err = t.raises(function() O.Adagrad { eps = 1 } end, "Adagrad: unknown option 'eps'")
  t.truthy(err:find("test_train.lua:%d+:"), "the message names the learner's line: " .. err)
end)

t.test("apply: Keras's SGD with momentum by hand, state per weight, iterations", function()
  local w = tensor.from({ 1, 2 }, { requires_grad = true })
  local v = tensor.from({ 5 }, { requires_grad = true })
  local unused = tensor.from({ 7 }, { requires_grad = true })
  local opt = O.SGD { learning_rate = 0.1, momentum = 0.9 }
  local g = { 0.5, -1 }
  -- step 1: m = -0.1 g, w += m
  local m = { -0.05, 0.1 }
  local want = { 1 - 0.05, 2 + 0.1 }
  for step = 1, 2 do
    w:zero_grad(); v:zero_grad()
    local loss = (w * tensor.from(g)):sum() + v:sum() * 0
    loss:backward()
    opt:apply { w, v, unused }
    if step == 2 then
      m = { 0.9 * m[1] - 0.05, 0.9 * m[2] + 0.1 }
      want = { want[1] + m[1], want[2] + m[2] }
    end
    t.near(w, want, 1e-6, "step " .. step)
    t.eq(opt.iterations, step)
  end
  t.near(opt:state_of(w).momentum, m, 1e-6)
  t.eq(opt:state_of(unused), nil) -- no gradient: skipped, no state
  t.near(unused, { 7 }, 0)
  t.near(v, { 5 }, 0) -- a zero gradient still steps, and moves nothing
  t.truthy(opt:state_of(v))
end)

t.test("apply(grads, weights) and apply_gradients, as Keras's", function()
  local w = tensor.from { 1, 1 }
  local opt = O.SGD { learning_rate = 0.5 }
  opt:apply({ tensor.from { 1, 2 } }, { w })
  t.near(w, { 0.5, 0 }, 0)
  t.eq(opt:apply_gradients { { tensor.from { 1, 0 }, w } }, 2)
  t.near(w, { 0, 0 }, 0)
  t.raises(function() opt:apply({ tensor.from { 1 } }, { w }) end,
           "SGD: the gradient has shape (1,) but the weight has shape (2,)")
end)

t.test("apply refuses what it cannot update", function()
  local opt = O.Adam()
  local w = tensor.from({ 1, 2 }, { requires_grad = true })
  t.raises(function() opt:apply { w } end,
           "Adam: no gradients provided for any variable (call loss:backward() before apply)")
  local y = w * 2
  t.raises(function() opt:apply({ tensor.ones(2) }, { y }) end,
           "Adam: can only update a leaf tensor (a weight), not the result of an op (multiply)")
  t.raises(function() opt:apply(w) end, "Adam: apply expects a list of weights, got userdata")
  opt:apply {} -- nothing to do
  t.eq(opt.iterations, 0)
end)

t.test("learning_rate: settable, or a function of the iterations", function()
  local w = tensor.from { 0 }
  local opt = O.SGD()
  opt.learning_rate = 0.5
  t.eq(opt.learning_rate, 0.5)
  opt:apply({ tensor.from { 1 } }, { w })
  t.near(w, { -0.5 }, 0)
  local sched = O.SGD { learning_rate = function(it) return 1 / (it + 1) end }
  t.eq(sched.learning_rate, 1)
  sched:apply({ tensor.from { 1 } }, { w })
  t.eq(sched.learning_rate, 0.5)
  sched:apply({ tensor.from { 1 } }, { w })
  t.near(w, { -2 }, 0)
  t.raises(function() opt.learning_rate = "high" end,
           "SGD: learning_rate must be a number or a function(iterations) returning one")
end)

t.test("clipnorm, global_clipnorm and clipvalue, as Keras's", function()
  local a, b = tensor.from { 0, 0 }, tensor.from { 0 }
  -- per weight: (3, 4) has norm 5 -> (0.6, 0.8); (12) -> (1)
  O.SGD { learning_rate = 1, clipnorm = 1 }:apply({ tensor.from { 3, 4 }, tensor.from { 12 } }, { a, b })
  t.near(a, { -0.6, -0.8 }, 1e-6)
  t.near(b, { -1 }, 1e-6)
  -- global: norm 13, clipped to 1.3 -> everything scaled by 0.1
  a, b = tensor.from { 0, 0 }, tensor.from { 0 }
  O.SGD { learning_rate = 1, global_clipnorm = 1.3 }:apply({ tensor.from { 3, 4 }, tensor.from { 12 } }, { a, b })
  t.near(a, { -0.3, -0.4 }, 1e-6)
  t.near(b, { -1.2 }, 1e-6)
  a = tensor.from { 0, 0 }
  O.SGD { learning_rate = 1, clipvalue = 3.5 }:apply({ tensor.from { 3, 4 } }, { a })
  t.near(a, { -3, -3.5 }, 1e-6)
  -- Adagrad's accumulator starts at initial_accumulator_value
  local w = tensor.from { 0 }
  local ag = O.Adagrad { learning_rate = 1, initial_accumulator_value = 3, epsilon = 0 }
  ag:apply({ tensor.from { 1 } }, { w })
  t.near(ag:state_of(w).accumulator, { 4 }, 0)
  t.near(w, { -0.5 }, 1e-7)
  -- AdamW's weight decay: w -= w * 0.004 * lr before the Adam step
  local v = tensor.from { 10 }
  O.AdamW { learning_rate = 0.1 }:apply({ tensor.from { 0 } }, { v })
  t.near(v, { 10 - 10 * 0.004 * 0.1 }, 1e-6)
end)

-- A tiny linear regression and a tiny classifier: a few steps of each
-- optimizer must bring the loss down.
local function regression_data()
  nn.seed(7)
  local x = tensor.randn(64, 3)
  local w_true = tensor.from { { 1.5 }, { -2 }, { 0.5 } }
  local y = tensor.matmul(x, w_true) + 0.3
  return x, y
end

local function train_steps(opt, loss_fn, x, y, units, steps)
  nn.clear_session()
  local d = nn.Dense(units)
  local first, last
  for i = 1, steps do
    for _, w in ipairs(d.weights or {}) do w:zero_grad() end
    local loss = loss_fn(y, d(x))
    if i == 1 then first = loss:item() end
    last = loss:item()
    loss:backward()
    opt:apply(d.weights)
  end
  return first, last, d
end

for _, case in ipairs {
  { "SGD", { learning_rate = 0.1 } },
  { "SGD", { learning_rate = 0.05, momentum = 0.9, nesterov = true } },
  { "RMSprop", { learning_rate = 0.05 } },
  { "RMSprop", { learning_rate = 0.01, momentum = 0.5, centered = true } },
  { "Adam", { learning_rate = 0.05 } },
  { "Adam", { learning_rate = 0.05, amsgrad = true, clipnorm = 1 } },
  { "AdamW", { learning_rate = 0.05 } },
  { "Adagrad", { learning_rate = 0.5 } },
} do
  local name, opts = case[1], case[2]
  t.test("training a linear model with " .. tostring(O[name](opts)), function()
    local x, y = regression_data()
    local opt = O[name](opts)
    local first, last = train_steps(opt, L.get("mse"), x, y, 1, 30)
    t.truthy(last < first * 0.3, string.format("loss %g -> %g", first, last))
    t.eq(opt.iterations, 30)
  end)
end

t.test("training a classifier with sparse_categorical_crossentropy from logits", function()
  nn.seed(3)
  local x = tensor.randn(60, 2)
  local labels = {}
  for i = 0, 59 do
    local a, b = x:get(i, 0), x:get(i, 1)
    labels[#labels + 1] = a > 0 and (b > 0 and 0 or 1) or 2
  end
  local y = tensor.from(labels)
  local opt = O.get("adam")
  opt.learning_rate = 0.1
  local first, last = train_steps(opt, L.SparseCategoricalCrossentropy { from_logits = true }, x, y, 3, 40)
  t.truthy(last < first * 0.6, string.format("loss %g -> %g", first, last))
  -- and with one-hot labels and softmax probabilities
  local onehot = {}
  for i, c in ipairs(labels) do onehot[i] = { c == 0 and 1 or 0, c == 1 and 1 or 0, c == 2 and 1 or 0 } end
  local cce = L.get("categorical_crossentropy")
  local f2, l2 = train_steps(O.RMSprop { learning_rate = 0.05 },
                             function(yt, logits) return cce(yt, tensor.softmax(logits, -1)) end,
                             x, tensor.from(onehot), 3, 40)
  t.truthy(l2 < f2 * 0.6, string.format("loss %g -> %g", f2, l2))
end)

t.test("optimizer settings outside their ranges are refused", function()
  t.raises(function() nn.optimizers.Adam { beta_1 = 2 } end, "Adam: beta_1 must be in [0, 1), got 2")
  t.raises(function() nn.optimizers.RMSprop { rho = 1 } end, "RMSprop: rho must be in [0, 1), got 1")
  t.raises(function() nn.optimizers.SGD { clipnorm = -1 } end, "SGD: clipnorm must be > 0, got -1")
  t.raises(function() nn.optimizers.Adam { epsilon = -1e-7 } end, "Adam: epsilon must be >= 0, got -1e-07")
  t.raises(function() nn.optimizers.AdamW { weight_decay = -0.1 } end, "AdamW: weight_decay must be >= 0, got -0.1")
end)

t.test("fit trains even when called inside tensor.no_grad", function()
  local m = nn.Sequential { nn.Input { 2 }, nn.Dense(1) }
  m:compile { optimizer = "sgd", loss = "mse" }
  local before = m:get_weights()[1]:totable()
  local h = tensor.no_grad(function()
    return m:fit(tensor.randn(8, 2), tensor.randn(8, 1), { verbose = 0, epochs = 2 })
  end)
  t.eq(#h.history.loss, 2)
  local after = m:get_weights()[1]:totable()
  t.truthy(after[1][1] ~= before[1][1], "the weights changed")
  t.eq(tensor.is_grad_enabled(), true)
end)

t.done()
