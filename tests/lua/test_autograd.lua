-- test_autograd.lua - backward, gradient accumulation, zero_grad, no_grad,
-- backward(grad), and tensor.gradcheck for every differentiable op and for
-- nn.Dense.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

local function same(got, want, what) t.near(got, want, 0, what) end

-- a random leaf that requires grad, of the given sizes
local function R(...)
  return tensor.randn({ ... }, { requires_grad = true })
end

t.test("the learner's session: d/dx sum(x * x) is exactly 2x", function()
  nn.seed(1)
  local x = tensor.randn(2, 3, { requires_grad = true })
  t.eq(x.grad, nil, "no grad before backward")
  local y = (x * x):sum()
  t.eq(tostring(y.shape), "()")
  t.eq(y.grad_fn, "sum")
  t.eq(y.is_leaf, false)
  t.eq(x.is_leaf, true)
  y:backward()
  t.eq(tostring(x.grad.shape), "(2, 3)")
  same(x.grad, 2 * x)
  -- element by element, as plain numbers
  for i = 0, 1 do
    for j = 0, 2 do
      t.eq(x.grad:get(i, j), 2 * x:get(i, j))
    end
  end
  -- the gradient itself does not require grad
  t.eq(x.grad.requires_grad, false)
end)

t.test("gradients accumulate across backward calls; zero_grad resets", function()
  local x = tensor.from({ { 1, 2 }, { 3, 4 } }, { requires_grad = true })
  ;(x * x):sum():backward()
  same(x.grad, { { 2, 4 }, { 6, 8 } })
  ;(x * x):sum():backward()
  same(x.grad, { { 4, 8 }, { 12, 16 } })
  ;(3 * x):sum():backward()
  same(x.grad, { { 7, 11 }, { 15, 19 } })
  t.eq(x:zero_grad(), x, "zero_grad returns x")
  same(x.grad, { { 0, 0 }, { 0, 0 } })
  ;(x * x):sum():backward()
  same(x.grad, { { 2, 4 }, { 6, 8 } })
  -- x.grad = nil drops it
  x.grad = nil
  t.eq(x.grad, nil)
  ;(x:sum()):backward()
  same(x.grad, { { 1, 1 }, { 1, 1 } })
end)

t.test("a gradient reaches every leaf of a graph", function()
  local a = tensor.from({ 1, 2, 3 }, { requires_grad = true })
  local b = tensor.from({ 4, 5, 6 }, { requires_grad = true })
  local c = tensor.from({ 1, 1, 1 }) -- no grad
  local y = ((a * b) + a * c):sum()
  y:backward()
  same(a.grad, { 5, 6, 7 }) -- b + c
  same(b.grad, { 1, 2, 3 }) -- a
  t.eq(c.grad, nil)
  t.eq(c.requires_grad, false)
  -- a leaf used twice gets both contributions
  local x = tensor.from({ 2 }, { requires_grad = true })
  ;(x * x * x):sum():backward()
  same(x.grad, { 12 }) -- 3x^2
end)

t.test("broadcast operands get gradients summed back to their shape", function()
  local x = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } }, { requires_grad = true })
  local b = tensor.from({ 10, 20, 30 }, { requires_grad = true })
  local s = tensor.from(2, { requires_grad = true })
  ;((x + b) * s):sum():backward()
  same(x.grad, { { 2, 2, 2 }, { 2, 2, 2 } })
  same(b.grad, { 4, 4, 4 })
  t.eq(tostring(s.grad.shape), "()")
  same(s.grad, 21 + 2 * 60) -- sum(x + b)
end)

t.test("backward(grad) for a non-scalar result", function()
  local x = tensor.from({ { 1, 2 }, { 3, 4 } }, { requires_grad = true })
  local y = x * 3
  y:backward(tensor.ones(2, 2))
  same(x.grad, { { 3, 3 }, { 3, 3 } })
  x:zero_grad()
  local z = x * x
  z:backward(tensor.from({ { 1, 0 }, { 0, 2 } }))
  same(x.grad, { { 2, 0 }, { 0, 16 } })
  -- a scalar may be given its grad too
  x:zero_grad()
  ;(x * x):sum():backward(tensor.from(0.5))
  same(x.grad, { { 1, 2 }, { 3, 4 } })
end)

t.test("no_grad: results record nothing; the mode comes back", function()
  local x = tensor.from({ 1, 2 }, { requires_grad = true })
  t.eq(tensor.is_grad_enabled(), true)
  local inside
  local z = tensor.no_grad(function()
    inside = tensor.is_grad_enabled()
    return x * 2
  end)
  t.eq(inside, false)
  t.eq(tensor.is_grad_enabled(), true)
  t.eq(z.requires_grad, false)
  t.eq(z.grad_fn, nil)
  same(z, { 2, 4 })
  -- arguments pass through and every result comes back
  local a, b = tensor.no_grad(function(p, q) return p + q, 7 end, 1, 2)
  t.eq(a, 3)
  t.eq(b, 7)
  -- nested
  t.eq(tensor.no_grad(function()
    return tensor.no_grad(function() return tensor.is_grad_enabled() end)
  end), false)
  -- the mode comes back after an error too
  local ok = pcall(tensor.no_grad, function() error("boom") end)
  t.eq(ok, false)
  t.eq(tensor.is_grad_enabled(), true)
  -- in-place updates of a leaf are allowed there (as an optimizer does)
  tensor.no_grad(function() x:set(0, 5) end)
  t.eq(x:get(0), 5.0)
end)

t.test("detach and requires_grad on leaves", function()
  local x = tensor.from({ 1, 2 }, { requires_grad = true })
  local d = (x * 2):detach()
  t.eq(d.requires_grad, false)
  t.eq(d.is_leaf, true)
  same(d, { 2, 4 })
  local w = tensor.from({ 3 })
  w.requires_grad = true
  t.eq(w.requires_grad, true)
  ;(w * w):sum():backward()
  same(w.grad, { 6 })
  t.eq(w:set_requires_grad(false), w)
  t.eq(w.requires_grad, false)
end)

t.test("grad_fn names the op", function()
  local x = tensor.from({ { 1, 2 }, { 3, 4 } }, { requires_grad = true })
  local names = {}
  for _, y in ipairs({ x + 1, x - 1, x * 2, x / 2, -x, x ^ 2, x:exp(),
                       x:sum(), x:mean(0), tensor.matmul(x, x), x:reshape(4),
                       x:transpose(), x:softmax(), x[0] }) do
    names[#names + 1] = y.grad_fn
  end
  t.eq(table.concat(names, " "), "add subtract multiply divide neg pow exp "
       .. "sum mean matmul reshape transpose softmax squeeze")
end)

t.test("hand-checked gradients of a few ops", function()
  local x = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } }, { requires_grad = true })
  -- mean: 1/n each
  x.grad = nil
  x:mean():backward()
  t.near(x.grad, { { 1 / 6, 1 / 6, 1 / 6 }, { 1 / 6, 1 / 6, 1 / 6 } }, 1e-7)
  -- max: all to the max
  x.grad = nil
  x:max(1):sum():backward()
  same(x.grad, { { 0, 0, 1 }, { 0, 0, 1 } })
  -- matmul: d sum(x @ w) / dx = row sums of w
  x.grad = nil
  local w = tensor.from({ { 1, 2 }, { 3, 4 }, { 5, 6 } }, { requires_grad = true })
  tensor.matmul(x, w):sum():backward()
  same(x.grad, { { 3, 7, 11 }, { 3, 7, 11 } })
  same(w.grad, { { 5, 5 }, { 7, 7 }, { 9, 9 } })
  -- softmax of a row sums to 1, so its gradient is 0
  x.grad = nil
  x:softmax():sum():backward()
  t.near(x.grad, { { 0, 0, 0 }, { 0, 0, 0 } }, 1e-7)
  -- relu passes the gradient where x > 0
  local r = tensor.from({ -1, 2 }, { requires_grad = true })
  r:relu():sum():backward()
  same(r.grad, { 0, 1 })
end)

-- ---- gradcheck -------------------------------------------------------------

local function check(name, f, inputs)
  t.test("gradcheck: " .. name, function()
    local passed, worst = tensor.gradcheck(f, inputs)
    t.eq(type(worst), "number", "worst error")
    t.truthy(worst >= 0 and worst < 1e-3,
             string.format("worst error %g is not in [0, 1e-3)", worst))
    t.eq(passed, true)
  end)
end

nn.seed(3)
local function P() -- positive inputs for log, sqrt, division, pow
  return tensor.from({ { 0.5, 1.5, 2 }, { 1, 0.7, 3 } }, { requires_grad = true })
end

check("add (broadcast)", function(a, b) return a + b end, { R(2, 3), R(3) })
check("sub (broadcast)", function(a, b) return a - b end, { R(2, 3), R(2, 1) })
check("mul (broadcast)", function(a, b) return a * b end, { R(2, 3), R(3) })
check("div", function(a, b) return a / b end, { R(2, 3), P() })
check("neg", function(a) return -a end, { R(2, 3) })
check("pow by a number", function(a) return a ^ 3 end, { R(2, 3) })
check("pow by a tensor", function(a, b) return tensor.pow(a, b) end, { P(), R(2, 3) })
check("maximum", function(a, b) return tensor.maximum(a, b) end, { R(2, 3), R(2, 3) })
check("minimum", function(a, b) return tensor.minimum(a, b) end, { R(2, 3), R(2, 3) })
check("exp", function(a) return a:exp() end, { R(2, 3) })
check("log", function(a) return a:log() end, { P() })
check("sqrt", function(a) return a:sqrt() end, { P() })
check("abs", function(a) return a:abs() end, { P() })
check("square", function(a) return a:square() end, { R(2, 3) })
check("tanh", function(a) return a:tanh() end, { R(2, 3) })
check("sigmoid", function(a) return a:sigmoid() end, { R(2, 3) })
check("relu", function(a) return a:relu() end, { P() })
check("elu", function(a) return a:elu() end, { R(2, 3) })
check("selu", function(a) return a:selu() end, { R(2, 3) })
check("gelu", function(a) return a:gelu() end, { R(2, 3) })
check("softplus", function(a) return a:softplus() end, { R(2, 3) })
check("softsign", function(a) return a:softsign() end, { R(2, 3) })
check("hard_sigmoid", function(a) return a:hard_sigmoid() end, { R(2, 3) })
check("silu", function(a) return a:silu() end, { R(2, 3) })
check("sum over an axis", function(a) return a:sum(1) end, { R(2, 3) })
check("sum over all", function(a) return a:sum() end, { R(2, 3) })
check("mean keepdims", function(a) return a:mean(0, true) end, { R(2, 3) })
check("max over an axis", function(a) return a:max(1) end, { R(2, 3) })
check("min over all", function(a) return a:min() end, { R(2, 3) })
check("softmax", function(a) return a:softmax() end, { R(2, 3) })
check("log_softmax axis 0", function(a) return a:log_softmax(0) end, { R(2, 3) })
check("matmul", function(a, b) return tensor.matmul(a, b) end, { R(2, 3), R(3, 4) })
check("matmul batched, broadcast", function(a, b) return tensor.matmul(a, b) end,
      { R(2, 2, 3), R(3, 4) })
check("matmul transpose_a", function(a, b)
  return tensor.matmul(a, b, { transpose_a = true })
end, { R(3, 2), R(3, 4) })
check("matmul transpose_b", function(a, b)
  return tensor.matmul(a, b, { transpose_b = true })
end, { R(2, 3), R(4, 3) })
check("batch_dot default axes", function(a, b) return tensor.batch_dot(a, b) end,
      { R(2, 3, 4), R(2, 4, 5) })
check("batch_dot axes {2, 2}", function(a, b)
  return tensor.batch_dot(a, b, { 2, 2 })
end, { R(2, 3, 4), R(2, 5, 4) })
check("batch_dot 2-D", function(a, b) return tensor.batch_dot(a, b) end,
      { R(2, 3), R(2, 3) })
check("reshape", function(a) return a:reshape(3, 2) * tensor.arange(2) end, { R(2, 3) })
check("transpose", function(a) return a:transpose() * tensor.arange(2) end, { R(2, 3) })
check("squeeze", function(a) return a:squeeze() end, { R(1, 3) })
check("expand_dims", function(a) return a:expand_dims(0) end, { R(2, 3) })
check("concat", function(a, b) return tensor.concat({ a, b }, 0) end, { R(2, 3), R(1, 3) })
check("stack", function(a, b) return tensor.stack({ a, b }, 1) end, { R(2, 3), R(2, 3) })
check("slice with a step", function(a) return a:slice(1, 0, 3, 2) end, { R(2, 3) })
check("select", function(a) return a:select(1, 1) end, { R(2, 3) })
check("x[i]", function(a) return a[1] end, { R(2, 3) })
check("a composite (attention scores)", function(q, k)
  local s = tensor.batch_dot(q, k, { 2, 2 }) / math.sqrt(4)
  return tensor.batch_dot(s:softmax(), k)
end, { R(2, 3, 4), R(2, 5, 4) })

nn.seed(11)
local dense = nn.Dense(4, { activation = "tanh" })
local xin = R(2, 3)
dense(xin) -- builds the kernel and bias
check("nn.Dense w.r.t. its input", function(a) return dense(a) end, { xin })
check("nn.Dense w.r.t. its kernel", function() return dense(xin) end, { dense.kernel })
check("nn.Dense w.r.t. its bias", function() return dense(xin) end, { dense.bias })
check("nn.Dense w.r.t. all three", function() return dense(xin) end,
      { xin, dense.kernel, dense.bias })
local dense3 = nn.Dense(2, { activation = "softmax" })
local x3 = R(2, 3, 4)
dense3(x3)
check("nn.Dense on a 3-D input", function(a) return dense3(a) end,
      { x3, dense3.kernel, dense3.bias })

t.test("gradcheck's worst error is a small number, and tol decides", function()
  local x = tensor.from({ { 1, 2 }, { 3, 4 } }, { requires_grad = true })
  local f = function(a) return (a * a):sum() end
  local passed, worst = tensor.gradcheck(f, { x })
  t.eq(passed, true)
  t.eq(math.type(worst), "float")
  t.truthy(worst < 1e-3, "worst " .. worst)
  -- a tolerance below the error fails; one above passes
  local p2, w2 = tensor.gradcheck(f, { x }, { tol = worst / 2 })
  t.eq(p2, worst == 0)
  t.eq(w2, worst)
  local p3 = tensor.gradcheck(f, { x }, { tol = 1 })
  t.eq(p3, true)
  -- a linear function's error is only float32 rounding
  local _, wl = tensor.gradcheck(function(a) return (a * 3):sum() end, { x })
  t.truthy(wl < 1e-4, "linear worst " .. wl)
end)

t.test("gradcheck leaves the inputs' values alone", function()
  local x = tensor.from({ { 1, 2 }, { 3, 4 } }, { requires_grad = true })
  tensor.gradcheck(function(a) return a:tanh() end, { x })
  same(x, { { 1, 2 }, { 3, 4 } })
  t.eq(tensor.is_grad_enabled(), true)
end)

t.test("gradcheck leaves the inputs' gradients alone", function()
  -- as torch.autograd.gradcheck: a learner who checks a gradient halfway
  -- through accumulating must not find x.grad changed
  local x = tensor.from({ { 1, 2 }, { 3, 4 } }, { requires_grad = true })
  t.eq(x.grad, nil)
  tensor.gradcheck(function(a) return a:tanh() end, { x })
  t.eq(x.grad, nil, "x.grad after gradcheck")
  ;(x * x):sum():backward()
  tensor.gradcheck(function(a) return a:tanh() end, { x })
  same(x.grad, { { 2, 4 }, { 6, 8 } }, "x.grad after gradcheck")
end)

t.done()
