-- bench_ops.lua - times attnlab's core ops; prints "name<TAB>ms per call".
-- Run by `make bench` (bench/run), beside bench_ops_torch.py.
nn.seed(0)
local clock = require("attnlab.core").clock -- wall-clock seconds

local function time_it(name, reps, fn)
  fn() -- warm up
  local t0 = clock()
  for _ = 1, reps do fn() end
  local ms = (clock() - t0) * 1000 / reps
  io.write(string.format("%s\t%.4f\n", name, ms))
end

local a, b = tensor.randn(256, 256), tensor.randn(256, 256)
time_it("matmul 256x256x256", 50, function() return tensor.matmul(a, b) end)

local q, k = tensor.randn(32, 64, 64), tensor.randn(32, 64, 64)
time_it("batched matmul 32x(64x64x64)", 50, function()
  return tensor.matmul(q, k, { transpose_b = true })
end)

local s = tensor.randn(64, 100, 100)
time_it("softmax (64, 100, 100) axis -1", 50, function()
  return tensor.softmax(s, -1)
end)

local x = tensor.randn(64, 100, 128)
local d = nn.Dense(64, { activation = "tanh" })
time_it("Dense(64, tanh) forward (64, 100, 128)", 30, function()
  return tensor.no_grad(function() return d(x) end)
end)

local xg = tensor.randn(64, 100, 128, { requires_grad = true })
time_it("Dense(64, tanh) forward+backward (64, 100, 128)", 30, function()
  local y = d(xg):sum()
  y:backward()
end)

local e = tensor.randn(64, 100, 128)
time_it("transpose (64, 100, 128) {0, 2, 1}", 50, function()
  return tensor.transpose(e, { 0, 2, 1 })
end)
time_it("sum (64, 100, 128) axis 1", 50, function() return tensor.sum(e, 1) end)

-- The seed model: Bidirectional(GRU(64, return_sequences=true)) twice, on
-- (batch, 64, 32). Reports ms per call; bench/run adds ms per time step
-- and GFLOP/s from the matrix products' flop count.
for _, batch in ipairs { 1, 64 } do
  nn.seed(0)
  local l1 = nn.Bidirectional(nn.GRU(64, { return_sequences = true }))
  local l2 = nn.Bidirectional(nn.GRU(64, { return_sequences = true }))
  local xs = tensor.randn(batch, 64, 32)
  time_it(string.format("seed model forward, batch %d", batch), 10, function()
    return tensor.no_grad(function() return l2(l1(xs)) end)
  end)
  local xg = tensor.randn(batch, 64, 32, { requires_grad = true })
  time_it(string.format("seed model forward+backward, batch %d", batch), 10,
          function() l2(l1(xg)):sum():backward() end)
end
