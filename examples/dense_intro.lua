-- A first look at attnlab: tensors, shapes, a Dense layer and a gradient.
-- Run it with: ./attnlab examples/dense_intro.lua
nn.seed(42)

local x = tensor.randn(2, 5, 4)
print("x has shape", x.shape)

local dense = nn.Dense(3, { activation = "tanh" })
local y = dense(x)
print(dense, "maps", x.shape, "to", y.shape)
print("kernel", dense.kernel.shape, "bias", dense.bias.shape)

-- symbolic: shapes before any data, as with keras.Input
local inp = nn.Input{ 64, 32 }
print(inp, "->", nn.Dense(16)(inp))

-- a gradient: d/dx sum(x * x) = 2x
local v = tensor.from({ { 1, 2, 3 }, { -1, 0.5, 4 } }, { requires_grad = true })
local loss = (v * v):sum()
loss:backward()
print("v.grad (should be 2*v):")
print(v.grad)
