-- Recipe 2: dot-product attention with a learned query over an LSTM.
-- 配方 2：LSTM 之上、带可学习查询向量的点积注意力。
--
--   ./attnlab examples/recipe2_dot_attention.lua
nn.seed(2)
local T, F, U = 20, 8, 32

local lstm = nn.LSTM(U, { return_sequences = true })
local query_dense = nn.Dense(U, { activation = "tanh" })
-- The tutorial writes Dot(axes=(2, 1)) for the scores: that contracts the
-- units of the query with the time axis of h, and only runs when T == U.
-- Query-key scores contract the units of both: axes={2, 2}.
-- 教程中的 Dot(axes=(2, 1)) 把查询的 units 轴与 h 的时间轴相乘，只有 T == U
-- 时才能运行；查询与键的注意力分数应使用 axes={2, 2}。
local scores_dot = nn.Dot{ axes = { 2, 2 } }
local softmax = nn.Activation("softmax")
local context_dot = nn.Dot{ axes = { 2, 1 } }
local pool = nn.Lambda(function(c) return tensor.sum(c, 1) end)
local concat = nn.Concatenate{ axis = -1 }

local function model(inputs)
  local h = lstm(inputs)                              -- (batch, T, U)
  local query = query_dense(h)                        -- (batch, T, U)
  local scores = scores_dot({ query, h })             -- (batch, T, T)
  local weights = softmax(scores)                     -- each row sums to 1
  local context = context_dot({ weights, h })         -- (batch, T, U)
  local pooled = pool(context)                        -- (batch, U)
  local out = concat({ pooled, tensor.select(h, 1, -1) }) -- with the last LSTM output
  for _, s in ipairs { { "h", h }, { "scores", scores }, { "context", context },
                       { "pooled", pooled }, { "out", out } } do
    print(string.format("%-8s %s", s[1], tostring(s[2].shape)))
  end
  return out, weights
end

model(nn.Input{ T, F })
local _, weights = model(tensor.randn(2, T, F))
print("weights of the first sample", weights[0].shape)

-- What the tutorial's axes do when T ~= U / T ~= U 时教程写法的报错：
local ok, err = pcall(function() return nn.Dot{ axes = { 2, 1 } }({ query_dense(lstm(nn.Input{ T, F })), lstm(nn.Input{ T, F }) }) end)
assert(not ok, "Dot(axes=(2, 1)) should fail when T ~= U")
print("The tutorial's Dot(axes=(2, 1)) when T ~= U / T ~= U 时教程写法的报错：")
print("  " .. (tostring(err):gsub("^.-:%d+: ", ""))) -- the message, without file:line
