-- test_errors.lua - bad input gives a clear Lua error at the learner's line,
-- never a crash: wrong types, nil, negative/fractional/NaN/huge sizes,
-- 0-element tensors through every op, shape errors, symbolic misuse,
-- autograd misuse, and nn.Dense's options.
local t = dofile(arg[0]:match("^(.*)/") .. "/harness.lua")

-- this file as error messages name it (Lua shortens long paths)
local FILE = debug.getinfo(1, "S").short_src
local ATTNLAB = os.getenv("ATTNLAB") or arg[-1]

-- fn() must raise an error whose message contains want (a string, or a
-- table of strings that must all appear), and the message must start with
-- this file's name and a line inside fn: the learner's line, not a line of
-- lua/attnlab/ or of the harness. Returns the message.
local function E(fn, want)
  local err
  if type(want) == "table" then
    err = t.raises(fn, want[1])
    for i = 2, #want do
      if not err:find(want[i], 1, true) then
        error(string.format("error %q does not contain %q", err, want[i]), 2)
      end
    end
  else
    err = t.raises(fn, want)
  end
  local info = debug.getinfo(fn, "S")
  local file, line = err:match("^(.-):(%d+): ")
  line = tonumber(line)
  if file ~= FILE or not line or line < info.linedefined
     or line > info.lastlinedefined then
    error(string.format("error %q does not point at %s:%d", err, FILE,
                        info.linedefined), 2)
  end
  return err
end

-- runs code in a fresh attnlab (for cases that might crash the process);
-- returns its output (stdout and stderr) and exit status
local function child(code)
  local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
  local p = io.popen(quote(ATTNLAB) .. " -e " .. quote(code) .. " 2>&1; echo \"EXIT:$?\"")
  local out = p:read("a")
  p:close()
  local body, status = out:match("^(.*)EXIT:(%d+)%s*$")
  return body, tonumber(status)
end

local function same(got, want, what) t.near(got, want, 0, what) end

local a = tensor.arange(6):reshape(2, 3)

-- ---- wrong types ----------------------------------------------------------

t.test("creators reject wrong types", function()
  E(function() local _ = tensor.zeros("a") end,
    "tensor.zeros: expected sizes or a shape table, got string")
  E(function() local _ = tensor.ones(true) end,
    "tensor.ones: expected sizes or a shape table, got boolean")
  E(function() local _ = tensor.zeros({ 2, "x" }) end,
    "tensor.zeros: size 2 must be a non-negative integer, got string")
  E(function() local _ = tensor.full({ 2 }, "x") end,
    "tensor.full: value must be a number, got string")
  E(function() local _ = tensor.full(2, 3) end,
    "tensor.full: expected a shape table and a value, e.g. tensor.full({2, 3}, 7)")
  E(function() local _ = tensor.eye("a") end,
    "tensor.eye: n must be an integer, got string")
  E(function() local _ = tensor.arange("a") end,
    "tensor.arange: expected (stop), (start, stop) or (start, stop, step)")
  E(function() local _ = tensor.from("x") end,
    "tensor.from: expected a (nested) table of numbers, got string")
  E(function() local _ = tensor.from({ 1, "a" }) end,
    "tensor.from: element [2] is string, not a number")
  E(function() local _ = tensor.from({ tensor.ones(2) }) end,
    "tensor.from: element [1] is userdata, not a number")
  E(function() local _ = tensor.randn(2, { mean = "x" }) end,
    "tensor.randn: option mean must be a number, got string")
  E(function() local _ = tensor.rand(2, { maxval = {} }) end,
    "tensor.rand: option maxval must be a number, got table")
end)

t.test("creators reject junk after the sizes", function()
  -- tensor.zeros(2, "x") used to be a silent (2,)
  E(function() local _ = tensor.zeros(2, "x") end, { "tensor.zeros", "string" })
  E(function() local _ = tensor.ones(2, true) end, { "tensor.ones", "boolean" })
  E(function() local _ = tensor.zeros({ 2 }, 3) end, { "tensor.zeros", "number" })
end)

t.test("creators reject unknown options", function()
  -- a typo must not silently drop requires_grad
  E(function() local _ = tensor.zeros(2, { requires_grd = true }) end,
    { "tensor.zeros", "unknown option 'requires_grd'" })
  E(function() local _ = tensor.randn(2, { std = 2 }) end,
    { "tensor.randn", "unknown option 'std'" })
  E(function() local _ = tensor.from({ 1 }, { require_grad = true }) end,
    { "tensor.from", "unknown option 'require_grad'" })
end)

t.test("ragged tables", function()
  E(function() local _ = tensor.from({ { 1, 2 }, { 3 } }) end,
    "tensor.from: row [2] has 1 elements, expected 2 (the rows are ragged)")
  E(function() local _ = tensor.from({ { 1, 2 }, 3 }) end,
    "tensor.from: element [2] is number, expected a table of 2 (the rows are ragged)")
end)

t.test("ops reject wrong types", function()
  E(function() local _ = a + "x" end,
    "bad argument #2 to 'add' (tensor expected, got string)")
  E(function() local _ = a * {} end,
    "bad argument #2 to 'mul' (tensor expected, got table)")
  E(function() local _ = tensor.add(a) end, "add: expected two operands")
  E(function() local _ = tensor.exp("x") end,
    "bad argument #1 to 'exp' (tensor expected, got string)")
  E(function() local _ = tensor.sum("x") end,
    "bad argument #1 to 'sum' (tensor expected, got string)")
  E(function() local _ = a:sum("x") end, "sum: axis must be an integer, got string")
  E(function() local _ = a:sum({ "a" }) end, "sum: axis must be an integer, got string")
  E(function() local _ = tensor.matmul(a, 2) end,
    "bad argument #2 to 'matmul' (tensor expected, got number)")
  E(function() local _ = tensor.batch_dot(a, a, "x") end,
    "batch_dot: axes must be an integer, got string")
  E(function() local _ = tensor.batch_dot(a, a, { 1 }) end,
    "batch_dot: axes must be a number or a pair {axis_x, axis_y}")
  E(function() local _ = tensor.concat(a) end,
    "concat: expected a table of tensors, e.g. tensor.concat({a, b}, axis)")
  E(function() local _ = tensor.stack(a) end,
    "stack: expected a table of tensors, e.g. tensor.stack({a, b}, axis)")
  E(function() local _ = tensor.concat({ a, 3 }) end,
    "concat: element 2 is number, not a tensor")
  E(function() local _ = a:reshape("x") end, "reshape: size must be an integer, got string")
  E(function() local _ = a:transpose("x") end, "transpose: axis must be an integer, got string")
  E(function() local _ = a:get("x", 0) end, "get: index must be an integer, got string")
  E(function() local _ = a[{}] end, "tensor: cannot index a tensor with a table")
  E(function() local _ = a[true] end, "tensor: cannot index a tensor with a boolean")
  E(function() a.foo = 1 end, "tensor: cannot set field 'foo'")
  E(function() a.grad = tensor.ones(2, 3) end, "tensor: cannot set field 'grad'")
  E(function() a:set(0, 0, "x") end,
    "set: expected indices and a number, e.g. x:set(0, 1, 3.5)")
  E(function() local c = a:clone(); c[0] = tensor.ones(2) end,
    "index: x[i] of a tensor of shape (2, 3) takes a number or a tensor of shape (3,)")
  E(function() local _ = tensor.no_grad(5) end,
    "bad argument #1 to 'no_grad' (function expected, got number)")
  E(function() a:sum():backward("x") end,
    "bad argument #1 to 'backward' (tensor expected, got string)")
end)

t.test("gradcheck rejects bad arguments", function()
  local x = tensor.ones(2, { requires_grad = true })
  local f = function(v) return v:sum() end
  E(function() local _ = tensor.gradcheck(5, { x }) end,
    "bad argument #1 to 'gradcheck' (function expected, got number)")
  E(function() local _ = tensor.gradcheck(f, x) end,
    "tensor.gradcheck: expected f and a table of input tensors")
  E(function() local _ = tensor.gradcheck(f, {}) end, "tensor.gradcheck: no inputs")
  E(function() local _ = tensor.gradcheck(f, { 1 }) end,
    "tensor.gradcheck: input 1 is not a tensor")
  E(function() local _ = tensor.gradcheck(function() return 5 end, { x }) end,
    "gradcheck: f must return a tensor")
  E(function() local _ = tensor.gradcheck(f, { tensor.ones(2) }) end,
    "tensor.gradcheck: no input requires grad; create them with {requires_grad=true}")
  E(function() local _ = tensor.gradcheck(f, { nn.Input({ 3 }) }) end,
    "gradcheck: input 1 is symbolic")
  E(function() local _ = tensor.gradcheck(f, { x }, { eps = "x" }) end,
    "tensor.gradcheck: option eps must be a number, got string")
end)

t.test("an error inside gradcheck's f is reported once, at f's line", function()
  local x = tensor.ones(2, 2, { requires_grad = true })
  local err = t.raises(function()
    tensor.gradcheck(function(v) return v + tensor.ones(5) end, { x })
  end, "add: shapes (2, 2) and (5,) cannot be broadcast together")
  local _, n = err:gsub("test_errors%.lua:%d+:", "")
  t.eq(n, 1, "positions in " .. err)
end)

-- ---- nil ------------------------------------------------------------------

t.test("a nil size is an error, not a 0-d tensor", function()
  -- tensor.zeros(n) with n undefined must not quietly give a scalar
  E(function() local _ = tensor.zeros(nil) end,
    "tensor.zeros: expected sizes or a shape table, got nil")
  E(function() local _ = tensor.ones(nil) end,
    "tensor.ones: expected sizes or a shape table, got nil")
  E(function() local _ = tensor.randn(nil) end,
    "tensor.randn: expected sizes or a shape table, got nil")
  E(function() local _ = tensor.rand(nil, 3) end,
    "tensor.rand: expected sizes or a shape table, got nil")
end)

t.test("nil arguments", function()
  E(function() local _ = tensor.full(nil, 1) end,
    "tensor.full: expected a shape table and a value")
  E(function() local _ = tensor.full({ 2 }, nil) end,
    "tensor.full: value must be a number, got nil")
  E(function() local _ = tensor.eye(nil) end, "tensor.eye: n must be an integer, got nil")
  E(function() local _ = tensor.from(nil) end,
    "tensor.from: expected a (nested) table of numbers, got nil")
  E(function() local _ = tensor.arange(nil) end,
    "tensor.arange: expected (stop), (start, stop) or (start, stop, step)")
  E(function() local _ = a + nil end,
    "bad argument #2 to 'add' (tensor expected, got nil)")
  E(function() local _ = tensor.exp() end,
    "bad argument #1 to 'exp' (tensor expected, got no value)")
  E(function() local _ = tensor.matmul(a, nil) end,
    "bad argument #2 to 'matmul' (tensor expected, got nil)")
  E(function() local _ = tensor.expand_dims(a, nil) end,
    "expand_dims: axis must be an integer, got nil")
  E(function() local _ = tensor.select(a, nil, 0) end,
    "select: axis must be an integer, got nil")
  E(function() local _ = tensor.slice(a, nil) end, "slice: axis must be an integer, got nil")
  E(function() local _ = a:get(nil, 0) end, "get: index must be an integer, got nil")
  E(function() tensor.set_memory_limit(nil) end,
    "tensor.set_memory_limit: bytes must be an integer, got nil")
  E(function() nn.seed(nil) end, "nn.seed: expected an integer, got nil")
  E(function() local _ = nn.Dense(nil) end, "Dense: units must be a positive integer, got nil")
  E(function() local _ = nn.Input(nil) end,
    "nn.Input: expected a shape table, e.g. nn.Input{64, 32}, got nil")
  local d = nn.Dense(2)
  E(function() local _ = d(nil) end, "expected a tensor, got nil")
end)

-- ---- sizes: negative, fractional, NaN, huge -------------------------------

t.test("negative and fractional sizes", function()
  E(function() local _ = tensor.zeros(-1) end,
    "tensor.zeros: size 1 must be a non-negative integer, got -1")
  E(function() local _ = tensor.zeros(2.5) end,
    "tensor.zeros: size 1 must be a non-negative integer, got 2.5")
  E(function() local _ = tensor.zeros(2, -3) end,
    "tensor.zeros: size 2 must be a non-negative integer, got -3")
  E(function() local _ = tensor.ones({ 3, 0.5 }) end,
    "tensor.ones: size 2 must be a non-negative integer, got 0.5")
  E(function() local _ = tensor.rand({ -1 }) end,
    "tensor.rand: size 1 must be a non-negative integer, got -1")
  E(function() local _ = tensor.randn(2, -1) end,
    "tensor.randn: size 2 must be a non-negative integer, got -1")
  E(function() local _ = tensor.full({ -2 }, 1) end,
    "tensor.full: size 1 must be a non-negative integer, got -2")
  E(function() local _ = tensor.full({ 1.5 }, 1) end,
    "tensor.full: size 1 must be a non-negative integer, got 1.5")
  E(function() local _ = tensor.zeros(-1 / 0) end,
    "tensor.zeros: size 1 must be a non-negative integer, got -inf")
  E(function() local _ = tensor.eye(2.5) end, "tensor.eye: n must be an integer, got 2.5")
  E(function() local _ = a:reshape(-2, 3) end, "reshape: negative size in (-2, 3)")
  E(function() local _ = a:reshape(2.5, 2) end, "reshape: size must be an integer, got 2.5")
  E(function() local _ = a:sum(0.5) end, "sum: axis must be an integer, got 0.5")
  E(function() local _ = a:get(0.5, 0) end, "get: index must be an integer, got 0.5")
  E(function() local _ = tensor.ones(2)[0.5] end, "index: index must be an integer, got 0.5")
  E(function() local _ = nn.Dense(0) end, "Dense: units must be a positive integer, got 0")
  E(function() local _ = nn.Dense(-1) end, "Dense: units must be a positive integer, got -1")
  E(function() local _ = nn.Dense(2.5) end, "Dense: units must be a positive integer, got 2.5")
  E(function() nn.seed(1.5) end, "nn.seed: expected an integer, got 1.5")
  E(function() tensor.set_memory_limit(-1) end,
    "tensor.set_memory_limit: bytes must be positive")
  E(function() local _ = tensor.arange(0, 1, 0) end, "tensor.arange: step must be a finite nonzero number")
end)

t.test("eye with negative sizes", function()
  E(function() local _ = tensor.eye(-1) end,
    "tensor.eye: sizes must be non-negative, got -1 and -1")
  E(function() local _ = tensor.eye(2, -1) end,
    "tensor.eye: sizes must be non-negative, got 2 and -1")
end)

t.test("messages name the function once", function()
  local err = E(function() local _ = tensor.arange(0, 1, 0) end,
                "step must be a finite nonzero number")
  t.eq(err:find("arange: arange:", 1, true), nil, err)
end)

t.test("a string where a number belongs says so", function()
  -- "got 3" for the string "3" reads as if 3 were wrong
  E(function() local _ = nn.Dense("3") end,
    { "Dense: units must be a positive integer, got ", "string" })
end)

t.test("sizes, axes and indices of NaN", function()
  -- the message says nan (not the platform's "-nan")
  E(function() local _ = tensor.zeros(0 / 0) end,
    "tensor.zeros: size 1 must be a non-negative integer, got nan")
  E(function() local _ = tensor.ones({ 2, 0 / 0 }) end,
    "tensor.ones: size 2 must be a non-negative integer, got nan")
  E(function() local _ = tensor.full({ 0 / 0 }, 1) end,
    "tensor.full: size 1 must be a non-negative integer, got nan")
  E(function() local _ = tensor.eye(0 / 0) end, "tensor.eye: n must be an integer, got nan")
  E(function() local _ = a:reshape(0 / 0) end, "reshape: size must be an integer, got nan")
  E(function() local _ = a:sum(0 / 0) end, "sum: axis must be an integer, got nan")
  E(function() local _ = a:softmax(0 / 0) end, "softmax: axis must be an integer, got nan")
  E(function() local _ = tensor.ones(2)[0 / 0] end, "index: index must be an integer, got nan")
  E(function() local _ = nn.Dense(0 / 0) end, "Dense: units must be a positive integer, got nan")
  E(function() nn.seed(0 / 0) end, "nn.seed: expected an integer, got nan")
end)

t.test("arange of NaN does not blame the step", function()
  E(function() local _ = tensor.arange(0, 1 / 0) end, "start and stop must be finite")
  local err = E(function() local _ = tensor.arange(0 / 0) end, "tensor.arange: ")
  t.eq(err:find("step", 1, true), nil, "a NaN stop is not a step problem: " .. err)
end)

t.test("NaN values (not sizes) are fine, as in NumPy", function()
  local n = tensor.full({ 2 }, 0 / 0):totable()
  t.truthy(n[1] ~= n[1] and n[2] ~= n[2])
end)

t.test("huge sizes: a clear 'would need N GiB' error", function()
  E(function() local _ = tensor.zeros(1e12) end,
    "tensor.zeros: a tensor of shape (1000000000000,) would need 3725.3 GiB, more than the memory limit (")
  E(function() local _ = tensor.ones(1e6, 1e6) end,
    "tensor.ones: a tensor of shape (1000000, 1000000) would need 3725.3 GiB")
  E(function() local _ = tensor.rand(1e12) end,
    "tensor.rand: a tensor of shape (1000000000000,) would need 3725.3 GiB")
  E(function() local _ = tensor.randn(1e12) end,
    "tensor.randn: a tensor of shape (1000000000000,) would need 3725.3 GiB")
  E(function() local _ = tensor.full({ 1e12 }, 1) end,
    "tensor.full: a tensor of shape (1000000000000,) would need 3725.3 GiB")
  E(function() local _ = tensor.arange(1e13) end,
    "tensor.arange: a tensor of shape (10000000000000,) would need 37252.9 GiB")
  E(function() local _ = tensor.zeros(1e10, 1e10) end,
    "tensor.zeros: shape (10000000000, 10000000000) has too many elements")
  E(function() local _ = tensor.eye(1e12) end,
    "tensor.eye: shape (1000000000000, 1000000000000) has too many elements")
  E(function() local _ = tensor.zeros(1e19) end, "tensor.zeros: size 1 is too large (1e+19)")
  E(function() local _ = tensor.zeros(1 / 0) end, "tensor.zeros: size 1 is too large (inf)")
  E(function() local _ = tensor.zeros(1, 2, 3, 4, 5, 6, 7, 8, 9) end,
    "tensor.zeros: a tensor has at most 8 axes")
  -- results of ops too
  E(function() local _ = tensor.zeros(100000, 1) + tensor.zeros(1, 100000) end,
    "add: a tensor of shape (100000, 100000) would need 37.3 GiB")
  E(function() local _ = tensor.matmul(tensor.zeros(100000, 1), tensor.zeros(1, 100000)) end,
    "matmul: a tensor of shape (100000, 100000) would need 37.3 GiB")
  -- the limit is the one set
  local _, limit = tensor.memory()
  local ok, err = pcall(function()
    tensor.set_memory_limit(1000)
    local _ = tensor.zeros(1000)
  end)
  tensor.set_memory_limit(limit)
  t.eq(ok, false)
  t.truthy(err:find("tensor.zeros: a tensor of shape (1000,) would need 4000 bytes, "
                    .. "more than the memory limit (1000 bytes)", 1, true), err)
  same(tensor.zeros(1000):sum(), 0)
  -- a huge shape with no elements is fine, as in NumPy
  t.eq(tostring(tensor.zeros(1e12, 0).shape), "(1000000000000, 0)")
end)

-- ---- 0-element tensors ----------------------------------------------------

t.test("0-element tensors: element-wise ops keep the shape", function()
  local z2 = tensor.zeros(2, 0)
  for _, n in ipairs({ "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu",
                       "neg", "square", "elu", "selu", "gelu", "softplus",
                       "softsign", "hard_sigmoid", "silu" }) do
    t.eq(tostring(tensor[n](z2).shape), "(2, 0)", n)
  end
  t.eq(tostring((z2 + z2).shape), "(2, 0)")
  t.eq(tostring((z2 * 3).shape), "(2, 0)")
  t.eq(tostring((z2 ^ 2).shape), "(2, 0)")
  t.eq(tostring(tensor.maximum(z2, 0).shape), "(2, 0)")
  t.eq(tostring((tensor.zeros(0, 1) + tensor.ones(3)).shape), "(0, 3)")
  t.eq(tostring(z2), "(2, 0)\n[]")
  E(function() local _ = z2 + tensor.ones(3) end,
    "add: shapes (2, 0) and (3,) cannot be broadcast together")
end)

t.test("0-element tensors: reductions", function()
  local z = tensor.zeros(0)
  local z2 = tensor.zeros(2, 0)
  same(z:sum(), 0)
  same(z2:sum(1), { 0, 0 })
  same(tensor.zeros(0, 3):sum(0), { 0, 0, 0 })
  t.eq(tostring(z2:sum(0).shape), "(0,)")
  local m = z:mean():item()
  t.truthy(m ~= m, "the mean of nothing is nan, as NumPy's")
  t.eq(tostring(z2:max(0).shape), "(0,)")
  t.eq(tostring(z2:argmax(0).shape), "(0,)")
  E(function() local _ = z:max() end,
    "max: cannot reduce a tensor of shape (0,) over an axis of size 0")
  E(function() local _ = z:min() end,
    "min: cannot reduce a tensor of shape (0,) over an axis of size 0")
  E(function() local _ = z2:max(1) end,
    "max: cannot reduce a tensor of shape (2, 0) over an axis of size 0")
  E(function() local _ = z:argmax() end,
    "argmax: cannot search a tensor of shape (0,) along an axis of size 0")
  E(function() local _ = z2:argmin(1) end,
    "argmin: cannot search a tensor of shape (2, 0) along an axis of size 0")
  t.eq(tostring(z2:softmax().shape), "(2, 0)")
  t.eq(tostring(tensor.zeros(0, 3):softmax().shape), "(0, 3)")
  t.eq(tostring(z2:log_softmax().shape), "(2, 0)")
end)

t.test("0-element tensors: 2-D matmul", function()
  same(tensor.matmul(tensor.zeros(2, 0), tensor.zeros(0, 4)),
       { { 0, 0, 0, 0 }, { 0, 0, 0, 0 } })
  t.eq(tostring(tensor.matmul(tensor.zeros(0, 3), tensor.ones(3, 4)).shape), "(0, 4)")
  t.eq(tostring(tensor.matmul(tensor.ones(2, 3), tensor.zeros(3, 0)).shape), "(2, 0)")
end)

t.test("0-element tensors: batched matmul with an empty batch does not crash", function()
  -- was SIGFPE (exit 136): a batch axis of size 0
  local cases = {
    { "tensor.matmul(tensor.zeros(0, 2, 3), tensor.ones(3, 4))", "(0, 2, 4)" },
    { "tensor.matmul(tensor.ones(1, 3), tensor.zeros(0, 3, 4))", "(0, 1, 4)" },
    { "tensor.matmul(tensor.zeros(0, 2, 3), tensor.zeros(0, 3, 4))", "(0, 2, 4)" },
    { "tensor.matmul(tensor.ones(2, 3), tensor.zeros(2, 0, 3, 4))", "(2, 0, 2, 4)" },
  }
  for _, c in ipairs(cases) do
    local out, status = child("print(" .. c[1] .. ".shape)")
    t.eq(status, 0, c[1] .. " exit status (output " .. out .. ")")
    t.eq(out, c[2] .. "\n", c[1])
  end
  -- and its backward
  local out, status = child("local x = tensor.zeros(0, 2, 3, {requires_grad=true}); "
    .. "tensor.matmul(x, tensor.ones(3, 4)):sum():backward(); print(x.grad.shape)")
  t.eq(status, 0, "backward exit status (output " .. out .. ")")
  t.eq(out, "(0, 2, 3)\n")
end)

t.test("0-element tensors: batch_dot", function()
  local r = tensor.batch_dot(tensor.zeros(0, 3), tensor.zeros(0, 3))
  t.eq(tostring(r.shape), "(0, 1)")
  same(tensor.batch_dot(tensor.zeros(2, 0), tensor.zeros(2, 0)), { { 0 }, { 0 } })
  local r3 = tensor.batch_dot(tensor.zeros(2, 3, 0), tensor.zeros(2, 0, 4))
  t.eq(tostring(r3.shape), "(2, 3, 4)")
  same(r3:sum(), 0)
end)

t.test("0-element tensors: shape ops", function()
  local z = tensor.zeros(0)
  local z2 = tensor.zeros(2, 0)
  t.eq(tostring(z2:reshape(0, 5).shape), "(0, 5)")
  t.eq(tostring(z2:reshape(-1, 5).shape), "(0, 5)")
  t.eq(tostring(z2:reshape(-1).shape), "(0,)")
  t.eq(tostring(z2:transpose().shape), "(0, 2)")
  t.eq(tostring(z2:squeeze().shape), "(2, 0)")
  t.eq(tostring(z2:expand_dims(0).shape), "(1, 2, 0)")
  same(tensor.concat({ z2, tensor.ones(2, 1) }, 1), { { 1 }, { 1 } })
  same(tensor.concat({ tensor.zeros(0, 3), tensor.ones(1, 3) }, 0), { { 1, 1, 1 } })
  t.eq(tostring(tensor.stack({ z2, z2 }).shape), "(2, 2, 0)")
  t.eq(tostring(z:slice(0, 0, 5).shape), "(0,)")
  t.eq(tostring(z2[1].shape), "(0,)")
  t.eq(tostring(z2:clone().shape), "(2, 0)")
  t.eq(#z, 0)
  t.eq(z2:numel(), 0)
  local tb = z2:totable()
  t.eq(#tb, 2)
  t.eq(#tb[1], 0)
end)

t.test("0-element tensors: indexing says out of range", function()
  local z = tensor.zeros(0)
  E(function() local _ = z:select(0, 0) end,
    "index 0 is out of range for axis 0 of a tensor of shape (0,)")
  E(function() local _ = tensor.zeros(0, 3)[0] end,
    "index 0 is out of range for axis 0 of a tensor of shape (0, 3)")
  E(function() local _ = z:item() end,
    "item: only a tensor of one element has an item, got shape (0,)")
end)

t.test("0-element tensors: x[i], get and set say out of range", function()
  local z = tensor.zeros(0)
  E(function() local _ = z[0] end,
    "index 0 is out of range for axis 0 of a tensor of shape (0,)")
  E(function() local _ = z:get(0) end,
    "get: index 0 is out of range for axis 0 of a tensor of shape (0,)")
  E(function() z:set(0, 1) end,
    "set: index 0 is out of range for axis 0 of a tensor of shape (0,)")
  E(function() z[0] = 1 end,
    "index 0 is out of range for axis 0 of a tensor of shape (0,)")
end)

t.test("0-element tensors: creation", function()
  t.eq(tostring(tensor.eye(0).shape), "(0, 0)")
  t.eq(tostring(tensor.arange(0).shape), "(0,)")
  t.eq(tostring(tensor.randn(0, 3).shape), "(0, 3)")
  t.eq(tostring(tensor.rand(0).shape), "(0,)")
  t.eq(tostring(tensor.full({ 0 }, 1).shape), "(0,)")
  t.eq(tostring(tensor.from({}).shape), "(0,)")
  t.eq(tostring(tensor.from({ {}, {} }).shape), "(2, 0)")
  t.eq(tostring(tensor.zeros(0, 2000)), "(0, 2000)\n[]")
end)

t.test("0-element tensors: autograd and Dense", function()
  local x = tensor.zeros(0, { requires_grad = true })
  ;(x * x):sum():backward()
  t.eq(tostring(x.grad.shape), "(0,)")
  local x2 = tensor.zeros(2, 0, { requires_grad = true })
  x2:softmax():sum():backward()
  t.eq(tostring(x2.grad.shape), "(2, 0)")
  x2.grad = nil
  tensor.matmul(x2, tensor.zeros(0, 3)):sum():backward()
  same(x2.grad:sum(), 0)
  E(function() (x * 2):backward() end,
    "backward: grad can be implicitly created only for a tensor of one element, got shape (0,); pass a grad of that shape")
  ;(x * 2):backward(tensor.zeros(0))
  local ok, worst = tensor.gradcheck(function(v) return v:sum() end,
                                     { tensor.zeros(0, { requires_grad = true }) })
  t.eq(ok, true)
  t.eq(worst, 0.0)
  local d = nn.Dense(3)
  t.eq(tostring(d(tensor.zeros(0, 4)).shape), "(0, 3)")
  local d2 = nn.Dense(3, { bias_initializer = "ones" })
  same(d2(tensor.zeros(2, 0)), { { 1, 1, 1 }, { 1, 1, 1 } })
  t.eq(tostring(nn.Dense(3, { activation = "softmax" })(tensor.zeros(0, 5, 4)).shape),
       "(0, 5, 3)")
end)

-- ---- shape errors ---------------------------------------------------------

t.test("shape errors of element-wise ops", function()
  E(function() local _ = a + tensor.ones(4) end,
    "add: shapes (2, 3) and (4,) cannot be broadcast together")
  E(function() local _ = a - tensor.ones(3, 1) end,
    "subtract: shapes (2, 3) and (3, 1) cannot be broadcast together")
  E(function() local _ = a * tensor.ones(2, 2) end,
    "multiply: shapes (2, 3) and (2, 2) cannot be broadcast together")
  E(function() local _ = a / tensor.ones(4) end,
    "divide: shapes (2, 3) and (4,) cannot be broadcast together")
  E(function() local _ = tensor.pow(a, tensor.ones(4)) end,
    "pow: shapes (2, 3) and (4,) cannot be broadcast together")
end)

t.test("shape errors of matmul and batch_dot", function()
  E(function() local _ = tensor.matmul(a, a) end,
    "matmul: inner dimensions differ: (2, 3) @ (2, 3)")
  E(function() local _ = tensor.matmul(a, tensor.ones(3, 2), { transpose_b = true }) end,
    "matmul: inner dimensions differ: (2, 3) @ (3, 2) (after transposing)")
  E(function() local _ = tensor.matmul(a, tensor.ones(3)) end,
    "matmul: expected tensors of rank >= 2, got (2, 3) @ (3,)")
  E(function() local _ = tensor.matmul(tensor.ones(2, 2, 3), tensor.ones(3, 3, 2)) end,
    "matmul: batch dimensions of (2, 2, 3) and (3, 3, 2) cannot be broadcast together")
  E(function() local _ = tensor.batch_dot(a, tensor.ones(3, 3)) end,
    "batch_dot: batch sizes differ: (2, 3) and (3, 3)")
  E(function() local _ = tensor.batch_dot(a, tensor.ones(2, 4)) end,
    "batch_dot: cannot contract axis 1 of (2, 3) with axis 1 of (2, 4): sizes 3 and 4 differ")
  E(function() local _ = tensor.batch_dot(a, a, { 0, 0 }) end,
    "batch_dot: cannot contract over the batch axis 0")
  E(function() local _ = tensor.batch_dot(tensor.ones(3), a) end,
    "batch_dot: expected tensors of rank >= 2, got (3,) and (2, 3)")
end)

t.test("shape errors of concat, stack, reshape and friends", function()
  E(function() local _ = tensor.concat({ a, tensor.ones(2, 2) }, 0) end,
    "concat: shapes (2, 3) and (2, 2) (tensor 2) differ outside axis 0")
  E(function() local _ = tensor.concat({}) end, "concat: expected at least one tensor")
  E(function() local _ = tensor.concat({ tensor.from(1), tensor.from(2) }) end,
    "concat: cannot concatenate scalars; use stack")
  E(function() local _ = tensor.concat({ a, a }, 2) end, "concat: axis 2 is out of range")
  E(function() local _ = tensor.stack({ a, tensor.ones(3, 2) }) end,
    "stack: all tensors must have the same shape, got (2, 3) and (3, 2) (tensor 2)")
  E(function() local _ = a:reshape(4) end,
    "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into (4,) (4 elements)")
  E(function() local _ = a:transpose({ 0 }) end,
    "transpose: perm has 1 entries but the tensor has shape (2, 3) (2 axes)")
  E(function() local _ = a:transpose({ 0, 0 }) end,
    "transpose: perm is not a permutation of the 2 axes of a tensor of shape (2, 3) (axis 0 appears twice)")
  E(function() local _ = a:transpose({ 0, 5 }) end,
    "transpose: axis 5 is out of range for a tensor of rank 2")
  E(function() local _ = a:squeeze(0) end,
    "squeeze: axis 0 of a tensor of shape (2, 3) has size 2, not 1")
  E(function() local _ = a:squeeze(5) end, "squeeze: axis 5 is out of range for a tensor of rank 2")
  E(function() local _ = a:expand_dims(5) end, "expand_dims: axis 5 is out of range")
  E(function() local _ = a:slice(0, 0, 1, 0) end, "slice: step cannot be 0")
  E(function() local _ = a:slice(3, 0, 1) end, "slice: axis 3 is out of range for a tensor of rank 2")
  E(function() local _ = a:select(0, 2) end,
    "index 2 is out of range for axis 0 of a tensor of shape (2, 3)")
  E(function() local _ = a:sum(2) end, "sum: axis 2 is out of range for a tensor of rank 2")
  E(function() local _ = a:sum({ 0, 0 }) end, "sum: axis 0 is given twice")
  E(function() local _ = a:mean(-3) end, "mean: axis -3 is out of range for a tensor of rank 2")
  E(function() local _ = a:softmax(2) end, "softmax: axis 2 is out of range for a tensor of rank 2")
  E(function() local _ = a:argmax({ 0, 1 }) end, "argmax: expected one axis, got 2")
  E(function() local _ = a:size(5) end, "size: axis 5 is out of range for a tensor of rank 2")
  E(function() local _ = tensor.from(1):softmax() end, "softmax: expected a tensor of rank >= 1")
end)

t.test("reshape messages show -1 as the learner wrote it", function()
  -- the learner wrote -1: the message must not turn it into None
  E(function() local _ = a:reshape(-1, -1) end,
    "reshape: only one size can be -1, got (-1, -1)")
  E(function() local _ = a:reshape(4, -1) end,
    "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into (4, -1)")
  -- as NumPy: -1 is ambiguous when there are no elements
  E(function() local _ = tensor.zeros(2, 0):reshape(0, -1) end,
    "reshape: cannot reshape a tensor of shape (2, 0) (0 elements) into (0, -1)")
end)

t.test("index errors", function()
  E(function() local _ = a[5] end,
    "index 5 is out of range for axis 0 of a tensor of shape (2, 3)")
  E(function() local _ = a[-3] end,
    "index -3 is out of range for axis 0 of a tensor of shape (2, 3)")
  E(function() local _ = a:get(0) end, "get: expected 2 indices for a tensor of shape (2, 3), got 1")
  E(function() local _ = a:item() end,
    "item: only a tensor of one element has an item, got shape (2, 3)")
  E(function() local _ = #tensor.from(1) end, "len: a scalar tensor has no length")
  E(function() local _ = tensor.from(1)[0] end, "index: a scalar tensor cannot be indexed")
end)

t.test("out-of-range x[i] of 1-D, get, set and x[i] = v", function()
  E(function() local _ = tensor.arange(3)[3] end,
    "index 3 is out of range for axis 0 of a tensor of shape (3,)")
  E(function() local _ = tensor.arange(3)[-4] end,
    "index -4 is out of range for axis 0 of a tensor of shape (3,)")
  E(function() local _ = a:get(5, 0) end,
    "get: index 5 is out of range for axis 0 of a tensor of shape (2, 3)")
  E(function() local _ = a:get(0, -4) end,
    "get: index -4 is out of range for axis 1 of a tensor of shape (2, 3)")
  E(function() a:clone():set(0, 9, 1) end,
    "set: index 9 is out of range for axis 1 of a tensor of shape (2, 3)")
  E(function() a:clone()[7] = 1 end,
    "index 7 is out of range for axis 0 of a tensor of shape (2, 3)")
end)

-- ---- symbolic tensors -----------------------------------------------------

t.test("a symbolic tensor has no values", function()
  local x = nn.Input({ 64, 32 })
  local msg = "a symbolic tensor (None, 64, 32) has no values yet; build an nn.Model and call it on data"
  E(function() local _ = x:get(0, 0, 0) end, "get: " .. msg)
  E(function() local _ = x:item() end, "item: " .. msg)
  E(function() local _ = x:totable() end, "totable: " .. msg)
  E(function() x:set(0, 0, 0, 1) end, "set: " .. msg)
  E(function() x[0] = 1 end, "index: a symbolic tensor has no values")
  E(function() local _ = x:numel() end, "numel: a symbolic tensor (None, 64, 32) has no fixed size")
  E(function() local _ = #x end, "len: the first axis of (None, 64, 32) is unknown (None)")
  E(function() x:sum():backward() end,
    "backward: a symbolic tensor () has no values; call the model on data first")
  E(function() local _ = x + tensor.ones(3) end,
    "add: shapes (None, 64, 32) and (3,) cannot be broadcast together")
  E(function() local _ = tensor.matmul(x, x) end,
    "matmul: inner dimensions differ: (None, 64, 32) @ (None, 64, 32)")
  E(function() local _ = x:sum(3) end, "sum: axis 3 is out of range for a tensor of rank 3")
  E(function() local _ = nn.Dense(3)(nn.Input({ None })) end,
    "the last axis of the input must be known, got shape (None, None)")
end)

-- ---- autograd misuse ------------------------------------------------------

t.test("backward and requires_grad misuse", function()
  local x = tensor.from({ { 1, 2 }, { 3, 4 } }, { requires_grad = true })
  E(function() (x * 3):backward() end,
    "backward: grad can be implicitly created only for a tensor of one element, got shape (2, 2); pass a grad of that shape")
  E(function() (x * 3):backward(tensor.ones(3)) end,
    "backward: grad has shape (3,) but the tensor has shape (2, 2)")
  E(function() tensor.ones(2):sum():backward() end,
    "backward: the tensor does not require grad (no input of it was created with requires_grad=true)")
  E(function() local y = x * 2; y.requires_grad = true end,
    "requires_grad: only a leaf tensor (one not made by an op) can change requires_grad; use detach()")
  E(function() (x * 2):set_requires_grad(false) end,
    "requires_grad: only a leaf tensor (one not made by an op) can change requires_grad; use detach()")
  E(function() x:set(0, 0, 5) end,
    "set: cannot change a tensor that requires grad in place (its gradient would be wrong); do it inside tensor.no_grad or on a detached copy")
  E(function() x[0] = 1 end,
    "index: cannot change a tensor that requires grad in place (its gradient would be wrong); do it inside tensor.no_grad or on a detached copy")
  E(function() tensor.no_grad(function() error("inner problem") end) end, "inner problem")
end)

-- ---- nn.Dense, nn.Input, nn.seed ------------------------------------------

t.test("nn.Dense options and activations", function()
  nn.clear_session()
  E(function() local _ = nn.Dense(3, { activaton = "relu" }) end,
    "Dense: unknown option 'activaton' (known: activation, bias_initializer, keep_output, kernel_initializer, name, use_bias)")
  E(function() local _ = nn.Dense(3, { activation = "foo" }) end,
    "Dense 'dense': unknown activation 'foo' (known: elu, exponential, gelu, hard_sigmoid, linear, log_softmax, relu, selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh)")
  E(function() local _ = nn.Dense(3, { activation = "get" }) end, "unknown activation 'get'")
  E(function() local _ = nn.Dense(3, "relu") end, "Dense: options must be a table, got string")
  E(function() local _ = nn.Activation("foo") end, "unknown activation 'foo'")
  E(function() local _ = nn.Dense(3, { bias_initializer = "get" }) end,
    "unknown initializer 'get'")
  E(function() local _ = nn.Dense(3, { kernel_initializer = 5 }) end,
    "unknown initializer '5'")
end)

t.test("nn.Dense initializers: only real ones are known", function()
  -- `fans` is a helper of initializers.lua, not an initializer
  E(function() local _ = nn.Dense(3, { kernel_initializer = "foo" }) end,
    "unknown initializer 'foo' (known: glorot_normal, glorot_uniform, he_normal, he_uniform, lecun_normal, lecun_uniform, ones, orthogonal, random_normal, random_uniform, truncated_normal, zeros)")
end)

t.test("nn.Dense initializers: the helper fans is not one", function()
  -- was "lua/attnlab/layers.lua:119: attempt to index a number value"
  E(function() local d = nn.Dense(3, { kernel_initializer = "fans" }); local _ = d(tensor.ones(2, 2)) end,
    "unknown initializer 'fans'")
end)

t.test("nn.Dense shape errors", function()
  nn.clear_session()
  local d = nn.Dense(3)
  E(function() local _ = d(tensor.ones(4)) end,
    "Dense 'dense': expected input of rank >= 2 (batch, ..., features), got shape (4,)")
  E(function() local _ = d({ 1, 2 }) end, "Dense 'dense': expected a tensor, got table")
  local _ = d(tensor.ones(2, 4))
  E(function() local _ = d(tensor.ones(2, 5)) end,
    "Dense 'dense': expected input with last axis 4, got shape (2, 5)")
  E(function() d:set_weights({ tensor.ones(4, 3) }) end,
    "Dense 'dense': set_weights expected 2 arrays, got 1")
  E(function() d:set_weights({ tensor.ones(3, 4), tensor.ones(3) }) end,
    "Dense 'dense': weight 1 (kernel) has shape (4, 3), got (3, 4)")
  E(function() d:set_weights({ tensor.ones(4, 3), tensor.ones(4) }) end,
    "Dense 'dense': weight 2 (bias) has shape (3,), got (4,)")
  E(function() d:set_weights(tensor.ones(4, 3)) end,
    "Dense 'dense': set_weights expects a table of 2 arrays")
  local u = nn.Dense(2, { use_bias = false })
  local _ = u(tensor.ones(1, 2))
  E(function() u:set_weights({ tensor.ones(2, 2), tensor.ones(2) }) end,
    "Dense 'dense_1': set_weights expected 1 arrays, got 2")
end)

t.test("nn.Input and nn.seed", function()
  E(function() local _ = nn.Input(64) end,
    "nn.Input: expected a shape table, e.g. nn.Input{64, 32}, got number")
  E(function() local _ = nn.Input({ shape = 5 }) end, "nn.Input: shape must be a table, got number")
  E(function() local _ = nn.Input({ shape = { 3 }, nme = "x" }) end,
    "nn.Input: unknown option 'nme' (known: batch_size, name, shape)")
  E(function() nn.seed("x") end, "nn.seed: expected an integer, got")
end)

t.test("nn.Input with a bad size names nn.Input", function()
  -- the message names nn.Input and the learner's own size, not an internal
  -- tensor.symbolic and a position counted with the batch axis
  local err = E(function() local _ = nn.Input({ -1 }) end, { "nn.Input", "got -1" })
  t.eq(err:find("tensor.symbolic", 1, true), nil, err)
  err = E(function() local _ = nn.Input({ 4, 2.5 }) end, { "nn.Input", "got 2.5" })
  t.eq(err:find("tensor.symbolic", 1, true), nil, err)
end)

t.test("errors raised in lua/attnlab/ point at the caller's line", function()
  -- a multi-line call: the position is inside the call, in this file
  local err = E(function()
    local d = nn.Dense(3, { activation = "nope" })
    return d
  end, "unknown activation 'nope'")
  t.eq(err:find("lua/attnlab/", 1, true), nil, err)
  local d = nn.Dense(2)
  err = E(function() local _ = d(tensor.ones(3)) end, "expected input of rank >= 2")
  t.eq(err:find("lua/attnlab/", 1, true), nil, err)
  -- an error from the C core called by the library also lands here
  local _ = d(tensor.ones(1, 4))
  err = E(function() local _ = d(tensor.ones(1, 5)) end, "expected input with last axis 4")
  t.eq(err:sub(1, #FILE + 1), FILE .. ":")
end)

t.test("totable refuses what the memory limit could not hold", function()
  local limit = select(2, tensor.memory())
  local big = tensor.zeros(200)
  tensor.set_memory_limit(1600) -- 100 numbers' worth of Lua table
  local ok, err = pcall(function() return big:totable() end)
  tensor.set_memory_limit(limit)
  t.eq(ok, false)
  t.truthy(err:find("totable: a tensor of shape (200,) (200 elements) is too large for a Lua table; take a slice first", 1, true), err)
  t.eq(#tensor.zeros(50):totable(), 50)
end)

t.done()
