-- test_dense.lua - nn.Dense as Keras's Dense: shapes on N-d inputs, names,
-- weights in Keras's order, use_bias, initializers, every activation, and
-- forward values for fixed weights checked against PyTorch.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local function same(got, want, what) t.near(got, want, 0, what) end

t.test("the issue's check: Dense(3, tanh) on (2, 5, 4) gives (2, 5, 3)", function()
  local d = nn.Dense(3, { activation = "tanh" })
  t.eq(tostring(d(tensor.ones(2, 5, 4)).shape), "(2, 5, 3)")
end)

t.test("shapes on 2-D, 3-D and 4-D inputs", function()
  local d2 = nn.Dense(3)
  local y2 = d2(tensor.ones(2, 5))
  t.eq(tostring(y2.shape), "(2, 3)")
  t.eq(tostring(d2.kernel.shape), "(5, 3)")
  t.eq(tostring(d2.bias.shape), "(3,)")
  local d3 = nn.Dense(4)
  t.eq(tostring(d3(tensor.ones(2, 3, 5)).shape), "(2, 3, 4)")
  t.eq(tostring(d3.kernel.shape), "(5, 4)")
  local d4 = nn.Dense(2)
  t.eq(tostring(d4(tensor.ones(2, 3, 4, 5)).shape), "(2, 3, 4, 2)")
  t.eq(tostring(d4.kernel.shape), "(5, 2)")
  t.eq(tostring(d4.bias.shape), "(2,)")
  -- a second call reuses the same weights
  local k = d3.kernel
  t.eq(tostring(d3(tensor.ones(7, 5)).shape), "(7, 4)")
  t.eq(rawequal(d3.kernel, k), true)
end)

t.test("names: dense, dense_1, ...; clear_session starts again", function()
  nn.clear_session()
  local a, b = nn.Dense(2), nn.Dense(2)
  local named = nn.Dense(2, { name = "scores" })
  local c = nn.Dense(2)
  t.eq(a.name, "dense")
  t.eq(b.name, "dense_1")
  t.eq(named.name, "scores")
  t.eq(c.name, "dense_2")
  t.eq(nn.Activation("relu").name, "activation")
  t.eq(nn.Activation("relu").name, "activation_1")
  nn.clear_session()
  t.eq(nn.Dense(2).name, "dense")
  t.eq(nn.Dense(2).name, "dense_1")
  t.eq(nn.Activation("tanh").name, "activation")
end)

t.test("tostring of a layer", function()
  nn.clear_session()
  t.eq(tostring(nn.Dense(3)), "<Dense name=dense, units=3, activation=linear>")
  t.eq(tostring(nn.Dense(8, { activation = "relu", name = "hidden" })),
       "<Dense name=hidden, units=8, activation=relu>")
  t.eq(tostring(nn.Dense(1, { activation = function(x) return x end })),
       "<Dense name=dense_1, units=1, activation=custom>")
  t.eq(tostring(nn.Activation("softmax")),
       "<Activation name=activation, activation=softmax>")
end)

t.test("get_weights: kernel then bias, copies", function()
  local d = nn.Dense(3, { kernel_initializer = "ones", bias_initializer = "zeros" })
  t.eq(#d:get_weights(), 0, "no weights before the first call")
  d(tensor.ones(2, 4))
  local w = d:get_weights()
  t.eq(#w, 2)
  t.eq(tostring(w[1].shape), "(4, 3)")
  t.eq(tostring(w[2].shape), "(3,)")
  same(w[1], tensor.ones(4, 3))
  same(w[2], { 0, 0, 0 })
  t.eq(w[1].requires_grad, false)
  t.eq(d.kernel.requires_grad, true)
  t.eq(d.bias.requires_grad, true)
  -- changing a copy does not change the layer
  w[1]:set(0, 0, 99)
  t.eq(d.kernel:get(0, 0), 1.0)
  t.eq(d:count_params(), 4 * 3 + 3)
end)

t.test("set_weights / get_weights round trip", function()
  local d = nn.Dense(2)
  d(tensor.ones(1, 3))
  local k = tensor.from({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
  local b = tensor.from({ 0.5, -0.5 })
  d:set_weights({ k, b })
  local w = d:get_weights()
  same(w[1], k)
  same(w[2], b)
  -- the layer uses them: [1, 1, 1] @ k + b
  same(d(tensor.ones(1, 3)), { { 9.5, 11.5 } })
  -- from nested tables too
  d:set_weights({ { { 0, 1 }, { 1, 0 }, { 2, 2 } }, { 10, 20 } })
  same(d(tensor.from({ { 1, 2, 3 } })), { { 18, 27 } })
  -- a round trip through another layer
  local e = nn.Dense(2)
  e(tensor.ones(1, 3))
  e:set_weights(d:get_weights())
  same(e(tensor.from({ { 1, 2, 3 } })), d(tensor.from({ { 1, 2, 3 } })))
  -- set_weights does not replace the weight tensors (an optimizer keeps them)
  local kernel = e.kernel
  e:set_weights({ k, b })
  t.eq(rawequal(e.kernel, kernel), true)
  t.eq(e.kernel.requires_grad, true)
end)

t.test("set_weights errors", function()
  nn.clear_session()
  local d = nn.Dense(3)
  d(tensor.ones(2, 4))
  t.raises(function() d:set_weights({ tensor.ones(4, 3) }) end,
           "Dense 'dense': set_weights expected 2 arrays, got 1")
  t.raises(function() d:set_weights({ tensor.ones(3, 4), tensor.ones(3) }) end,
           "Dense 'dense': weight 1 (kernel) has shape (4, 3), got (3, 4)")
  t.raises(function() d:set_weights({ tensor.ones(4, 3), tensor.ones(4) }) end,
           "Dense 'dense': weight 2 (bias) has shape (3,), got (4,)")
  t.raises(function() d:set_weights(tensor.ones(4, 3)) end,
           "Dense 'dense': set_weights expects a table of 2 arrays")
  t.raises(function() d:set_weights("w") end,
           "Dense 'dense': set_weights expects a table of 2 arrays")
  -- a failed set_weights leaves the weights alone
  local before = d:get_weights()
  pcall(function() d:set_weights({ tensor.zeros(4, 3), tensor.ones(5) }) end)
  same(d.kernel, before[1])
end)

t.test("use_bias = false", function()
  local d = nn.Dense(2, { use_bias = false })
  local x = tensor.from({ { 1, 2, 3 } })
  d(x)
  t.eq(d.bias, nil)
  t.eq(#d:get_weights(), 1)
  t.eq(d:count_params(), 6)
  d:set_weights({ { { 1, 0 }, { 0, 1 }, { 1, 1 } } })
  same(d(x), { { 4, 5 } })
  t.eq(tostring(d(tensor.ones(2, 4, 3)).shape), "(2, 4, 2)")
end)

t.test("initializers: zeros bias and glorot_uniform kernel by default", function()
  nn.seed(7)
  local d = nn.Dense(100)
  d(tensor.ones(1, 50))
  same(d.bias, tensor.zeros(100))
  -- glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))
  local limit = math.sqrt(6 / (50 + 100))
  local k = d.kernel
  t.truthy(k:max():item() <= limit, "max above the limit")
  t.truthy(k:min():item() >= -limit, "min below the limit")
  t.truthy(k:max():item() > 0.95 * limit, "max far below the limit")
  t.truthy(k:min():item() < -0.95 * limit, "min far above the limit")
  t.near(k:mean():item(), 0, 0.01)
  -- the variance of U(-l, l) is l^2 / 3
  t.near((k * k):mean():item(), limit * limit / 3, 0.002)
  -- other names
  local o = nn.Dense(2, { kernel_initializer = "ones", bias_initializer = "ones" })
  o(tensor.ones(1, 3))
  same(o.kernel, tensor.ones(3, 2))
  same(o.bias, { 1, 1 })
  local z = nn.Dense(2, { kernel_initializer = "zeros" })
  same(z(tensor.ones(4, 3)), tensor.zeros(4, 2))
  -- an initializer function
  local f = nn.Dense(2, { kernel_initializer = function(shape)
    return tensor.full(shape, 0.5)
  end })
  same(f(tensor.ones(1, 4)), { { 2, 2 } })
end)

-- Dense forward values for fixed weights. Expected numbers from:
--
--   import torch
--   x = torch.tensor([[1., 2., 3.], [-1., 0.5, 2.]])
--   k = torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])
--   b = torch.tensor([0.05, -0.1])
--   y = x @ k + b
--   print(y.tolist(), torch.tanh(y).tolist(), torch.softmax(y, -1).tolist(),
--         torch.relu(y).tolist(), (x @ k).tolist())
--   x3 = torch.arange(12.).reshape(2, 2, 3) / 10
--   print((x3 @ k + b).tolist(), torch.sigmoid(x3 @ k + b).tolist())
local K = { { 0.1, -0.2 }, { 0.3, 0.4 }, { -0.5, 0.6 } }
local B = { 0.05, -0.1 }
local X = tensor.from({ { 1, 2, 3 }, { -1, 0.5, 2 } })

local function fixed(opts)
  local d = nn.Dense(2, opts)
  d(tensor.ones(1, 3))
  d:set_weights(opts and opts.use_bias == false and { K } or { K, B })
  return d
end

t.test("Dense forward values vs PyTorch: linear, tanh, softmax, relu", function()
  t.near(fixed()(X), { { -0.75, 2.3 }, { -0.9, 1.5 } }, 1e-6)
  t.near(fixed({ activation = "tanh" })(X),
         { { -0.6351489424705505, 0.9800963997840881 },
           { -0.7162978649139404, 0.9051482677459717 } }, 1e-6)
  t.near(fixed({ activation = "softmax" })(X),
         { { 0.045217469334602356, 0.9547826051712036 },
           { 0.08317268639802933, 0.9168273210525513 } }, 1e-6)
  t.near(fixed({ activation = "relu" })(X), { { 0, 2.3 }, { 0, 1.5 } }, 1e-6)
  t.near(fixed({ use_bias = false })(X), { { -0.8, 2.4 }, { -0.95, 1.6 } }, 1e-6)
end)

t.test("Dense forward values vs PyTorch on a 3-D input", function()
  local x3 = tensor.arange(12):reshape(2, 2, 3) / 10
  t.near(fixed()(x3),
         { { { -0.02, 0.06 }, { -0.05, 0.3 } },
           { { -0.08, 0.54 }, { -0.11, 0.78 } } }, 1e-6)
  t.near(fixed({ activation = "sigmoid" })(x3),
         { { { 0.4950002133846283, 0.5149955153465271 },
             { 0.4875026345252991, 0.5744425058364868 } },
           { { 0.48001062870025635, 0.6318124532699585 },
             { 0.4725276827812195, 0.6856801509857178 } } }, 1e-6)
end)

t.test("Dense on N-d input is Dense on every row of the last axis", function()
  nn.seed(3)
  local d = nn.Dense(3, { activation = "tanh", bias_initializer = "ones" })
  local x = tensor.randn(2, 3, 4, 5)
  local y = d(x)
  local flat = d(x:reshape(-1, 5)):reshape(2, 3, 4, 3)
  t.near(y, flat, 1e-6)
  -- one row by hand
  local row = tensor.tanh(tensor.matmul(x[1][2][3]:reshape(1, 5), d.kernel) + d.bias)
  t.near(y[1][2][3], row[0], 1e-6)
end)

-- every activation on x = [-3, -1, 0, 0.5, 1, 3]. Expected numbers from:
--
--   import torch, torch.nn.functional as F
--   v = torch.tensor([-3, -1, 0, 0.5, 1, 3.])
--   F.elu(v), F.selu(v), F.gelu(v) (exact, as Keras 3's default),
--   F.softplus(v), F.relu6(v + 3) / 6 (Keras 3's hard_sigmoid),
--   torch.sigmoid(v), torch.tanh(v), torch.softmax(v, -1), F.silu(v),
--   F.softsign(v), torch.exp(v), torch.log_softmax(v, -1)
local V = { -3, -1, 0, 0.5, 1, 3 }
local EXPECTED = {
  linear = { -3, -1, 0, 0.5, 1, 3 },
  relu = { 0, 0, 0, 0.5, 1, 3 },
  tanh = { -0.99505478, -0.76159418, 0, 0.46211717, 0.76159418, 0.99505478 },
  sigmoid = { 0.047425874, 0.26894143, 0.5, 0.62245935, 0.7310586, 0.95257413 },
  softmax = { 0.0019244945, 0.014220198, 0.038654502, 0.063730501, 0.10507383,
              0.77639645 },
  elu = { -0.95021296, -0.63212055, 0, 0.5, 1, 3 },
  selu = { -1.6705687, -1.1113307, 0, 0.52535051, 1.050701, 3.1521029 },
  gelu = { -0.0040498674, -0.15865529, 0, 0.3457312, 0.84134471, 2.9959502 },
  softplus = { 0.048587352, 0.31326169, 0.69314718, 0.97407699, 1.3132616,
               3.0485873 },
  hard_sigmoid = { 0, 1 / 3, 0.5, 3.5 / 6, 4 / 6, 1 },
  silu = { -0.14227763, -0.26894143, 0, 0.31122968, 0.7310586, 2.8577223 },
  swish = { -0.14227763, -0.26894143, 0, 0.31122968, 0.7310586, 2.8577223 },
  softsign = { -0.75, -0.5, 0, 1 / 3, 0.5, 0.75 },
  exponential = { 0.049787068, 0.36787944, 1, 1.6487213, 2.7182818, 20.085537 },
  log_softmax = { -6.2530918, -4.2530918, -3.2530918, -2.7530918, -2.2530918,
                  -0.25309181 },
}

t.test("every activation by name, through Dense with an identity kernel", function()
  local names = {}
  for name in pairs(EXPECTED) do names[#names + 1] = name end
  table.sort(names)
  local x = tensor.from({ V })
  for _, name in ipairs(names) do
    local d = nn.Dense(6, { activation = name, use_bias = false })
    d(x)
    d:set_weights({ tensor.eye(6) })
    local tol = name == "exponential" and 1e-5 or 1e-6
    t.near(d(x)[0], EXPECTED[name], tol, name)
    -- and as a layer of its own
    t.near(nn.Activation(name)(x)[0], EXPECTED[name], tol, "Activation " .. name)
  end
end)

t.test("hard_sigmoid is Keras 3's relu6(x + 3) / 6", function()
  -- Keras 2's 0.2x + 0.5 would give 0.3 at -1 and 0.7 at 1
  t.near(tensor.hard_sigmoid(tensor.from({ -4, -1, 1, 2.5, 4 })),
         { 0, 2 / 6, 4 / 6, 5.5 / 6, 1 }, 1e-7)
end)

t.test("activation functions are the tensor module's", function()
  local x = tensor.from({ V })
  for _, name in ipairs({ "relu", "tanh", "sigmoid", "elu", "selu", "gelu",
                          "softplus", "hard_sigmoid" }) do
    t.near(tensor[name](x)[0], EXPECTED[name], 1e-6, "tensor." .. name)
  end
  same(nn.activations.get("relu")(x), tensor.relu(x))
  local f, name = nn.activations.get(nil)
  t.eq(name, "linear")
  t.eq(f(x), x)
end)

t.test("a custom activation function", function()
  local d = nn.Dense(2, { activation = function(v) return v * 2 end,
                          kernel_initializer = "ones" })
  same(d(tensor.from({ { 1, 2 } })), { { 6, 6 } })
  t.eq(d.activation_name, "custom")
end)

t.test("Dense trains: gradients reach kernel and bias", function()
  local d = nn.Dense(2)
  local x = tensor.from({ { 1, 2, 3 }, { -1, 0.5, 2 } })
  d(x)
  d:set_weights({ K, B })
  local loss = d(x):sum()
  loss:backward()
  -- d sum(x @ k + b) / dk = column sums of x, repeated; / db = batch size
  same(d.kernel.grad, { { 0, 0 }, { 2.5, 2.5 }, { 5, 5 } })
  same(d.bias.grad, { 2, 2 })
end)

t.done()
