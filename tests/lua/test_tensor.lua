-- test_tensor.lua - the `tensor` module: creation, printing, shapes,
-- indexing, element-wise ops with broadcasting, reductions, products,
-- shape ops and reproducible random draws.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

-- exact element-wise equality (tensor against a nested table or tensor)
local function same(got, want, what) t.near(got, want, 0, what) end

-- ---- creation -------------------------------------------------------------

t.test("zeros, ones and full from sizes or a shape table", function()
  local z = tensor.zeros(2, 3)
  t.eq(tostring(z.shape), "(2, 3)")
  same(z, { { 0, 0, 0 }, { 0, 0, 0 } })
  same(tensor.zeros({ 2, 3 }), { { 0, 0, 0 }, { 0, 0, 0 } })
  same(tensor.ones(3), { 1, 1, 1 })
  same(tensor.ones({ 1, 2 }), { { 1, 1 } })
  same(tensor.full({ 2, 2 }, 7), { { 7, 7 }, { 7, 7 } })
  same(tensor.full({ 3 }, -0.5), { -0.5, -0.5, -0.5 })
  t.eq(tensor.full({ 2 }, 1).dtype, "float32")
end)

t.test("eye", function()
  same(tensor.eye(3), { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } })
  same(tensor.eye(2, 3), { { 1, 0, 0 }, { 0, 1, 0 } })
  same(tensor.eye(3, 2), { { 1, 0 }, { 0, 1 }, { 0, 0 } })
  t.eq(tostring(tensor.eye(0).shape), "(0, 0)")
end)

t.test("arange as NumPy's", function()
  same(tensor.arange(5), { 0, 1, 2, 3, 4 })
  same(tensor.arange(2, 5), { 2, 3, 4 })
  same(tensor.arange(1, 10, 3), { 1, 4, 7 })
  same(tensor.arange(5, 0, -2), { 5, 3, 1 })
  same(tensor.arange(1, 2, 0.25), { 1, 1.25, 1.5, 1.75 })
  t.near(tensor.arange(0, 1, 0.3), { 0, 0.3, 0.6, 0.9 }, 1e-7)
  t.eq(tostring(tensor.arange(0).shape), "(0,)")
  t.eq(tostring(tensor.arange(5, 0).shape), "(0,)")
end)

t.test("from nested tables, numbers and tensors", function()
  local x = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } })
  t.eq(tostring(x.shape), "(2, 3)")
  same(x, { { 1, 2, 3 }, { 4, 5, 6 } })
  t.eq(tostring(tensor.from({ { { 1 } } }).shape), "(1, 1, 1)")
  t.eq(tostring(tensor.from({ 5 }).shape), "(1,)")
  local s = tensor.from(3.5)
  t.eq(tostring(s.shape), "()")
  t.eq(s.ndim, 0)
  t.eq(s:item(), 3.5)
  -- from(tensor) is a copy, not a view
  local c = tensor.from(x)
  c:set(0, 0, -1)
  t.eq(x:get(0, 0), 1.0)
  t.eq(c:get(0, 0), -1.0)
  -- values are float32
  t.eq(tensor.from({ 0.1 }):get(0), 0.10000000149011612)
end)

t.test("the requires_grad option of every creator", function()
  local opt = { requires_grad = true }
  t.eq(tensor.zeros(2, opt).requires_grad, true)
  t.eq(tensor.zeros({ 2, 3 }, opt).requires_grad, true)
  t.eq(tensor.ones(2, opt).requires_grad, true)
  t.eq(tensor.full({ 2 }, 3, opt).requires_grad, true)
  t.eq(tensor.eye(3, 2, opt).requires_grad, true)
  t.eq(tensor.eye(3, opt).requires_grad, true)
  t.eq(tensor.arange(3, opt).requires_grad, true)
  t.eq(tensor.rand(3, opt).requires_grad, true)
  t.eq(tensor.randn(3, 4, opt).requires_grad, true)
  t.eq(tensor.from({ 1, 2 }, opt).requires_grad, true)
  t.eq(tensor.zeros(2).requires_grad, false)
  t.eq(tensor.zeros(2).is_leaf, true)
end)

t.test("rand and randn honour their ranges and moments", function()
  nn.seed(1)
  local r = tensor.rand(1000, { minval = -2, maxval = -1 })
  t.truthy(r:min():item() >= -2, "rand min >= minval")
  t.truthy(r:max():item() < -1, "rand max < maxval")
  local u = tensor.rand(20000)
  t.near(u:mean():item(), 0.5, 0.01, "mean of U(0, 1)")
  local n = tensor.randn(20000, { mean = 5, stddev = 0.1 })
  t.near(n:mean():item(), 5, 0.005, "mean of N(5, 0.1)")
  t.near(((n - 5) ^ 2):mean():sqrt():item(), 0.1, 0.005, "stddev")
  t.eq(tostring(tensor.randn({ 4 }).shape), "(4,)")
  t.eq(tostring(tensor.rand(2, 3).shape), "(2, 3)")
end)

-- ---- printing -------------------------------------------------------------

t.test("tostring of small tensors", function()
  t.eq(tostring(tensor.zeros(2, 3)), "(2, 3)\n[[0. 0. 0.]\n [0. 0. 0.]]")
  t.eq(tostring(tensor.arange(6):reshape(2, 3)),
       "(2, 3)\n[[0. 1. 2.]\n [3. 4. 5.]]")
  t.eq(tostring(tensor.from({ { 1.5, 2 }, { 3, -4.25 } })),
       "(2, 2)\n[[ 1.50  2.00]\n [ 3.00 -4.25]]")
  t.eq(tostring(tensor.from({ 1, 2, 3 }) / 10 * 3),
       "(3,)\n[0.3 0.6 0.9]")
  t.eq(tostring(tensor.from({ 1e-5, 1, 100 })),
       "(3,)\n[1.e-05 1.e+00 1.e+02]")
  t.eq(tostring(tensor.from({ 0.1234567, -2.5 })),
       "(2,)\n[ 0.1235 -2.5000]")
  t.eq(tostring(tensor.from({ 0 / 0, 1 / 0, -1 / 0, 1 })),
       "(4,)\n[ nan  inf -inf   1.]")
end)

t.test("tostring of a 3-D tensor", function()
  t.eq(tostring(tensor.arange(24):reshape(2, 3, 4)), table.concat({
    "(2, 3, 4)",
    "[[[ 0.  1.  2.  3.]",
    "  [ 4.  5.  6.  7.]",
    "  [ 8.  9. 10. 11.]]",
    "",
    " [[12. 13. 14. 15.]",
    "  [16. 17. 18. 19.]",
    "  [20. 21. 22. 23.]]]" }, "\n"))
end)

t.test("tostring of 0-d and 0-element tensors", function()
  t.eq(tostring(tensor.from(3.5)), "()\n3.5")
  t.eq(tostring(tensor.from(2)), "()\n2.0")
  t.eq(tostring(tensor.zeros(0)), "(0,)\n[]")
  t.eq(tostring(tensor.zeros(2, 0)), "(2, 0)\n[]")
end)

t.test("tostring elides big tensors as NumPy does", function()
  t.eq(tostring(tensor.arange(2000) + 1000),
       "(2000,)\n[1000. 1001. 1002. ... 2997. 2998. 2999.]")
  -- 1999 / 1 > 1000: scientific, as NumPy prints np.arange(2000.)
  t.eq(tostring(tensor.arange(2000)),
       "(2000,)\n[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]")
  t.eq(tostring((tensor.arange(2000) + 1000):reshape(40, 50)), table.concat({
    "(40, 50)",
    "[[1000. 1001. 1002. ... 1047. 1048. 1049.]",
    " [1050. 1051. 1052. ... 1097. 1098. 1099.]",
    " [1100. 1101. 1102. ... 1147. 1148. 1149.]",
    " ...",
    " [2850. 2851. 2852. ... 2897. 2898. 2899.]",
    " [2900. 2901. 2902. ... 2947. 2948. 2949.]",
    " [2950. 2951. 2952. ... 2997. 2998. 2999.]]" }, "\n"))
  -- 1000 elements is still printed in full
  local s = tostring(tensor.arange(1000))
  t.eq(s:find("...", 1, true), nil)
end)

t.test("tostring marks requires_grad and grad_fn", function()
  local x = tensor.from({ 1, 2 }, { requires_grad = true })
  t.eq(tostring(x), "(2,) requires_grad\n[1. 2.]")
  t.eq(tostring(x * 2), "(2,) grad_fn=multiply\n[2. 4.]")
end)

-- ---- shapes ---------------------------------------------------------------

t.test("shape tables compare by value and print as tuples", function()
  local x = tensor.zeros(2, 3)
  t.eq(x.shape == tensor.ones(2, 3).shape, true)
  t.eq(x.shape == tensor.ones(3, 2).shape, false)
  t.eq(x.shape ~= tensor.ones(2, 3, 1).shape, true)
  t.eq(x.shape == { 2, 3 }, true)
  t.eq(x.shape[1], 2)
  t.eq(x.shape[2], 3)
  t.eq(#x.shape, 2)
  t.eq(math.type(x.shape[1]), "integer")
  t.eq(tostring(x.shape), "(2, 3)")
  t.eq(tostring(tensor.zeros(3).shape), "(3,)")
  t.eq(tostring(tensor.from(1).shape), "()")
  t.eq(tostring(x:size()), "(2, 3)")
  t.eq(x:size(1), 3)
  t.eq(x:size(-2), 2)
  t.eq(x.ndim, 2)
  t.eq(x:dim(), 2)
  t.eq(x:numel(), 6)
  t.eq(#x, 2)
end)

-- ---- element access -------------------------------------------------------

t.test("x[i] is 0-based, negative from the end", function()
  local v = tensor.from({ 10, 20, 30 })
  t.eq(v[0], 10.0)
  t.eq(v[2], 30.0)
  t.eq(v[-1], 30.0)
  t.eq(math.type(v[0]), "float")
  local x = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } })
  local row = x[1]
  t.eq(tostring(row.shape), "(3,)")
  same(row, { 4, 5, 6 })
  same(x[-2], { 1, 2, 3 })
  t.eq(x[1][2], 6.0)
end)

t.test("get and set", function()
  local x = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } })
  t.eq(x:get(0, 0), 1.0)
  t.eq(x:get(1, 2), 6.0)
  t.eq(x:get(-1, -3), 4.0)
  t.eq(x:set(0, 1, 9.5), x, "set returns x")
  same(x, { { 1, 9.5, 3 }, { 4, 5, 6 } })
  x:set(-1, -1, -7)
  t.eq(x:get(1, 2), -7.0)
  local s = tensor.from(4)
  t.eq(s:get(), 4.0)
  s:set(8)
  t.eq(s:item(), 8.0)
end)

t.test("x[i] = v fills a row", function()
  local x = tensor.zeros(2, 3)
  x[1] = 7
  same(x, { { 0, 0, 0 }, { 7, 7, 7 } })
  x[0] = tensor.from({ 1, 2, 3 })
  same(x, { { 1, 2, 3 }, { 7, 7, 7 } })
  x[-1] = tensor.from({ 4, 5, 6 })
  same(x, { { 1, 2, 3 }, { 4, 5, 6 } })
  local v = tensor.zeros(3)
  v[1] = 5
  same(v, { 0, 5, 0 })
end)

t.test("item, totable and clone", function()
  t.eq(tensor.from({ { 5 } }):item(), 5.0)
  local x = tensor.arange(6):reshape(3, 2)
  local tb = x:totable()
  t.eq(#tb, 3)
  t.eq(#tb[1], 2)
  t.eq(tb[3][2], 5.0)
  t.eq(tensor.from(3):totable(), 3.0)
  local c = x:clone()
  c:set(0, 0, 100)
  t.eq(x:get(0, 0), 0.0)
end)

-- ---- element-wise ---------------------------------------------------------

t.test("+ - * / and unary minus", function()
  local a = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } })
  local b = tensor.from({ { 6, 5, 4 }, { 3, 2, 1 } })
  same(a + b, { { 7, 7, 7 }, { 7, 7, 7 } })
  same(a - b, { { -5, -3, -1 }, { 1, 3, 5 } })
  same(a * b, { { 6, 10, 12 }, { 12, 10, 6 } })
  same(a / tensor.from({ { 2, 4, 5 }, { 8, 10, 16 } }),
       { { 0.5, 0.5, 0.6000000238418579 }, { 0.5, 0.5, 0.375 } })
  same(-a, { { -1, -2, -3 }, { -4, -5, -6 } })
  -- function forms and their aliases
  same(tensor.add(a, b), a + b)
  same(tensor.sub(a, b), a - b)
  same(tensor.subtract(a, b), a - b)
  same(tensor.mul(a, b), a * b)
  same(tensor.multiply(a, b), a * b)
  same(tensor.div(a, b), a / b)
  same(tensor.divide(a, b), a / b)
  same(tensor.neg(a), -a)
  same(a:add(1), { { 2, 3, 4 }, { 5, 6, 7 } })
end)

t.test("numbers on either side", function()
  local a = tensor.from({ 1, 2, 4 })
  same(a + 1, { 2, 3, 5 })
  same(1 - a, { 0, -1, -3 })
  same(a - 1, { 0, 1, 3 })
  same(2 * a, { 2, 4, 8 })
  same(a / 2, { 0.5, 1, 2 })
  same(4 / a, { 4, 2, 1 })
  same(a ^ 2, { 1, 4, 16 })
  same(2 ^ a, { 2, 4, 16 })
end)

t.test("division by zero and domain errors give inf and nan", function()
  local d = (tensor.from({ 1, -1, 0 }) / 0):totable()
  t.eq(d[1], math.huge)
  t.eq(d[2], -math.huge)
  t.truthy(d[3] ~= d[3], "0/0 is nan")
  local s = tensor.sqrt(tensor.from({ -1 })):totable()
  t.truthy(s[1] ~= s[1], "sqrt(-1) is nan")
  t.eq(tensor.log(tensor.from({ 0 }))[0], -math.huge)
end)

t.test("exp log sqrt abs tanh sigmoid relu square", function()
  -- values from NumPy in float32
  t.near(tensor.exp(tensor.from({ 0, 1, -1 })), { 1, 2.7182817, 0.36787945 }, 1e-6)
  t.near(tensor.log(tensor.from({ 1, math.exp(2), 0.5 })), { 0, 2, -0.69314718 }, 1e-6)
  same(tensor.sqrt(tensor.from({ 4, 9, 0 })), { 2, 3, 0 })
  same(tensor.abs(tensor.from({ -1.5, 2, 0 })), { 1.5, 2, 0 })
  t.near(tensor.tanh(tensor.from({ 0, 1, -2 })), { 0, 0.76159416, -0.96402758 }, 1e-6)
  t.near(tensor.sigmoid(tensor.from({ 0, 2, -2 })), { 0.5, 0.88079708, 0.11920292 }, 1e-6)
  same(tensor.relu(tensor.from({ -1, 0, 2.5 })), { 0, 0, 2.5 })
  same(tensor.square(tensor.from({ -3, 0.5 })), { 9, 0.25 })
  -- methods too
  same(tensor.from({ -2 }):abs(), { 2 })
  t.near(tensor.from({ 1 }):exp(), { 2.7182817 }, 1e-6)
  -- saturation without overflow to nan
  same(tensor.tanh(tensor.from({ -100, 100 })), { -1, 1 })
  local sg = tensor.sigmoid(tensor.from({ -100, 100 })):totable()
  t.near(sg, { 0, 1 }, 1e-30)
end)

t.test("pow, maximum and minimum", function()
  same(tensor.pow(tensor.from({ 2, 3 }), 2), { 4, 9 })
  same(tensor.pow(2, tensor.from({ 2, 3 })), { 4, 8 })
  same(tensor.pow(tensor.from({ 2 }), -1), { 0.5 })
  same(tensor.from({ -2 }) ^ 3, { -8 })
  same(tensor.from({ -2 }) ^ 2, { 4 })
  t.near(tensor.pow(tensor.from({ 8, 4 }), tensor.from({ 1 / 3, 0.5 })),
         { 2, 2 }, 1e-6)
  same(tensor.from(0) ^ 0, 1)
  local a = tensor.arange(6):reshape(2, 3)
  same(tensor.maximum(a, 2), { { 2, 2, 2 }, { 3, 4, 5 } })
  same(tensor.minimum(a, tensor.from({ 1, 1, 10 })), { { 0, 1, 2 }, { 1, 1, 5 } })
end)

t.test("NumPy broadcasting", function()
  same(tensor.arange(3):reshape(3, 1) + tensor.arange(4):reshape(1, 4) * 10,
       { { 0, 10, 20, 30 }, { 1, 11, 21, 31 }, { 2, 12, 22, 32 } })
  same(tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } }) + tensor.from({ 10, 20, 30 }),
       { { 11, 22, 33 }, { 14, 25, 36 } })
  same(tensor.from({ { 1 }, { 2 } }) * tensor.from({ 10, 20, 30 }),
       { { 10, 20, 30 }, { 20, 40, 60 } })
  local y = tensor.ones(2, 1, 3) * tensor.arange(4):reshape(4, 1)
  t.eq(tostring(y.shape), "(2, 4, 3)")
  same(y[1][3], { 3, 3, 3 })
  -- a 0-d tensor broadcasts against anything
  same(tensor.from(2) * tensor.from({ { 1, 2 } }), { { 2, 4 } })
  t.eq(tostring((tensor.zeros(5, 1, 4) - tensor.zeros(3, 1)).shape), "(5, 3, 4)")
end)

-- ---- reductions -----------------------------------------------------------

t.test("sum and mean over all, one axis, several axes, keepdims", function()
  local a = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } })
  local s = a:sum()
  t.eq(tostring(s.shape), "()")
  t.eq(s:item(), 21.0)
  same(a:sum(0), { 5, 7, 9 })
  same(a:sum(1), { 6, 15 })
  same(a:sum(-1), { 6, 15 })
  local k = a:sum(-1, true)
  t.eq(tostring(k.shape), "(2, 1)")
  same(k, { { 6 }, { 15 } })
  same(a:sum({ axis = 0, keepdims = true }), { { 5, 7, 9 } })
  same(a:sum({ 0, 1 }), 21)
  same(tensor.sum(a, 0), { 5, 7, 9 })
  t.eq(a:mean():item(), 3.5)
  same(a:mean(1), { 2, 5 })
  local x = tensor.arange(24):reshape(2, 3, 4)
  same(x:sum({ 0, 2 }), { 60, 92, 124 })
  t.eq(tostring(x:sum({ 0, 2 }, true).shape), "(1, 3, 1)")
  t.eq(tostring(x:sum({ axis = { 0, 2 }, keepdims = true }).shape), "(1, 3, 1)")
  same(x:mean(-1), { { 1.5, 5.5, 9.5 }, { 13.5, 17.5, 21.5 } })
end)

t.test("max min argmax argmin", function()
  local a = tensor.from({ { 1, 5, 2 }, { 7, 0, 7 } })
  t.eq(a:max():item(), 7.0)
  t.eq(a:min():item(), 0.0)
  same(a:max(0), { 7, 5, 7 })
  same(a:max(1), { 5, 7 })
  same(a:min(1, true), { { 1 }, { 0 } })
  same(a:max({ axis = -1, keepdims = true }), { { 5 }, { 7 } })
  -- argmax: the first of ties, over the flattened tensor when no axis
  t.eq(a:argmax():item(), 3.0)
  t.eq(a:argmin():item(), 4.0)
  same(a:argmax(1), { 1, 0 })
  same(a:argmax(0), { 1, 0, 1 })
  same(a:argmin(0), { 0, 1, 0 })
  same(a:argmax(-1, true), { { 1 }, { 0 } })
  same(tensor.from({ 1, 3, 3, 2 }):argmax(), 1)
end)

t.test("softmax and log_softmax", function()
  -- numpy: e = np.exp([1, 2, 3]); e / e.sum()
  t.near(tensor.softmax(tensor.from({ 1, 2, 3 })),
         { 0.09003057, 0.24472847, 0.66524096 }, 1e-6)
  t.near(tensor.log_softmax(tensor.from({ 1, 2, 3 })),
         { -2.40760596, -1.40760596, -0.40760596 }, 1e-6)
  -- along axis 0 and the default last axis
  local a = tensor.from({ { 1, 2, 3 }, { 4, 5, 6 } })
  t.near(a:softmax(0), { { 0.04742587, 0.04742587, 0.04742587 },
                         { 0.95257413, 0.95257413, 0.95257413 } }, 1e-6)
  t.near(a:softmax():sum(-1), { 1, 1 }, 1e-6)
  t.near(a:softmax(-1), a:softmax(1), 0)
  -- stable for big inputs
  same(tensor.softmax(tensor.from({ 1000, 1000 })), { 0.5, 0.5 })
  same(tensor.log_softmax(tensor.from({ 1000, 0 })), { 0, -1000 })
  same(tensor.softmax(tensor.from({ -1 / 0, 0 })), { 0, 1 })
end)

-- ---- products -------------------------------------------------------------

t.test("matmul: 2-D, transposes, batched, broadcast", function()
  local a = tensor.arange(6):reshape(2, 3)
  local b = tensor.arange(6):reshape(3, 2)
  same(tensor.matmul(a, b), { { 10, 13 }, { 28, 40 } })
  same(a:matmul(b), { { 10, 13 }, { 28, 40 } })
  same(tensor.matmul(a, a, { transpose_b = true }), { { 5, 14 }, { 14, 50 } })
  same(tensor.matmul(a, a, { transpose_a = true }),
       { { 9, 12, 15 }, { 12, 17, 22 }, { 15, 22, 29 } })
  -- (2, 2, 3) @ (3, 2): b broadcast over the batch
  local A = tensor.arange(12):reshape(2, 2, 3)
  same(tensor.matmul(A, b), { { { 10, 13 }, { 28, 40 } },
                              { { 46, 67 }, { 64, 94 } } })
  -- batch axes broadcast as NumPy's
  local c = tensor.matmul(tensor.arange(24):reshape(2, 1, 3, 4), tensor.ones(3, 4, 2))
  t.eq(tostring(c.shape), "(2, 3, 3, 2)")
  same(c[1][2][0], { 54, 54 }) -- 12+13+14+15
  -- batched with both sides batched
  local q = tensor.arange(8):reshape(2, 2, 2)
  same(tensor.matmul(q, q), { { { 2, 3 }, { 6, 11 } }, { { 46, 55 }, { 66, 79 } } })
end)

t.test("batch_dot as Keras's K.batch_dot", function()
  local x = tensor.arange(6):reshape(2, 3)
  local y = tensor.ones(2, 3)
  -- two 2-D inputs give (batch, 1)
  same(tensor.batch_dot(x, y), { { 3 }, { 12 } })
  same(tensor.batch_dot(x, y, 1), { { 3 }, { 12 } })
  local q = tensor.arange(24):reshape(2, 3, 4)
  local k = tensor.arange(40):reshape(2, 5, 4)
  local s = tensor.batch_dot(q, k, { 2, 2 })
  t.eq(tostring(s.shape), "(2, 3, 5)")
  same(s[0][0], { 14, 38, 62, 86, 110 })
  same(s[1][2], { 1854, 2198, 2542, 2886, 3230 })
  -- equals matmul with k transposed
  same(s, tensor.matmul(q, k, { transpose_b = true }))
  -- default axes: last of x, the one before last of a 3-D y
  t.eq(tostring(tensor.batch_dot(q, tensor.ones(2, 4, 5)).shape), "(2, 3, 5)")
  t.eq(tostring(tensor.batch_dot(q, tensor.ones(2, 4)).shape), "(2, 3)")
  same(tensor.batch_dot(q, tensor.ones(2, 4)), q:sum(-1))
  t.eq(tostring(tensor.batch_dot(tensor.ones(2, 4), q, { 1, 2 }).shape), "(2, 3)")
  -- the Keras docs example
  t.eq(tostring(tensor.batch_dot(tensor.ones(32, 20, 1), tensor.ones(32, 30, 20),
                                 { 1, 2 }).shape), "(32, 1, 30)")
end)

-- ---- shape ops ------------------------------------------------------------

t.test("reshape with -1", function()
  local a = tensor.arange(6)
  same(a:reshape(2, 3), { { 0, 1, 2 }, { 3, 4, 5 } })
  same(a:reshape({ 3, 2 }), { { 0, 1 }, { 2, 3 }, { 4, 5 } })
  t.eq(tostring(a:reshape(-1, 2).shape), "(3, 2)")
  t.eq(tostring(a:reshape({ 2, -1 }).shape), "(2, 3)")
  t.eq(tostring(a:reshape(2, 3):reshape(-1).shape), "(6,)")
  t.eq(tostring(a:reshape(6, 1, 1).shape), "(6, 1, 1)")
  t.eq(tostring(tensor.from({ 7 }):reshape({}).shape), "()")
  t.eq(tostring(tensor.reshape(a, 1, 6).shape), "(1, 6)")
end)

t.test("transpose", function()
  local a = tensor.arange(6):reshape(2, 3)
  same(a:transpose(), { { 0, 3 }, { 1, 4 }, { 2, 5 } })
  same(a:transpose({ 1, 0 }), { { 0, 3 }, { 1, 4 }, { 2, 5 } })
  local x = tensor.arange(24):reshape(2, 3, 4)
  local y = x:transpose({ 0, 2, 1 })
  t.eq(tostring(y.shape), "(2, 4, 3)")
  t.eq(y:get(1, 3, 2), x:get(1, 2, 3))
  t.eq(tostring(x:transpose().shape), "(4, 3, 2)")
  t.eq(x:transpose():get(3, 1, 0), x:get(0, 1, 3))
  t.eq(tostring(x:transpose({ -1, 0, 1 }).shape), "(4, 2, 3)")
end)

t.test("squeeze and expand_dims", function()
  local z = tensor.zeros(1, 3, 1)
  t.eq(tostring(z:squeeze().shape), "(3,)")
  t.eq(tostring(z:squeeze(0).shape), "(3, 1)")
  t.eq(tostring(z:squeeze(-1).shape), "(1, 3)")
  t.eq(tostring(z:squeeze({ 0, 2 }).shape), "(3,)")
  local a = tensor.arange(6):reshape(2, 3)
  t.eq(tostring(a:expand_dims(0).shape), "(1, 2, 3)")
  t.eq(tostring(a:expand_dims(1).shape), "(2, 1, 3)")
  t.eq(tostring(a:expand_dims(-1).shape), "(2, 3, 1)")
  same(a:expand_dims(1), { { { 0, 1, 2 } }, { { 3, 4, 5 } } })
end)

t.test("concat and stack", function()
  local a = tensor.arange(6):reshape(2, 3)
  local b = a * 10
  same(tensor.concat({ a, b }, 0),
       { { 0, 1, 2 }, { 3, 4, 5 }, { 0, 10, 20 }, { 30, 40, 50 } })
  same(tensor.concat({ a, b }, 1),
       { { 0, 1, 2, 0, 10, 20 }, { 3, 4, 5, 30, 40, 50 } })
  same(tensor.concat({ a, b }), tensor.concat({ a, b }, -1)) -- default: last axis
  same(tensor.concat({ a, tensor.ones(2, 1) }, 1), { { 0, 1, 2, 1 }, { 3, 4, 5, 1 } })
  same(tensor.concat({ a }), a)
  local s = tensor.stack({ a, b })
  t.eq(tostring(s.shape), "(2, 2, 3)")
  same(s[1], b)
  t.eq(tostring(tensor.stack({ a, b }, 1).shape), "(2, 2, 3)")
  same(tensor.stack({ a, b }, 1)[0], { { 0, 1, 2 }, { 0, 10, 20 } })
  t.eq(tostring(tensor.stack({ a, b }, -1).shape), "(2, 3, 2)")
  same(tensor.stack({ a, b }, -1)[1][2], { 5, 50 })
  same(tensor.stack({ tensor.from(1), tensor.from(2) }), { 1, 2 })
end)

t.test("slice and select as Python's x[start:stop:step]", function()
  local r = tensor.arange(10)
  same(r:slice(0, 2, 5), { 2, 3, 4 })
  same(r:slice(0, nil, nil, 2), { 0, 2, 4, 6, 8 })
  same(r:slice(0, -3), { 7, 8, 9 })
  same(r:slice(0, nil, -7), { 0, 1, 2 })
  same(r:slice(0, nil, nil, -1), { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 })
  same(r:slice(0, 8, 2, -2), { 8, 6, 4 })
  same(r:slice(0, 5, 100), { 5, 6, 7, 8, 9 }) -- clamped
  t.eq(tostring(r:slice(0, 5, 2).shape), "(0,)")
  local a = tensor.arange(6):reshape(2, 3)
  same(a:slice(1, 1), { { 1, 2 }, { 4, 5 } })
  same(a:slice(0, 1, 2), { { 3, 4, 5 } })
  same(a:slice(-1, 0, 3, 2), { { 0, 2 }, { 3, 5 } })
  same(a:select(1, 2), { 2, 5 })
  same(a:select(0, -1), { 3, 4, 5 })
  same(tensor.select(a, 1, 0), { 0, 3 })
end)

-- ---- reproducible random draws -------------------------------------------

local function draws()
  local a = tensor.randn(3, 4)
  local b = tensor.rand(5)
  local d = nn.Dense(3)
  d(tensor.ones(1, 4))
  return { a:totable(), b:totable(), d.kernel:totable() }
end

local function bits_equal(x, y)
  if type(x) == "table" then
    if type(y) ~= "table" or #x ~= #y then return false end
    for i = 1, #x do
      if not bits_equal(x[i], y[i]) then return false end
    end
    return true
  end
  return string.format("%a", x) == string.format("%a", y)
end

t.test("nn.seed: the same seed gives the same values bit for bit", function()
  nn.seed(42)
  local first = draws()
  nn.seed(42)
  local second = draws()
  t.truthy(bits_equal(first, second), "two runs with seed 42 differ")
  -- the values of seed 42 (first draws of randn(3, 4)), as printed
  nn.seed(42)
  t.eq(tostring(tensor.randn(3, 4)), table.concat({
    "(3, 4)",
    "[[-1.6132  1.5345  0.7817 -0.4002]",
    " [ 0.0159 -0.1273  0.4772 -0.6568]",
    " [-0.6395 -0.3693 -0.2210  0.8457]]" }, "\n"))
  -- tensor.rand and nn.Dense's glorot_uniform follow the same stream
  nn.seed(7)
  local k1 = nn.Dense(4)
  k1(tensor.ones(1, 5))
  nn.seed(7)
  local k2 = nn.Dense(4)
  k2(tensor.ones(1, 5))
  t.truthy(bits_equal(k1.kernel:totable(), k2.kernel:totable()))
end)

t.test("nn.seed: different seeds give different values", function()
  nn.seed(42)
  local a = draws()
  nn.seed(43)
  local b = draws()
  t.truthy(not bits_equal(a[1], b[1]), "randn equal under seeds 42 and 43")
  t.truthy(not bits_equal(a[2], b[2]), "rand equal under seeds 42 and 43")
  t.truthy(not bits_equal(a[3], b[3]), "kernels equal under seeds 42 and 43")
  -- and the stream moves on without a new seed
  nn.seed(5)
  local x, y = tensor.rand(4):totable(), tensor.rand(4):totable()
  t.truthy(not bits_equal(x, y), "two draws in a row are equal")
  -- seeds 0 and negative seeds are seeds too
  nn.seed(0)
  local z0 = tensor.rand(3):totable()
  nn.seed(-1)
  local zm = tensor.rand(3):totable()
  t.truthy(not bits_equal(z0, zm))
  nn.seed(0)
  t.truthy(bits_equal(z0, tensor.rand(3):totable()))
end)

t.test("gather takes entries along an axis, like NumPy's take", function()
  local x = tensor.arange(12):reshape(3, 4)
  t.near(tensor.gather(x, tensor.from { 2, 0, 2 }), { { 8, 9, 10, 11 }, { 0, 1, 2, 3 }, { 8, 9, 10, 11 } }, 0)
  t.near(tensor.gather(x, tensor.from { { -1 }, { 1 } }, 1),
         { { { 3 }, { 1 } }, { { 7 }, { 5 } }, { { 11 }, { 9 } } }, 0)
  t.eq(tostring(tensor.gather(x, tensor.from { 1, 1 }, -1).shape), "(3, 2)")
  t.eq(tostring(tensor.gather(nn.Input { 5, 7 }, tensor.from { 0, 2 }, 1).shape), "(None, 2, 7)")
  t.raises(function() return tensor.gather(x, tensor.from { 3 }) end,
           "gather: index 3 is not an integer in [-3, 3) for axis 0 of a tensor of shape (3, 4)")
  t.raises(function() return tensor.gather(x, tensor.from { 0.5 }) end, "gather: index 0.5 is not an integer")
  -- repeated indices add their gradients
  local w = tensor.arange(6):reshape(3, 2)
  w.requires_grad = true
  tensor.gather(w, tensor.from { 1, 1, 0 }):sum():backward()
  t.near(w.grad, { { 1, 1 }, { 2, 2 }, { 0, 0 } }, 0)
  local ok, err = tensor.gradcheck(function(a) return tensor.gather(a, tensor.from { 2, 0, -1 }, 0) end, { w })
  t.truthy(ok, tostring(err))
end)

t.test("comparisons give 0 or 1, broadcast, and carry no gradient", function()
  local a = tensor.from({ 1, 2, 3 }, { requires_grad = true })
  t.near(tensor.greater(a, 2), { 0, 0, 1 }, 0)
  t.near(tensor.greater_equal(a, 2), { 0, 1, 1 }, 0)
  t.near(tensor.less(a, 2), { 1, 0, 0 }, 0)
  t.near(tensor.less_equal(a, 2), { 1, 1, 0 }, 0)
  t.near(tensor.equal(a, tensor.from { 1, 0, 3 }), { 1, 0, 1 }, 0)
  t.near(tensor.not_equal(tensor.from { { 1 }, { 2 } }, a), { { 0, 1, 1 }, { 1, 0, 1 } }, 0)
  t.eq(tensor.greater(a, 1).requires_grad, false)
end)

t.done()
